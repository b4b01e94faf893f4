/*
 * The ipsim command as a user meets it: exit statuses, help, errors on bad
 * arguments and bad files (including hostile ones: huge, deep, binary,
 * alias bombs, directories), the run summary, drawing, determinism, and
 * real-time runs (the lag line, the lag limit, SIGTERM and SIGINT), which
 * a run in simulated time never is.
 */
#include <check.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "sim/cli/progress.h"
#include "tests/testlib.h"

typedef struct {
  int status;
  char *out;
  char *err;
} Run;

static Run run_ipsim(const char *const *args)
{
  Run r;
  r.status = testlib_run_ipsim(args, &r.out, &r.err);
  return r;
}

static void run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

static char *scratch_dir(void)
{
  char *dir = g_dir_make_tmp("ipsim-test-XXXXXX", NULL);
  ck_assert_ptr_nonnull(dir);
  return dir;
}

static char *example(const char *name)
{
  return testlib_path("TOPOLOGIES", name);
}

static void assert_contains(const char *text, const char *part)
{
  ck_assert_msg(strstr(text, part) != NULL, "expected '%s' in:\n%s", part, text);
}

/* Removes a directory and the files in it. */
static void remove_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name(d));) {
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
}

/* Reads DIR/trace.txt of a run of topologies/`name` into lines; g_strfreev them. */
static char **trace_of_run(const char *name, char **dir_out)
{
  char *dir = scratch_dir(), *file = example(name), *text = NULL;
  Run r = run_ipsim((const char *[]){"run", file, "--out", dir, "--quiet", NULL});
  ck_assert_int_eq(r.status, 0);
  char *path = g_build_filename(dir, "trace.txt", NULL);
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  char **lines = g_strsplit(text, "\n", -1);
  run_clear(&r);
  g_free(path);
  g_free(text);
  g_free(file);
  *dir_out = dir;
  return lines;
}

/* Returns the id part of a packet line ("#1" or "#6 (reply to #1)"):
 * the words after the verb up to the headers. g_free it. */
static char *trace_id_of(const char *line)
{
  const char *at = line;
  for (int i = 0; i < 4 && at; i++)
    at = strchr(at, ' ') ? strchr(at, ' ') + 1 : NULL;
  ck_assert_msg(at && *at == '#', "no id in: %s", line);
  const char *end = strstr(at, " IPv4 ");
  return g_strndup(at, end ? (size_t)(end - at) : strlen(at));
}

/* The first ping of two-lans: every line of the echo request, from h1
 * across s1, r1 and s2 to h3, names packet #1; every line of its reply
 * names #6, a reply to #1. */
START_TEST(test_trace_ids_follow_a_ping)
{
  char *dir = NULL;
  char **lines = trace_of_run("two-lans.yaml", &dir);
  int requests = 0, replies = 0;
  for (char **l = lines; *l; l++) {
    gboolean req = g_str_has_suffix(*l, "ICMP echo request id 16384 seq 1");
    gboolean rep = g_str_has_suffix(*l, "ICMP echo reply id 16384 seq 1");
    if (!req && !rep)
      continue;
    char *id = trace_id_of(*l);
    ck_assert_str_eq(id, req ? "#1" : "#6 (reply to #1)");
    requests += req;
    replies += rep;
    g_free(id);
  }
  ck_assert_int_eq(requests, 13); /* h1 send, tx; s1 rx, fwd, tx; r1 rx, fwd, tx; s2 rx, fwd, tx; h3 rx, deliver */
  ck_assert_int_eq(replies, 13);
  g_strfreev(lines);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* `ipsim trace DIR --node r1 --from 1s --to 2s`: r1's lines of the first
 * ping, exactly; a misspelt node, a bad time and a missing trace are
 * errors (exit 2). */
START_TEST(test_trace_command_filters)
{
  char *dir = NULL;
  g_strfreev(trace_of_run("two-lans.yaml", &dir));
  Run r = run_ipsim((const char *[]){"trace", dir, "--node", "r1", "--from", "1s", "--to", "2s", NULL});
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(
      r.out,
      "1.000109600 r1 eth0 rx #2 ARP who-has 10.0.1.1 tell 10.0.1.11\n"
      "1.000109600 r1 eth0 tx #3 ARP reply 10.0.1.1 is-at 02:00:00:00:00:06\n"
      "1.000334880 r1 eth0 rx #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 64 id 1 len 84 ICMP echo request id 16384 seq 1\n"
      "1.000334880 r1 eth1 fwd #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 63 id 1 len 84 ICMP echo request id 16384 seq 1\n"
      "1.000334880 r1 eth1 tx #4 ARP who-has 10.0.2.13 tell 10.0.2.1\n"
      "1.000554080 r1 eth1 rx #5 ARP reply 10.0.2.13 is-at 02:00:00:00:00:0b\n"
      "1.000554080 r1 eth1 tx #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 63 id 1 len 84 ICMP echo request id 16384 seq 1\n"
      "1.000785440 r1 eth1 rx #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 64 id 1 len 84 ICMP echo reply id 16384 "
      "seq 1\n"
      "1.000785440 r1 eth0 fwd #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 63 id 1 len 84 ICMP echo reply id 16384 "
      "seq 1\n"
      "1.000785440 r1 eth0 tx #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 63 id 1 len 84 ICMP echo reply id 16384 "
      "seq 1\n");
  run_clear(&r);
  r = run_ipsim((const char *[]){"trace", dir, "--iface", "r1:eth1", "--proto", "arp", NULL});
  ck_assert_str_eq(r.out, "1.000334880 r1 eth1 tx #4 ARP who-has 10.0.2.13 tell 10.0.2.1\n"
                          "1.000554080 r1 eth1 rx #5 ARP reply 10.0.2.13 is-at 02:00:00:00:00:0b\n");
  run_clear(&r);
  r = run_ipsim((const char *[]){"trace", dir, "--node", "r9", NULL});
  ck_assert_int_eq(r.status, 2);
  char *want = g_strdup_printf("ipsim trace: --node r9: no line of %s/trace.txt is about a node of that name\n", dir);
  ck_assert_str_eq(r.err, want);
  g_free(want);
  run_clear(&r);
  r = run_ipsim((const char *[]){"trace", dir, "--from", "2x", NULL});
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.err, "ipsim trace: --from 2x: unknown duration unit 'x'; did you mean 's'?\n");
  run_clear(&r);
  r = run_ipsim((const char *[]){"trace", dir, "--proto", "http", NULL});
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.err,
                   "ipsim trace: unknown protocol 'http' (expected arp, ipv4, icmp, udp, tcp, rip, ospf or stp)\n");
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* The lines of the first ping at the internet layer: what --layer
 * internet --flow probe --to 1.5s prints. */
#define FIRST_PING_INTERNET                                                                                            \
  "1.000000000 h1 eth0 send #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 64 id 1 len 84 ICMP echo request id 16384 seq 1\n"       \
  "1.000334880 r1 eth1 fwd #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 63 id 1 len 84 ICMP echo request id 16384 seq 1\n"        \
  "1.000669760 h3 eth0 deliver #1 IPv4 10.0.1.11 > 10.0.2.13 ttl 63 id 1 len 84 ICMP echo request id 16384 seq 1\n"    \
  "1.000669760 h3 eth0 send #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 64 id 1 len 84 ICMP echo reply id 16384 "  \
  "seq 1\n"                                                                                                            \
  "1.000785440 r1 eth0 fwd #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 63 id 1 len 84 ICMP echo reply id 16384 "   \
  "seq 1\n"                                                                                                            \
  "1.000901120 h1 eth0 deliver #6 (reply to #1) IPv4 10.0.2.13 > 10.0.1.11 ttl 63 id 1 len 84 ICMP echo reply id "     \
  "16384 seq 1\n"

/* r1's link-layer lines of the first ping with -e: the MACs change at the
 * router, the IP addresses do not. */
