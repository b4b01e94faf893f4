/*
 * Tests of the TCP applications: bulk and bulk-sink, http and
 * http-server, ftp and ftp-server, run on small scenarios built from YAML
 * strings with what they print captured. They check the bytes delivered
 * (exactly, content included, also over a lossy link), the iperf-like
 * interval lines, per-request times that follow from the link's delay
 * where the path is fast enough for serialization to vanish, persistent
 * against fresh connections (counted as TCP flows), the FTP dialogue, and
 * the errors printed when the server is absent or the path dead.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "models/transport/socket.h"
#include "tests/testlib.h"

/* The line of `text` holding `needle`, from `from` on (NULL when none); g_free it. */
static char *find_line(const char *text, const char *needle, const char **from)
{
  const char *hit = strstr(from && *from ? *from : text, needle);
  if (!hit)
    return NULL;
  const char *start = hit;
  while (start > text && start[-1] != '\n')
    start--;
  const char *end = strchr(hit, '\n');
  if (from)
    *from = end ? end : hit + strlen(hit);
  return g_strndup(start, end ? (size_t)(end - start) : strlen(start));
}

static int count_substr(const char *text, const char *needle)
{
  int n = 0;
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* Asserts the needles appear in this order in `text`. */
static void assert_in_order(const char *text, const char *const *needles)
{
  const char *at = text;
  for (guint i = 0; needles[i]; i++) {
    const char *hit = strstr(at, needles[i]);
    ck_assert_msg(hit != NULL, "missing (in order) '%s' in:\n%s", needles[i], text);
    at = hit + strlen(needles[i]);
  }
}

/* The number of TCP flows from `src` to `dst` (one per connection and direction). */
static int count_tcp_flows(const Network *net, uint32_t src, uint32_t dst)
{
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);
  int n = 0;
  for (guint i = 0; i < flows->len; i++) {
    const Flow *f = g_ptr_array_index(flows, i);
    n += f->key.proto == 6 && f->key.src == src && f->key.dst == dst;
  }
  g_ptr_array_unref(flows);
  return n;
}

#define H1 0x0a000001u
#define H2 0x0a000002u

/* The time of `GET /bytes/<size>` in ms, from its line; -1 when missing. */
static double http_time_ms(const char *text, uint64_t size)
{
  char *needle = g_strdup_printf("GET /bytes/%" PRIu64 ": 200 OK, %" PRIu64 " bytes in ", size, size);
  char *line = find_line(text, needle, NULL);
  double ms = -1;
  if (line)
    ms = g_ascii_strtod(strstr(line, needle) + strlen(needle), NULL);
  g_free(line);
  g_free(needle);
  return ms;
}

/* ---- bulk ------------------------------------------------------------- */

static const char *bulk_yaml = "stop: 30s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2], rate: 10Mbps, delay: 5ms%s }\n"
                               "apps:\n"
                               "  - { name: sink, type: bulk-sink, on: h2 }\n"
                               "  - { name: tx, type: bulk, on: h1, to: h2, start: 1s, bytes: %s%s }\n";

static TestRun run_bulk(const char *link_extra, const char *bytes, const char *app_extra)
{
  char *yaml = g_strdup_printf(bulk_yaml, link_extra, bytes, app_extra);
  TestRun r = testlib_run_scenario(yaml, NULL);
  g_free(yaml);
  return r;
}

