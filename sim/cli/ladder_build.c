/*
 * The messages of a trace as a Ladder (ladder_build.h). The trace is read
 * once into events (time, node, verb, headers, drop reason), grouped by
 * packet id in the order ids first appear. Then, for each packet:
 *
 * - end to end (--between, --flow): a packet whose first line is its
 *   making (send, or tx/enq for ARP) on a chosen node leaves at its first
 *   tx there (send when the link layer is not traced) and reaches each
 *   other chosen node that has a line about it, at the first such line;
 *   a drop on that node ends it there with the reason (a frame a node
 *   refused as `other-mac` was not for it: no message). A packet for a
 *   chosen node (by its address, learnt from the nodes' send lines) that
 *   reaches none is lost: dropped on the way (the drop's node and reason)
 *   or not seen again (a link loss when the link layer is not traced).
 *   Fragments are not drawn: their datagram is, from the sender of its
 *   first fragment to the node that delivers it reassembled.
 * - hop by hop (--nodes): each arrival at a chosen node (an rx, or a drop
 *   on arrival; the first line on each node when the link layer is not
 *   traced) comes from the latest departure (tx; send or fwd without the
 *   link layer) on another chosen node not yet paired, so that nodes not
 *   chosen (a switch) are crossed as if by a wire.
 *
 * With --layers (LadderQuery.layers) each chosen node has four lanes,
 * one per layer, in a group named by the node (the first node's top to
 * bottom, the others' bottom to top), and a message passes stops: from
 * its own layer (build_top(): application for a segment that starts an
 * HTTP message, transport for TCP and UDP, link for ARP, else internet)
 * at its first line, the layer of each line of its sender up to its
 * departure, then each line of the node it reaches, up to its delivery
 * (and its own layer again), its drop, or its tx when the node sends it
 * on (hop by hop, the next hop starts there). A line's layer is its
 * trace.tags layer, else its verb's (ev_layer_of_verb()). Lanes no
 * message touches are pruned.
 *
 * --flow NAME (not a port) keeps the packets whose lines trace.tags puts
 * in the flow of the app NAME, as `ipsim trace --flow NAME`.
 *
 * Labels say what the headers say, shortened: "ARP who-has 10.0.0.2",
 * "ICMP echo request seq 1", "SYN seq 0", "SYN, ACK seq 0 ack 1", "ACK seq
 * 1:1449 ack 1", "UDP 49152 > 5001 len 1008"; TCP numbers are
 * relative, the SYNs' too (the trace shows their absolute ISN); a duplicate
 * ACK says "(dup)" and merges only with duplicates. A segment whose line
 * shows the HTTP start line it carries (trace_tcp.c) is labelled by it,
 * "HTTP GET /bytes/3000 (PSH, ACK seq 1:64 ack 1)", "HTTP 200 OK (ACK seq
 * 1:1449 ack 64)", and stays out of bands.
 *
 * Entry point: ladder_build().
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/ladder_build.h"
#include "sim/cli/trace_line.h"

#define LADDER_LABEL_MAX 60

typedef enum { EV_SEND, EV_ENQ, EV_TX, EV_RX, EV_FWD, EV_DELIVER, EV_DROP, EV_OTHER } EvVerb;

typedef struct {
  SimTime time;
  guint node;
  EvVerb verb;
  gboolean retransmit;
  gboolean dup_ack; /* a pure ACK with its direction's last ack again */
  gint64 frag_of;   /* a fragment's datagram, or 0 */
  char *headers;    /* without the drop's " reason R" */
  char *reason;     /* a drop's reason, or NULL */
  guint layer;      /* LAYER_*: trace.tags' layer of the line, else its verb's */
  char *flows;      /* trace.tags' flows of the line ("hello,listener"), or NULL */
} Ev;

/* The four layers, top to bottom, as lanes of a node with --layers. */
enum { LAYER_APP, LAYER_TRANSPORT, LAYER_INTERNET, LAYER_LINK, LAYER_N };
static const char *const layer_names[LAYER_N] = {"application", "transport", "internet", "link"};

/* The packet's addresses and ports, read from its headers. */
typedef struct {
  char src[16], dst[16];
  guint sp, dp;
  gboolean l4; /* TCP or UDP: the ports are set */
} EvHdr;

typedef struct {
  const LadderQuery *q;
  GPtrArray *names;       /* node names; an Ev's node is an index */
  GHashTable *name_idx;   /* name -> index + 1 */
  GArray *evs;            /* Ev, in trace order */
  GHashTable *by_id;      /* id -> GArray of guint (indices into evs) */
  GArray *ids;            /* gint64, in the order they first appear */
  GHashTable *addr_node;  /* IPv4 address -> node index + 1 */
  GHashTable *isn;        /* "src:sp>dst:dp" -> ISN */
  GHashTable *last_ack;   /* "src:sp>dst:dp" -> the ack of its last pure ACK sent */
  GHashTable *dup_ids;    /* ids of duplicate ACKs */
  GHashTable *first_frag; /* datagram id -> the id of its first fragment seen */
  guint *lane_of;         /* node index -> lane + 1, 0: not chosen */
  guint *layer_lane;      /* with --layers: node * LAYER_N + layer -> lane + 1 */
  guint chosen;           /* how many nodes have lanes */
  char **tags;            /* trace.tags' lines, one per line of the trace; NULL */
  char **flow_names;      /* the apps' flows trace.tags names; NULL */
  gboolean flow_by_name;  /* --flow names an app (trace.tags) */
  Ladder *ladder;
} Build;

static const char *const ev_verbs[] = {"send", "enq", "tx", "rx", "fwd", "deliver", "drop"};

