/*
 * Resolution: turning what the file says into a complete network.
 *  1. Link ends name interfaces: "r1:eth0" must be declared; a bare "h1"
 *     takes the node's first declared interface no link has named, or a new
 *     ethN. Explicit ends are resolved before bare ones, so that a bare end
 *     never takes an interface another link names.
 *  2. Effective parameters: rate, delay and loss from the link, else
 *     defaults.link, else built-in; an interface's MTU and queue from the
 *     interface, else its link, else defaults.<kind>, else defaults.link,
 *     else built-in.
 *  3. A link's `prefix` gives its unaddressed host and router ends the lowest
 *     free addresses of the prefix.
 *  4. MAC addresses: given ones must be unique; the rest are assigned
 *     02:00:00:00:00:01 upwards in file order, skipping given ones. A
 *     subinterface (eth0.10, scenario_vlan.c) takes its parent's MAC and MTU.
 *  5. Routing settings: effective routing modes, aging times, gateways and
 *     static routes (scenario_routes.c); the RIP and OSPF settings of each
 *     router (scenario_routing.c).
 *
 * Entry point: scenario_resolve().
 */
#include <string.h>

#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

static void scenario_unknown_node(Loader *ld, const LinkEnd *end, const char *name)
{
  Scenario *sc = ld->sc;
  const char **names = g_new(const char *, sc->nodes->len + 1);
  for (guint i = 0; i < sc->nodes->len; i++)
    names[i] = scenario_node(sc, i)->name;
  char *near = diag_suggest(name, names, sc->nodes->len);
  if (near)
    scenario_error_at(ld, end->mark, "link end '%s': no node '%s'; did you mean '%s'?", end->text, name, near);
  else
    scenario_error_at(ld, end->mark, "link end '%s': no node '%s' in 'nodes'", end->text, name);
  g_free(near);
  g_free(names);
}

static void scenario_unknown_iface(Loader *ld, const LinkEnd *end, const ScenarioNode *node, const char *name)
{
  const char **names = g_new(const char *, node->ifaces->len + 1);
  GString *list = g_string_new(NULL);
  for (guint i = 0; i < node->ifaces->len; i++) {
    names[i] = g_array_index(node->ifaces, ScenarioIface, i).name;
    g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
  }
  char *near = diag_suggest(name, names, node->ifaces->len);
  if (near)
    scenario_error_at(ld, end->mark, "link end '%s': node '%s' has no interface '%s'; did you mean '%s'?", end->text,
                      node->name, name, near);
  else if (list->len)
    scenario_error_at(ld, end->mark, "link end '%s': node '%s' has no interface '%s' (it has %s)", end->text,
                      node->name, name, list->str);
  else
    scenario_error_at(ld, end->mark,
                      "link end '%s': node '%s' declares no interface '%s'; declare it under 'interfaces' "
                      "or write '%s' alone to let ipsim name it",
                      end->text, node->name, name, node->name);
  g_string_free(list, TRUE);
  g_free(near);
  g_free(names);
}

/* Binds an end to interface `i` of its node, unless a link already has it. */
static void scenario_bind_end(Loader *ld, guint link_index, LinkEnd *end, int i)
{
  ScenarioNode *node = scenario_node(ld->sc, end->node);
  ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
  if (iface->link >= 0) {
    const ScenarioLink *other = scenario_link(ld->sc, iface->link);
    scenario_error_at(ld, end->mark, "link end '%s': interface %s:%s is already used by the link at line %d", end->text,
                      node->name, iface->name, other->mark.line);
    return;
  }
  iface->link = (int)link_index;
  end->iface = i;
}

/* Pass 1: finds the node of every end and binds the ends that name an interface. */
static void scenario_resolve_explicit(Loader *ld, guint link_index, LinkEnd *end)
{
  if (!end->text)
    return;
  const char *colon = strchr(end->text, ':');
  char *name = colon ? g_strndup(end->text, colon - end->text) : g_strdup(end->text);
  int n = scenario_find_node(ld->sc, name);
  if (n < 0) {
    scenario_unknown_node(ld, end, name);
  } else {
    end->node = n;
    if (colon) {
      ScenarioNode *node = scenario_node(ld->sc, n);
      int i = scenario_node_find_iface(node, colon + 1);
      if (i < 0)
        scenario_unknown_iface(ld, end, node, colon + 1);
      else
        scenario_bind_end(ld, link_index, end, i);
    }
  }
  g_free(name);
}

