/*
 * Evaluating `expect:`. Each check becomes a Check holding its verdict,
 * what was found, and evidence lines. Timed checks run as events at their
 * time (after what was scheduled before the run at that same time, such as
 * link events); the others run when expect_finish() is called after the run.
 * `converged` runs at its `by` (the tables against spf_check()'s shortest
 * paths) and again just before the next event or at the end (no route
 * change in between); `outage` polls reach every EXPECT_OUTAGE_STEP from
 * its `after` until `after + max + EXPECT_OUTAGE_TAIL` (or the end).
 *
 * Entry points: expect_validate(), expect_new(), expect_finish(),
 * expect_count(), expect_outcome(), expect_json(), expect_print_measures(),
 * expect_free().
 */
#include "sim/build/expect.h"

#include "models/app/app.h"
#include "models/observe/forward_walk.h"
#include "models/internet/ipv4.h"
#include "models/link/stp.h"
#include "models/link/switch.h"
#include "models/transport/tcp.h"
#include "models/routing/ospf.h"
#include "sim/build/spf_check.h"
#include "sim/text/addr.h"
#include "sim/text/json.h"
#include "sim/text/units.h"

#define EXPECT_OUTAGE_STEP SIMTIME_MS(10)
#define EXPECT_OUTAGE_TAIL SIMTIME_S(10)
#define EXPECT_MAX_PROBLEMS 20 /* disagreements of `converged` shown as evidence */

typedef struct {
  const ScenarioExpect *conf;
  Expect *ex;
  gboolean done, ok;
  char *found;
  char *wanted;        /* what it expected in words, set by expect_finish() */
  GPtrArray *evidence; /* of char* */
  /* converged: the first part done at `by`, its disagreements, the changes counted then */
  gboolean started;
  guint disagree;
  uint64_t changes;
  /* outage: the failure under way (-1: none), the longest one and when it ended */
  SimTime fail_start, longest, longest_start, last_sample;
  gboolean longest_open;
} Check;

static void check_evidence(Check *c, char *line);

/* How a Linux host's command ended (expect_exec_result()). */
typedef struct {
  char *how;    /* "exit 0", "signal 15", "not started" */
  int status;   /* its exit status, -1 when it did not exit */
  char *output; /* what it printed */
} ExecResult;

struct Expect {
  Network *net;
  const Scenario *sc_events; /* for the events' times */
  const Scenario *sc;
  GArray *checks;    /* of Check */
  GHashTable *execs; /* command name -> ExecResult*, from the emulation */
};

static void expect_exec_free(gpointer p)
{
  ExecResult *r = p;
  g_free(r->how);
  g_free(r->output);
  g_free(r);
}

/* Records how the command `name` of a Linux host ended, for its checks:
 * `status` its exit status (-1: it did not exit), `how` in words, `output`
 * what it printed. */
void expect_exec_result(Expect *ex, const char *name, int status, const char *how, const char *output)
{
  ExecResult *r = g_new0(ExecResult, 1);
  r->how = g_strdup(how);
  r->status = status;
  r->output = g_strdup(output ? output : "");
  g_hash_table_replace(ex->execs, g_strdup(name), r);
}

/* The last lines (at most 5) of a command's output as evidence. */
static void expect_exec_evidence(Check *c, const char *output)
{
  char **lines = g_strsplit(output, "\n", -1);
  guint n = g_strv_length(lines);
  while (n && !*lines[n - 1])
    n--;
  for (guint i = n > 5 ? n - 5 : 0; i < n; i++)
    check_evidence(c, g_strdup_printf("output: %s", lines[i]));
  g_strfreev(lines);
}

static void expect_exec(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  const ExecResult *r = g_hash_table_lookup(c->ex->execs, e->exec);
  (void)net;
  if (!r) {
    c->found = g_strdup("the command did not run");
    return;
  }
  gboolean status_ok = e->status < 0 || r->status == e->status;
  gboolean output_ok = !e->output || g_regex_match_simple(e->output, r->output, G_REGEX_MULTILINE, 0);
  c->ok = status_ok && output_ok;
  c->found = g_strdup_printf("%s%s", r->how, output_ok ? "" : ", output not matching");
  if (!c->ok)
    expect_exec_evidence(c, r->output);
}

/* Checks what the loader cannot: the names of drop reasons. */
gboolean expect_validate(const Scenario *sc, DiagList *diags)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < sc->expects->len; i++) {
    const ScenarioExpect *e = &g_array_index(sc->expects, ScenarioExpect, i);
    DropReason r;
    if ((e->kind != EXPECT_NEVER_DROP && e->kind != EXPECT_DROPS) || drop_reason_parse(e->drop, &r))
      continue;
    const char *const *names = drop_reason_names();
    char *near = diag_suggest(e->drop, names, DROP_REASON_COUNT);
    char *all = g_strjoinv(", ", (char **)names);
    if (near)
      diag_add(diags, DIAG_ERROR, e->mark.line, e->mark.column,
               "expect[%u]: unknown drop reason '%s'; did you mean '%s'?", i, e->drop, near);
    else
      diag_add(diags, DIAG_ERROR, e->mark.line, e->mark.column,
               "expect[%u]: unknown drop reason '%s'; expected one of %s", i, e->drop, all);
    g_free(all);
    g_free(near);
    ok = FALSE;
  }
  return ok;
}

