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
  if (!scenario_parse_word(cx, value, modes, G_N_ELEMENTS(modes), "port mode", &m))
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

/* ---- broadcast domains ------------------------------------------------- */

/* Union-find over what a broadcast reaches: the interfaces of hosts and
 * routers (numbered as scenario_check.c numbers them, subinterfaces
 * included) and each (switch, VLAN) pair in use, an element of its own. */
struct VlanSegs {
  const Scenario *sc;
  const int *first_iface;
  GArray *parent;         /* of int */
  GHashTable *pairs;      /* (switch << 12 | VLAN) + 1 -> element + 1 */
  uint8_t used[4096 / 8]; /* the VLANs of access ports, natives and subinterfaces */
  GArray *used_list;      /* of uint16_t: the same, in order */
  VlanPortConfig plain;   /* a port without VLAN keys (vlan_port_config_defaults()) */
};

static int vs_find(VlanSegs *vs, int x)
{
  int *p = (int *)vs->parent->data;
  while (p[x] != x)
    x = p[x] = p[p[x]];
  return x;
}

static void vs_union(VlanSegs *vs, int a, int b)
{
  if (a >= 0 && b >= 0)
    g_array_index(vs->parent, int, vs_find(vs, a)) = vs_find(vs, b);
}

/* The element of VLAN `vid` on switch `node`. */
static int vs_pair(VlanSegs *vs, int node, uint16_t vid)
{
  gpointer key = GSIZE_TO_POINTER(((gsize)node << 12 | vid) + 1);
  int e = GPOINTER_TO_INT(g_hash_table_lookup(vs->pairs, key)) - 1;
  if (e >= 0)
    return e;
  e = (int)vs->parent->len;
  g_array_append_val(vs->parent, e);
  g_hash_table_insert(vs->pairs, key, GINT_TO_POINTER(e + 1));
  return e;
}

static gboolean vs_used(const VlanSegs *vs, uint16_t vid)
{
  return (vs->used[vid / 8] >> (vid % 8)) & 1;
}

/* The VLAN configuration of a switch port: its own, or the default one
 * when the file gave it none (also for scenarios built by hand). */
static const VlanPortConfig *vs_conf(const VlanSegs *vs, const ScenarioIface *port)
{
  return port->own.given & SCENARIO_GIVEN_VLAN_KEYS ? &port->vlan : &vs->plain;
}

/* The switch port's VLAN of untagged frames, or 0 when it drops them. */
static uint16_t scenario_port_pvid(const VlanPortConfig *c)
{
  uint16_t pvid = c->mode == VLAN_MODE_ACCESS ? c->access : c->native;
  return c->mode == VLAN_MODE_ACCESS || vlan_port_allows(c, pvid) ? pvid : 0;
}

/* TRUE when a switch port of configuration `c` carries VLAN `vid`. */
static gboolean scenario_port_member(const VlanPortConfig *c, uint16_t vid)
{
  return c->mode == VLAN_MODE_ACCESS ? c->access == vid : vlan_port_allows(c, vid);
}

/* The subinterface of VLAN `vid` on interface `parent` of `node`, or -1. */
static int scenario_subif_of(const ScenarioNode *node, int parent, uint16_t vid)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *s = &g_array_index(node->ifaces, ScenarioIface, i);
    if (s->vlan_id == vid && s->parent == parent)
      return (int)i;
  }
  return -1;
}

/* Where a frame arriving at link end `end` goes: untagged (`vid` 0) or
 * tagged with `vid`; -1 where it is dropped. */
static int vs_receive(VlanSegs *vs, const LinkEnd *end, uint16_t vid)
{
  const ScenarioNode *node = scenario_node(vs->sc, end->node);
  const VlanPortConfig *c = vs_conf(vs, scenario_iface(vs->sc, end->node, end->iface));
  if (node->kind == NODE_KIND_HUB) /* a hub repeats frames as they are: one element per tag */
    return vid ? vs_pair(vs, end->node, vid) : vs->first_iface[end->node];
  if (node->kind != NODE_KIND_SWITCH) {
    int sub = vid ? scenario_subif_of(node, end->iface, vid) : end->iface;
    return sub < 0 ? -1 : vs->first_iface[end->node] + sub;
  }
  if (!vid)
    vid = scenario_port_pvid(c);
  else if (c->mode == VLAN_MODE_ACCESS || !vlan_port_allows(c, vid))
    vid = 0;
  return vid ? vs_pair(vs, end->node, vid) : -1;
}

