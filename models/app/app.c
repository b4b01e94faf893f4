/*
 * Applications: the common part of every kind. It creates an application
 * from its `apps:` entry by dispatching on the kind to an AppOps table,
 * schedules its start and stop, prints its lines with the time, node and
 * name in front, and runs the end-of-run summary once.
 *
 * Entry points, in call order: app_new(); app_schedule(); (events: start,
 * stop); app_finish(); app_free(). For the kinds: app_print(),
 * app_wants_output(), app_icmp_listen(), app_source_addr(),
 * app_socket_error_text(), app_stamp_write(), app_read_be() (inline), app_tcp_listen(),
 * app_udp_sender().
 *
 * The UDP and TCP kinds use sockets (models/transport/socket.h); ping and
 * traceroute use ICMP directly.
 */
#include "models/app/app.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "models/transport/socket.h"

/* The first ICMP echo identifier tried: ping and traceroute take
 * APP_ICMP_ID_BASE + their index, or the next free one on their node. */
#define APP_ICMP_ID_BASE 0x4000

/* The app-kind registry: each kind's behaviour and its port when the file
 * gives none (0: the file must give it; traceroute: its first probe's,
 * as Linux's; udp-echo: RFC 862's echo port; bulk: iperf's; http and ftp:
 * their own), and its name in scenario files. In AppKind order. */
static const struct {
  const AppOps *ops;
  uint16_t default_port;
} app_kinds[APP_KIND_COUNT] = {
    [APP_PING] = {&app_ping_ops, 0},
    [APP_TRACEROUTE] = {&app_traceroute_ops, 33434},
    [APP_UDP_CBR] = {&app_udp_cbr_ops, 0},
    [APP_UDP_SINK] = {&app_udp_sink_ops, 0},
    [APP_UDP_ECHO] = {&app_udp_echo_ops, 7},
    [APP_UDP_ECHO_SERVER] = {&app_udp_echo_server_ops, 7},
    [APP_ONOFF] = {&app_onoff_ops, 0},
    [APP_BULK] = {&app_bulk_ops, 5001},
    [APP_BULK_SINK] = {&app_bulk_sink_ops, 5001},
    [APP_HTTP] = {&app_http_ops, 80},
    [APP_HTTP_SERVER] = {&app_http_server_ops, 80},
    [APP_FTP] = {&app_ftp_ops, 21},
    [APP_FTP_SERVER] = {&app_ftp_server_ops, 21},
};
static const char *const app_kind_name_table[APP_KIND_COUNT] = {
    "ping", "traceroute", "udp-cbr", "udp-sink",    "udp-echo", "udp-echo-server", "onoff",
    "bulk", "bulk-sink",  "http",    "http-server", "ftp",      "ftp-server"};

/* The kinds' names, in AppKind order (APP_KIND_COUNT of them). */
const char *const *app_kind_names(void)
{
  return app_kind_name_table;
}

const char *app_kind_name(AppKind kind)
{
  g_return_val_if_fail(kind < APP_KIND_COUNT, "?");
  return app_kind_name_table[kind];
}

uint16_t app_kind_default_port(AppKind kind)
{
  g_return_val_if_fail(kind < APP_KIND_COUNT, 0);
  return app_kinds[kind].default_port;
}

/* Fills `a` with the defaults of an app of `kind` (what a scenario file
 * leaves out): every period 1 s, 56-byte pings and 1000-byte datagrams,
 * the node's default TTL (traceroute: 30 hops), 3 probes per hop waited for 5 s, the
 * kind's default port, persistent HTTP, TCP's defaults. The app runs on no
 * node yet (node -1). */
void app_config_defaults(AppConfig *a, AppKind kind)
{
  *a = (AppConfig){.kind = kind, .node = -1, .dst_node = -1};
  a->interval = a->report = SIMTIME_S(1);
  a->size = kind == APP_UDP_CBR || kind == APP_ONOFF ? 1000 : 56;
  a->ttl = kind == APP_TRACEROUTE ? 30 : 0; /* 0: the node's default TTL */
  a->queries = 3;
  a->wait = SIMTIME_S(5);
  a->port = kind == APP_TRACEROUTE ? app_kind_default_port(kind) : 0;
  a->persistent = TRUE;
  a->on_time = a->off_time = (AppRandomTime){FALSE, SIMTIME_S(1)};
  tcp_config_defaults(&a->tcp);
}

