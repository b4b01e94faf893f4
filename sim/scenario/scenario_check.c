/*
 * Network-aware checks of a resolved scenario, before anything runs.
 * Errors: a host with no link; an address used twice; an address that is
 * its subnet's network or broadcast address; the two ends of a
 * point-to-point link in different subnets; subnets that overlap across
 * different segments (a segment is what a broadcast reaches: a link, or the
 * links joined by switches and hubs, one segment per VLAN: scenario_vlan.c).
 * Warnings: an unconnected router, switch or interface, a switch or hub
 * with one link, a loop of switches (also through hubs) that run no
 * spanning tree, a
 * segment that mixes subnets, MTUs that differ across a link, apps that
 * together send more than SCENARIO_MANY_PACKETS packets (a run that would
 * take hours: a 1-byte udp-cbr at 1000Gbps). Interfaces wired to a TAP
 * device or bridge (`tap:`): never also on a link, never on a Linux host,
 * never two on one device.
 *
 * Entry point: scenario_check(), on a scenario that resolved without error.
 */
#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

typedef struct {
  int node;
  int iface;
} IfaceRef;

static gboolean scenario_link_resolved(const ScenarioLink *link)
{
  return link->ends[0].node >= 0 && link->ends[0].iface >= 0 && link->ends[1].node >= 0 && link->ends[1].iface >= 0;
}

static void scenario_check_connections(Loader *ld)
{
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(ld->sc, n);
    guint links = 0;
    for (guint i = 0; i < node->ifaces->len; i++)
      links +=
          g_array_index(node->ifaces, ScenarioIface, i).link >= 0 || g_array_index(node->ifaces, ScenarioIface, i).tap;
    if (links == 0 && node->kind == NODE_KIND_HOST)
      scenario_error_at(ld, node->mark, "host '%s' has no link; connect it in 'links'", node->name);
    else if (links == 0)
      scenario_warning_at(ld, node->mark, "%s '%s' has no link", node_kind_name(node->kind), node->name);
    else if (links == 1 && node_kind_is_l2(node->kind))
      scenario_warning_at(ld, node->mark, "%s '%s' has only one link; it forwards nothing", node_kind_name(node->kind),
                          node->name);
    for (guint i = 0; links > 0 && i < node->ifaces->len; i++) {
      const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
      if (iface->link < 0 && !iface->tap && !iface->vlan_id)
        scenario_warning_at(ld, iface->mark, "interface %s:%s is not connected to any link", node->name, iface->name);
    }
  }
}

/* Reports addresses used twice and addresses no host may take. */
static void scenario_check_addresses(Loader *ld)
{
  GHashTable *seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(ld->sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
      if (!iface->has_ip)
        continue;
      char text[ADDR_CIDR_TEXT];
      addr_format_cidr(iface->ip.addr, iface->ip.len, text);
      uint32_t mask = addr_mask(iface->ip.len), host = iface->ip.addr & ~mask;
      const IfaceRef *first = g_hash_table_lookup(seen, GUINT_TO_POINTER(iface->ip.addr));
      if (first) {
        const ScenarioNode *other = scenario_node(ld->sc, first->node);
        scenario_error_at(ld, iface->mark, "address %s of %s:%s is already used by %s:%s (line %d)", text, node->name,
                          iface->name, other->name, scenario_iface(ld->sc, first->node, first->iface)->name,
                          scenario_iface(ld->sc, first->node, first->iface)->mark.line);
      } else {
        IfaceRef *ref = g_new(IfaceRef, 1);
        *ref = (IfaceRef){(int)n, (int)i};
        g_hash_table_insert(seen, GUINT_TO_POINTER(iface->ip.addr), ref);
      }
      if (iface->ip.len == 32)
        scenario_error_at(ld, iface->mark, "%s:%s has %s, which leaves no address for a neighbour", node->name,
                          iface->name, text);
      else if (iface->ip.len <= 30 && (host == 0 || host == ~mask))
        scenario_error_at(ld, iface->mark, "%s of %s:%s is the %s address of its subnet, not a host address", text,
                          node->name, iface->name, host == 0 ? "network" : "broadcast");
    }
  }
  g_hash_table_destroy(seen);
}

