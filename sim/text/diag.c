/*
 * Diagnostics: collecting and printing errors and warnings with their place
 * in the file, and suggesting the nearest known word for a misspelt one.
 * Entry points: diag_list_new(), diag_add(), diag_list_print(), diag_suggest();
 * diag_list_add_file() and diag_place() (a second file's lines),
 * diag_list_first_error().
 */
#include "sim/text/diag.h"

#include <string.h>

DiagList *diag_list_new(const char *file)
{
  DiagList *list = g_new0(DiagList, 1);
  list->file = g_strdup(file);
  list->items = g_array_new(FALSE, FALSE, sizeof(Diag));
  list->max_errors = DIAG_MAX_ERRORS;
  return list;
}

void diag_list_free(DiagList *list)
{
  if (!list)
    return;
  for (guint i = 0; i < list->items->len; i++)
    g_free(g_array_index(list->items, Diag, i).message);
  g_array_free(list->items, TRUE);
  g_free(list->file);
  g_free(list->second_file);
  g_free(list);
}

/* Records a problem at line:column (1-based; 0 for none). Errors past the
 * list's limit are counted but not kept. */
void diag_addv(DiagList *list, DiagLevel level, int line, int column, const char *fmt, va_list ap)
{
  if (level == DIAG_ERROR && list->errors++ >= list->max_errors)
    return;
  if (level == DIAG_WARNING)
    list->warnings++;
  Diag d = {level, line, column, g_strdup_vprintf(fmt, ap)};
  g_array_append_val(list->items, d);
}

void diag_add(DiagList *list, DiagLevel level, int line, int column, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  diag_addv(list, level, line, column, fmt, ap);
  va_end(ap);
}

/* TRUE once the list holds as many errors as it keeps: loading may stop. */
gboolean diag_full(const DiagList *list)
{
  return list->errors >= list->max_errors;
}

static int diag_compare(gconstpointer a, gconstpointer b)
{
  const Diag *x = a, *y = b;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return x->column < y->column ? -1 : x->column > y->column;
}

/* Says that the lines from `first_line` on are those of `file`, from its
 * line 1: the places of a second file merged into the list's own. */
void diag_list_add_file(DiagList *list, const char *file, int first_line)
{
  g_free(list->second_file);
  list->second_file = g_strdup(file);
  list->second_base = first_line;
}

/* The file and the line in it of the list's line `line`. */
void diag_place(const DiagList *list, int line, const char **file, int *file_line)
{
  gboolean second = list->second_file && line >= list->second_base;
  *file = second ? list->second_file : list->file;
  *file_line = second ? line - list->second_base + 1 : line;
}

/* "file:line:column: LEVEL: message" (LEVEL NULL: without it). */
static char *diag_format(const DiagList *list, const Diag *d, const char *level)
{
  const char *file;
  int line;
  diag_place(list, d->line, &file, &line);
  GString *s = g_string_new(file);
  if (d->line > 0)
    g_string_append_printf(s, ":%d:%d", line, d->column);
  g_string_append(s, ": ");
  if (level)
    g_string_append_printf(s, "%s: ", level);
  g_string_append(s, d->message);
  return g_string_free(s, FALSE);
}

static GArray *diag_sorted(const DiagList *list)
{
  GArray *sorted = g_array_copy(list->items);
  g_array_sort(sorted, diag_compare); /* g_array_sort is stable (merge sort) */
  return sorted;
}

/* Prints the problems in file order, as "file:line:column: error: message". */
void diag_list_print(const DiagList *list, FILE *out)
{
  GArray *sorted = diag_sorted(list);
  for (guint i = 0; i < sorted->len; i++) {
    const Diag *d = &g_array_index(sorted, Diag, i);
    char *text = diag_format(list, d, d->level == DIAG_ERROR ? "error" : "warning");
    fprintf(out, "%s\n", text);
    g_free(text);
  }
  if (list->errors >= list->max_errors)
    fprintf(out, "%s: error: too many errors; stopped after the first %u\n", list->file, list->max_errors);
  g_array_free(sorted, TRUE);
}

/* The first error in file order, "file:line:column: message", with
 * " (and N more errors)" when there are others; NULL when none (g_free). */
char *diag_list_first_error(const DiagList *list)
{
  GArray *sorted = diag_sorted(list);
  char *text = NULL;
  for (guint i = 0; i < sorted->len && !text; i++)
    if (g_array_index(sorted, Diag, i).level == DIAG_ERROR)
      text = diag_format(list, &g_array_index(sorted, Diag, i), NULL);
  g_array_free(sorted, TRUE);
  if (text && list->errors > 1) {
    char *more = g_strdup_printf("%s (and %u more %s)", text, list->errors - 1, list->errors == 2 ? "error" : "errors");
    g_free(text);
    text = more;
  }
  return text;
}

/* Returns the edit distance (insertions, deletions, substitutions and
 * transpositions of neighbours) between a and b, or a value above `limit`
 * as soon as it is clear the distance exceeds it. */
static guint diag_distance(const char *a, const char *b, guint limit)
{
  guint la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > limit)
    return limit + 1;
  guint d[65][65];
  for (guint i = 0; i <= la; i++)
    d[i][0] = i;
  for (guint j = 0; j <= lb; j++)
    d[0][j] = j;
  for (guint i = 1; i <= la; i++)
    for (guint j = 1; j <= lb; j++) {
      guint cost = g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]);
      guint best = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        best = MIN(best, d[i - 2][j - 2] + 1);
      d[i][j] = best;
    }
  return d[la][lb];
}

/* Returns (g_malloc'd) the candidate nearest to `word` when it is near
 * enough to be a likely typo, else NULL. */
char *diag_suggest(const char *word, const char *const *candidates, guint n)
{
  guint limit = MAX(1u, (guint)strlen(word) / 3);
  guint best = limit + 1;
  const char *pick = NULL;
  for (guint i = 0; i < n; i++) {
    guint dist = diag_distance(word, candidates[i], limit);
    if (dist < best) {
      best = dist;
      pick = candidates[i];
    }
  }
  return g_strdup(pick);
}
