/*
 * ICMP (RFC 792, with RFC 1812's rules for routers): answering echo
 * requests, sending errors (time exceeded, destination unreachable,
 * fragmentation needed) and passing replies and errors to the sockets or
 * applications that wait for them.
 *
 * Errors are never sent about an ICMP error, a broadcast, a non-first
 * fragment or a datagram from 0.0.0.0 (RFC 1122 3.2.2). An error quotes the
 * offending IP header and the first 8 bytes of its payload.
 *
 * Entry points: icmp_listeners_new() / icmp_listeners_free() (per node);
 * icmp_input() (from IPv4, at the ICMP header);
 * icmp_drop_with_error() (a drop, then the error it causes: IPv4, ARP
 * failure, UDP); icmp_error_prepare() / icmp_error_send() (the same in
 * two steps, for reassembly); icmp_send_error(); icmp_send_echo()
 * (from ping and traceroute); icmp_listen() / icmp_unlisten() (echo
 * replies and errors quoting echo requests, by echo identifier).
 */
#ifndef IPSIM_ICMP_H
#define IPSIM_ICMP_H

#include "models/core/drop.h"
#include "models/internet/ipv4.h"
#include "models/observe/trace.h"

/* An ICMP message as delivered to a listener, in host byte order. */
typedef struct {
  uint8_t type, code;
  uint16_t id, seq;    /* echo: of the reply; errors: of the quoted echo request */
  uint16_t mtu;        /* fragmentation needed: the next-hop MTU */
  const Ipv4Meta *ip;  /* the datagram that carried the message */
  uint32_t quoted_dst; /* errors: destination of the quoted datagram */
  const uint8_t *data; /* echo reply payload */
  size_t data_len;
} IcmpMessage;

typedef void (*IcmpListenFn)(void *owner, const IcmpMessage *msg);

typedef struct IcmpListeners IcmpListeners;

IcmpListeners *icmp_listeners_new(void);
void icmp_listeners_free(IcmpListeners *l);

void icmp_input(Node *node, Packet *p, const Ipv4Meta *meta);

/* An error to send about a datagram: type, code, the MTU of fragmentation
 * needed, and the interface whose address is its source (NULL: the
 * egress interface's). */
typedef struct {
  uint8_t type, code;
  uint16_t mtu;
  const Iface *from;
} IcmpError;

/* An error built and not yet sent (p NULL: none allowed). */
typedef struct {
  Packet *p;
  Ipv4SendOpts opts;
} IcmpPending;

gboolean icmp_error_prepare(Node *node, const Packet *offending, const IcmpError *e, IcmpPending *out);
void icmp_error_send(Node *node, IcmpPending *pending);
/* Drops p (reason, at `layer` on `at`), then sends the error e about it,
 * so that the trace shows the drop before the error. Takes p. */
void icmp_drop_with_error(Node *node, Iface *at, Packet *p, DropReason reason, TraceLayer layer, const IcmpError *e);
void icmp_send_error(Node *node, const Packet *offending, uint8_t type, uint8_t code, uint16_t mtu);
void icmp_send_error_from(Node *node, const Iface *in, const Packet *offending, uint8_t type, uint8_t code,
                          uint16_t mtu);
Ipv4SendResult icmp_send_echo(Node *node, uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len,
                              const Ipv4SendOpts *opts);
gboolean icmp_listen(Node *node, uint16_t id, IcmpListenFn fn, void *owner);
void icmp_unlisten(Node *node, uint16_t id);

#endif
