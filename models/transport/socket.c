/*
 * Sockets: the event-driven API applications are written against (see
 * socket.h), over UDP (models/transport/udp.h) and TCP
 * (models/transport/tcp.h). A socket is a small record: its node, type,
 * callbacks, local and peer endpoints, and per type a receive queue of
 * datagrams (UDP) or a connection (TCP).
 *
 * Entry points, in call order: socket_new(); socket_bind();
 * socket_listen() / socket_connect(); socket_send() / socket_sendto() / socket_sendto_zeros();
 * socket_recv() / socket_recvfrom(); socket_shutdown(); socket_close();
 * socket_udp_queue().
 * Upcalls arrive from udp_input() / udp_error() (UdpHandler) and from TCP
 * (TcpUpcalls), and become the app's callbacks.
 *
 * UDP (RFC 768, RFC 1122 4.1.3): a bound port per socket; a datagram
 * waits in a receive queue bounded by SOCKET_UDP_RCVBUF bytes (Linux's
 * default rmem), each datagram charged its payload plus
 * SOCKET_UDP_OVERHEAD bytes as Linux charges an sk_buff; overflow is a
 * counted drop (`socket-rcvbuf-full`). A socket bound to one address, or
 * connected to a peer, refuses other datagrams as Linux does (ICMP port
 * unreachable). ICMP errors about datagrams the socket sent reach its
 * `error` callback (Linux's IP_RECVERR). Datagrams a node sends to itself
 * loop back by an event (ipv4_output), so no callback runs inside a
 * socket_* call.
 *
 * TCP: the socket owns one TcpConn (a listener or a connection); a
 * listener's accepted connections become new sockets.
 *
 * Cost: sending a datagram allocates nothing but the pooled packet; the
 * receive queue is a ring that grows (by doubling) only while it fills.
 *
 * Leaves out: SO_REUSEADDR, two UDP sockets on one port with different
 * addresses, a TCP port reserved by bind() alone (the conflict shows at
 * listen or connect), socket options beyond TTL and DF, multicast.
 */
#include "models/transport/socket.h"

#include <errno.h>
#include <string.h>

#include "models/core/node.h"
#include "models/internet/checksum.h"
#include "models/transport/udp.h"

#define SOCKET_UDP_RCVBUF 212992u     /* bytes: Linux's net.core.rmem_default */
#define SOCKET_UDP_OVERHEAD 256u      /* bytes charged per queued datagram beyond its payload */
#define SOCKET_UDP_MAX_PAYLOAD 65507u /* 65535 - 20 (IPv4) - 8 (UDP) */

/* A datagram waiting to be read: the payload and its sender. */
typedef struct {
  Packet *p;
  uint32_t addr;
  uint16_t port;
} SocketDatagram;

struct Socket {
  Node *node;
  SocketType type;
  SocketCallbacks cb;
  void *user;
  uint32_t laddr, raddr; /* host byte order; 0 = any / none */
  uint16_t lport, rport;
  gboolean bound, connected;
  uint8_t ttl;
  gboolean df;
  /* UDP: the receive queue, a ring of rx_cap entries */
  SocketDatagram *rxq;
  guint rx_cap, rx_head, rx_count;
  size_t rx_bytes;            /* charged bytes queued */
  Ipv4RouteCache route_cache; /* UDP, unbound address: the source and route of the last destination */
  /* TCP */
  TcpConfig tcp;
  TcpConn *conn; /* listener or connection, NULL before listen/connect */
  guint *states; /* socket_track_states(), or NULL */
};

static const TcpUpcalls socket_tcp_upcalls;

/* Creates an unbound socket of `type` on `node` (a host or router) with
 * the callbacks `cb` (copied, may be NULL) and `user`. */
Socket *socket_new(Node *node, SocketType type, const SocketCallbacks *cb, void *user)
{
  g_return_val_if_fail(node && node->ip, NULL);
  Socket *s = g_new0(Socket, 1);
  s->node = node;
  s->type = type;
  s->ttl = 0; /* the node's default TTL */
  socket_set_callbacks(s, cb, user);
  s->tcp = *tcp_defaults(node);
  return s;
}

