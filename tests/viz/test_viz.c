/*
 * Tests of viz/topology: the DOT text parses back with cgraph and holds the
 * network's nodes, edges, shapes and labels; names with spaces, quotes,
 * backslashes and non-ASCII letters come out literally; rendering writes
 * SVG, PNG, PDF and DOT files, reports bad extensions and unwritable paths,
 * and gives the same bytes twice.
 *
 * Networks are built from hand-filled Scenario structs through
 * build_network(), so these tests do not depend on the YAML loader. Set
 * IPSIM_VIZ_OUTDIR to a directory to get PNG, SVG and DOT drawings of the
 * test networks (small, campus, failover) there, to look at.
 */
#define _POSIX_C_SOURCE 200809L /* symlink() */

#include <check.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <graphviz/cgraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/core/network.h"
#include "sim/build/build.h"
#include "tests/testlib.h"
#include "viz/topology.h"

/* ---- Building networks by hand ---------------------------------------- */

/* Returns an empty scenario called `name`; free it with test_scenario_free(). */
static Scenario *test_scenario_new(const char *name, const char *description)
{
  Scenario *sc = g_new0(Scenario, 1);
  sc->file = g_strdup("test.yaml");
  sc->name = g_strdup(name);
  sc->description = g_strdup(description);
  sc->seed = 1;
  sc->stop = SIMTIME_S(1);
  sc->nodes = g_array_new(FALSE, TRUE, sizeof(ScenarioNode));
  sc->links = g_array_new(FALSE, TRUE, sizeof(ScenarioLink));
  sc->apps = g_array_new(FALSE, TRUE, sizeof(AppConfig));
  sc->events = g_array_new(FALSE, TRUE, sizeof(ScenarioEvent));
  sc->expects = g_array_new(FALSE, TRUE, sizeof(ScenarioExpect));
  sc->output.pcap = g_array_new(FALSE, TRUE, sizeof(ScenarioPcapTarget));
  return sc;
}

static void test_scenario_free(Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++) {
    ScenarioNode *node = scenario_node(sc, i);
    for (guint j = 0; j < node->ifaces->len; j++)
      g_free(scenario_iface(sc, i, j)->name);
    g_array_free(node->ifaces, TRUE);
    if (node->routes)
      g_array_free(node->routes, TRUE);
    g_free(node->name);
    g_free(node->description);
  }
  for (guint i = 0; i < sc->links->len; i++) {
    ScenarioLink *link = scenario_link(sc, i);
    g_free(link->name);
    g_free(link->ends[0].text);
    g_free(link->ends[1].text);
  }
  g_array_free(sc->nodes, TRUE);
  g_array_free(sc->links, TRUE);
  g_array_free(sc->apps, TRUE);
  g_array_free(sc->events, TRUE);
  g_array_free(sc->expects, TRUE);
  g_array_free(sc->output.pcap, TRUE);
  g_free(sc->file);
  g_free(sc->name);
  g_free(sc->description);
  g_free(sc);
}

/* Adds a node without interfaces. */
static void test_add_node(Scenario *sc, const char *name, NodeKind kind, const char *description)
{
  ScenarioNode node = {0};
  node.name = g_strdup(name);
  node.kind = kind;
  node.description = g_strdup(description);
  node.ifaces = g_array_new(FALSE, TRUE, sizeof(ScenarioIface));
  node.routes = g_array_new(FALSE, TRUE, sizeof(ScenarioRoute));
  node.routing = SCENARIO_ROUTING_STATIC;
  node.aging = SIMTIME_S(300);
  g_array_append_val(sc->nodes, node);
}

/* Returns the index of the node called `name`; the test fails without one. */
static int test_find_node(const Scenario *sc, const char *name)
{
  for (guint i = 0; i < sc->nodes->len; i++)
    if (g_str_equal(scenario_node(sc, i)->name, name))
      return (int)i;
  ck_abort_msg("no node %s", name);
  return -1;
}

/* Adds interface `name` to node `node`, with address `ip` ("10.1.1.1/24")
 * unless it is NULL, attached to link `link`; returns its index. */
static int test_add_iface(Scenario *sc, int node, const char *name, const char *ip, int link)
{
  ScenarioNode *n = scenario_node(sc, node);
  ScenarioIface ifc = {0};
  ifc.name = g_strdup(name);
  ifc.mtu = 1500;
  ifc.link = link;
  ifc.mac[0] = 0x02;
  ifc.mac[4] = (uint8_t)node;
  ifc.mac[5] = (uint8_t)n->ifaces->len;
  if (ip) {
    unsigned a, b, c, d, len;
    ck_assert_int_eq(sscanf(ip, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len), 5);
    ifc.has_ip = TRUE;
    ifc.ip.addr = a << 24 | b << 16 | c << 8 | d;
    ifc.ip.len = (uint8_t)len;
  }
  g_array_append_val(n->ifaces, ifc);
  return (int)n->ifaces->len - 1;
}

/* One end of a test link: node name, interface name, address or NULL. */
typedef struct {
  const char *node;
  const char *iface;
  const char *ip;
} TestEnd;

