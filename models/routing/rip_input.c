/*
 * RIP input (RFC 2453 3.9): the checks every message passes, requests
 * answered (3.9.1) and responses merged into the RIB (3.9.2).
 *
 * A message is dropped whole when it arrives where RIP does not run
 * (DROP_ROUTING_OFF; also a request on a passive interface), when its
 * header is bad: shorter than 4 bytes, version 0 or 1 (this model speaks
 * version 2 only, as FRR's `version 2`), a command other than request or
 * response, entries not a multiple of 20 bytes (DROP_BAD_RIP); and a
 * response when it is not from port 520, not from a neighbour on the
 * receiving interface's subnet, or from ourselves (DROP_RIP_NOT_NEIGHBOR).
 * A bad entry (family not 2, metric 0 or above 16, a mask that is not
 * contiguous, host bits set, a loopback, class D or E or 0/8 address) is
 * ignored, counted (Rip.bad_entries) and noted; a response of bad entries
 * only is dropped as DROP_BAD_RIP.
 *
 * A valid entry: metric = min(metric + 1 + the interface's offset, 16);
 * the next hop is the entry's when it is on the interface's subnet (RFC
 * 2453 4.4), else the sender. Then, as 3.9.2: a new destination is added
 * (unless at 16); from the same neighbour the route always takes the new
 * metric (16: timeout at once, garbage collection) or is refreshed; from
 * another neighbour only a strictly better metric wins. Our own routes
 * are never replaced.
 *
 * Entry points: rip_recv() (the UDP port 520 handler).
 */
#include "models/routing/rip_internal.h"

#include "models/internet/ipv4.h"
#include "models/routing/rip_wire.h"

static void rip_drop(Rip *rip, Iface *in, Packet *p, DropReason reason)
{
  node_drop(rip->node, in, p, reason, TRACE_ROUTING, TRACE_FROM_IPV4);
}

static gboolean rip_on_subnet(const Iface *iface, uint32_t addr)
{
  return ((addr ^ iface->ip.addr) & addr_mask(iface->ip.len)) == 0;
}

/* The header checks; *n gets the number of entries. */
static gboolean rip_header_ok(const Packet *p, guint *n)
{
  const RipHeader *h = (const RipHeader *)packet_peek(p, RIP_HEADER_LEN);

  if (!h || h->version < RIP_VERSION || (h->command != RIP_CMD_REQUEST && h->command != RIP_CMD_RESPONSE))
    return FALSE;
  if ((packet_len(p) - RIP_HEADER_LEN) % RIP_ENTRY_LEN)
    return FALSE;
  *n = (guint)((packet_len(p) - RIP_HEADER_LEN) / RIP_ENTRY_LEN);
  return TRUE;
}

/* A destination that may be advertised: not 0/8 (but the default route),
 * loopback, class D or E. */
static gboolean rip_addr_ok(Ipv4Prefix to)
{
  uint8_t first = (uint8_t)(to.addr >> 24);

  if (to.len == 0)
    return TRUE;
  return first != 0 && first != 127 && first < 224;
}

/* The prefix length of a contiguous mask (of another mask: one that
 * differs from it). */
static uint8_t rip_mask_len(uint32_t mask)
{
  return mask ? (uint8_t)(32 - __builtin_ctz(mask)) : 0;
}

/* Reads entry `e` into `to` and `metric` (as received); FALSE when bad. */
static gboolean rip_entry_ok(const RipEntry *e, Ipv4Prefix *to, uint32_t *metric)
{
  uint32_t mask = g_ntohl(e->mask);
  uint8_t len = rip_mask_len(mask);

  to->addr = g_ntohl(e->addr);
  to->len = len;
  *metric = g_ntohl(e->metric);
  if (g_ntohs(e->afi) != RIP_AFI_INET || *metric < 1 || *metric > RIP_INFINITY)
    return FALSE;
  return mask == addr_mask(len) && (to->addr & ~mask) == 0 && rip_addr_ok(*to);
}

