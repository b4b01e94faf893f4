/*
 * IPv4 per-node state (RFC 791, RFC 1812 for routers): the routing table
 * with its connected, static and default routes, the node's addresses,
 * route selection (with `routing: auto`), and reactions to ARP failures
 * and interface changes. Input lives in ipv4_input.c, output in
 * ipv4_output.c.
 *
 * Entry points: ipv4_new() (from node_add_layers), ipv4_add_static(), ipv4_route(), ipv4_source_for(),
 * ipv4_source_route(), ipv4_source_route_cached(), ipv4_is_local(), ipv4_is_broadcast(), ipv4_arp_failed() (from ARP),
 * ipv4_link_changed() (an interface went up or down), ipv4_free().
 *
 * Multicast is link-local only (RFC 1112 level 2 without IGMP, as routing
 * protocols use it): a protocol joins a group on an interface
 * (224.0.0.9 for RIP, 224.0.0.5/6 for OSPF), datagrams to it are delivered
 * there and never forwarded. A protocol above IPv4 other than ICMP, UDP
 * and TCP registers its number (OSPF, 89) with ipv4_register_protocol().
 *
 * Leaves out: secondary addresses, the loopback interface (127.0.0.0/8 is
 * not configured; datagrams to the node's own addresses loop back inside
 * ipv4_output), IGMP and multicast routing, ICMP redirects.
 */
#include "models/internet/ipv4.h"

#include "models/internet/frag.h"
#include "models/internet/icmp.h"
#include "models/internet/route_auto.h"
#include "models/core/node.h"
#include "sim/text/addr.h"

static void ipv4_index_addresses(Ipv4 *ip, const Node *node);

typedef struct {
  const Iface *iface;
  uint32_t group;
} Ipv4Group;

typedef struct {
  uint8_t proto;
  Ipv4ProtoInput fn;
  void *data;
} Ipv4Proto;

/* Returns the interface of `node` whose subnet holds `addr`, or NULL. */
static Iface *ipv4_iface_for(Node *node, uint32_t addr)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    Iface *iface = node_iface(node, i);
    uint32_t mask = addr_mask(iface->ip.len);
    if (iface->has_ip && (iface->ip.addr & mask) == (addr & mask))
      return iface;
  }
  return NULL;
}

/* Adds a connected route (metric 0) for each interface with an address. */
static void ipv4_add_connected(Ipv4 *ip, Node *node)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    Iface *iface = node_iface(node, i);
    if (!iface->has_ip)
      continue;
    Route r = {.prefix = iface->ip.addr, .len = iface->ip.len, .iface = iface, .origin = ROUTE_CONNECTED};
    route_table_add(ip->routes, &r);
  }
}

/* Adds a static route to `to` via `via` (0: on-link) out of interface
 * `dev` (-1: the one whose subnet holds `via`), with `metric`; a default
 * gateway is a route to 0.0.0.0/0 with metric 1. Returns FALSE, adding
 * nothing, when no interface fits (the loader rejects such files). */
gboolean ipv4_add_static(Node *node, Ipv4Prefix to, uint32_t via, int dev, uint32_t metric)
{
  Iface *iface = dev >= 0 ? node_iface(node, (guint)dev) : ipv4_iface_for(node, via);
  if (!iface)
    return FALSE;
  Route r = {
      .prefix = to.addr, .len = to.len, .gateway = via, .iface = iface, .metric = metric, .origin = ROUTE_STATIC};
  route_table_add(node->ip->routes, &r);
  return TRUE;
}

/* The node listener: an interface of the node went up or down. */
static void ipv4_iface_changed(void *data, Iface *iface)
{
  (void)iface;
  ipv4_link_changed(data);
}

/* Creates the IPv4 state of a host or router: connected routes and
 * forwarding on routers; static routes (ipv4_add_static()) and automatic
 * ones (ip->auto_routes) come from the builder. The node's interfaces must
 * exist. */
Ipv4 *ipv4_new(Node *node)
{
  Ipv4 *ip = g_new0(Ipv4, 1);

  ip->routes = route_table_new();
  ip->reasm = reasm_new(node);
  ip->next_id = 1;
  ip->forwarding = node->kind == NODE_KIND_ROUTER;
  ip->auto_valid = FALSE;
  ip->default_ttl = IPV4_DEFAULT_TTL;
  ip->groups = g_array_new(FALSE, FALSE, sizeof(Ipv4Group));
  ip->protos = g_array_new(FALSE, FALSE, sizeof(Ipv4Proto));
  ipv4_add_connected(ip, node);
  ipv4_index_addresses(ip, node);
  iface_listen(&node->iface_listeners, ipv4_iface_changed, node);
  return ip;
}