static gboolean expect_bound_holds(const ScenarioBound *b, double v)
{
  switch (b->op) {
  case CMP_EQ:
    return v == b->value;
  case CMP_NE:
    return v != b->value;
  case CMP_LT:
    return v < b->value;
  case CMP_LE:
    return v <= b->value;
  case CMP_GT:
    return v > b->value;
  case CMP_GE:
    return v >= b->value;
  }
  return FALSE;
}

static void check_evidence(Check *c, char *line)
{
  g_ptr_array_add(c->evidence, line);
}

/* Adds the first kept drops (of every reason, or of one) as evidence. */
static void check_drop_evidence(Check *c, const Network *net, int only, const char *node)
{
  for (int r = 0; r < DROP_REASON_COUNT && c->evidence->len < 6; r++) {
    if (only >= 0 && r != only)
      continue;
    for (guint i = 0; i < net->drop_evidence[r]->len; i++) {
      const char *line = g_ptr_array_index(net->drop_evidence[r], i);
      const char *name = strchr(line, ' ');
      if (node && !(name && g_str_has_prefix(name + 1, node) && name[1 + strlen(node)] == ' '))
        continue;
      check_evidence(c, g_strdup(line));
    }
  }
}

static App *expect_app(const Network *net, const ScenarioExpect *e)
{
  return g_ptr_array_index(net->apps, (guint)e->app);
}

static void expect_app_loss(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  if (app->sent == 0) {
    c->found = g_strdup("no echo request was sent");
    return;
  }
  double loss = 1.0 - (double)app->received / (double)app->sent;
  c->ok = expect_bound_holds(&c->conf->bound, loss);
  c->found = g_strdup_printf("%g%% loss (%" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " received)", loss * 100,
                             app->sent, app->received);
  if (!c->ok)
    check_drop_evidence(c, net, -1, NULL);
}

/* The flow of an app's data, or NULL when it sent nothing. */
static const Flow *expect_app_flow(const Network *net, const App *app)
{
  return app->has_flow ? flow_find(net->ctx.flows, &app->flow) : NULL;
}

/* Adds the app's flow figures (lost, retransmitted) as evidence. */
static void check_flow_evidence(Check *c, const Flow *f)
{
  char src[ADDR_IPV4_TEXT], dst[ADDR_IPV4_TEXT];
  if (!f)
    return;
  check_evidence(c, g_strdup_printf("flow %s %s:%u > %s:%u: %" G_GUINT64_FORMAT " %s sent, %" G_GUINT64_FORMAT
                                    " received, %" G_GUINT64_FORMAT " lost, %" G_GUINT64_FORMAT " retransmitted",
                                    f->key.proto == 6 ? "tcp" : "udp", addr_format_ipv4(f->key.src, src), f->key.sport,
                                    addr_format_ipv4(f->key.dst, dst), f->key.dport, f->tx_packets,
                                    units_plural(f->tx_packets, "packet", "packets"), f->rx_packets, f->lost_packets,
                                    f->retransmitted));
}

/* The flow the other way (TCP's ACKs, an echo's replies), or NULL. */
static const Flow *expect_reverse_flow(const Network *net, const Flow *f)
{
  if (!f)
    return NULL;
  FlowKey back = {
      .src = f->key.dst, .dst = f->key.src, .sport = f->key.dport, .dport = f->key.sport, .proto = f->key.proto};
  return flow_find(net->ctx.flows, &back);
}

/* The time of a trace line ("12.000345000 h1 ..."), in ns. */
static SimTime expect_line_time(const char *line)
{
  char *end = NULL;
  gint64 s = g_ascii_strtoll(line, &end, 10);
  return s * 1000000000 + (*end == '.' ? g_ascii_strtoll(end + 1, NULL, 10) : 0);
}

static guint expect_drop_lines(const Flow *f)
{
  return f && f->drop_lines ? f->drop_lines->len : 0;
}

/* Adds the kept losses of two flows (each in time order) merged in time order. */
static void check_flows_drop_evidence(Check *c, const Flow *a, const Flow *b)
{
  guint i = 0, j = 0, na = expect_drop_lines(a), nb = expect_drop_lines(b);
  while (i < na || j < nb) {
    gboolean from_a = j >= nb || (i < na && expect_line_time(g_ptr_array_index(a->drop_lines, i)) <=
                                                expect_line_time(g_ptr_array_index(b->drop_lines, j)));
    const char *line = from_a ? g_ptr_array_index(a->drop_lines, i++) : g_ptr_array_index(b->drop_lines, j++);
    check_evidence(c, g_strdup(line));
  }
}

/* The evidence of an app's check: its flow's figures, those of the flow
 * back, and the first losses of the app's own packets, in time order
 * (never another app's drops). */
static void check_app_evidence(Check *c, const Network *net, const App *app)
{
  const Flow *f = expect_app_flow(net, app), *back = expect_reverse_flow(net, f);
  check_flow_evidence(c, f);
  check_flow_evidence(c, back);
  check_flows_drop_evidence(c, f, back);
}