#define FIRST_PING_R1_MACS                                                                                             \
  "1.000334880 r1 eth0 rx #1 02:00:00:00:00:01 > 02:00:00:00:00:06, IPv4 10.0.1.11 > 10.0.2.13 ttl 64 id 1 len 84 "    \
  "ICMP echo request id 16384 seq 1\n"                                                                                 \
  "1.000554080 r1 eth1 tx #1 02:00:00:00:00:07 > 02:00:00:00:00:0b, IPv4 10.0.1.11 > 10.0.2.13 ttl 63 id 1 len 84 "    \
  "ICMP echo request id 16384 seq 1\n"                                                                                 \
  "1.000785440 r1 eth1 rx #6 (reply to #1) 02:00:00:00:00:0b > 02:00:00:00:00:07, IPv4 10.0.2.13 > 10.0.1.11 ttl 64 "  \
  "id 1 len 84 ICMP echo reply id 16384 seq 1\n"                                                                       \
  "1.000785440 r1 eth0 tx #6 (reply to #1) 02:00:00:00:00:06 > 02:00:00:00:00:01, IPv4 10.0.2.13 > 10.0.1.11 ttl 63 "  \
  "id 1 len 84 ICMP echo reply id 16384 seq 1\n"

/* Checks that `ipsim trace` with `args` (after "trace DIR") exits `status`
 * printing `out` (NULL: not checked) and `err`. */
static void assert_trace(const char *dir, const char *const *args, int status, const char *out, const char *err)
{
  const char *argv[16] = {"trace", dir};
  for (int i = 0; args[i]; i++)
    argv[i + 2] = args[i];
  Run r = run_ipsim(argv);
  ck_assert_int_eq(r.status, status);
  if (out)
    ck_assert_str_eq(r.out, out);
  ck_assert_str_eq(r.err, err);
  run_clear(&r);
}

/* `ipsim trace DIR --layer internet --flow probe`, a 5-tuple, -e; bad
 * layers, flows and 5-tuples are errors naming what is expected. */
