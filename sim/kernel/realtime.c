/*
 * Real-time execution of the scheduler (realtime.h), after ns-3's
 * RealtimeSimulatorImpl with its wall-clock synchronizer.
 *
 * Clock. CLOCK_MONOTONIC (POSIX clock_gettime), read through the vDSO; the
 * simulated time of the wall clock is the scheduler's time at rt_run()'s
 * start plus the wall time elapsed since.
 *
 * The loop. (1) Run every event due: one scheduler_step() at a time up to
 * the wall clock's simulated time (never past `until`), reading the clock
 * before each event, whose lag is that reading minus the event's time;
 * after RT_SLICE_NS of events in a row it goes on to (2) anyway, so that
 * a loop that is behind still sees signals and input. (2) Sleep in ppoll()
 * (Linux) on the signalfd and the watched descriptors, with a timeout to
 * the next event or to `until` (none when neither exists). (3) On a
 * signal, return RT_SIGNAL; on input, run what became due, then call the
 * callbacks of the ready descriptors.
 *
 * Accuracy without spinning. Linux lets a poll timeout expire late by its
 * timer slack or 0.1% of the timeout, whichever is larger (fs/select.c,
 * select_estimate_accuracy): 1 ms on a 1 s sleep, 50 us by default on a
 * short one. So the thread's timer slack (prctl PR_SET_TIMERSLACK) is 1 ns
 * during rt_run(), and a wait longer than RT_EXACT_WAIT_NS stops 1/512 of
 * it short (before its 0.1% can make it late); the next poll sleeps the
 * rest, a few polls in all even for a long wait. Measured on a 2-core VM:
 * events ran a median of 55 us late (ppoll's wake-up; 105 us with the
 * default slack), p99 0.1-0.2 ms, maximum 0.2-0.35 ms, idle or with both
 * cores busy. A Linux ping's round trip crosses two such wake-ups, and
 * its error was 0.4 ms at the 99th percentile; so the last RT_SPIN_NS
 * before an event are spent polling without sleeping (a zero timeout, the
 * descriptors still watched): up to that much CPU per event, none when
 * the loop is idle (tests/bench/emu measures both).
 *
 * Waking up fast. A CPU with nothing to run halts, and waking a halted CPU
 * can take far longer than the wake-up itself: in a VM the host must
 * schedule the virtual CPU again, which measured 1-5 ms at the 99th
 * percentile on a busy host. With rt_set_low_latency() on (the default of
 * scenarios), rt_run() asks the kernel for a zero wake-up latency through
 * PM QoS (writes 0 to /dev/cpu_dma_latency and holds the descriptor, as
 * cyclictest does): the CPUs poll when idle instead of halting, using more
 * power, for as long as the run lasts; the request ends with the
 * descriptor, however the process ends. Without root the request is not
 * made, and RtStats.awake says so.
 *
 * Lag statistics in bounded memory: a log-linear histogram (HdrHistogram's
 * layout) of RT_SUB buckets per power of two, 1920 counters, exact below
 * 32 ns and within 1/32 (3%) above; the 99th percentile is the upper bound
 * of its bucket, capped at the maximum.
 *
 * Signals: SIGINT and SIGTERM are blocked (sigprocmask) during rt_run()
 * and read from a signalfd (Linux), so no handler and no global state;
 * the mask is restored afterwards.
 *
 * Entry points: rt_new(), rt_free(), rt_set_lag_limit(),
 * rt_set_low_latency(), rt_set_tick(), rt_watch(),
 * rt_unwatch(), rt_run(), rt_stats(), rt_signal().
 */
#define _GNU_SOURCE /* ppoll */
#include "sim/kernel/realtime.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define RT_SUB_BITS 5
#define RT_SUB (1u << RT_SUB_BITS)
#define RT_BUCKETS ((64u - RT_SUB_BITS + 1u) * RT_SUB)
#define RT_SLICE_NS SIMTIME_MS(5)
#define RT_LATE_NS SIMTIME_MS(1)
#define RT_EXACT_WAIT_NS SIMTIME_MS(1)
#define RT_SPIN_NS SIMTIME_US(80)

typedef struct {
  int fd;
  RtFdFn fn;
  void *obj;
} RtWatch;

