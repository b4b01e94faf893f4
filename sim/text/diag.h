/*
 * Diagnostics: the errors and warnings found in a user's input, each with
 * its place (file:line:column). A list collects every problem of a file, up
 * to a limit, so that a user fixes them all in one round; it prints them in
 * file order.
 */
#ifndef IPSIM_DIAG_H
#define IPSIM_DIAG_H

#include <glib.h>
#include <stdio.h>

/* A place in a file, 1-based; line 0 when there is none. */
typedef struct {
  int line;
  int column;
} SrcMark;

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagLevel;

typedef struct {
  DiagLevel level;
  int line;   /* 1-based; 0 when the problem has no place in the file */
  int column; /* 1-based */
  char *message;
} Diag;

typedef struct {
  char *file;    /* the name printed before each message */
  GArray *items; /* of Diag */
  guint errors;
  guint warnings;
  guint max_errors;  /* errors past this are counted but not kept */
  char *second_file; /* NULL, or the file whose lines are numbered from second_base */
  int second_base;
} DiagList;

#define DIAG_MAX_ERRORS 50

DiagList *diag_list_new(const char *file);
void diag_list_free(DiagList *list);
void diag_add(DiagList *list, DiagLevel level, int line, int column, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
void diag_addv(DiagList *list, DiagLevel level, int line, int column, const char *fmt, va_list ap);
gboolean diag_full(const DiagList *list);
void diag_list_print(const DiagList *list, FILE *out);
void diag_list_add_file(DiagList *list, const char *file, int first_line);
void diag_place(const DiagList *list, int line, const char **file, int *file_line);
char *diag_list_first_error(const DiagList *list);
char *diag_suggest(const char *word, const char *const *candidates, guint n);

#endif
