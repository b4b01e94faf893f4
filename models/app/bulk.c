/*
 * bulk and bulk-sink: an iperf3-like TCP transfer. `bulk` connects to the
 * sink's address and port, writes `bytes` bytes (0: as much as the
 * connection takes until its stop), then shuts the connection down and
 * waits for the sink to close its side. `bulk-sink` listens on its port
 * (5001, as iperf, when none is given), accepts any number of
 * connections and reads everything each one carries, closing it at the
 * end of its stream.
 *
 * Output, as iperf3 prints it (the connection's ID is 1 for the sender
 * and counts accepted connections on the sink):
 *
 *   Connecting to host 10.0.0.2, port 5001
 *   [  1] local 10.0.0.1 port 49152 connected to 10.0.0.2 port 5001
 *   [ ID] Interval           Transfer     Bitrate         Retr
 *   [  1]   0.00-1.00   sec  1.12 MBytes  9.42 Mbits/sec    0
 *   - - - - - - - - - - - - - - - - - - - - - - - - -
 *   [ ID] Interval           Transfer     Bitrate         Retr
 *   [  1]   0.00-10.00  sec  11.2 MBytes  9.42 Mbits/sec    3             sender
 *
 * Every `report` (1 s; 0 prints the totals only) the sender prints the
 * bytes the receiver acknowledged in the interval and the segments it sent
 * again (iperf3 counts bytes written into the socket instead, which runs
 * ahead by up to a send buffer); the sink prints the bytes it read. Times
 * count from the sender's connect() and from the sink's accept. Transfer
 * is in binary units (MBytes = 2^20 bytes), bit rates in decimal ones, with
 * iperf3's three significant digits.
 *
 * Results: the sender is done (done_at) when every byte was acknowledged
 * and the sink closed its side (its FIN, read as the end of the stream, or
 * an orderly close reported by the socket); its goodput is the bytes
 * acknowledged over the time from connect() to then (or to its stop). The
 * sink's goodput is the bytes read over the time from the first byte to
 * the last, over all its connections. The flow is the data direction.
 *
 * Content: the stream's byte at offset i is BULK_BYTE(i); the sender
 * writes from one pattern buffer filled once, and the sink compares what
 * it reads against its own copy (one memcmp per read) and reports the
 * first mismatch.
 *
 * Entry points (AppOps): bulk_start(), bulk_stop(), bulk_finish(),
 * bulk_free_state(); bulk_sink_start(), bulk_sink_stop(),
 * bulk_sink_finish(), bulk_sink_free_state().
 *
 * Leaves out: iperf3's control connection and parameter exchange, the Cwnd
 * column, reverse and bidirectional modes, parallel streams from one app
 * (use several apps), UDP mode, JSON output, omitted intervals.
 */
#include "models/app/app.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/transport/socket.h"
#include "sim/text/addr.h"

/* The content repeats every BULK_PERIOD bytes (a prime, so it does not
 * line up with segment sizes). */
#define BULK_PERIOD 251
#define BULK_BYTE(i) ((uint8_t)((i) % BULK_PERIOD))
#define BULK_CHUNK 16384 /* bytes per socket_send() or socket_recv() */
#define BULK_PATTERN_LEN (BULK_CHUNK + BULK_PERIOD)
#define BULK_SEPARATOR "- - - - - - - - - - - - - - - - - - - - - - - - -"
#define BULK_HEADER "[ ID] Interval           Transfer     Bitrate"

/* One interval's counters: where it began and the totals then. */
typedef struct {
  SimTime start;
  uint64_t bytes, retrans;
} BulkMark;

typedef struct {
  Socket *s;
  uint64_t queued; /* bytes handed to the socket */
  SimTime start;   /* connect() */
  BulkMark mark;   /* the current interval */
  EventId report;
  gboolean connected, shut, ended;
  uint8_t pattern[BULK_PATTERN_LEN];
} BulkState;

/* Fills `buf` with the stream's first len bytes. */
static void bulk_fill_pattern(uint8_t *buf, size_t len)
{
  uint8_t v = 0;
  for (size_t i = 0; i < len; i++) {
    buf[i] = v;
    v = v + 1 == BULK_PERIOD ? 0 : v + 1;
  }
}

