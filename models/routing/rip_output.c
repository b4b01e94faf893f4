/*
 * RIP output (RFC 2453 3.9.1, 3.10): requests for the whole table,
 * updates (periodic: every route; triggered: the changed ones) and
 * answers to requests, packed 25 entries to a message, with split
 * horizon as configured; and the `show: rip` text.
 *
 * Updates go to 224.0.0.9 port 520 out of the interface, from its
 * address, with TTL 1 (as FRR's multicast socket); answers go to the
 * requester's address and port. The next-hop field is always 0.0.0.0
 * (route through the sender), the route tag is the one learned.
 *
 * Split horizon (3.4.3), for routes learned on the interface an update
 * leaves by: none advertises them, simple omits them, poison-reverse
 * advertises them at 16. Our own routes are advertised everywhere.
 *
 * Entry points (rip_internal.h): rip_send_request(), rip_send_update(),
 * rip_send_table(), rip_send_packet(); rip_show() (rip.h).
 */
#include "models/internet/ipv4.h"
#include "models/routing/rip_internal.h"
#include "models/routing/rip_wire.h"

/* A message of `command` without entries yet. */
static Packet *rip_message(Rip *rip, uint8_t command)
{
  Packet *p = packet_new(rip->node->ctx->pool, RIP_HEADER_LEN);
  RipHeader *h = (RipHeader *)packet_data(p);

  h->command = command;
  h->version = RIP_VERSION;
  return p;
}

static void rip_put_entry(Packet *p, const RipRoute *r, uint32_t metric)
{
  RipEntry *e = (RipEntry *)packet_put(p, RIP_ENTRY_LEN);

  e->afi = g_htons(RIP_AFI_INET);
  e->tag = g_htons(r->tag);
  e->addr = g_htonl(r->to.addr);
  e->mask = g_htonl(addr_mask(r->to.len));
  e->metric = g_htonl(metric);
}

/* Sends message `p` out of `ri` to dst:dport: multicast with TTL 1, a
 * neighbour on the subnet straight out of the interface, anyone else by
 * the routing table. Counted in rip_packets_sent(). */
void rip_send_packet(Rip *rip, RipIface *ri, Packet *p, uint32_t dst, uint16_t dport)
{
  Iface *iface = ri->iface;
  gboolean multicast = ipv4_is_multicast(dst);
  gboolean on_link = ((dst ^ iface->ip.addr) & addr_mask(iface->ip.len)) == 0;
  Ipv4SendOpts o = {.src = iface->ip.addr, .out = multicast || on_link ? iface : NULL, .ttl = multicast ? 1 : 0};

  rip->packets_sent++;
  udp_send(rip->node, RIP_PORT, dst, dport, p, &o);
}

/* Asks the neighbours on `ri` for their whole tables (3.9.1): one entry,
 * family 0, metric 16. */
void rip_send_request(Rip *rip, RipIface *ri)
{
  Packet *p = rip_message(rip, RIP_CMD_REQUEST);
  RipEntry *e = (RipEntry *)packet_put(p, RIP_ENTRY_LEN);

  e->metric = g_htonl(RIP_INFINITY);
  rip_send_packet(rip, ri, p, RIP_GROUP, RIP_PORT);
}

/* The metric route `r` is advertised with out of `ri`, or 0 to omit it. */
static uint32_t rip_advertised(const Rip *rip, const RipRoute *r, const RipIface *ri, gboolean split)
{
  if (!split || r->kind != RIP_LEARNED || r->iface != ri->iface)
    return r->metric;
  switch (rip->conf.split) {
  case RIP_SPLIT_NONE:
    return r->metric;
  case RIP_SPLIT_SIMPLE:
    return 0;
  default:
    return RIP_INFINITY;
  }
}

/* Sends the routes (every one, or the changed ones) out of `ri` to
 * dst:dport, 25 to a message; returns how many entries went. */
