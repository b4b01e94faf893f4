/*
 * Counters and flows as text (the run summary) and JSON (files in the
 * output directory).
 *
 * Entry points: report_counters_text() and report_counters_json() after a
 * run; report_flows_text(), report_flows_json() and report_flows_csv()
 * likewise; report_routing_*() the routing protocols' totals;
 * report_realtime_text() and report_realtime_json() the real-time loop's
 * lag (sim/kernel/realtime.h), only when the run had one.
 *
 * Text: a table with one row per interface (and one for a node's own
 * counters when they are not all zero), columns aligned to the widest
 * value, then the drops by reason per node. JSON: see report.h; numbers
 * are whole, strings go through json_append_string().
 *
 * Flows: per 5-tuple, the counters of models/flow.h and what follows from
 * them: goodput (bit/s, from the first packet sent to the last goodput
 * byte delivered), mean and maximum one-way delay, mean jitter (the mean
 * difference between consecutive delays). As text (delays in ms with µs),
 * JSON (exact counters and sums, times in ns) and CSV (times in seconds
 * with nine decimals); doc/outputs.md documents every column.
 *
 * Leaves out: rates over time (TCP's series are models/transport's).
 */
#include "models/observe/report.h"

#include <inttypes.h>
#include <string.h>

#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "sim/text/json.h"
#include "sim/text/units.h"

/* ---- a small JSON writer ---------------------------------------------- */

/* Writes nested JSON with two-space indentation, one member per line. */
typedef struct {
  GString *s;
  int depth;
  gboolean comma; /* a member was written at this depth: the next needs a comma */
} ReportJson;

/* Starts a member: the comma after the previous one, a new indented line
 * and, inside an object, the quoted key. */
static void report_json_key(ReportJson *j, const char *key)
{
  if (j->comma)
    g_string_append_c(j->s, ',');
  if (j->depth > 0) {
    g_string_append_c(j->s, '\n');
    for (int i = 0; i < j->depth; i++)
      g_string_append(j->s, "  ");
  }
  if (key) {
    json_append_string(j->s, key);
    g_string_append(j->s, ": ");
  }
  j->comma = TRUE;
}

/* Opens an object ('{') or array ('[') as the member `key` (NULL in arrays). */
static void report_json_open(ReportJson *j, const char *key, char bracket)
{
  report_json_key(j, key);
  g_string_append_c(j->s, bracket);
  j->depth++;
  j->comma = FALSE;
}

/* Closes the innermost container with `bracket`; an empty one stays on
 * its line: {} or []. */
static void report_json_close(ReportJson *j, char bracket)
{
  j->depth--;
  if (j->comma) {
    g_string_append_c(j->s, '\n');
    for (int i = 0; i < j->depth; i++)
      g_string_append(j->s, "  ");
  }
  g_string_append_c(j->s, bracket);
  j->comma = TRUE;
}

static void report_json_uint(ReportJson *j, const char *key, uint64_t v)
{
  report_json_key(j, key);
  g_string_append_printf(j->s, "%" PRIu64, v);
}

static void report_json_int(ReportJson *j, const char *key, int64_t v)
{
  report_json_key(j, key);
  g_string_append_printf(j->s, "%" PRId64, v);
}

static void report_json_string(ReportJson *j, const char *key, const char *v)
{
  report_json_key(j, key);
  json_append_string(j->s, v);
}

/* Starts a document: the caller's first open is the top-level value. */
static ReportJson report_json_begin(void)
{
  ReportJson j = {g_string_sized_new(4096), 0, FALSE};
  return j;
}

/* Ends the document with a newline and returns its text. */
static GString *report_json_end(ReportJson *j)
{
  g_string_append_c(j->s, '\n');
  return j->s;
}

/* ---- counters ---------------------------------------------------------- */

/* Returns the number of drops of every reason. */
static uint64_t report_drops_total(const Counters *c)
{
  uint64_t sum = 0;

  for (int r = 0; r < DROP_REASON_COUNT; r++)
    sum += c->drops[r];
  return sum;
}

/* Returns TRUE when every counter of `c` is zero. */
static gboolean report_counters_zero(const Counters *c)
{
  return !c->tx_packets && !c->tx_bytes && !c->rx_packets && !c->rx_bytes && !report_drops_total(c);
}

