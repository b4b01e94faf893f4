/*
 * `ipsim explain`: the story of the first ping of topologies/two-lans.yaml
 * (exactly, tests/explain/two-lans-probe-1.txt, and its key facts: the
 * route entry, the ARP wait, the switch's decisions, the TTL at r1, the
 * delays with their figures, the delivery and the reply's id), a drop for
 * lack of a route (tests/explain/no-route.yaml: the longest prefix at r1,
 * r2's table in the drop sentence), a reply and a queued SYN, fragments
 * and a Don't Fragment refusal, the drawing of the path (-o), and
 * the errors' exact text. Every drop reason has its sentence (a table
 * test over DROP_REASON_COUNT), and tests/explain/drops.yaml's drops are
 * told exactly: ttl-expired, port-unreachable, link-loss, arp-failed,
 * no-route through a link that is down, queue-full, tcp-no-socket; and the sockets'
 * queues (a UDP sink's receive queue, a TCP sender's send buffer).
 */
#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/cli/explain_drop.h"
#include "tests/testlib.h"

/* Runs `ipsim explain FILE ARGS...` (FILE under env `dir_env`, shown as
 * `shown` in the output); returns its status, the output in *out. */
static int explain_run(const char *dir_env, const char *file, const char *shown, const char *a1, const char *a2,
                       const char *a3, const char *a4, char **out, char **err)
{
  char *path = testlib_path(dir_env, file);
  const char *args[] = {"explain", path, a1, a2, a3, a4, NULL};
  char *raw = NULL;
  int status = testlib_run_ipsim(args, &raw, err);
  char **parts = g_strsplit(raw, path, -1);
  *out = g_strjoinv(shown, parts);
  g_strfreev(parts);
  g_free(raw);
  g_free(path);
  return status;
}

static void assert_has(const char *text, const char *part)
{
  ck_assert_msg(strstr(text, part) != NULL, "missing \"%s\" in:\n%s", part, text);
}

START_TEST(test_two_lans_first_ping)
{
  char *out = NULL, *err = NULL, *golden = NULL, *golden_path = NULL;
  int status = explain_run("TOPOLOGIES", "two-lans.yaml", "topologies/two-lans.yaml", "--app", "probe", "--seq", "1",
                           &out, &err);
  ck_assert_int_eq(status, 0);
  ck_assert_str_eq(err, "");
  golden_path = g_build_filename(testlib_env("top_srcdir"), "tests", "explain", "two-lans-probe-1.txt", NULL);
  ck_assert(g_file_get_contents(golden_path, &golden, NULL, NULL));
  ck_assert_str_eq(out, golden);
  assert_has(out, "h1, application: probe (ping) sends an ICMP echo request, seq 1, with 56 data bytes, to 10.0.2.13");
  assert_has(out, "route lookup for 10.0.2.13: 0.0.0.0/0 via 10.0.1.1 on eth0 (static) matches");
  assert_has(out, "ARP has no entry for 10.0.1.1: the datagram waits on eth0");
  assert_has(out,
             "request #2 (who-has, broadcast) was answered by reply #3: 10.0.1.1 is at 02:00:00:00:00:06 (r1 eth0)");
  assert_has(out,
             "s1, network access: its MAC table has 02:00:00:00:00:06 on eth2: it forwards the frame out of eth2 only");
  assert_has(out, "r1, internet: 10.0.2.13 is not one of r1's addresses and r1 is a router: it forwards the datagram, "
                  "TTL 64 -> 63");
  assert_has(out, "98 bytes at 100Mbps take 7.84 us to serialize (98 x 8 bits / rate), then 50 us of propagation");
  assert_has(out, "h3, internet: 10.0.2.13 is h3's own address");
  assert_has(out, "The end: #1 was delivered to h3, 669.76 us after it started.");
  assert_has(out, "The reply is #6: ipsim explain topologies/two-lans.yaml --packet 6");
  g_free(out);
  g_free(err);
  g_free(golden);
  g_free(golden_path);
}
END_TEST

/* Hubs (topologies/hub-vs-switch.yaml): a3's ARP request #4 defers while
 * a1's is on the shared medium; #13, a1's datagram to a2, is repeated out
 * of every other port, and a3 and a4 drop their copies. */
