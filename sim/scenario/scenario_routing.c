/*
 * The routing protocols' settings: the top-level `rip:` and `ospf:`
 * mappings (every router's defaults, and the defaults of every interface)
 * and each router's own `rip:` and `ospf:` (the same keys, overriding the
 * scenario's, plus `interfaces:` keyed by interface name and, for OSPF,
 * `router-id`). Each RIP router's ScenarioNode.rip and each OSPF router's
 * ScenarioNode.ospf is filled with effective settings, one interface
 * entry per interface of the node: the model's defaults
 * (rip_config_defaults(), ospf_config_defaults()), then the scenario's
 * keys, then the router's, then the interface's. An OSPF `hello` given
 * without `dead` at one level makes `dead` four times it there (as Cisco
 * and FRR's defaults relate them); `dead` must stay longer than `hello`.
 * An interface without an address runs neither protocol.
 *
 * Also: `routing: rip|ospf` written on a host is an error (hosts keep
 * `gateway`); scenario-wide, hosts stay static (scenario_routes.c). A
 * `rip:` or `ospf:` block on a node that does not run the protocol is a
 * warning, and so are scenario-wide settings no router uses. Two OSPF
 * routers with one router ID (given, or the highest address the model
 * takes when none is given) are an error.
 *
 * Entry points: scenario_parse_rip(), scenario_parse_ospf() (first pass:
 * keep the mapping), scenario_parse_routing_later() (a node's blocks),
 * scenario_resolve_routing() (once interfaces and addresses are known).
 */
#include <string.h>

#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

enum { OSPF_GIVEN_HELLO = 1u << 0, OSPF_GIVEN_DEAD = 1u << 1, RIP_GIVEN_TRIGGER = 1u << 2 };

/* The RIP settings at one level: the router's, and its interfaces' defaults. */
typedef struct {
  RipConfig conf;
  RipIfaceConfig iface;
  guint given;
} RipDraft;

typedef struct {
  OspfConfig conf;
  OspfIfaceConfig iface;
  guint given;
} OspfDraft;

typedef struct {
  OspfIfaceConfig iface;
  guint given;
} OspfIfaceDraft;

