/*
 * Ethernet II framing (RFC 894 for IPv4 over Ethernet): the 14-byte header
 * and padding to the 60-byte minimum going down; length check, the NIC's
 * destination filter and demultiplexing by ethertype coming up.
 *
 * Entry points: ethernet_iface_ops (the interface type: output is
 * arp_output(), input ethernet_input()); ethernet_output() (from ARP);
 * ethernet_input() (from the link through iface_input(), when a frame
 * arrives).
 *
 * Frames tagged with a VLAN (IEEE 802.1Q) go to the subinterface of their
 * VLAN (vlan_subif_input()); a subinterface's frames are tagged on their
 * way out (vlan_subif_transmit()).
 *
 * Leaves out: the FCS and preamble, 802.3 length/LLC frames (dropped as
 * llc-frame: hosts run no LLC service),
 * jumbo frames beyond the interface MTU, promiscuous mode.
 */
#include "models/link/ethernet.h"

#include <string.h>

#include "models/internet/ipv4.h"
#include "models/link/arp.h"
#include "models/link/vlan.h"
#include "models/link/stp_wire.h"
#include "models/core/node.h"

/* Frames `p` (starting at the payload) with the interface's MAC as source,
 * `dst` and `ethertype`, pads it with zero bytes to ETH_MIN_FRAME and sends
 * it with iface_transmit(), which takes it. */
void ethernet_output(Iface *iface, Packet *p, const uint8_t dst[ETH_ADDR_LEN], uint16_t ethertype)
{
  EthHeader *eth = (EthHeader *)packet_push(p, ETH_HEADER_LEN);
  memcpy(eth->dst, dst, ETH_ADDR_LEN);
  memcpy(eth->src, iface->mac, ETH_ADDR_LEN);
  eth->type = g_htons(ethertype);
  if (packet_len(p) < ETH_MIN_FRAME)
    packet_put(p, ETH_MIN_FRAME - packet_len(p));
  if (iface->vlan_parent)
    vlan_subif_transmit(iface, p); /* a subinterface: tagged, through its parent */
  else
    iface_transmit(iface, p);
}

/* Returns TRUE when a host's NIC accepts a frame for `dst`: its own MAC,
 * broadcast or a multicast group (the group bit). */
static gboolean ethernet_accepts(const Iface *iface, const uint8_t *dst)
{
  return (dst[0] & 1) || memcmp(dst, iface->mac, ETH_ADDR_LEN) == 0;
}

/* Handles a frame that arrived on `iface` of a host or router: filters it
 * by destination and passes the payload to ARP or IPv4
 * (IPv4 trims the padding using its total length). Takes the frame; drops
 * it with DROP_BAD_FRAME, DROP_OTHER_MAC, DROP_LLC_FRAME (an 802.3 frame
 * with a length: a BPDU, which hosts ignore) or DROP_UNKNOWN_ETHERTYPE;
 * tagged frames go to vlan_subif_input(). */
void ethernet_input(Iface *iface, Packet *frame)
{
  Node *node = iface->node;
  const EthHeader *eth = (const EthHeader *)packet_peek(frame, ETH_HEADER_LEN);

  if (!eth) {
    node_drop(node, iface, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (!ethernet_accepts(iface, eth->dst)) {
    node_drop(node, iface, frame, DROP_OTHER_MAC, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  switch (g_ntohs(eth->type)) {
  case ETHERTYPE_ARP:
    packet_pull(frame, ETH_HEADER_LEN);
    arp_input(iface, frame);
    break;
  case ETHERTYPE_IPV4:
    packet_pull(frame, ETH_HEADER_LEN);
    ipv4_input(iface, frame);
    break;
  case VLAN_TPID:
  case VLAN_TPID_QINQ:
    vlan_subif_input(iface, frame);
    break;
  default:
    node_drop(node, iface, frame, g_ntohs(eth->type) <= ETH_MAX_LENGTH_FIELD ? DROP_LLC_FRAME : DROP_UNKNOWN_ETHERTYPE,
              TRACE_LINK, TRACE_FROM_ETHERNET);
  }
}

/* Ethernet with ARP: the interface type of hosts' and routers' Ethernet
 * interfaces. */
const IfaceOps ethernet_iface_ops = {
    .name = "ethernet",
    .output = arp_output,
    .input = ethernet_input,
    .header_len = ETH_HEADER_LEN,
    .wire_overhead = 0,
    .pcap_linktype = ETH_LINKTYPE,
    .trace_from = TRACE_FROM_ETHERNET,
};
