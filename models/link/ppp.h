/*
 * PPP serial links (RFC 1661, RFC 1662): an interface type for
 * point-to-point links that carry IPv4 in HDLC-like framing, as Packet
 * Tracer's serial links and ns-3's point-to-point devices do. No ARP and
 * no MAC addresses: every datagram goes to the one peer.
 *
 * Entry points: the ppp_iface_ops table (models/link/iface.h's IfaceOps):
 * its output frames a datagram, its input checks a frame and hands IPv4 up.
 */
#ifndef IPSIM_PPP_H
#define IPSIM_PPP_H

#include "models/link/iface.h"
#include "models/link/ppp_wire.h"

extern const IfaceOps ppp_iface_ops;

#endif
