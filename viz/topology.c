/*
 * Topology drawing: turns a Network into an undirected Graphviz graph built
 * with cgraph (one node per network node, one edge per link) and writes it
 * as DOT text, or lays it out with the dot engine and renders it with gvc.
 *
 * Entry points: viz_topology_graph() builds the graph (the caller agclose()s
 * it); viz_topology_dot() returns its DOT text; viz_topology_render() writes
 * a .dot/.gv, .svg, .png or .pdf file chosen by the file name's extension.
 *
 * Hosts, switches and routers differ in shape and colour; a node's label is
 * its name (and its description, smaller); an edge carries the link's name,
 * rate, delay and loss, and each of its ends the interface's name and
 * address. A PPP serial link is red and its label starts with "PPP". Routers are drawn above switches and switches
 * above hosts; a legend of the kinds sits under the drawing. viz/README.md shows it all.
 *
 * Cgraph does all DOT quoting. What is escaped here is label text: Graphviz
 * reads backslash escapes (\n, \N, \l) in labels, so backslashes in names
 * are doubled, and HTML-like labels are markup-escaped too.
 *
 * Leaves out: choosing the engine or the direction (always dot, top-down).
 * Limits: DOT cannot carry every string as an ID (see viz_topology_id_ok());
 * when a node name is one of those, every node is named by its position (n0,
 * n1, ...) and its name stays in its label. Rendering shares one Graphviz
 * context for the process (see viz_topology_context()), and like Graphviz
 * itself is not thread-safe.
 */
#include "viz/topology.h"

#include <errno.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <string.h>

#include "models/link/stp.h"
#include "models/link/switch.h"
#include "models/link/vlan.h"
#include "models/routing/ospf.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

#define VIZ_TOPOLOGY_ENGINE "dot"
#define VIZ_TOPOLOGY_FONT "Helvetica"
#define VIZ_TOPOLOGY_BOLD_FONT "Helvetica-Bold" /* by face: <B> leaks in Graphviz 2.43 */
#define VIZ_TOPOLOGY_GRAPH_ID "topology"
#define VIZ_TOPOLOGY_MIN_WIDTH 0.75 /* Graphviz's default node width, inches */
#define VIZ_TOPOLOGY_INCHES_PER_LINK 0.3
#define VIZ_TOPOLOGY_CUT "#95a5a6" /* a link a spanning tree cuts: grey, dashed */

/* How a kind of node is drawn; `tier` orders kinds from top (high) to bottom.
 * Shapes whose outline fills their bounding box (no ellipse): Graphviz's
 * placer of end labels treats a node as its box, and an ellipse leaves the
 * ends of its edges inside that box, where their labels collide. */
typedef struct {
  const char *kind;
  const char *shape;
  const char *style;
  const char *fill;
  const char *line;
  int tier;
} VizTopologyStyle;

static const VizTopologyStyle viz_topology_styles[] = {
    [NODE_KIND_HOST] = {"host", "box", "rounded,filled", "#dae8fc", "#3465a4", 0},
    [NODE_KIND_SWITCH] = {"switch", "box3d", "filled", "#d5ecc2", "#4e9a06", 1},
    [NODE_KIND_ROUTER] = {"router", "cylinder", "filled", "#fce0c4", "#ce5c00", 2},
    [NODE_KIND_LINUX] = {"linux", "box", "rounded,filled,bold", "#fff2a8", "#2e3436", 0},
    [NODE_KIND_HUB] = {"hub", "component", "filled", "#e4dcef", "#75507b", 1}, /* a hub: one shared medium */
};

/* A file extension and the gvc format it asks for; NULL means DOT text. */
typedef struct {
  const char *ext;
  const char *format;
} VizTopologyFormat;

static const VizTopologyFormat viz_topology_formats[] = {
    {".dot", NULL}, {".gv", NULL}, {".svg", "svg"}, {".png", "png"}, {".pdf", "pdf"},
};

/* Cgraph's output discipline for viz_topology_dot(): writes into a GString.
 * Never modified; cgraph's API takes non-const pointers. */
