/*
 * The line reader of `ipsim shell`: from a terminal, libedit's readline
 * interface (line editing, history, tab completion of the command words
 * and the node names: a well-kept library instead of our own); from
 * --script FILE or a standard input that is not a terminal, plain lines,
 * each echoed after the prompt so that the output is a transcript, the
 * same on every run. Blank lines and lines starting with '#' are skipped.
 *
 * The one mutable static: shell_completing, the shell whose node names
 * the completion function offers, as readline's callbacks take no data;
 * set only while the terminal loop runs.
 *
 * Entry point: shell_loop().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "models/app/app.h"
#include "sim/cli/shell.h"

#define SHELL_PROMPT "ipsim> "

/* The completion state (see the comment at the top): the shell, and the
 * generator's position, which readline's protocol keeps between calls. */
static struct {
  Shell *sh;
  guint next;
  gboolean first; /* completing the line's first word */
} shell_completing;

/* The words that follow the commands, offered after the first word. */
static const char *const shell_keywords[] = {"ping",     "until",         "for",
                                             "on",       "off",           "up",
                                             "down",     "route",         "arp",
                                             "mac",      "ifaces",        "rip",
                                             "ospf",     "ospf-database", "ospf-interfaces",
                                             "stp",      "--node",        "--iface",
                                             "--proto",  "--layer",       "--flow",
                                             "--packet", "--from",        "--to",
                                             "link",     "internet",      "transport",
                                             "app",      "routing",       "arp",
                                             "icmp",     "udp",           "tcp",
                                             "stp"};

/* The n-th word completion offers: first in the line a command word or
 * a node name (SRC ping DST), else a keyword (trace's options, layers and
 * protocols too), an app kind (SRC KIND DST) or a node name; NULL past the
 * last. */
static const char *shell_candidate(guint n, gboolean first)
{
  guint commands = 0;
  while (shell_command_name(commands))
    commands++;
  guint words = first ? commands : G_N_ELEMENTS(shell_keywords);
  if (n < words)
    return first ? shell_command_name(n) : shell_keywords[n];
  n -= words;
  guint kinds = 0;
  const char *const *kind = app_kind_names();
  while (!first && kind[kinds])
    kinds++;
  if (n < kinds)
    return kind[n];
  n -= kinds;
  const Network *net = shell_completing.sh->net;
  return n < net->nodes->len ? network_node(net, n)->name : NULL;
}

/* readline's generator: the next candidate starting with `text` (malloc'd). */
static char *shell_complete_word(const char *text, int state)
{
  if (state == 0)
    shell_completing.next = 0;
  gboolean first = shell_completing.first;
  const char *name;
  size_t len = strlen(text);
  while ((name = shell_candidate(shell_completing.next++, first)))
    if (strncmp(name, text, len) == 0)
      return strdup(name);
  return NULL;
}

static char **shell_complete(const char *text, int start, int end)
{
  (void)end;
  shell_completing.first = strspn(rl_line_buffer, " \t") >= (size_t)start;
  rl_attempted_completion_over = 1; /* no file names */
  return rl_completion_matches(text, shell_complete_word);
}

/* Reads from the terminal with libedit until quit or end of input. */
static void shell_loop_terminal(Shell *sh)
{
  shell_completing.sh = sh;
  rl_readline_name = "ipsim";
  rl_attempted_completion_function = shell_complete;
  char *line;
  while (!sh->quit && (line = readline(SHELL_PROMPT))) {
    if (*line)
      add_history(line);
    shell_execute(sh, line);
    free(line);
  }
  if (!sh->quit)
    fputc('\n', sh->out);
  shell_completing.sh = NULL;
}

/* Reads lines from `in`, echoing each after the prompt. */
static void shell_loop_file(Shell *sh, FILE *in)
{
  char *line = NULL;
  size_t size = 0;
  while (!sh->quit && getline(&line, &size, in) >= 0) {
    const char *l = line + strspn(line, " \t");
    if (*l == '#' || *l == '\n' || *l == '\r' || *l == '\0')
      continue;
    fprintf(sh->out, "%s%s%s", SHELL_PROMPT, l, g_str_has_suffix(l, "\n") ? "" : "\n");
    shell_execute(sh, l);
  }
  free(line);
}

/* Runs the commands of `script` (NULL: standard input); FALSE when it cannot be read. */
gboolean shell_loop(Shell *sh, const char *script)
{
  if (!script && isatty(fileno(stdin))) {
    shell_loop_terminal(sh);
    return TRUE;
  }
  FILE *in = script ? fopen(script, "r") : stdin;
  if (!in) {
    fprintf(stderr, "ipsim shell: cannot read '%s': %s\n", script, g_strerror(errno));
    return FALSE;
  }
  shell_loop_file(sh, in);
  if (script)
    fclose(in);
  return TRUE;
}