/* Adds a link between two new interfaces. `name` may be NULL; `rate` in bit/s. */
static void test_add_link(Scenario *sc, const char *name, TestEnd a, TestEnd b, uint64_t rate, SimTime delay,
                          double loss)
{
  ScenarioLink link = {0};
  int index = (int)sc->links->len;
  const TestEnd *ends[2] = {&a, &b};
  for (int i = 0; i < 2; i++) {
    int node = test_find_node(sc, ends[i]->node);
    link.ends[i].node = node;
    link.ends[i].iface = test_add_iface(sc, node, ends[i]->iface, ends[i]->ip, index);
    link.ends[i].text = g_strdup_printf("%s:%s", ends[i]->node, ends[i]->iface);
  }
  link.name = g_strdup(name);
  link.params.rate_bps = rate;
  link.params.delay = delay;
  link.params.loss = loss;
  g_array_append_val(sc->links, link);
}

/* Builds the network `sc` describes and frees `sc`. */
static Network *test_build(Scenario *sc)
{
  Network *net = build_network(sc);
  test_scenario_free(sc);
  return net;
}

#define MBPS(x) ((uint64_t)(x)*1000000u)

/* A small network with awkward names: a space, a quote, backslashes (one
 * spelling the \N label escape), a non-ASCII name, an interface name with a
 * backslash, two parallel links and a link written switch-first. */
static Network *test_small_network(void)
{
  Scenario *sc = test_scenario_new("small lab", "A small test network");
  test_add_node(sc, "core", NODE_KIND_ROUTER, "Core router");
  test_add_node(sc, "r2", NODE_KIND_ROUTER, NULL);
  test_add_node(sc, "sw 1", NODE_KIND_SWITCH, NULL);
  test_add_node(sc, "pc \"q\"", NODE_KIND_HOST, NULL);
  test_add_node(sc, "lab\\pc", NODE_KIND_HOST, NULL);
  test_add_node(sc, "Zürich", NODE_KIND_HOST, "Branch office");
  test_add_node(sc, "x\\Ny", NODE_KIND_HOST, NULL);
  test_add_link(sc, "uplink A", (TestEnd){"core", "eth0", "10.0.0.1/30"}, (TestEnd){"r2", "eth0", "10.0.0.2/30"},
                MBPS(1000), SIMTIME_MS(2), 0.001);
  test_add_link(sc, NULL, (TestEnd){"core", "eth1", "10.0.1.1/30"}, (TestEnd){"r2", "eth1", "10.0.1.2/30"}, MBPS(1000),
                SIMTIME_MS(2), 0);
  test_add_link(sc, NULL, (TestEnd){"sw 1", "p1", NULL}, (TestEnd){"core", "eth2", "10.1.1.1/24"}, MBPS(100),
                SIMTIME_MS(1), 0);
  test_add_link(sc, NULL, (TestEnd){"pc \"q\"", "eth0", "10.1.1.10/24"}, (TestEnd){"sw 1", "p2", NULL}, MBPS(100),
                SIMTIME_US(500), 0);
  test_add_link(sc, NULL, (TestEnd){"sw 1", "p3", NULL}, (TestEnd){"lab\\pc", "eth0", "10.1.1.11/24"}, MBPS(100),
                SIMTIME_US(500), 0);
  test_add_link(sc, NULL, (TestEnd){"sw 1", "p4", NULL}, (TestEnd){"Zürich", "eth0", "10.1.1.12/24"}, MBPS(100),
                SIMTIME_US(500), 0);
  test_add_link(sc, NULL, (TestEnd){"sw 1", "p5", NULL}, (TestEnd){"x\\Ny", "e\\0", "10.1.1.13/24"}, MBPS(100),
                SIMTIME_US(500), 0);
  return test_build(sc);
}

/* Adds to `sc` distribution router d<k> under the core, its access switch
 * a<k> and `hosts` hosts on the subnet 10.<k>.1.0/24. */
static void test_add_campus_branch(Scenario *sc, int k, int hosts)
{
  char dist[16], access[16], ip[32], core_ip[32], port[16];
  g_snprintf(dist, sizeof dist, "dist%d", k);
  g_snprintf(access, sizeof access, "access%d", k);
  test_add_node(sc, dist, NODE_KIND_ROUTER, NULL);
  test_add_node(sc, access, NODE_KIND_SWITCH, NULL);
  g_snprintf(core_ip, sizeof core_ip, "10.0.0.%d/30", 4 * k - 3);
  g_snprintf(ip, sizeof ip, "10.0.0.%d/30", 4 * k - 2);
  g_snprintf(port, sizeof port, "eth%d", k - 1);
  test_add_link(sc, NULL, (TestEnd){"core", port, core_ip}, (TestEnd){dist, "eth0", ip}, MBPS(10000), SIMTIME_US(100),
                0);
  g_snprintf(ip, sizeof ip, "10.%d.1.1/24", k);
  test_add_link(sc, NULL, (TestEnd){dist, "eth1", ip}, (TestEnd){access, "p0", NULL}, MBPS(1000), SIMTIME_US(50), 0);
  for (int h = 1; h <= hosts; h++) {
    char host[16];
    g_snprintf(host, sizeof host, "h%d.%d", k, h);
    test_add_node(sc, host, NODE_KIND_HOST, NULL);
    g_snprintf(ip, sizeof ip, "10.%d.1.%d/24", k, 10 + h);
    g_snprintf(port, sizeof port, "p%d", h);
    test_add_link(sc, NULL, (TestEnd){access, port, NULL}, (TestEnd){host, "eth0", ip}, MBPS(100), SIMTIME_US(20), 0);
  }
}