static gboolean rip_parse_split(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean rip_parse_redistribute(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean rip_parse_metric_offset(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_redistribute(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_reference(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_area(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_cost(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_priority(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_type(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean ospf_parse_router_id(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean routing_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest);

/* The router's keys; the scenario's are all but the last (`interfaces`). */
static const SchemaField rip_fields[] = {
    {"update", scenario_parse_duration_positive, offsetof(RipDraft, conf.update), 0, FALSE},
    {"timeout", scenario_parse_duration_positive, offsetof(RipDraft, conf.timeout), 0, FALSE},
    {"garbage", scenario_parse_duration_positive, offsetof(RipDraft, conf.garbage), 0, FALSE},
    {"trigger-min", scenario_parse_duration_positive, offsetof(RipDraft, conf.trigger_min), RIP_GIVEN_TRIGGER, FALSE},
    {"trigger-max", scenario_parse_duration_positive, offsetof(RipDraft, conf.trigger_max), RIP_GIVEN_TRIGGER, FALSE},
    {"split-horizon", rip_parse_split, offsetof(RipDraft, conf.split), 0, FALSE},
    {"redistribute", rip_parse_redistribute, 0, 0, FALSE},
    {"default-originate", scenario_parse_bool, offsetof(RipDraft, conf.default_originate), 0, FALSE},
    {"passive", scenario_parse_bool, offsetof(RipDraft, iface.passive), 0, FALSE},
    {"interfaces", routing_parse_interfaces, 0, 0, FALSE},
};
static const Schema rip_schema = {"the RIP settings", rip_fields, G_N_ELEMENTS(rip_fields) - 1,
                                  offsetof(RipDraft, given)};
static const Schema rip_node_schema = {"a router's RIP settings", rip_fields, G_N_ELEMENTS(rip_fields),
                                       offsetof(RipDraft, given)};

static const SchemaField rip_iface_fields[] = {
    {"enabled", scenario_parse_bool, offsetof(RipIfaceConfig, enabled), 0, FALSE},
    {"passive", scenario_parse_bool, offsetof(RipIfaceConfig, passive), 0, FALSE},
    {"metric-offset", rip_parse_metric_offset, offsetof(RipIfaceConfig, metric_offset), 0, FALSE},
};
static const Schema rip_iface_schema = {"an interface's RIP settings", rip_iface_fields, G_N_ELEMENTS(rip_iface_fields),
                                        SCHEMA_NO_GIVEN};

/* The router's keys; the scenario's are all but the last two (`router-id`, `interfaces`). */
static const SchemaField ospf_fields[] = {
    {"reference-bandwidth", ospf_parse_reference, offsetof(OspfDraft, conf.reference_bps), 0, FALSE},
    {"spf-delay", schema_parse_duration, offsetof(OspfDraft, conf.spf_delay), 0, FALSE},
    {"spf-hold", scenario_parse_duration_positive, offsetof(OspfDraft, conf.spf_hold), 0, FALSE},
    {"spf-max-hold", scenario_parse_duration_positive, offsetof(OspfDraft, conf.spf_max_hold), 0, FALSE},
    {"redistribute", ospf_parse_redistribute, 0, 0, FALSE},
    {"default-originate", scenario_parse_bool, offsetof(OspfDraft, conf.default_originate), 0, FALSE},
    {"area", ospf_parse_area, offsetof(OspfDraft, iface.area), 0, FALSE},
    {"hello", scenario_parse_duration_positive, offsetof(OspfDraft, iface.hello), OSPF_GIVEN_HELLO, FALSE},
    {"dead", scenario_parse_duration_positive, offsetof(OspfDraft, iface.dead), OSPF_GIVEN_DEAD, FALSE},
    {"retransmit", scenario_parse_duration_positive, offsetof(OspfDraft, iface.retransmit), 0, FALSE},
    {"transmit-delay", scenario_parse_duration_positive, offsetof(OspfDraft, iface.transmit_delay), 0, FALSE},
    {"priority", ospf_parse_priority, offsetof(OspfDraft, iface.priority), 0, FALSE},
    {"passive", scenario_parse_bool, offsetof(OspfDraft, iface.passive), 0, FALSE},
    {"router-id", ospf_parse_router_id, offsetof(OspfDraft, conf.router_id), 0, FALSE},
    {"interfaces", routing_parse_interfaces, 0, 0, FALSE},
};
static const Schema ospf_schema = {"the OSPF settings", ospf_fields, G_N_ELEMENTS(ospf_fields) - 2,
                                   offsetof(OspfDraft, given)};
static const Schema ospf_node_schema = {"a router's OSPF settings", ospf_fields, G_N_ELEMENTS(ospf_fields),
                                        offsetof(OspfDraft, given)};

static const SchemaField ospf_iface_fields[] = {
    {"enabled", scenario_parse_bool, offsetof(OspfIfaceDraft, iface.enabled), 0, FALSE},
    {"area", ospf_parse_area, offsetof(OspfIfaceDraft, iface.area), 0, FALSE},
    {"cost", ospf_parse_cost, offsetof(OspfIfaceDraft, iface.cost), 0, FALSE},
    {"priority", ospf_parse_priority, offsetof(OspfIfaceDraft, iface.priority), 0, FALSE},
    {"passive", scenario_parse_bool, offsetof(OspfIfaceDraft, iface.passive), 0, FALSE},
    {"hello", scenario_parse_duration_positive, offsetof(OspfIfaceDraft, iface.hello), OSPF_GIVEN_HELLO, FALSE},
    {"dead", scenario_parse_duration_positive, offsetof(OspfIfaceDraft, iface.dead), OSPF_GIVEN_DEAD, FALSE},
    {"retransmit", scenario_parse_duration_positive, offsetof(OspfIfaceDraft, iface.retransmit), 0, FALSE},
    {"transmit-delay", scenario_parse_duration_positive, offsetof(OspfIfaceDraft, iface.transmit_delay), 0, FALSE},
    {"type", ospf_parse_type, offsetof(OspfIfaceDraft, iface.type), 0, FALSE},
};
static const Schema ospf_iface_schema = {"an interface's OSPF settings", ospf_iface_fields,
                                         G_N_ELEMENTS(ospf_iface_fields), offsetof(OspfIfaceDraft, given)};

static gboolean rip_parse_split(SchemaCtx *cx, const YNode *value, void *dest)
{
  int i = 0;
  if (!scenario_parse_word(cx, value, rip_split_names, RIP_SPLIT_COUNT, "split-horizon", &i))
    return FALSE;
  *(RipSplitHorizon *)dest = (RipSplitHorizon)i;
  return TRUE;
}

/* `redistribute: [connected, static]` (or `[]`): sets the two flags. */
static gboolean routing_parse_redist(SchemaCtx *cx, const YNode *value, gboolean *connected, gboolean *statics)
{
  static const char *const words[] = {"connected", "static"};
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of route sources such as [connected, static]"))
    return FALSE;
  gboolean ok = TRUE, seen[2] = {FALSE, FALSE};
  for (guint i = 0; i < value->n; i++) {
    int w = 0;
    gsize mark = schema_path_push_index(cx, i);
    if (scenario_parse_word(cx, value->items[i], words, G_N_ELEMENTS(words), "route source", &w))
      seen[w] = TRUE;
    else
      ok = FALSE;
    schema_path_pop(cx, mark);
  }
  if (ok) {
    *connected = seen[0];
    *statics = seen[1];
  }
  return ok;
}

static gboolean rip_parse_redistribute(SchemaCtx *cx, const YNode *value, void *dest)
{
  RipDraft *d = dest;
  return routing_parse_redist(cx, value, &d->conf.redist_connected, &d->conf.redist_static);
}

static gboolean ospf_parse_redistribute(SchemaCtx *cx, const YNode *value, void *dest)
{
  OspfDraft *d = dest;
  return routing_parse_redist(cx, value, &d->conf.redist_connected, &d->conf.redist_static);
}

/* Stores a uint32_t from min to max. */
static gboolean routing_parse_u32(SchemaCtx *cx, const YNode *value, uint64_t min, uint64_t max, const char *what,
                                  void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, min, max, what, &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* Below infinity (16): a larger offset would make every route learned there unreachable. */
static gboolean rip_parse_metric_offset(SchemaCtx *cx, const YNode *value, void *dest)
{
  return routing_parse_u32(cx, value, 0, RIP_INFINITY - 1, "a metric offset", dest);
}

static gboolean ospf_parse_cost(SchemaCtx *cx, const YNode *value, void *dest)
{
  return routing_parse_u32(cx, value, 1, 65535, "an OSPF cost", dest);
}

static gboolean ospf_parse_priority(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 0, 255, "a priority", &v))
    return FALSE;
  *(uint8_t *)dest = (uint8_t)v;
  return TRUE;
}

static gboolean ospf_parse_reference(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_parse_rate(cx, value, dest))
    return FALSE;
  if (*(uint64_t *)dest > 0)
    return TRUE;
  schema_error(cx, value, "the reference bandwidth must be more than 0bps, found %s", value->text);
  return FALSE;
}

static gboolean ospf_parse_type(SchemaCtx *cx, const YNode *value, void *dest)
{
  int i = 0;
  if (!scenario_parse_word(cx, value, ospf_if_type_names, OSPF_IF_TYPE_COUNT, "interface type", &i))
    return FALSE;
  *(OspfIfType *)dest = (OspfIfType)i;
  return TRUE;
}

/* An area ID: a number (0 is the backbone) or a dotted quad such as 0.0.0.1. */
static gboolean ospf_parse_area(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "an area ID such as 0 or 0.0.0.1"))
    return FALSE;
  if (strchr(value->text, '.') || !g_ascii_isdigit(value->text[0])) {
    if (addr_parse_ipv4(value->text, dest))
      return TRUE;
    schema_error(cx, value, "expected an area ID, a number such as 1 or a dotted quad such as 0.0.0.1, found '%s'",
                 value->text);
    return FALSE;
  }
  return routing_parse_u32(cx, value, 0, G_MAXUINT32, "an area ID", dest);
}

static gboolean ospf_parse_router_id(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a router ID such as 1.1.1.1"))
    return FALSE;
  uint32_t id = 0;
  if (!addr_parse_ipv4(value->text, &id) || id == 0) {
    char *found = ynode_describe(value);
    schema_error(cx, value, "expected a router ID written as a non-zero IPv4 address such as 1.1.1.1, found %s", found);
    g_free(found);
    return FALSE;
  }
  *(uint32_t *)dest = id;
  return TRUE;
}

/* `interfaces` is read once the level's other keys are (scenario_routing_ifaces). */
static gboolean routing_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  return schema_expect(cx, value, YNODE_MAP, "a mapping of interface names to settings");
}

/* A node's `rip:` and `ospf:`: read once the interfaces are known. */
gboolean scenario_parse_routing_later(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)cx;
  (void)value;
  (void)dest;
  return TRUE;
}

gboolean scenario_parse_rip(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_MAP, "a mapping of RIP settings"))
    return FALSE;
  loader_of(cx)->rip = value;
  return TRUE;
}

gboolean scenario_parse_ospf(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_MAP, "a mapping of OSPF settings"))
    return FALSE;
  loader_of(cx)->ospf = value;
  return TRUE;
}

