/*
 * IEEE 802.1Q-2018 VLAN bridging at a switch's ports, and VLAN
 * subinterfaces of hosts and routers.
 *
 * A switch port is an access port (one VLAN, its frames untagged: the
 * default, VLAN 1) or a trunk (a set of allowed VLANs, by default all of
 * 1-4094, and a native VLAN whose frames cross untagged). Inside the
 * switch a frame is held untagged, with its VLAN and priority beside it
 * (vlan_ingress() classifies and strips: 802.1Q clause 6.9's ingress
 * rules; vlan_egress() adds the tag a trunk needs). The tag is the 4-byte
 * C-tag: TPID 0x8100, then 3 bits of priority (PCP, 802.1p), 1 bit DEI
 * (sent 0) and the 12-bit VLAN ID. A tag with VLAN ID 0 (a priority tag)
 * stands for the port's own VLAN (clause 6.9.1). A frame keeps its
 * priority from a trunk to a trunk; untagged frames have priority 0.
 *
 * Dropped at a switch's port, with their reasons: a tagged frame on an
 * access port (vlan-tagged-access), a QinQ S-tag (0x88a8) or a tag
 * inside a tag (vlan-double-tag: no provider bridging here), a VLAN the
 * port does not carry (vlan-not-allowed), a frame ending inside its tag
 * (vlan-truncated).
 *
 * Subinterfaces (Linux's 8021q `eth0.10`, Cisco's `interface Gi0/0.10`
 * with `encapsulation dot1Q 10`): an interface of their own, with their
 * address and ARP cache and their parent's MAC. Their frames are tagged
 * and queued on the parent (vlan_subif_transmit(); counted on both, traced
 * once, as on the wire, at the parent; captured on both: untagged in the
 * subinterface's pcap, as Linux's tcpdump -i eth0.10 shows them, tagged
 * in the parent's); the parent hands each
 * frame tagged with a VLAN to that VLAN's subinterface, untagged
 * (vlan_subif_input()). Their carrier follows the parent's.
 *
 * Entry points: see vlan.h.
 *
 * Leaves out: per-VLAN spanning trees (the switch's spanning tree, if
 * any, is common to all VLANs, as 802.1Q's CST), GVRP/MVRP, private
 * VLANs, voice VLANs, DTP (a port is access or trunk as configured),
 * QinQ (802.1ad), the DEI bit's meaning, priority queueing by PCP.
 */
#include "models/link/vlan.h"

#include <string.h>

#include "models/core/node.h"
#include "models/link/arp.h"
#include "models/link/ethernet.h"
#include "models/link/stp.h"
#include "models/link/switch.h"
#include "models/observe/pcap_out.h"

#define VLAN_NO_DROP DROP_REASON_COUNT

static void vlan_port_allow_raw(VlanPortConfig *c, uint16_t vid, gboolean on);

/* The default configuration: an access port of VLAN 1 (as a trunk: every
 * VLAN allowed, native VLAN 1). */
void vlan_port_config_defaults(VlanPortConfig *c)
{
  memset(c, 0, sizeof *c);
  c->mode = VLAN_MODE_ACCESS;
  c->access = VLAN_DEFAULT;
  c->native = VLAN_DEFAULT;
  memset(c->allowed, 0xff, sizeof c->allowed); /* 1 to 4094: bits 0 (VLAN 0) and 4095 cleared */
  vlan_port_allow_raw(c, 0, FALSE);
  vlan_port_allow_raw(c, VLAN_MAX + 1, FALSE);
}

/* Sets or clears bit `vid` of the allowed bitmap (any 0-4095). */
static void vlan_port_allow_raw(VlanPortConfig *c, uint16_t vid, gboolean on)
{
  if (on)
    c->allowed[vid / 8] |= (uint8_t)(1u << (vid % 8));
  else
    c->allowed[vid / 8] &= (uint8_t) ~(1u << (vid % 8));
}

/* Allows (or disallows) VLAN `vid` (1-4094) on a trunk. */
void vlan_port_allow(VlanPortConfig *c, uint16_t vid, gboolean on)
{
  g_return_if_fail(vid >= 1 && vid <= VLAN_MAX);
  vlan_port_allow_raw(c, vid, on);
}

/* TRUE when a trunk of configuration `c` allows VLAN `vid`. */
gboolean vlan_port_allows(const VlanPortConfig *c, uint16_t vid)
{
  return vid >= 1 && vid <= VLAN_MAX && (c->allowed[vid / 8] >> (vid % 8)) & 1;
}

