/*
 * The sentence for each drop reason: see explain_drop.h. The packet's
 * bytes are read once into a DropView (the frame, the IPv4 header and the
 * transport header, each NULL when absent); each reason's function adds
 * what they and the node's state say, and falls back to the reason's
 * general rule when they say nothing.
 *
 * Entry points: explain_drop_words(), explain_drop_known(),
 * explain_append_route(), explain_append_table().
 *
 * Standards quoted: RFC 791 and RFC 1812 (IPv4, TTL, checksum), RFC 1122
 * (hosts do not forward), RFC 826 (ARP), RFC 1661/1662 (PPP), RFC 768
 * (UDP), RFC 9293 and RFC 5961 (TCP), RFC 2453 (RIP), RFC 2328 (OSPF).
 *
 * Leaves out: whether a `frag-timeout` was the timer or the eviction of
 * the oldest datagram (both are told); which fragments had arrived is
 * told at the story's end (explain.c), each fragment's drop its own.
 */
#include "sim/cli/explain_drop.h"

#include <string.h>

#include "models/internet/checksum.h"
#include "models/internet/frag.h"
#include "models/internet/ipv4.h"
#include "models/internet/ipv4_wire.h"
#include "models/link/arp.h"
#include "models/link/arp_wire.h"
#include "models/link/ethernet_wire.h"
#include "models/link/link.h"
#include "models/link/ppp_wire.h"
#include "models/link/stp.h"
#include "models/link/stp_wire.h"
#include "models/link/switch.h"
#include "models/link/vlan.h"
#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "models/transport/socket.h"
#include "models/transport/tcp_wire.h"
#include "models/transport/udp.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

/* The dropped packet's bytes, parsed. */
typedef struct {
  const ExplainDrop *d;
  const char *node; /* its name */
  const uint8_t *frame;
  size_t frame_len;         /* 0: no frame (the bytes start at IPv4) */
  const Ipv4Header *ip;     /* NULL: not IPv4, or short */
  size_t ip_len;            /* bytes from the IPv4 header on */
  const uint8_t *l4;        /* after the IPv4 header, or NULL */
  size_t l4_len;            /* bytes from l4 on, within the total length */
  char src[ADDR_IPV4_TEXT]; /* the IPv4 addresses, as text */
  char dst[ADDR_IPV4_TEXT];
} DropView;

typedef void (*DropWordsFn)(GString *out, const DropView *v);

/* ---- shared wording --------------------------------------------------------- */

/* "10.0.1.0/24 on eth0 (connected)", "0.0.0.0/0 via 10.0.1.1 on eth0 (static)". */
void explain_append_route(GString *out, const Route *r)
{
  char buf[ADDR_CIDR_TEXT], gw[ADDR_IPV4_TEXT];
  g_string_append(out, addr_format_cidr(r->prefix, r->len, buf));
  if (r->gateway)
    g_string_append_printf(out, " via %s", addr_format_ipv4(r->gateway, gw));
  g_string_append_printf(out, " on %s (%s)", r->iface ? r->iface->name : "-", route_origin_name(r->origin));
}

/* Appends every route of `node`'s table, "; "-separated, or "no route at all". */
void explain_append_table(GString *out, const Node *node)
{
  const GArray *routes = node->ip ? route_table_routes(node->ip->routes) : NULL;
  if (!routes || !routes->len) {
    g_string_append(out, "no route at all");
    return;
  }
  for (guint i = 0; i < routes->len; i++) {
    if (i)
      g_string_append(out, "; ");
    explain_append_route(out, &g_array_index(routes, Route, i));
  }
}

static void drop_duration(GString *out, SimTime t)
{
  char *text = units_format_duration(t);
  g_string_append(out, text);
  g_free(text);
}

/* The interface's name, "eth0", or "its interface". */
static const char *drop_iface(const DropView *v)
{
  return v->d->iface ? v->d->iface->name : "its interface";
}

/* The addresses of the node's interfaces, "10.0.1.10, 10.0.2.1", or "none". */
static void drop_addresses(GString *out, const Node *node)
{
  guint n = 0;
  char a[ADDR_IPV4_TEXT];
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->has_ip)
      g_string_append_printf(out, "%s%s", n++ ? ", " : "", addr_format_ipv4(node_iface(node, i)->ip.addr, a));
  if (!n)
    g_string_append(out, "none");
}

/* The Internet checksum `field` should hold: that of `len` bytes at `data`
 * with the 16-bit field at `field_at` as zero (and the pseudo-header
 * of `v` when `proto` is not 0). */
static uint16_t drop_expected_sum(const DropView *v, const uint8_t *data, size_t len, size_t field_at, uint8_t proto)
{
  uint8_t *copy = g_memdup2(data, len);
  uint16_t sum;
  copy[field_at] = copy[field_at + 1] = 0;
  sum = proto ? inet_pseudo_checksum(v->ip->src, v->ip->dst, proto, copy, len) : inet_checksum(copy, len);
  g_free(copy);
  return sum;
}

/* ", the checksum field holds 0x1234 where the bytes give 0xabcd" or nothing when it is right. */
static gboolean drop_sum(GString *out, const char *what, uint16_t found, uint16_t expected)
{
  if (found == expected)
    return FALSE;
  g_string_append_printf(out,
                         "the %s checksum field holds 0x%04x where the bytes give 0x%04x: they were damaged on "
                         "the way (or the sender computed it wrong)",
                         what, g_ntohs(found), g_ntohs(expected));
  return TRUE;
}

/* ---- network access ------------------------------------------------------------ */

