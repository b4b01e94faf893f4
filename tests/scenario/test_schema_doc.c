/*
 * Every key the scenario loader accepts is documented in doc/scenario.md.
 *
 * The loader is asked, not its source: each probe below is a valid
 * scenario with one unknown key (too long to be near any real key) in one
 * mapping, and the loader's answer, "unknown key 'K' in WHAT; expected one
 * of: a, b, c", lists every key of that mapping's schema table. A key is
 * documented when it appears in backticks in the column headed "key" of a
 * table of doc/scenario.md (the convention that file states).
 *
 * The probes are checked for completeness too: every key of every probed
 * table is given a mapping (and a list of one mapping) holding the unknown
 * key, and a table that answers and is not among the probes fails the test,
 * so a new nested section cannot go unchecked.
 *
 * DOC_DIR (set by AM_TESTS_ENVIRONMENT) names the doc/ folder.
 */
#include <check.h>
#include <string.h>

#include "tests/testlib.h"

#define PROBE_KEY "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"

#define BASE_NODES "  h1: { kind: host, ip: 10.0.0.1/24 }\n  h2: { kind: host, ip: 10.0.0.2/24 }\n"
#define BASE_LINKS "links:\n  - [h1, h2]\n"
#define BASE "nodes:\n" BASE_NODES BASE_LINKS

/* Scenarios with '@' where the body of the probed mapping goes. */
static const char *const probes[] = {
    "@\n" BASE,
    "nodes:\n  h1: { kind: host, ip: 10.0.0.1/24, @ }\n  h2: { kind: host, ip: 10.0.0.2/24 }\n" BASE_LINKS,
    "nodes:\n  h1: { kind: host, interfaces: { eth0: { ip: 10.0.0.1/24, @ } } }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\n" BASE_LINKS,
    "nodes:\n  h1: { kind: host, ip: 10.0.0.1/24, routes: [{ to: default, via: 10.0.0.2, @ }] }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\n" BASE_LINKS,
    "nodes:\n" BASE_NODES "links:\n  - { ends: [h1, h2], @ }\n",
    BASE "defaults: { @ }\n",
    BASE "defaults: { link: { @ } }\n",
    BASE "defaults: { host: { @ } }\n",
    BASE "defaults: { switch: { @ } }\n",
    BASE "defaults: { tcp: { @ } }\n",
    BASE "apps:\n  - { type: bulk, on: h1, to: h2, @ }\n",
    BASE "events:\n  - { at: 1s, link: [h1, h2], set: down, @ }\n",
    BASE "output: { @ }\n",
    BASE "realtime: { @ }\n",
    BASE "expect:\n  - { @ }\n",
    BASE "expect:\n  - { reach: { @ } }\n",
    BASE "expect:\n  - { route: { @ } }\n",
    BASE "expect:\n  - { path: { @ } }\n",
    BASE "expect:\n  - { never: { @ } }\n",
    BASE "expect:\n  - { drops: { @ } }\n",
    BASE "rip: { @ }\n",
    BASE "ospf: { @ }\n",
    "nodes:\n  r1: { kind: router, ip: 10.0.0.1/24, routing: rip, rip: { @ } }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\nlinks:\n  - [r1, h2]\n",
    "nodes:\n  r1: { kind: router, ip: 10.0.0.1/24, routing: ospf, ospf: { @ } }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\nlinks:\n  - [r1, h2]\n",
    "nodes:\n  r1: { kind: router, ip: 10.0.0.1/24, routing: rip, rip: { interfaces: { eth0: { @ } } } }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\nlinks:\n  - [r1, h2]\n",
    "nodes:\n  r1: { kind: router, ip: 10.0.0.1/24, routing: ospf, ospf: { interfaces: { eth0: { @ } } } }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\nlinks:\n  - [r1, h2]\n",
    BASE "output: { show: [{ @ }] }\n",
    BASE "output: { trace: { @ } }\n",
    BASE "expect:\n  - { converged: { @ } }\n",
    BASE "expect:\n  - { adjacency: { @ } }\n",
    BASE "expect:\n  - { outage: { @ } }\n",
    "nodes:\n  h1: { kind: linux, ip: 10.0.0.1/24, exec: [{ run: 'true', @ }] }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\n" BASE_LINKS,
    "nodes:\n  h1: { kind: linux, ip: 10.0.0.1/24, exec: [{ name: c, run: 'true' }] }\n"
    "  h2: { kind: host, ip: 10.0.0.2/24 }\n" BASE_LINKS "expect:\n  - { exec: { name: c, @ } }\n",
    /* a switch's spanning tree, its ports, and the stp check */
    "nodes:\n  s1: { kind: switch, stp: { @ } }\n" BASE_NODES "links:\n  - [h1, s1]\n  - [h2, s1]\n",
    "nodes:\n  s1: { kind: switch, stp: { interfaces: { eth0: { @ } } } }\n" BASE_NODES
    "links:\n  - [h1, s1]\n  - [h2, s1]\n",
    "nodes:\n  s1: { kind: switch, stp: stp }\n" BASE_NODES "links:\n  - [h1, s1]\n  - [h2, s1]\n"
    "expect:\n  - { stp: { @ } }\n",
};

