/*
 * RIP version 2 (models/routing/rip*.c) on networks built by hand (no
 * YAML): routers on point-to-point PPP links (1 Gbps, 1 ms), edge k
 * numbered 10.k/256.k%256.0/24 with .1 on its first router and .2 on the
 * second. The expectations come from the timers (RipConfig) and the
 * links: a message of n entries is 4 + 20n bytes of RIP, 8 of UDP, 20 of
 * IP, 4 of PPP header and 3 of FCS and flag, serialized at 8 ns a byte,
 * then 1 ms of propagation.
 *
 * Covered: learning, hop counts on a chain, the route life cycle
 * (refresh, timeout exactly `timeout` after the last refresh, deletion
 * `garbage` later), triggered-update damping, split horizon (none counts
 * to infinity, simple and poison-reverse do not), infinity 16, packing
 * (30 routes: 25 + 5), bad messages dropped with their reasons, interface
 * and node down/up, `show`, determinism, and tshark on a pcap.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/core/network.h"
#include "models/internet/ipv4.h"
#include "models/observe/pcap_out.h"
#include "models/routing/rip_internal.h"
#include "models/routing/rip_wire.h"
#include "models/transport/udp.h"
#include "tests/testlib.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MAX_NODES 420
#define MAX_EDGES 800

/* The wire time of a RIP message with n entries on a 1 Gbps PPP link. */
#define RIP_TX(n) ((SimTime)(4 + 20 * (n) + 8 + 20 + 4 + 3) * 8)
#define HOP SIMTIME_MS(1)

typedef struct {
  Network *net;
  Node *nodes[MAX_NODES];
  Link *links[MAX_EDGES];
  guint n_nodes, n_edges;
  guint edge_if[MAX_EDGES][2]; /* interface index at each end */
} TNet;

static Ipv4Prefix edge_net(guint k)
{
  return (Ipv4Prefix){IP(10, k / 256, k % 256, 0), 24};
}

static uint32_t edge_addr(guint k, guint side)
{
  return edge_net(k).addr + 1 + side;
}

/* Builds n nodes (routers unless hosts[i]) joined by edges[k] = {a, b};
 * RIP on every router with `conf` (NULL: no RIP). */
static TNet *tnet_new(guint n, const gboolean *hosts, const guint (*edges)[2], guint n_edges, const RipConfig *conf,
                      uint64_t seed)
{
  TNet *t = g_new0(TNet, 1);
  GArray *ifs[MAX_NODES];
  LinkConfig lc;

  link_config_defaults(&lc);
  lc.type = LINK_PPP, lc.rate_bps = 1000000000, lc.delay = HOP;
  t->net = network_new("rip", seed, SIMTIME_S(100000));
  t->n_nodes = n, t->n_edges = n_edges;
  for (guint i = 0; i < n; i++)
    ifs[i] = g_array_new(FALSE, TRUE, sizeof(IfaceConfig));
  for (guint k = 0; k < n_edges; k++)
    for (guint s = 0; s < 2; s++) {
      guint v = edges[k][s];
      IfaceConfig c = {.has_ip = TRUE, .ip = {edge_addr(k, s), 24}, .mtu = 1500, .queue = {.packets = 100}};
      c.name = g_strdup_printf("eth%u", ifs[v]->len);
      t->edge_if[k][s] = ifs[v]->len;
      g_array_append_val(ifs[v], c);
    }
  for (guint i = 0; i < n; i++) {
    char name[16];
    snprintf(name, sizeof name, hosts && hosts[i] ? "h%u" : "r%u", i);
    t->nodes[i] = node_new(t->net, name, hosts && hosts[i] ? NODE_KIND_HOST : NODE_KIND_ROUTER, i);
    g_ptr_array_add(t->net->nodes, t->nodes[i]);
    for (guint j = 0; j < ifs[i]->len; j++) {
      node_add_iface(t->nodes[i], &g_array_index(ifs[i], IfaceConfig, j));
      g_free(g_array_index(ifs[i], IfaceConfig, j).name);
    }
    g_array_free(ifs[i], TRUE);
  }
  for (guint k = 0; k < n_edges; k++) {
    Iface *a = node_iface(t->nodes[edges[k][0]], t->edge_if[k][0]);
    Iface *b = node_iface(t->nodes[edges[k][1]], t->edge_if[k][1]);
    node_set_link_type(a->node, a, LINK_PPP);
    node_set_link_type(b->node, b, LINK_PPP);
    t->links[k] = link_new(&t->net->ctx, NULL, &lc, a, b, k);
    g_ptr_array_add(t->net->links, t->links[k]);
  }
  for (guint i = 0; i < n; i++)
    node_add_layers(t->nodes[i], SIMTIME_S(300));
  network_index_addresses(t->net);
  for (guint i = 0; conf && i < n; i++)
    if (!(hosts && hosts[i]))
      ck_assert_ptr_nonnull(rip_new(t->nodes[i], conf));
  return t;
}

static void tnet_free(TNet *t)
{
  network_free(t->net);
  g_free(t);
}

static void run_to(TNet *t, SimTime at)
{
  scheduler_run(t->net->ctx.sched, at);
}

static Rip *rip_of(TNet *t, guint i)
{
  return t->nodes[i]->rip;
}

static RipRoute *route_of(TNet *t, guint i, Ipv4Prefix to)
{
  return rip_find(rip_of(t, i), to);
}

/* The metric of node i's RIP route to `to` (16 when it holds none). */
static uint32_t metric_of(TNet *t, guint i, Ipv4Prefix to)
{
  RipRoute *r = route_of(t, i, to);
  return r ? r->metric : RIP_INFINITY;
}

/* The RIP route to `to` in node i's forwarding table, or NULL. */
static const Route *fib_of(TNet *t, guint i, Ipv4Prefix to)
{
  const Route *paths[ROUTE_MAX_PATHS];
  const GArray *routes = route_table_routes(t->nodes[i]->ip->routes);
  (void)paths;
  for (guint k = 0; k < routes->len; k++) {
    const Route *r = &g_array_index(routes, Route, k);
    if (r->origin == ROUTE_RIP && r->prefix == to.addr && r->len == to.len)
      return r;
  }
  return NULL;
}

static RipConfig defaults(void)
{
  RipConfig c;
  rip_config_defaults(&c);
  return c;
}