static EvVerb ev_verb(const char *verb)
{
  for (guint i = 0; i < G_N_ELEMENTS(ev_verbs); i++)
    if (strcmp(verb, ev_verbs[i]) == 0)
      return (EvVerb)i;
  return EV_OTHER;
}

/* The layer a line of trace.tags names (routing: the application's). */
static guint ev_layer_of_tag(const char *tag)
{
  static const char *const names[] = {"app", "transport", "internet", "link", "routing"};
  size_t n = strcspn(tag, " ");
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (strlen(names[i]) == n && strncmp(tag, names[i], n) == 0)
      return i % LAYER_N;
  return LAYER_INTERNET;
}

/* The layer of a line without trace.tags, from its verb: IPv4 sends and
 * forwards, the link queues, sends and receives, TCP and UDP deliver
 * (ICMP is IPv4's). */
static guint ev_layer_of_verb(EvVerb verb, const char *headers)
{
  switch (verb) {
  case EV_ENQ:
  case EV_TX:
  case EV_RX:
    return LAYER_LINK;
  case EV_DELIVER:
    return strstr(headers, " TCP ") || strstr(headers, " UDP ") ? LAYER_TRANSPORT : LAYER_INTERNET;
  default:
    return LAYER_INTERNET;
  }
}

/* The flows field of a line of trace.tags ("-": none), or NULL. */
static char *ev_flows_of_tag(const char *tag)
{
  const char *sp = tag ? strchr(tag, ' ') : NULL;
  if (!sp || sp[1] == '-')
    return NULL;
  return g_strndup(sp + 1, strcspn(sp + 1, " "));
}

/* The index of node `name`, added if new. */
static guint build_node(Build *b, const char *name)
{
  gpointer v = g_hash_table_lookup(b->name_idx, name);
  if (v)
    return GPOINTER_TO_UINT(v) - 1;
  char *copy = g_strdup(name);
  g_ptr_array_add(b->names, copy);
  g_hash_table_insert(b->name_idx, copy, GUINT_TO_POINTER(b->names->len));
  return b->names->len - 1;
}

/* Reads the addresses and ports of `headers`. */
static gboolean ev_hdr(const char *headers, EvHdr *h)
{
  *h = (EvHdr){0};
  if (sscanf(headers, "IPv4 %15s > %15s", h->src, h->dst) != 2)
    return FALSE;
  const char *l4 = strstr(headers, " TCP ");
  if (!l4)
    l4 = strstr(headers, " UDP ");
  h->l4 = l4 && sscanf(l4 + 5, "%u > %u", &h->sp, &h->dp) == 2;
  return TRUE;
}

/* Notes the ISN of a SYN, and the address of the node that sends. */
static void build_learn(Build *b, const Ev *e)
{
  EvHdr h;
  if (!ev_hdr(e->headers, &h))
    return;
  if (e->verb == EV_SEND && !g_hash_table_contains(b->addr_node, h.src))
    g_hash_table_insert(b->addr_node, g_strdup(h.src), GUINT_TO_POINTER(e->node + 1));
  const char *tcp = strstr(e->headers, " TCP ");
  const char *flags = tcp ? strchr(tcp, '[') : NULL;
  const char *seq = tcp ? strstr(tcp, " seq ") : NULL;
  if (!flags || !seq || !strchr(flags, 'S') || strchr(flags, 'S') > strchr(flags, ']'))
    return;
  char *key = g_strdup_printf("%s:%u>%s:%u", h.src, h.sp, h.dst, h.dp);
  guint64 isn = g_ascii_strtoull(seq + 5, NULL, 10);
  guint64 *v = g_new(guint64, 1);
  *v = isn;
  g_hash_table_insert(b->isn, key, v);
}

/* A packet id as a hash table key or value. */
static gint64 *build_id(gint64 id)
{
  gint64 *v = g_new(gint64, 1);
  *v = id;
  return v;
}

/* Notes packet `id` as a duplicate ACK when it is a pure ACK ("[.]",
 * no data) whose ack its direction's last pure ACK had. */
static void build_learn_ack(Build *b, gint64 id, const Ev *e)
{
  EvHdr h;
  const char *tcp = strstr(e->headers, " TCP ");
  const char *ack = tcp ? strstr(tcp, "[.] ") : NULL;
  const char *len = tcp ? g_strrstr(tcp, " len ") : NULL;
  if (e->verb != EV_SEND || !ack || !len || strcmp(len, " len 0") != 0 || !ev_hdr(e->headers, &h))
    return;
  const char *at = strstr(ack, " ack ");
  guint v = at ? (guint)g_ascii_strtoull(at + 5, NULL, 10) : 0;
  char *key = g_strdup_printf("%s:%u>%s:%u", h.src, h.sp, h.dst, h.dp);
  gpointer last = NULL;
  if (g_hash_table_lookup_extended(b->last_ack, key, NULL, &last) && GPOINTER_TO_UINT(last) == v) {
    gint64 *k = g_new(gint64, 1);
    *k = id;
    g_hash_table_add(b->dup_ids, k);
  }
  g_hash_table_insert(b->last_ack, key, GUINT_TO_POINTER(v));
}

/* Adds one line of the trace (a packet's) as an event; `tag` is its
 * line of trace.tags, or NULL. */
