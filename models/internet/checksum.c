/*
 * The Internet checksum (RFC 1071; RFC 1624 for incremental updates lives
 * in ipv4.c). Sums are kept in memory order: the 16-bit words are added as
 * the machine reads them, so the folded result can be stored into a header
 * as it is, without byte swapping (RFC 1071 section 2(B), byte order
 * independence).
 *
 * Entry points: checksum_partial() (accumulate a block; and
 * checksum_partial_generic(), the same without AVX2, for tests),
 * checksum_fold() (fold and complement), inet_checksum() (one block),
 * inet_pseudo_checksum() (UDP and TCP: the IPv4 pseudo-header of RFC 768
 * and RFC 9293, then the segment); fletcher16_lsa_checksum(),
 * fletcher16_lsa_verify() (OSPF LSAs).
 *
 * Speed: on a CPU with AVX2 (checked at each call, a bit test), blocks
 * of 128 bytes or more are summed 32 bytes to a vector: vpmaddwd adds
 * pairs of 16-bit words into 32-bit lanes, which cannot overflow for the
 * lengths it is given (RFC 1071 section 2(C), "deferred carries" and
 * "parallel summation"); as it multiplies signed words, each word is
 * biased by -2^15 first and the bias added back at the end. The last
 * bytes are the four vectors ending with them, masked. Anywhere else, and
 * for short blocks, 64-bit words with end-around carry in four
 * accumulators (checksum_partial_generic() gives tests that path); a
 * 20-byte IPv4 header is three loads. Everything is read through memcpy
 * or unaligned loads, within the block, so unaligned data is fine.
 * Folding a sum of 32- or 64-bit words gives the same checksum as the
 * 16-bit words would (2^16 = 1 mod 0xffff); and every path's sum is 0
 * only for zero data, as the words' sum is, so the result is also the
 * same in the one case folding tells apart (0 or 0xffff).
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

/* Folds a 64-bit ones' complement sum to 32 bits, keeping it a valid sum:
 * the high half of s + (s rotated by 32) is the two halves added with
 * end-around carry (0 only when s is 0). */
static inline uint32_t checksum_fold64(uint64_t s)
{
  return (uint32_t)((s + (s >> 32 | s << 32)) >> 32);
}

/* Folds a 64-bit ones' complement sum to 16 bits, the same way, and
 * returns its complement: the checksum, in memory order. */
static inline uint16_t checksum_finish(uint64_t s)
{
  uint32_t x = checksum_fold64(s);

  return (uint16_t) ~((x + (x >> 16 | x << 16)) >> 16);
}

/* Sums the 0 to 7 bytes left after the 8-byte words, as 4-, 2- and 1-byte
 * pieces; the odd last byte is padded with zero as RFC 1071 pads it. */
static inline uint64_t checksum_tail(const uint8_t *p, size_t len)
{
  uint32_t w4 = 0;
  uint16_t w2 = 0, w1 = 0;
  uint8_t odd[2] = {0, 0};

  if (len & 4)
    memcpy(&w4, p, 4);
  p += len & 4;
  if (len & 2)
    memcpy(&w2, p, 2);
  p += len & 2;
  if (len & 1) {
    odd[0] = *p;
    memcpy(&w1, odd, 2);
  }
  return (uint64_t)w4 + w2 + w1;
}

/* Sums `len` bytes as 64-bit words with end-around carry, 32 bytes at a
 * time in four accumulators that do not wait on each other: the portable
 * path, and the one for short blocks (headers). The sum is 0 only for
 * zero data. */
static uint64_t checksum_words(const uint8_t *p, size_t len)
{
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, w0, w1, w2, w3;

  for (; len >= 32; p += 32, len -= 32) {
    memcpy(&w0, p, 8);
    memcpy(&w1, p + 8, 8);
    memcpy(&w2, p + 16, 8);
    memcpy(&w3, p + 24, 8);
    s0 = checksum_add64(s0, w0);
    s1 = checksum_add64(s1, w1);
    s2 = checksum_add64(s2, w2);
    s3 = checksum_add64(s3, w3);
  }
  for (; len >= 8; p += 8, len -= 8) {
    memcpy(&w0, p, 8);
    s0 = checksum_add64(s0, w0);
  }
  s0 = checksum_add64(checksum_add64(s0, s1), checksum_add64(s2, s3));
  return checksum_add64(s0, checksum_tail(p, len));
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang_analyzer__)
#define CHECKSUM_AVX2 1
#include <immintrin.h>

