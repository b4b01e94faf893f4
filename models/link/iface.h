/*
 * An interface: a node's attachment to one link, with its MAC address,
 * optional IPv4 address, MTU and transmit queue limit.
 */
#ifndef IPSIM_IFACE_H
#define IPSIM_IFACE_H

#include <glib.h>

#include "sim/scenario.h"

typedef struct Node Node;
typedef struct Link Link;

typedef struct Iface {
  char *name;
  Node *node;
  Link *link;  /* NULL when not connected */
  guint index; /* position in node->ifaces */
  uint8_t mac[6];
  gboolean has_ip;
  Ipv4Prefix ip;
  uint32_t mtu;
  QueueLimit queue;
} Iface;

Iface *iface_new(Node *node, const ScenarioIface *conf, guint index);
void iface_free(Iface *iface);
Iface *iface_peer(const Iface *iface);

#endif
