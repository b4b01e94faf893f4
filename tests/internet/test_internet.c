/*
 * Tests of the internet layer: the Internet checksum, longest-prefix-match
 * routing, IPv4 input checks, forwarding, ICMP errors, fragmentation and
 * reassembly, UDP and flow accounting. Network tests build scenarios from
 * YAML strings, inject raw datagrams into ipv4_input() or send through the
 * models' own entry points, and run the scheduler.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "models/observe/flow.h"
#include "models/internet/checksum.h"
#include "models/internet/frag.h"
#include "models/internet/icmp.h"
#include "models/internet/ipv4.h"
#include "models/internet/route.h"
#include "models/transport/udp.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "models/core/node.h"
#include "sim/text/addr.h"
#include "tests/testlib.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* ---- checksum ------------------------------------------------------------ */

/* A plain reference: big-endian 16-bit words, odd byte padded, folded. */
static uint16_t ref_checksum(const uint8_t *d, size_t len)
{
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(d[i] << 8 | d[i + 1]);
  if (len & 1)
    sum += (uint32_t)d[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

START_TEST(test_checksum_rfc1071_example)
{
  /* RFC 1071 section 3: the sum of these words is ddf2, so the checksum is 220d. */
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  uint16_t c = inet_checksum(data, sizeof data);
  const uint8_t *b = (const uint8_t *)&c;
  ck_assert_uint_eq(b[0], 0x22);
  ck_assert_uint_eq(b[1], 0x0d);
  /* A real IPv4 header (checksum b861); over the whole header the result is 0. */
  uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  c = inet_checksum(hdr, sizeof hdr);
  memcpy(hdr + 10, &c, 2);
  ck_assert_uint_eq(hdr[10], 0xb8);
  ck_assert_uint_eq(hdr[11], 0x61);
  ck_assert_uint_eq(inet_checksum(hdr, sizeof hdr), 0);
}
END_TEST

START_TEST(test_checksum_odd_lengths_unaligned)
{
  uint8_t buf[300];
  GRand *rand = g_rand_new_with_seed(7);
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (uint8_t)g_rand_int(rand);
  for (size_t off = 0; off < 8; off++)
    for (size_t len = 0; len <= 280; len++) {
      uint16_t c = inet_checksum(buf + off, len);
      ck_assert_msg(g_ntohs(c) == ref_checksum(buf + off, len), "offset %zu length %zu", off, len);
    }
  /* Partial sums chain over even-length blocks. */
  uint32_t s = checksum_partial(buf + 1, 64, 0);
  s = checksum_partial(buf + 65, 101, s);
  ck_assert_uint_eq(g_ntohs(checksum_fold(s)), ref_checksum(buf + 1, 165));
  g_rand_free(rand);
}
END_TEST

/* Every word 0xffff, and datagram-sized random data: the most carries,
 * and every length class of the block loop up to the largest datagram. */
START_TEST(test_checksum_long_and_all_ones)
{
  size_t max = 65535;
  uint8_t *buf = g_malloc(max + 8);
  memset(buf, 0xff, max + 8);
  for (size_t len = max - 70; len <= max; len++)
    ck_assert_msg(g_ntohs(inet_checksum(buf + (len & 7), len)) == ref_checksum(buf + (len & 7), len), "ones %zu", len);
  GRand *rand = g_rand_new_with_seed(11);
  for (size_t i = 0; i < max + 8; i++)
    buf[i] = (uint8_t)g_rand_int(rand);
  for (size_t len = 1400; len <= 1520; len++)
    ck_assert_msg(g_ntohs(inet_checksum(buf + (len & 7), len)) == ref_checksum(buf + (len & 7), len), "random %zu",
                  len);
  ck_assert_uint_eq(g_ntohs(inet_checksum(buf, max)), ref_checksum(buf, max));
  g_rand_free(rand);
  g_free(buf);
}
END_TEST

START_TEST(test_checksum_pseudo_header)
{
  uint8_t seg[13] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x0d, 0, 0, 'h', 'e', 'l', 'l', 'o'};
  uint8_t pseudo[12 + 13] = {10, 0, 1, 10, 10, 0, 2, 10, 0, 17, 0, 13};
  memcpy(pseudo + 12, seg, sizeof seg);
  uint16_t c = inet_pseudo_checksum(g_htonl(IP(10, 0, 1, 10)), g_htonl(IP(10, 0, 2, 10)), 17, seg, sizeof seg);
  ck_assert_uint_eq(g_ntohs(c), ref_checksum(pseudo, sizeof pseudo));
  memcpy(seg + 6, &c, 2);
  ck_assert_uint_eq(inet_pseudo_checksum(g_htonl(IP(10, 0, 1, 10)), g_htonl(IP(10, 0, 2, 10)), 17, seg, sizeof seg), 0);
}
END_TEST

/* The dispatched checksum (AVX2 on a CPU that has it), the portable path
 * and a chain of two partial sums against ref_checksum() over `len` bytes
 * at `d`, the last of an allocation of their own (a read past the end is
 * an error under AddressSanitizer). */
static void checksum_check_all_ways(const uint8_t *src, size_t off, size_t len, const char *what)
{
  uint8_t *buf = g_malloc(MAX(off + len, 1)), *d = buf + off;
  memcpy(d, src, len);
  uint16_t ref = ref_checksum(d, len), half = (uint16_t)(len / 2 & ~(size_t)1);
  ck_assert_msg(g_ntohs(inet_checksum(d, len)) == ref, "%s: dispatched, offset %zu length %zu", what, off, len);
  ck_assert_msg(g_ntohs(checksum_fold(checksum_partial(d, len, 0))) == ref, "%s: partial %zu %zu", what, off, len);
  ck_assert_msg(g_ntohs(checksum_fold(checksum_partial_generic(d, len, 0))) == ref,
                "%s: generic, offset %zu length %zu", what, off, len);
  uint32_t s = checksum_partial(d + half, len - half, checksum_partial(d, half, 0));
  ck_assert_msg(g_ntohs(checksum_fold(s)) == ref, "%s: chained, offset %zu length %zu", what, off, len);
  g_free(buf);
}

/* Every length 0..2100 at every offset 0..63 of random data, and of all
 * zeros and all 0xff (the sums 0 and 0xffff, which fold differently). */
START_TEST(test_checksum_every_length_and_offset)
{
  enum { MAX = 2100 };
  uint8_t *rnd = g_malloc(MAX), *zeros = g_malloc0(MAX), *ones = g_malloc(MAX);
  GRand *rand = g_rand_new_with_seed(1071);
  for (size_t i = 0; i < MAX; i++)
    rnd[i] = (uint8_t)g_rand_int(rand);
  memset(ones, 0xff, MAX);
  for (size_t len = 0; len <= MAX; len++)
    for (size_t off = 0; off < 64; off++)
      checksum_check_all_ways(rnd, off, len, "random");
  for (size_t len = 0; len <= MAX; len++) {
    checksum_check_all_ways(zeros, len % 64, len, "zeros");
    checksum_check_all_ways(ones, len % 64, len, "ones");
  }
  ck_assert_uint_eq(inet_checksum(zeros, 1500), 0xffff);
  ck_assert_uint_eq(inet_checksum(ones, 1500), 0);
  g_rand_free(rand);
  g_free(rnd);
  g_free(zeros);
  g_free(ones);
}
END_TEST

/* The pseudo-header sum against the reference over the pseudo-header and
 * segment laid out in one buffer, for every segment length 8..2100. */
START_TEST(test_checksum_pseudo_every_length)
{
  enum { MAX = 2100 };
  uint8_t *pseudo = g_malloc(12 + MAX);
  GRand *rand = g_rand_new_with_seed(768);
  for (size_t i = 0; i < 12 + MAX; i++)
    pseudo[i] = (uint8_t)g_rand_int(rand);
  uint32_t src = g_rand_int(rand), dst = g_rand_int(rand);
  memcpy(pseudo, &src, 4);
  memcpy(pseudo + 4, &dst, 4);
  pseudo[8] = 0;
  pseudo[9] = 17;
  for (size_t len = 8; len <= MAX; len++) {
    pseudo[10] = (uint8_t)(len >> 8);
    pseudo[11] = (uint8_t)len;
    ck_assert_msg(g_ntohs(inet_pseudo_checksum(src, dst, 17, pseudo + 12, len)) == ref_checksum(pseudo, 12 + len),
                  "length %zu", len);
  }
  g_rand_free(rand);
  g_free(pseudo);
}
END_TEST

/* ---- routing table ------------------------------------------------------- */

static void route_add(RouteTable *rt, uint32_t prefix, uint8_t len, uint32_t gw, Iface *iface, uint32_t metric)
{
  Route r = {.prefix = prefix, .len = len, .gateway = gw, .iface = iface, .metric = metric, .origin = ROUTE_STATIC};
  route_table_add(rt, &r);
}

START_TEST(test_lpm_overlapping)
{
  Iface ifs[5] = {0};
  RouteTable *rt = route_table_new();
  for (int i = 0; i < 5; i++)
    ifs[i].up = TRUE;
  route_add(rt, 0, 0, IP(192, 168, 0, 1), &ifs[0], 1);
  route_add(rt, IP(10, 1, 2, 3), 32, 0, &ifs[4], 1);
  route_add(rt, IP(10, 0, 0, 0), 8, 0, &ifs[1], 1);
  route_add(rt, IP(10, 1, 2, 0), 24, 0, &ifs[3], 1);
  route_add(rt, IP(10, 1, 0, 0), 16, 0, &ifs[2], 1);
  ck_assert_ptr_eq(route_lookup(rt, IP(8, 8, 8, 8))->iface, &ifs[0]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 200, 0, 1))->iface, &ifs[1]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 200, 1))->iface, &ifs[2]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 2, 4))->iface, &ifs[3]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 2, 3))->iface, &ifs[4]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 2, 255))->iface, &ifs[3]);
  ck_assert_ptr_eq(route_lookup(rt, IP(11, 0, 0, 0))->iface, &ifs[0]);
  /* Non-octet lengths: /12 and /20 inside the /8. */
  route_add(rt, IP(10, 16, 0, 0), 12, 0, &ifs[4], 1);
  route_add(rt, IP(10, 1, 32, 0), 20, 0, &ifs[0], 7);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 31, 255, 255))->iface, &ifs[4]);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 32, 0, 0))->iface, &ifs[1]);
  ck_assert_uint_eq(route_lookup(rt, IP(10, 1, 47, 1))->metric, 7);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 48, 1))->iface, &ifs[2]);
  /* The route the node uses for a whole prefix. */
  ck_assert_uint_eq(route_lookup_prefix(rt, IP(10, 0, 0, 0), 12)->len, 8);
  ck_assert_uint_eq(route_lookup_prefix(rt, IP(10, 1, 0, 0), 16)->len, 16);
  ck_assert_uint_eq(route_lookup_prefix(rt, IP(10, 1, 7, 0), 24)->len, 16);
  ck_assert_uint_eq(route_lookup_prefix(rt, IP(10, 0, 0, 0), 7)->len, 0);
  route_table_remove_origin(rt, ROUTE_STATIC);
  ck_assert_ptr_null(route_lookup(rt, IP(10, 1, 2, 3)));
  ck_assert_ptr_null(route_lookup_prefix(rt, IP(10, 0, 0, 0), 8));
  route_table_free(rt);
}
END_TEST

