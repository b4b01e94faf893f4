/*
 * Reads YAML into a YNode tree through libyaml's event parser, so that every
 * limit is enforced while reading: a document nested deeper than
 * YTREE_MAX_DEPTH, or whose aliases would expand past YTREE_MAX_WEIGHT nodes,
 * is refused before it costs more than the input's size. Aliases share their
 * anchor's subtree instead of copying it. Anchors become visible when their
 * node is complete, so an alias cannot refer to an enclosing node.
 *
 * Entry points: ytree_parse(), then ytree_root() and the ynode_* accessors,
 * then ytree_free(). YAML 1.1 as libyaml reads it; one document per file;
 * only the standard tags (!!str, !!int ...); merge keys ("<<") are left to
 * the schema, which refuses them.
 */
#include "sim/scenario/yaml_tree.h"

#include <string.h>
#include <yaml.h>

struct YTree {
  GPtrArray *nodes; /* every node, for freeing */
  YNode *root;
};

typedef struct {
  YNode *node;
  GPtrArray *children;
  char *anchor; /* registered when the node is complete */
} YFrame;

/* A bound that ytree_parse() quoted: its line and the columns of the two
 * quotes it added, in the text of that round. */
typedef struct {
  int line, open, close;
} YQuote;

typedef struct {
  YTree *tree;
  DiagList *diags;
  const char *data;
  size_t len;
  GArray *stack;       /* of YFrame */
  GHashTable *anchors; /* name -> YNode*, complete nodes only */
  guint documents;
  gboolean failed;
  size_t quote_from, quote_to; /* an unquoted bound to quote before reading again; quote_to 0: none */
  GArray *quotes;              /* of YQuote: the bounds quoted before this reading */
} YReader;

#define YTREE_MAX_QUOTE_FIXES 20

