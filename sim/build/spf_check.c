/*
 * The independent shortest-path check of `expect: converged` (see
 * spf_check.h). The topology is read from the live network: an
 * interface counts when its node is up and it has carrier; a switched
 * segment (switches joined by links that are up) is one segment, a link
 * between two IP interfaces another. The protocol settings of each
 * interface come from the scenario (RipConfig, OspfConfig), with the
 * `iface` events that ran so far.
 *
 * RIP (RFC 2453): a router's own RIP interfaces' subnets (and, with
 * redistribute connected, its other subnets) have metric 1; a route learnt
 * from a neighbour on a segment where the neighbour's interface runs RIP
 * and is not passive costs the neighbour's metric + 1 + the learning
 * interface's metric offset; 16 is unreachable (no RIP route). A router
 * holds one route, through any neighbour on a shortest path.
 *
 * OSPF (RFC 2328): per area, Dijkstra over routers and transit networks (a
 * segment of more than two OSPF routers, or of two on a broadcast
 * interface: router to network at the interface's cost, network to router
 * 0); point-to-point links as two router links plus each end's stub;
 * passive interfaces and segments with one router as stubs; interface
 * costs by ospf_cost_for(), the model's own rule; the whole ECMP set of
 * next hops (RFC 2328 16.1.1). Inter-area routes (16.2): to a prefix no
 * area of the router reaches, the least of (distance to an area border
 * router + that router's own cost to the prefix); a backbone router uses
 * the border routers' intra-area costs, a router of another area its own
 * border routers, whose cost is intra-area or through the backbone.
 *
 * Externals (16.4): the subnets of interfaces that are up where OSPF is
 * off (redist_connected), usable static routes (redist_static), 0.0.0.0/0
 * (default_originate), as E2 metric 20, through the nearest other router
 * that redistributes the prefix (the union of next hops on a tie), only
 * where no intra- or inter-area route exists. The path to that AS
 * boundary router: intra-area, else through the ASBR-summaries of the
 * area's border routers (a border router reads the backbone's only),
 * each advertising its preferred path when it lies in another area
 * (12.4.3); the preferred one as 16.4.1 (RFC1583Compatibility off). RIP
 * redistributes the same three kinds at metric 1.
 *
 * Not covered (said in doc/scenario.md): virtual links and transit
 * areas, a border router without a backbone adjacency, a prefix the
 * router itself has connected and up (not compared). Dijkstra is O(V^2)
 * per router: meant for teaching networks, not the benchmarks' grids.
 *
 * Entry point: spf_check().
 */
#include "sim/build/spf_check.h"

#include <string.h>

#include "models/internet/ipv4.h"
#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "sim/text/addr.h"

#define SPF_INF G_MAXUINT32

typedef struct {
  Iface *iface;
  uint32_t gw; /* 0: on-link */
} SpfHop;

/* A cost and its next hops (RIP: the candidates, one of which is held). */
typedef struct {
  uint32_t cost;
  guint n;
  SpfHop hops[ROUTE_MAX_PATHS];
} SpfPath;

/* The protocol settings of one interface now. */
typedef struct {
  gboolean rip_on, rip_passive, ospf_on, ospf_passive;
  uint32_t rip_offset, ospf_area, ospf_cost;
  OspfIfType ospf_type;
} SpfIf;

/* An edge of a protocol graph: to vertex `to` at `cost`, leaving by `out`
 * (for the root's first hop) towards `to_addr` (0 for a network). */
typedef struct {
  int to;
  uint32_t cost;
  Iface *out;
  uint32_t to_addr;
} SpfEdge;

/* A prefix attached to a vertex at a cost (an OSPF stub or transit network). */
typedef struct {
  int at;
  Ipv4Prefix p;
  uint32_t cost;
} SpfStub;

typedef struct {
  uint32_t id;
  gboolean *in;  /* per node: the router has an active interface in the area */
  GArray **adj;  /* per vertex: of SpfEdge */
  GArray *stubs; /* of SpfStub */
  SpfPath **spf; /* per node: its shortest paths to every vertex (computed on demand), or NULL */
} SpfArea;

typedef struct {
  Network *net;
  const Scenario *sc;
  guint n_nodes, n_segs, n_vert;
  GHashTable *seg_of;    /* Iface* -> its segment + 1 (IP interfaces that are up) */
  GPtrArray *seg_ifaces; /* per segment: GPtrArray of Iface* */
  GArray *seg_direct;    /* per segment: gboolean, a link without a switch */
  SpfIf **ifs;           /* per node, per interface */
  GArray *prefixes;      /* of Ipv4Prefix: every subnet of the network, sorted, once */
  GArray *areas;         /* of SpfArea */
  GPtrArray *problems;
  guint count;
} SpfNet;

/* ---- the topology ------------------------------------------------------ */

