/*
 * The trace's UDP decoder (RFC 768): `UDP sport > dport len L`, L the
 * header's length field (header and data), or `UDP [truncated, N bytes]`
 * for fewer than 8 bytes.
 *
 * Entry point: trace_decode_udp() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/observe/trace_decode.h"

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
}
