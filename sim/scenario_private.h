/*
 * Shared state of the scenario loader's stages (parse, resolve, check).
 * Not for use outside sim/scenario_*.c.
 */
#ifndef IPSIM_SCENARIO_PRIVATE_H
#define IPSIM_SCENARIO_PRIVATE_H

#include "sim/scenario.h"
#include "sim/schema.h"

/* Built-in link and interface parameters, used where the file sets none. */
#define SCENARIO_DEFAULT_RATE_BPS UINT64_C(100000000)
#define SCENARIO_DEFAULT_DELAY SIMTIME_MS(1)
#define SCENARIO_DEFAULT_QUEUE_PACKETS 100
#define SCENARIO_DEFAULT_MTU 1500
#define SCENARIO_DEFAULT_STOP SIMTIME_S(60)
#define SCENARIO_DEFAULT_SEED 1
#define SCENARIO_MIN_MTU 68
#define SCENARIO_MAX_MTU 65535
#define SCENARIO_MAX_NAME 64
#define SCENARIO_MAX_IFACE_NAME 15

typedef struct {
  SchemaCtx cx; /* first: parsers get the Loader through it */
  Scenario *sc;
  LinkParams link_defaults;    /* defaults.link */
  LinkParams kind_defaults[3]; /* defaults.host/switch/router, by NodeKind */
} Loader;

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

gboolean scenario_parse_nodes(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_links(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_defaults(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_mtu(SchemaCtx *cx, const YNode *value, void *dest);
gboolean scenario_parse_net_prefix(SchemaCtx *cx, const YNode *value, void *dest);
void scenario_error_at(Loader *ld, SrcMark mark, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void scenario_warning_at(Loader *ld, SrcMark mark, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int scenario_node_add_iface(ScenarioNode *node, const char *name, SrcMark mark);
int scenario_node_find_iface(const ScenarioNode *node, const char *name);

void scenario_resolve(Loader *ld);
void scenario_check(Loader *ld);

#endif
