/*
 * The trace's ARP decoder (RFC 826), for IPv4 over Ethernet:
 * `ARP who-has T tell S` for a request, `ARP reply S is-at MAC` for a
 * reply, `ARP op N` for other operations, `ARP [bad format]` for another
 * hardware or protocol type or address size, and `ARP [truncated, N
 * bytes]` for a packet shorter than 28 bytes.
 *
 * Entry point: trace_decode_arp() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/link/arp_wire.h"
#include "models/observe/trace_decode.h"

/* Appends the ARP packet in `p` (`len` bytes). */
void trace_decode_arp(GString *out, const uint8_t *p, size_t len)
{
  ArpWire a;

  if (len < ARP_PACKET_LEN) {
    trace_append_truncated(out, "ARP ", len);
    return;
  }
  memcpy(&a, p, sizeof a);
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
