/*
 * The scheduler in real time (realtime.h). The loop asks the scheduler for
 * a bound on its next event (scheduler_next_bound()), sleeps in ppoll()
 * until the wall clock reaches it or a watched descriptor is readable,
 * then runs the events due with scheduler_run() up to the wall clock's
 * simulated time. The thread's timer slack is set to 1 µs while it runs,
 * so that ppoll() wakes within microseconds of its timeout instead of the
 * default 50 µs.
 *
 * Lag is recorded per event in a log-linear histogram (16 steps per
 * doubling, 64 doublings of nanoseconds): the 99th percentile is read
 * from it within 1/16 of its value, in bounded memory.
 *
 * Entry points: rt_new(), rt_free(), rt_set_lag_limit(), rt_watch(),
 * rt_unwatch(), rt_run(), rt_stats(), rt_signal().
 */
#define _GNU_SOURCE /* ppoll */
#include "sim/kernel/realtime.h"

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define RT_STEPS 16
#define RT_BUCKETS (64 * RT_STEPS)

typedef struct {
  int fd;
  RtFdFn fn;
  void *obj;
} RtWatch;

struct RtLoop {
  Scheduler *s;
  SimTime limit;
  GArray *watches; /* of RtWatch */
  int64_t origin;  /* monotonic ns at simulated time 0 */
  int signal;
  RtStats stats;
  uint64_t hist[RT_BUCKETS];
};

RtLoop *rt_new(Scheduler *s)
{
  RtLoop *rt = g_new0(RtLoop, 1);
  rt->s = s;
  rt->watches = g_array_new(FALSE, FALSE, sizeof(RtWatch));
  return rt;
}

void rt_free(RtLoop *rt)
{
  if (!rt)
    return;
  g_array_free(rt->watches, TRUE);
  g_free(rt);
}

void rt_set_lag_limit(RtLoop *rt, SimTime limit)
{
  rt->limit = limit;
}

void rt_watch(RtLoop *rt, int fd, RtFdFn fn, void *obj)
{
  RtWatch w = {fd, fn, obj};
  g_array_append_val(rt->watches, w);
}

void rt_unwatch(RtLoop *rt, int fd)
{
  for (guint i = 0; i < rt->watches->len; i++)
    if (g_array_index(rt->watches, RtWatch, i).fd == fd) {
      g_array_remove_index(rt->watches, i);
      return;
    }
}

int rt_signal(const RtLoop *rt)
{
  return rt->signal;
}

static int64_t rt_mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The wall clock as simulated time. */
static SimTime rt_wall(const RtLoop *rt)
{
  return rt_mono_ns() - rt->origin;
}

/* ------------------------------------------------------------ lag */

static guint rt_bucket(SimTime lag)
{
  if (lag < RT_STEPS)
    return lag < 0 ? 0 : (guint)lag;
  guint msb = 63u - (guint)__builtin_clzll((uint64_t)lag);
  guint step = (guint)(((uint64_t)lag >> (msb - 4)) & (RT_STEPS - 1));
  return MIN((msb - 3) * RT_STEPS + step, RT_BUCKETS - 1);
}

/* The largest lag of bucket b. */
static SimTime rt_bucket_top(guint b)
{
  if (b < RT_STEPS)
    return b;
  guint msb = b / RT_STEPS + 3, step = b % RT_STEPS;
  return (SimTime)(((uint64_t)(RT_STEPS + step + 1) << (msb - 4)) - 1);
}

static void rt_record(RtLoop *rt, SimTime lag, uint64_t events)
{
  rt->stats.events += events;
  rt->hist[rt_bucket(lag)] += events;
  rt->stats.max_lag = MAX(rt->stats.max_lag, lag);
  if (lag > SIMTIME_MS(1))
    rt->stats.late_1ms += events;
}

