/*
 * Tests of `ipsim ladder` (sim/cli/cli_ladder.c, ladder_build.c) and
 * viz/ladder: the text ladders of topologies/handshake.yaml (end to end)
 * and two-lans.yaml (hop by hop) against golden files in
 * tests/viz/expected; the SVG's structure (well-formed, a <title> naming
 * the lanes, the text ladder in <desc> with its lanes, arrows and labels),
 * the PNG's signature, the PDF through pdfinfo, the same bytes twice; the
 * collapsing of a long lossy transfer (bands, losses, retransmissions);
 * fragments end to end (their datagram) and hop by hop;
 * bad input (exit 2 with a message); and the model alone (bands, drops,
 * losses) without a trace. HTTP labels (topologies/http-get.yaml);
 * --layers: the golden text ladder of the GET, the exact stops of the
 * handshake's SYN down alice's stack and up bob's (with trace.tags and
 * without), the SVG's lanes, PNG and PDF; --flow by an app's name; lane
 * groups, pruning and the labelled span by hand.
 *
 * Set IPSIM_LADDER_OUTDIR to a directory to keep the pictures there, to
 * look at: handshake.{svg,png,pdf}, lossy-link.png, two-lans.png,
 * http-get-layers.png, handshake-layers.png.
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/ladder_build.h"
#include "tests/testlib.h"
#include "viz/ladder.h"

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

/* Removes a directory and the files in it. */
static void remove_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name(d));) {
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
}

/* Runs topologies/`name` with its outputs in a new directory, returned. */
static char *run_example(const char *name)
{
  char *dir = g_dir_make_tmp("ipsim-ladder-XXXXXX", NULL), *file = testlib_path("TOPOLOGIES", name);
  ck_assert_ptr_nonnull(dir);
  Run r = run_ipsim((const char *[]){"run", file, "--out", dir, "--quiet", NULL});
  ck_assert_msg(r.status == 0, "ipsim run %s: %d\n%s", name, r.status, r.err);
  run_clear(&r);
  g_free(file);
  return dir;
}

static char *read_file(const char *path)
{
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  return text;
}

/* The number of lines of `text` that contain `part`. */
static guint count_lines(const char *text, const char *part)
{
  char **lines = g_strsplit(text, "\n", -1);
  guint n = 0;
  for (char **l = lines; *l; l++)
    n += strstr(*l, part) != NULL;
  g_strfreev(lines);
  return n;
}

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

/* Copies `path` to $IPSIM_LADDER_OUTDIR/`name` when that is set. */
static void keep_picture(const char *path, const char *name)
{
  const char *dir = g_getenv("IPSIM_LADDER_OUTDIR");
  if (!dir)
    return;
  char *text = NULL, *to = g_build_filename(dir, name, NULL);
  gsize len = 0;
  if (g_file_get_contents(path, &text, &len, NULL))
    g_file_set_contents(to, text, (gssize)len, NULL);
  g_free(text);
  g_free(to);
}

