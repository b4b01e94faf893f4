/*
 * The story of one packet: see explain.h. explain_hook() gets every
 * packet event of the run from the trace; the events of the packet
 * followed become numbered steps ("3. 1.000000000 h1, internet: ..."),
 * written at once, while the tables they quote are those the simulator
 * used. A few events of other packets matter too: the ARP request and
 * reply a waiting datagram depends on, and the reply or ICMP error made
 * from the packet (told at the end with their ids).
 *
 * Entry points: explain_new(), explain_select_ping(), explain_trace(),
 * explain_found(), explain_last_id(), explain_finish(), explain_text(),
 * explain_path(), explain_free().
 *
 * The sockets: a UDP datagram leaves at once (no send buffer); a TCP
 * segment is told with its connection's send buffer, bytes in flight and
 * windows (tcp_buffers_view()); at the end, a UDP datagram meets its socket's
 * receive queue (socket_udp_queue()), a TCP segment its connection's
 * receive buffer, with their figures. The drop sentences
 * are explain_drop.c's; a datagram whose reassembly gave up ends with the
 * fragments it had and those lost on the way.
 *
 * Leaves out: fragments are told only as the fragmentation of the packet
 * (each fragment has its own id); multicast.
 */
#include "sim/cli/explain.h"
#include "sim/cli/explain_drop.h"

#include <stdarg.h>
#include <string.h>

#include "models/app/app.h"
#include "models/core/node.h"
#include "models/internet/ipv4.h"
#include "models/internet/ipv4_wire.h"
#include "models/internet/route.h"
#include "models/link/arp.h"
#include "models/link/arp_wire.h"
#include "models/link/ethernet_wire.h"
#include "models/link/hub.h"
#include "models/link/link.h"
#include "models/link/ppp_wire.h"
#include "models/link/switch.h"
#include "models/link/stp.h"
#include "models/link/vlan.h"
#include "models/transport/socket.h"
#include "models/transport/tcp.h"
#include "models/transport/tcp_wire.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

struct Explain {
  Network *net;
  uint64_t want;      /* the id followed; 0: not yet selected */
  const App *sel_app; /* the ping whose echo request sel_seq is followed; NULL: none */
  int sel_seq;
  TraceFlow *sel_flow; /* owned: another app's flow, whose sel_seq-th packet sent is followed; NULL: none */
  guint sel_sent;      /* the packets of sel_flow its node sent so far */
  GString *text;
  guint step;
  uint64_t max_id;
  gboolean seen;
  SimTime first_at;
  const Node *ready_node; /* where the packet was last handed down to an interface, and when */
  SimTime ready_at;
  SimTime enq_at; /* -1: not queued */
  guint ahead;
  const Iface *wait_iface; /* waiting for ARP on this interface, for wait_hop */
  uint32_t wait_hop;
  uint64_t who_has, arp_reply;
  SimTime arp_reply_at;
  uint8_t arp_mac[6];
  uint64_t reply_id, error_id;
  const Node *delivered_at, *dropped_at;
  SimTime end_at;
  char *drop_reason;
  guint copies_dropped;
  gboolean *links_on, *nodes_on; /* the path: by position, what the packet went through */
  GArray *frags;                 /* of uint64_t: the ids of its fragments, followed too */
  GString *frags_held;           /* "offset 1480 (1480 bytes), ...": fragments reassembly gave up on */
  GString *frags_lost;           /* "#2 (offset 0, 1480 bytes: link-loss)": fragments dropped on the way */
};

Explain *explain_new(Network *net, uint64_t id)
{
  Explain *ex = g_new0(Explain, 1);
  ex->net = net;
  ex->want = id;
  ex->enq_at = -1;
  ex->text = g_string_new(NULL);
  ex->links_on = g_new0(gboolean, net->links->len + 1);
  ex->nodes_on = g_new0(gboolean, net->nodes->len + 1);
  ex->frags = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  ex->frags_held = g_string_new(NULL);
  ex->frags_lost = g_string_new(NULL);
  return ex;
}

/* Follows the ICMP echo request with sequence `seq` that the ping `app`
 * sends, instead of an id. */
void explain_select_ping(Explain *ex, const App *app, uint16_t seq)
{
  ex->want = 0;
  ex->sel_app = app;
  ex->sel_seq = seq;
}

/* Follows the `seq`-th packet that `app` (not a ping) sends: the seq-th
 * datagram or segment its node sends in its flow `flow` (taken; as
 * sim/build makes it for the trace). */
void explain_select_app(Explain *ex, const App *app, TraceFlow *flow, int seq)
{
  ex->want = 0;
  ex->sel_app = app;
  ex->sel_seq = seq;
  ex->sel_flow = flow;
  flow->waiting = FALSE; /* an ICMP traceroute: any ICMP of its node to its destination */
}

/* How many packets of the selected app's flow its node sent in the run. */
guint explain_app_sent(const Explain *ex)
{
  return ex->sel_sent;
}

gboolean explain_found(const Explain *ex)
{
  return ex->seen;
}

/* The highest packet id the run traced. */
uint64_t explain_last_id(const Explain *ex)
{
  return ex->max_id;
}

const char *explain_text(const Explain *ex)
{
  return ex->text->str;
}

void explain_free(Explain *ex)
{
  if (!ex)
    return;
  g_string_free(ex->text, TRUE);
  g_free(ex->drop_reason);
  g_free(ex->links_on);
  g_free(ex->nodes_on);
  g_array_free(ex->frags, TRUE);
  trace_flow_free(ex->sel_flow);
  g_string_free(ex->frags_held, TRUE);
  g_string_free(ex->frags_lost, TRUE);
  g_free(ex);
}

/* ---- wording helpers ---------------------------------------------------- */

static void explain_time(GString *out, SimTime t)
{
  trace_format_time(out, t);
}

/* Appends a duration with its unit: "7.84 us", "50 us", "1.2 ms", "0 s". */
static void explain_duration(GString *out, SimTime d)
{
  if (d == 0)
    g_string_append(out, "no time");
  else if (d < 1000)
    g_string_append_printf(out, "%" G_GINT64_FORMAT " ns", (gint64)d);
  else if (d < 1000000)
    g_string_append_printf(out, "%g us", (double)d / 1e3);
  else if (d < 1000000000)
    g_string_append_printf(out, "%g ms", (double)d / 1e6);
  else
    g_string_append_printf(out, "%g s", (double)d / 1e9);
}