START_TEST(test_hub_repeats)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "hub-vs-switch.yaml", "h.yaml", "--packet", "4", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "1.000000000 a3, network access: another station's frame is on the hub's shared medium until "
                  "1.000058000: eth0 defers, the frame waiting in its transmit queue");
  assert_has(out, "60 bytes at 10Mbps take 48 us to serialize (60 x 8 bits / rate) on the hub's shared medium");
  assert_has(out, "the first bit reaches the hub after 5 us of propagation, at 1.000063000");
  g_free(out);
  g_free(err);
  status = explain_run("TOPOLOGIES", "hub-vs-switch.yaml", "h.yaml", "--packet", "13", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "1.001924200 hub, network access: the frame's first bit arrives on eth0; a hub has no MAC table: it "
                  "repeats the frame at once, bit by bit, out of every other port (eth1, eth2, eth3)");
  assert_has(out,
             "1.002762800 a3, network access: dropped at eth0 (other-mac): the frame is for 02:00:00:00:00:06, not "
             "for a3 eth0 (02:00:00:00:00:07), so a3's network card ignores it: this copy was repeated by hub, "
             "a hub, which sends every frame to every port");
  assert_has(out, "The end: #13 was delivered to a2");
  g_free(out);
  g_free(err);
}
END_TEST

/* The ARP request #2: s1 learns h1's address and floods the broadcast. */
START_TEST(test_two_lans_arp_floods)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "two-lans.yaml", "two-lans.yaml", "--packet", "2", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "Packet #2: ARP who-has 10.0.1.1 tell 10.0.1.11");
  assert_has(out, "s1, network access: the frame arrives on eth0; the switch learns that 02:00:00:00:00:01 is on eth0");
  assert_has(out, "ff:ff:ff:ff:ff:ff is a broadcast address: it floods the frame out of eth1, eth2");
  assert_has(out, "h2, network access: ARP: who-has 10.0.1.1 is not for h2, which ignores it");
  assert_has(out, "r1, network access: ARP: who-has 10.0.1.1 is for r1's own address");
  g_free(out);
  g_free(err);
}
END_TEST

START_TEST(test_no_route_drop)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("top_srcdir", "tests/explain/no-route.yaml", "no-route.yaml", "--app", "lost", NULL, NULL,
                           &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "r1, internet: route lookup for 10.0.9.9: 2 routes match (10.0.0.0/8 via 10.0.12.2 on eth1 (static), "
                  "10.0.9.0/24 via 10.0.12.2 on eth1 (static)); 10.0.9.0/24 via 10.0.12.2 on eth1 (static) wins, the "
                  "longest prefix (/24)");
  assert_has(out, "r2, internet: dropped at eth0 (no-route): r2 has no route to 10.0.9.9: its table holds 10.0.12.0/30 "
                  "on eth0 (connected); 10.0.1.0/24 via 10.0.12.1 on eth0 (static), and none of them matches");
  assert_has(out, "The end: #1 was dropped by r2 (no-route)");
  assert_has(out, "The ICMP error is #6: ipsim explain no-route.yaml --packet 6");
  g_free(out);
  g_free(err);
}
END_TEST

/* The reply #6 ends with the ping app; dumbbell's SYN #8 waits for an ARP
 * request sent for another datagram, then queues behind one frame at ra. */
START_TEST(test_reply_and_queueing)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "two-lans.yaml", "two-lans.yaml", "--packet", "6", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out,
             "h1, application: ICMP hands the echo reply (seq 1) to probe (ping), which prints its round-trip time");
  assert_has(out, "The end: #6 was delivered to h1");
  g_free(out);
  g_free(err);
  status = explain_run("TOPOLOGIES", "dumbbell.yaml", "dumbbell.yaml", "--packet", "8", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "TCP sends a segment: port 49152 > port 5001, flags SYN");
  assert_has(out, "ra, network access: ARP resolved 10.0.0.2: the request sent earlier for another datagram");
  assert_has(out, "ra, network access: eth4 is busy: the frame joins its transmit queue, 1 ahead");
  assert_has(out, "it waited in the transmit queue behind 1 frame: 118.4 us of queueing delay");
  g_free(out);
  g_free(err);
}
END_TEST

/* fragmentation.yaml: big's request leaves h1 in fragments, followed to
 * h2; df's (the second ping to the same host) is refused at r1. */