static guint rip_emit(Rip *rip, RipIface *ri, uint32_t dst, uint16_t dport, gboolean changed_only, gboolean split)
{
  Packet *p = NULL;
  guint in_msg = 0, sent = 0;

  rip_sort(rip);
  for (guint i = 0; i < rip->routes->len; i++) {
    const RipRoute *r = rip_route_at(rip, i);
    uint32_t metric = changed_only && !r->changed ? 0 : rip_advertised(rip, r, ri, split);
    if (!metric)
      continue;
    if (!p)
      p = rip_message(rip, RIP_CMD_RESPONSE);
    rip_put_entry(p, r, metric);
    sent++;
    if (++in_msg == RIP_MAX_ENTRIES) {
      rip_send_packet(rip, ri, p, dst, dport);
      p = NULL;
      in_msg = 0;
    }
  }
  if (p)
    rip_send_packet(rip, ri, p, dst, dport);
  return sent;
}

/* An update out of `ri` to 224.0.0.9: every route, or (triggered) the
 * changed ones, with split horizon. */
void rip_send_update(Rip *rip, RipIface *ri, gboolean changed_only)
{
  guint n = rip_emit(rip, ri, RIP_GROUP, RIP_PORT, changed_only, TRUE);

  if (changed_only && n)
    rip_note(rip, ri->iface, "triggered update on %s (%u route%s)", ri->iface->name, n, n == 1 ? "" : "s");
}

/* The whole table to a requester (3.9.1), with split horizon or not. */
void rip_send_table(Rip *rip, RipIface *ri, uint32_t dst, uint16_t dport, gboolean split)
{
  rip_emit(rip, ri, dst, dport, FALSE, split);
}

/* The code and sub-code of `show ip rip`. */
static const char *rip_code(const RipRoute *r)
{
  switch ((RipKind)r->kind) {
  case RIP_CONNECTED:
    return "C(i)";
  case RIP_REDIST_CONNECTED:
    return "C(r)";
  case RIP_REDIST_STATIC:
    return "S(r)";
  case RIP_DEFAULT:
    return "R(d)";
  default:
    return "R(n)";
  }
}

/* One line of `show`: code, network, next hop, metric, from, tag, time. */
static void rip_show_route(const Rip *rip, const RipRoute *r, GString *out)
{
  char net[ADDR_CIDR_TEXT], hop[ADDR_IPV4_TEXT], from[ADDR_IPV4_TEXT];
  SimTime now = sim_now(rip->node->ctx);

  addr_format_cidr(r->to.addr, r->to.len, net);
  addr_format_ipv4(r->gateway, hop);
  g_string_append_printf(out, "%-4s %-18s %-15s %6u %-15s %5u", rip_code(r), net, hop, r->metric,
                         r->from ? addr_format_ipv4(r->from, from) : "self", r->tag);
  if (r->deadline != G_MAXINT64) {
    int64_t left = (r->deadline - now + SIMTIME_S(1) - 1) / SIMTIME_S(1);
    g_string_append_printf(out, " %02d:%02d", (int)(left / 60), (int)(left % 60));
  }
  g_string_append_c(out, '\n');
}

/* The `show: rip` snapshot, in the shape of FRR's `show ip rip`: every
 * route in prefix order, Time the timeout (or, at 16, garbage) left. */
void rip_show(const Rip *rip, GString *out)
{
  g_string_append(out, "Codes: R - RIP, C - connected, S - Static\n"
                       "Sub-codes: (n) - normal, (r) - redistribute, (d) - default, (i) - interface\n\n");
  g_string_append_printf(out, "%-4s %-18s %-15s %6s %-15s %5s %s\n", "", "Network", "Next Hop", "Metric", "From", "Tag",
                         "Time");
  rip_sort((Rip *)rip);
  for (guint i = 0; i < rip->routes->len; i++)
    rip_show_route(rip, rip_route_at(rip, i), out);
}
