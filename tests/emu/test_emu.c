/*
 * Emulation against the real Linux kernel: Linux hosts (network namespaces
 * with TAP devices) in simulated networks. Needs root and /dev/net/tun
 * (CI runs it as root); without them every case is skipped with the reason
 * printed (exit status 77, automake's SKIP).
 *
 * What is checked: a Linux ping across two simulated routers gets its
 * replies with the RTT the links imply; frames from Linux that the
 * simulated nodes cannot take are counted drops with their reasons;
 * nothing is left behind after a run, after SIGTERM (exit 143) or, once
 * `ipsim cleanup` has run, after SIGKILL; without root a run fails at
 * once with exit 2. Also HTTP, TCP and traceroute both ways, FRR's ospfd
 * against simulated OSPF routers, and iperf3's goodput against the
 * bottleneck and the Mathis formula.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/testlib.h"

/* The ping scenario: h1 - r1 - r2 - h2, one-way delays 5 + 10 + 5 ms at
 * 100 Mbps, so an echo of 98-byte frames takes 2 * (20 ms + 3 * 7.84 us)
 * = 40.047 ms. */
static const char ping_yaml[] = "scenario: emu-ping\n"
                                "stop: %s\n"
                                "routing: auto\n"
                                "nodes:\n"
                                "  h1:\n"
                                "    kind: linux\n"
                                "    ip: 10.0.1.10/24\n"
                                "    gateway: 10.0.1.1\n"
                                "    exec:\n"
                                "      - { at: 0.5s, name: ping, run: '%s' }\n"
                                "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 } }\n"
                                "  r2: { kind: router, ip: { eth0: 10.0.2.1/24, eth1: 10.0.12.2/30 } }\n"
                                "  h2: { kind: linux, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                                "links:\n"
                                "  - { ends: [h1, r1:eth0], delay: 5ms }\n"
                                "  - { ends: [r1:eth1, r2:eth1], delay: 10ms }\n"
                                "  - { ends: [r2:eth0, h2], delay: 5ms }\n"
                                "output: { dir: '%s' }\n";

static char *scratch(void)
{
  char *dir = g_dir_make_tmp("ipsim-emu-XXXXXX", NULL);
  ck_assert_ptr_nonnull(dir);
  return dir;
}

/* Removes a scratch directory and what the test left in it. */
static void scratch_done(char *dir)
{
  g_spawn_sync(NULL, (char *[]){"rm", "-rf", "--", dir, NULL}, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
               NULL);
  g_free(dir);
}

/* Writes the ping scenario into dir (outputs in dir/out) and returns its path. */
static char *write_ping(const char *dir, const char *stop, const char *cmd)
{
  char *out = g_build_filename(dir, "out", NULL), *path = g_build_filename(dir, "ping.yaml", NULL);
  char *yaml = g_strdup_printf(ping_yaml, stop, cmd, out);
  ck_assert(g_file_set_contents(path, yaml, -1, NULL));
  g_free(yaml);
  g_free(out);
  return path;
}

static char *read_out(const char *dir, const char *file)
{
  char *path = g_build_filename(dir, "out", file, NULL), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "no %s", path);
  g_free(path);
  return text;
}

/* The network namespaces of ipsim runs (ipsim-<pid>-...): of the run
 * `pid`, or (pid 0) of runs that are gone, which a run leaves behind only
 * if it failed to clean up (other runs, such as a parallel make check's,
 * may be alive meanwhile: theirs are not counted). */
static guint ipsim_namespaces_of(GPid pid)
{
  GDir *d = g_dir_open("/run/netns", 0, NULL);
  const char *name;
  guint n = 0;
  while (d && (name = g_dir_read_name(d))) {
    if (!g_str_has_prefix(name, "ipsim-"))
      continue;
    long owner = strtol(name + strlen("ipsim-"), NULL, 10);
    n += pid ? owner == pid : kill((pid_t)owner, 0) != 0;
  }
  if (d)
    g_dir_close(d);
  return n;
}

/* The Linux hosts' scratch directories of the run `pid` (ipsim-host-<pid>-*). */
static guint host_dirs_of(GPid pid)
{
  GDir *d = g_dir_open(g_get_tmp_dir(), 0, NULL);
  char *prefix = g_strdup_printf("ipsim-host-%d-", (int)pid);
  const char *name;
  guint n = 0;
  while (d && (name = g_dir_read_name(d)))
    n += g_str_has_prefix(name, prefix);
  if (d)
    g_dir_close(d);
  g_free(prefix);
  return n;
}

static guint ipsim_namespaces(void)
{
  return ipsim_namespaces_of(0);
}

/* Every RTT ping printed ("time=40.2 ms"), in ms. */
static GArray *ping_rtts(const char *text)
{
  GArray *rtts = g_array_new(FALSE, FALSE, sizeof(double));
  for (const char *p = strstr(text, "time="); p; p = strstr(p + 1, "time=")) {
    double ms = g_ascii_strtod(p + 5, NULL);
    g_array_append_val(rtts, ms);
  }
  return rtts;
}

/* Linux's ping across two simulated routers: every reply, each after the
 * 40.047 ms the links imply (the first also waits for three ARP
 * resolutions: 3 * 2 * 5.005..10.005 ms more). Tolerance: +1.5 ms, the
 * scheduling delay of TAP reads and of the kernel measured here (0.2-0.5 ms
 * on an idle machine), with room for a loaded one. */
