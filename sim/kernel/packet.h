/*
 * Packets: real bytes in network byte order in one contiguous buffer with
 * headroom, in the spirit of lwIP's pbuf and BSD's mbuf but single-buffer.
 * Going down, each layer prepends its header with packet_push(); going up,
 * it strips it with packet_pull(). Packets come from a PacketPool, so the
 * steady state does no malloc per packet.
 *
 * Entry points: packet_pool_new(); packet_new() / packet_new_from() /
 * packet_clone(); packet_push(), packet_pull(), packet_put(), packet_trim(),
 * packet_peek(), packet_data(), packet_len(); packet_mark_network(),
 * packet_network(); packet_id(), packet_derive(), packet_renew(),
 * packet_rejoin(); packet_free();
 * packet_pool_stats(); packet_pool_free().
 *
 * Ids: every packet made by packet_new() or packet_new_from() gets the
 * pool's next id (1, 2, ... in creation order, so a run is numbered the
 * same every time); a clone keeps it, as does the packet itself through
 * every push and pull, so a frame flooded by a switch or a datagram
 * forwarded by a router is one id from end to end. A packet made from
 * another (a fragment from its datagram, an error about the packet that
 * caused it, a copy sent again) notes that one's id as its parent and why
 * (packet_derive(), packet_renew()); a datagram joined again from its
 * fragments takes back its id (packet_rejoin()). The trace shows them; the kernel only
 * keeps them. Their cost on the packet path is an integer copy.
 *
 * Ownership: a function that receives a Packet * owns it: it passes it on
 * or frees it, and the caller never touches it again. The rule is the same
 * going up and going down. Fan-out (flooding, broadcast) clones: one
 * packet per receiver.
 *
 * Bytes: every byte a packet gains is zeroed — the payload of packet_new(),
 * and the bytes added by packet_push() and packet_put() — so nothing of an
 * earlier packet leaks into a trace or pcap and runs stay deterministic.
 *
 * Pointers: a pointer returned by packet_data(), packet_push(),
 * packet_pull(), packet_put() or packet_peek() stays valid until the next
 * packet_push(), packet_put() or packet_reserve() on that packet (which
 * may move or overwrite the bytes) or until the packet is freed.
 *
 * Memory: a packet and a 2048-byte buffer are one allocation, enough for
 * PACKET_HEADROOM plus a 1514-byte Ethernet frame. Bigger packets (IP
 * reassembly up to 64 KiB) take a PACKET_LARGE_SIZE buffer, also pooled.
 * Only packets beyond that get a buffer of their own, freed with them.
 * A pool keeps every freed packet and large buffer until
 * packet_pool_free(): its memory is the peak in use. Pools are not
 * thread-safe; use one per simulation.
 *
 * Leaves out: chains of buffers (scatter/gather), shared read-only
 * buffers with reference counts (clone copies), checksum offload.
 */
#ifndef IPSIM_PACKET_H
#define IPSIM_PACKET_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

/* Room kept in front of new packets: Ethernet with a VLAN tag (18),
 * IPv4 and TCP with full options (60 + 60) fit without a slow path. */
#define PACKET_HEADROOM 160
/* The buffer inside every packet. */
#define PACKET_SMALL_SIZE 2048
/* The pooled buffer for packets that outgrow the small one. */
#define PACKET_LARGE_SIZE (68 * 1024)

typedef struct PacketPool PacketPool;
typedef struct Packet Packet;

/* How a packet was made from its parent (Packet.parent). */
typedef enum {
  PACKET_ORIGIN_NONE,       /* made afresh: no parent */
  PACKET_ORIGIN_FRAGMENT,   /* a piece of the parent (IPv4 fragmentation) */
  PACKET_ORIGIN_ERROR,      /* a report about the parent (an ICMP error) */
  PACKET_ORIGIN_RETRANSMIT, /* the parent's content sent again (parent 0: not known) */
  PACKET_ORIGIN_REPLY,      /* an answer made from the parent's own buffer (an echo reply) */
} PacketOrigin;

/* Visible so that the accessors below can be inline; use the functions. */
struct Packet {
  uint8_t *data;   /* first byte of the packet */
  size_t len;      /* bytes from data on */
  uint8_t *buf;    /* start of the buffer: storage or a large buffer */
  size_t size;     /* bytes in buf */
  uint64_t id;     /* see packet_id() */
  uint64_t parent; /* the id of the packet this one was made from (0: none); see packet_derive() */
  /* For the models' flow accounting (models/observe/flow.h), copied by
   * clones: when the transport layer sent the packet, and the id of the
   * flow it counts in (0: none). The kernel never reads them. */
  int64_t stamp;
  uint32_t flow;
  uint32_t net_off;  /* the network header's offset in buf (PACKET_NO_NETWORK: none); see packet_mark_network() */
  uint8_t origin;    /* PacketOrigin: how it was made from its parent */
  PacketPool *pool;  /* where packet_free() returns it */
  Packet *next;      /* free-list link while in the pool */
  uint8_t storage[]; /* PACKET_SMALL_SIZE bytes */
};

