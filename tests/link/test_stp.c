/*
 * Tests of the spanning tree (models/link/stp.c, IEEE 802.1D; rstp.c, 802.1w).
 *
 * - Port roles on 300 random switch graphs (parallel links, tied
 *   priorities, given and rate-derived costs), at 60 s and again after a
 *   link of a cycle fails, against an independent
 *   computation written here: shortest root path costs by relaxation over
 *   the bridge graph, then the 802.1D tie-breaks (root ID, cost, bridge
 *   ID, port ID) for root ports and designated ports.
 * - Timings the timers imply: listening 0-15 s, learning 15-30 s,
 *   forwarding from exactly 2 x forward delay; an alternate port becomes
 *   root at once when the root port loses carrier and forwards 30 s later;
 *   a silent failure (100% loss) is noticed at max age after the last
 *   BPDU, and the alternate forwards 50 s after it; TC shortens the MAC
 *   table's aging to forward delay for max age + forward delay.
 * - Bad BPDUs dropped as bad-bpdu (truncated, other LLC, protocol id,
 *   unknown type, short config, an RST of version 0, the switch's own
 *   BPDU); higher versions read per 802.1D-2004 9.3.4; hosts drop BPDUs as
 *   llc-frame; a switch without STP floods them.
 * - RSTP: the same random graphs; proposal/agreement at the exact BPDU
 *   round trips, the edge port at once; an alternate taking over at once;
 *   information lapsing after 3 hello times; an RSTP and an STP bridge on
 *   one link (fallback to 802.1D BPDUs, 2 x forward delay); versions.
 * - A root's hello time (0 with STP, 1 s with RSTP) not taken for the
 *   bridge's own: its TCNs and RST BPDUs every 2 s; a root's information
 *   held for the BPDU's max age (not the bridge's), and none taken from a
 *   BPDU whose message age reached it.
 * - tshark dissects every BPDU of the captures (configuration, TCN, RST
 *   with proposal and agreement) with no malformed packet or expert
 *   error; on the mixed link, one RST BPDU then configuration BPDUs only.
 * - The loader: `ipsim check`'s loop warning only without a spanning tree.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/core/network.h"
#include "models/link/ethernet.h"
#include "models/link/link.h"
#include "models/link/stp.h"
#include "models/link/stp_wire.h"
#include "models/link/switch.h"
#include "sim/build/build.h"
#include "tests/testlib.h"

static void run_to(const TestNet *fx, SimTime t)
{
  scheduler_run(fx->net->ctx.sched, t);
}

static Stp *fx_stp(const TestNet *fx, const char *name)
{
  Node *node = testlib_node(fx->net, name);
  ck_assert_ptr_nonnull(node->sw);
  ck_assert_ptr_nonnull(switch_stp(node->sw));
  return switch_stp(node->sw);
}

static Iface *fx_iface(const TestNet *fx, const char *node, const char *iface)
{
  Iface *i = node_find_iface(testlib_node(fx->net, node), iface);
  ck_assert_msg(i != NULL, "%s has no %s", node, iface);
  return i;
}

static StpPortView fx_port(const TestNet *fx, const char *node, const char *iface)
{
  StpPortView v;
  stp_port_view(fx_stp(fx, node), fx_iface(fx, node, iface)->index, &v);
  return v;
}

/* Asserts the role and state of node:iface now. */
static void assert_port(const TestNet *fx, const char *node, const char *iface, StpRole role, StpState state)
{
  StpPortView v = fx_port(fx, node, iface);
  SimTime now = sim_now(&fx->net->ctx);
  ck_assert_msg(v.role == role && v.state == state, "%s %s at %" G_GINT64_FORMAT " ns: %s %s, expected %s %s", node,
                iface, now, stp_role_names[v.role], stp_state_names[v.state], stp_role_names[role],
                stp_state_names[state]);
}

/* ---- random graphs against an independent computation ---- */

#define RG_MAX_SW 8
#define RG_MAX_PORTS 16

typedef struct {
  int a, b;   /* switches */
  int pa, pb; /* port index at each */
  uint64_t rate;
  gboolean down; /* taken down after the first comparison */
} RgLink;

typedef struct {
  int n, nlinks;
  uint32_t prio[RG_MAX_SW];
  int nports[RG_MAX_SW];
  uint32_t cost[RG_MAX_SW][RG_MAX_PORTS]; /* 0: from the rate */
  uint8_t pprio[RG_MAX_SW][RG_MAX_PORTS];
  RgLink links[RG_MAX_SW * 3];
} RgGraph;

static void rg_add_link(RgGraph *g, GRand *r, int a, int b)
{
  static const uint64_t rates[] = {10000000, 100000000, 1000000000};
  static const uint32_t costs[] = {0, 0, 100000, 200000, 300000};
  static const uint8_t pprios[] = {128, 128, 112, 144};
  RgLink *l = &g->links[g->nlinks++];
  *l = (RgLink){a, b, g->nports[a]++, g->nports[b]++, rates[g_rand_int_range(r, 0, 3)], FALSE};
  g->cost[a][l->pa] = costs[g_rand_int_range(r, 0, 5)];
  g->cost[b][l->pb] = costs[g_rand_int_range(r, 0, 5)];
  g->pprio[a][l->pa] = pprios[g_rand_int_range(r, 0, 4)];
  g->pprio[b][l->pb] = pprios[g_rand_int_range(r, 0, 4)];
}

/* A connected graph: a random tree, then extra links (parallel ones too). */
static void rg_make(RgGraph *g, GRand *r)
{
  memset(g, 0, sizeof *g);
  g->n = g_rand_int_range(r, 3, RG_MAX_SW + 1);
  for (int i = 0; i < g->n; i++)
    g->prio[i] = 28672 + 4096 * (uint32_t)g_rand_int_range(r, 0, 3);
  for (int i = 1; i < g->n; i++)
    rg_add_link(g, r, i, g_rand_int_range(r, 0, i));
  int extra = g_rand_int_range(r, 0, g->n + 1);
  for (int k = 0; k < extra; k++) {
    int a = g_rand_int_range(r, 0, g->n), b = g_rand_int_range(r, 0, g->n);
    if (a != b && g->nports[a] < RG_MAX_PORTS && g->nports[b] < RG_MAX_PORTS)
      rg_add_link(g, r, a, b);
  }
}

