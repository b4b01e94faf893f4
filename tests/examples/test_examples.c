/*
 * The examples as lessons that check themselves, and the timings they
 * teach. Every file in topologies/ runs with `ipsim run --out DIR` and must
 * exit 0 (its `expect:` holds); two runs give byte-identical outputs
 * (trace, pcaps, JSON); tshark reads every pcap and finds no malformed
 * packet and no bad checksum. Then timings from first principles: on
 * chain.yaml a ping's round trip is exactly twice the sum of serialization
 * and propagation delays along the path, and queueing delay appears exactly
 * when two flows share a link.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testlib.h"

/* Runs `ipsim run --quiet --out DIR FILE`; returns the exit status. */
static int examples_run(const char *file, const char *dir, char **err)
{
  char *out = NULL;
  int status = testlib_run_ipsim((const char *[]){"run", "--quiet", "--out", dir, file, NULL}, &out, err);
  g_free(out);
  return status;
}

static char *examples_read(const char *dir, const char *name, gsize *len)
{
  char *path = g_build_filename(dir, name, NULL), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, len, NULL), "cannot read %s", path);
  g_free(path);
  return text;
}

/* Asserts that every file of `a` exists in `b` with the same bytes. */
static void examples_assert_same_dirs(const char *a, const char *b)
{
  GPtrArray *names = testlib_list_dir(a, "");
  ck_assert_uint_ge(names->len, 3);
  for (guint i = 0; i < names->len; i++) {
    gsize la, lb;
    char *x = examples_read(a, names->pdata[i], &la), *y = examples_read(b, names->pdata[i], &lb);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s differs between two runs", (char *)names->pdata[i]);
    g_free(x);
    g_free(y);
  }
  g_ptr_array_free(names, TRUE);
}

/* Runs tshark over `pcap` with checksum validation on; fails on any
 * malformed packet, bad checksum or expert error. */
static void examples_tshark(const char *pcap, guint *frames)
{
  const char *argv[] = {"tshark",
                        "-n",
                        "-r",
                        pcap,
                        "-o",
                        "ip.check_checksum:TRUE",
                        "-o",
                        "udp.check_checksum:TRUE",
                        "-Y",
                        "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == \"Bad\" || "
                        "udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\"",
                        NULL};
  char *out = NULL, *err = NULL;
  int status = -1;
  GError *error = NULL;
  ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error),
                "cannot run tshark (install it: apt-get install tshark): %s", error ? error->message : "?");
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed on %s:\n%s", pcap, err);
  ck_assert_msg(out[0] == '\0', "tshark finds problems in %s:\n%s", pcap, out);
  g_free(out);
  g_free(err);
  (*frames)++;
}

START_TEST(test_example_runs)
{
  const char *topologies = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(topologies, ".yaml");
  const char *name = names->pdata[_i];
  char *file = g_build_filename(topologies, name, NULL);
  char *tmp = g_dir_make_tmp("ipsim-example-XXXXXX", NULL);
  char *a = g_build_filename(tmp, "a", NULL), *b = g_build_filename(tmp, "b", NULL), *err = NULL;
  int status = examples_run(file, a, &err);
  ck_assert_msg(status == 0, "%s: exit %d\n%s", name, status, err);
  g_free(err);
  ck_assert_int_eq(examples_run(file, b, &err), 0);
  g_free(err);
  examples_assert_same_dirs(a, b);
  GPtrArray *pcaps = testlib_list_dir(a, ".pcap");
  guint checked = 0;
  for (guint i = 0; i < pcaps->len; i++) {
    char *pcap = g_build_filename(a, pcaps->pdata[i], NULL);
    examples_tshark(pcap, &checked);
    g_free(pcap);
  }
  g_ptr_array_free(pcaps, TRUE);
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd);
  g_free(a);
  g_free(b);
  g_free(tmp);
  g_free(file);
  g_ptr_array_free(names, TRUE);
}
END_TEST

/* Parses the time (nine decimals) at the start of a trace line into ns. */
static int64_t examples_line_time(const char *line)
{
  char *dot = NULL;
  int64_t s = g_ascii_strtoll(line, &dot, 10);
  ck_assert_msg(dot && *dot == '.', "no time in '%s'", line);
  return s * 1000000000 + g_ascii_strtoll(dot + 1, NULL, 10);
}

/* Returns the time of the first trace line containing every one of `parts`. */
static int64_t examples_find(const char *trace, const char *const *parts)
{
  char **lines = g_strsplit(trace, "\n", -1);
  int64_t t = -1;
  for (char **l = lines; *l && t < 0; l++) {
    gboolean all = TRUE;
    for (const char *const *p = parts; *p && all; p++)
      all = strstr(*l, *p) != NULL;
    if (all && **l)
      t = examples_line_time(*l);
  }
  g_strfreev(lines);
  ck_assert_msg(t >= 0, "no trace line with '%s' ... '%s'", parts[0], parts[1]);
  return t;
}

/* Serialization time of `bytes` at `bps`, rounded up to the nanosecond. */
static int64_t examples_tx_ns(uint64_t bytes, uint64_t bps)
{
  return (int64_t)((bytes * 8 * UINT64_C(1000000000) + bps - 1) / bps);
}

