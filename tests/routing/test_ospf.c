/*
 * OSPFv2 (models/routing/ospf*) on networks built by hand: adjacency on
 * PPP with the neighbour states of RFC 2328 10.3 on both sides, DR/BDR
 * election on a switched LAN and re-election after the DR dies, flooding
 * with a lost LS Update retransmitted, SPF against an independent
 * Dijkstra on random graphs (ECMP included), areas with summary LSAs,
 * externals (across areas through ASBR-summary LSAs, E1 and E2), bad packets, a pcap for tshark, and the 32x32 grid
 * figures (OSPF_GRID=N).
 */
#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "models/core/network.h"
#include "models/internet/ipv4.h"
#include "models/link/ppp.h"
#include "models/observe/pcap_out.h"
#include "models/routing/ospf.h"
#include "models/routing/ospf_wire.h"
#include "sim/kernel/rng.h"
#include "tests/testlib.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* ------------------------------------------------------------ building */

typedef struct {
  Network *net;
  OspfShared *shared;
  char *trace_buf;
  size_t trace_len;
  FILE *trace_out;
  guint macs;
} Lab;

static Lab *lab_new(uint64_t seed, gboolean trace)
{
  Lab *lab = g_new0(Lab, 1);

  lab->net = network_new("ospf-lab", seed, SIMTIME_S(3600));
  lab->shared = ospf_shared_new();
  if (trace) {
    lab->trace_out = open_memstream(&lab->trace_buf, &lab->trace_len);
    lab->net->ctx.trace = trace_new(lab->trace_out, FALSE, TRACE_ROUTING);
  }
  return lab;
}

static void lab_free(Lab *lab)
{
  network_free(lab->net);
  ospf_shared_free(lab->shared);
  if (lab->trace_out)
    fclose(lab->trace_out);
  free(lab->trace_buf);
  g_free(lab);
}

static const char *lab_trace(Lab *lab)
{
  fflush(lab->trace_out);
  return lab->trace_buf ? lab->trace_buf : "";
}

/* A node with `n` interfaces eth0.. (addresses from addrs, 0: none). */
static Node *lab_node(Lab *lab, const char *name, NodeKind kind, guint n, const Ipv4Prefix *addrs)
{
  Node *node = node_new(lab->net, name, kind, lab->net->nodes->len);

  for (guint i = 0; i < n; i++) {
    char ifname[16];
    g_snprintf(ifname, sizeof ifname, "eth%u", i);
    guint m = ++lab->macs;
    IfaceConfig c = {.name = ifname, .mtu = 1500, .queue = {.packets = 100}, .mac = {2, 0, 0, 0, m >> 8, m & 0xff}};
    if (addrs && addrs[i].addr)
      c.has_ip = TRUE, c.ip = addrs[i];
    node_add_iface(node, &c);
  }
  g_ptr_array_add(lab->net->nodes, node);
  return node;
}

static Link *lab_link(Lab *lab, Iface *a, Iface *b, LinkType type, uint64_t rate, SimTime delay)
{
  LinkConfig conf;

  link_config_defaults(&conf);
  conf.type = type, conf.rate_bps = rate, conf.delay = delay;
  node_set_link_type(a->node, a, type);
  node_set_link_type(b->node, b, type);
  Link *l = link_new(&lab->net->ctx, NULL, &conf, a, b, lab->net->links->len);
  g_ptr_array_add(lab->net->links, l);
  return l;
}

/* Layers on every node, then OSPF on every router with `conf` (NULL: defaults). */
static void lab_start(Lab *lab, const OspfConfig *conf)
{
  OspfConfig def;

  ospf_config_defaults(&def);
  for (guint i = 0; i < lab->net->nodes->len; i++)
    node_add_layers(network_node(lab->net, i), SIMTIME_S(300));
  network_index_addresses(lab->net);
  for (guint i = 0; i < lab->net->nodes->len; i++)
    if (network_node(lab->net, i)->kind == NODE_KIND_ROUTER)
      ospf_new(network_node(lab->net, i), conf ? conf : &def, lab->shared);
}

static void lab_run(Lab *lab, SimTime until)
{
  scheduler_run(lab->net->ctx.sched, until);
}

static Node *lab_find(Lab *lab, const char *name)
{
  return network_find_node(lab->net, name);
}