static void build_line(Build *b, const char *line, const char *tag)
{
  char *copy = g_strdup(line);
  TraceLine tl;
  TracePacket p;
  gboolean ok = trace_line_split(copy, &tl);
  if (ok)
    build_node(b, tl.node);
  if (ok && trace_line_packet(tl.rest, &p) && ev_verb(tl.verb) != EV_OTHER) {
    Ev e = {.time = tl.time,
            .node = build_node(b, tl.node),
            .verb = ev_verb(tl.verb),
            .retransmit = p.retransmit,
            .frag_of = p.fragment ? p.parent : 0,
            .headers = g_strdup(p.headers)};
    e.layer = tag ? ev_layer_of_tag(tag) : ev_layer_of_verb(e.verb, p.headers);
    e.flows = ev_flows_of_tag(tag);
    if (e.frag_of && !g_hash_table_contains(b->first_frag, &e.frag_of))
      g_hash_table_insert(b->first_frag, build_id(e.frag_of), build_id(p.id));
    char *reason = e.verb == EV_DROP ? g_strrstr(e.headers, " reason ") : NULL;
    if (reason) {
      e.reason = g_strdup(reason + 8);
      *reason = '\0';
    }
    g_array_append_val(b->evs, e);
    GArray *list = g_hash_table_lookup(b->by_id, &p.id);
    if (!list) {
      list = g_array_new(FALSE, FALSE, sizeof(guint));
      gint64 *key = g_new(gint64, 1);
      *key = p.id;
      g_hash_table_insert(b->by_id, key, list);
      g_array_append_val(b->ids, p.id);
    }
    build_learn(b, &e);
    build_learn_ack(b, p.id, &e);
    Ev *added = &g_array_index(b->evs, Ev, b->evs->len - 1);
    added->dup_ack = g_hash_table_contains(b->dup_ids, &p.id);
    guint at = b->evs->len - 1;
    g_array_append_val(list, at);
  }
  g_free(copy);
}

/* TCP's flags as words, "SYN, ACK", from tcpdump's letters. */
static void label_tcp_flags(GString *out, const char *letters)
{
  static const char *const names[][2] = {{"S", "SYN"}, {"R", "RST"}, {"F", "FIN"}, {"P", "PSH"},
                                         {"U", "URG"}, {"E", "ECE"}, {"W", "CWR"}, {".", "ACK"}};
  const char *close = strchr(letters, ']');
  gboolean first = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    const char *at = strchr(letters, names[i][0][0]);
    if (!at || (close && at > close))
      continue;
    g_string_append_printf(out, "%s%s", first ? "" : ", ", names[i][1]);
    first = FALSE;
  }
}

/* The ISN of the connection direction `key` (recorded from its SYN). */
static gboolean label_isn(const Build *b, const char *key, guint64 *isn)
{
  const guint64 *v = g_hash_table_lookup(b->isn, key);
  if (v)
    *isn = *v;
  return v != NULL;
}

/* A TCP segment's numbers: relative seq (the SYN's too) and ack; sets
 * the message's group and range for bands. */
static void label_tcp_numbers(const Build *b, GString *out, const char *tcp, const EvHdr *h, LadderMsg *m)
{
  const char *flags = strchr(tcp, '['), *seq = strstr(tcp, " seq "), *ack = strstr(tcp, " ack ");
  const char *len = g_strrstr(tcp, " len ");
  gboolean syn = flags && strchr(flags, 'S') && strchr(flags, 'S') < strchr(flags, ']');
  guint64 s = seq ? g_ascii_strtoull(seq + 5, NULL, 10) : 0, a = ack ? g_ascii_strtoull(ack + 5, NULL, 10) : 0;
  guint64 n = len ? g_ascii_strtoull(len + 5, NULL, 10) : 0, isn = 0;
  char *mine = g_strdup_printf("%s:%u>%s:%u", h->src, h->sp, h->dst, h->dp);
  char *theirs = g_strdup_printf("%s:%u>%s:%u", h->dst, h->dp, h->src, h->sp);
  if (syn && label_isn(b, mine, &isn))
    s -= isn;
  if (syn && ack && label_isn(b, theirs, &isn))
    a -= isn;
  if (seq)
    g_string_append_printf(out, n ? " seq %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT : " seq %" G_GUINT64_FORMAT, s,
                           s + n);
  if (ack)
    g_string_append_printf(out, " ack %" G_GUINT64_FORMAT, a);
  size_t nflags = flags ? strcspn(flags, "]") : 0;
  m->plain = flags && strcspn(flags, "SRF") > nflags;
  m->group = n ? "segments" : "ACKs";
  m->range = n ? "seq" : "ack";
  m->lo = n ? s : a;
  m->hi = n ? s + n : a;
  g_free(mine);
  g_free(theirs);
}

/* The words of `from` up to (not including) the first of `stops`, or all. */
static void label_until(GString *out, const char *from, const char *const *stops)
{
  size_t n = strlen(from);
  for (const char *const *s = stops; *s; s++) {
    const char *at = strstr(from, *s);
    if (at && (size_t)(at - from) < n)
      n = (size_t)(at - from);
  }
  g_string_append_len(out, from, (gssize)n);
}

/* ICMP, ARP, UDP and what else: the headers from the protocol's name. */
static void label_other(GString *out, const char *headers, const char *ip_payload, LadderMsg *m)
{
  static const char *const arp_stops[] = {" tell ", NULL}, *const icmp_stops[] = {" id ", NULL};
  static const char *const udp_stops[] = {": ", NULL};
  if (strncmp(headers, "ARP reply ", 10) == 0)
    g_string_append_printf(out, "ARP %s", headers + 10);
  else if (strncmp(headers, "ARP", 3) == 0)
    label_until(out, headers, arp_stops);
  else if (ip_payload && strncmp(ip_payload, "ICMP echo", 9) == 0) {
    label_until(out, ip_payload, icmp_stops);
    const char *seq = strstr(ip_payload, " seq ");
    if (seq)
      g_string_append(out, seq);
  } else if (ip_payload && strncmp(ip_payload, "UDP ", 4) == 0) {
    label_until(out, ip_payload, udp_stops);
    m->plain = TRUE;
    m->group = "datagrams";
  } else
    g_string_append(out, ip_payload ? ip_payload : headers);
}