static int spf_find(int *parent, int i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

/* Joins switches linked by a link that is up; returns the parent array. */
static int *spf_switch_components(const Network *net)
{
  int *parent = g_new(int, net->nodes->len);
  for (guint i = 0; i < net->nodes->len; i++)
    parent[i] = (int)i;
  for (guint l = 0; l < net->links->len; l++) {
    const Link *link = network_link(net, l);
    const Node *a = link->ends[0]->node, *b = link->ends[1]->node;
    if (node_kind_is_l2(a->kind) && node_kind_is_l2(b->kind) && link->ends[0]->up && link->ends[1]->up)
      parent[spf_find(parent, (int)a->index)] = spf_find(parent, (int)b->index);
  }
  return parent;
}

/* Puts `iface` (an IP interface that is up) in the segment named by `key`. */
static void spf_add_to_segment(SpfNet *sn, GHashTable *keys, guint key, Iface *iface, gboolean direct)
{
  gpointer seg = g_hash_table_lookup(keys, GUINT_TO_POINTER(key + 1));
  if (!seg) {
    seg = GUINT_TO_POINTER(++sn->n_segs);
    g_hash_table_insert(keys, GUINT_TO_POINTER(key + 1), seg);
    g_ptr_array_add(sn->seg_ifaces, g_ptr_array_new());
    g_array_append_val(sn->seg_direct, direct);
  }
  g_ptr_array_add(g_ptr_array_index(sn->seg_ifaces, GPOINTER_TO_UINT(seg) - 1), iface);
  g_hash_table_insert(sn->seg_of, iface, seg);
}

/* Finds the segments: each IP interface that is up, by its link or its switches. */
static void spf_segments(SpfNet *sn)
{
  int *parent = spf_switch_components(sn->net);
  GHashTable *keys = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < sn->n_nodes; n++) {
    Node *node = network_node(sn->net, n);
    for (guint i = 0; node->ip && !node->down && i < node->ifaces->len; i++) {
      Iface *iface = node_iface(node, i), *peer = iface->link ? iface_peer(iface) : NULL;
      if (!iface->has_ip || !iface->up || !peer)
        continue;
      gboolean sw = node_kind_is_l2(peer->node->kind);
      guint key = sw ? sn->net->links->len + (guint)spf_find(parent, (int)peer->node->index) : iface->link->index;
      spf_add_to_segment(sn, keys, key, iface, !sw);
    }
  }
  g_hash_table_destroy(keys);
  g_free(parent);
}

/* The segment of `iface`, or -1 when it is in none (down, or no address). */
static int spf_seg(const SpfNet *sn, const Iface *iface)
{
  return GPOINTER_TO_INT(g_hash_table_lookup(sn->seg_of, iface)) - 1;
}

static int spf_prefix_compare(gconstpointer pa, gconstpointer pb)
{
  const Ipv4Prefix *a = pa, *b = pb;
  if (a->addr != b->addr)
    return a->addr < b->addr ? -1 : 1;
  return a->len < b->len ? -1 : a->len > b->len;
}

/* Adds the prefixes that routers redistribute beyond their subnets: static routes, the default. */
static void spf_redist_prefixes(SpfNet *sn)
{
  for (guint n = 0; n < sn->n_nodes; n++) {
    const ScenarioNode *snode = scenario_node(sn->sc, n);
    Node *node = network_node(sn->net, n);
    gboolean rip = snode->routing == SCENARIO_ROUTING_RIP, ospf = snode->routing == SCENARIO_ROUTING_OSPF;
    Ipv4Prefix def = {0, 0};
    if ((rip && snode->rip.default_originate) || (ospf && snode->ospf.default_originate))
      g_array_append_val(sn->prefixes, def);
    if (!node->ip || !((rip && snode->rip.redist_static) || (ospf && snode->ospf.redist_static)))
      continue;
    const GArray *routes = route_table_routes(node->ip->routes);
    for (guint i = 0; i < routes->len; i++) {
      const Route *r = &g_array_index(routes, Route, i);
      Ipv4Prefix p = {r->prefix, r->len};
      if (r->origin == ROUTE_STATIC)
        g_array_append_val(sn->prefixes, p);
    }
  }
}

/* Every subnet of every interface of every host and router, and what
 * routers redistribute, once, sorted. */
static void spf_prefixes(SpfNet *sn)
{
  sn->prefixes = g_array_new(FALSE, FALSE, sizeof(Ipv4Prefix));
  for (guint n = 0; n < sn->n_nodes; n++) {
    Node *node = network_node(sn->net, n);
    for (guint i = 0; node->ip && i < node->ifaces->len; i++) {
      const Iface *iface = node_iface(node, i);
      Ipv4Prefix p = {iface->ip.addr & addr_mask(iface->ip.len), iface->ip.len};
      if (iface->has_ip)
        g_array_append_val(sn->prefixes, p);
    }
  }
  spf_redist_prefixes(sn);
  g_array_sort(sn->prefixes, spf_prefix_compare);
  guint kept = 0;
  for (guint i = 0; i < sn->prefixes->len; i++)
    if (kept == 0 || spf_prefix_compare(&g_array_index(sn->prefixes, Ipv4Prefix, kept - 1),
                                        &g_array_index(sn->prefixes, Ipv4Prefix, i)) != 0)
      g_array_index(sn->prefixes, Ipv4Prefix, kept++) = g_array_index(sn->prefixes, Ipv4Prefix, i);
  g_array_set_size(sn->prefixes, kept);
}

/* ---- protocol settings ----------------------------------------------- */

/* The settings of interface i of scenario node `snode` at the start of the run. */
static SpfIf spf_if_start(const ScenarioNode *snode, const Iface *iface, guint i)
{
  SpfIf s = {0};
  RipIfaceConfig rc;
  OspfIfaceConfig oc;
  rip_iface_config_defaults(&rc);
  ospf_iface_config_defaults(&oc);
  if (snode->rip.ifaces && i < snode->rip.ifaces->len)
    rc = g_array_index(snode->rip.ifaces, RipIfaceConfig, i);
  if (snode->ospf.ifaces && i < snode->ospf.ifaces->len)
    oc = g_array_index(snode->ospf.ifaces, OspfIfaceConfig, i);
  s.rip_on = snode->routing == SCENARIO_ROUTING_RIP && rc.enabled;
  s.rip_passive = rc.passive;
  s.rip_offset = rc.metric_offset;
  s.ospf_on = snode->routing == SCENARIO_ROUTING_OSPF && oc.enabled;
  s.ospf_passive = oc.passive;
  s.ospf_area = oc.area;
  s.ospf_type = oc.type;
  s.ospf_cost = ospf_cost_for(&oc, snode->ospf.reference_bps, iface->link ? iface->link->rate_bps : 0);
  return s;
}

