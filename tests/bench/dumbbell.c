/*
 * TCP dumbbell benchmark: N bulk TCP flows through one bottleneck, as a
 * user runs them.
 *
 * It writes a scenario file and runs it with `ipsim run`, so it measures the
 * whole program: loading, building, the run and its outputs. The scenario
 * (issue 4's benchmark, as ns-3's dumbbell examples): N left hosts — router
 * ra — 10 Mbps, 20 ms — router rb — N right hosts; access links 100 Mbps,
 * 1 ms; drop-tail queues of 100 packets everywhere; N TCP NewReno bulk
 * flows (MTU 1500 with timestamps: 1448-byte segments; 128 KiB send and
 * receive buffers) from left host i to right host i, flow i starting at
 * i × 10 ms (i = 1..N), everything stopping at 20 s.
 *
 * Goodput of flow i: the bytes its sink received in order (goodput_bytes
 * of the flow in flows.json) over the time it had, 20 s − i × 10 ms; the
 * total is the sum over the flows, min and max are over the flows. As the
 * flows' times differ, that sum may exceed what the bottleneck carried;
 * aggregate_mbps is all the flows' bytes over the time from the first
 * start to the stop (at most 9.564 Mbps: 1448 of every 1514 bytes).
 *
 * Usage: dumbbell [--flows N] [--keep]
 * Prints one line: flows= goodput_mbps= min_flow_mbps= max_flow_mbps=
 * jain= aggregate_mbps= events= wall_s= peak_rss_mib=
 * (jain is Jain's fairness index of the per-flow goodputs, 1 = equal
 * shares). The ipsim binary is $IPSIM, else ./ipsim. Output goes to a
 * temporary directory, removed unless --keep.
 */
#define _GNU_SOURCE

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/bench/benchlib.h"

#define DUMBBELL_STOP_S 20.0
#define DUMBBELL_MAX_FLOWS 16000

/* The address block of side `side` (1 left, 2 right) for flow i (1-based):
 * a /30 in 10.<side>.0.0/16, host end first. */
static void dumbbell_prefix(char *buf, size_t len, int side, int i)
{
  uint32_t base = (uint32_t)(i - 1) * 4;
  g_snprintf(buf, len, "10.%d.%u.%u/30", side, base / 256, base % 256);
}

/* Writes the dumbbell scenario with N flows to `path`. */
static void dumbbell_write_scenario(const char *path, int n)
{
  GString *y = g_string_new(NULL);
  g_string_append(y, "scenario: dumbbell-bench\nseed: 1\nstop: 20s\nrouting: auto\n"
                     "defaults:\n  link: { rate: 100Mbps, delay: 1ms, queue: 100p, mtu: 1500 }\n"
                     "  tcp: { sndbuf: 128KiB, rcvbuf: 128KiB, cc: newreno, timestamps: true }\n"
                     "nodes:\n  ra: { kind: router }\n  rb: { kind: router }\n");
  for (int i = 1; i <= n; i++)
    g_string_append_printf(y, "  l%d: { kind: host }\n  r%d: { kind: host }\n", i, i);
  g_string_append(y, "links:\n  - { ends: [ra, rb], prefix: 10.0.0.0/30, rate: 10Mbps, delay: 20ms }\n");
  for (int i = 1; i <= n; i++) {
    char left[32], right[32];
    dumbbell_prefix(left, sizeof left, 1, i);
    dumbbell_prefix(right, sizeof right, 2, i);
    g_string_append_printf(y, "  - { ends: [l%d, ra], prefix: %s }\n  - { ends: [r%d, rb], prefix: %s }\n", i, left, i,
                           right);
  }
  g_string_append(y, "apps:\n");
  for (int i = 1; i <= n; i++)
    g_string_append_printf(y,
                           "  - { name: f%d, type: bulk, on: l%d, to: \"r%d:5001\", start: %dms, report: 0s }\n"
                           "  - { name: s%d, type: bulk-sink, on: r%d, port: 5001, report: 0s }\n",
                           i, i, i, i * 10, i, i);
  if (!g_file_set_contents(path, y->str, (gssize)y->len, NULL)) {
    fprintf(stderr, "dumbbell: cannot write %s\n", path);
    exit(2);
  }
  g_string_free(y, TRUE);
}

