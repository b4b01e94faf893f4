/*
 * `ipsim shell`: a script over topologies/rip-basic.yaml (the RIP failover
 * lesson) gives the transcript of tests/shell/rip-failover.txt byte for
 * byte, from --script and from standard input alike, every time; bad
 * commands print one error line and the shell goes on; scenarios the
 * shell cannot step (Linux hosts) and unreadable scripts are refused;
 * `save` writes a scenario that checks and runs. tests/shell/apps.script
 * over tests/shell/flow-lists.yaml gives tests/shell/apps.txt: apps of
 * several kinds in both forms of `start`, the trace's filters, `why` on
 * drops, errors, and `save` into flow sequences ([...]).
 */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/testlib.h"

/* Runs `ipsim shell FILE --script SCRIPT`; its output in *out. */
static int shell_script(const char *file, const char *script, char **out, char **err)
{
  return testlib_run_ipsim((const char *[]){"shell", file, "--script", script, NULL}, out, err);
}

/* The test's files: tests/shell/NAME in the source tree. */
static char *shell_file(const char *name)
{
  return g_build_filename(testlib_env("top_srcdir"), "tests", "shell", name, NULL);
}

static char *shell_golden(const char *name)
{
  char *path = shell_file(name), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  g_free(path);
  return text;
}

START_TEST(test_transcript_golden)
{
  char *file = testlib_path("TOPOLOGIES", "rip-basic.yaml"), *script = shell_file("rip-failover.script");
  char *want = shell_golden("rip-failover.txt");
  for (int run = 0; run < 2; run++) {
    char *out = NULL, *err = NULL;
    ck_assert_int_eq(shell_script(file, script, &out, &err), 0);
    ck_assert_str_eq(err, "");
    char *saved = g_build_filename(g_get_tmp_dir(), "ipsim-test_shell.out", NULL); /* not in the build directory */
    if (strcmp(out, want) != 0)
      g_file_set_contents(saved, out, -1, NULL);
    ck_assert_msg(strcmp(out, want) == 0, "the transcript differs from rip-failover.txt: see %s", saved);
    g_free(saved);
    g_free(out);
    g_free(err);
  }
  g_free(want);
  g_free(script);
  g_free(file);
}
END_TEST

/* tests/shell/rip-reroute.script over topologies/rip-failover.yaml gives
 * rip-reroute.txt byte for byte: r1's route to h2's LAN via r2 (metric 3)
 * is gone after the failure, a ping dropped at r1 is explained, and the
 * route comes back via r3 with metric 4. */
START_TEST(test_reroute_golden)
{
  char *file = testlib_path("TOPOLOGIES", "rip-failover.yaml"), *script = shell_file("rip-reroute.script");
  char *want = shell_golden("rip-reroute.txt"), *out = NULL, *err = NULL;
  ck_assert_int_eq(shell_script(file, script, &out, &err), 0);
  ck_assert_str_eq(err, "");
  ck_assert_str_eq(out, want);
  const char *before = strstr(out, "R>* 10.2.0.0/24 [120/3] via 10.0.12.2, eth1\n");
  const char *drop = strstr(out, "(no-route): r1 has no route to 10.2.0.10");
  const char *after = strstr(out, "R>* 10.2.0.0/24 [120/4] via 10.0.13.2, eth2\n");
  ck_assert(before && drop && after && before < drop && drop < after);
  g_free(out);
  g_free(err);
  g_free(want);
  g_free(script);
  g_free(file);
}
END_TEST

/* Standard input that is not a terminal reads as a script. */
START_TEST(test_stdin_same_as_script)
{
  char *file = testlib_path("TOPOLOGIES", "rip-basic.yaml"), *script = shell_file("rip-failover.script");
  char *cmd = g_strdup_printf("'%s' shell '%s' < '%s'", testlib_env("IPSIM"), file, script);
  char *out = NULL, *want = shell_golden("rip-failover.txt");
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char *[]){"/bin/sh", "-c", cmd, NULL}, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         &out, NULL, &status, NULL));
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert_msg(strcmp(out, want) == 0, "the transcript from standard input differs from rip-failover.txt");
  g_free(want);
  g_free(out);
  g_free(cmd);
  g_free(script);
  g_free(file);
}
END_TEST