/* The settings now: those of the scenario, changed by the events run so far. */
static void spf_settings(SpfNet *sn)
{
  SimTime now = network_now(sn->net);
  sn->ifs = g_new0(SpfIf *, sn->n_nodes);
  for (guint n = 0; n < sn->n_nodes; n++) {
    const ScenarioNode *snode = scenario_node(sn->sc, n);
    Node *node = network_node(sn->net, n);
    sn->ifs[n] = g_new0(SpfIf, node->ifaces->len + 1);
    for (guint i = 0; i < node->ifaces->len; i++)
      sn->ifs[n][i] = spf_if_start(snode, node_iface(node, i), i);
  }
  for (guint e = 0; e < sn->sc->events->len; e++) {
    const ScenarioEvent *ev = &g_array_index(sn->sc->events, ScenarioEvent, e);
    if (ev->at > now)
      break;
    SpfIf *s = ev->kind == SCENARIO_EVENT_IFACE_COST || ev->kind == SCENARIO_EVENT_IFACE_ROUTING
                   ? &sn->ifs[ev->node][ev->iface]
                   : NULL;
    RouteOrigin proto = ev->protocol == SCENARIO_ROUTING_RIP ? ROUTE_RIP : ROUTE_OSPF;
    gboolean runs =
        scenario_node(sn->sc, ev->node)->routing == (proto == ROUTE_RIP ? SCENARIO_ROUTING_RIP : SCENARIO_ROUTING_OSPF);
    if (s && ev->kind == SCENARIO_EVENT_IFACE_COST)
      s->ospf_cost = ev->cost;
    else if (s && proto == ROUTE_RIP)
      s->rip_on = runs && ev->on;
    else if (s)
      s->ospf_on = runs && ev->on;
  }
}

/* ---- paths and comparison -------------------------------------------- */

static gboolean spf_path_has(const SpfPath *p, const SpfHop *h)
{
  for (guint i = 0; i < p->n; i++)
    if (p->hops[i].iface == h->iface && p->hops[i].gw == h->gw)
      return TRUE;
  return FALSE;
}

/* Adds the hops of `from` to `to` (a union, at most ROUTE_MAX_PATHS). */
static void spf_path_union(SpfPath *to, const SpfPath *from)
{
  for (guint i = 0; i < from->n && to->n < ROUTE_MAX_PATHS; i++)
    if (!spf_path_has(to, &from->hops[i]))
      to->hops[to->n++] = from->hops[i];
}

/* Keeps the better of `best` and `cand` (both when they cost the same). */
static void spf_path_min(SpfPath *best, const SpfPath *cand)
{
  if (cand->cost == SPF_INF || cand->cost > best->cost)
    return;
  if (cand->cost < best->cost) {
    *best = *cand;
    return;
  }
  spf_path_union(best, cand);
}

/* Appends "10.0.12.2%eth1" for each hop, `sep` between. */
static void spf_format_hops(GString *s, const SpfHop *hops, guint n, const char *sep)
{
  char gw[ADDR_IPV4_TEXT];
  for (guint i = 0; i < n; i++) {
    g_string_append(s, i ? sep : "");
    if (hops[i].gw)
      g_string_append_printf(s, "%s%%", addr_format_ipv4(hops[i].gw, gw));
    g_string_append(s, hops[i].iface->name);
  }
}

/* The routes of `origin` that `node` holds to exactly `p`: fills found. */
static void spf_found(Node *node, RouteOrigin origin, Ipv4Prefix p, SpfPath *found)
{
  const GArray *routes = route_table_routes(node->ip->routes);
  *found = (SpfPath){.cost = SPF_INF};
  for (guint i = 0; i < routes->len && found->n < ROUTE_MAX_PATHS; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->origin != origin || r->prefix != p.addr || r->len != p.len)
      continue;
    found->cost = found->n ? MAX(found->cost, r->metric) : r->metric;
    found->hops[found->n++] = (SpfHop){r->iface, r->gateway};
  }
}

/* TRUE when `found` is what `want` asks: no route when want costs
 * `limit` or more; else RIP one route through one of the candidates, OSPF
 * exactly the set; every route at want's cost. */
static gboolean spf_agrees(const SpfPath *want, const SpfPath *found, RouteOrigin origin, uint32_t limit)
{
  if (want->cost >= limit)
    return found->n == 0;
  if (found->n == 0 || found->cost != want->cost || (origin == ROUTE_RIP && found->n != 1))
    return FALSE;
  for (guint i = 0; i < found->n; i++)
    if (!spf_path_has(want, &found->hops[i]))
      return FALSE;
  return origin == ROUTE_RIP || found->n == want->n;
}

/* Compares `node`'s routes of `origin` to `p` with `want`; records a problem line. */
static void spf_compare(SpfNet *sn, Node *node, RouteOrigin origin, Ipv4Prefix p, const SpfPath *want, uint32_t limit)
{
  SpfPath found;
  char pfx[ADDR_CIDR_TEXT];
  const char *proto = route_origin_name(origin);
  spf_found(node, origin, p, &found);
  if (spf_agrees(want, &found, origin, limit))
    return;
  sn->count++;
  GString *s = g_string_new(NULL);
  g_string_printf(s, "%s %s: expected ", node->name, addr_format_cidr(p.addr, p.len, pfx));
  if (want->cost >= limit)
    g_string_append_printf(s, "no %s route%s", proto, origin == ROUTE_RIP ? " (unreachable: 16 hops or more)" : "");
  else
    g_string_append_printf(s, "%s metric %u via ", proto, want->cost);
  if (want->cost < limit)
    spf_format_hops(s, want->hops, want->n, origin == ROUTE_RIP ? " or " : " ");
  g_string_append(s, ", found ");
  if (found.n == 0)
    g_string_append_printf(s, "no %s route", proto);
  else
    g_string_append_printf(s, "%s metric %u via ", proto, found.cost);
  spf_format_hops(s, found.hops, found.n, " ");
  g_ptr_array_add(sn->problems, g_string_free(s, FALSE));
}

