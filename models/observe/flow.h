/*
 * Flow accounting: per unidirectional UDP or TCP 5-tuple, packets and
 * bytes sent by the source's transport layer and delivered by the
 * destination's, losses (counted at the drop, through the flow pointer
 * each packet carries), TCP retransmissions, goodput, one-way delay and
 * jitter. Counted at the two ends only, never per hop.
 *
 * Entry points: flow_table_new(); flow_sent() and flow_delivered() (from
 * the transport layer); flow_find(); flow_table_free().
 */
#ifndef IPSIM_FLOW_H
#define IPSIM_FLOW_H

#include <glib.h>
#include <stdint.h>

#include "models/core/drop.h"
#include "sim/kernel/packet.h"
#include "sim/kernel/simtime.h"

typedef struct {
  uint32_t src, dst; /* host byte order */
  uint16_t sport, dport;
  uint8_t proto;
} FlowKey;

/* The bytes of a flow in one FLOW_BIN of the run (bin k: from k x
 * FLOW_BIN to (k + 1) x FLOW_BIN), for throughput over time. */
typedef struct {
  uint32_t bin;
  uint64_t rx_bytes;      /* accepted by the destination's transport layer */
  uint64_t goodput_bytes; /* handed to the application */
} FlowBin;

#define FLOW_BIN SIMTIME_MS(10)

typedef struct {
  FlowKey key;
  uint32_t id;                   /* 1, 2, ... in order of creation; packets carry it */
  uint64_t tx_packets, tx_bytes; /* sent by the source's transport layer (TCP: retransmissions too) */
  uint64_t rx_packets, rx_bytes; /* accepted by the destination's transport layer (TCP: duplicates too) */
  uint64_t lost_packets;         /* dropped in the network, counted where the drop happened */
  uint64_t retransmitted;        /* TCP: segments sent again (timeout or fast retransmit) */
  uint64_t goodput_bytes;        /* handed to the application, in order and once (UDP: rx_bytes) */
  SimTime first_tx, last_rx;     /* -1 until a packet was sent / delivered */
  SimTime last_goodput;          /* -1 until goodput bytes were delivered */
  SimTime delay_sum, delay_max;  /* one-way, from the sender's transport to the receiver's */
  SimTime jitter_sum;            /* sum of |delay(i) - delay(i-1)| (as ns-3 FlowMonitor) */
  SimTime last_delay;            /* -1 before the first delivery */
  GPtrArray *drop_lines;         /* of char*: the first FLOW_DROP_LINES losses, as trace lines, in time order; NULL
                                    before the first */
  GArray *bins;                  /* of FlowBin, by time, the bins with bytes only; NULL before the first */
  SimTime bin_start;             /* where the time of the last of `bins` starts */
} Flow;

#define FLOW_DROP_LINES 5

typedef struct FlowTable FlowTable;

FlowTable *flow_table_new(void);
void flow_table_free(FlowTable *ft);

/* The sender's transport layer counts packet `p` (`bytes` payload bytes)
 * in the flow `key`, created if new, and stamps p (p->stamp = now,
 * p->flow = the flow's id). Returns the flow, which stays valid until
 * flow_table_free(): a connection may keep it and call flow_sent_on(),
 * which skips the lookup. */
Flow *flow_sent(FlowTable *ft, const FlowKey *key, Packet *p, size_t bytes, SimTime now);
void flow_sent_on(Flow *f, Packet *p, size_t bytes, SimTime now);
/* TCP: the packet just counted on `f` was a retransmission. */
void flow_retransmitted(Flow *f);
/* The receiver's transport layer accepted `p` (`bytes` payload bytes; its
 * checksum verified): counts it on p->flow when set (else on the flow of
 * `key`, created if new) with its delay from p->stamp. Returns the flow. */
Flow *flow_delivered(FlowTable *ft, const FlowKey *key, const Packet *p, size_t bytes, SimTime now);
/* `bytes` of the flow reached the application in order (TCP; UDP counts
 * rx_bytes as goodput itself). */
void flow_goodput(Flow *f, size_t bytes, SimTime now);
/* A packet was dropped in the network (node_drop): counts a loss on its
 * flow, if it has one. */
void flow_lost(FlowTable *ft, const Packet *p);
Flow *flow_by_id(const FlowTable *ft, uint32_t id);
/* node_drop() dropped `p` for `reason`: flow_lost(p) when the reason is a
 * loss of the packet (not a filter's discard of a flooded copy, nor a
 * TCP endpoint's discard of a segment it had accepted); see flow.c. */
Flow *flow_dropped(FlowTable *ft, const Packet *p, DropReason reason); /* the flow that lost `p`, or NULL */
/* Whether the flow keeps the line of one more loss, and keeping it (takes `line`). */
gboolean flow_wants_drop_line(const Flow *f);
void flow_keep_drop_line(Flow *f, char *line);
const Flow *flow_find(const FlowTable *ft, const FlowKey *key);
GPtrArray *flow_table_sorted(const FlowTable *ft); /* of const Flow*, by key; g_ptr_array_unref */

#endif
