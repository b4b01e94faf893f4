/*
 * The trace's ICMP decoder (RFC 792; RFC 1191 for the MTU in
 * fragmentation needed): `ICMP echo request id I seq S` and echo reply,
 * destination unreachable (net, host, `protocol P unreachable` and `port
 * P unreachable` from the quoted datagram, `frag needed mtu M`), time
 * exceeded in-transit and reassembly, else `ICMP type T code C`. A message
 * shorter than 8 bytes prints `ICMP [truncated, N bytes]`, a quote too
 * short for what it should show `[truncated quote]`.
 *
 * Entry point: trace_decode_icmp() (declared in trace_decode.h).
 */
#include <stddef.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "models/observe/trace_decode.h"

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
  UdpHeader ports = {0};
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
    if (len < hl + offsetof(UdpHeader, len)) {
      g_string_append(out, " unreachable [truncated quote]");
      return;
    }
    memcpy(&ports, q + hl, offsetof(UdpHeader, len));
    trace_append_field(out, " ", g_ntohs(ports.dport));
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

/* Appends the ICMP message in `p` (`len` bytes). */
void trace_decode_icmp(GString *out, const uint8_t *p, size_t len)
{
  IcmpHeader h;

  if (len < ICMP_HEADER_LEN) {
    trace_append_truncated(out, "ICMP ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
  g_string_append(out, "ICMP ");
  if (h.type == ICMP_ECHO_REQUEST || h.type == ICMP_ECHO_REPLY) {
    g_string_append(out, h.type == ICMP_ECHO_REQUEST ? "echo request" : "echo reply");
    trace_append_field(out, " id ", g_ntohs(h.u.echo.id));
    trace_append_field(out, " seq ", g_ntohs(h.u.echo.seq));
  } else if (h.type == ICMP_UNREACH) {
    trace_icmp_unreach(out, &h, p + ICMP_HEADER_LEN, len - ICMP_HEADER_LEN);
  } else if (h.type == ICMP_TIME_EXCEEDED && h.code == ICMP_TIMXCEED_INTRANS) {
    g_string_append(out, "time exceeded in-transit");
  } else if (h.type == ICMP_TIME_EXCEEDED && h.code == ICMP_TIMXCEED_REASS) {
    g_string_append(out, "time exceeded reassembly");
  } else {
    trace_append_field(out, "type ", h.type);
    trace_append_field(out, " code ", h.code);
  }
}
