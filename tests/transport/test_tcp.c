/*
 * TCP tests: connections driven directly through models/transport/tcp.h
 * over small networks built from YAML, asserting what a user notices:
 * state sequences, handshake timing, bytes delivered in order, retransmission
 * timings, and the answers to bad segments.
 */
#include <errno.h>
#include <string.h>

#include "models/core/network.h"
#include "sim/build/build.h"
#include "models/transport/tcp.h"
#include "models/transport/tcp_conn.h"
#include "models/internet/checksum.h"
#include "models/internet/ipv4_wire.h"
#include "tests/testlib.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define H1 IP(10, 0, 1, 10)
#define H2 IP(10, 0, 2, 10)

/* ---- fixtures ------------------------------------------------------- */

static const char *net_yaml = "scenario: t\n"
                              "stop: 1000s\n"
                              "nodes:\n"
                              "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                              "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                              "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                              "links:\n"
                              "  - { ends: [h1, r1:eth0], rate: %s, delay: %s%s }\n"
                              "  - { ends: [r1:eth1, h2], rate: %s, delay: %s%s }\n";

typedef struct {
  Scenario *sc;
  Network *net;
  Node *h1, *r1, *h2;
  TcpConfig cfg;
} T;

/* Two hosts through a router: h1 -(rate1, delay1)- r1 -(rate2, delay2)- h2;
 * `extra` adds link keys (loss, queue). */
static T t_new_links(const char *rate1, const char *delay1, const char *extra1, const char *rate2, const char *delay2,
                     const char *extra2)
{
  T t;
  char *yaml = g_strdup_printf(net_yaml, rate1, delay1, extra1, rate2, delay2, extra2);
  t.sc = testlib_load_ok(yaml);
  g_free(yaml);
  t.net = build_network(t.sc);
  if (g_getenv("TEST_TRACE"))
    t.net->ctx.trace = trace_new(stderr, FALSE, TRACE_ALL);
  t.h1 = testlib_node(t.net, "h1");
  t.r1 = testlib_node(t.net, "r1");
  t.h2 = testlib_node(t.net, "h2");
  t.cfg = t.sc->tcp;  /* the built-in defaults the loader filled */
  t.cfg.sack = FALSE; /* NewReno alone unless a test asks for SACK */
  return t;
}

static T t_new_full(const char *rate, const char *delay, const char *extra1, const char *extra2)
{
  return t_new_links(rate, delay, extra1, rate, delay, extra2);
}

static T t_new(const char *rate, const char *delay)
{
  return t_new_full(rate, delay, "", "");
}

static void t_free(T *t)
{
  network_free(t->net);
  scenario_free(t->sc);
}

static void t_run(T *t, SimTime until)
{
  scheduler_run(t->net->ctx.sched, until);
}

/* ---- an owner: sends `total` bytes of pseudo-random data, or receives -- */

typedef struct Peer {
  TcpConn *c, *listener;
  const uint8_t *data;
  size_t total, sent;
  GByteArray *rx;
  gboolean read, close_on_eof, close_after_send, shutdown_after_send, connected, eof, closed;
  int closed_err;
  SimTime connected_at, eof_at, closed_at, sent_all_at;
  guint states;
  T *t;
} Peer;

static void peer_push(Peer *p);

static void peer_connected(void *owner, TcpConn *c)
{
  Peer *p = owner;
  (void)c;
  p->connected = TRUE;
  p->connected_at = network_now(p->t->net);
  peer_push(p);
}

static void peer_readable(void *owner);
static void peer_writable(void *owner);
static void peer_closed(void *owner, int err);
static void peer_accepted(void *owner, TcpConn *child);

static const TcpUpcalls peer_up = {peer_connected, peer_accepted, peer_readable, peer_writable, peer_closed};

static void peer_accepted(void *owner, TcpConn *child)
{
  Peer *p = owner;
  p->c = child;
  p->connected = TRUE;
  p->connected_at = network_now(p->t->net);
  tcp_set_owner(child, &peer_up, p);
  peer_push(p);
}

static void peer_readable(void *owner)
{
  Peer *p = owner;
  uint8_t buf[4096];
  ssize_t n;

  if (!p->read)
    return;
  while ((n = tcp_recv(p->c, buf, sizeof buf)) > 0)
    g_byte_array_append(p->rx, buf, (guint)n);
  if (n == 0 && !p->eof) {
    p->eof = TRUE;
    p->eof_at = network_now(p->t->net);
    if (p->close_on_eof)
      tcp_close(p->c);
  }
}

static void peer_writable(void *owner)
{
  peer_push(owner);
}

static void peer_closed(void *owner, int err)
{
  Peer *p = owner;
  p->closed = TRUE;
  p->closed_err = err;
  p->closed_at = network_now(p->t->net);
}

static void peer_push(Peer *p)
{
  while (p->sent < p->total) {
    ssize_t n = tcp_send(p->c, p->data + p->sent, p->total - p->sent);
    if (n <= 0)
      return;
    p->sent += (size_t)n;
  }
  if (p->total && p->sent == p->total && (p->close_after_send || p->shutdown_after_send) && !p->sent_all_at) {
    p->sent_all_at = network_now(p->t->net);
    if (p->close_after_send)
      tcp_close(p->c);
    else
      tcp_shutdown(p->c);
  }
}

static Peer *peer_new(T *t)
{
  Peer *p = g_new0(Peer, 1);
  p->t = t;
  p->rx = g_byte_array_new();
  p->read = TRUE;
  p->closed_err = 1;
  return p;
}

static void peer_free(Peer *p)
{
  g_byte_array_free(p->rx, TRUE);
  g_free(p);
}

static uint8_t *t_random_bytes(size_t n, uint64_t seed)
{
  uint8_t *b = g_malloc(n);
  Rng r;
  rng_init(&r, seed, "test/data");
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)rng_u64(&r);
  return b;
}

/* A server on h2:80 and a client on h1 sending `total` bytes. */
static void t_pair(T *t, Peer *srv, Peer *cli, const uint8_t *data, size_t total)
{
  int err = 0;
  srv->listener = tcp_listen(t->h2, 0, 80, 16, &t->cfg, &peer_up, srv, &err);
  ck_assert_ptr_nonnull(srv->listener);
  tcp_track_states(srv->listener, &srv->states);
  cli->data = data;
  cli->total = total;
  cli->c = tcp_connect(t->h1, 0, 0, H2, 80, &t->cfg, &peer_up, cli, &err);
  ck_assert_ptr_nonnull(cli->c);
  tcp_track_states(cli->c, &cli->states);
}

#define ST(s) (1u << TCP_##s)

/* ---- tests ---------------------------------------------------------- */