/* The scenario of graph g: switch sI with ports pJ, each link its rate. */
static char *rg_yaml(const RgGraph *g, const char *mode)
{
  GString *y = g_string_new("scenario: random\nstop: 60s\nnodes:\n");
  for (int i = 0; i < g->n; i++) {
    g_string_append_printf(y, "  s%d:\n    kind: switch\n    interfaces: [", i);
    for (int p = 0; p < g->nports[i]; p++)
      g_string_append_printf(y, "%sp%d", p ? ", " : "", p);
    g_string_append_printf(y, "]\n    stp:\n      mode: %s\n      priority: %u\n      interfaces:\n", mode, g->prio[i]);
    for (int p = 0; p < g->nports[i]; p++) {
      g_string_append_printf(y, "        p%d: { priority: %u", p, g->pprio[i][p]);
      if (g->cost[i][p])
        g_string_append_printf(y, ", cost: %u", g->cost[i][p]);
      g_string_append(y, " }\n");
    }
  }
  g_string_append(y, "links:\n");
  for (int k = 0; k < g->nlinks; k++) {
    const RgLink *l = &g->links[k];
    g_string_append_printf(y, "  - { ends: [\"s%d:p%d\", \"s%d:p%d\"], rate: %" G_GUINT64_FORMAT "bps }\n", l->a, l->pa,
                           l->b, l->pb, l->rate);
  }
  return g_string_free(y, FALSE);
}

/* What the independent computation finds. */
typedef struct {
  uint64_t id[RG_MAX_SW];
  uint64_t dist[RG_MAX_SW];
  int root;
  int root_port[RG_MAX_SW]; /* -1 at the root */
  StpRole role[RG_MAX_SW][RG_MAX_PORTS];
} RgTree;

static uint32_t rg_cost(const RgGraph *g, int sw, int port, uint64_t rate)
{
  return g->cost[sw][port] ? g->cost[sw][port] : (uint32_t)(UINT64_C(20000000000) / (rate / 1000));
}

static uint16_t rg_port_id(const RgGraph *g, int sw, int port)
{
  return (uint16_t)(g->pprio[sw][port] << 8 | (port + 1));
}

/* Bridge IDs from the built network's MACs (the lowest of each switch). */
static void rg_ids(const RgGraph *g, const Network *net, RgTree *t)
{
  t->root = 0;
  for (int i = 0; i < g->n; i++) {
    const Node *node = network_node(net, (guint)i);
    uint64_t low = UINT64_MAX;
    for (guint k = 0; k < node->ifaces->len; k++) {
      uint64_t mac = 0;
      for (int b = 0; b < 6; b++)
        mac = mac << 8 | node_iface(node, k)->mac[b];
      low = MIN(low, mac);
    }
    t->id[i] = (uint64_t)g->prio[i] << 48 | low;
    if (t->id[i] < t->id[t->root])
      t->root = i;
  }
}

/* Root path costs: Bellman-Ford relaxation, cost counted at the receiving port. */
static void rg_dists(const RgGraph *g, RgTree *t)
{
  for (int i = 0; i < g->n; i++)
    t->dist[i] = i == t->root ? 0 : UINT64_MAX / 2;
  for (int round = 0; round < g->n; round++)
    for (int k = 0; k < g->nlinks; k++) {
      const RgLink *l = &g->links[k];
      if (l->down)
        continue;
      t->dist[l->b] = MIN(t->dist[l->b], t->dist[l->a] + rg_cost(g, l->b, l->pb, l->rate));
      t->dist[l->a] = MIN(t->dist[l->a], t->dist[l->b] + rg_cost(g, l->a, l->pa, l->rate));
    }
}

/* Writes the vector (cost, bridge, port, own port) a port of `sw` gets over link l into v. */
static void rg_offer(const RgGraph *g, const RgTree *t, const RgLink *l, int sw, uint64_t v[4])
{
  gboolean at_a = l->a == sw;
  int peer = at_a ? l->b : l->a, pp = at_a ? l->pb : l->pa, own = at_a ? l->pa : l->pb;
  v[0] = t->dist[peer] + rg_cost(g, sw, own, l->rate);
  v[1] = t->id[peer];
  v[2] = rg_port_id(g, peer, pp);
  v[3] = rg_port_id(g, sw, own);
}

static gboolean rg_less(const uint64_t *a, const uint64_t *b, int n)
{
  for (int i = 0; i < n; i++)
    if (a[i] != b[i])
      return a[i] < b[i];
  return FALSE;
}

/* Root ports: the best offer among the switch's links. */
static void rg_root_ports(const RgGraph *g, RgTree *t)
{
  for (int sw = 0; sw < g->n; sw++) {
    uint64_t best[4] = {UINT64_MAX, 0, 0, 0};
    t->root_port[sw] = -1;
    for (int k = 0; k < g->nlinks && sw != t->root; k++) {
      const RgLink *l = &g->links[k];
      uint64_t v[4];
      if (l->down || (l->a != sw && l->b != sw))
        continue;
      rg_offer(g, t, l, sw, v);
      if (rg_less(v, best, 4)) {
        memcpy(best, v, sizeof best);
        t->root_port[sw] = l->a == sw ? l->pa : l->pb;
      }
    }
  }
}

/* Every port's role: root; designated if its side offers the better
 * (cost, bridge, port) on the link; else alternate. */
static void rg_compute(const RgGraph *g, const Network *net, RgTree *t)
{
  rg_ids(g, net, t);
  rg_dists(g, t);
  rg_root_ports(g, t);
  for (int k = 0; k < g->nlinks; k++) {
    const RgLink *l = &g->links[k];
    uint64_t va[3] = {t->dist[l->a], t->id[l->a], rg_port_id(g, l->a, l->pa)};
    uint64_t vb[3] = {t->dist[l->b], t->id[l->b], rg_port_id(g, l->b, l->pb)};
    gboolean a_wins = rg_less(va, vb, 3);
    t->role[l->a][l->pa] = l->down ? STP_ROLE_DISABLED : a_wins ? STP_ROLE_DESIGNATED : STP_ROLE_ALTERNATE;
    t->role[l->b][l->pb] = l->down ? STP_ROLE_DISABLED : a_wins ? STP_ROLE_ALTERNATE : STP_ROLE_DESIGNATED;
  }
  for (int sw = 0; sw < g->n; sw++)
    if (t->root_port[sw] >= 0)
      t->role[sw][t->root_port[sw]] = STP_ROLE_ROOT;
}

