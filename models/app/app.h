/*
 * Applications running on nodes: ping, traceroute, udp-cbr and udp-sink,
 * each created from a `apps:` entry, started and stopped at its times.
 * What an application prints (ping's reply lines and summary, traceroute's
 * hops) goes to the network's app_out, prefixed with the time and the
 * application's name, and to the trace's app layer.
 *
 * Entry points: app_new() (dispatch on the kind), app_schedule() (start
 * and stop events), app_finish() (end of run: summaries), app_print(),
 * app_free(). For the kinds: app_wants_output() (anything to print to?),
 * app_icmp_listen() (a free echo identifier on the node), app_tcp_listen()
 * (a server's listener).
 *
 * Life cycle: start runs at conf->start; stop at conf->stop (when non-zero)
 * or from app_finish() if the app still runs; a kind may end itself earlier
 * (ping after its count) by clearing `running`. finish runs once.
 */
#ifndef IPSIM_APP_H
#define IPSIM_APP_H

#include "models/observe/flow.h"
#include "models/internet/icmp.h"
#include "models/app/app_config.h"
#include "models/core/network.h"
#include "models/transport/socket.h"

typedef struct App App;

typedef struct {
  void (*start)(App *app);
  void (*stop)(App *app);   /* stop sending; may be called once, before finish */
  void (*finish)(App *app); /* the run ended: print the summary */
  void (*free_state)(App *app);
} AppOps;

/* A traceroute hop: who answered each probe of one TTL. */
typedef struct {
  uint32_t addr[4]; /* per probe; 0 = no answer */
  SimTime rtt[4];
} AppHop;

struct App {
  const AppOps *ops;
  const AppConfig *conf;
  Network *net;
  SimContext *ctx; /* the network's */
  Node *node;
  gboolean running;
  /* Results, read by expect: */
  uint64_t sent, received; /* ping: echo requests and replies; udp-cbr: datagrams sent; udp-sink: received */
  GArray *hops;            /* traceroute: of AppHop, one per TTL tried; else NULL */
  gboolean reached;        /* traceroute: the destination answered */
  FlowKey flow;            /* udp-cbr, onoff, udp-echo, bulk: the 5-tuple of its data, set when known */
  gboolean has_flow;       /* `flow` is set */
  uint16_t echo_id;        /* ping, traceroute: the ICMP echo identifier it listens on (app_icmp_listen); 0 */
  SimTime done_at;         /* when the app finished its work (bulk: all bytes acknowledged; http: every
                              object fetched; ftp: every file; ping: count reached); -1 until then */
  uint64_t goodput_bytes;  /* application bytes moved (bulk, bulk-sink, http, ftp) ... */
  SimTime goodput_time;    /* ... over this time (ns), for `expect: goodput` */
  guint tcp_states;        /* TCP kinds: (1u << TcpState) of every state its connections entered */
  void *state;             /* the kind's own */
  guint index;             /* position among the scenario's apps (file order) */
  gboolean started;        /* start ran */
  gboolean finished;       /* finish ran */
};

const char *const *app_kind_names(void);
const char *app_kind_name(AppKind kind);
uint16_t app_kind_default_port(AppKind kind);
void app_config_defaults(AppConfig *a, AppKind kind);

App *app_new(Network *net, const AppConfig *conf, guint index);
void app_schedule(App *app);
void app_finish(App *app);
void app_free(App *app);
uint16_t app_port(const App *app);
void app_print(App *app, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
gboolean app_wants_output(const App *app);
uint16_t app_icmp_listen(App *app, IcmpListenFn fn);

Socket *app_tcp_listen(App *app, uint16_t port, const SocketCallbacks *cb, gboolean nodelay);
Socket *app_udp_sender(App *app, const SocketCallbacks *cb, int *err);
/* For the UDP kinds: the address `node` sends from towards `dst` (its
 * egress interface's, else its first address, else 0). */
uint32_t app_source_addr(Node *node, uint32_t dst);
/* A socket error in the words the apps print: "no route", "link down",
 * "too big with DF", else socket_strerror(). */
const char *app_socket_error_text(int err);
/* The header udp-cbr, onoff and udp-echo put in front of a payload of
 * `size` bytes: a 4-byte sequence number, then the 8-byte send time in ns,
 * both in network byte order (as much as fits). */
#define APP_STAMP_SEQ_LEN 4
#define APP_STAMP_LEN 12
void app_stamp_write(uint8_t *payload, size_t size, uint32_t seq, SimTime sent);
/* Reads an n-byte (n <= 8) unsigned number in network byte order. */
static inline uint64_t app_read_be(const uint8_t *p, size_t n)
{
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v = v << 8 | p[i];
  return v;
}

/* The kinds, in models/app/<kind>.c */
extern const AppOps app_ping_ops, app_traceroute_ops, app_udp_cbr_ops, app_udp_sink_ops;
extern const AppOps app_udp_echo_ops, app_udp_echo_server_ops, app_onoff_ops;
extern const AppOps app_bulk_ops, app_bulk_sink_ops, app_http_ops, app_http_server_ops, app_ftp_ops, app_ftp_server_ops;

#endif