/* The node's routing notes about neighbour `rid`, " | "-separated states. */
static char *lab_states(Lab *lab, const char *node, const char *rid)
{
  GString *s = g_string_new(NULL);
  char *needle = g_strdup_printf(" %s ", node), *nbr = g_strdup_printf("neighbor %s ", rid);
  char **lines = g_strsplit(lab_trace(lab), "\n", -1);

  for (char **l = lines; *l; l++) {
    const char *n = strstr(*l, nbr);
    if (!strstr(*l, needle) || !n)
      continue;
    const char *st = strchr(n + strlen(nbr), ')');
    if (s->len)
      g_string_append(s, " | ");
    g_string_append(s, st ? st + 2 : n);
  }
  g_strfreev(lines);
  g_free(needle);
  g_free(nbr);
  return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------ PPP pair */

/* r1 (10.0.12.1/30) -- PPP 1 Mbps 5 ms -- r2 (10.0.12.2/30). */
static Lab *pair_lab(void)
{
  Lab *lab = lab_new(1, TRUE);
  Ipv4Prefix a1[] = {{IP(10, 0, 12, 1), 30}, {IP(10, 1, 0, 1), 24}};
  Ipv4Prefix a2[] = {{IP(10, 0, 12, 2), 30}, {IP(10, 2, 0, 1), 24}};
  Node *r1 = lab_node(lab, "r1", NODE_KIND_ROUTER, 2, a1);
  Node *r2 = lab_node(lab, "r2", NODE_KIND_ROUTER, 2, a2);
  Node *h1 = lab_node(lab, "h1", NODE_KIND_HOST, 1, (Ipv4Prefix[]){{IP(10, 1, 0, 10), 24}});
  Node *h2 = lab_node(lab, "h2", NODE_KIND_HOST, 1, (Ipv4Prefix[]){{IP(10, 2, 0, 10), 24}});

  lab_link(lab, node_iface(r1, 0), node_iface(r2, 0), LINK_PPP, 1000000, SIMTIME_MS(5));
  lab_link(lab, node_iface(r1, 1), node_iface(h1, 0), LINK_ETHERNET, 100000000, SIMTIME_MS(1));
  lab_link(lab, node_iface(r2, 1), node_iface(h2, 0), LINK_ETHERNET, 100000000, SIMTIME_MS(1));
  return lab;
}

START_TEST(test_ospf_ppp_full)
{
  Lab *lab = pair_lab();
  lab_start(lab, NULL);
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2");
  lab_run(lab, SIMTIME_S(10));

  ck_assert_uint_eq(ospf_router_id(r1->ospf), IP(10, 1, 0, 1));
  ck_assert_uint_eq(ospf_router_id(r2->ospf), IP(10, 2, 0, 1));
  ck_assert_int_eq(ospf_neighbor_state(r1->ospf, IP(10, 2, 0, 1)), OSPF_NBR_FULL);
  ck_assert_int_eq(ospf_neighbor_state(r2->ospf, IP(10, 1, 0, 1)), OSPF_NBR_FULL);
  /* 10.3: Down -HelloReceived-> Init -2-WayReceived-> ExStart (p2p: always adjacent) -NegotiationDone->
   * Exchange -ExchangeDone-> Loading (each lacks the other's router LSA) -LoadingDone-> Full */
  const char *want = "down -> init (HelloReceived) | init -> exstart (2-WayReceived) | exstart -> exchange "
                     "(NegotiationDone) | exchange -> loading (ExchangeDone) | loading -> full (LoadingDone)";
  char *s1 = lab_states(lab, "r1", "10.2.0.1"), *s2 = lab_states(lab, "r2", "10.1.0.1");
  ck_assert_str_eq(s1, want);
  ck_assert_str_eq(s2, want);
  g_free(s1);
  g_free(s2);
  if (getenv("OSPF_DEBUG")) {
    GString *g = g_string_new(NULL);
    ospf_show_database(r1->ospf, g);
    ospf_show_neighbors(r1->ospf, g);
    ospf_show_interfaces(r1->ospf, g);
    printf("%s\n%s", lab_trace(lab), g->str);
    g_string_free(g, TRUE);
  }
  /* r1 learns h2's subnet through r2: cost 100 (1 Mbps) + 1 (100 Mbps) */
  const Route *paths[4];
  ck_assert_uint_eq(route_paths_prefix(r1->ip->routes, IP(10, 2, 0, 0), 24, paths, 4), 1);
  ck_assert_int_eq(paths[0]->origin, ROUTE_OSPF);
  ck_assert_uint_eq(paths[0]->metric, 101);
  ck_assert_uint_eq(paths[0]->gateway, IP(10, 0, 12, 2));
  ck_assert_ptr_eq(paths[0]->iface, node_iface(r1, 0));
  lab_free(lab);
}
END_TEST

/* ------------------------------------------------------------ LAN */

/* Four routers on one switch (10.0.0.1-4/24), priorities 3, 1, 1, 0. */
static Lab *lan_lab(void)
{
  Lab *lab = lab_new(7, TRUE);
  Node *sw = lab_node(lab, "sw", NODE_KIND_SWITCH, 4, NULL);

  for (guint i = 0; i < 4; i++) {
    char name[8];
    g_snprintf(name, sizeof name, "r%u", i + 1);
    Node *r = lab_node(lab, name, NODE_KIND_ROUTER, 1, (Ipv4Prefix[]){{IP(10, 0, 0, i + 1), 24}});
    lab_link(lab, node_iface(r, 0), node_iface(sw, i), LINK_ETHERNET, 100000000, SIMTIME_US(100));
  }
  for (guint i = 0; i < lab->net->nodes->len; i++)
    node_add_layers(network_node(lab->net, i), SIMTIME_S(300));
  network_index_addresses(lab->net);
  static const uint8_t pri[4] = {3, 1, 1, 0};
  for (guint i = 0; i < 4; i++) {
    OspfConfig c;
    OspfIfaceConfig ic;
    ospf_config_defaults(&c);
    ospf_iface_config_defaults(&ic);
    ic.priority = pri[i];
    c.ifaces = g_array_new(FALSE, FALSE, sizeof ic);
    g_array_append_val(c.ifaces, ic);
    ospf_new(network_node(lab->net, i + 1), &c, lab->shared);
    g_array_free(c.ifaces, TRUE);
  }
  return lab;
}

static gboolean show_has(const Ospf *ospf, void (*show)(const Ospf *, GString *), const char *text)
{
  GString *g = g_string_new(NULL);
  show(ospf, g);
  gboolean yes = strstr(g->str, text) != NULL;
  if (!yes)
    fprintf(stderr, "missing '%s' in:\n%s\n", text, g->str);
  g_string_free(g, TRUE);
  return yes;
}

/* The time of the first trace line containing `text`, or -1. */
static SimTime lab_when(Lab *lab, const char *text)
{
  const char *t = lab_trace(lab), *at = strstr(t, text);
  if (!at)
    return -1;
  while (at > t && at[-1] != '\n')
    at--;
  double s = g_ascii_strtod(at, NULL);
  return (SimTime)(s * 1e9 + 0.5);
}

static void node_down(void *obj, void *arg)
{
  (void)arg;
  node_set_up(obj, FALSE);
}

START_TEST(test_ospf_lan_election)
{
  Lab *lab = lan_lab();
  Node *r[4];
  for (guint i = 0; i < 4; i++)
    r[i] = network_node(lab->net, i + 1);
  lab_run(lab, SIMTIME_S(39));
  /* Waiting for the wait timer (= dead interval): no election, only 2-Way */
  ck_assert(show_has(r[1]->ospf, ospf_show_interfaces, "State Waiting"));
  ck_assert_int_eq(ospf_neighbor_state(r[1]->ospf, IP(10, 0, 0, 3)), OSPF_NBR_2WAY);
  lab_run(lab, SIMTIME_S(60));
  /* DR by priority (r1: 3), BDR by router ID among the priority-1 routers (r3 > r2); r4 (0) never */
  for (guint i = 0; i < 4; i++)
    ck_assert(
        show_has(r[i]->ospf, ospf_show_interfaces, "Designated Router 10.0.0.1, Backup Designated Router 10.0.0.3"));
  ck_assert(show_has(r[0]->ospf, ospf_show_interfaces, "State DR"));
  ck_assert(show_has(r[2]->ospf, ospf_show_interfaces, "State Backup"));
  ck_assert(show_has(r[3]->ospf, ospf_show_interfaces, "State DROther"));
  /* adjacencies only with the DR and BDR */
  ck_assert_int_eq(ospf_neighbor_state(r[1]->ospf, IP(10, 0, 0, 1)), OSPF_NBR_FULL);
  ck_assert_int_eq(ospf_neighbor_state(r[1]->ospf, IP(10, 0, 0, 3)), OSPF_NBR_FULL);
  ck_assert_int_eq(ospf_neighbor_state(r[1]->ospf, IP(10, 0, 0, 4)), OSPF_NBR_2WAY);
  ck_assert_int_eq(ospf_neighbor_state(r[3]->ospf, IP(10, 0, 0, 2)), OSPF_NBR_2WAY);
  ck_assert(show_has(r[1]->ospf, ospf_show_neighbors, "Full/DR"));
  ck_assert(show_has(r[1]->ospf, ospf_show_neighbors, "Full/Backup"));
  ck_assert(show_has(r[1]->ospf, ospf_show_neighbors, "2-Way/DROther"));
  ck_assert(show_has(r[3]->ospf, ospf_show_database, "Net Link States (Area 0.0.0.0)"));
  ck_assert(show_has(r[3]->ospf, ospf_show_database, "10.0.0.1        10.0.0.1"));
  /* the DR dies at 60 s: 40 s after the last Hello heard from it, r3 becomes DR and r2 BDR */
  scheduler_at(lab->net->ctx.sched, SIMTIME_S(60), node_down, r[0], NULL);
  lab_run(lab, SIMTIME_S(120));
  SimTime dead = lab_when(lab, "r3 eth0 note ospf: neighbor 10.0.0.1 (eth0) full -> down (InactivityTimer)");
  ck_assert_int_gt(dead, SIMTIME_S(90));
  ck_assert_int_lt(dead, SIMTIME_S(91));
  ck_assert_int_eq(lab_when(lab, "r3 eth0 note ospf: interface eth0 Backup -> DR"), dead);
  for (guint i = 1; i < 4; i++)
    ck_assert(
        show_has(r[i]->ospf, ospf_show_interfaces, "Designated Router 10.0.0.3, Backup Designated Router 10.0.0.2"));
  ck_assert_int_eq(ospf_neighbor_state(r[3]->ospf, IP(10, 0, 0, 2)), OSPF_NBR_FULL);
  ck_assert_int_eq(ospf_neighbor_state(r[3]->ospf, IP(10, 0, 0, 1)), OSPF_NBR_DOWN);
  lab_free(lab);
}
END_TEST

/* ------------------------------------------------------------ flooding */

static void set_cost(void *obj, void *arg)
{
  Node *n = obj;
  ospf_set_iface_cost(n->ospf, 1, GPOINTER_TO_UINT(arg));
}

static void set_loss(void *obj, void *arg)
{
  ((Link *)obj)->loss = GPOINTER_TO_UINT(arg) ? 1.0 : 0.0;
}

/* r1's eth1 cost goes to 7 at 20 s; its LS Update is lost (the link drops
 * everything for 1 ms); r1 retransmits it RxmtInterval (5 s) later and r2
 * changes its route when that arrives. */
START_TEST(test_ospf_lost_update_retransmitted)
{
  Lab *lab = pair_lab();
  lab_start(lab, NULL);
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2");
  Link *ppp = network_link(lab->net, 0);
  Scheduler *s = lab->net->ctx.sched;
  scheduler_at(s, SIMTIME_S(20), set_loss, ppp, GUINT_TO_POINTER(1));
  scheduler_at(s, SIMTIME_S(20), set_cost, r1, GUINT_TO_POINTER(7));
  scheduler_at(s, SIMTIME_S(20) + SIMTIME_MS(1), set_loss, ppp, GUINT_TO_POINTER(0));
  lab_run(lab, SIMTIME_S(40));

  /* LS Update: 24 + 4 + router LSA (24 + 3 links of 12) = 88 bytes, IP 108, PPP 112, 115 on the wire at 1 Mbps */
  SimTime want = SIMTIME_S(25) + 115 * 8 * 1000 + SIMTIME_MS(5);
  ck_assert_int_eq(
      lab_when(lab, "r2 eth0 note ospf: 10.1.0.0/24 via 10.0.12.1%eth0 metric 101 -> via 10.0.12.1%eth0 metric 107"),
      want);
  ck_assert_uint_eq(ppp->ends[0]->counters.drops[DROP_LINK_LOSS] + ppp->ends[1]->counters.drops[DROP_LINK_LOSS], 1);
  ck_assert_int_eq(ospf_neighbor_state(r2->ospf, IP(10, 1, 0, 1)), OSPF_NBR_FULL);
  (void)r1;
  lab_free(lab);
}
END_TEST

/* ------------------------------------------------------------ SPF */

#define G_MAX 12
#define G_INF 0x3fffffff

typedef struct {
  guint n, m;
  guint ea[64], eb[64], ca[64], cb[64]; /* edge k: routers ea-eb, cost ca (ea's side), cb (eb's side) */
  guint ia[64], ib[64];                 /* the interface index of edge k at each end */
  guint deg[G_MAX];
} Graph;

static gboolean graph_has(const Graph *g, guint a, guint b)
{
  for (guint k = 0; k < g->m; k++)
    if ((g->ea[k] == a && g->eb[k] == b) || (g->ea[k] == b && g->eb[k] == a))
      return TRUE;
  return FALSE;
}

static void graph_edge(Graph *g, Rng *rng, guint a, guint b)
{
  guint k = g->m++;
  g->ea[k] = a, g->eb[k] = b;
  g->ca[k] = 1 + (guint)rng_below(rng, 4), g->cb[k] = 1 + (guint)rng_below(rng, 4);
  g->ia[k] = g->deg[a]++, g->ib[k] = g->deg[b]++;
}

/* A random connected graph: a random tree plus a few more edges. */
static void graph_random(Graph *g, Rng *rng)
{
  memset(g, 0, sizeof *g);
  g->n = 3 + (guint)rng_below(rng, G_MAX - 2);
  for (guint i = 1; i < g->n; i++)
    graph_edge(g, rng, (guint)rng_below(rng, i), i);
  guint extra = (guint)rng_below(rng, g->n + 1);
  for (guint e = 0; e < extra; e++) {
    guint a = (guint)rng_below(rng, g->n), b = (guint)rng_below(rng, g->n);
    if (a != b && !graph_has(g, a, b))
      graph_edge(g, rng, a, b);
  }
}

/* The subnet of edge k: 10.k.0.0/30, .1 at ea, .2 at eb. */
static uint32_t edge_addr(guint k, gboolean b_side)
{
  return IP(10, k, 0, b_side ? 2 : 1);
}

/* All-pairs shortest paths (Floyd-Warshall), directed costs. */
static void graph_dist(const Graph *g, guint d[G_MAX][G_MAX])
{
  for (guint i = 0; i < g->n; i++)
    for (guint j = 0; j < g->n; j++)
      d[i][j] = i == j ? 0 : G_INF;
  for (guint k = 0; k < g->m; k++) {
    d[g->ea[k]][g->eb[k]] = MIN(d[g->ea[k]][g->eb[k]], g->ca[k]);
    d[g->eb[k]][g->ea[k]] = MIN(d[g->eb[k]][g->ea[k]], g->cb[k]);
  }
  for (guint k = 0; k < g->n; k++)
    for (guint i = 0; i < g->n; i++)
      for (guint j = 0; j < g->n; j++)
        if (d[i][k] + d[k][j] < d[i][j])
          d[i][j] = d[i][k] + d[k][j];
}

typedef struct {
  guint iface;
  uint32_t gw;
} Hop;

/* First hops of every shortest path from s to e, added to hops (deduplicated). */
static void graph_first_hops(const Graph *g, guint d[G_MAX][G_MAX], guint s, guint e, Hop *hops, guint *nh)
{
  for (guint k = 0; k < g->m; k++) {
    gboolean sa = g->ea[k] == s, sb = g->eb[k] == s;
    if (!sa && !sb)
      continue;
    guint nb = sa ? g->eb[k] : g->ea[k], c = sa ? g->ca[k] : g->cb[k];
    if (c + d[nb][e] != d[s][e])
      continue;
    Hop h = {sa ? g->ia[k] : g->ib[k], edge_addr(k, sa)};
    gboolean dup = FALSE;
    for (guint i = 0; i < *nh; i++)
      dup |= hops[i].iface == h.iface && hops[i].gw == h.gw;
    if (!dup)
      hops[(*nh)++] = h;
  }
}

static Lab *graph_lab(const Graph *g, uint64_t seed)
{
  Lab *lab = lab_new(seed, FALSE);
  Ipv4Prefix addrs[G_MAX][16];
  Node *r[G_MAX];

  memset(addrs, 0, sizeof addrs);
  for (guint k = 0; k < g->m; k++) {
    addrs[g->ea[k]][g->ia[k]] = (Ipv4Prefix){edge_addr(k, FALSE), 30};
    addrs[g->eb[k]][g->ib[k]] = (Ipv4Prefix){edge_addr(k, TRUE), 30};
  }
  for (guint i = 0; i < g->n; i++) {
    char name[8];
    g_snprintf(name, sizeof name, "r%u", i);
    r[i] = lab_node(lab, name, NODE_KIND_ROUTER, g->deg[i], addrs[i]);
  }
  for (guint k = 0; k < g->m; k++)
    lab_link(lab, node_iface(r[g->ea[k]], g->ia[k]), node_iface(r[g->eb[k]], g->ib[k]), LINK_PPP, 1000000000,
             SIMTIME_MS(1));
  for (guint i = 0; i < g->n; i++)
    node_add_layers(r[i], SIMTIME_S(300));
  network_index_addresses(lab->net);
  for (guint i = 0; i < g->n; i++) {
    OspfConfig c;
    OspfIfaceConfig ic;
    ospf_config_defaults(&c);
    ospf_iface_config_defaults(&ic);
    c.ifaces = g_array_new(FALSE, TRUE, sizeof ic);
    g_array_set_size(c.ifaces, g->deg[i]);
    for (guint k = 0; k < g->m; k++) {
      if (g->ea[k] == i)
        ic.cost = g->ca[k], g_array_index(c.ifaces, OspfIfaceConfig, g->ia[k]) = ic;
      if (g->eb[k] == i)
        ic.cost = g->cb[k], g_array_index(c.ifaces, OspfIfaceConfig, g->ib[k]) = ic;
    }
    ospf_new(r[i], &c, lab->shared);
    g_array_free(c.ifaces, TRUE);
  }
  return lab;
}

/* Router s's OSPF route to edge k's subnet against the shortest paths. */
static void graph_check_route(const Graph *g, guint d[G_MAX][G_MAX], Node *node, guint s, guint k)
{
  guint via_a = d[s][g->ea[k]] + g->ca[k], via_b = d[s][g->eb[k]] + g->cb[k], best = MIN(via_a, via_b);
  Hop hops[32];
  guint nh = 0;
  const Route *paths[ROUTE_MAX_PATHS];

  if (via_a == best)
    graph_first_hops(g, d, s, g->ea[k], hops, &nh);
  if (via_b == best)
    graph_first_hops(g, d, s, g->eb[k], hops, &nh);
  guint n = route_paths_prefix(node->ip->routes, IP(10, k, 0, 0), 30, paths, ROUTE_MAX_PATHS);
  ck_assert_uint_eq(n, MIN(nh, ROUTE_MAX_PATHS));
  for (guint i = 0; i < n; i++) {
    ck_assert_int_eq(paths[i]->origin, ROUTE_OSPF);
    ck_assert_uint_eq(paths[i]->metric, best);
    gboolean found = FALSE;
    for (guint j = 0; j < nh; j++)
      found |= hops[j].iface == paths[i]->iface->index && hops[j].gw == paths[i]->gateway;
    ck_assert_msg(found, "r%u: 10.%u.0.0/30 via %08x unexpected", s, k, paths[i]->gateway);
  }
}

/* 300 random graphs of 3 to 12 routers, costs 1 to 4 each way (ties, so ECMP). */
START_TEST(test_ospf_spf_random)
{
  Rng rng;
  guint ecmp = 0;

  rng_init(&rng, 42, "test/spf");
  for (guint t = 0; t < 300; t++) {
    Graph g;
    guint d[G_MAX][G_MAX];
    graph_random(&g, &rng);
    graph_dist(&g, d);
    Lab *lab = graph_lab(&g, t + 1);
    lab_run(lab, SIMTIME_S(30));
    for (guint s = 0; s < g.n; s++) {
      Node *node = network_node(lab->net, s);
      guint ospf_routes = 0;
      const GArray *routes = route_table_routes(node->ip->routes);
      for (guint i = 0; i < routes->len; i++)
        ospf_routes += g_array_index(routes, Route, i).origin == ROUTE_OSPF;
      guint expected = 0;
      for (guint k = 0; k < g.m; k++) {
        if (g.ea[k] == s || g.eb[k] == s)
          continue;
        graph_check_route(&g, d, node, s, k);
        const Route *p[ROUTE_MAX_PATHS];
        guint n = route_paths_prefix(node->ip->routes, IP(10, k, 0, 0), 30, p, ROUTE_MAX_PATHS);
        expected += n;
        ecmp += n > 1;
      }
      ck_assert_uint_eq(ospf_routes, expected);
    }
    lab_free(lab);
  }
  if (getenv("OSPF_DEBUG"))
    printf("ecmp routes %u\n", ecmp);
  ck_assert_uint_gt(ecmp, 100); /* multipath was exercised */
}
END_TEST

/* ------------------------------------------------------------ areas, externals */

/* Starts OSPF on `node` with interface i in area areas[i] (enabled[i] FALSE: off). */
static Ospf *start_with(Node *node, OspfShared *sh, const uint32_t *areas, const gboolean *off, OspfConfig *c)
{
  OspfIfaceConfig ic;

  ospf_iface_config_defaults(&ic);
  c->ifaces = g_array_new(FALSE, TRUE, sizeof ic);
  for (guint i = 0; i < node->ifaces->len; i++) {
    ic.area = areas ? areas[i] : 0;
    ic.enabled = !(off && off[i]);
    g_array_append_val(c->ifaces, ic);
  }
  Ospf *o = ospf_new(node, c, sh);
  g_array_free(c->ifaces, TRUE);
  c->ifaces = NULL;
  return o;
}

static void check_route(Node *node, uint32_t prefix, uint8_t len, uint32_t metric, uint32_t gw)
{
  const Route *p[4];
  guint n = route_paths_prefix(node->ip->routes, prefix, len, p, 4);
  ck_assert_msg(n == 1, "%s: %u routes to %08x/%u", node->name, n, prefix, len);
  ck_assert_int_eq(p[0]->origin, ROUTE_OSPF);
  ck_assert_uint_eq(p[0]->metric, metric);
  ck_assert_uint_eq(p[0]->gateway, gw);
}

/* r1 (area 1) - r2 (ABR) - r3 (backbone) - r4 (ABR) - r5 (area 2), PPP at
 * 1 Mbps (cost 100), each with a LAN 10.<i>.0.0/24 at 100 Mbps (cost 1). */
static Lab *areas_lab_with(gboolean asbr)
{
  Lab *lab = lab_new(3, TRUE);
  Node *r[5], *h[5];
  static const guint nif[5] = {2, 3, 3, 3, 2};
  static const uint32_t areas[5][3] = {{1, 1}, {1, 0, 0}, {0, 0, 0}, {0, 2, 0}, {2, 2}};
  for (guint i = 0; i < 5; i++) {
    Ipv4Prefix a[3] = {{0, 0}};
    guint at = 0;
    if (i > 0)
      a[at++] = (Ipv4Prefix){IP(10, 0, i - 1, 2), 30};
    if (i < 4)
      a[at++] = (Ipv4Prefix){IP(10, 0, i, 1), 30};
    a[at] = (Ipv4Prefix){IP(10, i + 1, 0, 1), 24};
    char name[8];
    g_snprintf(name, sizeof name, "r%u", i + 1);
    r[i] = lab_node(lab, name, NODE_KIND_ROUTER, nif[i], a);
    g_snprintf(name, sizeof name, "h%u", i + 1);
    h[i] = lab_node(lab, name, NODE_KIND_HOST, 1, (Ipv4Prefix[]){{IP(10, i + 1, 0, 10), 24}});
    lab_link(lab, node_iface(r[i], nif[i] - 1), node_iface(h[i], 0), LINK_ETHERNET, 100000000, SIMTIME_MS(1));
  }
  for (guint i = 0; i < 4; i++)
    lab_link(lab, node_iface(r[i], i == 0 ? 0 : 1), node_iface(r[i + 1], 0), LINK_PPP, 1000000, SIMTIME_MS(5));
  for (guint i = 0; i < lab->net->nodes->len; i++)
    node_add_layers(network_node(lab->net, i), SIMTIME_S(300));
  network_index_addresses(lab->net);
  for (guint i = 0; i < 5; i++) {
    OspfConfig c;
    ospf_config_defaults(&c);
    c.redist_connected = asbr && i == 4;
    start_with(r[i], lab->shared, areas[i], c.redist_connected ? (gboolean[]){FALSE, TRUE} : NULL, &c);
  }
  return lab;
}

static Lab *areas_lab(void)
{
  return areas_lab_with(FALSE);
}

/* The same with r5 redistributing its LAN, OSPF off there. */
static Lab *areas_lab_asbr(void)
{
  return areas_lab_with(TRUE);
}

START_TEST(test_ospf_areas)
{
  Lab *lab = areas_lab();
  Node *r[5];
  for (guint i = 0; i < 5; i++) {
    char name[8];
    g_snprintf(name, sizeof name, "r%u", i + 1);
    r[i] = lab_find(lab, name);
  }
  lab_run(lab, SIMTIME_S(60));
  check_route(r[0], IP(10, 5, 0, 0), 24, 401, IP(10, 0, 0, 2));
  check_route(r[0], IP(10, 3, 0, 0), 24, 201, IP(10, 0, 0, 2));
  check_route(r[0], IP(10, 0, 3, 0), 30, 400, IP(10, 0, 0, 2));
  check_route(r[4], IP(10, 1, 0, 0), 24, 401, IP(10, 0, 3, 1));
  check_route(r[2], IP(10, 1, 0, 0), 24, 201, IP(10, 0, 1, 1));
  check_route(r[2], IP(10, 5, 0, 0), 24, 201, IP(10, 0, 2, 2));
  /* area 1 holds r1's and r2's router LSAs and r2's summaries, nothing of the backbone's routers */
  ck_assert(show_has(r[0]->ospf, ospf_show_database, "Summary Link States (Area 0.0.0.1)"));
  ck_assert(show_has(r[0]->ospf, ospf_show_database, "10.5.0.0        10.2.0.1"));
  ck_assert(!strstr(lab_trace(lab), "r1 eth0 note ospf: neighbor 10.3"));
  GString *g = g_string_new(NULL);
  ospf_show_database(r[0]->ospf, g);
  ck_assert_ptr_null(strstr(g->str, "10.3.0.1        10.3.0.1"));
  g_string_free(g, TRUE);
  ck_assert(show_has(r[2]->ospf, ospf_show_database, "Summary Link States (Area 0.0.0.0)"));
  lab_free(lab);
}
END_TEST

/* r2 redistributes its connected LAN (OSPF off there) and originates a
 * default: r1 learns both as E2 metric 20. */
START_TEST(test_ospf_externals)
{
  Lab *lab = pair_lab();
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2");
  for (guint i = 0; i < lab->net->nodes->len; i++)
    node_add_layers(network_node(lab->net, i), SIMTIME_S(300));
  network_index_addresses(lab->net);
  OspfConfig c;
  ospf_config_defaults(&c);
  start_with(r1, lab->shared, NULL, NULL, &c);
  c.redist_connected = TRUE, c.default_originate = TRUE;
  start_with(r2, lab->shared, NULL, (gboolean[]){FALSE, TRUE}, &c);
  lab_run(lab, SIMTIME_S(30));
  check_route(r1, IP(10, 2, 0, 0), 24, 20, IP(10, 0, 12, 2));
  check_route(r1, 0, 0, 20, IP(10, 0, 12, 2));
  ck_assert(show_has(r1->ospf, ospf_show_database, "AS External Link States"));
  ck_assert(show_has(r1->ospf, ospf_show_database, "E2 10.2.0.0/24 [0x0]"));
  ck_assert(show_has(r1->ospf, ospf_show_database, "E2 0.0.0.0/0 [0x0]"));
  lab_free(lab);
}
END_TEST

/* ------------------------------------------------------------ bad packets */

static uint64_t node_drops(const Node *node, DropReason r)
{
  Counters c;
  node_counters_total(node, &c);
  return c.drops[r];
}

/* An OSPF packet of `type` from `rid` in `area` with `body`, checksummed. */
static GByteArray *craft(uint8_t type, uint32_t rid, uint32_t area, const uint8_t *body, size_t blen)
{
  GByteArray *b = g_byte_array_new();
  uint8_t h[OSPF_HEADER_LEN] = {OSPF_VERSION, type};

  ospf_put16(h + OSPF_H_LEN, (uint16_t)(OSPF_HEADER_LEN + blen));
  ospf_put32(h + OSPF_H_RID, rid);
  ospf_put32(h + OSPF_H_AREA, area);
  g_byte_array_append(b, h, sizeof h);
  g_byte_array_append(b, body, (guint)blen);
  ospf_put16(b->data + OSPF_H_CKSUM, ospf_packet_checksum(b->data, b->len));
  return b;
}

static void hello_body(uint8_t *b, uint32_t mask, uint16_t hello, uint32_t dead)
{
  memset(b, 0, OSPF_HELLO_LEN);
  ospf_put32(b, mask);
  ospf_put16(b + 4, hello);
  b[6] = OSPF_OPT_E;
  b[7] = 1;
  ospf_put32(b + 8, dead);
}

/* An LS Update with one router LSA of no links from 10.9.9.9, `age`, `type`, checksum right or not. */
static GByteArray *craft_lsu(uint32_t rid, uint16_t age, uint8_t type, gboolean good_sum, uint16_t claimed_len)
{
  uint8_t b[4 + 24] = {0};
  uint8_t *l = b + 4;

  ospf_put32(b, 1);
  l[OSPF_L_OPTIONS] = OSPF_OPT_E;
  l[OSPF_L_TYPE] = type;
  ospf_put32(l + OSPF_L_ID, IP(10, 9, 9, 9));
  ospf_put32(l + OSPF_L_ADV, IP(10, 9, 9, 9));
  ospf_put32(l + OSPF_L_SEQ, 0x80000001u);
  ospf_put16(l + OSPF_L_LEN, 24);
  ospf_fletcher(l, 24);
  if (!good_sum)
    l[OSPF_L_CKSUM] ^= 0x55;
  ospf_put16(l, age);
  if (claimed_len)
    ospf_put16(l + OSPF_L_LEN, claimed_len);
  return craft(OSPF_LSU, rid, 0, b, sizeof b);
}

static void inject_to(Node *from, guint iface, uint32_t src, uint32_t dst, GByteArray *bytes)
{
  Packet *p = packet_new_from(from->ctx->pool, bytes->data, bytes->len);
  Ipv4SendOpts o = {.src = src, .dst = dst, .proto = OSPF_PROTO, .ttl = 1, .out = node_iface(from, iface)};
  ipv4_output(from, p, &o);
  g_byte_array_free(bytes, TRUE);
}

static void inject(Node *from, guint iface, uint32_t src, GByteArray *bytes)
{
  inject_to(from, iface, src, OSPF_ALL_SPF_ROUTERS, bytes);
}

/* An AS-external LSA (A.4.5) of `adv` for id/len, E1 or E2, `metric`, appended to an LS Update body. */
static void lsu_add_external(GByteArray *b, uint32_t id, uint8_t len, uint32_t adv, gboolean e2, uint32_t metric)
{
  uint8_t l[OSPF_LSA_HEADER_LEN + 16] = {0};

  l[OSPF_L_OPTIONS] = OSPF_OPT_E;
  l[OSPF_L_TYPE] = OSPF_LSA_EXTERNAL;
  ospf_put32(l + OSPF_L_ID, id);
  ospf_put32(l + OSPF_L_ADV, adv);
  ospf_put32(l + OSPF_L_SEQ, 0x80000001u);
  ospf_put16(l + OSPF_L_LEN, sizeof l);
  ospf_put32(l + 20, len ? ~0u << (32 - len) : 0);
  ospf_put32(l + 24, metric);
  l[24] = e2 ? OSPF_EXT_E : 0;
  ospf_fletcher(l, sizeof l);
  g_byte_array_append(b, l, sizeof l);
  ospf_put32(b->data, ospf_get32(b->data) + 1);
}

/* r2 (ABR, router ID 10.2.0.1) floods to r1 two E1 externals of r5
 * (10.5.0.1): 10.77.0.0/16 metric 30, and 10.5.0.0/24 metric 1000 (link
 * state ID 10.5.0.255, beside r5's own E2 LSA for it). */
static void inject_e1(void *obj, void *arg)
{
  Node *r2 = obj;
  GByteArray *body = g_byte_array_new();
  uint8_t count[4] = {0};
  (void)arg;
  g_byte_array_append(body, count, 4);
  lsu_add_external(body, IP(10, 77, 0, 0), 16, IP(10, 5, 0, 1), FALSE, 30);
  lsu_add_external(body, IP(10, 5, 0, 255), 24, IP(10, 5, 0, 1), FALSE, 1000);
  inject(r2, 0, IP(10, 0, 0, 2), craft(OSPF_LSU, IP(10, 2, 0, 1), 1, body->data, body->len));
  g_byte_array_free(body, TRUE);
}

/* The areas network with r5 (area 2) redistributing its LAN (OSPF off
 * there): r1 (area 1) reaches r5 through r2's ASBR-summary LSA (cost 300
 * from r2, 400 from r1), so it learns the LAN as E2 metric 20; E1
 * externals then cost 400 + their metric, and an E1 route wins over an
 * E2 one to the same prefix whatever the metrics. */
START_TEST(test_ospf_externals_across_areas)
{
  Lab *lab = areas_lab_asbr();
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2"), *r3 = lab_find(lab, "r3");
  lab_run(lab, SIMTIME_S(60));
  check_route(r1, IP(10, 5, 0, 0), 24, 20, IP(10, 0, 0, 2));
  check_route(r3, IP(10, 5, 0, 0), 24, 20, IP(10, 0, 2, 2));
  check_route(r2, IP(10, 5, 0, 0), 24, 20, IP(10, 0, 1, 2));
  /* the ASBR-summaries: r4's into the backbone, r2's into area 1; none of r5's own area */
  ck_assert(show_has(r1->ospf, ospf_show_database, "ASBR-Summary Link States (Area 0.0.0.1)"));
  ck_assert(show_has(r1->ospf, ospf_show_database, "10.5.0.1        10.2.0.1"));
  ck_assert(show_has(r3->ospf, ospf_show_database, "ASBR-Summary Link States (Area 0.0.0.0)"));
  ck_assert(show_has(r3->ospf, ospf_show_database, "10.5.0.1        10.4.0.1"));
  ck_assert(!show_has(lab_find(lab, "r5")->ospf, ospf_show_database, "ASBR-Summary"));
  scheduler_at(lab->net->ctx.sched, SIMTIME_S(60), inject_e1, r2, NULL);
  lab_run(lab, SIMTIME_S(70));
  check_route(r1, IP(10, 77, 0, 0), 16, 430, IP(10, 0, 0, 2));
  check_route(r1, IP(10, 5, 0, 0), 24, 1400, IP(10, 0, 0, 2));
  lab_free(lab);
}
END_TEST

/* The PPP pair with r1's LAN interface passive, Full by 10 s. */
static Lab *bad_lab(void)
{
  Lab *lab = pair_lab();
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2");
  for (guint i = 0; i < lab->net->nodes->len; i++)
    node_add_layers(network_node(lab->net, i), SIMTIME_S(300));
  network_index_addresses(lab->net);
  OspfConfig c;
  ospf_config_defaults(&c);
  OspfIfaceConfig ic[2];
  ospf_iface_config_defaults(&ic[0]);
  ic[1] = ic[0], ic[1].passive = TRUE;
  c.ifaces = g_array_new(FALSE, FALSE, sizeof ic[0]);
  g_array_append_vals(c.ifaces, ic, 2);
  ospf_new(r1, &c, lab->shared);
  g_array_free(c.ifaces, TRUE);
  ospf_config_defaults(&c);
  ospf_new(r2, &c, lab->shared);
  return lab;
}

/* From r2 over PPP: five bad headers, two mismatched Hellos, four bad LSAs. */
static void inject_from_r2(Node *r2)
{
  uint32_t rid2 = IP(10, 2, 0, 1), a2 = IP(10, 0, 12, 2);
  uint8_t hb[OSPF_HELLO_LEN];
  hello_body(hb, 0, 10, 40);
  GByteArray *b = craft(OSPF_HELLO, rid2, 0, hb, sizeof hb);
  b->data[0] = 3; /* version 3 */
  inject(r2, 0, a2, b);
  b = craft(OSPF_HELLO, rid2, 0, hb, sizeof hb);
  b->data[OSPF_H_CKSUM] ^= 1; /* checksum */
  inject(r2, 0, a2, b);
  b = craft(OSPF_HELLO, rid2, 0, hb, sizeof hb);
  ospf_put16(b->data + OSPF_H_LEN, 200); /* longer than the datagram */
  inject(r2, 0, a2, b);
  inject(r2, 0, a2, craft(9, rid2, 0, hb, sizeof hb)); /* unknown type */
  b = g_byte_array_new();
  g_byte_array_append(b, hb, 10); /* shorter than a header */
  inject(r2, 0, a2, b);
  inject(r2, 0, a2, craft(OSPF_HELLO, rid2, 5, hb, sizeof hb)); /* area 0.0.0.5 */
  hello_body(hb, 0, 5, 40);
  inject(r2, 0, a2, craft(OSPF_HELLO, rid2, 0, hb, sizeof hb));       /* HelloInterval 5 */
  inject(r2, 0, a2, craft_lsu(rid2, 1, OSPF_LSA_ROUTER, FALSE, 0));   /* LSA checksum */
  inject(r2, 0, a2, craft_lsu(rid2, 3700, OSPF_LSA_ROUTER, TRUE, 0)); /* age > MaxAge */
  inject(r2, 0, a2, craft_lsu(rid2, 1, 7, TRUE, 0));                  /* LSA type 7 */
  inject(r2, 0, a2, craft_lsu(rid2, 1, OSPF_LSA_ROUTER, TRUE, 400));  /* LSA longer than the packet */
}

/* On the LANs: a good Hello, a /16 mask, another subnet to r2; to r1's passive interface. */
static void inject_on_lans(Node *h1, Node *h2)
{
  uint8_t hb[OSPF_HELLO_LEN];

  hello_body(hb, 0xffffff00u, 10, 40);
  inject(h2, 0, IP(10, 2, 0, 10), craft(OSPF_HELLO, IP(10, 2, 0, 10), 0, hb, sizeof hb)); /* r2's LAN: fine... */
  hello_body(hb, 0xffff0000u, 10, 40);
  inject(h2, 0, IP(10, 2, 0, 10), craft(OSPF_HELLO, IP(10, 2, 0, 10), 0, hb, sizeof hb)); /* ...mask /16 */
  hello_body(hb, 0xffffff00u, 10, 40);
  inject(h2, 0, IP(10, 9, 0, 10), craft(OSPF_HELLO, IP(10, 9, 0, 10), 0, hb, sizeof hb)); /* other subnet */
  /* r1's eth1 is passive: not in AllSPFRouters (IPv4 drops it), and to its address OSPF refuses it */
  inject(h1, 0, IP(10, 1, 0, 10), craft(OSPF_HELLO, IP(10, 1, 0, 10), 0, hb, sizeof hb));
  inject_to(h1, 0, IP(10, 1, 0, 10), IP(10, 1, 0, 1), craft(OSPF_HELLO, IP(10, 1, 0, 10), 0, hb, sizeof hb));
}

START_TEST(test_ospf_bad_packets)
{
  Lab *lab = bad_lab();
  Node *r1 = lab_find(lab, "r1"), *r2 = lab_find(lab, "r2"), *h1 = lab_find(lab, "h1"), *h2 = lab_find(lab, "h2");
  lab_run(lab, SIMTIME_S(10));
  ck_assert_int_eq(ospf_neighbor_state(r1->ospf, IP(10, 2, 0, 1)), OSPF_NBR_FULL);
  inject_from_r2(r2);
  inject_on_lans(h1, h2);
  lab_run(lab, SIMTIME_S(20));

  ck_assert_uint_eq(node_drops(r1, DROP_BAD_OSPF), 5);
  ck_assert_uint_eq(node_drops(r1, DROP_OSPF_MISMATCH), 2);
  ck_assert_uint_eq(node_drops(r1, DROP_BAD_LSA), 4);
  ck_assert_uint_eq(node_drops(r1, DROP_ROUTING_OFF), 1);
  ck_assert_uint_eq(node_drops(r1, DROP_NOT_MEMBER), 1);
  ck_assert_uint_eq(node_drops(r2, DROP_OSPF_MISMATCH), 2);
  ck_assert_int_eq(ospf_neighbor_state(r1->ospf, IP(10, 2, 0, 1)), OSPF_NBR_FULL);
  ck_assert_int_eq(ospf_neighbor_state(r2->ospf, IP(10, 2, 0, 10)), OSPF_NBR_INIT); /* the good Hello */
  GString *g = g_string_new(NULL);
  ospf_show_database(r1->ospf, g);
  ck_assert_ptr_null(strstr(g->str, "10.9.9.9"));
  g_string_free(g, TRUE);
  lab_free(lab);
}
END_TEST

/* ------------------------------------------------------------ pcap */

static char *tshark(const char *file, const char *filter, const char *field)
{
  char *out = NULL, *err = NULL;
  int status = 0;
  const char *argv[] = {"tshark", "-n", "-r", file, "-Y", filter, field ? "-T" : NULL, "fields", "-e", field, NULL};
  const char *verbose[] = {"tshark", "-n", "-V", "-r", file, "-Y", filter, NULL};

  if (!g_spawn_sync(NULL, (char **)(field && strcmp(field, "-V") == 0 ? verbose : argv), NULL, G_SPAWN_SEARCH_PATH,
                    NULL, NULL, &out, &err, &status, NULL))
    return NULL;
  g_free(err);
  return out;
}

static void capture(Iface *iface, const char *path)
{
  GError *e = NULL;
  iface->pcap = pcap_out_open(path, PCAP_OUT_SNAPLEN_MAX, iface->ops->pcap_linktype, &e);
  ck_assert_msg(iface->pcap, "%s", e ? e->message : "?");
}

/* The PPP pair (with a cost change flooded) and the LAN, captured: tshark
 * finds every packet type, nothing malformed, no expert warning. */
START_TEST(test_ospf_pcap_tshark)
{
  char *path = g_find_program_in_path("tshark");
  if (!path) {
    fprintf(stderr, "tshark not found: test_ospf_pcap_tshark checks nothing\n");
    return;
  }
  g_free(path);
  char *dir = g_dir_make_tmp("ospf-pcap-XXXXXX", NULL);
  char *ppp = g_build_filename(dir, "r1-eth0.pcap", NULL), *eth = g_build_filename(dir, "lan-r2.pcap", NULL);
  Lab *lab = pair_lab();
  lab_start(lab, NULL);
  capture(node_iface(lab_find(lab, "r1"), 0), ppp);
  scheduler_at(lab->net->ctx.sched, SIMTIME_S(20), set_cost, lab_find(lab, "r1"), GUINT_TO_POINTER(7));
  lab_run(lab, SIMTIME_S(40));
  lab_free(lab);
  lab = lan_lab();
  capture(node_iface(lab_find(lab, "r2"), 0), eth);
  lab_run(lab, SIMTIME_S(60));
  lab_free(lab);

  const char *files[] = {ppp, eth};
  for (guint f = 0; f < 2; f++) {
    char *bad = tshark(files[f], "ospf && (_ws.malformed || _ws.expert.severity >= warning)", NULL);
    ck_assert_ptr_nonnull(bad);
    ck_assert_msg(bad[0] == 0, "%s: %s", files[f], bad);
    char *types = tshark(files[f], "ospf", "ospf.msg");
    for (guint t = 1; t <= 5; t++) {
      char want[4];
      g_snprintf(want, sizeof want, "%u\n", t);
      ck_assert_msg(strstr(types, want), "%s: no OSPF type %u", files[f], t);
    }
    char *lsas = tshark(files[f], "ospf", "-V"); /* the dissector checks the packet checksum */
    ck_assert_ptr_nonnull(strstr(lsas, "[correct]"));
    ck_assert_ptr_null(strstr(lsas, "incorrect"));
    g_free(bad);
    g_free(types);
    g_free(lsas);
    if (!getenv("OSPF_KEEP"))
      g_unlink(files[f]);
  }
  if (!getenv("OSPF_KEEP"))
    g_rmdir(dir);
  g_free(ppp);
  g_free(eth);
  g_free(dir);
}
END_TEST

/* ------------------------------------------------------------ checksums */

/* The LSA checksum against RFC 1008's formula, computed here independently
 * (X = ((L - P) * C0 - C1) mod 255, Y = (C1 - (L - P + 1) * C0) mod 255,
 * P the 1-based position of the first checksum byte), on random LSAs. */
START_TEST(test_ospf_fletcher)
{
  Rng rng;
  rng_init(&rng, 5, "test/fletcher");
  for (guint t = 0; t < 1000; t++) {
    uint8_t l[200];
    size_t len = 20 + 4 * rng_below(&rng, 40);
    for (size_t i = 0; i < len; i++)
      l[i] = (uint8_t)rng_u64(&rng);
    ospf_put16(l + OSPF_L_LEN, (uint16_t)len);
    ospf_fletcher(l, len);
    int c0 = 0, c1 = 0;
    size_t n = len - 2, pos = 15;
    for (size_t i = 2; i < len; i++) {
      int v = (i == 16 || i == 17) ? 0 : l[i];
      c0 = (c0 + v) % 255;
      c1 = (c1 + c0) % 255;
    }
    int x = (int)((((long)(n - pos) * c0 - c1) % 255 + 255) % 255);
    int y = (int)(((c1 - (long)(n - pos + 1) * c0) % 255 + 255) % 255);
    ck_assert_int_eq(l[16], x ? x : 255);
    ck_assert_int_eq(l[17], y ? y : 255);
    ck_assert(ospf_fletcher_ok(l, len));
    l[5 + rng_below(&rng, len - 5)] ^= 0x10;
    ck_assert(!ospf_fletcher_ok(l, len));
  }
}
END_TEST

/* ------------------------------------------------------------ grid */

static uint32_t grid_addr(guint k, gboolean far)
{
  return IP(10, 0, 0, 0) + k * 4 + (far ? 2 : 1);
}

/* An n x n grid of routers on PPP links (1 Gbps, 1 ms: cost 1); link k's
 * subnet is 10.0.0.0 + 4k /30. Returns the lab; *ends gets each link's two
 * router indices. */
static Lab *grid_lab(guint n, GArray *ends)
{
  Lab *lab = lab_new(1, getenv("OSPF_GRID_TRACE") != NULL);
  guint links = 0;
  GArray *addrs = g_array_new(FALSE, TRUE, sizeof(Ipv4Prefix));
  g_array_set_size(addrs, n * n * 4);
  guint *deg = g_new0(guint, n * n);

  for (guint y = 0; y < n; y++)
    for (guint x = 0; x < n; x++)
      for (guint d = 0; d < 2; d++) {
        guint a = y * n + x, b = d ? a + n : a + 1;
        if ((d == 0 && x + 1 == n) || (d == 1 && y + 1 == n))
          continue;
        g_array_index(addrs, Ipv4Prefix, a * 4 + deg[a]++) = (Ipv4Prefix){grid_addr(links, FALSE), 30};
        g_array_index(addrs, Ipv4Prefix, b * 4 + deg[b]++) = (Ipv4Prefix){grid_addr(links, TRUE), 30};
        guint e[2] = {a, b};
        g_array_append_vals(ends, e, 2);
        links++;
      }
  for (guint i = 0; i < n * n; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "r%u_%u", i / n, i % n);
    lab_node(lab, name, NODE_KIND_ROUTER, deg[i], &g_array_index(addrs, Ipv4Prefix, i * 4));
    deg[i] = 0;
  }
  for (guint k = 0; k < links; k++) {
    guint a = g_array_index(ends, guint, 2 * k), b = g_array_index(ends, guint, 2 * k + 1);
    lab_link(lab, node_iface(network_node(lab->net, a), deg[a]++), node_iface(network_node(lab->net, b), deg[b]++),
             LINK_PPP, 1000000000, SIMTIME_MS(1));
  }
  g_array_free(addrs, TRUE);
  g_free(deg);
  lab_start(lab, NULL);
  return lab;
}