/* Starts a new step: "N. TIME NODE, LAYER: ", then the formatted text and a newline. */
static void explain_step(Explain *ex, SimTime now, const char *where, const char *layer, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
static void explain_step(Explain *ex, SimTime now, const char *where, const char *layer, const char *fmt, ...)
{
  va_list ap;
  g_string_append_printf(ex->text, "%2u. ", ++ex->step);
  explain_time(ex->text, now);
  g_string_append_printf(ex->text, " %s, %s: ", where, layer);
  va_start(ap, fmt);
  g_string_append_vprintf(ex->text, fmt, ap);
  va_end(ap);
  g_string_append_c(ex->text, '\n');
}

static const char *explain_ip(uint32_t addr, char buf[ADDR_IPV4_TEXT])
{
  return addr_format_ipv4(addr, buf);
}

/* The node and interface that own `mac`, "r1 eth0"; "broadcast"; or "no node". */
static char *explain_mac_owner(const Explain *ex, const uint8_t mac[6])
{
  static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  if (memcmp(mac, bcast, 6) == 0)
    return g_strdup("broadcast: every station");
  for (guint i = 0; i < ex->net->nodes->len; i++) {
    Node *n = network_node(ex->net, i);
    for (guint j = 0; j < n->ifaces->len; j++)
      if (memcmp(node_iface(n, j)->mac, mac, 6) == 0 && !node_kind_is_l2(n->kind))
        return g_strdup_printf("%s %s", n->name, node_iface(n, j)->name);
  }
  return g_strdup("no node of the scenario");
}

/* ---- packet bytes --------------------------------------------------------- */

/* The IPv4 header of `p` as the event at `from` shows it, or NULL (ARP, short). */
static const Ipv4Header *explain_ipv4(const Packet *p, TraceFrom from, size_t *len)
{
  const uint8_t *d = trace_packet_bytes(p, from, len);
  size_t skip = 0;
  if (from == TRACE_FROM_ETHERNET) {
    if (*len < ETH_HEADER_LEN || g_ntohs(((const EthHeader *)d)->type) != ETHERTYPE_IPV4)
      return NULL;
    skip = ETH_HEADER_LEN;
  } else if (from == TRACE_FROM_PPP) {
    skip = PPP_HEADER_LEN;
  }
  if (*len < skip + IPV4_HEADER_LEN)
    return NULL;
  *len -= skip;
  return (const Ipv4Header *)(d + skip);
}

/* The ARP packet in the Ethernet frame `p`, or NULL. */
static const ArpWire *explain_arp(const Packet *p, TraceFrom from)
{
  size_t len;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  if (from != TRACE_FROM_ETHERNET || len < ETH_HEADER_LEN + ARP_PACKET_LEN ||
      g_ntohs(((const EthHeader *)d)->type) != ETHERTYPE_ARP)
    return NULL;
  return (const ArpWire *)(d + ETH_HEADER_LEN);
}

static size_t explain_ihl(const Ipv4Header *h)
{
  return (size_t)(h->ver_ihl & 0x0f) * 4;
}

/* The ICMP header after `h` (len bytes from it), or NULL. */
static const IcmpHeader *explain_icmp(const Ipv4Header *h, size_t len)
{
  if (h->proto != IPPROTO_ICMP_NUM || len < explain_ihl(h) + ICMP_HEADER_LEN)
    return NULL;
  return (const IcmpHeader *)((const uint8_t *)h + explain_ihl(h));
}

static const char *explain_proto_name(uint8_t proto)
{
  switch (proto) {
  case IPPROTO_ICMP_NUM:
    return "ICMP";
  case IPPROTO_UDP_NUM:
    return "UDP";
  case IPPROTO_TCP_NUM:
    return "TCP";
  case 89:
    return "OSPF";
  default:
    return "another protocol";
  }
}

/* ---- the sender's upper layers ------------------------------------------- */

/* The ping app on `node` whose echo identifier is `id`, or NULL. */
static const App *explain_ping_app(const Explain *ex, const Node *node, uint16_t id)
{
  for (guint i = 0; i < ex->net->apps->len; i++) {
    const App *app = g_ptr_array_index(ex->net->apps, i);
    if (app->node == node && app->conf->kind == APP_PING && app->echo_id == id)
      return app;
  }
  return NULL;
}

/* The application and ICMP steps of an ICMP message the node sends. */
static void explain_send_icmp(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, size_t len)
{
  const IcmpHeader *icmp = explain_icmp(h, len);
  char dst[ADDR_IPV4_TEXT];
  size_t data = g_ntohs(h->total_len) - explain_ihl(h) - ICMP_HEADER_LEN;
  if (!icmp)
    return;
  if (icmp->type == ICMP_ECHO_REQUEST) {
    const App *app = explain_ping_app(ex, node, g_ntohs(icmp->u.echo.id));
    explain_step(ex, now, node->name, "application",
                 "%s%s sends an ICMP echo request, seq %u, with %zu data bytes, to %s", app ? app->conf->name : "",
                 app ? " (ping)" : "an application", g_ntohs(icmp->u.echo.seq), data, explain_ip(g_ntohl(h->dst), dst));
    explain_step(
        ex, now, node->name, "internet",
        "ICMP has no port and no transport layer under it: an 8-byte ICMP header (type 8, echo request; id %u, "
        "seq %u) goes in front of the data, and the message goes straight to IPv4",
        g_ntohs(icmp->u.echo.id), g_ntohs(icmp->u.echo.seq));
  } else {
    explain_step(ex, now, node->name, "internet",
                 "ICMP sends a message of type %u code %u (%zu bytes after its header)", icmp->type, icmp->code, data);
  }
}

/* Appends the names of the TCP flags set in `flags`: "SYN ACK". */
static void explain_tcp_flags(GString *out, uint8_t flags)
{
  static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (flags & (1u << i))
      g_string_append_printf(out, "%s%s", out->len ? " " : "", names[i]);
}

/* The send buffer step of a TCP segment `th` that `node` sends to `dst`. */
static void explain_send_buffer(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, const TcpHeader *th)
{
  TcpBuffersView v;
  if (!tcp_buffers_view(node, g_ntohl(h->src), g_ntohs(th->sport), g_ntohl(h->dst), g_ntohs(th->dport), &v))
    return;
  explain_step(ex, now, node->name, "transport",
               "the socket's send buffer holds %zu of its %zu bytes (what the application wrote and the peer has not "
               "acknowledged yet); with this segment, %u bytes are in flight, within the congestion window (%u bytes) "
               "and the peer's receive window (%u bytes)",
               v.buffered, v.capacity, v.in_flight, v.cwnd, v.snd_wnd);
}

/* The transport step of a UDP datagram or TCP segment the node sends. */
static void explain_send_transport(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, size_t len)
{
  const uint8_t *t = (const uint8_t *)h + explain_ihl(h);
  size_t tlen = len - explain_ihl(h);
  if (h->proto == IPPROTO_UDP_NUM && tlen >= UDP_HEADER_LEN) {
    const UdpHeader *u = (const UdpHeader *)t;
    char *who = ex->sel_flow && ex->sel_app->node == node
                    ? g_strdup_printf("%s (%s)", ex->sel_app->conf->name, app_kind_name(ex->sel_app->conf->kind))
                    : g_strdup("an application");
    explain_step(ex, now, node->name, "application",
                 "%s writes %u bytes to a UDP socket: UDP keeps no send buffer, so the datagram goes down at once", who,
                 g_ntohs(u->len) - UDP_HEADER_LEN);
    g_free(who);
    explain_step(ex, now, node->name, "transport", "UDP adds an 8-byte header: port %u > port %u, length %u",
                 g_ntohs(u->sport), g_ntohs(u->dport), g_ntohs(u->len));
  } else if (h->proto == IPPROTO_TCP_NUM && tlen >= sizeof(TcpHeader)) {
    const TcpHeader *th = (const TcpHeader *)t;
    size_t hl = (size_t)(th->off >> 4) * 4;
    GString *flags = g_string_new(NULL);
    explain_tcp_flags(flags, th->flags);
    explain_step(ex, now, node->name, "transport",
                 "TCP sends a segment: port %u > port %u, flags %s, seq %u, %zu bytes of header and %zu of data",
                 g_ntohs(th->sport), g_ntohs(th->dport), flags->str, g_ntohl(th->seq), hl, tlen > hl ? tlen - hl : 0);
    g_string_free(flags, TRUE);
    if (tlen > hl) /* a SYN or a bare ACK takes nothing from the send buffer */
      explain_send_buffer(ex, now, node, h, th);
  } else if (h->proto == IPPROTO_ICMP_NUM) {
    explain_send_icmp(ex, now, node, h, len);
  }
}

/* The IPv4 header step of a datagram the node sends. */
static void explain_send_header(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h)
{
  char src[ADDR_IPV4_TEXT], dst[ADDR_IPV4_TEXT];
  explain_step(ex, now, node->name, "internet",
               "IPv4 adds a %zu-byte header: source %s, destination %s, TTL %u, protocol %s (%u), identification %u, "
               "%u bytes in all",
               explain_ihl(h), explain_ip(g_ntohl(h->src), src), explain_ip(g_ntohl(h->dst), dst), h->ttl,
               explain_proto_name(h->proto), h->proto, g_ntohs(h->id), g_ntohs(h->total_len));
}

/* ---- route lookup and address resolution -------------------------------- */

/* Appends the routes of `node` that match `dst` (through interfaces that
 * are up) and returns how many; *same gets how many are /len. */
static guint explain_candidates(GString *out, const Node *node, uint32_t dst, uint8_t len, guint *same)
{
  const GArray *routes = route_table_routes(node->ip->routes);
  guint n = 0;
  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if ((dst & addr_mask(r->len)) != r->prefix || !r->iface || !r->iface->up)
      continue;
    *same += r->len == len;
    g_string_append(out, n++ ? ", " : "");
    explain_append_route(out, r);
  }
  return n;
}

