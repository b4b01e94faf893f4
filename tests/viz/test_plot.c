/*
 * Tests of `ipsim plot` (sim/cli/cli_plot.c), viz/plot and DIR/queues.csv
 * (models/link/iface.c): the queue of a tiny scenario (three echo
 * requests released at once by ARP on a 1 Mbit/s link: lengths 1, 2, 1,
 * 0 at exact times) and its plot's summary; the cwnd plot of
 * topologies/lossy-link.yaml against a golden summary
 * (tests/viz/expected/lossy-link-cwnd.txt), its SVG's structure
 * (well-formed, <title>, the summary in <desc>), the PNG's signature, the
 * PDF through pdfinfo, the same bytes twice; ticks and windows by hand;
 * the route changes of topologies/ospf-failover.yaml per router;
 * DIR/throughput.csv of a constant-rate UDP flow (a datagram per 10 ms
 * bin, exactly) and its goodput plot, by port, address and app name, in
 * 100 and 50 ms bins; bad input (exit 2 with its exact message).
 *
 * Set IPSIM_PLOT_OUTDIR to a directory to keep the pictures there, to
 * look at: cwnd.{svg,png,pdf}, rtt.png, queue.png, routes-r2.png,
 * throughput.png.
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/testlib.h"
#include "viz/plot.h"

typedef struct {
  int status;
  char *out, *err;
} Run;

static Run run_ipsim(const char *const *args)
{
  Run r = {0};
  r.status = testlib_run_ipsim(args, &r.out, &r.err);
  return r;
}

static void run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

static void assert_contains(const char *text, const char *part)
{
  ck_assert_msg(strstr(text, part) != NULL, "expected '%s' in:\n%s", part, text);
}

/* Removes a directory and the files in it (and in its subdirectories). */
static void remove_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name(d));) {
    char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      remove_dir(path);
    else
      g_unlink(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
}

static char *read_file(const char *path)
{
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  return text;
}

/* Runs `file` with its outputs in DIR/out; returns DIR/out. */
static char *run_file(const char *dir, const char *file)
{
  char *out = g_build_filename(dir, "out", NULL);
  Run r = run_ipsim((const char *[]){"run", file, "--out", out, "--quiet", NULL});
  ck_assert_msg(r.status == 0, "ipsim run %s: %d\n%s", file, r.status, r.err);
  run_clear(&r);
  return out;
}

/* Runs topologies/`name` in a new directory (returned in *tmp). */
static char *run_example(const char *name, char **tmp)
{
  *tmp = g_dir_make_tmp("ipsim-plot-XXXXXX", NULL);
  char *file = testlib_path("TOPOLOGIES", name), *out = run_file(*tmp, file);
  g_free(file);
  return out;
}

static const char queue_yaml[] = "scenario: queue3\nseed: 1\nstop: 2s\n"
                                 "nodes:\n  a: { kind: host, ip: 10.0.0.1/24 }\n  b: { kind: host, ip: 10.0.0.2/24 }\n"
                                 "links:\n  - { ends: [a, b], rate: 1Mbps, delay: 1ms }\n"
                                 "apps:\n  - { name: p1, type: ping, on: a, to: b, count: 1, start: 1s }\n"
                                 "  - { name: p2, type: ping, on: a, to: b, count: 1, start: 1s }\n"
                                 "  - { name: p3, type: ping, on: a, to: b, count: 1, start: 1s }\n"
                                 "output:\n  queues: true\n";

/* Runs the three pings in a new directory (returned in *tmp). */
static char *run_queue(char **tmp)
{
  *tmp = g_dir_make_tmp("ipsim-plot-XXXXXX", NULL);
  char *file = g_build_filename(*tmp, "queue3.yaml", NULL);
  ck_assert(g_file_set_contents(file, queue_yaml, -1, NULL));
  char *out = run_file(*tmp, file);
  g_free(file);
  return out;
}

/* Copies `path` to $IPSIM_PLOT_OUTDIR/`name` when that is set. */
static void keep_picture(const char *path, const char *name)
{
  const char *dir = g_getenv("IPSIM_PLOT_OUTDIR");
  char *text = NULL, *to = dir ? g_build_filename(dir, name, NULL) : NULL;
  gsize len = 0;
  if (to && g_file_get_contents(path, &text, &len, NULL))
    g_file_set_contents(to, text, (gssize)len, NULL);
  g_free(text);
  g_free(to);
}

/* `ipsim plot DIR ARGS... -o DIR/name`, which must succeed; the path. */
static char *plot(const char *dir, const char *what, const char *arg, const char *name)
{
  char *out = g_build_filename(dir, name, NULL);
  Run r = run_ipsim((const char *[]){"plot", dir, what, arg ? arg : "-o", arg ? "-o" : out, arg ? out : NULL, NULL});
  ck_assert_msg(r.status == 0, "ipsim plot %s -o %s: %s", what, name, r.err);
  run_clear(&r);
  return out;
}

START_TEST(test_queues_csv)
{
  char *tmp, *dir = run_queue(&tmp), *path = g_build_filename(dir, "queues.csv", NULL), *csv = read_file(path);
  /* ARP: 60 B there and back at 1 Mbit/s (0.48 ms each) and 1 ms each way:
   * the three requests leave at 2.96 ms, 98 B (0.784 ms) apiece. */
  ck_assert_str_eq(csv, "time,node,iface,packets,bytes\n"
                        "1.002960000,a,eth0,1,98\n"
                        "1.002960000,a,eth0,2,196\n"
                        "1.003744000,a,eth0,1,98\n"
                        "1.004528000,a,eth0,0,0\n");
  char *txt = plot(dir, "--queue", "a:eth0", "q.txt"), *text = read_file(txt);
  ck_assert_str_eq(text, "title: out: transmit queue of a:eth0\n"
                         "x axis: time (s), 0.000000 to 1.200000\n"
                         "x ticks: 0.0 0.2 0.4 0.6 0.8 1.0 1.2\n"
                         "y axis: frames waiting (packets), 0 to 3\n"
                         "y ticks: 0 1 2 3\n"
                         "series: 1\n"
                         "series 1: a:eth0 (steps, solid, 5 points, 0 to 2)\n");
  g_free(text);
  g_free(txt);
  g_free(csv);
  g_free(path);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

/* Compares `text` with tests/viz/expected/`name`; IPSIM_UPDATE_GOLDEN=1
 * rewrites the file instead. */
static void assert_golden(const char *text, const char *name)
{
  char *path = g_build_filename(testlib_env("top_srcdir"), "tests", "viz", "expected", name, NULL);
  if (g_getenv("IPSIM_UPDATE_GOLDEN"))
    g_file_set_contents(path, text, -1, NULL);
  char *want = read_file(path);
  ck_assert_msg(strcmp(text, want) == 0, "%s differs; got:\n%s", path, text);
  g_free(want);
  g_free(path);
}

/* Collects the number of <svg> elements and the text of <title> and <desc>. */
typedef struct {
  GString *title, *desc, *current;
  guint svg;
} SvgSeen;

static void svg_start(GMarkupParseContext *ctx, const char *name, const char **an, const char **av, gpointer data,
                      GError **error)
{
  (void)ctx, (void)an, (void)av, (void)error;
  SvgSeen *s = data;
  s->svg += strcmp(name, "svg") == 0;
  s->current = strcmp(name, "title") == 0 ? s->title : strcmp(name, "desc") == 0 ? s->desc : NULL;
}

static void svg_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  (void)ctx, (void)error;
  SvgSeen *s = data;
  if (s->current)
    g_string_append_len(s->current, text, (gssize)len);
}

static void svg_end(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
  (void)ctx, (void)name, (void)error;
  ((SvgSeen *)data)->current = NULL;
}

/* Parses the SVG at `path` (failing on malformed XML) into `s`. */
static void svg_parse(const char *path, SvgSeen *s)
{
  GMarkupParser parser = {svg_start, svg_end, svg_text, NULL, NULL};
  char *text = read_file(path);
  GError *error = NULL;
  GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, s, NULL);
  const char *body = strstr(text, "<svg");
  ck_assert_ptr_nonnull(body);
  gboolean ok = g_markup_parse_context_parse(ctx, body, -1, &error) && g_markup_parse_context_end_parse(ctx, &error);
  ck_assert_msg(ok, "%s is not well-formed: %s", path, error ? error->message : "?");
  g_markup_parse_context_free(ctx);
  g_free(text);
}

