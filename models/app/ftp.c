/*
 * ftp and ftp-server: file retrieval as RFC 959 describes it, in passive
 * mode, with real commands and replies so that tshark dissects FTP and
 * FTP-DATA. The server (port 21 unless given) holds virtual files: the
 * name `file-<n>` stands for n bytes (byte i is i % 251). A session:
 *
 *   S: 220 ipsim FTP server ready.
 *   C: USER anonymous          S: 331 Please specify the password.
 *   C: PASS ipsim@             S: 230 Login successful.
 *   C: TYPE I                  S: 200 Switching to Binary mode.
 *   C: PASV                    S: 227 Entering Passive Mode (10,0,0,2,192,0).
 *      (the client opens the data connection to that address and port)
 *   C: RETR file-1000          S: 150 Opening BINARY mode data connection for file-1000 (1000 bytes).
 *      (the server sends the file on the data connection and closes it)
 *                              S: 226 Transfer complete.
 *   ... PASV and RETR again for every file ...
 *   C: QUIT                    S: 221 Goodbye.
 *
 * The server listens on a fresh ephemeral port for each PASV, takes one
 * connection there and closes the listener; after RETR it queues the file
 * on the data connection, shuts it down (FIN after the data) and sends 226
 * once the connection has closed in order (our FIN acknowledged, the
 * client's FIN received): vsftpd closes the data socket with SO_LINGER
 * and replies 226 when close() returns, after the client saw the end of
 * the data. Any other end of the data connection gives 426. It answers SYST, NOOP and PWD, refuses what it does not
 * know with 500, RETR of another name with 550, RETR without PASV with
 * 425, and commands before login with 530.
 *
 * Control connections run with Nagle off (TCP_NODELAY, as ProFTPD sets
 * it), data connections with the app's TCP settings.
 *
 * The client logs in as anonymous, switches to binary, retrieves each size
 * of `sizes` in turn (`file-<size>`), and QUITs. Like the BSD ftp client
 * it prints the server's replies and after each file
 *
 *   1000 bytes received in 0.0123 secs (81.30 kB/s)
 *
 * (kB = 1000 bytes; B/s, kB/s, MB/s or GB/s with two decimals, as curl
 * scales its rates: 46.76 MB/s), the time from sending RETR to the end of
 * the data.
 * A file is complete when its data connection ended and 226 arrived, in
 * either order. At the end: `retrieved 2 files (101000 bytes) in 0.25 secs
 * of transfer`.
 *
 * Results: done_at when QUIT's reply arrived (only when every file came);
 * goodput is the file bytes over the sum of their transfer times. The flow
 * is the first data connection (server to client).
 *
 * Entry points (AppOps): ftp_start(), ftp_stop(), ftp_finish(),
 * ftp_free_state(); ftp_server_start(), ftp_server_stop(),
 * ftp_server_finish(), ftp_server_free_state().
 *
 * Leaves out: active mode (PORT), STOR, LIST and directories, ASCII type,
 * restarts, authentication (any user and password are accepted), EPSV.
 */
#include "models/app/app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/transport/socket.h"
#include "sim/text/addr.h"

#define FTP_MAX_LINE 1024 /* longest command or reply line accepted */
#define FTP_PERIOD 251
#define FTP_CHUNK 16384
#define FTP_PATTERN_LEN (FTP_CHUNK + FTP_PERIOD)

/* A control connection's text output, kept until the socket takes it. */
typedef struct {
  Socket *s;
  GString *out;
} FtpCtrl;

/* Queues text and sends what the socket takes. */
static void ftp_ctrl_flush(FtpCtrl *c)
{
  while (c->s && c->out->len > 0) {
    ssize_t n = socket_send(c->s, c->out->str, c->out->len);
    if (n <= 0)
      return;
    g_string_erase(c->out, 0, n);
  }
}

static void ftp_ctrl_send(FtpCtrl *c, const char *line)
{
  g_string_append(c->out, line);
  g_string_append(c->out, "\r\n");
  ftp_ctrl_flush(c);
}

/* Takes the next CRLF-terminated line (without it) out of `in`; NULL when
 * none is complete. g_free it. */
