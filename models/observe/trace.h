/*
 * The text trace: one line per packet event, with the time, node,
 * interface, what happened, and the headers layer by layer in a compact
 * tcpdump-like form, for example
 *
 *   2.000512000 r1 eth1 tx #7 IPv4 10.0.1.2 > 10.0.2.2 ttl 63 id 7 len 84 ICMP echo request id 1 seq 1
 *   1.000000000 h1 eth0 tx #2 ARP who-has 10.0.1.1 tell 10.0.1.10
 *   1.000512000 h1 eth0 tx #3 IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 2 len 60 DF TCP 49152 > 80 [S] seq 1000 win 65535
 *     options [mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7] len 0      (one line)
 *   1.021000000 h1 eth0 tx #9 IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 4 len 1500 DF TCP 49152 > 80 [.] seq 1:1449 ack 1
 *     win 502 len 1448                                                    (one line)
 *   3.000100000 r2 - drop #12 IPv4 10.0.1.2 > 10.0.9.9 ... reason no-route
 *   3.000100000 r2 eth0 send #13 (error about #12) IPv4 10.0.1.1 > 10.0.1.2 ... ICMP net unreachable
 *
 * The `#N` after the verb is the packet's id (sim/kernel/packet.h: kept by
 * copies and across hops), with how it was made from another packet when
 * it was (trace_format_id()).
 *
 * TCP sequence numbers are relative, as tcpdump shows them by default: a
 * SYN or SYN-ACK shows the absolute ISN, later segments of that
 * connection count from each direction's ISN (the first data byte is 1),
 * and so do TCP's `retransmit seq S` notes; a connection whose SYNs the
 * trace did not show stays absolute, and so does trace_format_packet()
 * (no state, as tcpdump -S).
 *
 * Time is seconds with nine decimals (exact nanoseconds). Verbs: enq, tx,
 * rx, send, fwd, deliver, drop, and `note` lines for state changes (link
 * down, route changes). Each event belongs to a layer, and the trace shows
 * the layers the scenario asked for.
 *
 * Filters (output.trace's nodes, ifaces, protos, packet, from, to, flow: Trace.filter)
 * are checked before a line is formatted; `macs` (tcpdump -e) puts the
 * source and destination MAC before the headers of a line decoded from
 * Ethernet, "02:00:00:00:00:01 > 02:00:00:00:00:06, IPv4 ...". With
 * trace_set_tags(), every line written gets a line in DIR/trace.tags,
 * what `ipsim trace` filters by layer, flow and shows with -e:
 *
 *   # ipsim trace.tags: a line per line of trace.txt: layer flows src-mac dst-mac proto src sport dst dport
 *   # flows: probe
 *   link probe 02:00:00:00:00:01 02:00:00:00:00:06 icmp 10.0.1.11 16384 10.0.2.13 16384
 *
 * Entry points: trace_new(), trace_add_flow(), trace_set_tags(),
 * trace_set_echo_id(); trace_wants() (the cheap test on the packet path);
 * trace_packet(), trace_note() (each names its layer); trace_format_id(),
 * trace_format_macs(); trace_format_packet() (also used for evidence in
 * expect failures); trace_layer_name(); trace_proto_known(),
 * trace_shows_proto() (the protocol filter, shared with ipsim trace);
 * trace_free().
 *
 * A trace may also call a hook with every packet event, before (or instead
 * of, when it has no output) writing its line: `ipsim explain` (sim/cli)
 * follows one packet that way. Normal runs have no hook.
 */
#ifndef IPSIM_TRACE_H
#define IPSIM_TRACE_H

#include <stdio.h>

#include "models/link/iface.h"
#include "models/observe/trace_flow.h"

/* The layers a trace may show, as bits of a mask; `trace: true` is all of them. */
typedef enum {
  TRACE_LINK = 1u << 0,      /* frames on interfaces and switches, ARP */
  TRACE_INTERNET = 1u << 1,  /* IPv4 send, forward, deliver, fragments, ICMP */
  TRACE_TRANSPORT = 1u << 2, /* UDP and TCP send and deliver, TCP notes */
  TRACE_APP = 1u << 3,       /* application lines (ping replies, ...) */
  TRACE_ROUTING = 1u << 4,   /* routing protocols' notes: neighbour transitions, route changes */
} TraceLayer;
#define TRACE_ALL 0x1Fu