/* Compares the model's roles, states and roots at 60 s with rg_compute's. */
static void rg_check(const RgGraph *g, const Network *net, const RgTree *t, guint iter, const char *yaml,
                     StpState blocked)
{
  for (int sw = 0; sw < g->n; sw++) {
    Stp *stp = switch_stp(network_node(net, (guint)sw)->sw);
    StpBridgeView b;
    stp_bridge_view(stp, &b);
    ck_assert_msg(b.root == t->id[t->root] && b.root_cost == t->dist[sw],
                  "graph %u: s%d root %" G_GINT64_MODIFIER "x cost %u, expected %" G_GINT64_MODIFIER
                  "x cost %" G_GUINT64_FORMAT "\n%s",
                  iter, sw, b.root, b.root_cost, t->id[t->root], t->dist[sw], yaml);
    for (int p = 0; p < g->nports[sw]; p++) {
      StpPortView v;
      stp_port_view(stp, (guint)p, &v);
      StpState want = t->role[sw][p] == STP_ROLE_ALTERNATE  ? blocked
                      : t->role[sw][p] == STP_ROLE_DISABLED ? STP_STATE_DISABLED
                                                            : STP_STATE_FORWARDING;
      ck_assert_msg(v.role == t->role[sw][p] && v.state == want, "graph %u: s%d p%d is %s %s, expected %s %s\n%s", iter,
                    sw, p, stp_role_names[v.role], stp_state_names[v.state], stp_role_names[t->role[sw][p]],
                    stp_state_names[want], yaml);
    }
  }
}

/* TRUE when the graph's links that are up join every switch. */
static gboolean rg_connected(const RgGraph *g)
{
  gboolean reached[RG_MAX_SW] = {TRUE};
  for (int round = 0; round < g->n; round++)
    for (int k = 0; k < g->nlinks; k++)
      if (!g->links[k].down && (reached[g->links[k].a] || reached[g->links[k].b]))
        reached[g->links[k].a] = reached[g->links[k].b] = TRUE;
  for (int i = 0; i < g->n; i++)
    if (!reached[i])
      return FALSE;
  return TRUE;
}

/* Picks a link whose loss keeps the graph connected and marks it down;
 * returns its index, or -1 (a tree). */
static int rg_fail_one(RgGraph *g, GRand *r)
{
  int start = g_rand_int_range(r, 0, g->nlinks);
  for (int i = 0; i < g->nlinks; i++) {
    int k = (start + i) % g->nlinks;
    g->links[k].down = TRUE;
    if (rg_connected(g))
      return k;
    g->links[k].down = FALSE;
  }
  return -1;
}

/* 300 graphs with STP, then 300 with RSTP (alternate ports discard):
 * compared at 60 s, then `settle` after a link of a cycle went down:
 * RSTP within 25 s (see test_rstp_random_graphs), STP within 200 s. STP may
 * need several max ages: a bridge ignores worse information from its
 * designated bridge (802.1D-1998 8.6.2.2) until what it holds expires, and
 * what replaces it may be stale in turn (graph 272 takes 81 s). */
static void rg_run(const char *mode, StpState blocked, guint32 seed, SimTime settle)
{
  GRand *r = g_rand_new_with_seed(seed);
  guint failures = 0;
  for (guint iter = 0; iter < 300; iter++) {
    RgGraph g;
    rg_make(&g, r);
    char *yaml = rg_yaml(&g, mode);
    TestNet fx = testlib_build(yaml);
    RgTree t;
    rg_compute(&g, fx.net, &t);
    run_to(&fx, SIMTIME_S(60));
    rg_check(&g, fx.net, &t, iter, yaml, blocked);
    int k = rg_fail_one(&g, r);
    if (k >= 0) {
      link_set_up(g_ptr_array_index(fx.net->links, (guint)k), FALSE);
      run_to(&fx, SIMTIME_S(60) + settle);
      rg_compute(&g, fx.net, &t);
      rg_check(&g, fx.net, &t, iter, yaml, blocked);
      failures++;
    }
    testlib_build_free(&fx);
    g_free(yaml);
  }
  ck_assert_uint_gt(failures, 100);
  g_rand_free(r);
}

START_TEST(test_stp_random_graphs)
{
  rg_run("stp", STP_STATE_BLOCKING, 802, SIMTIME_S(200));
}
END_TEST

START_TEST(test_rstp_random_graphs)
{
  /* All but one of these 300 graphs settle within 2 s; graph 147 takes
   * 8 to 13 s:
   * RSTP's count to infinity (a failure leaves stale information about the
   * root going round a cycle, its cost growing until the true, longer path
   * beats it or its message age reaches max age, 20 hops), at the pace the
   * transmit hold count allows, one BPDU a second per port once six have
   * left. */
  rg_run("rstp", STP_STATE_DISCARDING, 8021, SIMTIME_S(25));
}
END_TEST

/* ---- timers ---- */

/* s1 is the root; s2 < s3 by MAC, so s2 is designated on s2-s3 and s3's
 * p1 blocks. 100 Mb/s and 1 ms: a BPDU (60 bytes) takes 4.8 us + 1 ms. */
static const char *const triangle = "scenario: triangle\n"
                                    "stop: 200s\n"
                                    "nodes:\n"
                                    "  s1: { kind: switch, interfaces: [p1, p2, p3], stp: { priority: 4096 } }\n"
                                    "  s2: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                    "  s3: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                    "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                    "links:\n"
                                    "  - [\"s1:p1\", \"s2:p1\"]\n"
                                    "  - [\"s2:p2\", \"s3:p1\"]\n"
                                    "  - [\"s3:p2\", \"s1:p2\"]\n"
                                    "  - [\"s1:p3\", h1]\n";
#define BPDU_TIME (SIMTIME_MS(1) + 4800)

/* A port to forward listens for forward delay, learns for forward delay,
 * forwards from exactly 30 s; the blocked port never leaves blocking. */
START_TEST(test_stp_start_timing)
{
  TestNet fx = testlib_build(triangle);
  run_to(&fx, SIMTIME_S(15) - 1);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LISTENING);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_LISTENING);
  assert_port(&fx, "s3", "p1", STP_ROLE_ALTERNATE, STP_STATE_BLOCKING);
  run_to(&fx, SIMTIME_S(15));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30) - 1);
  assert_port(&fx, "s3", "p2", STP_ROLE_ROOT, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s2", "p2", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p2", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p1", STP_ROLE_ALTERNATE, STP_STATE_BLOCKING);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s3"), &b);
  ck_assert_uint_eq(b.root_cost, 200000); /* one 100 Mb/s hop, 802.1D-2004 table 17-3 */
  ck_assert_ptr_eq(b.root_port, fx_iface(&fx, "s3", "p2"));
  testlib_build_free(&fx);
}
END_TEST