/* The key `key` of `map` (a mapping), for a message's place, else `map`. */
static const YNode *routing_at(const YNode *map, const char *key)
{
  const YNode *v = map && map->type == YNODE_MAP ? ynode_map_get(map, key) : NULL;
  return v ? v : map;
}

/* Checks a RIP level once read: triggered updates wait from min to max. */
static gboolean rip_check_level(SchemaCtx *cx, const YNode *map, const RipDraft *d)
{
  if (!(d->given & RIP_GIVEN_TRIGGER) || d->conf.trigger_min <= d->conf.trigger_max)
    return TRUE;
  char *lo = units_format_duration(d->conf.trigger_min), *hi = units_format_duration(d->conf.trigger_max);
  const char *key = ynode_map_get(map, "trigger-min") ? "trigger-min" : "trigger-max";
  gsize mark = schema_path_push_key(cx, key);
  schema_error(cx, routing_at(map, key), "trigger-min (%s) must not be longer than trigger-max (%s)", lo, hi);
  schema_path_pop(cx, mark);
  g_free(lo);
  g_free(hi);
  return FALSE;
}

/* Completes and checks OSPF timers once a level is read: `hello` alone
 * makes `dead` four times it; `dead` must be longer than `hello`. */
static gboolean ospf_check_timers(SchemaCtx *cx, const YNode *map, guint given, OspfIfaceConfig *c)
{
  if ((given & OSPF_GIVEN_HELLO) && !(given & OSPF_GIVEN_DEAD))
    c->dead = 4 * c->hello;
  if (!(given & (OSPF_GIVEN_HELLO | OSPF_GIVEN_DEAD)) || c->dead > c->hello)
    return TRUE;
  char *hello = units_format_duration(c->hello), *dead = units_format_duration(c->dead);
  gsize mark = schema_path_push_key(cx, (given & OSPF_GIVEN_DEAD) ? "dead" : "hello");
  schema_error(
      cx, routing_at(map, (given & OSPF_GIVEN_DEAD) ? "dead" : "hello"),
      "dead (%s) must be longer than hello (%s): a router declares a neighbour down after 'dead' without a Hello", dead,
      hello);
  schema_path_pop(cx, mark);
  g_free(hello);
  g_free(dead);
  return FALSE;
}