static char *ftp_take_line(GString *in)
{
  const char *p = g_strstr_len(in->str, (gssize)in->len, "\r\n");
  if (!p)
    return NULL;
  size_t len = (size_t)(p - in->str);
  char *line = g_strndup(in->str, len);
  g_string_erase(in, 0, (gssize)(len + 2));
  return line;
}

/* Appends what `s` has to read to `in` (bounded); returns 0 at the end of
 * the stream, else 1. */
static int ftp_read_into(Socket *s, GString *in)
{
  char buf[2048];
  for (;;) {
    ssize_t n = socket_recv(s, buf, sizeof buf);
    if (n == 0)
      return 0;
    if (n < 0)
      return 1;
    if (in->len < 4 * FTP_MAX_LINE)
      g_string_append_len(in, buf, n);
  }
}

/* "file-<n>": n, or FALSE for any other name. */
static gboolean ftp_parse_name(const char *name, uint64_t *size)
{
  if (!g_str_has_prefix(name, "file-"))
    return FALSE;
  const char *d = name + 5;
  size_t len = strlen(d);
  if (len == 0 || len > 19)
    return FALSE;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!g_ascii_isdigit(d[i]))
      return FALSE;
    v = v * 10 + (uint64_t)(d[i] - '0');
  }
  *size = v;
  return TRUE;
}

/* TCP settings for a control connection: the app's, with Nagle off, as
 * ProFTPD sets TCP_NODELAY on it (interactive traffic: a reply must not
 * wait for the ACK of the one before, which a delayed ACK holds back). */
static void ftp_set_ctrl_tcp(Socket *s, const App *app)
{
  TcpConfig tcp = app->conf->tcp;
  tcp.nagle = FALSE;
  socket_set_tcp(s, &tcp);
}

/* ---- ftp-server ------------------------------------------------------- */

typedef struct {
  Socket *listener;
  GPtrArray *sessions; /* of FtpSession* */
  uint8_t pattern[FTP_PATTERN_LEN];
} FtpServerState;

typedef struct {
  App *app;
  FtpCtrl ctrl;
  GString *in;
  gboolean logged_in, user_given;
  Socket *pasv;       /* listener of the last PASV, until its connection came */
  Socket *data;       /* the data connection */
  gboolean retr;      /* RETR asked; send once the data connection is there */
  gboolean draining;  /* the file is queued and the FIN too: 226 once closed */
  uint64_t left, off; /* of the file being sent */
} FtpSession;

static void ftp_session_free(FtpSession *fs)
{
  FtpServerState *ss = fs->app->state;
  g_ptr_array_remove(ss->sessions, fs);
  socket_close(fs->ctrl.s);
  socket_close(fs->pasv);
  socket_close(fs->data);
  g_string_free(fs->in, TRUE);
  g_string_free(fs->ctrl.out, TRUE);
  g_free(fs);
}

/* Sends the file on; once all is queued, shuts the data connection down
 * (226 follows when it has closed). */
static void ftp_session_send_file(FtpSession *fs)
{
  FtpServerState *ss = fs->app->state;
  while (fs->data && fs->left > 0) {
    ssize_t n = socket_send(fs->data, ss->pattern + fs->off % FTP_PERIOD, (size_t)MIN(fs->left, FTP_CHUNK));
    if (n <= 0)
      return;
    fs->left -= (uint64_t)n;
    fs->off += (uint64_t)n;
  }
  if (!fs->data || !fs->retr)
    return;
  socket_shutdown(fs->data);
  fs->retr = FALSE;
  fs->draining = TRUE;
}

static void ftp_data_writable(Socket *s, void *user)
{
  (void)s;
  ftp_session_send_file(user);
}

/* The client sends nothing on the data connection; read its FIN. */
static void ftp_data_readable(Socket *s, void *user)
{
  char buf[256];
  (void)user;
  while (socket_recv(s, buf, sizeof buf) > 0)
    ;
}

/* The data connection ended: 226 after an orderly close of a file sent
 * whole, 426 when it ended any other way during a transfer. */