/* s3's root port loses carrier at 40 s: its alternate is root port at
 * once, listening, and forwards at 40 + 2 x 15 s. */
START_TEST(test_stp_carrier_loss)
{
  TestNet fx = testlib_build(triangle);
  run_to(&fx, SIMTIME_S(40));
  link_set_up(fx_iface(&fx, "s3", "p2")->link, FALSE);
  assert_port(&fx, "s3", "p2", STP_ROLE_DISABLED, STP_STATE_DISABLED);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LISTENING);
  run_to(&fx, SIMTIME_S(55) - 1);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LISTENING);
  run_to(&fx, SIMTIME_S(55));
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(70) - 1);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(70));
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s3"), &b);
  ck_assert_uint_eq(b.root_cost, 400000);
  testlib_build_free(&fx);
}
END_TEST

/* From 59 s the s1-s3 link loses every frame, carrier up: s3 holds the
 * root's last BPDU (sent at 58 s, age 0) until max age, 20 s after it
 * arrived; then p1 is root port, and forwards 2 x 15 s later: the classic
 * 50 s of 802.1D. */
START_TEST(test_stp_max_age)
{
  TestNet fx = testlib_build(triangle);
  run_to(&fx, SIMTIME_S(59));
  LinkConfig lossy;
  Link *link = fx_iface(&fx, "s3", "p2")->link;
  link_config_defaults(&lossy);
  lossy.loss = 1.0;
  lossy.given = LINK_GIVEN_LOSS;
  link_set_params(link, &lossy);
  SimTime expiry = SIMTIME_S(58) + BPDU_TIME + SIMTIME_S(20);
  run_to(&fx, expiry - 1);
  assert_port(&fx, "s3", "p2", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p1", STP_ROLE_ALTERNATE, STP_STATE_BLOCKING);
  run_to(&fx, expiry);
  assert_port(&fx, "s3", "p2", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LISTENING);
  run_to(&fx, expiry + SIMTIME_S(30) - 1);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_LEARNING);
  run_to(&fx, expiry + SIMTIME_S(30));
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  testlib_build_free(&fx);
}
END_TEST

/* The root's ports forward at 30 s: a topology change; the TCNs of s2
 * and s3 arrive one BPDU time later and restart its TC timer, so TC lasts
 * until 30 s + BPDU time + max age + forward delay. Meanwhile the MAC
 * table ages in forward delay: h1's entry, seen at 40 s + a frame's time,
 * is gone 15 s later (not 300 s). */
START_TEST(test_stp_topology_change_aging)
{
  TestNet fx = testlib_build(triangle);
  Stp *root = fx_stp(&fx, "s1");
  run_to(&fx, SIMTIME_S(30) - 1);
  ck_assert_int_eq(stp_aging(root, SIMTIME_S(300)), SIMTIME_S(300));
  run_to(&fx, SIMTIME_S(40));
  ck_assert_int_eq(stp_aging(root, SIMTIME_S(300)), SIMTIME_S(15));
  Iface *h1 = fx_iface(&fx, "h1", "eth0");
  static const uint8_t somewhere[6] = {0x02, 0, 0, 0, 0x99, 0x99};
  ethernet_output(h1, packet_new(fx.net->ctx.pool, 46), somewhere, 0x88b5);
  SimTime seen = SIMTIME_S(40) + BPDU_TIME;
  run_to(&fx, seen + SIMTIME_S(15) - 1);
  Switch *sw = testlib_node(fx.net, "s1")->sw;
  ck_assert_ptr_eq(switch_lookup(sw, h1->mac), fx_iface(&fx, "s1", "p3"));
  run_to(&fx, seen + SIMTIME_S(15));
  ck_assert_ptr_null(switch_lookup(sw, h1->mac));
  SimTime tc_end = SIMTIME_S(30) + BPDU_TIME + SIMTIME_S(35);
  run_to(&fx, tc_end - 1);
  ck_assert_int_eq(stp_aging(root, SIMTIME_S(300)), SIMTIME_S(15));
  run_to(&fx, tc_end);
  ck_assert_int_eq(stp_aging(root, SIMTIME_S(300)), SIMTIME_S(300));
  testlib_build_free(&fx);
}
END_TEST

/* ---- RSTP ---- */

/* `text` with every `from` replaced by `to` (g_free). */
static char *replace_all(const char *text, const char *from, const char *to)
{
  char **parts = g_strsplit(text, from, -1);
  char *out = g_strjoinv(to, parts);
  g_strfreev(parts);
  return out;
}

/* The triangle with RSTP, h1 on an edge port. */
static char *rstp_triangle(void)
{
  char *a = replace_all(triangle, "stp: { priority: 4096 } }",
                        "stp: { mode: rstp, priority: 4096, interfaces: { p3: { edge: true } } } }");
  char *b = replace_all(a, "stp: stp }", "stp: rstp }");
  g_free(a);
  return b;
}

/* Proposal and agreement: s1's BPDUs (proposals) reach s2 and s3 at d;
 * their new root ports forward at once and agree, in the same BPDU as the
 * TC their forwarding sets (what changes at one instant leaves in one
 * BPDU: 802.1D-2004 17.26), which reaches s1 at 2d, whose ports forward
 * then. s2 proposes
 * on p2 at d; s3, hearing it at 2d, makes p1 alternate and agrees at once
 * (a discarding port is in sync); s2's p2 forwards at 3d. The edge port
 * forwards at 0. All far before forward delay. */
