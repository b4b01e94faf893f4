/*
 * The `expect` section: checks the run must pass, read once nodes and apps
 * are known. Each item holds exactly one check, plus `at` for the checks of
 * a moment (reach, unreach, route, path; default: the end of the run):
 *
 *   { app: probe, loss: "<= 10%" }                 ping loss, a percentage bound
 *   { app: tr, hops: [r1, "*", h2] }               traceroute hops, "*" for no answer
 *   { flow: cbr, delivered: ">= 90%" }             packets of an app's flow (udp-cbr, onoff,
 *                                                  udp-echo, bulk), a percentage or a count
 *   { app: b1, goodput: ">= 9Mbps" }               bulk, bulk-sink, http, ftp; a rate bound
 *   { app: f1, finished: "<= 10s" }                udp-echo (with a count), udp-cbr and onoff (with
 *                                                  a stop), bulk (with bytes), http, ftp; a time
 *                                                  bound; fails if it never finished
 *   { app: web, reached: time-wait }               a TCP app's connections entered that state
 *   { at: 5s, reach: { from: h1, to: h3 } }        one way; both: true also checks the way back
 *                                                  (from h3 to h1's address); also unreach: (one way)
 *   { at: 5s, route: { node: r1, to: 10.1.3.0/24, via: r3 } }   via: node, address, none, direct,
 *                                                  or a list (exactly that multipath set); optional
 *                                                  protocol (connected, static, auto, rip, ospf) and metric
 *   { converged: { by: 40s } }                     no protocol route change from `by` until the next
 *                                                  event (or the end), and every table as shortest paths
 *   { at: 45s, adjacency: { node: r1, neighbor: r2, state: full } }   an OSPF neighbour's state
 *   { outage: { from: hA, to: hB, after: 100s, max: 12s } }   reach fails for at most `max` after `after`
 *   { at: 40s, stp: { node: s2, port: eth1, role: alternate, state: blocking } }   a switch port's
 *                                                  spanning-tree role and state; or { node: s2, root: s1 }
 *   { at: 5s, path: { from: h1, to: h2, is: [r1, h2] } }
 *   { never: { drop: ttl-expired, node: r1 } }     the models check the reason's name
 *   { drops: { reason: queue-full, node: s1 }, count: "> 1000" }   drops of a reason, a count bound
 *
 * A bound is "<= 10%", ">= 90%", "< 5", "> 0", "== 0", "!= 3", or a bare
 * number or percentage meaning "=="; goodput and finished bounds carry a
 * rate ("> 1Mbps") or a duration ("<= 10s"). A state is written as
 * tcpdump and the trace print it (TIME_WAIT) or in the file's style
 * (time-wait), in any case. Each check gets its text in words
 * ("route r1 10.1.3.0/24 via r3") for the run's report.
 *
 * Entry points: scenario_parse_expect() (first pass: keeps the list),
 * scenario_read_expect(); scenario_expect_check_key() (for labs);
 * scenario_check_stop() (a --stop given after
 * loading, against the checks' `at`, with the loader's rule and words).
 */
#include <string.h>

#include "sim/text/addr.h"
#include "models/app/app.h"
#include "models/transport/tcp.h"
#include "sim/scenario/scenario_private.h"

/* The check keys, in the order of ExpectCheck. */
typedef enum {
  CHECK_LOSS,
  CHECK_HOPS,
  CHECK_DELIVERED,
  CHECK_REACH,
  CHECK_UNREACH,
  CHECK_ROUTE,
  CHECK_PATH,
  CHECK_NEVER,
  CHECK_DROPS,
  CHECK_GOODPUT,
  CHECK_FINISHED,
  CHECK_REACHED,
  CHECK_CONVERGED,
  CHECK_ADJACENCY,
  CHECK_OUTAGE,
  CHECK_EXEC,
  CHECK_STP,
} ExpectCheck;

static const char *const check_keys[] = {"loss",      "hops",      "delivered", "reach",   "unreach",  "route",
                                         "path",      "never",     "drops",     "goodput", "finished", "reached",
                                         "converged", "adjacency", "outage",    "exec",    "stp"};
static const ExpectKind check_kinds[] = {
    EXPECT_APP_LOSS,     EXPECT_APP_HOPS,    EXPECT_FLOW_DELIVERED, EXPECT_REACH,     EXPECT_REACH,
    EXPECT_ROUTE,        EXPECT_PATH,        EXPECT_NEVER_DROP,     EXPECT_DROPS,     EXPECT_APP_GOODPUT,
    EXPECT_APP_FINISHED, EXPECT_APP_REACHED, EXPECT_CONVERGED,      EXPECT_ADJACENCY, EXPECT_OUTAGE,
    EXPECT_EXEC,         EXPECT_STP};
G_STATIC_ASSERT(G_N_ELEMENTS(check_keys) == G_N_ELEMENTS(check_kinds));

/* The app types each check of an app takes (by check), as a mask of 1 << AppKind. */
static const guint check_app_kinds[] = {
    [CHECK_LOSS] = 1u << APP_PING,
    [CHECK_HOPS] = 1u << APP_TRACEROUTE,
    [CHECK_DELIVERED] = 1u << APP_UDP_CBR | 1u << APP_ONOFF | 1u << APP_UDP_ECHO | 1u << APP_BULK,
    [CHECK_GOODPUT] = 1u << APP_BULK | 1u << APP_BULK_SINK | 1u << APP_HTTP | 1u << APP_FTP,
    [CHECK_FINISHED] = 1u << APP_PING | 1u << APP_UDP_CBR | 1u << APP_ONOFF | 1u << APP_UDP_ECHO | 1u << APP_BULK |
                       1u << APP_HTTP | 1u << APP_FTP,
    [CHECK_REACHED] = 1u << APP_BULK | 1u << APP_BULK_SINK | 1u << APP_HTTP | 1u << APP_HTTP_SERVER | 1u << APP_FTP |
                      1u << APP_FTP_SERVER,
};

/* What a bound may be. */
typedef enum { BOUND_PERCENT, BOUND_ANY, BOUND_COUNT, BOUND_RATE, BOUND_DURATION } BoundKind;

enum { EXPECT_GIVEN_AT = 1u << 0, EXPECT_GIVEN_SUBJECT = 1u << 1 };

/* A check being read. */
typedef struct {
  ScenarioExpect e;
  int check; /* ExpectCheck, or -1 when there is not exactly one */
  guint given;
} ExpectDraft;

