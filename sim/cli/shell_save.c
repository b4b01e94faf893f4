/*
 * `save FILE` in `ipsim shell`: what was done in the shell, as a scenario.
 * The shell records each action as a YAML flow item (a link down or up as
 * an `events:` item at its time, a ping as an `apps:` item starting then);
 * save writes the scenario's own text with those items added at the end
 * of its `events:` and `apps:` lists (or new lists when it has none), and
 * `stop:` moved to 1 s past the shell's time when that is later (events
 * must come before the stop). `ipsim run` on the
 * saved file replays the session. A list written in flow style
 * (`events: [...]`, on one line or more) takes the items before its `]`.
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

/* TRUE when line `l` is the top-level key `key`; *flow gets where a flow
 * sequence ("[...]") after it opens, or NULL when a block follows. */
static gboolean shell_is_key(const char *l, const char *key, const char **flow)
{
  size_t n = strlen(key);
  if (strncmp(l, key, n) != 0 || l[n] != ':')
    return FALSE;
  const char *rest = l + n + 1 + strspn(l + n + 1, " \t");
  *flow = *rest == '[' ? rest : NULL;
  return TRUE;
}

/* The `]` that closes the flow sequence opening at `open` (quotes and
 * nested brackets skipped), or NULL. */
static const char *shell_flow_end(const char *open)
{
  int depth = 0;
  for (const char *c = open; *c; c++) {
    if (*c == '"' || *c == '\'') {
      const char *q = strchr(c + 1, *c);
      if (!q)
        return NULL;
      c = q;
    } else if (*c == '#' && c > open && strchr(" \t", c[-1])) {
      c += strcspn(c, "\n") - 1;
    } else if (*c == '[' || *c == '{') {
      depth++;
    } else if ((*c == ']' || *c == '}') && --depth == 0) {
      return c;
    }
  }
  return NULL;
}

/* Adds `items` to the flow sequence opening at `open` in `text`, before its
 * `]`; FALSE when it does not close. */
static gboolean shell_add_flow(GString *text, const char *open, const GPtrArray *items)
{
  const char *end = shell_flow_end(open);
  if (!end)
    return FALSE;
  gboolean empty = strspn(open + 1, " \t\r\n") == (size_t)(end - open - 1);
  while (end > open + 1 && strchr(" \t", end[-1])) /* after the last item: "{ ... }, { ... } ]" */
    end--;
  GString *add = g_string_new(NULL);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf(add, "%s%s", i || !empty ? ", " : " ", (const char *)g_ptr_array_index(items, i));
  g_string_insert(text, end - text->str, add->str);
  g_string_free(add, TRUE);
  return TRUE;
}

/* Appends `items` as block list entries. */
static void shell_append_items(GString *out, const GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf(out, "  - %s\n", (const char *)g_ptr_array_index(items, i));
}

/* Where the top-level key `key` of `text` has a flow sequence ("[...]"),
 * or NULL (a block list, or no such key). */
static const char *shell_flow_list(const char *text, const char *key)
{
  const char *flow = NULL;
  for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
    if (!strchr(" \t#\r\n-", l[0]) && shell_is_key(l, key, &flow))
      return flow;
  return NULL;
}

/* Adds `items` to the top-level list `key` of `text`, a block list or a
 * flow sequence (a new block list when there is none); FALSE when a flow
 * sequence does not close. */
static gboolean shell_add_items(GString *text, const char *key, const GPtrArray *items)
{
  const char *flow = items->len ? shell_flow_list(text->str, key) : NULL;
  if (!items->len || flow)
    return !flow || shell_add_flow(text, flow, items);
  GString *out = g_string_new(NULL);
  gboolean in = FALSE, found = FALSE;
  for (const char *l = text->str; *l || in;) {
    size_t n = *l ? strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n') : 0;
    gboolean top = !*l || !strchr(" \t#\r\n-", l[0]);
    if (in && top) {
      shell_append_items(out, items);
      in = FALSE;
    }
    if (top && *l && shell_is_key(l, key, &flow))
      in = found = TRUE;
    g_string_append_len(out, l, (gssize)n);
    l += n;
  }
  if (!found) {
    g_string_append_printf(out, "%s%s:\n", out->len && out->str[out->len - 1] != '\n' ? "\n" : "", key);
    shell_append_items(out, items);
  }
  g_string_assign(text, out->str);
  g_string_free(out, TRUE);
  return TRUE;
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
    shell_error(sh, "the scenario's events: or apps: list ([...]) does not close");
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
