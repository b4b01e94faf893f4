/*
 * Nodes: hosts, switches and routers with their interfaces.
 * Entry points: node_new(), node_find_iface(), node_free().
 */
#include "models/node.h"

/* Creates the node `conf` describes, with all its interfaces (not yet linked). */
Node *node_new(const ScenarioNode *conf, guint index)
{
  Node *node = g_new0(Node, 1);
  node->name = g_strdup(conf->name);
  node->kind = conf->kind;
  node->description = g_strdup(conf->description);
  node->index = index;
  node->ifaces = g_ptr_array_new_with_free_func((GDestroyNotify)iface_free);
  for (guint i = 0; i < conf->ifaces->len; i++)
    g_ptr_array_add(node->ifaces, iface_new(node, &g_array_index(conf->ifaces, ScenarioIface, i), i));
  return node;
}

void node_free(Node *node)
{
  if (!node)
    return;
  g_ptr_array_free(node->ifaces, TRUE);
  g_free(node->name);
  g_free(node->description);
  g_free(node);
}

/* Returns the interface called `name`, or NULL. */
Iface *node_find_iface(const Node *node, const char *name)
{
  for (guint i = 0; i < node->ifaces->len; i++)
    if (g_str_equal(node_iface(node, i)->name, name))
      return node_iface(node, i);
  return NULL;
}
