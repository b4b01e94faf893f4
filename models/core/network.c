/*
 * The network: nodes, links, applications and timed events built from a
 * resolved scenario, the kernel objects that run them (scheduler, packet
 * pool), the outputs (trace, pcap), and lookups of addresses.
 *
 * Entry points: network_build(), network_open_outputs(), network_run(),
 * network_find_node_by_addr(), network_free().
 */
#include "models/core/network.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "models/app/app.h"
#include "models/internet/route_auto.h"
#include "models/observe/pcap_out.h"

/* The columns of tcp.csv; TCP writes the rows (README.md, "output"). */
#define NETWORK_TCP_SERIES_HEADER "time,node,local,remote,cwnd,ssthresh,srtt,rto,in_flight"

static void network_build_links(Network *net, const Scenario *sc)
{
  for (guint i = 0; i < sc->links->len; i++) {
    const ScenarioLink *conf = scenario_link(sc, i);
    Iface *a = node_iface(network_node(net, conf->ends[0].node), conf->ends[0].iface);
    Iface *b = node_iface(network_node(net, conf->ends[1].node), conf->ends[1].iface);
    g_ptr_array_add(net->links, link_new(net, conf, a, b, i));
  }
}

/* Indexes every interface address: address -> Iface*. */
static void network_index_addresses(Network *net)
{
  net->addr_index = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; i < network_node(net, n)->ifaces->len; i++) {
      Iface *iface = node_iface(network_node(net, n), i);
      if (iface->has_ip)
        g_hash_table_insert(net->addr_index, GUINT_TO_POINTER(iface->ip.addr), iface);
    }
}

static gboolean network_has_auto_routing(const Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++)
    if (scenario_node(sc, i)->routing == SCENARIO_ROUTING_AUTO)
      return TRUE;
  return FALSE;
}

/* Builds the network a validated scenario describes, with its applications
 * and events scheduled. Never fails: the loader has checked everything that
 * could make it fail. `sc` must outlive the network. */
Network *network_build(const Scenario *sc)
{
  Network *net = g_new0(Network, 1);
  net->name = g_strdup(sc->name);
  net->description = g_strdup(sc->description);
  net->sc = sc;
  net->seed = sc->seed;
  net->stop = sc->stop;
  net->sched = scheduler_new();
  net->pool = packet_pool_new();
  net->flows = flow_table_new();
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    net->drop_evidence[r] = g_ptr_array_new_with_free_func(g_free);
  net->nodes = g_ptr_array_new_full(sc->nodes->len, (GDestroyNotify)node_free);
  net->links = g_ptr_array_new_full(sc->links->len, (GDestroyNotify)link_free);
  net->apps = g_ptr_array_new_full(sc->apps->len, (GDestroyNotify)app_free);
  for (guint i = 0; i < sc->nodes->len; i++)
    g_ptr_array_add(net->nodes, node_new(net, scenario_node(sc, i), i));
  network_build_links(net, sc);
  network_index_addresses(net);
  if (network_has_auto_routing(sc))
    net->route_auto = route_auto_new(net);
  for (guint i = 0; i < sc->apps->len; i++)
    g_ptr_array_add(net->apps, app_new(net, scenario_app(sc, i)));
  for (guint i = 0; i < net->apps->len; i++)
    app_schedule(g_ptr_array_index(net->apps, i));
  network_events_schedule(net);
  return net;
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
  if (net->addr_index)
    g_hash_table_destroy(net->addr_index);
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    g_ptr_array_free(net->drop_evidence[r], TRUE);
  flow_table_free(net->flows);
  if (net->tcp_series)
    fclose(net->tcp_series);
  trace_free(net->trace);
  scheduler_free(net->sched);
  packet_pool_free(net->pool);
  g_free(net->name);
  g_free(net->description);
  g_free(net);
}

/* Runs the network's events up to its stop time; returns the number executed. */
uint64_t network_run(Network *net)
{
  return scheduler_run(net->sched, net->stop);
}

