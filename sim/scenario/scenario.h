/*
 * The scenario: a validated, resolved description of a network and its run,
 * loaded from a YAML file. Loading reports every problem of the file with its
 * place; a Scenario returned by the loader is complete and consistent: every
 * link end names a real interface, every interface has a MAC address and its
 * effective MTU and queue limit, addresses are unique and subnets agree.
 *
 * Entry points: scenario_load_file() or scenario_load_data(), then
 * scenario_free(). The file format is documented in doc/scenario.md.
 */
#ifndef IPSIM_SCENARIO_H
#define IPSIM_SCENARIO_H

#include <glib.h>

#include "models/app/app_config.h"
#include "models/core/node.h"
#include "models/internet/route.h"
#include "models/link/link.h"
#include "models/link/vlan.h"
#include "models/link/stp.h"
#include "models/observe/show.h"
#include "models/routing/ospf.h"
#include "models/routing/rip.h"
#include "models/transport/tcp_config.h"
#include "sim/kernel/simtime.h"
#include "sim/text/addr.h"
#include "sim/text/diag.h"
#include "sim/text/units.h"

/* What the file set on an interface itself, besides the LINK_GIVEN_* bits of LinkConfig.given. */
enum {
  SCENARIO_GIVEN_IP = 1u << 5,
  SCENARIO_GIVEN_MAC = 1u << 6,
  /* IEEE 802.1Q (scenario_vlan.c) */
  SCENARIO_GIVEN_VLAN = 1u << 8,   /* `vlan`: an access port's VLAN */
  SCENARIO_GIVEN_MODE = 1u << 9,   /* `mode`: access or trunk */
  SCENARIO_GIVEN_VLANS = 1u << 10, /* `vlans`: a trunk's allowed VLANs */
  SCENARIO_GIVEN_NATIVE = 1u << 11 /* `native`: a trunk's native VLAN */
};
#define SCENARIO_GIVEN_VLAN_KEYS                                                                                       \
  (SCENARIO_GIVEN_VLAN | SCENARIO_GIVEN_MODE | SCENARIO_GIVEN_VLANS | SCENARIO_GIVEN_NATIVE)

typedef struct {
  char *name;
  gboolean has_ip;
  Ipv4Prefix ip;
  uint8_t mac[6];
  uint32_t mtu;     /* effective */
  QueueLimit queue; /* effective transmit queue limit */
  int link;         /* index into Scenario.links, -1 when unconnected */
  SrcMark mark;     /* where the interface was declared or first named */
  LinkConfig own;   /* what the file set on the interface itself (mtu, queue, mac, ip bits) */
  char *tap;        /* `tap: NAME`: wired to this existing TAP device or Linux bridge instead of a link; or NULL */
  SrcMark tap_mark; /* where `tap` was written */
  /* IEEE 802.1Q (scenario_vlan.c) */
  VlanPortConfig vlan; /* a switch port's mode and VLANs (defaults: an access port of VLAN 1) */
  uint16_t vlan_id;    /* a subinterface (eth0.10 of a host or router): its VLAN (from its name); else 0 */
  int parent;          /* a subinterface's parent: its index in the node's ifaces (when vlan_id is not 0) */
} ScenarioIface;

/* How a node gets routes beyond its connected ones. */
typedef enum {
  SCENARIO_ROUTING_INHERIT, /* a node's default: the scenario's `routing` */
  SCENARIO_ROUTING_STATIC,  /* only `routes` and `gateway` (the scenario's default) */
  SCENARIO_ROUTING_AUTO,    /* shortest paths computed by ipsim, plus `routes` */
  SCENARIO_ROUTING_RIP,     /* RIPv2 (routers), plus `routes` */
  SCENARIO_ROUTING_OSPF,    /* OSPFv2 (routers), plus `routes` */
} ScenarioRouting;

/* A static route; addresses in host byte order. */
typedef struct {
  Ipv4Prefix to;   /* 0.0.0.0/0 for a default route */
  uint32_t via;    /* next-hop address; 0 when the route is on-link through `dev` */
  int dev;         /* index into the node's ifaces, -1 when not given (found from `via`) */
  uint32_t metric; /* lower wins among equal prefixes; default 1 */
  SrcMark mark;
} ScenarioRoute;