/* A campus: a core router, 3 distribution routers on /30 links, an access
 * switch under each and 6 hosts per access LAN (/24): 25 nodes, 24 links. */
static Network *test_campus_network(void)
{
  Scenario *sc = test_scenario_new("campus", "Core, distribution and access layers");
  test_add_node(sc, "core", NODE_KIND_ROUTER, "Campus core");
  for (int k = 1; k <= 3; k++)
    test_add_campus_branch(sc, k, 6);
  return test_build(sc);
}

/* The failover example of the design notes: a host behind a switch, three
 * routers in a triangle (a cycle), a host behind the last router. */
static Network *test_failover_network(void)
{
  Scenario *sc = test_scenario_new("failover", "h1 keeps reaching h3 when r1-r3 fails");
  const char *routers[] = {"r1", "r2", "r3"};
  test_add_node(sc, "h1", NODE_KIND_HOST, NULL);
  test_add_node(sc, "s1", NODE_KIND_SWITCH, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(routers); i++)
    test_add_node(sc, routers[i], NODE_KIND_ROUTER, NULL);
  test_add_node(sc, "h3", NODE_KIND_HOST, NULL);
  test_add_link(sc, NULL, (TestEnd){"h1", "eth0", "10.1.1.10/24"}, (TestEnd){"s1", "eth0", NULL}, MBPS(100),
                SIMTIME_MS(1), 0);
  test_add_link(sc, NULL, (TestEnd){"s1", "eth1", NULL}, (TestEnd){"r1", "eth0", "10.1.1.1/24"}, MBPS(100),
                SIMTIME_MS(1), 0);
  test_add_link(sc, "core", (TestEnd){"r1", "eth1", "10.0.13.1/30"}, (TestEnd){"r3", "eth1", "10.0.13.2/30"}, MBPS(10),
                SIMTIME_MS(5), 0.001);
  test_add_link(sc, NULL, (TestEnd){"r1", "eth2", "10.0.12.1/30"}, (TestEnd){"r2", "eth0", "10.0.12.2/30"}, MBPS(100),
                SIMTIME_MS(1), 0);
  test_add_link(sc, NULL, (TestEnd){"r2", "eth1", "10.0.23.1/30"}, (TestEnd){"r3", "eth2", "10.0.23.2/30"}, MBPS(100),
                SIMTIME_MS(1), 0);
  test_add_link(sc, NULL, (TestEnd){"r3", "eth0", "10.1.3.1/24"}, (TestEnd){"h3", "eth0", "10.1.3.10/24"}, MBPS(100),
                SIMTIME_MS(1), 0);
  return test_build(sc);
}

/* ---- Helpers for the checks ------------------------------------------- */

/* Parses the DOT text of `net` back with cgraph; the test fails if it does not parse. */
static Agraph_t *test_parse_dot(const Network *net)
{
  char *dot = viz_topology_dot(net);
  ck_assert_ptr_nonnull(dot);
  Agraph_t *g = agmemread(dot);
  ck_assert_msg(g != NULL, "DOT does not parse:\n%s", dot);
  g_free(dot);
  return g;
}

/* Returns the parsed node called `name`; the test fails without one. */
static Agnode_t *test_node(Agraph_t *g, const char *name)
{
  Agnode_t *n = agnode(g, (char *)name, FALSE);
  ck_assert_msg(n != NULL, "no node '%s' in the DOT", name);
  return n;
}

/* Returns the attribute `attr` of `obj`, "" when unset. */
static const char *test_attr(void *obj, const char *attr)
{
  const char *value = agget(obj, (char *)attr);
  return value ? value : "";
}

/* Returns the number of edges between `a` and `b`. */
static int test_count_edges(Agraph_t *g, Agnode_t *a, Agnode_t *b)
{
  int count = 0;
  for (Agedge_t *e = agfstedge(g, a); e; e = agnxtedge(g, e, a))
    if ((agtail(e) == a && aghead(e) == b) || (agtail(e) == b && aghead(e) == a))
      count++;
  return count;
}

/* Returns the only edge from `tail` to `head` as written; fails without one. */
static Agedge_t *test_edge(Agraph_t *g, const char *tail, const char *head)
{
  Agnode_t *t = test_node(g, tail), *h = test_node(g, head);
  for (Agedge_t *e = agfstout(g, t); e; e = agnxtout(g, e))
    if (aghead(e) == h)
      return e;
  ck_abort_msg("no edge %s -- %s", tail, head);
  return NULL;
}

static char *test_dir;

/* Makes a fresh temporary directory for the files a test writes. */
static void test_setup_dir(void)
{
  GError *error = NULL;
  test_dir = g_dir_make_tmp("ipsim-viz-XXXXXX", &error);
  ck_assert_msg(test_dir != NULL, "%s", error ? error->message : "?");
}

/* Removes the temporary directory and the files in it. */
static void test_teardown_dir(void)
{
  GDir *dir = g_dir_open(test_dir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    char *path = g_build_filename(test_dir, name, NULL);
    g_remove(path);
    g_free(path);
  }
  if (dir)
    g_dir_close(dir);
  g_rmdir(test_dir);
  g_free(test_dir);
  test_dir = NULL;
}