/* TRUE when `node` has an interface that is up in `p` (a connected prefix: not compared). */
static gboolean spf_connected(const Node *node, Ipv4Prefix p)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *iface = node_iface(node, i);
    if (iface->has_ip && iface->up && iface->ip.len == p.len && (iface->ip.addr & addr_mask(p.len)) == p.addr)
      return TRUE;
  }
  return FALSE;
}

static gboolean spf_runs(const SpfNet *sn, guint n, ScenarioRouting routing)
{
  return scenario_node(sn->sc, n)->routing == routing && !network_node(sn->net, n)->down;
}

/* ---- redistribution --------------------------------------------------- */

/* TRUE when node n, running `routing`, originates `p` from outside the
 * protocol: with redistribute connected the subnet of an interface that is
 * up where the protocol is off, with redistribute static a usable static
 * route (OSPF: not the default), with default-originate 0.0.0.0/0. */
static gboolean spf_redistributes(const SpfNet *sn, guint n, ScenarioRouting routing, Ipv4Prefix p)
{
  const ScenarioNode *snode = scenario_node(sn->sc, n);
  gboolean rip = routing == SCENARIO_ROUTING_RIP;
  gboolean conn = rip ? snode->rip.redist_connected : snode->ospf.redist_connected;
  gboolean stat = rip ? snode->rip.redist_static : snode->ospf.redist_static;
  gboolean def = rip ? snode->rip.default_originate : snode->ospf.default_originate;
  if (!(conn || stat || def) || !spf_runs(sn, n, routing))
    return FALSE;
  if (def && p.len == 0)
    return TRUE;
  Node *node = network_node(sn->net, n);
  for (guint i = 0; conn && i < node->ifaces->len; i++) {
    const Iface *f = node_iface(node, i);
    gboolean on = rip ? sn->ifs[n][i].rip_on : sn->ifs[n][i].ospf_on;
    if (f->has_ip && f->up && !on && f->ip.len == p.len && (f->ip.addr & addr_mask(p.len)) == p.addr)
      return TRUE;
  }
  const GArray *routes = route_table_routes(node->ip->routes);
  for (guint i = 0; stat && i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->origin == ROUTE_STATIC && r->prefix == p.addr && r->len == p.len && (!r->iface || r->iface->up) &&
        (rip || r->len > 0))
      return TRUE;
  }
  return FALSE;
}

/* ---- RIP ------------------------------------------------------------- */

/* The learning edges: to[n] lists the edges by which routers learn from n
 * (SpfEdge.to: the learner; out: its interface; to_addr: n's address). */
static GArray **spf_rip_edges(SpfNet *sn)
{
  GArray **from = g_new0(GArray *, sn->n_nodes);
  for (guint n = 0; n < sn->n_nodes; n++)
    from[n] = g_array_new(FALSE, FALSE, sizeof(SpfEdge));
  for (guint s = 0; s < sn->n_segs; s++) {
    GPtrArray *ifaces = g_ptr_array_index(sn->seg_ifaces, s);
    for (guint a = 0; a < ifaces->len; a++)
      for (guint b = 0; b < ifaces->len; b++) {
        Iface *la = g_ptr_array_index(ifaces, a), *lb = g_ptr_array_index(ifaces, b);
        const SpfIf *ia = &sn->ifs[la->node->index][la->index], *ib = &sn->ifs[lb->node->index][lb->index];
        if (la->node == lb->node || !ia->rip_on || !ib->rip_on || ib->rip_passive)
          continue;
        SpfEdge e = {(int)la->node->index, 1 + ia->rip_offset, la, lb->ip.addr};
        g_array_append_val(from[lb->node->index], e);
      }
  }
  return from;
}

/* RIP metrics to `p` from every router (Bellman-Ford from the origins). */
static void spf_rip_metrics(SpfNet *sn, GArray **from, Ipv4Prefix p, uint32_t *metric)
{
  gboolean changed = TRUE;
  for (guint n = 0; n < sn->n_nodes; n++) {
    Node *node = network_node(sn->net, n);
    metric[n] = SPF_INF;
    for (guint i = 0; spf_runs(sn, n, SCENARIO_ROUTING_RIP) && i < node->ifaces->len; i++) {
      const Iface *iface = node_iface(node, i);
      gboolean in =
          iface->has_ip && iface->up && (iface->ip.addr & addr_mask(p.len)) == p.addr && iface->ip.len == p.len;
      if (in && (sn->ifs[n][i].rip_on || scenario_node(sn->sc, n)->rip.redist_connected))
        metric[n] = 1;
    }
    if (spf_redistributes(sn, n, SCENARIO_ROUTING_RIP, p))
      metric[n] = 1;
  }
  while (changed) {
    changed = FALSE;
    for (guint n = 0; n < sn->n_nodes; n++)
      for (guint k = 0; metric[n] < RIP_INFINITY && k < from[n]->len; k++) {
        const SpfEdge *e = &g_array_index(from[n], SpfEdge, k);
        uint32_t m = metric[n] + e->cost;
        if (m < metric[e->to]) {
          metric[e->to] = m;
          changed = TRUE;
        }
      }
  }
}

