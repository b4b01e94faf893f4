/*
 * A hub: a repeater whose ports share one half-duplex medium (IEEE 802.3
 * clause 9's repeater set, without collisions, as ns-3's CsmaChannel).
 *
 * Entry points: hub_new() (from node_add_layers: the hub's links become
 * segments of its medium, with hub_link_ops), hub_link_ops's start (from
 * a station's interface, through link->ops) and free_at (carrier sense,
 * from iface_transmit()), hub_port_ops, hub_free_at(), hub_free().
 *
 * Timing, for a frame of L bytes that station A starts at t on segment A
 * (rate R, delay dA), every segment having the rate R:
 *   - the hub repeats it at t + dA (its first bit; the repeater adds no
 *     delay): the ingress port records it as received and every other
 *     port as forwarded (`fwd`), with its trace line and capture;
 *   - station X (segment delay dX) receives it at t + L*8/R + dA + dX;
 *   - the medium is busy, for every station including A, until
 *     t + L*8/R + dA + max dX over the other segments: a frame that
 *     wants to start before then waits in its interface's queue
 *     (`defer: medium busy until ...` in the trace) and starts at that
 *     instant (1-persistent). Stations deferring to the same instant go in
 *     the order they deferred; the first takes the medium and the others
 *     defer again, so the stations share the medium in turn.
 * Loss is drawn per receiving segment (its link's stream), when the hub
 * repeats onto it. Only one repeat is ever pending: the next frame
 * starts after the last one's repeat.
 *
 * Leaves out: collisions (two stations never transmit at once, since
 * carrier sense is instantaneous across the medium), jam and backoff,
 * the inter-frame gap, the repeater's delay, cascaded hubs.
 */
#include "models/link/hub.h"

#include "models/link/ethernet_wire.h"
#include "models/core/node.h"

struct Hub {
  Node *node;
  SimTime free_at; /* the medium is idle from then on */
  Packet *frame;   /* the frame whose repeat is pending, or NULL */
  Iface *in;       /* the port it comes in by */
  SimTime tx;      /* its serialization time */
  EventId event;   /* the pending repeat */
};

/* Returns the hub's port on `link`. */
static Iface *hub_port_on(const Hub *hub, const Link *link)
{
  return link->ends[0]->node == hub->node ? link->ends[0] : link->ends[1];
}

/* Creates the medium of hub node `node`, whose interfaces are linked
 * already: each link becomes a segment of it (link->hub, hub_link_ops). */
Hub *hub_new(Node *node)
{
  Hub *hub = g_new0(Hub, 1);
  hub->node = node;
  hub->event = EVENT_ID_NONE;
  for (guint i = 0; i < node->ifaces->len; i++) {
    Link *link = node_iface(node, i)->link;
    if (!link)
      continue;
    g_return_val_if_fail(!link->hub, hub); /* a link between two hubs: the loader refuses it */
    link->hub = hub;
    link->ops = &hub_link_ops;
  }
  return hub;
}

/* Frees the medium and a frame whose repeat is pending (at teardown). NULL-safe. */
void hub_free(Hub *hub)
{
  if (!hub)
    return;
  if (hub->event != EVENT_ID_NONE)
    scheduler_cancel(hub->node->ctx->sched, hub->event);
  packet_free(hub->frame);
  g_free(hub);
}

/* Returns when the medium becomes idle (0: it has been idle from the start). */
SimTime hub_free_at(const Hub *hub)
{
  return hub->free_at;
}

/* The largest propagation delay from the hub to a station other than the
 * one on port `in`: how long the medium carries a frame's last bit. */
static SimTime hub_max_delay(const Hub *hub, const Iface *in)
{
  SimTime max = 0;
  for (guint i = 0; i < hub->node->ifaces->len; i++) {
    const Iface *port = node_iface(hub->node, i);
    if (port != in && port->link && port->link->delay > max)
      max = port->link->delay;
  }
  return max;
}