START_TEST(test_lpm_metric_ties)
{
  Iface ifs[3] = {0};
  RouteTable *rt = route_table_new();
  for (int i = 0; i < 3; i++)
    ifs[i].up = TRUE;
  route_add(rt, IP(10, 0, 0, 0), 8, IP(1, 0, 0, 1), &ifs[0], 5);
  route_add(rt, IP(10, 0, 0, 0), 8, IP(1, 0, 0, 2), &ifs[1], 2);
  route_add(rt, IP(10, 0, 0, 0), 8, IP(1, 0, 0, 3), &ifs[2], 2);
  ck_assert_uint_eq(route_lookup(rt, IP(10, 9, 9, 9))->gateway, IP(1, 0, 0, 2));
  ck_assert_uint_eq(route_lookup_prefix(rt, IP(10, 0, 0, 0), 8)->gateway, IP(1, 0, 0, 2));
  /* A connected route added later with metric 0 wins. */
  Route c = {.prefix = IP(10, 0, 0, 0), .len = 8, .iface = &ifs[2], .origin = ROUTE_CONNECTED};
  route_table_add(rt, &c);
  ck_assert_int_eq(route_lookup(rt, IP(10, 9, 9, 9))->origin, ROUTE_CONNECTED);
  route_table_remove_origin(rt, ROUTE_CONNECTED);
  ck_assert_uint_eq(route_lookup(rt, IP(10, 9, 9, 9))->gateway, IP(1, 0, 0, 2));
  ck_assert_uint_eq(route_table_routes(rt)->len, 3);
  route_table_free(rt);
}
END_TEST

START_TEST(test_lpm_protocol_paths)
{
  Iface ifs[3] = {0};
  RouteTable *rt = route_table_new();
  for (int i = 0; i < 3; i++)
    ifs[i].up = TRUE;
  Ipv4Prefix p = {IP(10, 4, 0, 0), 16};
  Route two[2] = {{.iface = &ifs[0], .gateway = IP(1, 0, 0, 1), .metric = 20},
                  {.iface = &ifs[1], .gateway = IP(1, 0, 0, 2), .metric = 20}};
  ck_assert(route_table_set_paths(rt, ROUTE_OSPF, p, two, 2));
  ck_assert(!route_table_set_paths(rt, ROUTE_OSPF, p, two, 2)); /* the same: no change */
  /* A multipath group: the hash picks a member, route_lookup() the first. */
  ck_assert_uint_eq(route_lookup(rt, IP(10, 4, 1, 1))->gateway, IP(1, 0, 0, 1));
  ck_assert_uint_eq(route_lookup_hash(rt, IP(10, 4, 1, 1), 1)->gateway, IP(1, 0, 0, 2));
  ck_assert_uint_eq(route_lookup_hash(rt, IP(10, 4, 1, 1), 2)->gateway, IP(1, 0, 0, 1));
  const Route *paths[ROUTE_MAX_PATHS];
  ck_assert_uint_eq(route_paths_prefix(rt, p.addr, p.len, paths, ROUTE_MAX_PATHS), 2);
  /* RIP to the same prefix loses on distance (120 > 110); a static wins (1). */
  Route rip = {.iface = &ifs[2], .gateway = IP(1, 0, 0, 3), .metric = 2};
  ck_assert(route_table_set_paths(rt, ROUTE_RIP, p, &rip, 1));
  ck_assert_int_eq(route_lookup(rt, IP(10, 4, 1, 1))->origin, ROUTE_OSPF);
  route_add(rt, p.addr, p.len, IP(1, 0, 0, 9), &ifs[2], 100);
  ck_assert_int_eq(route_lookup(rt, IP(10, 4, 1, 1))->origin, ROUTE_STATIC);
  route_table_remove_origin(rt, ROUTE_STATIC);
  /* One path left, then none: the RIP route takes over. */
  ck_assert(route_table_set_paths(rt, ROUTE_OSPF, p, &two[1], 1));
  ck_assert_uint_eq(route_table_paths_of(rt, ROUTE_OSPF, p, paths), 1);
  ck_assert_uint_eq(route_lookup_hash(rt, IP(10, 4, 1, 1), 0)->gateway, IP(1, 0, 0, 2));
  ck_assert(route_table_set_paths(rt, ROUTE_OSPF, p, NULL, 0));
  ck_assert(!route_table_set_paths(rt, ROUTE_OSPF, p, NULL, 0));
  ck_assert_int_eq(route_lookup(rt, IP(10, 4, 1, 1))->origin, ROUTE_RIP);
  /* Many replacements: the dead are compacted away, the table stays right. */
  for (uint32_t i = 0; i < 1000; i++) {
    Ipv4Prefix q = {IP(10, 5, i % 200, 0), 24};
    ck_assert(route_table_set_paths(rt, ROUTE_OSPF, q, two, 1 + (i / 200) % 2));
  }
  ck_assert_uint_eq(route_table_routes(rt)->len, 1 + 200); /* the RIP route and one path each */
  ck_assert_uint_eq(route_table_paths_of(rt, ROUTE_OSPF, (Ipv4Prefix){IP(10, 5, 7, 0), 24}, paths), 1);
  ck_assert_uint_eq(route_lookup(rt, IP(10, 5, 6, 9))->gateway, IP(1, 0, 0, 1));
  /* Listing the routes compacts the dead away: lookups must follow (a
   * compiled trie naming old positions sent packets on other prefixes'
   * routes). */
  Ipv4Prefix a = {IP(10, 6, 0, 0), 16}, b = {IP(10, 7, 0, 0), 16}, c = {IP(10, 8, 0, 0), 16};
  ck_assert(route_table_set_paths(rt, ROUTE_RIP, a, &two[0], 1));
  ck_assert(route_table_set_paths(rt, ROUTE_RIP, b, &two[1], 1));
  ck_assert(route_table_set_paths(rt, ROUTE_RIP, c, &rip, 1));
  ck_assert_uint_eq(route_lookup(rt, IP(10, 7, 0, 1))->gateway, IP(1, 0, 0, 2));
  ck_assert(route_table_set_paths(rt, ROUTE_RIP, a, NULL, 0));
  ck_assert_ptr_null(route_lookup(rt, IP(10, 6, 0, 1))); /* compiled with a's route dead in place */
  ck_assert_uint_eq(route_table_routes(rt)->len, 1 + 200 + 2);
  ck_assert_uint_eq(route_lookup(rt, IP(10, 7, 0, 1))->gateway, IP(1, 0, 0, 2));
  ck_assert_uint_eq(route_lookup(rt, IP(10, 7, 0, 1))->prefix, b.addr);
  ck_assert_ptr_null(route_lookup(rt, IP(10, 6, 0, 1)));
  route_table_free(rt);
}
END_TEST

