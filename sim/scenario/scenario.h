/*
 * The scenario: a validated, resolved description of a network and its run,
 * loaded from a YAML file. Loading reports every problem of the file with its
 * place; a Scenario returned by the loader is complete and consistent: every
 * link end names a real interface, every interface has a MAC address and its
 * effective MTU and queue limit, addresses are unique and subnets agree.
 *
 * Entry points: scenario_load_file() or scenario_load_data(), then
 * scenario_free(). The file format is documented in README.md.
 */
#ifndef IPSIM_SCENARIO_H
#define IPSIM_SCENARIO_H

#include <glib.h>

#include "sim/text/diag.h"
#include "sim/kernel/simtime.h"
#include "sim/text/units.h"

typedef enum { NODE_KIND_HOST, NODE_KIND_SWITCH, NODE_KIND_ROUTER } NodeKind;

/* An IPv4 address with its prefix length; addr in host byte order. */
typedef struct {
  uint32_t addr;
  uint8_t len;
} Ipv4Prefix;

typedef struct {
  int line;
  int column;
} SrcMark;

/* Link parameters; `given` has a SCENARIO_GIVEN_* bit for each one set in the file. */
typedef struct {
  uint64_t rate_bps;
  SimTime delay;
  double loss; /* probability, 0..1 */
  QueueLimit queue;
  uint32_t mtu;
  guint given;
} LinkParams;

enum {
  SCENARIO_GIVEN_RATE = 1u << 0,
  SCENARIO_GIVEN_DELAY = 1u << 1,
  SCENARIO_GIVEN_LOSS = 1u << 2,
  SCENARIO_GIVEN_QUEUE = 1u << 3,
  SCENARIO_GIVEN_MTU = 1u << 4,
  SCENARIO_GIVEN_IP = 1u << 5,
  SCENARIO_GIVEN_MAC = 1u << 6,
};

typedef struct {
  char *name;
  gboolean has_ip;
  Ipv4Prefix ip;
  uint8_t mac[6];
  uint32_t mtu;     /* effective */
  QueueLimit queue; /* effective transmit queue limit */
  int link;         /* index into Scenario.links, -1 when unconnected */
  SrcMark mark;     /* where the interface was declared or first named */
  LinkParams own;   /* what the file set on the interface itself (mtu, queue, mac, ip bits) */
} ScenarioIface;

/* How a node gets routes beyond its connected ones. */
typedef enum {
  SCENARIO_ROUTING_INHERIT, /* a node's default: the scenario's `routing` */
  SCENARIO_ROUTING_STATIC,  /* only `routes` and `gateway` (the scenario's default) */
  SCENARIO_ROUTING_AUTO,    /* shortest paths computed by ipsim, plus `routes` */
} ScenarioRouting;

/* A static route; addresses in host byte order. */
typedef struct {
  Ipv4Prefix to;   /* 0.0.0.0/0 for a default route */
  uint32_t via;    /* next-hop address; 0 when the route is on-link through `dev` */
  int dev;         /* index into the node's ifaces, -1 when not given (found from `via`) */
  uint32_t metric; /* lower wins among equal prefixes; default 1 */
  SrcMark mark;
} ScenarioRoute;

typedef struct {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  GArray *ifaces;    /* of ScenarioIface */
  SrcMark mark;
  uint32_t gateway;        /* default gateway (hosts and routers), 0 when none */
  SrcMark gateway_mark;    /* where `gateway` was written */
  GArray *routes;          /* of ScenarioRoute; never NULL */
  ScenarioRouting routing; /* effective after loading: STATIC or AUTO */
  SimTime aging;           /* switches: MAC table aging time (default 300s) */
} ScenarioNode;

typedef struct {
  int node;   /* index into Scenario.nodes */
  int iface;  /* index into that node's ifaces */
  char *text; /* as written: "r1" or "r1:eth0" */
  SrcMark mark;
} LinkEnd;

