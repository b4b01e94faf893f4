/*
 * Tests of the real-time loop (sim/kernel/realtime.c), against the wall
 * clock: events run at their wall times, never early and within a few
 * milliseconds late, also after a long sleep; a watched pipe's callback runs promptly, at the wall
 * clock's simulated time, and what it schedules "now" runs; the loop
 * sleeps (CPU time of idle and sparse runs far below their wall time);
 * the lag statistics and the lag limit; SIGTERM and SIGINT end a run, and
 * the signal mask is restored; scheduler_stop ends it too.
 *
 * Tolerances are for a loaded 2-core machine: on an idle one events run
 * about 0.06 ms late (ppoll's wake-up), so "within 5 ms, and 8 of 10
 * within 2 ms" fails only if the loop oversleeps or runs on a coarse timer.
 *
 * Entry point: realtime_suite(), run by the tests/sim binary's main.
 */
#include <check.h>
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sim/kernel/realtime.h"
#include "tests/sim/suites.h"

static int64_t mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

/* User plus system CPU time of the process, in ns. */
static int64_t cpu_ns(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * INT64_C(1000000000) +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * INT64_C(1000);
}

static void busy_wait(SimTime ns)
{
  int64_t end = mono_ns() + ns;
  while (mono_ns() < end)
    ;
}

/* A scheduler, its loop, and the wall times (ns since `start`) of events. */
typedef struct {
  Scheduler *s;
  RtLoop *rt;
  int64_t start;
  GArray *walls; /* int64_t */
  SimTime busy;  /* how long busy_event busy-waits */
  int fds[2];    /* a pipe, for the watcher test */
  SimTime cb_now, cb_wall;
} Fixture;

static Fixture *fixture_new(void)
{
  Fixture *f = g_new0(Fixture, 1);
  f->s = scheduler_new();
  f->rt = rt_new(f->s);
  f->walls = g_array_new(FALSE, FALSE, sizeof(int64_t));
  f->fds[0] = f->fds[1] = -1;
  return f;
}

static void fixture_free(Fixture *f)
{
  rt_free(f->rt);
  scheduler_free(f->s);
  g_array_free(f->walls, TRUE);
  for (int i = 0; i < 2; i++)
    if (f->fds[i] >= 0)
      close(f->fds[i]);
  g_free(f);
}

static RtEnd fixture_run(Fixture *f, SimTime until)
{
  f->start = mono_ns();
  return rt_run(f->rt, until);
}

static void record_event(void *obj, void *arg)
{
  (void)arg;
  Fixture *f = obj;
  int64_t wall = mono_ns() - f->start;
  g_array_append_val(f->walls, wall);
}

static void busy_event(void *obj, void *arg)
{
  (void)arg;
  busy_wait(((Fixture *)obj)->busy);
}

static void stop_event(void *obj, void *arg)
{
  (void)arg;
  scheduler_stop(((Fixture *)obj)->s);
}

static void signal_event(void *obj, void *arg)
{
  (void)obj;
  kill(getpid(), GPOINTER_TO_INT(arg));
}

/* One try of the test below: 10 events 20 ms apart, none early, the
 * run lasting until 250 ms; returns how many ran within 2 ms of their time. */
static int wall_times_try(void)
{
  Fixture *f = fixture_new();
  for (int i = 1; i <= 10; i++)
    scheduler_at(f->s, SIMTIME_MS(20 * i), record_event, f, NULL);
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(250)), RT_DONE);
  int64_t total = mono_ns() - f->start;
  ck_assert_uint_eq(f->walls->len, 10);
  int within_2ms = 0;
  for (int i = 0; i < 10; i++) {
    int64_t late = g_array_index(f->walls, int64_t, i) - SIMTIME_MS(20 * (i + 1));
    ck_assert_msg(late >= 0, "event %d ran %lld ns early", i, (long long)-late);
    within_2ms += late < SIMTIME_MS(2);
  }
  ck_assert_int_ge(total, SIMTIME_MS(250));
  ck_assert_int_eq(scheduler_now(f->s), SIMTIME_MS(250));
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_uint_eq(st.events, 10);
  fixture_free(f);
  return within_2ms;
}

