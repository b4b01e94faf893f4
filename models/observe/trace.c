/*
 * The text trace: one line per packet event, decoded layer by layer from
 * the packet's real bytes into a compact tcpdump-like form:
 *
 *   <time> <node> <iface or -> <verb> <headers>[ reason <drop reason>]
 *   <time> <node> <iface or -> note <text>
 *
 * Time is seconds with exactly nine decimals, printed from the integer
 * nanoseconds (no floating point). Headers: ARP requests and replies;
 * IPv4 with TTL, id, total length, DF and fragment offset (in bytes);
 * then, for whole datagrams and first fragments, ICMP (echo, time
 * exceeded, destination unreachable with the quoted protocol or UDP port,
 * fragmentation needed with the MTU), UDP ports and length, and TCP as
 * tcpdump -S shows it (absolute sequence numbers: the decoder keeps no
 * per-connection state):
 *
 *   TCP 49152 > 80 [S] seq 1000 win 65535 options [mss 1460,nop,wscale 7] len 0
 *   TCP 49152 > 80 [P.] seq 1001:2449 ack 5001 win 502 len 1448
 *
 * that is ports, flags in tcpdump's letters (F S R P, '.' for ACK, U, E,
 * W, e; "[none]"), seq (seq:end when the segment carries data), ack when
 * ACK is set, the raw 16-bit window (unscaled: the scale is per
 * connection), urg with URG, the options (mss, wscale, sackOK, TS val
 * ecr, sack blocks, nop, eol, others as opt-K len L) and the payload
 * length. Like tcpdump without -e, frames carrying IPv4 or ARP show no
 * MAC addresses; other frames show `ETH src > dst ethertype 0xXXXX len N`
 * (N: the Ethernet payload length).
 *
 * Decoding never reads outside the bytes given: a short or inconsistent
 * header prints a `[truncated ...]` or `[bad ...]` marker and decoding
 * stops there (for TCP: `[bad data offset N]`, `[truncated options]`, and
 * inside the options `[bad opt K len L]`, `[truncated opt K]`, or `[bad
 * mss len L]` for a known option of the wrong size).
 *
 * Entry points: trace_new(); trace_packet() and trace_note() (on the
 * packet path, after trace_wants()); trace_format_line(),
 * trace_format_packet() and trace_format_time() (also for evidence in
 * expect failures and for tests); trace_free().
 *
 * Cost: trace_packet() formats into one GString kept in the Trace and
 * writes it with one fwrite(); numbers and addresses are formatted by hand,
 * not through printf.
 *
 * Follows the wire formats of RFC 791 (IPv4), RFC 792 (ICMP), RFC 768
 * (UDP), RFC 9293 (TCP), RFC 7323 (window scale, timestamps), RFC 2018
 * (SACK), RFC 826 (ARP), RFC 1191 (the MTU in fragmentation needed).
 * Leaves out: IPv4 options (skipped, not shown), relative TCP sequence
 * numbers, checksum verification, IPv6 and VLAN decoding.
 */
#include "models/observe/trace.h"

#include <stdarg.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/link/arp_wire.h"
#include "models/link/ethernet_wire.h"
#include "models/link/ppp_wire.h"
#include "models/core/node.h"

#define TRACE_NS_PER_S UINT64_C(1000000000)

static const char *const trace_verb_names[] = {
    [TRACE_ENQ] = "enq", [TRACE_TX] = "tx",           [TRACE_RX] = "rx",     [TRACE_SEND] = "send",
    [TRACE_FWD] = "fwd", [TRACE_DELIVER] = "deliver", [TRACE_DROP] = "drop",
};

/* Creates a trace writing to `out`, showing the TRACE_* layers in
 * `layers`; the trace closes `out` when freed if `own_out`. */
