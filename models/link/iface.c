/*
 * Interfaces: a node's attachment to a link, with its drop-tail transmit
 * queue, its counters and its up/down state.
 *
 * Entry points, in call order: iface_new() (from node_add_iface);
 * iface_output() and iface_input() (inline, through the interface type's
 * ops); iface_transmit() (from the type's output and the switch, with a
 * complete frame); iface_receive() (a frame arrived: from the link, or
 * from a TAP wire); iface_set_up() (from link_set_up) and iface_listen();
 * iface_peer(), iface_free().
 *
 * An interface is connected to a link, or wired to a TAP device outside
 * the simulation (`tap: NAME`, models/link/tap.h): its frames are then
 * written to the device as they start, with no serialization of ours.
 *
 * Transmission: an idle interface starts a frame at once and schedules
 * nothing (the link schedules the arrival), so an unloaded hop costs one
 * event; a busy one queues the frame, and a single pending tx_event at the
 * end of the current frame starts the next one, re-arming while frames wait.
 * On a shared medium (a hub's segment, LinkOps.free_at) the interface
 * also senses carrier: while another station's frame is on the medium it
 * queues the frame and defers (1-persistent: the tx_event fires when the
 * medium becomes idle, and defers again if another station took it at
 * that instant). iface_record() counts, captures and traces a frame
 * passing an interface (a hub's ports use it too).
 *
 * Leaves out: Ethernet's preamble, FCS and inter-frame gap (not serialized;
 * PPP's FCS and flag are, as its type's wire_overhead), other queue
 * disciplines than drop-tail (RED comes later), pause frames.
 */
#include "models/link/iface.h"

#include <string.h>

#include "models/link/link.h"
#include "models/link/tap.h"
#include "models/link/vlan.h"
#include "models/core/node.h"
#include "models/observe/pcap_out.h"

#define IFACE_QUEUE_MIN_CAP 8

/* Creates the interface `conf` describes on `node`; the caller adds it to
 * the node and gives it its type (iface->ops) when it links it. An MTU or
 * queue limit of 0 takes the link's default (link_config_defaults()). It
 * stays down until a link attaches it. */
Iface *iface_new(Node *node, const IfaceConfig *conf, guint index)
{
  Iface *iface = g_new0(Iface, 1);
  iface->name = g_strdup(conf->name);
  iface->node = node;
  iface->index = index;
  memcpy(iface->mac, conf->mac, sizeof iface->mac);
  iface->has_ip = conf->has_ip;
  iface->ip = conf->ip;
  LinkConfig d; /* for what a hand-built config leaves at 0 */
  link_config_defaults(&d);
  iface->mtu = conf->mtu ? conf->mtu : d.mtu;
  iface->queue.limit = conf->queue.packets || conf->queue.bytes ? conf->queue : d.queue;
  iface->tx_event = EVENT_ID_NONE;
  iface->tap_fd = -1;
  return iface;
}

/* Frees the frames still queued (at teardown, without counting them). */
static void iface_queue_clear(IfaceQueue *q)
{
  for (guint i = 0; i < q->count; i++)
    packet_free(q->ring[(q->head + i) & (q->cap - 1)]);
  q->head = q->count = 0;
  q->bytes = 0;
}

/* Frees the interface, its queued frames and its pending timer (the node
 * frees the ARP cache, the network the pcap file and, last, the scheduler).
 * NULL-safe. */
void iface_free(Iface *iface)
{
  if (!iface)
    return;
  if (iface->tx_event != EVENT_ID_NONE)
    scheduler_cancel(iface->node->ctx->sched, iface->tx_event);
  iface_queue_clear(&iface->queue);
  g_free(iface->queue.ring);
  g_free(iface->vlan);
  g_free(iface->name);
  g_free(iface);
}

/* Returns the interface at the other end of the link, or NULL when unconnected. */
Iface *iface_peer(const Iface *iface)
{
  if (!iface->link)
    return NULL;
  return iface->link->ends[0] == iface ? iface->link->ends[1] : iface->link->ends[0];
}

/* Returns TRUE when a frame of `len` bytes fits under the queue's limit. */
static gboolean iface_queue_fits(const IfaceQueue *q, size_t len)
{
  if (q->limit.packets)
    return q->count < q->limit.packets;
  return q->bytes + len <= q->limit.bytes;
}

/* Doubles the ring, keeping the frames in order. The capacity is a power of
 * two, so at most twice the packet limit; the limit itself is checked by
 * iface_queue_fits(). */
static void iface_queue_grow(IfaceQueue *q)
{
  guint cap = q->cap ? q->cap * 2 : IFACE_QUEUE_MIN_CAP;
  Packet **ring = g_new(Packet *, cap);
  for (guint i = 0; i < q->count; i++)
    ring[i] = q->ring[(q->head + i) & (q->cap - 1)];
  g_free(q->ring);
  q->ring = ring;
  q->cap = cap;
  q->head = 0;
}

