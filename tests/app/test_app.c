/*
 * Tests of the applications: ping, traceroute, udp-cbr and udp-sink run
 * on small scenarios built from YAML strings, with what they print
 * captured and compared line by line. Times are computed here from the
 * link parameters: a frame of n bytes takes n x 8 / rate to serialize, then
 * the link's delay; ARP (60-byte frames) precedes the first packet to a
 * neighbour.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "tests/testlib.h"

/* Frame sizes on the wire (Ethernet header included, no FCS). */
#define FRAME_ARP 60        /* padded to the minimum */
#define FRAME_PING_56 98    /* 14 + 20 + 8 + 56 */
#define FRAME_PROBE 74      /* 14 + 20 + 8 + 32 */
#define FRAME_ICMP_ERROR 70 /* 14 + 20 + 8 + 20 + 8 (the quoted header and 8 bytes) */

/* Serialization time of an n-byte frame at `bps`, rounded up to the ns. */
static SimTime ser(size_t n, uint64_t bps)
{
  return (SimTime)(((uint64_t)n * 8 * 1000000000u + bps - 1) / bps);
}

/* "<seconds with nine decimals> <node> <app>: <text>" */
static char *line_at(SimTime t, const char *who, const char *text)
{
  return g_strdup_printf("%" PRId64 ".%09" PRId64 " %s: %s", t / 1000000000, t % 1000000000, who, text);
}

/* Asserts that `line` is one whole line of `text`. */
static void assert_line(const char *text, const char *line)
{
  char *needle = g_strdup_printf("\n%s\n", line);
  char *hay = g_strdup_printf("\n%s", text);
  ck_assert_msg(strstr(hay, needle) != NULL, "missing line:\n%s\nin output:\n%s", line, text);
  g_free(needle);
  g_free(hay);
}

static void assert_line_at(const char *text, SimTime t, const char *who, const char *line)
{
  char *full = line_at(t, who, line);
  assert_line(text, full);
  g_free(full);
}

/* Asserts that some line of `text` ends with `suffix`. */
static void assert_line_ends(const char *text, const char *suffix)
{
  char *needle = g_strdup_printf("%s\n", suffix);
  ck_assert_msg(strstr(text, needle) != NULL, "no line ends with:\n%s\nin output:\n%s", suffix, text);
  g_free(needle);
}

static int count_lines(const char *text)
{
  int n = 0;
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  return n;
}

/* ---- ping ------------------------------------------------------------- */

static const char *two_hosts = "scenario: t\n"
                               "stop: 10s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2], rate: 100Mbps, delay: 1ms }\n"
                               "apps:\n"
                               "  - { name: p, type: ping, on: h1, to: h2, start: 1s, count: 3 }\n";

START_TEST(test_ping_rtt_exact)
{
  TestRun r = testlib_run_scenario(two_hosts, NULL);
  const uint64_t rate = 100000000;
  const SimTime delay = SIMTIME_MS(1);
  SimTime hop = ser(FRAME_PING_56, rate) + delay; /* 7840 + 1000000 */
  SimTime arp = 2 * (ser(FRAME_ARP, rate) + delay);
  SimTime rtt = 2 * hop;
  ck_assert_int_eq(rtt, 2015680);
  assert_line_at(r.text, SIMTIME_S(1), "h1 p", "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.");
  /* The first request waits for ARP: 4025 us, printed as iputils does. */
  assert_line_at(r.text, SIMTIME_S(1) + arp + rtt, "h1 p", "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=4.03 ms");
  assert_line_at(r.text, SIMTIME_S(2) + rtt, "h1 p", "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=2.02 ms");
  assert_line_at(r.text, SIMTIME_S(3) + rtt, "h1 p", "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=2.02 ms");
  /* Count reached: ping exits at the last reply with its summary. */
  SimTime end = SIMTIME_S(3) + rtt;
  assert_line_at(r.text, end, "h1 p", "--- 10.0.0.2 ping statistics ---");
  assert_line_at(r.text, end, "h1 p", "3 packets transmitted, 3 received, 0% packet loss, time 2000ms");
  /* RTTs 4025, 2015, 2015 us: avg 2685, mdev sqrt(897800) = 947. */
  assert_line_at(r.text, end, "h1 p", "rtt min/avg/max/mdev = 2.015/2.685/4.025/0.947 ms");
  ck_assert_int_eq(count_lines(r.text), 7);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->sent, 3);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 3);
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, end); /* for `expect: finished` */
  testlib_run_free(&r);
}
END_TEST

