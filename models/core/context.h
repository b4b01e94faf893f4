/*
 * The context every model runs in: the kernel objects of one simulation
 * (its scheduler, packet pool and seed, and in real-time mode the loop that
 * runs the scheduler against the wall clock) and what observes it (the
 * trace, the flow table). The network owns it; nodes, links and apps point to
 * it, so that a model reaches the clock or the trace without knowing the
 * network.
 *
 * Entry points: sim_now().
 */
#ifndef IPSIM_CONTEXT_H
#define IPSIM_CONTEXT_H

#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "sim/kernel/packet.h"
#include "sim/kernel/realtime.h"
#include "sim/kernel/scheduler.h"

typedef struct Trace Trace;
typedef struct FlowTable FlowTable;

typedef struct SimContext {
  Scheduler *sched;
  RtLoop *rt; /* real-time mode: the loop (register descriptors with rt_watch()); NULL otherwise */
  PacketPool *pool;
  uint64_t seed;          /* of every random stream (rng_init) */
  Trace *trace;           /* NULL: no text trace */
  FlowTable *flows;       /* flow accounting */
  FILE *tcp_series;       /* tcp.csv, where TCP writes a row per change; NULL: none */
  FILE *queues_csv;       /* queues.csv, a row per change of an interface's transmit queue (models/link); NULL: none */
  FILE *routes_csv;       /* routes.csv, a row per change of a protocol's routes (models/routing); NULL: none */
  uint64_t route_changes; /* changes of protocols' routes so far (routing_set()) */
  SimTime last_route_change; /* when the last of them happened; -1: none yet */
  GArray *iface_listeners;   /* of IfaceListener: told of every interface change; NULL: none */
} SimContext;

/* The current simulated time. */
static inline SimTime sim_now(const SimContext *ctx)
{
  return scheduler_now(ctx->sched);
}

#endif
