/*
 * `routing: auto`: shortest-path routes computed by ipsim from the current
 * topology, as ns-3's global routing does, without exchanging messages.
 *
 * Every link costs 1 (hop count); links that are down are left out.
 * Segments joined by switches count as one hop between the routers and
 * hosts on them. For a node X, a BFS from X over the graph of IP nodes
 * gives the first hop toward every node; the route to each prefix of the
 * network goes toward the nearest node that has an address in it (ties:
 * the lower node index, then the lower interface index), so results are
 * deterministic. Hosts never forward: paths never cross a host, and a
 * prefix held by a router is routed toward its nearest router holder (a
 * host holder is used only when no router holding it is reachable).
 *
 * Tables are computed lazily: a node's auto routes are (re)computed the
 * first time it needs a route after the topology changed. The result is
 * the same as computing every table after each change, at a fraction of
 * the cost on large networks where few nodes send.
 *
 * Entry points: route_auto_new() (after the network is built);
 * route_auto_fill() (from ipv4_route() when a node's auto routes are
 * stale); route_auto_topology_changed() (link up/down);
 * route_auto_free().
 */
#ifndef IPSIM_ROUTE_AUTO_H
#define IPSIM_ROUTE_AUTO_H

#include <glib.h>

typedef struct Network Network;
typedef struct Node Node;
typedef struct RouteAuto RouteAuto;

RouteAuto *route_auto_new(Network *net);
void route_auto_free(RouteAuto *ra);
void route_auto_fill(RouteAuto *ra, Node *node);
void route_auto_topology_changed(RouteAuto *ra);

#endif
