/*
 * An independent check of the routing protocols' tables: from the live
 * network's topology (links up, nodes not down) and the scenario's
 * protocol settings on each interface (with the events that ran so far),
 * the routes every RIP or OSPF router should hold to every prefix of the
 * network, computed here (not by the models' own SPF), compared with what
 * the router's table holds. `expect: converged` uses it.
 *
 * Entry point: spf_check() (appends one line per disagreement).
 */
#ifndef IPSIM_SPF_CHECK_H
#define IPSIM_SPF_CHECK_H

#include "models/core/network.h"
#include "sim/scenario/scenario.h"

guint spf_check(Network *net, const Scenario *sc, GPtrArray *problems);

#endif
