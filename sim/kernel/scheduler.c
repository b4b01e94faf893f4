/*
 * Event scheduler: the pending-event set of the simulation kernel, ordered by
 * (time, scheduling order), with O(1) cancel through a handle.
 *
 * Entry points, in call order: scheduler_new; scheduler_at and
 * scheduler_after (also from inside events); scheduler_cancel and
 * scheduler_is_pending; scheduler_run, which pops and executes events up to a
 * time, with scheduler_stop from inside an event; scheduler_free. The
 * real-time loop uses scheduler_next_time (a read-only look at the queue)
 * and scheduler_step (one event at a time) instead of scheduler_run.
 *
 * Data structure. Events live in an array of slots {fn, obj, arg, gen},
 * taken from and returned to a LIFO free list; the array grows by a quarter
 * when full (realloc; glibc remaps large blocks instead of copying them). An
 * EventId is (gen << 32) | slot, and gen changes every time a slot is freed,
 * so stale handles fail. The queue is a radix-256 monotone priority queue (a
 * hierarchical timing wheel): all pending keys (times) are >= base; a key k
 * lives at level l, the index of the highest byte in which k differs from
 * base (level 0 if k == base), in bucket d = byte l of k. The buckets, in
 * (level, digit) order, hold ever larger keys. A 256-bit occupancy bitmap per
 * level and a 32-bit mask of its non-zero words find the lowest non-empty
 * bucket with two bit scans; at level 0 it holds entries of a single key.
 *
 * Popping takes the lowest non-empty bucket. Each bucket knows whether its
 * keys were appended in non-decreasing order (all equal, for instance); if
 * so, its head is the next event, popped where it is, at any level. If not,
 * a bucket that fits in one block is sorted in place (stably), and a larger
 * one is spread: base moves to the bucket's lower bound and its entries are
 * filed into the lower levels, which are empty at that moment. Each entry
 * thus moves at most 8 times; with events scheduled in time order (the
 * common case: a link's deliveries, a flow's packets) it does not move.
 * Why ties keep their order is argued at scheduler_queue_pop.
 *
 * Buckets are FIFO chains of fixed-size blocks (times and slots stored as
 * arrays, 12 bytes per entry) from a free list, so no memory is allocated per
 * event in steady state. Cancelling is lazy: the slot's fn is cleared, and
 * the queue entry is dropped and the slot freed when the entry is popped.
 * When a small bucket is spread, the slots of its events are prefetched, as
 * they run soon, and so are those of a bucket's head block when it becomes
 * the lowest one while more than 64 Ki slots are in use; with millions
 * pending this hides most slot cache misses.
 *
 * Leaves out: re-entrant scheduler_run (an event may not call it), times
 * before 0, and giving memory back to the system before scheduler_free.
 */
#include "sim/kernel/scheduler.h"

#define SCHEDULER_LEVELS 8
#define SCHEDULER_DIGITS 256
#define SCHEDULER_WORDS (SCHEDULER_DIGITS / 64)
#define SCHEDULER_BLOCK_ENTRIES 32
#define SCHEDULER_BLOCKS_PER_CHUNK 64
#define SCHEDULER_SLOTS_MIN 1024
#define SCHEDULER_PREFETCH_MAX 4096
#define SCHEDULER_PREFETCH_SLOTS (1u << 16)
#define SCHEDULER_SLOT_NONE UINT32_MAX
#define SCHEDULER_SLOT_MAX (UINT32_MAX - 1)
#define SCHEDULER_UNSORTED (UINT64_C(1) << 63)

/* A piece of a bucket's FIFO: up to SCHEDULER_BLOCK_ENTRIES (key, slot). */
typedef struct SchedulerBlock SchedulerBlock;
struct SchedulerBlock {
  uint64_t keys[SCHEDULER_BLOCK_ENTRIES];
  uint32_t slots[SCHEDULER_BLOCK_ENTRIES];
  SchedulerBlock *next;
};

