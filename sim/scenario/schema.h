/*
 * Table-driven validation of YAML mappings into C structs. A Schema lists
 * the keys a mapping may hold; each key has a parser that checks its value
 * and stores it at an offset in the destination struct. schema_apply()
 * reports unknown keys (suggesting the nearest known one), missing required
 * keys and every bad value, each with its place and its key path
 * (links[3].delay). A new section of the scenario file is a new table.
 *
 * Entry points: schema_apply(); the schema_parse_* value parsers; and
 * schema_error() and the path helpers for custom parsers.
 */
#ifndef IPSIM_SCHEMA_H
#define IPSIM_SCHEMA_H

#include <glib.h>

#include "sim/text/diag.h"
#include "sim/scenario/yaml_tree.h"

typedef struct {
  DiagList *diags;
  GString *path; /* the key path of the value being read */
  gpointer user; /* the caller's state, for custom parsers */
} SchemaCtx;

/* Checks `value` and stores it at `dest`; returns FALSE after reporting. */
typedef gboolean (*SchemaParseFn)(SchemaCtx *cx, const YNode *value, void *dest);

typedef struct {
  const char *key;
  SchemaParseFn parse;
  size_t offset;   /* of the destination inside the struct */
  guint given_bit; /* OR-ed into the struct's given mask when the key is set */
  gboolean required;
} SchemaField;

typedef struct {
  const char *what; /* what the mapping describes, for messages: "a link" */
  const SchemaField *fields;
  guint n_fields;
  gssize given_offset; /* of a guint mask in the struct, or -1 */
} Schema;

#define SCHEMA_NO_GIVEN ((gssize)-1)

gboolean schema_apply(SchemaCtx *cx, const Schema *schema, const YNode *map, void *dest);

void schema_error(SchemaCtx *cx, const YNode *at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
gboolean schema_expect(SchemaCtx *cx, const YNode *value, YNodeType type, const char *expected);

gsize schema_path_push_key(SchemaCtx *cx, const char *key);
gsize schema_path_push_index(SchemaCtx *cx, guint index);
void schema_path_pop(SchemaCtx *cx, gsize len);

gboolean schema_parse_string(SchemaCtx *cx, const YNode *value, void *dest);   /* char ** */
gboolean schema_parse_seed(SchemaCtx *cx, const YNode *value, void *dest);     /* uint64_t * */
gboolean schema_parse_duration(SchemaCtx *cx, const YNode *value, void *dest); /* SimTime * */
gboolean schema_parse_rate(SchemaCtx *cx, const YNode *value, void *dest);     /* uint64_t * bits/s */
gboolean schema_parse_queue(SchemaCtx *cx, const YNode *value, void *dest);    /* QueueLimit * */
gboolean schema_parse_percent(SchemaCtx *cx, const YNode *value, void *dest);  /* double * fraction */

#endif
