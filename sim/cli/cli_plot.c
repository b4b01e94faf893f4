/*
 * `ipsim plot DIR (--cwnd | --rtt | --queue NODE:IFACE | --routes |
 * --throughput [FLOW]) [--conn C] [--node N] [--flow F] [--bin T]
 * [--from T] [--to T] -o OUT`: a time series of a run drawn as a line
 * chart (viz/plot.c) to OUT by its extension, .svg, .png or .pdf, or its
 * summary (axes, ticks, series) to .txt:
 *   --cwnd   cwnd (steps) and ssthresh (dashed steps) in bytes, per TCP
 *            connection, from DIR/tcp.csv (`output: { tcp-series: true }`);
 *   --rtt    smoothed RTT and RTO in milliseconds, from DIR/tcp.csv;
 *   --queue  the frames waiting in an interface's transmit queue, from
 *            DIR/queues.csv (`output: { queues: true }`);
 *   --routes the number of route changes so far, per router (or --node's),
 *            from DIR/routes.csv (`output: { routes: true }`);
 *   --throughput the goodput of each flow (or of FLOW: a port, an
 *            address, ADDR:PORT, or an app's name, whose 5-tuples
 *            DIR/trace.tags gives) in bins of --bin (100 ms; a multiple
 *            of 10 ms), from DIR/throughput.csv (every run writes it),
 *            each flow named after its apps when trace.tags says.
 * --conn keeps the connections of a node, or with a local or remote
 * address:port (or port).
 *
 * Entry point: cli_plot().
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/text/units.h"
#include "viz/plot.h"

typedef struct {
  gboolean cwnd, rtt, routes, throughput;
  char *queue, *conn, *node, *from, *to, *out, *flow, *bin;
} PlotArgs;

enum { CLI_PLOT_BIN_MS = 100 };

/* The lines of DIR/NAME after its header, or NULL after saying which
 * output key writes it. */
static char **cli_plot_read(const char *dir, const char *name, const char *key)
{
  char *path = g_build_filename(dir, name, NULL), *text = NULL;
  GError *error = NULL;
  char **lines = NULL;
  if (g_file_get_contents(path, &text, NULL, &error))
    lines = g_strsplit(text, "\n", -1);
  else {
    fprintf(stderr, "ipsim plot: %s (run the scenario with 'output: { %s: true }' and --out %s)\n", error->message, key,
            dir);
    g_error_free(error);
  }
  g_free(text);
  g_free(path);
  return lines;
}

/* A time as seconds (-1 when `text` is NULL); FALSE after saying why. */
static gboolean cli_plot_time(const char *opt, const char *text, double *t)
{
  GError *error = NULL;
  SimTime v;
  *t = -1;
  if (!text)
    return TRUE;
  if (units_parse_duration(text, &v, &error)) {
    *t = SIMTIME_TO_SECONDS(v);
    return TRUE;
  }
  fprintf(stderr, "ipsim plot: --%s %s: %s\n", opt, text, error->message);
  g_error_free(error);
  return FALSE;
}

/* Does connection `f` (time, node, local, remote, ...) match --conn? */
static gboolean cli_plot_conn_match(char **f, const char *conn)
{
  if (!conn)
    return TRUE;
  char *port = g_strconcat(":", conn, NULL);
  gboolean m = strcmp(f[1], conn) == 0 || strcmp(f[2], conn) == 0 || strcmp(f[3], conn) == 0 ||
               g_str_has_suffix(f[2], port) || g_str_has_suffix(f[3], port);
  g_free(port);
  return m;
}

/* Says that nothing matched `what`, listing the names there are. */
static void cli_plot_none(const char *opt, const char *what, const char *file, GPtrArray *names)
{
  GString *list = g_string_new(NULL);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf(list, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(names, i));
  if (names->len)
    fprintf(stderr, "ipsim plot: --%s %s: not in %s; there are: %s\n", opt, what, file, list->str);
  else
    fprintf(stderr, "ipsim plot: %s has no rows: nothing to plot\n", file);
  g_string_free(list, TRUE);
}

/* The two series of connection `key` (created when first seen), at
 * series[2i] and [2i+1]. */