static void ftp_data_closed(Socket *s, int err, void *user)
{
  FtpSession *fs = user;
  (void)s;
  socket_close(fs->data);
  fs->data = NULL;
  if (fs->draining && err == 0)
    ftp_ctrl_send(&fs->ctrl, "226 Transfer complete.");
  else if (fs->retr || fs->draining)
    ftp_ctrl_send(&fs->ctrl, "426 Connection closed; transfer aborted.");
  fs->retr = fs->draining = FALSE;
}

static const SocketCallbacks ftp_data_callbacks = {
    .readable = ftp_data_readable, .writable = ftp_data_writable, .closed = ftp_data_closed};

/* A data connection arrived on the PASV port: keep it, stop listening. */
static void ftp_pasv_accepted(Socket *listener, Socket *child, void *user)
{
  FtpSession *fs = user;
  (void)listener;
  socket_set_callbacks(child, &ftp_data_callbacks, fs);
  socket_close(fs->pasv);
  fs->pasv = NULL;
  if (fs->data) {
    socket_close(child);
    return;
  }
  fs->data = child;
  if (fs->retr)
    ftp_session_send_file(fs);
}

static const SocketCallbacks ftp_pasv_callbacks = {.accepted = ftp_pasv_accepted};

static void ftp_session_pasv(FtpSession *fs)
{
  socket_close(fs->pasv);
  socket_close(fs->data);
  fs->data = NULL;
  fs->draining = FALSE;
  fs->pasv = socket_new(fs->app->node, SOCKET_TCP, &ftp_pasv_callbacks, fs);
  socket_set_tcp(fs->pasv, &fs->app->conf->tcp);
  socket_track_states(fs->pasv, &fs->app->tcp_states);
  uint32_t addr, unused_addr;
  uint16_t port, unused_port;
  socket_local(fs->ctrl.s, &addr, &unused_port);
  if (socket_bind(fs->pasv, addr, 0) < 0 || socket_listen(fs->pasv, 1) < 0) {
    socket_close(fs->pasv);
    fs->pasv = NULL;
    ftp_ctrl_send(&fs->ctrl, "425 Cannot open a passive connection.");
    return;
  }
  socket_local(fs->pasv, &unused_addr, &port);
  char *reply = g_strdup_printf("227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).", addr >> 24, (addr >> 16) & 0xff,
                                (addr >> 8) & 0xff, addr & 0xff, port >> 8, port & 0xff);
  ftp_ctrl_send(&fs->ctrl, reply);
  g_free(reply);
}

static void ftp_session_retr(FtpSession *fs, const char *arg)
{
  uint64_t size = 0;
  if (!fs->pasv && !fs->data) {
    ftp_ctrl_send(&fs->ctrl, "425 Use PORT or PASV first.");
    return;
  }
  if (!arg || !ftp_parse_name(arg, &size)) {
    ftp_ctrl_send(&fs->ctrl, "550 Failed to open file.");
    return;
  }
  char *reply = g_strdup_printf("150 Opening BINARY mode data connection for %s (%" PRIu64 " bytes).", arg, size);
  ftp_ctrl_send(&fs->ctrl, reply);
  g_free(reply);
  fs->retr = TRUE;
  fs->left = size;
  fs->off = 0;
  ftp_session_send_file(fs);
}

