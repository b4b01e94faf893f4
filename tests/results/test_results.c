/*
 * Results of a run: per-flow statistics (the summary's table, flows.csv,
 * flows.json) with delays and goodput computed from the links'
 * parameters, losses compared with the drops the trace shows, TCP's
 * time-series file (tcp.csv), and the expect checks of issue 4 (delivered
 * for every app with a flow, goodput, finished, reached), passing and
 * failing with their messages: on real runs, and on an App whose results
 * are set by hand for the cases a run cannot show cheaply.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/app/app.h"
#include "sim/build/expect.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "models/observe/report.h"
#include "models/transport/tcp.h"
#include "tests/testlib.h"

/* h1 -- 10 Mbps, 2 ms -- r1 -- 1 Mbps, 5 ms (LOSS) -- h2. */
#define RESULTS_NET(loss)                                                                                              \
  "stop: 3s\n"                                                                                                         \
  "seed: 7\n"                                                                                                          \
  "nodes:\n"                                                                                                           \
  "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"                                                        \
  "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"                                             \
  "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"                                                        \
  "links:\n"                                                                                                           \
  "  - { ends: [h1, r1:eth0], rate: 10Mbps, delay: 2ms }\n"                                                            \
  "  - { ends: [r1:eth1, h2], rate: 1Mbps, delay: 5ms, loss: " loss " }\n"

/* A ping at 0s resolves ARP along the path, so that every datagram of the
 * CBR stream (500 bytes every 8 ms from 1s to 2s) sees an idle path. */
static const char cbr_yaml[] = RESULTS_NET("0%") "apps:\n"
                                                 "  - { name: warm, type: ping, on: h1, to: h2, count: 1 }\n"
                                                 "  - { name: cbr, type: udp-cbr, on: h1, to: 'h2:9000', size: 500, "
                                                 "rate: 500kbps, start: 1s, stop: 2s }\n"
                                                 "  - { type: udp-sink, on: h2, port: 9000 }\n";

/* Serialization of a frame of `bytes` at `bps` (rounded up to the ns, as
 * the links do) plus propagation. */
static SimTime hop_ns(uint64_t bytes, uint64_t bps, SimTime delay)
{
  return (SimTime)((bytes * 8 * UINT64_C(1000000000) + bps - 1) / bps) + delay;
}

/* One datagram of 500 bytes: a 542-byte frame (14 Ethernet + 20 IPv4 + 8 UDP). */
static SimTime cbr_delay(void)
{
  return hop_ns(542, 10000000, SIMTIME_MS(2)) + hop_ns(542, 1000000, SIMTIME_MS(5));
}

/* A built and finished run, with what expect printed. */
typedef struct {
  Scenario *sc;
  Network *net;
  char *expect_out;
  guint passed, failed;
} Run;

/* Loads `yaml`, runs it to its stop, finishes the apps and evaluates the
 * checks. */
static void run_yaml(Run *r, const char *yaml)
{
  size_t len = 0;
  r->sc = testlib_load_ok(yaml);
  r->net = build_network(r->sc);
  Expect *ex = expect_new(r->net, r->sc);
  network_run(r->net);
  for (guint i = 0; i < r->net->apps->len; i++)
    app_finish(g_ptr_array_index(r->net->apps, i));
  FILE *f = open_memstream(&r->expect_out, &len);
  r->failed = expect_finish(ex, f, &r->passed);
  fclose(f);
  expect_free(ex);
}

static void run_clear(Run *r)
{
  network_free(r->net);
  scenario_free(r->sc);
  free(r->expect_out);
}

static App *run_app(const Run *r, guint i)
{
  return g_ptr_array_index(r->net->apps, i);
}

/* The flow of app i's data; fails the test when it has none. */
static const Flow *run_flow(const Run *r, guint i)
{
  App *app = run_app(r, i);
  ck_assert_msg(app->has_flow, "app %u has no flow", i);
  const Flow *f = flow_find(r->net->ctx.flows, &app->flow);
  ck_assert_ptr_nonnull(f);
  return f;
}

/* Every datagram has the same delay on an idle path: the sum over the
 * hops of serialization and propagation; jitter 0; goodput the bytes over
 * the time from the first sent to the last delivered. */