static int viz_topology_io_put(void *chan, const char *str);
static int viz_topology_io_flush(void *chan);
static Agiodisc_t viz_topology_string_io = {NULL, viz_topology_io_put, viz_topology_io_flush};
static Agdisc_t viz_topology_string_disc = {NULL, NULL, &viz_topology_string_io};

G_DEFINE_QUARK(ipsim_viz_topology_error, viz_topology_error)

/* Appends cgraph's output `str` to the GString `chan`. */
static int viz_topology_io_put(void *chan, const char *str)
{
  g_string_append(chan, str);
  return 0;
}

static int viz_topology_io_flush(void *chan)
{
  (void)chan;
  return 0;
}

/* Returns the drawing style of `kind`. */
static const VizTopologyStyle *viz_topology_style(NodeKind kind)
{
  g_return_val_if_fail((guint)kind < G_N_ELEMENTS(viz_topology_styles), &viz_topology_styles[0]);
  return &viz_topology_styles[kind];
}

/* Returns `text` as literal Graphviz label text: backslashes doubled so that
 * "\N" or "\l" in a name stay as written, control characters turned into
 * spaces, invalid UTF-8 replaced. g_free it. */
static char *viz_topology_escape_label(const char *text)
{
  char *valid = g_utf8_make_valid(text, -1);
  GString *out = g_string_sized_new(strlen(valid) + 8);
  for (const char *p = valid; *p; p++) {
    if (*p == '\\')
      g_string_append(out, "\\\\");
    else if ((unsigned char)*p < 0x20 || *p == 0x7f)
      g_string_append_c(out, ' ');
    else
      g_string_append_c(out, *p);
  }
  g_free(valid);
  return g_string_free(out, FALSE);
}

/* Returns `text` as literal text for an HTML-like label: label-escaped (the
 * \N escapes apply inside HTML text too) then markup-escaped. g_free it. */
static char *viz_topology_escape_html(const char *text)
{
  char *label = viz_topology_escape_label(text);
  char *html = g_markup_escape_text(label, -1);
  g_free(label);
  return html;
}

/* Tells whether `id` survives as a DOT ID written by cgraph and read back.
 * DOT's only escape in quoted strings is \" for a quote, so a backslash right
 * before a quote or at the end cannot be written; Graphviz's scanner also
 * drops a backslash before a newline, and its reader renames IDs that start
 * with '%' (its own prefix for anonymous objects). */
static gboolean viz_topology_id_ok(const char *id)
{
  if (!id || !*id || *id == '%')
    return FALSE;
  for (const char *p = id; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return FALSE;
    if (*p == '\\' && (p[1] == '"' || p[1] == '\0'))
      return FALSE;
  }
  return TRUE;
}

/* Tells whether every node of `net` can be named by its name in DOT. */
static gboolean viz_topology_names_ok(const Network *net)
{
  for (guint i = 0; i < net->nodes->len; i++)
    if (!viz_topology_id_ok(network_node(net, i)->name))
      return FALSE;
  return TRUE;
}

/* Sets the default attributes of the graph, its nodes and its edges. The
 * dot engine draws the hierarchy top-down. labelangle and labeldistance stay
 * unset on purpose: then dot places the labels at the ends of the edges with
 * its external-label placer, which keeps them off nodes and other labels,
 * instead of at a fixed offset where they collide at busy switches. */
static void viz_topology_set_defaults(Agraph_t *g)
{
  agattr(g, AGRAPH, "rankdir", "TB");
  agattr(g, AGRAPH, "nodesep", "0.4");
  agattr(g, AGRAPH, "ranksep", "1.1");
  agattr(g, AGRAPH, "outputorder", "edgesfirst");
  agattr(g, AGRAPH, "pad", "0.3");
  agattr(g, AGRAPH, "fontname", VIZ_TOPOLOGY_FONT);
  agattr(g, AGRAPH, "fontsize", "11");
  agattr(g, AGRAPH, "labelloc", "b");
  agattr(g, AGNODE, "fontname", VIZ_TOPOLOGY_BOLD_FONT);
  agattr(g, AGNODE, "fontsize", "12");
  agattr(g, AGNODE, "margin", "0.15,0.06");
  agattr(g, AGEDGE, "fontname", VIZ_TOPOLOGY_FONT);
  agattr(g, AGEDGE, "fontsize", "9");
  agattr(g, AGEDGE, "fontcolor", "#404040");
  agattr(g, AGEDGE, "labelfontsize", "8");
  agattr(g, AGEDGE, "labelfontcolor", "#1f4e79");
  agattr(g, AGEDGE, "color", "#606060");
}