START_TEST(test_fragments_and_df)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "fragmentation.yaml", "f.yaml", "--app", "big", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "Packet #1 (sent in fragments)");
  assert_has(out, "h1, internet: the datagram is larger than the MTU of eth0 (1500 bytes): fragment #2 carries 1480 "
                  "bytes of it from offset 0 (more fragments follow)");
  assert_has(out, "r1, internet: the datagram is larger than the MTU of eth1 (576 bytes): fragment #7");
  assert_has(out, "The end: #1 was delivered to h2");
  g_free(out);
  g_free(err);
  status = explain_run("TOPOLOGIES", "fragmentation.yaml", "f.yaml", "--app", "df", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "h1, application: df (ping) sends an ICMP echo request, seq 1, with 1000 data bytes");
  assert_has(out, "r1, internet: dropped at eth1 (frag-needed): the datagram (1028 bytes) is larger than the MTU of "
                  "eth1 (576 bytes) and has Don't Fragment set");
  assert_has(out, "The ICMP error is #74: ipsim explain f.yaml --packet 74");
  g_free(out);
  g_free(err);
}
END_TEST

/* -o path.svg: the topology with the path in the highlight colour. */
START_TEST(test_drawing)
{
  char *out = NULL, *err = NULL, *svg = NULL;
  char *dir = g_dir_make_tmp("explain-XXXXXX", NULL);
  char *path = g_build_filename(dir, "path.svg", NULL);
  int status = explain_run("TOPOLOGIES", "two-lans.yaml", "two-lans.yaml", "--app", "probe", "-o", path, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "The path is drawn in ");
  ck_assert(g_file_get_contents(path, &svg, NULL, NULL));
  assert_has(svg, "stroke=\"#e67e22\" stroke-width=\"4\"");
  g_remove(path);
  g_rmdir(dir);
  g_free(svg);
  g_free(path);
  g_free(dir);
  g_free(out);
  g_free(err);
}
END_TEST