/* A command a Linux host runs (`exec:`), as containerlab's exec. */
typedef struct {
  char *name; /* "NODE.K" (K from 1) unless given; unique in the scenario */
  char *run;  /* a shell command line (sh -c) */
  SimTime at; /* when it starts */
  SrcMark mark;
} ScenarioExec;

typedef struct {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  GArray *ifaces;    /* of ScenarioIface */
  SrcMark mark;
  uint32_t gateway;        /* default gateway (hosts and routers), 0 when none */
  SrcMark gateway_mark;    /* where `gateway` was written */
  GArray *routes;          /* of ScenarioRoute; never NULL */
  ScenarioRouting routing; /* effective after loading: STATIC, AUTO, RIP or OSPF */
  SimTime aging;           /* switches: MAC table aging time (default 300s) */
  uint8_t ttl;             /* hosts and routers: default TTL of datagrams sent (Linux's ip_default_ttl), 64 */
  RipConfig rip;           /* routing RIP: effective settings (scenario's `rip`, then the node's); ifaces by index */
  OspfConfig ospf;         /* routing OSPF: effective settings (scenario's `ospf`, then the node's); ifaces by index */
  GArray *exec;            /* Linux hosts: of ScenarioExec, by start time; never NULL */
  StpConfig stp;           /* switches: the spanning tree (`stp:`); ports by interface index, or NULL */
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
  LinkConfig params; /* effective rate, delay and loss; queue and mtu live on the ifaces */
  gboolean has_prefix;
  Ipv4Prefix prefix;
  SrcMark mark;
} ScenarioLink;

/* ---- apps: ------------------------------------------------------------- */

/* ---- events: ----------------------------------------------------------- */

typedef enum {
  SCENARIO_EVENT_LINK_DOWN,
  SCENARIO_EVENT_LINK_UP,
  SCENARIO_EVENT_LINK_SET,
  SCENARIO_EVENT_NODE_DOWN,    /* { at, node: r1, set: down }: every link of the node loses carrier */
  SCENARIO_EVENT_NODE_UP,      /* { at, node: r1, set: up } */
  SCENARIO_EVENT_IFACE_COST,   /* { at, iface: r1:eth0, ospf-cost: 50 } */
  SCENARIO_EVENT_IFACE_ROUTING /* { at, iface: r1:eth0, rip: off } or ospf: on */
} ScenarioEventKind;

typedef struct {
  SimTime at;
  ScenarioEventKind kind;
  int link;                 /* LINK_*: index into Scenario.links */
  LinkConfig params;        /* LINK_SET: rate, delay and loss, with their given bits */
  int node;                 /* NODE_*, IFACE_*: index into Scenario.nodes */
  int iface;                /* IFACE_*: index into that node's ifaces */
  uint32_t cost;            /* IFACE_COST: the new OSPF cost */
  ScenarioRouting protocol; /* IFACE_ROUTING: SCENARIO_ROUTING_RIP or _OSPF */
  gboolean on;              /* IFACE_ROUTING: on or off */
  SrcMark mark;
} ScenarioEvent;

/* ---- output: ----------------------------------------------------------- */

typedef struct {
  int node;
  int iface; /* -1: every interface of the node */
} ScenarioPcapTarget;

/* One snapshot of one node: `output: show:` items, one per listed node. */
typedef struct {
  SimTime at;
  int node;                      /* index into Scenario.nodes */
  uint8_t what[SHOW_KIND_COUNT]; /* ShowKind values (models/observe/show.h), in the order written */
  guint n_what;
  SrcMark mark;
} ScenarioShow;