/* Carries out one command line. Returns FALSE when the session ended. */
static gboolean ftp_session_command(FtpSession *fs, char *line)
{
  char *arg = strchr(line, ' ');
  if (arg)
    *arg++ = '\0';
  if (g_ascii_strcasecmp(line, "QUIT") == 0) {
    ftp_ctrl_send(&fs->ctrl, "221 Goodbye.");
    ftp_session_free(fs);
    return FALSE;
  }
  if (g_ascii_strcasecmp(line, "USER") == 0) {
    fs->user_given = TRUE;
    ftp_ctrl_send(&fs->ctrl, "331 Please specify the password.");
  } else if (g_ascii_strcasecmp(line, "PASS") == 0) {
    fs->logged_in = fs->user_given;
    ftp_ctrl_send(&fs->ctrl, fs->logged_in ? "230 Login successful." : "503 Login with USER first.");
  } else if (g_ascii_strcasecmp(line, "SYST") == 0) {
    ftp_ctrl_send(&fs->ctrl, "215 UNIX Type: L8");
  } else if (g_ascii_strcasecmp(line, "NOOP") == 0) {
    ftp_ctrl_send(&fs->ctrl, "200 NOOP ok.");
  } else if (!fs->logged_in) {
    ftp_ctrl_send(&fs->ctrl, "530 Please login with USER and PASS.");
  } else if (g_ascii_strcasecmp(line, "TYPE") == 0) {
    gboolean binary = arg && (g_ascii_strcasecmp(arg, "I") == 0 || g_ascii_strcasecmp(arg, "L 8") == 0);
    ftp_ctrl_send(&fs->ctrl, binary ? "200 Switching to Binary mode." : "504 Only binary mode (TYPE I).");
  } else if (g_ascii_strcasecmp(line, "PWD") == 0) {
    ftp_ctrl_send(&fs->ctrl, "257 \"/\" is the current directory");
  } else if (g_ascii_strcasecmp(line, "PASV") == 0) {
    ftp_session_pasv(fs);
  } else if (g_ascii_strcasecmp(line, "RETR") == 0) {
    ftp_session_retr(fs, arg);
  } else {
    ftp_ctrl_send(&fs->ctrl, "500 Unknown command.");
  }
  return TRUE;
}

static void ftp_session_readable(Socket *s, void *user)
{
  FtpSession *fs = user;
  int more = ftp_read_into(s, fs->in);
  char *line;
  while ((line = ftp_take_line(fs->in))) {
    gboolean alive = ftp_session_command(fs, line);
    g_free(line);
    if (!alive)
      return;
  }
  if (fs->in->len > FTP_MAX_LINE) {
    g_string_truncate(fs->in, 0);
    ftp_ctrl_send(&fs->ctrl, "500 Command line too long.");
  }
  if (!more)
    ftp_session_free(fs);
}

static void ftp_session_writable(Socket *s, void *user)
{
  FtpSession *fs = user;
  (void)s;
  ftp_ctrl_flush(&fs->ctrl);
}

static void ftp_session_closed(Socket *s, int err, void *user)
{
  (void)s;
  (void)err;
  ftp_session_free(user);
}

static const SocketCallbacks ftp_session_callbacks = {
    .readable = ftp_session_readable, .writable = ftp_session_writable, .closed = ftp_session_closed};

static void ftp_server_accepted(Socket *listener, Socket *child, void *user)
{
  App *app = user;
  FtpServerState *ss = app->state;
  (void)listener;
  FtpSession *fs = g_new0(FtpSession, 1);
  fs->app = app;
  fs->ctrl = (FtpCtrl){child, g_string_new(NULL)};
  fs->in = g_string_new(NULL);
  g_ptr_array_add(ss->sessions, fs);
  socket_set_callbacks(child, &ftp_session_callbacks, fs);
  ftp_ctrl_send(&fs->ctrl, "220 ipsim FTP server ready.");
}

static const SocketCallbacks ftp_server_callbacks = {.accepted = ftp_server_accepted};

static void ftp_server_start(App *app)
{
  FtpServerState *ss = g_new0(FtpServerState, 1);
  app->state = ss;
  ss->sessions = g_ptr_array_new();
  for (size_t i = 0; i < sizeof ss->pattern; i++)
    ss->pattern[i] = (uint8_t)(i % FTP_PERIOD);
  uint16_t port = app_port(app);
  ss->listener = app_tcp_listen(app, port, &ftp_server_callbacks, TRUE);
  if (!ss->listener)
    return;
  app_print(app, "listening on port %u", port);
}

static void ftp_server_stop(App *app)
{
  FtpServerState *ss = app->state;
  socket_close(ss->listener);
  ss->listener = NULL;
  while (ss->sessions->len > 0)
    ftp_session_free(g_ptr_array_index(ss->sessions, 0));
}

static void ftp_server_finish(App *app)
{
  (void)app;
}

