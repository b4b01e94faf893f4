/*
 * Tests of the event scheduler (sim/kernel/scheduler.c): ordering by time,
 * ties in scheduling order (also for ties made inside events, far ahead with
 * cancelled ones among them, and after a run stopped inside a bucket),
 * several blocks of unsorted keys in one bucket, cancel through a handle,
 * run-until and stop semantics, refusal of times in the past, large times,
 * and a random workload of a million operations checked event by event
 * against a simple sorted-array reference, run by scheduler_run and by
 * scheduler_step, with scheduler_next_time checked against the reference;
 * once more with half the events on shared grid times (many equal keys).
 *
 * Entry point: scheduler_suite(), run by the tests/sim binary's main.
 */
#include <check.h>
#include <stdlib.h>
#include <glib.h>

#include "sim/kernel/scheduler.h"
#include "tests/sim/suites.h"

/* A scheduler with a log of the tags of the events it ran. */
typedef struct {
  Scheduler *s;
  GArray *log;
  GArray *times;
  EventId ids[8];
  gboolean stop_at_tag;
  int stop_tag;
  SimTime then_when;
  int then_tag;
} TestSched;

/* Creates a fixture: a fresh scheduler and empty logs. */
static TestSched *test_sched_new(void)
{
  TestSched *t = g_new0(TestSched, 1);

  t->s = scheduler_new();
  t->log = g_array_new(FALSE, FALSE, sizeof(int));
  t->times = g_array_new(FALSE, FALSE, sizeof(SimTime));
  return t;
}

/* Frees a fixture, pending events included. */
static void test_sched_free(TestSched *t)
{
  scheduler_free(t->s);
  g_array_free(t->log, TRUE);
  g_array_free(t->times, TRUE);
  g_free(t);
}

/* Event: records its tag (arg) and the time it ran at. */
static void test_sched_record(void *obj, void *arg)
{
  TestSched *t = obj;
  int tag = GPOINTER_TO_INT(arg);
  SimTime now = scheduler_now(t->s);

  g_array_append_val(t->log, tag);
  g_array_append_val(t->times, now);
  if (t->stop_at_tag && tag == t->stop_tag)
    scheduler_stop(t->s);
}

/* Schedules test_sched_record with tag at when and returns the id. */
static EventId test_sched_at(TestSched *t, SimTime when, int tag)
{
  return scheduler_at(t->s, when, test_sched_record, t, GINT_TO_POINTER(tag));
}

/* Asserts that the log holds exactly the n tags given. */
static void test_sched_expect(const TestSched *t, const int *tags, guint n)
{
  ck_assert_uint_eq(t->log->len, n);
  for (guint i = 0; i < n; i++)
    ck_assert_int_eq(g_array_index(t->log, int, i), tags[i]);
}

START_TEST(test_scheduler_orders_by_time)
{
  TestSched *t = test_sched_new();
  const SimTime when[] = {30, 10, 20, 1000000, 0, 5, 256, 255, 65536};
  const int order[] = {4, 5, 1, 2, 0, 7, 6, 8, 3};

  for (int i = 0; i < 9; i++)
    ck_assert_uint_ne(test_sched_at(t, when[i], i), EVENT_ID_NONE);
  ck_assert_uint_eq(scheduler_pending(t->s), 9);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 9);
  test_sched_expect(t, order, 9);
  for (guint i = 1; i < t->times->len; i++)
    ck_assert_int_le(g_array_index(t->times, SimTime, i - 1), g_array_index(t->times, SimTime, i));
  ck_assert_int_eq(scheduler_now(t->s), 1000000);
  ck_assert_uint_eq(scheduler_pending(t->s), 0);
  ck_assert_uint_eq(scheduler_executed(t->s), 9);
  test_sched_free(t);
}
END_TEST

/* Ties at several magnitudes, interleaved, must run in scheduling order. */
START_TEST(test_scheduler_ties_fifo)
{
  TestSched *t = test_sched_new();
  const SimTime when[] = {7, 0, SIMTIME_S(1), SIMTIME_S(5000), 300};
  const int count = 5000;

  for (int i = 0; i < count; i++)
    test_sched_at(t, when[(i * 7 + i / 3) % 5], i);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), count);
  ck_assert_uint_eq(t->log->len, count);
  for (int i = 1; i < count; i++) {
    SimTime a = g_array_index(t->times, SimTime, i - 1);
    SimTime b = g_array_index(t->times, SimTime, i);
    ck_assert_int_le(a, b);
    if (a == b)
      ck_assert_int_lt(g_array_index(t->log, int, i - 1), g_array_index(t->log, int, i));
  }
  test_sched_free(t);
}
END_TEST

