/*
 * `ipsim trace DIR [--node N]... [--iface N:IF]... [--proto P]...
 * [--layer L]... [--flow F] [--packet ID] [--from T] [--to T] [-e]`: the
 * lines of DIR/trace.txt (a run's text trace, doc/outputs.md) that match
 * every filter given, as written. Most filters read the line's own text:
 * its time, node, interface, the packet id after the verb (`--packet 9`
 * also keeps the lines of packets made from #9: its fragments, the errors
 * about it) and the protocols its headers name. `note` lines have no id
 * and no headers: --packet and --proto leave them out.
 *
 * What the text does not say, a line's layer, the apps' flows it belongs
 * to and its MAC addresses, comes from DIR/trace.tags, written by the run
 * beside trace.txt, a line per line (models/observe/trace.h): --layer,
 * --flow (an app's name, or a 5-tuple matched with trace_flow_match(), as
 * the run's own filter does) and -e (the MACs before the headers of a
 * link-layer line, as the run writes them with `macs: true`) need it.
 *
 * Entry points: cli_trace(); cli_trace_options() and
 * cli_trace_filter_clear() (cli_trace.h: the filter options, also for the
 * shell's `trace on`). The lines are cut by trace_line.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/observe/trace.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_trace.h"
#include "sim/cli/trace_line.h"
#include "sim/text/units.h"

/* The tags of one line (DIR/trace.tags): its layer, flows and key. */
typedef struct {
  char **f; /* the 9 fields: layer, flows, then the key's 7 (trace_key_format()) */
  TraceKey key;
} TraceTag;

static const char *const cli_trace_layers[] = {"link", "internet", "transport", "app", "routing"};

