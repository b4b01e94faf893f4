/*
 * Tests for sim/packet: exact bytes after push, pull, put and trim; a
 * failed pull leaves the packet intact; growth past the headroom and past
 * the inline buffer; clone independence; ids (kept by clones, derived, renewed); zeroing of new bytes; and
 * the pool: no malloc in the steady state, large and huge packets.
 */
#include <check.h>
#include <glib.h>

#include "sim/kernel/packet.h"
#include "tests/sim/suites.h"

static PacketPool *pool;

static void setup(void)
{
  pool = packet_pool_new();
}

/* Every test must give back every packet it took. */
static void teardown(void)
{
  ck_assert_uint_eq(packet_pool_stats(pool).in_use, 0);
  packet_pool_free(pool);
  pool = NULL;
}

/* Returns TRUE if the packet's bytes are exactly expected[0..len). */
static gboolean bytes_are(Packet *p, const void *expected, size_t len)
{
  return packet_len(p) == len && memcmp(packet_data(p), expected, len) == 0;
}

/* Returns TRUE if n bytes at data are all equal to value. */
static gboolean all_bytes(const uint8_t *data, size_t n, uint8_t value)
{
  for (size_t i = 0; i < n; i++)
    if (data[i] != value)
      return FALSE;
  return TRUE;
}

/* Fills n bytes with a pattern that differs at every offset mod 251. */
static void fill_pattern(uint8_t *data, size_t n, unsigned seed)
{
  for (size_t i = 0; i < n; i++)
    data[i] = (uint8_t)((i + seed) % 251);
}

START_TEST(test_new_layout)
{
  Packet *p = packet_new(pool, 100);

  ck_assert_uint_eq(packet_len(p), 100);
  ck_assert_uint_eq(packet_headroom(p), PACKET_HEADROOM);
  ck_assert(all_bytes(packet_data(p), 100, 0));
  ck_assert_uint_eq(packet_id(p), 1);
  packet_free(p);
}
END_TEST

START_TEST(test_new_is_zeroed_after_reuse)
{
  Packet *p = packet_new(pool, 1500);

  memset(packet_data(p), 0xFF, 1500);
  packet_free(p);
  p = packet_new(pool, 1500);
  ck_assert(all_bytes(packet_data(p), 1500, 0));
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, 1);
  packet_free(p);
}
END_TEST

START_TEST(test_push_pull)
{
  static const uint8_t wire[] = {0xAA, 0xBB, 0xDE, 0xAD, 0xBE, 0xEF, 'h', 'e', 'l', 'l', 'o'};
  Packet *p = packet_new_from(pool, "hello", 5);
  uint8_t *h4 = packet_push(p, 4);
  const uint8_t *pulled;

  ck_assert(all_bytes(h4, 4, 0));
  memcpy(h4, "\xDE\xAD\xBE\xEF", 4);
  memcpy(packet_push(p, 2), "\xAA\xBB", 2);
  ck_assert(bytes_are(p, wire, sizeof wire));
  ck_assert_uint_eq(packet_headroom(p), PACKET_HEADROOM - 6);
  pulled = packet_pull(p, 2);
  ck_assert(pulled != NULL && pulled[0] == 0xAA && pulled[1] == 0xBB);
  pulled = packet_pull(p, 4);
  ck_assert(pulled != NULL && memcmp(pulled, "\xDE\xAD\xBE\xEF", 4) == 0);
  ck_assert(bytes_are(p, "hello", 5));
  packet_free(p);
}
END_TEST

START_TEST(test_pull_past_end)
{
  Packet *p = packet_new_from(pool, "0123456789", 10);
  uint8_t *before = packet_data(p);

  ck_assert(packet_pull(p, 11) == NULL);
  ck_assert(packet_data(p) == before);
  ck_assert(bytes_are(p, "0123456789", 10));
  ck_assert(packet_peek(p, 11) == NULL);
  ck_assert(packet_peek(p, 10) == before);
  ck_assert(packet_pull(p, SIZE_MAX) == NULL);
  ck_assert(bytes_are(p, "0123456789", 10));
  ck_assert(packet_pull(p, 10) == before);
  ck_assert_uint_eq(packet_len(p), 0);
  ck_assert(packet_pull(p, 1) == NULL);
  ck_assert(packet_peek(p, 0) != NULL);
  packet_free(p);
}
END_TEST

