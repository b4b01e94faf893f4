/*
 * Checks of hubs across the links, before anything runs (errors): a hub
 * shares one medium between all its links (models/link/hub.h), so
 *  - every link of a hub runs at one rate (the medium's): the first link
 *    of the hub sets it, and a link at another rate is named;
 *  - a link between two hubs is refused: cascaded repeaters (one medium
 *    across several hubs) are not modelled; put a switch between them;
 *  - `reorder` is refused on a hub's links: the medium carries one frame
 *    at a time, in order.
 * PPP links to a hub are refused by scenario_check_ppp(), addresses on a
 * hub's interfaces by the nodes section.
 *
 * Entry point: scenario_check_hubs(), from scenario_check().
 */
#include "sim/text/units.h"
#include "sim/scenario/scenario_private.h"

/* The end of `link` on a hub, or -1 when neither is. */
static int hub_end(const Scenario *sc, const ScenarioLink *link)
{
  for (int e = 0; e < 2; e++)
    if (scenario_node(sc, link->ends[e].node)->kind == NODE_KIND_HUB)
      return e;
  return -1;
}

/* Compares the rate of links[l], at hub end `e`, with the hub's first
 * link (first[node], recorded if there is none yet). */
static void hub_check_rate(Loader *ld, const ScenarioLink *link, guint l, int e, int *first)
{
  int node = link->ends[e].node;
  if (first[node] < 0) {
    first[node] = (int)l;
    return;
  }
  const ScenarioLink *f = scenario_link(ld->sc, first[node]);
  if (f->params.rate_bps == link->params.rate_bps)
    return;
  char *rate = units_format_rate(link->params.rate_bps), *medium = units_format_rate(f->params.rate_bps);
  scenario_error_at(ld, link->mark,
                    "links[%u] (%s - %s) runs at %s, but hub '%s' shares one medium at %s (links[%d]); give every "
                    "link of a hub the same rate",
                    l, link->ends[0].text, link->ends[1].text, rate, scenario_node(ld->sc, node)->name, medium,
                    first[node]);
  g_free(rate);
  g_free(medium);
}

/* Checks one link with a hub at end `e`. */
static void hub_check_link(Loader *ld, const ScenarioLink *link, guint l, int e, int *first)
{
  const char *hub = scenario_node(ld->sc, link->ends[e].node)->name;
  if (scenario_node(ld->sc, link->ends[1 - e].node)->kind == NODE_KIND_HUB)
    scenario_error_at(ld, link->mark,
                      "links[%u] joins hubs '%s' and '%s'; cascaded hubs (one medium across repeaters) are not "
                      "modelled: join them through a switch",
                      l, scenario_node(ld->sc, link->ends[0].node)->name,
                      scenario_node(ld->sc, link->ends[1].node)->name);
  else if (link->params.reorder > 0)
    scenario_error_at(ld, link->mark,
                      "links[%u] (%s - %s) is on hub '%s', whose medium carries one frame at a time in order; "
                      "'reorder' applies to point-to-point links only",
                      l, link->ends[0].text, link->ends[1].text, hub);
  else
    hub_check_rate(ld, link, l, e, first);
}

/* Runs the checks of the file's comment on every link to a hub. */
void scenario_check_hubs(Loader *ld)
{
  const Scenario *sc = ld->sc;
  int *first = g_new(int, sc->nodes->len + 1);
  for (guint n = 0; n < sc->nodes->len; n++)
    first[n] = -1;
  for (guint l = 0; l < sc->links->len; l++) {
    const ScenarioLink *link = scenario_link(sc, l);
    if (link->ends[0].node < 0 || link->ends[1].node < 0)
      continue;
    int e = hub_end(sc, link);
    if (e >= 0)
      hub_check_link(ld, link, l, e, first);
  }
  g_free(first);
}