/* A ping without a count never finishes its work: the stop ends it. */
START_TEST(test_ping_stopped_not_finished)
{
  TestRun r = testlib_run_scenario("stop: 5s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2] }\n"
                                   "apps:\n"
                                   "  - { name: p, type: ping, on: h1, to: h2, start: 1s, stop: 3500ms }\n",
                                   NULL);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->sent, 3);
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, -1);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_ping_sub_millisecond)
{
  TestRun r =
      testlib_run_scenario("stop: 5s\n"
                           "nodes:\n"
                           "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                           "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                           "links:\n"
                           "  - { ends: [h1, h2], rate: 1Gbps, delay: 100us }\n"
                           "apps:\n"
                           "  - { name: p, type: ping, on: h1, to: 10.0.0.2, start: 1s, count: 2, interval: 200ms }\n",
                           NULL);
  SimTime rtt = 2 * (ser(FRAME_PING_56, 1000000000) + SIMTIME_US(100));
  ck_assert_int_eq(rtt, 201568);
  assert_line_at(r.text, SIMTIME_MS(1200) + rtt, "h1 p", "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.201 ms");
  assert_line_ends(r.text, "h1 p: 64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.402 ms");
  assert_line_ends(r.text, "h1 p: 2 packets transmitted, 2 received, 0% packet loss, time 200ms");
  assert_line_ends(r.text, "h1 p: rtt min/avg/max/mdev = 0.201/0.301/0.402/0.100 ms");
  testlib_run_free(&r);
}
END_TEST

static void take_link_down(void *obj, void *arg)
{
  (void)arg;
  link_set_up(obj, FALSE);
}

static void down_at_2_5s(Network *net)
{
  scheduler_at(net->ctx.sched, SIMTIME_MS(2500), take_link_down, network_link(net, 1), NULL);
}

START_TEST(test_ping_loss_link_down)
{
  TestRun r = testlib_run_scenario("stop: 20s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  s1: { kind: switch }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - [h1, s1]\n"
                                   "  - [s1, h2]\n"
                                   "apps:\n"
                                   "  - { name: p, type: ping, on: h1, to: h2, start: 1s, count: 5 }\n",
                                   down_at_2_5s);
  ck_assert_ptr_null(strstr(r.text, "icmp_seq=3"));
  /* After the last request (5s) ping waits max(2 x max RTT, interval) = 1s. */
  assert_line_at(r.text, SIMTIME_S(6), "h1 p", "5 packets transmitted, 2 received, 60% packet loss, time 4000ms");
  ck_assert_uint_eq(testlib_run_app(&r, 0)->sent, 5);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 2);
  testlib_run_free(&r);
}
END_TEST

/* h1 -- r1 -- h2, with `extra` appended (apps). */
static char *routed(const char *link2, const char *apps)
{
  return g_strdup_printf("stop: 20s\n"
                         "nodes:\n"
                         "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                         "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                         "  h2: { kind: host, ip: 10.0.2.2/24, gateway: 10.0.2.1 }\n"
                         "links:\n"
                         "  - [h1, r1:eth0]\n"
                         "  - %s\n"
                         "apps:\n"
                         "%s",
                         link2, apps);
}