START_TEST(test_put_trim)
{
  Packet *p = packet_new_from(pool, "abc", 3);
  uint8_t *tail = packet_put(p, 3);

  ck_assert(all_bytes(tail, 3, 0));
  memcpy(tail, "def", 3);
  ck_assert(bytes_are(p, "abcdef", 6));
  ck_assert(!packet_trim(p, 7));
  ck_assert(bytes_are(p, "abcdef", 6));
  ck_assert(packet_trim(p, 6));
  ck_assert(packet_trim(p, 2));
  ck_assert(bytes_are(p, "ab", 2));
  /* Bytes that come back after a trim are zeroed, not the old "cdef". */
  tail = packet_put(p, 4);
  ck_assert(all_bytes(tail, 4, 0));
  ck_assert(bytes_are(p, "ab\0\0\0\0", 6));
  ck_assert(packet_trim(p, 0));
  ck_assert_uint_eq(packet_len(p), 0);
  packet_free(p);
}
END_TEST

START_TEST(test_push_beyond_headroom)
{
  uint8_t payload[100], header[3000];
  Packet *p;
  uint64_t mallocs;

  fill_pattern(payload, sizeof payload, 1);
  fill_pattern(header, sizeof header, 2);
  p = packet_new_from(pool, payload, sizeof payload);
  mallocs = packet_pool_stats(pool).mallocs;
  /* Still fits the inline buffer: the bytes move, nothing is allocated. */
  memcpy(packet_push(p, 500), header, 500);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, mallocs);
  ck_assert_uint_ge(packet_headroom(p), PACKET_HEADROOM);
  ck_assert(memcmp(packet_data(p), header, 500) == 0);
  ck_assert(memcmp(packet_data(p) + 500, payload, sizeof payload) == 0);
  /* Beyond the inline buffer: a large buffer is borrowed. */
  memcpy(packet_push(p, 3000), header, 3000);
  ck_assert_uint_eq(packet_len(p), 3600);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, mallocs + 1);
  ck_assert(memcmp(packet_data(p), header, 3000) == 0);
  ck_assert(memcmp(packet_data(p) + 3000, header, 500) == 0);
  ck_assert(memcmp(packet_data(p) + 3500, payload, sizeof payload) == 0);
  packet_free(p);
  ck_assert_uint_eq(packet_pool_stats(pool).free_cached, 2);
}
END_TEST

START_TEST(test_put_beyond_buffer)
{
  uint8_t data[1500];
  Packet *p;
  uint8_t *tail;

  fill_pattern(data, sizeof data, 3);
  p = packet_new_from(pool, data, sizeof data);
  tail = packet_put(p, 1000);
  ck_assert(all_bytes(tail, 1000, 0));
  ck_assert_uint_eq(packet_len(p), 2500);
  ck_assert(memcmp(packet_data(p), data, sizeof data) == 0);
  /* A push after the move still has headroom. */
  ck_assert_uint_ge(packet_headroom(p), 14);
  packet_push(p, 14);
  ck_assert(memcmp(packet_data(p) + 14, data, sizeof data) == 0);
  packet_free(p);
}
END_TEST

START_TEST(test_reserve_moves_within_buffer)
{
  Packet *p = packet_new(pool, 503);
  uint64_t mallocs = packet_pool_stats(pool).mallocs;

  memcpy(packet_data(p) + 500, "xyz", 3);
  ck_assert(packet_pull(p, 500) != NULL);
  /* 660 bytes of headroom are more than a push needs: the bytes slide to
   * the front, keeping PACKET_HEADROOM, instead of taking a new buffer. */
  packet_reserve(p, 0, 1700);
  ck_assert_uint_ge(packet_tailroom(p), 1700);
  ck_assert_uint_eq(packet_headroom(p), PACKET_HEADROOM);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, mallocs);
  ck_assert(bytes_are(p, "xyz", 3));
  packet_reserve(p, 1000, 0);
  ck_assert_uint_ge(packet_headroom(p), 1000);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, mallocs);
  ck_assert(bytes_are(p, "xyz", 3));
  packet_free(p);
}
END_TEST

