/*
 * The trace's flows and the keys of its lines (models/observe/trace.c,
 * ipsim trace): a line's key is what its headers say about flows, the
 * MAC addresses of an Ethernet frame and the protocol, addresses and
 * ports of the IPv4 datagram it carries (for an ICMP error, of the
 * datagram the error quotes, so that the error goes with its flow). A
 * flow is an application's (its name; built by sim/build from `apps:`)
 * or a 5-tuple given by the user, "udp 10.0.1.10:5000 > 10.0.2.10:9";
 * either matches its packets in both directions.
 *
 * Entry points: trace_key_of(); trace_flow_match(); trace_flow_parse(),
 * trace_flow_new(), trace_flow_free(); trace_key_format() and
 * trace_key_parse() (the key's fields in DIR/trace.tags).
 */
#ifndef IPSIM_TRACE_FLOW_H
#define IPSIM_TRACE_FLOW_H

#include <glib.h>
#include <stdint.h>

/* What a line's headers say about flows. */
typedef struct {
  gboolean eth; /* smac, dmac hold an Ethernet frame's addresses */
  uint8_t smac[6], dmac[6];
  gboolean ip;       /* the fields below hold an IPv4 datagram's */
  uint8_t proto;     /* IP protocol number */
  uint32_t src, dst; /* host byte order */
  gboolean ports;    /* sport and dport are known (UDP, TCP, not a later fragment) */
  uint16_t sport, dport;
} TraceKey;

/* A flow: `proto` between one of `addrs` (none: any address) and `peer`
 * (0: any), in either direction, with `port` on the addrs side and
 * `peer_port` on the peer's (0: any). */
typedef struct {
  char *name; /* an app's name; NULL for a 5-tuple */
  uint8_t proto;
  GArray *addrs; /* of uint32_t */
  uint32_t peer;
  uint16_t port, peer_port;
  gboolean waiting; /* an ICMP app that has not taken its echo identifier yet: matches nothing */
} TraceFlow;

/* Reads the key of a packet's bytes, starting at Ethernet (`ether`) or at
 * IPv4 (`ether` FALSE; PPP callers pass the bytes after the PPP header). */
void trace_key_of(TraceKey *k, gboolean ether, const uint8_t *d, size_t len);
gboolean trace_flow_match(const TraceFlow *f, const TraceKey *k);

TraceFlow *trace_flow_new(const char *name, uint8_t proto, uint32_t peer);
gboolean trace_flow_parse(const char *text, TraceFlow **out, GError **error);
void trace_flow_free(TraceFlow *f);

void trace_key_format(GString *out, const TraceKey *k);
gboolean trace_key_parse(char **fields, TraceKey *k);

#endif