static gboolean scenario_same_subnet(const Ipv4Prefix *a, const Ipv4Prefix *b)
{
  return a->len == b->len && (a->addr & addr_mask(a->len)) == (b->addr & addr_mask(b->len));
}

/* A PPP link joins two hosts or routers (a switch bridges Ethernet only),
 * whose interfaces on it have no MAC address to give. */
static void scenario_check_ppp(Loader *ld, const ScenarioLink *link, guint l)
{
  for (int e = 0; e < 2; e++) {
    const ScenarioNode *node = scenario_node(ld->sc, link->ends[e].node);
    const ScenarioIface *iface = scenario_iface(ld->sc, link->ends[e].node, link->ends[e].iface);
    if (node->kind == NODE_KIND_SWITCH)
      scenario_error_at(ld, link->mark,
                        "links[%u] is a PPP link, but '%s' is a switch; a switch bridges Ethernet links only", l,
                        node->name);
    else if (node->kind == NODE_KIND_HUB)
      scenario_error_at(ld, link->mark, "links[%u] is a PPP link, but '%s' is a hub; a hub repeats Ethernet links only",
                        l, node->name);
    else if (node->kind == NODE_KIND_LINUX)
      scenario_error_at(
          ld, link->mark,
          "links[%u] is a PPP link, but '%s' is a Linux host; its interfaces are TAP devices, Ethernet only", l,
          node->name);
    else if (iface->own.given & SCENARIO_GIVEN_MAC)
      scenario_error_at(ld, iface->mark, "%s has a MAC address, but it is on PPP links[%u]; PPP has no MAC addresses",
                        link->ends[e].text, l);
  }
}

/* A point-to-point link between two addressed layer-3 ends needs one subnet;
 * MTUs that differ across any link are suspicious. */
static void scenario_check_links(Loader *ld)
{
  for (guint l = 0; l < ld->sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(ld->sc, l);
    if (!scenario_link_resolved(link))
      continue;
    const ScenarioIface *a = scenario_iface(ld->sc, link->ends[0].node, link->ends[0].iface);
    const ScenarioIface *b = scenario_iface(ld->sc, link->ends[1].node, link->ends[1].iface);
    if (a->has_ip && b->has_ip && !scenario_same_subnet(&a->ip, &b->ip)) {
      char pa[ADDR_CIDR_TEXT], pb[ADDR_CIDR_TEXT];
      addr_format_cidr(a->ip.addr, a->ip.len, pa);
      addr_format_cidr(b->ip.addr, b->ip.len, pb);
      scenario_error_at(ld, link->mark, "links[%u]: %s has %s and %s has %s; the two ends must share one subnet", l,
                        link->ends[0].text, pa, link->ends[1].text, pb);
    }
    if (link->params.type == LINK_PPP)
      scenario_check_ppp(ld, link, l);
    if (a->mtu != b->mtu)
      scenario_warning_at(ld, link->mark, "links[%u]: MTU %u at %s but %u at %s", l, a->mtu, link->ends[0].text, b->mtu,
                          link->ends[1].text);
  }
}

/* Union-find over integers, for segments and switch loops. */
static int scenario_find(int *parent, int x)
{
  while (parent[x] != x)
    x = parent[x] = parent[parent[x]];
  return x;
}

/* Numbers every interface; returns the total and fills first_iface[node]. */
static int scenario_number_ifaces(const Scenario *sc, int *first_iface)
{
  int total = 0;
  for (guint n = 0; n < sc->nodes->len; n++) {
    first_iface[n] = total;
    total += (int)MAX(scenario_node(sc, n)->ifaces->len, 1u);
  }
  return total;
}

