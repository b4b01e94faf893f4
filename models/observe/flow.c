/*
 * Flow accounting: packets and bytes per transport 5-tuple, counted where
 * the transport layer sends (flow_sent) and where it delivers
 * (flow_delivered), never per hop. A flow is created by its first sent or
 * delivered packet. Bytes are transport payload bytes.
 *
 * Entry points: flow_table_new(); flow_sent(), flow_delivered() (from
 * UDP and TCP), flow_goodput(), flow_dropped() and flow_lost() (from
 * node_drop); flow_find(); flow_table_sorted() (for reports, in
 * key order so that output never depends on hash order);
 * flow_table_free().
 *
 * Throughput over time: each delivery and each byte of goodput also adds
 * to the flow's bin of FLOW_BIN (10 ms) of the run; only bins with bytes
 * are kept (an array appended to, as time only goes forward), so a long
 * idle flow costs nothing (report_throughput_csv() writes them).
 *
 * Finding a flow by its key (a packet sent, or delivered unstamped) goes
 * through a direct-mapped cache of FLOW_CACHE slots in front of the hash
 * table: a packet of the flow last looked up in its slot costs a key
 * comparison; flows that share a slot take turns and pay the hash lookup.
 * It happens at the two endpoints of a flow only, not at every hop.
 *
 * Delay: flow_sent() stamps each packet with its send time and its flow's
 * id (Packet.stamp, Packet.flow), so delivery and drops find the flow by
 * index, without a hash lookup and one-way delay needs nothing in the payload.
 * Clones (a switch's flooding, broadcasts) keep the stamp; IPv4
 * fragmentation gives the flow to the first fragment only and
 * reassembly gives it back to the datagram (models/internet/frag.c), so
 * that a datagram counts once whatever happens to its pieces.
 *
 * Losses: node_drop() calls flow_dropped() for every drop; a packet
 * stamped with a flow counts as lost for every reason except:
 *   - other-mac, same-port and stp-blocked: a NIC or a bridge filtering a
 *     copy that flooding (or a shared segment) brought where it was not
 *     going, or that arrived on a port the spanning tree blocks; the copy
 *     meant for the destination travels on;
 *   - unknown-ethertype: never a packet of a flow;
 *   - tcp-out-of-window, tcp-bad-ack and tcp-rst: TCP discarding a
 *     segment that reached its connection and was counted as received
 *     (a duplicate, an old segment): the network did not lose it.
 * Everything else (queue-full, link-down, link-loss, ARP failures, TTL,
 * no route, fragmentation and reassembly failures, a closed port, a full
 * socket buffer, a full SYN queue, malformed packets) is a loss: the
 * packet will never reach the application. So, at the end of a run,
 * tx_packets = rx_packets + lost_packets + packets still queued or in
 * flight, for flows that cross no switch flooding unknown destinations.
 * Leaves out: a flooded copy dropped for another reason on its way
 * nowhere (a full queue on a port that does not lead to the
 * destination) counts as a loss; switches flood unicast frames only
 * before they learn where the destination is.
 */
#include "models/observe/flow.h"

/* Slots of the cache in front of the hash table (a power of 2). */
#define FLOW_CACHE_BITS 10
#define FLOW_CACHE (1u << FLOW_CACHE_BITS)

struct FlowTable {
  GHashTable *flows;        /* FlowKey* -> Flow* (the key lives inside the flow) */
  GPtrArray *by_id;         /* of Flow*, owned: flow id i at i - 1 */
  Flow *recent[FLOW_CACHE]; /* the flow last looked up in each slot of flow_cache_slot(), or NULL */
};

/* Hashes the five fields of a key (FNV-1a over the fields, not the padding). */
static guint flow_key_hash(gconstpointer data)
{
  const FlowKey *k = data;
  uint32_t h = 2166136261u;
  uint32_t words[4] = {k->src, k->dst, ((uint32_t)k->sport << 16) | k->dport, k->proto};

  for (int i = 0; i < 4; i++)
    h = (h ^ words[i]) * 16777619u;
  return h;
}

static gboolean flow_key_equal(gconstpointer a, gconstpointer b)
{
  const FlowKey *x = a, *y = b;

  return x->src == y->src && x->dst == y->dst && x->sport == y->sport && x->dport == y->dport && x->proto == y->proto;
}

