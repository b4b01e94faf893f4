/*
 * Nodes: hosts, switches, hubs and routers with their interfaces and per-layer
 * state, and the one door every dropped packet goes through.
 *
 * Entry points: node_new(), node_add_iface(), node_set_link_type(),
 * node_add_layers(); node_drop(), node_counters_total(),
 * node_find_iface(), node_free().
 */
#include "models/core/node.h"

#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/transport/tcp.h"
#include "models/transport/udp.h"
#include "models/link/arp.h"
#include "models/link/ethernet.h"
#include "models/link/ppp.h"
#include "models/link/hub.h"
#include "models/link/switch.h"
#include "models/link/tap.h"
#include "models/core/network.h"

/* Creates a node without interfaces or layers: node_add_iface() for each
 * interface, then node_add_layers(). */
Node *node_new(Network *net, const char *name, NodeKind kind, guint index)
{
  Node *node = g_new0(Node, 1);
  node->name = g_strdup(name);
  node->kind = kind;
  node->index = index;
  node->net = net;
  node->ctx = &net->ctx;
  node->ifaces = g_ptr_array_new_with_free_func((GDestroyNotify)iface_free);
  return node;
}

/* Adds the interface `conf` describes (not yet linked), of the node's
 * Ethernet type: a bridge port on switches, a hub port on hubs, Ethernet
 * with ARP elsewhere. */
Iface *node_add_iface(Node *node, const IfaceConfig *conf)
{
  Iface *iface = iface_new(node, conf, node->ifaces->len);
  iface->ops = node->kind == NODE_KIND_SWITCH  ? &switch_port_ops
               : node->kind == NODE_KIND_HUB   ? &hub_port_ops
               : node->kind == NODE_KIND_LINUX ? &tap_iface_ops
                                               : &ethernet_iface_ops;
  g_ptr_array_add(node->ifaces, iface);
  return iface;
}

/* Gives `iface` the interface type of a link of `type`, before
 * node_add_layers(). A switch's ports stay bridge ports (the loader
 * allows switches on Ethernet links only). */
void node_set_link_type(Node *node, Iface *iface, LinkType type)
{
  g_return_if_fail(type == LINK_ETHERNET || !node_kind_is_l2(node->kind));
  if (type == LINK_PPP && !node_kind_is_l2(node->kind))
    iface->ops = &ppp_iface_ops;
}

/* Creates the state of the node's layers, once its interfaces exist and
 * have their types: a learning bridge (aging `aging`) on switches; ARP on
 * every Ethernet interface, IPv4, ICMP, UDP and TCP on hosts and routers. */
void node_add_layers(Node *node, SimTime aging)
{
  if (node->kind == NODE_KIND_SWITCH) {
    node->sw = switch_new(node, aging);
    return;
  }
  if (node->kind == NODE_KIND_HUB) {
    node->hub = hub_new(node);
    return;
  }
  if (node->kind == NODE_KIND_LINUX)
    return; /* the kernel's stack, not ours */
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->ops->output == arp_output) /* Ethernet, and VLAN subinterfaces */
      node_iface(node, i)->arp = arp_cache_new(node_iface(node, i));
  node->icmp = icmp_listeners_new();
  node->udp = udp_ports_new();
  node->ip = ipv4_new(node);
  node->tcp = tcp_stack_new(node);
}

typedef struct {
  GDestroyNotify fn;
  gpointer data;
} NodeCleanup;

/* Has node_free() call fn(data) first, before the node's layers are freed
 * (in the reverse order of registration). */
void node_add_cleanup(Node *node, GDestroyNotify fn, gpointer data)
{
  NodeCleanup c = {fn, data};
  if (!node->cleanups)
    node->cleanups = g_array_new(FALSE, FALSE, sizeof(NodeCleanup));
  g_array_append_val(node->cleanups, c);
}