/* What follows an IPv4 header's fields (DF, frag off N, MF) in `headers`. */
static const char *label_ip_payload(const char *headers, gboolean *fragment)
{
  static const char *const protos[] = {" TCP ", " UDP ", " ICMP ", " OSPF", " proto "};
  const char *best = NULL;
  *fragment = strstr(headers, " frag off ") != NULL;
  for (guint i = 0; i < G_N_ELEMENTS(protos); i++) {
    const char *at = strstr(headers, protos[i]);
    if (at && (!best || at < best))
      best = at;
  }
  return best ? best + 1 : NULL;
}

/* The HTTP start line a TCP segment's line ends with (": HTTP: GET /x
 * HTTP/1.1", trace_tcp.c) in short: "HTTP GET /x", "HTTP 200 OK". */
static char *label_http(const char *start)
{
  if (strncmp(start, "HTTP/1.", 7) == 0 && strlen(start) > 9)
    return g_strdup_printf("HTTP %s", start + 9);
  const char *v = g_strrstr(start, " HTTP/1.");
  return g_strdup_printf("HTTP %.*s", (int)(v ? v - start : (ptrdiff_t)strlen(start)), start);
}

/* Sets the message's label (and group, range and plainness) from the
 * headers of the packet's line (`all`); a segment that starts an HTTP
 * message is labelled by it first and never merges into a band. */
static void build_label(const Build *b, const char *all, LadderMsg *m)
{
  const char *http = strstr(all, ": HTTP: ");
  char *headers = http ? g_strndup(all, (gsize)(http - all)) : g_strdup(all);
  GString *out = g_string_new(NULL);
  gboolean fragment = FALSE;
  const char *payload = strncmp(headers, "IPv4 ", 5) == 0 ? label_ip_payload(headers, &fragment) : NULL;
  EvHdr h;
  if (fragment)
    g_string_append(out, "fragment: ");
  if (payload && strncmp(payload, "TCP ", 4) == 0 && ev_hdr(headers, &h) && strchr(payload, '[')) {
    label_tcp_flags(out, strchr(payload, '[') + 1);
    label_tcp_numbers(b, out, payload, &h, m);
  } else if (fragment && !payload)
    label_until(out, strstr(headers, " frag off ") + 1, (const char *const[]){" MF", NULL});
  else
    label_other(out, headers, payload, m);
  if (http) {
    char *what = label_http(http + 8);
    g_string_prepend(g_string_insert(g_string_append_c(out, ')'), 0, " ("), what);
    m->plain = FALSE;
    g_free(what);
  }
  if (out->len > LADDER_LABEL_MAX) {
    g_string_truncate(out, LADDER_LABEL_MAX - 3);
    g_string_append(out, "...");
  }
  m->label = g_string_free(out, FALSE);
  g_free(headers);
}

static const Ev *build_ev(const Build *b, const GArray *list, guint k)
{
  return &g_array_index(b->evs, Ev, g_array_index(list, guint, k));
}

/* The lane of node `node` + 1, or 0 when it was not chosen. */
static guint build_lane(const Build *b, guint node)
{
  return node < b->names->len ? b->lane_of[node] : 0;
}

/* TRUE when `flows` (trace.tags' "a,b", or NULL) holds `name`. */
static gboolean build_flows_have(const char *flows, const char *name)
{
  size_t n = strlen(name);
  for (const char *at = flows; at && *at; at += strcspn(at, ",") + (at[strcspn(at, ",")] == ',')) {
    if (strncmp(at, name, n) == 0 && (at[n] == ',' || at[n] == '\0'))
      return TRUE;
  }
  return FALSE;
}

/* TRUE when the packet of line `e` is of the chosen flow (or none was):
 * of the app's flow (trace.tags says so), or to or from the port. */
static gboolean build_flow_ok(const Build *b, const Ev *e)
{
  if (!b->q->flow)
    return TRUE;
  if (b->flow_by_name)
    return build_flows_have(e->flows, b->q->flow);
  EvHdr h;
  if (!ev_hdr(e->headers, &h) || !h.l4)
    return FALSE;
  const char *colon = strrchr(b->q->flow, ':');
  guint port = (guint)g_ascii_strtoull(colon ? colon + 1 : b->q->flow, NULL, 10);
  size_t alen = colon ? (size_t)(colon - b->q->flow) : 0;
  gboolean src = h.sp == port && (!colon || (strlen(h.src) == alen && strncmp(h.src, b->q->flow, alen) == 0));
  gboolean dst = h.dp == port && (!colon || (strlen(h.dst) == alen && strncmp(h.dst, b->q->flow, alen) == 0));
  return src || dst;
}

/* Adds a message from lane `from` to lane `to` (indices) if it leaves
 * within the window; takes `note`. Returns it (until the next is added),
 * or NULL. */
static LadderMsg *build_add(Build *b, const Ev *first, guint from, guint to, SimTime t0, SimTime t1, LadderEnd end,
                            char *note)
{
  const LadderQuery *q = b->q;
  if ((q->from >= 0 && t0 < q->from) || (q->to >= 0 && t0 > q->to) || !build_flow_ok(b, first)) {
    g_free(note);
    return NULL;
  }
  LadderMsg m = {.from = from, .to = to, .t0 = t0, .t1 = t1, .end = end, .retransmit = first->retransmit};
  m.note = note;
  build_label(b, first->headers, &m);
  if (first->dup_ack) {
    char *label = g_strdup_printf("%s (dup)", m.label);
    g_free(m.label);
    m.label = label;
    m.group = "duplicate ACKs";
  }
  ladder_add(b->ladder, &m);
  return &g_array_index(b->ladder->msgs, LadderMsg, b->ladder->msgs->len - 1);
}

