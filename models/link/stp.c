/*
 * The Spanning Tree Protocol of a switch: IEEE 802.1D-1998 clause 8 (the
 * algorithm 802.1D-2004 keeps for STP bridges, as Linux's br_stp*.c runs
 * it), with the BPDU formats and validation of 802.1D-2004 clause 9.
 *
 * Each bridge has an identifier (priority, then the lowest MAC of its
 * ports); each port an identifier (priority << 8 | port number, from 1 in
 * interface order) and a path cost (given, or 20 000 000 000 / kbit/s of
 * its link, 802.1D-2004 table 17-3). The bridge with the lowest identifier
 * becomes the root; every other bridge picks as root port the one with the
 * best (root, cost to root, designated bridge, designated port, port)
 * vector; on each LAN the bridge offering the best vector is designated.
 * Every other port blocks. Configuration BPDUs flow down the tree: the
 * root sends one every hello time, each bridge relays it on its designated
 * ports when one arrives on its root port (at most one a hold time per
 * port), message age growing by 1 s a hop. Information a port holds
 * expires after max age minus its message age; a port that is to forward
 * listens for forward delay, learns for forward delay, then forwards.
 * (The max age is the BPDU's, as Linux has it: with its own, shorter, a
 * bridge would take a root's information and drop it at once, over and
 * over; a BPDU whose message age reached its max age is not taken in.)
 * A bridge that sees a topology change (a port forwarding or leaving
 * learning or forwarding) sends TCN BPDUs towards the root every hello
 * time (its own, Bridge Hello Time, whatever the root's BPDUs say: a root
 * saying hello 0 would have it send TCNs in a loop at one instant) until
 * acknowledged; the root sets the TC flag in its BPDUs for max
 * age + forward delay, and while it is set every bridge ages its MAC table
 * in forward delay instead of its aging time.
 *
 * Bad BPDUs (truncated, wrong LLC, a protocol identifier other than 0, an
 * unknown type) are the drop bad-bpdu; RST BPDUs (version 2 and above,
 * type 2) are read for their configuration fields, as an 802.1D-2004
 * bridge forced to STP reads them.
 *
 * With the link layer in the trace, role and state changes are notes on
 * the switch with their reason: `stp eth1 role designated -> alternate
 * (BPDU from 1000.02:00:00:00:00:01)`, `stp eth1 listening ->
 * learning (forward delay)`, `stp root 8000.02:...`, topology changes.
 *
 * With `stp: rstp` the same bridge runs RSTP instead (rstp.c): this file
 * keeps the BPDU codec, the ports' carrier, the notes and what the switch
 * asks, and hands BPDUs and events to rstp.c.
 *
 * Entry points: see stp.h. Leaves out: MSTP, per-VLAN trees, bridge
 * management (SNMP).
 */
#include "models/link/stp.h"

#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/link/stp_int.h"
#include "models/link/stp_wire.h"

const char *const stp_mode_names[STP_MODE_COUNT] = {"off", "stp", "rstp"};
const char *const stp_role_names[STP_ROLE_COUNT] = {"disabled", "root", "designated", "alternate", "backup"};
const char *const stp_state_names[STP_STATE_COUNT] = {"disabled",  "discarding", "blocking",
                                                      "listening", "learning",   "forwarding"};

static void stp_hello_expired(void *obj, void *arg);
static void stp_age_expired(void *obj, void *arg);
static void stp_forward_expired(void *obj, void *arg);
static void stp_hold_expired(void *obj, void *arg);
static void stp_tcn_expired(void *obj, void *arg);
static void stp_tc_expired(void *obj, void *arg);
static void stp_topology_change_detection(Stp *stp);

void stp_config_defaults(StpConfig *c)
{
  *c = (StpConfig){STP_MODE_OFF,        STP_DEFAULT_BRIDGE_PRIORITY, STP_DEFAULT_HELLO,
                   STP_DEFAULT_MAX_AGE, STP_DEFAULT_FORWARD_DELAY,   NULL};
}

void stp_port_config_defaults(StpPortConfig *c)
{
  *c = (StpPortConfig){0, STP_DEFAULT_PORT_PRIORITY, FALSE};
}

/* The path cost of a port on a link of `rate_bps` (802.1D-2004 table
 * 17-3: 20 000 000 000 over the rate in kbit/s, from 1 to 200 000 000). */
