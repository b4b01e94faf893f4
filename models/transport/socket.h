/*
 * Sockets: the event-driven API every application is written against, in
 * the manner of BSD sockets with callbacks instead of blocking calls
 * (like ns-3's Socket or libuv's streams). A socket is UDP (datagrams,
 * sendto/recvfrom, optional default peer) or TCP (listen/accept or
 * connect, a byte stream, shutdown, close).
 *
 * Entry points, in call order: socket_new(); socket_bind() (optional);
 * socket_listen() or socket_connect(); socket_send() / socket_sendto()
 * / socket_sendto_zeros(),
 * socket_recv() / socket_recvfrom() from the callbacks; socket_shutdown();
 * socket_close() (always, exactly once: it frees the socket); socket_udp_queue()
 * (a UDP port's receive queue, for explanations).
 *
 * Callbacks run from packet input and timers, never synchronously inside
 * a socket_* call (a datagram sent to the node itself is delivered by an
 * event), so an app may call anything from a callback, socket_close() of
 * the same socket included.
 *
 * Errors are negative errno values, as BSD: -EADDRINUSE (bind), -EINVAL
 * (wrong state), -ENOTCONN, -EPIPE, -EAGAIN (nothing to read, or no room),
 * -EMSGSIZE, -ENETUNREACH, -ECONNREFUSED, -ECONNRESET, -ETIMEDOUT,
 * -EHOSTUNREACH. socket_strerror() names them (fixed English text, the
 * same on every machine).
 */
#ifndef IPSIM_SOCKET_H
#define IPSIM_SOCKET_H

#include <sys/types.h>

#include "models/core/node.h"
#include "models/transport/tcp.h"

typedef enum { SOCKET_UDP, SOCKET_TCP } SocketType;

typedef struct Socket Socket;

/* Every callback may be NULL. `user` is what socket_new() was given. */
typedef struct {
  /* TCP: connect() completed. */
  void (*connected)(Socket *s, void *user);
  /* TCP listener: a new connection, already ESTABLISHED. `child` starts
   * with the listener's callbacks and user; change them with
   * socket_set_callbacks(). The app owns child (socket_close() it). */
  void (*accepted)(Socket *listener, Socket *child, void *user);
  /* Data can be read: TCP in-order bytes or end of stream (recv returns
   * 0); UDP one or more datagrams. Read until -EAGAIN. */
  void (*readable)(Socket *s, void *user);
  /* TCP: room in the send buffer again after a short or refused send. */
  void (*writable)(Socket *s, void *user);
  /* TCP: the connection ended; err 0 after an orderly close of both
   * directions, else -ECONNREFUSED, -ECONNRESET, -ETIMEDOUT, ... The
   * socket stays valid until socket_close(). */
  void (*closed)(Socket *s, int err, void *user);
  /* UDP: an ICMP error about a datagram sent from this socket (Linux's
   * IP_RECVERR): -ECONNREFUSED (port unreachable), -EHOSTUNREACH,
   * -ENETUNREACH, -EMSGSIZE. */
  void (*error)(Socket *s, int err, void *user);
} SocketCallbacks;

Socket *socket_new(Node *node, SocketType type, const SocketCallbacks *cb, void *user);
void socket_set_callbacks(Socket *s, const SocketCallbacks *cb, void *user);
/* TCP settings for the next listen or connect (default: the scenario's
 * defaults.tcp). Copied. */
void socket_set_tcp(Socket *s, const TcpConfig *cfg);
/* IPv4 TTL (0, the default: the node's ip->default_ttl) and Don't Fragment (default off, UDP) of what the
 * socket sends. */
void socket_set_ttl(Socket *s, uint8_t ttl);
void socket_set_df(Socket *s, gboolean df);
/* Records every TCP state the socket's connections enter (see tcp_track_states()). */
void socket_track_states(Socket *s, guint *mask);

/* addr 0: any local address; port 0: an ephemeral one. Returns 0,
 * -EADDRINUSE, -EADDRNOTAVAIL (not an address of the node) or -EINVAL
 * (already bound). */
int socket_bind(Socket *s, uint32_t addr, uint16_t port);
/* TCP: start accepting (binds an ephemeral port when unbound). */
int socket_listen(Socket *s, int backlog);
/* TCP: start the handshake; `connected` or `closed` follows. UDP: set the
 * default peer for socket_send() and filter what is received. */
int socket_connect(Socket *s, uint32_t addr, uint16_t port);

/* TCP: copies up to len bytes into the send buffer and returns how many
 * (0 when full: wait for `writable`). UDP: sends one datagram to the
 * connected peer and returns len. */
ssize_t socket_send(Socket *s, const void *data, size_t len);
/* UDP: sends one datagram of len bytes to addr:port; returns len or an
 * error (-ENETUNREACH, -EMSGSIZE, ...). */
ssize_t socket_sendto(Socket *s, const void *data, size_t len, uint32_t addr, uint16_t port);
/* UDP: socket_sendto() of a buffer of len bytes holding the head_len bytes
 * of `head`, then zeros, without such a buffer (traffic generators). */
ssize_t socket_sendto_zeros(Socket *s, const void *head, size_t head_len, size_t len, uint32_t addr, uint16_t port);
/* TCP: reads up to len in-order bytes; 0 at end of stream; -EAGAIN. */
ssize_t socket_recv(Socket *s, void *buf, size_t len);
/* UDP: takes the oldest datagram, copying at most len bytes of it (the
 * rest is discarded, as BSD); returns its full length, or -EAGAIN. addr
 * and port (may be NULL) get the sender. */
ssize_t socket_recvfrom(Socket *s, void *buf, size_t len, uint32_t *addr, uint16_t *port);
size_t socket_send_space(const Socket *s);

/* TCP: no more sends; the peer gets FIN after the queued bytes. */
int socket_shutdown(Socket *s);
/* Frees the socket; no callback runs after. TCP closes gracefully in the
 * background (see tcp_close()). NULL-safe. */
void socket_close(Socket *s);

Node *socket_node(const Socket *s);
SocketType socket_type(const Socket *s);
void socket_local(const Socket *s, uint32_t *addr, uint16_t *port);
void socket_peer(const Socket *s, uint32_t *addr, uint16_t *port);
/* TCP: the connection's state (TCP_CLOSED when none), stats and info; NULL/zeros for UDP. */
TcpState socket_tcp_state(const Socket *s);
const TcpStats *socket_tcp_stats(const Socket *s);
const char *socket_strerror(int err);

/* The receive queue of the UDP socket bound to a port (for explanations). */
typedef struct {
  guint count;     /* datagrams queued, not yet read */
  size_t bytes;    /* bytes they count against the limit */
  size_t limit;    /* the receive buffer: SOCKET_UDP_RCVBUF */
  size_t overhead; /* bytes counted per datagram beyond its data */
} SocketUdpQueue;
gboolean socket_udp_queue(const Node *node, uint16_t port,
                          SocketUdpQueue *q); /* "connection refused", ... for -ECONNREFUSED */

#endif
