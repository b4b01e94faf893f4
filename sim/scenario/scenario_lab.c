/*
 * Labs (lab.h): reading a lab file on its own (its keys, its checks with
 * their points and names, its seed and stop), then merging it into each
 * submission's tree and loading the result as one scenario. What needs the
 * submission's network (the nodes and apps a check names) is checked when
 * the merged scenario loads, and reported at the lab's place.
 *
 * Entry points: lab_load(), lab_checks(), lab_apply(), lab_free().
 */
#include "sim/scenario/lab.h"

#include <string.h>

#include "sim/scenario/scenario_private.h"
#include "sim/scenario/yaml_tree.h"

G_STATIC_ASSERT(SCENARIO_MAX_FILE_BYTES < LAB_FIRST_LINE); /* a submission's lines stay below the lab's */

struct Lab {
  char *file;
  YTree *tree;
  GArray *checks;   /* of LabCheck */
  GPtrArray *items; /* the checks without `points` and `name` (scenario_map_without) */
  YNode expect;     /* the lab's `expect` list, of `items` */
  GPtrArray *pairs; /* of const YNode*: key, value; the sections that replace the submission's */
};

/* The sections a lab may give; the first two only describe it. */
static const char *const lab_keys[] = {"scenario", "description", "seed", "stop", "apps", "events", "expect"};

/* The submission's sections grade drops: its own checks, files and clock. */
static const char *const lab_dropped[] = {"expect", "output", "realtime"};

static gboolean lab_word_in(const char *word, const char *const *words, guint n)
{
  for (guint i = 0; i < n; i++)
    if (strcmp(word, words[i]) == 0)
      return TRUE;
  return FALSE;
}

static void lab_check_clear(gpointer p)
{
  g_free(((LabCheck *)p)->name);
}

void lab_free(Lab *lab)
{
  if (!lab)
    return;
  g_free(lab->file);
  ytree_free(lab->tree);
  g_array_free(lab->checks, TRUE);
  g_ptr_array_free(lab->items, TRUE);
  g_ptr_array_free(lab->pairs, TRUE);
  g_free(lab->expect.items);
  g_free(lab);
}

const GArray *lab_checks(const Lab *lab)
{
  return lab->checks;
}

/* Reports a top-level key a lab does not take. */
static void lab_unknown_key(SchemaCtx *cx, const YNode *key)
{
  static const char *const network[] = {"nodes", "links", "routing", "defaults", "rip", "ospf", "output", "realtime"};
  char *near = diag_suggest(key->text, lab_keys, G_N_ELEMENTS(lab_keys));
  if (lab_word_in(key->text, network, G_N_ELEMENTS(network)))
    schema_error(cx, key,
                 "'%s' belongs in the submissions: a lab holds the checks (expect) and optionally apps, events, "
                 "seed and stop",
                 key->text);
  else if (near)
    schema_error(cx, key, "unknown key '%s' in a lab; did you mean '%s'?", key->text, near);
  else
    schema_error(cx, key,
                 "unknown key '%s' in a lab; expected expect, apps, events, seed, stop, scenario or description",
                 key->text);
  g_free(near);
}

/* `points: N` of a check (1 to 1000), or 1. */
static guint lab_read_points(SchemaCtx *cx, const YNode *item)
{
  const YNode *v = ynode_map_get(item, "points");
  uint64_t points = 1;
  if (v) {
    gsize mark = schema_path_push_key(cx, "points");
    if (!scenario_parse_uint(cx, v, 1, 1000, "the points of a check", &points))
      points = 1;
    schema_path_pop(cx, mark);
  }
  return (guint)points;
}

/* `name:` of a check, else "reach@12:5"; reports a name already used. */
static char *lab_read_name(SchemaCtx *cx, const Lab *lab, const YNode *item, const char *check)
{
  const YNode *v = ynode_map_get(item, "name");
  if (!v)
    return g_strdup_printf("%s@%d:%d", check, item->line, item->column);
  gsize mark = schema_path_push_key(cx, "name");
  char *name = NULL;
  if (schema_parse_string(cx, v, &name))
    for (guint i = 0; i < lab->checks->len; i++)
      if (strcmp(g_array_index(lab->checks, LabCheck, i).name, name) == 0)
        schema_error(cx, v, "the name '%s' is already the name of expect[%u]; each column needs its own", name, i);
  schema_path_pop(cx, mark);
  return name ? name : g_strdup(check);
}