static guint grid_dist(guint n, guint a, guint b)
{
  guint ax = a % n, ay = a / n, bx = b % n, by = b / n;
  return (ax > bx ? ax - bx : bx - ax) + (ay > by ? ay - by : by - ay);
}

/* Every router's route to every link subnet: min distance to its ends + 1. */
static void grid_check(Lab *lab, guint n, GArray *ends, guint step)
{
  for (guint r = 0; r < n * n; r += step) {
    Node *node = network_node(lab->net, r);
    for (guint k = 0; k < ends->len / 2; k++) {
      guint a = g_array_index(ends, guint, 2 * k), b = g_array_index(ends, guint, 2 * k + 1);
      if (a == r || b == r)
        continue;
      const Route *p[ROUTE_MAX_PATHS];
      guint np = route_paths_prefix(node->ip->routes, grid_addr(k, FALSE) & ~3u, 30, p, ROUTE_MAX_PATHS);
      ck_assert_msg(np >= 1, "%s: no route to link %u", node->name, k);
      ck_assert_uint_eq(p[0]->metric, MIN(grid_dist(n, r, a), grid_dist(n, r, b)) + 1);
    }
  }
}

static uint64_t grid_sum(Lab *lab, uint64_t (*fn)(const Ospf *))
{
  uint64_t sum = 0;
  for (guint i = 0; i < lab->net->nodes->len; i++)
    sum += fn(network_node(lab->net, i)->ospf);
  return sum;
}

