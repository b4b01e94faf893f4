/*
 * A node's IPv4 routing table and its longest-prefix-match lookup.
 *
 * The table is a list of routes (a GArray, in the order they were added).
 * Lookups go through a compiled multibit trie with stride 8: four levels of
 * 256-entry nodes indexed by the four bytes of the destination. A prefix of
 * length L lives at level ceil(L/8) - 1, expanded to the 2^(8*level+8-L)
 * entries it covers (controlled prefix expansion, Srinivasan and Varghese
 * 1999). Entries are leaf-pushed: an entry is either a route or a child
 * node, and a child node starts with every entry set to the route its
 * parent entry held, so a lookup reads one 32-bit entry per level, at most
 * four, and never backtracks.
 *
 * The trie is rebuilt lazily, at the first lookup after the table changed
 * or route_table_invalidate() was called (an interface went up or down).
 * Routes through an interface that is down are left out of it.
 *
 * Selection (as Linux's FIB with FRR's zebra above it): the longest prefix
 * wins; among routes to the same prefix, the lowest administrative
 * distance, then the lowest metric, then the earliest added. The OSPF
 * routes that tie with the best one (same distance and metric) form a
 * multipath group (RFC 2328 16.1, equal-cost multipath): the trie entry
 * names the group, route_lookup() gives its first member and
 * route_lookup_hash() the member a flow hash picks (hash mod size, as
 * Linux's hash-threshold selection, RFC 2992, keeps a flow on one path).
 *
 * Entry points: route_table_new(); route_table_add(),
 * route_table_remove_origin(), route_table_set_paths(),
 * route_table_invalidate(); route_lookup(), route_lookup_hash() (the
 * packet path: no allocation once compiled); route_lookup_prefix(),
 * route_paths_prefix() (linear scans, for protocols, checks and tools);
 * route_table_routes(); route_distance(); route_table_memory_bytes();
 * route_table_free().
 *
 * Leaves out: route caching per destination, and incremental trie updates
 * (a change recompiles the whole trie at the next lookup, so a burst of
 * protocol changes costs one compilation).
 */
#include "models/internet/route.h"

#include <stdlib.h>
#include <string.h>

#include "sim/text/addr.h"

#define ROUTE_STRIDE 8
#define ROUTE_FANOUT 256
#define ROUTE_CHILD 0x80000000u /* entry flag: the rest is a node number */
#define ROUTE_GROUP 0x40000000u /* entry flag: the rest is a multipath group's offset in `groups` */

/* Trie entries: 0 = no route; ROUTE_CHILD | n = node n; ROUTE_GROUP | g =
 * the group at groups[g] (its size, then its route indices); else route
 * index + 1. */
typedef uint32_t RouteEntry;

/* A route removed by route_table_set_paths() and not yet compacted away. */
#define ROUTE_DEAD 0xffu

static void route_compact(RouteTable *rt);

struct RouteTable {
  GArray *routes;    /* of Route, in the order added; ROUTE_DEAD ones until compacted */
  GHashTable *index; /* protocol routes: route_key() -> route_slot() of their contiguous run */
  guint n_dead;      /* ROUTE_DEAD entries in `routes` */
  RouteEntry *nodes; /* node n is entries [n * 256, n * 256 + 256); node 0 is the root */
  guint n_nodes, cap_nodes;
  GArray *groups;   /* of guint: per multipath group, its size then its route indices */
  gboolean dirty;   /* the trie does not reflect the routes */
  uint64_t version; /* changes with every change that may change a lookup (from 1) */
};

/* Notes a change to the routes or their usability: the trie is stale and
 * the version moves on (route_table_version()). */
static void route_table_changed(RouteTable *rt)
{
  rt->dirty = TRUE;
  rt->version++;
}

/* Creates an empty routing table. */
RouteTable *route_table_new(void)
{
  RouteTable *rt = g_new0(RouteTable, 1);

  rt->routes = g_array_new(FALSE, FALSE, sizeof(Route));
  rt->groups = g_array_new(FALSE, FALSE, sizeof(guint));
  rt->index = g_hash_table_new(g_direct_hash, g_direct_equal);
  route_table_changed(rt);
  return rt;
}

void route_table_free(RouteTable *rt)
{
  if (!rt)
    return;
  g_array_free(rt->routes, TRUE);
  g_array_free(rt->groups, TRUE);
  g_hash_table_destroy(rt->index);
  g_free(rt->nodes);
  g_free(rt);
}

/* Appends a copy of `route` (its prefix is masked to its length). Pointers
 * returned by earlier lookups become invalid. */
