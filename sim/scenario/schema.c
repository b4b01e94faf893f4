/*
 * The schema walker and the value parsers shared by every section of the
 * scenario file. Entry points: schema_apply(), schema_parse_*().
 */
#include "sim/scenario/schema.h"

#include <string.h>

#include "sim/text/units.h"

/* Reports an error at `at`, prefixed with the current key path. */
void schema_error(SchemaCtx *cx, const YNode *at, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (cx->path->len)
    diag_add(cx->diags, DIAG_ERROR, at->line, at->column, "%s: %s", cx->path->str, msg);
  else
    diag_add(cx->diags, DIAG_ERROR, at->line, at->column, "%s", msg);
  g_free(msg);
}

/* Checks that `value` is of `type`; otherwise reports "expected <expected>, found ...". */
gboolean schema_expect(SchemaCtx *cx, const YNode *value, YNodeType type, const char *expected)
{
  if (value->type == type)
    return TRUE;
  char *found = ynode_describe(value);
  schema_error(cx, value, "expected %s, found %s", expected, found);
  g_free(found);
  return FALSE;
}

static gboolean schema_is_identifier(const char *key)
{
  if (!*key)
    return FALSE;
  for (const char *c = key; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* Appends a key to the path (".key", or ["odd key"]); returns the length to pop back to. */
gsize schema_path_push_key(SchemaCtx *cx, const char *key)
{
  gsize old = cx->path->len;
  if (schema_is_identifier(key)) {
    g_string_append_printf(cx->path, "%s%s", old ? "." : "", key);
  } else {
    g_string_append(cx->path, "[\"");
    ynode_escape(cx->path, key, "\"\\");
    g_string_append(cx->path, "\"]");
  }
  return old;
}

gsize schema_path_push_index(SchemaCtx *cx, guint index)
{
  gsize old = cx->path->len;
  g_string_append_printf(cx->path, "[%u]", index);
  return old;
}

void schema_path_pop(SchemaCtx *cx, gsize len)
{
  g_string_truncate(cx->path, len);
}

static const SchemaField *schema_find(const Schema *schema, const char *key)
{
  for (guint i = 0; i < schema->n_fields; i++)
    if (strcmp(schema->fields[i].key, key) == 0)
      return &schema->fields[i];
  return NULL;
}

static void schema_unknown_key(SchemaCtx *cx, const Schema *schema, const YNode *key)
{
  if (strcmp(key->text, "<<") == 0) {
    schema_error(cx, key, "merge keys ('<<') are not supported; use 'defaults' instead");
    return;
  }
  const char *names[64] = {0};
  guint n = MIN(schema->n_fields, G_N_ELEMENTS(names));
  for (guint i = 0; i < n; i++)
    names[i] = schema->fields[i].key;
  char *near = diag_suggest(key->text, names, n);
  GString *known = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(known, "%s%s", i ? ", " : "", names[i]);
  if (near)
    schema_error(cx, key, "unknown key '%s' in %s; did you mean '%s'?", key->text, schema->what, near);
  else
    schema_error(cx, key, "unknown key '%s' in %s; expected one of: %s", key->text, schema->what, known->str);
  g_string_free(known, TRUE);
  g_free(near);
}

/* Reports every required key `map` lacks; returns TRUE when none is missing. */
static gboolean schema_missing(SchemaCtx *cx, const Schema *schema, const YNode *map, guint64 seen)
{
  gboolean complete = TRUE;
  for (guint i = 0; i < schema->n_fields; i++)
    if (schema->fields[i].required && !(seen & (G_GUINT64_CONSTANT(1) << i))) {
      schema_error(cx, map, "%s needs the key '%s'", schema->what, schema->fields[i].key);
      complete = FALSE;
    }
  return complete;
}

/* Reads the mapping `map` into `dest` by `schema`. Returns TRUE when every
 * key was known and valid and no required key is missing; on FALSE all the
 * problems have been reported and `dest` holds what was valid. */
gboolean schema_apply(SchemaCtx *cx, const Schema *schema, const YNode *map, void *dest)
{
  g_return_val_if_fail(schema->n_fields <= 64, FALSE);
  char *expected = g_strdup_printf("a mapping describing %s", schema->what);
  gboolean ok = schema_expect(cx, map, YNODE_MAP, expected);
  g_free(expected);
  if (!ok)
    return FALSE;
  guint64 seen = 0;
  for (guint i = 0; i < map->n && !diag_full(cx->diags); i++) {
    const YNode *key = ynode_key(map, i);
    if (key->type != YNODE_SCALAR)
      continue; /* reported by the reader */
    const SchemaField *field = schema_find(schema, key->text);
    if (!field) {
      schema_unknown_key(cx, schema, key);
      ok = FALSE;
      continue;
    }
    seen |= G_GUINT64_CONSTANT(1) << (field - schema->fields);
    gsize mark = schema_path_push_key(cx, key->text);
    gboolean valid = field->parse(cx, ynode_value(map, i), (char *)dest + field->offset);
    schema_path_pop(cx, mark);
    if (valid && field->given_bit && schema->given_offset >= 0)
      *(guint *)((char *)dest + schema->given_offset) |= field->given_bit;
    ok = ok && valid;
  }
  ok = schema_missing(cx, schema, map, seen) && ok;
  return ok && !(cx->diags->errors && diag_full(cx->diags));
}

/* Runs a units parser on a scalar and reports its message on failure. */
static gboolean schema_parse_units(SchemaCtx *cx, const YNode *value, const char *expected,
                                   gboolean (*parse)(const char *, void *, GError **), void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, expected))
    return FALSE;
  GError *error = NULL;
  if (parse(value->text, dest, &error))
    return TRUE;
  schema_error(cx, value, "%s", error->message);
  g_error_free(error);
  return FALSE;
}

/* A non-empty string. */
gboolean schema_parse_string(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a string"))
    return FALSE;
  if (ynode_is_null(value)) {
    schema_error(cx, value, "expected a string, found nothing");
    return FALSE;
  }
  char **out = dest;
  g_free(*out);
  *out = g_strdup(value->text);
  return TRUE;
}

static gboolean schema_units_seed(const char *text, void *dest, GError **error)
{
  return units_parse_uint(text, G_MAXUINT64, dest, error);
}

static gboolean schema_units_duration(const char *text, void *dest, GError **error)
{
  return units_parse_duration(text, dest, error);
}

static gboolean schema_units_rate(const char *text, void *dest, GError **error)
{
  return units_parse_rate(text, dest, error);
}

static gboolean schema_units_queue(const char *text, void *dest, GError **error)
{
  return units_parse_queue(text, dest, error);
}

static gboolean schema_units_percent(const char *text, void *dest, GError **error)
{
  return units_parse_percent(text, dest, error);
}

gboolean schema_parse_seed(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_parse_units(cx, value, "a seed (an integer)", schema_units_seed, dest);
}

gboolean schema_parse_duration(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_parse_units(cx, value, "a duration such as '10ms'", schema_units_duration, dest);
}

gboolean schema_parse_rate(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_parse_units(cx, value, "a rate such as '100Mbps'", schema_units_rate, dest);
}

gboolean schema_parse_queue(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_parse_units(cx, value, "a queue limit such as '100p' or '64KiB'", schema_units_queue, dest);
}

gboolean schema_parse_percent(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_parse_units(cx, value, "a percentage such as '0.1%'", schema_units_percent, dest);
}