START_TEST(test_rstp_proposal_agreement)
{
  char *yaml = rstp_triangle();
  TestNet fx = testlib_build(yaml);
  run_to(&fx, 0);
  assert_port(&fx, "s1", "p3", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, BPDU_TIME - 1);
  assert_port(&fx, "s2", "p1", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, BPDU_TIME);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p2", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  run_to(&fx, 2 * BPDU_TIME - 1);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, 2 * BPDU_TIME);
  assert_port(&fx, "s3", "p1", STP_ROLE_ALTERNATE, STP_STATE_DISCARDING);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s1", "p2", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  run_to(&fx, 3 * BPDU_TIME - 1);
  assert_port(&fx, "s2", "p2", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, 3 * BPDU_TIME);
  assert_port(&fx, "s2", "p2", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  ck_assert(fx_port(&fx, "s1", "p3").edge);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* s3's root port loses carrier: the alternate p1 is root port and
 * forwards at once (no 30 s), the root cost two hops. */
START_TEST(test_rstp_alternate_takes_over)
{
  char *yaml = rstp_triangle();
  TestNet fx = testlib_build(yaml);
  run_to(&fx, SIMTIME_S(10));
  link_set_up(fx_iface(&fx, "s3", "p2")->link, FALSE);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s3"), &b);
  ck_assert_uint_eq(b.root_cost, 400000);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* The s1-s3 link falls silent (100% loss): s3 drops s1's information 3
 * hello times after the last BPDU arrived (not max age), and its
 * alternate forwards at once. */
START_TEST(test_rstp_info_lapses)
{
  char *yaml = rstp_triangle();
  TestNet fx = testlib_build(yaml);
  run_to(&fx, SIMTIME_S(59));
  LinkConfig lossy;
  link_config_defaults(&lossy);
  lossy.loss = 1.0;
  lossy.given = LINK_GIVEN_LOSS;
  link_set_params(fx_iface(&fx, "s3", "p2")->link, &lossy);
  SimTime lapse = SIMTIME_S(58) + BPDU_TIME + SIMTIME_S(6);
  run_to(&fx, lapse - 1);
  assert_port(&fx, "s3", "p2", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  run_to(&fx, lapse);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p2", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* An RSTP root and an STP bridge on one link: s1's port hears a
 * configuration BPDU at d and sends 802.1D BPDUs from then on; no
 * agreement comes, so it learns at 15 s and forwards at 30 s; s2's port,
 * listening from 0 as a designated port and root port from d (s1's first
 * BPDU, an RST one, read as a configuration BPDU), forwards at 30 s too. */
static const char *const mixed = "scenario: mixed\n"
                                 "stop: 60s\n"
                                 "nodes:\n"
                                 "  s1: { kind: switch, interfaces: [p1], stp: { mode: rstp, priority: 4096 } }\n"
                                 "  s2: { kind: switch, interfaces: [p1], stp: stp }\n"
                                 "links:\n"
                                 "  - [\"s1:p1\", \"s2:p1\"]\n";

START_TEST(test_rstp_stp_fallback)
{
  TestNet fx = testlib_build(mixed);
  run_to(&fx, BPDU_TIME - 1);
  ck_assert(!fx_port(&fx, "s1", "p1").stp_peer);
  run_to(&fx, BPDU_TIME);
  ck_assert(fx_port(&fx, "s1", "p1").stp_peer);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_LISTENING);
  run_to(&fx, SIMTIME_S(15));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30) - 1);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LEARNING);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  ck_assert(fx_port(&fx, "s1", "p1").stp_peer);
  testlib_build_free(&fx);
}
END_TEST

/* ---- bad frames ---- */

static const char *const pair = "scenario: pair\n"
                                "stop: 10s\n"
                                "nodes:\n"
                                "  s1: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                "  s2: { kind: switch, interfaces: [p1, p2] }\n"
                                "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                "links:\n"
                                "  - [\"s1:p1\", h1]\n"
                                "  - [\"s1:p2\", \"s2:p1\"]\n"
                                "  - [\"s2:p2\", h2]\n";

/* A 60-byte BPDU frame: 802.3 length 3 + `len`, LLC 42 42 03, a config
 * BPDU of version `version` and type `type` from bridge `prio`.02:..:ff. */
static void bpdu_frame(uint8_t f[60], uint8_t version, uint8_t type, uint16_t prio, uint16_t len)
{
  memset(f, 0, 60);
  memcpy(f, stp_group_mac, 6);
  f[6] = 0x02;
  f[11] = 0xff;
  f[12] = (uint8_t)((LLC_HEADER_LEN + len) >> 8);
  f[13] = (uint8_t)(LLC_HEADER_LEN + len);
  f[14] = f[15] = LLC_SAP_STP;
  f[16] = LLC_CTRL_UI;
  uint8_t *b = f + 17;
  b[BPDU_OFF_VERSION] = version;
  b[BPDU_OFF_TYPE] = type;
  uint8_t *ids[] = {b + BPDU_OFF_ROOT, b + BPDU_OFF_BRIDGE};
  for (int i = 0; i < 2; i++) {
    ids[i][0] = (uint8_t)(prio >> 8);
    ids[i][1] = (uint8_t)prio;
    ids[i][2] = 0x02;
    ids[i][7] = 0xff;
  }
  b[BPDU_OFF_PORT] = 0x80;
  b[BPDU_OFF_PORT + 1] = 1;
  b[BPDU_OFF_MAX_AGE] = 20;
  b[BPDU_OFF_HELLO] = 2;
  b[BPDU_OFF_FWD_DELAY] = 15;
}

#define RSTP_FLAGS_DESIGNATED (3 << BPDU_FLAG_ROLE_SHIFT)

static void deliver(const TestNet *fx, Iface *to, const uint8_t *bytes, size_t len)
{
  iface_input(to, packet_new_from(fx->net->ctx.pool, bytes, len));
}

static uint64_t bad_bpdus(const TestNet *fx)
{
  return fx_iface(fx, "s1", "p1")->counters.drops[DROP_BAD_BPDU];
}

/* Each malformed frame to 01:80:c2:00:00:00 is one bad-bpdu drop. */
START_TEST(test_stp_bad_bpdus)
{
  TestNet fx = testlib_build(pair);
  run_to(&fx, SIMTIME_S(1));
  Iface *p1 = fx_iface(&fx, "s1", "p1");
  uint8_t f[60];
  uint64_t before = bad_bpdus(&fx);
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0, BPDU_CONFIG_LEN);
  deliver(&fx, p1, f, 30); /* truncated: the length says 38 */
  f[14] = f[15] = 0xaa;    /* SNAP, not the STP SAP */
  deliver(&fx, p1, f, 60);
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0, BPDU_CONFIG_LEN);
  f[17 + 1] = 1; /* protocol identifier 1 */
  deliver(&fx, p1, f, 60);
  bpdu_frame(f, 0, 0x55, 0, BPDU_CONFIG_LEN); /* unknown type */
  deliver(&fx, p1, f, 60);
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0, 20); /* a config BPDU of 20 bytes */
  deliver(&fx, p1, f, 60);
  bpdu_frame(f, 0, BPDU_TYPE_RST, 0, BPDU_RST_LEN); /* an RST BPDU must be version 2 or more */
  deliver(&fx, p1, f, 60);
  ck_assert_uint_eq(bad_bpdus(&fx) - before, 6);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root, b.bridge); /* none of them was taken in */
  testlib_build_free(&fx);
}
END_TEST

