/*
 * The simulated network built from a scenario: its nodes and links, the
 * event scheduler that drives them and the seed of its random streams.
 *
 * Entry points: network_build(), network_run(), network_free().
 */
#ifndef IPSIM_NETWORK_H
#define IPSIM_NETWORK_H

#include <glib.h>

#include "models/link/link.h"
#include "models/node.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"

typedef struct {
  char *name;
  char *description; /* may be NULL */
  uint64_t seed;
  SimTime stop;
  GPtrArray *nodes; /* of Node*, owned, in file order */
  GPtrArray *links; /* of Link*, owned, in file order */
  Scheduler *sched;
} Network;

Network *network_build(const Scenario *sc);
void network_free(Network *net);
uint64_t network_run(Network *net);

static inline Node *network_node(const Network *net, guint i)
{
  return g_ptr_array_index(net->nodes, i);
}

static inline Link *network_link(const Network *net, guint i)
{
  return g_ptr_array_index(net->links, i);
}

#endif