START_TEST(test_transfer_and_close)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t n = 200000;
  uint8_t *data = t_random_bytes(n, 1);

  char *csv = NULL;
  size_t csv_len = 0;
  srv->close_on_eof = TRUE;
  cli->close_after_send = TRUE;
  t.net->ctx.tcp_series = open_memstream(&csv, &csv_len);
  t_pair(&t, srv, cli, data, n);
  t_run(&t, SIMTIME_S(200));
  fclose(t.net->ctx.tcp_series);
  t.net->ctx.tcp_series = NULL;
  /* tcp.csv rows: time,node,local,remote,cwnd,ssthresh,srtt,rto,in_flight */
  ck_assert_ptr_nonnull(strstr(csv, ",h1,10.0.1.10:49152,10.0.2.10:80,14480,2147483647,"));
  ck_assert_ptr_nonnull(strstr(csv, ",h2,10.0.2.10:80,10.0.1.10:49152,"));
  char **rows = g_strsplit(csv, "\n", -1);
  for (char **r = rows; *r && **r; r++) {
    char **cols = g_strsplit(*r, ",", -1);
    ck_assert_uint_eq(g_strv_length(cols), 9);
    g_strfreev(cols);
  }
  g_strfreev(rows);
  free(csv);
  /* Flow accounting: every segment counted at both ends, goodput = bytes. */
  FlowKey fk = {.src = H1, .dst = H2, .sport = 49152, .dport = 80, .proto = 6};
  const Flow *f = flow_find(t.net->ctx.flows, &fk);
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(f->goodput_bytes, n);
  ck_assert_uint_eq(f->tx_bytes, n);
  ck_assert_uint_eq(f->tx_packets, f->rx_packets);
  ck_assert(cli->connected);
  ck_assert_uint_eq(srv->rx->len, n);
  ck_assert(memcmp(srv->rx->data, data, n) == 0);
  ck_assert(srv->eof);
  ck_assert_uint_eq(cli->states,
                    ST(SYN_SENT) | ST(ESTABLISHED) | ST(FIN_WAIT_1) | ST(FIN_WAIT_2) | ST(TIME_WAIT) | ST(CLOSED));
  ck_assert_uint_eq(srv->states,
                    ST(LISTEN) | ST(SYN_RECEIVED) | ST(ESTABLISHED) | ST(CLOSE_WAIT) | ST(LAST_ACK) | ST(CLOSED));
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Collects the trace's transport notes in memory. */
typedef struct {
  char *buf;
  size_t len;
  FILE *f;
} Notes;

static void notes_start(T *t, Notes *n)
{
  n->buf = NULL;
  n->len = 0;
  n->f = open_memstream(&n->buf, &n->len);
  t->net->ctx.trace = trace_new(n->f, FALSE, TRACE_TRANSPORT);
}

/* Returns the times (ns) of note lines containing `what`, in order. */
static GArray *notes_times(Notes *n, const char *what)
{
  GArray *times = g_array_new(FALSE, FALSE, sizeof(SimTime));
  fflush(n->f);
  char **lines = g_strsplit(n->buf ? n->buf : "", "\n", -1);
  for (char **l = lines; *l; l++) {
    if (!strstr(*l, what))
      continue;
    unsigned long long s = 0, ns = 0;
    if (sscanf(*l, "%llu.%llu", &s, &ns) == 2) {
      SimTime tt = (SimTime)(s * 1000000000ull + ns);
      g_array_append_val(times, tt);
    }
  }
  g_strfreev(lines);
  return times;
}

static void notes_stop(T *t, Notes *n)
{
  trace_free(t->net->ctx.trace);
  t->net->ctx.trace = NULL;
  fclose(n->f);
  free(n->buf);
}

/* A first connection resolves ARP everywhere; the second one's
 * handshake takes exactly one round trip: 2 x 2 hops of 10 ms plus a
 * 74-byte frame (60-byte SYN or SYN-ACK) at 10 Mb/s. */
START_TEST(test_handshake_one_rtt)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *warm = peer_new(&t), *cli = peer_new(&t);
  int err;
  SimTime hop = SIMTIME_MS(10) + 74 * 8 * 100, ack_hop = SIMTIME_MS(10) + 66 * 8 * 100;

  t_pair(&t, srv, warm, NULL, 0);
  t_run(&t, SIMTIME_S(1));
  ck_assert(warm->connected);
  cli->c = tcp_connect(t.h1, 0, 0, H2, 80, &t.cfg, &peer_up, cli, &err);
  t_run(&t, SIMTIME_S(2));
  ck_assert(cli->connected);
  ck_assert_int_eq(cli->connected_at - SIMTIME_S(1), 4 * hop);
  ck_assert_int_eq(srv->connected_at - SIMTIME_S(1), 4 * hop + 2 * ack_hop);
  peer_free(srv);
  peer_free(warm);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* No answer at all (h2 runs no TCP for a while, so SYNs vanish there):
 * SYNs at 0, 1, 3, 7, 15, 31, 63 s (initial RTO 1 s, doubled), then
 * -ETIMEDOUT at 127 s. */
START_TEST(test_syn_retries_timeout)
{
  T t = t_new("10Mbps", "10ms");
  Peer *cli = peer_new(&t);
  Notes n;
  int err;

  TcpStack *h2_tcp = t.h2->tcp;
  notes_start(&t, &n);
  t.h2->tcp = NULL;
  cli->c = tcp_connect(t.h1, 0, 0, H2, 80, &t.cfg, &peer_up, cli, &err);
  t_run(&t, SIMTIME_S(300));
  t.h2->tcp = h2_tcp;
  GArray *times = notes_times(&n, "retransmit seq 0 len 0 (syn)");
  ck_assert_uint_eq(times->len, 6);
  SimTime expect = 0;
  for (guint i = 0; i < times->len; i++) {
    expect += SIMTIME_S(1) << i;
    ck_assert_int_eq(g_array_index(times, SimTime, i), expect);
  }
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, -ETIMEDOUT);
  ck_assert_int_eq(cli->closed_at, SIMTIME_S(127));
  ck_assert_int_eq(tcp_state(cli->c), TCP_CLOSED);
  g_array_free(times, TRUE);
  tcp_close(cli->c);
  notes_stop(&t, &n);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A closed port answers the SYN with RST: -ECONNREFUSED. */
START_TEST(test_connection_refused)
{
  T t = t_new("10Mbps", "10ms");
  Peer *cli = peer_new(&t);
  int err;

  cli->c = tcp_connect(t.h1, 0, 0, H2, 81, &t.cfg, &peer_up, cli, &err);
  t_run(&t, SIMTIME_S(5));
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, -ECONNREFUSED);
  ck_assert(!cli->connected);
  ck_assert_int_eq(tcp_send(cli->c, "x", 1), -ECONNREFUSED);
  Counters total;
  node_counters_total(t.h2, &total);
  ck_assert_uint_eq(total.drops[DROP_TCP_NO_SOCKET], 1);
  tcp_close(cli->c);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* The path dies in the middle of a transfer: retransmissions by timeout,
 * each interval twice the one before. */
START_TEST(test_rto_backoff)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 2000000;
  uint8_t *data = t_random_bytes(total, 3);
  Notes n;

  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_gt(srv->rx->len, 0);
  notes_start(&t, &n);
  link_set_up(network_link(t.net, 1), FALSE);
  t_run(&t, SIMTIME_S(200));
  GArray *times = notes_times(&n, "(timeout)");
  ck_assert_uint_ge(times->len, 6);
  SimTime first = g_array_index(times, SimTime, 1) - g_array_index(times, SimTime, 0);
  for (guint i = 2; i < times->len; i++) {
    SimTime gap = g_array_index(times, SimTime, i) - g_array_index(times, SimTime, i - 1);
    ck_assert_int_eq(gap, MIN(first << (i - 1), SIMTIME_S(120)));
  }
  ck_assert_uint_eq(tcp_stats(cli->c)->timeouts, times->len);
  g_array_free(times, TRUE);
  notes_stop(&t, &n);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* The first SYN is lost (h2 runs no TCP until 0.5 s): the SYN goes again
 * at 1 s, the RTO backed off to 2 s. Without timestamps Karn's rule
 * leaves no RTT sample, so once ESTABLISHED the RTO is 3 s (RFC 6298
 * 5.7) and data lost at 2 s is sent again at exactly 5 s. With
 * timestamps the SYN-ACK echoes the second SYN: a sample, no 3 s. */