START_TEST(test_clone_independent)
{
  Packet *p = packet_new_from(pool, "original", 8);
  Packet *c;

  packet_pull(p, 2);
  c = packet_clone(p);
  ck_assert(c != p);
  ck_assert_uint_eq(packet_id(c), packet_id(p)); /* a copy of the same packet */
  ck_assert(bytes_are(c, "iginal", 6));
  packet_data(p)[0] = 'X';
  ck_assert(bytes_are(c, "iginal", 6));
  memcpy(packet_push(c, 2), "OR", 2);
  packet_data(c)[2] = 'Y';
  ck_assert(bytes_are(p, "Xginal", 6));
  ck_assert(bytes_are(c, "ORYginal", 8));
  ck_assert(packet_trim(p, 1));
  ck_assert_uint_eq(packet_len(c), 8);
  packet_free(p);
  packet_free(c);
}
END_TEST

START_TEST(test_clone_large)
{
  static uint8_t data[65535];
  Packet *p, *c;

  fill_pattern(data, sizeof data, 4);
  p = packet_new_from(pool, data, sizeof data);
  c = packet_clone(p);
  ck_assert(bytes_are(c, data, sizeof data));
  packet_data(c)[60000] ^= 0xFF;
  ck_assert(bytes_are(p, data, sizeof data));
  packet_free(p);
  packet_free(c);
}
END_TEST

/* A fragment of a fragment names the first datagram; a renewed copy gets
 * the next id and names the one it copies. */
START_TEST(test_id_derived)
{
  Packet *d = packet_new(pool, 64), *f1 = packet_new(pool, 32), *f2 = packet_new(pool, 16);
  Packet *c;

  packet_derive(f1, d, PACKET_ORIGIN_FRAGMENT);
  packet_derive(f2, f1, PACKET_ORIGIN_FRAGMENT);
  ck_assert_uint_eq(f1->parent, 1);
  ck_assert_uint_eq(f2->parent, 1);
  ck_assert_uint_eq(f2->origin, PACKET_ORIGIN_FRAGMENT);
  c = packet_clone(f2);
  ck_assert_uint_eq(c->parent, 1);
  packet_renew(c, PACKET_ORIGIN_RETRANSMIT);
  ck_assert_uint_eq(packet_id(c), 4);
  ck_assert_uint_eq(c->parent, 3);
  ck_assert_uint_eq(c->origin, PACKET_ORIGIN_RETRANSMIT);
  packet_free(d);
  packet_free(f1);
  packet_free(f2);
  packet_free(c);
}
END_TEST

START_TEST(test_id_unique)
{
  enum { N = 1000 };
  Packet *packets[N];
  uint64_t expected = 1, wrong = 0;

  /* Ids count new packets in creation order; a clone keeps its
   * original's, and recycling reuses none. */
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++) {
      packets[i] = i % 2 ? packet_clone(packets[i - 1]) : packet_new(pool, 64);
      wrong += packet_id(packets[i]) != (i % 2 ? expected - 1 : expected);
      expected += i % 2 == 0;
    }
    for (int i = 0; i < N; i++)
      packet_free(packets[i]);
  }
  ck_assert_uint_eq(wrong, 0);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, N);
}
END_TEST

START_TEST(test_pool_steady_state)
{
  static uint8_t big[64 * 1024];
  uint64_t warm, wrong = 0;

  /* Warm up: the most packets and large buffers in use at once below. */
  for (int i = 0; i < 2; i++) {
    Packet *a = packet_new_from(pool, big, sizeof big);
    Packet *b = packet_clone(a);
    Packet *c = packet_new(pool, 1500);
    packet_free(a);
    packet_free(b);
    packet_free(c);
  }
  warm = packet_pool_stats(pool).mallocs;
  for (int i = 0; i < 1000000; i++) {
    Packet *p = packet_new(pool, 1460);
    packet_push(p, 20);
    packet_push(p, 20);
    packet_push(p, 14);
    Packet *c = packet_clone(p);
    wrong += packet_pull(c, 54) == NULL;
    packet_put(c, 4);
    wrong += packet_len(c) != 1464;
    packet_free(p);
    packet_free(c);
    if (i % 1000 == 0) {
      Packet *l = packet_new_from(pool, big, sizeof big);
      packet_free(packet_clone(l));
      packet_free(l);
    }
  }
  ck_assert_uint_eq(wrong, 0);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, warm);
  ck_assert_uint_eq(packet_pool_stats(pool).in_use, 0);
}
END_TEST