uint32_t stp_cost_from_rate(uint64_t rate_bps)
{
  uint64_t kbps = rate_bps / 1000;
  if (kbps == 0)
    return STP_MAX_PATH_COST;
  uint64_t cost = UINT64_C(20000000000) / kbps;
  return (uint32_t)CLAMP(cost, 1, STP_MAX_PATH_COST);
}

/* Writes a bridge identifier as "8000.02:00:00:00:00:01". */
void stp_format_bridge_id(char out[24], StpBridgeId id)
{
  g_snprintf(out, 24, "%04x.%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(id >> 48), (unsigned)(id >> 40) & 0xff,
             (unsigned)(id >> 32) & 0xff, (unsigned)(id >> 24) & 0xff, (unsigned)(id >> 16) & 0xff,
             (unsigned)(id >> 8) & 0xff, (unsigned)id & 0xff);
}

/* Returns <0, 0 or >0 as `a` is a better, equal or worse vector than `b`. */
int stp_vector_cmp(const StpVector *a, const StpVector *b)
{
  if (a->root != b->root)
    return a->root < b->root ? -1 : 1;
  if (a->cost != b->cost)
    return a->cost < b->cost ? -1 : 1;
  if (a->bridge != b->bridge)
    return a->bridge < b->bridge ? -1 : 1;
  return a->port == b->port ? 0 : a->port < b->port ? -1 : 1;
}

/* ---- notes ------------------------------------------------------------ */

gboolean stp_tracing(const Stp *stp)
{
  return trace_wants(stp->node->ctx->trace, TRACE_LINK);
}

void stp_note(const Stp *stp, const StpPort *p, const char *fmt, const char *a, const char *b, const char *why)
{
  char *text = g_strdup_printf(fmt, a, b);
  trace_note(stp->node->ctx->trace, TRACE_LINK, sim_now(stp->node->ctx), stp->node, p ? p->iface : NULL, "stp %s (%s)",
             text, why);
  g_free(text);
}

gboolean stp_is_root(const Stp *stp)
{
  return stp->root == stp->id;
}

/* TRUE when this bridge is the designated bridge of port p's LAN through p. */
static gboolean stp_designated_port(const Stp *stp, const StpPort *p)
{
  return p->designated.bridge == stp->id && p->designated.port == p->id;
}

static StpRole stp_role_of(const Stp *stp, const StpPort *p)
{
  if (p->state == STP_STATE_DISABLED)
    return STP_ROLE_DISABLED;
  if (stp->conf.mode == STP_MODE_RSTP)
    return p->rstp_role;
  if (p == stp->root_port)
    return STP_ROLE_ROOT;
  if (stp_designated_port(stp, p))
    return STP_ROLE_DESIGNATED;
  return p->designated.bridge == stp->id ? STP_ROLE_BACKUP : STP_ROLE_ALTERNATE;
}

/* Notes each port whose role changed since the last call, with `why`. */
void stp_note_roles(Stp *stp, const char *why)
{
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    StpRole role = stp_role_of(stp, p);
    if (role != p->role && stp_tracing(stp))
      stp_note(stp, p, "role %s -> %s", stp_role_names[p->role], stp_role_names[role], why);
    p->role = role;
  }
}

void stp_set_state(StpPort *p, StpState state, const char *why)
{
  if (p->state != state && stp_tracing(p->stp))
    stp_note(p->stp, p, "%s -> %s", stp_state_names[p->state], stp_state_names[state], why);
  p->state = state;
  p->iface->stp_state = (uint8_t)state;
}

/* ---- timers ----------------------------------------------------------- */

void stp_stop(Stp *stp, EventId *timer)
{
  if (*timer != EVENT_ID_NONE)
    scheduler_cancel(stp->node->ctx->sched, *timer);
  *timer = EVENT_ID_NONE;
}

void stp_start(Stp *stp, EventId *timer, SimTime after, EventFn fn, void *obj)
{
  stp_stop(stp, timer);
  *timer = scheduler_after(stp->node->ctx->sched, MAX(after, 0), fn, obj, NULL);
}

/* ---- sending ---------------------------------------------------------- */

static void stp_put16(uint8_t *b, uint16_t v)
{
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
}

static void stp_put_id(uint8_t *b, StpBridgeId id)
{
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(id >> (56 - 8 * i));
}

