/*
 * The messages of a run's text trace as a Ladder (viz/ladder.h), for
 * `ipsim ladder`: end to end between chosen nodes (a packet from its
 * sender's lane when it leaves to each chosen node it reaches), or hop by
 * hop among chosen nodes (a frame from a node's tx to the next chosen
 * node's rx), optionally only one TCP or UDP flow's packets and only
 * those leaving within a time window; optionally with a lane per node
 * and layer (application, transport, internet, link), each message down
 * its sender's stack, across and up its receiver's.
 *
 * Entry point: ladder_build().
 */
#ifndef IPSIM_CLI_LADDER_BUILD_H
#define IPSIM_CLI_LADDER_BUILD_H

#include <glib.h>

#include "viz/ladder.h"

typedef struct {
  char **lanes;     /* the chosen nodes, NULL-terminated; NULL: the flow's */
  gboolean hops;    /* --nodes: hop by hop; else end to end (--between) */
  gboolean layers;  /* a lane per node and layer (--layers) */
  const char *flow; /* "PORT" or "ADDR:PORT": TCP and UDP packets with it;
                     * an app's name: the lines trace.tags puts in its flow;
                     * NULL: all */
  SimTime from, to; /* departures within [from, to]; -1: open */
} LadderQuery;

/* The ladder of `text` (the whole trace.txt) for `q`, with `tags` (the
 * whole trace.tags, or NULL) giving each line's layer and flows; NULL
 * with `error` set (a node no line names, a bad flow, tags that do not
 * match, no message) otherwise. */
Ladder *ladder_build(const char *text, const char *tags, const LadderQuery *q, GError **error);

#endif