/* Orders keys by (proto, src, sport, dst, dport); returns <0, 0 or >0. */
static int flow_key_compare(const FlowKey *a, const FlowKey *b)
{
  if (a->proto != b->proto)
    return a->proto < b->proto ? -1 : 1;
  if (a->src != b->src)
    return a->src < b->src ? -1 : 1;
  if (a->sport != b->sport)
    return a->sport < b->sport ? -1 : 1;
  if (a->dst != b->dst)
    return a->dst < b->dst ? -1 : 1;
  if (a->dport != b->dport)
    return a->dport < b->dport ? -1 : 1;
  return 0;
}

static void flow_free(gpointer p)
{
  Flow *f = p;

  if (f->drop_lines)
    g_ptr_array_free(f->drop_lines, TRUE);
  if (f->bins)
    g_array_free(f->bins, TRUE);
  g_free(f);
}

FlowTable *flow_table_new(void)
{
  FlowTable *ft = g_new0(FlowTable, 1);

  ft->flows = g_hash_table_new(flow_key_hash, flow_key_equal);
  ft->by_id = g_ptr_array_new_with_free_func(flow_free);
  return ft;
}

void flow_table_free(FlowTable *ft)
{
  if (!ft)
    return;
  g_hash_table_destroy(ft->flows);
  g_ptr_array_free(ft->by_id, TRUE);
  g_free(ft);
}

/* The cache slot of a key: its fields mixed by multiplying with 2^64
 * over the golden ratio (Fibonacci hashing, which spreads keys that
 * differ by small steps, as addresses and ports numbered in a row, over
 * distinct slots), the top bits kept. */
static inline uint32_t flow_cache_slot(const FlowKey *k)
{
  uint64_t x = ((uint64_t)k->src << 32 | k->dst) * 0x9e3779b97f4a7c15u;

  x += (uint64_t)k->proto << 32 | (uint32_t)k->sport << 16 | k->dport;
  return (uint32_t)((x * 0x9e3779b97f4a7c15u) >> (64 - FLOW_CACHE_BITS));
}

/* Returns the flow of `key` from the hash table, creating it (all
 * counters zero) if new, and puts it in the key's cache slot. */
static Flow *flow_lookup(FlowTable *ft, const FlowKey *key)
{
  Flow *f = g_hash_table_lookup(ft->flows, key);

  if (!f) {
    f = g_new0(Flow, 1);
    f->key.src = key->src;
    f->key.dst = key->dst;
    f->key.sport = key->sport;
    f->key.dport = key->dport;
    f->key.proto = key->proto;
    f->first_tx = -1;
    f->last_rx = -1;
    f->last_goodput = -1;
    f->last_delay = -1;
    g_ptr_array_add(ft->by_id, f);
    f->id = ft->by_id->len;
    g_hash_table_insert(ft->flows, &f->key, f);
  }
  ft->recent[flow_cache_slot(key)] = f;
  return f;
}

/* Returns the flow of `key`, creating it if new: from the cache when its
 * slot holds that flow (every packet of a flow but the first, unless
 * flows share a slot), else from the hash table. */
static inline Flow *flow_get(FlowTable *ft, const FlowKey *key)
{
  Flow *f = ft->recent[flow_cache_slot(key)];

  return f && flow_key_equal(&f->key, key) ? f : flow_lookup(ft, key);
}

/* Counts packet p (`bytes` payload bytes) sent on flow f at `now` and
 * stamps it with the time and the flow. */
void flow_sent_on(Flow *f, Packet *p, size_t bytes, SimTime now)
{
  if (f->tx_packets == 0)
    f->first_tx = now;
  f->tx_packets++;
  f->tx_bytes += bytes;
  if (p) {
    p->stamp = now;
    p->flow = f->id;
  }
}

/* Counts packet p sent on the flow of `key` (created if new); returns the
 * flow (valid until the table is freed). */
Flow *flow_sent(FlowTable *ft, const FlowKey *key, Packet *p, size_t bytes, SimTime now)
{
  Flow *f = flow_get(ft, key);

  flow_sent_on(f, p, bytes, now);
  return f;
}

void flow_retransmitted(Flow *f)
{
  f->retransmitted++;
}

/* Appends the bin of `now` to flow `f`, or returns its last one when that
 * is the bin of `now` (past the run's 2^32nd bin, the bin numbers wrap). */