/* With --layers: the lane of `layer` of chosen node `node`. */
static guint build_lane_at(const Build *b, guint node, guint layer)
{
  return b->layer_lane[node * LAYER_N + layer] - 1;
}

/* The layer a packet starts in and ends in: the application for a
 * segment that starts an HTTP message, TCP and UDP's, ARP's link, else
 * (ICMP, OSPF, fragments) IPv4's. */
static guint build_top(const char *headers)
{
  EvHdr h;
  if (strstr(headers, ": HTTP: "))
    return LAYER_APP;
  if (strncmp(headers, "ARP", 3) == 0)
    return LAYER_LINK;
  return ev_hdr(headers, &h) && h.l4 && !strstr(headers, " frag off ") ? LAYER_TRANSPORT : LAYER_INTERNET;
}

/* Appends the point (lane, t) to `path` unless it is the last one again. */
static void path_add(GArray *path, guint lane, SimTime t)
{
  LadderStop s = {lane, t};
  const LadderStop *last = path->len ? &g_array_index(path, LadderStop, path->len - 1) : NULL;
  if (!last || last->lane != lane || last->t != t)
    g_array_append_val(path, s);
}

/* Adds the message along `path` (taken): from its first point to its
 * last, through the others. */
static void build_add_path(Build *b, const Ev *first, GArray *path, LadderEnd end, char *note)
{
  LadderStop s0 = g_array_index(path, LadderStop, 0), s1 = g_array_index(path, LadderStop, path->len - 1);
  LadderMsg *m = path->len >= 2 ? build_add(b, first, s0.lane, s1.lane, s0.t, s1.t, end, note) : NULL;
  if (!m || path->len <= 2) {
    g_array_free(path, TRUE);
    return;
  }
  g_array_remove_index(path, path->len - 1);
  g_array_remove_index(path, 0);
  m->via = path;
}

/* The node a packet is for: the owner of its IPv4 destination, or of the
 * address an ARP request asks for; -1 when unknown. */
static int build_dest(const Build *b, const char *headers)
{
  char addr[16] = "";
  EvHdr h;
  if (ev_hdr(headers, &h))
    g_strlcpy(addr, h.dst, sizeof addr);
  else if (sscanf(headers, "ARP who-has %15s", addr) != 1)
    return -1;
  gpointer v = g_hash_table_lookup(b->addr_node, addr);
  return v ? (int)GPOINTER_TO_UINT(v) - 1 : -1;
}

/* The line at which packet `list` leaves its first node: its first tx
 * there, else its first line. */
static guint build_departure(const Build *b, const GArray *list)
{
  guint origin = build_ev(b, list, 0)->node;
  for (guint k = 0; k < list->len && build_ev(b, list, k)->node == origin; k++)
    if (build_ev(b, list, k)->verb == EV_TX)
      return k;
  return 0;
}

/* When packet `list` leaves its first node. */
static SimTime build_leaves(const Build *b, const GArray *list)
{
  return build_ev(b, list, build_departure(b, list))->time;
}

/* With --layers: a new path, down the sender's stack: from the
 * packet's top layer at its first line, through the layer of each line
 * on its first node, to its departure. */
static GArray *build_path_sender(const Build *b, const GArray *list)
{
  GArray *path = g_array_new(FALSE, FALSE, sizeof(LadderStop));
  const Ev *first = build_ev(b, list, 0);
  path_add(path, build_lane_at(b, first->node, build_top(first->headers)), first->time);
  for (guint k = 0, dep = build_departure(b, list); k <= dep; k++) {
    const Ev *e = build_ev(b, list, k);
    path_add(path, build_lane_at(b, e->node, e->layer), e->time);
  }
  return path;
}

/* With --layers: the path up node `node`'s stack from line `start`: the
 * layer of each of its lines about the packet, until it sends it on (its
 * tx, included) or drops it, and the packet's top layer after its
 * delivery. Returns the last line it took (a drop ends the message). */
static const Ev *build_path_receiver(const Build *b, const GArray *list, guint node, guint start, GArray *path)
{
  const Ev *last = NULL;
  for (guint k = start; k < list->len; k++) {
    const Ev *e = build_ev(b, list, k);
    if (e->node != node)
      continue;
    path_add(path, build_lane_at(b, node, e->layer), e->time);
    last = e;
    if (e->verb == EV_DROP || e->verb == EV_TX)
      break;
  }
  if (last && last->verb == EV_DELIVER)
    path_add(path, build_lane_at(b, node, build_top(last->headers)), last->time);
  return last;
}

/* End to end: packet `list` reaching lane node `node` (not its sender):
 * FALSE when no line of that node is about it, or it was not for it. */
static gboolean build_reach(Build *b, const GArray *list, guint node, guint origin, SimTime t0)
{
  const Ev *first = build_ev(b, list, 0), *at = NULL, *drop = NULL;
  for (guint k = 1; k < list->len; k++) {
    const Ev *e = build_ev(b, list, k);
    if (e->node != node)
      continue;
    if (!at)
      at = e;
    if (e->verb == EV_DROP && !drop)
      drop = e;
  }
  if (!at || (drop && g_strcmp0(drop->reason, "other-mac") == 0))
    return FALSE;
  guint from = build_lane(b, origin) - 1, to = build_lane(b, node) - 1;
  if (b->q->layers) {
    GArray *path = build_path_sender(b, list);
    build_path_receiver(b, list, node, 1, path);
    build_add_path(b, first, path, drop ? LADDER_DROPPED : LADDER_ARRIVED, drop ? g_strdup(drop->reason) : NULL);
    return TRUE;
  }
  if (drop)
    build_add(b, first, from, to, t0, drop->time, LADDER_DROPPED, g_strdup(drop->reason));
  else
    build_add(b, first, from, to, t0, at->time, LADDER_ARRIVED, NULL);
  return TRUE;
}