START_TEST(test_flow_statistics_exact)
{
  Run r = {0};
  run_yaml(&r, cbr_yaml);
  const Flow *f = run_flow(&r, 1);
  SimTime d = cbr_delay();
  ck_assert_int_eq(d, 11769600);
  ck_assert_uint_eq(f->tx_packets, 125); /* 1s, 1.008s, ..., 1.992s */
  ck_assert_uint_eq(f->tx_bytes, 62500);
  ck_assert_uint_eq(f->rx_packets, 125);
  ck_assert_uint_eq(f->rx_bytes, 62500);
  ck_assert_uint_eq(f->lost_packets, 0);
  ck_assert_uint_eq(f->retransmitted, 0);
  ck_assert_uint_eq(f->goodput_bytes, 62500);
  ck_assert_int_eq(f->first_tx, SIMTIME_S(1));
  ck_assert_int_eq(f->last_rx, SIMTIME_S(1) + 124 * SIMTIME_MS(8) + d);
  ck_assert_int_eq(f->last_goodput, f->last_rx);
  ck_assert_int_eq(f->delay_sum, 125 * d);
  ck_assert_int_eq(f->delay_max, d);
  ck_assert_int_eq(f->jitter_sum, 0);

  uint64_t goodput = (uint64_t)llround(62500 * 8e9 / (double)(124 * SIMTIME_MS(8) + d));
  ck_assert_uint_eq(goodput, 498122);
  GString *csv = report_flows_csv(r.net);
  char *row = g_strdup_printf("udp,10.0.1.10,%u,10.0.2.10,9000,125,62500,125,62500,0,0,%" G_GUINT64_FORMAT
                              ",0.011769600,0.011769600,0.000000000\n",
                              f->key.sport, goodput);
  ck_assert_str_eq(csv->str + strlen(REPORT_FLOWS_CSV_HEADER "\n"), row);
  g_free(row);
  g_string_free(csv, TRUE);

  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  report_flows_text(r.net, out);
  fclose(out);
  ck_assert_msg(strstr(text, "62500     0     0  498.12kbps  11.769ms   11.769ms  0.000ms\n"), "%s", text);
  free(text);
  run_clear(&r);
}
END_TEST

/* Counts the lines of `text` that contain every one of `words`. */
static guint count_lines(const char *text, const char *const *words, guint n)
{
  char **lines = g_strsplit(text, "\n", -1);
  guint count = 0;
  for (char **l = lines; *l; l++) {
    gboolean all = TRUE;
    for (guint w = 0; w < n; w++)
      all &= strstr(*l, words[w]) != NULL;
    count += all;
  }
  g_strfreev(lines);
  return count;
}

static char *read_file(const char *dir, const char *name)
{
  char *path = g_build_filename(dir, name, NULL), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  g_free(path);
  return text;
}

