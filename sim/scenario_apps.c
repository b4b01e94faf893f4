/*
 * The `apps` section: the applications each host or router runs (ping,
 * traceroute, udp-cbr, udp-sink), read once the network is resolved so
 * that `on` and `to` can name nodes. Every app gets a unique name (given,
 * or "<type><n>", numbered per type in file order), a node index, a
 * destination address (a node's first address in interface order, or the
 * address written) and every parameter its type uses, defaults filled:
 *
 *   ping        to, count (0: until stop), interval 1s, size 56, ttl 64, df false
 *   traceroute  to, probe udp, max-hops 30 (in ttl), queries 3, wait 5s, port 33434
 *   udp-cbr     to with a port (or `port`), size 1000, rate or interval, ttl 64
 *               (rate gives interval = ceil(size * 8 / rate))
 *   udp-sink    port
 *
 * A key that belongs to another type is an error. Apps start at 0s by
 * default and run until the end of the run (stop 0) unless given `stop`.
 *
 * Entry points: scenario_parse_apps() (first pass: keeps the list),
 * scenario_read_apps().
 */
#include <string.h>

#include "sim/scenario_private.h"

#define APP_MAX_PAYLOAD 65507 /* 65535 - 20 (IPv4) - 8 (ICMP or UDP) */

enum {
  APP_GIVEN_TO = 1u << 0,
  APP_GIVEN_PORT = 1u << 1,
  APP_GIVEN_STOP = 1u << 2,
  APP_GIVEN_INTERVAL = 1u << 3,
  APP_GIVEN_RATE = 1u << 4,
};

#define APPS_PING (1u << APP_PING)
#define APPS_TRACEROUTE (1u << APP_TRACEROUTE)
#define APPS_UDP_CBR (1u << APP_UDP_CBR)
#define APPS_UDP_SINK (1u << APP_UDP_SINK)

static const char *const app_type_names[] = {"ping", "traceroute", "udp-cbr", "udp-sink"};

/* An app being read, with what its parsers need to know. */
typedef struct {
  ScenarioApp app;
  int kind; /* AppKind, or -1 when `type` is missing or bad */
  guint given;
  ScenarioDest to;
  uint64_t port; /* the `port` key */
} AppDraft;

/* The keys that belong to some types only. */
static const struct {
  const char *key;
  guint kinds;
} app_key_kinds[] = {
    {"to", APPS_PING | APPS_TRACEROUTE | APPS_UDP_CBR},
    {"port", APPS_TRACEROUTE | APPS_UDP_CBR | APPS_UDP_SINK},
    {"count", APPS_PING},
    {"interval", APPS_PING | APPS_UDP_CBR},
    {"size", APPS_PING | APPS_UDP_CBR},
    {"ttl", APPS_PING | APPS_UDP_CBR},
    {"df", APPS_PING},
    {"probe", APPS_TRACEROUTE},
    {"max-hops", APPS_TRACEROUTE},
    {"queries", APPS_TRACEROUTE},
    {"wait", APPS_TRACEROUTE},
    {"rate", APPS_UDP_CBR},
};