/* The route lookup step for `h`'s destination at `node`; returns the next hop. */
static uint32_t explain_lookup(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h)
{
  uint32_t dst = g_ntohl(h->dst);
  const Route *r = ipv4_route_flow((Node *)node, g_ntohl(h->src), dst);
  char d[ADDR_IPV4_TEXT], hop[ADDR_IPV4_TEXT], len[8];
  if (!r)
    return 0;
  GString *used = g_string_new(NULL), *all = g_string_new(NULL);
  explain_append_route(used, r);
  guint same = 0, n = explain_candidates(all, node, dst, r->len, &same);
  guint total = route_table_routes(node->ip->routes)->len;
  g_snprintf(len, sizeof len, "/%u", r->len);
  uint32_t next = r->gateway ? r->gateway : dst;
  if (n <= 1)
    explain_step(ex, now, node->name, "internet",
                 "route lookup for %s: %s matches, the only one of the %u %s in its table that does; next hop %s%s",
                 explain_ip(dst, d), used->str, total, units_plural(total, "route", "routes"), explain_ip(next, hop),
                 r->gateway ? "" : " itself (on-link)");
  else
    explain_step(ex, now, node->name, "internet",
                 "route lookup for %s: %u routes match (%s); %s wins, the longest prefix (%s)%s; next hop %s%s",
                 explain_ip(dst, d), n, all->str, used->str, len,
                 same > 1 ? ", then the lowest administrative distance and metric among those of that length" : "",
                 explain_ip(next, hop), r->gateway ? "" : " itself (on-link)");
  g_string_free(used, TRUE);
  g_string_free(all, TRUE);
  return next;
}

/* A multicast or broadcast next hop needs no ARP: says so and returns
 * TRUE (RFC 1112 6.4: 01:00:5e and the group's low 23 bits). */
static gboolean explain_resolve_group(Explain *ex, SimTime now, const Node *node, const Iface *out, uint32_t next)
{
  char hop[ADDR_IPV4_TEXT], m[ADDR_MAC_TEXT];
  gboolean bcast = next == 0xffffffffu || (out->has_ip && out->ip.len < 31 && (next | addr_mask(out->ip.len)) == next);
  if ((next >> 28) == 0xe) {
    uint8_t mac[6] = {0x01, 0x00, 0x5e, (uint8_t)((next >> 16) & 0x7f), (uint8_t)(next >> 8), (uint8_t)next};
    explain_step(ex, now, node->name, "network access",
                 "%s is a multicast group: no ARP; its frames go to %s (01:00:5e and the group's low 23 bits)",
                 explain_ip(next, hop), addr_format_mac(mac, m));
  } else if (bcast) {
    explain_step(ex, now, node->name, "network access",
                 "%s is a broadcast address: no ARP; the frame goes to ff:ff:ff:ff:ff:ff", explain_ip(next, hop));
  }
  return (next >> 28) == 0xe || bcast;
}

/* The address resolution step for `next` on `out`, after a lookup. */
static void explain_resolve(Explain *ex, SimTime now, const Node *node, const Iface *out, uint32_t next)
{
  uint8_t mac[6];
  char hop[ADDR_IPV4_TEXT], m[ADDR_MAC_TEXT];
  ex->ready_node = node;
  ex->ready_at = now;
  ex->enq_at = -1;
  if (!out || !out->arp) {
    explain_step(ex, now, node->name, "network access", "%s is a point-to-point link: no address to resolve",
                 out ? out->name : "-");
    return;
  }
  if (explain_resolve_group(ex, now, node, out, next))
    return;
  if (arp_cache_lookup(out->arp, next, mac)) {
    char *owner = explain_mac_owner(ex, mac);
    explain_step(ex, now, node->name, "network access", "ARP cache hit: %s is at %s (%s), no request needed",
                 explain_ip(next, hop), addr_format_mac(mac, m), owner);
    g_free(owner);
    return;
  }
  explain_step(ex, now, node->name, "network access",
               "ARP has no entry for %s: the datagram waits on %s while %s broadcasts who-has %s",
               explain_ip(next, hop), out->name, node->name, hop);
  ex->wait_iface = out;
  ex->wait_hop = next;
  ex->who_has = ex->arp_reply = 0;
}