static PlotSeries **cli_plot_conn_series(Plot *p, GHashTable *seen, GPtrArray *names, const char *key,
                                         const PlotArgs *a)
{
  gpointer index;
  if (!g_hash_table_lookup_extended(seen, key, NULL, &index)) {
    index = GUINT_TO_POINTER(names->len);
    g_ptr_array_add(names, g_strdup(key));
    g_hash_table_insert(seen, g_strdup(key), index);
  }
  guint i = GPOINTER_TO_UINT(index);
  while (p->series->len < 2 * (i + 1)) {
    const char *k = g_ptr_array_index(names, p->series->len / 2);
    gboolean second = p->series->len % 2;
    char *name = g_strdup_printf("%s %s", a->cwnd ? (second ? "ssthresh" : "cwnd") : (second ? "RTO" : "sRTT"), k);
    plot_series(p, name, a->cwnd, second);
    g_free(name);
  }
  return (PlotSeries **)&p->series->pdata[2 * i];
}

/* Adds a tcp.csv row's points (ssthresh only once a loss has set it). */
static void cli_plot_tcp_row(PlotSeries **s, char **f, const PlotArgs *a)
{
  double t = g_ascii_strtod(f[0], NULL);
  if (a->cwnd) {
    plot_point(s[0], t, g_ascii_strtod(f[4], NULL));
    if (strcmp(f[5], "2147483647") != 0)
      plot_point(s[1], t, g_ascii_strtod(f[5], NULL));
  } else {
    plot_point(s[0], t, g_ascii_strtod(f[6], NULL) * 1e3);
    plot_point(s[1], t, g_ascii_strtod(f[7], NULL) * 1e3);
  }
}

/* The cwnd or RTT plot of DIR/tcp.csv, or NULL after saying why. */
static Plot *cli_plot_tcp(const char *dir, const PlotArgs *a)
{
  char **lines = cli_plot_read(dir, "tcp.csv", "tcp-series");
  if (!lines)
    return NULL;
  char *base = g_path_get_basename(dir);
  char *title = g_strdup_printf("%s: %s per TCP connection", base, a->cwnd ? "cwnd and ssthresh" : "sRTT and RTO");
  Plot *p = plot_new(title, a->cwnd ? "cwnd and ssthresh (bytes)" : "sRTT and RTO (ms)");
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free), *all = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 1; lines[i]; i++) {
    char **f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) >= 9) {
      char *key = g_strdup_printf("%s %s > %s", f[1], f[2], f[3]);
      if (!g_ptr_array_find_with_equal_func(all, key, g_str_equal, NULL))
        g_ptr_array_add(all, g_strdup(key));
      if (cli_plot_conn_match(f, a->conn))
        cli_plot_tcp_row(cli_plot_conn_series(p, seen, names, key, a), f, a);
      g_free(key);
    }
    g_strfreev(f);
  }
  if (names->len == 0) {
    char *file = g_build_filename(dir, "tcp.csv", NULL);
    cli_plot_none("conn", a->conn ? a->conn : "", file, all);
    g_free(file);
    g_clear_pointer(&p, plot_free);
  }
  g_hash_table_destroy(seen);
  g_ptr_array_free(names, TRUE);
  g_ptr_array_free(all, TRUE);
  g_free(title);
  g_free(base);
  g_strfreev(lines);
  return p;
}

/* The queue plot of DIR/queues.csv for `a->queue` (NODE:IFACE), or NULL
 * after saying why. */
static Plot *cli_plot_queue(const char *dir, const PlotArgs *a)
{
  char **lines = cli_plot_read(dir, "queues.csv", "queues");
  if (!lines)
    return NULL;
  char *base = g_path_get_basename(dir);
  char *title = g_strdup_printf("%s: transmit queue of %s", base, a->queue);
  Plot *p = plot_new(title, "frames waiting (packets)");
  p->whole_y = TRUE;
  PlotSeries *s = plot_series(p, a->queue, TRUE, FALSE);
  gboolean found = FALSE;
  GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 1; lines[i]; i++) {
    char **f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) >= 5) {
      char *key = g_strdup_printf("%s:%s", f[1], f[2]);
      if (!g_ptr_array_find_with_equal_func(all, key, g_str_equal, NULL))
        g_ptr_array_add(all, g_strdup(key));
      if (strcmp(key, a->queue) == 0) {
        if (!found)
          plot_point(s, 0, 0); /* every queue starts empty */
        found = TRUE;
        plot_point(s, g_ascii_strtod(f[0], NULL), g_ascii_strtod(f[3], NULL));
      }
      g_free(key);
    }
    g_strfreev(f);
  }
  if (!found) {
    char *file = g_build_filename(dir, "queues.csv", NULL);
    cli_plot_none("queue", a->queue, file, all);
    g_free(file);
    g_clear_pointer(&p, plot_free);
  }
  g_ptr_array_free(all, TRUE);
  g_free(title);
  g_free(base);
  g_strfreev(lines);
  return p;
}

