/*
 * TCP settings in the scenario file: `defaults.tcp`, and an app's own
 * `tcp:` mapping, which overrides the defaults key by key. Every key is
 * optional; what no mapping sets keeps the built-in value (Linux's where
 * the RFCs leave room):
 *
 *   sndbuf 128KiB, rcvbuf 128KiB   buffer sizes, 1B..1GiB (RFC 7323's largest window)
 *   mss 0                          0: from the egress MTU (MTU - 40); else 88..65495
 *   min-rto 200ms, initial-rto 1s, max-rto 120s   (RFC 6298; Linux's minimum)
 *   delayed-ack 40ms               0: every segment is acknowledged at once;
 *                                  below 500ms (RFC 1122, 4.2.3.2)
 *   msl 30s                        TIME_WAIT lasts 2 * msl
 *   syn-retries 6, retries 15      0..255
 *   initial-cwnd 10                segments, 1..1000 (RFC 6928)
 *   nagle, window-scaling, timestamps, sack   true
 *   cc newreno                     congestion control by name
 *
 * After a mapping is read, the settings must agree with each other:
 * min-rto <= max-rto and initial-rto <= max-rto (an initial RTO below
 * min-rto is allowed: as in Linux, the minimum bounds computed RTOs only).
 *
 * The defaults and ranges are TCP's own (models/transport/tcp_config.h).
 *
 * Entry points: scenario_parse_tcp() (a schema parser onto a TcpConfig already holding
 * the values to override).
 */
#include <string.h>

#include "models/transport/tcp_cc.h"
#include "sim/scenario/scenario_private.h"

static gboolean tcp_parse_buf(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean tcp_parse_mss(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean tcp_parse_delayed_ack(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean tcp_parse_retries(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean tcp_parse_cwnd(SchemaCtx *cx, const YNode *value, void *dest);
static gboolean tcp_parse_cc(SchemaCtx *cx, const YNode *value, void *dest);

static const SchemaField tcp_fields[] = {
    {"sndbuf", tcp_parse_buf, offsetof(TcpConfig, sndbuf), 0, FALSE},
    {"rcvbuf", tcp_parse_buf, offsetof(TcpConfig, rcvbuf), 0, FALSE},
    {"mss", tcp_parse_mss, offsetof(TcpConfig, mss), 0, FALSE},
    {"min-rto", scenario_parse_duration_positive, offsetof(TcpConfig, min_rto), 0, FALSE},
    {"initial-rto", scenario_parse_duration_positive, offsetof(TcpConfig, initial_rto), 0, FALSE},
    {"max-rto", scenario_parse_duration_positive, offsetof(TcpConfig, max_rto), 0, FALSE},
    {"delayed-ack", tcp_parse_delayed_ack, offsetof(TcpConfig, delayed_ack), 0, FALSE},
    {"msl", scenario_parse_duration_positive, offsetof(TcpConfig, msl), 0, FALSE},
    {"syn-retries", tcp_parse_retries, offsetof(TcpConfig, syn_retries), 0, FALSE},
    {"retries", tcp_parse_retries, offsetof(TcpConfig, retries), 0, FALSE},
    {"initial-cwnd", tcp_parse_cwnd, offsetof(TcpConfig, initial_cwnd), 0, FALSE},
    {"nagle", scenario_parse_bool, offsetof(TcpConfig, nagle), 0, FALSE},
    {"window-scaling", scenario_parse_bool, offsetof(TcpConfig, window_scaling), 0, FALSE},
    {"timestamps", scenario_parse_bool, offsetof(TcpConfig, timestamps), 0, FALSE},
    {"sack", scenario_parse_bool, offsetof(TcpConfig, sack), 0, FALSE},
    {"cc", tcp_parse_cc, offsetof(TcpConfig, cc), 0, FALSE},
};
static const Schema tcp_schema = {"TCP settings", tcp_fields, G_N_ELEMENTS(tcp_fields), SCHEMA_NO_GIVEN};

/* sndbuf, rcvbuf: a byte size up to 1GiB. Stores a uint32_t. */
static gboolean tcp_parse_buf(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_bytes(cx, value, 1, TCP_MAX_BUF, "a buffer size", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* mss: 0 (from the MTU) or TCP_MIN_MSS..TCP_MAX_MSS. Stores a uint32_t. */
static gboolean tcp_parse_mss(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_bytes(cx, value, 0, TCP_MAX_MSS, "an MSS", &v))
    return FALSE;
  if (v > 0 && v < TCP_MIN_MSS) {
    schema_error(cx, value, "an MSS is 0 (from the interface's MTU) or from %d to %d bytes, found %s", TCP_MIN_MSS,
                 TCP_MAX_MSS, value->text);
    return FALSE;
  }
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* delayed-ack: 0 (off) or a delay below 500ms (RFC 1122). Stores a SimTime. */
static gboolean tcp_parse_delayed_ack(SchemaCtx *cx, const YNode *value, void *dest)
{
  SimTime t = 0;
  if (!schema_parse_duration(cx, value, &t))
    return FALSE;
  if (t >= TCP_MAX_DELAYED_ACK) {
    schema_error(cx, value,
                 "an ACK may be delayed by less than 500ms (RFC 1122, 4.2.3.2), found %s; 0 turns "
                 "delayed ACKs off",
                 value->text);
    return FALSE;
  }
  *(SimTime *)dest = t;
  return TRUE;
}

static gboolean tcp_parse_retries(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 0, 255, "a number of retries", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

static gboolean tcp_parse_cwnd(SchemaCtx *cx, const YNode *value, void *dest)
{
  uint64_t v = 0;
  if (!scenario_parse_uint(cx, value, 1, TCP_MAX_INITIAL_CWND, "an initial window in segments", &v))
    return FALSE;
  *(uint32_t *)dest = (uint32_t)v;
  return TRUE;
}

/* cc: a known algorithm's name. Stores it in a char[16]. */
static gboolean tcp_parse_cc(SchemaCtx *cx, const YNode *value, void *dest)
{
  int i = 0;
  guint n = 0;
  const char *const *names = tcp_cc_names(&n);
  if (!scenario_parse_word(cx, value, names, n, "congestion control", &i))
    return FALSE;
  g_strlcpy(dest, names[i], sizeof((TcpConfig *)NULL)->cc);
  return TRUE;
}

/* Reports settings that disagree (after the mapping `map` was applied). */
static gboolean tcp_check(SchemaCtx *cx, const YNode *map, const TcpConfig *t)
{
  const char *name = t->min_rto > t->max_rto ? "min-rto" : t->initial_rto > t->max_rto ? "initial-rto" : NULL;
  if (!name)
    return TRUE;
  char *sa = units_format_duration(t->min_rto > t->max_rto ? t->min_rto : t->initial_rto);
  char *sb = units_format_duration(t->max_rto);
  schema_error(cx, map, "%s (%s) is longer than max-rto (%s)", name, sa, sb);
  g_free(sa);
  g_free(sb);
  return FALSE;
}

/* Applies the mapping `value` of TCP settings onto the TcpConfig at
 * `dest`, which holds the values it overrides, then checks the result. */
gboolean scenario_parse_tcp(SchemaCtx *cx, const YNode *value, void *dest)
{
  TcpConfig *t = dest;
  if (!schema_apply(cx, &tcp_schema, value, t))
    return FALSE;
  return tcp_check(cx, value, t);
}
