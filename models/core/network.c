/*
 * The network: the container of nodes, links and applications, the
 * kernel objects that run them (scheduler, packet pool), the trace and
 * flows, the interface listeners, and lookups of addresses. sim/build
 * fills it from a scenario; model tests fill it by hand.
 *
 * Entry points: network_new(); network_index_addresses() (once the nodes
 * and their interfaces exist);
 * network_run(), network_find_node_by_addr(), network_free().
 */
#include "models/core/network.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "models/app/app.h"
#include "models/internet/route_auto.h"
#include "models/observe/pcap_out.h"

/* Returns an empty network: no nodes, links or apps yet, no trace. */
Network *network_new(const char *name, uint64_t seed, SimTime stop)
{
  Network *net = g_new0(Network, 1);
  net->name = g_strdup(name);
  net->ctx.seed = seed;
  net->stop = stop;
  net->ctx.sched = scheduler_new();
  net->ctx.pool = packet_pool_new();
  net->ctx.flows = flow_table_new();
  net->ctx.last_route_change = -1;
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    net->drop_evidence[r] = g_ptr_array_new_with_free_func(g_free);
  net->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
  net->links = g_ptr_array_new_with_free_func((GDestroyNotify)link_free);
  net->apps = g_ptr_array_new_with_free_func((GDestroyNotify)app_free);
  return net;
}

/* Indexes every interface address: address -> Iface*. */
void network_index_addresses(Network *net)
{
  if (net->addr_index)
    g_hash_table_destroy(net->addr_index);
  net->addr_index = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; i < network_node(net, n)->ifaces->len; i++) {
      Iface *iface = node_iface(network_node(net, n), i);
      if (iface->has_ip)
        g_hash_table_insert(net->addr_index, GUINT_TO_POINTER(iface->ip.addr), iface);
    }
}

void network_free(Network *net)
{
  if (!net)
    return;
  g_ptr_array_free(net->apps, TRUE);
  g_ptr_array_free(net->links, TRUE); /* frees frames in flight before the nodes go */
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; i < network_node(net, n)->ifaces->len; i++)
      pcap_out_close(node_iface(network_node(net, n), i)->pcap);
  g_ptr_array_free(net->nodes, TRUE);
  route_auto_free(net->route_auto);
  if (net->ctx.iface_listeners)
    g_array_free(net->ctx.iface_listeners, TRUE);
  if (net->addr_index)
    g_hash_table_destroy(net->addr_index);
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    g_ptr_array_free(net->drop_evidence[r], TRUE);
  flow_table_free(net->ctx.flows);
  if (net->ctx.tcp_series)
    fclose(net->ctx.tcp_series);
  if (net->ctx.queues_csv)
    fclose(net->ctx.queues_csv);
  if (net->ctx.routes_csv)
    fclose(net->ctx.routes_csv);
  trace_free(net->ctx.trace);
  rt_free(net->ctx.rt);
  scheduler_free(net->ctx.sched);
  packet_pool_free(net->ctx.pool);
  g_free(net->name);
  g_free(net->description);
  g_free(net);
}

/* Runs the network's events up to its stop time; returns the number executed. */
uint64_t network_run(Network *net)
{
  return scheduler_run(net->ctx.sched, net->stop);
}

/* Returns the node called `name`, or NULL. */
Node *network_find_node(const Network *net, const char *name)
{
  for (guint i = 0; i < net->nodes->len; i++)
    if (g_str_equal(network_node(net, i)->name, name))
      return network_node(net, i);
  return NULL;
}

/* Returns the node holding `addr` (and its interface in *iface when
 * non-NULL), or NULL when no interface has that address. */
Node *network_find_node_by_addr(const Network *net, uint32_t addr, Iface **iface)
{
  Iface *found = !net->addr_index ? NULL : g_hash_table_lookup(net->addr_index, GUINT_TO_POINTER(addr));
  if (iface)
    *iface = found;
  return found ? found->node : NULL;
}