/* `probe` with `body` in place of its '@'. */
static char *probe_text(const char *probe, const char *body)
{
  char **parts = g_strsplit(probe, "@", 2);
  char *text = g_strconcat(parts[0], body, parts[1], NULL);
  g_strfreev(parts);
  return text;
}

/* Loads `probe` with `body` in place of '@'; returns the loader's answers
 * about PROBE_KEY as (what, key list) pairs: "a link" -> "ends, name, ...". */
static GHashTable *probe_answers(const char *probe, const char *body)
{
  char *text = probe_text(probe, body);
  DiagList *diags = diag_list_new("probe.yaml");
  scenario_free(scenario_load_data(text, strlen(text), "probe.yaml", diags));
  GHashTable *answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const char *head = "unknown key '" PROBE_KEY "' in ";
  for (guint i = 0; i < diags->items->len; i++) {
    const char *m = g_array_index(diags->items, Diag, i).message;
    const char *at = strstr(m, head), *list = at ? strstr(at, "; expected one of: ") : NULL;
    if (list)
      g_hash_table_insert(answers, g_strndup(at + strlen(head), list - at - strlen(head)),
                          g_strdup(list + strlen("; expected one of: ")));
  }
  diag_list_free(diags);
  g_free(text);
  return answers;
}

/* The index of the cell named "key" in the header row `line`, or -1. */
static int doc_key_column(const char *line)
{
  char **cells = g_strsplit(line, "|", -1);
  int column = -1;
  for (int c = 0; cells[c] && column < 0; c++)
    if (strcmp(g_strstrip(cells[c]), "key") == 0)
      column = c;
  g_strfreev(cells);
  return column;
}

/* Adds to `keys` every `word` in cell `column` of the table row `line`. */
static void doc_row_keys(const char *line, int column, GHashTable *keys)
{
  char **cells = g_strsplit(line, "|", -1);
  for (int c = 0; cells[c]; c++)
    if (c == column) {
      char **spans = g_strsplit(cells[c], "`", -1);
      for (guint s = 1; spans[s - 1] && spans[s]; s += 2)
        g_hash_table_add(keys, g_strdup(spans[s]));
      g_strfreev(spans);
    }
  g_strfreev(cells);
}

/* The keys doc/scenario.md documents: backticked in the "key" column of a table. */
static GHashTable *doc_keys(void)
{
  char *path = g_build_filename(testlib_env("DOC_DIR"), "scenario.md", NULL);
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char **lines = g_strsplit(text, "\n", -1);
  int column = -1;
  for (char **l = lines; *l; l++) {
    gboolean header = (*l)[0] == '|' && (l == lines || l[-1][0] != '|');
    if (header)
      column = doc_key_column(*l);
    else if ((*l)[0] == '|')
      doc_row_keys(*l, column, keys);
  }
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  return keys;
}

