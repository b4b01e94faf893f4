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
 * Selection (as Linux's FIB): the longest prefix wins; among routes to the
 * same prefix, the lowest metric, then the earliest added.
 *
 * Entry points: route_table_new(); route_table_add(),
 * route_table_remove_origin(), route_table_invalidate(); route_lookup()
 * (the packet path: no allocation once compiled); route_lookup_prefix()
 * (a linear scan, for checks and tools); route_table_routes();
 * route_table_memory_bytes(); route_table_free().
 *
 * Leaves out: equal-cost multipath, route caching per destination, and
 * incremental trie updates (a change recompiles the whole trie).
 */
#include "models/internet/route.h"

#include <stdlib.h>
#include <string.h>

#include "sim/text/addr.h"

#define ROUTE_STRIDE 8
#define ROUTE_FANOUT 256
#define ROUTE_CHILD 0x80000000u /* entry flag: the rest is a node number */

/* Trie entries: 0 = no route; ROUTE_CHILD | n = node n; else route index + 1. */
typedef uint32_t RouteEntry;

struct RouteTable {
  GArray *routes;    /* of Route, in the order added */
  RouteEntry *nodes; /* node n is entries [n * 256, n * 256 + 256); node 0 is the root */
  guint n_nodes, cap_nodes;
  gboolean dirty; /* the trie does not reflect the routes */
};

/* Creates an empty routing table. */
RouteTable *route_table_new(void)
{
  RouteTable *rt = g_new0(RouteTable, 1);

  rt->routes = g_array_new(FALSE, FALSE, sizeof(Route));
  rt->dirty = TRUE;
  return rt;
}

void route_table_free(RouteTable *rt)
{
  if (!rt)
    return;
  g_array_free(rt->routes, TRUE);
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
  rt->dirty = TRUE;
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
  guint kept = 0;

  for (guint i = 0; i < rt->routes->len; i++) {
    Route *r = &g_array_index(rt->routes, Route, i);
    if (r->origin != origin)
      g_array_index(rt->routes, Route, kept++) = *r;
  }
  g_array_set_size(rt->routes, kept);
  rt->dirty = TRUE;
}

/* Marks the trie stale, e.g. after an interface went up or down. */
void route_table_invalidate(RouteTable *rt)
{
  rt->dirty = TRUE;
}

/* Returns the routes in the order added (including those through down interfaces). */
const GArray *route_table_routes(const RouteTable *rt)
{
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
  }
  return "?";
}

/* TRUE when the route may be used now: its interface (if any) is up. */
static gboolean route_usable(const Route *r)
{
  return r->iface == NULL || r->iface->up;
}

/* Returns TRUE when route a (index ia) beats route b (index ib) for the same
 * prefix: lower metric, then added earlier. */
static gboolean route_better(const Route *a, guint ia, const Route *b, guint ib)
{
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

/* Inserts route number `index` (prefix, len >= 1) into the trie. Routes are
 * inserted by increasing length, so the entries it covers at its level are
 * all leaves (no longer route made a child there yet) and it overrides
 * them: it is at least as long as anything they hold. */
static void route_trie_insert(RouteTable *rt, uint32_t prefix, uint8_t len, guint index)
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
    n[i] = index + 1;
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

/* Rebuilds the trie from the usable routes: the best route of each
 * (prefix, length), inserted shortest first. */
static void route_trie_build(RouteTable *rt)
{
  GArray *idx = route_sorted_usable(rt);
  const Route *prev = NULL;

  rt->n_nodes = 0;
  route_trie_new_node(rt, 0);
  for (guint k = 0; k < idx->len; k++) {
    guint i = g_array_index(idx, guint, k);
    const Route *r = &g_array_index(rt->routes, Route, i);
    if (prev && prev->len == r->len && prev->prefix == r->prefix)
      continue; /* a worse route to the same prefix */
    prev = r;
    if (r->len == 0) {
      for (guint e = 0; e < ROUTE_FANOUT; e++)
        rt->nodes[e] = i + 1;
    } else {
      route_trie_insert(rt, r->prefix, r->len, i);
    }
  }
  g_array_free(idx, TRUE);
  rt->dirty = FALSE;
}

/* Returns the route for `dst` (host byte order), or NULL when none matches.
 * The pointer is valid until the table changes. Recompiles the trie first
 * if the table or an interface changed; otherwise reads at most four
 * entries and allocates nothing. */
const Route *route_lookup(RouteTable *rt, uint32_t dst)
{
  RouteEntry e;

  if (G_UNLIKELY(rt->dirty))
    route_trie_build(rt);
  e = rt->nodes[dst >> 24];
  for (int shift = 16; (e & ROUTE_CHILD) && shift >= 0; shift -= ROUTE_STRIDE)
    e = rt->nodes[(gsize)(e & ~ROUTE_CHILD) * ROUTE_FANOUT + ((dst >> shift) & 0xff)];
  return e ? &g_array_index(rt->routes, Route, e - 1) : NULL;
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

/* Returns the bytes the table holds (routes and compiled trie), for benchmarks. */
size_t route_table_memory_bytes(const RouteTable *rt)
{
  return sizeof(*rt) + (size_t)rt->routes->len * sizeof(Route) +
         (size_t)rt->cap_nodes * ROUTE_FANOUT * sizeof(RouteEntry);
}