void ipv4_free(Ipv4 *ip)
{
  if (!ip)
    return;
  reasm_free(ip->reasm);
  route_table_free(ip->routes);
  g_array_free(ip->locals, TRUE);
  g_array_free(ip->broadcasts, TRUE);
  g_array_free(ip->groups, TRUE);
  g_array_free(ip->protos, TRUE);
  g_free(ip);
}

/* Registers `fn` for datagrams of IP protocol `proto` delivered to the
 * node (not ICMP, UDP or TCP, which IPv4 knows); a second registration of
 * the same number replaces the first. */
void ipv4_register_protocol(Node *node, uint8_t proto, Ipv4ProtoInput fn, void *data)
{
  GArray *protos = node->ip->protos;
  Ipv4Proto h = {proto, fn, data};

  for (guint i = 0; i < protos->len; i++)
    if (g_array_index(protos, Ipv4Proto, i).proto == proto) {
      g_array_index(protos, Ipv4Proto, i) = h;
      return;
    }
  g_array_append_val(protos, h);
}

/* Inside models/internet: passes a datagram (at its payload) to the
 * handler registered for meta->proto, which takes it; FALSE when there is
 * none (the caller still owns it). */
gboolean ipv4_deliver_protocol(Node *node, Packet *p, const Ipv4Meta *meta)
{
  const GArray *protos = node->ip->protos;
  for (guint i = 0; i < protos->len; i++) {
    const Ipv4Proto *h = &g_array_index(protos, Ipv4Proto, i);
    if (h->proto == meta->proto) {
      h->fn(h->data, p, meta);
      return TRUE;
    }
  }
  return FALSE;
}

static gint ipv4_group_find(const GArray *groups, const Iface *iface, uint32_t group)
{
  for (guint i = 0; i < groups->len; i++) {
    const Ipv4Group *g = &g_array_index(groups, Ipv4Group, i);
    if (g->iface == iface && g->group == group)
      return (gint)i;
  }
  return -1;
}

/* Joins multicast `group` on `iface`: datagrams to it arriving there are
 * delivered. Joining twice is joining once. */
void ipv4_join_group(Node *node, Iface *iface, uint32_t group)
{
  Ipv4Group g = {iface, group};
  if (ipv4_group_find(node->ip->groups, iface, group) < 0)
    g_array_append_val(node->ip->groups, g);
}

void ipv4_leave_group(Node *node, Iface *iface, uint32_t group)
{
  gint i = ipv4_group_find(node->ip->groups, iface, group);
  if (i >= 0)
    g_array_remove_index(node->ip->groups, (guint)i);
}

/* TRUE when `iface` has joined `group` (224.0.0.1, all hosts, always). */
gboolean ipv4_is_member(const Node *node, const Iface *iface, uint32_t group)
{
  return group == 0xe0000001u || ipv4_group_find(node->ip->groups, iface, group) >= 0;
}

/* Recomputes the node's automatic routes when they are stale (before any
 * lookup in its table). */
static inline void ipv4_auto_refresh(Node *node)
{
  Ipv4 *ip = node->ip;
  if (G_UNLIKELY(ip->auto_routes && !ip->auto_valid) && ip->route_auto)
    route_auto_fill(ip->route_auto, node);
}

/* Returns the route `node` uses toward `dst`, or NULL. Recomputes the
 * node's automatic routes first when they are stale. The pointer is valid
 * until the node's table changes. */
const Route *ipv4_route(Node *node, uint32_t dst)
{
  Ipv4 *ip = node->ip;

  ipv4_auto_refresh(node);
  return route_lookup(ip->routes, dst);
}

/* The flow hash of multipath selection: Linux's default (policy 0, the
 * addresses only), a 32-bit mix of source and destination so that one
 * pair of hosts always takes one path. */
static uint32_t ipv4_flow_hash(uint32_t src, uint32_t dst)
{
  uint64_t x = ((uint64_t)src << 32 | dst) * 0x9e3779b97f4a7c15ull;
  return (uint32_t)(x >> 32);
}

/* As ipv4_route(), but of equal-cost paths the one the flow src -> dst
 * takes (the same for every datagram of it). */
const Route *ipv4_route_flow(Node *node, uint32_t src, uint32_t dst)
{
  Ipv4 *ip = node->ip;

  ipv4_auto_refresh(node);
  return route_lookup_hash(ip->routes, dst, ipv4_flow_hash(src, dst));
}