/*
 * A FIFO of count entries: pop at head->keys[head_pos], append after the last
 * entry, which is in tail. Empty buckets have count 0 and no blocks. last is
 * the key appended last, with the bit SCHEDULER_UNSORTED (above any time)
 * set once an entry was appended after one with a larger key: without it,
 * the keys do not decrease from head to tail. last is not meaningful for
 * an empty bucket.
 */
typedef struct {
  SchedulerBlock *head;
  SchedulerBlock *tail;
  uint64_t last;
  uint32_t head_pos;
  uint32_t count;
} SchedulerBucket;

/* An event slot; fn == NULL means free or cancelled. */
typedef struct {
  EventFn fn;
  void *obj;
  void *arg;
  uint32_t gen;
  uint32_t next_free;
} SchedulerSlot;

struct Scheduler {
  SchedulerClock clock; /* first, for scheduler_now() (scheduler.h) */
  uint64_t base;
  uint32_t word_mask;
  /* The lowest bucket, (current_level, current_digit), from the time an
   * event is popped from it until it is empty or spread; else NULL. */
  uint32_t current_level;
  uint32_t current_digit;
  SchedulerBucket *current;
  gboolean running;
  gboolean stopped;
  size_t live;
  uint64_t executed;
  size_t memory_bytes;

  SchedulerBlock *free_blocks;
  GPtrArray *block_chunks;

  SchedulerSlot *slots;
  uint32_t slot_capacity;
  uint32_t slots_used;
  uint32_t free_slot;

  uint64_t occupied[SCHEDULER_LEVELS][SCHEDULER_WORDS];
  SchedulerBucket buckets[SCHEDULER_LEVELS][SCHEDULER_DIGITS];
};

/* Creates an empty scheduler at time 0. Free it with scheduler_free. */
Scheduler *scheduler_new(void)
{
  Scheduler *s = g_new0(Scheduler, 1);

  s->block_chunks = g_ptr_array_new_with_free_func(g_free);
  s->free_slot = SCHEDULER_SLOT_NONE;
  s->memory_bytes = sizeof(Scheduler);
  return s;
}

/* Frees the scheduler and discards its pending events. NULL-safe. */
void scheduler_free(Scheduler *s)
{
  if (s == NULL)
    return;
  g_free(s->slots);
  g_ptr_array_free(s->block_chunks, TRUE);
  g_free(s);
}

/* Returns the number of pending events that are not cancelled. */
size_t scheduler_pending(const Scheduler *s)
{
  g_return_val_if_fail(s != NULL, 0);
  return s->live;
}

/* Returns the number of events executed over the scheduler's life. */
uint64_t scheduler_executed(const Scheduler *s)
{
  g_return_val_if_fail(s != NULL, 0);
  return s->executed;
}

/* Returns the bytes the scheduler holds now: itself, slab and blocks. */
size_t scheduler_memory_bytes(const Scheduler *s)
{
  g_return_val_if_fail(s != NULL, 0);
  return s->memory_bytes;
}

/* Returns the slot with index i, which must have been handed out. */
static inline SchedulerSlot *scheduler_slot(const Scheduler *s, uint32_t i)
{
  return &s->slots[i];
}

/*
 * Hands out a never-used slot, growing the slot array by a quarter when it is
 * full. Returns SCHEDULER_SLOT_NONE when the slot index space is exhausted.
 */
static G_GNUC_NO_INLINE uint32_t scheduler_slot_grow(Scheduler *s)
{
  if (s->slots_used == s->slot_capacity) {
    if (s->slot_capacity >= SCHEDULER_SLOT_MAX - SCHEDULER_SLOTS_MIN)
      return SCHEDULER_SLOT_NONE;
    uint64_t cap = MAX((uint64_t)SCHEDULER_SLOTS_MIN, s->slot_capacity + (uint64_t)s->slot_capacity / 4);
    cap = MIN(cap, (uint64_t)SCHEDULER_SLOT_MAX);
    s->slots = g_renew(SchedulerSlot, s->slots, cap);
    s->memory_bytes += (cap - s->slot_capacity) * sizeof(SchedulerSlot);
    s->slot_capacity = (uint32_t)cap;
  }
  uint32_t i = s->slots_used++;
  s->slots[i].gen = 1;
  return i;
}

