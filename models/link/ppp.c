/*
 * PPP in HDLC-like framing (RFC 1661 section 2, RFC 1662 section 3):
 * going down, the address (0xff), control (0x03) and protocol (0x0021,
 * IPv4) in front of the datagram; coming up, the same three checked and
 * the datagram handed to IPv4.
 *
 * Entry points: ppp_iface_ops (output: ppp_output(), from IPv4 through
 * iface_output(); input: ppp_input(), from the link through
 * iface_input()).
 *
 * The serialized frame also counts the FCS and one flag byte
 * (PPP_WIRE_OVERHEAD); frames are held and captured without them, as
 * libpcap's LINKTYPE_PPP has it.
 *
 * Leaves out: LCP and IPCP negotiation (the link is open when its carrier
 * is up, with the default configuration: no address/control or protocol
 * field compression, the 16-bit FCS, MRU = the interface MTU), byte
 * stuffing (so no data-dependent serialization time), authentication,
 * and Protocol-Reject: a frame of another protocol is dropped
 * (DROP_PPP_PROTOCOL).
 */
#include "models/link/ppp.h"

#include "models/core/node.h"
#include "models/internet/ipv4.h"
#include "models/observe/trace.h"

/* Frames the datagram `p` (at its IP header) and sends it to the peer;
 * `next_hop` does not matter on a point-to-point link. Takes `p`. */
static void ppp_output(Iface *iface, Packet *p, uint32_t next_hop)
{
  (void)next_hop;
  PppHeader *h = (PppHeader *)packet_push(p, PPP_HEADER_LEN);
  h->address = PPP_ADDRESS;
  h->control = PPP_CONTROL;
  h->protocol = g_htons(PPP_PROTO_IPV4);
  iface_transmit(iface, p);
}

/* Checks a frame that arrived on `iface` and hands an IPv4 datagram to
 * IPv4. Takes the frame; drops it with DROP_BAD_FRAME (short, or not
 * the address and control RFC 1662 fixes) or DROP_PPP_PROTOCOL. */
static void ppp_input(Iface *iface, Packet *frame)
{
  const PppHeader *h = (const PppHeader *)packet_peek(frame, PPP_HEADER_LEN);

  if (!h || h->address != PPP_ADDRESS || h->control != PPP_CONTROL) {
    node_drop(iface->node, iface, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_PPP);
    return;
  }
  switch (g_ntohs(h->protocol)) {
  case PPP_PROTO_IPV4:
    packet_pull(frame, PPP_HEADER_LEN);
    ipv4_input(iface, frame);
    break;
  default:
    node_drop(iface->node, iface, frame, DROP_PPP_PROTOCOL, TRACE_LINK, TRACE_FROM_PPP);
  }
}

const IfaceOps ppp_iface_ops = {
    .name = "ppp",
    .output = ppp_output,
    .input = ppp_input,
    .header_len = PPP_HEADER_LEN,
    .wire_overhead = PPP_WIRE_OVERHEAD,
    .to_peer = TRUE,
    .pcap_linktype = PPP_LINKTYPE,
    .trace_from = TRACE_FROM_PPP,
};