static gint ipv4_addr_compare(gconstpointer a, gconstpointer b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Fills the sorted arrays of the node's addresses and of its subnets'
 * directed broadcasts (prefixes up to /30: /31 and /32 have none). */
static void ipv4_index_addresses(Ipv4 *ip, const Node *node)
{
  ip->locals = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  ip->broadcasts = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  for (guint i = 0; i < node->ifaces->len; i++) {
    const Iface *iface = node_iface(node, i);
    if (!iface->has_ip)
      continue;
    g_array_append_val(ip->locals, iface->ip.addr);
    if (iface->ip.len <= 30) {
      uint32_t bcast = iface->ip.addr | ~addr_mask(iface->ip.len);
      g_array_append_val(ip->broadcasts, bcast);
    }
  }
  g_array_sort(ip->locals, ipv4_addr_compare);
  g_array_sort(ip->broadcasts, ipv4_addr_compare);
}

/* TRUE when the sorted array `set` holds `addr`. */
static gboolean ipv4_addr_in(const GArray *set, uint32_t addr)
{
  guint lo = 0, hi = set->len;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    uint32_t v = g_array_index(set, uint32_t, mid);
    if (v == addr)
      return TRUE;
    if (v < addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return FALSE;
}

/* TRUE when `addr` is one of the node's interface addresses. */
gboolean ipv4_is_local(const Node *node, uint32_t addr)
{
  return ipv4_addr_in(node->ip->locals, addr);
}

/* Returns the address `node` sends from to reach `dst` (RFC 1122 3.3.4.3:
 * the egress interface's): `dst` itself when it is ours, 0 when there is
 * no route or the egress interface has no address. */
uint32_t ipv4_source_for(Node *node, uint32_t dst)
{
  const Route *route;
  return ipv4_source_route(node, dst, &route);
}

/* ipv4_source_route() through `cache`: the last answer again when it was
 * for `dst` and the routing table has not changed since (automatic routes
 * are filled in first, as ipv4_route() does). */
uint32_t ipv4_source_route_cached(Node *node, uint32_t dst, const Route **route, Ipv4RouteCache *cache)
{
  Ipv4 *ip = node->ip;

  ipv4_auto_refresh(node);
  if (cache->version == route_table_version(ip->routes) && cache->dst == dst) {
    *route = cache->route;
    return cache->src;
  }
  uint32_t src = ipv4_source_route(node, dst, route);
  *cache = (Ipv4RouteCache){dst, src, route_table_version(ip->routes), *route};
  return src;
}

/* ipv4_source_for(), also giving the route to `dst` in *route: NULL when
 * `dst` is ours or has no route. */
uint32_t ipv4_source_route(Node *node, uint32_t dst, const Route **route)
{
  *route = NULL;
  if (ipv4_is_local(node, dst))
    return dst;
  *route = ipv4_route(node, dst);
  const Route *r = *route;
  return r && r->iface && r->iface->has_ip ? r->iface->ip.addr : 0;
}

/* TRUE when `addr` is the limited broadcast or the directed broadcast of
 * one of the node's subnets. */
gboolean ipv4_is_broadcast(const Node *node, uint32_t addr)
{
  return addr == 0xffffffffu || ipv4_addr_in(node->ip->broadcasts, addr);
}

/* ARP gave up resolving the next hop of `p` (at its IP header) on `iface`:
 * the packet is dropped (DROP_ARP_FAILED), then ICMP host unreachable
 * tells its source. A router sends it to the source of a forwarded
 * datagram; for the node's own datagram the error goes to the node itself,
 * from the address of `iface`, as Linux's ipv4_link_failure() does, so the
 * sender hears of it the way it hears of any ICMP error (ping prints
 * `From <own address> ... Destination Host Unreachable`, a UDP socket gets
 * -EHOSTUNREACH, a connect() fails with -EHOSTUNREACH). Takes `p`. */
void ipv4_arp_failed(Iface *iface, Packet *p)
{
  Node *node = iface->node;
  const Ipv4Header *h = (const Ipv4Header *)packet_peek(p, IPV4_HEADER_LEN);
  gboolean own = h && ipv4_is_local(node, g_ntohl(h->src));
  IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_HOST, 0, own ? iface : NULL};

  if (h && (own || node->ip->forwarding))
    icmp_drop_with_error(node, iface, p, DROP_ARP_FAILED, TRACE_LINK, &e);
  else
    node_drop(node, iface, p, DROP_ARP_FAILED, TRACE_LINK, TRACE_FROM_IPV4);
}

/* An interface of `node` went up or down: recompile the routing table at
 * the next lookup, and recompute automatic routes. */
void ipv4_link_changed(Node *node)
{
  if (!node->ip)
    return;
  route_table_invalidate(node->ip->routes);
  node->ip->auto_valid = FALSE;
}
