/*
 * The Rapid Spanning Tree Protocol of a switch (`stp: rstp`): IEEE 802.1w
 * as 802.1D-2004 clause 17 has it, written as reactions to events (a
 * BPDU, a timer, a carrier change) rather than as the standard's state
 * machines.
 *
 * Roles: the root port has the best received vector plus its cost; a port
 * is designated when this bridge's vector for it is better than what it
 * received (or it received nothing); otherwise it is alternate (another
 * bridge's) or backup (this bridge's own, through another port). Unlike
 * STP, a port accepts worse information from the bridge and port that
 * were its designated ones (17.21.8), and information lapses after three
 * hello times without a BPDU (rcvdInfoWhile; the hello time the BPDU
 * gives), not max age, or at once when the BPDU's message age reaches max
 * age (17.21.23). Inferior information from another bridge is ignored
 * (17.27 INFERIOR_DESIGNATED; that bridge hears better at the next hello).
 * Every bridge sends an RST BPDU on each designated port every hello time
 * (its own: 17.21.25 gives designated ports BridgeTimes' Hello Time, so a
 * root saying 0 cannot make it send in a loop) and on each designated
 * port whose BPDU changes (updtInfo, 17.21.25).
 *
 * States: discarding, learning, forwarding. Alternate and backup ports
 * discard at once. A new root port forwards at once, after making its
 * designated ports discard (sync). A designated port forwards at once
 * when it is an edge port or when the bridge below answers its proposal
 * with an agreement; else it learns after forward delay and forwards after
 * another. A root port that receives a proposal syncs its bridge's other
 * designated ports (those not agreed already discard and propose in turn),
 * forwards, and answers with an agreement: the tree forwards in a few
 * BPDU times, from the root outwards. Agreements count on point-to-point
 * links only: on a hub's shared medium a designated port waits forward
 * delay twice (17.21.9 recordAgreement, operPointToPointMAC).
 *
 * Sending (17.26 Port Transmit): what changes at one instant leaves in one
 * BPDU per port, sent once the bridge has handled that instant's events. A
 * port sends at most RSTP_TX_HOLD_COUNT (6) BPDUs before the next tick
 * (one a second, 17.22): past that the BPDU waits for the tick, which sends
 * it with the information of then ("BPDU held" in the trace).
 *
 * Topology change: a non-edge port that starts forwarding sets TC in the
 * BPDUs of the bridge's root and designated ports for two hello times and
 * flushes the MAC entries of the other ports; a bridge receiving TC
 * flushes its other ports' entries and passes TC on. Edge ports (`edge:
 * true`) forward at once and cause no TC; a BPDU heard on one makes it an
 * ordinary port.
 *
 * STP interoperation (17.24, port protocol migration): a port that hears
 * a configuration or TCN BPDU sends 802.1D BPDUs from then on; on such a
 * port there is no proposal or agreement (a designated port waits forward
 * delay twice), a TCN received is a topology change to acknowledge, and
 * this bridge's topology changes go towards an STP root as TCNs until
 * acknowledged. The port speaks RSTP again when it hears an RST BPDU at
 * least the migrate time (3 s) after it fell back.
 *
 * Entry points (from stp.c, see stp_int.h): rstp_initialize(),
 * rstp_port_changed(), rstp_received(), rstp_received_tcn().
 *
 * Leaves out: the recent-root and recent-backup timers (a new root port
 * forwards at once), disputes (17.21.10: a designated port hearing an
 * inferior designated BPDU that says learning or forwarding), automatic
 * edge detection (a port is an edge port only when the scenario says so),
 * a settable transmit hold count, TCNs counted against it (they go to an
 * STP root, which asks for them), MSTP.
 */
#include "models/link/stp_int.h"
#include "models/link/stp_wire.h"
#include "models/link/switch.h"

#define RSTP_MIGRATE_TIME SIMTIME_S(3)
#define RSTP_TX_HOLD_COUNT 6   /* 802.1D-2004 17.13.12 (table 17-1): a burst of 6 BPDUs, then one a tick */
#define RSTP_TICK SIMTIME_S(1) /* 17.22 Port Timers: the tick that lowers txCount */
#define RSTP_ROLE_ALTERNATE_BACKUP 1
#define RSTP_ROLE_ROOT 2
#define RSTP_ROLE_DESIGNATED 3

