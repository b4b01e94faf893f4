/*
 * TCP (RFC 9293): the interface the rest of ipsim sees. Connections are
 * created by the socket layer (models/transport/socket.c), which is the
 * only caller of tcp_connect(), tcp_listen(), tcp_send(), tcp_recv(),
 * tcp_shutdown() and tcp_close(); IPv4 hands segments to tcp_input() and
 * ICMP errors to tcp_error(). Internals (the connection block, input,
 * output, timers, congestion control) live in tcp_*.c, see
 * models/transport/README.md.
 *
 * Entry points, in call order: tcp_stack_new() (per host or router),
 * tcp_set_defaults() (what its sockets start with);
 * tcp_listen() or tcp_connect(); tcp_send(), tcp_recv(); tcp_shutdown();
 * tcp_close(); tcp_stack_free().
 *
 * Upcalls: TCP calls the owner through TcpUpcalls, from inside
 * tcp_input() or a timer. The owner may call any tcp_* function from an
 * upcall, tcp_close() included: TCP never frees a connection inside a
 * call that the owner made or inside an upcall; a closed connection lives
 * on (FIN_WAIT, TIME_WAIT) without an owner and is freed by TCP later.
 *
 * Errors are negative errno values (-ECONNREFUSED, -ECONNRESET,
 * -ETIMEDOUT, -EADDRINUSE, -EPIPE, -ENOTCONN, -EAGAIN), as BSD sockets.
 */
#ifndef IPSIM_TCP_H
#define IPSIM_TCP_H

#include <sys/types.h>

#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/transport/tcp_config.h"

typedef enum {
  TCP_CLOSED,
  TCP_LISTEN,
  TCP_SYN_SENT,
  TCP_SYN_RECEIVED,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT_1,
  TCP_FIN_WAIT_2,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_LAST_ACK,
  TCP_TIME_WAIT,
  TCP_STATE_COUNT
} TcpState;

typedef struct TcpConn TcpConn;
typedef struct TcpStack TcpStack;

typedef struct {
  /* An active open completed (SYN_SENT -> ESTABLISHED). */
  void (*connected)(void *owner, TcpConn *c);
  /* A listener: a new connection reached ESTABLISHED. The listener's owner
   * must adopt it with tcp_set_owner() (or tcp_close() it). */
  void (*accepted)(void *owner, TcpConn *child);
  /* New in-order data, or the peer's FIN (tcp_recv() then returns 0). */
  void (*readable)(void *owner);
  /* Room in the send buffer again after tcp_send() took less than asked. */
  void (*writable)(void *owner);
  /* The connection is over for the owner: err 0 when both sides closed
   * in order, else -ECONNREFUSED, -ECONNRESET, -ETIMEDOUT, -EHOSTUNREACH.
   * No upcall follows. */
  void (*closed)(void *owner, int err);
} TcpUpcalls;

/* What a connection did, for statistics and tests. */
typedef struct {
  uint64_t segs_out, segs_in;
  uint64_t bytes_sent;     /* payload bytes, retransmissions included */
  uint64_t bytes_acked;    /* payload bytes acknowledged by the peer */
  uint64_t bytes_received; /* payload bytes delivered in order to the receive buffer */
  uint64_t retransmits;    /* segments sent again */
  uint64_t timeouts;       /* RTO expiries */
  uint64_t fast_retransmits;
  uint64_t dupacks_in;
  uint64_t zero_window_probes;
} TcpStats;

/* What the congestion controller and RTT estimator see now (tcp.csv). */
typedef struct {
  uint32_t cwnd, ssthresh; /* bytes */
  SimTime srtt, rttvar, rto;
  uint32_t in_flight; /* bytes sent and not yet acknowledged */
  uint32_t mss;       /* effective sender MSS */
} TcpInfo;

TcpStack *tcp_stack_new(Node *node);
void tcp_stack_free(TcpStack *stack);
void tcp_set_defaults(Node *node, const TcpConfig *cfg);
const TcpConfig *tcp_defaults(const Node *node);

/* Is (addr, port) taken on the node by a listener or connection? addr 0
 * is the wildcard. For bind conflicts. */
