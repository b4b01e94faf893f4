/*
 * A learning bridge (IEEE 802.1D, clause 7, without spanning tree): it
 * learns the port of each unicast source address, forwards known unicast
 * to that one port, and floods broadcast, multicast and unknown unicast to
 * every other port that is up. Entries not refreshed within the aging time
 * are ignored, and evicted when the table is rebuilt.
 *
 * Entry points: switch_new() (from node_new), switch_input() (from
 * ethernet_input on a switch node), switch_lookup(), switch_table_size()
 * (tests and checks), switch_table_entries() (snapshots), switch_free().
 *
 * The MAC table is an open-addressing table with linear probing, keyed by
 * the 48-bit address as an integer: a lookup or an update costs a few
 * probes and no allocation. It holds at most SWITCH_TABLE_MAX entries (a
 * switch's CAM size); past that, new addresses are not learned and their
 * frames flood.
 *
 * With the link layer in the trace, the table's changes are notes on the
 * switch: `learn <mac> on <port>` (a new address, or one whose entry had
 * aged out), `move <mac> from <port> to <port>`, and `age <mac> on <port>`
 * when an expired entry is found: aging is lazy (no timer per entry), so
 * the note comes at the first frame from or to that address after the
 * aging time, the moment the switch acts on the expiry. An entry noted
 * as aged keeps its slot with no port until it is learned again.
 *
 * With a spanning tree (switch_enable_stp(), models/link/stp.c), frames
 * to the bridge group address 01:80:c2:00:00:00 go to it and are never
 * forwarded; a port learns only in the learning and forwarding states and
 * forwards only in the forwarding state; during a topology change the
 * table ages in forward delay. Without one, a loop of switches storms
 * until its queues fill, and BPDUs flood like any multicast.
 *
 * Leaves out: VLANs, static entries, per-port learning limits, PAUSE
 * frames and the other reserved 01:80:c2 group addresses (flooded like any
 * multicast).
 */
#include "models/link/switch.h"

#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/link/stp.h"
#include "models/link/stp_wire.h"
#include "models/core/node.h"

#define SWITCH_TABLE_MIN_CAP 16
#define SWITCH_TABLE_MAX 65536
#define SWITCH_PURGE_INTERVAL SIMTIME_S(1)

typedef struct {
  uint64_t key; /* the MAC as a 48-bit integer, plus one; 0: empty slot */
  Iface *port;  /* NULL: aged out, and noted so (see switch_note_aged) */
  SimTime seen; /* when the address was last a source */
} SwitchEntry;

struct Switch {
  Node *node;
  SimTime aging;
  SwitchEntry *slots;
  guint cap;          /* a power of two */
  guint used;         /* slots holding a key, live or expired */
  SimTime next_purge; /* a full table is rebuilt at most once per SWITCH_PURGE_INTERVAL */
  Stp *stp;           /* NULL: no spanning tree */
};

static void switch_rebuild(Switch *sw, SimTime now);

/* Creates the bridge of a switch node, with MAC table aging time `aging`. */
Switch *switch_new(Node *node, SimTime aging)
{
  Switch *sw = g_new0(Switch, 1);
  sw->node = node;
  sw->aging = aging;
  sw->cap = SWITCH_TABLE_MIN_CAP;
  sw->slots = g_new0(SwitchEntry, sw->cap);
  return sw;
}

void switch_free(Switch *sw)
{
  if (!sw)
    return;
  stp_free(sw->stp);
  g_free(sw->slots);
  g_free(sw);
}

/* Returns the table key of a MAC address. */
static uint64_t switch_key(const uint8_t mac[6])
{
  uint64_t k = 0;
  for (int i = 0; i < 6; i++)
    k = (k << 8) | mac[i];
  return k + 1;
}

/* Returns the slot holding `key`, or the empty slot where it would go. */
static SwitchEntry *switch_probe(const Switch *sw, uint64_t key)
{
  guint mask = sw->cap - 1;
  guint i = (guint)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;

  while (sw->slots[i].key && sw->slots[i].key != key)
    i = (i + 1) & mask;
  return &sw->slots[i];
}

/* ---- spanning tree: the switch's questions to it ---- */

/* Starts a spanning tree on the switch (its ports all made), from `conf`. */
void switch_enable_stp(Switch *sw, const StpConfig *conf)
{
  g_return_if_fail(!sw->stp && conf->mode != STP_MODE_OFF);
  sw->stp = stp_new(sw->node, conf);
}

/* The switch's spanning tree, or NULL. */
Stp *switch_stp(const Switch *sw)
{
  return sw->stp;
}

/* The aging time now: shortened during a spanning-tree topology change. */
static SimTime switch_aging(const Switch *sw)
{
  return sw->stp ? stp_aging(sw->stp, sw->aging) : sw->aging;
}

/* TRUE when `port` may forward (up, and forwarding in the spanning tree). */
static gboolean switch_port_forwards(const Switch *sw, const Iface *port)
{
  return port->up && (!sw->stp || stp_port_forwarding(sw->stp, port));
}

