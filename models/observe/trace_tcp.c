/*
 * The trace's TCP decoder (RFC 9293 3.1; options of RFC 7323 and RFC
 * 2018), as tcpdump shows a segment by default, with relative sequence
 * numbers:
 *
 *   TCP 49152 > 80 [S] seq 1000 win 65535 options [mss 1460,nop,wscale 7] len 0
 *   TCP 80 > 49152 [S.] seq 5000 ack 1001 win 65160 len 0
 *   TCP 49152 > 80 [P.] seq 1:1449 ack 1 win 502 len 1448
 *
 * that is ports, flags in tcpdump's letters (F S R P, '.' for ACK, U, E,
 * W, e; "[none]"), seq (seq:end when the segment carries data), ack when
 * ACK is set, the raw 16-bit window (unscaled: the scale is per
 * connection), urg with URG, the options (mss, wscale, sackOK, TS val
 * ecr, sack blocks, nop, eol, others as opt-K len L) and the payload
 * length. Malformed bytes are marked and end the decoding: fewer than 20
 * bytes `TCP [truncated, N bytes]`, `[bad data offset N]`, `[truncated
 * options]`, and inside the options `[bad opt K len L]`, `[truncated opt
 * K]`, or `[bad mss len L]` for a known option of the wrong size.
 *
 * Sequence numbers: a SYN (and a SYN-ACK) shows the absolute ISN and
 * records it as its direction's ISN in the Trace's table (TraceTcpSeqs,
 * keyed by source, source port, destination, destination port; a later
 * SYN replaces it). A segment without SYN whose two directions both have
 * an ISN shows seq relative to its own direction's ISN and ack and SACK
 * blocks relative to the other's, so the first data byte is 1, as
 * tcpdump without -S. Any other segment shows absolute numbers, and so
 * does every segment decoded without a table (trace_format_packet(), as
 * tcpdump -S). TCP's `retransmit seq S` notes count from the same ISN,
 * so a data retransmission's note shows the seq of its segment's line.
 * Unlike tcpdump, which starts counting at the first segment it sees,
 * a connection whose SYNs the trace did not see stays absolute.
 *
 * HTTP: a payload that starts with an HTTP/1.x start line (RFC 9112
 * 3 and 4: a request line "GET /bytes/5000 HTTP/1.1" or a status line
 * "HTTP/1.1 200 OK"), on any port, adds it after the length, as tcpdump
 * does for port 80: `len 69: HTTP: GET /bytes/5000 HTTP/1.1`; at most
 * TRACE_HTTP_MAX characters of it, printable ASCII only. The segments
 * that continue a message (a body) show nothing more.
 *
 * Entry points: trace_decode_tcp(); trace_tcp_seqs_new(),
 * trace_tcp_seqs_free() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/observe/trace_decode.h"
#include "models/transport/tcp_wire.h"

#define TRACE_HTTP_MAX 80

/* AE (RFC 3540's NS, AccECN's AE): the bit just below the data offset. */
#define TRACE_TCP_OFF_AE 0x01

/* One direction of a connection: addresses and ports in host byte order. */
typedef struct {
  uint32_t src, dst;
  uint16_t sport, dport;
} TraceTcpKey;

/* The ISN the trace saw in that direction's SYN. */
typedef struct {
  TraceTcpKey key; /* first: the entry is its own key */
  uint32_t isn;
} TraceTcpIsn;

struct TraceTcpSeqs {
  GHashTable *isns; /* TraceTcpIsn, owned */
};

/* What to subtract from a segment's seq, and from its ack and SACK blocks. */
typedef struct {
  uint32_t seq, ack;
} TraceTcpBase;

static guint trace_tcp_key_hash(gconstpointer k)
{
  const TraceTcpKey *a = k;
  return (a->src * 31u + a->dst) * 31u + ((guint)a->sport << 16 | a->dport);
}

