/*
 * The `output` section: where a run writes (`dir`), which layers the text
 * trace shows (`trace: true | false | [link, internet, transport, app]`,
 * or a mapping: `{ layers, nodes, ifaces, protos, flow, packet, from, to, macs }`, the
 * filters of `ipsim trace`, checked here: nodes that exist, a flow that
 * is an app's name or a 5-tuple)
 * and which interfaces get a pcap file (`pcap: all | none | [node,
 * "node:iface", ...]`), and whether TCP's time series is written
 * (`tcp-series: true`: tcp.csv in the output directory), whether the
 * routing protocols' changes are logged (`routes:`, routes.csv; on by
 * default when a router runs RIP or OSPF) and the snapshots of state to
 * take (`show: [{ at, node, what }]`, models/observe/show.h). Read once
 * the interfaces and routing modes are resolved, so that pcap targets
 * name real interfaces and a snapshot of RIP names a RIP router. Nothing
 * is written while loading.
 *
 * Entry points: scenario_parse_output() (first pass: keeps the mapping),
 * scenario_read_output().
 */
#include <string.h>

#include "models/observe/trace.h"
#include "sim/scenario/scenario_private.h"

static gboolean output_parse_trace(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean output_parse_pcap(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean output_parse_snaplen(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean output_parse_show(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField output_fields[] = {
    {"dir", schema_parse_string, offsetof(ScenarioOutput, dir), 0, FALSE},
    {"trace", output_parse_trace, 0, 0, FALSE},
    {"pcap", output_parse_pcap, 0, 0, FALSE},
    {"snaplen", output_parse_snaplen, offsetof(ScenarioOutput, snaplen), 0, FALSE},
    {"tcp-series", scenario_parse_bool, offsetof(ScenarioOutput, tcp_series), 0, FALSE},
    {"queues", scenario_parse_bool, offsetof(ScenarioOutput, queues), 0, FALSE},
    {"routes", scenario_parse_bool, offsetof(ScenarioOutput, routes), 0, FALSE},
    {"show", output_parse_show, 0, 0, FALSE},
};
static const Schema output_schema = {"the output", output_fields, G_N_ELEMENTS(output_fields), SCHEMA_NO_GIVEN};

/* A list of layers, `[link, internet]`: stores a TRACE_* mask. */
static gboolean output_parse_layers(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const layers[] = {"link", "internet", "transport", "app", "routing"};
  guint *mask = dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of layers such as [link, internet]"))
    return FALSE;
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

/* Checks one item of a trace filter's list; returns the text to keep (owned), or NULL after the error. */
typedef char *(*OutputNameFn)(SchemaCtx *cx, const YNode *item);

/* A trace filter's list of names (`nodes`, `ifaces`, `protos`), each item
 * checked by `item`, kept in *dest as a NULL-terminated list. */
static gboolean output_parse_names(SchemaCtx *cx, const YNode *value, char ***dest, const char *expected,
                                   OutputNameFn item)
{
  if (!schema_expect(cx, value, YNODE_SEQ, expected))
    return FALSE;
  gboolean ok = TRUE;
  GPtrArray *list = g_ptr_array_new();
  for (guint i = 0; i < value->n; i++) {
    gsize mark = schema_path_push_index(cx, i);
    char *keep = item(cx, value->items[i]);
    if (keep)
      g_ptr_array_add(list, keep);
    else
      ok = FALSE;
    schema_path_pop(cx, mark);
  }
  g_ptr_array_add(list, NULL);
  g_strfreev(*dest);
  *dest = (char **)g_ptr_array_free(list, FALSE);
  return ok;
}

/* A `nodes:` item: a node's name. */
static char *output_trace_node(SchemaCtx *cx, const YNode *value)
{
  if (schema_expect(cx, value, YNODE_SCALAR, "a node") && scenario_lookup_node(cx, value) >= 0)
    return g_strdup(value->text);
  return NULL;
}

/* An `ifaces:` item, "node:iface", checked. */
static char *output_trace_iface(SchemaCtx *cx, const YNode *value)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "an interface such as 'r1:eth0'"))
    return NULL;
  const char *colon = strchr(value->text, ':');
  if (!colon) {
    schema_error(cx, value, "expected an interface such as 'r1:eth0', found '%s'", value->text);
    return NULL;
  }
  YNode named = *value;
  named.text = g_strndup(value->text, (gsize)(colon - value->text));
  int node = scenario_lookup_node(cx, &named);
  g_free(named.text);
  return node >= 0 && scenario_lookup_iface(cx, value, node, colon + 1) >= 0 ? g_strdup(value->text) : NULL;
}

/* A `protos:` item: a protocol a line's headers show. */
static char *output_trace_proto(SchemaCtx *cx, const YNode *value)
{
  static const char *const protos[] = {"arp", "ipv4", "icmp", "udp", "tcp", "rip", "ospf", "stp"};
  int proto = 0;
  if (scenario_parse_word(cx, value, protos, G_N_ELEMENTS(protos), "protocol", &proto))
    return g_strdup(protos[proto]);
  return NULL;
}

/* `nodes: [r1, h1]` */
static gboolean output_parse_trace_nodes(SchemaCtx *cx, const YNode *value, void *dest)
{
  return output_parse_names(cx, value, dest, "a list of nodes such as [r1, h1]", output_trace_node);
}

/* `ifaces: ["r1:eth0"]` */
static gboolean output_parse_trace_ifaces(SchemaCtx *cx, const YNode *value, void *dest)
{
  return output_parse_names(cx, value, dest, "a list of interfaces such as ['r1:eth0']", output_trace_iface);
}

/* `protos: [arp, icmp]` */
static gboolean output_parse_trace_protos(SchemaCtx *cx, const YNode *value, void *dest)
{
  return output_parse_names(cx, value, dest, "a list of protocols such as [arp, icmp]", output_trace_proto);
}

/* `flow: web` (an app's name) or `flow: "udp 10.0.1.10:5000 > 10.0.2.10:9"`. */
static gboolean output_parse_trace_flow(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "an app's name or a 5-tuple such as 'udp 10.0.1.10:5000 > 10.0.2.10:9'"))
    return FALSE;
  const Scenario *sc = loader_of(cx)->sc;
  TraceFlow *tuple = NULL;
  gboolean ok = trace_flow_parse(value->text, &tuple, NULL);
  trace_flow_free(tuple);
  GString *names = g_string_new(NULL);
  for (guint i = 0; i < sc->apps->len; i++) {
    ok = ok || strcmp(scenario_app(sc, i)->name, value->text) == 0;
    g_string_append_printf(names, "%s%s", i ? ", " : "", scenario_app(sc, i)->name);
  }
  if (!ok && strchr(value->text, ' '))
    schema_error(cx, value,
                 "'%s' is not a 5-tuple such as 'udp 10.0.1.10:5000 > 10.0.2.10:9' (udp, tcp or icmp; ports from 1 to "
                 "65535, optional, none for icmp)",
                 value->text);
  else if (!ok)
    schema_error(cx, value,
                 "unknown flow '%s': expected an app's name (%s) or a 5-tuple such as 'udp 10.0.1.10:5000 > "
                 "10.0.2.10:9' (udp, tcp or icmp; ports optional)",
                 value->text, names->len ? names->str : "this scenario has no apps");
  g_string_free(names, TRUE);
  if (ok) {
    g_free(*(char **)dest);
    *(char **)dest = g_strdup(value->text);
  }
  return ok;
}