static void expect_flow_delivered(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  const Flow *flow = expect_app_flow(net, app);
  gboolean tcp = flow && flow->key.proto == 6;
  uint64_t sent = flow ? flow->tx_packets : 0, got = flow ? flow->rx_packets : 0;
  if (c->conf->bound.percent && sent == 0) {
    c->found = g_strdup_printf("no %s was sent", app->conf->kind == APP_BULK ? "segment" : "datagram");
    return;
  }
  double value = c->conf->bound.percent ? (double)got / (double)sent : (double)got;
  c->ok = expect_bound_holds(&c->conf->bound, value);
  const char *what = tcp ? units_plural(sent, "segment", "segments") : units_plural(sent, "datagram", "datagrams");
  c->found = g_strdup_printf("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " %s delivered (%g%%)", got, sent, what,
                             sent ? 100.0 * (double)got / (double)sent : 0.0);
  if (!c->ok) {
    check_app_evidence(c, net, app);
  }
}

/* Goodput: the application bytes the app moved, over its time. */
static void expect_app_goodput(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  if (app->goodput_time <= 0) {
    c->found = g_strdup_printf("no goodput (%" G_GUINT64_FORMAT " bytes moved)", app->goodput_bytes);
  } else {
    double bps = (double)app->goodput_bytes * 8e9 / (double)app->goodput_time;
    char *time = units_format_duration(app->goodput_time);
    c->ok = expect_bound_holds(&c->conf->bound, bps);
    c->found = g_strdup_printf("%.6gMbps (%" G_GUINT64_FORMAT " bytes in %s)", bps / 1e6, app->goodput_bytes, time);
    g_free(time);
  }
  if (!c->ok) {
    check_app_evidence(c, net, app);
  }
}

/* Finished: when the app completed its work (App.done_at), against a time bound. */
static void expect_app_finished(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  char *at = units_format_duration(app->done_at >= 0 ? app->done_at : scheduler_now(net->ctx.sched));
  if (app->done_at < 0) {
    c->found = g_strdup_printf("not finished when the run ended at %s", at);
  } else {
    c->ok = expect_bound_holds(&c->conf->bound, (double)app->done_at);
    c->found = g_strdup_printf("finished at %s", at);
  }
  g_free(at);
  if (!c->ok) {
    check_app_evidence(c, net, app);
  }
}

/* Reached: one of the app's connections entered the state (App.tcp_states). */
static void expect_app_reached(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  GString *found = g_string_new(NULL);
  c->ok = (app->tcp_states & (1u << c->conf->tcp_state)) != 0;
  for (int s = 0; s < TCP_STATE_COUNT; s++)
    if (app->tcp_states & (1u << s))
      g_string_append_printf(found, "%s%s", found->len ? " " : "entered ", tcp_state_name((TcpState)s));
  c->found = found->len ? g_string_free(found, FALSE) : (g_string_free(found, TRUE), g_strdup("no connection"));
  if (!c->ok) {
    check_app_evidence(c, net, app);
  }
}

/* A node's name for an address, or the address itself. */
static char *expect_addr_name(const Network *net, uint32_t addr)
{
  char text[ADDR_IPV4_TEXT];
  Node *node = network_find_node_by_addr(net, addr, NULL);
  return g_strdup(node ? node->name : addr_format_ipv4(addr, text));
}

/* Appends the names in `nodes` (indices, -1 as "*") to `out`. */
static void expect_append_names(GString *out, const Network *net, const GArray *nodes)
{
  for (guint i = 0; i < nodes->len; i++) {
    int n = g_array_index(nodes, int, i);
    g_string_append_printf(out, "%s%s", i ? " " : "", n < 0 ? "*" : network_node(net, (guint)n)->name);
  }
}

/* The responder of one traceroute hop: the first answer, as a node index (-1 if none). */
static int expect_hop_node(const Network *net, const AppHop *hop, GString *found)
{
  for (guint q = 0; q < G_N_ELEMENTS(hop->addr); q++)
    if (hop->addr[q]) {
      char *name = expect_addr_name(net, hop->addr[q]);
      g_string_append(found, name);
      g_free(name);
      Node *node = network_find_node_by_addr(net, hop->addr[q], NULL);
      return node ? (int)node->index : -2;
    }
  g_string_append(found, "*");
  return -1;
}

static void expect_app_hops(Check *c, Network *net)
{
  App *app = expect_app(net, c->conf);
  GString *found = g_string_new(NULL);
  guint n = app->hops ? app->hops->len : 0;
  c->ok = n == c->conf->nodes->len;
  for (guint i = 0; i < n; i++) {
    if (i)
      g_string_append_c(found, ' ');
    int node = expect_hop_node(net, &g_array_index(app->hops, AppHop, i), found);
    if (i < c->conf->nodes->len && node != g_array_index(c->conf->nodes, int, i))
      c->ok = FALSE;
  }
  c->found = n ? g_string_free(found, FALSE) : (g_string_free(found, TRUE), g_strdup("no hop was probed"));
}

static void expect_walk_evidence(Check *c, const Walk *walk)
{
  for (guint i = 0; i < walk->lines->len; i++)
    check_evidence(c, g_strdup(g_ptr_array_index(walk->lines, i)));
}

/* Walks from `from` to `dst`; TRUE when it gets there. With `label`, the
 * evidence says which way the lines are about. */
static gboolean expect_walk_to(Check *c, Network *net, Node *from, uint32_t dst, const char *label, WalkEnd *end)
{
  Walk walk;
  forward_walk(net, from, dst, &walk);
  if (label)
    check_evidence(c, g_strdup_printf("%s:", label));
  expect_walk_evidence(c, &walk);
  *end = walk.end;
  forward_walk_clear(&walk);
  return walk.end == WALK_REACHED;
}

