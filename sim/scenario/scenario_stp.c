/*
 * A switch's `stp:`: its spanning tree (models/link/stp.h), read once the
 * network is resolved, since its `interfaces:` name ports that links may
 * have added. `stp: stp` (or `rstp`, `off`) gives the mode alone; a
 * mapping gives `mode` (default stp), the bridge `priority`, the timers `hello`,
 * `max-age` and `forward-delay`, and per port `cost`, `priority` and
 * `edge`. Values are checked against IEEE 802.1D-2004's ranges (17.13,
 * 17.14), and the timers against its rule 2 x (forward-delay - 1s) >=
 * max-age >= 2 x (hello + 1s). `stp:` on a host or router is an error.
 *
 * Entry points: scenario_parse_stp_later() (the node key: read later),
 * scenario_resolve_stp() (from scenario_resolve).
 */
#include <string.h>

#include "sim/scenario/scenario_private.h"

typedef struct {
  StpConfig conf;
  int mode;
} StpDraft;

static gboolean stp_parse_mode(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean stp_parse_bridge_priority(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean stp_parse_port_priority(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean stp_parse_cost(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean stp_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField stp_fields[] = {
    {"mode", stp_parse_mode, offsetof(StpDraft, conf.mode), 0, FALSE},
    {"priority", stp_parse_bridge_priority, offsetof(StpDraft, conf.priority), 0, FALSE},
    {"hello", scenario_parse_duration_positive, offsetof(StpDraft, conf.hello), 0, FALSE},
    {"max-age", scenario_parse_duration_positive, offsetof(StpDraft, conf.max_age), 0, FALSE},
    {"forward-delay", scenario_parse_duration_positive, offsetof(StpDraft, conf.forward_delay), 0, FALSE},
    {"interfaces", stp_parse_interfaces, 0, 0, FALSE},
};
static const Schema stp_schema = {"a switch's spanning-tree settings", stp_fields, G_N_ELEMENTS(stp_fields),
                                  SCHEMA_NO_GIVEN};

static const SchemaField stp_port_fields[] = {
    {"cost", stp_parse_cost, offsetof(StpPortConfig, cost), 0, FALSE},
    {"priority", stp_parse_port_priority, offsetof(StpPortConfig, priority), 0, FALSE},
    {"edge", scenario_parse_bool, offsetof(StpPortConfig, edge), 0, FALSE},
};
static const Schema stp_port_schema = {"a port's spanning-tree settings", stp_port_fields,
                                       G_N_ELEMENTS(stp_port_fields), SCHEMA_NO_GIVEN};

/* The node key `stp`: read by scenario_resolve_stp(). */
gboolean scenario_parse_stp_later(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)cx;
  (void)value;
  (void)dest;
  return TRUE;
}

static gboolean stp_parse_mode(SchemaCtx *cx, const YNode *value, void *dest)
{
  int mode = 0;
  if (!scenario_parse_word(cx, value, stp_mode_names, STP_MODE_COUNT, "spanning-tree mode", &mode))
    return FALSE;
  *(StpMode *)dest = (StpMode)mode;
  return TRUE;
}

/* A priority from 0 to `max` in steps of `step` (802.1D-2004 table 17-2). */
static gboolean stp_parse_stepped(SchemaCtx *cx, const YNode *value, uint64_t max, uint64_t step, const char *what,
                                  uint64_t *out)
{
  if (!scenario_parse_uint(cx, value, 0, max, what, out))
    return FALSE;
  if (*out % step == 0)
    return TRUE;
  schema_error(cx, value,
               "%s must be a multiple of %" G_GUINT64_FORMAT " (0, %" G_GUINT64_FORMAT ", ... %" G_GUINT64_FORMAT
               "), found %" G_GUINT64_FORMAT,
               what, step, step, max, *out);
  return FALSE;
}

static gboolean stp_parse_bridge_priority(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!stp_parse_stepped(cx, value, 61440, 4096, "a bridge priority", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

static gboolean stp_parse_port_priority(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!stp_parse_stepped(cx, value, 240, 16, "a port priority", &v))
    return FALSE;
  *(uint8_t *)dest = (uint8_t)v;
  return TRUE;
}

static gboolean stp_parse_cost(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, STP_MAX_PATH_COST, "a port path cost", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* `interfaces:` is read with the node's ports (stp_read_ports). */
static gboolean stp_parse_interfaces(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  return schema_expect(cx, value, YNODE_MAP, "a mapping of interface names to spanning-tree settings");
}

/* Reads `interfaces:` of `block` into conf->ports, one per interface of node n. */
static void stp_read_ports(SchemaCtx *cx, const YNode *block, int n, StpConfig *conf)
{
  const ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
  const YNode *ifaces = ynode_map_get(block, "interfaces");
  StpPortConfig d;
  stp_port_config_defaults(&d);
  conf->ports = g_array_sized_new(FALSE, TRUE, sizeof(StpPortConfig), node->ifaces->len);
  for (guint i = 0; i < node->ifaces->len; i++)
    g_array_append_val(conf->ports, d);
  if (!ifaces || ifaces->type != YNODE_MAP)
    return;
  gsize mark = schema_path_push_key(cx, "interfaces");
  for (guint i = 0; i < ifaces->n; i++) {
    const YNode *key = ynode_key(ifaces, i), *value = ynode_value(ifaces, i);
    if (key->type != YNODE_SCALAR)
      continue;
    gsize at = schema_path_push_key(cx, key->text);
    int index = scenario_lookup_iface(cx, key, n, key->text);
    if (index >= 0 && !ynode_is_null(value))
      schema_apply(cx, &stp_port_schema, value, &g_array_index(conf->ports, StpPortConfig, index));
    schema_path_pop(cx, at);
  }
  schema_path_pop(cx, mark);
}

/* 802.1D-2004 17.14: hello 1-2 s (1-10 s accepted), max age 6-40 s,
 * forward delay 4-30 s, and the rule between them. */
static void stp_check_timers(SchemaCtx *cx, const YNode *block, const StpConfig *c)
{
  char *h = units_format_duration(c->hello), *m = units_format_duration(c->max_age),
       *f = units_format_duration(c->forward_delay);
  if (c->hello < SIMTIME_S(1) || c->hello > SIMTIME_S(10))
    schema_error(cx, block, "hello (%s) must be from 1s to 10s (IEEE 802.1D-2004 17.14)", h);
  else if (c->max_age < SIMTIME_S(6) || c->max_age > SIMTIME_S(40))
    schema_error(cx, block, "max-age (%s) must be from 6s to 40s (IEEE 802.1D-2004 17.14)", m);
  else if (c->forward_delay < SIMTIME_S(4) || c->forward_delay > SIMTIME_S(30))
    schema_error(cx, block, "forward-delay (%s) must be from 4s to 30s (IEEE 802.1D-2004 17.14)", f);
  else if (c->max_age < 2 * (c->hello + SIMTIME_S(1)) || c->max_age > 2 * (c->forward_delay - SIMTIME_S(1)))
    schema_error(cx, block,
                 "max-age (%s) must be at least 2 x (hello + 1s) and at most 2 x (forward-delay - 1s), with hello %s "
                 "and forward-delay %s (IEEE 802.1D-2004 17.14)",
                 m, h, f);
  g_free(h);
  g_free(m);
  g_free(f);
}

/* Node n's `stp:` (a mode, or a mapping); fills ScenarioNode.stp. */
static void stp_read_node(SchemaCtx *cx, int n, const YNode *block)
{
  ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
  StpDraft d = {0};
  stp_config_defaults(&d.conf);
  gsize mark = schema_path_push_key(cx, "stp");
  if (block->type == YNODE_SCALAR)
    stp_parse_mode(cx, block, &d.conf.mode);
  else if (schema_expect(cx, block, YNODE_MAP, "a spanning-tree mode (off, stp or rstp) or a mapping of settings")) {
    d.conf.mode = STP_MODE_STP;
    if (schema_apply(cx, &stp_schema, block, &d))
      stp_check_timers(cx, block, &d.conf);
    stp_read_ports(cx, block, n, &d.conf);
  }
  schema_path_pop(cx, mark);
  node->stp = d.conf;
}

/* Reads every switch's `stp:`; reports it on hosts and routers. */
void scenario_resolve_stp(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  for (guint n = 0; n < ld->sc->nodes->len && !diag_full(cx->diags); n++) {
    ScenarioNode *node = scenario_node(ld->sc, n);
    const YNode *map = g_ptr_array_index(ld->node_maps, n);
    const YNode *block = map->type == YNODE_MAP ? ynode_map_get(map, "stp") : NULL;
    stp_config_defaults(&node->stp);
    if (!block)
      continue;
    scenario_path_set(cx, "nodes");
    schema_path_push_key(cx, node->name);
    if (node->kind == NODE_KIND_SWITCH)
      stp_read_node(cx, (int)n, block);
    else {
      schema_path_push_key(cx, "stp");
      schema_error(cx, block, "'stp' is the spanning tree of a switch; %s '%s' does not bridge",
                   node_kind_name(node->kind), node->name);
    }
  }
  g_string_truncate(cx->path, 0);
}
