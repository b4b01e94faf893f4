/*
 * The trace's IPv4 decoder (RFC 791): `IPv4 src > dst ttl T id I len L`,
 * then DF, and for fragments `frag off N` (in bytes) with MF; then, for
 * whole datagrams and first fragments, the payload by protocol through a
 * plain switch: ICMP (trace_icmp.c), UDP (trace_udp.c), TCP
 * (trace_tcp.c), OSPF (trace_ospf.c), else `proto P len N`. Options are skipped, not shown.
 * Markers: `[truncated, N bytes]` (no whole header), `[bad version V]`,
 * `[bad ihl N]`, `[truncated options]`, `[bad len]` (total length below
 * the header length), and `[truncated, N of T bytes]` after the payload
 * when the bytes end before the total length. Bytes after the total
 * length (link padding) are ignored.
 *
 * Entry point: trace_decode_ipv4() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/observe/trace_decode.h"
#include "models/routing/ospf.h"

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

/* Appends the transport part of a datagram: `p` holds `len` of its
 * `whole` bytes (fewer when the capture was cut short). */
static void trace_ipv4_payload(GString *out, TraceTcpSeqs *seqs, const Ipv4Header *h, const uint8_t *p, size_t len,
                               size_t whole)
{
  g_string_append_c(out, ' ');
  switch (h->proto) {
  case IPPROTO_ICMP_NUM:
    trace_decode_icmp(out, p, len);
    break;
  case IPPROTO_UDP_NUM:
    trace_decode_udp(out, p, len);
    break;
  case IPPROTO_TCP_NUM:
    trace_decode_tcp(out, seqs, h, p, len, whole);
    break;
  case OSPF_PROTO:
    trace_decode_ospf(out, p, len);
    break;
  default:
    trace_append_field(out, "proto ", h->proto);
    trace_append_field(out, " len ", len);
  }
}

/* Appends the IPv4 datagram in `p` (`len` bytes, maybe with link padding
 * after the total length); `seqs` for TCP (may be NULL). */
void trace_decode_ipv4(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len)
{
  Ipv4Header h;

  if (len < IPV4_HEADER_LEN) {
    trace_append_truncated(out, "IPv4 ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
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
    trace_ipv4_payload(out, seqs, &h, p + hl, end - hl, total - hl);
  if (len < total) {
    trace_append_field(out, " [truncated, ", len);
    trace_append_field(out, " of ", total);
    g_string_append(out, " bytes]");
  }
}