/* Writes `prefix` then `addr` dotted into buf (a route change's reason,
 * made for every change: no printf). */
static void rip_reason(char *buf, const char *prefix, uint32_t addr)
{
  char *q = g_stpcpy(buf, prefix);

  for (int shift = 24; shift >= 0; shift -= 8) {
    guint b = (addr >> shift) & 0xff;
    if (b >= 100)
      *q++ = (char)('0' + b / 100);
    if (b >= 10)
      *q++ = (char)('0' + b / 10 % 10);
    *q++ = (char)('0' + b % 10);
    *q++ = shift ? '.' : '\0';
  }
}

/* Takes the neighbour's route into `r`: next hop, metric, timeout. */
static void rip_take(Rip *rip, RipRoute *r, Iface *iface, uint32_t from, uint32_t gateway, uint32_t metric,
                     uint16_t tag)
{
  char reason[16 + ADDR_IPV4_TEXT];

  r->kind = RIP_LEARNED;
  r->iface = iface;
  r->from = from;
  r->gateway = gateway;
  r->metric = metric;
  r->tag = tag;
  r->changed = TRUE;
  rip_reason(reason, "response from ", from);
  rip_install(rip, r, reason);
  rip_set_deadline(rip, r, sim_now(rip->node->ctx) + rip->conf.timeout);
  rip_trigger(rip);
}

/* The route's own neighbour advertised it again (3.9.2): 16 poisons it
 * (unless poisoned already), a change is taken, the same refreshes it. */
static void rip_same_source(Rip *rip, RipRoute *r, uint32_t gateway, uint32_t metric, uint16_t tag)
{
  char reason[24 + ADDR_IPV4_TEXT];

  if (metric == RIP_INFINITY) {
    if (r->metric == RIP_INFINITY)
      return;
    rip_reason(reason, "unreachable from ", r->from);
    rip_poison(rip, r, reason);
    return;
  }
  if (metric != r->metric || gateway != r->gateway || tag != r->tag) {
    rip_take(rip, r, r->iface, r->from, gateway, metric, tag);
    return;
  }
  rip_set_deadline(rip, r, sim_now(rip->node->ctx) + rip->conf.timeout);
}

/* Merges one valid entry from neighbour `src` on `ri` into the RIB. */
static void rip_learn(Rip *rip, RipIface *ri, const RipEntry *e, Ipv4Prefix to, uint32_t metric, uint32_t src,
                      guint *hint)
{
  uint32_t nh = g_ntohl(e->next_hop);
  uint32_t gateway = nh && rip_on_subnet(ri->iface, nh) && !ipv4_is_local(rip->node, nh) ? nh : src;
  uint16_t tag = g_ntohs(e->tag);
  RipRoute *r = rip_find_near(rip, to, hint);

  metric = (uint32_t)MIN((uint64_t)metric + 1 + ri->conf.metric_offset, (uint64_t)RIP_INFINITY);
  if (!r) {
    if (metric < RIP_INFINITY)
      rip_take(rip, rip_add(rip, to), ri->iface, src, gateway, metric, tag);
    return;
  }
  if (r->kind != RIP_LEARNED)
    return;
  if (r->from == src && r->iface == ri->iface)
    rip_same_source(rip, r, gateway, metric, tag);
  else if (metric < r->metric)
    rip_take(rip, r, ri->iface, src, gateway, metric, tag);
}

/* A bad entry: counted, noted, ignored. */
static void rip_bad_entry(Rip *rip, Iface *in, guint i, uint32_t src)
{
  char from[ADDR_IPV4_TEXT];

  rip->bad_entries++;
  rip_note(rip, in, "entry %u from %s ignored (bad family, address, mask or metric)", i + 1,
           addr_format_ipv4(src, from));
}

/* Merges the entries e[0..n) from `src`: each valid one learned, each
 * bad one ignored; returns how many were valid. */
