/*
 * Point-to-point, full-duplex links: serialization at the link's rate,
 * propagation delay, seeded Bernoulli loss and reordering, and up/down.
 *
 * Entry points, in call order: link_new() (from build_network, attaching
 * and raising both ends); link_p2p_ops's start (from the transmitting
 * interface, through link->ops), link_tx_time(); link_carry() (from a
 * hub, models/link/hub.c, which times its shared medium itself);
 * link_set_up(), link_set_params() (timed events);
 * link_describe(); link_free().
 *
 * Each direction holds its frames in flight in a FIFO ring, with a single
 * pending event: the arrival of the head. Loss is drawn when a frame starts
 * (so a parameter change never affects frames already on the wire); a lost
 * frame still occupies the wire and is counted as DROP_LINK_LOSS at the
 * receiving interface when it would have arrived.
 *
 * Leaves out: Ethernet's preamble, FCS and inter-frame gap (the serialized
 * length is the frame from the destination MAC to the end of the padding,
 * as in ns-3's point-to-point model; a PPP frame also counts its FCS and a
 * flag, its interface type's wire_overhead), bit errors, duplex mismatch, half duplex
 * and collisions, jitter and reordering.
 */
#include "models/link/link.h"

#include "models/core/node.h"
#include "models/observe/pcap_out.h"

#define LINK_RING_MIN_CAP 16

static void link_arrive(void *obj, void *arg);

const char *const link_type_names[LINK_TYPE_COUNT] = {"ethernet", "ppp"};

/* Fills `conf` with the defaults: 100Mbps, 1ms, no loss, 100-packet
 * queues, MTU 1500, Ethernet; nothing given. */
void link_config_defaults(LinkConfig *conf)
{
  *conf = (LinkConfig){.rate_bps = UINT64_C(100000000),
                       .delay = SIMTIME_MS(1),
                       .queue = {.packets = 100},
                       .mtu = 1500,
                       .type = LINK_ETHERNET};
}

/* Creates the link `conf` describes between `a` and `b` (`name` may be
 * NULL), attaches both ends and raises them (without notifying the layers
 * above: this is the initial state, not a change). The random streams
 * are "link/<index>/loss" and "link/<index>/reorder". */
Link *link_new(SimContext *ctx, const char *name, const LinkConfig *conf, Iface *a, Iface *b, guint index)
{
  Link *link = g_new0(Link, 1);
  link->name = g_strdup(name);
  link->index = index;
  link->ctx = ctx;
  link->ops = &link_p2p_ops;
  link->ends[0] = a;
  link->ends[1] = b;
  link->rate_bps = conf->rate_bps;
  link->delay = conf->delay;
  link->loss = conf->loss;
  link->reorder = conf->reorder;
  link->type = conf->type;
  link->up = TRUE;
  char *stream = g_strdup_printf("link/%u/loss", index);
  rng_init(&link->loss_rng, ctx->seed, stream);
  g_free(stream);
  stream = g_strdup_printf("link/%u/reorder", index);
  rng_init(&link->reorder_rng, ctx->seed, stream);
  g_free(stream);
  for (int i = 0; i < 2; i++) {
    link->dir[i].event = EVENT_ID_NONE;
    link->ends[i]->link = link;
    link->ends[i]->up = TRUE;
    link->ends[i]->busy_until = 0;
  }
  return link;
}

/* Frees the frames in flight in one direction, without counting them. */
static void link_dir_clear(LinkDirection *dir)
{
  for (guint i = 0; i < dir->count; i++)
    packet_free(dir->ring[(dir->head + i) & (dir->cap - 1)].frame);
  dir->head = dir->count = 0;
}

/* Frees the link, its frames in flight and its pending arrival events (the
 * network frees its scheduler last). NULL-safe. */
void link_free(Link *link)
{
  if (!link)
    return;
  for (int d = 0; d < 2; d++) {
    if (link->dir[d].event != EVENT_ID_NONE)
      scheduler_cancel(link->ctx->sched, link->dir[d].event);
    link_dir_clear(&link->dir[d]);
    g_free(link->dir[d].ring);
  }
  g_free(link->name);
  g_free(link);
}

/* Returns "name (a:eth0 - b:eth1)" or "a:eth0 - b:eth1"; g_free it. */
char *link_describe(const Link *link)
{
  const Iface *a = link->ends[0], *b = link->ends[1];
  char *ends = g_strdup_printf("%s:%s - %s:%s", a->node->name, a->name, b->node->name, b->name);
  if (!link->name)
    return ends;
  char *text = g_strdup_printf("%s (%s)", link->name, ends);
  g_free(ends);
  return text;
}

