/*
 * The forms of `ipsim grade`'s table (doc/outputs.md, "Grading"): printed
 * for a teacher to read (a row per submission, a column per check, then
 * each submission's first failure or error), grade.csv for a spreadsheet
 * (RFC 4180) and grade.json for a program. A submission's score is the
 * points of the checks it passed over the points of all (each check 1
 * point unless the lab gives `points:`); one not graded scores 0.
 *
 * Entry points: grade_print(), grade_csv(), grade_json().
 */
#include <string.h>

#include "sim/cli/grade.h"
#include "sim/text/json.h"

static const LabCheck *grade_check(const Lab *lab, guint i)
{
  return &g_array_index(lab_checks(lab), LabCheck, i);
}

static guint grade_max_points(const Lab *lab)
{
  guint total = 0;
  for (guint i = 0; i < lab_checks(lab)->len; i++)
    total += grade_check(lab, i)->points;
  return total;
}

static guint grade_points(const Lab *lab, const GradeRow *row)
{
  guint points = 0;
  for (guint i = 0; i < row->cells->len; i++)
    points += g_array_index(row->cells, GradeCell, i).ok ? grade_check(lab, i)->points : 0;
  return points;
}

/* The index of the row's first failing check, or -1. */
static int grade_first_failure(const GradeRow *row)
{
  for (guint i = 0; i < row->cells->len; i++)
    if (!g_array_index(row->cells, GradeCell, i).ok)
      return (int)i;
  return -1;
}

/* "0.75": points over the maximum, two decimals. */
static char *grade_score(const Lab *lab, const GradeRow *row)
{
  guint max = grade_max_points(lab);
  return g_strdup_printf("%.2f", max ? (double)grade_points(lab, row) / max : 0.0);
}

/* ---- the printed table ------------------------------------------------ */

static void grade_print_header(const Lab *lab, int path_w, int score_w, FILE *out)
{
  fprintf(out, "%-*s  %-*s", path_w, "submission", score_w, "score");
  for (guint i = 0; i < lab_checks(lab)->len; i++)
    fprintf(out, "  %s", grade_check(lab, i)->name);
  fputc('\n', out);
}

static void grade_print_row(const Lab *lab, const GradeRow *row, int path_w, int score_w, FILE *out)
{
  char *score = g_strdup_printf("%u/%u", grade_points(lab, row), grade_max_points(lab));
  fprintf(out, "%-*s  %-*s", path_w, row->path, score_w, score);
  if (row->error)
    fputs("  error", out);
  for (guint i = 0; i < row->cells->len; i++) {
    int w = MAX(4, (int)strlen(grade_check(lab, i)->name));
    gboolean last = i + 1 == row->cells->len;
    fprintf(out, "  %-*s", last ? 0 : w, g_array_index(row->cells, GradeCell, i).ok ? "pass" : "FAIL");
  }
  fputc('\n', out);
  g_free(score);
}

/* A submission's first failing check with its evidence, or its error. */
static void grade_print_failure(const Lab *lab, const GradeRow *row, FILE *out)
{
  int first = grade_first_failure(row);
  if (row->error) {
    fprintf(out, "%s: not graded: %s\n", row->path, row->error);
    return;
  }
  if (first < 0)
    return;
  const GradeCell *c = &g_array_index(row->cells, GradeCell, first);
  fprintf(out, "%s: %s failed: %s\n  expected: %s\n  found:    %s\n", row->path, grade_check(lab, (guint)first)->name,
          c->text, c->expected, c->found);
  if (c->evidence->len)
    fputs("  evidence:\n", out);
  for (guint i = 0; i < c->evidence->len; i++)
    fprintf(out, "    %s\n", (const char *)g_ptr_array_index(c->evidence, i));
}