/* Event: schedules tags 100 and 101 at now, then tag 102 at now + 1. */
static void test_sched_spawn_ties(void *obj, void *arg)
{
  TestSched *t = obj;
  SimTime now = scheduler_now(t->s);

  test_sched_record(obj, arg);
  test_sched_at(t, now, 100);
  test_sched_at(t, now, 101);
  test_sched_at(t, now + 1, 102);
}

/* Event: reschedules itself at now, tag - 1, until the tag reaches 200. */
static void test_sched_chain(void *obj, void *arg)
{
  TestSched *t = obj;
  int tag = GPOINTER_TO_INT(arg);

  test_sched_record(obj, arg);
  if (tag > 200)
    scheduler_at(t->s, scheduler_now(t->s), test_sched_chain, t, GINT_TO_POINTER(tag - 1));
}

START_TEST(test_scheduler_ties_from_callbacks)
{
  TestSched *t = test_sched_new();
  const int order[] = {0, 1, 2, 3, 205, 100, 101, 204, 203, 202, 201, 200, 102, 4};

  test_sched_at(t, 10, 0);
  scheduler_at(t->s, 10, test_sched_spawn_ties, t, GINT_TO_POINTER(1));
  test_sched_at(t, 10, 2);
  test_sched_at(t, 10, 3);
  scheduler_at(t->s, 10, test_sched_chain, t, GINT_TO_POINTER(205));
  test_sched_at(t, 12, 4);
  ck_assert_uint_eq(scheduler_run(t->s, 20), 14);
  test_sched_expect(t, order, 14);
  ck_assert_int_eq(g_array_index(t->times, SimTime, 11), 10);
  ck_assert_int_eq(g_array_index(t->times, SimTime, 12), 11);
  test_sched_free(t);
}
END_TEST

/* Event: records its tag, then schedules then_tag at then_when. */
static void test_sched_then(void *obj, void *arg)
{
  TestSched *t = obj;

  test_sched_record(obj, arg);
  test_sched_at(t, t->then_when, t->then_tag);
}

/*
 * Ties far ahead (in a bucket above level 0, popped where it is or sorted
 * in place), with cancelled entries among them and ties added later from
 * events before that time and at that time: (time, scheduling order).
 */
START_TEST(test_scheduler_far_ties_cancel)
{
  TestSched *t = test_sched_new();
  const int order[] = {10, 0, 2, 4, 5, 11, 12, 6};
  EventId ids[5];

  for (int i = 0; i < 5; i++)
    ids[i] = test_sched_at(t, 70000, i);
  ck_assert(scheduler_cancel(t->s, ids[1]));
  ck_assert(scheduler_cancel(t->s, ids[3]));
  scheduler_at(t->s, 70000, test_sched_then, t, GINT_TO_POINTER(5));
  test_sched_at(t, 70001, 6);
  scheduler_at(t->s, 100, test_sched_then, t, GINT_TO_POINTER(10));
  t->then_when = 70000;
  t->then_tag = 11;
  ck_assert_uint_eq(scheduler_run(t->s, 200), 1);
  t->then_tag = 12;
  ck_assert_int_eq(scheduler_next_time(t->s), 70000);
  ck_assert_uint_eq(scheduler_pending(t->s), 6);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 7);
  test_sched_expect(t, order, 8);
  ck_assert(!scheduler_cancel(t->s, ids[1]));
  ck_assert(!scheduler_cancel(t->s, ids[4]));
  test_sched_free(t);
}
END_TEST

/*
 * A run stops inside a bucket above level 0; events then added at now and
 * later, ties with pending ones included, keep (time, scheduling order).
 */
