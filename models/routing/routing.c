/*
 * The door through which routing protocols change a node's routing
 * table (see routing.h): the change itself (route_table_set_paths()), its
 * trace note, its routes.csv row and the context's change count.
 *
 * Entry points: routing_set(), routing_csv_header(), routing_format_hops().
 */
#include "models/routing/routing.h"

#include "models/core/node.h"
#include "models/internet/ipv4.h"
#include "models/observe/trace.h"

/* Appends next hops as "10.0.12.2%eth1" (on-link: "eth1"), `sep` between. */
void routing_format_hops(GString *out, const Route *const *paths, guint n, const char *sep)
{
  char text[ADDR_IPV4_TEXT];

  for (guint i = 0; i < n; i++) {
    if (i)
      g_string_append(out, sep);
    if (paths[i]->gateway)
      g_string_append_printf(out, "%s%%", addr_format_ipv4(paths[i]->gateway, text));
    g_string_append(out, paths[i]->iface ? paths[i]->iface->name : "-");
  }
}

/* The origin's routes to `to` held now, at most ROUTE_MAX_PATHS, in order. */
static guint routing_held(const RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, const Route **held)
{
  const GArray *routes = route_table_routes(rt);
  guint n = 0;

  if (route_table_count(rt, origin, to) == 0)
    return 0;
  for (guint i = 0; i < routes->len && n < ROUTE_MAX_PATHS; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->origin == origin && r->len == to.len && r->prefix == to.addr)
      held[n++] = r;
  }
  return n;
}

/* Appends one side of a change: "via 10.0.12.2%eth1 metric 2" or "unreachable". */
static void routing_format_side(GString *out, const Route *const *paths, guint n)
{
  if (n == 0) {
    g_string_append(out, "unreachable");
    return;
  }
  g_string_append(out, "via ");
  routing_format_hops(out, paths, n, ",");
  g_string_append_printf(out, " metric %u", paths[0]->metric);
}

/* Writes the trace note and the routes.csv row of a change of `node`'s
 * `origin` routes to `to` from old[0..n_old) to now[0..n_now). */
static void routing_report(Node *node, RouteOrigin origin, Ipv4Prefix to, const Route *const *old, guint n_old,
                           const Route *const *now, guint n_now, const char *reason)
{
  SimContext *ctx = node->ctx;
  char pfx[ADDR_CIDR_TEXT];
  GString *s = g_string_new(NULL);

  addr_format_cidr(to.addr, to.len, pfx);
  if (trace_wants(ctx->trace, TRACE_ROUTING)) {
    g_string_printf(s, "%s: %s ", route_origin_name(origin), pfx);
    routing_format_side(s, old, n_old);
    g_string_append(s, " -> ");
    routing_format_side(s, now, n_now);
    g_string_append_printf(s, " (%s)", reason);
    trace_note(ctx->trace, sim_now(ctx), node, n_now ? now[0]->iface : NULL, "%s", s->str);
  }
  if (ctx->routes_csv) {
    g_string_truncate(s, 0);
    trace_format_time(s, sim_now(ctx));
    g_string_append_printf(s, ",%s,%s,%s,", node->name, pfx, route_origin_name(origin));
    routing_format_hops(s, old, n_old, " ");
    g_string_append_c(s, ',');
    routing_format_hops(s, now, n_now, " ");
    g_string_append_c(s, ',');
    if (n_old)
      g_string_append_printf(s, "%u", old[0]->metric);
    g_string_append_c(s, ',');
    if (n_now)
      g_string_append_printf(s, "%u", now[0]->metric);
    g_string_append_printf(s, ",%s\n", reason);
    fputs(s->str, ctx->routes_csv);
  }
  g_string_free(s, TRUE);
}

/* Sets `node`'s routes of `origin` to `to` to the next hops hops[0..n)
 * with `metric` (n = 0: withdraws them), for `reason` ("timeout",
 * "response from 10.0.12.2", "spf"). Returns FALSE when that is what the
 * table holds already (nothing traced or logged). Routes of other origins
 * to the same prefix stay: the table prefers by administrative distance. */
gboolean routing_set(Node *node, RouteOrigin origin, Ipv4Prefix to, const RoutingHop *hops, guint n, uint32_t metric,
                     const char *reason)
{
  RouteTable *rt = node->ip->routes;
  Route paths[ROUTE_MAX_PATHS], old_copy[ROUTE_MAX_PATHS];
  const Route *old[ROUTE_MAX_PATHS], *now[ROUTE_MAX_PATHS];
  guint n_old;

  n = MIN(n, (guint)ROUTE_MAX_PATHS);
  to.addr &= addr_mask(to.len);
  for (guint i = 0; i < n; i++)
    paths[i] = (Route){.iface = hops[i].iface, .gateway = hops[i].gateway, .metric = metric, .origin = (uint8_t)origin};
  n_old = routing_held(rt, origin, to, old);
  for (guint i = 0; i < n_old; i++) {
    old_copy[i] = *old[i];
    old[i] = &old_copy[i];
  }
  if (!route_table_set_paths(rt, origin, to, paths, n))
    return FALSE;
  for (guint i = 0; i < n; i++)
    now[i] = &paths[i];
  node->ctx->route_changes++;
  node->ctx->last_route_change = sim_now(node->ctx);
  routing_report(node, origin, to, old, n_old, now, n, reason);
  return TRUE;
}

/* The first line of routes.csv. */
void routing_csv_header(FILE *out)
{
  fputs("time_s,node,prefix,protocol,old_next_hops,new_next_hops,old_metric,new_metric,reason\n", out);
}
