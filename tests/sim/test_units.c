/*
 * Tests for sim/units: exact values of good inputs, the exact user-facing
 * message of each bad input, canonical printing, round trips (tables and
 * random values) and the overflow edges.
 */
#include <check.h>
#include <glib.h>
#include <inttypes.h>

#include "sim/text/units.h"
#include "tests/sim/suites.h"

#define DURATION_UNITS "(units: ns, us, ms, s, min, h)"
#define DURATION_EXPECTED "expected a duration such as '10ms' or '1.5s' " DURATION_UNITS
#define RATE_UNITS "(units: bps, kbps, Mbps, Gbps, Tbps, bit, kbit, Mbit, Gbit, Tbit)"
#define RATE_EXPECTED "expected a rate such as '100Mbps' or '1.5Gbps' " RATE_UNITS
#define SIZE_UNITS "(units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)"
#define SIZE_EXPECTED "expected a size such as '1500B' or '64KiB' " SIZE_UNITS
#define QUEUE_UNITS "(units: p, B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)"
#define QUEUE_EXPECTED "expected a queue limit such as '100p' or '64KiB' " QUEUE_UNITS
#define PERCENT_EXPECTED "expected a percentage such as '0.1%' or '5%'"

/* A good input, its exact value and its canonical spelling. */
typedef struct {
  const char *text;
  uint64_t value;
  const char *canonical;
} GoodCase;

/* A bad input and the exact message it must produce. */
typedef struct {
  const char *text;
  const char *message;
} BadCase;

static const GoodCase good_durations[] = {
    {"0", 0, "0s"},
    {"00", 0, "0s"},
    {"0.0", 0, "0s"},
    {"0ns", 0, "0s"},
    {"0s", 0, "0s"},
    {"10ns", 10, "10ns"},
    {"250us", 250000, "250us"},
    {"1.5ms", 1500000, "1.5ms"},
    {"1.50ms", 1500000, "1.5ms"},
    {"2s", 2000000000, "2s"},
    {"1min", 60000000000, "60s"},
    {"1.5min", 90000000000, "90s"},
    {"90s", 90000000000, "90s"},
    {"120s", 120000000000, "120s"},
    {"1h", 3600000000000, "3600s"},
    {"0.5h", 1800000000000, "1800s"},
    {"007ms", 7000000, "7ms"},
    {"1000ms", 1000000000, "1s"},
    {"1000001ns", 1000001, "1.000001ms"},
    {"0.000000001s", 1, "1ns"},
    {"1.0000000000s", 1000000000, "1s"},
    {"123.456789012s", 123456789012, "123.456789012s"},
    {"9223372036854775807ns", INT64_MAX, "9223372036.854775807s"},
    {"9223372036.854775807s", INT64_MAX, "9223372036.854775807s"},
    {"153722867min", UINT64_C(9223372020000000000), "9223372020s"},
    {"2562047h", UINT64_C(9223369200000000000), "9223369200s"},
};