/* Gives switch port `port` the configuration `c` (copied). */
void vlan_port_configure(Iface *port, const VlanPortConfig *c)
{
  g_free(port->vlan);
  port->vlan = g_new(VlanPortConfig, 1);
  *port->vlan = *c;
}

/* TRUE when the switch port carries VLAN `vid`: its access VLAN, or a
 * VLAN its trunk allows. */
gboolean vlan_port_member(const Iface *port, uint16_t vid)
{
  const VlanPortConfig *c = port->vlan;
  if (!c)
    return vid == VLAN_DEFAULT;
  if (c->mode == VLAN_MODE_ACCESS)
    return vid == c->access;
  return vlan_port_allows(c, vid);
}

/* The VLAN of untagged frames on the port: its access or native VLAN. */
static uint16_t vlan_port_pvid(const Iface *port)
{
  const VlanPortConfig *c = port->vlan;
  if (!c)
    return VLAN_DEFAULT;
  return c->mode == VLAN_MODE_ACCESS ? c->access : c->native;
}

/* The 16-bit big-endian value at offset `off` of `d`. */
static uint16_t vlan_u16(const uint8_t *d, size_t off)
{
  return (uint16_t)(d[off] << 8 | d[off + 1]);
}

/* Removes the tag after the MAC addresses, padding what is left to the
 * Ethernet minimum. The frame must hold the whole tag. */
static void vlan_strip(Packet *frame)
{
  uint8_t *d = packet_data(frame);
  memmove(d + VLAN_TAG_LEN, d, 2 * ETH_ADDR_LEN);
  packet_pull(frame, VLAN_TAG_LEN);
  if (packet_len(frame) < ETH_MIN_FRAME)
    packet_put(frame, ETH_MIN_FRAME - packet_len(frame));
}

/* Inserts a tag of VLAN `vid` with priority `pcp` after the MAC addresses. */
static void vlan_push(Packet *frame, uint16_t vid, uint8_t pcp)
{
  uint8_t *d = packet_push(frame, VLAN_TAG_LEN);
  memmove(d, d + VLAN_TAG_LEN, 2 * ETH_ADDR_LEN);
  uint16_t tci = (uint16_t)((pcp & 7) << 13 | (vid & 0xfff));
  d[12] = VLAN_TPID >> 8;
  d[13] = VLAN_TPID & 0xff;
  d[14] = (uint8_t)(tci >> 8);
  d[15] = (uint8_t)tci;
}

/* Reads the C-tag of a frame that arrived on switch port `in` into `tag`;
 * returns why the frame is dropped, or VLAN_NO_DROP. */
static DropReason vlan_read_tag(const Iface *in, Packet *frame, VlanTag *tag)
{
  const uint8_t *d = packet_peek(frame, ETH_HEADER_LEN + VLAN_TAG_LEN);
  if (!d)
    return DROP_VLAN_TRUNCATED;
  uint16_t tci = vlan_u16(d, 14), inner = vlan_u16(d, 16), vid = tci & 0xfff;
  if (inner == VLAN_TPID || inner == VLAN_TPID_QINQ)
    return DROP_VLAN_DOUBLE_TAG;
  if (vid && (!in->vlan || in->vlan->mode == VLAN_MODE_ACCESS))
    return DROP_VLAN_TAGGED_ACCESS;
  tag->pcp = (uint8_t)(tci >> 13);
  if (vid)
    tag->vid = vid;
  return VLAN_NO_DROP;
}

/* Classifies a frame (with a whole Ethernet header) that arrived on switch
 * port `in`: fills `tag` with its VLAN and priority and strips its tag.
 * Returns FALSE when the port does not take it: then the frame is dropped
 * (vlan-truncated, vlan-double-tag, vlan-tagged-access or
 * vlan-not-allowed). */
gboolean vlan_ingress(Iface *in, Packet *frame, VlanTag *tag)
{
  uint16_t type = vlan_u16(packet_data(frame), 12);
  DropReason why = VLAN_NO_DROP;

  tag->vid = vlan_port_pvid(in);
  tag->pcp = 0;
  if (type == VLAN_TPID_QINQ)
    why = DROP_VLAN_DOUBLE_TAG;
  else if (type == VLAN_TPID)
    why = vlan_read_tag(in, frame, tag);
  if (why == VLAN_NO_DROP && !vlan_port_member(in, tag->vid))
    why = DROP_VLAN_NOT_ALLOWED; /* dropped as it came, tag and all, so the trace shows the VLAN */
  if (why == VLAN_NO_DROP && type == VLAN_TPID)
    vlan_strip(frame);
  if (why == VLAN_NO_DROP)
    return TRUE;
  node_drop(in->node, in, frame, why, TRACE_LINK, TRACE_FROM_ETHERNET);
  return FALSE;
}

