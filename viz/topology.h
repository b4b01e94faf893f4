/*
 * Topology drawing: a network's nodes and links as a Graphviz graph, as DOT
 * text, or rendered to SVG, PNG or PDF in-process through gvc. What is drawn
 * and how is described in viz/README.md.
 *
 * Entry points: viz_topology_graph() (a cgraph graph to use further),
 * viz_topology_dot() (DOT text), viz_topology_render() (a file);
 * viz_topology_render_highlight() (a file, with a packet's path drawn thick
 * and coloured: ipsim explain -o; or with the spanning trees of a run:
 * ipsim draw --at), viz_topology_dot_highlight().
 */
#ifndef IPSIM_VIZ_TOPOLOGY_H
#define IPSIM_VIZ_TOPOLOGY_H

#include <glib.h>
#include <graphviz/cgraph.h>

#include "models/core/network.h"

#define VIZ_TOPOLOGY_ERROR (viz_topology_error_quark())

typedef enum {
  VIZ_TOPOLOGY_ERROR_FORMAT, /* the file name's extension names no supported format */
  VIZ_TOPOLOGY_ERROR_LAYOUT, /* Graphviz could not lay out or render the graph */
  VIZ_TOPOLOGY_ERROR_WRITE,  /* the file could not be written */
} VizTopologyError;

GQuark viz_topology_error_quark(void);

/* What to highlight, by position in the network (NULL: nothing). */
typedef struct {
  const gboolean *links; /* net->links->len entries */
  const gboolean *nodes; /* net->nodes->len entries */
  gboolean stp;          /* the spanning trees as they are now (a run's): each switch port's role and state,
                            the root bridges, and the links a port that does not forward cuts, dashed */
} VizHighlight;

#define VIZ_TOPOLOGY_HIGHLIGHT "#e67e22"

Agraph_t *viz_topology_graph(const Network *net);
char *viz_topology_dot(const Network *net);
char *viz_topology_dot_highlight(const Network *net, const VizHighlight *hl);
gboolean viz_topology_render(const Network *net, const char *path, GError **error);
gboolean viz_topology_render_highlight(const Network *net, const VizHighlight *hl, const char *path, GError **error);

#endif
