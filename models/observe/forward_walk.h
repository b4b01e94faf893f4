/*
 * The path a packet would take now: a walk over the nodes' forwarding state
 * (route lookups, interfaces up, next hops present on the segment), without
 * sending anything. `expect:` uses it for reachability and path checks.
 *
 * Entry points: forward_walk(), forward_walk_clear().
 */
#ifndef IPSIM_FORWARD_WALK_H
#define IPSIM_FORWARD_WALK_H

#include "models/core/network.h"

typedef enum {
  WALK_REACHED,      /* the destination holds the address */
  WALK_NO_ROUTE,     /* a node has no route */
  WALK_NOT_A_ROUTER, /* a host would have to forward */
  WALK_LINK_DOWN,    /* the route's interface is down */
  WALK_NO_NEIGHBOR,  /* no node on the segment holds the next hop (ARP would fail) */
  WALK_LOOP,         /* a node came back: a forwarding loop */
  WALK_NO_ADDRESS,   /* the source has no IPv4 (a switch) */
} WalkEnd;

typedef struct {
  GPtrArray *hops;  /* of Node*, after the source, in order */
  GPtrArray *lines; /* of char*: one line per decision, for evidence */
  WalkEnd end;
} Walk;

void forward_walk(Network *net, Node *from, uint32_t dst, Walk *walk);
void forward_walk_clear(Walk *walk);
const char *forward_walk_end_text(WalkEnd end);

#endif
