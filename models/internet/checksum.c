/*
 * The Internet checksum (RFC 1071; RFC 1624 for incremental updates lives
 * in ipv4.c). Sums are kept in memory order: the 16-bit words are added as
 * the machine reads them, so the folded result can be stored into a header
 * as it is, without byte swapping (RFC 1071 section 2(B), byte order
 * independence).
 *
 * Entry points: checksum_partial() (accumulate a block), checksum_fold()
 * (fold and complement), inet_checksum() (one block), inet_pseudo_checksum()
 * (UDP and TCP: the IPv4 pseudo-header of RFC 768 and RFC 9293, then the
 * segment); fletcher16_lsa_checksum(), fletcher16_lsa_verify() (OSPF LSAs).
 *
 * Speed: 64-byte blocks are summed as 32-bit halves in 64-bit vector
 * lanes (AVX2 where the CPU has it), which cannot carry into each other (RFC 1071 section 2(C),
 * "deferred carries" and "parallel summation"), then folded; the rest as
 * 64-bit words with end-around carry. Everything is read through memcpy,
 * so unaligned data is fine. Folding a sum of 32- or 64-bit words gives
 * the same checksum as the 16-bit words would (2^16 = 1 mod 0xffff).
 *
 * The OSPF LSA checksum (RFC 2328 12.1.7) is Fletcher's, as ISO 8473
 * annex C computes it (RFC 905 annex B): two running sums modulo 255,
 * C0 of the octets and C1 of the C0s, over the LSA from byte 2 (LS age
 * changes in flight and is left out); the two checksum octets X, Y are
 * chosen so that both sums over the data with X, Y in place are 0.
 * fletcher16_lsa_checksum() computes them, fletcher16_lsa_verify() checks
 * that property.
 *
 * Leaves out: chaining partial sums at odd offsets (only the last block
 * given to checksum_partial() may have an odd length).
 */
#include "models/internet/checksum.h"

#include <string.h>

#include <arpa/inet.h>

/* Adds b to a with end-around carry: the ones' complement sum on 64 bits. */
static inline uint64_t checksum_add64(uint64_t a, uint64_t b)
{
  a += b;
  return a + (a < b);
}

/* Folds a 64-bit ones' complement sum to 32 bits, keeping it a valid sum. */
static inline uint32_t checksum_fold64(uint64_t s)
{
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  return (uint32_t)s;
}

/* Sums the bytes left after the 8-byte words: 0 to 7 bytes, zero-padded at
 * the end as RFC 1071 pads an odd byte. */
static inline uint64_t checksum_tail(const uint8_t *p, size_t len)
{
  uint64_t w = 0;

  memcpy(&w, p, len);
  return w;
}

/* Four 64-bit lanes (GCC's and Clang's vector extension): one AVX2
 * register where the CPU has AVX2, two SSE2 ones on any x86-64, NEON on
 * ARM, plain code elsewhere. */
typedef uint64_t ChecksumLanes __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang_analyzer__)
#define CHECKSUM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CHECKSUM_CLONES
#endif

/* Sums the 64-byte blocks at the start of `p`: each 64-bit word's two
 * 32-bit halves go into 64-bit lanes of their own, so that no add carries
 * into another and the adds do not wait on each other. Returns the sum;
 * *len is left with the bytes after the blocks. Built twice (for AVX2 and
 * for any x86-64), the one the CPU runs chosen when the program loads. */
CHECKSUM_CLONES static uint64_t checksum_blocks(const uint8_t *p, size_t *len)
{
  const ChecksumLanes low = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
  ChecksumLanes lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0}, a, b;

  for (; *len >= 64; p += 64, *len -= 64) {
    memcpy(&a, p, 32);
    memcpy(&b, p + 32, 32);
    lo += (a & low) + (b & low);
    hi += (a >> 32) + (b >> 32);
  }
  lo += hi;
  return checksum_add64(checksum_add64(lo[0], lo[1]), checksum_add64(lo[2], lo[3]));
}

/* Adds the 16-bit words of `data` (len bytes, in memory order) to the
 * partial sum `sum` and returns the new partial sum. An odd last byte is
 * padded with zero. */
