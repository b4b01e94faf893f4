/*
 * The scenario's timed events: at a time, a link goes down or up, or takes
 * new parameters (rate, delay, loss). The link layer does the work
 * (link_set_up, link_set_params) and tells the layers above.
 *
 * Entry point: build_events_schedule() (from build_network).
 */
#include "sim/build/build.h"
#include "sim/text/units.h"

/* Describes the parameters an event sets: "rate 1Mbps delay 5ms loss 1%". */
static char *network_event_params(const LinkConfig *p)
{
  GString *text = g_string_new(NULL);
  if (p->given & LINK_GIVEN_RATE) {
    char *rate = units_format_rate(p->rate_bps);
    g_string_append_printf(text, " rate %s", rate);
    g_free(rate);
  }
  if (p->given & LINK_GIVEN_DELAY) {
    char *delay = units_format_duration(p->delay);
    g_string_append_printf(text, " delay %s", delay);
    g_free(delay);
  }
  if (p->given & LINK_GIVEN_LOSS)
    g_string_append_printf(text, " loss %g%%", p->loss * 100);
  return g_string_free(text, FALSE);
}

/* Runs one event of the scenario (arg: the ScenarioEvent). */
static void network_event_fire(void *obj, void *arg)
{
  Network *net = obj;
  const ScenarioEvent *ev = arg;
  Link *link = network_link(net, (guint)ev->link);
  switch (ev->kind) {
  case SCENARIO_EVENT_LINK_DOWN:
    link_set_up(link, FALSE);
    break;
  case SCENARIO_EVENT_LINK_UP:
    link_set_up(link, TRUE);
    break;
  case SCENARIO_EVENT_LINK_SET:
    link_set_params(link, &ev->params);
    if (trace_wants(net->ctx.trace, TRACE_LINK)) {
      char *what = link_describe(link), *params = network_event_params(&ev->params);
      trace_note(net->ctx.trace, network_now(net), link->ends[0]->node, link->ends[0], "link %s set%s", what, params);
      g_free(params);
      g_free(what);
    }
    break;
  }
}

/* Schedules every event of the scenario, in file order at equal times. */
void build_events_schedule(Network *net, const Scenario *sc)
{
  const GArray *events = sc->events;
  for (guint i = 0; i < events->len; i++) {
    ScenarioEvent *ev = &g_array_index(events, ScenarioEvent, i);
    scheduler_at(net->ctx.sched, ev->at, network_event_fire, net, ev);
  }
}