/* End to end: a packet for a chosen node that reached none is lost,
 * where it was dropped or after its last line. */
static void build_lost(Build *b, const GArray *list, guint origin, SimTime t0)
{
  const Ev *first = build_ev(b, list, 0), *last = build_ev(b, list, list->len - 1);
  int dest = build_dest(b, first->headers);
  if (dest < 0 || (guint)dest == origin || !build_lane(b, (guint)dest))
    return;
  char *note = NULL;
  for (guint k = 0; k < list->len && !note; k++) {
    const Ev *e = build_ev(b, list, k);
    if (e->verb == EV_DROP && g_strcmp0(e->reason, "other-mac") != 0) {
      note = g_strdup_printf("%s: %s", (const char *)g_ptr_array_index(b->names, e->node), e->reason ? e->reason : "?");
      last = e;
    }
  }
  if (b->q->layers) {
    GArray *path = build_path_sender(b, list);
    path_add(path, build_lane_at(b, (guint)dest, LAYER_LINK), last->time);
    build_add_path(b, first, path, LADDER_LOST, note);
    return;
  }
  build_add(b, first, build_lane(b, origin) - 1, build_lane(b, (guint)dest) - 1, t0, last->time, LADDER_LOST, note);
}

/* End to end: a datagram whose first line is its delivery after
 * reassembly, from the sender of its first fragment. */
static void build_reassembled(Build *b, gint64 id, const GArray *list)
{
  const Ev *deliver = build_ev(b, list, 0);
  const gint64 *frag = g_hash_table_lookup(b->first_frag, &id);
  const GArray *flist = frag ? g_hash_table_lookup(b->by_id, frag) : NULL;
  if (!flist || deliver->verb != EV_DELIVER)
    return;
  guint origin = build_ev(b, flist, 0)->node;
  if (origin == deliver->node || !build_lane(b, origin) || !build_lane(b, deliver->node))
    return;
  guint before = b->ladder->msgs->len;
  if (b->q->layers) {
    GArray *path = build_path_sender(b, flist);
    path_add(path, build_lane_at(b, deliver->node, LAYER_LINK), deliver->time); /* its last fragment's arrival */
    path_add(path, build_lane_at(b, deliver->node, deliver->layer), deliver->time);
    path_add(path, build_lane_at(b, deliver->node, build_top(deliver->headers)), deliver->time);
    build_add_path(b, deliver, path, LADDER_ARRIVED, NULL);
  } else
    build_add(b, deliver, build_lane(b, origin) - 1, build_lane(b, deliver->node) - 1, build_leaves(b, flist),
              deliver->time, LADDER_ARRIVED, NULL);
  if (b->ladder->msgs->len == before)
    return;
  LadderMsg *m = &g_array_index(b->ladder->msgs, LadderMsg, before);
  char *label = g_strdup_printf("%s (in fragments)", m->label);
  g_free(m->label);
  m->label = label;
}

/* End to end: packet `id`'s messages (its lines `list`). Fragments are
 * drawn as their datagram, when it is delivered. */
static void build_e2e(Build *b, gint64 id, const GArray *list)
{
  const Ev *first = build_ev(b, list, 0);
  guint origin = first->node;
  if (first->frag_of)
    return;
  if (g_hash_table_contains(b->first_frag, &id)) {
    build_reassembled(b, id, list);
    return;
  }
  if (!build_lane(b, origin) || (first->verb != EV_SEND && first->verb != EV_TX && first->verb != EV_ENQ))
    return;
  SimTime t0 = build_leaves(b, list);
  gboolean reached = FALSE;
  for (guint n = 0; n < b->names->len; n++)
    if (n != origin && build_lane(b, n))
      reached |= build_reach(b, list, n, origin, t0);
  if (!reached)
    build_lost(b, list, origin, t0);
}

/* TRUE when node `node` has a `tx` line in packet `list`. */
static gboolean build_node_sends(const Build *b, const GArray *list, guint node)
{
  for (guint k = 0; k < list->len; k++)
    if (build_ev(b, list, k)->node == node && build_ev(b, list, k)->verb == EV_TX)
      return TRUE;
  return FALSE;
}

/* Hop by hop: which lines of packet `list` are departures and arrivals. A
 * `fwd` without a `tx` of its node (a hub's repeat) departs too. */
static void build_hop_kinds(const Build *b, const GArray *list, gboolean *dep, gboolean *arr)
{
  gboolean any_tx = FALSE, any_rx = FALSE;
  for (guint k = 0; k < list->len; k++) {
    any_tx |= build_ev(b, list, k)->verb == EV_TX;
    any_rx |= build_ev(b, list, k)->verb == EV_RX;
  }
  guint origin = build_ev(b, list, 0)->node;
  for (guint k = 0; k < list->len; k++) {
    const Ev *e = build_ev(b, list, k);
    gboolean first_here = TRUE;
    for (guint j = 0; j < k && first_here; j++)
      first_here = build_ev(b, list, j)->node != e->node;
    dep[k] = any_tx ? e->verb == EV_TX || (e->verb == EV_FWD && !build_node_sends(b, list, e->node))
                    : e->verb == EV_SEND || e->verb == EV_FWD;
    arr[k] = e->verb == EV_RX || (first_here && e->node != origin && (!any_rx || e->verb == EV_DROP));
  }
}

/* Hop by hop: the departure an arrival at line `k` comes from: the latest
 * unpaired one on another chosen node, else the latest; -1: none. */
