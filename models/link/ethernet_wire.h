/*
 * Ethernet II on the wire (IEEE 802.3, RFC 894): the 14-byte header and the
 * constants ipsim uses, with the ethertypes of IEEE 802.1Q VLAN tags. Multi-byte fields are in network byte order.
 */
#ifndef IPSIM_ETHERNET_WIRE_H
#define IPSIM_ETHERNET_WIRE_H

#include <stdint.h>

#define ETH_ADDR_LEN 6
#define ETH_HEADER_LEN 14
#define ETH_MIN_FRAME 60 /* without the 4-byte FCS: payload padded to 46 bytes */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100 /* IEEE 802.1Q C-tag: 2 bytes of priority, DEI and VLAN ID, then the ethertype */
#define ETHERTYPE_QINQ 0x88a8 /* IEEE 802.1ad S-tag (QinQ) */
#define VLAN_TAG_LEN 4        /* the tag: TPID and TCI */
#define ETH_LINKTYPE 1        /* libpcap's LINKTYPE_ETHERNET (DLT_EN10MB) */

typedef struct __attribute__((packed)) {
  uint8_t dst[ETH_ADDR_LEN];
  uint8_t src[ETH_ADDR_LEN];
  uint16_t type;
} EthHeader;

_Static_assert(sizeof(EthHeader) == ETH_HEADER_LEN, "EthHeader is 14 bytes");

static const uint8_t eth_broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#endif