/* Renders `net` to `name` in the test directory and returns the file's
 * contents; the test fails if rendering fails or the file is empty. */
static GBytes *test_render(const Network *net, const char *name)
{
  char *path = g_build_filename(test_dir, name, NULL);
  GError *error = NULL;
  ck_assert_msg(viz_topology_render(net, path, &error), "render %s: %s", name, error ? error->message : "?");
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(path, &data, &len, NULL));
  ck_assert_msg(len > 0, "%s is empty", name);
  g_free(path);
  return g_bytes_new_take(data, len);
}

/* Tells whether `bytes` start with `magic`. */
static gboolean test_starts_with(GBytes *bytes, const char *magic)
{
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  return len >= strlen(magic) && memcmp(data, magic, strlen(magic)) == 0;
}

/* Tells whether `bytes` contain the string `text`. */
static gboolean test_contains(GBytes *bytes, const char *text)
{
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  char *copy = g_strndup(data, len);
  gboolean found = strstr(copy, text) != NULL;
  g_free(copy);
  return found;
}

/* ---- DOT: structure ---------------------------------------------------- */

START_TEST(test_dot_parses_undirected)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  ck_assert(agisundirected(g));
  ck_assert_str_eq(agnameof(g), "small lab");
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_nodes_in_network_order)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(g), (int)net->nodes->len);
  guint i = 0;
  for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n), i++)
    ck_assert_str_eq(agnameof(n), network_node(net, i)->name);
  ck_assert_uint_eq(i, 7);
  test_node(g, "sw 1");
  test_node(g, "pc \"q\"");
  test_node(g, "lab\\pc");
  test_node(g, "Zürich");
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_edges_and_endpoints)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnedges(g), (int)net->links->len);
  ck_assert_int_eq(test_count_edges(g, test_node(g, "core"), test_node(g, "r2")), 2);
  ck_assert_int_eq(test_count_edges(g, test_node(g, "core"), test_node(g, "sw 1")), 1);
  const char *hosts[] = {"pc \"q\"", "lab\\pc", "Zürich", "x\\Ny"};
  for (guint i = 0; i < G_N_ELEMENTS(hosts); i++)
    ck_assert_int_eq(test_count_edges(g, test_node(g, "sw 1"), test_node(g, hosts[i])), 1);
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_router_above_switch_above_host)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  /* Both links were written lower kind first; the edges start at the upper end. */
  Agedge_t *up = test_edge(g, "core", "sw 1");
  ck_assert_str_eq(test_attr(up, "taillabel"), "eth2\\n10.1.1.1/24");
  ck_assert_str_eq(test_attr(up, "headlabel"), "p1");
  Agedge_t *down = test_edge(g, "sw 1", "pc \"q\"");
  ck_assert_str_eq(test_attr(down, "taillabel"), "p2");
  ck_assert_str_eq(test_attr(down, "headlabel"), "eth0\\n10.1.1.10/24");
  agclose(g);
  network_free(net);
}
END_TEST

/* ---- DOT: looks and labels --------------------------------------------- */

START_TEST(test_dot_shapes_per_kind)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  const char *router = test_attr(test_node(g, "core"), "shape");
  const char *sw = test_attr(test_node(g, "sw 1"), "shape");
  const char *host = test_attr(test_node(g, "Zürich"), "shape");
  ck_assert_str_eq(router, "cylinder");
  ck_assert_str_eq(sw, "box3d");
  ck_assert_str_eq(host, "box");
  ck_assert_str_eq(test_attr(test_node(g, "r2"), "shape"), router);
  ck_assert_str_eq(test_attr(test_node(g, "lab\\pc"), "shape"), host);
  const char *fills[] = {test_attr(test_node(g, "core"), "fillcolor"), test_attr(test_node(g, "sw 1"), "fillcolor"),
                         test_attr(test_node(g, "Zürich"), "fillcolor")};
  for (int i = 0; i < 3; i++) {
    ck_assert_str_ne(fills[i], "");
    ck_assert_str_ne(fills[i], fills[(i + 1) % 3]);
  }
  agclose(g);
  network_free(net);
}
END_TEST