START_TEST(test_linux_ping_across_two_routers)
{
  char *dir = scratch(), *path = write_ping(dir, "4s", "ping -c 5 -i 0.2 -W 1 10.0.2.10");
  char *out = NULL, *err = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", path, NULL}, &out, &err);
  ck_assert_msg(status == 0, "exit %d: %s", status, err);
  char *text = read_out(dir, "exec/ping.txt"), *csv = read_out(dir, "exec.csv");
  ck_assert_msg(strstr(text, "5 packets transmitted, 5 received"), "%s", text);
  ck_assert_msg(strstr(csv, "ping,0.500000000,exit 0,"), "%s", csv);
  GArray *rtts = ping_rtts(text);
  ck_assert_uint_eq(rtts->len, 5);
  for (guint i = 1; i < rtts->len; i++) {
    double ms = g_array_index(rtts, double, i);
    ck_assert_msg(ms >= 40.0 && ms <= 41.5, "reply %u after %.3f ms, expected 40.047 ms", i + 1, ms);
  }
  ck_assert_msg(strstr(out, "nodes      4 (0 hosts, 0 switches, 2 routers, 2 Linux hosts)"), "%s", out);
  ck_assert_msg(strstr(out, "realtime   lag max "), "%s", out);
  ck_assert_uint_eq(ipsim_namespaces(), 0);
  g_array_free(rtts, TRUE);
  g_free(text), g_free(csv), g_free(out), g_free(err), g_free(path);
  scratch_done(dir);
}
END_TEST

/* Frames from Linux that a router cannot take are dropped with their
 * reasons and counted (AF_PACKET from the namespace: an unknown
 * ethertype and a truncated IPv4 header, both to r1's MAC). */
START_TEST(test_bad_frames_from_linux_are_counted_drops)
{
  static const char script[] = "import socket\n"
                               "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
                               "s.bind(('eth0', 0))\n"
                               "mac = bytes.fromhex('020000000002020000000001')\n"
                               "s.send(mac + bytes.fromhex('88b5') + bytes(50))\n"
                               "s.send(mac + bytes.fromhex('0800') + bytes(46))\n";
  char *dir = scratch(), *py = g_build_filename(dir, "frames.py", NULL), *cmd = g_strdup_printf("python3 %s", py);
  ck_assert(g_file_set_contents(py, script, -1, NULL));
  char *path = write_ping(dir, "1.5s", cmd);
  g_free(cmd), g_free(py);
  char *out = NULL, *err = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", path, NULL}, &out, &err);
  ck_assert_msg(status == 0, "exit %d: %s", status, err);
  char *csv = read_out(dir, "exec.csv"), *counters = read_out(dir, "counters.json");
  ck_assert_msg(strstr(csv, "ping,0.500000000,exit 0,"), "the sender failed: %s", csv);
  ck_assert_msg(strstr(out, "unknown-ethertype"), "%s", out);
  ck_assert_msg(strstr(out, "bad-ip-header"), "%s", out);
  ck_assert_msg(strstr(counters, "\"unknown-ethertype\": 1"), "%s", counters);
  ck_assert_msg(strstr(counters, "\"bad-ip-header\": 1"), "%s", counters);
  g_free(csv), g_free(counters), g_free(out), g_free(err), g_free(path);
  scratch_done(dir);
}
END_TEST

/* Runs `yaml` (with "@OUT@" for dir/out and "@DIR@" for dir) from dir; returns the exit status, *out its output. */
static int run_yaml(const char *dir, const char *yaml, char **out)
{
  char *o = g_build_filename(dir, "out", NULL), *path = g_build_filename(dir, "scenario.yaml", NULL);
  GString *text = g_string_new(yaml);
  g_string_replace(text, "@OUT@", o, 0);
  g_string_replace(text, "@DIR@", dir, 0);
  ck_assert(g_file_set_contents(path, text->str, -1, NULL));
  char *err = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", path, NULL}, out, &err);
  if (status != 0)
    fprintf(stderr, "%s%s", *out, err);
  g_string_free(text, TRUE);
  g_free(err), g_free(path), g_free(o);
  return status;
}

/* HTTP both ways across two routers (a 10 Mbps middle link): Linux curl
 * fetches 100 000 bytes from ipsim's http-server, whose SHA-256 must be
 * that of the server's pattern (byte i is i % 251); ipsim's http client
 * fetches the same file from python3's http.server on a Linux host, and
 * checks every byte against the pattern (a line says how many differ). */