/* Writes the member "drops": an object of the non-zero reasons, in enum order. */
static void report_json_drops(ReportJson *j, const Counters *c)
{
  report_json_open(j, "drops", '{');
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    if (c->drops[r])
      report_json_uint(j, drop_reason_name((DropReason)r), c->drops[r]);
  report_json_close(j, '}');
}

/* Writes the packet and byte counts and the drops of `c` as members. */
static void report_json_counts(ReportJson *j, const Counters *c)
{
  report_json_uint(j, "tx_packets", c->tx_packets);
  report_json_uint(j, "tx_bytes", c->tx_bytes);
  report_json_uint(j, "rx_packets", c->rx_packets);
  report_json_uint(j, "rx_bytes", c->rx_bytes);
  report_json_drops(j, c);
}

/* Writes one node: name, kind, its interfaces, its own drops and the sums. */
static void report_json_node(ReportJson *j, const Node *node)
{
  Counters total;

  report_json_open(j, NULL, '{');
  report_json_string(j, "name", node->name);
  report_json_string(j, "kind", node_kind_name(node->kind));
  report_json_open(j, "interfaces", '[');
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *iface = node_iface(node, i);
    report_json_open(j, NULL, '{');
    report_json_string(j, "name", iface->name);
    report_json_counts(j, &iface->counters);
    report_json_close(j, '}');
  }
  report_json_close(j, ']');
  report_json_drops(j, &node->counters);
  node_counters_total(node, &total);
  report_json_open(j, "total", '{');
  report_json_counts(j, &total);
  report_json_close(j, '}');
  report_json_close(j, '}');
}

/* Returns the counters of every node and interface as a JSON document
 * (free with g_string_free): {"nodes": [{"name", "kind", "interfaces":
 * [{"name", "tx_packets", "tx_bytes", "rx_packets", "rx_bytes",
 * "drops"}], "drops", "total"}]}, with only non-zero drop reasons. */
GString *report_counters_json(const Network *net)
{
  ReportJson j = report_json_begin();

  report_json_open(&j, NULL, '{');
  report_json_open(&j, "nodes", '[');
  for (guint i = 0; i < net->nodes->len; i++)
    report_json_node(&j, network_node(net, i));
  report_json_close(&j, ']');
  report_json_close(&j, '}');
  return report_json_end(&j);
}

/* ---- text tables --------------------------------------------------------- */

#define REPORT_MAX_COLS 16

/* A table of text cells printed with aligned columns: the first `left`
 * columns left-aligned, the others (numbers) right-aligned. */
typedef struct {
  GPtrArray *cells; /* of char*, row after row */
  guint cols, left;
} ReportTable;

static ReportTable report_table_new(guint cols, guint left, const char *const *header)
{
  ReportTable t = {g_ptr_array_new_with_free_func(g_free), cols, left};

  g_assert(cols <= REPORT_MAX_COLS);
  for (guint c = 0; c < cols; c++)
    g_ptr_array_add(t.cells, g_strdup(header[c]));
  return t;
}

static void report_table_add(ReportTable *t, char *cell)
{
  g_ptr_array_add(t->cells, cell);
}

static void report_table_add_uint(ReportTable *t, uint64_t v)
{
  report_table_add(t, g_strdup_printf("%" PRIu64, v));
}

/* Prints the table indented by two spaces, columns two spaces apart, and frees it. */
static void report_table_print(ReportTable *t, FILE *out)
{
  int width[REPORT_MAX_COLS] = {0};

  for (guint i = 0; i < t->cells->len; i++)
    width[i % t->cols] = MAX(width[i % t->cols], (int)strlen(g_ptr_array_index(t->cells, i)));
  for (guint i = 0; i < t->cells->len; i++) {
    guint c = i % t->cols;
    const char *cell = g_ptr_array_index(t->cells, i);
    gboolean last = c == t->cols - 1;
    /* Right-aligned numbers; left-aligned names, unpadded at the line's end. */
    fprintf(out, "  %*s", c >= t->left ? width[c] : last ? 0 : -width[c], cell);
    if (last)
      fputc('\n', out);
  }
  g_ptr_array_free(t->cells, TRUE);
}

/* Adds a row of counters: node, interface, tx packets and bytes, rx
 * packets and bytes, drops. */
static void report_counters_row(ReportTable *t, const char *node, const char *iface, const Counters *c)
{
  report_table_add(t, g_strdup(node));
  report_table_add(t, g_strdup(iface));
  report_table_add_uint(t, c->tx_packets);
  report_table_add_uint(t, c->tx_bytes);
  report_table_add_uint(t, c->rx_packets);
  report_table_add_uint(t, c->rx_bytes);
  report_table_add_uint(t, report_drops_total(c));
}

