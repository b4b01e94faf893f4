/*
 * RIP version 2 messages on the wire (RFC 2453 4): a 4-byte header
 * (command, version, must-be-zero) and up to 25 entries of 20 bytes
 * (address family, route tag, address, mask, next hop, metric), every
 * multi-byte field in network byte order. The RIP model (rip*.c) and the
 * trace decoder read and write them through these structs.
 *
 * Leaves out: the authentication entry (AFI 0xFFFF, RFC 2453 4.1; RFC
 * 4822), which the model treats as an entry of an unknown family.
 */
#ifndef IPSIM_RIP_WIRE_H
#define IPSIM_RIP_WIRE_H

#include <stdint.h>

#define RIP_HEADER_LEN 4
#define RIP_ENTRY_LEN 20
#define RIP_CMD_REQUEST 1
#define RIP_CMD_RESPONSE 2
#define RIP_VERSION 2
#define RIP_AFI_INET 2
#define RIP_AFI_AUTH 0xffffu

typedef struct __attribute__((packed)) {
  uint8_t command; /* RIP_CMD_REQUEST or RIP_CMD_RESPONSE */
  uint8_t version; /* RIP_VERSION */
  uint16_t zero;
} RipHeader;

typedef struct __attribute__((packed)) {
  uint16_t afi; /* RIP_AFI_INET; 0 in a whole-table request */
  uint16_t tag;
  uint32_t addr, mask, next_hop;
  uint32_t metric; /* 1..16 */
} RipEntry;

_Static_assert(sizeof(RipHeader) == RIP_HEADER_LEN, "RIP header is 4 bytes");
_Static_assert(sizeof(RipEntry) == RIP_ENTRY_LEN, "RIP entry is 20 bytes");

#endif