/* Prints the table, then each submission's first failure or error. */
void grade_print(const Lab *lab, const GPtrArray *rows, FILE *out)
{
  int path_w = (int)strlen("submission"), score_w = (int)strlen("score");
  guint failing = 0;
  for (guint i = 0; i < rows->len; i++) {
    const GradeRow *row = g_ptr_array_index(rows, i);
    path_w = MAX(path_w, (int)strlen(row->path));
    failing += row->error || grade_first_failure(row) >= 0;
  }
  char *max = g_strdup_printf("%u/%u", grade_max_points(lab), grade_max_points(lab));
  score_w = MAX(score_w, (int)strlen(max));
  g_free(max);
  grade_print_header(lab, path_w, score_w, out);
  for (guint i = 0; i < rows->len; i++)
    grade_print_row(lab, g_ptr_array_index(rows, i), path_w, score_w, out);
  if (failing)
    fputs("\nfirst failures\n", out);
  for (guint i = 0; i < rows->len; i++)
    grade_print_failure(lab, g_ptr_array_index(rows, i), out);
}

/* ---- grade.csv -------------------------------------------------------- */

/* Appends a CSV field, quoted when it holds a comma, a quote or a line break. */
static void grade_csv_field(GString *csv, const char *text, gboolean last)
{
  if (strpbrk(text, ",\"\r\n")) {
    g_string_append_c(csv, '"');
    for (const char *p = text; *p; p++)
      g_string_append_printf(csv, "%s", *p == '"' ? "\"\"" : (char[]){*p, '\0'});
    g_string_append_c(csv, '"');
  } else {
    g_string_append(csv, text);
  }
  g_string_append(csv, last ? "\r\n" : ",");
}

/* The first failure's columns: its check's name, expected, found, evidence. */
static void grade_csv_failure(GString *csv, const Lab *lab, const GradeRow *row)
{
  int first = grade_first_failure(row);
  const GradeCell *c = first >= 0 ? &g_array_index(row->cells, GradeCell, first) : NULL;
  grade_csv_field(csv, c ? grade_check(lab, (guint)first)->name : "", FALSE);
  grade_csv_field(csv, c ? c->expected : "", FALSE);
  grade_csv_field(csv, c ? c->found : "", FALSE);
  GString *evidence = g_string_new(NULL);
  for (guint i = 0; c && i < c->evidence->len; i++)
    g_string_append_printf(evidence, "%s%s", i ? "\n" : "", (const char *)g_ptr_array_index(c->evidence, i));
  grade_csv_field(csv, evidence->str, FALSE);
  g_string_free(evidence, TRUE);
}

static void grade_csv_row(GString *csv, const Lab *lab, const GradeRow *row)
{
  char *points = g_strdup_printf("%u", grade_points(lab, row)), *max = g_strdup_printf("%u", grade_max_points(lab));
  char *score = grade_score(lab, row);
  grade_csv_field(csv, row->path, FALSE);
  grade_csv_field(csv, row->error ? "error" : "graded", FALSE);
  grade_csv_field(csv, points, FALSE);
  grade_csv_field(csv, max, FALSE);
  grade_csv_field(csv, score, FALSE);
  for (guint i = 0; i < lab_checks(lab)->len; i++)
    grade_csv_field(csv,
                    i >= row->cells->len                         ? ""
                    : g_array_index(row->cells, GradeCell, i).ok ? "pass"
                                                                 : "fail",
                    FALSE);
  grade_csv_failure(csv, lab, row);
  grade_csv_field(csv, row->error ? row->error : "", TRUE);
  g_free(points);
  g_free(max);
  g_free(score);
}

/* grade.csv: a header, then a row per submission. */
GString *grade_csv(const Lab *lab, const GPtrArray *rows)
{
  static const char *const head[] = {"submission", "status", "points", "max_points", "score"};
  static const char *const tail[] = {"first_failure", "expected", "found", "evidence", "error"};
  GString *csv = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(head); i++)
    grade_csv_field(csv, head[i], FALSE);
  for (guint i = 0; i < lab_checks(lab)->len; i++)
    grade_csv_field(csv, grade_check(lab, i)->name, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS(tail); i++)
    grade_csv_field(csv, tail[i], i + 1 == G_N_ELEMENTS(tail));
  for (guint i = 0; i < rows->len; i++)
    grade_csv_row(csv, lab, g_ptr_array_index(rows, i));
  return csv;
}

/* ---- grade.json ------------------------------------------------------- */