static void ftp_server_free_state(App *app)
{
  FtpServerState *ss = app->state;
  if (!ss)
    return;
  ftp_server_stop(app);
  g_ptr_array_free(ss->sessions, TRUE);
  g_free(ss);
  app->state = NULL;
}

const AppOps app_ftp_server_ops = {ftp_server_start, ftp_server_stop, ftp_server_finish, ftp_server_free_state};

/* ---- ftp: the client -------------------------------------------------- */

/* What the client waits for. */
typedef enum {
  FTP_WAIT_GREETING,
  FTP_WAIT_USER,
  FTP_WAIT_PASS,
  FTP_WAIT_TYPE,
  FTP_WAIT_PASV,
  FTP_WAIT_RETR, /* 150, then 226 and the end of the data */
  FTP_WAIT_QUIT,
  FTP_DONE
} FtpStep;

typedef struct {
  FtpCtrl ctrl;
  GString *in;
  FtpStep step;
  Socket *data;
  guint next;         /* index into sizes of the file being retrieved */
  guint files;        /* retrieved completely */
  uint64_t got;       /* data bytes of the current file */
  uint64_t bytes;     /* of every complete file */
  SimTime retr_at;    /* RETR sent */
  SimTime data_end;   /* the data connection's end, -1 before */
  gboolean reply_226; /* 226 arrived for the current file */
  gboolean connected;
  SimTime busy; /* sum of transfer times */
  char buf[FTP_CHUNK];
} FtpState;

static uint64_t ftp_size(const App *app, guint i)
{
  return g_array_index(app->conf->sizes, uint64_t, i);
}

static guint ftp_count(const App *app)
{
  return app->conf->sizes ? app->conf->sizes->len : 0;
}

static uint16_t ftp_port(const App *app)
{
  return app_port(app);
}

/* Ends the client once: the summary, the results; closes its sockets. */
static void ftp_end(App *app, FtpState *st)
{
  if (st->step == FTP_DONE)
    return;
  st->step = FTP_DONE;
  app_print(app, "retrieved %u file%s (%" PRIu64 " bytes) in %.4g secs of transfer", st->files,
            st->files == 1 ? "" : "s", st->bytes, (double)st->busy / 1e9);
  app->goodput_bytes = st->bytes;
  app->goodput_time = st->busy;
  socket_close(st->data);
  st->data = NULL;
  socket_close(st->ctrl.s);
  st->ctrl.s = NULL;
  app->running = FALSE;
}

