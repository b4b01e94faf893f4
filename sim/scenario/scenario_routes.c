/*
 * Each node's routing settings, read once links have given interfaces
 * their addresses: the effective `routing` mode (the node's, else the
 * scenario's), a switch's MAC aging time (the node's, else
 * defaults.switch.aging, else 300s), the default `gateway` and the static
 * `routes` of hosts and routers. A next hop (gateway or a route's `via`)
 * must be a host address of a subnet the node is on (of the route's `dev`
 * when one is given) and not the node's own; a route's `to` is a network
 * address or `default`; two routes to one prefix need different metrics.
 *
 * Entry point: scenario_resolve_routes(), the last step of scenario_resolve();
 * scenario_parse_route_to() for `expect: route:`.
 */
#include <string.h>

#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

enum { ROUTE_GIVEN_VIA = 1u << 0, ROUTE_GIVEN_DEV = 1u << 1 };

/* A route being read, with what its parsers need to know. */
typedef struct {
  ScenarioRoute route;
  guint given;
  int node;
} RouteDraft;

static gboolean scenario_parse_ipv4(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_route_dev(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_metric(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField route_fields[] = {
    {"to", scenario_parse_route_to, offsetof(RouteDraft, route.to), 0, TRUE},
    {"via", scenario_parse_ipv4, offsetof(RouteDraft, route.via), ROUTE_GIVEN_VIA, FALSE},
    {"dev", scenario_parse_route_dev, 0, ROUTE_GIVEN_DEV, FALSE},
    {"metric", scenario_parse_metric, offsetof(RouteDraft, route.metric), 0, FALSE},
};
static const Schema route_schema = {"a route", route_fields, G_N_ELEMENTS(route_fields), offsetof(RouteDraft, given)};

/* `to: default` or a network prefix such as 10.1.3.0/24. Stores an Ipv4Prefix. */
gboolean scenario_parse_route_to(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (value->type == YNODE_SCALAR && strcmp(value->text, "default") == 0) {
    *(Ipv4Prefix *)dest = (Ipv4Prefix){0, 0};
    return TRUE;
  }
  static const char *const words[] = {"default"};
  char *near =
      value->type == YNODE_SCALAR && !g_ascii_isdigit(value->text[0]) ? diag_suggest(value->text, words, 1) : NULL;
  if (near) {
    schema_error(cx, value, "unknown destination '%s'; did you mean '%s'?", value->text, near);
    g_free(near);
    return FALSE;
  }
  return scenario_parse_net_prefix(cx, value, dest);
}

/* An IPv4 address without prefix length. Stores a uint32_t. */
static gboolean scenario_parse_ipv4(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "an IPv4 address such as '10.0.1.1'"))
    return FALSE;
  if (addr_parse_ipv4(value->text, dest))
    return TRUE;
  char *found = ynode_describe(value);
  schema_error(cx, value, "expected an IPv4 address such as '10.0.1.1', found %s%s", found,
               strchr(value->text, '/') ? "; write the address without a prefix length" : "");
  g_free(found);
  return FALSE;
}

static gboolean scenario_parse_route_dev(SchemaCtx *cx, const YNode *value, void *dest)
{
  RouteDraft *draft = dest;
  if (!schema_expect(cx, value, YNODE_SCALAR, "an interface name"))
    return FALSE;
  draft->route.dev = scenario_lookup_iface(cx, value, draft->node, value->text);
  return draft->route.dev >= 0;
}

static gboolean scenario_parse_metric(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 0, G_MAXUINT32, "a metric", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* Lists the node's subnets ("eth0 10.0.1.0/24, eth1 10.0.2.0/24") for messages. */
static char *scenario_list_subnets(const ScenarioNode *node)
{
  GString *list = g_string_new(NULL);
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    char net[ADDR_CIDR_TEXT];
    if (iface->has_ip)
      g_string_append_printf(list, "%s%s %s", list->len ? ", " : "", iface->name,
                             addr_format_cidr(iface->ip.addr & addr_mask(iface->ip.len), iface->ip.len, net));
  }
  return g_string_free(list, FALSE);
}

/* Which of the node's interfaces (only `dev` when >= 0) has `addr` in its
 * subnet; -1 if none. */
static int scenario_next_hop_iface(const ScenarioNode *node, int dev, uint32_t addr)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    uint32_t mask = addr_mask(iface->ip.len);
    if ((dev < 0 || (int)i == dev) && iface->has_ip && iface->ip.len < 32 && (iface->ip.addr & mask) == (addr & mask))
      return (int)i;
  }
  return -1;
}

