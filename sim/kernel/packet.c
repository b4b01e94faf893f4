/*
 * Packets: the pool behind packet_new() and packet_free(), copying
 * (packet_new_from(), packet_clone()) and the slow path that gives a
 * packet more room (packet_reserve()). The fast accessors are inline in
 * packet.h, which also states the ownership rule.
 *
 * Entry points: packet_pool_new(), packet_new(), packet_new_from(),
 * packet_clone(), packet_derive(), packet_renew(), packet_rejoin(),
 * packet_reserve(), packet_free(), packet_pool_stats(),
 * packet_pool_free().
 *
 * How: two LIFO free lists. One holds packets, each with its inline
 * PACKET_SMALL_SIZE buffer; the other holds PACKET_LARGE_SIZE buffers,
 * linked through their first bytes. A packet that outgrows its inline
 * buffer borrows a large buffer and gives it back when freed. Only
 * buffers beyond PACKET_LARGE_SIZE are allocated and freed each time.
 * Under AddressSanitizer, free memory in the pool is poisoned, so a use
 * after packet_free() is reported even though the memory is kept.
 *
 * Leaves out: shrinking the pool, thread safety.
 */
#include "sim/kernel/packet.h"

#include <inttypes.h>

/* GCC says __SANITIZE_ADDRESS__, Clang __has_feature(address_sanitizer). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PACKET_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(PACKET_ASAN)
#include <sanitizer/asan_interface.h>
#define PACKET_POISON(addr, size) ASAN_POISON_MEMORY_REGION((addr), (size))
#define PACKET_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION((addr), (size))
#else
#define PACKET_POISON(addr, size) ((void)(addr), (void)(size))
#define PACKET_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

/* A buffer beyond PACKET_LARGE_SIZE is rounded up to this, with slack. */
#define PACKET_HUGE_ROUND 4096

struct PacketPool {
  Packet *free_packets;
  uint8_t *free_large; /* each buffer starts with the next one's address */
  uint64_t next_id;
  uint64_t mallocs;
  uint64_t in_use;
  uint64_t free_packets_count;
  uint64_t free_large_count;
};

/* Creates an empty pool. Free it with packet_pool_free(). */
PacketPool *packet_pool_new(void)
{
  PacketPool *pool = g_new0(PacketPool, 1);

  pool->next_id = 1;
  return pool;
}

/* Frees a pool and everything it keeps. Every packet should have been
 * freed: packets still out are reported with a warning and leak, and
 * must not be freed afterwards. NULL-safe. */
void packet_pool_free(PacketPool *pool)
{
  if (pool == NULL)
    return;
  if (pool->in_use != 0)
    g_warning("packet_pool_free: %" PRIu64 " packets still in use", pool->in_use);
  while (pool->free_packets != NULL) {
    Packet *p = pool->free_packets;
    pool->free_packets = p->next;
    PACKET_UNPOISON(p->storage, PACKET_SMALL_SIZE);
    g_free(p);
  }
  while (pool->free_large != NULL) {
    uint8_t *buf = pool->free_large;
    memcpy(&pool->free_large, buf, sizeof(uint8_t *));
    PACKET_UNPOISON(buf, PACKET_LARGE_SIZE);
    g_free(buf);
  }
  g_free(pool);
}

/* Returns the pool's counters. */
PacketPoolStats packet_pool_stats(const PacketPool *pool)
{
  PacketPoolStats stats = {0, 0, 0};

  g_return_val_if_fail(pool != NULL, stats);
  stats.mallocs = pool->mallocs;
  stats.in_use = pool->in_use;
  stats.free_cached = pool->free_packets_count + pool->free_large_count;
  return stats;
}

/* Returns a buffer of at least need bytes (need > PACKET_SMALL_SIZE) and
 * its real size in *size: a pooled large buffer if need fits one, else a
 * buffer of its own with some slack for growth. */
