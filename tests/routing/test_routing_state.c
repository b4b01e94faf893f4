/*
 * Tests of what a student sees of routing state, without the protocol
 * models: routes are installed by hand through routing_set(), as RIP or
 * OSPF would, on networks loaded from YAML whose routers are then marked
 * as running the protocol. The independent shortest-path checker of
 * `expect: converged` (sim/build/spf_check.c) accepts the right tables,
 * rejects a wrong route with a precise line, wants the whole ECMP set of
 * OSPF, and holds RIP's 16-hop limit; externals (OSPF E2 through the
 * nearest AS boundary router, across areas; RIP's redistributed routes); show_routes() prints FRR's shape,
 * multipath and inactive routes included; show_arp() and show_mac() print
 * the caches a ping filled.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4.h"
#include "models/observe/show.h"
#include "models/routing/routing.h"
#include "sim/build/expect.h"
#include "sim/build/spf_check.h"
#include "sim/text/addr.h"
#include "tests/testlib.h"

/* Loads `yaml` and builds it; every router then runs `routing` (RIP or OSPF defaults). */
static TestNet test_net(const char *yaml, ScenarioRouting routing)
{
  TestNet t = testlib_build(yaml);
  for (guint i = 0; i < t.sc->nodes->len; i++) {
    ScenarioNode *sn = scenario_node(t.sc, i);
    if (sn->kind != NODE_KIND_ROUTER)
      continue;
    sn->routing = routing;
    rip_config_defaults(&sn->rip);
    ospf_config_defaults(&sn->ospf);
  }
  return t;
}

static uint32_t addr(const char *text)
{
  uint32_t a = 0;
  ck_assert_msg(addr_parse_ipv4(text, &a), "bad address %s", text);
  return a;
}

/* Installs on `node` the `origin` route to `prefix` through "gw%iface" hops ("a%eth0 b%eth1"). */
static void install(TestNet *t, const char *node, RouteOrigin origin, const char *prefix, const char *hops,
                    uint32_t metric)
{
  Node *n = testlib_node(t->net, node);
  Ipv4Prefix p;
  ck_assert(addr_parse_cidr(prefix, &p.addr, &p.len, NULL));
  RoutingHop h[ROUTE_MAX_PATHS];
  char **parts = g_strsplit(hops, " ", -1);
  guint k = 0;
  for (; parts[k]; k++) {
    char **gw_if = g_strsplit(parts[k], "%", 2);
    h[k] = (RoutingHop){node_find_iface(n, gw_if[1]), addr(gw_if[0])};
    ck_assert_ptr_nonnull(h[k].iface);
    g_strfreev(gw_if);
  }
  g_strfreev(parts);
  ck_assert(routing_set(n, origin, p, h, k, metric, "test"));
}

/* Runs the checker; returns its lines joined by newlines (g_free). */
static char *check_lines(TestNet *t, guint *count)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  *count = spf_check(t->net, t->sc, problems);
  g_ptr_array_add(problems, NULL);
  char *text = g_strjoinv("\n", (char **)problems->pdata);
  g_ptr_array_free(problems, TRUE);
  return text;
}

/* A square of routers on point-to-point Ethernet links (cost 1 each at
 * 100 Mbps), a LAN with a host behind r4. */
static const char square_yaml[] =
    "nodes:\n"
    "  r1: { kind: router, ip: { eth0: 10.0.12.1/24, eth1: 10.0.13.1/24 } }\n"
    "  r2: { kind: router, ip: { eth0: 10.0.12.2/24, eth1: 10.0.24.2/24 } }\n"
    "  r3: { kind: router, ip: { eth0: 10.0.13.3/24, eth1: 10.0.34.3/24 } }\n"
    "  r4: { kind: router, ip: { eth0: 10.0.24.4/24, eth1: 10.0.34.4/24, eth2: 10.0.4.1/24 } }\n"
    "  h4: { kind: host, ip: 10.0.4.10/24, gateway: 10.0.4.1 }\n"
    "links:\n  - [r1:eth0, r2:eth0]\n  - [r1:eth1, r3:eth0]\n  - [r2:eth1, r4:eth0]\n"
    "  - [r3:eth1, r4:eth1]\n  - [r4:eth2, h4]\n";