void socket_set_callbacks(Socket *s, const SocketCallbacks *cb, void *user)
{
  g_return_if_fail(s);
  s->cb = cb ? *cb : (SocketCallbacks){0};
  s->user = user;
}

void socket_set_tcp(Socket *s, const TcpConfig *cfg)
{
  g_return_if_fail(s && cfg);
  s->tcp = *cfg;
}

void socket_set_ttl(Socket *s, uint8_t ttl)
{
  g_return_if_fail(s);
  s->ttl = ttl; /* 0: the node's default (ip->default_ttl) */
}

void socket_set_df(Socket *s, gboolean df)
{
  g_return_if_fail(s);
  s->df = df;
}

/* Marks the connection's present state in the mask, then lets TCP record
 * the states it enters from now on. */
static void socket_track_conn(Socket *s)
{
  if (!s->states || !s->conn)
    return;
  *s->states |= 1u << tcp_state(s->conn);
  tcp_track_states(s->conn, s->states);
}

void socket_track_states(Socket *s, guint *mask)
{
  g_return_if_fail(s);
  s->states = mask;
  socket_track_conn(s);
}

/* ---- UDP ---------------------------------------------------------------- */

/* Refuses a datagram that reached the port but not this socket (another
 * local address, or not from the connected peer), as a closed port:
 * ICMP port unreachable and DROP_PORT_UNREACHABLE. Takes `payload`. */
static void socket_udp_refuse(Socket *s, Packet *payload, const UdpMeta *meta)
{
  IcmpError e = {ICMP_UNREACH, ICMP_UNREACH_PORT, 0, meta->ip->in};
  icmp_drop_with_error(s->node, meta->ip->in, payload, DROP_PORT_UNREACHABLE, TRACE_TRANSPORT, &e);
}

/* Is the datagram for this socket: to its address (when bound to one) and
 * from its peer (when connected)? */
static gboolean socket_udp_accepts(const Socket *s, const UdpMeta *meta)
{
  if (s->laddr && meta->dst != s->laddr)
    return FALSE;
  return !s->connected || (meta->src == s->raddr && meta->sport == s->rport);
}

/* Doubles the receive ring (8 entries at first), keeping its order. The
 * byte limit bounds it to SOCKET_UDP_RCVBUF / SOCKET_UDP_OVERHEAD entries. */
static void socket_udp_grow(Socket *s)
{
  guint cap = s->rx_cap ? 2 * s->rx_cap : 8;
  SocketDatagram *ring = g_new(SocketDatagram, cap);
  for (guint i = 0; i < s->rx_count; i++)
    ring[i] = s->rxq[(s->rx_head + i) % s->rx_cap];
  g_free(s->rxq);
  s->rxq = ring;
  s->rx_cap = cap;
  s->rx_head = 0;
}

/* The UDP handler: queues a datagram for the socket (the owner) and tells
 * the app it can read. A full queue drops it (DROP_SOCKET_RCVBUF_FULL).
 * Takes `payload`. */
static void socket_udp_recv(void *owner, Packet *payload, const UdpMeta *meta)
{
  Socket *s = owner;
  size_t charge = packet_len(payload) + SOCKET_UDP_OVERHEAD;

  if (!socket_udp_accepts(s, meta)) {
    socket_udp_refuse(s, payload, meta);
    return;
  }
  if (s->rx_bytes + charge > SOCKET_UDP_RCVBUF) {
    node_drop(s->node, meta->ip->in, payload, DROP_SOCKET_RCVBUF_FULL, TRACE_TRANSPORT, TRACE_FROM_IPV4);
    return;
  }
  if (s->rx_count == s->rx_cap)
    socket_udp_grow(s);
  s->rxq[(s->rx_head + s->rx_count++) % s->rx_cap] = (SocketDatagram){payload, meta->src, meta->sport};
  s->rx_bytes += charge;
  if (s->cb.readable)
    s->cb.readable(s, s->user);
}

/* The errno an ICMP error stands for (Linux's icmp_err_convert, reduced). */
static int socket_icmp_errno(const IcmpMessage *msg)
{
  if (msg->type != ICMP_UNREACH)
    return -EHOSTUNREACH;
  switch (msg->code) {
  case ICMP_UNREACH_NET:
    return -ENETUNREACH;
  case ICMP_UNREACH_PORT:
    return -ECONNREFUSED;
  case ICMP_UNREACH_NEEDFRAG:
    return -EMSGSIZE;
  default:
    return -EHOSTUNREACH;
  }
}

