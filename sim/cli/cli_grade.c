/*
 * The `grade` command: loads a lab (sim/scenario/lab.h), then grades each
 * submission (a scenario file, or every .yaml and .yml file of a folder)
 * one after another, each in a child process with a time limit, so that a
 * crash or a hang on one submission costs its row and nothing else. A
 * child loads the submission with the lab merged in, refuses Linux hosts,
 * runs the simulation and sends its row back through a pipe as a GVariant.
 * Then the table is printed and written to DIR/grade.csv and DIR/grade.json.
 * Exit status 0 when grading completed (whatever the scores), 2 for a bad
 * lab, a usage error or outputs that could not be written.
 *
 * Entry point: cli_grade().
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/app/app.h"
#include "sim/build/build.h"
#include "sim/build/expect.h"
#include "sim/cli/cli.h"
#include "sim/cli/grade.h"

#define GRADE_DEFAULT_LIMIT_S 60
#define GRADE_ROW_TYPE "(msa(bsssas))"

GradeRow *grade_row_new(const char *path)
{
  GradeRow *row = g_new0(GradeRow, 1);
  row->path = g_strdup(path);
  row->cells = g_array_new(FALSE, TRUE, sizeof(GradeCell));
  return row;
}

void grade_row_free(gpointer p)
{
  GradeRow *row = p;
  for (guint i = 0; i < row->cells->len; i++) {
    GradeCell *c = &g_array_index(row->cells, GradeCell, i);
    g_free(c->text);
    g_free(c->expected);
    g_free(c->found);
    g_ptr_array_free(c->evidence, TRUE);
  }
  g_array_free(row->cells, TRUE);
  g_free(row->path);
  g_free(row->error);
  g_free(row);
}

/* Why a submission is not simulated: a Linux host, at its place; or NULL. */
static char *grade_refusal(const Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++) {
    const ScenarioNode *n = &g_array_index(sc->nodes, ScenarioNode, i);
    if (n->kind == NODE_KIND_LINUX)
      return g_strdup_printf("%s:%d:%d: refused: '%s' is a Linux host (kind: linux); ipsim grade runs "
                             "simulations only, without Linux hosts",
                             sc->file, n->mark.line, n->mark.column, n->name);
  }
  return NULL;
}

/* Runs the loaded submission and fills its cells, one per check of the lab. */
static void grade_simulate(const Scenario *sc, GradeRow *row)
{
  Network *net = build_network(sc);
  net->app_out = NULL;
  Expect *ex = expect_new(net, sc);
  network_run(net);
  for (guint i = 0; i < net->apps->len; i++)
    app_finish(g_ptr_array_index(net->apps, i));
  guint passed = 0;
  expect_finish(ex, NULL, &passed);
  for (guint i = 0; i < expect_count(ex); i++) {
    ExpectOutcome o = expect_outcome(ex, i);
    GradeCell c = {o.ok, g_strdup(o.conf->text), g_strdup(o.expected), g_strdup(o.found),
                   g_ptr_array_new_with_free_func(g_free)};
    for (guint k = 0; k < o.evidence->len; k++)
      g_ptr_array_add(c.evidence, g_strdup(g_ptr_array_index(o.evidence, k)));
    g_array_append_val(row->cells, c);
  }
  expect_free(ex);
  network_free(net);
}

/* Grades one submission in this process. */
static GradeRow *grade_run(const Lab *lab, const char *path)
{
  GradeRow *row = grade_row_new(path);
  DiagList *diags = diag_list_new(path);
  Scenario *sc = lab_apply(lab, path, diags);
  if (sc && !expect_validate(sc, diags)) {
    scenario_free(sc);
    sc = NULL;
  }
  row->error = sc ? grade_refusal(sc) : diag_list_first_error(diags);
  if (sc && !row->error)
    grade_simulate(sc, row);
  if (!row->error && row->cells->len != lab_checks(lab)->len)
    row->error =
        g_strdup_printf("%s: %u checks were run instead of the lab's %u", path, row->cells->len, lab_checks(lab)->len);
  scenario_free(sc);
  diag_list_free(diags);
  return row;
}

static GVariant *grade_row_pack(const GradeRow *row)
{
  GVariantBuilder cells;
  g_variant_builder_init(&cells, G_VARIANT_TYPE("a(bsssas)"));
  for (guint i = 0; i < row->cells->len; i++) {
    const GradeCell *c = &g_array_index(row->cells, GradeCell, i);
    g_ptr_array_add(c->evidence, NULL);
    g_variant_builder_add(&cells, "(bsss^as)", c->ok, c->text, c->expected, c->found, c->evidence->pdata);
    g_ptr_array_set_size(c->evidence, c->evidence->len - 1);
  }
  return g_variant_ref_sink(g_variant_new("(msa(bsssas))", row->error, &cells));
}

