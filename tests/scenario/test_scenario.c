/*
 * Scenario loading: every example loads cleanly; every file under
 * tests/scenario/bad/ fails with exactly the messages of its .err file; every
 * file under tests/scenario/warn/ loads with exactly its warnings; and the
 * resolution rules (defaults, interface naming, prefixes, MACs) hold; and
 * apps, events, output, expect and routes resolve to indices with every
 * default filled; `realtime:` reads as on or off with its lag limit.
 *
 * IPSIM_UPDATE_EXPECTED=1 rewrites the .err files from what the loader says
 * (then read the diff before committing it).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/transport/tcp.h"
#include "sim/text/addr.h"
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

/* TRUE when every line of `messages` warns about a loop of switches. */
static gboolean only_loop_warnings(const char *messages)
{
  char **lines = g_strsplit(messages, "\n", -1);
  gboolean only = TRUE;
  for (char **l = lines; *l; l++)
    only &= **l == '\0' || (strstr(*l, ": warning: ") && strstr(*l, "closes a loop of switches"));
  g_strfreev(lines);
  return only;
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
    /* switch-loop.yaml shows the storm that `ipsim check` warns about */
    gboolean loop = strcmp(names->pdata[i], "switch-loop.yaml") == 0;
    ck_assert_msg(sc != NULL && (messages[0] == '\0' || (loop && only_loop_warnings(messages))), "%s:\n%s",
                  (char *)names->pdata[i], messages);
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

/* A network for the tests of apps, events, output and expect. r1's eth0
 * has no address, so r1's first address in interface order is eth1's. */
static const char net_yaml[] = "stop: 30s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                               "  s1: { kind: switch }\n"
                               "  r0: { kind: router, ip: 10.0.1.1/24 }\n"
                               "  r1: { kind: router, interfaces: { eth0: {}, eth1: { ip: 10.0.2.1/24 } } }\n"
                               "  h2: { kind: host, ip: 10.0.2.10/24 }\n"
                               "links:\n"
                               "  - [h1, s1]\n"
                               "  - [s1, r0]\n"
                               "  - [s1, r1:eth0]\n"
                               "  - { name: up, ends: [r1:eth1, h2] }\n";

static Scenario *load_net(const char *more)
{
  char *yaml = g_strconcat(net_yaml, more, NULL);
  Scenario *sc = load_ok(yaml);
  g_free(yaml);
  return sc;
}

static uint32_t ip(const char *text)
{
  uint32_t a = 0;
  ck_assert(addr_parse_ipv4(text, &a));
  return a;
}

/* Unnamed apps are "<type><n>", n counting the apps of the type in file
 * order; every type gets its defaults; `to` is a node's first address. */
START_TEST(test_app_defaults)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { type: ping, on: h1, to: r1 }\n"
                          "  - { name: probe, type: ping, on: h1, to: 10.0.2.10 }\n"
                          "  - { type: ping, on: r0, to: 10.9.9.9, count: 3, size: 1KiB, ttl: 2, df: true }\n"
                          "  - { type: traceroute, on: h1, to: h2 }\n"
                          "  - { type: udp-cbr, on: h1, to: 'h2:9000', rate: 1Mbps, start: 1s, stop: 2s }\n"
                          "  - { type: udp-sink, on: h2, port: 9000 }\n");
  ck_assert_uint_eq(sc->apps->len, 6);
  const AppConfig *a = scenario_app(sc, 0);
  ck_assert_str_eq(a->name, "ping1");
  ck_assert_int_eq(a->kind, APP_PING);
  ck_assert_int_eq(a->node, scenario_find_node(sc, "h1"));
  ck_assert_int_eq(a->dst_node, scenario_find_node(sc, "r1"));
  ck_assert_uint_eq(a->dst, ip("10.0.2.1")); /* eth1: eth0 has no address */
  ck_assert_int_eq(a->start, 0);
  ck_assert_int_eq(a->stop, 0);
  ck_assert_uint_eq(a->count, 0);
  ck_assert_int_eq(a->interval, SIMTIME_S(1));
  ck_assert_uint_eq(a->size, 56);
  ck_assert_uint_eq(a->ttl, 0); /* the node's default TTL */
  ck_assert(!a->df);
  a = scenario_app(sc, 1);
  ck_assert_str_eq(a->name, "probe");
  ck_assert_int_eq(a->dst_node, scenario_find_node(sc, "h2")); /* found by its address */
  a = scenario_app(sc, 2);
  ck_assert_str_eq(a->name, "ping3");
  ck_assert_int_eq(a->dst_node, -1);
  ck_assert_uint_eq(a->dst, ip("10.9.9.9"));
  ck_assert_uint_eq(a->count, 3);
  ck_assert_uint_eq(a->size, 1024);
  ck_assert_uint_eq(a->ttl, 2);
  ck_assert(a->df);
  a = scenario_app(sc, 3);
  ck_assert_str_eq(a->name, "traceroute1");
  ck_assert(!a->icmp);
  ck_assert_uint_eq(a->ttl, 30);
  ck_assert_uint_eq(a->queries, 3);
  ck_assert_int_eq(a->wait, SIMTIME_S(5));
  ck_assert_uint_eq(a->port, 33434);
  a = scenario_app(sc, 4);
  ck_assert_str_eq(a->name, "udp-cbr1");
  ck_assert_uint_eq(a->port, 9000);
  ck_assert_uint_eq(a->size, 1000);
  ck_assert_uint_eq(a->rate_bps, 1000000);
  ck_assert_int_eq(a->interval, SIMTIME_MS(8));
  ck_assert_int_eq(a->start, SIMTIME_S(1));
  ck_assert_int_eq(a->stop, SIMTIME_S(2));
  a = scenario_app(sc, 5);
  ck_assert_str_eq(a->name, "udp-sink1");
  ck_assert_int_eq(a->node, scenario_find_node(sc, "h2"));
  ck_assert_uint_eq(a->port, 9000);
  scenario_free(sc);
}
END_TEST

/* A rate gives the interval ceil(size * 8 / rate), to the nanosecond;
 * `port` is the destination port when `to` has none. */
