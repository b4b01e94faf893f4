/*
 * The `links` and `defaults` sections. A link is written either as a list of
 * its two ends, `[h1, s1]`, or as a mapping with `ends` and its parameters;
 * an end is "node" or "node:iface". Ends are resolved to interfaces later,
 * once every node is known (scenario_resolve.c).
 *
 * Link names are unique, so that `events` can name a link. `defaults`
 * also holds `tcp`, the TCP settings every TCP app starts from
 * (scenario_tcp.c).
 *
 * Entry points: scenario_parse_links(), scenario_parse_defaults(),
 * scenario_parse_mtu(), scenario_parse_net_prefix(),
 * scenario_parse_duration_positive().
 */
#include <string.h>

#include "sim/text/addr.h"
#include "sim/scenario/scenario_private.h"

static gboolean scenario_parse_ends(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_link_prefix(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_link_defaults(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_kind_defaults(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_switch_defaults(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_tcp_defaults(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean scenario_parse_link_type(SchemaCtx *cx, const YNode *value, void *dest);

#define LINK_PARAM_FIELDS(T, base)                                                                                     \
  {"rate", schema_parse_rate, offsetof(T, base rate_bps), LINK_GIVEN_RATE, FALSE},                                     \
      {"delay", schema_parse_duration, offsetof(T, base delay), LINK_GIVEN_DELAY, FALSE},                              \
      {"loss", schema_parse_percent, offsetof(T, base loss), LINK_GIVEN_LOSS, FALSE},                                  \
      {"reorder", schema_parse_percent, offsetof(T, base reorder), LINK_GIVEN_REORDER, FALSE},                         \
      {"queue", schema_parse_queue, offsetof(T, base queue), LINK_GIVEN_QUEUE, FALSE},                                 \
      {"mtu", scenario_parse_mtu, offsetof(T, base mtu), LINK_GIVEN_MTU, FALSE},                                       \
  {                                                                                                                    \
    "type", scenario_parse_link_type, offsetof(T, base type), LINK_GIVEN_TYPE, FALSE                                   \
  }

static const SchemaField link_fields[] = {
    {"ends", scenario_parse_ends, offsetof(ScenarioLink, ends), 0, TRUE},
    {"name", schema_parse_string, offsetof(ScenarioLink, name), 0, FALSE},
    LINK_PARAM_FIELDS(ScenarioLink, params.),
    {"prefix", scenario_parse_link_prefix, 0, 0, FALSE},
};
static const Schema link_schema = {"a link", link_fields, G_N_ELEMENTS(link_fields),
                                   offsetof(ScenarioLink, params.given)};

static const SchemaField link_default_fields[] = {LINK_PARAM_FIELDS(LinkConfig, )};
static const Schema link_default_schema = {"the link defaults", link_default_fields, G_N_ELEMENTS(link_default_fields),
                                           offsetof(LinkConfig, given)};

static const SchemaField kind_default_fields[] = {
    {"mtu", scenario_parse_mtu, offsetof(LinkConfig, mtu), LINK_GIVEN_MTU, FALSE},
    {"queue", schema_parse_queue, offsetof(LinkConfig, queue), LINK_GIVEN_QUEUE, FALSE},
};
static const Schema kind_default_schema = {"interface defaults", kind_default_fields, G_N_ELEMENTS(kind_default_fields),
                                           offsetof(LinkConfig, given)};

/* defaults.switch: the interface defaults and the MAC table's aging, read into the Loader. */
static const SchemaField switch_default_fields[] = {
    {"mtu", scenario_parse_mtu, offsetof(Loader, kind_defaults[NODE_KIND_SWITCH].mtu), LINK_GIVEN_MTU, FALSE},
    {"queue", schema_parse_queue, offsetof(Loader, kind_defaults[NODE_KIND_SWITCH].queue), LINK_GIVEN_QUEUE, FALSE},
    {"aging", scenario_parse_duration_positive, offsetof(Loader, switch_aging), 0, FALSE},
};
static const Schema switch_default_schema = {"switch defaults", switch_default_fields,
                                             G_N_ELEMENTS(switch_default_fields),
                                             offsetof(Loader, kind_defaults[NODE_KIND_SWITCH].given)};

static const SchemaField defaults_fields[] = {
    {"link", scenario_parse_link_defaults, offsetof(Loader, link_defaults), 0, FALSE},
    {"host", scenario_parse_kind_defaults, offsetof(Loader, kind_defaults[NODE_KIND_HOST]), 0, FALSE},
    {"switch", scenario_parse_switch_defaults, 0, 0, FALSE},
    {"router", scenario_parse_kind_defaults, offsetof(Loader, kind_defaults[NODE_KIND_ROUTER]), 0, FALSE},
    {"tcp", scenario_parse_tcp_defaults, 0, 0, FALSE},
};
static const Schema defaults_schema = {"the defaults", defaults_fields, G_N_ELEMENTS(defaults_fields), SCHEMA_NO_GIVEN};

static gboolean scenario_parse_link_defaults(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &link_default_schema, value, dest);
}

static gboolean scenario_parse_kind_defaults(SchemaCtx *cx, const YNode *value, void *dest)
{
  return schema_apply(cx, &kind_default_schema, value, dest);
}

static gboolean scenario_parse_switch_defaults(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest; /* offset 0: the Loader itself */
  return schema_apply(cx, &switch_default_schema, value, loader_of(cx));
}

/* defaults.tcp: onto Scenario.tcp, which holds the built-in settings (scenario_tcp.c). */
static gboolean scenario_parse_tcp_defaults(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest; /* offset 0: the Loader itself */
  return scenario_parse_tcp(cx, value, &loader_of(cx)->sc->tcp);
}

/* A link type: "ethernet" or "ppp" (link_type_names). Stores a LinkType. */
static gboolean scenario_parse_link_type(SchemaCtx *cx, const YNode *value, void *dest)
{
  int i = 0;
  if (!scenario_parse_word(cx, value, link_type_names, LINK_TYPE_COUNT, "link type", &i))
    return FALSE;
  *(LinkType *)dest = (LinkType)i;
  return TRUE;
}

/* A duration longer than 0s. Stores a SimTime. */
gboolean scenario_parse_duration_positive(SchemaCtx *cx, const YNode *value, void *dest)
{
  SimTime t = 0;
  if (!schema_parse_duration(cx, value, &t))
    return FALSE;
  if (t <= 0) {
    schema_error(cx, value, "the duration must be longer than 0s");
    return FALSE;
  }
  *(SimTime *)dest = t;
  return TRUE;
}

/* `defaults: { link: {...}, host: {...}, switch: {...}, router: {...}, tcp: {...} }`. */
gboolean scenario_parse_defaults(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest; /* the section fills the loader, not a field */
  return schema_apply(cx, &defaults_schema, value, loader_of(cx));
}

/* An MTU in bytes, LINK_MIN_MTU..LINK_MAX_MTU: "1500" or "1500B". */
gboolean scenario_parse_mtu(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "an MTU in bytes such as 1500"))
    return FALSE;
  uint64_t bytes = 0;
  gboolean plain = value->text[0] && strspn(value->text, "0123456789") == strlen(value->text);
  GError *error = NULL;
  gboolean ok = plain ? units_parse_uint(value->text, G_MAXUINT64, &bytes, &error)
                      : units_parse_size(value->text, &bytes, &error);
  if (!ok) {
    schema_error(cx, value, "expected an MTU in bytes such as 1500: %s", error->message);
    g_error_free(error);
    return FALSE;
  }
  if (bytes < LINK_MIN_MTU || bytes > LINK_MAX_MTU) {
    schema_error(cx, value, "an MTU must be between %d and %d bytes, found %s", LINK_MIN_MTU, LINK_MAX_MTU,
                 value->text);
    return FALSE;
  }
  *(uint32_t *)dest = (uint32_t)bytes;
  return TRUE;
}

/* A network prefix "10.1.3.0/24" with no host bits set. */
gboolean scenario_parse_net_prefix(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a network prefix such as '10.1.3.0/24'"))
    return FALSE;
  Ipv4Prefix *prefix = dest;
  GError *error = NULL;
  if (!addr_parse_cidr(value->text, &prefix->addr, &prefix->len, &error)) {
    schema_error(cx, value, "%s", error->message);
    g_error_free(error);
    return FALSE;
  }
  uint32_t net = prefix->addr & addr_mask(prefix->len);
  if (net != prefix->addr) {
    char buf[ADDR_CIDR_TEXT];
    schema_error(cx, value, "'%s' has host bits set; did you mean '%s'?", value->text,
                 addr_format_cidr(net, prefix->len, buf));
    return FALSE;
  }
  return TRUE;
}

static gboolean scenario_parse_link_prefix(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioLink *link = dest;
  link->has_prefix = scenario_parse_net_prefix(cx, value, &link->prefix);
  return link->has_prefix;
}

/* One end, "node" or "node:iface"; the names are checked at resolution. */
static gboolean scenario_parse_end(SchemaCtx *cx, const YNode *value, LinkEnd *end)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a link end such as 'h1' or 'r1:eth0'"))
    return FALSE;
  const char *colon = strchr(value->text, ':');
  if (!value->text[0] || (colon && (colon == value->text || !colon[1] || strchr(colon + 1, ':')))) {
    char *found = ynode_describe(value);
    schema_error(cx, value, "expected a link end such as 'h1' or 'r1:eth0', found %s", found);
    g_free(found);
    return FALSE;
  }
  end->text = g_strdup(value->text);
  end->mark = (SrcMark){value->line, value->column};
  end->node = end->iface = -1;
  return TRUE;
}

static gboolean scenario_parse_ends(SchemaCtx *cx, const YNode *value, void *dest)
{
  LinkEnd *ends = dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "the two ends of the link, such as [h1, 'r1:eth0']"))
    return FALSE;
  if (value->n != 2) {
    schema_error(cx, value, "a link has exactly two ends, found %u", value->n);
    return FALSE;
  }
  gboolean ok = TRUE;
  for (guint i = 0; i < 2; i++) {
    gsize mark = schema_path_push_index(cx, i);
    ok &= scenario_parse_end(cx, value->items[i], &ends[i]);
    schema_path_pop(cx, mark);
  }
  return ok;
}

