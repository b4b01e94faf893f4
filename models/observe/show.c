/*
 * Snapshots of forwarding state as text, in the shape of FRR's and Cisco's
 * `show` commands (see show.h): a routing table as FRR's `show ip route`
 * (codes, '>' for the selected route of a prefix, '*' for one in the FIB,
 * `[distance/metric]`, a line per next hop of a multipath group, a route
 * through a down interface marked inactive), ARP caches as `show arp`
 * (address, MAC, interface, state, age) and a MAC table as `show mac
 * address-table` (MAC, port, age), a spanning tree as Cisco's `show
 * spanning-tree` (root and bridge IDs, root cost and port, timers, then
 * per port its role, state, cost, priority.number and designated bridge).
 * RIP and OSPF print their own views
 * (rip_show(), ospf_show_*()).
 *
 * Entry points: show_kind_names, show_kind_title(), show_kind_problem(),
 * show_node(), show_routes(), show_arp(), show_mac(), show_stp().
 *
 * Leaves out: FRR's route ages and weights, kernel routes and the other
 * protocols' codes, VLANs in the MAC table (ipsim has none).
 */
#include "models/observe/show.h"

#include <stdlib.h>

#include "models/core/node.h"
#include "models/internet/ipv4.h"
#include "models/link/arp.h"
#include "models/link/stp.h"
#include "models/link/switch.h"
#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "sim/text/addr.h"

const char *const show_kind_names[SHOW_KIND_COUNT] = {
    [SHOW_ROUTES] = "routes",
    [SHOW_RIP] = "rip",
    [SHOW_OSPF_NEIGHBORS] = "ospf-neighbors",
    [SHOW_OSPF_DATABASE] = "ospf-database",
    [SHOW_OSPF_INTERFACES] = "ospf-interfaces",
    [SHOW_ARP] = "arp",
    [SHOW_MAC] = "mac",
    [SHOW_STP] = "stp",
};

/* The command a snapshot kind stands for: "show ip route". */
const char *show_kind_title(ShowKind kind)
{
  static const char *const titles[SHOW_KIND_COUNT] = {
      [SHOW_ROUTES] = "show ip route",
      [SHOW_RIP] = "show ip rip",
      [SHOW_OSPF_NEIGHBORS] = "show ip ospf neighbor",
      [SHOW_OSPF_DATABASE] = "show ip ospf database",
      [SHOW_OSPF_INTERFACES] = "show ip ospf interface",
      [SHOW_ARP] = "show arp",
      [SHOW_MAC] = "show mac address-table",
      [SHOW_STP] = "show spanning-tree",
  };
  return kind < SHOW_KIND_COUNT ? titles[kind] : "?";
}

/* Why a snapshot kind does not apply to a node (a switch or not, running
 * RIP, OSPF), as the end of a sentence naming the node ("does not run
 * RIP"); NULL when it applies. */
const char *show_kind_problem(ShowKind kind, gboolean is_switch, gboolean runs_rip, gboolean runs_ospf)
{
  switch (kind) {
  case SHOW_ROUTES:
  case SHOW_ARP:
    return is_switch ? "is a switch: it has no IP routes or ARP cache; 'mac' shows its MAC table" : NULL;
  case SHOW_MAC:
    return is_switch ? NULL
                     : "is not a switch: 'mac' shows a switch's MAC table; 'arp' shows a host's or router's ARP cache";
  case SHOW_STP:
    return is_switch ? NULL : "is not a switch: 'stp' shows a switch's spanning tree";
  case SHOW_RIP:
    return runs_rip ? NULL : "does not run RIP";
  case SHOW_OSPF_NEIGHBORS:
  case SHOW_OSPF_DATABASE:
  case SHOW_OSPF_INTERFACES:
    return runs_ospf ? NULL : "does not run OSPF";
  case SHOW_KIND_COUNT:
    break;
  }
  return "?";
}

/* Appends the snapshot `kind` of `node` (no header). */
void show_node(Node *node, ShowKind kind, GString *out)
{
  switch (kind) {
  case SHOW_ROUTES:
    show_routes(node, out);
    break;
  case SHOW_RIP:
    if (node->rip)
      rip_show(node->rip, out);
    break;
  case SHOW_OSPF_NEIGHBORS:
    if (node->ospf)
      ospf_show_neighbors(node->ospf, out);
    break;
  case SHOW_OSPF_DATABASE:
    if (node->ospf)
      ospf_show_database(node->ospf, out);
    break;
  case SHOW_OSPF_INTERFACES:
    if (node->ospf)
      ospf_show_interfaces(node->ospf, out);
    break;
  case SHOW_ARP:
    show_arp(node, out);
    break;
  case SHOW_MAC:
    show_mac(node, out);
    break;
  case SHOW_STP:
    show_stp(node, out);
    break;
  case SHOW_KIND_COUNT:
    break;
  }
}

/* ---- show ip route ------------------------------------------------------ */

