/*
 * Tests of the socket API (models/transport/socket.h) and of the UDP
 * applications written on it (udp-echo, udp-echo-server, onoff). Sockets
 * are opened on small networks built from YAML, driven by scheduling
 * events, and their callbacks recorded with the time they ran. Times are
 * computed from the link parameters: a frame of n bytes takes n x 8 / rate
 * to serialize, then the link's delay; ARP (60-byte frames) comes before
 * the first datagram to a neighbour.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "models/internet/ipv4.h"
#include "models/link/link.h"
#include "models/observe/flow.h"
#include "sim/build/build.h"
#include "models/transport/socket.h"
#include "tests/testlib.h"

#define H1 0x0a000001u /* 10.0.0.1 */
#define H2 0x0a000002u /* 10.0.0.2 */
#define RATE 100000000u
#define DELAY SIMTIME_MS(1)
#define FRAME_ARP 60
#define FRAME_UDP(n) MAX(60, 14 + 20 + 8 + (n)) /* padded to the Ethernet minimum */

static const char *two_hosts = "scenario: t\n"
                               "stop: 100s\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                               "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                               "links:\n"
                               "  - { ends: [h1, h2], rate: 100Mbps, delay: 1ms, queue: 1000p }\n";

typedef struct {
  Scenario *sc;
  Network *net;
  Node *h1, *h2;
} Net;

static Net net_new(const char *yaml)
{
  Net n = {0};
  n.sc = testlib_load_ok(yaml);
  n.net = build_network(n.sc);
  n.h1 = network_node(n.net, 0);
  n.h2 = network_node(n.net, 1);
  return n;
}

static void net_free(Net *n)
{
  network_free(n->net);
  scenario_free(n->sc);
}

static void net_run(Net *n, SimTime until)
{
  scheduler_run(n->net->ctx.sched, until);
}

static SimTime now_of(const Net *n)
{
  return network_now(n->net);
}

/* Serialization time of an n-byte frame at RATE, rounded up to the ns. */
static SimTime ser(size_t n)
{
  return (SimTime)(((uint64_t)n * 8 * 1000000000u + RATE - 1) / RATE);
}

static SimTime hop(size_t frame)
{
  return ser(frame) + DELAY;
}

/* What the callbacks saw. */
typedef struct {
  Net *n;
  int readable, errors, connected, accepted, writable, closed;
  SimTime t_readable, t_error, t_connected, t_closed, t_accepted;
  int last_error, closed_err;
  gboolean in_call; /* set around socket_* calls: a callback inside one is a bug */
  gboolean reentered;
  gboolean close_on_readable;
  Socket *child; /* accepted */
  GByteArray *got;
} Rec;

static void rec_check(Rec *r)
{
  if (r->in_call)
    r->reentered = TRUE;
}

static void rec_readable(Socket *s, void *user)
{
  Rec *r = user;
  rec_check(r);
  r->readable++;
  r->t_readable = now_of(r->n);
  if (r->close_on_readable)
    socket_close(s);
}

static void rec_error(Socket *s, int err, void *user)
{
  Rec *r = user;
  (void)s;
  rec_check(r);
  r->errors++;
  r->t_error = now_of(r->n);
  r->last_error = err;
}

static const SocketCallbacks rec_udp = {.readable = rec_readable, .error = rec_error};

/* ---- bind and ports ------------------------------------------------------ */

START_TEST(test_bind_conflicts)
{
  Net n = net_new(two_hosts);
  Socket *a = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  Socket *b = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  Socket *c = socket_new(n.h2, SOCKET_UDP, NULL, NULL);
  ck_assert_int_eq(socket_bind(a, 0, 9000), 0);
  ck_assert_int_eq(socket_bind(b, 0, 9000), -EADDRINUSE);
  ck_assert_int_eq(socket_bind(b, H1, 9000), -EADDRINUSE);
  ck_assert_int_eq(socket_bind(b, H2, 9001), -EADDRNOTAVAIL); /* h2's address, not h1's */
  ck_assert_int_eq(socket_bind(b, H1, 9001), 0);
  ck_assert_int_eq(socket_bind(b, H1, 9002), -EINVAL); /* already bound */
  ck_assert_int_eq(socket_bind(c, 0, 9000), 0);        /* another node: no conflict */
  uint32_t addr;
  uint16_t port;
  socket_local(b, &addr, &port);
  ck_assert_uint_eq(addr, H1);
  ck_assert_uint_eq(port, 9001);
  /* Closing frees the port. */
  socket_close(a);
  a = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  ck_assert_int_eq(socket_bind(a, 0, 9000), 0);
  socket_close(a);
  socket_close(b);
  socket_close(c);
  net_free(&n);
}
END_TEST

START_TEST(test_ephemeral_ports)
{
  Net n = net_new(two_hosts);
  Socket *s[3];
  uint16_t port[3];
  for (int i = 0; i < 3; i++) {
    s[i] = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
    if (i < 2)
      ck_assert_int_eq(socket_bind(s[i], 0, 0), 0);
  }
  /* An unbound socket takes the next one at its first send. */
  ck_assert_int_eq(socket_sendto(s[2], "x", 1, H2, 7), 1);
  for (int i = 0; i < 3; i++) {
    socket_local(s[i], NULL, &port[i]);
    ck_assert_uint_eq(port[i], 49152 + i);
  }
  socket_close(s[1]);
  Socket *again = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  ck_assert_int_eq(socket_bind(again, 0, 0), 0);
  socket_local(again, NULL, &port[1]);
  ck_assert_uint_eq(port[1], 49153); /* the lowest free one */
  socket_close(again);
  socket_close(s[0]);
  socket_close(s[2]);
  net_free(&n);
}
END_TEST

/* ---- UDP datagrams ------------------------------------------------------- */