/* Widens a node with many links (a switch, a core router): its edges then
 * leave it at points far enough apart for their end labels. */
static void viz_topology_set_width(Agnode_t *vn, const Node *node)
{
  guint links = 0;
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->link)
      links++;
  double width = VIZ_TOPOLOGY_INCHES_PER_LINK * links;
  if (width <= VIZ_TOPOLOGY_MIN_WIDTH)
    return;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  agsafeset(vn, "width", g_ascii_formatd(buf, sizeof buf, "%.2f", width), "");
}

/* Creates the graph node for `node`, named by its name or, when `by_name`
 * is false, by its position, with the shape and colours of its kind. */
static Agnode_t *viz_topology_add_node(Agraph_t *g, const Node *node, gboolean by_name)
{
  const VizTopologyStyle *style = viz_topology_style(node->kind);
  char *id = by_name ? g_strdup(node->name) : g_strdup_printf("n%u", node->index);
  Agnode_t *vn = agnode(g, id, TRUE);
  g_free(id);
  agsafeset(vn, "shape", (char *)style->shape, "");
  agsafeset(vn, "style", (char *)style->style, "");
  agsafeset(vn, "fillcolor", (char *)style->fill, "");
  agsafeset(vn, "color", (char *)style->line, "");
  viz_topology_set_width(vn, node);
  return vn;
}

/* Sets `label` on `obj` as an HTML-like label built from `html`, or as the
 * plain `plain` when cgraph already holds the same text as a plain string
 * (cgraph shares equal strings, so the HTML mark would be lost). */
static void viz_topology_set_html(Agraph_t *g, void *obj, const char *html, const char *plain)
{
  char *ref = agstrdup_html(g, (char *)html);
  if (aghtmlstr(ref))
    agsafeset(obj, "label", ref, "");
  else
    agsafeset(obj, "label", (char *)plain, "");
  agstrfree(g, ref);
}

/* A switch's spanning tree as it is now, for its label with hl->stp:
 * "RSTP root bridge", "STP 8000.02:00:00:00:00:04" (its bridge ID), "STP,
 * every port down"; NULL without one. */
static char *viz_topology_stp(const Node *node)
{
  const Stp *stp = node->sw ? switch_stp(node->sw) : NULL;
  if (!stp)
    return NULL;
  StpBridgeView b;
  char id[24];
  stp_bridge_view(stp, &b);
  stp_format_bridge_id(id, b.bridge);
  gboolean up = FALSE;
  for (guint i = 0; i < node->ifaces->len; i++)
    up |= node_iface(node, i)->up;
  if (!up)
    return g_strdup_printf("%s, every port down", b.rapid ? "RSTP" : "STP");
  return g_strdup_printf("%s %s", b.rapid ? "RSTP" : "STP", b.root == b.bridge ? "root bridge" : id);
}

/* The routing protocol a router runs, for its label: "RIP" or "OSPF
 * 1.1.1.1" (its router ID); with hl->stp, a switch's spanning tree; NULL
 * for none. g_free it. */
static char *viz_topology_protocol(const Node *node, const VizHighlight *hl)
{
  char rid[ADDR_IPV4_TEXT];
  if (node->ospf)
    return g_strdup_printf("OSPF %s", addr_format_ipv4(ospf_router_id(node->ospf), rid));
  if (hl && hl->stp && node->sw)
    return viz_topology_stp(node);
  return node->rip ? g_strdup("RIP") : NULL;
}

/* Returns the HTML-like label of `node`: its name (bold, the nodes' font)
 * its description, if any, on a second line in a smaller regular font, and
 * the routing protocol it runs on a third.
 * The name sits in a FONT element so that the label is never plain text
 * that cgraph could share with a node's name. g_free it. */