static GradeRow *grade_row_unpack(const char *path, GVariant *v)
{
  GradeRow *row = grade_row_new(path);
  GVariantIter *cells;
  gboolean ok;
  char *text, *expected, *found, **evidence;
  g_variant_get(v, "(msa(bsssas))", &row->error, &cells);
  while (g_variant_iter_next(cells, "(bsss^as)", &ok, &text, &expected, &found, &evidence)) {
    GradeCell c = {ok, text, expected, found, g_ptr_array_new_with_free_func(g_free)};
    for (char **e = evidence; *e; e++)
      g_ptr_array_add(c.evidence, *e);
    g_free(evidence);
    g_array_append_val(row->cells, c);
  }
  g_variant_iter_free(cells);
  return row;
}

/* The child: grades the submission and writes its row to `fd`. */
static G_GNUC_NORETURN void grade_child(const Lab *lab, const char *path, int fd)
{
  GradeRow *row = grade_run(lab, path);
  GVariant *v = grade_row_pack(row);
  const char *data = g_variant_get_data(v);
  gsize len = g_variant_get_size(v), done = 0;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n < 0 && errno != EINTR)
      _exit(1);
    done += n > 0 ? (gsize)n : 0;
  }
  g_variant_unref(v);
  grade_row_free(row);
  _exit(0);
}

/* Reads `fd` to its end, for at most `limit_s` seconds; FALSE on time out. */
static gboolean grade_read(int fd, guint limit_s, GByteArray *data)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)limit_s * G_USEC_PER_SEC;
  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    struct pollfd p = {fd, POLLIN, 0};
    int ready = left > 0 ? poll(&p, 1, (int)MIN(left, G_MAXINT)) : 0;
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return FALSE;
    guint8 chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return TRUE;
    g_byte_array_append(data, chunk, (guint)n);
  }
}

/* The row of a child that ended without sending one. */
static GradeRow *grade_lost(const char *path, gboolean timed_out, guint limit_s, int status)
{
  GradeRow *row = grade_row_new(path);
  if (timed_out)
    row->error = g_strdup_printf("%s: stopped after the time limit of %us (see --time-limit)", path, limit_s);
  else if (WIFSIGNALED(status))
    row->error =
        g_strdup_printf("%s: ipsim crashed on this submission (signal %d); please report it", path, WTERMSIG(status));
  else
    row->error = g_strdup_printf("%s: grading failed (exit status %d)", path, WEXITSTATUS(status));
  return row;
}

/* Grades one submission in a child process, killed past `limit_s` seconds. */
static GradeRow *grade_fork(const Lab *lab, const char *path, guint limit_s)
{
  int fds[2];
  fflush(NULL);
  pid_t pid = pipe(fds) == 0 ? fork() : -1;
  if (pid < 0) {
    GradeRow *row = grade_row_new(path);
    row->error = g_strdup_printf("%s: cannot start grading it: %s", path, g_strerror(errno));
    return row;
  }
  if (pid == 0) {
    close(fds[0]);
    grade_child(lab, path, fds[1]);
  }
  close(fds[1]);
  GByteArray *data = g_byte_array_new();
  gboolean done = grade_read(fds[0], limit_s, data);
  close(fds[0]);
  if (!done)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  GBytes *bytes = g_byte_array_free_to_bytes(data);
  GVariant *v = g_variant_new_from_bytes(G_VARIANT_TYPE(GRADE_ROW_TYPE), bytes, FALSE);
  gboolean sent = done && WIFEXITED(status) && WEXITSTATUS(status) == 0 && g_variant_is_normal_form(v);
  GradeRow *row = sent ? grade_row_unpack(path, v) : grade_lost(path, !done, limit_s, status);
  g_variant_unref(g_variant_ref_sink(v));
  g_bytes_unref(bytes);
  return row;
}