/* The series of router `node` (created, from 0 at time 0, when first seen). */
static PlotSeries *cli_plot_router(Plot *p, GHashTable *seen, const char *node)
{
  PlotSeries *s = g_hash_table_lookup(seen, node);
  if (!s) {
    s = plot_series(p, node, TRUE, FALSE);
    plot_point(s, 0, 0);
    g_hash_table_insert(seen, g_strdup(node), s);
  }
  return s;
}

/* The routes plot of DIR/routes.csv: per router (or --node's), the
 * number of route changes so far; NULL after saying why. */
static Plot *cli_plot_routes(const char *dir, const PlotArgs *a)
{
  char **lines = cli_plot_read(dir, "routes.csv", "routes");
  if (!lines)
    return NULL;
  char *base = g_path_get_basename(dir), *title = g_strdup_printf("%s: routing-table changes per router", base);
  Plot *p = plot_new(title, "route changes so far (count)");
  p->whole_y = TRUE;
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 1; lines[i]; i++) {
    char **f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) >= 9 && !g_ptr_array_find_with_equal_func(all, f[1], g_str_equal, NULL))
      g_ptr_array_add(all, g_strdup(f[1]));
    if (g_strv_length(f) >= 9 && (!a->node || strcmp(f[1], a->node) == 0)) {
      PlotSeries *s = cli_plot_router(p, seen, f[1]);
      plot_point(s, g_ascii_strtod(f[0], NULL), g_array_index(s->points, PlotPoint, s->points->len - 1).v + 1);
    }
    g_strfreev(f);
  }
  if (p->series->len == 0) {
    char *file = g_build_filename(dir, "routes.csv", NULL);
    cli_plot_none("node", a->node ? a->node : "", file, all);
    g_free(file);
    g_clear_pointer(&p, plot_free);
  }
  g_hash_table_destroy(seen);
  g_ptr_array_free(all, TRUE);
  g_free(title);
  g_free(base);
  g_strfreev(lines);
  return p;
}

/* The apps' flows of each 5-tuple ("tcp 10.0.0.1 49152 10.0.0.2 80" ->
 * "server,download"), from DIR/trace.tags; NULL when the run wrote no
 * tags. */
static GHashTable *cli_plot_tags(const char *dir)
{
  char *path = g_build_filename(dir, "trace.tags", NULL), *text = NULL;
  GHashTable *keys = NULL;
  if (g_file_get_contents(path, &text, NULL, NULL)) {
    keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
      char **f = g_strsplit(*l, " ", -1);
      if (**l != '#' && g_strv_length(f) == 9 && strcmp(f[1], "-") != 0 && strcmp(f[4], "-") != 0) {
        char *key = g_strjoinv(" ", f + 4);
        if (!g_hash_table_contains(keys, key))
          g_hash_table_insert(keys, key, g_strdup(f[1]));
        else
          g_free(key);
      }
      g_strfreev(f);
    }
    g_strfreev(lines);
  }
  g_free(text);
  g_free(path);
  return keys;
}

/* The apps' flows of throughput.csv row `f` (time, proto, src, sport,
 * dst, dport, ...) in `tags`, or NULL. */
static const char *cli_plot_row_apps(char **f, GHashTable *tags)
{
  if (!tags)
    return NULL;
  char *key = g_strdup_printf("%s %s %s %s %s", f[1], f[2], f[3], f[4], f[5]);
  const char *apps = g_hash_table_lookup(tags, key);
  g_free(key);
  return apps;
}

/* TRUE when the app `name` is one of `apps` ("server,download"). */
static gboolean cli_plot_apps_have(const char *apps, const char *name)
{
  char **list = apps ? g_strsplit(apps, ",", -1) : NULL;
  gboolean in = list && g_strv_contains((const char *const *)list, name);
  g_strfreev(list);
  return in;
}

