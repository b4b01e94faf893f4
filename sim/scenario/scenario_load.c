/*
 * Loading a scenario file: read the file within bounds, parse YAML, read the
 * top-level sections by schema, resolve (interfaces, defaults, addresses,
 * routes), read the sections that name the network's parts (apps, events,
 * output, expect), then check the network. Every stage reports into one
 * DiagList. Also the value parsers and helpers the sections share.
 *
 * Entry points: scenario_load_file(), scenario_load_data(), scenario_free().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/link/switch.h"
#include "sim/scenario/scenario_private.h"
#include "sim/scenario/yaml_tree.h"

static const SchemaField scenario_fields[] = {
    {"scenario", schema_parse_string, offsetof(Scenario, name), 0, FALSE},
    {"description", schema_parse_string, offsetof(Scenario, description), 0, FALSE},
    {"seed", schema_parse_seed, offsetof(Scenario, seed), 0, FALSE},
    {"stop", schema_parse_duration, offsetof(Scenario, stop), 0, FALSE},
    {"defaults", scenario_parse_defaults, 0, 0, FALSE},
    {"nodes", scenario_parse_nodes, 0, 0, TRUE},
    {"links", scenario_parse_links, 0, 0, FALSE},
    {"routing", scenario_parse_routing, offsetof(Scenario, routing), 0, FALSE},
    {"rip", scenario_parse_rip, 0, 0, FALSE},
    {"ospf", scenario_parse_ospf, 0, 0, FALSE},
    {"apps", scenario_parse_apps, 0, 0, FALSE},
    {"events", scenario_parse_events, 0, 0, FALSE},
    {"output", scenario_parse_output, 0, 0, FALSE},
    {"realtime", scenario_parse_realtime, offsetof(Scenario, realtime), 0, FALSE},
    {"expect", scenario_parse_expect, 0, 0, FALSE},
};

static const Schema scenario_schema = {"a scenario", scenario_fields, G_N_ELEMENTS(scenario_fields), SCHEMA_NO_GIVEN};

static void scenario_node_clear(gpointer p)
{
  ScenarioNode *node = p;
  for (guint i = 0; node->ifaces && i < node->ifaces->len; i++) {
    g_free(g_array_index(node->ifaces, ScenarioIface, i).name);
    g_free(g_array_index(node->ifaces, ScenarioIface, i).tap);
  }
  if (node->ifaces)
    g_array_free(node->ifaces, TRUE);
  if (node->routes)
    g_array_free(node->routes, TRUE);
  for (guint i = 0; node->exec && i < node->exec->len; i++) {
    g_free(g_array_index(node->exec, ScenarioExec, i).run);
    g_free(g_array_index(node->exec, ScenarioExec, i).name);
  }
  if (node->exec)
    g_array_free(node->exec, TRUE);
  if (node->rip.ifaces)
    g_array_free(node->rip.ifaces, TRUE);
  if (node->ospf.ifaces)
    g_array_free(node->ospf.ifaces, TRUE);
  if (node->stp.ports)
    g_array_free(node->stp.ports, TRUE);
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

static void scenario_app_clear(gpointer p)
{
  AppConfig *a = p;
  g_free(a->name);
  if (a->sizes)
    g_array_free(a->sizes, TRUE);
}

static void scenario_expect_clear(gpointer p)
{
  ScenarioExpect *e = p;
  g_free(e->bound.text);
  if (e->nodes)
    g_array_free(e->nodes, TRUE);
  g_free(e->drop);
  g_free(e->exec);
  g_free(e->output);
  g_free(e->text);
}

static Scenario *scenario_new(const char *file)
{
  Scenario *sc = g_new0(Scenario, 1);
  sc->file = g_strdup(file);
  sc->seed = SCENARIO_DEFAULT_SEED;
  sc->stop = SCENARIO_DEFAULT_STOP;
  sc->realtime.low_latency = TRUE;
  sc->nodes = g_array_new(FALSE, TRUE, sizeof(ScenarioNode));
  g_array_set_clear_func(sc->nodes, scenario_node_clear);
  sc->links = g_array_new(FALSE, TRUE, sizeof(ScenarioLink));
  g_array_set_clear_func(sc->links, scenario_link_clear);
  sc->node_index = g_hash_table_new(g_str_hash, g_str_equal);
  sc->routing = SCENARIO_ROUTING_STATIC;
  sc->apps = g_array_new(FALSE, TRUE, sizeof(AppConfig));
  g_array_set_clear_func(sc->apps, scenario_app_clear);
  sc->events = g_array_new(FALSE, TRUE, sizeof(ScenarioEvent));
  sc->output.pcap = g_array_new(FALSE, TRUE, sizeof(ScenarioPcapTarget));
  sc->output.snaplen = 65535;
  sc->output.trace_from = sc->output.trace_to = -1;
  tcp_config_defaults(&sc->tcp);
  sc->expects = g_array_new(FALSE, TRUE, sizeof(ScenarioExpect));
  g_array_set_clear_func(sc->expects, scenario_expect_clear);
  return sc;
}

void scenario_free(Scenario *sc)
{
  if (!sc)
    return;
  g_hash_table_destroy(sc->node_index);
  g_array_free(sc->nodes, TRUE);
  g_array_free(sc->links, TRUE);
  g_array_free(sc->apps, TRUE);
  g_array_free(sc->events, TRUE);
  g_free(sc->output.dir);
  g_array_free(sc->output.pcap, TRUE);
  scenario_output_clear(&sc->output);
  g_array_free(sc->expects, TRUE);
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

/* Reads the sections that name nodes, links and apps, in the order that
 * lets each one refer to the ones before. */