/* `reach` one way, or with `both` also the way back: from the destination
 * node to the address that `from` sends from towards it. */
static void expect_reach(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  Node *from = network_node(net, (guint)e->node);
  WalkEnd end;
  if (!e->both) {
    c->ok = expect_walk_to(c, net, from, e->dst, NULL, &end) == e->reachable;
    c->found = g_strdup(end == WALK_REACHED ? "reachable" : forward_walk_end_text(end));
    return;
  }
  char there[ADDR_IPV4_TEXT], back[ADDR_IPV4_TEXT];
  Node *to = e->dst_node >= 0 ? network_node(net, (guint)e->dst_node) : network_find_node_by_addr(net, e->dst, NULL);
  uint32_t src = ipv4_source_for(from, e->dst);
  char *way = g_strdup_printf("the way there, %s to %s", from->name, addr_format_ipv4(e->dst, there));
  char *way_back = g_strdup_printf("the way back, %s to %s", to ? to->name : there, addr_format_ipv4(src, back));
  gboolean ok_there = expect_walk_to(c, net, from, e->dst, way, &end);
  const char *end_there = forward_walk_end_text(end);
  gboolean ok_back = to && src && expect_walk_to(c, net, to, src, way_back, &end);
  const char *end_back = !to ? "no node has the address" : !src ? "no source address" : forward_walk_end_text(end);
  c->ok = ok_there && ok_back;
  if (c->ok)
    c->found = g_strdup("reachable both ways");
  else if (ok_there || ok_back)
    c->found =
        g_strdup_printf("reachable one way only; %s: %s", ok_there ? way_back : way, ok_there ? end_back : end_there);
  else
    c->found = g_strdup_printf("%s: %s; %s: %s", way, end_there, way_back, end_back);
  g_free(way);
  g_free(way_back);
}

static void expect_path(Check *c, Network *net)
{
  Walk walk;
  forward_walk(net, network_node(net, (guint)c->conf->node), c->conf->dst, &walk);
  GString *found = g_string_new(NULL);
  c->ok = walk.end == WALK_REACHED && walk.hops->len == c->conf->nodes->len;
  for (guint i = 0; i < walk.hops->len; i++) {
    Node *hop = g_ptr_array_index(walk.hops, i);
    g_string_append_printf(found, "%s%s", i ? " " : "", hop->name);
    if (i < c->conf->nodes->len && (int)hop->index != g_array_index(c->conf->nodes, int, i))
      c->ok = FALSE;
  }
  if (walk.end != WALK_REACHED)
    g_string_append_printf(found, "%s(%s)", walk.hops->len ? " " : "", forward_walk_end_text(walk.end));
  c->found = g_string_free(found, FALSE);
  expect_walk_evidence(c, &walk);
  forward_walk_clear(&walk);
}

/* Describes a route as "via r3 (10.1.13.3 dev eth1, static metric 1)". */
static char *expect_route_text(const Network *net, const Route *r)
{
  char gw[ADDR_IPV4_TEXT];
  if (!r)
    return g_strdup("no route");
  if (!r->gateway)
    return g_strdup_printf("direct (dev %s, %s metric %u)", r->iface->name, route_origin_name(r->origin), r->metric);
  char *name = expect_addr_name(net, r->gateway);
  char *text = g_strdup_printf("via %s (%s dev %s, %s metric %u)", name, addr_format_ipv4(r->gateway, gw),
                               r->iface->name, route_origin_name(r->origin), r->metric);
  g_free(name);
  return text;
}

static gboolean expect_route_matches(const Network *net, const ScenarioExpect *e, const Route *r)
{
  if (e->via_none)
    return r == NULL;
  if (!r)
    return FALSE;
  if (e->via_direct)
    return r->gateway == 0;
  if (e->via_addr)
    return r->gateway == e->via_addr;
  Node *via = r->gateway ? network_find_node_by_addr(net, r->gateway, NULL) : NULL;
  return via && (int)via->index == e->via_node;
}

/* Lists, as evidence, every route of `node` that covers the prefix, with
 * the state of its interface: the candidates the lookup chose from. */
static void expect_route_candidates(Check *c, const Network *net, const Node *node, Ipv4Prefix prefix)
{
  const GArray *routes = route_table_routes(node->ip->routes);
  char pfx[ADDR_CIDR_TEXT];
  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->len > prefix.len || (prefix.addr & addr_mask(r->len)) != r->prefix)
      continue;
    char *text = expect_route_text(net, r);
    check_evidence(c, g_strdup_printf("%s: route %s %s, %s %s", node->name, addr_format_cidr(r->prefix, r->len, pfx),
                                      text, r->iface->name, r->iface->up ? "up" : "down"));
    g_free(text);
  }
}

/* TRUE when the route's gateway is the next hop `via` (its node's or the address). */
static gboolean expect_via_is(const Network *net, const ScenarioVia *via, const Route *r)
{
  if (via->addr)
    return r->gateway == via->addr;
  Node *holder = r->gateway ? network_find_node_by_addr(net, r->gateway, NULL) : NULL;
  return holder && (int)holder->index == via->node;
}

