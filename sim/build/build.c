/*
 * The build step: a network from a validated scenario (see build.h), and
 * the output files its `output:` asks for. Routing protocols start once
 * the whole network exists: rip_new() and ospf_new() schedule their first
 * events themselves. The routers running OSPF share one OspfShared (LSA
 * contents shared between databases): each ospf_new() takes a reference,
 * and the builder drops its own once all hold one.
 *
 * The trace knows every app's flow (its protocol between the app's node
 * and its destination) to name them in DIR/trace.tags, and the filters
 * of output.trace.
 *
 * Entry points: build_network(), build_open_outputs().
 */
#include "sim/build/build.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "models/app/app.h"
#include "models/internet/ipv4.h"
#include "models/internet/ipv4_wire.h"
#include "models/internet/route_auto.h"
#include "models/link/vlan.h"
#include "models/link/stp.h"
#include "models/link/switch.h"
#include "models/observe/pcap_out.h"
#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "models/routing/routing.h"
#include "models/transport/tcp.h"

/* The interface configuration the scenario resolved for one interface. */
static IfaceConfig build_iface_config(const ScenarioIface *si)
{
  IfaceConfig c = {.name = si->name, .has_ip = si->has_ip, .ip = si->ip, .mtu = si->mtu, .queue = si->queue};
  memcpy(c.mac, si->mac, sizeof c.mac);
  return c;
}

/* IEEE 802.1Q: a switch port's mode and VLANs, a subinterface's parent
 * (once linked: a subinterface takes its parent's carrier). */
static void build_vlans(Node *node, const ScenarioNode *sn)
{
  for (guint i = 0; i < sn->ifaces->len; i++) {
    const ScenarioIface *si = &g_array_index(sn->ifaces, ScenarioIface, i);
    if (node->kind == NODE_KIND_SWITCH && (si->own.given & SCENARIO_GIVEN_VLAN_KEYS))
      vlan_port_configure(node_iface(node, i), &si->vlan);
    if (si->vlan_id)
      vlan_subif_attach(node_iface(node, i), node_iface(node, (guint)si->parent), si->vlan_id);
  }
}

static void build_nodes(Network *net, const Scenario *sc)
{
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *sn = scenario_node(sc, n);
    Node *node = node_new(net, sn->name, sn->kind, n);
    node->description = g_strdup(sn->description);
    for (guint i = 0; i < sn->ifaces->len; i++) {
      IfaceConfig c = build_iface_config(&g_array_index(sn->ifaces, ScenarioIface, i));
      node_add_iface(node, &c);
    }
    g_ptr_array_add(net->nodes, node);
  }
}

/* Links the interfaces and gives them the link's type. */
static void build_links(Network *net, const Scenario *sc)
{
  for (guint i = 0; i < sc->links->len; i++) {
    const ScenarioLink *conf = scenario_link(sc, i);
    Node *na = network_node(net, conf->ends[0].node), *nb = network_node(net, conf->ends[1].node);
    Iface *a = node_iface(na, conf->ends[0].iface), *b = node_iface(nb, conf->ends[1].iface);
    node_set_link_type(na, a, conf->params.type);
    node_set_link_type(nb, b, conf->params.type);
    g_ptr_array_add(net->links, link_new(&net->ctx, conf->name, &conf->params, a, b, i));
  }
}

/* The layers of every node, then its routes and TCP defaults. */
static void build_layers(Network *net, const Scenario *sc)
{
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *sn = scenario_node(sc, n);
    Node *node = network_node(net, n);
    node_add_layers(node, sn->aging);
    if (!node->ip)
      continue;
    node->ip->auto_routes = sn->routing == SCENARIO_ROUTING_AUTO;
    node->ip->default_ttl = sn->ttl;
    for (guint r = 0; r < sn->routes->len; r++) {
      const ScenarioRoute *sr = &g_array_index(sn->routes, ScenarioRoute, r);
      ipv4_add_static(node, sr->to, sr->via, sr->dev, sr->metric);
    }
    if (sn->gateway)
      ipv4_add_static(node, (Ipv4Prefix){0, 0}, sn->gateway, -1, 1);
    tcp_set_defaults(node, &sc->tcp);
  }
}