static gboolean trace_tcp_key_equal(gconstpointer x, gconstpointer y)
{
  const TraceTcpKey *a = x, *b = y;
  return a->src == b->src && a->dst == b->dst && a->sport == b->sport && a->dport == b->dport;
}

/* An empty table of ISNs, for one Trace. */
TraceTcpSeqs *trace_tcp_seqs_new(void)
{
  TraceTcpSeqs *s = g_new0(TraceTcpSeqs, 1);
  s->isns = g_hash_table_new_full(trace_tcp_key_hash, trace_tcp_key_equal, g_free, NULL);
  return s;
}

/* Frees the table. NULL-safe. */
void trace_tcp_seqs_free(TraceTcpSeqs *s)
{
  if (!s)
    return;
  g_hash_table_destroy(s->isns);
  g_free(s);
}

/* Records `isn` as the ISN of the direction `key`, replacing an older one. */
static void trace_tcp_seqs_set(TraceTcpSeqs *s, const TraceTcpKey *key, uint32_t isn)
{
  TraceTcpIsn *e = g_hash_table_lookup(s->isns, key);

  if (!e) {
    e = g_new(TraceTcpIsn, 1);
    e->key = *key;
    g_hash_table_add(s->isns, e);
  }
  e->isn = isn;
}

/* Returns what to subtract from the numbers of segment `h` sent from
 * ip->src to ip->dst: nothing without a table, for a SYN (whose ISN it
 * records) and unless both directions' ISNs are known; else the ISNs. */
static TraceTcpBase trace_tcp_base(TraceTcpSeqs *s, const Ipv4Header *ip, const TcpHeader *h)
{
  TraceTcpBase base = {0, 0};

  if (!s)
    return base;
  TraceTcpKey own = {g_ntohl(ip->src), g_ntohl(ip->dst), g_ntohs(h->sport), g_ntohs(h->dport)};
  if (h->flags & TCP_SYN) {
    trace_tcp_seqs_set(s, &own, g_ntohl(h->seq));
    return base;
  }
  TraceTcpKey peer = {own.dst, own.src, own.dport, own.sport};
  const TraceTcpIsn *mine = g_hash_table_lookup(s->isns, &own);
  const TraceTcpIsn *theirs = g_hash_table_lookup(s->isns, &peer);
  if (mine && theirs)
    base = (TraceTcpBase){mine->isn, theirs->isn};
  return base;
}

/* A 16- or 32-bit big-endian number inside the options. */
static uint32_t trace_tcp_get16(const uint8_t *o)
{
  return (uint32_t)o[0] << 8 | o[1];
}

static uint32_t trace_tcp_get32(const uint8_t *o)
{
  return trace_tcp_get16(o) << 16 | trace_tcp_get16(o + 2);
}

/* Appends the flags in tcpdump's letters and order, "[S.]", "[FP.]",
 * "[none]": F S R P, '.' for ACK, U, E (ECE), W (CWR), e (AE). */
static void trace_tcp_flags(GString *out, const TcpHeader *h)
{
  static const char letters[] = "FSRP.UEW";
  size_t start = out->len;

  g_string_append_c(out, '[');
  for (int i = 0; i < 8; i++)
    if (h->flags & (1u << i))
      g_string_append_c(out, letters[i]);
  if (h->off & TRACE_TCP_OFF_AE)
    g_string_append_c(out, 'e');
  if (out->len == start + 1)
    g_string_append(out, "none");
  g_string_append_c(out, ']');
}

/* Appends one SACK option's blocks, "sack 2 {a:b}{c:d}", less `base`;
 * `o` holds the `n` bytes after kind and length. */
static void trace_tcp_sack(GString *out, const uint8_t *o, size_t n, uint32_t base)
{
  trace_append_field(out, "sack ", n / 8);
  g_string_append_c(out, ' ');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    trace_append_field(out, "{", (uint32_t)(trace_tcp_get32(o + i) - base));
    trace_append_field(out, ":", (uint32_t)(trace_tcp_get32(o + i + 4) - base));
    g_string_append_c(out, '}');
  }
}

