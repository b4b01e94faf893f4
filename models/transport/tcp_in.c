/*
 * TCP input (RFC 9293 3.10.7): a segment from IPv4 goes through checks
 * (length, checksum over the pseudo-header, data offset, options), demux
 * (the connection of its 4-tuple, else a listener, else a RST), then the
 * handler of the connection's state: LISTEN, SYN_SENT, or the
 * synchronized states (sequence check with PAWS, RST and SYN with the
 * RFC 5961 challenge ACK, ACK processing, data, FIN).
 *
 * Entry points: tcp_input() (from IPv4, at the TCP header); tcp_error()
 * (from ICMP). ACK processing (RFC 5681, RFC 6582 NewReno, RFC 6298 RTT
 * samples; the SACK scoreboard is in tcp_sack.c, recovery sends through
 * tcp_sack_output() in tcp_out.c) and data processing (in-order
 * delivery, the out-of-order queue, delayed ACKs) live here too. ACKs
 * to out-of-window segments without data are rate-limited (Linux's
 * tcp_invalid_ratelimit, RFC 5961 7); new data for a closed owner gets a
 * RST (RFC 1122 4.2.2.13).
 *
 * Upcalls to the owner come last in each handler, after the connection
 * is consistent, so the owner may call anything from them.
 *
 * Leaves out: D-SACK, urgent data (the pointer is ignored), ECN, TCP
 * Fast Open, data on SYNs (ignored; the peer sends it again).
 */
#include "models/transport/tcp_conn.h"

#include <errno.h>
#include <string.h>

#include "models/internet/checksum.h"
#include "models/internet/ipv4_wire.h"
#include "models/core/node.h"

/* Out-of-window segments without data get at most one ACK per this. */
#define TCP_OOW_ACK_INTERVAL SIMTIME_MS(500)

/* What a handler found for the owner, told after it finished. */
typedef struct {
  gboolean readable, writable, connected, closed;
} TcpInUpcalls;

/* Drops a segment (its packet at the TCP payload), traced from its IP
 * header. */
static void tcp_in_drop(Node *node, TcpSeg *seg, DropReason reason)
{
  node_drop(node, seg->ip->in, seg->p, reason, TRACE_TRANSPORT, TRACE_FROM_IPV4);
  seg->p = NULL;
}

/* Frees a segment that has served its purpose. */
static void tcp_in_done(TcpSeg *seg)
{
  packet_free(seg->p);
  seg->p = NULL;
}

/* Checks p (at the TCP header) and fills seg; returns FALSE if it is
 * truncated, its checksum or data offset is wrong, or its options are
 * malformed. */
static gboolean tcp_in_check(Packet *p, const Ipv4Meta *meta, TcpSeg *seg)
{
  const TcpHeader *h = (const TcpHeader *)packet_peek(p, TCP_HEADER_LEN);
  size_t len = packet_len(p), hlen;

  if (!h)
    return FALSE;
  hlen = tcp_hdr_len(h);
  if (hlen < TCP_HEADER_LEN || hlen > len)
    return FALSE;
  if (inet_pseudo_checksum(g_htonl(meta->src), g_htonl(meta->dst), IPPROTO_TCP_NUM, h, len) != 0)
    return FALSE;
  *seg = (TcpSeg){.seq = g_ntohl(h->seq),
                  .ack = g_ntohl(h->ack),
                  .len = (uint32_t)(len - hlen),
                  .wnd = g_ntohs(h->win),
                  .flags = h->flags,
                  .hlen = (uint8_t)hlen,
                  .p = p,
                  .ip = meta};
  tcp_options_parse((const uint8_t *)(h + 1), hlen - TCP_HEADER_LEN, (h->flags & TCP_SYN) != 0, &seg->opts);
  return !seg->opts.bad;
}

/* Counts an accepted segment in the flow table and on c. */
static void tcp_in_account(TcpConn *c, const TcpSeg *seg)
{
  FlowKey key = {.src = c->raddr, .dst = c->laddr, .sport = c->rport, .dport = c->lport, .proto = IPPROTO_TCP_NUM};

  c->rx_flow = flow_delivered(c->node->ctx->flows, &key, seg->p, seg->len, tcp_now(c));
  c->stats.segs_in++;
}

/* Answers an unacceptable segment (RFC 9293 3.10.7.4) or sends a
 * challenge ACK (RFC 5961 4, 5, 7) with an ACK, at most one per 500 ms
 * per connection when the segment carries no data or is a SYN (as
 * Linux's tcp_oow_rate_limited, tcp_invalid_ratelimit): two stacks that
 * disagree on the sequence numbers would otherwise ACK each other's ACKs
 * forever. */
static void tcp_in_oow_ack(TcpConn *c, const TcpSeg *seg)
{
  gboolean bare = seg->len == 0 && !(seg->flags & TCP_FIN);
  SimTime now = tcp_now(c);

  if ((bare || (seg->flags & TCP_SYN)) && c->oow_ack_at && now - c->oow_ack_at < TCP_OOW_ACK_INTERVAL)
    return;
  if (bare || (seg->flags & TCP_SYN))
    c->oow_ack_at = now ? now : 1;
  tcp_send_ack(c);
}

