/*
 * An interface: a node's attachment to one link, with its type (the
 * layer-2 ops: Ethernet with ARP, PPP, or a switch's bridge port), its MAC
 * address (Ethernet), optional IPv4 address, MTU, its drop-tail transmit
 * queue, its counters and its up/down state, with listeners told of
 * changes.
 *
 * Transmission: iface_transmit() takes a complete frame. If the
 * interface is idle the frame starts at once (the link's ops->start());
 * otherwise it
 * waits in the queue, and one timer event (tx_event) at the end of the
 * current frame starts the next. An idle interface schedules nothing, so an
 * unloaded hop costs one event: the arrival at the far end.
 *
 * Entry points: iface_new(); iface_output() (from IPv4: a datagram and its
 * next hop) and iface_input() (from the link: a frame), both through the
 * type's ops; iface_transmit() (from the type: a frame); iface_set_up(),
 * iface_flush() (drop what is queued: link down); iface_listen();
 * iface_peer(), iface_free().
 */
#ifndef IPSIM_IFACE_H
#define IPSIM_IFACE_H

#include <glib.h>

#include "models/core/drop.h"
#include "sim/kernel/packet.h"
#include "sim/kernel/scheduler.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

typedef struct Node Node;
typedef struct Link Link;
typedef struct ArpCache ArpCache;
typedef struct PcapOut PcapOut;
typedef struct Iface Iface;
typedef struct VlanPortConfig VlanPortConfig;

/* An interface's configuration, owned by the model; the loader fills it
 * (every value effective: MTU and queue from the link's defaults). */
typedef struct {
  char *name;
  gboolean has_ip;
  Ipv4Prefix ip;
  uint8_t mac[6];   /* Ethernet interfaces */
  uint32_t mtu;     /* largest IP packet a frame carries */
  QueueLimit queue; /* transmit queue limit */
} IfaceConfig;

/* The layer-2 door: what an interface type does, the one place where
 * behaviour varies by link type. Ethernet with ARP is one type, PPP
 * another, a switch's bridge port a third. */
typedef struct {
  const char *name;
  /* Sends the IPv4 datagram `p` (at its IP header) to the neighbour
   * `next_hop` (host byte order); takes `p`. NULL on bridge ports. */
  void (*output)(Iface *iface, Packet *p, uint32_t next_hop);
  /* Handles a frame that arrived from the link; takes it. */
  void (*input)(Iface *iface, Packet *frame);
  uint16_t header_len;    /* framing bytes before the IP packet (MTU checks) */
  uint16_t wire_overhead; /* bytes serialized beyond the frame held (PPP: FCS and flag) */
  gboolean to_peer;       /* every datagram goes to the one peer, whatever its next hop (no address resolution) */
  int pcap_linktype;      /* LINKTYPE_* of its captures */
  int trace_from;         /* the TraceFrom its frames start with */
} IfaceOps;

/* Told when an interface goes up or down (iface_set_up()). */
typedef void (*IfaceListenFn)(void *data, Iface *iface);
typedef struct {
  IfaceListenFn fn;
  void *data;
} IfaceListener;

/* A bounded FIFO of frames: a ring of packet pointers that grows (by
 * doubling) only up to the limit, so a queue costs nothing per packet. */
typedef struct {
  Packet **ring;
  guint head, count, cap;
  uint64_t bytes;   /* bytes held */
  QueueLimit limit; /* packets or bytes */
} IfaceQueue;

struct Iface {
  char *name;
  const IfaceOps *ops;
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
  int tap_fd;         /* a Linux host's interface, or one wired to a TAP device (no link): the device; else -1 */
  PcapOut *pcap;      /* NULL unless this interface is captured */
  /* IEEE 802.1Q (models/link/vlan.h) */
  VlanPortConfig *vlan; /* a switch port's VLAN configuration, owned; NULL: an access port of VLAN 1 */
  Iface *vlan_parent;   /* a subinterface (eth0.10): the interface its frames go through; else NULL */
  uint16_t vlan_id;     /* a subinterface's VLAN */
  uint8_t stp_state;    /* a switch port under a spanning tree: its StpState, which models/link/stp.c keeps
                           (copied here so that the switch reads it per frame without a call) */
  Counters counters;
};

Iface *iface_new(Node *node, const IfaceConfig *conf, guint index);
void iface_free(Iface *iface);
Iface *iface_peer(const Iface *iface);

void iface_transmit(Iface *iface, Packet *frame);
void iface_receive(Iface *to, Packet *frame, SimTime now);
void iface_record(Iface *iface, Packet *frame, SimTime now, int verb); /* verb: a TraceVerb */

/* Sends the IPv4 datagram `p` (at its IP header) to `next_hop` through
 * the interface's type (ARP and Ethernet, or PPP). Takes `p`. */
static inline void iface_output(Iface *iface, Packet *p, uint32_t next_hop)
{
  iface->ops->output(iface, p, next_hop);
}

/* Hands a frame that arrived from the link to the interface's type. */
static inline void iface_input(Iface *iface, Packet *frame)
{
  iface->ops->input(iface, frame);
}
void iface_set_up(Iface *iface, gboolean up);
void iface_listen(GArray **listeners, IfaceListenFn fn, void *data);
void iface_flush(Iface *iface);

#endif
