/*
 * The story of one packet (`ipsim explain`): a recorder hooked to the
 * trace (Trace.hook) that follows the packet with one id through a run and
 * writes, as it happens, numbered plain sentences per node and layer of the
 * four-layer model: the send, the headers, each route lookup (the entry
 * that matched and the other candidates: longest prefix), ARP (a cache hit,
 * or the request the datagram waited for), the frame's addresses, each
 * switch's learn/forward/flood decision, each router's TTL and next hop,
 * queueing, serialization and propagation delays, then the delivery or the
 * drop with its reason. The facts come from the simulator's own state at
 * the moment of each event (routing tables, ARP caches, switch tables).
 *
 * Entry points: explain_new(); explain_select_ping() (follow the echo
 * request of one sequence number instead of a known id),
 * explain_select_app() and explain_app_sent() (another app's N-th packet
 * sent); explain_trace()
 * (the trace to put in the network's context before the run);
 * explain_found(), explain_last_id(); explain_finish() (the end, once the
 * run is over); explain_text(); explain_path() (the links and nodes it went
 * through, for a drawing); explain_free().
 */
#ifndef IPSIM_EXPLAIN_H
#define IPSIM_EXPLAIN_H

#include <stdint.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "models/observe/trace.h"
#include "viz/topology.h"

typedef struct Explain Explain;

Explain *explain_new(Network *net, uint64_t id);
void explain_select_ping(Explain *ex, const App *app, uint16_t seq);
void explain_select_app(Explain *ex, const App *app, TraceFlow *flow, int seq);
guint explain_app_sent(const Explain *ex);
Trace *explain_trace(Explain *ex);
gboolean explain_found(const Explain *ex);
uint64_t explain_last_id(const Explain *ex);
void explain_finish(Explain *ex, const char *file);
const char *explain_text(const Explain *ex);
VizHighlight explain_path(const Explain *ex);
void explain_free(Explain *ex);

#endif
