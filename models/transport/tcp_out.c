/*
 * TCP output (RFC 9293 3.8.6, 3.10.4; RFC 5681; RFC 1122 4.2.3.4 Nagle):
 * building segments from the send buffer into pooled packets (header,
 * options, checksum over the pseudo-header), the send loop bounded by
 * the congestion and peer windows with Nagle and sender SWS avoidance,
 * ACKs, RSTs, SYNs, retransmissions and zero-window probes.
 *
 * Entry points: tcp_output() (send what the windows allow; in SACK
 * recovery tcp_sack_output(), RFC 6675 NextSeg); tcp_send_syn();
 * tcp_send_ack(); tcp_send_ctl(); tcp_send_rst_for() (no connection);
 * tcp_retransmit_first(); tcp_send_probe(); tcp_out_window(). ACKs carry
 * the receiver's SACK blocks (tcp_options.c) when they fit; data already
 * SACKed is never sent again.
 *
 * Every segment goes to ipv4_output() with DF set (as Linux, path MTU
 * discovery), counted in the connection's flow; each segment sent again
 * is noted once in the trace ("retransmit seq S len L (why)", S relative
 * to the ISN: the seq the trace's segment lines show, models/observe/
 * trace_tcp.c, except for a SYN, whose line shows the absolute ISN).
 */
#include "models/transport/tcp_conn.h"

#include "models/internet/checksum.h"
#include "models/internet/ipv4_wire.h"
#include "models/core/node.h"

/* The window field we send: free receive buffer, scaled, never moving the
 * right edge back, and moving it on only by at least min(rcvbuf / 2, MSS)
 * (receiver SWS avoidance, RFC 9293 3.8.6.2.2); updates rcv_adv. */
uint16_t tcp_out_window(TcpConn *c)
{
  uint32_t free_bytes = (uint32_t)tcp_buf_space(&c->rcvbuf), field;
  uint32_t old = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

  if (free_bytes < old + MIN(c->cfg.rcvbuf / 2, c->rcv_mss))
    free_bytes = old;
  field = MIN(free_bytes >> c->rcv_ws, 65535u);
  if (SEQ_GT(c->rcv_nxt + (field << c->rcv_ws), c->rcv_adv))
    c->rcv_adv = c->rcv_nxt + (field << c->rcv_ws);
  return (uint16_t)field;
}

/* Fills the header at h for a segment of c. */
static void tcp_out_header(TcpConn *c, TcpHeader *h, uint32_t seq, uint8_t flags, size_t optlen)
{
  h->sport = g_htons(c->lport);
  h->dport = g_htons(c->rport);
  h->seq = g_htonl(seq);
  h->ack = flags & TCP_ACK ? g_htonl(c->rcv_nxt) : 0;
  h->off = (uint8_t)(((TCP_HEADER_LEN + optlen) / 4) << 4);
  h->flags = flags;
  if (flags & TCP_SYN) { /* never scaled (RFC 7323 2.2) */
    uint32_t win = (uint32_t)MIN(tcp_buf_space(&c->rcvbuf), 65535u);
    h->win = g_htons((uint16_t)win);
    if (flags & TCP_ACK)
      c->rcv_adv = c->rcv_nxt + win;
  } else
    h->win = g_htons(tcp_out_window(c));
}

/* Counts p (at its TCP header, `len` payload bytes) in c's flow and stats,
 * then hands it to IPv4. */
static void tcp_out_send(TcpConn *c, Packet *p, uint32_t len)
{
  SimContext *ctx = c->node->ctx;
  TcpHeader *h = (TcpHeader *)packet_data(p);
  Ipv4SendOpts o = {.src = c->laddr, .dst = c->raddr, .proto = IPPROTO_TCP_NUM, .df = TRUE};

  h->checksum = inet_pseudo_checksum(g_htonl(c->laddr), g_htonl(c->raddr), IPPROTO_TCP_NUM, h, packet_len(p));
  if (c->tx_flow) {
    flow_sent_on(c->tx_flow, p, len, sim_now(ctx));
  } else {
    FlowKey key = {.src = c->laddr, .dst = c->raddr, .sport = c->lport, .dport = c->rport, .proto = IPPROTO_TCP_NUM};
    c->tx_flow = flow_sent(ctx->flows, &key, p, len, sim_now(ctx));
  }
  c->stats.segs_out++;
  c->stats.bytes_sent += len;
  if (len)
    c->last_send = sim_now(ctx);
  ipv4_output(c->node, p, &o);
}

