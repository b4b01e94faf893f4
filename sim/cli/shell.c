/*
 * `ipsim shell FILE`: an interactive shell over a live simulation, in
 * simulated time (as Mininet's CLI and Packet Tracer's simulation mode).
 * It loads and builds the scenario as `ipsim run` does, without its
 * outputs, then reads commands: `run until T`, `run for D`, `step [N]`, `next`,
 * `time`, `show WHAT NODE`, `link A B down|up`, `trace on|off`, `SRC ping
 * DST` and `pingall` (shell_apps.c), `expect ITEM` (shell_expect.c),
 * `save FILE` (shell_save.c), `explain ID` and `why ID` (shell_explain.c),
 * `help`, `quit`. Each command is looked up in one table (shell_commands) and
 * runs to completion; a bad command or argument prints one line starting
 * "error:" and the shell goes on.
 *
 * Commands come from a terminal (with line editing, shell_read.c), or
 * from --script FILE or a standard input that is not a terminal: then
 * each command is echoed after the prompt, so that the output reads as a
 * transcript and is the same byte for byte on every run.
 *
 * Entry point: cli_shell() (sim/cli/cli.h); the line reader is in
 * shell_read.c (shell.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "models/observe/show.h"
#include "sim/build/build.h"
#include "sim/cli/cli.h"
#include "sim/cli/shell.h"
#include "sim/emu/emu.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

/* One command of the table: its name, its arguments, what it does. */
typedef struct {
  const char *name;
  void (*run)(Shell *sh, int argc, char **argv);
  const char *args;
  const char *help;
} ShellCommand;

static void shell_help(Shell *sh, int argc, char **argv);

/* Prints one error line; the shell goes on. */
void shell_error(Shell *sh, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("error: ", sh->out);
  vfprintf(sh->out, fmt, ap);
  fputc('\n', sh->out);
  va_end(ap);
}

/* "now 12.5s" and the events run so far. */
void shell_print_time(Shell *sh)
{
  char *now = units_format_duration(network_now(sh->net));
  uint64_t ran = scheduler_executed(sh->net->ctx.sched);
  size_t pending = scheduler_pending(sh->net->ctx.sched);
  fprintf(sh->out, "time %s, %" G_GUINT64_FORMAT " %s run, %zu pending\n", now, ran,
          units_plural(ran, "event", "events"), pending);
  g_free(now);
}

/* Runs every event up to `until` (included), then says where time is. */
static void shell_run_to(Shell *sh, SimTime until)
{
  scheduler_run(sh->net->ctx.sched, until);
  fflush(sh->out);
  shell_print_time(sh);
}

/* Parses a duration argument; FALSE after printing why not. */
static gboolean shell_duration(Shell *sh, const char *text, SimTime *out)
{
  GError *error = NULL;
  if (units_parse_duration(text, out, &error))
    return TRUE;
  shell_error(sh, "%s", error->message);
  g_error_free(error);
  return FALSE;
}

/* `run until TIME` | `run for DURATION` */
static void shell_run(Shell *sh, int argc, char **argv)
{
  SimTime t, now = network_now(sh->net);
  gboolean until = argc == 3 && strcmp(argv[1], "until") == 0, dur = argc == 3 && strcmp(argv[1], "for") == 0;
  if (!until && !dur) {
    shell_error(sh, "usage: run until TIME | run for DURATION (such as 'run until 40s', 'run for 500ms')");
    return;
  }
  if (!shell_duration(sh, argv[2], &t))
    return;
  if (dur && t > SIMTIME_MAX - now) {
    shell_error(sh, "run for %s: too long", argv[2]);
    return;
  }
  if (until && t < now) {
    char *at = units_format_duration(now);
    shell_error(sh, "run until %s: time is already %s (simulated time only goes forward)", argv[2], at);
    g_free(at);
    return;
  }
  shell_run_to(sh, until ? t : now + t);
}

/* `step [N]`: runs the next N events (default 1). */
static void shell_step(Shell *sh, int argc, char **argv)
{
  uint64_t n = 1;
  GError *error = NULL;
  if (argc > 2 || (argc == 2 && (!units_parse_uint(argv[1], G_MAXUINT32, &n, &error) || n == 0))) {
    shell_error(sh, "usage: step [N] (N a count of events, at least 1)%s%s", error ? ": " : "",
                error ? error->message : "");
    g_clear_error(&error);
    return;
  }
  uint64_t ran = 0;
  while (ran < n && scheduler_step(sh->net->ctx.sched, SIMTIME_MAX) != SCHEDULER_STEP_NONE)
    ran++;
  fflush(sh->out);
  if (ran < n)
    fprintf(sh->out, "no more events\n");
  shell_print_time(sh);
}