/* The shortest paths of the square, written out by hand. */
static void install_square(TestNet *t, gboolean ecmp)
{
  install(t, "r1", ROUTE_OSPF, "10.0.24.0/24", "10.0.12.2%eth0", 2);
  install(t, "r1", ROUTE_OSPF, "10.0.34.0/24", "10.0.13.3%eth1", 2);
  install(t, "r1", ROUTE_OSPF, "10.0.4.0/24", ecmp ? "10.0.12.2%eth0 10.0.13.3%eth1" : "10.0.12.2%eth0", 3);
  install(t, "r2", ROUTE_OSPF, "10.0.13.0/24", "10.0.12.1%eth0", 2);
  install(t, "r2", ROUTE_OSPF, "10.0.34.0/24", "10.0.24.4%eth1", 2);
  install(t, "r2", ROUTE_OSPF, "10.0.4.0/24", "10.0.24.4%eth1", 2);
  install(t, "r3", ROUTE_OSPF, "10.0.12.0/24", "10.0.13.1%eth0", 2);
  install(t, "r3", ROUTE_OSPF, "10.0.24.0/24", "10.0.34.4%eth1", 2);
  install(t, "r3", ROUTE_OSPF, "10.0.4.0/24", "10.0.34.4%eth1", 2);
  install(t, "r4", ROUTE_OSPF, "10.0.12.0/24", "10.0.24.2%eth0", 2);
  install(t, "r4", ROUTE_OSPF, "10.0.13.0/24", "10.0.34.3%eth1", 2);
}

START_TEST(test_ospf_ecmp_agrees)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  guint count;
  install_square(&t, TRUE);
  char *lines = check_lines(&t, &count);
  ck_assert_msg(count == 0, "%s", lines);
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* One path of an equal-cost pair is not the multipath set OSPF installs. */
START_TEST(test_ospf_ecmp_half_fails)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  guint count;
  install_square(&t, FALSE);
  char *lines = check_lines(&t, &count);
  ck_assert_uint_eq(count, 1);
  ck_assert_str_eq(lines, "r1 10.0.4.0/24: expected ospf metric 3 via 10.0.12.2%eth0 10.0.13.3%eth1, found ospf "
                          "metric 3 via 10.0.12.2%eth0");
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* A wrong metric, a missing route and a route to nowhere, each named. */
START_TEST(test_ospf_wrong_routes)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  guint count;
  install_square(&t, TRUE);
  install(&t, "r2", ROUTE_OSPF, "10.0.4.0/24", "10.0.12.1%eth0", 4);
  install(&t, "r3", ROUTE_OSPF, "10.0.24.0/24", "", 0); /* withdrawn */
  char *lines = check_lines(&t, &count);
  ck_assert_uint_eq(count, 2);
  ck_assert_str_eq(lines, "r2 10.0.4.0/24: expected ospf metric 2 via 10.0.24.4%eth1, found ospf metric 4 via "
                          "10.0.12.1%eth0\n"
                          "r3 10.0.24.0/24: expected ospf metric 2 via 10.0.34.4%eth1, found no ospf route");
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* After r2 goes down, r1 reaches the LAN through r3 only, at the same cost. */
START_TEST(test_ospf_node_down)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  guint count;
  install_square(&t, TRUE);
  node_set_up(testlib_node(t.net, "r2"), FALSE);
  char *lines = check_lines(&t, &count);
  ck_assert(strstr(lines, "r1 10.0.4.0/24: expected ospf metric 3 via 10.0.13.3%eth1, found ospf metric 3 via "
                          "10.0.12.2%eth0 10.0.13.3%eth1"));
  ck_assert_msg(strstr(lines, "r1 10.0.24.0/24: expected no ospf route, found ospf metric 2 via 10.0.12.2%eth0"), "%s",
                lines);
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* A chain h0 - r0 - r1 - ... - r15 on /24 links: r_k is k+1 hops from
 * h0's LAN, so r15 is 16 away (unreachable). */
static char *chain_yaml(guint n)
{
  GString *y = g_string_new("nodes:\n  h0: { kind: host, ip: 10.0.0.10/24, gateway: 10.0.0.1 }\n");
  for (guint k = 0; k < n; k++) {
    g_string_append_printf(y, "  r%u: { kind: router, ip: { eth0: %s, eth1: 10.1.%u.1/24 } }\n", k, "X", k);
    char *x = k ? g_strdup_printf("10.1.%u.2/24", k - 1) : g_strdup("10.0.0.1/24");
    g_string_replace(y, "X", x, 1);
    g_free(x);
  }
  g_string_append(y, "links:\n  - [h0, r0:eth0]\n");
  for (guint k = 0; k + 1 < n; k++)
    g_string_append_printf(y, "  - [r%u:eth1, r%u:eth0]\n", k, k + 1);
  return g_string_free(y, FALSE);
}

