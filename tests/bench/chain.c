/*
 * Router-chain benchmark: packet-hops per second as a user gets them.
 *
 * It writes a scenario file and runs it with `ipsim run`, so it measures the
 * whole program: loading, building, the run, and the outputs asked for.
 * The scenario: hostL - R1 - ... - RK - hostR on point-to-point links, all
 * 1 Gbps with 1 ms delay and a drop-tail queue of 100 packets, routes by
 * `routing: auto`; one UDP flow (udp-cbr) from hostL to hostR of 1000-byte
 * payloads every 80 us from t = 0 until t = 10 s (125 000 datagrams, TTL
 * 255 so that they cross 64 routers and more); the
 * run ends at 11 s. With --pcap every interface is captured (whole frames,
 * or the first BYTES of each with --snaplen).
 *
 * With --link ppp the links are PPP serial links (no ARP, as ns-3's
 * point-to-point devices), else Ethernet.
 *
 * Usage: chain [--routers K] [--link ethernet|ppp] [--pcap [--snaplen BYTES]] [--keep]
 * Prints one line: routers= link= pcap= packets_sent= packets_delivered= packet_hops= events=
 * events_per_hop= wall_s= packet_hops_per_s= peak_rss_mib=
 * packet_hops counts every frame that arrived at an interface (from
 * counters.json), ARP included. The ipsim binary is $IPSIM, else ./ipsim. Output goes to a temporary
 * directory, removed unless --keep.
 */
#define _GNU_SOURCE

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/bench/benchlib.h"

/* Writes the chain scenario with K routers to `path`. */
static void chain_write_scenario(const char *path, int k, const char *type, gboolean pcap, int snaplen)
{
  GString *y = g_string_new(NULL);
  g_string_append_printf(y,
                         "scenario: chain-bench\nseed: 1\nstop: 11s\nrouting: auto\n"
                         "defaults:\n  link: { rate: 1Gbps, delay: 1ms, queue: 100p, type: %s }\nnodes:\n"
                         "  hostL: { kind: host, ip: 10.255.0.10/24, gateway: 10.255.0.1 }\n"
                         "  hostR: { kind: host, ip: 10.255.1.10/24, gateway: 10.255.1.1 }\n",
                         type);
  for (int i = 1; i <= k; i++)
    g_string_append_printf(y, "  R%d: { kind: router }\n", i);
  g_string_append(y, "links:\n  - { ends: [hostL, R1], prefix: 10.255.0.0/24 }\n");
  for (int i = 1; i < k; i++)
    g_string_append_printf(y, "  - { ends: [R%d, R%d], prefix: 10.%d.%d.0/30 }\n", i, i + 1, i / 256, i % 256);
  g_string_append_printf(y, "  - { ends: [R%d, hostR], prefix: 10.255.1.0/24 }\n", k);
  g_string_append(y, "apps:\n"
                     "  - { name: flow, type: udp-cbr, on: hostL, to: \"hostR:9000\", size: 1000, interval: 80us, "
                     "start: 0s, stop: 10s, ttl: 255 }\n"
                     "  - { name: sink, type: udp-sink, on: hostR, port: 9000 }\n");
  if (pcap)
    g_string_append_printf(y, "output: { pcap: all, snaplen: %d }\n", snaplen);
  if (!g_file_set_contents(path, y->str, (gssize)y->len, NULL)) {
    fprintf(stderr, "chain: cannot write %s\n", path);
    exit(2);
  }
  g_string_free(y, TRUE);
}

/* The command line: chain's options. */
typedef struct {
  int k;
  gboolean pcap, keep;
  int snaplen;
  const char *link;
} ChainArgs;

/* Reads the options into `a`; returns FALSE (usage printed) when they are off. */
static gboolean chain_parse_args(int argc, char **argv, ChainArgs *a)
{
  *a = (ChainArgs){.k = 16, .snaplen = 65535, .link = "ethernet"};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--routers") == 0 && i + 1 < argc)
      a->k = atoi(argv[++i]);
    else if (strcmp(argv[i], "--link") == 0 && i + 1 < argc)
      a->link = argv[++i];
    else if (strcmp(argv[i], "--pcap") == 0)
      a->pcap = TRUE;
    else if (strcmp(argv[i], "--snaplen") == 0 && i + 1 < argc)
      a->snaplen = atoi(argv[++i]);
    else if (strcmp(argv[i], "--keep") == 0)
      a->keep = TRUE;
    else {
      fprintf(stderr, "usage: chain [--routers K] [--link ethernet|ppp] [--pcap [--snaplen BYTES]] [--keep]\n");
      return FALSE;
    }
  }
  if (strcmp(a->link, "ethernet") != 0 && strcmp(a->link, "ppp") != 0) {
    fprintf(stderr, "chain: --link is ethernet or ppp\n");
    return FALSE;
  }
  if (a->k < 1 || a->k > 60000) {
    fprintf(stderr, "chain: --routers must be 1..60000\n");
    return FALSE;
  }
  return TRUE;
}

int main(int argc, char **argv)
{
  ChainArgs args;
  if (!chain_parse_args(argc, argv, &args))
    return 2;
  int k = args.k, snaplen = args.snaplen;
  gboolean pcap = args.pcap, keep = args.keep;
  const char *link = args.link;
  const char *ipsim = g_getenv("IPSIM") ? g_getenv("IPSIM") : "./ipsim";
  char *dir = g_dir_make_tmp("ipsim-chain-XXXXXX", NULL);
  char *file = g_build_filename(dir, "chain.yaml", NULL), *out = g_build_filename(dir, "out", NULL);
  chain_write_scenario(file, k, link, pcap, snaplen);
  long rss_kib = 0;
  double wall = bench_run_ipsim("chain", ipsim, file, out, &rss_kib);
  uint64_t sent = bench_json_number(out, "flows.json", "tx_packets");
  uint64_t delivered = bench_json_number(out, "flows.json", "rx_packets");
  uint64_t events = bench_json_number(out, "summary.json", "events");
  /* Every frame that arrived at an interface is a packet-hop (ARP included);
   * counters.json lists each interface once and again in its node's total. */
  uint64_t hops = bench_json_number(out, "counters.json", "rx_packets") / 2;
  printf("routers=%d link=%s pcap=%s snaplen=%d packets_sent=%" G_GUINT64_FORMAT " packets_delivered=%" G_GUINT64_FORMAT
         " packet_hops=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT
         " events_per_hop=%.3f wall_s=%.3f packet_hops_per_s=%.0f peak_rss_mib=%.1f\n",
         k, link, pcap ? "all" : "none", pcap ? snaplen : 0, sent, delivered, hops, events,
         hops ? (double)events / (double)hops : 0.0, wall, (double)hops / wall, (double)rss_kib / 1024.0);
  if (keep)
    fprintf(stderr, "chain: kept %s\n", dir);
  else {
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "chain: could not remove %s\n", dir);
    g_free(cmd);
  }
  g_free(file);
  g_free(out);
  g_free(dir);
  return 0;
}
