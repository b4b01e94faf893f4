/*
 * `ipsim grade`: the results of grading submissions against a lab, one
 * row per submission, one cell per check of the lab, and their forms: the
 * table printed, grade.csv and grade.json (doc/outputs.md, "Grading").
 *
 * Entry points: grade_row_new(), grade_row_free(); grade_print(),
 * grade_csv(), grade_json() (grade_table.c).
 */
#ifndef IPSIM_GRADE_H
#define IPSIM_GRADE_H

#include <glib.h>
#include <stdio.h>

#include "sim/scenario/lab.h"

/* One check of one submission, as the run's report words it. */
typedef struct {
  gboolean ok;
  char *text;          /* the check in words: "route r1 10.0.2.0/24 via r2" */
  char *expected;      /* in words */
  char *found;         /* in words */
  GPtrArray *evidence; /* of char* */
} GradeCell;

typedef struct {
  char *path;    /* the submission's file, as named on the command line or found in its folder */
  char *error;   /* why it was not graded ("file:line:column: message"), or NULL */
  GArray *cells; /* of GradeCell, one per check of the lab; empty with an error */
} GradeRow;

GradeRow *grade_row_new(const char *path);
void grade_row_free(gpointer row);
void grade_print(const Lab *lab, const GPtrArray *rows, FILE *out);
GString *grade_csv(const Lab *lab, const GPtrArray *rows);
GString *grade_json(const Lab *lab, const char *lab_path, const GPtrArray *rows);

#endif
