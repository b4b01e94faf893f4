/*
 * The examples as lessons that check themselves, and the timings they
 * teach. Every file in topologies/ runs with `ipsim run --out DIR` and must
 * exit 0 (its `expect:` holds); two runs give byte-identical outputs
 * (trace, pcaps, JSON); tshark reads every pcap and finds no malformed
 * packet and no bad checksum (IPv4, ICMP, UDP, TCP), and its TCP analysis
 * flags retransmissions exactly where ipsim retransmitted (the rule is
 * written above examples_check_retransmissions()). Then timings from
 * first principles: on
 * chain.yaml a ping's round trip is exactly twice the sum of serialization
 * and propagation delays along the path, and queueing delay appears exactly
 * when two flows share a link.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Runs tshark with `argv`; fails unless it exits 0; returns its output (g_free). */
static char *examples_spawn_tshark(const char *const *argv, const char *pcap)
{
  char *out = NULL, *err = NULL;
  int status = -1;
  GError *error = NULL;
  ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error),
                "cannot run tshark (install it: apt-get install tshark): %s", error ? error->message : "?");
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed on %s:\n%s", pcap, err);
  g_free(err);
  return out;
}

/* Runs tshark over `pcap` with checksum validation on; fails on any
 * malformed packet, bad checksum or expert error. OSPF's checksum has no
 * status field in tshark: its verdict is read from the detailed view
 * ("[correct]" or "[incorrect, should be ...]"). */
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
                        "-o",
                        "tcp.check_checksum:TRUE",
                        "-Y",
                        "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == \"Bad\" || "
                        "udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\" || "
                        "tcp.checksum.status == \"Bad\"",
                        NULL};
  char *out = examples_spawn_tshark(argv, pcap);
  ck_assert_msg(out[0] == '\0', "tshark finds problems in %s:\n%s", pcap, out);
  g_free(out);
  const char *ospf[] = {"tshark", "-n", "-r", pcap, "-Y", "ospf", "-V", NULL};
  out = examples_spawn_tshark(ospf, pcap);
  ck_assert_msg(!strstr(out, "incorrect"), "tshark finds a bad OSPF checksum in %s", pcap);
  g_free(out);
  (*frames)++;
}

/* ---- tshark's TCP analysis against ipsim's retransmissions ----------------- */

/* Returns the dotted address of the interface that the pcap file `name`
 * ("<node>-<iface>.pcap") captures, or NULL when it has none (g_free). */
static char *examples_pcap_addr(const Scenario *sc, const char *name)
{
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(sc, (int)n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *ifc = scenario_iface(sc, (int)n, (int)i);
      char *file = g_strdup_printf("%s-%s.pcap", node->name, ifc->name);
      gboolean same = strcmp(file, name) == 0;
      g_free(file);
      if (same && ifc->has_ip) {
        uint32_t a = ifc->ip.addr;
        return g_strdup_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
      }
    }
  }
  return NULL;
}

/* Runs tshark over `pcap` and returns, as keys "A:p > B:q seq S"
 * (relative seq), the TCP segments that its analysis calls a
 * retransmission, fast retransmission, spurious retransmission or
 * out-of-order segment. *segments counts the TCP segments. */
static GHashTable *examples_tshark_resent(const char *pcap, guint *segments)
{
  const char *argv[] = {"tshark", "-n",
                        "-r",     pcap,
                        "-o",     "tcp.relative_sequence_numbers:TRUE",
                        "-o",     "tcp.analyze_sequence_numbers:TRUE",
                        "-Y",     "tcp && !icmp",
                        "-T",     "fields",
                        "-E",     "separator=,",
                        "-e",     "ip.src",
                        "-e",     "tcp.srcport",
                        "-e",     "ip.dst",
                        "-e",     "tcp.dstport",
                        "-e",     "tcp.seq",
                        "-e",     "tcp.analysis.retransmission",
                        "-e",     "tcp.analysis.fast_retransmission",
                        "-e",     "tcp.analysis.spurious_retransmission",
                        "-e",     "tcp.analysis.out_of_order",
                        NULL};
  char *out = NULL, *err = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL));
  ck_assert_msg(g_spawn_check_wait_status(status, NULL), "tshark failed on %s:\n%s", pcap, err);
  GHashTable *resent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char **lines = g_strsplit(out, "\n", -1);
  *segments = 0;
  for (char **l = lines; *l; l++) {
    char **f = g_strsplit(*l, ",", -1);
    if (g_strv_length(f) == 9) {
      (*segments)++;
      if (*f[5] || *f[6] || *f[7] || *f[8])
        g_hash_table_add(resent, g_strdup_printf("%s:%s > %s:%s seq %s", f[0], f[1], f[2], f[3], f[4]));
    }
    g_strfreev(f);
  }
  g_strfreev(lines);
  g_free(out);
  g_free(err);
  return resent;
}