typedef struct {
  char *dir;                    /* NULL: none given (the CLI's --out may give one) */
  guint trace;                  /* SCENARIO_TRACE_* mask; 0 = no trace */
  char **trace_nodes;           /* trace: { nodes: } NULL-terminated; NULL: every node */
  char **trace_protos;          /* trace: { protos: } NULL-terminated; NULL: every protocol */
  char **trace_ifaces;          /* trace: { ifaces: } "node:iface", NULL-terminated; NULL: every interface */
  uint64_t trace_packet;        /* trace: { packet: } 0: every packet */
  SimTime trace_from, trace_to; /* trace: { from:, to: } -1: open */
  char *trace_flow;             /* trace: { flow: } an app's name or a 5-tuple; NULL: none */
  gboolean trace_macs;          /* trace: { macs: true } */
  gboolean pcap_all;            /* pcap: all */
  GArray *pcap;                 /* of ScenarioPcapTarget; never NULL */
  uint32_t snaplen;             /* bytes of each frame written to pcap files (65535: whole frames) */
  gboolean tcp_series; /* `tcp-series: true`: tcp.csv, a row per change of a connection's cwnd, ssthresh, srtt, rto, in
                          flight */
  gboolean queues;     /* `queues: true`: queues.csv, a row per change of an interface's transmit queue */
  gboolean routes;     /* `routes:` DIR/routes.csv, a row per change of a protocol's routes; default TRUE when a
                          router runs RIP or OSPF */
  GArray *show;        /* of ScenarioShow, in file order (`show:` snapshots); NULL when none */
} ScenarioOutput;

/* ---- realtime: ---------------------------------------------------------- */

/* `realtime:`: run against the wall clock (sim/kernel/realtime.h). */
typedef struct {
  gboolean on;
  SimTime lag_limit;    /* `lag-limit`: stop when an event runs later than this; 0: no limit */
  gboolean low_latency; /* `low-latency`: keep the CPUs from sleeping during the run (rt_set_low_latency); TRUE */
} ScenarioRealtime;

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
  EXPECT_CONVERGED,      /* { converged: { by: 40s } } (at = by) */
  EXPECT_ADJACENCY,      /* { at: 45s, adjacency: { node: r1, neighbor: r2, state: full } } */
  EXPECT_OUTAGE,         /* { outage: { from: hA, to: hB, after: 100s, max: 12s } } */
  EXPECT_EXEC,           /* { exec: { name: ping, status: 0, output: "5 received" } } (a Linux host's command) */
  EXPECT_STP,            /* { at: 40s, stp: { node: s2, port: eth1, role: alternate, state: blocking } } or root: s1 */
} ExpectKind;

/* A next hop of a route check: a node (the holder of the gateway) or an address. */
typedef struct {
  int node;      /* -1 with addr */
  uint32_t addr; /* 0 with node */
} ScenarioVia;