/* The answer of probes[i] with the bare unknown key: its table's key list. */
static char *probe_table(guint i, char **what)
{
  GHashTable *answers = probe_answers(probes[i], PROBE_KEY ": 1");
  ck_assert_msg(g_hash_table_size(answers) == 1, "probe %u answered %u times:\n%s", i, g_hash_table_size(answers),
                probes[i]);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, answers);
  g_hash_table_iter_next(&it, &k, &v);
  *what = g_strdup(k);
  char *list = g_strdup(v);
  g_hash_table_destroy(answers);
  return list;
}

START_TEST(test_every_key_documented)
{
  GHashTable *documented = doc_keys();
  guint n_keys = 0;
  for (guint i = 0; i < G_N_ELEMENTS(probes); i++) {
    char *what = NULL, *list = probe_table(i, &what);
    char **keys = g_strsplit(list, ", ", -1);
    for (char **k = keys; *k; k++, n_keys++)
      ck_assert_msg(g_hash_table_contains(documented, *k),
                    "key '%s' of %s is not documented in doc/scenario.md (write it as `%s` in the "
                    "column headed 'key' of a table)",
                    *k, what, *k);
    g_strfreev(keys);
    g_free(list);
    g_free(what);
  }
  ck_assert_uint_ge(n_keys, 100);
  g_hash_table_destroy(documented);
}
END_TEST

/* Fails when `answers` names a table that no probe covers. */
static void check_covered(GHashTable *answers, GHashTable *probed, const char *parent, const char *key)
{
  GHashTableIter it;
  gpointer what;
  g_hash_table_iter_init(&it, answers);
  while (g_hash_table_iter_next(&it, &what, NULL))
    ck_assert_msg(g_hash_table_contains(probed, what),
                  "'%s' of %s holds %s, which no probe of tests/scenario/test_schema_doc.c checks", key, parent,
                  (char *)what);
}

/* Gives every key of probes[i]'s table a mapping and a list holding the
 * unknown key, and checks each table that answers is probed. */
static void walk_probe(guint i, GHashTable *probed)
{
  char *what = NULL, *list = probe_table(i, &what);
  char **keys = g_strsplit(list, ", ", -1);
  for (char **k = keys; *k; k++) {
    char *forms[] = {g_strdup_printf("%s: { %s: 1 }", *k, PROBE_KEY),
                     g_strdup_printf("%s: [{ %s: 1 }]", *k, PROBE_KEY)};
    for (guint f = 0; f < G_N_ELEMENTS(forms); f++) {
      GHashTable *answers = probe_answers(probes[i], forms[f]);
      check_covered(answers, probed, what, *k);
      g_hash_table_destroy(answers);
      g_free(forms[f]);
    }
  }
  g_strfreev(keys);
  g_free(list);
  g_free(what);
}

START_TEST(test_probes_cover_every_table)
{
  GHashTable *probed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(probes); i++) {
    char *what = NULL;
    g_free(probe_table(i, &what));
    g_hash_table_add(probed, what);
  }
  ck_assert_uint_eq(g_hash_table_size(probed), G_N_ELEMENTS(probes)); /* one table each */
  for (guint i = 0; i < G_N_ELEMENTS(probes); i++)
    walk_probe(i, probed);
  g_hash_table_destroy(probed);
}
END_TEST

static Suite *schema_doc_suite(void)
{
  Suite *s = suite_create("schema-doc");
  TCase *keys = tcase_create("keys");
  tcase_add_test(keys, test_every_key_documented);
  tcase_add_test(keys, test_probes_cover_every_table);
  suite_add_tcase(s, keys);
  return s;
}

int main(void)
{
  return testlib_run_suite(schema_doc_suite());
}
