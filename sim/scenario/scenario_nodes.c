/*
 * The `nodes` section: each node's kind, interfaces, addresses and MACs,
 * its routing mode and, for switches, the MAC table's aging. Interfaces are
 * declared by `ip` (one address for eth0, or a mapping of interface to
 * address) or by `interfaces` (a list of names, or a mapping of names to
 * settings); links may add more later (see scenario_resolve.c). `gateway`
 * and `routes` name addresses that links may assign, so they are read once
 * the network is resolved (scenario_routes.c).
 *
 * Also the lookups the other sections use to name nodes: by name with a
 * suggestion, as a destination (node or address, with an optional port).
 *
 * Entry points: scenario_parse_nodes(), a parser for the top-level schema;
 * then scenario_lookup_node(), scenario_parse_dest() and friends.
 */
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

static gboolean scenario_parse_kind(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_node_ip(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_iface_ip(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_mac(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_later(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_node_ttl(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_exec(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField node_fields[] = {
    {"kind", scenario_parse_kind, offsetof(ScenarioNode, kind), 0, TRUE},
    {"ip", scenario_parse_node_ip, 0, 0, FALSE},
    {"interfaces", scenario_parse_interfaces, 0, 0, FALSE},
    {"description", schema_parse_string, offsetof(ScenarioNode, description), 0, FALSE},
    {"gateway", scenario_parse_later, 0, 0, FALSE},
    {"routes", scenario_parse_later, 0, 0, FALSE},
    {"routing", scenario_parse_routing, offsetof(ScenarioNode, routing), 0, FALSE},
    {"aging", scenario_parse_duration_positive, offsetof(ScenarioNode, aging), 0, FALSE},
    {"ttl", scenario_parse_node_ttl, offsetof(ScenarioNode, ttl), 0, FALSE},
    {"rip", scenario_parse_routing_later, 0, 0, FALSE},
    {"ospf", scenario_parse_routing_later, 0, 0, FALSE},
    {"exec", scenario_parse_exec, offsetof(ScenarioNode, exec), 0, FALSE},
    {"stp", scenario_parse_stp_later, 0, 0, FALSE}, /* read by scenario_resolve_stp() */
};
static const Schema node_schema = {"a node", node_fields, G_N_ELEMENTS(node_fields), SCHEMA_NO_GIVEN};

static gboolean scenario_parse_tap(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField iface_fields[] = {
    {"ip", scenario_parse_iface_ip, 0, SCENARIO_GIVEN_IP, FALSE},
    {"mac", scenario_parse_mac, offsetof(ScenarioIface, mac), SCENARIO_GIVEN_MAC, FALSE},
    {"mtu", scenario_parse_mtu, offsetof(ScenarioIface, own.mtu), LINK_GIVEN_MTU, FALSE},
    {"queue", schema_parse_queue, offsetof(ScenarioIface, own.queue), LINK_GIVEN_QUEUE, FALSE},
    {"tap", scenario_parse_tap, 0, 0, FALSE},
    /* IEEE 802.1Q (scenario_vlan.c) */
    {"vlan", scenario_parse_vlan, offsetof(ScenarioIface, vlan.access), SCENARIO_GIVEN_VLAN, FALSE},
    {"mode", scenario_parse_vlan_mode, offsetof(ScenarioIface, vlan.mode), SCENARIO_GIVEN_MODE, FALSE},
    {"vlans", scenario_parse_vlans, offsetof(ScenarioIface, vlan), SCENARIO_GIVEN_VLANS, FALSE},
    {"native", scenario_parse_vlan, offsetof(ScenarioIface, vlan.native), SCENARIO_GIVEN_NATIVE, FALSE},
};
static const Schema iface_schema = {"an interface", iface_fields, G_N_ELEMENTS(iface_fields),
                                    offsetof(ScenarioIface, own.given)};

/* `gateway` and `routes`: read by scenario_resolve_routes() once addresses are known. */
static gboolean scenario_parse_later(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)cx;
  (void)value;
  (void)dest;
  return TRUE;
}

static const SchemaField exec_fields[] = {
    {"run", schema_parse_string, offsetof(ScenarioExec, run), 0, TRUE},
    {"at", schema_parse_duration, offsetof(ScenarioExec, at), 0, FALSE},
    {"name", schema_parse_string, offsetof(ScenarioExec, name), 0, FALSE},
};
static const Schema exec_schema = {"a command", exec_fields, G_N_ELEMENTS(exec_fields), SCHEMA_NO_GIVEN};

/* One `exec` item: a command line (run at 0 s), or { run, at, name }. */
static gboolean scenario_parse_exec_item(SchemaCtx *cx, const YNode *item, ScenarioExec *e)
{
  e->mark = (SrcMark){item->line, item->column};
  if (item->type == YNODE_SCALAR) {
    e->run = g_strdup(item->text);
    return TRUE;
  }
  if (!schema_expect(cx, item, YNODE_MAP, "a command line or a mapping with run, at and name"))
    return FALSE;
  if (!schema_apply(cx, &exec_schema, item, e))
    return FALSE;
  if (e->at < 0)
    schema_error(cx, item, "a command cannot start before 0s");
  return e->at >= 0;
}

/* `exec`: the commands a Linux host runs, in a list (a GArray of ScenarioExec). */
static gboolean scenario_parse_exec(SchemaCtx *cx, const YNode *value, void *dest)
{
  GArray *list = *(GArray **)dest;
  gboolean ok = TRUE;

  if (!schema_expect(cx, value, YNODE_SEQ, "a list of commands"))
    return FALSE;
  for (guint i = 0; i < value->n; i++) {
    ScenarioExec e = {0};
    gsize mark = schema_path_push_index(cx, i);
    if (scenario_parse_exec_item(cx, value->items[i], &e))
      g_array_append_val(list, e);
    else {
      ok = FALSE;
      g_free(e.run);
      g_free(e.name);
    }
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* The default TTL of what the node sends (Linux's ip_default_ttl). */
static gboolean scenario_parse_node_ttl(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, 255, "a TTL", &v))
    return FALSE;
  *(uint8_t *)dest = (uint8_t)v;
  return TRUE;
}

static gboolean scenario_parse_kind(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a node kind (host, switch, hub, router or linux)"))
    return FALSE;
  for (guint i = 0; i < NODE_KIND_COUNT; i++)
    if (strcmp(value->text, node_kind_names[i]) == 0) {
      *(NodeKind *)dest = (NodeKind)i;
      return TRUE;
    }
  char *found = ynode_describe(value);
  char *near = diag_suggest(value->text, node_kind_names, NODE_KIND_COUNT);
  if (near)
    schema_error(cx, value, "unknown node kind %s; did you mean '%s'?", found, near);
  else
    schema_error(cx, value, "expected a node kind (host, switch, hub, router or linux), found %s", found);
  g_free(near);
  g_free(found);
  return FALSE;
}

/* Checks a node, interface or app name: printable, no ':' (it separates node
 * from interface in link ends), not too long. Returns an error text or NULL. */
const char *scenario_name_problem(const char *name, guint max)
{
  if (!*name)
    return "a name cannot be empty";
  if (strlen(name) > max)
    return "the name is too long";
  if (strchr(name, ':'))
    return "a name cannot contain ':' (it separates node and interface in link ends)";
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    if (*c < 0x20 || *c == 0x7F)
      return "a name cannot contain control characters";
  if (g_ascii_isspace(name[0]) || g_ascii_isspace(name[strlen(name) - 1]))
    return "a name cannot start or end with a space";
  return NULL;
}

static gboolean scenario_iface_name_ok(SchemaCtx *cx, const YNode *key)
{
  const char *problem = scenario_name_problem(key->text, SCENARIO_MAX_IFACE_NAME);
  for (const char *c = key->text; !problem && *c; c++)
    if (!g_ascii_isalnum(*c) && !strchr("._-", *c))
      problem = "interface names use letters, digits, '.', '_' and '-'";
  if (problem)
    schema_error(cx, key, "bad interface name '%s': %s (at most %d characters)", key->text, problem,
                 SCENARIO_MAX_IFACE_NAME);
  return !problem;
}

/* `tap: NAME`: a Linux network device's name (a TAP device or a bridge).
 * Fills in tap and tap_mark of the ScenarioIface at dest. */
static gboolean scenario_parse_tap(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioIface *iface = dest;
  if (!schema_parse_string(cx, value, &iface->tap))
    return FALSE;
  const char *problem = strlen(iface->tap) > SCENARIO_MAX_IFACE_NAME ? "too long" : NULL;
  for (const char *c = iface->tap; !problem && *c; c++)
    if (!g_ascii_isalnum(*c) && !strchr("._-", *c))
      problem = "Linux device names use letters, digits, '.', '_' and '-'";
  if (problem) {
    schema_error(cx, value, "bad device name '%s': %s (at most %d characters)", iface->tap, problem,
                 SCENARIO_MAX_IFACE_NAME);
    g_clear_pointer(&iface->tap, g_free);
    return FALSE;
  }
  iface->tap_mark = scenario_mark_of(value);
  return TRUE;
}

int scenario_node_find_iface(const ScenarioNode *node, const char *name)
{
  for (guint i = 0; i < node->ifaces->len; i++)
    if (strcmp(g_array_index(node->ifaces, ScenarioIface, i).name, name) == 0)
      return (int)i;
  return -1;
}

/* Returns the index of the node's interface `name`, adding it if new. */
int scenario_node_add_iface(ScenarioNode *node, const char *name, SrcMark mark)
{
  int i = scenario_node_find_iface(node, name);
  if (i >= 0)
    return i;
  ScenarioIface iface = {0};
  iface.name = g_strdup(name);
  iface.link = -1;
  iface.mark = mark;
  vlan_port_config_defaults(&iface.vlan);
  iface.parent = -1;
  g_array_append_val(node->ifaces, iface);
  return (int)node->ifaces->len - 1;
}

static ScenarioIface *scenario_declare_iface(ScenarioNode *node, const YNode *key)
{
  SrcMark mark = {key->line, key->column};
  int i = scenario_node_add_iface(node, key->text, mark); /* may move node->ifaces->data */
  return &g_array_index(node->ifaces, ScenarioIface, i);
}

/* An interface address "10.1.1.10/24". */
static gboolean scenario_parse_iface_ip(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioIface *iface = dest;
  if (!schema_expect(cx, value, YNODE_SCALAR, "an IPv4 address with prefix length such as '10.1.1.10/24'"))
    return FALSE;
  if (iface->has_ip) {
    schema_error(cx, value, "interface %s already has an address", iface->name);
    return FALSE;
  }
  GError *error = NULL;
  if (!addr_parse_cidr(value->text, &iface->ip.addr, &iface->ip.len, &error)) {
    schema_error(cx, value, "%s", error->message);
    g_error_free(error);
    return FALSE;
  }
  iface->has_ip = TRUE;
  return TRUE;
}

static gboolean scenario_parse_mac(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a MAC address such as '02:00:00:00:00:01'"))
    return FALSE;
  GError *error = NULL;
  if (addr_parse_mac(value->text, dest, &error))
    return TRUE;
  schema_error(cx, value, "%s", error->message);
  g_error_free(error);
  return FALSE;
}

/* `ip: 10.1.1.10/24` (for eth0) or `ip: { eth0: 10.1.1.1/24, eth1: ... }`. */
static gboolean scenario_parse_node_ip(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioNode *node = dest;
  if (value->type == YNODE_SCALAR) {
    YNode eth0 = *value;
    eth0.text = (char *)"eth0";
    return scenario_parse_iface_ip(cx, value, scenario_declare_iface(node, &eth0));
  }
  if (!schema_expect(cx, value, YNODE_MAP, "an address such as '10.1.1.10/24' or a mapping of interfaces to addresses"))
    return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; i < value->n; i++) {
    const YNode *key = ynode_key(value, i);
    if (key->type != YNODE_SCALAR || !scenario_iface_name_ok(cx, key)) {
      ok = FALSE;
      continue;
    }
    gsize mark = schema_path_push_key(cx, key->text);
    ok &= scenario_parse_iface_ip(cx, ynode_value(value, i), scenario_declare_iface(node, key));
    schema_path_pop(cx, mark);
  }
  return ok;
}

static gboolean scenario_parse_iface_list(SchemaCtx *cx, const YNode *value, ScenarioNode *node)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < value->n; i++) {
    const YNode *item = value->items[i];
    gsize mark = schema_path_push_index(cx, i);
    if (schema_expect(cx, item, YNODE_SCALAR, "an interface name") && scenario_iface_name_ok(cx, item)) {
      if (scenario_node_find_iface(node, item->text) >= 0) {
        schema_error(cx, item, "interface '%s' is listed twice", item->text);
        ok = FALSE;
      }
      scenario_declare_iface(node, item);
    } else {
      ok = FALSE;
    }
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* `interfaces: [eth0, eth1]` or `interfaces: { eth0: { ip, mac, mtu, queue } }`. */
static gboolean scenario_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioNode *node = dest;
  if (value->type == YNODE_SEQ)
    return scenario_parse_iface_list(cx, value, node);
  if (!schema_expect(cx, value, YNODE_MAP, "a list of interface names or a mapping of interfaces to settings"))
    return FALSE;
  gboolean ok = TRUE;
  for (guint i = 0; i < value->n; i++) {
    const YNode *key = ynode_key(value, i), *settings = ynode_value(value, i);
    if (key->type != YNODE_SCALAR || !scenario_iface_name_ok(cx, key)) {
      ok = FALSE;
      continue;
    }
    ScenarioIface *iface = scenario_declare_iface(node, key);
    gsize mark = schema_path_push_key(cx, key->text);
    if (!ynode_is_null(settings))
      ok &= schema_apply(cx, &iface_schema, settings, iface);
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* Switches and hubs pass frames; an address on one is a mistake worth naming. */
static void scenario_check_switch_addresses(SchemaCtx *cx, const ScenarioNode *node)
{
  if (!node_kind_is_l2(node->kind))
    return;
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    YNode at = scenario_mark_node(iface->mark);
    if (iface->has_ip)
      schema_error(cx, &at, "%s '%s' works at layer 2; its interface %s cannot have an IP address",
                   node_kind_name(node->kind), node->name, iface->name);
  }
}

/* TRUE when the node's mapping has a valid `kind`. */
static gboolean scenario_kind_valid(const YNode *map)
{
  const YNode *kind = map->type == YNODE_MAP ? ynode_map_get(map, "kind") : NULL;
  for (guint i = 0; kind && kind->type == YNODE_SCALAR && i < NODE_KIND_COUNT; i++)
    if (strcmp(kind->text, node_kind_names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* What a Linux host cannot take: ipsim runs no routing on it (its own
 * programs do, started by exec), and it has no MAC table. NULL: fine. */
static const char *scenario_linux_key_problem(const char *key)
{
  static const char *const sim_keys[] = {"routing", "rip", "ospf", "aging"};
  for (guint k = 0; k < G_N_ELEMENTS(sim_keys); k++)
    if (strcmp(key, sim_keys[k]) == 0)
      return "is for simulated nodes; a Linux host runs its own programs (start a routing daemon with exec)";
  return NULL;
}

/* Switches have no IP layer; hosts and routers have no MAC table; only Linux hosts run commands. */
static void scenario_check_kind_keys(SchemaCtx *cx, const ScenarioNode *node, const YNode *map)
{
  static const char *const l3_keys[] = {"gateway", "routes", "routing", "ttl", "rip", "ospf"};
  for (guint i = 0; map->type == YNODE_MAP && i < map->n; i++) {
    const YNode *key = ynode_key(map, i);
    if (key->type != YNODE_SCALAR)
      continue;
    gboolean l3 = FALSE;
    for (guint k = 0; k < G_N_ELEMENTS(l3_keys); k++)
      l3 |= strcmp(key->text, l3_keys[k]) == 0;
    gsize mark = schema_path_push_key(cx, key->text);
    const char *linux_problem = node->kind == NODE_KIND_LINUX ? scenario_linux_key_problem(key->text) : NULL;
    if (linux_problem)
      schema_error(cx, key, "'%s' %s; '%s' is a Linux host", key->text, linux_problem, node->name);
    else if (strcmp(key->text, "exec") == 0 && node->kind != NODE_KIND_LINUX)
      schema_error(cx, key, "'exec' runs commands on a Linux host (kind: linux); %s '%s' is simulated",
                   node_kind_name(node->kind), node->name);
    else if (l3 && node_kind_is_l2(node->kind))
      schema_error(cx, key, "%s '%s' works at layer 2; '%s' is for hosts and routers", node_kind_name(node->kind),
                   node->name, key->text);
    else if (strcmp(key->text, "aging") == 0 && node->kind != NODE_KIND_SWITCH)
      schema_error(cx, key, "'aging' is the MAC table's aging time of a switch; %s '%s' has no MAC table",
                   node_kind_name(node->kind), node->name);
    schema_path_pop(cx, mark);
  }
}

/* The commands' names: given (letters, digits, '.', '_', '-': they name
 * files), or NODE.K; one name per command in the scenario. */
static void scenario_name_commands(SchemaCtx *cx, ScenarioNode *node)
{
  GHashTable *names = loader_of(cx)->exec_names;
  for (guint i = 0; i < node->exec->len; i++) {
    ScenarioExec *e = &g_array_index(node->exec, ScenarioExec, i);
    YNode at = scenario_mark_node(e->mark);
    if (!e->name)
      e->name = g_strdup_printf("%s.%u", node->name, i + 1);
    for (const char *c = e->name; *c; c++)
      if (!g_ascii_isalnum(*c) && !strchr("._-", *c)) {
        schema_error(cx, &at, "bad command name '%s': use letters, digits, '.', '_' and '-'", e->name);
        break;
      }
    if (g_hash_table_contains(names, e->name))
      schema_error(cx, &at, "a second command named '%s'; each command needs its own name", e->name);
    g_hash_table_add(names, e->name);
  }
}

static void scenario_parse_node(SchemaCtx *cx, const YNode *key, const YNode *value)
{
  Scenario *sc = loader_of(cx)->sc;
  const char *problem = scenario_name_problem(key->text, SCENARIO_MAX_NAME);
  if (problem) {
    schema_error(cx, key, "bad node name '%s': %s", key->text, problem);
    return;
  }
  ScenarioNode node = {0};
  node.name = g_strdup(key->text);
  node.mark = (SrcMark){key->line, key->column};
  node.ifaces = g_array_new(FALSE, TRUE, sizeof(ScenarioIface));
  node.routes = g_array_new(FALSE, TRUE, sizeof(ScenarioRoute));
  node.exec = g_array_new(FALSE, TRUE, sizeof(ScenarioExec));
  node.aging = -1; /* not given */
  node.ttl = IPV4_DEFAULT_TTL;
  gsize mark = schema_path_push_key(cx, key->text);
  if (schema_apply(cx, &node_schema, value, &node)) {
    scenario_check_switch_addresses(cx, &node);
    scenario_check_vlan_keys(cx, &node);
  }
  if (scenario_kind_valid(value))
    scenario_check_kind_keys(cx, &node, value);
  scenario_name_commands(cx, &node);
  schema_path_pop(cx, mark);
  g_array_append_val(sc->nodes, node);
  g_ptr_array_add(loader_of(cx)->node_maps, (gpointer)value);
  g_hash_table_insert(sc->node_index, g_array_index(sc->nodes, ScenarioNode, sc->nodes->len - 1).name,
                      GINT_TO_POINTER(sc->nodes->len));
}

/* The `nodes` mapping: node name to its description. */
gboolean scenario_parse_nodes(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest; /* the section fills the loader, not a field */
  if (!schema_expect(cx, value, YNODE_MAP, "a mapping of node names to nodes"))
    return FALSE;
  guint before = cx->diags->errors;
  for (guint i = 0; i < value->n && !diag_full(cx->diags); i++)
    if (ynode_key(value, i)->type == YNODE_SCALAR &&
        !g_hash_table_contains(loader_of(cx)->sc->node_index, ynode_key(value, i)->text))
      scenario_parse_node(cx, ynode_key(value, i), ynode_value(value, i));
  return cx->diags->errors == before;
}

/* Suggests the nearest node name to `name`, or NULL (g_free). */
static char *scenario_suggest_node(const Scenario *sc, const char *name)
{
  const char **names = g_new(const char *, sc->nodes->len + 1);
  for (guint i = 0; i < sc->nodes->len; i++)
    names[i] = scenario_node(sc, i)->name;
  char *near = diag_suggest(name, names, sc->nodes->len);
  g_free(names);
  return near;
}

static void scenario_unknown_node_name(SchemaCtx *cx, const YNode *at, const char *name)
{
  char *near = scenario_suggest_node(loader_of(cx)->sc, name);
  if (near)
    schema_error(cx, at, "no node '%s'; did you mean '%s'?", name, near);
  else
    schema_error(cx, at, "no node '%s' in 'nodes'", name);
  g_free(near);
}

/* Finds the node a scalar names; returns its index, or -1 after reporting. */
int scenario_lookup_node(SchemaCtx *cx, const YNode *value)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a node name"))
    return -1;
  int n = scenario_find_node(loader_of(cx)->sc, value->text);
  if (n < 0)
    scenario_unknown_node_name(cx, value, value->text);
  return n;
}

/* Like scenario_lookup_node(), for the roles only hosts and routers can
 * play; `why` ends the message about a switch ("apps run on hosts and routers"). */
int scenario_lookup_ip_node(SchemaCtx *cx, const YNode *value, const char *why)
{
  int n = scenario_lookup_node(cx, value);
  NodeKind kind = n >= 0 ? scenario_node(loader_of(cx)->sc, n)->kind : NODE_KIND_HOST;
  if (node_kind_is_l2(kind)) {
    schema_error(cx, value, "'%s' is a %s; %s", value->text, node_kind_name(kind), why);
    return -1;
  }
  return n;
}

/* Finds interface `name` of node `node`; returns its index or -1 after reporting at `at`. */
int scenario_lookup_iface(SchemaCtx *cx, const YNode *at, int node, const char *name)
{
  const ScenarioNode *nd = scenario_node(loader_of(cx)->sc, node);
  int i = scenario_node_find_iface(nd, name);
  if (i >= 0)
    return i;
  const char **names = g_new(const char *, nd->ifaces->len + 1);
  GString *list = g_string_new(NULL);
  for (guint k = 0; k < nd->ifaces->len; k++) {
    names[k] = g_array_index(nd->ifaces, ScenarioIface, k).name;
    g_string_append_printf(list, "%s%s", k ? ", " : "", names[k]);
  }
  char *near = diag_suggest(name, names, nd->ifaces->len);
  if (near)
    schema_error(cx, at, "node '%s' has no interface '%s'; did you mean '%s'?", nd->name, name, near);
  else if (list->len)
    schema_error(cx, at, "node '%s' has no interface '%s' (it has %s)", nd->name, name, list->str);
  else
    schema_error(cx, at, "node '%s' has no interface '%s' (it has none)", nd->name, name);
  g_string_free(list, TRUE);
  g_free(near);
  g_free(names);
  return -1;
}

/* A node reference; stores its index as an int. */
gboolean scenario_parse_node_ref(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_node(cx, value);
  if (n >= 0)
    *(int *)dest = n;
  return n >= 0;
}

/* A host or router reference; stores its index as an int. */
gboolean scenario_parse_ip_node_ref(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_ip_node(cx, value, "only hosts and routers have an IP layer");
  if (n >= 0)
    *(int *)dest = n;
  return n >= 0;
}

/* The node's first address in interface order; FALSE when it has none. */
gboolean scenario_node_first_address(const ScenarioNode *node, uint32_t *addr)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    if (iface->has_ip) {
      *addr = iface->ip.addr;
      return TRUE;
    }
  }
  return FALSE;
}

/* The index of the node holding `addr` on one of its interfaces, or -1. */
int scenario_find_address(const Scenario *sc, uint32_t addr)
{
  for (guint n = 0; n < sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(sc, n)->ifaces->len; i++) {
      const ScenarioIface *iface = scenario_iface(sc, (int)n, (int)i);
      if (iface->has_ip && iface->ip.addr == addr)
        return (int)n;
    }
  return -1;
}

/* Splits "host:port" at its last ':'; stores the port. Returns FALSE after reporting. */
static gboolean scenario_split_port(SchemaCtx *cx, const YNode *value, char **host, ScenarioDest *out)
{
  const char *colon = strrchr(value->text, ':');
  if (!colon) {
    *host = g_strdup(value->text);
    return TRUE;
  }
  uint64_t port = 0;
  if (colon == value->text || !units_parse_uint(colon + 1, G_MAXUINT64, &port, NULL) || port < 1 || port > 65535) {
    schema_error(cx, value, "expected a node or address with a port from 1 to 65535, such as 'h2:9000', found '%s'",
                 value->text);
    return FALSE;
  }
  *host = g_strndup(value->text, colon - value->text);
  out->has_port = TRUE;
  out->port = (uint16_t)port;
  return TRUE;
}

/* Resolves a node name (to its first address in interface order) or an
 * IPv4 address. Returns FALSE after reporting. */
static gboolean scenario_resolve_dest(SchemaCtx *cx, const YNode *value, const char *host, ScenarioDest *out)
{
  const Scenario *sc = loader_of(cx)->sc;
  int n = scenario_find_node(sc, host);
  if (n >= 0) {
    if (!scenario_node_first_address(scenario_node(sc, n), &out->addr)) {
      schema_error(cx, value, "%s '%s' has no IPv4 address to send to", node_kind_name(scenario_node(sc, n)->kind),
                   host);
      return FALSE;
    }
    out->node = n;
    return TRUE;
  }
  if (addr_parse_ipv4(host, &out->addr)) {
    out->node = scenario_find_address(sc, out->addr);
    return TRUE;
  }
  if (g_ascii_isdigit(host[0]) && strspn(host, "0123456789.") == strlen(host))
    schema_error(cx, value, "'%s' is not an IPv4 address (four numbers from 0 to 255, such as 10.0.1.1)", host);
  else
    scenario_unknown_node_name(cx, value, host);
  return FALSE;
}

/* A destination: a node name (its first address), or an IPv4 address; with
 * `port_allowed`, either may end in ":port". Returns FALSE after reporting. */
gboolean scenario_parse_dest(SchemaCtx *cx, const YNode *value, gboolean port_allowed, ScenarioDest *out)
{
  if (!schema_expect(cx, value, YNODE_SCALAR,
                     port_allowed ? "a node or address with a port, such as 'h2:9000'"
                                  : "a node name or an IPv4 address"))
    return FALSE;
  *out = (ScenarioDest){0, -1, FALSE, 0};
  char *host = NULL;
  gboolean ok = FALSE;
  if (!port_allowed && strchr(value->text, ':'))
    schema_error(cx, value, "expected a node name or an IPv4 address without a port, found '%s'", value->text);
  else if (scenario_split_port(cx, value, &host, out))
    ok = scenario_resolve_dest(cx, value, host, out);
  g_free(host);
  return ok;
}