/* ---- options and the MSS -------------------------------------------- */

/* Takes what the peer's SYN offers (MSS, window scale, timestamps) and
 * sets the MSS of both directions. An MSS option of 0 counts as absent
 * (536): a zero MSS would stall the connection. */
static void tcp_in_negotiate(TcpConn *c, const TcpSeg *seg)
{
  uint32_t peer = seg->opts.has_mss && seg->opts.mss ? seg->opts.mss : TCP_DEFAULT_MSS;

  c->ws_ok = c->cfg.window_scaling && seg->opts.has_ws;
  c->snd_ws = c->ws_ok ? seg->opts.ws : 0;
  if (!c->ws_ok)
    c->rcv_ws = 0;
  c->ts_ok = c->cfg.timestamps && seg->opts.has_ts;
  c->sack_ok = c->cfg.sack && seg->opts.has_sack_perm;
  if (c->sack_ok && !c->sacked)
    c->sacked = g_array_new(FALSE, FALSE, sizeof(TcpRange));
  if (c->ts_ok) {
    c->ts_recent = seg->opts.tsval;
    c->ts_recent_at = tcp_now(c);
  }
  tcp_conn_set_adv_mss(c);
  uint32_t mss = MIN(peer, c->adv_mss), opts = c->ts_ok ? TCP_OPTLEN_TS_ALIGNED : 0;
  c->mss = mss > opts + 8 ? mss - opts : 8; /* a silly small MSS still moves data */
  c->rcv_mss = c->mss;
  c->cwnd = (uint32_t)MIN((uint64_t)c->cfg.initial_cwnd * c->mss, 1u << 30);
  c->cc->init(c);
}

/* ---- ACK processing --------------------------------------------------- */

/* Returns an RTT sample for an ACK of new data (RFC 7323 RTTM from the
 * echoed timestamp, else the timed segment, Karn's rule), or -1. */
static SimTime tcp_in_rtt(TcpConn *c, const TcpSeg *seg)
{
  if (c->ts_ok && seg->opts.has_ts) /* TSecr is valid on every ACK (RFC 7323 3.2) */
    return (SimTime)(uint32_t)(tcp_ts_now(c) - seg->opts.tsecr) * 1000;
  if (c->rtt_timing && SEQ_GT(seg->ack, c->rtt_seq)) {
    c->rtt_timing = FALSE;
    return tcp_now(c) - c->rtt_start;
  }
  return -1;
}

/* Removes acknowledged bytes from the send buffer; returns their count. */
static uint32_t tcp_in_release_sent(TcpConn *c, uint32_t ack, TcpInUpcalls *u)
{
  uint32_t n;

  if (!SEQ_GT(ack, c->buf_seq))
    return 0;
  n = MIN(ack - c->buf_seq, (uint32_t)tcp_buf_len(&c->sndbuf));
  tcp_buf_consume(&c->sndbuf, n);
  c->buf_seq += n;
  c->stats.bytes_acked += n;
  if (n && c->want_writable) {
    c->want_writable = FALSE;
    u->writable = TRUE;
  }
  return n;
}

/* NewReno during fast recovery (RFC 6582 3.2 steps 3-5): a full ACK
 * ends it, a partial ACK sends the next hole again and deflates. The
 * caller restarts the RTO on every partial ACK (RFC 6298 5.3; RFC 6582's
 * "Slow-but-Steady" variant, as Linux). */
static void tcp_in_recovery_ack(TcpConn *c, uint32_t acked)
{
  if (SEQ_GEQ(c->snd_una, c->recover)) {
    c->cwnd = MIN(c->ssthresh, MAX(tcp_in_flight(c), c->mss) + c->mss);
    c->in_recovery = FALSE;
    c->dupacks = 0;
    return;
  }
  if (c->sack_ok) /* RFC 6675: the scoreboard drives what goes out */
    return;
  tcp_retransmit_first(c, "partial");
  c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
  if (acked >= c->mss)
    c->cwnd += c->mss;
  if (c->cwnd < c->mss)
    c->cwnd = c->mss;
}

/* Was the flight limited by cwnd, so that growing cwnd means something
 * (RFC 7661's idea, as Linux's tcp_is_cwnd_limited: in slow start, half
 * the window in flight is enough)? */
static gboolean tcp_in_cwnd_limited(const TcpConn *c, uint32_t flight)
{
  if (c->cwnd < c->ssthresh)
    return 2 * (uint64_t)flight >= c->cwnd;
  return flight + c->mss >= c->cwnd;
}

/* The first ACK after a timeout: when it echoes a timestamp older than
 * the retransmission's, it acknowledges the original segment and the
 * timeout was spurious (Eifel detection, RFC 3522): the window comes back
 * and sending goes on after the highest sequence sent instead of going
 * back (RFC 4015, as Linux's undo). */
static void tcp_in_spurious_rto(TcpConn *c, const TcpSeg *seg)
{
  c->undo_armed = FALSE;
  if (!seg->opts.has_ts || !SEQ_LT(seg->opts.tsecr, c->undo_tsval))
    return;
  c->cwnd = MAX(c->cwnd, c->undo_cwnd);
  c->ssthresh = MAX(c->ssthresh, c->undo_ssthresh);
  c->recover_valid = FALSE;
  c->snd_nxt = c->snd_max;
}

