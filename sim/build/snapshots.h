/*
 * The scenario's `output: show:` snapshots: at each time, the text of
 * each asked table of each node (models/observe/show.h), with a header
 * per snapshot ("=== 35.000s r1: show ip route ==="), appended to
 * DIR/show.txt when the run has a directory and kept for the run's
 * summary.
 *
 * Entry points: snapshots_new() (after build_network: opens show.txt and
 * schedules the snapshots), snapshots_text() (everything taken, for the
 * summary), snapshots_free().
 */
#ifndef IPSIM_SNAPSHOTS_H
#define IPSIM_SNAPSHOTS_H

#include "models/core/network.h"
#include "sim/scenario/scenario.h"

typedef struct Snapshots Snapshots;

Snapshots *snapshots_new(Network *net, const Scenario *sc, const char *dir, GError **error);
const char *snapshots_text(const Snapshots *snap);
void snapshots_free(Snapshots *snap);

#endif