/* A datagram of the node's own leaves IPv4 (`send`). */
static void explain_on_send(Explain *ex, SimTime now, const Node *node, const Iface *out, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  if (!h)
    return;
  explain_send_transport(ex, now, node, h, len);
  explain_send_header(ex, now, node, h);
  if (!out)
    return; /* no route, or looped back: the drop or delivery says */
  const Route *r = ipv4_route_flow((Node *)node, g_ntohl(h->src), g_ntohl(h->dst));
  if (r && r->iface == out) {
    explain_resolve(ex, now, node, out, explain_lookup(ex, now, node, h));
    return;
  }
  explain_step(ex, now, node->name, "internet",
               "the sender named the interface, %s (multicast, or a routing protocol's neighbour): no route lookup, "
               "the next hop is the destination itself",
               out->name);
  explain_resolve(ex, now, node, out, g_ntohl(h->dst));
}

/* A router forwards the datagram (`fwd`, TTL already decremented). */
static void explain_on_forward(Explain *ex, SimTime now, const Node *node, const Iface *out, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  char dst[ADDR_IPV4_TEXT];
  if (!h)
    return;
  explain_step(ex, now, node->name, "internet",
               "%s is not one of %s's addresses and %s is a router: it forwards the datagram, TTL %u -> %u (and "
               "updates the header checksum)",
               explain_ip(g_ntohl(h->dst), dst), node->name, node->name, h->ttl + 1u, h->ttl);
  explain_resolve(ex, now, node, out, explain_lookup(ex, now, node, h));
}

/* ---- network access: frames and links ------------------------------------ */

/* The step that ends an ARP wait on `iface`, when the datagram at last leaves. */
static void explain_arp_done(Explain *ex, SimTime now, const Iface *iface)
{
  char hop[ADDR_IPV4_TEXT], m[ADDR_MAC_TEXT];
  GString *wait = g_string_new(NULL);
  explain_duration(wait, now - ex->ready_at);
  char *owner = explain_mac_owner(ex, ex->arp_mac);
  char *request = ex->who_has ? g_strdup_printf("request #%" G_GUINT64_FORMAT, ex->who_has)
                              : g_strdup("the request sent earlier for another datagram");
  explain_step(ex, now, iface->node->name, "network access",
               "ARP resolved %s: %s (who-has, broadcast) was answered by reply #%" G_GUINT64_FORMAT
               ": %s is at %s (%s); the datagram waited %s for it",
               explain_ip(ex->wait_hop, hop), request, ex->arp_reply, hop, addr_format_mac(ex->arp_mac, m), owner,
               wait->str);
  g_free(request);
  g_free(owner);
  g_string_free(wait, TRUE);
  ex->wait_iface = NULL;
  ex->ready_at = now;
}

/* The queueing part of a transmission's step: "at once" or how long it waited. */
static void explain_queueing(Explain *ex, GString *out, const Node *node, SimTime now)
{
  if (ex->enq_at >= 0) {
    g_string_append_printf(out, "it waited in the transmit queue behind %u %s: ", ex->ahead,
                           units_plural(ex->ahead, "frame", "frames"));
    explain_duration(out, now - ex->enq_at);
    g_string_append(out, " of queueing delay");
  } else if (ex->ready_node == node && now > ex->ready_at) {
    g_string_append(out, "it left ");
    explain_duration(out, now - ex->ready_at);
    g_string_append(out, " after it was handed to the interface");
  } else {
    g_string_append(out, "the interface was idle: no queueing delay");
  }
  ex->enq_at = -1;
}

/* The frame's addresses, "frame 02:..:01 (h1 eth0) > 02:..:06 (r1 eth0), type IPv4, 98 bytes". */
static void explain_frame(Explain *ex, GString *out, const Packet *p, TraceFrom from)
{
  size_t len;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  if (from == TRACE_FROM_PPP) {
    g_string_append_printf(out, "a %zu-byte PPP frame (a %d-byte PPP header, then the datagram)", len, PPP_HEADER_LEN);
    return;
  }
  if (from != TRACE_FROM_ETHERNET || len < ETH_HEADER_LEN) {
    g_string_append_printf(out, "a %zu-byte frame", len);
    return;
  }
  const EthHeader *e = (const EthHeader *)d;
  char s[ADDR_MAC_TEXT], t[ADDR_MAC_TEXT];
  char *so = explain_mac_owner(ex, e->src), *to = explain_mac_owner(ex, e->dst);
  uint16_t type = g_ntohs(e->type);
  g_string_append_printf(out, "Ethernet frame from %s (%s) to %s (%s), type 0x%04x (%s), %zu bytes",
                         addr_format_mac(e->src, s), so, addr_format_mac(e->dst, t), to, type,
                         type == ETHERTYPE_IPV4   ? "IPv4"
                         : type == ETHERTYPE_ARP  ? "ARP"
                         : type == ETHERTYPE_VLAN ? "an IEEE 802.1Q VLAN tag"
                                                  : "other",
                         len);
  if (type == ETHERTYPE_VLAN && len >= ETH_HEADER_LEN + VLAN_TAG_LEN)
    g_string_append_printf(out, " (tagged for VLAN %u on the trunk)", (d[14] << 8 | d[15]) & 0xfff);
  g_free(so);
  g_free(to);
}

/* A station's frame on a hub's segment: serialized at the medium's rate;
 * its first bit reaches the hub after the segment's delay. */
static void explain_hub_link(Explain *ex, SimTime now, const Iface *iface, size_t len)
{
  const Link *link = iface->link;
  const Iface *port = iface_peer(iface);
  SimTime ser = link_tx_time(link, len);
  char *rate = units_format_rate(link->rate_bps);
  GString *s = g_string_new(NULL), *d = g_string_new(NULL), *at = g_string_new(NULL);
  explain_duration(s, ser);
  explain_duration(d, link->delay);
  explain_time(at, now + link->delay);
  char where[128];
  g_snprintf(where, sizeof where, "link %s:%s -> %s:%s", iface->node->name, iface->name, port->node->name, port->name);
  explain_step(ex, now, where, "network access",
               "%zu bytes at %s take %s to serialize (%zu x 8 bits / rate) on the hub's shared medium, where no other "
               "station may start until the last bit has reached the farthest one; the first bit reaches the hub "
               "after %s of propagation, at %s",
               len, rate, s->str, len, d->str, at->str);
  g_free(rate);
  g_string_free(s, TRUE);
  g_string_free(d, TRUE);
  g_string_free(at, TRUE);
}