static void node_run_cleanups(Node *node)
{
  if (!node->cleanups)
    return;
  for (guint i = node->cleanups->len; i-- > 0;) {
    NodeCleanup *c = &g_array_index(node->cleanups, NodeCleanup, i);
    c->fn(c->data);
  }
  g_array_free(node->cleanups, TRUE);
  node->cleanups = NULL;
}

/* Takes the node down or brings it up (an event): down, every link of it
 * loses its carrier (link_refresh()), so its neighbours see their
 * interfaces go down on point-to-point links and see nothing on switched
 * segments (they learn of it from their protocols' timers); up, the links
 * that are up themselves come back. The layers above hear of it through
 * the interface listeners, with node->down telling why. */
void node_set_up(Node *node, gboolean up)
{
  if (node->down == !up)
    return;
  node->down = !up;
  if (trace_wants(node->ctx->trace, TRACE_LINK))
    trace_note(node->ctx->trace, TRACE_LINK, sim_now(node->ctx), node, NULL, up ? "node up" : "node down");
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->link)
      link_refresh(node_iface(node, i)->link);
}

void node_free(Node *node)
{
  if (!node)
    return;
  node_run_cleanups(node);
  tcp_stack_free(node->tcp);
  ipv4_free(node->ip);
  udp_ports_free(node->udp);
  icmp_listeners_free(node->icmp);
  switch_free(node->sw);
  hub_free(node->hub);
  for (guint i = 0; i < node->ifaces->len; i++)
    arp_cache_free(node_iface(node, i)->arp);
  g_ptr_array_free(node->ifaces, TRUE);
  if (node->iface_listeners)
    g_array_free(node->iface_listeners, TRUE);
  g_free(node->name);
  g_free(node->description);
  g_free(node);
}

/* The kinds' names in scenario files and outputs, in NodeKind order. */
const char *const node_kind_names[NODE_KIND_COUNT] = {"host", "switch", "router", "linux", "hub"};

const char *node_kind_name(NodeKind kind)
{
  return node_kind_names[kind];
}

/* Returns the interface called `name`, or NULL. */
Iface *node_find_iface(const Node *node, const char *name)
{
  for (guint i = 0; i < node->ifaces->len; i++)
    if (g_str_equal(node_iface(node, i)->name, name))
      return node_iface(node, i);
  return NULL;
}

/* Puts the packet's id after the verb of the drop line `line`, as the
 * trace has it ("drop #12 IPv4 ..."), so that `ipsim explain --packet 12`
 * and the shell's `why 12` tell the evidence's story. */
static void node_evidence_id(GString *line, const Packet *p)
{
  const char *verb = strstr(line->str, " drop ");
  if (!verb)
    return;
  GString *id = g_string_new(NULL);
  trace_format_id(id, p);
  g_string_insert(line, verb - line->str + 6, id->str);
  g_string_free(id, TRUE);
}

/* Keeps the first few drops of each reason, and the first few losses of
 * each flow (`lost`, may be NULL), as trace lines: the evidence an
 * `expect:` failure shows, with their packet ids. Formats only those
 * few, so a storm of drops costs nothing more. */
static void node_keep_evidence(Node *node, Iface *iface, const Packet *p, DropReason reason, TraceFrom from, Flow *lost)
{
  Network *net = node->net;
  GPtrArray *kept = net->drop_evidence[reason];
  gboolean for_flow = lost && flow_wants_drop_line(lost);
  if (kept->len >= NETWORK_DROP_EVIDENCE && !for_flow)
    return;
  GString *line = g_string_new(NULL);
  size_t len = 0;
  const uint8_t *d = trace_packet_bytes(p, from, &len);
  trace_format_line(line, network_now(net), node, iface, TRACE_DROP, from, d, len, drop_reason_name(reason));
  node_evidence_id(line, p);
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
  node_keep_evidence(node, iface, p, reason, from, flow_dropped(node->ctx->flows, p, reason));
  if (trace_wants(node->ctx->trace, layer))
    trace_packet(node->ctx->trace, layer, sim_now(node->ctx), node, iface, TRACE_DROP, from, p,
                 drop_reason_name(reason));
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