START_TEST(test_bulk_exact_bytes)
{
  TestRun r = run_bulk("", "1000000", "");
  App *sink = testlib_run_app(&r, 0), *tx = testlib_run_app(&r, 1);
  ck_assert_uint_eq(sink->goodput_bytes, 1000000);
  ck_assert_uint_eq(tx->goodput_bytes, 1000000);
  ck_assert_ptr_null(strstr(r.text, "content error"));
  ck_assert_ptr_null(strstr(r.text, "error"));
  /* 1 MB cannot cross 10 Mbps in less than 0.8 s; slow start over a 10 ms
   * RTT costs a few round trips more, not seconds. */
  ck_assert_int_gt(tx->done_at, SIMTIME_S(1) + SIMTIME_MS(800));
  ck_assert_int_lt(tx->done_at, SIMTIME_S(1) + SIMTIME_MS(1300));
  ck_assert_int_ge(sink->done_at, SIMTIME_S(1) + SIMTIME_MS(800));
  ck_assert_int_eq(tx->goodput_time, tx->done_at - SIMTIME_S(1));
  /* The sender closed first (TIME_WAIT), the sink after reading the end. */
  ck_assert(tx->tcp_states & (1u << TCP_TIME_WAIT));
  ck_assert(tx->tcp_states & (1u << TCP_FIN_WAIT_2));
  ck_assert(sink->tcp_states & (1u << TCP_LAST_ACK));
  ck_assert(tx->has_flow && tx->flow.src == H1 && tx->flow.dst == H2 && tx->flow.dport == 5001);
  ck_assert(sink->has_flow && sink->flow.sport == tx->flow.sport);
  const char *const order[] = {"h2 sink: Server listening on 5001",
                               "h1 tx: Connecting to host 10.0.0.2, port 5001",
                               "h2 sink: Accepted connection from 10.0.0.1, port ",
                               "                  receiver",
                               "             sender",
                               NULL};
  assert_in_order(r.text, order);
  char *line = find_line(r.text, "sender", NULL);
  ck_assert_ptr_nonnull(strstr(line, "h1 tx: [  1]   0.00-"));
  ck_assert_ptr_nonnull(strstr(line, " sec   977 KBytes  "));
  g_free(line);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_bulk_lossy_content)
{
  TestRun r = run_bulk(", loss: 2%", "300000", "");
  App *sink = testlib_run_app(&r, 0), *tx = testlib_run_app(&r, 1);
  ck_assert_uint_eq(sink->goodput_bytes, 300000);
  ck_assert_uint_eq(tx->goodput_bytes, 300000);
  ck_assert_ptr_null(strstr(r.text, "content error"));
  ck_assert_int_gt(tx->done_at, 0);
  /* Losses were repaired: the total line counts retransmissions. */
  char *line = find_line(r.text, "sender", NULL);
  unsigned retr = 0;
  const char *mb = strstr(line, "bits/sec");
  ck_assert(mb && sscanf(mb + 8, "%u", &retr) == 1);
  ck_assert_uint_gt(retr, 0);
  g_free(line);
  testlib_run_free(&r);
}
END_TEST

/* The bit rate in Mbit/s of the line holding `needle`. */
static double bulk_rate(const char *text, const char *needle)
{
  char *line = find_line(text, needle, NULL);
  ck_assert_msg(line != NULL, "no line with '%s' in:\n%s", needle, text);
  const char *unit = strstr(line, " Mbits/sec");
  ck_assert_msg(unit != NULL, "not Mbits/sec: %s", line);
  const char *num = unit;
  while (num > line && num[-1] != ' ')
    num--;
  double v = g_ascii_strtod(num, NULL);
  g_free(line);
  return v;
}

START_TEST(test_bulk_intervals)
{
  TestRun r = run_bulk("", "0", ", stop: 4500ms");
  App *sink = testlib_run_app(&r, 0), *tx = testlib_run_app(&r, 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [ ID] Interval           Transfer     Bitrate         Retr\n"), 2);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   0.00-1.00   sec  "), 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   1.00-2.00   sec  "), 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   2.00-3.00   sec  "), 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   3.00-3.50   sec  "), 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   0.00-3.50   sec  "), 1);
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]"), 6); /* connected, 4 intervals, total */
  /* Steady state: the link's 10 Mbps less the headers of 1448-byte
   * segments (66 + 14 bytes each): at most 9.48 Mbit/s of payload. */
  double mid = bulk_rate(r.text, "h1 tx: [  1]   2.00-3.00   sec");
  ck_assert_msg(mid > 9.0 && mid <= 9.65, "rate %g", mid);
  /* The sink's intervals count from its accept, one RTT after the start. */
  ck_assert_int_eq(count_substr(r.text, "h2 sink: [  1]   1.00-2.00   sec  "), 1);
  double sink_mid = bulk_rate(r.text, "h2 sink: [  1]   1.00-2.00   sec");
  ck_assert_msg(sink_mid > 9.0 && sink_mid <= 9.65, "rate %g", sink_mid);
  /* Until stop: no done_at; goodput over the 3.5 s it ran. */
  ck_assert_int_eq(tx->done_at, -1);
  ck_assert_int_eq(tx->goodput_time, SIMTIME_MS(3500));
  double mbps = (double)tx->goodput_bytes * 8 / 3.5 / 1e6;
  ck_assert_msg(mbps > 8.5 && mbps <= 9.65, "goodput %g", mbps);
  ck_assert_uint_gt(sink->goodput_bytes, 0);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_bulk_report_zero)
{
  TestRun r = run_bulk("", "100000", ", report: 0s");
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1] "), 2);          /* connected, total */
  ck_assert_int_eq(count_substr(r.text, "h1 tx: [  1]   0.00-"), 1);   /* the total */
  ck_assert_int_eq(count_substr(r.text, "h2 sink: [  1]   0.00-"), 2); /* its default 1s: a short interval, the total */
  ck_assert_uint_eq(testlib_run_app(&r, 0)->goodput_bytes, 100000);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_bulk_refused)
{
  TestRun r = testlib_run_scenario("stop: 10s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2], rate: 10Mbps, delay: 5ms }\n"
                                   "apps:\n"
                                   "  - { name: tx, type: bulk, on: h1, to: h2, start: 1s, bytes: 1000 }\n",
                                   NULL);
  char *line = find_line(r.text, "h1 tx: error: unable to connect to 10.0.0.2 port 5001: connection refused", NULL);
  ck_assert_msg(line != NULL, "%s", r.text);
  /* ARP, then SYN and RST: two round trips of 10 ms after the start. */
  ck_assert(g_str_has_prefix(line, "1.02"));
  g_free(line);
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, -1);
  ck_assert_ptr_null(strstr(r.text, "sender"));
  testlib_run_free(&r);
}
END_TEST