static int build_hop_from(const Build *b, const GArray *list, const gboolean *dep, gboolean *paired, guint k)
{
  guint node = build_ev(b, list, k)->node;
  int latest = -1;
  for (int j = (int)k - 1; j >= 0; j--) {
    const Ev *e = build_ev(b, list, (guint)j);
    if (!dep[j] || e->node == node || !build_lane(b, e->node))
      continue;
    if (latest < 0)
      latest = j;
    if (!paired[j]) {
      paired[j] = TRUE;
      return j;
    }
  }
  return latest;
}

/* Hop by hop: the drop that ends the visit of the arrival at line `k`
 * (before its node sends it on or receives it again), or NULL. */
static const Ev *build_hop_drop(const Build *b, const GArray *list, guint k)
{
  const Ev *a = build_ev(b, list, k);
  if (a->verb == EV_DROP)
    return a;
  for (guint j = k + 1; j < list->len; j++) {
    const Ev *e = build_ev(b, list, j);
    if (e->node != a->node)
      continue;
    if (e->verb == EV_TX || e->verb == EV_RX)
      return NULL;
    if (e->verb == EV_DROP)
      return e;
  }
  return NULL;
}

/* Hop by hop with --layers: the hop from departure line `j` to arrival
 * line `k`: down the sender's stack first when `j` is where the packet
 * left its first node, then across, then up the arriving node's stack
 * until it sends the packet on, drops or delivers it. */
static void build_hop_layers(Build *b, const GArray *list, guint j, guint k)
{
  const Ev *d = build_ev(b, list, j);
  GArray *path = NULL;
  if (j == build_departure(b, list))
    path = build_path_sender(b, list);
  else {
    path = g_array_new(FALSE, FALSE, sizeof(LadderStop));
    path_add(path, build_lane_at(b, d->node, d->layer), d->time);
  }
  const Ev *last = build_path_receiver(b, list, build_ev(b, list, k)->node, k, path);
  gboolean drop = last && last->verb == EV_DROP;
  build_add_path(b, d, path, drop ? LADDER_DROPPED : LADDER_ARRIVED, drop ? g_strdup(last->reason) : NULL);
}

/* Hop by hop: packet `list`'s messages. */
static void build_hops(Build *b, const GArray *list)
{
  gboolean *dep = g_new0(gboolean, list->len), *arr = g_new0(gboolean, list->len);
  gboolean *paired = g_new0(gboolean, list->len);
  build_hop_kinds(b, list, dep, arr);
  for (guint k = 0; k < list->len; k++) {
    const Ev *a = build_ev(b, list, k);
    int j = arr[k] && build_lane(b, a->node) ? build_hop_from(b, list, dep, paired, k) : -1;
    if (j < 0)
      continue;
    const Ev *d = build_ev(b, list, (guint)j), *drop = build_hop_drop(b, list, k);
    if (drop && g_strcmp0(drop->reason, "other-mac") == 0)
      continue;
    if (b->q->layers) {
      build_hop_layers(b, list, (guint)j, k);
      continue;
    }
    build_add(b, d, build_lane(b, d->node) - 1, build_lane(b, a->node) - 1, d->time, drop ? drop->time : a->time,
              drop ? LADDER_DROPPED : LADDER_ARRIVED, drop ? g_strdup(drop->reason) : NULL);
  }
  g_free(dep);
  g_free(arr);
  g_free(paired);
}

/* Gives node `node` its lane, or with --layers its four: top to bottom
 * for the first node, bottom to top for the others, so that two nodes'
 * links face each other. */
static void build_choose(Build *b, guint node)
{
  if (b->lane_of[node])
    return;
  const char *name = g_ptr_array_index(b->names, node);
  b->chosen++;
  if (!b->q->layers) {
    b->lane_of[node] = ladder_lane(b->ladder, name) + 1;
    return;
  }
  for (guint i = 0; i < LAYER_N; i++) {
    guint layer = b->chosen == 1 ? i : LAYER_N - 1 - i;
    char *lane = g_strdup_printf("%s %s", name, layer_names[layer]);
    b->layer_lane[node * LAYER_N + layer] = ladder_lane_in(b->ladder, lane, name) + 1;
    g_free(lane);
  }
  b->lane_of[node] = b->chosen;
}

/* Chooses the lanes: the query's nodes, in its order, each one some line
 * names; or, for a flow alone, the nodes that send or receive its packets
 * within the time window. */
static gboolean build_lanes(Build *b, GError **error)
{
  b->lane_of = g_new0(guint, b->names->len + 1);
  b->layer_lane = g_new0(guint, (b->names->len + 1) * LAYER_N);
  for (char **n = b->q->lanes; n && *n; n++) {
    gpointer v = g_hash_table_lookup(b->name_idx, *n);
    if (!v) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no line of the trace is about a node named '%s'", *n);
      return FALSE;
    }
    build_choose(b, GPOINTER_TO_UINT(v) - 1);
  }
  for (guint i = 0; i < b->evs->len && !b->q->lanes; i++) {
    const Ev *e = &g_array_index(b->evs, Ev, i);
    gboolean in_window = (b->q->from < 0 || e->time >= b->q->from) && (b->q->to < 0 || e->time <= b->q->to);
    if ((e->verb == EV_SEND || e->verb == EV_DELIVER) && in_window && build_flow_ok(b, e))
      build_choose(b, e->node);
  }
  if (b->chosen >= 2)
    return TRUE;
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "a ladder needs two nodes or more (found %u)", b->chosen);
  return FALSE;
}

static void ev_clear(gpointer p)
{
  Ev *e = p;
  g_free(e->headers);
  g_free(e->reason);
  g_free(e->flows);
}