/* 10 events 20 ms apart run at their wall times: never early, and 8 of 10
 * within 2 ms in one of three tries (a 2-core machine running the
 * emulation tests and a distcheck build beside this one stalled events by
 * up to 63 ms; a loop that oversleeps fails all three). */
START_TEST(test_rt_events_at_wall_times)
{
  int best = 0;
  for (int t = 0; t < 3 && best < 8; t++)
    best = MAX(best, wall_times_try());
  ck_assert_int_ge(best, 8);
}
END_TEST

/* One long sleep (500 ms) is as accurate as short ones: Linux lets a
 * poll timeout run late by 0.1% of it (0.5 ms here), which the loop must
 * work around. Best of three tries within 0.3 ms. */
START_TEST(test_rt_long_sleep_accurate)
{
  int64_t best = INT64_MAX;
  for (int try = 0; try < 3 && best >= SIMTIME_US(300); try++) {
    Fixture *f = fixture_new();
    scheduler_at(f->s, SIMTIME_MS(500), record_event, f, NULL);
    ck_assert_int_eq(fixture_run(f, SIMTIME_MS(500)), RT_DONE);
    ck_assert_uint_eq(f->walls->len, 1);
    best = MIN(best, g_array_index(f->walls, int64_t, 0) - SIMTIME_MS(500));
    fixture_free(f);
  }
  ck_assert_int_ge(best, 0);
  ck_assert_msg(best < SIMTIME_US(300), "the event ran %lld ns late", (long long)best);
}
END_TEST

static void pipe_readable(void *obj, int fd)
{
  Fixture *f = obj;
  char c;
  ck_assert_int_eq(read(fd, &c, 1), 1);
  f->cb_wall = mono_ns() - f->start;
  f->cb_now = scheduler_now(f->s);
  scheduler_after(f->s, 0, record_event, f, NULL);
  rt_unwatch(f->rt, fd);
}

static gpointer write_later(gpointer data)
{
  Fixture *f = data;
  g_usleep(50000);
  if (write(f->fds[1], "x", 1) != 1)
    g_error("write: %s", g_strerror(errno));
  return NULL;
}

/* A byte written into a watched pipe by another thread at 50 ms: the
 * callback runs within 5 ms with the clock at the wall clock's simulated
 * time, and the event it schedules "now" runs right after. */
START_TEST(test_rt_watched_pipe)
{
  Fixture *f = fixture_new();
  ck_assert_int_eq(pipe(f->fds), 0);
  rt_watch(f->rt, f->fds[0], pipe_readable, f);
  f->start = mono_ns();
  GThread *writer = g_thread_new("writer", write_later, f);
  ck_assert_int_eq(rt_run(f->rt, SIMTIME_MS(150)), RT_DONE);
  g_thread_join(writer);
  ck_assert_int_ge(f->cb_wall, SIMTIME_MS(50));
  ck_assert_int_lt(f->cb_wall, SIMTIME_MS(55));
  ck_assert_int_ge(f->cb_now, SIMTIME_MS(50) - SIMTIME_MS(1));
  ck_assert_int_le(f->cb_now, f->cb_wall);
  ck_assert_uint_eq(f->walls->len, 1);
  ck_assert_int_lt(g_array_index(f->walls, int64_t, 0) - f->cb_wall, SIMTIME_MS(2));
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_uint_eq(st.events, 1);
  fixture_free(f);
}
END_TEST

static void pipe_idle(void *obj, int fd)
{
  (void)obj;
  (void)fd;
}

/* 20 000 events 5 us apart with an idle watched pipe: every sleep is to
 * the next event, never without a timeout. (A wait computed from two
 * readings of the clock once went negative when the clock passed the
 * event between them, and a negative wait meant ppoll() without a
 * timeout: the loop slept until input came, 60 s later in a Linux host's
 * TCP.) The 100 ms run must end within 1 s. */
START_TEST(test_rt_dense_events_never_sleep_forever)
{
  Fixture *f = fixture_new();
  ck_assert_int_eq(pipe(f->fds), 0);
  rt_watch(f->rt, f->fds[0], pipe_idle, f);
  for (int i = 1; i <= 20000; i++)
    scheduler_at(f->s, SIMTIME_US(5) * i, record_event, f, NULL);
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(100) + SIMTIME_US(1)), RT_DONE);
  ck_assert_uint_eq(f->walls->len, 20000);
  ck_assert_int_lt(mono_ns() - f->start, SIMTIME_S(1));
  fixture_free(f);
}
END_TEST

