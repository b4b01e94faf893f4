/*
 * ICMP (RFC 792; RFC 1122 3.2.2 for hosts, RFC 1812 4.3.2 for routers):
 * echo requests answered, echo replies and errors passed to whoever waits
 * for them, and errors sent for IPv4 and UDP.
 *
 * Entry points: icmp_listeners_new() (per node); icmp_input() (from IPv4
 * local delivery, at the ICMP header); icmp_send_error() and
 * icmp_send_error_from() (from IPv4, reassembly, ARP failure and UDP);
 * icmp_send_echo() (from ping and traceroute); icmp_listen(),
 * icmp_unlisten(); icmp_listeners_free().
 *
 * Errors go to the listener of the echo identifier they quote (ping and
 * traceroute's ICMP probes) or to UDP (udp_error) when they quote a UDP
 * datagram. Echo replies go to the listener of their identifier.
 *
 * An error is never sent about an ICMP error, a datagram to a broadcast or
 * multicast address, a non-first fragment, or a datagram whose source is
 * 0.0.0.0, loopback, multicast or broadcast (RFC 1812 4.3.2.7). It quotes
 * the IP header and the first 8 bytes of data, comes from the address of
 * the interface the offending datagram arrived on (or, for problems found
 * in the node's own datagrams, the egress interface's), with TTL 64.
 *
 * Leaves out: rate limiting of errors, redirects, source quench,
 * timestamps, address masks, router discovery, parameter problem.
 */
#include "models/internet/icmp.h"

#include <string.h>

#include "models/internet/checksum.h"
#include "models/transport/tcp.h"
#include "models/transport/udp.h"
#include "models/core/node.h"

typedef struct {
  uint16_t id;
  IcmpListenFn fn;
  void *owner;
} IcmpListener;

struct IcmpListeners {
  GArray *by_id; /* of IcmpListener; few entries, scanned */
};

IcmpListeners *icmp_listeners_new(void)
{
  IcmpListeners *l = g_new0(IcmpListeners, 1);

  l->by_id = g_array_new(FALSE, FALSE, sizeof(IcmpListener));
  return l;
}

void icmp_listeners_free(IcmpListeners *l)
{
  if (!l)
    return;
  g_array_free(l->by_id, TRUE);
  g_free(l);
}

/* Returns the listener of echo identifier `id`, or NULL. */
static IcmpListener *icmp_listener_find(const IcmpListeners *l, uint16_t id)
{
  for (guint i = 0; i < l->by_id->len; i++)
    if (g_array_index(l->by_id, IcmpListener, i).id == id)
      return &g_array_index(l->by_id, IcmpListener, i);
  return NULL;
}

/* Makes fn(owner, msg) receive the echo replies with identifier `id` and
 * the errors quoting echo requests with it. Returns FALSE if the
 * identifier is taken. */
gboolean icmp_listen(Node *node, uint16_t id, IcmpListenFn fn, void *owner)
{
  IcmpListener l = {id, fn, owner};

  if (icmp_listener_find(node->icmp, id))
    return FALSE;
  g_array_append_val(node->icmp->by_id, l);
  return TRUE;
}

void icmp_unlisten(Node *node, uint16_t id)
{
  GArray *a = node->icmp->by_id;

  for (guint i = 0; i < a->len; i++)
    if (g_array_index(a, IcmpListener, i).id == id) {
      g_array_remove_index(a, i);
      return;
    }
}

/* Passes msg to the listener of msg->id, if any. */
static void icmp_notify(Node *node, const IcmpMessage *msg)
{
  IcmpListener *l = icmp_listener_find(node->icmp, msg->id);

  if (l)
    l->fn(l->owner, msg);
}

/* Answers the echo request in `p` (at the ICMP header) in place: an echo
 * reply with the same identifier, sequence and data, from the address the
 * request was sent to (the egress interface's for a broadcast). Takes `p`. */
static void icmp_echo_reply(Node *node, Packet *p, const Ipv4Meta *meta)
{
  IcmpHeader *h = (IcmpHeader *)packet_data(p);
  Ipv4SendOpts opts = {.dst = meta->src, .proto = IPPROTO_ICMP_NUM};

  if (ipv4_is_local(node, meta->dst))
    opts.src = meta->dst;
  h->type = ICMP_ECHO_REPLY;
  packet_renew(p, PACKET_ORIGIN_REPLY); /* the same buffer, but a packet of its own */
  h->checksum = 0;
  h->checksum = inet_checksum(h, packet_len(p));
  ipv4_output(node, p, &opts);
}