/* TRUE when paths[0..n) go exactly through the check's multipath set. */
static gboolean expect_set_matches(const Network *net, const ScenarioExpect *e, const Route *const *paths, guint n)
{
  if (n != e->n_via_set)
    return FALSE;
  for (guint v = 0; v < e->n_via_set; v++) {
    gboolean seen = FALSE;
    for (guint i = 0; i < n && !seen; i++)
      seen = expect_via_is(net, &e->via_set[v], paths[i]);
    if (!seen)
      return FALSE;
  }
  return TRUE;
}

/* The routes paths[0..n) in words, ", " between. */
static char *expect_paths_text(const Network *net, const Route *const *paths, guint n)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < MAX(n, 1u); i++) {
    char *one = expect_route_text(net, n ? paths[i] : NULL);
    g_string_append_printf(s, "%s%s", i ? ", " : "", one);
    g_free(one);
  }
  return g_string_free(s, FALSE);
}

static void expect_route(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  Node *node = network_node(net, (guint)e->node);
  const Route *paths[ROUTE_MAX_PATHS];
  ipv4_route(node, e->prefix.addr); /* brings automatic routes up to date, as a packet would */
  guint n = route_paths_prefix(node->ip->routes, e->prefix.addr, e->prefix.len, paths, ROUTE_MAX_PATHS);
  const Route *r = n ? paths[0] : NULL;
  c->ok = e->n_via_set ? expect_set_matches(net, e, paths, n) : expect_route_matches(net, e, r);
  c->ok =
      c->ok && (e->protocol < 0 || (r && r->origin == e->protocol)) && (e->metric < 0 || (r && r->metric == e->metric));
  c->found = expect_paths_text(net, paths, n);
  if (!c->ok)
    expect_route_candidates(c, net, node, e->prefix);
}

/* Counts the drops of the check's reason at its node (or everywhere). */
static uint64_t expect_count_drops(const Network *net, const ScenarioExpect *e, DropReason *reason)
{
  *reason = DROP_REASON_COUNT;
  drop_reason_parse(e->drop, reason);
  g_return_val_if_fail(*reason < DROP_REASON_COUNT, 0);
  uint64_t count = 0;
  for (guint i = 0; i < net->nodes->len; i++) {
    Counters total;
    if (e->node >= 0 && (guint)e->node != i)
      continue;
    node_counters_total(network_node(net, i), &total);
    count += total.drops[*reason];
  }
  return count;
}

static void expect_drops(Check *c, Network *net)
{
  DropReason reason;
  uint64_t count = expect_count_drops(net, c->conf, &reason);
  c->ok = expect_bound_holds(&c->conf->bound, (double)count);
  c->found = g_strdup_printf("%" G_GUINT64_FORMAT " %s drop%s", count, c->conf->drop, count == 1 ? "" : "s");
}

static void expect_never_drop(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  DropReason reason;
  uint64_t count = expect_count_drops(net, e, &reason);
  c->ok = count == 0;
  c->found = g_strdup_printf("%" G_GUINT64_FORMAT " %s drop%s", count, e->drop, count == 1 ? "" : "s");
  if (count)
    check_drop_evidence(c, net, (int)reason, e->node >= 0 ? network_node(net, (guint)e->node)->name : NULL);
}

/* ---- converged, adjacency, outage -------------------------------------- */

/* The time of the first scenario event after `t`, or -1 when none. */
static SimTime expect_next_event(const Scenario *sc, SimTime t)
{
  for (guint i = 0; i < sc->events->len; i++)
    if (g_array_index(sc->events, ScenarioEvent, i).at > t)
      return g_array_index(sc->events, ScenarioEvent, i).at;
  return -1;
}

/* The end of converged's quiet window: "until 100s (the next event)". */
static char *expect_window_text(const Check *c, SimTime end)
{
  char *when = units_format_duration(end);
  gboolean event = expect_next_event(c->ex->sc_events, c->conf->after) >= 0;
  char *text = g_strdup_printf("%s (%s)", when, event ? "the next event" : "the end of the run");
  g_free(when);
  return text;
}

/* converged, second part: counts the route changes since `by`; settles the verdict. */
static void expect_converged_finish(Check *c, Network *net)
{
  uint64_t changes = net->ctx.route_changes - c->changes;
  SimTime end = network_now(net), next = expect_next_event(c->ex->sc_events, c->conf->after);
  char *until = expect_window_text(c, next >= 0 ? next : end), *by = units_format_duration(c->conf->after);
  GString *found = g_string_new(NULL);
  if (c->disagree)
    g_string_printf(found, "%u %s the shortest paths at %s", c->disagree,
                    c->disagree == 1 ? "route disagrees with" : "routes disagree with", by);
  if (changes) {
    char *last = units_format_duration(net->ctx.last_route_change);
    g_string_append_printf(found, "%s%" G_GUINT64_FORMAT " route %s from %s until %s, the last at %s",
                           found->len ? "; " : "", changes, changes == 1 ? "change" : "changes", by, until, last);
    g_free(last);
  }
  if (!found->len)
    g_string_printf(found, "every table agrees with the shortest paths at %s, and no route changed until %s", by,
                    until);
  c->ok = !c->disagree && !changes;
  c->found = g_string_free(found, FALSE);
  c->done = TRUE;
  g_free(until);
  g_free(by);
}

static void expect_converged_fire(void *obj, void *arg)
{
  (void)obj;
  Check *c = arg;
  if (!c->done)
    expect_converged_finish(c, c->ex->net);
}