/* A 4 x 4 grid converges to the shortest paths; OSPF_GRID=N runs an N x N
 * grid for 300 s and prints its figures. */
START_TEST(test_ospf_grid)
{
  const char *env = getenv("OSPF_GRID");
  guint n = env ? (guint)atoi(env) : 4;
  SimTime stop = env ? SIMTIME_S(getenv("OSPF_GRID_STOP") ? atoi(getenv("OSPF_GRID_STOP")) : 300) : SIMTIME_S(30);
  GArray *ends = g_array_new(FALSE, FALSE, sizeof(guint));
  gint64 t0 = g_get_monotonic_time();
  Lab *lab = grid_lab(n, ends);
  gint64 t1 = g_get_monotonic_time();

  lab->net->ctx.last_route_change = -1;
  lab_run(lab, stop);
  gint64 t2 = g_get_monotonic_time();
  grid_check(lab, n, ends, env ? MAX(n * n / 16, 1) : 1);
  if (env)
    printf("grid=%u routers=%u links=%u build_s=%.2f run_s=%.2f events=%" G_GUINT64_FORMAT
           " ospf_packets=%" G_GUINT64_FORMAT " spf_runs=%" G_GUINT64_FORMAT " route_changes=%" G_GUINT64_FORMAT
           " last_route_change_s=%.3f lsa_blobs=%u\n",
           n, n * n, ends->len / 2, (t1 - t0) / 1e6, (t2 - t1) / 1e6, scheduler_executed(lab->net->ctx.sched),
           grid_sum(lab, ospf_packets_sent), grid_sum(lab, ospf_spf_runs), lab->net->ctx.route_changes,
           lab->net->ctx.last_route_change / 1e9, ospf_shared_blobs(lab->shared));
  if (getenv("OSPF_GRID_TRACE"))
    fputs(lab_trace(lab), stderr);
  lab_free(lab);
  g_array_free(ends, TRUE);
}
END_TEST