START_TEST(test_cbr_interval_from_rate)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { type: udp-cbr, on: h1, to: h2, port: 7, rate: 3Mbps }\n"
                          "  - { type: udp-cbr, on: h1, to: '10.0.2.10:9', size: 100, interval: 80us }\n"
                          "  - { type: traceroute, on: h1, to: h2, probe: icmp, max-hops: 5, queries: 1, wait: 1s, "
                          "port: 40000 }\n");
  const AppConfig *a = scenario_app(sc, 0);
  ck_assert_uint_eq(a->port, 7);
  ck_assert_int_eq(a->interval, 2666667); /* 8000 bits / 3 Mbit/s = 2666666.67 ns */
  ck_assert_uint_eq(a->rate_bps, 3000000);
  a = scenario_app(sc, 1);
  ck_assert_uint_eq(a->port, 9);
  ck_assert_int_eq(a->dst_node, scenario_find_node(sc, "h2"));
  ck_assert_int_eq(a->interval, SIMTIME_US(80));
  ck_assert_uint_eq(a->rate_bps, 0);
  a = scenario_app(sc, 2);
  ck_assert(a->icmp);
  ck_assert_uint_eq(a->ttl, 5);
  ck_assert_uint_eq(a->queries, 1);
  ck_assert_int_eq(a->wait, SIMTIME_S(1));
  ck_assert_uint_eq(a->port, 40000);
  scenario_free(sc);
}
END_TEST

/* The issue-4 kinds: their defaults and the keys each one takes. */
START_TEST(test_app_new_kinds)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { type: udp-echo-server, on: h2 }\n"
                          "  - { type: udp-echo, on: h1, to: h2, count: 4, interval: 250ms, size: 0 }\n"
                          "  - { type: onoff, on: h1, to: 'h2:9000', rate: 2Mbps, size: 500, on-time: 'exp(300ms)', "
                          "off-time: 0 }\n"
                          "  - { type: bulk, on: h1, to: h2, bytes: 10MB }\n"
                          "  - { type: bulk-sink, on: h2, port: 6000, report: 0 }\n"
                          "  - { type: http, on: h1, to: h2, sizes: [10kB, 1MiB, 0], persistent: false }\n"
                          "  - { type: http-server, on: h2 }\n"
                          "  - { type: ftp, on: h1, to: 'h2:2121', sizes: [1MB] }\n"
                          "  - { type: ftp-server, on: h2 }\n"
                          "  - { type: onoff, on: h1, to: h2, port: 9001, rate: 1Mbps }\n");
  ck_assert_uint_eq(sc->apps->len, 10);
  const AppConfig *a = scenario_app(sc, 0);
  ck_assert_str_eq(a->name, "udp-echo-server1");
  ck_assert_int_eq(a->kind, APP_UDP_ECHO_SERVER);
  ck_assert_uint_eq(a->port, 7); /* RFC 862 */
  a = scenario_app(sc, 1);
  ck_assert_int_eq(a->kind, APP_UDP_ECHO);
  ck_assert_uint_eq(a->port, 7);
  ck_assert_uint_eq(a->dst, ip("10.0.2.10"));
  ck_assert_uint_eq(a->count, 4);
  ck_assert_int_eq(a->interval, SIMTIME_MS(250));
  ck_assert_uint_eq(a->size, 0);
  a = scenario_app(sc, 2);
  ck_assert_str_eq(a->name, "onoff1");
  ck_assert_uint_eq(a->port, 9000);
  ck_assert_uint_eq(a->rate_bps, 2000000);
  ck_assert_int_eq(a->interval, SIMTIME_MS(2)); /* 4000 bits at 2 Mbit/s */
  ck_assert(a->on_time.exponential && a->on_time.mean == SIMTIME_MS(300));
  ck_assert(!a->off_time.exponential && a->off_time.mean == 0);
  a = scenario_app(sc, 3);
  ck_assert_str_eq(a->name, "bulk1");
  ck_assert_uint_eq(a->port, 5001);
  ck_assert_uint_eq(a->bytes, 10000000);
  ck_assert_int_eq(a->report, SIMTIME_S(1));
  a = scenario_app(sc, 4);
  ck_assert_uint_eq(a->port, 6000);
  ck_assert_int_eq(a->report, 0);
  a = scenario_app(sc, 5);
  ck_assert_uint_eq(a->port, 80);
  ck_assert(!a->persistent);
  ck_assert_uint_eq(a->sizes->len, 3);
  ck_assert_uint_eq(g_array_index(a->sizes, uint64_t, 0), 10000);
  ck_assert_uint_eq(g_array_index(a->sizes, uint64_t, 1), 1048576);
  ck_assert_uint_eq(g_array_index(a->sizes, uint64_t, 2), 0);
  ck_assert_uint_eq(scenario_app(sc, 6)->port, 80);
  a = scenario_app(sc, 7);
  ck_assert_uint_eq(a->port, 2121);
  ck_assert(a->persistent); /* the default, unused by ftp */
  ck_assert_uint_eq(scenario_app(sc, 8)->port, 21);
  a = scenario_app(sc, 9);
  ck_assert(!a->on_time.exponential && a->on_time.mean == SIMTIME_S(1));
  ck_assert(!a->off_time.exponential && a->off_time.mean == SIMTIME_S(1));
  ck_assert_uint_eq(a->port, 9001);
  scenario_free(sc);
}
END_TEST

static void assert_tcp_equal(const TcpConfig *a, const TcpConfig *b)
{
  ck_assert(a->sndbuf == b->sndbuf && a->rcvbuf == b->rcvbuf && a->mss == b->mss);
  ck_assert(a->min_rto == b->min_rto && a->initial_rto == b->initial_rto && a->max_rto == b->max_rto);
  ck_assert(a->delayed_ack == b->delayed_ack && a->msl == b->msl);
  ck_assert(a->syn_retries == b->syn_retries && a->retries == b->retries && a->initial_cwnd == b->initial_cwnd);
  ck_assert(a->nagle == b->nagle && a->window_scaling == b->window_scaling && a->timestamps == b->timestamps);
  ck_assert_str_eq(a->cc, b->cc);
}

