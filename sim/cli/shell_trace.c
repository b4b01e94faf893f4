/*
 * `trace on [FILTERS]` and `trace off` in `ipsim shell`: the live trace
 * to standard output, filtered as `ipsim trace` and the scenario's
 * `output: { trace: {...} }` filter it. The options are those of `ipsim
 * trace` (--node N, --iface N:IF, --proto P, --layer L, --flow F,
 * --packet ID, --from T, --to T, -e), parsed by the same parser
 * (cli_trace_options()); bare words are layers, nodes or protocols (`trace
 * on r1 routing`). The filters are then written as an output.trace
 * mapping and loaded in the session's own context by the scenario loader
 * (shell_load_variant()), so that every name and value is checked, with
 * the same messages, as in a file; the loaded filters go on the shell's
 * trace with build_trace_filter_apply(), as `ipsim run` puts them on its.
 *
 * Entry point: shell_trace().
 */
#include <string.h>

#include "models/app/app.h"
#include "sim/build/build.h"
#include "sim/cli/cli_trace.h"
#include "sim/cli/shell.h"

/* Sorts a bare word after `trace on` into the filter's layers, nodes or
 * protocols; FALSE when it is none. */
static gboolean shell_trace_word(Shell *sh, const char *word, GPtrArray *layers, GPtrArray *nodes, GPtrArray *protos)
{
  for (guint b = 0; b < 5; b++)
    if (strcmp(word, trace_layer_name((TraceLayer)(1u << b))) == 0) {
      g_ptr_array_add(layers, g_strdup(word));
      return TRUE;
    }
  if (network_find_node(sh->net, word))
    g_ptr_array_add(nodes, g_strdup(word));
  else if (trace_proto_known(word))
    g_ptr_array_add(protos, g_strdup(word));
  else
    return FALSE;
  return TRUE;
}

/* Appends `key: ["a", "b"]` of `words` and of `more` (NULL-terminated, may be NULL); nothing when both are empty. */
static void shell_trace_list(GString *map, const char *key, GPtrArray *words, char **more)
{
  for (char **w = more; w && *w; w++)
    g_ptr_array_add(words, g_strdup(*w));
  if (!words->len)
    return;
  g_string_append_printf(map, "%s%s: [", map->len > 1 ? ", " : " ", key);
  for (guint i = 0; i < words->len; i++)
    g_string_append_printf(map, "%s\"%s\"", i ? ", " : "", (const char *)g_ptr_array_index(words, i));
  g_string_append_c(map, ']');
}

/* Appends `key: "value"` when `value` is not NULL. */
static void shell_trace_scalar(GString *map, const char *key, const char *value)
{
  if (value)
    g_string_append_printf(map, "%s%s: \"%s\"", map->len > 1 ? ", " : " ", key, value);
}

/* The output.trace mapping of the options in `f` and the bare words
 * `words` (NULL-terminated); NULL after printing the word that is no filter. */
static char *shell_trace_map(Shell *sh, const CliTraceFilter *f, const char *from, const char *to, char **words)
{
  GPtrArray *lists[4];
  for (guint i = 0; i < 4; i++)
    lists[i] = g_ptr_array_new_with_free_func(g_free);
  char *bad = NULL;
  for (char **w = words; *w && !bad; w++)
    if (!shell_trace_word(sh, *w, lists[0], lists[1], lists[2]))
      bad = *w;
  GString *map = g_string_new("{");
  shell_trace_list(map, "layers", lists[0], f->layers);
  shell_trace_list(map, "nodes", lists[1], f->nodes);
  shell_trace_list(map, "protos", lists[2], f->protos);
  shell_trace_list(map, "ifaces", lists[3], f->ifaces);
  shell_trace_scalar(map, "flow", f->flow);
  shell_trace_scalar(map, "from", from);
  shell_trace_scalar(map, "to", to);
  if (f->packet)
    g_string_append_printf(map, "%spacket: %" G_GINT64_FORMAT, map->len > 1 ? ", " : " ", f->packet);
  if (f->macs)
    g_string_append_printf(map, "%smacs: true", map->len > 1 ? ", " : " ");
  g_string_append(map, map->len > 1 ? " }" : "}");
  for (guint i = 0; i < 4; i++)
    g_ptr_array_free(lists[i], TRUE);
  if (bad)
    shell_error(sh,
                "trace on: '%s' is no option, layer (link, internet, transport, app, routing), node or protocol (arp, "
                "ipv4, icmp, udp, tcp, rip, ospf)",
                bad);
  return bad ? g_string_free(map, TRUE) : g_string_free(map, FALSE);
}

/* Puts the filters of the loaded `sc` on the shell's trace, with the echo
 * identifiers of the pings already started (a ping's flow waits for its own). */
static void shell_trace_apply(Shell *sh, const Scenario *sc)
{
  build_trace_filter_apply(sh->trace, sh->net, sc);
  sh->trace->layers = sc->output.trace ? sc->output.trace : TRACE_ALL;
  for (guint i = 0; i < sh->net->apps->len; i++) {
    const App *app = g_ptr_array_index(sh->net->apps, i);
    if (app->started && app->echo_id)
      trace_set_echo_id(sh->trace, app->conf->name, app->echo_id);
  }
}

/* `trace on [FILTERS]`: parses, loads and applies the filters; FALSE after an error line. */
static gboolean shell_trace_on(Shell *sh, int argc, char **argv)
{
  CliTraceFilter f = CLI_TRACE_FILTER_INIT;
  char *from = NULL, *to = NULL, *map = NULL, **args = g_new0(char *, argc + 1);
  GError *error = NULL;
  for (int i = 1; i < argc; i++) /* "on" stands for the program's name; the parser only moves the words */
    args[i - 1] = argv[i];
  int n = argc - 1;
  gboolean ok = cli_trace_options(&f, &from, &to, &n, &args, &error);
  if (!ok) {
    shell_error(sh, "trace on: %s", error->message);
    g_error_free(error);
  } else if ((map = shell_trace_map(sh, &f, from, to, args + 1))) {
    char *block = g_strdup_printf("output: { trace: %s }", map);
    ShellVariant v = {"output", block, "trace on", NULL, 0};
    Scenario *sc = shell_load_variant(sh, &v);
    if ((ok = sc != NULL))
      shell_trace_apply(sh, sc);
    scenario_free(sc);
    g_free(block);
  }
  ok = ok && map;
  g_free(map);
  g_free(args);
  cli_trace_filter_clear(&f);
  g_free(from);
  g_free(to);
  return ok;
}

/* `trace on [FILTERS]` | `trace off`: the trace to standard output, of
 * every layer and line unless filters say which. */
void shell_trace(Shell *sh, int argc, char **argv)
{
  gboolean on = argc >= 2 && strcmp(argv[1], "on") == 0;
  if (argc < 2 || (!on && (argc != 2 || strcmp(argv[1], "off") != 0))) {
    shell_error(sh, "usage: trace on [--node N] [--iface N:IF] [--proto P] [--layer L] [--flow F] [--packet ID] "
                    "[--from T] [--to T] [-e] [LAYER|NODE|PROTO]... | trace off");
    return;
  }
  if (on && !shell_trace_on(sh, argc, argv))
    return;
  sh->net->ctx.trace = on ? sh->trace : NULL;
  sh->net->app_out = on && (sh->trace->layers & TRACE_APP) ? NULL : sh->out; /* the trace shows the apps' lines */
  fprintf(sh->out, "trace %s\n", on ? "on" : "off");
}