/* Formats `value` in iperf3's adaptive units (`base` 1024 for bytes,
 * 1000 for bits) with three significant digits: "1.12 MBytes". */
static void bulk_format_unit(char *out, size_t len, double value, double base, const char *suffix)
{
  static const char *const prefixes[] = {"", "K", "M", "G", "T"};
  guint i = 0;
  while (value >= base && i + 1 < G_N_ELEMENTS(prefixes)) {
    value /= base;
    i++;
  }
  const char *fmt = value < 9.995 ? "%4.2f %s%s" : value < 99.95 ? "%4.1f %s%s" : "%4.0f %s%s";
  g_snprintf(out, len, fmt, value, prefixes[i], suffix);
}

/* Appends "[  1]   0.00-1.00   sec  1.12 MBytes  9.42 Mbits/sec" for `bytes`
 * moved between from and to (times relative to the connection's zero). */
static void bulk_format_interval(GString *line, guint id, SimTime from, SimTime to, uint64_t bytes)
{
  char size[32], rate[32];
  double secs = (double)(to - from) / 1e9;
  bulk_format_unit(size, sizeof size, (double)bytes, 1024.0, "Bytes");
  bulk_format_unit(rate, sizeof rate, secs > 0 ? (double)bytes * 8 / secs : 0.0, 1000.0, "bits/sec");
  g_string_append_printf(line, "[%3u] %6.2f-%-6.2f sec  %s  %s", id, (double)from / 1e9, (double)to / 1e9, size, rate);
}

/* ---- bulk: the sender ------------------------------------------------- */

static const TcpStats *bulk_stats(const BulkState *bs)
{
  static const TcpStats none;
  const TcpStats *st = bs->s ? socket_tcp_stats(bs->s) : NULL;
  return st ? st : &none;
}

/* Prints the interval from the current mark to now, then starts the next. */
static void bulk_print_interval(App *app, BulkState *bs, SimTime now)
{
  const TcpStats *st = bulk_stats(bs);
  GString *line = g_string_new(NULL);
  bulk_format_interval(line, 1, bs->mark.start - bs->start, now - bs->start, st->bytes_acked - bs->mark.bytes);
  g_string_append_printf(line, "  %3" PRIu64, st->retransmits - bs->mark.retrans);
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
  bs->mark = (BulkMark){now, st->bytes_acked, st->retransmits};
}

static void bulk_report_event(void *obj, void *arg)
{
  App *app = obj;
  BulkState *bs = app->state;
  (void)arg;
  SimTime now = sim_now(app->ctx);
  bulk_print_interval(app, bs, now);
  bs->report = scheduler_at(app->ctx->sched, now + app->conf->report, bulk_report_event, app, NULL);
}

/* Hands the socket as much of the remaining stream as it takes; shuts the
 * connection down once everything is queued. */
static void bulk_send_more(BulkState *bs, uint64_t total)
{
  while (!bs->shut && (total == 0 || bs->queued < total)) {
    uint64_t want = total == 0 ? BULK_CHUNK : MIN(total - bs->queued, BULK_CHUNK);
    ssize_t n = socket_send(bs->s, bs->pattern + bs->queued % BULK_PERIOD, (size_t)want);
    if (n <= 0)
      return;
    bs->queued += (uint64_t)n;
  }
  if (!bs->shut && total > 0 && bs->queued >= total) {
    socket_shutdown(bs->s);
    bs->shut = TRUE;
  }
}

/* Ends the transfer once: the last partial interval, the totals, the
 * results; closes the socket. */
static void bulk_end(App *app, BulkState *bs)
{
  if (bs->ended)
    return;
  bs->ended = TRUE;
  SimTime now = sim_now(app->ctx);
  scheduler_cancel(app->ctx->sched, bs->report);
  bs->report = EVENT_ID_NONE;
  if (bs->connected) {
    const TcpStats *st = bulk_stats(bs);
    if (app->conf->report > 0 && now > bs->mark.start)
      bulk_print_interval(app, bs, now);
    GString *line = g_string_new(NULL);
    bulk_format_interval(line, 1, 0, now - bs->start, st->bytes_acked);
    g_string_append_printf(line, "  %3" PRIu64 "             sender", st->retransmits);
    app_print(app, "%s", BULK_SEPARATOR);
    app_print(app, "%s         Retr", BULK_HEADER);
    app_print(app, "%s", line->str);
    g_string_free(line, TRUE);
    app->goodput_bytes = st->bytes_acked;
    app->goodput_time = now - bs->start;
  }
  socket_close(bs->s);
  bs->s = NULL;
}