/* Built-in TCP settings, defaults.tcp over them, an app's tcp: over both, key by key. */
START_TEST(test_tcp_settings)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { type: bulk-sink, on: h2 }\n");
  const TcpConfig *t = &sc->tcp;
  ck_assert_uint_eq(t->sndbuf, 131072);
  ck_assert_uint_eq(t->rcvbuf, 131072);
  ck_assert_uint_eq(t->mss, 0);
  ck_assert_int_eq(t->min_rto, SIMTIME_MS(200));
  ck_assert_int_eq(t->initial_rto, SIMTIME_S(1));
  ck_assert_int_eq(t->max_rto, SIMTIME_S(120));
  ck_assert_int_eq(t->delayed_ack, SIMTIME_MS(40));
  ck_assert_int_eq(t->msl, SIMTIME_S(30));
  ck_assert_uint_eq(t->syn_retries, 6);
  ck_assert_uint_eq(t->retries, 15);
  ck_assert_uint_eq(t->initial_cwnd, 10);
  ck_assert(t->nagle && t->window_scaling && t->timestamps);
  ck_assert_str_eq(t->cc, "newreno");
  assert_tcp_equal(&scenario_app(sc, 0)->tcp, t);
  scenario_free(sc);

  sc = load_net("defaults:\n"
                "  tcp: { sndbuf: 64KiB, mss: 1000, nagle: false, delayed-ack: 0, msl: 1s, cc: newreno }\n"
                "apps:\n"
                "  - { type: bulk-sink, on: h2 }\n"
                "  - { type: bulk, on: h1, to: h2, tcp: { mss: 536, timestamps: false, min-rto: 1s, "
                "initial-rto: 300ms, syn-retries: 0, initial-cwnd: 1 } }\n"
                "  - { type: ping, on: h1, to: h2 }\n");
  ck_assert_uint_eq(sc->tcp.sndbuf, 65536);
  ck_assert_uint_eq(sc->tcp.mss, 1000);
  ck_assert(!sc->tcp.nagle && sc->tcp.timestamps);
  ck_assert_int_eq(sc->tcp.delayed_ack, 0);
  ck_assert_int_eq(sc->tcp.msl, SIMTIME_S(1));
  assert_tcp_equal(&scenario_app(sc, 0)->tcp, &sc->tcp);
  t = &scenario_app(sc, 1)->tcp;
  ck_assert_uint_eq(t->mss, 536);
  ck_assert(!t->timestamps && !t->nagle && t->window_scaling);
  ck_assert_uint_eq(t->sndbuf, 65536);
  ck_assert_int_eq(t->min_rto, SIMTIME_S(1));
  ck_assert_int_eq(t->initial_rto, SIMTIME_MS(300)); /* below min-rto: allowed, as in Linux */
  ck_assert_uint_eq(t->syn_retries, 0);
  ck_assert_uint_eq(t->initial_cwnd, 1);
  ck_assert_uint_eq(sc->tcp.initial_cwnd, 10);
  scenario_free(sc);
}
END_TEST

/* Events are sorted by time, in file order at equal times; links are
 * found by name or by ends. */
START_TEST(test_events_sorted)
{
  Scenario *sc = load_net("events:\n"
                          "  - { at: 5s, link: up, set: down }\n"
                          "  - { at: 1s, link: [s1, r1], rate: 1Mbps }\n"
                          "  - { at: 5s, link: [h2, 'r1:eth1'], set: up }\n"
                          "  - { at: 1s, link: [r0, s1], delay: 2ms, loss: 1% }\n");
  ck_assert_uint_eq(sc->events->len, 4);
  const ScenarioEvent *e = &g_array_index(sc->events, ScenarioEvent, 0);
  ck_assert_int_eq(e->at, SIMTIME_S(1));
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_LINK_SET);
  ck_assert_int_eq(e->link, 2);
  ck_assert_uint_eq(e->params.given, LINK_GIVEN_RATE);
  ck_assert_uint_eq(e->params.rate_bps, 1000000);
  e = &g_array_index(sc->events, ScenarioEvent, 1);
  ck_assert_int_eq(e->link, 1);
  ck_assert_uint_eq(e->params.given, LINK_GIVEN_DELAY | LINK_GIVEN_LOSS);
  ck_assert_int_eq(e->params.delay, SIMTIME_MS(2));
  ck_assert(e->params.loss == 0.01);
  e = &g_array_index(sc->events, ScenarioEvent, 2);
  ck_assert_int_eq(e->at, SIMTIME_S(5));
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_LINK_DOWN);
  ck_assert_int_eq(e->link, 3);
  e = &g_array_index(sc->events, ScenarioEvent, 3);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_LINK_UP);
  ck_assert_int_eq(e->link, 3);
  scenario_free(sc);
}
END_TEST

/* A node's routing is its own, else the scenario's; a switch's aging is
 * its own, else defaults.switch.aging, else 300s. */
START_TEST(test_routing_and_aging)
{
  Scenario *sc = load_ok("routing: auto\n"
                         "defaults: { switch: { aging: 10s } }\n"
                         "nodes:\n"
                         "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                         "  r1: { kind: router, ip: 10.0.0.2/24, routing: static }\n"
                         "  s1: { kind: switch, aging: 5s }\n"
                         "  s2: { kind: switch }\n"
                         "links:\n  - [h1, s1]\n  - [s1, s2]\n  - [s2, r1]\n");
  ck_assert_int_eq(sc->routing, SCENARIO_ROUTING_AUTO);
  ck_assert_int_eq(scenario_node(sc, 0)->routing, SCENARIO_ROUTING_AUTO);
  ck_assert_int_eq(scenario_node(sc, 1)->routing, SCENARIO_ROUTING_STATIC);
  ck_assert_int_eq(scenario_node(sc, 2)->aging, SIMTIME_S(5));
  ck_assert_int_eq(scenario_node(sc, 3)->aging, SIMTIME_S(10));
  ck_assert_int_eq(scenario_node(sc, 0)->aging, 0);
  scenario_free(sc);
  sc = load_net("");
  for (guint n = 0; n < sc->nodes->len; n++)
    ck_assert_int_eq(scenario_node(sc, (int)n)->routing, SCENARIO_ROUTING_STATIC);
  ck_assert_int_eq(scenario_node(sc, scenario_find_node(sc, "s1"))->aging, SIMTIME_S(300));
  ck_assert_uint_eq(sc->apps->len + sc->events->len + sc->expects->len + sc->output.pcap->len, 0);
  ck_assert_uint_eq(sc->output.trace, 0);
  ck_assert(!sc->output.pcap_all && !sc->output.dir);
  scenario_free(sc);
}
END_TEST

/* Gateways and routes: indices resolved, metrics defaulted, `default` is 0.0.0.0/0. */
START_TEST(test_routes)
{
  Scenario *sc = load_ok("nodes:\n"
                         "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                         "  r1:\n"
                         "    kind: router\n"
                         "    ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/30 }\n"
                         "    routes:\n"
                         "      - { to: 10.9.0.0/16, via: 10.0.2.2 }\n"
                         "      - { to: 10.9.0.0/16, via: 10.0.2.2, dev: eth1, metric: 10 }\n"
                         "      - { to: default, dev: eth0 }\n"
                         "  r2: { kind: router, ip: 10.0.2.2/30 }\n"
                         "links:\n  - [h1, r1:eth0]\n  - [r1:eth1, r2]\n");
  const ScenarioNode *h1 = scenario_node(sc, 0), *r1 = scenario_node(sc, 1);
  ck_assert_uint_eq(h1->gateway, ip("10.0.1.1"));
  ck_assert_int_eq(h1->gateway_mark.line, 2);
  ck_assert_uint_eq(h1->routes->len, 0);
  ck_assert_uint_eq(r1->gateway, 0);
  ck_assert_uint_eq(r1->routes->len, 3);
  const ScenarioRoute *r = &g_array_index(r1->routes, ScenarioRoute, 0);
  ck_assert_uint_eq(r->to.addr, ip("10.9.0.0"));
  ck_assert_uint_eq(r->to.len, 16);
  ck_assert_uint_eq(r->via, ip("10.0.2.2"));
  ck_assert_int_eq(r->dev, -1);
  ck_assert_uint_eq(r->metric, 1);
  ck_assert_int_eq(r->mark.line, 7);
  r = &g_array_index(r1->routes, ScenarioRoute, 1);
  ck_assert_int_eq(r->dev, 1);
  ck_assert_uint_eq(r->metric, 10);
  r = &g_array_index(r1->routes, ScenarioRoute, 2);
  ck_assert_uint_eq(r->to.addr, 0);
  ck_assert_uint_eq(r->to.len, 0);
  ck_assert_uint_eq(r->via, 0);
  ck_assert_int_eq(r->dev, 0);
  scenario_free(sc);
}
END_TEST