/* TRUE when the switch learns from frames arriving on `port`. */
static gboolean switch_port_learns(const Switch *sw, const Iface *port)
{
  return !sw->stp || stp_port_learning(sw->stp, port);
}

/* TRUE when a frame to `dst` goes to the spanning tree, not the table. */
static gboolean switch_for_stp(const Switch *sw, const uint8_t *dst)
{
  return sw->stp && memcmp(dst, stp_group_mac, ETH_ADDR_LEN) == 0;
}

/* Forgets every entry learned on a port other than `keep` (NULL: every
 * entry), as RSTP does on a topology change (802.1D-2004 17.10); returns
 * how many it forgot. */
guint switch_flush(Switch *sw, const Iface *keep)
{
  guint n = 0;
  for (guint i = 0; i < sw->cap; i++)
    if (sw->slots[i].key && sw->slots[i].port && sw->slots[i].port != keep) {
      sw->slots[i].port = NULL;
      n++;
    }
  return n;
}

/* Returns TRUE when an entry was refreshed less than the aging time ago. */
static gboolean switch_entry_live(const Switch *sw, const SwitchEntry *e, SimTime now)
{
  return e->key && e->port && now - e->seen < switch_aging(sw);
}

/* Writes a link-layer trace note about `mac` on the switch. */
static void switch_note(const Switch *sw, const char *what, const uint8_t mac[6], const Iface *from, const Iface *to)
{
  SimContext *ctx = sw->node->ctx;
  char text[18];

  g_snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  if (from && to)
    trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, NULL, "%s %s from %s to %s", what, text, from->name,
               to->name);
  else
    trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, NULL, "%s %s on %s", what, text,
               (from ? from : to)->name);
}

/* An expired entry was found (tracing the link layer): notes it once and
 * marks it so (no port). */
static void switch_note_aged(const Switch *sw, SwitchEntry *e, const uint8_t mac[6])
{
  if (!e->port)
    return;
  switch_note(sw, "age", mac, e->port, NULL);
  e->port = NULL;
}

/* Notes what learning `mac` on `port` changes in the table (entry `e`,
 * empty when new). */
static void switch_note_learn(const Switch *sw, SwitchEntry *e, const uint8_t mac[6], Iface *port, SimTime now)
{
  if (e->key && !switch_entry_live(sw, e, now))
    switch_note_aged(sw, e, mac);
  if (!e->key || !e->port)
    switch_note(sw, "learn", mac, NULL, port);
  else if (e->port != port)
    switch_note(sw, "move", mac, e->port, port);
}

/* Records that `mac` was seen as a source on `port` at `now`. */
static void switch_learn(Switch *sw, const uint8_t mac[6], Iface *port, SimTime now)
{
  uint64_t key = switch_key(mac);
  SwitchEntry *e = switch_probe(sw, key);

  if (trace_wants(sw->node->ctx->trace, TRACE_LINK))
    switch_note_learn(sw, e, mac, port, now);

  if (!e->key) {
    if (sw->used >= SWITCH_TABLE_MAX && now < sw->next_purge)
      return;
    if (sw->used + 1 > sw->cap / 2 || sw->used >= SWITCH_TABLE_MAX) {
      switch_rebuild(sw, now);
      if (sw->used >= SWITCH_TABLE_MAX)
        return;
      e = switch_probe(sw, key);
    }
    e->key = key;
    sw->used++;
  }
  e->port = port;
  e->seen = now;
}

/* Rebuilds the table without its expired entries, at a size that keeps it
 * at most a quarter full after the rebuild (half full at the next one). */
static void switch_rebuild(Switch *sw, SimTime now)
{
  SwitchEntry *old = sw->slots;
  guint old_cap = sw->cap, live = 0;

  for (guint i = 0; i < old_cap; i++)
    live += switch_entry_live(sw, &old[i], now);
  guint cap = SWITCH_TABLE_MIN_CAP;
  while (cap < 4 * (live + 1) && cap < 4 * SWITCH_TABLE_MAX)
    cap *= 2;
  sw->slots = g_new0(SwitchEntry, cap);
  sw->cap = cap;
  sw->used = 0;
  sw->next_purge = now + SWITCH_PURGE_INTERVAL;
  for (guint i = 0; i < old_cap; i++)
    if (switch_entry_live(sw, &old[i], now)) {
      *switch_probe(sw, old[i].key) = old[i];
      sw->used++;
    }
  g_free(old);
}

/* Returns the port on which `mac` was last seen, if within the aging time
 * and that port is up; else NULL (the frame floods). */
static Iface *switch_port_of(const Switch *sw, const uint8_t mac[6], SimTime now)
{
  const SwitchEntry *e = switch_probe(sw, switch_key(mac));
  if (!switch_entry_live(sw, e, now) || !switch_port_forwards(sw, e->port))
    return NULL;
  return e->port;
}