/* The UDP error handler: an ICMP error quoting a datagram sent from the
 * socket's port, to dport. A connected socket hears only about its peer. */
static void socket_udp_error(void *owner, const IcmpMessage *msg, uint16_t dport)
{
  Socket *s = owner;

  if (s->connected && (msg->quoted_dst != s->raddr || dport != s->rport))
    return;
  if (s->cb.error)
    s->cb.error(s, socket_icmp_errno(msg), s->user);
}

static const UdpHandler socket_udp_handler = {socket_udp_recv, socket_udp_error};

/* Binds the UDP port (0: an ephemeral one). */
/* The receive queue of the socket on UDP `port` of `node`; FALSE when no
 * socket is bound there (a port of RIP, or none). */
gboolean socket_udp_queue(const Node *node, uint16_t port, SocketUdpQueue *q)
{
  const UdpHandler *h = NULL;
  const Socket *s = udp_port_owner(node, port, &h);
  if (!s || h->recv != socket_udp_recv)
    return FALSE;
  *q = (SocketUdpQueue){s->rx_count, s->rx_bytes, SOCKET_UDP_RCVBUF, SOCKET_UDP_OVERHEAD};
  return TRUE;
}

static int socket_udp_bind(Socket *s, uint32_t addr, uint16_t port)
{
  int got = udp_bind(s->node, port, &socket_udp_handler, s);

  if (got < 0)
    return port ? -EADDRINUSE : -EAGAIN;
  s->laddr = addr;
  s->lport = (uint16_t)got;
  s->bound = TRUE;
  return 0;
}

/* Binds the TCP endpoint; the port is taken for real at listen or connect. */
static int socket_tcp_bind(Socket *s, uint32_t addr, uint16_t port)
{
  if (port == 0 && (port = tcp_ephemeral_port(s->node, 0, 0)) == 0)
    return -EAGAIN;
  if (tcp_port_in_use(s->node, addr, port))
    return -EADDRINUSE;
  s->laddr = addr;
  s->lport = port;
  s->bound = TRUE;
  return 0;
}

/* Binds the socket to addr:port (0 = any address, an ephemeral port).
 * Returns 0, -EINVAL (already bound), -EADDRNOTAVAIL (not one of the
 * node's addresses), -EADDRINUSE, or -EAGAIN (no ephemeral port free). */
int socket_bind(Socket *s, uint32_t addr, uint16_t port)
{
  g_return_val_if_fail(s, -EINVAL);
  if (s->bound || s->conn)
    return -EINVAL;
  if (addr && !ipv4_is_local(s->node, addr))
    return -EADDRNOTAVAIL;
  return s->type == SOCKET_UDP ? socket_udp_bind(s, addr, port) : socket_tcp_bind(s, addr, port);
}

/* The errno of an IPv4 send result. */
static int socket_send_errno(Ipv4SendResult res)
{
  switch (res) {
  case IPV4_SENT:
    return 0;
  case IPV4_ERR_NO_ROUTE:
    return -ENETUNREACH;
  case IPV4_ERR_MSG_SIZE:
    return -EMSGSIZE;
  case IPV4_ERR_LINK_DOWN:
    return -ENETDOWN;
  }
  return -EINVAL;
}

/* Checks that the socket may send a datagram of len bytes to addr:port,
 * binding it to an ephemeral port first when unbound. Returns 0 or a
 * negative errno. */
static int socket_udp_may_send(Socket *s, size_t len, uint32_t addr, uint16_t port)
{
  if (len > SOCKET_UDP_MAX_PAYLOAD)
    return -EMSGSIZE;
  if (addr == 0 || port == 0)
    return -EINVAL;
  return s->bound ? 0 : socket_udp_bind(s, 0, 0);
}

/* Sends the datagram `p` (taken), whose words sum to `sum`, from the
 * socket to addr:port. Returns its length or a negative errno. */