START_TEST(test_output)
{
  Scenario *sc = load_net("output:\n  dir: out/run1\n  trace: [internet, app]\n  pcap: [r1, 'h1:eth0']\n");
  ck_assert_str_eq(sc->output.dir, "out/run1");
  ck_assert_uint_eq(sc->output.trace, TRACE_INTERNET | TRACE_APP);
  ck_assert(!sc->output.pcap_all);
  ck_assert_uint_eq(sc->output.pcap->len, 2);
  const ScenarioPcapTarget *t = &g_array_index(sc->output.pcap, ScenarioPcapTarget, 0);
  ck_assert_int_eq(t->node, scenario_find_node(sc, "r1"));
  ck_assert_int_eq(t->iface, -1);
  t = &g_array_index(sc->output.pcap, ScenarioPcapTarget, 1);
  ck_assert_int_eq(t->node, scenario_find_node(sc, "h1"));
  ck_assert_int_eq(t->iface, 0);
  ck_assert(!sc->output.tcp_series);
  ck_assert(!sc->output.queues);
  scenario_free(sc);
  sc = load_net("output: { trace: true, pcap: all, tcp-series: true, queues: true }\n");
  ck_assert_uint_eq(sc->output.trace, TRACE_ALL);
  ck_assert(sc->output.pcap_all);
  ck_assert(sc->output.tcp_series);
  ck_assert(sc->output.queues);
  scenario_free(sc);
}
END_TEST

/* `realtime:` off by default; true, false, a mapping (on) with or without
 * a lag limit. */
START_TEST(test_realtime)
{
  static const struct {
    const char *yaml;
    gboolean on;
    SimTime limit;
  } cases[] = {
      {"", FALSE, 0},
      {"realtime: false\n", FALSE, 0},
      {"realtime: true\n", TRUE, 0},
      {"realtime: {}\n", TRUE, 0},
      {"realtime: { lag-limit: 10ms }\n", TRUE, SIMTIME_MS(10)},
      {"realtime:\n  lag-limit: 250us\n", TRUE, SIMTIME_US(250)},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    Scenario *sc = load_net(cases[i].yaml);
    ck_assert_msg(sc->realtime.on == cases[i].on, "case %u", i);
    ck_assert_int_eq(sc->realtime.lag_limit, cases[i].limit);
    scenario_free(sc);
  }
}
END_TEST

static const ScenarioExpect *expect_at(const Scenario *sc, guint i)
{
  ck_assert_uint_lt(i, sc->expects->len);
  return &g_array_index(sc->expects, ScenarioExpect, i);
}

/* The checks of apps and flows: loss, hops, delivered. */
static void assert_app_checks(const Scenario *sc)
{
  const ScenarioExpect *e = expect_at(sc, 0);
  ck_assert_int_eq(e->kind, EXPECT_APP_LOSS);
  ck_assert_int_eq(e->app, 0);
  ck_assert_int_eq(e->at, -1);
  ck_assert_int_eq(e->bound.op, CMP_LE);
  ck_assert(e->bound.percent && e->bound.value == 0.1);
  ck_assert_str_eq(e->bound.text, "<= 10%");
  ck_assert_str_eq(e->text, "loss of probe <= 10%");
  ck_assert_int_eq(e->mark.line, 18);
  e = expect_at(sc, 1);
  ck_assert_int_eq(e->kind, EXPECT_APP_HOPS);
  ck_assert_uint_eq(e->nodes->len, 3);
  ck_assert_int_eq(g_array_index(e->nodes, int, 0), scenario_find_node(sc, "r0"));
  ck_assert_int_eq(g_array_index(e->nodes, int, 1), -1);
  ck_assert_str_eq(e->text, "hops of tr are r0 * h2");
  e = expect_at(sc, 2);
  ck_assert_int_eq(e->kind, EXPECT_FLOW_DELIVERED);
  ck_assert_int_eq(e->app, 2);
  ck_assert(e->bound.op == CMP_EQ && !e->bound.percent && e->bound.value == 1000);
  ck_assert_str_eq(e->text, "cbr delivered 1000");
}

/* reach and unreach. */
static void assert_reach_checks(const Scenario *sc)
{
  const ScenarioExpect *e = expect_at(sc, 3);
  ck_assert_int_eq(e->kind, EXPECT_REACH);
  ck_assert(e->reachable);
  ck_assert_int_eq(e->at, SIMTIME_S(5));
  ck_assert_int_eq(e->node, scenario_find_node(sc, "h1"));
  ck_assert_int_eq(e->dst_node, scenario_find_node(sc, "h2"));
  ck_assert_uint_eq(e->dst, ip("10.0.2.10"));
  ck_assert_str_eq(e->text, "h1 reaches h2");
  e = expect_at(sc, 4);
  ck_assert(!e->reachable);
  ck_assert_int_eq(e->at, -1);
  ck_assert_int_eq(e->dst_node, -1);
  ck_assert_str_eq(e->text, "h1 does not reach 10.9.9.9");
}

/* route, with a node, an address, direct and none. */
static void assert_route_checks(const Scenario *sc)
{
  const ScenarioExpect *e = expect_at(sc, 5);
  ck_assert_int_eq(e->kind, EXPECT_ROUTE);
  ck_assert_int_eq(e->node, scenario_find_node(sc, "r0"));
  ck_assert_uint_eq(e->prefix.addr, ip("10.0.2.0"));
  ck_assert_uint_eq(e->prefix.len, 24);
  ck_assert_int_eq(e->via_node, scenario_find_node(sc, "r1"));
  ck_assert(!e->via_addr && !e->via_none && !e->via_direct);
  ck_assert_str_eq(e->text, "route r0 10.0.2.0/24 via r1");
  e = expect_at(sc, 6);
  ck_assert_uint_eq(e->prefix.len, 0);
  ck_assert_int_eq(e->via_node, -1);
  ck_assert_uint_eq(e->via_addr, ip("10.0.1.1"));
  ck_assert_str_eq(e->text, "route r1 default via 10.0.1.1");
  ck_assert(expect_at(sc, 7)->via_direct && expect_at(sc, 7)->via_node == -1);
  ck_assert(expect_at(sc, 8)->via_none);
}