/* Takes a slot from the free list (the most recently freed one first). */
static inline uint32_t scheduler_slot_alloc(Scheduler *s)
{
  uint32_t i = s->free_slot;

  if (G_LIKELY(i != SCHEDULER_SLOT_NONE)) {
    s->free_slot = scheduler_slot(s, i)->next_free;
    return i;
  }
  return scheduler_slot_grow(s);
}

/* Returns a slot to the free list; its new generation makes old ids stale. */
static inline void scheduler_slot_release(Scheduler *s, uint32_t i, SchedulerSlot *slot)
{
  uint32_t gen = slot->gen + 1;

  slot->fn = NULL;
  slot->gen = gen + (gen == 0);
  slot->next_free = s->free_slot;
  s->free_slot = i;
}

/* Returns the slot of a pending (scheduled, not cancelled) id, else NULL. */
static SchedulerSlot *scheduler_slot_lookup(const Scheduler *s, EventId id)
{
  uint32_t i = (uint32_t)(id & UINT32_MAX);
  uint32_t gen = (uint32_t)(id >> 32);

  if (id == EVENT_ID_NONE || i >= s->slots_used)
    return NULL;
  SchedulerSlot *slot = scheduler_slot(s, i);
  if (slot->gen != gen || slot->fn == NULL)
    return NULL;
  return slot;
}

/* Refills the block free list with a new chunk of blocks. */
static G_GNUC_NO_INLINE void scheduler_block_grow(Scheduler *s)
{
  SchedulerBlock *chunk = g_new(SchedulerBlock, SCHEDULER_BLOCKS_PER_CHUNK);

  g_ptr_array_add(s->block_chunks, chunk);
  s->memory_bytes += SCHEDULER_BLOCKS_PER_CHUNK * sizeof(SchedulerBlock);
  for (int i = 0; i < SCHEDULER_BLOCKS_PER_CHUNK; i++) {
    chunk[i].next = s->free_blocks;
    s->free_blocks = &chunk[i];
  }
}

/* Takes a block from the free list; its next pointer is NULL. */
static inline SchedulerBlock *scheduler_block_alloc(Scheduler *s)
{
  if (G_UNLIKELY(s->free_blocks == NULL))
    scheduler_block_grow(s);
  SchedulerBlock *b = s->free_blocks;
  s->free_blocks = b->next;
  b->next = NULL;
  return b;
}

/* Returns a block to the free list. */
static inline void scheduler_block_release(Scheduler *s, SchedulerBlock *b)
{
  b->next = s->free_blocks;
  s->free_blocks = b;
}

/* Starts loading a block (if any) that will be read soon. */
static inline void scheduler_block_prefetch(const SchedulerBlock *b)
{
  if (b == NULL)
    return;
  for (size_t off = 0; off < sizeof(*b); off += 64)
    __builtin_prefetch((const char *)b + off);
}

/* Marks bucket (level, digit) as non-empty. */
static inline void scheduler_mark(Scheduler *s, unsigned level, unsigned digit)
{
  s->occupied[level][digit >> 6] |= UINT64_C(1) << (digit & 63);
  s->word_mask |= 1u << (level * SCHEDULER_WORDS + (digit >> 6));
}

/* Marks bucket (level, digit) as empty. */
static inline void scheduler_unmark(Scheduler *s, unsigned level, unsigned digit)
{
  uint64_t *word = &s->occupied[level][digit >> 6];

  *word &= ~(UINT64_C(1) << (digit & 63));
  if (*word == 0)
    s->word_mask &= ~(1u << (level * SCHEDULER_WORDS + (digit >> 6)));
}

/*
 * Returns the level of the lowest non-empty bucket (by level, then digit)
 * and sets *digit to its digit; the queue must not be empty.
 */