static char *viz_topology_node_html(const Node *node, const VizHighlight *hl)
{
  char *name = viz_topology_escape_html(node->name);
  char *proto = viz_topology_protocol(node, hl);
  GString *html = g_string_new(NULL);
  g_string_append_printf(html, "<FONT>%s</FONT>", name);
  if (node->description && *node->description) {
    char *desc = viz_topology_escape_html(node->description);
    g_string_append_printf(html, "<BR/><FONT FACE=\"" VIZ_TOPOLOGY_FONT "\" POINT-SIZE=\"9\">%s</FONT>", desc);
    g_free(desc);
  }
  if (proto)
    g_string_append_printf(html, "<BR/><FONT FACE=\"" VIZ_TOPOLOGY_FONT "\" POINT-SIZE=\"8\">%s</FONT>", proto);
  g_free(proto);
  g_free(name);
  return g_string_free(html, FALSE);
}

/* Returns the plain label of `node`, its name and description on two lines,
 * for when an HTML label cannot be set. g_free it. */
static char *viz_topology_node_plain(const Node *node, const VizHighlight *hl)
{
  GString *plain = g_string_new(NULL);
  char *name = viz_topology_escape_label(node->name);
  g_string_append(plain, name);
  if (node->description && *node->description) {
    char *desc = viz_topology_escape_label(node->description);
    g_string_append_printf(plain, "\\n%s", desc);
    g_free(desc);
  }
  char *proto = viz_topology_protocol(node, hl);
  if (proto)
    g_string_append_printf(plain, "\\n%s", proto);
  g_free(proto);
  g_free(name);
  return g_string_free(plain, FALSE);
}

/* Sets the label of the graph node `vn` of `node`. */
static void viz_topology_label_node(Agraph_t *g, Agnode_t *vn, const Node *node, const VizHighlight *hl)
{
  char *html = viz_topology_node_html(node, hl);
  char *plain = viz_topology_node_plain(node, hl);
  viz_topology_set_html(g, vn, html, plain);
  g_free(html);
  g_free(plain);
}

/* Returns a loss probability as a percentage, "0.1%"; g_free it. */
static char *viz_topology_format_loss(double loss)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%.3g", loss * 100.0);
  return g_strconcat(buf, "%", NULL);
}

/* Returns the label of a link's edge: its name if it has one, then
 * "rate, delay", then the loss when there is some. g_free it. */
static char *viz_topology_link_label(const Link *link)
{
  GString *label = g_string_new(NULL);
  if (link->name && *link->name) {
    char *name = viz_topology_escape_label(link->name);
    g_string_append_printf(label, "%s\\n", name);
    g_free(name);
  }
  char *rate = units_format_rate(link->rate_bps);
  char *delay = units_format_duration(link->delay);
  g_string_append_printf(label, "%s%s, %s", link->type == LINK_PPP ? "PPP " : "", rate, delay);
  if (link->loss > 0) {
    char *loss = viz_topology_format_loss(link->loss);
    g_string_append_printf(label, "\\nloss %s", loss);
    g_free(loss);
  }
  if (link->reorder > 0) {
    char *reorder = viz_topology_format_loss(link->reorder);
    g_string_append_printf(label, "\\nreorder %s", reorder);
    g_free(reorder);
  }
  g_free(rate);
  g_free(delay);
  return g_string_free(label, FALSE);
}

/* Appends the VLAN lines of a link end: a switch port's mode and VLANs
 * ("vlan 10", "trunk 10,20 native 5"), a host's or router's subinterfaces
 * with their addresses ("eth0.10 10.0.10.1/24"). */
static void viz_topology_vlan_lines(GString *label, const Iface *iface)
{
  GString *port = g_string_new(NULL);
  vlan_port_describe(iface, port);
  if (port->len)
    g_string_append_printf(label, "\\n%s", port->str);
  g_string_free(port, TRUE);
  for (guint i = 0; i < iface->node->ifaces->len; i++) {
    const Iface *sub = node_iface(iface->node, i);
    char addr[ADDR_CIDR_TEXT], *name = viz_topology_escape_label(sub->name);
    if (sub->vlan_parent == iface && sub->has_ip)
      g_string_append_printf(label, "\\n%s %s", name, addr_format_cidr(sub->ip.addr, sub->ip.len, addr));
    else if (sub->vlan_parent == iface)
      g_string_append_printf(label, "\\n%s", name);
    g_free(name);
  }
}

