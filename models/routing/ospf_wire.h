/*
 * OSPFv2's bytes on the wire (RFC 2328 appendix A), in network byte
 * order: the 24-byte packet header, the Hello, Database Description,
 * LS Request, LS Update and LS Ack bodies, the 20-byte LSA header, and the
 * bodies of router (1), network (2), summary (3, 4) and AS-external (5)
 * LSAs. Fields are read and written with the byte helpers below, never by
 * casting, so that nothing depends on alignment.
 *
 * Entry points: ospf_get16/32(), ospf_put16/32(), ospf_fletcher() and
 * ospf_fletcher_ok() (the LSA checksum of RFC 905 annex B, RFC 2328
 * 12.1.7), ospf_packet_checksum() (the Internet checksum over the packet
 * without its 64-bit authentication field, RFC 2328 D.4.1).
 *
 * Leaves out: authentication (AuType 0 only), TOS metrics (always 0),
 * opaque LSAs.
 */
#ifndef IPSIM_OSPF_WIRE_H
#define IPSIM_OSPF_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define OSPF_VERSION 2
#define OSPF_HEADER_LEN 24
#define OSPF_HELLO_LEN 20 /* before the neighbour list */
#define OSPF_DD_LEN 8     /* before the LSA headers */
#define OSPF_LSR_ENTRY_LEN 12
#define OSPF_LSA_HEADER_LEN 20
#define OSPF_ROUTER_LINK_LEN 12

/* Packet types (A.3.1). */
enum { OSPF_HELLO = 1, OSPF_DD = 2, OSPF_LSR = 3, OSPF_LSU = 4, OSPF_LSACK = 5 };

/* LSA types (A.4.1). */
enum { OSPF_LSA_ROUTER = 1, OSPF_LSA_NETWORK = 2, OSPF_LSA_SUMMARY = 3, OSPF_LSA_ASBR = 4, OSPF_LSA_EXTERNAL = 5 };

/* Router LSA link types (A.4.2). */
enum { OSPF_LINK_P2P = 1, OSPF_LINK_TRANSIT = 2, OSPF_LINK_STUB = 3, OSPF_LINK_VIRTUAL = 4 };

#define OSPF_OPT_E 0x02 /* options: external routing capability */
#define OSPF_DD_I 0x04  /* DD flags: init */
#define OSPF_DD_M 0x02  /* more */
#define OSPF_DD_MS 0x01 /* master */
#define OSPF_RTR_B 0x01 /* router LSA flags: area border router */
#define OSPF_RTR_E 0x02 /* AS boundary router */
#define OSPF_EXT_E 0x80 /* AS-external: type 2 metric */

/* Offsets in the packet header. */
enum {
  OSPF_H_VERSION = 0,
  OSPF_H_TYPE = 1,
  OSPF_H_LEN = 2,
  OSPF_H_RID = 4,
  OSPF_H_AREA = 8,
  OSPF_H_CKSUM = 12,
  OSPF_H_AUTYPE = 14,
  OSPF_H_AUTH = 16
};

/* Offsets in an LSA header. */
enum {
  OSPF_L_AGE = 0,
  OSPF_L_OPTIONS = 2,
  OSPF_L_TYPE = 3,
  OSPF_L_ID = 4,
  OSPF_L_ADV = 8,
  OSPF_L_SEQ = 12,
  OSPF_L_CKSUM = 16,
  OSPF_L_LEN = 18
};

#define OSPF_MAX_AGE 3600
#define OSPF_MAX_AGE_DIFF 900
#define OSPF_LS_REFRESH 1800
#define OSPF_INITIAL_SEQ ((int32_t)0x80000001)
#define OSPF_MAX_SEQ ((int32_t)0x7fffffff)
#define OSPF_LS_INFINITY 0xffffff

static inline uint16_t ospf_get16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ospf_get32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ospf_put16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void ospf_put32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* The two Fletcher sums of data[0..len) (mod 255). */
static inline void ospf_fletcher_sums(const uint8_t *data, size_t len, int *c0, int *c1)
{
  uint32_t a = 0, b = 0;

  for (size_t i = 0; i < len;) { /* the modulo once per 1 024 bytes: no overflow before */
    size_t end = MIN(len, i + 1024);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 255;
    b %= 255;
  }
  *c0 = (int)a;
  *c1 = (int)b;
}

/* Sets the checksum of the LSA at `lsa` (`len` bytes, its age excluded
 * from the sum) so that both Fletcher sums over it are zero. */
static inline void ospf_fletcher(uint8_t *lsa, size_t len)
{
  const size_t off = OSPF_L_CKSUM - 2; /* from the options byte on */
  uint8_t *data = lsa + 2;
  int c0, c1, x, y;

  data[off] = data[off + 1] = 0;
  ospf_fletcher_sums(data, len - 2, &c0, &c1);
  x = (int)(((int)(len - 2 - off - 1) * c0 - c1) % 255);
  if (x <= 0)
    x += 255;
  y = 510 - c0 - x;
  if (y > 255)
    y -= 255;
  data[off] = (uint8_t)x;
  data[off + 1] = (uint8_t)y;
}

/* TRUE when the LSA's checksum is right. */
static inline gboolean ospf_fletcher_ok(const uint8_t *lsa, size_t len)
{
  int c0, c1;

  if (ospf_get16(lsa + OSPF_L_CKSUM) == 0)
    return FALSE;
  ospf_fletcher_sums(lsa + 2, len - 2, &c0, &c1);
  return c0 == 0 && c1 == 0;
}

uint16_t ospf_packet_checksum(const uint8_t *pkt, size_t len);

#endif