/* Blocks shorter than this take checksum_words(). */
#define CHECKSUM_VECTOR_MIN 128
/* checksum_avx2() takes at most 2 x this, so that its 32-bit lanes hold
 * the sum: 2052 vectors of 16 words of at most 2^15 in magnitude. */
#define CHECKSUM_CHUNK 32768

/* 128 zero bytes then 128 0xff: with r the bytes left after the 128-byte
 * groups, the 32 bytes at checksum_window_mask + r + 32 j keep, of vector j
 * of the 128 bytes ending with the block, the bytes among its last r. */
static const uint8_t checksum_window_mask[256] = {[128 ... 255] = 0xff};

/* Eight 32-bit lanes (GCC's and Clang's vector extension): adding with
 * `+=` lets the compiler keep each accumulator in its register. */
typedef int32_t ChecksumLanes __attribute__((vector_size(32)));

/* The 16 words of v (as signed words, biased by -2^15: `bias` is 0x8000
 * in every word) added in pairs, `ones` 1 in every word: 8 lanes of 32
 * bits, from one vpxor and one vpmaddwd. */
__attribute__((target("avx2"))) static inline ChecksumLanes checksum_madd(__m256i v, __m256i bias, __m256i ones)
{
  return (ChecksumLanes)_mm256_madd_epi16(_mm256_xor_si256(v, bias), ones);
}

/* The 32 bytes at p, unaligned. */
__attribute__((target("avx2"))) static inline __m256i checksum_load(const uint8_t *p)
{
  return _mm256_loadu_si256((const __m256i *)p);
}

/* Returns the sum of the eight signed 32-bit lanes of a, as int64. */
__attribute__((target("avx2"))) static inline int64_t checksum_lanes(ChecksumLanes a)
{
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128((__m256i)a), _mm256_extracti128_si256((__m256i)a, 1));

  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

/* Sums `len` bytes (128 to 2 x CHECKSUM_CHUNK) as 16-bit words, 128 bytes
 * at a time as four 32-byte vectors in independent accumulators: each
 * word w is added as the signed w - 2^15 (vpmaddwd multiplies signed
 * words), and 2^15 per word is added back at the end. The even bytes
 * left (fewer than 128) are read as the 128 bytes ending with them, the
 * ones already summed masked off; an odd last byte is added alone. The
 * exact sum of the words, little-endian (x86), so 0 only for zero data. */
__attribute__((target("avx2"))) static uint64_t checksum_avx2(const uint8_t *p, size_t len)
{
  __m256i bias = _mm256_set1_epi16(INT16_MIN), ones = _mm256_set1_epi16(1);
  const uint8_t *end = p + (len & ~(size_t)1), *last = end - 128;
  __asm__("" : "+x"(bias), "+x"(ones)); /* built once: else GCC builds them again for each use */
  ChecksumLanes a0 = {0}, a1 = a0, a2 = a0, a3 = a0;

  for (size_t groups = len >> 7; groups; groups--, p += 128) {
    a0 += checksum_madd(checksum_load(p), bias, ones);
    a1 += checksum_madd(checksum_load(p + 32), bias, ones);
    a2 += checksum_madd(checksum_load(p + 64), bias, ones);
    a3 += checksum_madd(checksum_load(p + 96), bias, ones);
  }
  const uint8_t *mask = checksum_window_mask + (end - p);
  a0 += checksum_madd(_mm256_and_si256(checksum_load(last), checksum_load(mask)), bias, ones);
  a1 += checksum_madd(_mm256_and_si256(checksum_load(last + 32), checksum_load(mask + 32)), bias, ones);
  a2 += checksum_madd(_mm256_and_si256(checksum_load(last + 64), checksum_load(mask + 64)), bias, ones);
  a3 += checksum_madd(_mm256_and_si256(checksum_load(last + 96), checksum_load(mask + 96)), bias, ones);
  /* 2^15 back for each word of the vectors summed, the last four included. */
  int64_t bias_back = (int64_t)((len >> 7) + 1) * 64 * 32768;
  return (uint64_t)(checksum_lanes(a0 + a1 + a2 + a3) + bias_back) + (len & 1 ? end[0] : 0);
}