static const guint chain4[][2] = {{0, 1}, {1, 2}, {2, 3}};

/* r0 - r1: at 0 both multicast a request (one entry); each answers the
 * other with its two connected subnets at once; r1 holds edge... r0 and
 * r1 share edge 0 only, so give r0 a host: h2 - r0 - r1. */
START_TEST(test_two_routers_learn)
{
  static const guint e[][2] = {{0, 1}, {2, 0}};
  gboolean hosts[3] = {FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(3, hosts, e, 2, &c, 1);
  /* r1's request reaches r0 at HOP + RIP_TX(1); r0's answer (edges 0 and
   * 1, split horizon keeps both: they are r0's own) arrives RIP_TX(2) + HOP later */
  SimTime learn = 2 * HOP + RIP_TX(1) + RIP_TX(2);

  run_to(t, learn - 1);
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 1, edge_net(1)));
  run_to(t, learn);
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), 2);
  const Route *r = fib_of(t, 1, edge_net(1));
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->gateway, edge_addr(0, 0));
  ck_assert_uint_eq(r->metric, 2);
  ck_assert_ptr_eq(r->iface, node_iface(t->nodes[1], 0));
  /* the shared subnet stays connected on both; r0 learns nothing new */
  ck_assert_ptr_null(fib_of(t, 0, edge_net(0)));
  ck_assert_uint_eq(route_of(t, 0, edge_net(0))->kind, RIP_CONNECTED);
  tnet_free(t);
}
END_TEST

/* The trace of the same: the route change with its reason, the damped
 * triggered update with its count. */
START_TEST(test_trace_notes)
{
  static const guint e[][2] = {{0, 1}, {2, 0}};
  gboolean hosts[3] = {FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(3, hosts, e, 2, &c, 1);
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);

  t->net->ctx.trace = trace_new(out, FALSE, TRACE_ROUTING);
  run_to(t, SIMTIME_S(10));
  trace_free(t->net->ctx.trace);
  t->net->ctx.trace = NULL;
  fclose(out);
  ck_assert_msg(strstr(text, "0.002001104 r1 eth0 note rip: 10.0.1.0/24 unreachable -> via 10.0.0.1%eth0 metric 2 "
                             "(response from 10.0.0.1)\n"),
                "%s", text);
  ck_assert_msg(g_regex_match_simple("r1 eth0 note rip: triggered update on eth0 \\(2 routes\\)", text, 0, 0), "%s",
                text);
  free(text);
  tnet_free(t);
}
END_TEST

/* A chain of four: every router's metric to every edge is its hop count. */
START_TEST(test_chain_hop_counts)
{
  RipConfig c = defaults();
  TNet *t = tnet_new(4, NULL, chain4, 3, &c, 1);

  run_to(t, SIMTIME_S(60));
  for (guint i = 0; i < 4; i++)
    for (guint k = 0; k < 3; k++) {
      guint hops = k >= i ? k - i + 1 : i - k; /* edge k joins r_k and r_k+1 */
      ck_assert_uint_eq(metric_of(t, i, edge_net(k)), hops);
      const Route *r = fib_of(t, i, edge_net(k));
      if (hops == 1) {
        ck_assert_ptr_null(r);
        continue;
      }
      ck_assert_ptr_nonnull(r);
      ck_assert_uint_eq(r->metric, hops);
      ck_assert_uint_eq(r->gateway, k > i ? edge_addr(i, 1) : edge_addr(i - 1, 0));
    }
  tnet_free(t);
}
END_TEST

/* r0 - r1 - r2: r2's route to edge 0 is refreshed by r1's updates; when
 * r1 stops speaking RIP to r2 (rip off on its eth1) the route times out
 * exactly `timeout` after its last refresh and is deleted `garbage` later. */
START_TEST(test_route_lifecycle)
{
  RipConfig c = defaults();
  TNet *t = tnet_new(3, NULL, chain4, 2, &c, 3);
  Ipv4Prefix d = edge_net(0);

  run_to(t, SIMTIME_S(400));
  RipRoute *r = route_of(t, 2, d);
  ck_assert_uint_eq(r->metric, 2);
  ck_assert_int_gt(r->deadline, SIMTIME_S(400) + c.timeout - c.update - c.update / 6 - 1);
  SimTime dead = r->deadline;
  rip_set_iface_enabled(rip_of(t, 1), 1, FALSE); /* r1 falls silent toward r2 */
  ck_assert_int_le(dead, SIMTIME_S(400) + c.timeout);
  run_to(t, dead - 1);
  ck_assert_uint_eq(route_of(t, 2, d)->metric, 2);
  ck_assert_ptr_nonnull(fib_of(t, 2, d));
  run_to(t, dead);
  ck_assert_uint_eq(route_of(t, 2, d)->metric, RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 2, d));
  run_to(t, dead + c.garbage - 1);
  ck_assert_ptr_nonnull(route_of(t, 2, d));
  run_to(t, dead + c.garbage);
  ck_assert_ptr_null(route_of(t, 2, d));
  tnet_free(t);
}
END_TEST

/* h3 - r0 - r1 - r2 with h4 on r0 too: the two host links go down 0.5 s
 * apart; r0 sends one triggered update 1-5 s after the first, carrying
 * both, unless its periodic update comes first. */
START_TEST(test_triggered_damping)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {3, 0}, {4, 0}};
  gboolean hosts[5] = {FALSE, FALSE, FALSE, TRUE, TRUE};
  for (uint64_t seed = 1; seed <= 8; seed++) {
    RipConfig c = defaults();
    TNet *t = tnet_new(5, hosts, e, 4, &c, seed);
    run_to(t, SIMTIME_S(100));
    SimTime fail = rip_of(t, 0)->update_at - SIMTIME_S(7); /* no periodic update of r0 in the window */
    if (fail < SIMTIME_S(100))
      fail += c.update - c.update / 6;
    run_to(t, fail);
    ck_assert_uint_eq(metric_of(t, 1, edge_net(2)), 2);
    uint64_t before = rip_of(t, 0)->triggered_updates;
    link_set_up(t->links[2], FALSE);
    run_to(t, fail + SIMTIME_MS(500));
    link_set_up(t->links[3], FALSE);
    ck_assert_uint_eq(metric_of(t, 0, edge_net(2)), RIP_INFINITY);
    SimTime seen = 0;
    for (SimTime now = fail + SIMTIME_MS(500); now <= fail + SIMTIME_S(6) && !seen; now += SIMTIME_US(100)) {
      run_to(t, now);
      if (metric_of(t, 1, edge_net(2)) == RIP_INFINITY)
        seen = now;
    }
    ck_assert_int_ge(seen, fail + c.trigger_min + HOP);
    ck_assert_int_le(seen, fail + c.trigger_max + HOP + RIP_TX(2) + SIMTIME_US(100));
    ck_assert_uint_eq(metric_of(t, 1, edge_net(3)), RIP_INFINITY); /* in the same update */
    ck_assert_uint_eq(rip_of(t, 0)->triggered_updates, before + 1);
    tnet_free(t);
  }
}
END_TEST

