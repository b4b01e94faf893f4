/*
 * ARP (RFC 826) for IPv4 over Ethernet: per-interface cache, requests and
 * replies, retries, and a bounded queue of packets waiting for resolution.
 *
 * Entry points, in call order: arp_cache_new() (from node_add_layers, per
 * Ethernet interface of a host or router); arp_output() (from IPv4: a packet at its
 * IP header and its next hop); arp_input() (from ethernet_input: a packet
 * at its ARP header); arp_cache_lookup() (tests, checks); arp_cache_flush()
 * (the interface went down); arp_cache_entries() (snapshots); arp_cache_free().
 *
 * The cache is an open-addressing table keyed by IPv4 address with linear
 * probing: the packet path does a few probes and no allocation. An entry is
 * INCOMPLETE (requests sent, packets waiting, a retry timer pending),
 * REACHABLE (until `expires`) or FAILED (resolution gave up; the next packet
 * starts again). Entries keep their slot; stale ones are purged when the
 * table is rebuilt. Timers name their entry by address, never by pointer,
 * since a rebuild moves entries.
 *
 * Leaves out: gratuitous ARP and address conflict detection (RFC 5227),
 * proxy ARP, Linux's STALE/DELAY/PROBE states (an expired entry is resolved
 * again from scratch, with its packets waiting, as in ns-3), ARP for other
 * hardware or protocol types (dropped as DROP_BAD_ARP).
 */
#include "models/link/arp.h"

#include <string.h>

#include "models/internet/ipv4.h"
#include "models/link/arp_wire.h"
#include "models/link/ethernet.h"
#include "models/core/node.h"
#include "sim/text/addr.h"

#define ARP_CACHE_MIN_CAP 8
#define ARP_CACHE_MAX 4096 /* entries, as Linux's gc_thresh3 (1024) in spirit */

typedef enum { ARP_INCOMPLETE = 1, ARP_REACHABLE, ARP_FAILED } ArpState;

typedef struct {
  uint32_t ip;      /* host byte order; 0: empty slot */
  uint8_t state;    /* ArpState */
  uint8_t requests; /* requests sent by the current resolution */
  uint16_t nqueued; /* packets waiting in queue */
  uint8_t mac[ETH_ADDR_LEN];
  SimTime expires; /* REACHABLE: when the entry lapses */
  EventId timer;   /* INCOMPLETE: the next retry, or EVENT_ID_NONE */
  Packet **queue;  /* ARP_QUEUE_LEN slots while packets wait, else NULL */
} ArpEntry;

struct ArpCache {
  Iface *iface;
  ArpEntry *slots;
  guint cap;  /* a power of two */
  guint used; /* slots holding an address */
};

static void arp_timer(void *obj, void *arg);

/* The node listener: flushes the cache when its interface goes down. */
static void arp_iface_changed(void *data, Iface *iface)
{
  ArpCache *c = data;
  if (iface == c->iface && !iface->up)
    arp_cache_flush(c);
}

/* Creates the empty ARP cache of `iface`, told when the interface goes down. */
ArpCache *arp_cache_new(Iface *iface)
{
  ArpCache *c = g_new0(ArpCache, 1);
  iface_listen(&iface->node->iface_listeners, arp_iface_changed, c);
  c->iface = iface;
  c->cap = ARP_CACHE_MIN_CAP;
  c->slots = g_new0(ArpEntry, c->cap);
  return c;
}

static Scheduler *arp_sched(const ArpCache *c)
{
  return c->iface->node->ctx->sched;
}

/* Cancels every retry timer and hands every waiting packet to `drop` (or
 * frees it when `drop` is FALSE), then empties the table. */
static void arp_cache_clear(ArpCache *c, gboolean drop)
{
  for (guint i = 0; i < c->cap; i++) {
    ArpEntry *e = &c->slots[i];
    if (e->timer != EVENT_ID_NONE)
      scheduler_cancel(arp_sched(c), e->timer);
    for (guint k = 0; k < e->nqueued; k++) {
      if (drop)
        node_drop(c->iface->node, c->iface, e->queue[k], DROP_LINK_DOWN, TRACE_LINK, TRACE_FROM_IPV4);
      else
        packet_free(e->queue[k]);
    }
    g_free(e->queue);
  }
  memset(c->slots, 0, c->cap * sizeof *c->slots);
  c->used = 0;
}

/* Frees the cache, its waiting packets and its timers. NULL-safe. */
void arp_cache_free(ArpCache *cache)
{
  if (!cache)
    return;
  arp_cache_clear(cache, FALSE);
  g_free(cache->slots);
  g_free(cache);
}