/* The transcript shows r1's table change: the route learned, then lost. */
START_TEST(test_transcript_route_changes)
{
  char *want = shell_golden("rip-failover.txt");
  const char *learned = strstr(want, "R>* 10.2.0.0/24 [120/3] via 10.0.12.2, eth1");
  const char *down = strstr(want, "ipsim> link r2 r3 down\nlink r2:eth1 - r3:eth0 down\n");
  ck_assert_ptr_nonnull(learned);
  ck_assert_ptr_nonnull(down);
  ck_assert(learned < down);
  ck_assert_ptr_nonnull(strstr(down, "note rip: 10.2.0.0/24 via 10.0.12.2%eth1 metric 3 -> unreachable"));
  ck_assert_ptr_nonnull(strstr(want, "error: unknown command 'bogus'; 'help' lists the commands\n"));
  g_free(want);
}
END_TEST

START_TEST(test_refused)
{
  char *emu = testlib_path("TOPOLOGIES", "emu-frr.yaml"), *file = testlib_path("TOPOLOGIES", "rip-basic.yaml");
  char *out = NULL, *err = NULL;
  ck_assert_int_eq(shell_script(emu, "/dev/null", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "the shell steps simulated time"));
  g_free(out);
  g_free(err);
  ck_assert_int_eq(shell_script(file, "/nonexistent/script", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "cannot read '/nonexistent/script'"));
  g_free(out);
  g_free(err);
  ck_assert_int_eq(testlib_run_ipsim((const char *[]){"shell", NULL}, &out, &err), 2);
  g_free(out);
  g_free(err);
  g_free(file);
  g_free(emu);
}
END_TEST

/* save writes the session as a scenario that checks and replays (its
 * outputs in the scratch directory, removed after). */
START_TEST(test_save_replays)
{
  char *dir = g_dir_make_tmp("ipsim-shell-XXXXXX", NULL), *file = testlib_path("TOPOLOGIES", "rip-basic.yaml");
  char *script = g_build_filename(dir, "s.txt", NULL), *saved = g_build_filename(dir, "saved.yaml", NULL);
  char *cmds = g_strdup_printf("run until 40s\nlink r2 r3 down\nh1 ping h2 -c 2\nrun for 60s\nsave %s\n", saved);
  ck_assert(g_file_set_contents(script, cmds, -1, NULL));
  char *out = NULL, *err = NULL, *text = NULL;
  ck_assert_int_eq(shell_script(file, script, &out, &err), 0);
  ck_assert_ptr_nonnull(strstr(out, "1 event and 1 app added"));
  ck_assert(g_file_get_contents(saved, &text, NULL, NULL));
  ck_assert_ptr_nonnull(strstr(text, "  - { at: 40s, link: [\"r2:eth1\", \"r3:eth0\"], set: down }\n"));
  ck_assert_ptr_nonnull(strstr(text, "  - { name: shell1, type: ping, on: h1, to: h2, start: 40s, count: 2 }\n"));
  ck_assert_ptr_nonnull(strstr(text, "stop: 101s"));
  g_free(out);
  g_free(err);
  char *outdir = g_build_filename(dir, "out", NULL); /* not ./saved.out: the tests write only in their scratch */
  ck_assert_int_eq(testlib_run_ipsim((const char *[]){"run", saved, "--quiet", "--out", outdir, NULL}, &out, &err), 0);
  ck_assert(g_spawn_sync(NULL, (char *[]){"rm", "-rf", "--", dir, NULL}, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                         NULL, NULL, NULL));
  g_free(outdir);
  g_free(text);
  g_free(out);
  g_free(err);
  g_free(cmds);
  g_free(saved);
  g_free(script);
  g_free(file);
  g_free(dir);
}
END_TEST

/* `text` with every `from` replaced by `to`. */
static char *shell_replace(const char *text, const char *from, const char *to)
{
  char **parts = g_strsplit(text, from, -1), *out = g_strjoinv(to, parts);
  g_strfreev(parts);
  return out;
}

/* Runs apps.script over tests/shell/flow-lists.yaml in the scratch `dir`
 * (its @DIR@), from --script or from standard input; the transcript with
 * `dir` shown as @DIR@. */