struct RtLoop {
  Scheduler *sched;
  SimTime lag_limit; /* 0: none */
  GArray *watches;   /* of RtWatch */
  GArray *pfds;      /* of struct pollfd: [0] the signalfd, then the watches */
  int sigfd;         /* -1 outside rt_run() */
  int signal;        /* the signal that ended the last run, or 0 */
  int64_t wall0;     /* CLOCK_MONOTONIC ns at rt_run()'s start */
  SimTime sim0;      /* the scheduler's time then */
  uint64_t events, late_1ms;
  SimTime max_lag;
  uint64_t hist[RT_BUCKETS];
  gboolean low_latency; /* ask for CPUs that do not sleep during rt_run() */
  gboolean awake;       /* the request was made */
  RtTickFn tick;        /* or NULL */
  void *tick_data;
  SimTime tick_period, tick_next; /* tick_next: on the wall clock's simulated time */
};

/* Creates a loop for `s`, which must outlive it; no watcher, no limit. */
RtLoop *rt_new(Scheduler *s)
{
  g_return_val_if_fail(s != NULL, NULL);
  RtLoop *rt = g_new0(RtLoop, 1);
  rt->sched = s;
  rt->watches = g_array_new(FALSE, FALSE, sizeof(RtWatch));
  rt->pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
  rt->sigfd = -1;
  return rt;
}

/* Frees the loop (not the scheduler, nor the watched descriptors). NULL-safe. */
void rt_free(RtLoop *rt)
{
  if (rt == NULL)
    return;
  g_array_free(rt->watches, TRUE);
  g_array_free(rt->pfds, TRUE);
  g_free(rt);
}

void rt_set_lag_limit(RtLoop *rt, SimTime limit)
{
  g_return_if_fail(rt != NULL && limit >= 0);
  rt->lag_limit = limit;
}

void rt_set_low_latency(RtLoop *rt, gboolean on)
{
  g_return_if_fail(rt != NULL);
  rt->low_latency = on;
}

static SimTime rt_wall(const RtLoop *rt);

void rt_set_tick(RtLoop *rt, SimTime period, RtTickFn fn, void *data)
{
  g_return_if_fail(rt != NULL && period > 0);
  rt->tick = fn;
  rt->tick_data = data;
  rt->tick_period = period;
}

/* Calls the tick when its time has come on the wall clock. */
static void rt_tick(RtLoop *rt)
{
  if (!rt->tick || rt_wall(rt) < rt->tick_next)
    return;
  rt->tick(rt->tick_data);
  rt->tick_next = rt_wall(rt) + rt->tick_period;
}

/* The PM QoS request for a zero wake-up latency: its descriptor, or -1
 * (not wanted, or not allowed). */
static int rt_awake_open(RtLoop *rt)
{
  int32_t zero = 0;
  int fd = rt->low_latency ? open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC) : -1;
  if (fd >= 0 && write(fd, &zero, sizeof zero) != (ssize_t)sizeof zero) {
    close(fd);
    fd = -1;
  }
  rt->awake |= fd >= 0;
  return fd;
}

/* The index of fd's watcher, or -1. */
static int rt_find(const RtLoop *rt, int fd)
{
  for (guint i = 0; i < rt->watches->len; i++)
    if (g_array_index(rt->watches, RtWatch, i).fd == fd)
      return (int)i;
  return -1;
}

/* Calls fn(obj, fd) whenever fd is readable or hung up, from the next
 * poll on (also when called from a callback); replaces fd's watcher if it
 * has one. The descriptor should be non-blocking. */
void rt_watch(RtLoop *rt, int fd, RtFdFn fn, void *obj)
{
  g_return_if_fail(rt != NULL && fd >= 0 && fn != NULL);
  RtWatch w = {fd, fn, obj};
  int i = rt_find(rt, fd);
  if (i >= 0)
    g_array_index(rt->watches, RtWatch, i) = w;
  else
    g_array_append_val(rt->watches, w);
}

/* Stops watching fd (nothing if it is not watched); safe from a callback. */
void rt_unwatch(RtLoop *rt, int fd)
{
  g_return_if_fail(rt != NULL);
  int i = rt_find(rt, fd);
  if (i >= 0)
    g_array_remove_index(rt->watches, (guint)i);
}

static int64_t rt_mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

/* The simulated time of the wall clock. */
static SimTime rt_wall(const RtLoop *rt)
{
  return rt->sim0 + (rt_mono_ns() - rt->wall0);
}

/* The histogram bucket of a lag: v itself below RT_SUB, else RT_SUB buckets
 * per power of two. */