/* TRUE when `name` is in the NULL-terminated `list`, or there is no list. */
static gboolean cli_trace_in(char **list, const char *name)
{
  if (!list)
    return TRUE;
  for (char **n = list; *n; n++)
    if (strcmp(*n, name) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE when the line's interface, as "node:iface", is one of --iface. */
static gboolean cli_trace_iface_ok(const CliTraceFilter *f, const TraceLine *l)
{
  if (!f->ifaces)
    return TRUE;
  char *both = g_strdup_printf("%s:%s", l->node, l->iface);
  gboolean ok = cli_trace_in(f->ifaces, both);
  g_free(both);
  return ok;
}

/* TRUE when the line is about packet `id`, or a packet made from it. */
static gboolean cli_trace_packet_ok(const CliTraceFilter *f, const TraceLine *l)
{
  if (!f->packet)
    return TRUE;
  if (l->rest[0] != '#')
    return FALSE;
  char *end = NULL;
  if (g_ascii_strtoll(l->rest + 1, &end, 10) == f->packet)
    return TRUE;
  const char *hash = end && strncmp(end, " (", 2) == 0 ? strchr(end, '#') : NULL;
  return hash && g_ascii_strtoll(hash + 1, NULL, 10) == f->packet;
}

/* TRUE when the line's headers name one of --proto's protocols. */
static gboolean cli_trace_proto_ok(const CliTraceFilter *f, const TraceLine *l)
{
  return !f->protos || (strcmp(l->verb, "note") != 0 && trace_shows_proto(l->rest, f->protos));
}

/* TRUE when the line of tags `tag` (NULL: no tags) passes --layer and --flow. */
static gboolean cli_trace_tag_ok(const CliTraceFilter *f, const TraceTag *tag)
{
  if (!tag)
    return TRUE;
  if (f->layers && !cli_trace_in(f->layers, tag->f[0]))
    return FALSE;
  if (f->tuple)
    return trace_flow_match(f->tuple, &tag->key);
  if (!f->flow)
    return TRUE;
  char **names = g_strsplit(tag->f[1], ",", -1);
  gboolean ok = cli_trace_in(names, f->flow);
  g_strfreev(names);
  return ok;
}

/* TRUE when `line` (of tags `tag`, may be NULL) passes every filter of `f`. */
static gboolean cli_trace_keep(const CliTraceFilter *f, const char *line, const TraceTag *tag)
{
  char *copy = g_strdup(line);
  TraceLine l;
  gboolean ok = trace_line_split(copy, &l) && cli_trace_in(f->nodes, l.node) && cli_trace_iface_ok(f, &l) &&
                (f->from < 0 || l.time >= f->from) && (f->to < 0 || l.time <= f->to) && cli_trace_packet_ok(f, &l) &&
                cli_trace_proto_ok(f, &l) && cli_trace_tag_ok(f, tag);
  g_free(copy);
  return ok;
}

/* Prints `line`, with the MACs of `tag` before its headers for -e when it
 * has them (after "<time> <node> <iface> <verb> #N [(how #P)] ") and the
 * run did not write them already. */
static void cli_trace_emit(const CliTraceFilter *f, const char *line, const TraceTag *tag)
{
  const char *at = line;
  for (int i = 0; i < 4 && at; i++)
    at = strchr(at, ' ') ? strchr(at, ' ') + 1 : NULL;
  if (!f->macs || !tag || !tag->key.eth || !at || *at != '#' || !strchr(at, ' ')) {
    printf("%s\n", line);
    return;
  }
  at = strchr(at, ' ') + 1;
  if (*at == '(' && strstr(at, ") "))
    at = strstr(at, ") ") + 2;
  GString *s = g_string_new_len(line, at - line);
  gsize macs = s->len;
  trace_format_macs(s, tag->key.smac, tag->key.dmac);
  if (strncmp(at, s->str + macs, s->len - macs) == 0) /* the run wrote them (macs: true) */
    g_string_truncate(s, macs);
  g_string_append(s, at);
  printf("%s\n", s->str);
  g_string_free(s, TRUE);
}

/* Checks a --proto value. */
static gboolean cli_trace_proto_known(const char *name)
{
  if (trace_proto_known(name))
    return TRUE;
  fprintf(stderr, "ipsim trace: unknown protocol '%s' (expected arp, ipv4, icmp, udp, tcp, rip, ospf or stp)\n", name);
  return FALSE;
}

/* Reads a --from or --to value (NULL: none) into *out; FALSE after saying why. */
static gboolean cli_trace_bound(const char *opt, const char *text, SimTime *out)
{
  GError *error = NULL;
  *out = -1;
  if (!text)
    return TRUE;
  if (units_parse_duration(text, out, &error))
    return TRUE;
  fprintf(stderr, "ipsim trace: --%s %s: %s\n", opt, text, error->message);
  g_error_free(error);
  return FALSE;
}

/* Checks a --layer value. */
static gboolean cli_trace_layer_known(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(cli_trace_layers); i++)
    if (strcmp(name, cli_trace_layers[i]) == 0)
      return TRUE;
  fprintf(stderr, "ipsim trace: unknown layer '%s' (expected link, internet, transport, app or routing)\n", name);
  return FALSE;
}

/* Checks the filters of the command line and fills `f`. */
static gboolean cli_trace_filter(CliTraceFilter *f, const char *from, const char *to)
{
  for (char **p = f->protos; p && *p; p++)
    if (!cli_trace_proto_known(*p))
      return FALSE;
  for (char **p = f->layers; p && *p; p++)
    if (!cli_trace_layer_known(*p))
      return FALSE;
  if (f->flow && strchr(f->flow, ' ') && !trace_flow_parse(f->flow, &f->tuple, NULL)) {
    fprintf(stderr,
            "ipsim trace: --flow %s: expected an app's name or a 5-tuple such as 'udp 10.0.1.10:5000 > 10.0.2.10:9' "
            "(udp, tcp or icmp; ports optional, none for icmp)\n",
            f->flow);
    return FALSE;
  }
  for (char **i = f->ifaces; i && *i; i++)
    if (!strchr(*i, ':')) {
      fprintf(stderr, "ipsim trace: --iface %s: expected NODE:IFACE, such as r1:eth0\n", *i);
      return FALSE;
    }
  if (f->packet < 0) {
    fprintf(stderr, "ipsim trace: --packet %" G_GINT64_FORMAT ": expected a packet id, 1 or more\n", f->packet);
    return FALSE;
  }
  return cli_trace_bound("from", from, &f->from) && cli_trace_bound("to", to, &f->to);
}

/* Checks that every --node names a node some line of `lines` is about:
 * a misspelt node is an error, not an empty answer. */
static gboolean cli_trace_nodes_seen(char **lines, const CliTraceFilter *f, const char *path)
{
  for (char **n = f->nodes; n && *n; n++) {
    char *needle = g_strdup_printf(" %s ", *n);
    gboolean seen = FALSE;
    for (char **l = lines; *l && !seen; l++) {
      const char *sp = strchr(*l, ' ');
      seen = sp && strncmp(sp, needle, strlen(needle)) == 0;
    }
    g_free(needle);
    if (!seen) {
      fprintf(stderr, "ipsim trace: --node %s: no line of %s is about a node of that name\n", *n, path);
      return FALSE;
    }
  }
  return TRUE;
}

/* Reads DIR/trace.tags into one TraceTag per line of the trace (`n`
 * lines) and its flows' names (*flows); NULL after saying why. */
static TraceTag *cli_trace_read_tags(const char *dir, guint n, char ***flows)
{
  char *path = g_build_filename(dir, "trace.tags", NULL), *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL)) {
    fprintf(stderr, "ipsim trace: --layer, --flow and -e need %s, which the run writes beside trace.txt\n", path);
    g_free(path);
    return NULL;
  }
  char **lines = g_strsplit(text, "\n", -1);
  TraceTag *tags = g_new0(TraceTag, n + 1);
  guint i = 0;
  for (char **l = lines; *l; l++) {
    if (g_str_has_prefix(*l, "# flows:"))
      *flows = g_strsplit_set(g_strstrip(*l + strlen("# flows:")), " ", -1);
    if (**l == '#' || !**l || i > n)
      continue;
    tags[i].f = g_strsplit(*l, " ", -1);
    if (g_strv_length(tags[i].f) == 9)
      trace_key_parse(tags[i].f + 2, &tags[i].key);
    i++;
  }
  g_strfreev(lines);
  g_free(text);
  if (i != n || !*flows)
    fprintf(stderr, "ipsim trace: %s does not match trace.txt (%u tags for %u lines)\n", path, i, n);
  g_free(path);
  if (i == n && *flows)
    return tags;
  for (guint k = 0; k < i && k <= n; k++)
    g_strfreev(tags[k].f);
  g_free(tags);
  return NULL;
}