/* Reads the spanning-tree view of a switch port into *v; FALSE when the
 * interface is no port of a switch running a spanning tree. */
static gboolean viz_topology_stp_port(const Iface *iface, StpPortView *v)
{
  const Stp *stp = iface->node->sw ? switch_stp(iface->node->sw) : NULL;
  if (!stp)
    return FALSE;
  stp_port_view(stp, iface->index, v);
  return TRUE;
}

/* TRUE when a spanning tree cuts `link`: one of its ends is a switch port
 * that does not forward now. */
static gboolean viz_topology_stp_cut(const Link *link)
{
  StpPortView v;
  for (int i = 0; i < 2; i++)
    if (viz_topology_stp_port(link->ends[i], &v) && v.state != STP_STATE_FORWARDING)
      return TRUE;
  return FALSE;
}

/* Returns the label of an edge's end: the interface's name and, on a second
 * line, its address with prefix length, "eth0\n10.1.1.1/24"; on an OSPF
 * interface a third line with its cost and its area when not the
 * backbone, "area 0.0.0.1 cost 10". g_free it. */
static char *viz_topology_end_label(const Iface *iface, const VizHighlight *hl)
{
  char *name = viz_topology_escape_label(iface->name);
  GString *label = g_string_new(name);
  char addr[ADDR_CIDR_TEXT], area[ADDR_IPV4_TEXT];
  uint32_t a, cost;
  if (iface->has_ip)
    g_string_append_printf(label, "\\n%s", addr_format_cidr(iface->ip.addr, iface->ip.len, addr));
  viz_topology_vlan_lines(label, iface);
  if (iface->node->ospf && ospf_iface_summary(iface->node->ospf, iface->index, &a, &cost)) {
    g_string_append(label, "\\n");
    if (a)
      g_string_append_printf(label, "area %s ", addr_format_ipv4(a, area));
    g_string_append_printf(label, "cost %u", cost);
  }
  StpPortView v;
  if (hl && hl->stp && viz_topology_stp_port(iface, &v) && v.role == STP_ROLE_DISABLED)
    g_string_append(label, "\\ndisabled");
  else if (hl && hl->stp && viz_topology_stp_port(iface, &v))
    g_string_append_printf(label, "\\n%s %s%s", stp_role_names[v.role], stp_state_names[v.state],
                           v.edge ? " edge" : "");
  g_free(name);
  return g_string_free(label, FALSE);
}

/* Returns the end of `link` drawn on top: the one whose node kind ranks
 * higher (routers, then switches, then hosts), else the link's first end. */
static const Iface *viz_topology_link_top(const Link *link)
{
  const Iface *a = link->ends[0], *b = link->ends[1];
  return viz_topology_style(b->node->kind)->tier > viz_topology_style(a->node->kind)->tier ? b : a;
}

/* Creates the edge of `link` between the graph nodes `vnodes` (indexed by
 * node position), from its top end, so that dot ranks that end higher. */
static void viz_topology_add_link(Agraph_t *g, Agnode_t **vnodes, const Link *link, const VizHighlight *hl)
{
  const Iface *top = viz_topology_link_top(link);
  const Iface *bottom = iface_peer(top);
  Agedge_t *e = agedge(g, vnodes[top->node->index], vnodes[bottom->node->index], NULL, TRUE);
  char *label = viz_topology_link_label(link);
  char *tail = viz_topology_end_label(top, hl);
  char *head = viz_topology_end_label(bottom, hl);
  agsafeset(e, "label", label, "");
  agsafeset(e, "taillabel", tail, "");
  agsafeset(e, "headlabel", head, "");
  if (link->type == LINK_PPP) /* a serial link, drawn as Packet Tracer does: red */
    agsafeset(e, "color", "#c0392b", "");
  if (hl && hl->links && hl->links[link->index]) {
    agsafeset(e, "color", VIZ_TOPOLOGY_HIGHLIGHT, "");
    agsafeset(e, "penwidth", "4", "");
  } else if (hl && hl->stp && viz_topology_stp_cut(link)) {
    agsafeset(e, "color", VIZ_TOPOLOGY_CUT, "");
    agsafeset(e, "style", "dashed", "");
  }
  g_free(label);
  g_free(tail);
  g_free(head);
}