static inline unsigned scheduler_lowest(const Scheduler *s, unsigned *digit)
{
  unsigned w = (unsigned)__builtin_ctz(s->word_mask);
  unsigned level = w / SCHEDULER_WORDS;

  *digit = w % SCHEDULER_WORDS * 64 + (unsigned)__builtin_ctzll(s->occupied[level][w % SCHEDULER_WORDS]);
  return level;
}

/*
 * Returns where in b's tail block the next entry goes; 0 when b needs a new
 * tail block first (it is empty or its tail block is full).
 */
static inline uint32_t scheduler_bucket_next_pos(const SchedulerBucket *b)
{
  return b->count == 0 ? 0 : (b->head_pos + b->count) % SCHEDULER_BLOCK_ENTRIES;
}

/* Stores (key, slot) at position pos of b's tail block, which has room. */
static inline void scheduler_bucket_put(SchedulerBucket *b, uint32_t pos, uint64_t key, uint32_t slot)
{
  b->last = key | (key < b->last ? SCHEDULER_UNSORTED : 0);
  b->tail->keys[pos] = key;
  b->tail->slots[pos] = slot;
  b->count++;
}

/* Appends (key, slot) at the tail of bucket (level, digit). */
static inline void scheduler_bucket_append(Scheduler *s, unsigned level, unsigned digit, uint64_t key, uint32_t slot)
{
  SchedulerBucket *b = &s->buckets[level][digit];
  uint32_t pos = (b->head_pos + b->count) % SCHEDULER_BLOCK_ENTRIES;

  if (b->count == 0) {
    b->head = b->tail = scheduler_block_alloc(s);
    b->head_pos = pos = 0;
    b->last = key;
    scheduler_mark(s, level, digit);
  } else if (pos == 0) {
    SchedulerBlock *fresh = scheduler_block_alloc(s);
    b->tail->next = fresh;
    b->tail = fresh;
  }
  scheduler_bucket_put(b, pos, key, slot);
}

/* Removes and returns the slot at the head of a non-empty bucket. */
static inline uint32_t scheduler_bucket_shift(Scheduler *s, unsigned level, unsigned digit, SchedulerBucket *b)
{
  SchedulerBlock *blk = b->head;
  uint32_t slot = blk->slots[b->head_pos++];

  if (--b->count == 0) {
    scheduler_block_release(s, blk);
    b->head = b->tail = NULL;
    s->current = NULL;
    scheduler_unmark(s, level, digit);
  } else if (b->head_pos == SCHEDULER_BLOCK_ENTRIES) {
    b->head = blk->next;
    b->head_pos = 0;
    scheduler_block_release(s, blk);
  }
  return slot;
}

/* Returns the level of the bucket key selects relative to base (| 1: the
 * same level, 0 for key == base, without a branch). */
static inline unsigned scheduler_key_level(uint64_t base, uint64_t key)
{
  return (unsigned)(63 - __builtin_clzll((key ^ base) | 1)) >> 3;
}

/* Returns the digit of key at level. */
static inline unsigned scheduler_key_digit(uint64_t key, unsigned level)
{
  return (unsigned)(key >> (8 * level)) & 0xff;
}

/* Files (key, slot) in the bucket its key selects relative to base. */
static inline void scheduler_queue_push(Scheduler *s, uint64_t key, uint32_t slot)
{
  unsigned level = scheduler_key_level(s->base, key);

  scheduler_bucket_append(s, level, scheduler_key_digit(key, level), key, slot);
}

/* Returns the smallest key bucket (level, digit) can hold, given base. */
static inline uint64_t scheduler_bucket_low(uint64_t base, unsigned level, unsigned digit)
{
  unsigned shift = 8 * level;
  uint64_t high = level + 1 < SCHEDULER_LEVELS ? base >> (shift + 8) << (shift + 8) : 0;

  return high | ((uint64_t)digit << shift);
}

/*
 * Moves base to the lower bound of bucket (level > 0, digit), the lowest
 * one, and files the bucket's entries, in order, into the lower levels.
 */
