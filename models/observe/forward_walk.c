/*
 * Walking the forwarding state from a node toward an address, hop by hop,
 * as a packet would go: route lookup (with auto routes filled as for a real
 * packet), the egress interface up, the next hop present on the segment
 * behind it (through switches and hubs, within its VLAN, and only through
 * the ports a switch's spanning tree lets forward), routers forwarding and
 * hosts not.
 *
 * Entry points: forward_walk(), forward_walk_clear(), forward_walk_end_text().
 */
#include "models/observe/forward_walk.h"

#include "models/internet/ipv4.h"
#include "models/link/vlan.h"
#include "sim/text/addr.h"

/* Finds the IP node holding `addr` on the segment behind `egress`: the peer,
 * or any node reached through switches and hubs over interfaces that are up, in the
 * egress's VLAN (a subinterface's, or the access or native VLAN of the
 * switch port: vlan_segment_ends()). On an interface that sends everything
 * to its peer (PPP), the peer, whatever `addr` is. */
static Node *walk_segment_find(Iface *egress, uint32_t addr)
{
  if (egress->ops->to_peer) {
    Iface *peer = iface_peer(egress);
    return peer && peer->up ? peer->node : NULL;
  }
  GPtrArray *ends = g_ptr_array_new();
  Node *found = NULL;
  vlan_segment_ends(egress, ends);
  for (guint k = 0; k < ends->len && !found; k++) {
    const Iface *at = g_ptr_array_index(ends, k);
    if (at->has_ip && at->ip.addr == addr)
      found = at->node;
  }
  g_ptr_array_free(ends, TRUE);
  return found;
}

static void walk_line(Walk *walk, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void walk_line(Walk *walk, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(walk->lines, g_strdup_vprintf(fmt, ap));
  va_end(ap);
}

/* Describes the route a node chose, as a line of evidence. */
static void walk_route_line(Walk *walk, const Node *node, const Route *r)
{
  char pfx[ADDR_CIDR_TEXT], gw[ADDR_IPV4_TEXT];
  addr_format_cidr(r->prefix, r->len, pfx);
  if (r->gateway)
    walk_line(walk, "%s: route %s via %s dev %s (%s, metric %u)", node->name, pfx, addr_format_ipv4(r->gateway, gw),
              r->iface->name, route_origin_name(r->origin), r->metric);
  else
    walk_line(walk, "%s: route %s dev %s (%s, metric %u)", node->name, pfx, r->iface->name,
              route_origin_name(r->origin), r->metric);
}

/* Takes one step from `node` for a datagram from `src` (0: the node's own,
 * source not yet chosen) to `dst`, along the path a packet of that flow
 * takes; returns the next node, or NULL with walk->end set. */
static Node *walk_step(Walk *walk, Node *node, uint32_t src, uint32_t dst)
{
  char text[ADDR_IPV4_TEXT];
  const Route *r = src ? ipv4_route_flow(node, src, dst) : ipv4_route(node, dst);
  if (!r) {
    walk_line(walk, "%s: no route to %s", node->name, addr_format_ipv4(dst, text));
    walk->end = WALK_NO_ROUTE;
    return NULL;
  }
  walk_route_line(walk, node, r);
  if (!r->iface->up) {
    walk_line(walk, "%s: %s is down", node->name, r->iface->name);
    walk->end = WALK_LINK_DOWN;
    return NULL;
  }
  uint32_t next_hop = r->gateway ? r->gateway : dst;
  Node *next = walk_segment_find(r->iface, next_hop);
  if (!next) {
    walk_line(walk, "%s: nothing on %s answers for %s", node->name, r->iface->name, addr_format_ipv4(next_hop, text));
    walk->end = WALK_NO_NEIGHBOR;
  }
  return next;
}

/* Walks from `from` toward `dst` over the forwarding state of now, filling
 * `walk` (initialised here; free with forward_walk_clear()). */
void forward_walk(Network *net, Node *from, uint32_t dst, Walk *walk)
{
  walk->hops = g_ptr_array_new();
  walk->lines = g_ptr_array_new_with_free_func(g_free);
  walk->end = WALK_NO_ADDRESS;
  if (!from->ip)
    return;
  Node *node = from;
  uint32_t src = 0;
  for (guint steps = 0; steps <= net->nodes->len; steps++) {
    if (ipv4_is_local(node, dst)) {
      walk->end = WALK_REACHED;
      return;
    }
    if (node != from && node->kind != NODE_KIND_ROUTER) {
      walk_line(walk, "%s: a host does not forward", node->name);
      walk->end = WALK_NOT_A_ROUTER;
      return;
    }
    if (node != from && !src)
      src = ipv4_source_for(from, dst);
    node = walk_step(walk, node, src, dst);
    if (!node)
      return;
    g_ptr_array_add(walk->hops, node);
  }
  walk->end = WALK_LOOP;
}

void forward_walk_clear(Walk *walk)
{
  g_ptr_array_free(walk->hops, TRUE);
  g_ptr_array_free(walk->lines, TRUE);
}

const char *forward_walk_end_text(WalkEnd end)
{
  static const char *const text[] = {"reached",
                                     "no route",
                                     "a host would have to forward",
                                     "the link is down",
                                     "the next hop is not on the segment",
                                     "a forwarding loop",
                                     "no IPv4 at the source"};
  return text[end];
}