static TcpStack *silenced_tcp; /* h2's TCP while it is silenced */

/* h2 (node 1) runs no TCP: every segment it gets vanishes. */
static void silence_h2(Network *net)
{
  Node *h2 = network_node(net, 1);
  silenced_tcp = h2->tcp;
  h2->tcp = NULL;
}

/* A dead peer: h2 answers ARP but no SYN (it runs no TCP). The SYN is
 * sent at 1 s and again after the initial RTO (1 s) and its double (2 s);
 * the connect fails 4 s after the last, as Linux's: 7 s after the start. */
START_TEST(test_bulk_dead_path)
{
  TestRun r = testlib_run_scenario(
      "stop: 60s\n"
      "nodes:\n"
      "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
      "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
      "links:\n"
      "  - { ends: [h1, h2], rate: 10Mbps, delay: 5ms }\n"
      "apps:\n"
      "  - { name: tx, type: bulk, on: h1, to: h2, start: 1s, bytes: 1000, tcp: { syn-retries: 2 } }\n"
      "  - { name: web, type: http, on: h1, to: h2, start: 1s, sizes: [10], tcp: { syn-retries: 2 } }\n"
      "  - { name: get, type: ftp, on: h1, to: h2, start: 1s, sizes: [10], tcp: { syn-retries: 2 } }\n",
      silence_h2);
  network_node(r.net, 1)->tcp = silenced_tcp;
  ck_assert_ptr_nonnull(
      strstr(r.text, "\n8.000000000 h1 tx: error: unable to connect to 10.0.0.2 port 5001: connection timed out\n"));
  ck_assert_ptr_nonnull(
      strstr(r.text, "\n8.000000000 h1 web: error: cannot connect to 10.0.0.2 port 80: connection timed out\n"));
  ck_assert_ptr_nonnull(
      strstr(r.text, "\n8.000000000 h1 get: ftp: connect to 10.0.0.2 port 21: connection timed out\n"));
  for (guint i = 0; i < 3; i++)
    ck_assert_int_eq(testlib_run_app(&r, i)->done_at, -1);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->goodput_bytes, 0);
  testlib_run_free(&r);
}
END_TEST

/* A dead link: every frame is lost, ARP too. ARP gives up 3 s after its
 * first request and the SYN waiting for it comes back as ICMP host
 * unreachable from h1 itself (as Linux): the connects fail at 4 s. */
START_TEST(test_bulk_dead_link)
{
  TestRun r = testlib_run_scenario("stop: 60s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2], rate: 10Mbps, delay: 5ms, loss: 100% }\n"
                                   "apps:\n"
                                   "  - { name: sink, type: bulk-sink, on: h2 }\n"
                                   "  - { name: tx, type: bulk, on: h1, to: h2, start: 1s, bytes: 1000 }\n"
                                   "  - { name: web, type: http, on: h1, to: h2, start: 1s, sizes: [10] }\n"
                                   "  - { name: get, type: ftp, on: h1, to: h2, start: 1s, sizes: [10] }\n",
                                   NULL);
  ck_assert_ptr_nonnull(
      strstr(r.text, "\n4.000000000 h1 tx: error: unable to connect to 10.0.0.2 port 5001: no route to host\n"));
  ck_assert_ptr_nonnull(
      strstr(r.text, "\n4.000000000 h1 web: error: cannot connect to 10.0.0.2 port 80: no route to host\n"));
  ck_assert_ptr_nonnull(strstr(r.text, "\n4.000000000 h1 get: ftp: connect to 10.0.0.2 port 21: no route to host\n"));
  testlib_run_free(&r);
}
END_TEST

/* One sink takes any number of connections, numbered in accept order;
 * its goodput counts them all. Runs twice: the same output. */
