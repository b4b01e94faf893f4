/*
 * Flow accounting: per UDP 5-tuple (and later TCP), packets and bytes sent
 * by the source's transport layer and delivered by the destination's, with
 * delay statistics. Counted at the two ends only, never per hop.
 *
 * Entry points: flow_table_new(); flow_sent() and flow_delivered() (from
 * the transport layer); flow_find(); flow_table_free().
 */
#ifndef IPSIM_FLOW_H
#define IPSIM_FLOW_H

#include <glib.h>
#include <stdint.h>

#include "sim/simtime.h"

typedef struct {
  uint32_t src, dst; /* host byte order */
  uint16_t sport, dport;
  uint8_t proto;
} FlowKey;

typedef struct {
  FlowKey key;
  uint64_t tx_packets, tx_bytes;
  uint64_t rx_packets, rx_bytes;
  SimTime first_tx, last_rx; /* -1 until a packet was sent / delivered */
} Flow;

typedef struct FlowTable FlowTable;

FlowTable *flow_table_new(void);
void flow_table_free(FlowTable *ft);
Flow *flow_sent(FlowTable *ft, const FlowKey *key, size_t bytes, SimTime now);
void flow_delivered(FlowTable *ft, const FlowKey *key, size_t bytes, SimTime now);
const Flow *flow_find(const FlowTable *ft, const FlowKey *key);
GPtrArray *flow_table_sorted(const FlowTable *ft); /* of const Flow*, by key; g_ptr_array_unref */

#endif