static void scheduler_queue_spread(Scheduler *s, unsigned level, unsigned digit, uint64_t low)
{
  SchedulerBucket *b = &s->buckets[level][digit];
  SchedulerBlock *blk = b->head;
  uint32_t pos = b->head_pos;
  uint32_t left = b->count;
  gboolean soon = left <= SCHEDULER_PREFETCH_MAX;

  b->head = b->tail = NULL;
  b->count = 0;
  s->current = NULL;
  scheduler_unmark(s, level, digit);
  s->base = low;
  while (left > 0) {
    uint32_t end = MIN(SCHEDULER_BLOCK_ENTRIES, pos + left);
    scheduler_block_prefetch(blk->next);
    for (uint32_t i = pos; i < end; i++) {
      if (soon)
        __builtin_prefetch(scheduler_slot(s, blk->slots[i]));
      scheduler_queue_push(s, blk->keys[i], blk->slots[i]);
    }
    left -= end - pos;
    SchedulerBlock *next = blk->next;
    scheduler_block_release(s, blk);
    blk = next;
    pos = 0;
  }
}

/*
 * Starts loading the slots of the entries in the head block of bucket b,
 * about to be popped from where it is: with millions of slots, those
 * prefetched when the bucket was filled are often out of the cache again.
 * (The empty asm keeps the compiler from dropping a loop that only
 * prefetches.)
 */
static inline void scheduler_bucket_prefetch(const Scheduler *s, const SchedulerBucket *b)
{
  const SchedulerBlock *blk = b->head;
  uint32_t end = MIN(SCHEDULER_BLOCK_ENTRIES, b->head_pos + b->count);

  for (uint32_t i = b->head_pos; i < end; i++) {
    __builtin_prefetch(scheduler_slot(s, blk->slots[i]));
    __asm__ volatile("");
  }
}

/*
 * Empties every bucket, freeing the slots of the entries, all cancelled. This
 * keeps a run from moving base past now while it pops entries no event needs.
 */
static G_GNUC_NO_INLINE void scheduler_queue_purge(Scheduler *s)
{
  while (s->word_mask != 0) {
    unsigned digit;
    unsigned level = scheduler_lowest(s, &digit);
    SchedulerBucket *b = &s->buckets[level][digit];
    uint32_t i = scheduler_bucket_shift(s, level, digit, b);
    scheduler_slot_release(s, i, scheduler_slot(s, i));
  }
}

/*
 * Sorts the entries of a bucket that fits in one block by key, keeping the
 * FIFO order among equal keys (an insertion sort after the sorted prefix:
 * few entries, mostly sorted ones followed by a few appended out of order).
 */
static void scheduler_bucket_sort(SchedulerBucket *b)
{
  SchedulerBlock *blk = b->head;
  uint32_t first = b->head_pos, end = b->head_pos + b->count, i = first + 1;

  while (i < end && blk->keys[i - 1] <= blk->keys[i])
    i++;
  for (; i < end; i++) {
    uint64_t key = blk->keys[i];
    uint32_t slot = blk->slots[i];
    uint32_t j = i;
    for (; j > first && blk->keys[j - 1] > key; j--) {
      blk->keys[j] = blk->keys[j - 1];
      blk->slots[j] = blk->slots[j - 1];
    }
    blk->keys[j] = key;
    blk->slots[j] = slot;
  }
  b->last = blk->keys[end - 1];
}

/*
 * Makes the lowest bucket, (level > 0, digit) with unsorted keys, sorted in
 * place if it fits in one block, else spreads it over the lower levels, and
 * returns TRUE; returns FALSE, changing nothing, when none of its keys can
 * be <= until.
 */
static G_GNUC_NO_INLINE gboolean scheduler_queue_descend(Scheduler *s, unsigned level, unsigned digit, uint64_t until)
{
  SchedulerBucket *b = &s->buckets[level][digit];
  uint64_t low = scheduler_bucket_low(s->base, level, digit);

  if (low > until)
    return FALSE;
  if (b->head == b->tail)
    scheduler_bucket_sort(b);
  else
    scheduler_queue_spread(s, level, digit, low);
  return TRUE;
}