static gboolean build_has_auto_routing(const Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++)
    if (scenario_node(sc, i)->routing == SCENARIO_ROUTING_AUTO)
      return TRUE;
  return FALSE;
}

/* Starts the spanning tree of the switches that run one, RIP and OSPF on
 * the routers that run them (rip_new and ospf_new
 * set node->rip and node->ospf, and register their cleanup). */
static void build_protocols(Network *net, const Scenario *sc)
{
  OspfShared *shared = NULL;
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *sn = scenario_node(sc, n);
    Node *node = network_node(net, n);
    if (node->sw && sn->stp.mode != STP_MODE_OFF)
      switch_enable_stp(node->sw, &sn->stp);
    if (sn->routing == SCENARIO_ROUTING_RIP)
      rip_new(node, &sn->rip);
    else if (sn->routing == SCENARIO_ROUTING_OSPF) {
      if (!shared)
        shared = ospf_shared_new();
      ospf_new(node, &sn->ospf, shared);
    }
  }
  if (shared)
    ospf_shared_free(shared); /* a reference drop: every Ospf holds its own */
}

/* Builds the network a validated scenario describes, with its applications
 * and events scheduled; in real-time mode (`realtime:`) with its RtLoop in
 * net->ctx.rt, made first so that what the build makes can watch
 * descriptors. Never fails: the loader has checked everything that
 * could make it fail. `sc` must outlive the network (apps and events
 * borrow their configuration). */
Network *build_network(const Scenario *sc)
{
  Network *net = network_new(sc->name, sc->seed, sc->stop);
  net->description = g_strdup(sc->description);
  if (sc->realtime.on || scenario_emulates(sc)) {
    net->ctx.rt = rt_new(net->ctx.sched);
    rt_set_lag_limit(net->ctx.rt, sc->realtime.lag_limit);
    rt_set_low_latency(net->ctx.rt, sc->realtime.low_latency);
  }
  build_nodes(net, sc);
  build_links(net, sc);
  for (guint n = 0; n < sc->nodes->len; n++)
    build_vlans(network_node(net, n), scenario_node(sc, n));
  build_layers(net, sc);
  network_index_addresses(net);
  if (build_has_auto_routing(sc))
    net->route_auto = route_auto_new(net);
  build_protocols(net, sc);
  for (guint i = 0; i < sc->apps->len; i++)
    g_ptr_array_add(net->apps, app_new(net, scenario_app(sc, i), i));
  for (guint i = 0; i < net->apps->len; i++)
    app_schedule(g_ptr_array_index(net->apps, i));
  build_events_schedule(net, sc);
  return net;
}

/* A file name part from a node or interface name: characters that are not
 * safe in a path become '_'. */
static char *build_file_part(const char *name)
{
  char *part = g_strdup(name);
  for (char *c = part; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.')
      *c = '_';
  return part;
}

static gboolean build_open_pcap(Iface *iface, const char *dir, uint32_t snaplen, GError **error)
{
  if (iface->pcap)
    return TRUE;
  char *node = build_file_part(iface->node->name), *name = build_file_part(iface->name);
  char *file = g_strdup_printf("%s-%s.pcap", node, name);
  char *path = g_build_filename(dir, file, NULL);
  iface->pcap = pcap_out_open(path, snaplen, iface->ops->pcap_linktype, error);
  g_free(path);
  g_free(file);
  g_free(name);
  g_free(node);
  return iface->pcap != NULL;
}

static gboolean build_open_pcaps(Network *net, const ScenarioOutput *out, const char *dir, GError **error)
{
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; out->pcap_all && i < network_node(net, n)->ifaces->len; i++)
      if (!build_open_pcap(node_iface(network_node(net, n), i), dir, out->snaplen, error))
        return FALSE;
  for (guint t = 0; t < out->pcap->len; t++) {
    const ScenarioPcapTarget *target = &g_array_index(out->pcap, ScenarioPcapTarget, t);
    Node *node = network_node(net, (guint)target->node);
    for (guint i = 0; i < node->ifaces->len; i++)
      if ((target->iface < 0 || (guint)target->iface == i) &&
          !build_open_pcap(node_iface(node, i), dir, out->snaplen, error))
        return FALSE;
  }
  return TRUE;
}