static const BadCase bad_durations[] = {
    {"", DURATION_EXPECTED ", found an empty string"},
    {"10", "missing unit in '10'; expected a duration such as '10ms' or '1.5s' " DURATION_UNITS},
    {"0.5", "missing unit in '0.5'; expected a duration such as '10ms' or '1.5s' " DURATION_UNITS},
    {"1.5ns", "'1.5ns' is not a whole number of nanoseconds"},
    {"1.0000000001s", "'1.0000000001s' is not a whole number of nanoseconds"},
    {"-5ms", "a duration cannot be negative, found '-5ms'"},
    {"-0", "a duration cannot be negative, found '-0'"},
    {"+5ms", DURATION_EXPECTED ", found '+5ms'"},
    {"10 ms", "unexpected space in '10 ms'; write '10ms'"},
    {"10ms ", "unexpected space in '10ms '; write '10ms'"},
    {" 10ms", "unexpected space in ' 10ms'; write '10ms'"},
    {"10\tms", "unexpected space in '10\\x09ms'; write '10ms'"},
    {"10 parsecs", DURATION_EXPECTED ", found '10 parsecs'"},
    {"10parsecs", "unknown duration unit 'parsecs' " DURATION_UNITS},
    {"10sec", "unknown duration unit 'sec'; did you mean 's'?"},
    {"10m", "unknown duration unit 'm'; did you mean 'min'?"},
    {"10MS", "unknown duration unit 'MS'; did you mean 'ms'?"},
    {"10msx", "unknown duration unit 'msx'; did you mean 'ms'?"},
    {"10hours", "unknown duration unit 'hours'; did you mean 'h'?"},
    {"10\xc2\xb5s", "unknown duration unit '\xc2\xb5s'; did you mean 'us'?"},
    {"0x10ms", DURATION_EXPECTED ", found '0x10ms'"},
    {"1e3ms", DURATION_EXPECTED ", found '1e3ms'"},
    {".5ms", DURATION_EXPECTED ", found '.5ms'"},
    {"1.ms", DURATION_EXPECTED ", found '1.ms'"},
    {"1.5.5ms", DURATION_EXPECTED ", found '1.5.5ms'"},
    {"10ms!", DURATION_EXPECTED ", found '10ms!'"},
    {"ms", DURATION_EXPECTED ", found 'ms'"},
    {"10\x01ms", DURATION_EXPECTED ", found '10\\x01ms'"},
    {"9223372036.854775808s", "'9223372036.854775808s' is too large; the largest duration is 9223372036.854775807s"},
    {"9223372036854775808ns", "'9223372036854775808ns' is too large; the largest duration is 9223372036.854775807s"},
    {"18446744073709551616ns", "'18446744073709551616ns' is too large; the largest duration is 9223372036.854775807s"},
    {"2562048h", "'2562048h' is too large; the largest duration is 9223372036.854775807s"},
    {"1000000000000000000000000000000000000000000000000000000000000000000000s",
     "'100000000000000000000000000000000000000000000000000000000000...' is too large; the "
     "largest duration is 9223372036.854775807s"},
};

static const GoodCase good_rates[] = {
    {"1bps", 1, "1bps"},
    {"56kbps", 56000, "56kbps"},
    {"100Mbps", 100000000, "100Mbps"},
    {"1.5Gbps", 1500000000, "1.5Gbps"},
    {"1500Mbps", 1500000000, "1.5Gbps"},
    {"0.001kbps", 1, "1bps"},
    {"2Tbps", 2000000000000, "2Tbps"},
    {"1bit", 1, "1bps"},
    {"64kbit", 64000, "64kbps"},
    {"10Mbit", 10000000, "10Mbps"},
    {"2.5Gbit", 2500000000, "2.5Gbps"},
    {"1Tbit", 1000000000000, "1Tbps"},
    {"999bps", 999, "999bps"},
    {"1000001bps", 1000001, "1.000001Mbps"},
    {"18446744073709551615bps", UINT64_MAX, "18446744.073709551615Tbps"},
    {"18446744.073709551615Tbps", UINT64_MAX, "18446744.073709551615Tbps"},
};