/* Builds and sends one segment of c: `len` bytes of the send buffer from
 * `seq` on, with `flags`, marked as a retransmission when `again` (for the
 * trace: "#40 (retransmit)"; which earlier packet it repeats is not
 * kept). An ACK flag acknowledges everything received, so the delayed ACK
 * is off. */
static void tcp_out_segment(TcpConn *c, uint32_t seq, uint32_t len, uint8_t flags, gboolean again)
{
  gboolean syn = (flags & TCP_SYN) != 0;
  uint32_t tslen = c->ts_ok ? TCP_OPTLEN_TS_ALIGNED : 0, room = 40 - tslen;
  TcpRange sack[TCP_MAX_SACK];
  int nsack = 0;
  size_t optlen;
  Packet *p = packet_new(c->node->ctx->pool, len);
  TcpHeader *h;

  if (again)
    packet_derive(p, NULL, PACKET_ORIGIN_RETRANSMIT);

  if (len) /* SACK blocks only where the segment still fits the MSS */
    room = MIN(room, c->mss > len ? c->mss - len : 0);
  if ((flags & TCP_ACK) && !syn && !(flags & TCP_RST))
    nsack = tcp_options_sack_blocks(c, sack, room);
  optlen = tcp_options_len(c, syn, syn && (flags & TCP_ACK), nsack);

  if (len)
    tcp_buf_peek(&c->sndbuf, seq - c->buf_seq, packet_data(p), len);
  h = (TcpHeader *)packet_push(p, TCP_HEADER_LEN + optlen);
  tcp_out_header(c, h, seq, flags, optlen);
  if (syn)
    tcp_options_write_syn(c, (uint8_t *)(h + 1), (flags & TCP_ACK) != 0);
  else
    tcp_options_write(c, (uint8_t *)(h + 1), sack, nsack);
  if (flags & TCP_ACK) {
    c->last_ack_sent = c->rcv_nxt;
    c->unacked_segs = 0;
    tcp_timer_stop(c, TCP_TIMER_DELACK);
  }
  tcp_out_send(c, p, len);
}

/* Notes and counts a segment sent again. */
static void tcp_out_retransmitted(TcpConn *c, uint32_t seq, uint32_t len, const char *why)
{
  c->stats.retransmits++;
  if (c->tx_flow)
    flow_retransmitted(c->tx_flow);
  c->rtt_timing = FALSE; /* Karn */
  tcp_conn_note(c, "retransmit seq %u len %u (%s)", seq - c->iss, len, why);
}

/* Sends (or sends again) our SYN, or SYN-ACK in SYN_RECEIVED, and arms
 * the retransmission timer. */
void tcp_send_syn(TcpConn *c, gboolean retransmit)
{
  uint8_t flags = c->state == TCP_SYN_RECEIVED ? TCP_SYN | TCP_ACK : TCP_SYN;

  c->snd_nxt = c->snd_max = c->iss + 1;
  tcp_out_segment(c, c->iss, 0, flags, retransmit);
  if (retransmit) {
    c->syn_retransmitted = TRUE;
    tcp_out_retransmitted(c, c->iss, 0, "syn");
  } else if (!c->ts_ok) {
    c->rtt_timing = TRUE;
    c->rtt_seq = c->iss;
    c->rtt_start = tcp_now(c);
  }
  tcp_timer_rtx_restart(c);
}

