/*
 * http and http-server: HTTP/1.1 (RFC 9110, RFC 9112) fetches of objects
 * of given sizes, in real syntax so that tshark dissects them. The server
 * (port 80 unless given) answers `GET /bytes/<n>` with n bytes:
 *
 *   HTTP/1.1 200 OK\r\nDate: <date>\r\nContent-Length: <n>\r\nContent-Type: application/octet-stream\r\n\r\n<n bytes>
 *
 * The Date (RFC 9110 6.6.1, IMF-fixdate: `Thu, 01 Jan 1970 00:00:01 GMT`)
 * is the simulated time the response was made, whole seconds, with
 * simulated time 0 at the Unix epoch (1970-01-01T00:00:00Z, as the pcap
 * timestamps), computed with integer arithmetic (no time zone).
 * and a request it cannot parse with 400 Bad Request, any other target
 * with 404 Not Found, another method with 501 Not Implemented (each with a
 * short text body). It serves the requests of a connection in turn (so
 * pipelined requests work too), closes after a response when the request
 * said `Connection: close` or after an error, and closes its side when the
 * client closed its own.
 *
 * The client fetches each size of `sizes` in turn, sending
 *
 *   GET /bytes/<n> HTTP/1.1\r\nHost: <addr>\r\nConnection: keep-alive\r\n\r\n
 *
 * over one connection (`persistent`, the default), or each over a fresh
 * connection with `Connection: close`. It reads the status line and the
 * headers, then Content-Length bytes of body (checking each against the
 * server's pattern: a line says how many differ, when any do), and prints one line per
 * request with the time from sending the request (from connect() on a
 * fresh connection) to the body's last byte:
 *
 *   GET /bytes/1000: 200 OK, 1000 bytes in 4.123 ms
 *
 * and at the end a summary:
 *
 *   3 requests, 3 ok, 111000 body bytes in 0.052 s over 1 connection (17.1 Mbit/s)
 *
 * Both ends turn Nagle off (TCP_NODELAY, as nginx, Apache and curl do)
 * and the server hands a response's head and the start of its body to the
 * socket in one call (as writev()), so no small segment waits for a
 * delayed ACK.
 *
 * Results: done_at when the last object arrived; goodput is the body bytes
 * over the time from the first connect() to then. The flow is the first
 * connection's response direction (server to client).
 *
 * Entry points (AppOps): http_start(), http_stop(), http_finish(),
 * http_free_state(); http_server_start(), http_server_stop(),
 * http_server_finish(), http_server_free_state().
 *
 * Leaves out: chunked transfer coding, methods other than GET, request
 * pipelining by the client, more than one connection at a time from a
 * client, caching, TLS, header folding; the server ignores request headers
 * other than Connection.
 */
#include "models/app/app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/transport/socket.h"
#include "sim/text/addr.h"

#define HTTP_MAX_HEAD 8192 /* longest request or response head accepted */
#define HTTP_PERIOD 251    /* body byte i is i % HTTP_PERIOD */
#define HTTP_CHUNK 16384
#define HTTP_PATTERN_LEN (HTTP_CHUNK + HTTP_PERIOD)

/* Bytes waiting to go out on a connection: a text head, then `body` bytes
 * of the pattern. */
typedef struct {
  GString *text;
  size_t text_off;
  uint64_t body_left, body_off;
} HttpOut;

static void http_fill_pattern(uint8_t *buf, size_t len)
{
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)(i % HTTP_PERIOD);
}

/* Sends what the socket takes of `out`; returns TRUE when all is sent.
 * The head goes out together with the body's start, staged in `scratch`
 * (HTTP_CHUNK bytes), as a server's writev() would: one segment rather
 * than a small one that waits for its ACK. */