static const BadCase bad_rates[] = {
    {"", RATE_EXPECTED ", found an empty string"},
    {"0bps", "a rate must be greater than zero, found '0bps'"},
    {"0.0Mbps", "a rate must be greater than zero, found '0.0Mbps'"},
    {"0.5bps", "'0.5bps' is not a whole number of bits per second"},
    {"10", "missing unit in '10'; expected a rate such as '100Mbps' or '1.5Gbps' " RATE_UNITS},
    {"0", "missing unit in '0'; expected a rate such as '100Mbps' or '1.5Gbps' " RATE_UNITS},
    {"10mbps", "unknown rate unit 'mbps'; did you mean 'Mbps'?"},
    {"10Kbps", "unknown rate unit 'Kbps'; did you mean 'kbps'?"},
    {"10Mb/s", "unknown rate unit 'Mb/s'; did you mean 'Mbps'?"},
    {"10Mbit/s", "unknown rate unit 'Mbit/s'; did you mean 'Mbps'?"},
    {"10Mbsp", "unknown rate unit 'Mbsp'; did you mean 'Mbps'?"},
    {"10furlongs", "unknown rate unit 'furlongs' " RATE_UNITS},
    {"10 Mbps", "unexpected space in '10 Mbps'; write '10Mbps'"},
    {"-1Mbps", "a rate cannot be negative, found '-1Mbps'"},
    {"mbps", RATE_EXPECTED ", found 'mbps'"},
    {"1e6bps", RATE_EXPECTED ", found '1e6bps'"},
    {"18446744073709551616bps",
     "'18446744073709551616bps' is too large; the largest rate is 18446744.073709551615Tbps"},
    {"18446744.073709551616Tbps",
     "'18446744.073709551616Tbps' is too large; the largest rate is 18446744.073709551615Tbps"},
};

static const GoodCase good_sizes[] = {
    {"0B", 0, "0B"},
    {"1500B", 1500, "1500B"},
    {"1kB", 1000, "1kB"},
    {"2MB", 2000000, "2MB"},
    {"3GB", 3000000000, "3GB"},
    {"4TB", 4000000000000, "4TB"},
    {"1TB", 1000000000000, "1TB"},
    {"1000GB", 1000000000000, "1TB"},
    {"64KiB", 65536, "64KiB"},
    {"1MiB", 1048576, "1MiB"},
    {"1GiB", 1073741824, "1GiB"},
    {"1TiB", 1099511627776, "1TiB"},
    {"1.5KiB", 1536, "1536B"},
    {"0.5KiB", 512, "512B"},
    {"0.0009765625KiB", 1, "1B"},
    {"1.5kB", 1500, "1500B"},
    {"1024B", 1024, "1KiB"},
    {"1000KiB", 1024000, "1000KiB"},
    {"2048kB", 2048000, "2000KiB"},
    {"1024kB", 1024000, "1000KiB"},
    {"1.024MB", 1024000, "1000KiB"},
    {"4096000000kB", 4096000000000, "4096GB"},
    {"18446744073709551615B", UINT64_MAX, "18446744073709551615B"},
    {"16777215TiB", UINT64_C(16777215) << 40, "16777215TiB"},
};

static const BadCase bad_sizes[] = {
    {"", SIZE_EXPECTED ", found an empty string"},
    {"1500", "missing unit in '1500'; expected a size such as '1500B' or '64KiB' " SIZE_UNITS},
    {"0.5B", "'0.5B' is not a whole number of bytes"},
    {"1.0001kB", "'1.0001kB' is not a whole number of bytes"},
    {"10KB", "ambiguous size unit 'KB'; write 'kB' (1000 bytes) or 'KiB' (1024 bytes)"},
    {"10kb", "unknown size unit 'kb'; did you mean 'kB'?"},
    {"10b", "unknown size unit 'b'; did you mean 'B'?"},
    {"10bytes", "unknown size unit 'bytes'; did you mean 'B'?"},
    {"10kib", "unknown size unit 'kib'; did you mean 'KiB'?"},
    {"10 KiB", "unexpected space in '10 KiB'; write '10KiB'"},
    {"-1B", "a size cannot be negative, found '-1B'"},
    {"0x10B", SIZE_EXPECTED ", found '0x10B'"},
    {"18446744073709551616B", "'18446744073709551616B' is too large; the largest size is 18446744073709551615B"},
    {"16777216TiB", "'16777216TiB' is too large; the largest size is 18446744073709551615B"},
};

static const GoodCase good_queues[] = {
    {"1p", 1, "1p"},
    {"100p", 100, "100p"},
    {"18446744073709551615p", UINT64_MAX, "18446744073709551615p"},
};