static char show_route_code(RouteOrigin origin)
{
  static const char codes[ROUTE_ORIGIN_COUNT] = {
      [ROUTE_CONNECTED] = 'C', [ROUTE_STATIC] = 'S', [ROUTE_AUTO] = 'A', [ROUTE_RIP] = 'R', [ROUTE_OSPF] = 'O'};
  return origin < ROUTE_ORIGIN_COUNT ? codes[origin] : '?';
}

/* Orders routes by prefix address, then length (qsort on const Route *). */
static int show_route_compare(const void *pa, const void *pb)
{
  const Route *a = *(const Route *const *)pa, *b = *(const Route *const *)pb;
  if (a->prefix != b->prefix)
    return a->prefix < b->prefix ? -1 : 1;
  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  return a < b ? -1 : a > b;
}

/* TRUE when `r` is among the paths[0..n) the node uses for its prefix. */
static gboolean show_route_selected(const Route *r, const Route *const *paths, guint n)
{
  for (guint i = 0; i < n; i++)
    if (paths[i] == r)
      return TRUE;
  return FALSE;
}

/* Appends ", eth1" and " inactive" when the interface is down. */
static void show_route_iface(GString *out, const Route *r)
{
  g_string_append_printf(out, ", %s%s\n", r->iface ? r->iface->name : "-",
                         r->iface && !r->iface->up ? " inactive" : "");
}

/* Appends one route: "O>* 10.0.3.0/24 [110/20] via 10.0.12.2, eth1", or,
 * with `cont` (a further next hop of the group above, whose first line's
 * text up to "via" was `indent` long), "  *     via 10.0.13.2, eth2". */
static void show_route_line(GString *out, const Route *r, gboolean selected, gboolean cont, gsize *indent)
{
  char pfx[ADDR_CIDR_TEXT], gw[ADDR_IPV4_TEXT];
  gsize start = out->len;
  gboolean fib = selected && (!r->iface || r->iface->up);
  if (cont) {
    g_string_append_printf(out, "  %c%*s", fib ? '*' : ' ', (int)(*indent > 3 ? *indent - 3 : 0), "");
  } else {
    g_string_append_printf(out, "%c%c%c %s ", show_route_code(r->origin), selected ? '>' : ' ', fib ? '*' : ' ',
                           addr_format_cidr(r->prefix, r->len, pfx));
    if (r->origin != ROUTE_CONNECTED)
      g_string_append_printf(out, "[%u/%u] ", route_distance(r->origin), r->metric);
    *indent = out->len - start;
  }
  if (r->gateway)
    g_string_append_printf(out, "via %s", addr_format_ipv4(r->gateway, gw));
  else
    g_string_append(out, "is directly connected");
  show_route_iface(out, r);
}

/* Appends the routes of one prefix, routes[0..n): the selected ones (a
 * multipath group on consecutive lines) first, then the others. */
static void show_prefix(GString *out, Node *node, const Route *const *routes, guint n)
{
  const Route *paths[ROUTE_MAX_PATHS];
  guint np = route_paths_prefix(node->ip->routes, routes[0]->prefix, routes[0]->len, paths, ROUTE_MAX_PATHS);
  gsize indent = 0;
  if (np && (paths[0]->prefix != routes[0]->prefix || paths[0]->len != routes[0]->len))
    np = 0; /* a shorter prefix covers this one: none of its own is usable */
  for (guint i = 0; i < np; i++)
    show_route_line(out, paths[i], TRUE, i > 0 && paths[i]->origin == paths[0]->origin, &indent);
  for (guint i = 0; i < n; i++)
    if (!show_route_selected(routes[i], paths, np))
      show_route_line(out, routes[i], FALSE, FALSE, &indent);
}

/* Appends the node's routing table as FRR's `show ip route`. */
void show_routes(Node *node, GString *out)
{
  if (!node->ip)
    return;
  ipv4_route(node, 0); /* brings automatic routes up to date, as a packet would */
  const GArray *routes = route_table_routes(node->ip->routes);
  const Route **sorted = g_new(const Route *, routes->len + 1);
  for (guint i = 0; i < routes->len; i++)
    sorted[i] = &g_array_index(routes, Route, i);
  qsort(sorted, routes->len, sizeof *sorted, show_route_compare);
  g_string_append(out, "Codes: C - connected, S - static, A - auto, R - RIP, O - OSPF,\n"
                       "       > - selected route, * - FIB route\n\n");
  for (guint i = 0, j; i < routes->len; i = j) {
    for (j = i + 1; j < routes->len && sorted[j]->prefix == sorted[i]->prefix && sorted[j]->len == sorted[i]->len;)
      j++;
    show_prefix(out, node, sorted + i, j - i);
  }
  g_free(sorted);
}

/* ---- show arp, show mac address-table ----------------------------------- */

static int show_arp_compare(const void *pa, const void *pb)
{
  const ArpEntryView *a = pa, *b = pb;
  return a->ip < b->ip ? -1 : a->ip > b->ip;
}