/*
 * Pops the next live event with time <= until, sets now to its time and
 * returns its slot index, or returns SCHEDULER_SLOT_NONE if there is none.
 * Cancelled entries on the way are dropped and their slots freed. Base only
 * moves to keys and bucket bounds <= until and never past the next live
 * event, so between events base <= now and every new event fits the queue.
 *
 * Why events run in (time, scheduling order): every entry always sits in
 * the bucket its key selects relative to the current base. Base moves only
 * to the lower bound of the bucket being spread, or to the key popped from
 * a level-0 bucket: both share all digits above `level` with the old base
 * and digit `level` with that bucket, so entries elsewhere keep their
 * bucket. Hence equal keys always share one bucket. Each bucket is in
 * scheduling order among equal keys: buckets grow only by appends, a spread
 * appends entries in their FIFO order to lower levels that are empty (the
 * popped level was the lowest), and the sort in place is stable. So the
 * head of the lowest bucket, when its keys do not decrease, is the next
 * event. Popping it at level > 0 leaves base where it is (the bucket's other
 * entries would not be where a new base selects), and nothing lands below
 * the bucket meanwhile: new events are at >= now, which is >= its lower
 * bound, so they go to it (at its tail, which keeps their order after the
 * ties already there) or to later buckets. For the same reason the bucket
 * an event was popped from stays the lowest one until it is empty or
 * spread, so the next pop takes it from s->current without a bit scan.
 */
static inline __attribute__((always_inline)) uint32_t scheduler_queue_pop(Scheduler *s, uint64_t until)
{
  for (;;) {
    if (G_UNLIKELY(s->live == 0)) {
      scheduler_queue_purge(s);
      return SCHEDULER_SLOT_NONE;
    }
    SchedulerBucket *b = s->current;
    unsigned level = s->current_level, digit = s->current_digit;
    if (b == NULL) {
      level = scheduler_lowest(s, &digit);
      b = &s->buckets[level][digit];
      if (s->slots_used > SCHEDULER_PREFETCH_SLOTS)
        scheduler_bucket_prefetch(s, b);
    }
    if (G_UNLIKELY(b->last & SCHEDULER_UNSORTED)) {
      if (!scheduler_queue_descend(s, level, digit, until))
        return SCHEDULER_SLOT_NONE;
      continue;
    }
    uint64_t key = b->head->keys[b->head_pos];
    if (key > until)
      return SCHEDULER_SLOT_NONE;
    uint32_t i = scheduler_bucket_shift(s, level, digit, b);
    SchedulerSlot *slot = scheduler_slot(s, i);
    if (level == 0)
      s->base = key;
    if (G_LIKELY(slot->fn != NULL)) {
      s->clock.now = (SimTime)key;
      if (b->count != 0) {
        s->current = b;
        s->current_level = level;
        s->current_digit = digit;
      }
      return i;
    }
    scheduler_slot_release(s, i, slot);
  }
}

/* scheduler_at for any case: checks the arguments, grows what is full. */
static G_GNUC_NO_INLINE EventId scheduler_at_any(Scheduler *s, SimTime when, EventFn fn, void *obj, void *arg)
{
  g_return_val_if_fail(s != NULL, EVENT_ID_NONE);
  g_return_val_if_fail(fn != NULL, EVENT_ID_NONE);
  g_return_val_if_fail(when >= s->clock.now, EVENT_ID_NONE);

  uint32_t i = scheduler_slot_alloc(s);
  g_return_val_if_fail(i != SCHEDULER_SLOT_NONE, EVENT_ID_NONE);
  SchedulerSlot *slot = scheduler_slot(s, i);
  slot->fn = fn;
  slot->obj = obj;
  slot->arg = arg;
  scheduler_queue_push(s, (uint64_t)when, i);
  s->live++;
  return ((EventId)slot->gen << 32) | i;
}

