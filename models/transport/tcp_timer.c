/*
 * TCP timers (RFC 9293 3.8; RFC 6298; RFC 1122 4.2.2.17, 4.2.3.2): the
 * retransmission timer (also the SYN timer and, in persist mode, the
 * zero-window probe timer), the delayed-ACK timer, the TIME_WAIT (and
 * orphaned FIN_WAIT_2) timer and the window-update timer (due at once:
 * one update after every read of the instant, as Linux's
 * tcp_cleanup_rbuf after a recvmsg); and the RTT estimator that sets the
 * RTO.
 *
 * Entry points: tcp_timer_set(), tcp_timer_stop(),
 * tcp_timer_cancel_all(); tcp_timer_rtx_restart(), tcp_timer_rtx_update()
 * (after an ACK); tcp_timer_rtt_sample(); tcp_timer_persist_start();
 * tcp_timer_delack().
 *
 * Each timer kind has at most one scheduler event per connection. The
 * deadline lives in the connection; moving it later (every ACK re-arms
 * the RTO) schedules nothing: when the event fires early it re-schedules
 * itself at the current deadline. Only a deadline earlier than the
 * pending event cancels and schedules again.
 *
 * RTO (RFC 6298): RTO = max(min-rto, SRTT + 4 RTTVAR), at most max-rto,
 * doubled at each expiry (Karn: no samples from retransmitted segments;
 * with timestamps every ACK gives a sample); 3 s once established after
 * a SYN timeout without a sample (RFC 6298 5.7, tcp_conn.c). After syn-retries SYN
 * expiries (or retries data expiries) the connection fails with
 * -ETIMEDOUT. RFC 5681 on timeout: ssthresh = max(FlightSize / 2, 2 SMSS)
 * (first expiry only), cwnd = 1 SMSS, and the data is sent again from
 * snd_una (go-back-N). A first timeout is undone (tcp_in.c) when the
 * next ACK echoes a timestamp older than the retransmission's: it
 * acknowledges the original, the timeout was spurious (RFC 3522, RFC
 * 4015; Linux's undo).
 */
#include "models/transport/tcp_conn.h"

#include <errno.h>

static void tcp_timer_fire(void *obj, void *arg);

/* Arms timer `kind` of c for `deadline` (replacing any earlier one). */
void tcp_timer_set(TcpConn *c, TcpTimerKind kind, SimTime deadline)
{
  TcpTimer *t = &c->timers[kind];
  Scheduler *s = c->node->ctx->sched;

  t->deadline = deadline;
  if (t->ev) {
    if (t->at <= deadline)
      return;
    scheduler_cancel(s, t->ev);
  }
  t->at = deadline;
  t->ev = scheduler_at(s, deadline, tcp_timer_fire, c, GINT_TO_POINTER(kind));
}

/* Stops timer `kind` (its event, if any, fires and finds nothing due). */
void tcp_timer_stop(TcpConn *c, TcpTimerKind kind)
{
  c->timers[kind].deadline = 0;
}

/* Cancels every event of c (before it is freed or closed). */
void tcp_timer_cancel_all(TcpConn *c)
{
  for (int k = 0; k < TCP_TIMER_COUNT; k++) {
    if (c->timers[k].ev)
      scheduler_cancel(c->node->ctx->sched, c->timers[k].ev);
    c->timers[k] = (TcpTimer){0};
  }
}

/* (Re)starts the retransmission timer for one RTO from now. */
void tcp_timer_rtx_restart(TcpConn *c)
{
  c->rtx_mode = TCP_RTX_RETRANSMIT;
  tcp_timer_set(c, TCP_TIMER_RTX, tcp_now(c) + c->rto);
}

/* After an ACK of new data (RFC 6298 5.2, 5.3): stops the timer when
 * everything is acknowledged, else restarts it. */
void tcp_timer_rtx_update(TcpConn *c)
{
  if (c->rtx_mode == TCP_RTX_PERSIST)
    return;
  if (c->snd_una == c->snd_max) {
    c->rtx_mode = TCP_RTX_IDLE;
    tcp_timer_stop(c, TCP_TIMER_RTX);
  } else {
    tcp_timer_rtx_restart(c);
  }
}

/* Sets the RTO from SRTT and RTTVAR, within [min-rto, max-rto]. */
static void tcp_timer_rto_compute(TcpConn *c)
{
  SimTime rto = c->srtt + 4 * c->rttvar;

  c->rto = MIN(MAX(rto, c->cfg.min_rto), c->cfg.max_rto);
}

/* Takes an RTT sample (RFC 6298 2.2, 2.3) and ends any backoff. */
void tcp_timer_rtt_sample(TcpConn *c, SimTime rtt)
{
  if (rtt < 0)
    return;
  if (c->srtt == 0) {
    c->srtt = rtt;
    c->rttvar = rtt / 2;
  } else {
    SimTime err = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;
    c->rttvar = (3 * c->rttvar + err) / 4;
    c->srtt = (7 * c->srtt + rtt) / 8;
  }
  c->backoff = 0;
  tcp_timer_rto_compute(c);
}