/* Appends the ARP cache of one interface, in address order. */
static void show_arp_iface(GString *out, const Iface *iface)
{
  GArray *entries = g_array_new(FALSE, FALSE, sizeof(ArpEntryView));
  arp_cache_entries(iface->arp, entries);
  g_array_sort(entries, show_arp_compare);
  for (guint i = 0; i < entries->len; i++) {
    const ArpEntryView *e = &g_array_index(entries, ArpEntryView, i);
    char ip[ADDR_IPV4_TEXT], mac[ADDR_MAC_TEXT];
    addr_format_mac(e->mac, mac);
    if (e->resolved)
      g_string_append_printf(out, "%-16s %-18s %-10s %-10s %.3fs\n", addr_format_ipv4(e->ip, ip), mac, iface->name,
                             "REACHABLE", (double)e->age / 1e9);
    else
      g_string_append_printf(out, "%-16s %-18s %-10s %-10s -\n", addr_format_ipv4(e->ip, ip), "(incomplete)",
                             iface->name, "INCOMPLETE");
  }
  g_array_free(entries, TRUE);
}

/* Appends the node's ARP caches as `show arp` (one table, by interface then address). */
void show_arp(Node *node, GString *out)
{
  g_string_append_printf(out, "%-16s %-18s %-10s %-10s %s\n", "Address", "MAC", "Interface", "State", "Age");
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->arp)
      show_arp_iface(out, node_iface(node, i));
}

static int show_mac_compare(const void *pa, const void *pb)
{
  const SwitchEntryView *a = pa, *b = pb;
  if (a->vlan != b->vlan)
    return a->vlan < b->vlan ? -1 : 1;
  if (a->port->index != b->port->index)
    return a->port->index < b->port->index ? -1 : 1;
  return memcmp(a->mac, b->mac, 6);
}

/* Appends a switch's MAC table as `show mac address-table`, by VLAN (IEEE
 * 802.1Q: each VLAN learns apart), then port, then MAC. */
void show_mac(Node *node, GString *out)
{
  if (!node->sw)
    return;
  GArray *entries = g_array_new(FALSE, FALSE, sizeof(SwitchEntryView));
  switch_table_entries(node->sw, entries);
  g_array_sort(entries, show_mac_compare);
  g_string_append_printf(out, "%-5s %-18s %-10s %s\n", "Vlan", "MAC Address", "Port", "Age");
  for (guint i = 0; i < entries->len; i++) {
    const SwitchEntryView *e = &g_array_index(entries, SwitchEntryView, i);
    char mac[ADDR_MAC_TEXT];
    addr_format_mac(e->mac, mac);
    g_string_append_printf(out, "%-5u %-18s %-10s %.3fs\n", e->vlan, mac, e->port->name, (double)e->age / 1e9);
  }
  g_array_free(entries, TRUE);
}

/* The bridge part of `show spanning-tree`. */
static void show_stp_bridge(const StpBridgeView *b, GString *out)
{
  char root[24], bridge[24];
  stp_format_bridge_id(root, b->root);
  stp_format_bridge_id(bridge, b->bridge);
  g_string_append(out, b->rapid ? "Spanning tree enabled protocol rstp (802.1w)\n"
                                : "Spanning tree enabled protocol ieee (802.1D)\n");
  if (b->root_port)
    g_string_append_printf(out, "Root ID    %s  cost %u  port %s\n", root, b->root_cost, b->root_port->name);
  else
    g_string_append_printf(out, "Root ID    %s  this bridge is the root\n", root);
  g_string_append_printf(out, "Bridge ID  %s\n", bridge);
  char *h = units_format_duration(b->hello), *m = units_format_duration(b->max_age),
       *f = units_format_duration(b->forward_delay);
  g_string_append_printf(out, "Timers     hello %s  max age %s  forward delay %s\n", h, m, f);
  g_string_append_printf(out, "Topology change %s\n\n", b->topology_change ? "yes (MAC aging at forward delay)" : "no");
  g_free(h);
  g_free(m);
  g_free(f);
}

/* Appends a switch's spanning tree as Cisco's `show spanning-tree`. */
void show_stp(Node *node, GString *out)
{
  Stp *stp = node->sw ? switch_stp(node->sw) : NULL;
  if (!stp) {
    g_string_append(out, "Spanning tree off\n");
    return;
  }
  StpBridgeView b;
  stp_bridge_view(stp, &b);
  show_stp_bridge(&b, out);
  g_string_append_printf(out, "%-10s %-11s %-11s %-10s %-9s %s\n", "Interface", "Role", "State", "Cost", "Prio.Nbr",
                         "Designated bridge.port");
  for (guint i = 0; i < node->ifaces->len; i++) {
    StpPortView p;
    char designated[24], prio[12];
    stp_port_view(stp, i, &p);
    stp_format_bridge_id(designated, p.designated_bridge);
    g_snprintf(prio, sizeof prio, "%u.%u", p.port_id >> 8, p.port_id & 0xfffu);
    g_string_append_printf(out, "%-10s %-11s %-11s %-10u %-9s %s.%04x%s\n", p.iface->name, stp_role_names[p.role],
                           stp_state_names[p.state], p.cost, prio, designated, p.designated_port,
                           p.edge       ? "  edge"
                           : p.stp_peer ? "  peer(STP)"
                                        : "");
  }
}
