/*
 * PPP frames in HDLC-like framing (RFC 1661, RFC 1662) for the text trace.
 * As tcpdump on a PPP link without -e, a frame carrying IPv4 shows only
 * its IPv4 headers; any other shows "PPP", its address and control bytes
 * when they are not 0xff 0x03, its protocol and its length.
 *
 * Entry point: trace_decode_ppp() (from trace_format_packet()'s switch).
 */
#include <string.h>

#include "models/link/ppp_wire.h"
#include "models/observe/trace_decode.h"

void trace_decode_ppp(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len)
{
  PppHeader h;

  if (len < PPP_HEADER_LEN) {
    trace_append_truncated(out, "PPP ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
  uint16_t proto = g_ntohs(h.protocol);
  gboolean framed = h.address == PPP_ADDRESS && h.control == PPP_CONTROL;
  if (framed && proto == PPP_PROTO_IPV4) {
    trace_decode_ipv4(out, seqs, p + PPP_HEADER_LEN, len - PPP_HEADER_LEN);
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