/* Checks every RIP router's RIP routes to `p`. */
static void spf_rip_prefix(SpfNet *sn, GArray **from, Ipv4Prefix p, uint32_t *metric)
{
  spf_rip_metrics(sn, from, p, metric);
  for (guint r = 0; r < sn->n_nodes; r++) {
    Node *node = network_node(sn->net, r);
    if (!spf_runs(sn, r, SCENARIO_ROUTING_RIP) || spf_connected(node, p) || metric[r] == 1)
      continue; /* metric 1: its own route (learnt ones cost 2 or more) */
    SpfPath want = {.cost = metric[r] >= RIP_INFINITY ? RIP_INFINITY : metric[r]};
    for (guint n = 0; want.cost < RIP_INFINITY && n < sn->n_nodes; n++)
      for (guint k = 0; metric[n] != SPF_INF && k < from[n]->len; k++) {
        const SpfEdge *e = &g_array_index(from[n], SpfEdge, k);
        SpfHop h = {e->out, e->to_addr};
        if (e->to == (int)r && metric[n] + e->cost == want.cost && want.n < ROUTE_MAX_PATHS && !spf_path_has(&want, &h))
          want.hops[want.n++] = h;
      }
    spf_compare(sn, node, ROUTE_RIP, p, &want, RIP_INFINITY);
  }
}

static void spf_rip(SpfNet *sn)
{
  GArray **from = spf_rip_edges(sn);
  uint32_t *metric = g_new(uint32_t, sn->n_nodes);
  for (guint i = 0; i < sn->prefixes->len; i++)
    spf_rip_prefix(sn, from, g_array_index(sn->prefixes, Ipv4Prefix, i), metric);
  for (guint n = 0; n < sn->n_nodes; n++)
    g_array_free(from[n], TRUE);
  g_free(from);
  g_free(metric);
}

/* ---- OSPF: the area graphs -------------------------------------------- */

/* TRUE when `iface` takes part in OSPF now: its router runs OSPF, it is up and enabled. */
static gboolean spf_ospf_active(const SpfNet *sn, const Iface *iface)
{
  return spf_runs(sn, iface->node->index, SCENARIO_ROUTING_OSPF) && spf_seg(sn, iface) >= 0 &&
         sn->ifs[iface->node->index][iface->index].ospf_on;
}

static SpfArea *spf_area(SpfNet *sn, uint32_t id)
{
  for (guint i = 0; i < sn->areas->len; i++)
    if (g_array_index(sn->areas, SpfArea, i).id == id)
      return &g_array_index(sn->areas, SpfArea, i);
  SpfArea a = {.id = id, .in = g_new0(gboolean, sn->n_nodes), .adj = g_new0(GArray *, sn->n_vert)};
  a.stubs = g_array_new(FALSE, FALSE, sizeof(SpfStub));
  a.spf = g_new0(SpfPath *, sn->n_nodes);
  for (guint v = 0; v < sn->n_vert; v++)
    a.adj[v] = g_array_new(FALSE, FALSE, sizeof(SpfEdge));
  g_array_append_val(sn->areas, a);
  return &g_array_index(sn->areas, SpfArea, sn->areas->len - 1);
}

static void spf_edge(SpfArea *a, int from, int to, uint32_t cost, Iface *out, uint32_t to_addr)
{
  SpfEdge e = {to, cost, out, to_addr};
  g_array_append_val(a->adj[from], e);
}

static void spf_stub(SpfArea *a, int at, const Iface *iface, uint32_t cost)
{
  SpfStub st = {at, {iface->ip.addr & addr_mask(iface->ip.len), iface->ip.len}, cost};
  g_array_append_val(a->stubs, st);
}

/* The OSPF interfaces of segment s in area `id` that form adjacencies. */
static GPtrArray *spf_seg_ospf(const SpfNet *sn, guint s, uint32_t id)
{
  GPtrArray *ifaces = g_ptr_array_index(sn->seg_ifaces, s), *out = g_ptr_array_new();
  for (guint i = 0; i < ifaces->len; i++) {
    Iface *iface = g_ptr_array_index(ifaces, i);
    const SpfIf *st = &sn->ifs[iface->node->index][iface->index];
    if (spf_ospf_active(sn, iface) && !st->ospf_passive && st->ospf_area == id)
      g_ptr_array_add(out, iface);
  }
  return out;
}

/* TRUE when the two OSPF interfaces of a segment run point-to-point. */
static gboolean spf_seg_p2p(const SpfNet *sn, guint s, const GPtrArray *l)
{
  for (guint i = 0; i < l->len; i++) {
    const Iface *iface = g_ptr_array_index(l, i);
    OspfIfType t = sn->ifs[iface->node->index][iface->index].ospf_type;
    if (t == OSPF_IF_BROADCAST || (t == OSPF_IF_AUTO && !g_array_index(sn->seg_direct, gboolean, s)))
      return FALSE;
  }
  return l->len == 2;
}