/* Prints "  node: reason n, reason n" for a node with drops (its
 * interfaces' and its own, only non-zero reasons, in enum order). */
static void report_node_drops_text(const Node *node, FILE *out)
{
  Counters total;
  const char *sep = "";

  node_counters_total(node, &total);
  if (!report_drops_total(&total))
    return;
  fprintf(out, "  %s:", node->name);
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    if (total.drops[r]) {
      fprintf(out, "%s %s %" PRIu64, sep, drop_reason_name((DropReason)r), total.drops[r]);
      sep = ",";
    }
  fputc('\n', out);
}

/* Returns TRUE when any node or interface dropped anything. */
static gboolean report_any_drops(const Network *net)
{
  Counters total;

  for (guint i = 0; i < net->nodes->len; i++) {
    node_counters_total(network_node(net, i), &total);
    if (report_drops_total(&total))
      return TRUE;
  }
  return FALSE;
}

/* Prints the counters table: a row per interface, plus a row "-" for a
 * node's own counters when any is non-zero; then the drops by reason per
 * node, or "Drops: none". */
void report_counters_text(const Network *net, FILE *out)
{
  static const char *const header[] = {"node", "iface", "tx pkts", "tx bytes", "rx pkts", "rx bytes", "drops"};
  ReportTable t = report_table_new(G_N_ELEMENTS(header), 2, header);

  for (guint i = 0; i < net->nodes->len; i++) {
    const Node *node = network_node(net, i);
    for (guint k = 0; k < node->ifaces->len; k++)
      report_counters_row(&t, node->name, node_iface(node, k)->name, &node_iface(node, k)->counters);
    if (!report_counters_zero(&node->counters))
      report_counters_row(&t, node->name, "-", &node->counters);
  }
  fprintf(out, "Counters:\n");
  report_table_print(&t, out);
  if (!report_any_drops(net)) {
    fprintf(out, "Drops: none\n");
    return;
  }
  fprintf(out, "Drops by reason:\n");
  for (guint i = 0; i < net->nodes->len; i++)
    report_node_drops_text(network_node(net, i), out);
}

/* ---- flows ------------------------------------------------------------- */

/* Returns the name of IP protocol `proto` ("udp"), or its number as text
 * in `buf`. */
static const char *report_proto_name(uint8_t proto, char buf[4])
{
  switch (proto) {
  case 1:
    return "icmp";
  case 6:
    return "tcp";
  case 17:
    return "udp";
  default:
    g_snprintf(buf, 4, "%u", proto);
    return buf;
  }
}

