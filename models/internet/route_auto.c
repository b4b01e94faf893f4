/*
 * `routing: auto`: shortest-path routes (hop count) computed from the
 * topology, as ns-3's global routing does, without routing messages.
 *
 * Model. The graph's vertices are the IP nodes (hosts and routers). Two IP
 * interfaces are neighbours at cost 1 when a usable link joins them, or when
 * they hang off the same cluster of switches (switches joined by usable
 * links): a switched segment is one hop. A link is usable when it is up and
 * both of its interfaces are up. With VLANs (IEEE 802.1Q: ports with VLAN
 * settings, subinterfaces), a segment is what a broadcast of the
 * interface's VLAN reaches (vlan_segment_ends()), one walk per interface. Routers forward; hosts are leaves: a path
 * may start or end at a host but never crosses one.
 *
 * For a node X, a breadth-first search from X gives every IP node's distance
 * and X's first hop toward it (egress interface and the neighbour's address
 * on that segment). Neighbours are explored in (node index, interface index)
 * order, so among equal-cost paths the first hop is the one of the
 * lowest-index path. Every prefix of the network (the subnets of all
 * interface addresses) that X does not hold on an up interface gets one
 * ROUTE_AUTO route toward its nearest holder (ties: lower node index, then
 * lower interface index), with the distance in hops as metric. Routers that
 * hold it come before hosts, at any distance: a host delivers only its own
 * address, so routing a subnet toward a dual-homed host would lose the
 * packets for the subnet's other addresses. Unreachable prefixes get no
 * route.
 *
 * Cost. route_auto_new() collects the prefixes and their holders once. The
 * adjacency (compressed rows of edges, only usable links) is rebuilt lazily
 * by the first fill after a topology change, O(V + E). A fill is one BFS,
 * O(V + E), plus one route_table_add() per prefix; nodes are filled lazily,
 * on their first lookup after a change, so only nodes that route pay.
 *
 * Entry points, in call order: route_auto_new() (after the network is
 * built); route_auto_fill() (from ipv4_route() when a node's auto routes are
 * stale); route_auto_topology_changed() (an interface went up or down);
 * route_auto_free().
 *
 * Left out: link costs other than 1, equal-cost multipath, routes to
 * host addresses (/32) rather than prefixes, route aggregation, and the
 * messages and convergence time of a real routing protocol (OSPF, RIP).
 */
#include "models/internet/route_auto.h"

#include <string.h>

#include "models/internet/ipv4.h"
#include "models/link/link.h"
#include "models/link/vlan.h"
#include "models/core/network.h"
#include "sim/text/addr.h"

#define ROUTE_AUTO_INF G_MAXUINT32

/* One direction of an adjacency: from `out` (on the row's node) to the
 * neighbour's interface number `peer_index`, whose address is `gateway`. */
typedef struct {
  Iface *out;
  guint nbr; /* the neighbour's node index */
  uint32_t gateway;
  guint peer_index;
} RouteAutoEdge;

/* A prefix of the network; its holders are [first, first + count) of the
 * holder arrays. */
typedef struct {
  uint32_t prefix;
  uint8_t len;
  guint first, count;
} RouteAutoPrefix;

/* Flags of a holder: its node is a router; its interface is up (refreshed
 * with the adjacency). */
enum { ROUTE_AUTO_ROUTER = 1, ROUTE_AUTO_UP = 2 };

/* The fill reads only small contiguous arrays (node and holder numbers,
 * flags, distances), so that a BFS and a pass over 20 000 prefixes stay in
 * the cache instead of chasing Node and Iface pointers. */
struct RouteAuto {
  Network *net;
  guint n;              /* nodes in the network */
  guint8 *router;       /* per node: TRUE for routers (they forward) */
  GArray *prefixes;     /* of RouteAutoPrefix, sorted by (prefix, len) */
  GPtrArray *holders;   /* of Iface*, grouped by prefix, by (node, iface) index */
  guint *holder_node;   /* per holder: its node index */
  guint8 *holder_flags; /* per holder: ROUTE_AUTO_* */
  guint generation;     /* bumped by every topology change */
  guint adj_generation; /* the generation the adjacency was built for */
  gboolean adj_built;   /* the adjacency exists at all */
  guint *adj_start;     /* n + 1 offsets into edges: the rows of each node */
  GArray *edges;        /* of RouteAutoEdge */
  guint *adj_nbr;       /* per edge: the neighbour's node index (what the BFS reads) */
  guint *cluster;       /* per node: switch cluster id, or ROUTE_AUTO_INF */
  guint32 *dist;        /* BFS workspace: distance per node */
  guint *first;         /* BFS workspace: index in edges of the first hop */
  guint *queue;         /* BFS workspace */
  gboolean vlans;       /* some switch port has VLANs or some node a subinterface: segments by VLAN */
};