START_TEST(test_rto_after_lost_syn)
{
  for (int ts = 0; ts < 2; ts++) {
    T t = t_new("10Mbps", "10ms");
    Peer *srv = peer_new(&t), *cli = peer_new(&t);
    TcpInfo info;
    Notes n;

    t.cfg.timestamps = ts;
    t_pair(&t, srv, cli, NULL, 0);
    TcpStack *h2_tcp = t.h2->tcp;
    t.h2->tcp = NULL;
    t_run(&t, SIMTIME_MS(500));
    t.h2->tcp = h2_tcp;
    t_run(&t, SIMTIME_S(2));
    ck_assert(cli->connected);
    ck_assert_uint_eq(tcp_stats(cli->c)->timeouts, 1);
    tcp_info(cli->c, &info);
    ck_assert_int_eq(info.rto, (ts ? t.cfg.min_rto : SIMTIME_S(3)));
    if (!ts) {
      notes_start(&t, &n);
      link_set_up(network_link(t.net, 1), FALSE);
      ck_assert_int_eq(tcp_send(cli->c, "0123456789", 10), 10);
      t_run(&t, SIMTIME_S(6));
      GArray *times = notes_times(&n, "retransmit seq 1 len 10 (timeout)");
      ck_assert_uint_eq(times->len, 1);
      ck_assert_int_eq(g_array_index(times, SimTime, 0), SIMTIME_S(5));
      g_array_free(times, TRUE);
      notes_stop(&t, &n);
    }
    peer_free(srv);
    peer_free(cli);
    t_free(&t);
  }
}
END_TEST

/* Sequence numbers wrap during the transfer: the ISN is 50000 below 2^32. */
START_TEST(test_wraparound)
{
  T t = t_new("10Mbps", "5ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 300000;
  uint8_t *data = t_random_bytes(total, 4);

  tcp_conn_set_isn_for_test(t.h1, 0xffffffffu - 50000);
  tcp_conn_set_isn_for_test(t.h2, 0xffffffffu - 1000);
  srv->close_on_eof = TRUE;
  cli->close_after_send = TRUE;
  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(100));
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  ck_assert(srv->eof);
  ck_assert(srv->states & ST(CLOSED));
  ck_assert(cli->states & ST(TIME_WAIT));
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* The receiver does not read: the window closes, the sender probes with
 * backoff, then the receiver reads and the transfer completes. */
static void t_start_reading(void *obj, void *arg)
{
  Peer *p = obj;
  (void)arg;
  p->read = TRUE;
  peer_readable(p);
}

START_TEST(test_zero_window)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 400000;
  uint8_t *data = t_random_bytes(total, 5);
  Notes n;

  srv->read = FALSE;
  srv->close_on_eof = TRUE;
  cli->close_after_send = TRUE;
  t_pair(&t, srv, cli, data, total);
  notes_start(&t, &n);
  scheduler_at(t.net->ctx.sched, SIMTIME_S(30), t_start_reading, srv, NULL);
  t_run(&t, SIMTIME_S(29));
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 131072);
  ck_assert_uint_ge(tcp_stats(cli->c)->zero_window_probes, 4);
  GArray *times = notes_times(&n, "(probe)");
  ck_assert_uint_ge(times->len, 3);
  for (guint i = 2; i < times->len; i++) {
    SimTime a = g_array_index(times, SimTime, i) - g_array_index(times, SimTime, i - 1);
    SimTime b = g_array_index(times, SimTime, i - 1) - g_array_index(times, SimTime, i - 2);
    ck_assert_int_eq(a, 2 * b);
  }
  g_array_free(times, TRUE);
  t_run(&t, SIMTIME_S(100));
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  ck_assert(srv->eof);
  notes_stop(&t, &n);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* 1 MB over links losing 2% of frames each way: every byte arrives, in
 * order, and the sender recovered by fast retransmit and timeouts. */
START_TEST(test_lossy_transfer)
{
  T t = t_new_full("10Mbps", "10ms", ", loss: 2%", ", loss: 2%");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 1000000;
  uint8_t *data = t_random_bytes(total, 6);

  srv->close_on_eof = TRUE;
  cli->close_after_send = TRUE;
  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(300));
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  ck_assert(srv->eof);
  FlowKey fk = {.src = H1, .dst = H2, .sport = 49152, .dport = 80, .proto = 6};
  const Flow *f = flow_find(t.net->ctx.flows, &fk);
  ck_assert_uint_gt(f->retransmitted, 0);
  ck_assert_uint_eq(f->goodput_bytes, total);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* One bulk flow for 20 s through a 10 Mb/s, 20 ms link with a 100-packet
 * queue: the link stays nearly full (goodput above 9 Mb/s). Prints the
 * wall time (a figure, not a check). */
START_TEST(test_bulk_goodput)
{
  T t = t_new_links("100Mbps", "1ms", ", queue: 100p", "10Mbps", "20ms", ", queue: 100p");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 40 * 1000 * 1000;
  uint8_t *data = g_malloc0(total);
  gint64 t0 = g_get_monotonic_time();

  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(20));
  double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
  double mbps = (double)tcp_stats(srv->c)->bytes_received * 8 / 20e6;
  fprintf(stderr, "bulk: %.3f Mb/s in 20 s simulated, %.3f s wall, %llu timeouts %llu fast\n", mbps, wall,
          (unsigned long long)tcp_stats(cli->c)->timeouts, (unsigned long long)tcp_stats(cli->c)->fast_retransmits);
  ck_assert_double_gt(mbps, 9.0);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Slow start overruns a 10-packet queue at a 10 Mb/s bottleneck: the
 * losses are repaired by fast retransmit and NewReno partial ACKs, and
 * the data arrives intact. */
START_TEST(test_fast_recovery)
{
  T t = t_new_links("100Mbps", "1ms", ", queue: 10p", "10Mbps", "20ms", ", queue: 10p");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 3000000;
  uint8_t *data = t_random_bytes(total, 7);
  Notes n;

  t.cfg.rcvbuf = 1 << 20;
  t.cfg.sndbuf = 1 << 20;
  notes_start(&t, &n);
  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(60));
  const TcpStats *st = tcp_stats(cli->c);
  GArray *fast = notes_times(&n, "(fast)"), *partial = notes_times(&n, "(partial)");
  ck_assert_uint_ge(fast->len, 1);
  ck_assert_uint_ge(partial->len, 1); /* several losses in one window */
  ck_assert_uint_eq(st->timeouts, 0);
  ck_assert_uint_eq(st->fast_retransmits, fast->len);
  ck_assert_uint_eq(st->retransmits, fast->len + partial->len); /* nothing sent again needlessly */
  ck_assert_uint_ge(st->dupacks_in, 3 * fast->len);
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  g_array_free(fast, TRUE);
  g_array_free(partial, TRUE);
  notes_stop(&t, &n);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

static uint64_t t_drops(Node *n, DropReason r);

/* The same overrun with SACK (RFC 2018, RFC 6675): every segment the
 * bottleneck queue dropped is sent again exactly once, without a
 * timeout; the burst of holes of the slow-start overshoot is repaired in
 * one recovery episode within about two round trips, instead of one
 * hole per round trip (NewReno above). */