/* An ACK of new data (RFC 9293 3.10.7.4, fifth check; RFC 5681). */
static void tcp_in_new_ack(TcpConn *c, const TcpSeg *seg, TcpInUpcalls *u)
{
  uint32_t acked = seg->ack - c->snd_una, flight = c->snd_max - c->snd_una;
  SimTime rtt = tcp_in_rtt(c, seg);

  if (c->undo_armed)
    tcp_in_spurious_rto(c, seg);

  if (rtt >= 0)
    tcp_timer_rtt_sample(c, rtt);
  tcp_in_release_sent(c, seg->ack, u);
  c->snd_una = seg->ack;
  if (SEQ_LT(c->snd_nxt, c->snd_una))
    c->snd_nxt = c->snd_una;
  tcp_sack_update(c, &seg->opts);
  if (c->in_recovery) {
    tcp_in_recovery_ack(c, acked);
  } else {
    c->dupacks = 0;
    if (tcp_in_cwnd_limited(c, flight))
      c->cc->on_ack(c, acked, rtt);
  }
  tcp_timer_rtx_update(c);
}

/* Fast retransmit and fast recovery (RFC 5681 3.2, RFC 6582 3.2 step 2;
 * with SACK RFC 6675 5: cwnd = ssthresh, then NextSeg), unless the ACK
 * acknowledges nothing past `recover` (RFC 6582 3.2 step 1) or recovery
 * runs already. */
static void tcp_in_enter_recovery(TcpConn *c, const TcpSeg *seg)
{
  if (c->in_recovery || c->snd_nxt != c->snd_max || (c->recover_valid && !SEQ_GT(seg->ack, c->recover)))
    return;
  c->ssthresh = c->cc->ssthresh(c);
  c->recover = c->snd_max;
  c->recover_valid = TRUE;
  c->in_recovery = TRUE;
  c->cc->on_loss(c);
  c->stats.fast_retransmits++;
  c->high_rxt = tcp_retransmit_first(c, "fast");
  c->cwnd = c->sack_ok ? c->ssthresh : c->ssthresh + 3 * c->mss;
  tcp_timer_rtx_restart(c);
}

/* A duplicate ACK (RFC 5681 2): the third starts fast retransmit and
 * NewReno fast recovery, unless it acknowledges nothing past `recover`
 * (RFC 6582 3.2 step 1); more inflate the window. */
static void tcp_in_dupack(TcpConn *c, const TcpSeg *seg)
{
  c->stats.dupacks_in++;
  if (c->in_recovery) {
    if (!c->sack_ok)
      c->cwnd += c->mss;
    return;
  }
  if (++c->dupacks < 3 && !tcp_sack_is_lost(c, c->snd_una)) { /* limited transmit (RFC 3042) */
    tcp_output(c);
    return;
  }
  tcp_in_enter_recovery(c, seg);
}

/* Updates the peer's window from seg when it is newer (RFC 9293 3.10.7.4,
 * SND.WL1/WL2); leaves persist mode when the window opened. */
static void tcp_in_window(TcpConn *c, const TcpSeg *seg)
{
  if (SEQ_LT(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, seg->ack))) {
    c->snd_wnd = seg->wnd << c->snd_ws;
    c->snd_wl1 = seg->seq;
    c->snd_wl2 = seg->ack;
    c->max_snd_wnd = MAX(c->max_snd_wnd, c->snd_wnd);
  }
  c->probes = 0;
  if (c->rtx_mode == TCP_RTX_PERSIST && c->snd_wnd > 0) {
    c->rtx_mode = TCP_RTX_IDLE;
    tcp_timer_stop(c, TCP_TIMER_RTX);
    tcp_timer_rtx_update(c);
  }
}

/* Processes the ACK field of seg in a synchronized state; returns FALSE
 * when the segment must be dropped (it acknowledges what was never sent:
 * an ACK goes back, RFC 5961 5.2). */
static gboolean tcp_in_ack(TcpConn *c, const TcpSeg *seg, TcpInUpcalls *u)
{
  uint32_t una = c->snd_una;
  gboolean same_wnd = (seg->wnd << c->snd_ws) == c->snd_wnd;

  if (SEQ_GT(seg->ack, c->snd_max) || SEQ_LT(seg->ack, una - MAX(c->max_snd_wnd, 65535u))) {
    tcp_in_oow_ack(c, seg);
    return FALSE;
  }
  if (SEQ_GT(seg->ack, una)) {
    tcp_in_new_ack(c, seg, u);
  } else {
    tcp_sack_update(c, &seg->opts);
    if (seg->ack == una && seg->len == 0 && !(seg->flags & (TCP_SYN | TCP_FIN)) && same_wnd && c->snd_max != una &&
        c->rtx_mode != TCP_RTX_PERSIST)
      tcp_in_dupack(c, seg);
  }
  if (c->sack_ok && c->snd_una != c->snd_max && tcp_sack_is_lost(c, c->snd_una))
    tcp_in_enter_recovery(c, seg); /* SACK evidence (RFC 6675 5) */
  tcp_in_window(c, seg);
  return TRUE;
}