/*
 * Schedules fn(obj, arg) at time when (>= now). Returns the event's handle,
 * or EVENT_ID_NONE if when is in the past or fn is NULL. The common case, a
 * free slot and room in the tail block of the event's bucket, is handled
 * here without calls; every other goes to scheduler_at_any.
 */
EventId scheduler_at(Scheduler *s, SimTime when, EventFn fn, void *obj, void *arg)
{
  if (G_UNLIKELY(s == NULL || fn == NULL || when < s->clock.now || s->free_slot == SCHEDULER_SLOT_NONE))
    return scheduler_at_any(s, when, fn, obj, arg);
  uint64_t key = (uint64_t)when;
  unsigned level = scheduler_key_level(s->base, key);
  SchedulerBucket *b = &s->buckets[level][scheduler_key_digit(key, level)];
  uint32_t pos = scheduler_bucket_next_pos(b);
  if (G_UNLIKELY(pos == 0))
    return scheduler_at_any(s, when, fn, obj, arg);

  uint32_t i = scheduler_slot_alloc(s);
  SchedulerSlot *slot = scheduler_slot(s, i);
  slot->fn = fn;
  slot->obj = obj;
  slot->arg = arg;
  scheduler_bucket_put(b, pos, key, i);
  s->live++;
  return ((EventId)slot->gen << 32) | i;
}

/* Schedules fn(obj, arg) delay (>= 0) after now; see scheduler_at. */
EventId scheduler_after(Scheduler *s, SimTime delay, EventFn fn, void *obj, void *arg)
{
  g_return_val_if_fail(s != NULL, EVENT_ID_NONE);
  g_return_val_if_fail(delay >= 0 && delay <= SIMTIME_MAX - s->clock.now, EVENT_ID_NONE);
  return scheduler_at(s, s->clock.now + delay, fn, obj, arg);
}

/*
 * Cancels a pending event. Returns TRUE if it was pending and is now
 * cancelled; FALSE for EVENT_ID_NONE, an event that ran or is running, one
 * already cancelled, or a stale handle.
 */
gboolean scheduler_cancel(Scheduler *s, EventId id)
{
  g_return_val_if_fail(s != NULL, FALSE);

  SchedulerSlot *slot = scheduler_slot_lookup(s, id);
  if (slot == NULL)
    return FALSE;
  slot->fn = NULL;
  s->live--;
  return TRUE;
}

/* Returns TRUE if id names an event that is scheduled and not cancelled. */
gboolean scheduler_is_pending(const Scheduler *s, EventId id)
{
  g_return_val_if_fail(s != NULL, FALSE);
  return scheduler_slot_lookup(s, id) != NULL;
}

/*
 * Runs the event in slot i at time key. The slot is freed before the call so
 * that an event the callback schedules reuses a cache-hot slot.
 */
static inline void scheduler_execute(Scheduler *s, uint32_t i)
{
  SchedulerSlot *slot = scheduler_slot(s, i);
  EventFn fn = slot->fn;
  void *obj = slot->obj;
  void *arg = slot->arg;

  scheduler_slot_release(s, i, slot);
  s->live--;
  s->executed++;
  fn(obj, arg);
}

/*
 * Runs every event with time <= until in (time, scheduling order), including
 * the events they schedule, and returns how many ran in this call. Unless an
 * event called scheduler_stop, now becomes until afterwards (or, for
 * until == SIMTIME_MAX, stays at the time of the last event). After a stop,
 * now stays at the stopping event's time and later events stay pending.
 */
uint64_t scheduler_run(Scheduler *s, SimTime until)
{
  g_return_val_if_fail(s != NULL, 0);
  g_return_val_if_fail(!s->running, 0);
  g_return_val_if_fail(until >= s->clock.now, 0);

  uint64_t before = s->executed;
  s->running = TRUE;
  s->stopped = FALSE;
  while (!s->stopped) {
    uint32_t i = scheduler_queue_pop(s, (uint64_t)until);
    if (i == SCHEDULER_SLOT_NONE)
      break;
    scheduler_execute(s, i);
  }
  if (!s->stopped && until != SIMTIME_MAX)
    s->clock.now = until;
  s->running = FALSE;
  s->stopped = FALSE;
  return s->executed - before;
}