START_TEST(test_handshake_text)
{
  char *dir = run_example("handshake.yaml");
  Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "alice,bob", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_golden(r.out, "handshake.txt");
  assert_contains(r.out, "|---------------->|  1.015155200  SYN seq 0\n");
  assert_contains(r.out, "|<----------------|  1.020214400  SYN, ACK seq 0 ack 1\n");
  assert_contains(r.out, "|---------------->|  1.025267200  ACK seq 1 ack 1\n");
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_hops_text)
{
  char *dir = run_example("two-lans.yaml");
  Run r = run_ipsim((const char *[]){"ladder", dir, "--nodes", "h1,s1,r1,s2,h3", "--to", "1.5s", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_golden(r.out, "two-lans-hops.txt");
  ck_assert_uint_eq(count_lines(r.out, "ICMP echo request seq 1"), 4);
  ck_assert_uint_eq(count_lines(r.out, "ICMP echo reply seq 1"), 4);
  run_clear(&r);
  r = run_ipsim((const char *[]){"ladder", dir, "--between", "h1,h3", "--from", "2s", "--to", "2.5s", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_str_eq(r.out, "time         h1                h3\n"
                          "2.000000000  |---------------->|  2.000231360  ICMP echo request seq 2\n"
                          "2.000231360  |<----------------|  2.000462720  ICMP echo reply seq 2\n");
  run_clear(&r);
  const char *png = g_build_filename(dir, "hops.png", NULL);
  r = run_ipsim((const char *[]){"ladder", dir, "--nodes", "h1,s1,r1,s2,h3", "--to", "2.5s", "-o", png, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  keep_picture(png, "two-lans.png");
  run_clear(&r);
  g_free((char *)png);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* Hop by hop through a hub (hub-vs-switch.yaml): a1's datagram goes to
 * the hub, which repeats it (its `fwd`, no `tx`) to a2 at once: the first
 * bit at the hub 5 us after a1 started, the last at a2 833.6 + 5 us later. */
START_TEST(test_hub_hops_text)
{
  char *dir = run_example("hub-vs-switch.yaml");
  Run r =
      run_ipsim((const char *[]){"ladder", dir, "--nodes", "a1,hub,a2", "--from", "1.0002s", "--to", "1.0003s", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_str_eq(r.out, "time         a1                hub               a2\n"
                          "1.000232000  |---------------->|                 |  1.000237000  UDP 49152 > 9 len 1008\n"
                          "1.000237000  |                 |---------------->|  1.001075600  UDP 49152 > 9 len 1008\n");
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* The message of `l` labelled `label`. */
static const LadderMsg *find_msg(const Ladder *l, const char *label)
{
  for (guint i = 0; i < l->msgs->len; i++)
    if (strcmp(g_array_index(l->msgs, LadderMsg, i).label, label) == 0)
      return &g_array_index(l->msgs, LadderMsg, i);
  ck_abort_msg("no message '%s'", label);
  return NULL;
}

/* Stop `k` of `m` is lane `lane` at `t`. */
static void assert_stop(const LadderMsg *m, guint k, guint lane, SimTime t)
{
  LadderStop s = ladder_stop(m, k);
  ck_assert_msg(s.lane == lane && s.t == t, "%s: stop %u is lane %u at %" G_GINT64_FORMAT, m->label, k, s.lane, s.t);
}

START_TEST(test_fragments)
{
  char *dir = run_example("fragmentation.yaml");
  Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "h1,h2", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_contains(r.out, "1.002009600  |---------------->|  1.009456480  ICMP echo request seq 1 (in fragments)\n");
  assert_contains(r.out, "1.009456480  |<----------------|  1.012884160  ICMP echo reply seq 1 (in fragments)\n");
  assert_contains(r.out, "|------------X    |  5.001083360  ICMP echo request seq 1 [dropped at r1: frag-needed]\n");
  ck_assert_uint_eq(count_lines(r.out, "fragment:"), 0);
  run_clear(&r);
  r = run_ipsim((const char *[]){"ladder", dir, "--nodes", "h1,r1", "--to", "1.5s", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_contains(r.out, "fragment: ICMP echo request seq 1\n");
  assert_contains(r.out, "fragment: frag off 1480\n");
  run_clear(&r);
  /* With --layers, the datagram reaches h2's link lane, then its IPv4. */
  char *tp = g_build_filename(dir, "trace.txt", NULL), *text = read_file(tp);
  char *lanes[] = {(char *)"h1", (char *)"h2", NULL};
  LadderQuery q = {.lanes = lanes, .layers = TRUE, .from = -1, .to = -1};
  Ladder *l = ladder_build(text, NULL, &q, NULL);
  ck_assert_ptr_nonnull(l);
  const LadderMsg *m = find_msg(l, "ICMP echo request seq 1 (in fragments)");
  guint n = ladder_stops(m);
  ck_assert_str_eq(g_ptr_array_index(l->lanes, ladder_stop(m, n - 2).lane), "h2 link");
  ck_assert_str_eq(g_ptr_array_index(l->lanes, ladder_stop(m, n - 1).lane), "h2 internet");
  ck_assert(ladder_stop(m, n - 1).t == SIMTIME_NS(1009456480));
  ladder_free(l);
  g_free(text);
  g_free(tp);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* Collects element names and the text of <title> and <desc>. */
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

/* Renders the handshake to `name` in `dir`; returns its path. */
static char *render(const char *dir, const char *name)
{
  char *out = g_build_filename(dir, name, NULL);
  Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "alice,bob", "-o", out, NULL});
  ck_assert_msg(r.status == 0, "ipsim ladder -o %s: %s", name, r.err);
  run_clear(&r);
  return out;
}

START_TEST(test_handshake_svg)
{
  char *dir = run_example("handshake.yaml"), *svg = render(dir, "a.svg"), *again = render(dir, "b.svg");
  SvgSeen s = {g_string_new(NULL), g_string_new(NULL), NULL, 0};
  svg_parse(svg, &s);
  ck_assert_uint_eq(s.svg, 1);
  ck_assert_str_eq(s.title->str, "ladder: alice, bob");
  ck_assert_uint_eq(count_lines(s.desc->str, "  |"), 12); /* the arrows */
  assert_contains(s.desc->str, "time         alice             bob\n");
  assert_contains(s.desc->str, "SYN seq 0\n");
  assert_contains(s.desc->str, "SYN, ACK seq 0 ack 1\n");
  assert_contains(s.desc->str, "ARP who-has 10.0.0.2\n");
  assert_contains(s.desc->str, "FIN, PSH, ACK seq 2897:3001 ack 1\n");
  char *a = read_file(svg), *b = read_file(again);
  ck_assert_msg(strcmp(a, b) == 0, "two renders of the same trace differ");
  keep_picture(svg, "handshake.svg");
  g_free(a);
  g_free(b);
  g_string_free(s.title, TRUE);
  g_string_free(s.desc, TRUE);
  g_free(svg);
  g_free(again);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* `png` has the PNG signature and pdfinfo reads `pdf`, a page. */
static void assert_png_pdf(const char *png, const char *pdf)
{
  char *data = NULL, *out = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(png, &data, &len, NULL));
  ck_assert_uint_ge(len, 8);
  ck_assert_msg(memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG");
  int status = -1;
  const char *argv[] = {"pdfinfo", pdf, NULL};
  gboolean ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                              &out, NULL, &status, NULL);
  ck_assert_msg(ran, "cannot run pdfinfo (apt-get install poppler-utils)");
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pdfinfo refused %s", pdf);
  const char *pages = strstr(out, "Pages:");
  ck_assert_msg(pages && g_ascii_strtoull(pages + 6, NULL, 10) == 1, "pdfinfo:\n%s", out);
  g_free(out);
  g_free(data);
}

START_TEST(test_handshake_png_pdf)
{
  char *dir = run_example("handshake.yaml"), *png = render(dir, "a.png"), *pdf = render(dir, "a.pdf");
  assert_png_pdf(png, pdf);
  keep_picture(png, "handshake.png");
  keep_picture(pdf, "handshake.pdf");
  g_free(png);
  g_free(pdf);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_long_transfer)
{
  char *dir = run_example("lossy-link.yaml");
  const char *window[] = {"ladder", dir, "--between", "client,server", "--from", "0.1s", "--to", "0.35s", NULL};
  Run r = run_ipsim(window);
  ck_assert_msg(r.status == 0, "%s", r.err);
  guint rows = count_lines(r.out, "  |");
  ck_assert_msg(rows >= 10 && rows <= 40, "%u rows:\n%s", rows, r.out);
  assert_contains(r.out, "|===============>>|");
  assert_contains(r.out, "40 segments, seq 1:57921\n");
  assert_contains(r.out, "50 duplicate ACKs, ack 59369\n");
  assert_contains(r.out, "|------------X    |  0.199531360  ACK seq 59369:60817 ack 1 [lost]\n");
  assert_contains(r.out, "|~~~~~~~~~~~~~~~~>|  0.282082240  ACK seq 59369:60817 ack 1 (retransmit)\n");
  run_clear(&r);
  char *png = g_build_filename(dir, "long.png", NULL);
  r = run_ipsim((const char *[]){"ladder", dir, "--between", "client,server", "--from", "0.1s", "--to", "0.35s", "-o",
                                 png, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  keep_picture(png, "lossy-link.png");
  run_clear(&r);
  /* With --layers, the same bands: a loss ends its direction's run
   * though it ends on another of the server's lanes. */
  r = run_ipsim((const char *[]){"ladder", dir, "--between", "client,server", "--from", "0.1s", "--to", "0.35s",
                                 "--layers", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_contains(r.out, "  40 segments, seq 1:57921\n");
  assert_contains(r.out, "  39 segments, seq 57921:115841\n");
  ck_assert_uint_eq(count_lines(r.out, "  |"), rows);
  run_clear(&r);
  r = run_ipsim((const char *[]){"ladder", dir, "--flow", "5001", "--to", "0.35s", "--collapse", "0", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_msg(count_lines(r.out, "  |") > 200, "expected every message:\n%s", r.out);
  assert_contains(r.out, "time         client            server\n");
  run_clear(&r);
  g_free(png);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* `args` fails with exit 2 and says `why`. */
static void assert_refused(const char *const *args, const char *why)
{
  Run r = run_ipsim(args);
  ck_assert_msg(r.status == 2, "expected exit 2, got %d (%s)", r.status, r.err);
  assert_contains(r.err, why);
  ck_assert_str_eq(r.out, "");
  run_clear(&r);
}

START_TEST(test_http_labels)
{
  char *dir = run_example("http-get.yaml");
  Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "browser,server", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_contains(r.out,
                  "1.004267200  |---------------->|  1.005370400  HTTP GET /bytes/3000 (PSH, ACK seq 1:64 ack 1)\n");
  assert_contains(r.out, "1.005370400  |<----------------|  1.007581600  HTTP 200 OK (ACK seq 1:1449 ack 64)\n");
  ck_assert_uint_eq(count_lines(r.out, "HTTP"), 2); /* the body's segments are plain */
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
  /* pc-a1's page in web.yaml, by its app's name: 222 messages in 30 rows,
   * each GET and the first segment of each response an arrow of its own. */
  dir = run_example("web.yaml");
  r = run_ipsim((const char *[]){"ladder", dir, "--flow", "browse", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_uint_eq(count_lines(r.out, "  |"), 30);
  ck_assert_uint_eq(count_lines(r.out, "HTTP GET /bytes/"), 5);
  ck_assert_uint_eq(count_lines(r.out, "HTTP 200 OK"), 5);
  assert_contains(r.out, "  HTTP GET /bytes/120000 (PSH, ACK seq 279:350 ack 80475)\n");
  assert_contains(r.out, "  85 segments, seq 81923:200595\n");
  run_clear(&r);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* The lanes of a two-node ladder with --layers, as its text's header. */
#define LAYERS_HEADER(a, b)                                                                                            \
  "time         " a " application  " a " transport    " a " internet     " a " link         " b " link          " b    \
  " internet      " b " transport     " b " application\n"

START_TEST(test_layers_text)
{
  char *dir = run_example("http-get.yaml");
  Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "browser,server", "--layers", NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  assert_golden(r.out, "http-get-layers.txt");
  ck_assert(g_str_has_prefix(r.out, LAYERS_HEADER("browser", "server")));
  /* The request from the browser's application to the server's; the
   * handshake between the two TCPs; ARP between the links. */
  char *dashes = g_strnfill(7 * 21 - 2, '-');
  char *get =
      g_strdup_printf("1.004214400  |%s>|  1.005370400  HTTP GET /bytes/3000 (PSH, ACK seq 1:64 ack 1)\n", dashes);
  g_free(dashes);
  assert_contains(r.out, get);
  assert_contains(r.out,
                  "1.000000000  |                    |------------------------------------------------------------"
                  "------------------------------------------->|                    |  1.003155200  SYN seq 0\n");
  assert_contains(r.out,
                  "1.000000000  |                    |                    |                    |------------------->|"
                  "                    |                    |                    |  1.001048000  ARP who-has "
                  "10.0.0.2\n");
  g_free(get);
  run_clear(&r);
  char *png = g_build_filename(dir, "get.png", NULL);
  r = run_ipsim((const char *[]){"ladder", dir, "--between", "browser,server", "--layers", "-o", png, NULL});
  ck_assert_msg(r.status == 0, "%s", r.err);
  keep_picture(png, "http-get-layers.png");
  run_clear(&r);
  g_free(png);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_layers_paths)
{
  char *dir = run_example("handshake.yaml"), *tp = g_build_filename(dir, "trace.txt", NULL);
  char *gp = g_build_filename(dir, "trace.tags", NULL), *text = read_file(tp), *tags = read_file(gp);
  char *lanes[] = {(char *)"alice", (char *)"bob", NULL};
  LadderQuery q = {.lanes = lanes, .layers = TRUE, .from = -1, .to = -1};
  GError *error = NULL;
  Ladder *l = ladder_build(text, tags, &q, &error);
  ck_assert_msg(l != NULL, "%s", error ? error->message : "?");
  /* No line is an application's packet: no application lanes. */
  ck_assert_uint_eq(l->lanes->len, 6);
  const char *names[] = {"alice transport", "alice internet", "alice link",
                         "bob link",        "bob internet",   "bob transport"};
  for (guint i = 0; i < 6; i++) {
    ck_assert_str_eq(g_ptr_array_index(l->lanes, i), names[i]);
    ck_assert_str_eq(g_ptr_array_index(l->groups, i), i < 3 ? "alice" : "bob");
  }
  ck_assert_str_eq(ladder_lane_short(l, 4), "internet");
  /* The SYN: made by TCP at 1 s, sent by IPv4, held until ARP's answer
   * (two 60-byte frames at 10 Mbit/s and 5 ms: 10.096 ms), 74 bytes on
   * the wire (59.2 us) and 5 ms, then up to bob's TCP (no IPv4 line on
   * the way up: TCP's deliver is the line). */
  const LadderMsg *syn = find_msg(l, "SYN seq 0");
  ck_assert_uint_eq(ladder_stops(syn), 5);
  assert_stop(syn, 0, 0, SIMTIME_MS(1000));
  assert_stop(syn, 1, 1, SIMTIME_MS(1000));
  assert_stop(syn, 2, 2, SIMTIME_US(1010096));
  assert_stop(syn, 3, 3, SIMTIME_NS(1015155200));
  assert_stop(syn, 4, 5, SIMTIME_NS(1015155200));
  LadderStop a, b;
  ladder_span(l, syn, &a, &b); /* its label goes where it crosses */
  ck_assert(a.lane == 2 && b.lane == 3 && a.t == SIMTIME_US(1010096));
  const LadderMsg *arp = find_msg(l, "ARP who-has 10.0.0.2");
  ck_assert(arp->from == 2 && arp->to == 3 && arp->via == NULL);
  ladder_free(l);
  /* Without the tags, the layers come from the verbs: the same ladder. */
  l = ladder_build(text, NULL, &q, &error);
  ck_assert_ptr_nonnull(l);
  ck_assert_uint_eq(ladder_stops(find_msg(l, "SYN seq 0")), 5);
  ladder_free(l);
  g_free(text);
  g_free(tags);
  g_free(tp);
  g_free(gp);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_layers_hops)
{
  char *dir = run_example("two-lans.yaml"), *tp = g_build_filename(dir, "trace.txt", NULL);
  char *gp = g_build_filename(dir, "trace.tags", NULL), *text = read_file(tp), *tags = read_file(gp);
  char *lanes[] = {(char *)"h1", (char *)"r1", (char *)"h3", NULL};
  LadderQuery q = {.lanes = lanes, .hops = TRUE, .layers = TRUE, .from = -1, .to = SIMTIME_MS(1500)};
  GError *error = NULL;
  Ladder *l = ladder_build(text, tags, &q, &error);
  ck_assert_msg(l != NULL, "%s", error ? error->message : "?");
  const char *names[] = {"h1 internet", "h1 link", "r1 link", "r1 internet", "h3 link", "h3 internet"};
  ck_assert_uint_eq(l->lanes->len, 6);
  for (guint i = 0; i < 6; i++)
    ck_assert_str_eq(g_ptr_array_index(l->lanes, i), names[i]);
  /* The first request: down h1 (held 219.2 us for ARP: 60-byte frames
   * there and back through s1, 2 x (4.8 us + 50 us) each way), 115.68 us
   * to r1 (98 bytes, 2 x (7.84 us + 50 us)), up to r1's IPv4 that
   * forwards it, and down again once r1's own ARP for h3 is answered;
   * the second hop from there up to h3's IPv4. */
  guint n = 0;
  for (guint i = 0; i < l->msgs->len; i++) {
    const LadderMsg *m = &g_array_index(l->msgs, LadderMsg, i);
    if (strcmp(m->label, "ICMP echo request seq 1") != 0)
      continue;
    if (n++ == 0) {
      ck_assert_uint_eq(ladder_stops(m), 5);
      assert_stop(m, 0, 0, SIMTIME_MS(1000));
      assert_stop(m, 1, 1, SIMTIME_NS(1000219200));
      assert_stop(m, 2, 2, SIMTIME_NS(1000334880));
      assert_stop(m, 3, 3, SIMTIME_NS(1000334880));
      assert_stop(m, 4, 2, SIMTIME_NS(1000554080));
    } else {
      ck_assert_uint_eq(ladder_stops(m), 3);
      assert_stop(m, 0, 2, SIMTIME_NS(1000554080));
      assert_stop(m, 2, 5, SIMTIME_NS(1000669760));
    }
  }
  ck_assert_uint_eq(n, 2);
  ladder_free(l);
  g_free(text);
  g_free(tags);
  g_free(tp);
  g_free(gp);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_layers_svg_png_pdf)
{
  char *dir = run_example("handshake.yaml");
  char *svg = g_build_filename(dir, "l.svg", NULL), *png = g_build_filename(dir, "l.png", NULL);
  char *pdf = g_build_filename(dir, "l.pdf", NULL);
  for (const char *const *out = (const char *const[]){svg, png, pdf, NULL}; *out; out++) {
    Run r = run_ipsim((const char *[]){"ladder", dir, "--between", "alice,bob", "--layers", "-o", *out, NULL});
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_clear(&r);
  }
  SvgSeen s = {g_string_new(NULL), g_string_new(NULL), NULL, 0};
  svg_parse(svg, &s);
  ck_assert_str_eq(s.title->str,
                   "ladder: alice transport, alice internet, alice link, bob link, bob internet, bob transport");
  assert_contains(s.desc->str, "time         alice transport   alice internet    alice link        bob link     ");
  assert_contains(s.desc->str, "  1.015155200  SYN seq 0\n");
  assert_png_pdf(png, pdf);
  keep_picture(png, "handshake-layers.png");
  g_string_free(s.title, TRUE);
  g_string_free(s.desc, TRUE);
  g_free(svg);
  g_free(png);
  g_free(pdf);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_flow_by_name)
{
  char *dir = run_example("handshake.yaml");
  Run by_name = run_ipsim((const char *[]){"ladder", dir, "--flow", "hello", NULL});
  Run by_port = run_ipsim((const char *[]){"ladder", dir, "--flow", "5001", NULL});
  ck_assert_msg(by_name.status == 0, "%s", by_name.err);
  ck_assert_str_eq(by_name.out, by_port.out); /* hello's packets are those of port 5001 */
  assert_contains(by_name.out, "time         alice             bob\n");
  ck_assert_uint_eq(count_lines(by_name.out, "ARP"), 0);
  ck_assert_uint_eq(count_lines(by_name.out, "  |"), 10);
  run_clear(&by_name);
  run_clear(&by_port);
  assert_refused((const char *[]){"ladder", dir, "--flow", "web", NULL},
                 "--flow web: expected a port (5001), ADDRESS:PORT (10.0.0.2:5001) or an app's name (the trace's "
                 "apps: hello, listener)");
  char *tags = g_build_filename(dir, "trace.tags", NULL);
  g_unlink(tags);
  assert_refused((const char *[]){"ladder", dir, "--flow", "hello", NULL}, "which the run did not write");
  g_free(tags);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

START_TEST(test_groups_by_hand)
{
  Ladder *l = ladder_new();
  guint a1 = ladder_lane_in(l, "a top", "a"), a2 = ladder_lane_in(l, "a low", "a");
  guint unused = ladder_lane_in(l, "a none", "a"), b1 = ladder_lane_in(l, "b low", "b");
  ck_assert_uint_eq(unused, 2);
  LadderMsg m = {.from = a1, .to = b1, .t0 = 0, .t1 = SIMTIME_MS(3), .label = g_strdup("m")};
  m.via = g_array_new(FALSE, FALSE, sizeof(LadderStop));
  LadderStop s = {a2, SIMTIME_MS(1)};
  g_array_append_val(m.via, s);
  ladder_add(l, &m);
  ladder_prune(l);
  ck_assert_uint_eq(l->lanes->len, 3);
  ck_assert_str_eq(g_ptr_array_index(l->lanes, 2), "b low");
  const LadderMsg *got = &g_array_index(l->msgs, LadderMsg, 0);
  ck_assert_uint_eq(got->to, 2);
  LadderStop x, y;
  ladder_span(l, got, &x, &y);
  ck_assert(x.lane == 1 && x.t == SIMTIME_MS(1) && y.lane == 2 && y.t == SIMTIME_MS(3));
  ck_assert_str_eq(ladder_lane_short(l, 0), "top");
  ladder_free(l);
}
END_TEST

START_TEST(test_bad_input)
{
  char *dir = run_example("handshake.yaml");
  assert_refused((const char *[]){"ladder", "/nonexistent", "--between", "a,b", NULL}, "output: { trace: true }");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,carol", NULL}, "node named 'carol'");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice", NULL}, "two nodes or more");
  assert_refused((const char *[]){"ladder", dir, NULL}, "give --between");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,bob", "--from", "100s", NULL},
                 "no message between those nodes in that time window");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,bob", "--from", "2x", NULL}, "--from 2x");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,bob", "-o", "x.gif", NULL}, ".svg, .png");
  assert_refused((const char *[]){"ladder", dir, "--flow", "http", NULL}, "--flow http");
  assert_refused((const char *[]){"ladder", dir, "--flow", "9999", NULL}, "two nodes or more");
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,bob", "--collapse", "-1", NULL}, "--collapse");
  char *bad = g_build_filename(dir, "no", "such", "dir", "x.png", NULL);
  assert_refused((const char *[]){"ladder", dir, "--between", "alice,bob", "-o", bad, NULL}, "x.png");
  g_free(bad);
  remove_dir(dir);
  g_free(dir);
}
END_TEST

/* A trace by hand: a drop on the receiver, a loss on the way, a frame a
 * host refuses as not its own. */
static const char hand_trace[] =
    "1.000000000 a eth0 send #1 IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 1 len 28 UDP 1 > 2 len 8\n"
    "1.000000000 a eth0 tx #1 IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 1 len 28 UDP 1 > 2 len 8\n"
    "1.001000000 b eth0 rx #1 IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 1 len 28 UDP 1 > 2 len 8\n"
    "1.001000000 b eth0 drop #1 IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 1 len 28 UDP 1 > 2 len 8 reason port-unreachable\n"
    "1.002000000 b eth0 send #2 IPv4 10.0.0.2 > 10.0.0.1 ttl 64 id 1 len 28 UDP 2 > 1 len 8\n"
    "1.002000000 b eth0 tx #2 IPv4 10.0.0.2 > 10.0.0.1 ttl 64 id 1 len 28 UDP 2 > 1 len 8\n"
    "1.002500000 c eth0 rx #2 IPv4 10.0.0.2 > 10.0.0.1 ttl 64 id 1 len 28 UDP 2 > 1 len 8\n"
    "1.002500000 c eth0 drop #2 IPv4 10.0.0.2 > 10.0.0.1 ttl 64 id 1 len 28 UDP 2 > 1 len 8 reason other-mac\n"
    "1.003000000 - - note nothing\n";

START_TEST(test_build_by_hand)
{
  char *lanes[] = {(char *)"a", (char *)"b", (char *)"c", NULL};
  LadderQuery q = {.lanes = lanes, .from = -1, .to = -1};
  GError *error = NULL;
  Ladder *l = ladder_build(hand_trace, NULL, &q, &error);
  ck_assert_msg(l != NULL, "%s", error ? error->message : "?");
  char *text = ladder_text(l);
  ck_assert_str_eq(text, "time         a                 b                 c\n"
                         "1.000000000  |----------------X|                 |  1.001000000  UDP 1 > 2 len 8 [dropped at "
                         "b: port-unreachable]\n"
                         "1.002000000  |   X-------------|                 |  1.002500000  UDP 2 > 1 len 8 [lost]\n");
  g_free(text);
  ladder_free(l);
  q.hops = TRUE;
  l = ladder_build(hand_trace, NULL, &q, &error);
  ck_assert_ptr_nonnull(l);
  ck_assert_uint_eq(l->msgs->len, 1); /* c's other-mac frame is no message */
  ladder_free(l);
}
END_TEST

START_TEST(test_collapse_by_hand)
{
  Ladder *l = ladder_new();
  ladder_lane(l, "x");
  ladder_lane(l, "y");
  for (int i = 0; i < 5; i++) {
    LadderMsg m = {.from = 0, .to = 1, .t0 = SIMTIME_MS(i), .t1 = SIMTIME_MS(i + 10), .plain = TRUE};
    m.label = g_strdup_printf("seg %d", i);
    m.group = "segments";
    m.range = "seq";
    m.lo = (guint64)i * 100 + 1;
    m.hi = (guint64)i * 100 + 101;
    ladder_add(l, &m);
  }
  LadderMsg syn = {.from = 1, .to = 0, .t0 = SIMTIME_MS(20), .t1 = SIMTIME_MS(30), .end = LADDER_DROPPED};
  syn.label = g_strdup("FIN");
  syn.note = g_strdup("queue-full");
  ladder_add(l, &syn);
  ladder_collapse(l, 6);
  ck_assert_uint_eq(l->msgs->len, 6); /* not above the limit: unchanged */
  ladder_collapse(l, 2);
  ck_assert_uint_eq(l->msgs->len, 2);
  char *text = ladder_text(l);
  ck_assert_str_eq(text, "time         x                 y\n"
                         "0.000000000  |===============>>|  0.014000000  5 segments, seq 1:501\n"
                         "0.020000000  |X----------------|  0.030000000  FIN [dropped at x: queue-full]\n");
  g_free(text);
  ladder_free(l);
}
END_TEST

static Suite *ladder_suite(void)
{
  Suite *s = suite_create("ladder");
  TCase *tc = tcase_create("ladder");
  tcase_add_test(tc, test_handshake_text);
  tcase_add_test(tc, test_hops_text);
  tcase_add_test(tc, test_hub_hops_text);
  tcase_add_test(tc, test_fragments);
  tcase_add_test(tc, test_handshake_svg);
  tcase_add_test(tc, test_handshake_png_pdf);
  tcase_add_test(tc, test_long_transfer);
  tcase_add_test(tc, test_bad_input);
  tcase_add_test(tc, test_build_by_hand);
  tcase_add_test(tc, test_collapse_by_hand);
  tcase_add_test(tc, test_http_labels);
  tcase_add_test(tc, test_layers_text);
  tcase_add_test(tc, test_layers_paths);
  tcase_add_test(tc, test_layers_hops);
  tcase_add_test(tc, test_layers_svg_png_pdf);
  tcase_add_test(tc, test_flow_by_name);
  tcase_add_test(tc, test_groups_by_hand);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(ladder_suite());
}