/* converged, first part at `by`: the tables against the shortest paths;
 * schedules the second part just before the next event. */
static void expect_converged_start(void *obj, void *arg)
{
  Check *c = arg;
  Network *net = obj;
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  c->disagree = spf_check(net, c->ex->sc, problems);
  for (guint i = 0; i < problems->len && i < EXPECT_MAX_PROBLEMS; i++)
    check_evidence(c, g_strdup(g_ptr_array_index(problems, i)));
  if (problems->len > EXPECT_MAX_PROBLEMS)
    check_evidence(c, g_strdup_printf("... and %u more", problems->len - EXPECT_MAX_PROBLEMS));
  g_ptr_array_free(problems, TRUE);
  c->changes = net->ctx.route_changes;
  c->started = TRUE;
  SimTime next = expect_next_event(c->ex->sc_events, c->conf->after);
  if (next >= 0)
    scheduler_at(net->ctx.sched, next - 1, expect_converged_fire, net, c);
}

static void expect_adjacency(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  Node *node = network_node(net, (guint)e->node),
       *nbr = e->neighbor >= 0 ? network_node(net, (guint)e->neighbor) : NULL;
  if (!node->ospf || (nbr && !nbr->ospf)) {
    c->found = g_strdup_printf("%s runs no OSPF instance", node->ospf ? nbr->name : node->name);
    return;
  }
  uint32_t rid = nbr ? ospf_router_id(nbr->ospf) : e->nbr_rid;
  char id[ADDR_IPV4_TEXT];
  OspfNbrState st = ospf_neighbor_state(node->ospf, rid);
  c->ok = (int)st == e->nbr_state;
  c->found = g_strdup_printf("%s (router ID %s)", st < OSPF_NBR_STATE_COUNT ? ospf_nbr_state_names[st] : "?",
                             addr_format_ipv4(rid, id));
}

/* The last time outage polls. */
static SimTime expect_outage_end(const Check *c)
{
  return MIN(c->conf->after + c->conf->max + EXPECT_OUTAGE_TAIL, c->ex->net->stop);
}

/* Ends the failure under way at `t` (restored, or open at the end). */
static void expect_outage_close(Check *c, SimTime t, gboolean open)
{
  if (c->fail_start < 0)
    return;
  if (t - c->fail_start > c->longest) {
    c->longest = t - c->fail_start;
    c->longest_start = c->fail_start;
    c->longest_open = open;
  }
  c->fail_start = -1;
}

/* One sample of outage: does `from` reach `to` now? Schedules the next. */
static void expect_outage_sample(void *obj, void *arg)
{
  Network *net = obj;
  Check *c = arg;
  SimTime now = network_now(net);
  Walk walk;
  forward_walk(net, network_node(net, (guint)c->conf->node), c->conf->dst, &walk);
  gboolean reached = walk.end == WALK_REACHED;
  forward_walk_clear(&walk);
  c->last_sample = now;
  if (!reached && c->fail_start < 0)
    c->fail_start = now;
  else if (reached)
    expect_outage_close(c, now, FALSE);
  if (now + EXPECT_OUTAGE_STEP <= expect_outage_end(c))
    scheduler_at(net->ctx.sched, now + EXPECT_OUTAGE_STEP, expect_outage_sample, net, c);
}

/* The measured outage: "8.91s (max 12s)", or with the times of the longest failure. */
static char *expect_outage_measure(const Check *c)
{
  char *len = units_format_duration(c->longest), *max = units_format_duration(c->conf->max);
  char *text = g_strdup_printf("%s (max %s)", c->longest ? len : "0s", max);
  g_free(len);
  g_free(max);
  return text;
}

static void expect_outage(Check *c, Network *net)
{
  (void)net;
  expect_outage_close(c, c->last_sample, TRUE);
  char *measure = expect_outage_measure(c), *start = units_format_duration(c->longest_start);
  c->ok = c->last_sample >= 0 && c->longest <= c->conf->max;
  if (c->last_sample < 0)
    c->found = g_strdup("not polled: the run ended first");
  else if (!c->longest)
    c->found = g_strdup_printf("no outage: reachable at every sample, %s", measure);
  else
    c->found =
        g_strdup_printf("%s, from %s%s", measure, start, c->longest_open ? ", not restored by the last sample" : "");
  g_free(measure);
  g_free(start);
}

static void expect_converged(Check *c, Network *net)
{
  if (c->started)
    expect_converged_finish(c, net);
  else
    c->found = g_strdup("not evaluated: the run ended before 'by'");
}

/* ---- stp ---------------------------------------------------------------- */

/* The root `root` names: "s1 (8000.02:00:00:00:00:01)", or the bridge ID alone. */
static char *expect_stp_root_text(Network *net, StpBridgeId root)
{
  char id[24];
  stp_format_bridge_id(id, root);
  for (guint n = 0; n < net->nodes->len; n++) {
    Node *node = network_node(net, n);
    StpBridgeView v;
    if (!node->sw || !switch_stp(node->sw))
      continue;
    stp_bridge_view(switch_stp(node->sw), &v);
    if (v.bridge == root)
      return g_strdup_printf("%s (%s)", node->name, id);
  }
  return g_strdup(id);
}

