/*
 * Switched LAN benchmark (issue 13): a two-tier campus LAN under a
 * spanning tree with VLANs, as a user runs it.
 *
 * It writes a scenario file and runs it with `ipsim run`, so it measures
 * the whole program: loading, building, the run and its outputs. The
 * network: a core switch (bridge priority 4096, the root) and A access
 * switches (10), each with two uplinks to the core (trunks carrying every
 * VLAN: the spanning tree blocks one of each pair) and H hosts (10), host
 * k of every access switch in VLAN 10 + k, on an edge port; a server per
 * VLAN on the core (10.k.0.250/24), on an edge port too. Hosts are on 100 Mbps links, uplinks
 * and servers on 1 Gbps, 10 us everywhere, queues of 100 frames. Each host
 * sends N (10 000) 1000-byte UDP datagrams at 8 Mbps to its VLAN's server,
 * from the moment the tree has converged (1 s with RSTP; 31 s with STP,
 * two forward delays), all hosts at once.
 *
 * ns-3 3.37's nearest equivalent (one learning bridge, 100 hosts, 990 099
 * packets, no STP or VLAN) takes 6.8 to 9.4 s on this kind of machine; the
 * goal is at least 15 times faster, under 0.45 s.
 *
 * Usage: lan [--stp rstp|stp] [--access A] [--hosts H] [--packets N] [--keep]
 * Prints one line: switches= hosts= vlans= stp= sent= delivered= events=
 * wall_s= peak_rss_mib= pkts_per_s= (pkts_per_s: datagrams delivered per
 * second of wall time). The ipsim binary is $IPSIM, else ./ipsim. Output
 * goes to a temporary directory, removed unless --keep.
 */
#define _GNU_SOURCE

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bench/benchlib.h"

typedef struct {
  const char *stp; /* rstp or stp */
  int access;      /* access switches */
  int hosts;       /* hosts per access switch, one per VLAN */
  int packets;     /* datagrams per host */
} LanConfig;

/* The core: trunks 0 .. 2A-1 (two per access switch), then a server port
 * per VLAN. */
static void lan_write_core(GString *y, const LanConfig *c)
{
  g_string_append_printf(
      y, "  core:\n    kind: switch\n    stp:\n      mode: %s\n      priority: 4096\n      interfaces:\n", c->stp);
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "        eth%d: { edge: true }\n", 2 * c->access + k);
  g_string_append(y, "    interfaces:\n");
  for (int i = 0; i < 2 * c->access; i++)
    g_string_append_printf(y, "      eth%d: { mode: trunk }\n", i);
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "      eth%d: { vlan: %d }\n", 2 * c->access + k, 10 + k);
}

/* Access switch `a`: host ports 0 .. H-1 (edge ports, VLAN 10 + k), then
 * its two uplinks. */
static void lan_write_access(GString *y, const LanConfig *c, int a)
{
  g_string_append_printf(y, "  a%d:\n    kind: switch\n    stp:\n      mode: %s\n      interfaces:\n", a, c->stp);
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "        eth%d: { edge: true }\n", k);
  g_string_append(y, "    interfaces:\n");
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "      eth%d: { vlan: %d }\n", k, 10 + k);
  g_string_append_printf(y, "      eth%d: { mode: trunk }\n      eth%d: { mode: trunk }\n", c->hosts, c->hosts + 1);
}

/* The links: uplinks, servers, hosts. */
static void lan_write_links(GString *y, const LanConfig *c)
{
  g_string_append(y, "links:\n");
  for (int a = 0; a < c->access; a++)
    for (int u = 0; u < 2; u++)
      g_string_append_printf(y, "  - { ends: [a%d:eth%d, core:eth%d], rate: 1Gbps }\n", a, c->hosts + u, 2 * a + u);
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "  - { ends: [srv%d, core:eth%d], rate: 1Gbps }\n", k, 2 * c->access + k);
  for (int a = 0; a < c->access; a++)
    for (int k = 0; k < c->hosts; k++)
      g_string_append_printf(y, "  - [h%d_%d, a%d:eth%d]\n", a, k, a, k);
}

/* The senders and the sinks. */
static void lan_write_apps(GString *y, const LanConfig *c, int start_s)
{
  double send_s = c->packets * 1000.0 * 8 / 8e6;
  g_string_append(y, "apps:\n");
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "  - { type: udp-sink, on: srv%d, port: 9000 }\n", k);
  for (int a = 0; a < c->access; a++)
    for (int k = 0; k < c->hosts; k++)
      g_string_append_printf(y,
                             "  - { name: c%d_%d, type: udp-cbr, on: h%d_%d, to: \"10.%d.0.250:9000\", rate: 8Mbps, "
                             "size: 1000, start: %ds, stop: %.3fs }\n",
                             a, k, a, k, k, start_s, start_s + send_s);
}