START_TEST(test_errors)
{
  static const struct {
    const char *a[4];
    const char *message;
  } cases[] = {
      {{"--packet", "99", NULL}, "ipsim explain: no packet #99 in this run: it made 12 packets (#1 to #12)\n"},
      {{"--app", "nope", NULL}, "ipsim explain: no app 'nope' in two-lans.yaml; its apps: probe\n"},
      {{"--app", "probe", "--seq", "9"},
       "ipsim explain: probe sent no echo request with seq 9 in this run (it sent 4)\n"},
      {{NULL}, "ipsim explain: give --packet ID, or --app NAME [--seq N]; see 'ipsim help explain'\n"},
      {{"--packet", "x7", NULL},
       "ipsim explain: --packet wants a packet id such as 7 (the #7 of a trace line), not "
       "'x7'\n"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *out = NULL, *err = NULL;
    int status = explain_run("TOPOLOGIES", "two-lans.yaml", "two-lans.yaml", cases[i].a[0], cases[i].a[1],
                             cases[i].a[2], cases[i].a[3], &out, &err);
    char *dir = g_strconcat(testlib_env("TOPOLOGIES"), "/", NULL);
    char **parts = g_strsplit(err, dir, -1);
    char *shown = g_strjoinv("", parts);
    g_free(dir);
    ck_assert_msg(status == 2, "case %u: status %d", i, status);
    ck_assert_str_eq(shown, cases[i].message);
    ck_assert_str_eq(out, "");
    g_strfreev(parts);
    g_free(shown);
    g_free(out);
    g_free(err);
  }
}
END_TEST

/* Every reason of models/core/drop.h has a sentence of its own, with or
 * without the packet's bytes: none is missing from the table, none is
 * empty, none is another reason's. */
START_TEST(test_every_reason_explained)
{
  char *path = testlib_path("top_srcdir", "tests/explain/no-route.yaml");
  DiagList *diags = diag_list_new(path);
  Scenario *sc = scenario_load_file(path, diags);
  ck_assert_ptr_nonnull(sc);
  Network *net = build_network(sc);
  Node *r2 = network_find_node(net, "r2");
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (int r = 0; r < DROP_REASON_COUNT; r++) {
    ExplainDrop d = {r2, node_iface(r2, 0), NULL, TRACE_FROM_IPV4, 0, 0};
    ck_assert_msg(explain_drop_known((DropReason)r), "drop reason %s has no explanation", drop_reason_name(r));
    char *words = explain_drop_words((DropReason)r, &d);
    ck_assert_msg(strlen(words) > 30, "drop reason %s: \"%s\"", drop_reason_name(r), words);
    ck_assert_msg(!g_hash_table_contains(seen, words), "drop reason %s says what another says: %s", drop_reason_name(r),
                  words);
    g_hash_table_add(seen, words);
  }
  ck_assert(!explain_drop_known(DROP_REASON_COUNT));
  g_hash_table_destroy(seen);
  network_free(net);
  scenario_free(sc);
  diag_list_free(diags);
  g_free(path);
}
END_TEST

/* `ipsim explain drops.yaml --packet ID`: the drop's step, exactly. */
static void assert_drop(const char *id, const char *step)
{
  char *out = NULL, *err = NULL;
  int status =
      explain_run("top_srcdir", "tests/explain/drops.yaml", "drops.yaml", "--packet", id, NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, step);
  g_free(out);
  g_free(err);
}

START_TEST(test_drop_sentences)
{
  char *out = NULL, *err = NULL, *golden = NULL;
  char *golden_path = g_build_filename(testlib_env("top_srcdir"), "tests", "explain", "drops-no-route.txt", NULL);
  int status =
      explain_run("top_srcdir", "tests/explain/drops.yaml", "drops.yaml", "--packet", "12", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  ck_assert(g_file_get_contents(golden_path, &golden, NULL, NULL));
  ck_assert_str_eq(out, golden); /* the whole story of late's request, up to r1's no-route */
  g_free(golden);
  g_free(golden_path);
  g_free(out);
  g_free(err);
  assert_drop("1", "10. 1.003174400 r1, internet: dropped at eth0 (ttl-expired): its TTL ran out at r1: it arrived "
                   "with TTL 1, and a router may not forward a datagram whose TTL would reach 0 (RFC 1812 5.3.1): a "
                   "routing loop, a path longer than the sender's TTL, or a traceroute probe\n");
  assert_drop("5", "16. 1.105763200 h2, transport: dropped at eth0 (port-unreachable): no socket on h2 is bound to UDP "
                   "port 9 (no UDP port is bound there at all); it answers with ICMP port unreachable (not to a "
                   "broadcast)\n");
  assert_drop("10", " 3. 1.202126400 h3, network access: dropped at eth0 (link-loss): the link r1:eth2 - h3:eth0 lost "
                    "it on the way to h3 eth0: its loss rate is 100%, and the draw from its random stream link/2/loss "
                    "(set by the scenario's seed) fell on this frame\n");
  assert_drop("9", "12. 4.201078400 r1, internet: dropped at eth2 (arp-failed): r1 asked who-has 10.0.3.30 on eth2 3 "
                   "times, 1s apart, and nobody answered");
  assert_drop("12", "(no-route): r1 has no route to 10.0.2.20: its table holds 10.0.1.0/24 on eth0 (connected); "
                    "10.0.2.0/24 on eth1 (connected); 10.0.3.0/24 on eth2 (connected); 10.0.4.0/24 on eth3 "
                    "(connected): 10.0.2.0/24 on eth1 (connected) would match, but eth1 is down (the link to-h2 "
                    "(r1:eth1 - h2:eth0) is down since 2s)\n");
  assert_drop("19", "12. 4.013433600 r1, network access: dropped at eth3 (queue-full): the transmit queue of r1 eth3 "
                    "was full: it held 2 frames (2084 bytes) waiting for the wire, its limit is 2 packets, so the "
                    "newcomer is discarded at the tail (drop-tail)\n");
  assert_drop("81", "14. 5.007979200 h4, transport: dropped at eth0 (tcp-no-socket): the segment 10.0.1.10:49152 > "
                    "10.0.4.40:5001 (flags SYN, seq 1797670135, ack 0) belongs to no connection of h4, and no listener "
                    "is on port 5001: it answers with a RST (unless the segment was a RST itself; RFC 9293 "
                    "3.10.7.1)\n");
}
END_TEST

/* tests/explain/vlan-drops.yaml: a tagged frame on an access port, and a
 * VLAN the far end of a trunk does not carry (told with its tag: the drop
 * comes before the tag is taken off). */
START_TEST(test_vlan_drops)
{
  char *out = NULL, *err = NULL;
  int status =
      explain_run("top_srcdir", "tests/explain/vlan-drops.yaml", "v.yaml", "--packet", "2", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, " 4. 1.000015120 s1, network access: dropped at eth0 (vlan-tagged-access): the frame carries an "
                  "802.1Q tag of VLAN 10, but eth0 (vlan 20) is an access port: it takes untagged frames only, as a "
                  "host sends them (IEEE 802.1Q)\n");
  g_free(out);
  g_free(err);
  status =
      explain_run("top_srcdir", "tests/explain/vlan-drops.yaml", "v.yaml", "--packet", "4", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, " 8. 2.000029920 s2, network access: dropped at eth0 (vlan-not-allowed): VLAN 30 is not one the port "
                  "eth0 (trunk 10,20) carries\n");
  g_free(out);
  g_free(err);
}
END_TEST

/* stp-loop.yaml: h1's ARP broadcast at 35 s floods over the tree; the
 * copies that reach the two alternate ports are dropped there, told with
 * the port's role and state, and s2 does not flood out of its own. */
START_TEST(test_stp_blocked)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "stp-loop.yaml", "s.yaml", "--packet", "131", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, " 4. 35.000014800 s2, network access: ff:ff:ff:ff:ff:ff is a broadcast address: it floods the frame "
                  "out of eth0, eth2\n");
  assert_has(out, "15. 35.000029600 s3, network access: eth0 receives the frame (60 bytes)\n16. 35.000029600 s3, "
                  "network access: dropped at eth0 (stp-blocked): eth0 is an alternate port of s3's spanning tree, in "
                  "state blocking: it forwards nothing, so that the loop of switches stays a tree (it still hears "
                  "BPDUs)\n");
  assert_has(out, "The end: #131 was delivered to h2, 59.2 us after it started.");
  g_free(out);
  g_free(err);
}
END_TEST