START_TEST(test_udp_sendto_recvfrom)
{
  Net n = net_new(two_hosts);
  Rec rx = {.n = &n};
  Socket *srv = socket_new(n.h2, SOCKET_UDP, &rec_udp, &rx);
  Socket *cli = socket_new(n.h1, SOCKET_UDP, &rec_udp, NULL);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  uint8_t msg[100];
  for (int i = 0; i < 100; i++)
    msg[i] = (uint8_t)i;
  rx.in_call = TRUE;
  ck_assert_int_eq(socket_sendto(cli, msg, sizeof msg, H2, 9000), 100);
  rx.in_call = FALSE;
  net_run(&n, SIMTIME_S(1));
  ck_assert(!rx.reentered);
  ck_assert_int_eq(rx.readable, 1);
  /* ARP request and reply, then the datagram. */
  ck_assert_int_eq(rx.t_readable, 2 * hop(FRAME_ARP) + hop(FRAME_UDP(100)));
  uint8_t buf[200];
  uint32_t from;
  uint16_t sport, cport;
  ck_assert_int_eq(socket_recvfrom(srv, buf, sizeof buf, &from, &sport), 100);
  ck_assert_mem_eq(buf, msg, 100);
  ck_assert_uint_eq(from, H1);
  socket_local(cli, NULL, &cport);
  ck_assert_uint_eq(sport, cport);
  ck_assert_int_eq(socket_recvfrom(srv, buf, sizeof buf, NULL, NULL), -EAGAIN);
  ck_assert_int_eq(socket_recv(srv, buf, sizeof buf), -EAGAIN);
  socket_close(srv);
  socket_close(cli);
  net_free(&n);
}
END_TEST

/* socket_sendto_zeros(): a head then zeros, at sizes around the
 * checksum's 128-byte vectors and odd ones, arrives as the same bytes as
 * socket_sendto() of that buffer, its checksum verified by the receiver
 * (a wrong one would be a bad-udp drop); errors as socket_sendto(). */
START_TEST(test_udp_sendto_zeros)
{
  static const size_t sizes[] = {0, 1, 3, 11, 12, 13, 127, 128, 129, 255, 1000, 1471, 1472};
  const uint8_t head[12] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 0xff};
  Net n = net_new(two_hosts);
  Rec rx = {.n = &n};
  Socket *srv = socket_new(n.h2, SOCKET_UDP, &rec_udp, &rx);
  Socket *cli = socket_new(n.h1, SOCKET_UDP, &rec_udp, NULL);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
    size_t len = sizes[i], h = MIN(len, sizeof head);
    uint8_t want[1472] = {0}, got[1500];
    memcpy(want, head, h);
    ck_assert_int_eq(socket_sendto_zeros(cli, head, h, len, H2, 9000), (ssize_t)len);
    ck_assert_int_eq(socket_sendto(cli, want, len, H2, 9000), (ssize_t)len);
    net_run(&n, now_of(&n) + SIMTIME_MS(100));
    for (int k = 0; k < 2; k++) {
      ck_assert_int_eq(socket_recvfrom(srv, got, sizeof got, NULL, NULL), (ssize_t)len);
      ck_assert_mem_eq(got, want, len);
    }
    ck_assert_int_eq(socket_recvfrom(srv, got, sizeof got, NULL, NULL), -EAGAIN);
  }
  ck_assert_uint_eq(node_iface(n.h2, 0)->counters.drops[DROP_BAD_UDP], 0);
  ck_assert_int_eq(socket_sendto_zeros(cli, head, 12, 65508, H2, 9000), -EMSGSIZE); /* over 65535 - 28 */
  ck_assert_int_eq(socket_sendto_zeros(cli, head, 12, 100, 0, 9000), -EINVAL);
  Socket *tcp = socket_new(n.h1, SOCKET_TCP, NULL, NULL);
  ck_assert_int_eq(socket_sendto_zeros(tcp, head, 12, 100, H2, 9000), -EOPNOTSUPP);
  socket_close(tcp);
  socket_close(srv);
  socket_close(cli);
  net_free(&n);
}
END_TEST

/* Datagrams h1's socket sent from `src` to 10.9.9.9:9 (its flow's count). */
static uint64_t sent_from(const Net *n, uint32_t src, uint16_t sport)
{
  FlowKey k = {.src = src, .dst = 0x0a090909u, .sport = sport, .dport = 9, .proto = 17};
  const Flow *f = flow_find(n->net->ctx.flows, &k);
  return f ? f->tx_packets : 0;
}

/* An unbound socket remembers its last destination's route and source,
 * and follows the routing table when it changes: h1 sends to 10.9.9.9 by
 * its default gateway (from 10.0.1.10), then, with a static route added
 * towards it through r2, from 10.0.3.10, then, with that link down, by
 * the default gateway again. */
START_TEST(test_udp_route_cache_follows_table)
{
  Net n = net_new("scenario: t\n"
                  "stop: 10s\n"
                  "nodes:\n"
                  "  h1: { kind: host, ip: { eth0: 10.0.1.10/24, eth1: 10.0.3.10/24 }, gateway: 10.0.1.1 }\n"
                  "  r1: { kind: router, ip: 10.0.1.1/24 }\n"
                  "  r2: { kind: router, ip: 10.0.3.1/24 }\n"
                  "links:\n"
                  "  - [h1:eth0, r1]\n"
                  "  - [h1:eth1, r2]\n");
  Socket *s = socket_new(n.h1, SOCKET_UDP, &rec_udp, NULL);
  uint16_t sport;
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(socket_sendto_zeros(s, NULL, 0, 10, 0x0a090909u, 9), 10);
  socket_local(s, NULL, &sport);
  ck_assert_uint_eq(sent_from(&n, 0x0a00010au, sport), 2);
  ck_assert(ipv4_add_static(n.h1, (Ipv4Prefix){0x0a090900u, 24}, 0x0a000301u, -1, 0));
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a090909u, 9), 1);
  ck_assert_uint_eq(sent_from(&n, 0x0a00030au, sport), 1);
  link_set_up(node_iface(n.h1, 1)->link, FALSE);
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a090909u, 9), 1);
  ck_assert_uint_eq(sent_from(&n, 0x0a00010au, sport), 3);
  ck_assert_uint_eq(sent_from(&n, 0x0a00030au, sport), 1);
  socket_close(s);
  net_free(&n);
}
END_TEST