START_TEST(test_scheduler_resume_inside_bucket)
{
  TestSched *t = test_sched_new();
  const int order[] = {0, 1, 3, 4, 2, 5};

  test_sched_at(t, 70000, 0);
  test_sched_at(t, 70010, 1);
  test_sched_at(t, 70020, 2);
  ck_assert_uint_eq(scheduler_run(t->s, 70010), 2);
  test_sched_at(t, 70010, 3);
  test_sched_at(t, 70015, 4);
  test_sched_at(t, 70020, 5);
  ck_assert_int_eq(scheduler_next_time(t->s), 70010);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 4);
  test_sched_expect(t, order, 6);
  ck_assert_int_eq(g_array_index(t->times, SimTime, 2), 70010);
  test_sched_free(t);
}
END_TEST

/* Orders (time, tag) pairs of the multi-block test. */
static gint test_sched_cmp_pair(gconstpointer a, gconstpointer b)
{
  const SimTime *x = a, *y = b;

  return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/*
 * Several blocks of unsorted keys with many ties in one bucket, some
 * cancelled: they run sorted by time, ties in scheduling order.
 */
START_TEST(test_scheduler_unsorted_blocks)
{
  TestSched *t = test_sched_new();
  const int count = 200;
  SimTime expect[200][2];
  int n = 0;

  for (int i = 0; i < count; i++) {
    SimTime when = 256 + (i * 37 % 20) * 7;
    EventId id = test_sched_at(t, when, i);
    if (i % 5 == 3)
      ck_assert(scheduler_cancel(t->s, id));
    else {
      expect[n][0] = when;
      expect[n++][1] = i;
    }
  }
  qsort(expect, n, sizeof(expect[0]), test_sched_cmp_pair);
  ck_assert_int_eq(scheduler_next_time(t->s), expect[0][0]);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), n);
  ck_assert_uint_eq(t->log->len, n);
  for (int i = 0; i < n; i++) {
    ck_assert_int_eq(g_array_index(t->log, int, i), expect[i][1]);
    ck_assert_int_eq(g_array_index(t->times, SimTime, i), expect[i][0]);
  }
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_cancel)
{
  TestSched *t = test_sched_new();
  const int order[] = {0, 2};

  EventId a = test_sched_at(t, 10, 0);
  EventId b = test_sched_at(t, 20, 1);
  EventId c = test_sched_at(t, 30, 2);
  ck_assert(scheduler_is_pending(t->s, b));
  ck_assert(scheduler_cancel(t->s, b));
  ck_assert(!scheduler_is_pending(t->s, b));
  ck_assert(!scheduler_cancel(t->s, b));
  ck_assert(!scheduler_cancel(t->s, EVENT_ID_NONE));
  ck_assert(!scheduler_is_pending(t->s, EVENT_ID_NONE));
  ck_assert_uint_eq(scheduler_pending(t->s), 2);
  ck_assert_uint_eq(scheduler_run(t->s, 100), 2);
  test_sched_expect(t, order, 2);
  ck_assert(!scheduler_cancel(t->s, a));
  ck_assert(!scheduler_cancel(t->s, c));
  ck_assert(!scheduler_is_pending(t->s, a));
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_cancel_stale_after_reuse)
{
  TestSched *t = test_sched_new();

  EventId old = test_sched_at(t, 5, 0);
  ck_assert(scheduler_cancel(t->s, old));
  scheduler_run(t->s, 10);
  EventId fresh = test_sched_at(t, 20, 1);
  ck_assert_uint_eq(old & UINT32_MAX, fresh & UINT32_MAX);
  ck_assert_uint_ne(old, fresh);
  ck_assert(!scheduler_cancel(t->s, old));
  ck_assert(!scheduler_is_pending(t->s, old));
  ck_assert(scheduler_is_pending(t->s, fresh));
  ck_assert(!scheduler_cancel(t->s, fresh + 1));
  ck_assert(!scheduler_cancel(t->s, fresh ^ (UINT64_C(1) << 40)));
  ck_assert(scheduler_cancel(t->s, fresh));
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 0);
  ck_assert_uint_eq(t->log->len, 0);
  test_sched_free(t);
}
END_TEST

/* Event: cancels ids[1] (later), ids[2] (same time, queued after) and itself. */
static void test_sched_canceller(void *obj, void *arg)
{
  TestSched *t = obj;

  test_sched_record(obj, arg);
  ck_assert(scheduler_cancel(t->s, t->ids[1]));
  ck_assert(scheduler_cancel(t->s, t->ids[2]));
  ck_assert(!scheduler_cancel(t->s, t->ids[0]));
  ck_assert(!scheduler_is_pending(t->s, t->ids[0]));
  ck_assert(!scheduler_cancel(t->s, t->ids[3]));
}

