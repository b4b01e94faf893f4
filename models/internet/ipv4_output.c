/*
 * IPv4 output (RFC 791, RFC 1122 3.3.1, RFC 1812 5.2.6 for forwarded
 * datagrams): the header, the route, the MTU of the egress interface
 * (Don't Fragment honoured, else fragmentation), then the interface's
 * type (ARP and Ethernet, or PPP) through iface_output().
 *
 * Entry points: ipv4_output() (from ICMP, UDP and applications, with the
 * packet at the transport header); ipv4_send_route() (also from
 * forwarding, with the packet at its IP header).
 *
 * The trace shows what leaves: a datagram of the node's own is traced
 * `send` once its fate is known, and a datagram that is fragmented (the
 * node's own or forwarded) shows as its fragments, each traced `send`
 * (frag.c), after the `fwd` of the original on a router.
 *
 * Datagrams to one of the node's own addresses loop back: they are
 * delivered by an event at the current time, never through a link, so a
 * sender is never re-entered by its own delivery.
 *
 * A sender may name the egress interface (opts->out: multicast, or a
 * routing protocol's neighbour): the datagram then leaves by it with its
 * destination as the next hop, whatever the table says.
 *
 * Leaves out: IP options on output, sending to the limited broadcast
 * (255.255.255.255 goes by the routing table like any address), multicast
 * loopback, path MTU discovery state (a sender learns an MTU from ICMP
 * itself).
 */
#include "models/internet/checksum.h"
#include "models/internet/frag.h"
#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/core/node.h"

/* Prepends the IPv4 header to the payload in `p`, with a fresh
 * identification and the source `src` (host byte order). */
static void ipv4_push_header(Node *node, Packet *p, const Ipv4SendOpts *opts, uint32_t src)
{
  size_t total = MIN(packet_len(p) + IPV4_HEADER_LEN, (size_t)IPV4_MAX_LEN);
  Ipv4Header *h = (Ipv4Header *)packet_push(p, IPV4_HEADER_LEN);
  packet_mark_network(p);

  h->ver_ihl = 0x45;
  h->tos = opts->tos;
  h->total_len = g_htons((uint16_t)total);
  h->id = g_htons(node->ip->next_id);
  node->ip->next_id++;
  h->frag = opts->df ? g_htons(IPV4_FLAG_DF) : 0;
  h->ttl = opts->ttl ? opts->ttl : node->ip->default_ttl;
  h->proto = opts->proto;
  h->src = g_htonl(src);
  h->dst = g_htonl(opts->dst);
  h->checksum = inet_checksum(h, IPV4_HEADER_LEN);
}

/* The loopback event: delivers a datagram the node sent to itself. */
static void ipv4_loopback_event(void *obj, void *arg)
{
  ipv4_deliver(obj, NULL, arg);
}

/* Traces a locally originated datagram (at its IP header) leaving by `out`. */
static void ipv4_trace_send(Node *node, const Iface *out, const Packet *p)
{
  if (trace_wants(node->ctx->trace, TRACE_INTERNET))
    trace_packet(node->ctx->trace, TRACE_INTERNET, sim_now(node->ctx), node, out, TRACE_SEND, TRACE_FROM_IPV4, p, NULL);
}

/* Sends the payload in `p` (at the transport header) to opts->dst: pushes
 * the IPv4 header (source: opts->src, or the egress interface's address),
 * then loops it back (our own address) or sends it along its route.
 * Returns IPV4_SENT, or why not (the packet is then dropped and counted:
 * DROP_NO_ROUTE, DROP_FRAG_NEEDED, DROP_LINK_DOWN, DROP_FRAG_INVALID for
 * more than 65535 bytes). Takes `p`. */
Ipv4SendResult ipv4_output(Node *node, Packet *p, const Ipv4SendOpts *opts)
{
  gboolean loop = !opts->out && !opts->route && ipv4_is_local(node, opts->dst);
  Route direct = {.iface = opts->out};
  const Route *route = loop ? NULL : opts->out ? &direct : opts->route ? opts->route : ipv4_route(node, opts->dst);
  uint32_t src = opts->src;
  gboolean too_big = packet_len(p) + IPV4_HEADER_LEN > IPV4_MAX_LEN;

  if (!src)
    src = loop ? opts->dst : (route && route->iface && route->iface->has_ip ? route->iface->ip.addr : 0);
  ipv4_push_header(node, p, opts, src);
  if (too_big || loop || !route)
    ipv4_trace_send(node, NULL, p); /* else traced once it is clear what leaves */
  if (too_big) {
    node_drop(node, NULL, p, DROP_FRAG_INVALID, TRACE_INTERNET, TRACE_FROM_IPV4);
    return IPV4_ERR_MSG_SIZE;
  }
  if (loop) {
    scheduler_after(node->ctx->sched, 0, ipv4_loopback_event, node, p);
    return IPV4_SENT;
  }
  if (!route) {
    node_drop(node, NULL, p, DROP_NO_ROUTE, TRACE_INTERNET, TRACE_FROM_IPV4);
    return IPV4_ERR_NO_ROUTE;
  }
  return ipv4_send_route(node, route, p, NULL);
}

/* Handles a datagram larger than the MTU of `out`: with DF set, refuses it
 * (forwarded: ICMP fragmentation needed with the MTU to the source; both:
 * DROP_FRAG_NEEDED), else fragments it. Takes `p`. */
static Ipv4SendResult ipv4_send_big(Node *node, Iface *out, Packet *p, uint32_t next_hop, Iface *in)
{
  const Ipv4Header *h = (const Ipv4Header *)packet_data(p);

  if (h->frag & g_htons(IPV4_FLAG_DF)) {
    if (!in)
      ipv4_trace_send(node, out, p);
    IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG, (uint16_t)MIN(out->mtu, 0xffffu), in};
    if (in)
      icmp_drop_with_error(node, out, p, DROP_FRAG_NEEDED, TRACE_INTERNET, &e);
    else
      node_drop(node, out, p, DROP_FRAG_NEEDED, TRACE_INTERNET, TRACE_FROM_IPV4);
    return IPV4_ERR_MSG_SIZE;
  }
  frag_output(out, p, next_hop, iface_output);
  return IPV4_SENT;
}

/* Sends the complete datagram `p` (at its IP header) by the interface of
 * `route` to its next hop (the gateway, or the destination itself when
 * on-link), fragmenting it if needed. `in` is the arrival interface of a
 * forwarded datagram, NULL for the node's own. Takes `p`. */
Ipv4SendResult ipv4_send_route(Node *node, const Route *route, Packet *p, Iface *in)
{
  Iface *out = route->iface;
  uint32_t next_hop = route->gateway;

  if (!next_hop)
    next_hop = g_ntohl(((const Ipv4Header *)packet_data(p))->dst);
  if (!out || !out->up) {
    if (!in)
      ipv4_trace_send(node, out, p);
    node_drop(node, out, p, DROP_LINK_DOWN, TRACE_INTERNET, TRACE_FROM_IPV4);
    return IPV4_ERR_LINK_DOWN;
  }
  if (packet_len(p) > out->mtu)
    return ipv4_send_big(node, out, p, next_hop, in);
  if (!in)
    ipv4_trace_send(node, out, p);
  iface_output(out, p, next_hop);
  return IPV4_SENT;
}