START_TEST(test_ping_host_unreachable)
{
  char *yaml = routed("[r1:eth1, h2]", "  - { name: p, type: ping, on: h1, to: 10.0.2.99, count: 1 }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  assert_line_ends(r.text, "h1 p: From 10.0.1.1 icmp_seq=1 Destination Host Unreachable");
  assert_line_ends(r.text, "h1 p: 1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms");
  ck_assert_ptr_null(strstr(r.text, "rtt "));
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 0);
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

START_TEST(test_ping_ttl_exceeded)
{
  char *yaml = routed("[r1:eth1, h2]", "  - { name: p, type: ping, on: h1, to: h2, count: 2, ttl: 1 }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  assert_line_ends(r.text, "h1 p: From 10.0.1.1 icmp_seq=1 Time to live exceeded");
  assert_line_ends(r.text, "h1 p: From 10.0.1.1 icmp_seq=2 Time to live exceeded");
  assert_line_ends(r.text, "h1 p: 2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms");
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

START_TEST(test_ping_frag_needed)
{
  char *yaml = routed("{ ends: [r1:eth1, h2], mtu: 576 }",
                      "  - { name: p, type: ping, on: h1, to: h2, count: 1, size: 1000, df: true }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  assert_line_ends(r.text, "h1 p: PING 10.0.2.2 (10.0.2.2) 1000(1028) bytes of data.");
  assert_line_ends(r.text, "h1 p: From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 576)");
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

START_TEST(test_ping_local_message_too_long)
{
  TestRun r = testlib_run_scenario("stop: 5s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - { ends: [h1, h2], mtu: 576 }\n"
                                   "apps:\n"
                                   "  - { name: p, type: ping, on: h1, to: h2, count: 1, size: 1000, df: true }\n",
                                   NULL);
  assert_line_at(r.text, 0, "h1 p", "ping: local error: message too long, mtu=576");
  assert_line_at(r.text, 0, "h1 p", "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms");
  ck_assert_uint_eq(testlib_run_app(&r, 0)->sent, 1);
  testlib_run_free(&r);
}
END_TEST

/* A neighbour nobody holds (10.0.0.99 on h1's own subnet): ARP asks at
 * 1, 2 and 3 s and gives up at 4 s; every request waiting for it comes
 * back as ICMP host unreachable from h1 itself, as on Linux. With a count
 * of 3 ping has its answers then and exits, as iputils
 * (nreceived + nerrors >= count); with 5, requests 4 and 5 wait for a
 * second resolution that fails at 7 s. */
static const char *lonely = "stop: 30s\n"
                            "nodes:\n"
                            "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                            "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                            "links:\n"
                            "  - { ends: [h1, h2], rate: 100Mbps, delay: 1ms }\n"
                            "apps:\n"
                            "  - { name: p, type: ping, on: h1, to: 10.0.0.99, start: 1s, count: %d }\n";

START_TEST(test_ping_arp_failed)
{
  char *yaml = g_strdup_printf(lonely, 3);
  TestRun r = testlib_run_scenario(yaml, NULL);
  g_free(yaml);
  const char *expect = "1.000000000 h1 p: PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.\n"
                       "4.000000000 h1 p: From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n"
                       "4.000000000 h1 p: From 10.0.0.1 icmp_seq=2 Destination Host Unreachable\n"
                       "4.000000000 h1 p: From 10.0.0.1 icmp_seq=3 Destination Host Unreachable\n"
                       "4.000000000 h1 p: --- 10.0.0.99 ping statistics ---\n"
                       "4.000000000 h1 p: 3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2000ms\n"
                       "4.000000000 h1 p: pipe 3\n";
  ck_assert_str_eq(r.text, expect);
  ck_assert_int_eq(testlib_run_app(&r, 0)->done_at, SIMTIME_S(4));
  testlib_run_free(&r);

  yaml = g_strdup_printf(lonely, 5);
  r = testlib_run_scenario(yaml, NULL);
  g_free(yaml);
  assert_line(r.text, "4.000000000 h1 p: From 10.0.0.1 icmp_seq=3 Destination Host Unreachable");
  assert_line(r.text, "7.000000000 h1 p: From 10.0.0.1 icmp_seq=4 Destination Host Unreachable");
  assert_line(r.text, "7.000000000 h1 p: From 10.0.0.1 icmp_seq=5 Destination Host Unreachable");
  assert_line(r.text, "7.000000000 h1 p: 5 packets transmitted, 0 received, +5 errors, 100% packet loss, time 4000ms");
  ck_assert_int_eq(count_lines(r.text), 9);
  testlib_run_free(&r);
}
END_TEST

/* The same neighbour traced: each probe (one at a time) waits 3 s for ARP
 * and comes back as host unreachable from h1 itself: `!H`, named after
 * the node that holds the address; the trace ends after that hop, as
 * Linux traceroute's does. */
START_TEST(test_traceroute_arp_failed)
{
  TestRun r = testlib_run_scenario("stop: 30s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - [h1, h2]\n"
                                   "apps:\n"
                                   "  - { name: tr, type: traceroute, on: h1, to: 10.0.0.99, start: 1s }\n",
                                   NULL);
  const char *expect = "1.000000000 h1 tr: traceroute to 10.0.0.99 (10.0.0.99), 30 hops max, 60 byte packets\n"
                       "10.000000000 h1 tr:  1  h1 (10.0.0.1)  3000.000 ms !H  3000.000 ms !H  3000.000 ms !H\n";
  ck_assert_str_eq(r.text, expect);
  App *tr = testlib_run_app(&r, 0);
  ck_assert(!tr->reached);
  ck_assert_uint_eq(tr->hops->len, 1);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_ping_no_route)
{
  TestRun r = testlib_run_scenario("stop: 5s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                   "links:\n"
                                   "  - [h1, h2]\n"
                                   "apps:\n"
                                   "  - { name: p, type: ping, on: h1, to: 10.9.9.9, start: 1s }\n",
                                   NULL);
  assert_line_at(r.text, SIMTIME_S(1), "h1 p", "ping: connect: Network is unreachable");
  ck_assert_int_eq(count_lines(r.text), 1);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->sent, 0);
  testlib_run_free(&r);
}
END_TEST

/* ---- traceroute ------------------------------------------------------- */

static const char *chain2 = "stop: 60s\n"
                            "routing: auto\n"
                            "defaults:\n"
                            "  link: { rate: 100Mbps, delay: 1ms }\n"
                            "nodes:\n"
                            "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                            "  r1: { kind: router }\n"
                            "  r2: { kind: router }\n"
                            "  h2: { kind: host, ip: 10.0.3.10/24, gateway: 10.0.3.1 }\n"
                            "links:\n"
                            "  - { ends: [h1, r1], prefix: 10.0.1.0/24 }\n"
                            "  - { ends: [r1, r2], prefix: 10.0.12.0/30 }\n"
                            "  - { ends: [r2, h2], prefix: 10.0.3.0/24 }\n"
                            "apps:\n"
                            "  - { name: tr, type: traceroute, on: h1, to: h2, start: 1s, wait: 1s }\n";

/* "  1.234 ms": an RTT as Linux traceroute prints it. */
static char *tr_ms(SimTime rtt)
{
  int64_t us = (rtt + 500) / 1000;
  return g_strdup_printf("  %" PRId64 ".%03" PRId64 " ms", us / 1000, us % 1000);
}

/* The line of hop k of chain2: ARP on its new link delays its first probe. */
static char *tr_hop_line(int k, const char *who)
{
  const uint64_t rate = 100000000;
  SimTime rtt = k * (ser(FRAME_PROBE, rate) + SIMTIME_MS(1)) + k * (ser(FRAME_ICMP_ERROR, rate) + SIMTIME_MS(1));
  SimTime arp = 2 * (ser(FRAME_ARP, rate) + SIMTIME_MS(1));
  char *a = tr_ms(rtt + arp), *b = tr_ms(rtt);
  char *line = g_strdup_printf("%2d  %s%s%s%s", k, who, a, b, b);
  g_free(a);
  g_free(b);
  return line;
}

START_TEST(test_traceroute_chain)
{
  TestRun r = testlib_run_scenario(chain2, NULL);
  assert_line_at(r.text, SIMTIME_S(1), "h1 tr", "traceroute to 10.0.3.10 (10.0.3.10), 30 hops max, 60 byte packets");
  const char *who[] = {"r1 (10.0.1.1)", "r2 (10.0.12.2)", "h2 (10.0.3.10)"};
  for (int k = 1; k <= 3; k++) {
    char *line = tr_hop_line(k, who[k - 1]);
    char *full = g_strdup_printf("h1 tr: %s", line);
    assert_line_ends(r.text, full);
    g_free(full);
    g_free(line);
  }
  ck_assert_int_eq(count_lines(r.text), 4);
  /* hop 1, probe 2: 74 bytes out, 70 back, 1 ms each way at 100 Mbps */
  ck_assert_ptr_nonnull(strstr(r.text, " 1  r1 (10.0.1.1)  4.021 ms  2.012 ms  2.012 ms\n"));
  App *tr = testlib_run_app(&r, 0);
  ck_assert(tr->reached);
  ck_assert_uint_eq(tr->hops->len, 3);
  const AppHop *last = &g_array_index(tr->hops, AppHop, 2);
  ck_assert_uint_eq(last->addr[2], 0x0a00030a);
  ck_assert_int_eq(last->rtt[1], 3 * (ser(FRAME_PROBE, 100000000) + ser(FRAME_ICMP_ERROR, 100000000)) + SIMTIME_MS(6));
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_traceroute_icmp_probes)
{
  char *yaml =
      g_strconcat(chain2, "  - { name: tri, type: traceroute, on: h1, to: h2, start: 20s, probe: icmp }\n", NULL);
  TestRun r = testlib_run_scenario(yaml, NULL);
  App *tri = testlib_run_app(&r, 1);
  ck_assert(tri->reached);
  ck_assert_uint_eq(tri->hops->len, 3);
  /* Echo probe 74 bytes out, echo reply 74 bytes back over three links;
   * the path is resolved already. */
  SimTime rtt = 6 * (ser(FRAME_PROBE, 100000000) + SIMTIME_MS(1));
  char *a = tr_ms(rtt);
  char *line = g_strdup_printf("h1 tri:  3  h2 (10.0.3.10)%s%s%s", a, a, a);
  assert_line_ends(r.text, line);
  g_free(line);
  g_free(a);
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

/* r2 has no route back to h1, so it cannot answer; the way back from r3
 * runs over the r3-r1 link. */
static const char *ring = "stop: 60s\n"
                          "nodes:\n"
                          "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                          "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/24, eth2: 10.0.13.1/24 },\n"
                          "        routes: [{ to: 10.0.3.0/24, via: 10.0.12.2 }] }\n"
                          "  r2: { kind: router, ip: { eth0: 10.0.12.2/24, eth1: 10.0.23.2/24 },\n"
                          "        routes: [{ to: 10.0.3.0/24, via: 10.0.23.3 }] }\n"
                          "  r3: { kind: router, ip: { eth0: 10.0.23.3/24, eth1: 10.0.3.1/24, eth2: 10.0.13.3/24 },\n"
                          "        routes: [{ to: 10.0.1.0/24, via: 10.0.13.1 }] }\n"
                          "  h2: { kind: host, ip: 10.0.3.10/24, gateway: 10.0.3.1 }\n"
                          "links:\n"
                          "  - [h1, r1:eth0]\n"
                          "  - [r1:eth1, r2:eth0]\n"
                          "  - [r2:eth1, r3:eth0]\n"
                          "  - [r3:eth1, h2]\n"
                          "  - [r3:eth2, r1:eth2]\n"
                          "apps:\n"
                          "  - { name: tr, type: traceroute, on: h1, to: h2, start: 1s, wait: 2s }\n";

START_TEST(test_traceroute_silent_router)
{
  TestRun r = testlib_run_scenario(ring, NULL);
  assert_line_ends(r.text, "h1 tr:  2  * * *");
  ck_assert_ptr_nonnull(strstr(r.text, "h1 tr:  1  r1 (10.0.1.1)  "));
  ck_assert_ptr_nonnull(strstr(r.text, "h1 tr:  3  r3 (10.0.")); /* r3 answers from one of its addresses */
  ck_assert_ptr_nonnull(strstr(r.text, "h1 tr:  4  h2 (10.0.3.10)  "));
  App *tr = testlib_run_app(&r, 0);
  ck_assert(tr->reached);
  ck_assert_uint_eq(tr->hops->len, 4);
  const AppHop *h2 = &g_array_index(tr->hops, AppHop, 1);
  ck_assert_uint_eq(h2->addr[0] | h2->addr[1] | h2->addr[2], 0);
  const AppHop *h3 = &g_array_index(tr->hops, AppHop, 2);
  ck_assert_ptr_eq(network_find_node_by_addr(r.net, h3->addr[0], NULL), network_node(r.net, 3));
  testlib_run_free(&r);
}
END_TEST

/* ---- udp-cbr and udp-sink --------------------------------------------- */

START_TEST(test_udp_cbr_to_sink)
{
  TestRun r =
      testlib_run_scenario("stop: 3s\n"
                           "nodes:\n"
                           "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                           "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                           "links:\n"
                           "  - { ends: [h1, h2], rate: 100Mbps, delay: 100us }\n"
                           "apps:\n"
                           "  - { name: sink, type: udp-sink, on: h2, port: 9000 }\n"
                           "  - { name: cbr, type: udp-cbr, on: h1, to: \"h2:9000\", size: 1000, interval: 1ms,\n"
                           "      start: 1s, stop: 2s }\n",
                           NULL);
  App *sink = testlib_run_app(&r, 0), *cbr = testlib_run_app(&r, 1);
  /* One datagram at 1s, 1.001s, ... up to but excluding 2s: 1000. */
  ck_assert_uint_eq(cbr->sent, 1000);
  ck_assert_uint_eq(sink->received, 1000);
  ck_assert_uint_eq(cbr->flow.src, 0x0a000001);
  ck_assert_uint_eq(cbr->flow.dst, 0x0a000002);
  ck_assert_uint_eq(cbr->flow.dport, 9000);
  ck_assert_uint_eq(cbr->flow.proto, 17);
  ck_assert_uint_ge(cbr->flow.sport, 49152);
  assert_line_at(r.text, SIMTIME_S(1), "h1 cbr", "sending 1000-byte datagrams to 10.0.0.2:9000 every 1ms (8Mbps)");
  assert_line_ends(r.text, "h1 cbr: sent 1000 datagrams (1000000 bytes)");
  assert_line_ends(r.text, "h2 sink: received 1000 datagrams (1000000 bytes) from 1 source");
  char *src = g_strdup_printf("h2 sink: from 10.0.0.1:%u: 1000 datagrams, lost 0, out of order 0", cbr->flow.sport);
  assert_line_ends(r.text, src);
  g_free(src);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_udp_cbr_partial_interval)
{
  /* stop - start = 10.5 intervals: datagrams at 0, 1, ..., 10 ms. */
  TestRun r = testlib_run_scenario(
      "stop: 1s\n"
      "nodes:\n"
      "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
      "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
      "links:\n"
      "  - { ends: [h1, h2], delay: 10us }\n"
      "apps:\n"
      "  - { name: sink, type: udp-sink, on: h2, port: 7 }\n"
      "  - { name: cbr, type: udp-cbr, on: h1, to: \"h2:7\", size: 100, interval: 1ms, stop: 10500us }\n",
      NULL);
  ck_assert_uint_eq(testlib_run_app(&r, 1)->sent, 11);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 11);
  testlib_run_free(&r);
}
END_TEST

/* `ttl` sets the datagrams' TTL: with 2 they cross one router, with 1 the
 * router drops every one (ttl-expired) and the sink gets none. */
START_TEST(test_udp_cbr_ttl)
{
  for (int ttl = 1; ttl <= 2; ttl++) {
    char *apps = g_strdup_printf("  - { name: sink, type: udp-sink, on: h2, port: 7 }\n"
                                 "  - { name: cbr, type: udp-cbr, on: h1, to: \"h2:7\", size: 100, interval: 1ms,"
                                 " start: 1s, stop: 1010ms, ttl: %d }\n",
                                 ttl);
    char *yaml = routed("[r1:eth1, h2]", apps);
    TestRun r = testlib_run_scenario(yaml, NULL);
    Counters total;
    node_counters_total(network_node(r.net, 1), &total);
    ck_assert_uint_eq(testlib_run_app(&r, 1)->sent, 10);
    ck_assert_uint_eq(testlib_run_app(&r, 0)->received, ttl == 1 ? 0 : 10);
    ck_assert_uint_eq(total.drops[DROP_TTL_EXPIRED], ttl == 1 ? 10 : 0);
    testlib_run_free(&r);
    g_free(yaml);
    g_free(apps);
  }
}
END_TEST

START_TEST(test_udp_sink_counts_loss)
{
  /* The sink's link loses frames: the sink sees gaps in the sequence. */
  TestRun r = testlib_run_scenario(
      "stop: 3s\n"
      "seed: 3\n"
      "nodes:\n"
      "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
      "  s1: { kind: switch }\n"
      "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
      "links:\n"
      "  - [h1, s1]\n"
      "  - { ends: [s1, h2], loss: 10% }\n"
      "apps:\n"
      "  - { name: sink, type: udp-sink, on: h2, port: 9000 }\n"
      "  - { name: cbr, type: udp-cbr, on: h1, to: \"h2:9000\", size: 100, interval: 1ms, start: 1s,\n"
      "      stop: 2s }\n",
      NULL);
  App *sink = testlib_run_app(&r, 0), *cbr = testlib_run_app(&r, 1);
  ck_assert_uint_eq(cbr->sent, 1000);
  ck_assert_uint_lt(sink->received, 1000);
  ck_assert_uint_gt(sink->received, 800);
  /* lost counts the gaps up to the last datagram received: all but the
   * few lost after it (none to a handful at 10%). */
  const char *from = strstr(r.text, "h2 sink: from 10.0.0.1:");
  ck_assert_ptr_nonnull(from);
  uint64_t n = 0, lost = 0, reordered = 1;
  ck_assert_int_eq(sscanf(strstr(from, ": ") + 2,
                          "%*[^:]:%*u: %" SCNu64 " datagrams, lost %" SCNu64 ", out of order %" SCNu64, &n, &lost,
                          &reordered),
                   3);
  ck_assert_uint_eq(n, sink->received);
  ck_assert_uint_eq(reordered, 0);
  ck_assert_uint_le(n + lost, 1000);
  ck_assert_uint_ge(n + lost, 995);
  testlib_run_free(&r);
}
END_TEST

static Suite *app_suite(void)
{
  Suite *s = suite_create("app");
  TCase *ping = tcase_create("ping");
  tcase_add_test(ping, test_ping_rtt_exact);
  tcase_add_test(ping, test_ping_stopped_not_finished);
  tcase_add_test(ping, test_ping_sub_millisecond);
  tcase_add_test(ping, test_ping_loss_link_down);
  tcase_add_test(ping, test_ping_host_unreachable);
  tcase_add_test(ping, test_ping_ttl_exceeded);
  tcase_add_test(ping, test_ping_frag_needed);
  tcase_add_test(ping, test_ping_local_message_too_long);
  tcase_add_test(ping, test_ping_no_route);
  tcase_add_test(ping, test_ping_arp_failed);
  suite_add_tcase(s, ping);
  TCase *tr = tcase_create("traceroute");
  tcase_add_test(tr, test_traceroute_chain);
  tcase_add_test(tr, test_traceroute_icmp_probes);
  tcase_add_test(tr, test_traceroute_silent_router);
  tcase_add_test(tr, test_traceroute_arp_failed);
  suite_add_tcase(s, tr);
  TCase *udp = tcase_create("udp");
  tcase_add_test(udp, test_udp_cbr_to_sink);
  tcase_add_test(udp, test_udp_cbr_partial_interval);
  tcase_add_test(udp, test_udp_cbr_ttl);
  tcase_add_test(udp, test_udp_sink_counts_loss);
  suite_add_tcase(s, udp);
  return s;
}

int main(void)
{
  return testlib_run_suite(app_suite());
}