START_TEST(test_trace_layer_flow_macs)
{
  char *dir = NULL;
  g_strfreev(trace_of_run("two-lans.yaml", &dir));
  assert_trace(dir, (const char *[]){"--layer", "internet", "--flow", "probe", "--to", "1.5s", NULL}, 0,
               FIRST_PING_INTERNET, "");
  assert_trace(dir,
               (const char *[]){"--layer", "internet", "--flow", "icmp 10.0.2.13 > 10.0.1.11", "--to", "1.5s", NULL}, 0,
               FIRST_PING_INTERNET, "");
  assert_trace(dir, (const char *[]){"-e", "--packet", "1", "--layer", "link", "--node", "r1", NULL}, 0,
               FIRST_PING_R1_MACS, "");
  assert_trace(dir, (const char *[]){"--layer", "app", "--flow", "probe", "--to", "1.5s", NULL}, 0,
               "1.000000000 h1 - note probe: PING 10.0.2.13 (10.0.2.13) 56(84) bytes of data.\n"
               "1.000901120 h1 - note probe: 64 bytes from 10.0.2.13: icmp_seq=1 ttl=63 time=0.901 ms\n",
               "");
  assert_trace(dir, (const char *[]){"--layer", "ip", NULL}, 2, "",
               "ipsim trace: unknown layer 'ip' (expected link, internet, transport, app or routing)\n");
  assert_trace(dir, (const char *[]){"--flow", "web", NULL}, 2, "",
               "ipsim trace: --flow web: no app of that name; the flows of this run are probe, or give a 5-tuple "
               "such as 'udp 10.0.1.10:5000 > 10.0.2.10:9'\n");
  assert_trace(dir, (const char *[]){"--flow", "udp 10.0.1.11 10.0.2.13", NULL}, 2, "",
               "ipsim trace: --flow udp 10.0.1.11 10.0.2.13: expected an app's name or a 5-tuple such as 'udp "
               "10.0.1.10:5000 > 10.0.2.10:9' (udp, tcp or icmp; ports optional, none for icmp)\n");
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* An ICMP error belongs to the flow of the datagram it quotes: r1's time
 * exceeded about traceroute's first probe is the probe's 5-tuple's (and
 * the traceroute app's); without DIR/trace.tags, --layer is an error. */
START_TEST(test_trace_flow_of_errors)
{
  char *dir = NULL;
  g_strfreev(trace_of_run("chain.yaml", &dir));
  const char *want =
      "1.000000000 h1 eth0 send #1 IPv4 10.0.1.10 > 10.0.3.10 ttl 1 id 1 len 60 UDP 49152 > 33434 len 40\n"
      "1.000315520 r1 eth0 drop #1 IPv4 10.0.1.10 > 10.0.3.10 ttl 1 id 1 len 60 UDP 49152 > 33434 len 40 reason "
      "ttl-expired\n"
      "1.000315520 r1 eth0 send #4 (error about #1) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP time exceeded "
      "in-transit\n"
      "1.000421120 h1 eth0 deliver #4 (error about #1) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP time "
      "exceeded in-transit\n";
  assert_trace(dir, (const char *[]){"--flow", "udp 10.0.1.10:49152 > 10.0.3.10:33434", "--layer", "internet", NULL}, 0,
               want, "");
  assert_trace(dir, (const char *[]){"--flow", "trace", "--layer", "internet", "--packet", "1", NULL}, 0, want, "");
  char *tags = g_build_filename(dir, "trace.tags", NULL);
  g_unlink(tags);
  char *err =
      g_strdup_printf("ipsim trace: --layer, --flow and -e need %s, which the run writes beside trace.txt\n", tags);
  assert_trace(dir, (const char *[]){"--layer", "link", NULL}, 2, "", err);
  g_free(err);
  g_free(tags);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* Two pings between the same hosts are two flows (their echo
 * identifiers): fragmentation.yaml's `df` is its DF echo, dropped at r1,
 * and r1's error about it, none of `big`'s fragments. */
START_TEST(test_trace_flow_of_pings)
{
  char *dir = NULL;
  g_strfreev(trace_of_run("fragmentation.yaml", &dir));
  assert_trace(dir, (const char *[]){"--flow", "df", "--layer", "internet", "--to", "5.5s", NULL}, 0,
               "5.000000000 h1 eth0 send #73 IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 4 len 1028 DF ICMP echo request id "
               "16385 seq 1\n"
               "5.001083360 r1 eth1 fwd #73 IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 4 len 1028 DF ICMP echo request id "
               "16385 seq 1\n"
               "5.001083360 r1 eth1 drop #73 IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 4 len 1028 DF ICMP echo request id "
               "16385 seq 1 reason frag-needed\n"
               "5.001083360 r1 eth0 send #74 (error about #73) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP frag "
               "needed mtu 576\n"
               "5.002088960 h1 eth0 deliver #74 (error about #73) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP "
               "frag needed mtu 576\n",
               "");
  Run r = run_ipsim((const char *[]){"trace", dir, "--flow", "big", "--layer", "internet", NULL});
  ck_assert_int_eq(r.status, 0);
  ck_assert_ptr_null(strstr(r.out, "id 16385"));
  assert_contains(r.out, "1.000000000 h1 eth0 send #5 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 68 frag "
                         "off 2960\n"); /* a later fragment: its datagram's flow */
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* Runs the example `name` with its line `was` replaced by `trace:
 * MAPPING`, into a new directory, returned. */
static char *run_with_trace(const char *name, const char *was, const char *mapping)
{
  char *dir = scratch_dir(), *file = example(name), *text = NULL;
  ck_assert(g_file_get_contents(file, &text, NULL, NULL));
  char *trace = g_strdup_printf("  trace: %s\n", mapping);
  char **parts = g_strsplit(text, was, 2);
  ck_assert_uint_eq(g_strv_length(parts), 2);
  char *edited = g_strjoinv(trace, parts), *path = g_build_filename(dir, name, NULL);
  ck_assert(g_file_set_contents(path, edited, -1, NULL));
  Run r = run_ipsim((const char *[]){"run", path, "--out", dir, "--quiet", NULL});
  ck_assert_int_eq(r.status, 0);
  run_clear(&r);
  g_strfreev(parts);
  g_free(trace);
  g_free(edited);
  g_free(path);
  g_free(text);
  g_free(file);
  return dir;
}

/* Runs two-lans with `trace: MAPPING` into a new directory, returned. */
static char *run_two_lans_with_trace(const char *mapping)
{
  return run_with_trace("two-lans.yaml", "  trace: true\n", mapping);
}

/* A run's window that starts after TCP's SYNs still shows relative
 * sequence numbers, as `ipsim trace --from` does of the whole trace. */
START_TEST(test_trace_window_keeps_tcp_relative)
{
  char *whole = NULL;
  g_strfreev(trace_of_run("lossy-link.yaml", &whole));
  char *dir = run_with_trace("lossy-link.yaml", "  trace: [internet, transport, app]\n",
                             "{ layers: [internet, transport, app], from: 1s, nodes: [server] }");
  char *path = g_build_filename(dir, "trace.txt", NULL), *text = NULL;
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  Run r = run_ipsim((const char *[]){"trace", whole, "--from", "1s", "--node", "server", NULL});
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(text, r.out);
  assert_contains(text, " seq 1 ack ");
  run_clear(&r);
  g_free(text);
  g_free(path);
  remove_dir(dir);
  remove_dir(whole);
  g_free(dir);
  g_free(whole);
}
END_TEST

/* The scenario's filters write the lines the CLI's print: output.trace {
 * layers, flow, to }, { nodes, packet, macs }, { ifaces, ... } and { protos,
 * ... }; -e on a run that wrote
 * the MACs does not write them twice. */
START_TEST(test_trace_filters_in_the_scenario)
{
  char *dir = run_two_lans_with_trace("{ layers: [internet], flow: probe, to: 1.5s }");
  char *path = g_build_filename(dir, "trace.txt", NULL), *text = NULL;
  ck_assert(g_file_get_contents(path, &text, NULL, NULL));
  ck_assert_str_eq(text, FIRST_PING_INTERNET);
  g_free(text);
  g_free(path);
  remove_dir(dir);
  g_free(dir);
  dir = run_two_lans_with_trace("{ layers: [link], nodes: [r1], packet: 1, macs: true }");
  ck_assert(g_file_get_contents(path = g_build_filename(dir, "trace.txt", NULL), &text, NULL, NULL));
  ck_assert_str_eq(text, FIRST_PING_R1_MACS);
  assert_trace(dir, (const char *[]){"-e", NULL}, 0, FIRST_PING_R1_MACS, "");
  g_free(text);
  g_free(path);
  remove_dir(dir);
  g_free(dir);
  dir = run_two_lans_with_trace("{ layers: [link], ifaces: [\"r1:eth0\", \"r1:eth1\"], packet: 1, macs: true }");
  ck_assert(g_file_get_contents(path = g_build_filename(dir, "trace.txt", NULL), &text, NULL, NULL));
  ck_assert_str_eq(text, FIRST_PING_R1_MACS);
  g_free(text);
  g_free(path);
  remove_dir(dir);
  g_free(dir);
  dir = run_two_lans_with_trace("{ protos: [arp], nodes: [r1], to: 2s }");
  ck_assert(g_file_get_contents(path = g_build_filename(dir, "trace.txt", NULL), &text, NULL, NULL));
  ck_assert_str_eq(text, "1.000109600 r1 eth0 rx #2 ARP who-has 10.0.1.1 tell 10.0.1.11\n"
                         "1.000109600 r1 eth0 tx #3 ARP reply 10.0.1.1 is-at 02:00:00:00:00:06\n"
                         "1.000334880 r1 eth1 tx #4 ARP who-has 10.0.2.13 tell 10.0.2.1\n"
                         "1.000554080 r1 eth1 rx #5 ARP reply 10.0.2.13 is-at 02:00:00:00:00:0b\n");
  g_free(text);
  g_free(path);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_version_and_help)
{
  Run r = run_ipsim((const char *[]){"--version", NULL});
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(r.out, "ipsim " PACKAGE_VERSION "\n");
  run_clear(&r);
  r = run_ipsim((const char *[]){"--help", NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "run ");
  assert_contains(r.out, "check ");
  assert_contains(r.out, "draw ");
  run_clear(&r);
  r = run_ipsim((const char *[]){"help", "run", NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "usage: ipsim run FILE [--seed N] [--stop TIME] [--out DIR] [--quiet]");
  run_clear(&r);
  r = run_ipsim((const char *[]){"draw", "--help", NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "usage: ipsim draw FILE [-o OUT]");
  run_clear(&r);
}
END_TEST

START_TEST(test_usage_errors)
{
  static const struct {
    const char *args[4];
    const char *message;
  } cases[] = {
      {{NULL}, "usage: ipsim COMMAND"},
      {{"rnu", NULL}, "ipsim: unknown command 'rnu'; did you mean 'run'?"},
      {{"--frobnicate", NULL}, "ipsim: unknown option '--frobnicate'"},
      {{"help", "nope", NULL}, "ipsim: unknown command 'nope'"},
      {{"run", NULL}, "ipsim run: missing the scenario FILE"},
      {{"run", "a.yaml", "b.yaml", NULL}, "ipsim run: expected one scenario FILE, found 2 arguments"},
      {{"run", "--bogus", "a.yaml", NULL}, "ipsim run: Unknown option --bogus"},
      {{"draw", NULL}, "ipsim draw: missing the scenario FILE"},
      {{"check", NULL}, "ipsim check: missing the scenario FILE"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    Run r = run_ipsim(cases[i].args);
    ck_assert_msg(r.status == 2, "case %u: status %d", i, r.status);
    assert_contains(r.err, cases[i].message);
    run_clear(&r);
  }
}
END_TEST

START_TEST(test_check_examples)
{
  const char *dir = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(dir, ".yaml");
  for (guint i = 0; i < names->len; i++) {
    char *path = g_build_filename(dir, names->pdata[i], NULL);
    Run r = run_ipsim((const char *[]){"check", path, NULL});
    /* switch-loop.yaml is about the loop its warning names; the others are clean. */
    gboolean loop = g_str_equal(names->pdata[i], "switch-loop.yaml");
    ck_assert_msg(r.status == 0 && (loop ? strstr(r.err, "closes a loop of switches") != NULL : r.err[0] == '\0'),
                  "%s: status %d\n%s", path, r.status, r.err);
    assert_contains(r.out, ": ok (");
    run_clear(&r);
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
}
END_TEST

START_TEST(test_check_reports_errors_and_warnings)
{
  char *bad = testlib_path("BAD_SCENARIOS", "many-errors.yaml");
  char *warn = testlib_path("WARN_SCENARIOS", "switch-loop.yaml");
  Run r = run_ipsim((const char *[]){"check", warn, NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.err, "switch-loop.yaml:10:5: warning: links[2] (s3 - s1) closes a loop of switches");
  run_clear(&r);
  r = run_ipsim((const char *[]){"check", warn, bad, NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "many-errors.yaml:7:47: error: links[0]: unknown key 'los' in a link; did you mean 'loss'?");
  assert_contains(r.out, "switch-loop.yaml: ok (5 nodes, 5 links)");
  run_clear(&r);
  g_free(bad);
  g_free(warn);
}
END_TEST

/* Hostile inputs: each gets exit status 2 and a clear message, fast. */
static void assert_rejected(const char *path, const char *message)
{
  gint64 start = g_get_monotonic_time();
  Run r = run_ipsim((const char *[]){"check", path, NULL});
  double seconds = (double)(g_get_monotonic_time() - start) / 1e6;
  ck_assert_msg(r.status == 2, "%s: status %d", path, r.status);
  assert_contains(r.err, message);
  ck_assert_msg(seconds < 20, "%s took %.1f s", path, seconds);
  run_clear(&r);
}

static char *write_file(const char *dir, const char *name, const char *data, gssize len)
{
  char *path = g_build_filename(dir, name, NULL);
  ck_assert(g_file_set_contents(path, data, len, NULL));
  return path;
}

/* Writes `len` bytes (or a string, len < 0) to a new file in a fresh
 * directory, checks that ipsim rejects it with `message`, and cleans up. */
static void assert_file_rejected(const char *name, const char *data, gssize len, const char *message)
{
  char *dir = scratch_dir();
  char *path = write_file(dir, name, data, len);
  assert_rejected(path, message);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}

/* `check A B C`: a line per file in order, with its counts, and a total;
 * an unquoted bound gets a message saying how to quote it, and the file's
 * other errors are still reported (block and flow styles). */
START_TEST(test_check_files_in_order_and_unquoted_bounds)
{
  char *dir = scratch_dir();
  char *bad = write_file(dir, "bad.yaml",
                         "stop: 3s\n"
                         "nodes:\n"
                         "  h1: { kind: host, ip: 10.0.1.10/24 }\n"
                         "  h2: { kind: hots }\n"
                         "apps:\n"
                         "  - { name: p, type: ping, on: h1, to: h1 }\n"
                         "expect:\n"
                         "  - app: p\n"
                         "    loss: >= 10%\n"
                         "  - { app: p, loss: > 5%, at: 1s }\n",
                         -1);
  char *warn = testlib_path("WARN_SCENARIOS", "switch-loop.yaml"), *lan = example("lan.yaml");
  Run r = run_ipsim((const char *[]){"check", lan, bad, warn, NULL});
  ck_assert_int_eq(r.status, 2);
  char *out = g_strdup_printf("%s: ok (5 nodes, 4 links)\n%s: 4 errors\n%s: ok (5 nodes, 5 links), 1 warning\n"
                              "3 files: 2 ok, 1 with errors; 4 errors, 1 warning\n",
                              lan, bad, warn);
  ck_assert_str_eq(r.out, out);
  char *err = g_strdup_printf(
      "%s:4:15: error: nodes.h2.kind: unknown node kind 'hots'; did you mean 'host'?\n"
      "%s:9:11: error: YAML syntax: a bound that starts with '>' must be quoted (YAML reads '>' as a folded block): "
      "write loss: \">= 10%%\"\n"
      "%s:10:21: error: YAML syntax: a bound that starts with '>' must be quoted (YAML reads '>' as a folded block): "
      "write loss: \"> 5%%\"\n"
      "%s:10:27: error: expect[1].at: 'at' is not allowed with 'loss': it is checked at the end of the run\n"
      "%s:10:5: warning: links[2] (s3 - s1) closes a loop of switches that run no spanning tree: a broadcast "
      "circulates until queues overflow (give a switch of the loop `stp: rstp`)\n",
      bad, bad, bad, bad, warn);
  ck_assert_str_eq(r.err, err);
  run_clear(&r);
  g_unlink(bad);
  g_rmdir(dir);
  g_free(out), g_free(err), g_free(bad), g_free(warn), g_free(lan), g_free(dir);
}
END_TEST

START_TEST(test_hostile_small_files)
{
  assert_file_rejected("empty.yaml", "", 0, "empty.yaml: error: the file is empty");
  assert_file_rejected("tabs.yaml", "nodes:\n\th1: { kind: host }\n", -1,
                       "tabs.yaml:2:1: error: YAML syntax: a tab character here; YAML indents with spaces, not tabs");
  assert_file_rejected("latin1.yaml", "nodes:\n  h\xe9: { kind: host }\n", -1,
                       "latin1.yaml:2:4: error: the byte 0xE9 is not valid UTF-8 here (invalid trailing UTF-8 octet)");
}
END_TEST

START_TEST(test_hostile_binary_junk)
{
  GRand *rand = g_rand_new_with_seed(7);
  char junk[4096];
  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (char)g_rand_int_range(rand, 0, 256);
  g_rand_free(rand);
  assert_file_rejected("junk.yaml", junk, sizeof junk, "junk.yaml:1:");
}
END_TEST

START_TEST(test_hostile_deep_nesting)
{
  GString *deep = g_string_new("nodes: ");
  for (int i = 0; i < 100000; i++)
    g_string_append_c(deep, '[');
  assert_file_rejected("deep.yaml", deep->str, (gssize)deep->len,
                       "error: the document is nested deeper than 64 levels");
  g_string_free(deep, TRUE);
}
END_TEST

/* "Billion laughs": 12 levels of ten aliases each would expand to 10^12 nodes. */
START_TEST(test_hostile_alias_bomb)
{
  GString *bomb = g_string_new("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 12; i++) {
    g_string_append_printf(bomb, "a%d: &a%d [", i, i);
    for (int j = 0; j < 10; j++)
      g_string_append_printf(bomb, "%s*a%d", j ? ", " : "", i - 1);
    g_string_append(bomb, "]\n");
  }
  assert_file_rejected("bomb.yaml", bomb->str, (gssize)bomb->len, "refusing it (an alias bomb?)");
  g_string_free(bomb, TRUE);
}
END_TEST

START_TEST(test_hostile_huge_file)
{
  char *dir = scratch_dir();
  char *path = g_build_filename(dir, "huge.yaml", NULL);
  int fd = g_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(ftruncate(fd, 100 * 1024 * 1024), 0); /* 100 MB, sparse */
  close(fd);
  assert_rejected(path, "huge.yaml: error: the file is larger than 16 MiB, the limit for a scenario file");
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}
END_TEST

START_TEST(test_hostile_not_files)
{
  char *dir = scratch_dir();
  assert_rejected(dir, "error: is a directory; expected a scenario file (YAML)");
  char *path = g_build_filename(dir, "missing.yaml", NULL);
  assert_rejected(path, "missing.yaml: error: cannot open the file: No such file or directory");
  assert_rejected("/dev/zero", "/dev/zero: error: the file is larger than 16 MiB");
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}
END_TEST

START_TEST(test_run_summary)
{
  char *campus = example("campus.yaml");
  Run r = run_ipsim((const char *[]){"run", campus, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_contains(r.out, "scenario   campus\n");
  assert_contains(r.out, "nodes      21 (13 hosts, 4 switches, 4 routers)\n");
  assert_contains(r.out, "links      20\n");
  assert_contains(r.out, "sim time   60s\n");
  assert_contains(r.out, "events     ");
  assert_contains(r.out, "wall time  ");
  run_clear(&r);
  /* A shorter run: the UDP stream of campus.yaml starts at 2 s, so its
   * expectation fails, the failure is explained and the exit status is 1. */
  r = run_ipsim((const char *[]){"run", campus, "--seed", "7", "--stop", "1.5s", NULL});
  ck_assert_int_eq(r.status, 1);
  assert_contains(r.out, "seed       7\n");
  assert_contains(r.out, "sim time   1.5s\n");
  assert_contains(r.err, "campus.yaml:");
  assert_contains(r.err,
                  ": expect failed: stream delivered 100%\n  expected: 100%\n  found:    no datagram was sent\n");
  run_clear(&r);
  r = run_ipsim((const char *[]){"run", campus, "--stop", "-1s", NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim run: --stop: ");
  run_clear(&r);
  r = run_ipsim((const char *[]){"run", campus, "--seed", "x", NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim run: --seed: ");
  run_clear(&r);
  g_free(campus);
}
END_TEST

/* --stop earlier than a check's `at` is refused, as the file's own `stop` is:
 * each such check is named, with its place in the file, and nothing runs. */
START_TEST(test_run_stop_before_a_check)
{
  char *lans = example("two-lans.yaml");
  Run r = run_ipsim((const char *[]){"run", lans, "--stop", "1s", NULL});
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.out, "");
  char *want = g_strdup_printf(
      "%s:39:5: error: expect[1] (path h1 -> h3 is r1 h3): at: 2s is after the end of the run (--stop: 1s)\n"
      "%s:40:5: error: expect[2] (route h1 10.0.2.0/24 via r1): at: 2s is after the end of the run (--stop: 1s)\n",
      lans, lans);
  ck_assert_str_eq(r.err, want);
  run_clear(&r);
  /* A check at the stop time itself runs (and passes; only the ping, cut
   * short with a reply in flight, fails). */
  char *dir = scratch_dir();
  r = run_ipsim((const char *[]){"run", lans, "--stop", "2s", "--quiet", "--out", dir, NULL});
  ck_assert_int_eq(r.status, 1);
  ck_assert_msg(strstr(r.err, "after the end") == NULL && strstr(r.err, "path h1") == NULL, "%s", r.err);
  assert_contains(r.err, "expect failed: loss of probe 0%");
  run_clear(&r);
  char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd), g_free(dir), g_free(want);
  g_free(lans);
}
END_TEST

/* A failed check's evidence is about its own app: the flow's figures and
 * its own drops in time order, not the drops of another app (noise) that
 * came first. */
START_TEST(test_run_evidence_is_the_apps_own)
{
  static const char yaml[] =
      "stop: 3s\n"
      "nodes:\n"
      "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
      "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
      "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
      "links:\n"
      "  - { ends: [h1, r1:eth0], rate: 10Mbps, delay: 1ms }\n"
      "  - { ends: [r1:eth1, h2], rate: 1Mbps, delay: 1ms, queue: 2p }\n"
      "apps:\n"
      "  - { name: warm, type: ping, on: h1, to: h2, count: 1 }\n"
      "  - { name: noise, type: udp-cbr, on: h1, to: 'h2:9000', rate: 4Mbps, size: 1000, start: 1s, stop: 1.05s }\n"
      "  - { name: cbr, type: udp-cbr, on: h1, to: 'h2:9001', rate: 4Mbps, size: 1000, start: 2s, stop: 2.03s }\n"
      "  - { type: udp-sink, on: h2, port: 9000 }\n"
      "  - { type: udp-sink, on: h2, port: 9001 }\n"
      "expect:\n"
      "  - { flow: cbr, delivered: 100% }\n";
  char *dir = scratch_dir(), *path = write_file(dir, "evidence.yaml", yaml, -1);
  Run r = run_ipsim((const char *[]){"run", "--quiet", path, NULL});
  ck_assert_int_eq(r.status, 1);
  static const char drop[] = "r1 eth1 drop #%u IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id %u len 1028 UDP 49152 > 9001 "
                             "len 1008 reason queue-full\n"; /* the packet's id, for `ipsim explain --packet` */
  GString *want = g_string_new(NULL);
  g_string_printf(
      want,
      "%s:16:5: expect failed: cbr delivered 100%%\n  expected: 100%%\n"
      "  found:    6 of 15 datagrams delivered (40%%)\n  evidence:\n"
      "    flow udp 10.0.1.10:49152 > 10.0.2.10:9001: 15 packets sent, 6 received, 9 lost, 0 retransmitted\n",
      path);
  static const struct {
    const char *time;
    guint packet, id;
  } drops[] = {{"2.007833600", 35, 30},
               {"2.009833600", 36, 31},
               {"2.013833600", 38, 33},
               {"2.015833600", 39, 34},
               {"2.017833600", 40, 35}};
  for (guint i = 0; i < G_N_ELEMENTS(drops); i++) {
    g_string_append_printf(want, "    %s ", drops[i].time);
    g_string_append_printf(want, drop, drops[i].packet, drops[i].id);
  }
  ck_assert_str_eq(r.err, want->str);
  run_clear(&r);
  g_string_free(want, TRUE);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path), g_free(dir);
}
END_TEST

/* Counts of one take the singular: "echoed 1 datagram", "1 link",
 * "1 of 1 datagram", "1 packet sent". */
START_TEST(test_counts_of_one_are_singular)
{
  static const char yaml[] = "stop: 2s\n"
                             "nodes:\n"
                             "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                             "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                             "links:\n"
                             "  - [h1, h2]\n"
                             "apps:\n"
                             "  - { name: echo, type: udp-echo, on: h1, to: h2, count: 1 }\n"
                             "  - { name: srv, type: udp-echo-server, on: h2 }\n"
                             "expect:\n"
                             "  - { flow: echo, delivered: 2 }\n";
  char *dir = scratch_dir(), *path = write_file(dir, "echo1.yaml", yaml, -1);
  Run r = run_ipsim((const char *[]){"check", path, NULL});
  ck_assert_int_eq(r.status, 0);
  char *want = g_strdup_printf("%s: ok (2 nodes, 1 link)\n", path);
  ck_assert_str_eq(r.out, want);
  run_clear(&r);
  g_free(want);
  r = run_ipsim((const char *[]){"run", path, NULL});
  ck_assert_int_eq(r.status, 1);
  assert_contains(r.out, "\n2.000000000 h2 srv: echoed 1 datagram (56 bytes)\n");
  want =
      g_strdup_printf("%s:11:5: expect failed: echo delivered 2\n  expected: 2\n"
                      "  found:    1 of 1 datagram delivered (100%%)\n  evidence:\n"
                      "    flow udp 10.0.0.1:49152 > 10.0.0.2:7: 1 packet sent, 1 received, 0 lost, 0 retransmitted\n"
                      "    flow udp 10.0.0.2:7 > 10.0.0.1:49152: 1 packet sent, 1 received, 0 lost, 0 retransmitted\n",
                      path);
  ck_assert_str_eq(r.err, want);
  run_clear(&r);
  g_unlink(path);
  g_rmdir(dir);
  g_free(want), g_free(path), g_free(dir);
}
END_TEST

/* FTP prints each file's rate scaled as curl does, two decimals. */
START_TEST(test_ftp_rate_is_readable)
{
  char *dir = scratch_dir(), *ftp = example("ftp.yaml");
  Run r = run_ipsim((const char *[]){"run", ftp, "--out", dir, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  /* printed with the 226, once the data connection has closed */
  assert_contains(r.out, "\n1.411343280 laptop fetch: 100000 bytes received in 0.123 secs (815.66 kB/s)\n");
  assert_contains(r.out, "\n2.433966960 laptop fetch: 2000000 bytes received in 0.926 secs (2.16 MB/s)\n");
  run_clear(&r);
  char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd), g_free(ftp), g_free(dir);
}
END_TEST

/* `reach` is one way; `both: true` also checks the way back, and the
 * failure says which way failed: h3 has no gateway, so h1 reaches it
 * (expect[1] passes) but h3 has no route back. */
START_TEST(test_reach_both_ways)
{
  static const char yaml[] = "stop: 2s\n"
                             "nodes:\n"
                             "  s1: { kind: switch }\n"
                             "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                             "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                             "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                             "  h3: { kind: host, ip: 10.0.2.20/24 }\n"
                             "links:\n"
                             "  - [h1, r1:eth0]\n"
                             "  - [r1:eth1, s1]\n"
                             "  - [h2, s1]\n"
                             "  - [h3, s1]\n"
                             "expect:\n"
                             "  - { at: 1s, reach: { from: h1, to: h2, both: true } }\n"
                             "  - { at: 1s, reach: { from: h1, to: h3 } }\n"
                             "  - { at: 1s, reach: { from: h1, to: h3, both: true } }\n";
  char *dir = scratch_dir(), *path = write_file(dir, "both.yaml", yaml, -1);
  Run r = run_ipsim((const char *[]){"run", "--quiet", path, NULL});
  ck_assert_int_eq(r.status, 1);
  char *want = g_strdup_printf("%s:16:5: expect failed: h1 and h3 reach each other at 1s\n"
                               "  expected: h1 and h3 reach each other\n"
                               "  found:    reachable one way only; the way back, h3 to 10.0.1.10: no route\n"
                               "  evidence:\n"
                               "    the way there, h1 to 10.0.2.20:\n"
                               "    h1: route 0.0.0.0/0 via 10.0.1.1 dev eth0 (static, metric 1)\n"
                               "    r1: route 10.0.2.0/24 dev eth1 (connected, metric 0)\n"
                               "    the way back, h3 to 10.0.1.10:\n"
                               "    h3: no route to 10.0.1.10\n",
                               path);
  ck_assert_str_eq(r.err, want);
  run_clear(&r);
  g_free(want);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path), g_free(dir);
}
END_TEST

/* unreach checks one way: it takes no `both`. */
START_TEST(test_unreach_takes_no_both)
{
  char *dir = scratch_dir();
  char *bad = write_file(dir, "unreach.yaml",
                         "nodes: { h1: { kind: host, ip: 10.0.0.1/24 } }\n"
                         "expect:\n  - { unreach: { from: h1, to: 10.9.9.9, both: true } }\n",
                         -1);
  Run r = run_ipsim((const char *[]){"check", bad, NULL});
  ck_assert_int_eq(r.status, 2);
  char *want = g_strdup_printf("%s:3:48: error: expect[0].unreach.both: 'both' goes with 'reach' (each end reaches the "
                               "other); 'unreach' checks one way\n",
                               bad);
  ck_assert_str_eq(r.err, want);
  run_clear(&r);
  g_unlink(bad);
  g_rmdir(dir);
  g_free(want), g_free(bad), g_free(dir);
}
END_TEST

/* Apps that alone send more than 1e8 packets get a warning at the app
 * that sends the most, in check and run. */
START_TEST(test_check_warns_of_too_many_packets)
{
  static const char yaml[] =
      "stop: 10s\n"
      "nodes:\n"
      "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
      "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
      "links:\n"
      "  - [h1, h2]\n"
      "apps:\n"
      "  - { name: probe, type: ping, on: h1, to: h2 }\n"
      "  - { name: flood, type: udp-cbr, on: h1, to: 'h2:9', rate: 1000Gbps, size: 1, start: 1s, stop: 2s }\n";
  char *dir = scratch_dir(), *path = write_file(dir, "flood.yaml", yaml, -1);
  Run r = run_ipsim((const char *[]){"check", path, NULL});
  ck_assert_int_eq(r.status, 0);
  char *want = g_strdup_printf("%s:9:5: warning: the apps alone send about 1e+09 packets ('flood' about 1e+09), more "
                               "than 1e8: the run will take very long; lower a rate or shorten the run\n",
                               path);
  ck_assert_str_eq(r.err, want);
  char *out = g_strdup_printf("%s: ok (2 nodes, 1 link), 1 warning\n", path);
  ck_assert_str_eq(r.out, out);
  run_clear(&r);
  g_unlink(path);
  g_rmdir(dir);
  g_free(out), g_free(want), g_free(path), g_free(dir);
}
END_TEST

/* The progress line: simulated time against stop, events per second, and
 * the wall time left at the rate so far. */
START_TEST(test_progress_text)
{
  char *t = progress_text(SIMTIME_S(15), SIMTIME_S(60), 3000000, 3.0);
  ck_assert_str_eq(t, "sim 15.000s of 60s (25.0%), 1000000 events/s, about 9s left");
  g_free(t);
  t = progress_text(SIMTIME_MS(1500), SIMTIME_S(100), 123456789, 15.0);
  ck_assert_str_eq(t, "sim 1.500s of 100s (1.5%), 8230453 events/s, about 16m25s left");
  g_free(t);
  t = progress_text(0, SIMTIME_S(1), 0, 0);
  ck_assert_str_eq(t, "sim 0.000s of 1s (0.0%), 0 events/s");
  g_free(t);
}
END_TEST

/* With standard error not a terminal, a run prints no progress even past
 * the time the line would start (IPSIM_PROGRESS_AFTER_S=0: at once):
 * standard error stays empty. */
START_TEST(test_no_progress_off_a_terminal)
{
  static const char yaml[] = "stop: 5s\n"
                             "nodes:\n"
                             "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                             "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                             "links:\n"
                             "  - { ends: [h1, h2], rate: 10Gbps }\n"
                             "apps:\n"
                             "  - { name: flood, type: udp-cbr, on: h1, to: 'h2:9', rate: 2Gbps, size: 1000 }\n"
                             "  - { type: udp-sink, on: h2, port: 9 }\n";
  char *dir = scratch_dir(), *path = write_file(dir, "long.yaml", yaml, -1);
  g_setenv("IPSIM_PROGRESS_AFTER_S", "0", TRUE);
  Run r = run_ipsim((const char *[]){"run", path, NULL});
  g_unsetenv("IPSIM_PROGRESS_AFTER_S");
  ck_assert_int_eq(r.status, 0);
  ck_assert_str_eq(r.err, "");
  assert_contains(r.out, "sim time   5s\n");
  run_clear(&r);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path), g_free(dir);
}
END_TEST

static char *read_file(const char *path)
{
  char *data = NULL;
  ck_assert_msg(g_file_get_contents(path, &data, NULL, NULL), "cannot read %s", path);
  return data;
}

/* DIR/expect.json holds every check, passed or failed, with its place,
 * what it expected, what was found and the evidence. */
START_TEST(test_run_writes_expect_json)
{
  char *dir = scratch_dir(), *file = g_build_filename(dir, "two.yaml", NULL), *out = g_build_filename(dir, "out", NULL);
  ck_assert(
      g_file_set_contents(file,
                          "nodes:\n  h1: { kind: host, ip: 10.0.0.1/24 }\n  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                          "links: [[h1, h2]]\napps:\n  - { name: probe, type: ping, on: h1, to: h2, count: 2 }\n"
                          "expect:\n  - { app: probe, loss: 0% }\n  - { at: 2s, reach: { from: h1, to: 10.0.9.9 } }\n",
                          -1, NULL));
  Run r = run_ipsim((const char *[]){"run", file, "--out", out, "--quiet", NULL});
  ck_assert_int_eq(r.status, 1);
  char *path = g_build_filename(out, "expect.json", NULL), *json = NULL;
  ck_assert(g_file_get_contents(path, &json, NULL, NULL));
  char *want = g_strdup_printf(
      "{\n  \"file\": \"%s\",\n  \"checked\": true,\n  \"passed\": 1,\n  \"failed\": 1,\n  \"checks\": [\n"
      "    {\n      \"index\": 0,\n      \"check\": \"loss\",\n      \"text\": \"loss of probe 0%%\",\n"
      "      \"line\": 8,\n      \"column\": 5,\n      \"at_ns\": null,\n      \"result\": \"pass\",\n"
      "      \"expected\": \"0%%\",\n      \"found\": \"0%% loss (2 sent, 2 received)\",\n      \"evidence\": []\n    "
      "},\n"
      "    {\n      \"index\": 1,\n      \"check\": \"reach\",\n      \"text\": \"h1 reaches 10.0.9.9\",\n"
      "      \"line\": 9,\n      \"column\": 5,\n      \"at_ns\": 2000000000,\n      \"result\": \"fail\",\n"
      "      \"expected\": \"h1 reaches 10.0.9.9\",\n      \"found\": \"no route\",\n"
      "      \"evidence\": [\n        \"h1: no route to 10.0.9.9\"\n      ]\n    }\n  ]\n}\n",
      file);
  ck_assert_str_eq(json, want);
  assert_contains(r.err, ":9:5: expect failed: h1 reaches 10.0.9.9 at 2s\n  expected: h1 reaches 10.0.9.9\n");
  g_free(want);
  g_free(json);
  g_free(path);
  run_clear(&r);
  g_free(out);
  g_free(file);
  g_free(dir);
}
END_TEST

/* The same scenario and seed give byte-identical outputs. */
START_TEST(test_run_outputs_are_deterministic)
{
  char *dir = scratch_dir(), *campus = example("campus.yaml");
  char *out1 = g_build_filename(dir, "one", NULL), *out2 = g_build_filename(dir, "two", NULL);
  Run r1 = run_ipsim((const char *[]){"run", campus, "--quiet", "--out", out1, NULL});
  Run r2 = run_ipsim((const char *[]){"run", campus, "--quiet", "--out", out2, NULL});
  ck_assert_int_eq(r1.status, 0);
  ck_assert_int_eq(r2.status, 0);
  ck_assert_str_eq(r1.out, "");
  char *p1 = g_build_filename(out1, "summary.json", NULL), *p2 = g_build_filename(out2, "summary.json", NULL);
  char *s1 = read_file(p1), *s2 = read_file(p2);
  ck_assert_str_eq(s1, s2);
  assert_contains(s1, "\"scenario\": \"campus\"");
  assert_contains(s1, "\"sim_time_ns\": 60000000000");
  g_unlink(p1);
  g_unlink(p2);
  g_rmdir(out1);
  g_rmdir(out2);
  g_rmdir(dir);
  g_free(s1), g_free(s2), g_free(p1), g_free(p2), g_free(out1), g_free(out2), g_free(dir), g_free(campus);
  run_clear(&r1);
  run_clear(&r2);
}
END_TEST

/* A ping every 100 ms between two hosts, with a trace; `more` is appended. */
static char *realtime_yaml(const char *dir, const char *stop, const char *more)
{
  char *yaml = g_strdup_printf("stop: %s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - [h1, h2]\n"
                               "apps:\n"
                               "  - { name: probe, type: ping, on: h1, to: h2, interval: 100ms }\n"
                               "output: { trace: true }\n"
                               "expect:\n"
                               "  - { app: probe, loss: 0%% }\n"
                               "%s",
                               stop, more);
  char *path = write_file(dir, "rt.yaml", yaml, -1);
  g_free(yaml);
  return path;
}

/* On a terminal (util-linux's script(1) gives the run one), a real-time
 * run shows its progress (every 250 ms of wall time, and again after each
 * application line), and each line an
 * application prints first erases it: "\r\033[K" before the text, so that
 * no line starts after the progress text. */
START_TEST(test_realtime_progress_on_a_terminal)
{
  char *script = g_find_program_in_path("script");
  if (!script) {
    printf("skipped: no script(1) to give the run a terminal\n");
    return;
  }
  char *dir = scratch_dir(), *path = realtime_yaml(dir, "1.05s", "realtime: { low-latency: false }\n"), *yaml = NULL;
  ck_assert(g_file_get_contents(path, &yaml, NULL, NULL));
  GString *y = g_string_new(yaml);
  g_string_replace(y, "output: { trace: true }\n", "", 0); /* a trace on standard output turns progress off */
  ck_assert(g_file_set_contents(path, y->str, -1, NULL));
  char *text = NULL, *cmd = g_strdup_printf("%s run %s", testlib_env("IPSIM"), path);
  g_setenv("IPSIM_PROGRESS_AFTER_S", "0", TRUE);
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char *[]){script, "-qec", cmd, "/dev/null", NULL}, NULL, 0, NULL, NULL, &text, NULL,
                         &status, NULL));
  g_unsetenv("IPSIM_PROGRESS_AFTER_S");
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "%s", text);
  assert_contains(text, "\rsim 0.");
  assert_contains(text, "s of 1.05s (");
  assert_contains(text, "\033[K\r\033[K0.302015680 h1 probe: 64 bytes from 10.0.0.2: icmp_seq=4 ttl=64");
  ck_assert_msg(!strstr(text, "left\033[K0."), "an application line after the progress text: %s", text);
  g_string_free(y, TRUE);
  g_free(yaml), g_free(text), g_free(cmd), g_free(script);
  g_unlink(path);
  remove_dir(dir);
  g_free(path), g_free(dir);
}
END_TEST

/* `realtime: true` (or --realtime) runs against the wall clock: a 250 ms
 * run lasts at least 250 ms, the summary has the realtime line and
 * summary.json its fields; checks are evaluated as usual. As root, the
 * CPUs are kept awake unless `low-latency: false` says not to. */
START_TEST(test_realtime_run)
{
  char *dir = scratch_dir(), *out = g_build_filename(dir, "out", NULL);
  for (int flag = 0; flag < 3; flag++) {
    gboolean awake = flag < 2 && geteuid() == 0;
    char *path = realtime_yaml(dir, "250ms",
                               flag == 1 ? ""
                               : flag    ? "realtime: { low-latency: false }\n"
                                         : "realtime: true\n");
    gint64 start = g_get_monotonic_time();
    Run r = run_ipsim((const char *[]){"run", path, "--out", out, flag == 1 ? "--realtime" : NULL, NULL});
    gint64 took = g_get_monotonic_time() - start;
    ck_assert_msg(r.status == 0, "flag %d: status %d\n%s", flag, r.status, r.err);
    ck_assert_int_ge(took, 250000);
    assert_contains(r.out, "realtime   lag max ");
    assert_contains(r.out, awake ? " events later than 1 ms; CPUs kept awake\n" : " events later than 1 ms\n");
    assert_contains(r.out, "expect     1 passed, 0 failed\n");
    char *json_path = g_build_filename(out, "summary.json", NULL), *json = read_file(json_path);
    assert_contains(json, "\"realtime\": true,\n  \"lag_max_ns\": ");
    assert_contains(json, "\"lag_p99_ns\": ");
    assert_contains(json, "\"late_1ms_events\": ");
    assert_contains(json, awake ? "\"cpus_kept_awake\": true" : "\"cpus_kept_awake\": false");
    g_free(json), g_free(json_path), g_free(path);
    run_clear(&r);
  }
  remove_dir(out);
  remove_dir(dir);
  g_free(out), g_free(dir);
}
END_TEST

/* Past `realtime.lag-limit` (1 ns: no event can be that punctual) the run
 * stops with exit status 2 and says which event, how late, the limit. */
START_TEST(test_realtime_lag_limit_exit)
{
  char *dir = scratch_dir(), *path = realtime_yaml(dir, "10s", "realtime: { lag-limit: 1ns }\n");
  char *out = g_build_filename(dir, "out", NULL);
  gint64 start = g_get_monotonic_time();
  Run r = run_ipsim((const char *[]){"run", path, "--out", out, NULL});
  ck_assert_int_lt(g_get_monotonic_time() - start, 5 * G_USEC_PER_SEC);
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim run: real time lost: the event at 0s ran ");
  assert_contains(r.err, "ns late, beyond realtime.lag-limit (1ns); stopped there\n");
  assert_contains(r.out, "expect     not checked: the run stopped early\n");
  assert_contains(r.out, "realtime   lag max ");
  char *json_path = g_build_filename(out, "summary.json", NULL), *json = read_file(json_path);
  assert_contains(json, "\"realtime\": true");
  g_free(json), g_free(json_path);
  run_clear(&r);
  remove_dir(out);
  remove_dir(dir);
  g_free(path), g_free(out), g_free(dir);
}
END_TEST

/* Starts `ipsim run FILE --realtime --out DIR` with its standard output
 * and error in DIR.stdout and DIR.stderr; waits until the trace is open
 * (the run is about to start), then 200 ms more. */
static GPid start_realtime_run(const char *file, const char *out)
{
  const char *argv[] = {"/bin/sh",
                        "-c",
                        "exec \"$0\" run \"$1\" --realtime --out \"$2\" >\"$2.stdout\" 2>\"$2.stderr\"",
                        testlib_env("IPSIM"),
                        file,
                        out,
                        NULL};
  GPid pid;
  ck_assert(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL));
  char *trace = g_build_filename(out, "trace.txt", NULL);
  for (int i = 0; i < 1000 && !g_file_test(trace, G_FILE_TEST_EXISTS); i++)
    g_usleep(10000);
  ck_assert_msg(g_file_test(trace, G_FILE_TEST_EXISTS), "the run did not start");
  g_free(trace);
  g_usleep(200000);
  return pid;
}

/* Waits at most 5 s for `pid`; returns its wait status, and in *took the µs it took. */
static int wait_exit(GPid pid, gint64 *took)
{
  gint64 start = g_get_monotonic_time();
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    ck_assert_msg(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC, "ipsim did not stop");
    g_usleep(2000);
  }
  *took = g_get_monotonic_time() - start;
  return status;
}

/* SIGTERM (then SIGINT) to a real-time run of a 60 s scenario: it stops
 * within a second, exits 143 (130), says so in one line, and has written
 * its summary, summary.json and the trace up to there. */
START_TEST(test_realtime_signals)
{
  static const struct {
    int sig, status;
    const char *message;
  } cases[] = {{SIGTERM, 143, "ipsim run: terminated (SIGTERM) at "},
               {SIGINT, 130, "ipsim run: interrupted (SIGINT) at "}};
  char *dir = scratch_dir(), *path = realtime_yaml(dir, "60s", "");
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *out = g_build_filename(dir, "out", NULL);
    GPid pid = start_realtime_run(path, out);
    ck_assert_int_eq(kill(pid, cases[i].sig), 0);
    gint64 took = 0;
    int status = wait_exit(pid, &took);
    g_spawn_close_pid(pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == cases[i].status, "case %u: wait status %d", i, status);
    ck_assert_int_lt(took, G_USEC_PER_SEC);
    char *names[] = {g_strconcat(out, ".stdout", NULL), g_strconcat(out, ".stderr", NULL),
                     g_build_filename(out, "summary.json", NULL), g_build_filename(out, "trace.txt", NULL)};
    char *text[4];
    for (int k = 0; k < 4; k++)
      text[k] = read_file(names[k]);
    assert_contains(text[0], "realtime   lag max ");
    assert_contains(text[0], "probe: --- 10.0.0.2 ping statistics ---");
    assert_contains(text[1], cases[i].message);
    ck_assert_ptr_null(strchr(strchr(text[1], '\n') + 1, '\n')); /* one line */
    assert_contains(text[2], "\"realtime\": true");
    assert_contains(text[3], "ICMP echo reply");
    for (int k = 0; k < 4; k++) {
      g_unlink(names[k]);
      g_free(names[k]);
      g_free(text[k]);
    }
    remove_dir(out);
    g_free(out);
  }
  remove_dir(dir);
  g_free(path), g_free(dir);
}
END_TEST

/* A run not asked to be real-time never goes through the real-time loop:
 * no example gets an RtLoop but those with Linux hosts (emu-*.yaml, which
 * run in real time by nature); campus.yaml's 60 s of simulated time take
 * far less than 60 s of wall time (the loop would take 60 s), and neither
 * the summary nor summary.json mentions real time. */
START_TEST(test_simulated_time_is_not_real_time)
{
  const char *topologies = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(topologies, ".yaml");
  for (guint i = 0; i < names->len; i++) {
    char *path = g_build_filename(topologies, names->pdata[i], NULL);
    Scenario *sc = NULL;
    g_free(testlib_load_messages(path, &sc));
    ck_assert_msg(sc != NULL && !sc->realtime.on, "%s", path);
    Network *net = build_network(sc);
    ck_assert_msg((net->ctx.rt != NULL) == scenario_has_linux_hosts(sc), "%s: an RtLoop %s", path,
                  net->ctx.rt ? "without Linux hosts" : "missing for its Linux hosts");
    network_free(net);
    scenario_free(sc);
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
  char *dir = scratch_dir(), *out = g_build_filename(dir, "out", NULL), *campus = example("campus.yaml");
  gint64 start = g_get_monotonic_time();
  Run r = run_ipsim((const char *[]){"run", campus, "--out", out, NULL});
  ck_assert_int_lt(g_get_monotonic_time() - start, 30 * G_USEC_PER_SEC);
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "sim time   60s\n");
  ck_assert_ptr_null(strstr(r.out, "realtime"));
  char *json_path = g_build_filename(out, "summary.json", NULL), *json = read_file(json_path);
  ck_assert_ptr_null(strstr(json, "realtime"));
  ck_assert_ptr_null(strstr(json, "lag_"));
  g_free(json), g_free(json_path);
  run_clear(&r);
  remove_dir(out);
  remove_dir(dir);
  g_free(out), g_free(dir), g_free(campus);
}
END_TEST

START_TEST(test_draw)
{
  char *dir = scratch_dir(), *campus = example("campus.yaml");
  Run a = run_ipsim((const char *[]){"draw", campus, NULL});
  Run b = run_ipsim((const char *[]){"draw", campus, NULL});
  ck_assert_int_eq(a.status, 0);
  ck_assert_str_eq(a.out, b.out);
  assert_contains(a.out, "graph ");
  assert_contains(a.out, "\"dist-a\"");
  static const char *const formats[][2] = {{"svg", "<svg"}, {"png", "\x89PNG"}, {"pdf", "%PDF"}, {"dot", "graph"}};
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    char *name = g_strdup_printf("campus.%s", formats[i][0]);
    char *path = g_build_filename(dir, name, NULL);
    Run r = run_ipsim((const char *[]){"draw", campus, "-o", path, NULL});
    ck_assert_msg(r.status == 0, "%s: %s", name, r.err);
    char *data = read_file(path);
    ck_assert_msg(strstr(data, formats[i][1]) == data || strstr(data, formats[i][1]) != NULL, "%s", name);
    g_unlink(path);
    g_free(data), g_free(path), g_free(name);
    run_clear(&r);
  }
  char *txt = g_build_filename(dir, "campus.txt", NULL);
  Run r = run_ipsim((const char *[]){"draw", campus, "-o", txt, NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim draw: ");
  run_clear(&r);
  g_rmdir(dir);
  g_free(txt), g_free(dir), g_free(campus);
  run_clear(&a);
  run_clear(&b);
}
END_TEST

/* ipsim draw --at: the spanning tree of stp-loop.yaml at 40 s (converged)
 * and at 90 s (after the root's failure at 60 s and reconvergence); a time
 * after the stop or no time at all is refused with what is wrong. */
START_TEST(test_draw_at)
{
  char *loop = example("stp-loop.yaml");
  Run a = run_ipsim((const char *[]){"draw", loop, "--at", "40s", NULL});
  ck_assert_msg(a.status == 0, "%s", a.err);
  assert_contains(a.out, "STP root bridge");
  assert_contains(a.out, "alternate blocking");
  assert_contains(a.out, "style=dashed");
  Run b = run_ipsim((const char *[]){"draw", loop, "--at", "40s", NULL});
  ck_assert_str_eq(a.out, b.out);
  Run after = run_ipsim((const char *[]){"draw", loop, "--at", "90s", NULL});
  assert_contains(after.out, "STP, every port down"); /* s1, failed at 60 s */
  assert_contains(after.out, "disabled");
  Run plain = run_ipsim((const char *[]){"draw", loop, NULL});
  ck_assert_ptr_null(strstr(plain.out, "blocking"));
  Run late = run_ipsim((const char *[]){"draw", loop, "--at", "1000s", NULL});
  ck_assert_int_eq(late.status, 2);
  ck_assert_str_eq(late.err, "ipsim draw: --at 1000s is after the scenario's stop (100s)\n");
  Run bad = run_ipsim((const char *[]){"draw", loop, "--at", "soon", NULL});
  ck_assert_int_eq(bad.status, 2);
  assert_contains(bad.err, "ipsim draw: --at: expected a duration such as '10ms'");
  char *lc_all = g_strdup(g_getenv("LC_ALL"));
  g_setenv("LC_ALL", "C.UTF-8", TRUE); /* a UTF-8 option value reaches the parser, which knows µs */
  Run micro = run_ipsim((const char *[]){"draw", loop, "--at", "1\xc2\xb5s", NULL});
  if (lc_all)
    g_setenv("LC_ALL", lc_all, TRUE);
  else
    g_unsetenv("LC_ALL");
  g_free(lc_all);
  ck_assert_str_eq(micro.err, "ipsim draw: --at: unknown duration unit '\xc2\xb5s'; did you mean 'us'?\n");
  run_clear(&micro);
  run_clear(&a), run_clear(&b), run_clear(&after), run_clear(&plain), run_clear(&late), run_clear(&bad);
  g_free(loop);
}
END_TEST

static Suite *cli_suite(void)
{
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("commands");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_version_and_help);
  tcase_add_test(tc, test_usage_errors);
  tcase_add_test(tc, test_check_examples);
  tcase_add_test(tc, test_check_reports_errors_and_warnings);
  tcase_add_test(tc, test_check_files_in_order_and_unquoted_bounds);
  tcase_add_test(tc, test_hostile_small_files);
  tcase_add_test(tc, test_hostile_binary_junk);
  tcase_add_test(tc, test_hostile_deep_nesting);
  tcase_add_test(tc, test_hostile_alias_bomb);
  tcase_add_test(tc, test_hostile_huge_file);
  tcase_add_test(tc, test_hostile_not_files);
  tcase_add_test(tc, test_run_summary);
  tcase_add_test(tc, test_run_stop_before_a_check);
  tcase_add_test(tc, test_run_evidence_is_the_apps_own);
  tcase_add_test(tc, test_counts_of_one_are_singular);
  tcase_add_test(tc, test_ftp_rate_is_readable);
  tcase_add_test(tc, test_reach_both_ways);
  tcase_add_test(tc, test_unreach_takes_no_both);
  tcase_add_test(tc, test_check_warns_of_too_many_packets);
  tcase_add_test(tc, test_progress_text);
  tcase_add_test(tc, test_no_progress_off_a_terminal);
  tcase_add_test(tc, test_realtime_progress_on_a_terminal);
  tcase_add_test(tc, test_run_outputs_are_deterministic);
  tcase_add_test(tc, test_run_writes_expect_json);
  tcase_add_test(tc, test_draw);
  tcase_add_test(tc, test_draw_at);
  tcase_add_test(tc, test_trace_ids_follow_a_ping);
  tcase_add_test(tc, test_trace_command_filters);
  tcase_add_test(tc, test_trace_layer_flow_macs);
  tcase_add_test(tc, test_trace_flow_of_errors);
  tcase_add_test(tc, test_trace_flow_of_pings);
  tcase_add_test(tc, test_trace_window_keeps_tcp_relative);
  tcase_add_test(tc, test_trace_filters_in_the_scenario);
  tcase_add_test(tc, test_realtime_run);
  tcase_add_test(tc, test_realtime_lag_limit_exit);
  tcase_add_test(tc, test_realtime_signals);
  tcase_add_test(tc, test_simulated_time_is_not_real_time);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(cli_suite());
}