/* Pass 2: gives a bare end the node's first free declared interface, or a new ethN. */
static void scenario_resolve_bare(Loader *ld, guint link_index, LinkEnd *end)
{
  if (end->node < 0 || strchr(end->text, ':'))
    return;
  ScenarioNode *node = scenario_node(ld->sc, end->node);
  for (guint i = 0; i < node->ifaces->len; i++)
    if (g_array_index(node->ifaces, ScenarioIface, i).link < 0 && !g_array_index(node->ifaces, ScenarioIface, i).tap &&
        !scenario_subif_vid(node, g_array_index(node->ifaces, ScenarioIface, i).name)) {
      scenario_bind_end(ld, link_index, end, (int)i);
      return;
    }
  char name[16];
  for (guint n = 0;; n++) {
    g_snprintf(name, sizeof name, "eth%u", n);
    if (scenario_node_find_iface(node, name) < 0)
      break;
  }
  scenario_bind_end(ld, link_index, end, scenario_node_add_iface(node, name, end->mark));
}

static void scenario_resolve_ends(Loader *ld)
{
  GArray *links = ld->sc->links;
  for (guint l = 0; l < links->len; l++)
    for (int e = 0; e < 2; e++)
      scenario_resolve_explicit(ld, l, &scenario_link(ld->sc, l)->ends[e]);
  for (guint l = 0; l < links->len; l++)
    for (int e = 0; e < 2; e++)
      scenario_resolve_bare(ld, l, &scenario_link(ld->sc, l)->ends[e]);
  for (guint l = 0; l < links->len; l++) {
    const ScenarioLink *link = scenario_link(ld->sc, l);
    if (link->ends[0].node >= 0 && link->ends[0].node == link->ends[1].node)
      scenario_error_at(ld, link->mark, "links[%u] joins node '%s' to itself", l,
                        scenario_node(ld->sc, link->ends[0].node)->name);
  }
}

/* Picks each parameter from the first of `layers` that sets it. */
static void scenario_merge_params(LinkConfig *out, const LinkConfig *const *layers, guint n)
{
  for (guint i = n; i-- > 0;) {
    const LinkConfig *p = layers[i];
    if (p->given & LINK_GIVEN_RATE)
      out->rate_bps = p->rate_bps;
    if (p->given & LINK_GIVEN_DELAY)
      out->delay = p->delay;
    if (p->given & LINK_GIVEN_LOSS)
      out->loss = p->loss;
    if (p->given & LINK_GIVEN_REORDER)
      out->reorder = p->reorder;
    if (p->given & LINK_GIVEN_QUEUE)
      out->queue = p->queue;
    if (p->given & LINK_GIVEN_MTU)
      out->mtu = p->mtu;
    if (p->given & LINK_GIVEN_TYPE)
      out->type = p->type;
  }
}

static void scenario_resolve_params(Loader *ld)
{
  LinkConfig builtin;
  link_config_defaults(&builtin);
  builtin.given = ~0u;
  Scenario *sc = ld->sc;
  for (guint l = 0; l < sc->links->len; l++) {
    ScenarioLink *link = scenario_link(sc, l);
    const LinkConfig *layers[] = {&link->params, &ld->link_defaults, &builtin};
    LinkConfig out = {0};
    scenario_merge_params(&out, layers, G_N_ELEMENTS(layers));
    out.given = link->params.given;
    link->params = out;
  }
  for (guint n = 0; n < sc->nodes->len; n++) {
    ScenarioNode *node = scenario_node(sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
      static const LinkConfig none = {0};
      const LinkConfig *link = iface->link >= 0 ? &scenario_link(sc, iface->link)->params : &none;
      const LinkConfig *layers[] = {&iface->own, link, &ld->kind_defaults[node->kind], &ld->link_defaults, &builtin};
      LinkConfig out = {0};
      scenario_merge_params(&out, layers, G_N_ELEMENTS(layers));
      iface->mtu = out.mtu;
      iface->queue = out.queue;
    }
  }
}

static GHashTable *scenario_used_addresses(const Scenario *sc)
{
  GHashTable *used = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint n = 0; n < sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(sc, n)->ifaces->len; i++) {
      const ScenarioIface *iface = scenario_iface(sc, (int)n, (int)i);
      if (iface->has_ip)
        g_hash_table_add(used, GUINT_TO_POINTER(iface->ip.addr));
    }
  return used;
}

/* Returns the lowest address of `prefix` usable by a host and not in `used`, or 0. */
static uint32_t scenario_free_address(const Ipv4Prefix *prefix, GHashTable *used)
{
  uint64_t first = prefix->addr, last = (uint64_t)prefix->addr + (UINT64_C(1) << (32 - prefix->len)) - 1;
  if (prefix->len <= 30) { /* skip the network and broadcast addresses */
    first++;
    last--;
  }
  for (uint64_t a = first; a <= last; a++)
    if (a != 0 && !g_hash_table_contains(used, GUINT_TO_POINTER((uint32_t)a)))
      return (uint32_t)a;
  return 0;
}

