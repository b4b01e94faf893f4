/*
 * Scenario loading: every example loads cleanly; every file under
 * tests/scenario/bad/ fails with exactly the messages of its .err file; every
 * file under tests/scenario/warn/ loads with exactly its warnings; and the
 * resolution rules (defaults, interface naming, prefixes, MACs) hold.
 *
 * IPSIM_UPDATE_EXPECTED=1 rewrites the .err files from what the loader says
 * (then read the diff before committing it).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/addr.h"
#include "tests/testlib.h"

/* Compares what loading `dir/name` prints with `dir/name-without-.yaml.err`. */
static void check_expected_messages(const char *dir, const char *name, gboolean should_load)
{
  char *path = g_build_filename(dir, name, NULL);
  char *stem = g_strndup(name, strlen(name) - strlen(".yaml"));
  char *err_path = g_strdup_printf("%s/%s.err", dir, stem);
  Scenario *sc = NULL;
  char *got = testlib_load_messages(path, &sc);
  if (g_getenv("IPSIM_UPDATE_EXPECTED"))
    g_file_set_contents(err_path, got, -1, NULL);
  char *want = NULL;
  ck_assert_msg(g_file_get_contents(err_path, &want, NULL, NULL), "missing %s", err_path);
  ck_assert_msg(strcmp(got, want) == 0, "%s:\n--- expected\n%s--- got\n%s", name, want, got);
  ck_assert_msg((sc != NULL) == should_load, "%s: %s", name, should_load ? "did not load" : "loaded");
  scenario_free(sc);
  g_free(want);
  g_free(got);
  g_free(err_path);
  g_free(stem);
  g_free(path);
}