static unsigned rt_bucket(uint64_t v)
{
  if (v < RT_SUB)
    return (unsigned)v;
  unsigned e = 63u - (unsigned)__builtin_clzll(v);
  return (e - RT_SUB_BITS + 1u) * RT_SUB + (unsigned)((v >> (e - RT_SUB_BITS)) & (RT_SUB - 1u));
}

/* The largest lag bucket i holds. */
static uint64_t rt_bucket_high(unsigned i)
{
  if (i < RT_SUB)
    return i;
  unsigned g = i / RT_SUB, sub = i % RT_SUB;
  uint64_t low = (uint64_t)(RT_SUB + sub) << (g - 1u);
  return low + ((UINT64_C(1) << (g - 1u)) - 1u);
}

static void rt_record(RtLoop *rt, SimTime lag)
{
  rt->events++;
  rt->late_1ms += lag > RT_LATE_NS;
  rt->max_lag = MAX(rt->max_lag, lag);
  rt->hist[rt_bucket((uint64_t)lag)]++;
}

/* The 99th percentile: the bound of the bucket of the ceil(0.99 n)th lag. */
static SimTime rt_p99(const RtLoop *rt)
{
  uint64_t rank = rt->events - rt->events / 100, seen = 0;
  for (unsigned i = 0; rank > 0 && i < RT_BUCKETS; i++)
    if ((seen += rt->hist[i]) >= rank)
      return MIN((SimTime)rt_bucket_high(i), rt->max_lag);
  return 0;
}

/* Since the loop's creation: events run, late ones, maximum and 99th percentile. */
void rt_stats(const RtLoop *rt, RtStats *out)
{
  g_return_if_fail(rt != NULL && out != NULL);
  *out = (RtStats){rt->events, rt->late_1ms, rt->max_lag, rt_p99(rt), rt->awake};
}

int rt_signal(const RtLoop *rt)
{
  g_return_val_if_fail(rt != NULL, 0);
  return rt->signal;
}

/*
 * Runs the events due, up to the wall clock's simulated time and never
 * past until, recording each one's lag. Returns TRUE with *end set when
 * the run is over (until reached, a stop, the lag limit), FALSE to poll:
 * nothing more is due (now is the wall clock's time), or RT_SLICE_NS
 * passed (now is the last event's time).
 */
static gboolean rt_run_due(RtLoop *rt, SimTime until, RtEnd *end)
{
  SimTime start = rt_wall(rt), wall = start;
  SchedulerStep step;
  while ((step = scheduler_step(rt->sched, MIN(wall, until))) != SCHEDULER_STEP_NONE) {
    SimTime lag = wall - scheduler_now(rt->sched);
    rt_record(rt, lag);
    if (rt->lag_limit > 0 && lag > rt->lag_limit) {
      *end = RT_LAG;
      return TRUE;
    }
    if (step == SCHEDULER_STEP_STOPPED) {
      *end = RT_DONE;
      return TRUE;
    }
    if (wall - start > RT_SLICE_NS)
      return FALSE;
    wall = rt_wall(rt);
  }
  *end = RT_DONE;
  return wall >= until;
}

/* Rebuilds the pollfd array: the signalfd (ignored when -1), then the watches. */
static void rt_fill_pfds(RtLoop *rt)
{
  g_array_set_size(rt->pfds, rt->watches->len + 1);
  struct pollfd *p = (struct pollfd *)(void *)rt->pfds->data;
  p[0] = (struct pollfd){rt->sigfd, POLLIN, 0};
  for (guint i = 0; i < rt->watches->len; i++)
    p[i + 1] = (struct pollfd){g_array_index(rt->watches, RtWatch, i).fd, POLLIN, 0};
}

/* Sleeps until the next event, until, a signal or input. Returns the
 * number of ready watched descriptors, or -1 after a signal. */