START_TEST(test_lpm_down_interfaces_skipped)
{
  Iface ifs[3] = {0};
  RouteTable *rt = route_table_new();
  for (int i = 0; i < 3; i++)
    ifs[i].up = TRUE;
  route_add(rt, IP(10, 0, 0, 0), 8, 0, &ifs[0], 1);
  route_add(rt, IP(10, 1, 0, 0), 16, 0, &ifs[1], 1);
  route_add(rt, IP(10, 1, 0, 0), 16, 0, &ifs[2], 9); /* backup */
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 1, 1))->iface, &ifs[1]);
  ifs[1].up = FALSE;
  route_table_invalidate(rt);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 1, 1))->iface, &ifs[2]);
  ck_assert_ptr_eq(route_lookup_prefix(rt, IP(10, 1, 0, 0), 16)->iface, &ifs[2]);
  ifs[2].up = FALSE;
  route_table_invalidate(rt);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 1, 1))->iface, &ifs[0]);
  ifs[0].up = FALSE;
  route_table_invalidate(rt);
  ck_assert_ptr_null(route_lookup(rt, IP(10, 1, 1, 1)));
  ifs[1].up = TRUE;
  route_table_invalidate(rt);
  ck_assert_ptr_eq(route_lookup(rt, IP(10, 1, 1, 1))->iface, &ifs[1]);
  route_table_free(rt);
}
END_TEST

/* The reference for the random test: the best route per (prefix, length),
 * found by a scan of all routes, then for a destination the longest such. */
typedef struct {
  GHashTable *best; /* (len << 32 | prefix) -> route index + 1 */
} RefTable;

static uint64_t ref_key(uint32_t prefix, uint8_t len)
{
  return (uint64_t)len << 32 | prefix;
}

static RefTable ref_build(const GArray *routes)
{
  RefTable ref = {g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL)};
  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->iface && !r->iface->up)
      continue;
    uint64_t k = ref_key(r->prefix, r->len);
    guint cur = GPOINTER_TO_UINT(g_hash_table_lookup(ref.best, &k));
    if (cur && g_array_index(routes, Route, cur - 1).metric <= r->metric)
      continue;
    g_hash_table_insert(ref.best, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(i + 1));
  }
  return ref;
}

static int ref_lookup(const RefTable *ref, uint32_t dst)
{
  for (int len = 32; len >= 0; len--) {
    uint64_t k = ref_key(dst & addr_mask((uint8_t)len), (uint8_t)len);
    guint i = GPOINTER_TO_UINT(g_hash_table_lookup(ref->best, &k));
    if (i)
      return (int)i - 1;
  }
  return -1;
}

/* The plainest reference: a scan of every route for one destination. */
static int linear_lookup(const GArray *routes, uint32_t dst)
{
  int best = -1;
  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if ((r->iface && !r->iface->up) || (dst & addr_mask(r->len)) != r->prefix)
      continue;
    const Route *b = best >= 0 ? &g_array_index(routes, Route, best) : NULL;
    if (!b || r->len > b->len || (r->len == b->len && r->metric < b->metric))
      best = (int)i;
  }
  return best;
}

START_TEST(test_lpm_random_cross_check)
{
  enum { N_ROUTES = 100000, N_LOOKUPS = 1000000, N_LINEAR = 4000 };
  Iface ifs[4] = {0};
  GRand *rand = g_rand_new_with_seed(42);
  RouteTable *rt = route_table_new();
  for (int i = 0; i < 4; i++)
    ifs[i].up = i != 3; /* routes through ifs[3] must never be chosen */
  for (int i = 0; i < N_ROUTES; i++) {
    uint8_t len = (uint8_t)g_rand_int_range(rand, 0, 33);
    uint32_t prefix = g_rand_int(rand) & addr_mask(len);
    if (i > 0 && g_rand_int_range(rand, 0, 10) == 0) { /* same prefix again, another metric */
      const Route *old = &g_array_index(route_table_routes(rt), Route, g_rand_int_range(rand, 0, i));
      prefix = old->prefix;
      len = old->len;
    }
    route_add(rt, prefix, len, (uint32_t)i, &ifs[g_rand_int_range(rand, 0, 4)], (uint32_t)g_rand_int_range(rand, 0, 4));
  }
  const GArray *routes = route_table_routes(rt);
  RefTable ref = ref_build(routes);
  for (int q = 0; q < N_LOOKUPS; q++) {
    uint32_t dst = g_rand_int(rand);
    if (q & 1) { /* inside a random route, to reach long prefixes often */
      const Route *r = &g_array_index(routes, Route, g_rand_int_range(rand, 0, N_ROUTES));
      dst = r->prefix | (dst & ~addr_mask(r->len));
    }
    int want = ref_lookup(&ref, dst);
    const Route *got = route_lookup(rt, dst);
    ck_assert_msg(want < 0 ? got == NULL : got == &g_array_index(routes, Route, want), "lookup %d of %08x", q, dst);
    if (q < N_LINEAR)
      ck_assert_int_eq(linear_lookup(routes, dst), want);
  }
  g_hash_table_destroy(ref.best);
  route_table_free(rt);
  g_rand_free(rand);
}
END_TEST

/* ---- networks -------------------------------------------------------------- */

/* h1 -- r1 -- h2; the r1-h2 link has MTU `mtu`. */
static const char *net3_yaml = "scenario: t\n"
                               "stop: 100s\n"
                               "defaults:\n"
                               "  link: { rate: 100Mbps, delay: 1ms }\n"
                               "nodes:\n"
                               "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                               "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                               "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                               "links:\n"
                               "  - [h1, r1:eth0]\n"
                               "  - { ends: [r1:eth1, h2], mtu: %u }\n";

#define H1 IP(10, 0, 1, 10)
#define H2 IP(10, 0, 2, 10)
#define R1A IP(10, 0, 1, 1)
#define R1B IP(10, 0, 2, 1)

typedef struct {
  Scenario *sc;
  Network *net;
  Node *h1, *r1, *h2;
} T3;