/* Returns the name of a known option kind, or NULL. */
static const char *trace_tcp_option_name(uint8_t kind)
{
  switch (kind) {
  case TCP_OPT_MSS:
    return "mss";
  case TCP_OPT_WSCALE:
    return "wscale";
  case TCP_OPT_SACK_PERMITTED:
    return "sackOK";
  case TCP_OPT_SACK:
    return "sack";
  case TCP_OPT_TIMESTAMP:
    return "TS";
  default:
    return NULL;
  }
}

/* TRUE when `n` value bytes are right for the known option `kind`. */
static gboolean trace_tcp_option_len_ok(uint8_t kind, size_t n)
{
  switch (kind) {
  case TCP_OPT_MSS:
    return n == TCP_OPTLEN_MSS - 2;
  case TCP_OPT_WSCALE:
    return n == TCP_OPTLEN_WSCALE - 2;
  case TCP_OPT_SACK_PERMITTED:
    return n == 0;
  case TCP_OPT_SACK:
    return n > 0 && n % 8 == 0;
  default:
    return n == TCP_OPTLEN_TIMESTAMP - 2;
  }
}

/* Appends the option of `kind` whose `n` value bytes are at `o` (the
 * option's length byte was in bounds): its value for a known kind of the
 * right size, "[bad <name> len L]" for a known kind of another size,
 * "opt-K len L" for the others. SACK blocks show less `sack_base`. */
static void trace_tcp_option(GString *out, uint8_t kind, const uint8_t *o, size_t n, uint32_t sack_base)
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
  } else if (kind == TCP_OPT_MSS) {
    trace_append_field(out, "mss ", trace_tcp_get16(o));
  } else if (kind == TCP_OPT_WSCALE) {
    trace_append_field(out, "wscale ", o[0]);
  } else if (kind == TCP_OPT_TIMESTAMP) {
    trace_append_field(out, "TS val ", trace_tcp_get32(o));
    trace_append_field(out, " ecr ", trace_tcp_get32(o + 4));
  } else if (kind == TCP_OPT_SACK) {
    trace_tcp_sack(out, o, n, sack_base);
  } else {
    g_string_append(out, name);
  }
}

/* Appends the options in `o` (`len` bytes) as tcpdump does, " options [mss
 * 1460,nop,wscale 7]". An option whose length byte is missing, below 2
 * or past the end prints a marker and ends the list; so does EOL. */