static const GoodCase good_queue_bytes[] = {
    {"64KiB", 65536, "64KiB"},
    {"1500B", 1500, "1500B"},
    {"1MB", 1000000, "1MB"},
};

static const BadCase bad_queues[] = {
    {"", QUEUE_EXPECTED ", found an empty string"},
    {"100", "missing unit in '100'; expected a queue limit such as '100p' or '64KiB' " QUEUE_UNITS},
    {"0p", "a queue limit must be greater than zero, found '0p'"},
    {"0KiB", "a queue limit must be greater than zero, found '0KiB'"},
    {"1.5p", "'1.5p' is not a whole number of packets"},
    {"0.5B", "'0.5B' is not a whole number of bytes"},
    {"100pkts", "unknown queue unit 'pkts'; did you mean 'p'?"},
    {"100P", "unknown queue unit 'P'; did you mean 'p'?"},
    {"100KB", "ambiguous size unit 'KB'; write 'kB' (1000 bytes) or 'KiB' (1024 bytes)"},
    {"100 p", "unexpected space in '100 p'; write '100p'"},
    {"-5p", "a queue limit cannot be negative, found '-5p'"},
    {"18446744073709551616p", "'18446744073709551616p' is too large; the largest queue limit is "
                              "18446744073709551615p or 18446744073709551615B"},
};

/* Percentages: the expected fraction is a C literal, so the nearest double. */
typedef struct {
  const char *text;
  double fraction;
} PercentCase;

static const PercentCase good_percents[] = {
    {"0%", 0.0},   {"0.1%", 0.001},  {"5%", 0.05},          {"12.5%", 0.125}, {"33.3%", 0.333},
    {"100%", 1.0}, {"100.00%", 1.0}, {"0.0001%", 0.000001}, {"099%", 0.99},
};

static const BadCase bad_percents[] = {
    {"", PERCENT_EXPECTED ", found an empty string"},
    {"0.5", "missing unit in '0.5'; expected a percentage such as '0.1%' or '5%'"},
    {"5 %", "unexpected space in '5 %'; write '5%'"},
    {"5percent", "unknown percentage unit 'percent'; did you mean '%'?"},
    {"-1%", "a percentage cannot be negative, found '-1%'"},
    {"100.01%", "'100.01%' is out of range; expected a percentage from 0% to 100%"},
    {"1000%", "'1000%' is out of range; expected a percentage from 0% to 100%"},
    {"101%", "'101%' is out of range; expected a percentage from 0% to 100%"},
    {"abc", PERCENT_EXPECTED ", found 'abc'"},
    {"1e2%", PERCENT_EXPECTED ", found '1e2%'"},
};

typedef struct {
  const char *text;
  uint64_t max;
  uint64_t value;
} UintCase;

static const UintCase good_uints[] = {
    {"0", 10, 0},
    {"10", 10, 10},
    {"007", 10, 7},
    {"18446744073709551615", UINT64_MAX, UINT64_MAX},
};

typedef struct {
  const char *text;
  uint64_t max;
  const char *message;
} BadUintCase;

static const BadUintCase bad_uints[] = {
    {"", 10, "expected a whole number from 0 to 10, found an empty string"},
    {"11", 10, "'11' is too large; the largest allowed is 10"},
    {"-1", 10, "expected a whole number from 0 to 10, found '-1'"},
    {"+1", 10, "expected a whole number from 0 to 10, found '+1'"},
    {"0x10", 100, "expected a whole number from 0 to 100, found '0x10'"},
    {"1e3", 10000, "expected a whole number from 0 to 10000, found '1e3'"},
    {"1.0", 10, "expected a whole number from 0 to 10, found '1.0'"},
    {" 1", 10, "expected a whole number from 0 to 10, found ' 1'"},
    {"18446744073709551616", UINT64_MAX,
     "'18446744073709551616' is too large; the largest allowed is 18446744073709551615"},
};