/* 802.1D-2004 17.26: a port sends at most six BPDUs (TxHoldCount) before
 * the next tick, then one a tick. A root bridge 1000.02:..:ff speaks to
 * s1 (RSTP) on p1, 10 ms apart from 5.1 s, 20 times, each time with a
 * root path cost one more: s1's p2, designated, has new information each
 * time. Six BPDUs leave at once, the rest wait, and the tick a second
 * after the first (6.1 s) sends one BPDU for all that waited, the 6 s
 * hello among them. */
START_TEST(test_rstp_tx_hold_count)
{
  char *yaml = replace_all(pair, "stp: stp }", "stp: rstp }");
  TestNet fx = testlib_build(yaml);
  Iface *p1 = fx_iface(&fx, "s1", "p1"), *p2 = fx_iface(&fx, "s1", "p2");
  uint8_t f[60];
  bpdu_frame(f, 2, BPDU_TYPE_RST, 0x1000, BPDU_RST_LEN);
  f[17 + BPDU_OFF_FLAGS] = RSTP_FLAGS_DESIGNATED;
  run_to(&fx, SIMTIME_MS(5050));
  uint64_t before = p2->counters.tx_packets;
  for (int i = 0; i < 20; i++) {
    run_to(&fx, SIMTIME_MS(5100) + i * SIMTIME_MS(10));
    f[17 + BPDU_OFF_COST + 3] = (uint8_t)(10 + i);
    deliver(&fx, p1, f, 60);
  }
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root >> 48, 0x1000);
  ck_assert_uint_eq(b.root_cost, 29 + fx_port(&fx, "s1", "p1").cost);
  run_to(&fx, SIMTIME_MS(6050));
  ck_assert_uint_eq(p2->counters.tx_packets - before, 6);
  run_to(&fx, SIMTIME_MS(6100) - 1);
  ck_assert_uint_eq(p2->counters.tx_packets - before, 6);
  run_to(&fx, SIMTIME_MS(6100));
  ck_assert_uint_eq(p2->counters.tx_packets - before, 7);
  run_to(&fx, SIMTIME_MS(7900));
  ck_assert_uint_eq(p2->counters.tx_packets - before, 7);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* On a hub's shared medium (not point-to-point), an agreement does not
 * let a designated port forward (17.21.9 recordAgreement): s1's p1 waits
 * forward delay twice, as STP's would, though s2's root port agrees; on
 * the point-to-point link next to it, s1's p2 forwards on s3's agreement
 * at once. */
START_TEST(test_rstp_shared_medium)
{
  const char *yaml = "nodes:\n"
                     "  s1: { kind: switch, interfaces: [p1, p2], stp: { mode: rstp, priority: 4096 } }\n"
                     "  s2: { kind: switch, interfaces: [p1], stp: rstp }\n"
                     "  s3: { kind: switch, interfaces: [p1], stp: rstp }\n"
                     "  x: { kind: hub }\n"
                     "links:\n"
                     "  - [\"s1:p1\", x]\n"
                     "  - [\"s2:p1\", x]\n"
                     "  - [\"s1:p2\", \"s3:p1\"]\n";
  TestNet fx = testlib_build(yaml);
  run_to(&fx, SIMTIME_S(1));
  assert_port(&fx, "s2", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s3", "p1", STP_ROLE_ROOT, STP_STATE_FORWARDING);
  assert_port(&fx, "s1", "p2", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, SIMTIME_S(15) - 1);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_DISCARDING);
  run_to(&fx, SIMTIME_S(15));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30) - 1);
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_LEARNING);
  run_to(&fx, SIMTIME_S(30));
  assert_port(&fx, "s1", "p1", STP_ROLE_DESIGNATED, STP_STATE_FORWARDING);
  testlib_build_free(&fx);
}
END_TEST

/* 802.1D-2004 9.3.4: a higher version is read as the highest known: a
 * config BPDU of version 3 and an RST BPDU of version 4 are taken in. */
START_TEST(test_stp_higher_versions)
{
  TestNet fx = testlib_build(pair);
  run_to(&fx, SIMTIME_S(1));
  Iface *p1 = fx_iface(&fx, "s1", "p1");
  uint8_t f[60];
  bpdu_frame(f, 3, BPDU_TYPE_CONFIG, 0x2000, BPDU_CONFIG_LEN);
  deliver(&fx, p1, f, 60);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root >> 48, 0x2000);
  ck_assert_ptr_eq(b.root_port, p1);
  bpdu_frame(f, 4, BPDU_TYPE_RST, 0x1000, BPDU_RST_LEN);
  deliver(&fx, p1, f, 60);
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root >> 48, 0x1000);
  ck_assert_uint_eq(p1->counters.drops[DROP_BAD_BPDU], 0);
  testlib_build_free(&fx);
}
END_TEST

/* RSTP reads an RST BPDU of version 4 as RSTP (9.3.4): taken in, and the
 * port keeps sending RST BPDUs; a configuration BPDU of version 3 is an
 * STP bridge's, and the port falls back to 802.1D BPDUs. */
START_TEST(test_rstp_higher_versions)
{
  char *yaml = replace_all(pair, "stp: stp }", "stp: rstp }");
  TestNet fx = testlib_build(yaml);
  run_to(&fx, SIMTIME_S(1));
  Iface *p1 = fx_iface(&fx, "s1", "p1");
  uint8_t f[60];
  bpdu_frame(f, 4, BPDU_TYPE_RST, 0x1000, BPDU_RST_LEN);
  f[17 + BPDU_OFF_FLAGS] = RSTP_FLAGS_DESIGNATED;
  deliver(&fx, p1, f, 60);
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root >> 48, 0x1000);
  ck_assert(!fx_port(&fx, "s1", "p1").stp_peer);
  bpdu_frame(f, 3, BPDU_TYPE_CONFIG, 0x1000, BPDU_CONFIG_LEN);
  deliver(&fx, p1, f, 60);
  ck_assert(fx_port(&fx, "s1", "p1").stp_peer);
  ck_assert_uint_eq(p1->counters.drops[DROP_BAD_BPDU], 0);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* The switch's own BPDU come back on the port it left is bad-bpdu; a
 * host drops BPDUs as llc-frame; a switch without STP floods them. */
