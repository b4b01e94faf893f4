/*
 * udp-echo and udp-echo-server: the UDP echo service (RFC 862) and a
 * client measuring round trips over it, like ns-3's UdpEchoClient and
 * UdpEchoServer, printing like ping.
 *
 * udp-echo-server binds `port` and returns every datagram, unchanged, to
 * the address and port it came from. At the end it prints
 * `echoed N datagrams (B bytes)`.
 *
 * udp-echo sends, from an ephemeral port to `to` (host:port), one
 * `size`-byte datagram every `interval` from its start, `count` of them
 * (0: until its stop), the last strictly before the stop. Each payload
 * starts with the 4-byte sequence number and the 8-byte send time (as
 * udp-cbr; see app_stamp_write()). The client keeps each datagram's send
 * time, and for each reply prints
 *
 *   56 bytes from 10.0.0.2:7: seq=0 time=2.123 ms
 *
 * (the round trip in ms to the microsecond, rounded; ` (DUP!)` for a
 * second reply to the same datagram), an ICMP error about its datagrams
 * as `error: connection refused` (port unreachable), and at the end
 *
 *   sent 4, received 4, lost 0 (0%), rtt min/avg/max = 2.123/2.123/2.123 ms
 *
 * with `, N errors` and `, N not sent (reason)` when there were some. A
 * reply whose payload is shorter than 4 bytes is matched to the oldest
 * datagram not yet answered.
 *
 * Results: sent, received (distinct replies), flow (the requests' 5-tuple),
 * done_at when the reply to the last of `count` datagrams arrived (never
 * when one is lost or count is 0).
 *
 * Entry points (AppOps): udp_echo_start(), udp_echo_stop(),
 * udp_echo_finish(), udp_echo_free_state(); the same for the server.
 *
 * Leaves out: a reply timeout (a reply counts whenever it comes before
 * the stop), payload checks (the server's answer is trusted).
 */
#include "models/app/app.h"

#include <inttypes.h>

#include "models/transport/socket.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

#define UDP_ECHO_MAX 65507 /* the largest UDP payload */

/* One datagram the client sent. */
typedef struct {
  SimTime sent;
  gboolean answered;
} UdpEchoRecord;

typedef struct {
  Socket *sock;
  uint8_t *buf;    /* the payload sent, and replies read */
  size_t buf_len;  /* MAX(size, APP_STAMP_LEN) */
  GArray *records; /* of UdpEchoRecord, by sequence number */
  guint oldest;    /* first record not answered (for replies without a number) */
  uint64_t dups, errors, failed;
  int last_error;
  SimTime rtt_min, rtt_max, rtt_sum;
  SimTime next;
  EventId send_event;
} UdpEchoState;

typedef struct {
  Socket *sock;
  uint8_t *buf; /* UDP_ECHO_MAX bytes */
  uint64_t bytes, failed;
  int last_error;
} UdpEchoServerState;

/* ---- the client ---------------------------------------------------------- */

/* Appends `t` (ns) in ms with three decimals, rounded to the microsecond. */
static void udp_echo_append_ms(GString *out, SimTime t)
{
  int64_t us = (t + 500) / 1000;
  g_string_append_printf(out, "%" PRId64 ".%03" PRId64, us / 1000, us % 1000);
}

/* Sends the next datagram and records its send time. */
static void udp_echo_send_one(App *app, UdpEchoState *es, SimTime now)
{
  const AppConfig *conf = app->conf;
  UdpEchoRecord r = {.sent = now};
  app_stamp_write(es->buf, conf->size, es->records->len, now);
  g_array_append_val(es->records, r);
  ssize_t n = socket_sendto(es->sock, es->buf, conf->size, conf->dst, conf->port);
  if (n >= 0) {
    app->sent++;
  } else {
    es->failed++;
    es->last_error = (int)n;
  }
}

/* Is another datagram due at `t` (count and stop)? */
static gboolean udp_echo_more(const App *app, const UdpEchoState *es, SimTime t)
{
  const AppConfig *conf = app->conf;
  if (conf->count && es->records->len >= conf->count)
    return FALSE;
  return conf->stop == 0 || t < conf->stop;
}