static uint8_t *packet_buffer_take(PacketPool *pool, size_t need, size_t *size)
{
  uint8_t *buf;

  if (need > PACKET_LARGE_SIZE) {
    /* Callers keep need below SIZE_MAX / 2, so this cannot overflow. */
    *size = (need + need / 2 + PACKET_HUGE_ROUND - 1) / PACKET_HUGE_ROUND * PACKET_HUGE_ROUND;
    pool->mallocs++;
    return g_malloc(*size);
  }
  *size = PACKET_LARGE_SIZE;
  if (pool->free_large == NULL) {
    pool->mallocs++;
    return g_malloc(PACKET_LARGE_SIZE);
  }
  buf = pool->free_large;
  PACKET_UNPOISON(buf, PACKET_LARGE_SIZE);
  memcpy(&pool->free_large, buf, sizeof(uint8_t *));
  pool->free_large_count--;
  return buf;
}

/* Gives back a buffer from packet_buffer_take(): a large buffer goes to
 * the free list, a bigger one is freed. */
static void packet_buffer_give(PacketPool *pool, uint8_t *buf, size_t size)
{
  if (size != PACKET_LARGE_SIZE) {
    g_free(buf);
    return;
  }
  memcpy(buf, &pool->free_large, sizeof(uint8_t *));
  pool->free_large = buf;
  pool->free_large_count++;
  PACKET_POISON(buf + sizeof(uint8_t *), PACKET_LARGE_SIZE - sizeof(uint8_t *));
}

/* Returns a packet from the pool with room for headroom + len bytes and
 * packet_len() == len. The bytes are not initialized. */
static Packet *packet_alloc(PacketPool *pool, size_t headroom, size_t len)
{
  Packet *p = pool->free_packets;

  if (p != NULL) {
    pool->free_packets = p->next;
    pool->free_packets_count--;
    PACKET_UNPOISON(p->storage, PACKET_SMALL_SIZE);
  } else {
    p = g_malloc(sizeof(Packet) + PACKET_SMALL_SIZE);
    pool->mallocs++;
  }
  p->pool = pool;
  p->next = NULL;
  p->id = 0;
  p->parent = 0;
  p->origin = PACKET_ORIGIN_NONE;
  p->stamp = 0;
  p->flow = 0;
  p->net_off = PACKET_NO_NETWORK;
  p->buf = p->storage;
  p->size = PACKET_SMALL_SIZE;
  if (headroom + len > PACKET_SMALL_SIZE)
    p->buf = packet_buffer_take(pool, headroom + len, &p->size);
  p->data = p->buf + headroom;
  p->len = len;
  pool->in_use++;
  return p;
}

/* Returns a new packet of len zeroed bytes with PACKET_HEADROOM in front.
 * The caller owns it. */
Packet *packet_new(PacketPool *pool, size_t len)
{
  Packet *p;

  g_return_val_if_fail(pool != NULL && len < SIZE_MAX / 2, NULL);
  p = packet_alloc(pool, PACKET_HEADROOM, len);
  p->id = pool->next_id++;
  memset(p->data, 0, len);
  return p;
}

/* Returns a new packet holding a copy of len bytes at data, with
 * PACKET_HEADROOM in front. The caller owns it. */
Packet *packet_new_from(PacketPool *pool, const void *data, size_t len)
{
  Packet *p;

  g_return_val_if_fail(pool != NULL && (data != NULL || len == 0), NULL);
  g_return_val_if_fail(len < SIZE_MAX / 2, NULL);
  p = packet_alloc(pool, PACKET_HEADROOM, len);
  p->id = pool->next_id++;
  if (len > 0)
    memcpy(p->data, data, len);
  return p;
}

/* Gives p the network-header mark `net_off` of the bytes it held with
 * `old_head` bytes of headroom: shifted with them, or cleared when the
 * header lay in front of them (pulled bytes are not moved). */
static void packet_keep_mark(Packet *p, uint32_t net_off, size_t old_head)
{
  if (net_off == PACKET_NO_NETWORK || net_off < old_head)
    p->net_off = PACKET_NO_NETWORK;
  else
    p->net_off = (uint32_t)(net_off - old_head + packet_headroom(p));
}

/* Returns a deep copy of p from the same pool, with its id and parent and
 * PACKET_HEADROOM in front (the headroom of p is not copied: its bytes
 * are not part of the packet). p is unchanged and still owned by the
 * caller, who also owns the copy. */