/* Installs the RIP routes of the chain of `n` routers: to each prefix
 * whose metric is below 16, towards it. */
static void install_chain(TestNet *t, guint n)
{
  for (guint k = 0; k < n; k++)
    for (int i = -1; i + 1 < (int)n; i++) { /* i = -1: h0's LAN; else link i (r_i - r_i+1) */
      char name[8], prefix[24], hop[40];
      guint metric = i < 0 ? k + 1 : (guint)i >= k ? 1 + (guint)i - k : 1 + k - (guint)i - 1;
      gboolean left = i < 0 || (guint)i + 1 < k;
      if ((i >= 0 && ((guint)i == k || (guint)i + 1 == k)) || (i < 0 && k == 0) || metric >= RIP_INFINITY)
        continue;
      g_snprintf(name, sizeof name, "r%u", k);
      g_snprintf(prefix, sizeof prefix, i < 0 ? "10.0.0.0/24" : "10.1.%d.0/24", i);
      if (left)
        g_snprintf(hop, sizeof hop, "10.1.%u.1%%eth0", k - 1);
      else
        g_snprintf(hop, sizeof hop, "10.1.%u.2%%eth1", k);
      install(t, name, ROUTE_RIP, prefix, hop, metric);
    }
}

START_TEST(test_rip_chain_and_hop_limit)
{
  char *yaml = chain_yaml(16);
  TestNet t = test_net(yaml, SCENARIO_ROUTING_RIP);
  guint count;
  install_chain(&t, 16);
  char *lines = check_lines(&t, &count);
  ck_assert_msg(count == 0, "%s", lines);
  g_free(lines);
  /* r15 is 16 hops from h0's LAN: RIP holds no route there. */
  install(&t, "r15", ROUTE_RIP, "10.0.0.0/24", "10.1.14.1%eth0", 15);
  lines = check_lines(&t, &count);
  ck_assert_uint_eq(count, 1);
  ck_assert_str_eq(lines, "r15 10.0.0.0/24: expected no rip route (unreachable: 16 hops or more), found rip metric 15 "
                          "via 10.1.14.1%eth0");
  g_free(lines);
  /* A wrong metric one hop short. */
  install(&t, "r15", ROUTE_RIP, "10.0.0.0/24", "", 0);
  install(&t, "r3", ROUTE_RIP, "10.0.0.0/24", "10.1.2.1%eth0", 3);
  lines = check_lines(&t, &count);
  ck_assert_str_eq(lines, "r3 10.0.0.0/24: expected rip metric 4 via 10.1.2.1%eth0, found rip metric 3 via "
                          "10.1.2.1%eth0");
  g_free(lines);
  testlib_build_free(&t);
  g_free(yaml);
}
END_TEST

/* Equal-cost RIP routes: any one of them is right; two are not. */
START_TEST(test_rip_any_shortest)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_RIP);
  guint count;
  install(&t, "r1", ROUTE_RIP, "10.0.24.0/24", "10.0.12.2%eth0", 2);
  install(&t, "r1", ROUTE_RIP, "10.0.34.0/24", "10.0.13.3%eth1", 2);
  install(&t, "r1", ROUTE_RIP, "10.0.4.0/24", "10.0.13.3%eth1", 3);
  char *lines = check_lines(&t, &count);
  ck_assert(!strstr(lines, "r1 "));
  g_free(lines);
  install(&t, "r1", ROUTE_RIP, "10.0.4.0/24", "10.0.13.3%eth1 10.0.12.2%eth0", 3);
  lines = check_lines(&t, &count);
  ck_assert(strstr(lines, "r1 10.0.4.0/24: expected rip metric 3 via 10.0.12.2%eth0 or 10.0.13.3%eth1, found rip "
                          "metric 3 via 10.0.13.3%eth1 10.0.12.2%eth0"));
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* A static route on `node` to `prefix` through `gw` out of `iface`. */
static void add_static(TestNet *t, const char *node, const char *prefix, const char *gw, const char *iface)
{
  Node *n = testlib_node(t->net, node);
  Route r = {.origin = ROUTE_STATIC, .gateway = addr(gw), .iface = node_find_iface(n, iface)};
  ck_assert(addr_parse_cidr(prefix, &r.prefix, &r.len, NULL));
  route_table_add(n->ip->routes, &r);
}