/* Forwards `frame` onto `port`'s segment at `now`: it reaches the
 * station `tx` plus the segment's delay later. Takes the frame. */
static void hub_send(Iface *port, Packet *frame, SimTime now, SimTime tx)
{
  iface_record(port, frame, now, TRACE_FWD);
  link_carry(port->link, port, frame, now + tx + port->link->delay);
}

/* Repeats `frame` (from port `in`, `tx` long) onto every other port that
 * is up, now: clones to all but the last, the frame itself to the last
 * (freed if there is none). Takes the frame. */
static void hub_repeat_now(Hub *hub, Iface *in, Packet *frame, SimTime tx)
{
  SimTime now = sim_now(hub->node->ctx);
  GPtrArray *ports = hub->node->ifaces;
  Iface *last = NULL;

  iface_record(in, frame, now, TRACE_RX);
  for (guint i = 0; i < ports->len; i++) {
    Iface *port = g_ptr_array_index(ports, i);
    if (port == in || !port->up || !port->link)
      continue;
    if (last)
      hub_send(last, packet_clone(frame), now, tx);
    last = port;
  }
  if (last)
    hub_send(last, frame, now, tx);
  else
    packet_free(frame);
}

/* The repeat event: the pending frame's first bit has reached the hub.
 * Its port went down meanwhile: the frame is dropped there (link-down). */
static void hub_repeat(void *obj, void *arg)
{
  Hub *hub = obj;
  Packet *frame = hub->frame;
  (void)arg;

  hub->event = EVENT_ID_NONE;
  hub->frame = NULL;
  if (!hub->in->up)
    node_drop(hub->node, hub->in, frame, DROP_LINK_DOWN, TRACE_LINK, TRACE_FROM_ETHERNET);
  else
    hub_repeat_now(hub, hub->in, frame, hub->tx);
}

/* The start of a frame on a hub's segment: `from` (a station) sends
 * `frame`, `wire_len` bytes, at `now`. The medium is busy until its last
 * bit has reached the farthest other station; the hub repeats it when its
 * first bit arrives. Takes the frame; returns the end of its
 * serialization. */
static SimTime hub_link_start(Link *link, Iface *from, Packet *frame, size_t wire_len, SimTime now)
{
  Hub *hub = link->hub;
  Iface *in = hub_port_on(hub, link);
  SimTime tx = link_tx_time(link, wire_len);
  (void)from;

  if (hub->event != EVENT_ID_NONE) { /* never: a frame starts after the last one's repeat */
    scheduler_cancel(hub->node->ctx->sched, hub->event);
    hub_repeat(hub, NULL);
  }
  hub->free_at = now + tx + link->delay + hub_max_delay(hub, in);
  hub->frame = frame;
  hub->in = in;
  hub->tx = tx;
  hub->event = scheduler_at(hub->node->ctx->sched, now + link->delay, hub_repeat, hub, NULL);
  return now + tx;
}

/* Carrier sense on a hub's segment: the medium's, the same for every station. */
static SimTime hub_link_free_at(const Link *link, const Iface *from)
{
  (void)from;
  return link->hub->free_at;
}

/* A segment of a hub's shared half-duplex medium. */
const LinkOps hub_link_ops = {.name = "hub", .start = hub_link_start, .free_at = hub_link_free_at};

/* Never called: frames on a hub's segments reach its ports through the
 * medium (hub_repeat), not through the link's arrivals. */
static void hub_port_input(Iface *iface, Packet *frame)
{
  node_drop(iface->node, iface, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_ETHERNET);
}

/* A hub's port: it sends no IP and forwards nothing itself. */
const IfaceOps hub_port_ops = {
    .name = "hub-port",
    .output = NULL,
    .input = hub_port_input,
    .header_len = ETH_HEADER_LEN,
    .wire_overhead = 0,
    .pcap_linktype = ETH_LINKTYPE,
    .trace_from = TRACE_FROM_ETHERNET,
};