static gboolean expect_parse_app(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_loss(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_hops(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_delivered(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_count(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_drops(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_reach(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_route(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_path(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_never(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_goodput(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_finished(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_reached(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_converged(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_adjacency(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_outage(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_exec(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_stp(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField expect_fields[] = {
    {"at", schema_parse_duration, offsetof(ExpectDraft, e.at), EXPECT_GIVEN_AT, FALSE},
    {"app", expect_parse_app, offsetof(ExpectDraft, e.app), EXPECT_GIVEN_SUBJECT, FALSE},
    {"flow", expect_parse_app, offsetof(ExpectDraft, e.app), EXPECT_GIVEN_SUBJECT, FALSE},
    {"count", expect_parse_count, offsetof(ExpectDraft, e.bound), EXPECT_GIVEN_SUBJECT, FALSE},
    {"loss", expect_parse_loss, offsetof(ExpectDraft, e.bound), 0, FALSE},
    {"hops", expect_parse_hops, offsetof(ExpectDraft, e.nodes), 0, FALSE},
    {"delivered", expect_parse_delivered, offsetof(ExpectDraft, e.bound), 0, FALSE},
    {"reach", expect_parse_reach, offsetof(ExpectDraft, e), 0, FALSE},
    {"unreach", expect_parse_reach, offsetof(ExpectDraft, e), 0, FALSE},
    {"route", expect_parse_route, offsetof(ExpectDraft, e), 0, FALSE},
    {"path", expect_parse_path, offsetof(ExpectDraft, e), 0, FALSE},
    {"never", expect_parse_never, offsetof(ExpectDraft, e), 0, FALSE},
    {"drops", expect_parse_drops, offsetof(ExpectDraft, e), 0, FALSE},
    {"goodput", expect_parse_goodput, offsetof(ExpectDraft, e.bound), 0, FALSE},
    {"finished", expect_parse_finished, offsetof(ExpectDraft, e.bound), 0, FALSE},
    {"reached", expect_parse_reached, offsetof(ExpectDraft, e.tcp_state), 0, FALSE},
    {"converged", expect_parse_converged, offsetof(ExpectDraft, e), 0, FALSE},
    {"adjacency", expect_parse_adjacency, offsetof(ExpectDraft, e), 0, FALSE},
    {"outage", expect_parse_outage, offsetof(ExpectDraft, e), 0, FALSE},
    {"exec", expect_parse_exec, offsetof(ExpectDraft, e), 0, FALSE},
    {"stp", expect_parse_stp, offsetof(ExpectDraft, e), 0, FALSE},
};
static const Schema expect_schema = {"an expectation", expect_fields, G_N_ELEMENTS(expect_fields),
                                     offsetof(ExpectDraft, given)};

static gboolean expect_parse_dst(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_via(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_is(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_drop(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_protocol(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_metric(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_ospf_router(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_nbr_state(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_ospf_neighbor(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField reach_fields[] = {
    {"from", scenario_parse_ip_node_ref, offsetof(ScenarioExpect, node), 0, TRUE},
    {"to", expect_parse_dst, 0, 0, TRUE},
    {"both", scenario_parse_bool, offsetof(ScenarioExpect, both), 0, FALSE},
};
static const Schema reach_schema = {"a reachability check", reach_fields, G_N_ELEMENTS(reach_fields), SCHEMA_NO_GIVEN};

static const SchemaField route_fields[] = {
    {"node", scenario_parse_ip_node_ref, offsetof(ScenarioExpect, node), 0, TRUE},
    {"to", scenario_parse_route_to, offsetof(ScenarioExpect, prefix), 0, TRUE},
    {"via", expect_parse_via, 0, 0, TRUE},
    {"protocol", expect_parse_protocol, offsetof(ScenarioExpect, protocol), 0, FALSE},
    {"metric", expect_parse_metric, offsetof(ScenarioExpect, metric), 0, FALSE},
};
static const Schema route_schema = {"a route check", route_fields, G_N_ELEMENTS(route_fields), SCHEMA_NO_GIVEN};

static const SchemaField path_fields[] = {
    {"from", scenario_parse_ip_node_ref, offsetof(ScenarioExpect, node), 0, TRUE},
    {"to", expect_parse_dst, 0, 0, TRUE},
    {"is", expect_parse_is, offsetof(ScenarioExpect, nodes), 0, TRUE},
};
static const Schema path_schema = {"a path check", path_fields, G_N_ELEMENTS(path_fields), SCHEMA_NO_GIVEN};

static const SchemaField never_fields[] = {
    {"drop", expect_parse_drop, offsetof(ScenarioExpect, drop), 0, TRUE},
    {"node", scenario_parse_node_ref, offsetof(ScenarioExpect, node), 0, FALSE},
};
static const Schema never_schema = {"a never check", never_fields, G_N_ELEMENTS(never_fields), SCHEMA_NO_GIVEN};

static const SchemaField drops_fields[] = {
    {"reason", expect_parse_drop, offsetof(ScenarioExpect, drop), 0, TRUE},
    {"node", scenario_parse_node_ref, offsetof(ScenarioExpect, node), 0, FALSE},
};
static const Schema drops_schema = {"a drops check", drops_fields, G_N_ELEMENTS(drops_fields), SCHEMA_NO_GIVEN};

static const SchemaField converged_fields[] = {
    {"by", schema_parse_duration, offsetof(ScenarioExpect, after), 0, TRUE},
};
static const Schema converged_schema = {"a convergence check", converged_fields, G_N_ELEMENTS(converged_fields),
                                        SCHEMA_NO_GIVEN};

static const SchemaField adjacency_fields[] = {
    {"node", expect_parse_ospf_router, offsetof(ScenarioExpect, node), 0, TRUE},
    {"neighbor", expect_parse_ospf_neighbor, 0, 0, TRUE},
    {"state", expect_parse_nbr_state, offsetof(ScenarioExpect, nbr_state), 0, FALSE},
};
static const Schema adjacency_schema = {"an adjacency check", adjacency_fields, G_N_ELEMENTS(adjacency_fields),
                                        SCHEMA_NO_GIVEN};

static const SchemaField outage_fields[] = {
    {"from", scenario_parse_ip_node_ref, offsetof(ScenarioExpect, node), 0, TRUE},
    {"to", expect_parse_dst, 0, 0, TRUE},
    {"after", schema_parse_duration, offsetof(ScenarioExpect, after), 0, TRUE},
    {"max", schema_parse_duration, offsetof(ScenarioExpect, max), 0, TRUE},
};
static const Schema outage_schema = {"an outage check", outage_fields, G_N_ELEMENTS(outage_fields), SCHEMA_NO_GIVEN};

static gboolean expect_parse_exec_name(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_status(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_regex(SchemaCtx *cx, const YNode *value, void *dest);
static const SchemaField exec_fields[] = {
    {"name", expect_parse_exec_name, offsetof(ScenarioExpect, exec), 0, TRUE},
    {"status", expect_parse_status, offsetof(ScenarioExpect, status), 0, FALSE},
    {"output", expect_parse_regex, offsetof(ScenarioExpect, output), 0, FALSE},
};
static const Schema exec_schema = {"a command check", exec_fields, G_N_ELEMENTS(exec_fields), SCHEMA_NO_GIVEN};

/* ---- values ---------------------------------------------------------- */

/* An app by name; stores its index. */
static gboolean expect_parse_app(SchemaCtx *cx, const YNode *value, void *dest)
{
  const Scenario *sc = loader_of(cx)->sc;
  if (!schema_expect(cx, value, YNODE_SCALAR, "an app's name"))
    return FALSE;
  const char **names = g_new(const char *, sc->apps->len + 1);
  for (guint i = 0; i < sc->apps->len; i++) {
    names[i] = scenario_app(sc, (int)i)->name;
    if (strcmp(names[i], value->text) == 0) {
      *(int *)dest = (int)i;
      g_free(names);
      return TRUE;
    }
  }
  char *near = diag_suggest(value->text, names, sc->apps->len);
  if (near)
    schema_error(cx, value, "no app '%s'; did you mean '%s'?", value->text, near);
  else
    schema_error(cx, value, "no app '%s' in 'apps'", value->text);
  g_free(near);
  g_free(names);
  return FALSE;
}

/* Reads the comparison at the start of `text`; returns what follows it. */
static const char *expect_read_op(const char *text, CmpOp *op)
{
  static const struct {
    const char *text;
    CmpOp op;
  } ops[] = {{"<=", CMP_LE}, {">=", CMP_GE}, {"==", CMP_EQ}, {"!=", CMP_NE}, {"<", CMP_LT}, {">", CMP_GT}};
  for (guint i = 0; i < G_N_ELEMENTS(ops); i++)
    if (g_str_has_prefix(text, ops[i].text)) {
      *op = ops[i].op;
      text += strlen(ops[i].text);
      while (*text == ' ')
        text++;
      return text;
    }
  *op = CMP_EQ;
  return text;
}

/* Reads "12", "12.5" or either with '%' (the whole of `text`). */
static gboolean expect_read_number(const char *text, double *value, gboolean *percent)
{
  size_t whole = strspn(text, "0123456789"), n = whole;
  if (whole == 0)
    return FALSE;
  if (text[n] == '.') {
    size_t frac = strspn(text + n + 1, "0123456789");
    if (frac == 0)
      return FALSE;
    n += 1 + frac;
  }
  *percent = text[n] == '%';
  if (text[n + (*percent ? 1 : 0)] != '\0')
    return FALSE;
  char *number = g_strndup(text, n);
  *value = g_ascii_strtod(number, NULL);
  g_free(number);
  return TRUE;
}

/* A bound such as "<= 10%" or ">= 1000"; a percentage is stored as a fraction. */
static gboolean expect_parse_bound(SchemaCtx *cx, const YNode *value, BoundKind kind, ScenarioBound *b)
{
  static const char *const examples[] = {"'<= 10%'", "'>= 90%' or '>= 1000'", "'> 1000'"};
  const char *example = examples[kind];
  char *expected = g_strdup_printf("a bound such as %s", example);
  gboolean ok = schema_expect(cx, value, YNODE_SCALAR, expected);
  g_free(expected);
  if (!ok)
    return FALSE;
  if (!expect_read_number(expect_read_op(value->text, &b->op), &b->value, &b->percent)) {
    schema_error(cx, value, "expected a bound such as %s (<=, <, >=, >, == or != and a number), found '%s'", example,
                 value->text);
    return FALSE;
  }
  if (b->percent && b->value > 100) {
    schema_error(cx, value, "a percentage lies in 0%%..100%%, found '%s'", value->text);
    return FALSE;
  }
  if (kind == BOUND_PERCENT && !b->percent) {
    schema_error(cx, value, "a loss bound is a percentage, such as '<= 10%%', found '%s'", value->text);
    return FALSE;
  }
  if (kind == BOUND_COUNT && b->percent) {
    schema_error(cx, value, "a drop count is a number, not a percentage, such as '> 1000', found '%s'", value->text);
    return FALSE;
  }
  /* Compare before converting: a double of 2^64 or more has no uint64_t. */
  if (!b->percent && (b->value >= 0x1p64 || b->value != (double)(uint64_t)b->value)) {
    schema_error(cx, value, "a count is a whole number below 2^64, found '%s'", value->text);
    return FALSE;
  }
  if (b->percent)
    b->value /= 100;
  g_free(b->text);
  b->text = g_strdup(value->text);
  return TRUE;
}

static gboolean expect_parse_loss(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_bound(cx, value, BOUND_PERCENT, dest);
}

static gboolean expect_parse_delivered(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_bound(cx, value, BOUND_ANY, dest);
}

static gboolean expect_parse_count(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_bound(cx, value, BOUND_COUNT, dest);
}

/* A rate such as "9Mbps", or zero ("0bps"), which a bound may compare
 * with although no link has it. */
static gboolean expect_parse_rate(const char *text, uint64_t *bps, GError **error)
{
  size_t zeros = strspn(text, "0");
  if (zeros > 0 && g_ascii_isalpha(text[zeros])) {
    char *one = g_strconcat("1", text + zeros, NULL);
    gboolean ok = units_parse_rate(one, bps, NULL);
    g_free(one);
    if (ok) {
      *bps = 0;
      return TRUE;
    }
  }
  return units_parse_rate(text, bps, error);
}

/* A bound on a rate (">= 9Mbps", in bit/s) or a time ("<= 10s", in ns). */
static gboolean expect_parse_unit_bound(SchemaCtx *cx, const YNode *value, BoundKind kind, ScenarioBound *b)
{
  const char *example = kind == BOUND_RATE ? "'>= 9Mbps'" : "'<= 10s'";
  char *expected = g_strdup_printf("a bound such as %s", example);
  gboolean ok = schema_expect(cx, value, YNODE_SCALAR, expected);
  g_free(expected);
  if (!ok)
    return FALSE;
  const char *number = expect_read_op(value->text, &b->op);
  GError *error = NULL;
  uint64_t rate = 0;
  SimTime t = 0;
  ok = kind == BOUND_RATE ? expect_parse_rate(number, &rate, &error) : units_parse_duration(number, &t, &error);
  if (!ok) {
    schema_error(cx, value, "expected a bound such as %s (<=, <, >=, >, == or != and a %s): %s", example,
                 kind == BOUND_RATE ? "rate" : "time", error->message);
    g_error_free(error);
    return FALSE;
  }
  b->value = kind == BOUND_RATE ? (double)rate : (double)t;
  b->percent = FALSE;
  g_free(b->text);
  b->text = g_strdup(value->text);
  return TRUE;
}

static gboolean expect_parse_goodput(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_unit_bound(cx, value, BOUND_RATE, dest);
}

static gboolean expect_parse_finished(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_unit_bound(cx, value, BOUND_DURATION, dest);
}

/* `reached`: a TCP state by name. Stores an int (TcpState). */
static gboolean expect_parse_reached(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a TCP state such as established or time-wait"))
    return FALSE;
  int state = tcp_state_from_name(value->text);
  if (state >= 0) {
    *(int *)dest = state;
    return TRUE;
  }
  char *lower = g_ascii_strdown(value->text, -1), *words[TCP_STATE_COUNT + 1] = {0};
  g_strdelimit(lower, "_", '-');
  for (int s = 0; s < TCP_STATE_COUNT; s++) /* the states as files write them: "time-wait" */
    g_strdelimit(words[s] = g_ascii_strdown(tcp_state_name((TcpState)s), -1), "_", '-');
  char *near = diag_suggest(lower, (const char *const *)words, TCP_STATE_COUNT);
  char *last = words[TCP_STATE_COUNT - 1];
  words[TCP_STATE_COUNT - 1] = NULL;
  char *all = g_strjoinv(", ", words);
  if (near)
    schema_error(cx, value, "unknown TCP state '%s'; did you mean '%s'?", value->text, near);
  else
    schema_error(cx, value, "unknown TCP state '%s'; expected %s or %s", value->text, all, last);
  words[TCP_STATE_COUNT - 1] = last;
  g_free(all);
  g_free(near);
  g_free(lower);
  for (int s = 0; s < TCP_STATE_COUNT; s++)
    g_free(words[s]);
  return FALSE;
}

/* A list of hosts and routers (and "*" for a hop that did not answer, with
 * `stars`). Stores a new GArray of int. */
static gboolean expect_parse_node_list(SchemaCtx *cx, const YNode *value, gboolean stars, GArray **dest)
{
  if (!schema_expect(cx, value, YNODE_SEQ, stars ? "a list of hops such as [r1, '*', h2]" : "a list of nodes"))
    return FALSE;
  if (value->n == 0) {
    schema_error(cx, value, "the list is empty");
    return FALSE;
  }
  GArray *nodes = g_array_sized_new(FALSE, FALSE, sizeof(int), value->n);
  gboolean ok = TRUE;
  for (guint i = 0; i < value->n; i++) {
    const YNode *item = value->items[i];
    gsize mark = schema_path_push_index(cx, i);
    gboolean star = item->type == YNODE_SCALAR && strcmp(item->text, "*") == 0;
    int n = -1;
    if (star && !stars)
      schema_error(cx, item, "'*' (no answer) is for traceroute hops; a path lists the nodes a packet crosses");
    else if (!star)
      n = scenario_lookup_ip_node(cx, item, "it forwards frames, not IP packets");
    ok &= (star && stars) || n >= 0;
    g_array_append_val(nodes, n);
    schema_path_pop(cx, mark);
  }
  if (*dest)
    g_array_free(*dest, TRUE);
  *dest = nodes;
  return ok;
}

static gboolean expect_parse_hops(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_node_list(cx, value, TRUE, dest);
}

static gboolean expect_parse_is(SchemaCtx *cx, const YNode *value, void *dest)
{
  return expect_parse_node_list(cx, value, FALSE, dest);
}

/* A destination node or address; fills ScenarioExpect.dst and dst_node. */
static gboolean expect_parse_dst(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  ScenarioDest to;
  if (!scenario_parse_dest(cx, value, FALSE, &to))
    return FALSE;
  e->dst = to.addr;
  e->dst_node = to.node;
  return TRUE;
}

/* One next hop: a host or router (the holder of the gateway), or an address. */
static gboolean expect_read_hop(SchemaCtx *cx, const YNode *value, ScenarioVia *via)
{
  *via = (ScenarioVia){.node = -1};
  if (scenario_find_node(loader_of(cx)->sc, value->text) < 0 && addr_parse_ipv4(value->text, &via->addr))
    return TRUE;
  via->node = scenario_lookup_ip_node(cx, value, "a next hop is a host or router");
  return via->node >= 0;
}

/* Reads one hop of a `via` list into e->via_set; reports words and repeats. */
static gboolean expect_read_set_hop(SchemaCtx *cx, const YNode *item, ScenarioExpect *e)
{
  ScenarioVia via;
  if (!schema_expect(cx, item, YNODE_SCALAR, "a next hop: a node or an address"))
    return FALSE;
  if (strcmp(item->text, "none") == 0 || strcmp(item->text, "direct") == 0) {
    schema_error(cx, item, "a list of next hops holds nodes and addresses; write 'via: %s' alone", item->text);
    return FALSE;
  }
  if (!expect_read_hop(cx, item, &via))
    return FALSE;
  for (guint i = 0; i < e->n_via_set; i++)
    if (e->via_set[i].node == via.node && e->via_set[i].addr == via.addr) {
      schema_error(cx, item, "'%s' is listed twice", item->text);
      return FALSE;
    }
  e->via_set[e->n_via_set++] = via;
  return TRUE;
}

/* `via: [r2, r3]`: exactly this multipath set. */
static gboolean expect_parse_via_set(SchemaCtx *cx, const YNode *value, ScenarioExpect *e)
{
  gboolean ok = TRUE;
  if (value->n == 0 || value->n > ROUTE_MAX_PATHS) {
    schema_error(cx, value, "a multipath set holds 1 to %d next hops, found %u", ROUTE_MAX_PATHS, value->n);
    return FALSE;
  }
  e->n_via_set = 0;
  for (guint i = 0; i < value->n; i++) {
    gsize mark = schema_path_push_index(cx, i);
    ok &= expect_read_set_hop(cx, value->items[i], e);
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* `via`: none, direct, a host or router, an address, or a list of them. */
static gboolean expect_parse_via(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  if (value->type == YNODE_SEQ)
    return expect_parse_via_set(cx, value, e);
  if (!schema_expect(cx, value, YNODE_SCALAR, "a next hop: a node, an address, none, direct or a list"))
    return FALSE;
  e->via_none = strcmp(value->text, "none") == 0;
  e->via_direct = strcmp(value->text, "direct") == 0;
  if (e->via_none || e->via_direct)
    return TRUE;
  ScenarioVia via;
  if (!expect_read_hop(cx, value, &via))
    return FALSE;
  e->via_node = via.node;
  e->via_addr = via.addr;
  return TRUE;
}

/* `protocol`: the origin a route must have. Stores an int (RouteOrigin). */
static gboolean expect_parse_protocol(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const words[] = {"connected", "static", "auto", "rip", "ospf"};
  G_STATIC_ASSERT(G_N_ELEMENTS(words) == ROUTE_ORIGIN_COUNT);
  return scenario_parse_word(cx, value, words, G_N_ELEMENTS(words), "protocol", dest);
}

/* `metric`: the metric a route must have. Stores an int64_t. */
static gboolean expect_parse_metric(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v;
  if (!scenario_parse_uint(cx, value, 0, G_MAXUINT32, "a metric", &v))
    return FALSE;
  *(int64_t *)dest = (int64_t)v;
  return TRUE;
}

/* A router running OSPF, by name; stores its index. */
static gboolean expect_parse_ospf_router(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_node(cx, value);
  if (n < 0)
    return FALSE;
  const ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
  if (node->routing != SCENARIO_ROUTING_OSPF) {
    schema_error(cx, value, "%s does not run OSPF; an adjacency is between two routers with 'routing: ospf'",
                 node->name);
    return FALSE;
  }
  *(int *)dest = n;
  return TRUE;
}

/* `neighbor`: a router running OSPF, or a router ID (dotted quad), which
 * is how a Linux host's OSPF daemon (FRR's ospfd) is named. Fills in
 * neighbor and nbr_rid of the ScenarioExpect at dest. */
static gboolean expect_parse_ospf_neighbor(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  if (value->type == YNODE_SCALAR && addr_parse_ipv4(value->text, &e->nbr_rid)) {
    e->neighbor = -1;
    return TRUE;
  }
  if (value->type == YNODE_SCALAR && value->text[strspn(value->text, "0123456789.")] == '\0') {
    schema_error(cx, value, "'%s' is not a router ID: four numbers from 0 to 255, such as 9.9.9.9", value->text);
    return FALSE;
  }
  int n = value->type == YNODE_SCALAR ? scenario_find_node(loader_of(cx)->sc, value->text) : -1;
  if (n >= 0 && scenario_node(loader_of(cx)->sc, n)->kind == NODE_KIND_LINUX) {
    schema_error(cx, value, "%s is a Linux host: name its OSPF daemon by its router ID (neighbor: 9.9.9.9)",
                 value->text);
    return FALSE;
  }
  return expect_parse_ospf_router(cx, value, &e->neighbor);
}

/* `state`: an OSPF neighbour state (RFC 2328 10.1) by name. Stores an int (OspfNbrState). */
static gboolean expect_parse_nbr_state(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (value->type == YNODE_SCALAR && value->text) {
    char *lower = g_ascii_strdown(value->text, -1);
    for (int st = 0; st < OSPF_NBR_STATE_COUNT; st++)
      if (strcmp(lower, ospf_nbr_state_names[st]) == 0) {
        *(int *)dest = st;
        g_free(lower);
        return TRUE;
      }
    g_free(lower);
  }
  return scenario_parse_word(cx, value, ospf_nbr_state_names, OSPF_NBR_STATE_COUNT, "OSPF neighbour state", dest);
}

/* A drop reason's name, one word such as ttl-expired (the models know the names). */
static gboolean expect_parse_drop(SchemaCtx *cx, const YNode *value, void *dest)
{
  gboolean ok = value->type == YNODE_SCALAR && !ynode_is_null(value) && value->text[0];
  for (const char *c = ok ? value->text : ""; *c; c++)
    ok &= g_ascii_isalnum(*c) || *c == '-' || *c == '_';
  if (!ok) {
    char *found = ynode_describe(value);
    schema_error(cx, value, "expected a drop reason such as 'ttl-expired', found %s", found);
    g_free(found);
    return FALSE;
  }
  g_free(*(char **)dest);
  *(char **)dest = g_strdup(value->text);
  return TRUE;
}

static gboolean expect_parse_reach(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &reach_schema, value, dest);
}

/* protocol and metric describe a route: not with `via: none`. */
static gboolean expect_check_route_keys(SchemaCtx *cx, const YNode *value, const ScenarioExpect *e)
{
  const char *key = e->protocol >= 0 ? "protocol" : e->metric >= 0 ? "metric" : NULL;
  if (!e->via_none || !key)
    return TRUE;
  gsize mark = schema_path_push_key(cx, key);
  schema_error(cx, ynode_map_get(value, key), "'%s' describes a route, and 'via: none' expects none", key);
  schema_path_pop(cx, mark);
  return FALSE;
}

static gboolean expect_parse_route(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_apply(cx, &route_schema, value, dest))
    return FALSE;
  ScenarioExpect *e = dest;
  for (guint i = 0; i < e->n_via_set; i++)
    if (e->via_set[i].node >= 0 && e->via_set[i].node == e->node)
      e->via_node = e->node;
  if (e->via_node >= 0 && e->via_node == e->node) {
    gsize mark = schema_path_push_key(cx, "via");
    schema_error(cx, ynode_map_get(value, "via"),
                 "a node is not its own next hop; write 'direct' for a connected "
                 "route");
    schema_path_pop(cx, mark);
    return FALSE;
  }
  return expect_check_route_keys(cx, value, e);
}

static gboolean expect_parse_converged(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &converged_schema, value, dest);
}

static gboolean expect_parse_adjacency(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  if (!schema_apply(cx, &adjacency_schema, value, dest))
    return FALSE;
  if (e->node != e->neighbor)
    return TRUE;
  gsize mark = schema_path_push_key(cx, "neighbor");
  schema_error(cx, ynode_map_get(value, "neighbor"), "a router is not its own neighbor");
  schema_path_pop(cx, mark);
  return FALSE;
}

static gboolean expect_parse_outage(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  if (!schema_apply(cx, &outage_schema, value, dest))
    return FALSE;
  if (e->max > 0)
    return TRUE;
  gsize mark = schema_path_push_key(cx, "max");
  schema_error(cx, ynode_map_get(value, "max"), "the longest outage allowed must be longer than 0s");
  schema_path_pop(cx, mark);
  return FALSE;
}

/* A command of a Linux host, by name. */
static gboolean expect_parse_exec_name(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "the name of a Linux host's command"))
    return FALSE;
  if (!g_hash_table_contains(loader_of(cx)->exec_names, value->text)) {
    schema_error(cx, value, "no command named '%s' (a Linux host's exec names it, or NODE.K)", value->text);
    return FALSE;
  }
  *(char **)dest = g_strdup(value->text);
  return TRUE;
}

static gboolean expect_parse_status(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 0, 255, "an exit status", &v))
    return FALSE;
  *(int *)dest = (int)v;
  return TRUE;
}

/* A regular expression (GRegex, Perl syntax), checked here. */
static gboolean expect_parse_regex(SchemaCtx *cx, const YNode *value, void *dest)
{
  GError *error = NULL;
  if (!schema_expect(cx, value, YNODE_SCALAR, "a regular expression"))
    return FALSE;
  GRegex *re = g_regex_new(value->text, G_REGEX_MULTILINE, 0, &error);
  if (!re) {
    schema_error(cx, value, "bad regular expression '%s': %s", value->text, error->message);
    g_error_free(error);
    return FALSE;
  }
  g_regex_unref(re);
  *(char **)dest = g_strdup(value->text);
  return TRUE;
}

static gboolean expect_parse_exec(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &exec_schema, value, dest);
}

static gboolean expect_parse_path(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &path_schema, value, dest);
}

static gboolean expect_parse_never(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &never_schema, value, dest);
}

static gboolean expect_parse_drops(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &drops_schema, value, dest);
}

/* ---- items ----------------------------------------------------------- */

static int expect_check_index(const char *key)
{
  for (guint c = 0; c < G_N_ELEMENTS(check_keys); c++)
    if (strcmp(key, check_keys[c]) == 0)
      return (int)c;
  return -1;
}

/* The first check key of an expectation's mapping ("reach"), or NULL. */
const char *scenario_expect_check_key(const YNode *item)
{
  for (guint i = 0; item->type == YNODE_MAP && i < item->n; i++) {
    const YNode *key = ynode_key(item, i);
    int c = key->type == YNODE_SCALAR ? expect_check_index(key->text) : -1;
    if (c >= 0)
      return check_keys[c];
  }
  return NULL;
}

static gboolean expect_known_key(const char *key)
{
  for (guint f = 0; f < G_N_ELEMENTS(expect_fields); f++)
    if (strcmp(key, expect_fields[f].key) == 0)
      return TRUE;
  return FALSE;
}

/* Finds the item's one check key; reports none or several (dropping the
 * extra ones from what is read). Returns an ExpectCheck, or -1. */
static int expect_find_check(SchemaCtx *cx, const YNode *item, gboolean *drop)
{
  int check = -1;
  guint unknown = 0;
  for (guint i = 0; i < item->n; i++) {
    const YNode *key = ynode_key(item, i);
    if (key->type != YNODE_SCALAR)
      continue;
    int c = expect_check_index(key->text);
    if (c < 0) {
      unknown += !expect_known_key(key->text);
    } else if (check < 0) {
      check = c;
    } else {
      gsize mark = schema_path_push_key(cx, key->text);
      schema_error(cx, key, "an expectation holds one check, found '%s' and '%s'; write them as two items",
                   check_keys[check], key->text);
      schema_path_pop(cx, mark);
      drop[i] = TRUE;
    }
  }
  if (check < 0 && unknown == 0)
    schema_error(cx, item,
                 "an expectation needs one check: loss, hops, delivered, goodput, finished, reached, reach, "
                 "unreach, route, path, never, drops, converged, adjacency, outage, exec or stp");
  return check;
}

/* The key that goes with a check ("app", "flow", "count"), or NULL. */
static const char *expect_subject_key(int check)
{
  switch (check) {
  case CHECK_LOSS:
  case CHECK_HOPS:
  case CHECK_GOODPUT:
  case CHECK_FINISHED:
  case CHECK_REACHED:
    return "app";
  case CHECK_DELIVERED:
    return "flow";
  case CHECK_DROPS:
    return "count";
  default:
    return NULL;
  }
}

static gboolean expect_is_subject_key(const char *key)
{
  return strcmp(key, "app") == 0 || strcmp(key, "flow") == 0 || strcmp(key, "count") == 0;
}

static gboolean expect_is_timed(int check)
{
  return check == CHECK_REACH || check == CHECK_UNREACH || check == CHECK_ROUTE || check == CHECK_PATH ||
         check == CHECK_ADJACENCY || check == CHECK_STP;
}

/* Why `at` does not go with a check that is not of a moment. */
static const char *expect_untimed_why(int check)
{
  switch (check) {
  case CHECK_NEVER:
  case CHECK_DROPS:
    return "over the whole run";
  case CHECK_CONVERGED:
    return "from its 'by' until the next event";
  case CHECK_OUTAGE:
    return "from its 'after' on";
  default:
    return "at the end of the run";
  }
}

/* Reports `at`, `app` or `flow` where the check does not take them, and drops them. */
static void expect_check_companions(SchemaCtx *cx, const YNode *item, int check, gboolean *drop)
{
  const char *subject = expect_subject_key(check);
  for (guint i = 0; i < item->n; i++) {
    const YNode *key = ynode_key(item, i);
    if (key->type != YNODE_SCALAR || drop[i])
      continue;
    gsize mark = schema_path_push_key(cx, key->text);
    if (strcmp(key->text, "at") == 0 && !expect_is_timed(check)) {
      schema_error(cx, key, "'at' is not allowed with '%s': it is checked %s", check_keys[check],
                   expect_untimed_why(check));
      drop[i] = TRUE;
    } else if (expect_is_subject_key(key->text) && !(subject && strcmp(key->text, subject) == 0)) {
      if (subject)
        schema_error(cx, key, "'%s' does not go with '%s', which takes '%s'", key->text, check_keys[check], subject);
      else
        schema_error(cx, key, "'%s' does not go with '%s'", key->text, check_keys[check]);
      drop[i] = TRUE;
    }
    schema_path_pop(cx, mark);
  }
}

/* "a udp-cbr, onoff or bulk app": the app types in `kinds`, for messages. */
static char *expect_kinds_text(guint kinds)
{
  GString *s = g_string_new(NULL);
  guint n = 0, k = 0;
  for (guint rest = kinds; rest; rest &= rest - 1)
    n++;
  for (int kind = 0; kind < APP_KIND_COUNT; kind++)
    if (kinds & (1u << kind)) {
      k++;
      g_string_append_printf(s, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", app_kind_name(kind));
    }
  return g_string_free(s, FALSE);
}

/* Reports a finished check on an app that never ends by itself: the key
 * that would end it. */
static gboolean expect_check_finishes(SchemaCtx *cx, const YNode *item, const AppConfig *app)
{
  const char *missing = NULL;
  if ((app->kind == APP_UDP_ECHO || app->kind == APP_PING) && app->count == 0)
    missing = "count";
  else if (app->kind == APP_BULK && app->bytes == 0)
    missing = "bytes";
  else if ((app->kind == APP_UDP_CBR || app->kind == APP_ONOFF) && app->stop == 0)
    missing = "stop";
  if (!missing)
    return TRUE;
  gsize mark = schema_path_push_key(cx, "app");
  schema_error(cx, ynode_map_get(item, "app"), "'%s' runs until it is stopped, so it never finishes; give it '%s'",
               app->name, missing);
  schema_path_pop(cx, mark);
  return FALSE;
}

/* Checks that the app a check names is of a type the check takes. */
static gboolean expect_check_app(SchemaCtx *cx, const YNode *item, const ExpectDraft *d)
{
  const char *subject = expect_subject_key(d->check);
  if (!subject)
    return TRUE;
  if (!(d->given & EXPECT_GIVEN_SUBJECT)) {
    schema_error(cx, item, "a '%s' check needs the key '%s'", check_keys[d->check], subject);
    return FALSE;
  }
  if (d->check == CHECK_DROPS)
    return TRUE;
  const AppConfig *app = scenario_app(loader_of(cx)->sc, d->e.app);
  if (check_app_kinds[d->check] & (1u << app->kind))
    return d->check != CHECK_FINISHED || expect_check_finishes(cx, item, app);
  char *wanted = expect_kinds_text(check_app_kinds[d->check]);
  gsize mark = schema_path_push_key(cx, subject);
  schema_error(cx, ynode_map_get(item, subject), "'%s' is a %s app; '%s' checks a %s app", app->name,
               app_kind_name(app->kind), check_keys[d->check], wanted);
  schema_path_pop(cx, mark);
  g_free(wanted);
  return FALSE;
}

/* The problem with a check at `at` in a run that ends at `stop` (set by
 * `stop_key`: "stop" in the file, "--stop" on the command line), or NULL
 * when the run reaches it (g_free). */
static char *expect_late(SimTime at, SimTime stop, const char *stop_key)
{
  if (at <= stop)
    return NULL;
  char *when = units_format_duration(at), *end = units_format_duration(stop);
  char *text = g_strdup_printf("%s is after the end of the run (%s: %s)", when, stop_key, end);
  g_free(when);
  g_free(end);
  return text;
}

/* `both` checks that each end reaches the other: `unreach` takes no `both`. */
static gboolean expect_check_both(SchemaCtx *cx, const YNode *item, const ExpectDraft *d)
{
  if (d->check != CHECK_UNREACH || !d->e.both)
    return TRUE;
  gsize mark = schema_path_push_key(cx, "unreach");
  schema_path_push_key(cx, "both");
  schema_error(cx, ynode_map_get(ynode_map_get(item, "unreach"), "both"),
               "'both' goes with 'reach' (each end reaches the other); 'unreach' checks one way");
  schema_path_pop(cx, mark);
  return FALSE;
}

/* The key of a check's own time (converged's `by`, outage's `after`), or NULL. */
static const char *expect_after_key(ExpectKind kind)
{
  return kind == EXPECT_CONVERGED ? "by" : kind == EXPECT_OUTAGE ? "after" : NULL;
}

static gboolean expect_check_at(SchemaCtx *cx, const YNode *item, const ExpectDraft *d)
{
  const char *after = expect_after_key(check_kinds[d->check]);
  SimTime stop = loader_of(cx)->sc->stop;
  gboolean at = (d->given & EXPECT_GIVEN_AT) != 0;
  char *late = at ? expect_late(d->e.at, stop, "stop") : after ? expect_late(d->e.after, stop, "stop") : NULL;
  if (!late)
    return TRUE;
  gsize mark = schema_path_push_key(cx, at ? "at" : check_keys[d->check]);
  if (!at)
    schema_path_push_key(cx, after);
  schema_error(cx, at ? ynode_map_get(item, "at") : ynode_map_get(ynode_map_get(item, check_keys[d->check]), after),
               "%s", late);
  schema_path_pop(cx, mark);
  g_free(late);
  return FALSE;
}

/* Reports each check whose `at` is after `stop` (given by --stop, after
 * loading), at the check's place in the file; FALSE when there is one. */
gboolean scenario_check_stop(const Scenario *sc, SimTime stop, DiagList *diags)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < sc->expects->len; i++) {
    const ScenarioExpect *e = &g_array_index(sc->expects, ScenarioExpect, i);
    const char *key = expect_after_key(e->kind);
    SimTime when = key ? e->after : e->at;
    char *late = when >= 0 ? expect_late(when, stop, "--stop") : NULL;
    if (late)
      diag_add(diags, DIAG_ERROR, e->mark.line, e->mark.column, "expect[%u] (%s): %s: %s", i, e->text, key ? key : "at",
               late);
    ok = ok && !late;
    g_free(late);
  }
  return ok;
}

/* Appends node names, "*" for -1. */
static void expect_append_nodes(GString *out, const Scenario *sc, const GArray *nodes)
{
  for (guint i = 0; i < nodes->len; i++) {
    int n = g_array_index(nodes, int, i);
    g_string_append_printf(out, "%s%s", i ? " " : "", n < 0 ? "*" : scenario_node(sc, n)->name);
  }
}

/* The text of a key of the check's mapping, as written. */
static const char *expect_written(const YNode *check_value, const char *key)
{
  const YNode *v = ynode_map_get(check_value, key);
  return v && v->type == YNODE_SCALAR ? v->text : "?";
}

/* The words of an app's bound check: "loss of probe <= 10%". */
static void expect_bound_text(GString *s, const Scenario *sc, const ExpectDraft *d)
{
  static const char *const formats[] = {
      [CHECK_LOSS] = "loss of %s %s",
      [CHECK_DELIVERED] = "%s delivered %s",
      [CHECK_GOODPUT] = "goodput of %s %s",
      [CHECK_FINISHED] = "%s finished %s",
  };
  g_string_printf(s, formats[d->check], scenario_app(sc, d->e.app)->name, d->e.bound.text);
}

/* "route r1 10.1.3.0/24 via r2, r3 protocol ospf metric 20". */
static void expect_route_text(GString *s, const Scenario *sc, const ScenarioExpect *e, const YNode *v)
{
  static const char *const protocols[] = {"connected", "static", "auto", "rip", "ospf"};
  const YNode *via = ynode_map_get(v, "via");
  g_string_printf(s, "route %s %s via ", scenario_node(sc, e->node)->name, expect_written(v, "to"));
  for (guint i = 0; via && via->type == YNODE_SEQ && i < via->n; i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", via->items[i]->text);
  if (!via || via->type != YNODE_SEQ)
    g_string_append(s, expect_written(v, "via"));
  if (e->protocol >= 0)
    g_string_append_printf(s, " protocol %s", protocols[e->protocol]);
  if (e->metric >= 0)
    g_string_append_printf(s, " metric %" G_GINT64_FORMAT, e->metric);
}

/* "stp s2 eth1 alternate blocking", "stp s2 root s1". */
static void expect_stp_text(GString *s, const Scenario *sc, const ScenarioExpect *e)
{
  const ScenarioNode *node = scenario_node(sc, e->node);
  g_string_printf(s, "stp %s", node->name);
  if (e->stp_port >= 0)
    g_string_append_printf(s, " %s", g_array_index(node->ifaces, ScenarioIface, e->stp_port).name);
  if (e->stp_role >= 0)
    g_string_append_printf(s, " role %s", stp_role_names[e->stp_role]);
  if (e->stp_state >= 0)
    g_string_append_printf(s, " state %s", stp_state_names[e->stp_state]);
  if (e->stp_root >= 0)
    g_string_append_printf(s, " root %s", scenario_node(sc, e->stp_root)->name);
}

static void expect_exec_text(GString *s, const ScenarioExpect *e);

/* The words of converged, adjacency, outage, exec and stp checks. */
static void expect_state_text(GString *s, const Scenario *sc, const ScenarioExpect *e, const YNode *v)
{
  char *after = units_format_duration(e->after), *max = units_format_duration(e->max);
  const char *node = e->node >= 0 ? scenario_node(sc, e->node)->name : NULL;
  switch (e->kind) {
  case EXPECT_CONVERGED:
    g_string_printf(s, "converged by %s", after);
    break;
  case EXPECT_ADJACENCY:
    g_string_printf(s, "adjacency %s -> %s %s", node, expect_written(v, "neighbor"),
                    ospf_nbr_state_names[e->nbr_state]);
    break;
  case EXPECT_EXEC:
    expect_exec_text(s, e);
    break;
  case EXPECT_STP:
    expect_stp_text(s, sc, e);
    break;
  default:
    g_string_printf(s, "outage %s -> %s after %s (max %s)", node, expect_written(v, "to"), after, max);
    break;
  }
  g_free(after);
  g_free(max);
}

/* "never drop ttl-expired at r1", "queue-full drops at s1 > 1000". */
static void expect_drop_text(GString *s, const ScenarioExpect *e, const char *node, gboolean never)
{
  if (never)
    g_string_printf(s, "never drop %s%s%s", e->drop, node ? " at " : "", node ? node : "");
  else
    g_string_printf(s, "%s drops%s%s %s", e->drop, node ? " at " : "", node ? node : "", e->bound.text);
}

/* "command ping exits 0 and its output matches /5 received/". */
static void expect_exec_text(GString *s, const ScenarioExpect *e)
{
  g_string_printf(s, "command %s", e->exec);
  if (e->status >= 0)
    g_string_append_printf(s, " exits %d", e->status);
  if (e->output)
    g_string_append_printf(s, "%s /%s/", e->status >= 0 ? " and its output matches" : " output matches", e->output);
}

/* The check in words, for the run's report. */
static char *expect_text(const Scenario *sc, const ExpectDraft *d, const YNode *v)
{
  const ScenarioExpect *e = &d->e;
  const char *node = e->node >= 0 ? scenario_node(sc, e->node)->name : NULL;
  GString *s = g_string_new(NULL);
  switch ((ExpectCheck)d->check) {
  case CHECK_LOSS:
  case CHECK_DELIVERED:
  case CHECK_GOODPUT:
  case CHECK_FINISHED:
    expect_bound_text(s, sc, d);
    break;
  case CHECK_HOPS:
    g_string_printf(s, "hops of %s are ", scenario_app(sc, e->app)->name);
    expect_append_nodes(s, sc, e->nodes);
    break;
  case CHECK_REACH:
  case CHECK_UNREACH:
    if (e->both)
      g_string_printf(s, "%s and %s reach each other", node, expect_written(v, "to"));
    else
      g_string_printf(s, "%s %s %s", node, e->reachable ? "reaches" : "does not reach", expect_written(v, "to"));
    break;
  case CHECK_ROUTE:
    expect_route_text(s, sc, e, v);
    break;
  case CHECK_PATH:
    g_string_printf(s, "path %s -> %s is ", node, expect_written(v, "to"));
    expect_append_nodes(s, sc, e->nodes);
    break;
  case CHECK_NEVER:
  case CHECK_DROPS:
    expect_drop_text(s, e, node, d->check == CHECK_NEVER);
    break;
  case CHECK_REACHED:
    g_string_printf(s, "%s reached %s", scenario_app(sc, e->app)->name, tcp_state_name((TcpState)e->tcp_state));
    break;
  case CHECK_CONVERGED:
  case CHECK_ADJACENCY:
  case CHECK_OUTAGE:
  case CHECK_EXEC:
  case CHECK_STP:
    expect_state_text(s, sc, e, v);
    break;
  }
  return g_string_free(s, FALSE);
}

/* Reads expect[i]; appends it to Scenario.expects when valid. */
static void expect_read(SchemaCtx *cx, const YNode *item)
{
  if (!schema_expect(cx, item, YNODE_MAP, "a mapping describing an expectation"))
    return;
  ExpectDraft d = {0};
  d.e = (ScenarioExpect){.mark = scenario_mark_of(item),
                         .at = -1,
                         .app = -1,
                         .node = -1,
                         .dst_node = -1,
                         .via_node = -1,
                         .protocol = -1,
                         .metric = -1,
                         .neighbor = -1,
                         .nbr_state = OSPF_NBR_FULL,
                         .status = -1,
                         .after = -1};
  gboolean *drop = g_new0(gboolean, item->n + 1);
  d.check = expect_find_check(cx, item, drop);
  if (d.check >= 0)
    expect_check_companions(cx, item, d.check, drop);
  YNode *own = scenario_map_without(item, drop);
  gboolean ok = schema_apply(cx, &expect_schema, own, &d) && d.check >= 0;
  scenario_map_without_free(own);
  g_free(drop);
  if (ok && expect_check_app(cx, item, &d) && expect_check_both(cx, item, &d) && expect_check_at(cx, item, &d)) {
    d.e.kind = check_kinds[d.check];
    d.e.check = check_keys[d.check];
    d.e.reachable = d.check == CHECK_REACH;
    d.e.text = expect_text(loader_of(cx)->sc, &d, ynode_map_get(item, check_keys[d.check]));
    g_array_append_val(loader_of(cx)->sc->expects, d.e);
    return;
  }
  g_free(d.e.bound.text);
  if (d.e.nodes)
    g_array_free(d.e.nodes, TRUE);
  g_free(d.e.drop);
  g_free(d.e.exec);
  g_free(d.e.output);
}

/* `expect:` in the first pass: kept until nodes and apps are known. */
gboolean scenario_parse_expect(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of expectations"))
    return FALSE;
  loader_of(cx)->expect = value;
  return TRUE;
}

/* Reads the `expect` list into Scenario.expects. */
void scenario_read_expect(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  if (!ld->expect)
    return;
  scenario_path_set(cx, "expect");
  for (guint i = 0; i < ld->expect->n && !diag_full(cx->diags); i++) {
    gsize mark = schema_path_push_index(cx, i);
    expect_read(cx, ld->expect->items[i]);
    schema_path_pop(cx, mark);
  }
}

/* ---- stp: a switch's spanning tree at a moment ---- */

static gboolean expect_parse_stp_switch(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_stp_port(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_stp_role(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_stp_state(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean expect_parse_stp_root(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField stp_check_fields[] = {
    {"node", expect_parse_stp_switch, offsetof(ScenarioExpect, node), 0, TRUE},
    {"port", expect_parse_stp_port, 0, 0, FALSE},
    {"role", expect_parse_stp_role, offsetof(ScenarioExpect, stp_role), 0, FALSE},
    {"state", expect_parse_stp_state, offsetof(ScenarioExpect, stp_state), 0, FALSE},
    {"root", expect_parse_stp_root, offsetof(ScenarioExpect, stp_root), 0, FALSE},
};
static const Schema stp_check_schema = {"a spanning-tree check", stp_check_fields, G_N_ELEMENTS(stp_check_fields),
                                        SCHEMA_NO_GIVEN};

/* A switch running a spanning tree; stores its index. */
static gboolean expect_parse_stp_switch(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_node(cx, value);
  if (n < 0)
    return FALSE;
  const ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
  if (node->kind != NODE_KIND_SWITCH || node->stp.mode == STP_MODE_OFF) {
    schema_error(cx, value, "%s runs no spanning tree; an stp check is of a switch with 'stp: stp'", node->name);
    return FALSE;
  }
  *(int *)dest = n;
  return TRUE;
}

/* `port`: read once `node` is known (expect_parse_stp). */
static gboolean expect_parse_stp_port(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  return schema_expect(cx, value, YNODE_SCALAR, "an interface name of the switch");
}

static gboolean expect_parse_stp_role(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_word(cx, value, stp_role_names, STP_ROLE_COUNT, "port role", dest);
}

static gboolean expect_parse_stp_state(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_word(cx, value, stp_state_names, STP_STATE_COUNT, "port state", dest);
}

static gboolean expect_parse_stp_root(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_node(cx, value);
  if (n < 0)
    return FALSE;
  const ScenarioNode *node = scenario_node(loader_of(cx)->sc, n);
  if (node->kind != NODE_KIND_SWITCH || node->stp.mode == STP_MODE_OFF) {
    schema_error(cx, value, "%s runs no spanning tree; the root is a switch with 'stp: stp'", node->name);
    return FALSE;
  }
  *(int *)dest = n;
  return TRUE;
}

/* `stp: { node, port, role, state }` or `stp: { node, root }`. */
static gboolean expect_parse_stp(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioExpect *e = dest;
  e->stp_port = e->stp_role = e->stp_state = e->stp_root = -1; /* not given */
  if (!schema_expect(cx, value, YNODE_MAP, "a mapping with node, and port with role or state, or root") ||
      !schema_apply(cx, &stp_check_schema, value, dest))
    return FALSE;
  const YNode *port = ynode_map_get(value, "port");
  if (port) {
    gsize mark = schema_path_push_key(cx, "port");
    e->stp_port = scenario_lookup_iface(cx, port, e->node, port->text);
    schema_path_pop(cx, mark);
    if (e->stp_port < 0)
      return FALSE;
  }
  if ((e->stp_role >= 0 || e->stp_state >= 0) && !port) {
    schema_error(cx, value, "a port's role or state needs the key 'port'");
    return FALSE;
  }
  if (e->stp_role < 0 && e->stp_state < 0 && e->stp_root < 0) {
    schema_error(cx, value, "an stp check needs 'role' or 'state' (with 'port'), or 'root'");
    return FALSE;
  }
  return TRUE;
}
