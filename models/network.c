/*
 * The network: nodes and links built from a resolved scenario, and the
 * scheduler that runs it. Entry points: network_build(), network_run(),
 * network_free().
 */
#include "models/network.h"

/* Builds the network a validated scenario describes. Never fails: the loader
 * has already checked everything that could make it fail. */
Network *network_build(const Scenario *sc)
{
  Network *net = g_new0(Network, 1);
  net->name = g_strdup(sc->name);
  net->description = g_strdup(sc->description);
  net->seed = sc->seed;
  net->stop = sc->stop;
  net->sched = scheduler_new();
  net->nodes = g_ptr_array_new_full(sc->nodes->len, (GDestroyNotify)node_free);
  net->links = g_ptr_array_new_full(sc->links->len, (GDestroyNotify)link_free);
  for (guint i = 0; i < sc->nodes->len; i++)
    g_ptr_array_add(net->nodes, node_new(scenario_node(sc, i), i));
  for (guint i = 0; i < sc->links->len; i++) {
    const ScenarioLink *conf = scenario_link(sc, i);
    Iface *a = node_iface(network_node(net, conf->ends[0].node), conf->ends[0].iface);
    Iface *b = node_iface(network_node(net, conf->ends[1].node), conf->ends[1].iface);
    g_ptr_array_add(net->links, link_new(conf, a, b, i));
  }
  return net;
}

void network_free(Network *net)
{
  if (!net)
    return;
  g_ptr_array_free(net->links, TRUE);
  g_ptr_array_free(net->nodes, TRUE);
  scheduler_free(net->sched);
  g_free(net->name);
  g_free(net->description);
  g_free(net);
}

/* Runs the network's events up to its stop time; returns the number executed. */
uint64_t network_run(Network *net)
{
  return scheduler_run(net->sched, net->stop);
}
