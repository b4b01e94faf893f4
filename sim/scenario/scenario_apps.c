/*
 * The `apps` section: the applications each host or router runs, read
 * once the network is resolved so that `on` and `to` can name nodes.
 * Every app gets a unique name (given, or "<type><n>", numbered per type
 * in file order), a node index, a destination address (a node's first
 * address in interface order, or the address written) and every parameter
 * its type uses, defaults filled:
 *
 *   ping        to, count (0: until stop), interval 1s, size 56, ttl, df false
 *   traceroute  to, probe udp, ttl or max-hops 30 (the largest TTL probed), queries 3,
 *               wait 5s, port 33434
 *   udp-cbr     to with a port (or `port`), size 1000, rate or interval, ttl
 *               (rate gives interval = ceil(size * 8 / rate))
 *   udp-sink    port
 *   udp-echo    to (port 7 unless given), count (0: until stop), interval 1s, size 56, ttl
 *   udp-echo-server  port 7
 *   onoff       to with a port (or `port`), size 1000, rate (while on, required), ttl,
 *               on-time 1s, off-time 1s ("500ms" constant or "exp(500ms)"
 *               exponential with that mean); interval = ceil(size * 8 / rate)
 *   bulk        to (port 5001 unless given), bytes (0: until stop), report 1s, tcp
 *   bulk-sink   port 5001, report 1s, tcp
 *   http        to (port 80), sizes (required), persistent true, tcp
 *   http-server port 80, tcp
 *   ftp         to (port 21), sizes (required), tcp
 *   ftp-server  port 21, tcp
 *
 * `ttl` 0 (not given) is the node's own `ttl` (64 unless the node sets it).
 * `tcp` overrides `defaults.tcp` key by key (scenario_tcp.c); every app's
 * `tcp` holds the effective settings. A key that belongs to another type
 * is an error. Apps start at 0s by default and run until the end of the
 * run (stop 0) unless given `stop`.
 *
 * Entry points: scenario_parse_apps() (first pass: keeps the list),
 * scenario_read_apps().
 */
#include <string.h>

#include "models/app/app.h"
#include "sim/scenario/scenario_private.h"

#define APP_MAX_PAYLOAD 65507 /* 65535 - 20 (IPv4) - 8 (ICMP or UDP) */

enum {
  APP_GIVEN_TO = 1u << 0,
  APP_GIVEN_PORT = 1u << 1,
  APP_GIVEN_STOP = 1u << 2,
  APP_GIVEN_INTERVAL = 1u << 3,
  APP_GIVEN_RATE = 1u << 4,
  APP_GIVEN_SIZES = 1u << 5,
  APP_GIVEN_TTL = 1u << 6,
  APP_GIVEN_MAX_HOPS = 1u << 7,
};

#define APPS_PING (1u << APP_PING)
#define APPS_TRACEROUTE (1u << APP_TRACEROUTE)
#define APPS_UDP_CBR (1u << APP_UDP_CBR)
#define APPS_UDP_SINK (1u << APP_UDP_SINK)
#define APPS_UDP_ECHO (1u << APP_UDP_ECHO)
#define APPS_UDP_ECHO_SERVER (1u << APP_UDP_ECHO_SERVER)
#define APPS_ONOFF (1u << APP_ONOFF)
#define APPS_BULK (1u << APP_BULK)
#define APPS_BULK_SINK (1u << APP_BULK_SINK)
#define APPS_HTTP (1u << APP_HTTP)
#define APPS_HTTP_SERVER (1u << APP_HTTP_SERVER)
#define APPS_FTP (1u << APP_FTP)
#define APPS_FTP_SERVER (1u << APP_FTP_SERVER)
/* Clients that take a destination port in `to` (or `port`). */
#define APPS_TO_PORT (APPS_UDP_CBR | APPS_UDP_ECHO | APPS_ONOFF | APPS_BULK | APPS_HTTP | APPS_FTP)
/* Servers and sinks, which listen on `port`. */
#define APPS_LISTEN (APPS_UDP_SINK | APPS_UDP_ECHO_SERVER | APPS_BULK_SINK | APPS_HTTP_SERVER | APPS_FTP_SERVER)
#define APPS_TCP (APPS_BULK | APPS_BULK_SINK | APPS_HTTP | APPS_HTTP_SERVER | APPS_FTP | APPS_FTP_SERVER)