START_TEST(test_bulk_two_senders_one_sink)
{
  const char *yaml = "stop: 20s\n"
                     "nodes:\n"
                     "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                     "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                     "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                     "  s1: { kind: switch }\n"
                     "links:\n"
                     "  - { ends: [h1, s1], rate: 10Mbps, delay: 1ms }\n"
                     "  - { ends: [h3, s1], rate: 10Mbps, delay: 1ms }\n"
                     "  - { ends: [s1, h2], rate: 10Mbps, delay: 1ms }\n"
                     "apps:\n"
                     "  - { name: sink, type: bulk-sink, on: h2, port: 6000 }\n"
                     "  - { name: a, type: bulk, on: h1, to: \"h2:6000\", start: 1s, bytes: 500000 }\n"
                     "  - { name: b, type: bulk, on: h3, to: \"h2:6000\", start: 1100ms, bytes: 700000 }\n";
  TestRun r = testlib_run_scenario(yaml, NULL);
  TestRun again = testlib_run_scenario(yaml, NULL);
  ck_assert_str_eq(r.text, again.text);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->goodput_bytes, 1200000);
  ck_assert_ptr_nonnull(strstr(r.text, "h2 sink: Server listening on 6000\n"));
  ck_assert_ptr_nonnull(strstr(r.text, "h2 sink: [  1] local 10.0.0.2 port 6000 connected to 10.0.0.1 port "));
  ck_assert_ptr_nonnull(strstr(r.text, "h2 sink: [  2] local 10.0.0.2 port 6000 connected to 10.0.0.3 port "));
  ck_assert_int_eq(count_substr(r.text, "                  receiver\n"), 2);
  ck_assert_ptr_null(strstr(r.text, "content error"));
  ck_assert_int_gt(testlib_run_app(&r, 1)->done_at, 0);
  ck_assert_int_gt(testlib_run_app(&r, 2)->done_at, 0);
  testlib_run_free(&again);
  testlib_run_free(&r);
}
END_TEST

/* ---- http ------------------------------------------------------------- */

/* 1 Gbps and 5 ms each way: a round trip is 10 ms, and serializing these
 * small segments takes microseconds. */
static const char *http_yaml =
    "stop: 10s\n"
    "nodes:\n"
    "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
    "links:\n"
    "  - { ends: [h1, h2], rate: 1Gbps, delay: 5ms }\n"
    "apps:\n"
    "  - { name: www, type: http-server, on: h2 }\n"
    "  - { name: web, type: http, on: h1, to: h2, start: 1s, sizes: [1000, 2000, 3000]%s }\n";

static TestRun run_http(const char *extra)
{
  char *yaml = g_strdup_printf(http_yaml, extra);
  TestRun r = testlib_run_scenario(yaml, NULL);
  g_free(yaml);
  return r;
}

/* `ms` lies within [rtts x 10 ms, + 0.1 ms of serialization]. */
static void assert_rtts(double ms, int rtts)
{
  ck_assert_msg(ms >= rtts * 10.0 && ms <= rtts * 10.0 + 0.1, "%g ms, expected %d RTTs of 10 ms", ms, rtts);
}

START_TEST(test_http_persistent)
{
  TestRun r = run_http("");
  App *web = testlib_run_app(&r, 1);
  /* The first: ARP, handshake, request; then one request round trip each. */
  assert_rtts(http_time_ms(r.text, 1000), 3);
  assert_rtts(http_time_ms(r.text, 2000), 1);
  assert_rtts(http_time_ms(r.text, 3000), 1);
  ck_assert_ptr_nonnull(strstr(r.text, "h1 web: 3 requests, 3 ok, 6000 body bytes in 0.05"));
  ck_assert_ptr_nonnull(strstr(r.text, " over 1 connection ("));
  ck_assert_int_eq(count_tcp_flows(r.net, H1, H2), 1);
  ck_assert_uint_eq(web->goodput_bytes, 6000);
  ck_assert_int_gt(web->done_at, SIMTIME_S(1) + SIMTIME_MS(50));
  ck_assert_int_lt(web->done_at, SIMTIME_S(1) + SIMTIME_MS(51));
  ck_assert_int_eq(web->goodput_time, web->done_at - SIMTIME_S(1));
  testlib_run_free(&r);
}
END_TEST

/* Frame sizes on the wire (no FCS): ARP padded to 60 bytes; a SYN or
 * SYN-ACK carries MSS, window scale and timestamps (14 + 20 + 40); every
 * later segment the timestamp option (14 + 20 + 32 + payload). */
#define FRAME_ARP 60
#define FRAME_SYN 74
#define FRAME_DATA(n) (66 + (n))
#define HTTP_MSS 1448

/* The Date of a response made during simulated second 1 (time 0 is the
 * Unix epoch). */
#define DATE_1S "Thu, 01 Jan 1970 00:00:01 GMT"

/* Serialization of n bytes at 10 Mbps: 800 ns a byte. */
static SimTime ser10(size_t n)
{
  return (SimTime)n * 800;
}

/* The request's and response's serialization: one request frame, then the
 * response (head and body) in MSS-sized segments back to back. */