static gboolean route_auto_is_ip(const Node *node)
{
  return node->kind == NODE_KIND_HOST || node->kind == NODE_KIND_ROUTER;
}

/* Returns TRUE when frames can cross `iface`'s link (a subinterface's
 * parent's) now. */
static gboolean route_auto_usable(const Iface *iface)
{
  const Link *link = iface->vlan_parent ? iface->vlan_parent->link : iface->link;
  return link && link->up && link->ends[0]->up && link->ends[1]->up;
}

/* Orders holders by subnet, then node index, then interface index. */
static gint route_auto_holder_cmp(gconstpointer a, gconstpointer b)
{
  const Iface *x = *(Iface *const *)a, *y = *(Iface *const *)b;
  uint32_t px = x->ip.addr & addr_mask(x->ip.len), py = y->ip.addr & addr_mask(y->ip.len);
  if (px != py)
    return px < py ? -1 : 1;
  if (x->ip.len != y->ip.len)
    return x->ip.len < y->ip.len ? -1 : 1;
  if (x->node->index != y->node->index)
    return x->node->index < y->node->index ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Collects every addressed interface of an IP node, sorted, and groups them
 * into the network's prefixes. */
static void route_auto_collect_prefixes(RouteAuto *ra)
{
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(ra->net, i);
    for (guint j = 0; route_auto_is_ip(node) && j < node->ifaces->len; j++)
      if (node_iface(node, j)->has_ip)
        g_ptr_array_add(ra->holders, node_iface(node, j));
  }
  g_ptr_array_sort(ra->holders, route_auto_holder_cmp);
  for (guint h = 0; h < ra->holders->len; h++) {
    const Iface *iface = g_ptr_array_index(ra->holders, h);
    RouteAutoPrefix p = {iface->ip.addr & addr_mask(iface->ip.len), iface->ip.len, h, 1};
    RouteAutoPrefix *last =
        ra->prefixes->len ? &g_array_index(ra->prefixes, RouteAutoPrefix, ra->prefixes->len - 1) : NULL;
    if (last && last->prefix == p.prefix && last->len == p.len)
      last->count++;
    else
      g_array_append_val(ra->prefixes, p);
  }
}

/* Copies each holder's node index and kind into the compact arrays. */
static void route_auto_index_holders(RouteAuto *ra)
{
  ra->holder_node = g_new(guint, ra->holders->len);
  ra->holder_flags = g_new0(guint8, ra->holders->len);
  for (guint h = 0; h < ra->holders->len; h++) {
    const Iface *iface = g_ptr_array_index(ra->holders, h);
    ra->holder_node[h] = iface->node->index;
    ra->holder_flags[h] = iface->node->kind == NODE_KIND_ROUTER ? ROUTE_AUTO_ROUTER : 0;
  }
}

/* The network listener: any interface went up or down. */
static void route_auto_iface_changed(void *data, Iface *iface)
{
  (void)iface;
  route_auto_topology_changed(data);
}

/* Creates the automatic routing of `net`: collects the prefixes and their
 * holders (what does not depend on link state) and the BFS workspace, and
 * listens to every interface. */
