/*
 * The text trace's decoders, one per protocol as tcpdump's print-*.c
 * (private to models/observe/trace*.c): each appends its header's fields
 * to `out` in the trace's compact form and hands the payload to the next
 * decoder through a plain switch (Ethernet on the ethertype, IPv4 on the
 * protocol). None reads outside p[0..len); a short or inconsistent header
 * prints a `[truncated ...]` or `[bad ...]` marker and decoding stops there.
 *
 * Entry points: trace_decode_ether() (trace_ether.c), trace_decode_ppp()
 * (trace_ppp.c), trace_decode_arp()
 * (trace_arp.c), trace_decode_ipv4() (trace_ipv4.c), trace_decode_icmp()
 * (trace_icmp.c), trace_decode_udp() (trace_udp.c), trace_decode_tcp()
 * (trace_tcp.c), trace_decode_rip() (trace_rip.c, from UDP port 520),
 * trace_decode_ospf() (trace_ospf.c, IP protocol 89), trace_decode_stp()
 * (trace_stp.c, LLC SAP 0x42 in 802.3 frames); and the number and address formatting they share,
 * trace_append_*() (trace.c). A new link type adds a TraceFrom value
 * (trace.h), one file with its decoder declared here, and one case in
 * trace_format_packet()'s switch (trace.c).
 */
#ifndef IPSIM_TRACE_DECODE_H
#define IPSIM_TRACE_DECODE_H

#include <glib.h>
#include <stdint.h>

#include "models/internet/ipv4_wire.h"

/* The ISNs a Trace has seen in SYNs, per direction (trace_tcp.c). The
 * decoders that may reach TCP take one; NULL decodes without state
 * (absolute TCP sequence numbers). */
typedef struct TraceTcpSeqs TraceTcpSeqs;
TraceTcpSeqs *trace_tcp_seqs_new(void);
void trace_tcp_seqs_free(TraceTcpSeqs *s);

void trace_decode_ether(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len);
void trace_decode_ppp(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len);
void trace_decode_arp(GString *out, const uint8_t *p, size_t len);
void trace_decode_ipv4(GString *out, TraceTcpSeqs *seqs, const uint8_t *p, size_t len);
void trace_decode_icmp(GString *out, const uint8_t *p, size_t len);
void trace_decode_udp(GString *out, const uint8_t *p, size_t len);
/* `len` bytes present of a `seglen`-byte segment (more when cut short),
 * carried by the datagram whose header is `ip`. */
void trace_decode_tcp(GString *out, TraceTcpSeqs *seqs, const Ipv4Header *ip, const uint8_t *p, size_t len,
                      size_t seglen);

/* `len` bytes present of a `whole`-byte RIP message (the UDP payload). */
void trace_decode_rip(GString *out, const uint8_t *p, size_t len, size_t whole);
/* `len` bytes present of an OSPF packet (the IPv4 payload); the OSPF
 * header gives the packet's length. */
void trace_decode_ospf(GString *out, const uint8_t *p, size_t len);
/* `len` bytes present of a BPDU (the LLC payload of an 802.3 frame, trace_stp.c). */
void trace_decode_stp(GString *out, const uint8_t *p, size_t len);

/* Big-endian fields read byte by byte (no alignment, no struct). */
static inline uint16_t trace_get16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t trace_get32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Formatting by hand, without printf (trace.c). */
void trace_append_uint(GString *out, uint64_t v);
void trace_append_field(GString *out, const char *s, uint64_t v);
void trace_append_ipv4(GString *out, uint32_t addr);
void trace_append_hex(GString *out, uint32_t v, int n);
void trace_append_mac(GString *out, const uint8_t *mac);
void trace_append_truncated(GString *out, const char *what, size_t len);

#endif