/* Adds segment s to area a's graph: two router links, or a transit network. Returns TRUE for a transit network. */
static gboolean spf_area_segment(SpfNet *sn, SpfArea *a, guint s)
{
  GPtrArray *l = spf_seg_ospf(sn, s, a->id);
  gboolean p2p = spf_seg_p2p(sn, s, l), transit = l->len >= 2 && !p2p;
  int net = (int)(sn->n_nodes + s);
  for (guint i = 0; l->len >= 2 && i < l->len; i++) {
    Iface *x = g_ptr_array_index(l, i);
    uint32_t cost = sn->ifs[x->node->index][x->index].ospf_cost;
    if (p2p) { /* two ends: the other one is y */
      Iface *y = g_ptr_array_index(l, 1 - i);
      spf_edge(a, (int)x->node->index, (int)y->node->index, cost, x, y->ip.addr);
      continue;
    }
    spf_edge(a, (int)x->node->index, net, cost, x, 0);
    spf_edge(a, net, (int)x->node->index, 0, NULL, x->ip.addr);
  }
  if (transit)
    spf_stub(a, net, g_ptr_array_index(l, 0), 0);
  g_ptr_array_free(l, TRUE);
  return transit;
}

/* Builds every area's graph and stubs. */
static void spf_ospf_graphs(SpfNet *sn)
{
  sn->areas = g_array_new(FALSE, FALSE, sizeof(SpfArea));
  for (guint n = 0; n < sn->n_nodes; n++) {
    Node *node = network_node(sn->net, n);
    for (guint i = 0; i < node->ifaces->len; i++)
      if (spf_ospf_active(sn, node_iface(node, i)))
        spf_area(sn, sn->ifs[n][i].ospf_area)->in[n] = TRUE;
  }
  for (guint k = 0; k < sn->areas->len; k++) {
    SpfArea *a = &g_array_index(sn->areas, SpfArea, k);
    gboolean *transit = g_new0(gboolean, sn->n_segs + 1);
    for (guint s = 0; s < sn->n_segs; s++)
      transit[s] = spf_area_segment(sn, a, s);
    for (guint n = 0; n < sn->n_nodes; n++)
      for (guint i = 0; i < network_node(sn->net, n)->ifaces->len; i++) {
        Iface *iface = node_iface(network_node(sn->net, n), i);
        if (spf_ospf_active(sn, iface) && sn->ifs[n][i].ospf_area == a->id && !transit[spf_seg(sn, iface)])
          spf_stub(a, (int)n, iface, sn->ifs[n][i].ospf_cost);
      }
    g_free(transit);
  }
}

/* ---- OSPF: Dijkstra and routes ---------------------------------------- */

/* The next hops of v reached from u by edge e (RFC 2328 16.1.1); `direct`
 * marks the networks attached to the root. */
static void spf_next_hops(int root, int u, const SpfEdge *e, const SpfPath *pu, const gboolean *direct, SpfPath *out)
{
  out->n = 0;
  if (u == root) {
    out->hops[out->n++] = (SpfHop){e->out, e->to_addr};
  } else if (direct[u]) {
    out->hops[out->n++] = (SpfHop){pu->hops[0].iface, e->to_addr};
  } else {
    spf_path_union(out, pu);
  }
}

/* Dijkstra over area a from router `root`: returns per vertex its cost and next hops. */
static SpfPath *spf_dijkstra(const SpfNet *sn, const SpfArea *a, int root)
{
  SpfPath *d = g_new0(SpfPath, sn->n_vert);
  gboolean *done = g_new0(gboolean, sn->n_vert), *direct = g_new0(gboolean, sn->n_vert);
  for (guint v = 0; v < sn->n_vert; v++)
    d[v].cost = SPF_INF;
  d[root].cost = 0;
  for (;;) {
    int u = -1;
    for (guint v = 0; v < sn->n_vert; v++)
      if (!done[v] && d[v].cost != SPF_INF && (u < 0 || d[v].cost < d[u].cost))
        u = (int)v;
    if (u < 0)
      break;
    done[u] = TRUE;
    for (guint k = 0; k < a->adj[u]->len; k++) {
      const SpfEdge *e = &g_array_index(a->adj[u], SpfEdge, k);
      SpfPath via = {.cost = d[u].cost + e->cost};
      if (done[e->to] || via.cost > d[e->to].cost)
        continue;
      spf_next_hops(root, u, e, &d[u], direct, &via);
      direct[e->to] = u == root && e->to_addr == 0;
      spf_path_min(&d[e->to], &via);
    }
  }
  g_free(done);
  g_free(direct);
  return d;
}

static const SpfPath *spf_paths(const SpfNet *sn, SpfArea *a, guint root)
{
  if (!a->spf[root])
    a->spf[root] = spf_dijkstra(sn, a, (int)root);
  return a->spf[root];
}

/* TRUE when router `root` has a link to vertex v in area a. */
static gboolean spf_attached(const SpfArea *a, guint root, int v)
{
  for (guint k = 0; k < a->adj[root]->len; k++)
    if (g_array_index(a->adj[root], SpfEdge, k).to == v)
      return TRUE;
  return FALSE;
}

/* The intra-area path of `root` in area a to `p`; *connected is set when
 * `p` is attached to the root itself (then not compared). */
static void spf_intra(const SpfNet *sn, SpfArea *a, guint root, Ipv4Prefix p, SpfPath *out, gboolean *connected)
{
  const SpfPath *d = spf_paths(sn, a, root);
  *out = (SpfPath){.cost = SPF_INF};
  for (guint i = 0; i < a->stubs->len; i++) {
    const SpfStub *st = &g_array_index(a->stubs, SpfStub, i);
    if (st->p.addr != p.addr || st->p.len != p.len || d[st->at].cost == SPF_INF)
      continue;
    *connected |= st->at == (int)root || (st->at >= (int)sn->n_nodes && spf_attached(a, root, st->at));
    SpfPath cand = d[st->at];
    cand.cost += st->cost;
    spf_path_min(out, &cand);
  }
}

static gboolean spf_is_abr(const SpfNet *sn, guint n)
{
  guint areas = 0;
  for (guint k = 0; k < sn->areas->len; k++)
    areas += g_array_index(sn->areas, SpfArea, k).in[n];
  return areas >= 2;
}