static T3 t3_new_yaml(const char *yaml)
{
  T3 t;
  t.sc = testlib_load_ok(yaml);
  t.net = build_network(t.sc);
  if (g_getenv("TEST_TRACE")) /* debugging: the whole trace on standard error */
    t.net->ctx.trace = trace_new(stderr, FALSE, TRACE_ALL);
  t.h1 = testlib_node(t.net, "h1");
  t.r1 = testlib_node(t.net, "r1");
  t.h2 = testlib_node(t.net, "h2");
  return t;
}

static T3 t3_new(unsigned mtu)
{
  char *yaml = g_strdup_printf(net3_yaml, mtu);
  T3 t = t3_new_yaml(yaml);
  g_free(yaml);
  return t;
}

static void t3_free(T3 *t)
{
  network_free(t->net);
  scenario_free(t->sc);
}

static void t_run(T3 *t, SimTime until)
{
  scheduler_run(t->net->ctx.sched, until);
}

static uint64_t t_drops(const Node *node, DropReason reason)
{
  Counters c;
  node_counters_total(node, &c);
  return c.drops[reason];
}

static uint64_t t_drops_all(const Node *node)
{
  Counters c;
  uint64_t n = 0;
  node_counters_total(node, &c);
  for (int r = 0; r < DROP_REASON_COUNT; r++)
    n += c.drops[r];
  return n;
}

/* Builds an IPv4 datagram with a correct header around `payload`. */
static Packet *t_ip(Network *net, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, const void *payload,
                    size_t len)
{
  Packet *p = packet_new(net->ctx.pool, IPV4_HEADER_LEN + len);
  Ipv4Header *h = (Ipv4Header *)packet_data(p);
  h->ver_ihl = 0x45;
  h->total_len = g_htons((uint16_t)(IPV4_HEADER_LEN + len));
  h->id = g_htons(4242);
  h->ttl = ttl;
  h->proto = proto;
  h->src = g_htonl(src);
  h->dst = g_htonl(dst);
  h->checksum = inet_checksum(h, IPV4_HEADER_LEN);
  if (len)
    memcpy(packet_data(p) + IPV4_HEADER_LEN, payload, len);
  return p;
}

/* Builds a UDP datagram (in IPv4) carrying `len` bytes of `payload`. */
static Packet *t_udp(Network *net, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const void *payload,
                     size_t len)
{
  uint8_t *seg = g_malloc0(UDP_HEADER_LEN + len);
  UdpHeader *u = (UdpHeader *)seg;
  u->sport = g_htons(sport);
  u->dport = g_htons(dport);
  u->len = g_htons((uint16_t)(UDP_HEADER_LEN + len));
  if (len)
    memcpy(seg + UDP_HEADER_LEN, payload, len);
  u->checksum = inet_pseudo_checksum(g_htonl(src), g_htonl(dst), IPPROTO_UDP_NUM, seg, UDP_HEADER_LEN + len);
  Packet *p = t_ip(net, src, dst, IPPROTO_UDP_NUM, 64, seg, UDP_HEADER_LEN + len);
  g_free(seg);
  return p;
}

static void t_fix_ip_checksum(Packet *p)
{
  Ipv4Header *h = (Ipv4Header *)packet_data(p);
  h->checksum = 0;
  h->checksum = inet_checksum(h, (size_t)(h->ver_ihl & 0xf) * 4);
}

/* What an ICMP listener saw. */
typedef struct {
  int count;
  uint8_t type, code;
  uint16_t id, seq, mtu;
  uint32_t from, quoted_dst;
  uint8_t ttl;
  gboolean looped;
  size_t data_len;
  uint8_t data[4096];
} TIcmp;

static void t_icmp_fn(void *owner, const IcmpMessage *m)
{
  TIcmp *t = owner;
  t->count++;
  t->type = m->type;
  t->code = m->code;
  t->id = m->id;
  t->seq = m->seq;
  t->mtu = m->mtu;
  t->from = m->ip->src;
  t->ttl = m->ip->ttl;
  t->looped = m->ip->in == NULL;
  t->quoted_dst = m->quoted_dst;
  t->data_len = MIN(m->data_len, sizeof t->data);
  if (m->data_len)
    memcpy(t->data, m->data, t->data_len);
}

/* What a UDP port saw. */
typedef struct {
  int count;
  GByteArray *data;
  uint32_t src, dst;
  uint16_t sport, dport;
  int errors;
  uint8_t err_type, err_code;
  uint32_t err_from;
  uint16_t err_dport;
} TUdp;

static void t_udp_recv(void *owner, Packet *p, const UdpMeta *m)
{
  TUdp *t = owner;
  t->count++;
  g_byte_array_append(t->data, packet_data(p), (guint)packet_len(p));
  t->src = m->src;
  t->dst = m->dst;
  t->sport = m->sport;
  t->dport = m->dport;
  packet_free(p);
}

static void t_udp_error(void *owner, const IcmpMessage *m, uint16_t dport)
{
  TUdp *t = owner;
  t->errors++;
  t->err_type = m->type;
  t->err_code = m->code;
  t->err_from = m->ip->src;
  t->err_dport = dport;
}

static const UdpHandler t_udp_handler = {t_udp_recv, t_udp_error};

static void t_udp_init(TUdp *u)
{
  memset(u, 0, sizeof *u);
  u->data = g_byte_array_new();
}

/* ---- IPv4 input checks ------------------------------------------------------ */

/* Injects p into h2 and checks it is dropped with exactly `reason`. */
static void t_expect_drop(T3 *t, Packet *p, DropReason reason)
{
  uint64_t before = t_drops(t->h2, reason), all = t_drops_all(t->h2);
  ipv4_input(node_iface(t->h2, 0), p);
  ck_assert_msg(t_drops(t->h2, reason) == before + 1, "expected a drop '%s'", drop_reason_name(reason));
  ck_assert_uint_eq(t_drops_all(t->h2), all + 1);
}

START_TEST(test_ipv4_header_checks)
{
  T3 t = t3_new(1500);
  uint8_t payload[32] = {0};
  Packet *p;

  t_expect_drop(&t, packet_new(t.net->ctx.pool, 12), DROP_BAD_IP_HEADER); /* truncated */
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  packet_data(p)[0] = 0x65; /* version 6 */
  t_fix_ip_checksum(p);
  t_expect_drop(&t, p, DROP_BAD_IP_HEADER);
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  packet_data(p)[0] = 0x44; /* IHL 4 */
  t_expect_drop(&t, p, DROP_BAD_IP_HEADER);
  p = t_ip(t.net, H1, H2, 99, 64, payload, 8);
  packet_data(p)[0] = 0x4f; /* IHL 15: 60 bytes, beyond the 28-byte packet */
  t_expect_drop(&t, p, DROP_BAD_IP_HEADER);
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  packet_data(p)[8] ^= 1; /* TTL changed, checksum not updated */
  t_expect_drop(&t, p, DROP_BAD_IP_CHECKSUM);
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  ((Ipv4Header *)packet_data(p))->total_len = g_htons(IPV4_HEADER_LEN + sizeof payload + 1);
  t_fix_ip_checksum(p);
  t_expect_drop(&t, p, DROP_BAD_IP_LENGTH); /* larger than the frame */
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  ((Ipv4Header *)packet_data(p))->total_len = g_htons(19);
  t_fix_ip_checksum(p);
  t_expect_drop(&t, p, DROP_BAD_IP_LENGTH); /* smaller than the header */
  p = t_ip(t.net, H1, IP(10, 0, 2, 99), IPPROTO_UDP_NUM, 64, payload, sizeof payload);
  t_expect_drop(&t, p, DROP_NOT_A_ROUTER); /* a host does not forward */
  p = t_ip(t.net, H1, H2, 99, 64, payload, sizeof payload);
  t_expect_drop(&t, p, DROP_UNKNOWN_PROTOCOL);
  t3_free(&t);
}
END_TEST

