/*
 * A point-to-point, full-duplex link between two interfaces, with its rate,
 * propagation delay and loss probability. Transmission comes with the network
 * access layer; here a link holds its parameters and joins its two ends.
 */
#ifndef IPSIM_LINK_H
#define IPSIM_LINK_H

#include <glib.h>

#include "models/link/iface.h"

typedef struct Link {
  char *name; /* NULL when the scenario gave none */
  Iface *ends[2];
  guint index; /* position in the scenario's links */
  uint64_t rate_bps;
  SimTime delay;
  double loss;
} Link;

Link *link_new(const ScenarioLink *conf, Iface *a, Iface *b, guint index);
void link_free(Link *link);
char *link_describe(const Link *link);

#endif