void route_table_add(RouteTable *rt, const Route *route)
{
  Route r = *route;

  g_return_if_fail(route->len <= 32);
  r.prefix &= addr_mask(r.len);
  g_array_append_val(rt->routes, r);
  route_table_changed(rt);
}

/* Makes room for `more` routes beyond those held, so that adding many
 * (automatic routes: one per prefix of the network) grows the table once. */
void route_table_reserve(RouteTable *rt, guint more)
{
  guint len = rt->routes->len;
  g_array_set_size(rt->routes, len + more);
  g_array_set_size(rt->routes, len);
}

/* Removes every route of `origin`, keeping the others in their order. */
void route_table_remove_origin(RouteTable *rt, RouteOrigin origin)
{
  for (guint i = 0; i < rt->routes->len; i++)
    if (g_array_index(rt->routes, Route, i).origin == origin)
      g_array_index(rt->routes, Route, i).origin = ROUTE_DEAD;
  route_compact(rt);
  route_table_changed(rt);
}

/* Marks the trie stale, e.g. after an interface went up or down. */
void route_table_invalidate(RouteTable *rt)
{
  route_table_changed(rt);
}

/* A number that changes whenever a lookup in the table may give another
 * answer (a route added, changed or removed, an interface up or down);
 * never 0. A sender may keep a lookup's result while it stays the same. */
uint64_t route_table_version(const RouteTable *rt)
{
  return rt->version;
}

/* Returns the routes in the order added (including those through down interfaces). */
const GArray *route_table_routes(const RouteTable *rt)
{
  if (rt->n_dead)
    route_compact((RouteTable *)rt); /* the same routes, without the dead: a cache, not a change */
  return rt->routes;
}

const char *route_origin_name(RouteOrigin origin)
{
  switch (origin) {
  case ROUTE_CONNECTED:
    return "connected";
  case ROUTE_STATIC:
    return "static";
  case ROUTE_AUTO:
    return "auto";
  case ROUTE_RIP:
    return "rip";
  case ROUTE_OSPF:
    return "ospf";
  case ROUTE_ORIGIN_COUNT:
    break;
  }
  return "?";
}

/* The administrative distance of routes of `origin` (Cisco's and FRR's
 * values); `routing: auto` stands in for configured routes and ranks with
 * them. */
guint route_distance(RouteOrigin origin)
{
  switch (origin) {
  case ROUTE_CONNECTED:
    return 0;
  case ROUTE_STATIC:
  case ROUTE_AUTO:
    return 1;
  case ROUTE_OSPF:
    return 110;
  case ROUTE_RIP:
    return 120;
  case ROUTE_ORIGIN_COUNT:
    break;
  }
  return 255;
}

/* The index key of a protocol's routes to one prefix (never 0). */
static gpointer route_key(RouteOrigin origin, Ipv4Prefix to)
{
  return GSIZE_TO_POINTER(((guint64)to.addr << 16 | (guint64)to.len << 8 | origin) + 1);
}

/* The index value of a run of `count` routes from position `first`. */
static gpointer route_slot(guint first, guint count)
{
  return GSIZE_TO_POINTER((guint64)first << 8 | count);
}

/* Finds the run of the `origin` routes to `to`: TRUE with its first
 * position and count. */
static gboolean route_find_run(const RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, guint *first, guint *count)
{
  guint64 v = GPOINTER_TO_SIZE(g_hash_table_lookup(rt->index, route_key(origin, to)));
  *first = (guint)(v >> 8);
  *count = (guint)(v & 0xff);
  return v != 0;
}

/* Drops the dead routes, keeping the others in their order, and indexes
 * the protocols' runs again. */
static void route_compact(RouteTable *rt)
{
  guint kept = 0;

  g_hash_table_remove_all(rt->index);
  for (guint i = 0; i < rt->routes->len; i++) {
    Route *r = &g_array_index(rt->routes, Route, i);
    if (r->origin == ROUTE_DEAD)
      continue;
    if (r->origin == ROUTE_RIP || r->origin == ROUTE_OSPF) {
      Ipv4Prefix to = {r->prefix, r->len};
      guint first, count;
      if (!route_find_run(rt, r->origin, to, &first, &count))
        first = kept, count = 0;
      g_hash_table_insert(rt->index, route_key(r->origin, to), route_slot(first, count + 1));
    }
    g_array_index(rt->routes, Route, kept++) = *r;
  }
  g_array_set_size(rt->routes, kept);
  rt->n_dead = 0;
  route_table_changed(rt); /* positions moved: the trie names routes by position */
}