/* ---- data ------------------------------------------------------------- */

static void tcp_in_fin(TcpConn *c, TcpInUpcalls *u);

/* Appends in-order payload to the receive buffer. */
static void tcp_in_append(TcpConn *c, Packet *p, uint32_t len, TcpInUpcalls *u)
{
  uint32_t n = (uint32_t)tcp_buf_write(&c->rcvbuf, packet_data(p), len);

  c->rcv_nxt += n;
  c->stats.bytes_received += n;
  if (c->rx_flow)
    flow_goodput(c->rx_flow, n, tcp_now(c));
  if (n)
    u->readable = TRUE;
}

/* Moves the out-of-order segments that became in order into the receive
 * buffer, with a FIN that was queued behind them. */
static void tcp_in_ooo_drain(TcpConn *c, TcpInUpcalls *u)
{
  while (c->ooo->len && !c->rcv_fin) {
    TcpOooSeg *s = &g_array_index(c->ooo, TcpOooSeg, 0);
    uint32_t end = s->seq + s->len;
    if (SEQ_GT(s->seq, c->rcv_nxt))
      break;
    if (SEQ_GT(end, c->rcv_nxt)) {
      packet_pull(s->p, c->rcv_nxt - s->seq);
      tcp_in_append(c, s->p, end - c->rcv_nxt, u);
    }
    gboolean fin = s->fin && end == c->rcv_nxt;
    c->ooo_bytes -= s->len;
    packet_free(s->p);
    g_array_remove_index(c->ooo, 0);
    if (fin)
      tcp_in_fin(c, u);
  }
}

/* Remembers seq as the latest out-of-order arrival, first of the SACK
 * blocks to report (RFC 2018 4). */
static void tcp_in_sack_note(TcpConn *c, uint32_t seq)
{
  int n = MIN(c->n_sack_recent, TCP_MAX_SACK - 1);

  memmove(c->sack_recent + 1, c->sack_recent, (size_t)n * sizeof c->sack_recent[0]);
  c->sack_recent[0] = seq;
  c->n_sack_recent = n + 1;
}

/* Holds a segment that arrived ahead of a hole (seg->p owned by the
 * queue after this; duplicates and covered parts are dropped). */
static void tcp_in_ooo_insert(TcpConn *c, TcpSeg *seg, gboolean fin)
{
  uint32_t seq = seg->seq, end = seg->seq + seg->len;
  guint i = 0;

  while (i < c->ooo->len && SEQ_LEQ(g_array_index(c->ooo, TcpOooSeg, i).seq, seq))
    i++;
  if (i > 0) {
    TcpOooSeg *prev = &g_array_index(c->ooo, TcpOooSeg, i - 1);
    uint32_t pend = prev->seq + prev->len;
    if (SEQ_GEQ(pend, end) && !(fin && !prev->fin && pend == end)) {
      tcp_in_done(seg);
      return;
    }
    if (SEQ_GT(pend, seq)) {
      packet_pull(seg->p, pend - seq);
      seq = pend;
    }
  }
  while (i < c->ooo->len) {
    TcpOooSeg *next = &g_array_index(c->ooo, TcpOooSeg, i);
    if (SEQ_GEQ(next->seq, end))
      break;
    if (SEQ_GT(next->seq + next->len, end) || next->fin) {
      packet_trim(seg->p, next->seq - seq);
      end = next->seq;
      fin = FALSE;
      break;
    }
    c->ooo_bytes -= next->len;
    packet_free(next->p);
    g_array_remove_index(c->ooo, i);
  }
  tcp_in_sack_note(c, seq);
  TcpOooSeg s = {.seq = seq, .len = end - seq, .fin = fin, .p = seg->p};
  c->ooo_bytes += s.len;
  g_array_insert_val(c->ooo, i, s);
  seg->p = NULL;
}

/* Decides when to acknowledge in-order data (Linux-like delayed ACK):
 * at once for every second full segment, a gap filled or a FIN; else
 * after the delayed-ACK time. */
static void tcp_in_ack_policy(TcpConn *c, uint32_t len, gboolean now)
{
  if (len >= c->rcv_mss)
    c->unacked_segs++;
  if (now || c->unacked_segs >= 2 || c->cfg.delayed_ack == 0)
    tcp_send_ack(c);
  else
    tcp_timer_delack(c);
}

/* Takes the payload (and FIN) of an acceptable segment in a state that
 * receives data: trims it to the window, appends it when in order, else
 * queues it and acknowledges at once (a duplicate ACK). */