START_TEST(test_udp_truncation)
{
  Net n = net_new(two_hosts);
  Rec rx = {.n = &n};
  Socket *srv = socket_new(n.h2, SOCKET_UDP, &rec_udp, &rx);
  Socket *cli = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  ck_assert_int_eq(socket_sendto(cli, "0123456789abcdef", 16, H2, 9000), 16);
  ck_assert_int_eq(socket_sendto(cli, "XY", 2, H2, 9000), 2);
  ck_assert_int_eq(socket_sendto(cli, NULL, 0, H2, 9000), 0);
  net_run(&n, SIMTIME_S(1));
  ck_assert_int_eq(rx.readable, 3);
  char buf[8] = {0};
  /* The full length comes back; only 4 bytes are copied; the rest is gone. */
  ck_assert_int_eq(socket_recvfrom(srv, buf, 4, NULL, NULL), 16);
  ck_assert_mem_eq(buf, "0123\0", 5);
  ck_assert_int_eq(socket_recv(srv, buf, sizeof buf), 2);
  ck_assert_mem_eq(buf, "XY23", 4);
  ck_assert_int_eq(socket_recv(srv, buf, sizeof buf), 0); /* an empty datagram */
  ck_assert_int_eq(socket_recv(srv, buf, sizeof buf), -EAGAIN);
  socket_close(srv);
  socket_close(cli);
  net_free(&n);
}
END_TEST

/* A datagram a node sends to itself arrives by an event, never inside the
 * socket_sendto() call. */
START_TEST(test_udp_loopback_not_synchronous)
{
  Net n = net_new(two_hosts);
  Rec rx = {.n = &n};
  Socket *s = socket_new(n.h1, SOCKET_UDP, &rec_udp, &rx);
  ck_assert_int_eq(socket_bind(s, 0, 5000), 0);
  rx.in_call = TRUE;
  ck_assert_int_eq(socket_sendto(s, "hello", 5, H1, 5000), 5);
  ck_assert_int_eq(rx.readable, 0);
  rx.in_call = FALSE;
  net_run(&n, SIMTIME_S(1));
  ck_assert_int_eq(rx.readable, 1);
  ck_assert_int_eq(rx.t_readable, 0); /* at once, with no link */
  char buf[8];
  uint32_t from;
  ck_assert_int_eq(socket_recvfrom(s, buf, sizeof buf, &from, NULL), 5);
  ck_assert_uint_eq(from, H1);
  socket_close(s);
  net_free(&n);
}
END_TEST

/* connect() sets the default peer; a closed port answers with ICMP port
 * unreachable, which comes back as -ECONNREFUSED on the error callback. */
START_TEST(test_udp_connected_refused)
{
  Net n = net_new(two_hosts);
  Rec r = {.n = &n};
  Socket *s = socket_new(n.h1, SOCKET_UDP, &rec_udp, &r);
  ck_assert_int_eq(socket_send(s, "x", 1), -EDESTADDRREQ);
  ck_assert_int_eq(socket_connect(s, H2, 9999), 0);
  uint32_t la, pa;
  uint16_t lp, pp;
  socket_local(s, &la, &lp);
  socket_peer(s, &pa, &pp);
  ck_assert_uint_eq(la, H1); /* chosen from the route at connect */
  ck_assert_uint_ge(lp, 49152);
  ck_assert_uint_eq(pa, H2);
  ck_assert_uint_eq(pp, 9999);
  r.in_call = TRUE;
  ck_assert_int_eq(socket_send(s, "ping", 4), 4);
  r.in_call = FALSE;
  net_run(&n, SIMTIME_S(1));
  ck_assert(!r.reentered);
  ck_assert_int_eq(r.errors, 1);
  ck_assert_int_eq(r.last_error, -ECONNREFUSED);
  /* The ICMP error quotes the IP header and 8 bytes: 14 + 20 + 8 + 28. */
  ck_assert_int_eq(r.t_error, 2 * hop(FRAME_ARP) + hop(FRAME_UDP(4)) + hop(14 + 20 + 8 + 28));
  ck_assert_str_eq(socket_strerror(r.last_error), "connection refused");
  Counters c;
  node_counters_total(n.h2, &c);
  ck_assert_uint_eq(c.drops[DROP_PORT_UNREACHABLE], 1);
  socket_close(s);
  net_free(&n);
}
END_TEST

/* A connected socket takes datagrams only from its peer; others are refused. */
START_TEST(test_udp_connected_filters)
{
  Net n = net_new(two_hosts);
  Rec r = {.n = &n}, other = {.n = &n};
  Socket *s = socket_new(n.h2, SOCKET_UDP, &rec_udp, &r);
  Socket *peer = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  Socket *stranger = socket_new(n.h1, SOCKET_UDP, &rec_udp, &other);
  ck_assert_int_eq(socket_bind(s, 0, 7000), 0);
  ck_assert_int_eq(socket_bind(peer, 0, 7001), 0);
  ck_assert_int_eq(socket_connect(s, H1, 7001), 0);
  ck_assert_int_eq(socket_sendto(stranger, "a", 1, H2, 7000), 1);
  ck_assert_int_eq(socket_sendto(peer, "b", 1, H2, 7000), 1);
  net_run(&n, SIMTIME_S(1));
  ck_assert_int_eq(r.readable, 1);
  char c;
  ck_assert_int_eq(socket_recv(s, &c, 1), 1);
  ck_assert_int_eq(c, 'b');
  ck_assert_int_eq(other.errors, 1);
  ck_assert_int_eq(other.last_error, -ECONNREFUSED);
  socket_close(s);
  socket_close(peer);
  socket_close(stranger);
  net_free(&n);
}
END_TEST