/* TRUE when link `link` joins two switches or hubs and no switch of the
 * two runs a spanning tree, which would block a port of any loop through
 * it (BPDUs cross a switch without one as any multicast, and a hub). */
static gboolean scenario_link_plain_switches(const Scenario *sc, const ScenarioLink *link)
{
  for (int e = 0; e < 2; e++) {
    const ScenarioNode *node = scenario_node(sc, link->ends[e].node);
    if (!node_kind_is_l2(node->kind) || (node->kind == NODE_KIND_SWITCH && node->stp.mode != STP_MODE_OFF))
      return FALSE;
  }
  return TRUE;
}

/* Warns about each link closing a loop of switches that run no spanning tree. */
static void scenario_check_switch_loops(Loader *ld, const int *first_iface, int *parent, int total)
{
  for (int i = 0; i < total; i++)
    parent[i] = i;
  for (guint l = 0; l < ld->sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(ld->sc, l);
    if (!scenario_link_resolved(link) || !scenario_link_plain_switches(ld->sc, link))
      continue;
    int a = scenario_find(parent, first_iface[link->ends[0].node]);
    int b = scenario_find(parent, first_iface[link->ends[1].node]);
    gboolean hub = scenario_node(ld->sc, link->ends[0].node)->kind == NODE_KIND_HUB ||
                   scenario_node(ld->sc, link->ends[1].node)->kind == NODE_KIND_HUB;
    if (a == b)
      scenario_warning_at(ld, link->mark,
                          "links[%u] (%s - %s) closes a loop of %s that run no spanning tree: a broadcast "
                          "circulates until queues overflow (give a switch of the loop `stp: rstp`)",
                          l, link->ends[0].text, link->ends[1].text, hub ? "switches through a hub" : "switches");
    parent[a] = b;
  }
}

typedef struct {
  uint32_t start;
  uint32_t end;
  int segment;
  IfaceRef ref;
} SubnetUse;

static int scenario_subnet_compare(gconstpointer pa, gconstpointer pb)
{
  const SubnetUse *a = pa, *b = pb;
  if (a->start != b->start)
    return a->start < b->start ? -1 : 1;
  if (a->end != b->end)
    return a->end > b->end ? -1 : 1; /* wider first */
  return a->segment - b->segment;
}

static void scenario_report_overlap(Loader *ld, const SubnetUse *wide, const SubnetUse *inner)
{
  const Scenario *sc = ld->sc;
  const ScenarioIface *a = scenario_iface(sc, wide->ref.node, wide->ref.iface);
  const ScenarioIface *b = scenario_iface(sc, inner->ref.node, inner->ref.iface);
  char pa[ADDR_CIDR_TEXT], pb[ADDR_CIDR_TEXT];
  addr_format_cidr(wide->start, a->ip.len, pa);
  addr_format_cidr(inner->start, b->ip.len, pb);
  uint16_t va = scenario_iface_vlan(sc, wide->ref.node, wide->ref.iface);
  uint16_t vb = scenario_iface_vlan(sc, inner->ref.node, inner->ref.iface);
  if (va && vb && va != vb) /* scenario_vlan.c: IEEE 802.1Q */
    scenario_error_at(ld, b->mark,
                      "subnet %s of %s:%s (VLAN %u) overlaps subnet %s of %s:%s (VLAN %u); a subnet lives in one VLAN "
                      "(ARP requests stay in theirs)",
                      pb, scenario_node(sc, inner->ref.node)->name, b->name, vb, pa,
                      scenario_node(sc, wide->ref.node)->name, a->name, va);
  else
    scenario_error_at(ld, b->mark, "subnet %s of %s:%s overlaps subnet %s of %s:%s, which is on another segment", pb,
                      scenario_node(sc, inner->ref.node)->name, b->name, pa, scenario_node(sc, wide->ref.node)->name,
                      a->name);
}

/* Sorted by start (wider first), prefixes either nest or are disjoint, so
 * the prefixes still open at a subnet's start all contain it: they form a
 * stack at most 33 deep. A subnet overlaps another segment when an open
 * prefix belongs to one; the innermost such prefix is named. */
