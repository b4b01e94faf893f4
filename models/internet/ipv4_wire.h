/*
 * IPv4 (RFC 791), ICMP (RFC 792) and UDP (RFC 768) on the wire: packed
 * header structs and constants. Multi-byte fields are in network byte order.
 */
#ifndef IPSIM_IPV4_WIRE_H
#define IPSIM_IPV4_WIRE_H

#include <stdint.h>

#define IPV4_HEADER_LEN 20 /* without options */
#define IPV4_MAX_LEN 65535
#define IPV4_DEFAULT_TTL 64
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff

#define IPPROTO_ICMP_NUM 1
#define IPPROTO_TCP_NUM 6
#define IPPROTO_UDP_NUM 17

typedef struct __attribute__((packed)) {
  uint8_t ver_ihl; /* version 4 in the high nibble, header length in 32-bit words */
  uint8_t tos;
  uint16_t total_len;
  uint16_t id;
  uint16_t frag; /* flags and fragment offset in 8-byte units */
  uint8_t ttl;
  uint8_t proto;
  uint16_t checksum;
  uint32_t src;
  uint32_t dst;
} Ipv4Header;
_Static_assert(sizeof(Ipv4Header) == IPV4_HEADER_LEN, "Ipv4Header is 20 bytes");

#define ICMP_HEADER_LEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTOCOL 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_NEEDFRAG 4
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_TIMXCEED_INTRANS 0
#define ICMP_TIMXCEED_REASS 1

typedef struct __attribute__((packed)) {
  uint8_t type;
  uint8_t code;
  uint16_t checksum;
  union {
    struct __attribute__((packed)) {
      uint16_t id, seq;
    } echo;
    struct __attribute__((packed)) {
      uint16_t unused, mtu;
    } frag;
    uint32_t unused;
  } u;
} IcmpHeader;
_Static_assert(sizeof(IcmpHeader) == ICMP_HEADER_LEN, "IcmpHeader is 8 bytes");

#define UDP_HEADER_LEN 8

typedef struct __attribute__((packed)) {
  uint16_t sport, dport, len, checksum;
} UdpHeader;
_Static_assert(sizeof(UdpHeader) == UDP_HEADER_LEN, "UdpHeader is 8 bytes");

#endif
