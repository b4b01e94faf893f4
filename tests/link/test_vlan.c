/*
 * Tests of IEEE 802.1Q VLANs (models/link/vlan.c, the switch's VLAN-aware
 * learning and flooding, subinterfaces): a broadcast never crosses VLANs;
 * frames are tagged on trunks and untagged on access ports, with the tag's
 * bytes checked in a capture; the native VLAN crosses untagged (and a
 * native mismatch leaks one VLAN into another, as on real switches); a
 * tagged frame may be 4 bytes over the MTU; bad frames (tagged on an access
 * port, double tags, a VLAN a trunk does not allow, a truncated tag, a VLAN
 * a host has no subinterface for) are dropped with their reasons;
 * subinterfaces route between VLANs (router-on-a-stick); tshark dissects
 * the trunk's capture with no malformed packet or expert error.
 *
 * Sizes: a minimal frame is 60 bytes untagged and 64 tagged; a frame of L
 * bytes takes L * 8 / R on a link of rate R.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "models/core/network.h"
#include "models/internet/ipv4.h"
#include "models/observe/forward_walk.h"
#include "models/link/ethernet.h"
#include "models/link/switch.h"
#include "models/link/vlan.h"
#include "models/observe/show.h"
#include "models/observe/trace_decode.h"
#include "sim/build/build.h"
#include "tests/testlib.h"
#include "viz/topology.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE 802 local experimental: nobody handles it */

/* Interface `iface` of node `node`. */
static Iface *fx_if(const TestNet *fx, const char *node, const char *iface)
{
  Iface *i = node_find_iface(testlib_node(fx->net, node), iface);
  ck_assert_msg(i != NULL, "%s has no %s", node, iface);
  return i;
}

static void run_to(const TestNet *fx, SimTime t)
{
  scheduler_run(fx->net->ctx.sched, t);
}

static void send_frame(Iface *from, const uint8_t dst[6], uint16_t type, size_t payload)
{
  ethernet_output(from, packet_new(from->node->ctx->pool, payload), dst, type);
}

/* Sends from `from` a frame to `dst` of ethertype `type` whose payload
 * starts with the `n` bytes `head` (zero-padded to the minimum frame). */
static void send_raw(Iface *from, const uint8_t dst[6], uint16_t type, const uint8_t *head, size_t n)
{
  Packet *p = packet_new(from->node->ctx->pool, n);
  memcpy(packet_data(p), head, n);
  ethernet_output(from, p, dst, type);
}

static uint64_t drops(const Iface *iface, DropReason reason)
{
  return iface->counters.drops[reason];
}

/* Two switches joined by a trunk carrying VLANs 10 and 20; on each, an
 * access port of VLAN 10 (a1, a2) and one of VLAN 20 (b1, b2). */
static const char *two_vlans = "nodes:\n"
                               "  s1:\n"
                               "    kind: switch\n"
                               "    interfaces:\n"
                               "      p1: { vlan: 10 }\n"
                               "      p2: { vlan: 20 }\n"
                               "      t: { mode: trunk, vlans: [10, 20] }\n"
                               "  s2:\n"
                               "    kind: switch\n"
                               "    interfaces:\n"
                               "      p1: { vlan: 10 }\n"
                               "      p2: { vlan: 20 }\n"
                               "      t: { mode: trunk, vlans: [10, 20] }\n"
                               "  a1: { kind: host, ip: 10.0.10.1/24 }\n"
                               "  a2: { kind: host, ip: 10.0.10.2/24 }\n"
                               "  b1: { kind: host, ip: 10.0.20.1/24 }\n"
                               "  b2: { kind: host, ip: 10.0.20.2/24 }\n"
                               "defaults: { link: { rate: 100Mbps, delay: 10us } }\n"
                               "links:\n"
                               "  - [s1:p1, a1]\n"
                               "  - [s1:p2, b1]\n"
                               "  - [s2:p1, a2]\n"
                               "  - [s2:p2, b2]\n"
                               "  - [s1:t, s2:t]\n";

/* A broadcast reaches the hosts of its VLAN only, across the trunk; the
 * switches learn the sender in its VLAN only. */
