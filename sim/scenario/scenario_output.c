/*
 * The `output` section: where a run writes (`dir`), which layers the text
 * trace shows (`trace: true | false | [link, internet, transport, app]`)
 * and which interfaces get a pcap file (`pcap: all | none | [node,
 * "node:iface", ...]`), and whether TCP's time series is written
 * (`tcp-series: true`: tcp.csv in the output directory). Read once the
 * interfaces are resolved, so that pcap targets name real interfaces.
 * Nothing is written while loading.
 *
 * Entry points: scenario_parse_output() (first pass: keeps the mapping),
 * scenario_read_output().
 */
#include <string.h>

#include "sim/scenario/scenario_private.h"

static gboolean output_parse_trace(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean output_parse_pcap(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean output_parse_snaplen(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField output_fields[] = {
    {"dir", schema_parse_string, offsetof(ScenarioOutput, dir), 0, FALSE},
    {"trace", output_parse_trace, offsetof(ScenarioOutput, trace), 0, FALSE},
    {"pcap", output_parse_pcap, 0, 0, FALSE},
    {"snaplen", output_parse_snaplen, offsetof(ScenarioOutput, snaplen), 0, FALSE},
    {"tcp-series", scenario_parse_bool, offsetof(ScenarioOutput, tcp_series), 0, FALSE},
};
static const Schema output_schema = {"the output", output_fields, G_N_ELEMENTS(output_fields), SCHEMA_NO_GIVEN};

/* `trace: true`, `false`, or a list of layers. Stores a SCENARIO_TRACE_* mask. */
static gboolean output_parse_trace(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const layers[] = {"link", "internet", "transport", "app", "routing"};
  guint *mask = dest;
  if (value->type != YNODE_SEQ) {
    gboolean on = FALSE;
    if (!scenario_parse_bool(cx, value, &on))
      return FALSE;
    *mask = on ? TRACE_ALL : 0;
    return TRUE;
  }
  gboolean ok = TRUE;
  *mask = 0;
  for (guint i = 0; i < value->n; i++) {
    int layer = 0;
    gsize mark = schema_path_push_index(cx, i);
    if (scenario_parse_word(cx, value->items[i], layers, G_N_ELEMENTS(layers), "trace layer", &layer))
      *mask |= 1u << layer;
    else
      ok = FALSE;
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* Reads one pcap target, "node" (every interface) or "node:iface". */
static gboolean output_read_target(SchemaCtx *cx, const YNode *value, ScenarioPcapTarget *t)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a node or an interface such as 'r1:eth0'"))
    return FALSE;
  const Scenario *sc = loader_of(cx)->sc;
  const char *colon = strchr(value->text, ':');
  char *name = colon ? g_strndup(value->text, colon - value->text) : g_strdup(value->text);
  YNode named = *value;
  named.text = name;
  t->node = scenario_lookup_node(cx, &named);
  t->iface = -1;
  g_free(name);
  if (t->node < 0)
    return FALSE;
  if (colon)
    return (t->iface = scenario_lookup_iface(cx, value, t->node, colon + 1)) >= 0;
  if (scenario_node(sc, t->node)->ifaces->len == 0) {
    schema_error(cx, value, "node '%s' has no interface to capture", scenario_node(sc, t->node)->name);
    return FALSE;
  }
  return TRUE;
}

/* Reports a target that an earlier one already captures (the same
 * interface, or the same node as a whole); `places` holds the list index
 * of each target. */
static gboolean output_target_new(SchemaCtx *cx, const YNode *value, const GArray *targets, const GArray *places,
                                  const ScenarioPcapTarget *t)
{
  for (guint i = 0; i < targets->len; i++) {
    const ScenarioPcapTarget *o = &g_array_index(targets, ScenarioPcapTarget, i);
    if (o->node == t->node && (o->iface < 0 || t->iface < 0 || o->iface == t->iface)) {
      schema_error(cx, value, "'%s' is captured already by pcap[%u]", value->text, g_array_index(places, guint, i));
      return FALSE;
    }
  }
  return TRUE;
}

/* `pcap: all` or `none`. */
static gboolean output_parse_pcap_word(SchemaCtx *cx, const YNode *value, ScenarioOutput *out)
{
  if (strcmp(value->text, "all") == 0 || strcmp(value->text, "none") == 0) {
    out->pcap_all = strcmp(value->text, "all") == 0;
    return TRUE;
  }
  char *found = ynode_describe(value);
  if (scenario_find_node(loader_of(cx)->sc, value->text) >= 0)
    schema_error(cx, value, "expected all, none or a list; write [%s] to capture one node", value->text);
  else
    schema_error(cx, value, "expected all, none or a list of nodes and interfaces such as [r1, 'h1:eth0'], found %s",
                 found);
  g_free(found);
  return FALSE;
}

/* `pcap: all`, `none`, or a list of nodes and interfaces. */
static gboolean output_parse_pcap(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioOutput *out = dest;
  if (value->type == YNODE_SCALAR)
    return output_parse_pcap_word(cx, value, out);
  if (!schema_expect(cx, value, YNODE_SEQ, "all, none, or a list of nodes and interfaces such as [r1, 'h1:eth0']"))
    return FALSE;
  gboolean ok = TRUE;
  GArray *places = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < value->n; i++) {
    ScenarioPcapTarget t;
    gsize mark = schema_path_push_index(cx, i);
    if (output_read_target(cx, value->items[i], &t) && output_target_new(cx, value->items[i], out->pcap, places, &t)) {
      g_array_append_val(out->pcap, t);
      g_array_append_val(places, i);
    } else {
      ok = FALSE;
    }
    schema_path_pop(cx, mark);
  }
  g_array_free(places, TRUE);
  return ok;
}

/* `snaplen`: bytes kept of each captured frame, as tcpdump's -s: from an
 * Ethernet header (14) to the pcap limit (65535). */
static gboolean output_parse_snaplen(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v;
  if (!scenario_parse_uint(cx, value, 14, 65535, "a snapshot length in bytes", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* `output:` in the first pass: kept until the interfaces are resolved. */
gboolean scenario_parse_output(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_MAP, "a mapping describing the output (dir, trace, pcap, snaplen, tcp-series)"))
    return FALSE;
  loader_of(cx)->output = value;
  return TRUE;
}

/* Reads the `output` mapping into Scenario.output. */
void scenario_read_output(Loader *ld)
{
  if (!ld->output)
    return;
  scenario_path_set(&ld->cx, "output");
  schema_apply(&ld->cx, &output_schema, ld->output, &ld->sc->output);
}