/* tests/explain/frag-lost.yaml: a fragment lost on the way, the two others
 * discarded by reassembly at h2 30 s later, and the end's account. */
START_TEST(test_frag_timeout)
{
  char *out = NULL, *err = NULL;
  int status = explain_run("top_srcdir", "tests/explain/frag-lost.yaml", "frag-lost.yaml", "--app", "big", NULL, NULL,
                           &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out,
             "h2, network access: dropped at eth0 (link-loss): the link r1:eth1 - h2:eth0 lost it on the way to h2 "
             "eth0: its loss rate is 20%");
  assert_has(out, "31.007724000 h2, internet: dropped (frag-timeout): the fragment at offset 1480 (1480 bytes, more "
                  "follow) of datagram 1 from 10.0.1.10 waited at h2 for the rest of its datagram, which did not all "
                  "arrive within 30s (the reassembly timer)");
  assert_has(out, "The end: #1 was dropped by h2 (frag-timeout), 30.0077 s after it started.\n"
                  "Reassembly at h2 had the fragments at offset 1480 (1480 bytes), offset 2960 (1048 bytes), and "
                  "discarded them when it gave up; missing: #2 (offset 0, 1480 bytes: link-loss).\n");
  g_free(out);
  g_free(err);
}
END_TEST

/* --app with another app than a ping: its N-th packet sent; too few. */
START_TEST(test_app_selector)
{
  char *out = NULL, *err = NULL;
  int status =
      explain_run("top_srcdir", "tests/explain/drops.yaml", "drops.yaml", "--app", "flood", "--seq", "3", &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "Packet #18: IPv4 10.0.1.10 > 10.0.4.40 ttl 64 id 7 len 1028 UDP 49152 > 9 len 1008\n");
  assert_has(out, " 1. 4.003200000 h1, application: flood (udp-cbr) writes 1000 bytes to a UDP socket");
  g_free(out);
  g_free(err);
  status =
      explain_run("top_srcdir", "tests/explain/drops.yaml", "drops.yaml", "--app", "flood", "--seq", "300", &out, &err);
  ck_assert_int_eq(status, 2);
  ck_assert_str_eq(err, "ipsim explain: flood (udp-cbr) sent 63 packets in this run, fewer than 300\n");
  g_free(out);
  g_free(err);
  status = explain_run("TOPOLOGIES", "dumbbell.yaml", "dumbbell.yaml", "--app", "flow1", "--seq", "1", &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "dst1, transport: TCP hands the segment to the listener on port 5001: no connection has it yet");
  g_free(out);
  g_free(err);
  status = explain_run("TOPOLOGIES", "dumbbell.yaml", "dumbbell.yaml", "--app", "flow1", "--seq", "4", &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, "TCP sends a segment: port 49152 > port 5001, flags ACK, seq 662292788, 32 bytes of header and 1448 "
                  "of data");
  g_free(out);
  g_free(err);
}
END_TEST