START_TEST(test_vlan_isolation)
{
  TestNet fx = testlib_build(two_vlans);
  Iface *a1 = fx_if(&fx, "a1", "eth0"), *a2 = fx_if(&fx, "a2", "eth0");
  Iface *b1 = fx_if(&fx, "b1", "eth0"), *b2 = fx_if(&fx, "b2", "eth0");
  send_frame(a1, eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(a2->counters.rx_packets, 1);
  ck_assert_uint_eq(b1->counters.rx_packets, 0);
  ck_assert_uint_eq(b2->counters.rx_packets, 0);
  Switch *sw1 = testlib_node(fx.net, "s1")->sw, *sw2 = testlib_node(fx.net, "s2")->sw;
  ck_assert_ptr_eq(switch_lookup_vlan(sw1, 10, a1->mac), fx_if(&fx, "s1", "p1"));
  ck_assert_ptr_eq(switch_lookup_vlan(sw2, 10, a1->mac), fx_if(&fx, "s2", "t"));
  ck_assert_ptr_null(switch_lookup_vlan(sw1, 20, a1->mac));
  ck_assert_ptr_null(switch_lookup(sw1, a1->mac)); /* VLAN 1 */

  send_frame(b2, eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(2));
  ck_assert_uint_eq(b1->counters.rx_packets, 1);
  ck_assert_uint_eq(a1->counters.rx_packets, 0);
  ck_assert_uint_eq(a2->counters.rx_packets, 1);

  /* Unicast to a MAC learned in VLAN 10, sent in VLAN 20: unknown there, it
   * floods VLAN 20 and never reaches a1. */
  send_frame(b1, a1->mac, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(3));
  ck_assert_uint_eq(a1->counters.rx_packets, 0);
  ck_assert_uint_eq(b2->counters.rx_packets, 1);
  ck_assert_uint_eq(drops(b2, DROP_OTHER_MAC), 1);
  testlib_build_free(&fx);
}
END_TEST

/* A minimal frame is 60 bytes on the access ports and 64 on the trunk; the
 * arrival at a2 is three serializations and three delays after the start. */
START_TEST(test_vlan_tag_sizes)
{
  TestNet fx = testlib_build(two_vlans);
  Iface *a1 = fx_if(&fx, "a1", "eth0"), *a2 = fx_if(&fx, "a2", "eth0");
  Iface *t1 = fx_if(&fx, "s1", "t"), *t2 = fx_if(&fx, "s2", "t");
  send_frame(a1, eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(t1->counters.tx_bytes, 64);
  ck_assert_uint_eq(t2->counters.rx_bytes, 64);
  ck_assert_uint_eq(fx_if(&fx, "s2", "p1")->counters.tx_bytes, 60);
  ck_assert_uint_eq(a2->counters.rx_bytes, 60);
  testlib_build_free(&fx);

  /* 60 B at 100 Mbps take 4800 ns, 64 B 5120 ns; 10 us per link: a2 has it
   * at 4800 + 10000 + 5120 + 10000 + 4800 + 10000 ns. */
  fx = testlib_build(two_vlans);
  a2 = fx_if(&fx, "a2", "eth0");
  send_frame(fx_if(&fx, "a1", "eth0"), eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, 44719);
  ck_assert_uint_eq(a2->counters.rx_packets, 0);
  run_to(&fx, 44720);
  ck_assert_uint_eq(a2->counters.rx_packets, 1);
  testlib_build_free(&fx);
}
END_TEST

/* Reads the first frame of the pcap file `path` into `out` (at most `max` bytes); returns its length. */
static size_t pcap_first_frame(const char *path, uint8_t *out, size_t max)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *in = pcap_open_offline(path, errbuf);
  ck_assert_msg(in != NULL, "%s", errbuf);
  struct pcap_pkthdr *h;
  const u_char *data;
  ck_assert_int_eq(pcap_next_ex(in, &h, &data), 1);
  size_t n = MIN(h->caplen, max);
  memcpy(out, data, n);
  pcap_close(in);
  return n;
}

/* Runs `yaml` with `ipsim run --out DIR` in a scratch directory; returns
 * DIR (g_free, removed by scratch_remove()). */
static char *run_to_dir(const char *yaml)
{
  char *tmp = g_dir_make_tmp("ipsim-vlan-XXXXXX", NULL);
  char *file = g_build_filename(tmp, "s.yaml", NULL), *dir = g_build_filename(tmp, "out", NULL);
  ck_assert(g_file_set_contents(file, yaml, -1, NULL));
  char *out = NULL, *err = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", "--quiet", "--out", dir, file, NULL}, &out, &err);
  ck_assert_msg(status == 0, "exit %d: %s", status, err);
  g_free(out);
  g_free(err);
  g_free(file);
  g_free(dir);
  return tmp;
}

static void scratch_remove(const char *tmp)
{
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd);
}

