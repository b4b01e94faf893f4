/*
 * The `realtime` key: whether the run follows the wall clock
 * (sim/kernel/realtime.h) and how far behind it may fall. `realtime: true`
 * or `false`, or a mapping `{ lag-limit: 10ms }`, which means on, with
 * the run stopping when an event runs later than the limit (ns-3's
 * RealtimeSimulatorImpl hard limit), and `low-latency: false` lets the
 * CPUs sleep while idle; an empty mapping means on, no limit.
 * `ipsim run --realtime` turns it on whatever the file says.
 *
 * Entry point: scenario_parse_realtime().
 */
#include "sim/scenario/scenario_private.h"

static const SchemaField realtime_fields[] = {
    {"lag-limit", scenario_parse_duration_positive, offsetof(ScenarioRealtime, lag_limit), 0, FALSE},
    {"low-latency", scenario_parse_bool, offsetof(ScenarioRealtime, low_latency), 0, FALSE},
};
static const Schema realtime_schema = {"the real-time settings", realtime_fields, G_N_ELEMENTS(realtime_fields),
                                       SCHEMA_NO_GIVEN};

/* `realtime: true | false | { lag-limit: DURATION }`. Stores a ScenarioRealtime. */
gboolean scenario_parse_realtime(SchemaCtx *cx, const YNode *value, void *dest)
{
  ScenarioRealtime *rt = dest;
  if (value->type == YNODE_MAP) {
    rt->on = TRUE;
    return schema_apply(cx, &realtime_schema, value, rt);
  }
  gboolean is_bool = value->type == YNODE_SCALAR && !value->quoted &&
                     (g_str_equal(value->text, "true") || g_str_equal(value->text, "false"));
  if (is_bool || (value->type == YNODE_SCALAR && value->quoted))
    return scenario_parse_bool(cx, value, &rt->on);
  char *found = ynode_describe(value);
  schema_error(cx, value, "expected true, false or a mapping such as { lag-limit: 10ms }, found %s", found);
  g_free(found);
  return FALSE;
}
