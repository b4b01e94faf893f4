/*
 * `ipsim ladder DIR (--between A,B | --nodes A,B,... | --flow F) [--layers]
 * [--from T] [--to T] [--collapse N] [-o OUT]`: the ladder (sequence)
 * diagram of the messages in DIR/trace.txt between chosen nodes
 * (ladder_build.c; DIR/trace.tags, when the run wrote it, gives each
 * line's layer and the apps' flows: --flow NAME, --layers), as
 * text on standard output, or drawn to OUT by its extension: .txt, .svg,
 * .png or .pdf (viz/ladder_draw.c). Above N messages (default 60; 0:
 * never) runs of data segments, ACKs or datagrams in one direction merge
 * into bands (ladder_collapse()).
 *
 * Entry point: cli_ladder().
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/ladder_build.h"
#include "sim/text/units.h"
#include "viz/ladder.h"

enum { CLI_LADDER_COLLAPSE = 60 };

typedef struct {
  char *between, *nodes, *flow, *from, *to, *out;
  gint collapse;
  gboolean layers;
} LadderArgs;

/* Reads a --from or --to value (NULL: none) into *t; FALSE after saying why. */
static gboolean cli_ladder_time(const char *opt, const char *text, SimTime *t)
{
  GError *error = NULL;
  *t = -1;
  if (!text || units_parse_duration(text, t, &error))
    return TRUE;
  fprintf(stderr, "ipsim ladder: --%s %s: %s\n", opt, text, error->message);
  g_error_free(error);
  return FALSE;
}

/* The query from the options; FALSE after saying why. */
static gboolean cli_ladder_query(const LadderArgs *a, LadderQuery *q)
{
  *q = (LadderQuery){.flow = a->flow, .hops = a->nodes != NULL, .layers = a->layers};
  if ((a->between && a->nodes) || (!a->between && !a->nodes && !a->flow)) {
    fprintf(stderr, "ipsim ladder: give --between A,B (end to end), or --nodes A,B,... (hop by hop), or --flow "
                    "PORT or APP; see 'ipsim help ladder'\n");
    return FALSE;
  }
  const char *list = a->nodes ? a->nodes : a->between;
  if (list)
    q->lanes = g_strsplit(list, ",", -1);
  if (q->lanes && g_strv_length(q->lanes) < 2) {
    fprintf(stderr, "ipsim ladder: --%s %s: name two nodes or more, separated by commas\n",
            a->nodes ? "nodes" : "between", list);
    return FALSE;
  }
  if (a->collapse < 0) {
    fprintf(stderr, "ipsim ladder: --collapse %d: expected a number of messages, 0 for never\n", a->collapse);
    return FALSE;
  }
  return cli_ladder_time("from", a->from, &q->from) && cli_ladder_time("to", a->to, &q->to);
}

/* The format of OUT by its extension; FALSE (and *text) for .txt. */
static gboolean cli_ladder_format(const char *out, LadderFormat *f, gboolean *text)
{
  static const struct {
    const char *ext;
    LadderFormat f;
  } exts[] = {{".svg", LADDER_SVG}, {".png", LADDER_PNG}, {".pdf", LADDER_PDF}};
  *text = g_str_has_suffix(out, ".txt");
  for (guint i = 0; i < G_N_ELEMENTS(exts); i++)
    if (g_str_has_suffix(out, exts[i].ext)) {
      *f = exts[i].f;
      return TRUE;
    }
  if (!*text)
    fprintf(stderr, "ipsim ladder: -o %s: expected a name ending in .svg, .png, .pdf or .txt\n", out);
  return *text;
}

/* Writes the ladder to OUT (or standard output). */
static int cli_ladder_write(const Ladder *l, const char *out)
{
  LadderFormat f = LADDER_SVG;
  gboolean text = !out;
  GError *error = NULL;
  if (out && !cli_ladder_format(out, &f, &text))
    return CLI_EXIT_USAGE;
  gboolean ok = TRUE;
  if (text) {
    char *s = ladder_text(l);
    if (out)
      ok = g_file_set_contents(out, s, -1, &error);
    else
      fputs(s, stdout);
    g_free(s);
  } else
    ok = ladder_render(l, out, f, &error);
  if (!ok) {
    fprintf(stderr, "ipsim ladder: %s\n", error->message);
    g_error_free(error);
  }
  return ok ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

/* The ladder of DIR's trace for `q`, written to OUT. */
static int cli_ladder_run(const char *dir, const LadderQuery *q, const LadderArgs *a)
{
  char *path = g_build_filename(dir, "trace.txt", NULL), *text = NULL;
  GError *error = NULL;
  int status = CLI_EXIT_USAGE;
  if (!g_file_get_contents(path, &text, NULL, &error)) {
    fprintf(stderr, "ipsim ladder: %s (run the scenario with 'output: { trace: true }' and --out %s)\n", error->message,
            dir);
    g_clear_error(&error);
  }
  char *tags_path = g_build_filename(dir, "trace.tags", NULL), *tags = NULL;
  if (text && !g_file_get_contents(tags_path, &tags, NULL, NULL))
    tags = NULL; /* an older run, or one without the tags: layers from the verbs, flows by port */
  g_free(tags_path);
  Ladder *l = text ? ladder_build(text, tags, q, &error) : NULL;
  g_free(tags);
  if (text && !l) {
    fprintf(stderr, "ipsim ladder: %s: %s\n", path, error->message);
    g_clear_error(&error);
  }
  if (l) {
    ladder_collapse(l, (guint)a->collapse);
    status = cli_ladder_write(l, a->out);
  }
  ladder_free(l);
  g_free(text);
  g_free(path);
  return status;
}

int cli_ladder(int argc, char **argv)
{
  LadderArgs a = {.collapse = CLI_LADDER_COLLAPSE};
  GOptionEntry entries[] = {{"between", 0, 0, G_OPTION_ARG_STRING, &a.between, NULL, NULL},
                            {"nodes", 0, 0, G_OPTION_ARG_STRING, &a.nodes, NULL, NULL},
                            {"flow", 0, 0, G_OPTION_ARG_STRING, &a.flow, NULL, NULL},
                            {"from", 0, 0, G_OPTION_ARG_STRING, &a.from, NULL, NULL},
                            {"to", 0, 0, G_OPTION_ARG_STRING, &a.to, NULL, NULL},
                            {"collapse", 0, 0, G_OPTION_ARG_INT, &a.collapse, NULL, NULL},
                            {"layers", 0, 0, G_OPTION_ARG_NONE, &a.layers, NULL, NULL},
                            {"output", 'o', 0, G_OPTION_ARG_FILENAME, &a.out, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  LadderQuery q = {0};
  int status = CLI_EXIT_USAGE;
  if (cli_parse_options("ladder", entries, &argc, &argv) && cli_operands("ladder", argc, argv, 1) &&
      cli_ladder_query(&a, &q))
    status = cli_ladder_run(argv[1], &q, &a);
  g_strfreev(q.lanes);
  g_free(a.between);
  g_free(a.nodes);
  g_free(a.flow);
  g_free(a.from);
  g_free(a.to);
  g_free(a.out);
  return status;
}