/* Appends `frame` if it fits; returns FALSE (and keeps nothing) if not. */
static gboolean iface_queue_push(IfaceQueue *q, Packet *frame)
{
  if (!iface_queue_fits(q, packet_len(frame)))
    return FALSE;
  if (q->count == q->cap)
    iface_queue_grow(q);
  q->ring[(q->head + q->count) & (q->cap - 1)] = frame;
  q->count++;
  q->bytes += packet_len(frame);
  return TRUE;
}

/* Removes and returns the oldest frame, or NULL when the queue is empty. */
static Packet *iface_queue_pop(IfaceQueue *q)
{
  if (!q->count)
    return NULL;
  Packet *frame = q->ring[q->head];
  q->head = (q->head + 1) & (q->cap - 1);
  q->count--;
  q->bytes -= packet_len(frame);
  return frame;
}

/* Writes a queues.csv row (time, node, interface, frames and bytes
 * waiting) after the transmit queue changed; nothing when not asked. */
static void iface_queue_series(const Iface *iface)
{
  FILE *f = iface->node->ctx->queues_csv;
  if (!f)
    return;
  GString *line = g_string_sized_new(64);
  trace_format_time(line, sim_now(iface->node->ctx));
  g_string_append_printf(line, ",%s,%s,%u,%" G_GUINT64_FORMAT "\n", iface->node->name, iface->name, iface->queue.count,
                         (guint64)iface->queue.bytes);
  fputs(line->str, f);
  g_string_free(line, TRUE);
}

/* Counts, captures and traces `frame` passing `iface` at `now`: sent
 * (TRACE_TX, or TRACE_FWD for a hub repeating it) or received (TRACE_RX);
 * `verb` is a TraceVerb (observe/trace.h includes this header).
 * The frame stays the caller's. */
void iface_record(Iface *iface, Packet *frame, SimTime now, int verb)
{
  SimContext *ctx = iface->node->ctx;
  size_t len = packet_len(frame);

  if (verb == TRACE_RX) {
    iface->counters.rx_packets++;
    iface->counters.rx_bytes += len;
  } else {
    iface->counters.tx_packets++;
    iface->counters.tx_bytes += len;
  }
  if (trace_wants(ctx->trace, TRACE_LINK))
    trace_packet(ctx->trace, TRACE_LINK, now, iface->node, iface, verb, iface->ops->trace_from, frame, NULL);
  if (iface->pcap)
    pcap_out_write(iface->pcap, now, packet_data(frame), len);
}

/* Starts serializing `frame` now: counts, traces and captures it, then
 * hands it to the link, which owns it from then on. */
static void iface_start(Iface *iface, Packet *frame, SimTime now)
{
  iface_record(iface, frame, now, TRACE_TX);
  if (!iface->link) {
    tap_wire_send(iface, frame);
    iface->busy_until = now;
    return;
  }
  iface->busy_until =
      iface->link->ops->start(iface->link, iface, frame, packet_len(frame) + iface->ops->wire_overhead, now);
}

/* Delivers a frame that arrived intact at `to`: counters, capture, trace,
 * then the interface's type, which takes it. */
void iface_receive(Iface *to, Packet *frame, SimTime now)
{
  iface_record(to, frame, now, TRACE_RX);
  iface_input(to, frame);
}

/* Carrier sense: when the medium lets `iface` start a frame (0 on a
 * full-duplex link, which only the interface's own frame keeps busy). */
static SimTime iface_medium_free_at(const Iface *iface)
{
  const Link *link = iface->link;
  return link && link->ops->free_at ? link->ops->free_at(link, iface) : 0;
}

/* Tracing the link layer: notes that the interface defers its next frame
 * until `until`, the shared medium being busy. */
static void iface_note_defer(const Iface *iface, SimTime until)
{
  SimContext *ctx = iface->node->ctx;
  if (!trace_wants(ctx->trace, TRACE_LINK))
    return;
  char *t = units_format_duration(until);
  trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), iface->node, iface, "defer: medium busy until %s", t);
  g_free(t);
}

/* The tx_event: the current frame has been serialized (or the shared
 * medium the interface deferred to is idle); starts the next waiting
 * frame, or defers again while the medium is busy, and re-arms while more
 * frames wait. */
