/*
 * Checks of the routing protocols' settings across the network, before
 * anything runs. All are warnings, since the run is still meaningful (it
 * shows what real routers do when so configured):
 *  - two OSPF interfaces on one segment (a link, or links joined by
 *    switches) with different hello or dead intervals, or in different
 *    areas: RFC 2328 10.5 has each drop the other's Hellos, so they never
 *    become neighbours;
 *  - RIP or OSPF on a router's interface when another router's interface
 *    on the segment runs the other protocol, or none;
 *  - an area other than the backbone whose routers reach no area border
 *    router (a router with an interface in the backbone too) within the
 *    area, when the network has several areas: it learns no routes of the
 *    other areas (RFC 2328 3.1: every area attaches to the backbone).
 * Passive interfaces send no Hello or update, so they are not compared.
 *
 * Entry point: scenario_check_routing(), from scenario_check().
 */
#include <string.h>

#include "sim/text/addr.h"
#include "sim/text/units.h"
#include "sim/scenario/scenario_private.h"

/* What a router's interface runs. */
typedef enum { RUNS_NOTHING, RUNS_RIP, RUNS_OSPF } Runs;

/* The segment of every interface: first[node] + iface indexes seg[]. */
typedef struct {
  int *first;
  int *seg;
  int total;
} Segments;

static int segments_find(int *parent, int x)
{
  while (parent[x] != x)
    x = parent[x] = parent[parent[x]];
  return x;
}

/* An interface's element: a switch or a hub is one element for all its ports. */
static int segments_element(const Scenario *sc, const Segments *s, int node, int iface)
{
  return node_kind_is_l2(scenario_node(sc, node)->kind) ? s->first[node] : s->first[node] + iface;
}

static Segments segments_new(const Scenario *sc)
{
  Segments s = {g_new(int, sc->nodes->len + 1), NULL, 0};
  for (guint n = 0; n < sc->nodes->len; n++) {
    s.first[n] = s.total;
    s.total += (int)MAX(scenario_node(sc, n)->ifaces->len, 1u);
  }
  s.seg = g_new(int, s.total + 1);
  for (int i = 0; i < s.total; i++)
    s.seg[i] = i;
  for (guint l = 0; l < sc->links->len; l++) {
    const LinkEnd *e = scenario_link(sc, l)->ends;
    if (e[0].iface < 0 || e[1].iface < 0)
      continue;
    int a = segments_find(s.seg, segments_element(sc, &s, e[0].node, e[0].iface));
    int b = segments_find(s.seg, segments_element(sc, &s, e[1].node, e[1].iface));
    s.seg[a] = b;
  }
  for (int i = 0; i < s.total; i++)
    s.seg[i] = segments_find(s.seg, i);
  return s;
}

static void segments_free(Segments *s)
{
  g_free(s->first);
  g_free(s->seg);
}

static int segment_of(const Scenario *sc, const Segments *s, int node, int iface)
{
  return s->seg[segments_element(sc, s, node, iface)];
}

/* What interface i of router n runs, and whether it is passive; hosts and switches: nothing. */
static Runs routing_runs(const ScenarioNode *node, guint i, gboolean *passive)
{
  *passive = FALSE;
  if (node->routing == SCENARIO_ROUTING_RIP && g_array_index(node->rip.ifaces, RipIfaceConfig, i).enabled) {
    *passive = g_array_index(node->rip.ifaces, RipIfaceConfig, i).passive;
    return RUNS_RIP;
  }
  if (node->routing == SCENARIO_ROUTING_OSPF && g_array_index(node->ospf.ifaces, OspfIfaceConfig, i).enabled) {
    *passive = g_array_index(node->ospf.ifaces, OspfIfaceConfig, i).passive;
    return RUNS_OSPF;
  }
  return RUNS_NOTHING;
}

/* An interface on a segment that a routing check looks at. */
typedef struct {
  int node;
  int iface;
  Runs runs;
} RouterEnd;

static char *routing_end_name(const Scenario *sc, const RouterEnd *e)
{
  return g_strdup_printf("%s:%s", scenario_node(sc, e->node)->name, scenario_iface(sc, e->node, e->iface)->name);
}

static char *routing_area_text(uint32_t area)
{
  char text[ADDR_IPV4_TEXT];
  return g_strdup(addr_format_ipv4(area, text));
}

/* "hello 10s/dead 40s", or "10s/dead 40s" without the first word. */
static char *routing_timers_text(const OspfIfaceConfig *c, gboolean word)
{
  char *hello = units_format_duration(c->hello), *dead = units_format_duration(c->dead);
  char *text = g_strdup_printf("%s%s/dead %s", word ? "hello " : "", hello, dead);
  g_free(hello);
  g_free(dead);
  return text;
}