START_TEST(test_http_both_ways)
{
  static const char yaml[] =
      "stop: 6s\nrouting: auto\nnodes:\n"
      "  h1: { kind: linux, ip: 10.0.1.10/24, gateway: 10.0.1.1, exec: [{ at: 1s, name: curl, run: "
      "'curl -sS --max-time 4 http://10.0.2.20/bytes/100000 | sha256sum' }] }\n"
      "  h2: { kind: linux, ip: 10.0.2.10/24, gateway: 10.0.2.1, exec: [{ name: server, run: "
      "'cd @DIR@/www && exec python3 -m http.server 8000 --bind 10.0.2.10' }] }\n"
      "  web: { kind: host, ip: 10.0.2.20/24, gateway: 10.0.2.1 }\n"
      "  s2: { kind: switch }\n"
      "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 } }\n"
      "  r2: { kind: router, ip: { eth0: 10.0.2.1/24, eth1: 10.0.12.2/30 } }\n"
      "links:\n  - { ends: [h1, r1:eth0], delay: 2ms }\n  - { ends: [r1:eth1, r2:eth1], delay: 5ms, rate: 10Mbps }\n"
      "  - [r2:eth0, s2]\n  - [h2, s2]\n  - [web, s2]\n"
      "apps:\n  - { type: http-server, on: web }\n"
      "  - { name: fetch, type: http, on: web, to: '10.0.2.10:8000', sizes: [100000], start: 2s }\n"
      "expect:\n  - exec: { name: curl, status: 0, output: '^@SHA@  -$' }\n  - { app: fetch, finished: '<= 5s' }\n"
      "output: { dir: '@OUT@', pcap: all }\n";
  char *dir = scratch(), *www = g_build_filename(dir, "www", "bytes", NULL),
       *file = g_build_filename(www, "100000", NULL);
  guint8 *body = g_malloc(100000);
  for (guint i = 0; i < 100000; i++)
    body[i] = (guint8)(i % 251);
  g_mkdir_with_parents(www, 0755);
  ck_assert(g_file_set_contents(file, (const char *)body, 100000, NULL));
  char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, body, 100000), *out = NULL;
  GString *y = g_string_new(yaml);
  g_string_replace(y, "@SHA@", sha, 0);
  ck_assert_int_eq(run_yaml(dir, y->str, &out), 0);
  ck_assert_msg(strstr(out, "fetch: GET /bytes/100000: 200 OK, 100000 bytes in "), "%s", out);
  ck_assert_msg(!strstr(out, "not of the pattern"), "%s", out);
  ck_assert_msg(strstr(out, "expect     2 passed, 0 failed"), "%s", out);
  g_string_free(y, TRUE);
  g_free(body), g_free(sha), g_free(out), g_free(file), g_free(www);
  scratch_done(dir);
}
END_TEST

/* tshark's fields `fields` (-T fields -E separator=,) of the frames of
 * `pcap` that match `filter`, one line per frame. */
static char *tshark_fields(const char *pcap, const char *filter, const char *const *fields)
{
  GPtrArray *argv = g_ptr_array_new();
  const char *head[] = {"tshark", "-n", "-r", pcap, "-Y", filter, "-T", "fields", "-E", "separator=,"};
  for (guint i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, (gpointer)head[i]);
  for (const char *const *f = fields; *f; f++) {
    g_ptr_array_add(argv, (gpointer) "-e");
    g_ptr_array_add(argv, (gpointer)*f);
  }
  g_ptr_array_add(argv, NULL);
  char *out = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         &out, NULL, &status, NULL));
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed on %s", pcap);
  g_ptr_array_free(argv, TRUE);
  return out;
}

/* No malformed frame and no error-level expert information in `pcap`. */
static void assert_no_violation(const char *pcap)
{
  char *bad =
      tshark_fields(pcap, "_ws.malformed || _ws.expert.severity == error", (const char *[]){"frame.number", NULL});
  ck_assert_msg(!*bad, "%s: frames with protocol errors: %s", pcap, bad);
  g_free(bad);
}

/* The SYN to port `port` (or the SYN-ACK from it, `ack` TRUE) in `pcap`
 * carries MSS, window scale, SACK permitted and timestamps. */
static void assert_syn_options(const char *pcap, guint port, gboolean ack)
{
  char *filter = g_strdup_printf("tcp.flags.syn == 1 && tcp.flags.ack == %d && tcp.%s == %u", ack,
                                 ack ? "srcport" : "dstport", port);
  char *opts = tshark_fields(pcap, filter,
                             (const char *[]){"tcp.options.mss_val", "tcp.options.wscale.shift",
                                              "tcp.options.sack_perm", "tcp.options.timestamp.tsval", NULL});
  char **f = g_strsplit(g_strstrip(opts), ",", -1);
  ck_assert_msg(g_strv_length(f) == 4 && *f[0] && *f[1] && *f[2] && *f[3], "%s: %s from %u has options '%s'", pcap,
                ack ? "SYN-ACK" : "SYN", port, opts);
  g_strfreev(f);
  g_free(opts), g_free(filter);
}

/* The SHA-256 of n bytes of the bulk apps' pattern (byte i is i % 251). */
static char *pattern_sha(gsize n)
{
  GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
  guint8 block[251];
  for (guint i = 0; i < 251; i++)
    block[i] = (guint8)i;
  for (gsize done = 0; done < n; done += MIN(n - done, 251))
    g_checksum_update(c, block, (gssize)MIN(n - done, 251));
  char *sha = g_strdup(g_checksum_get_string(c));
  g_checksum_free(c);
  return sha;
}

/* TCP both ways across a path that loses 1% of the frames each way:
 * ipsim's bulk sends 2 MB to socat on a Linux host (SHA-256 of the
 * pattern), and a Linux sender (python3 writing the pattern into socat)
 * sends 2 MB to ipsim's bulk-sink, which checks every byte. tshark finds
 * no malformed frame and no protocol error on either host's capture, and
 * each SYN and SYN-ACK carries MSS, window scale, SACK permitted and
 * timestamps: each stack answers the other's options. */