/* Reads the scenario-wide `rip:` and `ospf:` into the drafts every router starts from. */
static void routing_read_top(Loader *ld, RipDraft *rip, OspfDraft *ospf)
{
  SchemaCtx *cx = &ld->cx;
  *rip = (RipDraft){0};
  *ospf = (OspfDraft){0}; /* `given` too: schema_apply() ORs into it */
  rip_config_defaults(&rip->conf);
  rip_iface_config_defaults(&rip->iface);
  ospf_config_defaults(&ospf->conf);
  ospf_iface_config_defaults(&ospf->iface);
  if (ld->rip) {
    scenario_path_set(cx, "rip");
    if (schema_apply(cx, &rip_schema, ld->rip, rip))
      rip_check_level(cx, ld->rip, rip);
  }
  if (ld->ospf) {
    scenario_path_set(cx, "ospf");
    if (schema_apply(cx, &ospf_schema, ld->ospf, ospf))
      ospf_check_timers(cx, ld->ospf, ospf->given, &ospf->iface);
  }
  rip->given = ospf->given = 0;
  g_string_truncate(cx->path, 0);
}

/* The index of the node's interface `key` names, or -1 after an error naming its interfaces. */
static int routing_lookup_iface(SchemaCtx *cx, const YNode *key, int node)
{
  const ScenarioNode *nd = scenario_node(loader_of(cx)->sc, node);
  int i = scenario_node_find_iface(nd, key->text);
  if (i >= 0)
    return i;
  GString *list = g_string_new(NULL);
  for (guint k = 0; k < nd->ifaces->len; k++)
    g_string_append_printf(list, "%s%s", k ? ", " : "", g_array_index(nd->ifaces, ScenarioIface, k).name);
  schema_error(cx, key, "node '%s' has no interface '%s'; its interfaces are %s", nd->name, key->text,
               list->len ? list->str : "none");
  g_string_free(list, TRUE);
  return -1;
}