static uint16_t stp_time_units(SimTime t)
{
  return (uint16_t)MIN(t * BPDU_TIME_UNITS / SIMTIME_S(1), 0xffff);
}

/* Sends a BPDU of `len` bytes (at `bpdu`) out of port p, in an 802.3/LLC
 * frame to the bridge group address, padded to the minimum frame. */
void stp_send(StpPort *p, const uint8_t *bpdu, size_t len)
{
  SimContext *ctx = p->stp->node->ctx;
  Packet *frame = packet_new(ctx->pool, ETH_MIN_FRAME);
  uint8_t *b = packet_data(frame);

  memcpy(b, stp_group_mac, ETH_ADDR_LEN);
  memcpy(b + ETH_ADDR_LEN, p->iface->mac, ETH_ADDR_LEN);
  stp_put16(b + 12, (uint16_t)(LLC_HEADER_LEN + len));
  b[14] = LLC_SAP_STP;
  b[15] = LLC_SAP_STP;
  b[16] = LLC_CTRL_UI;
  memcpy(b + ETH_HEADER_LEN + LLC_HEADER_LEN, bpdu, len);
  if (trace_wants(ctx->trace, TRACE_LINK))
    trace_packet(ctx->trace, TRACE_LINK, sim_now(ctx), p->stp->node, p->iface, TRACE_SEND, TRACE_FROM_ETHERNET, frame,
                 NULL);
  iface_transmit(p->iface, frame);
}

void stp_send_config(StpPort *p, const StpConfigBpdu *c)
{
  uint8_t b[BPDU_RST_LEN] = {0};
  b[BPDU_OFF_VERSION] = c->rst ? BPDU_VERSION_RSTP : BPDU_VERSION_STP;
  b[BPDU_OFF_TYPE] = c->rst ? BPDU_TYPE_RST : BPDU_TYPE_CONFIG;
  b[BPDU_OFF_FLAGS] = (uint8_t)(c->flags | (c->tc ? BPDU_FLAG_TC : 0) | (c->tc_ack ? BPDU_FLAG_TC_ACK : 0));
  stp_put_id(b + BPDU_OFF_ROOT, c->v.root);
  stp_put16(b + BPDU_OFF_COST, (uint16_t)(c->v.cost >> 16));
  stp_put16(b + BPDU_OFF_COST + 2, (uint16_t)c->v.cost);
  stp_put_id(b + BPDU_OFF_BRIDGE, c->v.bridge);
  stp_put16(b + BPDU_OFF_PORT, c->v.port);
  stp_put16(b + BPDU_OFF_AGE, stp_time_units(c->age));
  stp_put16(b + BPDU_OFF_MAX_AGE, stp_time_units(c->max_age));
  stp_put16(b + BPDU_OFF_HELLO, stp_time_units(c->hello));
  stp_put16(b + BPDU_OFF_FWD_DELAY, stp_time_units(c->forward_delay));
  stp_send(p, b, c->rst ? BPDU_RST_LEN : BPDU_CONFIG_LEN);
}

/* 8.6.1 Transmit Configuration BPDU: at most one per hold time; none once
 * the information has reached max age. */
static void stp_transmit_config(StpPort *p)
{
  Stp *stp = p->stp;
  if (p->hold_timer != EVENT_ID_NONE) {
    p->config_pending = TRUE;
    return;
  }
  StpConfigBpdu c = {{stp->root, stp->root_cost, stp->id, p->id},
                     0,
                     stp->max_age,
                     stp->hello,
                     stp->forward_delay,
                     stp->tc,
                     p->tc_ack,
                     0,
                     FALSE};
  if (!stp_is_root(stp))
    c.age = stp->root_port->info_age + STP_MESSAGE_AGE_INCREMENT;
  if (c.age >= stp->max_age)
    return;
  p->tc_ack = FALSE;
  p->config_pending = FALSE;
  stp_send_config(p, &c);
  stp_start(stp, &p->hold_timer, STP_HOLD_TIME, stp_hold_expired, p);
}

/* 8.6.6 Transmit Topology Change Notification BPDU, on the root port. */
void stp_transmit_tcn(Stp *stp)
{
  static const uint8_t tcn[BPDU_TCN_LEN] = {0, 0, BPDU_VERSION_STP, BPDU_TYPE_TCN};
  if (stp->root_port)
    stp_send(stp->root_port, tcn, sizeof tcn);
}