/* The VLAN switch port `in` puts the frame `d` (`len` bytes, from its
 * Ethernet header) in, or 0 when the port drops it: what vlan_ingress()
 * decides, without the frame (for explanations). */
uint16_t vlan_frame_vid(const Iface *in, const uint8_t *d, size_t len)
{
  if (len < ETH_HEADER_LEN)
    return 0;
  uint16_t type = vlan_u16(d, 12), vid = vlan_port_pvid(in);
  if (type == VLAN_TPID_QINQ)
    return 0;
  if (type == VLAN_TPID) {
    if (len < ETH_HEADER_LEN + VLAN_TAG_LEN)
      return 0;
    uint16_t inner = vlan_u16(d, 16), tagged = vlan_u16(d, 14) & 0xfff;
    if (inner == VLAN_TPID || inner == VLAN_TPID_QINQ || (tagged && (!in->vlan || in->vlan->mode == VLAN_MODE_ACCESS)))
      return 0;
    vid = tagged ? tagged : vid;
  }
  return vlan_port_member(in, vid) ? vid : 0;
}

/* Makes the (untagged) frame of `tag`'s VLAN what switch port `out` sends:
 * tagged on a trunk, unless it is of the trunk's native VLAN. `out` must
 * carry the VLAN (vlan_port_member()). */
void vlan_egress(const Iface *out, Packet *frame, VlanTag tag)
{
  const VlanPortConfig *c = out->vlan;
  if (!c || c->mode == VLAN_MODE_ACCESS || tag.vid == c->native)
    return;
  vlan_push(frame, tag.vid, tag.pcp);
}

/* The bytes of a VLAN tag in an Ethernet frame beyond its MTU and header:
 * a tagged frame may be 4 bytes longer (1518 bytes for a 1500-byte MTU). */
size_t vlan_tag_len(const Iface *iface, const Packet *frame)
{
  const uint8_t *d = packet_peek(frame, ETH_HEADER_LEN);
  if (iface->ops->pcap_linktype != ETH_LINKTYPE || !d)
    return 0;
  uint16_t type = vlan_u16(d, 12);
  return type == VLAN_TPID || type == VLAN_TPID_QINQ ? VLAN_TAG_LEN : 0;
}

/* ---- subinterfaces ------------------------------------------------------ */

/* Makes `sub` the subinterface of VLAN `vid` on `parent` (same node):
 * its type, its parent's MAC, and its carrier. */
void vlan_subif_attach(Iface *sub, Iface *parent, uint16_t vid)
{
  sub->ops = &vlan_subif_ops;
  sub->vlan_parent = parent;
  sub->vlan_id = vid;
  memcpy(sub->mac, parent->mac, sizeof sub->mac);
  sub->up = parent->up;
}

/* Sends the complete frame a subinterface built (ethernet_output()) out of
 * its parent, tagged with its VLAN. Takes the frame. */
void vlan_subif_transmit(Iface *sub, Packet *frame)
{
  sub->counters.tx_packets++;
  sub->counters.tx_bytes += packet_len(frame);
  if (sub->pcap) /* as Linux's tcpdump -i eth0.10: untagged */
    pcap_out_write(sub->pcap, sim_now(sub->node->ctx), packet_data(frame), packet_len(frame));
  vlan_push(frame, sub->vlan_id, 0);
  iface_transmit(sub->vlan_parent, frame);
}

/* Returns the subinterface of VLAN `vid` on `parent`, or NULL. */
static Iface *vlan_subif_find(const Iface *parent, uint16_t vid)
{
  GPtrArray *ifaces = parent->node->ifaces;
  for (guint i = 0; i < ifaces->len; i++) {
    Iface *sub = g_ptr_array_index(ifaces, i);
    if (sub->vlan_parent == parent && sub->vlan_id == vid)
      return sub;
  }
  return NULL;
}

/* Checks a tagged frame that arrived on `parent` and finds where it goes:
 * its subinterface in `*to` (the parent itself for a priority tag).
 * Returns why it is dropped, or VLAN_NO_DROP. */