/* A switch port's role and state, or the root its bridge has elected. */
static void expect_stp(Check *c, Network *net)
{
  const ScenarioExpect *e = c->conf;
  Stp *stp = switch_stp(network_node(net, (guint)e->node)->sw);
  StpBridgeView b;
  stp_bridge_view(stp, &b);
  c->ok = TRUE;
  GString *found = g_string_new(NULL);
  if (e->stp_port >= 0) {
    StpPortView p;
    stp_port_view(stp, (guint)e->stp_port, &p);
    c->ok = (e->stp_role < 0 || (int)p.role == e->stp_role) && (e->stp_state < 0 || (int)p.state == e->stp_state);
    g_string_append_printf(found, "%s role %s state %s", p.iface->name, stp_role_names[p.role],
                           stp_state_names[p.state]);
  }
  if (e->stp_root >= 0) {
    StpBridgeView w;
    stp_bridge_view(switch_stp(network_node(net, (guint)e->stp_root)->sw), &w);
    c->ok = c->ok && w.bridge == b.root;
    char *root = expect_stp_root_text(net, b.root);
    g_string_append_printf(found, "%sroot %s", found->len ? ", " : "", root);
    g_free(root);
  }
  c->found = g_string_free(found, FALSE);
}

/* Evaluates one check now. */
static void expect_evaluate(Check *c, Network *net)
{
  static void (*const eval[])(Check *, Network *) = {
      [EXPECT_APP_LOSS] = expect_app_loss,
      [EXPECT_APP_HOPS] = expect_app_hops,
      [EXPECT_FLOW_DELIVERED] = expect_flow_delivered,
      [EXPECT_REACH] = expect_reach,
      [EXPECT_ROUTE] = expect_route,
      [EXPECT_PATH] = expect_path,
      [EXPECT_NEVER_DROP] = expect_never_drop,
      [EXPECT_DROPS] = expect_drops,
      [EXPECT_APP_GOODPUT] = expect_app_goodput,
      [EXPECT_APP_FINISHED] = expect_app_finished,
      [EXPECT_APP_REACHED] = expect_app_reached,
      [EXPECT_CONVERGED] = expect_converged,
      [EXPECT_ADJACENCY] = expect_adjacency,
      [EXPECT_OUTAGE] = expect_outage,
      [EXPECT_EXEC] = expect_exec,
      [EXPECT_STP] = expect_stp,
  };
  if (c->done)
    return;
  eval[c->conf->kind](c, net);
  c->done = TRUE;
}

static void expect_fire(void *obj, void *arg)
{
  expect_evaluate(arg, ((Expect *)obj)->net);
}

static void expect_check_clear(gpointer p)
{
  Check *c = p;
  g_free(c->found);
  g_free(c->wanted);
  g_ptr_array_free(c->evidence, TRUE);
}

/* Prepares the checks of the network's scenario and schedules the timed ones. */
Expect *expect_new(Network *net, const Scenario *sc)
{
  Expect *ex = g_new0(Expect, 1);
  const GArray *confs = sc->expects;
  ex->net = net;
  ex->sc = sc;
  ex->sc_events = sc;
  ex->execs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, expect_exec_free);
  ex->checks = g_array_sized_new(FALSE, TRUE, sizeof(Check), confs->len);
  g_array_set_clear_func(ex->checks, expect_check_clear);
  g_array_set_size(ex->checks, confs->len);
  for (guint i = 0; i < confs->len; i++) {
    Check *c = &g_array_index(ex->checks, Check, i);
    c->conf = &g_array_index(confs, ScenarioExpect, i);
    c->ex = ex;
    c->evidence = g_ptr_array_new_with_free_func(g_free);
    c->fail_start = c->last_sample = -1;
  }
  for (guint i = 0; i < confs->len; i++) {
    Check *c = &g_array_index(ex->checks, Check, i);
    if (c->conf->at >= 0)
      scheduler_at(net->ctx.sched, c->conf->at, expect_fire, ex, c);
    else if (c->conf->kind == EXPECT_CONVERGED)
      scheduler_at(net->ctx.sched, c->conf->after, expect_converged_start, net, c);
    else if (c->conf->kind == EXPECT_OUTAGE)
      scheduler_at(net->ctx.sched, c->conf->after, expect_outage_sample, net, c);
  }
  return ex;
}

/* What the check expected, in words. */
static char *expect_wanted(const Network *net, const ScenarioExpect *e)
{
  GString *s = g_string_new(NULL);
  switch (e->kind) {
  case EXPECT_APP_LOSS:
  case EXPECT_FLOW_DELIVERED:
  case EXPECT_DROPS:
  case EXPECT_APP_GOODPUT:
    g_string_append(s, e->bound.text);
    break;
  case EXPECT_APP_FINISHED:
    g_string_append_printf(s, "finished %s", e->bound.text);
    break;
  case EXPECT_APP_REACHED:
    g_string_append_printf(s, "a connection in %s", tcp_state_name((TcpState)e->tcp_state));
    break;
  case EXPECT_APP_HOPS:
  case EXPECT_PATH:
    expect_append_names(s, net, e->nodes);
    break;
  default:
    g_string_append(s, e->text);
  }
  return g_string_free(s, FALSE);
}

guint expect_count(const Expect *ex)
{
  return ex->checks->len;
}

