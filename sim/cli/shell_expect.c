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
 * Entry points: shell_expect(); shell_load_variant() (the session with
 * one top-level key replaced, loaded: also for `trace on` and `start`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/build/expect.h"
#include "sim/cli/shell.h"

/* `text` without its top-level `key:` block, then `block`. */
static char *shell_variant_text(const char *text, const char *key, const char *block)
{
  GString *out = g_string_new(NULL);
  gboolean skip = FALSE;
  size_t n = strlen(key);
  for (const char *l = text; *l;) {
    const char *end = strchr(l, '\n');
    size_t len = end ? (size_t)(end - l + 1) : strlen(l);
    if (!strchr(" \t#\r\n-]}", l[0])) /* a top-level key */
      skip = strncmp(l, key, n) == 0 && l[n] == ':';
    if (!skip)
      g_string_append_len(out, l, (gssize)len);
    l += len;
  }
  g_string_append_printf(out, "\n%s\n", block);
  return g_string_free(out, FALSE);
}

/* Prints the loader's first error as "error: WHAT: message", without its
 * place in the file (past the file's end), but with its column on the
 * shell's line when it is in `item` (which `data` holds), at column `col`
 * of that line. */
static void shell_variant_error(Shell *sh, const DiagList *diags, const char *data, const ShellVariant *v)
{
  char *first = diag_list_first_error(diags);
  const char *file = sh->sc->file, *at = v->item ? strstr(data, v->item) : NULL;
  const char *msg = first && g_str_has_prefix(first, file) ? first + strlen(file) : NULL;
  guint line = 0, column = 0, item_line = 1;
  int used = 0;
  if (msg && sscanf(msg, ":%u:%u: %n", &line, &column, &used) == 2 && used > 0)
    msg += used;
  else if (msg)
    msg = strstr(msg, ": ") ? strstr(msg, ": ") + 2 : msg;
  const char *line_start = data;
  for (const char *c = data; at && c < at; c++)
    if (*c == '\n')
      item_line++, line_start = c + 1;
  if (at && line == item_line && column > (guint)(at - line_start))
    shell_error(sh, "%s: column %u: %s", v->what, column - (guint)(at - line_start) - 1 + (guint)v->col, msg);
  else
    shell_error(sh, "%s: %s", v->what, msg ? msg : first ? first : "it does not load");
  g_free(first);
}

/* The session (the scenario with what the shell did, shell_session_text())
 * with its top-level `v->key:` replaced by `v->block` (no key: the session
 * as it is), loaded and checked as a file is; NULL after printing the
 * loader's first error. */
Scenario *shell_load_variant(Shell *sh, const ShellVariant *v)
{
  GString *text = shell_session_text(sh);
  if (!text)
    return NULL;
  char *data = v->key ? shell_variant_text(text->str, v->key, v->block) : g_strdup(text->str);
  DiagList *diags = diag_list_new(sh->sc->file);
  Scenario *sc = scenario_load_data(data, strlen(data), sh->sc->file, diags);
  if (sc && !expect_validate(sc, diags)) {
    scenario_free(sc);
    sc = NULL;
  }
  if (!sc)
    shell_variant_error(sh, diags, data, v);
  diag_list_free(diags);
  g_free(data);
  g_string_free(text, TRUE);
  return sc;
}

/* Loads the scenario with `item` as its one check; NULL after printing the loader's errors. */
static Scenario *shell_expect_load(Shell *sh, const char *item)
{
  char *block = g_strdup_printf("expect:\n  - %s", item);
  ShellVariant v = {"expect", block, "expect", item, 8}; /* "expect {": the item from column 8 */
  Scenario *sc = shell_load_variant(sh, &v);
  g_free(block);
  if (sc && sc->expects->len != 1) {
    shell_error(sh, "expect: not one check");
    scenario_free(sc);
    sc = NULL;
  }
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