static void rstp_hello_expired(void *obj, void *arg);
static void rstp_info_expired(void *obj, void *arg);
static void rstp_forward_expired(void *obj, void *arg);
static void rstp_tc_expired(void *obj, void *arg);
static void rstp_tcn_expired(void *obj, void *arg);
static void rstp_tc_detected(StpPort *from);
static void rstp_tick(void *obj, void *arg);

/* The BPDU flags of port p's role and state (17.21.20, 9.3.3). */
static uint8_t rstp_flags(const StpPort *p, gboolean agreement)
{
  int role = p->rstp_role == STP_ROLE_ROOT         ? RSTP_ROLE_ROOT
             : p->rstp_role == STP_ROLE_DESIGNATED ? RSTP_ROLE_DESIGNATED
                                                   : RSTP_ROLE_ALTERNATE_BACKUP;
  uint8_t f = (uint8_t)(role << BPDU_FLAG_ROLE_SHIFT);
  if (p->proposing && p->rstp_role == STP_ROLE_DESIGNATED && p->state != STP_STATE_FORWARDING)
    f |= BPDU_FLAG_PROPOSAL;
  if (p->state == STP_STATE_LEARNING || p->state == STP_STATE_FORWARDING)
    f |= BPDU_FLAG_LEARNING;
  if (p->state == STP_STATE_FORWARDING)
    f |= BPDU_FLAG_FORWARDING;
  return agreement ? (uint8_t)(f | BPDU_FLAG_AGREEMENT) : f;
}

/* Fills *c with port p's BPDU as it would leave now: an RST BPDU, or a
 * configuration BPDU to an STP bridge. Returns FALSE when there is none to
 * send (port disabled; for an STP bridge, information at max age, which
 * 802.1D-1998 does not send). */
static gboolean rstp_bpdu(const StpPort *p, gboolean agreement, StpConfigBpdu *c)
{
  const Stp *stp = p->stp;
  *c = (StpConfigBpdu){{stp->root, stp->root_cost, stp->id, p->id},
                       0,
                       stp->max_age,
                       stp->hello,
                       stp->forward_delay,
                       p->tc_timer != EVENT_ID_NONE,
                       p->tc_ack && p->stp_peer,
                       0,
                       !p->stp_peer};
  if (!stp_is_root(stp))
    c->age = stp->root_port->info_age + STP_MESSAGE_AGE_INCREMENT;
  if (c->rst)
    c->flags = rstp_flags(p, agreement);
  return p->state != STP_STATE_DISABLED && (c->rst || c->age < stp->max_age);
}

/* TRUE when port p's BPDU now would say something its last one did not
 * (17.21.25: a designated port whose priority or times change gets
 * updtInfo, hence newInfo). */
static gboolean rstp_bpdu_changed(const StpPort *p)
{
  StpConfigBpdu c;
  const StpConfigBpdu *l = &p->last_sent;
  if (!rstp_bpdu(p, FALSE, &c))
    return FALSE;
  return stp_vector_cmp(&c.v, &l->v) != 0 || c.age != l->age || c.max_age != l->max_age || c.hello != l->hello ||
         c.forward_delay != l->forward_delay || c.tc != l->tc || c.rst != l->rst ||
         c.flags != (l->flags & ~BPDU_FLAG_AGREEMENT);
}

/* Sends port p's BPDU now (rstp_bpdu()); a configuration BPDU carries the
 * TC acknowledgement it owes once. Returns FALSE when it sent none. */
static gboolean rstp_transmit(StpPort *p, gboolean agreement)
{
  StpConfigBpdu c;
  if (!rstp_bpdu(p, agreement, &c))
    return FALSE;
  p->tc_ack = FALSE;
  stp_send_config(p, &c);
  p->last_sent = c;
  return TRUE;
}

/* 17.26 Port Transmit, for port p whose information is new: sends its
 * BPDU (rstp_transmit()) unless the port has sent RSTP_TX_HOLD_COUNT since
 * the last tick; then the BPDU waits for the tick. */
static void rstp_port_transmit(StpPort *p)
{
  Stp *stp = p->stp;
  if (p->tx_count >= RSTP_TX_HOLD_COUNT) {
    if (!p->tx_held && stp_tracing(stp))
      stp_note(stp, p, "%s%s", "BPDU held", "", "transmit hold count reached");
    p->tx_held = TRUE;
    return;
  }
  gboolean agreement = p->agree_pending && p->rstp_role != STP_ROLE_DESIGNATED;
  p->tx_pending = p->agree_pending = p->tx_held = FALSE;
  if (!rstp_transmit(p, agreement))
    return;
  p->tx_count++;
  if (stp->tick_timer == EVENT_ID_NONE)
    stp_start(stp, &stp->tick_timer, RSTP_TICK, rstp_tick, stp);
}