/* Does the throughput.csv row `f` match --flow: a port, an address,
 * ADDR:PORT, or an app's name (trace.tags puts the row's 5-tuple in its
 * flow)? */
static gboolean cli_plot_flow_match(char **f, const char *flow, GHashTable *tags)
{
  if (!flow)
    return TRUE;
  char *src = g_strdup_printf("%s:%s", f[2], f[3]), *dst = g_strdup_printf("%s:%s", f[4], f[5]);
  gboolean m = strcmp(flow, f[3]) == 0 || strcmp(flow, f[5]) == 0 || strcmp(flow, f[2]) == 0 ||
               strcmp(flow, f[4]) == 0 || strcmp(flow, src) == 0 || strcmp(flow, dst) == 0 ||
               cli_plot_apps_have(cli_plot_row_apps(f, tags), flow);
  g_free(src);
  g_free(dst);
  return m;
}

/* A flow's goodput bytes per bin: bin index -> bytes. */
typedef struct {
  char *name;
  GArray *bytes; /* guint64 per bin, from bin 0 */
} CliPlotFlow;

static void cli_plot_flow_free(gpointer p)
{
  CliPlotFlow *f = p;
  g_free(f->name);
  g_array_free(f->bytes, TRUE);
  g_free(f);
}

/* Adds a throughput.csv row's goodput to its flow's bin of `bin_ms`; the
 * flow is named by its 5-tuple, after its apps when trace.tags says. */
static void cli_plot_flow_add(GPtrArray *flows, char **f, guint64 bin_ms, GHashTable *tags)
{
  const char *apps = cli_plot_row_apps(f, tags);
  char *name = g_strdup_printf("%s%s%s:%s > %s:%s", apps ? apps : "", apps ? " " : "", f[2], f[3], f[4], f[5]);
  CliPlotFlow *fl = NULL;
  for (guint i = 0; i < flows->len && !fl; i++)
    if (strcmp(((CliPlotFlow *)g_ptr_array_index(flows, i))->name, name) == 0)
      fl = g_ptr_array_index(flows, i);
  if (!fl) {
    fl = g_new0(CliPlotFlow, 1);
    fl->name = g_strdup(name);
    fl->bytes = g_array_new(FALSE, TRUE, sizeof(guint64));
    g_ptr_array_add(flows, fl);
  }
  guint64 ms = (guint64)(g_ascii_strtod(f[0], NULL) * 1000 + 0.5), bytes = g_ascii_strtoull(f[7], NULL, 10);
  guint k = (guint)(ms / bin_ms);
  if (fl->bytes->len <= k)
    g_array_set_size(fl->bytes, k + 1);
  g_array_index(fl->bytes, guint64, k) += bytes;
  g_free(name);
}

/* The unit for rates up to `max` bit/s: its name and its size. */
static double cli_plot_rate_unit(double max, const char **name)
{
  *name = max >= 1e6 ? "Mbit/s" : max >= 1e3 ? "kbit/s" : "bit/s";
  return max >= 1e6 ? 1e6 : max >= 1e3 ? 1e3 : 1;
}

/* Each flow's series: its goodput per bin as steps, from its first bin
 * with bytes to the end of its last (then 0). */
static void cli_plot_flow_series(Plot *p, GPtrArray *flows, guint64 bin_ms)
{
  double max = 0, secs = (double)bin_ms / 1e3;
  for (guint i = 0; i < flows->len; i++) {
    const CliPlotFlow *f = g_ptr_array_index(flows, i);
    for (guint k = 0; k < f->bytes->len; k++)
      max = MAX(max, (double)g_array_index(f->bytes, guint64, k) * 8 / secs);
  }
  const char *unit;
  double size = cli_plot_rate_unit(max, &unit);
  g_free(p->ylabel);
  p->ylabel = g_strdup_printf("goodput (%s)", unit);
  for (guint i = 0; i < flows->len; i++) {
    const CliPlotFlow *f = g_ptr_array_index(flows, i);
    PlotSeries *s = plot_series(p, f->name, TRUE, FALSE);
    guint k = 0;
    while (k < f->bytes->len && g_array_index(f->bytes, guint64, k) == 0)
      k++;
    for (; k < f->bytes->len; k++)
      plot_point(s, k * secs, (double)g_array_index(f->bytes, guint64, k) * 8 / secs / size);
    plot_point(s, f->bytes->len * secs, 0);
  }
}

