/*
 * Starting any app from `ipsim shell`, now: `start { type: bulk, on: h1,
 * to: h3, bytes: 1MB }` (one item of a scenario's `apps:` list, every key
 * of doc/scenario.md's Apps), or the compact `SRC KIND [DST] [KEY VALUE]...
 * [for DURATION]` (`h1 traceroute h3`, `h1 udp-cbr h2:9 rate 1Mbps for
 * 2s`, `h3 udp-sink port 9`: sinks and servers take no DST), which
 * becomes the same item: `type: KIND, on: SRC, to: DST`, each KEY: VALUE,
 * `stop:` DURATION from now. The app
 * starts at the shell's time unless the item says `start:`.
 *
 * The item is loaded by the scenario loader itself, in the session's
 * context (shell_load_variant(): the scenario with the shell's apps and
 * events, and this item at the end of its `apps:`), so that every key is
 * parsed and checked as in a file, with the same messages (and the column
 * on the shell's line for `start {...}`). The loaded scenario is kept for
 * as long as the network (Shell.loaded): the App points to its AppConfig.
 * `save` writes the item (with its name and start) among the apps.
 *
 * Entry points: shell_start_kind(), shell_start_words(), shell_start().
 */
#include <string.h>

#include "models/app/app.h"
#include "sim/cli/shell.h"
#include "sim/text/units.h"

/* TRUE when `word` names an app kind the compact form starts (ping has its own `SRC ping DST [-c N]`). */
gboolean shell_start_kind(const char *word)
{
  for (const char *const *k = app_kind_names(); *k; k++)
    if (strcmp(*k, word) == 0)
      return strcmp(word, "ping") != 0;
  return FALSE;
}

/* TRUE when the flow mapping `item` gives the key `key`. */
static gboolean shell_item_has(const char *item, const char *key)
{
  size_t n = strlen(key);
  for (const char *c = strstr(item, key); c; c = strstr(c + 1, key))
    if (strchr("{, \t", c[-1]) && c[n] == ':')
      return TRUE;
  return FALSE;
}

/* `item` (a flow mapping "{ ... }") with `name:` (when `name` is not NULL)
 * and `start:` (when `start` is not NULL) added. */
static char *shell_item_with(const char *item, const char *name, const char *start)
{
  GString *s = g_string_new(item);
  while (s->len && strchr(" \t}", s->str[s->len - 1]))
    g_string_truncate(s, s->len - 1);
  if (start)
    g_string_append_printf(s, ", start: %s", start);
  g_string_append(s, " }");
  if (name) {
    char *named = g_strdup_printf("name: %s, ", name);
    g_string_insert(s, 1 + (gssize)strspn(s->str + 1, " "), named);
    g_free(named);
  }
  return g_string_free(s, FALSE);
}

/* Starts the last app of the loaded session `sc` (kept in Shell.loaded) and records `item`. */
static void shell_start_loaded(Shell *sh, Scenario *sc, const char *item)
{
  AppConfig *conf = scenario_app(sc, (int)sc->apps->len - 1);
  SimTime now = network_now(sh->net);
  if (conf->start < now) {
    char *at = units_format_duration(now);
    shell_error(sh, "start: the app's start is past: the shell's time is %s", at);
    g_free(at);
    scenario_free(sc);
    return;
  }
  g_ptr_array_add(sh->loaded, sc);
  App *app = app_new(sh->net, conf, sh->net->apps->len);
  g_ptr_array_add(sh->net->apps, app);
  app_schedule(app);
  shell_record_app(sh, shell_item_with(item, shell_item_has(item, "name") ? NULL : conf->name, NULL));
  char *start = units_format_duration(conf->start);
  fprintf(sh->out, "%s (%s) on %s starts at %s%s\n", conf->name, app_kind_name(conf->kind), app->node->name, start,
          conf->start == now ? ", now: 'run for ...' shows it" : "");
  g_free(start);
}

/* Loads the flow mapping `item` as the session's next app and starts it;
 * `what` names the command in errors; `col` is the item's column on the
 * shell's line (0: it is not the user's text). */
static void shell_start_item(Shell *sh, const char *item, const char *what, int col)
{
  char *now = units_format_duration(network_now(sh->net));
  char *full = shell_item_has(item, "start") ? g_strdup(item) : shell_item_with(item, NULL, now);
  g_ptr_array_add(sh->apps_done, full);
  ShellVariant v = {NULL, NULL, what, col ? full : NULL, col}; /* `full` begins as the user's item */
  Scenario *sc = shell_load_variant(sh, &v);
  g_ptr_array_steal_index(sh->apps_done, sh->apps_done->len - 1);
  if (sc)
    shell_start_loaded(sh, sc, full);
  g_free(full);
  g_free(now);
}

/* `start { KEY: VALUE, ... }` */
void shell_start(Shell *sh, const char *item)
{
  size_t n = strlen(item);
  if (!n || item[0] != '{' || item[n - 1] != '}') {
    shell_error(sh, "usage: start { type: KIND, on: NODE, ... } (one item of a scenario's apps: list)");
    return;
  }
  shell_start_item(sh, item, "start", 7); /* "start {": the item from column 7 */
}

/* Appends ", KEY: VALUE" for the words after the destination; FALSE when one has no value. */
static gboolean shell_start_pairs(Shell *sh, GString *item, int argc, char **argv, int first)
{
  for (int i = first; i < argc; i += 2) {
    if (i + 1 >= argc) {
      shell_error(sh, "%s %s: '%s' has no value (KEY VALUE pairs after the destination)", argv[0], argv[1], argv[i]);
      return FALSE;
    }
    if (strcmp(argv[i], "for") == 0) {
      SimTime d;
      GError *error = NULL;
      if (!units_parse_duration(argv[i + 1], &d, &error)) {
        shell_error(sh, "%s %s: for %s: %s", argv[0], argv[1], argv[i + 1], error->message);
        g_error_free(error);
        return FALSE;
      }
      char *stop = units_format_duration(network_now(sh->net) + d);
      g_string_append_printf(item, ", stop: %s", stop);
      g_free(stop);
    } else {
      g_string_append_printf(item, ", %s: %s", argv[i], argv[i + 1]);
    }
  }
  return TRUE;
}

/* `SRC KIND [DST] [KEY VALUE]... [for DURATION]`: the words as an apps: item. */
void shell_start_words(Shell *sh, int argc, char **argv)
{
  GString *item = g_string_new(NULL);
  gboolean to = !g_str_has_suffix(argv[1], "-sink") && !g_str_has_suffix(argv[1], "-server"); /* servers have none */
  if (to && argc < 3) {
    shell_error(sh, "usage: SRC %s DST [KEY VALUE]... [for DURATION]", argv[1]);
    g_string_free(item, TRUE);
    return;
  }
  g_string_printf(item, "{ type: %s, on: %s", argv[1], argv[0]);
  if (to)
    g_string_append_printf(item, ", to: \"%s\"", argv[2]);
  if (shell_start_pairs(sh, item, argc, argv, to ? 3 : 2)) {
    g_string_append(item, " }");
    shell_start_item(sh, item->str, argv[1], 0);
  }
  g_string_free(item, TRUE);
}