START_TEST(test_sack_recovery)
{
  T t = t_new_links("100Mbps", "1ms", ", queue: 10p", "10Mbps", "20ms", ", queue: 10p");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 3000000;
  uint8_t *data = t_random_bytes(total, 7);
  Notes n;

  t.cfg.rcvbuf = 1 << 20;
  t.cfg.sndbuf = 1 << 20;
  t.cfg.sack = TRUE;
  notes_start(&t, &n);
  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(60));
  const TcpStats *st = tcp_stats(cli->c);
  GArray *fast = notes_times(&n, "(fast)"), *sack = notes_times(&n, "(sack)"), *partial = notes_times(&n, "(partial)");
  uint64_t lost = t_drops(t.r1, DROP_QUEUE_FULL);
  ck_assert(cli->c->sack_ok && srv->c->sack_ok);
  ck_assert_uint_ge(fast->len, 1);
  ck_assert_uint_eq(partial->len, 0);
  ck_assert_uint_eq(st->timeouts, 0);
  ck_assert_uint_eq(st->fast_retransmits, fast->len);
  ck_assert_uint_eq(st->retransmits, lost); /* exactly the lost segments */
  ck_assert_uint_eq(st->retransmits, fast->len + sack->len);
  /* The slow-start overshoot: many holes, all sent again in the first
   * episode, within about two round trips (2 x 21 ms plus queueing). */
  SimTime first = g_array_index(fast, SimTime, 0), next = fast->len > 1 ? g_array_index(fast, SimTime, 1) : G_MAXINT64;
  guint in_first = 0;
  for (guint i = 0; i < sack->len; i++) {
    SimTime at = g_array_index(sack, SimTime, i);
    if (at < next) {
      in_first++;
      ck_assert_int_lt(at - first, SIMTIME_MS(100));
    }
  }
  ck_assert_uint_ge(in_first, 3);
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  g_array_free(fast, TRUE);
  g_array_free(sack, TRUE);
  g_array_free(partial, TRUE);
  notes_stop(&t, &n);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A peer that does not offer SACK: the client's SYN offers it (20 option
 * bytes as Linux: mss, sackOK, TS, nop, wscale), the SYN-ACK does not,
 * and the client repairs the same overrun with NewReno partial ACKs. */
