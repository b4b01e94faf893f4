/*
 * Random streams: named, independent pseudo-random sequences, all derived
 * from the scenario seed. A stream is identified by (seed, name), e.g.
 * (7, "link/core/loss"), so the same seed gives the same draws whatever
 * order streams are created in and however much other streams draw.
 *
 * Entry points: rng_init() once per stream, then rng_u64(), rng_uniform(),
 * rng_below(), rng_bernoulli(), rng_exponential().
 *
 * Generator: xoshiro256** (Blackman and Vigna, 2018). Its 256-bit state is
 * filled by splitmix64 from a 64-bit key; the key is
 *     key = mix64(mix64(seed + G) ^ fnv1a64(name))
 * where fnv1a64 is 64-bit FNV-1a over the bytes of the name, mix64 is the
 * splitmix64 finalizer and G = 0x9e3779b97f4a7c15. The state words are
 * mix64(key + G), mix64(key + 2G), mix64(key + 3G), mix64(key + 4G); mix64
 * is a bijection, so the state is never all zero. Changing any of this
 * changes every simulation result: tests pin the first outputs.
 *
 * Rng is a plain value (32 bytes): embed it in the object that draws, no
 * allocation and no global state. Every draw function consumes a fixed
 * number of outputs except rng_below(), whose rejection step may consume
 * more (rarely, and deterministically).
 *
 * Leaves out: cryptographic strength, jump-ahead, normal and other
 * distributions (add them here when a model needs them).
 */
#ifndef IPSIM_RNG_H
#define IPSIM_RNG_H

#include <glib.h>
#include <stdint.h>

typedef struct {
  uint64_t s[4];
} Rng;

void rng_init(Rng *r, uint64_t seed, const char *name);
uint64_t rng_below(Rng *r, uint64_t n);
double rng_exponential(Rng *r, double mean);

/* Rotates x left by k bits, 0 < k < 64. */
static inline uint64_t rng_rotl(uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* Returns the next 64 uniformly distributed bits of the stream. */
static inline uint64_t rng_u64(Rng *r)
{
  uint64_t *s = r->s;
  uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rng_rotl(s[3], 45);
  return result;
}

/* Returns a uniform double in [0, 1) with 53 random bits (one draw). */
static inline double rng_uniform(Rng *r)
{
  return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Returns TRUE with probability p, 0 <= p <= 1: never for p == 0, always
 * for p == 1. Consumes exactly one draw whatever p is, so changing a loss
 * rate does not shift the rest of the stream. */
static inline gboolean rng_bernoulli(Rng *r, double p)
{
  g_return_val_if_fail(p >= 0.0 && p <= 1.0, FALSE);
  return rng_uniform(r) < p;
}

#endif
