/*
 * IPv4 fragmentation and reassembly (RFC 791 section 3.2, "Fragmentation
 * and reassembly"; RFC 815 for the bookkeeping; RFC 1122 3.3.2).
 *
 * Fragmentation: frag_output() cuts a datagram into pieces whose data is a
 * multiple of 8 bytes (all but the last), each with a copy of the header,
 * its own total length, offset and MF flag (MF stays set on the last piece
 * of a datagram that was itself a non-last fragment), and a fresh header
 * checksum.
 *
 * Reassembly: reasm_input() keeps fragments per datagram, keyed by
 * (source, destination, identification, protocol), in a list sorted by
 * offset; the datagram is complete when the last fragment (MF clear) gave
 * the length and the fragments cover it without a gap. Each datagram has a
 * timer (REASM_TIMEOUT: 30 s, Linux's ipfrag_time, shorter than the
 * 60-120 s RFC 1122 suggests), whose event is cancelled on completion. On timeout every fragment is dropped
 * (DROP_FRAG_TIMEOUT) and, if fragment 0 had arrived, the source gets ICMP
 * time exceeded, code 1 (RFC 792).
 *
 * Policies (as Linux since 4.19, and RFC 5722 asks for IPv6): a fragment
 * that overlaps another discards the whole datagram (DROP_FRAG_OVERLAP for
 * every fragment held and the new one); an exact duplicate (same offset
 * and length) is dropped alone (DROP_FRAG_OVERLAP), and the datagram goes
 * on. A fragment whose end passes 65535 bytes, a non-last fragment whose
 * data is not a multiple of 8, an empty fragment, or one that disagrees with
 * the known end of the datagram is dropped alone (DROP_FRAG_INVALID). At
 * most REASM_MAX_DATAGRAMS datagrams are in reassembly per node; a new one
 * beyond that drops the oldest (DROP_FRAG_TIMEOUT, without ICMP).
 *
 * Flow accounting (models/flow.c): every fragment keeps the datagram's
 * send time (Packet.stamp), but only the first (offset 0) keeps its flow
 * (Packet.flow), and the reassembled datagram gets both from its first
 * fragment. A datagram thus counts once: delivered with its delay when it
 * is whole, or lost once, whether its first fragment is lost on the way
 * or held until reassembly gives up (a later fragment lost); an exact
 * duplicate of the first fragment gives up its flow before it is dropped.
 *
 * Entry points: frag_output() (from ipv4_output); reasm_new(),
 * reasm_input() (from IPv4 local delivery), reasm_free().
 *
 * Leaves out: copying only the options whose copied flag is set into later
 * fragments (every fragment gets the whole header, options included);
 * fragmenting datagrams whose header leaves fewer than 8 data bytes per
 * fragment (dropped with DROP_FRAG_NEEDED).
 */
#include "models/internet/frag.h"

#include <string.h>

#include "models/internet/checksum.h"
#include "models/internet/icmp.h"
#include "models/core/node.h"

/* Returns the header length in bytes of the datagram at the start of p. */
static size_t frag_hlen(const Packet *p)
{
  return (size_t)(((const Ipv4Header *)p->data)->ver_ihl & 0xf) * 4;
}

/* Builds the fragment holding data bytes [off, off + n) of datagram `p`
 * (whose header has length hlen); `more` sets MF. */
static Packet *frag_piece(Packet *p, size_t hlen, size_t off, size_t n, gboolean more)
{
  const Ipv4Header *orig = (const Ipv4Header *)packet_data(p);
  uint16_t frag = g_ntohs(orig->frag);
  size_t base = (size_t)(frag & IPV4_OFFSET_MASK) * 8;
  Packet *f = packet_new(p->pool, hlen + n);
  Ipv4Header *h = (Ipv4Header *)packet_data(f);

  memcpy(h, orig, hlen);
  memcpy(packet_data(f) + hlen, packet_data(p) + hlen + off, n);
  h->total_len = g_htons((uint16_t)(hlen + n));
  h->frag = g_htons((uint16_t)((more ? IPV4_FLAG_MF : 0) | ((base + off) / 8)));
  h->checksum = 0;
  h->checksum = inet_checksum(h, hlen);
  f->stamp = p->stamp;
  f->flow = off == 0 ? p->flow : 0;
  packet_derive(f, p, PACKET_ORIGIN_FRAGMENT);
  return f;
}