/* Interface `iface` of `node` with the protocol off (the other interfaces on). */
static void protocol_off(TestNet *t, const char *node, guint iface)
{
  ScenarioNode *sn = scenario_node(t->sc, testlib_node(t->net, node)->index);
  guint n = testlib_node(t->net, node)->ifaces->len;
  RipIfaceConfig rc;
  OspfIfaceConfig oc;
  rip_iface_config_defaults(&rc);
  ospf_iface_config_defaults(&oc);
  sn->rip.ifaces = g_array_new(FALSE, TRUE, sizeof rc);
  sn->ospf.ifaces = g_array_new(FALSE, TRUE, sizeof oc);
  for (guint i = 0; i < n; i++) {
    rc.enabled = oc.enabled = i != iface;
    g_array_append_val(sn->rip.ifaces, rc);
    g_array_append_val(sn->ospf.ifaces, oc);
  }
}

/* OSPF externals in the square: r4 redistributes its LAN (OSPF off on
 * eth2) and originates a default, r2 originates a default and
 * redistributes static routes to 10.9.0.0/16 and to 10.0.34.0/24 (an
 * OSPF subnet: the intra-area route wins). E2 metric 20 through the
 * nearest ASBR: r1's LAN route over both paths, its default by r2 only,
 * r4's default by r2 (not its own). */
START_TEST(test_ospf_externals_checked)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  guint count;
  ScenarioNode *s2 = scenario_node(t.sc, testlib_node(t.net, "r2")->index);
  ScenarioNode *s4 = scenario_node(t.sc, testlib_node(t.net, "r4")->index);
  protocol_off(&t, "r4", 2);
  s4->ospf.redist_connected = s4->ospf.default_originate = TRUE;
  s2->ospf.redist_static = s2->ospf.default_originate = TRUE;
  add_static(&t, "r2", "10.9.0.0/16", "10.0.12.1", "eth0");
  add_static(&t, "r2", "10.0.34.0/24", "10.0.12.1", "eth0");
  install_square(&t, TRUE);
  install(&t, "r1", ROUTE_OSPF, "10.0.4.0/24", "10.0.12.2%eth0 10.0.13.3%eth1", 20);
  install(&t, "r2", ROUTE_OSPF, "10.0.4.0/24", "10.0.24.4%eth1", 20);
  install(&t, "r3", ROUTE_OSPF, "10.0.4.0/24", "10.0.34.4%eth1", 20);
  install(&t, "r1", ROUTE_OSPF, "0.0.0.0/0", "10.0.12.2%eth0", 20);
  install(&t, "r3", ROUTE_OSPF, "0.0.0.0/0", "10.0.34.4%eth1", 20);
  install(&t, "r4", ROUTE_OSPF, "0.0.0.0/0", "10.0.24.2%eth0", 20);
  install(&t, "r2", ROUTE_OSPF, "0.0.0.0/0", "10.0.24.4%eth1", 20);
  install(&t, "r1", ROUTE_OSPF, "10.9.0.0/16", "10.0.12.2%eth0", 20);
  install(&t, "r3", ROUTE_OSPF, "10.9.0.0/16", "10.0.13.1%eth0 10.0.34.4%eth1", 20);
  install(&t, "r4", ROUTE_OSPF, "10.9.0.0/16", "10.0.24.2%eth0", 20);
  char *lines = check_lines(&t, &count);
  ck_assert_msg(count == 0, "%s", lines);
  g_free(lines);
  install(&t, "r1", ROUTE_OSPF, "10.0.4.0/24", "10.0.13.3%eth1", 20);
  install(&t, "r3", ROUTE_OSPF, "0.0.0.0/0", "10.0.34.4%eth1", 22);
  install(&t, "r1", ROUTE_OSPF, "10.0.34.0/24", "10.0.12.2%eth0", 20);
  lines = check_lines(&t, &count);
  ck_assert_str_eq(lines, "r1 10.0.4.0/24: expected ospf metric 20 via 10.0.12.2%eth0 10.0.13.3%eth1, found ospf "
                          "metric 20 via 10.0.13.3%eth1\n"
                          "r1 10.0.34.0/24: expected ospf metric 2 via 10.0.13.3%eth1, found ospf metric 20 via "
                          "10.0.12.2%eth0\n"
                          "r3 0.0.0.0/0: expected ospf metric 20 via 10.0.34.4%eth1, found ospf metric 22 via "
                          "10.0.34.4%eth1");
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* The ospf-areas example's shape: r4 (area 2) redistributes its LAN;
 * r3 (area 1) reaches r4 through r1's and r2's ASBR-summaries. */