START_TEST(test_udp_send_errors)
{
  Net n = net_new(two_hosts);
  Socket *s = socket_new(n.h1, SOCKET_UDP, NULL, NULL);
  static uint8_t big[65508];
  ck_assert_int_eq(socket_sendto(s, big, sizeof big, H2, 9), -EMSGSIZE);
  ck_assert_int_eq(socket_sendto(s, big, sizeof big - 1, H2, 9), (ssize_t)sizeof big - 1);
  /* No route (no gateway) to another network. */
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0xc0a80101u, 9), -ENETUNREACH);
  ck_assert_int_eq(socket_connect(s, 0xc0a80101u, 9), -ENETUNREACH);
  /* Don't Fragment on a datagram larger than the MTU (1500). */
  socket_set_df(s, TRUE);
  ck_assert_int_eq(socket_sendto(s, big, 1473, H2, 9), -EMSGSIZE);
  ck_assert_int_eq(socket_sendto(s, big, 1472, H2, 9), 1472);
  ck_assert_int_eq(socket_listen(s, 5), -EINVAL);
  ck_assert_int_eq(socket_shutdown(s), -ENOTCONN);
  socket_close(s);
  socket_close(NULL);
  net_free(&n);
}
END_TEST

/* Sends `count` 1000-byte datagrams from h1 to h2:9000, one per 100us. */
typedef struct {
  Socket *s;
  int left;
} Burst;

static void burst_event(void *obj, void *arg)
{
  Burst *b = obj;
  Net *n = arg;
  static const uint8_t payload[1000];
  socket_sendto(b->s, payload, sizeof payload, H2, 9000);
  if (--b->left > 0)
    scheduler_after(n->net->ctx.sched, SIMTIME_US(100), burst_event, b, n);
}

/* A socket nobody reads fills up: Linux's 212992 bytes, each 1000-byte
 * datagram charged 1256: 169 fit, the rest are counted drops. */
START_TEST(test_udp_rcvbuf_full)
{
  Net n = net_new(two_hosts);
  Socket *srv = socket_new(n.h2, SOCKET_UDP, NULL, NULL);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  Burst b = {socket_new(n.h1, SOCKET_UDP, NULL, NULL), 300};
  scheduler_at(n.net->ctx.sched, 0, burst_event, &b, &n);
  net_run(&n, SIMTIME_S(1));
  Counters c;
  node_counters_total(n.h2, &c);
  ck_assert_uint_eq(c.drops[DROP_SOCKET_RCVBUF_FULL], 300 - 169);
  int got = 0;
  uint8_t buf[1000];
  while (socket_recv(srv, buf, sizeof buf) == 1000)
    got++;
  ck_assert_int_eq(got, 169);
  ck_assert_str_eq(drop_reason_name(DROP_SOCKET_RCVBUF_FULL), "socket-rcvbuf-full");
  socket_close(srv);
  socket_close(b.s);
  net_free(&n);
}
END_TEST

/* An app may close a socket from its own callback; the port is free after. */
START_TEST(test_udp_close_from_callback)
{
  Net n = net_new(two_hosts);
  Rec rx = {.n = &n, .close_on_readable = TRUE}, tx = {.n = &n};
  Socket *srv = socket_new(n.h2, SOCKET_UDP, &rec_udp, &rx);
  Socket *cli = socket_new(n.h1, SOCKET_UDP, &rec_udp, &tx);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  ck_assert_int_eq(socket_sendto(cli, "1", 1, H2, 9000), 1);
  net_run(&n, SIMTIME_MS(100));
  ck_assert_int_eq(rx.readable, 1);
  ck_assert_int_eq(socket_sendto(cli, "2", 1, H2, 9000), 1);
  net_run(&n, SIMTIME_MS(200));
  ck_assert_int_eq(rx.readable, 1);
  ck_assert_int_eq(tx.errors, 1); /* the port is closed now */
  socket_close(cli);
  net_free(&n);
}
END_TEST

/* ICMP errors from a router reach the sending socket: time exceeded for a
 * datagram sent with TTL 1, net unreachable for a network the router has
 * no route to. */
START_TEST(test_udp_router_errors)
{
  Net n = net_new("scenario: t\n"
                  "stop: 10s\n"
                  "nodes:\n"
                  "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                  "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                  "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                  "links:\n"
                  "  - [h1, r1:eth0]\n"
                  "  - [r1:eth1, h2]\n");
  Rec r = {.n = &n}, rx = {.n = &n};
  Socket *s = socket_new(n.h1, SOCKET_UDP, &rec_udp, &r);
  Socket *srv = socket_new(network_node(n.net, 2), SOCKET_UDP, &rec_udp, &rx);
  ck_assert_int_eq(socket_bind(srv, 0, 9000), 0);
  socket_set_ttl(s, 1);
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a00020au, 9000), 1);
  net_run(&n, SIMTIME_S(1));
  ck_assert_int_eq(r.errors, 1);
  ck_assert_int_eq(r.last_error, -EHOSTUNREACH);
  ck_assert_int_eq(rx.readable, 0);
  socket_set_ttl(s, 0); /* back to 64 */
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a00020au, 9000), 1);
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a000909u, 9000), 1); /* h1 routes it to r1 */
  net_run(&n, SIMTIME_S(2));
  ck_assert_int_eq(rx.readable, 1);
  ck_assert_int_eq(r.errors, 2);
  ck_assert_int_eq(r.last_error, -ENETUNREACH);
  socket_close(s);
  socket_close(srv);
  net_free(&n);
}
END_TEST

/* A datagram to an address of h1's own subnet that nobody holds: ARP
 * gives up 3 s later and the sending socket hears -EHOSTUNREACH, as a
 * Linux socket with IP_RECVERR does. */
START_TEST(test_udp_arp_failed)
{
  Net n = net_new(two_hosts);
  Rec r = {.n = &n};
  Socket *s = socket_new(n.h1, SOCKET_UDP, &rec_udp, &r);
  ck_assert_int_eq(socket_sendto(s, "x", 1, 0x0a000063u, 9000), 1);
  net_run(&n, SIMTIME_S(5));
  ck_assert_int_eq(r.errors, 1);
  ck_assert_int_eq(r.last_error, -EHOSTUNREACH);
  ck_assert_int_eq(r.t_error, SIMTIME_S(3));
  socket_close(s);
  net_free(&n);
}
END_TEST

START_TEST(test_strerror)
{
  ck_assert_str_eq(socket_strerror(-EADDRINUSE), "address already in use");
  ck_assert_str_eq(socket_strerror(-ECONNRESET), "connection reset by peer");
  ck_assert_str_eq(socket_strerror(-ETIMEDOUT), "connection timed out");
  ck_assert_str_eq(socket_strerror(-EAGAIN), "resource temporarily unavailable");
  ck_assert_str_eq(socket_strerror(-12345), "unknown error");
}
END_TEST