static void scenario_report_off_subnet(SchemaCtx *cx, const YNode *at, const ScenarioNode *node, int dev,
                                       const char *text)
{
  if (dev >= 0) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, dev);
    char net[ADDR_CIDR_TEXT];
    if (iface->has_ip)
      schema_error(cx, at, "%s is not on the subnet of %s:%s (%s)", text, node->name, iface->name,
                   addr_format_cidr(iface->ip.addr & addr_mask(iface->ip.len), iface->ip.len, net));
    else
      schema_error(cx, at, "%s cannot be reached through %s:%s, which has no address", text, node->name, iface->name);
    return;
  }
  char *subnets = scenario_list_subnets(node);
  if (*subnets)
    schema_error(cx, at, "%s is not on a subnet of %s (%s)", text, node->name, subnets);
  else
    schema_error(cx, at, "%s is not on a subnet of %s, which has no address", text, node->name);
  g_free(subnets);
}

/* Checks that `addr` can be node `n`'s next hop (through `dev` when >= 0).
 * Warns when no node holds it. Returns FALSE after reporting. */
static gboolean scenario_check_next_hop(SchemaCtx *cx, const YNode *at, int n, int dev, uint32_t addr)
{
  const Scenario *sc = loader_of(cx)->sc;
  const ScenarioNode *node = scenario_node(sc, n);
  char text[ADDR_IPV4_TEXT], net[ADDR_CIDR_TEXT];
  addr_format_ipv4(addr, text);
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    if (iface->has_ip && iface->ip.addr == addr) {
      schema_error(cx, at, "%s is the address of %s:%s itself; the next hop is a neighbour's address", text, node->name,
                   iface->name);
      return FALSE;
    }
  }
  int i = scenario_next_hop_iface(node, dev, addr);
  if (i < 0) {
    scenario_report_off_subnet(cx, at, node, dev, text);
    return FALSE;
  }
  const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
  uint32_t mask = addr_mask(iface->ip.len), host = addr & ~mask;
  if (iface->ip.len <= 30 && (host == 0 || host == ~mask)) {
    schema_error(cx, at, "%s is the %s address of %s:%s's subnet %s, not a neighbour's address", text,
                 host == 0 ? "network" : "broadcast", node->name, iface->name,
                 addr_format_cidr(addr & mask, iface->ip.len, net));
    return FALSE;
  }
  gboolean ppp = iface->link >= 0 && scenario_link(sc, iface->link)->params.type == LINK_PPP;
  if (!ppp && scenario_find_address(sc, addr) < 0) /* PPP sends to its one peer: no resolution to fail */
    scenario_warning(cx, at, "no node has the address %s; ARP for it will fail", text);
  return TRUE;
}

static void scenario_read_gateway(SchemaCtx *cx, int n, const YNode *value)
{
  uint32_t addr = 0;
  gsize mark = schema_path_push_key(cx, "gateway");
  if (scenario_parse_ipv4(cx, value, &addr) && scenario_check_next_hop(cx, value, n, -1, addr)) {
    ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
    node->gateway = addr;
    node->gateway_mark = scenario_mark_of(value);
  }
  schema_path_pop(cx, mark);
}

