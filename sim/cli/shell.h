/*
 * The state of `ipsim shell` (shell.c) shared with its line reader
 * (shell_read.c): the live network and where the shell prints.
 *
 * Entry points: shell_execute() (one command line), shell_command_name()
 * (the command words, for completion), shell_loop() (reads and runs lines
 * until quit or end of input); shell_ping(), shell_pingall() (shell_apps.c).
 */
#ifndef IPSIM_SHELL_H
#define IPSIM_SHELL_H

#include <stdio.h>

#include "models/core/network.h"
#include "sim/scenario/scenario.h"

typedef struct {
  Scenario *sc;           /* not owned */
  Network *net;           /* owned */
  Trace *trace;           /* owned: net->ctx.trace points to it while `trace on` */
  Trace *packets;         /* owned: the packet layers only, net->ctx.trace during a `next` with the trace off */
  uint64_t seen;          /* packet events the traces' hook saw (for `next`) */
  FILE *out;              /* standard output */
  char *node_list;        /* "h1, r1, r2", for errors */
  GPtrArray *confs;       /* of AppConfig*, owned: the apps the shell started (each App points to its own) */
  GPtrArray *events_done; /* of char*, owned: the shell's link events, as YAML flow items (for save) */
  GPtrArray *apps_done;   /* of char*, owned: the apps it started, the same */
  GPtrArray *loaded;      /* of Scenario*, owned: the sessions loaded for `start` (their apps' AppConfig) */
  gboolean quit;
} Shell;

void shell_error(Shell *sh, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void shell_print_time(Shell *sh);
Node *shell_node(Shell *sh, const char *name);
/* shell_apps.c */
void shell_ping(Shell *sh, int argc, char **argv);
void shell_pingall(Shell *sh, int argc, char **argv);
void shell_confs_free(GPtrArray *confs);
/* shell_save.c */
void shell_record_event(Shell *sh, char *item);
void shell_record_app(Shell *sh, char *item);
void shell_save(Shell *sh, int argc, char **argv);
GString *shell_session_text(Shell *sh);
/* shell_explain.c */
void shell_explain(Shell *sh, int argc, char **argv);
/* shell_expect.c */
void shell_expect(Shell *sh, const char *item);
typedef struct {
  const char *key;   /* the top-level key replaced, or NULL: none */
  const char *block; /* its new text, "key: ..." */
  const char *what;  /* the command, for errors: "error: WHAT: ..." */
  const char *item;  /* the user's text in the loaded data, for an error's column; NULL: none */
  int col;           /* the column of `item` on the shell's line */
} ShellVariant;
Scenario *shell_load_variant(Shell *sh, const ShellVariant *v);
/* shell_trace.c */
void shell_trace(Shell *sh, int argc, char **argv);
/* shell_start.c */
gboolean shell_start_kind(const char *word);
void shell_start_words(Shell *sh, int argc, char **argv);
void shell_start(Shell *sh, const char *item);

void shell_execute(Shell *sh, const char *line);
const char *shell_command_name(guint i);
gboolean shell_loop(Shell *sh, const char *script);

#endif
