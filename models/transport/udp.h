/*
 * UDP (RFC 768): ports, checksums over the pseudo-header (always sent,
 * verified when non-zero), port unreachable for closed ports, and ICMP
 * errors passed to the socket that sent the quoted datagram (as Linux's
 * IP_RECVERR). Issue 4 puts a socket API over this.
 *
 * Entry points: udp_bind() / udp_unbind(); udp_bound_ports(), udp_port_owner(); udp_send(), udp_send_summed();
 * udp_input() (from IPv4, at the UDP header); udp_error() (from ICMP, with the quoted header).
 */
#ifndef IPSIM_UDP_H
#define IPSIM_UDP_H

#include "models/internet/icmp.h"

#define UDP_EPHEMERAL_FIRST 49152
#define UDP_EPHEMERAL_LAST 65535

typedef struct {
  uint32_t src, dst; /* host byte order */
  uint16_t sport, dport;
  const Ipv4Meta *ip;
} UdpMeta;

typedef struct {
  /* A datagram arrived; the callee owns `payload` (at the UDP payload). */
  void (*recv)(void *owner, Packet *payload, const UdpMeta *meta);
  /* An ICMP error about a datagram sent from this port (may be NULL). */
  void (*error)(void *owner, const IcmpMessage *msg, uint16_t dport);
} UdpHandler;

typedef struct UdpPorts UdpPorts;

UdpPorts *udp_ports_new(void);
void udp_ports_free(UdpPorts *ports);

int udp_bind(Node *node, uint16_t port, const UdpHandler *handler, void *owner);
void udp_unbind(Node *node, uint16_t port);
void udp_bound_ports(const Node *node, GArray *ports);
void *udp_port_owner(const Node *node, uint16_t port, const UdpHandler **handler);
Ipv4SendResult udp_send(Node *node, uint16_t sport, uint32_t dst, uint16_t dport, Packet *payload,
                        const Ipv4SendOpts *opts);
Ipv4SendResult udp_send_summed(Node *node, uint16_t sport, uint32_t dst, uint16_t dport, Packet *payload, uint32_t sum,
                               const Ipv4SendOpts *opts);
void udp_input(Node *node, Packet *p, const Ipv4Meta *meta);
void udp_error(Node *node, const IcmpMessage *msg, const uint8_t *quoted_udp, size_t len);

#endif