static void scenario_address_end(Loader *ld, const ScenarioLink *link, const LinkEnd *end, GHashTable *used)
{
  const ScenarioNode *node = scenario_node(ld->sc, end->node);
  ScenarioIface *iface = scenario_iface(ld->sc, end->node, end->iface);
  if (node_kind_is_l2(node->kind))
    return;
  char net[ADDR_CIDR_TEXT], addr[ADDR_CIDR_TEXT];
  if (iface->has_ip) {
    if ((iface->ip.addr & addr_mask(link->prefix.len)) != link->prefix.addr || iface->ip.len != link->prefix.len)
      scenario_error_at(ld, end->mark, "link end '%s' has address %s, outside the link's prefix %s", end->text,
                        addr_format_cidr(iface->ip.addr, iface->ip.len, addr),
                        addr_format_cidr(link->prefix.addr, link->prefix.len, net));
    return;
  }
  uint32_t a = scenario_free_address(&link->prefix, used);
  if (!a) {
    scenario_error_at(ld, link->mark, "the link's prefix %s has no free address left for '%s'",
                      addr_format_cidr(link->prefix.addr, link->prefix.len, net), end->text);
    return;
  }
  iface->has_ip = TRUE;
  iface->ip = (Ipv4Prefix){a, link->prefix.len};
  g_hash_table_add(used, GUINT_TO_POINTER(a));
}

static void scenario_resolve_prefixes(Loader *ld)
{
  GHashTable *used = scenario_used_addresses(ld->sc);
  for (guint l = 0; l < ld->sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(ld->sc, l);
    if (!link->has_prefix || link->ends[0].iface < 0 || link->ends[1].iface < 0)
      continue;
    if (link->prefix.len > 31) {
      scenario_error_at(ld, link->mark, "a link's prefix must hold two addresses; /%u is too long", link->prefix.len);
      continue;
    }
    for (int e = 0; e < 2; e++)
      scenario_address_end(ld, link, &link->ends[e], used);
  }
  g_hash_table_destroy(used);
}

static uint64_t scenario_mac_key(const uint8_t mac[6])
{
  uint64_t key = 0;
  for (int i = 0; i < 6; i++)
    key = key << 8 | mac[i];
  return key;
}

typedef struct {
  guint node;
  guint iface;
} MacOwner;

/* Checks the given MACs for duplicates; returns the set of them. */
static GHashTable *scenario_given_macs(Loader *ld)
{
  GHashTable *given = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    const ScenarioNode *node = scenario_node(ld->sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      const ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
      if (!(iface->own.given & SCENARIO_GIVEN_MAC))
        continue;
      uint64_t key = scenario_mac_key(iface->mac);
      const MacOwner *first = g_hash_table_lookup(given, &key);
      if (first) {
        const ScenarioIface *other = scenario_iface(ld->sc, (int)first->node, (int)first->iface);
        scenario_error_at(ld, iface->mark, "interface %s:%s has the MAC address of %s:%s (line %d)", node->name,
                          iface->name, scenario_node(ld->sc, (int)first->node)->name, other->name, other->mark.line);
      } else {
        MacOwner owner = {n, i};
        g_hash_table_insert(given, g_memdup2(&key, sizeof key), g_memdup2(&owner, sizeof owner));
      }
    }
  }
  return given;
}

static void scenario_resolve_macs(Loader *ld)
{
  GHashTable *given = scenario_given_macs(ld);
  uint64_t next = UINT64_C(0x020000000001);
  for (guint n = 0; n < ld->sc->nodes->len; n++) {
    ScenarioNode *node = scenario_node(ld->sc, n);
    for (guint i = 0; i < node->ifaces->len; i++) {
      ScenarioIface *iface = &g_array_index(node->ifaces, ScenarioIface, i);
      if ((iface->own.given & SCENARIO_GIVEN_MAC) || scenario_subif_vid(node, iface->name))
        continue; /* a subinterface has its parent's (scenario_resolve_subifs()) */
      while (g_hash_table_contains(given, &next))
        next++;
      for (int b = 0; b < 6; b++)
        iface->mac[b] = (uint8_t)(next >> (40 - 8 * b));
      next++;
    }
  }
  g_hash_table_destroy(given);
}

/* Completes the scenario read from the file; reports what cannot be resolved. */
void scenario_resolve(Loader *ld)
{
  scenario_resolve_ends(ld);
  scenario_resolve_subif_links(ld);
  scenario_resolve_params(ld);
  scenario_resolve_prefixes(ld);
  scenario_resolve_macs(ld);
  scenario_resolve_subifs(ld);
  scenario_resolve_routes(ld);
  scenario_resolve_routing(ld);
  scenario_resolve_stp(ld);
}