/* The link step of a transmission start: serialization and propagation. */
static void explain_link(Explain *ex, SimTime now, const Iface *iface, size_t len)
{
  const Link *link = iface->link;
  const Iface *peer = iface_peer(iface);
  if (!link || !peer)
    return;
  if (link->hub) {
    explain_hub_link(ex, now, iface, len);
    return;
  }
  size_t wire = len + iface->ops->wire_overhead;
  SimTime ser = link_tx_time(link, wire);
  char *rate = units_format_rate(link->rate_bps);
  GString *s = g_string_new(NULL), *d = g_string_new(NULL), *at = g_string_new(NULL);
  explain_duration(s, ser);
  explain_duration(d, link->delay);
  explain_time(at, now + ser + link->delay);
  char where[128];
  g_snprintf(where, sizeof where, "link %s:%s -> %s:%s", iface->node->name, iface->name, peer->node->name, peer->name);
  explain_step(ex, now, where, "network access",
               "%zu bytes%s at %s take %s to serialize (%zu x 8 bits / rate), then %s of propagation: the last bit "
               "arrives at %s",
               wire, iface->ops->wire_overhead ? " (with the link's FCS and flag)" : "", rate, s->str, wire, d->str,
               at->str);
  g_free(rate);
  g_string_free(s, TRUE);
  g_string_free(d, TRUE);
  g_string_free(at, TRUE);
}

/* The interface is busy, or (on a hub's segment) the shared medium is: the
 * frame waits (`enq`). */
static void explain_on_tx(Explain *ex, SimTime now, const Iface *iface, TraceFrom from, const Packet *p)
{
  if (ex->wait_iface == iface)
    explain_arp_done(ex, now, iface);
  GString *text = g_string_new(NULL);
  explain_frame(ex, text, p, from);
  g_string_append(text, " leaves ");
  g_string_append(text, iface->name);
  g_string_append(text, "; ");
  explain_queueing(ex, text, iface->node, now);
  explain_step(ex, now, iface->node->name, "network access", "%s", text->str);
  g_string_free(text, TRUE);
  explain_link(ex, now, iface, packet_len(p));
}

/* The frame is queued behind others (`enq`). */
static void explain_on_enq(Explain *ex, SimTime now, const Iface *iface)
{
  if (ex->wait_iface == iface)
    explain_arp_done(ex, now, iface);
  ex->enq_at = now;
  ex->ahead = iface->queue.count ? iface->queue.count - 1 : 0;
  if (iface->link && iface->link->hub && now >= iface->busy_until && !ex->ahead) {
    GString *until = g_string_new(NULL);
    explain_time(until, hub_free_at(iface->link->hub));
    explain_step(ex, now, iface->node->name, "network access",
                 "another station's frame is on the hub's shared medium until %s: %s defers, the frame waiting in its "
                 "transmit queue",
                 until->str, iface->name);
    g_string_free(until, TRUE);
    return;
  }
  explain_step(ex, now, iface->node->name, "network access", "%s is busy: the frame joins its transmit queue, %u ahead",
               iface->name, ex->ahead);
}

/* TRUE when port `port` of a switch forwards: up, and forwarding in its
 * spanning tree if it runs one. */
static gboolean explain_port_forwards(const Node *node, const Iface *port)
{
  const Stp *stp = node->sw ? switch_stp(node->sw) : NULL;
  return port->up && (!stp || stp_port_forwarding(port));
}

/* Appends the ports of switch `node` that forward and carry VLAN `vid`,
 * but `in` (`vid` 0: every port that is up, a hub's). */
static void explain_ports(GString *out, const Node *node, const Iface *in, uint16_t vid)
{
  guint n = 0;
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *port = node_iface(node, i);
    if (port != in && explain_port_forwards(node, port) && (!vid || vlan_port_member(port, vid)))
      g_string_append_printf(out, "%s%s", n++ ? ", " : "", port->name);
  }
}

/* How long ago switch `node` last saw `mac` in VLAN `vid` (0: not in its table). */
static SimTime explain_switch_age(const Node *node, uint16_t vid, const uint8_t mac[6])
{
  GArray *entries = g_array_new(FALSE, FALSE, sizeof(SwitchEntryView));
  SimTime age = 0;
  switch_table_entries(node->sw, entries);
  for (guint i = 0; i < entries->len; i++)
    if (memcmp(g_array_index(entries, SwitchEntryView, i).mac, mac, 6) == 0 &&
        g_array_index(entries, SwitchEntryView, i).vlan == vid)
      age = g_array_index(entries, SwitchEntryView, i).age;
  g_array_free(entries, TRUE);
  return age;
}

/* A switch receives the frame, of VLAN `vid` (IEEE 802.1Q; 1 without
 * VLANs): what it learns and how it decides. */
static void explain_switch(Explain *ex, SimTime now, const Node *node, const Iface *in, const EthHeader *e,
                           uint16_t vid)
{
  char s[ADDR_MAC_TEXT], t[ADDR_MAC_TEXT];
  const Iface *src_port = switch_lookup_vlan(node->sw, vid, e->src);
  const Iface *dst_port = switch_lookup_vlan(node->sw, vid, e->dst);
  GString *ports = g_string_new(NULL), *age = g_string_new(NULL);
  explain_ports(ports, node, in, vid);
  explain_duration(age, explain_switch_age(node, vid, e->src));
  addr_format_mac(e->src, s);
  addr_format_mac(e->dst, t);
  if (src_port == in)
    explain_step(ex, now, node->name, "network access",
                 "the frame arrives on %s; the switch already knows %s is there (it learned it from a frame %s "
                 "ago) and refreshes the entry",
                 in->name, s, age->str);
  else
    explain_step(ex, now, node->name, "network access", "the frame arrives on %s; the switch learns that %s is on %s",
                 in->name, s, in->name);
  if (e->dst[0] & 1)
    explain_step(ex, now, node->name, "network access", "%s is a broadcast address: it floods the frame out of %s", t,
                 ports->str);
  else if (dst_port)
    explain_step(ex, now, node->name, "network access",
                 "its MAC table has %s on %s: it forwards the frame out of %s only", t, dst_port->name, dst_port->name);
  else
    explain_step(ex, now, node->name, "network access",
                 "its MAC table has no entry for %s yet: it floods the frame out of every other port (%s)", t,
                 ports->str);
  g_string_free(ports, TRUE);
  g_string_free(age, TRUE);
  ex->ready_node = node;
  ex->ready_at = now;
}

/* A host or router receives an ARP packet: it answers, learns, or ignores it. */
static void explain_arp_rx(Explain *ex, SimTime now, const Node *node, const Iface *in, const ArpWire *a)
{
  char spa[ADDR_IPV4_TEXT], tpa[ADDR_IPV4_TEXT], m[ADDR_MAC_TEXT];
  explain_ip(g_ntohl(a->spa), spa);
  explain_ip(g_ntohl(a->tpa), tpa);
  addr_format_mac(a->sha, m);
  gboolean mine = in->has_ip && in->ip.addr == g_ntohl(a->tpa);
  if (g_ntohs(a->op) == ARP_OP_REQUEST && mine)
    explain_step(ex, now, node->name, "network access",
                 "ARP: who-has %s is for %s's own address: it notes that %s is at %s and answers with an ARP reply",
                 tpa, node->name, spa, m);
  else if (g_ntohs(a->op) == ARP_OP_REQUEST)
    explain_step(ex, now, node->name, "network access", "ARP: who-has %s is not for %s, which ignores it", tpa,
                 node->name);
  else
    explain_step(ex, now, node->name, "network access",
                 "ARP: the reply says %s is at %s; %s caches it and sends the datagrams that waited for it", spa, m,
                 node->name);
  if (mine || g_ntohs(a->op) == ARP_OP_REPLY) {
    ex->delivered_at = node;
    ex->end_at = now;
  }
}