static void build_free(Build *b)
{
  g_array_free(b->evs, TRUE);
  g_hash_table_destroy(b->by_id);
  g_array_free(b->ids, TRUE);
  g_hash_table_destroy(b->addr_node);
  g_hash_table_destroy(b->isn);
  g_hash_table_destroy(b->last_ack);
  g_hash_table_destroy(b->dup_ids);
  g_hash_table_destroy(b->first_frag);
  g_hash_table_destroy(b->name_idx);
  g_ptr_array_free(b->names, TRUE);
  g_free(b->lane_of);
  g_free(b->layer_lane);
  g_strfreev(b->tags);
  g_strfreev(b->flow_names);
}

static void build_init(Build *b, const LadderQuery *q)
{
  *b = (Build){.q = q, .ladder = ladder_new()};
  b->names = g_ptr_array_new_with_free_func(g_free);
  b->name_idx = g_hash_table_new(g_str_hash, g_str_equal);
  b->evs = g_array_new(FALSE, FALSE, sizeof(Ev));
  g_array_set_clear_func(b->evs, ev_clear);
  b->by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
  b->ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  b->addr_node = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->isn = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  b->last_ack = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->dup_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  b->first_frag = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

/* The messages of every packet, in the order the packets first appear. */
static void build_messages(Build *b)
{
  for (guint i = 0; i < b->ids->len; i++) {
    gint64 id = g_array_index(b->ids, gint64, i);
    const GArray *list = g_hash_table_lookup(b->by_id, &id);
    if (b->q->hops)
      build_hops(b, list);
    else
      build_e2e(b, id, list);
  }
  ladder_sort(b->ladder);
}

#define LADDER_NO_SEND                                                                                                 \
  "; no line shows a packet leaving a node (send or tx): trace the internet or link layer ('output: { trace: true "    \
  "}' traces all)"

/* TRUE when some line shows a packet leaving a node. */
static gboolean build_departures(const Build *b)
{
  for (guint i = 0; i < b->evs->len; i++) {
    EvVerb v = g_array_index(b->evs, Ev, i).verb;
    if (v == EV_SEND || v == EV_TX)
      return TRUE;
  }
  return FALSE;
}

/* TRUE when `flow` is a port (5001) or ADDR:PORT (10.0.0.2:5001). */
static gboolean build_flow_is_port(const char *flow)
{
  const char *colon = strrchr(flow, ':');
  const char *port = colon ? colon + 1 : flow;
  guint64 v = 0;
  return g_ascii_string_to_unsigned(port, 10, 1, 65535, &v, NULL) && (!colon || colon > flow);
}

/* Checks a --flow value: a port, ADDR:PORT or the name of an app's flow
 * that trace.tags names. */
static gboolean build_flow_valid(Build *b, GError **error)
{
  const char *flow = b->q->flow;
  if (!flow || build_flow_is_port(flow))
    return TRUE;
  b->flow_by_name = b->flow_names && g_strv_contains((const char *const *)b->flow_names, flow);
  if (b->flow_by_name)
    return TRUE;
  char *names = b->flow_names && *b->flow_names ? g_strjoinv(", ", b->flow_names) : g_strdup("none");
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
              "--flow %s: expected a port (5001), ADDRESS:PORT (10.0.0.2:5001) or an app's name %s%s%s", flow,
              b->tags ? "(the trace's apps: " : "(the names are in trace.tags, which the run did not write",
              b->tags ? names : "", ")");
  g_free(names);
  return FALSE;
}

/* Reads trace.tags (`tags`, NULL: none) for the `n` lines of the trace:
 * a line each, after the header, whose "# flows:" line names the apps. */
static gboolean build_read_tags(Build *b, const char *tags, guint n, GError **error)
{
  if (!tags)
    return TRUE;
  char **all = g_strsplit(tags, "\n", -1);
  GPtrArray *kept = g_ptr_array_new();
  for (char **l = all; *l; l++) {
    if (g_str_has_prefix(*l, "# flows:") && !b->flow_names)
      b->flow_names = g_strsplit_set(g_strstrip(*l + 8), " ", -1);
    else if (**l && **l != '#')
      g_ptr_array_add(kept, g_strdup(*l));
  }
  g_strfreev(all);
  gboolean ok = kept->len == n;
  g_ptr_array_add(kept, NULL);
  b->tags = (char **)g_ptr_array_free(kept, FALSE);
  if (!ok)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "trace.tags does not match trace.txt (%u lines for %u)",
                g_strv_length(b->tags), n);
  return ok;
}

/* Reads the trace (and its tags) into events. */
static gboolean build_read(Build *b, const char *text, const char *tags, GError **error)
{
  char **lines = g_strsplit(text, "\n", -1);
  guint n = 0;
  for (char **l = lines; *l; l++)
    n += **l != '\0';
  gboolean ok = build_read_tags(b, tags, n, error) && build_flow_valid(b, error);
  for (guint i = 0, k = 0; ok && lines[i]; i++)
    if (*lines[i]) {
      build_line(b, lines[i], b->tags ? b->tags[k] : NULL);
      k++;
    }
  g_strfreev(lines);
  return ok;
}

Ladder *ladder_build(const char *text, const char *tags, const LadderQuery *q, GError **error)
{
  Build b;
  build_init(&b, q);
  Ladder *ladder = b.ladder;
  if (build_read(&b, text, tags, error) && build_lanes(&b, error))
    build_messages(&b);
  else
    g_clear_pointer(&ladder, ladder_free);
  if (ladder && ladder->msgs->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no message between those nodes%s%s",
                q->from >= 0 || q->to >= 0 ? " in that time window" : "", build_departures(&b) ? "" : LADDER_NO_SEND);
    g_clear_pointer(&ladder, ladder_free);
  }
  if (ladder && q->layers)
    ladder_prune(ladder);
  build_free(&b);
  return ladder;
}
