/*
 * Benchmarks of the routing protocols (run by hand): an N x N grid of
 * routers on point-to-point links (PPP, 1 Gbps, 1 ms, 100-packet drop-tail
 * queues), every router running the protocol with its default timers (RIP:
 * poison reverse; OSPF: hello 10 s, dead 40 s), host hA on r0_0 and hB on
 * the far corner with default routes, hA sending a 64-byte UDP echo to hB
 * every 100 ms from 0.1 s, the link r0_0 - r0_1 going down at 100 s, the
 * run ending at 300 s.
 *
 *   tests/bench/rip --grid N [--keep]      (BENCH_PROTOCOL "rip")
 *   tests/bench/ospf --grid N [--keep]     (BENCH_PROTOCOL "ospf")
 *
 * Writes the scenario to a temporary file, runs `ipsim run --out DIR FILE`
 * as a child ($IPSIM, or ./ipsim) with its output to DIR/stdout.txt, and
 * prints one line:
 *
 *   grid=N first_reply_s=… outage_s=… PROTO_packets=… events=… wall_s=… peak_rss_mib=…
 *
 * first_reply_s: when the first echo reply reached hA (the send time of
 * the first request answered plus its round trip); outage_s: the requests
 * in a row left unanswered around the failure, times the 100 ms interval
 * (0 when none was lost; "none" when no reply came after it); packets:
 * the protocol's packets sent by every router (summary.json); events: the
 * scheduler's events (summary.json). --keep leaves the files in place.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/text/addr.h"
#include "tests/bench/benchlib.h"

#ifndef BENCH_PROTOCOL
#define BENCH_PROTOCOL "rip"
#endif

#define BENCH_INTERVAL 0.1 /* seconds between echo requests */
#define BENCH_FAILURE 100.0
#define BENCH_STOP 300

/* Appends the links of the grid, numbered from 10.0.0.0 by /30, the
 * first one (r0_0 - r0_1) named `cut`. */
static void bench_links(GString *y, int n)
{
  uint32_t next = UINT32_C(10) << 24;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      for (int down = 0; down < 2; down++) {
        int i2 = i + down, j2 = j + !down;
        if (i2 >= n || j2 >= n)
          continue;
        char p[ADDR_IPV4_TEXT];
        g_string_append_printf(y, "  - { %sends: [r%d_%d, r%d_%d], prefix: %s/30 }\n",
                               i == 0 && j == 0 && !down ? "name: cut, " : "", i, j, i2, j2, addr_format_ipv4(next, p));
        next += 4;
      }
}

/* Returns the scenario as YAML (g_free). */
static char *bench_yaml(int n)
{
  GString *y = g_string_new(NULL);
  g_string_append_printf(y, "scenario: %s-grid-%d\nstop: %ds\nrouting: %s\n", BENCH_PROTOCOL, n, BENCH_STOP,
                         BENCH_PROTOCOL);
  g_string_append(y, "defaults:\n  link: { type: ppp, rate: 1Gbps, delay: 1ms, queue: 100p }\nnodes:\n");
  g_string_append(y, "  hA: { kind: host, ip: 10.255.0.10/24, gateway: 10.255.0.1, ttl: 255 }\n");
  g_string_append(y, "  hB: { kind: host, ip: 10.255.1.10/24, gateway: 10.255.1.1, ttl: 255 }\n");
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      g_string_append_printf(y, "  r%d_%d: { kind: router }\n", i, j);
  g_string_append(y, "links:\n  - { ends: [hA, r0_0], type: ethernet, prefix: 10.255.0.0/24 }\n");
  g_string_append_printf(y, "  - { ends: [hB, r%d_%d], type: ethernet, prefix: 10.255.1.0/24 }\n", n - 1, n - 1);
  bench_links(y, n);
  g_string_append(y, "apps:\n  - { name: echo, type: udp-echo, on: hA, to: hB, size: 64, interval: 100ms, "
                     "start: 100ms }\n  - { type: udp-echo-server, on: hB }\n");
  g_string_append_printf(y, "events:\n  - { at: %gs, link: cut, set: down }\n", BENCH_FAILURE);
  return g_string_free(y, FALSE);
}

typedef struct {
  double first_reply; /* seconds; < 0: none */
  int last_before;    /* the last request answered that was sent before the failure; -1: none */
  int first_after;    /* the first answered after the failure; -1: none */
} BenchReplies;

/* Reads the echo client's reply lines ("… seq=K time=T ms") from `path`. */
static BenchReplies bench_replies(const char *path)
{
  BenchReplies r = {-1, -1, -1};
  char *text = NULL;
  int fail_seq = (int)((BENCH_FAILURE - 0.1) / BENCH_INTERVAL + 0.5);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return r;
  for (const char *at = text; (at = strstr(at, " seq=")); at += 5) {
    int seq = atoi(at + 5);
    const char *t = strstr(at, "time=");
    double rtt_ms = t ? g_ascii_strtod(t + 5, NULL) : 0;
    if (r.first_reply < 0)
      r.first_reply = 0.1 + seq * BENCH_INTERVAL + rtt_ms / 1e3;
    if (seq < fail_seq)
      r.last_before = seq;
    else if (r.first_after < 0)
      r.first_after = seq;
  }
  g_free(text);
  return r;
}

/* Prints the figures line. */
static void bench_print(int n, const BenchReplies *r, const char *dir, double wall, long rss_kib)
{
  char outage[32] = "none";
  if (r->first_after >= 0)
    g_snprintf(outage, sizeof outage, "%.1f", (r->first_after - r->last_before - 1) * BENCH_INTERVAL);
  char first[32] = "none";
  if (r->first_reply >= 0)
    g_snprintf(first, sizeof first, "%.3f", r->first_reply);
  printf("grid=%d first_reply_s=%s outage_s=%s %s_packets=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT
         " wall_s=%.3f peak_rss_mib=%.1f\n",
         n, first, r->first_reply >= 0 ? outage : "none", BENCH_PROTOCOL,
         bench_json_number(dir, "summary.json", BENCH_PROTOCOL "_packets"),
         bench_json_number(dir, "summary.json", "events"), wall, rss_kib / 1024.0);
}

int main(int argc, char **argv)
{
  int n = 0;
  gboolean keep = FALSE;
  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--grid") && i + 1 < argc)
      n = atoi(argv[++i]);
    else if (g_str_equal(argv[i], "--keep"))
      keep = TRUE;
  }
  if (n < 2 || n > 200) {
    fprintf(stderr, "usage: %s --grid N [--keep]   (N from 2 to 200)\n", argv[0]);
    return 2;
  }
  const char *ipsim = g_getenv("IPSIM") ? g_getenv("IPSIM") : "./ipsim";
  char *dir = g_dir_make_tmp(BENCH_PROTOCOL "-grid-XXXXXX", NULL);
  char *file = g_build_filename(dir, "grid.yaml", NULL), *out = g_build_filename(dir, "stdout.txt", NULL);
  char *yaml = bench_yaml(n);
  long rss = 0;
  if (!dir || !g_file_set_contents(file, yaml, -1, NULL)) {
    fprintf(stderr, "%s: cannot write the scenario\n", argv[0]);
    return 2;
  }
  double wall = bench_run_ipsim_to(argv[0], ipsim, file, dir, out, &rss);
  BenchReplies r = bench_replies(out);
  bench_print(n, &r, dir, wall, rss);
  if (keep)
    fprintf(stderr, "kept %s\n", dir);
  else {
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", dir);
    g_free(cmd);
  }
  g_free(yaml);
  g_free(out);
  g_free(file);
  g_free(dir);
  return 0;
}