/* Sends the BPDUs that wait, each with its port's information of now. */
static void rstp_transmit_pending(Stp *stp)
{
  for (guint i = 0; i < stp->n; i++)
    if (stp->ports[i].tx_pending)
      rstp_port_transmit(&stp->ports[i]);
}

static void rstp_transmit_event(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->tx_event = EVENT_ID_NONE;
  rstp_transmit_pending(stp);
}

/* Port p has new information to send (newInfo), with an agreement if
 * `agreement`: it leaves once the bridge has handled everything of this
 * instant, so that what changes at once goes in one BPDU per port. */
static void rstp_send(StpPort *p, gboolean agreement)
{
  Stp *stp = p->stp;
  p->tx_pending = TRUE;
  p->agree_pending |= agreement;
  if (stp->tx_event == EVENT_ID_NONE)
    stp_start(stp, &stp->tx_event, 0, rstp_transmit_event, stp);
}

static void rstp_send_designated(Stp *stp)
{
  for (guint i = 0; i < stp->n; i++)
    if (stp->ports[i].rstp_role == STP_ROLE_DESIGNATED)
      rstp_send(&stp->ports[i], FALSE);
}

/* ---- roles (17.21.25 updtRolesTree) ---- */

static void rstp_root_selection(Stp *stp)
{
  StpPort *best = NULL;
  StpVector best_v = {0};
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    if (p->state == STP_STATE_DISABLED || !p->received || p->designated.bridge == stp->id ||
        p->designated.root >= stp->id)
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

static StpRole rstp_role_for(const Stp *stp, const StpPort *p)
{
  if (p->state == STP_STATE_DISABLED)
    return STP_ROLE_DISABLED;
  if (p == stp->root_port)
    return STP_ROLE_ROOT;
  StpVector mine = {stp->root, stp->root_cost, stp->id, p->id};
  if (!p->received || stp_vector_cmp(&mine, &p->designated) < 0)
    return STP_ROLE_DESIGNATED;
  return p->designated.bridge == stp->id ? STP_ROLE_BACKUP : STP_ROLE_ALTERNATE;
}

/* A designated port that must not forward until agreed: discards, proposes. */
static void rstp_discard_and_propose(StpPort *p, const char *why)
{
  stp_set_state(p, STP_STATE_DISCARDING, why);
  p->proposing = !p->stp_peer;
  stp_start(p->stp, &p->forward_timer, p->stp->forward_delay, rstp_forward_expired, p);
}

/* 17.29.2 sync: the designated ports that are not synced (edge, agreed or
 * discarding) discard and propose, so that the new root port may forward. */
static void rstp_sync(Stp *stp, gboolean forget_agreements)
{
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    if (p->rstp_role != STP_ROLE_DESIGNATED || p->edge)
      continue;
    if (forget_agreements)
      p->agreed = FALSE;
    if (!p->agreed && p->state != STP_STATE_DISCARDING)
      rstp_discard_and_propose(p, "sync");
  }
}

static void rstp_forwarding(StpPort *p, const char *why)
{
  stp_stop(p->stp, &p->forward_timer);
  p->proposing = FALSE;
  stp_set_state(p, STP_STATE_FORWARDING, why);
  if (!p->edge)
    rstp_tc_detected(p);
}

/* The state a port's role asks for, now. */
static void rstp_transitions(StpPort *p)
{
  switch (p->rstp_role) {
  case STP_ROLE_ALTERNATE:
  case STP_ROLE_BACKUP:
    stp_stop(p->stp, &p->forward_timer);
    stp_stop(p->stp, &p->tc_timer);
    p->proposing = p->agreed = FALSE;
    stp_set_state(p, STP_STATE_DISCARDING, stp_role_names[p->rstp_role]);
    break;
  case STP_ROLE_ROOT:
    if (p->state != STP_STATE_FORWARDING)
      rstp_forwarding(p, "root port");
    break;
  case STP_ROLE_DESIGNATED:
    if (p->state != STP_STATE_FORWARDING && (p->edge || p->agreed))
      rstp_forwarding(p, p->edge ? "edge port" : "agreement");
    else if (p->state != STP_STATE_FORWARDING && p->forward_timer == EVENT_ID_NONE)
      rstp_discard_and_propose(p, "designated port");
    break;
  default:
    break;
  }
}

