/*
 * The `run`, `check` and `draw` commands. Each parses its options, loads the
 * scenario (printing every error and warning), and does its job. `run`
 * runs in simulated time, or in real time (--realtime, `realtime:`)
 * through the RtLoop build_network() puts in net->ctx.rt.
 * Entry points: cli_run(), cli_check(), cli_draw().
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "models/app/app.h"
#include "sim/build/expect.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/build/snapshots.h"
#include "sim/emu/emu.h"
#include "models/observe/report.h"
#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/text/json.h"
#include "sim/scenario/scenario.h"
#include "sim/text/units.h"
#include "viz/topology.h"

/* Parses a command's options; on failure prints the problem and returns
 * FALSE. Also for cli_grade.c and cli_trace.c. */
gboolean cli_parse_options(const char *command, GOptionEntry *entries, int *argc, char ***argv)
{
  GOptionContext *ctx = g_option_context_new(NULL);
  g_option_context_set_help_enabled(ctx, FALSE);
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, argc, argv, &error);
  if (!ok) {
    fprintf(stderr, "ipsim %s: %s; see 'ipsim help %s'\n", command, error->message, command);
    g_error_free(error);
  }
  g_option_context_free(ctx);
  return ok;
}

/* Checks that exactly `want` operands remain (want < 0: at least one). */
gboolean cli_operands(const char *command, int argc, char **argv, int want)
{
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "ipsim %s: unknown option '%s'; see 'ipsim help %s'\n", command, argv[i], command);
      return FALSE;
    }
  int have = argc - 1;
  if ((want < 0 && have >= 1) || have == want)
    return TRUE;
  if (have == 0)
    fprintf(stderr, "ipsim %s: missing the scenario FILE; see 'ipsim help %s'\n", command, command);
  else
    fprintf(stderr, "ipsim %s: expected one scenario FILE, found %d arguments; see 'ipsim help %s'\n", command, have,
            command);
  return FALSE;
}

/* Loads a scenario, printing its diagnostics to standard error; `counts`
 * (may be NULL) gets the numbers of errors and warnings. Also for
 * cli_explain.c. */
Scenario *cli_load(const char *path, guint counts[2])
{
  DiagList *diags = diag_list_new(path);
  Scenario *sc = scenario_load_file(path, diags);
  if (sc && !expect_validate(sc, diags)) {
    scenario_free(sc);
    sc = NULL;
  }
  diag_list_print(diags, stderr);
  if (counts) {
    counts[0] = diags->errors;
    counts[1] = diags->warnings;
  }
  diag_list_free(diags);
  return sc;
}

/* "2 errors, 1 warning" (`none` when both are 0). */
static char *cli_describe_diags(const guint counts[2], const char *none)
{
  GString *s = g_string_new(NULL);
  if (counts[0])
    g_string_append_printf(s, "%u %s", counts[0], units_plural(counts[0], "error", "errors"));
  if (counts[1])
    g_string_append_printf(s, "%s%u %s", s->len ? ", " : "", counts[1], units_plural(counts[1], "warning", "warnings"));
  if (!s->len)
    g_string_append(s, none);
  return g_string_free(s, FALSE);
}

/* Prints one file's result: "FILE: ok (N nodes, M links)" with ", K
 * warnings" when it has some, or "FILE: 2 errors, 1 warning". */
static void cli_check_result(const char *path, const Scenario *sc, const guint counts[2])
{
  char *diags = cli_describe_diags(counts, "");
  if (sc)
    printf("%s: ok (%u %s, %u %s)%s%s\n", path, sc->nodes->len, units_plural(sc->nodes->len, "node", "nodes"),
           sc->links->len, units_plural(sc->links->len, "link", "links"), counts[1] ? ", " : "", diags);
  else
    printf("%s: %s\n", path, diags);
  fflush(stdout);
  g_free(diags);
}

