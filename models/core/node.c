/*
 * Nodes: hosts, switches and routers with their interfaces and per-layer
 * state, and the one door every dropped packet goes through.
 *
 * Entry points: node_new(), node_drop(), node_counters_total(),
 * node_find_iface(), node_free().
 */
#include "models/core/node.h"

#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/transport/tcp.h"
#include "models/transport/udp.h"
#include "models/link/arp.h"
#include "models/link/switch.h"
#include "models/core/network.h"

/* Creates the node `conf` describes, with its interfaces (not yet linked)
 * and the state of its layers: a learning bridge on switches; ARP on every
 * interface, IPv4, ICMP, UDP and TCP on hosts and routers. */
Node *node_new(Network *net, const ScenarioNode *conf, guint index)
{
  Node *node = g_new0(Node, 1);
  node->name = g_strdup(conf->name);
  node->kind = conf->kind;
  node->description = g_strdup(conf->description);
  node->index = index;
  node->net = net;
  node->ifaces = g_ptr_array_new_with_free_func((GDestroyNotify)iface_free);
  for (guint i = 0; i < conf->ifaces->len; i++)
    g_ptr_array_add(node->ifaces, iface_new(node, &g_array_index(conf->ifaces, ScenarioIface, i), i));
  if (node->kind == NODE_KIND_SWITCH) {
    node->sw = switch_new(node, conf->aging);
    return node;
  }
  for (guint i = 0; i < node->ifaces->len; i++)
    node_iface(node, i)->arp = arp_cache_new(node_iface(node, i));
  node->icmp = icmp_listeners_new();
  node->udp = udp_ports_new();
  node->ip = ipv4_new(node, conf);
  node->tcp = tcp_stack_new(node);
  return node;
}

void node_free(Node *node)
{
  if (!node)
    return;
  tcp_stack_free(node->tcp);
  ipv4_free(node->ip);
  udp_ports_free(node->udp);
  icmp_listeners_free(node->icmp);
  switch_free(node->sw);
  for (guint i = 0; i < node->ifaces->len; i++)
    arp_cache_free(node_iface(node, i)->arp);
  g_ptr_array_free(node->ifaces, TRUE);
  g_free(node->name);
  g_free(node->description);
  g_free(node);
}

/* Returns the interface called `name`, or NULL. */
Iface *node_find_iface(const Node *node, const char *name)
{
  for (guint i = 0; i < node->ifaces->len; i++)
    if (g_str_equal(node_iface(node, i)->name, name))
      return node_iface(node, i);
  return NULL;
}

/* Keeps the first few drops of each reason, and the first few losses of
 * each flow (`lost`, may be NULL), as trace lines: the evidence an
 * `expect:` failure shows. Formats only those few, so a storm of drops
 * costs nothing more. */
static void node_keep_evidence(Node *node, Iface *iface, const Packet *p, DropReason reason, TraceFrom from, Flow *lost)
{
  Network *net = node->net;
  GPtrArray *kept = net->drop_evidence[reason];
  gboolean for_flow = lost && flow_wants_drop_line(lost);
  if (kept->len >= NETWORK_DROP_EVIDENCE && !for_flow)
    return;
  GString *line = g_string_new(NULL);
  trace_format_line(line, network_now(net), node, iface, TRACE_DROP, from, p->data, p->len, drop_reason_name(reason));
  if (for_flow)
    flow_keep_drop_line(lost, g_strdup(line->str));
  if (kept->len < NETWORK_DROP_EVIDENCE)
    g_ptr_array_add(kept, g_string_free(line, FALSE));
  else
    g_string_free(line, TRUE);
}

/* Drops `p` at `node` (on `iface` when the drop belongs to an interface):
 * counts it, keeps early drops as evidence, traces it at `layer`, frees it.
 * `from` tells where the packet's bytes start. Takes ownership of `p`. */
void node_drop(Node *node, Iface *iface, Packet *p, DropReason reason, TraceLayer layer, TraceFrom from)
{
  Counters *c = iface ? &iface->counters : &node->counters;
  c->drops[reason]++;
  /* a loss of the packet's flow, when the reason is one (models/observe/flow.c) */
  node_keep_evidence(node, iface, p, reason, from, flow_dropped(p, reason));
  if (trace_wants(node->net->trace, layer))
    trace_packet(node->net->trace, network_now(node->net), node, iface, TRACE_DROP, from, p, drop_reason_name(reason));
  packet_free(p);
}

static void counters_add(Counters *sum, const Counters *c)
{
  sum->tx_packets += c->tx_packets;
  sum->tx_bytes += c->tx_bytes;
  sum->rx_packets += c->rx_packets;
  sum->rx_bytes += c->rx_bytes;
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    sum->drops[r] += c->drops[r];
}

/* Sums the counters of the node's interfaces and its own into `total`. */
void node_counters_total(const Node *node, Counters *total)
{
  *total = node->counters;
  for (guint i = 0; i < node->ifaces->len; i++)
    counters_add(total, &node_iface(node, i)->counters);
}
