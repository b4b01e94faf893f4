/*
 * Point-to-point links: created from the scenario, joining two interfaces.
 * Entry points: link_new(), link_describe(), link_free().
 */
#include "models/link/link.h"

#include "models/node.h"

/* Creates the link `conf` describes between `a` and `b` and attaches both. */
Link *link_new(const ScenarioLink *conf, Iface *a, Iface *b, guint index)
{
  Link *link = g_new0(Link, 1);
  link->name = g_strdup(conf->name);
  link->index = index;
  link->ends[0] = a;
  link->ends[1] = b;
  link->rate_bps = conf->params.rate_bps;
  link->delay = conf->params.delay;
  link->loss = conf->params.loss;
  a->link = link;
  b->link = link;
  return link;
}

void link_free(Link *link)
{
  if (!link)
    return;
  g_free(link->name);
  g_free(link);
}

/* Returns "name (a:eth0 - b:eth1)" or "a:eth0 - b:eth1"; g_free it. */
char *link_describe(const Link *link)
{
  const Iface *a = link->ends[0], *b = link->ends[1];
  char *ends = g_strdup_printf("%s:%s - %s:%s", a->node->name, a->name, b->node->name, b->name);
  if (!link->name)
    return ends;
  char *text = g_strdup_printf("%s (%s)", link->name, ends);
  g_free(ends);
  return text;
}