static gboolean http_out_flush(Socket *s, HttpOut *out, const uint8_t *pattern, uint8_t *scratch)
{
  while (out->text_off < out->text->len) {
    size_t tlen = MIN(out->text->len - out->text_off, HTTP_CHUNK);
    size_t blen = (size_t)MIN(out->body_left, HTTP_CHUNK - tlen);
    memcpy(scratch, out->text->str + out->text_off, tlen);
    if (blen > 0)
      memcpy(scratch + tlen, pattern + out->body_off % HTTP_PERIOD, blen);
    ssize_t n = socket_send(s, scratch, tlen + blen);
    if (n <= 0)
      return FALSE;
    size_t took = MIN((size_t)n, tlen);
    out->text_off += took;
    out->body_left -= (uint64_t)n - took;
    out->body_off += (uint64_t)n - took;
  }
  while (out->body_left > 0) {
    size_t want = (size_t)MIN(out->body_left, HTTP_CHUNK);
    ssize_t n = socket_send(s, pattern + out->body_off % HTTP_PERIOD, want);
    if (n <= 0)
      return FALSE;
    out->body_left -= (uint64_t)n;
    out->body_off += (uint64_t)n;
  }
  g_string_truncate(out->text, 0);
  out->text_off = 0;
  return TRUE;
}

/* TCP settings of the app with Nagle off: web servers and clients set
 * TCP_NODELAY (nginx's tcp_nodelay, Apache, curl), since a response's
 * last small segment would otherwise wait for a delayed ACK. */
static void http_set_tcp(Socket *s, const App *app)
{
  TcpConfig tcp = app->conf->tcp;
  tcp.nagle = FALSE;
  socket_set_tcp(s, &tcp);
}

/* Where a head ends ("\r\n\r\n" included) in `buf`, or 0 when not yet. */
static size_t http_head_end(const GString *buf)
{
  const char *p = g_strstr_len(buf->str, (gssize)buf->len, "\r\n\r\n");
  return p ? (size_t)(p - buf->str) + 4 : 0;
}

/* Parses a decimal size of at most 19 digits; FALSE for anything else. */
static gboolean http_parse_size(const char *text, size_t len, uint64_t *out)
{
  if (len == 0 || len > 19)
    return FALSE;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isdigit(text[i]))
      return FALSE;
    v = v * 10 + (uint64_t)(text[i] - '0');
  }
  *out = v;
  return TRUE;
}

/* The value of header `name` (case-insensitive) in a head, trimmed, or NULL; g_free it. */
static char *http_header(const char *head, const char *name)
{
  char **lines = g_strsplit(head, "\r\n", -1);
  char *value = NULL;
  size_t nlen = strlen(name);
  for (guint i = 1; lines[i] && !value; i++)
    if (g_ascii_strncasecmp(lines[i], name, nlen) == 0 && lines[i][nlen] == ':')
      value = g_strstrip(g_strdup(lines[i] + nlen + 1));
  g_strfreev(lines);
  return value;
}

/* ---- http-server ------------------------------------------------------ */

typedef struct {
  Socket *listener;
  GPtrArray *conns; /* of HttpServerConn* */
  uint8_t pattern[HTTP_PATTERN_LEN];
  char buf[HTTP_CHUNK];
  uint8_t scratch[HTTP_CHUNK];
} HttpServerState;

typedef struct {
  App *app;
  Socket *s;
  GString *in; /* received, not yet served */
  HttpOut out;
  gboolean sending;     /* a response is being sent */
  gboolean close_after; /* close once it is sent */
  gboolean peer_closed; /* the client's FIN was read */
} HttpServerConn;

static void http_server_conn_free(HttpServerConn *c)
{
  HttpServerState *ss = c->app->state;
  g_ptr_array_remove(ss->conns, c);
  socket_close(c->s);
  g_string_free(c->in, TRUE);
  g_string_free(c->out.text, TRUE);
  g_free(c);
}

/* Appends the IMF-fixdate (RFC 9110 5.6.7) of simulated time `now`, time
 * 0 being 1970-01-01T00:00:00Z: the civil date from the day number by
 * Howard Hinnant's days-to-civil algorithm (proleptic Gregorian). */