/* The traces' hook: counts the packet events (Shell.seen). */
static void shell_seen(void *data, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                       const Packet *p, const char *reason)
{
  (void)now, (void)node, (void)iface, (void)verb, (void)from, (void)p, (void)reason;
  ((Shell *)data)->seen++;
}

/* At most this many events for one `next` (a network whose timers send nothing). */
#define SHELL_NEXT_MAX 1000000

/* `next`: runs events until one sends, receives, forwards or drops a
 * packet, and prints that event's packet lines (with the trace off too). */
static void shell_next(Shell *sh, int argc, char **argv)
{
  (void)argv;
  if (argc != 1) {
    shell_error(sh, "usage: next");
    return;
  }
  Trace *was = sh->net->ctx.trace;
  if (!was)
    sh->net->ctx.trace = sh->packets;
  sh->seen = 0;
  SchedulerStep st = SCHEDULER_STEP_RAN;
  for (guint i = 0; !sh->seen && i < SHELL_NEXT_MAX && st != SCHEDULER_STEP_NONE; i++)
    st = scheduler_step(sh->net->ctx.sched, SIMTIME_MAX);
  sh->net->ctx.trace = was;
  fflush(sh->out);
  if (!sh->seen)
    fprintf(sh->out, "%s\n", st == SCHEDULER_STEP_NONE ? "no more events" : "no packet event in a million events");
  shell_print_time(sh);
}

static void shell_time(Shell *sh, int argc, char **argv)
{
  (void)argv;
  if (argc != 1)
    shell_error(sh, "usage: time");
  else
    shell_print_time(sh);
}

/* Finds a node by name; NULL after printing why not. */
Node *shell_node(Shell *sh, const char *name)
{
  Node *node = network_find_node(sh->net, name);
  if (!node)
    shell_error(sh, "no node '%s'; the nodes: %s", name, sh->node_list);
  return node;
}

/* `show ifaces NODE`: a line per interface: name, address, MAC, up or down. */
static void shell_show_ifaces(Node *node, GString *out)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *ifc = node_iface(node, i);
    char cidr[ADDR_CIDR_TEXT] = "-", mac[ADDR_MAC_TEXT];
    if (ifc->has_ip)
      addr_format_cidr(ifc->ip.addr, ifc->ip.len, cidr);
    addr_format_mac(ifc->mac, mac);
    g_string_append_printf(out, "%-6s %-18s %s  %s\n", ifc->name, cidr, mac, ifc->up ? "up" : "down");
  }
}

/* The show kind a word names ("route", "routes", "ospf", or one of
 * show_kind_names); SHOW_KIND_COUNT for `ifaces`; -1: none. */
static int shell_show_kind(const char *word)
{
  if (strcmp(word, "route") == 0)
    return SHOW_ROUTES;
  if (strcmp(word, "ospf") == 0)
    return SHOW_OSPF_NEIGHBORS;
  if (strcmp(word, "ifaces") == 0)
    return SHOW_KIND_COUNT;
  for (int k = 0; k < SHOW_KIND_COUNT; k++)
    if (strcmp(word, show_kind_names[k]) == 0)
      return k;
  return -1;
}

/* `show route|arp|mac|stp|ifaces|rip|ospf|ospf-database|ospf-interfaces NODE` */
static void shell_show(Shell *sh, int argc, char **argv)
{
  int kind = argc == 3 ? shell_show_kind(argv[1]) : -1;
  if (kind < 0) {
    shell_error(sh, "usage: show route|arp|mac|stp|ifaces|rip|ospf|ospf-database|ospf-interfaces NODE");
    return;
  }
  Node *node = shell_node(sh, argv[2]);
  if (!node)
    return;
  const char *problem =
      kind == SHOW_KIND_COUNT ? NULL
      : node->kind == NODE_KIND_HUB
          ? "is a hub: it repeats frames and has no routes, ARP cache or MAC table to show"
          : show_kind_problem((ShowKind)kind, node->kind == NODE_KIND_SWITCH, node->rip != NULL, node->ospf != NULL);
  if (problem) {
    shell_error(sh, "%s %s", node->name, problem);
    return;
  }
  GString *text = g_string_new(NULL);
  if (kind == SHOW_KIND_COUNT)
    shell_show_ifaces(node, text);
  else
    show_node(node, (ShowKind)kind, text);
  fputs(text->str, sh->out);
  g_string_free(text, TRUE);
}

/* The link between nodes `a` and `b` (or named `a` when `b` is NULL); NULL: none. */
static Link *shell_find_link(const Network *net, const char *a, const char *b)
{
  for (guint i = 0; i < net->links->len; i++) {
    Link *l = network_link(net, i);
    const char *x = l->ends[0]->node->name, *y = l->ends[1]->node->name;
    if (!b && l->name && strcmp(l->name, a) == 0)
      return l;
    if (b && ((strcmp(x, a) == 0 && strcmp(y, b) == 0) || (strcmp(x, b) == 0 && strcmp(y, a) == 0)))
      return l;
  }
  return NULL;
}

