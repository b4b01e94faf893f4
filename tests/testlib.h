/*
 * Helpers shared by the Check suites: locating the example and test files,
 * loading scenarios from strings or files, and running the ipsim binary.
 */
#ifndef IPSIM_TESTLIB_H
#define IPSIM_TESTLIB_H

#include <check.h>
#include <glib.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/scenario/scenario.h"

const char *testlib_env(const char *name);
char *testlib_path(const char *env, const char *file);
GPtrArray *testlib_list_dir(const char *dir, const char *suffix);
Scenario *testlib_load_string(const char *yaml, char **messages);
Scenario *testlib_load_ok(const char *yaml);
char *testlib_load_messages(const char *path, Scenario **out);
int testlib_run_ipsim(const char *const *args, char **out, char **err);
int testlib_run_suite(Suite *suite);

/* A scenario run in-process, with what its apps printed. */
typedef struct {
  Scenario *sc;
  Network *net;
  char *text; /* everything the apps printed */
} TestRun;

/* A scenario's network, built and not run yet. */
typedef struct {
  Scenario *sc;
  Network *net;
} TestNet;

TestNet testlib_build(const char *yaml);
void testlib_build_free(TestNet *t);
TestRun testlib_run_scenario(const char *yaml, void (*setup)(Network *net));
void testlib_run_free(TestRun *r);
App *testlib_run_app(const TestRun *r, guint i);
Node *testlib_node(const Network *net, const char *name);

#endif