/* Fills bytes[i] (1-based flow number) with the goodput bytes of each TCP
 * flow of flows.json whose source is left host i (10.1.x.y, port not 5001:
 * the data direction). Each flow is one JSON object starting at "src". */
static void dumbbell_flow_bytes(const char *dir, int n, uint64_t *bytes)
{
  char *path = g_build_filename(dir, "flows.json", NULL), *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL)) {
    fprintf(stderr, "dumbbell: cannot read %s\n", path);
    exit(2);
  }
  char **objects = g_strsplit(text, "\"src\": \"", -1);
  for (char **o = objects + 1; *o; o++) {
    unsigned a, b, c, d;
    const char *gp = strstr(*o, "\"goodput_bytes\": ");
    if (sscanf(*o, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a != 10 || b != 1 || !gp)
      continue;
    int i = (int)((c * 256 + d) / 4) + 1;
    if (i >= 1 && i <= n)
      bytes[i] += g_ascii_strtoull(gp + strlen("\"goodput_bytes\": "), NULL, 10);
  }
  g_strfreev(objects);
  g_free(text);
  g_free(path);
}

/* Prints the figures of the run: per-flow goodput over each flow's own
 * time (20 s − its start), their sum, extremes and Jain's index. */
static void dumbbell_print(int n, const uint64_t *bytes, uint64_t events, double wall, long rss_kib)
{
  double total = 0, min = 1e300, max = 0, sum_sq = 0, all_bytes = 0;
  for (int i = 1; i <= n; i++) {
    all_bytes += (double)bytes[i];
    double mbps = (double)bytes[i] * 8 / (DUMBBELL_STOP_S - i * 0.010) / 1e6;
    total += mbps;
    sum_sq += mbps * mbps;
    min = MIN(min, mbps);
    max = MAX(max, mbps);
  }
  double jain = sum_sq > 0 ? total * total / (n * sum_sq) : 0;
  double aggregate = all_bytes * 8 / (DUMBBELL_STOP_S - 0.010) / 1e6;
  printf("flows=%d goodput_mbps=%.3f min_flow_mbps=%.3f max_flow_mbps=%.3f jain=%.4f aggregate_mbps=%.3f "
         "events=%" G_GUINT64_FORMAT " wall_s=%.3f peak_rss_mib=%.1f\n",
         n, total, min, max, jain, aggregate, events, wall, (double)rss_kib / 1024.0);
}

int main(int argc, char **argv)
{
  int n = 10;
  gboolean keep = FALSE;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--flows") == 0 && i + 1 < argc)
      n = atoi(argv[++i]);
    else if (strcmp(argv[i], "--keep") == 0)
      keep = TRUE;
    else {
      fprintf(stderr, "usage: dumbbell [--flows N] [--keep]\n");
      return 2;
    }
  }
  if (n < 1 || n > DUMBBELL_MAX_FLOWS) {
    fprintf(stderr, "dumbbell: --flows must be 1..%d\n", DUMBBELL_MAX_FLOWS);
    return 2;
  }
  const char *ipsim = g_getenv("IPSIM") ? g_getenv("IPSIM") : "./ipsim";
  char *dir = g_dir_make_tmp("ipsim-dumbbell-XXXXXX", NULL);
  char *file = g_build_filename(dir, "dumbbell.yaml", NULL), *out = g_build_filename(dir, "out", NULL);
  dumbbell_write_scenario(file, n);
  long rss_kib = 0;
  double wall = bench_run_ipsim("dumbbell", ipsim, file, out, &rss_kib);
  uint64_t *bytes = g_new0(uint64_t, n + 1);
  dumbbell_flow_bytes(out, n, bytes);
  dumbbell_print(n, bytes, bench_json_number(out, "summary.json", "events"), wall, rss_kib);
  g_free(bytes);
  if (keep)
    fprintf(stderr, "dumbbell: kept %s\n", dir);
  else {
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "dumbbell: could not remove %s\n", dir);
    g_free(cmd);
  }
  g_free(file);
  g_free(out);
  g_free(dir);
  return 0;
}