/* A hub receives the frame's first bit on `in`: it repeats it at once out
 * of every other port. */
static void explain_hub(Explain *ex, SimTime now, const Node *node, const Iface *in, size_t len)
{
  GString *ports = g_string_new(NULL), *s = g_string_new(NULL);
  explain_ports(ports, node, in, 0);
  explain_duration(s, link_tx_time(in->link, len));
  explain_step(ex, now, node->name, "network access",
               "the frame's first bit arrives on %s; a hub has no MAC table: it repeats the frame at once, bit by "
               "bit, out of every other port (%s), each copy reaching its station %s (the serialization) plus that "
               "segment's delay from now",
               in->name, ports->len ? ports->str : "none", s->str);
  g_string_free(ports, TRUE);
  g_string_free(s, TRUE);
}

/* An interface receives the frame (`rx`). */
static void explain_on_rx(Explain *ex, SimTime now, const Node *node, const Iface *in, TraceFrom from, const Packet *p)
{
  size_t len;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  if (node->sw && from == TRACE_FROM_ETHERNET && len >= ETH_HEADER_LEN && vlan_frame_vid(in, d, len) &&
      explain_port_forwards(node, in)) { /* else the drop tells why */
    explain_switch(ex, now, node, in, (const EthHeader *)d, vlan_frame_vid(in, d, len));
    return;
  }
  if (node->hub) {
    explain_hub(ex, now, node, in, len);
    return;
  }
  explain_step(ex, now, node->name, "network access", "%s receives the frame (%zu bytes)", in->name, len);
  const ArpWire *a = node->sw ? NULL : explain_arp(p, from); /* a switch's port reads no ARP */
  if (a)
    explain_arp_rx(ex, now, node, in, a);
}

/* ---- the end: delivery or drop ------------------------------------------- */

/* TCP hands the segment `t` (tlen bytes) to its connection: the receive buffer's figures. */
static void explain_tcp_rx(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, const uint8_t *t,
                           size_t tlen)
{
  TcpBuffersView v;
  const TcpHeader *th = tlen >= TCP_HEADER_LEN ? (const TcpHeader *)t : NULL;
  size_t hl = th ? (size_t)(th->off >> 4) * 4 : 0, data = tlen > hl ? tlen - hl : 0;
  if (th && tcp_buffers_view(node, g_ntohl(h->dst), g_ntohs(th->dport), g_ntohl(h->src), g_ntohs(th->sport), &v))
    explain_step(ex, now, node->name, "transport",
                 "TCP hands the segment (%zu data bytes) to the connection of port %u: its receive buffer held %zu of "
                 "its %zu bytes that the application had not read yet; data in order joins them, data out of order "
                 "waits in TCP's reassembly queue",
                 data, g_ntohs(th->dport), v.rcv_buffered, v.rcv_capacity);
  else if (th && tcp_port_in_use(node, g_ntohl(h->dst), g_ntohs(th->dport)))
    explain_step(ex, now, node->name, "transport",
                 "TCP hands the segment to the listener on port %u: no connection has it yet (a SYN opens one, its "
                 "handshake's last ACK completes it)",
                 g_ntohs(th->dport));
  else
    explain_step(ex, now, node->name, "transport", "TCP finds no connection and no listener on port %u",
                 th ? g_ntohs(th->dport) : 0u);
}

/* UDP or TCP hands the data to its socket: the receive queue's figures. */
static void explain_socket_rx(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, size_t len)
{
  const uint8_t *t = (const uint8_t *)h + explain_ihl(h);
  size_t tlen = len - explain_ihl(h);
  SocketUdpQueue q;
  if (h->proto == IPPROTO_UDP_NUM && tlen >= UDP_HEADER_LEN) {
    uint16_t port = g_ntohs(((const UdpHeader *)t)->dport);
    size_t data = tlen - UDP_HEADER_LEN;
    if (socket_udp_queue(node, port, &q))
      explain_step(ex, now, node->name, "transport",
                   "UDP hands the %zu data bytes to the socket bound to port %u: its receive queue held %u %s (%zu of "
                   "its %zu bytes counted, %zu per datagram beyond its data)%s",
                   data, port, q.count, units_plural(q.count, "datagram", "datagrams"), q.bytes, q.limit, q.overhead,
                   q.bytes + data + q.overhead > q.limit
                       ? "; no room for this one"
                       : "; this one joins it, and the application is told it can read");
    else
      explain_step(ex, now, node->name, "transport", "UDP hands the %zu data bytes to the handler of port %u", data,
                   port);
    return;
  }
  explain_tcp_rx(ex, now, node, h, t, tlen);
}

/* The datagram is delivered (`deliver`): first by IPv4, then (at the same node) by UDP or TCP. */
static void explain_on_deliver(Explain *ex, SimTime now, const Node *node, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  char dst[ADDR_IPV4_TEXT];
  if (!h)
    return;
  if (ex->delivered_at == node) { /* IPv4 delivered it here already: now UDP or TCP */
    explain_socket_rx(ex, now, node, h, len);
    return;
  }
  if ((g_ntohl(h->dst) >> 28) == 0xe)
    explain_step(ex, now, node->name, "internet",
                 "%s is a multicast group that %s has joined: IPv4 takes the datagram (TTL %u on arrival) and hands "
                 "it up to %s",
                 explain_ip(g_ntohl(h->dst), dst), node->name, h->ttl, explain_proto_name(h->proto));
  else
    explain_step(ex, now, node->name, "internet",
                 "%s is %s's own address: IPv4 takes the datagram (TTL %u on arrival) and hands it up to %s",
                 explain_ip(g_ntohl(h->dst), dst), node->name, h->ttl, explain_proto_name(h->proto));
  if (h->proto == IPPROTO_UDP_NUM || h->proto == IPPROTO_TCP_NUM) /* traced once, as the transport's delivery */
    explain_socket_rx(ex, now, node, h, len);
  const IcmpHeader *icmp = explain_icmp(h, len);
  const App *app = icmp && icmp->type == ICMP_ECHO_REPLY ? explain_ping_app(ex, node, g_ntohs(icmp->u.echo.id)) : NULL;
  if (app)
    explain_step(ex, now, node->name, "application",
                 "ICMP hands the echo reply (seq %u) to %s (ping), which prints its round-trip time",
                 g_ntohs(icmp->u.echo.seq), app->conf->name);
  ex->delivered_at = node;
  ex->end_at = now;
}

