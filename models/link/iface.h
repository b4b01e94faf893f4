/*
 * An interface: a node's attachment to one link, with its MAC address,
 * optional IPv4 address, MTU, its drop-tail transmit queue and its counters.
 *
 * Transmission: iface_transmit() takes a complete Ethernet frame. If the
 * interface is idle the frame starts at once (link_start()); otherwise it
 * waits in the queue, and one timer event (tx_event) at the end of the
 * current frame starts the next. An idle interface schedules nothing, so an
 * unloaded hop costs one event: the arrival at the far end.
 *
 * Entry points: iface_new(), iface_transmit(), iface_set_up(), iface_flush()
 * (drop what is queued: link down), iface_peer(), iface_free().
 */
#ifndef IPSIM_IFACE_H
#define IPSIM_IFACE_H

#include <glib.h>

#include "models/core/drop.h"
#include "sim/kernel/packet.h"
#include "sim/scenario/scenario.h"
#include "sim/kernel/scheduler.h"

typedef struct Node Node;
typedef struct Link Link;
typedef struct ArpCache ArpCache;
typedef struct PcapOut PcapOut;

/* A bounded FIFO of frames: a ring of packet pointers that grows (by
 * doubling) only up to the limit, so a queue costs nothing per packet. */
typedef struct {
  Packet **ring;
  guint head, count, cap;
  uint64_t bytes;   /* bytes held */
  QueueLimit limit; /* packets or bytes */
} IfaceQueue;

typedef struct Iface {
  char *name;
  Node *node;
  Link *link;  /* NULL when not connected */
  guint index; /* position in node->ifaces */
  uint8_t mac[6];
  gboolean has_ip;
  Ipv4Prefix ip;
  uint32_t mtu; /* largest IP packet (Ethernet payload) it sends */
  gboolean up;  /* carrier: connected and the link is up */
  IfaceQueue queue;
  SimTime busy_until; /* end of the frame being serialized */
  EventId tx_event;   /* pending "start the next frame" event, or EVENT_ID_NONE */
  ArpCache *arp;      /* hosts and routers; NULL on switches */
  PcapOut *pcap;      /* NULL unless this interface is captured */
  Counters counters;
} Iface;

Iface *iface_new(Node *node, const ScenarioIface *conf, guint index);
void iface_free(Iface *iface);
Iface *iface_peer(const Iface *iface);

void iface_transmit(Iface *iface, Packet *frame);
void iface_set_up(Iface *iface, gboolean up);
void iface_flush(Iface *iface);

#endif