static void bulk_connected(Socket *s, void *user)
{
  App *app = user;
  BulkState *bs = app->state;
  char local[ADDR_IPV4_TEXT], peer[ADDR_IPV4_TEXT];
  uint32_t laddr, paddr;
  uint16_t lport, pport;
  socket_local(s, &laddr, &lport);
  socket_peer(s, &paddr, &pport);
  app->flow = (FlowKey){.src = laddr, .dst = paddr, .sport = lport, .dport = pport, .proto = IPPROTO_TCP_NUM};
  app->has_flow = TRUE;
  bs->connected = TRUE;
  app_print(app, "[  1] local %s port %u connected to %s port %u", addr_format_ipv4(laddr, local), lport,
            addr_format_ipv4(paddr, peer), pport);
  /* Intervals count from connect(), as the totals do. */
  bs->mark = (BulkMark){bs->start, 0, 0};
  if (app->conf->report > 0) {
    app_print(app, "%s         Retr", BULK_HEADER);
    SimTime next = bs->start + app->conf->report;
    while (next <= sim_now(app->ctx))
      next += app->conf->report;
    bs->report = scheduler_at(app->ctx->sched, next, bulk_report_event, app, NULL);
  }
  bulk_send_more(bs, app->conf->bytes);
}

static void bulk_writable(Socket *s, void *user)
{
  App *app = user;
  (void)s;
  bulk_send_more(app->state, app->conf->bytes);
}

/* The transfer is complete when every byte was acknowledged and the sink
 * closed its side (its FIN, read as the end of the stream, or an orderly
 * close): the results, then the socket is closed. Returns FALSE when not
 * yet. */
static gboolean bulk_try_complete(App *app, BulkState *bs)
{
  if (!bs->shut || bulk_stats(bs)->bytes_acked < app->conf->bytes)
    return FALSE;
  bulk_end(app, bs);
  app->done_at = sim_now(app->ctx);
  app->running = FALSE;
  return TRUE;
}

/* The sink sends nothing; the end of its stream ends the transfer,
 * complete or not (a sink that stopped early). */
static void bulk_readable(Socket *s, void *user)
{
  App *app = user;
  uint8_t buf[256];
  ssize_t n;
  while ((n = socket_recv(s, buf, sizeof buf)) > 0)
    ;
  if (n != 0 || bulk_try_complete(app, app->state))
    return;
  app_print(app, "error: the sink closed the connection after %" PRIu64 " bytes", bulk_stats(app->state)->bytes_acked);
  bulk_end(app, app->state);
  app->running = FALSE;
}

static void bulk_closed(Socket *s, int err, void *user)
{
  App *app = user;
  BulkState *bs = app->state;
  (void)s;
  if (err == 0 && bulk_try_complete(app, bs))
    return;
  char dst[ADDR_IPV4_TEXT];
  if (!bs->connected)
    app_print(app, "error: unable to connect to %s port %u: %s", addr_format_ipv4(app->conf->dst, dst), app_port(app),
              socket_strerror(err));
  else
    app_print(app, "error: connection ended: %s", err ? socket_strerror(err) : "closed by the peer");
  bulk_end(app, bs);
  app->running = FALSE;
}

static const SocketCallbacks bulk_callbacks = {
    .connected = bulk_connected, .readable = bulk_readable, .writable = bulk_writable, .closed = bulk_closed};

static void bulk_start(App *app)
{
  const AppConfig *conf = app->conf;
  BulkState *bs = g_new0(BulkState, 1);
  app->state = bs;
  bulk_fill_pattern(bs->pattern, sizeof bs->pattern);
  char dst[ADDR_IPV4_TEXT];
  app_print(app, "Connecting to host %s, port %u", addr_format_ipv4(conf->dst, dst), conf->port);
  bs->start = sim_now(app->ctx);
  bs->s = socket_new(app->node, SOCKET_TCP, &bulk_callbacks, app);
  socket_set_tcp(bs->s, &conf->tcp);
  socket_track_states(bs->s, &app->tcp_states);
  int err = socket_connect(bs->s, conf->dst, conf->port);
  if (err < 0) {
    app_print(app, "error: unable to connect to %s port %u: %s", dst, conf->port, socket_strerror(err));
    bulk_end(app, bs);
    app->running = FALSE;
  }
}