START_TEST(test_examples_load_cleanly)
{
  const char *dir = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(dir, ".yaml");
  ck_assert_uint_ge(names->len, 4);
  for (guint i = 0; i < names->len; i++) {
    char *path = g_build_filename(dir, names->pdata[i], NULL);
    Scenario *sc = NULL;
    char *messages = testlib_load_messages(path, &sc);
    ck_assert_msg(sc != NULL && messages[0] == '\0', "%s:\n%s", (char *)names->pdata[i], messages);
    scenario_free(sc);
    g_free(messages);
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
}
END_TEST

START_TEST(test_bad_files)
{
  const char *dir = testlib_env("BAD_SCENARIOS");
  GPtrArray *names = testlib_list_dir(dir, ".yaml");
  ck_assert_uint_ge(names->len, 30);
  for (guint i = 0; i < names->len; i++)
    check_expected_messages(dir, names->pdata[i], FALSE);
  g_ptr_array_free(names, TRUE);
}
END_TEST

START_TEST(test_warning_files)
{
  const char *dir = testlib_env("WARN_SCENARIOS");
  GPtrArray *names = testlib_list_dir(dir, ".yaml");
  ck_assert_uint_ge(names->len, 4);
  for (guint i = 0; i < names->len; i++)
    check_expected_messages(dir, names->pdata[i], TRUE);
  g_ptr_array_free(names, TRUE);
}
END_TEST

static const ScenarioIface *find_iface(const Scenario *sc, const char *node, const char *iface)
{
  int n = scenario_find_node(sc, node);
  ck_assert_int_ge(n, 0);
  const ScenarioNode *nd = scenario_node(sc, n);
  for (guint i = 0; i < nd->ifaces->len; i++)
    if (strcmp(scenario_iface(sc, n, (int)i)->name, iface) == 0)
      return scenario_iface(sc, n, (int)i);
  ck_abort_msg("no interface %s:%s", node, iface);
  return NULL;
}

static Scenario *load_ok(const char *yaml)
{
  char *messages = NULL;
  Scenario *sc = testlib_load_string(yaml, &messages);
  ck_assert_msg(sc != NULL, "did not load:\n%s", messages);
  g_free(messages);
  return sc;
}

START_TEST(test_top_level_defaults)
{
  Scenario *sc = load_ok("nodes:\n  a: { kind: host, ip: 10.0.0.1/24 }\n  b: { kind: host, ip: 10.0.0.2/24 }\n"
                         "links:\n  - [a, b]\n");
  ck_assert_str_eq(sc->name, "test");
  ck_assert_uint_eq(sc->seed, 1);
  ck_assert_int_eq(sc->stop, SIMTIME_S(60));
  const ScenarioLink *link = scenario_link(sc, 0);
  ck_assert_uint_eq(link->params.rate_bps, 100000000);
  ck_assert_int_eq(link->params.delay, SIMTIME_MS(1));
  ck_assert(link->params.loss == 0.0);
  ck_assert_uint_eq(find_iface(sc, "a", "eth0")->mtu, 1500);
  ck_assert_uint_eq(find_iface(sc, "a", "eth0")->queue.packets, 100);
  scenario_free(sc);
}
END_TEST

/* Interface settings win over the link's, the link's over defaults.<kind>,
 * those over defaults.link, and those over the built-in values. */
START_TEST(test_parameter_precedence)
{
  Scenario *sc = load_ok("scenario: p\nseed: 42\nstop: 2.5s\n"
                         "defaults:\n  link: { rate: 1Gbps, delay: 5us, queue: 50p, mtu: 9000, loss: 1% }\n"
                         "  router: { queue: 64KiB }\n"
                         "nodes:\n  r1: { kind: router, interfaces: { eth0: { mtu: 1400 } } }\n"
                         "  r2: { kind: router }\n  r3: { kind: router }\n"
                         "links:\n  - { ends: [r1, r2], queue: 7p }\n  - { ends: [r2, r3], rate: 56kbps }\n");
  ck_assert_str_eq(sc->name, "p");
  ck_assert_uint_eq(sc->seed, 42);
  ck_assert_int_eq(sc->stop, SIMTIME_MS(2500));
  ck_assert_uint_eq(find_iface(sc, "r1", "eth0")->mtu, 1400);        /* interface */
  ck_assert_uint_eq(find_iface(sc, "r2", "eth0")->mtu, 9000);        /* defaults.link */
  ck_assert_uint_eq(find_iface(sc, "r1", "eth0")->queue.packets, 7); /* link over defaults.router */
  ck_assert_uint_eq(find_iface(sc, "r3", "eth0")->queue.bytes, 65536);
  ck_assert_uint_eq(scenario_link(sc, 0)->params.rate_bps, 1000000000);
  ck_assert_uint_eq(scenario_link(sc, 1)->params.rate_bps, 56000);
  ck_assert_int_eq(scenario_link(sc, 1)->params.delay, SIMTIME_US(5));
  ck_assert(scenario_link(sc, 1)->params.loss == 0.01);
  scenario_free(sc);
}
END_TEST

/* Named ends are bound first; bare ends take the first free declared
 * interface, then new ethN names. */
START_TEST(test_interface_allocation)
{
  Scenario *sc = load_ok("nodes:\n  r1: { kind: router, interfaces: [lan, wan] }\n"
                         "  r2: { kind: router }\n  s1: { kind: switch }\n  h1: { kind: host, ip: 10.0.0.2/24 }\n"
                         "links:\n  - [r1, r2]\n  - [s1, r1:lan]\n  - [s1, h1]\n  - [r1, s1]\n");
  ck_assert_int_eq(find_iface(sc, "r1", "wan")->link, 0);
  ck_assert_int_eq(find_iface(sc, "r1", "lan")->link, 1);
  ck_assert_int_eq(find_iface(sc, "r1", "eth0")->link, 3);
  ck_assert_int_eq(find_iface(sc, "s1", "eth2")->link, 3);
  ck_assert_int_eq(find_iface(sc, "r2", "eth0")->link, 0);
  const ScenarioLink *l = scenario_link(sc, 1);
  ck_assert_int_eq(l->ends[1].node, scenario_find_node(sc, "r1"));
  scenario_free(sc);
}
END_TEST

START_TEST(test_link_prefix_numbering)
{
  Scenario *sc =
      load_ok("nodes:\n  h1: { kind: host, ip: 10.0.3.1/24 }\n  r1: { kind: router }\n"
              "  r2: { kind: router }\n  r3: { kind: router }\n"
              "links:\n  - { ends: [h1, r1], prefix: 10.0.3.0/24 }\n"
              "  - { ends: [r1, r2], prefix: 192.168.0.0/31 }\n  - { ends: [r2, r3], prefix: 10.9.0.4/30 }\n");
  char buf[ADDR_IPV4_TEXT];
  ck_assert_str_eq(addr_format_ipv4(find_iface(sc, "r1", "eth0")->ip.addr, buf), "10.0.3.2");
  ck_assert_str_eq(addr_format_ipv4(find_iface(sc, "r1", "eth1")->ip.addr, buf), "192.168.0.0");
  ck_assert_str_eq(addr_format_ipv4(find_iface(sc, "r2", "eth0")->ip.addr, buf), "192.168.0.1");
  ck_assert_str_eq(addr_format_ipv4(find_iface(sc, "r2", "eth1")->ip.addr, buf), "10.9.0.5");
  ck_assert_str_eq(addr_format_ipv4(find_iface(sc, "r3", "eth0")->ip.addr, buf), "10.9.0.6");
  ck_assert_uint_eq(find_iface(sc, "r3", "eth0")->ip.len, 30);
  scenario_free(sc);
}
END_TEST

START_TEST(test_mac_assignment)
{
  Scenario *sc = load_ok("nodes:\n  a: { kind: host, ip: 10.0.0.1/24 }\n"
                         "  b: { kind: host, interfaces: { eth0: { ip: 10.0.0.2/24, mac: '02:00:00:00:00:02' } } }\n"
                         "  c: { kind: host, ip: 10.0.0.3/24 }\n  s: { kind: switch }\n"
                         "links:\n  - [a, s]\n  - [b, s]\n  - [c, s]\n");
  static const uint8_t a[6] = {2, 0, 0, 0, 0, 1}, c[6] = {2, 0, 0, 0, 0, 3};
  ck_assert_mem_eq(find_iface(sc, "a", "eth0")->mac, a, 6);
  ck_assert_mem_eq(find_iface(sc, "c", "eth0")->mac, c, 6);
  static const uint8_t s0[6] = {2, 0, 0, 0, 0, 4};
  ck_assert_mem_eq(find_iface(sc, "s", "eth0")->mac, s0, 6);
  scenario_free(sc);
}
END_TEST

/* Unusual node names are accepted and kept exactly. */
START_TEST(test_unusual_names)
{
  Scenario *sc = load_ok("nodes:\n  'web server': { kind: host, ip: 10.0.0.1/24 }\n"
                         "  'Zürich \"HQ\"': { kind: host, ip: 10.0.0.2/24 }\n"
                         "links:\n  - ['web server', 'Zürich \"HQ\"']\n");
  ck_assert_int_eq(scenario_find_node(sc, "web server"), 0);
  ck_assert_int_eq(scenario_find_node(sc, "Zürich \"HQ\""), 1);
  scenario_free(sc);
}
END_TEST

/* A file with more errors than the limit shows the first ones and says so. */
START_TEST(test_error_limit)
{
  GString *yaml = g_string_new("nodes:\n");
  for (int i = 0; i < 80; i++)
    g_string_append_printf(yaml, "  h%d: { kind: hots }\n", i);
  char *messages = NULL;
  Scenario *sc = testlib_load_string(yaml->str, &messages);
  ck_assert_ptr_null(sc);
  guint lines = 0;
  for (const char *c = messages; *c; c++)
    lines += *c == '\n';
  ck_assert_uint_eq(lines, DIAG_MAX_ERRORS + 1);
  ck_assert_msg(strstr(messages, "test.yaml: error: too many errors; stopped after the first 50") != NULL, "%s",
                messages);
  g_free(messages);
  g_string_free(yaml, TRUE);
}
END_TEST

static Suite *scenario_suite(void)
{
  Suite *s = suite_create("scenario");
  TCase *files = tcase_create("files");
  tcase_add_test(files, test_examples_load_cleanly);
  tcase_add_test(files, test_bad_files);
  tcase_add_test(files, test_warning_files);
  suite_add_tcase(s, files);
  TCase *rules = tcase_create("resolution");
  tcase_add_test(rules, test_top_level_defaults);
  tcase_add_test(rules, test_parameter_precedence);
  tcase_add_test(rules, test_interface_allocation);
  tcase_add_test(rules, test_link_prefix_numbering);
  tcase_add_test(rules, test_mac_assignment);
  tcase_add_test(rules, test_unusual_names);
  tcase_add_test(rules, test_error_limit);
  suite_add_tcase(s, rules);
  return s;
}

int main(void)
{
  SRunner *runner = srunner_create(scenario_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