static ssize_t socket_udp_send_packet(Socket *s, Packet *p, uint32_t sum, uint32_t addr, uint16_t port)
{
  size_t len = packet_len(p);
  Ipv4SendOpts opts = {.src = s->laddr, .dst = addr, .proto = IPPROTO_UDP_NUM, .ttl = s->ttl, .df = s->df};
  if (!opts.src)
    opts.src = ipv4_source_route_cached(s->node, addr, &opts.route, &s->route_cache);
  int err = socket_send_errno(udp_send_summed(s->node, s->lport, addr, port, p, sum, &opts));
  return err < 0 ? err : (ssize_t)len;
}

/* Sends one datagram from the socket (bound to an ephemeral port first
 * when unbound). Returns len or a negative errno. */
static ssize_t socket_udp_sendto(Socket *s, const void *data, size_t len, uint32_t addr, uint16_t port)
{
  int err = socket_udp_may_send(s, len, addr, port);
  if (err < 0)
    return err;
  Packet *p = packet_new_from(s->node->ctx->pool, data, len);
  return socket_udp_send_packet(s, p, checksum_partial(packet_data(p), len, 0), addr, port);
}

/* Connects a UDP socket: the default peer, and the filter on what it
 * receives. The local address is chosen now from the route, as Linux. */
static int socket_udp_connect(Socket *s, uint32_t addr, uint16_t port)
{
  if (addr == 0 || port == 0)
    return -EINVAL;
  uint32_t src = ipv4_source_for(s->node, addr);
  if (!src)
    return -ENETUNREACH;
  if (!s->bound) {
    int err = socket_udp_bind(s, 0, 0);
    if (err < 0)
      return err;
  }
  if (!s->laddr)
    s->laddr = src;
  s->raddr = addr;
  s->rport = port;
  s->connected = TRUE;
  return 0;
}

/* Takes the oldest datagram: copies at most len bytes, returns its length
 * (-EAGAIN when none waits). */
static ssize_t socket_udp_recvfrom(Socket *s, void *buf, size_t len, uint32_t *addr, uint16_t *port)
{
  if (s->rx_count == 0)
    return -EAGAIN;
  SocketDatagram *d = &s->rxq[s->rx_head];
  size_t n = packet_len(d->p);
  if (len && buf)
    memcpy(buf, packet_data(d->p), MIN(n, len));
  if (addr)
    *addr = d->addr;
  if (port)
    *port = d->port;
  packet_free(d->p);
  s->rx_bytes -= n + SOCKET_UDP_OVERHEAD;
  s->rx_head = s->rx_head + 1 == s->rx_cap ? 0 : s->rx_head + 1;
  s->rx_count--;
  return (ssize_t)n;
}

static void socket_udp_free(Socket *s)
{
  if (s->bound)
    udp_unbind(s->node, s->lport);
  for (guint i = 0; i < s->rx_count; i++)
    packet_free(s->rxq[(s->rx_head + i) % s->rx_cap].p);
  g_free(s->rxq);
}

/* ---- TCP ---------------------------------------------------------------- */

static void socket_tcp_connected(void *owner, TcpConn *c)
{
  Socket *s = owner;
  (void)c;
  tcp_endpoints(s->conn, &s->laddr, &s->lport, &s->raddr, &s->rport);
  if (s->cb.connected)
    s->cb.connected(s, s->user);
}

/* A listener's new connection: a socket of its own with the listener's
 * callbacks, handed to the app (closed at once when nobody accepts). */
static void socket_tcp_accepted(void *owner, TcpConn *child)
{
  Socket *l = owner;
  Socket *s = socket_new(l->node, SOCKET_TCP, &l->cb, l->user);

  s->tcp = l->tcp;
  s->conn = child;
  s->bound = s->connected = TRUE;
  tcp_endpoints(child, &s->laddr, &s->lport, &s->raddr, &s->rport);
  tcp_set_owner(child, &socket_tcp_upcalls, s);
  if (!l->cb.accepted) {
    socket_close(s);
    return;
  }
  l->cb.accepted(l, s, l->user);
}

static void socket_tcp_readable(void *owner)
{
  Socket *s = owner;
  if (s->cb.readable)
    s->cb.readable(s, s->user);
}