/* Two OSPF interfaces of one segment must agree on timers and area. */
static void routing_compare_ospf(Loader *ld, const RouterEnd *a, const RouterEnd *b)
{
  const Scenario *sc = ld->sc;
  const OspfIfaceConfig *ca = &g_array_index(scenario_node(sc, a->node)->ospf.ifaces, OspfIfaceConfig, a->iface);
  const OspfIfaceConfig *cb = &g_array_index(scenario_node(sc, b->node)->ospf.ifaces, OspfIfaceConfig, b->iface);
  char *na = routing_end_name(sc, a), *nb = routing_end_name(sc, b);
  SrcMark at = scenario_iface(sc, b->node, b->iface)->mark;
  if (ca->hello != cb->hello || ca->dead != cb->dead) {
    char *ta = routing_timers_text(ca, TRUE), *tb = routing_timers_text(cb, FALSE);
    scenario_warning_at(ld, at, "%s and %s have %s and %s: they will never become neighbours", na, nb, ta, tb);
    g_free(ta);
    g_free(tb);
  } else if (ca->area != cb->area) {
    char *aa = routing_area_text(ca->area), *ab = routing_area_text(cb->area);
    scenario_warning_at(ld, at, "%s is in area %s and %s in area %s: they will never become neighbours", na, aa, nb,
                        ab);
    g_free(aa);
    g_free(ab);
  }
  g_free(na);
  g_free(nb);
}

/* Compares router end `b` with `a`, the segment's first end that runs a protocol. */
static void routing_compare_ends(Loader *ld, const RouterEnd *a, const RouterEnd *b)
{
  static const char *const names[] = {"no routing protocol", "RIP", "OSPF"};
  if (a->runs == RUNS_OSPF && b->runs == RUNS_OSPF) {
    routing_compare_ospf(ld, a, b);
    return;
  }
  if (a->runs == b->runs)
    return;
  char *na = routing_end_name(ld->sc, a), *nb = routing_end_name(ld->sc, b);
  SrcMark at = scenario_iface(ld->sc, b->node, b->iface)->mark;
  if (b->runs == RUNS_NOTHING)
    scenario_warning_at(ld, at, "%s runs %s but %s does not: they exchange no routes", na, names[a->runs], nb);
  else
    scenario_warning_at(ld, at,
                        "%s runs %s but %s runs %s: they exchange no routes (ipsim does not redistribute one "
                        "protocol into the other)",
                        na, names[a->runs], nb, names[b->runs]);
  g_free(na);
  g_free(nb);
}

/* The routers' active (not passive) addressed interfaces, grouped by segment. */
static GHashTable *routing_ends_by_segment(const Scenario *sc, const Segments *s)
{
  GHashTable *by = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(sc, n);
    for (guint i = 0; node->kind == NODE_KIND_ROUTER && i < node->ifaces->len; i++) {
      gboolean passive = FALSE;
      RouterEnd e = {(int)n, (int)i, routing_runs(node, i, &passive)};
      const ScenarioIface *iface = scenario_iface(sc, (int)n, (int)i);
      if (passive || !iface->has_ip || iface->link < 0)
        continue;
      gpointer key = GINT_TO_POINTER(segment_of(sc, s, (int)n, (int)i));
      GArray *ends = g_hash_table_lookup(by, key);
      if (!ends)
        g_hash_table_insert(by, key, ends = g_array_new(FALSE, FALSE, sizeof(RouterEnd)));
      g_array_append_val(ends, e);
    }
  }
  return by;
}

/* Segment by segment, in order of their first interface, so that the warnings come in file order. */
static void routing_check_segments(Loader *ld, const Segments *s)
{
  GHashTable *by = routing_ends_by_segment(ld->sc, s);
  for (int seg = 0; seg < s->total; seg++) {
    GArray *ends = g_hash_table_lookup(by, GINT_TO_POINTER(seg));
    const RouterEnd *first = NULL;
    for (guint i = 0; ends && !first && i < ends->len; i++)
      if (g_array_index(ends, RouterEnd, i).runs != RUNS_NOTHING)
        first = &g_array_index(ends, RouterEnd, i);
    for (guint i = 0; first && i < ends->len; i++)
      if (&g_array_index(ends, RouterEnd, i) != first)
        routing_compare_ends(ld, first, &g_array_index(ends, RouterEnd, i));
  }
  g_hash_table_destroy(by);
}

/* The areas of enabled OSPF interfaces, each once, in file order. */
static GArray *routing_areas(const Scenario *sc)
{
  GArray *areas = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(sc, n);
    for (guint i = 0; node->routing == SCENARIO_ROUTING_OSPF && i < node->ifaces->len; i++) {
      const OspfIfaceConfig *c = &g_array_index(node->ospf.ifaces, OspfIfaceConfig, i);
      gboolean known = FALSE;
      for (guint a = 0; a < areas->len; a++)
        known |= g_array_index(areas, uint32_t, a) == c->area;
      if (c->enabled && !known)
        g_array_append_val(areas, c->area);
    }
  }
  return areas;
}