static void tcp_in_data(TcpConn *c, TcpSeg *seg, TcpInUpcalls *u)
{
  gboolean fin = (seg->flags & TCP_FIN) != 0, had_ooo = c->ooo->len > 0;
  uint32_t wnd = (uint32_t)tcp_buf_space(&c->rcvbuf), len;

  if (seg->len == 0 && !fin)
    return;
  if (SEQ_LT(seg->seq, c->rcv_nxt)) {
    uint32_t d = MIN(c->rcv_nxt - seg->seq, seg->len);
    packet_pull(seg->p, d);
    seg->seq += d;
    seg->len -= d;
  }
  if (SEQ_GT(seg->seq + seg->len, c->rcv_nxt + wnd)) {
    seg->len = SEQ_GT(c->rcv_nxt + wnd, seg->seq) ? c->rcv_nxt + wnd - seg->seq : 0;
    packet_trim(seg->p, seg->len);
    fin = FALSE;
  }
  if (seg->seq != c->rcv_nxt) {
    if (seg->len || fin)
      tcp_in_ooo_insert(c, seg, fin);
    tcp_send_ack(c);
    return;
  }
  len = seg->len;
  tcp_in_append(c, seg->p, len, u);
  if (fin)
    tcp_in_fin(c, u);
  if (had_ooo)
    tcp_in_ooo_drain(c, u);
  if (!c->rcv_fin)
    tcp_in_ack_policy(c, len, had_ooo);
}

/* ---- state changes at FIN and ACK of our FIN -------------------------- */

/* Enters TIME_WAIT for 2 MSL (RFC 9293 3.10.7.4); the owner hears an
 * orderly close. */
static void tcp_in_time_wait(TcpConn *c, TcpInUpcalls *u)
{
  u->closed = TRUE;
  tcp_conn_set_state(c, TCP_TIME_WAIT);
  tcp_timer_stop(c, TCP_TIMER_RTX);
  tcp_timer_stop(c, TCP_TIMER_DELACK);
  c->rtx_mode = TCP_RTX_IDLE;
  tcp_timer_set(c, TCP_TIMER_WAIT, tcp_now(c) + 2 * c->cfg.msl);
}

/* The peer's FIN arrived in order: acknowledged at once; the state
 * moves on (RFC 9293 3.10.7.4, eighth check). */
static void tcp_in_fin(TcpConn *c, TcpInUpcalls *u)
{
  gboolean our_fin_acked = c->fin_sent && c->snd_una == c->snd_max;

  c->rcv_nxt++;
  c->rcv_fin = TRUE;
  u->readable = TRUE;
  tcp_send_ack(c);
  if (c->state == TCP_ESTABLISHED)
    tcp_conn_set_state(c, TCP_CLOSE_WAIT);
  else if (c->state == TCP_FIN_WAIT_1 && !our_fin_acked)
    tcp_conn_set_state(c, TCP_CLOSING);
  else if (c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2)
    tcp_in_time_wait(c, u);
}

/* After the ACK field was processed: our FIN acknowledged moves
 * FIN_WAIT_1, CLOSING and LAST_ACK on. Returns FALSE when the connection
 * ended (LAST_ACK). */
static gboolean tcp_in_fin_acked(TcpConn *c, TcpInUpcalls *u)
{
  if (!c->fin_sent || c->snd_una != c->snd_max)
    return TRUE;
  switch (c->state) {
  case TCP_FIN_WAIT_1:
    tcp_conn_set_state(c, TCP_FIN_WAIT_2);
    if (c->released) /* orphaned: Linux's tcp_fin_timeout */
      tcp_timer_set(c, TCP_TIMER_WAIT, tcp_now(c) + 2 * c->cfg.msl);
    return TRUE;
  case TCP_CLOSING:
    tcp_in_time_wait(c, u);
    return TRUE;
  case TCP_LAST_ACK:
    tcp_conn_finish(c, 0);
    return FALSE;
  default:
    return TRUE;
  }
}

/* ---- synchronized states ---------------------------------------------- */

/* RFC 9293 3.10.7.4 first check: is the segment's sequence range in the
 * receive window? */
static gboolean tcp_in_acceptable(const TcpConn *c, const TcpSeg *seg)
{
  uint32_t wnd = (uint32_t)tcp_buf_space(&c->rcvbuf);
  uint32_t len = seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
  uint32_t nxt = c->rcv_nxt;

  if (len == 0)
    return wnd == 0 ? seg->seq == nxt : SEQ_GEQ(seg->seq, nxt) && SEQ_LT(seg->seq, nxt + wnd);
  if (wnd == 0)
    return FALSE;
  return (SEQ_GEQ(seg->seq, nxt) && SEQ_LT(seg->seq, nxt + wnd)) ||
         (SEQ_GEQ(seg->seq + len - 1, nxt) && SEQ_LT(seg->seq + len - 1, nxt + wnd));
}

/* PAWS (RFC 7323 5): a segment whose timestamp is older than ts_recent
 * is an old duplicate. ts_recent older than half the timestamp clock's
 * wrap (about 35 minutes at 1 us per tick) is no longer trusted. */
static gboolean tcp_in_paws_reject(const TcpConn *c, const TcpSeg *seg)
{
  if (!c->ts_ok || !seg->opts.has_ts || (seg->flags & TCP_RST))
    return FALSE;
  if (tcp_now(c) - c->ts_recent_at > SIMTIME_S(2100))
    return FALSE;
  return SEQ_LT(seg->opts.tsval, c->ts_recent);
}