/* h3 - r0 - r1 - r2: r0's host link fails just before r1's periodic
 * update. Without split horizon r1 tells r0 the stub is 2 hops away from
 * it; r0 believes it and the two count to infinity. */
static guint count_to_infinity(RipSplitHorizon split, SimTime *converged)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {3, 0}};
  gboolean hosts[4] = {FALSE, FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  c.split = split;
  TNet *t = tnet_new(4, hosts, e, 3, &c, 5);
  Ipv4Prefix d = edge_net(2);
  guint highest = 0, last = 1;

  run_to(t, SIMTIME_S(100));
  SimTime fail = rip_of(t, 1)->update_at - SIMTIME_MS(200);
  run_to(t, fail);
  ck_assert_uint_eq(metric_of(t, 2, d), 3);
  link_set_up(t->links[2], FALSE);
  *converged = 0;
  for (SimTime now = fail; now <= fail + SIMTIME_S(170); now += SIMTIME_MS(10)) {
    run_to(t, now);
    guint m = metric_of(t, 0, d);
    if (m < RIP_INFINITY)
      highest = MAX(highest, m);
    if (m != last && m == RIP_INFINITY && metric_of(t, 1, d) == RIP_INFINITY && metric_of(t, 2, d) == RIP_INFINITY)
      *converged = now - fail;
    last = m;
  }
  ck_assert_uint_eq(metric_of(t, 1, d), RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 0, d));
  ck_assert_ptr_null(fib_of(t, 2, d));
  tnet_free(t);
  return highest;
}

START_TEST(test_split_none_counts_to_infinity)
{
  SimTime conv;
  guint highest = count_to_infinity(RIP_SPLIT_NONE, &conv);
  ck_assert_uint_ge(highest, 14); /* r0 went through 3, 5, ... up to 15 */
  ck_assert_int_gt(conv, SIMTIME_S(10));
}
END_TEST

START_TEST(test_split_simple_and_poison_converge)
{
  RipSplitHorizon kinds[2] = {RIP_SPLIT_SIMPLE, RIP_SPLIT_POISON_REVERSE};
  for (guint i = 0; i < 2; i++) {
    SimTime conv;
    ck_assert_uint_eq(count_to_infinity(kinds[i], &conv), 0); /* r0 never re-learns the stub */
    (void)conv;
  }
}
END_TEST

/* A chain of 17 routers: edge 0 is 15 hops from r15 and 16 from r16. */
START_TEST(test_sixteen_hops_unreachable)
{
  guint e[16][2];
  for (guint k = 0; k < 16; k++)
    e[k][0] = k, e[k][1] = k + 1;
  RipConfig c = defaults();
  TNet *t = tnet_new(17, NULL, (const guint(*)[2])e, 16, &c, 1);
  run_to(t, SIMTIME_S(200));
  ck_assert_uint_eq(metric_of(t, 15, edge_net(0)), 15);
  ck_assert_ptr_nonnull(fib_of(t, 15, edge_net(0)));
  ck_assert_uint_eq(metric_of(t, 16, edge_net(0)), RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 16, edge_net(0)));
  ck_assert_ptr_null(route_lookup(t->nodes[16]->ip->routes, edge_addr(0, 0)));
  tnet_free(t);
}
END_TEST

/* r0 with 29 redistributed static routes and edge 0: 30 routes, a
 * periodic update of two messages, 25 entries and 5. */
START_TEST(test_packing)
{
  static const guint e[][2] = {{0, 1}};
  RipConfig c = defaults();
  c.redist_static = TRUE;
  TNet *t = tnet_new(2, NULL, e, 1, NULL, 1);
  for (guint i = 0; i < 29; i++)
    ipv4_add_static(t->nodes[0], (Ipv4Prefix){IP(172, 16, i, 0), 24}, edge_addr(0, 1), -1, 1);
  rip_new(t->nodes[0], &c);
  rip_new(t->nodes[1], &c);
  run_to(t, SIMTIME_S(10));
  for (guint i = 0; i < 29; i++)
    ck_assert_uint_eq(metric_of(t, 1, (Ipv4Prefix){IP(172, 16, i, 0), 24}), 2);
  SimTime at = rip_of(t, 0)->update_at;
  run_to(t, at - 1);
  Counters before = node_iface(t->nodes[0], 0)->counters;
  uint64_t sent = rip_packets_sent(rip_of(t, 0));
  run_to(t, at + SIMTIME_US(10)); /* both frames started */
  Counters after = node_iface(t->nodes[0], 0)->counters;
  ck_assert_uint_eq(rip_packets_sent(rip_of(t, 0)) - sent, 2);
  ck_assert_uint_eq(after.tx_packets - before.tx_packets, 2);
  ck_assert_uint_eq(after.tx_bytes - before.tx_bytes, (4 + 25 * 20 + 32) + (4 + 5 * 20 + 32));
  tnet_free(t);
}
END_TEST

/* Sends a RIP payload from node `from`'s first interface (port sport,
 * source src) to dst port 520; runs 3 ms (there and back). */
static void inject_as(TNet *t, guint from, const void *bytes, size_t len, uint16_t sport, uint32_t src, uint32_t dst)
{
  Node *h = t->nodes[from];
  Packet *p = packet_new_from(t->net->ctx.pool, bytes, len);
  Ipv4SendOpts o = {.src = src, .out = node_iface(h, 0), .ttl = 1};
  udp_send(h, sport, dst, RIP_PORT, p, &o);
  run_to(t, network_now(t->net) + SIMTIME_MS(3));
}