/* `packet: 12`: a packet id. */
static gboolean output_parse_trace_packet(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_uint(cx, value, 1, G_MAXINT64, "a packet id", dest);
}

static const SchemaField trace_fields[] = {
    {"layers", output_parse_layers, offsetof(ScenarioOutput, trace), 0, FALSE},
    {"nodes", output_parse_trace_nodes, offsetof(ScenarioOutput, trace_nodes), 0, FALSE},
    {"ifaces", output_parse_trace_ifaces, offsetof(ScenarioOutput, trace_ifaces), 0, FALSE},
    {"protos", output_parse_trace_protos, offsetof(ScenarioOutput, trace_protos), 0, FALSE},
    {"flow", output_parse_trace_flow, offsetof(ScenarioOutput, trace_flow), 0, FALSE},
    {"packet", output_parse_trace_packet, offsetof(ScenarioOutput, trace_packet), 0, FALSE},
    {"from", schema_parse_duration, offsetof(ScenarioOutput, trace_from), 0, FALSE},
    {"to", schema_parse_duration, offsetof(ScenarioOutput, trace_to), 0, FALSE},
    {"macs", scenario_parse_bool, offsetof(ScenarioOutput, trace_macs), 0, FALSE},
};
static const Schema trace_schema = {"the trace", trace_fields, G_N_ELEMENTS(trace_fields), SCHEMA_NO_GIVEN};