/* Remembers the peer's timestamp (RFC 7323 4.3: when the segment covers
 * the last ACK we sent). */
static void tcp_in_ts_recent(TcpConn *c, const TcpSeg *seg)
{
  if (c->ts_ok && seg->opts.has_ts && SEQ_LEQ(seg->seq, c->last_ack_sent) && SEQ_GEQ(seg->opts.tsval, c->ts_recent)) {
    c->ts_recent = seg->opts.tsval;
    c->ts_recent_at = tcp_now(c);
  }
}

/* A RST in a synchronized state (RFC 5961 3.2): exactly at rcv_nxt it
 * resets the connection; elsewhere in the window it gets a challenge ACK. */
static void tcp_in_rst(TcpConn *c, TcpSeg *seg)
{
  if (seg->seq != c->rcv_nxt) {
    tcp_in_oow_ack(c, seg);
    tcp_in_drop(c->node, seg, DROP_TCP_RST);
    return;
  }
  tcp_in_done(seg);
  if (c->state == TCP_CLOSING || c->state == TCP_LAST_ACK || c->state == TCP_TIME_WAIT)
    tcp_conn_finish(c, 0);
  else if (c->state == TCP_SYN_RECEIVED && !c->listener) /* simultaneous open */
    tcp_conn_finish(c, -ECONNREFUSED);
  else
    tcp_conn_finish(c, -ECONNRESET);
}

/* A simultaneous open's SYN-ACK arriving in SYN_RECEIVED: taken as the
 * ACK of our SYN (as Linux), the SYN bit dropped. */
static gboolean tcp_in_simultaneous_synack(TcpConn *c, TcpSeg *seg)
{
  if (c->state != TCP_SYN_RECEIVED || (seg->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK) ||
      seg->seq + 1 != c->rcv_nxt || seg->ack != c->snd_nxt)
    return FALSE;
  seg->flags &= (uint8_t)~TCP_SYN;
  seg->seq++;
  return TRUE;
}

/* The first checks of a synchronized state: PAWS, sequence, RST, SYN.
 * Returns FALSE when the segment was consumed. */
static gboolean tcp_in_sync_checks(TcpConn *c, TcpSeg *seg)
{
  if (c->state == TCP_SYN_RECEIVED && (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && seg->seq == c->irs) {
    tcp_retransmit_first(c, "syn"); /* the peer's SYN again: our SYN-ACK was lost */
    tcp_in_done(seg);
    return FALSE;
  }
  tcp_in_simultaneous_synack(c, seg);
  if (tcp_in_paws_reject(c, seg) || !tcp_in_acceptable(c, seg)) {
    if (!(seg->flags & TCP_RST))
      tcp_in_oow_ack(c, seg);
    if (c->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN))
      tcp_timer_set(c, TCP_TIMER_WAIT, tcp_now(c) + 2 * c->cfg.msl);
    tcp_in_drop(c->node, seg, DROP_TCP_OUT_OF_WINDOW);
    return FALSE;
  }
  if (seg->flags & TCP_RST) {
    tcp_in_rst(c, seg);
    return FALSE;
  }
  if (seg->flags & TCP_SYN) { /* RFC 5961 4.2: challenge ACK */
    tcp_in_oow_ack(c, seg);
    tcp_in_drop(c->node, seg, DROP_TCP_OUT_OF_WINDOW);
    return FALSE;
  }
  if (!(seg->flags & TCP_ACK)) {
    tcp_in_drop(c->node, seg, DROP_TCP_BAD_ACK);
    return FALSE;
  }
  return TRUE;
}

/* SYN_RECEIVED: an acceptable ACK of our SYN completes the handshake;
 * any other ACK gets a RST (RFC 9293 3.10.7.4, fifth check). */
static gboolean tcp_in_syn_received_ack(TcpConn *c, TcpSeg *seg, TcpInUpcalls *u)
{
  if (!SEQ_GT(seg->ack, c->snd_una) || SEQ_GT(seg->ack, c->snd_max)) {
    TcpSeg copy = *seg;
    tcp_send_rst_for(c->node, &copy, (const TcpHeader *)(packet_data(seg->p) - seg->hlen));
    tcp_in_drop(c->node, seg, DROP_TCP_BAD_ACK);
    return FALSE;
  }
  c->snd_wl1 = seg->seq - 1; /* take this segment's window */
  u->connected = TRUE;
  tcp_conn_established(c);
  return TRUE;
}

/* Tells the owner what the segment brought, last. */
static void tcp_in_upcalls(TcpConn *c, const TcpInUpcalls *u)
{
  if (u->connected)
    tcp_conn_announce(c);
  if (u->readable && c->up && c->up->readable)
    c->up->readable(c->owner);
  if (u->writable && c->up && c->up->writable)
    c->up->writable(c->owner);
  if (u->closed)
    tcp_conn_report_closed(c, 0);
}

/* New data for a connection its owner closed (FIN_WAIT_1 or 2, nobody
 * to read it): RST, and the connection ends (RFC 1122 4.2.2.13; Linux's
 * tcp_rcv_state_process). Returns TRUE when seg was consumed. */