typedef struct {
  char *name; /* may be NULL */
  LinkEnd ends[2];
  LinkParams params; /* effective rate, delay and loss; queue and mtu live on the ifaces */
  gboolean has_prefix;
  Ipv4Prefix prefix;
  SrcMark mark;
} ScenarioLink;

/* ---- apps: ------------------------------------------------------------- */

/* TCP settings: `defaults.tcp`, overridden per app by its `tcp:` mapping.
 * Defaults (Linux where the RFC leaves room; see models/transport/README.md):
 * sndbuf and rcvbuf 128KiB, mss 0 (from the egress MTU: MTU - 40), min-rto
 * 200ms, initial-rto 1s, max-rto 120s, delayed-ack 40ms (0: ack every
 * segment), msl 30s (TIME_WAIT 60s), syn-retries 6, retries 15, initial
 * cwnd 10 segments, nagle on, window-scaling on, timestamps on, sack on, cc
 * newreno. */
typedef struct {
  uint32_t sndbuf, rcvbuf; /* bytes */
  uint32_t mss;            /* 0: from the egress interface's MTU */
  SimTime min_rto, initial_rto, max_rto;
  SimTime delayed_ack; /* 0: every segment is acknowledged at once */
  SimTime msl;         /* TIME_WAIT lasts 2 * msl */
  uint32_t syn_retries, retries;
  uint32_t initial_cwnd; /* segments */
  gboolean nagle, window_scaling, timestamps;
  gboolean sack; /* offer and use SACK (RFC 2018, RFC 6675) */
  char cc[16];   /* congestion control by name: "newreno" */
} ScenarioTcp;

/* A duration drawn per use: constant, or exponential with that mean. */
typedef struct {
  gboolean exponential;
  SimTime mean;
} ScenarioRandomTime;

typedef enum {
  APP_PING,
  APP_TRACEROUTE,
  APP_UDP_CBR,
  APP_UDP_SINK,
  APP_UDP_ECHO,        /* client: sends `count` datagrams, prints each round trip */
  APP_UDP_ECHO_SERVER, /* returns every datagram to its sender */
  APP_ONOFF,           /* UDP at `rate` during on periods, silent during off periods */
  APP_BULK,            /* iperf-like TCP sender of `bytes` (0: until stop) */
  APP_BULK_SINK,       /* accepts TCP connections and reads everything */
  APP_HTTP,            /* HTTP/1.1 client fetching `sizes` */
  APP_HTTP_SERVER,     /* serves GET /bytes/<n> */
  APP_FTP,             /* FTP client (RFC 959, passive mode) retrieving `sizes` */
  APP_FTP_SERVER,      /* serves RETR of virtual files of any size */
  APP_KIND_COUNT
} AppKind;

typedef struct {
  char *name; /* given, or "<type><n>" ("ping1") in file order */
  AppKind kind;
  int node;          /* the node it runs on */
  int dst_node;      /* the node `to` names, or -1 when `to` is an address no node holds */
  uint32_t dst;      /* destination address (ping, traceroute, udp-cbr) */
  uint16_t port;     /* udp-cbr: destination port; udp-sink: port listened on; traceroute: first port */
  SimTime start;     /* default 0 */
  SimTime stop;      /* 0: until the end of the run */
  uint32_t count;    /* ping: echo requests to send, 0 = until stop */
  SimTime interval;  /* ping: between requests (1s); udp-cbr: between packets (from rate if not given) */
  uint32_t size;     /* ping: ICMP payload bytes (56); udp-cbr: UDP payload bytes (1000) */
  uint8_t ttl;       /* ping, udp-cbr: 64; traceroute: max hops (30) */
  gboolean df;       /* ping: set Don't Fragment */
  gboolean icmp;     /* traceroute: ICMP echo probes instead of UDP */
  uint32_t queries;  /* traceroute: probes per hop (3) */
  SimTime wait;      /* traceroute: how long to wait for each probe's answer (5s, as Linux) */
  uint64_t rate_bps; /* udp-cbr: payload bit rate when given; onoff: rate while on */
  /* Issue 4 kinds: */
  uint64_t bytes;              /* bulk: bytes to send, 0 = until stop */
  GArray *sizes;               /* http: object sizes; ftp: file sizes (of uint64_t bytes); else NULL */
  gboolean persistent;         /* http: one connection for every object (default true) */
  SimTime report;              /* bulk, bulk-sink: interval between iperf-like reports (1s); 0: totals only */
  ScenarioRandomTime on_time;  /* onoff: length of on periods (1s) */
  ScenarioRandomTime off_time; /* onoff: length of off periods (1s) */
  ScenarioTcp tcp;             /* TCP kinds: effective settings (defaults.tcp, then the app's tcp:) */
  SrcMark mark;
} ScenarioApp;