/* Forgets every entry (the link went down): pending resolutions stop and
 * their waiting packets are dropped with DROP_LINK_DOWN. */
void arp_cache_flush(ArpCache *cache)
{
  arp_cache_clear(cache, TRUE);
}

/* Returns the slot holding `ip`, or the empty slot where it would go. */
static ArpEntry *arp_probe(const ArpCache *c, uint32_t ip)
{
  guint mask = c->cap - 1;
  guint i = (guint)((ip * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;

  while (c->slots[i].ip && c->slots[i].ip != ip)
    i = (i + 1) & mask;
  return &c->slots[i];
}

/* Returns the entry for `ip`, or NULL. */
static ArpEntry *arp_find(const ArpCache *c, uint32_t ip)
{
  ArpEntry *e = arp_probe(c, ip);
  return e->ip ? e : NULL;
}

/* Returns TRUE if an entry is worth keeping at a rebuild: resolving, or
 * resolved and not expired. */
static gboolean arp_entry_keep(const ArpEntry *e, SimTime now)
{
  return e->state == ARP_INCOMPLETE || (e->state == ARP_REACHABLE && now < e->expires);
}

/* Rebuilds the table without stale entries, at most a quarter full. */
static void arp_rebuild(ArpCache *c, SimTime now)
{
  ArpEntry *old = c->slots;
  guint old_cap = c->cap, keep = 0;

  for (guint i = 0; i < old_cap; i++)
    keep += old[i].ip && arp_entry_keep(&old[i], now);
  guint cap = ARP_CACHE_MIN_CAP;
  while (cap < 4 * (keep + 1))
    cap *= 2;
  c->slots = g_new0(ArpEntry, cap);
  c->cap = cap;
  c->used = 0;
  for (guint i = 0; i < old_cap; i++)
    if (old[i].ip && arp_entry_keep(&old[i], now)) {
      *arp_probe(c, old[i].ip) = old[i];
      c->used++;
    }
  g_free(old);
}

/* Returns the entry for `ip`, adding an empty FAILED one if there is none;
 * returns NULL when the cache is full of live entries. May move entries. */
static ArpEntry *arp_insert(ArpCache *c, uint32_t ip, SimTime now)
{
  ArpEntry *e = arp_probe(c, ip);
  if (e->ip)
    return e;
  if (c->used + 1 > c->cap / 2) {
    arp_rebuild(c, now);
    if (c->used >= ARP_CACHE_MAX)
      return NULL;
    e = arp_probe(c, ip);
  }
  e->ip = ip;
  e->state = ARP_FAILED;
  e->timer = EVENT_ID_NONE;
  c->used++;
  return e;
}

/* Returns TRUE and copies the MAC when `ip` is resolved and not expired. */
gboolean arp_cache_lookup(const ArpCache *cache, uint32_t ip, uint8_t mac[6])
{
  const ArpEntry *e = arp_find(cache, ip);
  if (!e || e->state != ARP_REACHABLE || sim_now(cache->iface->node->ctx) >= e->expires)
    return FALSE;
  memcpy(mac, e->mac, ETH_ADDR_LEN);
  return TRUE;
}

/* Appends to `out` (a GArray of ArpEntryView) the entries in use now:
 * resolved and not expired, or being resolved; in table order. */
void arp_cache_entries(const ArpCache *cache, GArray *out)
{
  SimTime now = sim_now(cache->iface->node->ctx);
  for (guint i = 0; i < cache->cap; i++) {
    const ArpEntry *e = &cache->slots[i];
    if (!e->ip || !arp_entry_keep(e, now))
      continue;
    ArpEntryView v = {.ip = e->ip, .resolved = e->state == ARP_REACHABLE};
    if (v.resolved) {
      memcpy(v.mac, e->mac, ETH_ADDR_LEN);
      v.age = now - (e->expires - ARP_TIMEOUT);
    }
    g_array_append_val(out, v);
  }
}

/* Sends an ARP packet with operation `op` from `iface` to target (tha, tpa)
 * in an Ethernet frame for `eth_dst`. */
static void arp_send(Iface *iface, uint16_t op, const uint8_t tha[6], uint32_t tpa, const uint8_t eth_dst[6])
{
  Packet *p = packet_new(iface->node->ctx->pool, ARP_PACKET_LEN);
  ArpWire *a = (ArpWire *)packet_data(p);

  a->htype = g_htons(ARP_HTYPE_ETHERNET);
  a->ptype = g_htons(ARP_PTYPE_IPV4);
  a->hlen = ETH_ADDR_LEN;
  a->plen = 4;
  a->op = g_htons(op);
  memcpy(a->sha, iface->mac, ETH_ADDR_LEN);
  a->spa = g_htonl(iface->has_ip ? iface->ip.addr : 0);
  memcpy(a->tha, tha, ETH_ADDR_LEN);
  a->tpa = g_htonl(tpa);
  ethernet_output(iface, p, eth_dst, ETHERTYPE_ARP);
}

/* Broadcasts a request for `ip` and arms the retry timer. */
static void arp_request(ArpCache *c, ArpEntry *e)
{
  static const uint8_t unknown[ETH_ADDR_LEN] = {0};
  uint32_t ip = e->ip;

  e->requests++;
  e->timer = scheduler_after(arp_sched(c), ARP_RETRY_INTERVAL, arp_timer, c, GUINT_TO_POINTER(ip));
  arp_send(c->iface, ARP_OP_REQUEST, unknown, ip, eth_broadcast);
}

/* Queues `p` on an INCOMPLETE entry, or drops it (the newest) with
 * DROP_ARP_QUEUE_FULL when ARP_QUEUE_LEN packets already wait. */
static void arp_enqueue(ArpCache *c, ArpEntry *e, Packet *p)
{
  if (e->nqueued >= ARP_QUEUE_LEN) {
    node_drop(c->iface->node, c->iface, p, DROP_ARP_QUEUE_FULL, TRACE_LINK, TRACE_FROM_IPV4);
    return;
  }
  if (!e->queue)
    e->queue = g_new(Packet *, ARP_QUEUE_LEN);
  e->queue[e->nqueued++] = p;
}

/* Returns TRUE and the MAC for addresses that need no resolution: the
 * limited broadcast, the interface's subnet broadcast, and IPv4 multicast
 * (RFC 1112: 01:00:5e and the low 23 bits). */
static gboolean arp_static_mac(const Iface *iface, uint32_t ip, uint8_t mac[6])
{
  if ((ip >> 28) == 0xe) {
    const uint8_t m[ETH_ADDR_LEN] = {0x01, 0x00, 0x5e, (ip >> 16) & 0x7f, (ip >> 8) & 0xff, ip & 0xff};
    memcpy(mac, m, ETH_ADDR_LEN);
    return TRUE;
  }
  gboolean subnet_bcast = iface->has_ip && iface->ip.len < 31 && ip == (iface->ip.addr | ~addr_mask(iface->ip.len));
  if (ip != 0xffffffffu && !subnet_bcast)
    return FALSE;
  memcpy(mac, eth_broadcast, ETH_ADDR_LEN);
  return TRUE;
}

/* Sends the IPv4 packet `p` (starting at its IP header) to `next_hop` on
 * `iface`: at once when the MAC is known, else after resolution (the packet
 * waits, at most ARP_QUEUE_LEN per address). Takes the packet. */
void arp_output(Iface *iface, Packet *p, uint32_t next_hop)
{
  ArpCache *c = iface->arp;
  SimTime now = sim_now(iface->node->ctx);
  uint8_t mac[ETH_ADDR_LEN];

  if (arp_static_mac(iface, next_hop, mac) || arp_cache_lookup(c, next_hop, mac)) {
    ethernet_output(iface, p, mac, ETHERTYPE_IPV4);
    return;
  }
  ArpEntry *e = arp_insert(c, next_hop, now);
  if (!e) {
    node_drop(iface->node, iface, p, DROP_ARP_QUEUE_FULL, TRACE_LINK, TRACE_FROM_IPV4);
    return;
  }
  if (e->state == ARP_INCOMPLETE) {
    arp_enqueue(c, e, p);
    return;
  }
  e->state = ARP_INCOMPLETE;
  e->requests = 0;
  arp_enqueue(c, e, p);
  arp_request(c, e);
}

/* Gives up on an entry: it becomes FAILED and each waiting packet goes to
 * ipv4_arp_failed(), which owns it (ICMP host unreachable, DROP_ARP_FAILED). */
static void arp_fail(ArpCache *c, ArpEntry *e)
{
  SimContext *ctx = c->iface->node->ctx;
  Packet **waiting = e->queue;
  guint n = e->nqueued;

  e->queue = NULL;
  e->nqueued = 0;
  e->state = ARP_FAILED;
  if (trace_wants(ctx->trace, TRACE_LINK)) {
    char ip[ADDR_IPV4_TEXT];
    trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), c->iface->node, c->iface, "ARP %s unresolved after %u requests",
               addr_format_ipv4(e->ip, ip), (guint)e->requests);
  }
  /* IPv4 may send again through this cache (ICMP), moving entries: e is dead. */
  for (guint k = 0; k < n; k++)
    ipv4_arp_failed(c->iface, waiting[k]);
  g_free(waiting);
}

