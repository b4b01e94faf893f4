/*
 * What the routing protocols (RIP, OSPF) share: the one door through
 * which a protocol changes a node's routing table. Each change of a
 * protocol's routes to a prefix is made, traced (a `routing` note with
 * its reason) and logged to routes.csv (SimContext.routes_csv) here, and
 * counted in the context (route_changes, last_route_change) for the
 * `converged` check.
 *
 * Note:  1.500000000 r2 - note rip: 10.0.3.0/24 via 10.0.12.2 metric 2 -> unreachable (timeout)
 * Row:   1.500000000,r2,10.0.3.0/24,rip,10.0.12.2%eth1,,2,,timeout
 *
 * Entry points: routing_set() (install, replace or withdraw a protocol's
 * paths to one prefix); routing_csv_header() (the first line of
 * routes.csv); routing_format_hops(); routing_vnote() (a protocol's
 * `routing` trace note, "rip: ...").
 */
#ifndef IPSIM_ROUTING_H
#define IPSIM_ROUTING_H

#include <glib.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#include "models/internet/route.h"
#include "sim/text/addr.h"

typedef struct Node Node;

/* One next hop of a protocol's route: out of `iface` to `gateway` (host
 * byte order; 0: on-link). */
typedef struct {
  Iface *iface;
  uint32_t gateway;
} RoutingHop;

gboolean routing_set(Node *node, RouteOrigin origin, Ipv4Prefix to, const RoutingHop *hops, guint n, uint32_t metric,
                     const char *reason);
void routing_vnote(Node *node, const Iface *iface, const char *proto, const char *fmt, va_list ap) G_GNUC_PRINTF(4, 0);
void routing_csv_header(FILE *out);
void routing_format_hops(GString *out, const Route *const *paths, guint n, const char *sep);

#endif
