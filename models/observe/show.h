/*
 * Snapshots of the tables that decide forwarding, in the shape users know
 * from FRR and Cisco `show` commands: a node's routing table (`show ip
 * route`), its ARP caches (`show arp`), a switch's MAC table (`show mac
 * address-table`), its spanning tree (`show spanning-tree`), and the routing protocols' own views (RIP's and OSPF's
 * show functions, models/routing). The scenario's `output: show:` asks for
 * them at chosen times.
 *
 * Entry points: show_kind_names, show_kind_title(), show_kind_problem()
 * (which nodes a kind applies to, for the loader); show_node() (one
 * snapshot); show_routes(), show_arp(), show_mac(), show_stp().
 */
#ifndef IPSIM_SHOW_H
#define IPSIM_SHOW_H

#include <glib.h>

typedef struct Node Node;

typedef enum {
  SHOW_ROUTES,
  SHOW_RIP,
  SHOW_OSPF_NEIGHBORS,
  SHOW_OSPF_DATABASE,
  SHOW_OSPF_INTERFACES,
  SHOW_ARP,
  SHOW_MAC,
  SHOW_STP, /* "show spanning-tree" */
  SHOW_KIND_COUNT
} ShowKind;

/* "routes", "rip", "ospf-neighbors", "ospf-database", "ospf-interfaces", "arp", "mac" */
extern const char *const show_kind_names[SHOW_KIND_COUNT];

const char *show_kind_title(ShowKind kind);
const char *show_kind_problem(ShowKind kind, gboolean is_switch, gboolean runs_rip, gboolean runs_ospf);
void show_node(Node *node, ShowKind kind, GString *out);
void show_routes(Node *node, GString *out);
void show_arp(Node *node, GString *out);
void show_mac(Node *node, GString *out);
void show_stp(Node *node, GString *out);

#endif