/* ---- TCP through sockets ------------------------------------------------- */

#define STREAM_LEN 100000

/* Both ends of a TCP test: what each side's callbacks saw. */
typedef struct {
  Net *n;
  Rec cli, srv; /* client socket; listener and accepted child */
  Socket *c, *l, *child;
  GByteArray *got; /* bytes the server read */
  gboolean eof;    /* the server read the end of stream */
  size_t to_send, sent;
  uint8_t *data;
  gboolean close_child_unread; /* the child closes at its first readable, unread: RST */
} Tcp;

static void tcp_cli_connected(Socket *s, void *user);
static void tcp_cli_writable(Socket *s, void *user);

static void tcp_cli_closed(Socket *s, int err, void *user)
{
  Tcp *t = user;
  (void)s;
  t->cli.closed++;
  t->cli.closed_err = err;
  t->cli.t_closed = now_of(t->n);
}

static const SocketCallbacks tcp_cli_cb = {
    .connected = tcp_cli_connected, .writable = tcp_cli_writable, .closed = tcp_cli_closed};

/* Puts as much of the data as fits into the send buffer; shuts down after the last byte. */
static void tcp_cli_push(Tcp *t)
{
  while (t->sent < t->to_send) {
    ssize_t n = socket_send(t->c, t->data + t->sent, t->to_send - t->sent);
    ck_assert_int_ge(n, 0);
    if (n == 0)
      return;
    t->sent += (size_t)n;
  }
  if (t->to_send)
    ck_assert_int_eq(socket_shutdown(t->c), 0);
}

static void tcp_cli_connected(Socket *s, void *user)
{
  Tcp *t = user;
  (void)s;
  rec_check(&t->cli);
  t->cli.connected++;
  t->cli.t_connected = now_of(t->n);
  tcp_cli_push(t);
}

static void tcp_cli_writable(Socket *s, void *user)
{
  Tcp *t = user;
  ck_assert_uint_gt(socket_send_space(s), 0);
  t->cli.writable++;
  tcp_cli_push(t);
}

/* The server's child: reads everything, closes at the end of stream. */
static void tcp_child_readable(Socket *s, void *user)
{
  Tcp *t = user;
  uint8_t buf[4096];
  ssize_t n;
  t->srv.readable++;
  if (t->close_child_unread) {
    socket_close(s);
    t->child = NULL;
    return;
  }
  while ((n = socket_recv(s, buf, sizeof buf)) > 0)
    g_byte_array_append(t->got, buf, (guint)n);
  if (n == 0) {
    t->eof = TRUE;
    socket_close(s); /* from its own callback */
    t->child = NULL;
  }
}

static void tcp_child_closed(Socket *s, int err, void *user)
{
  Tcp *t = user;
  (void)s;
  t->srv.closed++;
  t->srv.closed_err = err;
}

static const SocketCallbacks tcp_child_cb = {.readable = tcp_child_readable, .closed = tcp_child_closed};

static void tcp_srv_accepted(Socket *l, Socket *child, void *user)
{
  Tcp *t = user;
  (void)l;
  rec_check(&t->srv);
  t->srv.accepted++;
  t->srv.t_accepted = now_of(t->n);
  t->child = child;
  socket_set_callbacks(child, &tcp_child_cb, t);
}

static const SocketCallbacks tcp_srv_cb = {.accepted = tcp_srv_accepted};

static void tcp_setup(Tcp *t, Net *n, size_t len, uint16_t listen_port)
{
  *t = (Tcp){.n = n, .to_send = len};
  t->cli.n = t->srv.n = n;
  t->got = g_byte_array_new();
  t->data = g_malloc(len ? len : 1);
  for (size_t i = 0; i < len; i++)
    t->data[i] = (uint8_t)(i * 7 + i / 251);
  if (listen_port) {
    t->l = socket_new(n->h2, SOCKET_TCP, &tcp_srv_cb, t);
    ck_assert_int_eq(socket_bind(t->l, 0, listen_port), 0);
    ck_assert_int_eq(socket_listen(t->l, 8), 0);
  }
  t->c = socket_new(n->h1, SOCKET_TCP, &tcp_cli_cb, t);
}

static void tcp_teardown(Tcp *t)
{
  socket_close(t->c);
  socket_close(t->child);
  socket_close(t->l);
  g_byte_array_free(t->got, TRUE);
  g_free(t->data);
}

/* A whole connection: handshake, 100000 bytes through a 16 KiB send
 * buffer (writable wakes the sender), shutdown, end of stream, close from
 * the server's callback, and an orderly close seen by the client. */
START_TEST(test_tcp_transfer)
{
  Net n = net_new(two_hosts);
  Tcp t;
  tcp_setup(&t, &n, STREAM_LEN, 80);
  TcpConfig cfg = n.sc->tcp;
  cfg.sndbuf = 16384;
  socket_set_tcp(t.c, &cfg);
  guint states = 0;
  socket_track_states(t.c, &states);
  ck_assert_int_eq(socket_send(t.c, "x", 1), -ENOTCONN);
  t.cli.in_call = TRUE;
  ck_assert_int_eq(socket_connect(t.c, H2, 80), 0);
  t.cli.in_call = FALSE;
  ck_assert_int_eq(socket_tcp_state(t.c), TCP_SYN_SENT);
  uint32_t la, pa;
  uint16_t lp, pp;
  socket_local(t.c, &la, &lp);
  socket_peer(t.c, &pa, &pp);
  ck_assert_uint_eq(la, H1);
  ck_assert_uint_ge(lp, 49152);
  ck_assert_uint_eq(pa, H2);
  ck_assert_uint_eq(pp, 80);
  net_run(&n, SIMTIME_S(200));
  ck_assert(!t.cli.reentered);
  ck_assert_int_eq(t.cli.connected, 1);
  /* ARP, then SYN and SYN-ACK (each a frame of 60 to 100 bytes). */
  ck_assert_int_ge(t.cli.t_connected, 2 * hop(FRAME_ARP) + 2 * hop(FRAME_ARP));
  ck_assert_int_le(t.cli.t_connected, 2 * hop(FRAME_ARP) + 2 * hop(100));
  ck_assert_int_eq(t.srv.accepted, 1);
  ck_assert_int_gt(t.cli.writable, 0);
  ck_assert_uint_eq(t.sent, STREAM_LEN);
  ck_assert(t.eof);
  ck_assert_uint_eq(t.got->len, STREAM_LEN);
  ck_assert_mem_eq(t.got->data, t.data, STREAM_LEN);
  ck_assert_int_eq(t.cli.closed, 1);
  ck_assert_int_eq(t.cli.closed_err, 0);
  ck_assert_int_eq(socket_tcp_state(t.c), TCP_CLOSED);
  ck_assert_uint_eq(socket_tcp_stats(t.c)->bytes_acked, STREAM_LEN);
  ck_assert(states & (1u << TCP_SYN_SENT));
  ck_assert(states & (1u << TCP_ESTABLISHED));
  ck_assert(states & (1u << TCP_FIN_WAIT_1));
  ck_assert(states & (1u << TCP_TIME_WAIT));
  tcp_teardown(&t);
  net_free(&n);
}
END_TEST

