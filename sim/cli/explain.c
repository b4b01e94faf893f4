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
 * Leaves out: fragments are told only as the fragmentation of the packet
 * (each fragment has its own id); TCP and UDP sockets' queues; multicast.
 */
#include "sim/cli/explain.h"

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
#include "models/link/link.h"
#include "models/link/ppp_wire.h"
#include "models/link/switch.h"
#include "models/link/vlan.h"
#include "models/transport/tcp_wire.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

struct Explain {
  Network *net;
  uint64_t want;      /* the id followed; 0: not yet selected */
  const App *sel_app; /* the ping whose echo request sel_seq is followed; NULL: none */
  int sel_seq;
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
      if (memcmp(node_iface(n, j)->mac, mac, 6) == 0 && n->kind != NODE_KIND_SWITCH)
        return g_strdup_printf("%s %s", n->name, node_iface(n, j)->name);
  }
  return g_strdup("no node of the scenario");
}

/* "10.0.1.0/24 on eth0 (connected)", "0.0.0.0/0 via 10.0.1.1 on eth0 (static)". */
static void explain_route(GString *out, const Route *r)
{
  char buf[ADDR_CIDR_TEXT], gw[ADDR_IPV4_TEXT];
  g_string_append(out, addr_format_cidr(r->prefix, r->len, buf));
  if (r->gateway)
    g_string_append_printf(out, " via %s", explain_ip(r->gateway, gw));
  g_string_append_printf(out, " on %s (%s)", r->iface ? r->iface->name : "-", route_origin_name(r->origin));
}