static void yreader_error(YReader *rd, int line, int column, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* Moves a place in the text with quoted bounds back to the file's own text. */
static void yquote_unmap(const GArray *quotes, int line, int *column)
{
  for (guint j = quotes ? quotes->len : 0; j-- > 0;) {
    const YQuote *q = &g_array_index(quotes, YQuote, j);
    if (line == q->line && *column > q->open)
      *column -= *column > q->close ? 2 : 1;
  }
}

static void yreader_error(YReader *rd, int line, int column, const char *fmt, ...)
{
  va_list ap;
  yquote_unmap(rd->quotes, line, &column);
  va_start(ap, fmt);
  diag_addv(rd->diags, DIAG_ERROR, line, column, fmt, ap);
  va_end(ap);
  rd->failed = TRUE;
}

static void ynode_free(gpointer p)
{
  YNode *node = p;
  g_free(node->text);
  g_free(node->items);
  g_free(node);
}

static YNode *yreader_new_node(YReader *rd, YNodeType type, yaml_mark_t mark)
{
  YNode *node = g_new0(YNode, 1);
  node->type = type;
  node->line = (int)mark.line + 1;
  node->column = (int)mark.column + 1;
  node->weight = 1;
  g_ptr_array_add(rd->tree->nodes, node);
  return node;
}

/* Returns the byte offset of a 0-based line and character column in the data. */
static size_t yreader_offset(const YReader *rd, size_t line, size_t column)
{
  size_t i = 0;
  for (size_t l = 0; l < line && i < rd->len; i++)
    if (rd->data[i] == '\n')
      l++;
  for (size_t c = 0; c < column && i < rd->len; c++) {
    i++;
    while (i < rd->len && ((unsigned char)rd->data[i] & 0xC0) == 0x80)
      i++;
  }
  return i;
}

/* Converts a byte offset into a 1-based line and character column. */
static void yreader_position(const YReader *rd, size_t offset, int *line, int *column)
{
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < rd->len; i++) {
    if (rd->data[i] == '\n') {
      ++*line;
      *column = 1;
    } else if (((unsigned char)rd->data[i] & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

/* Reports bytes that are not UTF-8 (or not allowed in YAML) at the byte
 * where the bad sequence starts, which is where an editor shows it. */
static void yreader_report_encoding(YReader *rd, const yaml_parser_t *p)
{
  size_t at = MIN(p->problem_offset, rd->len);
  int line, column;
  if (strstr(p->problem, "UTF-8")) {
    while (at > 0 && ((unsigned char)rd->data[at - 1] & 0xC0) == 0x80)
      at--;
    if (at > 0 && (unsigned char)rd->data[at - 1] >= 0xC0 && at < rd->len &&
        ((unsigned char)rd->data[at] & 0xC0) != 0x80)
      at--;
    yreader_position(rd, at, &line, &column);
    yreader_error(rd, line, column, "the byte 0x%02X is not valid UTF-8 here (%s); a scenario file must be UTF-8 text",
                  at < rd->len ? (unsigned char)rd->data[at] : 0, p->problem);
    return;
  }
  yreader_position(rd, at, &line, &column);
  yreader_error(rd, line, column, "%s (#%X); a scenario file must be UTF-8 text without control characters", p->problem,
                (unsigned)p->problem_value);
}

/* The end of the plain value that starts at `at`: the end of the line, a
 * comment, or in a flow collection (`flow`) a ',', '}' or ']'; trailing
 * blanks left out. */
static size_t yreader_value_end(const YReader *rd, size_t at, gboolean flow)
{
  size_t end = at;
  while (end < rd->len && rd->data[end] != '\n' && rd->data[end] != '\r' &&
         !(rd->data[end] == '#' && (rd->data[end - 1] == ' ' || rd->data[end - 1] == '\t')) &&
         !(flow && strchr(",}]", rd->data[end])))
    end++;
  while (end > at && (rd->data[end - 1] == ' ' || rd->data[end - 1] == '\t'))
    end--;
  return end;
}

/* Finds on line `line` (0-based) a value written as an unquoted bound, such
 * as `loss: >= 10%` (YAML reads '>' as the start of a folded block): reports
 * it with the quoted spelling and keeps its span, so that the caller can
 * quote it and read the file again for its other problems. */
static gboolean yreader_unquoted_bound(YReader *rd, size_t line)
{
  size_t start = yreader_offset(rd, line, 0), key = start;
  gboolean flow = FALSE;
  for (size_t i = start; i < rd->len && rd->data[i] != '\n'; i++) {
    flow = flow || rd->data[i] == '{' || rd->data[i] == '[';
    if (rd->data[i] == ',' || rd->data[i] == '{' || rd->data[i] == '[' || rd->data[i] == '-')
      key = i + 1;
    if (rd->data[i] != ':' || i + 1 >= rd->len || (rd->data[i + 1] != ' ' && rd->data[i + 1] != '\t'))
      continue;
    size_t at = i + 1;
    while (at < rd->len && (rd->data[at] == ' ' || rd->data[at] == '\t'))
      at++;
    if (at >= rd->len || rd->data[at] != '>')
      continue;
    size_t end = yreader_value_end(rd, at, flow);
    char *name = g_strstrip(g_strndup(rd->data + key, i - key));
    int l, c;
    yreader_position(rd, at, &l, &c);
    yreader_error(rd, l, c,
                  "YAML syntax: a bound that starts with '>' must be quoted (YAML reads '>' as a folded "
                  "block): write %s: \"%.*s\"",
                  name, (int)(end - at), rd->data + at);
    g_free(name);
    rd->quote_from = at;
    rd->quote_to = end;
    return TRUE;
  }
  return FALSE;
}

/* Reports a libyaml failure in words a user can act on. */
static void yreader_report_libyaml(YReader *rd, const yaml_parser_t *p)
{
  int line, column;
  switch (p->error) {
  case YAML_MEMORY_ERROR:
    yreader_error(rd, 0, 0, "out of memory while reading YAML");
    return;
  case YAML_READER_ERROR:
    yreader_report_encoding(rd, p);
    return;
  default:
    break;
  }
  if (yreader_unquoted_bound(rd, p->problem_mark.line) ||
      (p->context && yreader_unquoted_bound(rd, p->context_mark.line)))
    return;
  line = (int)p->problem_mark.line + 1;
  column = (int)p->problem_mark.column + 1;
  size_t at = yreader_offset(rd, p->problem_mark.line, p->problem_mark.column);
  if (at < rd->len && rd->data[at] == '\t')
    yreader_error(rd, line, column, "YAML syntax: a tab character here; YAML indents with spaces, not tabs");
  else if (p->context)
    yreader_error(rd, line, column, "YAML syntax: %s %s (line %d, column %d)", p->problem, p->context,
                  (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
  else
    yreader_error(rd, line, column, "YAML syntax: %s", p->problem);
}

static gboolean yreader_check_tag(YReader *rd, const yaml_char_t *tag, yaml_mark_t mark)
{
  static const char *const allowed[] = {YAML_STR_TAG,  YAML_INT_TAG, YAML_FLOAT_TAG, YAML_BOOL_TAG,
                                        YAML_NULL_TAG, YAML_MAP_TAG, YAML_SEQ_TAG};
  if (!tag)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS(allowed); i++)
    if (strcmp((const char *)tag, allowed[i]) == 0)
      return TRUE;
  yreader_error(rd, (int)mark.line + 1, (int)mark.column + 1,
                "unsupported YAML tag '%s'; only the standard tags (!!str, !!int ...) are allowed", (const char *)tag);
  return FALSE;
}

static void yreader_anchor(YReader *rd, const yaml_char_t *anchor, YNode *node)
{
  if (anchor)
    g_hash_table_insert(rd->anchors, g_strdup((const char *)anchor), node);
}

/* Adds a complete node to the open container, or makes it the root. */
static void yreader_attach(YReader *rd, YNode *node)
{
  if (rd->stack->len == 0) {
    rd->tree->root = node;
    return;
  }
  YFrame *top = &g_array_index(rd->stack, YFrame, rd->stack->len - 1);
  g_ptr_array_add(top->children, node);
  top->node->weight += node->weight;
}

static void yreader_open(YReader *rd, YNodeType type, const yaml_event_t *ev)
{
  if (rd->stack->len >= YTREE_MAX_DEPTH) {
    yreader_error(rd, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                  "the document is nested deeper than %d levels", YTREE_MAX_DEPTH);
    return;
  }
  gboolean map = type == YNODE_MAP;
  const yaml_char_t *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
  const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
  if (!yreader_check_tag(rd, tag, ev->start_mark))
    return;
  YFrame frame = {yreader_new_node(rd, type, ev->start_mark), g_ptr_array_new(), g_strdup((const char *)anchor)};
  g_array_append_val(rd->stack, frame);
}

static gboolean yreader_key_equal(const YNode *a, const YNode *b)
{
  return a->type == YNODE_SCALAR && b->type == YNODE_SCALAR && strcmp(a->text, b->text) == 0;
}

/* Reports keys that are not strings and keys given twice in one mapping. */
static void yreader_check_keys(YReader *rd, const YNode *map)
{
  GHashTable *seen = map->n > 8 ? g_hash_table_new(g_str_hash, g_str_equal) : NULL;
  for (guint i = 0; i < map->n; i++) {
    const YNode *key = ynode_key(map, i);
    if (key->type != YNODE_SCALAR) {
      yreader_error(rd, key->line, key->column, "mapping keys must be strings, found %s",
                    key->type == YNODE_MAP ? "a mapping" : "a list");
      continue;
    }
    const YNode *first = NULL;
    if (seen) {
      first = g_hash_table_lookup(seen, key->text);
      if (!first)
        g_hash_table_insert(seen, key->text, (gpointer)key);
    } else {
      for (guint j = 0; j < i && !first; j++)
        if (yreader_key_equal(ynode_key(map, j), key))
          first = ynode_key(map, j);
    }
    if (first)
      yreader_error(rd, key->line, key->column, "duplicate key '%s' (first given at line %d, column %d)", key->text,
                    first->line, first->column);
  }
  if (seen)
    g_hash_table_destroy(seen);
}

static void yreader_close(YReader *rd)
{
  YFrame frame = g_array_index(rd->stack, YFrame, rd->stack->len - 1);
  g_array_set_size(rd->stack, rd->stack->len - 1);
  YNode *node = frame.node;
  guint count = frame.children->len;
  node->items = (YNode **)g_ptr_array_free(frame.children, FALSE);
  node->n = node->type == YNODE_MAP ? count / 2 : count;
  if (node->type == YNODE_MAP)
    yreader_check_keys(rd, node);
  if (node->weight > YTREE_MAX_WEIGHT)
    yreader_error(rd, node->line, node->column,
                  "aliases expand this document past %u nodes; refusing it (an alias bomb?)", YTREE_MAX_WEIGHT);
  else {
    yreader_anchor(rd, (const yaml_char_t *)frame.anchor, node);
    yreader_attach(rd, node);
  }
  g_free(frame.anchor);
}

static void yreader_scalar(YReader *rd, const yaml_event_t *ev)
{
  if (!yreader_check_tag(rd, ev->data.scalar.tag, ev->start_mark))
    return;
  YNode *node = yreader_new_node(rd, YNODE_SCALAR, ev->start_mark);
  node->text = g_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
  node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  if (strlen(node->text) != ev->data.scalar.length)
    yreader_error(rd, node->line, node->column, "a NUL character inside a string");
  yreader_anchor(rd, ev->data.scalar.anchor, node);
  yreader_attach(rd, node);
}

static void yreader_alias(YReader *rd, const yaml_event_t *ev)
{
  const char *name = (const char *)ev->data.alias.anchor;
  YNode *target = g_hash_table_lookup(rd->anchors, name);
  if (!target) {
    yreader_error(rd, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                  "alias '*%s' refers to no complete anchor '&%s' before it", name, name);
    return;
  }
  yreader_attach(rd, target);
}

/* Handles one parser event; returns FALSE at the end of the stream. */
static gboolean yreader_event(YReader *rd, yaml_event_t *ev)
{
  switch (ev->type) {
  case YAML_STREAM_END_EVENT:
    return FALSE;
  case YAML_DOCUMENT_START_EVENT:
    if (++rd->documents > 1)
      yreader_error(rd, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                    "a second YAML document; a scenario file holds exactly one");
    break;
  case YAML_SCALAR_EVENT:
    yreader_scalar(rd, ev);
    break;
  case YAML_ALIAS_EVENT:
    yreader_alias(rd, ev);
    break;
  case YAML_SEQUENCE_START_EVENT:
    yreader_open(rd, YNODE_SEQ, ev);
    break;
  case YAML_MAPPING_START_EVENT:
    yreader_open(rd, YNODE_MAP, ev);
    break;
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    yreader_close(rd);
    break;
  default:
    break;
  }
  return TRUE;
}

static void yreader_run(YReader *rd, yaml_parser_t *parser)
{
  gboolean more = TRUE;
  while (more && !rd->failed) {
    yaml_event_t ev;
    if (!yaml_parser_parse(parser, &ev)) {
      yreader_report_libyaml(rd, parser);
      break;
    }
    more = yreader_event(rd, &ev);
    yaml_event_delete(&ev);
  }
}

/* Reads `data` once; *quote gets the span of an unquoted bound that
 * stopped the reading (quote[1] 0: none). */
static YTree *ytree_parse_once(const char *data, size_t len, DiagList *diags, GArray *quotes, size_t quote[2])
{
  YTree *tree = g_new0(YTree, 1);
  tree->nodes = g_ptr_array_new_with_free_func(ynode_free);
  YReader rd = {tree,
                diags,
                data,
                len,
                g_array_new(FALSE, FALSE, sizeof(YFrame)),
                g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                0,
                FALSE,
                0,
                0,
                quotes};
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  yreader_run(&rd, &parser);
  yaml_parser_delete(&parser);
  for (guint i = 0; i < rd.stack->len; i++) {
    g_ptr_array_free(g_array_index(rd.stack, YFrame, i).children, TRUE);
    g_free(g_array_index(rd.stack, YFrame, i).anchor);
  }
  g_array_free(rd.stack, TRUE);
  g_hash_table_destroy(rd.anchors);
  quote[0] = rd.quote_from;
  quote[1] = rd.quote_to;
  if (rd.failed) {
    ytree_free(tree);
    return NULL;
  }
  return tree;
}

/* Reads `data` as one YAML document. Returns the tree, or NULL after adding
 * every problem found to `diags`. An empty document gives a tree whose root
 * is NULL. An unquoted bound (`loss: >= 10%`) is reported, then quoted in
 * a copy that is read again, so that the file's other problems are
 * reported too (the tree is then freed: the file has an error). */
YTree *ytree_parse(const char *data, size_t len, DiagList *diags)
{
  char *copy = NULL;
  YTree *tree = NULL;
  GArray *quotes = g_array_new(FALSE, FALSE, sizeof(YQuote));
  for (guint round = 0; round <= YTREE_MAX_QUOTE_FIXES && !tree; round++) {
    size_t quote[2];
    tree = ytree_parse_once(data, len, diags, quotes, quote);
    if (tree || !quote[1])
      break;
    YReader at = {.data = data, .len = len};
    YQuote q;
    yreader_position(&at, quote[0], &q.line, &q.open);
    q.close = q.open + 1 + (int)g_utf8_strlen(data + quote[0], (gssize)(quote[1] - quote[0]));
    g_array_append_val(quotes, q);
    GString *fixed = g_string_new_len(data, (gssize)len);
    g_string_insert_c(fixed, (gssize)quote[1], '"');
    g_string_insert_c(fixed, (gssize)quote[0], '"');
    g_free(copy);
    len = fixed->len;
    data = copy = g_string_free(fixed, FALSE);
  }
  for (guint i = 0; tree && i < tree->nodes->len; i++) {
    YNode *node = g_ptr_array_index(tree->nodes, i);
    yquote_unmap(quotes, node->line, &node->column);
  }
  g_array_free(quotes, TRUE);
  g_free(copy);
  return tree;
}

const YNode *ytree_root(const YTree *tree)
{
  return tree->root;
}

void ytree_free(YTree *tree)
{
  if (!tree)
    return;
  g_ptr_array_free(tree->nodes, TRUE);
  g_free(tree);
}

/* Numbers the tree's lines from `first_line` instead of 1 (each node once,
 * aliases sharing theirs), for a DiagList that maps them back (diag.h). */
void ytree_renumber(YTree *tree, int first_line)
{
  for (guint i = 0; i < tree->nodes->len; i++)
    ((YNode *)g_ptr_array_index(tree->nodes, i))->line += first_line - 1;
}

/* Returns the value for `key` in a mapping, or NULL. */
const YNode *ynode_map_get(const YNode *map, const char *key)
{
  if (!map || map->type != YNODE_MAP)
    return NULL;
  for (guint i = 0; i < map->n; i++)
    if (ynode_key(map, i)->type == YNODE_SCALAR && strcmp(ynode_key(map, i)->text, key) == 0)
      return ynode_value(map, i);
  return NULL;
}

/* TRUE for an empty plain scalar or a plain null spelling. */
gboolean ynode_is_null(const YNode *node)
{
  if (node->type != YNODE_SCALAR || node->quoted)
    return FALSE;
  const char *t = node->text;
  return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

/* Appends `text` to `out`, escaping control characters as \n, \t or \xNN
 * and the characters of `also` with a backslash. */
void ynode_escape(GString *out, const char *text, const char *also)
{
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    if (strchr(also, *c))
      g_string_append_printf(out, "\\%c", *c);
    else if (*c == '\n')
      g_string_append(out, "\\n");
    else if (*c == '\t')
      g_string_append(out, "\\t");
    else if (*c < 0x20 || *c == 0x7F)
      g_string_append_printf(out, "\\x%02X", *c);
    else
      g_string_append_c(out, (char)*c);
  }
}

/* Describes a node for "found ..." in messages: 'text', nothing, a mapping
 * or a list; g_free it. Long text is shortened, control characters escaped. */
char *ynode_describe(const YNode *node)
{
  if (node->type == YNODE_MAP)
    return g_strdup("a mapping");
  if (node->type == YNODE_SEQ)
    return g_strdup("a list");
  if (ynode_is_null(node))
    return g_strdup("nothing");
  char *shown = g_utf8_make_valid(node->text, -1);
  gboolean cut = g_utf8_strlen(shown, -1) > 40;
  if (cut) {
    char *head = g_utf8_substring(shown, 0, 40);
    g_free(shown);
    shown = head;
  }
  GString *out = g_string_new("'");
  ynode_escape(out, shown, "");
  g_string_append(out, cut ? "...'" : "'");
  g_free(shown);
  return g_string_free(out, FALSE);
}
