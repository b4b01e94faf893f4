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
 * IEEE 802.1Q tags come first, as `vlan 10` (with ` p 5` when the
 * priority is not 0), then what the tag carries: `vlan 10 ARP who-has ...`;
 * an 802.1ad S-tag is `s-vlan 100`, a tag cut short `vlan [truncated, N
 * bytes]`. A tag inside a tag shows both, outer first.
 *
 * Entry point: trace_decode_ether() (declared in trace_decode.h).
 */
#include <string.h>

#include "models/link/ethernet_wire.h"
#include "models/link/stp_wire.h"
#include "models/observe/trace_decode.h"

/* Appends the addresses, ethertype `type` and payload length of a frame
 * whose payload the trace does not decode. */
static void trace_ether_other(GString *out, const EthHeader *h, uint16_t type, size_t payload)
{
  g_string_append(out, "ETH ");
  trace_append_mac(out, h->src);
  g_string_append(out, " > ");
  trace_append_mac(out, h->dst);
  g_string_append(out, " ethertype 0x");
  trace_append_hex(out, type, 4);
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

static void trace_ether_payload(GString *out, TraceTcpSeqs *seqs, const EthHeader *h, uint16_t type, const uint8_t *p,
                                size_t len);

/* Appends a VLAN tag (TPID `type`; `p`: the TCI and the ethertype after
 * it) and what it carries. */
static void trace_ether_vlan(GString *out, TraceTcpSeqs *seqs, const EthHeader *h, uint16_t type, const uint8_t *p,
                             size_t len)
{
  const char *what = type == ETHERTYPE_QINQ ? "s-vlan " : "vlan ";
  if (len < VLAN_TAG_LEN) { /* the TCI and the ethertype after the TPID */
    trace_append_truncated(out, what, len);
    return;
  }
  uint16_t tci = (uint16_t)(p[0] << 8 | p[1]);
  trace_append_field(out, what, tci & 0xfff);
  if (tci >> 13)
    trace_append_field(out, " p ", tci >> 13);
  g_string_append_c(out, ' ');
  trace_ether_payload(out, seqs, h, (uint16_t)(p[2] << 8 | p[3]), p + VLAN_TAG_LEN, len - VLAN_TAG_LEN);
}

/* Appends the payload `p` (`len` bytes) of ethertype `type`, of the frame of header `h`. */
static void trace_ether_payload(GString *out, TraceTcpSeqs *seqs, const EthHeader *h, uint16_t type, const uint8_t *p,
                                size_t len)
{
  switch (type) {
  case ETHERTYPE_ARP:
    trace_decode_arp(out, p, len);
    break;
  case ETHERTYPE_IPV4:
    trace_decode_ipv4(out, seqs, p, len);
    break;
  case ETHERTYPE_VLAN:
  case ETHERTYPE_QINQ:
    trace_ether_vlan(out, seqs, h, type, p, len);
    break;
  default:
    if (type <= ETH_MAX_LENGTH_FIELD)
      trace_ether_llc(out, p, len, type);
    else
      trace_ether_other(out, h, type, len);
  }
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
  trace_ether_payload(out, seqs, &h, g_ntohs(h.type), p + ETH_HEADER_LEN, len - ETH_HEADER_LEN);
}