static void why_queue_full(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  if (!ifc) {
    g_string_append(out, "the transmit queue was at its limit (drop-tail)");
    return;
  }
  QueueLimit lim = ifc->queue.limit;
  g_string_append_printf(out,
                         "the transmit queue of %s %s was full: it held %u %s (%" G_GUINT64_FORMAT
                         " bytes) waiting for the wire, its limit is %" G_GUINT64_FORMAT " %s, so the newcomer is "
                         "discarded at the tail (drop-tail)",
                         v->node, ifc->name, ifc->queue.count, units_plural(ifc->queue.count, "frame", "frames"),
                         ifc->queue.bytes, lim.packets ? lim.packets : lim.bytes,
                         lim.packets ? units_plural(lim.packets, "packet", "packets") : "bytes");
}

static void why_link_down(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  if (!ifc || !ifc->link) {
    g_string_append_printf(out, "%s is not connected to a link (or its carrier is down): nothing can leave by it",
                           ifc ? ifc->name : "the interface");
    return;
  }
  char *what = link_describe(ifc->link);
  if (ifc->link->up)
    g_string_append_printf(out, "the link %s is up, but %s's interface %s is down (its node is down)", what, v->node,
                           ifc->name);
  else if (ifc->link->changed_at == v->d->now)
    g_string_append_printf(out, "the link %s went down at this moment, while the frame was queued at %s or on the wire",
                           what, ifc->name);
  else {
    g_string_append_printf(out, "the link %s is down since ", what);
    drop_duration(out, ifc->link->changed_at);
    g_string_append(out, ": a frame sent on it goes nowhere");
  }
  g_free(what);
}

static void why_link_loss(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  if (!ifc || !ifc->link) {
    g_string_append(out, "the link lost it: its random loss drew this frame");
    return;
  }
  char *what = link_describe(ifc->link);
  g_string_append_printf(out,
                         "the link %s lost it on the way to %s %s: its loss rate is %g%%, and the draw from its random "
                         "stream link/%u/loss (set by the scenario's seed) fell on this frame",
                         what, v->node, ifc->name, ifc->link->loss * 100.0, ifc->link->index);
  g_free(what);
}

static void why_bad_frame(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  if (ifc && v->frame_len > (size_t)ifc->mtu + ifc->ops->header_len)
    g_string_append_printf(out, "the frame (%zu bytes) is longer than %s's MTU of %u bytes plus its %u-byte header",
                           v->frame_len, ifc->name, ifc->mtu, ifc->ops->header_len);
  else if (v->d->from == TRACE_FROM_ETHERNET && v->frame_len < ETH_HEADER_LEN)
    g_string_append_printf(out, "the frame is %zu bytes, shorter than the %d-byte Ethernet header", v->frame_len,
                           ETH_HEADER_LEN);
  else if (v->d->from == TRACE_FROM_PPP && v->frame_len >= 2 &&
           (v->frame[0] != PPP_ADDRESS || v->frame[1] != PPP_CONTROL))
    g_string_append_printf(out,
                           "the PPP frame has address 0x%02x and control 0x%02x, where RFC 1662 fixes 0xff and 0x03",
                           v->frame[0], v->frame[1]);
  else
    g_string_append(out, "the frame is malformed: shorter than its link header, a bad PPP address or control byte, "
                         "or too long for the MTU");
}

static void why_other_mac(GString *out, const DropView *v)
{
  char dst[ADDR_MAC_TEXT], own[ADDR_MAC_TEXT];
  if (v->frame_len >= ETH_HEADER_LEN && v->d->iface)
    g_string_append_printf(out, "the frame is for %s, not for %s %s (%s), so %s's network card ignores it",
                           addr_format_mac(((const EthHeader *)v->frame)->dst, dst), v->node, v->d->iface->name,
                           addr_format_mac(v->d->iface->mac, own), v->node);
  else
    g_string_append_printf(out, "the frame is for another MAC address, so %s's network card ignores it", v->node);
  const Iface *peer = v->d->iface ? iface_peer(v->d->iface) : NULL;
  if (peer && peer->node->hub)
    g_string_append_printf(out, ": this copy was repeated by %s, a hub, which sends every frame to every port",
                           peer->node->name);
  else
    g_string_append(out, ": this copy was flooded by a switch that did not yet know where the destination is");
}

static void why_unknown_ethertype(GString *out, const DropView *v)
{
  if (v->frame_len >= ETH_HEADER_LEN)
    g_string_append_printf(out, "its EtherType 0x%04x is no protocol %s speaks",
                           g_ntohs(((const EthHeader *)v->frame)->type), v->node);
  else
    g_string_append_printf(out, "its EtherType is no protocol %s speaks", v->node);
  g_string_append(out, " (only IPv4, 0x0800, and ARP, 0x0806)");
}

static void why_ppp_protocol(GString *out, const DropView *v)
{
  if (v->frame_len >= PPP_HEADER_LEN)
    g_string_append_printf(out, "the PPP frame carries protocol 0x%04x, ", (v->frame[2] << 8) | v->frame[3]);
  else
    g_string_append(out, "the PPP frame carries another protocol, ");
  g_string_append(out,
                  "not IPv4 (0x0021): RFC 1661 would answer with a Protocol-Reject, which ipsim counts as this drop");
}

static void why_same_port(GString *out, const DropView *v)
{
  char dst[ADDR_MAC_TEXT];
  const char *port = drop_iface(v);
  if (v->frame_len >= ETH_HEADER_LEN)
    g_string_append_printf(out, "the switch's MAC table has %s on %s, the port the frame came in on: ",
                           addr_format_mac(((const EthHeader *)v->frame)->dst, dst), port);
  else
    g_string_append_printf(out, "the destination is on %s, the port the frame came in on: ", port);
  g_string_append(out, "the destination has it already, so the switch filters it");
}