START_TEST(test_tcp_both_ways_with_loss)
{
  static const char yaml[] =
      "stop: 12s\nrouting: auto\nnodes:\n"
      "  lx: { kind: linux, ip: 10.0.1.10/24, gateway: 10.0.1.1, exec: ["
      "{ name: sink, run: 'socat -u TCP-LISTEN:5001,reuseaddr STDOUT | sha256sum' }, "
      "{ at: 1s, name: send, run: 'python3 @DIR@/pattern.py 2000000 | socat -u STDIN TCP:10.0.2.20:5002' }] }\n"
      "  sim: { kind: host, ip: 10.0.2.20/24, gateway: 10.0.2.1 }\n"
      "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 } }\n"
      "  r2: { kind: router, ip: { eth0: 10.0.2.1/24, eth1: 10.0.12.2/30 } }\n"
      "links:\n  - { ends: [lx, r1:eth0], delay: 2ms }\n"
      "  - { ends: [r1:eth1, r2:eth1], delay: 5ms, rate: 20Mbps, loss: 1%, reorder: 2%, queue: 200p }\n"
      "  - { ends: [r2:eth0, sim], delay: 2ms }\n"
      "apps:\n  - { name: bulk, type: bulk, on: sim, to: '10.0.1.10:5001', bytes: 2000000, start: 1s, report: 0 }\n"
      "  - { name: sink, type: bulk-sink, on: sim, port: 5002, report: 0 }\n"
      "expect:\n  - exec: { name: sink, status: 0, output: '^@SHA@  -$' }\n  - exec: { name: send, status: 0 }\n"
      "  - { app: bulk, finished: '<= 11s' }\n"
      "output: { dir: '@OUT@', pcap: [lx, sim] }\n";
  static const char py[] = "import sys\nn = int(sys.argv[1])\nb = bytes(range(251)) * 64\n"
                           "while n > 0:\n    k = min(n, len(b))\n    sys.stdout.buffer.write(b[:k])\n    n -= k\n";
  char *dir = scratch(), *script = g_build_filename(dir, "pattern.py", NULL), *sha = pattern_sha(2000000), *out = NULL;
  ck_assert(g_file_set_contents(script, py, -1, NULL));
  GString *y = g_string_new(yaml);
  g_string_replace(y, "@SHA@", sha, 0);
  ck_assert_int_eq(run_yaml(dir, y->str, &out), 0);
  ck_assert_msg(strstr(out, "expect     3 passed, 0 failed"), "%s", out);
  ck_assert_msg(!strstr(out, "content error"), "%s", out);
  ck_assert_msg(strstr(out, "1.91 MBytes"), "the sink read less than 2000000 bytes: %s", out);
  char *lx = g_build_filename(dir, "out", "lx-eth0.pcap", NULL),
       *sim = g_build_filename(dir, "out", "sim-eth0.pcap", NULL);
  assert_no_violation(lx);
  assert_no_violation(sim);
  assert_syn_options(lx, 5002, FALSE);  /* Linux's SYN */
  assert_syn_options(sim, 5002, TRUE);  /* ipsim's answer */
  assert_syn_options(sim, 5001, FALSE); /* ipsim's SYN */
  assert_syn_options(lx, 5001, TRUE);   /* Linux's answer */
  g_string_free(y, TRUE);
  g_free(lx), g_free(sim), g_free(out), g_free(sha), g_free(script);
  scratch_done(dir);
}
END_TEST

/* Traceroute both ways: Linux's traceroute across two simulated routers
 * and a Linux router lists them and the destination; ipsim's traceroute
 * back across the Linux router (a namespace with forwarding on) and the
 * simulated routers lists them. `routing: auto` does not route through a
 * Linux host: the simulated routers have static routes to the subnet
 * behind it. */
START_TEST(test_traceroute_both_ways)
{
  static const char yaml[] =
      "stop: 8s\nrouting: auto\nnodes:\n"
      "  lx: { kind: linux, ip: 10.0.1.10/24, gateway: 10.0.1.1, exec: ["
      "{ at: 0.5s, name: tr, run: 'traceroute -n -q 1 -w 2 -m 5 10.0.3.10' }] }\n"
      "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 },"
      " routes: [{ to: 10.0.3.0/24, via: 10.0.12.2 }] }\n"
      "  r2: { kind: router, ip: { eth0: 10.0.2.1/24, eth1: 10.0.12.2/30 },"
      " routes: [{ to: 10.0.3.0/24, via: 10.0.2.2 }] }\n"
      "  lr: { kind: linux, ip: { eth0: 10.0.2.2/24, eth1: 10.0.3.1/24 }, gateway: 10.0.2.1, exec: ["
      "'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0'] }\n"
      "  h3: { kind: host, ip: 10.0.3.10/24, gateway: 10.0.3.1 }\n"
      "links:\n  - { ends: [lx, r1:eth0], delay: 1ms }\n  - { ends: [r1:eth1, r2:eth1], delay: 1ms }\n"
      "  - { ends: [r2:eth0, lr:eth0], delay: 1ms }\n  - { ends: [lr:eth1, h3], delay: 1ms }\n"
      "apps:\n  - { name: back, type: traceroute, on: h3, to: 10.0.1.10, start: 1s, ttl: 5 }\n"
      "expect:\n  - exec: { name: tr, status: 0, output: "
      "'(?s)1  10\\.0\\.1\\.1 .*\\n 2  10\\.0\\.12\\.2 .*\\n 3  10\\.0\\.2\\.2 .*\\n 4  10\\.0\\.3\\.10 ' }\n"
      "  - { app: back, hops: [lr, r2, r1, lx] }\n"
      "output: { dir: '@OUT@' }\n";
  char *dir = scratch(), *out = NULL;
  ck_assert_int_eq(run_yaml(dir, yaml, &out), 0);
  ck_assert_msg(strstr(out, "expect     2 passed, 0 failed"), "%s", out);
  g_free(out);
  scratch_done(dir);
}
END_TEST

/* The FRR files of a run in dir/frr: `conf` (frr.conf) and start.sh,
 * which starts zebra (in the background) and then `daemon` in the
 * foreground, as user frr, their sockets in dir/frr/run; the namespace's
 * loopback gets 10.9.9.1/32, which the daemon advertises. */