/* From h1 to r0 over edge 0. */
static void inject(TNet *t, const void *bytes, size_t len, uint16_t sport, uint32_t src, uint32_t dst)
{
  inject_as(t, 1, bytes, len, sport, src, dst);
}

/* From host `from` to r0's address on its edge 2, unicast. */
static void inject_from(TNet *t, guint from, const void *bytes, size_t len, uint16_t sport, uint32_t to)
{
  inject_as(t, from, bytes, len, sport, 0, to);
}

static uint64_t drops(TNet *t, DropReason reason)
{
  return node_iface(t->nodes[0], 0)->counters.drops[reason];
}

/* A response of one entry: family, address/len, metric. */
static size_t response(uint8_t *buf, uint8_t version, uint8_t cmd, uint16_t afi, uint32_t addr, uint32_t mask,
                       uint32_t metric)
{
  RipHeader h = {cmd, version, 0};
  RipEntry en = {g_htons(afi), 0, g_htonl(addr), g_htonl(mask), 0, g_htonl(metric)};
  memcpy(buf, &h, sizeof h);
  memcpy(buf + 4, &en, sizeof en);
  return 24;
}

/* One-entry responses from h1 to r0, each bad in one way: each dropped
 * whole as bad-rip (their only entry is bad). */
static void send_bad_entries(TNet *t)
{
  uint32_t h = edge_addr(0, 1), g = RIP_GROUP, m24 = 0xffffff00u;
  uint8_t b[64];
  struct {
    uint8_t version, cmd;
    uint16_t afi;
    uint32_t addr, mask, metric;
  } cases[] = {
      {0, 2, 2, IP(10, 9, 0, 0), m24, 1},          /* version 0 */
      {1, 2, 2, IP(10, 9, 0, 0), m24, 1},          /* version 1 */
      {2, 7, 2, IP(10, 9, 0, 0), m24, 1},          /* command */
      {2, 2, 7, IP(10, 9, 0, 0), m24, 1},          /* family */
      {2, 2, 2, IP(10, 9, 0, 0), m24, 0},          /* metric 0 */
      {2, 2, 2, IP(10, 9, 0, 0), m24, 17},         /* metric 17 */
      {2, 2, 2, IP(10, 9, 0, 1), m24, 1},          /* host bits */
      {2, 2, 2, IP(10, 9, 0, 0), 0xff00ff00u, 1},  /* mask */
      {2, 2, 2, IP(127, 0, 0, 0), 0xff000000u, 1}, /* loopback */
      {2, 2, 2, IP(224, 0, 0, 0), 0xf0000000u, 1}, /* class D */
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    uint64_t was = drops(t, DROP_BAD_RIP);
    size_t len =
        response(b, cases[i].version, cases[i].cmd, cases[i].afi, cases[i].addr, cases[i].mask, cases[i].metric);
    inject(t, b, len, RIP_PORT, h, g);
    ck_assert_msg(drops(t, DROP_BAD_RIP) == was + 1, "case %u", i);
  }
  ck_assert_uint_eq(rip_of(t, 0)->bad_entries, 7); /* the last seven: header good, entry bad */
}

