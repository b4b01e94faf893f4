/*
 * The simulated network: its nodes and links, the scheduler that drives
 * them, the packet pool, the random seed, the trace, flow accounting,
 * automatic routing, applications, and the listeners told of interface
 * changes. sim/build builds one from a scenario.
 *
 * Entry points: network_new(); network_index_addresses(); network_run();
 * network_free(). The models reach the scheduler and the trace through
 * their SimContext (models/core/context.h), not the network.
 */
#ifndef IPSIM_NETWORK_H
#define IPSIM_NETWORK_H

#include <glib.h>

#include "models/core/context.h"
#include "models/observe/flow.h"
#include "models/link/link.h"
#include "models/core/node.h"
#include "models/observe/trace.h"
#include "sim/kernel/packet.h"
#include "sim/kernel/scheduler.h"

typedef struct RouteAuto RouteAuto;
typedef struct App App;

/* The first few drops of each reason, formatted as trace lines, kept even
 * when the trace is off: evidence for `expect:` failures. */
#define NETWORK_DROP_EVIDENCE 3

typedef struct Network {
  char *name;
  char *description; /* may be NULL */
  SimContext ctx;    /* scheduler, pool, seed, trace, flows, tcp.csv: what the models reach */
  SimTime stop;
  GPtrArray *nodes;                            /* of Node*, owned, in file order */
  GPtrArray *links;                            /* of Link*, owned, in file order */
  GPtrArray *apps;                             /* of App*, owned, in file order */
  RouteAuto *route_auto;                       /* NULL when no node routes automatically */
  GPtrArray *drop_evidence[DROP_REASON_COUNT]; /* of char*, at most NETWORK_DROP_EVIDENCE each */
  FILE *app_out;                               /* where applications print (stdout, or NULL when quiet) */
  GHashTable *addr_index;                      /* interface address -> Iface* */
} Network;

Network *network_new(const char *name, uint64_t seed, SimTime stop);
void network_index_addresses(Network *net);
void network_free(Network *net);
uint64_t network_run(Network *net);
Node *network_find_node(const Network *net, const char *name);
Node *network_find_node_by_addr(const Network *net, uint32_t addr, Iface **iface);

static inline SimTime network_now(const Network *net)
{
  return scheduler_now(net->ctx.sched);
}

static inline Node *network_node(const Network *net, guint i)
{
  return g_ptr_array_index(net->nodes, i);
}

static inline Link *network_link(const Network *net, guint i)
{
  return g_ptr_array_index(net->links, i);
}

#endif