Packet *packet_clone(const Packet *p)
{
  Packet *copy;

  g_return_val_if_fail(p != NULL, NULL);
  copy = packet_alloc(p->pool, PACKET_HEADROOM, p->len);
  if (p->len > 0)
    memcpy(copy->data, p->data, p->len);
  copy->stamp = p->stamp;
  copy->flow = p->flow;
  copy->id = p->id;
  copy->parent = p->parent;
  copy->origin = p->origin;
  packet_keep_mark(copy, p->net_off, packet_headroom(p));
  return copy;
}

/* Notes that p was made from `parent` (its id; NULL: not known) as
 * `origin` says. A piece of a piece names the first parent: every
 * fragment of a datagram names the datagram, however many times it was
 * cut. */
void packet_derive(Packet *p, const Packet *parent, PacketOrigin origin)
{
  g_return_if_fail(p != NULL);
  p->parent = parent ? parent->id : 0;
  if (parent && origin == PACKET_ORIGIN_FRAGMENT && parent->origin == PACKET_ORIGIN_FRAGMENT)
    p->parent = parent->parent;
  p->origin = (uint8_t)origin;
}

/* Gives p (a clone, say) the pool's next id, noting its old id as its
 * parent and `origin` as why: a copy that is a packet of its own. */
void packet_renew(Packet *p, PacketOrigin origin)
{
  g_return_if_fail(p != NULL);
  p->parent = p->id;
  p->origin = (uint8_t)origin;
  p->id = p->pool->next_id++;
}

/* Gives `whole`, made again from its pieces (reassembly), the id of the
 * packet `piece` was cut from, so that it is the same packet again; a
 * piece without a parent leaves whole's own id. */
void packet_rejoin(Packet *whole, const Packet *piece)
{
  g_return_if_fail(whole != NULL && piece != NULL);
  if (piece->origin != PACKET_ORIGIN_FRAGMENT || piece->parent == 0)
    return;
  whole->id = piece->parent;
  whole->parent = 0;
  whole->origin = PACKET_ORIGIN_NONE;
}

/* Moves the bytes of p into a new buffer of at least need bytes, with
 * headroom bytes in front, and gives back the old buffer. */
static void packet_move(Packet *p, size_t need, size_t headroom)
{
  size_t size;
  uint8_t *buf = packet_buffer_take(p->pool, need, &size);

  memcpy(buf + headroom, p->data, p->len);
  if (p->buf != p->storage)
    packet_buffer_give(p->pool, p->buf, p->size);
  p->buf = buf;
  p->size = size;
  p->data = buf + headroom;
}

/* Makes sure p has at least headroom bytes in front and tailroom bytes
 * behind; the slow path of packet_push() and packet_put(). A short
 * headroom grows to headroom + PACKET_HEADROOM, for the pushes to come.
 * The bytes move within the buffer if they fit, else to a larger buffer;
 * pointers into p are invalid afterwards. */
void packet_reserve(Packet *p, size_t headroom, size_t tailroom)
{
  size_t head_now, new_head, need;

  g_return_if_fail(p != NULL && headroom < SIZE_MAX / 4 && tailroom < SIZE_MAX / 4);
  head_now = packet_headroom(p);
  if (head_now >= headroom && packet_tailroom(p) >= tailroom)
    return;
  if (head_now < headroom)
    new_head = headroom + PACKET_HEADROOM;
  else
    new_head = MAX(headroom, MIN(head_now, PACKET_HEADROOM));
  need = new_head + p->len + tailroom;
  uint32_t mark = p->net_off;
  if (need > p->size) {
    packet_move(p, need, new_head);
  } else {
    memmove(p->buf + new_head, p->data, p->len);
    p->data = p->buf + new_head;
  }
  packet_keep_mark(p, mark, head_now);
}

/* Returns p to its pool, with any large buffer it borrowed. NULL-safe.
 * Freeing a packet twice is caught (a critical warning) and ignored. */
void packet_free(Packet *p)
{
  PacketPool *pool;

  if (p == NULL)
    return;
  g_return_if_fail(p->data != NULL);
  pool = p->pool;
  if (p->buf != p->storage)
    packet_buffer_give(pool, p->buf, p->size);
  p->data = NULL;
  p->next = pool->free_packets;
  pool->free_packets = p;
  pool->free_packets_count++;
  pool->in_use--;
  PACKET_POISON(p->storage, PACKET_SMALL_SIZE);
}