Trace *trace_new(FILE *out, gboolean own_out, guint layers)
{
  Trace *t = g_new0(Trace, 1);
  t->out = out;
  t->own_out = own_out;
  t->layers = layers;
  t->line = g_string_sized_new(256);
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
static void trace_append_uint(GString *out, uint64_t v)
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
static void trace_append_field(GString *out, const char *s, uint64_t v)
{
  g_string_append(out, s);
  trace_append_uint(out, v);
}

/* Appends the IPv4 address `addr` (host byte order) in dotted quad. */
static void trace_append_ipv4(GString *out, uint32_t addr)
{
  for (int shift = 24; shift >= 0; shift -= 8) {
    trace_append_uint(out, (addr >> shift) & 0xff);
    if (shift)
      g_string_append_c(out, '.');
  }
}

/* Appends `n` lowercase hexadecimal digits of `v`. */
static void trace_append_hex(GString *out, uint32_t v, int n)
{
  static const char digits[] = "0123456789abcdef";

  for (int i = n - 1; i >= 0; i--)
    g_string_append_c(out, digits[(v >> (4 * i)) & 0xf]);
}

/* Appends the MAC address `mac` as six colon-separated hex pairs. */
static void trace_append_mac(GString *out, const uint8_t *mac)
{
  for (int i = 0; i < ETH_ADDR_LEN; i++) {
    if (i)
      g_string_append_c(out, ':');
    trace_append_hex(out, mac[i], 2);
  }
}

/* Appends the marker for a header of `what` cut short at `len` bytes. */
static void trace_append_truncated(GString *out, const char *what, size_t len)
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

/* ---- ICMP and UDP -------------------------------------------------------- */

/* Finds the protocol and header length of the IPv4 header quoted in an
 * ICMP error (`q`, `len` bytes). Returns FALSE when the quote is too short
 * or not a plausible IPv4 header. */
static gboolean trace_icmp_quote(const uint8_t *q, size_t len, uint8_t *proto, size_t *hl)
{
  Ipv4Header ip;

  if (len < IPV4_HEADER_LEN)
    return FALSE;
  memcpy(&ip, q, sizeof ip);
  *hl = (size_t)(ip.ver_ihl & 0x0f) * 4;
  *proto = ip.proto;
  return (ip.ver_ihl >> 4) == 4 && *hl >= IPV4_HEADER_LEN;
}

/* Appends "protocol P unreachable" or "port P unreachable" from the quoted
 * datagram of a destination unreachable message. */
static void trace_icmp_unreach_quoted(GString *out, uint8_t code, const uint8_t *q, size_t len)
{
  const char *what = code == ICMP_UNREACH_PROTOCOL ? "protocol" : "port";
  uint8_t proto;
  size_t hl;

  g_string_append(out, what);
  if (!trace_icmp_quote(q, len, &proto, &hl)) {
    g_string_append(out, " unreachable [truncated quote]");
    return;
  }
  if (code == ICMP_UNREACH_PROTOCOL) {
    trace_append_field(out, " ", proto);
  } else if (proto == IPPROTO_UDP_NUM || proto == IPPROTO_TCP_NUM) {
    /* UDP and TCP both start with the source and destination ports. */
    if (len < hl + 4) {
      g_string_append(out, " unreachable [truncated quote]");
      return;
    }
    trace_append_field(out, " ", (uint32_t)q[hl + 2] << 8 | q[hl + 3]);
  }
  g_string_append(out, " unreachable");
}

/* Appends the words for a destination unreachable message; `q` is the
 * quoted datagram after the ICMP header. */
static void trace_icmp_unreach(GString *out, const IcmpHeader *h, const uint8_t *q, size_t len)
{
  switch (h->code) {
  case ICMP_UNREACH_NET:
    g_string_append(out, "net unreachable");
    break;
  case ICMP_UNREACH_HOST:
    g_string_append(out, "host unreachable");
    break;
  case ICMP_UNREACH_PROTOCOL:
  case ICMP_UNREACH_PORT:
    trace_icmp_unreach_quoted(out, h->code, q, len);
    break;
  case ICMP_UNREACH_NEEDFRAG:
    trace_append_field(out, "frag needed mtu ", g_ntohs(h->u.frag.mtu));
    break;
  default:
    trace_append_field(out, "type ", h->type);
    trace_append_field(out, " code ", h->code);
  }
}

/* Appends the ICMP message in `d` (`len` bytes). */
static void trace_icmp(GString *out, const uint8_t *d, size_t len)
{
  IcmpHeader h;

  if (len < ICMP_HEADER_LEN) {
    trace_append_truncated(out, "ICMP ", len);
    return;
  }
  memcpy(&h, d, sizeof h);
  g_string_append(out, "ICMP ");
  if (h.type == ICMP_ECHO_REQUEST || h.type == ICMP_ECHO_REPLY) {
    g_string_append(out, h.type == ICMP_ECHO_REQUEST ? "echo request" : "echo reply");
    trace_append_field(out, " id ", g_ntohs(h.u.echo.id));
    trace_append_field(out, " seq ", g_ntohs(h.u.echo.seq));
  } else if (h.type == ICMP_UNREACH) {
    trace_icmp_unreach(out, &h, d + ICMP_HEADER_LEN, len - ICMP_HEADER_LEN);
  } else if (h.type == ICMP_TIME_EXCEEDED && h.code == ICMP_TIMXCEED_INTRANS) {
    g_string_append(out, "time exceeded in-transit");
  } else if (h.type == ICMP_TIME_EXCEEDED && h.code == ICMP_TIMXCEED_REASS) {
    g_string_append(out, "time exceeded reassembly");
  } else {
    trace_append_field(out, "type ", h.type);
    trace_append_field(out, " code ", h.code);
  }
}

/* Appends the UDP header in `d` (`len` bytes): ports and the length field. */
static void trace_udp(GString *out, const uint8_t *d, size_t len)
{
  UdpHeader h;

  if (len < UDP_HEADER_LEN) {
    trace_append_truncated(out, "UDP ", len);
    return;
  }
  memcpy(&h, d, sizeof h);
  trace_append_field(out, "UDP ", g_ntohs(h.sport));
  trace_append_field(out, " > ", g_ntohs(h.dport));
  trace_append_field(out, " len ", g_ntohs(h.len));
}

/* ---- TCP ----------------------------------------------------------------- */

/* Offsets and sizes in the TCP header (RFC 9293, section 3.1), read by hand
 * so that the decoder needs nothing from the TCP model. */
#define TRACE_TCP_HEADER_LEN 20
#define TRACE_TCP_SEQ 4
#define TRACE_TCP_ACK 8
#define TRACE_TCP_OFF 12
#define TRACE_TCP_FLAGS 13
#define TRACE_TCP_WIN 14
#define TRACE_TCP_URP 18
#define TRACE_TCP_FLAG_ACK 0x10
#define TRACE_TCP_FLAG_URG 0x20

/* Option kinds (RFC 9293, RFC 7323, RFC 2018). */
enum {
  TRACE_TCPOPT_EOL = 0,
  TRACE_TCPOPT_NOP = 1,
  TRACE_TCPOPT_MSS = 2,
  TRACE_TCPOPT_WSCALE = 3,
  TRACE_TCPOPT_SACK_OK = 4,
  TRACE_TCPOPT_SACK = 5,
  TRACE_TCPOPT_TS = 8,
};

static uint32_t trace_get16(const uint8_t *d)
{
  return (uint32_t)d[0] << 8 | d[1];
}

static uint32_t trace_get32(const uint8_t *d)
{
  return trace_get16(d) << 16 | trace_get16(d + 2);
}

/* Appends the flags in tcpdump's letters and order, "[S.]", "[FP.]",
 * "[none]": F S R P, '.' for ACK, U, E (ECE), W (CWR), e (AE). */
static void trace_tcp_flags(GString *out, const uint8_t *d)
{
  static const char letters[] = "FSRP.UEW";
  size_t start = out->len;

  g_string_append_c(out, '[');
  for (int i = 0; i < 8; i++)
    if (d[TRACE_TCP_FLAGS] & (1u << i))
      g_string_append_c(out, letters[i]);
  if (d[TRACE_TCP_OFF] & 0x01)
    g_string_append_c(out, 'e');
  if (out->len == start + 1)
    g_string_append(out, "none");
  g_string_append_c(out, ']');
}

/* Appends one SACK option's blocks, "sack 2 {a:b}{c:d}"; `o` holds the
 * `n` bytes after kind and length. */
static void trace_tcp_sack(GString *out, const uint8_t *o, size_t n)
{
  trace_append_field(out, "sack ", n / 8);
  g_string_append_c(out, ' ');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    trace_append_field(out, "{", trace_get32(o + i));
    trace_append_field(out, ":", trace_get32(o + i + 4));
    g_string_append_c(out, '}');
  }
}

