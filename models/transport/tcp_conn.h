/*
 * TCP internals shared by tcp_*.c: the connection block (RFC 9293 3.3.1
 * variables plus RFC 6298, RFC 5681/6582 and RFC 7323 state), the
 * per-node stack (demultiplexing tables), and the functions the files
 * call in one another. Not for use outside models/transport/tcp_*.c
 * (and the TCP tests).
 *
 * Files: tcp_conn.c (stack, connection life, the owner's calls,
 * states, series), tcp_in.c (input: checks, demux, per-state handlers),
 * tcp_out.c (segments out: data, ACK, RST, retransmissions), tcp_timer.c
 * (RTO, persist, delayed ACK, TIME_WAIT; the RTT estimator),
 * tcp_options.c (options), tcp_buf.c (byte rings), tcp_cc*.c
 * (congestion control).
 */
#ifndef IPSIM_TCP_CONN_H
#define IPSIM_TCP_CONN_H

#include "models/observe/flow.h"
#include "models/core/node.h"
#include "models/transport/tcp.h"
#include "models/transport/tcp_buf.h"
#include "models/transport/tcp_cc.h"
#include "models/transport/tcp_wire.h"
#include "sim/kernel/rng.h"
#include "sim/kernel/scheduler.h"

/* TCP_TIMER_WINDOW: a window update at the end of the instant the owner
 * read in (one update for all its reads). */
typedef enum { TCP_TIMER_RTX, TCP_TIMER_DELACK, TCP_TIMER_WAIT, TCP_TIMER_WINDOW, TCP_TIMER_COUNT } TcpTimerKind;

/* One scheduler event per kind at most: `deadline` is when the timer is
 * due (0: off); `at` when the pending event `ev` fires. Moving the
 * deadline later costs nothing: the event re-schedules itself. */
typedef struct {
  EventId ev;
  SimTime at;
  SimTime deadline;
} TcpTimer;

/* What the retransmission timer is doing. */
typedef enum { TCP_RTX_IDLE, TCP_RTX_RETRANSMIT, TCP_RTX_PERSIST } TcpRtxMode;

/* A segment held out of order: its first sequence number, payload length
 * and the packet, pulled to the payload. */
typedef struct {
  uint32_t seq, len;
  gboolean fin;
  Packet *p;
} TcpOooSeg;

/* A range of sequence numbers [start, end). */
typedef struct {
  uint32_t start, end;
} TcpRange;

#define TCP_MAX_SACK 4 /* blocks in one SACK option (RFC 2018 3) */

/* Options parsed from one segment. */
typedef struct {
  gboolean has_mss, has_ws, has_ts, has_sack_perm, bad;
  uint16_t mss;
  uint8_t ws;
  uint32_t tsval, tsecr;
  int nsack;
  TcpRange sack[TCP_MAX_SACK];
} TcpOpts;

/* A segment on input, after the checks: host byte order. */
typedef struct {
  uint32_t seq, ack, len; /* len: payload bytes */
  uint32_t wnd;           /* raw window field */
  uint8_t flags;
  uint8_t hlen; /* TCP header bytes */
  TcpOpts opts;
  Packet *p; /* at the payload */
  const Ipv4Meta *ip;
} TcpSeg;

struct TcpConn {
  TcpStack *stack;
  Node *node;
  TcpState state;
  TcpConfig cfg;
  const TcpCcOps *cc;
  const TcpUpcalls *up; /* NULL once the owner closed */
  void *owner;
  guint *track;        /* tcp_track_states() */
  TcpConn *listener;   /* a child not yet accepted: its listener */
  GPtrArray *children; /* listeners: children in SYN_RECEIVED (not accepted) */
  int backlog;
  uint32_t laddr, raddr;
  uint16_t lport, rport;
  gboolean in_table, released, reaped, closed_reported, shut_wr, fin_sent;
  gboolean rcv_fin;       /* the peer's FIN was received in order */
  int err;                /* the connection's error, reported by tcp_send/recv */
  gboolean want_writable; /* tcp_send() took less than asked */

  /* Send side (RFC 9293 3.3.1). snd_max is the highest sequence sent:
   * after a timeout snd_nxt goes back to snd_una (go-back-N). */
  uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
  uint32_t snd_wnd, max_snd_wnd; /* bytes, scaled */
  uint32_t buf_seq;              /* sequence number of sndbuf's first byte */
  TcpBuf sndbuf;
  uint8_t snd_ws, rcv_ws; /* shifts: the peer's, ours */
  gboolean ws_ok, ts_ok, sack_ok;
  uint32_t mss;     /* payload bytes per full segment we send */
  uint32_t rcv_mss; /* the peer's full segment as we see it */
  uint16_t adv_mss; /* the MSS option we send */

  /* Receive side. */
  uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge of the window announced */
  TcpBuf rcvbuf;
  GArray *ooo; /* of TcpOooSeg, by sequence */
  uint32_t ooo_bytes;
  uint32_t ts_recent, last_ack_sent;
  SimTime ts_recent_at;
  int unacked_segs; /* full segments received since our last ACK */
  /* SACK receiver (RFC 2018 4): a sequence number in each out-of-order
   * block reported lately, the most recent first. */
  uint32_t sack_recent[TCP_MAX_SACK];
  int n_sack_recent;
  SimTime oow_ack_at; /* last ACK sent for an out-of-window segment */

  /* RTT and RTO (RFC 6298). */
  SimTime srtt, rttvar, rto;
  uint32_t rtt_seq; /* without timestamps: the segment timed, Karn */
  SimTime rtt_start;
  gboolean rtt_timing;
  int backoff; /* RTO doublings since the last RTT sample */
  int probes;  /* zero-window probes not answered */
  TcpRtxMode rtx_mode;
  SimTime persist_interval;

