/*
 * Tests of the network access layer (models/link/): link timing from rate
 * and delay, drop-tail queues, seeded loss, links going down and up,
 * Ethernet padding and filtering, switch learning, aging and loops, ARP
 * resolution, queueing, retries, failure and expiry.
 *
 * Each test builds a network from a YAML string, sends frames with
 * ethernet_output() (or packets with arp_output()) and runs the scheduler
 * to chosen times, then checks counters, drop reasons and caches. Times are
 * computed from the link parameters: a frame of L bytes on a link of rate R
 * and delay D arrives L * 8 / R + D after it starts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/link/arp.h"
#include "models/link/ethernet.h"
#include "models/link/link.h"
#include "models/link/switch.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/text/addr.h"
#include "tests/testlib.h"

/* An ethertype nobody handles (IEEE 802 local experimental): a host counts
 * such a frame as received, then drops it with DROP_UNKNOWN_ETHERTYPE. */
#define ETHERTYPE_TEST 0x88b5

static Node *fx_node(const TestNet *fx, const char *name)
{
  return testlib_node(fx->net, name);
}

/* Returns interface `index` of node `name`. */
static Iface *fx_iface(const TestNet *fx, const char *name, guint index)
{
  Node *node = fx_node(fx, name);
  ck_assert_uint_lt(index, node->ifaces->len);
  return node_iface(node, index);
}

/* Returns the interface of `name` attached to a link with node `peer`. */
static Iface *fx_port_to(const TestNet *fx, const char *name, const char *peer)
{
  Node *node = fx_node(fx, name);
  for (guint i = 0; i < node->ifaces->len; i++) {
    Iface *peer_iface = node_iface(node, i)->link ? iface_peer(node_iface(node, i)) : NULL;
    if (peer_iface && g_str_equal(peer_iface->node->name, peer))
      return node_iface(node, i);
  }
  ck_abort_msg("%s has no link to %s", name, peer);
  return NULL;
}

static void run_to(const TestNet *fx, SimTime t)
{
  scheduler_run(fx->net->ctx.sched, t);
}

/* Sends a frame with a `payload`-byte zero payload from `from` to `dst`. */
static void send_frame(Iface *from, const uint8_t dst[6], uint16_t type, size_t payload)
{
  Packet *p = packet_new(from->node->ctx->pool, payload);
  ethernet_output(from, p, dst, type);
}

static uint64_t drops(const Iface *iface, DropReason reason)
{
  return iface->counters.drops[reason];
}

static uint64_t node_drops(const Node *node, DropReason reason)
{
  Counters total;
  node_counters_total(node, &total);
  return total.drops[reason];
}

/* Serialization time in ns of `bytes` at `bps`, rounded up. */
static SimTime tx_ns(uint64_t bytes, uint64_t bps)
{
  return (SimTime)((bytes * 8 * UINT64_C(1000000000) + bps - 1) / bps);
}

static const char *two_hosts = "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2], rate: 10Mbps, delay: 2ms, queue: 100p }\n";

/* ---- links ------------------------------------------------------------ */

START_TEST(test_tx_time_exact)
{
  TestNet fx = testlib_build(two_hosts);
  Link *link = network_link(fx.net, 0);
  ck_assert_int_eq(link_tx_time(link, 1000), SIMTIME_US(800));
  ck_assert_int_eq(link_tx_time(link, 60), SIMTIME_US(48));
  link->rate_bps = 3;
  ck_assert_int_eq(link_tx_time(link, 1), 2666666667); /* 8e9 / 3, rounded up */
  link->rate_bps = 1;
  ck_assert_int_eq(link_tx_time(link, 65536), (SimTime)65536 * 8 * SIMTIME_S(1));
  link->rate_bps = UINT64_C(400000000000); /* 400 Gbps: 60 bytes take 1.2 ns */
  ck_assert_int_eq(link_tx_time(link, 60), 2);
  testlib_build_free(&fx);
}
END_TEST

/* A 1000-byte frame on 10 Mbps with 2 ms delay arrives at exactly 2.8 ms, at
 * the cost of one event. */
START_TEST(test_arrival_time)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  SimTime arrival = SIMTIME_US(800) + SIMTIME_MS(2);

  uint64_t before = scheduler_executed(fx.net->ctx.sched);
  send_frame(a, b->mac, ETHERTYPE_TEST, 1000 - ETH_HEADER_LEN);
  ck_assert_uint_eq(a->counters.tx_packets, 1);
  ck_assert_uint_eq(a->counters.tx_bytes, 1000);
  run_to(&fx, arrival - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  run_to(&fx, arrival);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  ck_assert_uint_eq(b->counters.rx_bytes, 1000);
  ck_assert_uint_eq(drops(b, DROP_UNKNOWN_ETHERTYPE), 1);
  ck_assert_uint_eq(scheduler_executed(fx.net->ctx.sched) - before, 1);
  testlib_build_free(&fx);
}
END_TEST