/* Returns the name of a known option kind, or NULL. */
static const char *trace_tcp_option_name(uint8_t kind)
{
  switch (kind) {
  case TRACE_TCPOPT_MSS:
    return "mss";
  case TRACE_TCPOPT_WSCALE:
    return "wscale";
  case TRACE_TCPOPT_SACK_OK:
    return "sackOK";
  case TRACE_TCPOPT_SACK:
    return "sack";
  case TRACE_TCPOPT_TS:
    return "TS";
  default:
    return NULL;
  }
}

/* TRUE when `n` value bytes are right for the known option `kind`. */
static gboolean trace_tcp_option_len_ok(uint8_t kind, size_t n)
{
  switch (kind) {
  case TRACE_TCPOPT_MSS:
    return n == 2;
  case TRACE_TCPOPT_WSCALE:
    return n == 1;
  case TRACE_TCPOPT_SACK_OK:
    return n == 0;
  case TRACE_TCPOPT_SACK:
    return n > 0 && n % 8 == 0;
  default:
    return n == 8; /* TS */
  }
}

/* Appends the option of `kind` whose `n` value bytes are at `o` (the
 * option's length byte was in bounds): its value for a known kind of the
 * right size, "[bad <name> len L]" for a known kind of another size,
 * "opt-K len L" for the others. */
