/*
 * pcap files written through libpcap: Ethernet link type, nanosecond
 * timestamps (simulated time), one file per captured interface. Wireshark
 * and tshark open them.
 *
 * Entry points: pcap_out_open(), pcap_out_write(), pcap_out_close().
 */
#ifndef IPSIM_PCAP_OUT_H
#define IPSIM_PCAP_OUT_H

#include <glib.h>

#include "sim/kernel/simtime.h"

typedef struct PcapOut PcapOut;

/* The error domain of pcap_out_open(): the file cannot be created. */
#define PCAP_OUT_ERROR (pcap_out_error_quark())
GQuark pcap_out_error_quark(void);

#define PCAP_OUT_SNAPLEN_MAX 65535

PcapOut *pcap_out_open(const char *path, uint32_t snaplen, int linktype, GError **error);
void pcap_out_write(PcapOut *out, SimTime at, const void *frame, size_t len);
void pcap_out_close(PcapOut *out);

#endif