static void write_frr(const char *dir, const char *daemon, const char *conf)
{
  char *fd = g_build_filename(dir, "frr", NULL), *cf = g_build_filename(fd, "frr.conf", NULL);
  char *sh = g_build_filename(fd, "start.sh", NULL);
  char *script = g_strdup_printf("#!/bin/sh\nd=%s\nmkdir -p $d/run && chown frr:frr $d/run\n"
                                 "ip addr add 10.9.9.1/32 dev lo\n"
                                 "/usr/lib/frr/zebra -d -f /dev/null -i $d/run/zebra.pid -z $d/run/zserv.api "
                                 "--vty_socket $d/run || exit 1\n"
                                 "exec /usr/lib/frr/%s -f $d/frr.conf -i $d/run/%s.pid -z $d/run/zserv.api "
                                 "--vty_socket $d/run\n",
                                 fd, daemon, daemon);
  g_mkdir_with_parents(fd, 0755);
  g_chmod(dir, 0755);
  ck_assert(g_file_set_contents(cf, conf, -1, NULL));
  ck_assert(g_file_set_contents(sh, script, -1, NULL));
  g_chmod(cf, 0644);
  g_chmod(sh, 0755);
  g_free(script), g_free(sh), g_free(cf), g_free(fd);
}

/* A triangle: r1 (simulated, with h1's subnet 10.0.1.0/24) linked to FRR
 * (a Linux host, 10.9.9.1/32 on its loopback) and to r2 (simulated), FRR
 * linked to r2. At 10s the link r1 - FRR goes down (its TAP device loses
 * carrier). `proto` is routing's value, `iface` the simulated routers'
 * settings of their link to FRR, `checks` the expect items. */
static const char frr_yaml[] =
    "stop: %s\nrouting: %s\n%s\nnodes:\n"
    "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
    "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.13.1/24, eth2: 10.0.12.1/24 }, %s }\n"
    "  r2: { kind: router, ip: { eth1: 10.0.23.1/24, eth2: 10.0.12.2/24 }, %s }\n"
    "  fr:\n    kind: linux\n    ip: { eth0: 10.0.13.2/24, eth1: 10.0.23.2/24 }\n    exec:\n"
    "      - { name: frr, run: '@DIR@/frr/start.sh' }\n"
    "      - { at: %s, name: before, run: \"vtysh --vty_socket @DIR@/frr/run -c 'show ip route'\" }\n"
    "      - { at: %s, name: after, run: \"vtysh --vty_socket @DIR@/frr/run -c 'show ip route'\" }\n"
    "links:\n  - [h1, r1:eth0]\n  - [r1:eth1, fr:eth0]\n  - [r2:eth1, fr:eth1]\n"
    "  - { ends: [r1:eth2, r2:eth2], delay: 5ms }\n"
    "events:\n  - { at: %s, link: [r1:eth1, fr:eth0], set: down }\n"
    "expect:\n%s"
    "output: { dir: '@OUT@' }\n";

static gboolean have_frr(const char *daemon)
{
  char *vtysh = g_find_program_in_path("vtysh"), *path = g_build_filename("/usr/lib/frr", daemon, NULL);
  gboolean ok = vtysh && g_file_test(path, G_FILE_TEST_IS_EXECUTABLE);
  g_free(path), g_free(vtysh);
  if (ok)
    return TRUE;
  printf("skipped: FRR is not installed (apt-get install frr)\n");
  return FALSE;
}

/* FRR's ospfd peers with simulated OSPF routers (point-to-point, hello
 * 1 s, dead 4 s): by 12 s each side holds the other's networks with the
 * right costs and next hops (FRR's interfaces cost 10, a TAP device
 * reporting 10 Mbps; ipsim's 1), and after the link r1 - FRR fails at 13 s
 * both reroute through r2; r2's adjacency with FRR (named by its router
 * ID) is full at 12 s, r1's is down at 20 s. Why 12 s: a router LSA listing a new adjacency
 * waits for MinLSInterval (5 s) after the one before, and r2's adjacency
 * with FRR, full at about 6 s, goes into the LSA of about 10 s. */
START_TEST(test_frr_ospf)
{
  if (!have_frr("ospfd"))
    return;
  static const char conf[] = "frr defaults traditional\nhostname fr\nlog stdout informational\n"
                             "interface eth0\n ip ospf network point-to-point\n ip ospf hello-interval 1\n"
                             " ip ospf dead-interval 4\ninterface eth1\n ip ospf network point-to-point\n"
                             " ip ospf hello-interval 1\n ip ospf dead-interval 4\n"
                             "router ospf\n ospf router-id 9.9.9.9\n network 10.0.0.0/8 area 0\n";
  static const char checks[] =
      "  - { at: 12s, route: { node: r1, to: 10.9.9.1/32, via: fr, protocol: ospf, metric: 1 } }\n"
      "  - { at: 12s, route: { node: r2, to: 10.9.9.1/32, via: fr, protocol: ospf, metric: 1 } }\n"
      "  - { at: 20s, route: { node: r1, to: 10.9.9.1/32, via: r2, protocol: ospf, metric: 2 } }\n"
      "  - { at: 12s, adjacency: { node: r2, neighbor: 9.9.9.9, state: full } }\n"
      "  - { at: 20s, adjacency: { node: r1, neighbor: 9.9.9.9, state: down } }\n"
      "  - exec: { name: before, output: 'O>\\* 10\\.0\\.1\\.0/24 \\[110/11\\] via 10\\.0\\.13\\.1, eth0' }\n"
      "  - exec: { name: after, output: 'O>\\* 10\\.0\\.1\\.0/24 \\[110/12\\] via 10\\.0\\.23\\.1, eth1' }\n";
  const char *p2p = "ospf: { interfaces: { eth1: { type: point-to-point } } }";
  char *dir = scratch(), *out = NULL;
  char *yaml =
      g_strdup_printf(frr_yaml, "21s", "ospf", "ospf: { hello: 1s, dead: 4s }", p2p, p2p, "12s", "20s", "13s", checks);
  write_frr(dir, "ospfd", conf);
  ck_assert_int_eq(run_yaml(dir, yaml, &out), 0);
  ck_assert_msg(strstr(out, "expect     7 passed, 0 failed"), "%s", out);
  g_free(yaml), g_free(out);
  scratch_done(dir);
}
END_TEST

