/*
 * Shared state of the scenario loader's stages (parse, resolve, the
 * sections read once the network is known, check). Not for use outside
 * sim/scenario_*.c.
 */
#ifndef IPSIM_SCENARIO_PRIVATE_H
#define IPSIM_SCENARIO_PRIVATE_H

#include "sim/scenario/scenario.h"
#include "sim/scenario/schema.h"

/* The run's own defaults (the models own theirs: link_config_defaults(),
 * SWITCH_DEFAULT_AGING, tcp_config_defaults()). */
#define SCENARIO_DEFAULT_STOP SIMTIME_S(60)
#define SCENARIO_DEFAULT_SEED 1
#define SCENARIO_MAX_NAME 64
#define SCENARIO_MAX_IFACE_NAME 15

typedef struct {
  SchemaCtx cx; /* first: parsers get the Loader through it */
  Scenario *sc;
  LinkConfig link_defaults;                  /* defaults.link */
  LinkConfig kind_defaults[NODE_KIND_COUNT]; /* defaults.host/switch/router (linux: none), by NodeKind */
  SimTime switch_aging;                      /* defaults.switch.aging, else SWITCH_DEFAULT_AGING */
  GPtrArray *node_maps;                      /* of const YNode*: each node's mapping, parallel to sc->nodes */
  GHashTable *exec_names;                    /* the Linux hosts' command names (borrowed), one each */
  /* Sections read once the network is resolved, since they name its parts
   * (NULL when absent or not of the right type). */
  const YNode *apps;
  const YNode *events;
  const YNode *output;
  const YNode *expect;
  const YNode *rip;  /* the top-level `rip:`, read by scenario_resolve_routing() */
  const YNode *ospf; /* the top-level `ospf:` */
} Loader;

/* Loading from a tree and reading a file within bounds (scenario_load.c), for the lab (scenario_lab.c). */
Scenario *scenario_load_root(const YNode *root, const char *file, DiagList *diags);
char *scenario_read_bounded(const char *path, size_t *len, DiagList *diags);
const char *scenario_expect_check_key(const YNode *item);

static inline Loader *loader_of(SchemaCtx *cx)
{
  return (Loader *)cx;
}

/* A place in the file with no YNode behind it. */
static inline YNode scenario_mark_node(SrcMark mark)
{
  YNode at = {0};
  at.line = mark.line;
  at.column = mark.column;
  return at;
}

static inline SrcMark scenario_mark_of(const YNode *node)
{
  return (SrcMark){node->line, node->column};
}

/* scenario_load.c: messages, shared value parsers, key paths. */
void scenario_error_at(Loader *ld, SrcMark mark, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void scenario_warning_at(Loader *ld, SrcMark mark, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void scenario_warning(SchemaCtx *cx, const YNode *at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
gboolean scenario_parse_bool(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_uint(SchemaCtx *cx, const YNode *value, uint64_t min, uint64_t max, const char *what,
                             uint64_t *out);
gboolean scenario_parse_bytes(SchemaCtx *cx, const YNode *value, uint64_t min, uint64_t max, const char *what,
                              uint64_t *out);
gboolean scenario_parse_routing(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_word(SchemaCtx *cx, const YNode *value, const char *const *words, guint n, const char *what,
                             int *out);
YNode *scenario_map_without(const YNode *map, const gboolean *drop);
void scenario_map_without_free(YNode *copy);
void scenario_path_set(SchemaCtx *cx, const char *section);

/* scenario_nodes.c: the `nodes` section, and finding nodes by name. */
gboolean scenario_parse_nodes(SchemaCtx *cx, const YNode *value, void *dest);
const char *scenario_name_problem(const char *name, guint max);
int scenario_node_add_iface(ScenarioNode *node, const char *name, SrcMark mark);
int scenario_node_find_iface(const ScenarioNode *node, const char *name);
int scenario_lookup_node(SchemaCtx *cx, const YNode *value);
int scenario_lookup_iface(SchemaCtx *cx, const YNode *at, int node, const char *name);
int scenario_lookup_ip_node(SchemaCtx *cx, const YNode *value, const char *why);
gboolean scenario_parse_node_ref(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_ip_node_ref(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_node_first_address(const ScenarioNode *node, uint32_t *addr);
int scenario_find_address(const Scenario *sc, uint32_t addr);

/* A destination written as a node name, an IPv4 address, or either with ":port". */
typedef struct {
  uint32_t addr;
  int node; /* -1 when the address is no node's */
  gboolean has_port;
  uint16_t port;
} ScenarioDest;
gboolean scenario_parse_dest(SchemaCtx *cx, const YNode *value, gboolean port_allowed, ScenarioDest *out);

/* scenario_links.c */
gboolean scenario_parse_links(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_defaults(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_mtu(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_net_prefix(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_duration_positive(SchemaCtx *cx, const YNode *value, void *dest);

/* The sections read after resolution: parse_* keeps the YNode, read_* reads it. */
gboolean scenario_parse_apps(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_events(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_output(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_realtime(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_expect(SchemaCtx *cx, const YNode *value, void *dest);
void scenario_read_apps(Loader *ld);
void scenario_read_events(Loader *ld);
void scenario_read_output(Loader *ld);
void scenario_output_clear(ScenarioOutput *out); /* scenario_output.c: from scenario_free */
void scenario_read_expect(Loader *ld);

void scenario_resolve(Loader *ld);
void scenario_resolve_routes(Loader *ld); /* scenario_routes.c */
/* scenario_stp.c: a switch's `stp:` */
gboolean scenario_parse_stp_later(SchemaCtx *cx, const YNode *value, void *dest);
void scenario_resolve_stp(Loader *ld);
gboolean scenario_parse_route_to(SchemaCtx *cx, const YNode *value, void *dest);
void scenario_check(Loader *ld);
void scenario_check_hubs(Loader *ld); /* scenario_hub.c */

/* scenario_routing.c: the routing protocols' settings; scenario_routing_check.c: their checks. */
gboolean scenario_parse_rip(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_ospf(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_routing_later(SchemaCtx *cx, const YNode *value, void *dest);
void scenario_resolve_routing(Loader *ld);
void scenario_check_routing(Loader *ld);

/* scenario_vlan.c: IEEE 802.1Q switch ports and subinterfaces; their checks. */
gboolean scenario_parse_vlan(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_vlan_mode(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_vlans(SchemaCtx *cx, const YNode *value, void *dest);
uint16_t scenario_subif_vid(const ScenarioNode *node, const char *name);
void scenario_check_vlan_keys(SchemaCtx *cx, const ScenarioNode *node);
void scenario_resolve_subifs(Loader *ld);
void scenario_resolve_subif_links(Loader *ld);
void scenario_check_vlans(Loader *ld);
uint16_t scenario_iface_vlan(const Scenario *sc, int node, int iface);
typedef struct VlanSegs VlanSegs; /* broadcast domains: one per link or per VLAN of switches joined */
VlanSegs *scenario_vlan_segments(const Scenario *sc, const int *first_iface, int total);
int scenario_vlan_segment(VlanSegs *vs, int element);
void scenario_vlan_segments_free(VlanSegs *vs);

/* scenario_tcp.c: TCP settings (defaults.tcp and an app's tcp:). */
gboolean scenario_parse_tcp(SchemaCtx *cx, const YNode *value, void *dest);

#endif