static gint grade_compare_paths(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the submissions `arg` names: itself, or a folder's .yaml and .yml
 * files in name order; FALSE after reporting a folder without any. */
static gboolean grade_add_submissions(const char *arg, GPtrArray *paths)
{
  if (!g_file_test(arg, G_FILE_TEST_IS_DIR)) {
    g_ptr_array_add(paths, g_strdup(arg));
    return TRUE;
  }
  GDir *dir = g_dir_open(arg, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    if (g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".yml"))
      g_ptr_array_add(names, g_build_filename(arg, name, NULL));
  if (dir)
    g_dir_close(dir);
  g_ptr_array_sort(names, grade_compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add(paths, g_strdup(g_ptr_array_index(names, i)));
  gboolean any = names->len > 0;
  if (!any)
    fprintf(stderr, "ipsim grade: the folder '%s' holds no .yaml or .yml file\n", arg);
  g_ptr_array_free(names, TRUE);
  return any;
}

/* The default output folder: ./LAB.out (LAB without .yaml), as `ipsim run`'s. */
static char *grade_output_dir(const char *lab_path, const char *out)
{
  if (out)
    return g_strdup(out);
  char *base = g_path_get_basename(lab_path);
  for (const char *const *ext = (const char *const[]){".yaml", ".yml", NULL}; *ext; ext++)
    if (g_str_has_suffix(base, *ext)) {
      base[strlen(base) - strlen(*ext)] = '\0';
      break;
    }
  char *dir = g_strconcat(base, ".out", NULL);
  g_free(base);
  return dir;
}

/* Writes DIR/grade.csv and DIR/grade.json. */
static gboolean grade_write_outputs(const Lab *lab, const char *lab_path, const GPtrArray *rows, const char *dir)
{
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    fprintf(stderr, "ipsim grade: cannot create the output directory '%s': %s\n", dir, g_strerror(errno));
    return FALSE;
  }
  return cli_write_file("grade", dir, "grade.csv", grade_csv(lab, rows)) &&
         cli_write_file("grade", dir, "grade.json", grade_json(lab, lab_path, rows));
}

/* Parses --time-limit; FALSE after reporting. */
static gboolean grade_limit(const char *text, guint *limit_s)
{
  guint64 v = GRADE_DEFAULT_LIMIT_S;
  if (text && (!g_ascii_string_to_unsigned(text, 10, 1, 86400, &v, NULL))) {
    fprintf(stderr, "ipsim grade: --time-limit: expected a whole number of seconds from 1 to 86400, found '%s'\n",
            text);
    return FALSE;
  }
  *limit_s = (guint)v;
  return TRUE;
}

/* Loads the lab and grades the submissions; returns the exit status. */
static int grade_main(int argc, char **argv, const char *out, guint limit_s, gboolean quiet)
{
  DiagList *diags = diag_list_new(argv[1]);
  Lab *lab = lab_load(argv[1], diags);
  diag_list_print(diags, stderr);
  diag_list_free(diags);
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  gboolean ok = lab != NULL;
  for (int i = 2; ok && i < argc; i++)
    ok = grade_add_submissions(argv[i], paths);
  GPtrArray *rows = g_ptr_array_new_with_free_func(grade_row_free);
  for (guint i = 0; ok && i < paths->len; i++)
    g_ptr_array_add(rows, grade_fork(lab, g_ptr_array_index(paths, i), limit_s));
  char *dir = grade_output_dir(argv[1], out);
  if (ok && !quiet)
    grade_print(lab, rows, stdout);
  ok = ok && grade_write_outputs(lab, argv[1], rows, dir);
  if (ok && !quiet)
    printf("\noutput     %s%s (grade.csv, grade.json)\n", dir, g_str_has_suffix(dir, G_DIR_SEPARATOR_S) ? "" : "/");
  g_free(dir);
  g_ptr_array_free(rows, TRUE);
  g_ptr_array_free(paths, TRUE);
  lab_free(lab);
  return ok ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int cli_grade(int argc, char **argv)
{
  char *out = NULL, *limit = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {{"out", 0, 0, G_OPTION_ARG_FILENAME, &out, NULL, NULL},
                            {"time-limit", 0, 0, G_OPTION_ARG_STRING, &limit, NULL, NULL},
                            {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL},
                            G_OPTION_ENTRY_NULL};
  guint limit_s = GRADE_DEFAULT_LIMIT_S;
  int status = CLI_EXIT_USAGE;
  if (cli_parse_options("grade", entries, &argc, &argv) && grade_limit(limit, &limit_s)) {
    if (argc < 3)
      fprintf(stderr, "ipsim grade: missing %s; see 'ipsim help grade'\n",
              argc < 2 ? "the LAB file and the SUBMISSIONS" : "the SUBMISSIONS after the LAB file");
    else if (cli_operands("grade", argc, argv, -1))
      status = grade_main(argc, argv, out, limit_s, quiet);
  }
  g_free(out);
  g_free(limit);
  return status;
}