/* No listener: the RST answering the SYN ends the connect with -ECONNREFUSED. */
START_TEST(test_tcp_refused)
{
  Net n = net_new(two_hosts);
  Tcp t;
  tcp_setup(&t, &n, 0, 0);
  ck_assert_int_eq(socket_connect(t.c, H2, 81), 0);
  net_run(&n, SIMTIME_S(10));
  ck_assert_int_eq(t.cli.connected, 0);
  ck_assert_int_eq(t.cli.closed, 1);
  ck_assert_int_eq(t.cli.closed_err, -ECONNREFUSED);
  /* ARP, the SYN, the RST (a 54-byte frame padded to 60). */
  ck_assert_int_ge(t.cli.t_closed, 2 * hop(FRAME_ARP) + hop(FRAME_ARP) + hop(FRAME_ARP));
  ck_assert_int_le(t.cli.t_closed, 2 * hop(FRAME_ARP) + hop(100) + hop(FRAME_ARP));
  ck_assert_int_eq(socket_send(t.c, "x", 1), -ECONNREFUSED);
  tcp_teardown(&t);
  net_free(&n);
}
END_TEST

/* Nothing answers (h3 runs no TCP, so its SYNs vanish there): with 2 SYN
 * retries and a 1 s initial RTO, connect gives up 1 + 2 + 4 s after the
 * first SYN. */
START_TEST(test_tcp_timed_out)
{
  Net n = net_new("scenario: t\n"
                  "stop: 100s\n"
                  "nodes:\n"
                  "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                  "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                  "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                  "  s1: { kind: switch }\n"
                  "links:\n"
                  "  - { ends: [h1, s1] }\n"
                  "  - { ends: [h2, s1] }\n"
                  "  - { ends: [h3, s1] }\n");
  Tcp t;
  Node *h3 = network_node(n.net, 2);
  TcpStack *h3_tcp = h3->tcp;
  tcp_setup(&t, &n, 0, 0);
  TcpConfig cfg = n.sc->tcp;
  cfg.syn_retries = 2;
  socket_set_tcp(t.c, &cfg);
  h3->tcp = NULL;
  ck_assert_int_eq(socket_connect(t.c, 0x0a000003u, 80), 0);
  net_run(&n, SIMTIME_S(60));
  h3->tcp = h3_tcp;
  ck_assert_int_eq(t.cli.closed, 1);
  ck_assert_int_eq(t.cli.closed_err, -ETIMEDOUT);
  ck_assert_int_eq(t.cli.t_closed, SIMTIME_S(1 + 2 + 4));
  ck_assert_int_eq(t.cli.connected, 0);
  tcp_teardown(&t);
  net_free(&n);
}
END_TEST

/* h3 never answers ARP (its link loses everything): after 3 requests a
 * second apart ARP gives up, and the SYN waiting for it comes back as
 * ICMP host unreachable from h1 to itself, as Linux's: connect fails with
 * -EHOSTUNREACH ("No route to host") 3 s after it began. */
START_TEST(test_tcp_arp_failed)
{
  Net n = net_new("scenario: t\n"
                  "stop: 100s\n"
                  "nodes:\n"
                  "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                  "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                  "  h3: { kind: host, ip: 10.0.0.3/24 }\n"
                  "  s1: { kind: switch }\n"
                  "links:\n"
                  "  - { ends: [h1, s1] }\n"
                  "  - { ends: [h2, s1] }\n"
                  "  - { ends: [h3, s1], loss: 100% }\n");
  Tcp t;
  tcp_setup(&t, &n, 0, 0);
  ck_assert_int_eq(socket_connect(t.c, 0x0a000003u, 80), 0);
  net_run(&n, SIMTIME_S(60));
  ck_assert_int_eq(t.cli.closed, 1);
  ck_assert_int_eq(t.cli.closed_err, -EHOSTUNREACH);
  ck_assert_int_eq(t.cli.t_closed, SIMTIME_S(3));
  ck_assert_int_eq(t.cli.connected, 0);
  ck_assert_str_eq(socket_strerror(t.cli.closed_err), "no route to host");
  tcp_teardown(&t);
  net_free(&n);
}
END_TEST

/* The server closes with data unread: RST, and the client sees -ECONNRESET. */
START_TEST(test_tcp_reset)
{
  Net n = net_new(two_hosts);
  Tcp t;
  tcp_setup(&t, &n, 1000, 80);
  t.close_child_unread = TRUE;
  t.to_send = 100; /* no shutdown after: the connection stays open until the RST */
  ck_assert_int_eq(socket_connect(t.c, H2, 80), 0);
  net_run(&n, SIMTIME_S(10));
  ck_assert_int_eq(t.srv.readable, 1);
  ck_assert_int_eq(t.cli.closed, 1);
  ck_assert_int_eq(t.cli.closed_err, -ECONNRESET);
  ck_assert_int_eq(socket_tcp_state(t.c), TCP_CLOSED);
  tcp_teardown(&t);
  net_free(&n);
}
END_TEST

