/*
 * Ethernet II on the wire (IEEE 802.3, RFC 894): the 14-byte header and the
 * constants ipsim uses. Multi-byte fields are in network byte order.
 */
#ifndef IPSIM_ETHERNET_WIRE_H
#define IPSIM_ETHERNET_WIRE_H

#include <stdint.h>

#define ETH_ADDR_LEN 6
#define ETH_HEADER_LEN 14
#define ETH_MIN_FRAME 60 /* without the 4-byte FCS: payload padded to 46 bytes */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETH_LINKTYPE 1 /* libpcap's LINKTYPE_ETHERNET (DLT_EN10MB) */

typedef struct __attribute__((packed)) {
  uint8_t dst[ETH_ADDR_LEN];
  uint8_t src[ETH_ADDR_LEN];
  uint16_t type;
} EthHeader;

_Static_assert(sizeof(EthHeader) == ETH_HEADER_LEN, "EthHeader is 14 bytes");

static const uint8_t eth_broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#endif