/* path, never, drops, and a percentage bound with !=. */
static void assert_path_and_drop_checks(const Scenario *sc)
{
  const ScenarioExpect *e = expect_at(sc, 9);
  ck_assert_int_eq(e->kind, EXPECT_PATH);
  ck_assert_int_eq(e->at, SIMTIME_S(30));
  ck_assert_uint_eq(e->nodes->len, 3);
  ck_assert_str_eq(e->text, "path h1 -> h2 is r0 r1 h2");
  e = expect_at(sc, 10);
  ck_assert_int_eq(e->kind, EXPECT_NEVER_DROP);
  ck_assert_str_eq(e->drop, "ttl-expired");
  ck_assert_int_eq(e->node, scenario_find_node(sc, "r1"));
  ck_assert_str_eq(e->text, "never drop ttl-expired at r1");
  ck_assert_int_eq(expect_at(sc, 11)->node, -1);
  ck_assert_str_eq(expect_at(sc, 11)->text, "never drop no-route");
  e = expect_at(sc, 12);
  ck_assert_int_eq(e->kind, EXPECT_DROPS);
  ck_assert_str_eq(e->drop, "queue-full");
  ck_assert_int_eq(e->node, scenario_find_node(sc, "s1"));
  ck_assert(e->bound.op == CMP_GT && e->bound.value == 1000 && !e->bound.percent);
  ck_assert_str_eq(e->text, "queue-full drops at s1 > 1000");
  e = expect_at(sc, 13);
  ck_assert(e->bound.op == CMP_NE && e->bound.percent && e->bound.value == 0.505);
}

/* Every kind of check, its fields and its text. */
START_TEST(test_expect_checks)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { name: probe, type: ping, on: h1, to: h2 }\n"
                          "  - { name: tr, type: traceroute, on: h1, to: h2 }\n"
                          "  - { name: cbr, type: udp-cbr, on: h1, to: 'h2:9', rate: 1Mbps }\n"
                          "expect:\n"
                          "  - { app: probe, loss: '<= 10%' }\n"
                          "  - { app: tr, hops: [r0, '*', h2] }\n"
                          "  - { flow: cbr, delivered: 1000 }\n"
                          "  - { at: 5s, reach: { from: h1, to: h2 } }\n"
                          "  - { unreach: { from: h1, to: 10.9.9.9 } }\n"
                          "  - { at: 2s, route: { node: r0, to: 10.0.2.0/24, via: r1 } }\n"
                          "  - { route: { node: r1, to: default, via: 10.0.1.1 } }\n"
                          "  - { route: { node: h1, to: 10.0.1.0/24, via: direct } }\n"
                          "  - { route: { node: h1, to: 10.7.0.0/16, via: none } }\n"
                          "  - { at: 30s, path: { from: h1, to: h2, is: [r0, r1, h2] } }\n"
                          "  - { never: { drop: ttl-expired, node: r1 } }\n"
                          "  - { never: { drop: no-route } }\n"
                          "  - { drops: { reason: queue-full, node: s1 }, count: '> 1000' }\n"
                          "  - { flow: cbr, delivered: '!= 50.5%' }\n");
  ck_assert_uint_eq(sc->expects->len, 14);
  assert_app_checks(sc);
  assert_reach_checks(sc);
  assert_route_checks(sc);
  assert_path_and_drop_checks(sc);
  scenario_free(sc);
}
END_TEST

/* goodput (bit/s), finished (ns), reached (a TcpState), and delivered for
 * every app with a flow. */
START_TEST(test_expect_new_checks)
{
  Scenario *sc = load_net("apps:\n"
                          "  - { name: sink, type: bulk-sink, on: h2 }\n"
                          "  - { name: b, type: bulk, on: h1, to: h2, bytes: 1MB }\n"
                          "  - { name: web, type: http, on: h1, to: h2, sizes: [1kB] }\n"
                          "  - { name: probe, type: ping, on: h1, to: h2, count: 3 }\n"
                          "  - { name: oo, type: onoff, on: h1, to: 'h2:9', rate: 1Mbps }\n"
                          "  - { name: echo, type: udp-echo, on: h1, to: h2, count: 3 }\n"
                          "expect:\n"
                          "  - { app: b, goodput: '>= 9.5Mbps' }\n"
                          "  - { app: sink, goodput: '> 0bps' }\n"
                          "  - { app: web, finished: '<= 1.5s' }\n"
                          "  - { app: echo, finished: '< 3s' }\n"
                          "  - { app: web, reached: time-wait }\n"
                          "  - { app: sink, reached: SYN_RECEIVED }\n"
                          "  - { app: b, reached: Fin-Wait-2 }\n"
                          "  - { flow: oo, delivered: '>= 90%' }\n"
                          "  - { flow: echo, delivered: 10 }\n"
                          "  - { flow: b, delivered: '> 99%' }\n");
  ck_assert_uint_eq(sc->expects->len, 10);
  const ScenarioExpect *e = expect_at(sc, 0);
  ck_assert_int_eq(e->kind, EXPECT_APP_GOODPUT);
  ck_assert_int_eq(e->app, 1);
  ck_assert(e->bound.op == CMP_GE && e->bound.value == 9500000 && !e->bound.percent);
  ck_assert_str_eq(e->text, "goodput of b >= 9.5Mbps");
  e = expect_at(sc, 1);
  ck_assert(e->bound.op == CMP_GT && e->bound.value == 0);
  e = expect_at(sc, 2);
  ck_assert_int_eq(e->kind, EXPECT_APP_FINISHED);
  ck_assert(e->bound.op == CMP_LE && e->bound.value == 1.5e9);
  ck_assert_str_eq(e->text, "web finished <= 1.5s");
  ck_assert(expect_at(sc, 3)->bound.op == CMP_LT && expect_at(sc, 3)->bound.value == 3e9);
  e = expect_at(sc, 4);
  ck_assert_int_eq(e->kind, EXPECT_APP_REACHED);
  ck_assert_int_eq(e->tcp_state, TCP_TIME_WAIT);
  ck_assert_str_eq(e->text, "web reached TIME_WAIT");
  ck_assert_int_eq(expect_at(sc, 5)->tcp_state, TCP_SYN_RECEIVED);
  ck_assert_int_eq(expect_at(sc, 6)->tcp_state, TCP_FIN_WAIT_2);
  for (guint i = 7; i < 10; i++)
    ck_assert_int_eq(expect_at(sc, i)->kind, EXPECT_FLOW_DELIVERED);
  ck_assert_int_eq(expect_at(sc, 9)->app, 1);
  scenario_free(sc);
}
END_TEST