void rt_stats(const RtLoop *rt, RtStats *out)
{
  uint64_t want = rt->stats.events - rt->stats.events / 100, seen = 0;

  *out = rt->stats;
  out->p99_lag = 0;
  for (guint b = 0; b < RT_BUCKETS && rt->stats.events; b++) {
    seen += rt->hist[b];
    if (seen >= want) {
      out->p99_lag = MIN(rt_bucket_top(b), rt->stats.max_lag);
      break;
    }
  }
}

/* ------------------------------------------------------------ the loop */

/* Runs what is due at the wall clock's time `now` (at most `until`);
 * FALSE when it ran later than the lag limit allows. */
static gboolean rt_due(RtLoop *rt, SimTime next, SimTime now)
{
  uint64_t n = scheduler_run(rt->s, now);
  SimTime lag = now - next;

  if (n)
    rt_record(rt, lag, n);
  return !(n && rt->limit > 0 && lag > rt->limit);
}

/* The descriptors that are readable: each watcher called at the wall clock's time. */
static void rt_inputs(RtLoop *rt, const struct pollfd *p, guint n, SimTime until)
{
  for (guint i = 0; i < n; i++) {
    if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
      continue;
    for (guint w = 0; w < rt->watches->len; w++) {
      RtWatch watch = g_array_index(rt->watches, RtWatch, w);
      if (watch.fd != p[i].fd)
        continue;
      scheduler_run(rt->s, MIN(MAX(rt_wall(rt), scheduler_now(rt->s)), until));
      watch.fn(watch.obj, watch.fd);
      break;
    }
  }
}

/* Sleeps until `wake` (simulated time) or input or a signal; FALSE on a signal. */
static gboolean rt_sleep(RtLoop *rt, int sigfd, SimTime wake, SimTime until)
{
  guint n = rt->watches->len;
  struct pollfd p[n + 1];
  SimTime left = MAX(wake - rt_wall(rt), 0);
  struct timespec ts = {(time_t)(left / 1000000000), (long)(left % 1000000000)};

  for (guint i = 0; i < n; i++)
    p[i] = (struct pollfd){g_array_index(rt->watches, RtWatch, i).fd, POLLIN, 0};
  p[n] = (struct pollfd){sigfd, POLLIN, 0};
  if (ppoll(p, n + 1, &ts, NULL) <= 0)
    return TRUE;
  if (p[n].revents & POLLIN) {
    struct signalfd_siginfo si;
    if (read(sigfd, &si, sizeof si) == sizeof si)
      rt->signal = (int)si.ssi_signo;
    return FALSE;
  }
  rt_inputs(rt, p, n, until);
  return TRUE;
}

static RtEnd rt_loop(RtLoop *rt, int sigfd, SimTime until)
{
  for (;;) {
    SimTime now = rt_wall(rt), next = scheduler_next_bound(rt->s);
    if (next <= now && next <= until) {
      if (!rt_due(rt, next, MIN(now, until)))
        return RT_LAG;
      continue;
    }
    if (now >= until) {
      scheduler_run(rt->s, until);
      return RT_DONE;
    }
    if (!rt_sleep(rt, sigfd, MIN(next, until), until)) {
      scheduler_run(rt->s, MIN(MAX(rt_wall(rt), scheduler_now(rt->s)), until));
      return RT_SIGNAL;
    }
  }
}

/* Runs the scheduler in real time to `until` (see realtime.h). SIGINT and
 * SIGTERM are blocked meanwhile and read from a signalfd. */
RtEnd rt_run(RtLoop *rt, SimTime until)
{
  sigset_t set, old;
  int slack = prctl(PR_GET_TIMERSLACK);

  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, &old);
  int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
  prctl(PR_SET_TIMERSLACK, 1000UL);
  rt->origin = rt_mono_ns() - scheduler_now(rt->s);
  rt->signal = 0;
  RtEnd end = rt_loop(rt, sigfd, until);
  prctl(PR_SET_TIMERSLACK, slack > 0 ? (unsigned long)slack : 50000UL);
  close(sigfd);
  sigprocmask(SIG_SETMASK, &old, NULL);
  return end;
}