RouteAuto *route_auto_new(Network *net)
{
  RouteAuto *ra = g_new0(RouteAuto, 1);
  iface_listen(&net->ctx.iface_listeners, route_auto_iface_changed, ra);
  ra->net = net;
  ra->n = net->nodes->len;
  ra->prefixes = g_array_new(FALSE, FALSE, sizeof(RouteAutoPrefix));
  ra->holders = g_ptr_array_new();
  ra->edges = g_array_new(FALSE, FALSE, sizeof(RouteAutoEdge));
  ra->adj_start = g_new0(guint, ra->n + 1);
  ra->router = g_new(guint8, ra->n);
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(net, i);
    ra->router[i] = node->kind == NODE_KIND_ROUTER;
    ra->vlans |= vlan_node_uses_vlans(node);
    if (node->ip)
      node->ip->route_auto = ra;
  }
  ra->cluster = g_new(guint, ra->n);
  ra->dist = g_new(guint32, ra->n);
  ra->first = g_new(guint, ra->n);
  ra->queue = g_new(guint, ra->n);
  route_auto_collect_prefixes(ra);
  route_auto_index_holders(ra);
  return ra;
}

void route_auto_free(RouteAuto *ra)
{
  if (!ra)
    return;
  g_array_free(ra->prefixes, TRUE);
  g_ptr_array_free(ra->holders, TRUE);
  g_free(ra->holder_node);
  g_free(ra->holder_flags);
  g_free(ra->router);
  g_array_free(ra->edges, TRUE);
  g_free(ra->adj_nbr);
  g_free(ra->adj_start);
  g_free(ra->cluster);
  g_free(ra->dist);
  g_free(ra->first);
  g_free(ra->queue);
  g_free(ra);
}

/* Marks every automatically routed node stale; each recomputes its routes
 * (and the first one the adjacency) on its next lookup. */
void route_auto_topology_changed(RouteAuto *ra)
{
  if (!ra)
    return;
  ra->generation++;
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(ra->net, i);
    if (node->ip && node->ip->auto_routes)
      node->ip->auto_valid = FALSE;
  }
}

/* Gives the switch cluster of `start` (switches joined by usable links) the
 * id `id`, by a BFS over switches; uses ra->queue. */
static void route_auto_flood_cluster(RouteAuto *ra, Node *start, guint id)
{
  guint head = 0, tail = 0;
  ra->cluster[start->index] = id;
  ra->queue[tail++] = start->index;
  while (head < tail) {
    Node *sw = network_node(ra->net, ra->queue[head++]);
    for (guint j = 0; j < sw->ifaces->len; j++) {
      Iface *peer = iface_peer(node_iface(sw, j));
      if (!peer || !route_auto_usable(peer) || !node_kind_is_l2(peer->node->kind))
        continue;
      if (ra->cluster[peer->node->index] == ROUTE_AUTO_INF) {
        ra->cluster[peer->node->index] = id;
        ra->queue[tail++] = peer->node->index;
      }
    }
  }
}

/* Numbers the switch clusters; returns how many there are. */
static guint route_auto_number_clusters(RouteAuto *ra)
{
  guint clusters = 0;
  for (guint i = 0; i < ra->n; i++)
    ra->cluster[i] = ROUTE_AUTO_INF;
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(ra->net, i);
    if (node_kind_is_l2(node->kind) && ra->cluster[i] == ROUTE_AUTO_INF)
      route_auto_flood_cluster(ra, node, clusters++);
  }
  return clusters;
}

/* Returns the addressed interface of an IP node that `iface` (of that node)
 * is: NULL when it has no address or its link is not usable. */
static Iface *route_auto_ip_end(Iface *iface)
{
  if (!route_auto_is_ip(iface->node) || !iface->has_ip || !route_auto_usable(iface))
    return NULL;
  return iface;
}

/* Returns the members of each switch cluster: the usable, addressed IP
 * interfaces attached to it, in (node, iface) index order. members[c] is a
 * GPtrArray of Iface*; the caller frees the array with its contents. */
static GPtrArray **route_auto_cluster_members(RouteAuto *ra, guint clusters)
{
  GPtrArray **members = g_new0(GPtrArray *, clusters + 1);
  for (guint c = 0; c < clusters; c++)
    members[c] = g_ptr_array_new();
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(ra->net, i);
    for (guint j = 0; j < node->ifaces->len; j++) {
      Iface *iface = route_auto_ip_end(node_iface(node, j));
      Iface *peer = iface ? iface_peer(iface) : NULL;
      if (peer && node_kind_is_l2(peer->node->kind))
        g_ptr_array_add(members[ra->cluster[peer->node->index]], iface);
    }
  }
  return members;
}