/* Route checks with protocol, metric and a multipath set; converged and
 * outage with their times and their words. */
START_TEST(test_expect_routing_checks)
{
  Scenario *sc = load_net("expect:\n"
                          "  - { at: 2s, route: { node: r0, to: 10.0.2.0/24, via: [r1, 10.0.1.7], protocol: ospf, "
                          "metric: 20 } }\n"
                          "  - { route: { node: r0, to: 10.0.2.0/24, via: r1, protocol: static } }\n"
                          "  - { converged: { by: 20s } }\n"
                          "  - { outage: { from: h1, to: h2, after: 10s, max: 1500ms } }\n");
  ck_assert_uint_eq(sc->expects->len, 4);
  const ScenarioExpect *e = expect_at(sc, 0);
  ck_assert_int_eq(e->kind, EXPECT_ROUTE);
  ck_assert_uint_eq(e->n_via_set, 2);
  ck_assert_int_eq(e->via_set[0].node, scenario_find_node(sc, "r1"));
  ck_assert_uint_eq(e->via_set[1].addr, ip("10.0.1.7"));
  ck_assert_int_eq(e->protocol, ROUTE_OSPF);
  ck_assert_int_eq(e->metric, 20);
  ck_assert_str_eq(e->text, "route r0 10.0.2.0/24 via r1, 10.0.1.7 protocol ospf metric 20");
  e = expect_at(sc, 1);
  ck_assert_uint_eq(e->n_via_set, 0);
  ck_assert_int_eq(e->protocol, ROUTE_STATIC);
  ck_assert_int_eq(e->metric, -1);
  ck_assert_str_eq(e->text, "route r0 10.0.2.0/24 via r1 protocol static");
  e = expect_at(sc, 2);
  ck_assert_int_eq(e->kind, EXPECT_CONVERGED);
  ck_assert_int_eq(e->at, -1);
  ck_assert_int_eq(e->after, SIMTIME_S(20));
  ck_assert_str_eq(e->text, "converged by 20s");
  e = expect_at(sc, 3);
  ck_assert_int_eq(e->kind, EXPECT_OUTAGE);
  ck_assert_int_eq(e->after, SIMTIME_S(10));
  ck_assert_int_eq(e->max, SIMTIME_MS(1500));
  ck_assert_uint_eq(e->dst, ip("10.0.2.10"));
  ck_assert_str_eq(e->text, "outage h1 -> h2 after 10s (max 1.5s)");
  DiagList *diags = diag_list_new(sc->file);
  ck_assert(!scenario_check_stop(sc, SIMTIME_S(15), diags));
  ck_assert_uint_eq(diags->errors, 1);
  ck_assert_str_eq(g_array_index(diags->items, Diag, 0).message,
                   "expect[2] (converged by 20s): by: 20s is after the end of the run (--stop: 15s)");
  diag_list_free(diags);
  scenario_free(sc);
}
END_TEST

/* routes.csv is off without a routing protocol unless asked; snapshots
 * expand to one per node, their kinds in the order written. */
START_TEST(test_output_routes_and_show)
{
  Scenario *sc = load_net("");
  ck_assert(!sc->output.routes);
  ck_assert_ptr_null(sc->output.show);
  scenario_free(sc);
  sc = load_net("output:\n  routes: true\n  show:\n"
                "    - { at: 5s, node: [r0, r1], what: [arp, routes] }\n"
                "    - { at: 6s, node: s1, what: mac }\n");
  ck_assert(sc->output.routes);
  ck_assert_uint_eq(sc->output.show->len, 3);
  const ScenarioShow *s = &g_array_index(sc->output.show, ScenarioShow, 1);
  ck_assert_int_eq(s->node, scenario_find_node(sc, "r1"));
  ck_assert_int_eq(s->at, SIMTIME_S(5));
  ck_assert_uint_eq(s->n_what, 2);
  ck_assert_int_eq(s->what[0], SHOW_ARP);
  ck_assert_int_eq(s->what[1], SHOW_ROUTES);
  s = &g_array_index(sc->output.show, ScenarioShow, 2);
  ck_assert_int_eq(s->node, scenario_find_node(sc, "s1"));
  ck_assert_uint_eq(s->n_what, 1);
  ck_assert_int_eq(s->what[0], SHOW_MAC);
  scenario_free(sc);
}
END_TEST

/* ---- routing protocols, TTLs ---------------------------------------------- */

/* Three routers on a line, r1 with an unaddressed interface. */
#define ROUTING_NET                                                                                                    \
  "nodes:\n"                                                                                                           \
  "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"                                                        \
  "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 }, interfaces: [spare], @1 }\n"                   \
  "  r2: { kind: router, ip: { eth0: 10.0.12.2/30, eth1: 10.0.23.1/30 }, @2 }\n"                                       \
  "  r3: { kind: router, ip: { eth0: 10.0.23.2/30 }, @3 }\n"                                                           \
  "links:\n  - [h1, r1]\n  - [r1:eth1, r2]\n  - [r2, r3]\n"

/* ROUTING_NET with `top` before it and @1..@3 replaced by each router's extra keys. */
static Scenario *load_routing(const char *top, const char *r1, const char *r2, const char *r3)
{
  GString *yaml = g_string_new(top);
  g_string_append(yaml, ROUTING_NET);
  const char *extra[] = {r1, r2, r3};
  for (guint i = 0; i < 3; i++) {
    char tag[3] = {'@', (char)('1' + i), 0};
    char *at = strstr(yaml->str, tag);
    gssize pos = at - yaml->str;
    g_string_erase(yaml, pos, 2);
    g_string_insert(yaml, pos, extra[i]);
  }
  Scenario *sc = load_ok(yaml->str);
  g_string_free(yaml, TRUE);
  return sc;
}

static const ScenarioNode *node_named(const Scenario *sc, const char *name)
{
  int n = scenario_find_node(sc, name);
  ck_assert_int_ge(n, 0);
  return scenario_node(sc, n);
}