void tcp_send_ack(TcpConn *c)
{
  tcp_out_segment(c, c->snd_nxt, 0, TCP_ACK, FALSE);
}

/* Sends a segment without data with `flags` and sequence number `seq`
 * (RST, or a bare ACK with an older sequence number). */
void tcp_send_ctl(TcpConn *c, uint8_t flags, uint32_t seq)
{
  tcp_out_segment(c, seq, 0, flags, FALSE);
}

/* The sequence number after the last byte of data queued. */
static inline uint32_t tcp_out_data_end(const TcpConn *c)
{
  return c->buf_seq + (uint32_t)tcp_buf_len(&c->sndbuf);
}

/* Is the FIN due right after a segment ending at `end`? */
static inline gboolean tcp_out_fin_at(const TcpConn *c, uint32_t end)
{
  return c->shut_wr && end == tcp_out_data_end(c) && c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT;
}

/* Decides how many bytes to send now at snd_nxt (0: wait), from what is
 * queued and what the windows allow, with Nagle and sender SWS avoidance
 * (RFC 1122 4.2.3.4). */
static uint32_t tcp_out_next_len(TcpConn *c, uint32_t avail, uint32_t usable)
{
  uint32_t len = MIN(MIN(avail, usable), c->mss);

  if (len == c->mss || len == 0)
    return len;
  if (len < avail) /* limited by the window */
    return len >= c->max_snd_wnd / 2 ? len : 0;
  if (c->cfg.nagle && tcp_in_flight(c) > 0 && !tcp_out_fin_at(c, c->snd_nxt + len))
    return 0;
  return len;
}

/* Sends one segment at snd_nxt (len bytes, FIN if due) and advances it. */
static void tcp_out_at_nxt(TcpConn *c, uint32_t len, gboolean fin)
{
  uint32_t seq = c->snd_nxt;
  gboolean again = SEQ_LT(seq, c->snd_max);
  uint8_t flags = TCP_ACK | (fin ? TCP_FIN : 0) | (len && seq + len == tcp_out_data_end(c) ? TCP_PSH : 0);

  tcp_out_segment(c, seq, len, flags, again);
  if (again)
    tcp_out_retransmitted(c, seq, len, "timeout");
  else if (len && !c->ts_ok && !c->rtt_timing) {
    c->rtt_timing = TRUE;
    c->rtt_seq = seq;
    c->rtt_start = tcp_now(c);
  }
  c->snd_nxt = seq + len + (fin ? 1 : 0);
  if (SEQ_GT(c->snd_nxt, c->snd_max))
    c->snd_max = c->snd_nxt;
  if (fin)
    c->fin_sent = TRUE;
  if (c->rtx_mode == TCP_RTX_IDLE)
    tcp_timer_rtx_restart(c);
}

/* The congestion window for sending now: cwnd, plus one segment per
 * duplicate ACK before fast retransmit (limited transmit, RFC 3042: new
 * data only). */
static uint32_t tcp_out_cwnd(const TcpConn *c)
{
  if (c->in_recovery || c->dupacks == 0 || c->dupacks >= 3 || c->snd_nxt != c->snd_max)
    return c->cwnd;
  return c->cwnd + (uint32_t)c->dupacks * c->mss;
}

/* Restarts from the initial window after an idle time longer than the RTO
 * (RFC 5681 4.1, as Linux's tcp_slow_start_after_idle). */
static void tcp_out_after_idle(TcpConn *c)
{
  uint32_t iw = (uint32_t)MIN((uint64_t)c->cfg.initial_cwnd * c->mss, 1u << 30);

  if (tcp_in_flight(c) == 0 && c->last_send && tcp_now(c) - c->last_send > c->rto && c->cwnd > iw)
    c->cwnd = iw;
}

/* Sends what the congestion and peer windows allow of the queued data
 * (and the FIN after it); starts the persist timer when the peer's window
 * holds everything back. */