static gboolean app_parse_type(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_name(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_on(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_to(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_port(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_count(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_size(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_ttl(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_probe(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_max_hops(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_queries(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField app_fields[] = {
    {"type", app_parse_type, 0, 0, TRUE},
    {"name", app_parse_name, offsetof(AppDraft, app.name), 0, FALSE},
    {"on", app_parse_on, offsetof(AppDraft, app.node), 0, TRUE},
    {"to", app_parse_to, 0, APP_GIVEN_TO, FALSE},
    {"port", app_parse_port, offsetof(AppDraft, port), APP_GIVEN_PORT, FALSE},
    {"start", schema_parse_duration, offsetof(AppDraft, app.start), 0, FALSE},
    {"stop", schema_parse_duration, offsetof(AppDraft, app.stop), APP_GIVEN_STOP, FALSE},
    {"count", app_parse_count, offsetof(AppDraft, app.count), 0, FALSE},
    {"interval", scenario_parse_duration_positive, offsetof(AppDraft, app.interval), APP_GIVEN_INTERVAL, FALSE},
    {"size", app_parse_size, 0, 0, FALSE},
    {"ttl", app_parse_ttl, offsetof(AppDraft, app.ttl), 0, FALSE},
    {"df", scenario_parse_bool, offsetof(AppDraft, app.df), 0, FALSE},
    {"probe", app_parse_probe, offsetof(AppDraft, app.icmp), 0, FALSE},
    {"max-hops", app_parse_max_hops, offsetof(AppDraft, app.ttl), 0, FALSE},
    {"queries", app_parse_queries, offsetof(AppDraft, app.queries), 0, FALSE},
    {"wait", scenario_parse_duration_positive, offsetof(AppDraft, app.wait), 0, FALSE},
    {"rate", schema_parse_rate, offsetof(AppDraft, app.rate_bps), APP_GIVEN_RATE, FALSE},
};
static const Schema app_schema = {"an app", app_fields, G_N_ELEMENTS(app_fields), offsetof(AppDraft, given)};

/* `type` was read before the schema ran (the schema depends on it). */
static gboolean app_parse_type(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)cx;
  (void)value;
  return ((AppDraft *)dest)->kind >= 0;
}

static gboolean app_parse_name(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_parse_string(cx, value, dest))
    return FALSE;
  const char *problem = scenario_name_problem(value->text, SCENARIO_MAX_NAME);
  if (problem) {
    schema_error(cx, value, "bad app name '%s': %s", value->text, problem);
    return FALSE;
  }
  return TRUE;
}

static gboolean app_parse_on(SchemaCtx *cx, const YNode *value, void *dest)
{
  int n = scenario_lookup_ip_node(cx, value, "apps run on hosts and routers");
  if (n >= 0)
    *(int *)dest = n;
  return n >= 0;
}

static gboolean app_parse_to(SchemaCtx *cx, const YNode *value, void *dest)
{
  AppDraft *d = dest;
  return scenario_parse_dest(cx, value, d->kind == APP_UDP_CBR || d->kind < 0, &d->to);
}

static gboolean app_parse_port(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_uint(cx, value, 1, 65535, "a port", dest);
}

static gboolean app_parse_count(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 0, G_MAXUINT32, "a count", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* ICMP or UDP payload bytes; a udp-cbr packet carries at least one. */
static gboolean app_parse_size(SchemaCtx *cx, const YNode *value, void *dest)
{
  AppDraft *d = dest;
  uint64_t v = 0;
  if (!scenario_parse_bytes(cx, value, d->kind == APP_UDP_CBR ? 1 : 0, APP_MAX_PAYLOAD, "a payload size", &v))
    return FALSE;
  d->app.size = (uint32_t)v;
  return TRUE;
}

static gboolean app_parse_ttl(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, 255, "a TTL", &v))
    return FALSE;
  *(uint8_t *)dest = (uint8_t)v;
  return TRUE;
}

static gboolean app_parse_max_hops(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, 255, "max-hops", &v))
    return FALSE;
  *(uint8_t *)dest = (uint8_t)v;
  return TRUE;
}

static gboolean app_parse_queries(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, 4, "queries", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

static gboolean app_parse_probe(SchemaCtx *cx, const YNode *value, void *dest)
{
  static const char *const probes[] = {"udp", "icmp"};
  int i = 0;
  if (!scenario_parse_word(cx, value, probes, G_N_ELEMENTS(probes), "probe", &i))
    return FALSE;
  *(gboolean *)dest = i == 1;
  return TRUE;
}

/* Reads `type` first: it decides which keys the app may have. Returns the
 * AppKind, or -1 (reported unless missing, which the schema reports). */
static int app_read_type(SchemaCtx *cx, const YNode *item)
{
  const YNode *type = ynode_map_get(item, "type");
  int kind = -1;
  if (!type)
    return -1;
  gsize mark = schema_path_push_key(cx, "type");
  if (!scenario_parse_word(cx, type, app_type_names, G_N_ELEMENTS(app_type_names), "app type", &kind))
    kind = -1;
  schema_path_pop(cx, mark);
  return kind;
}

/* Reports the keys of `item` that belong to other types than `kind`;
 * returns the mapping without them (scenario_map_without_free()). */
static YNode *app_own_keys(SchemaCtx *cx, const YNode *item, int kind)
{
  gboolean *drop = g_new0(gboolean, item->n + 1);
  for (guint i = 0; kind >= 0 && i < item->n; i++) {
    const YNode *key = ynode_key(item, i);
    for (guint k = 0; key->type == YNODE_SCALAR && k < G_N_ELEMENTS(app_key_kinds); k++)
      if (strcmp(key->text, app_key_kinds[k].key) == 0 && !(app_key_kinds[k].kinds & (1u << kind))) {
        gsize mark = schema_path_push_key(cx, key->text);
        schema_error(cx, key, "'%s' is not a key of a %s app", key->text, app_type_names[kind]);
        schema_path_pop(cx, mark);
        drop[i] = TRUE;
      }
  }
  YNode *own = scenario_map_without(item, drop);
  g_free(drop);
  return own;
}

/* The defaults of each type, set before the keys are read. */
static void app_defaults(AppDraft *d, const YNode *item)
{
  ScenarioApp *a = &d->app;
  a->kind = d->kind < 0 ? APP_PING : (AppKind)d->kind;
  a->node = a->dst_node = -1;
  a->mark = scenario_mark_of(item);
  a->interval = SIMTIME_S(1);
  a->size = d->kind == APP_UDP_CBR ? 1000 : 56;
  a->ttl = d->kind == APP_TRACEROUTE ? 30 : 64;
  a->queries = 3;
  a->wait = SIMTIME_S(5);
  a->port = d->kind == APP_TRACEROUTE ? 33434 : 0;
  d->to.node = -1;
}

/* A udp-cbr app's port (in `to` or `port`) and its rate or interval. */
static gboolean app_finish_cbr(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  ScenarioApp *a = &d->app;
  gboolean ok = TRUE;
  if ((d->given & APP_GIVEN_TO) && d->to.has_port && (d->given & APP_GIVEN_PORT)) {
    schema_error(cx, item, "the destination port is given twice: in 'to' and in 'port'");
    ok = FALSE;
  } else if ((d->given & APP_GIVEN_TO) && !d->to.has_port && !(d->given & APP_GIVEN_PORT)) {
    schema_error(cx, item,
                 "a udp-cbr app needs a destination port: write it in 'to', such as 'h2:9000', or give "
                 "'port'");
    ok = FALSE;
  }
  a->port = (uint16_t)(d->to.has_port ? d->to.port : d->port);
  guint both = APP_GIVEN_RATE | APP_GIVEN_INTERVAL;
  if ((d->given & both) == both || !(d->given & both)) {
    schema_error(cx, item, "a udp-cbr app needs exactly one of 'rate' and 'interval'");
    return FALSE;
  }
  if (d->given & APP_GIVEN_RATE) /* the smallest interval that does not exceed the rate */
    a->interval = (SimTime)(((uint64_t)a->size * 8 * UINT64_C(1000000000) + a->rate_bps - 1) / a->rate_bps);
  return ok;
}

/* Checks `stop` against `start` and the run's end; warns about times past the end. */
static gboolean app_finish_times(SchemaCtx *cx, const YNode *item, const AppDraft *d)
{
  const ScenarioApp *a = &d->app;
  SimTime run = loader_of(cx)->sc->stop;
  const YNode *stop = ynode_map_get(item, "stop"), *start = ynode_map_get(item, "start");
  char *s_start = units_format_duration(a->start), *s_stop = units_format_duration(a->stop);
  char *s_run = units_format_duration(run);
  gboolean ok = TRUE;
  gsize mark = schema_path_push_key(cx, "stop");
  if ((d->given & APP_GIVEN_STOP) && a->stop <= a->start) {
    schema_error(cx, stop, "the app must stop after it starts (start %s, stop %s)", s_start, s_stop);
    ok = FALSE;
  } else if ((d->given & APP_GIVEN_STOP) && a->stop > run) {
    scenario_warning(cx, stop, "%s is past the end of the run (%s); the app runs until the end", s_stop, s_run);
  }
  schema_path_pop(cx, mark);
  mark = schema_path_push_key(cx, "start");
  if (start && a->start >= run)
    scenario_warning(cx, start, "the app starts at %s, when the run has ended (stop: %s)", s_start, s_run);
  schema_path_pop(cx, mark);
  g_free(s_start);
  g_free(s_stop);
  g_free(s_run);
  return ok;
}

/* Checks what depends on several keys and fills what depends on the type. */
static gboolean app_finish(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  ScenarioApp *a = &d->app;
  gboolean ok = app_finish_times(cx, item, d);
  a->dst = d->to.addr;
  a->dst_node = d->to.node;
  if (d->kind != APP_UDP_SINK && !(d->given & APP_GIVEN_TO)) {
    schema_error(cx, item, "a %s app needs the key 'to'", app_type_names[d->kind]);
    ok = FALSE;
  }
  if (d->kind == APP_UDP_SINK && !(d->given & APP_GIVEN_PORT)) {
    schema_error(cx, item, "a udp-sink app needs the key 'port'");
    ok = FALSE;
  }
  if (d->kind == APP_UDP_SINK || (d->kind == APP_TRACEROUTE && (d->given & APP_GIVEN_PORT)))
    a->port = (uint16_t)d->port;
  if (d->kind == APP_UDP_CBR)
    ok &= app_finish_cbr(cx, item, d);
  return ok;
}

/* Where an app of Scenario.apps came from, for messages about names. */
typedef struct {
  guint index;       /* in the `apps` list */
  const YNode *name; /* its `name`, or NULL */
} AppOrigin;

/* Reads apps[i]. An app whose type is known joins the list even when
 * something else is wrong, so that `expect` can still name it. */
static void app_read(SchemaCtx *cx, guint index, const YNode *item, GArray *origins)
{
  Scenario *sc = loader_of(cx)->sc;
  if (!schema_expect(cx, item, YNODE_MAP, "a mapping describing an app"))
    return;
  AppDraft d = {0};
  d.kind = app_read_type(cx, item);
  app_defaults(&d, item);
  YNode *own = app_own_keys(cx, item, d.kind);
  if (schema_apply(cx, &app_schema, own, &d) && d.kind >= 0)
    app_finish(cx, item, &d);
  scenario_map_without_free(own);
  if (d.kind < 0) {
    g_free(d.app.name);
    return;
  }
  g_array_append_val(sc->apps, d.app);
  AppOrigin origin = {index, ynode_map_get(item, "name")};
  g_array_append_val(origins, origin);
}

/* Reports an app whose name an earlier app has. */
static void app_check_name(SchemaCtx *cx, guint i, const AppOrigin *origin)
{
  const Scenario *sc = loader_of(cx)->sc;
  const ScenarioApp *a = scenario_app(sc, (int)i);
  for (guint j = 0; j < i; j++)
    if (strcmp(a->name, scenario_app(sc, (int)j)->name) == 0) {
      YNode mark = scenario_mark_node(a->mark);
      gsize len = schema_path_push_index(cx, origin->index);
      if (origin->name)
        len = MIN(len, schema_path_push_key(cx, "name"));
      schema_error(cx, origin->name ? origin->name : &mark, "%s'%s' is already the name of the app at line %d",
                   origin->name ? "" : "its default name ", a->name, scenario_app(sc, (int)j)->mark.line);
      schema_path_pop(cx, len);
      return;
    }
}

/* Gives unnamed apps "<type><n>" (the n-th app of its type) and reports names used twice. */
static void app_name_all(SchemaCtx *cx, const GArray *origins)
{
  const Scenario *sc = loader_of(cx)->sc;
  guint per_type[G_N_ELEMENTS(app_type_names)] = {0};
  for (guint i = 0; i < sc->apps->len; i++) {
    ScenarioApp *a = scenario_app(sc, (int)i);
    per_type[a->kind]++;
    if (!a->name)
      a->name = g_strdup_printf("%s%u", app_type_names[a->kind], per_type[a->kind]);
  }
  for (guint i = 0; i < sc->apps->len; i++)
    app_check_name(cx, i, &g_array_index(origins, AppOrigin, i));
}

/* `apps:` in the first pass: kept until the network is resolved. */
gboolean scenario_parse_apps(SchemaCtx *cx, const YNode *value, void *dest)
{
  (void)dest;
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of apps"))
    return FALSE;
  loader_of(cx)->apps = value;
  return TRUE;
}

/* Reads the `apps` list into Scenario.apps. */
void scenario_read_apps(Loader *ld)
{
  SchemaCtx *cx = &ld->cx;
  if (!ld->apps)
    return;
  GArray *origins = g_array_new(FALSE, FALSE, sizeof(AppOrigin));
  scenario_path_set(cx, "apps");
  for (guint i = 0; i < ld->apps->n && !diag_full(cx->diags); i++) {
    gsize mark = schema_path_push_index(cx, i);
    app_read(cx, i, ld->apps->items[i], origins);
    schema_path_pop(cx, mark);
  }
  app_name_all(cx, origins);
  g_array_free(origins, TRUE);
}
