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
 * segment).
 *
 * Speed: 64-bit words are added into a 64-bit accumulator with end-around
 * carry (RFC 1071 section 2(C), "deferred carries" and "unwinding loops"),
 * read through memcpy so that unaligned data is fine.
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

/* Adds the 16-bit words of `data` (len bytes, in memory order) to the
 * partial sum `sum` and returns the new partial sum. An odd last byte is
 * padded with zero. */
uint32_t checksum_partial(const void *data, size_t len, uint32_t sum)
{
  const uint8_t *p = data;
  uint64_t s = sum, w0, w1, w2, w3;

  while (len >= 32) {
    memcpy(&w0, p, 8);
    memcpy(&w1, p + 8, 8);
    memcpy(&w2, p + 16, 8);
    memcpy(&w3, p + 24, 8);
    s = checksum_add64(s, w0);
    s = checksum_add64(s, w1);
    s = checksum_add64(s, w2);
    s = checksum_add64(s, w3);
    p += 32;
    len -= 32;
  }
  while (len >= 8) {
    memcpy(&w0, p, 8);
    s = checksum_add64(s, w0);
    p += 8;
    len -= 8;
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