/* The outcome of check `i` (of expect_count()); call after expect_finish(). */
ExpectOutcome expect_outcome(const Expect *ex, guint i)
{
  const Check *c = &g_array_index(ex->checks, Check, i);
  return (ExpectOutcome){c->conf, c->ok, c->wanted ? c->wanted : "", c->found ? c->found : "(not evaluated)",
                         c->evidence};
}

static void expect_report_failure(const Expect *ex, const ExpectOutcome *o, FILE *out)
{
  const ScenarioExpect *e = o->conf;
  fprintf(out, "%s:%d:%d: expect failed: %s", ex->sc->file, e->mark.line, e->mark.column, e->text);
  if (e->at >= 0) {
    char *at = units_format_duration(e->at);
    fprintf(out, " at %s", at);
    g_free(at);
  }
  fprintf(out, "\n  expected: %s\n  found:    %s\n", o->expected, o->found);
  if (o->evidence->len)
    fputs("  evidence:\n", out);
  for (guint i = 0; i < o->evidence->len; i++)
    fprintf(out, "    %s\n", (const char *)g_ptr_array_index(o->evidence, i));
}

/* Evaluates the checks not yet done, prints every failure to `out` (NULL:
 * nowhere) with its evidence, and returns the number of failures; *passed
 * gets the rest. */
guint expect_finish(Expect *ex, FILE *out, guint *passed)
{
  guint failed = 0;
  for (guint i = 0; i < ex->checks->len; i++) {
    Check *c = &g_array_index(ex->checks, Check, i);
    if (!c->done)
      expect_evaluate(c, ex->net);
    if (!c->wanted)
      c->wanted = expect_wanted(ex->net, c->conf);
    ExpectOutcome o = expect_outcome(ex, i);
    failed += !o.ok;
    if (!o.ok && out)
      expect_report_failure(ex, &o, out);
  }
  *passed = ex->checks->len - failed;
  return failed;
}

/* One check of expect.json; `checked` FALSE when the run stopped early. */
static void expect_json_check(const Expect *ex, guint i, gboolean checked, GString *json)
{
  ExpectOutcome o = expect_outcome(ex, i);
  g_string_append_printf(json, "%s\n    {\n      \"index\": %u,\n      \"check\": ", i ? "," : "", i);
  json_append_string(json, o.conf->check);
  g_string_append(json, ",\n      \"text\": ");
  json_append_string(json, o.conf->text);
  g_string_append_printf(json, ",\n      \"line\": %d,\n      \"column\": %d,\n      \"at_ns\": ", o.conf->mark.line,
                         o.conf->mark.column);
  if (o.conf->at >= 0)
    g_string_append_printf(json, "%" G_GINT64_FORMAT, o.conf->at);
  else
    g_string_append(json, "null");
  g_string_append_printf(json, ",\n      \"result\": \"%s\"", !checked ? "not checked" : o.ok ? "pass" : "fail");
  if (checked) {
    g_string_append(json, ",\n      \"expected\": ");
    json_append_string(json, o.expected);
    g_string_append(json, ",\n      \"found\": ");
    json_append_string(json, o.found);
  }
  g_string_append(json, ",\n      \"evidence\": [");
  for (guint k = 0; checked && k < o.evidence->len; k++) {
    g_string_append_printf(json, "%s\n        ", k ? "," : "");
    json_append_string(json, g_ptr_array_index(o.evidence, k));
  }
  g_string_append_printf(json, "%s]\n    }", checked && o.evidence->len ? "\n      " : "");
}

/* expect.json: every check with its place, verdict, expected, found and
 * evidence (doc/outputs.md); after expect_finish() when `checked`. */
GString *expect_json(const Expect *ex, gboolean checked)
{
  guint failed = 0;
  for (guint i = 0; checked && i < ex->checks->len; i++)
    failed += !g_array_index(ex->checks, Check, i).ok;
  GString *json = g_string_new("{\n  \"file\": ");
  json_append_string(json, ex->sc->file);
  g_string_append_printf(json, ",\n  \"checked\": %s,\n  \"passed\": %u,\n  \"failed\": %u,\n  \"checks\": [",
                         checked ? "true" : "false", checked ? ex->checks->len - failed : 0, failed);
  for (guint i = 0; i < ex->checks->len; i++)
    expect_json_check(ex, i, checked, json);
  g_string_append_printf(json, "%s]\n}\n", ex->checks->len ? "\n  " : "");
  return json;
}

/* Prints what the measuring checks measured, pass or fail, one line each
 * after `indent`: "outage hA -> hB after 100s: 8.91s (max 12s)". Call
 * after expect_finish(). */
void expect_print_measures(const Expect *ex, FILE *out, const char *indent)
{
  for (guint i = 0; i < ex->checks->len; i++) {
    const Check *c = &g_array_index(ex->checks, Check, i);
    if (c->conf->kind != EXPECT_OUTAGE || c->last_sample < 0)
      continue;
    char *measure = expect_outage_measure(c);
    char *what = g_strndup(c->conf->text, strstr(c->conf->text, " (max")
                                              ? (gsize)(strstr(c->conf->text, " (max") - c->conf->text)
                                              : strlen(c->conf->text));
    fprintf(out, "%s%s: %s\n", indent, what, measure);
    g_free(what);
    g_free(measure);
  }
}

void expect_free(Expect *ex)
{
  if (!ex)
    return;
  g_array_free(ex->checks, TRUE);
  g_hash_table_destroy(ex->execs);
  g_free(ex);
}