static const char *ping_vlans = "seed: 1\n"
                                "stop: 1s\n"
                                "apps:\n"
                                "  - { name: p, type: ping, on: a1, to: a2, start: 100ms, count: 1 }\n"
                                "output: { pcap: [s1:t, s1:p1] }\n";

/* The tag on the wire, as the trunk's capture holds it: TPID 0x8100, then
 * priority 0 and VLAN 10; the access port's capture has no tag. */
START_TEST(test_vlan_tag_bytes)
{
  char *yaml = g_strconcat(two_vlans, ping_vlans, NULL);
  char *tmp = run_to_dir(yaml);
  uint8_t f[64];
  char *trunk = g_build_filename(tmp, "out", "s1-t.pcap", NULL),
       *access = g_build_filename(tmp, "out", "s1-p1.pcap", NULL);
  ck_assert_uint_eq(pcap_first_frame(trunk, f, sizeof f), 64);
  static const uint8_t tag[] = {0x81, 0x00, 0x00, 0x0a, 0x08, 0x06}; /* VLAN 10, then ARP */
  ck_assert_mem_eq(f + 12, tag, sizeof tag);
  ck_assert_uint_eq(pcap_first_frame(access, f, sizeof f), 60);
  ck_assert_uint_eq(f[12], 0x08);
  ck_assert_uint_eq(f[13], 0x06);

  char *tshark = g_find_program_in_path("tshark");
  if (tshark) {
    char *out = NULL, *err = NULL;
    int status = -1;
    const char *argv[] = {"tshark", "-r", trunk, "-T", "fields", "-e", "vlan.id", "-e", "vlan.priority", NULL};
    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", err);
    ck_assert_str_eq(out, "10\t0\n10\t0\n10\t0\n10\t0\n"); /* ARP request and reply, echo request and reply */
    g_free(out);
    g_free(err);
    const char *check[] = {"tshark", "-r", trunk, "-Y", "_ws.expert.severity >= error || _ws.malformed", NULL};
    ck_assert(g_spawn_sync(NULL, (char **)check, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && out[0] == '\0', "tshark reports:\n%s", out);
    g_free(out);
    g_free(err);
    g_free(tshark);
  } else {
    printf("note: tshark is not installed; skipping the tshark check of the trunk's capture\n");
  }
  scratch_remove(tmp);
  g_free(trunk);
  g_free(access);
  g_free(tmp);
  g_free(yaml);
}
END_TEST

/* Trunks with a native VLAN: `native` frames cross untagged (60 bytes); a
 * native mismatch (10 at s1, 20 at s2) carries VLAN 10's untagged frames
 * into VLAN 20, the leak that Cisco's CDP warns about. */
static char *native_yaml(int n1, int n2)
{
  GString *s = g_string_new(two_vlans);
  char *t1 = g_strdup_printf("      t: { mode: trunk, vlans: [10, 20], native: %d }\n", n1);
  char *t2 = g_strdup_printf("      t: { mode: trunk, vlans: [10, 20], native: %d }\n", n2);
  const char *plain = "      t: { mode: trunk, vlans: [10, 20] }\n";
  char *first = strstr(s->str, plain);
  g_string_erase(s, first - s->str, (gssize)strlen(plain));
  g_string_insert(s, first - s->str, t1);
  char *second = strstr(s->str, plain);
  gssize at = second - s->str;
  g_string_erase(s, at, (gssize)strlen(plain));
  g_string_insert(s, at, t2);
  g_free(t1);
  g_free(t2);
  return g_string_free(s, FALSE);
}

START_TEST(test_vlan_native)
{
  char *yaml = native_yaml(10, 10);
  TestNet fx = testlib_build(yaml);
  Iface *a1 = fx_if(&fx, "a1", "eth0"), *b1 = fx_if(&fx, "b1", "eth0"), *t2 = fx_if(&fx, "s2", "t");
  send_frame(a1, eth_broadcast, ETHERTYPE_TEST, 46); /* VLAN 10: native, untagged */
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(t2->counters.rx_bytes, 60);
  ck_assert_uint_eq(fx_if(&fx, "a2", "eth0")->counters.rx_packets, 1);
  send_frame(b1, eth_broadcast, ETHERTYPE_TEST, 46); /* VLAN 20: tagged */
  run_to(&fx, SIMTIME_MS(2));
  ck_assert_uint_eq(t2->counters.rx_bytes, 60 + 64);
  ck_assert_uint_eq(fx_if(&fx, "b2", "eth0")->counters.rx_packets, 1);
  ck_assert_uint_eq(fx_if(&fx, "a2", "eth0")->counters.rx_packets, 1);
  testlib_build_free(&fx);
  g_free(yaml);

  yaml = native_yaml(10, 20);
  fx = testlib_build(yaml);
  send_frame(fx_if(&fx, "a1", "eth0"), eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(fx_if(&fx, "a2", "eth0")->counters.rx_packets, 0);
  ck_assert_uint_eq(fx_if(&fx, "b2", "eth0")->counters.rx_packets, 1); /* leaked into VLAN 20 */
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* A host on a trunk port: it sends raw tags, good and bad. */
static const char *host_on_trunk = "nodes:\n"
                                   "  s1:\n"
                                   "    kind: switch\n"
                                   "    interfaces:\n"
                                   "      t: { mode: trunk, vlans: [10, 20], native: 20 }\n"
                                   "      p1: { vlan: 10 }\n"
                                   "      p2: { vlan: 20 }\n"
                                   "  x: { kind: host, ip: 10.0.0.9/24 }\n"
                                   "  a: { kind: host, ip: 10.0.10.1/24 }\n"
                                   "  b: { kind: host, ip: 10.0.20.1/24 }\n"
                                   "defaults: { link: { rate: 100Mbps, delay: 10us } }\n"
                                   "links:\n"
                                   "  - [s1:t, x]\n"
                                   "  - [s1:p1, a]\n"
                                   "  - [s1:p2, b]\n";

/* Bad frames at a switch, each dropped with its reason at the port it
 * arrived on; good tagged frames are untagged to their access port. */
START_TEST(test_vlan_bad_frames)
{
  TestNet fx = testlib_build(host_on_trunk);
  Iface *x = fx_if(&fx, "x", "eth0"), *a = fx_if(&fx, "a", "eth0"), *b = fx_if(&fx, "b", "eth0");
  Iface *t = fx_if(&fx, "s1", "t"), *p1 = fx_if(&fx, "s1", "p1");
  static const uint8_t vlan10[] = {0x00, 0x0a, 0x88, 0xb5}, vlan30[] = {0x00, 0x1e, 0x88, 0xb5};
  static const uint8_t qinq[] = {0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x88, 0xb5};
  static const uint8_t prio5[] = {0xa0, 0x00, 0x88, 0xb5}; /* VLAN 0: priority-tagged */
  send_raw(x, eth_broadcast, VLAN_TPID, vlan10, sizeof vlan10);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(a->counters.rx_packets, 1);
  ck_assert_uint_eq(a->counters.rx_bytes, 60); /* untagged on the access port */
  ck_assert_uint_eq(b->counters.rx_packets, 0);
  send_raw(x, eth_broadcast, VLAN_TPID, vlan30, sizeof vlan30);
  send_raw(x, eth_broadcast, VLAN_TPID, qinq, sizeof qinq);
  send_raw(x, eth_broadcast, VLAN_TPID_QINQ, vlan10, sizeof vlan10);
  send_raw(a, eth_broadcast, VLAN_TPID, vlan10, sizeof vlan10); /* tagged, on an access port */
  run_to(&fx, SIMTIME_MS(2));
  ck_assert_uint_eq(drops(t, DROP_VLAN_NOT_ALLOWED), 1);
  ck_assert_uint_eq(drops(t, DROP_VLAN_DOUBLE_TAG), 2);
  ck_assert_uint_eq(drops(p1, DROP_VLAN_TAGGED_ACCESS), 1);
  ck_assert_uint_eq(a->counters.rx_packets, 1);
  ck_assert_uint_eq(b->counters.rx_packets, 0);

  /* A frame cut inside its tag: 14 bytes of header and 2 of the tag. */
  Packet *cut = packet_new(x->node->ctx->pool, 16);
  uint8_t *d = packet_data(cut);
  memcpy(d, eth_broadcast, 6);
  memcpy(d + 6, x->mac, 6);
  d[12] = 0x81;
  d[14] = 0x00;
  d[15] = 0x0a;
  iface_transmit(x, cut);
  run_to(&fx, SIMTIME_MS(3));
  ck_assert_uint_eq(drops(t, DROP_VLAN_TRUNCATED), 1);

  /* A priority tag is the port's own VLAN: native 20 on the trunk, to b. */
  send_raw(x, eth_broadcast, VLAN_TPID, prio5, sizeof prio5);
  run_to(&fx, SIMTIME_MS(4));
  ck_assert_uint_eq(b->counters.rx_packets, 1);
  ck_assert_uint_eq(a->counters.rx_packets, 1);
  /* VLAN 10 back to x is tagged; x has no subinterface for it */
  send_frame(a, eth_broadcast, ETHERTYPE_TEST, 46);
  run_to(&fx, SIMTIME_MS(5));
  ck_assert_uint_eq(drops(x, DROP_VLAN_NOT_ALLOWED), 1);
  ck_assert_uint_eq(x->counters.rx_bytes, 64);
  testlib_build_free(&fx);
}
END_TEST

/* Untagged frames on a trunk whose native VLAN it does not allow are
 * dropped; tagged ones cross. */
START_TEST(test_vlan_native_not_allowed)
{
  char *yaml = g_strdup(host_on_trunk);
  memcpy(strstr(yaml, "native: 20"), "native: 30", 10);
  TestNet fx = testlib_build(yaml);
  Iface *x = fx_if(&fx, "x", "eth0"), *t = fx_if(&fx, "s1", "t");
  static const uint8_t vlan20[] = {0x00, 0x14, 0x88, 0xb5};
  send_frame(x, eth_broadcast, ETHERTYPE_TEST, 46);
  send_raw(x, eth_broadcast, VLAN_TPID, vlan20, sizeof vlan20);
  run_to(&fx, SIMTIME_MS(1));
  ck_assert_uint_eq(drops(t, DROP_VLAN_NOT_ALLOWED), 1);
  ck_assert_uint_eq(fx_if(&fx, "b", "eth0")->counters.rx_packets, 1);
  testlib_build_free(&fx);
  g_free(yaml);
}
END_TEST

/* MTU: a 1500-byte payload is a 1514-byte frame on the access port and a
 * 1518-byte one on the trunk, both sent; 1501 bytes are not. */
START_TEST(test_vlan_mtu)
{
  TestNet fx = testlib_build(two_vlans);
  Iface *a1 = fx_if(&fx, "a1", "eth0"), *a2 = fx_if(&fx, "a2", "eth0"), *t1 = fx_if(&fx, "s1", "t");
  send_frame(a1, eth_broadcast, ETHERTYPE_TEST, 1500);
  send_frame(a1, eth_broadcast, ETHERTYPE_TEST, 1501);
  ck_assert_uint_eq(drops(a1, DROP_BAD_FRAME), 1);
  run_to(&fx, SIMTIME_MS(5));
  ck_assert_uint_eq(t1->counters.tx_bytes, 1518);
  ck_assert_uint_eq(a2->counters.rx_bytes, 1514);
  ck_assert_uint_eq(drops(t1, DROP_BAD_FRAME), 0);
  testlib_build_free(&fx);
}
END_TEST

/* Router-on-a-stick: r1's eth0.10 and eth0.20 on a trunk route between the
 * VLANs; the subinterfaces have their parent's MAC and count their frames. */
static const char *stick = "seed: 1\n"
                           "stop: 2s\n"
                           "nodes:\n"
                           "  s1:\n"
                           "    kind: switch\n"
                           "    interfaces:\n"
                           "      p1: { vlan: 10 }\n"
                           "      p2: { vlan: 20 }\n"
                           "      up: { mode: trunk, vlans: [10, 20] }\n"
                           "  r1: { kind: router, ip: { eth0.10: 10.0.10.1/24, eth0.20: 10.0.20.1/24 } }\n"
                           "  a: { kind: host, ip: 10.0.10.2/24, gateway: 10.0.10.1 }\n"
                           "  b: { kind: host, ip: 10.0.20.2/24, gateway: 10.0.20.1 }\n"
                           "links:\n"
                           "  - [s1:p1, a]\n"
                           "  - [s1:p2, b]\n"
                           "  - [s1:up, r1]\n"
                           "apps:\n"
                           "  - { name: p, type: ping, on: a, to: b, start: 100ms, count: 3, interval: 100ms }\n";

START_TEST(test_vlan_router_on_a_stick)
{
  TestRun r = testlib_run_scenario(stick, NULL);
  App *ping = testlib_run_app(&r, 0);
  ck_assert_uint_eq(ping->sent, 3);
  ck_assert_uint_eq(ping->received, 3);
  Node *r1 = testlib_node(r.net, "r1");
  Iface *eth0 = node_find_iface(r1, "eth0"), *v10 = node_find_iface(r1, "eth0.10"),
        *v20 = node_find_iface(r1, "eth0.20");
  ck_assert_ptr_eq(v10->vlan_parent, eth0);
  ck_assert_mem_eq(v10->mac, eth0->mac, 6);
  /* each VLAN: an ARP exchange each way... and 3 pings; the parent carries both */
  ck_assert_uint_gt(v10->counters.rx_packets, 3);
  ck_assert_uint_gt(v20->counters.tx_packets, 3);
  ck_assert_uint_eq(eth0->counters.rx_packets, v10->counters.rx_packets + v20->counters.rx_packets);
  ck_assert_uint_eq(eth0->counters.tx_packets, v10->counters.tx_packets + v20->counters.tx_packets);
  GString *out = g_string_new(NULL);
  show_mac(testlib_node(r.net, "s1"), out);
  ck_assert_msg(strstr(out->str, "\n10    ") && strstr(out->str, "\n20    "), "%s", out->str);
  g_string_free(out, TRUE);
  testlib_run_free(&r);
}
END_TEST

/* A host on a trunk: its eth0.10 talks to VLAN 10 tagged, its eth0 (an
 * address of its own) to the native VLAN untagged, and a tagged ping of
 * 1472 bytes (a 1500-byte datagram) goes out as a 1518-byte frame. */
static const char *host_subif = "seed: 1\n"
                                "stop: 2s\n"
                                "nodes:\n"
                                "  s1:\n"
                                "    kind: switch\n"
                                "    interfaces:\n"
                                "      t: { mode: trunk, vlans: [1, 10] }\n"
                                "      p1: { vlan: 10 }\n"
                                "      p2: {}\n"
                                "  x: { kind: host, ip: { eth0: 10.0.1.9/24, eth0.10: 10.0.10.9/24 } }\n"
                                "  a: { kind: host, ip: 10.0.10.1/24 }\n"
                                "  c: { kind: host, ip: 10.0.1.1/24 }\n"
                                "links:\n"
                                "  - [s1:t, x]\n"
                                "  - [s1:p1, a]\n"
                                "  - [s1:p2, c]\n"
                                "apps:\n"
                                "  - { name: tagged, type: ping, on: x, to: a, start: 100ms, count: 2, size: 1472 }\n"
                                "  - { name: plain, type: ping, on: x, to: c, start: 500ms, count: 2 }\n";

START_TEST(test_vlan_host_subif)
{
  TestRun r = testlib_run_scenario(host_subif, NULL);
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 2);
  ck_assert_uint_eq(testlib_run_app(&r, 1)->received, 2);
  Node *x = testlib_node(r.net, "x");
  Iface *eth0 = node_find_iface(x, "eth0"), *v10 = node_find_iface(x, "eth0.10");
  /* eth0.10: an ARP request (42 + 18 padding = 60, tagged 64) and two 1514-byte echo requests, tagged 1518 */
  ck_assert_uint_eq(v10->counters.tx_packets, 3);
  ck_assert_uint_eq(v10->counters.tx_bytes, 60 + 2 * 1514);
  ck_assert_uint_eq(eth0->counters.tx_bytes, 64 + 2 * 1518 + 60 + 2 * 98);
  ck_assert_uint_eq(eth0->counters.drops[DROP_BAD_FRAME], 0);
  testlib_run_free(&r);
}
END_TEST

/* A subinterface follows its parent's carrier. */
START_TEST(test_vlan_subif_carrier)
{
  TestNet fx = testlib_build(stick);
  Iface *eth0 = fx_if(&fx, "r1", "eth0"), *v10 = fx_if(&fx, "r1", "eth0.10");
  ck_assert(eth0->up && v10->up);
  link_set_up(eth0->link, FALSE);
  ck_assert(!v10->up);
  link_set_up(eth0->link, TRUE);
  ck_assert(v10->up);
  testlib_build_free(&fx);
}
END_TEST

/* `routing: auto` and the forward walk see one segment per VLAN: r2 is on
 * s1 but in VLAN 20, so h1 (VLAN 10) is not its neighbour (ignoring VLANs,
 * h1 would send to r2 directly): h1's way to h3's subnet is r1 (by its
 * eth0.10), then r2 from r1's eth0.20. */
static const char *auto_vlans = "routing: auto\n"
                                "nodes:\n"
                                "  s1:\n"
                                "    kind: switch\n"
                                "    interfaces:\n"
                                "      p1: { vlan: 10 }\n"
                                "      p2: { vlan: 20 }\n"
                                "      p3: { vlan: 20 }\n"
                                "      up: { mode: trunk, vlans: [10, 20] }\n"
                                "  r1: { kind: router, ip: { eth0.10: 10.0.10.1/24, eth0.20: 10.0.20.1/24 } }\n"
                                "  r2: { kind: router, ip: { eth0: 10.0.20.2/24, eth1: 10.0.3.1/24 } }\n"
                                "  h1: { kind: host, ip: 10.0.10.2/24 }\n"
                                "  h2: { kind: host, ip: 10.0.20.3/24 }\n"
                                "  h3: { kind: host, ip: 10.0.3.2/24 }\n"
                                "links:\n"
                                "  - [s1:p1, h1]\n"
                                "  - [s1:p2, h2]\n"
                                "  - [s1:p3, r2:eth0]\n"
                                "  - [s1:up, r1]\n"
                                "  - [r2:eth1, h3]\n";

START_TEST(test_vlan_auto_routes_and_walk)
{
  TestNet fx = testlib_build(auto_vlans);
  Node *h1 = testlib_node(fx.net, "h1");
  const Route *r = ipv4_route(h1, 0x0a001403); /* 10.0.20.3, h2 */
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->gateway, 0x0a000a01); /* r1's eth0.10 */
  r = ipv4_route(h1, 0x0a000302);            /* 10.0.3.2, h3: through r1, then r2 in VLAN 20 */
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_eq(r->gateway, 0x0a000a01);
  ck_assert_uint_eq(r->metric, 2); /* r2 holds the subnet: 2 hops away (1 ignoring VLANs) */
  Walk walk;
  forward_walk(fx.net, h1, 0x0a000302, &walk);
  ck_assert_int_eq(walk.end, WALK_REACHED);
  ck_assert_uint_eq(walk.hops->len, 3);
  ck_assert_str_eq(((Node *)g_ptr_array_index(walk.hops, 0))->name, "r1");
  ck_assert_str_eq(((Node *)g_ptr_array_index(walk.hops, 1))->name, "r2");
  forward_walk_clear(&walk);
  /* r2's eth0 is in VLAN 20: r1 reaches it through eth0.20, not eth0.10 */
  r = ipv4_route(testlib_node(fx.net, "r1"), 0x0a000302);
  ck_assert_str_eq(r->iface->name, "eth0.20");
  testlib_build_free(&fx);
}
END_TEST

/* The drawing names each port's mode and VLANs and each parent's
 * subinterfaces with their addresses, in the ends' labels. */
START_TEST(test_vlan_drawing)
{
  TestNet fx = testlib_build(stick);
  char *dot = viz_topology_dot(fx.net);
  ck_assert_msg(strstr(dot, "\"p1\\nvlan 10\"") && strstr(dot, "\"p2\\nvlan 20\""), "%s", dot);
  ck_assert_msg(strstr(dot, "\"up\\ntrunk 10,20\""), "%s", dot);
  ck_assert_msg(strstr(dot, "\"eth0\\neth0.10 10.0.10.1/24\\neth0.20 10.0.20.1/24\""), "%s", dot);
  g_free(dot);
  testlib_build_free(&fx);

  char *plain = native_yaml(5, 5);
  GString *yaml = g_string_new(plain);
  gssize at = strstr(yaml->str, "[10, 20], native: 5") - yaml->str;
  g_string_insert(yaml, at + 7, ", 21"); /* s1's trunk: 10,20-21 */
  fx = testlib_build(yaml->str);
  dot = viz_topology_dot(fx.net);
  ck_assert_msg(strstr(dot, "t\\ntrunk 10,20-21 native 5"), "%s", dot);
  g_free(dot);
  testlib_build_free(&fx);
  g_string_free(yaml, TRUE);
  g_free(plain);
}
END_TEST

/* `ipsim explain` follows a frame through a trunk: the tag's VLAN, and the
 * switch's table in that VLAN (the ARP reply, packet #3, goes straight to
 * a, whose address s1 learned in VLAN 10 from the request). */
START_TEST(test_vlan_explain)
{
  char *tmp = g_dir_make_tmp("ipsim-vlan-XXXXXX", NULL), *file = g_build_filename(tmp, "s.yaml", NULL);
  ck_assert(g_file_set_contents(file, stick, -1, NULL));
  char *out = NULL, *err = NULL;
  int status = testlib_run_ipsim((const char *[]){"explain", file, "--packet", "3", NULL}, &out, &err);
  ck_assert_msg(status == 0, "%s", err);
  ck_assert_msg(strstr(out, "64 bytes (tagged for VLAN 10 on the trunk) leaves eth0"), "%s", out);
  ck_assert_msg(strstr(out, "its MAC table has 02:00:00:00:00:05 on p1: it forwards the frame out of p1 only"), "%s",
                out);
  g_free(out);
  g_free(err);
  scratch_remove(tmp);
  g_free(file);
  g_free(tmp);
}
END_TEST

/* Decodes `n` bytes of a frame whose header is broadcast from 02:..:01,
 * followed by `rest`; returns the trace's text (g_free). */
static char *decode(uint16_t type, const uint8_t *rest, size_t n)
{
  uint8_t f[128] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01};
  f[12] = (uint8_t)(type >> 8);
  f[13] = (uint8_t)type;
  memcpy(f + 14, rest, n);
  GString *out = g_string_new(NULL);
  trace_decode_ether(out, NULL, f, 14 + n);
  return g_string_free(out, FALSE);
}