/* 8.6.4 Configuration BPDU Generation: on every designated port. */
static void stp_config_bpdu_generation(Stp *stp)
{
  for (guint i = 0; i < stp->n; i++)
    if (stp->ports[i].state != STP_STATE_DISABLED && stp_designated_port(stp, &stp->ports[i]))
      stp_transmit_config(&stp->ports[i]);
}

/* ---- the algorithm (802.1D-1998 8.6) ------------------------------------ */

static void stp_become_designated_port(StpPort *p)
{
  Stp *stp = p->stp;
  p->designated = (StpVector){stp->root, stp->root_cost, stp->id, p->id};
}

/* 8.6.8 Root Selection. */
static void stp_root_selection(Stp *stp)
{
  StpPort *best = NULL;
  StpVector best_v = {0};
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    if (p->state == STP_STATE_DISABLED || stp_designated_port(stp, p) || p->designated.root >= stp->id)
      continue;
    StpVector v = {p->designated.root, p->designated.cost + p->cost, p->designated.bridge, p->designated.port};
    int c = best ? stp_vector_cmp(&v, &best_v) : -1;
    if (c < 0 || (c == 0 && p->id < best->id)) {
      best = p;
      best_v = v;
    }
  }
  stp->root_port = best;
  stp->root = best ? best_v.root : stp->id;
  stp->root_cost = best ? best_v.cost : 0;
}

/* 8.6.9 Designated Port Selection. */
static void stp_designated_port_selection(Stp *stp)
{
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    StpVector mine = {stp->root, stp->root_cost, stp->id, p->id};
    if (p->state == STP_STATE_DISABLED || p == stp->root_port)
      continue;
    if (stp_designated_port(stp, p) || p->designated.root != stp->root || stp_vector_cmp(&mine, &p->designated) <= 0)
      stp_become_designated_port(p);
  }
}

/* 8.6.12 Make Forwarding: a blocking port starts listening. */
static void stp_make_forwarding(StpPort *p, const char *why)
{
  if (p->state != STP_STATE_BLOCKING)
    return;
  stp_set_state(p, STP_STATE_LISTENING, why);
  stp_start(p->stp, &p->forward_timer, p->stp->forward_delay, stp_forward_expired, p);
}

/* 8.6.13 Make Blocking. */
static void stp_make_blocking(StpPort *p, const char *why)
{
  if (p->state == STP_STATE_DISABLED || p->state == STP_STATE_BLOCKING)
    return;
  if (p->state == STP_STATE_FORWARDING || p->state == STP_STATE_LEARNING)
    stp_topology_change_detection(p->stp);
  stp_set_state(p, STP_STATE_BLOCKING, why);
  stp_stop(p->stp, &p->forward_timer);
}

/* 8.6.11 Port State Selection, after noting the new roles (`why`). */
static void stp_port_state_selection(Stp *stp, const char *why)
{
  stp_note_roles(stp, why);
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    if (p->state == STP_STATE_DISABLED)
      continue;
    if (p == stp->root_port)
      p->config_pending = p->tc_ack = FALSE;
    if (p == stp->root_port || stp_designated_port(stp, p)) {
      if (p != stp->root_port)
        stp_stop(stp, &p->age_timer);
      stp_make_forwarding(p, p == stp->root_port ? "root port" : "designated port");
      continue;
    }
    p->config_pending = p->tc_ack = FALSE;
    stp_make_blocking(p, stp_role_names[p->role]);
  }
}

static void stp_configuration_update(Stp *stp)
{
  StpBridgeId before = stp->root;
  stp_root_selection(stp);
  stp_designated_port_selection(stp);
  stp_note_root(stp, before);
}

/* Notes the root the bridge holds when it is not `before`. */
void stp_note_root(Stp *stp, StpBridgeId before)
{
  if (stp->root != before && stp_tracing(stp)) {
    char id[24];
    stp_format_bridge_id(id, stp->root);
    char why[48];
    g_snprintf(why, sizeof why, "%s%s", stp->root_port ? "root port " : "this bridge: no better root heard",
               stp->root_port ? stp->root_port->iface->name : "");
    stp_note(stp, NULL, "root %s%s", id, "", why);
  }
}