/* Two frames sent together: the second waits for the first and arrives one
 * serialization time later; three events in all. */
START_TEST(test_back_to_back)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  SimTime first = SIMTIME_US(800) + SIMTIME_MS(2), second = first + SIMTIME_US(800);

  uint64_t before = scheduler_executed(fx.net->ctx.sched);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  ck_assert_uint_eq(a->counters.tx_packets, 1); /* the second waits */
  ck_assert_uint_eq(a->queue.count, 1);
  run_to(&fx, first);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  run_to(&fx, second - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  run_to(&fx, second);
  ck_assert_uint_eq(b->counters.rx_packets, 2);
  ck_assert_uint_eq(a->queue.count, 0);
  ck_assert_uint_eq(scheduler_executed(fx.net->ctx.sched) - before, 3);
  testlib_build_free(&fx);
}
END_TEST

/* A queue of 3 packets: of 10 frames sent at once, one starts, three wait
 * and six are dropped. */
START_TEST(test_droptail_packets)
{
  TestNet fx = testlib_build("nodes:\n"
                             "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                             "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                             "links:\n"
                             "  - { ends: [h1, h2], rate: 10Mbps, delay: 2ms, queue: 3p }\n");
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  for (int i = 0; i < 10; i++)
    send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  ck_assert_uint_eq(drops(a, DROP_QUEUE_FULL), 6);
  ck_assert_uint_eq(a->queue.count, 3);
  ck_assert_uint_eq(a->queue.bytes, 3000);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(b->counters.rx_packets, 4);
  ck_assert_uint_eq(a->counters.tx_packets, 4);
  /* the queue has room again */
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  run_to(&fx, SIMTIME_S(2));
  ck_assert_uint_eq(b->counters.rx_packets, 5);
  ck_assert_uint_eq(drops(a, DROP_QUEUE_FULL), 6);
  testlib_build_free(&fx);
}
END_TEST

/* A queue of 2999 bytes holds two 1000-byte frames, not three; 3000 bytes
 * hold three. */
START_TEST(test_droptail_bytes)
{
  const char *fmt = "nodes:\n"
                    "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                    "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                    "links:\n"
                    "  - { ends: [h1, h2], rate: 10Mbps, delay: 2ms, queue: %s }\n";
  const char *limits[] = {"2999B", "3000B"};
  for (int k = 0; k < 2; k++) {
    char *yaml = g_strdup_printf(fmt, limits[k]);
    TestNet fx = testlib_build(yaml);
    g_free(yaml);
    Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
    for (int i = 0; i < 10; i++)
      send_frame(a, b->mac, ETHERTYPE_TEST, 986);
    ck_assert_uint_eq(a->queue.count, 2 + k);
    ck_assert_uint_eq(drops(a, DROP_QUEUE_FULL), 7 - k);
    run_to(&fx, SIMTIME_S(1));
    ck_assert_uint_eq(b->counters.rx_packets, 3 + k);
    testlib_build_free(&fx);
  }
}
END_TEST

/* Sends 10000 frames over a link with 10% loss; returns how many were lost,
 * and a fingerprint of which (a hash over the lost indexes). */
static uint64_t lossy_run(uint64_t seed, uint64_t *fingerprint)
{
  char *yaml = g_strdup_printf("seed: %" G_GUINT64_FORMAT "\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2], rate: 1Gbps, delay: 1ms, loss: 10%% }\n",
                               seed);
  TestNet fx = testlib_build(yaml);
  g_free(yaml);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  uint64_t lost = 0;
  *fingerprint = 0;
  for (int i = 0; i < 10000; i++) {
    send_frame(a, b->mac, ETHERTYPE_TEST, 100);
    run_to(&fx, SIMTIME_US(10) * (i + 1)); /* each frame is alone on the wire */
    if (drops(b, DROP_LINK_LOSS) > lost) {
      lost = drops(b, DROP_LINK_LOSS);
      *fingerprint = *fingerprint * 31 + (uint64_t)i;
    }
  }
  run_to(&fx, SIMTIME_S(1)); /* the last 100 frames were still on the wire */
  lost = drops(b, DROP_LINK_LOSS);
  ck_assert_uint_eq(b->counters.rx_packets + lost, 10000);
  testlib_build_free(&fx);
  return lost;
}

START_TEST(test_loss_rate_and_determinism)
{
  uint64_t f1, f2, f3;
  uint64_t lost = lossy_run(7, &f1);
  /* binomial(10000, 0.1): mean 1000, standard deviation 30; allow 5 sigma */
  ck_assert_uint_ge(lost, 850);
  ck_assert_uint_le(lost, 1150);
  ck_assert_uint_eq(lossy_run(7, &f2), lost);
  ck_assert_uint_eq(f2, f1);
  lossy_run(8, &f3);
  ck_assert_uint_ne(f3, f1);
}
END_TEST