static void bulk_stop(App *app)
{
  BulkState *bs = app->state;
  if (bs->ended)
    return;
  if (bs->connected && app->conf->bytes > 0)
    app_print(app, "stopped before the end: %" PRIu64 " of %" PRIu64 " bytes acknowledged", bulk_stats(bs)->bytes_acked,
              app->conf->bytes);
  bulk_end(app, bs);
}

static void bulk_finish(App *app)
{
  (void)app;
}

static void bulk_free_state(App *app)
{
  BulkState *bs = app->state;
  if (bs && !bs->ended)
    socket_close(bs->s);
  g_free(bs);
  app->state = NULL;
}

const AppOps app_bulk_ops = {bulk_start, bulk_stop, bulk_finish, bulk_free_state};

/* ---- bulk-sink: the receiver ------------------------------------------ */

typedef struct BulkSinkState BulkSinkState;

/* One accepted connection. */
typedef struct {
  App *app;
  Socket *s;
  guint id;
  uint64_t bytes;
  SimTime accepted;
  BulkMark mark;
  EventId report;
  gboolean bad; /* a content mismatch was reported */
} BulkSinkConn;

struct BulkSinkState {
  Socket *listener;
  GPtrArray *conns; /* of BulkSinkConn*, open ones */
  guint accepted;
  uint64_t bytes;
  SimTime first, last; /* of any byte read, -1 before */
  uint8_t buf[BULK_CHUNK];
  uint8_t pattern[BULK_PATTERN_LEN];
};

static void bulk_sink_print_interval(BulkSinkConn *c, SimTime now)
{
  GString *line = g_string_new(NULL);
  bulk_format_interval(line, c->id, c->mark.start - c->accepted, now - c->accepted, c->bytes - c->mark.bytes);
  app_print(c->app, "%s", line->str);
  g_string_free(line, TRUE);
  c->mark = (BulkMark){now, c->bytes, 0};
}

static void bulk_sink_report_event(void *obj, void *arg)
{
  BulkSinkConn *c = obj;
  (void)arg;
  SimTime now = sim_now(c->app->ctx);
  bulk_sink_print_interval(c, now);
  c->report = scheduler_at(c->app->ctx->sched, now + c->app->conf->report, bulk_sink_report_event, c, NULL);
}

/* Prints the connection's last interval and totals, closes and frees it. */
static void bulk_sink_conn_end(BulkSinkConn *c)
{
  App *app = c->app;
  BulkSinkState *ss = app->state;
  SimTime now = sim_now(app->ctx);
  scheduler_cancel(app->ctx->sched, c->report);
  if (app->conf->report > 0 && now > c->mark.start)
    bulk_sink_print_interval(c, now);
  GString *line = g_string_new(NULL);
  bulk_format_interval(line, c->id, 0, now - c->accepted, c->bytes);
  g_string_append(line, "                  receiver");
  app_print(app, "%s", BULK_SEPARATOR);
  app_print(app, "%s", BULK_HEADER);
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
  socket_close(c->s);
  g_ptr_array_remove(ss->conns, c);
  g_free(c);
}

/* Counts n bytes just read into ss->buf and checks them against the pattern. */
static void bulk_sink_take(BulkSinkConn *c, BulkSinkState *ss, size_t n, SimTime now)
{
  if (!c->bad && memcmp(ss->buf, ss->pattern + c->bytes % BULK_PERIOD, n) != 0) {
    size_t i = 0;
    while (ss->buf[i] == BULK_BYTE(c->bytes + i))
      i++;
    app_print(c->app, "[%3u] content error at byte %" PRIu64, c->id, c->bytes + i);
    c->bad = TRUE;
  }
  if (ss->first < 0)
    ss->first = now;
  ss->last = now;
  c->bytes += n;
  ss->bytes += n;
  c->app->goodput_bytes = ss->bytes;
  c->app->goodput_time = ss->last - ss->first;
}

