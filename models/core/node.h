/*
 * A node of the simulated network: a host, a switch, a hub or a router, owning its
 * interfaces and its per-layer state. Hosts and routers have IPv4 (with
 * ARP on each interface, ICMP, UDP and TCP); switches have a learning bridge,
 * hubs a shared medium.
 * Routers forward; hosts do not.
 *
 * Entry points: node_new(), node_add_iface(), node_set_link_type(),
 * node_add_layers() (in that order, by the builder); node_drop() (every
 * drop goes through it: counted, traced, freed), node_find_iface(),
 * node_set_up() (a node going down takes its links down, as a router
 * powered off), node_add_cleanup() (what a layer above, such as a routing
 * protocol, frees with the node), node_free().
 */
#ifndef IPSIM_NODE_H
#define IPSIM_NODE_H

#include <glib.h>

#include "models/core/context.h"
#include "models/core/drop.h"
#include "models/link/iface.h"
#include "models/observe/trace.h"
#include "models/link/link.h"

/* NODE_KIND_LINUX: a real Linux network namespace (sim/emu); its interfaces
 * are TAP devices (models/link/tap.h) and ipsim runs no stack on it.
 * NODE_KIND_HUB: a repeater whose links share one medium (models/link/hub.h). */
typedef enum {
  NODE_KIND_HOST,
  NODE_KIND_SWITCH,
  NODE_KIND_ROUTER,
  NODE_KIND_LINUX,
  NODE_KIND_HUB,
  NODE_KIND_COUNT
} NodeKind;
extern const char *const node_kind_names[NODE_KIND_COUNT];

/* TRUE for the kinds that work at layer 2 only, without IP, passing
 * frames between their ports: switches and hubs. */
static inline gboolean node_kind_is_l2(NodeKind kind)
{
  return kind == NODE_KIND_SWITCH || kind == NODE_KIND_HUB;
}

typedef struct Network Network;
typedef struct Switch Switch;
typedef struct Ipv4 Ipv4;
typedef struct UdpPorts UdpPorts;
typedef struct IcmpListeners IcmpListeners;
typedef struct TcpStack TcpStack;
typedef struct Rip Rip;
typedef struct Ospf Ospf;

typedef struct Node {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  guint index;       /* position in the network's nodes */
  GPtrArray *ifaces; /* of Iface*, owned */
  Network *net;
  SimContext *ctx;         /* the network's */
  Switch *sw;              /* switches */
  Hub *hub;                /* hubs: the shared medium (models/link/hub.h) */
  Ipv4 *ip;                /* hosts and routers */
  UdpPorts *udp;           /* hosts and routers */
  IcmpListeners *icmp;     /* hosts and routers */
  TcpStack *tcp;           /* hosts and routers */
  Rip *rip;                /* routers running RIP (models/routing/rip.h), else NULL */
  Ospf *ospf;              /* routers running OSPF (models/routing/ospf.h), else NULL */
  gboolean down;           /* taken down by an event (node_set_up()): its links are down */
  GArray *cleanups;        /* of NodeCleanup, run by node_free() before the layers go; NULL: none */
  Counters counters;       /* drops not tied to an interface (the node's own) */
  GArray *iface_listeners; /* of IfaceListener: told of this node's interface changes; NULL: none */
} Node;

Node *node_new(Network *net, const char *name, NodeKind kind, guint index);
Iface *node_add_iface(Node *node, const IfaceConfig *conf);
void node_set_link_type(Node *node, Iface *iface, LinkType type);
void node_add_layers(Node *node, SimTime aging);
void node_free(Node *node);
const char *node_kind_name(NodeKind kind);
Iface *node_find_iface(const Node *node, const char *name);
void node_drop(Node *node, Iface *iface, Packet *p, DropReason reason, TraceLayer layer, TraceFrom from);
void node_counters_total(const Node *node, Counters *total);
void node_set_up(Node *node, gboolean up);
void node_add_cleanup(Node *node, GDestroyNotify fn, gpointer data);

static inline Iface *node_iface(const Node *node, guint i)
{
  return g_ptr_array_index(node->ifaces, i);
}

#endif
