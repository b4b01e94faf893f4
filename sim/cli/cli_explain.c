/*
 * The `explain` command: the story of one packet. It runs the scenario
 * again in simulated time, with no outputs, with the recorder of
 * sim/cli/explain.h on the trace hook, and prints what happened to the
 * packet with the id given (--packet ID), or to the echo request of one
 * sequence number of a ping (--app NAME --seq N), or to the N-th packet
 * another app sent (a datagram, a segment, a probe); with -o OUT, also the
 * topology with the packet's path highlighted. The same scenario and
 * seed give the same ids as `ipsim run` shows in its trace.
 *
 * Entry point: cli_explain().
 */
#include <stdio.h>
#include <string.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/cli/cli.h"
#include "sim/cli/explain.h"
#include "sim/emu/emu.h"
#include "sim/scenario/scenario.h"
#include "viz/topology.h"

/* The app named `name`, or NULL after saying so. */
static App *cli_explain_app(Network *net, const char *file, const char *name)
{
  GString *names = g_string_new(NULL);
  for (guint i = 0; i < net->apps->len; i++) {
    App *app = g_ptr_array_index(net->apps, i);
    if (strcmp(app->conf->name, name) == 0) {
      g_string_free(names, TRUE);
      return app;
    }
    g_string_append_printf(names, "%s%s", i ? ", " : "", app->conf->name);
  }
  fprintf(stderr, "ipsim explain: no app '%s' in %s; its apps: %s\n", name, file, names->len ? names->str : "none");
  g_string_free(names, TRUE);
  return NULL;
}

/* Points the recorder at the ping `app`'s echo request `seq`; FALSE after
 * saying why not. */
static gboolean cli_explain_select(Explain *ex, Network *net, const char *file, const char *name, int seq)
{
  App *app = cli_explain_app(net, file, name);
  if (!app)
    return FALSE;
  if (app->conf->kind == APP_PING)
    explain_select_ping(ex, app, (uint16_t)seq);
  else
    explain_select_app(ex, app, build_app_flow(net, app->conf), seq);
  return TRUE;
}

/* Says that the run had no such packet. */
static void cli_explain_missing(const Explain *ex, Network *net, const char *name, int seq, uint64_t id)
{
  if (name) {
    for (guint i = 0; i < net->apps->len; i++) {
      App *app = g_ptr_array_index(net->apps, i);
      if (strcmp(app->conf->name, name) == 0 && app->conf->kind == APP_PING)
        fprintf(stderr,
                "ipsim explain: %s sent no echo request with seq %d in this run (it sent %" G_GUINT64_FORMAT ")\n",
                name, seq, app->sent);
      else if (strcmp(app->conf->name, name) == 0)
        fprintf(stderr, "ipsim explain: %s (%s) sent %u %s in this run, fewer than %d\n", name,
                app_kind_name(app->conf->kind), explain_app_sent(ex), explain_app_sent(ex) == 1 ? "packet" : "packets",
                seq);
    }
    return;
  }
  if (id <= explain_last_id(ex))
    fprintf(stderr,
            "ipsim explain: packet #%" G_GUINT64_FORMAT " was made in this run but never sent, received or dropped "
            "(no trace line shows it)\n",
            id);
  else
    fprintf(stderr,
            "ipsim explain: no packet #%" G_GUINT64_FORMAT " in this run: it made %" G_GUINT64_FORMAT
            " packets (#1 to #%" G_GUINT64_FORMAT ")\n",
            id, explain_last_id(ex), explain_last_id(ex));
}

/* Draws the topology with the packet's path into `out` (NULL: no drawing);
 * FALSE after saying why not. */
static gboolean cli_explain_draw(const Explain *ex, const Network *net, const char *out)
{
  GError *error = NULL;
  VizHighlight hl = explain_path(ex);
  if (!out)
    return TRUE;
  if (viz_topology_render_highlight(net, &hl, out, &error)) {
    printf("The path is drawn in %s.\n", out);
    return TRUE;
  }
  fprintf(stderr, "ipsim explain: %s\n", error->message);
  g_error_free(error);
  return FALSE;
}

/* Runs the scenario with the recorder; prints the story (and draws its path into `out`). */
static int cli_explain_run(Scenario *sc, const char *file, const char *out, uint64_t id, const char *name, int seq)
{
  Network *net = build_network(sc);
  Explain *ex = explain_new(net, id);
  int status = CLI_EXIT_USAGE;
  if (!name || cli_explain_select(ex, net, file, name, seq)) {
    net->app_out = NULL;
    net->ctx.trace = explain_trace(ex);
    network_run(net);
    for (guint i = 0; i < net->apps->len; i++)
      app_finish(g_ptr_array_index(net->apps, i));
    if (explain_found(ex)) {
      explain_finish(ex, file);
      fputs(explain_text(ex), stdout);
      status = cli_explain_draw(ex, net, out) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    } else {
      cli_explain_missing(ex, net, name, seq, id);
    }
  }
  explain_free(ex);
  network_free(net);
  return status;
}

/* Checks the options; FALSE after saying what is wrong. */
static gboolean cli_explain_usage(const char *packet, const char *app, int seq, uint64_t *id)
{
  if (!packet == !app) {
    fprintf(stderr, "ipsim explain: give --packet ID, or --app NAME [--seq N]; see 'ipsim help explain'\n");
    return FALSE;
  }
  if (app && seq < 1) {
    fprintf(stderr, "ipsim explain: --seq must be 1 or more\n");
    return FALSE;
  }
  char *end = NULL;
  if (packet && (g_ascii_strtoull(packet[0] == '#' ? packet + 1 : packet, &end, 10) == 0 || *end)) {
    fprintf(stderr, "ipsim explain: --packet wants a packet id such as 7 (the #7 of a trace line), not '%s'\n", packet);
    return FALSE;
  }
  if (packet)
    *id = g_ascii_strtoull(packet[0] == '#' ? packet + 1 : packet, NULL, 10);
  return TRUE;
}

int cli_explain(int argc, char **argv)
{
  char *packet = NULL, *app = NULL, *out = NULL;
  int seq = 1;
  uint64_t id = 0;
  GOptionEntry entries[] = {{"packet", 0, 0, G_OPTION_ARG_STRING, &packet, NULL, NULL},
                            {"app", 0, 0, G_OPTION_ARG_STRING, &app, NULL, NULL},
                            {"seq", 0, 0, G_OPTION_ARG_INT, &seq, NULL, NULL},
                            {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  Scenario *sc = NULL;
  if (cli_parse_options("explain", entries, &argc, &argv) && cli_operands("explain", argc, argv, 1) &&
      cli_explain_usage(packet, app, seq, &id) && (sc = cli_load(argv[1], NULL))) {
    if (emu_needed(sc))
      fprintf(stderr, "ipsim explain: %s has Linux hosts: explain runs in simulated time only\n", argv[1]);
    else {
      sc->realtime.on = FALSE;
      status = cli_explain_run(sc, argv[1], out, id, app, seq);
    }
  }
  scenario_free(sc);
  g_free(packet);
  g_free(app);
  g_free(out);
  return status;
}