/* Orders links as agwrite() writes their edges: by top node, then by
 * bottom node (cgraph keeps a node's edges sorted by the other end), then
 * by the top interface. Positions compare, so the order is total. */
static gint viz_topology_link_cmp(gconstpointer pa, gconstpointer pb)
{
  const Iface *ta = viz_topology_link_top(*(Link *const *)pa);
  const Iface *tb = viz_topology_link_top(*(Link *const *)pb);
  guint ka[3] = {ta->node->index, iface_peer(ta)->node->index, ta->index};
  guint kb[3] = {tb->node->index, iface_peer(tb)->node->index, tb->index};
  for (int i = 0; i < 3; i++)
    if (ka[i] != kb[i])
      return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/* Creates the edges of all links of `net` in the order agwrite() writes
 * them, so that the DOT read back is the same graph, edge for edge. */
static void viz_topology_add_links(Agraph_t *g, Agnode_t **vnodes, const Network *net, const VizHighlight *hl)
{
  GPtrArray *order = g_ptr_array_sized_new(net->links->len);
  for (guint i = 0; i < net->links->len; i++)
    g_ptr_array_add(order, network_link(net, i));
  g_ptr_array_sort(order, viz_topology_link_cmp);
  for (guint i = 0; i < order->len; i++)
    viz_topology_add_link(g, vnodes, g_ptr_array_index(order, i), hl);
  g_ptr_array_free(order, TRUE);
}

/* Returns the legend of the kinds present in `net`, routers first as they
 * are drawn from the top: HTML table cells, each in the colours of its kind.
 * Sets `*count` to the number of cells. g_free it. */
static char *viz_topology_legend_cells(const Network *net, guint *count)
{
  gboolean present[G_N_ELEMENTS(viz_topology_styles)] = {FALSE};
  for (guint i = 0; i < net->nodes->len; i++)
    if ((guint)network_node(net, i)->kind < G_N_ELEMENTS(present))
      present[network_node(net, i)->kind] = TRUE;
  GString *cells = g_string_new(NULL);
  *count = 0;
  for (guint k = G_N_ELEMENTS(viz_topology_styles); k-- > 0;) {
    const VizTopologyStyle *s = &viz_topology_styles[k];
    if (!present[k])
      continue;
    g_string_append_printf(cells, "<TD BGCOLOR=\"%s\" COLOR=\"%s\" BORDER=\"1\">%s</TD>", s->fill, s->line, s->kind);
    (*count)++;
  }
  return g_string_free(cells, FALSE);
}

/* Returns the HTML-like label of the graph: the network's name and
 * description above the legend. g_free it. */
static char *viz_topology_graph_html(const Network *net)
{
  guint n;
  char *cells = viz_topology_legend_cells(net, &n);
  char *name = viz_topology_escape_html(net->name ? net->name : "");
  GString *html = g_string_new("<TABLE BORDER=\"0\" CELLSPACING=\"4\">");
  g_string_append_printf(html, "<TR><TD COLSPAN=\"%u\"><FONT FACE=\"" VIZ_TOPOLOGY_BOLD_FONT "\">%s</FONT></TD></TR>",
                         n, name);
  if (net->description && *net->description) {
    char *desc = viz_topology_escape_html(net->description);
    g_string_append_printf(html, "<TR><TD COLSPAN=\"%u\">%s</TD></TR>", n, desc);
    g_free(desc);
  }
  g_string_append_printf(html, "<TR>%s</TR></TABLE>", cells);
  g_free(name);
  g_free(cells);
  return g_string_free(html, FALSE);
}

/* Sets the graph's label: the network's name and description above a legend
 * of the node kinds, at the bottom. Nothing for a network without nodes. */
static void viz_topology_label_graph(Agraph_t *g, const Network *net)
{
  if (net->nodes->len == 0)
    return;
  char *html = viz_topology_graph_html(net);
  char *plain = viz_topology_escape_label(net->name ? net->name : "");
  viz_topology_set_html(g, g, html, plain);
  g_free(html);
  g_free(plain);
}

/* Builds the graph of `net`, with the discipline `disc` (NULL for cgraph's
 * default). The nodes, in the network's order, also belong to an anonymous
 * subgraph: agwrite() writes subgraphs first, so the DOT declares every node
 * in that order (otherwise it declares a node at its first edge). HTML
 * labels are set last so that no plain string can take their text. */
static Agraph_t *viz_topology_build(const Network *net, Agdisc_t *disc, const VizHighlight *hl)
{
  gboolean by_name = viz_topology_names_ok(net);
  const char *gname = viz_topology_id_ok(net->name) ? net->name : VIZ_TOPOLOGY_GRAPH_ID;
  Agraph_t *g = agopen((char *)gname, Agundirected, disc);
  viz_topology_set_defaults(g);
  Agraph_t *nodes = agsubg(g, NULL, TRUE);
  Agnode_t **vnodes = g_new0(Agnode_t *, net->nodes->len + 1);
  for (guint i = 0; i < net->nodes->len; i++)
    vnodes[i] = viz_topology_add_node(nodes, network_node(net, i), by_name);
  viz_topology_add_links(g, vnodes, net, hl);
  for (guint i = 0; i < net->nodes->len; i++) {
    viz_topology_label_node(g, vnodes[i], network_node(net, i), hl);
    if (hl && hl->nodes && hl->nodes[i]) {
      agsafeset(vnodes[i], "color", VIZ_TOPOLOGY_HIGHLIGHT, "");
      agsafeset(vnodes[i], "penwidth", "4", "");
    }
  }
  viz_topology_label_graph(g, net);
  g_free(vnodes);
  return g;
}

/* Returns the graph of `net`, not laid out; the caller agclose()s it. */
Agraph_t *viz_topology_graph(const Network *net)
{
  g_return_val_if_fail(net != NULL, NULL);
  return viz_topology_build(net, NULL, NULL);
}

/* Returns the DOT text of the graph of `net`, not laid out, as cgraph writes
 * it; the same network gives the same bytes. g_free it. */
char *viz_topology_dot(const Network *net)
{
  return viz_topology_dot_highlight(net, NULL);
}

/* As viz_topology_dot(), with the spanning trees if hl->stp (hl may be
 * NULL; a path highlight is not written). g_free it. */
char *viz_topology_dot_highlight(const Network *net, const VizHighlight *hl)
{
  g_return_val_if_fail(net != NULL, NULL);
  VizHighlight stp = {NULL, NULL, hl && hl->stp};
  Agraph_t *g = viz_topology_build(net, &viz_topology_string_disc, &stp);
  GString *out = g_string_new(NULL);
  agwrite(g, out);
  agclose(g);
  return g_string_free(out, FALSE);
}

/* Returns the format the extension of `path` asks for, or NULL with an
 * error listing the supported extensions. Extensions ignore case. */
static const VizTopologyFormat *viz_topology_format_for(const char *path, GError **error)
{
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, G_DIR_SEPARATOR);
  if (dot && (!slash || dot > slash))
    for (guint i = 0; i < G_N_ELEMENTS(viz_topology_formats); i++)
      if (g_ascii_strcasecmp(dot, viz_topology_formats[i].ext) == 0)
        return &viz_topology_formats[i];
  GString *known = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(viz_topology_formats); i++)
    g_string_append_printf(known, "%s%s", i ? ", " : "", viz_topology_formats[i].ext);
  char *shown = g_filename_display_name(path);
  g_set_error(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_FORMAT,
              "cannot draw '%s': unknown file extension; use one of %s", shown, known->str);
  g_free(shown);
  g_string_free(known, TRUE);
  return NULL;
}