/* A hub has a shape and colour of its own, and sits with the switches. */
START_TEST(test_dot_hub_shape)
{
  Scenario *sc = test_scenario_new("hub", NULL);
  test_add_node(sc, "hub", NODE_KIND_HUB, NULL);
  test_add_node(sc, "s", NODE_KIND_SWITCH, NULL);
  test_add_node(sc, "h", NODE_KIND_HOST, NULL);
  test_add_link(sc, NULL, (TestEnd){"h", "eth0", "10.0.0.1/24"}, (TestEnd){"hub", "eth0", NULL}, MBPS(10),
                SIMTIME_US(5), 0);
  test_add_link(sc, NULL, (TestEnd){"s", "eth0", NULL}, (TestEnd){"hub", "eth1", NULL}, MBPS(10), SIMTIME_US(5), 0);
  Network *net = test_build(sc);
  Agraph_t *g = test_parse_dot(net);
  ck_assert_str_eq(test_attr(test_node(g, "hub"), "shape"), "component");
  ck_assert_str_ne(test_attr(test_node(g, "hub"), "fillcolor"), test_attr(test_node(g, "s"), "fillcolor"));
  ck_assert_str_ne(test_attr(test_node(g, "hub"), "fillcolor"), test_attr(test_node(g, "h"), "fillcolor"));
  test_edge(g, "hub", "h"); /* drawn from the upper tier down */
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_node_labels)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  const char *core = test_attr(test_node(g, "core"), "label");
  ck_assert(aghtmlstr((char *)core));
  ck_assert_ptr_nonnull(strstr(core, "<FONT>core</FONT>"));
  ck_assert_ptr_nonnull(strstr(core, ">Core router<"));
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "pc \"q\""), "label"), "pc &quot;q&quot;"));
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "lab\\pc"), "label"), "<FONT>lab\\\\pc</FONT>"));
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "Zürich"), "label"), "Branch office"));
  const char *graph = test_attr(g, "label");
  ck_assert(aghtmlstr((char *)graph));
  ck_assert_ptr_nonnull(strstr(graph, "small lab"));
  ck_assert_ptr_nonnull(strstr(graph, ">router<"));
  ck_assert_ptr_nonnull(strstr(graph, ">host<"));
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_edge_labels)
{
  Network *net = test_small_network();
  Agraph_t *g = test_parse_dot(net);
  Agnode_t *core = test_node(g, "core");
  Agedge_t *named = agfstout(g, core), *plain = agnxtout(g, named);
  ck_assert_str_eq(test_attr(named, "label"), "uplink A\\n1Gbps, 2ms\\nloss 0.1%");
  ck_assert_str_eq(test_attr(named, "taillabel"), "eth0\\n10.0.0.1/30");
  ck_assert_str_eq(test_attr(named, "headlabel"), "eth0\\n10.0.0.2/30");
  ck_assert_str_eq(test_attr(plain, "label"), "1Gbps, 2ms");
  ck_assert_str_eq(test_attr(plain, "headlabel"), "eth1\\n10.0.1.2/30");
  Agedge_t *odd = test_edge(g, "sw 1", "x\\Ny");
  ck_assert_str_eq(test_attr(odd, "label"), "100Mbps, 500us");
  ck_assert_str_eq(test_attr(odd, "headlabel"), "e\\\\0\\n10.1.1.13/24");
  agclose(g);
  network_free(net);
}
END_TEST

/* An example scenario, through the loader: its DOT reads back with every
 * node, every link and the addresses the loader resolved. */
START_TEST(test_dot_of_example)
{
  const char *dir = g_getenv("TOPOLOGIES");
  ck_assert_msg(dir != NULL, "TOPOLOGIES is not set; run the tests through 'make check'");
  char *path = g_build_filename(dir, "two-lans.yaml", NULL);
  DiagList *diags = diag_list_new(path);
  Scenario *sc = scenario_load_file(path, diags);
  ck_assert_msg(sc != NULL, "%s does not load", path);
  Network *net = build_network(sc);
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(g), 7);
  ck_assert_int_eq(agnedges(g), 6);
  ck_assert_str_eq(test_attr(test_node(g, "s1"), "shape"), test_attr(test_node(g, "s2"), "shape"));
  ck_assert_int_eq(test_count_edges(g, test_node(g, "h1"), test_node(g, "s1")), 1);
  ck_assert_int_eq(test_count_edges(g, test_node(g, "r1"), test_node(g, "s2")), 1);
  Agedge_t *up = test_edge(g, "r1", "s1");
  ck_assert_str_eq(test_attr(up, "taillabel"), "eth0\\n10.0.1.1/24");
  ck_assert_str_eq(test_attr(up, "label"), "100Mbps, 50us");
  ck_assert_str_eq(test_attr(test_edge(g, "s2", "h4"), "headlabel"), "eth0\\n10.0.2.14/24");
  agclose(g);
  network_free(net);
  scenario_free(sc);
  diag_list_free(diags);
  g_free(path);
}
END_TEST

START_TEST(test_dot_unwritable_names_use_positions)
{
  Scenario *sc = test_scenario_new("odd", NULL);
  test_add_node(sc, "dir\\", NODE_KIND_HOST, NULL);
  test_add_node(sc, "%1", NODE_KIND_HOST, NULL);
  test_add_link(sc, NULL, (TestEnd){"dir\\", "eth0", NULL}, (TestEnd){"%1", "eth0", NULL}, MBPS(10), SIMTIME_MS(1), 0);
  Network *net = test_build(sc);
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(g), 2);
  ck_assert_int_eq(agnedges(g), 1);
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "n0"), "label"), "<FONT>dir\\\\</FONT>"));
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "n1"), "label"), "<FONT>%1</FONT>"));
  agclose(g);
  network_free(net);
}
END_TEST