/* An app being read, with what its parsers need to know. */
typedef struct {
  AppConfig app;
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
    {"to", APPS_PING | APPS_TRACEROUTE | APPS_TO_PORT},
    {"port", APPS_TRACEROUTE | APPS_TO_PORT | APPS_LISTEN},
    {"count", APPS_PING | APPS_UDP_ECHO},
    {"interval", APPS_PING | APPS_UDP_CBR | APPS_UDP_ECHO},
    {"size", APPS_PING | APPS_UDP_CBR | APPS_UDP_ECHO | APPS_ONOFF},
    {"ttl", APPS_PING | APPS_TRACEROUTE | APPS_UDP_CBR | APPS_UDP_ECHO | APPS_ONOFF},
    {"df", APPS_PING},
    {"probe", APPS_TRACEROUTE},
    {"max-hops", APPS_TRACEROUTE},
    {"queries", APPS_TRACEROUTE},
    {"wait", APPS_TRACEROUTE},
    {"rate", APPS_UDP_CBR | APPS_ONOFF},
    {"on-time", APPS_ONOFF},
    {"off-time", APPS_ONOFF},
    {"bytes", APPS_BULK},
    {"report", APPS_BULK | APPS_BULK_SINK},
    {"sizes", APPS_HTTP | APPS_FTP},
    {"persistent", APPS_HTTP},
    {"tcp", APPS_TCP},
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
static gboolean app_parse_on_time(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_off_time(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_bytes(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean app_parse_sizes(SchemaCtx *cx, const YNode *value, void *dest);

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
    {"ttl", app_parse_ttl, offsetof(AppDraft, app.ttl), APP_GIVEN_TTL, FALSE},
    {"df", scenario_parse_bool, offsetof(AppDraft, app.df), 0, FALSE},
    {"probe", app_parse_probe, offsetof(AppDraft, app.icmp), 0, FALSE},
    {"max-hops", app_parse_max_hops, offsetof(AppDraft, app.ttl), APP_GIVEN_MAX_HOPS, FALSE},
    {"queries", app_parse_queries, offsetof(AppDraft, app.queries), 0, FALSE},
    {"wait", scenario_parse_duration_positive, offsetof(AppDraft, app.wait), 0, FALSE},
    {"rate", schema_parse_rate, offsetof(AppDraft, app.rate_bps), APP_GIVEN_RATE, FALSE},
    {"on-time", app_parse_on_time, offsetof(AppDraft, app.on_time), 0, FALSE},
    {"off-time", app_parse_off_time, offsetof(AppDraft, app.off_time), 0, FALSE},
    {"bytes", app_parse_bytes, offsetof(AppDraft, app.bytes), 0, FALSE},
    {"report", schema_parse_duration, offsetof(AppDraft, app.report), 0, FALSE},
    {"sizes", app_parse_sizes, offsetof(AppDraft, app.sizes), APP_GIVEN_SIZES, FALSE},
    {"persistent", scenario_parse_bool, offsetof(AppDraft, app.persistent), 0, FALSE},
    {"tcp", scenario_parse_tcp, offsetof(AppDraft, app.tcp), 0, FALSE},
};
static const Schema app_schema = {"an app", app_fields, G_N_ELEMENTS(app_fields), offsetof(AppDraft, given)};

/* "a ping", "an onoff": the type with its article, for messages. */
static const char *app_a(int kind)
{
  static const char *const with_article[] = {
      "a ping", "a traceroute", "a udp-cbr", "a udp-sink",     "a udp-echo", "a udp-echo-server", "an onoff",
      "a bulk", "a bulk-sink",  "an http",   "an http-server", "an ftp",     "an ftp-server"};
  G_STATIC_ASSERT(G_N_ELEMENTS(with_article) == APP_KIND_COUNT);
  return with_article[kind];
}

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
  return scenario_parse_dest(cx, value, d->kind < 0 || (APPS_TO_PORT & (1u << d->kind)), &d->to);
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

/* ICMP or UDP payload bytes; a udp-cbr or onoff packet carries at least one. */
static gboolean app_parse_size(SchemaCtx *cx, const YNode *value, void *dest)
{
  AppDraft *d = dest;
  uint64_t v = 0;
  uint64_t min = d->kind == APP_UDP_CBR || d->kind == APP_ONOFF ? 1 : 0;
  if (!scenario_parse_bytes(cx, value, min, APP_MAX_PAYLOAD, "a payload size", &v))
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

/* A duration "500ms" (constant) or "exp(500ms)" (exponential with that
 * mean), longer than 0s unless `zero_ok` and constant. Stores a
 * AppRandomTime. */
static gboolean app_parse_random_time(SchemaCtx *cx, const YNode *value, gboolean zero_ok, AppRandomTime *out)
{
  if (!schema_expect(cx, value, YNODE_SCALAR, "a duration such as 500ms, or exp(500ms) for exponential times"))
    return FALSE;
  const char *text = value->text;
  gboolean exponential = g_str_has_prefix(text, "exp(") && g_str_has_suffix(text, ")");
  char *inner = exponential ? g_strndup(text + 4, strlen(text) - 5) : g_strdup(text);
  SimTime t = 0;
  GError *error = NULL;
  gboolean ok = units_parse_duration(inner, &t, &error);
  g_free(inner);
  if (!ok) {
    schema_error(cx, value, "expected a duration such as 500ms, or exp(500ms) for exponential times: %s",
                 error->message);
    g_error_free(error);
    return FALSE;
  }
  if (t <= 0 && (exponential || !zero_ok)) {
    schema_error(cx, value, "%s must be longer than 0s, found %s",
                 exponential ? "the mean of an exponential time" : "the time", text);
    return FALSE;
  }
  *out = (AppRandomTime){exponential, t};
  return TRUE;
}

static gboolean app_parse_on_time(SchemaCtx *cx, const YNode *value, void *dest)
{
  return app_parse_random_time(cx, value, FALSE, dest);
}

/* off-time 0: never off (the app sends as udp-cbr does). */
static gboolean app_parse_off_time(SchemaCtx *cx, const YNode *value, void *dest)
{
  return app_parse_random_time(cx, value, TRUE, dest);
}

/* bulk `bytes`: a byte size, 0 for "until stop". Stores a uint64_t. */
static gboolean app_parse_bytes(SchemaCtx *cx, const YNode *value, void *dest)
{
  return scenario_parse_bytes(cx, value, 0, G_MAXINT64, "an amount of data", dest);
}

/* `sizes`: a list of byte sizes, one per object or file. Stores a new
 * GArray of uint64_t. */
static gboolean app_parse_sizes(SchemaCtx *cx, const YNode *value, void *dest)
{
  if (!schema_expect(cx, value, YNODE_SEQ, "a list of sizes such as [10kB, 1MiB]"))
    return FALSE;
  if (value->n == 0) {
    schema_error(cx, value, "the list is empty; give at least one size");
    return FALSE;
  }
  GArray *sizes = g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), value->n);
  gboolean ok = TRUE;
  for (guint i = 0; i < value->n; i++) {
    uint64_t v = 0;
    gsize mark = schema_path_push_index(cx, i);
    ok &= scenario_parse_bytes(cx, value->items[i], 0, G_MAXINT64, "a size", &v);
    schema_path_pop(cx, mark);
    g_array_append_val(sizes, v);
  }
  if (!ok) {
    g_array_free(sizes, TRUE);
    return FALSE;
  }
  *(GArray **)dest = sizes;
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
  if (!scenario_parse_word(cx, type, app_kind_names(), APP_KIND_COUNT, "app type", &kind))
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
        schema_error(cx, key, "'%s' is not a key of %s app", key->text, app_a(kind));
        schema_path_pop(cx, mark);
        drop[i] = TRUE;
      }
  }
  YNode *own = scenario_map_without(item, drop);
  g_free(drop);
  return own;
}

