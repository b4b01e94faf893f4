/*
 * The trace's Ethernet II decoder (IEEE 802.3, RFC 894): the 14-byte
 * header, then the payload by ethertype through a plain switch, ARP
 * (trace_arp.c) and IPv4 (trace_ipv4.c). Like tcpdump without -e, frames
 * carrying ARP or IPv4 show no MAC addresses; other frames show
 * `ETH src > dst ethertype 0xXXXX len N` (N: the Ethernet payload length),
 * and a frame shorter than the header `ETH [truncated, N bytes]`.
 *
 * Entry point: trace_decode_ether() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/observe/trace_decode.h"

/* Appends the addresses, ethertype and payload length of a frame whose
 * payload the trace does not decode. */
static void trace_ether_other(GString *out, const EthHeader *h, size_t payload)
{
  g_string_append(out, "ETH ");
  trace_append_mac(out, h->src);
  g_string_append(out, " > ");
  trace_append_mac(out, h->dst);
  g_string_append(out, " ethertype 0x");
  trace_append_hex(out, g_ntohs(h->type), 4);
  trace_append_field(out, " len ", payload);
}

/* Appends the Ethernet frame in `p` (`len` bytes); `seqs` for TCP (may be NULL). */
void trace_decode_ether(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len)
{
  EthHeader h;

  if (len < ETH_HEADER_LEN) {
    trace_append_truncated(out, "ETH ", len);
    return;
  }
  memcpy(&h, p, sizeof h);
  switch (g_ntohs(h.type)) {
  case ETHERTYPE_ARP:
    trace_decode_arp(out, p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
    break;
  case ETHERTYPE_IPV4:
    trace_decode_ipv4(out, seqs, p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
    break;
  default:
    trace_ether_other(out, &h, len - ETH_HEADER_LEN);
  }
}