START_TEST(test_dot_reads_back_as_the_same_graph)
{
  /* Same nodes and edges in the same order (cgraph sequence numbers), so
   * that dot lays the DOT file out exactly as viz_topology_render() does. */
  Network *net = test_failover_network();
  Agraph_t *mem = viz_topology_graph(net), *back = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(mem), agnnodes(back));
  ck_assert_int_eq(agnedges(mem), agnedges(back));
  for (Agnode_t *m = agfstnode(mem), *b = agfstnode(back); m; m = agnxtnode(mem, m), b = agnxtnode(back, b)) {
    ck_assert_str_eq(agnameof(m), agnameof(b));
    ck_assert_uint_eq(AGSEQ(m), AGSEQ(b));
    Agedge_t *eb = agfstout(back, b);
    for (Agedge_t *em = agfstout(mem, m); em; em = agnxtout(mem, em), eb = agnxtout(back, eb)) {
      ck_assert_ptr_nonnull(eb);
      ck_assert_str_eq(agnameof(aghead(em)), agnameof(aghead(eb)));
      ck_assert_str_eq(test_attr(em, "taillabel"), test_attr(eb, "taillabel"));
      ck_assert_uint_eq(AGSEQ(em), AGSEQ(eb));
    }
    ck_assert_ptr_null(eb);
  }
  agclose(mem);
  agclose(back);
  network_free(net);
}
END_TEST

START_TEST(test_dot_html_label_collision)
{
  /* Cgraph shares equal strings: the node ID "<FONT>a</FONT>" is the same
   * string as the HTML label of node "a", which must then fall back to plain. */
  Scenario *sc = test_scenario_new("clash", NULL);
  test_add_node(sc, "<FONT>a</FONT>", NODE_KIND_HOST, NULL);
  test_add_node(sc, "a", NODE_KIND_HOST, NULL);
  Network *net = test_build(sc);
  Agraph_t *g = test_parse_dot(net);
  const char *tricky = test_attr(test_node(g, "<FONT>a</FONT>"), "label");
  ck_assert(aghtmlstr((char *)tricky));
  ck_assert_str_eq(tricky, "<FONT>&lt;FONT&gt;a&lt;/FONT&gt;</FONT>");
  const char *plain = test_attr(test_node(g, "a"), "label");
  ck_assert(!aghtmlstr((char *)plain));
  ck_assert_str_eq(plain, "a");
  agclose(g);
  GBytes *svg = test_render(net, "clash.svg");
  ck_assert(test_contains(svg, ">&lt;FONT&gt;a&lt;/FONT&gt;</text>"));
  ck_assert(test_contains(svg, ">a</text>"));
  g_bytes_unref(svg);
  network_free(net);
}
END_TEST

START_TEST(test_dot_empty_network)
{
  Network *net = test_build(test_scenario_new("empty", NULL));
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(g), 0);
  agclose(g);
  GBytes *svg = test_render(net, "empty.svg");
  ck_assert(test_contains(svg, "<svg"));
  g_bytes_unref(svg);
  network_free(net);
}
END_TEST

START_TEST(test_graph_api)
{
  Network *net = test_campus_network();
  Agraph_t *g = viz_topology_graph(net);
  ck_assert(agisundirected(g));
  ck_assert_int_eq(agnnodes(g), 25);
  ck_assert_int_eq(agnedges(g), 24);
  ck_assert_str_eq(agnameof(agfstnode(g)), "core");
  agclose(g);
  network_free(net);
}
END_TEST

/* ---- Rendering --------------------------------------------------------- */

START_TEST(test_render_formats)
{
  Network *net = test_small_network();
  GBytes *svg = test_render(net, "t.svg"), *png = test_render(net, "t.png");
  GBytes *pdf = test_render(net, "t.pdf"), *upper = test_render(net, "T.SVG");
  ck_assert(test_starts_with(svg, "<?xml") || test_starts_with(svg, "<svg"));
  ck_assert(test_contains(svg, "<svg"));
  ck_assert(test_starts_with(png, "\x89PNG\r\n\x1a\n"));
  ck_assert(test_starts_with(pdf, "%PDF"));
  ck_assert(g_bytes_equal(svg, upper));
  g_bytes_unref(svg);
  g_bytes_unref(png);
  g_bytes_unref(pdf);
  g_bytes_unref(upper);
  network_free(net);
}
END_TEST

START_TEST(test_render_dot_files)
{
  Network *net = test_small_network();
  char *dot = viz_topology_dot(net);
  GBytes *expected = g_bytes_new(dot, strlen(dot));
  GBytes *a = test_render(net, "t.dot"), *b = test_render(net, "t.gv");
  ck_assert(g_bytes_equal(a, expected));
  ck_assert(g_bytes_equal(b, expected));
  g_bytes_unref(a);
  g_bytes_unref(b);
  g_bytes_unref(expected);
  g_free(dot);
  network_free(net);
}
END_TEST

START_TEST(test_render_names_literally)
{
  Network *net = test_small_network();
  GBytes *svg = test_render(net, "names.svg");
  /* Backslashes are not label escapes: "x\Ny" is not "x<node name>y". */
  ck_assert(test_contains(svg, ">x\\Ny</text>"));
  ck_assert(test_contains(svg, ">lab\\pc</text>"));
  ck_assert(test_contains(svg, ">e\\0</text>"));
  ck_assert(test_contains(svg, ">Zürich</text>"));
  ck_assert(test_contains(svg, ">pc &quot;q&quot;</text>"));
  ck_assert(test_contains(svg, ">Branch office</text>"));
  ck_assert(test_contains(svg, ">10.1.1.13/24</text>"));
  g_bytes_unref(svg);
  network_free(net);
}
END_TEST