START_TEST(test_scheduler_cancel_from_event)
{
  TestSched *t = test_sched_new();
  const int order[] = {3, 0, 4};

  t->ids[3] = test_sched_at(t, 10, 3);
  t->ids[0] = scheduler_at(t->s, 10, test_sched_canceller, t, GINT_TO_POINTER(0));
  t->ids[2] = test_sched_at(t, 10, 2);
  t->ids[1] = test_sched_at(t, 20, 1);
  test_sched_at(t, 30, 4);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 3);
  test_sched_expect(t, order, 3);
  ck_assert_uint_eq(scheduler_pending(t->s), 0);
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_run_until)
{
  TestSched *t = test_sched_new();
  const int order[] = {0, 1, 2};

  test_sched_at(t, 10, 0);
  test_sched_at(t, 20, 1);
  test_sched_at(t, 30, 2);
  ck_assert_uint_eq(scheduler_run(t->s, 20), 2);
  ck_assert_int_eq(scheduler_now(t->s), 20);
  ck_assert_uint_eq(scheduler_pending(t->s), 1);
  ck_assert_uint_eq(scheduler_run(t->s, 25), 0);
  ck_assert_int_eq(scheduler_now(t->s), 25);
  ck_assert_uint_eq(scheduler_run(t->s, 100), 1);
  ck_assert_int_eq(scheduler_now(t->s), 100);
  test_sched_expect(t, order, 3);
  ck_assert_uint_eq(scheduler_executed(t->s), 3);
  test_sched_at(t, 100, 3);
  ck_assert_uint_eq(scheduler_run(t->s, 100), 1);
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_run_empty)
{
  TestSched *t = test_sched_new();

  ck_assert_int_eq(scheduler_now(t->s), 0);
  ck_assert_uint_eq(scheduler_run(t->s, 50), 0);
  ck_assert_int_eq(scheduler_now(t->s), 50);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 0);
  ck_assert_int_eq(scheduler_now(t->s), 50);
  ck_assert_uint_eq(scheduler_pending(t->s), 0);
  ck_assert_uint_eq(scheduler_executed(t->s), 0);
  test_sched_free(t);
}
END_TEST

/* Only cancelled events left: a run must not move time, and new events fit. */
START_TEST(test_scheduler_run_only_cancelled)
{
  TestSched *t = test_sched_new();
  const int order[] = {1, 2};

  for (int i = 0; i < 100; i++)
    ck_assert(scheduler_cancel(t->s, test_sched_at(t, SIMTIME_S(1) + i * 1000, 0)));
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 0);
  ck_assert_int_eq(scheduler_now(t->s), 0);
  test_sched_at(t, 5, 1);
  EventId late = test_sched_at(t, SIMTIME_S(2), 9);
  test_sched_at(t, SIMTIME_S(3), 2);
  ck_assert(scheduler_cancel(t->s, late));
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 2);
  test_sched_expect(t, order, 2);
  ck_assert_int_eq(scheduler_now(t->s), SIMTIME_S(3));
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_stop)
{
  TestSched *t = test_sched_new();
  const int order[] = {0, 1, 2};

  test_sched_at(t, 10, 0);
  test_sched_at(t, 20, 1);
  test_sched_at(t, 30, 2);
  t->stop_at_tag = TRUE;
  t->stop_tag = 1;
  ck_assert_uint_eq(scheduler_run(t->s, 100), 2);
  ck_assert_int_eq(scheduler_now(t->s), 20);
  ck_assert_uint_eq(scheduler_pending(t->s), 1);
  t->stop_at_tag = FALSE;
  scheduler_stop(t->s);
  ck_assert_uint_eq(scheduler_run(t->s, 100), 1);
  ck_assert_int_eq(scheduler_now(t->s), 100);
  test_sched_expect(t, order, 3);
  test_sched_free(t);
}
END_TEST

/* Log handler: counts criticals instead of printing them. */
static void test_sched_count_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
  (void)domain;
  (void)message;
  if (level & G_LOG_LEVEL_CRITICAL)
    (*(int *)data)++;
}

/* next_time skips cancelled events and does not move the clock; a step
 * runs one event, or none and moves now to its bound; stop is reported. */