START_TEST(test_tcp_ports)
{
  Net n = net_new(two_hosts);
  Socket *a = socket_new(n.h2, SOCKET_TCP, NULL, NULL);
  Socket *b = socket_new(n.h2, SOCKET_TCP, NULL, NULL);
  Socket *u = socket_new(n.h2, SOCKET_UDP, NULL, NULL);
  Socket *e = socket_new(n.h2, SOCKET_TCP, NULL, NULL);
  ck_assert_int_eq(socket_bind(a, 0, 80), 0);
  ck_assert_int_eq(socket_listen(a, 4), 0);
  ck_assert_int_eq(socket_tcp_state(a), TCP_LISTEN);
  ck_assert_int_eq(socket_bind(b, 0, 80), -EADDRINUSE);
  ck_assert_int_eq(socket_bind(b, H1, 81), -EADDRNOTAVAIL);
  ck_assert_int_eq(socket_bind(u, 0, 80), 0); /* UDP and TCP ports are apart */
  ck_assert_int_eq(socket_listen(a, 4), -EINVAL);
  ck_assert_int_eq(socket_connect(a, H1, 80), -EINVAL);
  ck_assert_int_eq(socket_send(a, "x", 1), -ENOTCONN);
  ck_assert_int_eq(socket_sendto(a, "x", 1, H1, 80), -EOPNOTSUPP);
  ck_assert_int_eq(socket_listen(e, 4), 0); /* unbound: an ephemeral port */
  uint16_t port;
  socket_local(e, NULL, &port);
  ck_assert_uint_ge(port, 49152);
  socket_close(a);
  net_run(&n, SIMTIME_MS(1));                 /* TCP frees the closed listener by an event */
  ck_assert_int_eq(socket_bind(b, 0, 80), 0); /* free again */
  socket_close(b);
  socket_close(u);
  socket_close(e);
  net_free(&n);
}
END_TEST

/* ---- the UDP applications ------------------------------------------------ */

/* Asserts that "<time> <who>: <text>" is a whole line of the output. */
static void assert_line_at(const char *text, SimTime t, const char *who, const char *line)
{
  char *needle = g_strdup_printf("\n%" PRId64 ".%09" PRId64 " %s: %s\n", t / 1000000000, t % 1000000000, who, line);
  char *hay = g_strdup_printf("\n%s", text);
  ck_assert_msg(strstr(hay, needle) != NULL, "missing line:%sin output:\n%s", needle, text);
  g_free(needle);
  g_free(hay);
}

static int count_lines(const char *text)
{
  int n = 0;
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  return n;
}

static char *yaml_with_apps(const char *apps)
{
  return g_strdup_printf("%sapps:\n%s", two_hosts, apps);
}