START_TEST(test_stp_own_bpdu_and_others)
{
  TestNet fx = testlib_build(pair);
  run_to(&fx, SIMTIME_S(1));
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  StpPortView v = fx_port(&fx, "s1", "p1");
  uint8_t f[60];
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0, BPDU_CONFIG_LEN);
  for (int i = 0; i < 8; i++) {
    f[17 + BPDU_OFF_BRIDGE + i] = (uint8_t)(b.bridge >> (56 - 8 * i));
    f[17 + BPDU_OFF_ROOT + i] = (uint8_t)(b.bridge >> (56 - 8 * i));
  }
  f[17 + BPDU_OFF_PORT] = (uint8_t)(v.port_id >> 8);
  f[17 + BPDU_OFF_PORT + 1] = (uint8_t)v.port_id;
  deliver(&fx, fx_iface(&fx, "s1", "p1"), f, 60);
  ck_assert_uint_eq(bad_bpdus(&fx), 1);
  /* s1's BPDU at 0 s reached h1 directly, and h2 through s2 (no STP). */
  ck_assert_uint_eq(fx_iface(&fx, "h1", "eth0")->counters.drops[DROP_LLC_FRAME], 1);
  ck_assert_uint_eq(fx_iface(&fx, "h2", "eth0")->counters.drops[DROP_LLC_FRAME], 1);
  testlib_build_free(&fx);
}
END_TEST

/* A root's BPDU sets the timers the bridge passes on (max age, hello,
 * forward delay), but the bridge repeats its own BPDUs at its own Bridge
 * Hello Time (802.1D-1998 8.5.3.x, Linux's bridge_hello_time): a root
 * that says hello 0 does not make s1 send TCNs in a loop at one instant.
 * The root's BPDU (at 1, 11, 21, 31 s) makes p1 the root port; p2 still
 * forwards at 30 s, a topology change: a TCN towards the root then, and
 * every 2 s while none is acknowledged (30, 32, 34, 36, 38 s). */
START_TEST(test_stp_root_hello_zero)
{
  TestNet fx = testlib_build(pair);
  Iface *p1 = fx_iface(&fx, "s1", "p1"), *h1 = fx_iface(&fx, "h1", "eth0");
  uint8_t f[60];
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0x1000, BPDU_CONFIG_LEN);
  f[17 + BPDU_OFF_HELLO] = 0;
  uint64_t before = 0;
  for (int s = 1; s < 40; s += 10) { /* again before max age (20 s) */
    run_to(&fx, SIMTIME_S(s));
    deliver(&fx, p1, f, 60);
    if (s == 1)
      before = h1->counters.drops[DROP_LLC_FRAME];
    if (s == 21) /* nothing towards the root until p2 forwards */
      ck_assert_uint_eq(h1->counters.drops[DROP_LLC_FRAME], before);
  }
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_ptr_eq(b.root_port, p1);
  ck_assert_uint_eq(h1->counters.drops[DROP_LLC_FRAME], before + 1); /* at 30 s */
  run_to(&fx, SIMTIME_MS(39500));
  ck_assert_uint_eq(h1->counters.drops[DROP_LLC_FRAME], before + 5);
  testlib_build_free(&fx);
}
END_TEST

/* A port holds a root's information for the max age the BPDU gives (as
 * Linux does), less its message age: 40 s - 25 s after 1 s, so s1 takes
 * itself for the root again at 16 s. Before, its own 20 s less 25 s had
 * the information lapse at once, and the frame fuzzer found s1 and an
 * RSTP bridge taking it and dropping it in a loop. A BPDU whose message
 * age reached its max age is not taken in at all. */
START_TEST(test_stp_bpdu_max_age)
{
  TestNet fx = testlib_build(pair);
  run_to(&fx, SIMTIME_S(1));
  Iface *p1 = fx_iface(&fx, "s1", "p1");
  uint8_t f[60];
  StpBridgeView b;
  bpdu_frame(f, 0, BPDU_TYPE_CONFIG, 0x1000, BPDU_CONFIG_LEN);
  f[17 + BPDU_OFF_AGE] = 20; /* 20 s, its max age */
  deliver(&fx, p1, f, 60);
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root, b.bridge);
  f[17 + BPDU_OFF_AGE] = 25;
  f[17 + BPDU_OFF_MAX_AGE] = 40;
  deliver(&fx, p1, f, 60);
  run_to(&fx, SIMTIME_MS(15900));
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root >> 48, 0x1000);
  ck_assert_ptr_eq(b.root_port, p1);
  run_to(&fx, SIMTIME_MS(16100));
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_uint_eq(b.root, b.bridge);
  ck_assert_uint_eq(p1->counters.drops[DROP_BAD_BPDU], 0);
  testlib_build_free(&fx);
}
END_TEST

/* RSTP too: s1 sends its RST BPDUs every 2 s, its own hello time
 * (802.1D-2004 17.21.25: designatedTimes take BridgeTimes' Hello Time),
 * while its root port hears a root whose hello time is 1 s (its BPDU
 * again every second, so the information never lapses). */