/* Opens DIR/NAME into *f and writes its header line: tcp.csv for TCP's
 * time series (TCP writes a row per change, models/transport), queues.csv
 * for the interfaces' queues (models/link/iface.c). */
static gboolean build_open_csv(FILE **f, const char *dir, const char *name, const char *header, GError **error)
{
  char *path = g_build_filename(dir, name, NULL);
  *f = g_fopen(path, "w");
  if (!*f)
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path, g_strerror(errno));
  else
    fprintf(*f, "%s\n", header);
  g_free(path);
  return *f != NULL;
}

/* Opens DIR/routes.csv for the routing protocols' changes and writes its
 * header; routing_set() writes a row per change (models/routing). */
static gboolean build_open_routes(Network *net, const char *dir, GError **error)
{
  char *path = g_build_filename(dir, "routes.csv", NULL);
  net->ctx.routes_csv = g_fopen(path, "w");
  if (!net->ctx.routes_csv)
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path, g_strerror(errno));
  else
    routing_csv_header(net->ctx.routes_csv);
  g_free(path);
  return net->ctx.routes_csv != NULL;
}

/* The IP protocol of an app kind's packets. */
static uint8_t build_app_proto(const AppConfig *a)
{
  switch (a->kind) {
  case APP_PING:
    return IPPROTO_ICMP_NUM;
  case APP_TRACEROUTE:
    return a->icmp ? IPPROTO_ICMP_NUM : IPPROTO_UDP_NUM;
  case APP_UDP_CBR:
  case APP_UDP_SINK:
  case APP_UDP_ECHO:
  case APP_UDP_ECHO_SERVER:
  case APP_ONOFF:
    return IPPROTO_UDP_NUM;
  default:
    return IPPROTO_TCP_NUM;
  }
}

/* The flow of an app, for the trace: its protocol between its node's
 * addresses and its destination (any address for a server), the
 * destination port of udp-cbr, the port of udp-sink, the echo identifier
 * of ping and ICMP traceroute (set when they start). */
TraceFlow *build_app_flow(const Network *net, const AppConfig *a)
{
  gboolean server = a->kind == APP_UDP_SINK || a->kind == APP_UDP_ECHO_SERVER || a->kind == APP_BULK_SINK ||
                    a->kind == APP_HTTP_SERVER || a->kind == APP_FTP_SERVER;
  TraceFlow *f = trace_flow_new(a->name, build_app_proto(a), server ? 0 : a->dst);
  const Node *node = network_node(net, (guint)a->node);
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *iface = g_ptr_array_index(node->ifaces, i);
    if (iface->has_ip)
      g_array_append_val(f->addrs, iface->ip.addr);
  }
  f->waiting = f->proto == IPPROTO_ICMP_NUM; /* until it takes an echo identifier (trace_set_echo_id()) */
  if (a->kind == APP_UDP_CBR)
    f->peer_port = a->port;
  if (a->kind == APP_UDP_SINK)
    f->port = a->port;
  return f;
}

/* Sets the filters of `t` to those of sc's output.trace (a flow named by
 * an app of `sc` gets the app's flow), replacing any it had. */