static void scenario_read_later(Loader *ld)
{
  void (*const readers[])(Loader *) = {scenario_read_apps, scenario_read_events, scenario_read_output,
                                       scenario_read_expect};
  for (guint i = 0; i < G_N_ELEMENTS(readers) && !diag_full(ld->cx.diags); i++) {
    readers[i](ld);
    g_string_truncate(ld->cx.path, 0);
  }
}

/* Loads a scenario from a YAML tree's root (a file's, or a lab merged
 * into a submission's); `file` names it. NULL when `diags` holds an error. */
Scenario *scenario_load_root(const YNode *root, const char *file, DiagList *diags)
{
  if (!root || ynode_is_null(root)) {
    diag_add(diags, DIAG_ERROR, 0, 0, "the file is empty; expected a scenario with 'nodes' and 'links'");
    return NULL;
  }
  Loader ld = {0};
  ld.cx = (SchemaCtx){diags, g_string_new(NULL), &ld};
  ld.sc = scenario_new(file);
  ld.switch_aging = SWITCH_DEFAULT_AGING;
  ld.node_maps = g_ptr_array_new();
  ld.exec_names = g_hash_table_new(g_str_hash, g_str_equal);
  scenario_read_top(&ld, root);
  if (!diag_full(diags))
    scenario_resolve(&ld);
  scenario_read_later(&ld);
  if (!diags->errors) /* the checks need a consistent network; fix the rest first */
    scenario_check(&ld);
  g_ptr_array_free(ld.node_maps, TRUE);
  g_hash_table_destroy(ld.exec_names);
  g_string_free(ld.cx.path, TRUE);
  if (diags->errors) {
    scenario_free(ld.sc);
    return NULL;
  }
  return ld.sc;
}

/* Loads a scenario from `len` bytes of YAML; `file` names it in messages.
 * Returns the scenario, or NULL when `diags` holds at least one error.
 * Warnings do not prevent loading. */
Scenario *scenario_load_data(const char *data, size_t len, const char *file, DiagList *diags)
{
  YTree *tree = ytree_parse(data, len, diags);
  if (!tree)
    return NULL;
  Scenario *sc = scenario_load_root(ytree_root(tree), file, diags);
  ytree_free(tree);
  return sc;
}

/* Reads at most SCENARIO_MAX_FILE_BYTES of `path` into a NUL-terminated
 * buffer. Reading stops at the limit, so a huge file, a FIFO or /dev/zero
 * costs bounded time and memory. Returns NULL after reporting. */
char *scenario_read_bounded(const char *path, size_t *len, DiagList *diags)
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

/* Reports a warning at `at`, prefixed with the current key path. */
void scenario_warning(SchemaCtx *cx, const YNode *at, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (cx->path->len)
    diag_add(cx->diags, DIAG_WARNING, at->line, at->column, "%s: %s", cx->path->str, msg);
  else
    diag_add(cx->diags, DIAG_WARNING, at->line, at->column, "%s", msg);
  g_free(msg);
}

/* Starts the key path afresh at a top-level section, for the sections read
 * after the first pass. */
void scenario_path_set(SchemaCtx *cx, const char *section)
{
  g_string_truncate(cx->path, 0);
  schema_path_push_key(cx, section);
}

/* A YAML boolean: `true` or `false`, unquoted (yes/no/on/off are refused,
 * being easy to misread). Stores a gboolean. */
gboolean scenario_parse_bool(SchemaCtx *cx, const YNode *value, void *dest)
{
  gboolean ok = value->type == YNODE_SCALAR && !value->quoted &&
                (strcmp(value->text, "true") == 0 || strcmp(value->text, "false") == 0);
  if (!ok && value->type == YNODE_SCALAR && value->quoted) {
    schema_error(cx, value, "expected true or false without quotes, found the string '%s'", value->text);
    return FALSE;
  }
  if (!ok) {
    char *found = ynode_describe(value);
    schema_error(cx, value, "expected true or false, found %s", found);
    g_free(found);
    return FALSE;
  }
  *(gboolean *)dest = strcmp(value->text, "true") == 0;
  return TRUE;
}

