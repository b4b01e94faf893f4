/*
 * IEEE 802.1Q in the scenario: a switch port's `vlan` (an access port's
 * VLAN), `mode` (access or trunk), `vlans` (a trunk's allowed VLANs: a
 * list of numbers and "A-B" ranges) and `native` (a trunk's native VLAN);
 * subinterfaces of hosts and routers, named PARENT.VLAN (`eth0.10`), whose
 * parent is the interface on the link.
 *
 * Entry points: the value parsers scenario_parse_vlan(),
 * scenario_parse_vlan_mode(), scenario_parse_vlans() (the interface
 * schema, scenario_nodes.c); scenario_subif_vid() (is a name a
 * subinterface's?); scenario_check_vlan_keys() (after a node is read);
 * scenario_resolve_subif_links() and scenario_resolve_subifs() (during
 * resolution); scenario_check_vlans() (the checks before a run).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario_private.h"

/* `vlan: 10` or `native: 1`: a VLAN ID, 1-4094. */
gboolean scenario_parse_vlan(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, VLAN_MAX, "a VLAN ID", &v))
    return FALSE;
  *(uint16_t *)dest = (uint16_t)v;
  return TRUE;
}

/* `mode: access` or `mode: trunk`. */
gboolean scenario_parse_vlan_mode(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const modes[] = {"access", "trunk"};
  int m = 0;
  if (!scenario_parse_word(cx, value, modes, G_N_ELEMENTS(modes), "a port mode (access or trunk)", &m))
    return FALSE;
  *(VlanMode *)dest = m == 1 ? VLAN_MODE_TRUNK : VLAN_MODE_ACCESS;
  return TRUE;
}

/* Reads "A-B" (1 <= A <= B <= 4094) into `lo` and `hi`; FALSE if it is not one. */
static gboolean scenario_vlan_range(const char *text, uint64_t *lo, uint64_t *hi)
{
  char *end = NULL;
  if (!g_ascii_isdigit(text[0]))
    return FALSE;
  *lo = g_ascii_strtoull(text, &end, 10);
  if (*end != '-' || !g_ascii_isdigit(end[1]))
    return FALSE;
  *hi = g_ascii_strtoull(end + 1, &end, 10);
  return *end == '\0' && *lo >= 1 && *lo <= *hi && *hi <= VLAN_MAX;
}

/* One item of `vlans`: a VLAN ID or a range "A-B"; allows them on `c`. */
static gboolean scenario_parse_vlans_item(SchemaCtx *cx, const YNode *item, VlanPortConfig *c)
{
  uint64_t lo = 0, hi = 0;
  if (item->type == YNODE_SCALAR && strchr(item->text, '-')) {
    if (!scenario_vlan_range(item->text, &lo, &hi)) {
      schema_error(cx, item, "expected a VLAN range such as '10-20' (VLAN IDs 1 to 4094, the lower first), found '%s'",
                   item->text);
      return FALSE;
    }
  } else if (scenario_parse_uint(cx, item, 1, VLAN_MAX, "a VLAN ID or a range such as '10-20'", &lo)) {
    hi = lo;
  } else {
    return FALSE;
  }
  for (uint64_t v = lo; v <= hi; v++)
    vlan_port_allow(c, (uint16_t)v, TRUE);
  return TRUE;
}

/* `vlans: [10, 20, "100-110"]`: the VLANs a trunk carries (only those). */
gboolean scenario_parse_vlans(SchemaCtx *cx, const YNode *value, void *dest)
{
  VlanPortConfig *c = dest;
  gboolean ok = TRUE;

  if (!schema_expect(cx, value, YNODE_SEQ, "a list of VLAN IDs such as [10, 20]"))
    return FALSE;
  memset(c->allowed, 0, sizeof c->allowed);
  for (guint i = 0; i < value->n; i++) {
    gsize mark = schema_path_push_index(cx, i);
    ok &= scenario_parse_vlans_item(cx, value->items[i], c);
    schema_path_pop(cx, mark);
  }
  return ok;
}

/* The VLAN of a host's or router's subinterface named PARENT.VLAN
 * (`eth0.10`), or 0 when `name` is no subinterface's. */
uint16_t scenario_subif_vid(const ScenarioNode *node, const char *name)
{
  const char *dot = strrchr(name, '.');
  if ((node->kind != NODE_KIND_HOST && node->kind != NODE_KIND_ROUTER) || !dot || dot == name || dot[1] == '0')
    return 0;
  if (!dot[1] || strspn(dot + 1, "0123456789") != strlen(dot + 1) || strlen(dot + 1) > 4)
    return 0;
  int vid = atoi(dot + 1);
  return vid >= 1 && vid <= VLAN_MAX ? (uint16_t)vid : 0;
}