/* Calls fn(cx, node, index, settings) for each entry of `interfaces:` in
 * `map` naming an interface of the node; reports the others. */
static void routing_each_iface(SchemaCtx *cx, const YNode *map, int node,
                               void (*fn)(SchemaCtx *, const YNode *, int, void *), void *data)
{
  const YNode *ifaces = ynode_map_get(map, "interfaces");
  if (!ifaces || ifaces->type != YNODE_MAP)
    return;
  gsize mark = schema_path_push_key(cx, "interfaces");
  for (guint i = 0; i < ifaces->n; i++) {
    const YNode *key = ynode_key(ifaces, i), *value = ynode_value(ifaces, i);
    if (key->type != YNODE_SCALAR)
      continue;
    gsize at = schema_path_push_key(cx, key->text);
    int index = routing_lookup_iface(cx, key, node);
    if (index >= 0 && !ynode_is_null(value))
      fn(cx, value, index, data);
    schema_path_pop(cx, at);
  }
  schema_path_pop(cx, mark);
}

static void rip_read_iface(SchemaCtx *cx, const YNode *value, int index, void *data)
{
  schema_apply(cx, &rip_iface_schema, value, &g_array_index((GArray *)data, RipIfaceConfig, index));
}

static void ospf_read_iface(SchemaCtx *cx, const YNode *value, int index, void *data)
{
  OspfIfaceDraft d = {g_array_index((GArray *)data, OspfIfaceConfig, index), 0};
  if (schema_apply(cx, &ospf_iface_schema, value, &d) && ospf_check_timers(cx, value, d.given, &d.iface))
    g_array_index((GArray *)data, OspfIfaceConfig, index) = d.iface;
}

/* One entry per interface of the node, each `defaults`; an interface
 * without an address runs no protocol. */
static GArray *routing_ifaces_new(const ScenarioNode *node, const void *defaults, gsize size, gsize enabled_offset)
{
  GArray *ifaces = g_array_sized_new(FALSE, TRUE, (guint)size, node->ifaces->len);
  for (guint i = 0; i < node->ifaces->len; i++) {
    g_array_append_vals(ifaces, defaults, 1);
    if (!g_array_index(node->ifaces, ScenarioIface, i).has_ip)
      *(gboolean *)(ifaces->data + i * size + enabled_offset) = FALSE;
  }
  return ifaces;
}