/* The trace shows tags before what they carry. */
START_TEST(test_vlan_trace_decode)
{
  static const uint8_t other[] = {0x00, 0x0a, 0x88, 0xb5, 0, 0, 0, 0};
  static const uint8_t prio[] = {0xa0, 0x14, 0x88, 0xb5, 0, 0};
  static const uint8_t twice[] = {0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x88, 0xb5};
  static const uint8_t cut[] = {0x00};
  char *t = decode(VLAN_TPID, other, sizeof other);
  ck_assert_str_eq(t, "vlan 10 ETH 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ethertype 0x88b5 len 4");
  g_free(t);
  t = decode(VLAN_TPID, prio, sizeof prio);
  ck_assert_str_eq(t, "vlan 20 p 5 ETH 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ethertype 0x88b5 len 2");
  g_free(t);
  t = decode(VLAN_TPID_QINQ, twice, sizeof twice);
  ck_assert_str_eq(t, "s-vlan 100 vlan 10 ETH 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ethertype 0x88b5 len 0");
  g_free(t);
  t = decode(VLAN_TPID, cut, sizeof cut);
  ck_assert_str_eq(t, "vlan [truncated, 1 byte]");
  g_free(t);
}
END_TEST

static Suite *vlan_suite(void)
{
  Suite *s = suite_create("vlan");
  TCase *tc = tcase_create("switch");
  tcase_add_test(tc, test_vlan_isolation);
  tcase_add_test(tc, test_vlan_tag_sizes);
  tcase_add_test(tc, test_vlan_tag_bytes);
  tcase_add_test(tc, test_vlan_native);
  tcase_add_test(tc, test_vlan_native_not_allowed);
  tcase_add_test(tc, test_vlan_bad_frames);
  tcase_add_test(tc, test_vlan_mtu);
  tcase_add_test(tc, test_vlan_trace_decode);
  suite_add_tcase(s, tc);
  tc = tcase_create("subif");
  tcase_add_test(tc, test_vlan_router_on_a_stick);
  tcase_add_test(tc, test_vlan_subif_carrier);
  tcase_add_test(tc, test_vlan_host_subif);
  tcase_add_test(tc, test_vlan_auto_routes_and_walk);
  tcase_add_test(tc, test_vlan_drawing);
  tcase_add_test(tc, test_vlan_explain);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(vlan_suite());
}