static char *cli_describe_nodes(const Network *net)
{
  guint count[NODE_KIND_COUNT] = {0};
  for (guint i = 0; i < net->nodes->len; i++)
    count[network_node(net, i)->kind]++;
  char linux_hosts[80] = "";
  if (count[NODE_KIND_LINUX])
    g_snprintf(linux_hosts, sizeof linux_hosts, ", %u Linux host%s", count[NODE_KIND_LINUX],
               count[NODE_KIND_LINUX] == 1 ? "" : "s");
  if (count[NODE_KIND_HUB]) /* hubs */
    g_snprintf(linux_hosts + strlen(linux_hosts), sizeof linux_hosts - strlen(linux_hosts), ", %u hub%s",
               count[NODE_KIND_HUB], count[NODE_KIND_HUB] == 1 ? "" : "s");
  return g_strdup_printf("%u (%u host%s, %u switch%s, %u router%s%s)", net->nodes->len, count[NODE_KIND_HOST],
                         count[NODE_KIND_HOST] == 1 ? "" : "s", count[NODE_KIND_SWITCH],
                         count[NODE_KIND_SWITCH] == 1 ? "" : "es", count[NODE_KIND_ROUTER],
                         count[NODE_KIND_ROUTER] == 1 ? "" : "s", linux_hosts);
}

/* Prints the summary of a run; `shows` holds the `output: show:` snapshots taken ("" when none). */
static void cli_print_summary(const Network *net, uint64_t events, double wall_s, const char *dir, const char *shows)
{
  char *nodes = cli_describe_nodes(net);
  char *simtime = units_format_duration(scheduler_now(net->ctx.sched));
  printf("scenario   %s\n", net->name);
  if (net->description)
    printf("           %s\n", net->description);
  printf("seed       %" G_GUINT64_FORMAT "\n", net->ctx.seed);
  printf("nodes      %s\n", nodes);
  printf("links      %u\n", net->links->len);
  printf("events     %" G_GUINT64_FORMAT " executed\n", events);
  printf("sim time   %s\n", simtime);
  printf("wall time  %.6f s (%.0f events/s)\n", wall_s, wall_s > 0 ? (double)events / wall_s : 0.0);
  report_realtime_text(net, stdout);
  report_routing_text(net, stdout);
  if (dir)
    printf("output     %s%s\n", dir, g_str_has_suffix(dir, G_DIR_SEPARATOR_S) ? "" : G_DIR_SEPARATOR_S);
  report_counters_text(net, stdout);
  report_flows_text(net, stdout);
  if (shows[0])
    printf("\n%s", shows);
  g_free(simtime);
  g_free(nodes);
}

/* Writes `text` to DIR/NAME and frees it; prints the problem ("ipsim
 * COMMAND: ...") and returns FALSE on failure. */
gboolean cli_write_file(const char *command, const char *dir, const char *name, GString *text)
{
  char *path = g_build_filename(dir, name, NULL);
  GError *error = NULL;
  gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, &error);
  if (!ok) {
    fprintf(stderr, "ipsim %s: %s\n", command, error->message);
    g_error_free(error);
  }
  g_free(path);
  g_string_free(text, TRUE);
  return ok;
}

/* Writes DIR/summary.json, DIR/counters.json, DIR/flows.json, DIR/flows.csv,
 * DIR/throughput.csv and
 * DIR/expect.json (`checked` FALSE: the run stopped before its checks): only
 * simulated figures, so that the same scenario and seed give
 * byte-identical files (but for the lag of a real-time run). */
static gboolean cli_write_results(const Network *net, uint64_t events, const char *dir, const Expect *ex,
                                  gboolean checked)
{
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    fprintf(stderr, "ipsim run: cannot create the output directory '%s': %s\n", dir, g_strerror(errno));
    return FALSE;
  }
  GString *json = g_string_new("{\n  \"scenario\": ");
  json_append_string(json, net->name);
  g_string_append_printf(json,
                         ",\n  \"seed\": %" G_GUINT64_FORMAT ",\n  \"nodes\": %u,\n  \"links\": %u,\n"
                         "  \"events\": %" G_GUINT64_FORMAT ",\n  \"sim_time_ns\": %" G_GINT64_FORMAT,
                         net->ctx.seed, net->nodes->len, net->links->len, events, scheduler_now(net->ctx.sched));
  report_routing_json(net, json);
  report_realtime_json(net, json);
  g_string_append(json, "\n}\n");
  return cli_write_file("run", dir, "summary.json", json) &&
         cli_write_file("run", dir, "counters.json", report_counters_json(net)) &&
         cli_write_file("run", dir, "flows.json", report_flows_json(net)) &&
         cli_write_file("run", dir, "flows.csv", report_flows_csv(net)) &&
         cli_write_file("run", dir, "throughput.csv", report_throughput_csv(net)) &&
         cli_write_file("run", dir, "expect.json", expect_json(ex, checked));
}

