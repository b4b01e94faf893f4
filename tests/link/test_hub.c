/*
 * Tests of hubs (models/link/hub.c): every frame repeated to every other
 * port and not back to its sender, at exact times computed from the
 * segments' rate and delays; two stations sharing the medium (carrier
 * sense and deferral, in turn, with the trace's notes); the lesson
 * topologies/hub-vs-switch.yaml: two flows each at about half the rate on
 * the hub and at their full rate on the switch, and the frames a host's
 * NIC drops (other-mac) in its capture; the same run twice gives the same
 * trace; a segment going down loses what was on it (link-down); `routing:
 * auto` through a hub.
 *
 * Timing (models/link/README.md): a frame of L bytes that a station on a
 * segment of delay dA starts at t reaches the hub at t + dA, where it is
 * repeated at once, and station X (segment delay dX) at
 * t + L*8/R + dA + dX; the medium is busy until t + L*8/R + dA + the
 * largest dX of the other stations.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4.h"
#include "models/internet/route.h"
#include "models/link/ethernet.h"
#include "models/link/ethernet_wire.h"
#include "models/link/hub.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "tests/testlib.h"

#define ETHERTYPE_TEST 0x88b5 /* nobody handles it: unknown-ethertype at its destination */

/* Four hosts on a hub, 10 Mbps, segment delays 1, 2, 3 and 4 ms. */
static const char *hub4 = "nodes:\n"
                          "  hub: { kind: hub }\n"
                          "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                          "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                          "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                          "  h4: { kind: host, ip: 10.0.0.4/24 }\n"
                          "links:\n"
                          "  - { ends: [h1, hub], rate: 10Mbps, delay: 1ms }\n"
                          "  - { ends: [h2, hub], rate: 10Mbps, delay: 2ms }\n"
                          "  - { ends: [h3, hub], rate: 10Mbps, delay: 3ms }\n"
                          "  - { ends: [h4, hub], rate: 10Mbps, delay: 4ms }\n";

/* The first interface of node `name`. */
static Iface *fx_iface(const TestNet *fx, const char *name)
{
  return node_iface(testlib_node(fx->net, name), 0);
}

static void run_to(const TestNet *fx, SimTime t)
{
  scheduler_run(fx->net->ctx.sched, t);
}

/* Sends a frame of `len` bytes (header included, at least 60) from `from` to `dst`. */
static void send_frame(Iface *from, const uint8_t dst[6], size_t len)
{
  ethernet_output(from, packet_new(from->node->ctx->pool, len - ETH_HEADER_LEN), dst, ETHERTYPE_TEST);
}

/* Asserts that `iface` has received nothing just before `t` and one more frame at `t`. */
static void assert_arrives_at(const TestNet *fx, const Iface *iface, SimTime t)
{
  guint64 before = iface->counters.rx_packets;
  run_to(fx, t - 1);
  ck_assert_msg(iface->counters.rx_packets == before, "%s received before %" G_GINT64_FORMAT " ns", iface->node->name,
                (gint64)t);
  run_to(fx, t);
  ck_assert_msg(iface->counters.rx_packets == before + 1, "%s did not receive at %" G_GINT64_FORMAT " ns",
                iface->node->name, (gint64)t);
}

/* h1's 1000-byte frame to h2 (800 us at 10 Mbps) reaches the hub at 1 ms,
 * which repeats it at once on its three other ports, and arrives at each
 * station 800 us + 1 ms + that station's delay after it started; h1 gets
 * no copy back; h3 and h4 drop it as another's (other-mac). */
START_TEST(test_hub_repeats_to_every_other_port)
{
  TestNet fx = testlib_build(hub4);
  Iface *h[4] = {fx_iface(&fx, "h1"), fx_iface(&fx, "h2"), fx_iface(&fx, "h3"), fx_iface(&fx, "h4")};
  Node *hub = testlib_node(fx.net, "hub");
  ck_assert_ptr_eq(h[0]->link->ops, &hub_link_ops);
  send_frame(h[0], h[1]->mac, 1000);
  run_to(&fx, SIMTIME_MS(1) - 1);
  ck_assert_uint_eq(node_iface(hub, 0)->counters.rx_packets, 0);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(node_iface(hub, 0)->counters.rx_packets, 1);
  ck_assert_uint_eq(node_iface(hub, 0)->counters.tx_packets, 0);
  for (guint p = 1; p < 4; p++)
    ck_assert_uint_eq(node_iface(hub, p)->counters.tx_packets, 1);
  assert_arrives_at(&fx, h[1], SIMTIME_US(800) + SIMTIME_MS(1 + 2));
  assert_arrives_at(&fx, h[2], SIMTIME_US(800) + SIMTIME_MS(1 + 3));
  assert_arrives_at(&fx, h[3], SIMTIME_US(800) + SIMTIME_MS(1 + 4));
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(h[0]->counters.rx_packets, 0);
  ck_assert_uint_eq(h[1]->counters.drops[DROP_UNKNOWN_ETHERTYPE], 1);
  ck_assert_uint_eq(h[2]->counters.drops[DROP_OTHER_MAC], 1);
  ck_assert_uint_eq(h[3]->counters.drops[DROP_OTHER_MAC], 1);
  ck_assert_uint_eq(h[1]->counters.drops[DROP_OTHER_MAC], 0);
  testlib_build_free(&fx);
}
END_TEST

