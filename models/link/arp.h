/*
 * ARP (RFC 826) for IPv4 over Ethernet: a cache per interface, requests and
 * replies, retries, and a bounded queue of packets waiting for resolution.
 *
 * Behaviour (as Linux and ns-3 by default, written down in models/link/README.md):
 * an entry lives ARP_TIMEOUT after it was learned; a resolution sends a
 * request, retries every ARP_RETRY_INTERVAL, and after ARP_MAX_REQUESTS
 * unanswered requests drops its waiting packets (DROP_ARP_FAILED) and
 * reports it to IPv4 (routers send ICMP host unreachable). At most
 * ARP_QUEUE_LEN packets wait per address (more: DROP_ARP_QUEUE_FULL, oldest
 * kept). A request for our address also teaches us the sender (RFC 826's
 * merge rule).
 *
 * Entry points: arp_cache_new(); arp_output() (from IPv4, with a packet
 * starting at its IP header and the next-hop address); arp_input() (from
 * ethernet_input, at the ARP header); arp_cache_lookup(); arp_cache_flush()
 * (link down); arp_cache_entries() (what `show arp` prints); arp_cache_free().
 */
#ifndef IPSIM_ARP_H
#define IPSIM_ARP_H

#include "models/link/iface.h"

#define ARP_TIMEOUT SIMTIME_S(60)
#define ARP_RETRY_INTERVAL SIMTIME_S(1)
#define ARP_MAX_REQUESTS 3
#define ARP_QUEUE_LEN 101 /* as Linux's default unres_qlen */

ArpCache *arp_cache_new(Iface *iface);
void arp_cache_free(ArpCache *cache);
void arp_cache_flush(ArpCache *cache);
gboolean arp_cache_lookup(const ArpCache *cache, uint32_t ip, uint8_t mac[6]);

/* One entry of a cache as `show arp` sees it. */
typedef struct {
  uint32_t ip; /* host byte order */
  uint8_t mac[6];
  gboolean resolved; /* REACHABLE (mac and age valid); else INCOMPLETE, resolution under way */
  SimTime age;       /* since it was learned */
} ArpEntryView;

void arp_cache_entries(const ArpCache *cache, GArray *out);

void arp_output(Iface *iface, Packet *p, uint32_t next_hop);
void arp_input(Iface *iface, Packet *p);

#endif