/* Recomputes every role after a change (`why`), syncs on a new root or
 * root port, applies the states and sends the new information: on each
 * designated port whose BPDU changes. */
static void rstp_update(Stp *stp, const char *why)
{
  StpBridgeId before = stp->root;
  StpPort *before_port = stp->root_port;
  rstp_root_selection(stp);
  stp_note_root(stp, before);
  if (stp_is_root(stp) && before != stp->id) {
    stp->max_age = stp->conf.max_age;
    stp->hello = stp->conf.hello;
    stp->forward_delay = stp->conf.forward_delay;
  }
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    p->rstp_role = rstp_role_for(stp, p);
    if (p->rstp_role == STP_ROLE_DESIGNATED) {
      p->received = FALSE;
      stp_stop(stp, &p->age_timer); /* the port's information is the bridge's now: it does not age */
      p->designated = (StpVector){stp->root, stp->root_cost, stp->id, p->id};
    }
  }
  stp_note_roles(stp, why);
  if (stp->root != before || stp->root_port != before_port)
    rstp_sync(stp, TRUE);
  for (guint i = 0; i < stp->n; i++)
    rstp_transitions(&stp->ports[i]);
  for (guint i = 0; i < stp->n; i++)
    if (stp->ports[i].rstp_role == STP_ROLE_DESIGNATED && rstp_bpdu_changed(&stp->ports[i]))
      rstp_send(&stp->ports[i], FALSE);
}

/* ---- topology change (17.29.4, 17.21.17) ---- */

static void rstp_flush(Stp *stp, const StpPort *keep)
{
  guint n = switch_flush(stp->node->sw, keep ? keep->iface : NULL);
  char count[24];
  g_snprintf(count, sizeof count, "%u", n);
  if (n && stp_tracing(stp))
    stp_note(stp, keep, "flush %s %s", count, n == 1 ? "MAC entry" : "MAC entries", "topology change");
}

/* TC in the BPDUs of every root and designated non-edge port but `except`
 * for two hello times; an STP root hears of it by TCN. */
static void rstp_tc_propagate(Stp *stp, const StpPort *except)
{
  for (guint i = 0; i < stp->n; i++) {
    StpPort *q = &stp->ports[i];
    if (q == except || q->edge || (q->rstp_role != STP_ROLE_ROOT && q->rstp_role != STP_ROLE_DESIGNATED))
      continue;
    if (q->stp_peer && q == stp->root_port) {
      stp_transmit_tcn(stp);
      stp_start(stp, &stp->tcn_timer, stp->conf.hello, rstp_tcn_expired, stp);
      continue;
    }
    gboolean fresh = q->tc_timer == EVENT_ID_NONE;
    stp_start(stp, &q->tc_timer, 2 * stp->conf.hello, rstp_tc_expired, q);
    if (fresh)
      rstp_send(q, FALSE);
  }
}

/* Port `from` starts forwarding: flush the other ports, tell the others. */
static void rstp_tc_detected(StpPort *from)
{
  Stp *stp = from->stp;
  if (stp_tracing(stp))
    stp_note(stp, from, "%s%s", "topology change", "", "a port started forwarding");
  rstp_flush(stp, from);
  rstp_tc_propagate(stp, NULL);
}

static void rstp_tc_received(StpPort *p)
{
  rstp_flush(p->stp, p);
  rstp_tc_propagate(p->stp, p);
}

/* ---- receiving ---- */

/* 17.24: an STP bridge heard, or RSTP heard again after the migrate time. */
static void rstp_migrate(StpPort *p, const StpConfigBpdu *c)
{
  SimTime now = sim_now(p->stp->node->ctx);
  gboolean stp_peer = c ? !c->rst : TRUE;
  if (stp_peer == p->stp_peer || (!stp_peer && now - p->stp_since < RSTP_MIGRATE_TIME))
    return;
  p->stp_peer = stp_peer;
  p->stp_since = now;
  p->proposing = FALSE;
  if (stp_tracing(p->stp))
    stp_note(p->stp, p, "%s%s", stp_peer ? "sending 802.1D BPDUs" : "sending RST BPDUs", "",
             stp_peer ? "an STP bridge on the link" : "RSTP heard again");
}