START_TEST(test_sack_peer_without)
{
  T t = t_new_links("100Mbps", "1ms", ", queue: 10p", "10Mbps", "20ms", ", queue: 10p");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 3000000;
  uint8_t *data = t_random_bytes(total, 7);
  TcpConfig with_sack;
  Notes n;
  int err = 0;

  t.cfg.rcvbuf = 1 << 20;
  t.cfg.sndbuf = 1 << 20;
  with_sack = t.cfg;
  with_sack.sack = TRUE;
  notes_start(&t, &n);
  srv->listener = tcp_listen(t.h2, 0, 80, 16, &t.cfg, &peer_up, srv, &err);
  cli->data = data;
  cli->total = total;
  cli->c = tcp_connect(t.h1, 0, 0, H2, 80, &with_sack, &peer_up, cli, &err);
  t_run(&t, SIMTIME_S(60));
  fflush(n.f);
  ck_assert_ptr_nonnull(strstr(n.buf, "len 60 DF TCP 49152 > 80 [S] seq "));
  ck_assert_ptr_nonnull(strstr(n.buf, "options [mss 1460,sackOK,TS val "));
  ck_assert_ptr_null(strstr(strstr(n.buf, "[S.]"), "sackOK"));
  GArray *sack = notes_times(&n, "(sack)"), *partial = notes_times(&n, "(partial)");
  ck_assert(!cli->c->sack_ok);
  ck_assert_uint_eq(sack->len, 0);
  ck_assert_uint_ge(partial->len, 1);
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  g_array_free(sack, TRUE);
  g_array_free(partial, TRUE);
  notes_stop(&t, &n);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Content arrives exact over lossy links (3 % each way) with SACK on
 * both ends, and SACKed data is not sent again after a timeout. */
START_TEST(test_sack_lossy_transfer)
{
  T t = t_new_full("10Mbps", "10ms", ", loss: 3%", ", loss: 3%");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 2000000;
  uint8_t *data = t_random_bytes(total, 9);

  t.cfg.sack = TRUE;
  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_S(300));
  FlowKey fk = {.src = H1, .dst = H2, .sport = 49152, .dport = 80, .proto = 6};
  const Flow *f = flow_find(t.net->ctx.flows, &fk);
  ck_assert(cli->c->sack_ok);
  ck_assert_uint_gt(tcp_stats(cli->c)->retransmits, 0);
  /* Timeouts happened, yet the receiver got almost nothing twice: go-back-N
   * skips what was SACKed (without SACK: 10 segments twice, 14 timeouts). */
  ck_assert_uint_ge(tcp_stats(cli->c)->timeouts, 5);
  ck_assert_uint_le(f->rx_bytes - f->goodput_bytes, 2 * 1448);
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Both ends connect to each other at the same time (no listener):
 * SYN_SENT -> SYN_RECEIVED -> ESTABLISHED on both; then both close at
 * once: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both. */
static void t_close_both(void *obj, void *arg)
{
  tcp_shutdown(obj);
  tcp_shutdown(arg);
}

START_TEST(test_simultaneous_open_close)
{
  T t = t_new("10Mbps", "10ms");
  Peer *a = peer_new(&t), *b = peer_new(&t), *warm = peer_new(&t), *srv = peer_new(&t);
  int err;

  t_pair(&t, srv, warm, NULL, 0); /* resolves ARP so both SYNs cross */
  t_run(&t, SIMTIME_S(1));
  a->c = tcp_connect(t.h1, 0, 5000, H2, 6000, &t.cfg, &peer_up, a, &err);
  b->c = tcp_connect(t.h2, 0, 6000, H1, 5000, &t.cfg, &peer_up, b, &err);
  ck_assert_ptr_nonnull(a->c);
  ck_assert_ptr_nonnull(b->c);
  tcp_track_states(a->c, &a->states);
  tcp_track_states(b->c, &b->states);
  t_run(&t, SIMTIME_S(2));
  ck_assert(a->connected && b->connected);
  ck_assert_uint_eq(a->states, ST(SYN_SENT) | ST(SYN_RECEIVED) | ST(ESTABLISHED));
  ck_assert_uint_eq(b->states, ST(SYN_SENT) | ST(SYN_RECEIVED) | ST(ESTABLISHED));
  scheduler_at(t.net->ctx.sched, SIMTIME_S(3), t_close_both, a->c, b->c);
  t_run(&t, SIMTIME_S(4));
  ck_assert_int_eq(tcp_state(a->c), TCP_TIME_WAIT);
  ck_assert_int_eq(tcp_state(b->c), TCP_TIME_WAIT);
  ck_assert(a->states & ST(CLOSING));
  ck_assert(b->states & ST(CLOSING));
  ck_assert(a->closed && a->closed_err == 0);
  ck_assert(b->eof);
  t_run(&t, SIMTIME_S(70)); /* TIME_WAIT lasts 2 MSL = 60 s */
  ck_assert_int_eq(tcp_state(a->c), TCP_CLOSED);
  ck_assert_int_eq(tcp_state(b->c), TCP_CLOSED);
  tcp_close(a->c);
  tcp_close(b->c);
  peer_free(a);
  peer_free(b);
  peer_free(warm);
  peer_free(srv);
  t_free(&t);
}
END_TEST

/* ---- crafted segments -------------------------------------------------- */

typedef struct {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags, off; /* off: data offset in words, 0 for the right one */
  uint16_t win;
  const uint8_t *opts;
  size_t optlen, paylen;
  const uint8_t *payload; /* NULL: zeros */
  gboolean bad_checksum;
} Craft;

/* Builds the segment `c` describes (with its IPv4 header) and hands it
 * to `to`'s TCP as IPv4 would. */
static void t_inject(T *t, Node *to, const Craft *c)
{
  Packet *p =
      c->payload ? packet_new_from(t->net->ctx.pool, c->payload, c->paylen) : packet_new(t->net->ctx.pool, c->paylen);
  size_t hl = TCP_HEADER_LEN + c->optlen, len = hl + c->paylen;
  TcpHeader *h = (TcpHeader *)packet_push(p, hl);
  Ipv4Header *ip;
  Ipv4Meta meta = {
      .src = c->src, .dst = c->dst, .ttl = 64, .proto = IPPROTO_TCP_NUM, .hlen = 20, .in = node_iface(to, 0)};

  h->sport = g_htons(c->sport);
  h->dport = g_htons(c->dport);
  h->seq = g_htonl(c->seq);
  h->ack = g_htonl(c->ack);
  h->off = (uint8_t)((c->off ? c->off : hl / 4) << 4);
  h->flags = c->flags;
  h->win = g_htons(c->win);
  if (c->optlen)
    memcpy(h + 1, c->opts, c->optlen);
  h->checksum = inet_pseudo_checksum(g_htonl(c->src), g_htonl(c->dst), IPPROTO_TCP_NUM, h, len);
  if (c->bad_checksum)
    h->checksum ^= 0x0101;
  ip = (Ipv4Header *)packet_push(p, IPV4_HEADER_LEN);
  ip->ver_ihl = 0x45;
  ip->total_len = g_htons((uint16_t)(len + IPV4_HEADER_LEN));
  ip->ttl = 64;
  ip->proto = IPPROTO_TCP_NUM;
  ip->src = g_htonl(c->src);
  ip->dst = g_htonl(c->dst);
  ip->checksum = inet_checksum(ip, IPV4_HEADER_LEN);
  meta.total_len = (uint16_t)(len + IPV4_HEADER_LEN);
  packet_mark_network(p); /* as IPv4 does before handing a datagram up */
  packet_pull(p, IPV4_HEADER_LEN);
  tcp_input(to, p, &meta);
}

/* t_inject() with `payload` as the segment's data. */
static void t_inject_data(T *t, Node *to, const Craft *c, const uint8_t *payload)
{
  Craft x = *c;
  x.opts = NULL;
  x.optlen = 0;
  x.payload = payload;
  t_inject(t, to, &x);
}

static uint64_t t_drops(Node *n, DropReason r)
{
  Counters total;
  node_counters_total(n, &total);
  return total.drops[r];
}

/* An established connection h1 -> h2:80 that exchanged a little data;
 * returns a Craft addressed from h1's end to h2's, at h2's rcv_nxt. */
static Craft t_established(T *t, Peer *srv, Peer *cli)
{
  static uint8_t hello[100];
  t_pair(t, srv, cli, hello, sizeof hello);
  t_run(t, SIMTIME_S(1));
  ck_assert_uint_eq(srv->rx->len, sizeof hello);
  Craft c = {.src = H1, .dst = H2, .dport = 80, .flags = TCP_ACK, .win = 1000};
  tcp_endpoints(cli->c, NULL, &c.sport, NULL, NULL);
  c.seq = srv->c->rcv_nxt;
  c.ack = srv->c->snd_nxt;
  return c;
}

/* Malformed segments on an established connection: dropped as bad-tcp, nothing sent. */
START_TEST(test_bad_headers)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Craft c = t_established(&t, srv, cli), x;
  const TcpStats *st = tcp_stats(srv->c);
  uint64_t out;
  uint8_t zero_len[] = {TCP_OPT_NOP, TCP_OPT_TIMESTAMP, 0, 0};
  uint8_t overrun[] = {TCP_OPT_MSS, 40, 0, 0};

  /* A bad checksum: dropped and counted, nothing sent. */
  x = c, x.bad_checksum = TRUE, x.paylen = 10, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(t_drops(t.h2, DROP_BAD_TCP), 1);
  ck_assert_uint_eq(st->segs_out, out);
  /* A data offset below 5 words, options of length 0, an option running
   * past the header: bad-tcp. */
  x = c, x.off = 4;
  t_inject(&t, t.h2, &x);
  x = c, x.opts = zero_len, x.optlen = sizeof zero_len;
  t_inject(&t, t.h2, &x);
  x = c, x.opts = overrun, x.optlen = sizeof overrun;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(t_drops(t.h2, DROP_BAD_TCP), 4);
  tcp_close(srv->c);
  t_run(&t, SIMTIME_S(3));
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Segments the window or RFC 5961 refuse: each gets what the RFC asks (an ACK, a
 * challenge ACK, nothing), none reaches the data, the connection keeps working. */
START_TEST(test_bad_window_segments)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Craft c = t_established(&t, srv, cli), x;
  const TcpStats *st = tcp_stats(srv->c);
  uint64_t out;

  /* Data far outside the window: an ACK goes back, the data is dropped. */
  x = c, x.seq = c.seq + 10 * 131072, x.paylen = 100, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(t_drops(t.h2, DROP_TCP_OUT_OF_WINDOW), 1);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 0);
  /* A SYN in ESTABLISHED: a challenge ACK (RFC 5961 4.2), no reset. */
  x = c, x.flags = TCP_SYN, x.seq = c.seq + 5000, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_int_eq(tcp_state(srv->c), TCP_ESTABLISHED);
  /* A RST out of the window: ignored, nothing sent. */
  x = c, x.flags = TCP_RST, x.seq = c.seq - 100, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out);
  ck_assert_int_eq(tcp_state(srv->c), TCP_ESTABLISHED);
  /* A RST in the window but not at rcv_nxt: a challenge ACK (RFC 5961 3.2),
   * once the 500 ms since the last one passed (RFC 5961 7). */
  x = c, x.flags = TCP_RST, x.seq = c.seq + 100, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out);
  t_run(&t, network_now(t.net) + SIMTIME_MS(500));
  out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_uint_eq(t_drops(t.h2, DROP_TCP_RST), 2);
  ck_assert_int_eq(tcp_state(srv->c), TCP_ESTABLISHED);
  /* An ACK of data never sent: an ACK back, dropped (RFC 5961 5.2). */
  x = c, x.ack = c.ack + 100000, x.paylen = 10, out = st->segs_out;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 0);
  /* PAWS (RFC 7323 5): in-window data with an old timestamp is an old
   * duplicate: dropped, an ACK goes back. */
  uint32_t old_ts = srv->c->ts_recent - 1000;
  uint8_t ts_opt[12] = {TCP_OPT_NOP,
                        TCP_OPT_NOP,
                        TCP_OPT_TIMESTAMP,
                        10,
                        (uint8_t)(old_ts >> 24),
                        (uint8_t)(old_ts >> 16),
                        (uint8_t)(old_ts >> 8),
                        (uint8_t)old_ts};
  x = c, x.opts = ts_opt, x.optlen = sizeof ts_opt, x.paylen = 10, out = st->segs_out;
  uint64_t oow = t_drops(t.h2, DROP_TCP_OUT_OF_WINDOW);
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(t_drops(t.h2, DROP_TCP_OUT_OF_WINDOW), oow + 1);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 0);
  /* Everything above left the connection working. */
  ck_assert_int_eq(tcp_send(cli->c, "ping", 4), 4);
  t_run(&t, SIMTIME_S(2));
  ck_assert_uint_eq(srv->rx->len, 104);
  tcp_close(srv->c);
  t_run(&t, SIMTIME_S(3));
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A RST exactly at RCV.NXT resets the connection: closed with -ECONNRESET. */
START_TEST(test_exact_rst)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Craft c = t_established(&t, srv, cli), x;

  /* The exact RST resets the connection. */
  x = c, x.flags = TCP_RST, x.seq = srv->c->rcv_nxt;
  t_inject(&t, t.h2, &x);
  ck_assert_int_eq(tcp_state(srv->c), TCP_CLOSED);
  ck_assert(srv->closed);
  ck_assert_int_eq(srv->closed_err, -ECONNRESET);
  tcp_close(srv->c);
  t_run(&t, SIMTIME_S(3));
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* An MSS option of 0 counts as no option: 536 bytes (RFC 9293 3.7.1). */
START_TEST(test_mss_zero)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t);
  int err;
  uint8_t mss0[] = {TCP_OPT_MSS, 4, 0, 0};
  TcpInfo info;

  srv->listener = tcp_listen(t.h2, 0, 80, 4, &t.cfg, &peer_up, srv, &err);
  Craft x = {.src = H1,
             .dst = H2,
             .sport = 7777,
             .dport = 80,
             .seq = 1000,
             .flags = TCP_SYN,
             .win = 5000,
             .opts = mss0,
             .optlen = sizeof mss0};
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(srv->listener->children->len, 1);
  tcp_info(g_ptr_array_index(srv->listener->children, 0), &info);
  ck_assert_uint_eq(info.mss, 536);
  t_run(&t, SIMTIME_S(5)); /* h1 resets the unknown connection */
  ck_assert_uint_eq(srv->listener->children->len, 0);
  tcp_close(srv->listener);
  peer_free(srv);
  t_free(&t);
}
END_TEST