typedef struct {
  ExpectKind kind;
  const char *check;                    /* its key as written: "reach", "unreach", "loss" (static) */
  SrcMark mark;                         /* the list item */
  SimTime at;                           /* when the check runs; -1: at the end of the run */
  int app;                              /* APP_LOSS, APP_HOPS, FLOW_DELIVERED: index into Scenario.apps */
  ScenarioBound bound;                  /* APP_LOSS, FLOW_DELIVERED, DROPS (a count) */
  int node;                             /* ROUTE: the node; REACH, PATH: from; NEVER_DROP, DROPS: -1 = any node */
  uint32_t dst;                         /* REACH, PATH: the destination address */
  int dst_node;                         /* REACH, PATH: the destination node, -1 when an address */
  gboolean reachable;                   /* REACH: TRUE for reach:, FALSE for unreach: */
  gboolean both;                        /* REACH: `both: true`, also the way back (to from's address) */
  Ipv4Prefix prefix;                    /* ROUTE: the prefix */
  int via_node;                         /* ROUTE: expected next-hop node, -1 with via_addr or none */
  uint32_t via_addr;                    /* ROUTE: expected next-hop address, 0 with via_node */
  gboolean via_none;                    /* ROUTE: `via: none`, no route expected */
  gboolean via_direct;                  /* ROUTE: `via: direct`, a connected route expected */
  ScenarioVia via_set[ROUTE_MAX_PATHS]; /* ROUTE: `via: [r2, r3]`, exactly these next hops */
  guint n_via_set;                      /* ROUTE: 0 unless `via` is a list */
  int protocol;                         /* ROUTE: a RouteOrigin the route must have, -1: any */
  int64_t metric;                       /* ROUTE: the metric the route must have, -1: any */
  int neighbor;                         /* ADJACENCY: the neighbour router, -1 when given by router ID */
  uint32_t nbr_rid;                     /* ADJACENCY: the neighbour's router ID when neighbor is -1 */
  int nbr_state;                        /* ADJACENCY: an OspfNbrState */
  SimTime after, max;                   /* OUTAGE: from when reach is polled, and the longest outage allowed */
  GArray *nodes;                        /* APP_HOPS, PATH: of int node indices, -1 for "*"; else NULL */
  char *drop;                           /* NEVER_DROP, DROPS: the reason's name as written (checked by the models) */
  int tcp_state;                        /* APP_REACHED: a TcpState value (models/transport/tcp.h), by name */
  char *exec;                           /* EXEC: the command's name */
  int status;                           /* EXEC: the exit status wanted, -1: any */
  char *output;                         /* EXEC: a regular expression its output must match (GRegex), or NULL */
  int stp_port;                         /* STP: the switch's port (interface index), -1: none given */
  int stp_role, stp_state;              /* STP: a StpRole and a StpState (models/link/stp.h), -1: any */
  int stp_root;                         /* STP: the switch that must be the root, -1: not checked */
  char *text;                           /* the check in words, for messages: "route r1 10.1.3.0/24 via r3" */
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
  GArray *apps;            /* of AppConfig; never NULL */
  GArray *events;          /* of ScenarioEvent, sorted by time (stable); never NULL */
  ScenarioOutput output;
  ScenarioRealtime realtime; /* off unless `realtime:` (or the CLI's --realtime) turns it on */
  GArray *expects;           /* of ScenarioExpect; never NULL */
  TcpConfig tcp;             /* `defaults.tcp`, with the built-in defaults filled */
} Scenario;

#define SCENARIO_MAX_FILE_BYTES (16u * 1024 * 1024)

Scenario *scenario_load_file(const char *path, DiagList *diags);
Scenario *scenario_load_data(const char *data, size_t len, const char *file, DiagList *diags);
void scenario_free(Scenario *sc);
gboolean scenario_check_stop(const Scenario *sc, SimTime stop, DiagList *diags);

int scenario_find_node(const Scenario *sc, const char *name);

static inline ScenarioNode *scenario_node(const Scenario *sc, int i)
{
  return &g_array_index(sc->nodes, ScenarioNode, i);
}

static inline ScenarioLink *scenario_link(const Scenario *sc, int i)
{
  return &g_array_index(sc->links, ScenarioLink, i);
}

static inline AppConfig *scenario_app(const Scenario *sc, int i)
{
  return &g_array_index(sc->apps, AppConfig, i);
}

static inline ScenarioIface *scenario_iface(const Scenario *sc, int node, int iface)
{
  return &g_array_index(scenario_node(sc, node)->ifaces, ScenarioIface, iface);
}

/* TRUE when the scenario has a Linux host (kind: linux). */
static inline gboolean scenario_has_linux_hosts(const Scenario *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++)
    if (scenario_node(sc, (int)i)->kind == NODE_KIND_LINUX)
      return TRUE;
  return FALSE;
}

/* TRUE when an interface is wired to a TAP device or bridge (`tap: NAME`). */
static inline gboolean scenario_has_taps(const Scenario *sc)
{
  for (guint n = 0; n < sc->nodes->len; n++)
    for (guint i = 0; i < scenario_node(sc, (int)n)->ifaces->len; i++)
      if (scenario_iface(sc, (int)n, (int)i)->tap)
        return TRUE;
  return FALSE;
}

/* TRUE when the scenario emulates (Linux hosts or TAP wires): it runs in real time. */
static inline gboolean scenario_emulates(const Scenario *sc)
{
  return scenario_has_linux_hosts(sc) || scenario_has_taps(sc);
}

#endif