/* r0 runs RIP, h1 (a host) sends it crafted messages over edge 0. */
START_TEST(test_bad_messages)
{
  static const guint e[][2] = {{0, 1}};
  gboolean hosts[2] = {FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(2, hosts, e, 1, &c, 1);
  uint32_t h = edge_addr(0, 1), g = RIP_GROUP, m24 = 0xffffff00u;
  uint8_t b[64];

  run_to(t, SIMTIME_S(1));
  send_bad_entries(t);
  size_t len = response(b, 2, 2, 2, IP(10, 9, 0, 0), m24, 1);
  uint64_t bad = drops(t, DROP_BAD_RIP);
  inject(t, b, 3, RIP_PORT, h, g);       /* truncated header */
  inject(t, b, len - 1, RIP_PORT, h, g); /* truncated entry */
  ck_assert_uint_eq(drops(t, DROP_BAD_RIP), bad + 2);
  inject(t, b, len, 5000, h, g); /* not from port 520 */
  ck_assert_uint_eq(drops(t, DROP_RIP_NOT_NEIGHBOR), 1);
  inject(t, b, len, RIP_PORT, IP(10, 99, 0, 1), g); /* from another subnet */
  ck_assert_uint_eq(drops(t, DROP_RIP_NOT_NEIGHBOR), 2);
  ck_assert_ptr_null(route_of(t, 0, (Ipv4Prefix){IP(10, 9, 0, 0), 24}));
  inject(t, b, len, RIP_PORT, h, g); /* the good one */
  ck_assert_uint_eq(metric_of(t, 0, (Ipv4Prefix){IP(10, 9, 0, 0), 24}), 2);
  rip_set_iface_enabled(rip_of(t, 0), 0, FALSE);
  inject(t, b, len, RIP_PORT, h, edge_addr(0, 0)); /* unicast where RIP is off */
  ck_assert_uint_eq(drops(t, DROP_ROUTING_OFF), 1);
  tnet_free(t);
}
END_TEST

/* One good entry beside a bad one: the good is learned, the bad counted. */
START_TEST(test_bad_entry_ignored)
{
  static const guint e[][2] = {{0, 1}};
  gboolean hosts[2] = {FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(2, hosts, e, 1, &c, 1);
  uint8_t b[64];

  run_to(t, SIMTIME_S(1));
  response(b + 20, 2, 2, 9, IP(10, 8, 0, 0), 0xffffff00u, 3); /* entry 2 (at b + 24): family 9 */
  response(b, 2, 2, 2, IP(10, 9, 0, 0), 0xffffff00u, 3);      /* header and entry 1 */
  inject(t, b, 44, RIP_PORT, edge_addr(0, 1), RIP_GROUP);
  ck_assert_uint_eq(metric_of(t, 0, (Ipv4Prefix){IP(10, 9, 0, 0), 24}), 4);
  ck_assert_uint_eq(rip_of(t, 0)->bad_entries, 1);
  ck_assert_uint_eq(drops(t, DROP_BAD_RIP), 0);
  tnet_free(t);
}
END_TEST

/* r0 - r1 - r2 - h3 with r1's eth1 (toward r2) passive: r1 sends
 * nothing there, yet learns from r2 and passes it on to r0; r2 never
 * hears of edge 0. */
START_TEST(test_passive)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {2, 3}};
  gboolean hosts[4] = {FALSE, FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  RipIfaceConfig ic;
  rip_iface_config_defaults(&ic);
  TNet *t = tnet_new(4, hosts, e, 3, NULL, 1);
  rip_new(t->nodes[0], &c);
  rip_new(t->nodes[2], &c);
  c.ifaces = g_array_new(FALSE, FALSE, sizeof ic);
  g_array_append_val(c.ifaces, ic);
  ic.passive = TRUE;
  g_array_append_val(c.ifaces, ic);
  rip_new(t->nodes[1], &c);
  g_array_free(c.ifaces, TRUE);

  run_to(t, SIMTIME_S(100));
  ck_assert_uint_eq(node_iface(t->nodes[1], 1)->counters.tx_packets, 0);
  ck_assert_uint_eq(metric_of(t, 1, edge_net(2)), 2);
  ck_assert_uint_eq(metric_of(t, 0, edge_net(2)), 3);
  ck_assert_uint_eq(metric_of(t, 2, edge_net(0)), RIP_INFINITY);
  tnet_free(t);
}
END_TEST

/* r0 with RIP off toward h2 but redist_connected, and default_originate:
 * r1 learns h2's subnet and a default route, both metric 2. r1's
 * interface toward r0 adds 3 to what it learns there: with the offset,
 * 5. */
START_TEST(test_redistribution_and_offset)
{
  static const guint e[][2] = {{0, 1}, {0, 2}};
  gboolean hosts[3] = {FALSE, FALSE, TRUE};
  RipConfig c0 = defaults(), c1 = defaults();
  RipIfaceConfig on, off;
  rip_iface_config_defaults(&on);
  off = on;
  off.enabled = FALSE;
  TNet *t = tnet_new(3, hosts, e, 2, NULL, 1);
  c0.redist_connected = TRUE, c0.default_originate = TRUE;
  c0.ifaces = g_array_new(FALSE, FALSE, sizeof on);
  g_array_append_val(c0.ifaces, on);
  g_array_append_val(c0.ifaces, off);
  rip_new(t->nodes[0], &c0);
  g_array_free(c0.ifaces, TRUE);
  rip_new(t->nodes[1], &c1);

  run_to(t, SIMTIME_S(10));
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), 2);
  ck_assert_uint_eq(metric_of(t, 1, (Ipv4Prefix){0, 0}), 2);
  ck_assert_uint_eq(route_lookup(t->nodes[1]->ip->routes, IP(192, 0, 2, 1))->gateway, edge_addr(0, 0));
  ck_assert_uint_eq(node_iface(t->nodes[0], 1)->counters.tx_packets, 0); /* RIP off toward h2 */
  tnet_free(t);

  t = tnet_new(3, hosts, e, 2, NULL, 1);
  rip_new(t->nodes[0], &c1);
  c1.ifaces = g_array_new(FALSE, FALSE, sizeof on);
  on.metric_offset = 3;
  g_array_append_val(c1.ifaces, on);
  rip_new(t->nodes[1], &c1);
  g_array_free(c1.ifaces, TRUE);
  run_to(t, SIMTIME_S(10));
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), 5);
  tnet_free(t);
}
END_TEST

/* A response's next-hop field (RFC 2453 4.4): taken when on the
 * interface's subnet and not ours, else the sender is the next hop. */
START_TEST(test_next_hop_field)
{
  static const guint e[][2] = {{0, 1}};
  gboolean hosts[2] = {FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(2, hosts, e, 1, &c, 1);
  uint8_t b[44];

  run_to(t, SIMTIME_S(1));
  response(b + 20, 2, 2, 2, IP(10, 8, 0, 0), 0xffffff00u, 1);
  response(b, 2, 2, 2, IP(10, 9, 0, 0), 0xffffff00u, 1);
  RipEntry *e1 = (RipEntry *)(b + 4), *e2 = (RipEntry *)(b + 24);
  e1->next_hop = g_htonl(IP(10, 0, 0, 7)); /* on edge 0's subnet */
  e2->next_hop = g_htonl(IP(10, 5, 0, 7)); /* elsewhere */
  inject(t, b, sizeof b, RIP_PORT, edge_addr(0, 1), RIP_GROUP);
  ck_assert_uint_eq(fib_of(t, 0, (Ipv4Prefix){IP(10, 9, 0, 0), 24})->gateway, IP(10, 0, 0, 7));
  ck_assert_uint_eq(fib_of(t, 0, (Ipv4Prefix){IP(10, 8, 0, 0), 24})->gateway, edge_addr(0, 1));
  ck_assert_uint_eq(route_of(t, 0, (Ipv4Prefix){IP(10, 9, 0, 0), 24})->from, edge_addr(0, 1));
  tnet_free(t);
}
END_TEST

/* RIP off on r1's eth0, then on again: off poisons what was learned
 * there; on asks r0 for its table and relearns it within two hops. */
START_TEST(test_iface_enabled)
{
  static const guint e[][2] = {{0, 1}, {2, 0}};
  gboolean hosts[3] = {FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(3, hosts, e, 2, &c, 1);

  run_to(t, SIMTIME_S(40));
  rip_set_iface_enabled(rip_of(t, 1), 0, FALSE);
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 1, edge_net(1)));
  ck_assert(!ipv4_is_member(t->nodes[1], node_iface(t->nodes[1], 0), RIP_GROUP));
  run_to(t, SIMTIME_S(50));
  rip_set_iface_enabled(rip_of(t, 1), 0, TRUE);
  ck_assert(ipv4_is_member(t->nodes[1], node_iface(t->nodes[1], 0), RIP_GROUP));
  run_to(t, SIMTIME_S(50) + 2 * HOP + RIP_TX(1) + RIP_TX(2) - 1);
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), RIP_INFINITY);
  run_to(t, SIMTIME_S(50) + 2 * HOP + RIP_TX(1) + RIP_TX(2));
  ck_assert_uint_eq(metric_of(t, 1, edge_net(1)), 2);
  tnet_free(t);
}
END_TEST