uint32_t checksum_partial(const void *data, size_t len, uint32_t sum)
{
  const uint8_t *p = data;
  size_t blocks = len & ~(size_t)63;
  uint64_t s = len >= 64 ? checksum_add64(sum, checksum_blocks(p, &len)) : sum, w0; /* headers: no call */

  for (p += blocks; len >= 8; p += 8, len -= 8) {
    memcpy(&w0, p, 8);
    s = checksum_add64(s, w0);
  }
  if (len)
    s = checksum_add64(s, checksum_tail(p, len));
  return checksum_fold64(s);
}

/* Folds a partial sum to 16 bits and returns its complement: the checksum,
 * in memory order (store it into the header as it is). */
uint16_t checksum_fold(uint32_t sum)
{
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Returns the Internet checksum of len bytes, ready to store. Computed over
 * a header that holds its own correct checksum, it returns 0. */
uint16_t inet_checksum(const void *data, size_t len)
{
  return checksum_fold(checksum_partial(data, len, 0));
}

/* Returns the checksum of a UDP or TCP segment (`data`, len bytes, with its
 * checksum field included as it is) over the IPv4 pseudo-header: source and
 * destination (network byte order), zero, protocol and the segment length. */
uint16_t inet_pseudo_checksum(uint32_t src_be, uint32_t dst_be, uint8_t proto, const void *data, size_t len)
{
  uint64_t s = src_be;

  s = checksum_add64(s, dst_be);
  s = checksum_add64(s, htonl(((uint32_t)proto << 16) | (uint32_t)(len & 0xffff)));
  return checksum_fold(checksum_partial(data, len, checksum_fold64(s)));
}

/* Fletcher's checksum needs the LS age and checksum fields of the 20-byte LSA header. */
#define LSA_HEADER_MIN 20
/* Octets summed before reducing modulo 255: 255 * 4102 * 4103 / 2 fits in 32 bits. */
#define FLETCHER_BLOCK 4102

/* Computes the two Fletcher sums (ISO 8473 annex C) of the LSA `lsa`
 * (`len` bytes) from byte 2 on, each modulo 255, the checksum octets read
 * as zero when `zero_checksum`. */
static void fletcher16_lsa_sums(const uint8_t *lsa, size_t len, bool zero_checksum, uint32_t *c0, uint32_t *c1)
{
  uint32_t s0 = 0, s1 = 0;

  for (size_t i = 2; i < len;) {
    size_t end = i + FLETCHER_BLOCK < len ? i + FLETCHER_BLOCK : len;
    for (; i < end; i++) {
      bool in_field = i == LSA_CHECKSUM_OFFSET || i == LSA_CHECKSUM_OFFSET + 1;
      s0 += zero_checksum && in_field ? 0 : lsa[i];
      s1 += s0;
    }
    s0 %= 255;
    s1 %= 255;
  }
  *c0 = s0;
  *c1 = s1;
}

/* Returns the checksum of an OSPF LSA, ready to store big-endian at
 * lsa[16..17] (ISO 8473 annex C: X = (L - n) * C0 - C1 and Y = C1 - (L -
 * n + 1) * C0, modulo 255, L the octets summed and n the position of X
 * among them counting from 1, a zero octet written as 255). */
uint16_t fletcher16_lsa_checksum(const uint8_t *lsa, size_t len)
{
  uint32_t c0, c1;

  if (len < LSA_HEADER_MIN)
    return 0;
  fletcher16_lsa_sums(lsa, len, true, &c0, &c1);
  /* Octets after X, from X itself: (len - 2) - (LSA_CHECKSUM_OFFSET - 2). */
  uint32_t after = (uint32_t)((len - LSA_CHECKSUM_OFFSET) % 255);
  int32_t x = (int32_t)((after - 1 + 255) % 255 * c0 % 255) - (int32_t)c1;
  x %= 255;
  if (x <= 0)
    x += 255;
  int32_t y = 510 - (int32_t)c0 - x;
  if (y > 255)
    y -= 255;
  return (uint16_t)((uint32_t)x << 8 | (uint32_t)y);
}

/* Returns true when the LSA's stored checksum makes both Fletcher sums 0. */
bool fletcher16_lsa_verify(const uint8_t *lsa, size_t len)
{
  uint32_t c0, c1;

  if (len < LSA_HEADER_MIN)
    return false;
  fletcher16_lsa_sums(lsa, len, false, &c0, &c1);
  return c0 == 0 && c1 == 0;
}