/* The port a server of `app`'s kind listens on, or a client connects to:
 * its own, else the kind's default. */
uint16_t app_port(const App *app)
{
  return app->conf->port ? app->conf->port : app_kind_default_port(app->conf->kind);
}

static const AppOps *app_ops_for(AppKind kind)
{
  g_return_val_if_fail(kind < APP_KIND_COUNT, NULL);
  return app_kinds[kind].ops;
}

/* Creates the application `conf` describes on its node, the `index`th of
 * the network's apps (file order); it does nothing until app_schedule().
 * The app borrows `conf`, which must outlive it. */
App *app_new(Network *net, const AppConfig *conf, guint index)
{
  g_return_val_if_fail(conf->node >= 0 && (guint)conf->node < net->nodes->len, NULL);
  App *app = g_new0(App, 1);
  app->ops = app_ops_for(conf->kind);
  app->conf = conf;
  app->net = net;
  app->ctx = &net->ctx;
  app->node = network_node(net, (guint)conf->node);
  app->index = index;
  app->done_at = -1;
  return app;
}

static void app_start_event(void *obj, void *arg)
{
  App *app = obj;
  (void)arg;
  if (app->started || app->finished)
    return;
  if (app->conf->stop > 0 && app->conf->stop <= app->conf->start)
    return;
  app->started = TRUE;
  app->running = TRUE;
  app->ops->start(app);
}

static void app_stop_event(void *obj, void *arg)
{
  App *app = obj;
  (void)arg;
  if (!app->running)
    return;
  app->running = FALSE;
  app->ops->stop(app);
}

/* Schedules the start at conf->start and, when conf->stop is non-zero, the
 * stop at conf->stop. An app whose stop is not after its start never
 * starts. */
void app_schedule(App *app)
{
  const AppConfig *conf = app->conf;
  scheduler_at(app->ctx->sched, conf->start, app_start_event, app, NULL);
  if (conf->stop > 0)
    scheduler_at(app->ctx->sched, conf->stop, app_stop_event, app, NULL);
}

/* Ends the app at the end of the run: stops it if it still runs, then runs
 * its finish (the summary) once. An app that never started prints nothing. */
void app_finish(App *app)
{
  if (!app || app->finished)
    return;
  if (app->running) {
    app->running = FALSE;
    app->ops->stop(app);
  }
  app->finished = TRUE;
  if (app->started)
    app->ops->finish(app);
}

void app_free(App *app)
{
  if (!app)
    return;
  if (app->ops && app->ops->free_state)
    app->ops->free_state(app);
  if (app->hops)
    g_array_free(app->hops, TRUE);
  g_free(app);
}

/* TRUE when a line printed now would go anywhere: the test the kinds make
 * before formatting anything on a per-packet path. */
gboolean app_wants_output(const App *app)
{
  return app->net->app_out != NULL || trace_wants(app->ctx->trace, TRACE_APP);
}

/* Prints one line `<time> <node> <app>: <text>` to the network's app_out
 * (when set) and as a note on the trace (when it shows applications). */
void app_print(App *app, const char *fmt, ...)
{
  if (!app_wants_output(app))
    return;
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  SimTime now = sim_now(app->ctx);
  if (app->net->app_out) {
    GString *line = g_string_new(NULL);
    trace_format_time(line, now);
    g_string_append_printf(line, " %s %s: %s\n", app->node->name, app->conf->name, text);
    fputs(line->str, app->net->app_out);
    g_string_free(line, TRUE);
  }
  if (trace_wants(app->ctx->trace, TRACE_APP))
    trace_note(app->ctx->trace, TRACE_APP, now, app->node, NULL, "%s: %s", app->conf->name, text);
  g_free(text);
}

/* Registers `fn` for ICMP echo replies and errors under a free echo
 * identifier of the app's node, trying APP_ICMP_ID_BASE + index first, and
 * returns it, or 0 when none is free. */