/* Orders a node's edges by neighbour node index, then neighbour interface
 * index, then local interface index: the BFS explores them in this order. */
static gint route_auto_edge_cmp(gconstpointer a, gconstpointer b)
{
  const RouteAutoEdge *x = a, *y = b;
  if (x->nbr != y->nbr)
    return x->nbr < y->nbr ? -1 : 1;
  if (x->peer_index != y->peer_index)
    return x->peer_index < y->peer_index ? -1 : 1;
  return x->out->index < y->out->index ? -1 : x->out->index > y->out->index;
}

/* With VLANs: appends the edges leaving `out` to the addressed, usable
 * interfaces of other nodes that its broadcasts reach (vlan_segment_ends()). */
static void route_auto_add_vlan_edges(RouteAuto *ra, Iface *out)
{
  GPtrArray *ends = g_ptr_array_new();
  vlan_segment_ends(out, ends);
  for (guint k = 0; k < ends->len; k++) {
    Iface *other = g_ptr_array_index(ends, k);
    RouteAutoEdge e = {out, other->node->index, other->ip.addr, other->index};
    if (other->node != out->node && route_auto_ip_end(other))
      g_array_append_val(ra->edges, e);
  }
  g_ptr_array_free(ends, TRUE);
}

/* Appends the edges leaving `out`: to the peer of a point-to-point link, or
 * to every other node's interface on the same switch cluster (in the same
 * VLAN, when the network has VLANs). */
static void route_auto_add_iface_edges(RouteAuto *ra, Iface *out, GPtrArray **members)
{
  Iface *peer = iface_peer(out);
  if (ra->vlans && !out->ops->to_peer) {
    route_auto_add_vlan_edges(ra, out);
  } else if (node_kind_is_l2(peer->node->kind)) {
    GPtrArray *m = members[ra->cluster[peer->node->index]];
    for (guint k = 0; k < m->len; k++) {
      Iface *other = g_ptr_array_index(m, k);
      RouteAutoEdge e = {out, other->node->index, other->ip.addr, other->index};
      if (other->node != out->node)
        g_array_append_val(ra->edges, e);
    }
  } else if (route_auto_ip_end(peer)) {
    RouteAutoEdge e = {out, peer->node->index, peer->ip.addr, peer->index};
    g_array_append_val(ra->edges, e);
  }
}

/* Copies what the BFS and the fill read into compact arrays: each edge's
 * neighbour, and whether each holder's interface is up. */
static void route_auto_snapshot(RouteAuto *ra)
{
  g_free(ra->adj_nbr);
  ra->adj_nbr = g_new(guint, ra->edges->len + 1);
  for (guint e = 0; e < ra->edges->len; e++)
    ra->adj_nbr[e] = g_array_index(ra->edges, RouteAutoEdge, e).nbr;
  for (guint h = 0; h < ra->holders->len; h++) {
    const Iface *iface = g_ptr_array_index(ra->holders, h);
    ra->holder_flags[h] = (ra->holder_flags[h] & ~ROUTE_AUTO_UP) | (iface->up ? ROUTE_AUTO_UP : 0);
  }
}

/* Rebuilds the rows of edges of every IP node from the current link state. */
static void route_auto_build_adjacency(RouteAuto *ra)
{
  guint clusters = route_auto_number_clusters(ra);
  GPtrArray **members = route_auto_cluster_members(ra, clusters);
  g_array_set_size(ra->edges, 0);
  for (guint i = 0; i < ra->n; i++) {
    Node *node = network_node(ra->net, i);
    ra->adj_start[i] = ra->edges->len;
    for (guint j = 0; route_auto_is_ip(node) && j < node->ifaces->len; j++)
      if (route_auto_ip_end(node_iface(node, j)))
        route_auto_add_iface_edges(ra, node_iface(node, j), members);
    guint count = ra->edges->len - ra->adj_start[i];
    if (count > 1)
      qsort(&g_array_index(ra->edges, RouteAutoEdge, ra->adj_start[i]), count, sizeof(RouteAutoEdge),
            route_auto_edge_cmp);
  }
  ra->adj_start[ra->n] = ra->edges->len;
  for (guint c = 0; c < clusters; c++)
    g_ptr_array_free(members[c], TRUE);
  g_free(members);
  route_auto_snapshot(ra);
  ra->adj_generation = ra->generation;
  ra->adj_built = TRUE;
}