/* The lines of `trace` about frames arriving at h2. */
static char *h2_arrivals(const char *trace)
{
  GString *out = g_string_new(NULL);
  char **lines = g_strsplit(trace, "\n", -1);
  for (char **l = lines; *l; l++)
    if (strstr(*l, " h2 eth0 rx "))
      g_string_append_printf(out, "%s\n", *l);
  g_strfreev(lines);
  return g_string_free(out, FALSE);
}

/* reorder: 100%: of two frames sent back to back (1000 and 500 bytes at
 * 10 Mbps, 2 ms), the second overtakes the first, which is held and
 * arrives right after it, at the second's time (0.4 + 0.8 + 2 ms: #2
 * before #1); a frame
 * alone on the wire has nothing to overtake and arrives on time. */
START_TEST(test_reorder)
{
  char *yaml = g_strdup_printf("%s", two_hosts);
  yaml[strlen(yaml) - 3] = '\0'; /* " }\n" */
  char *full = g_strdup_printf("%s, reorder: 100%% }\n", yaml);
  TestNet fx = testlib_build(full);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  char *buf = NULL;
  size_t len = 0;
  fx.net->ctx.trace = trace_new(open_memstream(&buf, &len), TRUE, TRACE_LINK);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  send_frame(a, b->mac, ETHERTYPE_TEST, 486);
  run_to(&fx, SIMTIME_US(3200) - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  run_to(&fx, SIMTIME_MS(10));
  send_frame(a, b->mac, ETHERTYPE_TEST, 86);
  run_to(&fx, SIMTIME_MS(20));
  trace_free(fx.net->ctx.trace);
  fx.net->ctx.trace = NULL;
  char *rx = h2_arrivals(buf);
  ck_assert_str_eq(rx, "0.003200000 h2 eth0 rx #2 ETH 02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype 0x88b5 len 486\n"
                       "0.003200000 h2 eth0 rx #1 ETH 02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype 0x88b5 len 986\n"
                       "0.012080000 h2 eth0 rx #3 ETH 02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype 0x88b5 len 86\n");
  g_free(rx), g_free(full), g_free(yaml);
  free(buf);
  testlib_build_free(&fx);
}
END_TEST

/* At 1 ms: h1's frame 0 and frame 1 are on the wire, frames 2-4 queued,
 * and h2's one frame is on the wire back. The link goes down: exactly those
 * six are dropped with DROP_LINK_DOWN where they were held, both ends go
 * down, a frame sent while down is dropped; up again, frames flow. */
START_TEST(test_link_down_up)
{
  TestNet fx = testlib_build(two_hosts);
  Link *link = network_link(fx.net, 0);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);

  for (int i = 0; i < 5; i++)
    send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  send_frame(b, a->mac, ETHERTYPE_TEST, 986);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(a->counters.tx_packets, 2);
  ck_assert_uint_eq(a->queue.count, 3);
  link_set_up(link, FALSE);
  ck_assert(!link->up && !a->up && !b->up);
  ck_assert_uint_eq(drops(a, DROP_LINK_DOWN), 5);
  ck_assert_uint_eq(drops(b, DROP_LINK_DOWN), 1);
  ck_assert_uint_eq(a->queue.count, 0);
  ck_assert_uint_eq(link->dir[0].count + link->dir[1].count, 0);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  ck_assert_uint_eq(drops(a, DROP_LINK_DOWN), 6);
  run_to(&fx, SIMTIME_MS(20));
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  ck_assert_uint_eq(a->counters.rx_packets, 0);

  link_set_up(link, TRUE);
  ck_assert(link->up && a->up && b->up);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  run_to(&fx, SIMTIME_MS(20) + SIMTIME_US(2800) - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  run_to(&fx, SIMTIME_MS(20) + SIMTIME_US(2800));
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  ck_assert_uint_eq(drops(a, DROP_LINK_DOWN), 6);
  testlib_build_free(&fx);
}
END_TEST

/* New parameters apply to frames that start after the change; a frame
 * started earlier keeps its time, and a faster later frame does not
 * overtake it. */
START_TEST(test_set_params)
{
  TestNet fx = testlib_build(two_hosts);
  Link *link = network_link(fx.net, 0);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);

  send_frame(a, b->mac, ETHERTYPE_TEST, 986); /* arrives at 2.8 ms */
  run_to(&fx, SIMTIME_US(100));
  LinkConfig p = {.rate_bps = 100000000, .delay = SIMTIME_MS(1), .given = LINK_GIVEN_RATE | LINK_GIVEN_DELAY};
  link_set_params(link, &p);
  send_frame(a, b->mac, ETHERTYPE_TEST, 986); /* starts at 0.8 ms, would arrive at 1.88 ms */
  run_to(&fx, SIMTIME_US(2800) - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  run_to(&fx, SIMTIME_US(2800));
  ck_assert_uint_eq(b->counters.rx_packets, 2);
  run_to(&fx, SIMTIME_MS(10));
  send_frame(a, b->mac, ETHERTYPE_TEST, 986);
  run_to(&fx, SIMTIME_MS(11) + SIMTIME_US(80) - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 2);
  run_to(&fx, SIMTIME_MS(11) + SIMTIME_US(80));
  ck_assert_uint_eq(b->counters.rx_packets, 3);
  testlib_build_free(&fx);
}
END_TEST

/* ---- Ethernet --------------------------------------------------------- */

START_TEST(test_padding)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  send_frame(a, b->mac, ETHERTYPE_TEST, 20); /* 34 bytes, padded to 60 */
  send_frame(a, b->mac, ETHERTYPE_TEST, 0);
  send_frame(a, b->mac, ETHERTYPE_TEST, 46); /* exactly 60: no padding */
  send_frame(a, b->mac, ETHERTYPE_TEST, 100);
  ck_assert_uint_eq(a->counters.tx_bytes, 60); /* the others wait */
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(a->counters.tx_bytes, 60 + 60 + 60 + 114);
  ck_assert_uint_eq(b->counters.rx_bytes, 60 + 60 + 60 + 114);
  testlib_build_free(&fx);
}
END_TEST