static void bulk_sink_readable(Socket *s, void *user)
{
  BulkSinkConn *c = user;
  BulkSinkState *ss = c->app->state;
  SimTime now = sim_now(c->app->ctx);
  for (;;) {
    ssize_t n = socket_recv(s, ss->buf, sizeof ss->buf);
    if (n > 0) {
      bulk_sink_take(c, ss, (size_t)n, now);
      continue;
    }
    if (n == 0) {
      c->app->done_at = now;
      bulk_sink_conn_end(c);
    }
    return;
  }
}

static void bulk_sink_closed(Socket *s, int err, void *user)
{
  BulkSinkConn *c = user;
  (void)s;
  if (err)
    app_print(c->app, "[%3u] error: connection ended: %s", c->id, socket_strerror(err));
  bulk_sink_conn_end(c);
}

static const SocketCallbacks bulk_sink_conn_callbacks = {.readable = bulk_sink_readable, .closed = bulk_sink_closed};

static void bulk_sink_accepted(Socket *listener, Socket *child, void *user)
{
  App *app = user;
  BulkSinkState *ss = app->state;
  (void)listener;
  BulkSinkConn *c = g_new0(BulkSinkConn, 1);
  *c = (BulkSinkConn){.app = app, .s = child, .id = ++ss->accepted, .accepted = sim_now(app->ctx)};
  c->mark.start = c->accepted;
  g_ptr_array_add(ss->conns, c);
  socket_set_callbacks(child, &bulk_sink_conn_callbacks, c);
  char local[ADDR_IPV4_TEXT], peer[ADDR_IPV4_TEXT];
  uint32_t laddr, paddr;
  uint16_t lport, pport;
  socket_local(child, &laddr, &lport);
  socket_peer(child, &paddr, &pport);
  if (!app->has_flow) {
    app->flow = (FlowKey){.src = paddr, .dst = laddr, .sport = pport, .dport = lport, .proto = IPPROTO_TCP_NUM};
    app->has_flow = TRUE;
  }
  app_print(app, "Accepted connection from %s, port %u", addr_format_ipv4(paddr, peer), pport);
  app_print(app, "[%3u] local %s port %u connected to %s port %u", c->id, addr_format_ipv4(laddr, local), lport, peer,
            pport);
  if (app->conf->report > 0) {
    app_print(app, "%s", BULK_HEADER);
    c->report = scheduler_at(app->ctx->sched, c->accepted + app->conf->report, bulk_sink_report_event, c, NULL);
  }
  /* Data may have come with the handshake's last segment. */
  bulk_sink_readable(child, c);
}

static const SocketCallbacks bulk_sink_callbacks = {.accepted = bulk_sink_accepted};

static void bulk_sink_start(App *app)
{
  BulkSinkState *ss = g_new0(BulkSinkState, 1);
  app->state = ss;
  ss->conns = g_ptr_array_new();
  ss->first = ss->last = -1;
  bulk_fill_pattern(ss->pattern, sizeof ss->pattern);
  uint16_t port = app_port(app);
  ss->listener = app_tcp_listen(app, port, &bulk_sink_callbacks, FALSE);
  if (!ss->listener)
    return;
  app_print(app, "Server listening on %u", port);
}

/* Stops accepting and ends every open connection with its totals. */
static void bulk_sink_stop(App *app)
{
  BulkSinkState *ss = app->state;
  socket_close(ss->listener);
  ss->listener = NULL;
  while (ss->conns->len > 0)
    bulk_sink_conn_end(g_ptr_array_index(ss->conns, 0));
}

static void bulk_sink_finish(App *app)
{
  (void)app;
}

static void bulk_sink_free_state(App *app)
{
  BulkSinkState *ss = app->state;
  if (!ss)
    return;
  socket_close(ss->listener);
  for (guint i = 0; i < ss->conns->len; i++) {
    BulkSinkConn *c = g_ptr_array_index(ss->conns, i);
    socket_close(c->s);
    g_free(c);
  }
  g_ptr_array_free(ss->conns, TRUE);
  g_free(ss);
  app->state = NULL;
}

const AppOps app_bulk_sink_ops = {bulk_sink_start, bulk_sink_stop, bulk_sink_finish, bulk_sink_free_state};