void build_trace_filter_apply(Trace *t, const Network *net, const Scenario *sc)
{
  const ScenarioOutput *out = &sc->output;
  TraceFilter *f = &t->filter;
  g_strfreev(f->nodes);
  g_strfreev(f->ifaces);
  g_strfreev(f->protos);
  trace_flow_free(f->flow);
  f->flow = NULL;
  for (guint i = 0; i < sc->apps->len && out->trace_flow && !f->flow; i++)
    if (strcmp(out->trace_flow, scenario_app(sc, i)->name) == 0)
      f->flow = build_app_flow(net, scenario_app(sc, i));
  if (out->trace_flow && !f->flow)
    trace_flow_parse(out->trace_flow, &f->flow, NULL); /* checked by the scenario */
  f->nodes = g_strdupv(out->trace_nodes);
  f->ifaces = g_strdupv(out->trace_ifaces);
  f->protos = g_strdupv(out->trace_protos);
  f->packet = out->trace_packet;
  f->from = out->trace_from;
  f->to = out->trace_to;
  t->macs = out->trace_macs;
}

/* Gives the trace the apps' flows and the filters of output.trace. */
static void build_trace_filter(Network *net, const Scenario *sc)
{
  Trace *t = net->ctx.trace;
  for (guint i = 0; i < sc->apps->len; i++)
    trace_add_flow(t, build_app_flow(net, scenario_app(sc, i)));
  build_trace_filter_apply(t, net, sc);
}

/* Opens `name` in `dir` for writing; NULL after setting `error`. */
static FILE *build_open_file(const char *dir, const char *name, GError **error)
{
  char *path = g_build_filename(dir, name, NULL);
  FILE *f = g_fopen(path, "w");
  if (!f)
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path, g_strerror(errno));
  g_free(path);
  return f;
}

/* Opens the text trace, DIR/trace.txt and its tags DIR/trace.tags, or
 * standard output when `dir` is NULL and `to_stdout` allows it (no
 * tags), with its filters. */
static gboolean build_open_trace(Network *net, const Scenario *sc, const char *dir, gboolean to_stdout, GError **error)
{
  if (dir) {
    FILE *f = build_open_file(dir, "trace.txt", error);
    if (!f)
      return FALSE;
    net->ctx.trace = trace_new(f, TRUE, sc->output.trace);
  } else if (to_stdout) {
    net->ctx.trace = trace_new(stdout, FALSE, sc->output.trace);
  } else {
    return TRUE;
  }
  build_trace_filter(net, sc);
  FILE *tags = dir ? build_open_file(dir, "trace.tags", error) : NULL;
  if (tags)
    trace_set_tags(net->ctx.trace, tags);
  return !dir || tags;
}

/* Opens what the scenario's `output:` asks for: the text trace (DIR/trace.txt,
 * or standard output when `dir` is NULL and `to_stdout` allows it), a
 * pcap file per captured interface (DIR/<node>-<iface>.pcap; pcap needs a
 * directory), TCP's time series (DIR/tcp.csv with `tcp-series: true`),
 * the interfaces' queue lengths (DIR/queues.csv with `queues: true`)
 * and the routing protocols' changes (DIR/routes.csv with `routes`);
 * nothing of the last two without a directory. */
gboolean build_open_outputs(Network *net, const Scenario *sc, const char *dir, gboolean to_stdout, GError **error)
{
  const ScenarioOutput *out = &sc->output;
  gboolean pcap = out->pcap_all || out->pcap->len > 0;
  if (dir && (out->trace || pcap || out->tcp_series || out->queues || out->routes) &&
      g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create the output directory '%s': %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  if (out->trace && !build_open_trace(net, sc, dir, to_stdout, error))
    return FALSE;
  if (pcap && !dir) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "output.pcap needs a directory: give 'output: { dir: DIR }' or 'ipsim run --out DIR'");
    return FALSE;
  }
  if (pcap && !build_open_pcaps(net, out, dir, error))
    return FALSE;
  if (out->tcp_series && dir && !build_open_csv(&net->ctx.tcp_series, dir, "tcp.csv", BUILD_TCP_SERIES_HEADER, error))
    return FALSE;
  if (out->queues && dir && !build_open_csv(&net->ctx.queues_csv, dir, "queues.csv", BUILD_QUEUES_HEADER, error))
    return FALSE;
  return !(out->routes && dir) || build_open_routes(net, dir, error);
}
