/*
 * UDP (RFC 768; RFC 1122 4.1): ports bound per node, sending with the
 * checksum over the IPv4 pseudo-header (always computed; a computed 0 is
 * sent as 0xFFFF), input with length and checksum checks (a zero checksum
 * means none was sent), delivery to the bound port, ICMP port unreachable
 * for closed ports, and ICMP errors passed back to the sending port.
 * Flow accounting (models/flow.h) counts payload bytes at both ends.
 *
 * Entry points: udp_ports_new() (per node); udp_bind(), udp_unbind(), udp_bound_ports(), udp_port_owner();
 * udp_send(); udp_input() (from IPv4 local delivery, at the UDP header);
 * udp_error() (from ICMP); udp_ports_free().
 *
 * Ports live in an array sorted by port number, searched by bisection:
 * no hashing on the packet path.
 *
 * Leaves out: connected sockets (the 4-tuple; a port receives from
 * anyone), SO_REUSEADDR, multicast, UDP-Lite.
 */
#include "models/transport/udp.h"

#include "models/internet/checksum.h"
#include "models/core/node.h"
#include "models/observe/flow.h"

typedef struct {
  uint16_t port;
  UdpHandler handler;
  void *owner;
} UdpBinding;

struct UdpPorts {
  GArray *bound; /* of UdpBinding, sorted by port */
};

UdpPorts *udp_ports_new(void)
{
  UdpPorts *ports = g_new0(UdpPorts, 1);

  ports->bound = g_array_new(FALSE, FALSE, sizeof(UdpBinding));
  return ports;
}

void udp_ports_free(UdpPorts *ports)
{
  if (!ports)
    return;
  g_array_free(ports->bound, TRUE);
  g_free(ports);
}

/* Returns the index of the first binding with a port >= `port`. */
static guint udp_lower_bound(const UdpPorts *ports, uint16_t port)
{
  guint lo = 0, hi = ports->bound->len;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(ports->bound, UdpBinding, mid).port < port)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Returns the binding of `port`, or NULL. */
static UdpBinding *udp_find(const UdpPorts *ports, uint16_t port)
{
  guint i = udp_lower_bound(ports, port);

  if (i < ports->bound->len && g_array_index(ports->bound, UdpBinding, i).port == port)
    return &g_array_index(ports->bound, UdpBinding, i);
  return NULL;
}

/* Returns the first free port from UDP_EPHEMERAL_FIRST, or 0 if none. */
static uint16_t udp_ephemeral(const UdpPorts *ports)
{
  uint32_t port = UDP_EPHEMERAL_FIRST;
  guint i = udp_lower_bound(ports, UDP_EPHEMERAL_FIRST);

  for (; i < ports->bound->len && g_array_index(ports->bound, UdpBinding, i).port == port; i++)
    port++;
  return port <= UDP_EPHEMERAL_LAST ? (uint16_t)port : 0;
}

/* Binds `port` (0: the first free ephemeral port) on `node` to `handler`
 * (copied) and `owner`. Returns the port bound, or -1 if it is taken (or
 * no ephemeral port is free). */
int udp_bind(Node *node, uint16_t port, const UdpHandler *handler, void *owner)
{
  UdpPorts *ports = node->udp;
  UdpBinding b = {.handler = *handler, .owner = owner};

  if (port == 0 && (port = udp_ephemeral(ports)) == 0)
    return -1;
  if (udp_find(ports, port))
    return -1;
  b.port = port;
  g_array_insert_val(ports->bound, udp_lower_bound(ports, port), b);
  return port;
}

/* The owner and handler of `port` on `node`, or NULL when it is not bound. */
void *udp_port_owner(const Node *node, uint16_t port, const UdpHandler **handler)
{
  UdpBinding *b = node->udp ? udp_find(node->udp, port) : NULL;
  if (!b)
    return NULL;
  *handler = &b->handler;
  return b->owner;
}

/* The ports bound on `node`, in order, into `ports` (of uint16_t). */
void udp_bound_ports(const Node *node, GArray *ports)
{
  for (guint i = 0; node->udp && i < node->udp->bound->len; i++)
    g_array_append_val(ports, g_array_index(node->udp->bound, UdpBinding, i).port);
}

void udp_unbind(Node *node, uint16_t port)
{
  UdpPorts *ports = node->udp;
  guint i = udp_lower_bound(ports, port);

  if (i < ports->bound->len && g_array_index(ports->bound, UdpBinding, i).port == port)
    g_array_remove_index(ports->bound, i);
}

/* Sends `payload` (taken) from port `sport` to dst:dport, with the UDP
 * checksum over the pseudo-header; counts it in the flow table. `opts`
 * (may be NULL) gives TTL, DF, TOS and the source. Returns what
 * ipv4_output() returned. */
Ipv4SendResult udp_send(Node *node, uint16_t sport, uint32_t dst, uint16_t dport, Packet *payload,
                        const Ipv4SendOpts *opts)
{
  uint32_t sum = checksum_partial(packet_data(payload), packet_len(payload), 0);
  return udp_send_summed(node, sport, dst, dport, payload, sum, opts);
}

