/*
 * The filters of `ipsim trace` (cli_trace.c), as its options give them:
 * parsed by cli_trace_options(), which the shell's `trace on` uses too.
 *
 * Entry points: cli_trace_options(), cli_trace_filter_clear().
 */
#ifndef IPSIM_CLI_TRACE_H
#define IPSIM_CLI_TRACE_H

#include <glib.h>

#include "models/observe/trace.h"

typedef struct {
  char **nodes;     /* --node, NULL-terminated; NULL: any */
  char **ifaces;    /* --iface as "node:iface" */
  char **protos;    /* --proto, lowercase */
  char **layers;    /* --layer */
  char *flow;       /* --flow: an app's name or a 5-tuple; NULL: any */
  TraceFlow *tuple; /* --flow's 5-tuple, owned; NULL when a name */
  gboolean macs;    /* -e */
  gint64 packet;    /* 0: any */
  SimTime from;     /* -1: from the start */
  SimTime to;       /* -1: to the end */
} CliTraceFilter;

#define CLI_TRACE_FILTER_INIT                                                                                          \
  {                                                                                                                    \
    NULL, NULL, NULL, NULL, NULL, NULL, FALSE, 0, -1, -1                                                               \
  }

gboolean cli_trace_options(CliTraceFilter *f, char **from, char **to, int *argc, char ***argv, GError **error);
void cli_trace_filter_clear(CliTraceFilter *f);

#endif
