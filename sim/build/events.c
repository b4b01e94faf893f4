/*
 * The scenario's timed events: at a time, a link goes down or up, or takes
 * new parameters (rate, delay, loss); a node goes down or up (all its
 * links); an interface's OSPF cost changes, or RIP or OSPF is turned off
 * or on on an interface. The link layer and the node do the work
 * (link_set_up, link_set_params, node_set_up, which trace their own
 * notes), and the protocols theirs (ospf_set_iface_cost,
 * rip_set_iface_enabled, ospf_set_iface_enabled); the routing events get
 * a `routing` trace note here, before the protocol reacts.
 *
 * Entry point: build_events_schedule() (from build_network).
 */
#include "sim/build/build.h"

#include "models/routing/ospf.h"
#include "models/routing/rip.h"
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
  if (p->given & LINK_GIVEN_REORDER)
    g_string_append_printf(text, " reorder %g%%", p->reorder * 100);
  return g_string_free(text, FALSE);
}

static void network_event_link_set(Network *net, const ScenarioEvent *ev)
{
  Link *link = network_link(net, (guint)ev->link);
  link_set_params(link, &ev->params);
  if (trace_wants(net->ctx.trace, TRACE_LINK)) {
    char *what = link_describe(link), *params = network_event_params(&ev->params);
    trace_note(net->ctx.trace, TRACE_LINK, network_now(net), link->ends[0]->node, link->ends[0], "link %s set%s", what,
               params);
    g_free(params);
    g_free(what);
  }
}

/* An interface's OSPF cost, or a protocol off or on there; the loader has
 * checked that the node runs the protocol. */
static void network_event_iface(Network *net, const ScenarioEvent *ev)
{
  Node *node = network_node(net, (guint)ev->node);
  Iface *iface = node_iface(node, (guint)ev->iface);
  gboolean ospf = ev->protocol == SCENARIO_ROUTING_OSPF;
  if (trace_wants(net->ctx.trace, TRACE_ROUTING)) {
    if (ev->kind == SCENARIO_EVENT_IFACE_COST)
      trace_note(net->ctx.trace, TRACE_ROUTING, network_now(net), node, iface, "event: ospf cost of %s set to %u",
                 iface->name, ev->cost);
    else
      trace_note(net->ctx.trace, TRACE_ROUTING, network_now(net), node, iface, "event: %s %s on %s",
                 ospf ? "ospf" : "rip", ev->on ? "on" : "off", iface->name);
  }
  if (ev->kind == SCENARIO_EVENT_IFACE_COST && node->ospf)
    ospf_set_iface_cost(node->ospf, (guint)ev->iface, ev->cost);
  else if (ev->kind == SCENARIO_EVENT_IFACE_ROUTING && ospf && node->ospf)
    ospf_set_iface_enabled(node->ospf, (guint)ev->iface, ev->on);
  else if (ev->kind == SCENARIO_EVENT_IFACE_ROUTING && !ospf && node->rip)
    rip_set_iface_enabled(node->rip, (guint)ev->iface, ev->on);
}

/* Runs one event of the scenario (arg: the ScenarioEvent). */
static void network_event_fire(void *obj, void *arg)
{
  Network *net = obj;
  const ScenarioEvent *ev = arg;
  switch (ev->kind) {
  case SCENARIO_EVENT_LINK_DOWN:
  case SCENARIO_EVENT_LINK_UP:
    link_set_up(network_link(net, (guint)ev->link), ev->kind == SCENARIO_EVENT_LINK_UP);
    break;
  case SCENARIO_EVENT_LINK_SET:
    network_event_link_set(net, ev);
    break;
  case SCENARIO_EVENT_NODE_DOWN:
  case SCENARIO_EVENT_NODE_UP:
    node_set_up(network_node(net, (guint)ev->node), ev->kind == SCENARIO_EVENT_NODE_UP);
    break;
  case SCENARIO_EVENT_IFACE_COST:
  case SCENARIO_EVENT_IFACE_ROUTING:
    network_event_iface(net, ev);
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
