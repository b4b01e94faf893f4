/*
 * Tests of PPP serial links (models/link/ppp.c): the frame's bytes
 * (0xff 0x03 0x0021, RFC 1662), serialization of the frame plus its FCS
 * and flag, no ARP and no MAC addresses, the pcap link type, bad frames
 * dropped with their reason, the loader's refusals, and IPv4 working on
 * top unchanged (a ping's exact round trip, fragmentation, routing).
 */
#include <check.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4.h"
#include "models/link/ppp.h"
#include "sim/build/build.h"
#include "sim/build/expect.h"
#include "tests/testlib.h"

/* a -- b on a 1 Mbps, 1 ms PPP link; a pings b once at 1 s (56-byte
 * payload: an 84-byte datagram, an 88-byte frame held, 91 bytes on the
 * wire with the FCS and a flag). */
static const char *pair = "nodes:\n"
                          "  a: { kind: host, ip: 10.0.0.1/30 }\n"
                          "  b: { kind: host, ip: 10.0.0.2/30 }\n"
                          "links:\n"
                          "  - { ends: [a, b], type: ppp, rate: 1Mbps, delay: 1ms }\n"
                          "apps:\n"
                          "  - { name: p, type: ping, on: a, to: b, start: 1s, count: 1 }\n";

static SimTime wire_ns(uint64_t bytes, uint64_t bps)
{
  return (SimTime)((bytes * 8 * 1000000000u + bps - 1) / bps);
}

static Iface *iface_of(Network *net, const char *node)
{
  return node_iface(testlib_node(net, node), 0);
}

/* The request arrives one serialization of 91 bytes plus the delay after
 * it was sent, the reply as long again; nothing else crosses (no ARP). */
