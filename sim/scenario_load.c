/*
 * Loading a scenario file: read the file within bounds, parse YAML, read the
 * top-level sections by schema, then resolve (interfaces, defaults,
 * addresses) and check the network. Every stage reports into one DiagList.
 *
 * Entry points: scenario_load_file(), scenario_load_data(), scenario_free().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario_private.h"
#include "sim/yaml_tree.h"

static const SchemaField scenario_fields[] = {
    {"scenario", schema_parse_string, offsetof(Scenario, name), 0, FALSE},
    {"description", schema_parse_string, offsetof(Scenario, description), 0, FALSE},
    {"seed", schema_parse_seed, offsetof(Scenario, seed), 0, FALSE},
    {"stop", schema_parse_duration, offsetof(Scenario, stop), 0, FALSE},
    {"defaults", scenario_parse_defaults, 0, 0, FALSE},
    {"nodes", scenario_parse_nodes, 0, 0, TRUE},
    {"links", scenario_parse_links, 0, 0, FALSE},
};

static const Schema scenario_schema = {"a scenario", scenario_fields, G_N_ELEMENTS(scenario_fields), SCHEMA_NO_GIVEN};

static void scenario_node_clear(gpointer p)
{
  ScenarioNode *node = p;
  for (guint i = 0; node->ifaces && i < node->ifaces->len; i++)
    g_free(g_array_index(node->ifaces, ScenarioIface, i).name);
  if (node->ifaces)
    g_array_free(node->ifaces, TRUE);
  g_free(node->name);
  g_free(node->description);
}

static void scenario_link_clear(gpointer p)
{
  ScenarioLink *link = p;
  g_free(link->name);
  g_free(link->ends[0].text);
  g_free(link->ends[1].text);
}

static Scenario *scenario_new(const char *file)
{
  Scenario *sc = g_new0(Scenario, 1);
  sc->file = g_strdup(file);
  sc->seed = SCENARIO_DEFAULT_SEED;
  sc->stop = SCENARIO_DEFAULT_STOP;
  sc->nodes = g_array_new(FALSE, TRUE, sizeof(ScenarioNode));
  g_array_set_clear_func(sc->nodes, scenario_node_clear);
  sc->links = g_array_new(FALSE, TRUE, sizeof(ScenarioLink));
  g_array_set_clear_func(sc->links, scenario_link_clear);
  sc->node_index = g_hash_table_new(g_str_hash, g_str_equal);
  return sc;
}

void scenario_free(Scenario *sc)
{
  if (!sc)
    return;
  g_hash_table_destroy(sc->node_index);
  g_array_free(sc->nodes, TRUE);
  g_array_free(sc->links, TRUE);
  g_free(sc->file);
  g_free(sc->name);
  g_free(sc->description);
  g_free(sc);
}

/* The scenario's name when the file gives none: the file's base name
 * without its extension. */
static char *scenario_default_name(const char *file)
{
  char *base = g_path_get_basename(file);
  char *dot = strrchr(base, '.');
  if (dot && dot != base)
    *dot = '\0';
  return base;
}

static void scenario_read_top(Loader *ld, const YNode *root)
{
  schema_apply(&ld->cx, &scenario_schema, root, ld->sc);
  if (ld->sc->stop <= 0) {
    const YNode *stop = ynode_map_get(root, "stop");
    schema_error(&ld->cx, stop ? stop : root, "stop: the run must last longer than 0s");
  }
  if (!ld->sc->name)
    ld->sc->name = scenario_default_name(ld->sc->file);
}

/* Loads a scenario from `len` bytes of YAML; `file` names it in messages.
 * Returns the scenario, or NULL when `diags` holds at least one error.
 * Warnings do not prevent loading. */
Scenario *scenario_load_data(const char *data, size_t len, const char *file, DiagList *diags)
{
  YTree *tree = ytree_parse(data, len, diags);
  if (!tree)
    return NULL;
  const YNode *root = ytree_root(tree);
  if (!root || ynode_is_null(root)) {
    diag_add(diags, DIAG_ERROR, 0, 0, "the file is empty; expected a scenario with 'nodes' and 'links'");
    ytree_free(tree);
    return NULL;
  }
  Loader ld = {{diags, g_string_new(NULL), NULL}, scenario_new(file), {0}, {{0}}};
  ld.cx.user = &ld;
  scenario_read_top(&ld, root);
  if (!diag_full(diags))
    scenario_resolve(&ld);
  if (!diags->errors) /* the checks need a consistent network; fix the rest first */
    scenario_check(&ld);
  g_string_free(ld.cx.path, TRUE);
  ytree_free(tree);
  if (diags->errors) {
    scenario_free(ld.sc);
    return NULL;
  }
  return ld.sc;
}

/* Reads at most SCENARIO_MAX_FILE_BYTES of `path` into a NUL-terminated
 * buffer. Reading stops at the limit, so a huge file, a FIFO or /dev/zero
 * costs bounded time and memory. Returns NULL after reporting. */
static char *scenario_read_bounded(const char *path, size_t *len, DiagList *diags)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    diag_add(diags, DIAG_ERROR, 0, 0, "is a directory; expected a scenario file (YAML)");
    return NULL;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    diag_add(diags, DIAG_ERROR, 0, 0, "cannot open the file: %s", g_strerror(errno));
    return NULL;
  }
  GByteArray *buf = g_byte_array_new();
  guint8 chunk[65536];
  size_t got;
  while (buf->len <= SCENARIO_MAX_FILE_BYTES && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
    g_byte_array_append(buf, chunk, (guint)got);
  gboolean failed = ferror(f);
  fclose(f);
  if (failed || buf->len > SCENARIO_MAX_FILE_BYTES) {
    if (failed)
      diag_add(diags, DIAG_ERROR, 0, 0, "cannot read the file");
    else
      diag_add(diags, DIAG_ERROR, 0, 0, "the file is larger than %u MiB, the limit for a scenario file",
               SCENARIO_MAX_FILE_BYTES >> 20);
    g_byte_array_free(buf, TRUE);
    return NULL;
  }
  *len = buf->len;
  g_byte_array_append(buf, (const guint8 *)"", 1);
  return (char *)g_byte_array_free(buf, FALSE);
}

/* Reads the file at `path` and loads it; see scenario_load_data(). */
Scenario *scenario_load_file(const char *path, DiagList *diags)
{
  size_t len = 0;
  char *data = scenario_read_bounded(path, &len, diags);
  if (!data)
    return NULL;
  Scenario *sc = scenario_load_data(data, len, path, diags);
  g_free(data);
  return sc;
}

int scenario_find_node(const Scenario *sc, const char *name)
{
  return GPOINTER_TO_INT(g_hash_table_lookup(sc->node_index, name)) - 1;
}

const char *scenario_kind_name(NodeKind kind)
{
  static const char *const names[] = {"host", "switch", "router"};
  return names[kind];
}

void scenario_error_at(Loader *ld, SrcMark mark, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  diag_addv(ld->cx.diags, DIAG_ERROR, mark.line, mark.column, fmt, ap);
  va_end(ap);
}

void scenario_warning_at(Loader *ld, SrcMark mark, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  diag_addv(ld->cx.diags, DIAG_WARNING, mark.line, mark.column, fmt, ap);
  va_end(ap);
}
