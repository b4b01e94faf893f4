/*
 * A node of the simulated network: a host, a switch or a router, owning its
 * interfaces. Per-layer state (ARP, IPv4, TCP) joins it as the layers arrive.
 */
#ifndef IPSIM_NODE_H
#define IPSIM_NODE_H

#include <glib.h>

#include "models/link/iface.h"
#include "sim/scenario.h"

typedef struct Node {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  guint index;       /* position in the network's nodes */
  GPtrArray *ifaces; /* of Iface*, owned */
} Node;

Node *node_new(const ScenarioNode *conf, guint index);
void node_free(Node *node);
Iface *node_find_iface(const Node *node, const char *name);

static inline Iface *node_iface(const Node *node, guint i)
{
  return g_ptr_array_index(node->ifaces, i);
}

#endif