/* udp_send() of a payload whose 16-bit words the caller has summed
 * already (`sum`, checksum_partial() of its bytes): the checksum then
 * reads only the UDP header. */
Ipv4SendResult udp_send_summed(Node *node, uint16_t sport, uint32_t dst, uint16_t dport, Packet *payload, uint32_t sum,
                               const Ipv4SendOpts *opts)
{
  Ipv4SendOpts o = {0};
  size_t bytes = packet_len(payload), len = bytes + UDP_HEADER_LEN;
  UdpHeader *h;

  if (opts)
    o = *opts;
  o.dst = dst;
  o.proto = IPPROTO_UDP_NUM;
  if (!o.src)
    o.src = ipv4_source_route(node, dst, &o.route); /* else o.route is the caller's, or NULL */
  h = (UdpHeader *)packet_push(payload, UDP_HEADER_LEN);
  h->sport = g_htons(sport);
  h->dport = g_htons(dport);
  h->len = g_htons((uint16_t)MIN(len, 0xffffu));
  h->checksum = 0;
  sum = checksum_partial(h, UDP_HEADER_LEN, sum);
  h->checksum = inet_pseudo_finish(g_htonl(o.src), g_htonl(dst), IPPROTO_UDP_NUM, len, sum);
  if (h->checksum == 0)
    h->checksum = 0xffff;
  FlowKey key = {.src = o.src, .dst = dst, .sport = sport, .dport = dport, .proto = IPPROTO_UDP_NUM};
  flow_sent(node->ctx->flows, &key, payload, bytes, sim_now(node->ctx));
  return ipv4_output(node, payload, &o);
}

/* Checks the UDP header of `p` (at the UDP header) and trims it to the UDP
 * length; returns FALSE if it is truncated, its length is wrong or its
 * (non-zero) checksum does not verify. */
static gboolean udp_check(Packet *p, const Ipv4Meta *meta)
{
  const UdpHeader *h = (const UdpHeader *)packet_peek(p, UDP_HEADER_LEN);
  size_t len;

  if (!h)
    return FALSE;
  len = g_ntohs(h->len);
  if (len < UDP_HEADER_LEN || len > packet_len(p))
    return FALSE;
  if (h->checksum && inet_pseudo_checksum(g_htonl(meta->src), g_htonl(meta->dst), IPPROTO_UDP_NUM, h, len) != 0)
    return FALSE;
  packet_trim(p, len);
  return TRUE;
}

/* Drops a datagram held at its UDP header, traced from its IP header. */
static void udp_drop(Node *node, Packet *p, const Ipv4Meta *meta, DropReason reason)
{
  node_drop(node, meta->in, p, reason, TRACE_TRANSPORT, TRACE_FROM_IPV4);
}

/* Takes a UDP datagram (at the UDP header) delivered to the node: checks
 * it (DROP_BAD_UDP), then hands the payload to the handler of the
 * destination port, which owns it; a closed port gets ICMP port
 * unreachable (not for broadcasts) and DROP_PORT_UNREACHABLE. */
void udp_input(Node *node, Packet *p, const Ipv4Meta *meta)
{
  const UdpHeader *h;
  UdpBinding *b;
  UdpMeta um;

  if (!udp_check(p, meta)) {
    udp_drop(node, p, meta, DROP_BAD_UDP);
    return;
  }
  h = (const UdpHeader *)packet_data(p);
  um =
      (UdpMeta){.src = meta->src, .dst = meta->dst, .sport = g_ntohs(h->sport), .dport = g_ntohs(h->dport), .ip = meta};
  b = udp_find(node->udp, um.dport);
  if (!b) {
    IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_PORT, 0, meta->in};
    icmp_drop_with_error(node, meta->in, p, DROP_PORT_UNREACHABLE, TRACE_TRANSPORT, &e);
    return;
  }
  FlowKey key = {.src = um.src, .dst = um.dst, .sport = um.sport, .dport = um.dport, .proto = IPPROTO_UDP_NUM};
  Flow *f = flow_delivered(node->ctx->flows, &key, p, packet_len(p) - UDP_HEADER_LEN, sim_now(node->ctx));
  flow_goodput(f, packet_len(p) - UDP_HEADER_LEN, sim_now(node->ctx));
  if (trace_wants(node->ctx->trace, TRACE_TRANSPORT))
    trace_packet(node->ctx->trace, TRACE_TRANSPORT, sim_now(node->ctx), node, meta->in, TRACE_DELIVER, TRACE_FROM_IPV4,
                 p, NULL);
  packet_pull(p, UDP_HEADER_LEN);
  b->handler.recv(b->owner, p, &um);
}

/* Passes an ICMP error quoting a UDP datagram (its header at `quoted_udp`,
 * len bytes available) to the port that sent it, if it listens for errors. */
void udp_error(Node *node, const IcmpMessage *msg, const uint8_t *quoted_udp, size_t len)
{
  const UdpHeader *h = (const UdpHeader *)quoted_udp;
  UdpBinding *b;

  if (len < UDP_HEADER_LEN)
    return;
  b = udp_find(node->udp, g_ntohs(h->sport));
  if (b && b->handler.error)
    b->handler.error(b->owner, msg, g_ntohs(h->dport));
}
