/*
 * TCP on the wire (RFC 9293 3.1; options of RFC 7323): the header as a
 * packed struct in network byte order, flag bits, option kinds and
 * lengths, and sequence-number comparison modulo 2^32.
 *
 * Wire structs and constants only; no code beyond the inline helpers.
 */
#ifndef IPSIM_TCP_WIRE_H
#define IPSIM_TCP_WIRE_H

#include <stdint.h>

typedef struct __attribute__((packed)) {
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t off;   /* data offset in 32-bit words, in the high nibble */
  uint8_t flags; /* TCP_FIN ... TCP_CWR */
  uint16_t win;
  uint16_t checksum;
  uint16_t urg;
} TcpHeader;

#define TCP_HEADER_LEN 20
#define TCP_MAX_HEADER_LEN 60

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERMITTED 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TIMESTAMP 8

#define TCP_OPTLEN_MSS 4
#define TCP_OPTLEN_WSCALE 3
#define TCP_OPTLEN_TIMESTAMP 10
/* The timestamp option as sent on every segment: NOP NOP TS (RFC 7323 appendix A). */
#define TCP_OPTLEN_TS_ALIGNED 12

#define TCP_DEFAULT_MSS 536 /* RFC 9293 3.7.1: when the peer sends no MSS option */
#define TCP_MAX_WSCALE 14   /* RFC 7323 2.3 */

/* Sequence numbers compare modulo 2^32 (RFC 9293 3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))

static inline unsigned tcp_hdr_len(const TcpHeader *h)
{
  return (unsigned)(h->off >> 4) * 4;
}

#endif
