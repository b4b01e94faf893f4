/*
 * `save FILE` in `ipsim shell`: what was done in the shell, as a scenario.
 * The shell records each action as a YAML flow item (a link down or up as
 * an `events:` item at its time, a ping as an `apps:` item starting then);
 * save writes the scenario's own text with those items added at the end
 * of its `events:` and `apps:` lists (or new lists when it has none), and
 * `stop:` moved to 1 s past the shell's time when that is later (events
 * must come before the stop). `ipsim run` on the
 * saved file replays the session. Lists written in flow style on one line
 * (`events: [...]`) cannot take items this way and are refused.
 *
 * Entry points: shell_record_event(), shell_record_app(), shell_save(),
 * shell_session_text() (also for `explain`).
 */
#include <errno.h>
#include <string.h>

#include "sim/cli/shell.h"
#include "sim/text/units.h"

void shell_record_event(Shell *sh, char *item)
{
  g_ptr_array_add(sh->events_done, item);
}

void shell_record_app(Shell *sh, char *item)
{
  g_ptr_array_add(sh->apps_done, item);
}

/* TRUE when line `l` is the top-level key `key` opening a block ("events:" and nothing after). */
static gboolean shell_is_block_key(const char *l, const char *key, gboolean *flow)
{
  size_t n = strlen(key);
  if (strncmp(l, key, n) != 0 || l[n] != ':')
    return FALSE;
  const char *rest = l + n + 1 + strspn(l + n + 1, " \t");
  *flow = !strchr("#\r\n", *rest);
  return TRUE;
}

/* Adds `items` to the top-level list `key` of `text` (FALSE when it is in flow style). */
static gboolean shell_add_items(GString *text, const char *key, const GPtrArray *items)
{
  if (!items->len)
    return TRUE;
  GString *out = g_string_new(NULL);
  gboolean in = FALSE, found = FALSE, flow = FALSE;
  for (const char *l = text->str; *l || in;) {
    size_t n = *l ? strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n') : 0;
    gboolean top = !*l || !strchr(" \t#\r\n-", l[0]);
    if (in && top) {
      for (guint i = 0; i < items->len; i++)
        g_string_append_printf(out, "  - %s\n", (const char *)g_ptr_array_index(items, i));
      in = FALSE;
    }
    if (top && *l && shell_is_block_key(l, key, &flow))
      in = found = !flow;
    g_string_append_len(out, l, (gssize)n);
    l += n;
  }
  if (!found && !flow) {
    g_string_append_printf(out, "%s%s:\n", out->len && out->str[out->len - 1] != '\n' ? "\n" : "", key);
    for (guint i = 0; i < items->len; i++)
      g_string_append_printf(out, "  - %s\n", (const char *)g_ptr_array_index(items, i));
  }
  g_string_assign(text, out->str);
  g_string_free(out, TRUE);
  return !flow;
}

/* Moves the top-level `stop:` to `at` (or adds one). */
static void shell_set_stop(GString *text, SimTime at)
{
  char *stop = units_format_duration(at),
       *line = g_strdup_printf("stop: %s # 1 s past the shell's time at save\n", stop);
  const char *p = text->str;
  while (p && !g_str_has_prefix(p, "stop:"))
    p = (p = strchr(p, '\n')) ? p + 1 : NULL;
  if (p) {
    gsize at_pos = (gsize)(p - text->str), len = strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
    g_string_erase(text, (gssize)at_pos, (gssize)len);
    g_string_insert(text, (gssize)at_pos, line);
  } else {
    g_string_append(text, line);
  }
  g_free(line);
  g_free(stop);
}

/* The scenario's text with the session's events and apps (what `save`
 * writes); NULL after printing why not. */
GString *shell_session_text(Shell *sh)
{
  char *orig = NULL;
  GError *error = NULL;
  if (!g_file_get_contents(sh->sc->file, &orig, NULL, &error)) {
    shell_error(sh, "cannot read '%s' again: %s", sh->sc->file, error->message);
    g_error_free(error);
    return NULL;
  }
  GString *text = g_string_new(orig);
  g_free(orig);
  if (!shell_add_items(text, "events", sh->events_done) || !shell_add_items(text, "apps", sh->apps_done)) {
    shell_error(sh, "the scenario's events: or apps: list is in flow style ([...]); write it as a block list");
    g_string_free(text, TRUE);
    return NULL;
  }
  if (network_now(sh->net) >= sh->sc->stop)
    shell_set_stop(text, network_now(sh->net) + SIMTIME_S(1));
  return text;
}

/* `save FILE` */
void shell_save(Shell *sh, int argc, char **argv)
{
  if (argc != 2) {
    shell_error(sh, "usage: save FILE (the scenario with what the shell did as events and apps)");
    return;
  }
  GString *text = shell_session_text(sh);
  if (!text)
    return;
  GError *error = NULL;
  if (g_file_set_contents(argv[1], text->str, (gssize)text->len, &error)) {
    fprintf(sh->out, "saved %s: %u event%s and %u app%s added\n", argv[1], sh->events_done->len,
            sh->events_done->len == 1 ? "" : "s", sh->apps_done->len, sh->apps_done->len == 1 ? "" : "s");
  } else {
    shell_error(sh, "save: %s", error->message);
    g_error_free(error);
  }
  g_string_free(text, TRUE);
}