static void tick_event(void *obj, void *arg)
{
  Fixture *f = obj;
  if (scheduler_now(f->s) + SIMTIME_MS(1) < GPOINTER_TO_INT(arg))
    scheduler_after(f->s, SIMTIME_MS(1), tick_event, f, arg);
}

/* The loop sleeps: 300 ms idle costs well under 10% CPU, and 300 ms of an
 * event every millisecond well under 30%. */
START_TEST(test_rt_no_busy_wait)
{
  Fixture *f = fixture_new();
  scheduler_at(f->s, SIMTIME_MS(150), record_event, f, NULL);
  int64_t cpu = cpu_ns();
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(300)), RT_DONE);
  int64_t wall = mono_ns() - f->start;
  cpu = cpu_ns() - cpu;
  ck_assert_int_ge(wall, SIMTIME_MS(300));
  ck_assert_msg(cpu < wall / 10, "idle: %lld ns of CPU in %lld ns", (long long)cpu, (long long)wall);
  scheduler_at(f->s, scheduler_now(f->s), tick_event, f, GINT_TO_POINTER(SIMTIME_MS(600)));
  cpu = cpu_ns();
  int64_t start = mono_ns();
  ck_assert_int_eq(rt_run(f->rt, SIMTIME_MS(600)), RT_DONE);
  wall = mono_ns() - start;
  cpu = cpu_ns() - cpu;
  ck_assert_msg(cpu < wall * 3 / 10, "ticks: %lld ns of CPU in %lld ns", (long long)cpu, (long long)wall);
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_uint_ge(st.events, 290);
  fixture_free(f);
}
END_TEST

/* An event every 5 ms; the one at 10 ms busy-waits 30 ms, so the next
 * runs about 25 ms late. */
static Fixture *lagging_fixture(SimTime limit)
{
  Fixture *f = fixture_new();
  f->busy = SIMTIME_MS(30);
  rt_set_lag_limit(f->rt, limit);
  for (int t = 0; t <= 200; t += 5)
    scheduler_at(f->s, SIMTIME_MS(t), record_event, f, NULL);
  scheduler_at(f->s, SIMTIME_MS(10), busy_event, f, NULL);
  return f;
}

/* With a 10 ms limit the run stops at the first event later than that,
 * the one at 15 ms: now is its time, max_lag its lag. */
START_TEST(test_rt_lag_limit_stops)
{
  Fixture *f = lagging_fixture(SIMTIME_MS(10));
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(200)), RT_LAG);
  ck_assert_int_lt(mono_ns() - f->start, SIMTIME_MS(100));
  ck_assert_int_eq(scheduler_now(f->s), SIMTIME_MS(15));
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_int_gt(st.max_lag, SIMTIME_MS(10));
  ck_assert_int_ge(st.max_lag, SIMTIME_MS(25));
  ck_assert_uint_ge(st.late_1ms, 1);
  ck_assert_uint_eq(st.events, 5); /* 0, 5, 10, the busy one, 15 */
  ck_assert_int_eq(rt_signal(f->rt), 0);
  fixture_free(f);
}
END_TEST

/* Without a limit the same run goes on to its end, and the stats show the
 * lag; the loop catches up (the events after 40 ms are on time). */
START_TEST(test_rt_lag_without_limit)
{
  Fixture *f = lagging_fixture(0);
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(200)), RT_DONE);
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_uint_eq(st.events, 42);
  ck_assert_int_ge(st.max_lag, SIMTIME_MS(25));
  ck_assert_uint_ge(st.late_1ms, 2); /* 15 and 20 ms, at least */
  ck_assert_int_le(st.p99_lag, st.max_lag);
  ck_assert_int_ge(st.p99_lag, SIMTIME_MS(15));
  int64_t late = g_array_index(f->walls, int64_t, 40) - SIMTIME_MS(200);
  ck_assert_int_lt(late, SIMTIME_MS(30));
  fixture_free(f);
}
END_TEST