/* The frame's header carries the interface's MAC as source, the given
 * destination and ethertype, and the padding is zero. */
START_TEST(test_header_bytes)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  Packet *p = packet_new(fx.net->ctx.pool, 4);
  memcpy(packet_data(p), "abcd", 4);
  ethernet_output(a, p, b->mac, ETHERTYPE_TEST);
  Link *link = network_link(fx.net, 0);
  ck_assert_uint_eq(link->dir[0].count, 1);
  Packet *frame = link->dir[0].ring[link->dir[0].head].frame;
  const uint8_t *d = packet_data(frame);
  ck_assert_uint_eq(packet_len(frame), ETH_MIN_FRAME);
  ck_assert_mem_eq(d, b->mac, 6);
  ck_assert_mem_eq(d + 6, a->mac, 6);
  ck_assert_uint_eq(d[12], 0x88);
  ck_assert_uint_eq(d[13], 0xb5);
  ck_assert_mem_eq(d + 14, "abcd", 4);
  for (int i = 18; i < ETH_MIN_FRAME; i++)
    ck_assert_uint_eq(d[i], 0);
  testlib_build_free(&fx);
}
END_TEST

/* A host drops unicast for another MAC (DROP_OTHER_MAC) but accepts its
 * own, broadcast and multicast; frames shorter than a header are bad. */
START_TEST(test_other_mac_filter)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x99};
  const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
  send_frame(a, other, ETHERTYPE_TEST, 46);
  send_frame(a, eth_broadcast, ETHERTYPE_TEST, 46);
  send_frame(a, mcast, ETHERTYPE_TEST, 46);
  send_frame(a, b->mac, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(b->counters.rx_packets, 4);
  ck_assert_uint_eq(drops(b, DROP_OTHER_MAC), 1);
  ck_assert_uint_eq(drops(b, DROP_UNKNOWN_ETHERTYPE), 3);

  ethernet_input(b, packet_new(fx.net->ctx.pool, 13));
  ck_assert_uint_eq(drops(b, DROP_BAD_FRAME), 1);
  testlib_build_free(&fx);
}
END_TEST

/* A frame longer than the MTU plus the header is not sent. */
START_TEST(test_mtu)
{
  TestNet fx = testlib_build(two_hosts);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  send_frame(a, b->mac, ETHERTYPE_TEST, a->mtu);
  send_frame(a, b->mac, ETHERTYPE_TEST, a->mtu + 1);
  ck_assert_uint_eq(drops(a, DROP_BAD_FRAME), 1);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  testlib_build_free(&fx);
}
END_TEST

/* ---- switch ----------------------------------------------------------- */

static const char *lan = "nodes:\n"
                         "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                         "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                         "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                         "  s1: { kind: switch }\n"
                         "links:\n"
                         "  - { ends: [h1, s1], rate: 100Mbps, delay: 10us }\n"
                         "  - { ends: [h2, s1], rate: 100Mbps, delay: 10us }\n"
                         "  - { ends: [h3, s1], rate: 100Mbps, delay: 10us }\n";

/* Builds `yaml` with every switch's aging time set to `aging`. */
static TestNet fx_build_aging(const char *yaml, SimTime aging)
{
  TestNet fx = {testlib_load_ok(yaml), NULL};
  for (guint i = 0; i < fx.sc->nodes->len; i++)
    if (scenario_node(fx.sc, i)->kind == NODE_KIND_SWITCH)
      scenario_node(fx.sc, i)->aging = aging;
  fx.net = build_network(fx.sc);
  return fx;
}

/* Unknown unicast floods; once the switch has learned the destination, it
 * goes to that port only. */