/* Runs a scenario file from `yaml` and returns its trace (g_free). */
static char *examples_trace_of(const char *yaml)
{
  char *tmp = g_dir_make_tmp("ipsim-timing-XXXXXX", NULL);
  char *file = g_build_filename(tmp, "t.yaml", NULL), *out = g_build_filename(tmp, "out", NULL), *err = NULL;
  ck_assert(g_file_set_contents(file, yaml, -1, NULL));
  int status = examples_run(file, out, &err);
  ck_assert_msg(status == 0, "exit %d\n%s", status, err);
  g_free(err);
  char *trace = examples_read(out, "trace.txt", NULL);
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd);
  g_free(out);
  g_free(file);
  g_free(tmp);
  return trace;
}

/* chain.yaml: the second ping (ARP already resolved) takes exactly
 * 2 x sum over the four links of (serialization + propagation). The sum is
 * computed here from the links of the loaded file. */
START_TEST(test_chain_rtt_from_first_principles)
{
  char *path = testlib_path("TOPOLOGIES", "chain.yaml");
  Scenario *sc = NULL;
  g_free(testlib_load_messages(path, &sc));
  ck_assert_ptr_nonnull(sc);
  const uint64_t frame = 14 + 20 + 8 + 56; /* Ethernet, IPv4, ICMP, default ping data */
  int64_t one_way = 0;
  for (guint i = 0; i < sc->links->len; i++)
    one_way += examples_tx_ns(frame, scenario_link(sc, i)->params.rate_bps) + scenario_link(sc, i)->params.delay;
  scenario_free(sc);
  char *yaml = NULL;
  ck_assert(g_file_get_contents(path, &yaml, NULL, NULL));
  char *trace = examples_trace_of(yaml);
  int64_t sent = examples_find(trace, (const char *[]){" h1 eth0 tx ", "echo request", "seq 2", NULL});
  int64_t back = examples_find(trace, (const char *[]){" h1 eth0 rx ", "echo reply", "seq 2", NULL});
  ck_assert_int_eq(back - sent, 2 * one_way);
  ck_assert_int_eq(2 * one_way, 8744960); /* the figure the README quotes */
  g_free(trace);
  g_free(yaml);
  g_free(path);
}
END_TEST

/* Two hosts ping h3 at the same instant through r1; their requests meet in
 * r1's queue toward h3. The first waits for nothing; the second waits
 * exactly one serialization of the first on the 10 Mbps link. Alone, each
 * would take the same time as the first. */
static const char queue_yaml[] =
    "stop: 5s\n"
    "nodes:\n"
    "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
    "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
    "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24, eth2: 10.0.3.1/24 } }\n"
    "  h3: { kind: host, ip: 10.0.3.10/24, gateway: 10.0.3.1 }\n"
    "links:\n"
    "  - { ends: [h1, r1:eth0], rate: 100Mbps, delay: 1ms }\n"
    "  - { ends: [h2, r1:eth1], rate: 100Mbps, delay: 1ms }\n"
    "  - { ends: [r1:eth2, h3], rate: 10Mbps, delay: 1ms }\n"
    "apps:\n"
    "  - { name: p1, type: ping, on: h1, to: h3, start: 1s, count: 3 }\n"
    "  - { name: p2, type: ping, on: h2, to: h3, start: 1s, count: 3 }\n"
    "output: { trace: true }\n";

START_TEST(test_queueing_delay_when_flows_share_a_link)
{
  char *trace = examples_trace_of(queue_yaml);
  const uint64_t frame = 98;
  int64_t base = 2 * (examples_tx_ns(frame, 100000000) + 1000000 + examples_tx_ns(frame, 10000000) + 1000000);
  /* The third pings: ARP long resolved, both sent at 3 s. h1's request is
   * forwarded first (it was scheduled first), h2's waits behind it. */
  int64_t t1 = examples_find(trace, (const char *[]){" h1 eth0 tx ", "echo request", "seq 3", NULL});
  int64_t r1 = examples_find(trace, (const char *[]){" h1 eth0 rx ", "echo reply", "seq 3", NULL});
  int64_t t2 = examples_find(trace, (const char *[]){" h2 eth0 tx ", "echo request", "seq 3", NULL});
  int64_t r2 = examples_find(trace, (const char *[]){" h2 eth0 rx ", "echo reply", "seq 3", NULL});
  int64_t wait = examples_tx_ns(frame, 10000000);
  ck_assert_int_eq(r1 - t1, base);
  ck_assert_int_eq(r2 - t2, base + wait);
  g_free(trace);
}
END_TEST

/* The number of examples, counted before any test runs (so without the
 * Check assertions of testlib, which need a running test). */
static int examples_count(void)
{
  const char *dir = g_getenv("TOPOLOGIES");
  GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
  int n = 0;
  for (const char *name; d && (name = g_dir_read_name(d));)
    n += g_str_has_suffix(name, ".yaml");
  if (d)
    g_dir_close(d);
  if (n == 0)
    fprintf(stderr, "test_examples: no examples found; TOPOLOGIES must name topologies/ (run through 'make check')\n");
  return MAX(n, 1);
}

static Suite *examples_suite(void)
{
  Suite *s = suite_create("examples");
  TCase *runs = tcase_create("runs");
  tcase_add_loop_test(runs, test_example_runs, 0, examples_count());
  tcase_set_timeout(runs, 300);
  suite_add_tcase(s, runs);
  TCase *timing = tcase_create("timing");
  tcase_add_test(timing, test_chain_rtt_from_first_principles);
  tcase_add_test(timing, test_queueing_delay_when_flows_share_a_link);
  suite_add_tcase(s, timing);
  return s;
}

int main(void)
{
  return testlib_run_suite(examples_suite());
}