static void trace_tcp_options(GString *out, const uint8_t *o, size_t len, uint32_t sack_base)
{
  g_string_append(out, " options [");
  for (size_t at = 0; at < len;) {
    uint8_t kind = o[at];
    if (at)
      g_string_append_c(out, ',');
    if (kind == TCP_OPT_EOL || kind == TCP_OPT_NOP) {
      g_string_append(out, kind == TCP_OPT_EOL ? "eol" : "nop");
      if (kind == TCP_OPT_EOL)
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
    trace_tcp_option(out, kind, o + at + 2, olen - 2, sack_base);
    at += olen;
  }
  g_string_append_c(out, ']');
}

/* Appends "seq S" (no payload) or "seq S:E" (E = S + payload, modulo
 * 2^32), then "ack A" when ACK is set (S and A less `base`), the raw
 * window and, with URG, the urgent pointer. */
static void trace_tcp_numbers(GString *out, const TcpHeader *h, TraceTcpBase base, size_t payload,
                              gboolean payload_known)
{
  uint32_t seq = g_ntohl(h->seq) - base.seq;

  trace_append_field(out, " seq ", seq);
  if (payload_known && payload)
    trace_append_field(out, ":", (uint32_t)(seq + payload));
  if (h->flags & TCP_ACK)
    trace_append_field(out, " ack ", (uint32_t)(g_ntohl(h->ack) - base.ack));
  trace_append_field(out, " win ", g_ntohs(h->win));
  if (h->flags & TCP_URG)
    trace_append_field(out, " urg ", g_ntohs(h->urg));
}

/* The length of the first line of `p` (`len` bytes), when it is all
 * printable ASCII and ends in CR LF (or at the end of the bytes); 0
 * otherwise. */
static size_t trace_http_line(const uint8_t *p, size_t len)
{
  size_t n = 0;
  while (n < len && p[n] >= 0x20 && p[n] < 0x7f)
    n++;
  return n == len || (n + 1 < len && p[n] == '\r' && p[n + 1] == '\n') ? n : 0;
}

/* TRUE when line `l` (`n` bytes) is an HTTP/1.x start line: a status
 * line "HTTP/1.x DDD ...", or a request line "METHOD TARGET HTTP/1.x"
 * with a method of capital letters. */
static gboolean trace_http_start(const char *l, size_t n)
{
  if (n >= 12 && strncmp(l, "HTTP/1.", 7) == 0 && l[8] == ' ' && g_ascii_isdigit(l[9]))
    return TRUE;
  size_t m = 0;
  while (m < n && m < 16 && g_ascii_isupper(l[m]))
    m++;
  const char *sp = m ? memchr(l + m + 1, ' ', n - MIN(n, m + 1)) : NULL;
  return m > 0 && m < n && l[m] == ' ' && sp && (size_t)(l + n - sp) >= 9 && strncmp(sp + 1, "HTTP/1.", 7) == 0;
}

/* Appends ": HTTP: <start line>" when the payload `p` (`len` bytes
 * present) begins an HTTP/1.x message. */
static void trace_tcp_http(GString *out, const uint8_t *p, size_t len)
{
  size_t n = trace_http_line(p, len);
  if (n == 0 || !trace_http_start((const char *)p, n))
    return;
  g_string_append(out, ": HTTP: ");
  g_string_append_len(out, (const char *)p, (gssize)MIN(n, TRACE_HTTP_MAX));
}

/* Appends the TCP segment in `p`, sent from ip->src to ip->dst: `len`
 * bytes present, `seglen` bytes in the datagram (more when the capture
 * was cut). Ports, flags, numbers (relative through `seqs` when not
 * NULL), options and the payload length; a data offset below 5 or past
 * the segment prints "[bad data offset N]", options cut by the capture
 * "[truncated options]". */
void trace_decode_tcp(GString *out, TraceTcpSeqs *seqs, const Ipv4Header *ip, const uint8_t *p, size_t len,
                      size_t seglen)
{
  TcpHeader h;

  if (len < TCP_HEADER_LEN) {
    trace_append_truncated(out, "TCP ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
  size_t hl = tcp_hdr_len(&h);
  gboolean hl_ok = hl >= TCP_HEADER_LEN && hl <= seglen;
  TraceTcpBase base = trace_tcp_base(seqs, ip, &h);
  trace_append_field(out, "TCP ", g_ntohs(h.sport));
  trace_append_field(out, " > ", g_ntohs(h.dport));
  g_string_append_c(out, ' ');
  trace_tcp_flags(out, &h);
  trace_tcp_numbers(out, &h, base, hl_ok ? seglen - hl : 0, hl_ok);
  if (!hl_ok) {
    trace_append_field(out, " [bad data offset ", hl / 4);
    g_string_append_c(out, ']');
    return;
  }
  if (hl > len) {
    g_string_append(out, " [truncated options]");
    return;
  }
  if (hl > TCP_HEADER_LEN)
    trace_tcp_options(out, p + TCP_HEADER_LEN, hl - TCP_HEADER_LEN, base.ack);
  trace_append_field(out, " len ", seglen - hl);
  trace_tcp_http(out, p + hl, MIN(len, seglen) - hl);
}