/* Passes an echo reply to its listener. */
static void icmp_echo_reply_input(Node *node, const Packet *p, const Ipv4Meta *meta)
{
  const IcmpHeader *h = (const IcmpHeader *)p->data;
  IcmpMessage msg = {.type = h->type,
                     .code = h->code,
                     .id = g_ntohs(h->u.echo.id),
                     .seq = g_ntohs(h->u.echo.seq),
                     .ip = meta,
                     .data = p->data + ICMP_HEADER_LEN,
                     .data_len = packet_len(p) - ICMP_HEADER_LEN};

  icmp_notify(node, &msg);
}

/* Dispatches an error (at the ICMP header) by the protocol of the datagram
 * it quotes: echo requests to their listener, UDP to udp_error(), TCP to
 * tcp_error(). Returns
 * FALSE if the quote is truncated. */
static gboolean icmp_error_input(Node *node, const Packet *p, const Ipv4Meta *meta)
{
  const IcmpHeader *h = (const IcmpHeader *)p->data;
  const uint8_t *q = p->data + ICMP_HEADER_LEN;
  size_t qlen = packet_len(p) - ICMP_HEADER_LEN, qhl;
  const Ipv4Header *qh = (const Ipv4Header *)q;
  IcmpMessage msg = {.type = h->type, .code = h->code, .ip = meta};

  if (qlen < IPV4_HEADER_LEN || (qh->ver_ihl >> 4) != 4 || (qhl = (size_t)(qh->ver_ihl & 0xf) * 4) < 20 ||
      qlen < qhl + 8)
    return FALSE;
  msg.quoted_dst = g_ntohl(qh->dst);
  if (h->type == ICMP_UNREACH && h->code == ICMP_UNREACH_NEEDFRAG)
    msg.mtu = g_ntohs(h->u.frag.mtu);
  if (qh->proto == IPPROTO_UDP_NUM) {
    udp_error(node, &msg, q + qhl, qlen - qhl);
  } else if (qh->proto == IPPROTO_TCP_NUM) {
    tcp_error(node, &msg, q + qhl, qlen - qhl);
  } else if (qh->proto == IPPROTO_ICMP_NUM && q[qhl] == ICMP_ECHO_REQUEST) {
    const IcmpHeader *qi = (const IcmpHeader *)(q + qhl);
    msg.id = g_ntohs(qi->u.echo.id);
    msg.seq = g_ntohs(qi->u.echo.seq);
    icmp_notify(node, &msg);
  }
  return TRUE;
}

/* Takes an ICMP message (at the ICMP header) delivered to the node:
 * checks its length and checksum (DROP_BAD_ICMP), answers echo requests,
 * passes replies and errors on. Other types are consumed silently. */
