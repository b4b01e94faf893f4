/*
 * The text trace: one line per packet event, its headers decoded layer by
 * layer from the packet's real bytes into a compact tcpdump-like form:
 *
 *   <time> <node> <iface or -> <verb> #<id>[ (<how> #<parent>)] <headers>[ reason <drop reason>]
 *   <time> <node> <iface or -> note <text>
 *
 * This file assembles the lines: the time (seconds with exactly nine
 * decimals, printed from the integer nanoseconds, no floating point), the
 * node, the interface, the verb, the headers, the drop reason; and the
 * number and address formatting the decoders share. The headers come
 * from one decoder per protocol (trace_decode.h), the first chosen by a
 * plain switch on where the bytes start (TraceFrom): trace_ether.c
 * (Ethernet II, then by ethertype), trace_arp.c, trace_ipv4.c (then by
 * protocol), trace_icmp.c, trace_udp.c (then by port), trace_tcp.c,
 * trace_rip.c (UDP 520), trace_ospf.c (IP protocol 89). Decoding never reads
 * outside the bytes given: a short or inconsistent header prints a
 * `[truncated ...]` or `[bad ...]` marker and decoding stops there.
 *
 * TCP sequence numbers are tcpdump's default, relative: each Trace keeps
 * the ISNs of the SYNs it has shown (trace_tcp.c), SYNs show the absolute
 * ISN and later segments of the connection count from it (seq 1:1449,
 * ack 1), as TCP's retransmission notes do. trace_format_line() and
 * trace_format_packet() keep no state and show absolute numbers, as
 * tcpdump -S (expect evidence, tests).
 *
 * Filters and tags: before formatting a packet line, trace_packet()
 * reads its key (trace_flow.h: MACs, protocol, addresses, ports; a later
 * fragment's ports from its datagram's first fragment) and checks the
 * filters of Trace.filter (time window, node, interface, packet id and
 * its children, flow); the protocols and notes are checked once formatted
 * (notes are few; the protocols are those the headers show, as ipsim
 * trace --proto reads them: trace_shows_proto()). A TCP line left out is
 * still decoded, so that the SYNs' ISNs are known and sequence numbers
 * are relative as in the whole trace.
 * A line written gets its line in DIR/trace.tags when trace_set_tags()
 * gave one: its layer, the names of the apps' flows it belongs to, its key.
 *
 * Entry points: trace_new(), trace_add_flow(), trace_set_tags(),
 * trace_set_echo_id() (a ping's flow); trace_packet() and trace_note() (on
 * the packet path, after trace_wants()); trace_format_line(),
 * trace_format_packet() and trace_format_time() (also for evidence in
 * expect failures and for tests, without ids); trace_format_id();
 * trace_format_macs() (also for ipsim trace -e); trace_verb_name(),
 * trace_layer_name(); trace_free().
 *
 * Cost: trace_packet() formats into one GString kept in the Trace and
 * writes it with one fwrite(); numbers and addresses are formatted by hand,
 * not through printf. The tags cost a second, shorter line per line
 * (printf'd); a trace that is off costs what trace_wants() costs.
 *
 * The decoders follow the wire formats of RFC 894 (Ethernet), RFC 826
 * (ARP), RFC 791 (IPv4), RFC 792 (ICMP), RFC 1191 (the MTU in
 * fragmentation needed), RFC 768 (UDP), RFC 9293 (TCP), RFC 7323 (window
 * scale, timestamps), RFC 2018 (SACK), RFC 2453 (RIP), RFC 2328 (OSPFv2).
 * Leaves out: IPv4 options (skipped, not shown), checksum verification
 * (but OSPF's and its LSAs', which show `[bad checksum]`), IPv6 and VLAN
 * decoding.
 */
#include "models/observe/trace.h"

#include <stdarg.h>
#include <string.h>

#include "models/core/node.h"
#include "models/internet/ipv4_wire.h"
#include "models/link/ethernet_wire.h"
#include "models/observe/trace_decode.h"