static const char areas_yaml[] =
    "routing: ospf\n"
    "defaults:\n  link: { type: ppp, rate: 100Mbps, delay: 1ms }\n"
    "nodes:\n"
    "  h3: { kind: host, ip: 10.3.0.10/24, gateway: 10.3.0.1 }\n"
    "  r3: { kind: router, ospf: { area: 1, interfaces: { eth1: { passive: true } } } }\n"
    "  r1: { kind: router, ospf: { interfaces: { eth0: { area: 1 } } } }\n"
    "  r0: { kind: router }\n"
    "  r2: { kind: router, ospf: { interfaces: { eth1: { area: 2 } } } }\n"
    "  r4: { kind: router, ospf: { area: 2, redistribute: [connected], interfaces: { eth1: { enabled: false } } } }\n"
    "  h4: { kind: host, ip: 10.4.0.10/24, gateway: 10.4.0.1 }\n"
    "links:\n"
    "  - { ends: [r3, r1], prefix: 10.0.13.0/30 }\n"
    "  - { ends: [r3, h3], type: ethernet, prefix: 10.3.0.0/24 }\n"
    "  - { ends: [r1, r0], prefix: 10.0.10.0/30 }\n"
    "  - { ends: [r0, r2], prefix: 10.0.20.0/30 }\n"
    "  - { ends: [r2, r4], prefix: 10.0.24.0/30 }\n"
    "  - { ends: [r4, h4], type: ethernet, prefix: 10.4.0.0/24 }\n";

START_TEST(test_ospf_external_across_areas_checked)
{
  TestNet t = {testlib_load_ok(areas_yaml), NULL};
  guint count;
  t.net = build_network(t.sc);
  char *lines = check_lines(&t, &count);
  ck_assert_msg(strstr(lines, "r3 10.4.0.0/24: expected ospf metric 20 via 10.0.13.2%eth0, found no ospf route"), "%s",
                lines);
  ck_assert(strstr(lines, "r1 10.4.0.0/24: expected ospf metric 20 via 10.0.10.2%eth1, found no ospf route"));
  ck_assert(strstr(lines, "r2 10.4.0.0/24: expected ospf metric 20 via 10.0.24.2%eth1, found no ospf route"));
  ck_assert(!strstr(lines, "r4 10.4.0.0/24"));
  g_free(lines);
  install(&t, "r3", ROUTE_OSPF, "10.4.0.0/24", "10.0.13.2%eth0", 20);
  lines = check_lines(&t, &count);
  ck_assert(!strstr(lines, "r3 10.4.0.0/24"));
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

/* RIP in the square: r4 redistributes its LAN (RIP off on eth2), r1
 * originates a default and redistributes a static route: metric 1 at the
 * origin, one more per hop, any neighbour on a shortest path. */
START_TEST(test_rip_redistributed_checked)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_RIP);
  guint count;
  ScenarioNode *s1 = scenario_node(t.sc, testlib_node(t.net, "r1")->index);
  protocol_off(&t, "r4", 2);
  scenario_node(t.sc, testlib_node(t.net, "r4")->index)->rip.redist_connected = TRUE;
  s1->rip.default_originate = s1->rip.redist_static = TRUE;
  add_static(&t, "r1", "10.9.0.0/16", "10.0.12.2", "eth0");
  char *lines = check_lines(&t, &count);
  ck_assert(strstr(lines, "r4 0.0.0.0/0: expected rip metric 3 via 10.0.24.2%eth0 or 10.0.34.3%eth1, found no rip "
                          "route"));
  ck_assert(strstr(lines, "r2 0.0.0.0/0: expected rip metric 2 via 10.0.12.1%eth0, found no rip route"));
  ck_assert(strstr(lines, "r3 10.9.0.0/16: expected rip metric 2 via 10.0.13.1%eth0, found no rip route"));
  ck_assert(strstr(lines, "r1 10.0.4.0/24: expected rip metric 3 via 10.0.12.2%eth0 or 10.0.13.3%eth1, found no rip "
                          "route"));
  ck_assert(!strstr(lines, "r1 0.0.0.0/0") && !strstr(lines, "r1 10.9.0.0/16") && !strstr(lines, "r4 10.0.4.0/24"));
  g_free(lines);
  install(&t, "r4", ROUTE_RIP, "0.0.0.0/0", "10.0.34.3%eth1", 3);
  lines = check_lines(&t, &count);
  ck_assert(!strstr(lines, "r4 0.0.0.0/0"));
  g_free(lines);
  testlib_build_free(&t);
}
END_TEST

