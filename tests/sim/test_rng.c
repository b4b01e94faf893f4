/*
 * Tests for sim/rng: determinism (pinned outputs, creation order, other
 * streams' draws), distinctness of streams, and statistical sanity of each
 * draw with fixed seeds. The tolerances are many standard deviations wide;
 * with the seeds fixed the results never change from run to run anyway.
 */
#include <check.h>
#include <glib.h>
#include <math.h>

#include "sim/kernel/rng.h"
#include "tests/sim/suites.h"

#define DRAWS 1000000

START_TEST(test_xoshiro_reference)
{
  /* The published xoshiro256** outputs for the state {1, 2, 3, 4}. */
  static const uint64_t expected[] = {11520, 0, 1509978240, UINT64_C(1215971899390074240)};
  Rng r = {{1, 2, 3, 4}};

  for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
    ck_assert_uint_eq(rng_u64(&r), expected[i]);
}
END_TEST

START_TEST(test_pinned_outputs)
{
  /* A regression guard: changing the derivation changes every result. */
  static const uint64_t expected[] = {
      UINT64_C(0x1be3b3fb6608456f),
      UINT64_C(0x16babae86b95c206),
      UINT64_C(0x71d39a9e60278ff3),
      UINT64_C(0xfd2963c11f70cebb),
  };
  static const uint64_t expected_empty[] = {
      UINT64_C(0xee8e4caeac743bdf),
      UINT64_C(0x25433d3b5ff51db0),
  };
  Rng r;

  rng_init(&r, 42, "link/core/loss");
  for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
    ck_assert_uint_eq(rng_u64(&r), expected[i]);
  rng_init(&r, 0, "");
  for (size_t i = 0; i < G_N_ELEMENTS(expected_empty); i++)
    ck_assert_uint_eq(rng_u64(&r), expected_empty[i]);
}
END_TEST

START_TEST(test_same_seed_same_sequence)
{
  Rng a, b;
  int mismatches = 0;

  rng_init(&a, 7, "app/probe");
  rng_init(&b, 7, "app/probe");
  for (int i = 0; i < 10000; i++)
    mismatches += rng_u64(&a) != rng_u64(&b);
  ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_order_independent)
{
  Rng alone, first, second, other;
  uint64_t reference[1000];
  int mismatches = 0;

  rng_init(&alone, 7, "link/a");
  for (int i = 0; i < 1000; i++)
    reference[i] = rng_u64(&alone);
  /* Create another stream first and interleave its draws. */
  rng_init(&other, 7, "link/b");
  for (int i = 0; i < 123; i++)
    rng_u64(&other);
  rng_init(&first, 7, "link/a");
  rng_init(&second, 7, "link/c");
  for (int i = 0; i < 1000; i++) {
    rng_below(&other, 10);
    rng_uniform(&second);
    mismatches += rng_u64(&first) != reference[i];
  }
  ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_streams_differ)
{
  static const struct {
    uint64_t seed;
    const char *name;
  } streams[] = {
      {7, "a"}, {7, "b"}, {8, "a"}, {7, "ab"},         {7, "ba"},    {7, ""},
      {0, ""},  {1, ""},  {0, "a"}, {UINT64_MAX, "a"}, {7, "a\x01"}, {6, "b"},
  };
  uint64_t firsts[G_N_ELEMENTS(streams)][4];

  for (size_t i = 0; i < G_N_ELEMENTS(streams); i++) {
    Rng r;
    rng_init(&r, streams[i].seed, streams[i].name);
    for (int k = 0; k < 4; k++)
      firsts[i][k] = rng_u64(&r);
  }
  /* No two streams share any of their first outputs. */
  for (size_t i = 0; i < G_N_ELEMENTS(streams); i++)
    for (size_t j = i + 1; j < G_N_ELEMENTS(streams); j++)
      for (int k = 0; k < 4; k++)
        ck_assert_uint_ne(firsts[i][k], firsts[j][k]);
}
END_TEST

START_TEST(test_uniform_moments)
{
  Rng r;
  double sum = 0.0, sum_sq = 0.0;
  int outside = 0;

  rng_init(&r, 1, "test/uniform");
  for (int i = 0; i < DRAWS; i++) {
    double u = rng_uniform(&r);
    outside += !(u >= 0.0 && u < 1.0);
    sum += u;
    sum_sq += u * u;
  }
  double mean = sum / DRAWS;
  double variance = sum_sq / DRAWS - mean * mean;
  ck_assert_int_eq(outside, 0);
  /* Standard errors: 0.00029 for the mean, 0.00008 for the variance. */
  ck_assert_double_eq_tol(mean, 0.5, 0.003);
  ck_assert_double_eq_tol(variance, 1.0 / 12.0, 0.001);
}
END_TEST

START_TEST(test_bernoulli)
{
  Rng r;
  int hits = 0, wrong = 0;

  rng_init(&r, 2, "test/bernoulli");
  for (int i = 0; i < DRAWS; i++)
    hits += rng_bernoulli(&r, 0.3);
  /* Standard error 0.00046. */
  ck_assert_double_eq_tol((double)hits / DRAWS, 0.3, 0.005);
  for (int i = 0; i < 100000; i++)
    wrong += rng_bernoulli(&r, 0.0) + !rng_bernoulli(&r, 1.0);
  ck_assert_int_eq(wrong, 0);
}
END_TEST