static void trace_tcp_option(GString *out, uint8_t kind, const uint8_t *o, size_t n)
{
  const char *name = trace_tcp_option_name(kind);

  if (!name) {
    trace_append_field(out, "opt-", kind);
    trace_append_field(out, " len ", n + 2);
  } else if (!trace_tcp_option_len_ok(kind, n)) {
    g_string_append(out, "[bad ");
    g_string_append(out, name);
    trace_append_field(out, " len ", n + 2);
    g_string_append_c(out, ']');
  } else if (kind == TRACE_TCPOPT_MSS) {
    trace_append_field(out, "mss ", trace_get16(o));
  } else if (kind == TRACE_TCPOPT_WSCALE) {
    trace_append_field(out, "wscale ", o[0]);
  } else if (kind == TRACE_TCPOPT_TS) {
    trace_append_field(out, "TS val ", trace_get32(o));
    trace_append_field(out, " ecr ", trace_get32(o + 4));
  } else if (kind == TRACE_TCPOPT_SACK) {
    trace_tcp_sack(out, o, n);
  } else {
    g_string_append(out, name);
  }
}

/* Appends the options in `o` (`len` bytes) as tcpdump does, " options [mss
 * 1460,nop,wscale 7]". An option whose length byte is missing, below 2
 * or past the end prints a marker and ends the list; so does EOL. */
static void trace_tcp_options(GString *out, const uint8_t *o, size_t len)
{
  g_string_append(out, " options [");
  for (size_t at = 0; at < len;) {
    uint8_t kind = o[at];
    if (at)
      g_string_append_c(out, ',');
    if (kind == TRACE_TCPOPT_EOL || kind == TRACE_TCPOPT_NOP) {
      g_string_append(out, kind == TRACE_TCPOPT_EOL ? "eol" : "nop");
      if (kind == TRACE_TCPOPT_EOL)
        break;
      at++;
      continue;
    }
    if (at + 1 >= len) {
      trace_append_field(out, "[truncated opt ", kind);
      g_string_append_c(out, ']');
      break;
    }
    size_t olen = o[at + 1];
    if (olen < 2 || at + olen > len) {
      trace_append_field(out, "[bad opt ", kind);
      trace_append_field(out, " len ", olen);
      g_string_append_c(out, ']');
      break;
    }
    trace_tcp_option(out, kind, o + at + 2, olen - 2);
    at += olen;
  }
  g_string_append_c(out, ']');
}

