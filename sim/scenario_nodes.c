/*
 * The `nodes` section: each node's kind, interfaces, addresses and MACs.
 * Interfaces are declared by `ip` (one address for eth0, or a mapping of
 * interface to address) or by `interfaces` (a list of names, or a mapping of
 * names to settings); links may add more later (see scenario_resolve.c).
 *
 * Entry point: scenario_parse_nodes(), a parser for the top-level schema.
 */
#include <string.h>

#include "sim/addr.h"
#include "sim/scenario_private.h"

static gboolean scenario_parse_kind(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_node_ip(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_iface_ip(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_mac(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField node_fields[] = {
    {"kind", scenario_parse_kind, offsetof(ScenarioNode, kind), 0, TRUE},
    {"ip", scenario_parse_node_ip, 0, 0, FALSE},
    {"interfaces", scenario_parse_interfaces, 0, 0, FALSE},
    {"description", schema_parse_string, offsetof(ScenarioNode, description), 0, FALSE},
};
static const Schema node_schema = {"a node", node_fields, G_N_ELEMENTS(node_fields), SCHEMA_NO_GIVEN};

static const SchemaField iface_fields[] = {
    {"ip", scenario_parse_iface_ip, 0, SCENARIO_GIVEN_IP, FALSE},
    {"mac", scenario_parse_mac, offsetof(ScenarioIface, mac), SCENARIO_GIVEN_MAC, FALSE},
    {"mtu", scenario_parse_mtu, offsetof(ScenarioIface, own.mtu), SCENARIO_GIVEN_MTU, FALSE},
    {"queue", schema_parse_queue, offsetof(ScenarioIface, own.queue), SCENARIO_GIVEN_QUEUE, FALSE},
};
static const Schema iface_schema = {"an interface", iface_fields, G_N_ELEMENTS(iface_fields),
                                    offsetof(ScenarioIface, own.given)};

static const char *const kind_names[] = {"host", "switch", "router"};

static gboolean scenario_parse_kind(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a node kind (host, switch or router)"))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++)
    if (strcmp(value->text, kind_names[i]) == 0) {
      *(NodeKind *)dest = (NodeKind)i;
      return TRUE;
    }
  char *found = ynode_describe(value);
  char *near = diag_suggest(value->text, kind_names, G_N_ELEMENTS(kind_names));
  if (near)
    schema_error(cx, value, "unknown node kind %s; did you mean '%s'?", found, near);
  else
    schema_error(cx, value, "expected a node kind (host, switch or router), found %s", found);
  g_free(near);
  g_free(found);
  return FALSE;
}

/* Checks a node or interface name: printable, no ':' (it separates node
 * from interface in link ends), not too long. Returns an error text or NULL. */
static const char *scenario_name_problem(const char *name, guint max)
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

/* Switches forward frames; an address on one is a mistake worth naming. */
static void scenario_check_switch_addresses(SchemaCtx *cx, const ScenarioNode *node)
{
  if (node->kind != NODE_KIND_SWITCH)
    return;
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    YNode at = scenario_mark_node(iface->mark);
    if (iface->has_ip)
      schema_error(cx, &at, "switch '%s' works at layer 2; its interface %s cannot have an IP address", node->name,
                   iface->name);
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
  gsize mark = schema_path_push_key(cx, key->text);
  if (schema_apply(cx, &node_schema, value, &node))
    scenario_check_switch_addresses(cx, &node);
  schema_path_pop(cx, mark);
  g_array_append_val(sc->nodes, node);
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