static gboolean tcp_in_data_after_close(TcpConn *c, TcpSeg *seg)
{
  if (!c->released || (c->state != TCP_FIN_WAIT_1 && c->state != TCP_FIN_WAIT_2) || seg->len == 0 ||
      !SEQ_GT(seg->seq + seg->len, c->rcv_nxt))
    return FALSE;
  tcp_conn_note(c, "data after close: reset");
  tcp_send_ctl(c, TCP_RST | TCP_ACK, c->snd_nxt);
  tcp_in_drop(c->node, seg, DROP_TCP_NO_SOCKET);
  tcp_conn_finish(c, -ECONNRESET);
  return TRUE;
}

/* Handles a segment for a connection in SYN_RECEIVED or a later state. */
static void tcp_in_synchronized(TcpConn *c, TcpSeg *seg)
{
  TcpInUpcalls u = {0};
  gboolean receives;

  if (!tcp_in_sync_checks(c, seg))
    return;
  tcp_in_ts_recent(c, seg);
  if (c->state == TCP_SYN_RECEIVED && !tcp_in_syn_received_ack(c, seg, &u))
    return;
  if (!tcp_in_ack(c, seg, &u)) {
    tcp_in_drop(c->node, seg, DROP_TCP_BAD_ACK);
    return;
  }
  if (!tcp_in_fin_acked(c, &u)) {
    tcp_in_done(seg);
    return;
  }
  if (tcp_in_data_after_close(c, seg))
    return;
  receives = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2 ||
             c->state == TCP_SYN_RECEIVED;
  if (receives && !c->rcv_fin)
    tcp_in_data(c, seg, &u);
  tcp_in_done(seg);
  tcp_output(c);
  tcp_conn_series(c);
  tcp_in_upcalls(c, &u);
}

/* ---- SYN_SENT and LISTEN ---------------------------------------------- */

/* SYN_SENT, before the SYN (RFC 9293 3.10.7.3): an unacceptable ACK
 * gets a RST, an acceptable RST refuses the connection, a segment
 * without SYN is dropped. Returns FALSE when seg was consumed. */
static gboolean tcp_in_syn_sent_checks(TcpConn *c, TcpSeg *seg)
{
  gboolean ack = (seg->flags & TCP_ACK) != 0;

  if (ack && (SEQ_LEQ(seg->ack, c->iss) || SEQ_GT(seg->ack, c->snd_max))) {
    tcp_send_rst_for(c->node, seg, (const TcpHeader *)(packet_data(seg->p) - seg->hlen));
    tcp_in_drop(c->node, seg, DROP_TCP_BAD_ACK);
    return FALSE;
  }
  if ((seg->flags & TCP_RST) && ack) {
    tcp_in_done(seg);
    tcp_conn_finish(c, -ECONNREFUSED);
    return FALSE;
  }
  if (seg->flags & TCP_RST) {
    tcp_in_drop(c->node, seg, DROP_TCP_RST);
    return FALSE;
  }
  if (!(seg->flags & TCP_SYN)) {
    tcp_in_drop(c->node, seg, DROP_TCP_BAD_ACK);
    return FALSE;
  }
  return TRUE;
}

/* Takes the peer's SYN: its sequence number, options and window. */
static void tcp_in_take_syn(TcpConn *c, const TcpSeg *seg)
{
  c->irs = seg->seq;
  c->rcv_nxt = c->rcv_adv = seg->seq + 1;
  tcp_in_negotiate(c, seg);
  c->snd_wnd = c->max_snd_wnd = seg->wnd; /* never scaled on a SYN */
  c->snd_wl1 = seg->seq;
  c->snd_wl2 = seg->ack;
}

/* SYN_SENT (RFC 9293 3.10.7.3): a SYN-ACK completes the handshake; a
 * bare SYN is a simultaneous open (SYN_RECEIVED, SYN-ACK). */
static void tcp_in_syn_sent(TcpConn *c, TcpSeg *seg)
{
  SimTime rtt;

  if (!tcp_in_syn_sent_checks(c, seg))
    return;
  tcp_in_take_syn(c, seg);
  if (!(seg->flags & TCP_ACK)) {
    tcp_conn_set_state(c, TCP_SYN_RECEIVED);
    tcp_send_syn(c, FALSE);
    tcp_in_done(seg);
    return;
  }
  rtt = tcp_in_rtt(c, seg);
  if (rtt >= 0)
    tcp_timer_rtt_sample(c, rtt);
  c->snd_una = seg->ack;
  tcp_timer_rtx_update(c);
  tcp_in_done(seg);
  tcp_conn_established(c);
  tcp_send_ack(c);
  tcp_conn_announce(c);
  tcp_output(c);
  tcp_conn_series(c);
}

/* Makes the child of listener l for the SYN seg, in SYN_RECEIVED, and
 * sends the SYN-ACK. */