/* The VLAN ID of the frame's first 802.1Q tag, or -1 when it has none
 * whole. */
static int drop_vlan_id(const DropView *v)
{
  if (v->frame_len < ETH_HEADER_LEN + 2 || (v->frame[12] << 8 | v->frame[13]) != VLAN_TPID)
    return -1;
  return (v->frame[14] << 8 | v->frame[15]) & 0x0fff;
}

/* "eth1 (vlan 10)", "eth2 (trunk 10,20)": the port and its VLAN mode. */
static void drop_vlan_port(GString *out, const DropView *v)
{
  g_string_append(out, drop_iface(v));
  if (!v->d->iface || !v->d->iface->vlan)
    return;
  g_string_append(out, " (");
  vlan_port_describe(v->d->iface, out);
  g_string_append_c(out, ')');
}

static void why_vlan_tagged_access(GString *out, const DropView *v)
{
  int vid = drop_vlan_id(v);
  if (vid >= 0)
    g_string_append_printf(out, "the frame carries an 802.1Q tag of VLAN %d, but ", vid);
  else
    g_string_append(out, "the frame is tagged, but ");
  drop_vlan_port(out, v);
  g_string_append(out, " is an access port: it takes untagged frames only, as a host sends them (IEEE 802.1Q)");
}

static void why_vlan_double_tag(GString *out, const DropView *v)
{
  if (v->frame_len >= ETH_HEADER_LEN && (v->frame[12] << 8 | v->frame[13]) == VLAN_TPID_QINQ)
    g_string_append(out, "the frame carries a QinQ service tag (TPID 0x88a8, IEEE 802.1ad)");
  else
    g_string_append(out, "the frame carries a second 802.1Q tag inside its first");
  g_string_append_printf(out, ": %s bridges frames of one tag only", v->node);
}

static void why_vlan_not_allowed(GString *out, const DropView *v)
{
  int vid = drop_vlan_id(v);
  if (vid == 0x0fff) {
    g_string_append(out, "its tag names VLAN 4095, which IEEE 802.1Q reserves");
    return;
  }
  if (v->d->iface && !v->d->iface->vlan && vid > 0) {
    g_string_append_printf(out, "%s has no subinterface for VLAN %d on %s (a %s.%d would take it)", v->node, vid,
                           drop_iface(v), drop_iface(v), vid);
    return;
  }
  if (vid > 0)
    g_string_append_printf(out, "VLAN %d is not one the port ", vid);
  else
    g_string_append(out, "the frame is untagged and the port's native VLAN is not one the port ");
  drop_vlan_port(out, v);
  g_string_append(out, " carries");
}

static void why_vlan_truncated(GString *out, const DropView *v)
{
  g_string_append_printf(out,
                         "the frame is %zu bytes long and ends inside its 4-byte 802.1Q tag (a tagged frame has "
                         "at least 18 bytes of header)",
                         v->frame_len);
}

/* What is wrong with a BPDU of `len` bytes at `b` (after the LLC header). */
static void drop_bpdu_fault(GString *out, const uint8_t *b, size_t len)
{
  size_t need = len >= 4 && b[BPDU_OFF_TYPE] == BPDU_TYPE_TCN   ? BPDU_TCN_LEN
                : len >= 4 && b[BPDU_OFF_TYPE] == BPDU_TYPE_RST ? BPDU_RST_LEN
                                                                : BPDU_CONFIG_LEN;
  if (len >= 2 && (b[0] << 8 | b[1]) != BPDU_PROTOCOL_ID)
    g_string_append_printf(out, "its protocol identifier is 0x%04x, not 0 (IEEE 802.1D 9.3)", b[0] << 8 | b[1]);
  else if (len >= 4 && b[BPDU_OFF_TYPE] != BPDU_TYPE_CONFIG && b[BPDU_OFF_TYPE] != BPDU_TYPE_TCN &&
           b[BPDU_OFF_TYPE] != BPDU_TYPE_RST)
    g_string_append_printf(out, "its type 0x%02x is none of configuration (0x00), TCN (0x80) and RST (0x02)",
                           b[BPDU_OFF_TYPE]);
  else if (len < need)
    g_string_append_printf(out, "it is truncated: %zu bytes of BPDU where its type needs %zu", len, need);
  else
    g_string_append(out, "it is the switch's own BPDU, come back to it (through a hub, or a loop of switches that run "
                         "no spanning tree)");
}

static void why_bad_bpdu(GString *out, const DropView *v)
{
  const uint8_t *llc = v->frame + ETH_HEADER_LEN;
  size_t len = v->frame_len > ETH_HEADER_LEN ? v->frame_len - ETH_HEADER_LEN : 0;
  g_string_append(out, "the frame is addressed to the spanning tree (01:80:c2:00:00:00) but is no valid BPDU: ");
  if (len < LLC_HEADER_LEN)
    g_string_append_printf(out, "it ends %zu bytes after its header, inside the LLC header", len);
  else if (llc[0] != LLC_SAP_STP || llc[1] != LLC_SAP_STP || llc[2] != LLC_CTRL_UI)
    g_string_append_printf(out, "its LLC header is DSAP 0x%02x SSAP 0x%02x control 0x%02x, not 0x42 0x42 0x03", llc[0],
                           llc[1], llc[2]);
  else
    drop_bpdu_fault(out, llc + LLC_HEADER_LEN, len - LLC_HEADER_LEN);
}