/* `trace: true`, `false`, a list of layers, or a mapping of filters
 * (every layer unless `layers` says). Stores a TRACE_* mask and the filters. */
static gboolean output_parse_trace(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioOutput *out = dest;
  if (value->type == YNODE_SEQ)
    return output_parse_layers(cx, value, &out->trace);
  if (value->type == YNODE_MAP) {
    out->trace = TRACE_ALL;
    gboolean ok = schema_apply(cx, &trace_schema, value, out);
    if (ok && out->trace_from >= 0 && out->trace_to >= 0 && out->trace_to < out->trace_from) {
      schema_error(cx, value, "the trace's 'to' is before its 'from'");
      ok = FALSE;
    }
    return ok;
  }
  gboolean on = FALSE;
  if (!scenario_parse_bool(cx, value, &on))
    return FALSE;
  out->trace = on ? TRACE_ALL : 0;
  return TRUE;
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

/* ---- show: snapshots ---------------------------------------------------- */

/* A snapshot item being read: its nodes (GArray of int) and kinds. */
typedef struct {
  SimTime at;
  GArray *nodes;
  ScenarioShow kinds; /* what, n_what */
} ShowDraft;

static gboolean show_parse_node(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean show_parse_what(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField show_fields[] = {
    {"at", schema_parse_duration, offsetof(ShowDraft, at), 0, TRUE},
    {"node", show_parse_node, offsetof(ShowDraft, nodes), 0, TRUE},
    {"what", show_parse_what, offsetof(ShowDraft, kinds), 0, TRUE},
};
static const Schema show_schema = {"a snapshot", show_fields, G_N_ELEMENTS(show_fields), SCHEMA_NO_GIVEN};

/* `node`: a node's name or a list of them. Stores a new GArray of int. */
static gboolean show_parse_node(SchemaCtx *cx, const YNode *value, void *dest)
{
  GArray **nodes = dest;
  gboolean list = value->type == YNODE_SEQ, ok = TRUE;
  if (!list && !schema_expect(cx, value, YNODE_SCALAR, "a node's name or a list of names"))
    return FALSE;
  if (list && value->n == 0) {
    schema_error(cx, value, "the list is empty");
    return FALSE;
  }
  *nodes = g_array_new(FALSE, FALSE, sizeof(int));
  for (guint i = 0; i < (list ? value->n : 1); i++) {
    gsize mark = list ? schema_path_push_index(cx, i) : cx->path->len;
    int n = scenario_lookup_node(cx, list ? value->items[i] : value);
    if (n >= 0)
      g_array_append_val(*nodes, n);
    ok &= n >= 0;
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* Reads one kind of snapshot into s->what, once. */
static gboolean show_read_kind(SchemaCtx *cx, const YNode *value, ScenarioShow *s)
{
  int kind = 0;
  if (!scenario_parse_word(cx, value, show_kind_names, SHOW_KIND_COUNT, "snapshot", &kind))
    return FALSE;
  for (guint i = 0; i < s->n_what; i++)
    if (s->what[i] == kind) {
      schema_error(cx, value, "'%s' is listed twice", value->text);
      return FALSE;
    }
  s->what[s->n_what++] = (uint8_t)kind;
  return TRUE;
}

/* `what`: a kind of snapshot or a list of them (routes, rip, ospf-neighbors, ...). */
static gboolean show_parse_what(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioShow *s = dest;
  gboolean ok = TRUE;
  s->n_what = 0;
  if (value->type != YNODE_SEQ)
    return show_read_kind(cx, value, s);
  if (value->n == 0) {
    schema_error(cx, value, "the list is empty");
    return FALSE;
  }
  for (guint i = 0; i < value->n; i++) {
    gsize mark = schema_path_push_index(cx, i);
    ok &= show_read_kind(cx, value->items[i], s);
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* The place of the i-th kind written in `item`'s `what`. */
static const YNode *show_what_node(const YNode *item, guint i)
{
  const YNode *what = ynode_map_get(item, "what");
  return what->type == YNODE_SEQ ? what->items[i] : what;
}

/* Reports each kind that does not apply to a node of the item ("r1 does not run RIP"). */
static gboolean show_check_kinds(SchemaCtx *cx, const YNode *item, const ShowDraft *d)
{
  const Scenario *sc = loader_of(cx)->sc;
  gboolean ok = TRUE;
  for (guint k = 0; k < d->kinds.n_what; k++)
    for (guint i = 0; i < d->nodes->len; i++) {
      const ScenarioNode *n = scenario_node(sc, g_array_index(d->nodes, int, i));
      const char *problem =
          n->kind == NODE_KIND_HUB
              ? "is a hub: it repeats frames and has no routes, ARP cache or MAC table to show"
              : show_kind_problem(d->kinds.what[k], n->kind == NODE_KIND_SWITCH, n->routing == SCENARIO_ROUTING_RIP,
                                  n->routing == SCENARIO_ROUTING_OSPF);
      if (!problem)
        continue;
      gsize mark = schema_path_push_key(cx, "what");
      if (ynode_map_get(item, "what")->type == YNODE_SEQ)
        schema_path_push_index(cx, k);
      schema_error(cx, show_what_node(item, k), "%s %s", n->name, problem);
      schema_path_pop(cx, mark);
      ok = FALSE;
    }
  return ok;
}

/* Reports a snapshot after the end of the run. */
static gboolean show_check_at(SchemaCtx *cx, const YNode *item, SimTime at)
{
  SimTime stop = loader_of(cx)->sc->stop;
  if (at <= stop)
    return TRUE;
  char *when = units_format_duration(at), *end = units_format_duration(stop);
  gsize mark = schema_path_push_key(cx, "at");
  schema_error(cx, ynode_map_get(item, "at"), "%s is after the end of the run (stop: %s)", when, end);
  schema_path_pop(cx, mark);
  g_free(when);
  g_free(end);
  return FALSE;
}

/* Reads show[i]; appends one ScenarioShow per node when valid. */
static gboolean output_read_show(SchemaCtx *cx, const YNode *item, ScenarioOutput *out)
{
  if (!schema_expect(cx, item, YNODE_MAP, "a snapshot such as { at: 35s, node: r1, what: routes }"))
    return FALSE;
  ShowDraft d = {.at = -1};
  gboolean ok = schema_apply(cx, &show_schema, item, &d) && d.nodes && d.kinds.n_what &&
                show_check_at(cx, item, d.at) && show_check_kinds(cx, item, &d);
  for (guint i = 0; ok && i < d.nodes->len; i++) {
    ScenarioShow s = d.kinds;
    s.at = d.at;
    s.node = g_array_index(d.nodes, int, i);
    s.mark = scenario_mark_of(item);
    g_array_append_val(out->show, s);
  }
  if (d.nodes)
    g_array_free(d.nodes, TRUE);
  return ok;
}

/* `show`: a list of snapshots. */
static gboolean output_parse_show(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioOutput *out = dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of snapshots such as [{ at: 35s, node: r1, what: routes }]"))
    return FALSE;
  gboolean ok = TRUE;
  if (!out->show)
    out->show = g_array_new(FALSE, FALSE, sizeof(ScenarioShow));
  for (guint i = 0; i < value->n; i++) {
    gsize mark = schema_path_push_index(cx, i);
    ok &= output_read_show(cx, value->items[i], out);
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* Frees what the output section holds beyond ScenarioOutput's own fields
 * (called by scenario_free). */
void scenario_output_clear(ScenarioOutput *out)
{
  if (out->show)
    g_array_free(out->show, TRUE);
  out->show = NULL;
  g_strfreev(out->trace_nodes);
  out->trace_nodes = NULL;
  g_strfreev(out->trace_ifaces);
  out->trace_ifaces = NULL;
  g_strfreev(out->trace_protos);
  out->trace_protos = NULL;
  g_free(out->trace_flow);
  out->trace_flow = NULL;
}

/* TRUE when a router runs a routing protocol: routes.csv is then on by default. */
static gboolean output_runs_protocol(const Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++) {
    ScenarioRouting r = scenario_node(sc, i)->routing;
    if (r == SCENARIO_ROUTING_RIP || r == SCENARIO_ROUTING_OSPF)
      return TRUE;
  }
  return FALSE;
}

/* `output:` in the first pass: kept until the interfaces are resolved. */
gboolean scenario_parse_output(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_MAP,
                     "a mapping describing the output (dir, trace, pcap, snaplen, tcp-series, routes, show)"))
    return FALSE;
  loader_of(cx)->output = value;
  return TRUE;
}

/* Reads the `output` mapping into Scenario.output. */
void scenario_read_output(Loader *ld)
{
  ld->sc->output.routes = output_runs_protocol(ld->sc);
  if (!ld->output)
    return;
  scenario_path_set(&ld->cx, "output");
  schema_apply(&ld->cx, &output_schema, ld->output, &ld->sc->output);
}