/* 8.6.14 Topology Change Detection. */
static void stp_topology_change_detection(Stp *stp)
{
  if (stp_is_root(stp)) {
    if (!stp->tc && stp_tracing(stp))
      stp_note(stp, NULL, "%s%s", "topology change", "", "this bridge is the root: TC set in its BPDUs");
    stp->tc = TRUE;
    stp_start(stp, &stp->tc_timer, stp->max_age + stp->forward_delay, stp_tc_expired, stp);
  } else if (!stp->tc_detected) {
    if (stp_tracing(stp))
      stp_note(stp, stp->root_port, "%s%s", "topology change", "", "TCN towards the root");
    stp_transmit_tcn(stp);
    stp_start(stp, &stp->tcn_timer, stp->conf.hello, stp_tcn_expired, stp);
  }
  stp->tc_detected = TRUE;
}

/* The bridge has just become the root: its own timers, a topology change,
 * and its BPDUs every hello time. */
static void stp_become_root(Stp *stp)
{
  stp->max_age = stp->conf.max_age;
  stp->hello = stp->conf.hello;
  stp->forward_delay = stp->conf.forward_delay;
  stp_topology_change_detection(stp);
  stp_stop(stp, &stp->tcn_timer);
  stp_config_bpdu_generation(stp);
  stp_start(stp, &stp->hello_timer, stp->conf.hello, stp_hello_expired, stp);
}

/* Recomputes roles and states after port p's information changed (`why`). */
static void stp_reconfigure(Stp *stp, const char *why)
{
  gboolean was_root = stp_is_root(stp);
  stp_configuration_update(stp);
  stp_port_state_selection(stp, why);
  if (stp_is_root(stp) && !was_root)
    stp_become_root(stp);
}

/* 8.6.15 Topology Change Acknowledged. */
static void stp_tc_acknowledged(Stp *stp)
{
  stp->tc_detected = FALSE;
  stp_stop(stp, &stp->tcn_timer);
}

/* 8.6.3 Record Configuration Timeout Values (from the root port). */
static void stp_record_timeouts(Stp *stp, const StpConfigBpdu *c)
{
  stp->max_age = c->max_age;
  stp->hello = c->hello;
  stp->forward_delay = c->forward_delay;
  stp->tc = c->tc;
}

/* 8.6.2.2 Supersedes Port Information. */
static gboolean stp_supersedes(const StpPort *p, const StpVector *v)
{
  const StpVector *d = &p->designated;
  if (v->root != d->root || v->cost != d->cost || v->bridge != d->bridge)
    return stp_vector_cmp(v, d) < 0;
  return v->bridge != p->stp->id || v->port <= d->port;
}

/* 8.7.1 Received Configuration BPDU, once validated. */
static void stp_received_config(StpPort *p, const StpConfigBpdu *c)
{
  Stp *stp = p->stp;
  if (c->age >= c->max_age)
    return; /* information already expired: not taken in, as Linux's br_stp_rcv */
  if (!stp_supersedes(p, &c->v)) {
    if (stp_designated_port(stp, p))
      stp_transmit_config(p); /* a worse BPDU on our LAN: answer it */
    return;
  }
  gboolean was_root = stp_is_root(stp);
  p->designated = c->v;
  p->info_age = c->age;
  stp_start(stp, &p->age_timer, c->max_age - c->age, stp_age_expired, p); /* the BPDU's max age, as Linux */
  char id[24], why[64];
  stp_format_bridge_id(id, c->v.bridge);
  g_snprintf(why, sizeof why, "BPDU from %s", id);
  stp_configuration_update(stp);
  stp_port_state_selection(stp, why);
  if (was_root && !stp_is_root(stp)) {
    stp_stop(stp, &stp->hello_timer);
    if (stp->tc_detected) {
      stp_transmit_tcn(stp);
      stp_start(stp, &stp->tcn_timer, stp->conf.hello, stp_tcn_expired, stp);
    }
  }
  if (p != stp->root_port)
    return;
  stp_record_timeouts(stp, c);
  stp_config_bpdu_generation(stp);
  if (c->tc_ack)
    stp_tc_acknowledged(stp);
}

/* 8.7.2 Received Topology Change Notification BPDU. */
static void stp_received_tcn(StpPort *p)
{
  if (!stp_designated_port(p->stp, p))
    return;
  stp_topology_change_detection(p->stp);
  p->tc_ack = TRUE;
  stp_transmit_config(p);
}