START_TEST(test_ipv4_padding_trimmed)
{
  T3 t = t3_new(1500);
  TUdp u;
  t_udp_init(&u);
  ck_assert_int_eq(udp_bind(t.h2, 7, &t_udp_handler, &u), 7);
  Packet *p = t_udp(t.net, H1, H2, 1000, 7, "hi", 2);
  memset(packet_put(p, 16), 0xaa, 16); /* Ethernet padding after a 30-byte datagram */
  ipv4_input(node_iface(t.h2, 0), p);
  ck_assert_int_eq(u.count, 1);
  ck_assert_uint_eq(u.data->len, 2);
  ck_assert_int_eq(memcmp(u.data->data, "hi", 2), 0);
  ck_assert_uint_eq(t_drops_all(t.h2), 0);
  g_byte_array_free(u.data, TRUE);
  t3_free(&t);
}
END_TEST

/* ---- configuration ---------------------------------------------------------- */

START_TEST(test_ipv4_routes_from_scenario)
{
  const char *yaml = "nodes:\n"
                     "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                     "  r1:\n"
                     "    kind: router\n"
                     "    ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 }\n"
                     "    routes:\n"
                     "      - { to: 10.9.0.0/16, via: 10.0.2.10, metric: 5 }\n"
                     "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                     "links:\n"
                     "  - [h1, r1:eth0]\n"
                     "  - [r1:eth1, h2]\n";
  T3 t = t3_new_yaml(yaml);
  const GArray *r1 = route_table_routes(t.r1->ip->routes), *h1 = route_table_routes(t.h1->ip->routes);
  ck_assert_uint_eq(r1->len, 3);
  const Route *c0 = &g_array_index(r1, Route, 0), *s = &g_array_index(r1, Route, 2);
  ck_assert_int_eq(c0->origin, ROUTE_CONNECTED);
  ck_assert_uint_eq(c0->prefix, IP(10, 0, 1, 0));
  ck_assert_uint_eq(c0->len, 24);
  ck_assert_uint_eq(c0->metric, 0);
  ck_assert_int_eq(s->origin, ROUTE_STATIC);
  ck_assert_uint_eq(s->prefix, IP(10, 9, 0, 0));
  ck_assert_uint_eq(s->gateway, H2);
  ck_assert_uint_eq(s->metric, 5);
  ck_assert_ptr_eq(s->iface, node_iface(t.r1, 1));
  ck_assert(t.r1->ip->forwarding);
  ck_assert(!t.h1->ip->forwarding);
  ck_assert_uint_eq(h1->len, 2);
  const Route *d = &g_array_index(h1, Route, 1);
  ck_assert_uint_eq(d->len, 0);
  ck_assert_uint_eq(d->gateway, R1A);
  ck_assert_uint_eq(d->metric, 1);
  t_run(&t, SIMTIME_MS(1));
  ck_assert_uint_eq(ipv4_route(t.r1, IP(10, 9, 1, 1))->gateway, H2);
  ck_assert_ptr_null(ipv4_route(t.r1, IP(10, 8, 1, 1)));
  ck_assert_uint_eq(ipv4_route(t.h1, IP(10, 8, 1, 1))->gateway, R1A);
  t3_free(&t);
}
END_TEST

/* ---- forwarding and ICMP ------------------------------------------------------ */

START_TEST(test_icmp_echo_through_router)
{
  T3 t = t3_new(1500);
  TIcmp m = {0};
  ck_assert(icmp_listen(t.h1, 77, t_icmp_fn, &m));
  ck_assert(!icmp_listen(t.h1, 77, t_icmp_fn, &m));
  t_run(&t, SIMTIME_MS(1));
  ck_assert_int_eq(icmp_send_echo(t.h1, H2, 77, 3, "abcdef", 6, NULL), IPV4_SENT);
  t_run(&t, SIMTIME_S(1));
  ck_assert_int_eq(m.count, 1);
  ck_assert_uint_eq(m.type, ICMP_ECHO_REPLY);
  ck_assert_uint_eq(m.id, 77);
  ck_assert_uint_eq(m.seq, 3);
  ck_assert_uint_eq(m.from, H2);
  ck_assert_uint_eq(m.ttl, 63); /* the router decremented it (and fixed the checksum) */
  ck_assert_uint_eq(m.data_len, 6);
  ck_assert_int_eq(memcmp(m.data, "abcdef", 6), 0);
  ck_assert_uint_eq(t_drops_all(t.r1) + t_drops_all(t.h2) + t_drops_all(t.h1), 0);
  t3_free(&t);
}
END_TEST

START_TEST(test_icmp_echo_loopback)
{
  T3 t = t3_new(1500);
  TIcmp m = {0};
  ck_assert(icmp_listen(t.h1, 5, t_icmp_fn, &m));
  ck_assert_int_eq(icmp_send_echo(t.h1, H1, 5, 1, "x", 1, NULL), IPV4_SENT);
  ck_assert_int_eq(m.count, 0); /* not re-entered: delivered by an event */
  t_run(&t, SIMTIME_MS(1));
  ck_assert_int_eq(m.count, 1);
  ck_assert_uint_eq(m.type, ICMP_ECHO_REPLY);
  ck_assert_uint_eq(m.from, H1);
  ck_assert(m.looped);
  t3_free(&t);
}
END_TEST

START_TEST(test_ttl_expiry_time_exceeded)
{
  T3 t = t3_new(1500);
  TIcmp m = {0};
  Ipv4SendOpts opts = {.ttl = 1};
  ck_assert(icmp_listen(t.h1, 9, t_icmp_fn, &m));
  t_run(&t, SIMTIME_MS(1));
  icmp_send_echo(t.h1, H2, 9, 1, "q", 1, &opts);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_eq(t_drops(t.r1, DROP_TTL_EXPIRED), 1);
  ck_assert_int_eq(m.count, 1);
  ck_assert_uint_eq(m.type, ICMP_TIME_EXCEEDED);
  ck_assert_uint_eq(m.code, ICMP_TIMXCEED_INTRANS);
  ck_assert_uint_eq(m.id, 9);
  ck_assert_uint_eq(m.seq, 1);
  ck_assert_uint_eq(m.from, R1A); /* the address of the interface it arrived on */
  ck_assert_uint_eq(m.quoted_dst, H2);
  t3_free(&t);
}
END_TEST

START_TEST(test_no_route_net_unreachable)
{
  T3 t = t3_new(1500);
  TIcmp m = {0};
  ck_assert(icmp_listen(t.h1, 9, t_icmp_fn, &m));
  t_run(&t, SIMTIME_MS(1));
  icmp_send_echo(t.h1, IP(10, 9, 9, 9), 9, 1, "q", 1, NULL);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_eq(t_drops(t.r1, DROP_NO_ROUTE), 1);
  ck_assert_int_eq(m.count, 1);
  ck_assert_uint_eq(m.type, ICMP_UNREACH);
  ck_assert_uint_eq(m.code, ICMP_UNREACH_NET);
  ck_assert_uint_eq(m.from, R1A);
  /* The router's own datagram: refused locally. */
  ck_assert_int_eq(icmp_send_echo(t.r1, IP(10, 9, 9, 9), 1, 1, NULL, 0, NULL), IPV4_ERR_NO_ROUTE);
  ck_assert_uint_eq(t_drops(t.r1, DROP_NO_ROUTE), 2);
  t3_free(&t);
}
END_TEST

START_TEST(test_df_fragmentation_needed)
{
  T3 t = t3_new(576);
  TIcmp m = {0};
  Ipv4SendOpts opts = {.df = TRUE};
  uint8_t data[2000] = {0};
  ck_assert(icmp_listen(t.h1, 11, t_icmp_fn, &m));
  t_run(&t, SIMTIME_MS(1));
  ck_assert_int_eq(icmp_send_echo(t.h1, H2, 11, 1, data, 1000, &opts), IPV4_SENT);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_eq(t_drops(t.r1, DROP_FRAG_NEEDED), 1);
  ck_assert_int_eq(m.count, 1);
  ck_assert_uint_eq(m.type, ICMP_UNREACH);
  ck_assert_uint_eq(m.code, ICMP_UNREACH_NEEDFRAG);
  ck_assert_uint_eq(m.mtu, 576);
  ck_assert_uint_eq(m.from, R1A);
  /* Larger than the sender's own MTU with DF: EMSGSIZE. */
  ck_assert_int_eq(icmp_send_echo(t.h1, H2, 11, 2, data, 1500, &opts), IPV4_ERR_MSG_SIZE);
  ck_assert_uint_eq(t_drops(t.h1, DROP_FRAG_NEEDED), 1);
  t3_free(&t);
}
END_TEST