/* Returns the time to serialize `frame_len` bytes at the link's rate:
 * ceil(bits * 1e9 / rate) nanoseconds, in exact integer arithmetic. */
SimTime link_tx_time(const Link *link, size_t frame_len)
{
  g_return_val_if_fail(link->rate_bps > 0, 0);
  const uint64_t ns_per_s = 1000000000u;
  if (frame_len > UINT64_MAX / (8 * ns_per_s))
    return SIMTIME_MAX;
  uint64_t bit_ns = (uint64_t)frame_len * 8 * ns_per_s;
  uint64_t t = bit_ns / link->rate_bps + (bit_ns % link->rate_bps != 0);
  return t > (uint64_t)SIMTIME_MAX ? SIMTIME_MAX : (SimTime)t;
}

/* Doubles a direction's ring (a power of two), keeping the frames in order. */
static void link_dir_grow(LinkDirection *dir)
{
  guint cap = dir->cap ? dir->cap * 2 : LINK_RING_MIN_CAP;
  LinkFlight *ring = g_new(LinkFlight, cap);
  for (guint i = 0; i < dir->count; i++)
    ring[i] = dir->ring[(dir->head + i) & (dir->cap - 1)];
  g_free(dir->ring);
  dir->ring = ring;
  dir->cap = cap;
  dir->head = 0;
}

/* The newest frame of direction d overtakes the one ahead of it, which is
 * held and arrives right after it: both at the newest frame's arrival
 * time, the ring still in order of arrival. If the overtaken frame was
 * the head, its arrival event moves to the new time. */
static void link_dir_overtake(Link *link, guint d)
{
  LinkDirection *dir = &link->dir[d];
  LinkFlight *ahead = &dir->ring[(dir->head + dir->count - 2) & (dir->cap - 1)];
  LinkFlight *last = &dir->ring[(dir->head + dir->count - 1) & (dir->cap - 1)];
  LinkFlight held = *ahead;
  *ahead = *last;
  *last = held;
  last->arrival = ahead->arrival;
  if (dir->count == 2 && dir->event != EVENT_ID_NONE) {
    scheduler_cancel(link->ctx->sched, dir->event);
    dir->event = scheduler_at(link->ctx->sched, ahead->arrival, link_arrive, link, GUINT_TO_POINTER(d));
  }
}

/* Appends `frame` to direction d, arriving at `arrival`, with its loss
 * drawn now. */
static void link_dir_push(Link *link, guint d, Packet *frame, SimTime arrival)
{
  LinkDirection *dir = &link->dir[d];
  if (dir->count == dir->cap)
    link_dir_grow(dir);
  LinkFlight *f = &dir->ring[(dir->head + dir->count) & (dir->cap - 1)];
  f->frame = frame;
  f->arrival = arrival;
  f->lost = link->loss > 0 && rng_bernoulli(&link->loss_rng, link->loss);
  dir->count++;
}

/* Puts `frame` in flight in direction d, to arrive at `arrival` (no
 * earlier than the frame ahead of it). Takes the frame. */
static inline void link_dir_carry(Link *link, guint d, Packet *frame, SimTime arrival)
{
  LinkDirection *dir = &link->dir[d];

  if (dir->count) {
    SimTime last = dir->ring[(dir->head + dir->count - 1) & (dir->cap - 1)].arrival;
    if (arrival < last)
      arrival = last;
  }
  link_dir_push(link, d, frame, arrival);
  if (dir->event == EVENT_ID_NONE)
    dir->event = scheduler_at(link->ctx->sched, arrival, link_arrive, link, GUINT_TO_POINTER(d));
}

/* Puts `frame`, sent by `from`, in flight to the other end, to arrive at
 * `arrival` (no earlier than the frame ahead of it) with its loss drawn
 * from the link's stream: a medium that computes its own timing (a hub
 * repeating a frame onto this segment). Takes the frame. */
void link_carry(Link *link, Iface *from, Packet *frame, SimTime arrival)
{
  link_dir_carry(link, from == link->ends[0] ? 0 : 1, frame, arrival);
}

/* The point-to-point start: `frame` from `from`, `wire_len` bytes, is
 * serialized from `now` at the link's rate, then arrives at the other end
 * after the link's delay, never before the frame ahead of it (a delay cut
 * by link_set_params() does not reorder frames) unless it overtakes that
 * one (`reorder`). Takes the frame; returns the end of its serialization. */
