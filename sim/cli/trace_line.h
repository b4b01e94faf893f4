/*
 * One line of a run's text trace (doc/outputs.md, "The text trace") cut
 * into its fields, for the commands that read DIR/trace.txt back: `ipsim
 * trace` (cli_trace.c) and `ipsim ladder` (ladder_build.c).
 *
 * Entry points: trace_line_time(), trace_line_split(), trace_line_packet().
 */
#ifndef IPSIM_CLI_TRACE_LINE_H
#define IPSIM_CLI_TRACE_LINE_H

#include <glib.h>

#include "sim/kernel/simtime.h"

/* A line's fields: its time, and where its node, interface, verb and the
 * rest start (pointers into a copy cut at the spaces). */
typedef struct {
  SimTime time;
  char *node, *iface, *verb, *rest;
} TraceLine;

/* What follows the verb of a line about a packet: `#ID`, the notes in
 * parentheses, then the headers (a pointer into the line's rest). */
typedef struct {
  gint64 id;
  gint64 parent;       /* the #P of "(frag of #P)", "(error about #P)"...; 0 */
  gboolean retransmit; /* "(retransmit)" or "(retransmit of #P)" */
  gboolean fragment;   /* "(frag of #P)": a fragment of datagram #P */
  const char *headers; /* "IPv4 10.0.0.1 > ..." */
} TracePacket;

/* Reads "<seconds>.<nine digits>" into ns; FALSE if it is not a time. */
gboolean trace_line_time(const char *text, SimTime *out);
/* Splits `copy` (a line, modified) into its fields; FALSE for a line of
 * another shape. */
gboolean trace_line_split(char *copy, TraceLine *l);
/* Reads the packet id and notes at the start of `rest`; FALSE when the
 * line is about no packet (a note). */
gboolean trace_line_packet(const char *rest, TracePacket *p);

#endif