START_TEST(test_scheduler_step_and_next_time)
{
  TestSched *t = test_sched_new();

  ck_assert_int_eq(scheduler_next_time(t->s), SIMTIME_MAX);
  EventId first = test_sched_at(t, 100, 1);
  test_sched_at(t, SIMTIME_MS(20), 2);
  test_sched_at(t, SIMTIME_MS(20), 3);
  ck_assert_int_eq(scheduler_next_time(t->s), 100);
  ck_assert(scheduler_cancel(t->s, first));
  ck_assert_int_eq(scheduler_next_time(t->s), SIMTIME_MS(20));
  ck_assert_int_eq(scheduler_step(t->s, SIMTIME_MS(5)), SCHEDULER_STEP_NONE);
  ck_assert_int_eq(scheduler_now(t->s), SIMTIME_MS(5));
  test_sched_at(t, SIMTIME_MS(6), 4); /* between now and the next event */
  ck_assert_int_eq(scheduler_next_time(t->s), SIMTIME_MS(6));
  t->stop_at_tag = TRUE;
  t->stop_tag = 2;
  ck_assert_int_eq(scheduler_step(t->s, SIMTIME_S(1)), SCHEDULER_STEP_RAN);
  ck_assert_int_eq(scheduler_now(t->s), SIMTIME_MS(6));
  ck_assert_int_eq(scheduler_step(t->s, SIMTIME_S(1)), SCHEDULER_STEP_STOPPED);
  ck_assert_int_eq(scheduler_step(t->s, SIMTIME_S(1)), SCHEDULER_STEP_RAN);
  ck_assert_int_eq(scheduler_step(t->s, SIMTIME_S(1)), SCHEDULER_STEP_NONE);
  ck_assert_int_eq(scheduler_now(t->s), SIMTIME_S(1));
  const int order[] = {4, 2, 3};
  test_sched_expect(t, order, 3);
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_past_refused)
{
  TestSched *t = test_sched_new();
  int criticals = 0;
  GLogLevelFlags fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK);
  GLogFunc old = g_log_set_default_handler(test_sched_count_log, &criticals);

  scheduler_run(t->s, 100);
  ck_assert_uint_eq(test_sched_at(t, 99, 0), EVENT_ID_NONE);
  ck_assert_uint_eq(scheduler_after(t->s, -1, test_sched_record, t, NULL), EVENT_ID_NONE);
  ck_assert_uint_eq(scheduler_after(t->s, SIMTIME_MAX, test_sched_record, t, NULL), EVENT_ID_NONE);
  ck_assert_uint_eq(scheduler_at(t->s, 200, NULL, t, NULL), EVENT_ID_NONE);
  ck_assert_int_eq(criticals, 4);
  g_log_set_default_handler(old, NULL);
  g_log_set_always_fatal(fatal);

  ck_assert_uint_eq(scheduler_pending(t->s), 0);
  ck_assert_uint_ne(test_sched_at(t, 100, 1), EVENT_ID_NONE);
  ck_assert_uint_ne(scheduler_after(t->s, 0, test_sched_record, t, GINT_TO_POINTER(2)), EVENT_ID_NONE);
  ck_assert_uint_eq(scheduler_run(t->s, 100), 2);
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_large_times)
{
  TestSched *t = test_sched_new();
  const SimTime h = SIMTIME_MAX / 2;
  const int first[] = {2, 1, 3};
  const int order[] = {2, 1, 3, 0, 5, 4};

  test_sched_at(t, h + 1, 0);
  test_sched_at(t, h, 1);
  test_sched_at(t, h - 1, 2);
  test_sched_at(t, h, 3);
  test_sched_at(t, SIMTIME_MAX, 4);
  test_sched_at(t, SIMTIME_MAX - 1, 5);
  ck_assert_uint_eq(scheduler_run(t->s, h), 3);
  test_sched_expect(t, first, 3);
  ck_assert_int_eq(scheduler_now(t->s), h);
  ck_assert_uint_eq(scheduler_run(t->s, SIMTIME_MAX), 3);
  test_sched_expect(t, order, 6);
  ck_assert_int_eq(scheduler_now(t->s), SIMTIME_MAX);
  ck_assert_uint_eq(scheduler_pending(t->s), 0);
  test_sched_free(t);
}
END_TEST