/* Sets a write error naming `path` and the system's reason `errnum`. */
static gboolean viz_topology_write_failed(const char *path, int errnum, GError **error)
{
  char *shown = g_filename_display_name(path);
  g_set_error(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_WRITE, "cannot write '%s': %s", shown, g_strerror(errnum));
  g_free(shown);
  return FALSE;
}

/* Writes `len` bytes of `data` to the file `path`, replacing it; removes
 * what it wrote when writing fails (a full disk shows at fclose()). */
static gboolean viz_topology_write_file(const char *path, const char *data, size_t len, GError **error)
{
  FILE *f = fopen(path, "wb");
  if (!f)
    return viz_topology_write_failed(path, errno, error);
  int errnum = 0;
  errno = 0;
  if (fwrite(data, 1, len, f) != len)
    errnum = errno ? errno : EIO;
  errno = 0;
  if (fclose(f) != 0 && errnum == 0)
    errnum = errno ? errno : EIO;
  if (errnum != 0) {
    remove(path);
    return viz_topology_write_failed(path, errnum, error);
  }
  return TRUE;
}

/* Renders the laid-out graph `g` as `format` and writes it to `path`. */
static gboolean viz_topology_render_data(GVC_t *gvc, Agraph_t *g, const char *format, const char *path, GError **error)
{
  char *data = NULL;
  unsigned int len = 0;
  if (gvRenderData(gvc, g, format, &data, &len) != 0 || !data) {
    gvFreeRenderData(data);
    g_set_error(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_LAYOUT,
                "Graphviz cannot render %s here; is its plugin installed? (see 'dot -T?')", format);
    return FALSE;
  }
  gboolean ok = viz_topology_write_file(path, data, len, error);
  gvFreeRenderData(data);
  return ok;
}