static void why_stp_blocked(GString *out, const DropView *v)
{
  const Iface *in = v->d->iface;
  const Stp *stp = in && in->node->sw ? switch_stp(in->node->sw) : NULL;
  guint index = 0;
  while (stp && index < in->node->ifaces->len && node_iface(in->node, index) != in)
    index++;
  if (!stp || index == in->node->ifaces->len) {
    g_string_append_printf(out, "the spanning tree of %s does not let %s forward", v->node, drop_iface(v));
    return;
  }
  StpPortView pv;
  stp_port_view(stp, index, &pv);
  g_string_append_printf(out, "%s is %s %s port of %s's spanning tree, in state %s: ", in->name,
                         pv.role == STP_ROLE_ALTERNATE ? "an" : "a", stp_role_names[pv.role], v->node,
                         stp_state_names[pv.state]);
  if (pv.state == STP_STATE_LEARNING)
    g_string_append(out, "it learns the addresses of what arrives but forwards nothing yet (forward delay)");
  else
    g_string_append(out, "it forwards nothing, so that the loop of switches stays a tree (it still hears BPDUs)");
}

static void why_llc_frame(GString *out, const DropView *v)
{
  const uint8_t *llc = v->frame + ETH_HEADER_LEN;
  if (v->frame_len >= ETH_HEADER_LEN + LLC_HEADER_LEN)
    g_string_append_printf(out,
                           "the frame has a length (%u) where Ethernet II has a type: an IEEE 802.3 frame with "
                           "LLC DSAP 0x%02x SSAP 0x%02x%s; ",
                           v->frame[12] << 8 | v->frame[13], llc[0], llc[1],
                           llc[0] == LLC_SAP_STP ? " (a spanning-tree BPDU)" : "");
  else
    g_string_append(out, "the frame has a length where Ethernet II has a type (an IEEE 802.3 frame); ");
  g_string_append_printf(out, "%s runs no LLC service, so its network card takes it no further", v->node);
}

static void why_bad_arp(GString *out, const DropView *v)
{
  size_t len = v->frame_len > ETH_HEADER_LEN ? v->frame_len - ETH_HEADER_LEN : 0;
  if (len < ARP_PACKET_LEN) {
    g_string_append_printf(out, "the ARP packet has %zu bytes, fewer than the %d of an Ethernet/IPv4 ARP packet", len,
                           ARP_PACKET_LEN);
    return;
  }
  const ArpWire *a = (const ArpWire *)(v->frame + ETH_HEADER_LEN);
  g_string_append_printf(out,
                         "the ARP packet says hardware type %u, protocol type 0x%04x, address lengths %u and %u, "
                         "operation %u, where %s handles only Ethernet (1) and IPv4 (0x0800), lengths 6 and 4, "
                         "requests (1) and replies (2) (RFC 826)",
                         g_ntohs(a->htype), g_ntohs(a->ptype), a->hlen, a->plen, g_ntohs(a->op), v->node);
}

static void why_arp_failed(GString *out, const DropView *v)
{
  char hop[ADDR_IPV4_TEXT], *every = units_format_duration(ARP_RETRY_INTERVAL);
  g_string_append_printf(out,
                         "%s asked who-has %s on %s %d times, %s apart, and nobody answered: no station there has "
                         "that address (or the link to it is down); the datagram had nowhere to go",
                         v->node, v->d->next_hop ? addr_format_ipv4(v->d->next_hop, hop) : "its next hop",
                         drop_iface(v), ARP_MAX_REQUESTS, every);
  g_free(every);
}

static void why_arp_queue_full(GString *out, const DropView *v)
{
  g_string_append_printf(out,
                         "%d datagrams already waited on %s for the same address to resolve (Linux's unres_qlen): "
                         "no room for another while the ARP request is unanswered",
                         ARP_QUEUE_LEN, drop_iface(v));
}

/* ---- internet --------------------------------------------------------------------- */

static void why_bad_ip_header(GString *out, const DropView *v)
{
  const uint8_t *h = v->ip ? (const uint8_t *)v->ip : NULL;
  if (!h)
    g_string_append_printf(out, "the datagram is shorter than the %d-byte IPv4 header", IPV4_HEADER_LEN);
  else if ((h[0] >> 4) != 4)
    g_string_append_printf(out, "the header says version %u, not 4", h[0] >> 4);
  else if ((h[0] & 0xf) < 5)
    g_string_append_printf(out,
                           "the header length field says %u words (%u bytes), less than the minimum of 5 (20 bytes)",
                           h[0] & 0xf, (h[0] & 0xf) * 4u);
  else
    g_string_append_printf(out, "the header length, %u bytes, runs past the %zu bytes received", (h[0] & 0xf) * 4u,
                           v->ip_len);
}

static void why_bad_ip_checksum(GString *out, const DropView *v)
{
  size_t hl = v->ip ? (size_t)(v->ip->ver_ihl & 0xf) * 4 : 0;
  if (hl >= IPV4_HEADER_LEN && hl <= v->ip_len &&
      drop_sum(out, "IPv4 header", v->ip->checksum, drop_expected_sum(v, (const uint8_t *)v->ip, hl, 10, 0)))
    return;
  g_string_append(out, "the IPv4 header checksum does not match the header's bytes: they were damaged on the way");
}

static void why_bad_ip_length(GString *out, const DropView *v)
{
  if (v->ip)
    g_string_append_printf(out,
                           "the total length field says %u bytes, but the header is %u bytes and %zu bytes of "
                           "datagram arrived",
                           g_ntohs(v->ip->total_len), (v->ip->ver_ihl & 0xf) * 4u, v->ip_len);
  else
    g_string_append(out, "the total length disagrees with the bytes the frame carried");
}