  /* Congestion control (RFC 5681, RFC 6582). */
  uint32_t cwnd, ssthresh, recover;
  SimTime last_send; /* when data was last sent (restart after idle) */
  int dupacks;
  gboolean in_recovery, recover_valid;
  /* Spurious RTO detection (Eifel, RFC 3522): the TSval of the first
   * retransmission after a timeout, and the window before it. */
  gboolean undo_armed;
  uint32_t undo_tsval, undo_cwnd, undo_ssthresh;
  uint64_t cc_priv[4];
  /* SACK sender (RFC 6675): the scoreboard (TcpRange, by sequence, above
   * snd_una) and HighRxt. */
  GArray *sacked;
  uint32_t high_rxt;
  gboolean syn_retransmitted; /* RFC 5681 3.1: initial window 1 segment */

  TcpTimer timers[TCP_TIMER_COUNT];
  TcpStats stats;
  Flow *tx_flow, *rx_flow;
  uint32_t series_last[5];  /* cwnd, ssthresh, in_flight at the last tcp.csv row */
  SimTime series_last_t[2]; /* srtt, rto */
  gboolean series_written;
};

typedef struct {
  uint32_t laddr, raddr;
  uint16_t lport, rport;
} TcpKey;

struct TcpStack {
  Node *node;
  GHashTable *conns;    /* TcpKey* -> TcpConn*, synchronized and handshaking */
  GPtrArray *listeners; /* of TcpConn* */
  GPtrArray *all;       /* every connection not yet freed, for tcp_stack_free() */
  GHashTable *ports;    /* local port -> users (listeners and connections) */
  GPtrArray *reap;      /* released connections waiting to be freed */
  EventId reap_ev;
  Rng isn_rng;
  uint16_t next_port;
  TcpConfig defaults; /* what a socket of this node starts with */
  gboolean force_isn;
  uint32_t forced_isn;
};

/* tcp_conn.c */
TcpConn *tcp_conn_new(TcpStack *stack, const TcpConfig *cfg, TcpState state);
void tcp_conn_set_state(TcpConn *c, TcpState state);
void tcp_conn_table_add(TcpConn *c);
void tcp_conn_table_remove(TcpConn *c);
TcpConn *tcp_conn_lookup(TcpStack *stack, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport);
TcpConn *tcp_conn_find_listener(TcpStack *stack, uint32_t laddr, uint16_t lport);
void tcp_conn_finish(TcpConn *c, int err);
void tcp_conn_report_closed(TcpConn *c, int err);
void tcp_conn_established(TcpConn *c);
void tcp_conn_announce(TcpConn *c);
uint32_t tcp_conn_new_isn(TcpStack *stack);
void tcp_conn_setup_buffers(TcpConn *c);
void tcp_conn_set_adv_mss(TcpConn *c);
void tcp_conn_port_ref(TcpStack *stack, uint16_t port);
void tcp_conn_series(TcpConn *c);
void tcp_conn_note(TcpConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
gboolean tcp_conn_window_update_due(TcpConn *c);
/* Test only: the next connection created on `node` gets `isn`. */
void tcp_conn_set_isn_for_test(Node *node, uint32_t isn);

static inline uint32_t tcp_in_flight(const TcpConn *c)
{
  return c->snd_nxt - c->snd_una;
}

/* tcp_options.c */
void tcp_options_parse(const uint8_t *opt, size_t len, gboolean syn, TcpOpts *out);
size_t tcp_options_write_syn(const TcpConn *c, uint8_t *out, gboolean synack);
size_t tcp_options_write(const TcpConn *c, uint8_t *out, const TcpRange *sack, int nsack);
size_t tcp_options_len(const TcpConn *c, gboolean syn, gboolean synack, int nsack);
int tcp_options_sack_blocks(const TcpConn *c, TcpRange *out, uint32_t room);
uint32_t tcp_ts_now(const TcpConn *c);

/* tcp_out.c */
void tcp_output(TcpConn *c);
void tcp_send_syn(TcpConn *c, gboolean retransmit);
void tcp_send_ack(TcpConn *c);
void tcp_send_ctl(TcpConn *c, uint8_t flags, uint32_t seq);
void tcp_send_rst_for(Node *node, const TcpSeg *seg, const TcpHeader *h);
uint32_t tcp_retransmit_first(TcpConn *c, const char *why);
gboolean tcp_send_probe(TcpConn *c);
uint16_t tcp_out_window(TcpConn *c);
uint32_t tcp_effective_mss(const TcpConn *c);

/* tcp_sack (in tcp_in.c and tcp_out.c): the scoreboard and RFC 6675
 * recovery. */
void tcp_sack_update(TcpConn *c, const TcpOpts *o);
gboolean tcp_sack_is_lost(const TcpConn *c, uint32_t seq);
uint32_t tcp_sack_pipe(const TcpConn *c);
gboolean tcp_sack_next(const TcpConn *c, uint32_t seq, TcpRange *r);
void tcp_sack_output(TcpConn *c);

/* tcp_timer.c */
void tcp_timer_set(TcpConn *c, TcpTimerKind kind, SimTime deadline);
void tcp_timer_stop(TcpConn *c, TcpTimerKind kind);
void tcp_timer_cancel_all(TcpConn *c);
void tcp_timer_rtx_restart(TcpConn *c);
void tcp_timer_rtx_update(TcpConn *c);
void tcp_timer_rtt_sample(TcpConn *c, SimTime rtt);
void tcp_timer_persist_start(TcpConn *c);
void tcp_timer_delack(TcpConn *c);

static inline SimTime tcp_now(const TcpConn *c)
{
  return sim_now(c->node->ctx);
}

#endif