static int rt_poll(RtLoop *rt, SimTime until)
{
  rt_fill_pfds(rt);
  SimTime target = MIN(scheduler_next_time(rt->sched), until);
  if (rt->tick)
    target = MIN(target, rt->tick_next);
  SimTime left = target - rt_wall(rt); /* read once: MAX() would read the clock twice */
  SimTime wait = target == SIMTIME_MAX ? -1 : MAX(left - RT_SPIN_NS, 0); /* the last RT_SPIN_NS: spin */
  if (wait > RT_EXACT_WAIT_NS)
    wait -= wait / 512; /* the next poll sleeps the rest */
  struct timespec ts = {(time_t)(wait / SIMTIME_S(1)), (long)(wait % SIMTIME_S(1))};
  struct pollfd *p = (struct pollfd *)(void *)rt->pfds->data;
  int n = ppoll(p, rt->pfds->len, wait < 0 ? NULL : &ts, NULL);
  if (n < 0 && errno != EINTR)
    g_warning("rt_run: ppoll: %s", g_strerror(errno));
  if (n <= 0)
    return 0;
  struct signalfd_siginfo si;
  if ((p[0].revents & POLLIN) && read(rt->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
    rt->signal = (int)si.ssi_signo;
    return -1;
  }
  return n;
}

/* Calls the callback of each ready descriptor that is still watched; drops
 * (with a warning) the watchers of descriptors closed while watched.
 * Callbacks may change the watches, not the pollfd array: only rt_poll()
 * rebuilds it. */
static void rt_dispatch(RtLoop *rt)
{
  const struct pollfd *ready = (const struct pollfd *)(void *)rt->pfds->data;
  for (guint i = 1; i < rt->pfds->len; i++) {
    int w = ready[i].revents ? rt_find(rt, ready[i].fd) : -1;
    if (w < 0)
      continue;
    RtWatch watch = g_array_index(rt->watches, RtWatch, w);
    if (ready[i].revents & POLLNVAL) {
      g_warning("rt_run: descriptor %d was closed while watched; no longer watched", watch.fd);
      rt_unwatch(rt, watch.fd);
    } else {
      watch.fn(watch.obj, watch.fd);
    }
  }
}

/* Moves the clock, without running anything, to the wall clock's time, or
 * to just before the next event if that is due already. */
static void rt_clock_to_wall(RtLoop *rt, SimTime until)
{
  SimTime next = scheduler_next_time(rt->sched);
  SimTime wall = rt_wall(rt);
  SimTime t = MIN(MIN(wall, until), next == SIMTIME_MAX ? next : next - 1);
  if (t > scheduler_now(rt->sched))
    scheduler_step(rt->sched, t);
}

static RtEnd rt_loop(RtLoop *rt, SimTime until)
{
  RtEnd end = RT_DONE;
  for (;;) {
    if (rt_run_due(rt, until, &end))
      return end;
    int ready = rt_poll(rt, until);
    if (ready < 0) {
      rt_clock_to_wall(rt, until);
      return RT_SIGNAL;
    }
    if (ready > 0 && rt_run_due(rt, until, &end))
      return end;
    if (ready > 0)
      rt_dispatch(rt);
    rt_tick(rt);
  }
}

/* Blocks SIGINT and SIGTERM and opens a signalfd for them; on failure
 * (no descriptor left), warns and leaves the signals to their default. */
static void rt_signals_open(RtLoop *rt, sigset_t *old)
{
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_BLOCK, &mask, old);
  rt->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (rt->sigfd < 0) {
    g_warning("rt_run: signalfd: %s; SIGINT and SIGTERM keep their default action", g_strerror(errno));
    sigprocmask(SIG_SETMASK, old, NULL);
  }
}

static void rt_signals_close(RtLoop *rt, const sigset_t *old)
{
  if (rt->sigfd < 0)
    return;
  close(rt->sigfd);
  rt->sigfd = -1;
  sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * Runs the scheduler in real time until the wall clock reaches `until`
 * (SIMTIME_MAX: until a stop or a signal), an event calls scheduler_stop(),
 * SIGINT or SIGTERM arrives, or an event runs later than the lag limit.
 * See realtime.h for what the scheduler's time is afterwards.
 */
RtEnd rt_run(RtLoop *rt, SimTime until)
{
  g_return_val_if_fail(rt != NULL, RT_DONE);
  g_return_val_if_fail(until >= scheduler_now(rt->sched), RT_DONE);
  sigset_t old;
  rt_signals_open(rt, &old);
  int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  rt->signal = 0;
  int awake = rt_awake_open(rt);
  rt->sim0 = scheduler_now(rt->sched);
  rt->wall0 = rt_mono_ns();
  rt->tick_next = rt->sim0 + rt->tick_period;
  RtEnd end = rt_loop(rt, until);
  if (awake >= 0)
    close(awake);
  if (slack > 0)
    prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
  rt_signals_close(rt, &old);
  return end;
}