/* ---- timer expiries (8.7.3 - 8.7.8) ------------------------------------ */

static void stp_hello_expired(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->hello_timer = EVENT_ID_NONE;
  stp_config_bpdu_generation(stp);
  stp_start(stp, &stp->hello_timer, stp->conf.hello, stp_hello_expired, stp);
}

static void stp_age_expired(void *obj, void *arg)
{
  (void)arg;
  StpPort *p = obj;
  p->age_timer = EVENT_ID_NONE;
  stp_become_designated_port(p);
  stp_reconfigure(p->stp, "max age expired");
}

static void stp_forward_expired(void *obj, void *arg)
{
  (void)arg;
  StpPort *p = obj;
  Stp *stp = p->stp;
  p->forward_timer = EVENT_ID_NONE;
  if (p->state == STP_STATE_LISTENING) {
    stp_set_state(p, STP_STATE_LEARNING, "forward delay");
    stp_start(stp, &p->forward_timer, stp->forward_delay, stp_forward_expired, p);
  } else if (p->state == STP_STATE_LEARNING) {
    stp_set_state(p, STP_STATE_FORWARDING, "forward delay");
    for (guint i = 0; i < stp->n; i++)
      if (stp_designated_port(stp, &stp->ports[i])) {
        stp_topology_change_detection(stp);
        break;
      }
  }
}

static void stp_hold_expired(void *obj, void *arg)
{
  (void)arg;
  StpPort *p = obj;
  p->hold_timer = EVENT_ID_NONE;
  if (p->config_pending)
    stp_transmit_config(p);
}

static void stp_tcn_expired(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->tcn_timer = EVENT_ID_NONE;
  stp_transmit_tcn(stp);
  stp_start(stp, &stp->tcn_timer, stp->conf.hello, stp_tcn_expired, stp);
}

static void stp_tc_expired(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->tc_timer = EVENT_ID_NONE;
  stp->tc_detected = FALSE;
  stp->tc = FALSE;
  if (stp_tracing(stp))
    stp_note(stp, NULL, "%s%s", "topology change over", "", "TC cleared after max age + forward delay");
}

/* ---- ports going up and down (8.8.1, 8.8.2) ---------------------------- */

static void stp_initialize_port(StpPort *p, StpState state, const char *why)
{
  stp_become_designated_port(p);
  p->tc_ack = p->config_pending = FALSE;
  stp_stop(p->stp, &p->age_timer);
  stp_stop(p->stp, &p->forward_timer);
  stp_stop(p->stp, &p->hold_timer);
  stp_set_state(p, state, why);
}

/* The node listener: a port whose carrier came or went. */
static void stp_iface_changed(void *data, Iface *iface)
{
  Stp *stp = data;
  if (iface->node != stp->node || iface->index >= stp->n)
    return;
  StpPort *p = &stp->ports[iface->index];
  if (stp->conf.mode == STP_MODE_RSTP) {
    if (iface->up != (p->state != STP_STATE_DISABLED))
      rstp_port_changed(p, iface->up);
    return;
  }
  if (iface->up && p->state == STP_STATE_DISABLED) {
    stp_initialize_port(p, STP_STATE_BLOCKING, "link up");
    stp_port_state_selection(stp, "link up");
  } else if (!iface->up && p->state != STP_STATE_DISABLED) {
    stp_initialize_port(p, STP_STATE_DISABLED, "link down");
    stp_reconfigure(stp, "link down");
  }
}

/* 8.8.1 Initialization, at the start of the run: every bridge thinks it
 * is the root until it hears better. */
static void stp_initialize(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  if (stp->conf.mode == STP_MODE_RSTP) {
    rstp_initialize(stp);
    return;
  }
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    stp_initialize_port(p, p->iface->up ? STP_STATE_BLOCKING : STP_STATE_DISABLED, "start");
    p->role = stp_role_of(stp, p);
  }
  stp_port_state_selection(stp, "start");
  stp_config_bpdu_generation(stp);
  stp_start(stp, &stp->hello_timer, stp->conf.hello, stp_hello_expired, stp);
}

/* ---- creating ---------------------------------------------------------- */