static void tcp_in_child_new(TcpConn *l, TcpSeg *seg, const TcpHeader *h)
{
  TcpConn *c = tcp_conn_new(l->stack, &l->cfg, TCP_LISTEN);

  c->laddr = seg->ip->dst, c->lport = l->lport, c->raddr = seg->ip->src, c->rport = g_ntohs(h->sport);
  c->listener = l;
  c->up = l->up;
  c->owner = l->owner;
  c->track = l->track;
  tcp_conn_port_ref(l->stack, c->lport);
  tcp_conn_setup_buffers(c);
  c->iss = tcp_conn_new_isn(l->stack);
  c->snd_una = c->snd_nxt = c->snd_max = c->iss;
  c->buf_seq = c->iss + 1;
  tcp_in_take_syn(c, seg);
  tcp_conn_table_add(c);
  g_ptr_array_add(l->children, c);
  tcp_in_account(c, seg);
  tcp_in_done(seg);
  tcp_conn_set_state(c, TCP_SYN_RECEIVED);
  tcp_send_syn(c, FALSE);
}

/* LISTEN: a SYN makes a child in SYN_RECEIVED that answers with a
 * SYN-ACK (unless the backlog is full); an ACK gets a RST; anything else
 * is dropped. */
static void tcp_in_listen(TcpConn *l, TcpSeg *seg, const TcpHeader *h)
{
  if (seg->flags & TCP_RST) {
    tcp_in_drop(l->node, seg, DROP_TCP_RST);
  } else if (seg->flags & TCP_ACK) {
    tcp_send_rst_for(l->node, seg, h);
    tcp_in_drop(l->node, seg, DROP_TCP_BAD_ACK);
  } else if (!(seg->flags & TCP_SYN)) {
    tcp_in_drop(l->node, seg, DROP_TCP_BAD_ACK);
  } else if ((int)l->children->len >= l->backlog) {
    tcp_in_drop(l->node, seg, DROP_TCP_SYN_QUEUE_FULL);
  } else {
    tcp_in_child_new(l, seg, h);
  }
}

/* ---- entry points ----------------------------------------------------- */

/* Traces the delivery of a segment (at its TCP header) to TCP. */
static void tcp_in_trace(Node *node, Packet *p, const Ipv4Meta *meta)
{
  if (!trace_wants(node->ctx->trace, TRACE_TRANSPORT))
    return;
  trace_packet(node->ctx->trace, TRACE_TRANSPORT, sim_now(node->ctx), node, meta->in, TRACE_DELIVER, TRACE_FROM_IPV4, p,
               NULL);
}

/* Takes a segment (at the TCP header) delivered to the node: checks it
 * (DROP_BAD_TCP), finds its connection or listener (else a RST and
 * DROP_TCP_NO_SOCKET) and runs the handler of the connection's state. */
void tcp_input(Node *node, Packet *p, const Ipv4Meta *meta)
{
  TcpSeg seg;
  TcpHeader hdr;
  TcpConn *c;

  if (!node->tcp || !tcp_in_check(p, meta, &seg)) {
    node_drop(node, meta->in, p, DROP_BAD_TCP, TRACE_TRANSPORT, TRACE_FROM_IPV4);
    return;
  }
  memcpy(&hdr, packet_data(p), TCP_HEADER_LEN);
  c = tcp_conn_lookup(node->tcp, meta->dst, g_ntohs(hdr.dport), meta->src, g_ntohs(hdr.sport));
  if (!c)
    c = tcp_conn_find_listener(node->tcp, meta->dst, g_ntohs(hdr.dport));
  if (!c) {
    packet_pull(p, seg.hlen);
    tcp_send_rst_for(node, &seg, &hdr);
    tcp_in_drop(node, &seg, DROP_TCP_NO_SOCKET);
    return;
  }
  tcp_in_trace(node, p, meta);
  packet_pull(p, seg.hlen);
  if (c->state == TCP_LISTEN) {
    tcp_in_listen(c, &seg, &hdr);
    return;
  }
  tcp_in_account(c, &seg);
  if (c->state == TCP_SYN_SENT)
    tcp_in_syn_sent(c, &seg);
  else
    tcp_in_synchronized(c, &seg);
}

/* Takes an ICMP error quoting a segment we sent: destination unreachable
 * fails a connection still in the handshake (as Linux); fragmentation
 * needed lowers the MSS (RFC 1191); the rest are soft errors, ignored. */
void tcp_error(Node *node, const IcmpMessage *msg, const uint8_t *quoted, size_t len)
{
  const TcpHeader *h = (const TcpHeader *)quoted;
  TcpConn *c;

  if (len < 8 || !node->tcp || !msg->ip)
    return;
  c = tcp_conn_lookup(node->tcp, msg->ip->dst, g_ntohs(h->sport), msg->quoted_dst, g_ntohs(h->dport));
  if (!c || msg->type != ICMP_UNREACH)
    return;
  if (msg->code == ICMP_UNREACH_NEEDFRAG && msg->mtu > 88) {
    uint32_t mss = msg->mtu - 40u - (c->ts_ok ? TCP_OPTLEN_TS_ALIGNED : 0);
    if (mss < c->mss) {
      c->mss = mss;
      tcp_retransmit_first(c, "timeout");
    }
    return;
  }
  if (c->state == TCP_SYN_SENT)
    tcp_conn_finish(c, msg->code == ICMP_UNREACH_PORT ? -ECONNREFUSED : -EHOSTUNREACH);
}