/* Asserts that err is a UNITS_ERROR with exactly the given message. */
static void assert_units_error(GError *err, const char *text, const char *message)
{
  ck_assert_msg(err != NULL, "'%s' parsed but should fail", text);
  ck_assert(g_error_matches(err, UNITS_ERROR, UNITS_ERROR_INVALID));
  ck_assert_str_eq(err->message, message);
  g_error_free(err);
}

START_TEST(test_duration_good)
{
  const GoodCase *c = &good_durations[_i];
  SimTime t = -1;
  GError *err = NULL;

  ck_assert_msg(units_parse_duration(c->text, &t, &err), "'%s': %s", c->text, err ? err->message : "");
  ck_assert_int_eq(t, (SimTime)c->value);
  g_autofree char *text = units_format_duration(t);
  ck_assert_str_eq(text, c->canonical);
}
END_TEST

START_TEST(test_duration_bad)
{
  const BadCase *c = &bad_durations[_i];
  SimTime t = 42;
  GError *err = NULL;

  ck_assert(!units_parse_duration(c->text, &t, &err));
  ck_assert_int_eq(t, 42);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_rate_good)
{
  const GoodCase *c = &good_rates[_i];
  uint64_t bps = 0;
  GError *err = NULL;

  ck_assert_msg(units_parse_rate(c->text, &bps, &err), "'%s': %s", c->text, err ? err->message : "");
  ck_assert_uint_eq(bps, c->value);
  g_autofree char *text = units_format_rate(bps);
  ck_assert_str_eq(text, c->canonical);
}
END_TEST

START_TEST(test_rate_bad)
{
  const BadCase *c = &bad_rates[_i];
  uint64_t bps = 42;
  GError *err = NULL;

  ck_assert(!units_parse_rate(c->text, &bps, &err));
  ck_assert_uint_eq(bps, 42);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_size_good)
{
  const GoodCase *c = &good_sizes[_i];
  uint64_t bytes = 1;
  GError *err = NULL;

  ck_assert_msg(units_parse_size(c->text, &bytes, &err), "'%s': %s", c->text, err ? err->message : "");
  ck_assert_uint_eq(bytes, c->value);
  g_autofree char *text = units_format_size(bytes);
  ck_assert_str_eq(text, c->canonical);
}
END_TEST

START_TEST(test_size_bad)
{
  const BadCase *c = &bad_sizes[_i];
  uint64_t bytes = 42;
  GError *err = NULL;

  ck_assert(!units_parse_size(c->text, &bytes, &err));
  ck_assert_uint_eq(bytes, 42);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_queue_packets)
{
  const GoodCase *c = &good_queues[_i];
  QueueLimit q = {7, 7};
  GError *err = NULL;

  ck_assert_msg(units_parse_queue(c->text, &q, &err), "'%s'", c->text);
  ck_assert_uint_eq(q.packets, c->value);
  ck_assert_uint_eq(q.bytes, 0);
  g_autofree char *text = units_format_queue(q);
  ck_assert_str_eq(text, c->canonical);
}
END_TEST

START_TEST(test_queue_bytes)
{
  const GoodCase *c = &good_queue_bytes[_i];
  QueueLimit q = {7, 7};
  GError *err = NULL;

  ck_assert_msg(units_parse_queue(c->text, &q, &err), "'%s'", c->text);
  ck_assert_uint_eq(q.packets, 0);
  ck_assert_uint_eq(q.bytes, c->value);
  g_autofree char *text = units_format_queue(q);
  ck_assert_str_eq(text, c->canonical);
}
END_TEST

START_TEST(test_queue_bad)
{
  const BadCase *c = &bad_queues[_i];
  QueueLimit q = {7, 7};
  GError *err = NULL;

  ck_assert(!units_parse_queue(c->text, &q, &err));
  ck_assert_uint_eq(q.packets, 7);
  ck_assert_uint_eq(q.bytes, 7);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_percent_good)
{
  const PercentCase *c = &good_percents[_i];
  double f = -1.0;
  GError *err = NULL;

  ck_assert_msg(units_parse_percent(c->text, &f, &err), "'%s'", c->text);
  /* Exact: the parser rounds once, like the C compiler does for literals. */
  ck_assert_msg(f == c->fraction, "'%s' gave %.17g, expected %.17g", c->text, f, c->fraction);
}
END_TEST