START_TEST(test_fragmented_echo_end_to_end)
{
  T3 t = t3_new(576);
  TIcmp m = {0};
  uint8_t data[2972];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 7);
  ck_assert(icmp_listen(t.h1, 12, t_icmp_fn, &m));
  /* A small echo first: ARP holds only ARP_QUEUE_LEN packets while it
   * resolves, fewer than the six fragments. */
  icmp_send_echo(t.h1, H2, 12, 0, NULL, 0, NULL);
  t_run(&t, SIMTIME_S(1));
  ck_assert_int_eq(m.count, 1);
  icmp_send_echo(t.h1, H2, 12, 1, data, sizeof data, NULL); /* a 3000-byte datagram */
  t_run(&t, SIMTIME_S(2));
  ck_assert_int_eq(m.count, 2);
  ck_assert_uint_eq(m.seq, 1);
  ck_assert_uint_eq(m.type, ICMP_ECHO_REPLY);
  ck_assert_uint_eq(m.data_len, sizeof data);
  ck_assert_int_eq(memcmp(m.data, data, sizeof data), 0);
  ck_assert_uint_eq(t_drops_all(t.r1) + t_drops_all(t.h2) + t_drops_all(t.h1), 0);
  t3_free(&t);
}
END_TEST

/* ---- fragmentation and reassembly --------------------------------------------- */

static GPtrArray *t_captured; /* fragments frag_output() passed on */

static void t_capture(Iface *iface, Packet *fragment, uint32_t next_hop)
{
  (void)iface;
  ck_assert_uint_eq(next_hop, H2);
  g_ptr_array_add(t_captured, fragment);
}

/* Cuts a 3000-byte UDP datagram from h1:1000 to h2:7 on r1's 576-byte
 * link into t_captured; returns its UDP payload (2972 bytes, g_free). */
static uint8_t *t_fragments(T3 *t)
{
  uint8_t *payload = g_malloc(2972);
  for (int i = 0; i < 2972; i++)
    payload[i] = (uint8_t)(i ^ (i >> 8));
  t_captured = g_ptr_array_new();
  frag_output(node_iface(t->r1, 1), t_udp(t->net, H1, H2, 1000, 7, payload, 2972), H2, t_capture);
  return payload;
}

START_TEST(test_frag_rfc791_sizes)
{
  T3 t = t3_new(576);
  g_free(t_fragments(&t));
  ck_assert_uint_eq(t_captured->len, 6);
  for (guint i = 0; i < 6; i++) {
    Packet *f = g_ptr_array_index(t_captured, i);
    const Ipv4Header *h = (const Ipv4Header *)packet_data(f);
    size_t want = i < 5 ? 572 : 240; /* 20 + 552 bytes, then 20 + 220 */
    ck_assert_uint_eq(packet_len(f), want);
    ck_assert_uint_eq(g_ntohs(h->total_len), want);
    ck_assert_uint_eq(g_ntohs(h->frag) & IPV4_OFFSET_MASK, 69 * i);
    ck_assert_uint_eq((g_ntohs(h->frag) & IPV4_FLAG_MF) != 0, i < 5);
    ck_assert_uint_eq(g_ntohs(h->id), 4242);
    ck_assert_uint_eq(inet_checksum(h, IPV4_HEADER_LEN), 0);
    packet_free(f);
  }
  g_ptr_array_free(t_captured, TRUE);
  t3_free(&t);
}
END_TEST

/* Feeds the captured fragments in `order` (indices, -1 ends) to h2. */
static void t_feed(T3 *t, const int *order)
{
  for (const int *i = order; *i >= 0; i++)
    ipv4_input(node_iface(t->h2, 0), packet_clone(g_ptr_array_index(t_captured, *i)));
}

static void t_free_captured(void)
{
  g_ptr_array_set_free_func(t_captured, (GDestroyNotify)packet_free);
  g_ptr_array_free(t_captured, TRUE);
}

static void t_check_reassembly(const int *order)
{
  T3 t = t3_new(576);
  TUdp u;
  t_udp_init(&u);
  udp_bind(t.h2, 7, &t_udp_handler, &u);
  uint8_t *payload = t_fragments(&t);
  t_feed(&t, order);
  ck_assert_int_eq(u.count, 1);
  ck_assert_uint_eq(u.data->len, 2972);
  ck_assert_int_eq(memcmp(u.data->data, payload, 2972), 0);
  ck_assert_uint_eq(u.src, H1);
  ck_assert_uint_eq(u.sport, 1000);
  ck_assert_uint_eq(t_drops_all(t.h2), 0);
  g_free(payload);
  g_byte_array_free(u.data, TRUE);
  t_free_captured();
  t3_free(&t);
}

START_TEST(test_reasm_in_order)
{
  const int order[] = {0, 1, 2, 3, 4, 5, -1};
  t_check_reassembly(order);
}
END_TEST

START_TEST(test_reasm_out_of_order)
{
  const int order[] = {5, 2, 0, 4, 1, 3, -1};
  t_check_reassembly(order);
}
END_TEST

START_TEST(test_reasm_duplicate_dropped_alone)
{
  const int order[] = {3, 3, 0, 1, 2, 4, 5, -1};
  T3 t = t3_new(576);
  TUdp u;
  t_udp_init(&u);
  udp_bind(t.h2, 7, &t_udp_handler, &u);
  g_free(t_fragments(&t));
  t_feed(&t, order);
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_OVERLAP), 1);
  ck_assert_int_eq(u.count, 1);
  g_byte_array_free(u.data, TRUE);
  t_free_captured();
  t3_free(&t);
}
END_TEST

START_TEST(test_reasm_lost_fragment_times_out)
{
  const int order[] = {0, 1, 3, 4, 5, -1};
  T3 t = t3_new(576);
  TUdp h2u, h1u;
  t_udp_init(&h2u);
  t_udp_init(&h1u);
  udp_bind(t.h2, 7, &t_udp_handler, &h2u);
  udp_bind(t.h1, 1000, &t_udp_handler, &h1u);
  g_free(t_fragments(&t));
  t_feed(&t, order);
  t_run(&t, REASM_TIMEOUT - 1);
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_TIMEOUT), 0);
  t_run(&t, REASM_TIMEOUT);
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_TIMEOUT), 5);
  t_run(&t, REASM_TIMEOUT + SIMTIME_S(1));
  ck_assert_int_eq(h2u.count, 0);
  ck_assert_int_eq(h1u.errors, 1); /* ICMP time exceeded (reassembly) reached the sending port */
  ck_assert_uint_eq(h1u.err_type, ICMP_TIME_EXCEEDED);
  ck_assert_uint_eq(h1u.err_code, ICMP_TIMXCEED_REASS);
  ck_assert_uint_eq(h1u.err_from, H2);
  ck_assert_uint_eq(h1u.err_dport, 7);
  g_byte_array_free(h1u.data, TRUE);
  g_byte_array_free(h2u.data, TRUE);
  t_free_captured();
  t3_free(&t);
}
END_TEST

START_TEST(test_reasm_no_icmp_without_first_fragment)
{
  const int order[] = {1, 2, 3, -1};
  T3 t = t3_new(576);
  TUdp h1u;
  t_udp_init(&h1u);
  udp_bind(t.h1, 1000, &t_udp_handler, &h1u);
  g_free(t_fragments(&t));
  t_feed(&t, order);
  t_run(&t, REASM_TIMEOUT + SIMTIME_S(1));
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_TIMEOUT), 3);
  ck_assert_int_eq(h1u.errors, 0);
  g_byte_array_free(h1u.data, TRUE);
  t_free_captured();
  t3_free(&t);
}
END_TEST