START_TEST(test_bernoulli_one_draw)
{
  Rng a, b;

  rng_init(&a, 3, "test/draws");
  rng_init(&b, 3, "test/draws");
  rng_bernoulli(&a, 0.0);
  rng_bernoulli(&a, 1.0);
  rng_bernoulli(&a, 0.5);
  rng_u64(&b);
  rng_u64(&b);
  rng_u64(&b);
  ck_assert_uint_eq(rng_u64(&a), rng_u64(&b));
}
END_TEST

/* Mean, variance and tail of the exponential: the tail checks the
 * ziggurat's slow paths (wedges and the tail beyond 7.7). */
START_TEST(test_exponential_distribution)
{
  Rng r;
  double sum = 0.0, sum_sq = 0.0;
  int outside = 0, beyond_3 = 0, beyond_8 = 0;

  rng_init(&r, 4, "test/exponential");
  for (int i = 0; i < DRAWS; i++) {
    double x = rng_exponential(&r, 2.5);
    outside += !(x >= 0.0 && isfinite(x));
    sum += x;
    sum_sq += x * x;
    beyond_3 += x > 3 * 2.5;
    beyond_8 += x > 8 * 2.5;
  }
  ck_assert_int_eq(outside, 0);
  double mean = sum / DRAWS;
  /* Standard errors: mean 0.0025, variance about 0.03, tails 0.0002 and 0.00002. */
  ck_assert_double_eq_tol(mean, 2.5, 0.03);
  ck_assert_double_eq_tol(sum_sq / DRAWS - mean * mean, 6.25, 0.4);
  ck_assert_double_eq_tol((double)beyond_3 / DRAWS, exp(-3.0), 0.002);
  ck_assert_double_eq_tol((double)beyond_8 / DRAWS, exp(-8.0), 0.0002);
}
END_TEST

START_TEST(test_below_chi_square)
{
  enum { N = 7 };
  Rng r;
  uint64_t counts[N] = {0}, total = 0;
  double chi2 = 0.0, expected = (double)DRAWS / N;

  rng_init(&r, 5, "test/below");
  for (int i = 0; i < DRAWS; i++) {
    uint64_t v = rng_below(&r, N);
    if (v < N)
      counts[v]++;
  }
  for (int k = 0; k < N; k++)
    total += counts[k];
  ck_assert_uint_eq(total, DRAWS);
  for (int k = 0; k < N; k++)
    chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
  /* 6 degrees of freedom: P(chi2 > 40) is about 5e-7. */
  ck_assert_double_lt(chi2, 40.0);
}
END_TEST

START_TEST(test_below_edges)
{
  Rng r;
  uint64_t big = (UINT64_C(1) << 63) + 1;
  int upper = 0, outside = 0;

  rng_init(&r, 6, "test/below-edges");
  for (int i = 0; i < 1000; i++)
    outside += rng_below(&r, 1) != 0;
  /* Near 2^63 half of all draws are rejected: the result stays below n
   * and hits both halves equally often. */
  for (int i = 0; i < 10000; i++) {
    uint64_t v = rng_below(&r, big);
    outside += v >= big;
    upper += v >= big / 2;
  }
  for (int i = 0; i < 1000; i++)
    outside += rng_below(&r, UINT64_MAX) == UINT64_MAX;
  ck_assert_int_eq(outside, 0);
  ck_assert_int_gt(upper, 4500);
  ck_assert_int_lt(upper, 5500);
}
END_TEST

START_TEST(test_streams_uncorrelated)
{
  Rng a, b;
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;

  rng_init(&a, 9, "link/a/loss");
  rng_init(&b, 9, "link/b/loss");
  for (int i = 0; i < DRAWS; i++) {
    double x = rng_uniform(&a), y = rng_uniform(&b);
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  double cov = sab / DRAWS - (sa / DRAWS) * (sb / DRAWS);
  double va = saa / DRAWS - (sa / DRAWS) * (sa / DRAWS);
  double vb = sbb / DRAWS - (sb / DRAWS) * (sb / DRAWS);
  /* Standard error of the correlation: 0.001. */
  ck_assert_double_lt(fabs(cov / sqrt(va * vb)), 0.01);
}
END_TEST

Suite *rng_suite(void)
{
  Suite *s = suite_create("rng");
  TCase *determinism = tcase_create("determinism");
  TCase *statistics = tcase_create("statistics");

  tcase_add_test(determinism, test_xoshiro_reference);
  tcase_add_test(determinism, test_pinned_outputs);
  tcase_add_test(determinism, test_same_seed_same_sequence);
  tcase_add_test(determinism, test_order_independent);
  tcase_add_test(determinism, test_streams_differ);
  tcase_add_test(determinism, test_bernoulli_one_draw);
  tcase_add_test(statistics, test_uniform_moments);
  tcase_add_test(statistics, test_bernoulli);
  tcase_add_test(statistics, test_exponential_distribution);
  tcase_add_test(statistics, test_below_chi_square);
  tcase_add_test(statistics, test_below_edges);
  tcase_add_test(statistics, test_streams_uncorrelated);
  suite_add_tcase(s, determinism);
  suite_add_tcase(s, statistics);
  return s;
}