/* Model defaults, then the scenario's `rip`, then the router's, then the interface's. */
START_TEST(test_rip_settings)
{
  Scenario *sc =
      load_routing("routing: rip\n"
                   "rip: { update: 10s, timeout: 60s, split-horizon: none, passive: true,\n"
                   "       redistribute: [static] }\n",
                   "rip: { garbage: 20s, trigger-min: 2s, trigger-max: 3s, split-horizon: simple,\n"
                   "       default-originate: true, redistribute: [connected, static], passive: false,\n"
                   "       interfaces: { eth0: { passive: true }, eth1: { metric-offset: 2, enabled: false } } }",
                   "description: plain", "description: plain");
  const ScenarioNode *h1 = node_named(sc, "h1"), *r1 = node_named(sc, "r1"), *r2 = node_named(sc, "r2");
  ck_assert_int_eq(h1->routing, SCENARIO_ROUTING_STATIC); /* hosts keep their gateway */
  ck_assert_ptr_null(h1->rip.ifaces);
  ck_assert_int_eq(r1->routing, SCENARIO_ROUTING_RIP);
  ck_assert_int_eq(r1->rip.update, SIMTIME_S(10));
  ck_assert_int_eq(r1->rip.timeout, SIMTIME_S(60));
  ck_assert_int_eq(r1->rip.garbage, SIMTIME_S(20));
  ck_assert_int_eq(r1->rip.trigger_min, SIMTIME_S(2));
  ck_assert_int_eq(r1->rip.trigger_max, SIMTIME_S(3));
  ck_assert_int_eq(r1->rip.split, RIP_SPLIT_SIMPLE);
  ck_assert(r1->rip.redist_connected && r1->rip.redist_static && r1->rip.default_originate);
  ck_assert_uint_eq(r1->rip.ifaces->len, 3); /* eth0, eth1, spare: by interface index */
  const RipIfaceConfig *i0 = &g_array_index(r1->rip.ifaces, RipIfaceConfig, 0);
  const RipIfaceConfig *i1 = &g_array_index(r1->rip.ifaces, RipIfaceConfig, 1);
  const RipIfaceConfig *i2 = &g_array_index(r1->rip.ifaces, RipIfaceConfig, 2);
  ck_assert(i0->enabled && i0->passive && i0->metric_offset == 0);
  ck_assert(!i1->enabled && !i1->passive && i1->metric_offset == 2);
  ck_assert(!i2->enabled && !i2->passive); /* no address: no RIP */
  /* r2 has the scenario's settings over the model's defaults */
  ck_assert_int_eq(r2->rip.update, SIMTIME_S(10));
  ck_assert_int_eq(r2->rip.garbage, SIMTIME_S(120));
  ck_assert_int_eq(r2->rip.trigger_min, SIMTIME_S(1));
  ck_assert_int_eq(r2->rip.trigger_max, SIMTIME_S(5));
  ck_assert_int_eq(r2->rip.split, RIP_SPLIT_NONE);
  ck_assert(!r2->rip.redist_connected && r2->rip.redist_static && !r2->rip.default_originate);
  ck_assert_uint_eq(r2->rip.ifaces->len, 2);
  ck_assert(g_array_index(r2->rip.ifaces, RipIfaceConfig, 1).enabled);
  ck_assert(g_array_index(r2->rip.ifaces, RipIfaceConfig, 1).passive);
  scenario_free(sc);
  sc = load_routing("", "routing: rip", "routing: rip", "description: static");
  r1 = node_named(sc, "r1");
  ck_assert_int_eq(r1->rip.update, SIMTIME_S(30)); /* the model's defaults */
  ck_assert_int_eq(r1->rip.timeout, SIMTIME_S(180));
  ck_assert_int_eq(r1->rip.split, RIP_SPLIT_POISON_REVERSE);
  ck_assert(g_array_index(r1->rip.ifaces, RipIfaceConfig, 0).enabled);
  ck_assert(!g_array_index(r1->rip.ifaces, RipIfaceConfig, 0).passive);
  ck_assert_int_eq(node_named(sc, "r3")->routing, SCENARIO_ROUTING_STATIC);
  ck_assert_ptr_null(node_named(sc, "r3")->rip.ifaces);
  scenario_free(sc);
}
END_TEST

static const OspfIfaceConfig *ospf_iface(const ScenarioNode *node, guint i)
{
  ck_assert_uint_lt(i, node->ospf.ifaces->len);
  return &g_array_index(node->ospf.ifaces, OspfIfaceConfig, i);
}

/* `hello` alone makes `dead` 4 x hello at its level; areas as numbers or dotted quads. */
START_TEST(test_ospf_settings)
{
  Scenario *sc =
      load_routing("routing: ospf\n"
                   "ospf: { hello: 5s, area: 0.0.0.0, reference-bandwidth: 1Gbps, spf-delay: 10ms,\n"
                   "        spf-hold: 100ms, spf-max-hold: 2s, priority: 7, retransmit: 3s }\n",
                   "ospf: { router-id: 1.1.1.1, dead: 30s, transmit-delay: 2s, redistribute: [connected],\n"
                   "        default-originate: true, passive: true,\n"
                   "        interfaces: { eth1: { area: 1, cost: 10, priority: 0, passive: false, hello: 2s,\n"
                   "                              type: point-to-point } } }",
                   "ospf: { interfaces: { eth0: { area: 0.0.0.1, dead: 12s, retransmit: 1s, type: broadcast,\n"
                   "                              enabled: false } } }",
                   "routing: static");
  const ScenarioNode *r1 = node_named(sc, "r1"), *r2 = node_named(sc, "r2");
  ck_assert_uint_eq(r1->ospf.router_id, ip("1.1.1.1"));
  ck_assert_uint_eq(r2->ospf.router_id, 0); /* the model takes its highest address */
  ck_assert_uint_eq(r1->ospf.reference_bps, 1000000000);
  ck_assert_int_eq(r1->ospf.spf_delay, SIMTIME_MS(10));
  ck_assert_int_eq(r1->ospf.spf_hold, SIMTIME_MS(100));
  ck_assert_int_eq(r1->ospf.spf_max_hold, SIMTIME_S(2));
  ck_assert(r1->ospf.redist_connected && !r1->ospf.redist_static && r1->ospf.default_originate);
  ck_assert(!r2->ospf.redist_connected && !r2->ospf.default_originate);
  const OspfIfaceConfig *c = ospf_iface(r1, 0);
  ck_assert(c->enabled && c->passive && c->area == 0 && c->cost == 0 && c->priority == 7);
  ck_assert_int_eq(c->hello, SIMTIME_S(5));
  ck_assert_int_eq(c->dead, SIMTIME_S(30));
  ck_assert_int_eq(c->retransmit, SIMTIME_S(3));
  ck_assert_int_eq(c->transmit_delay, SIMTIME_S(2));
  ck_assert_int_eq(c->type, OSPF_IF_AUTO);
  c = ospf_iface(r1, 1);
  ck_assert(c->enabled && !c->passive && c->area == 1 && c->cost == 10 && c->priority == 0);
  ck_assert_int_eq(c->hello, SIMTIME_S(2));
  ck_assert_int_eq(c->dead, SIMTIME_S(8)); /* 4 x the interface's hello */
  ck_assert_int_eq(c->type, OSPF_IF_P2P);
  ck_assert(!ospf_iface(r1, 2)->enabled); /* no address */
  c = ospf_iface(r2, 0);
  ck_assert(!c->enabled && c->area == 1 && c->priority == 7);
  ck_assert_int_eq(c->hello, SIMTIME_S(5));
  ck_assert_int_eq(c->dead, SIMTIME_S(12));
  ck_assert_int_eq(c->retransmit, SIMTIME_S(1));
  ck_assert_int_eq(c->type, OSPF_IF_BROADCAST);
  c = ospf_iface(r2, 1);
  ck_assert_int_eq(c->dead, SIMTIME_S(20)); /* 4 x the scenario's hello */
  ck_assert_int_eq(c->transmit_delay, SIMTIME_S(1));
  ck_assert_ptr_null(node_named(sc, "r3")->ospf.ifaces);
  scenario_free(sc);
}
END_TEST