START_TEST(test_switch_learning)
{
  TestNet fx = fx_build_aging(lan, SIMTIME_S(300));
  Iface *h1 = fx_iface(&fx, "h1", 0), *h2 = fx_iface(&fx, "h2", 0), *h3 = fx_iface(&fx, "h3", 0);
  Switch *sw = fx_node(&fx, "s1")->sw;
  ck_assert_ptr_nonnull(sw);
  ck_assert_uint_eq(switch_table_size(sw), 0);

  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46); /* unknown: flooded */
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(h2->counters.rx_packets, 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  ck_assert_uint_eq(drops(h3, DROP_OTHER_MAC), 1);
  ck_assert_uint_eq(h1->counters.rx_packets, 0); /* not back to the sender */
  ck_assert_uint_eq(switch_table_size(sw), 1);
  ck_assert_ptr_eq(switch_lookup(sw, h1->mac), fx_port_to(&fx, "s1", "h1"));
  ck_assert_ptr_null(switch_lookup(sw, h2->mac));

  send_frame(h2, h1->mac, ETHERTYPE_TEST, 46); /* known: to h1 only */
  run_to(&fx, SIMTIME_MS(2));
  ck_assert_uint_eq(h1->counters.rx_packets, 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  ck_assert_uint_eq(switch_table_size(sw), 2);

  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46); /* now known too */
  run_to(&fx, SIMTIME_MS(3));
  ck_assert_uint_eq(h2->counters.rx_packets, 2);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);

  send_frame(h3, eth_broadcast, ETHERTYPE_TEST, 46); /* broadcast: everyone else */
  run_to(&fx, SIMTIME_MS(4));
  ck_assert_uint_eq(h1->counters.rx_packets, 2);
  ck_assert_uint_eq(h2->counters.rx_packets, 3);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  ck_assert_uint_eq(switch_table_size(sw), 3);
  testlib_build_free(&fx);
}
END_TEST

/* An entry not refreshed for the aging time is gone: frames flood again. */
START_TEST(test_switch_aging)
{
  TestNet fx = fx_build_aging(lan, SIMTIME_S(1));
  Iface *h1 = fx_iface(&fx, "h1", 0), *h2 = fx_iface(&fx, "h2", 0), *h3 = fx_iface(&fx, "h3", 0);
  Switch *sw = fx_node(&fx, "s1")->sw;

  send_frame(h2, h1->mac, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(1)); /* h2 learned when its frame arrived at the switch */
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  SimTime learned = SIMTIME_US(10) + tx_ns(60, 100000000);

  run_to(&fx, learned + SIMTIME_S(1) - 1);
  ck_assert_ptr_nonnull(switch_lookup(sw, h2->mac));
  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46); /* reaches the switch after the aging time */
  run_to(&fx, learned + SIMTIME_S(1));
  ck_assert_ptr_null(switch_lookup(sw, h2->mac));
  ck_assert_uint_eq(switch_table_size(sw), 0);
  run_to(&fx, SIMTIME_S(2));
  ck_assert_uint_eq(h2->counters.rx_packets, 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 2); /* flooded again */
  ck_assert_uint_eq(switch_table_size(sw), 1);   /* h1, learned just now */
  testlib_build_free(&fx);
}
END_TEST

/* The trace's notes on s1 (lines holding " s1 - note "), in order. */
static char *switch_notes(const char *trace)
{
  GString *out = g_string_new(NULL);
  char **lines = g_strsplit(trace, "\n", -1);
  for (char **l = lines; *l; l++)
    if (strstr(*l, " s1 - note "))
      g_string_append_printf(out, "%s\n", *l);
  g_strfreev(lines);
  return g_string_free(out, FALSE);
}

/* With the link layer traced, the switch notes what it learns, an address
 * that moves to another port, and an entry found aged out (lazily: at the
 * first frame to or from it after the aging time, 1 s here). */
START_TEST(test_switch_learning_notes)
{
  TestNet fx = fx_build_aging(lan, SIMTIME_S(1));
  Iface *h1 = fx_iface(&fx, "h1", 0), *h2 = fx_iface(&fx, "h2", 0), *h3 = fx_iface(&fx, "h3", 0);
  char *buf = NULL;
  size_t len = 0;
  fx.net->ctx.trace = trace_new(open_memstream(&buf, &len), TRUE, TRACE_LINK);

  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46); /* learn h1 */
  run_to(&fx, SIMTIME_MS(1));
  send_frame(h2, h1->mac, ETHERTYPE_TEST, 46); /* learn h2 */
  run_to(&fx, SIMTIME_MS(2));
  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46); /* nothing new */
  run_to(&fx, SIMTIME_MS(3));
  memcpy(h3->mac, h1->mac, ETH_ADDR_LEN); /* h1's address moves behind h3's port */
  send_frame(h3, h2->mac, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_S(2));
  send_frame(h3, h2->mac, ETHERTYPE_TEST, 46); /* h2 aged out, h1's entry too */
  run_to(&fx, SIMTIME_S(3));
  trace_free(fx.net->ctx.trace);
  fx.net->ctx.trace = NULL;
  /* Each frame reaches s1 10 us plus 60 bytes at 100 Mbps (4.8 us) after it leaves. */
  char *notes = switch_notes(buf);
  ck_assert_str_eq(notes, "0.000014800 s1 - note learn 02:00:00:00:00:01 on eth0\n"
                          "0.001014800 s1 - note learn 02:00:00:00:00:02 on eth1\n"
                          "0.003014800 s1 - note move 02:00:00:00:00:01 from eth0 to eth2\n"
                          "2.000014800 s1 - note age 02:00:00:00:00:01 on eth2\n"
                          "2.000014800 s1 - note learn 02:00:00:00:00:01 on eth2\n"
                          "2.000014800 s1 - note age 02:00:00:00:00:02 on eth1\n");
  g_free(notes);
  free(buf);
  testlib_build_free(&fx);
}
END_TEST

