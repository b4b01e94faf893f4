/*
 * The build step (ns-3's "helper" tier): a network from a validated
 * scenario, with its applications, events and outputs. The scenario holds
 * the models' own configuration (LinkConfig, IfaceConfig fields, TcpConfig,
 * AppConfig); the builder hands each model its part, in the order the
 * models need: nodes and their interfaces, links (which give interfaces
 * their type), the layers, routes, apps, events.
 *
 * Entry points: build_network(); build_open_outputs() (trace, pcap and
 * series files); then network_run() and network_free() (models/core);
 * build_trace_filter_apply() (output.trace's filters on a trace, also for
 * the shell's `trace on`); build_app_flow() (an app's flow, for the trace
 * and for `ipsim explain --app`).
 */
#ifndef IPSIM_BUILD_H
#define IPSIM_BUILD_H

#include "models/core/network.h"
#include "sim/scenario/scenario.h"

/* The columns of tcp.csv; TCP writes the rows (doc/outputs.md). */
#define BUILD_TCP_SERIES_HEADER "time,node,local,remote,cwnd,ssthresh,srtt,rto,in_flight"
/* queues.csv: a row per change of an interface's transmit queue (frames and bytes waiting). */
#define BUILD_QUEUES_HEADER "time,node,iface,packets,bytes"

Network *build_network(const Scenario *sc);
gboolean build_open_outputs(Network *net, const Scenario *sc, const char *dir, gboolean to_stdout, GError **error);
void build_events_schedule(Network *net, const Scenario *sc);
void build_trace_filter_apply(Trace *t, const Network *net, const Scenario *sc);
TraceFlow *build_app_flow(const Network *net, const AppConfig *a);

#endif
