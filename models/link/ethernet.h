/*
 * Ethernet II framing: pushing the header (and padding to the minimum
 * frame) going down, and checking, filtering and demultiplexing frames
 * coming up: to ARP or to IPv4. A switch's ports are of their own type
 * (switch.h).
 *
 * Entry points: ethernet_output() (from ARP and IPv4), ethernet_input()
 * (from the link, at the arrival of a frame).
 *
 * Ownership: both take the packet and pass it on or drop it.
 */
#ifndef IPSIM_ETHERNET_H
#define IPSIM_ETHERNET_H

#include "models/link/ethernet_wire.h"
#include "models/link/iface.h"

extern const IfaceOps ethernet_iface_ops;

void ethernet_output(Iface *iface, Packet *p, const uint8_t dst[ETH_ADDR_LEN], uint16_t ethertype);
void ethernet_input(Iface *iface, Packet *frame);

#endif
