/*
 * Event scheduler: the set of pending events of one simulation, run in
 * (time, scheduling order). Events at equal times run in the order they were
 * scheduled. Every scheduled event has a handle (EventId) through which it can
 * be cancelled in O(1); a stale handle (already run, already cancelled, slot
 * reused) is recognised and refused.
 *
 * Entry points, in call order: scheduler_new; scheduler_at / scheduler_after
 * (also from inside events); scheduler_cancel; scheduler_run, with
 * scheduler_stop from inside an event; scheduler_free. For loops that look
 * at each event (the real-time loop, sim/kernel/realtime.h):
 * scheduler_next_time and scheduler_step; scheduler_run stays the fast path.
 */
#ifndef IPSIM_SCHEDULER_H
#define IPSIM_SCHEDULER_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

typedef struct Scheduler Scheduler;

/* An event callback: obj is the object the event acts on, arg its argument. */
typedef void (*EventFn)(void *obj, void *arg);

/* A handle on a scheduled event; it encodes a slot and a generation. */
typedef uint64_t EventId;
#define EVENT_ID_NONE ((EventId)0)

Scheduler *scheduler_new(void);
void scheduler_free(Scheduler *s);

/* The part of a scheduler read inline by every model: the current time.
 * It is the first member of struct Scheduler. */
typedef struct {
  SimTime now;
} SchedulerClock;

/* Returns the current simulated time. */
static inline SimTime scheduler_now(const Scheduler *s)
{
  return ((const SchedulerClock *)(const void *)s)->now;
}

EventId scheduler_at(Scheduler *s, SimTime when, EventFn fn, void *obj, void *arg);
EventId scheduler_after(Scheduler *s, SimTime delay, EventFn fn, void *obj, void *arg);
gboolean scheduler_cancel(Scheduler *s, EventId id);
gboolean scheduler_is_pending(const Scheduler *s, EventId id);

uint64_t scheduler_run(Scheduler *s, SimTime until);
void scheduler_stop(Scheduler *s);

/* What scheduler_step did. */
typedef enum {
  SCHEDULER_STEP_NONE,    /* no event was due: now is until */
  SCHEDULER_STEP_RAN,     /* it ran one event: now is its time */
  SCHEDULER_STEP_STOPPED, /* it ran one event, which called scheduler_stop */
} SchedulerStep;

SimTime scheduler_next_time(const Scheduler *s);
SchedulerStep scheduler_step(Scheduler *s, SimTime until);

size_t scheduler_pending(const Scheduler *s);
uint64_t scheduler_executed(const Scheduler *s);
size_t scheduler_memory_bytes(const Scheduler *s);

#endif