START_TEST(test_reasm_overlap_discards_datagram)
{
  const int order[] = {0, 1, -1};
  T3 t = t3_new(576);
  TUdp u;
  t_udp_init(&u);
  udp_bind(t.h2, 7, &t_udp_handler, &u);
  g_free(t_fragments(&t));
  t_feed(&t, order);
  /* 16 bytes at offset 544: over the end of fragment 0 and the start of 1. */
  uint8_t junk[16] = {0};
  Packet *p = t_ip(t.net, H1, H2, IPPROTO_UDP_NUM, 64, junk, sizeof junk);
  ((Ipv4Header *)packet_data(p))->frag = g_htons(IPV4_FLAG_MF | 68);
  t_fix_ip_checksum(p);
  ipv4_input(node_iface(t.h2, 0), p);
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_OVERLAP), 3);
  /* The rest cannot complete the discarded datagram. */
  const int rest[] = {2, 3, 4, 5, -1};
  t_feed(&t, rest);
  ck_assert_int_eq(u.count, 0);
  g_byte_array_free(u.data, TRUE);
  t_free_captured();
  t3_free(&t);
}
END_TEST

START_TEST(test_reasm_invalid_fragments)
{
  T3 t = t3_new(1500);
  uint8_t junk[24] = {0};
  /* A non-last fragment whose length is not a multiple of 8. */
  Packet *p = t_ip(t.net, H1, H2, IPPROTO_UDP_NUM, 64, junk, 12);
  ((Ipv4Header *)packet_data(p))->frag = g_htons(IPV4_FLAG_MF);
  t_fix_ip_checksum(p);
  t_expect_drop(&t, p, DROP_FRAG_INVALID);
  /* A fragment ending past 65535 bytes. */
  p = t_ip(t.net, H1, H2, IPPROTO_UDP_NUM, 64, junk, 24);
  ((Ipv4Header *)packet_data(p))->frag = g_htons(8189);
  t_fix_ip_checksum(p);
  t_expect_drop(&t, p, DROP_FRAG_INVALID);
  t3_free(&t);
}
END_TEST

START_TEST(test_reasm_bounded)
{
  T3 t = t3_new(1500);
  uint8_t junk[8] = {0};
  for (int i = 0; i <= REASM_MAX_DATAGRAMS; i++) {
    Packet *p = t_ip(t.net, H1, H2, IPPROTO_UDP_NUM, 64, junk, sizeof junk);
    Ipv4Header *h = (Ipv4Header *)packet_data(p);
    h->id = g_htons((uint16_t)i);
    h->frag = g_htons(IPV4_FLAG_MF);
    t_fix_ip_checksum(p);
    ipv4_input(node_iface(t.h2, 0), p);
  }
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_TIMEOUT), 1); /* the oldest made room */
  t_run(&t, REASM_TIMEOUT + 1);
  ck_assert_uint_eq(t_drops(t.h2, DROP_FRAG_TIMEOUT), REASM_MAX_DATAGRAMS + 1);
  t3_free(&t);
}
END_TEST

/* ---- UDP and flows ---------------------------------------------------------------- */

START_TEST(test_udp_delivered_and_counted)
{
  T3 t = t3_new(1500);
  TUdp u, s;
  t_udp_init(&u);
  t_udp_init(&s);
  ck_assert_int_eq(udp_bind(t.h2, 9000, &t_udp_handler, &u), 9000);
  ck_assert_int_eq(udp_bind(t.h2, 9000, &t_udp_handler, &u), -1);
  int sport = udp_bind(t.h1, 0, &t_udp_handler, &s);
  ck_assert_int_eq(sport, UDP_EPHEMERAL_FIRST);
  ck_assert_int_eq(udp_bind(t.h1, 0, &t_udp_handler, &s), UDP_EPHEMERAL_FIRST + 1);
  t_run(&t, SIMTIME_MS(1));
  for (int i = 0; i < 3; i++)
    udp_send(t.h1, (uint16_t)sport, H2, 9000, packet_new_from(t.net->ctx.pool, "payload!", 8), NULL);
  t_run(&t, SIMTIME_S(1));
  ck_assert_int_eq(u.count, 3);
  ck_assert_uint_eq(u.data->len, 24);
  ck_assert_int_eq(memcmp(u.data->data, "payload!", 8), 0);
  ck_assert_uint_eq(u.src, H1);
  ck_assert_uint_eq(u.dst, H2);
  ck_assert_uint_eq(u.sport, sport);
  ck_assert_uint_eq(u.dport, 9000);
  FlowKey key = {.src = H1, .dst = H2, .sport = (uint16_t)sport, .dport = 9000, .proto = IPPROTO_UDP_NUM};
  const Flow *f = flow_find(t.net->ctx.flows, &key);
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(f->tx_packets, 3);
  ck_assert_uint_eq(f->tx_bytes, 24);
  ck_assert_uint_eq(f->rx_packets, 3);
  ck_assert_uint_eq(f->rx_bytes, 24);
  ck_assert_int_eq(f->first_tx, SIMTIME_MS(1));
  ck_assert_int_gt(f->last_rx, SIMTIME_MS(3)); /* two 1 ms links */
  GPtrArray *flows = flow_table_sorted(t.net->ctx.flows);
  ck_assert_uint_eq(flows->len, 1);
  g_ptr_array_unref(flows);
  udp_unbind(t.h2, 9000);
  ck_assert_int_eq(udp_bind(t.h2, 9000, &t_udp_handler, &u), 9000);
  g_byte_array_free(u.data, TRUE);
  g_byte_array_free(s.data, TRUE);
  t3_free(&t);
}
END_TEST

START_TEST(test_udp_closed_port_unreachable)
{
  T3 t = t3_new(1500);
  TUdp s;
  t_udp_init(&s);
  udp_bind(t.h1, 5000, &t_udp_handler, &s);
  t_run(&t, SIMTIME_MS(1));
  udp_send(t.h1, 5000, H2, 9999, packet_new_from(t.net->ctx.pool, "x", 1), NULL);
  t_run(&t, SIMTIME_S(1));
  ck_assert_uint_eq(t_drops(t.h2, DROP_PORT_UNREACHABLE), 1);
  ck_assert_int_eq(s.errors, 1);
  ck_assert_uint_eq(s.err_type, ICMP_UNREACH);
  ck_assert_uint_eq(s.err_code, ICMP_UNREACH_PORT);
  ck_assert_uint_eq(s.err_from, H2);
  ck_assert_uint_eq(s.err_dport, 9999);
  g_byte_array_free(s.data, TRUE);
  t3_free(&t);
}
END_TEST

START_TEST(test_udp_checksum_verified)
{
  T3 t = t3_new(1500);
  TUdp u;
  t_udp_init(&u);
  udp_bind(t.h2, 7, &t_udp_handler, &u);
  Packet *p = t_udp(t.net, H1, H2, 1000, 7, "checksummed", 11);
  packet_data(p)[IPV4_HEADER_LEN + UDP_HEADER_LEN + 3] ^= 0x40; /* one payload byte */
  t_expect_drop(&t, p, DROP_BAD_UDP);
  p = t_udp(t.net, H1, H2, 1000, 7, "checksummed", 11);
  ((UdpHeader *)(packet_data(p) + IPV4_HEADER_LEN))->len = g_htons(40); /* longer than the datagram */
  t_expect_drop(&t, p, DROP_BAD_UDP);
  ck_assert_int_eq(u.count, 0);
  /* Checksum 0: none was computed, the datagram is accepted. */
  p = t_udp(t.net, H1, H2, 1000, 7, "checksummed", 11);
  ((UdpHeader *)(packet_data(p) + IPV4_HEADER_LEN))->checksum = 0;
  packet_data(p)[IPV4_HEADER_LEN + UDP_HEADER_LEN + 3] ^= 0x40;
  ipv4_input(node_iface(t.h2, 0), p);
  ck_assert_int_eq(u.count, 1);
  g_byte_array_free(u.data, TRUE);
  t3_free(&t);
}
END_TEST

