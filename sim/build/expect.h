/*
 * The scenario's `expect:` checks, evaluated from the simulator's own state:
 * timed checks (reach, route, path, adjacency) run as events at their
 * time, converged and outage from their own times on; the others
 * (ping loss, traceroute hops, flow delivery, an app's goodput, when it
 * finished, the TCP states its connections reached, drops that must never
 * happen) at the end of the run. A failure names the check, its place in the file,
 * what was expected, what happened, and the trace lines that show it.
 *
 * Entry points: expect_validate() (model-level names, for `ipsim check`
 * too); expect_new() (after build_network: schedules the timed checks);
 * expect_finish() (after the run: evaluates the rest and reports);
 * expect_count() and expect_outcome() (each check's verdict, the one source
 * of what the report, expect.json and `ipsim grade` say); expect_json();
 * expect_print_measures() (what outage checks measured, for the summary);
 * expect_exec_result() (how a Linux host's command ended, from sim/emu);
 * expect_free().
 */
#ifndef IPSIM_EXPECT_H
#define IPSIM_EXPECT_H

#include <stdio.h>

#include "models/core/network.h"
#include "sim/scenario/scenario.h"
#include "sim/text/diag.h"

typedef struct Expect Expect;

/* A check's outcome, after expect_finish(); every pointer borrowed from the Expect. */
typedef struct {
  const ScenarioExpect *conf; /* its key (check), place (mark), time (at) and words (text) */
  gboolean ok;
  const char *expected;      /* in words */
  const char *found;         /* in words */
  const GPtrArray *evidence; /* of char*: trace lines and figures that show a failure */
} ExpectOutcome;

gboolean expect_validate(const Scenario *sc, DiagList *diags);
Expect *expect_new(Network *net, const Scenario *sc);
guint expect_finish(Expect *ex, FILE *out, guint *passed);
guint expect_count(const Expect *ex);
ExpectOutcome expect_outcome(const Expect *ex, guint i);
GString *expect_json(const Expect *ex, gboolean checked);
void expect_print_measures(const Expect *ex, FILE *out, const char *indent);
void expect_exec_result(Expect *ex, const char *name, int status, const char *how, const char *output);
void expect_free(Expect *ex);

#endif