/* checksum_avx2() over blocks longer than 2 x CHECKSUM_CHUNK, a chunk at
 * a time (not inlined: its loop would cost every caller saved registers). */
__attribute__((noinline)) static uint64_t checksum_avx2_chunks(const uint8_t *p, size_t len)
{
  uint64_t s = 0;

  for (; len > 2 * CHECKSUM_CHUNK; p += CHECKSUM_CHUNK, len -= CHECKSUM_CHUNK)
    s = checksum_add64(s, checksum_avx2(p, CHECKSUM_CHUNK));
  return checksum_add64(s, checksum_avx2(p, len));
}
#endif

/* The sum of `len` bytes at p as 16-bit words in memory order: AVX2
 * vectors for long blocks on a CPU that has AVX2, else 64-bit words. */
static inline uint64_t checksum_sum(const uint8_t *p, size_t len)
{
#ifdef CHECKSUM_AVX2
  if (len >= CHECKSUM_VECTOR_MIN && __builtin_cpu_supports("avx2"))
    return len <= 2 * CHECKSUM_CHUNK ? checksum_avx2(p, len) : checksum_avx2_chunks(p, len);
#endif
  return checksum_words(p, len);
}

/* Adds the 16-bit words of `data` (len bytes, in memory order) to the
 * partial sum `sum` and returns the new partial sum. An odd last byte is
 * padded with zero. */
uint32_t checksum_partial(const void *data, size_t len, uint32_t sum)
{
  return checksum_fold64(checksum_add64(sum, checksum_sum(data, len)));
}

/* checksum_partial() as a CPU without AVX2 computes it. */
uint32_t checksum_partial_generic(const void *data, size_t len, uint32_t sum)
{
  return checksum_fold64(checksum_add64(sum, checksum_words(data, len)));
}

/* Folds a partial sum to 16 bits and returns its complement: the checksum,
 * in memory order (store it into the header as it is). */
uint16_t checksum_fold(uint32_t sum)
{
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* The length of an IPv4 header without options, summed in three loads. */
#define CHECKSUM_IPV4_HEADER 20

/* Returns the Internet checksum of len bytes, ready to store. Computed over
 * a header that holds its own correct checksum, it returns 0. */
uint16_t inet_checksum(const void *data, size_t len)
{
  if (len == CHECKSUM_IPV4_HEADER) {
    uint64_t w0, w1;
    uint32_t w2;
    memcpy(&w0, data, 8);
    memcpy(&w1, (const uint8_t *)data + 8, 8);
    memcpy(&w2, (const uint8_t *)data + 16, 4);
    return checksum_finish(checksum_add64(checksum_add64(w0, w1), w2));
  }
  return checksum_finish(checksum_sum(data, len));
}

/* Returns the checksum of a UDP or TCP segment (`data`, len bytes, with its
 * checksum field included as it is) over the IPv4 pseudo-header: source and
 * destination (network byte order), zero, protocol and the segment length. */
uint16_t inet_pseudo_checksum(uint32_t src_be, uint32_t dst_be, uint8_t proto, const void *data, size_t len)
{
  uint64_t s = (uint64_t)src_be + dst_be + htonl(((uint32_t)proto << 16) | (uint32_t)(len & 0xffff));

  return checksum_finish(checksum_add64(s, checksum_sum(data, len)));
}

/* inet_pseudo_checksum() of a segment of `len` bytes whose 16-bit words
 * sum to `sum` (checksum_partial() of its parts, each at an even offset,
 * chained). */
uint16_t inet_pseudo_finish(uint32_t src_be, uint32_t dst_be, uint8_t proto, size_t len, uint32_t sum)
{
  uint64_t s = (uint64_t)src_be + dst_be + htonl(((uint32_t)proto << 16) | (uint32_t)(len & 0xffff));

  return checksum_finish(s + sum);
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