/* s1 still knows h2 behind s2 while s2 (shorter aging) has forgotten it:
 * s2 floods a frame for h2 to s1, which drops it (DROP_SWITCH_SAME_PORT). */
START_TEST(test_switch_same_port)
{
  TestNet fx = testlib_build("nodes:\n"
                             "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                             "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                             "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                             "  s1: { kind: switch }\n"
                             "  s2: { kind: switch, aging: 1s }\n"
                             "links:\n"
                             "  - [s1, s2]\n"
                             "  - [h1, s2]\n"
                             "  - [h2, s2]\n"
                             "  - [h3, s1]\n");
  Iface *h1 = fx_iface(&fx, "h1", 0), *h2 = fx_iface(&fx, "h2", 0), *h3 = fx_iface(&fx, "h3", 0);
  Iface *s1_up = fx_port_to(&fx, "s1", "s2");

  send_frame(h2, eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(500));
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  ck_assert_ptr_eq(switch_lookup(fx_node(&fx, "s1")->sw, h2->mac), s1_up);
  run_to(&fx, SIMTIME_MS(1500));
  ck_assert_ptr_null(switch_lookup(fx_node(&fx, "s2")->sw, h2->mac));
  send_frame(h1, h2->mac, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_S(2));
  ck_assert_uint_eq(h2->counters.rx_packets, 1);
  ck_assert_uint_eq(drops(s1_up, DROP_SWITCH_SAME_PORT), 1);
  ck_assert_uint_eq(h3->counters.rx_packets, 1);
  testlib_build_free(&fx);
}
END_TEST

/* Four switches in a full mesh and one broadcast: each switch floods every
 * copy to two others, so copies multiply until the queues are full
 * (DROP_QUEUE_FULL); the storm runs for the whole second, and the packets
 * in use stay bounded by what the queues and wires hold. */
START_TEST(test_switch_loop_storm)
{
  TestNet fx = fx_build_aging("nodes:\n"
                              "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                              "  s1: { kind: switch }\n"
                              "  s2: { kind: switch }\n"
                              "  s3: { kind: switch }\n"
                              "  s4: { kind: switch }\n"
                              "defaults:\n"
                              "  link: { rate: 10Mbps, delay: 1ms, queue: 10p }\n"
                              "links:\n"
                              "  - [h1, s1]\n"
                              "  - [s1, s2]\n"
                              "  - [s1, s3]\n"
                              "  - [s1, s4]\n"
                              "  - [s2, s3]\n"
                              "  - [s2, s4]\n"
                              "  - [s3, s4]\n",
                              SIMTIME_S(300));
  Iface *h1 = fx_iface(&fx, "h1", 0);
  send_frame(h1, eth_broadcast, ETHERTYPE_TEST, 46);
  uint64_t peak = 0;
  for (int ms = 1; ms <= 1000; ms++) {
    run_to(&fx, SIMTIME_MS(ms));
    peak = MAX(peak, packet_pool_stats(fx.net->ctx.pool).in_use);
  }
  uint64_t queue_full = 0;
  for (guint n = 1; n < 5; n++)
    queue_full += node_drops(network_node(fx.net, n), DROP_QUEUE_FULL);
  ck_assert_uint_gt(queue_full, 10000);
  /* 60-byte frames take 48 us: at most 22 per direction in flight (1 ms),
   * 10 queued per sending interface; 14 directions. */
  ck_assert_uint_le(peak, 14 * (22 + 10));
  ck_assert_uint_gt(h1->counters.rx_packets, 1000); /* the storm reaches h1 all along */
  ck_assert_uint_gt(scheduler_pending(fx.net->ctx.sched), 0);
  testlib_build_free(&fx);
}
END_TEST

/* ---- ARP -------------------------------------------------------------- */

static const char *arp_pair = "nodes:\n"
                              "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                              "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                              "links:\n"
                              "  - { ends: [h1, h2], rate: 10Mbps, delay: 1ms }\n";

/* One hop of a 60-byte frame on the ARP pair's link: 48 us + 1 ms. */
#define ARP_HOP (SIMTIME_US(48) + SIMTIME_MS(1))

