/*
 * A lab, for `ipsim grade`: a fragment of a scenario file holding the
 * checks (`expect:`) and optionally the traffic and the run (`apps:`,
 * `events:`, `seed:`, `stop:`) that are applied to each student's
 * submission, a scenario that gives the network (nodes, links, addresses,
 * routes). Each section the lab gives replaces the submission's; the
 * submission's own `expect:`, `output:` and `realtime:` are dropped. Each
 * check may carry `points:` (a weight, default 1) and `name:` (its column
 * in the table, default "KEY@LINE:COLUMN", as "reach@12:5").
 *
 * The lab's lines are numbered from LAB_FIRST_LINE in the merged tree, and
 * the DiagList of a submission maps them back (diag_list_add_file()), so
 * that an error in either file is reported at its own file:line:column.
 *
 * Entry points: lab_load(), lab_checks(), lab_apply(), lab_free().
 */
#ifndef IPSIM_LAB_H
#define IPSIM_LAB_H

#include <glib.h>

#include "sim/scenario/scenario.h"
#include "sim/text/diag.h"

/* Past the lines of any scenario file (SCENARIO_MAX_FILE_BYTES). */
#define LAB_FIRST_LINE (1 << 27)

typedef struct {
  const char *check; /* its key: "reach", "route", "loss" (static) */
  char *name;        /* its column: `name:`, else "reach@12:5" */
  SrcMark mark;      /* its place in the lab file */
  guint points;      /* `points:`, 1 unless given */
} LabCheck;

typedef struct Lab Lab;

Lab *lab_load(const char *path, DiagList *diags);
const GArray *lab_checks(const Lab *lab);
Scenario *lab_apply(const Lab *lab, const char *submission, DiagList *diags);
void lab_free(Lab *lab);

#endif