static void why_ttl_expired(GString *out, const DropView *v)
{
  g_string_append_printf(
      out,
      "its TTL ran out at %s: it arrived with TTL %u, and a router may not forward a datagram "
      "whose TTL would reach 0 (RFC 1812 5.3.1): a routing loop, a path longer than the sender's TTL, or a "
      "traceroute probe",
      v->node, v->ip ? v->ip->ttl : 1u);
}

/* Appends ", but R matches through IFACE, which is down (the link L is down since T)" for each route of
 * `node` that matches `dst` through an interface that is down; returns how many. */
static guint drop_down_routes(GString *out, const Node *node, uint32_t dst)
{
  const GArray *routes = route_table_routes(node->ip->routes);
  guint n = 0;
  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if ((dst & addr_mask(r->len)) != r->prefix || !r->iface || r->iface->up)
      continue;
    g_string_append(out, n++ ? "; and " : ": ");
    explain_append_route(out, r);
    g_string_append_printf(out, " would match, but %s is down", r->iface->name);
    if (r->iface->link && !r->iface->link->up) {
      char *what = link_describe(r->iface->link);
      g_string_append_printf(out, " (the link %s is down since ", what);
      drop_duration(out, r->iface->link->changed_at);
      g_string_append_c(out, ')');
      g_free(what);
    }
  }
  return n;
}

static void why_no_route(GString *out, const DropView *v)
{
  g_string_append_printf(out, "%s has no route to %s: its table holds ", v->node, v->ip ? v->dst : "the destination");
  explain_append_table(out, v->d->node);
  if (!v->ip || !v->d->node->ip || !drop_down_routes(out, v->d->node, g_ntohl(v->ip->dst)))
    g_string_append(out, ", and none of them matches (no default route)");
}

static void why_not_a_router(GString *out, const DropView *v)
{
  g_string_append_printf(out, "%s is a host and %s is not one of its addresses (", v->node,
                         v->ip ? v->dst : "the destination");
  drop_addresses(out, v->d->node);
  g_string_append(out, "): a host does not forward datagrams (RFC 1122 3.3.4)");
}

static void why_frag_needed(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  if (v->ip && ifc)
    g_string_append_printf(out,
                           "the datagram (%u bytes) is larger than the MTU of %s (%u bytes) and has Don't Fragment "
                           "set, so it may not be fragmented",
                           g_ntohs(v->ip->total_len), ifc->name, ifc->mtu);
  else
    g_string_append(out, "the datagram is larger than the MTU and has Don't Fragment set, so it may not be fragmented");
}

/* "the fragment at offset 1480 (1480 bytes, more follow) of datagram 7 from 10.0.1.10" */
static void drop_fragment(GString *out, const DropView *v)
{
  if (!v->ip) {
    g_string_append(out, "a fragment");
    return;
  }
  uint16_t frag = g_ntohs(v->ip->frag);
  g_string_append_printf(out, "the fragment at offset %u (%zu bytes%s) of datagram %u from %s",
                         (frag & IPV4_OFFSET_MASK) * 8u, v->l4_len,
                         frag & IPV4_FLAG_MF ? ", more follow" : ", the last", g_ntohs(v->ip->id), v->src);
}

static void why_frag_timeout(GString *out, const DropView *v)
{
  char *limit = units_format_duration(REASM_TIMEOUT);
  drop_fragment(out, v);
  g_string_append_printf(out,
                         " waited at %s for the rest of its datagram, which did not all arrive within %s (the "
                         "reassembly timer), or %d datagrams were in reassembly and this was the oldest: every "
                         "fragment held is discarded",
                         v->node, limit, REASM_MAX_DATAGRAMS);
  g_free(limit);
}

static void why_frag_overlap(GString *out, const DropView *v)
{
  drop_fragment(out, v);
  g_string_append_printf(out,
                         " overlaps bytes another fragment of the datagram already brought: %s does not guess "
                         "which is right, and discards the datagram",
                         v->node);
}

static void why_frag_invalid(GString *out, const DropView *v)
{
  drop_fragment(out, v);
  g_string_append(out, " reaches past 65535 bytes, past the end the last fragment set, or has a length that is not a "
                       "multiple of 8 before the last");
}

static void why_bad_icmp(GString *out, const DropView *v)
{
  if (!v->l4 || v->l4_len < ICMP_HEADER_LEN) {
    g_string_append_printf(out, "the ICMP message has %zu bytes, fewer than its 8-byte header", v->l4 ? v->l4_len : 0);
    return;
  }
  if (!drop_sum(out, "ICMP", ((const IcmpHeader *)v->l4)->checksum, drop_expected_sum(v, v->l4, v->l4_len, 2, 0)))
    g_string_append(out, "the ICMP message is malformed");
}

static void why_unknown_protocol(GString *out, const DropView *v)
{
  g_string_append_printf(out,
                         "IPv4 protocol %u has no handler on %s (it has ICMP 1, TCP 6, UDP 17%s): it answers "
                         "with ICMP protocol unreachable",
                         v->ip ? v->ip->proto : 0u, v->node, v->d->node->ospf ? ", OSPF 89" : "");
}

/* What the well-known group `group` is, " (AllDRouters: ...)", or "". */
static const char *drop_group_name(uint32_t group)
{
  switch (group) {
  case 0xe0000001:
    return " (all systems)";
  case 0xe0000002:
    return " (all routers)";
  case 0xe0000005:
    return " (AllSPFRouters: every OSPF router)";
  case 0xe0000006:
    return " (AllDRouters: only OSPF's designated and backup designated routers join it)";
  case 0xe0000009:
    return " (RIPv2 routers: only interfaces that run RIP join it)";
  default:
    return "";
  }
}