static void ftp_send_cmd(FtpState *st, FtpStep next, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void ftp_send_cmd(FtpState *st, FtpStep next, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *line = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  st->step = next;
  ftp_ctrl_send(&st->ctrl, line);
  g_free(line);
}

/* PASV for the next file, or QUIT after the last. */
static void ftp_next_file(App *app, FtpState *st)
{
  if (st->next < ftp_count(app))
    ftp_send_cmd(st, FTP_WAIT_PASV, "PASV");
  else
    ftp_send_cmd(st, FTP_WAIT_QUIT, "QUIT");
}

/* A rate in bytes per second, scaled by 1000s: "650.40 kB/s", "46.76 MB/s". */
static void ftp_format_rate(char *out, size_t size, double bytes_per_s)
{
  static const char *const units[] = {"B/s", "kB/s", "MB/s", "GB/s"};
  guint u = 0;
  while (u + 1 < G_N_ELEMENTS(units) && bytes_per_s >= 1000) {
    bytes_per_s /= 1000;
    u++;
  }
  g_snprintf(out, size, "%.2f %s", bytes_per_s, units[u]);
}

/* The file is complete once its data ended and 226 came. */
static void ftp_file_check(App *app, FtpState *st)
{
  if (st->step != FTP_WAIT_RETR || !st->reply_226 || st->data_end < 0)
    return;
  SimTime took = st->data_end - st->retr_at;
  double secs = (double)took / 1e9;
  char rate[32];
  ftp_format_rate(rate, sizeof rate, secs > 0 ? (double)st->got / secs : 0.0);
  app_print(app, "%" PRIu64 " bytes received in %.3g secs (%s)", st->got, secs, rate);
  if (st->got == ftp_size(app, st->next)) {
    st->files++;
    st->bytes += st->got;
    st->busy += took;
  } else {
    app_print(app, "error: expected %" PRIu64 " bytes", ftp_size(app, st->next));
  }
  st->next++;
  ftp_next_file(app, st);
}

static void ftp_data_client_readable(Socket *s, void *user)
{
  App *app = user;
  FtpState *st = app->state;
  for (;;) {
    ssize_t n = socket_recv(s, st->buf, sizeof st->buf);
    if (n > 0) {
      st->got += (uint64_t)n;
      continue;
    }
    if (n == 0) {
      socket_close(st->data);
      st->data = NULL;
      st->data_end = sim_now(app->ctx);
      ftp_file_check(app, st);
    }
    return;
  }
}

static void ftp_data_client_connected(Socket *s, void *user)
{
  App *app = user;
  FtpState *st = app->state;
  if (!app->has_flow) {
    FlowKey k = {.proto = IPPROTO_TCP_NUM};
    socket_local(s, &k.dst, &k.dport);
    socket_peer(s, &k.src, &k.sport);
    app->flow = k;
    app->has_flow = TRUE;
  }
  st->retr_at = sim_now(app->ctx);
  ftp_send_cmd(st, FTP_WAIT_RETR, "RETR file-%" PRIu64, ftp_size(app, st->next));
}

static void ftp_data_client_closed(Socket *s, int err, void *user)
{
  App *app = user;
  FtpState *st = app->state;
  (void)s;
  app_print(app, "ftp: data connection: %s", err ? socket_strerror(err) : "closed");
  socket_close(st->data);
  st->data = NULL;
  if (st->step == FTP_WAIT_PASV) {
    ftp_end(app, st); /* it never connected */
    return;
  }
  if (st->data_end < 0)
    st->data_end = sim_now(app->ctx);
  ftp_file_check(app, st);
}

static const SocketCallbacks ftp_data_client_callbacks = {
    .connected = ftp_data_client_connected, .readable = ftp_data_client_readable, .closed = ftp_data_client_closed};

/* 227 (h1,h2,h3,h4,p1,p2): opens the data connection. */
static gboolean ftp_open_data(App *app, FtpState *st, const char *reply)
{
  const char *p = strchr(reply, '(');
  guint h[6];
  if (!p || sscanf(p, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3], &h[4], &h[5]) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (h[i] > 255)
      return FALSE;
  uint32_t addr = h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
  st->got = 0;
  st->data_end = -1;
  st->reply_226 = FALSE;
  st->data = socket_new(app->node, SOCKET_TCP, &ftp_data_client_callbacks, app);
  socket_set_tcp(st->data, &app->conf->tcp);
  socket_track_states(st->data, &app->tcp_states);
  int err = socket_connect(st->data, addr, (uint16_t)(h[4] << 8 | h[5]));
  if (err < 0)
    app_print(app, "ftp: data connection: %s", socket_strerror(err));
  return err == 0;
}

/* Acts on a final reply with `code` while in st->step. */
static void ftp_on_reply(App *app, FtpState *st, int code, const char *line)
{
  FtpStep step = st->step;
  if (step == FTP_WAIT_GREETING && code == 220)
    ftp_send_cmd(st, FTP_WAIT_USER, "USER anonymous");
  else if (step == FTP_WAIT_USER && code == 331)
    ftp_send_cmd(st, FTP_WAIT_PASS, "PASS ipsim@");
  else if ((step == FTP_WAIT_USER || step == FTP_WAIT_PASS) && code == 230)
    ftp_send_cmd(st, FTP_WAIT_TYPE, "TYPE I");
  else if (step == FTP_WAIT_TYPE && code == 200)
    ftp_next_file(app, st);
  else if (step == FTP_WAIT_PASV && code == 227 && ftp_open_data(app, st, line))
    ; /* RETR follows once the data connection is up */
  else if (step == FTP_WAIT_RETR && (code == 150 || code == 125))
    ;
  else if (step == FTP_WAIT_RETR && code == 226) {
    st->reply_226 = TRUE;
    ftp_file_check(app, st);
  } else if (step == FTP_WAIT_QUIT && code == 221) {
    if (st->files == ftp_count(app))
      app->done_at = sim_now(app->ctx);
    ftp_end(app, st);
  } else {
    app_print(app, "ftp: unexpected reply; giving up");
    ftp_end(app, st);
  }
}

static void ftp_ctrl_readable(Socket *s, void *user)
{
  App *app = user;
  FtpState *st = app->state;
  int more = ftp_read_into(s, st->in);
  char *line;
  while (st->step != FTP_DONE && (line = ftp_take_line(st->in))) {
    app_print(app, "%s", line);
    /* A final reply line is "ddd text"; "ddd-" lines continue it. */
    if (strlen(line) >= 3 && g_ascii_isdigit(line[0]) && g_ascii_isdigit(line[1]) && g_ascii_isdigit(line[2]) &&
        line[3] != '-')
      ftp_on_reply(app, st, (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'), line);
    g_free(line);
  }
  if (!more && st->step != FTP_DONE) {
    app_print(app, "ftp: the server closed the control connection");
    ftp_end(app, st);
  }
}

static void ftp_ctrl_connected(Socket *s, void *user)
{
  App *app = user;
  char dst[ADDR_IPV4_TEXT];
  (void)s;
  ((FtpState *)app->state)->connected = TRUE;
  app_print(app, "Connected to %s.", addr_format_ipv4(app->conf->dst, dst));
}

static void ftp_ctrl_writable(Socket *s, void *user)
{
  App *app = user;
  (void)s;
  ftp_ctrl_flush(&((FtpState *)app->state)->ctrl);
}

static void ftp_ctrl_closed(Socket *s, int err, void *user)
{
  App *app = user;
  FtpState *st = app->state;
  char dst[ADDR_IPV4_TEXT];
  (void)s;
  if (!st->connected)
    app_print(app, "ftp: connect to %s port %u: %s", addr_format_ipv4(app->conf->dst, dst), ftp_port(app),
              socket_strerror(err));
  else
    app_print(app, "ftp: control connection: %s", err ? socket_strerror(err) : "closed by the server");
  ftp_end(app, st);
}

static const SocketCallbacks ftp_ctrl_callbacks = {.connected = ftp_ctrl_connected,
                                                   .readable = ftp_ctrl_readable,
                                                   .writable = ftp_ctrl_writable,
                                                   .closed = ftp_ctrl_closed};

static void ftp_start(App *app)
{
  FtpState *st = g_new0(FtpState, 1);
  app->state = st;
  st->in = g_string_new(NULL);
  st->ctrl.out = g_string_new(NULL);
  st->data_end = -1;
  st->ctrl.s = socket_new(app->node, SOCKET_TCP, &ftp_ctrl_callbacks, app);
  ftp_set_ctrl_tcp(st->ctrl.s, app);
  socket_track_states(st->ctrl.s, &app->tcp_states);
  int err = socket_connect(st->ctrl.s, app->conf->dst, ftp_port(app));
  if (err < 0) {
    char dst[ADDR_IPV4_TEXT];
    app_print(app, "ftp: connect to %s port %u: %s", addr_format_ipv4(app->conf->dst, dst), ftp_port(app),
              socket_strerror(err));
    ftp_end(app, st);
  }
}

static void ftp_stop(App *app)
{
  FtpState *st = app->state;
  if (st->step != FTP_DONE)
    app_print(app, "stopped after %u of %u files", st->files, ftp_count(app));
  ftp_end(app, st);
}

static void ftp_finish(App *app)
{
  (void)app;
}

static void ftp_free_state(App *app)
{
  FtpState *st = app->state;
  if (!st)
    return;
  socket_close(st->data);
  socket_close(st->ctrl.s);
  g_string_free(st->in, TRUE);
  g_string_free(st->ctrl.out, TRUE);
  g_free(st);
  app->state = NULL;
}

const AppOps app_ftp_ops = {ftp_start, ftp_stop, ftp_finish, ftp_free_state};