/* Traces a fragment leaving by `iface` (internet layer: `send`, as the
 * node made it, a router included). */
static void frag_trace(Iface *iface, const Packet *f)
{
  SimContext *ctx = iface->node->ctx;
  if (trace_wants(ctx->trace, TRACE_INTERNET))
    trace_packet(ctx->trace, TRACE_INTERNET, sim_now(ctx), iface->node, iface, TRACE_SEND, TRACE_FROM_IPV4, f, NULL);
}

/* Fragments datagram `p` (at its IP header, DF clear, larger than the MTU
 * of `iface`) and passes each fragment to `send` with `next_hop`, in order
 * of offset; each is traced as `send` first (the trace shows the node
 * fragmenting, never the whole datagram on the small link). Takes `p`
 * (freed once cut). */
void frag_output(Iface *iface, Packet *p, uint32_t next_hop, FragSendFn send)
{
  size_t hlen = frag_hlen(p), len = packet_len(p) - hlen;
  size_t step = iface->mtu > hlen ? ((iface->mtu - hlen) & ~(size_t)7) : 0;
  gboolean orig_more = (((const Ipv4Header *)packet_data(p))->frag & g_htons(IPV4_FLAG_MF)) != 0;

  if (step == 0) {
    node_drop(iface->node, iface, p, DROP_FRAG_NEEDED, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  for (size_t off = 0; off < len; off += step) {
    size_t n = MIN(step, len - off);
    Packet *f = frag_piece(p, hlen, off, n, off + n < len || orig_more);
    frag_trace(iface, f);
    send(iface, f, next_hop);
  }
  packet_free(p);
}

/* One fragment held: data bytes [start, end) of the datagram. */
typedef struct {
  uint32_t start, end;
  Packet *p; /* at its IP header */
} ReasmFrag;

/* A datagram in reassembly. */
typedef struct {
  uint32_t src, dst; /* network byte order, as in the header */
  uint16_t id;       /* network byte order */
  uint8_t proto;
  int32_t total; /* data bytes, once the last fragment came; -1 before */
  uint32_t have; /* data bytes held */
  GArray *frags; /* of ReasmFrag, sorted by start */
  EventId timer;
} ReasmDatagram;

struct Reassembly {
  Node *node;
  GPtrArray *dgrams; /* of ReasmDatagram*, oldest first (at most REASM_MAX_DATAGRAMS) */
};

Reassembly *reasm_new(Node *node)
{
  Reassembly *r = g_new0(Reassembly, 1);

  r->node = node;
  r->dgrams = g_ptr_array_new();
  return r;
}

/* Frees a datagram and its fragments without counting them (end of run). */
static void reasm_datagram_free(ReasmDatagram *d)
{
  for (guint i = 0; i < d->frags->len; i++)
    packet_free(g_array_index(d->frags, ReasmFrag, i).p);
  g_array_free(d->frags, TRUE);
  g_free(d);
}

/* Frees the reassembly state at the end of a run. Pending timers are left
 * to the scheduler, which is freed with the network without running them. */
void reasm_free(Reassembly *r)
{
  if (!r)
    return;
  for (guint i = 0; i < r->dgrams->len; i++)
    reasm_datagram_free(g_ptr_array_index(r->dgrams, i));
  g_ptr_array_free(r->dgrams, TRUE);
  g_free(r);
}

/* Removes datagram d from reassembly, dropping every fragment it holds with
 * `reason`, and frees it. Cancels its timer. */
static void reasm_discard(Reassembly *r, ReasmDatagram *d, DropReason reason)
{
  scheduler_cancel(r->node->ctx->sched, d->timer);
  g_ptr_array_remove(r->dgrams, d);
  for (guint i = 0; i < d->frags->len; i++)
    node_drop(r->node, NULL, g_array_index(d->frags, ReasmFrag, i).p, reason, TRACE_INTERNET, TRACE_FROM_IPV4);
  g_array_set_size(d->frags, 0);
  reasm_datagram_free(d);
}

/* The reassembly timer of datagram `arg` expired: every fragment is
 * dropped with DROP_FRAG_TIMEOUT, then ICMP time exceeded (reassembly)
 * goes to the source if fragment 0 arrived (built before the drops). */
static void reasm_timeout(void *obj, void *arg)
{
  Reassembly *r = obj;
  ReasmDatagram *d = arg;
  const ReasmFrag *first = d->frags->len ? &g_array_index(d->frags, ReasmFrag, 0) : NULL;
  IcmpError e = {ICMP_TIME_EXCEEDED, ICMP_TIMXCEED_REASS, 0, NULL};
  IcmpPending pending = {0};

  d->timer = EVENT_ID_NONE;
  if (first && first->start == 0)
    icmp_error_prepare(r->node, first->p, &e, &pending);
  reasm_discard(r, d, DROP_FRAG_TIMEOUT);
  icmp_error_send(r->node, &pending);
}

/* Returns the datagram fragment header h belongs to, or NULL. A linear
 * scan: at most REASM_MAX_DATAGRAMS, and usually one or two. */
static ReasmDatagram *reasm_find(Reassembly *r, const Ipv4Header *h)
{
  for (guint i = 0; i < r->dgrams->len; i++) {
    ReasmDatagram *d = g_ptr_array_index(r->dgrams, i);
    if (d->id == h->id && d->src == h->src && d->dst == h->dst && d->proto == h->proto)
      return d;
  }
  return NULL;
}

/* Starts reassembly of the datagram of fragment header h, first making
 * room by dropping the oldest datagram if REASM_MAX_DATAGRAMS are held. */
static ReasmDatagram *reasm_start(Reassembly *r, const Ipv4Header *h)
{
  ReasmDatagram *d = g_new0(ReasmDatagram, 1);

  if (r->dgrams->len >= REASM_MAX_DATAGRAMS)
    reasm_discard(r, g_ptr_array_index(r->dgrams, 0), DROP_FRAG_TIMEOUT);
  d->src = h->src;
  d->dst = h->dst;
  d->id = h->id;
  d->proto = h->proto;
  d->total = -1;
  d->frags = g_array_new(FALSE, FALSE, sizeof(ReasmFrag));
  d->timer = scheduler_after(r->node->ctx->sched, REASM_TIMEOUT, reasm_timeout, r, d);
  g_ptr_array_add(r->dgrams, d);
  return d;
}

/* Checks fragment data [start, end) (header hlen bytes) against the
 * limits and against datagram d (NULL: the first fragment seen); returns
 * FALSE if the fragment is invalid. */
static gboolean reasm_fits(const ReasmDatagram *d, size_t hlen, uint32_t start, uint32_t end, gboolean more)
{
  if (end <= start || hlen + end > IPV4_MAX_LEN || (more && (end - start) % 8 != 0))
    return FALSE;
  if (!d)
    return TRUE;
  if (d->total >= 0)
    return more ? end <= (uint32_t)d->total : end == (uint32_t)d->total;
  if (!more && d->frags->len)
    return g_array_index(d->frags, ReasmFrag, d->frags->len - 1).end <= end;
  return TRUE;
}

/* Finds where [start, end) goes in the sorted list: returns the index, or
 * -1 for an overlap, -2 for an exact duplicate. */
static int reasm_slot(const ReasmDatagram *d, uint32_t start, uint32_t end)
{
  guint i = 0;

  while (i < d->frags->len && g_array_index(d->frags, ReasmFrag, i).start < start)
    i++;
  if (i < d->frags->len) {
    const ReasmFrag *next = &g_array_index(d->frags, ReasmFrag, i);
    if (next->start == start && next->end == end)
      return -2;
    if (next->start < end)
      return -1;
  }
  if (i > 0 && g_array_index(d->frags, ReasmFrag, i - 1).end > start)
    return -1;
  return (int)i;
}

/* Joins the fragments of a complete datagram into one packet (header of
 * fragment 0, offsets cleared, total length and checksum set), removes the
 * datagram and returns the packet. */
static Packet *reasm_join(Reassembly *r, ReasmDatagram *d)
{
  Packet *first = g_array_index(d->frags, ReasmFrag, 0).p;
  size_t hlen = frag_hlen(first);
  Packet *out = packet_new(first->pool, hlen + (size_t)d->total);
  Ipv4Header *h = (Ipv4Header *)packet_data(out);

  memcpy(h, packet_data(first), hlen);
  for (guint i = 0; i < d->frags->len; i++) {
    const ReasmFrag *f = &g_array_index(d->frags, ReasmFrag, i);
    memcpy(packet_data(out) + hlen + f->start, packet_data(f->p) + frag_hlen(f->p), f->end - f->start);
  }
  h->total_len = g_htons((uint16_t)(hlen + (size_t)d->total));
  h->frag = 0;
  h->checksum = 0;
  h->checksum = inet_checksum(h, hlen);
  out->stamp = first->stamp;
  out->flow = first->flow;
  packet_rejoin(out, first);
  scheduler_cancel(r->node->ctx->sched, d->timer);
  g_ptr_array_remove(r->dgrams, d);
  reasm_datagram_free(d);
  return out;
}

/* Takes a fragment (at its IP header, checked and trimmed) addressed to
 * the node. Returns the reassembled datagram (at its IP header, owned by
 * the caller) when this fragment completed it, else NULL (the fragment is
 * held or dropped). */
Packet *reasm_input(Reassembly *r, Packet *fragment)
{
  const Ipv4Header *h = (const Ipv4Header *)packet_data(fragment);
  size_t hlen = frag_hlen(fragment);
  uint16_t frag = g_ntohs(h->frag);
  uint32_t start = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
  uint32_t end = start + (uint32_t)(packet_len(fragment) - hlen);
  gboolean more = (frag & IPV4_FLAG_MF) != 0;
  ReasmDatagram *d = reasm_find(r, h);
  int slot;

  if (!reasm_fits(d, hlen, start, end, more)) {
    node_drop(r->node, NULL, fragment, DROP_FRAG_INVALID, TRACE_INTERNET, TRACE_FROM_IPV4);
    return NULL;
  }
  if (!d)
    d = reasm_start(r, h);
  slot = reasm_slot(d, start, end);
  if (slot == -2) {
    fragment->flow = 0; /* the datagram goes on: not a loss */
    node_drop(r->node, NULL, fragment, DROP_FRAG_OVERLAP, TRACE_INTERNET, TRACE_FROM_IPV4);
    return NULL;
  }
  if (slot == -1) {
    reasm_discard(r, d, DROP_FRAG_OVERLAP);
    node_drop(r->node, NULL, fragment, DROP_FRAG_OVERLAP, TRACE_INTERNET, TRACE_FROM_IPV4);
    return NULL;
  }
  ReasmFrag f = {start, end, fragment};
  g_array_insert_val(d->frags, (guint)slot, f);
  d->have += end - start;
  if (!more)
    d->total = (int32_t)end;
  return d->total >= 0 && d->have == (uint32_t)d->total ? reasm_join(r, d) : NULL;
}
