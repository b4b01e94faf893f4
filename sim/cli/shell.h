/*
 * The state of `ipsim shell` (shell.c) shared with its line reader
 * (shell_read.c): the live network and where the shell prints.
 *
 * Entry points: shell_execute() (one command line), shell_command_name()
 * (the command words, for completion), shell_loop() (reads and runs lines
 * until quit or end of input).
 */
#ifndef IPSIM_SHELL_H
#define IPSIM_SHELL_H

#include <stdio.h>

#include "models/core/network.h"
#include "sim/scenario/scenario.h"

typedef struct {
  Scenario *sc;    /* not owned */
  Network *net;    /* owned */
  Trace *trace;    /* owned: net->ctx.trace points to it while `trace on` */
  FILE *out;       /* standard output */
  char *node_list; /* "h1, r1, r2", for errors */
  gboolean quit;
} Shell;

void shell_execute(Shell *sh, const char *line);
const char *shell_command_name(guint i);
gboolean shell_loop(Shell *sh, const char *script);

#endif
