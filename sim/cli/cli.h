/*
 * The ipsim commands, each taking its own argv (argv[0] is the command's
 * name) and returning the process exit status.
 */
#ifndef IPSIM_CLI_H
#define IPSIM_CLI_H

#include "sim/scenario/scenario.h"
#include "sim/text/diag.h"

/* CLI_EXIT_USAGE also ends a real-time run past its lag limit; a real-time
 * run ended by a signal exits CLI_EXIT_SIGNAL + its number (130, 143). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_EXPECT = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_SIGNAL = 128 };

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_draw(int argc, char **argv);
int cli_cleanup(int argc, char **argv);
int cli_trace(int argc, char **argv);  /* cli_trace.c */
int cli_ladder(int argc, char **argv); /* cli_ladder.c */
int cli_plot(int argc, char **argv);   /* cli_plot.c */
int cli_grade(int argc, char **argv);
int cli_explain(int argc, char **argv); /* cli_explain.c */
int cli_shell(int argc, char **argv);   /* shell.c */

/* Shared by the commands (cli_commands.c): options, then operands; the
 * loader; writing an output file. */
gboolean cli_parse_options(const char *command, GOptionEntry *entries, int *argc, char ***argv);
gboolean cli_operands(const char *command, int argc, char **argv, int want);
Scenario *cli_load(const char *path, guint counts[2]);
gboolean cli_write_file(const char *command, const char *dir, const char *name, GString *text);

#endif