/* Round trips computed from the links: the first waits for ARP. */
START_TEST(test_udp_echo_rtt)
{
  char *yaml = yaml_with_apps("  - { name: srv, type: udp-echo-server, on: h2 }\n"
                              "  - { name: echo, type: udp-echo, on: h1, to: h2, start: 1s, count: 3 }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  SimTime rtt = 2 * hop(FRAME_UDP(56)); /* 2 x 1.00784 ms */
  SimTime arp = 2 * hop(FRAME_ARP);
  ck_assert_int_eq(rtt, 2015680);
  App *srv = testlib_run_app(&r, 0), *echo = testlib_run_app(&r, 1);
  uint16_t sport = echo->flow.sport;
  ck_assert_uint_ge(sport, 49152);
  assert_line_at(r.text, SIMTIME_S(1), "h1 echo", "UDP echo to 10.0.0.2:7: 56-byte datagrams every 1s, 3 of them");
  assert_line_at(r.text, SIMTIME_S(1) + arp + rtt, "h1 echo", "56 bytes from 10.0.0.2:7: seq=0 time=4.025 ms");
  assert_line_at(r.text, SIMTIME_S(2) + rtt, "h1 echo", "56 bytes from 10.0.0.2:7: seq=1 time=2.016 ms");
  assert_line_at(r.text, SIMTIME_S(3) + rtt, "h1 echo", "56 bytes from 10.0.0.2:7: seq=2 time=2.016 ms");
  assert_line_at(r.text, SIMTIME_S(100), "h1 echo",
                 "sent 3, received 3, lost 0 (0%), rtt min/avg/max = 2.016/2.686/4.025 ms");
  assert_line_at(r.text, SIMTIME_S(100), "h2 srv", "echoed 3 datagrams (168 bytes)");
  ck_assert_int_eq(count_lines(r.text), 6);
  ck_assert_uint_eq(echo->sent, 3);
  ck_assert_uint_eq(echo->received, 3);
  ck_assert_int_eq(echo->done_at, SIMTIME_S(3) + rtt);
  ck_assert(echo->has_flow);
  ck_assert_uint_eq(echo->flow.src, H1);
  ck_assert_uint_eq(echo->flow.dst, H2);
  ck_assert_uint_eq(echo->flow.dport, 7);
  ck_assert_uint_eq(srv->received, 3);
  ck_assert_uint_eq(srv->sent, 3);
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

/* No server: every datagram is answered by port unreachable. */
START_TEST(test_udp_echo_refused)
{
  char *yaml = yaml_with_apps("  - { name: echo, type: udp-echo, on: h1, to: \"h2:9\", count: 2, size: 8 }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  App *echo = testlib_run_app(&r, 0);
  ck_assert_uint_eq(echo->sent, 2);
  ck_assert_uint_eq(echo->received, 0);
  ck_assert_int_eq(echo->done_at, -1);
  SimTime err = hop(FRAME_UDP(8)) + hop(14 + 20 + 8 + 28);
  assert_line_at(r.text, 2 * hop(FRAME_ARP) + err, "h1 echo", "error: connection refused");
  assert_line_at(r.text, SIMTIME_S(1) + err, "h1 echo", "error: connection refused");
  assert_line_at(r.text, SIMTIME_S(100), "h1 echo", "sent 2, received 0, lost 2 (100%), 2 errors");
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

/* Constant periods: 100 ms on at 8 Mbps (1000-byte datagrams every 1 ms),
 * 100 ms off, from 1 s to 2 s: five on periods of 100 datagrams. */
START_TEST(test_onoff_constant)
{
  char *yaml = yaml_with_apps("  - { name: sink, type: udp-sink, on: h2, port: 9000 }\n"
                              "  - { name: oo, type: onoff, on: h1, to: \"h2:9000\", rate: 8Mbps, on-time: 100ms,\n"
                              "      off-time: 100ms, start: 1s, stop: 2s }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  App *sink = testlib_run_app(&r, 0), *oo = testlib_run_app(&r, 1);
  ck_assert_uint_eq(oo->sent, 500);
  ck_assert_int_eq(oo->done_at, SIMTIME_S(1) + SIMTIME_MS(899)); /* the last of the fifth period */
  ck_assert_uint_eq(sink->received, 500);
  assert_line_at(r.text, SIMTIME_S(1), "h1 oo",
                 "sending 1000-byte datagrams to 10.0.0.2:9000 at 8Mbps, on 100ms, off 100ms");
  assert_line_at(r.text, SIMTIME_S(100), "h1 oo", "sent 500 datagrams (500000 bytes) in 5 on periods");
  char *from = g_strdup_printf("from 10.0.0.1:%u: 500 datagrams, lost 0, out of order 0", oo->flow.sport);
  assert_line_at(r.text, SIMTIME_S(100), "h2 sink", from);
  g_free(from);
  /* The flow table saw exactly the on periods' packets. */
  ck_assert(oo->has_flow);
  ck_assert_uint_eq(oo->flow.dport, 9000);
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

/* Exponential periods: the same seed gives the same traffic, another seed
 * other traffic; the mean rate is about half the on rate. */
START_TEST(test_onoff_exponential)
{
  uint64_t sent[3];
  for (int i = 0; i < 3; i++) {
    char *yaml = g_strdup_printf("seed: %d\n%sapps:\n"
                                 "  - { name: oo, type: onoff, on: h1, to: \"h2:9000\", rate: 8Mbps, size: 1000,\n"
                                 "      on-time: exp(100ms), off-time: exp(100ms), stop: 20s }\n"
                                 "  - { name: sink, type: udp-sink, on: h2, port: 9000 }\n",
                                 i < 2 ? 1 : 2, two_hosts);
    TestRun r = testlib_run_scenario(yaml, NULL);
    sent[i] = testlib_run_app(&r, 0)->sent;
    ck_assert_uint_eq(testlib_run_app(&r, 1)->received, sent[i]);
    ck_assert_msg(strstr(r.text, "on exp(100ms), off exp(100ms)") != NULL, "%s", r.text);
    testlib_run_free(&r);
    g_free(yaml);
  }
  ck_assert_uint_eq(sent[0], sent[1]);
  ck_assert_uint_ne(sent[0], sent[2]);
  for (int i = 0; i < 3; i++) {
    ck_assert_uint_gt(sent[i], 7000); /* 20 s x 1000/s x 1/2 = 10000 on average */
    ck_assert_uint_lt(sent[i], 13000);
  }
}
END_TEST

/* udp-cbr still prints and counts what it did before sockets. */
START_TEST(test_udp_cbr_on_sockets)
{
  char *yaml = yaml_with_apps("  - { name: sink, type: udp-sink, on: h2, port: 9000 }\n"
                              "  - { name: cbr, type: udp-cbr, on: h1, to: \"h2:9000\", size: 20, interval: 10ms,\n"
                              "      stop: 1s }\n"
                              "  - { name: lost, type: udp-cbr, on: h1, to: \"192.168.0.1:9\", interval: 100ms,\n"
                              "      stop: 1s }\n");
  TestRun r = testlib_run_scenario(yaml, NULL);
  ck_assert_uint_eq(testlib_run_app(&r, 1)->sent, 100);
  ck_assert_int_eq(testlib_run_app(&r, 1)->done_at, SIMTIME_MS(990));
  ck_assert_uint_eq(testlib_run_app(&r, 0)->received, 100);
  assert_line_at(r.text, SIMTIME_S(100), "h1 lost", "sent 0 datagrams (0 bytes), 10 not sent (no route)");
  testlib_run_free(&r);
  g_free(yaml);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("socket");
  TCase *udp = tcase_create("udp");
  tcase_add_test(udp, test_bind_conflicts);
  tcase_add_test(udp, test_ephemeral_ports);
  tcase_add_test(udp, test_udp_sendto_recvfrom);
  tcase_add_test(udp, test_udp_sendto_zeros);
  tcase_add_test(udp, test_udp_route_cache_follows_table);
  tcase_add_test(udp, test_udp_truncation);
  tcase_add_test(udp, test_udp_loopback_not_synchronous);
  tcase_add_test(udp, test_udp_connected_refused);
  tcase_add_test(udp, test_udp_connected_filters);
  tcase_add_test(udp, test_udp_send_errors);
  tcase_add_test(udp, test_udp_rcvbuf_full);
  tcase_add_test(udp, test_udp_close_from_callback);
  tcase_add_test(udp, test_udp_router_errors);
  tcase_add_test(udp, test_udp_arp_failed);
  tcase_add_test(udp, test_strerror);
  suite_add_tcase(s, udp);
  TCase *tcp = tcase_create("tcp");
  tcase_add_test(tcp, test_tcp_transfer);
  tcase_add_test(tcp, test_tcp_refused);
  tcase_add_test(tcp, test_tcp_timed_out);
  tcase_add_test(tcp, test_tcp_arp_failed);
  tcase_add_test(tcp, test_tcp_reset);
  tcase_add_test(tcp, test_tcp_ports);
  suite_add_tcase(s, tcp);
  TCase *apps = tcase_create("apps");
  tcase_add_test(apps, test_udp_echo_rtt);
  tcase_add_test(apps, test_udp_echo_refused);
  tcase_add_test(apps, test_onoff_constant);
  tcase_add_test(apps, test_onoff_exponential);
  tcase_add_test(apps, test_udp_cbr_on_sockets);
  suite_add_tcase(s, apps);
  return testlib_run_suite(s);
}
