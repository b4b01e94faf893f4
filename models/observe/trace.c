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
 * Entry points: trace_new(); trace_packet() and trace_note() (on the
 * packet path, after trace_wants()); trace_format_line(),
 * trace_format_packet() and trace_format_time() (also for evidence in
 * expect failures and for tests, without ids); trace_format_id();
 * trace_verb_name(); trace_free().
 *
 * Cost: trace_packet() formats into one GString kept in the Trace and
 * writes it with one fwrite(); numbers and addresses are formatted by hand,
 * not through printf.
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

#include "models/core/node.h"
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
  return t;
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
  g_string_free(t->line, TRUE);
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

/* Appends one packet event line without its newline: time, node,
 * interface, verb, the id of `p` (when not NULL), headers (through
 * `seqs`, may be NULL) and, when `reason` is not NULL, " reason " and the
 * reason. */
static void trace_format_event(GString *out, TraceTcpSeqs *seqs, SimTime now, const Node *node, const Iface *iface,
                               TraceVerb verb, TraceFrom from, const Packet *p, const uint8_t *data, size_t len,
                               const char *reason)
{
  trace_format_prefix(out, now, node, iface);
  g_string_append(out, trace_verb_name(verb));
  g_string_append_c(out, ' ');
  if (p)
    trace_format_id(out, p);
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
  trace_format_event(out, NULL, now, node, iface, verb, from, NULL, data, len, reason);
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

/* Writes one line for a packet event, TCP sequence numbers relative to
 * the ISNs of the SYNs the trace has shown, after calling the hook if any. The caller has tested
 * trace_wants() and keeps the packet: it is only read. */
void trace_packet(Trace *t, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                  const Packet *p, const char *reason)
{
  if (!t)
    return;
  if (t->hook)
    t->hook(t->hook_data, now, node, iface, verb, from, p, reason);
  if (!t->out)
    return;
  size_t len = 0;
  const uint8_t *d = p ? trace_packet_bytes(p, from, &len) : NULL;
  g_string_truncate(t->line, 0);
  trace_format_event(t->line, t->tcp_seqs, now, node, iface, verb, from, p, d, len, reason);
  trace_write_line(t);
}

/* Writes a note line: "<time> <node> <iface or -> note " and the text
 * that `fmt` formats (a state change, such as a link going down). */
void trace_note(Trace *t, SimTime now, const Node *node, const Iface *iface, const char *fmt, ...)
{
  va_list ap;

  if (!t || !t->out)
    return;
  g_string_truncate(t->line, 0);
  trace_format_prefix(t->line, now, node, iface);
  g_string_append(t->line, "note ");
  va_start(ap, fmt);
  g_string_append_vprintf(t->line, fmt, ap);
  va_end(ap);
  trace_write_line(t);
}