static gboolean scenario_check_range(SchemaCtx *cx, const YNode *value, uint64_t v, uint64_t min, uint64_t max,
                                     const char *what)
{
  if (v >= min && v <= max)
    return TRUE;
  schema_error(cx, value, "%s must be from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ", found %s", what, min, max,
               value->text);
  return FALSE;
}

/* A whole number from min to max; `what` names it in messages ("a TTL"). */
gboolean scenario_parse_uint(SchemaCtx *cx, const YNode *value, uint64_t min, uint64_t max, const char *what,
                             uint64_t *out)
{
  char *expected = g_strdup_printf("%s (a whole number)", what);
  gboolean ok = schema_expect(cx, value, YNODE_SCALAR, expected);
  g_free(expected);
  if (!ok)
    return FALSE;
  uint64_t v = 0;
  gboolean digits = value->text[0] && strspn(value->text, "0123456789") == strlen(value->text);
  if (!digits) {
    char *found = ynode_describe(value);
    schema_error(cx, value, "expected %s, a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ", found %s",
                 what, min, max, found);
    g_free(found);
    return FALSE;
  }
  if (!units_parse_uint(value->text, G_MAXUINT64, &v, NULL))
    v = G_MAXUINT64; /* too large for 64 bits: out of any range */
  if (!scenario_check_range(cx, value, v, min, max, what))
    return FALSE;
  *out = v;
  return TRUE;
}

/* A number of bytes from min to max: "1000" or "1000B", "1KiB". */
gboolean scenario_parse_bytes(SchemaCtx *cx, const YNode *value, uint64_t min, uint64_t max, const char *what,
                              uint64_t *out)
{
  char *expected = g_strdup_printf("%s in bytes such as 1000", what);
  gboolean ok = schema_expect(cx, value, YNODE_SCALAR, expected);
  if (!ok) {
    g_free(expected);
    return FALSE;
  }
  uint64_t v = 0;
  gboolean plain = value->text[0] && strspn(value->text, "0123456789") == strlen(value->text);
  GError *error = NULL;
  ok = plain ? units_parse_uint(value->text, G_MAXUINT64, &v, &error) : units_parse_size(value->text, &v, &error);
  if (!ok) {
    schema_error(cx, value, "expected %s: %s", expected, error->message);
    g_error_free(error);
  }
  g_free(expected);
  if (!ok || !scenario_check_range(cx, value, v, min, max, what))
    return FALSE;
  *out = v;
  return TRUE;
}

/* One of `words`; a near miss gets a suggestion. Stores the index in *out. */
gboolean scenario_parse_word(SchemaCtx *cx, const YNode *value, const char *const *words, guint n, const char *what,
                             int *out)
{
  GString *list = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(list, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
  char *expected = g_string_free(list, FALSE);
  gboolean ok = schema_expect(cx, value, YNODE_SCALAR, expected);
  for (guint i = 0; ok && i < n; i++)
    if (strcmp(value->text, words[i]) == 0) {
      *out = (int)i;
      g_free(expected);
      return TRUE;
    }
  if (ok) {
    char *found = ynode_describe(value);
    char *near = diag_suggest(value->text, words, n);
    if (near)
      schema_error(cx, value, "unknown %s %s; did you mean '%s'?", what, found, near);
    else
      schema_error(cx, value, "unknown %s %s; expected %s", what, found, expected);
    g_free(near);
    g_free(found);
  }
  g_free(expected);
  return FALSE;
}

/* `routing: static | auto | rip | ospf`. Stores a ScenarioRouting. */
gboolean scenario_parse_routing(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const words[] = {"static", "auto", "rip", "ospf"};
  static const ScenarioRouting modes[] = {SCENARIO_ROUTING_STATIC, SCENARIO_ROUTING_AUTO, SCENARIO_ROUTING_RIP,
                                          SCENARIO_ROUTING_OSPF};
  int i = 0;
  if (!scenario_parse_word(cx, value, words, G_N_ELEMENTS(words), "routing", &i))
    return FALSE;
  *(ScenarioRouting *)dest = modes[i];
  return TRUE;
}

/* A shallow copy of the mapping `map` without the pairs whose drop[i] is
 * set, so that a schema reads only the keys already found acceptable.
 * Free with scenario_map_without_free(). */
YNode *scenario_map_without(const YNode *map, const gboolean *drop)
{
  YNode *copy = g_new(YNode, 1);
  *copy = *map;
  copy->items = g_new(YNode *, 2 * map->n + 1);
  copy->n = 0;
  for (guint i = 0; i < map->n; i++)
    if (!drop[i]) {
      copy->items[2 * copy->n] = map->items[2 * i];
      copy->items[2 * copy->n + 1] = map->items[2 * i + 1];
      copy->n++;
    }
  return copy;
}

void scenario_map_without_free(YNode *copy)
{
  if (!copy)
    return;
  g_free(copy->items);
  g_free(copy);
}
