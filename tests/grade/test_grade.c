/*
 * `ipsim grade` as a teacher meets it: the example class of
 * topologies/labs/ (a correct answer, a missing return route, a routing
 * loop, a node the checks name that the student called otherwise, a YAML
 * syntax error, a Linux host), graded from its folder, gives exactly the
 * golden table (printed, grade.csv, grade.json) and exit status 0; a bad
 * lab, bad usage and an empty folder exit 2 with their place; a submission
 * that runs past --time-limit costs its row only.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tests/testlib.h"

typedef struct {
  int status;
  char *out;
  char *err;
} Run;

static Run grade(const char *const *args)
{
  Run r;
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

static char *read_text(const char *path)
{
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  return text;
}

/* Fails with both texts when `found` is not the golden file `name`. */
static void assert_golden(const char *name, const char *found)
{
  char *path = testlib_path("GRADE_EXPECTED", name), *want = read_text(path);
  ck_assert_msg(strcmp(want, found) == 0, "%s differs; expected:\n%s\nfound:\n%s", path, want, found);
  g_free(want);
  g_free(path);
}

static void write_file(const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename(dir, name, NULL);
  ck_assert(g_file_set_contents(path, text, -1, NULL));
  g_free(path);
}

/* Works in topologies/labs, so that the table names the files as a teacher typed them. */
static void enter_labs(void)
{
  char *labs = testlib_path("TOPOLOGIES", "labs");
  ck_assert_int_eq(g_chdir(labs), 0);
  g_free(labs);
}

START_TEST(test_grade_class_golden)
{
  enter_labs();
  char *out = g_dir_make_tmp("ipsim-grade-XXXXXX", NULL);
  Run r = grade((const char *[]){"grade", "static-routes.yaml", "static-routes", "--out", out, NULL});
  ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
  ck_assert_str_eq(r.err, "");
  char **parts = g_strsplit(r.out, out, -1);
  char *shown = g_strjoinv("OUT", parts);
  assert_golden("stdout.txt", shown);
  char *csv_path = g_build_filename(out, "grade.csv", NULL), *json_path = g_build_filename(out, "grade.json", NULL);
  char *csv = read_text(csv_path), *json = read_text(json_path);
  assert_golden("grade.csv", csv);
  assert_golden("grade.json", json);
  g_free(csv);
  g_free(json);
  g_free(csv_path);
  g_free(json_path);
  g_free(shown);
  g_strfreev(parts);
  run_clear(&r);
  g_free(out);
}
END_TEST

