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
 * VLANs (IEEE 802.1Q, models/link/vlan.c): each port is an access port or
 * a trunk; a frame is classified into one VLAN as it arrives (its tag
 * stripped), learned, looked up and flooded within that VLAN only (an
 * address is learned per VLAN: the table is keyed by VLAN and MAC, 802.1Q's
 * independent VLAN learning), and tagged as it leaves a trunk.
 *
 * The MAC table is an open-addressing table with linear probing, keyed by
 * the 12-bit VLAN and the 48-bit address as an integer: a lookup or an update costs a few
 * probes and no allocation. It holds at most SWITCH_TABLE_MAX entries (a
 * switch's CAM size); past that, new addresses are not learned and their
 * frames flood.
 *
 * With the link layer in the trace, the table's changes are notes on the
 * switch: `learn <mac> on <port>` (a new address, or one whose entry had
 * aged out), `move <mac> from <port> to <port>`, and `age <mac> on <port>`
 * (with `vlan N` after the address outside VLAN 1)
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
 * Frames are bridged within their VLAN (vlan.c); the spanning tree is
 * one for all VLANs.
 *
 * Leaves out: per-VLAN spanning trees, static entries, per-port learning limits, PAUSE
 * frames and the other reserved 01:80:c2 group addresses (flooded like any
 * multicast).
 */
#include "models/link/switch.h"

#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/link/vlan.h"
#include "models/link/stp.h"
#include "models/link/stp_wire.h"
#include "models/core/node.h"

#define SWITCH_TABLE_MIN_CAP 16
#define SWITCH_TABLE_MAX 65536
#define SWITCH_PURGE_INTERVAL SIMTIME_S(1)

typedef struct {
  uint64_t key; /* the VLAN and the MAC as a 60-bit integer, plus one; 0: empty slot */
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

/* Returns the table key of a MAC address in VLAN `vid`. */
static uint64_t switch_key(uint16_t vid, const uint8_t mac[6])
{
  uint32_t hi; /* the MAC as a 48-bit big-endian number, read in two loads */
  uint16_t lo;
  memcpy(&hi, mac, 4);
  memcpy(&lo, mac + 4, 2);
  return ((uint64_t)vid << 48 | (uint64_t)g_ntohl(hi) << 16 | g_ntohs(lo)) + 1;
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
  return port->up && (!sw->stp || stp_port_forwarding(port));
}

/* TRUE when the switch learns from frames arriving on `port`. */
static gboolean switch_port_learns(const Switch *sw, const Iface *port)
{
  return !sw->stp || stp_port_learning(port);
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

/* Writes a link-layer trace note about the address of table key `key` on
 * the switch (with its VLAN, outside VLAN 1). */
static void switch_note(const Switch *sw, const char *what, uint64_t key, const Iface *from, const Iface *to)
{
  SimContext *ctx = sw->node->ctx;
  char text[32];
  uint64_t k = key - 1;
  guint vid = (guint)(k >> 48);

  g_snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", (guint)(k >> 40) & 0xff, (guint)(k >> 32) & 0xff,
             (guint)(k >> 24) & 0xff, (guint)(k >> 16) & 0xff, (guint)(k >> 8) & 0xff, (guint)k & 0xff);
  if (vid != VLAN_DEFAULT)
    g_snprintf(text + 17, sizeof text - 17, " vlan %u", vid);
  if (from && to)
    trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, NULL, "%s %s from %s to %s", what, text, from->name,
               to->name);
  else
    trace_note(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, NULL, "%s %s on %s", what, text,
               (from ? from : to)->name);
}

/* An expired entry was found (tracing the link layer): notes it once and
 * marks it so (no port). */
static void switch_note_aged(const Switch *sw, SwitchEntry *e)
{
  if (!e->port)
    return;
  switch_note(sw, "age", e->key, e->port, NULL);
  e->port = NULL;
}

/* Notes what learning table key `key` on `port` changes in the table
 * (entry `e`, empty when new). */
static void switch_note_learn(const Switch *sw, SwitchEntry *e, uint64_t key, Iface *port, SimTime now)
{
  if (e->key && !switch_entry_live(sw, e, now))
    switch_note_aged(sw, e);
  if (!e->key || !e->port)
    switch_note(sw, "learn", key, NULL, port);
  else if (e->port != port)
    switch_note(sw, "move", key, e->port, port);
}

/* Records that `mac` was seen as a source in VLAN `vid` on `port` at `now`. */
static void switch_learn(Switch *sw, uint16_t vid, const uint8_t mac[6], Iface *port, SimTime now)
{
  uint64_t key = switch_key(vid, mac);
  SwitchEntry *e = switch_probe(sw, key);

  if (trace_wants(sw->node->ctx->trace, TRACE_LINK))
    switch_note_learn(sw, e, key, port, now);

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

/* Returns the port on which `mac` was last seen in VLAN `vid`, if within
 * the aging time and that port is up; else NULL (the frame floods). */
static Iface *switch_port_of(const Switch *sw, uint16_t vid, const uint8_t mac[6], SimTime now)
{
  const SwitchEntry *e = switch_probe(sw, switch_key(vid, mac));
  if (!switch_entry_live(sw, e, now) || !switch_port_forwards(sw, e->port))
    return NULL;
  return e->port;
}

/* Returns the port the bridge would forward unicast to `mac` (in VLAN 1) on now, or NULL. */
Iface *switch_lookup(Switch *sw, const uint8_t mac[6])
{
  return switch_lookup_vlan(sw, VLAN_DEFAULT, mac);
}

/* Returns the port the bridge would forward unicast to `mac` in VLAN `vid` on now, or NULL. */
Iface *switch_lookup_vlan(Switch *sw, uint16_t vid, const uint8_t mac[6])
{
  return switch_port_of(sw, vid, mac, sim_now(sw->node->ctx));
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
    SwitchEntryView v = {.port = e->port, .age = now - e->seen, .vlan = (uint16_t)((e->key - 1) >> 48)};
    for (int b = 0; b < 6; b++)
      v.mac[b] = (uint8_t)((e->key - 1) >> (40 - 8 * b));
    g_array_append_val(out, v);
  }
}

/* Tracing the link layer: notes the entry of destination `mac` in VLAN
 * `vid` if it has just been found expired. */
static void switch_check_aged(Switch *sw, uint16_t vid, const uint8_t mac[6], SimTime now)
{
  SwitchEntry *e = switch_probe(sw, switch_key(vid, mac));
  if (e->key && !switch_entry_live(sw, e, now))
    switch_note_aged(sw, e);
}

/* Sends `frame` out of `out`, tracing the forwarding; takes the frame. */
static void switch_forward(Switch *sw, Iface *out, Packet *frame)
{
  SimContext *ctx = sw->node->ctx;
  if (trace_wants(ctx->trace, TRACE_LINK))
    trace_packet(ctx->trace, TRACE_LINK, sim_now(ctx), sw->node, out, TRACE_FWD, TRACE_FROM_ETHERNET, frame, NULL);
  iface_transmit(out, frame);
}

/* Sends the (untagged) frame of VLAN `tag` out of `out`, tagged if `out`
 * is a trunk (vlan_egress()); takes the frame. */
static void switch_send(Switch *sw, Iface *out, Packet *frame, VlanTag tag)
{
  vlan_egress(out, frame, tag);
  switch_forward(sw, out, frame);
}

/* Sends `frame` out of every port that is up and carries its VLAN (`tag`)
 * except `in`: clones to all but the last, the frame itself to the last;
 * frees it if there is none. */
static void switch_flood(Switch *sw, Iface *in, Packet *frame, VlanTag tag)
{
  GPtrArray *ports = sw->node->ifaces;
  Iface *last = NULL;

  for (guint i = 0; i < ports->len; i++) {
    Iface *port = g_ptr_array_index(ports, i);
    if (port == in || !switch_port_forwards(sw, port) || !vlan_port_member(port, tag.vid))
      continue;
    if (last)
      switch_send(sw, last, packet_clone(frame), tag);
    last = port;
  }
  if (last)
    switch_send(sw, last, frame, tag);
  else
    packet_free(frame);
}

/* With a spanning tree, a frame on a port that does not forward is
 * dropped (DROP_STP_BLOCKED), its source learnt first in VLAN `vid` if the
 * port learns; returns TRUE when it took the frame so. */
static gboolean switch_blocked(Switch *sw, Iface *in, Packet *frame, uint16_t vid, SimTime now)
{
  if (!sw->stp || stp_port_forwarding(in))
    return FALSE;
  const EthHeader *eth = (const EthHeader *)packet_data(frame);
  if (!(eth->src[0] & 1) && switch_port_learns(sw, in))
    switch_learn(sw, vid, eth->src, in, now);
  node_drop(sw->node, in, frame, DROP_STP_BLOCKED, TRACE_LINK, TRACE_FROM_ETHERNET);
  return TRUE;
}

/* Bridges a frame that arrived on port `in`: a BPDU goes to the spanning
 * tree (stp_input()); any other frame is classified into its VLAN
 * (vlan_ingress(), which may drop it), its source learnt, then it is
 * forwarded or flooded within the VLAN. Takes the frame; drops it with
 * DROP_BAD_FRAME if it has no Ethernet header, DROP_STP_BLOCKED on a port
 * the spanning tree does not let forward (learnt from first if the port
 * learns), DROP_SWITCH_SAME_PORT if its destination lies behind the port
 * it came from. */
void switch_input(Switch *sw, Iface *in, Packet *frame)
{
  const EthHeader *eth = (const EthHeader *)packet_peek(frame, ETH_HEADER_LEN);
  SimTime now = sim_now(sw->node->ctx);
  VlanTag tag;

  if (!eth) {
    node_drop(sw->node, in, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (switch_for_stp(sw, eth->dst)) {
    stp_input(sw->stp, in, frame);
    return;
  }
  if (!vlan_ingress(in, frame, &tag))
    return;
  eth = (const EthHeader *)packet_data(frame); /* untagged now */
  if (switch_blocked(sw, in, frame, tag.vid, now))
    return;
  if (!(eth->src[0] & 1))
    switch_learn(sw, tag.vid, eth->src, in, now);
  if (!(eth->dst[0] & 1) && trace_wants(sw->node->ctx->trace, TRACE_LINK))
    switch_check_aged(sw, tag.vid, eth->dst, now);
  Iface *out = (eth->dst[0] & 1) ? NULL : switch_port_of(sw, tag.vid, eth->dst, now);
  if (!out)
    switch_flood(sw, in, frame, tag);
  else if (out == in)
    node_drop(sw->node, in, frame, DROP_SWITCH_SAME_PORT, TRACE_LINK, TRACE_FROM_ETHERNET);
  else
    switch_send(sw, out, frame, tag);
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