/* Applies --seed and --stop to the loaded scenario. */
static gboolean cli_override(Scenario *sc, const char *seed, const char *stop)
{
  GError *error = NULL;
  if (seed && !units_parse_uint(seed, G_MAXUINT64, &sc->seed, &error)) {
    fprintf(stderr, "ipsim run: --seed: %s\n", error->message);
    g_error_free(error);
    return FALSE;
  }
  if (stop && (!units_parse_duration(stop, &sc->stop, &error) || sc->stop <= 0)) {
    fprintf(stderr, "ipsim run: --stop: %s\n", error ? error->message : "the run must last longer than 0s");
    g_clear_error(&error);
    return FALSE;
  }
  DiagList *diags = diag_list_new(sc->file);
  gboolean ok = !stop || scenario_check_stop(sc, sc->stop, diags);
  diag_list_print(diags, stderr);
  diag_list_free(diags);
  return ok;
}

/* The directory a run writes into: --out, else `output.dir`, else, when the
 * scenario asks for files (pcap, tcp-series, queues, routes, show), ./<FILE's name without
 * .yaml>.out in the working directory (as ns-3 writes its pcaps there);
 * NULL when it writes no file (g_free). */
static char *cli_output_dir(const Scenario *sc, const char *path, const char *out)
{
  const ScenarioOutput *o = &sc->output;
  if (out || o->dir)
    return g_strdup(out ? out : o->dir);
  if (!o->pcap_all && o->pcap->len == 0 && !o->tcp_series && !o->queues && !o->routes && !(o->show && o->show->len))
    return NULL;
  char *base = g_path_get_basename(path);
  for (const char *const *ext = (const char *const[]){".yaml", ".yml", NULL}; *ext; ext++)
    if (g_str_has_suffix(base, *ext)) {
      base[strlen(base) - strlen(*ext)] = '\0';
      break;
    }
  char *dir = g_strconcat(base, ".out", NULL);
  g_free(base);
  return dir;
}

/* Runs the network to its stop time, with progress on a terminal only
 * (so that piped or redirected outputs stay byte-identical): in simulated
 * time, or, when it has an RtLoop, in real time. Returns how the
 * run ended (RT_DONE in simulated time) and the events run in *events. */
static RtEnd cli_run_events(Network *net, Progress *p, uint64_t *events)
{
  if (net->ctx.rt)
    return progress_run_realtime(p, net, events);
  *events = progress_run(p, net);
  return RT_DONE;
}

/* Says why a real-time run stopped early, in one line on standard error,
 * and returns its exit status: CLI_EXIT_USAGE past the lag limit, 128 +
 * the signal's number for SIGINT (130) and SIGTERM (143). */
static int cli_realtime_stopped(const Network *net, const Scenario *sc, RtEnd end)
{
  char *at = units_format_duration(scheduler_now(net->ctx.sched));
  int status = CLI_EXIT_USAGE;
  if (end == RT_LAG) {
    RtStats st;
    rt_stats(net->ctx.rt, &st);
    char *lag = units_format_duration(st.max_lag), *limit = units_format_duration(sc->realtime.lag_limit);
    fprintf(stderr,
            "ipsim run: real time lost: the event at %s ran %s late, beyond realtime.lag-limit (%s); stopped there\n",
            at, lag, limit);
    g_free(lag);
    g_free(limit);
  } else {
    int sig = rt_signal(net->ctx.rt);
    fprintf(stderr, "ipsim run: %s at %s of simulated time; outputs written up to there\n",
            sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)", at);
    status = CLI_EXIT_SIGNAL + sig;
  }
  g_free(at);
  return status;
}

/* Evaluates the checks and prints their counts and measures; returns how
 * many failed. A run that stopped early is not checked. */
static guint cli_finish_checks(Expect *ex, const Scenario *sc, gboolean quiet, RtEnd end)
{
  if (end != RT_DONE) {
    if (!quiet && sc->expects->len)
      printf("expect     not checked: the run stopped early\n");
    return 0;
  }
  guint passed = 0, failed = expect_finish(ex, stderr, &passed);
  if (!quiet && passed + failed)
    printf("expect     %u passed, %u failed\n", passed, failed);
  if (!quiet)
    expect_print_measures(ex, stdout, "           ");
  return failed;
}

