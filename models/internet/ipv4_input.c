/*
 * IPv4 input (RFC 791; RFC 1122 3.2.1 for hosts, RFC 1812 5.2 for routers),
 * in stages: header checks, then local delivery (reassembly, demultiplexing
 * to ICMP and UDP) or forwarding (routers only: TTL, route, output).
 *
 * Entry points: ipv4_input() (from ethernet_input, at the IP header, maybe
 * with Ethernet padding after the datagram); ipv4_deliver() (also from the
 * loopback of ipv4_output).
 *
 * Checks, each a counted drop: shorter than 20 bytes, version not 4, IHL
 * below 5 or past the packet (DROP_BAD_IP_HEADER); header checksum
 * (DROP_BAD_IP_CHECKSUM); total length below the header length or above
 * the bytes received (DROP_BAD_IP_LENGTH).
 *
 * Multicast: a datagram to a group is delivered when the arrival
 * interface has joined it (ipv4_join_group()), else dropped
 * (DROP_NOT_MEMBER); it is never forwarded (no multicast routing).
 *
 * Leaves out: IP options (skipped, never acted on: no source routing, no
 * record route), martian source filtering, forwarding of directed
 * broadcasts (a router accepts them as its own), multicast routing.
 */
#include "models/internet/checksum.h"
#include "models/internet/frag.h"
#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/transport/tcp.h"
#include "models/transport/udp.h"
#include "models/core/node.h"

static void ipv4_forward(Node *node, Iface *in, Packet *p);

/* Checks the header of the datagram at the start of `p` and trims the
 * bytes after its total length (Ethernet padding). Returns TRUE if it is
 * sound, else FALSE with the reason in *why. */
static gboolean ipv4_input_check(Packet *p, DropReason *why)
{
  const Ipv4Header *h = (const Ipv4Header *)packet_peek(p, IPV4_HEADER_LEN);
  size_t hlen, total;

  *why = DROP_BAD_IP_HEADER;
  if (!h || (h->ver_ihl >> 4) != 4 || (h->ver_ihl & 0xf) < 5)
    return FALSE;
  hlen = (size_t)(h->ver_ihl & 0xf) * 4;
  if (hlen > packet_len(p))
    return FALSE;
  *why = DROP_BAD_IP_CHECKSUM;
  if (inet_checksum(h, hlen) != 0)
    return FALSE;
  *why = DROP_BAD_IP_LENGTH;
  total = g_ntohs(h->total_len);
  if (total < hlen || total > packet_len(p))
    return FALSE;
  packet_trim(p, total);
  return TRUE;
}

/* Takes a datagram received on `in`: checks it, then delivers it locally
 * (our address, a broadcast of one of our subnets, or 255.255.255.255),
 * forwards it (routers) or drops it (hosts: DROP_NOT_A_ROUTER). */
