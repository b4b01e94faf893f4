/*
 * The `events` section: changes at given times, read once the links are
 * resolved. An event changes one thing:
 *   a link    `{ at, link, set: down | up }` or `{ at, link, rate?, delay?,
 *             loss? }` (new parameters; what is not given stays). `link` is
 *             a link's name, or its two ends written as in `links` ([r1, r3],
 *             [r1:eth1, r3]), which must match exactly one link;
 *   a node    `{ at, node, set: down | up }`: all its links at once;
 *   an interface `{ at, iface: r1:eth0, ospf-cost: N }`, or `rip: on | off`,
 *             or `ospf: on | off`, on a router running that protocol.
 * A key of another kind of event is an error. Events happen before the
 * run's end and are sorted by time, in file order at equal times.
 *
 * Entry points: scenario_parse_events() (first pass: keeps the list),
 * scenario_read_events().
 */
#include <string.h>

#include "sim/scenario/scenario_private.h"

/* What an event names, as bits of EventDraft.given (above the LINK_GIVEN_* bits). */
enum {
  EVENT_GIVEN_LINK = 1u << 8,
  EVENT_GIVEN_NODE = 1u << 9,
  EVENT_GIVEN_IFACE = 1u << 10,
  EVENT_GIVEN_SET = 1u << 11,
  EVENT_GIVEN_COST = 1u << 12,
  EVENT_GIVEN_RIP = 1u << 13,
  EVENT_GIVEN_OSPF = 1u << 14,
};
#define EVENT_GIVEN_PARAMS (LINK_GIVEN_RATE | LINK_GIVEN_DELAY | LINK_GIVEN_LOSS | LINK_GIVEN_REORDER)
#define EVENT_GIVEN_TARGETS (EVENT_GIVEN_LINK | EVENT_GIVEN_NODE | EVENT_GIVEN_IFACE)

/* An event being read: `set`, `rip`, `ospf` are -1 (not given), 0 (down, off) or 1 (up, on). */
typedef struct {
  ScenarioEvent ev;
  int set;
  int rip;
  int ospf;
  guint given;
} EventDraft;

