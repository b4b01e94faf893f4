/*
 * `ipsim trace DIR [--node N]... [--iface N:IF]... [--proto P]...
 * [--packet ID] [--from T] [--to T]`: the lines of DIR/trace.txt (a run's
 * text trace, doc/outputs.md) that match every filter given, as written.
 * Each filter reads the line's own text: its time, node, interface, the
 * packet id after the verb (`--packet 9` also keeps the lines of packets
 * made from #9: its fragments, the errors about it) and the protocols its
 * headers name. `note` lines have no id and no headers: --packet and
 * --proto leave them out.
 *
 * Entry point: cli_trace(). The lines are cut by trace_line.c.
 *
 * Leaves out (not yet): filtering by layer and by flow (a line's text does
 * not always tell its layer, nor which application's flow it belongs to),
 * the same filters in the scenario's `output.trace`, and -e (MAC
 * addresses, which the file does not hold).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/trace_line.h"
#include "sim/text/units.h"

typedef struct {
  char **nodes;  /* --node, NULL-terminated; NULL: any */
  char **ifaces; /* --iface as "node:iface" */
  char **protos; /* --proto, lowercase */
  gint64 packet; /* 0: any */
  SimTime from;  /* -1: from the start */
  SimTime to;    /* -1: to the end */
} TraceFilter;

static const char *const cli_trace_protos[][2] = {
    {"arp", " ARP "}, {"ipv4", " IPv4 "}, {"icmp", " ICMP "}, {"udp", " UDP "},
    {"tcp", " TCP "}, {"rip", " RIPv2 "}, {"ospf", " OSPF"},
};

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
static gboolean cli_trace_iface_ok(const TraceFilter *f, const TraceLine *l)
{
  if (!f->ifaces)
    return TRUE;
  char *both = g_strdup_printf("%s:%s", l->node, l->iface);
  gboolean ok = cli_trace_in(f->ifaces, both);
  g_free(both);
  return ok;
}

/* TRUE when the line is about packet `id`, or a packet made from it. */
static gboolean cli_trace_packet_ok(const TraceFilter *f, const TraceLine *l)
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
static gboolean cli_trace_proto_ok(const TraceFilter *f, const TraceLine *l)
{
  if (!f->protos)
    return TRUE;
  if (strcmp(l->verb, "note") == 0)
    return FALSE;
  char *padded = g_strdup_printf(" %s ", l->rest);
  gboolean ok = FALSE;
  for (char **p = f->protos; *p && !ok; p++)
    for (guint i = 0; i < G_N_ELEMENTS(cli_trace_protos) && !ok; i++)
      ok = strcmp(*p, cli_trace_protos[i][0]) == 0 && strstr(padded, cli_trace_protos[i][1]);
  g_free(padded);
  return ok;
}

/* TRUE when `line` passes every filter of `f`. */
static gboolean cli_trace_keep(const TraceFilter *f, const char *line)
{
  char *copy = g_strdup(line);
  TraceLine l;
  gboolean ok = trace_line_split(copy, &l) && cli_trace_in(f->nodes, l.node) && cli_trace_iface_ok(f, &l) &&
                (f->from < 0 || l.time >= f->from) && (f->to < 0 || l.time <= f->to) && cli_trace_packet_ok(f, &l) &&
                cli_trace_proto_ok(f, &l);
  g_free(copy);
  return ok;
}

/* Checks a --proto value. */
static gboolean cli_trace_proto_known(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(cli_trace_protos); i++)
    if (strcmp(name, cli_trace_protos[i][0]) == 0)
      return TRUE;
  fprintf(stderr, "ipsim trace: unknown protocol '%s' (expected arp, ipv4, icmp, udp, tcp, rip or ospf)\n", name);
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

/* Checks the filters of the command line and fills `f`. */
static gboolean cli_trace_filter(TraceFilter *f, const char *from, const char *to)
{
  for (char **p = f->protos; p && *p; p++)
    if (!cli_trace_proto_known(*p))
      return FALSE;
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
static gboolean cli_trace_nodes_seen(char **lines, const TraceFilter *f, const char *path)
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

/* Prints the lines of the trace in `dir` that pass `f`. */
static int cli_trace_print(const char *dir, const TraceFilter *f)
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
  char **lines = g_strsplit(text, "\n", -1);
  int status = cli_trace_nodes_seen(lines, f, path) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  for (char **l = lines; *l && status == CLI_EXIT_OK; l++)
    if (**l && cli_trace_keep(f, *l))
      printf("%s\n", *l);
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  return status;
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

/* `ipsim trace DIR [filters]`: the matching lines of DIR/trace.txt. */
int cli_trace(int argc, char **argv)
{
  TraceFilter f = {NULL, NULL, NULL, 0, -1, -1};
  char *from = NULL, *to = NULL;
  GOptionEntry entries[] = {{"node", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f.nodes, NULL, NULL},
                            {"iface", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f.ifaces, NULL, NULL},
                            {"proto", 0, 0, G_OPTION_ARG_STRING_ARRAY, &f.protos, NULL, NULL},
                            {"packet", 0, 0, G_OPTION_ARG_INT64, &f.packet, NULL, NULL},
                            {"from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL},
                            {"to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  if (cli_parse_options("trace", entries, &argc, &argv) && cli_trace_operand(argc) && cli_trace_filter(&f, from, to))
    status = cli_trace_print(argv[1], &f);
  g_strfreev(f.nodes);
  g_strfreev(f.ifaces);
  g_strfreev(f.protos);
  g_free(from);
  g_free(to);
  return status;
}