/* A switch port's VLAN keys must agree with its mode; other nodes have none. */
void scenario_check_vlan_keys(SchemaCtx *cx, const ScenarioNode *node)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
    guint given = iface->own.given & SCENARIO_GIVEN_VLAN_KEYS;
    YNode at = scenario_mark_node(iface->mark);
    gboolean trunk = iface->vlan.mode == VLAN_MODE_TRUNK;
    if (given && node->kind != NODE_KIND_SWITCH)
      schema_error(cx, &at,
                   "interface %s of %s '%s': 'vlan', 'mode', 'vlans' and 'native' configure a switch's ports; a "
                   "host or router joins a VLAN through a subinterface such as %s.10",
                   iface->name, node_kind_name(node->kind), node->name, iface->name);
    else if (trunk && (given & SCENARIO_GIVEN_VLAN))
      schema_error(cx, &at,
                   "interface %s of switch '%s' is a trunk: it carries 'vlans' and a 'native' VLAN; 'vlan' is an "
                   "access port's",
                   iface->name, node->name);
    else if (!trunk && (given & (SCENARIO_GIVEN_VLANS | SCENARIO_GIVEN_NATIVE)))
      schema_error(cx, &at,
                   "interface %s of switch '%s' is an access port: 'vlans' and 'native' are a trunk's (add "
                   "'mode: trunk')",
                   iface->name, node->name);
  }
}

/* A link end may not name a subinterface: its parent is on the link. */
void scenario_resolve_subif_links(Loader *ld)
{
  for (guint l = 0; l < ld->sc->links->len; l++)
    for (int e = 0; e < 2; e++) {
      const LinkEnd *end = &scenario_link(ld->sc, l)->ends[e];
      if (end->node < 0 || end->iface < 0)
        continue;
      const ScenarioNode *node = scenario_node(ld->sc, end->node);
      const char *name = g_array_index(node->ifaces, ScenarioIface, end->iface).name;
      uint16_t vid = scenario_subif_vid(node, name);
      if (vid)
        scenario_error_at(
            ld, end->mark, "link end '%s': %s is a subinterface (VLAN %u through %.*s); link its parent %.*s instead",
            end->text, name, vid, (int)(strrchr(name, '.') - name), name, (int)(strrchr(name, '.') - name), name);
    }
}

/* Finds the parent of subinterface `sub` (VLAN `vid`) of `node`; reports
 * and returns -1 when it has none on an Ethernet link. */
static int scenario_subif_parent(Loader *ld, const ScenarioNode *node, const ScenarioIface *sub, uint16_t vid)
{
  char *parent = g_strndup(sub->name, (gsize)(strrchr(sub->name, '.') - sub->name));
  int p = scenario_node_find_iface(node, parent);
  const ScenarioIface *pi = p >= 0 ? &g_array_index(node->ifaces, ScenarioIface, p) : NULL;
  int found = -1;
  if (!pi)
    scenario_error_at(ld, sub->mark, "subinterface %s (VLAN %u) of '%s' needs its parent interface %s on a link",
                      sub->name, vid, node->name, parent);
  else if (scenario_subif_vid(node, parent))
    scenario_error_at(ld, sub->mark, "subinterface %s of '%s': a subinterface of a subinterface (QinQ) is not modelled",
                      sub->name, node->name);
  else if (pi->link < 0 || scenario_link(ld->sc, pi->link)->params.type != LINK_ETHERNET)
    scenario_error_at(ld, sub->mark, "subinterface %s (VLAN %u) of '%s' needs its parent %s on an Ethernet link",
                      sub->name, vid, node->name, parent);
  else
    found = p;
  g_free(parent);
  return found;
}

/* Binds each subinterface to its parent, whose MAC and MTU it takes. */
void scenario_resolve_subifs(Loader *ld)
{
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    ScenarioNode *node = scenario_node(ld->sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      ScenarioIface *sub = &g_array_index(node->ifaces, ScenarioIface, i);
      uint16_t vid = scenario_subif_vid(node, sub->name);
      if (!vid || sub->link >= 0)
        continue;
      int p = scenario_subif_parent(ld, node, sub, vid);
      if (p < 0)
        continue;
      const ScenarioIface *parent = &g_array_index(node->ifaces, ScenarioIface, p);
      sub->parent = p;
      sub->vlan_id = vid;
      memcpy(sub->mac, parent->mac, sizeof sub->mac);
      if (!(sub->own.given & LINK_GIVEN_MTU) || sub->mtu > parent->mtu)
        sub->mtu = parent->mtu;
    }
  }
}