static void scenario_check_overlaps(Loader *ld, GArray *uses)
{
  g_array_sort(uses, scenario_subnet_compare);
  const SubnetUse *open[33];
  guint depth = 0;
  for (guint i = 0; i < uses->len; i++) {
    const SubnetUse *u = &g_array_index(uses, SubnetUse, i);
    while (depth > 0 && open[depth - 1]->end < u->start)
      depth--;
    for (guint j = depth; j-- > 0;)
      if (open[j]->segment != u->segment) {
        scenario_report_overlap(ld, open[j], u);
        break;
      }
    if (depth < G_N_ELEMENTS(open))
      open[depth++] = u;
  }
}

/* TRUE when the interface's link leads to a switch or a hub (point-to-point
 * mismatches are errors reported by scenario_check_links). */
static gboolean scenario_on_switch(const Scenario *sc, const ScenarioIface *iface)
{
  if (iface->link < 0)
    return FALSE;
  const ScenarioLink *link = scenario_link(sc, iface->link);
  return node_kind_is_l2(scenario_node(sc, link->ends[0].node)->kind) ||
         node_kind_is_l2(scenario_node(sc, link->ends[1].node)->kind);
}

/* Records one SubnetUse per (segment, subnet) and warns about segments that mix subnets. */
static void scenario_collect_subnets(Loader *ld, const int *first_iface, VlanSegs *segs, GArray *uses)
{
  GHashTable *first_by_segment = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < ld->sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(ld->sc, n)->ifaces->len; i++) {
      const ScenarioIface *iface = scenario_iface(ld->sc, (int)n, (int)i);
      if (!iface->has_ip || iface->ip.len == 32 || (iface->link < 0 && !iface->vlan_id))
        continue;
      int seg = scenario_vlan_segment(segs, first_iface[n] + (int)i);
      uint32_t mask = addr_mask(iface->ip.len);
      SubnetUse use = {iface->ip.addr & mask, (iface->ip.addr & mask) | ~mask, seg, {(int)n, (int)i}};
      guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(first_by_segment, GINT_TO_POINTER(seg)));
      if (idx) {
        const SubnetUse *first = &g_array_index(uses, SubnetUse, idx - 1);
        if (first->start == use.start && first->end == use.end)
          continue;
        const ScenarioIface *f = scenario_iface(ld->sc, first->ref.node, first->ref.iface);
        if (scenario_on_switch(ld->sc, iface))
          scenario_warning_at(ld, iface->mark, "%s:%s is on the same segment as %s:%s but in another subnet",
                              scenario_node(ld->sc, n)->name, iface->name, scenario_node(ld->sc, first->ref.node)->name,
                              f->name);
      } else {
        g_hash_table_insert(first_by_segment, GINT_TO_POINTER(seg), GUINT_TO_POINTER(uses->len + 1));
      }
      g_array_append_val(uses, use);
    }
  g_hash_table_destroy(first_by_segment);
}

static void scenario_check_segments(Loader *ld)
{
  const Scenario *sc = ld->sc;
  int *first_iface = g_new(int, sc->nodes->len + 1);
  int total = scenario_number_ifaces(sc, first_iface);
  int *parent = g_new(int, total + 1);
  scenario_check_switch_loops(ld, first_iface, parent, total);
  VlanSegs *segs = scenario_vlan_segments(sc, first_iface, total); /* one per VLAN of joined switches */
  GArray *uses = g_array_new(FALSE, FALSE, sizeof(SubnetUse));
  scenario_collect_subnets(ld, first_iface, segs, uses);
  scenario_check_overlaps(ld, uses);
  g_array_free(uses, TRUE);
  scenario_vlan_segments_free(segs);
  g_free(parent);
  g_free(first_iface);
}

/* Runs every network-aware check on the resolved scenario. */
#define SCENARIO_MANY_PACKETS 1e8