static SimTime http_exchange_ser(uint64_t size, const char *connection)
{
  char *req =
      g_strdup_printf("GET /bytes/%" PRIu64 " HTTP/1.1\r\nHost: 10.0.0.2\r\nConnection: %s\r\n\r\n", size, connection);
  char *head = g_strdup_printf("HTTP/1.1 200 OK\r\nDate: " DATE_1S "\r\nContent-Length: %" PRIu64
                               "\r\nContent-Type: application/octet-stream\r\n\r\n",
                               size);
  SimTime t = ser10(FRAME_DATA(strlen(req)));
  for (uint64_t left = strlen(head) + size; left > 0; left -= MIN(left, HTTP_MSS))
    t += ser10(FRAME_DATA(MIN(left, HTTP_MSS)));
  g_free(req);
  g_free(head);
  return t;
}

/* On an idle 10 Mbps, 5 ms path the times follow from the link: the
 * first request waits for ARP, the handshake (the client's ACK leaves just
 * before the request) and its own round trip, plus at most one bare ACK
 * the server may send first (Linux's quick ACKs at a connection's start);
 * later ones exactly their round trip and serialization. The responses
 * fit in one segment, so no ACK of the client's goes before a request. */
START_TEST(test_http_times_exact)
{
  TestRun r =
      testlib_run_scenario("stop: 10s\n"
                           "nodes:\n"
                           "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                           "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                           "links:\n"
                           "  - { ends: [h1, h2], rate: 10Mbps, delay: 5ms }\n"
                           "apps:\n"
                           "  - { name: www, type: http-server, on: h2 }\n"
                           "  - { name: web, type: http, on: h1, to: h2, start: 1s, sizes: [1000, 1200, 1300] }\n",
                           NULL);
  const SimTime d = SIMTIME_MS(5);
  SimTime arp = 2 * (ser10(FRAME_ARP) + d);
  SimTime handshake = 2 * (ser10(FRAME_SYN) + d) + ser10(FRAME_DATA(0));
  SimTime first = arp + handshake + http_exchange_ser(1000, "keep-alive") + 2 * d;
  double ms = http_time_ms(r.text, 1000);
  ck_assert_msg(ms >= (double)first / 1e6 - 0.0005 && ms <= (double)(first + ser10(FRAME_DATA(0))) / 1e6 + 0.0005,
                "first request: %.3f ms, expected %.3f ms (+ 0.053)", ms, (double)first / 1e6);
  const uint64_t sizes[2] = {1200, 1300};
  SimTime at = SIMTIME_S(1) + (SimTime)(ms * 1e6 + 0.5);
  for (int i = 0; i < 2; i++) {
    SimTime t = http_exchange_ser(sizes[i], "keep-alive") + 2 * d;
    char *line = g_strdup_printf(" h1 web: GET /bytes/%" PRIu64 ": 200 OK, %" PRIu64 " bytes in %.3f ms\n", sizes[i],
                                 sizes[i], (double)t / 1e6);
    ck_assert_msg(strstr(r.text, line) != NULL, "missing:\n%sin:\n%s", line, r.text);
    g_free(line);
    at += t;
  }
  /* done_at within the first request's microsecond of rounding. */
  ck_assert_int_le(llabs(testlib_run_app(&r, 1)->done_at - at), 500);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_http_fresh)
{
  TestRun r = run_http(", persistent: false");
  App *web = testlib_run_app(&r, 1);
  assert_rtts(http_time_ms(r.text, 1000), 3);
  /* A fresh connection: the handshake's round trip and the request's. */
  assert_rtts(http_time_ms(r.text, 2000), 2);
  assert_rtts(http_time_ms(r.text, 3000), 2);
  ck_assert_ptr_nonnull(strstr(r.text, " over 3 connections ("));
  ck_assert_int_eq(count_tcp_flows(r.net, H1, H2), 3);
  ck_assert_int_eq(count_tcp_flows(r.net, H2, H1), 3);
  ck_assert_uint_eq(web->goodput_bytes, 6000);
  ck_assert_int_gt(web->done_at, 0);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_http_refused)
{
  TestRun r = testlib_run_scenario("stop: 10s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2] }\n"
                                   "apps:\n"
                                   "  - { name: web, type: http, on: h1, to: h2, start: 1s, sizes: [1000] }\n",
                                   NULL);
  ck_assert_ptr_nonnull(strstr(r.text, "h1 web: error: cannot connect to 10.0.0.2 port 80: connection refused\n"));
  ck_assert_ptr_nonnull(strstr(r.text, "h1 web: 0 requests, 0 ok, 0 body bytes"));
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, -1);
  testlib_run_free(&r);
}
END_TEST

/* A raw client written against the socket API: sends `request` at 1 s
 * and keeps everything it reads. */
typedef struct {
  Socket *s;
  const char *request;
  uint16_t port;
  GString *got;
  gboolean eof;
  int64_t start_s; /* when it connects, in seconds */
} RawClient;

static void raw_connected(Socket *s, void *user)
{
  RawClient *rc = user;
  ck_assert_int_eq(socket_send(s, rc->request, strlen(rc->request)), (ssize_t)strlen(rc->request));
}