START_TEST(test_percent_bad)
{
  const BadCase *c = &bad_percents[_i];
  double f = 42.0;
  GError *err = NULL;

  ck_assert(!units_parse_percent(c->text, &f, &err));
  ck_assert(f == 42.0);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_uint_good)
{
  const UintCase *c = &good_uints[_i];
  uint64_t v = 42;
  GError *err = NULL;

  ck_assert_msg(units_parse_uint(c->text, c->max, &v, &err), "'%s'", c->text);
  ck_assert_uint_eq(v, c->value);
}
END_TEST

START_TEST(test_uint_bad)
{
  const BadUintCase *c = &bad_uints[_i];
  uint64_t v = 42;
  GError *err = NULL;

  ck_assert(!units_parse_uint(c->text, c->max, &v, &err));
  ck_assert_uint_eq(v, 42);
  assert_units_error(err, c->text, c->message);
}
END_TEST

START_TEST(test_format_fixed)
{
  static const struct {
    SimTime t;
    const char *text;
  } durations[] = {
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1000, "1us"},
      {1500000, "1.5ms"},
      {2000000000, "2s"},
      {90000000000, "90s"},
      {60000000001, "60.000000001s"},
      {-1500000, "-1.5ms"},
      {INT64_MIN, "-9223372036.854775808s"},
  };

  for (size_t i = 0; i < G_N_ELEMENTS(durations); i++) {
    g_autofree char *text = units_format_duration(durations[i].t);
    ck_assert_str_eq(text, durations[i].text);
  }
  g_autofree char *zero_rate = units_format_rate(0);
  ck_assert_str_eq(zero_rate, "0bps");
  g_autofree char *big = units_format_size(UINT64_C(1) << 63);
  ck_assert_str_eq(big, "8388608TiB");
  g_autofree char *queue = units_format_queue((QueueLimit){0, 65536});
  ck_assert_str_eq(queue, "64KiB");
}
END_TEST

/* Returns a random value spread over all magnitudes: a random 64-bit
 * number shifted right by a random amount, sometimes times a unit. */
static uint64_t random_value(GRand *rand, uint64_t max)
{
  static const uint64_t scales[] = {1, 1000, 1000000, 1000000000, 60000000000, 1024, 1048576};
  uint64_t v = ((uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand)) >> g_rand_int_range(rand, 0, 64);
  uint64_t scale = scales[g_rand_int_range(rand, 0, G_N_ELEMENTS(scales))];

  if (g_rand_boolean(rand) && v <= max / scale)
    v *= scale;
  return v > max ? max : v;
}

/* Returns TRUE if the printed forms of v parse back to v (rates and
 * queues need v > 0). Kept out of ck_assert for speed in loops. */
static gboolean round_trips(uint64_t v)
{
  SimTime t;
  uint64_t r, s;
  QueueLimit q;
  g_autofree char *dt = v <= INT64_MAX ? units_format_duration((SimTime)v) : g_strdup("0");
  g_autofree char *rt = units_format_rate(v);
  g_autofree char *st = units_format_size(v);
  g_autofree char *qt = units_format_queue((QueueLimit){0, v});

  return units_parse_duration(dt, &t, NULL) && t == (v <= INT64_MAX ? (SimTime)v : 0) &&
         units_parse_rate(rt, &r, NULL) && r == v && units_parse_size(st, &s, NULL) && s == v &&
         units_parse_queue(qt, &q, NULL) && q.bytes == v && q.packets == 0;
}

START_TEST(test_round_trip_random)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed(20240607);
  uint64_t failed = 0;

  for (int i = 0; i < 100000 && failed == 0; i++) {
    uint64_t v = random_value(rand, UINT64_MAX);
    if (v > 0 && !round_trips(v))
      failed = v;
  }
  ck_assert_msg(failed == 0, "%" PRIu64 " does not round-trip", failed);
}
END_TEST