static void link_down(void *obj, void *arg)
{
  (void)arg;
  link_set_up(obj, FALSE);
}

/* Hop counts from `src` in the n x n grid without link `cut` (BFS). */
static void grid_bfs(guint n, GArray *ends, guint cut, guint src, guint *dist)
{
  guint *queue = g_new(guint, n * n), head = 0, tail = 0;

  for (guint i = 0; i < n * n; i++)
    dist[i] = G_MAXUINT;
  dist[src] = 0;
  queue[tail++] = src;
  while (head < tail) {
    guint v = queue[head++];
    for (guint k = 0; k < ends->len / 2; k++) {
      guint a = g_array_index(ends, guint, 2 * k), b = g_array_index(ends, guint, 2 * k + 1);
      guint w = a == v ? b : b == v ? a : G_MAXUINT;
      if (k != cut && w != G_MAXUINT && dist[w] == G_MAXUINT)
        dist[w] = dist[v] + 1, queue[tail++] = w;
    }
  }
  g_free(queue);
}

/* The 4 x 4 grid loses its link r0_0-r0_1 at 30 s: 30 s later r0_0's
 * routes are the shortest paths around it, the link's own subnet gone
 * from the routers that do not touch it. */
START_TEST(test_ospf_link_failure)
{
  GArray *ends = g_array_new(FALSE, FALSE, sizeof(guint));
  Lab *lab = grid_lab(4, ends);
  guint dist[16];

  scheduler_at(lab->net->ctx.sched, SIMTIME_S(30), link_down, network_link(lab->net, 0), NULL);
  lab_run(lab, SIMTIME_S(60));
  grid_bfs(4, ends, 0, 0, dist);
  Node *r00 = network_node(lab->net, 0);
  for (guint k = 1; k < ends->len / 2; k++) {
    guint a = g_array_index(ends, guint, 2 * k), b = g_array_index(ends, guint, 2 * k + 1);
    const Route *p[ROUTE_MAX_PATHS];
    guint np = route_paths_prefix(r00->ip->routes, grid_addr(k, FALSE) & ~3u, 30, p, ROUTE_MAX_PATHS);
    if (a == 0 || b == 0)
      continue;
    ck_assert_msg(np >= 1, "no route to link %u", k);
    ck_assert_uint_eq(p[0]->metric, MIN(dist[a], dist[b]) + 1);
    ck_assert_ptr_ne(p[0]->iface, node_iface(r00, 0)); /* never through the dead link */
  }
  const Route *p[ROUTE_MAX_PATHS];
  ck_assert_uint_eq(route_paths_prefix(network_node(lab->net, 5)->ip->routes, grid_addr(0, FALSE) & ~3u, 30, p, 4), 0);
  ck_assert_int_eq(ospf_neighbor_state(r00->ospf, ospf_router_id(network_node(lab->net, 1)->ospf)), OSPF_NBR_DOWN);
  lab_free(lab);
  g_array_free(ends, TRUE);
}
END_TEST

static Suite *ospf_suite(void)
{
  Suite *s = suite_create("ospf");
  TCase *tc = tcase_create("adjacency");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_ospf_fletcher);
  tcase_add_test(tc, test_ospf_ppp_full);
  tcase_add_test(tc, test_ospf_lan_election);
  tcase_add_test(tc, test_ospf_lost_update_retransmitted);
  suite_add_tcase(s, tc);
  tc = tcase_create("spf");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_ospf_spf_random);
  tcase_add_test(tc, test_ospf_areas);
  tcase_add_test(tc, test_ospf_externals);
  tcase_add_test(tc, test_ospf_externals_across_areas);
  tcase_add_test(tc, test_ospf_bad_packets);
  tcase_add_test(tc, test_ospf_pcap_tshark);
  suite_add_tcase(s, tc);
  tc = tcase_create("grid");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_ospf_grid);
  tcase_add_test(tc, test_ospf_link_failure);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(ospf_suite());
}