/* The retry timer of the resolution of address `arg`: sends another
 * request, or gives up after ARP_MAX_REQUESTS. */
static void arp_timer(void *obj, void *arg)
{
  ArpCache *c = obj;
  ArpEntry *e = arp_find(c, GPOINTER_TO_UINT(arg));

  if (!e || e->state != ARP_INCOMPLETE)
    return;
  e->timer = EVENT_ID_NONE;
  if (e->requests < ARP_MAX_REQUESTS)
    arp_request(c, e);
  else
    arp_fail(c, e);
}

/* Records `mac` for the entry (now REACHABLE for ARP_TIMEOUT) and, if it was
 * resolving, stops the retries and sends the packets that waited. */
static void arp_learn(ArpCache *c, ArpEntry *e, const uint8_t mac[6], SimTime now)
{
  Packet **waiting = e->queue;
  guint n = e->nqueued;
  uint8_t dst[ETH_ADDR_LEN];

  if (e->timer != EVENT_ID_NONE)
    scheduler_cancel(arp_sched(c), e->timer);
  e->timer = EVENT_ID_NONE;
  memcpy(e->mac, mac, ETH_ADDR_LEN);
  memcpy(dst, mac, ETH_ADDR_LEN);
  e->state = ARP_REACHABLE;
  e->expires = now + ARP_TIMEOUT;
  e->queue = NULL;
  e->nqueued = 0;
  for (guint k = 0; k < n; k++)
    ethernet_output(c->iface, waiting[k], dst, ETHERTYPE_IPV4);
  g_free(waiting);
}