/* `link A B down|up` or `link NAME down|up`, now. */
static void shell_link(Shell *sh, int argc, char **argv)
{
  const char *state = argc >= 3 ? argv[argc - 1] : "";
  gboolean up = strcmp(state, "up") == 0;
  if ((argc != 3 && argc != 4) || (!up && strcmp(state, "down") != 0)) {
    shell_error(sh, "usage: link A B down|up (the link between nodes A and B) or link NAME down|up");
    return;
  }
  Link *link = shell_find_link(sh->net, argv[1], argc == 4 ? argv[2] : NULL);
  if (!link) {
    if (argc == 4)
      shell_error(sh, "no link between '%s' and '%s'", argv[1], argv[2]);
    else
      shell_error(sh, "no link named '%s'; name its two nodes: link A B %s", argv[1], state);
    return;
  }
  link_set_up(link, up);
  fflush(sh->out);
  char *what = link_describe(link);
  fprintf(sh->out, "link %s %s\n", what, state);
  g_free(what);
  char *at = units_format_duration(network_now(sh->net));
  shell_record_event(sh,
                     g_strdup_printf("{ at: %s, link: [\"%s:%s\", \"%s:%s\"], set: %s }", at, link->ends[0]->node->name,
                                     link->ends[0]->name, link->ends[1]->node->name, link->ends[1]->name, state));
  g_free(at);
}

static void shell_quit(Shell *sh, int argc, char **argv)
{
  (void)argc;
  (void)argv;
  sh->quit = TRUE;
}

static const ShellCommand shell_commands[] = {
    {"run", shell_run, "until TIME | for DURATION", "run the simulation to a time, or for a while"},
    {"step", shell_step, "[N]", "run the next N events (default 1)"},
    {"next", shell_next, "", "run to the next packet event and print it"},
    {"time", shell_time, "", "print the simulated time and the events run"},
    {"show", shell_show, "route|arp|mac|ifaces|rip|ospf NODE", "print a node's table now"},
    {"link", shell_link, "A B down|up", "take the link between nodes A and B down or up, now"},
    {"trace", shell_trace, "on [FILTERS] | off", "print events as they happen, filtered as by 'ipsim trace'"},
    {"expect", NULL, "{ CHECK: { ... } }", "evaluate one expect: check now, as in a scenario"},
    {"start", NULL, "{ type: KIND, on: NODE, ... }", "start an app now: one item of a scenario's apps: list"},
    {"pingall", shell_pingall, "", "every host pings every other host once: a matrix"},
    {"explain", shell_explain, "ID", "the story of packet #ID so far, hop by hop and layer by layer"},
    {"why", shell_explain, NULL, NULL},
    {"save", shell_save, "FILE", "write the scenario with what was done here as events and apps"},
    {"help", shell_help, "", "list the commands"},
    {"quit", shell_quit, "", "leave the shell (also: exit, end of input)"},
    {"exit", shell_quit, NULL, NULL},
};

static void shell_help(Shell *sh, int argc, char **argv)
{
  (void)argc;
  (void)argv;
  for (guint i = 0; i < G_N_ELEMENTS(shell_commands); i++) {
    const ShellCommand *c = &shell_commands[i];
    if (!c->help)
      continue;
    if (c->run == shell_pingall) {
      fprintf(sh->out, "  %-42s %s\n", "SRC ping DST [-c N]", "start a ping from node SRC to DST now (3 requests)");
      fprintf(sh->out, "  %-42s %s\n", "SRC KIND [DST] [KEY VALUE]... [for D]",
              "start an app of any kind now (h1 udp-cbr h2:9 rate 1Mbps for 2s)");
    }
    char *usage = g_strdup_printf("%s %s", c->name, c->args);
    fprintf(sh->out, "  %-42s %s\n", usage, c->help);
    g_free(usage);
  }
}

/* The command names, NULL-terminated (for completion; static data). */
const char *shell_command_name(guint i)
{
  return i < G_N_ELEMENTS(shell_commands) ? shell_commands[i].name : NULL;
}

/* `expect ITEM` and `start ITEM`, whose rest of the line is YAML: runs
 * them and returns TRUE; FALSE for the other commands. */
static gboolean shell_yaml_command(Shell *sh, const char *rest)
{
  gboolean expect = g_str_has_prefix(rest, "expect") && strchr(" \t\r\n", rest[6]);
  gboolean start = g_str_has_prefix(rest, "start") && strchr(" \t\r\n", rest[5]);
  if (!expect && !start)
    return FALSE;
  char *item = g_strstrip(g_strdup(rest + (expect ? 6 : 5)));
  if (expect)
    shell_expect(sh, item);
  else
    shell_start(sh, item);
  g_free(item);
  fflush(sh->out);
  return TRUE;
}