static void socket_tcp_writable(void *owner)
{
  Socket *s = owner;
  if (s->cb.writable)
    s->cb.writable(s, s->user);
}

static void socket_tcp_closed(void *owner, int err)
{
  Socket *s = owner;
  if (s->cb.closed)
    s->cb.closed(s, err, s->user);
}

static const TcpUpcalls socket_tcp_upcalls = {socket_tcp_connected, socket_tcp_accepted, socket_tcp_readable,
                                              socket_tcp_writable, socket_tcp_closed};

/* Starts accepting connections (binding an ephemeral port first when
 * unbound). Returns 0, -EINVAL (UDP, or already listening or connected)
 * or -EADDRINUSE. */
int socket_listen(Socket *s, int backlog)
{
  int err = 0;

  g_return_val_if_fail(s, -EINVAL);
  if (s->type != SOCKET_TCP || s->conn)
    return -EINVAL;
  if (!s->bound && (err = socket_tcp_bind(s, 0, 0)) < 0)
    return err;
  s->conn = tcp_listen(s->node, s->laddr, s->lport, backlog > 0 ? backlog : 1, &s->tcp, &socket_tcp_upcalls, s, &err);
  if (!s->conn)
    return err ? err : -EADDRINUSE;
  socket_track_conn(s);
  return 0;
}

/* Starts the TCP handshake to addr:port; the outcome comes by `connected`
 * or `closed`. */
static int socket_tcp_connect(Socket *s, uint32_t addr, uint16_t port)
{
  int err = 0;

  if (s->conn)
    return -EINVAL;
  if (addr == 0 || port == 0)
    return -EINVAL;
  s->conn = tcp_connect(s->node, s->laddr, s->bound ? s->lport : 0, addr, port, &s->tcp, &socket_tcp_upcalls, s, &err);
  if (!s->conn)
    return err ? err : -ENETUNREACH;
  s->bound = s->connected = TRUE;
  tcp_endpoints(s->conn, &s->laddr, &s->lport, &s->raddr, &s->rport);
  socket_track_conn(s);
  return 0;
}

/* TCP: starts the handshake. UDP: sets the default peer. Returns 0 or a
 * negative errno (-EINVAL, -ENETUNREACH, -EADDRINUSE, ...). */
int socket_connect(Socket *s, uint32_t addr, uint16_t port)
{
  g_return_val_if_fail(s, -EINVAL);
  return s->type == SOCKET_UDP ? socket_udp_connect(s, addr, port) : socket_tcp_connect(s, addr, port);
}

/* ---- Both --------------------------------------------------------------- */

ssize_t socket_send(Socket *s, const void *data, size_t len)
{
  g_return_val_if_fail(s && (data || len == 0), -EINVAL);
  if (s->type == SOCKET_UDP)
    return s->connected ? socket_udp_sendto(s, data, len, s->raddr, s->rport) : -EDESTADDRREQ;
  if (!s->conn || tcp_state(s->conn) == TCP_LISTEN)
    return -ENOTCONN;
  return tcp_send(s->conn, data, len);
}

ssize_t socket_sendto(Socket *s, const void *data, size_t len, uint32_t addr, uint16_t port)
{
  g_return_val_if_fail(s && (data || len == 0), -EINVAL);
  if (s->type != SOCKET_UDP)
    return -EOPNOTSUPP;
  return socket_udp_sendto(s, data, len, addr, port);
}

/* UDP: sends one datagram of len bytes, the head_len bytes of `head`
 * followed by zeros, as socket_sendto() of such a buffer would, without
 * one: a packet's bytes start zeroed, and zeros add nothing to the
 * checksum. Traffic generators send so (their payload is a stamp, then
 * zeros). */
ssize_t socket_sendto_zeros(Socket *s, const void *head, size_t head_len, size_t len, uint32_t addr, uint16_t port)
{
  g_return_val_if_fail(s && head_len <= len && (head || head_len == 0), -EINVAL);
  if (s->type != SOCKET_UDP)
    return -EOPNOTSUPP;
  int err = socket_udp_may_send(s, len, addr, port);
  if (err < 0)
    return err;
  Packet *p = packet_new(s->node->ctx->pool, len);
  if (head_len == 0) /* head may be NULL: memcpy() must not see it */
    return socket_udp_send_packet(s, p, 0, addr, port);
  memcpy(packet_data(p), head, head_len);
  return socket_udp_send_packet(s, p, checksum_partial(head, head_len, 0), addr, port);
}