gboolean tcp_port_in_use(const Node *node, uint32_t addr, uint16_t port);
/* A free ephemeral port (49152..65535) for a connection to dst:dport, or 0. */
uint16_t tcp_ephemeral_port(const Node *node, uint32_t dst, uint16_t dport);

/* Passive open on addr:port (addr 0: any of the node's addresses); at
 * most `backlog` connections wait in SYN_RECEIVED. Returns the listener,
 * or NULL with *err = -EADDRINUSE. */
TcpConn *tcp_listen(Node *node, uint32_t addr, uint16_t port, int backlog, const TcpConfig *cfg, const TcpUpcalls *up,
                    void *owner, int *err);
/* Active open from src:sport (src 0: the egress interface's address; sport
 * 0: an ephemeral port) to dst:dport: sends the SYN. Returns the
 * connection in SYN_SENT, or NULL with *err (-ENETUNREACH, -EADDRINUSE,
 * -EADDRNOTAVAIL). The outcome comes later by `connected` or `closed`. */
TcpConn *tcp_connect(Node *node, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const TcpConfig *cfg,
                     const TcpUpcalls *up, void *owner, int *err);
void tcp_set_owner(TcpConn *c, const TcpUpcalls *up, void *owner);

/* Copies up to len bytes into the send buffer; returns the bytes taken
 * (0 when full: wait for `writable`), or -ENOTCONN, -EPIPE (after
 * shutdown or once the connection failed). Data may be queued in
 * SYN_SENT. */
ssize_t tcp_send(TcpConn *c, const void *data, size_t len);
/* Copies up to len bytes of in-order data out; returns the bytes, 0 at
 * end of stream (the peer's FIN was read), -EAGAIN when nothing waits, or
 * the connection's error. Opens the receive window (window update). */
ssize_t tcp_recv(TcpConn *c, void *buf, size_t len);
size_t tcp_send_space(const TcpConn *c);  /* free bytes in the send buffer */
size_t tcp_recv_queued(const TcpConn *c); /* in-order bytes waiting to be read */
/* No more data from us: FIN after the queued bytes. */
void tcp_shutdown(TcpConn *c);
/* The owner is done with c: no more upcalls. Like close(2): FIN after the
 * queued data (RST instead when received data was left unread, as
 * Linux), and TCP finishes the connection on its own. A listener closes
 * at once, resetting connections not yet accepted. */
void tcp_close(TcpConn *c);
/* Sends RST and drops the connection (SO_LINGER 0). */
void tcp_abort(TcpConn *c);

TcpState tcp_state(const TcpConn *c);
const char *tcp_state_name(TcpState state); /* "ESTABLISHED", "TIME_WAIT", ... */
int tcp_state_from_name(const char *name);  /* case-insensitive, '-' or '_'; -1 if unknown */
void tcp_endpoints(const TcpConn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr, uint16_t *rport);
const TcpStats *tcp_stats(const TcpConn *c);

/* What a connection's buffers hold now (for explanations). */
typedef struct {
  size_t buffered;     /* bytes in the send buffer: unacknowledged and not yet sent */
  size_t capacity;     /* the send buffer's size */
  uint32_t in_flight;  /* bytes sent and not yet acknowledged */
  uint32_t cwnd;       /* congestion window, bytes */
  uint32_t snd_wnd;    /* the peer's receive window, bytes */
  size_t rcv_buffered; /* bytes received in order, not yet read by the application */
  size_t rcv_capacity; /* the receive buffer's size */
} TcpBuffersView;
/* The connection laddr:lport -> raddr:rport of `node` (host byte order); FALSE when there is none. */
gboolean tcp_buffers_view(const Node *node, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                          TcpBuffersView *v);
void tcp_info(const TcpConn *c, TcpInfo *info);
/* ORs (1u << state) into *mask at each state the connection (and, for a
 * listener, each child) enters from now on; for `expect: reached`. The
 * mask must outlive the connection (apps live until the network is freed). */
void tcp_track_states(TcpConn *c, guint *mask);

/* From IPv4 local delivery, at the TCP header; takes p. */
void tcp_input(Node *node, Packet *p, const Ipv4Meta *meta);
/* From ICMP: an error quoting a segment we sent (its TCP header at
 * `quoted`, len bytes available, at least 8). */
void tcp_error(Node *node, const IcmpMessage *msg, const uint8_t *quoted, size_t len);

#endif