/* Appends every route of `node`'s table, "; "-separated, or "no route at all". */
static void explain_table(GString *out, const Node *node)
{
  const GArray *routes = node->ip ? route_table_routes(node->ip->routes) : NULL;
  if (!routes || !routes->len) {
    g_string_append(out, "no route at all");
    return;
  }
  for (guint i = 0; i < routes->len; i++) {
    if (i)
      g_string_append(out, "; ");
    explain_route(out, &g_array_index(routes, Route, i));
  }
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

/* The transport step of a UDP datagram or TCP segment the node sends. */
static void explain_send_transport(Explain *ex, SimTime now, const Node *node, const Ipv4Header *h, size_t len)
{
  const uint8_t *t = (const uint8_t *)h + explain_ihl(h);
  size_t tlen = len - explain_ihl(h);
  if (h->proto == IPPROTO_UDP_NUM && tlen >= UDP_HEADER_LEN) {
    const UdpHeader *u = (const UdpHeader *)t;
    explain_step(ex, now, node->name, "application", "an application writes %u bytes to a UDP socket",
                 g_ntohs(u->len) - UDP_HEADER_LEN);
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
    explain_route(out, r);
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
  explain_route(used, r);
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

/* The link step of a transmission start: serialization and propagation. */
static void explain_link(Explain *ex, SimTime now, const Iface *iface, size_t len)
{
  const Link *link = iface->link;
  const Iface *peer = iface_peer(iface);
  if (!link || !peer)
    return;
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

/* The interface starts sending the packet (`tx`). */
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
  explain_step(ex, now, iface->node->name, "network access", "%s is busy: the frame joins its transmit queue, %u ahead",
               iface->name, ex->ahead);
}

/* Appends the ports of switch `node` that are up and carry VLAN `vid`, but `in`. */
static void explain_ports(GString *out, const Node *node, const Iface *in, uint16_t vid)
{
  guint n = 0;
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *port = node_iface(node, i);
    if (port != in && port->up && vlan_port_member(port, vid))
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

/* An interface receives the frame (`rx`). */
static void explain_on_rx(Explain *ex, SimTime now, const Node *node, const Iface *in, TraceFrom from, const Packet *p)
{
  size_t len;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  if (node->sw && from == TRACE_FROM_ETHERNET && len >= ETH_HEADER_LEN && vlan_frame_vid(in, d, len)) {
    explain_switch(ex, now, node, in, (const EthHeader *)d, vlan_frame_vid(in, d, len));
    return;
  }
  explain_step(ex, now, node->name, "network access", "%s receives the frame (%zu bytes)", in->name, len);
  const ArpWire *a = explain_arp(p, from);
  if (a)
    explain_arp_rx(ex, now, node, in, a);
}

/* ---- the end: delivery or drop ------------------------------------------- */

/* The datagram is delivered (`deliver`): first by IPv4, then (at the same node) by UDP or TCP. */
static void explain_on_deliver(Explain *ex, SimTime now, const Node *node, const Packet *p)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, TRACE_FROM_IPV4, &len);
  char dst[ADDR_IPV4_TEXT];
  if (!h)
    return;
  if (ex->delivered_at == node) /* IPv4 delivered it here already: now UDP or TCP */
    explain_step(ex, now, node->name, "transport", "%s hands the data to the socket on its destination port",
                 explain_proto_name(h->proto));
  else if ((g_ntohl(h->dst) >> 28) == 0xe)
    explain_step(ex, now, node->name, "internet",
                 "%s is a multicast group that %s has joined: IPv4 takes the datagram (TTL %u on arrival) and hands "
                 "it up to %s",
                 explain_ip(g_ntohl(h->dst), dst), node->name, h->ttl, explain_proto_name(h->proto));
  else
    explain_step(ex, now, node->name, "internet",
                 "%s is %s's own address: IPv4 takes the datagram (TTL %u on arrival) and hands it up to %s",
                 explain_ip(g_ntohl(h->dst), dst), node->name, h->ttl, explain_proto_name(h->proto));
  const IcmpHeader *icmp = explain_icmp(h, len);
  const App *app = icmp && icmp->type == ICMP_ECHO_REPLY ? explain_ping_app(ex, node, g_ntohs(icmp->u.echo.id)) : NULL;
  if (app)
    explain_step(ex, now, node->name, "application",
                 "ICMP hands the echo reply (seq %u) to %s (ping), which prints its round-trip time",
                 g_ntohs(icmp->u.echo.seq), app->conf->name);
  ex->delivered_at = node;
  ex->end_at = now;
}

/* Why `reason` dropped it at `node`, in words, or NULL. */
static char *explain_drop_words(const Node *node, const Iface *iface, const Packet *p, TraceFrom from,
                                const char *reason)
{
  size_t len;
  const Ipv4Header *h = explain_ipv4(p, from, &len);
  char dst[ADDR_IPV4_TEXT];
  if (strcmp(reason, "no-route") == 0 && h) {
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%s has no route to %s: its table holds ", node->name, explain_ip(g_ntohl(h->dst), dst));
    explain_table(s, node);
    g_string_append(s, ", and none of them matches (no default route)");
    return g_string_free(s, FALSE);
  }
  if (strcmp(reason, "frag-needed") == 0 && h && iface)
    return g_strdup_printf("the datagram (%u bytes) is larger than the MTU of %s (%u bytes) and has Don't Fragment "
                           "set, so it may not be fragmented",
                           g_ntohs(h->total_len), iface->name, iface->mtu);
  if (strcmp(reason, "other-mac") == 0)
    return g_strdup_printf("the frame is for another MAC address, so %s's network card ignores it: this copy was "
                           "flooded by a switch that did not yet know where the destination is",
                           node->name);
  if (strcmp(reason, "ttl-expired") == 0)
    return g_strdup_printf("its TTL ran out at %s (it arrived with TTL 1 or less)", node->name);
  if (strcmp(reason, "arp-failed") == 0)
    return g_strdup_printf("%s asked who-has %d times and nobody answered", node->name, ARP_MAX_REQUESTS);
  if (strcmp(reason, "queue-full") == 0)
    return g_strdup_printf("the transmit queue of %s was full", node->name);
  return NULL;
}

/* The packet is dropped (`drop`): a flooded copy, or its end. */
static void explain_on_drop(Explain *ex, SimTime now, const Node *node, const Iface *iface, TraceFrom from,
                            const Packet *p, const char *reason)
{
  const char *why = reason ? reason : "?";
  char *words = explain_drop_words(node, iface, p, from, why);
  explain_step(ex, now, node->name, from == TRACE_FROM_IPV4 ? "internet" : "network access", "dropped%s%s (%s)%s%s",
               iface ? " at " : "", iface ? iface->name : "", why, words ? ": " : "", words ? words : "");
  g_free(words);
  if (strcmp(why, "other-mac") == 0) {
    ex->copies_dropped++;
    return;
  }
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

/* TRUE when `p`, sent by `node`, is the echo request the selector names. */
static gboolean explain_selects(const Explain *ex, const Node *node, TraceVerb verb, const Packet *p)
{
  size_t len;
  const App *app = ex->sel_app;
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
    if (!node->sw)
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
  VizHighlight hl = {ex->links_on, ex->nodes_on};
  return hl;
}

/* A trace without output that calls the recorder with every packet event
 * of the link, internet and transport layers; the network frees it. */
Trace *explain_trace(Explain *ex)
{
  Trace *t = trace_new(NULL, FALSE, TRACE_LINK | TRACE_INTERNET | TRACE_TRANSPORT);
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