/* Returns the process's Graphviz context, made on first use and never
 * freed. One context on purpose: Graphviz 2.43's pango plugin keeps, in a
 * static, a pointer into the font table of the context it last measured
 * text with, so freeing a context and making another one reads freed memory
 * (AddressSanitizer sees it on the second rendering). */
static GVC_t *viz_topology_context(void)
{
  static GVC_t *gvc;
  if (g_once_init_enter(&gvc)) {
    GVC_t *made = gvContext();
    g_once_init_leave(&gvc, made);
  }
  return gvc;
}

/* Lays the graph of `net` out with the dot engine and writes it to `path` as
 * `format`, all in-process through gvc. */
static gboolean viz_topology_render_laid_out(const Network *net, const VizHighlight *hl, const char *format,
                                             const char *path, GError **error)
{
  GVC_t *gvc = viz_topology_context();
  Agraph_t *g = viz_topology_build(net, NULL, hl);
  gboolean ok = FALSE;
  if (gvLayout(gvc, g, VIZ_TOPOLOGY_ENGINE) != 0) {
    g_set_error(error, VIZ_TOPOLOGY_ERROR, VIZ_TOPOLOGY_ERROR_LAYOUT,
                "Graphviz could not lay out the network with its %s engine", VIZ_TOPOLOGY_ENGINE);
  } else {
    ok = viz_topology_render_data(gvc, g, format, path, error);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  return ok;
}

/* Draws `net` into the file `path`, in the format its extension names: .dot
 * or .gv (DOT text, not laid out), .svg, .png or .pdf. Returns FALSE with an
 * error for an unknown extension, a failed layout or a failed write. */
gboolean viz_topology_render(const Network *net, const char *path, GError **error)
{
  return viz_topology_render_highlight(net, NULL, path, error);
}

/* As viz_topology_render(), with the links and nodes `hl` names (NULL:
 * none) drawn thick and coloured, and the spanning trees if hl->stp; a .dot
 * file has the spanning trees but no path highlight. */
gboolean viz_topology_render_highlight(const Network *net, const VizHighlight *hl, const char *path, GError **error)
{
  g_return_val_if_fail(net != NULL && path != NULL, FALSE);
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
  const VizTopologyFormat *format = viz_topology_format_for(path, error);
  if (!format)
    return FALSE;
  if (format->format)
    return viz_topology_render_laid_out(net, hl, format->format, path, error);
  char *dot = viz_topology_dot_highlight(net, hl);
  gboolean ok = viz_topology_write_file(path, dot, strlen(dot), error);
  g_free(dot);
  return ok;
}