static void udp_echo_send_event(void *obj, void *arg)
{
  App *app = obj;
  UdpEchoState *es = app->state;
  (void)arg;
  es->send_event = EVENT_ID_NONE;
  if (!udp_echo_more(app, es, es->next))
    return;
  udp_echo_send_one(app, es, es->next);
  es->next += app->conf->interval;
  if (udp_echo_more(app, es, es->next))
    es->send_event = scheduler_at(app->ctx->sched, es->next, udp_echo_send_event, app, NULL);
}

/* The record a reply of n bytes (its first bytes in es->buf) answers, or
 * NULL if it names no datagram sent. */
static UdpEchoRecord *udp_echo_match(UdpEchoState *es, ssize_t n, uint64_t *seq)
{
  if (n >= APP_STAMP_SEQ_LEN)
    *seq = app_read_be(es->buf, APP_STAMP_SEQ_LEN);
  else
    *seq = es->oldest;
  if (*seq >= es->records->len)
    return NULL;
  return &g_array_index(es->records, UdpEchoRecord, *seq);
}

/* Accounts one reply and prints its line. */
static void udp_echo_reply(App *app, UdpEchoState *es, ssize_t n, uint32_t addr, uint16_t port)
{
  uint64_t seq;
  UdpEchoRecord *r = udp_echo_match(es, n, &seq);
  if (!r)
    return;
  SimTime now = sim_now(app->ctx), rtt = now - r->sent;
  gboolean dup = r->answered;
  if (dup) {
    es->dups++;
  } else {
    r->answered = TRUE;
    app->received++;
    es->rtt_sum += rtt;
    es->rtt_min = app->received == 1 ? rtt : MIN(es->rtt_min, rtt);
    es->rtt_max = MAX(es->rtt_max, rtt);
    while (es->oldest < es->records->len && g_array_index(es->records, UdpEchoRecord, es->oldest).answered)
      es->oldest++;
    if (app->conf->count && app->received == app->conf->count)
      app->done_at = now;
  }
  if (!app_wants_output(app))
    return;
  char from[ADDR_IPV4_TEXT];
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%zd bytes from %s:%u: seq=%" PRIu64 " time=", n, addr_format_ipv4(addr, from), port,
                         seq);
  udp_echo_append_ms(line, rtt);
  g_string_append(line, dup ? " ms (DUP!)" : " ms");
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

static void udp_echo_readable(Socket *sock, void *user)
{
  App *app = user;
  UdpEchoState *es = app->state;
  uint32_t addr;
  uint16_t port;
  ssize_t n;
  while ((n = socket_recvfrom(sock, es->buf, es->buf_len, &addr, &port)) >= 0)
    udp_echo_reply(app, es, n, addr, port);
}

static void udp_echo_error(Socket *sock, int err, void *user)
{
  App *app = user;
  UdpEchoState *es = app->state;
  (void)sock;
  es->errors++;
  app_print(app, "error: %s", socket_strerror(err));
}

static const SocketCallbacks udp_echo_callbacks = {.readable = udp_echo_readable, .error = udp_echo_error};

static void udp_echo_print_start(App *app)
{
  const AppConfig *conf = app->conf;
  char dst[ADDR_IPV4_TEXT];
  char *every = units_format_duration(conf->interval);
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "UDP echo to %s:%u: %u-byte datagrams every %s", addr_format_ipv4(conf->dst, dst),
                         conf->port, conf->size, every);
  if (conf->count)
    g_string_append_printf(line, ", %u of them", conf->count);
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
  g_free(every);
}

static void udp_echo_start(App *app)
{
  const AppConfig *conf = app->conf;
  UdpEchoState *es = g_new0(UdpEchoState, 1);
  app->state = es;
  es->buf_len = MAX((size_t)conf->size, (size_t)APP_STAMP_LEN);
  es->buf = g_malloc0(es->buf_len);
  es->records = g_array_new(FALSE, FALSE, sizeof(UdpEchoRecord));
  int err;
  es->sock = app_udp_sender(app, &udp_echo_callbacks, &err);
  udp_echo_print_start(app);
  if (err < 0 || conf->interval <= 0 || conf->size > UDP_ECHO_MAX) {
    app_print(app, "cannot send: %s", err < 0 ? socket_strerror(err) : conf->interval <= 0 ? "no interval" : "too big");
    return;
  }
  es->next = sim_now(app->ctx);
  udp_echo_send_event(app, NULL);
}

static void udp_echo_stop(App *app)
{
  UdpEchoState *es = app->state;
  scheduler_cancel(app->ctx->sched, es->send_event);
  es->send_event = EVENT_ID_NONE;
  socket_close(es->sock);
  es->sock = NULL;
}

