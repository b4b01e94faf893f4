/*
 * IPv4 (RFC 791; RFC 1812 for routers): per-node state, input with header
 * checks, local delivery (with reassembly), forwarding on routers, and
 * output with route lookup, fragmentation and ARP.
 *
 * Entry points: ipv4_new() (per node: connected routes, forwarding on
 * routers), ipv4_add_static() (`routes`, `gateway`) and ipv4_free(); ipv4_input() (from
 * the interface types' input, Ethernet or PPP, at the IP header); ipv4_output() (from ICMP, UDP and
 * apps, at the transport header); ipv4_arp_failed() (from ARP);
 * ipv4_link_changed() (an interface went up or down); ipv4_route(),
 * ipv4_route_flow() (multipath: the path of one flow);
 * ipv4_register_protocol() (a protocol above IPv4 beside ICMP, UDP and
 * TCP: OSPF); ipv4_join_group() / ipv4_leave_group() (link-local
 * multicast receive, RFC 1112 level 2 without IGMP).
 *
 * Ownership: every function that takes a Packet * owns it.
 */
#ifndef IPSIM_IPV4_H
#define IPSIM_IPV4_H

#include "models/internet/ipv4_wire.h"
#include "models/internet/route.h"
#include "models/link/iface.h"

typedef struct Reassembly Reassembly;
typedef struct RouteAuto RouteAuto;
typedef struct Ipv4Meta Ipv4Meta;

/* A protocol above IPv4 registered by ipv4_register_protocol(): gets each
 * datagram of its number delivered to the node (at the payload, header
 * marked), and owns it. */
typedef void (*Ipv4ProtoInput)(void *data, Packet *p, const Ipv4Meta *meta);

typedef struct Ipv4 {
  RouteTable *routes;
  Reassembly *reasm;
  uint16_t next_id;      /* identification of the next datagram sent */
  gboolean forwarding;   /* routers */
  gboolean auto_routes;  /* routes computed by route_auto on demand */
  RouteAuto *route_auto; /* what computes them (set by route_auto_new()), or NULL */
  gboolean auto_valid;   /* the computed routes match the current topology */
  uint8_t default_ttl;   /* Linux's net.ipv4.ip_default_ttl: IPV4_DEFAULT_TTL unless the node sets it */
  GArray *groups;        /* of Ipv4Group: the multicast groups joined, per interface */
  GArray *protos;        /* of Ipv4Proto: registered protocols (ipv4_register_protocol()) */
  /* The node's addresses and directed broadcasts, sorted, for bisection on
   * every datagram (a router may have hundreds of interfaces). Interface
   * addresses never change after ipv4_new(). */
  GArray *locals;     /* of uint32_t */
  GArray *broadcasts; /* of uint32_t */
} Ipv4;

/* What IPv4 tells the layer above about a datagram it delivers, in host
 * byte order. The datagram goes up at its payload with its IP header
 * marked (packet_mark_network()), so that the layer above drops, traces
 * and quotes it in ICMP errors from there without rewinding it. */
struct Ipv4Meta {
  uint32_t src, dst;
  uint8_t ttl, proto, tos;
  uint16_t id;
  uint16_t total_len;
  uint8_t hlen; /* header length in bytes (20 without options) */
  Iface *in;    /* NULL for locally looped-back datagrams */
};

/* How to send a datagram; zero fields take defaults. */
typedef struct {
  uint32_t src; /* 0: the egress interface's address */
  uint32_t dst;
  uint8_t proto;
  uint8_t ttl; /* 0: the node's default TTL */
  uint8_t tos;
  gboolean df;
  Iface *out;         /* NULL: by the routing table; else out of this interface with dst as next hop (multicast, a
                         neighbour), whatever the table says, as Linux's IP_MULTICAST_IF / SO_BINDTODEVICE */
  const Route *route; /* NULL: ipv4_output() looks dst up; else the route to dst (not a local address) that
                         ipv4_source_route() or ipv4_source_route_cached() has just given for this send, so
                         that a send looks it up at most once */
} Ipv4SendOpts;

/* Why ipv4_output() could not send, for the local caller (like errno). */
typedef enum {
  IPV4_SENT = 0,
  IPV4_ERR_NO_ROUTE,  /* ENETUNREACH */
  IPV4_ERR_MSG_SIZE,  /* EMSGSIZE: DF set and larger than the egress MTU */
  IPV4_ERR_LINK_DOWN, /* ENETDOWN */
} Ipv4SendResult;

Ipv4 *ipv4_new(Node *node);
gboolean ipv4_add_static(Node *node, Ipv4Prefix to, uint32_t via, int dev, uint32_t metric);
void ipv4_free(Ipv4 *ip);

void ipv4_input(Iface *in, Packet *p);
Ipv4SendResult ipv4_output(Node *node, Packet *p, const Ipv4SendOpts *opts);
void ipv4_arp_failed(Iface *iface, Packet *p);
void ipv4_link_changed(Node *node);
const Route *ipv4_route(Node *node, uint32_t dst);
const Route *ipv4_route_flow(Node *node, uint32_t src, uint32_t dst);
void ipv4_register_protocol(Node *node, uint8_t proto, Ipv4ProtoInput fn, void *data);
void ipv4_join_group(Node *node, Iface *iface, uint32_t group);
void ipv4_leave_group(Node *node, Iface *iface, uint32_t group);
gboolean ipv4_is_member(const Node *node, const Iface *iface, uint32_t group);
static inline gboolean ipv4_is_multicast(uint32_t addr)
{
  return (addr >> 28) == 0xe;
}
gboolean ipv4_is_local(const Node *node, uint32_t addr);
uint32_t ipv4_source_for(Node *node, uint32_t dst);
uint32_t ipv4_source_route(Node *node, uint32_t dst, const Route **route);

/* A sender's memory of its last ipv4_source_route() (a socket's, as
 * Linux's cached route of a socket): valid while the node's routing table
 * keeps its version. Zeroed: empty. */
typedef struct {
  uint32_t dst, src;
  uint64_t version;
  const Route *route;
} Ipv4RouteCache;
uint32_t ipv4_source_route_cached(Node *node, uint32_t dst, const Route **route, Ipv4RouteCache *cache);
gboolean ipv4_is_broadcast(const Node *node, uint32_t addr);

/* Inside models/internet: local delivery (reassembly, then ICMP, UDP), from
 * ipv4_input and the loopback of ipv4_output; `in` is NULL for loopback. */
void ipv4_deliver(Node *node, Iface *in, Packet *p);
/* Sends a datagram (at its IP header, complete) along `route`: fragments
 * or refuses it when larger than the egress MTU, then ARP. `in` is the
 * arrival interface of a forwarded datagram, NULL for our own. */
Ipv4SendResult ipv4_send_route(Node *node, const Route *route, Packet *p, Iface *in);
/* Passes a delivered datagram (at its payload) to its registered protocol,
 * which takes it; FALSE when none is registered (the caller keeps it). */
gboolean ipv4_deliver_protocol(Node *node, Packet *p, const Ipv4Meta *meta);

#endif