static void why_not_member(GString *out, const DropView *v)
{
  g_string_append_printf(out, "%s%s is a multicast group that %s has not joined on %s; multicast is never forwarded",
                         v->ip ? v->dst : "the destination", v->ip ? drop_group_name(g_ntohl(v->ip->dst)) : "", v->node,
                         drop_iface(v));
}

/* ---- transport ----------------------------------------------------------------------- */

static uint16_t drop_port(const DropView *v, gboolean dst)
{
  if (!v->l4 || v->l4_len < 4)
    return 0;
  return (uint16_t)((v->l4[dst ? 2 : 0] << 8) | v->l4[dst ? 3 : 1]);
}

static void why_bad_udp(GString *out, const DropView *v)
{
  if (!v->l4 || v->l4_len < UDP_HEADER_LEN) {
    g_string_append_printf(out, "the UDP datagram has %zu bytes, fewer than its 8-byte header", v->l4 ? v->l4_len : 0);
    return;
  }
  const UdpHeader *u = (const UdpHeader *)v->l4;
  if (g_ntohs(u->len) < UDP_HEADER_LEN || g_ntohs(u->len) > v->l4_len)
    g_string_append_printf(out, "the UDP length field says %u bytes, but the datagram holds %zu", g_ntohs(u->len),
                           v->l4_len);
  else if (!u->checksum ||
           !drop_sum(out, "UDP", u->checksum, drop_expected_sum(v, v->l4, g_ntohs(u->len), 6, IPPROTO_UDP_NUM)))
    g_string_append(out, "the UDP datagram is malformed");
}

/* ": the UDP ports bound there are 9, 520" or ": no UDP port is bound there". */
static void drop_bound_ports(GString *out, const Node *node)
{
  GArray *ports = g_array_new(FALSE, FALSE, sizeof(uint16_t));
  udp_bound_ports(node, ports);
  if (!ports->len)
    g_string_append(out, " (no UDP port is bound there at all)");
  for (guint i = 0; i < ports->len; i++)
    g_string_append_printf(out, "%s%u", i ? ", " : " (the ports bound there: ", g_array_index(ports, uint16_t, i));
  if (ports->len)
    g_string_append_c(out, ')');
  g_array_free(ports, TRUE);
}

static void why_port_unreachable(GString *out, const DropView *v)
{
  uint16_t port = drop_port(v, TRUE);
  const UdpHandler *h = NULL;
  if (port && udp_port_owner(v->d->node, port, &h))
    g_string_append_printf(out,
                           "the socket bound to UDP port %u on %s is for another local address, or connected to "
                           "another peer: it does not take this datagram",
                           port, v->node);
  else if (port) {
    g_string_append_printf(out, "no socket on %s is bound to UDP port %u", v->node, port);
    drop_bound_ports(out, v->d->node);
  } else
    g_string_append_printf(out, "no socket on %s takes the datagram's UDP port", v->node);
  g_string_append(out, "; it answers with ICMP port unreachable (not to a broadcast)");
}

static void why_rcvbuf_full(GString *out, const DropView *v)
{
  SocketUdpQueue q;
  uint16_t port = drop_port(v, TRUE);
  if (port && socket_udp_queue(v->d->node, port, &q))
    g_string_append_printf(out,
                           "the receive queue of the socket on UDP port %u was full: it held %u %s, %zu bytes "
                           "counted of its %zu (each datagram counts %zu bytes beyond its data), which the "
                           "application had not read yet",
                           port, q.count, units_plural(q.count, "datagram", "datagrams"), q.bytes, q.limit, q.overhead);
  else
    g_string_append(out, "the socket's receive queue was full: the application had not read what it held");
}

/* "TCP 10.0.1.10:49152 > 10.0.2.13:80 (flags SYN, seq 1234)". */
static gboolean drop_segment(GString *out, const DropView *v)
{
  static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  if (!v->l4 || v->l4_len < TCP_HEADER_LEN) {
    g_string_append(out, "the segment");
    return FALSE;
  }
  const TcpHeader *t = (const TcpHeader *)v->l4;
  g_string_append_printf(out, "the segment %s:%u > %s:%u (flags", v->src, g_ntohs(t->sport), v->dst, g_ntohs(t->dport));
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (t->flags & (1u << i))
      g_string_append_printf(out, " %s", names[i]);
  g_string_append_printf(out, ", seq %u, ack %u)", g_ntohl(t->seq), g_ntohl(t->ack));
  return TRUE;
}

static void why_bad_tcp(GString *out, const DropView *v)
{
  if (!v->l4 || v->l4_len < TCP_HEADER_LEN) {
    g_string_append_printf(out, "the TCP segment has %zu bytes, fewer than its 20-byte header", v->l4 ? v->l4_len : 0);
    return;
  }
  size_t off = (size_t)(((const TcpHeader *)v->l4)->off >> 4) * 4;
  if (off < TCP_HEADER_LEN || off > v->l4_len)
    g_string_append_printf(out, "its data offset says a %zu-byte header, in a %zu-byte segment", off, v->l4_len);
  else if (!drop_sum(out, "TCP", ((const TcpHeader *)v->l4)->checksum,
                     drop_expected_sum(v, v->l4, v->l4_len, 16, IPPROTO_TCP_NUM)))
    g_string_append(out, "its options are malformed (a bad length, or one that runs past the header)");
}