/* Returns "a.b.c.d" for `addr` (host byte order) in `buf`. */
static const char *report_addr(uint32_t addr, char buf[16])
{
  g_snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

/* ---- flow statistics, derived from the counters of a Flow --------------- */

/* Goodput in bit/s: goodput bytes * 8 over the time from the first packet
 * sent to the last goodput byte delivered, rounded to the nearest bit/s;
 * 0 without goodput or time. */
static uint64_t report_flow_goodput_bps(const Flow *f)
{
  if (f->goodput_bytes == 0 || f->last_goodput <= f->first_tx || f->first_tx < 0)
    return 0;
  return (uint64_t)((double)f->goodput_bytes * 8e9 / (double)(f->last_goodput - f->first_tx) + 0.5);
}

/* Mean one-way delay in ns (rounded down) over the packets received; 0 if none. */
static SimTime report_flow_delay_mean(const Flow *f)
{
  return f->rx_packets ? f->delay_sum / (SimTime)f->rx_packets : 0;
}

/* Mean jitter in ns (rounded down): the sum of the differences between
 * consecutive delays over their number, rx_packets - 1 (as ns-3's
 * FlowMonitor); 0 with fewer than two packets. */
static SimTime report_flow_jitter_mean(const Flow *f)
{
  return f->rx_packets > 1 ? f->jitter_sum / (SimTime)(f->rx_packets - 1) : 0;
}

/* "9.56Mbps": a rate with two decimals in the largest unit that keeps it
 * at 1 or more, for people; "-" for none. */
static char *report_rate_text(uint64_t bps)
{
  static const char *const units[] = {"bps", "kbps", "Mbps", "Gbps"};
  double v = (double)bps;
  guint u = 0;
  if (bps == 0)
    return g_strdup("-");
  while (v >= 1000 && u + 1 < G_N_ELEMENTS(units))
    v /= 1000, u++;
  return u == 0 ? g_strdup_printf("%" PRIu64 "bps", bps) : g_strdup_printf("%.2f%s", v, units[u]);
}

/* "1.234ms": a time in milliseconds with microseconds, for people. */
static char *report_ms_text(SimTime ns)
{
  return g_strdup_printf("%" PRId64 ".%03" PRId64 "ms", ns / 1000000, (ns / 1000) % 1000);
}

/* Adds one flow's row: protocol, source, destination, counts, lost,
 * retransmitted, goodput, mean and maximum delay, mean jitter. */
static void report_flow_row(ReportTable *t, const Flow *f)
{
  char proto[4], addr[16];

  report_table_add(t, g_strdup(report_proto_name(f->key.proto, proto)));
  report_table_add(t, g_strdup_printf("%s:%u", report_addr(f->key.src, addr), f->key.sport));
  report_table_add(t, g_strdup_printf("%s:%u", report_addr(f->key.dst, addr), f->key.dport));
  report_table_add_uint(t, f->tx_packets);
  report_table_add_uint(t, f->tx_bytes);
  report_table_add_uint(t, f->rx_packets);
  report_table_add_uint(t, f->rx_bytes);
  report_table_add_uint(t, f->lost_packets);
  report_table_add_uint(t, f->retransmitted);
  report_table_add(t, report_rate_text(report_flow_goodput_bps(f)));
  gboolean rx = f->rx_packets > 0;
  report_table_add(t, rx ? report_ms_text(report_flow_delay_mean(f)) : g_strdup("-"));
  report_table_add(t, rx ? report_ms_text(f->delay_max) : g_strdup("-"));
  report_table_add(t, f->rx_packets > 1 ? report_ms_text(report_flow_jitter_mean(f)) : g_strdup("-"));
}

/* Prints the flows, sorted by key, as a table, or "Flows: none". */
void report_flows_text(const Network *net, FILE *out)
{
  static const char *const header[] = {"proto", "source", "destination", "tx pkts", "tx bytes",  "rx pkts", "rx bytes",
                                       "lost",  "retx",   "goodput",     "delay",   "max delay", "jitter"};
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);

  if (flows->len == 0) {
    fprintf(out, "Flows: none\n");
    g_ptr_array_unref(flows);
    return;
  }
  ReportTable t = report_table_new(G_N_ELEMENTS(header), 3, header);
  for (guint i = 0; i < flows->len; i++)
    report_flow_row(&t, g_ptr_array_index(flows, i));
  fprintf(out, "Flows:\n");
  report_table_print(&t, out);
  g_ptr_array_unref(flows);
}

/* Writes one flow as a JSON object: its key, its counters, and the
 * derived figures, times in whole nanoseconds (-1: never). */
static void report_json_flow(ReportJson *j, const Flow *f)
{
  char proto[4], addr[16];

  report_json_open(j, NULL, '{');
  report_json_string(j, "src", report_addr(f->key.src, addr));
  report_json_string(j, "dst", report_addr(f->key.dst, addr));
  report_json_uint(j, "sport", f->key.sport);
  report_json_uint(j, "dport", f->key.dport);
  report_json_string(j, "proto", report_proto_name(f->key.proto, proto));
  report_json_uint(j, "tx_packets", f->tx_packets);
  report_json_uint(j, "tx_bytes", f->tx_bytes);
  report_json_uint(j, "rx_packets", f->rx_packets);
  report_json_uint(j, "rx_bytes", f->rx_bytes);
  report_json_uint(j, "lost_packets", f->lost_packets);
  report_json_uint(j, "retransmitted", f->retransmitted);
  report_json_uint(j, "goodput_bytes", f->goodput_bytes);
  report_json_uint(j, "goodput_bps", report_flow_goodput_bps(f));
  report_json_int(j, "first_tx_ns", f->first_tx);
  report_json_int(j, "last_rx_ns", f->last_rx);
  report_json_int(j, "last_goodput_ns", f->last_goodput);
  report_json_int(j, "delay_sum_ns", f->delay_sum);
  report_json_int(j, "delay_mean_ns", report_flow_delay_mean(f));
  report_json_int(j, "delay_max_ns", f->delay_max);
  report_json_int(j, "jitter_sum_ns", f->jitter_sum);
  report_json_int(j, "jitter_mean_ns", report_flow_jitter_mean(f));
  report_json_close(j, '}');
}