uint16_t app_icmp_listen(App *app, IcmpListenFn fn)
{
  for (guint i = 0; i < 0x10000; i++) {
    uint16_t id = (uint16_t)(APP_ICMP_ID_BASE + app->index + i);
    if (id != 0 && icmp_listen(app->node, id, fn, app)) {
      trace_set_echo_id(app->ctx->trace, app->conf->name, id); /* the app's flow in the trace */
      app->echo_id = id;
      return id;
    }
  }
  return 0;
}

/* Returns the address `node` sends from towards `dst`: the egress
 * interface's, else its first address (no route), else 0. */
uint32_t app_source_addr(Node *node, uint32_t dst)
{
  uint32_t src = node->ip ? ipv4_source_for(node, dst) : 0;
  if (src)
    return src;
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->has_ip)
      return node_iface(node, i)->ip.addr;
  return 0;
}

/* Returns the words the apps print for a socket error. */
const char *app_socket_error_text(int err)
{
  switch (-err) {
  case ENETUNREACH:
    return "no route";
  case ENETDOWN:
    return "link down";
  case EMSGSIZE:
    return "too big with DF";
  default:
    return socket_strerror(err);
  }
}

/* Writes `v` as n bytes in network byte order, as far as `room` allows. */
static void app_put_be(uint8_t *out, size_t room, uint64_t v, size_t n)
{
  for (size_t i = 0; i < n && i < room; i++)
    out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* Writes the sequence number and send time at the front of a `size`-byte
 * payload (what fits); the rest is left as it is. Sending apps call it
 * per datagram, hence the direct path when both fit. */
void app_stamp_write(uint8_t *payload, size_t size, uint32_t seq, SimTime sent)
{
  if (size >= APP_STAMP_LEN) {
    uint32_t s = GUINT32_TO_BE(seq);
    uint64_t t = GUINT64_TO_BE((uint64_t)sent);
    memcpy(payload, &s, sizeof s);
    memcpy(payload + APP_STAMP_SEQ_LEN, &t, sizeof t);
    return;
  }
  app_put_be(payload, size, seq, APP_STAMP_SEQ_LEN);
  if (size > APP_STAMP_SEQ_LEN)
    app_put_be(payload + APP_STAMP_SEQ_LEN, size - APP_STAMP_SEQ_LEN, (uint64_t)sent,
               APP_STAMP_LEN - APP_STAMP_SEQ_LEN);
}

/* Opens the TCP listener of a server app on `port` with the app's TCP
 * settings (Nagle off when `nodelay`, as servers set TCP_NODELAY), its
 * states tracked for `expect: reached`. On failure it prints the error,
 * stops the app and returns NULL. */
Socket *app_tcp_listen(App *app, uint16_t port, const SocketCallbacks *cb, gboolean nodelay)
{
  TcpConfig tcp = app->conf->tcp;
  Socket *s = socket_new(app->node, SOCKET_TCP, cb, app);
  int err;

  if (nodelay)
    tcp.nagle = FALSE;
  socket_set_tcp(s, &tcp);
  socket_track_states(s, &app->tcp_states);
  err = socket_bind(s, 0, port);
  if (err == 0)
    err = socket_listen(s, 128);
  if (err < 0) {
    app_print(app, "error: cannot listen on port %u: %s", port, socket_strerror(err));
    socket_close(s);
    app->running = FALSE;
    return NULL;
  }
  return s;
}

/* Opens the UDP socket of a sending app (udp-cbr, onoff, udp-echo): its
 * TTL, an ephemeral port (*err: 0 or the bind error), and the app's flow
 * set to the 5-tuple it sends on. */
Socket *app_udp_sender(App *app, const SocketCallbacks *cb, int *err)
{
  const AppConfig *conf = app->conf;
  Socket *s = socket_new(app->node, SOCKET_UDP, cb, app);
  uint16_t sport = 0;

  socket_set_ttl(s, conf->ttl);
  *err = socket_bind(s, 0, 0);
  socket_local(s, NULL, &sport);
  app->flow = (FlowKey){app_source_addr(app->node, conf->dst), conf->dst, sport, conf->port, IPPROTO_UDP_NUM};
  app->has_flow = TRUE;
  return s;
}