/* The defaults of each type, set before the keys are read. */
static void app_defaults(SchemaCtx *cx, AppDraft *d, const YNode *item)
{
  AppConfig *a = &d->app;
  app_config_defaults(a, d->kind < 0 ? APP_PING : (AppKind)d->kind);
  a->mark = scenario_mark_of(item);
  a->tcp = loader_of(cx)->sc->tcp;
  d->to.node = -1;
}

/* A client's destination port: in `to` or `port` (not both), else its
 * kind's default; a kind with no default needs one. */
static gboolean app_finish_to_port(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  AppConfig *a = &d->app;
  if ((d->given & APP_GIVEN_TO) && d->to.has_port && (d->given & APP_GIVEN_PORT)) {
    schema_error(cx, item, "the destination port is given twice: in 'to' and in 'port'");
    return FALSE;
  }
  a->port = d->to.has_port                ? d->to.port
            : (d->given & APP_GIVEN_PORT) ? (uint16_t)d->port
                                          : app_kind_default_port((AppKind)d->kind);
  if ((d->given & APP_GIVEN_TO) && a->port == 0) {
    schema_error(cx, item, "%s app needs a destination port: write it in 'to', such as 'h2:9000', or give 'port'",
                 app_a(d->kind));
    return FALSE;
  }
  return TRUE;
}