/* Returns the node holding `addr` (and its interface in *iface when
 * non-NULL), or NULL when no interface has that address. */
Node *network_find_node_by_addr(const Network *net, uint32_t addr, Iface **iface)
{
  Iface *found = g_hash_table_lookup(net->addr_index, GUINT_TO_POINTER(addr));
  if (iface)
    *iface = found;
  return found ? found->node : NULL;
}

/* A file name part from a node or interface name: characters that are not
 * safe in a path become '_'. */
static char *network_file_part(const char *name)
{
  char *part = g_strdup(name);
  for (char *c = part; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.')
      *c = '_';
  return part;
}

static gboolean network_open_pcap(Iface *iface, const char *dir, GError **error)
{
  if (iface->pcap)
    return TRUE;
  char *node = network_file_part(iface->node->name), *name = network_file_part(iface->name);
  char *file = g_strdup_printf("%s-%s.pcap", node, name);
  char *path = g_build_filename(dir, file, NULL);
  iface->pcap = pcap_out_open(path, iface->node->net->sc->output.snaplen, error);
  g_free(path);
  g_free(file);
  g_free(name);
  g_free(node);
  return iface->pcap != NULL;
}

static gboolean network_open_pcaps(Network *net, const char *dir, GError **error)
{
  const ScenarioOutput *out = &net->sc->output;
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; out->pcap_all && i < network_node(net, n)->ifaces->len; i++)
      if (!network_open_pcap(node_iface(network_node(net, n), i), dir, error))
        return FALSE;
  for (guint t = 0; t < out->pcap->len; t++) {
    const ScenarioPcapTarget *target = &g_array_index(out->pcap, ScenarioPcapTarget, t);
    Node *node = network_node(net, (guint)target->node);
    for (guint i = 0; i < node->ifaces->len; i++)
      if ((target->iface < 0 || (guint)target->iface == i) && !network_open_pcap(node_iface(node, i), dir, error))
        return FALSE;
  }
  return TRUE;
}

/* Opens DIR/tcp.csv for TCP's time series and writes its header; TCP
 * writes a row per change (models/transport). */
static gboolean network_open_tcp_series(Network *net, const char *dir, GError **error)
{
  char *path = g_build_filename(dir, "tcp.csv", NULL);
  net->tcp_series = g_fopen(path, "w");
  if (!net->tcp_series)
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path, g_strerror(errno));
  else
    fputs(NETWORK_TCP_SERIES_HEADER "\n", net->tcp_series);
  g_free(path);
  return net->tcp_series != NULL;
}

/* Opens what the scenario's `output:` asks for: the text trace (DIR/trace.txt,
 * or standard output when `dir` is NULL and `to_stdout` allows it), a
 * pcap file per captured interface (DIR/<node>-<iface>.pcap; pcap needs a
 * directory) and TCP's time series (DIR/tcp.csv with `tcp-series: true`;
 * nothing without a directory). */
gboolean network_open_outputs(Network *net, const char *dir, gboolean to_stdout, GError **error)
{
  const ScenarioOutput *out = &net->sc->output;
  gboolean pcap = out->pcap_all || out->pcap->len > 0;
  if (dir && (out->trace || pcap || out->tcp_series) && g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create the output directory '%s': %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  if (out->trace && dir) {
    char *path = g_build_filename(dir, "trace.txt", NULL);
    FILE *f = g_fopen(path, "w");
    if (!f)
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path,
                  g_strerror(errno));
    g_free(path);
    if (!f)
      return FALSE;
    net->trace = trace_new(f, TRUE, out->trace);
  } else if (out->trace && to_stdout) {
    net->trace = trace_new(stdout, FALSE, out->trace);
  }
  if (pcap && !dir) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "output.pcap needs a directory: give 'output: { dir: DIR }' or 'ipsim run --out DIR'");
    return FALSE;
  }
  if (pcap && !network_open_pcaps(net, dir, error))
    return FALSE;
  return !(out->tcp_series && dir) || network_open_tcp_series(net, dir, error);
}