/* ---- events: ----------------------------------------------------------- */

typedef enum { SCENARIO_EVENT_LINK_DOWN, SCENARIO_EVENT_LINK_UP, SCENARIO_EVENT_LINK_SET } ScenarioEventKind;

typedef struct {
  SimTime at;
  ScenarioEventKind kind;
  int link;          /* index into Scenario.links */
  LinkParams params; /* LINK_SET: rate, delay and loss, with their given bits */
  SrcMark mark;
} ScenarioEvent;

/* ---- output: ----------------------------------------------------------- */

/* Layers a text trace may show; `trace: true` is all of them. */
enum {
  SCENARIO_TRACE_LINK = 1u << 0,      /* frames on interfaces and switches, ARP */
  SCENARIO_TRACE_INTERNET = 1u << 1,  /* IPv4 send, forward, deliver, fragments, ICMP */
  SCENARIO_TRACE_TRANSPORT = 1u << 2, /* UDP (and later TCP) send and deliver */
  SCENARIO_TRACE_APP = 1u << 3,       /* application lines (ping replies, ...) */
  SCENARIO_TRACE_ALL = 0xF,
};

typedef struct {
  int node;
  int iface; /* -1: every interface of the node */
} ScenarioPcapTarget;

typedef struct {
  char *dir;           /* NULL: none given (the CLI's --out may give one) */
  guint trace;         /* SCENARIO_TRACE_* mask; 0 = no trace */
  gboolean pcap_all;   /* pcap: all */
  GArray *pcap;        /* of ScenarioPcapTarget; never NULL */
  uint32_t snaplen;    /* bytes of each frame written to pcap files (65535: whole frames) */
  gboolean tcp_series; /* `tcp-series: true`: tcp.csv, a row per change of a connection's cwnd, ssthresh, srtt, rto, in
                          flight */
} ScenarioOutput;

/* ---- expect: ------------------------------------------------------------ */

typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } CmpOp;

/* A bound like "<= 10%" or ">= 1000"; a bare number means "==". */
typedef struct {
  CmpOp op;
  double value; /* a fraction (0..1) when percent */
  gboolean percent;
  char *text; /* as written, for messages */
} ScenarioBound;

typedef enum {
  EXPECT_APP_LOSS,       /* { app: probe, loss: "<= 10%" } (ping) */
  EXPECT_APP_HOPS,       /* { app: tr, hops: [r1, r2, h2] } (traceroute) */
  EXPECT_FLOW_DELIVERED, /* { flow: cbr, delivered: ">= 90%" } (udp-cbr) */
  EXPECT_REACH,          /* { at: 5s, reach: { from: h1, to: h3 } } or unreach */
  EXPECT_ROUTE,          /* { at: 5s, route: { node: r1, to: 10.1.3.0/24, via: r3 } } */
  EXPECT_PATH,           /* { at: 5s, path: { from: h1, to: h2, is: [r1, r2, h2] } } */
  EXPECT_NEVER_DROP,     /* { never: { drop: ttl-expired, node: r1 } } */
  EXPECT_DROPS,          /* { drops: { reason: queue-full, node: s1 }, count: "> 1000" } */
  EXPECT_APP_GOODPUT,    /* { app: bulk1, goodput: ">= 9Mbps" } (bound.value in bit/s) */
  EXPECT_APP_FINISHED,   /* { app: ftp1, finished: "<= 10s" } (bound.value in ns) */
  EXPECT_APP_REACHED,    /* { app: web, reached: time-wait } (tcp_state) */
} ExpectKind;