/* FRR's ripd (RIPv2, updates every 5 s) peers with simulated RIP routers
 * (the same timers): by 8 s each side holds the other's networks with the
 * right metrics and next hops (FRR's loopback /32 at 2 hops from r1, h1's
 * subnet at 2 from FRR); after the link r1 - FRR fails at 9 s, both
 * reroute through r2 (one more hop) by 20 s: FRR drops the routes of its
 * dead interface at once and believes r2's next update; r1 takes r2's
 * offer once its own route is gone. */
START_TEST(test_frr_rip)
{
  if (!have_frr("ripd"))
    return;
  static const char conf[] = "frr defaults traditional\nhostname fr\nlog stdout informational\n"
                             "router rip\n version 2\n timers basic 5 30 20\n network 10.0.0.0/8\n"
                             " redistribute connected\n";
  static const char checks[] =
      "  - { at: 8s, route: { node: r1, to: 10.9.9.1/32, via: fr, protocol: rip, metric: 2 } }\n"
      "  - { at: 8s, route: { node: r2, to: 10.9.9.1/32, via: fr, protocol: rip, metric: 2 } }\n"
      "  - { at: 20s, route: { node: r1, to: 10.9.9.1/32, via: r2, protocol: rip, metric: 3 } }\n"
      "  - exec: { name: before, output: 'R>\\* 10\\.0\\.1\\.0/24 \\[120/2\\] via 10\\.0\\.13\\.1, eth0' }\n"
      "  - exec: { name: after, output: 'R>\\* 10\\.0\\.1\\.0/24 \\[120/3\\] via 10\\.0\\.23\\.1, eth1' }\n";
  char *dir = scratch(), *out = NULL;
  char *yaml = g_strdup_printf(frr_yaml, "21s", "rip", "rip: { update: 5s, timeout: 30s, garbage: 20s }", "", "", "8s",
                               "20s", "9s", checks);
  write_frr(dir, "ripd", conf);
  ck_assert_int_eq(run_yaml(dir, yaml, &out), 0);
  ck_assert_msg(strstr(out, "expect     5 passed, 0 failed"), "%s", out);
  g_free(yaml), g_free(out);
  scratch_done(dir);
}
END_TEST

/* Runs `cmd` (a shell line) and fails the test unless it exits 0; returns its output. */
static char *sh_ok(const char *cmd)
{
  char *out = NULL, *err = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char *[]){"sh", "-c", (char *)cmd, NULL}, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                         &err, &status, NULL));
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "'%s' failed: %s", cmd, err);
  g_free(err);
  return out;
}

/* The user's side of the TAP-wire test, made by the test in namespaces of
 * its own: in `a` (where ipsim runs), a persistent TAP device tp0 with
 * 10.0.1.10/24, and a bridge br0 with one end of a veth pair, whose other
 * end is 10.0.3.10/24 in `b`; both route 10.0.2.0/24 through r1. */
static const char tap_setup[] =
    "set -e; ip netns add %1$s; ip netns add %2$s; ip -n %1$s link set lo up; ip -n %2$s link set lo up\n"
    "ip -n %1$s tuntap add tp0 mode tap; ip -n %1$s addr add 10.0.1.10/24 dev tp0; ip -n %1$s link set tp0 up\n"
    "ip -n %1$s route add 10.0.2.0/24 via 10.0.1.1\n"
    "ip -n %1$s link add br0 type bridge; ip -n %1$s link set br0 up\n"
    "ip -n %1$s link add vA type veth peer name vB netns %2$s; ip -n %1$s link set vA master br0 up\n"
    "ip -n %2$s addr add 10.0.3.10/24 dev vB; ip -n %2$s link set vB up; ip -n %2$s route add 10.0.2.0/24 via "
    "10.0.3.1\n";

/* TAP wires: r1's eth0 is wired to the user's TAP device tp0, its eth2 to
 * the user's bridge br0; h2 (simulated) pings the Linux side of each. */
static const char tap_yaml[] = "stop: 4s\nrouting: auto\nnodes:\n"
                               "  r1:\n    kind: router\n    interfaces:\n"
                               "      eth0: { ip: 10.0.1.1/24, tap: %s }\n"
                               "      eth1: { ip: 10.0.2.1/24 }\n"
                               "      eth2: { ip: 10.0.3.1/24, tap: br0 }\n"
                               "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                               "links:\n  - [r1:eth1, h2]\n"
                               "apps:\n  - { name: tp, type: ping, on: h2, to: 10.0.1.10, start: 1s, count: 3 }\n"
                               "  - { name: br, type: ping, on: h2, to: 10.0.3.10, start: 1s, count: 3 }\n"
                               "expect:\n  - { app: tp, loss: 0%% }\n  - { app: br, loss: 0%% }\n"
                               "output: { dir: '@OUT@', pcap: [r1] }\n";

