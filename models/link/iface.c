/*
 * Interfaces: created from the scenario's resolved interface description.
 * Entry points: iface_new(), iface_peer(), iface_free().
 */
#include "models/link/iface.h"

#include <string.h>

#include "models/link/link.h"

/* Creates the interface `conf` describes on `node`; the caller adds it to the node. */
Iface *iface_new(Node *node, const ScenarioIface *conf, guint index)
{
  Iface *iface = g_new0(Iface, 1);
  iface->name = g_strdup(conf->name);
  iface->node = node;
  iface->index = index;
  memcpy(iface->mac, conf->mac, sizeof iface->mac);
  iface->has_ip = conf->has_ip;
  iface->ip = conf->ip;
  iface->mtu = conf->mtu;
  iface->queue = conf->queue;
  return iface;
}

void iface_free(Iface *iface)
{
  if (!iface)
    return;
  g_free(iface->name);
  g_free(iface);
}

/* Returns the interface at the other end of the link, or NULL when unconnected. */
Iface *iface_peer(const Iface *iface)
{
  if (!iface->link)
    return NULL;
  return iface->link->ends[0] == iface ? iface->link->ends[1] : iface->link->ends[0];
}