/* TRUE when port p's link is point-to-point (operPointToPointMAC), not a
 * segment of a hub's shared medium. */
static gboolean rstp_point_to_point(const StpPort *p)
{
  return p->iface->link && !p->iface->link->hub;
}

/* 17.21.9 recordAgreement: an agreement lets a designated port forward at
 * once, on a point-to-point link only; on a shared medium the port waits
 * forward delay twice, as an STP port does. */
static void rstp_record_agreement(StpPort *p)
{
  if (!rstp_point_to_point(p)) {
    if (stp_tracing(p->stp))
      stp_note(p->stp, p, "%s%s", "agreement ignored", "", "shared medium, not point-to-point");
    return;
  }
  p->agreed = TRUE;
  rstp_transitions(p);
}

/* A root port's proposal: sync, forward, agree. */
static void rstp_agree(StpPort *p)
{
  p->proposed = FALSE;
  rstp_sync(p->stp, FALSE);
  for (guint i = 0; i < p->stp->n; i++)
    if (p->stp->ports[i].rstp_role == STP_ROLE_DESIGNATED && p->stp->ports[i].proposing)
      rstp_send(&p->stp->ports[i], FALSE);
  rstp_transitions(p);
  rstp_send(p, TRUE);
}

/* The information port p received lapses (`why`): the roles are
 * recomputed without it. */
static void rstp_lapse(StpPort *p, const char *why)
{
  if (!p->received)
    return;
  stp_stop(p->stp, &p->age_timer);
  p->received = FALSE;
  rstp_update(p->stp, why);
}

/* Information from the LAN's designated bridge (or one claiming to be). */
static void rstp_received_designated(StpPort *p, const StpConfigBpdu *c)
{
  Stp *stp = p->stp;
  gboolean same = p->received && c->v.bridge == p->designated.bridge && c->v.port == p->designated.port;
  if (!same && stp_vector_cmp(&c->v, &p->designated) >= 0)
    return; /* inferior (17.27 INFERIOR_DESIGNATED): the next hello tells that bridge better */
  if (c->age + STP_MESSAGE_AGE_INCREMENT > c->max_age) {
    rstp_lapse(p, "message age reached max age"); /* 17.21.23: rcvdInfoWhile 0, aged at once */
    return;
  }
  gboolean changed = !same || stp_vector_cmp(&c->v, &p->designated) != 0;
  p->designated = c->v;
  p->received = TRUE;
  p->info_age = c->age;
  p->proposed = c->rst && (c->flags & BPDU_FLAG_PROPOSAL);
  stp_start(stp, &p->age_timer, 3 * c->hello, rstp_info_expired, p);
  if (changed) {
    char id[24], why[40];
    stp_format_bridge_id(id, c->v.bridge);
    g_snprintf(why, sizeof why, "BPDU from %s", id);
    rstp_update(stp, why);
  }
  if (p != stp->root_port) {
    if (p->proposed && p->rstp_role != STP_ROLE_DESIGNATED) {
      p->proposed = FALSE;
      rstp_send(p, TRUE); /* ALTERNATE_AGREED (17.29.6): it discards, so it agrees at once */
    }
    return;
  }
  stp->max_age = c->max_age;
  stp->hello = c->hello;
  stp->forward_delay = c->forward_delay;
  if (!c->rst && c->tc_ack)
    stp_stop(stp, &stp->tcn_timer);
  if (p->proposed)
    rstp_agree(p);
}

/* A BPDU, configuration or RST, arrived on port p. */
void rstp_received(StpPort *p, const StpConfigBpdu *c)
{
  rstp_migrate(p, c);
  if (p->edge && stp_tracing(p->stp))
    stp_note(p->stp, p, "%s%s", "not an edge port", "", "a BPDU arrived");
  p->edge = FALSE;
  int role = c->rst ? (c->flags >> BPDU_FLAG_ROLE_SHIFT) & 3 : RSTP_ROLE_DESIGNATED;
  if (role == RSTP_ROLE_DESIGNATED)
    rstp_received_designated(p, c);
  else if (p->rstp_role == STP_ROLE_DESIGNATED && (c->flags & BPDU_FLAG_AGREEMENT) && c->v.root == p->stp->root &&
           !p->agreed)
    rstp_record_agreement(p);
  if (c->tc)
    rstp_tc_received(p);
}