/* Runs the TAP-wire scenario (eth0's device `dev`) in namespace `ns`; returns the exit status. */
static int run_tap(const char *dir, const char *ns, const char *dev, char **out, char **err)
{
  char *o = g_build_filename(dir, "out", NULL), *path = g_build_filename(dir, "tap.yaml", NULL);
  GString *text = g_string_new(NULL);
  g_string_printf(text, tap_yaml, dev);
  g_string_replace(text, "@OUT@", o, 0);
  ck_assert(g_file_set_contents(path, text->str, -1, NULL));
  int status = -1;
  const char *argv[] = {"ip", "netns", "exec", ns, testlib_env("IPSIM"), "run", path, NULL};
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status, NULL));
  g_string_free(text, TRUE);
  g_free(path), g_free(o);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `tap: NAME` wires a simulated interface to an existing TAP device and to
 * an existing bridge (ns-3's UseBridge): the kernels behind them answer
 * the simulated host's pings, r1's capture of the TAP wire holds the
 * replies, and after the run the user's TAP device and bridge are still
 * there, with nothing of ipsim's left on the bridge. A device that does
 * not exist is an error naming it, exit 2. */
START_TEST(test_tap_wires)
{
  char *a = g_strdup_printf("ipsimtw-%d-a", (int)getpid()), *b = g_strdup_printf("ipsimtw-%d-b", (int)getpid());
  char *setup = g_strdup_printf(tap_setup, a, b), *dir = scratch(), *out = NULL, *err = NULL;
  g_free(sh_ok(setup));
  ck_assert_int_eq(run_tap(dir, a, "tp0", &out, &err), 0);
  ck_assert_msg(strstr(out, "expect     2 passed, 0 failed"), "%s%s", out, err);
  char *pcap = g_build_filename(dir, "out", "r1-eth0.pcap", NULL);
  char *replies = tshark_fields(pcap, "icmp.type == 0 && ip.src == 10.0.1.10", (const char *const[]){"icmp.seq", NULL});
  ck_assert_str_eq(replies, "1\n2\n3\n");
  char *check = g_strdup_printf("ip -n %1$s -o link show tp0 && ip -n %1$s -o link show master br0", a);
  char *links = sh_ok(check);
  ck_assert_msg(strstr(links, "tp0:") && strstr(links, "vA@") && !strstr(links, "ipt"), "%s", links);
  g_free(out), g_free(err);
  ck_assert_int_eq(run_tap(dir, a, "nosuch", &out, &err), 2);
  ck_assert_msg(strstr(err, "r1:eth0: tap: there is no network device 'nosuch'"), "%s", err);
  char *del = g_strdup_printf("ip netns del %s; ip netns del %s", a, b);
  g_free(sh_ok(del));
  g_free(del), g_free(links), g_free(check), g_free(replies), g_free(pcap), g_free(out), g_free(err);
  g_free(setup), g_free(b), g_free(a);
  scratch_done(dir);
}
END_TEST

/* iperf3 between two Linux hosts across a 100 Mbps, 20 ms bottleneck:
 * `opts` are the client's, `loss` the bottleneck's; returns the
 * receiver's goodput in Mbit/s (iperf3 -J) and *retransmits the sender's. */
static double iperf_goodput(const char *opts, const char *loss, guint stop_s, int64_t *retransmits)
{
  static const char yaml[] =
      "stop: %us\nrouting: auto\nnodes:\n"
      "  c: { kind: linux, ip: 10.0.1.10/24, gateway: 10.0.1.1, exec: [{ at: 1s, name: iperf, run: 'iperf3 -c "
      "10.0.2.10 -J %s' }] }\n"
      "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 } }\n"
      "  r2: { kind: router, ip: { eth0: 10.0.2.1/24, eth1: 10.0.12.2/30 } }\n"
      "  s: { kind: linux, ip: 10.0.2.10/24, gateway: 10.0.2.1, exec: [{ name: srv, run: 'iperf3 -s -1' }] }\n"
      "links:\n  - { ends: [c, r1:eth0], rate: 1Gbps, delay: 100us }\n"
      "  - { ends: [r1:eth1, r2:eth1], rate: 100Mbps, delay: 20ms, queue: 500p, loss: %s }\n"
      "  - { ends: [r2:eth0, s], rate: 1Gbps, delay: 100us }\n"
      "expect:\n  - exec: { name: iperf, status: 0 }\n"
      "output: { dir: '@OUT@' }\n";
  char *dir = scratch(), *y = g_strdup_printf(yaml, stop_s, opts, loss), *out = NULL;
  ck_assert_int_eq(run_yaml(dir, y, &out), 0);
  char *json = read_out(dir, "exec/iperf.txt");
  const char *rx = strstr(json, "\"sum_received\"");
  ck_assert_msg(rx, "%s", json);
  const char *bps = strstr(rx, "\"bits_per_second\":");
  const char *re = strstr(json, "\"retransmits\":");
  ck_assert(bps && re);
  *retransmits = g_ascii_strtoll(re + strlen("\"retransmits\":"), NULL, 10);
  double mbps = g_ascii_strtod(bps + strlen("\"bits_per_second\":"), NULL) / 1e6;
  g_free(json), g_free(y), g_free(out);
  scratch_done(dir);
  return mbps;
}

/* Without loss, after 3 s of slow start left out (-O 3), iperf3's goodput
 * is within 5% of what the bottleneck allows: 100 Mbps x 1448 / 1514 (the
 * payload of each frame) = 95.6 Mbit/s. With 1% loss and Reno, within
 * 25% of Mathis et al.'s MSS / RTT x sqrt(3/2) / sqrt(p) = 1448 B / 40.5 ms
 * x 12.25 = 3.50 Mbit/s (measured here: 2.9). */
START_TEST(test_iperf3_goodput_and_mathis)
{
  int64_t retr = 0;
  double full = iperf_goodput("-t 10 -O 3", "0%", 17, &retr);
  ck_assert_msg(full >= 0.95 * 95.6 && full <= 95.6, "goodput %.2f Mbit/s, expected 95.6 within 5%%", full);
  double rtt = 2 * (20e-3 + 2 * 100e-6) + 1514 * 8 / 100e6, mathis = 1448 * 8 / rtt * sqrt(1.5) / sqrt(0.01) / 1e6;
  double lossy = iperf_goodput("-C reno -t 20 -O 5", "1%", 29, &retr);
  ck_assert_msg(lossy >= 0.75 * mathis && lossy <= 1.25 * mathis, "goodput %.2f Mbit/s, Mathis %.2f", lossy, mathis);
  ck_assert_int_gt(retr, 0);
}
END_TEST

/* Starts `ipsim run path` in the background; returns its pid once its namespaces exist. */
static GPid start_run(const char *path)
{
  const char *argv[] = {testlib_env("IPSIM"), "run", "--quiet", path, NULL};
  GPid pid = 0;
  ck_assert(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                          &pid, NULL));
  for (int i = 0; i < 500 && ipsim_namespaces_of(pid) < 2; i++)
    g_usleep(10000);
  ck_assert_uint_eq(ipsim_namespaces_of(pid), 2);
  g_usleep(200000); /* its commands started */
  return pid;
}