static void grade_json_key(GString *json, const char *indent, const char *key, const char *text, gboolean comma)
{
  g_string_append_printf(json, "%s\"%s\": ", indent, key);
  if (text)
    json_append_string(json, text);
  else
    g_string_append(json, "null");
  g_string_append(json, comma ? ",\n" : "\n");
}

static void grade_json_checks(GString *json, const Lab *lab)
{
  g_string_append(json, "  \"checks\": [");
  for (guint i = 0; i < lab_checks(lab)->len; i++) {
    const LabCheck *c = grade_check(lab, i);
    g_string_append_printf(json, "%s\n    {\"name\": ", i ? "," : "");
    json_append_string(json, c->name);
    g_string_append(json, ", \"check\": ");
    json_append_string(json, c->check);
    g_string_append_printf(json, ", \"line\": %d, \"column\": %d, \"points\": %u}", c->mark.line, c->mark.column,
                           c->points);
  }
  g_string_append(json, "\n  ],\n");
}

static void grade_json_results(GString *json, const Lab *lab, const GradeRow *row)
{
  g_string_append(json, "      \"results\": [");
  for (guint i = 0; i < row->cells->len; i++) {
    const GradeCell *c = &g_array_index(row->cells, GradeCell, i);
    g_string_append_printf(json, "%s\n        {\"name\": ", i ? "," : "");
    json_append_string(json, grade_check(lab, i)->name);
    g_string_append_printf(json, ", \"result\": \"%s\", \"found\": ", c->ok ? "pass" : "fail");
    json_append_string(json, c->found);
    g_string_append(json, "}");
  }
  g_string_append(json, row->cells->len ? "\n      ],\n" : "],\n");
}

static void grade_json_failure(GString *json, const Lab *lab, const GradeRow *row)
{
  int first = grade_first_failure(row);
  if (first < 0) {
    g_string_append(json, "      \"first_failure\": null\n");
    return;
  }
  const GradeCell *c = &g_array_index(row->cells, GradeCell, first);
  g_string_append(json, "      \"first_failure\": {\n");
  grade_json_key(json, "        ", "name", grade_check(lab, (guint)first)->name, TRUE);
  grade_json_key(json, "        ", "text", c->text, TRUE);
  grade_json_key(json, "        ", "expected", c->expected, TRUE);
  grade_json_key(json, "        ", "found", c->found, TRUE);
  g_string_append(json, "        \"evidence\": [");
  for (guint i = 0; i < c->evidence->len; i++) {
    g_string_append_printf(json, "%s\n          ", i ? "," : "");
    json_append_string(json, g_ptr_array_index(c->evidence, i));
  }
  g_string_append_printf(json, "%s]\n      }\n", c->evidence->len ? "\n        " : "");
}

static void grade_json_row(GString *json, const Lab *lab, const GradeRow *row)
{
  char *score = grade_score(lab, row);
  g_string_append(json, "    {\n");
  grade_json_key(json, "      ", "submission", row->path, TRUE);
  grade_json_key(json, "      ", "status", row->error ? "error" : "graded", TRUE);
  g_string_append_printf(json, "      \"points\": %u,\n      \"max_points\": %u,\n      \"score\": %s,\n",
                         grade_points(lab, row), grade_max_points(lab), score);
  grade_json_key(json, "      ", "error", row->error, TRUE);
  grade_json_results(json, lab, row);
  grade_json_failure(json, lab, row);
  g_string_append(json, "    }");
  g_free(score);
}

/* grade.json: the lab's checks, then a record per submission. */
GString *grade_json(const Lab *lab, const char *lab_path, const GPtrArray *rows)
{
  GString *json = g_string_new("{\n");
  grade_json_key(json, "  ", "lab", lab_path, TRUE);
  g_string_append_printf(json, "  \"max_points\": %u,\n", grade_max_points(lab));
  grade_json_checks(json, lab);
  g_string_append(json, "  \"submissions\": [");
  for (guint i = 0; i < rows->len; i++) {
    g_string_append(json, i ? ",\n" : "\n");
    grade_json_row(json, lab, g_ptr_array_index(rows, i));
  }
  g_string_append(json, rows->len ? "\n  ]\n}\n" : "]\n}\n");
  return json;
}
