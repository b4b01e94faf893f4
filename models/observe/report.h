/*
 * What a run counted, for people and for programs: per node and
 * interface, packets and bytes sent and received and drops by reason; per
 * flow, what the source sent and received, lost, retransmitted, goodput,
 * delay and jitter. As text for the run summary, as JSON (two-space
 * indentation, keys in a fixed order, only non-zero drop reasons, in enum
 * order) and, for flows, CSV for the output directory. Everything is printed in the network's order (nodes and
 * interfaces in file order, flows by key), so runs compare byte for byte.
 *
 * Entry points: report_counters_text(), report_counters_json(),
 * report_flows_text(), report_flows_json(), report_flows_csv(),
 * report_throughput_csv() (the flows' bytes per 10 ms over time);
 * report_routing() (the routing protocols' totals), report_routing_text(),
 * report_routing_json(); report_realtime_text() and report_realtime_json()
 * (how late events ran, in real-time mode only).
 */
#ifndef IPSIM_REPORT_H
#define IPSIM_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "models/core/network.h"

void report_counters_text(const Network *net, FILE *out);
GString *report_counters_json(const Network *net);
void report_flows_text(const Network *net, FILE *out);
GString *report_flows_json(const Network *net);
GString *report_flows_csv(const Network *net);
/* Each flow's bytes per FLOW_BIN (10 ms) of the run, as CSV: a header
 * line (REPORT_THROUGHPUT_CSV_HEADER), then a line per flow and bin with
 * bytes, flows by key, bins by time. */
GString *report_throughput_csv(const Network *net);

/* What the routing protocols did in a run. */
typedef struct {
  guint rip_routers, ospf_routers;
  uint64_t rip_packets, ospf_packets; /* sent, by every router */
  uint64_t route_changes;             /* of protocols' routes (routing_set()) */
  SimTime last_route_change;          /* -1: none */
} ReportRouting;

void report_routing(const Network *net, ReportRouting *r);
void report_routing_text(const Network *net, FILE *out);
void report_routing_json(const Network *net, GString *json);
void report_realtime_text(const Network *net, FILE *out);
void report_realtime_json(const Network *net, GString *json);

/* The first line of flows.csv. */
#define REPORT_FLOWS_CSV_HEADER                                                                                        \
  "proto,src,sport,dst,dport,tx_packets,tx_bytes,rx_packets,rx_bytes,lost_packets,retransmitted,goodput_bps,"          \
  "delay_mean_s,delay_max_s,jitter_mean_s"
#define REPORT_THROUGHPUT_CSV_HEADER "time_s,proto,src,sport,dst,dport,rx_bytes,goodput_bytes"

#endif