/* Makes the scenario's Linux hosts real, before the run; NULL after printing why not. */
static Emu *cli_emu_start(Network *net, const Scenario *sc, const char *dir)
{
  GError *error = NULL;
  Emu *emu = emu_start(net, sc, net->ctx.rt, dir, &error);
  if (!emu) {
    fprintf(stderr, "ipsim run: %s\n", error->message);
    g_error_free(error);
  }
  return emu;
}

/* Opens the outputs and snapshots of a run; NULL after printing the problem. */
static Snapshots *cli_open_outputs(Network *net, const Scenario *sc, const char *dir, gboolean quiet)
{
  GError *error = NULL;
  const ScenarioOutput *out = &sc->output;
  /* Application lines go to standard output, unless a trace there already shows them. */
  gboolean trace_to_stdout = out->trace && !dir;
  net->app_out = quiet || (trace_to_stdout && (out->trace & TRACE_APP)) ? NULL : stdout;
  Snapshots *snap = NULL;
  if (build_open_outputs(net, sc, dir, !quiet, &error))
    snap = snapshots_new(net, sc, dir, &error);
  if (!snap) {
    fprintf(stderr, "ipsim run: %s\n", error->message);
    g_error_free(error);
  }
  return snap;
}

/* Runs a built network with its outputs and checks; returns the exit status. */
static int cli_run_network(Network *net, const Scenario *sc, const char *dir, gboolean quiet)
{
  Snapshots *snap = cli_open_outputs(net, sc, dir, quiet);
  if (!snap)
    return CLI_EXIT_USAGE;
  Expect *ex = expect_new(net, sc);
  gint64 start = g_get_monotonic_time();
  uint64_t events = 0;
  Emu *emu = emu_needed(sc) ? cli_emu_start(net, sc, dir) : NULL;
  if (emu_needed(sc) && !emu) {
    snapshots_free(snap);
    expect_free(ex);
    return CLI_EXIT_USAGE;
  }
  /* progress on a terminal, unless a trace floods standard output */
  gboolean tty = !quiet && isatty(fileno(stderr)) && !(sc->output.trace && !dir);
  Progress *p = progress_new(tty ? stderr : NULL, net->app_out);
  net->app_out = progress_stream(p);
  RtEnd end = cli_run_events(net, p, &events);
  emu_stop(emu, ex, quiet ? NULL : stdout);
  for (guint i = 0; i < net->apps->len; i++)
    app_finish(g_ptr_array_index(net->apps, i));
  progress_free(p);
  net->app_out = NULL;
  double wall_s = (double)(g_get_monotonic_time() - start) / 1e6;
  int stopped = end == RT_DONE ? CLI_EXIT_OK : cli_realtime_stopped(net, sc, end);
  if (!quiet)
    cli_print_summary(net, events, wall_s, dir, snapshots_text(snap));
  snapshots_free(snap);
  fflush(stdout);
  guint failed = cli_finish_checks(ex, sc, quiet, end);
  gboolean written = !dir || cli_write_results(net, events, dir, ex, end == RT_DONE);
  expect_free(ex);
  if (!written)
    return CLI_EXIT_USAGE;
  return stopped ? stopped : failed ? CLI_EXIT_EXPECT : CLI_EXIT_OK;
}