/* A segment going down: h2's, while the hub's copy is on its way (repeated
 * at 1 ms, due at 3.8 ms), loses that copy (link-down, at the hub's port
 * that sent it) while h3 and h4 get theirs; h1's, before its next frame's
 * first bit reached the hub, loses that frame at the hub's port. */
START_TEST(test_hub_segment_down)
{
  TestNet fx = testlib_build(hub4);
  Iface *h1 = fx_iface(&fx, "h1"), *h2 = fx_iface(&fx, "h2"), *h3 = fx_iface(&fx, "h3"), *h4 = fx_iface(&fx, "h4");
  Node *hub = testlib_node(fx.net, "hub");
  send_frame(h1, h2->mac, 1000);
  run_to(&fx, SIMTIME_MS(2));
  link_set_up(h2->link, FALSE);
  run_to(&fx, SIMTIME_MS(10));
  ck_assert_uint_eq(h2->counters.rx_packets, 0);
  ck_assert_uint_eq(node_iface(hub, 1)->counters.drops[DROP_LINK_DOWN], 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  ck_assert_uint_eq(h4->counters.rx_packets, 1);
  send_frame(h1, h3->mac, 1000);
  run_to(&fx, SIMTIME_MS(10) + SIMTIME_US(500));
  link_set_up(h1->link, FALSE);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(node_iface(hub, 0)->counters.drops[DROP_LINK_DOWN], 1);
  ck_assert_uint_eq(node_iface(hub, 0)->counters.rx_packets, 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  testlib_build_free(&fx);
}
END_TEST

/* Loss is drawn for each copy the hub repeats, on its segment: with 100%
 * on h2's link, h2's copy is lost (link-loss at h2), the others arrive. */
START_TEST(test_hub_loss_per_segment)
{
  char *yaml = g_strdup(hub4);
  char *at = strstr(yaml, "delay: 2ms }");
  ck_assert_ptr_nonnull(at);
  char *lossy = g_strdup_printf("%.*sdelay: 2ms, loss: 100%% }%s", (int)(at - yaml), yaml, at + strlen("delay: 2ms }"));
  TestNet fx = testlib_build(lossy);
  Iface *h1 = fx_iface(&fx, "h1"), *h2 = fx_iface(&fx, "h2"), *h3 = fx_iface(&fx, "h3");
  send_frame(h1, h2->mac, 1000);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(h2->counters.drops[DROP_LINK_LOSS], 1);
  ck_assert_uint_eq(h2->counters.rx_packets, 0);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  testlib_build_free(&fx);
  g_free(lossy);
  g_free(yaml);
}
END_TEST

/* The lines of `trace` that hold `what`, in order. */
static char *lines_with(const char *trace, const char *what)
{
  GString *out = g_string_new(NULL);
  char **lines = g_strsplit(trace, "\n", -1);
  for (char **l = lines; *l; l++)
    if (strstr(*l, what))
      g_string_append_printf(out, "%s\n", *l);
  g_strfreev(lines);
  return g_string_free(out, FALSE);
}

/* h1 sends A1 and A2 (1000 bytes each) and h3 sends B at 0. A1 takes the
 * medium, busy until 800 us + 1 ms + 4 ms (h4, the farthest) = 5.8 ms.
 * h3 defers at 0, h1's A2 at 800 us (the end of A1), both until 5.8 ms;
 * there h3, which deferred first, starts B (busy until 5.8 + 0.8 + 3 + 4 =
 * 13.6 ms) and h1 defers again: A2 starts at 13.6 ms and reaches h2 at
 * 13.6 + 0.8 + 1 + 2 = 17.4 ms. Returns the trace. */
static char *run_two_senders(void)
{
  TestNet fx = testlib_build(hub4);
  Iface *h1 = fx_iface(&fx, "h1"), *h2 = fx_iface(&fx, "h2"), *h3 = fx_iface(&fx, "h3"), *h4 = fx_iface(&fx, "h4");
  char *buf = NULL;
  size_t len = 0;
  fx.net->ctx.trace = trace_new(open_memstream(&buf, &len), TRUE, TRACE_LINK);
  send_frame(h1, h2->mac, 1000);
  send_frame(h1, h2->mac, 1000);
  send_frame(h3, h4->mac, 1000);
  ck_assert_uint_eq(h1->counters.tx_packets, 1);
  ck_assert_uint_eq(h3->counters.tx_packets, 0);
  assert_arrives_at(&fx, h2, SIMTIME_US(800) + SIMTIME_MS(1 + 2));
  run_to(&fx, SIMTIME_US(5800) - 1);
  ck_assert_uint_eq(h3->counters.tx_packets, 0);
  run_to(&fx, SIMTIME_US(5800));
  ck_assert_uint_eq(h3->counters.tx_packets, 1);
  ck_assert_uint_eq(h1->counters.tx_packets, 1);
  assert_arrives_at(&fx, h2, SIMTIME_US(5800 + 800 + 3000 + 2000));
  assert_arrives_at(&fx, h4, SIMTIME_US(5800 + 800 + 3000 + 4000));
  ck_assert_uint_eq(h1->counters.tx_packets, 2); /* A2 started at 13.6 ms, with B's end at h4 */
  assert_arrives_at(&fx, h2, SIMTIME_US(13600 + 800 + 1000 + 2000));
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(h1->counters.rx_packets, 1); /* B, not its own */
  trace_free(fx.net->ctx.trace);
  fx.net->ctx.trace = NULL;
  testlib_build_free(&fx);
  return buf;
}

START_TEST(test_hub_deferral_in_turn)
{
  char *trace = run_two_senders();
  char *notes = lines_with(trace, " defer: ");
  ck_assert_str_eq(notes, "0.000000000 h3 eth0 note defer: medium busy until 5.8ms\n"
                          "0.000800000 h1 eth0 note defer: medium busy until 5.8ms\n"
                          "0.005800000 h1 eth0 note defer: medium busy until 13.6ms\n");
  g_free(notes);
  /* the hub's repeat of B: h3's segment delay (3 ms) after B started */
  char *repeats = lines_with(trace, " hub eth");
  ck_assert_ptr_nonnull(strstr(repeats, "0.008800000 hub eth2 rx #"));
  ck_assert_ptr_nonnull(strstr(repeats, "0.008800000 hub eth0 fwd #"));
  ck_assert_ptr_null(strstr(repeats, "0.008800000 hub eth2 fwd"));
  g_free(repeats);
  char *again = run_two_senders();
  ck_assert_str_eq(trace, again);
  free(again);
  free(trace);
}
END_TEST

/* Frames from one host's capture (`path`) neither to it nor from it, nor
 * broadcast: those its NIC saw only because the hub repeated them. */
static guint pcap_count_others(const char *path, const uint8_t mac[6])
{
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(path, errbuf);
  ck_assert_msg(p != NULL, "%s", errbuf);
  ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
  struct pcap_pkthdr *h;
  const u_char *bytes;
  guint n = 0;
  while (pcap_next_ex(p, &h, &bytes) == 1) {
    ck_assert_uint_ge(h->caplen, ETH_HEADER_LEN);
    gboolean group = bytes[0] & 1, to_me = memcmp(bytes, mac, 6) == 0, from_me = memcmp(bytes + 6, mac, 6) == 0;
    n += !group && !to_me && !from_me;
  }
  pcap_close(p);
  return n;
}

/* How many frames of `path` tshark shows through display filter `filter`;
 * -1 when tshark is not installed. */
static int tshark_count(const char *path, const char *filter)
{
  char *tshark = g_find_program_in_path("tshark");
  if (!tshark) {
    printf("note: tshark is not installed; skipping the tshark check of the hub's captures\n");
    return -1;
  }
  const char *argv[] = {tshark, "-n", "-r", path, "-Y", filter, "-T", "fields", "-e", "frame.number", NULL};
  char *out = NULL, *err = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed: %s", err);
  int n = 0;
  for (const char *c = out; *c; c++)
    n += *c == '\n';
  g_free(out);
  g_free(err);
  g_free(tshark);
  return n;
}

/* Frames that `iface` received for itself (not dropped as another's). */
static guint64 own_frames(const Iface *iface)
{
  return iface->counters.rx_packets - iface->counters.drops[DROP_OTHER_MAC];
}

/* The lesson: two 9 Mbps streams at once. On the switch each stream's
 * 1125 datagrams all arrive; on the hub, which carries one frame at a
 * time, each gets about half (45 to 56% of the datagrams), and a3's
 * capture holds the other pair's frames, which its NIC dropped. */
START_TEST(test_hub_vs_switch_example)
{
  char *path = testlib_path("TOPOLOGIES", "hub-vs-switch.yaml"), *dir = g_dir_make_tmp("ipsim-hub-XXXXXX", NULL);
  Scenario *sc = NULL;
  char *messages = testlib_load_messages(path, &sc);
  ck_assert_msg(sc != NULL, "%s", messages);
  Network *net = build_network(sc);
  GError *error = NULL;
  ck_assert_msg(build_open_outputs(net, sc, dir, FALSE, &error), "%s", error ? error->message : "");
  network_run(net);
  Iface *a2 = node_iface(testlib_node(net, "a2"), 0), *a4 = node_iface(testlib_node(net, "a4"), 0);
  Iface *b2 = node_iface(testlib_node(net, "b2"), 0), *b4 = node_iface(testlib_node(net, "b4"), 0);
  Iface *a3 = node_iface(testlib_node(net, "a3"), 0);
  ck_assert_uint_eq(own_frames(b2), 1125 + 2); /* and the ARP request and reply */
  ck_assert_uint_eq(own_frames(b4), 1125 + 2);
  guint64 data_a2 = own_frames(a2) - 2;
  for (const Iface *a = a2; a; a = a == a2 ? a4 : NULL) {
    guint64 data = own_frames(a) - 2;
    ck_assert_msg(data >= 1125 * 45 / 100 && data <= 1125 * 56 / 100, "%s got %" G_GUINT64_FORMAT " datagrams",
                  a->node->name, (guint64)data);
  }
  ck_assert_uint_eq(b2->counters.drops[DROP_OTHER_MAC], 0);
  uint8_t mac[6];
  memcpy(mac, a3->mac, 6);
  guint64 other = a3->counters.drops[DROP_OTHER_MAC];
  ck_assert_uint_gt(other, 500);
  network_free(net);
  char *pcap = g_build_filename(dir, "a3-eth0.pcap", NULL);
  ck_assert_uint_eq(pcap_count_others(pcap, mac), other);
  /* tshark reads the capture, and sees in it a1's datagrams to a2 (10.0.1.2) */
  int to_a2 = tshark_count(pcap, "ip.dst == 10.0.1.2 && udp.dstport == 9 && !_ws.malformed");
  ck_assert(to_a2 == -1 || to_a2 == (int)data_a2);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name(d));) {
    char *file = g_build_filename(dir, name, NULL);
    g_remove(file);
    g_free(file);
  }
  g_rmdir(dir);
  g_free(pcap);
  g_free(messages);
  g_free(path);
  g_free(dir);
  scenario_free(sc);
}
END_TEST