static void why_tcp_no_socket(GString *out, const DropView *v)
{
  drop_segment(out, v);
  g_string_append_printf(out,
                         " belongs to no connection of %s, and no listener is on port %u: it answers with a RST "
                         "(unless the segment was a RST itself; RFC 9293 3.10.7.1)",
                         v->node, drop_port(v, TRUE));
}

static void why_tcp_out_of_window(GString *out, const DropView *v)
{
  drop_segment(out, v);
  g_string_append(out, " is not acceptable: its sequence numbers fall outside the receive window, it is an old "
                       "duplicate, or its timestamp fails PAWS; TCP answers with an ACK of what it expects (RFC 9293 "
                       "3.10.7.4)");
}

static void why_tcp_bad_ack(GString *out, const DropView *v)
{
  drop_segment(out, v);
  g_string_append(out, " acknowledges data never sent, or lacks the ACK its connection's state requires (RFC 9293 "
                       "3.10.7.4)");
}

static void why_tcp_rst(GString *out, const DropView *v)
{
  drop_segment(out, v);
  g_string_append(out, " is a RST whose sequence number is not the one expected: outside the window it is ignored, "
                       "inside it gets a challenge ACK (RFC 5961 3.2), against blind resets");
}

static void why_tcp_syn_queue_full(GString *out, const DropView *v)
{
  drop_segment(out, v);
  g_string_append_printf(out,
                         " asks to open a connection to the listener on port %u, whose backlog of connections not "
                         "yet accepted is full: the SYN is ignored, and the client will retransmit it",
                         drop_port(v, TRUE));
}

/* ---- routing protocols --------------------------------------------------------------- */

static void why_bad_rip(GString *out, const DropView *v)
{
  if (v->l4 && v->l4_len >= UDP_HEADER_LEN + 4)
    g_string_append_printf(out, "the RIP packet from %s says command %u, version %u: ", v->src, v->l4[8], v->l4[9]);
  g_string_append(out, "it is truncated, of a bad version or command, or an entry has a bad address family, address "
                       "or metric (RFC 2453 3.9.2)");
}

static void why_rip_not_neighbor(GString *out, const DropView *v)
{
  const Iface *ifc = v->d->iface;
  uint16_t sport = drop_port(v, FALSE);
  char net[ADDR_CIDR_TEXT];
  if (v->ip && sport && sport != RIP_PORT)
    g_string_append_printf(out, "the response from %s comes from port %u, not from RIP's port %d", v->src, sport,
                           RIP_PORT);
  else if (v->ip && ifc && ifc->has_ip && ifc->ip.addr == g_ntohl(v->ip->src))
    g_string_append_printf(out, "the response comes from %s itself (%s)", v->node, v->src);
  else if (v->ip && ifc && ifc->has_ip)
    g_string_append_printf(out, "the response from %s is not from %s's subnet %s", v->src, ifc->name,
                           addr_format_cidr(ifc->ip.addr & addr_mask(ifc->ip.len), ifc->ip.len, net));
  else
    g_string_append(out, "the response is not from port 520, not from a neighbour on the interface's subnet, or from "
                         "the router itself");
  g_string_append(out, ": RIP takes routes only from its neighbours (RFC 2453 3.9.2)");
}

static void why_bad_ospf(GString *out, const DropView *v)
{
  if (v->l4 && v->l4_len >= 4)
    g_string_append_printf(out, "the OSPF packet from %s says version %u, type %u, length %u: ", v->src, v->l4[0],
                           v->l4[1], (v->l4[2] << 8) | v->l4[3]);
  g_string_append(out, "it is truncated, not version 2, of a bad length, checksum or unknown type, or it carries the "
                       "router's own ID (RFC 2328 8.2)");
}

static void why_ospf_mismatch(GString *out, const DropView *v)
{
  char area[ADDR_IPV4_TEXT];
  if (v->l4 && v->l4_len >= 12)
    g_string_append_printf(out, "the OSPF packet from %s (area %s): ", v->src,
                           addr_format_ipv4(((uint32_t)v->l4[8] << 24) | ((uint32_t)v->l4[9] << 16) |
                                                ((uint32_t)v->l4[10] << 8) | v->l4[11],
                                            area));
  g_string_append_printf(out,
                         "another area or subnet than %s's, other hello or dead intervals, or from a router not "
                         "adjacent enough for this packet (RFC 2328 10.5)",
                         drop_iface(v));
}

static void why_bad_lsa(GString *out, const DropView *v)
{
  g_string_append_printf(out,
                         "an LSA in the update from %s has a bad checksum, length or age, or an unknown type (RFC "
                         "2328 13)",
                         v->ip ? v->src : "the neighbour");
}

static void why_routing_off(GString *out, const DropView *v)
{
  g_string_append_printf(out, "a %s packet on %s, where %s runs no such protocol or the interface is passive",
                         v->ip && v->ip->proto == OSPF_PROTO ? "OSPF" : "RIP", drop_iface(v), v->node);
}

static void why_tap_write(GString *out, const DropView *v)
{
  g_string_append_printf(out, "the Linux kernel refused the frame written to %s's TAP device", drop_iface(v));
}

/* ---- the table ---------------------------------------------------------------------- */