void tcp_output(TcpConn *c)
{
  switch (c->state) {
  case TCP_ESTABLISHED:
  case TCP_CLOSE_WAIT:
  case TCP_FIN_WAIT_1:
  case TCP_CLOSING:
  case TCP_LAST_ACK:
    break;
  default:
    return;
  }
  if (c->rtx_mode == TCP_RTX_PERSIST)
    return;
  tcp_out_after_idle(c);
  if (c->in_recovery && c->sack_ok) {
    tcp_sack_output(c);
    return;
  }
  for (;;) {
    uint32_t end = tcp_out_data_end(c), win_end = c->snd_una + MIN(tcp_out_cwnd(c), c->snd_wnd);
    TcpRange r;
    if (SEQ_LT(c->snd_nxt, c->snd_max) && tcp_sack_next(c, c->snd_nxt, &r)) {
      if (SEQ_LEQ(r.start, c->snd_nxt)) {
        c->snd_nxt = r.end; /* after a timeout: SACKed data is not sent again */
        continue;
      }
      end = SEQ_MIN(end, r.start);
    }
    uint32_t avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
    uint32_t usable = SEQ_LT(c->snd_nxt, win_end) ? win_end - c->snd_nxt : 0;
    uint32_t len = tcp_out_next_len(c, avail, usable);
    gboolean fin = tcp_out_fin_at(c, c->snd_nxt + len) && SEQ_LEQ(c->snd_nxt, end);

    if (len == 0 && !fin) {
      if (avail && c->snd_wnd < MIN(avail, c->mss) && tcp_in_flight(c) == 0)
        tcp_timer_persist_start(c);
      break;
    }
    tcp_out_at_nxt(c, len, fin);
  }
  tcp_conn_series(c);
}

/* Sends again the segment at seq (up to an MSS, short of SACKed data,
 * with the FIN when it is due there), noted with `why`; returns the
 * sequence number after it (seq: nothing to send). */
static uint32_t tcp_out_resend(TcpConn *c, uint32_t seq, const char *why)
{
  uint32_t end = tcp_out_data_end(c), len;
  TcpRange r;
  gboolean fin;

  len = SEQ_LT(seq, end) ? MIN(end - seq, c->mss) : 0;
  len = MIN(len, c->snd_max - seq);
  if (tcp_sack_next(c, seq, &r) && SEQ_GT(r.start, seq))
    len = MIN(len, r.start - seq);
  fin = c->fin_sent && tcp_out_fin_at(c, seq + len) && SEQ_LT(seq + len, c->snd_max);
  if (len == 0 && !fin)
    return seq;
  tcp_out_segment(c, seq, len, TCP_ACK | (fin ? TCP_FIN : 0), TRUE);
  tcp_out_retransmitted(c, seq, len, why);
  return seq + len + fin;
}

/* Sends again the first unacknowledged segment (fast retransmit, NewReno
 * partial ACK, RTO) and notes it with `why`; the SYN in the handshake.
 * Returns the sequence number after what was sent. */
uint32_t tcp_retransmit_first(TcpConn *c, const char *why)
{
  uint32_t next;

  if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
    tcp_send_syn(c, TRUE);
    return c->snd_nxt;
  }
  next = tcp_out_resend(c, c->snd_una, why);
  if (SEQ_GT(next, c->snd_nxt))
    c->snd_nxt = next;
  return next;
}

/* Sends what RFC 6675's NextSeg gives while cwnd - pipe >= 1 SMSS (5,
 * step C): the first lost segment not yet sent again (rule 1), else new
 * data (rule 2). */