/* The bin of --bin in ms (default 100), a multiple of throughput.csv's
 * 10 ms; 0 after saying why. */
static guint64 cli_plot_bin(const PlotArgs *a)
{
  SimTime v = SIMTIME_MS(CLI_PLOT_BIN_MS);
  GError *error = NULL;
  if (a->bin && !units_parse_duration(a->bin, &v, &error)) {
    fprintf(stderr, "ipsim plot: --bin %s: %s\n", a->bin, error->message);
    g_error_free(error);
    return 0;
  }
  if (v <= 0 || v % SIMTIME_MS(10) != 0) {
    fprintf(stderr, "ipsim plot: --bin %s: expected a multiple of 10ms (throughput.csv counts bytes per 10 ms)\n",
            a->bin);
    return 0;
  }
  return (guint64)(v / SIMTIME_MS(1));
}

/* Reads DIR/throughput.csv's rows of --flow into flows; the flows there are
 * (all) for the error when none matched. */
static void cli_plot_flows_read(char **lines, const PlotArgs *a, GHashTable *tags, guint64 bin_ms, GPtrArray *flows,
                                GPtrArray *all)
{
  for (guint i = 1; lines[i]; i++) {
    char **f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) >= 8) {
      char *key = g_strdup_printf("%s:%s > %s:%s", f[2], f[3], f[4], f[5]);
      if (!g_ptr_array_find_with_equal_func(all, key, g_str_equal, NULL))
        g_ptr_array_add(all, key);
      else
        g_free(key);
      if (cli_plot_flow_match(f, a->flow, tags))
        cli_plot_flow_add(flows, f, bin_ms, tags);
    }
    g_strfreev(f);
  }
}

/* The goodput plot of DIR/throughput.csv: per flow (or --flow's), in
 * bins of --bin; NULL after saying why. */
static Plot *cli_plot_throughput(const char *dir, const PlotArgs *a)
{
  guint64 bin_ms = cli_plot_bin(a);
  char **lines = bin_ms ? cli_plot_read(dir, "throughput.csv", "(any)") : NULL;
  if (!lines)
    return NULL;
  GHashTable *tags = cli_plot_tags(dir);
  char *base = g_path_get_basename(dir);
  char *title = g_strdup_printf("%s: goodput per flow%s%s, %" G_GUINT64_FORMAT " ms bins", base, a->flow ? " of " : "",
                                a->flow ? a->flow : "", bin_ms);
  Plot *p = plot_new(title, "goodput");
  GPtrArray *flows = g_ptr_array_new_with_free_func(cli_plot_flow_free), *all = g_ptr_array_new_with_free_func(g_free);
  cli_plot_flows_read(lines, a, tags, bin_ms, flows, all);
  cli_plot_flow_series(p, flows, bin_ms);
  if (flows->len == 0) {
    char *file = g_build_filename(dir, "throughput.csv", NULL);
    cli_plot_none("flow", a->flow ? a->flow : "", file, all);
    g_free(file);
    g_clear_pointer(&p, plot_free);
  }
  if (tags)
    g_hash_table_destroy(tags);
  g_ptr_array_free(flows, TRUE);
  g_ptr_array_free(all, TRUE);
  g_free(title);
  g_free(base);
  g_strfreev(lines);
  return p;
}