/* Runs one line: splits it into words, looks up the first. */
void shell_execute(Shell *sh, const char *line)
{
  const char *rest = line + strspn(line, " \t");
  if (shell_yaml_command(sh, rest))
    return;
  char **argv = NULL, **w;
  if (!g_str_has_prefix(rest, "trace") || !g_shell_parse_argv(rest, NULL, &argv, NULL)) /* trace's --flow 'a b' */
    argv = g_strsplit_set(line, " \t\r\n", -1);
  w = argv;
  GPtrArray *words = g_ptr_array_new();
  for (; *w; w++)
    if (**w)
      g_ptr_array_add(words, *w);
  g_ptr_array_add(words, NULL);
  int argc = (int)words->len - 1;
  char **args = (char **)words->pdata;
  guint i = 0;
  while (argc > 0 && i < G_N_ELEMENTS(shell_commands) && strcmp(shell_commands[i].name, args[0]) != 0)
    i++;
  if (argc > 0 && i < G_N_ELEMENTS(shell_commands))
    shell_commands[i].run(sh, argc, args);
  else if (argc >= 2 && strcmp(args[1], "ping") == 0)
    shell_ping(sh, argc, args);
  else if (argc >= 2 && shell_start_kind(args[1]))
    shell_start_words(sh, argc, args);
  else if (argc > 0)
    shell_error(sh, "unknown command '%s'; 'help' lists the commands", args[0]);
  fflush(sh->out);
  g_ptr_array_free(words, TRUE); /* the words are argv's */
  g_strfreev(argv);
}

/* The names of the nodes, "h1, r1, r2" (for errors). */
static char *shell_node_names(const Network *net)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < net->nodes->len; i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", network_node(net, i)->name);
  return g_string_free(s, FALSE);
}

/* Builds the shell over a loaded scenario; NULL after printing why it cannot run. */
static Shell *shell_new(Scenario *sc)
{
  if (emu_needed(sc) || sc->realtime.on) {
    fprintf(stderr,
            "ipsim shell: %s: the shell steps simulated time; a scenario with %s cannot run in it "
            "(use 'ipsim run')\n",
            sc->file, emu_needed(sc) ? "Linux hosts" : "'realtime:'");
    return NULL;
  }
  Shell *sh = g_new0(Shell, 1);
  sh->sc = sc;
  sh->net = build_network(sc);
  sh->out = stdout;
  sh->net->app_out = stdout;
  sh->trace = trace_new(stdout, FALSE, TRACE_ALL);
  sh->packets = trace_new(stdout, FALSE, TRACE_LINK | TRACE_INTERNET | TRACE_TRANSPORT);
  sh->trace->hook = sh->packets->hook = shell_seen;
  sh->trace->hook_data = sh->packets->hook_data = sh;
  sh->node_list = shell_node_names(sh->net);
  sh->confs = g_ptr_array_new();
  sh->events_done = g_ptr_array_new_with_free_func(g_free);
  sh->apps_done = g_ptr_array_new_with_free_func(g_free);
  sh->loaded = g_ptr_array_new_with_free_func((GDestroyNotify)scenario_free);
  return sh;
}

static void shell_free(Shell *sh)
{
  for (guint i = 0; i < sh->net->apps->len; i++)
    app_finish(g_ptr_array_index(sh->net->apps, i));
  sh->net->ctx.trace = NULL;
  trace_free(sh->trace);
  trace_free(sh->packets);
  network_free(sh->net);
  g_ptr_array_free(sh->loaded, TRUE); /* after the network: its apps point to their AppConfig */
  shell_confs_free(sh->confs);
  g_ptr_array_free(sh->events_done, TRUE);
  g_ptr_array_free(sh->apps_done, TRUE);
  g_free(sh->node_list);
  g_free(sh);
}

int cli_shell(int argc, char **argv)
{
  char *script = NULL;
  GOptionEntry entries[] = {{"script", 0, 0, G_OPTION_ARG_FILENAME, &script, NULL, NULL}, G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  Scenario *sc = NULL;
  Shell *sh = NULL;
  if (cli_parse_options("shell", entries, &argc, &argv) && cli_operands("shell", argc, argv, 1) &&
      (sc = cli_load(argv[1], NULL)) && (sh = shell_new(sc))) {
    fprintf(sh->out, "ipsim shell: %s, %u nodes, %u links; 'help' lists the commands\n", sh->net->name,
            sh->net->nodes->len, sh->net->links->len);
    status = shell_loop(sh, script) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    shell_free(sh);
  }
  scenario_free(sc);
  g_free(script);
  return status;
}