/* Warns about a node's `rip:` or `ospf:` block that nothing reads. */
static void routing_warn_unused(SchemaCtx *cx, const YNode *block, const ScenarioNode *node, const char *proto,
                                ScenarioRouting wanted)
{
  static const char *const modes[] = {"inherit", "static", "auto", "rip", "ospf"};
  if (node->routing == wanted)
    return;
  if (node->kind != NODE_KIND_ROUTER)
    scenario_warning(cx, block, "%s '%s' does not run %s: routing protocols run on routers only; this block is ignored",
                     node_kind_name(node->kind), node->name, proto);
  else
    scenario_warning(cx, block, "router '%s' does not run %s (its routing is %s); this block is ignored", node->name,
                     proto, modes[node->routing]);
}

/* Node n's `rip:` over the scenario's; fills ScenarioNode.rip of a RIP router. */
static void routing_read_node_rip(Loader *ld, int n, const YNode *block, const RipDraft *top)
{
  SchemaCtx *cx = &ld->cx;
  ScenarioNode *node = scenario_node(ld->sc, n);
  RipDraft d = *top;
  if (block) {
    gsize mark = schema_path_push_key(cx, "rip");
    routing_warn_unused(cx, block, node, "RIP", SCENARIO_ROUTING_RIP);
    if (schema_apply(cx, &rip_node_schema, block, &d))
      rip_check_level(cx, block, &d);
    schema_path_pop(cx, mark);
  }
  d.conf.ifaces = routing_ifaces_new(node, &d.iface, sizeof(RipIfaceConfig), offsetof(RipIfaceConfig, enabled));
  if (block && block->type == YNODE_MAP) {
    gsize mark = schema_path_push_key(cx, "rip");
    routing_each_iface(cx, block, n, rip_read_iface, d.conf.ifaces);
    schema_path_pop(cx, mark);
  }
  if (node->routing == SCENARIO_ROUTING_RIP)
    node->rip = d.conf;
  else
    g_array_free(d.conf.ifaces, TRUE);
}

/* Node n's `ospf:` over the scenario's; fills ScenarioNode.ospf of an OSPF router. */
static void routing_read_node_ospf(Loader *ld, int n, const YNode *block, const OspfDraft *top)
{
  SchemaCtx *cx = &ld->cx;
  ScenarioNode *node = scenario_node(ld->sc, n);
  OspfDraft d = *top;
  if (block) {
    gsize mark = schema_path_push_key(cx, "ospf");
    routing_warn_unused(cx, block, node, "OSPF", SCENARIO_ROUTING_OSPF);
    if (schema_apply(cx, &ospf_node_schema, block, &d))
      ospf_check_timers(cx, block, d.given, &d.iface);
    schema_path_pop(cx, mark);
  }
  d.conf.ifaces = routing_ifaces_new(node, &d.iface, sizeof(OspfIfaceConfig), offsetof(OspfIfaceConfig, enabled));
  if (block && block->type == YNODE_MAP) {
    gsize mark = schema_path_push_key(cx, "ospf");
    routing_each_iface(cx, block, n, ospf_read_iface, d.conf.ifaces);
    schema_path_pop(cx, mark);
  }
  if (node->routing == SCENARIO_ROUTING_OSPF)
    node->ospf = d.conf;
  else
    g_array_free(d.conf.ifaces, TRUE);
}

/* `routing: rip` or `ospf` written on a host: an error with advice. */
static void routing_check_host(SchemaCtx *cx, const ScenarioNode *node, const YNode *map)
{
  const YNode *routing = ynode_map_get(map, "routing");
  if (node->kind != NODE_KIND_HOST || !routing ||
      (node->routing != SCENARIO_ROUTING_RIP && node->routing != SCENARIO_ROUTING_OSPF))
    return;
  gsize mark = schema_path_push_key(cx, "routing");
  schema_error(cx, routing,
               "host '%s' cannot run %s: routing protocols run on routers; a host keeps its 'gateway' (and 'routes'), "
               "or make it a router with 'kind: router'",
               node->name, routing->text);
  schema_path_pop(cx, mark);
}