START_TEST(test_show_routes_format)
{
  TestNet t = test_net(square_yaml, SCENARIO_ROUTING_OSPF);
  install_square(&t, TRUE);
  ck_assert(ipv4_add_static(testlib_node(t.net, "r1"), (Ipv4Prefix){addr("10.9.0.0"), 16}, addr("10.0.13.3"), 1, 1));
  link_set_up(node_iface(testlib_node(t.net, "r1"), 0)->link, FALSE);
  GString *out = g_string_new(NULL);
  show_routes(testlib_node(t.net, "r1"), out);
  ck_assert_str_eq(out->str, "Codes: C - connected, S - static, A - auto, R - RIP, O - OSPF,\n"
                             "       > - selected route, * - FIB route\n\n"
                             "O>* 10.0.4.0/24 [110/3] via 10.0.13.3, eth1\n"
                             "O   10.0.4.0/24 [110/3] via 10.0.12.2, eth0 inactive\n"
                             "C   10.0.12.0/24 is directly connected, eth0 inactive\n"
                             "C>* 10.0.13.0/24 is directly connected, eth1\n"
                             "O   10.0.24.0/24 [110/2] via 10.0.12.2, eth0 inactive\n"
                             "O>* 10.0.34.0/24 [110/2] via 10.0.13.3, eth1\n"
                             "S>* 10.9.0.0/16 [1/1] via 10.0.13.3, eth1\n");
  link_set_up(node_iface(testlib_node(t.net, "r1"), 0)->link, TRUE);
  g_string_truncate(out, 0);
  show_routes(testlib_node(t.net, "r1"), out);
  ck_assert(strstr(out->str, "O>* 10.0.4.0/24 [110/3] via 10.0.12.2, eth0\n"
                             "  *                     via 10.0.13.3, eth1\n"));
  g_string_free(out, TRUE);
  testlib_build_free(&t);
}
END_TEST

/* A ping across a switch fills the ARP caches and the MAC table. */
START_TEST(test_show_arp_and_mac)
{
  TestRun r =
      testlib_run_scenario("stop: 3s\n"
                           "nodes:\n"
                           "  h1: { kind: host, interfaces: { eth0: { ip: 10.0.0.1/24, mac: '02:00:00:00:00:01' } } }\n"
                           "  s1: { kind: switch }\n"
                           "  h2: { kind: host, interfaces: { eth0: { ip: 10.0.0.2/24, mac: '02:00:00:00:00:02' } } }\n"
                           "links:\n  - [h1, s1]\n  - [s1, h2]\n"
                           "apps:\n  - { type: ping, on: h1, to: h2, count: 1, start: 1s }\n",
                           NULL);
  GString *out = g_string_new(NULL);
  show_arp(testlib_node(r.net, "h1"), out);
  ck_assert_msg(g_str_has_prefix(out->str, "Address          MAC                Interface  State      Age\n"
                                           "10.0.0.2         02:00:00:00:00:02  eth0       REACHABLE  1.99"),
                "%s", out->str);
  g_string_truncate(out, 0);
  show_mac(testlib_node(r.net, "s1"), out);
  ck_assert_msg(g_str_has_prefix(out->str, "Vlan  MAC Address        Port       Age\n"
                                           "1     02:00:00:00:00:01  eth0       1.99"),
                "%s", out->str);
  ck_assert(strstr(out->str, "\n1     02:00:00:00:00:02  eth1       1.99"));
  g_string_free(out, TRUE);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_show_kind_problems)
{
  ck_assert_str_eq(show_kind_problem(SHOW_RIP, FALSE, FALSE, TRUE), "does not run RIP");
  ck_assert_str_eq(show_kind_problem(SHOW_OSPF_DATABASE, FALSE, TRUE, FALSE), "does not run OSPF");
  ck_assert_ptr_null(show_kind_problem(SHOW_MAC, TRUE, FALSE, FALSE));
  ck_assert_ptr_nonnull(show_kind_problem(SHOW_ARP, TRUE, FALSE, FALSE));
  ck_assert_str_eq(show_kind_title(SHOW_OSPF_NEIGHBORS), "show ip ospf neighbor");
}
END_TEST