/* Removes the directory `dir` made for a run, and the files in it; frees `dir`. */
static void remove_dir(char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *path = g_build_filename(dir, name, NULL);
    g_remove(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
  g_free(dir);
}

/* Writes `yaml` to DIR/test.yaml and runs `ipsim run --quiet --out DIR`;
 * returns the exit status. */
static int run_cli(const char *dir, const char *yaml, char **err)
{
  char *file = g_build_filename(dir, "test.yaml", NULL);
  ck_assert(g_file_set_contents(file, yaml, -1, NULL));
  const char *args[] = {"run", "--quiet", "--out", dir, file, NULL};
  int status = testlib_run_ipsim(args, NULL, err);
  g_free(file);
  return status;
}

/* The field `col` (0-based) of the CSV line `line`, as a number. */
static uint64_t csv_field(const char *line, guint col)
{
  char **fields = g_strsplit(line, ",", -1);
  ck_assert_uint_eq(g_strv_length(fields), 15);
  uint64_t v = g_ascii_strtoull(fields[col], NULL, 10);
  g_strfreev(fields);
  return v;
}

/* flows.csv and flows.json in the output directory; on a lossy link, the
 * flow's losses are exactly the datagrams the trace shows dropped by the
 * link, and every datagram sent was received or lost (the stream stops
 * 1s before the run). */
START_TEST(test_flow_files_and_losses)
{
  char *dir = g_dir_make_tmp("ipsim-results-XXXXXX", NULL);
  char *yaml = g_strconcat(RESULTS_NET("10%"), "output: { trace: true }\n", strstr(cbr_yaml, "apps:\n"), NULL);
  ck_assert_int_eq(run_cli(dir, yaml, NULL), 0);
  char *csv = read_file(dir, "flows.csv");
  char **lines = g_strsplit(csv, "\n", -1);
  ck_assert_str_eq(lines[0], REPORT_FLOWS_CSV_HEADER);
  ck_assert_uint_eq(g_strv_length(lines), 3); /* the header, one flow, "" after the last newline */
  ck_assert(g_str_has_prefix(lines[1], "udp,10.0.1.10,"));
  uint64_t tx = csv_field(lines[1], 5), rx = csv_field(lines[1], 7), lost = csv_field(lines[1], 9);
  char *trace = read_file(dir, "trace.txt");
  const char *const words[] = {" drop ", "UDP", "> 9000", "reason link-loss"};
  ck_assert_uint_eq(lost, count_lines(trace, words, G_N_ELEMENTS(words)));
  ck_assert_uint_eq(tx, 125);
  ck_assert_uint_gt(lost, 5); /* about 10% of 125 */
  ck_assert_uint_eq(rx + lost, tx);
  char *json = read_file(dir, "flows.json");
  char *lost_json = g_strdup_printf("\"lost_packets\": %" G_GUINT64_FORMAT ",", lost);
  ck_assert_ptr_nonnull(strstr(json, lost_json));
  char *max = g_strdup_printf("\"delay_max_ns\": %" G_GINT64_FORMAT ",", (gint64)cbr_delay());
  ck_assert_msg(strstr(json, max), "%s", json); /* ARP was resolved by the ping */
  ck_assert(strstr(json, "\"jitter_sum_ns\": 0,"));
  char *series = g_build_filename(dir, "tcp.csv", NULL);
  ck_assert(!g_file_test(series, G_FILE_TEST_EXISTS)); /* without tcp-series: true */
  g_free(series);
  g_free(max);
  g_free(lost_json);
  g_free(json);
  g_free(trace);
  g_strfreev(lines);
  g_free(csv);
  g_free(yaml);
  remove_dir(dir);
}
END_TEST

/* A datagram cut into fragments counts once: delivered when reassembled,
 * or lost once, whichever fragment the link lost (a later one makes the
 * first wait in reassembly until its 30 s timeout). */
START_TEST(test_flow_fragments_count_once)
{
  Run r = {0};
  const char *yaml = "stop: 40s\n"
                     "seed: 7\n"
                     "nodes:\n"
                     "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                     "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                     "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                     "links:\n"
                     "  - { ends: [h1, r1:eth0], rate: 10Mbps, delay: 2ms }\n"
                     "  - { ends: [r1:eth1, h2], rate: 10Mbps, delay: 5ms, loss: 20%, mtu: 576 }\n"
                     "apps:\n"
                     "  - { name: cbr, type: udp-cbr, on: h1, to: 'h2:9000', size: 1400, rate: 1Mbps, start: 1s, "
                     "stop: 2s }\n"
                     "  - { type: udp-sink, on: h2, port: 9000 }\n";
  run_yaml(&r, yaml);
  const Flow *f = run_flow(&r, 0);
  ck_assert_uint_eq(f->tx_packets, 90); /* every 11.2 ms from 1s to 2s */
  ck_assert_uint_gt(f->lost_packets, 10);
  ck_assert_uint_gt(f->rx_packets, 30);
  ck_assert_uint_eq(f->rx_packets + f->lost_packets, f->tx_packets);
  ck_assert_uint_eq(f->rx_bytes, f->rx_packets * 1400);
  Counters total;
  node_counters_total(network_node(r.net, 2), &total);
  ck_assert_uint_gt(total.drops[DROP_FRAG_TIMEOUT], 0);
  run_clear(&r);
}
END_TEST

/* A TCP transfer of 1 MB over one 10 Mbps, 1 ms link. */
static const char bulk_yaml[] = "stop: 5s\n"
                                "nodes:\n"
                                "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                "links:\n"
                                "  - { ends: [h1, h2], rate: 10Mbps, delay: 1ms }\n"
                                "apps:\n"
                                "  - { name: sink, type: bulk-sink, on: h2, report: 0 }\n"
                                "  - { name: b, type: bulk, on: h1, to: h2, bytes: 1MB, start: 100ms, report: 0 }\n";

/* tcp-series: true writes tcp.csv with its header and rows of nine fields in time order. */
START_TEST(test_tcp_series_file)
{
  char *dir = g_dir_make_tmp("ipsim-results-XXXXXX", NULL);
  char *yaml = g_strconcat(bulk_yaml, "output: { tcp-series: true }\n", NULL);
  ck_assert_int_eq(run_cli(dir, yaml, NULL), 0);
  char *text = read_file(dir, "tcp.csv");
  char **lines = g_strsplit(text, "\n", -1);
  ck_assert_str_eq(lines[0], "time,node,local,remote,cwnd,ssthresh,srtt,rto,in_flight");
  double last = 0;
  for (char **l = lines + 1; *l && **l; l++) {
    char **fields = g_strsplit(*l, ",", -1);
    ck_assert_msg(g_strv_length(fields) == 9, "%s", *l);
    double t = g_ascii_strtod(fields[0], NULL);
    ck_assert_msg(t >= last, "%s", *l);
    last = t;
    g_strfreev(fields);
  }
  g_strfreev(lines);
  g_free(text);
  g_free(yaml);
  remove_dir(dir);
}
END_TEST

/* `delivered` for the UDP kinds with a flow: onoff and udp-echo (and
 * udp-cbr, issue 3), passing and failing. */
START_TEST(test_expect_delivered_udp_kinds)
{
  Run r = {0};
  run_yaml(&r, RESULTS_NET("0%") "apps:\n"
                                 "  - { name: oo, type: onoff, on: h1, to: 'h2:9000', rate: 1Mbps, on-time: 100ms, "
                                 "off-time: 100ms, start: 1s, stop: 2s }\n"
                                 "  - { type: udp-sink, on: h2, port: 9000 }\n"
                                 "  - { name: echo, type: udp-echo, on: h1, to: h2, count: 5, interval: 100ms }\n"
                                 "  - { type: udp-echo-server, on: h2 }\n"
                                 "expect:\n"
                                 "  - { flow: oo, delivered: 100% }\n"
                                 "  - { flow: echo, delivered: 5 }\n"
                                 "  - { flow: oo, delivered: '< 50%' }\n");
  const Flow *f = run_flow(&r, 0);
  ck_assert_uint_gt(f->tx_packets, 0);
  ck_assert_uint_eq(run_flow(&r, 2)->rx_packets, 5);
  ck_assert_uint_eq(r.passed, 2);
  ck_assert_uint_eq(r.failed, 1);
  char *want =
      g_strdup_printf("test.yaml:18:5: expect failed: oo delivered < 50%%\n"
                      "  expected: < 50%%\n"
                      "  found:    %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " datagrams delivered (100%%)\n"
                      "  evidence:\n"
                      "    flow udp 10.0.1.10:%u > 10.0.2.10:9000: %" G_GUINT64_FORMAT
                      " packets sent, %" G_GUINT64_FORMAT " received, 0 lost, 0 retransmitted\n",
                      f->tx_packets, f->tx_packets, f->key.sport, f->tx_packets, f->tx_packets);
  ck_assert_str_eq(r.expect_out, want);
  g_free(want);
  run_clear(&r);
}
END_TEST

static const char fake_yaml[] = "stop: 10s\n"
                                "nodes:\n"
                                "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                "links:\n"
                                "  - [h1, h2]\n"
                                "apps:\n"
                                "  - { name: b, type: bulk, on: h1, to: h2, bytes: 1MB }\n"
                                "  - { name: idle, type: bulk, on: h1, to: h2, bytes: 1MB }\n"
                                "expect:\n"
                                "  - { app: b, goodput: '>= 9Mbps' }\n"
                                "  - { app: b, goodput: '> 10Mbps' }\n"
                                "  - { app: b, finished: '<= 3s' }\n"
                                "  - { app: b, finished: '< 2.5s' }\n"
                                "  - { app: b, reached: established }\n"
                                "  - { app: b, reached: time-wait }\n"
                                "  - { app: idle, goodput: '> 0bps' }\n"
                                "  - { app: idle, finished: '<= 10s' }\n"
                                "  - { app: idle, reached: SYN_SENT }\n";

/* The checks read App.goodput_bytes and goodput_time, done_at and
 * tcp_states: set by hand here, on a network that does not run. */
START_TEST(test_expect_app_checks_messages)
{
  Scenario *sc = testlib_load_ok(fake_yaml);
  Network *net = build_network(sc);
  Expect *ex = expect_new(net, sc);
  App *b = g_ptr_array_index(net->apps, 0);
  b->goodput_bytes = 1250000;
  b->goodput_time = SIMTIME_S(1);
  b->done_at = SIMTIME_MS(2500);
  b->tcp_states = 1u << TCP_SYN_SENT | 1u << TCP_ESTABLISHED;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  guint passed = 0;
  ck_assert_uint_eq(expect_finish(ex, out, &passed), 6);
  fclose(out);
  ck_assert_uint_eq(passed, 3);
  ck_assert_str_eq(text, "test.yaml:12:5: expect failed: goodput of b > 10Mbps\n"
                         "  expected: > 10Mbps\n"
                         "  found:    10Mbps (1250000 bytes in 1s)\n"
                         "test.yaml:14:5: expect failed: b finished < 2.5s\n"
                         "  expected: finished < 2.5s\n"
                         "  found:    finished at 2.5s\n"
                         "test.yaml:16:5: expect failed: b reached TIME_WAIT\n"
                         "  expected: a connection in TIME_WAIT\n"
                         "  found:    entered SYN_SENT ESTABLISHED\n"
                         "test.yaml:17:5: expect failed: goodput of idle > 0bps\n"
                         "  expected: > 0bps\n"
                         "  found:    no goodput (0 bytes moved)\n"
                         "test.yaml:18:5: expect failed: idle finished <= 10s\n"
                         "  expected: finished <= 10s\n"
                         "  found:    not finished when the run ended at 0s\n"
                         "test.yaml:19:5: expect failed: idle reached SYN_SENT\n"
                         "  expected: a connection in SYN_SENT\n"
                         "  found:    no connection\n");
  free(text);
  expect_free(ex);
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* The loader's names of TCP states (sim/ cannot include models/) are
 * TCP's own, in TcpState order. */
START_TEST(test_reached_state_names)
{
  char *head = g_strndup(fake_yaml, (gsize)(strstr(fake_yaml, "expect:") - fake_yaml));
  for (int s = 0; s < TCP_STATE_COUNT; s++) {
    char *yaml = g_strdup_printf("%sexpect:\n  - { app: b, reached: %s }\n", head, tcp_state_name((TcpState)s));
    Scenario *sc = testlib_load_ok(yaml);
    ck_assert_int_eq(g_array_index(sc->expects, ScenarioExpect, 0).tcp_state, s);
    scenario_free(sc);
    g_free(yaml);
  }
  g_free(head);
}
END_TEST

/* A real transfer: goodput below what the link can carry (1448 data
 * bytes per 1514-byte frame: 9.564 Mbit/s) and not far below; finished
 * soon after 1 MB took its time; the states of an active close. */
START_TEST(test_expect_bulk_run)
{
  Run r = {0};
  char *yaml = g_strconcat(bulk_yaml,
                           "expect:\n"
                           "  - { app: b, goodput: '>= 8Mbps' }\n"
                           "  - { app: b, goodput: '<= 9.564Mbps' }\n"
                           "  - { app: b, finished: '<= 1.5s' }\n"
                           "  - { app: b, reached: time-wait }\n"
                           "  - { app: sink, reached: last-ack }\n"
                           "  - { flow: b, delivered: 100% }\n",
                           NULL);
  run_yaml(&r, yaml);
  ck_assert_msg(r.failed == 0, "%s", r.expect_out);
  ck_assert_uint_eq(r.passed, 6);
  App *b = run_app(&r, 1);
  ck_assert_uint_eq(b->goodput_bytes, 1000000);
  /* 1 MB needs at least 8e6 * 1514 / 1448 / 10e6 s on the wire */
  ck_assert_int_ge(b->done_at, SIMTIME_MS(100) + 836464088);
  run_clear(&r);
  g_free(yaml);
}
END_TEST

static Suite *results_suite(void)
{
  Suite *s = suite_create("results");
  TCase *flows = tcase_create("flows");
  tcase_add_test(flows, test_flow_statistics_exact);
  tcase_add_test(flows, test_flow_files_and_losses);
  tcase_add_test(flows, test_flow_fragments_count_once);
  tcase_add_test(flows, test_tcp_series_file);
  suite_add_tcase(s, flows);
  TCase *expect = tcase_create("expect");
  tcase_add_test(expect, test_expect_delivered_udp_kinds);
  tcase_add_test(expect, test_expect_app_checks_messages);
  tcase_add_test(expect, test_reached_state_names);
  tcase_add_test(expect, test_expect_bulk_run);
  suite_add_tcase(s, expect);
  return s;
}

int main(void)
{
  return testlib_run_suite(results_suite());
}