static gboolean event_parse_link(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_set(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_node(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_iface(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_cost(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_on_off(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField event_fields[] = {
    {"at", schema_parse_duration, offsetof(EventDraft, ev.at), 0, TRUE},
    {"link", event_parse_link, offsetof(EventDraft, ev.link), EVENT_GIVEN_LINK, FALSE},
    {"node", event_parse_node, offsetof(EventDraft, ev.node), EVENT_GIVEN_NODE, FALSE},
    {"iface", event_parse_iface, 0, EVENT_GIVEN_IFACE, FALSE},
    {"set", event_parse_set, offsetof(EventDraft, set), EVENT_GIVEN_SET, FALSE},
    {"rate", schema_parse_rate, offsetof(EventDraft, ev.params.rate_bps), LINK_GIVEN_RATE, FALSE},
    {"delay", schema_parse_duration, offsetof(EventDraft, ev.params.delay), LINK_GIVEN_DELAY, FALSE},
    {"loss", schema_parse_percent, offsetof(EventDraft, ev.params.loss), LINK_GIVEN_LOSS, FALSE},
    {"reorder", schema_parse_percent, offsetof(EventDraft, ev.params.reorder), LINK_GIVEN_REORDER, FALSE},
    {"ospf-cost", event_parse_cost, offsetof(EventDraft, ev.cost), EVENT_GIVEN_COST, FALSE},
    {"rip", event_parse_on_off, offsetof(EventDraft, rip), EVENT_GIVEN_RIP, FALSE},
    {"ospf", event_parse_on_off, offsetof(EventDraft, ospf), EVENT_GIVEN_OSPF, FALSE},
};
static const Schema event_schema = {"an event", event_fields, G_N_ELEMENTS(event_fields), offsetof(EventDraft, given)};

/* The keys that belong to some kinds of event only. */
static const struct {
  const char *key;
  guint targets;
} event_key_targets[] = {
    {"set", EVENT_GIVEN_LINK | EVENT_GIVEN_NODE},
    {"rate", EVENT_GIVEN_LINK},
    {"delay", EVENT_GIVEN_LINK},
    {"loss", EVENT_GIVEN_LINK},
    {"reorder", EVENT_GIVEN_LINK},
    {"ospf-cost", EVENT_GIVEN_IFACE},
    {"rip", EVENT_GIVEN_IFACE},
    {"ospf", EVENT_GIVEN_IFACE},
};

static gboolean event_parse_set(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const states[] = {"down", "up"};
  return scenario_parse_word(cx, value, states, G_N_ELEMENTS(states), "state", dest);
}

static gboolean event_parse_on_off(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const states[] = {"off", "on"};
  return scenario_parse_word(cx, value, states, G_N_ELEMENTS(states), "protocol state", dest);
}

static gboolean event_parse_cost(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, 65535, "an OSPF cost", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

static gboolean event_parse_node(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_node_ref(cx, value, dest);
}

/* A link by its name; stores its index. */
static gboolean event_link_by_name(SchemaCtx *cx, const YNode *value, int *dest)
{
  const Scenario *sc = loader_of(cx)->sc;
  const char **names = g_new(const char *, sc->links->len + 1);
  guint named = 0;
  for (guint l = 0; l < sc->links->len; l++) {
    const char *name = scenario_link(sc, l)->name;
    if (name && strcmp(name, value->text) == 0) {
      *dest = (int)l;
      g_free(names);
      return TRUE;
    }
    if (name)
      names[named++] = name;
  }
  char *near = diag_suggest(value->text, names, named);
  if (near)
    schema_error(cx, value, "no link is named '%s'; did you mean '%s'?", value->text, near);
  else
    schema_error(cx, value, "no link is named '%s'; name a link with 'name', or give its two ends such as [r1, r2]",
                 value->text);
  g_free(near);
  g_free(names);
  return FALSE;
}

/* One end as in `links`: "node" or "node:iface". */
typedef struct {
  int node;
  int iface; /* -1: any interface of the node */
} EventEnd;

static gboolean event_read_end(SchemaCtx *cx, const YNode *value, EventEnd *end)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a link end such as 'r1' or 'r1:eth0'"))
    return FALSE;
  const char *colon = strchr(value->text, ':');
  char *name = colon ? g_strndup(value->text, colon - value->text) : g_strdup(value->text);
  end->node = scenario_find_node(loader_of(cx)->sc, name);
  end->iface = -1;
  if (end->node < 0) {
    YNode copy = *value;
    copy.text = name;
    scenario_lookup_node(cx, &copy); /* reports, with a suggestion */
  } else if (colon) {
    end->iface = scenario_lookup_iface(cx, value, end->node, colon + 1);
  }
  g_free(name);
  return end->node >= 0 && (!colon || end->iface >= 0);
}

static gboolean event_end_matches(const LinkEnd *end, const EventEnd *want)
{
  return end->node == want->node && (want->iface < 0 || end->iface == want->iface);
}

/* "node:iface" of the end of `link` at `node`, to show how to name one link. */
static char *event_iface_hint(const Scenario *sc, int link, int node)
{
  const ScenarioLink *l = scenario_link(sc, link);
  int e = l->ends[0].node == node ? 0 : 1;
  return g_strdup_printf("%s:%s", scenario_node(sc, node)->name, scenario_iface(sc, node, l->ends[e].iface)->name);
}

/* Reports that the ends match no link or several. */
static void event_report_match(SchemaCtx *cx, const YNode *value, guint matches, const char *list, int first, int node)
{
  const char *a = value->items[0]->text, *b = value->items[1]->text;
  if (matches == 0) {
    schema_error(cx, value, "no link joins %s and %s", a, b);
    return;
  }
  char *hint = event_iface_hint(loader_of(cx)->sc, first, node);
  schema_error(cx, value, "%u links join %s and %s (%s); name an interface, such as '%s', or give the link a name",
               matches, a, b, list, hint);
  g_free(hint);
}

/* A link by its two ends; exactly one link must join them. */
static gboolean event_link_by_ends(SchemaCtx *cx, const YNode *value, int *dest)
{
  const Scenario *sc = loader_of(cx)->sc;
  EventEnd ends[2];
  if (value->n != 2) {
    schema_error(cx, value, "a link has two ends, found %u", value->n);
    return FALSE;
  }
  gboolean ok = TRUE;
  for (guint e = 0; e < 2; e++) {
    gsize mark = schema_path_push_index(cx, e);
    ok &= event_read_end(cx, value->items[e], &ends[e]);
    schema_path_pop(cx, mark);
  }
  if (!ok)
    return FALSE;
  GString *list = g_string_new(NULL);
  guint matches = 0;
  for (guint l = 0; l < sc->links->len; l++) {
    const LinkEnd *le = scenario_link(sc, l)->ends;
    if ((event_end_matches(&le[0], &ends[0]) && event_end_matches(&le[1], &ends[1])) ||
        (event_end_matches(&le[0], &ends[1]) && event_end_matches(&le[1], &ends[0]))) {
      g_string_append_printf(list, "%slinks[%u]", matches ? " and " : "", l);
      if (matches++ == 0)
        *dest = (int)l;
    }
  }
  if (matches != 1)
    event_report_match(cx, value, matches, list->str, *dest, ends[0].node);
  g_string_free(list, TRUE);
  return matches == 1;
}

static gboolean event_parse_link(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (value->type == YNODE_SEQ)
    return event_link_by_ends(cx, value, dest);
  if (!schema_expect(cx, value, YNODE_SCALAR, "a link's name or its two ends such as [r1, r2]"))
    return FALSE;
  return event_link_by_name(cx, value, dest);
}

/* `iface: r1:eth0`: a host's or router's interface; stores node and iface. */
static gboolean event_parse_iface(SchemaCtx *cx, const YNode *value, void *dest)
{
  EventDraft *d = dest;
  EventEnd end;
  if (!schema_expect(cx, value, YNODE_SCALAR, "an interface such as 'r1:eth0'"))
    return FALSE;
  if (!strchr(value->text, ':')) {
    schema_error(cx, value, "expected an interface such as 'r1:eth0', found '%s'", value->text);
    return FALSE;
  }
  if (!event_read_end(cx, value, &end))
    return FALSE;
  d->ev.node = end.node;
  d->ev.iface = end.iface;
  return TRUE;
}

/* The kind of event the keys of `item` name (an EVENT_GIVEN_* target bit), 0 when none or several. */
static guint event_target(const YNode *item)
{
  static const char *const keys[] = {"link", "node", "iface"};
  static const guint bits[] = {EVENT_GIVEN_LINK, EVENT_GIVEN_NODE, EVENT_GIVEN_IFACE};
  guint found = 0, n = 0;
  for (guint k = 0; item->type == YNODE_MAP && k < G_N_ELEMENTS(keys); k++)
    if (ynode_map_get(item, keys[k])) {
      found = bits[k];
      n++;
    }
  return n == 1 ? found : 0;
}

static const char *event_kind_text(guint target)
{
  return target == EVENT_GIVEN_LINK   ? "a link event"
         : target == EVENT_GIVEN_NODE ? "a node event"
                                      : "an interface event";
}

/* What the keys of each kind of event are, for a misplaced key. */
static const char *event_kind_keys(guint target)
{
  if (target == EVENT_GIVEN_LINK)
    return "a link event has 'set', or 'rate', 'delay', 'loss' and 'reorder'";
  if (target == EVENT_GIVEN_NODE)
    return "a node event has 'set: down' or 'set: up'";
  return "an interface event has 'ospf-cost', 'rip' or 'ospf'; to take an interface down, take its link down";
}

/* Reports the keys of `item` that belong to other kinds of event than
 * `target`; returns the mapping without them (scenario_map_without_free()). */
static YNode *event_own_keys(SchemaCtx *cx, const YNode *item, guint target, gboolean *ok)
{
  gboolean *drop = g_new0(gboolean, item->n + 1);
  for (guint i = 0; target && i < item->n; i++) {
    const YNode *key = ynode_key(item, i);
    for (guint k = 0; key->type == YNODE_SCALAR && k < G_N_ELEMENTS(event_key_targets); k++)
      if (strcmp(key->text, event_key_targets[k].key) == 0 && !(event_key_targets[k].targets & target)) {
        gsize mark = schema_path_push_key(cx, key->text);
        schema_error(cx, key, "'%s' is not a key of %s (%s)", key->text, event_kind_text(target),
                     event_kind_keys(target));
        schema_path_pop(cx, mark);
        drop[i] = TRUE;
        *ok = FALSE;
      }
  }
  YNode *own = scenario_map_without(item, drop);
  g_free(drop);
  return own;
}

/* Checks `at` against the end of the run. */
static gboolean event_check_at(SchemaCtx *cx, const YNode *item, const EventDraft *d)
{
  SimTime stop = loader_of(cx)->sc->stop;
  const YNode *at_node = ynode_map_get(item, "at");
  /* Without `at` (reported as missing) or a valid stop (reported) there is nothing to compare. */
  if (!at_node || stop <= 0 || d->ev.at < stop)
    return TRUE;
  char *at = units_format_duration(d->ev.at), *end = units_format_duration(stop);
  gsize mark = schema_path_push_key(cx, "at");
  schema_error(cx, at_node, "%s is not before the end of the run (stop: %s)", at, end);
  schema_path_pop(cx, mark);
  g_free(at);
  g_free(end);
  return FALSE;
}

static gboolean event_finish_link(SchemaCtx *cx, const YNode *item, EventDraft *d)
{
  if (d->set >= 0 && d->ev.params.given) {
    schema_error(cx, item, "'set' cannot be mixed with rate, delay, loss or reorder; write them as two events");
    return FALSE;
  }
  if (d->set < 0 && !d->ev.params.given) {
    schema_error(cx, item,
                 "an event needs 'set: down', 'set: up', or new link parameters (rate, delay, loss, reorder)");
    return FALSE;
  }
  d->ev.kind = d->set == 0 ? SCENARIO_EVENT_LINK_DOWN : d->set == 1 ? SCENARIO_EVENT_LINK_UP : SCENARIO_EVENT_LINK_SET;
  return TRUE;
}

static gboolean event_finish_node(SchemaCtx *cx, const YNode *item, EventDraft *d)
{
  if (d->set < 0) {
    schema_error(cx, item, "a node event needs 'set: down' or 'set: up'");
    return FALSE;
  }
  d->ev.kind = d->set == 0 ? SCENARIO_EVENT_NODE_DOWN : SCENARIO_EVENT_NODE_UP;
  return TRUE;
}

/* The interface's router must run the protocol the event changes. */
static gboolean event_check_protocol(SchemaCtx *cx, const YNode *item, const EventDraft *d, const char *key)
{
  static const char *const modes[] = {"inherit", "static", "auto", "rip", "ospf"};
  const ScenarioNode *node = scenario_node(loader_of(cx)->sc, d->ev.node);
  if (node->routing == d->ev.protocol)
    return TRUE;
  gsize mark = schema_path_push_key(cx, key);
  if (node->kind != NODE_KIND_ROUTER)
    schema_error(cx, ynode_map_get(item, key), "%s '%s' runs no routing protocol (routing protocols run on routers)",
                 node_kind_name(node->kind), node->name);
  else
    schema_error(cx, ynode_map_get(item, key), "router '%s' does not run %s (its routing is %s)", node->name,
                 d->ev.protocol == SCENARIO_ROUTING_RIP ? "RIP" : "OSPF", modes[node->routing]);
  schema_path_pop(cx, mark);
  return FALSE;
}

static gboolean event_finish_iface(SchemaCtx *cx, const YNode *item, EventDraft *d)
{
  guint what = d->given & (EVENT_GIVEN_COST | EVENT_GIVEN_RIP | EVENT_GIVEN_OSPF);
  if (what != EVENT_GIVEN_COST && what != EVENT_GIVEN_RIP && what != EVENT_GIVEN_OSPF) {
    schema_error(cx, item, "an interface event needs exactly one of 'ospf-cost', 'rip: on|off' and 'ospf: on|off'");
    return FALSE;
  }
  d->ev.kind = what == EVENT_GIVEN_COST ? SCENARIO_EVENT_IFACE_COST : SCENARIO_EVENT_IFACE_ROUTING;
  d->ev.protocol = what == EVENT_GIVEN_RIP ? SCENARIO_ROUTING_RIP : SCENARIO_ROUTING_OSPF;
  d->ev.on = what == EVENT_GIVEN_RIP ? d->rip == 1 : d->ospf == 1;
  return event_check_protocol(cx, item, d,
                              what == EVENT_GIVEN_COST  ? "ospf-cost"
                              : what == EVENT_GIVEN_RIP ? "rip"
                                                        : "ospf");
}

/* Checks what depends on several keys; fills the event's kind. */
static gboolean event_finish(SchemaCtx *cx, const YNode *item, guint target, EventDraft *d)
{
  gboolean ok = event_check_at(cx, item, d);
  d->ev.params.given = d->given & EVENT_GIVEN_PARAMS;
  if (target == EVENT_GIVEN_LINK)
    return event_finish_link(cx, item, d) && ok;
  if (target == EVENT_GIVEN_NODE)
    return event_finish_node(cx, item, d) && ok;
  return event_finish_iface(cx, item, d) && ok;
}

/* Reads events[i]: what it names first, since that decides its keys. */
static void event_read(SchemaCtx *cx, const YNode *item)
{
  if (!schema_expect(cx, item, YNODE_MAP, "a mapping describing an event"))
    return;
  EventDraft d = {
      {.kind = SCENARIO_EVENT_LINK_SET, .link = -1, .node = -1, .iface = -1, .mark = scenario_mark_of(item)},
      -1,
      -1,
      -1,
      0};
  guint target = event_target(item);
  gboolean ok = TRUE;
  YNode *own = event_own_keys(cx, item, target, &ok);
  ok = schema_apply(cx, &event_schema, own, &d) && ok;
  scenario_map_without_free(own);
  if (!target && !(d.given & EVENT_GIVEN_TARGETS))
    schema_error(cx, item, "an event needs what it changes: 'link', 'node' or 'iface'");
  else if (!target)
    schema_error(cx, item, "an event changes one thing: give one of 'link', 'node' and 'iface', not several");
  if (ok && target && event_finish(cx, item, target, &d))
    g_array_append_val(loader_of(cx)->sc->events, d.ev);
}

/* By time, then by place in the file: a stable order. */
static int event_compare(gconstpointer pa, gconstpointer pb)
{
  const ScenarioEvent *a = pa, *b = pb;
  if (a->at != b->at)
    return a->at < b->at ? -1 : 1;
  if (a->mark.line != b->mark.line)
    return a->mark.line - b->mark.line;
  return a->mark.column - b->mark.column;
}

/* `events:` in the first pass: kept until the links are resolved. */
gboolean scenario_parse_events(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of events"))
    return FALSE;
  loader_of(cx)->events = value;
  return TRUE;
}

/* Reads the `events` list into Scenario.events, sorted by time. */
void scenario_read_events(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  if (!ld->events)
    return;
  scenario_path_set(cx, "events");
  for (guint i = 0; i < ld->events->n && !diag_full(cx->diags); i++) {
    gsize mark = schema_path_push_index(cx, i);
    event_read(cx, ld->events->items[i]);
    schema_path_pop(cx, mark);
  }
  g_array_sort(ld->sc->events, event_compare);
}