START_TEST(test_render_unknown_extension)
{
  Network *net = test_small_network();
  const char *names[] = {"out.txt", "out", "dir.svg/out", "out.svg.bak"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    char *path = g_build_filename(test_dir, names[i], NULL);
    GError *error = NULL;
    ck_assert(!viz_topology_render(net, path, &error));
    ck_assert(g_error_matches(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_FORMAT));
    ck_assert_ptr_nonnull(strstr(error->message, names[i]));
    ck_assert_ptr_nonnull(strstr(error->message, ".dot, .gv, .svg, .png, .pdf"));
    ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    g_error_free(error);
    g_free(path);
  }
  network_free(net);
}
END_TEST

START_TEST(test_render_unwritable_path)
{
  Network *net = test_small_network();
  const char *names[] = {"missing/x.svg", "missing/x.dot", "missing/x.png"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    char *path = g_build_filename(test_dir, names[i], NULL);
    GError *error = NULL;
    ck_assert(!viz_topology_render(net, path, &error));
    ck_assert(g_error_matches(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_WRITE));
    ck_assert_ptr_nonnull(strstr(error->message, path));
    ck_assert_ptr_nonnull(strstr(error->message, g_strerror(ENOENT)));
    g_error_free(error);
    g_free(path);
  }
  /* A directory named like a drawing cannot be written either. */
  char *dir = g_build_filename(test_dir, "taken.pdf", NULL);
  ck_assert_int_eq(g_mkdir(dir, 0700), 0);
  GError *error = NULL;
  ck_assert(!viz_topology_render(net, dir, &error));
  ck_assert(g_error_matches(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_WRITE));
  ck_assert_ptr_nonnull(strstr(error->message, dir));
  g_error_free(error);
  g_rmdir(dir);
  g_free(dir);
  network_free(net);
}
END_TEST

START_TEST(test_render_disk_full)
{
  if (!g_file_test("/dev/full", G_FILE_TEST_EXISTS))
    return;
  Network *net = test_small_network();
  const char *names[] = {"full.svg", "full.dot"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    char *path = g_build_filename(test_dir, names[i], NULL);
    ck_assert_int_eq(symlink("/dev/full", path), 0);
    GError *error = NULL;
    ck_assert(!viz_topology_render(net, path, &error));
    ck_assert(g_error_matches(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_WRITE));
    ck_assert_ptr_nonnull(strstr(error->message, path));
    ck_assert_ptr_nonnull(strstr(error->message, g_strerror(ENOSPC)));
    g_error_free(error);
    g_free(path);
  }
  network_free(net);
}
END_TEST

START_TEST(test_render_deterministic)
{
  Network *a = test_campus_network(), *b = test_campus_network();
  char *dot_a = viz_topology_dot(a), *dot_b = viz_topology_dot(b);
  ck_assert_str_eq(dot_a, dot_b);
  GBytes *svg_a = test_render(a, "a.svg"), *svg_b = test_render(b, "b.svg");
  ck_assert(g_bytes_equal(svg_a, svg_b));
  g_bytes_unref(svg_a);
  g_bytes_unref(svg_b);
  g_free(dot_a);
  g_free(dot_b);
  network_free(a);
  network_free(b);
}
END_TEST

START_TEST(test_render_campus)
{
  Network *net = test_campus_network();
  Agraph_t *g = test_parse_dot(net);
  ck_assert_int_eq(agnnodes(g), 25);
  ck_assert_int_eq(agnedges(g), 24);
  guint i = 0;
  for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n), i++)
    ck_assert_str_eq(agnameof(n), network_node(net, i)->name);
  ck_assert_str_eq(test_attr(test_edge(g, "dist2", "access2"), "taillabel"), "eth1\\n10.2.1.1/24");
  agclose(g);
  GBytes *png = test_render(net, "campus.png");
  ck_assert(test_starts_with(png, "\x89PNG"));
  g_bytes_unref(png);
  network_free(net);
}
END_TEST

/* A ring of four STP switches, s1 the root (priority 4096): s2 and s3 hang
 * from it, s4 sits across. s4's root port goes to s2 (the lower bridge ID
 * at the same cost), and on the s3-s4 link s3 (one hop from the root) is
 * designated, so s4's p2 is the one alternate port. */
static const char *const stp_ring = "nodes:\n"
                                    "  s1: { kind: switch, interfaces: [p1, p2, p3], stp: { priority: 4096 } }\n"
                                    "  s2: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                    "  s3: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                    "  s4: { kind: switch, interfaces: [p1, p2], stp: stp }\n"
                                    "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                    "links:\n"
                                    "  - [\"s1:p1\", \"s2:p1\"]\n"
                                    "  - [\"s1:p2\", \"s3:p1\"]\n"
                                    "  - [\"s2:p2\", \"s4:p1\"]\n"
                                    "  - [\"s3:p2\", \"s4:p2\"]\n"
                                    "  - [\"s1:p3\", h1]\n";

/* Returns the edge between two nodes, either way round. */
static Agedge_t *test_edge_any(Agraph_t *g, const char *a, const char *b)
{
  Agedge_t *e = agedge(g, test_node(g, a), test_node(g, b), NULL, FALSE);
  return e ? e : agedge(g, test_node(g, b), test_node(g, a), NULL, FALSE);
}

/* ipsim draw --at: after 40 s (converged: forwarding from 30 s), every
 * port end shows its role and state, s1 is the root bridge, and only the
 * s3-s4 link, cut by s4's alternate port, is dashed; at 1 s, every port
 * still listening, every link is. Without hl.stp the
 * DOT has neither. */