/* Joins what hub end `from` repeats over its link, untagged and tagged with
 * each VLAN in use, with what end `to` makes of it. */
static void vs_hub_link(VlanSegs *vs, const LinkEnd *from, const LinkEnd *to)
{
  vs_union(vs, vs->first_iface[from->node], vs_receive(vs, to, 0));
  for (guint k = 0; k < vs->used_list->len; k++) {
    uint16_t v = g_array_index(vs->used_list, uint16_t, k);
    vs_union(vs, vs_pair(vs, from->node, v), vs_receive(vs, to, v));
  }
}

/* Joins what end `from` sends over its link with what end `to` makes of it. */
static void vs_link(VlanSegs *vs, const LinkEnd *from, const LinkEnd *to)
{
  const ScenarioNode *node = scenario_node(vs->sc, from->node);
  const VlanPortConfig *c = vs_conf(vs, scenario_iface(vs->sc, from->node, from->iface));
  if (node->kind == NODE_KIND_HUB) {
    vs_hub_link(vs, from, to);
    return;
  }
  if (node->kind != NODE_KIND_SWITCH) {
    vs_union(vs, vs->first_iface[from->node] + from->iface, vs_receive(vs, to, 0));
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *s = &g_array_index(node->ifaces, ScenarioIface, i);
      if (s->vlan_id && s->parent == from->iface)
        vs_union(vs, vs->first_iface[from->node] + (int)i, vs_receive(vs, to, s->vlan_id));
    }
    return;
  }
  for (guint k = 0; k < vs->used_list->len; k++) {
    uint16_t v = g_array_index(vs->used_list, uint16_t, k);
    if (scenario_port_member(c, v)) {
      gboolean untagged = c->mode == VLAN_MODE_ACCESS || c->native == v;
      vs_union(vs, vs_pair(vs, from->node, v), vs_receive(vs, to, untagged ? 0 : v));
    }
  }
}

/* Marks the VLANs in use: access ports' and natives (VLAN 1 by default), subinterfaces'. */
static void vs_mark_used(VlanSegs *vs)
{
  for (guint n = 0; n < vs->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(vs->sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *s = &g_array_index(node->ifaces, ScenarioIface, i);
      const VlanPortConfig *c = vs_conf(vs, s);
      uint16_t v = node->kind == NODE_KIND_SWITCH ? (c->mode == VLAN_MODE_ACCESS ? c->access : c->native) : s->vlan_id;
      if (v)
        vs->used[v / 8] |= (uint8_t)(1u << (v % 8));
    }
  }
  vs->used_list = g_array_new(FALSE, FALSE, sizeof(uint16_t));
  for (uint16_t v = 1; v <= VLAN_MAX; v++)
    if (vs_used(vs, v))
      g_array_append_val(vs->used_list, v);
}

/* The broadcast domains of the scenario: elements 0..total-1 are its
 * interfaces (first_iface[node] + index). */
VlanSegs *scenario_vlan_segments(const Scenario *sc, const int *first_iface, int total)
{
  VlanSegs *vs = g_new0(VlanSegs, 1);
  vs->sc = sc;
  vs->first_iface = first_iface;
  vs->parent = g_array_new(FALSE, FALSE, sizeof(int));
  vs->pairs = g_hash_table_new(g_direct_hash, g_direct_equal);
  vlan_port_config_defaults(&vs->plain);
  for (int i = 0; i < total; i++)
    g_array_append_val(vs->parent, i);
  vs_mark_used(vs);
  for (guint l = 0; l < sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(sc, l);
    if (link->ends[0].node < 0 || link->ends[0].iface < 0 || link->ends[1].node < 0 || link->ends[1].iface < 0)
      continue;
    vs_link(vs, &link->ends[0], &link->ends[1]);
    vs_link(vs, &link->ends[1], &link->ends[0]);
  }
  return vs;
}

/* The broadcast domain of element `element` (an interface's). */
int scenario_vlan_segment(VlanSegs *vs, int element)
{
  return vs_find(vs, element);
}

void scenario_vlan_segments_free(VlanSegs *vs)
{
  g_array_free(vs->parent, TRUE);
  g_array_free(vs->used_list, TRUE);
  g_hash_table_destroy(vs->pairs);
  g_free(vs);
}

/* ---- checks ------------------------------------------------------------ */