/* The bridge identifier: the priority, then the lowest MAC of the ports. */
static StpBridgeId stp_bridge_id(const Node *node, uint32_t priority)
{
  uint64_t lowest = UINT64_MAX;
  for (guint i = 0; i < node->ifaces->len; i++) {
    uint64_t mac = 0;
    for (int b = 0; b < 6; b++)
      mac = (mac << 8) | node_iface(node, i)->mac[b];
    lowest = MIN(lowest, mac);
  }
  return (uint64_t)priority << 48 | (lowest & UINT64_C(0xffffffffffff));
}

static void stp_port_init(Stp *stp, StpPort *p, guint i, const StpConfig *conf)
{
  StpPortConfig pc;
  stp_port_config_defaults(&pc);
  if (conf->ports && i < conf->ports->len)
    pc = g_array_index(conf->ports, StpPortConfig, i);
  p->stp = stp;
  p->iface = node_iface(stp->node, i);
  p->id = (uint16_t)(pc.priority << 8 | ((i + 1) & 0xfff));
  p->cost = pc.cost ? pc.cost : stp_cost_from_rate(p->iface->link ? p->iface->link->rate_bps : 0);
  p->state = STP_STATE_DISABLED;
  p->iface->stp_state = STP_STATE_DISABLED;
  p->edge = p->edge_admin = pc.edge;
}

/* Starts the spanning tree of switch node `node` (its ports all made),
 * from `conf` (copied); its first BPDUs leave at the current time. */
Stp *stp_new(Node *node, const StpConfig *conf)
{
  Stp *stp = g_new0(Stp, 1);
  stp->node = node;
  stp->conf = *conf;
  stp->conf.ports = NULL;
  stp->id = stp_bridge_id(node, conf->priority);
  stp->root = stp->id;
  stp->max_age = conf->max_age;
  stp->hello = conf->hello;
  stp->forward_delay = conf->forward_delay;
  stp->n = node->ifaces->len;
  stp->ports = g_new0(StpPort, MAX(stp->n, 1));
  for (guint i = 0; i < stp->n; i++)
    stp_port_init(stp, &stp->ports[i], i, conf);
  iface_listen(&node->iface_listeners, stp_iface_changed, stp);
  scheduler_after(node->ctx->sched, 0, stp_initialize, stp, NULL);
  return stp;
}

void stp_free(Stp *stp)
{
  if (!stp)
    return;
  g_free(stp->ports);
  g_free(stp);
}

/* ---- receiving --------------------------------------------------------- */

static uint16_t stp_get16(const uint8_t *b)
{
  return (uint16_t)(b[0] << 8 | b[1]);
}

static StpBridgeId stp_get_id(const uint8_t *b)
{
  StpBridgeId id = 0;
  for (int i = 0; i < 8; i++)
    id = id << 8 | b[i];
  return id;
}

static SimTime stp_get_time(const uint8_t *b)
{
  return (SimTime)stp_get16(b) * SIMTIME_S(1) / BPDU_TIME_UNITS;
}

static void stp_read_config(const uint8_t *b, StpConfigBpdu *c)
{
  c->v.root = stp_get_id(b + BPDU_OFF_ROOT);
  c->v.cost = (uint32_t)stp_get16(b + BPDU_OFF_COST) << 16 | stp_get16(b + BPDU_OFF_COST + 2);
  c->v.bridge = stp_get_id(b + BPDU_OFF_BRIDGE);
  c->v.port = stp_get16(b + BPDU_OFF_PORT);
  c->age = stp_get_time(b + BPDU_OFF_AGE);
  c->max_age = stp_get_time(b + BPDU_OFF_MAX_AGE);
  c->hello = stp_get_time(b + BPDU_OFF_HELLO);
  c->forward_delay = stp_get_time(b + BPDU_OFF_FWD_DELAY);
  c->tc = (b[BPDU_OFF_FLAGS] & BPDU_FLAG_TC) != 0;
  c->tc_ack = (b[BPDU_OFF_FLAGS] & BPDU_FLAG_TC_ACK) != 0;
  c->flags = b[BPDU_OFF_FLAGS];
  c->rst = b[BPDU_OFF_TYPE] == BPDU_TYPE_RST;
}

/* Returns the BPDU's type when `b` (`len` bytes) is a valid BPDU per
 * 802.1D-2004 9.3.4 (an RST BPDU reads as a configuration BPDU), else -1. */