/* `routing: auto` takes a hub for one segment, as a switch: h1 reaches h2
 * through r1, whose address on the hub's segment is h1's next hop; its
 * pings all come back. */
START_TEST(test_hub_routing_auto)
{
  TestRun r = testlib_run_scenario("routing: auto\n"
                                   "stop: 5s\n"
                                   "nodes:\n"
                                   "  hub: { kind: hub }\n"
                                   "  h1: { kind: host, ip: 10.0.1.1/24 }\n"
                                   "  h3: { kind: host, ip: 10.0.1.3/24 }\n"
                                   "  r1: { kind: router, ip: { eth0: 10.0.1.254/24, eth1: 10.0.2.1/24 } }\n"
                                   "  h2: { kind: host, ip: 10.0.2.2/24 }\n"
                                   "links:\n"
                                   "  - [h1, hub]\n"
                                   "  - [h3, hub]\n"
                                   "  - [\"r1:eth0\", hub]\n"
                                   "  - [\"r1:eth1\", h2]\n"
                                   "apps:\n"
                                   "  - { name: probe, type: ping, on: h1, to: h2, count: 3, start: 1s }\n",
                                   NULL);
  const Route *route = ipv4_route(testlib_node(r.net, "h1"), 0x0a000202);
  ck_assert_ptr_nonnull(route);
  ck_assert_uint_eq(route->gateway, 0x0a0001fe);
  ck_assert_msg(strstr(r.text, "3 packets transmitted, 3 received, 0% packet loss"), "%s", r.text);
  testlib_run_free(&r);
}
END_TEST

static Suite *hub_suite(void)
{
  Suite *s = suite_create("hub");
  TCase *tc = tcase_create("hub");
  tcase_add_test(tc, test_hub_repeats_to_every_other_port);
  tcase_add_test(tc, test_hub_deferral_in_turn);
  tcase_add_test(tc, test_hub_segment_down);
  tcase_add_test(tc, test_hub_loss_per_segment);
  tcase_add_test(tc, test_hub_vs_switch_example);
  tcase_add_test(tc, test_hub_routing_auto);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(hub_suite());
}