/* Doubles the RTO after an expiry (RFC 6298 5.5), at most max-rto. */
static void tcp_timer_backoff(TcpConn *c)
{
  c->backoff++;
  c->rto = MIN(c->rto * 2, c->cfg.max_rto);
}

/* The retransmission timer expired in the handshake: SYN (or SYN-ACK)
 * again, or give up. */
static void tcp_timer_syn_expired(TcpConn *c)
{
  if ((uint32_t)c->backoff >= c->cfg.syn_retries) {
    tcp_conn_finish(c, -ETIMEDOUT);
    return;
  }
  c->stats.timeouts++;
  tcp_timer_backoff(c);
  tcp_retransmit_first(c, "syn");
  tcp_conn_series(c);
}

/* The retransmission timer expired with data outstanding (RFC 6298 5.4-5.6,
 * RFC 5681 3.1, RFC 6582 3.2 step 4). */
static void tcp_timer_rto_expired(TcpConn *c)
{
  if ((uint32_t)c->backoff >= c->cfg.retries) {
    tcp_conn_finish(c, -ETIMEDOUT);
    return;
  }
  c->stats.timeouts++;
  c->undo_armed = c->backoff == 0 && c->ts_ok;
  c->undo_tsval = tcp_ts_now(c);
  c->undo_cwnd = c->cwnd;
  c->undo_ssthresh = c->ssthresh;
  if (c->backoff == 0)
    c->ssthresh = c->cc->ssthresh(c);
  c->cwnd = c->mss;
  c->in_recovery = FALSE;
  c->dupacks = 0;
  c->recover = c->snd_max;
  c->recover_valid = TRUE;
  c->cc->on_timeout(c);
  c->snd_nxt = c->snd_una;
  tcp_timer_backoff(c);
  tcp_retransmit_first(c, "timeout");
  tcp_timer_rtx_restart(c);
  tcp_conn_series(c);
}

/* Enters persist mode: zero-window probes from one RTO on. */
void tcp_timer_persist_start(TcpConn *c)
{
  if (c->rtx_mode == TCP_RTX_PERSIST)
    return;
  c->rtx_mode = TCP_RTX_PERSIST;
  c->persist_interval = c->rto;
  c->probes = 0;
  tcp_timer_set(c, TCP_TIMER_RTX, tcp_now(c) + c->persist_interval);
}

/* The persist timer expired: a probe, and the next one twice as late
 * (at most max-rto). Gives up after `retries` probes without any answer. */
static void tcp_timer_persist_expired(TcpConn *c)
{
  if ((uint32_t)c->probes >= c->cfg.retries) {
    tcp_conn_finish(c, -ETIMEDOUT);
    return;
  }
  c->probes++;
  if (!tcp_send_probe(c))
    return;
  c->persist_interval = MIN(c->persist_interval * 2, c->cfg.max_rto);
  tcp_timer_set(c, TCP_TIMER_RTX, tcp_now(c) + c->persist_interval);
}

/* Arms the delayed ACK unless it runs already. */
void tcp_timer_delack(TcpConn *c)
{
  if (c->timers[TCP_TIMER_DELACK].deadline == 0)
    tcp_timer_set(c, TCP_TIMER_DELACK, tcp_now(c) + c->cfg.delayed_ack);
}

static void tcp_timer_rtx_expired(TcpConn *c)
{
  if (c->rtx_mode == TCP_RTX_PERSIST)
    tcp_timer_persist_expired(c);
  else if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)
    tcp_timer_syn_expired(c);
  else if (c->rtx_mode == TCP_RTX_RETRANSMIT)
    tcp_timer_rto_expired(c);
}

/* The event of a timer: re-schedules itself when the deadline moved
 * later, else runs the timer. */
static void tcp_timer_fire(void *obj, void *arg)
{
  TcpConn *c = obj;
  TcpTimerKind kind = (TcpTimerKind)GPOINTER_TO_INT(arg);
  TcpTimer *t = &c->timers[kind];
  SimTime now = tcp_now(c);

  t->ev = EVENT_ID_NONE;
  if (t->deadline == 0)
    return;
  if (t->deadline > now) {
    t->at = t->deadline;
    t->ev = scheduler_at(c->node->ctx->sched, t->deadline, tcp_timer_fire, c, arg);
    return;
  }
  t->deadline = 0;
  switch (kind) {
  case TCP_TIMER_RTX:
    tcp_timer_rtx_expired(c);
    break;
  case TCP_TIMER_DELACK:
    tcp_send_ack(c);
    break;
  case TCP_TIMER_WINDOW:
    if (tcp_conn_window_update_due(c))
      tcp_send_ack(c);
    break;
  default:
    tcp_conn_finish(c, 0);
    break;
  }
}