static DropReason vlan_subif_classify(Iface *parent, const Packet *frame, Iface **to)
{
  const uint8_t *d = packet_peek(frame, ETH_HEADER_LEN + VLAN_TAG_LEN);
  if (!d)
    return DROP_VLAN_TRUNCATED;
  uint16_t inner = vlan_u16(d, 16), vid = vlan_u16(d, 14) & 0xfff;
  if (vlan_u16(d, 12) == VLAN_TPID_QINQ || inner == VLAN_TPID || inner == VLAN_TPID_QINQ)
    return DROP_VLAN_DOUBLE_TAG;
  *to = vid ? vlan_subif_find(parent, vid) : parent;
  return *to ? VLAN_NO_DROP : DROP_VLAN_NOT_ALLOWED;
}

/* Handles a tagged frame (0x8100 or 0x88a8) that arrived on `parent`, a
 * host's or router's Ethernet interface: untags it and hands it to the
 * subinterface of its VLAN. Takes the frame; drops it (vlan-truncated,
 * vlan-double-tag, vlan-not-allowed: no such subinterface) on the parent. */
void vlan_subif_input(Iface *parent, Packet *frame)
{
  Iface *to = NULL;
  DropReason why = vlan_subif_classify(parent, frame, &to);

  if (why != VLAN_NO_DROP) {
    node_drop(parent->node, parent, frame, why, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  vlan_strip(frame);
  if (to != parent) {
    to->counters.rx_packets++;
    to->counters.rx_bytes += packet_len(frame);
    if (to->pcap)
      pcap_out_write(to->pcap, sim_now(to->node->ctx), packet_data(frame), packet_len(frame));
  }
  ethernet_input(to, frame);
}

/* The carrier of `parent` changed: its subinterfaces follow. */
void vlan_subifs_set_up(Iface *parent, gboolean up)
{
  GPtrArray *ifaces = parent->node->ifaces;
  for (guint i = 0; i < ifaces->len; i++) {
    Iface *sub = g_ptr_array_index(ifaces, i);
    if (sub->vlan_parent == parent && sub->up != up)
      iface_set_up(sub, up);
  }
}

/* A subinterface: Ethernet with ARP, its frames tagged through its parent. */
const IfaceOps vlan_subif_ops = {
    .name = "vlan",
    .output = arp_output,
    .input = ethernet_input,
    .header_len = ETH_HEADER_LEN + VLAN_TAG_LEN,
    .wire_overhead = 0,
    .pcap_linktype = ETH_LINKTYPE,
    .trace_from = TRACE_FROM_ETHERNET,
};

/* ---- broadcast domains -------------------------------------------------- */

/* One step of the walk: a frame arriving at `at`, untagged (`wire` 0) or
 * tagged with VLAN `wire`. */
typedef struct {
  Iface *at;
  uint16_t wire;
} VlanHop;

/* The VLAN a switch port puts a frame arriving as `wire` in, or 0 when it drops it. */
static uint16_t vlan_port_classify(const Iface *port, uint16_t wire)
{
  uint16_t vid = wire;
  if (!wire)
    vid = vlan_port_pvid(port);
  else if (!port->vlan || port->vlan->mode == VLAN_MODE_ACCESS)
    return 0;
  return vlan_port_member(port, vid) ? vid : 0;
}

/* How switch port `port` sends a frame of VLAN `vid`: 0 untagged, else tagged. */
static uint16_t vlan_port_wire(const Iface *port, uint16_t vid)
{
  const VlanPortConfig *c = port->vlan;
  return !c || c->mode == VLAN_MODE_ACCESS || c->native == vid ? 0 : vid;
}

/* TRUE when `port` passes frames: any port but a switch's that its
 * spanning tree does not let forward. */
static gboolean vlan_hop_forwards(const Iface *port)
{
  Stp *stp = port->node->sw ? switch_stp(port->node->sw) : NULL;
  return !stp || stp_port_forwarding(port);
}

/* Queues the frames switch `sw` sends out of its other ports, up and
 * forwarding, for VLAN `vid`. */
static void vlan_walk_switch(GArray *todo, const Iface *in, uint16_t vid)
{
  GPtrArray *ports = in->node->ifaces;
  for (guint i = 0; i < ports->len; i++) {
    Iface *port = g_ptr_array_index(ports, i), *next = iface_peer(port);
    if (port != in && port->up && next && next->up && vlan_hop_forwards(port) && vlan_hop_forwards(next) &&
        vlan_port_member(port, vid)) {
      VlanHop h = {next, vlan_port_wire(port, vid)};
      g_array_append_val(todo, h);
    }
  }
}

/* Queues the copies hub `in->node` repeats out of its other ports, up:
 * frames as they came, tag and all (a hub knows no VLANs). */
static void vlan_walk_hub(GArray *todo, const Iface *in, uint16_t wire)
{
  GPtrArray *ports = in->node->ifaces;
  for (guint i = 0; i < ports->len; i++) {
    Iface *port = g_ptr_array_index(ports, i), *next = iface_peer(port);
    if (port != in && port->up && next && next->up && vlan_hop_forwards(next)) {
      VlanHop h = {next, wire};
      g_array_append_val(todo, h);
    }
  }
}

/* Walks one hop of vlan_segment_ends(): a host's or router's interface
 * joins `out`, a switch or a hub passes the frame on. */
static void vlan_walk_hop(GArray *todo, GHashTable *seen, VlanHop h, GPtrArray *out)
{
  gsize key = (gsize)h.at->node->index << 13;
  switch (h.at->node->kind) {
  case NODE_KIND_SWITCH: {
    uint16_t vid = vlan_port_classify(h.at, h.wire);
    if (vid && g_hash_table_add(seen, GSIZE_TO_POINTER((key | vid) + 1)))
      vlan_walk_switch(todo, h.at, vid);
    return;
  }
  case NODE_KIND_HUB:
    if (g_hash_table_add(seen, GSIZE_TO_POINTER((key | 1u << 12 | h.wire) + 1)))
      vlan_walk_hub(todo, h.at, h.wire);
    return;
  default: {
    Iface *to = h.wire ? vlan_subif_find(h.at, h.wire) : h.at;
    if (to)
      g_ptr_array_add(out, to);
  }
  }
}

/* Appends to `out` (of Iface*) the interfaces of hosts and routers that a
 * broadcast sent from `from` (an Ethernet interface or a subinterface)
 * reaches now, through switches and their VLANs and hubs, over interfaces that are
 * forwarding (a switch's spanning tree) and
 * up: the interface a frame is handed to (a subinterface for a tagged one). */
void vlan_segment_ends(Iface *from, GPtrArray *out)
{
  Iface *phys = from->vlan_parent ? from->vlan_parent : from, *peer = iface_peer(phys);
  if (!phys->up || !peer || !peer->up || !vlan_hop_forwards(peer))
    return;
  GArray *todo = g_array_new(FALSE, FALSE, sizeof(VlanHop));
  GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  VlanHop first = {peer, from->vlan_parent ? from->vlan_id : 0};
  g_array_append_val(todo, first);
  for (guint k = 0; k < todo->len; k++)
    vlan_walk_hop(todo, seen, g_array_index(todo, VlanHop, k), out);
  g_hash_table_destroy(seen);
  g_array_free(todo, TRUE);
}

/* TRUE when any port of the network's node `node` has a VLAN configuration or is a subinterface. */
gboolean vlan_node_uses_vlans(const Node *node)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *iface = g_ptr_array_index(node->ifaces, i);
    if (iface->vlan || iface->vlan_parent)
      return TRUE;
  }
  return FALSE;
}

