/*
 * ARP on the wire (RFC 826) for IPv4 over Ethernet: the 28-byte packet and
 * its constants. Multi-byte fields are in network byte order.
 */
#ifndef IPSIM_ARP_WIRE_H
#define IPSIM_ARP_WIRE_H

#include <stdint.h>

#define ARP_PACKET_LEN 28
#define ARP_HTYPE_ETHERNET 1
#define ARP_PTYPE_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

typedef struct __attribute__((packed)) {
  uint16_t htype; /* hardware type: 1, Ethernet */
  uint16_t ptype; /* protocol type: 0x0800, IPv4 */
  uint8_t hlen;   /* 6 */
  uint8_t plen;   /* 4 */
  uint16_t op;    /* 1 request, 2 reply */
  uint8_t sha[6]; /* sender hardware address */
  uint32_t spa;   /* sender protocol address */
  uint8_t tha[6]; /* target hardware address */
  uint32_t tpa;   /* target protocol address */
} ArpWire;

_Static_assert(sizeof(ArpWire) == ARP_PACKET_LEN, "ArpWire is 28 bytes");

#endif