#define TRACE_NS_PER_S UINT64_C(1000000000)

static const char *const trace_verb_names[] = {
    [TRACE_ENQ] = "enq", [TRACE_TX] = "tx",           [TRACE_RX] = "rx",     [TRACE_SEND] = "send",
    [TRACE_FWD] = "fwd", [TRACE_DELIVER] = "deliver", [TRACE_DROP] = "drop",
};

/* Creates a trace writing to `out`, showing the TRACE_* layers in
 * `layers`, with an empty table of TCP ISNs; the trace closes `out` when
 * freed if `own_out`. */
Trace *trace_new(FILE *out, gboolean own_out, guint layers)
{
  Trace *t = g_new0(Trace, 1);
  t->out = out;
  t->own_out = own_out;
  t->layers = layers;
  t->line = g_string_sized_new(256);
  t->tcp_seqs = trace_tcp_seqs_new();
  t->filter.from = t->filter.to = -1;
  t->flows = g_ptr_array_new_with_free_func((GDestroyNotify)trace_flow_free);
  t->tag = g_string_sized_new(96);
  t->frag_ports = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  return t;
}

/* The ICMP app `app` (ping, traceroute) uses echo identifier `id`: its
 * flow is the echoes of that identifier. NULL-safe. */
void trace_set_echo_id(Trace *t, const char *app, uint16_t id)
{
  if (!t)
    return;
  for (guint i = 0; i < t->flows->len; i++) {
    TraceFlow *f = g_ptr_array_index(t->flows, i);
    if (f->proto == IPPROTO_ICMP_NUM && strcmp(f->name, app) == 0) {
      f->port = id;
      f->waiting = FALSE;
    }
  }
  TraceFlow *f = t->filter.flow;
  if (f && f->name && f->proto == IPPROTO_ICMP_NUM && strcmp(f->name, app) == 0) {
    f->port = id;
    f->waiting = FALSE;
  }
}

/* Adds an application's flow (named), which trace.tags names on its lines. Takes `flow`. */
void trace_add_flow(Trace *t, TraceFlow *flow)
{
  g_ptr_array_add(t->flows, flow);
}

/* Writes a line to DIR/trace.tags for every line written from now on;
 * writes its header (the fields, the flows added). Takes `tags`. */
void trace_set_tags(Trace *t, FILE *tags)
{
  t->tags = tags;
  fputs("# ipsim trace.tags: a line per line of trace.txt: layer flows src-mac dst-mac proto src sport dst dport\n"
        "# flows:",
        tags);
  for (guint i = 0; i < t->flows->len; i++)
    fprintf(tags, " %s", ((const TraceFlow *)g_ptr_array_index(t->flows, i))->name);
  fputc('\n', tags);
}

/* The protocols a filter may name, and how a line's headers show them. */
static const char *const trace_protos[][2] = {
    {"arp", " ARP "}, {"ipv4", " IPv4 "}, {"icmp", " ICMP "}, {"udp", " UDP "},
    {"tcp", " TCP "}, {"rip", " RIPv2 "}, {"ospf", " OSPF"},  {"stp", " STP "},
};