static guint rip_merge(Rip *rip, RipIface *ri, const RipEntry *e, guint n, uint32_t src)
{
  guint good = 0, hint = 0;

  for (guint i = 0; i < n; i++) {
    Ipv4Prefix to;
    uint32_t metric;
    if (!rip_entry_ok(&e[i], &to, &metric)) {
      rip_bad_entry(rip, ri->iface, i, src);
      continue;
    }
    good++;
    rip_learn(rip, ri, &e[i], to, metric, src, &hint);
  }
  return good;
}

/* A response (3.9.2): from a neighbour on port 520, else dropped; a
 * response of bad entries only is dropped too. */
static void rip_response(Rip *rip, RipIface *ri, Packet *p, const UdpMeta *meta, guint n)
{
  Iface *in = ri->iface;

  if (meta->sport != RIP_PORT || !rip_on_subnet(in, meta->src) || ipv4_is_local(rip->node, meta->src)) {
    rip_drop(rip, in, p, DROP_RIP_NOT_NEIGHBOR);
    return;
  }
  guint good = rip_merge(rip, ri, (const RipEntry *)(packet_data(p) + RIP_HEADER_LEN), n, meta->src);
  if (n && !good)
    rip_drop(rip, in, p, DROP_BAD_RIP);
  else
    packet_free(p);
}

/* A request for specific entries (3.9.1): each answered with our metric
 * (16 when we have no route), no split horizon, sent back as a response. */
static void rip_answer_entries(Rip *rip, RipIface *ri, Packet *p, const UdpMeta *meta, guint n)
{
  Packet *reply = packet_new_from(rip->node->ctx->pool, packet_data(p), packet_len(p));
  RipEntry *e = (RipEntry *)(packet_data(reply) + RIP_HEADER_LEN);

  packet_free(p);
  ((RipHeader *)packet_data(reply))->command = RIP_CMD_RESPONSE;
  for (guint i = 0; i < n; i++) {
    uint32_t mask = g_ntohl(e[i].mask);
    Ipv4Prefix to = {g_ntohl(e[i].addr), rip_mask_len(mask)};
    RipRoute *r = mask == addr_mask(to.len) ? rip_find(rip, to) : NULL;
    e[i].metric = g_htonl(r && r->to.addr == to.addr ? r->metric : RIP_INFINITY);
  }
  rip_send_packet(rip, ri, reply, meta->src, meta->sport);
}

/* A request (3.9.1): the whole table (one entry, family 0, metric 16)
 * answered as an update to the requester (split horizon when it is a
 * router, from port 520), or the entries asked for. None on a passive
 * interface. */
static void rip_request(Rip *rip, RipIface *ri, Packet *p, const UdpMeta *meta, guint n)
{
  const RipEntry *e = (const RipEntry *)(packet_data(p) + RIP_HEADER_LEN);

  if (ri->conf.passive) {
    rip_drop(rip, ri->iface, p, DROP_ROUTING_OFF);
    return;
  }
  if (n == 1 && e->afi == 0 && g_ntohl(e->metric) == RIP_INFINITY) {
    packet_free(p);
    rip_send_table(rip, ri, meta->src, meta->sport, meta->sport == RIP_PORT);
    return;
  }
  if (n == 0) {
    packet_free(p);
    return;
  }
  rip_answer_entries(rip, ri, p, meta, n);
}

/* The UDP port 520 handler: takes every RIP message the node receives. */
void rip_recv(void *owner, Packet *p, const UdpMeta *meta)
{
  Rip *rip = owner;
  Iface *in = meta->ip->in;
  RipIface *ri = in && in->index < rip->n_ifaces ? &rip->ifaces[in->index] : NULL;
  guint n = 0;

  if (!ri || !ri->active) {
    rip_drop(rip, in, p, DROP_ROUTING_OFF);
    return;
  }
  if (!rip_header_ok(p, &n)) {
    rip_drop(rip, in, p, DROP_BAD_RIP);
    return;
  }
  rip->packets_received++;
  if (((const RipHeader *)packet_data(p))->command == RIP_CMD_REQUEST)
    rip_request(rip, ri, p, meta, n);
  else
    rip_response(rip, ri, p, meta, n);
}