/* Returns the port the bridge would forward unicast to `mac` on now, or NULL. */
Iface *switch_lookup(Switch *sw, const uint8_t mac[6])
{
  return switch_port_of(sw, mac, sim_now(sw->node->ctx));
}

/* Returns the number of live (not aged out) entries of the MAC table. */
guint switch_table_size(const Switch *sw)
{
  SimTime now = sim_now(sw->node->ctx);
  guint n = 0;
  for (guint i = 0; i < sw->cap; i++)
    n += switch_entry_live(sw, &sw->slots[i], now);
  return n;
}

/* Appends to `out` (a GArray of SwitchEntryView) the live entries of the
 * MAC table, in table order. */
void switch_table_entries(const Switch *sw, GArray *out)
{
  SimTime now = sim_now(sw->node->ctx);
  for (guint i = 0; i < sw->cap; i++) {
    const SwitchEntry *e = &sw->slots[i];
    if (!switch_entry_live(sw, e, now))
      continue;
    SwitchEntryView v = {.port = e->port, .age = now - e->seen};
    for (int b = 0; b < 6; b++)
      v.mac[b] = (uint8_t)((e->key - 1) >> (40 - 8 * b));
    g_array_append_val(out, v);
  }
}

/* Tracing the link layer: notes the entry of destination `mac` if it has
 * just been found expired. */
static void switch_check_aged(Switch *sw, const uint8_t mac[6], SimTime now)
{
  SwitchEntry *e = switch_probe(sw, switch_key(mac));
  if (e->key && !switch_entry_live(sw, e, now))
    switch_note_aged(sw, e, mac);
}

/* Sends `frame` out of `out`, tracing the forwarding; takes the frame. */
static void switch_forward(Switch *sw, Iface *out, Packet *frame)
{
  SimContext *ctx = sw->node->ctx;
  if (trace_wants(ctx->trace, TRACE_LINK))
    trace_packet(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, out, TRACE_FWD, TRACE_FROM_ETHERNET, frame, NULL);
  iface_transmit(out, frame);
}

/* Sends `frame` out of every port that is up except `in`: clones to all but
 * the last, the frame itself to the last; frees it if there is none. */
static void switch_flood(Switch *sw, Iface *in, Packet *frame)
{
  GPtrArray *ports = sw->node->ifaces;
  Iface *last = NULL;

  for (guint i = 0; i < ports->len; i++) {
    Iface *port = g_ptr_array_index(ports, i);
    if (port == in || !switch_port_forwards(sw, port))
      continue;
    if (last)
      switch_forward(sw, last, packet_clone(frame));
    last = port;
  }
  if (last)
    switch_forward(sw, last, frame);
  else
    packet_free(frame);
}

/* Bridges a frame that arrived on port `in`: learns its source, then
 * forwards or floods it. Takes the frame; drops it with DROP_BAD_FRAME if
 * it has no Ethernet header, DROP_SWITCH_SAME_PORT if its destination lies
 * behind the port it came from. With a spanning tree, a BPDU goes to
 * stp_input(), and a frame on a port that does not forward is
 * DROP_STP_BLOCKED (learnt from first if the port learns). */
void switch_input(Switch *sw, Iface *in, Packet *frame)
{
  const EthHeader *eth = (const EthHeader *)packet_peek(frame, ETH_HEADER_LEN);
  SimTime now = sim_now(sw->node->ctx);

  if (!eth) {
    node_drop(sw->node, in, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (switch_for_stp(sw, eth->dst)) {
    stp_input(sw->stp, in, frame);
    return;
  }
  if (sw->stp && !stp_port_forwarding(sw->stp, in)) {
    if (!(eth->src[0] & 1) && switch_port_learns(sw, in))
      switch_learn(sw, eth->src, in, now);
    node_drop(sw->node, in, frame, DROP_STP_BLOCKED, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (!(eth->src[0] & 1))
    switch_learn(sw, eth->src, in, now);
  if (!(eth->dst[0] & 1) && trace_wants(sw->node->ctx->trace, TRACE_LINK))
    switch_check_aged(sw, eth->dst, now);
  Iface *out = (eth->dst[0] & 1) ? NULL : switch_port_of(sw, eth->dst, now);
  if (!out)
    switch_flood(sw, in, frame);
  else if (out == in)
    node_drop(sw->node, in, frame, DROP_SWITCH_SAME_PORT, TRACE_LINK, TRACE_FROM_ETHERNET);
  else
    switch_forward(sw, out, frame);
}

static void switch_port_input(Iface *iface, Packet *frame)
{
  switch_input(iface->node->sw, iface, frame);
}

/* A bridge port: the interface type of a switch's ports. It sends no IP. */
const IfaceOps switch_port_ops = {
    .name = "bridge-port",
    .output = NULL,
    .input = switch_port_input,
    .header_len = ETH_HEADER_LEN,
    .wire_overhead = 0,
    .pcap_linktype = ETH_LINKTYPE,
    .trace_from = TRACE_FROM_ETHERNET,
};