/* The first enabled interface of router n in `area`, or -1. */
static int routing_iface_in(const ScenarioNode *node, uint32_t area)
{
  for (guint i = 0; node->routing == SCENARIO_ROUTING_OSPF && i < node->ifaces->len; i++) {
    const OspfIfaceConfig *c = &g_array_index(node->ospf.ifaces, OspfIfaceConfig, i);
    if (c->enabled && c->area == area)
      return (int)i;
  }
  return -1;
}

/* Joins the routers of `area` that share a segment through interfaces in it. */
static void routing_join_area(const Scenario *sc, const Segments *s, uint32_t area, int *parent)
{
  int *seen = g_new(int, s->total + 1); /* by segment: a router of the area on it, + 1 */
  memset(seen, 0, sizeof(int) * (s->total + 1));
  for (guint n = 0; n < sc->nodes->len; n++) {
    parent[n] = (int)n;
    const ScenarioNode *node = scenario_node(sc, n);
    for (guint i = 0; node->routing == SCENARIO_ROUTING_OSPF && i < node->ifaces->len; i++) {
      const OspfIfaceConfig *c = &g_array_index(node->ospf.ifaces, OspfIfaceConfig, i);
      int seg = segment_of(sc, s, (int)n, (int)i);
      if (!c->enabled || c->area != area || scenario_iface(sc, (int)n, (int)i)->link < 0)
        continue;
      if (seen[seg])
        parent[segments_find(parent, (int)n)] = segments_find(parent, seen[seg] - 1);
      else
        seen[seg] = (int)n + 1;
    }
  }
  g_free(seen);
}

/* Warns once for each part of `area` that reaches no area border router. */
static void routing_check_area(Loader *ld, const Segments *s, uint32_t area, int *parent)
{
  const Scenario *sc = ld->sc;
  routing_join_area(sc, s, area, parent);
  gboolean *abr = g_new0(gboolean, sc->nodes->len + 1), *told = g_new0(gboolean, sc->nodes->len + 1);
  for (guint n = 0; n < sc->nodes->len; n++)
    if (routing_iface_in(scenario_node(sc, n), area) >= 0 && routing_iface_in(scenario_node(sc, n), 0) >= 0)
      abr[segments_find(parent, (int)n)] = TRUE;
  for (guint n = 0; n < sc->nodes->len; n++) {
    int i = routing_iface_in(scenario_node(sc, n), area), root = segments_find(parent, (int)n);
    if (i < 0 || abr[root] || told[root])
      continue;
    told[root] = TRUE;
    char *text = routing_area_text(area);
    scenario_warning_at(
        ld, scenario_iface(sc, (int)n, i)->mark,
        "area %s is not connected to the backbone: no router that %s:%s reaches within the area also has "
        "an interface in area 0 (an area border router); it learns no routes from other areas",
        text, scenario_node(sc, n)->name, scenario_iface(sc, (int)n, i)->name);
    g_free(text);
  }
  g_free(abr);
  g_free(told);
}

/* A router running RIP or OSPF with a linked interface that has no
 * address: the protocol cannot run there (a `prefix` addresses only the
 * ends of its own link, not a whole switched segment). */
static void routing_check_unaddressed(Loader *ld)
{
  const Scenario *sc = ld->sc;
  for (guint n = 0; n < sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(sc, (int)n);
    if (node->routing != SCENARIO_ROUTING_RIP && node->routing != SCENARIO_ROUTING_OSPF)
      continue;
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *si = &g_array_index(node->ifaces, ScenarioIface, i);
      if (si->link >= 0 && !si->has_ip)
        scenario_warning_at(ld, si->mark,
                            "%s:%s has no address: %s does not run on it (give its link a 'prefix' or the interface "
                            "an 'ip')",
                            node->name, si->name, node->routing == SCENARIO_ROUTING_RIP ? "RIP" : "OSPF");
    }
  }
}

void scenario_check_routing(Loader *ld)
{
  routing_check_unaddressed(ld);
  Segments s = segments_new(ld->sc);
  routing_check_segments(ld, &s);
  GArray *areas = routing_areas(ld->sc);
  int *parent = g_new(int, ld->sc->nodes->len + 1);
  for (guint a = 0; areas->len > 1 && a < areas->len; a++)
    if (g_array_index(areas, uint32_t, a) != 0)
      routing_check_area(ld, &s, g_array_index(areas, uint32_t, a), parent);
  g_free(parent);
  g_array_free(areas, TRUE);
  segments_free(&s);
}