START_TEST(test_rstp_own_hello_time)
{
  char *yaml = replace_all(pair, "stp: stp }", "stp: rstp }");
  TestNet fx = testlib_build(yaml);
  Iface *p1 = fx_iface(&fx, "s1", "p1"), *h2 = fx_iface(&fx, "h2", "eth0");
  uint8_t f[60];
  bpdu_frame(f, 2, BPDU_TYPE_RST, 0x1000, BPDU_RST_LEN);
  f[17 + BPDU_OFF_FLAGS] = RSTP_FLAGS_DESIGNATED | BPDU_FLAG_LEARNING | BPDU_FLAG_FORWARDING;
  f[17 + BPDU_OFF_HELLO] = 1;
  uint64_t before = 0;
  for (int s = 1; s <= 20; s++) {
    run_to(&fx, SIMTIME_MS(1000 * s - 500));
    deliver(&fx, p1, f, 60);
    if (s == 2)
      before = h2->counters.drops[DROP_LLC_FRAME];
  }
  StpBridgeView b;
  stp_bridge_view(fx_stp(&fx, "s1"), &b);
  ck_assert_ptr_eq(b.root_port, p1);
  /* from 1.5 s to 19.5 s: s1's hello timer at 2, 4, ..., 18 s */
  ck_assert_uint_eq(h2->counters.drops[DROP_LLC_FRAME] - before, 9);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* ---- captures ---- */

/* Runs tshark with `filter` over `pcap`; returns its output (g_free). */
static char *tshark(const char *pcap, const char *filter)
{
  const char *argv[] = {"tshark", "-n", "-r", pcap, "-Y", filter, NULL};
  char *out = NULL, *err = NULL;
  gint status = 0;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed on %s: %s", pcap, err);
  g_free(err);
  return out;
}

static guint count_lines(const char *s)
{
  guint n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Removes the files of `dir` (no subfolders) and `dir`. */
static void remove_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name(d));) {
    char *path = g_build_filename(dir, name, NULL);
    g_remove(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  ck_assert_int_eq(g_rmdir(dir), 0);
}

/* Runs `yaml` with pcap on every interface until `stop`; checks that
 * tshark finds no malformed frame, expert error or undissected LLC frame
 * in any pcap; returns in counts[k] the frames matching filters[k] over
 * all pcaps (NULL-terminated, at most 4). */
static void tshark_run(const char *yaml, const char *stop, const char *const *filters, guint *counts)
{
  char *dir = g_dir_make_tmp("ipsim-stp-XXXXXX", NULL);
  char *text = g_strconcat(yaml, "output: { pcap: all }\n", NULL);
  char *file = g_build_filename(dir, "t.yaml", NULL), *out = g_build_filename(dir, "out", NULL);
  ck_assert(g_file_set_contents(file, text, -1, NULL));
  char *o = NULL, *e = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", "--quiet", "--stop", stop, "--out", out, file, NULL}, &o, &e);
  ck_assert_msg(status == 0, "ipsim run: %s", e);
  GPtrArray *pcaps = testlib_list_dir(out, ".pcap");
  for (guint i = 0; i < pcaps->len; i++) {
    char *pcap = g_build_filename(out, pcaps->pdata[i], NULL);
    char *bad = tshark(pcap, "_ws.malformed || _ws.expert.severity >= error || (llc && !stp)");
    ck_assert_msg(bad[0] == '\0', "tshark finds problems in %s:\n%s", pcap, bad);
    for (guint k = 0; filters[k]; k++) {
      char *match = tshark(pcap, filters[k]);
      counts[k] += count_lines(match);
      g_free(match);
    }
    g_free(bad);
    g_free(pcap);
  }
  remove_dir(out);
  g_remove(file);
  ck_assert_int_eq(g_rmdir(dir), 0);
  g_ptr_array_free(pcaps, TRUE);
  g_free(o);
  g_free(e);
  g_free(file);
  g_free(out);
  g_free(text);
  g_free(dir);
}

/* Every pcap of the triangle with a failure: every BPDU dissected as STP,
 * configuration and TCN ones present. */
START_TEST(test_stp_tshark)
{
  char *yaml = g_strconcat(triangle, "events:\n  - { at: 40s, link: [\"s3:p2\", \"s1:p2\"], set: down }\n", NULL);
  const char *filters[] = {"stp.type == 0x00 && stp.root.hw", "stp.type == 0x80", NULL};
  guint counts[2] = {0};
  tshark_run(yaml, "80s", filters, counts);
  ck_assert_uint_gt(counts[0], 100);
  ck_assert_uint_gt(counts[1], 2);
  g_free(yaml);
}
END_TEST

/* RSTP: RST BPDUs with proposal and agreement flags dissected; with an
 * STP bridge on one link (mixed), the RSTP bridge's port sends RST BPDUs
 * only until it hears the STP bridge, then configuration BPDUs. */
START_TEST(test_rstp_tshark)
{
  char *yaml = rstp_triangle();
  const char *filters[] = {"stp.type == 0x02 && stp.version == 2", "stp.flags.proposal == 1",
                           "stp.flags.agreement == 1", NULL};
  guint counts[3] = {0};
  tshark_run(yaml, "20s", filters, counts);
  ck_assert_uint_gt(counts[0], 50);
  ck_assert_uint_gt(counts[1], 0);
  ck_assert_uint_gt(counts[2], 0);
  const char *mixed_filters[] = {"stp.type == 0x02", "stp.type == 0x02 && frame.time_epoch > 0.002",
                                 "stp.type == 0x00 && stp.bridge.prio == 4096", NULL};
  guint mixed_counts[3] = {0};
  tshark_run(mixed, "20s", mixed_filters, mixed_counts);
  ck_assert_uint_eq(mixed_counts[0], 2); /* s1's first BPDU, in both captures of the link */
  ck_assert_uint_eq(mixed_counts[1], 0);
  ck_assert_uint_gt(mixed_counts[2], 10);
  g_free(yaml);
}
END_TEST

/* ---- the loader ---- */

static const char *const loop = "scenario: loop\n"
                                "nodes:\n"
                                "  s1: { kind: switch%s }\n"
                                "  s2: { kind: switch }\n"
                                "  s3: { kind: switch }\n"
                                "links:\n"
                                "  - [s1, s2]\n"
                                "  - [s2, s3]\n"
                                "  - [s3, s1]\n";

/* A loop warns without a spanning tree, not when a switch of it runs one. */
START_TEST(test_stp_loop_warning)
{
  char *plain = g_strdup_printf(loop, ""), *with = g_strdup_printf(loop, ", stp: stp"), *m1 = NULL, *m2 = NULL;
  scenario_free(testlib_load_string(plain, &m1));
  scenario_free(testlib_load_string(with, &m2));
  ck_assert_msg(strstr(m1, "closes a loop of switches"), "%s", m1);
  ck_assert_msg(!strstr(m2, "loop"), "%s", m2);
  g_free(m1);
  g_free(m2);
  g_free(plain);
  g_free(with);
}
END_TEST

static Suite *stp_suite(void)
{
  Suite *s = suite_create("stp");
  TCase *tc = tcase_create("stp");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_stp_random_graphs);
  tcase_add_test(tc, test_rstp_random_graphs);
  tcase_add_test(tc, test_stp_start_timing);
  tcase_add_test(tc, test_stp_carrier_loss);
  tcase_add_test(tc, test_stp_max_age);
  tcase_add_test(tc, test_stp_topology_change_aging);
  tcase_add_test(tc, test_rstp_proposal_agreement);
  tcase_add_test(tc, test_rstp_alternate_takes_over);
  tcase_add_test(tc, test_rstp_info_lapses);
  tcase_add_test(tc, test_rstp_stp_fallback);
  tcase_add_test(tc, test_rstp_tx_hold_count);
  tcase_add_test(tc, test_rstp_shared_medium);
  tcase_add_test(tc, test_stp_bad_bpdus);
  tcase_add_test(tc, test_stp_higher_versions);
  tcase_add_test(tc, test_rstp_higher_versions);
  tcase_add_test(tc, test_stp_own_bpdu_and_others);
  tcase_add_test(tc, test_stp_root_hello_zero);
  tcase_add_test(tc, test_stp_bpdu_max_age);
  tcase_add_test(tc, test_rstp_own_hello_time);
  tcase_add_test(tc, test_stp_tshark);
  tcase_add_test(tc, test_rstp_tshark);
  tcase_add_test(tc, test_stp_loop_warning);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(stp_suite());
}