/* TRUE when routes a and b to one prefix are the same route. */
static gboolean route_same(const Route *a, const Route *b)
{
  return a->iface == b->iface && a->gateway == b->gateway && a->metric == b->metric;
}

/* TRUE when the run at routes[first..first+count) is exactly paths[0..n). */
static gboolean route_run_equal(const RouteTable *rt, guint first, guint count, const Route *paths, guint n)
{
  if (count != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!route_same(&g_array_index(rt->routes, Route, first + i), &paths[i]))
      return FALSE;
  return TRUE;
}

/* Writes paths[0..n) as routes of `origin` to `to` at routes[at..at+n). */
static void route_write_run(RouteTable *rt, guint at, RouteOrigin origin, Ipv4Prefix to, const Route *paths, guint n)
{
  for (guint i = 0; i < n; i++) {
    Route *r = &g_array_index(rt->routes, Route, at + i);
    *r = paths[i];
    r->prefix = to.addr;
    r->len = to.len;
    r->origin = (uint8_t)origin;
  }
}

/* Replaces the routes of `origin` (ROUTE_RIP or ROUTE_OSPF) to `to`
 * (masked) with paths[0..n): their interface, gateway and metric (prefix
 * and origin are set here); n = 0 withdraws them. Returns FALSE, changing
 * nothing, when the table already holds exactly those routes. Constant
 * time: a protocol's routes to one prefix are one run of the table,
 * found through an index; a run of another length is marked dead and
 * appended anew, and the dead are compacted away when they are half the
 * table. */
gboolean route_table_set_paths(RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, const Route *paths, guint n)
{
  guint first = 0, count = 0;

  g_return_val_if_fail(origin == ROUTE_RIP || origin == ROUTE_OSPF, FALSE);
  n = MIN(n, (guint)ROUTE_MAX_PATHS);
  to.addr &= addr_mask(to.len);
  gboolean held = route_find_run(rt, origin, to, &first, &count);
  if (route_run_equal(rt, first, count, paths, n) || (!held && n == 0))
    return FALSE;
  route_table_changed(rt);
  if (held && count == n) {
    route_write_run(rt, first, origin, to, paths, n);
    return TRUE;
  }
  for (guint i = 0; i < count; i++)
    g_array_index(rt->routes, Route, first + i).origin = ROUTE_DEAD;
  rt->n_dead += count;
  g_hash_table_remove(rt->index, route_key(origin, to));
  if (n) {
    guint at = rt->routes->len;
    g_array_set_size(rt->routes, at + n);
    route_write_run(rt, at, origin, to, paths, n);
    g_hash_table_insert(rt->index, route_key(origin, to), route_slot(at, n));
  }
  if (rt->n_dead > 64 && rt->n_dead * 2 > rt->routes->len)
    route_compact(rt);
  return TRUE;
}

/* Fills held[0..) with the routes of `origin` (RIP or OSPF) to `to`, in
 * order, at most ROUTE_MAX_PATHS; returns how many. Constant time. */
guint route_table_paths_of(const RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, const Route **held)
{
  guint first, count;

  to.addr &= addr_mask(to.len);
  if (!route_find_run(rt, origin, to, &first, &count))
    return 0;
  for (guint i = 0; i < count; i++)
    held[i] = &g_array_index(rt->routes, Route, first + i);
  return count;
}

/* TRUE when the route may be used now: its interface (if any) is up. */
static gboolean route_usable(const Route *r)
{
  return r->origin != ROUTE_DEAD && (r->iface == NULL || r->iface->up);
}

/* Returns TRUE when route a (index ia) beats route b (index ib) for the same
 * prefix: lower distance, then lower metric, then added earlier. */
static gboolean route_better(const Route *a, guint ia, const Route *b, guint ib)
{
  guint da = route_distance(a->origin), db = route_distance(b->origin);

  if (da != db)
    return da < db;
  if (a->metric != b->metric)
    return a->metric < b->metric;
  return ia < ib;
}

/* Sort context for compiling: route indices by (length, prefix, metric, index). */
static int route_compare_indices(const void *pa, const void *pb, void *data)
{
  const GArray *routes = data;
  guint ia = *(const guint *)pa, ib = *(const guint *)pb;
  const Route *a = &g_array_index(routes, Route, ia), *b = &g_array_index(routes, Route, ib);

  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  if (a->prefix != b->prefix)
    return a->prefix < b->prefix ? -1 : 1;
  return route_better(a, ia, b, ib) ? -1 : (ia == ib ? 0 : 1);
}