static void raw_readable(Socket *s, void *user)
{
  RawClient *rc = user;
  char buf[4096];
  ssize_t n;
  while ((n = socket_recv(s, buf, sizeof buf)) > 0)
    g_string_append_len(rc->got, buf, n);
  rc->eof |= n == 0;
}

static const SocketCallbacks raw_callbacks = {.connected = raw_connected, .readable = raw_readable};

static RawClient raw_client;

static void raw_start(void *obj, void *arg)
{
  Network *net = obj;
  (void)arg;
  raw_client.s = socket_new(network_node(net, 0), SOCKET_TCP, &raw_callbacks, &raw_client);
  ck_assert_int_eq(socket_connect(raw_client.s, H2, raw_client.port), 0);
}

static void raw_setup(Network *net)
{
  scheduler_at(net->ctx.sched, SIMTIME_S(raw_client.start_s), raw_start, net, NULL);
}

/* Runs a server of `server_type` on h2 and a raw client on h1 that
 * connects to `port` at `start_s` seconds and sends `request`; returns
 * what it read. */
static GString *raw_exchange_at(const char *server_type, uint16_t port, const char *request, int64_t start_s)
{
  char *yaml = g_strdup_printf("stop: %" PRId64 "s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2] }\n"
                               "apps:\n"
                               "  - { name: srv, type: %s, on: h2 }\n",
                               start_s + 4, server_type);
  raw_client = (RawClient){.request = request, .port = port, .got = g_string_new(NULL), .start_s = start_s};
  TestRun r = testlib_run_scenario(yaml, raw_setup);
  g_free(yaml);
  socket_close(raw_client.s);
  testlib_run_free(&r);
  return raw_client.got;
}

static GString *raw_exchange(const char *server_type, uint16_t port, const char *request)
{
  return raw_exchange_at(server_type, port, request, 1);
}

START_TEST(test_http_server_errors_and_pipelining)
{
  GString *got = raw_exchange("http-server", 80,
                              "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /index.html HTTP/1.1\r\n\r\n"
                              "GET /bytes/5 HTTP/1.1\r\nConnection: close\r\n\r\n");
  const char *expect = "HTTP/1.1 501 Not Implemented\r\nDate: " DATE_1S "\r\nContent-Length: 24\r\n"
                       "Content-Type: text/plain\r\n\r\n"
                       "only GET is implemented\n"
                       "HTTP/1.1 404 Not Found\r\nDate: " DATE_1S "\r\nContent-Length: 15\r\n"
                       "Content-Type: text/plain\r\n\r\n"
                       "try /bytes/<n>\n"
                       "HTTP/1.1 200 OK\r\nDate: " DATE_1S "\r\nContent-Length: 5\r\n"
                       "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
  ck_assert_uint_eq(got->len, strlen(expect) + 5);
  ck_assert(memcmp(got->str, expect, strlen(expect)) == 0);
  ck_assert(memcmp(got->str + strlen(expect), "\0\1\2\3\4", 5) == 0);
  ck_assert(raw_client.eof); /* Connection: close */
  g_string_free(got, TRUE);
  got = raw_exchange("http-server", 80, "garbage\r\n\r\n");
  ck_assert_str_eq(got->str, "HTTP/1.1 400 Bad Request\r\nDate: " DATE_1S "\r\nContent-Length: 12\r\n"
                             "Content-Type: text/plain\r\nConnection: close\r\n\r\nbad request\n");
  ck_assert(raw_client.eof);
  g_string_free(got, TRUE);
}
END_TEST

/* The Date header (RFC 9110 6.6.1) at known simulated times, time 0 being
 * 1970-01-01T00:00:00Z: RFC 9110's own example, leap days (2000 is a leap
 * year, a century divisible by 400), the last second of a day, a year and
 * a century. The response leaves a few ms after the connect: same second. */