/* A random entry that is mostly valid: family 2, a contiguous mask,
 * the host bits clear, a metric 1..17 (17: bad). */
static void plausible_entry(Rng *rng, uint8_t *at)
{
  uint8_t len = (uint8_t)rng_below(rng, 33);
  RipEntry e = {.afi = g_htons(2),
                .tag = (uint16_t)rng_u64(rng),
                .addr = g_htonl((uint32_t)rng_u64(rng) & addr_mask(len)),
                .mask = g_htonl(addr_mask(len)),
                .next_hop = rng_below(rng, 4) ? 0 : g_htonl(IP(10, 0, 0, (uint32_t)rng_below(rng, 256))),
                .metric = g_htonl((uint32_t)(1 + rng_below(rng, 17)))};
  memcpy(at, &e, sizeof e);
}

/* Random bytes at r0's port 520: every message dropped or taken, none crashes. */
START_TEST(test_random_messages)
{
  static const guint e[][2] = {{0, 1}};
  gboolean hosts[2] = {FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(2, hosts, e, 1, &c, 1);
  Rng rng;
  uint8_t b[600];

  rng_init(&rng, 42, "test/rip-fuzz");
  run_to(t, SIMTIME_S(1));
  const char *env = g_getenv("RIP_FUZZ"); /* more messages, for a longer run by hand */
  guint count = env ? (guint)atoi(env) : 2000;
  for (guint i = 0; i < count; i++) {
    size_t len = rng_below(&rng, 4) ? 4 + 20 * rng_below(&rng, 26) : rng_below(&rng, sizeof b);
    for (size_t k = 0; k < len; k++)
      b[k] = (uint8_t)rng_u64(&rng);
    b[0] = (uint8_t)(1 + rng_below(&rng, 3));
    b[1] = (uint8_t)rng_below(&rng, 4);
    for (size_t k = 4; k + RIP_ENTRY_LEN <= len; k += RIP_ENTRY_LEN)
      if (rng_below(&rng, 2))
        plausible_entry(&rng, b + k);
    inject(t, b, len, RIP_PORT, edge_addr(0, 1), RIP_GROUP);
  }
  ck_assert_uint_gt(drops(t, DROP_BAD_RIP), 0);
  ck_assert_uint_gt(rip_of(t, 0)->routes->len, 10); /* some were learned */
  tnet_free(t);
}
END_TEST

/* What a host's port received: the last datagram. */
typedef struct {
  uint8_t data[600];
  size_t len;
  uint16_t sport;
  guint count;
} Catch;

static void catch_recv(void *owner, Packet *p, const UdpMeta *meta)
{
  Catch *c = owner;
  c->len = MIN(packet_len(p), sizeof c->data);
  memcpy(c->data, packet_data(p), c->len);
  c->sport = meta->sport;
  c->count++;
  packet_free(p);
}

/* A query from host h3 (port 5000) to r0 on a chain r0 - r1 - r2: a
 * request for two entries comes back with r0's metrics (16 for what it
 * has no route to); a whole-table request from a port other than 520 (a
 * diagnostic tool) gets every route, without split horizon. */
START_TEST(test_requests_answered)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {3, 0}};
  gboolean hosts[4] = {FALSE, FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(4, hosts, e, 3, &c, 1);
  static const UdpHandler handler = {.recv = catch_recv};
  Catch got = {0};
  uint8_t b[44];

  ck_assert_int_eq(udp_bind(t->nodes[3], 5000, &handler, &got), 5000);
  run_to(t, SIMTIME_S(60));
  response(b + 20, 2, RIP_CMD_REQUEST, 2, IP(10, 9, 0, 0), 0xffffff00u, 16);
  response(b, 2, RIP_CMD_REQUEST, 2, edge_net(1).addr, 0xffffff00u, 16);
  inject_from(t, 3, b, sizeof b, 5000, edge_addr(2, 1));
  ck_assert_uint_eq(got.count, 1);
  ck_assert_uint_eq(got.sport, RIP_PORT);
  ck_assert_uint_eq(got.len, 44);
  ck_assert_uint_eq(got.data[0], RIP_CMD_RESPONSE);
  ck_assert_uint_eq(g_ntohl(((RipEntry *)(got.data + 4))->metric), 2);
  ck_assert_uint_eq(g_ntohl(((RipEntry *)(got.data + 24))->metric), RIP_INFINITY);

  RipEntry whole = {.metric = g_htonl(RIP_INFINITY)};
  memcpy(b, &(RipHeader){RIP_CMD_REQUEST, 2, 0}, 4);
  memcpy(b + 4, &whole, sizeof whole);
  inject_from(t, 3, b, 24, 5000, edge_addr(2, 1));
  ck_assert_uint_eq(got.count, 2);
  ck_assert_uint_eq(got.len, 4 + 3 * 20); /* edges 0, 1 and 2, edge 2's included */
  tnet_free(t);
}
END_TEST

/* Triangle r0 r1 r2, host h3 on r1: r0 reaches h3's subnet via r1 (2).
 * r0-r1 down: at once 16; via r2 (3) at r2's next periodic update; the
 * link back up: r0's request brings r1's answer, 2 again. */
START_TEST(test_iface_down_up)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {2, 0}, {3, 1}};
  gboolean hosts[4] = {FALSE, FALSE, FALSE, TRUE};
  RipConfig c = defaults();
  TNet *t = tnet_new(4, hosts, e, 4, &c, 7);
  Ipv4Prefix d = edge_net(3);

  run_to(t, SIMTIME_S(100));
  ck_assert_uint_eq(route_of(t, 0, d)->metric, 2);
  ck_assert_uint_eq(route_of(t, 0, d)->gateway, edge_addr(0, 1));
  SimTime down = SIMTIME_S(100) + 1;
  run_to(t, down);
  link_set_up(t->links[0], FALSE);
  ck_assert_uint_eq(route_of(t, 0, d)->metric, RIP_INFINITY);
  ck_assert_ptr_null(fib_of(t, 0, d));
  ck_assert_uint_eq(route_of(t, 0, edge_net(0))->metric, RIP_INFINITY); /* the subnet of the down link */
  SimTime upd = rip_of(t, 2)->update_at;
  if (upd > down + SIMTIME_S(6)) { /* no triggered update of r2 about d: it arrives with r2's periodic one */
    run_to(t, upd + HOP);
    ck_assert_uint_eq(route_of(t, 0, d)->metric, RIP_INFINITY);
  }
  run_to(t, upd + HOP + SIMTIME_MS(1));
  ck_assert_uint_eq(route_of(t, 0, d)->metric, 3);
  ck_assert_uint_eq(fib_of(t, 0, d)->gateway, edge_addr(2, 0));
  SimTime up = network_now(t->net) + SIMTIME_S(1);
  run_to(t, up);
  link_set_up(t->links[0], TRUE);
  run_to(t, up + 2 * HOP + SIMTIME_MS(1));
  ck_assert_uint_eq(route_of(t, 0, d)->metric, 2);
  ck_assert_uint_eq(fib_of(t, 0, d)->gateway, edge_addr(0, 1));
  ck_assert_uint_eq(route_of(t, 0, edge_net(0))->kind, RIP_CONNECTED);
  tnet_free(t);
}
END_TEST