/* The VLAN an interface of a host or router is in: a subinterface's, or
 * the VLAN of untagged frames at the switch port it faces when that port
 * has VLAN settings; 0 when VLANs do not come into it. */
uint16_t scenario_iface_vlan(const Scenario *sc, int node, int iface)
{
  const ScenarioIface *i = scenario_iface(sc, node, iface);
  if (i->vlan_id)
    return i->vlan_id;
  if (i->link < 0)
    return 0;
  const ScenarioLink *link = scenario_link(sc, i->link);
  const LinkEnd *other = &link->ends[link->ends[0].node == node && link->ends[0].iface == iface];
  const ScenarioIface *port = scenario_iface(sc, other->node, other->iface);
  if (scenario_node(sc, other->node)->kind != NODE_KIND_SWITCH || !(port->own.given & SCENARIO_GIVEN_VLAN_KEYS))
    return 0;
  return port->vlan.mode == VLAN_MODE_ACCESS ? port->vlan.access : port->vlan.native;
}

/* A native VLAN mismatch across a trunk between two switches (Cisco's CDP
 * warns of it): each side's untagged frames land in the other's native VLAN. */
static void scenario_check_native(Loader *ld, const ScenarioLink *link, guint l)
{
  const ScenarioIface *a = scenario_iface(ld->sc, link->ends[0].node, link->ends[0].iface);
  const ScenarioIface *b = scenario_iface(ld->sc, link->ends[1].node, link->ends[1].iface);
  if (a->vlan.mode != VLAN_MODE_TRUNK || b->vlan.mode != VLAN_MODE_TRUNK || a->vlan.native == b->vlan.native)
    return;
  scenario_warning_at(ld, link->mark,
                      "links[%u]: native VLAN mismatch: %u at %s, %u at %s; untagged frames of one VLAN arrive in "
                      "the other",
                      l, a->vlan.native, link->ends[0].text, b->vlan.native, link->ends[1].text);
}

/* Subinterfaces of the host or router at `end` whose VLAN the switch port
 * at `other` does not carry tagged. */
static void scenario_check_subif_link(Loader *ld, const LinkEnd *end, const LinkEnd *other)
{
  const ScenarioNode *node = scenario_node(ld->sc, end->node);
  const ScenarioIface *port = scenario_iface(ld->sc, other->node, other->iface);
  for (guint i = 0; i < node->ifaces->len; i++) {
    const ScenarioIface *s = &g_array_index(node->ifaces, ScenarioIface, i);
    if (!s->vlan_id || s->parent != end->iface)
      continue;
    if (port->vlan.mode == VLAN_MODE_ACCESS)
      scenario_warning_at(ld, s->mark,
                          "subinterface %s:%s sends frames tagged with VLAN %u, but %s is an access port (VLAN %u): "
                          "it drops them (make it a trunk)",
                          node->name, s->name, s->vlan_id, other->text, port->vlan.access);
    else if (!vlan_port_allows(&port->vlan, s->vlan_id) || port->vlan.native == s->vlan_id)
      scenario_warning_at(ld, s->mark, "subinterface %s:%s is in VLAN %u, which trunk %s %s", node->name, s->name,
                          s->vlan_id, other->text,
                          port->vlan.native == s->vlan_id ? "sends untagged (its native VLAN)" : "does not allow");
  }
}

/* Per link: native mismatches, subinterfaces facing ports that drop their frames. */
static void scenario_check_vlan_links(Loader *ld)
{
  for (guint l = 0; l < ld->sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(ld->sc, l);
    if (link->ends[0].node < 0 || link->ends[0].iface < 0 || link->ends[1].node < 0 || link->ends[1].iface < 0)
      continue;
    gboolean sw0 = scenario_node(ld->sc, link->ends[0].node)->kind == NODE_KIND_SWITCH;
    gboolean sw1 = scenario_node(ld->sc, link->ends[1].node)->kind == NODE_KIND_SWITCH;
    if (sw0 && sw1)
      scenario_check_native(ld, link, l);
    else if (sw0)
      scenario_check_subif_link(ld, &link->ends[1], &link->ends[0]);
    else if (sw1)
      scenario_check_subif_link(ld, &link->ends[0], &link->ends[1]);
  }
}

/* An access port: its switch and interface. */
typedef struct {
  int node, iface;
} VlanAccess;