/* Thousands of random segments (random flags, sequence and
 * acknowledgement numbers near the connection's, random options) never
 * crash TCP, and a connection that only saw out-of-window ones still
 * works. */
START_TEST(test_random_segments)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Craft c = t_established(&t, srv, cli);
  Rng r;
  uint8_t opts[40];

  rng_init(&r, 1, "test/fuzz");
  for (int i = 0; i < 5000; i++) {
    Craft x = c;
    x.flags = (uint8_t)rng_u64(&r);
    x.seq = c.seq + (uint32_t)rng_below(&r, 400000) - 200000;
    x.ack = c.ack + (uint32_t)rng_below(&r, 400000) - 200000;
    x.win = (uint16_t)rng_u64(&r);
    x.optlen = 4 * rng_below(&r, 11);
    for (size_t k = 0; k < x.optlen; k++)
      opts[k] = (uint8_t)rng_below(&r, 12);
    x.opts = opts;
    x.paylen = rng_below(&r, 1500);
    x.dport = rng_bernoulli(&r, 0.8) ? 80 : (uint16_t)rng_u64(&r);
    if (rng_bernoulli(&r, 0.5))
      x.sport = (uint16_t)rng_u64(&r);
    t_inject(&t, t.h2, &x);
    if (i % 100 == 0)
      t_run(&t, network_now(t.net) + SIMTIME_MS(50));
  }
  t_run(&t, network_now(t.net) + SIMTIME_S(200));
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A lone small segment is acknowledged after the delayed-ACK time (40 ms);
 * two full segments at once. Timed from the trace's deliver lines. */
START_TEST(test_delayed_ack)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Notes n;
  SimTime data_hop = SIMTIME_MS(10) + (100 + 66) * 8 * 100, ack_hop = SIMTIME_MS(10) + 66 * 8 * 100;

  static uint8_t data[3000];

  t_pair(&t, srv, cli, data, 3000); /* opens the window beyond the SYN's 64 KiB */
  t_run(&t, SIMTIME_S(1));
  notes_start(&t, &n);
  ck_assert_int_eq(tcp_send(cli->c, data, 100), 100);
  t_run(&t, SIMTIME_S(2));
  GArray *acks = notes_times(&n, "h1 eth0 deliver");
  ck_assert_uint_eq(acks->len, 1);
  ck_assert_int_eq(g_array_index(acks, SimTime, 0), SIMTIME_S(1) + 2 * data_hop + SIMTIME_MS(40) + 2 * ack_hop);
  g_array_free(acks, TRUE);
  notes_stop(&t, &n);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Nagle: a second small write waits until the first is acknowledged;
 * with nagle off it leaves at once. */
START_TEST(test_nagle)
{
  for (int nagle = 0; nagle <= 1; nagle++) {
    T t = t_new("10Mbps", "10ms");
    Peer *srv = peer_new(&t), *cli = peer_new(&t);
    t.cfg.nagle = nagle;
    t_pair(&t, srv, cli, NULL, 0);
    t_run(&t, SIMTIME_S(1));
    uint64_t out = tcp_stats(cli->c)->segs_out;
    tcp_send(cli->c, "a", 1);
    tcp_send(cli->c, "b", 1);
    ck_assert_uint_eq(tcp_stats(cli->c)->segs_out, out + (nagle ? 1 : 2));
    t_run(&t, SIMTIME_S(2));
    ck_assert_uint_eq(srv->rx->len, 2);
    ck_assert(memcmp(srv->rx->data, "ab", 2) == 0);
    peer_free(srv);
    peer_free(cli);
    t_free(&t);
  }
}
END_TEST

/* Closing with unread data resets the connection (as Linux): the peer
 * sees -ECONNRESET. */
static void t_close_conn(void *obj, void *arg)
{
  (void)arg;
  tcp_close(obj);
}

START_TEST(test_close_unread_resets)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  static uint8_t data[5000];

  srv->read = FALSE;
  t_pair(&t, srv, cli, data, sizeof data);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_eq(tcp_recv_queued(srv->c), sizeof data);
  scheduler_at(t.net->ctx.sched, SIMTIME_S(2), t_close_conn, srv->c, NULL);
  t_run(&t, SIMTIME_S(3));
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, -ECONNRESET);
  ck_assert_int_eq(tcp_state(cli->c), TCP_CLOSED);
  ck_assert_int_eq(tcp_send(cli->c, "x", 1), -ECONNRESET);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* The active closer's owner hears closed(0) on entering TIME_WAIT (both
 * sides closed in order, tcp.h), not 2 MSL later. */
START_TEST(test_closed_at_time_wait)
{
  T t = t_new("10Mbps", "5ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  static uint8_t data[3000];

  srv->close_on_eof = TRUE;
  cli->shutdown_after_send = TRUE;
  t_pair(&t, srv, cli, data, sizeof data);
  t_run(&t, SIMTIME_S(2));
  ck_assert_int_eq(tcp_state(cli->c), TCP_TIME_WAIT);
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, 0);
  ck_assert_int_lt(cli->closed_at, SIMTIME_S(1));
  tcp_close(cli->c);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* New data reaching a connection its owner closed (FIN_WAIT_1, nobody
 * to read) gets a RST (RFC 1122 4.2.2.13, as Linux): the sender hears
 * ECONNRESET at once instead of sending into the void. */
START_TEST(test_data_after_close_resets)
{
  T t = t_new("10Mbps", "5ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 10000000;
  uint8_t *data = g_malloc0(total);

  t_pair(&t, srv, cli, data, total);
  t_run(&t, SIMTIME_MS(500));
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 0);
  tcp_close(srv->c);
  t_run(&t, SIMTIME_MS(600));
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, -ECONNRESET);
  ck_assert_uint_ge(t_drops(t.h2, DROP_TCP_NO_SOCKET), 1);
  ck_assert_uint_lt(srv->rx->len, total);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* After the SYN-ACK was sent again (the peer's SYN came twice), the
 * connection starts with a window of one segment (RFC 5681 3.1); without
 * the loss, the initial window is 10 segments. */
START_TEST(test_lost_syn_initial_window)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t);
  int err;

  srv->listener = tcp_listen(t.h2, 0, 80, 4, &t.cfg, &peer_up, srv, &err);
  for (int twice = 0; twice < 2; twice++) {
    Craft syn = {.src = IP(10, 0, 1, 99),
                 .dst = H2,
                 .sport = 7000 + twice,
                 .dport = 80,
                 .seq = 1000,
                 .flags = TCP_SYN,
                 .win = 65535};
    t_inject(&t, t.h2, &syn);
    TcpConn *child = g_ptr_array_index(srv->listener->children, 0);
    if (twice)
      t_inject(&t, t.h2, &syn); /* our SYN-ACK was lost */
    Craft ack = syn;
    ack.flags = TCP_ACK, ack.seq = 1001, ack.ack = child->iss + 1;
    t_inject(&t, t.h2, &ack);
    ck_assert_ptr_eq(srv->c, child);
    ck_assert_uint_eq(child->cwnd, (twice ? 1 : 10) * child->mss);
    tcp_abort(child);
  }
  tcp_close(srv->listener);
  peer_free(srv);
  t_free(&t);
}
END_TEST