/* One file as the submission, the default output folder ./LAB.out. */
START_TEST(test_grade_one_file_default_out)
{
  char *labs = testlib_path("TOPOLOGIES", "labs"), *work = g_dir_make_tmp("ipsim-grade-XXXXXX", NULL);
  char *lab = g_build_filename(labs, "static-routes.yaml", NULL);
  char *good = g_build_filename(labs, "static-routes", "good.yaml", NULL);
  ck_assert_int_eq(g_chdir(work), 0);
  Run r = grade((const char *[]){"grade", lab, good, NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "good.yaml  5/5    pass      pass        pass       pass\n");
  assert_contains(r.out, "output     static-routes.out/ (grade.csv, grade.json)\n");
  ck_assert(g_file_test("static-routes.out/grade.csv", G_FILE_TEST_IS_REGULAR));
  ck_assert(g_file_test("static-routes.out/grade.json", G_FILE_TEST_IS_REGULAR));
  run_clear(&r);
  g_free(lab);
  g_free(good);
  g_free(labs);
  g_free(work);
}
END_TEST

START_TEST(test_grade_bad_lab)
{
  char *dir = g_dir_make_tmp("ipsim-grade-XXXXXX", NULL);
  ck_assert_int_eq(g_chdir(dir), 0);
  write_file(dir, "sub.yaml", "nodes: { h1: { kind: host } }\n");
  write_file(dir, "lab.yaml",
             "nodes: { h1: { kind: host } }\nstop: 0s\nexpect:\n  - { never: { drop: ttl-expired }, points: 0 }\n"
             "  - { at: 1s }\n  - { exec: { name: x }, name: a }\n");
  Run r = grade((const char *[]){"grade", "lab.yaml", "sub.yaml", NULL});
  ck_assert_int_eq(r.status, 2);
  ck_assert_str_eq(r.out, "");
  assert_contains(r.err, "lab.yaml:1:1: error: nodes: 'nodes' belongs in the submissions: a lab holds the checks "
                         "(expect) and optionally apps, events, seed and stop\n");
  assert_contains(r.err, "lab.yaml:2:7: error: stop: the run must last longer than 0s\n");
  assert_contains(r.err, "lab.yaml:4:45: error: expect[0].points: the points of a check must be from 1 to 1000");
  assert_contains(r.err, "lab.yaml:5:5: error: expect[1]: an expectation needs one check");
  assert_contains(r.err, "lab.yaml:6:5: error: expect[2]: 'exec' checks a Linux host's command");
  run_clear(&r);
  write_file(dir, "lab.yaml", "expect:\n  - { never: { drop: ttl-expired }\n");
  r = grade((const char *[]){"grade", "lab.yaml", "sub.yaml", NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "lab.yaml:3:1: error: YAML syntax:");
  run_clear(&r);
  g_free(dir);
}
END_TEST

START_TEST(test_grade_usage)
{
  char *dir = g_dir_make_tmp("ipsim-grade-XXXXXX", NULL);
  ck_assert_int_eq(g_chdir(dir), 0);
  ck_assert_int_eq(g_mkdir("empty", 0755), 0);
  write_file(dir, "lab.yaml", "expect:\n  - { never: { drop: ttl-expired } }\n");
  static const char *const cases[][2] = {
      {NULL, "missing the LAB file and the SUBMISSIONS"},
      {"lab.yaml", "missing the SUBMISSIONS after the LAB file"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    Run r = grade((const char *[]){"grade", cases[i][0], NULL});
    ck_assert_int_eq(r.status, 2);
    assert_contains(r.err, cases[i][1]);
    run_clear(&r);
  }
  Run r = grade((const char *[]){"grade", "lab.yaml", "empty", NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "ipsim grade: the folder 'empty' holds no .yaml or .yml file\n");
  run_clear(&r);
  r = grade((const char *[]){"grade", "--time-limit", "soon", "lab.yaml", "empty", NULL});
  ck_assert_int_eq(r.status, 2);
  assert_contains(r.err, "--time-limit: expected a whole number of seconds");
  run_clear(&r);
  g_free(dir);
}
END_TEST

/* A run far longer than the limit is stopped; the other rows are graded. */
START_TEST(test_grade_time_limit)
{
  char *labs = testlib_path("TOPOLOGIES", "labs"), *dir = g_dir_make_tmp("ipsim-grade-XXXXXX", NULL);
  char *good = g_build_filename(labs, "static-routes", "good.yaml", NULL);
  ck_assert_int_eq(g_chdir(dir), 0);
  write_file(dir, "lab.yaml",
             "stop: 1000000s\napps:\n  - { name: p, type: ping, on: h1, to: h2, interval: 1ms }\n"
             "expect:\n  - { app: p, loss: 0% }\n");
  Run r = grade((const char *[]){"grade", "lab.yaml", good, "--time-limit", "1", NULL});
  ck_assert_int_eq(r.status, 0);
  assert_contains(r.out, "good.yaml: not graded: ");
  assert_contains(r.out, "good.yaml: stopped after the time limit of 1s (see --time-limit)\n");
  run_clear(&r);
  g_free(good);
  g_free(labs);
  g_free(dir);
}
END_TEST

static Suite *grade_suite(void)
{
  Suite *s = suite_create("grade");
  TCase *tc = tcase_create("grade");
  tcase_add_test(tc, test_grade_class_golden);
  tcase_add_test(tc, test_grade_one_file_default_out);
  tcase_add_test(tc, test_grade_bad_lab);
  tcase_add_test(tc, test_grade_usage);
  tcase_add_test(tc, test_grade_time_limit);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(grade_suite());
}