/* Appends "seq S" (no payload) or "seq S:E" (E = S + payload, modulo
 * 2^32), then "ack A" when ACK is set, the raw window and, with URG, the
 * urgent pointer. */
static void trace_tcp_numbers(GString *out, const uint8_t *d, size_t payload, gboolean payload_known)
{
  uint32_t seq = trace_get32(d + TRACE_TCP_SEQ);

  trace_append_field(out, " seq ", seq);
  if (payload_known && payload)
    trace_append_field(out, ":", (uint32_t)(seq + payload));
  if (d[TRACE_TCP_FLAGS] & TRACE_TCP_FLAG_ACK)
    trace_append_field(out, " ack ", trace_get32(d + TRACE_TCP_ACK));
  trace_append_field(out, " win ", trace_get16(d + TRACE_TCP_WIN));
  if (d[TRACE_TCP_FLAGS] & TRACE_TCP_FLAG_URG)
    trace_append_field(out, " urg ", trace_get16(d + TRACE_TCP_URP));
}

/* Appends the TCP segment in `d`: `len` bytes present, `seglen` bytes in
 * the datagram (more when the capture was cut). Ports, flags, numbers,
 * options and the payload length; a data offset below 5 or past the
 * segment prints "[bad data offset N]", options cut by the capture
 * "[truncated options]". */
static void trace_tcp(GString *out, const uint8_t *d, size_t len, size_t seglen)
{
  if (len < TRACE_TCP_HEADER_LEN) {
    trace_append_truncated(out, "TCP ", len);
    return;
  }
  size_t hl = (size_t)(d[TRACE_TCP_OFF] >> 4) * 4;
  gboolean hl_ok = hl >= TRACE_TCP_HEADER_LEN && hl <= seglen;
  trace_append_field(out, "TCP ", trace_get16(d));
  trace_append_field(out, " > ", trace_get16(d + 2));
  g_string_append_c(out, ' ');
  trace_tcp_flags(out, d);
  trace_tcp_numbers(out, d, hl_ok ? seglen - hl : 0, hl_ok);
  if (!hl_ok) {
    trace_append_field(out, " [bad data offset ", hl / 4);
    g_string_append_c(out, ']');
    return;
  }
  if (hl > len) {
    g_string_append(out, " [truncated options]");
    return;
  }
  if (hl > TRACE_TCP_HEADER_LEN)
    trace_tcp_options(out, d + TRACE_TCP_HEADER_LEN, hl - TRACE_TCP_HEADER_LEN);
  trace_append_field(out, " len ", seglen - hl);
}

/* ---- IPv4 -------------------------------------------------------------- */

/* Appends the fixed IPv4 fields: addresses, TTL, id, length, DF and the
 * fragment offset in bytes with MF. */
static void trace_ipv4_fields(GString *out, const Ipv4Header *h)
{
  uint16_t frag = g_ntohs(h->frag);

  g_string_append(out, "IPv4 ");
  trace_append_ipv4(out, g_ntohl(h->src));
  g_string_append(out, " > ");
  trace_append_ipv4(out, g_ntohl(h->dst));
  trace_append_field(out, " ttl ", h->ttl);
  trace_append_field(out, " id ", g_ntohs(h->id));
  trace_append_field(out, " len ", g_ntohs(h->total_len));
  if (frag & IPV4_FLAG_DF)
    g_string_append(out, " DF");
  if (frag & (IPV4_FLAG_MF | IPV4_OFFSET_MASK)) {
    trace_append_field(out, " frag off ", (uint32_t)(frag & IPV4_OFFSET_MASK) * 8);
    if (frag & IPV4_FLAG_MF)
      g_string_append(out, " MF");
  }
}

