/*
 * PPP on the wire in HDLC-like framing (RFC 1661, RFC 1662): the address
 * and control bytes (always 0xff 0x03 on a point-to-point link), the
 * 16-bit protocol field, and the constants ipsim uses. A frame held by
 * ipsim is what libpcap's LINKTYPE_PPP carries: from the address byte to
 * the end of the information field. The flag byte and the 16-bit FCS are
 * not held, but they are serialized (PPP_WIRE_OVERHEAD).
 */
#ifndef IPSIM_PPP_WIRE_H
#define IPSIM_PPP_WIRE_H

#include <stdint.h>

#define PPP_ADDRESS 0xff /* All-Stations (RFC 1662 3.1) */
#define PPP_CONTROL 0x03 /* Unnumbered Information */
#define PPP_HEADER_LEN 4
#define PPP_PROTO_IPV4 0x0021 /* RFC 1332 */
#define PPP_FCS_LEN 2         /* the default 16-bit FCS (RFC 1662 C.2) */
#define PPP_FLAG_LEN 1        /* one 0x7e between frames (back-to-back frames share it) */
#define PPP_WIRE_OVERHEAD (PPP_FCS_LEN + PPP_FLAG_LEN)
#define PPP_LINKTYPE 9 /* libpcap's LINKTYPE_PPP (DLT_PPP) */

typedef struct __attribute__((packed)) {
  uint8_t address;
  uint8_t control;
  uint16_t protocol;
} PppHeader;

_Static_assert(sizeof(PppHeader) == PPP_HEADER_LEN, "PppHeader is 4 bytes");

#endif