START_TEST(test_scheduler_free_with_pending)
{
  TestSched *t = test_sched_new();

  for (int i = 0; i < 10000; i++)
    test_sched_at(t, i * 977 % 5000, i);
  ck_assert_uint_gt(scheduler_memory_bytes(t->s), 10000 * 12);
  scheduler_free(NULL);
  test_sched_free(t);
}
END_TEST

/*
 * Checks for the random workload. Check's ck_assert records every passing
 * assertion through a file, far too slow for millions of them, so these only
 * call into Check when they fail.
 */
#define TEST_RANDOM_CHECK(cond)                                                                                        \
  do {                                                                                                                 \
    if (G_UNLIKELY(!(cond)))                                                                                           \
      ck_abort_msg("assertion failed: %s", #cond);                                                                     \
  } while (0)
#define TEST_RANDOM_CMP(op, a, b)                                                                                      \
  do {                                                                                                                 \
    long long test_a_ = (long long)(a), test_b_ = (long long)(b);                                                      \
    if (G_UNLIKELY(!(test_a_ op test_b_)))                                                                             \
      ck_abort_msg("assertion failed: %s %s %s (%lld vs %lld)", #a, #op, #b, test_a_, test_b_);                        \
  } while (0)

/* One event of the reference: the scheduler must run events in this order. */
typedef struct {
  SimTime time;
  uint64_t seq;
  EventId id;
} TestRefEvent;

/* The random workload: scheduler, reference (ref[head..] sorted), random bits. */
typedef struct {
  Scheduler *s;
  GArray *ref;
  guint head;
  uint64_t seq;
  uint64_t rng;
  EventId stale[64];
  guint stale_count;
  uint64_t fired;
  gboolean stopped;
  gboolean lattice;
} TestRandom;

/* Returns 64 random bits (splitmix64). */
static uint64_t test_random_bits(TestRandom *r)
{
  uint64_t z = (r->rng += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Returns a random value below n. */
static uint64_t test_random_below(TestRandom *r, uint64_t n)
{
  return test_random_bits(r) % n;
}

/* Returns a random delay below 2^bits (0 for bits 0). */
static SimTime test_random_delay_bits(TestRandom *r, int bits)
{
  return bits == 0 ? 0 : (SimTime)test_random_below(r, UINT64_C(1) << bits);
}

/*
 * Returns a delay that lands on one of the next few multiples of a grid
 * (1 us to 16 ms): events scheduled at different times share keys.
 */
static SimTime test_random_lattice_delay(TestRandom *r)
{
  static const SimTime grid[] = {1000, 1 << 16, 1 << 20, 1 << 24};
  SimTime g = grid[test_random_below(r, G_N_ELEMENTS(grid))];
  SimTime now = scheduler_now(r->s);

  return (now / g + (SimTime)test_random_below(r, 4)) * g + (now % g == 0 ? 0 : g) - now;
}

/* Returns a delay for a new event: a mix of scales, many zero or tiny; in
 * lattice mode, half of them on a grid. */
static SimTime test_random_delay(TestRandom *r)
{
  static const int bits[] = {0, 2, 2, 4, 10, 10, 17, 24, 24, 31, 38, 44};

  if (r->lattice && test_random_below(r, 2) == 0)
    return test_random_lattice_delay(r);
  return test_random_delay_bits(r, bits[test_random_below(r, G_N_ELEMENTS(bits))]);
}

/* Returns how far a run goes: mostly short steps, a leap if too many wait. */
static SimTime test_random_run_delay(TestRandom *r, gboolean leap)
{
  static const int bits[] = {0, 1, 4, 10, 17, 20, 24, 28};

  if (leap)
    return test_random_delay_bits(r, 44);
  return test_random_delay_bits(r, bits[test_random_below(r, G_N_ELEMENTS(bits))]);
}

/* Returns the number of events in the reference. */
static guint test_random_live(const TestRandom *r)
{
  return r->ref->len - r->head;
}

/* Remembers an id that is no longer pending, for stale-cancel checks. */
static void test_random_retire(TestRandom *r, EventId id)
{
  r->stale[r->stale_count++ % G_N_ELEMENTS(r->stale)] = id;
}

static void test_random_fire(void *obj, void *arg);

/* Schedules an event at now + delay in both the scheduler and the reference. */
static void test_random_schedule(TestRandom *r, SimTime delay)
{
  TestRefEvent ev = {scheduler_now(r->s) + delay, r->seq++, 0};
  guint lo = r->head, hi = r->ref->len;

  ev.id = scheduler_after(r->s, delay, test_random_fire, r, (void *)(uintptr_t)ev.seq);
  TEST_RANDOM_CMP(!=, ev.id, EVENT_ID_NONE);
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(r->ref, TestRefEvent, mid).time <= ev.time)
      lo = mid + 1;
    else
      hi = mid;
  }
  g_array_insert_val(r->ref, lo, ev);
}

/* Cancels a random pending event in both the scheduler and the reference. */
static void test_random_cancel(TestRandom *r)
{
  if (test_random_live(r) == 0)
    return;
  guint i = r->head + (guint)test_random_below(r, test_random_live(r));
  EventId id = g_array_index(r->ref, TestRefEvent, i).id;
  TEST_RANDOM_CHECK(scheduler_is_pending(r->s, id));
  TEST_RANDOM_CHECK(scheduler_cancel(r->s, id));
  TEST_RANDOM_CHECK(!scheduler_is_pending(r->s, id));
  g_array_remove_index(r->ref, i);
  test_random_retire(r, id);
}

/* Cancels an id that ran or was cancelled: the scheduler must refuse. */
static void test_random_cancel_stale(TestRandom *r)
{
  guint n = MIN(r->stale_count, G_N_ELEMENTS(r->stale));

  if (n == 0)
    return;
  EventId id = r->stale[test_random_below(r, n)];
  TEST_RANDOM_CHECK(!scheduler_is_pending(r->s, id));
  TEST_RANDOM_CHECK(!scheduler_cancel(r->s, id));
}

/* Removes the reference's first event, which must be the one firing (seq). */
static void test_random_expect_front(TestRandom *r, uint64_t seq)
{
  TEST_RANDOM_CMP(>, test_random_live(r), 0);
  TestRefEvent *front = &g_array_index(r->ref, TestRefEvent, r->head);
  TEST_RANDOM_CMP(==, front->seq, seq);
  TEST_RANDOM_CMP(==, front->time, scheduler_now(r->s));
  TEST_RANDOM_CHECK(!scheduler_cancel(r->s, front->id));
  test_random_retire(r, front->id);
  r->head++;
  if (r->head > 4096 && r->head * 2 > r->ref->len) {
    g_array_remove_range(r->ref, 0, r->head);
    r->head = 0;
  }
}

/* Event of the random workload: checks order, then acts like the main loop. */
static void test_random_fire(void *obj, void *arg)
{
  TestRandom *r = obj;
  uint64_t dice;

  test_random_expect_front(r, (uint64_t)(uintptr_t)arg);
  r->fired++;
  dice = test_random_below(r, 1000);
  if (dice < 300)
    test_random_schedule(r, test_random_delay(r));
  else if (dice < 350)
    test_random_schedule(r, 0);
  else if (dice < 450)
    test_random_cancel(r);
  else if (dice < 452) {
    scheduler_stop(r->s);
    r->stopped = TRUE;
  }
}

/* The time of the reference's first event, SIMTIME_MAX when none. */
static SimTime test_random_next(const TestRandom *r)
{
  return test_random_live(r) ? g_array_index(r->ref, TestRefEvent, r->head).time : SIMTIME_MAX;
}

/* Runs up to until one scheduler_step at a time, as the real-time loop
 * does, checking scheduler_next_time before each; returns the events run. */
static uint64_t test_random_steps(TestRandom *r, SimTime until)
{
  uint64_t ran = 0;
  SchedulerStep step;

  do {
    TEST_RANDOM_CMP(==, scheduler_next_time(r->s), test_random_next(r));
    step = scheduler_step(r->s, until);
    ran += step != SCHEDULER_STEP_NONE;
    TEST_RANDOM_CMP(==, step == SCHEDULER_STEP_STOPPED, r->stopped);
  } while (step == SCHEDULER_STEP_RAN);
  return ran;
}

/* Runs until now + a random delay, by scheduler_run or (one run in four)
 * by steps, and checks time and pending afterwards. */
static void test_random_run(TestRandom *r, gboolean leap)
{
  SimTime now = scheduler_now(r->s);
  SimTime delay = test_random_run_delay(r, leap);
  SimTime until = test_random_below(r, 100000) == 0 ? SIMTIME_MAX : now + delay;
  uint64_t fired = r->fired;

  r->stopped = FALSE;
  TEST_RANDOM_CMP(==, scheduler_next_time(r->s), test_random_next(r));
  uint64_t ran = test_random_below(r, 4) == 0 ? test_random_steps(r, until) : scheduler_run(r->s, until);
  TEST_RANDOM_CMP(==, ran, r->fired - fired);
  if (!r->stopped && until != SIMTIME_MAX)
    TEST_RANDOM_CMP(==, scheduler_now(r->s), until);
  if (!r->stopped && test_random_live(r) > 0)
    TEST_RANDOM_CMP(>, g_array_index(r->ref, TestRefEvent, r->head).time, until);
  TEST_RANDOM_CMP(==, scheduler_pending(r->s), test_random_live(r));
}

/*
 * One operation of the main loop: schedule, cancel, cancel a stale id or run.
 * Scheduling is favoured while fewer than target events are pending, and a
 * run leaps far ahead when more than twice target are.
 */
static void test_random_step(TestRandom *r, guint target)
{
  uint64_t dice = test_random_below(r, 100);
  guint live = test_random_live(r);

  if (dice < 10)
    test_random_cancel(r);
  else if (dice < 14)
    test_random_cancel_stale(r);
  else if (dice < 55 || (dice < 97 && live < target))
    test_random_schedule(r, test_random_delay(r));
  else
    test_random_run(r, live > 2 * target);
}

/* Runs the random workload of `ops` operations and checks it to the end. */
static void test_random_workload(TestRandom r, int ops)
{
  r.s = scheduler_new();
  r.ref = g_array_new(FALSE, FALSE, sizeof(TestRefEvent));
  for (int i = 0; i < ops; i++)
    test_random_step(&r, 16u << (i / 50000 % 8));
  while (test_random_live(&r) > 0)
    test_random_run(&r, TRUE);
  TEST_RANDOM_CMP(==, test_random_live(&r), 0);
  TEST_RANDOM_CMP(==, scheduler_pending(r.s), 0);
  TEST_RANDOM_CMP(==, scheduler_executed(r.s), r.fired);
  TEST_RANDOM_CMP(>, r.fired, ops / 5);
  g_array_free(r.ref, TRUE);
  scheduler_free(r.s);
}

START_TEST(test_scheduler_random_vs_reference)
{
  test_random_workload((TestRandom){.rng = UINT64_C(20240607)}, 1000000);
}
END_TEST

/* The same with half the events on shared grid times: many equal keys,
 * scheduled at different times and levels, and from inside events. */
START_TEST(test_scheduler_random_equal_keys)
{
  test_random_workload((TestRandom){.rng = UINT64_C(20261204), .lattice = TRUE}, 1000000);
}
END_TEST

/* Returns the scheduler's test suite. */
Suite *scheduler_suite(void)
{
  Suite *suite = suite_create("scheduler");
  TCase *basic = tcase_create("basic");
  TCase *random = tcase_create("random");

  tcase_add_test(basic, test_scheduler_orders_by_time);
  tcase_add_test(basic, test_scheduler_ties_fifo);
  tcase_add_test(basic, test_scheduler_ties_from_callbacks);
  tcase_add_test(basic, test_scheduler_far_ties_cancel);
  tcase_add_test(basic, test_scheduler_resume_inside_bucket);
  tcase_add_test(basic, test_scheduler_unsorted_blocks);
  tcase_add_test(basic, test_scheduler_cancel);
  tcase_add_test(basic, test_scheduler_cancel_stale_after_reuse);
  tcase_add_test(basic, test_scheduler_cancel_from_event);
  tcase_add_test(basic, test_scheduler_run_until);
  tcase_add_test(basic, test_scheduler_run_empty);
  tcase_add_test(basic, test_scheduler_run_only_cancelled);
  tcase_add_test(basic, test_scheduler_stop);
  tcase_add_test(basic, test_scheduler_step_and_next_time);
  tcase_add_test(basic, test_scheduler_past_refused);
  tcase_add_test(basic, test_scheduler_large_times);
  tcase_add_test(basic, test_scheduler_free_with_pending);
  suite_add_tcase(suite, basic);
  tcase_add_test(random, test_scheduler_random_vs_reference);
  tcase_add_test(random, test_scheduler_random_equal_keys);
  tcase_set_timeout(random, 120);
  suite_add_tcase(suite, random);
  return suite;
}
