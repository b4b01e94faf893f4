/*
 * The trace's Ethernet II decoder (IEEE 802.3, RFC 894): the 14-byte
 * header, then the payload by ethertype through a plain switch, ARP
 * (trace_arp.c) and IPv4 (trace_ipv4.c). Like tcpdump without -e, frames
 * carrying ARP or IPv4 show no MAC addresses; other frames show
 * `ETH src > dst ethertype 0xXXXX len N` (N: the Ethernet payload length),
 * and a frame shorter than the header `ETH [truncated, N bytes]`. An IEEE
 * 802.3 frame (a length of at most 1500 where the ethertype would be) is
 * read as LLC: the spanning tree's SAP 0x42 goes to trace_stp.c, others
 * show `LLC dsap 0xXX ssap 0xXX len N`.
 *
 * Entry point: trace_decode_ether() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/link/stp_wire.h"
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

/* Appends the LLC frame after an 802.3 header whose length field is
 * `field`; `len` bytes follow the header. */
static void trace_ether_llc(GString *out, const uint8_t *p, size_t len, size_t field)
{
  size_t present = MIN(len, field);
  if (present < LLC_HEADER_LEN) {
    trace_append_truncated(out, "LLC ", present);
    return;
  }
  if (p[0] == LLC_SAP_STP && p[1] == LLC_SAP_STP && p[2] == LLC_CTRL_UI) {
    trace_decode_stp(out, p + LLC_HEADER_LEN, present - LLC_HEADER_LEN);
    return;
  }
  g_string_append(out, "LLC dsap 0x");
  trace_append_hex(out, p[0], 2);
  g_string_append(out, " ssap 0x");
  trace_append_hex(out, p[1], 2);
  trace_append_field(out, " len ", field);
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
    if (g_ntohs(h.type) <= ETH_MAX_LENGTH_FIELD)
      trace_ether_llc(out, p + ETH_HEADER_LEN, len - ETH_HEADER_LEN, g_ntohs(h.type));
    else
      trace_ether_other(out, &h, len - ETH_HEADER_LEN);
  }
}
