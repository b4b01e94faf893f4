/*
 * Why a packet was dropped, in plain words, for `ipsim explain` and the
 * shell's `why ID`: one sentence per drop reason of models/core/drop.h
 * (a table indexed by DropReason), with the specifics read from the
 * dropped packet's bytes and from the simulator's state at the moment of
 * the drop (the routing table, the queue and its limit, the link and
 * since when it is down, its loss rate and random stream, the ports bound,
 * the checksum found and the one expected, ...). With no packet bytes
 * (ExplainDrop.p NULL) each reason still has its general sentence.
 *
 * Entry points: explain_drop_words() (the sentence), explain_drop_known()
 * (does the table have the reason: tests/explain iterates over them all);
 * explain_append_route(), explain_append_table() (a route and a node's
 * table in words, shared with explain.c).
 */
#ifndef IPSIM_EXPLAIN_DROP_H
#define IPSIM_EXPLAIN_DROP_H

#include "models/core/drop.h"
#include "models/core/node.h"
#include "models/internet/route.h"
#include "models/observe/trace.h"

typedef struct {
  const Node *node;   /* where it was dropped */
  const Iface *iface; /* the interface of the drop, or NULL */
  const Packet *p;    /* the packet dropped, or NULL: nothing known of its bytes */
  TraceFrom from;     /* where the packet's traced bytes start */
  SimTime now;
  uint32_t next_hop; /* arp-failed: the address asked for (0: not known) */
} ExplainDrop;

char *explain_drop_words(DropReason reason, const ExplainDrop *d);
gboolean explain_drop_known(DropReason reason);
void explain_append_route(GString *out, const Route *r);
void explain_append_table(GString *out, const Node *node);

#endif
