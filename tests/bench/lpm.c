/*
 * Benchmark of the routing table's longest-prefix match (run by hand):
 * 100 000 random routes, the time to compile the trie, then 10 million
 * lookups of random destinations (half of them inside a random route, so
 * long prefixes are reached). Prints one line:
 *
 *   routes=100000 lookups=10000000 ns_per_lookup=... build_ms=... table_mib=...
 *
 * Times are CPU time of the process. Prefix lengths follow a mix like an Internet table's (55% /24, 15%
 * /22-/23, 20% /16-/21, 5% /8-/15, 5% /25-/32); `--uniform` draws them
 * uniformly from 0 to 32 instead. Random routes share little, so the trie
 * is larger than for a real table of the same size.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "models/internet/route.h"
#include "sim/text/addr.h"

#define N_ROUTES 100000
#define N_LOOKUPS 10000000

/* Returns the CPU time the process used, in ns: steadier than the wall
 * clock on a busy machine. */
static int64_t lpm_cpu_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Draws a prefix length from the Internet-like mix. */
static uint8_t lpm_length(GRand *rand)
{
  int x = g_rand_int_range(rand, 0, 100);

  if (x < 55)
    return 24;
  if (x < 70)
    return (uint8_t)g_rand_int_range(rand, 22, 24);
  if (x < 90)
    return (uint8_t)g_rand_int_range(rand, 16, 22);
  if (x < 95)
    return (uint8_t)g_rand_int_range(rand, 8, 16);
  return (uint8_t)g_rand_int_range(rand, 25, 33);
}

/* Fills the table with N_ROUTES random routes through one interface. */
static void lpm_fill(RouteTable *rt, GRand *rand, gboolean uniform, Iface *iface)
{
  for (int i = 0; i < N_ROUTES; i++) {
    uint8_t len = uniform ? (uint8_t)g_rand_int_range(rand, 0, 33) : lpm_length(rand);
    Route r = {.prefix = g_rand_int(rand) & addr_mask(len),
               .len = len,
               .gateway = (uint32_t)i,
               .iface = iface,
               .metric = 1,
               .origin = ROUTE_STATIC};
    route_table_add(rt, &r);
  }
}

/* Returns destinations to look up: odd ones inside a random route. */
static uint32_t *lpm_destinations(const RouteTable *rt, GRand *rand)
{
  const GArray *routes = route_table_routes(rt);
  uint32_t *dst = g_new(uint32_t, N_LOOKUPS);

  for (int i = 0; i < N_LOOKUPS; i++) {
    dst[i] = g_rand_int(rand);
    if (i & 1) {
      const Route *r = &g_array_index(routes, Route, g_rand_int_range(rand, 0, (gint32)routes->len));
      dst[i] = r->prefix | (dst[i] & ~addr_mask(r->len));
    }
  }
  return dst;
}

int main(int argc, char **argv)
{
  gboolean uniform = argc > 1 && strcmp(argv[1], "--uniform") == 0;
  GRand *rand = g_rand_new_with_seed(1);
  RouteTable *rt = route_table_new();
  Iface iface;
  uint64_t found = 0;

  memset(&iface, 0, sizeof iface);
  iface.up = TRUE;
  lpm_fill(rt, rand, uniform, &iface);
  uint32_t *dst = lpm_destinations(rt, rand);
  int64_t t0 = lpm_cpu_ns();
  route_lookup(rt, 0); /* compiles the trie */
  int64_t t1 = lpm_cpu_ns();
  for (int i = 0; i < N_LOOKUPS; i++) {
    const Route *r = route_lookup(rt, dst[i]);
    found += r ? r->gateway : 0;
  }
  int64_t t2 = lpm_cpu_ns();
  printf("routes=%d lookups=%d ns_per_lookup=%.1f build_ms=%.1f table_mib=%.1f\n", N_ROUTES, N_LOOKUPS,
         (double)(t2 - t1) / N_LOOKUPS, (double)(t1 - t0) / 1e6,
         (double)route_table_memory_bytes(rt) / (1024.0 * 1024.0));
  if (found == 42)
    fprintf(stderr, "(unlikely)\n"); /* keeps the lookups from being optimized away */
  g_free(dst);
  route_table_free(rt);
  g_rand_free(rand);
  return 0;
}