static void iface_tx_next(void *obj, void *arg)
{
  Iface *iface = obj;
  Scheduler *sched = iface->node->ctx->sched;
  SimTime now = scheduler_now(sched);
  (void)arg;

  iface->tx_event = EVENT_ID_NONE;
  if (!iface->queue.count)
    return;
  SimTime free_at = iface_medium_free_at(iface);
  if (free_at > now) {
    iface_note_defer(iface, free_at);
    iface->tx_event = scheduler_at(sched, free_at, iface_tx_next, iface, NULL);
    return;
  }
  Packet *frame = iface_queue_pop(&iface->queue);
  iface_queue_series(iface);
  iface_start(iface, frame, now);
  if (iface->queue.count)
    iface->tx_event = scheduler_at(sched, iface->busy_until, iface_tx_next, iface, NULL);
}

/* Sends the complete frame `frame` (header, payload, padding) on
 * the interface's link: at once when idle (and, on a shared medium, when
 * no other station's carrier is sensed), else after the frames queued
 * before it. Takes the frame: drops it with DROP_LINK_DOWN when the
 * interface is down, DROP_BAD_FRAME when it exceeds the MTU (an 802.1Q tag
 * does not count: a tagged frame may be 4 bytes longer), and
 * DROP_QUEUE_FULL when the queue is at its limit. */
void iface_transmit(Iface *iface, Packet *frame)
{
  Node *node = iface->node;
  SimContext *ctx = node->ctx;

  TraceFrom from = iface->ops->trace_from;
  if (!iface->up || (!iface->link && iface->tap_fd < 0)) {
    node_drop(node, iface, frame, DROP_LINK_DOWN, TRACE_LINK, from);
    return;
  }
  size_t max = (size_t)iface->mtu + iface->ops->header_len;
  if (packet_len(frame) > max && packet_len(frame) > max + vlan_tag_len(iface, frame)) {
    node_drop(node, iface, frame, DROP_BAD_FRAME, TRACE_LINK, from);
    return;
  }
  SimTime now = sim_now(ctx);
  if (now >= iface->busy_until && iface->queue.count == 0 && now >= iface_medium_free_at(iface)) {
    iface_start(iface, frame, now);
    return;
  }
  if (!iface_queue_push(&iface->queue, frame)) {
    node_drop(node, iface, frame, DROP_QUEUE_FULL, TRACE_LINK, from);
    return;
  }
  iface_queue_series(iface);
  if (trace_wants(ctx->trace, TRACE_LINK))
    trace_packet(ctx->trace, TRACE_LINK, now, node, iface, TRACE_ENQ, from, frame, NULL);
  if (iface->tx_event != EVENT_ID_NONE)
    return;
  if (now < iface->busy_until) { /* its own frame first; carrier is sensed when that ends */
    iface->tx_event = scheduler_at(ctx->sched, iface->busy_until, iface_tx_next, iface, NULL);
    return;
  }
  SimTime free_at = iface_medium_free_at(iface);
  iface_note_defer(iface, free_at);
  iface->tx_event = scheduler_at(ctx->sched, free_at, iface_tx_next, iface, NULL);
}

/* Drops every queued frame with DROP_LINK_DOWN and cancels the tx_event:
 * what a link going down does to the interface's queue. */
void iface_flush(Iface *iface)
{
  Packet *frame;

  if (iface->tx_event != EVENT_ID_NONE)
    scheduler_cancel(iface->node->ctx->sched, iface->tx_event);
  iface->tx_event = EVENT_ID_NONE;
  gboolean had = iface->queue.count > 0;
  while ((frame = iface_queue_pop(&iface->queue)))
    node_drop(iface->node, iface, frame, DROP_LINK_DOWN, TRACE_LINK, iface->ops->trace_from);
  if (had)
    iface_queue_series(iface);
}

/* Adds a listener to `*listeners` (an array of IfaceListener, created on
 * first use): a node's, told of its own interfaces, or the network's, told
 * of every interface. */
void iface_listen(GArray **listeners, IfaceListenFn fn, void *data)
{
  if (!*listeners)
    *listeners = g_array_new(FALSE, FALSE, sizeof(IfaceListener));
  IfaceListener l = {fn, data};
  g_array_append_val(*listeners, l);
}

static void iface_notify(GArray *listeners, Iface *iface)
{
  for (guint i = 0; listeners && i < listeners->len; i++) {
    const IfaceListener *l = &g_array_index(listeners, IfaceListener, i);
    l->fn(l->data, iface);
  }
}

/* Sets the interface's carrier up or down: down drops what is queued.
 * Then tells the listeners of its node (ARP, IPv4), then the network's
 * (automatic routing); its VLAN subinterfaces follow. The link calls it for
 * both ends (link_set_up()). */
void iface_set_up(Iface *iface, gboolean up)
{
  Node *node = iface->node;

  iface->up = up;
  iface->busy_until = sim_now(node->ctx);
  if (!up)
    iface_flush(iface);
  iface_notify(node->iface_listeners, iface);
  iface_notify(node->ctx->iface_listeners, iface);
  vlan_subifs_set_up(iface, up);
}