static void cli_trace_free_tags(TraceTag *tags, guint n)
{
  for (guint i = 0; tags && i < n; i++)
    g_strfreev(tags[i].f);
  g_free(tags);
}

/* Checks that --flow NAME names one of the run's flows. */
static gboolean cli_trace_flow_seen(const CliTraceFilter *f, char **flows)
{
  if (!f->flow || f->tuple || cli_trace_in(flows, f->flow))
    return TRUE;
  char *list = g_strjoinv(", ", flows);
  fprintf(stderr,
          "ipsim trace: --flow %s: no app of that name; the flows of this run are %s, or give a 5-tuple such "
          "as 'udp 10.0.1.10:5000 > 10.0.2.10:9'\n",
          f->flow, *list ? list : "none (it has no apps)");
  g_free(list);
  return FALSE;
}

/* Prints the lines of `lines` (`n`, tags `tags` or NULL) that pass `f`. */
static void cli_trace_print_lines(const CliTraceFilter *f, char **lines, guint n, const TraceTag *tags)
{
  for (guint i = 0; i < n; i++)
    if (cli_trace_keep(f, lines[i], tags ? &tags[i] : NULL))
      cli_trace_emit(f, lines[i], tags ? &tags[i] : NULL);
}

/* Prints the lines of the trace in `dir` that pass `f`. */
static int cli_trace_print(const char *dir, const CliTraceFilter *f)
{
  char *path = g_build_filename(dir, "trace.txt", NULL), *text = NULL;
  GError *error = NULL;
  if (!g_file_get_contents(path, &text, NULL, &error)) {
    fprintf(stderr, "ipsim trace: %s (run the scenario with 'output: { trace: true }' and --out %s)\n", error->message,
            dir);
    g_error_free(error);
    g_free(path);
    return CLI_EXIT_USAGE;
  }
  char **lines = g_strsplit(text, "\n", -1), **flows = NULL;
  guint n = g_strv_length(lines);
  n -= n && !*lines[n - 1]; /* the empty string after the last newline */
  TraceTag *tags = NULL;
  gboolean ok = cli_trace_nodes_seen(lines, f, path);
  if (ok && (f->layers || f->flow || f->macs))
    ok = (tags = cli_trace_read_tags(dir, n, &flows)) && cli_trace_flow_seen(f, flows);
  if (ok)
    cli_trace_print_lines(f, lines, n, tags);
  cli_trace_free_tags(tags, n);
  g_strfreev(flows);
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  return ok ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

/* Checks that one operand, the directory, remains. */
static gboolean cli_trace_operand(int argc)
{
  if (argc == 2)
    return TRUE;
  fprintf(stderr, "ipsim trace: expected one output DIR (a run's --out), found %d arguments; see 'ipsim help trace'\n",
          argc - 1);
  return FALSE;
}

/* Parses the filter options of `ipsim trace` out of argv (also for the
 * shell's `trace on`), leaving the operands; FALSE with `error` set. The
 * values are not checked: --from and --to stay text in *from and *to. */
gboolean cli_trace_options(CliTraceFilter *f, char **from, char **to, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {{"node", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->nodes, NULL, NULL},
                            {"iface", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->ifaces, NULL, NULL},
                            {"proto", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->protos, NULL, NULL},
                            {"layer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f->layers, NULL, NULL},
                            {"flow", 0, 0, G_OPTION_ARG_STRING, &f->flow, NULL, NULL},
                            {"macs", 'e', 0, G_OPTION_ARG_NONE, &f->macs, NULL, NULL},
                            {"packet", 0, 0, G_OPTION_ARG_INT64, &f->packet, NULL, NULL},
                            {"from", 0, 0, G_OPTION_ARG_STRING, from, NULL, NULL},
                            {"to", 0, 0, G_OPTION_ARG_STRING, to, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  GOptionContext *ctx = g_option_context_new(NULL);
  g_option_context_set_help_enabled(ctx, FALSE);
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean ok = g_option_context_parse(ctx, argc, argv, error);
  g_option_context_free(ctx);
  return ok;
}

void cli_trace_filter_clear(CliTraceFilter *f)
{
  g_strfreev(f->nodes);
  g_strfreev(f->ifaces);
  g_strfreev(f->protos);
  g_strfreev(f->layers);
  g_free(f->flow);
  trace_flow_free(f->tuple);
}

/* `ipsim trace DIR [filters]`: the matching lines of DIR/trace.txt. */
int cli_trace(int argc, char **argv)
{
  CliTraceFilter f = CLI_TRACE_FILTER_INIT;
  char *from = NULL, *to = NULL;
  GError *error = NULL;
  int status = CLI_EXIT_USAGE;
  if (!cli_trace_options(&f, &from, &to, &argc, &argv, &error)) {
    fprintf(stderr, "ipsim trace: %s; see 'ipsim help trace'\n", error->message);
    g_error_free(error);
  } else if (cli_trace_operand(argc) && cli_trace_filter(&f, from, to)) {
    status = cli_trace_print(argv[1], &f);
  }
  cli_trace_filter_clear(&f);
  g_free(from);
  g_free(to);
  return status;
}