START_TEST(test_cwnd_svg)
{
  char *tmp, *dir = run_example("lossy-link.yaml", &tmp);
  char *txt = plot(dir, "--cwnd", NULL, "cwnd.txt"), *text = read_file(txt);
  assert_golden(text, "lossy-link-cwnd.txt");
  char *svg = plot(dir, "--cwnd", NULL, "a.svg"), *again = plot(dir, "--cwnd", NULL, "b.svg");
  SvgSeen s = {g_string_new(NULL), g_string_new(NULL), NULL, 0};
  svg_parse(svg, &s);
  ck_assert_uint_eq(s.svg, 1);
  ck_assert_str_eq(s.title->str, "plot: out: cwnd and ssthresh per TCP connection");
  ck_assert_str_eq(s.desc->str + 1, text); /* after its newline */
  assert_contains(s.desc->str, "x axis: time (s)");
  assert_contains(s.desc->str, "y axis: cwnd and ssthresh (bytes)");
  assert_contains(s.desc->str, "series 2: ssthresh client 10.0.1.1:49152 > 10.0.2.2:5001 (steps, dashed");
  char *a = read_file(svg), *b = read_file(again);
  ck_assert_msg(strcmp(a, b) == 0, "two renders of the same run differ");
  keep_picture(svg, "cwnd.svg");
  g_free(a);
  g_free(b);
  g_string_free(s.title, TRUE);
  g_string_free(s.desc, TRUE);
  g_free(svg);
  g_free(again);
  g_free(text);
  g_free(txt);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

/* pdfinfo accepts `pdf`, a page. */
static void assert_pdf(const char *pdf)
{
  char *out = NULL;
  int status = -1;
  const char *argv[] = {"pdfinfo", pdf, NULL};
  gboolean ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                              &out, NULL, &status, NULL);
  ck_assert_msg(ran, "cannot run pdfinfo (apt-get install poppler-utils)");
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pdfinfo refused %s", pdf);
  const char *pages = strstr(out, "Pages:");
  ck_assert_msg(pages && g_ascii_strtoull(pages + 6, NULL, 10) == 1, "pdfinfo:\n%s", out);
  g_free(out);
}