/* Writes `p` to OUT by its extension; the exit status. */
static int cli_plot_write(const Plot *p, const char *out)
{
  static const struct {
    const char *ext;
    PlotFormat f;
  } exts[] = {{".svg", PLOT_SVG}, {".png", PLOT_PNG}, {".pdf", PLOT_PDF}};
  GError *error = NULL;
  gboolean ok = FALSE;
  if (g_str_has_suffix(out, ".txt")) {
    char *text = plot_text(p);
    ok = g_file_set_contents(out, text, -1, &error);
    g_free(text);
  }
  for (guint i = 0; i < G_N_ELEMENTS(exts); i++)
    if (g_str_has_suffix(out, exts[i].ext))
      ok = plot_render(p, out, exts[i].f, &error);
  if (!ok && error)
    fprintf(stderr, "ipsim plot: %s\n", error->message);
  g_clear_error(&error);
  return ok ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

/* Checks the options; FALSE after saying why. */
static gboolean cli_plot_check(const PlotArgs *a, double *from, double *to)
{
  if (a->cwnd + a->rtt + a->routes + a->throughput + (a->queue != NULL) != 1) {
    fprintf(stderr, "ipsim plot: give one of --cwnd, --rtt, --queue NODE:IFACE, --routes or --throughput; see 'ipsim "
                    "help plot'\n");
    return FALSE;
  }
  if (!a->out) {
    fprintf(stderr, "ipsim plot: give -o OUT, a name ending in .svg, .png, .pdf or .txt\n");
    return FALSE;
  }
  if (!g_str_has_suffix(a->out, ".svg") && !g_str_has_suffix(a->out, ".png") && !g_str_has_suffix(a->out, ".pdf") &&
      !g_str_has_suffix(a->out, ".txt")) {
    fprintf(stderr, "ipsim plot: -o %s: expected a name ending in .svg, .png, .pdf or .txt\n", a->out);
    return FALSE;
  }
  if (!cli_plot_time("from", a->from, from) || !cli_plot_time("to", a->to, to))
    return FALSE;
  if (*from >= 0 && *to >= 0 && *to <= *from) {
    fprintf(stderr, "ipsim plot: --to %s is not after --from %s\n", a->to, a->from);
    return FALSE;
  }
  return TRUE;
}

static int cli_plot_run(const char *dir, const PlotArgs *a)
{
  double from, to;
  if (!cli_plot_check(a, &from, &to))
    return CLI_EXIT_USAGE;
  Plot *p = a->queue        ? cli_plot_queue(dir, a)
            : a->routes     ? cli_plot_routes(dir, a)
            : a->throughput ? cli_plot_throughput(dir, a)
                            : cli_plot_tcp(dir, a);
  if (!p)
    return CLI_EXIT_USAGE;
  plot_window(p, from, to);
  int status = cli_plot_write(p, a->out);
  plot_free(p);
  return status;
}

int cli_plot(int argc, char **argv)
{
  PlotArgs a = {0};
  GOptionEntry entries[] = {{"cwnd", 0, 0, G_OPTION_ARG_NONE, &a.cwnd, NULL, NULL},
                            {"rtt", 0, 0, G_OPTION_ARG_NONE, &a.rtt, NULL, NULL},
                            {"queue", 0, 0, G_OPTION_ARG_STRING, &a.queue, NULL, NULL},
                            {"routes", 0, 0, G_OPTION_ARG_NONE, &a.routes, NULL, NULL},
                            {"throughput", 0, 0, G_OPTION_ARG_NONE, &a.throughput, NULL, NULL},
                            {"flow", 0, 0, G_OPTION_ARG_STRING, &a.flow, NULL, NULL},
                            {"bin", 0, 0, G_OPTION_ARG_STRING, &a.bin, NULL, NULL},
                            {"conn", 0, 0, G_OPTION_ARG_STRING, &a.conn, NULL, NULL},
                            {"node", 0, 0, G_OPTION_ARG_STRING, &a.node, NULL, NULL},
                            {"from", 0, 0, G_OPTION_ARG_STRING, &a.from, NULL, NULL},
                            {"to", 0, 0, G_OPTION_ARG_STRING, &a.to, NULL, NULL},
                            {"output", 'o', 0, G_OPTION_ARG_FILENAME, &a.out, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  int status = CLI_EXIT_USAGE;
  const char *after = NULL; /* the word after --throughput: its FLOW, when two operands remain */
  for (int i = 1; i + 1 < argc && !after; i++)
    if (strcmp(argv[i], "--throughput") == 0 && argv[i + 1][0] != '-')
      after = argv[i + 1];
  gboolean ok = cli_parse_options("plot", entries, &argc, &argv);
  if (ok && a.throughput && !a.flow && argc == 3 && (argv[1] == after || argv[2] == after)) {
    a.flow = g_strdup(after);
    if (argv[1] == after)
      argv[1] = argv[2];
    argc = 2;
  }
  if (ok && cli_operands("plot", argc, argv, 1))
    status = cli_plot_run(argv[1], &a);
  g_free(a.queue);
  g_free(a.conn);
  g_free(a.node);
  g_free(a.from);
  g_free(a.to);
  g_free(a.out);
  g_free(a.flow);
  g_free(a.bin);
  return status;
}
