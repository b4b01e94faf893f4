/*
 * Test helpers: file locations come from the environment the test harness
 * sets (TOPOLOGIES, BAD_SCENARIOS, IPSIM; see Makefile.am), so that tests
 * run the same from the source tree, a build tree or `make distcheck`.
 */
#include "tests/testlib.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>

/* Returns the environment variable `name`; fails the test when unset. */
const char *testlib_env(const char *name)
{
  const char *value = g_getenv(name);
  ck_assert_msg(value != NULL, "%s is not set; run the tests through 'make check'", name);
  return value;
}

char *testlib_path(const char *env, const char *file)
{
  return g_build_filename(testlib_env(env), file, NULL);
}

/* Returns the sorted names of the files in `dir` ending with `suffix`. */
static gint testlib_name_cmp(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *testlib_list_dir(const char *dir, const char *suffix)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  ck_assert_msg(d != NULL, "cannot open %s", dir);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (g_str_has_suffix(name, suffix))
      g_ptr_array_add(names, g_strdup(name));
  g_dir_close(d);
  g_ptr_array_sort(names, testlib_name_cmp); /* by name: the slots hold pointers to the strings */
  return names;
}

static char *testlib_messages(const DiagList *diags)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  diag_list_print(diags, f);
  fclose(f);
  return text;
}

/* Loads a scenario from a string named "test.yaml"; stores the printed
 * diagnostics in *messages (g_free) when asked. */
Scenario *testlib_load_string(const char *yaml, char **messages)
{
  DiagList *diags = diag_list_new("test.yaml");
  Scenario *sc = scenario_load_data(yaml, strlen(yaml), "test.yaml", diags);
  if (messages)
    *messages = testlib_messages(diags);
  diag_list_free(diags);
  return sc;
}

/* Loads a scenario that must load; fails the test, showing the loader's
 * messages, when it does not. */
Scenario *testlib_load_ok(const char *yaml)
{
  char *messages = NULL;
  Scenario *sc = testlib_load_string(yaml, &messages);
  ck_assert_msg(sc != NULL, "the scenario does not load:\n%s", messages);
  g_free(messages);
  return sc;
}

/* Loads the file at `path`, naming it by its base name in messages, and
 * returns the printed diagnostics (g_free). *out gets the scenario or NULL. */
char *testlib_load_messages(const char *path, Scenario **out)
{
  char *base = g_path_get_basename(path);
  DiagList *diags = diag_list_new(base);
  Scenario *sc = scenario_load_file(path, diags);
  char *text = testlib_messages(diags);
  diag_list_free(diags);
  if (out)
    *out = sc;
  else
    scenario_free(sc);
  g_free(base);
  return text;
}

/* Runs the ipsim binary with `args` (NULL-terminated, without argv[0]);
 * returns its exit status and its standard output and error (g_free). */
int testlib_run_ipsim(const char *const *args, char **out, char **err)
{
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)testlib_env("IPSIM"));
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add(argv, (gpointer)*a);
  g_ptr_array_add(argv, NULL);
  int status = -1;
  GError *error = NULL;
  gboolean ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  ck_assert_msg(ok, "cannot run ipsim: %s", error ? error->message : "?");
  g_ptr_array_free(argv, TRUE);
  ck_assert_msg(WIFEXITED(status), "ipsim did not exit normally (status %d)", status);
  return WEXITSTATUS(status);
}

/* Runs `suite` (the test binary's main); returns the exit status. */
int testlib_run_suite(Suite *suite)
{
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Loads `yaml` and builds its network; fails the test if it does not load. */
TestNet testlib_build(const char *yaml)
{
  TestNet t = {testlib_load_ok(yaml), NULL};
  t.net = build_network(t.sc);
  ck_assert_ptr_nonnull(t.net);
  return t;
}

void testlib_build_free(TestNet *t)
{
  network_free(t->net);
  scenario_free(t->sc);
}

/* Loads `yaml` (failing the test if it does not load), builds the network
 * with the apps' output captured, lets `setup` (may be NULL) add events,
 * runs it to its stop time and finishes every app. */
TestRun testlib_run_scenario(const char *yaml, void (*setup)(Network *net))
{
  TestRun r = {0};
  size_t len = 0;

  r.sc = testlib_load_ok(yaml);
  r.net = build_network(r.sc);
  FILE *out = open_memstream(&r.text, &len);
  r.net->app_out = out;
  if (setup)
    setup(r.net);
  network_run(r.net);
  for (guint i = 0; i < r.net->apps->len; i++)
    app_finish(g_ptr_array_index(r.net->apps, i));
  r.net->app_out = NULL;
  fclose(out);
  return r;
}

void testlib_run_free(TestRun *r)
{
  network_free(r->net);
  scenario_free(r->sc);
  free(r->text);
}

App *testlib_run_app(const TestRun *r, guint i)
{
  return g_ptr_array_index(r->net->apps, i);
}

/* Returns the node of `net` called `name`; fails the test if none is. */
Node *testlib_node(const Network *net, const char *name)
{
  Node *node = network_find_node(net, name);
  ck_assert_msg(node != NULL, "no node %s", name);
  return node;
}