/* Adds a trie node whose 256 entries all hold `fill`; returns its number. */
static guint route_trie_new_node(RouteTable *rt, RouteEntry fill)
{
  if (rt->n_nodes == rt->cap_nodes) {
    rt->cap_nodes = MAX(16u, rt->cap_nodes * 2);
    rt->nodes = g_renew(RouteEntry, rt->nodes, (gsize)rt->cap_nodes * ROUTE_FANOUT);
  }
  RouteEntry *n = rt->nodes + (gsize)rt->n_nodes * ROUTE_FANOUT;
  for (guint i = 0; i < ROUTE_FANOUT; i++)
    n[i] = fill;
  return rt->n_nodes++;
}

/* Inserts the entry `value` (a route or a group) for prefix/len (len >= 1) into the trie. Routes are
 * inserted by increasing length, so the entries it covers at its level are
 * all leaves (no longer route made a child there yet) and it overrides
 * them: it is at least as long as anything they hold. */
static void route_trie_insert(RouteTable *rt, uint32_t prefix, uint8_t len, RouteEntry value)
{
  guint node = 0;
  int shift = 24;

  while (len > 32 - shift) {
    RouteEntry *e = &rt->nodes[(gsize)node * ROUTE_FANOUT + ((prefix >> shift) & 0xff)];
    if (!(*e & ROUTE_CHILD)) {
      guint child = route_trie_new_node(rt, *e);
      /* route_trie_new_node may move rt->nodes: index again. */
      e = &rt->nodes[(gsize)node * ROUTE_FANOUT + ((prefix >> shift) & 0xff)];
      *e = ROUTE_CHILD | child;
    }
    node = *e & ~ROUTE_CHILD;
    shift -= ROUTE_STRIDE;
  }
  guint first = (prefix >> shift) & 0xff;
  guint count = 1u << (32 - shift - len);
  RouteEntry *n = rt->nodes + (gsize)node * ROUTE_FANOUT;
  for (guint i = first; i < first + count; i++)
    n[i] = value;
}

/* Returns the usable route indices sorted by (length, prefix, preference). */
static GArray *route_sorted_usable(const RouteTable *rt)
{
  GArray *idx = g_array_sized_new(FALSE, FALSE, sizeof(guint), rt->routes->len);

  for (guint i = 0; i < rt->routes->len; i++)
    if (route_usable(&g_array_index(rt->routes, Route, i)))
      g_array_append_val(idx, i);
  g_array_sort_with_data(idx, route_compare_indices, rt->routes);
  return idx;
}

/* TRUE when route b (after a in preference order, same prefix) shares a's
 * multipath group: both OSPF with the same metric. */
static gboolean route_ties(const Route *a, const Route *b)
{
  return a->origin == ROUTE_OSPF && b->origin == ROUTE_OSPF && a->metric == b->metric;
}

/* The trie entry for the routes of one prefix at idx[k..): the best, or a
 * group of it and the routes that tie with it. Sets *next to the first
 * index of the next prefix. */
static RouteEntry route_entry_for(RouteTable *rt, const GArray *idx, guint k, guint *next)
{
  const Route *best = &g_array_index(rt->routes, Route, g_array_index(idx, guint, k));
  guint end = k + 1, ties = 1;

  while (end < idx->len) {
    const Route *r = &g_array_index(rt->routes, Route, g_array_index(idx, guint, end));
    if (r->len != best->len || r->prefix != best->prefix)
      break;
    if (end == k + ties && ties < ROUTE_MAX_PATHS && route_ties(best, r))
      ties++;
    end++;
  }
  *next = end;
  if (ties == 1)
    return g_array_index(idx, guint, k) + 1;
  RouteEntry group = ROUTE_GROUP | rt->groups->len;
  g_array_append_val(rt->groups, ties);
  g_array_append_vals(rt->groups, &g_array_index(idx, guint, k), ties);
  return group;
}

/* Rebuilds the trie from the usable routes: the best route (or multipath
 * group) of each (prefix, length), inserted shortest first. */
static void route_trie_build(RouteTable *rt)
{
  GArray *idx = route_sorted_usable(rt);
  guint next;

  rt->n_nodes = 0;
  g_array_set_size(rt->groups, 0);
  route_trie_new_node(rt, 0);
  for (guint k = 0; k < idx->len; k = next) {
    const Route *r = &g_array_index(rt->routes, Route, g_array_index(idx, guint, k));
    RouteEntry value = route_entry_for(rt, idx, k, &next);
    if (r->len == 0) {
      for (guint e = 0; e < ROUTE_FANOUT; e++)
        rt->nodes[e] = value;
    } else {
      route_trie_insert(rt, r->prefix, r->len, value);
    }
  }
  g_array_free(idx, TRUE);
  rt->dirty = FALSE;
}