/* Reads expect[i]: its check's key, points and name. */
static void lab_read_check(SchemaCtx *cx, Lab *lab, const YNode *item)
{
  if (!schema_expect(cx, item, YNODE_MAP, "a mapping describing an expectation"))
    return;
  const char *check = scenario_expect_check_key(item);
  if (!check || strcmp(check, "exec") == 0) {
    schema_error(cx, item, "%s",
                 check ? "'exec' checks a Linux host's command; grade runs simulations only, without Linux hosts"
                       : "an expectation needs one check: loss, hops, delivered, goodput, finished, reached, "
                         "reach, unreach, route, path, never, drops, converged, adjacency or outage");
    return;
  }
  LabCheck c = {check, NULL, scenario_mark_of(item), lab_read_points(cx, item)};
  c.name = lab_read_name(cx, lab, item, check);
  g_array_append_val(lab->checks, c);
}

static void lab_read_expect(SchemaCtx *cx, Lab *lab, const YNode *root)
{
  const YNode *list = ynode_map_get(root, "expect");
  if (!list) {
    schema_error(cx, root, "a lab needs 'expect', the list of checks to apply to each submission");
    return;
  }
  gsize mark = schema_path_push_key(cx, "expect");
  if (schema_expect(cx, list, YNODE_SEQ, "a list of expectations") && list->n == 0)
    schema_error(cx, list, "the list of checks is empty; a lab needs at least one");
  for (guint i = 0; list->type == YNODE_SEQ && i < list->n; i++) {
    gsize at = schema_path_push_index(cx, i);
    lab_read_check(cx, lab, list->items[i]);
    schema_path_pop(cx, at);
  }
  schema_path_pop(cx, mark);
}

/* Checks the lab's keys, its seed and stop, and reads its checks. */
static void lab_read(SchemaCtx *cx, Lab *lab, const YNode *root)
{
  for (guint i = 0; i < root->n; i++) {
    const YNode *key = ynode_key(root, i), *v = ynode_value(root, i);
    uint64_t seed;
    SimTime stop = 1;
    gsize mark = schema_path_push_key(cx, key->text);
    if (!lab_word_in(key->text, lab_keys, G_N_ELEMENTS(lab_keys)))
      lab_unknown_key(cx, key);
    else if (strcmp(key->text, "seed") == 0)
      schema_parse_seed(cx, v, &seed);
    else if (strcmp(key->text, "stop") == 0 && schema_parse_duration(cx, v, &stop) && stop <= 0)
      schema_error(cx, v, "the run must last longer than 0s");
    schema_path_pop(cx, mark);
  }
  lab_read_expect(cx, lab, root);
}

/* The checks without their `points` and `name`, as the loader reads them. */
static void lab_strip_checks(Lab *lab, const YNode *list)
{
  lab->expect = *list;
  lab->expect.items = g_new(YNode *, list->n + 1);
  for (guint i = 0; i < list->n; i++) {
    const YNode *item = list->items[i];
    gboolean *drop = g_new0(gboolean, item->n + 1);
    for (guint k = 0; k < item->n; k++)
      drop[k] = strcmp(ynode_key(item, k)->text, "points") == 0 || strcmp(ynode_key(item, k)->text, "name") == 0;
    YNode *own = scenario_map_without(item, drop);
    g_free(drop);
    g_ptr_array_add(lab->items, own);
    lab->expect.items[i] = own;
  }
}

/* Keeps the sections that replace a submission's, in the lab's order. */
static void lab_keep_pairs(Lab *lab, const YNode *root)
{
  for (guint i = 0; i < root->n; i++) {
    const YNode *key = ynode_key(root, i);
    if (strcmp(key->text, "scenario") == 0 || strcmp(key->text, "description") == 0)
      continue;
    g_ptr_array_add(lab->pairs, (gpointer)key);
    g_ptr_array_add(lab->pairs, strcmp(key->text, "expect") == 0 ? &lab->expect : (gpointer)ynode_value(root, i));
  }
}