/* Reports a route whose (to, metric) an earlier route of the node has. */
static gboolean scenario_route_unique(SchemaCtx *cx, const YNode *item, const ScenarioNode *node,
                                      const ScenarioRoute *r)
{
  for (guint i = 0; i < node->routes->len; i++) {
    const ScenarioRoute *other = &g_array_index(node->routes, ScenarioRoute, i);
    if (other->to.addr == r->to.addr && other->to.len == r->to.len && other->metric == r->metric) {
      char net[ADDR_CIDR_TEXT];
      if (r->to.len)
        schema_error(cx, item, "a route to %s with metric %u is already given at line %d; give this one another metric",
                     addr_format_cidr(r->to.addr, r->to.len, net), r->metric, other->mark.line);
      else
        schema_error(cx, item,
                     "a default route with metric %u is already given at line %d; give this one another "
                     "metric",
                     r->metric, other->mark.line);
      return FALSE;
    }
  }
  return TRUE;
}

/* Checks a route's next hop and uniqueness once its keys are read. */
static gboolean scenario_finish_route(SchemaCtx *cx, const YNode *item, const RouteDraft *d)
{
  if (!(d->given & (ROUTE_GIVEN_VIA | ROUTE_GIVEN_DEV))) {
    schema_error(cx, item, "a route needs 'via' (the next hop's address) or 'dev' (an interface), or both");
    return FALSE;
  }
  if (d->given & ROUTE_GIVEN_VIA) {
    gsize mark = schema_path_push_key(cx, "via");
    gboolean ok = scenario_check_next_hop(cx, ynode_map_get(item, "via"), d->node, d->route.dev, d->route.via);
    schema_path_pop(cx, mark);
    if (!ok)
      return FALSE;
  }
  return scenario_route_unique(cx, item, scenario_node(loader_of(cx)->sc, d->node), &d->route);
}

static void scenario_read_routes(SchemaCtx *cx, int n, const YNode *value)
{
  gsize mark = schema_path_push_key(cx, "routes");
  if (schema_expect(cx, value, YNODE_SEQ, "a list of routes such as { to: 10.1.3.0/24, via: 10.1.2.2 }"))
    for (guint i = 0; i < value->n && !diag_full(cx->diags); i++) {
      const YNode *item = value->items[i];
      RouteDraft d = {{{0, 0}, 0, -1, 1, scenario_mark_of(item)}, 0, n};
      gsize at = schema_path_push_index(cx, i);
      if (schema_apply(cx, &route_schema, item, &d) && scenario_finish_route(cx, item, &d))
        g_array_append_val(scenario_node(loader_of(cx)->sc, n)->routes, d.route);
      schema_path_pop(cx, at);
    }
  schema_path_pop(cx, mark);
}

/* Fills the node's effective routing mode and aging time. */
static void scenario_node_modes(Loader *ld, ScenarioNode *node)
{
  gboolean protocol = ld->sc->routing == SCENARIO_ROUTING_RIP || ld->sc->routing == SCENARIO_ROUTING_OSPF;
  if (node->routing == SCENARIO_ROUTING_INHERIT) /* protocols run on routers: hosts keep their gateway */
    node->routing = protocol && node->kind != NODE_KIND_ROUTER ? SCENARIO_ROUTING_STATIC : ld->sc->routing;
  if (node->kind != NODE_KIND_SWITCH)
    node->aging = 0;
  else if (node->aging < 0)
    node->aging = ld->switch_aging;
}

/* Completes every node's routing settings; see the file's comment. */
void scenario_resolve_routes(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  for (guint n = 0; n < ld->sc->nodes->len && !diag_full(cx->diags); n++) {
    ScenarioNode *node = scenario_node(ld->sc, n);
    const YNode *map = g_ptr_array_index(ld->node_maps, n);
    scenario_node_modes(ld, node);
    if (node_kind_is_l2(node->kind) || map->type != YNODE_MAP)
      continue;
    scenario_path_set(cx, "nodes");
    schema_path_push_key(cx, node->name);
    const YNode *gateway = ynode_map_get(map, "gateway"), *routes = ynode_map_get(map, "routes");
    if (gateway)
      scenario_read_gateway(cx, (int)n, gateway);
    if (routes)
      scenario_read_routes(cx, (int)n, routes);
  }
  g_string_truncate(cx->path, 0);
}