START_TEST(test_ppp_timing_no_arp)
{
  Scenario *sc = testlib_load_ok(pair);
  Network *net = build_network(sc);
  Iface *a = iface_of(net, "a"), *b = iface_of(net, "b");
  ck_assert_ptr_eq(a->ops, &ppp_iface_ops);
  ck_assert_ptr_null(a->arp);
  SimTime one_way = wire_ns(84 + PPP_HEADER_LEN + PPP_WIRE_OVERHEAD, 1000000) + SIMTIME_MS(1);
  ck_assert_int_eq(one_way, SIMTIME_US(1728));
  scheduler_run(net->ctx.sched, SIMTIME_S(1) + one_way - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  scheduler_run(net->ctx.sched, SIMTIME_S(1) + one_way);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  ck_assert_uint_eq(b->counters.rx_bytes, 88);
  scheduler_run(net->ctx.sched, SIMTIME_S(1) + 2 * one_way - 1);
  ck_assert_uint_eq(a->counters.rx_packets, 0);
  scheduler_run(net->ctx.sched, SIMTIME_S(1) + 2 * one_way);
  ck_assert_uint_eq(a->counters.rx_packets, 1);
  ck_assert_uint_eq(a->counters.tx_packets, 1); /* the request alone: no ARP */
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* The capture is LINKTYPE_PPP and each frame starts 0xff 0x03 0x00 0x21
 * followed by the IPv4 header. */
START_TEST(test_ppp_pcap_bytes)
{
  char *dir = g_dir_make_tmp("ipsim-ppp-XXXXXX", NULL);
  Scenario *sc = testlib_load_ok(pair);
  Network *net = build_network(sc);
  GArray *targets = sc->output.pcap;
  ScenarioPcapTarget t = {0, -1};
  g_array_append_val(targets, t);
  GError *error = NULL;
  ck_assert_msg(build_open_outputs(net, sc, dir, FALSE, &error), "%s", error ? error->message : "");
  network_run(net);
  network_free(net);
  char *path = g_build_filename(dir, "a-eth0.pcap", NULL);
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(path, errbuf);
  ck_assert_msg(p != NULL, "%s", errbuf);
  ck_assert_int_eq(pcap_datalink(p), DLT_PPP);
  struct pcap_pkthdr *h;
  const u_char *bytes;
  ck_assert_int_eq(pcap_next_ex(p, &h, &bytes), 1);
  ck_assert_uint_eq(h->caplen, 88);
  static const u_char head[] = {0xff, 0x03, 0x00, 0x21, 0x45};
  ck_assert_mem_eq(bytes, head, sizeof head);
  pcap_close(p);
  g_remove(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  scenario_free(sc);
}
END_TEST

/* Delivers `len` bytes as a frame arriving on `to`. */
static void deliver(Network *net, Iface *to, const uint8_t *bytes, size_t len)
{
  iface_input(to, packet_new_from(net->ctx.pool, bytes, len));
}

/* A frame with other address and control bytes, a short one, and one of
 * another protocol (LCP, 0xc021) are dropped with their reasons. */
START_TEST(test_ppp_bad_frames)
{
  Scenario *sc = testlib_load_ok(pair);
  Network *net = build_network(sc);
  Iface *b = iface_of(net, "b");
  static const uint8_t other_address[] = {0x00, 0x03, 0x00, 0x21, 0x45, 0, 0, 20};
  static const uint8_t short_frame[] = {0xff, 0x03, 0x00};
  static const uint8_t lcp[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04};
  deliver(net, b, other_address, sizeof other_address);
  deliver(net, b, short_frame, sizeof short_frame);
  deliver(net, b, lcp, sizeof lcp);
  ck_assert_uint_eq(b->counters.drops[DROP_BAD_FRAME], 2);
  ck_assert_uint_eq(b->counters.drops[DROP_PPP_PROTOCOL], 1);
  ck_assert_str_eq(drop_reason_name(DROP_PPP_PROTOCOL), "ppp-protocol");
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* What a trace line shows of PPP frames: IPv4 as on any link; others
 * their protocol. */
START_TEST(test_ppp_trace_text)
{
  static const uint8_t lcp[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04};
  static const uint8_t bad[] = {0x00, 0x01, 0x00, 0x21};
  GString *s = g_string_new(NULL);
  trace_format_packet(s, TRACE_FROM_PPP, lcp, sizeof lcp);
  ck_assert_str_eq(s->str, "PPP proto 0xc021 len 4");
  g_string_truncate(s, 0);
  trace_format_packet(s, TRACE_FROM_PPP, bad, sizeof bad);
  ck_assert_str_eq(s->str, "PPP address 0x00 control 0x01 proto 0x0021 len 0");
  g_string_free(s, TRUE);
}
END_TEST

static void assert_refused(const char *yaml, const char *message)
{
  char *messages = NULL;
  Scenario *sc = testlib_load_string(yaml, &messages);
  ck_assert_ptr_null(sc);
  ck_assert_msg(strstr(messages, message), "expected \"%s\" in:\n%s", message, messages);
  g_free(messages);
}

/* A switch on a PPP link, a MAC on a PPP interface and an unknown type
 * are refused with their place. */
START_TEST(test_ppp_loader_refusals)
{
  assert_refused("nodes:\n  a: { kind: host, ip: 10.0.0.1/24 }\n  s: { kind: switch }\n"
                 "links:\n  - { ends: [a, s], type: ppp }\n",
                 "test.yaml:5:5: error: links[0] is a PPP link, but 's' is a switch; a switch bridges Ethernet links "
                 "only");
  assert_refused("nodes:\n  a: { kind: host, interfaces: { eth0: { ip: 10.0.0.1/30, mac: '02:00:00:00:00:aa' } } }\n"
                 "  b: { kind: host, ip: 10.0.0.2/30 }\nlinks:\n  - { ends: [a, b], type: ppp }\n",
                 "test.yaml:2:34: error: a has a MAC address, but it is on PPP links[0]; PPP has no MAC addresses");
  assert_refused("nodes:\n  a: { kind: host }\n  b: { kind: host }\nlinks:\n  - { ends: [a, b], type: serial }\n",
                 "test.yaml:5:27: error: links[0].type: unknown link type 'serial'; expected ethernet or ppp");
}
END_TEST

/* Across two routers on PPP links with a 576-byte MTU in the middle, a
 * 1000-byte ping is fragmented at r1 and answered; routes come from
 * `routing: auto` as on Ethernet. */
START_TEST(test_ppp_routing_and_fragments)
{
  TestRun r =
      testlib_run_scenario("stop: 5s\nrouting: auto\n"
                           "defaults: { link: { type: ppp, rate: 10Mbps, delay: 1ms } }\n"
                           "nodes:\n"
                           "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                           "  r1: { kind: router }\n  r2: { kind: router }\n"
                           "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                           "links:\n"
                           "  - { ends: [h1, r1], prefix: 10.0.1.0/24 }\n"
                           "  - { ends: [r1, r2], prefix: 10.0.12.0/30, mtu: 576 }\n"
                           "  - { ends: [r2, h2], prefix: 10.0.2.0/24 }\n"
                           "apps:\n  - { name: p, type: ping, on: h1, to: h2, start: 1s, count: 2, size: 1000 }\n",
                           NULL);
  App *ping = testlib_run_app(&r, 0);
  ck_assert_uint_eq(ping->sent, 2);
  ck_assert_uint_eq(ping->received, 2);
  Iface *r1_out = node_iface(testlib_node(r.net, "r1"), 1);
  ck_assert_uint_eq(r1_out->counters.tx_packets, 2 * 2); /* 1028 bytes: two fragments each */
  testlib_run_free(&r);
}
END_TEST

/* A route out of a PPP interface reaches the peer whatever its next hop
 * (here on-link, `dev` only): pings pass, and so do `reach` and `path`,
 * which walk the forwarding state as a packet goes. */
START_TEST(test_ppp_on_link_route_checks)
{
  Scenario *sc =
      testlib_load_ok("stop: 3s\nnodes:\n"
                      "  r1: { kind: router, ip: { eth0: 10.0.0.5/30, eth1: 10.0.1.1/24 },\n"
                      "        routes: [ { to: 10.0.2.0/24, dev: eth0 } ] }\n"
                      "  h2: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                      "  r2: { kind: router, ip: { eth0: 10.0.0.6/30, eth1: 10.0.2.1/24 },\n"
                      "        routes: [ { to: 10.0.1.0/24, via: 10.0.0.5 } ] }\n"
                      "  h3: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                      "links:\n  - { ends: [r1:eth0, r2:eth0], type: ppp }\n  - [r1:eth1, h2]\n  - [r2:eth1, h3]\n"
                      "apps:\n  - { name: p, type: ping, on: h2, to: h3, start: 1s, count: 2 }\n"
                      "expect:\n  - { at: 2s, reach: { from: h2, to: h3 } }\n"
                      "  - { at: 2s, path: { from: h2, to: h3, is: [r1, r2, h3] } }\n"
                      "  - { app: p, loss: 0% }\n");
  Network *net = build_network(sc);
  Expect *ex = expect_new(net, sc);
  network_run(net);
  for (guint i = 0; i < net->apps->len; i++)
    app_finish(g_ptr_array_index(net->apps, i));
  guint passed = 0;
  ck_assert_uint_eq(expect_finish(ex, stderr, &passed), 0);
  ck_assert_uint_eq(passed, 3);
  expect_free(ex);
  network_free(net);
  scenario_free(sc);
}
END_TEST

static Suite *ppp_suite(void)
{
  Suite *s = suite_create("ppp");
  TCase *tc = tcase_create("ppp");
  tcase_add_test(tc, test_ppp_timing_no_arp);
  tcase_add_test(tc, test_ppp_pcap_bytes);
  tcase_add_test(tc, test_ppp_bad_frames);
  tcase_add_test(tc, test_ppp_trace_text);
  tcase_add_test(tc, test_ppp_loader_refusals);
  tcase_add_test(tc, test_ppp_routing_and_fragments);
  tcase_add_test(tc, test_ppp_on_link_route_checks);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(ppp_suite());
}