static SimTime link_p2p_start(Link *link, Iface *from, Packet *frame, size_t wire_len, SimTime now)
{
  guint d = from == link->ends[0] ? 0 : 1;
  SimTime tx_end = now + link_tx_time(link, wire_len);

  link_dir_carry(link, d, frame, tx_end + link->delay);
  if (link->dir[d].count > 1 && link->reorder > 0 && rng_bernoulli(&link->reorder_rng, link->reorder))
    link_dir_overtake(link, d);
  return tx_end;
}

/* A full-duplex point-to-point wire: each direction serializes on its own. */
const LinkOps link_p2p_ops = {.name = "point-to-point", .start = link_p2p_start, .free_at = NULL};

/* Removes and returns the head of a direction; the direction is not empty. */
static LinkFlight link_dir_pop(LinkDirection *dir)
{
  LinkFlight f = dir->ring[dir->head];
  dir->head = (dir->head + 1) & (dir->cap - 1);
  dir->count--;
  return f;
}

/* The arrival event of direction `arg` (0 or 1): the head frame reaches
 * the far end. Schedules the next head's arrival first, then drops the
 * frame (lost) or delivers it. */
static void link_arrive(void *obj, void *arg)
{
  Link *link = obj;
  guint d = GPOINTER_TO_UINT(arg);
  LinkDirection *dir = &link->dir[d];
  Iface *to = link->ends[1 - d];

  dir->event = EVENT_ID_NONE;
  LinkFlight f = link_dir_pop(dir);
  if (dir->count)
    dir->event = scheduler_at(link->ctx->sched, dir->ring[dir->head].arrival, link_arrive, link, arg);
  if (f.lost)
    node_drop(to->node, to, f.frame, DROP_LINK_LOSS, TRACE_LINK, to->ops->trace_from);
  else
    iface_receive(to, f.frame, sim_now(link->ctx));
}

/* Drops every frame in flight in direction d with DROP_LINK_DOWN, counted
 * at the interface that sent it, and cancels the arrival event. */
static void link_dir_flush(Link *link, guint d)
{
  LinkDirection *dir = &link->dir[d];
  Iface *from = link->ends[d];

  if (dir->event != EVENT_ID_NONE)
    scheduler_cancel(link->ctx->sched, dir->event);
  dir->event = EVENT_ID_NONE;
  while (dir->count) {
    LinkFlight f = link_dir_pop(dir);
    node_drop(from->node, from, f.frame, DROP_LINK_DOWN, TRACE_LINK, from->ops->trace_from);
  }
}

/* Brings the link's carrier in line with its own state and its nodes'
 * (a node that is down, node_set_up(), takes its links down). Down: every
 * frame queued at either end or in flight either way is dropped
 * (DROP_LINK_DOWN, at the interface that held it) and both interfaces go
 * down; up: both come back, idle. Each end gets a "link down"/"link up"
 * note in the trace. */
void link_refresh(Link *link)
{
  SimContext *ctx = link->ctx;
  gboolean up = link->up && !link->ends[0]->node->down && !link->ends[1]->node->down;

  if (link->ends[0]->up == up && link->ends[1]->up == up)
    return;
  for (int i = 0; i < 2; i++)
    if (trace_wants(ctx->trace, TRACE_LINK))
      trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), link->ends[i]->node, link->ends[i],
                 up ? "link up" : "link down");
  if (!up)
    for (guint d = 0; d < 2; d++)
      link_dir_flush(link, d);
  for (int i = 0; i < 2; i++)
    iface_set_up(link->ends[i], up);
}

/* Takes the link down or up (an event); its carrier follows unless one of
 * its nodes is down (link_refresh()). */
void link_set_up(Link *link, gboolean up)
{
  if (link->up != up)
    link->changed_at = sim_now(link->ctx);
  link->up = up;
  link_refresh(link);
}

/* Applies the parameters whose LINK_GIVEN_* bit is set in
 * params->given (rate, delay, loss, reorder) to frames that start from now on;
 * frames already on the wire keep their times and their fate. */
void link_set_params(Link *link, const LinkConfig *params)
{
  if ((params->given & LINK_GIVEN_RATE) && params->rate_bps > 0)
    link->rate_bps = params->rate_bps;
  if (params->given & LINK_GIVEN_DELAY)
    link->delay = params->delay;
  if (params->given & LINK_GIVEN_LOSS)
    link->loss = CLAMP(params->loss, 0.0, 1.0);
  if (params->given & LINK_GIVEN_REORDER)
    link->reorder = CLAMP(params->reorder, 0.0, 1.0);
}