typedef struct {
  uint64_t mallocs;     /* allocations made for packets and buffers, ever */
  uint64_t in_use;      /* packets handed out and not yet freed */
  uint64_t free_cached; /* free packets plus free large buffers kept */
} PacketPoolStats;

PacketPool *packet_pool_new(void);
void packet_pool_free(PacketPool *pool);
PacketPoolStats packet_pool_stats(const PacketPool *pool);

Packet *packet_new(PacketPool *pool, size_t len);
Packet *packet_new_from(PacketPool *pool, const void *data, size_t len);
Packet *packet_clone(const Packet *p);
void packet_free(Packet *p);
void packet_reserve(Packet *p, size_t headroom, size_t tailroom);
void packet_derive(Packet *p, const Packet *parent, PacketOrigin origin);
void packet_renew(Packet *p, PacketOrigin origin);
void packet_rejoin(Packet *whole, const Packet *piece);

/* Returns the first byte of the packet. */
static inline uint8_t *packet_data(Packet *p)
{
  return p->data;
}

/* Returns the length of the packet in bytes. */
static inline size_t packet_len(const Packet *p)
{
  return p->len;
}

#define PACKET_NO_NETWORK UINT32_MAX

/* Marks the packet's first byte as its network header, so that the layers
 * above may pull it and a drop or a trace still finds it
 * (packet_network()). Pushes and puts keep the mark when they move the
 * bytes, as long as the header lies within the packet; a clone keeps it
 * likewise. */
static inline void packet_mark_network(Packet *p)
{
  p->net_off = (uint32_t)(p->data - p->buf);
}

/* Returns the packet from its network header on (its length in *len),
 * even when the layers above have pulled that header; or the packet as it
 * is when no header is marked. */
static inline const uint8_t *packet_network(const Packet *p, size_t *len)
{
  size_t end = (size_t)(p->data - p->buf) + p->len; /* as offsets: buf + net_off may lie past the buffer */
  if (p->net_off == PACKET_NO_NETWORK || p->net_off > end) {
    *len = p->len;
    return p->data;
  }
  *len = (size_t)(p->data + p->len - (p->buf + p->net_off));
  return p->buf + p->net_off;
}

/* Returns the packet's id: the pool's count of packets made when this
 * one was (1, 2, ...), kept by clones. For traces. */
static inline uint64_t packet_id(const Packet *p)
{
  return p->id;
}

/* Returns how many bytes can be pushed without the slow path. */
static inline size_t packet_headroom(const Packet *p)
{
  return (size_t)(p->data - p->buf);
}

/* Returns how many bytes can be put without the slow path. */
static inline size_t packet_tailroom(const Packet *p)
{
  return p->size - packet_headroom(p) - p->len;
}

/* Prepends n zeroed bytes and returns their start (the new packet start).
 * Never fails: a short headroom takes the slow path, packet_reserve(). */
static inline uint8_t *packet_push(Packet *p, size_t n)
{
  if (packet_headroom(p) < n)
    packet_reserve(p, n, 0);
  p->data -= n;
  p->len += n;
  memset(p->data, 0, n);
  return p->data;
}

/* Strips n bytes from the front and returns their start, or returns NULL
 * and leaves the packet unchanged if it is shorter than n. */
static inline const uint8_t *packet_pull(Packet *p, size_t n)
{
  const uint8_t *head = p->data;

  if (p->len < n)
    return NULL;
  p->data += n;
  p->len -= n;
  return head;
}

/* Undoes packet_pull(p, n): gives back the n bytes in front of the packet,
 * unchanged (for a layer that drops a packet and wants it traced from the
 * header below its own). Returns the new start, or NULL and leaves the
 * packet unchanged if fewer than n bytes lie in front. */
static inline uint8_t *packet_unpull(Packet *p, size_t n)
{
  if (packet_headroom(p) < n)
    return NULL;
  p->data -= n;
  p->len += n;
  return p->data;
}

/* Appends n zeroed bytes at the tail and returns their start. Never fails:
 * a short tailroom takes the slow path, packet_reserve(). */
static inline uint8_t *packet_put(Packet *p, size_t n)
{
  uint8_t *tail;

  if (packet_tailroom(p) < n)
    packet_reserve(p, 0, n);
  tail = p->data + p->len;
  p->len += n;
  memset(tail, 0, n);
  return tail;
}

/* Cuts the packet to len bytes (drops the tail, e.g. Ethernet padding).
 * Returns FALSE and leaves the packet unchanged if len > packet_len(). */
static inline gboolean packet_trim(Packet *p, size_t len)
{
  if (len > p->len)
    return FALSE;
  p->len = len;
  return TRUE;
}

/* Returns the first byte if the packet has at least n bytes, else NULL:
 * the check before reading a header in place. */
static inline const uint8_t *packet_peek(const Packet *p, size_t n)
{
  return p->len >= n ? p->data : NULL;
}

#endif