/* Makes the running scheduler_run return after the current event. */
void scheduler_stop(Scheduler *s)
{
  g_return_if_fail(s != NULL);
  if (s->running)
    s->stopped = TRUE;
}

/*
 * Sets *key to the smallest key of a live (not cancelled) entry of bucket
 * b and returns TRUE, or returns FALSE when every entry is cancelled.
 */
static gboolean scheduler_bucket_min_live(const Scheduler *s, const SchedulerBucket *b, uint64_t *key)
{
  const SchedulerBlock *blk = b->head;
  uint32_t pos = b->head_pos;
  gboolean found = FALSE;

  for (uint32_t left = b->count; left > 0; left--) {
    if (scheduler_slot(s, blk->slots[pos])->fn != NULL && (!found || blk->keys[pos] < *key)) {
      *key = blk->keys[pos];
      found = TRUE;
    }
    if (++pos == SCHEDULER_BLOCK_ENTRIES) {
      blk = blk->next;
      pos = 0;
    }
  }
  return found;
}

/* Like scheduler_bucket_min_live, for the first bucket of `level` (in digit
 * order) that holds a live entry. */
static gboolean scheduler_level_min_live(const Scheduler *s, unsigned level, uint64_t *key)
{
  for (unsigned w = 0; w < SCHEDULER_WORDS; w++)
    for (uint64_t bits = s->occupied[level][w]; bits != 0; bits &= bits - 1) {
      unsigned digit = w * 64 + (unsigned)__builtin_ctzll(bits);
      if (scheduler_bucket_min_live(s, &s->buckets[level][digit], key))
        return TRUE;
    }
  return FALSE;
}

/*
 * Returns the time of the earliest pending (scheduled, not cancelled)
 * event, or SIMTIME_MAX when none is pending. It reads the queue without
 * changing it (the queue's base stays where it is, so events can still be
 * scheduled at any time from now on): the buckets are ordered by key, by
 * level then digit, so the answer is the smallest live key of the first
 * bucket holding a live entry. The cost is the entries of the buckets read,
 * cancelled ones included: fine between the events of a real-time run, not
 * meant for a loop over millions of events.
 */
SimTime scheduler_next_time(const Scheduler *s)
{
  g_return_val_if_fail(s != NULL, SIMTIME_MAX);
  uint64_t key = 0;

  for (unsigned level = 0; s->live > 0 && level < SCHEDULER_LEVELS; level++)
    if ((s->word_mask >> (level * SCHEDULER_WORDS) & 0xfu) && scheduler_level_min_live(s, level, &key))
      return (SimTime)key;
  return SIMTIME_MAX;
}

/*
 * Runs the next event if its time is <= until (the events it schedules
 * stay pending) and says whether it called scheduler_stop; with no event
 * due, runs nothing and sets now to until (as scheduler_run does, and
 * except for until == SIMTIME_MAX). One scheduler_step after another runs
 * exactly the events, in the order, of one scheduler_run.
 */
SchedulerStep scheduler_step(Scheduler *s, SimTime until)
{
  g_return_val_if_fail(s != NULL, SCHEDULER_STEP_NONE);
  g_return_val_if_fail(!s->running, SCHEDULER_STEP_NONE);
  g_return_val_if_fail(until >= s->clock.now, SCHEDULER_STEP_NONE);

  uint32_t i = scheduler_queue_pop(s, (uint64_t)until);
  if (i == SCHEDULER_SLOT_NONE) {
    if (until != SIMTIME_MAX)
      s->clock.now = until;
    return SCHEDULER_STEP_NONE;
  }
  s->running = TRUE;
  s->stopped = FALSE;
  scheduler_execute(s, i);
  gboolean stopped = s->stopped;
  s->running = FALSE;
  s->stopped = FALSE;
  return stopped ? SCHEDULER_STEP_STOPPED : SCHEDULER_STEP_RAN;
}