/* Withdraws r2's route to the LAN (a timer event). */
static void withdraw_r2(void *obj, void *arg)
{
  (void)arg;
  install(obj, "r2", ROUTE_OSPF, "10.0.4.0/24", "", 0);
}

/* Runs the square to 2s with `converged: { by: 1s }`; the tables as
 * install_square(ecmp) gives them, r2's LAN route withdrawn at 1.5s with
 * `change`. Returns what expect printed (g_free). */
static char *run_converged(gboolean ecmp, gboolean change, guint *failed)
{
  char *yaml = g_strconcat("stop: 2s\n", square_yaml, "expect:\n  - { converged: { by: 1s } }\n", NULL);
  TestNet t = test_net(yaml, SCENARIO_ROUTING_OSPF);
  install_square(&t, ecmp);
  if (change)
    scheduler_at(t.net->ctx.sched, SIMTIME_MS(1500), withdraw_r2, &t, NULL);
  Expect *ex = expect_new(t.net, t.sc);
  network_run(t.net);
  char *text = NULL;
  size_t len = 0;
  guint passed = 0;
  FILE *out = open_memstream(&text, &len);
  *failed = expect_finish(ex, out, &passed);
  fclose(out);
  expect_free(ex);
  testlib_build_free(&t);
  g_free(yaml);
  return text;
}

START_TEST(test_converged_check)
{
  guint failed;
  char *text = run_converged(TRUE, FALSE, &failed);
  ck_assert_uint_eq(failed, 0);
  free(text);
  text = run_converged(FALSE, FALSE, &failed);
  ck_assert_uint_eq(failed, 1);
  ck_assert_str_eq(text, "test.yaml:15:5: expect failed: converged by 1s\n"
                         "  expected: converged by 1s\n"
                         "  found:    1 route disagrees with the shortest paths at 1s\n"
                         "  evidence:\n"
                         "    r1 10.0.4.0/24: expected ospf metric 3 via 10.0.12.2%eth0 10.0.13.3%eth1, found ospf "
                         "metric 3 via 10.0.12.2%eth0\n");
  free(text);
  text = run_converged(TRUE, TRUE, &failed);
  ck_assert_uint_eq(failed, 1);
  ck_assert_str_eq(text, "test.yaml:15:5: expect failed: converged by 1s\n"
                         "  expected: converged by 1s\n"
                         "  found:    1 route change from 1s until 2s (the end of the run), the last at 1.5s\n");
  free(text);
}
END_TEST

static Suite *state_suite(void)
{
  Suite *s = suite_create("routing-state");
  TCase *tc = tcase_create("spf-check");
  tcase_add_test(tc, test_ospf_ecmp_agrees);
  tcase_add_test(tc, test_ospf_ecmp_half_fails);
  tcase_add_test(tc, test_ospf_wrong_routes);
  tcase_add_test(tc, test_ospf_node_down);
  tcase_add_test(tc, test_rip_chain_and_hop_limit);
  tcase_add_test(tc, test_rip_any_shortest);
  tcase_add_test(tc, test_ospf_externals_checked);
  tcase_add_test(tc, test_ospf_external_across_areas_checked);
  tcase_add_test(tc, test_rip_redistributed_checked);
  tcase_add_test(tc, test_converged_check);
  suite_add_tcase(s, tc);
  tc = tcase_create("show");
  tcase_add_test(tc, test_show_routes_format);
  tcase_add_test(tc, test_show_arp_and_mac);
  tcase_add_test(tc, test_show_kind_problems);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(state_suite());
}