/* The router ID node n's OSPF will use: its `router-id`, else its highest address. */
static uint32_t routing_router_id(const ScenarioNode *node)
{
  uint32_t id = node->ospf.router_id;
  for (guint i = 0; node->ospf.router_id == 0 && i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    if (iface->has_ip && iface->ip.addr > id)
      id = iface->ip.addr;
  }
  return id;
}

/* Node n's `ospf.router-id`, else the node's mapping, with the key path set to it. */
static const YNode *routing_router_id_at(Loader *ld, int n)
{
  const YNode *map = g_ptr_array_index(ld->node_maps, n);
  const YNode *ospf = ynode_map_get(map, "ospf");
  const YNode *id = ospf && ospf->type == YNODE_MAP ? ynode_map_get(ospf, "router-id") : NULL;
  scenario_path_set(&ld->cx, "nodes");
  schema_path_push_key(&ld->cx, scenario_node(ld->sc, n)->name);
  if (!id)
    return map;
  schema_path_push_key(&ld->cx, "ospf");
  schema_path_push_key(&ld->cx, "router-id");
  return id;
}

/* Two OSPF routers with one router ID never agree on who is who. */
static void routing_check_router_ids(Loader *ld)
{
  GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(ld->sc, n);
    uint32_t id = node->routing == SCENARIO_ROUTING_OSPF ? routing_router_id(node) : 0;
    gpointer first = id ? g_hash_table_lookup(seen, GUINT_TO_POINTER(id)) : NULL;
    char text[ADDR_IPV4_TEXT];
    addr_format_ipv4(id, text);
    if (first) {
      const ScenarioNode *other = scenario_node(ld->sc, GPOINTER_TO_INT(first) - 1);
      schema_error(&ld->cx, routing_router_id_at(ld, (int)n),
                   "%s %s is already the router ID of '%s'; give each OSPF router its own 'router-id'",
                   node->ospf.router_id ? "router ID" : "the default router ID (the highest address)", text,
                   other->name);
    } else if (id) {
      g_hash_table_insert(seen, GUINT_TO_POINTER(id), GINT_TO_POINTER((int)n + 1));
    }
  }
  g_string_truncate(ld->cx.path, 0);
  g_hash_table_destroy(seen);
}

/* Warns about scenario-wide settings that no router reads. */
static void routing_check_top_used(Loader *ld)
{
  gboolean rip = FALSE, ospf = FALSE;
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    rip |= scenario_node(ld->sc, n)->routing == SCENARIO_ROUTING_RIP;
    ospf |= scenario_node(ld->sc, n)->routing == SCENARIO_ROUTING_OSPF;
  }
  if (ld->rip && !rip)
    scenario_warning_at(ld, scenario_mark_of(ld->rip),
                        "rip: no router runs RIP (give 'routing: rip'); these settings are ignored");
  if (ld->ospf && !ospf)
    scenario_warning_at(ld, scenario_mark_of(ld->ospf),
                        "ospf: no router runs OSPF (give 'routing: ospf'); these settings are ignored");
}

/* Fills every router's effective RIP and OSPF settings; see the file's comment. */
void scenario_resolve_routing(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  RipDraft rip;
  OspfDraft ospf;
  routing_read_top(ld, &rip, &ospf);
  for (guint n = 0; n < ld->sc->nodes->len && !diag_full(cx->diags); n++) {
    ScenarioNode *node = scenario_node(ld->sc, n);
    const YNode *map = g_ptr_array_index(ld->node_maps, n);
    if (node_kind_is_l2(node->kind) || map->type != YNODE_MAP)
      continue;
    scenario_path_set(cx, "nodes");
    schema_path_push_key(cx, node->name);
    routing_check_host(cx, node, map);
    routing_read_node_rip(ld, (int)n, ynode_map_get(map, "rip"), &rip);
    routing_read_node_ospf(ld, (int)n, ynode_map_get(map, "ospf"), &ospf);
  }
  g_string_truncate(cx->path, 0);
  routing_check_router_ids(ld);
  routing_check_top_used(ld);
}