/* More flows than the flow table's cache has slots, sent on and delivered
 * in turn, and keys that differ in one field only: each packet counts on
 * its own flow, each flow created once, in order. */
START_TEST(test_flow_many_keys_in_turn)
{
  enum { N = 3000 };
  FlowTable *ft = flow_table_new();
  FlowKey *keys = g_new0(FlowKey, N);
  GRand *rand = g_rand_new_with_seed(5);
  for (int i = 0; i < N; i++) {
    FlowKey k = {.src = g_rand_int(rand), .dst = g_rand_int(rand), .sport = 5, .dport = 6, .proto = 17};
    if (i < 6) /* the same key but for one field (the proto twice) */
      k = (FlowKey){.src = 1 + (i == 1),
                    .dst = 2 + (i == 2),
                    .sport = (uint16_t)(3 + (i == 3)),
                    .dport = (uint16_t)(4 + (i == 4)),
                    .proto = i == 5 ? 6 : 17};
    keys[i] = k;
  }
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < N; i++) {
      ck_assert_uint_eq(flow_sent(ft, &keys[i], NULL, (size_t)i, round)->id, i + 1);
      ck_assert_uint_eq(flow_delivered(ft, &keys[i], NULL, 1, round)->id, i + 1);
    }
  for (int i = 0; i < N; i++) {
    const Flow *f = flow_find(ft, &keys[i]);
    ck_assert_uint_eq(f->id, i + 1);
    ck_assert_uint_eq(f->tx_packets, 3);
    ck_assert_uint_eq(f->tx_bytes, 3 * (uint64_t)i);
    ck_assert_uint_eq(f->rx_packets, 3);
  }
  GPtrArray *all = flow_table_sorted(ft);
  ck_assert_uint_eq(all->len, N);
  g_ptr_array_unref(all);
  g_rand_free(rand);
  g_free(keys);
  flow_table_free(ft);
}
END_TEST

/* Deliveries and goodput add to the bin of FLOW_BIN (10 ms) they fall in,
 * the bins' edges included; bins without bytes are not kept. */
START_TEST(test_flow_bins_edges)
{
  FlowTable *ft = flow_table_new();
  FlowKey k = {.src = 1, .dst = 2, .sport = 3, .dport = 4, .proto = 17};
  const SimTime at[] = {
      0, SIMTIME_MS(5), SIMTIME_MS(10) - 1, SIMTIME_MS(10), SIMTIME_MS(35), SIMTIME_MS(40) - 1, SIMTIME_MS(40)};
  for (size_t i = 0; i < G_N_ELEMENTS(at); i++)
    flow_goodput(flow_delivered(ft, &k, NULL, 100 + i, at[i]), 10 + i, at[i]);
  const Flow *f = flow_find(ft, &k);
  const uint32_t bin[] = {0, 1, 3, 4};
  const uint64_t rx[] = {100 + 101 + 102, 103, 104 + 105, 106}, goodput[] = {10 + 11 + 12, 13, 14 + 15, 16};
  ck_assert_uint_eq(f->bins->len, 4);
  for (guint i = 0; i < 4; i++) {
    const FlowBin *b = &g_array_index(f->bins, FlowBin, i);
    ck_assert_uint_eq(b->bin, bin[i]);
    ck_assert_uint_eq(b->rx_bytes, rx[i]);
    ck_assert_uint_eq(b->goodput_bytes, goodput[i]);
  }
  flow_table_free(ft);
}
END_TEST

START_TEST(test_flow_table_sorted)
{
  FlowTable *ft = flow_table_new();
  FlowKey a = {.src = 2, .dst = 1, .sport = 5, .dport = 6, .proto = 17};
  FlowKey b = {.src = 1, .dst = 9, .sport = 7, .dport = 8, .proto = 17};
  FlowKey c = {.src = 1, .dst = 9, .sport = 3, .dport = 8, .proto = 17};
  flow_sent(ft, &a, NULL, 10, 5);
  flow_sent(ft, &b, NULL, 20, 6);
  flow_sent(ft, &b, NULL, 20, 7);
  flow_delivered(ft, &c, NULL, 30, 8);
  GPtrArray *all = flow_table_sorted(ft);
  ck_assert_uint_eq(all->len, 3);
  ck_assert_uint_eq(((const Flow *)g_ptr_array_index(all, 0))->key.sport, 3);
  ck_assert_uint_eq(((const Flow *)g_ptr_array_index(all, 1))->key.sport, 7);
  ck_assert_uint_eq(((const Flow *)g_ptr_array_index(all, 2))->key.src, 2);
  const Flow *fb = flow_find(ft, &b);
  ck_assert_uint_eq(fb->tx_packets, 2);
  ck_assert_uint_eq(fb->tx_bytes, 40);
  ck_assert_int_eq(fb->first_tx, 6);
  ck_assert_uint_eq(flow_find(ft, &c)->rx_bytes, 30);
  g_ptr_array_unref(all);
  flow_table_free(ft);
}
END_TEST

static TCase *checksum_tcase(void)
{
  TCase *tc = tcase_create("checksum");
  tcase_add_test(tc, test_checksum_rfc1071_example);
  tcase_add_test(tc, test_checksum_odd_lengths_unaligned);
  tcase_add_test(tc, test_checksum_long_and_all_ones);
  tcase_add_test(tc, test_checksum_pseudo_header);
  tcase_add_test(tc, test_checksum_every_length_and_offset);
  tcase_add_test(tc, test_checksum_pseudo_every_length);
  return tc;
}

static TCase *udp_tcase(void)
{
  TCase *tc = tcase_create("udp");
  tcase_add_test(tc, test_udp_delivered_and_counted);
  tcase_add_test(tc, test_udp_closed_port_unreachable);
  tcase_add_test(tc, test_udp_checksum_verified);
  tcase_add_test(tc, test_flow_table_sorted);
  tcase_add_test(tc, test_flow_many_keys_in_turn);
  tcase_add_test(tc, test_flow_bins_edges);
  return tc;
}

static Suite *internet_suite(void)
{
  Suite *s = suite_create("internet");
  suite_add_tcase(s, checksum_tcase());

  TCase *tc = tcase_create("route");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_lpm_overlapping);
  tcase_add_test(tc, test_lpm_metric_ties);
  tcase_add_test(tc, test_lpm_protocol_paths);
  tcase_add_test(tc, test_lpm_down_interfaces_skipped);
  tcase_add_test(tc, test_lpm_random_cross_check);
  suite_add_tcase(s, tc);

  tc = tcase_create("ipv4");
  tcase_add_test(tc, test_ipv4_header_checks);
  tcase_add_test(tc, test_ipv4_padding_trimmed);
  tcase_add_test(tc, test_ipv4_routes_from_scenario);
  tcase_add_test(tc, test_icmp_echo_through_router);
  tcase_add_test(tc, test_icmp_echo_loopback);
  tcase_add_test(tc, test_ttl_expiry_time_exceeded);
  tcase_add_test(tc, test_no_route_net_unreachable);
  tcase_add_test(tc, test_df_fragmentation_needed);
  tcase_add_test(tc, test_fragmented_echo_end_to_end);
  suite_add_tcase(s, tc);

  tc = tcase_create("frag");
  tcase_add_test(tc, test_frag_rfc791_sizes);
  tcase_add_test(tc, test_reasm_in_order);
  tcase_add_test(tc, test_reasm_out_of_order);
  tcase_add_test(tc, test_reasm_duplicate_dropped_alone);
  tcase_add_test(tc, test_reasm_lost_fragment_times_out);
  tcase_add_test(tc, test_reasm_no_icmp_without_first_fragment);
  tcase_add_test(tc, test_reasm_overlap_discards_datagram);
  tcase_add_test(tc, test_reasm_invalid_fragments);
  tcase_add_test(tc, test_reasm_bounded);
  suite_add_tcase(s, tc);

  suite_add_tcase(s, udp_tcase());
  return s;
}

int main(void)
{
  return testlib_run_suite(internet_suite());
}