/* Appends the allowed VLANs of trunk `c` as ranges, "10,20,100-110", or "all". */
static void vlan_append_allowed(GString *out, const VlanPortConfig *c)
{
  gboolean any = FALSE, all = TRUE;
  for (uint16_t v = 1; v <= VLAN_MAX; v++)
    all &= vlan_port_allows(c, v);
  if (all) {
    g_string_append(out, "all");
    return;
  }
  for (uint16_t v = 1; v <= VLAN_MAX; v++) {
    if (!vlan_port_allows(c, v))
      continue;
    uint16_t end = v;
    while (end < VLAN_MAX && vlan_port_allows(c, end + 1))
      end++;
    g_string_append_printf(out, end > v ? "%s%u-%u" : "%s%u", any ? "," : "", v, end);
    any = TRUE;
    v = end;
  }
  if (!any)
    g_string_append(out, "none");
}

/* Appends what a switch port with a VLAN configuration carries: "vlan 10",
 * "trunk 10,20" (with " native N" when N is not 1); nothing for a port
 * without one (VLAN 1, untagged). For drawings. */
void vlan_port_describe(const Iface *port, GString *out)
{
  const VlanPortConfig *c = port->vlan;
  if (!c)
    return;
  if (c->mode == VLAN_MODE_ACCESS) {
    g_string_append_printf(out, "vlan %u", c->access);
    return;
  }
  g_string_append(out, "trunk ");
  vlan_append_allowed(out, c);
  if (c->native != VLAN_DEFAULT)
    g_string_append_printf(out, " native %u", c->native);
}