/* A server's or sink's port: `port`, else its kind's default. */
static gboolean app_finish_listen_port(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  AppConfig *a = &d->app;
  a->port = (d->given & APP_GIVEN_PORT) ? (uint16_t)d->port : app_kind_default_port((AppKind)d->kind);
  if (a->port == 0) {
    schema_error(cx, item, "%s app needs the key 'port'", app_a(d->kind));
    return FALSE;
  }
  return TRUE;
}

/* The interval between packets from the rate: the smallest that does not exceed it. */
static SimTime app_interval_for(const AppConfig *a)
{
  return (SimTime)(((uint64_t)a->size * 8 * UINT64_C(1000000000) + a->rate_bps - 1) / a->rate_bps);
}

/* A udp-cbr app's rate or interval; an onoff app's rate. */
static gboolean app_finish_rate(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  AppConfig *a = &d->app;
  guint both = APP_GIVEN_RATE | APP_GIVEN_INTERVAL;
  if (d->kind == APP_ONOFF && !(d->given & APP_GIVEN_RATE)) {
    schema_error(cx, item, "an onoff app needs the key 'rate' (its rate while on)");
    return FALSE;
  }
  if (d->kind == APP_UDP_CBR && ((d->given & both) == both || !(d->given & both))) {
    schema_error(cx, item, "a udp-cbr app needs exactly one of 'rate' and 'interval'");
    return FALSE;
  }
  if (d->given & APP_GIVEN_RATE)
    a->interval = app_interval_for(a);
  return TRUE;
}

/* Checks `stop` against `start` and the run's end; warns about times past the end. */
static gboolean app_finish_times(SchemaCtx *cx, const YNode *item, const AppDraft *d)
{
  const AppConfig *a = &d->app;
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
static gboolean app_draft_finish(SchemaCtx *cx, const YNode *item, AppDraft *d)
{
  AppConfig *a = &d->app;
  guint bit = 1u << d->kind;
  gboolean ok = app_finish_times(cx, item, d);
  a->dst = d->to.addr;
  a->dst_node = d->to.node;
  if ((bit & (APPS_PING | APPS_TRACEROUTE | APPS_TO_PORT)) && !(d->given & APP_GIVEN_TO)) {
    schema_error(cx, item, "%s app needs the key 'to'", app_a(d->kind));
    ok = FALSE;
  }
  if (bit & APPS_TO_PORT)
    ok &= app_finish_to_port(cx, item, d);
  if (bit & APPS_LISTEN)
    ok &= app_finish_listen_port(cx, item, d);
  if (d->kind == APP_TRACEROUTE && (d->given & APP_GIVEN_PORT))
    a->port = (uint16_t)d->port;
  if ((d->given & APP_GIVEN_TTL) && (d->given & APP_GIVEN_MAX_HOPS)) {
    schema_error(cx, item, "a traceroute's largest TTL is given twice: in 'ttl' and in 'max-hops' (the same setting)");
    ok = FALSE;
  }
  if (bit & (APPS_UDP_CBR | APPS_ONOFF))
    ok &= app_finish_rate(cx, item, d);
  if ((bit & (APPS_HTTP | APPS_FTP)) && !(d->given & APP_GIVEN_SIZES)) {
    schema_error(cx, item, "%s app needs the key 'sizes', such as [10kB, 1MiB]", app_a(d->kind));
    ok = FALSE;
  }
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
  app_defaults(cx, &d, item);
  YNode *own = app_own_keys(cx, item, d.kind);
  if (schema_apply(cx, &app_schema, own, &d) && d.kind >= 0)
    app_draft_finish(cx, item, &d);
  scenario_map_without_free(own);
  if (d.kind < 0) {
    g_free(d.app.name);
    if (d.app.sizes)
      g_array_free(d.app.sizes, TRUE);
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
  const AppConfig *a = scenario_app(sc, (int)i);
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
  guint per_type[APP_KIND_COUNT] = {0};
  for (guint i = 0; i < sc->apps->len; i++) {
    AppConfig *a = scenario_app(sc, (int)i);
    per_type[a->kind]++;
    if (!a->name)
      a->name = g_strdup_printf("%s%u", app_kind_name(a->kind), per_type[a->kind]);
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