void ipv4_input(Iface *in, Packet *p)
{
  Node *node = in->node;
  DropReason why;
  uint32_t dst;

  packet_mark_network(p);
  if (!ipv4_input_check(p, &why)) {
    node_drop(node, in, p, why, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  dst = g_ntohl(((const Ipv4Header *)packet_data(p))->dst);
  if (ipv4_is_multicast(dst)) {
    if (ipv4_is_member(node, in, dst))
      ipv4_deliver(node, in, p);
    else
      node_drop(node, in, p, DROP_NOT_MEMBER, TRACE_INTERNET, TRACE_FROM_IPV4);
  } else if (ipv4_is_local(node, dst) || ipv4_is_broadcast(node, dst))
    ipv4_deliver(node, in, p);
  else if (!node->ip->forwarding)
    node_drop(node, in, p, DROP_NOT_A_ROUTER, TRACE_INTERNET, TRACE_FROM_IPV4);
  else
    ipv4_forward(node, in, p);
}

/* Fills the metadata the layer above gets about datagram `h`. */
static void ipv4_meta_fill(Ipv4Meta *m, const Ipv4Header *h, Iface *in)
{
  m->src = g_ntohl(h->src);
  m->dst = g_ntohl(h->dst);
  m->ttl = h->ttl;
  m->proto = h->proto;
  m->tos = h->tos;
  m->id = g_ntohs(h->id);
  m->total_len = g_ntohs(h->total_len);
  m->hlen = (uint8_t)((h->ver_ihl & 0xf) * 4);
  m->in = in;
}

/* TRUE when IPv4 traces the local delivery of a datagram of `proto`: when
 * the trace shows the internet layer, except for UDP when it also shows
 * the transport layer, where UDP traces the same line (or a drop). TCP
 * does the same as UDP. */
static gboolean ipv4_trace_deliver(const Trace *trace, uint8_t proto)
{
  return trace_wants(trace, TRACE_INTERNET) &&
         !((proto == IPPROTO_UDP_NUM || proto == IPPROTO_TCP_NUM) && trace_wants(trace, TRACE_TRANSPORT));
}

/* Delivers a checked datagram (at its IP header) addressed to `node`:
 * reassembles fragments, then passes the payload to ICMP, UDP, TCP or a
 * registered protocol (OSPF). Others get ICMP protocol unreachable and
 * DROP_UNKNOWN_PROTOCOL. Takes `p`. */
void ipv4_deliver(Node *node, Iface *in, Packet *p)
{
  const Ipv4Header *h = (const Ipv4Header *)packet_data(p);
  Ipv4Meta meta;

  if (h->frag & g_htons(IPV4_FLAG_MF | IPV4_OFFSET_MASK)) {
    p = reasm_input(node->ip->reasm, p);
    if (!p)
      return;
    packet_mark_network(p);
    h = (const Ipv4Header *)packet_data(p);
  }
  ipv4_meta_fill(&meta, h, in);
  if (ipv4_trace_deliver(node->ctx->trace, meta.proto))
    trace_packet(node->ctx->trace, TRACE_INTERNET, sim_now(node->ctx), node, in, TRACE_DELIVER, TRACE_FROM_IPV4, p,
                 NULL);
  packet_pull(p, meta.hlen);
  switch (meta.proto) {
  case IPPROTO_ICMP_NUM:
    icmp_input(node, p, &meta);
    break;
  case IPPROTO_TCP_NUM:
    tcp_input(node, p, &meta);
    break;
  case IPPROTO_UDP_NUM:
    udp_input(node, p, &meta);
    break;
  default:
    if (!ipv4_deliver_protocol(node, p, &meta)) {
      IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0, in};
      icmp_drop_with_error(node, in, p, DROP_UNKNOWN_PROTOCOL, TRACE_INTERNET, &e);
    }
  }
}

/* Decrements the TTL of `h` and updates its checksum incrementally
 * (RFC 1624 equation 3: HC' = ~(~HC + ~m + m'), m the TTL/protocol word). */
static void ipv4_decrement_ttl(Ipv4Header *h)
{
  uint16_t old_word = (uint16_t)(h->ttl << 8 | h->proto);
  uint16_t new_word = (uint16_t)(old_word - 0x100);
  uint32_t sum = (uint16_t)~g_ntohs(h->checksum) + (uint32_t)(uint16_t)~old_word + new_word;

  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  h->ttl--;
  h->checksum = g_htons((uint16_t)~sum);
}

/* Forwards a checked datagram that arrived on `in` for another node:
 * TTL 1 or less: ICMP time exceeded and DROP_TTL_EXPIRED; no route: ICMP
 * net unreachable and DROP_NO_ROUTE; else decrements the TTL and sends it
 * along the route. Takes `p`. */
static void ipv4_forward(Node *node, Iface *in, Packet *p)
{
  Ipv4Header *h = (Ipv4Header *)packet_data(p);
  const Route *route;

  if (h->ttl <= 1) {
    IcmpError e = {ICMP_TIME_EXCEEDED, ICMP_TIMXCEED_INTRANS, 0, in};
    icmp_drop_with_error(node, in, p, DROP_TTL_EXPIRED, TRACE_INTERNET, &e);
    return;
  }
  route = ipv4_route_flow(node, g_ntohl(h->src), g_ntohl(h->dst));
  if (!route) {
    IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_NET, 0, in};
    icmp_drop_with_error(node, in, p, DROP_NO_ROUTE, TRACE_INTERNET, &e);
    return;
  }
  ipv4_decrement_ttl(h);
  if (trace_wants(node->ctx->trace, TRACE_INTERNET))
    trace_packet(node->ctx->trace, TRACE_INTERNET, sim_now(node->ctx), node, route->iface, TRACE_FWD, TRACE_FROM_IPV4,
                 p, NULL);
  ipv4_send_route(node, route, p, in);
}