/* Why `reason` dropped it at `node`, in words (explain_drop.h). */
static char *explain_drop_sentence(const Explain *ex, SimTime now, const Node *node, const Iface *iface,
                                   const Packet *p, TraceFrom from, const char *reason)
{
  DropReason r;
  if (!drop_reason_parse(reason, &r))
    return NULL;
  ExplainDrop d = {node, iface, p, from, now, ex->wait_iface == iface ? ex->wait_hop : 0};
  return explain_drop_words(r, &d);
}

/* The layer a drop of `why` belongs to: transport for UDP's and TCP's,
 * application for RIP's (over UDP), else where its bytes start. */
static const char *explain_drop_layer(const Packet *p, TraceFrom from, const char *why)
{
  DropReason r = DROP_REASON_COUNT;
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, from, &len);
  if (!drop_reason_parse(why, &r))
    return from == TRACE_FROM_IPV4 ? "internet" : "network access";
  if (r >= DROP_BAD_UDP && r <= DROP_TCP_SYN_QUEUE_FULL)
    return "transport";
  if (r >= DROP_BAD_RIP && r <= DROP_ROUTING_OFF && h && h->proto == IPPROTO_UDP_NUM)
    return "application";
  return from == TRACE_FROM_IPV4 ? "internet" : "network access";
}

/* Notes a fragment's drop for the end's account of the reassembly: held
 * when reassembly gave up (`frag-timeout`), else lost on the way. */
static void explain_fragment_drop(Explain *ex, const Packet *p, TraceFrom from, const char *why)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, from, &len);
  if (!h || p->origin != PACKET_ORIGIN_FRAGMENT || strcmp(why, "other-mac") == 0)
    return;
  guint off = (g_ntohs(h->frag) & IPV4_OFFSET_MASK) * 8u;
  size_t data = (size_t)g_ntohs(h->total_len) - explain_ihl(h);
  if (strcmp(why, "frag-timeout") == 0)
    g_string_append_printf(ex->frags_held, "%soffset %u (%zu bytes)", ex->frags_held->len ? ", " : "", off, data);
  else
    g_string_append_printf(ex->frags_lost, "%s#%" G_GUINT64_FORMAT " (offset %u, %zu bytes: %s)",
                           ex->frags_lost->len ? ", " : "", packet_id(p), off, data, why);
}

/* The packet is dropped (`drop`): a flooded copy, or its end. */
static void explain_on_drop(Explain *ex, SimTime now, const Node *node, const Iface *iface, TraceFrom from,
                            const Packet *p, const char *reason)
{
  const char *why = reason ? reason : "?";
  char *words = explain_drop_sentence(ex, now, node, iface, p, from, why);
  explain_step(ex, now, node->name, explain_drop_layer(p, from, why), "dropped%s%s (%s)%s%s", iface ? " at " : "",
               iface ? iface->name : "", why, words ? ": " : "", words ? words : "");
  g_free(words);
  explain_fragment_drop(ex, p, from, why);
  if (strcmp(why, "other-mac") == 0) {
    ex->copies_dropped++;
    return;
  }
  if (ex->delivered_at == node) /* delivered up the stack, then refused there (a routing protocol) */
    ex->delivered_at = NULL;
  ex->dropped_at = node;
  ex->end_at = now;
  g_free(ex->drop_reason);
  ex->drop_reason = g_strdup(why);
}

/* ---- other packets that matter -------------------------------------------- */

/* The ARP request and reply a waiting datagram depends on. */
static void explain_watch_arp(Explain *ex, SimTime now, const Iface *iface, TraceVerb verb, TraceFrom from,
                              const Packet *p)
{
  const ArpWire *a = explain_arp(p, from);
  if (!a || iface != ex->wait_iface)
    return;
  if (verb == TRACE_TX && g_ntohs(a->op) == ARP_OP_REQUEST && g_ntohl(a->tpa) == ex->wait_hop && !ex->who_has)
    ex->who_has = packet_id(p);
  if (verb == TRACE_RX && g_ntohs(a->op) == ARP_OP_REPLY && g_ntohl(a->spa) == ex->wait_hop) {
    ex->arp_reply = packet_id(p);
    ex->arp_reply_at = now;
    memcpy(ex->arp_mac, a->sha, 6);
  }
}

/* A fragment of the packet leaves `node` by `out`: followed from now on. */
static void explain_fragment(Explain *ex, SimTime now, const Node *node, const Iface *out, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  uint64_t id = packet_id(p);
  if (!h)
    return;
  uint16_t frag = g_ntohs(h->frag);
  g_array_append_val(ex->frags, id);
  if (ex->ready_node != node && out) /* the node's own datagram: no forwarding step did the lookup */
    explain_resolve(ex, now, node, out, explain_lookup(ex, now, node, h));
  explain_step(ex, now, node->name, "internet",
               "the datagram is larger than the MTU of %s (%u bytes): fragment #%" G_GUINT64_FORMAT
               " carries %zu bytes of it from offset %u%s",
               out ? out->name : "-", out ? out->mtu : 0, id, (size_t)g_ntohs(h->total_len) - explain_ihl(h),
               (frag & 0x1fff) * 8u, frag & IPV4_FLAG_MF ? " (more fragments follow)" : " (the last fragment)");
}

/* TRUE when `id` is the packet followed or one of its fragments. */
static gboolean explain_follows(const Explain *ex, uint64_t id)
{
  if (id == ex->want)
    return TRUE;
  for (guint i = 0; i < ex->frags->len; i++)
    if (g_array_index(ex->frags, uint64_t, i) == id)
      return TRUE;
  return FALSE;
}

/* An event of another packet: ARP for the wait, or what was made from ours. */
static void explain_other(Explain *ex, SimTime now, const Node *node, const Iface *iface, TraceVerb verb,
                          TraceFrom from, const Packet *p)
{
  if (ex->wait_iface)
    explain_watch_arp(ex, now, iface, verb, from, p);
  if (p->parent != ex->want || verb != TRACE_SEND)
    return;
  if (p->origin == PACKET_ORIGIN_FRAGMENT) {
    explain_fragment(ex, now, node, iface, p);
  } else if (p->origin == PACKET_ORIGIN_REPLY && !ex->reply_id) {
    ex->reply_id = packet_id(p);
    explain_step(ex, now, node->name, "internet", "ICMP answers with an echo reply, packet #%" G_GUINT64_FORMAT,
                 ex->reply_id);
  } else if (p->origin == PACKET_ORIGIN_ERROR && !ex->error_id) {
    ex->error_id = packet_id(p);
    explain_step(ex, now, node->name, "internet",
                 "%s reports it to the sender with an ICMP error, packet #%" G_GUINT64_FORMAT, node->name,
                 ex->error_id);
  }
}

/* ---- the hook ------------------------------------------------------------- */

/* TRUE when `p`, sent by the selected app's node, is the sel_seq-th
 * packet of its flow from there (counted in ex->sel_sent). */