static Lab *lab_new(const char *path)
{
  Lab *lab = g_new0(Lab, 1);
  lab->file = g_strdup(path);
  lab->checks = g_array_new(FALSE, TRUE, sizeof(LabCheck));
  g_array_set_clear_func(lab->checks, lab_check_clear);
  lab->items = g_ptr_array_new_with_free_func((GDestroyNotify)scenario_map_without_free);
  lab->pairs = g_ptr_array_new();
  return lab;
}

/* Reads the lab file at `path`; NULL after reporting its problems to
 * `diags` (whose file should be `path`). */
Lab *lab_load(const char *path, DiagList *diags)
{
  size_t len = 0;
  char *data = scenario_read_bounded(path, &len, diags);
  YTree *tree = data ? ytree_parse(data, len, diags) : NULL;
  g_free(data);
  if (!tree)
    return NULL;
  const YNode *root = ytree_root(tree);
  Lab *lab = lab_new(path);
  lab->tree = tree;
  SchemaCtx cx = {diags, g_string_new(NULL), NULL};
  if (!root || ynode_is_null(root))
    diag_add(diags, DIAG_ERROR, 0, 0, "the lab is empty; expected 'expect:', the checks to apply to each submission");
  else if (schema_expect(&cx, root, YNODE_MAP,
                         "a lab: a mapping with 'expect' and optionally apps, events, seed, stop"))
    lab_read(&cx, lab, root);
  g_string_free(cx.path, TRUE);
  if (diags->errors) {
    lab_free(lab);
    return NULL;
  }
  ytree_renumber(tree, LAB_FIRST_LINE);
  lab_strip_checks(lab, ynode_map_get(root, "expect"));
  lab_keep_pairs(lab, root);
  return lab;
}

/* TRUE when the submission's section `key` stays in the merged tree. */
static gboolean lab_keeps(const Lab *lab, const YNode *key)
{
  if (key->type != YNODE_SCALAR)
    return TRUE;
  for (guint i = 0; i < lab->pairs->len; i += 2)
    if (strcmp(((const YNode *)g_ptr_array_index(lab->pairs, i))->text, key->text) == 0)
      return FALSE;
  return !lab_word_in(key->text, lab_dropped, G_N_ELEMENTS(lab_dropped));
}

/* The submission's root mapping with the lab's sections in place of its own. */
static YNode *lab_merge(const Lab *lab, const YNode *root)
{
  YNode *merged = g_new(YNode, 1);
  *merged = *root;
  merged->items = g_new(YNode *, 2 * root->n + lab->pairs->len + 1);
  merged->n = 0;
  for (guint i = 0; i < root->n; i++)
    if (lab_keeps(lab, ynode_key(root, i))) {
      merged->items[2 * merged->n] = root->items[2 * i];
      merged->items[2 * merged->n + 1] = root->items[2 * i + 1];
      merged->n++;
    }
  for (guint i = 0; i < lab->pairs->len; i++)
    merged->items[2 * merged->n + i] = g_ptr_array_index(lab->pairs, i);
  merged->n += lab->pairs->len / 2;
  return merged;
}

/* Loads the submission at `path` with the lab merged in; NULL after
 * reporting to `diags` (whose file should be `path`; the lab's places are
 * mapped to the lab's file). */
Scenario *lab_apply(const Lab *lab, const char *path, DiagList *diags)
{
  diag_list_add_file(diags, lab->file, LAB_FIRST_LINE);
  size_t len = 0;
  char *data = scenario_read_bounded(path, &len, diags);
  YTree *tree = data ? ytree_parse(data, len, diags) : NULL;
  g_free(data);
  if (!tree)
    return NULL;
  const YNode *root = ytree_root(tree);
  Scenario *sc;
  if (root && root->type == YNODE_MAP) {
    YNode *merged = lab_merge(lab, root);
    sc = scenario_load_root(merged, path, diags);
    scenario_map_without_free(merged);
  } else {
    sc = scenario_load_root(root, path, diags);
  }
  ytree_free(tree);
  return sc;
}
