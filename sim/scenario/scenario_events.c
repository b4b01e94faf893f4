/*
 * The `events` section: changes to links at given times, read once the
 * links are resolved. An event is `{ at, link, set: down | up }` or
 * `{ at, link, rate?, delay?, loss? }` (new parameters; what is not given
 * stays). `link` is a link's name, or its two ends written as in `links`
 * ([r1, r3], [r1:eth1, r3]), which must match exactly one link. Events
 * happen before the run's end and are sorted by time, in file order at
 * equal times.
 *
 * Entry points: scenario_parse_events() (first pass: keeps the list),
 * scenario_read_events().
 */
#include <string.h>

#include "sim/scenario/scenario_private.h"

/* An event being read: `set` is -1 (not given), 0 (down) or 1 (up). */
typedef struct {
  ScenarioEvent ev;
  int set;
} EventDraft;

static gboolean event_parse_link(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean event_parse_set(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField event_fields[] = {
    {"at", schema_parse_duration, offsetof(EventDraft, ev.at), 0, TRUE},
    {"link", event_parse_link, offsetof(EventDraft, ev.link), 0, TRUE},
    {"set", event_parse_set, offsetof(EventDraft, set), 0, FALSE},
    {"rate", schema_parse_rate, offsetof(EventDraft, ev.params.rate_bps), LINK_GIVEN_RATE, FALSE},
    {"delay", schema_parse_duration, offsetof(EventDraft, ev.params.delay), LINK_GIVEN_DELAY, FALSE},
    {"loss", schema_parse_percent, offsetof(EventDraft, ev.params.loss), LINK_GIVEN_LOSS, FALSE},
};
static const Schema event_schema = {"an event", event_fields, G_N_ELEMENTS(event_fields),
                                    offsetof(EventDraft, ev.params.given)};

static gboolean event_parse_set(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const states[] = {"down", "up"};
  return scenario_parse_word(cx, value, states, G_N_ELEMENTS(states), "link state", dest);
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

/* Checks what depends on several keys; fills the event's kind. */
static gboolean event_finish(SchemaCtx *cx, const YNode *item, EventDraft *d)
{
  SimTime stop = loader_of(cx)->sc->stop;
  const YNode *at_node = ynode_map_get(item, "at");
  gboolean ok = TRUE;
  /* Without `at` (reported as missing) or a valid stop (reported) there is nothing to compare. */
  if (at_node && stop > 0 && d->ev.at >= stop) {
    char *at = units_format_duration(d->ev.at), *end = units_format_duration(stop);
    gsize mark = schema_path_push_key(cx, "at");
    schema_error(cx, at_node, "%s is not before the end of the run (stop: %s)", at, end);
    schema_path_pop(cx, mark);
    g_free(at);
    g_free(end);
    ok = FALSE;
  }
  if (d->set >= 0 && d->ev.params.given) {
    schema_error(cx, item, "'set' cannot be mixed with rate, delay or loss; write them as two events");
    return FALSE;
  }
  if (d->set < 0 && !d->ev.params.given) {
    schema_error(cx, item, "an event needs 'set: down', 'set: up', or new link parameters (rate, delay, loss)");
    return FALSE;
  }
  d->ev.kind = d->set == 0 ? SCENARIO_EVENT_LINK_DOWN : d->set == 1 ? SCENARIO_EVENT_LINK_UP : SCENARIO_EVENT_LINK_SET;
  return ok;
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
    const YNode *item = ld->events->items[i];
    EventDraft d = {
        {.kind = SCENARIO_EVENT_LINK_SET, .link = -1, .node = -1, .iface = -1, .mark = scenario_mark_of(item)}, -1};
    gsize mark = schema_path_push_index(cx, i);
    if (schema_apply(cx, &event_schema, item, &d) && event_finish(cx, item, &d))
      g_array_append_val(ld->sc->events, d.ev);
    schema_path_pop(cx, mark);
  }
  g_array_sort(ld->sc->events, event_compare);
}