/* The switches joined by links between switches, whatever their VLANs: `phys`. */
static int scenario_phys_find(int *phys, int x)
{
  while (phys[x] != x)
    x = phys[x] = phys[phys[x]];
  return x;
}

static int *scenario_phys_switches(const Scenario *sc)
{
  int *phys = g_new(int, sc->nodes->len + 1);
  for (guint n = 0; n < sc->nodes->len; n++)
    phys[n] = (int)n;
  for (guint l = 0; l < sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(sc, l);
    int a = link->ends[0].node, b = link->ends[1].node;
    if (a >= 0 && b >= 0 && scenario_node(sc, a)->kind == NODE_KIND_SWITCH &&
        scenario_node(sc, b)->kind == NODE_KIND_SWITCH)
      phys[scenario_phys_find(phys, a)] = scenario_phys_find(phys, b);
  }
  return phys;
}

/* Warns about `port` (access, VLAN `vid`), the first of its switch in
 * `firsts`, when the first access port of that VLAN on a switch joined to
 * it by cables is in another broadcast domain. */
static void scenario_check_access(Loader *ld, VlanSegs *vs, int *phys, GArray *firsts, VlanAccess port, uint16_t vid)
{
  for (guint k = 0; k < firsts->len; k++)
    if (g_array_index(firsts, VlanAccess, k).node == port.node)
      return; /* its switch is known */
  g_array_append_val(firsts, port);
  for (guint k = 0; k + 1 < firsts->len; k++) {
    VlanAccess f = g_array_index(firsts, VlanAccess, k);
    if (scenario_phys_find(phys, f.node) != scenario_phys_find(phys, port.node))
      continue;
    if (vs_find(vs, vs_pair(vs, f.node, vid)) != vs_find(vs, vs_pair(vs, port.node, vid)))
      scenario_warning_at(ld, scenario_iface(ld->sc, port.node, port.iface)->mark,
                          "VLAN %u has access ports on '%s' and '%s', but no trunk that carries VLAN %u joins them: "
                          "%s:%s cannot reach %s:%s at layer 2",
                          vid, scenario_node(ld->sc, f.node)->name, scenario_node(ld->sc, port.node)->name, vid,
                          scenario_node(ld->sc, port.node)->name, scenario_iface(ld->sc, port.node, port.iface)->name,
                          scenario_node(ld->sc, f.node)->name, scenario_iface(ld->sc, f.node, f.iface)->name);
    return;
  }
}

/* Each VLAN's access ports: one broadcast domain per switched network. */
static void scenario_check_vlan_access(Loader *ld, VlanSegs *vs)
{
  int *phys = scenario_phys_switches(ld->sc);
  GHashTable *by_vlan = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_array_unref);
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(ld->sc, n);
    for (guint i = 0; node->kind == NODE_KIND_SWITCH && i < node->ifaces->len; i++) {
      const ScenarioIface *p = &g_array_index(node->ifaces, ScenarioIface, i);
      if (p->link < 0 || p->vlan.mode != VLAN_MODE_ACCESS || !(p->own.given & SCENARIO_GIVEN_VLAN))
        continue;
      GArray *firsts = g_hash_table_lookup(by_vlan, GUINT_TO_POINTER(p->vlan.access));
      if (!firsts) {
        firsts = g_array_new(FALSE, FALSE, sizeof(VlanAccess));
        g_hash_table_insert(by_vlan, GUINT_TO_POINTER(p->vlan.access), firsts);
      }
      scenario_check_access(ld, vs, phys, firsts, (VlanAccess){(int)n, (int)i}, p->vlan.access);
    }
  }
  g_hash_table_destroy(by_vlan);
  g_free(phys);
}

/* The VLAN checks before a run (warnings): native mismatches, subinterfaces
 * whose VLAN their link drops, a VLAN split between switches. */
void scenario_check_vlans(Loader *ld)
{
  const Scenario *sc = ld->sc;
  int *first_iface = g_new(int, sc->nodes->len + 1), total = 0;
  for (guint n = 0; n < sc->nodes->len; n++) {
    first_iface[n] = total;
    total += (int)MAX(scenario_node(sc, n)->ifaces->len, 1u);
  }
  VlanSegs *vs = scenario_vlan_segments(sc, first_iface, total);
  scenario_check_vlan_links(ld);
  scenario_check_vlan_access(ld, vs);
  scenario_vlan_segments_free(vs);
  g_free(first_iface);
}
