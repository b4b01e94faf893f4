/*
 * What a run counted, for people and for programs: per node and
 * interface, packets and bytes sent and received and drops by reason; per
 * flow, what the source sent and the destination received. As text for
 * the run summary, and as JSON (two-space indentation, keys in a fixed
 * order, only non-zero drop reasons, in enum order) for the output
 * directory. Everything is printed in the network's order (nodes and
 * interfaces in file order, flows by key), so runs compare byte for byte.
 *
 * Entry points: report_counters_text(), report_counters_json(),
 * report_flows_text(), report_flows_json().
 */
#ifndef IPSIM_REPORT_H
#define IPSIM_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "models/network.h"

void report_counters_text(const Network *net, FILE *out);
GString *report_counters_json(const Network *net);
void report_flows_text(const Network *net, FILE *out);
GString *report_flows_json(const Network *net);

#endif
