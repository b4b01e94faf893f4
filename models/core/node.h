/*
 * A node of the simulated network: a host, a switch or a router, owning its
 * interfaces and its per-layer state. Hosts and routers have IPv4 (with
 * ARP on each interface, ICMP, UDP and TCP); switches have a learning bridge.
 * Routers forward; hosts do not.
 *
 * Entry points: node_new(), node_drop() (every drop goes through it:
 * counted, traced, freed), node_find_iface(), node_free().
 */
#ifndef IPSIM_NODE_H
#define IPSIM_NODE_H

#include <glib.h>

#include "models/core/drop.h"
#include "models/link/iface.h"
#include "models/observe/trace.h"
#include "sim/scenario/scenario.h"

typedef struct Network Network;
typedef struct Switch Switch;
typedef struct Ipv4 Ipv4;
typedef struct UdpPorts UdpPorts;
typedef struct IcmpListeners IcmpListeners;
typedef struct TcpStack TcpStack;

typedef struct Node {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  guint index;       /* position in the network's nodes */
  GPtrArray *ifaces; /* of Iface*, owned */
  Network *net;
  Switch *sw;          /* switches */
  Ipv4 *ip;            /* hosts and routers */
  UdpPorts *udp;       /* hosts and routers */
  IcmpListeners *icmp; /* hosts and routers */
  TcpStack *tcp;       /* hosts and routers */
  Counters counters;   /* drops not tied to an interface (the node's own) */
} Node;

Node *node_new(Network *net, const ScenarioNode *conf, guint index);
void node_free(Node *node);
Iface *node_find_iface(const Node *node, const char *name);
void node_drop(Node *node, Iface *iface, Packet *p, DropReason reason, TraceLayer layer, TraceFrom from);
void node_counters_total(const Node *node, Counters *total);

static inline Iface *node_iface(const Node *node, guint i)
{
  return g_ptr_array_index(node->ifaces, i);
}

#endif