/* The best intra-area path of router n to `p` over its areas, except area
 * `skip` (NULL: none); *connected as spf_intra(). */
static void spf_intra_all(const SpfNet *sn, guint n, Ipv4Prefix p, const SpfArea *skip, SpfPath *best,
                          gboolean *connected)
{
  *best = (SpfPath){.cost = SPF_INF};
  for (guint k = 0; k < sn->areas->len; k++) {
    SpfArea *a = &g_array_index(sn->areas, SpfArea, k);
    SpfPath cand;
    if (a == skip || !a->in[n])
      continue;
    spf_intra(sn, a, n, p, &cand, connected);
    spf_path_min(best, &cand);
  }
}

/* Summaries seen in area a by `root`: for each border router b of a,
 * root's path to b plus b's cost to `p` (b_cost(b) of SpfPath cost). */
static void spf_summaries(const SpfNet *sn, SpfArea *a, guint root, const uint32_t *b_cost, SpfPath *best)
{
  const SpfPath *d = spf_paths(sn, a, root);
  for (guint b = 0; b < sn->n_nodes; b++) {
    if (b == root || !a->in[b] || b_cost[b] == SPF_INF || d[b].cost == SPF_INF || !spf_is_abr(sn, b))
      continue;
    SpfPath cand = d[b];
    cand.cost += b_cost[b];
    spf_path_min(best, &cand);
  }
}

/* Each border router's own intra-area cost to `p` in the areas other than `not_in`. */
static void spf_abr_intra(const SpfNet *sn, Ipv4Prefix p, const SpfArea *not_in, uint32_t *cost)
{
  for (guint b = 0; b < sn->n_nodes; b++) {
    SpfPath path = {.cost = SPF_INF};
    gboolean connected = FALSE;
    if (spf_is_abr(sn, b))
      spf_intra_all(sn, b, p, not_in, &path, &connected);
    cost[b] = path.cost;
  }
}

/* The inter-area path of `root` to `p` (RFC 2328 16.2). */
static void spf_inter(const SpfNet *sn, guint root, Ipv4Prefix p, SpfPath *best)
{
  SpfArea *backbone = NULL;
  uint32_t *cost = g_new(uint32_t, sn->n_nodes), *via_bb = g_new(uint32_t, sn->n_nodes);
  for (guint k = 0; k < sn->areas->len; k++)
    if (g_array_index(sn->areas, SpfArea, k).id == 0)
      backbone = &g_array_index(sn->areas, SpfArea, k);
  spf_abr_intra(sn, p, backbone, cost);
  if (backbone && backbone->in[root]) {
    spf_summaries(sn, backbone, root, cost, best);
  } else if (backbone) {
    for (guint b = 0; b < sn->n_nodes; b++) { /* a border router's own route: intra-area, else through the backbone */
      SpfPath own = {.cost = SPF_INF};
      gboolean connected = FALSE, abr = spf_is_abr(sn, b) && backbone->in[b];
      if (abr)
        spf_intra_all(sn, b, p, NULL, &own, &connected);
      if (abr && own.cost == SPF_INF)
        spf_summaries(sn, backbone, b, cost, &own);
      via_bb[b] = abr ? own.cost : SPF_INF;
    }
    for (guint k = 0; k < sn->areas->len; k++)
      if (g_array_index(sn->areas, SpfArea, k).in[root])
        spf_summaries(sn, &g_array_index(sn->areas, SpfArea, k), root, via_bb, best);
  }
  g_free(cost);
  g_free(via_bb);
}

/* ---- OSPF: AS boundary routers and externals -------------------------- */

#define SPF_EXT_METRIC 20 /* E2, FRR's default metric for redistributed routes */

static gboolean spf_asbr_best(const SpfNet *sn, guint r, guint a, SpfPath *best, uint32_t *area);

/* Border router b's best intra-area path to ASBR a in a non-backbone area
 * (on a cost tie, the largest area ID); *area: its ID. */
static void spf_asbr_local(const SpfNet *sn, guint b, guint a, SpfPath *best, uint32_t *area)
{
  *best = (SpfPath){.cost = SPF_INF};
  for (guint k = 0; k < sn->areas->len; k++) {
    SpfArea *x = &g_array_index(sn->areas, SpfArea, k);
    if (x->id == 0 || !x->in[b] || !x->in[a])
      continue;
    const SpfPath *d = spf_paths(sn, x, b);
    if (d[a].cost < best->cost || (d[a].cost == best->cost && d[a].cost != SPF_INF && x->id > *area)) {
      *best = d[a];
      *area = x->id;
    }
  }
}

/* The cost for ASBR a that border router b advertises into area `into`
 * (RFC 2328 12.4.3: its preferred path, when that lies in another area).
 * Into the backbone only a path in a non-backbone area qualifies, and
 * such a path (intra-area, non-backbone) is always b's preferred one. */
static uint32_t spf_asbr_adv(const SpfNet *sn, guint b, guint a, const SpfArea *into)
{
  SpfPath p;
  uint32_t area = 0;
  if (into->id == 0) {
    spf_asbr_local(sn, b, a, &p, &area);
    return p.cost;
  }
  return spf_asbr_best(sn, b, a, &p, &area) && area != into->id ? p.cost : SPF_INF;
}

/* Router r's path to ASBR a in area x: intra-area, else through the
 * ASBR-summaries of x's border routers (a border router reads the
 * backbone's only). Returns TRUE for an intra-area path. */