/* Returns the flows as a JSON document (free with g_string_free):
 * {"flows": [{"src", "dst", "sport", "dport", "proto", "tx_packets",
 * "tx_bytes", "rx_packets", "rx_bytes", "lost_packets", "retransmitted",
 * "goodput_bytes", "goodput_bps", "first_tx_ns", "last_rx_ns",
 * "last_goodput_ns", "delay_sum_ns", "delay_mean_ns", "delay_max_ns",
 * "jitter_sum_ns", "jitter_mean_ns"}]}, sorted by key. */
GString *report_flows_json(const Network *net)
{
  ReportJson j = report_json_begin();
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);

  report_json_open(&j, NULL, '{');
  report_json_open(&j, "flows", '[');
  for (guint i = 0; i < flows->len; i++)
    report_json_flow(&j, g_ptr_array_index(flows, i));
  report_json_close(&j, ']');
  report_json_close(&j, '}');
  g_ptr_array_unref(flows);
  return report_json_end(&j);
}

/* A time in ns as seconds with nine decimals: exact. */
static void report_csv_seconds(GString *s, SimTime ns)
{
  g_string_append_printf(s, ",%" PRId64 ".%09" PRId64, ns / 1000000000, ns % 1000000000);
}

/* Returns the flows as CSV (free with g_string_free): a header line, then
 * one line per flow sorted by key, with the columns of
 * REPORT_FLOWS_CSV_HEADER (documented in doc/outputs.md). */
GString *report_flows_csv(const Network *net)
{
  GString *s = g_string_new(REPORT_FLOWS_CSV_HEADER "\n");
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);
  char proto[4], src[16], dst[16];

  for (guint i = 0; i < flows->len; i++) {
    const Flow *f = g_ptr_array_index(flows, i);
    g_string_append_printf(
        s, "%s,%s,%u,%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
        report_proto_name(f->key.proto, proto), report_addr(f->key.src, src), f->key.sport,
        report_addr(f->key.dst, dst), f->key.dport, f->tx_packets, f->tx_bytes, f->rx_packets, f->rx_bytes,
        f->lost_packets, f->retransmitted, report_flow_goodput_bps(f));
    report_csv_seconds(s, report_flow_delay_mean(f));
    report_csv_seconds(s, f->delay_max);
    report_csv_seconds(s, report_flow_jitter_mean(f));
    g_string_append_c(s, '\n');
  }
  g_ptr_array_unref(flows);
  return s;
}

/* Appends `v` in decimal, at least `width` digits (zero-padded): a
 * throughput.csv row has three numbers and is written for every bin of
 * every flow, so not through printf. */
static void report_append_uint(GString *s, uint64_t v, int width)
{
  char buf[24];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v || n < width);
  while (n)
    g_string_append_c(s, buf[--n]);
}

/* Appends the rows of flow `f`: its key written once, then a row per bin. */
static void report_throughput_rows(GString *s, const Flow *f)
{
  char proto[4], src[16], dst[16],
      *key = g_strdup_printf(",%s,%s,%u,%s,%u,", report_proto_name(f->key.proto, proto), report_addr(f->key.src, src),
                             f->key.sport, report_addr(f->key.dst, dst), f->key.dport);
  for (guint k = 0; f->bins && k < f->bins->len; k++) {
    const FlowBin *b = &g_array_index(f->bins, FlowBin, k);
    SimTime t = (SimTime)b->bin * FLOW_BIN;
    report_append_uint(s, (uint64_t)(t / 1000000000), 1);
    g_string_append_c(s, '.');
    report_append_uint(s, (uint64_t)(t % 1000000000 / 1000000), 3);
    g_string_append(s, key);
    report_append_uint(s, b->rx_bytes, 1);
    g_string_append_c(s, ',');
    report_append_uint(s, b->goodput_bytes, 1);
    g_string_append_c(s, '\n');
  }
  g_free(key);
}

/* Returns DIR/throughput.csv: a row per flow and 10 ms bin that carried
 * bytes, flows in the order of flows.csv, bins in time order. */