/* About how many packets an app sends on its own: a count, or its active
 * time over its interval (an onoff app only while on); 0 for the kinds
 * whose packets follow the network (TCP, traceroute, servers, sinks). */
static double scenario_app_packets(const Scenario *sc, const AppConfig *app)
{
  if (app->kind != APP_UDP_CBR && app->kind != APP_ONOFF && app->kind != APP_PING && app->kind != APP_UDP_ECHO)
    return 0;
  SimTime end = app->stop > 0 && app->stop < sc->stop ? app->stop : sc->stop;
  double n = end > app->start && app->interval > 0 ? (double)(end - app->start) / (double)app->interval : 0;
  if (app->kind == APP_ONOFF && app->on_time.mean + app->off_time.mean > 0)
    n *= (double)app->on_time.mean / (double)(app->on_time.mean + app->off_time.mean);
  return app->count > 0 ? MIN(n, (double)app->count) : n;
}

/* Warns, at the app that sends the most, when the apps alone send more
 * than SCENARIO_MANY_PACKETS packets. */
static void scenario_check_packets(Loader *ld)
{
  double total = 0, most = 0;
  const AppConfig *top = NULL;
  for (guint i = 0; i < ld->sc->apps->len; i++) {
    const AppConfig *app = scenario_app(ld->sc, (int)i);
    double n = scenario_app_packets(ld->sc, app);
    total += n;
    if (n > most) {
      most = n;
      top = app;
    }
  }
  if (total > SCENARIO_MANY_PACKETS)
    scenario_warning_at(ld, top->mark,
                        "the apps alone send about %.2g packets ('%s' about %.2g), more than 1e8: the run will take "
                        "very long; lower a rate or shorten the run",
                        total, top->name, most);
}

/* One interface's `tap`: on a simulated node, not on a link, its device not taken already (`seen`: name ->
 * "node:iface"). */
static void scenario_check_tap(Loader *ld, const ScenarioNode *node, const ScenarioIface *iface, GHashTable *seen)
{
  const char *other = g_hash_table_lookup(seen, iface->tap);
  if (node->kind == NODE_KIND_LINUX)
    scenario_error_at(ld, iface->tap_mark,
                      "%s:%s: a Linux host's interfaces are TAP devices already; 'tap' wires a "
                      "simulated interface to a device outside",
                      node->name, iface->name);
  else if (node->kind == NODE_KIND_HUB)
    scenario_error_at(ld, iface->tap_mark,
                      "%s:%s: a hub's ports share its medium, which does not reach a device outside; wire a host, "
                      "router or switch to the device",
                      node->name, iface->name);
  else if (iface->link >= 0)
    scenario_error_at(ld, iface->tap_mark,
                      "%s:%s is an end of links[%d] and has 'tap: %s': an interface is wired to "
                      "a link or to a device, not both",
                      node->name, iface->name, iface->link, iface->tap);
  else if (other)
    scenario_error_at(ld, iface->tap_mark, "%s:%s: device '%s' is taken by %s already", node->name, iface->name,
                      iface->tap, other);
  else
    g_hash_table_insert(seen, iface->tap, g_strdup_printf("%s:%s", node->name, iface->name));
}

static void scenario_check_taps(Loader *ld)
{
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  for (guint n = 0; n < ld->sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(ld->sc, n)->ifaces->len; i++)
      if (scenario_iface(ld->sc, (int)n, (int)i)->tap)
        scenario_check_tap(ld, scenario_node(ld->sc, n), scenario_iface(ld->sc, (int)n, (int)i), seen);
  g_hash_table_destroy(seen);
}

void scenario_check(Loader *ld)
{
  scenario_check_taps(ld);
  scenario_check_packets(ld);
  scenario_check_connections(ld);
  scenario_check_addresses(ld);
  scenario_check_links(ld);
  scenario_check_hubs(ld);
  scenario_check_segments(ld);
  scenario_check_vlans(ld); /* scenario_vlan.c */
  scenario_check_routing(ld);
}