/* Drops in the examples: a switch loop's same-port, an OSPF LS update to
 * AllDRouters at routers that are neither DR nor BDR; RIP's request on a
 * passive interface (routing-off, told by the routing layer after UDP
 * delivered it) and its response where RIP was turned off (not-member). */
START_TEST(test_drop_sentences_examples)
{
  static const struct {
    const char *file, *id, *step;
  } cases[] = {
      {"switch-loop.yaml", "5",
       "10. 0.100098400 s1, network access: dropped at eth2 (same-port): the switch's MAC table has "
       "02:00:00:00:00:0b on eth2, the port the frame came in on: the destination has it already, so the switch "
       "filters it\n"},
      {"ospf-lan.yaml", "54",
       "15. 40.001497440 r2, internet: dropped at eth0 (not-member): 224.0.0.6 (AllDRouters: only OSPF's designated "
       "and backup designated routers join it) is a multicast group that r2 has not joined on eth0; multicast is never "
       "forwarded\n"},
      {"tests/explain/routing-off.yaml", "3",
       "11. 0.002052800 r1, application: dropped at eth1 (routing-off): a RIP packet on eth1, where r1 runs no such "
       "protocol or the interface is passive\n\nThe end: #3 was dropped by r1 (routing-off)"},
      {"tests/explain/routing-off.yaml", "10",
       " 9. 1.823323317 r1, internet: dropped at eth0 (not-member): 224.0.0.9 (RIPv2 routers: only interfaces that run "
       "RIP join it) is a multicast group that r1 has not joined on eth0"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *out = NULL, *err = NULL;
    gboolean ours = g_str_has_prefix(cases[i].file, "tests/");
    int status = explain_run(ours ? "top_srcdir" : "TOPOLOGIES", cases[i].file, cases[i].file, "--packet", cases[i].id,
                             NULL, NULL, &out, &err);
    ck_assert_int_eq(status, 0);
    assert_has(out, cases[i].step);
    g_free(out);
    g_free(err);
  }
}
END_TEST

/* The sockets: a UDP send goes down at once and meets the sink's receive
 * queue at the end; a TCP data segment is told with its send buffer. */
START_TEST(test_socket_queues)
{
  assert_drop("16", " 1. 4.001600000 h1, application: an application writes 1000 bytes to a UDP socket: UDP keeps no "
                    "send buffer, so the datagram goes down at once\n");
  assert_drop("16", "18. 4.181153600 h4, transport: UDP hands the 1000 data bytes to the socket bound to port 9: its "
                    "receive queue held 0 datagrams (0 of its 212992 bytes counted, 256 per datagram beyond its data); "
                    "this one joins it, and the application is told it can read\n");
  char *out = NULL, *err = NULL;
  int status = explain_run("TOPOLOGIES", "dumbbell.yaml", "dumbbell.yaml", "--packet", "30", NULL, NULL, &out, &err);
  ck_assert_int_eq(status, 0);
  assert_has(out, " 2. 0.098257280 src1, transport: the socket's send buffer holds 16384 of its 131072 bytes (what the "
                  "application wrote and the peer has not acknowledged yet); with this segment, 2896 bytes are in "
                  "flight, within the congestion window (14480 bytes) and the peer's receive window (65535 bytes)\n");
  assert_has(out, "dst1, transport: TCP hands the segment (1448 data bytes) to the connection of port 5001: its "
                  "receive buffer held 0 of its 131072 bytes that the application had not read yet");
  g_free(out);
  g_free(err);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("explain");
  TCase *tc = tcase_create("explain");
  tcase_add_test(tc, test_two_lans_first_ping);
  tcase_add_test(tc, test_two_lans_arp_floods);
  tcase_add_test(tc, test_no_route_drop);
  tcase_add_test(tc, test_reply_and_queueing);
  tcase_add_test(tc, test_fragments_and_df);
  tcase_add_test(tc, test_drawing);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_hub_repeats);
  tcase_add_test(tc, test_every_reason_explained);
  tcase_add_test(tc, test_drop_sentences);
  tcase_add_test(tc, test_socket_queues);
  tcase_add_test(tc, test_drop_sentences_examples);
  tcase_add_test(tc, test_frag_timeout);
  tcase_add_test(tc, test_vlan_drops);
  tcase_add_test(tc, test_stp_blocked);
  tcase_add_test(tc, test_app_selector);
  suite_add_tcase(s, tc);
  return testlib_run_suite(s);
}