static int wait_exit(GPid pid)
{
  int status = 0;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  return status;
}

/* SIGTERM: the run stops at once, exits 143, and removes everything. */
START_TEST(test_sigterm_removes_everything)
{
  char *dir = scratch(), *path = write_ping(dir, "60s", "sleep 50");
  GPid pid = start_run(path);
  gint64 t0 = g_get_monotonic_time();
  kill(pid, SIGTERM);
  int status = wait_exit(pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 143, "status %d", status);
  ck_assert_msg(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC, "took %.1f s",
                (double)(g_get_monotonic_time() - t0) / 1e6);
  ck_assert_uint_eq(ipsim_namespaces_of(pid), 0);
  g_free(path);
  scratch_done(dir);
}
END_TEST

/* SIGKILL leaves the namespaces (and the command in one) behind; `ipsim
 * cleanup` removes them, and a second cleanup finds nothing. */
START_TEST(test_cleanup_after_sigkill)
{
  char *dir = scratch(), *path = write_ping(dir, "60s", "sleep 50");
  GPid pid = start_run(path);
  kill(pid, SIGKILL);
  wait_exit(pid);
  ck_assert_uint_eq(ipsim_namespaces_of(pid), 2);
  ck_assert_uint_eq(host_dirs_of(pid), 2);
  char *out = NULL, *err = NULL, *line = g_strdup_printf("removed network namespace ipsim-%d-", (int)pid);
  ck_assert_int_eq(testlib_run_ipsim((const char *[]){"cleanup", NULL}, &out, &err), 0);
  ck_assert_msg(strstr(out, line) && strstr(out, " network namespaces removed\n"), "%s", out);
  ck_assert_uint_eq(ipsim_namespaces_of(pid), 0);
  ck_assert_uint_eq(host_dirs_of(pid), 0); /* the hosts' scratch directories went too */
  g_free(line);
  g_free(out), g_free(err);
  ck_assert_int_eq(testlib_run_ipsim((const char *[]){"cleanup", NULL}, &out, &err), 0);
  ck_assert_str_eq(out, "0 network namespaces removed\n");
  g_free(out), g_free(err), g_free(path);
  scratch_done(dir);
}
END_TEST

/* Without root, a scenario with Linux hosts fails at once with exit 2 and says why. */
START_TEST(test_without_root_exit_2)
{
  char *dir = scratch(), *path = write_ping(dir, "4s", "true");
  g_chmod(dir, 0755);
  const char *argv[] = {
      "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", testlib_env("IPSIM"), "run", path, NULL};
  char *out = NULL, *err = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d: %s", status, err);
  ck_assert_msg(strstr(err, "Linux hosts need root"), "%s", err);
  ck_assert_uint_eq(ipsim_namespaces(), 0);
  g_free(out), g_free(err), g_free(path);
  scratch_done(dir);
}
END_TEST

static Suite *emu_suite(void)
{
  Suite *s = suite_create("emu");
  TCase *tc = tcase_create("linux");
  tcase_add_test(tc, test_linux_ping_across_two_routers);
  tcase_add_test(tc, test_bad_frames_from_linux_are_counted_drops);
  tcase_add_test(tc, test_http_both_ways);
  tcase_add_test(tc, test_tcp_both_ways_with_loss);
  tcase_add_test(tc, test_traceroute_both_ways);
  tcase_add_test(tc, test_tap_wires);
  tcase_add_test(tc, test_iperf3_goodput_and_mathis);
  tcase_add_test(tc, test_sigterm_removes_everything);
  tcase_add_test(tc, test_cleanup_after_sigkill);
  tcase_add_test(tc, test_without_root_exit_2);
  suite_add_tcase(s, tc);
  TCase *frr = tcase_create("frr");
  tcase_add_test(frr, test_frr_ospf);
  tcase_add_test(frr, test_frr_rip);
  suite_add_tcase(s, frr);
  return s;
}

int main(void)
{
  if (geteuid() != 0 || g_access("/dev/net/tun", R_OK | W_OK) != 0) {
    printf("test_emu: skipped: Linux hosts need root and /dev/net/tun\n");
    return 77;
  }
  return testlib_run_suite(emu_suite());
}