/* TRUE when `proto` is one a filter may name: arp, ipv4, icmp, udp, tcp, rip, ospf, stp. */
gboolean trace_proto_known(const char *proto)
{
  for (guint i = 0; i < G_N_ELEMENTS(trace_protos); i++)
    if (strcmp(proto, trace_protos[i][0]) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE when the text after a packet line's verb (`rest`: its id and
 * headers) shows one of the protocols of `protos` (NULL-terminated). */
gboolean trace_shows_proto(const char *rest, char **protos)
{
  char *padded = g_strdup_printf(" %s ", rest);
  gboolean ok = FALSE;
  for (char **p = protos; *p && !ok; p++)
    for (guint i = 0; i < G_N_ELEMENTS(trace_protos) && !ok; i++)
      ok = strcmp(*p, trace_protos[i][0]) == 0 && strstr(padded, trace_protos[i][1]);
  g_free(padded);
  return ok;
}

/* Returns the name of one TRACE_* layer: link, internet, transport, app, routing. */
const char *trace_layer_name(TraceLayer layer)
{
  static const char *const names[] = {"link", "internet", "transport", "app", "routing"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (layer == 1u << i)
      return names[i];
  return "?";
}

/* Flushes the output (closing it when owned) and frees the trace. NULL-safe. */
void trace_free(Trace *t)
{
  if (!t)
    return;
  if (t->out && t->own_out)
    fclose(t->out);
  else if (t->out)
    fflush(t->out);
  if (t->tags)
    fclose(t->tags);
  g_string_free(t->line, TRUE);
  g_string_free(t->tag, TRUE);
  g_hash_table_destroy(t->frag_ports);
  g_strfreev(t->filter.nodes);
  g_strfreev(t->filter.ifaces);
  g_strfreev(t->filter.protos);
  trace_flow_free(t->filter.flow);
  g_ptr_array_unref(t->flows);
  trace_tcp_seqs_free(t->tcp_seqs);
  g_free(t);
}

/* Returns the word a trace line uses for `verb`. */
const char *trace_verb_name(TraceVerb verb)
{
  g_return_val_if_fail((guint)verb < G_N_ELEMENTS(trace_verb_names), "?");
  return trace_verb_names[verb];
}

/* ---- formatting helpers ------------------------------------------------ */

/* Appends `v` in decimal. */
void trace_append_uint(GString *out, uint64_t v)
{
  char buf[20];
  size_t i = sizeof buf;

  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  g_string_append_len(out, buf + i, (gssize)(sizeof buf - i));
}

/* Appends `s` followed by `v` in decimal: the "ttl 63" pattern. */
void trace_append_field(GString *out, const char *s, uint64_t v)
{
  g_string_append(out, s);
  trace_append_uint(out, v);
}

/* Appends the IPv4 address `addr` (host byte order) in dotted quad. */
void trace_append_ipv4(GString *out, uint32_t addr)
{
  for (int shift = 24; shift >= 0; shift -= 8) {
    trace_append_uint(out, (addr >> shift) & 0xff);
    if (shift)
      g_string_append_c(out, '.');
  }
}

/* Appends `n` lowercase hexadecimal digits of `v`. */
void trace_append_hex(GString *out, uint32_t v, int n)
{
  static const char digits[] = "0123456789abcdef";

  for (int i = n - 1; i >= 0; i--)
    g_string_append_c(out, digits[(v >> (4 * i)) & 0xf]);
}

/* Appends the MAC address `mac` as six colon-separated hex pairs. */
void trace_append_mac(GString *out, const uint8_t *mac)
{
  for (int i = 0; i < ETH_ADDR_LEN; i++) {
    if (i)
      g_string_append_c(out, ':');
    trace_append_hex(out, mac[i], 2);
  }
}

/* Appends the marker for a header of `what` cut short at `len` bytes. */
void trace_append_truncated(GString *out, const char *what, size_t len)
{
  g_string_append(out, what);
  trace_append_field(out, "[truncated, ", len);
  g_string_append(out, len == 1 ? " byte]" : " bytes]");
}

/* Appends the time `t` (nanoseconds) as seconds with nine decimals,
 * "2.000512000", without floating point. */
void trace_format_time(GString *out, SimTime t)
{
  uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
  uint64_t ns = mag % TRACE_NS_PER_S;
  char frac[10];

  if (t < 0)
    g_string_append_c(out, '-');
  trace_append_uint(out, mag / TRACE_NS_PER_S);
  frac[0] = '.';
  for (int i = 9; i >= 1; i--) {
    frac[i] = (char)('0' + ns % 10);
    ns /= 10;
  }
  g_string_append_len(out, frac, sizeof frac);
}

/* Appends the headers of the packet in `data` (`len` bytes, starting at
 * the layer `from` names), TCP numbers relative through `seqs` (NULL:
 * absolute). Reads only data[0..len). */
static void trace_decode_from(GString *out, TraceTcpSeqs *seqs, TraceFrom from, const uint8_t *data, size_t len)
{
  if (!data)
    len = 0;
  switch (from) {
  case TRACE_FROM_ETHERNET:
    trace_decode_ether(out, seqs, data, len);
    break;
  case TRACE_FROM_IPV4:
    trace_decode_ipv4(out, seqs, data, len);
    break;
  case TRACE_FROM_PPP:
    trace_decode_ppp(out, seqs, data, len);
    break;
  }
}

/* Appends the headers of the packet in `data` (`len` bytes, starting at
 * the layer `from` names), layer by layer, without a newline, without
 * state: TCP sequence numbers absolute (tcpdump -S). Reads only
 * data[0..len). */
void trace_format_packet(GString *out, TraceFrom from, const uint8_t *data, size_t len)
{
  trace_decode_from(out, NULL, from, data, len);
}

/* Appends "<time> <node> <iface or -> ": the start of every line. */
static void trace_format_prefix(GString *out, SimTime now, const Node *node, const Iface *iface)
{
  trace_format_time(out, now);
  g_string_append_c(out, ' ');
  g_string_append(out, node ? node->name : "-");
  g_string_append_c(out, ' ');
  g_string_append(out, iface ? iface->name : "-");
  g_string_append_c(out, ' ');
}

/* Appends the packet's id, "#12 ", and how it was made from its parent
 * when it was: "#12 (frag of #9) ", "#14 (error about #9) ",
 * "#20 (retransmit of #17) ", "#21 (reply to #3) "; "(retransmit) " when
 * the parent is not known. */
void trace_format_id(GString *out, const Packet *p)
{
  static const char *const words[] = {
      [PACKET_ORIGIN_FRAGMENT] = "frag",
      [PACKET_ORIGIN_ERROR] = "error",
      [PACKET_ORIGIN_RETRANSMIT] = "retransmit",
      [PACKET_ORIGIN_REPLY] = "reply",
  };
  static const char *const links[] = {
      [PACKET_ORIGIN_FRAGMENT] = " of #",
      [PACKET_ORIGIN_ERROR] = " about #",
      [PACKET_ORIGIN_RETRANSMIT] = " of #",
      [PACKET_ORIGIN_REPLY] = " to #",
  };
  trace_append_field(out, "#", packet_id(p));
  if (p->origin != PACKET_ORIGIN_NONE && p->origin < G_N_ELEMENTS(words)) {
    g_string_append(out, " (");
    g_string_append(out, words[p->origin]);
    if (p->parent)
      trace_append_field(out, links[p->origin], p->parent);
    g_string_append_c(out, ')');
  }
  g_string_append_c(out, ' ');
}

/* Appends the MAC addresses of a frame as tcpdump -e: "SRC > DST, ". */
void trace_format_macs(GString *out, const uint8_t *src, const uint8_t *dst)
{
  trace_append_mac(out, src);
  g_string_append(out, " > ");
  trace_append_mac(out, dst);
  g_string_append(out, ", ");
}

/* Appends one packet event line without its newline: time, node,
 * interface, verb, the id of `p` (when not NULL), the MACs of `macs`
 * (when not NULL), headers (through `seqs`, may be NULL) and, when
 * `reason` is not NULL, " reason " and the reason. */
static void trace_format_event(GString *out, TraceTcpSeqs *seqs, const TraceKey *macs, SimTime now, const Node *node,
                               const Iface *iface, TraceVerb verb, TraceFrom from, const Packet *p, const uint8_t *data,
                               size_t len, const char *reason)
{
  trace_format_prefix(out, now, node, iface);
  g_string_append(out, trace_verb_name(verb));
  g_string_append_c(out, ' ');
  if (p)
    trace_format_id(out, p);
  if (macs)
    trace_format_macs(out, macs->smac, macs->dmac);
  trace_decode_from(out, seqs, from, data, len);
  if (reason) {
    g_string_append(out, " reason ");
    g_string_append(out, reason);
  }
}

/* Appends one packet event line, as trace_packet() writes it but without
 * state (absolute TCP sequence numbers) and without its newline. */
void trace_format_line(GString *out, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                       const uint8_t *data, size_t len, const char *reason)
{
  trace_format_event(out, NULL, NULL, now, node, iface, verb, from, NULL, data, len, reason);
}

/* Writes the line held in t->line, with a newline. */
static void trace_write_line(Trace *t)
{
  g_string_append_c(t->line, '\n');
  fwrite(t->line->str, 1, t->line->len, t->out);
}

/* Returns the bytes of `p` that a line starting at `from` shows (their
 * length in *len): from the network header for TRACE_FROM_IPV4, even when
 * the layers above have pulled it; else the packet as it is. */
const uint8_t *trace_packet_bytes(const Packet *p, TraceFrom from, size_t *len)
{
  if (from == TRACE_FROM_IPV4)
    return packet_network(p, len);
  *len = packet_len(p);
  return p->data;
}

/* The text of a line after its verb: its id and headers. */
static const char *trace_line_rest(const char *line)
{
  const char *at = line;
  for (int i = 0; i < 4 && strchr(at, ' '); i++)
    at = strchr(at, ' ') + 1;
  return at;
}

/* Reads the key of a line's bytes (trace_flow.h). */
static void trace_line_key(TraceKey *k, TraceFrom from, const uint8_t *d, size_t len)
{
  if (from == TRACE_FROM_PPP && len >= 4 && d[2] == 0x00 && d[3] == 0x21)
    trace_key_of(k, FALSE, d + 4, len - 4);
  else
    trace_key_of(k, from == TRACE_FROM_ETHERNET, from == TRACE_FROM_PPP ? NULL : d, len);
}

/* A later fragment has no ports: it gets those of its datagram's first
 * fragment, seen before it (kept by the datagram's id, for the life of
 * the trace: a few bytes per fragmented datagram). */
static void trace_fragment_ports(Trace *t, const Packet *p, TraceKey *k)
{
  if (!p || p->origin != PACKET_ORIGIN_FRAGMENT || !p->parent || !k->ip)
    return;
  gint64 id = (gint64)p->parent;
  gint64 *key = NULL;
  gpointer ports = NULL;
  if (k->ports && !g_hash_table_contains(t->frag_ports, &id)) {
    key = g_new(gint64, 1);
    *key = id;
    g_hash_table_insert(t->frag_ports, key, GUINT_TO_POINTER((guint)k->sport << 16 | k->dport));
  } else if (!k->ports && g_hash_table_lookup_extended(t->frag_ports, &id, NULL, &ports)) {
    k->ports = TRUE;
    k->sport = (uint16_t)(GPOINTER_TO_UINT(ports) >> 16);
    k->dport = (uint16_t)GPOINTER_TO_UINT(ports);
  }
}

/* TRUE when "node:iface" (iface "-" for none) is in `list`. */
static gboolean trace_iface_in(char **list, const Node *node, const Iface *iface)
{
  const char *n = node ? node->name : "-", *i = iface ? iface->name : "-";
  size_t len = strlen(n);
  for (char **l = list; *l; l++)
    if (strncmp(*l, n, len) == 0 && (*l)[len] == ':' && strcmp(*l + len + 1, i) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE when a line at `now` on `node` (and `iface`, may be NULL) about `p` (may be NULL), of key `k`
 * (NULL for a note) or of the app `app` (an app line), passes the filters. */
static gboolean trace_keep(const Trace *t, SimTime now, const Node *node, const Iface *iface, const Packet *p,
                           const TraceKey *k, const char *app)
{
  const TraceFilter *f = &t->filter;
  if ((f->from >= 0 && now < f->from) || (f->to >= 0 && now > f->to))
    return FALSE;
  if (f->nodes && !g_strv_contains((const char *const *)f->nodes, node ? node->name : "-"))
    return FALSE;
  if (f->ifaces && !trace_iface_in(f->ifaces, node, iface))
    return FALSE;
  if (f->packet && (!p || (packet_id(p) != f->packet && p->parent != f->packet)))
    return FALSE;
  if (!f->flow)
    return TRUE;
  if (app)
    return f->flow->name && strcmp(app, f->flow->name) == 0;
  return k && trace_flow_match(f->flow, k);
}

/* Writes the line of trace.tags for the line just written: its layer, the
 * flows it belongs to (those whose packets it shows, or the app `app`
 * whose line it is) and its key (NULL: none). */
static void trace_write_tags(Trace *t, TraceLayer layer, const TraceKey *k, const char *app)
{
  static const TraceKey none;
  GString *s = t->tag;
  g_string_assign(s, trace_layer_name(layer));
  g_string_append_c(s, ' ');
  gsize at = s->len;
  for (guint i = 0; i < t->flows->len; i++) {
    const TraceFlow *f = g_ptr_array_index(t->flows, i);
    if (app ? strcmp(app, f->name) == 0 : k && trace_flow_match(f, k))
      g_string_append_printf(s, "%s%s", s->len > at ? "," : "", f->name);
  }
  if (s->len == at)
    g_string_append_c(s, '-');
  g_string_append_c(s, ' ');
  trace_key_format(s, k ? k : &none);
  g_string_append_c(s, '\n');
  fwrite(s->str, 1, s->len, t->tags);
}

/* Writes one line for a packet event, TCP sequence numbers relative to
 * the ISNs of the SYNs the trace has shown, when it passes the filters,
 * after calling the hook if any;
 * `layer` is the one the caller tested with trace_wants() (trace.tags
 * records it). The caller keeps the packet: it is only read. */
void trace_packet(Trace *t, TraceLayer layer, SimTime now, const Node *node, const Iface *iface, TraceVerb verb,
                  TraceFrom from, const Packet *p, const char *reason)
{
  if (!t)
    return;
  if (t->hook)
    t->hook(t->hook_data, now, node, iface, verb, from, p, reason);
  if (!t->out)
    return;
  size_t len = 0;
  const uint8_t *d = p ? trace_packet_bytes(p, from, &len) : NULL;
  TraceKey k;
  trace_line_key(&k, from, d, len);
  trace_fragment_ports(t, p, &k);
  gboolean keep = trace_keep(t, now, node, iface, p, &k, NULL);
  if (!keep && !(k.ip && k.proto == IPPROTO_TCP_NUM)) /* TCP's lines are decoded for its ISNs (relative numbers) */
    return;
  g_string_truncate(t->line, 0);
  trace_format_event(t->line, t->tcp_seqs, t->macs && k.eth ? &k : NULL, now, node, iface, verb, from, p, d, len,
                     reason);
  if (!keep || (t->filter.protos && !trace_shows_proto(trace_line_rest(t->line->str), t->filter.protos)))
    return;
  trace_write_line(t);
  if (t->tags)
    trace_write_tags(t, layer, &k, NULL);
}

/* Writes a note line of `layer`: "<time> <node> <iface or -> note " and
 * the text that `fmt` formats (a state change, such as a link going
 * down). An app's line ("NAME: text", layer app) belongs to its flow. */
void trace_note(Trace *t, TraceLayer layer, SimTime now, const Node *node, const Iface *iface, const char *fmt, ...)
{
  va_list ap;

  if (!t || !t->out)
    return;
  g_string_truncate(t->line, 0);
  trace_format_prefix(t->line, now, node, iface);
  g_string_append(t->line, "note ");
  gsize text = t->line->len;
  va_start(ap, fmt);
  g_string_append_vprintf(t->line, fmt, ap);
  va_end(ap);
  const char *colon = layer == TRACE_APP ? strchr(t->line->str + text, ':') : NULL;
  char *app = colon ? g_strndup(t->line->str + text, (gsize)(colon - t->line->str - text)) : NULL;
  if (!t->filter.protos && trace_keep(t, now, node, iface, NULL, NULL, app)) {
    trace_write_line(t);
    if (t->tags)
      trace_write_tags(t, layer, NULL, app);
  }
  g_free(app);
}
