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
 * Random delays come from the project's random streams (sim/rng.h), seeded
 * by N, so each run is deterministic.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/kernel/rng.h"
#include "sim/kernel/scheduler.h"

#define HOLD_MEAN_NS 1e9
#define HOLD_MAX_RUNS 16

/* The state of one benchmark run, passed to every event as obj. */
typedef struct {
  Scheduler *sched;
  Rng rng;
  uint64_t remaining;
} HoldRun;

/* Returns the delay of the next event in nanoseconds. */
static inline SimTime hold_delay(HoldRun *run)
{
  return (SimTime)rng_exponential(&run->rng, HOLD_MEAN_NS);
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
static void hold_bench(uint64_t pending, uint64_t events)
{
  HoldRun run = {.sched = scheduler_new(), .remaining = events};

  rng_init(&run.rng, pending, "bench/hold");
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

  for (int i = 0; i < runs; i++)
    hold_bench(pendings[i], events);
  return 0;
}