/* Node ttl (default 64) becomes the IP layer's default; apps' ttl 0 means the node's. */
START_TEST(test_ttl)
{
  Scenario *sc = load_ok("nodes:\n"
                         "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                         "  h2: { kind: host, ip: 10.0.0.2/24, ttl: 200 }\n"
                         "links:\n  - [h1, h2]\n"
                         "apps:\n"
                         "  - { type: ping, on: h1, to: h2 }\n"
                         "  - { type: udp-echo, on: h1, to: h2, ttl: 9 }\n"
                         "  - { type: onoff, on: h1, to: 'h2:9', rate: 1Mbps, ttl: 255 }\n"
                         "  - { type: traceroute, on: h1, to: h2, ttl: 12 }\n"
                         "  - { type: traceroute, on: h1, to: h2, max-hops: 13 }\n");
  ck_assert_uint_eq(node_named(sc, "h1")->ttl, 64);
  ck_assert_uint_eq(node_named(sc, "h2")->ttl, 200);
  ck_assert_uint_eq(scenario_app(sc, 0)->ttl, 0);
  ck_assert_uint_eq(scenario_app(sc, 1)->ttl, 9);
  ck_assert_uint_eq(scenario_app(sc, 2)->ttl, 255);
  ck_assert_uint_eq(scenario_app(sc, 3)->ttl, 12);
  ck_assert_uint_eq(scenario_app(sc, 4)->ttl, 13);
  Network *net = build_network(sc);
  ck_assert_uint_eq(testlib_node(net, "h1")->ip->default_ttl, 64);
  ck_assert_uint_eq(testlib_node(net, "h2")->ip->default_ttl, 200);
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* What a user sees: h2's echo replies leave with its default TTL, h1's requests with the app's. */
START_TEST(test_ttl_on_the_wire)
{
  TestRun r = testlib_run_scenario("stop: 3s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.0.1/24, ttl: 3 }\n"
                                   "  h2: { kind: host, ip: 10.0.0.2/24, ttl: 200 }\n"
                                   "links:\n  - [h1, h2]\n"
                                   "apps:\n"
                                   "  - { type: ping, on: h1, to: h2, count: 1 }\n"
                                   "  - { type: traceroute, on: h1, to: h2, ttl: 2 }\n",
                                   NULL);
  ck_assert_msg(strstr(r.text, "icmp_seq=1 ttl=200"), "%s", r.text);
  ck_assert_msg(strstr(r.text, "2 hops max"), "%s", r.text);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_routing_events)
{
  Scenario *sc = load_routing("routing: ospf\nstop: 100s\n"
                              "events:\n"
                              "  - { at: 10s, node: r2, set: down }\n"
                              "  - { at: 20s, node: r2, set: up }\n"
                              "  - { at: 30s, iface: 'r1:eth1', ospf-cost: 50 }\n"
                              "  - { at: 40s, iface: 'r1:eth1', ospf: off }\n"
                              "  - { at: 50s, iface: 'r3:eth0', rip: on }\n",
                              "description: a", "description: b", "routing: rip");
  ck_assert_uint_eq(sc->events->len, 5);
  const ScenarioEvent *e = &g_array_index(sc->events, ScenarioEvent, 0);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_NODE_DOWN);
  ck_assert_int_eq(e->node, scenario_find_node(sc, "r2"));
  ck_assert_int_eq(e->at, SIMTIME_S(10));
  e = &g_array_index(sc->events, ScenarioEvent, 1);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_NODE_UP);
  e = &g_array_index(sc->events, ScenarioEvent, 2);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_IFACE_COST);
  ck_assert_int_eq(e->node, scenario_find_node(sc, "r1"));
  ck_assert_int_eq(e->iface, 1);
  ck_assert_uint_eq(e->cost, 50);
  e = &g_array_index(sc->events, ScenarioEvent, 3);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_IFACE_ROUTING);
  ck_assert_int_eq(e->protocol, SCENARIO_ROUTING_OSPF);
  ck_assert(!e->on);
  e = &g_array_index(sc->events, ScenarioEvent, 4);
  ck_assert_int_eq(e->kind, SCENARIO_EVENT_IFACE_ROUTING);
  ck_assert_int_eq(e->protocol, SCENARIO_ROUTING_RIP);
  ck_assert_int_eq(e->node, scenario_find_node(sc, "r3"));
  ck_assert_int_eq(e->iface, 0);
  ck_assert(e->on);
  scenario_free(sc);
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
  TCase *sections = tcase_create("sections");
  tcase_add_test(sections, test_app_defaults);
  tcase_add_test(sections, test_cbr_interval_from_rate);
  tcase_add_test(sections, test_app_new_kinds);
  tcase_add_test(sections, test_tcp_settings);
  tcase_add_test(sections, test_events_sorted);
  tcase_add_test(sections, test_routing_and_aging);
  tcase_add_test(sections, test_routes);
  tcase_add_test(sections, test_output);
  tcase_add_test(sections, test_realtime);
  tcase_add_test(sections, test_expect_checks);
  tcase_add_test(sections, test_expect_new_checks);
  tcase_add_test(sections, test_expect_routing_checks);
  tcase_add_test(sections, test_output_routes_and_show);
  suite_add_tcase(s, sections);
  TCase *routing = tcase_create("routing");
  tcase_add_test(routing, test_rip_settings);
  tcase_add_test(routing, test_ospf_settings);
  tcase_add_test(routing, test_ttl);
  tcase_add_test(routing, test_ttl_on_the_wire);
  tcase_add_test(routing, test_routing_events);
  suite_add_tcase(s, routing);
  return s;
}

int main(void)
{
  return testlib_run_suite(scenario_suite());
}
