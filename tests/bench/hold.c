/*
 * Hold-model benchmark of the event scheduler. N events are pending; each
 * executed event schedules one new event at now plus an exponential delay
 * (mean 1 s), so N stays constant. After the initial fill, M events are run
 * and timed; memory is read from the scheduler at the end (steady state).
 *
 * Usage: hold [--pending N]... [--events M]
 * Without --pending it runs N = 1e3, 1e5, 1e6 and 1e7 in turn; M defaults to
 * 1e7. Prints one key=value line per run. Peak RSS is the process's, so with
 * several N it is the largest so far.
 *
 * Random delays come from a local xoshiro256** generator (seeded through
 * splitmix64) and a 256-box ziggurat for the exponential distribution
 * (Marsaglia and Tsang, 2000), so the figures do not depend on another
 * module and each run is deterministic.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/scheduler.h"

#define HOLD_MEAN_NS 1e9
#define HOLD_SEED UINT64_C(0x1f2e3d4c5b6a7988)
#define HOLD_ZIG_BOXES 256
#define HOLD_ZIG_R 7.69711747013104972
#define HOLD_ZIG_V 3.949659822581572e-3
#define HOLD_MAX_RUNS 16

/* A xoshiro256** generator. */
typedef struct {
  uint64_t s[4];
} HoldRng;

/* Ziggurat tables for the standard exponential distribution. */
typedef struct {
  uint32_t k[HOLD_ZIG_BOXES];
  double w[HOLD_ZIG_BOXES];
  double f[HOLD_ZIG_BOXES];
} HoldZiggurat;

/* The state of one benchmark run, passed to every event as obj. */
typedef struct {
  Scheduler *sched;
  HoldRng rng;
  const HoldZiggurat *zig;
  uint64_t remaining;
} HoldRun;

/* Returns the next splitmix64 output and advances *state. */
static uint64_t hold_splitmix64(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Seeds rng from a 64-bit seed. */
static void hold_rng_seed(HoldRng *rng, uint64_t seed)
{
  for (int i = 0; i < 4; i++)
    rng->s[i] = hold_splitmix64(&seed);
}

static inline uint64_t hold_rotl(uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* Returns the next 64 random bits of xoshiro256**. */
static inline uint64_t hold_rng_next(HoldRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = hold_rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = hold_rotl(s[3], 45);
  return result;
}

/* Returns a uniform double in (0, 1]. */
static inline double hold_rng_uniform(HoldRng *rng)
{
  return ((double)(hold_rng_next(rng) >> 11) + 1.0) * 0x1.0p-53;
}

/* Fills the ziggurat tables (Marsaglia and Tsang's setup for REXP). */
static void hold_ziggurat_init(HoldZiggurat *z)
{
  const double m2 = 4294967296.0;
  double de = HOLD_ZIG_R, te = HOLD_ZIG_R;
  double q = HOLD_ZIG_V / exp(-de);

  z->k[0] = (uint32_t)((de / q) * m2);
  z->k[1] = 0;
  z->w[0] = q / m2;
  z->w[HOLD_ZIG_BOXES - 1] = de / m2;
  z->f[0] = 1.0;
  z->f[HOLD_ZIG_BOXES - 1] = exp(-de);
  for (int i = HOLD_ZIG_BOXES - 2; i >= 1; i--) {
    de = -log(HOLD_ZIG_V / de + exp(-de));
    z->k[i + 1] = (uint32_t)((de / te) * m2);
    te = de;
    z->f[i] = exp(-de);
    z->w[i] = de / m2;
  }
}

/* The slow path of the ziggurat: the base strip, tail and wedges. */
static double hold_ziggurat_fix(const HoldZiggurat *z, HoldRng *rng, uint32_t j, unsigned i)
{
  for (;;) {
    if (i == 0)
      return HOLD_ZIG_R - log(hold_rng_uniform(rng));
    double x = j * z->w[i];
    if (z->f[i] + hold_rng_uniform(rng) * (z->f[i - 1] - z->f[i]) < exp(-x))
      return x;
    uint64_t bits = hold_rng_next(rng);
    j = (uint32_t)(bits >> 32);
    i = bits & 0xff;
    if (j < z->k[i])
      return j * z->w[i];
  }
}

/* Returns a draw from the exponential distribution with mean 1. */
static inline double hold_exponential(const HoldZiggurat *z, HoldRng *rng)
{
  uint64_t bits = hold_rng_next(rng);
  uint32_t j = (uint32_t)(bits >> 32);
  unsigned i = bits & 0xff;

  if (G_LIKELY(j < z->k[i]))
    return j * z->w[i];
  return hold_ziggurat_fix(z, rng, j, i);
}

/* Returns the delay of the next event in nanoseconds. */
static inline SimTime hold_delay(HoldRun *run)
{
  return (SimTime)(HOLD_MEAN_NS * hold_exponential(run->zig, &run->rng));
}

/* The held event: schedules its successor; stops when M events have run. */
static void hold_event(void *obj, void *arg)
{
  HoldRun *run = obj;

  (void)arg;
  scheduler_after(run->sched, hold_delay(run), hold_event, run, NULL);
  if (--run->remaining == 0)
    scheduler_stop(run->sched);
}

/* Returns the monotonic clock in seconds. */
static double hold_clock(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Returns the peak resident set size of the process in MiB. */
static double hold_peak_rss_mib(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

/* Fills, runs and reports one hold-model run with `pending` events. */
static void hold_bench(const HoldZiggurat *zig, uint64_t pending, uint64_t events)
{
  HoldRun run = {.sched = scheduler_new(), .zig = zig, .remaining = events};

  hold_rng_seed(&run.rng, HOLD_SEED ^ pending);
  for (uint64_t i = 0; i < pending; i++)
    scheduler_at(run.sched, hold_delay(&run), hold_event, &run, NULL);

  double start = hold_clock();
  uint64_t ran = scheduler_run(run.sched, SIMTIME_MAX);
  double wall = hold_clock() - start;

  double bytes = (double)scheduler_memory_bytes(run.sched) / (double)scheduler_pending(run.sched);
  printf("pending=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT
         " wall_s=%.3f events_per_s=%.0f bytes_per_pending_event=%.1f peak_rss_mib=%.1f\n",
         pending, ran, wall, (double)ran / wall, bytes, hold_peak_rss_mib());
  fflush(stdout);
  scheduler_free(run.sched);
}

/* Parses a positive count such as "1000" or "1e6"; exits on error. */
static uint64_t hold_parse_count(const char *text)
{
  char *end;
  double v = strtod(text, &end);

  if (*end != '\0' || !(v >= 1 && v <= 1e12)) {
    fprintf(stderr, "hold: bad count '%s'\n", text);
    exit(2);
  }
  return (uint64_t)v;
}

int main(int argc, char **argv)
{
  uint64_t pendings[HOLD_MAX_RUNS];
  int runs = 0;
  uint64_t events = 10000000;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--pending") == 0 && i + 1 < argc && runs < HOLD_MAX_RUNS) {
      pendings[runs++] = hold_parse_count(argv[++i]);
    } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      events = hold_parse_count(argv[++i]);
    } else {
      fprintf(stderr, "usage: hold [--pending N]... [--events M]\n");
      return 2;
    }
  }
  if (runs == 0) {
    const uint64_t defaults[] = {1000, 100000, 1000000, 10000000};
    for (runs = 0; runs < 4; runs++)
      pendings[runs] = defaults[runs];
  }

  HoldZiggurat zig;
  hold_ziggurat_init(&zig);
  for (int i = 0; i < runs; i++)
    hold_bench(&zig, pendings[i], events);
  return 0;
}
