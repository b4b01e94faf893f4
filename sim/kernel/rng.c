/*
 * Random streams: seeding of named xoshiro256** streams from (seed, name),
 * and the draws that are too long to inline (bounded integers, exponential
 * variates). The derivation is specified in rng.h; keep the two in step.
 *
 * Entry points: rng_init(), rng_below(), rng_exponential().
 *
 * Leaves out: everything listed in rng.h.
 */
#include "sim/kernel/rng.h"

#include <math.h>

#define RNG_GOLDEN UINT64_C(0x9e3779b97f4a7c15)
#define RNG_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define RNG_FNV_PRIME UINT64_C(0x100000001b3)

/* Returns the splitmix64 finalizer of x: a bijection with good avalanche. */
static uint64_t rng_mix64(uint64_t x)
{
  x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* Returns the 64-bit FNV-1a hash of the bytes of the string name. */
static uint64_t rng_fnv1a64(const char *name)
{
  uint64_t h = RNG_FNV_OFFSET;

  for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
    h ^= *p;
    h *= RNG_FNV_PRIME;
  }
  return h;
}

/* Seeds r as the stream called name under the scenario seed. The same
 * (seed, name) always gives the same sequence; see rng.h for the exact
 * derivation. name must not be NULL (use "" for an anonymous stream). */
void rng_init(Rng *r, uint64_t seed, const char *name)
{
  uint64_t key;

  g_return_if_fail(r != NULL && name != NULL);
  key = rng_mix64(rng_mix64(seed + RNG_GOLDEN) ^ rng_fnv1a64(name));
  for (int i = 0; i < 4; i++) {
    key += RNG_GOLDEN;
    r->s[i] = rng_mix64(key);
  }
}

/* Returns the high 64 bits of the 128-bit product a * b and stores the low
 * 64 bits in *lo, in portable C. */
static uint64_t rng_mul128(uint64_t a, uint64_t b, uint64_t *lo)
{
  uint64_t a_lo = (uint32_t)a, a_hi = a >> 32;
  uint64_t b_lo = (uint32_t)b, b_hi = b >> 32;
  uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
  uint64_t mid = (p0 >> 32) + (uint32_t)p1 + (uint32_t)p2;

  *lo = (mid << 32) | (uint32_t)p0;
  return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

/* Returns a uniform integer in [0, n), n > 0, without bias, by Lemire's
 * multiply-and-reject method ("Fast random integer generation in an
 * interval", 2019): one draw, plus a redraw with probability below n/2^64. */
uint64_t rng_below(Rng *r, uint64_t n)
{
  uint64_t lo;
  uint64_t hi;

  g_return_val_if_fail(n > 0, 0);
  hi = rng_mul128(rng_u64(r), n, &lo);
  if (lo < n) {
    uint64_t threshold = (0 - n) % n;
    while (lo < threshold)
      hi = rng_mul128(rng_u64(r), n, &lo);
  }
  return hi;
}

/* The exponential ziggurat of Marsaglia and Tsang (2000): 256 strips of
 * equal area. A draw falls inside its strip's rectangle about 98.9% of the
 * time and costs one 64-bit draw and a multiplication; only the rest needs
 * exp() or log(). Much faster than inversion, and just as exact. */
#define RNG_ZIG_STRIPS 256
#define RNG_ZIG_R 7.69711747013104972  /* start of the tail */
#define RNG_ZIG_V 3.949659822581572e-3 /* area of each strip */

typedef struct {
  uint32_t k[RNG_ZIG_STRIPS]; /* a draw j < k[i] lies inside strip i's rectangle */
  double w[RNG_ZIG_STRIPS];   /* x = j * w[i] */
  double f[RNG_ZIG_STRIPS];   /* exp(-x) at the strip's edge */
} RngZiggurat;

static void rng_ziggurat_fill(RngZiggurat *z)
{
  const double m2 = 4294967296.0;
  double de = RNG_ZIG_R, te = RNG_ZIG_R;
  double q = RNG_ZIG_V / exp(-de);

  z->k[0] = (uint32_t)((de / q) * m2);
  z->k[1] = 0;
  z->w[0] = q / m2;
  z->w[RNG_ZIG_STRIPS - 1] = de / m2;
  z->f[0] = 1.0;
  z->f[RNG_ZIG_STRIPS - 1] = exp(-de);
  for (int i = RNG_ZIG_STRIPS - 2; i >= 1; i--) {
    de = -log(RNG_ZIG_V / de + exp(-de));
    z->k[i + 1] = (uint32_t)((de / te) * m2);
    te = de;
    z->f[i] = exp(-de);
    z->w[i] = de / m2;
  }
}

/* Returns the tables, computed once; they never change afterwards. */
static const RngZiggurat *rng_ziggurat(void)
{
  static RngZiggurat tables;
  static gsize ready;

  if (g_once_init_enter(&ready)) {
    rng_ziggurat_fill(&tables);
    g_once_init_leave(&ready, 1);
  }
  return &tables;
}

/* Returns a uniform double in (0, 1], safe to take the log of. */
static double rng_uniform_open0(Rng *r)
{
  return ((double)(rng_u64(r) >> 11) + 1.0) * 0x1.0p-53;
}

/* The ziggurat's slow path: the tail beyond R, and the wedges. */
static double rng_ziggurat_slow(const RngZiggurat *z, Rng *r, uint32_t j, unsigned i)
{
  for (;;) {
    if (i == 0)
      return RNG_ZIG_R - log(rng_uniform_open0(r));
    double x = j * z->w[i];
    if (z->f[i] + rng_uniform(r) * (z->f[i - 1] - z->f[i]) < exp(-x))
      return x;
    uint64_t bits = rng_u64(r);
    j = (uint32_t)(bits >> 32);
    i = bits & 0xff;
    if (j < z->k[i])
      return j * z->w[i];
  }
}

/* Returns an exponential variate with the given mean > 0, by the ziggurat
 * method; the result is finite and >= 0. */
double rng_exponential(Rng *r, double mean)
{
  g_return_val_if_fail(mean > 0.0, 0.0);
  const RngZiggurat *z = rng_ziggurat();
  uint64_t bits = rng_u64(r);
  uint32_t j = (uint32_t)(bits >> 32);
  unsigned i = bits & 0xff;

  if (G_LIKELY(j < z->k[i]))
    return mean * (j * z->w[i]);
  return mean * rng_ziggurat_slow(z, r, j, i);
}