/* Appends the transport part of a datagram: `d` holds `len` of its
 * `whole` bytes (fewer when the capture was cut short). */
static void trace_ipv4_payload(GString *out, uint8_t proto, const uint8_t *d, size_t len, size_t whole)
{
  g_string_append_c(out, ' ');
  switch (proto) {
  case IPPROTO_ICMP_NUM:
    trace_icmp(out, d, len);
    break;
  case IPPROTO_UDP_NUM:
    trace_udp(out, d, len);
    break;
  case IPPROTO_TCP_NUM:
    trace_tcp(out, d, len, whole);
    break;
  default:
    trace_append_field(out, "proto ", proto);
    trace_append_field(out, " len ", len);
  }
}

/* Appends the IPv4 datagram in `d` (`len` bytes, maybe with link padding
 * after the total length): the header, then the transport part of whole
 * datagrams and first fragments, then a marker if the bytes end before
 * the total length. */
static void trace_ipv4(GString *out, const uint8_t *d, size_t len)
{
  Ipv4Header h;

  if (len < IPV4_HEADER_LEN) {
    trace_append_truncated(out, "IPv4 ", len);
    return;
  }
  memcpy(&h, d, sizeof h);
  if (h.ver_ihl >> 4 != 4) {
    trace_append_field(out, "IPv4 [bad version ", h.ver_ihl >> 4);
    g_string_append_c(out, ']');
    return;
  }
  trace_ipv4_fields(out, &h);
  size_t hl = (size_t)(h.ver_ihl & 0x0f) * 4, total = g_ntohs(h.total_len);
  if (hl < IPV4_HEADER_LEN) {
    trace_append_field(out, " [bad ihl ", hl / 4);
    g_string_append_c(out, ']');
    return;
  }
  if (hl > len || total < hl) {
    g_string_append(out, hl > len ? " [truncated options]" : " [bad len]");
    return;
  }
  size_t end = MIN(len, total);
  if ((g_ntohs(h.frag) & IPV4_OFFSET_MASK) == 0)
    trace_ipv4_payload(out, h.proto, d + hl, end - hl, total - hl);
  if (len < total) {
    trace_append_field(out, " [truncated, ", len);
    trace_append_field(out, " of ", total);
    g_string_append(out, " bytes]");
  }
}

/* ---- ARP and Ethernet -------------------------------------------------- */

/* Appends the ARP packet in `d` (`len` bytes). */
static void trace_arp(GString *out, const uint8_t *d, size_t len)
{
  ArpWire a;

  if (len < ARP_PACKET_LEN) {
    trace_append_truncated(out, "ARP ", len);
    return;
  }
  memcpy(&a, d, sizeof a);
  if (g_ntohs(a.htype) != ARP_HTYPE_ETHERNET || g_ntohs(a.ptype) != ARP_PTYPE_IPV4 || a.hlen != 6 || a.plen != 4) {
    g_string_append(out, "ARP [bad format]");
    return;
  }
  uint16_t op = g_ntohs(a.op);
  if (op == ARP_OP_REQUEST) {
    g_string_append(out, "ARP who-has ");
    trace_append_ipv4(out, g_ntohl(a.tpa));
    g_string_append(out, " tell ");
    trace_append_ipv4(out, g_ntohl(a.spa));
  } else if (op == ARP_OP_REPLY) {
    g_string_append(out, "ARP reply ");
    trace_append_ipv4(out, g_ntohl(a.spa));
    g_string_append(out, " is-at ");
    trace_append_mac(out, a.sha);
  } else {
    trace_append_field(out, "ARP op ", op);
  }
}

/* Appends the Ethernet frame in `d` (`len` bytes): the payload's headers
 * for ARP and IPv4, else the addresses, ethertype and payload length. */
