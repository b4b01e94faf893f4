/*
 * IPv4 fragmentation (RFC 791 section 3.2; RFC 815 hole bookkeeping) and
 * reassembly at the destination, with a timeout (REASM_TIMEOUT, as Linux's
 * ipfrag_time) that drops incomplete datagrams (DROP_FRAG_TIMEOUT) and sends
 * ICMP time exceeded (reassembly) when the first fragment had arrived.
 * Overlapping fragments discard the whole datagram (DROP_FRAG_OVERLAP), as
 * Linux does since 2018 and RFC 5722 asks for IPv6.
 *
 * Entry points: frag_output() (from ipv4_output when a datagram exceeds the
 * MTU); reasm_new(); reasm_input() (from ipv4 local delivery); reasm_free().
 */
#ifndef IPSIM_FRAG_H
#define IPSIM_FRAG_H

#include "models/internet/ipv4.h"

#define REASM_TIMEOUT SIMTIME_S(30)
#define REASM_MAX_DATAGRAMS 64 /* per node; the oldest is dropped beyond */

typedef void (*FragSendFn)(Iface *iface, Packet *fragment, uint32_t next_hop);

void frag_output(Iface *iface, Packet *p, uint32_t next_hop, FragSendFn send);

Reassembly *reasm_new(Node *node);
void reasm_free(Reassembly *r);
Packet *reasm_input(Reassembly *r, Packet *fragment);

#endif