ssize_t socket_recv(Socket *s, void *buf, size_t len)
{
  g_return_val_if_fail(s && (buf || len == 0), -EINVAL);
  if (s->type == SOCKET_UDP)
    return socket_udp_recvfrom(s, buf, len, NULL, NULL);
  if (!s->conn || tcp_state(s->conn) == TCP_LISTEN)
    return -ENOTCONN;
  return tcp_recv(s->conn, buf, len);
}

ssize_t socket_recvfrom(Socket *s, void *buf, size_t len, uint32_t *addr, uint16_t *port)
{
  g_return_val_if_fail(s && (buf || len == 0), -EINVAL);
  if (s->type != SOCKET_UDP) {
    ssize_t n = socket_recv(s, buf, len);
    socket_peer(s, addr, port);
    return n;
  }
  return socket_udp_recvfrom(s, buf, len, addr, port);
}

/* TCP: free bytes in the send buffer. UDP: the largest datagram. */
size_t socket_send_space(const Socket *s)
{
  g_return_val_if_fail(s, 0);
  if (s->type == SOCKET_UDP)
    return SOCKET_UDP_MAX_PAYLOAD;
  return s->conn && tcp_state(s->conn) != TCP_LISTEN ? tcp_send_space(s->conn) : 0;
}

int socket_shutdown(Socket *s)
{
  g_return_val_if_fail(s, -EINVAL);
  if (s->type != SOCKET_TCP || !s->conn || tcp_state(s->conn) == TCP_LISTEN)
    return -ENOTCONN;
  tcp_shutdown(s->conn);
  return 0;
}

/* Frees the socket: UDP unbinds and drops what waits unread; TCP hands
 * the connection to tcp_close(). No callback runs after. NULL-safe. */
void socket_close(Socket *s)
{
  if (!s)
    return;
  if (s->type == SOCKET_UDP)
    socket_udp_free(s);
  else if (s->conn)
    tcp_close(s->conn);
  g_free(s);
}

Node *socket_node(const Socket *s)
{
  return s ? s->node : NULL;
}

SocketType socket_type(const Socket *s)
{
  return s->type;
}

void socket_local(const Socket *s, uint32_t *addr, uint16_t *port)
{
  if (addr)
    *addr = s ? s->laddr : 0;
  if (port)
    *port = s ? s->lport : 0;
}

void socket_peer(const Socket *s, uint32_t *addr, uint16_t *port)
{
  gboolean known = s && s->connected;
  if (addr)
    *addr = known ? s->raddr : 0;
  if (port)
    *port = known ? s->rport : 0;
}

TcpState socket_tcp_state(const Socket *s)
{
  return s && s->conn ? tcp_state(s->conn) : TCP_CLOSED;
}

const TcpStats *socket_tcp_stats(const Socket *s)
{
  return s && s->conn ? tcp_stats(s->conn) : NULL;
}

/* Fixed English text for the errors sockets return. */
const char *socket_strerror(int err)
{
  switch (-err) {
  case 0:
    return "success";
  case EADDRINUSE:
    return "address already in use";
  case EADDRNOTAVAIL:
    return "cannot assign requested address";
  case EINVAL:
    return "invalid argument";
  case ENOTCONN:
    return "not connected";
  case EDESTADDRREQ:
    return "destination address required";
  case EPIPE:
    return "broken pipe";
  case EAGAIN:
    return "resource temporarily unavailable";
  case EMSGSIZE:
    return "message too long";
  case ENETUNREACH:
    return "network unreachable";
  case ENETDOWN:
    return "network is down";
  case EHOSTUNREACH:
    return "no route to host";
  case ECONNREFUSED:
    return "connection refused";
  case ECONNRESET:
    return "connection reset by peer";
  case ETIMEDOUT:
    return "connection timed out";
  case EOPNOTSUPP:
    return "operation not supported";
  }
  return "unknown error";
}