START_TEST(test_dot_spanning_tree)
{
  TestNet fx = testlib_build(stp_ring);
  VizHighlight hl = {NULL, NULL, TRUE};
  scheduler_run(fx.net->ctx.sched, SIMTIME_S(40));
  char *dot = viz_topology_dot_highlight(fx.net, &hl);
  Agraph_t *g = agmemread(dot);
  ck_assert_msg(g != NULL, "%s", dot);
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "s1"), "label"), "STP root bridge"));
  ck_assert_ptr_nonnull(strstr(test_attr(test_node(g, "s2"), "label"), "STP 8000."));
  Agedge_t *cut = test_edge_any(g, "s3", "s4");
  ck_assert_str_eq(test_attr(cut, "style"), "dashed");
  const char *s4_end = agtail(cut) == test_node(g, "s4") ? "taillabel" : "headlabel";
  ck_assert_str_eq(test_attr(cut, s4_end), "p2\\nalternate blocking");
  ck_assert_str_eq(test_attr(test_edge_any(g, "s2", "s4"), "style"), "");
  Agedge_t *up = test_edge_any(g, "s1", "s2");
  ck_assert_str_eq(test_attr(up, "style"), "");
  const char *s2_end = agtail(up) == test_node(g, "s2") ? "taillabel" : "headlabel";
  ck_assert_str_eq(test_attr(up, s2_end), "p1\\nroot forwarding");
  ck_assert_str_eq(test_attr(test_edge_any(g, "s1", "h1"), "style"), "");
  agclose(g);
  g_free(dot);
  char *plain = viz_topology_dot(fx.net);
  ck_assert_ptr_null(strstr(plain, "forwarding"));
  ck_assert_ptr_null(strstr(plain, "dashed"));
  g_free(plain);
  testlib_build_free(&fx);
  fx = testlib_build(stp_ring);
  scheduler_run(fx.net->ctx.sched, SIMTIME_S(1));
  dot = viz_topology_dot_highlight(fx.net, &hl);
  guint dashed = 0;
  for (const char *at = dot; (at = strstr(at, "style=dashed")); at++)
    dashed++;
  ck_assert_uint_eq(dashed, 5); /* the host's too: s1:p3 listens */
  g_free(dot);
  testlib_build_free(&fx);
}
END_TEST

/* Renders the test networks into IPSIM_VIZ_OUTDIR, when set, for a look. */
START_TEST(test_keep_drawings)
{
  const char *outdir = g_getenv("IPSIM_VIZ_OUTDIR");
  if (!outdir)
    return;
  Network *nets[] = {test_small_network(), test_campus_network(), test_failover_network()};
  const char *names[] = {"small", "campus", "failover"};
  const char *exts[] = {"png", "svg", "dot"};
  for (guint i = 0; i < G_N_ELEMENTS(nets); i++) {
    for (guint j = 0; j < G_N_ELEMENTS(exts); j++) {
      char *file = g_strdup_printf("%s/%s.%s", outdir, names[i], exts[j]);
      GError *error = NULL;
      ck_assert_msg(viz_topology_render(nets[i], file, &error), "%s", error ? error->message : "?");
      g_free(file);
    }
    network_free(nets[i]);
  }
}
END_TEST

static Suite *test_viz_suite(void)
{
  Suite *s = suite_create("viz");
  TCase *dot = tcase_create("dot");
  tcase_add_checked_fixture(dot, test_setup_dir, test_teardown_dir);
  tcase_add_test(dot, test_dot_parses_undirected);
  tcase_add_test(dot, test_dot_nodes_in_network_order);
  tcase_add_test(dot, test_dot_edges_and_endpoints);
  tcase_add_test(dot, test_dot_router_above_switch_above_host);
  tcase_add_test(dot, test_dot_shapes_per_kind);
  tcase_add_test(dot, test_dot_hub_shape);
  tcase_add_test(dot, test_dot_spanning_tree);
  tcase_add_test(dot, test_dot_node_labels);
  tcase_add_test(dot, test_dot_edge_labels);
  tcase_add_test(dot, test_dot_of_example);
  tcase_add_test(dot, test_dot_unwritable_names_use_positions);
  tcase_add_test(dot, test_dot_reads_back_as_the_same_graph);
  tcase_add_test(dot, test_dot_html_label_collision);
  tcase_add_test(dot, test_dot_empty_network);
  tcase_add_test(dot, test_graph_api);
  suite_add_tcase(s, dot);
  TCase *render = tcase_create("render");
  tcase_add_checked_fixture(render, test_setup_dir, test_teardown_dir);
  tcase_set_timeout(render, 60);
  tcase_add_test(render, test_render_formats);
  tcase_add_test(render, test_render_dot_files);
  tcase_add_test(render, test_render_names_literally);
  tcase_add_test(render, test_render_unknown_extension);
  tcase_add_test(render, test_render_unwritable_path);
  tcase_add_test(render, test_render_disk_full);
  tcase_add_test(render, test_render_deterministic);
  tcase_add_test(render, test_render_campus);
  tcase_add_test(render, test_keep_drawings);
  suite_add_tcase(s, render);
  return s;
}

int main(void)
{
  SRunner *runner = srunner_create(test_viz_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