static FlowBin *flow_bin_new(Flow *f, SimTime now)
{
  uint32_t bin = (uint32_t)(now / FLOW_BIN);
  if (!f->bins)
    f->bins = g_array_new(FALSE, FALSE, sizeof(FlowBin));
  FlowBin *last = f->bins->len ? &g_array_index(f->bins, FlowBin, f->bins->len - 1) : NULL;
  f->bin_start = now / FLOW_BIN * FLOW_BIN;
  if (last && last->bin == bin)
    return last;
  FlowBin b = {bin, 0, 0};
  g_array_append_val(f->bins, b);
  return &g_array_index(f->bins, FlowBin, f->bins->len - 1);
}

/* The bin of `now` on flow `f`: its last, or a new one after it (time
 * only goes forward). The last bin covers from f->bin_start for FLOW_BIN,
 * so most packets find it without a division. */
static inline FlowBin *flow_bin(Flow *f, SimTime now)
{
  if (f->bins && now >= f->bin_start && now - f->bin_start < FLOW_BIN)
    return &g_array_index(f->bins, FlowBin, f->bins->len - 1);
  return flow_bin_new(f, now);
}

/* Counts packet p (`bytes` payload bytes) delivered at `now` on the flow
 * it was stamped with, else on the flow of `key`; its one-way delay comes
 * from the stamp (none for an unstamped packet). Returns the flow. */
Flow *flow_delivered(FlowTable *ft, const FlowKey *key, const Packet *p, size_t bytes, SimTime now)
{
  Flow *f = p && p->flow ? flow_by_id(ft, p->flow) : flow_get(ft, key);

  f->rx_packets++;
  f->rx_bytes += bytes;
  f->last_rx = now;
  if (bytes)
    flow_bin(f, now)->rx_bytes += bytes;
  if (p && p->flow) {
    SimTime delay = now - p->stamp;
    f->delay_sum += delay;
    if (delay > f->delay_max)
      f->delay_max = delay;
    if (f->last_delay >= 0)
      f->jitter_sum += delay > f->last_delay ? delay - f->last_delay : f->last_delay - delay;
    f->last_delay = delay;
  }
  return f;
}

void flow_goodput(Flow *f, size_t bytes, SimTime now)
{
  f->goodput_bytes += bytes;
  f->last_goodput = now;
  if (bytes)
    flow_bin(f, now)->goodput_bytes += bytes;
}

/* A packet stamped with a flow was dropped in the network: one loss. */
void flow_lost(FlowTable *ft, const Packet *p)
{
  if (p && p->flow)
    flow_by_id(ft, p->flow)->lost_packets++;
}

/* Returns the flow whose id is `id` (1 .. the number of flows). */
Flow *flow_by_id(const FlowTable *ft, uint32_t id)
{
  g_return_val_if_fail(id >= 1 && id <= ft->by_id->len, NULL);
  return g_ptr_array_index(ft->by_id, id - 1);
}

gboolean flow_wants_drop_line(const Flow *f)
{
  return !f->drop_lines || f->drop_lines->len < FLOW_DROP_LINES;
}

void flow_keep_drop_line(Flow *f, char *line)
{
  if (!f->drop_lines)
    f->drop_lines = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(f->drop_lines, line);
}

/* Counts the drop of `p` for `reason` as a loss of its flow, when it has
 * one and the reason is a loss (see the comment at the top). */
Flow *flow_dropped(FlowTable *ft, const Packet *p, DropReason reason)
{
  switch (reason) {
  case DROP_OTHER_MAC:
  case DROP_SWITCH_SAME_PORT:
  case DROP_STP_BLOCKED:
  case DROP_UNKNOWN_ETHERTYPE:
  case DROP_TCP_OUT_OF_WINDOW:
  case DROP_TCP_BAD_ACK:
  case DROP_TCP_RST:
    return NULL;
  default:
    flow_lost(ft, p);
    return p && p->flow ? flow_by_id(ft, p->flow) : NULL;
  }
}

/* Returns the flow of `key`, or NULL if no packet of it was counted. */
const Flow *flow_find(const FlowTable *ft, const FlowKey *key)
{
  return g_hash_table_lookup(ft->flows, key);
}

static gint flow_compare_ptrs(gconstpointer a, gconstpointer b)
{
  const Flow *x = *(const Flow *const *)a, *y = *(const Flow *const *)b;

  return flow_key_compare(&x->key, &y->key);
}

/* Returns every flow (const Flow *), sorted by key; the caller unrefs the array. */
GPtrArray *flow_table_sorted(const FlowTable *ft)
{
  GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(ft->flows));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init(&it, ft->flows);
  while (g_hash_table_iter_next(&it, NULL, &value))
    g_ptr_array_add(out, value);
  g_ptr_array_sort(out, flow_compare_ptrs);
  return out;
}