static void scenario_parse_link(SchemaCtx *cx, const YNode *item, ScenarioLink *link)
{
  link->mark = (SrcMark){item->line, item->column};
  link->ends[0].node = link->ends[1].node = -1;
  link->ends[0].iface = link->ends[1].iface = -1;
  if (item->type == YNODE_SEQ) {
    scenario_parse_ends(cx, item, link->ends);
    return;
  }
  if (item->type != YNODE_MAP) {
    char *found = ynode_describe(item);
    schema_error(cx, item, "expected a link: its two ends such as [h1, s1], or a mapping with 'ends', found %s", found);
    g_free(found);
    return;
  }
  schema_apply(cx, &link_schema, item, link);
}

/* Reports a link name that an earlier link already has. */
static void scenario_check_link_name(SchemaCtx *cx, const YNode *item, guint index)
{
  const Scenario *sc = loader_of(cx)->sc;
  const ScenarioLink *link = scenario_link(sc, index);
  for (guint i = 0; link->name && i < index; i++)
    if (scenario_link(sc, i)->name && strcmp(scenario_link(sc, i)->name, link->name) == 0) {
      const YNode *name = ynode_map_get(item, "name");
      gsize mark = schema_path_push_key(cx, "name");
      schema_error(cx, name ? name : item, "links[%u] already has the name '%s'", i, link->name);
      schema_path_pop(cx, mark);
      return;
    }
}

/* The `links` list. Links whose ends could not be read stay in the list
 * with node -1, so that later stages skip them. */
gboolean scenario_parse_links(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest; /* the section fills the loader, not a field */
  Scenario *sc = loader_of(cx)->sc;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of links"))
    return FALSE;
  guint before = cx->diags->errors;
  for (guint i = 0; i < value->n && !diag_full(cx->diags); i++) {
    ScenarioLink link = {0};
    gsize mark = schema_path_push_index(cx, i);
    scenario_parse_link(cx, value->items[i], &link);
    g_array_append_val(sc->links, link);
    scenario_check_link_name(cx, value->items[i], i);
    schema_path_pop(cx, mark);
  }
  return cx->diags->errors == before;
}
