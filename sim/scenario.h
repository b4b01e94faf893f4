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

#include "sim/diag.h"
#include "sim/simtime.h"
#include "sim/units.h"

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

typedef struct {
  char *name;
  NodeKind kind;
  char *description; /* may be NULL */
  GArray *ifaces;    /* of ScenarioIface */
  SrcMark mark;
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

typedef struct {
  char *file;
  char *name;
  char *description; /* may be NULL */
  uint64_t seed;
  SimTime stop;
  GArray *nodes;          /* of ScenarioNode */
  GArray *links;          /* of ScenarioLink */
  GHashTable *node_index; /* name -> GINT_TO_POINTER(index + 1) */
} Scenario;

#define SCENARIO_MAX_FILE_BYTES (16u * 1024 * 1024)

Scenario *scenario_load_file(const char *path, DiagList *diags);
Scenario *scenario_load_data(const char *data, size_t len, const char *file, DiagList *diags);
void scenario_free(Scenario *sc);

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

static inline ScenarioIface *scenario_iface(const Scenario *sc, int node, int iface)
{
  return &g_array_index(scenario_node(sc, node)->ifaces, ScenarioIface, iface);
}

#endif