/* Returns TRUE when the ARP packet is one ipsim handles: Ethernet/IPv4,
 * request or reply. */
static gboolean arp_valid(const ArpWire *a)
{
  uint16_t op = a ? g_ntohs(a->op) : 0;
  return a && g_ntohs(a->htype) == ARP_HTYPE_ETHERNET && g_ntohs(a->ptype) == ARP_PTYPE_IPV4 &&
         a->hlen == ETH_ADDR_LEN && a->plen == 4 && (op == ARP_OP_REQUEST || op == ARP_OP_REPLY);
}

/* Drops a bad ARP packet with DROP_BAD_ARP, traced with its Ethernet header
 * (ethernet_input pulled it; the bytes are still in front of the data). */
static void arp_drop_bad(Iface *iface, Packet *p)
{
  if (packet_headroom(p) >= ETH_HEADER_LEN) {
    uint8_t eth[ETH_HEADER_LEN];
    memcpy(eth, packet_data(p) - ETH_HEADER_LEN, ETH_HEADER_LEN);
    memcpy(packet_push(p, ETH_HEADER_LEN), eth, ETH_HEADER_LEN);
  }
  node_drop(iface->node, iface, p, DROP_BAD_ARP, TRACE_LINK, TRACE_FROM_ETHERNET);
}

/* Handles an ARP packet that arrived on `iface` (p at the ARP header, maybe
 * followed by Ethernet padding), by RFC 826's algorithm: update the sender's
 * entry if present (merge), add it if the packet targets our address, and
 * answer a request for our address with a unicast reply. Takes the packet;
 * drops it with DROP_BAD_ARP if malformed or not Ethernet/IPv4. */
void arp_input(Iface *iface, Packet *p)
{
  ArpCache *c = iface->arp;
  const ArpWire *a = (const ArpWire *)packet_peek(p, ARP_PACKET_LEN);

  if (!c || !arp_valid(a)) {
    arp_drop_bad(iface, p);
    return;
  }
  SimTime now = sim_now(iface->node->ctx);
  uint32_t spa = g_ntohl(a->spa), tpa = g_ntohl(a->tpa);
  uint16_t op = g_ntohs(a->op);
  uint8_t sha[ETH_ADDR_LEN];
  memcpy(sha, a->sha, ETH_ADDR_LEN);
  packet_free(p);

  gboolean mine = iface->has_ip && tpa == iface->ip.addr;
  ArpEntry *e = spa ? arp_find(c, spa) : NULL;
  if (!e && mine && spa)
    e = arp_insert(c, spa, now);
  if (e)
    arp_learn(c, e, sha, now);
  if (mine && op == ARP_OP_REQUEST)
    arp_send(iface, ARP_OP_REPLY, sha, spa, sha);
}