static void trace_ethernet(GString *out, const uint8_t *d, size_t len)
{
  EthHeader h;

  if (len < ETH_HEADER_LEN) {
    trace_append_truncated(out, "ETH ", len);
    return;
  }
  memcpy(&h, d, sizeof h);
  uint16_t type = g_ntohs(h.type);
  if (type == ETHERTYPE_ARP) {
    trace_arp(out, d + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  } else if (type == ETHERTYPE_IPV4) {
    trace_ipv4(out, d + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
  } else {
    g_string_append(out, "ETH ");
    trace_append_mac(out, h.src);
    g_string_append(out, " > ");
    trace_append_mac(out, h.dst);
    g_string_append(out, " ethertype 0x");
    trace_append_hex(out, type, 4);
    trace_append_field(out, " len ", len - ETH_HEADER_LEN);
  }
}

/* A PPP frame in HDLC-like framing (RFC 1662): like tcpdump on a PPP link
 * without -e, a frame carrying IPv4 shows only its IPv4 headers; others
 * show "PPP", the address and control bytes when they are not 0xff 0x03,
 * the protocol and the length. */
static void trace_ppp(GString *out, const uint8_t *d, size_t len)
{
  PppHeader h;

  if (len < PPP_HEADER_LEN) {
    trace_append_truncated(out, "PPP ", len);
    return;
  }
  memcpy(&h, d, sizeof h);
  uint16_t proto = g_ntohs(h.protocol);
  gboolean framed = h.address == PPP_ADDRESS && h.control == PPP_CONTROL;
  if (framed && proto == PPP_PROTO_IPV4) {
    trace_ipv4(out, d + PPP_HEADER_LEN, len - PPP_HEADER_LEN);
    return;
  }
  g_string_append(out, "PPP");
  if (!framed) {
    g_string_append(out, " address 0x");
    trace_append_hex(out, h.address, 2);
    g_string_append(out, " control 0x");
    trace_append_hex(out, h.control, 2);
  }
  g_string_append(out, " proto 0x");
  trace_append_hex(out, proto, 4);
  trace_append_field(out, " len ", len - PPP_HEADER_LEN);
}

/* Appends the headers of the packet in `data` (`len` bytes, starting at
 * the layer `from` names), layer by layer, without a newline. Reads only
 * data[0..len). */
void trace_format_packet(GString *out, TraceFrom from, const uint8_t *data, size_t len)
{
  if (!data)
    len = 0;
  switch (from) {
  case TRACE_FROM_ETHERNET:
    trace_ethernet(out, data, len);
    break;
  case TRACE_FROM_PPP:
    trace_ppp(out, data, len);
    break;
  case TRACE_FROM_IPV4:
    trace_ipv4(out, data, len);
    break;
  }
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

/* Appends one packet event line without its newline: time, node,
 * interface, verb, headers and, when `reason` is not NULL, " reason "
 * and the reason. */
void trace_format_line(GString *out, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                       const uint8_t *data, size_t len, const char *reason)
{
  trace_format_prefix(out, now, node, iface);
  g_string_append(out, trace_verb_name(verb));
  g_string_append_c(out, ' ');
  trace_format_packet(out, from, data, len);
  if (reason) {
    g_string_append(out, " reason ");
    g_string_append(out, reason);
  }
}

/* Writes the line held in t->line, with a newline. */
static void trace_write_line(Trace *t)
{
  g_string_append_c(t->line, '\n');
  fwrite(t->line->str, 1, t->line->len, t->out);
}

/* Writes one line for a packet event. The caller has tested trace_wants()
 * and keeps the packet: it is only read. */
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

void trace_packet(Trace *t, SimTime now, const Node *node, const Iface *iface, TraceVerb verb, TraceFrom from,
                  const Packet *p, const char *reason)
{
  if (!t || !t->out)
    return;
  size_t len = 0;
  const uint8_t *d = p ? trace_packet_bytes(p, from, &len) : NULL;
  g_string_truncate(t->line, 0);
  trace_format_line(t->line, now, node, iface, verb, from, d, len, reason);
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