START_TEST(test_round_trip_edges)
{
  static const uint64_t edges[] = {
      1,
      9,
      10,
      999,
      1000,
      1001,
      1023,
      1024,
      1025,
      59999999999,
      60000000000,
      3600000000000,
      INT64_MAX - 1,
      INT64_MAX,
      (uint64_t)INT64_MAX + 1,
      UINT64_MAX - 1,
      UINT64_MAX,
  };

  for (size_t i = 0; i < G_N_ELEMENTS(edges); i++)
    ck_assert_msg(round_trips(edges[i]), "%" PRIu64 " does not round-trip", edges[i]);
}
END_TEST

START_TEST(test_overflow_edges)
{
  SimTime t;
  uint64_t v;
  g_autofree char *max_duration = units_format_duration(INT64_MAX);
  g_autofree char *max_rate = units_format_rate(UINT64_MAX);
  g_autofree char *max_size = units_format_size(UINT64_MAX);

  /* The "largest ..." texts in messages are the printed maxima. */
  ck_assert_str_eq(max_duration, "9223372036.854775807s");
  ck_assert_str_eq(max_rate, "18446744.073709551615Tbps");
  ck_assert_str_eq(max_size, "18446744073709551615B");
  ck_assert(units_parse_duration(max_duration, &t, NULL) && t == INT64_MAX);
  ck_assert(units_parse_rate(max_rate, &v, NULL) && v == UINT64_MAX);
  ck_assert(units_parse_size(max_size, &v, NULL) && v == UINT64_MAX);
  ck_assert(!units_parse_duration("9223372036.854775808s", &t, NULL));
  ck_assert(!units_parse_duration("2562047.8h", &t, NULL));
  ck_assert(!units_parse_rate("18446745Tbps", &v, NULL));
  ck_assert(!units_parse_size("16777216TiB", &v, NULL));
  ck_assert(units_parse_size("16777215.9999999999990905052982270717620849609375TiB", &v, NULL));
  ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_error_may_be_null)
{
  SimTime t = 3;

  ck_assert(!units_parse_duration("bogus", &t, NULL));
  ck_assert_int_eq(t, 3);
}
END_TEST

/* Adds a table-driven test running once per row. */
#define ADD_TABLE(tc, test, table) tcase_add_loop_test(tc, test, 0, (int)G_N_ELEMENTS(table))

Suite *units_suite(void)
{
  Suite *s = suite_create("units");
  TCase *parse = tcase_create("parse");
  TCase *format = tcase_create("format");

  ADD_TABLE(parse, test_duration_good, good_durations);
  ADD_TABLE(parse, test_duration_bad, bad_durations);
  ADD_TABLE(parse, test_rate_good, good_rates);
  ADD_TABLE(parse, test_rate_bad, bad_rates);
  ADD_TABLE(parse, test_size_good, good_sizes);
  ADD_TABLE(parse, test_size_bad, bad_sizes);
  ADD_TABLE(parse, test_queue_packets, good_queues);
  ADD_TABLE(parse, test_queue_bytes, good_queue_bytes);
  ADD_TABLE(parse, test_queue_bad, bad_queues);
  ADD_TABLE(parse, test_percent_good, good_percents);
  ADD_TABLE(parse, test_percent_bad, bad_percents);
  ADD_TABLE(parse, test_uint_good, good_uints);
  ADD_TABLE(parse, test_uint_bad, bad_uints);
  tcase_add_test(parse, test_overflow_edges);
  tcase_add_test(parse, test_error_may_be_null);
  tcase_add_test(format, test_format_fixed);
  tcase_add_test(format, test_round_trip_random);
  tcase_add_test(format, test_round_trip_edges);
  suite_add_tcase(s, parse);
  suite_add_tcase(s, format);
  return s;
}