/* Writes the scenario to `path`. */
static void lan_write_scenario(const char *path, const LanConfig *c)
{
  int start_s = strcmp(c->stp, "stp") == 0 ? 31 : 1;
  GString *y = g_string_new(NULL);
  g_string_append_printf(y,
                         "scenario: lan-bench\nseed: 1\nstop: %ds\n"
                         "defaults:\n  link: { rate: 100Mbps, delay: 10us, queue: 100p }\nnodes:\n",
                         start_s + (int)(c->packets * 1000.0 * 8 / 8e6) + 1);
  lan_write_core(y, c);
  for (int a = 0; a < c->access; a++)
    lan_write_access(y, c, a);
  for (int k = 0; k < c->hosts; k++)
    g_string_append_printf(y, "  srv%d: { kind: host, ip: 10.%d.0.250/24 }\n", k, k);
  for (int a = 0; a < c->access; a++)
    for (int k = 0; k < c->hosts; k++)
      g_string_append_printf(y, "  h%d_%d: { kind: host, ip: 10.%d.0.%d/24 }\n", a, k, k, a + 1);
  lan_write_links(y, c);
  lan_write_apps(y, c, start_s);
  if (!g_file_set_contents(path, y->str, (gssize)y->len, NULL)) {
    fprintf(stderr, "lan: cannot write %s\n", path);
    exit(2);
  }
  g_string_free(y, TRUE);
}

/* Sums a counter over the flows of flows.json to port 9000 (the data). */
static uint64_t lan_flow_sum(const char *dir, const char *key)
{
  char *path = g_build_filename(dir, "flows.json", NULL), *text = NULL, *pat = g_strdup_printf("\"%s\": ", key);
  if (!g_file_get_contents(path, &text, NULL, NULL)) {
    fprintf(stderr, "lan: cannot read %s\n", path);
    exit(2);
  }
  uint64_t sum = 0;
  char **objects = g_strsplit(text, "\"src\": \"", -1);
  for (char **o = objects + 1; *o; o++) {
    const char *v = strstr(*o, pat);
    if (strstr(*o, "\"dport\": 9000,") && v)
      sum += g_ascii_strtoull(v + strlen(pat), NULL, 10);
  }
  g_strfreev(objects);
  g_free(pat);
  g_free(text);
  g_free(path);
  return sum;
}

/* Reads the options; exits with a usage line on a bad one. */
static void lan_options(int argc, char **argv, LanConfig *c, gboolean *keep)
{
  for (int i = 1; i < argc; i++) {
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--stp") == 0 && next && (strcmp(next, "rstp") == 0 || strcmp(next, "stp") == 0))
      c->stp = argv[++i];
    else if (strcmp(argv[i], "--access") == 0 && next)
      c->access = atoi(argv[++i]);
    else if (strcmp(argv[i], "--hosts") == 0 && next)
      c->hosts = atoi(argv[++i]);
    else if (strcmp(argv[i], "--packets") == 0 && next)
      c->packets = atoi(argv[++i]);
    else if (strcmp(argv[i], "--keep") == 0)
      *keep = TRUE;
    else
      c->access = 0;
  }
  if (c->access < 1 || c->access > 200 || c->hosts < 1 || c->hosts > 200 || c->packets < 1 || c->packets > 10000000) {
    fprintf(stderr, "usage: lan [--stp rstp|stp] [--access 1..200] [--hosts 1..200] [--packets N] [--keep]\n");
    exit(2);
  }
}

int main(int argc, char **argv)
{
  LanConfig c = {.stp = "rstp", .access = 10, .hosts = 10, .packets = 10000};
  gboolean keep = FALSE;
  lan_options(argc, argv, &c, &keep);
  const char *ipsim = g_getenv("IPSIM") ? g_getenv("IPSIM") : "./ipsim";
  char *dir = g_dir_make_tmp("ipsim-lan-XXXXXX", NULL);
  char *file = g_build_filename(dir, "lan.yaml", NULL), *out = g_build_filename(dir, "out", NULL);
  lan_write_scenario(file, &c);
  long rss_kib = 0;
  double wall = bench_run_ipsim("lan", ipsim, file, out, &rss_kib);
  uint64_t delivered = lan_flow_sum(out, "rx_packets");
  printf("switches=%d hosts=%d vlans=%d stp=%s sent=%" G_GUINT64_FORMAT " delivered=%" G_GUINT64_FORMAT
         " events=%" G_GUINT64_FORMAT " wall_s=%.3f peak_rss_mib=%.1f pkts_per_s=%.0f\n",
         c.access + 1, c.access * c.hosts, c.hosts, c.stp, lan_flow_sum(out, "tx_packets"), delivered,
         bench_json_number(out, "summary.json", "events"), wall, (double)rss_kib / 1024.0, (double)delivered / wall);
  if (keep)
    fprintf(stderr, "lan: kept %s\n", dir);
  else {
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "lan: could not remove %s\n", dir);
    g_free(cmd);
  }
  g_free(file);
  g_free(out);
  g_free(dir);
  return 0;
}