void icmp_input(Node *node, Packet *p, const Ipv4Meta *meta)
{
  const IcmpHeader *h = (const IcmpHeader *)packet_peek(p, ICMP_HEADER_LEN);
  gboolean ok = h && inet_checksum(h, packet_len(p)) == 0;

  if (ok && h->type == ICMP_ECHO_REQUEST) {
    icmp_echo_reply(node, p, meta);
    return;
  }
  if (ok && h->type == ICMP_ECHO_REPLY)
    icmp_echo_reply_input(node, p, meta);
  else if (ok && (h->type == ICMP_UNREACH || h->type == ICMP_TIME_EXCEEDED))
    ok = icmp_error_input(node, p, meta);
  if (!ok) {
    node_drop(node, meta->in, p, DROP_BAD_ICMP, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  packet_free(p);
}

/* TRUE for ICMP types that are errors (RFC 1812 4.3.2.7: never answered). */
static gboolean icmp_type_is_error(uint8_t type)
{
  return type == ICMP_UNREACH || type == 4 /* source quench */ || type == 5 /* redirect */ ||
         type == ICMP_TIME_EXCEEDED || type == 12 /* parameter problem */;
}

/* TRUE when an address may not be the destination of an error: 0.0.0.0,
 * loopback, multicast, class E and broadcasts of the node's subnets. */
static gboolean icmp_bad_source(const Node *node, uint32_t src)
{
  return src == 0 || (src >> 24) == 127 || (src >> 28) >= 0xe || ipv4_is_broadcast(node, src);
}

/* TRUE when RFC 1812 4.3.2.7 allows an error about the datagram `h`
 * (len bytes, at its IP header). */
static gboolean icmp_error_allowed(const Node *node, const uint8_t *d, size_t len)
{
  const Ipv4Header *h = (const Ipv4Header *)d;
  size_t hl;

  if (len < IPV4_HEADER_LEN || (hl = (size_t)(h->ver_ihl & 0xf) * 4) < IPV4_HEADER_LEN)
    return FALSE;
  if (icmp_bad_source(node, g_ntohl(h->src)) || ipv4_is_broadcast(node, g_ntohl(h->dst)) ||
      (g_ntohl(h->dst) >> 28) == 0xe || (g_ntohs(h->frag) & IPV4_OFFSET_MASK) != 0)
    return FALSE;
  if (h->proto == IPPROTO_ICMP_NUM)
    return len > hl && !icmp_type_is_error(d[hl]);
  return TRUE;
}

/* Builds the ICMP error `e` about `offending` (from its IP header, even
 * when pulled: packet_network(); not taken) to its source, from the address of e->from (NULL: the egress
 * interface's). Returns FALSE, building nothing, where RFC 1812 4.3.2.7
 * forbids an error. */
gboolean icmp_error_prepare(Node *node, const Packet *offending, const IcmpError *e, IcmpPending *out)
{
  size_t len = 0, quote;
  const uint8_t *d = packet_network(offending, &len);

  out->p = NULL;
  if (!icmp_error_allowed(node, d, len))
    return FALSE;
  quote = MIN(len, (size_t)(d[0] & 0xf) * 4 + 8);
  Packet *p = packet_new(node->ctx->pool, ICMP_HEADER_LEN + quote);
  IcmpHeader *h = (IcmpHeader *)packet_data(p);
  h->type = e->type;
  h->code = e->code;
  if (e->type == ICMP_UNREACH && e->code == ICMP_UNREACH_NEEDFRAG)
    h->u.frag.mtu = g_htons(e->mtu);
  memcpy(packet_data(p) + ICMP_HEADER_LEN, d, quote);
  h->checksum = inet_checksum(h, packet_len(p));
  packet_derive(p, offending, PACKET_ORIGIN_ERROR);
  out->p = p;
  out->opts = (Ipv4SendOpts){.proto = IPPROTO_ICMP_NUM, .dst = g_ntohl(((const Ipv4Header *)d)->src)};
  out->opts.src = e->from && e->from->has_ip ? e->from->ip.addr : 0;
  return TRUE;
}

/* Sends an error built by icmp_error_prepare() (nothing when none was). */
void icmp_error_send(Node *node, IcmpPending *pending)
{
  if (pending->p)
    ipv4_output(node, pending->p, &pending->opts);
  pending->p = NULL;
}

/* Drops `p` (counted as `reason`, traced at `layer` on `at`), then sends
 * the error `e` about it: the trace shows the drop, then its error. Takes p. */
void icmp_drop_with_error(Node *node, Iface *at, Packet *p, DropReason reason, TraceLayer layer, const IcmpError *e)
{
  IcmpPending pending;

  icmp_error_prepare(node, p, e, &pending);
  node_drop(node, at, p, reason, layer, TRACE_FROM_IPV4);
  icmp_error_send(node, &pending);
}

/* Sends an ICMP error of `type`/`code` about `offending` (from its IP
 * header; not taken) to its source, from the address of `in` (the interface it
 * arrived on; NULL: the egress interface's). `mtu` fills fragmentation
 * needed. Sends nothing where RFC 1812 4.3.2.7 forbids an error. */
void icmp_send_error_from(Node *node, const Iface *in, const Packet *offending, uint8_t type, uint8_t code,
                          uint16_t mtu)
{
  IcmpError e = {.type = type, .code = code, .mtu = mtu, .from = in};
  IcmpPending pending;

  icmp_error_prepare(node, offending, &e, &pending);
  icmp_error_send(node, &pending);
}

/* Sends an ICMP error about `offending` from the egress interface's address. */
void icmp_send_error(Node *node, const Packet *offending, uint8_t type, uint8_t code, uint16_t mtu)
{
  icmp_send_error_from(node, NULL, offending, type, code, mtu);
}

/* Sends an echo request to `dst` with identifier `id`, sequence `seq` and
 * `len` bytes of `data`; `opts` (may be NULL) gives TTL, DF, TOS and the
 * source. Returns what ipv4_output() returned. */
Ipv4SendResult icmp_send_echo(Node *node, uint32_t dst, uint16_t id, uint16_t seq, const void *data, size_t len,
                              const Ipv4SendOpts *opts)
{
  Packet *p = packet_new(node->ctx->pool, ICMP_HEADER_LEN + len);
  IcmpHeader *h = (IcmpHeader *)packet_data(p);
  Ipv4SendOpts o = {0};

  if (opts)
    o = *opts;
  o.dst = dst;
  o.proto = IPPROTO_ICMP_NUM;
  h->type = ICMP_ECHO_REQUEST;
  h->u.echo.id = g_htons(id);
  h->u.echo.seq = g_htons(seq);
  if (len)
    memcpy(packet_data(p) + ICMP_HEADER_LEN, data, len);
  h->checksum = inet_checksum(h, packet_len(p));
  return ipv4_output(node, p, &o);
}