START_TEST(test_http_date_header)
{
  static const struct {
    int64_t at;
    const char *date;
  } cases[] = {
      {784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},  {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
      {1709251199, "Thu, 29 Feb 2024 23:59:59 GMT"}, {4102444799, "Thu, 31 Dec 2099 23:59:59 GMT"},
      {86400 * 59, "Sun, 01 Mar 1970 00:00:00 GMT"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GString *got = raw_exchange_at("http-server", 80, "GET /bytes/0 HTTP/1.1\r\n\r\n", cases[i].at);
    char *expect = g_strdup_printf("HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Length: 0\r\n"
                                   "Content-Type: application/octet-stream\r\n\r\n",
                                   cases[i].date);
    ck_assert_str_eq(got->str, expect);
    g_free(expect);
    g_string_free(got, TRUE);
  }
}
END_TEST

/* ---- ftp -------------------------------------------------------------- */

START_TEST(test_ftp_session)
{
  TestRun r = testlib_run_scenario("stop: 20s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2], rate: 10Mbps, delay: 2ms }\n"
                                   "apps:\n"
                                   "  - { name: srv, type: ftp-server, on: h2 }\n"
                                   "  - { name: get, type: ftp, on: h1, to: h2, start: 1s, sizes: [1000, 100000] }\n",
                                   NULL);
  App *get = testlib_run_app(&r, 1);
  const char *const order[] = {"h2 srv: listening on port 21\n",
                               "h1 get: Connected to 10.0.0.2.\n",
                               "h1 get: 220 ipsim FTP server ready.\n",
                               "h1 get: 331 Please specify the password.\n",
                               "h1 get: 230 Login successful.\n",
                               "h1 get: 200 Switching to Binary mode.\n",
                               "h1 get: 227 Entering Passive Mode (10,0,0,2,",
                               "h1 get: 150 Opening BINARY mode data connection for file-1000 (1000 bytes).\n",
                               "h1 get: 1000 bytes received in ",
                               "h1 get: 227 Entering Passive Mode (10,0,0,2,",
                               "h1 get: 150 Opening BINARY mode data connection for file-100000 (100000 bytes).\n",
                               "h1 get: 100000 bytes received in ",
                               "h1 get: 221 Goodbye.\n",
                               "h1 get: retrieved 2 files (101000 bytes) in ",
                               NULL};
  assert_in_order(r.text, order);
  ck_assert_int_eq(count_substr(r.text, "226 Transfer complete."), 2);
  ck_assert_ptr_null(strstr(r.text, "error"));
  ck_assert_uint_eq(get->goodput_bytes, 101000);
  ck_assert_int_gt(get->done_at, SIMTIME_S(1));
  ck_assert_int_lt(get->done_at, SIMTIME_S(2));
  /* 100 kB at 10 Mbps takes 80 ms at least. */
  ck_assert_int_gt(get->goodput_time, SIMTIME_MS(80));
  /* The control connection and one data connection per file. */
  ck_assert_int_eq(count_tcp_flows(r.net, H2, H1), 3);
  ck_assert(get->has_flow && get->flow.src == H2 && get->flow.dst == H1 && get->flow.sport != 21);
  testlib_run_free(&r);
}
END_TEST

/* The run's trace, into a temporary file the network owns. */
static void trace_link_setup(Network *net)
{
  net->ctx.trace = trace_new(tmpfile(), TRUE, TRACE_LINK);
}

/* The trace lines so far, split; g_strfreev them. */
static char **trace_lines(const Network *net)
{
  GString *all = g_string_new(NULL);
  char buf[4096];
  size_t n;
  fflush(net->ctx.trace->out);
  rewind(net->ctx.trace->out);
  while ((n = fread(buf, 1, sizeof buf, net->ctx.trace->out)) > 0)
    g_string_append_len(all, buf, (gssize)n);
  char **lines = g_strsplit(all->str, "\n", -1);
  g_string_free(all, TRUE);
  return lines;
}

static SimTime trace_time(const char *line)
{
  unsigned long long sec = 0, ns = 0;
  ck_assert_int_eq(sscanf(line, "%llu.%llu", &sec, &ns), 2);
  return (SimTime)(sec * 1000000000ull + ns);
}

/* The times of the server's (h2's) data FIN, of the client's data FIN
 * reaching it, and of its 226 (the one 24-byte reply in this session:
 * "226 Transfer complete.\r\n"), for each file. */
static void ftp_wire_times(char **lines, SimTime fin[2], SimTime fin_back[2], SimTime reply[2])
{
  int nf = 0, nb = 0, nr = 0;
  for (char **l = lines; *l; l++) {
    gboolean ctrl = strstr(*l, "TCP 21 > ") || strstr(*l, " > 21 ");
    gboolean tx = strstr(*l, " h2 eth0 tx #") && strstr(*l, " IPv4 10.0.0.2 > ");
    gboolean rx = strstr(*l, " h2 eth0 rx #") && strstr(*l, " IPv4 10.0.0.1 > ");
    if (tx && !ctrl && strstr(*l, "[F") && nf < 2)
      fin[nf++] = trace_time(*l);
    if (rx && !ctrl && strstr(*l, "[F") && nb < 2)
      fin_back[nb++] = trace_time(*l);
    if (tx && strstr(*l, "TCP 21 > ") && g_str_has_suffix(*l, " len 24") && nr < 2)
      reply[nr++] = trace_time(*l);
  }
  ck_assert_int_eq(nf, 2);
  ck_assert_int_eq(nb, 2);
  ck_assert_int_eq(nr, 2);
}

/* The server replies 226 only once the data connection closed in order
 * (as vsftpd, whose lingering close() returns when the data and FIN are
 * acknowledged): on the wire the data FIN leaves first, the client's FIN
 * comes back, and the 226 leaves right after the ACK of that FIN (one
 * 66-byte frame, 52.8 us at 10 Mbps). */
START_TEST(test_ftp_226_after_data_close)
{
  TestRun r = testlib_run_scenario("stop: 20s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2], rate: 10Mbps, delay: 2ms }\n"
                                   "apps:\n"
                                   "  - { name: srv, type: ftp-server, on: h2 }\n"
                                   "  - { name: get, type: ftp, on: h1, to: h2, start: 1s, sizes: [1000, 100000] }\n",
                                   trace_link_setup);
  char **lines = trace_lines(r.net);
  SimTime fin[2], fin_back[2], reply[2];
  ftp_wire_times(lines, fin, fin_back, reply);
  for (int i = 0; i < 2; i++) {
    ck_assert_int_lt(fin[i], fin_back[i]);
    ck_assert_int_eq(reply[i], fin_back[i] + ser10(FRAME_DATA(0)));
    /* The client prints it one 2 ms hop and its 90 bytes on the wire later. */
    SimTime at = reply[i] + SIMTIME_MS(2) + ser10(FRAME_DATA(24));
    char *line = g_strdup_printf("\n%" PRId64 ".%09" PRId64 " h1 get: 226 Transfer complete.\n", at / 1000000000,
                                 at % 1000000000);
    ck_assert_msg(strstr(r.text, line), "missing %s in:\n%s", line + 1, r.text);
    g_free(line);
  }
  g_strfreev(lines);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_ftp_server_refuses)
{
  GString *got = raw_exchange("ftp-server", 21,
                              "RETR file-10\r\nUSER anonymous\r\nPASS x\r\nRETR file-10\r\n"
                              "PASV\r\nRETR readme.txt\r\nFOO\r\nQUIT\r\n");
  char **lines = g_strsplit(got->str, "\r\n", -1);
  ck_assert_str_eq(lines[0], "220 ipsim FTP server ready.");
  ck_assert_str_eq(lines[1], "530 Please login with USER and PASS.");
  ck_assert_str_eq(lines[2], "331 Please specify the password.");
  ck_assert_str_eq(lines[3], "230 Login successful.");
  ck_assert_str_eq(lines[4], "425 Use PORT or PASV first.");
  ck_assert(g_str_has_prefix(lines[5], "227 Entering Passive Mode (10,0,0,2,"));
  ck_assert_str_eq(lines[6], "550 Failed to open file.");
  ck_assert_str_eq(lines[7], "500 Unknown command.");
  ck_assert_str_eq(lines[8], "221 Goodbye.");
  ck_assert(raw_client.eof);
  g_strfreev(lines);
  g_string_free(got, TRUE);
}
END_TEST

START_TEST(test_ftp_refused)
{
  TestRun r = testlib_run_scenario("stop: 10s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2] }\n"
                                   "apps:\n"
                                   "  - { name: get, type: ftp, on: h1, to: h2, start: 1s, sizes: [1000] }\n",
                                   NULL);
  ck_assert_ptr_nonnull(strstr(r.text, "h1 get: ftp: connect to 10.0.0.2 port 21: connection refused\n"));
  ck_assert_ptr_nonnull(strstr(r.text, "h1 get: retrieved 0 files (0 bytes)"));
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, -1);
  testlib_run_free(&r);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("app_tcp");
  TCase *bulk = tcase_create("bulk");
  tcase_set_timeout(bulk, 60);
  tcase_add_test(bulk, test_bulk_exact_bytes);
  tcase_add_test(bulk, test_bulk_lossy_content);
  tcase_add_test(bulk, test_bulk_intervals);
  tcase_add_test(bulk, test_bulk_report_zero);
  tcase_add_test(bulk, test_bulk_refused);
  tcase_add_test(bulk, test_bulk_dead_path);
  tcase_add_test(bulk, test_bulk_dead_link);
  tcase_add_test(bulk, test_bulk_two_senders_one_sink);
  suite_add_tcase(s, bulk);
  TCase *http = tcase_create("http");
  tcase_set_timeout(http, 60);
  tcase_add_test(http, test_http_persistent);
  tcase_add_test(http, test_http_times_exact);
  tcase_add_test(http, test_http_fresh);
  tcase_add_test(http, test_http_refused);
  tcase_add_test(http, test_http_server_errors_and_pipelining);
  tcase_add_test(http, test_http_date_header);
  suite_add_tcase(s, http);
  TCase *ftp = tcase_create("ftp");
  tcase_set_timeout(ftp, 60);
  tcase_add_test(ftp, test_ftp_session);
  tcase_add_test(ftp, test_ftp_226_after_data_close);
  tcase_add_test(ftp, test_ftp_server_refuses);
  tcase_add_test(ftp, test_ftp_refused);
  suite_add_tcase(s, ftp);
  return testlib_run_suite(s);
}
