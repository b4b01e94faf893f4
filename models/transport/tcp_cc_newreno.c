/*
 * NewReno congestion control (RFC 5681 3.1, RFC 6582), with appropriate
 * byte counting (RFC 3465): in slow start cwnd grows by the bytes
 * acknowledged, at most 2 SMSS per ACK (L = 2 SMSS); in congestion
 * avoidance by one SMSS each time a full cwnd of bytes has been
 * acknowledged. Both match Linux, which counts acknowledged segments, so
 * delayed ACKs do not slow the growth. A loss halves the flight (ssthresh
 * = max(FlightSize / 2, 2 SMSS)). Fast recovery itself is the core's
 * (tcp_in.c), shared by every algorithm.
 *
 * Entry points: the tcp_cc_newreno ops table (tcp_cc.h).
 */
#include "models/transport/tcp_conn.h"

/* cc_priv[0]: bytes acknowledged in congestion avoidance toward the next
 * SMSS of growth. */
static void tcp_newreno_init(TcpConn *c)
{
  c->cc_priv[0] = 0;
}

static void tcp_newreno_on_ack(TcpConn *c, uint32_t acked, SimTime rtt)
{
  (void)rtt;
  if (c->cwnd < c->ssthresh) {
    c->cwnd += MIN(acked, 2 * c->mss);
    return;
  }
  c->cc_priv[0] += acked;
  if (c->cc_priv[0] >= c->cwnd) {
    c->cc_priv[0] -= c->cwnd;
    c->cwnd += c->mss;
  }
}

static uint32_t tcp_newreno_ssthresh(TcpConn *c)
{
  return MAX(tcp_in_flight(c) / 2, 2 * c->mss);
}

static void tcp_newreno_reset(TcpConn *c)
{
  c->cc_priv[0] = 0;
}

const TcpCcOps tcp_cc_newreno = {
    .name = TCP_CC_NEWRENO,
    .init = tcp_newreno_init,
    .on_ack = tcp_newreno_on_ack,
    .ssthresh = tcp_newreno_ssthresh,
    .on_loss = tcp_newreno_reset,
    .on_timeout = tcp_newreno_reset,
};