static void busy_100us(void *obj, void *arg)
{
  (void)obj;
  (void)arg;
  busy_wait(SIMTIME_US(100));
}

/* 200 events at time 0, each busy-waiting 0.1 ms: event i runs at least
 * i * 0.1 ms late, so the 99th percentile (the 198th lag) is at least
 * 19.7 ms and at most the maximum, and at least 189 are later than 1 ms. */
START_TEST(test_rt_lag_percentile)
{
  Fixture *f = fixture_new();
  for (int i = 0; i < 200; i++)
    scheduler_at(f->s, 0, busy_100us, f, NULL);
  ck_assert_int_eq(fixture_run(f, SIMTIME_MS(1)), RT_DONE);
  RtStats st;
  rt_stats(f->rt, &st);
  ck_assert_uint_eq(st.events, 200);
  ck_assert_int_ge(st.max_lag, SIMTIME_US(19900));
  ck_assert_int_ge(st.p99_lag, SIMTIME_US(19700));
  ck_assert_int_le(st.p99_lag, st.max_lag);
  ck_assert_uint_ge(st.late_1ms, 189);
  fixture_free(f);
}
END_TEST

static gboolean signal_blocked(int sig)
{
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  return sigismember(&now, sig);
}

/* A SIGTERM (then a SIGINT) raised at 50 ms of a 10 s run ends it at
 * once, with the clock at the wall clock's time; the signals are
 * unblocked again afterwards. */
START_TEST(test_rt_signals)
{
  const int sigs[] = {SIGTERM, SIGINT};
  for (guint i = 0; i < G_N_ELEMENTS(sigs); i++) {
    Fixture *f = fixture_new();
    scheduler_at(f->s, SIMTIME_MS(50), signal_event, f, GINT_TO_POINTER(sigs[i]));
    scheduler_at(f->s, SIMTIME_MS(200), record_event, f, NULL);
    ck_assert_int_eq(fixture_run(f, SIMTIME_S(10)), RT_SIGNAL);
    ck_assert_int_lt(mono_ns() - f->start, SIMTIME_MS(150));
    ck_assert_int_eq(rt_signal(f->rt), sigs[i]);
    ck_assert_uint_eq(f->walls->len, 0);
    ck_assert_int_ge(scheduler_now(f->s), SIMTIME_MS(50)); /* the clock is at the wall clock's time */
    ck_assert_int_lt(scheduler_now(f->s), SIMTIME_MS(200));
    ck_assert(!signal_blocked(SIGTERM) && !signal_blocked(SIGINT));
    fixture_free(f);
  }
}
END_TEST

/* scheduler_stop() from an event ends the run at that event's time. */
START_TEST(test_rt_stop)
{
  Fixture *f = fixture_new();
  scheduler_at(f->s, SIMTIME_MS(20), stop_event, f, NULL);
  scheduler_at(f->s, SIMTIME_MS(200), record_event, f, NULL);
  ck_assert_int_eq(fixture_run(f, SIMTIME_S(10)), RT_DONE);
  ck_assert_int_lt(mono_ns() - f->start, SIMTIME_MS(150));
  ck_assert_int_eq(scheduler_now(f->s), SIMTIME_MS(20));
  ck_assert_uint_eq(f->walls->len, 0);
  ck_assert_uint_eq(scheduler_pending(f->s), 1);
  fixture_free(f);
}
END_TEST

Suite *realtime_suite(void)
{
  Suite *suite = suite_create("realtime");
  TCase *tc = tcase_create("wall clock");
  tcase_add_test(tc, test_rt_events_at_wall_times);
  tcase_add_test(tc, test_rt_long_sleep_accurate);
  tcase_add_test(tc, test_rt_watched_pipe);
  tcase_add_test(tc, test_rt_dense_events_never_sleep_forever);
  tcase_add_test(tc, test_rt_no_busy_wait);
  tcase_add_test(tc, test_rt_lag_limit_stops);
  tcase_add_test(tc, test_rt_lag_without_limit);
  tcase_add_test(tc, test_rt_lag_percentile);
  tcase_add_test(tc, test_rt_signals);
  tcase_add_test(tc, test_rt_stop);
  suite_add_tcase(suite, tc);
  return suite;
}