/* r1 of a chain of four goes down: its RIB empties, its neighbours lose
 * their routes through it at once; back up, it relearns within ms. */
START_TEST(test_node_down_up)
{
  RipConfig c = defaults();
  TNet *t = tnet_new(4, NULL, chain4, 3, &c, 1);

  run_to(t, SIMTIME_S(50));
  node_set_up(t->nodes[1], FALSE);
  ck_assert_uint_eq(rip_of(t, 1)->routes->len, 0);
  ck_assert_ptr_null(fib_of(t, 1, edge_net(2)));
  ck_assert_uint_eq(metric_of(t, 0, edge_net(2)), RIP_INFINITY);
  ck_assert_uint_eq(metric_of(t, 2, edge_net(0)), RIP_INFINITY);
  run_to(t, SIMTIME_S(60));
  node_set_up(t->nodes[1], TRUE);
  run_to(t, SIMTIME_S(60) + 2 * HOP + SIMTIME_MS(1));
  ck_assert_uint_eq(metric_of(t, 1, edge_net(2)), 2);
  run_to(t, SIMTIME_S(80));
  ck_assert_uint_eq(metric_of(t, 0, edge_net(2)), 3);
  ck_assert_uint_eq(metric_of(t, 3, edge_net(0)), 3);
  tnet_free(t);
}
END_TEST

/* `show` of r0 on a chain of three at 60 s. */
START_TEST(test_show)
{
  RipConfig c = defaults();
  TNet *t = tnet_new(3, NULL, chain4, 2, &c, 1);
  GString *s = g_string_new(NULL);

  run_to(t, SIMTIME_S(60));
  rip_show(rip_of(t, 0), s);
  ck_assert_ptr_nonnull(strstr(s->str, "C(i) 10.0.0.0/24        0.0.0.0              1 self                0\n"));
  RipRoute *r = route_of(t, 0, edge_net(1));
  char line[128];
  int64_t left = (r->deadline - SIMTIME_S(60) + SIMTIME_S(1) - 1) / SIMTIME_S(1);
  snprintf(line, sizeof line, "R(n) 10.0.1.0/24        10.0.0.2             2 10.0.0.2            0 %02d:%02d\n",
           (int)(left / 60), (int)(left % 60));
  ck_assert_msg(strstr(s->str, line), "%s", s->str);
  if (g_getenv("RIP_SHOW"))
    fputs(s->str, stdout);
  g_string_free(s, TRUE);
  tnet_free(t);
}
END_TEST

/* Everything a run shows, for comparing two runs. */
static char *run_signature(uint64_t seed)
{
  static const guint e[][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 2}, {3, 4}};
  RipConfig c = defaults();
  TNet *t = tnet_new(5, NULL, e, 6, &c, seed);
  GString *s = g_string_new(NULL);

  run_to(t, SIMTIME_S(50));
  link_set_up(t->links[4], FALSE);
  run_to(t, SIMTIME_S(300));
  for (guint i = 0; i < 5; i++) {
    rip_show(rip_of(t, i), s);
    g_string_append_printf(s, "%" G_GUINT64_FORMAT "\n", rip_packets_sent(rip_of(t, i)));
  }
  g_string_append_printf(s, "%" G_GUINT64_FORMAT "\n", t->net->ctx.route_changes);
  tnet_free(t);
  return g_string_free(s, FALSE);
}

START_TEST(test_determinism)
{
  char *a = run_signature(11), *b = run_signature(11), *c = run_signature(12);
  ck_assert_str_eq(a, b);
  ck_assert_str_ne(a, c);
  g_free(a);
  g_free(b);
  g_free(c);
}
END_TEST

/* A pcap of r0's link on a chain of three, read by tshark: RIP dissected,
 * nothing malformed, no expert warning. */