static gboolean spf_asbr_in_area(const SpfNet *sn, SpfArea *x, guint r, guint a, SpfPath *out)
{
  const SpfPath *d = spf_paths(sn, x, r);
  *out = (SpfPath){.cost = SPF_INF};
  if (x->in[a] && d[a].cost != SPF_INF) {
    *out = d[a];
    return TRUE;
  }
  if (x->id != 0 && spf_is_abr(sn, r))
    return FALSE;
  for (guint b = 0; b < sn->n_nodes; b++) {
    if (b == r || b == a || !x->in[b] || d[b].cost == SPF_INF || !spf_is_abr(sn, b))
      continue;
    uint32_t adv = spf_asbr_adv(sn, b, a, x);
    SpfPath cand = d[b];
    cand.cost = adv == SPF_INF ? SPF_INF : d[b].cost + adv;
    spf_path_min(out, &cand);
  }
  return FALSE;
}

/* Router r's preferred path to ASBR a over its areas (16.4.1,
 * RFC1583Compatibility off): intra-area in a non-backbone area first,
 * then the least cost, then the largest area ID; *area: its area. */
static gboolean spf_asbr_best(const SpfNet *sn, guint r, guint a, SpfPath *best, uint32_t *area)
{
  int best_rank = 2;
  *best = (SpfPath){.cost = SPF_INF};
  for (guint k = 0; k < sn->areas->len; k++) {
    SpfArea *x = &g_array_index(sn->areas, SpfArea, k);
    SpfPath p;
    if (!x->in[r])
      continue;
    int rank = spf_asbr_in_area(sn, x, r, a, &p) && x->id != 0 ? 0 : 1;
    if (p.cost == SPF_INF)
      continue;
    if (rank < best_rank || (rank == best_rank && (p.cost < best->cost || (p.cost == best->cost && x->id > *area)))) {
      *best = p;
      *area = x->id;
      best_rank = rank;
    }
  }
  return best->cost != SPF_INF;
}

/* Router r's AS-external route to `p` (16.4): E2 metric 20 from every
 * other router that redistributes it, through the nearest of them (the
 * union of the next hops on a tie). */
static void spf_external(const SpfNet *sn, guint r, Ipv4Prefix p, SpfPath *want)
{
  SpfPath best = {.cost = SPF_INF};
  for (guint a = 0; a < sn->n_nodes; a++) {
    SpfPath to;
    uint32_t area = 0;
    if (a != r && spf_redistributes(sn, a, SCENARIO_ROUTING_OSPF, p) && spf_asbr_best(sn, r, a, &to, &area))
      spf_path_min(&best, &to);
  }
  *want = best;
  if (best.cost != SPF_INF)
    want->cost = SPF_EXT_METRIC;
}

/* Checks router r's OSPF routes to every prefix. */
static void spf_ospf_router(SpfNet *sn, guint r)
{
  Node *node = network_node(sn->net, r);
  for (guint i = 0; i < sn->prefixes->len; i++) {
    Ipv4Prefix p = g_array_index(sn->prefixes, Ipv4Prefix, i);
    SpfPath want;
    gboolean connected = FALSE;
    spf_intra_all(sn, r, p, NULL, &want, &connected);
    if (connected || spf_connected(node, p))
      continue;
    if (want.cost == SPF_INF)
      spf_inter(sn, r, p, &want);
    if (want.cost == SPF_INF)
      spf_external(sn, r, p, &want);
    spf_compare(sn, node, ROUTE_OSPF, p, &want, SPF_INF);
  }
}

static void spf_free_areas(SpfNet *sn)
{
  for (guint k = 0; sn->areas && k < sn->areas->len; k++) {
    SpfArea *a = &g_array_index(sn->areas, SpfArea, k);
    for (guint v = 0; v < sn->n_vert; v++)
      g_array_free(a->adj[v], TRUE);
    for (guint n = 0; n < sn->n_nodes; n++)
      g_free(a->spf[n]);
    g_free(a->adj);
    g_free(a->spf);
    g_free(a->in);
    g_array_free(a->stubs, TRUE);
  }
  if (sn->areas)
    g_array_free(sn->areas, TRUE);
}

static void spf_free(SpfNet *sn)
{
  spf_free_areas(sn);
  for (guint n = 0; n < sn->n_nodes; n++)
    g_free(sn->ifs[n]);
  g_free(sn->ifs);
  g_ptr_array_free(sn->seg_ifaces, TRUE);
  g_array_free(sn->seg_direct, TRUE);
  g_array_free(sn->prefixes, TRUE);
  g_hash_table_destroy(sn->seg_of);
}

/* Compares every RIP and OSPF router's protocol routes with the shortest
 * paths of the network now; appends a line per disagreement to `problems`
 * (of char*, "r1 10.0.3.0/24: expected ospf metric 20 via 10.0.12.2%eth1,
 * found no ospf route") and returns their number. */
guint spf_check(Network *net, const Scenario *sc, GPtrArray *problems)
{
  SpfNet sn = {.net = net, .sc = sc, .n_nodes = net->nodes->len, .problems = problems};
  sn.seg_of = g_hash_table_new(g_direct_hash, g_direct_equal);
  sn.seg_ifaces = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  sn.seg_direct = g_array_new(FALSE, FALSE, sizeof(gboolean));
  spf_segments(&sn);
  sn.n_vert = sn.n_nodes + sn.n_segs;
  spf_prefixes(&sn);
  spf_settings(&sn);
  spf_rip(&sn);
  spf_ospf_graphs(&sn);
  for (guint r = 0; r < sn.n_nodes; r++)
    if (spf_runs(&sn, r, SCENARIO_ROUTING_OSPF))
      spf_ospf_router(&sn, r);
  spf_free(&sn);
  return sn.count;
}