static uint32_t ip4(const char *text)
{
  uint32_t addr = 0;
  ck_assert(addr_parse_ipv4(text, &addr));
  return addr;
}

/* Sends a 40-byte IP-sized packet (zeros: the receiver drops it as a bad
 * header) to `next_hop` through ARP. */
static void send_ip(Iface *from, uint32_t next_hop)
{
  arp_output(from, packet_new(from->node->ctx->pool, 40), next_hop);
}

/* The first packet waits for the request and reply, then goes; both caches
 * hold the other host (the target learns by RFC 826's merge rule). */
START_TEST(test_arp_resolve)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  uint8_t mac[6];

  ck_assert(!arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  send_ip(a, ip4("10.0.0.2"));
  ck_assert_uint_eq(a->counters.tx_packets, 1); /* the request */
  run_to(&fx, ARP_HOP);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  ck_assert(arp_cache_lookup(b->arp, ip4("10.0.0.1"), mac));
  ck_assert_mem_eq(mac, a->mac, 6);
  run_to(&fx, 2 * ARP_HOP);
  ck_assert_uint_eq(a->counters.rx_packets, 1); /* the reply */
  ck_assert(arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  ck_assert_mem_eq(mac, b->mac, 6);
  run_to(&fx, 3 * ARP_HOP - 1);
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  run_to(&fx, 3 * ARP_HOP);
  ck_assert_uint_eq(b->counters.rx_packets, 2);

  /* resolved: the next packet goes at once */
  send_ip(a, ip4("10.0.0.2"));
  run_to(&fx, 4 * ARP_HOP);
  ck_assert_uint_eq(b->counters.rx_packets, 3);
  ck_assert_uint_eq(a->counters.tx_packets, 3);
  testlib_build_free(&fx);
}
END_TEST

/* ARP_QUEUE_LEN + 2 packets before resolution: ARP_QUEUE_LEN wait and go
 * after the reply, the last two are dropped (DROP_ARP_QUEUE_FULL). */
START_TEST(test_arp_queue)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  for (int i = 0; i < ARP_QUEUE_LEN + 2; i++)
    send_ip(a, ip4("10.0.0.2"));
  ck_assert_uint_eq(drops(a, DROP_ARP_QUEUE_FULL), 2);
  ck_assert_uint_eq(a->counters.tx_packets, 1);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(b->counters.rx_packets, 1 + ARP_QUEUE_LEN);
  ck_assert_uint_eq(a->counters.tx_packets, 1 + ARP_QUEUE_LEN);
  ck_assert_uint_eq(b->counters.tx_packets, 1);
  testlib_build_free(&fx);
}
END_TEST

/* No answer: ARP_MAX_REQUESTS requests one second apart, then the waiting
 * packet is dropped (DROP_ARP_FAILED) one interval after the last. */
START_TEST(test_arp_failure)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  Node *h1 = fx_node(&fx, "h1");
  uint8_t mac[6];

  send_ip(a, ip4("10.0.0.9"));
  for (int k = 0; k < ARP_MAX_REQUESTS; k++) {
    SimTime arrival = k * ARP_RETRY_INTERVAL + ARP_HOP;
    run_to(&fx, arrival - 1);
    ck_assert_uint_eq(b->counters.rx_packets, (uint64_t)k);
    run_to(&fx, arrival);
    ck_assert_uint_eq(b->counters.rx_packets, (uint64_t)k + 1);
  }
  run_to(&fx, ARP_MAX_REQUESTS * ARP_RETRY_INTERVAL - 1);
  ck_assert_uint_eq(node_drops(h1, DROP_ARP_FAILED), 0);
  run_to(&fx, ARP_MAX_REQUESTS * ARP_RETRY_INTERVAL);
  ck_assert_uint_eq(node_drops(h1, DROP_ARP_FAILED), 1);
  run_to(&fx, SIMTIME_S(30));
  ck_assert_uint_eq(a->counters.tx_packets, ARP_MAX_REQUESTS);
  ck_assert_uint_eq(b->counters.rx_packets, ARP_MAX_REQUESTS);
  ck_assert_uint_eq(b->counters.tx_packets, 0);
  ck_assert(!arp_cache_lookup(a->arp, ip4("10.0.0.9"), mac));

  /* a later packet starts a new resolution */
  send_ip(a, ip4("10.0.0.9"));
  ck_assert_uint_eq(a->counters.tx_packets, ARP_MAX_REQUESTS + 1);
  testlib_build_free(&fx);
}
END_TEST

/* An entry lives ARP_TIMEOUT after it was learned; then the next packet
 * sends a new request. */