static char *shell_apps_run(const char *dir, gboolean from_stdin)
{
  char *file = shell_file("flow-lists.yaml"), *src = shell_file("apps.script"), *text = NULL;
  char *script = g_build_filename(dir, "apps.script", NULL), *out = NULL, *err = NULL;
  ck_assert(g_file_get_contents(src, &text, NULL, NULL));
  char *cmds = shell_replace(text, "@DIR@", dir);
  ck_assert(g_file_set_contents(script, cmds, -1, NULL));
  if (from_stdin) {
    char *cmd = g_strdup_printf("'%s' shell '%s' < '%s'", testlib_env("IPSIM"), file, script);
    int status = -1;
    ck_assert(g_spawn_sync(NULL, (char *[]){"/bin/sh", "-c", cmd, NULL}, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                           &out, NULL, &status, NULL));
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_free(cmd);
  } else {
    ck_assert_int_eq(shell_script(file, script, &out, &err), 0);
    ck_assert_str_eq(err, "");
  }
  char *shown = shell_replace(out, dir, "@DIR@");
  g_free(out);
  g_free(err);
  g_free(cmds);
  g_free(text);
  g_free(script);
  g_free(src);
  g_free(file);
  return shown;
}

/* Apps of every form, the trace's filters, why on drops and save over flow
 * sequences: tests/shell/apps.txt byte for byte, twice and from standard
 * input; the saved session checks and runs, its lists extended in place. */
START_TEST(test_apps_golden)
{
  char *dir = g_dir_make_tmp("ipsim-shell-XXXXXX", NULL), *want = shell_golden("apps.txt");
  for (int run = 0; run < 3; run++) {
    char *out = shell_apps_run(dir, run == 2);
    char *saved = g_build_filename(g_get_tmp_dir(), "ipsim-test_shell-apps.out", NULL);
    if (strcmp(out, want) != 0)
      g_file_set_contents(saved, out, -1, NULL);
    ck_assert_msg(strcmp(out, want) == 0, "run %d: the transcript differs from apps.txt: see %s", run, saved);
    g_free(saved);
    g_free(out);
  }
  ck_assert_ptr_nonnull(strstr(want, "error: start: column 37: apps[8]: unknown key 'bogus' in an app"));
  ck_assert_ptr_nonnull(strstr(want, "(port-unreachable): no socket on h3 is bound to UDP port 9"));
  char *saved = g_build_filename(dir, "session.yaml", NULL), *text = NULL, *out = NULL, *err = NULL;
  ck_assert(g_file_get_contents(saved, &text, NULL, NULL));
  ck_assert_ptr_nonnull(strstr(text, "events: [ { at: 8s, link: wan, set: down }, { at: 620ms, link: [\"r1:eth2\", "
                                     "\"h3:eth0\"], set: down } ]\n"));
  ck_assert_ptr_nonnull(strstr(text, "{ name: iperf, type: bulk, on: h1, to: h2, bytes: 3kB, start: 0s }"));
  ck_assert_ptr_nonnull(strstr(text, "{ name: udp-cbr1, type: udp-cbr, on: h1, to: \"h3:9\", rate: 8kbps, size: 100, "
                                     "stop: 250ms, start: 0s }"));
  char *outdir = g_build_filename(dir, "out", NULL);
  ck_assert_int_eq(testlib_run_ipsim((const char *[]){"run", saved, "--quiet", "--out", outdir, NULL}, &out, &err), 0);
  ck_assert(g_spawn_sync(NULL, (char *[]){"rm", "-rf", "--", dir, NULL}, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                         NULL, NULL, NULL));
  g_free(outdir);
  g_free(out);
  g_free(err);
  g_free(text);
  g_free(saved);
  g_free(want);
  g_free(dir);
}
END_TEST

static Suite *shell_suite(void)
{
  Suite *s = suite_create("shell");
  TCase *tc = tcase_create("shell");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_transcript_golden);
  tcase_add_test(tc, test_reroute_golden);
  tcase_add_test(tc, test_stdin_same_as_script);
  tcase_add_test(tc, test_transcript_route_changes);
  tcase_add_test(tc, test_refused);
  tcase_add_test(tc, test_save_replays);
  tcase_add_test(tc, test_apps_golden);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(shell_suite());
}