void tcp_sack_output(TcpConn *c)
{
  while (c->cwnd >= tcp_sack_pipe(c) + c->mss) {
    uint32_t seq = SEQ_MAX(c->high_rxt, c->snd_una);
    TcpRange r;
    if (tcp_sack_next(c, seq, &r) && SEQ_LEQ(r.start, seq))
      seq = r.end;
    if (tcp_sack_is_lost(c, seq)) {
      uint32_t next = tcp_out_resend(c, seq, "sack");
      if (next == seq)
        break;
      c->high_rxt = next;
      continue;
    }
    uint32_t end = tcp_out_data_end(c), win_end = c->snd_una + c->snd_wnd;
    uint32_t avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
    uint32_t usable = SEQ_LT(c->snd_nxt, win_end) ? win_end - c->snd_nxt : 0;
    uint32_t len = tcp_out_next_len(c, avail, usable);
    gboolean fin = tcp_out_fin_at(c, c->snd_nxt + len) && SEQ_LEQ(c->snd_nxt, end) && !c->fin_sent;
    if (c->snd_nxt != c->snd_max || (len == 0 && !fin))
      break;
    tcp_out_at_nxt(c, len, fin);
  }
  tcp_conn_series(c);
}

/* The persist timer expired. A window too small for sender SWS
 * avoidance is used anyway (RFC 1122 4.2.3.4, the override timeout) and
 * persist mode ends; a zero window gets a probe (RFC 9293 3.8.6.1): one
 * byte past it, sent again on each expiry while unacknowledged. Returns
 * TRUE when still probing. */
gboolean tcp_send_probe(TcpConn *c)
{
  uint32_t end = tcp_out_data_end(c), win_end = c->snd_una + c->snd_wnd;
  uint32_t usable = SEQ_LT(c->snd_nxt, win_end) ? win_end - c->snd_nxt : 0;

  if (usable && SEQ_LT(c->snd_nxt, end)) {
    uint32_t len = MIN(MIN(usable, end - c->snd_nxt), c->mss);
    c->rtx_mode = TCP_RTX_IDLE;
    tcp_out_at_nxt(c, len, tcp_out_fin_at(c, c->snd_nxt + len));
    return FALSE;
  }
  c->stats.zero_window_probes++;
  if (SEQ_LT(c->snd_una, c->snd_nxt)) {
    tcp_out_segment(c, c->snd_una, 1, TCP_ACK, TRUE);
    tcp_out_retransmitted(c, c->snd_una, 1, "probe");
    return TRUE;
  }
  if (SEQ_LT(c->snd_nxt, end)) {
    tcp_out_segment(c, c->snd_nxt, 1, TCP_ACK, FALSE);
    c->snd_nxt++;
    if (SEQ_GT(c->snd_nxt, c->snd_max))
      c->snd_max = c->snd_nxt;
  }
  return TRUE;
}

/* Answers a segment that belongs to no connection with a RST (RFC 9293
 * 3.10.7.1), unless it is a RST itself. seg->ip gives the addresses. */
void tcp_send_rst_for(Node *node, const TcpSeg *seg, const TcpHeader *in)
{
  SimContext *ctx = node->ctx;
  Packet *p;
  TcpHeader *h;
  uint32_t src = seg->ip->dst, dst = seg->ip->src;
  Ipv4SendOpts o = {.src = src, .dst = dst, .proto = IPPROTO_TCP_NUM, .df = TRUE};
  FlowKey key = {.src = src, .dst = dst, .sport = g_ntohs(in->dport), .dport = g_ntohs(in->sport), .proto = 6};

  if (seg->flags & TCP_RST)
    return;
  p = packet_new(ctx->pool, 0);
  h = (TcpHeader *)packet_push(p, TCP_HEADER_LEN);
  h->sport = in->dport;
  h->dport = in->sport;
  h->off = (TCP_HEADER_LEN / 4) << 4;
  if (seg->flags & TCP_ACK) {
    h->seq = g_htonl(seg->ack);
    h->flags = TCP_RST;
  } else {
    h->ack = g_htonl(seg->seq + seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN));
    h->flags = TCP_RST | TCP_ACK;
  }
  h->checksum = inet_pseudo_checksum(g_htonl(src), g_htonl(dst), IPPROTO_TCP_NUM, h, TCP_HEADER_LEN);
  flow_sent(ctx->flows, &key, p, 0, sim_now(ctx));
  ipv4_output(node, p, &o);
}