/* Segments without data outside the window get at most one ACK per
 * 500 ms (Linux's tcp_invalid_ratelimit; RFC 5961 7): two stacks out of
 * step cannot ACK each other's ACKs forever. Data still gets its ACK. */
START_TEST(test_oow_ack_rate_limit)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  Craft c = t_established(&t, srv, cli), x = c;
  const TcpStats *st = tcp_stats(srv->c);
  uint64_t out = st->segs_out;

  x.seq = c.seq + 10 * 131072;
  for (int i = 0; i < 5; i++)
    t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 1);
  ck_assert_uint_eq(t_drops(t.h2, DROP_TCP_OUT_OF_WINDOW), 5);
  x.paylen = 10; /* data: answered */
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 2);
  x.paylen = 0;
  t_run(&t, network_now(t.net) + SIMTIME_MS(499));
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 2);
  t_run(&t, network_now(t.net) + SIMTIME_MS(1));
  t_inject(&t, t.h2, &x);
  ck_assert_uint_eq(st->segs_out, out + 3);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* The owner reads a full receive buffer in many small reads in one
 * instant: one window update goes out, not one per read. */
START_TEST(test_one_window_update)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  size_t total = 400000;
  uint8_t *data = t_random_bytes(total, 5);

  srv->read = FALSE;
  t_pair(&t, srv, cli, data, total);
  scheduler_at(t.net->ctx.sched, SIMTIME_S(2), t_start_reading, srv, NULL);
  t_run(&t, SIMTIME_S(2) - 1);
  ck_assert_uint_eq(tcp_recv_queued(srv->c), 131072);
  uint64_t out = tcp_stats(srv->c)->segs_out;
  t_run(&t, SIMTIME_S(2));
  ck_assert_uint_eq(srv->rx->len, 131072); /* 32 reads of 4096 bytes */
  ck_assert_uint_eq(tcp_stats(srv->c)->segs_out, out + 1);
  t_run(&t, SIMTIME_S(30));
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  g_free(data);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A host connects to itself: the segments loop back inside the node. */
START_TEST(test_loopback)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t), *cli = peer_new(&t);
  int err;
  static uint8_t data[50000];

  srv->listener = tcp_listen(t.h1, 0, 80, 4, &t.cfg, &peer_up, srv, &err);
  srv->close_on_eof = TRUE;
  cli->data = data, cli->total = sizeof data, cli->close_after_send = TRUE;
  cli->c = tcp_connect(t.h1, 0, 0, H1, 80, &t.cfg, &peer_up, cli, &err);
  ck_assert_ptr_nonnull(cli->c);
  t_run(&t, SIMTIME_S(1));
  ck_assert(cli->connected);
  ck_assert_int_eq(cli->connected_at, 0); /* no link in between */
  ck_assert_uint_eq(srv->rx->len, sizeof data);
  ck_assert(srv->eof);
  peer_free(srv);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* Settings at their edges: an all-zero TcpConfig takes the defaults; a
 * tiny MSS, a huge initial window and timestamps off still carry data. */
START_TEST(test_odd_settings)
{
  static uint8_t data[20000];
  for (int round = 0; round < 2; round++) {
    T t = t_new("10Mbps", "10ms");
    Peer *srv = peer_new(&t), *cli = peer_new(&t);
    memset(&t.cfg, 0, sizeof t.cfg);
    if (round == 1)
      t.cfg.mss = 20, t.cfg.initial_cwnd = 4000000000u, t.cfg.rcvbuf = 3000, t.cfg.sndbuf = 100;
    srv->close_on_eof = TRUE;
    cli->close_after_send = TRUE;
    t_pair(&t, srv, cli, data, sizeof data);
    t_run(&t, SIMTIME_S(100));
    ck_assert_uint_eq(srv->rx->len, sizeof data);
    ck_assert(srv->eof);
    peer_free(srv);
    peer_free(cli);
    t_free(&t);
  }
}
END_TEST

typedef struct {
  size_t off, len;
} Piece;

/* Reordering, duplicates and overlaps: a crafted peer (10.0.1.99, which
 * does not exist, so h2's answers go nowhere) opens a connection to h2
 * and sends 300 KB as pieces of random length, in random order within
 * each 32 KB block, with random repeats. h2's application reads exactly
 * the bytes sent, in order, then the end of stream. */
START_TEST(test_reordering)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t);
  size_t total = 300000, block = 32768;
  guint max_ooo = 0;
  uint8_t *data = t_random_bytes(total, 8);
  int err;
  Rng r;

  srv->listener = tcp_listen(t.h2, 0, 80, 4, &t.cfg, &peer_up, srv, &err);
  Craft syn = {
      .src = IP(10, 0, 1, 99), .dst = H2, .sport = 7777, .dport = 80, .seq = 1000, .flags = TCP_SYN, .win = 65535};
  t_inject(&t, t.h2, &syn);
  TcpConn *child = g_ptr_array_index(srv->listener->children, 0);
  Craft x = syn;
  x.flags = TCP_ACK, x.seq = 1001, x.ack = child->iss + 1;
  t_inject(&t, t.h2, &x);
  ck_assert_ptr_eq(srv->c, child);
  rng_init(&r, 2, "test/reorder");
  for (size_t base = 0; base < total; base += block) {
    size_t end = MIN(base + block, total);
    GArray *pieces = g_array_new(FALSE, FALSE, sizeof(Piece));
    for (size_t off = base; off < end;) {
      Piece pc = {off, MIN(1 + rng_below(&r, 1448), end - off)};
      g_array_append_val(pieces, pc);
      off += pc.len;
      if (rng_bernoulli(&r, 0.2)) { /* a repeat, maybe overlapping the next piece */
        pc.len = MIN(pc.len + rng_below(&r, 800), end - pc.off);
        g_array_append_val(pieces, pc);
      }
    }
    for (guint i = pieces->len; i > 1; i--) { /* Fisher-Yates */
      guint j = (guint)rng_below(&r, i);
      Piece tmp = g_array_index(pieces, Piece, i - 1);
      g_array_index(pieces, Piece, i - 1) = g_array_index(pieces, Piece, j);
      g_array_index(pieces, Piece, j) = tmp;
    }
    for (guint i = 0; i < pieces->len; i++) {
      Piece *pc = &g_array_index(pieces, Piece, i);
      x.seq = 1001 + (uint32_t)pc->off, x.paylen = pc->len;
      t_inject_data(&t, t.h2, &x, data + pc->off);
      max_ooo = MAX(max_ooo, child->ooo->len);
    }
    g_array_free(pieces, TRUE);
  }
  x.flags = TCP_ACK | TCP_FIN, x.seq = 1001 + (uint32_t)total, x.paylen = 0;
  t_inject(&t, t.h2, &x);
  ck_assert_uint_gt(max_ooo, 10); /* the out-of-order queue was busy */
  ck_assert_uint_eq(srv->rx->len, total);
  ck_assert(memcmp(srv->rx->data, data, total) == 0);
  ck_assert(srv->eof);
  ck_assert_int_eq(tcp_state(child), TCP_CLOSE_WAIT);
  tcp_close(child);
  tcp_close(srv->listener);
  t_run(&t, SIMTIME_S(100));
  g_free(data);
  peer_free(srv);
  t_free(&t);
}
END_TEST