START_TEST(test_pcap_tshark)
{
  gchar *tshark = g_find_program_in_path("tshark");
  if (!tshark)
    return; /* skipped: no tshark */
  RipConfig c = defaults();
  TNet *t = tnet_new(3, NULL, chain4, 2, &c, 1);
  char *dir = g_dir_make_tmp("rip-pcap-XXXXXX", NULL);
  char *path = g_build_filename(dir, "r0.pcap", NULL);
  Iface *iface = node_iface(t->nodes[0], 0);
  iface->pcap = pcap_out_open(path, PCAP_OUT_SNAPLEN_MAX, iface->ops->pcap_linktype, NULL);
  ck_assert_ptr_nonnull(iface->pcap);
  run_to(t, SIMTIME_S(100));
  uint64_t frames = iface->counters.tx_packets + iface->counters.rx_packets;
  tnet_free(t); /* closes the pcap */

  char *bad = NULL, *all = NULL;
  const char *bad_argv[] = {tshark, "-r", path, "-Y", "rip && (_ws.malformed || _ws.expert.severity >= warning)", NULL};
  const char *all_argv[] = {tshark, "-r", path, "-Y", "rip.version == 2", NULL};
  ck_assert(
      g_spawn_sync(NULL, (char **)bad_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &bad, NULL, NULL, NULL));
  ck_assert(
      g_spawn_sync(NULL, (char **)all_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &all, NULL, NULL, NULL));
  ck_assert_str_eq(bad, "");
  guint lines = 0;
  for (const char *q = all; *q; q++)
    lines += *q == '\n';
  ck_assert_uint_eq(lines, frames);
  ck_assert(g_regex_match_simple("RIPv2 [0-9]+ Response", all, 0, 0));
  ck_assert(g_regex_match_simple("RIPv2 [0-9]+ Request", all, 0, 0));
  g_free(bad);
  g_free(all);
  remove(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  g_free(tshark);
}
END_TEST

/* TRUE when the forwarding tables lead from node `from` to `dst`
 * (hop by hop over the PPP links, as packets would go). */
static gboolean path_ok(TNet *t, guint from, uint32_t dst)
{
  Node *node = t->nodes[from];

  for (guint hops = 0; hops < 64; hops++) {
    const Route *r = route_lookup(node->ip->routes, dst);
    if (!r || !r->iface || !r->iface->up)
      return FALSE;
    if (r->origin == ROUTE_CONNECTED)
      return TRUE;
    node = iface_peer(r->iface)->node;
  }
  return FALSE;
}

/* The first time from `start` (10 ms steps, up to `end`) when both
 * corners' paths to each other's host subnets work (hA on r0_0, edge
 * ne; hB on the far corner, edge ne + 1); -1: never. */
static double both_ways_at(TNet *t, guint n, guint ne, SimTime start, SimTime end)
{
  for (SimTime now = start; now <= end; now += SIMTIME_MS(10)) {
    run_to(t, now);
    if (path_ok(t, 0, edge_addr(ne + 1, 0)) && path_ok(t, n * n - 1, edge_addr(ne, 0)))
      return now / 1e9;
  }
  return -1;
}

/* The grid's edges (right and down from each router), then hA's and hB's. */
static guint grid_edges(guint n, guint (*e)[2])
{
  guint ne = 0;

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++) {
      if (j + 1 < n)
        e[ne][0] = i * n + j, e[ne++][1] = i * n + j + 1;
      if (i + 1 < n)
        e[ne][0] = i * n + j, e[ne++][1] = (i + 1) * n + j;
    }
  e[ne][0] = n * n, e[ne][1] = 0;                     /* hA - r0_0 */
  e[ne + 1][0] = n * n + 1, e[ne + 1][1] = n * n - 1; /* hB - the far corner */
  return ne;
}

/* RIP_GRID=N: an N x N grid of routers (default timers, poison reverse)
 * with hosts hA and hB on opposite corners (no traffic), the link
 * r0_0-r0_1 down at 100 s, 300 s in all. Prints the wall time, the RIP
 * packets, the events, when the corners first had paths both ways and
 * how long they lost them after the failure (a measurement, no assertion;
 * RIP_GRID_PATHS=0 skips the path checks, which step the run by 10 ms). */
START_TEST(test_grid_measure)
{
  const char *env = g_getenv("RIP_GRID");
  guint n = env ? (guint)atoi(env) : 0;
  gboolean paths = g_strcmp0(g_getenv("RIP_GRID_PATHS"), "0") != 0;
  if (n < 2 || n > 20)
    return;
  guint(*e)[2] = g_malloc(sizeof(guint[2]) * (2 * n * n + 2));
  guint ne = grid_edges(n, e);
  gboolean *hosts = g_new0(gboolean, n * n + 2);
  hosts[n * n] = hosts[n * n + 1] = TRUE;
  RipConfig c = defaults();
  gint64 t0 = g_get_monotonic_time();
  TNet *t = tnet_new(n * n + 2, hosts, (const guint(*)[2])e, ne + 2, &c, 1);
  gint64 t1 = g_get_monotonic_time();
  double first = paths ? both_ways_at(t, n, ne, 0, SIMTIME_S(100)) : 0, back = 0;
  run_to(t, SIMTIME_S(100));
  link_set_up(t->links[0], FALSE);
  if (g_getenv("RIP_GRID_TRACE"))
    t->net->ctx.trace = trace_new(stderr, FALSE, TRACE_ROUTING);
  if (paths)
    back = both_ways_at(t, n, ne, SIMTIME_S(100), SIMTIME_S(300));
  run_to(t, SIMTIME_S(300));
  gint64 t2 = g_get_monotonic_time();
  uint64_t packets = 0;
  for (guint i = 0; i < n * n; i++)
    packets += rip_packets_sent(rip_of(t, i));
  printf("grid=%u build_s=%.3f run_s=%.3f rip_packets=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT
         " route_changes=%" G_GUINT64_FORMAT " first_both_ways_s=%.2f outage_s=%.2f\n",
         n, (t1 - t0) / 1e6, (t2 - t1) / 1e6, packets, scheduler_executed(t->net->ctx.sched), t->net->ctx.route_changes,
         first, back < 0 ? -1 : back - 100);
  tnet_free(t);
  g_free(hosts);
  g_free(e);
}
END_TEST

static Suite *rip_suite(void)
{
  Suite *s = suite_create("rip");
  TCase *tc = tcase_create("rip");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_two_routers_learn);
  tcase_add_test(tc, test_trace_notes);
  tcase_add_test(tc, test_chain_hop_counts);
  tcase_add_test(tc, test_route_lifecycle);
  tcase_add_test(tc, test_triggered_damping);
  tcase_add_test(tc, test_split_none_counts_to_infinity);
  tcase_add_test(tc, test_split_simple_and_poison_converge);
  tcase_add_test(tc, test_sixteen_hops_unreachable);
  tcase_add_test(tc, test_packing);
  tcase_add_test(tc, test_bad_messages);
  tcase_add_test(tc, test_bad_entry_ignored);
  tcase_add_test(tc, test_random_messages);
  tcase_add_test(tc, test_passive);
  tcase_add_test(tc, test_redistribution_and_offset);
  tcase_add_test(tc, test_next_hop_field);
  tcase_add_test(tc, test_iface_enabled);
  tcase_add_test(tc, test_requests_answered);
  tcase_add_test(tc, test_iface_down_up);
  tcase_add_test(tc, test_node_down_up);
  tcase_add_test(tc, test_show);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_pcap_tshark);
  suite_add_tcase(s, tc);
  TCase *grid = tcase_create("grid");
  tcase_set_timeout(grid, 600);
  tcase_add_test(grid, test_grid_measure);
  suite_add_tcase(s, grid);
  return s;
}

int main(void)
{
  return testlib_run_suite(rip_suite());
}
