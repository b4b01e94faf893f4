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
    if (paths[i]->gateway) {
      g_string_append(out, addr_format_ipv4(paths[i]->gateway, text));
      g_string_append_c(out, '%');
    }
    g_string_append(out, paths[i]->iface ? paths[i]->iface->name : "-");
  }
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

/* Appends `v` in decimal, without printf (routes.csv has a row per change). */
static void routing_append_uint(GString *out, uint32_t v)
{
  char digits[10];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    g_string_append_c(out, digits[--n]);
}

/* The `routing` trace note of a change: "rip: 10.0.3.0/24 via
 * 10.0.12.2%eth1 metric 2 -> unreachable (timeout)". */
static void routing_note(Node *node, RouteOrigin origin, const char *pfx, const Route *const *old, guint n_old,
                         const Route *const *now, guint n_now, const char *reason)
{
  SimContext *ctx = node->ctx;
  GString *s = g_string_new(route_origin_name(origin));

  g_string_append_printf(s, ": %s ", pfx);
  routing_format_side(s, old, n_old);
  g_string_append(s, " -> ");
  routing_format_side(s, now, n_now);
  g_string_append_printf(s, " (%s)", reason);
  trace_note(ctx->trace, TRACE_ROUTING, sim_now(ctx), node, n_now ? now[0]->iface : NULL, "%s", s->str);
  g_string_free(s, TRUE);
}

/* The routes.csv row of a change (see routing.h). */
static void routing_csv_row(Node *node, RouteOrigin origin, const char *pfx, const Route *const *old, guint n_old,
                            const Route *const *now, guint n_now, const char *reason)
{
  GString *s = g_string_sized_new(128);

  trace_format_time(s, sim_now(node->ctx));
  g_string_append_c(s, ',');
  g_string_append(s, node->name);
  g_string_append_c(s, ',');
  g_string_append(s, pfx);
  g_string_append_c(s, ',');
  g_string_append(s, route_origin_name(origin));
  g_string_append_c(s, ',');
  routing_format_hops(s, old, n_old, " ");
  g_string_append_c(s, ',');
  routing_format_hops(s, now, n_now, " ");
  g_string_append_c(s, ',');
  if (n_old)
    routing_append_uint(s, old[0]->metric);
  g_string_append_c(s, ',');
  if (n_now)
    routing_append_uint(s, now[0]->metric);
  g_string_append_c(s, ',');
  g_string_append(s, reason);
  g_string_append_c(s, '\n');
  fwrite(s->str, 1, s->len, node->ctx->routes_csv);
  g_string_free(s, TRUE);
}

/* Writes the trace note and the routes.csv row of a change of `node`'s
 * `origin` routes to `to` from old[0..n_old) to now[0..n_now). */
static void routing_report(Node *node, RouteOrigin origin, Ipv4Prefix to, const Route *const *old, guint n_old,
                           const Route *const *now, guint n_now, const char *reason)
{
  SimContext *ctx = node->ctx;
  char pfx[ADDR_CIDR_TEXT];

  if (!trace_wants(ctx->trace, TRACE_ROUTING) && !ctx->routes_csv)
    return; /* nobody looks: no formatting on a protocol's hot path */
  addr_format_cidr(to.addr, to.len, pfx);
  if (trace_wants(ctx->trace, TRACE_ROUTING))
    routing_note(node, origin, pfx, old, n_old, now, n_now, reason);
  if (ctx->routes_csv)
    routing_csv_row(node, origin, pfx, old, n_old, now, n_now, reason);
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
  n_old = route_table_paths_of(rt, origin, to, old);
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

/* A protocol's TRACE_ROUTING note on `node` (and `iface`, may be NULL):
 * "<proto>: <text>". Formats nothing when the trace does not show the
 * routing layer. */
void routing_vnote(Node *node, const Iface *iface, const char *proto, const char *fmt, va_list ap)
{
  SimContext *ctx = node->ctx;

  if (!trace_wants(ctx->trace, TRACE_ROUTING))
    return;
  char *text = g_strdup_vprintf(fmt, ap);
  trace_note(ctx->trace, TRACE_ROUTING, sim_now(ctx), node, iface, "%s: %s", proto, text);
  g_free(text);
}

/* The first line of routes.csv. */
void routing_csv_header(FILE *out)
{
  fputs("time_s,node,prefix,protocol,old_next_hops,new_next_hops,old_metric,new_metric,reason\n", out);
}