static void http_append_date(GString *t, SimTime now)
{
  static const char *const wday[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = now / 1000000000, days = secs / 86400, rem = secs % 86400;
  int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2);

  g_string_append_printf(t, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", wday[days % 7], (int)day, mon[month - 1],
                         (int)year, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Queues a response: status, headers, then a body of `len` pattern bytes
 * or the text `body`. */
static void http_server_respond(HttpServerConn *c, const char *status, uint64_t len, const char *body)
{
  GString *t = c->out.text;
  g_string_append_printf(t, "HTTP/1.1 %s\r\n", status);
  http_append_date(t, sim_now(c->app->ctx));
  g_string_append_printf(t, "Content-Length: %" PRIu64 "\r\n", body ? strlen(body) : len);
  g_string_append_printf(t, "Content-Type: %s\r\n", body ? "text/plain" : "application/octet-stream");
  if (c->close_after)
    g_string_append(t, "Connection: close\r\n");
  g_string_append(t, "\r\n");
  if (body)
    g_string_append(t, body);
  else
    c->out.body_left = len;
  c->out.body_off = 0;
  c->sending = TRUE;
}

/* Answers the request whose head is the first `len` bytes of c->in. */
static void http_server_answer(HttpServerConn *c, size_t len)
{
  char *head = g_strndup(c->in->str, len);
  char *conn = http_header(head, "Connection");
  *strstr(head, "\r\n") = '\0';
  char **words = g_strsplit(head, " ", 4);
  uint64_t size = 0;
  c->close_after = conn && g_ascii_strcasecmp(conn, "close") == 0;
  if (g_strv_length(words) != 3 || !g_str_has_prefix(words[2], "HTTP/1.") || words[1][0] != '/') {
    c->close_after = TRUE;
    http_server_respond(c, "400 Bad Request", 0, "bad request\n");
  } else if (strcmp(words[0], "GET") != 0) {
    http_server_respond(c, "501 Not Implemented", 0, "only GET is implemented\n");
  } else if (!g_str_has_prefix(words[1], "/bytes/") || !http_parse_size(words[1] + 7, strlen(words[1] + 7), &size)) {
    http_server_respond(c, "404 Not Found", 0, "try /bytes/<n>\n");
  } else {
    http_server_respond(c, "200 OK", size, NULL);
  }
  g_string_erase(c->in, 0, (gssize)len);
  g_free(conn);
  g_strfreev(words);
  g_free(head);
}

/* Sends the current response on; serves the next waiting request after
 * it. Returns FALSE when it freed the connection. */
static gboolean http_server_serve(HttpServerConn *c)
{
  HttpServerState *ss = c->app->state;
  for (;;) {
    if (c->sending) {
      if (!http_out_flush(c->s, &c->out, ss->pattern, ss->scratch))
        return TRUE;
      c->sending = FALSE;
      if (c->close_after) {
        http_server_conn_free(c);
        return FALSE;
      }
    }
    size_t len = http_head_end(c->in);
    if (len == 0 && c->in->len > HTTP_MAX_HEAD) {
      c->close_after = TRUE;
      http_server_respond(c, "400 Bad Request", 0, "request head too long\n");
      g_string_truncate(c->in, 0);
      continue;
    }
    if (len == 0 && c->peer_closed) {
      http_server_conn_free(c);
      return FALSE;
    }
    if (len == 0)
      return TRUE;
    http_server_answer(c, len);
  }
}

static void http_server_readable(Socket *s, void *user)
{
  HttpServerConn *c = user;
  HttpServerState *ss = c->app->state;
  for (;;) {
    ssize_t n = socket_recv(s, ss->buf, sizeof ss->buf);
    c->peer_closed |= n == 0;
    if (n <= 0)
      break;
    if (c->in->len <= HTTP_MAX_HEAD * 2)
      g_string_append_len(c->in, ss->buf, n);
  }
  http_server_serve(c);
}

static void http_server_writable(Socket *s, void *user)
{
  (void)s;
  http_server_serve(user);
}

static void http_server_closed(Socket *s, int err, void *user)
{
  HttpServerConn *c = user;
  (void)s;
  if (err)
    app_print(c->app, "connection ended: %s", socket_strerror(err));
  http_server_conn_free(c);
}

static const SocketCallbacks http_server_conn_callbacks = {
    .readable = http_server_readable, .writable = http_server_writable, .closed = http_server_closed};

static void http_server_accepted(Socket *listener, Socket *child, void *user)
{
  App *app = user;
  HttpServerState *ss = app->state;
  (void)listener;
  HttpServerConn *c = g_new0(HttpServerConn, 1);
  c->app = app;
  c->s = child;
  c->in = g_string_new(NULL);
  c->out.text = g_string_new(NULL);
  g_ptr_array_add(ss->conns, c);
  socket_set_callbacks(child, &http_server_conn_callbacks, c);
  http_server_readable(child, c);
}

static const SocketCallbacks http_server_callbacks = {.accepted = http_server_accepted};

static void http_server_start(App *app)
{
  HttpServerState *ss = g_new0(HttpServerState, 1);
  app->state = ss;
  ss->conns = g_ptr_array_new();
  http_fill_pattern(ss->pattern, sizeof ss->pattern);
  uint16_t port = app_port(app);
  ss->listener = app_tcp_listen(app, port, &http_server_callbacks, TRUE);
  if (!ss->listener)
    return;
  app_print(app, "listening on port %u", port);
}

static void http_server_stop(App *app)
{
  HttpServerState *ss = app->state;
  socket_close(ss->listener);
  ss->listener = NULL;
  while (ss->conns->len > 0)
    http_server_conn_free(g_ptr_array_index(ss->conns, 0));
}

static void http_server_finish(App *app)
{
  (void)app;
}

static void http_server_free_state(App *app)
{
  HttpServerState *ss = app->state;
  if (!ss)
    return;
  http_server_stop(app);
  g_ptr_array_free(ss->conns, TRUE);
  g_free(ss);
  app->state = NULL;
}

const AppOps app_http_server_ops = {http_server_start, http_server_stop, http_server_finish, http_server_free_state};

/* ---- http: the client ------------------------------------------------- */

typedef struct {
  Socket *s;
  guint next;        /* index into sizes of the object being fetched */
  guint connections; /* opened */
  guint ok;          /* 2xx responses */
  SimTime first;     /* the first connect() */
  SimTime t0;        /* the current request's start */
  GString *head;     /* the response head read so far */
  gboolean in_body;  /* head read; counting body bytes */
  uint64_t body_len; /* Content-Length */
  uint64_t body_got; /* of this response */
  uint64_t body_all; /* of every response */
  uint64_t body_bad; /* of this response: bytes other than http-server's pattern */
  char status[64];   /* "200 OK" */
  HttpOut out;       /* the request, until sent */
  gboolean ended;
  char buf[HTTP_CHUNK];
  uint8_t scratch[HTTP_CHUNK];
} HttpState;

static void http_request_send(App *app, HttpState *hs);
static void http_connect(App *app, HttpState *hs);

/* How many of the n body bytes at `data`, from body offset `off`, differ
 * from the pattern http-server sends (a real server serving that file
 * passes: the content is checked, not only counted). */
static uint64_t http_pattern_misses(const uint8_t *data, size_t n, uint64_t off)
{
  uint64_t bad = 0;
  for (size_t i = 0; i < n; i++)
    bad += data[i] != (uint8_t)((off + i) % HTTP_PERIOD);
  return bad;
}

static guint http_count(const App *app)
{
  return app->conf->sizes ? app->conf->sizes->len : 0;
}

static uint64_t http_size(const App *app, guint i)
{
  return g_array_index(app->conf->sizes, uint64_t, i);
}

/* Ends the client once: the summary, the results; closes the socket. */
static void http_end(App *app, HttpState *hs)
{
  if (hs->ended)
    return;
  hs->ended = TRUE;
  SimTime now = sim_now(app->ctx);
  double secs = (double)(now - hs->first) / 1e9;
  app_print(app, "%u requests, %u ok, %" PRIu64 " body bytes in %.3f s over %u connection%s (%.3g Mbit/s)", hs->next,
            hs->ok, hs->body_all, secs, hs->connections, hs->connections == 1 ? "" : "s",
            secs > 0 ? (double)hs->body_all * 8 / secs / 1e6 : 0.0);
  app->goodput_bytes = hs->body_all;
  app->goodput_time = now - hs->first;
  socket_close(hs->s);
  hs->s = NULL;
  app->running = FALSE;
}

/* The current response is complete: its line, then the next request. */
static void http_response_done(App *app, HttpState *hs)
{
  SimTime now = sim_now(app->ctx);
  char bad[64] = "";
  if (hs->body_bad)
    g_snprintf(bad, sizeof bad, ", %" PRIu64 " not of the pattern", hs->body_bad);
  app_print(app, "GET /bytes/%" PRIu64 ": %s, %" PRIu64 " bytes in %.3f ms%s", http_size(app, hs->next), hs->status,
            hs->body_got, (double)(now - hs->t0) / 1e6, bad);
  if (hs->status[0] == '2')
    hs->ok++;
  hs->next++;
  hs->in_body = FALSE;
  g_string_truncate(hs->head, 0);
  if (hs->next >= http_count(app)) {
    app->done_at = now;
    http_end(app, hs);
  } else if (app->conf->persistent) {
    hs->t0 = now;
    http_request_send(app, hs);
  } else {
    socket_close(hs->s);
    http_connect(app, hs);
  }
}

/* Reads the status and Content-Length of a complete head of `len` bytes;
 * FALSE when it is not an HTTP/1.1 response with a length. */
static gboolean http_parse_head(HttpState *hs, size_t len)
{
  char *head = g_strndup(hs->head->str, len);
  char *eol = strstr(head, "\r\n");
  *eol = '\0';
  gboolean ok = g_str_has_prefix(head, "HTTP/1.") && strlen(head) > 9 && head[8] == ' ';
  if (ok)
    g_strlcpy(hs->status, head + 9, sizeof hs->status);
  *eol = '\r';
  char *cl = ok ? http_header(head, "Content-Length") : NULL;
  ok = cl && http_parse_size(cl, strlen(cl), &hs->body_len);
  g_free(cl);
  g_free(head);
  return ok;
}

/* Takes n received bytes at `data`. Returns FALSE when the client ended. */
static gboolean http_take(App *app, HttpState *hs, const char *data, size_t n)
{
  while (n > 0) {
    if (hs->in_body) {
      size_t take = (size_t)MIN(n, hs->body_len - hs->body_got);
      hs->body_bad += http_pattern_misses((const uint8_t *)data, take, hs->body_got);
      hs->body_got += take;
      hs->body_all += take;
      data += take;
      n -= take;
    } else {
      size_t old = hs->head->len;
      g_string_append_len(hs->head, data, (gssize)MIN(n, HTTP_MAX_HEAD));
      size_t end = http_head_end(hs->head);
      if (end == 0 && hs->head->len >= HTTP_MAX_HEAD) {
        app_print(app, "error: response head longer than %d bytes", HTTP_MAX_HEAD);
        http_end(app, hs);
        return FALSE;
      }
      if (end == 0)
        return TRUE;
      if (!http_parse_head(hs, end)) {
        app_print(app, "error: malformed response");
        http_end(app, hs);
        return FALSE;
      }
      data += end - old;
      n -= end - old;
      hs->in_body = TRUE;
      hs->body_got = hs->body_bad = 0;
    }
    if (hs->in_body && hs->body_got == hs->body_len) {
      Socket *s = hs->s;
      http_response_done(app, hs);
      if (hs->ended || hs->s != s)
        return FALSE;
    }
  }
  return TRUE;
}

static void http_readable(Socket *s, void *user)
{
  App *app = user;
  HttpState *hs = app->state;
  for (;;) {
    ssize_t n = socket_recv(s, hs->buf, sizeof hs->buf);
    if (n == 0) {
      app_print(app, "error: the server closed the connection before the end of the response");
      http_end(app, hs);
      return;
    }
    if (n < 0 || !http_take(app, hs, hs->buf, (size_t)n))
      return;
  }
}

/* Queues the request for object hs->next. */
static void http_request_send(App *app, HttpState *hs)
{
  char host[ADDR_IPV4_TEXT];
  g_string_printf(hs->out.text, "GET /bytes/%" PRIu64 " HTTP/1.1\r\nHost: %s\r\nConnection: %s\r\n\r\n",
                  http_size(app, hs->next), addr_format_ipv4(app->conf->dst, host),
                  app->conf->persistent ? "keep-alive" : "close");
  hs->out.text_off = 0;
  http_out_flush(hs->s, &hs->out, NULL, hs->scratch);
}

static void http_connected(Socket *s, void *user)
{
  App *app = user;
  HttpState *hs = app->state;
  if (!app->has_flow) {
    FlowKey k = {.proto = IPPROTO_TCP_NUM};
    socket_local(s, &k.dst, &k.dport);
    socket_peer(s, &k.src, &k.sport);
    app->flow = k;
    app->has_flow = TRUE;
  }
  http_request_send(app, hs);
}

static void http_writable(Socket *s, void *user)
{
  App *app = user;
  HttpState *hs = app->state;
  http_out_flush(s, &hs->out, NULL, hs->scratch);
}

static void http_closed(Socket *s, int err, void *user)
{
  App *app = user;
  HttpState *hs = app->state;
  char dst[ADDR_IPV4_TEXT];
  (void)s;
  if (err == -ECONNREFUSED || err == -ETIMEDOUT || err == -EHOSTUNREACH || err == -ENETUNREACH)
    app_print(app, "error: cannot connect to %s port %u: %s", addr_format_ipv4(app->conf->dst, dst), app_port(app),
              socket_strerror(err));
  else
    app_print(app, "error: connection ended: %s", err ? socket_strerror(err) : "closed by the server");
  http_end(app, hs);
}

static const SocketCallbacks http_callbacks = {
    .connected = http_connected, .readable = http_readable, .writable = http_writable, .closed = http_closed};

/* Opens a connection for the next object; its request follows `connected`. */
static void http_connect(App *app, HttpState *hs)
{
  uint16_t port = app_port(app);
  hs->t0 = sim_now(app->ctx);
  hs->connections++;
  hs->s = socket_new(app->node, SOCKET_TCP, &http_callbacks, app);
  http_set_tcp(hs->s, app);
  socket_track_states(hs->s, &app->tcp_states);
  int err = socket_connect(hs->s, app->conf->dst, port);
  if (err < 0) {
    char dst[ADDR_IPV4_TEXT];
    app_print(app, "error: cannot connect to %s port %u: %s", addr_format_ipv4(app->conf->dst, dst), port,
              socket_strerror(err));
    http_end(app, hs);
  }
}

static void http_start(App *app)
{
  HttpState *hs = g_new0(HttpState, 1);
  app->state = hs;
  hs->head = g_string_new(NULL);
  hs->out.text = g_string_new(NULL);
  hs->first = sim_now(app->ctx);
  if (http_count(app) == 0) {
    app_print(app, "nothing to fetch");
    hs->ended = TRUE;
    app->done_at = hs->first;
    app->running = FALSE;
    return;
  }
  http_connect(app, hs);
}

static void http_stop(App *app)
{
  HttpState *hs = app->state;
  if (!hs->ended)
    app_print(app, "stopped after %u of %u objects", hs->next, http_count(app));
  http_end(app, hs);
}

static void http_finish(App *app)
{
  (void)app;
}

static void http_free_state(App *app)
{
  HttpState *hs = app->state;
  if (!hs)
    return;
  socket_close(hs->s);
  g_string_free(hs->head, TRUE);
  g_string_free(hs->out.text, TRUE);
  g_free(hs);
  app->state = NULL;
}

const AppOps app_http_ops = {http_start, http_stop, http_finish, http_free_state};