/* The file at `path` starts with the PNG signature. */
static void assert_png(const char *path)
{
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(path, &data, &len, NULL));
  ck_assert_msg(len > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is not a PNG", path);
  g_free(data);
}

START_TEST(test_png_pdf)
{
  char *tmp, *dir = run_example("lossy-link.yaml", &tmp);
  char *png = plot(dir, "--cwnd", NULL, "cwnd.png"), *rtt = plot(dir, "--rtt", NULL, "rtt.png");
  char *pdf = plot(dir, "--cwnd", NULL, "a.pdf"), *pdf2 = plot(dir, "--cwnd", NULL, "b.pdf");
  assert_png(png);
  assert_png(rtt);
  assert_pdf(pdf);
  char *a = read_file(pdf), *b = read_file(pdf2);
  ck_assert_msg(strcmp(a, b) == 0, "two PDFs of the same run differ");
  keep_picture(png, "cwnd.png");
  keep_picture(rtt, "rtt.png");
  keep_picture(pdf, "cwnd.pdf");
  g_free(a);
  g_free(b);
  g_free(png);
  g_free(rtt);
  g_free(pdf);
  g_free(pdf2);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

START_TEST(test_queue_png)
{
  char *tmp, *dir = run_queue(&tmp), *png = plot(dir, "--queue", "a:eth0", "queue.png");
  assert_png(png);
  keep_picture(png, "queue.png");
  g_free(png);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

/* `ipsim plot` with `args` fails with exit 2 and exactly `message`. */
static void assert_refused(const char *const *args, const char *message)
{
  Run r = run_ipsim(args);
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.err, message);
  run_clear(&r);
}

START_TEST(test_bad_input)
{
  char *tmp, *dir = run_queue(&tmp), *out = g_build_filename(tmp, "x.png", NULL);
  char *msg = g_strdup_printf("ipsim plot: Failed to open file “%s/tcp.csv”: No such file or directory (run the "
                              "scenario with 'output: { tcp-series: true }' and --out %s)\n",
                              dir, dir);
  assert_refused((const char *[]){"plot", dir, "--cwnd", "-o", out, NULL}, msg);
  g_free(msg);
  msg = g_strdup_printf("ipsim plot: --queue b:eth0: not in %s/queues.csv; there are: a:eth0\n", dir);
  assert_refused((const char *[]){"plot", dir, "--queue", "b:eth0", "-o", out, NULL}, msg);
  assert_refused((const char *[]){"plot", dir, "-o", out, NULL},
                 "ipsim plot: give one of --cwnd, --rtt, --queue NODE:IFACE, --routes or --throughput; see 'ipsim "
                 "help plot'\n");
  assert_refused((const char *[]){"plot", dir, "--queue", "a:eth0", "-o", "x.gif", NULL},
                 "ipsim plot: -o x.gif: expected a name ending in .svg, .png, .pdf or .txt\n");
  assert_refused((const char *[]){"plot", dir, "--queue", "a:eth0", NULL},
                 "ipsim plot: give -o OUT, a name ending in .svg, .png, .pdf or .txt\n");
  assert_refused((const char *[]){"plot", dir, "--queue", "a:eth0", "--from", "2s", "--to", "1s", "-o", out, NULL},
                 "ipsim plot: --to 1s is not after --from 2s\n");
  Run r = run_ipsim((const char *[]){"plot", dir, "--queue", "a:eth0", "--from", "soon", "-o", out, NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim plot: --from soon: ");
  run_clear(&r);
  g_free(msg);
  g_free(out);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

START_TEST(test_unknown_conn)
{
  char *tmp, *dir = run_example("lossy-link.yaml", &tmp), *out = g_build_filename(tmp, "x.svg", NULL);
  char *msg = g_strdup_printf("ipsim plot: --conn 80: not in %s/tcp.csv; there are: client 10.0.1.1:49152 > "
                              "10.0.2.2:5001, server 10.0.2.2:5001 > 10.0.1.1:49152\n",
                              dir);
  assert_refused((const char *[]){"plot", dir, "--cwnd", "--conn", "80", "-o", out, NULL}, msg);
  char *txt = plot(dir, "--cwnd", "--conn=client", "c.txt"), *text = read_file(txt);
  assert_contains(text, "series: 2\n");
  g_free(text);
  g_free(txt);
  g_free(msg);
  g_free(out);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

START_TEST(test_routes)
{
  char *tmp, *dir = run_example("ospf-failover.yaml", &tmp), *out = g_build_filename(tmp, "x.svg", NULL);
  char *txt = plot(dir, "--routes", NULL, "r.txt"), *text = read_file(txt);
  ck_assert_str_eq(text, "title: out: routing-table changes per router\n"
                         "x axis: time (s), 0.000000 to 35.000000\n"
                         "x ticks: 0 5 10 15 20 25 30 35\n"
                         "y axis: route changes so far (count), 0 to 10\n"
                         "y ticks: 0 2 4 6 8 10\n"
                         "series: 4\n"
                         "series 1: r1 (steps, solid, 7 points, 0 to 6)\n"
                         "series 2: r4 (steps, solid, 8 points, 0 to 7)\n"
                         "series 3: r2 (steps, solid, 9 points, 0 to 8)\n"
                         "series 4: r3 (steps, solid, 7 points, 0 to 6)\n");
  char *png = plot(dir, "--routes", "--node=r2", "r2.png");
  assert_png(png);
  keep_picture(png, "routes-r2.png");
  char *msg = g_strdup_printf("ipsim plot: --node r9: not in %s/routes.csv; there are: r1, r4, r2, r3\n", dir);
  assert_refused((const char *[]){"plot", dir, "--routes", "--node", "r9", "-o", out, NULL}, msg);
  g_free(msg);
  g_free(png);
  g_free(text);
  g_free(txt);
  g_free(out);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

static const char cbr_yaml[] =
    "scenario: cbr\nseed: 1\nstop: 2s\n"
    "nodes:\n  a: { kind: host, ip: 10.0.0.1/24 }\n  b: { kind: host, ip: 10.0.0.2/24 }\n"
    "links:\n  - { ends: [a, b], rate: 10Mbps, delay: 1ms }\n"
    "apps:\n  - { name: cbr, type: udp-cbr, on: a, to: \"b:5001\", rate: 800kbps, size: 1000B, "
    "start: 1s, stop: 1.5s }\n"
    "  - { name: sink, type: udp-sink, on: b, port: 5001 }\n"
    "output:\n  trace: [transport]\n";

/* The bytes of the 10 ms bin starting at `ms` of cbr_yaml's flow. */
static char *cbr_row(int ms)
{
  return g_strdup_printf("%d.%03d,udp,10.0.0.1,49152,10.0.0.2,5001,1000,1000\n", ms / 1000, ms % 1000);
}

/* Runs cbr_yaml in a new directory (returned in *tmp). */
static char *run_cbr(char **tmp)
{
  *tmp = g_dir_make_tmp("ipsim-plot-XXXXXX", NULL);
  char *file = g_build_filename(*tmp, "cbr.yaml", NULL);
  ck_assert(g_file_set_contents(file, cbr_yaml, -1, NULL));
  char *out = run_file(*tmp, file);
  g_free(file);
  return out;
}

START_TEST(test_throughput)
{
  char *tmp, *dir = run_cbr(&tmp), *path = g_build_filename(dir, "throughput.csv", NULL), *csv = read_file(path);
  /* 1000 B every 10 ms from 1 s to 1.49 s, each 1.8336 ms on its way
   * (a 1042-byte frame at 10 Mbit/s, 0.8336 ms, then 1 ms; the first
   * 2.096 ms later, after ARP): one datagram in each 10 ms bin. */
  GString *want = g_string_new("time_s,proto,src,sport,dst,dport,rx_bytes,goodput_bytes\n");
  for (int ms = 1000; ms < 1500; ms += 10) {
    char *row = cbr_row(ms);
    g_string_append(want, row);
    g_free(row);
  }
  ck_assert_str_eq(csv, want->str);
  /* 10000 B per 100 ms: 800 kbit/s for five bins, then 0. */
  char *txt = plot(dir, "--throughput", NULL, "t.txt"), *text = read_file(txt);
  ck_assert_str_eq(text, "title: out: goodput per flow, 100 ms bins\n"
                         "x axis: time (s), 0.000000 to 1.600000\n"
                         "x ticks: 0.0 0.2 0.4 0.6 0.8 1.0 1.2 1.4 1.6\n"
                         "y axis: goodput (kbit/s), 0 to 1000\n"
                         "y ticks: 0 200 400 600 800 1000\n"
                         "series: 1\n"
                         "series 1: cbr,sink 10.0.0.1:49152 > 10.0.0.2:5001 (steps, solid, 6 points, 0 to 800)\n");
  g_free(text);
  g_free(txt);
  g_string_free(want, TRUE);
  g_free(csv);
  g_free(path);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

START_TEST(test_throughput_flows)
{
  char *tmp, *dir = run_cbr(&tmp), *out = g_build_filename(dir, "b.txt", NULL);
  /* By the app's name (trace.tags); in 50 ms bins: ten, then 0. */
  char *txt = plot(dir, "--throughput", "cbr", "u.txt"), *text = read_file(txt);
  assert_contains(text, "title: out: goodput per flow of cbr, 100 ms bins\n");
  g_free(text);
  g_free(txt);
  Run r = run_ipsim((const char *[]){"plot", dir, "--throughput", "--flow", "cbr", "--bin", "50ms", "-o", out, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  run_clear(&r);
  text = read_file(out);
  assert_contains(text, "series 1: cbr,sink 10.0.0.1:49152 > 10.0.0.2:5001 (steps, solid, 11 points, 0 to 800)\n");
  g_free(text);
  r = run_ipsim((const char *[]){"plot", "--throughput", "5001", dir, "-o", out, NULL}); /* FLOW before DIR */
  ck_assert_msg(r.status == 0, "%s", r.err);
  run_clear(&r);
  text = read_file(out);
  assert_contains(text, "title: out: goodput per flow of 5001, 100 ms bins\n");
  g_free(text);
  assert_refused((const char *[]){"plot", dir, "--throughput", "--bin", "25ms", "-o", out, NULL},
                 "ipsim plot: --bin 25ms: expected a multiple of 10ms (throughput.csv counts bytes per 10 ms)\n");
  char *msg = g_strdup_printf("ipsim plot: --flow web: not in %s/throughput.csv; there are: 10.0.0.1:49152 > "
                              "10.0.0.2:5001\n",
                              dir);
  assert_refused((const char *[]){"plot", dir, "--throughput", "web", "-o", out, NULL}, msg);
  char *png = plot(dir, "--throughput", "5001", "t.png"), *svg = plot(dir, "--throughput", "10.0.0.2", "t.svg");
  assert_png(png);
  SvgSeen seen = {g_string_new(NULL), g_string_new(NULL), NULL, 0};
  svg_parse(svg, &seen);
  ck_assert_str_eq(seen.title->str, "plot: out: goodput per flow of 10.0.0.2, 100 ms bins");
  assert_contains(seen.desc->str, "y axis: goodput (kbit/s), 0 to 1000\n");
  keep_picture(png, "throughput.png");
  g_string_free(seen.title, TRUE);
  g_string_free(seen.desc, TRUE);
  g_free(png);
  g_free(svg);
  g_free(msg);
  g_free(out);
  g_free(dir);
  remove_dir(tmp);
  g_free(tmp);
}
END_TEST

START_TEST(test_ticks)
{
  double first, step;
  ck_assert_uint_eq(plot_ticks(0, 2.845, 8, &first, &step), 6);
  ck_assert(first == 0 && step == 0.5);
  ck_assert_uint_eq(plot_ticks(0, 77540, 6, &first, &step), 4);
  ck_assert(first == 0 && step == 20000);
  ck_assert_uint_eq(plot_ticks(1.03, 1.9, 8, &first, &step), 4);
  ck_assert(fabs(first - 1.2) < 1e-12 && fabs(step - 0.2) < 1e-12);
}
END_TEST

START_TEST(test_window)
{
  Plot *p = plot_new("t", "y (units)");
  PlotSeries *steps = plot_series(p, "steps", TRUE, FALSE), *lines = plot_series(p, "lines", FALSE, FALSE);
  plot_series(p, "empty", TRUE, TRUE);
  for (int i = 0; i < 5; i++) {
    plot_point(steps, i, i * 10);
    plot_point(lines, i, i * 10);
  }
  plot_window(p, 1.5, 3);
  ck_assert_uint_eq(p->series->len, 2); /* the empty one is gone */
  ck_assert_uint_eq(steps->points->len, 3);
  ck_assert(g_array_index(steps->points, PlotPoint, 0).t == 1.5 && g_array_index(steps->points, PlotPoint, 0).v == 10);
  ck_assert_uint_eq(lines->points->len, 2);
  char *text = plot_text(p);
  ck_assert_str_eq(text, "title: t\nx axis: time (s), 1.500000 to 3.000000\nx ticks: 1.6 1.8 2.0 2.2 2.4 2.6 2.8 3.0\n"
                         "y axis: y (units), 0 to 40\ny ticks: 0 10 20 30 40\nseries: 2\n"
                         "series 1: steps (steps, solid, 3 points, 10 to 30)\n"
                         "series 2: lines (lines, solid, 2 points, 20 to 30)\n");
  g_free(text);
  plot_free(p);
  p = plot_new("empty", "y");
  plot_series(p, "none", TRUE, FALSE);
  GError *error = NULL;
  ck_assert(!plot_render(p, "/nonexistent/x.svg", PLOT_SVG, &error));
  ck_assert_str_eq(error->message, "nothing to plot: no point in the time shown");
  g_error_free(error);
  plot_free(p);
}
END_TEST

static Suite *plot_suite(void)
{
  Suite *s = suite_create("plot");
  TCase *tc = tcase_create("plot");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_queues_csv);
  tcase_add_test(tc, test_cwnd_svg);
  tcase_add_test(tc, test_png_pdf);
  tcase_add_test(tc, test_queue_png);
  tcase_add_test(tc, test_bad_input);
  tcase_add_test(tc, test_unknown_conn);
  tcase_add_test(tc, test_routes);
  tcase_add_test(tc, test_throughput);
  tcase_add_test(tc, test_throughput_flows);
  tcase_add_test(tc, test_ticks);
  tcase_add_test(tc, test_window);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(plot_suite());
}