/* SACK on the wire (RFC 2018): a SYN offering SACK-permitted gets it
 * back in the SYN-ACK; each ACK of out-of-order data carries the blocks
 * of the queue, the one holding the latest segment first. Read back from
 * the trace (which decodes the packet bytes) and byte by byte from the
 * option writer. */
START_TEST(test_sack_blocks)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t);
  static const uint8_t syn_opts[] = {TCP_OPT_MSS, 4, 0x05, 0xb4, TCP_OPT_NOP, TCP_OPT_NOP, TCP_OPT_SACK_PERMITTED, 2};
  uint8_t payload[1000] = {0}, opts[40];
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  TcpRange blocks[TCP_MAX_SACK];
  int err;

  t.cfg.sack = TRUE;
  t.net->ctx.trace = trace_new(f, FALSE, TRACE_ALL);
  srv->listener = tcp_listen(t.h2, 0, 80, 4, &t.cfg, &peer_up, srv, &err);
  Craft x = {
      .src = IP(10, 0, 1, 99), .dst = H2, .sport = 7777, .dport = 80, .seq = 1000, .flags = TCP_SYN, .win = 65535};
  x.opts = syn_opts, x.optlen = sizeof syn_opts;
  t_inject(&t, t.h2, &x);
  TcpConn *child = g_ptr_array_index(srv->listener->children, 0);
  ck_assert(child->sack_ok);
  x.opts = NULL, x.optlen = 0, x.flags = TCP_ACK, x.seq = 1001, x.ack = child->iss + 1;
  t_inject(&t, t.h2, &x);
  x.seq = 2001, x.paylen = 100;
  t_inject_data(&t, t.h2, &x, payload);
  x.seq = 4001;
  t_inject_data(&t, t.h2, &x, payload);
  x.seq = 2101;
  t_inject_data(&t, t.h2, &x, payload);
  ck_assert_int_eq(tcp_options_sack_blocks(child, blocks, 40), 2);
  ck_assert_uint_eq(tcp_options_write(child, opts, blocks, 2), 20);
  /* NOP NOP SACK(18) {2001:2201}{4001:4101}: the latest block first */
  static const uint8_t want[] = {1, 1, 5, 18, 0, 0, 0x07, 0xd1, 0, 0, 0x08, 0x99, 0, 0, 0x0f, 0xa1, 0, 0, 0x10, 0x05};
  ck_assert(memcmp(opts, want, sizeof want) == 0);
  x.seq = 1001, x.paylen = 1000;
  t_inject_data(&t, t.h2, &x, payload);
  fflush(f);
  ck_assert_ptr_nonnull(strstr(buf, "[S.]"));
  ck_assert_ptr_nonnull(strstr(buf, "sackOK"));
  /* The trace counts SACK blocks, as acks, from the peer's ISN (1000). */
  ck_assert_ptr_nonnull(strstr(buf, "sack 1 {1001:1101}"));
  ck_assert_ptr_nonnull(strstr(buf, "sack 2 {3001:3101}{1001:1101}"));
  ck_assert_ptr_nonnull(strstr(buf, "sack 2 {1001:1201}{3001:3101}"));
  ck_assert_ptr_nonnull(strstr(buf, "sack 1 {3001:3101}"));
  trace_free(t.net->ctx.trace);
  t.net->ctx.trace = NULL;
  fclose(f);
  free(buf);
  tcp_close(child);
  tcp_close(srv->listener);
  peer_free(srv);
  t_free(&t);
}
END_TEST

/* ICMP host unreachable in SYN_SENT ends the connect with -EHOSTUNREACH
 * (as Linux): 10.0.2.99 does not answer r1's ARP. */
START_TEST(test_host_unreachable)
{
  T t = t_new("10Mbps", "10ms");
  Peer *cli = peer_new(&t);
  int err;

  cli->c = tcp_connect(t.h1, 0, 0, IP(10, 0, 2, 99), 80, &t.cfg, &peer_up, cli, &err);
  t_run(&t, SIMTIME_S(10));
  ck_assert(cli->closed);
  ck_assert_int_eq(cli->closed_err, -EHOSTUNREACH);
  tcp_close(cli->c);
  peer_free(cli);
  t_free(&t);
}
END_TEST

/* A full backlog drops further SYNs silently; closing the listener resets
 * the connections it had not handed over. */
START_TEST(test_backlog_and_listener_close)
{
  T t = t_new("10Mbps", "10ms");
  Peer *srv = peer_new(&t);
  int err;

  srv->listener = tcp_listen(t.h2, 0, 80, 2, &t.cfg, &peer_up, srv, &err);
  ck_assert_ptr_null(tcp_listen(t.h2, 0, 80, 2, &t.cfg, &peer_up, srv, &err));
  ck_assert_int_eq(err, -EADDRINUSE);
  for (uint16_t i = 0; i < 3; i++) {
    Craft syn = {.src = IP(10, 0, 1, 99), .dst = H2, .sport = 7000 + i, .dport = 80, .seq = 5, .flags = TCP_SYN};
    t_inject(&t, t.h2, &syn);
  }
  ck_assert_uint_eq(srv->listener->children->len, 2);
  ck_assert_uint_eq(t_drops(t.h2, DROP_TCP_SYN_QUEUE_FULL), 1);
  uint64_t before = node_iface(t.h2, 0)->counters.tx_packets;
  tcp_close(srv->listener);
  t_run(&t, SIMTIME_MS(1));
  ck_assert_uint_ge(node_iface(t.h2, 0)->counters.tx_packets, before); /* RSTs queued behind ARP */
  ck_assert(!tcp_port_in_use(t.h2, 0, 80));
  ck_assert_ptr_nonnull(tcp_listen(t.h2, 0, 80, 2, &t.cfg, &peer_up, srv, &err));
  peer_free(srv);
  t_free(&t);
}
END_TEST

static void t_case(Suite *s, const char *name, const TTest *const *tests)
{
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 120);
  for (; *tests; tests++)
    tcase_add_test(tc, *tests);
  suite_add_tcase(s, tc);
}

int main(void)
{
  Suite *s = suite_create("tcp");
  const TTest *open[] = {test_transfer_and_close,
                         test_handshake_one_rtt,
                         test_syn_retries_timeout,
                         test_connection_refused,
                         test_simultaneous_open_close,
                         test_mss_zero,
                         test_loopback,
                         test_odd_settings,
                         NULL};
  const TTest *timers[] = {
      test_rto_backoff, test_rto_after_lost_syn, test_zero_window, test_delayed_ack, test_nagle, NULL};
  const TTest *transfer[] = {test_wraparound,    test_lossy_transfer,    test_bulk_goodput,        test_fast_recovery,
                             test_sack_recovery, test_sack_peer_without, test_sack_lossy_transfer, NULL};
  const TTest *bad[] = {test_bad_headers,
                        test_bad_window_segments,
                        test_exact_rst,
                        test_random_segments,
                        test_close_unread_resets,
                        test_reordering,
                        test_sack_blocks,
                        test_closed_at_time_wait,
                        test_data_after_close_resets,
                        test_lost_syn_initial_window,
                        test_oow_ack_rate_limit,
                        test_one_window_update,
                        test_host_unreachable,
                        test_backlog_and_listener_close,
                        NULL};

  t_case(s, "open", open);
  t_case(s, "timers", timers);
  t_case(s, "transfer", transfer);
  t_case(s, "bad", bad);
  return testlib_run_suite(s);
}
