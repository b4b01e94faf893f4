/*
 * `expect ITEM` in `ipsim shell`: one check of the scenario's `expect:`
 * list, written as a YAML flow mapping (`expect { route: { node: r1, to:
 * 10.2.0.0/24, via: r2 } }`), evaluated now against the live network. The
 * loader reads it in the context of the scenario itself (the scenario's
 * text with its own `expect:` block replaced by this one item), so that
 * every name is checked as in a file; a check of a moment (reach,
 * unreach, route, path, adjacency) runs at the current time, the others
 * (loss, never, ...) look at what happened so far. A failure is printed
 * as `ipsim run` prints it, without its place in the file. converged and outage
 * watch a span of time and are refused.
 *
 * Entry point: shell_expect().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/build/expect.h"
#include "sim/cli/shell.h"

/* `text` without its top-level `expect:` block, then `expect: [item]`. */
static char *shell_expect_text(const char *text, const char *item)
{
  GString *out = g_string_new(NULL);
  gboolean skip = FALSE;
  for (const char *l = text; *l;) {
    const char *end = strchr(l, '\n');
    size_t n = end ? (size_t)(end - l + 1) : strlen(l);
    if (!strchr(" \t#\r\n-", l[0])) /* a top-level key */
      skip = g_str_has_prefix(l, "expect:");
    if (!skip)
      g_string_append_len(out, l, (gssize)n);
    l += n;
  }
  g_string_append_printf(out, "\nexpect:\n  - %s\n", item);
  return g_string_free(out, FALSE);
}

/* Loads the scenario with `item` as its one check; NULL after printing the loader's errors. */
static Scenario *shell_expect_load(Shell *sh, const char *item)
{
  char *text = NULL, *data;
  gsize len;
  if (!g_file_get_contents(sh->sc->file, &text, &len, NULL)) {
    shell_error(sh, "cannot read '%s' again", sh->sc->file);
    return NULL;
  }
  data = shell_expect_text(text, item);
  DiagList *diags = diag_list_new(sh->sc->file);
  Scenario *sc = scenario_load_data(data, strlen(data), sh->sc->file, diags);
  if (sc && (!expect_validate(sc, diags) || sc->expects->len != 1)) {
    scenario_free(sc);
    sc = NULL;
  }
  if (!sc) {
    char *first = diag_list_first_error(diags);
    const char *msg = first && g_str_has_prefix(first, sh->sc->file) ? strstr(first, ": ") : NULL;
    shell_error(sh, "expect: %s", msg ? msg + 2 : first ? first : "not one check");
    g_free(first);
  }
  diag_list_free(diags);
  g_free(data);
  g_free(text);
  return sc;
}

/* TRUE for the checks of a moment, which run at their `at`. */
static gboolean shell_expect_timed(const char *check)
{
  static const char *const timed[] = {"reach", "unreach", "route", "path", "adjacency"};
  for (guint i = 0; i < G_N_ELEMENTS(timed); i++)
    if (strcmp(check, timed[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Prints what expect_finish() wrote, each line without the place in the
 * file ("FILE:49:5: "), which is the shell's own line past the file's end. */
static void shell_expect_print(Shell *sh, const char *text, const char *file)
{
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l && (**l || l[1]); l++) {
    const char *failed = g_str_has_prefix(*l, file) ? strstr(*l, "expect failed") : NULL;
    fprintf(sh->out, "%s\n", failed ? failed : *l);
  }
  g_strfreev(lines);
}

/* `expect ITEM`: loads the check, runs it now, prints passed or the failure. */
void shell_expect(Shell *sh, const char *item)
{
  if (!*item) {
    shell_error(sh, "usage: expect { CHECK: { ... } } (one item of a scenario's expect: list)");
    return;
  }
  Scenario *sc = shell_expect_load(sh, item);
  if (!sc)
    return;
  ScenarioExpect *e = &g_array_index(sc->expects, ScenarioExpect, 0);
  if (e->after >= 0) {
    shell_error(sh, "expect: '%s' watches a span of time; the shell evaluates a check now", e->check);
    scenario_free(sc);
    return;
  }
  SimTime now = network_now(sh->net);
  if (shell_expect_timed(e->check) || e->at >= 0)
    e->at = now;
  Expect *ex = expect_new(sh->net, sc);
  scheduler_run(sh->net->ctx.sched, now); /* the check's event, at now */
  char *text = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&text, &size);
  guint passed = 0, failed = expect_finish(ex, mem, &passed);
  fclose(mem);
  shell_expect_print(sh, text, sc->file);
  free(text);
  fprintf(sh->out, "expect %s: %s\n", e->text, failed ? "FAILED" : "passed");
  expect_free(ex);
  scenario_free(sc);
}