START_TEST(test_arp_expiry)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  uint8_t mac[6];

  send_ip(a, ip4("10.0.0.2"));
  SimTime learned = 2 * ARP_HOP; /* the reply's arrival */
  run_to(&fx, learned + ARP_TIMEOUT - 1);
  ck_assert(arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  run_to(&fx, learned + ARP_TIMEOUT);
  ck_assert(!arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  uint64_t sent = a->counters.tx_packets;
  send_ip(a, ip4("10.0.0.2"));
  ck_assert_uint_eq(a->counters.tx_packets, sent + 1);
  run_to(&fx, learned + ARP_TIMEOUT + 3 * ARP_HOP);
  ck_assert_uint_eq(b->counters.rx_packets, 4); /* request, data, request, data */
  ck_assert(arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  testlib_build_free(&fx);
}
END_TEST

/* Malformed or non-Ethernet/IPv4 ARP is dropped with DROP_BAD_ARP; a
 * request for another address teaches nothing and gets no reply. */
START_TEST(test_arp_bad_and_foreign)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0), *b = fx_iface(&fx, "h2", 0);
  uint8_t mac[6];

  send_frame(a, b->mac, ETHERTYPE_ARP, 20); /* padded to 46 zero bytes: htype 0 */
  Packet *p = packet_new(fx.net->ctx.pool, 28);
  uint8_t *d = packet_data(p);
  d[1] = 6; /* htype 6: IEEE 802 */
  d[2] = 0x08, d[4] = 6, d[5] = 4, d[7] = 1;
  ethernet_output(a, p, eth_broadcast, ETHERTYPE_ARP);
  /* a well-formed request for 10.0.0.77 */
  p = packet_new(fx.net->ctx.pool, 28);
  d = packet_data(p);
  const uint8_t req[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x42, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 77};
  memcpy(d, req, 28);
  ethernet_output(a, p, eth_broadcast, ETHERTYPE_ARP);
  run_to(&fx, SIMTIME_S(1));
  ck_assert_uint_eq(b->counters.rx_packets, 3);
  ck_assert_uint_eq(drops(b, DROP_BAD_ARP), 2);
  ck_assert_uint_eq(b->counters.tx_packets, 0);
  ck_assert(!arp_cache_lookup(b->arp, ip4("10.0.0.1"), mac));
  testlib_build_free(&fx);
}
END_TEST

/* Packets waiting for resolution when the link goes down are dropped
 * (DROP_LINK_DOWN), the retry timer stops, and the cache is empty. */
START_TEST(test_arp_link_down)
{
  TestNet fx = testlib_build(arp_pair);
  Iface *a = fx_iface(&fx, "h1", 0);
  uint8_t mac[6];
  send_ip(a, ip4("10.0.0.9"));
  send_ip(a, ip4("10.0.0.2"));
  run_to(&fx, SIMTIME_MS(500));
  ck_assert(arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  link_set_up(network_link(fx.net, 0), FALSE);
  ck_assert_uint_eq(drops(a, DROP_LINK_DOWN), 1);
  ck_assert(!arp_cache_lookup(a->arp, ip4("10.0.0.2"), mac));
  run_to(&fx, SIMTIME_S(10));
  ck_assert_uint_eq(a->counters.tx_packets, 3); /* two requests and the packet to .2; no retry */
  ck_assert_uint_eq(node_drops(fx_node(&fx, "h1"), DROP_ARP_FAILED), 0);
  testlib_build_free(&fx);
}
END_TEST

static Suite *link_suite(void)
{
  Suite *s = suite_create("link");
  TCase *tc = tcase_create("link");
  tcase_add_test(tc, test_tx_time_exact);
  tcase_add_test(tc, test_arrival_time);
  tcase_add_test(tc, test_back_to_back);
  tcase_add_test(tc, test_droptail_packets);
  tcase_add_test(tc, test_droptail_bytes);
  tcase_add_test(tc, test_loss_rate_and_determinism);
  tcase_add_test(tc, test_reorder);
  tcase_add_test(tc, test_link_down_up);
  tcase_add_test(tc, test_set_params);
  suite_add_tcase(s, tc);

  tc = tcase_create("ethernet");
  tcase_add_test(tc, test_padding);
  tcase_add_test(tc, test_header_bytes);
  tcase_add_test(tc, test_other_mac_filter);
  tcase_add_test(tc, test_mtu);
  suite_add_tcase(s, tc);

  tc = tcase_create("switch");
  tcase_add_test(tc, test_switch_learning);
  tcase_add_test(tc, test_switch_aging);
  tcase_add_test(tc, test_switch_learning_notes);
  tcase_add_test(tc, test_switch_same_port);
  tcase_add_test(tc, test_switch_loop_storm);
  suite_add_tcase(s, tc);

  tc = tcase_create("arp");
  tcase_add_test(tc, test_arp_resolve);
  tcase_add_test(tc, test_arp_queue);
  tcase_add_test(tc, test_arp_failure);
  tcase_add_test(tc, test_arp_expiry);
  tcase_add_test(tc, test_arp_bad_and_foreign);
  tcase_add_test(tc, test_arp_link_down);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(link_suite());
}