START_TEST(test_large_packets)
{
  Packet *p = packet_new(pool, 65535);

  ck_assert_uint_eq(packet_len(p), 65535);
  ck_assert(all_bytes(packet_data(p), 65535, 0));
  ck_assert_uint_ge(packet_headroom(p), PACKET_HEADROOM);
  packet_data(p)[65534] = 0x5A;
  memcpy(packet_push(p, 20), "IPv4-header-20-bytes", 20);
  memcpy(packet_push(p, 14), "ethernet-hdr14", 14);
  ck_assert_uint_eq(packet_len(p), 65569);
  ck_assert(memcmp(packet_data(p), "ethernet-hdr14IPv4-header-20-bytes", 34) == 0);
  ck_assert_uint_eq(packet_data(p)[65568], 0x5A);
  ck_assert(packet_pull(p, 34) != NULL);
  ck_assert(packet_trim(p, 1000));
  packet_free(p);
}
END_TEST

START_TEST(test_huge_packets)
{
  Packet *p = packet_new(pool, 200000);
  uint64_t mallocs;

  ck_assert(all_bytes(packet_data(p), 200000, 0));
  packet_data(p)[199999] = 7;
  packet_push(p, 60);
  ck_assert_uint_eq(packet_data(p)[200059], 7);
  packet_free(p);
  /* Buffers beyond PACKET_LARGE_SIZE are not kept. */
  mallocs = packet_pool_stats(pool).mallocs;
  p = packet_new(pool, 200000);
  ck_assert_uint_eq(packet_pool_stats(pool).mallocs, mallocs + 1);
  packet_free(p);
}
END_TEST

START_TEST(test_grow_by_many_puts)
{
  Packet *p = packet_new(pool, 0);
  gboolean ok = TRUE;

  for (int i = 0; i < 100000; i++)
    *packet_put(p, 1) = (uint8_t)(i % 251);
  for (size_t i = 0; i < packet_len(p); i++)
    ok = ok && packet_data(p)[i] == i % 251;
  ck_assert(ok);
  ck_assert_uint_eq(packet_len(p), 100000);
  packet_free(p);
}
END_TEST

START_TEST(test_stats_and_null)
{
  Packet *a = packet_new(pool, 10);
  Packet *b = packet_new(pool, 10);
  PacketPoolStats stats = packet_pool_stats(pool);

  ck_assert_uint_eq(stats.in_use, 2);
  ck_assert_uint_eq(stats.mallocs, 2);
  ck_assert_uint_eq(stats.free_cached, 0);
  packet_free(a);
  packet_free(b);
  packet_free(NULL);
  stats = packet_pool_stats(pool);
  ck_assert_uint_eq(stats.in_use, 0);
  ck_assert_uint_eq(stats.free_cached, 2);
  packet_pool_free(NULL);
}
END_TEST

START_TEST(test_empty_packets)
{
  Packet *p = packet_new_from(pool, NULL, 0);
  Packet *c = packet_clone(p);

  ck_assert_uint_eq(packet_len(p), 0);
  ck_assert_uint_eq(packet_len(c), 0);
  packet_free(p);
  packet_free(c);
}
END_TEST

Suite *packet_suite(void)
{
  Suite *s = suite_create("packet");
  TCase *bytes = tcase_create("bytes");
  TCase *pool_case = tcase_create("pool");

  tcase_add_checked_fixture(bytes, setup, teardown);
  tcase_add_checked_fixture(pool_case, setup, teardown);
  tcase_add_test(bytes, test_new_layout);
  tcase_add_test(bytes, test_new_is_zeroed_after_reuse);
  tcase_add_test(bytes, test_push_pull);
  tcase_add_test(bytes, test_pull_past_end);
  tcase_add_test(bytes, test_put_trim);
  tcase_add_test(bytes, test_push_beyond_headroom);
  tcase_add_test(bytes, test_put_beyond_buffer);
  tcase_add_test(bytes, test_reserve_moves_within_buffer);
  tcase_add_test(bytes, test_clone_independent);
  tcase_add_test(bytes, test_clone_large);
  tcase_add_test(bytes, test_empty_packets);
  tcase_add_test(pool_case, test_id_unique);
  tcase_add_test(pool_case, test_id_derived);
  tcase_add_test(pool_case, test_pool_steady_state);
  tcase_add_test(pool_case, test_large_packets);
  tcase_add_test(pool_case, test_huge_packets);
  tcase_add_test(pool_case, test_grow_by_many_puts);
  tcase_add_test(pool_case, test_stats_and_null);
  tcase_set_timeout(pool_case, 60);
  suite_add_tcase(s, bytes);
  suite_add_tcase(s, pool_case);
  return s;
}