int cli_run(int argc, char **argv)
{
  char *seed = NULL, *stop = NULL, *out = NULL;
  gboolean quiet = FALSE, realtime = FALSE;
  GOptionEntry entries[] = {{"seed", 0, 0, G_OPTION_ARG_STRING, &seed, NULL, NULL},
                            {"stop", 0, 0, G_OPTION_ARG_STRING, &stop, NULL, NULL},
                            {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, NULL, NULL},
                            {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL},
                            {"realtime", 0, 0, G_OPTION_ARG_NONE, &realtime, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  Scenario *sc = NULL;
  if (cli_parse_options("run", entries, &argc, &argv) && cli_operands("run", argc, argv, 1) &&
      (sc = cli_load(argv[1], NULL)) && cli_override(sc, seed, stop)) {
    sc->realtime.on = sc->realtime.on || realtime;
    Network *net = build_network(sc);
    char *dir = cli_output_dir(sc, argv[1], out);
    status = cli_run_network(net, sc, dir, quiet);
    g_free(dir);
    network_free(net);
  }
  scenario_free(sc);
  g_free(seed);
  g_free(stop);
  g_free(out);
  return status;
}

int cli_check(int argc, char **argv)
{
  GOptionEntry entries[] = {G_OPTION_ENTRY_NULL};
  if (!cli_parse_options("check", entries, &argc, &argv) || !cli_operands("check", argc, argv, -1))
    return CLI_EXIT_USAGE;
  guint bad = 0, total[2] = {0, 0};
  for (int i = 1; i < argc; i++) {
    guint counts[2];
    fflush(stdout);
    Scenario *sc = cli_load(argv[i], counts);
    cli_check_result(argv[i], sc, counts);
    bad += sc == NULL;
    total[0] += counts[0];
    total[1] += counts[1];
    scenario_free(sc);
  }
  if (argc > 2) {
    char *diags = cli_describe_diags(total, "no error or warning");
    printf("%d files: %d ok, %u with errors; %s\n", argc - 1, argc - 1 - (int)bad, bad, diags);
    g_free(diags);
  }
  return bad ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* `--at TIME` of ipsim draw: parses it into *at, at most the scenario's
 * stop; FALSE after saying what is wrong. */
static gboolean cli_draw_at(const Scenario *sc, const char *text, SimTime *at)
{
  GError *error = NULL;
  if (!units_parse_duration(text, at, &error)) {
    fprintf(stderr, "ipsim draw: --at: %s\n", error->message);
    g_error_free(error);
    return FALSE;
  }
  if (*at > sc->stop) {
    char *stop = units_format_duration(sc->stop);
    fprintf(stderr, "ipsim draw: --at %s is after the scenario's stop (%s)\n", text, stop);
    g_free(stop);
    return FALSE;
  }
  return TRUE;
}

/* Draws `net` to `out` (NULL: DOT on standard output); returns the exit status. */
static int cli_draw_network(const Network *net, const VizHighlight *hl, const char *out)
{
  GError *error = NULL;
  if (!out) {
    char *dot = viz_topology_dot_highlight(net, hl);
    fputs(dot, stdout);
    g_free(dot);
    return CLI_EXIT_OK;
  }
  if (viz_topology_render_highlight(net, hl, out, &error))
    return CLI_EXIT_OK;
  fprintf(stderr, "ipsim draw: %s\n", error->message);
  g_error_free(error);
  return CLI_EXIT_USAGE;
}

int cli_draw(int argc, char **argv)
{
  char *out = NULL, *at_text = NULL;
  GOptionEntry entries[] = {{"output", 'o', 0, G_OPTION_ARG_FILENAME, &out, NULL, NULL},
                            {"at", 0, 0, G_OPTION_ARG_STRING, &at_text, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  Scenario *sc = NULL;
  SimTime at = 0;
  if (cli_parse_options("draw", entries, &argc, &argv) && cli_operands("draw", argc, argv, 1) &&
      (sc = cli_load(argv[1], NULL)) && (!at_text || cli_draw_at(sc, at_text, &at))) {
    Network *net = build_network(sc);
    VizHighlight hl = {NULL, NULL, at_text != NULL};
    if (at_text) {
      net->app_out = NULL;
      scheduler_run(net->ctx.sched, at);
    }
    status = cli_draw_network(net, &hl, out);
    network_free(net);
  }
  scenario_free(sc);
  g_free(out);
  g_free(at_text);
  return status;
}

/* `ipsim cleanup [--all]`: what killed runs left behind (as Mininet's mn -c). */
int cli_cleanup(int argc, char **argv)
{
  gboolean all = FALSE;
  GOptionEntry entries[] = {{"all", 0, 0, G_OPTION_ARG_NONE, &all, NULL, NULL}, G_OPTION_ENTRY_NULL};
  if (!cli_parse_options("cleanup", entries, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1) {
    fprintf(stderr, "ipsim cleanup: unexpected argument '%s'; see 'ipsim help cleanup'\n", argv[1]);
    return CLI_EXIT_USAGE;
  }
  if (geteuid() != 0) {
    fprintf(stderr, "ipsim cleanup: network namespaces can be removed by root only\n");
    return CLI_EXIT_USAGE;
  }
  guint n = emu_cleanup(stdout, all);
  printf("%u network namespace%s removed\n", n, n == 1 ? "" : "s");
  return CLI_EXIT_OK;
}
