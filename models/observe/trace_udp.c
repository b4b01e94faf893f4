/*
 * The trace's UDP decoder (RFC 768): `UDP sport > dport len L`, L the
 * header's length field (header and data), or `UDP [truncated, N bytes]`
 * for fewer than 8 bytes; then the payload of a well-known port, by the
 * destination port and else the source port through a plain switch: RIP
 * on 520 (trace_rip.c).
 *
 * Entry point: trace_decode_udp() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/observe/trace_decode.h"
#include "models/routing/rip.h"

/* Appends the payload of the datagram `h` (`len` bytes present after the
 * header) when `port` is one the trace decodes; returns FALSE otherwise. */
static gboolean trace_udp_payload(GString *out, uint16_t port, const UdpHeader *h, const uint8_t *p, size_t len)
{
  size_t ulen = g_ntohs(h->len);

  if (ulen < UDP_HEADER_LEN)
    return FALSE;
  switch (port) {
  case RIP_PORT:
    g_string_append_c(out, ' ');
    trace_decode_rip(out, p, MIN(len, ulen - UDP_HEADER_LEN), ulen - UDP_HEADER_LEN);
    return TRUE;
  default:
    return FALSE;
  }
}

/* Appends the UDP header in `p` (`len` bytes). */
void trace_decode_udp(GString *out, const uint8_t *p, size_t len)
{
  UdpHeader h;

  if (len < UDP_HEADER_LEN) {
    trace_append_truncated(out, "UDP ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
  trace_append_field(out, "UDP ", g_ntohs(h.sport));
  trace_append_field(out, " > ", g_ntohs(h.dport));
  trace_append_field(out, " len ", g_ntohs(h.len));
  const uint8_t *payload = p + UDP_HEADER_LEN;
  if (!trace_udp_payload(out, g_ntohs(h.dport), &h, payload, len - UDP_HEADER_LEN))
    trace_udp_payload(out, g_ntohs(h.sport), &h, payload, len - UDP_HEADER_LEN);
}