static const DropWordsFn drop_words[DROP_REASON_COUNT] = {
    [DROP_QUEUE_FULL] = why_queue_full,
    [DROP_LINK_DOWN] = why_link_down,
    [DROP_LINK_LOSS] = why_link_loss,
    [DROP_BAD_FRAME] = why_bad_frame,
    [DROP_OTHER_MAC] = why_other_mac,
    [DROP_UNKNOWN_ETHERTYPE] = why_unknown_ethertype,
    [DROP_PPP_PROTOCOL] = why_ppp_protocol,
    [DROP_SWITCH_SAME_PORT] = why_same_port,
    [DROP_BAD_ARP] = why_bad_arp,
    [DROP_BAD_BPDU] = why_bad_bpdu,
    [DROP_STP_BLOCKED] = why_stp_blocked,
    [DROP_LLC_FRAME] = why_llc_frame,
    [DROP_VLAN_TAGGED_ACCESS] = why_vlan_tagged_access,
    [DROP_VLAN_DOUBLE_TAG] = why_vlan_double_tag,
    [DROP_VLAN_NOT_ALLOWED] = why_vlan_not_allowed,
    [DROP_VLAN_TRUNCATED] = why_vlan_truncated,
    [DROP_ARP_FAILED] = why_arp_failed,
    [DROP_ARP_QUEUE_FULL] = why_arp_queue_full,
    [DROP_BAD_IP_HEADER] = why_bad_ip_header,
    [DROP_BAD_IP_CHECKSUM] = why_bad_ip_checksum,
    [DROP_BAD_IP_LENGTH] = why_bad_ip_length,
    [DROP_TTL_EXPIRED] = why_ttl_expired,
    [DROP_NO_ROUTE] = why_no_route,
    [DROP_NOT_A_ROUTER] = why_not_a_router,
    [DROP_FRAG_NEEDED] = why_frag_needed,
    [DROP_FRAG_TIMEOUT] = why_frag_timeout,
    [DROP_FRAG_OVERLAP] = why_frag_overlap,
    [DROP_FRAG_INVALID] = why_frag_invalid,
    [DROP_BAD_ICMP] = why_bad_icmp,
    [DROP_UNKNOWN_PROTOCOL] = why_unknown_protocol,
    [DROP_NOT_MEMBER] = why_not_member,
    [DROP_BAD_UDP] = why_bad_udp,
    [DROP_PORT_UNREACHABLE] = why_port_unreachable,
    [DROP_SOCKET_RCVBUF_FULL] = why_rcvbuf_full,
    [DROP_BAD_TCP] = why_bad_tcp,
    [DROP_TCP_NO_SOCKET] = why_tcp_no_socket,
    [DROP_TCP_OUT_OF_WINDOW] = why_tcp_out_of_window,
    [DROP_TCP_BAD_ACK] = why_tcp_bad_ack,
    [DROP_TCP_RST] = why_tcp_rst,
    [DROP_TCP_SYN_QUEUE_FULL] = why_tcp_syn_queue_full,
    [DROP_BAD_RIP] = why_bad_rip,
    [DROP_RIP_NOT_NEIGHBOR] = why_rip_not_neighbor,
    [DROP_BAD_OSPF] = why_bad_ospf,
    [DROP_OSPF_MISMATCH] = why_ospf_mismatch,
    [DROP_BAD_LSA] = why_bad_lsa,
    [DROP_ROUTING_OFF] = why_routing_off,
    [DROP_TAP_WRITE] = why_tap_write,
};

gboolean explain_drop_known(DropReason reason)
{
  return reason < DROP_REASON_COUNT && drop_words[reason] != NULL;
}

/* Reads the IPv4 header and what follows it from `d` (len bytes). */
static void drop_view_ip(DropView *v, const uint8_t *d, size_t len)
{
  if (len < IPV4_HEADER_LEN)
    return;
  v->ip = (const Ipv4Header *)d;
  v->ip_len = len;
  addr_format_ipv4(g_ntohl(v->ip->src), v->src);
  addr_format_ipv4(g_ntohl(v->ip->dst), v->dst);
  size_t hl = (size_t)(v->ip->ver_ihl & 0xf) * 4, total = g_ntohs(v->ip->total_len);
  if (hl < IPV4_HEADER_LEN || hl > len)
    return;
  v->l4 = d + hl;
  v->l4_len = MIN(len, MAX(total, hl)) - hl;
}

/* Parses the dropped packet's bytes, as far as they go. */
static void drop_view(DropView *v, const ExplainDrop *d)
{
  size_t len = 0;
  memset(v, 0, sizeof *v);
  v->d = d;
  v->node = d->node->name;
  const uint8_t *b = d->p ? trace_packet_bytes(d->p, d->from, &len) : NULL;
  if (!b)
    return;
  if (d->from == TRACE_FROM_IPV4) {
    drop_view_ip(v, b, len);
    return;
  }
  v->frame = b;
  v->frame_len = len;
  if (d->from == TRACE_FROM_ETHERNET && len >= ETH_HEADER_LEN &&
      g_ntohs(((const EthHeader *)b)->type) == ETHERTYPE_IPV4)
    drop_view_ip(v, b + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  else if (d->from == TRACE_FROM_PPP && len >= PPP_HEADER_LEN && b[2] == 0x00 && b[3] == 0x21)
    drop_view_ip(v, b + PPP_HEADER_LEN, len - PPP_HEADER_LEN);
}

/* Why `reason` dropped the packet, in words (a sentence without its final
 * stop); "?"-free for every reason of the table. */
char *explain_drop_words(DropReason reason, const ExplainDrop *d)
{
  DropView v;
  GString *out = g_string_new(NULL);
  if (!explain_drop_known(reason)) {
    g_string_append(out, "a reason ipsim has no words for");
    return g_string_free(out, FALSE);
  }
  drop_view(&v, d);
  drop_words[reason](out, &v);
  return g_string_free(out, FALSE);
}