/* Visits the neighbours of node `u` during the BFS from `src`: each one not
 * seen yet gets its distance and first hop, and routers are queued (hosts
 * do not forward, so the search never continues through them). */
static void route_auto_visit(RouteAuto *ra, guint src, guint u, guint *tail)
{
  guint32 d = ra->dist[u] + 1;
  guint first = ra->first[u];
  for (guint e = ra->adj_start[u]; e < ra->adj_start[u + 1]; e++) {
    guint v = ra->adj_nbr[e];
    if (ra->dist[v] != ROUTE_AUTO_INF)
      continue;
    ra->dist[v] = d;
    ra->first[v] = u == src ? e : first;
    if (ra->router[v])
      ra->queue[(*tail)++] = v;
  }
}

/* Computes ra->dist and ra->first for every node, from `src`. */
static void route_auto_bfs(RouteAuto *ra, guint src)
{
  guint head = 0, tail = 0;
  memset(ra->dist, 0xff, ra->n * sizeof *ra->dist);
  ra->dist[src] = 0;
  route_auto_visit(ra, src, src, &tail);
  while (head < tail)
    route_auto_visit(ra, src, ra->queue[head++], &tail);
}

/* Returns the node index of the nearest holder of `p` reachable from the BFS source `src`
 * through an up interface, or ROUTE_AUTO_INF when there is none or when `src` holds
 * the prefix itself (its connected route serves it). Routers come first: a
 * host delivers only its own address, so a host holds the prefix for the
 * search only when no router reachable from `src` does. */
static guint route_auto_nearest(const RouteAuto *ra, const RouteAutoPrefix *p, guint src)
{
  guint best[2] = {ROUTE_AUTO_INF, ROUTE_AUTO_INF}; /* [0]: nearest router, [1]: nearest host */
  guint32 best_dist[2] = {ROUTE_AUTO_INF, ROUTE_AUTO_INF};
  for (guint h = p->first; h < p->first + p->count; h++) {
    guint node = ra->holder_node[h];
    if (!(ra->holder_flags[h] & ROUTE_AUTO_UP))
      continue;
    if (node == src)
      return ROUTE_AUTO_INF;
    int k = !(ra->holder_flags[h] & ROUTE_AUTO_ROUTER);
    if (ra->dist[node] < best_dist[k]) {
      best[k] = node;
      best_dist[k] = ra->dist[node];
    }
  }
  return best[0] != ROUTE_AUTO_INF ? best[0] : best[1];
}

/* Adds to `rt` one route per prefix that `src` reaches but does not hold. */
static void route_auto_add_routes(RouteAuto *ra, guint src, RouteTable *rt)
{
  route_table_reserve(rt, ra->prefixes->len);
  for (guint i = 0; i < ra->prefixes->len; i++) {
    const RouteAutoPrefix *p = &g_array_index(ra->prefixes, RouteAutoPrefix, i);
    guint dst = route_auto_nearest(ra, p, src);
    if (dst == ROUTE_AUTO_INF)
      continue;
    const RouteAutoEdge *hop = &g_array_index(ra->edges, RouteAutoEdge, ra->first[dst]);
    Route r = {.prefix = p->prefix,
               .len = p->len,
               .gateway = hop->gateway,
               .iface = hop->out,
               .metric = ra->dist[dst],
               .origin = ROUTE_AUTO};
    route_table_add(rt, &r);
  }
}

/* Replaces `node`'s ROUTE_AUTO routes with shortest paths over the current
 * topology and marks them valid. Rebuilds the shared adjacency first when
 * the topology changed since it was built. */
void route_auto_fill(RouteAuto *ra, Node *node)
{
  g_return_if_fail(ra != NULL && node != NULL && node->ip != NULL);
  if (!ra->adj_built || ra->adj_generation != ra->generation)
    route_auto_build_adjacency(ra);
  route_table_remove_origin(node->ip->routes, ROUTE_AUTO);
  route_auto_bfs(ra, node->index);
  route_auto_add_routes(ra, node->index, node->ip->routes);
  node->ip->auto_valid = TRUE;
}