/* Prints `sent N, received M, lost L (P%)`, the errors, the rtt figures. */
static void udp_echo_finish(App *app)
{
  UdpEchoState *es = app->state;
  uint64_t lost = app->sent > app->received ? app->sent - app->received : 0;
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "sent %" PRIu64 ", received %" PRIu64 ", lost %" PRIu64 " (%g%%)", app->sent,
                         app->received, lost, app->sent ? (double)lost * 100.0 / (double)app->sent : 0.0);
  if (es->dups)
    g_string_append_printf(line, ", %" PRIu64 " duplicates", es->dups);
  if (es->errors)
    g_string_append_printf(line, ", %" PRIu64 " errors", es->errors);
  if (es->failed)
    g_string_append_printf(line, ", %" PRIu64 " not sent (%s)", es->failed, app_socket_error_text(es->last_error));
  if (app->received) {
    g_string_append(line, ", rtt min/avg/max = ");
    udp_echo_append_ms(line, es->rtt_min);
    g_string_append_c(line, '/');
    udp_echo_append_ms(line, es->rtt_sum / (SimTime)app->received);
    g_string_append_c(line, '/');
    udp_echo_append_ms(line, es->rtt_max);
    g_string_append(line, " ms");
  }
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

static void udp_echo_free_state(App *app)
{
  UdpEchoState *es = app->state;
  if (!es)
    return;
  socket_close(es->sock);
  g_array_free(es->records, TRUE);
  g_free(es->buf);
  g_free(es);
  app->state = NULL;
}

const AppOps app_udp_echo_ops = {udp_echo_start, udp_echo_stop, udp_echo_finish, udp_echo_free_state};

/* ---- the server ---------------------------------------------------------- */

/* Returns every waiting datagram to its sender. */
static void udp_echo_server_readable(Socket *sock, void *user)
{
  App *app = user;
  UdpEchoServerState *ss = app->state;
  uint32_t addr;
  uint16_t port;
  ssize_t n;
  while ((n = socket_recvfrom(sock, ss->buf, UDP_ECHO_MAX, &addr, &port)) >= 0) {
    app->received++;
    ssize_t sent = socket_sendto(sock, ss->buf, (size_t)n, addr, port);
    if (sent >= 0) {
      app->sent++;
      ss->bytes += (uint64_t)n;
    } else {
      ss->failed++;
      ss->last_error = (int)sent;
    }
  }
}

static const SocketCallbacks udp_echo_server_callbacks = {.readable = udp_echo_server_readable};

static void udp_echo_server_start(App *app)
{
  UdpEchoServerState *ss = g_new0(UdpEchoServerState, 1);
  app->state = ss;
  ss->buf = g_malloc(UDP_ECHO_MAX);
  ss->sock = socket_new(app->node, SOCKET_UDP, &udp_echo_server_callbacks, app);
  if (socket_bind(ss->sock, 0, app->conf->port) < 0) {
    app_print(app, "cannot listen: UDP port %u is in use", app->conf->port);
    socket_close(ss->sock);
    ss->sock = NULL;
  }
}

static void udp_echo_server_stop(App *app)
{
  UdpEchoServerState *ss = app->state;
  socket_close(ss->sock);
  ss->sock = NULL;
}

static void udp_echo_server_finish(App *app)
{
  UdpEchoServerState *ss = app->state;
  const char *datagrams = units_plural(app->sent, "datagram", "datagrams");
  if (ss->failed)
    app_print(app, "echoed %" PRIu64 " %s (%" PRIu64 " bytes), %" PRIu64 " not sent (%s)", app->sent, datagrams,
              ss->bytes, ss->failed, app_socket_error_text(ss->last_error));
  else
    app_print(app, "echoed %" PRIu64 " %s (%" PRIu64 " bytes)", app->sent, datagrams, ss->bytes);
}

static void udp_echo_server_free_state(App *app)
{
  UdpEchoServerState *ss = app->state;
  if (!ss)
    return;
  socket_close(ss->sock);
  g_free(ss->buf);
  g_free(ss);
  app->state = NULL;
}

const AppOps app_udp_echo_server_ops = {udp_echo_server_start, udp_echo_server_stop, udp_echo_server_finish,
                                        udp_echo_server_free_state};