static int stp_validate(const uint8_t *b, size_t len)
{
  if (len < BPDU_TCN_LEN || stp_get16(b + BPDU_OFF_PROTOCOL) != BPDU_PROTOCOL_ID)
    return -1;
  switch (b[BPDU_OFF_TYPE]) {
  case BPDU_TYPE_CONFIG:
    return len >= BPDU_CONFIG_LEN ? BPDU_TYPE_CONFIG : -1;
  case BPDU_TYPE_TCN:
    return BPDU_TYPE_TCN;
  case BPDU_TYPE_RST:
    return b[BPDU_OFF_VERSION] >= BPDU_VERSION_RSTP && len >= BPDU_RST_LEN ? BPDU_TYPE_CONFIG : -1;
  default:
    return -1;
  }
}

/* Returns the BPDU in `frame` and its length, or NULL when the frame is
 * not an LLC frame of the STP SAP with its whole length present. */
static const uint8_t *stp_bpdu_of(const Packet *frame, size_t *len)
{
  const uint8_t *b = packet_peek(frame, ETH_HEADER_LEN + LLC_HEADER_LEN);
  if (!b)
    return NULL;
  size_t field = stp_get16(b + 12);
  if (field > ETH_MAX_LENGTH_FIELD || field < LLC_HEADER_LEN || ETH_HEADER_LEN + field > packet_len(frame))
    return NULL;
  if (b[14] != LLC_SAP_STP || b[15] != LLC_SAP_STP || b[16] != LLC_CTRL_UI)
    return NULL;
  *len = field - LLC_HEADER_LEN;
  return b + ETH_HEADER_LEN + LLC_HEADER_LEN;
}

/* Handles a frame to the bridge group address that arrived on port `in`:
 * a BPDU is processed and freed; anything else is dropped with
 * DROP_BAD_BPDU. Takes the frame. */
void stp_input(Stp *stp, Iface *in, Packet *frame)
{
  size_t len = 0;
  const uint8_t *b = stp_bpdu_of(frame, &len);
  int type = b ? stp_validate(b, len) : -1;
  StpPort *p = in->index < stp->n ? &stp->ports[in->index] : NULL;
  StpConfigBpdu c = {0};

  if (type == BPDU_TYPE_CONFIG)
    stp_read_config(b, &c);
  if (type < 0 || !p || (type == BPDU_TYPE_CONFIG && c.v.bridge == stp->id && c.v.port == p->id)) {
    node_drop(stp->node, in, frame, DROP_BAD_BPDU, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (trace_wants(stp->node->ctx->trace, TRACE_LINK))
    trace_packet(stp->node->ctx->trace, TRACE_LINK, sim_now(stp->node->ctx), stp->node, in, TRACE_DELIVER,
                 TRACE_FROM_ETHERNET, frame, NULL);
  packet_free(frame);
  if (p->state == STP_STATE_DISABLED)
    return;
  gboolean rstp = stp->conf.mode == STP_MODE_RSTP;
  if (type == BPDU_TYPE_CONFIG && rstp)
    rstp_received(p, &c);
  else if (type == BPDU_TYPE_CONFIG)
    stp_received_config(p, &c);
  else if (rstp)
    rstp_received_tcn(p);
  else
    stp_received_tcn(p);
}

/* ---- what the switch asks ---------------------------------------------- */

/* The MAC table's aging time now: forward delay during a topology change
 * (802.1D-1998 8.3.5), else `normal`. */
SimTime stp_aging(const Stp *stp, SimTime normal)
{
  return stp->tc ? MIN(stp->forward_delay, normal) : normal;
}

void stp_bridge_view(const Stp *stp, StpBridgeView *out)
{
  *out = (StpBridgeView){stp->conf.mode == STP_MODE_RSTP,
                         stp->id,
                         stp->root,
                         stp->root_cost,
                         stp->root_port ? stp->root_port->iface : NULL,
                         stp->hello,
                         stp->max_age,
                         stp->forward_delay,
                         stp->tc};
}

void stp_port_view(const Stp *stp, guint index, StpPortView *out)
{
  const StpPort *p = &stp->ports[index];
  gboolean rapid = stp->conf.mode == STP_MODE_RSTP;
  *out = (StpPortView){
      p->iface,         stp_role_of(stp, p), p->state, p->cost, p->id, p->designated.bridge, p->designated.port,
      rapid && p->edge, rapid && p->stp_peer};
}