/* Collects ipsim's notes "note tcp A:p > B:q retransmit seq S len L (kind)":
 * every one into `allowed`, those of segments from `addr` (NULL: none)
 * but zero-window probes into `required` (keys as
 * examples_tshark_resent()'s). */
static void examples_retransmit_notes(const char *trace, const char *addr, GHashTable *required, GHashTable *allowed)
{
  for (const char *p = strstr(trace, " note tcp "); p; p = strstr(p + 1, " note tcp ")) {
    char src[16], dst[16], kind[16];
    unsigned sport, dport;
    unsigned long seq, len;
    if (sscanf(p, " note tcp %15[0-9.]:%u > %15[0-9.]:%u retransmit seq %lu len %lu (%15[a-z])", src, &sport, dst,
               &dport, &seq, &len, kind) != 7)
      continue;
    char *key = g_strdup_printf("%s:%u > %s:%u seq %lu", src, sport, dst, dport, seq);
    if (addr && strcmp(src, addr) == 0 && strcmp(kind, "probe") != 0)
      g_hash_table_add(required, g_strdup(key));
    g_hash_table_add(allowed, key);
  }
}

static int examples_strcmp_p(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends to `msg` (at most 10 of) the keys of `a` that `b` lacks, after
 * `what`; returns how many there are. */
static guint examples_missing(GHashTable *a, GHashTable *b, GString *msg, const char *what)
{
  guint n = 0, missing = 0;
  gpointer *keys = g_hash_table_get_keys_as_array(a, &n);
  qsort(keys, n, sizeof *keys, examples_strcmp_p);
  for (guint i = 0; i < n; i++) {
    if (g_hash_table_contains(b, keys[i]) || ++missing > 10)
      continue;
    g_string_append_printf(msg, "  %s: %s\n", what, (char *)keys[i]);
  }
  g_free(keys);
  return missing;
}

/* tshark's TCP analysis must flag retransmissions only where ipsim
 * retransmitted, and, on the sender's own interface, everywhere it did.
 * Segments are keyed by (source, source port, destination, destination
 * port, relative seq); ipsim's side is its trace notes "retransmit seq S
 * len L (kind)". On every pcap:
 *   - every segment tshark flags as a retransmission, fast
 *     retransmission, spurious retransmission or out-of-order has a note
 *     (from any node). ipsim's links are FIFO and its routes single-path,
 *     so a segment that arrives below the highest sequence number seen is
 *     a resend wherever it is captured; tshark calls some of them
 *     out-of-order (a resend within one handshake RTT of the newest data,
 *     such as a NewReno partial-ACK retransmission);
 * and on the pcap of an interface with an address (the sender's side):
 *   - every note of a segment from that address is flagged, except
 *     zero-window probes (kind `probe`): tshark calls a first 1-byte probe
 *     a zero-window probe and a probe without data a keep-alive, neither a
 *     retransmission, but flags repeated 1-byte probes; so probes are
 *     allowed, not required. (Elsewhere on the path a resend of a segment
 *     lost before the capture point may look new, so nothing is required.)
 * Sets, not counts: the same bytes resent twice count once on each side.
 * The comparison needs the transport layer in the trace. */
static void examples_check_retransmissions(const char *file, const char *dir, GPtrArray *pcaps)
{
  Scenario *sc = NULL;
  g_free(testlib_load_messages(file, &sc));
  ck_assert_ptr_nonnull(sc);
  char *trace = NULL;
  char *path = g_build_filename(dir, "trace.txt", NULL);
  if (!g_file_get_contents(path, &trace, NULL, NULL))
    trace = NULL;
  g_free(path);
  for (guint i = 0; i < pcaps->len; i++) {
    const char *name = pcaps->pdata[i];
    char *addr = examples_pcap_addr(sc, name), *pcap = g_build_filename(dir, name, NULL);
    guint segments = 0;
    GHashTable *flagged = examples_tshark_resent(pcap, &segments);
    if (segments > 0) {
      ck_assert_msg(trace && (sc->output.trace & TRACE_TRANSPORT),
                    "%s holds TCP: the example needs the transport layer in its trace (`output: { trace: [transport, "
                    "...] }`) to compare tshark's retransmissions with ipsim's",
                    name);
      GHashTable *required = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      GHashTable *allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      examples_retransmit_notes(trace, addr, required, allowed);
      GString *msg = g_string_new(NULL);
      guint extra = examples_missing(flagged, allowed, msg, "tshark flags a retransmission ipsim did not note");
      guint missed = examples_missing(required, flagged, msg, "ipsim notes a retransmission tshark does not flag");
      ck_assert_msg(extra == 0 && missed == 0,
                    "%s (%u TCP segments): %u flagged without a note, %u notes not flagged:\n%s", name, segments, extra,
                    missed, msg->str);
      g_string_free(msg, TRUE);
      g_hash_table_destroy(required);
      g_hash_table_destroy(allowed);
    }
    g_hash_table_destroy(flagged);
    g_free(pcap);
    g_free(addr);
  }
  g_free(trace);
  scenario_free(sc);
}

/* TRUE for an example with Linux hosts (it runs in real time, as root). */
static gboolean examples_emulated(const char *file)
{
  Scenario *sc = NULL;
  g_free(testlib_load_messages(file, &sc));
  ck_assert_ptr_nonnull(sc);
  gboolean emulated = scenario_has_linux_hosts(sc);
  scenario_free(sc);
  return emulated;
}

/* Root and the tun driver, which an emulated example needs; else says it is skipped. */
static gboolean examples_can_emulate(const char *name)
{
  if (geteuid() == 0 && g_access("/dev/net/tun", R_OK | W_OK) == 0)
    return TRUE;
  printf("%s: skipped: Linux hosts need root and /dev/net/tun\n", name);
  return FALSE;
}

START_TEST(test_example_runs)
{
  const char *topologies = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(topologies, ".yaml");
  const char *name = names->pdata[_i];
  char *file = g_build_filename(topologies, name, NULL);
  char *tmp = g_dir_make_tmp("ipsim-example-XXXXXX", NULL);
  char *a = g_build_filename(tmp, "a", NULL), *b = g_build_filename(tmp, "b", NULL), *err = NULL;
  gboolean emulated = examples_emulated(file);
  if (emulated && !examples_can_emulate(name))
    goto done;
  int status = examples_run(file, a, &err);
  ck_assert_msg(status == 0, "%s: exit %d\n%s", name, status, err);
  g_free(err);
  if (!emulated) { /* real time, real hosts: not byte-identical from run to run (doc/emulation.md) */
    ck_assert_int_eq(examples_run(file, b, &err), 0);
    g_free(err);
    examples_assert_same_dirs(a, b);
  }
  GPtrArray *pcaps = testlib_list_dir(a, ".pcap");
  guint checked = 0;
  for (guint i = 0; i < pcaps->len; i++) {
    char *pcap = g_build_filename(a, pcaps->pdata[i], NULL);
    examples_tshark(pcap, &checked);
    g_free(pcap);
  }
  if (!emulated) /* a Linux host's retransmissions are its kernel's, never in ipsim's trace */
    examples_check_retransmissions(file, a, pcaps);
  g_ptr_array_free(pcaps, TRUE);
done:;
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

/* ---- plain `ipsim run FILE` from any working directory ------------------------ */

/* Whether the scenario's `output:` captures interface `i` of node `n`. */
static gboolean examples_captured(const Scenario *sc, int n, int i)
{
  for (guint t = 0; t < sc->output.pcap->len; t++) {
    const ScenarioPcapTarget *target = &g_array_index(sc->output.pcap, ScenarioPcapTarget, t);
    if (target->node == n && (target->iface < 0 || target->iface == i))
      return TRUE;
  }
  return sc->output.pcap_all;
}

/* The files that a run of `sc` must write to its directory: the results
 * (with expect.json and throughput.csv), the trace and its tags, a pcap per captured interface, tcp.csv, routes.csv and
 * show.txt. */
static GPtrArray *examples_expected_files(const Scenario *sc)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (const char *const *r = (const char *const[]){"summary.json", "counters.json", "flows.json", "flows.csv",
                                                    "throughput.csv", "expect.json", NULL};
       *r; r++)
    g_ptr_array_add(names, g_strdup(*r));
  if (sc->output.trace) {
    g_ptr_array_add(names, g_strdup("trace.txt"));
    g_ptr_array_add(names, g_strdup("trace.tags"));
  }
  if (sc->output.tcp_series)
    g_ptr_array_add(names, g_strdup("tcp.csv"));
  if (sc->output.queues)
    g_ptr_array_add(names, g_strdup("queues.csv"));
  if (sc->output.routes)
    g_ptr_array_add(names, g_strdup("routes.csv"));
  if (sc->output.show && sc->output.show->len)
    g_ptr_array_add(names, g_strdup("show.txt"));
  gboolean commands = FALSE;
  for (guint n = 0; n < sc->nodes->len; n++)
    commands |= scenario_node(sc, (int)n)->exec->len > 0;
  if (commands) { /* Linux hosts' commands: their outputs (a directory) and how they ended */
    g_ptr_array_add(names, g_strdup("exec"));
    g_ptr_array_add(names, g_strdup("exec.csv"));
  }
  for (guint n = 0; n < sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(sc, (int)n)->ifaces->len; i++)
      if (examples_captured(sc, (int)n, (int)i))
        g_ptr_array_add(names, g_strdup_printf("%s-%s.pcap", scenario_node(sc, (int)n)->name,
                                               scenario_iface(sc, (int)n, (int)i)->name));
  return names;
}

/* `ipsim run FILE`, no flags, in a fresh working directory: exit 0; a
 * scenario that asks for files (pcap, tcp-series, routes, show) and names no directory
 * gets them in ./<FILE without .yaml>.out, one that asks for none writes
 * nothing. */
START_TEST(test_example_runs_without_flags)
{
  const char *topologies = testlib_env("TOPOLOGIES");
  GPtrArray *names = testlib_list_dir(topologies, ".yaml");
  const char *name = names->pdata[_i];
  char *file = g_build_filename(topologies, name, NULL), *out = NULL, *err = NULL;
  Scenario *sc = NULL;
  g_free(testlib_load_messages(file, &sc));
  ck_assert_ptr_nonnull(sc);
  if (scenario_has_linux_hosts(sc) && !examples_can_emulate(name)) {
    scenario_free(sc);
    g_free(file);
    g_ptr_array_free(names, TRUE);
    return;
  }
  char *tmp = g_dir_make_tmp("ipsim-plain-XXXXXX", NULL);
  ck_assert_int_eq(g_chdir(tmp), 0);
  int status = testlib_run_ipsim((const char *[]){"run", file, NULL}, &out, &err);
  ck_assert_msg(status == 0, "%s: exit %d\n%s", name, status, err);
  gboolean files = sc->output.pcap_all || sc->output.pcap->len > 0 || sc->output.tcp_series || sc->output.queues ||
                   sc->output.routes || (sc->output.show && sc->output.show->len);
  char *base = g_strndup(name, strlen(name) - strlen(".yaml")), *dir = g_strconcat(base, ".out", NULL);
  g_free(base);
  GPtrArray *made = testlib_list_dir(".", "");
  ck_assert_uint_eq(made->len, files ? 1 : 0);
  if (files) {
    ck_assert_str_eq(made->pdata[0], dir);
    char *line = g_strdup_printf("\noutput     %s/\n", dir);
    ck_assert_msg(strstr(out, line), "%s: the summary does not name %s:\n%s", name, dir, out);
    g_free(line);
    GPtrArray *want = examples_expected_files(sc);
    GPtrArray *have = testlib_list_dir(dir, "");
    ck_assert_uint_eq(have->len, want->len);
    for (guint i = 0; i < want->len; i++) {
      char *path = g_build_filename(dir, want->pdata[i], NULL);
      ck_assert_msg(g_file_test(path, G_FILE_TEST_EXISTS), "%s: no %s", name, path);
      g_free(path);
    }
    g_ptr_array_free(want, TRUE);
    g_ptr_array_free(have, TRUE);
  }
  g_ptr_array_free(made, TRUE);
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  ck_assert_int_eq(system(cmd), 0);
  g_free(cmd), g_free(dir), g_free(tmp), g_free(out), g_free(err), g_free(file);
  scenario_free(sc);
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
  TCase *plain = tcase_create("plain");
  tcase_add_loop_test(plain, test_example_runs_without_flags, 0, examples_count());
  suite_add_tcase(s, plain);
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