static gboolean explain_selects_flow(Explain *ex, const Node *node, TraceVerb verb, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = verb == TRACE_SEND && node == ex->sel_app->node && p->origin != PACKET_ORIGIN_FRAGMENT
                            ? explain_ipv4(p, TRACE_FROM_IPV4, &len)
                            : NULL;
  TraceKey k;
  if (!h)
    return FALSE;
  trace_key_of(&k, FALSE, (const uint8_t *)h, len);
  gboolean ours = FALSE;
  for (guint i = 0; i < ex->sel_flow->addrs->len; i++)
    ours = ours || g_array_index(ex->sel_flow->addrs, uint32_t, i) == k.src;
  if (!ours || !trace_flow_match(ex->sel_flow, &k))
    return FALSE;
  return ++ex->sel_sent == (guint)ex->sel_seq;
}

/* TRUE when `p`, sent by `node`, is the echo request (or the app's packet) the selector names. */
static gboolean explain_selects(Explain *ex, const Node *node, TraceVerb verb, const Packet *p)
{
  size_t len;
  const App *app = ex->sel_app;
  if (app && ex->sel_flow)
    return explain_selects_flow(ex, node, verb, p);
  /* the app sending counts its echo requests once sent: seq - 1 before */
  if (!app || verb != TRACE_SEND || node != app->node || !app->started || app->sent + 1 != (uint64_t)ex->sel_seq)
    return FALSE;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  const IcmpHeader *icmp = h ? explain_icmp(h, len) : NULL;
  return icmp && icmp->type == ICMP_ECHO_REQUEST && g_ntohs(icmp->u.echo.id) == app->echo_id &&
         g_ntohs(icmp->u.echo.seq) == ex->sel_seq;
}

/* The first event of the packet: a title line. */
static void explain_title(Explain *ex, SimTime now, TraceFrom from, const Packet *p)
{
  size_t len;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  ex->seen = TRUE;
  ex->first_at = now;
  g_string_append_printf(ex->text, "Packet #%" G_GUINT64_FORMAT ": ", packet_id(p));
  trace_format_packet(ex->text, from, d, len);
  g_string_append(ex->text, "\n\n");
}

/* Marks the node and, for a transmission, the link on the packet's path. */
static void explain_mark(Explain *ex, const Node *node, const Iface *iface, TraceVerb verb)
{
  if (node)
    ex->nodes_on[node->index] = TRUE;
  if (verb == TRACE_TX && iface && iface->link)
    ex->links_on[iface->link->index] = TRUE;
}

static void explain_hook(void *data, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                         const Packet *p, const char *reason)
{
  Explain *ex = data;
  if (!p)
    return;
  ex->max_id = MAX(ex->max_id, packet_id(p));
  if (!ex->want && explain_selects(ex, node, verb, p))
    ex->want = p->origin == PACKET_ORIGIN_FRAGMENT && p->parent ? p->parent : packet_id(p);
  if (!ex->seen && p->origin == PACKET_ORIGIN_FRAGMENT && p->parent == ex->want) {
    g_string_append_printf(ex->text, "Packet #%" G_GUINT64_FORMAT " (sent in fragments)\n\n", ex->want);
    ex->seen = TRUE;
    ex->first_at = now;
  }
  if (!explain_follows(ex, packet_id(p))) {
    if (ex->seen)
      explain_other(ex, now, node, iface, verb, from, p);
    return;
  }
  if (!ex->seen)
    explain_title(ex, now, from, p);
  explain_mark(ex, node, iface, verb);
  switch (verb) {
  case TRACE_SEND:
    explain_on_send(ex, now, node, iface, p);
    break;
  case TRACE_FWD:
    if (!node_kind_is_l2(node->kind))
      explain_on_forward(ex, now, node, iface, p);
    break;
  case TRACE_ENQ:
    explain_on_enq(ex, now, iface);
    break;
  case TRACE_TX:
    explain_on_tx(ex, now, iface, from, p);
    break;
  case TRACE_RX:
    explain_on_rx(ex, now, node, iface, from, p);
    break;
  case TRACE_DELIVER:
    explain_on_deliver(ex, now, node, p);
    break;
  case TRACE_DROP:
    explain_on_drop(ex, now, node, iface, from, p, reason);
    break;
  }
}

/* The packet's path, for a drawing: the links and nodes it went through. */
VizHighlight explain_path(const Explain *ex)
{
  VizHighlight hl = {ex->links_on, ex->nodes_on, FALSE};
  return hl;
}

/* A trace without output that calls the recorder with every packet event
 * of the link, internet, transport and routing layers (the routing
 * protocols' drops); the network frees it. */
Trace *explain_trace(Explain *ex)
{
  Trace *t = trace_new(NULL, FALSE, TRACE_LINK | TRACE_INTERNET | TRACE_TRANSPORT | TRACE_ROUTING);
  t->hook = explain_hook;
  t->hook_data = ex;
  return t;
}

/* Appends the end of the story, once the run is over; `file` is the
 * scenario's path, for the commands that explain the reply or error. */
void explain_finish(Explain *ex, const char *file)
{
  GString *took = g_string_new(NULL);
  explain_duration(took, ex->end_at - ex->first_at);
  g_string_append_c(ex->text, '\n');
  if (ex->delivered_at)
    g_string_append_printf(ex->text, "The end: #%" G_GUINT64_FORMAT " was delivered to %s, %s after it started.\n",
                           ex->want, ex->delivered_at->name, took->str);
  else if (ex->dropped_at)
    g_string_append_printf(ex->text, "The end: #%" G_GUINT64_FORMAT " was dropped by %s (%s), %s after it started.\n",
                           ex->want, ex->dropped_at->name, ex->drop_reason, took->str);
  else
    g_string_append_printf(ex->text,
                           "The end: when the run stopped, #%" G_GUINT64_FORMAT
                           " had been neither delivered nor dropped (still queued, waiting or on a wire).\n",
                           ex->want);
  if (ex->frags_held->len)
    g_string_append_printf(ex->text,
                           "Reassembly at %s had the fragments at %s, and discarded them when it gave up; missing: "
                           "%s.\n",
                           ex->dropped_at ? ex->dropped_at->name : "the destination", ex->frags_held->str,
                           ex->frags_lost->len ? ex->frags_lost->str : "no fragment was seen dropped");
  if (ex->copies_dropped)
    g_string_append_printf(ex->text, "(%u flooded %s reached the wrong station and %s discarded there.)\n",
                           ex->copies_dropped, units_plural(ex->copies_dropped, "copy", "copies"),
                           ex->copies_dropped == 1 ? "was" : "were");
  if (ex->reply_id)
    g_string_append_printf(ex->text,
                           "The reply is #%" G_GUINT64_FORMAT ": ipsim explain %s --packet %" G_GUINT64_FORMAT "\n",
                           ex->reply_id, file, ex->reply_id);
  if (ex->error_id)
    g_string_append_printf(
        ex->text, "The ICMP error is #%" G_GUINT64_FORMAT ": ipsim explain %s --packet %" G_GUINT64_FORMAT "\n",
        ex->error_id, file, ex->error_id);
  g_string_free(took, TRUE);
}