typedef struct {
  ExpectKind kind;
  SrcMark mark;        /* the list item */
  SimTime at;          /* when the check runs; -1: at the end of the run */
  int app;             /* APP_LOSS, APP_HOPS, FLOW_DELIVERED: index into Scenario.apps */
  ScenarioBound bound; /* APP_LOSS, FLOW_DELIVERED, DROPS (a count) */
  int node;            /* ROUTE: the node; REACH, PATH: from; NEVER_DROP, DROPS: -1 = any node */
  uint32_t dst;        /* REACH, PATH: the destination address */
  int dst_node;        /* REACH, PATH: the destination node, -1 when an address */
  gboolean reachable;  /* REACH: TRUE for reach:, FALSE for unreach: */
  gboolean both;       /* REACH: `both: true`, also the way back (to from's address) */
  Ipv4Prefix prefix;   /* ROUTE: the prefix */
  int via_node;        /* ROUTE: expected next-hop node, -1 with via_addr or none */
  uint32_t via_addr;   /* ROUTE: expected next-hop address, 0 with via_node */
  gboolean via_none;   /* ROUTE: `via: none`, no route expected */
  gboolean via_direct; /* ROUTE: `via: direct`, a connected route expected */
  GArray *nodes;       /* APP_HOPS, PATH: of int node indices, -1 for "*"; else NULL */
  char *drop;          /* NEVER_DROP, DROPS: the reason's name as written (checked by the models) */
  int tcp_state;       /* APP_REACHED: a TcpState value (models/transport/tcp.h), by name */
  char *text;          /* the check in words, for messages: "route r1 10.1.3.0/24 via r3" */
} ScenarioExpect;

typedef struct {
  char *file;
  char *name;
  char *description; /* may be NULL */
  uint64_t seed;
  SimTime stop;
  GArray *nodes;           /* of ScenarioNode */
  GArray *links;           /* of ScenarioLink */
  GHashTable *node_index;  /* name -> GINT_TO_POINTER(index + 1) */
  ScenarioRouting routing; /* scenario-wide: STATIC (default) or AUTO */
  GArray *apps;            /* of ScenarioApp; never NULL */
  GArray *events;          /* of ScenarioEvent, sorted by time (stable); never NULL */
  ScenarioOutput output;
  GArray *expects; /* of ScenarioExpect; never NULL */
  ScenarioTcp tcp; /* `defaults.tcp`, with the built-in defaults filled */
} Scenario;

#define SCENARIO_MAX_FILE_BYTES (16u * 1024 * 1024)

Scenario *scenario_load_file(const char *path, DiagList *diags);
Scenario *scenario_load_data(const char *data, size_t len, const char *file, DiagList *diags);
void scenario_free(Scenario *sc);
gboolean scenario_check_stop(const Scenario *sc, SimTime stop, DiagList *diags);

int scenario_find_node(const Scenario *sc, const char *name);
const char *scenario_kind_name(NodeKind kind);

static inline ScenarioNode *scenario_node(const Scenario *sc, int i)
{
  return &g_array_index(sc->nodes, ScenarioNode, i);
}

static inline ScenarioLink *scenario_link(const Scenario *sc, int i)
{
  return &g_array_index(sc->links, ScenarioLink, i);
}

static inline ScenarioApp *scenario_app(const Scenario *sc, int i)
{
  return &g_array_index(sc->apps, ScenarioApp, i);
}

static inline ScenarioIface *scenario_iface(const Scenario *sc, int node, int iface)
{
  return &g_array_index(scenario_node(sc, node)->ifaces, ScenarioIface, iface);
}

#endif
