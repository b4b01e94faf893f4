/*
 * `explain ID` (or `why ID`) in `ipsim shell`: the story of packet #ID, as
 * `ipsim explain` tells it (explain.h), up to the shell's time. The story
 * is told from a second run: the session as `save` would write it (the
 * scenario with the shell's link events and pings) is built again and run
 * to the current time with the explain recorder on its trace, leaving the
 * live network untouched. Packet ids are those of the shell's trace, but
 * for events at the very time of a shell command, which the re-run orders
 * as a scenario's events (before the others of that time).
 *
 * Entry point: shell_explain().
 */
#include <string.h>

#include "sim/build/build.h"
#include "sim/cli/explain.h"
#include "sim/cli/shell.h"

/* The session as a scenario; NULL after printing why not. */
static Scenario *shell_explain_scenario(Shell *sh)
{
  GString *text = shell_session_text(sh);
  if (!text)
    return NULL;
  DiagList *diags = diag_list_new(sh->sc->file);
  Scenario *sc = scenario_load_data(text->str, text->len, sh->sc->file, diags);
  if (!sc) {
    char *first = diag_list_first_error(diags);
    shell_error(sh, "explain: the session does not load again: %s", first ? first : "?");
    g_free(first);
  }
  diag_list_free(diags);
  g_string_free(text, TRUE);
  return sc;
}

/* `explain ID` | `why ID` */
void shell_explain(Shell *sh, int argc, char **argv)
{
  const char *arg = argc == 2 ? argv[1] + (argv[1][0] == '#') : "";
  char *end = NULL;
  uint64_t id = g_ascii_strtoull(arg, &end, 10);
  if (argc != 2 || id == 0 || *end) {
    shell_error(sh, "usage: %s ID (a packet id, the #ID of a trace line)", argv[0]);
    return;
  }
  Scenario *sc = shell_explain_scenario(sh);
  if (!sc)
    return;
  Network *net = build_network(sc);
  Explain *ex = explain_new(net, id);
  net->ctx.trace = explain_trace(ex);
  scheduler_run(net->ctx.sched, network_now(sh->net));
  fflush(sh->out);
  if (explain_found(ex)) {
    char *base = g_path_get_basename(sh->sc->file); /* the same story from any working directory */
    explain_finish(ex, base);
    g_free(base);
    fputs(explain_text(ex), sh->out);
  } else {
    shell_error(sh, "no packet #%" G_GUINT64_FORMAT " so far: the packets up to now are #1 to #%" G_GUINT64_FORMAT, id,
                explain_last_id(ex));
  }
  for (guint i = 0; i < net->apps->len; i++)
    app_finish(g_ptr_array_index(net->apps, i));
  explain_free(ex);
  network_free(net);
  scenario_free(sc);
}
