/*
 * Real-time execution of the scheduler, as ns-3's RealtimeSimulatorImpl:
 * events run when the wall clock, measured from rt_run()'s start, reaches
 * their simulated time. In between, the loop sleeps in poll() on the
 * watched file descriptors (TAP devices, child processes' pidfds) and on a
 * signalfd for SIGINT and SIGTERM, waking for the next event or for input;
 * it never busy-waits. A watcher's callback runs with the scheduler's clock
 * advanced to the wall clock's simulated time, so that what it schedules
 * happens "now" (when the loop is behind, to the time of the last event
 * run: events never run out of order). A watched descriptor should be
 * non-blocking; a callback that sees a hang-up must rt_unwatch() it.
 *
 * Lag: how late each event ran (wall time minus its simulated time). The
 * stats give the events run, the maximum, the 99th percentile and the
 * count of events later than 1 ms, over the loop's life. With a lag limit,
 * the run stops as soon as an event runs later than the limit (ns-3's
 * hard-limit mode): that event has run, the scheduler's time is its time
 * and max_lag its lag.
 *
 * Time: simulated time t runs when the wall clock has advanced t - t0
 * since rt_run()'s start, t0 being the scheduler's time then. After
 * RT_DONE by the wall clock the scheduler's time is `until`; after a stop
 * or the lag limit, that of the last event run; after a signal, the wall
 * clock's (or just before the next event, if that was due already).
 *
 * Nothing here is on the path of a simulated-time run: only `ipsim run
 * --realtime` (or `realtime:` in the scenario, or a Linux host) creates an
 * RtLoop.
 *
 * Entry points: rt_new(), rt_free(), rt_set_lag_limit(), rt_watch(),
 * rt_unwatch(), rt_run(), rt_stats(), rt_signal().
 */
#ifndef IPSIM_REALTIME_H
#define IPSIM_REALTIME_H

#include <stdint.h>

#include "sim/kernel/scheduler.h"
#include "sim/kernel/simtime.h"

typedef struct RtLoop RtLoop;

/* Called when `fd` is readable (or hung up). */
typedef void (*RtFdFn)(void *obj, int fd);

typedef struct {
  uint64_t events;   /* events run */
  uint64_t late_1ms; /* of them, those that ran more than 1 ms late */
  SimTime max_lag;   /* the latest */
  SimTime p99_lag;   /* the 99th percentile */
  gboolean awake;    /* the CPUs were kept from sleeping (rt_set_low_latency) */
} RtStats;

typedef enum {
  RT_DONE,   /* the wall clock reached `until`, or an event called scheduler_stop() */
  RT_SIGNAL, /* SIGINT or SIGTERM arrived (rt_signal() tells which) */
  RT_LAG,    /* an event ran later than the lag limit */
} RtEnd;

RtLoop *rt_new(Scheduler *s);
void rt_free(RtLoop *rt);
void rt_set_lag_limit(RtLoop *rt, SimTime limit);
void rt_set_low_latency(RtLoop *rt, gboolean on);

/* Called every `period` of wall time during rt_run() (a progress line), between events. */
typedef void (*RtTickFn)(void *data);
void rt_set_tick(RtLoop *rt, SimTime period, RtTickFn fn, void *data); /* 0: none (the default) */
void rt_watch(RtLoop *rt, int fd, RtFdFn fn, void *obj);
void rt_unwatch(RtLoop *rt, int fd);
RtEnd rt_run(RtLoop *rt, SimTime until);
void rt_stats(const RtLoop *rt, RtStats *out);
int rt_signal(const RtLoop *rt); /* after RT_SIGNAL: SIGINT or SIGTERM; else 0 */

#endif