typedef enum { TRACE_ENQ, TRACE_TX, TRACE_RX, TRACE_SEND, TRACE_FWD, TRACE_DELIVER, TRACE_DROP } TraceVerb;

/* Where the packet's bytes start: picks the first decoder (the switch in
 * trace_format_packet()). A new link type adds a value here, its decoder
 * file (see models/observe/trace_decode.h) and one case in that switch. */
typedef enum { TRACE_FROM_ETHERNET, TRACE_FROM_IPV4, TRACE_FROM_PPP } TraceFrom;

/* Which lines a run writes (output.trace's filters): all of them when
 * left as trace_new() sets it. A line passes when it passes every filter. */
typedef struct {
  char **nodes;    /* NULL-terminated, owned; NULL: any node */
  char **ifaces;   /* "node:iface", NULL-terminated, owned; NULL: any interface (lines on none: "node:-") */
  char **protos;   /* arp, ipv4, icmp, udp, tcp, rip, ospf, stp: lines whose headers show one; NULL-terminated, owned */
  uint64_t packet; /* the lines of this packet and of the packets made from it; 0: any */
  SimTime from, to; /* both included; -1: open */
  TraceFlow *flow;  /* owned; NULL: any line (with one, lines of no flow are left out) */
} TraceFilter;
/* Called by trace_packet() with each event, as it is traced (Trace.hook). */
typedef void (*TraceHook)(void *data, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                          const Packet *p, const char *reason);

typedef struct Trace {
  FILE *out; /* owned when own_out; NULL: no lines (a hook only) */
  gboolean own_out;
  guint layers;                  /* TRACE_* mask */
  GString *line;                 /* reused for every line written */
  struct TraceTcpSeqs *tcp_seqs; /* the ISNs of the SYNs shown (trace_tcp.c), owned */
  TraceFilter filter;            /* set by the builder before the run */
  gboolean macs;                 /* link-layer lines show the MAC addresses (tcpdump -e) */
  GPtrArray *flows;              /* of TraceFlow*, owned: the apps' flows, named in trace.tags */
  FILE *tags;                    /* DIR/trace.tags, owned; NULL: none */
  GString *tag;                  /* reused for every line of tags */
  GHashTable *frag_ports;        /* datagram id -> its ports (sport << 16 | dport), from its first fragment */
  TraceHook hook;                /* NULL: none */
  void *hook_data;
} Trace;

Trace *trace_new(FILE *out, gboolean own_out, guint layers);
void trace_add_flow(Trace *t, TraceFlow *flow);
void trace_set_tags(Trace *t, FILE *tags);
void trace_set_echo_id(Trace *t, const char *app, uint16_t id);
const char *trace_layer_name(TraceLayer layer);
gboolean trace_proto_known(const char *proto);
gboolean trace_shows_proto(const char *rest, char **protos);
void trace_free(Trace *t);

/* TRUE when `t` shows `layer`: test this before building anything to trace. */
static inline gboolean trace_wants(const Trace *t, TraceLayer layer)
{
  return t && (t->layers & layer);
}

void trace_packet(Trace *t, TraceLayer layer, SimTime now, const Node *node, const Iface *iface, TraceVerb verb,
                  TraceFrom from, const Packet *p, const char *reason);
void trace_note(Trace *t, TraceLayer layer, SimTime now, const Node *node, const Iface *iface, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

void trace_format_line(GString *out, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                       const uint8_t *data, size_t len, const char *reason);
void trace_format_packet(GString *out, TraceFrom from, const uint8_t *data, size_t len);
void trace_format_id(GString *out, const Packet *p);
void trace_format_macs(GString *out, const uint8_t *src, const uint8_t *dst);
const uint8_t *trace_packet_bytes(const Packet *p, TraceFrom from, size_t *len);
void trace_format_time(GString *out, SimTime t);
const char *trace_verb_name(TraceVerb verb);

#endif