/* The trie's leaf entry for `dst`: 0, a route or a group. Recompiles the
 * trie first if the table or an interface changed; otherwise reads at
 * most four entries and allocates nothing. */
static RouteEntry route_leaf(RouteTable *rt, uint32_t dst)
{
  RouteEntry e;

  if (G_UNLIKELY(rt->dirty))
    route_trie_build(rt);
  e = rt->nodes[dst >> 24];
  for (int shift = 16; (e & ROUTE_CHILD) && shift >= 0; shift -= ROUTE_STRIDE)
    e = rt->nodes[(gsize)(e & ~ROUTE_CHILD) * ROUTE_FANOUT + ((dst >> shift) & 0xff)];
  return e;
}

/* The route of leaf entry `e`, choosing member `hash` mod size of a group. */
static const Route *route_of_entry(const RouteTable *rt, RouteEntry e, uint32_t hash)
{
  if (!e)
    return NULL;
  if (e & ROUTE_GROUP) {
    const guint *g = &g_array_index(rt->groups, guint, e & ~ROUTE_GROUP);
    return &g_array_index(rt->routes, Route, g[1 + hash % g[0]]);
  }
  return &g_array_index(rt->routes, Route, e - 1);
}

/* Returns the route for `dst` (host byte order), or NULL when none matches
 * (of a multipath group, its first member). The pointer is valid until the
 * table changes. */
const Route *route_lookup(RouteTable *rt, uint32_t dst)
{
  return route_of_entry(rt, route_leaf(rt, dst), 0);
}

/* As route_lookup(), but of a multipath group the member that `hash` (a
 * flow's hash) picks, the same one for every datagram of the flow. */
const Route *route_lookup_hash(RouteTable *rt, uint32_t dst, uint32_t hash)
{
  return route_of_entry(rt, route_leaf(rt, dst), hash);
}

/* Returns the route the node would use for every address of prefix/len:
 * the longest usable route whose prefix covers the whole of it (lowest
 * metric, then earliest, among equals), or NULL. A linear scan: for
 * `expect:` checks and tools, not the packet path. */
const Route *route_lookup_prefix(RouteTable *rt, uint32_t prefix, uint8_t len)
{
  const Route *best = NULL;
  guint best_i = 0;

  g_return_val_if_fail(len <= 32, NULL);
  prefix &= addr_mask(len);
  for (guint i = 0; i < rt->routes->len; i++) {
    const Route *r = &g_array_index(rt->routes, Route, i);
    if (!route_usable(r) || r->len > len || (prefix & addr_mask(r->len)) != r->prefix)
      continue;
    if (!best || r->len > best->len || (r->len == best->len && route_better(r, i, best, best_i))) {
      best = r;
      best_i = i;
    }
  }
  return best;
}

/* Fills paths[0..max) with the routes the node uses for prefix/len, as
 * route_lookup_prefix() chooses them: the best one and, when it is OSPF,
 * the routes that share its multipath group, in the order added. Returns
 * how many (0: no route). A linear scan, for protocols, checks and tools. */
guint route_paths_prefix(RouteTable *rt, uint32_t prefix, uint8_t len, const Route **paths, guint max)
{
  const Route *best = route_lookup_prefix(rt, prefix, len);
  guint n = 0;

  if (!best || max == 0)
    return 0;
  paths[n++] = best;
  for (guint i = 0; i < rt->routes->len && n < MIN(max, (guint)ROUTE_MAX_PATHS); i++) {
    const Route *r = &g_array_index(rt->routes, Route, i);
    if (r != best && route_usable(r) && r->len == best->len && r->prefix == best->prefix && route_ties(best, r))
      paths[n++] = r;
  }
  return n;
}

/* Returns the bytes the table holds (routes and compiled trie), for benchmarks. */
size_t route_table_memory_bytes(const RouteTable *rt)
{
  return sizeof(*rt) + (size_t)rt->routes->len * sizeof(Route) + (size_t)rt->groups->len * sizeof(guint) +
         (size_t)g_hash_table_size(rt->index) * 3 * sizeof(gpointer) +
         (size_t)rt->cap_nodes * ROUTE_FANOUT * sizeof(RouteEntry);
}