/* A TCN from an STP bridge below: a topology change, acknowledged. */
void rstp_received_tcn(StpPort *p)
{
  rstp_migrate(p, NULL);
  if (p->rstp_role != STP_ROLE_DESIGNATED)
    return;
  rstp_tc_received(p);
  p->tc_ack = TRUE;
  rstp_send(p, FALSE);
}

/* ---- timers ---- */

static void rstp_hello_expired(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->hello_timer = EVENT_ID_NONE;
  rstp_send_designated(stp);
  stp_start(stp, &stp->hello_timer, stp->conf.hello, rstp_hello_expired, stp);
}

static void rstp_info_expired(void *obj, void *arg)
{
  (void)arg;
  StpPort *p = obj;
  p->age_timer = EVENT_ID_NONE;
  rstp_lapse(p, "no BPDU for 3 hello times");
}

static void rstp_forward_expired(void *obj, void *arg)
{
  (void)arg;
  StpPort *p = obj;
  p->forward_timer = EVENT_ID_NONE;
  if (p->rstp_role != STP_ROLE_DESIGNATED)
    return;
  if (p->state == STP_STATE_DISCARDING) {
    stp_set_state(p, STP_STATE_LEARNING, "forward delay");
    stp_start(p->stp, &p->forward_timer, p->stp->forward_delay, rstp_forward_expired, p);
  } else if (p->state == STP_STATE_LEARNING) {
    rstp_forwarding(p, "forward delay");
  }
}

static void rstp_tc_expired(void *obj, void *arg)
{
  (void)arg;
  ((StpPort *)obj)->tc_timer = EVENT_ID_NONE;
}

static void rstp_tcn_expired(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  stp->tcn_timer = EVENT_ID_NONE;
  if (!stp->root_port || !stp->root_port->stp_peer)
    return;
  stp_transmit_tcn(stp);
  stp_start(stp, &stp->tcn_timer, stp->conf.hello, rstp_tcn_expired, stp);
}

/* The tick: each port may send one more BPDU; those held leave now. */
static void rstp_tick(void *obj, void *arg)
{
  (void)arg;
  Stp *stp = obj;
  gboolean again = FALSE;
  stp->tick_timer = EVENT_ID_NONE;
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    if (p->tx_count > 0)
      p->tx_count--;
    if (p->tx_pending)
      rstp_port_transmit(p);
    again |= p->tx_count > 0;
  }
  if (again && stp->tick_timer == EVENT_ID_NONE)
    stp_start(stp, &stp->tick_timer, RSTP_TICK, rstp_tick, stp);
}

/* ---- ports and start ---- */

static void rstp_reset_port(StpPort *p, StpState state, const char *why)
{
  Stp *stp = p->stp;
  stp_stop(stp, &p->age_timer);
  stp_stop(stp, &p->forward_timer);
  stp_stop(stp, &p->tc_timer);
  p->received = p->proposing = p->proposed = p->agreed = p->stp_peer = p->tc_ack = FALSE;
  p->tx_count = 0;
  p->tx_pending = p->agree_pending = p->tx_held = FALSE;
  p->last_sent = (StpConfigBpdu){{0, 0, 0, 0}, 0, 0, 0, 0, FALSE, FALSE, 0, FALSE};
  p->edge = p->edge_admin;
  stp_set_state(p, state, why);
}

/* Port p's carrier came (`up`) or went. */
void rstp_port_changed(StpPort *p, gboolean up)
{
  rstp_reset_port(p, up ? STP_STATE_DISCARDING : STP_STATE_DISABLED, up ? "link up" : "link down");
  rstp_update(p->stp, up ? "link up" : "link down");
}

/* The start of the run: every bridge the root, its ports designated. */
void rstp_initialize(Stp *stp)
{
  for (guint i = 0; i < stp->n; i++) {
    StpPort *p = &stp->ports[i];
    p->rstp_role = p->iface->up ? STP_ROLE_DESIGNATED : STP_ROLE_DISABLED;
    p->role = p->rstp_role;
    rstp_reset_port(p, p->iface->up ? STP_STATE_DISCARDING : STP_STATE_DISABLED, "start");
  }
  rstp_update(stp, "start");
  stp_start(stp, &stp->hello_timer, stp->conf.hello, rstp_hello_expired, stp);
}