GString *report_throughput_csv(const Network *net)
{
  GString *s = g_string_new(REPORT_THROUGHPUT_CSV_HEADER "\n");
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);
  for (guint i = 0; i < flows->len; i++)
    report_throughput_rows(s, g_ptr_array_index(flows, i));
  g_ptr_array_unref(flows);
  return s;
}

/* Fills the routing protocols' totals of the run. */
void report_routing(const Network *net, ReportRouting *r)
{
  *r = (ReportRouting){.route_changes = net->ctx.route_changes, .last_route_change = net->ctx.last_route_change};
  for (guint i = 0; i < net->nodes->len; i++) {
    const Node *node = network_node(net, i);
    if (node->rip) {
      r->rip_routers++;
      r->rip_packets += rip_packets_sent(node->rip);
    }
    if (node->ospf) {
      r->ospf_routers++;
      r->ospf_packets += ospf_packets_sent(node->ospf);
    }
  }
}

/* Prints the summary's `routing` line when a protocol ran: "rip on 3
 * routers: 27 packets sent; 6 route changes, the last at 1.823s". */
void report_routing_text(const Network *net, FILE *out)
{
  ReportRouting r;
  report_routing(net, &r);
  if (!r.rip_routers && !r.ospf_routers)
    return;
  GString *s = g_string_new("routing    ");
  if (r.rip_routers)
    g_string_append_printf(s, "rip on %u router%s: %" G_GUINT64_FORMAT " packet%s sent; ", r.rip_routers,
                           r.rip_routers == 1 ? "" : "s", r.rip_packets, r.rip_packets == 1 ? "" : "s");
  if (r.ospf_routers)
    g_string_append_printf(s, "ospf on %u router%s: %" G_GUINT64_FORMAT " packet%s sent; ", r.ospf_routers,
                           r.ospf_routers == 1 ? "" : "s", r.ospf_packets, r.ospf_packets == 1 ? "" : "s");
  g_string_append_printf(s, "%" G_GUINT64_FORMAT " route change%s", r.route_changes, r.route_changes == 1 ? "" : "s");
  if (r.last_route_change >= 0) {
    char *at = units_format_duration(r.last_route_change);
    g_string_append_printf(s, ", the last at %s", at);
    g_free(at);
  }
  fprintf(out, "%s\n", s->str);
  g_string_free(s, TRUE);
}

/* Appends the routing totals to summary.json's members (each line
 * ",\n  \"key\": value"), when a protocol ran. */
void report_routing_json(const Network *net, GString *json)
{
  ReportRouting r;
  report_routing(net, &r);
  if (!r.rip_routers && !r.ospf_routers)
    return;
  g_string_append_printf(json,
                         ",\n  \"rip_packets\": %" G_GUINT64_FORMAT ",\n  \"ospf_packets\": %" G_GUINT64_FORMAT
                         ",\n  \"route_changes\": %" G_GUINT64_FORMAT
                         ",\n  \"last_route_change_ns\": %" G_GINT64_FORMAT,
                         r.rip_packets, r.ospf_packets, r.route_changes, r.last_route_change);
}

/* The summary's `realtime` line, in real-time mode only: "realtime   lag
 * max 0.310 ms, p99 0.104 ms; 0 of 1234 events later than 1 ms". */
void report_realtime_text(const Network *net, FILE *out)
{
  if (!net->ctx.rt)
    return;
  RtStats st;
  rt_stats(net->ctx.rt, &st);
  fprintf(out,
          "realtime   lag max %.3f ms, p99 %.3f ms; %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
          " %s later than 1 ms%s\n",
          (double)st.max_lag / 1e6, (double)st.p99_lag / 1e6, st.late_1ms, st.events,
          st.events == 1 ? "event" : "events", st.awake ? "; CPUs kept awake" : "");
}

/* summary.json's real-time fields, in real-time mode only. */
void report_realtime_json(const Network *net, GString *json)
{
  if (!net->ctx.rt)
    return;
  RtStats st;
  rt_stats(net->ctx.rt, &st);
  g_string_append_printf(json,
                         ",\n  \"realtime\": true,\n  \"lag_max_ns\": %" G_GINT64_FORMAT
                         ",\n  \"lag_p99_ns\": %" G_GINT64_FORMAT ",\n  \"late_1ms_events\": %" G_GUINT64_FORMAT
                         ",\n  \"cpus_kept_awake\": %s",
                         st.max_lag, st.p99_lag, st.late_1ms, st.awake ? "true" : "false");
}
