/*
 * A node's IPv4 routing table: connected routes from its interface
 * addresses, static routes with metrics, a default gateway, and routes
 * computed by `routing: auto` (route_auto.h), and routes learned by the
 * routing protocols (models/routing: RIP, OSPF). Lookup is longest-prefix
 * match; among routes to the same prefix the lowest administrative
 * distance wins (connected 0, static and auto 1, OSPF 110, RIP 120), then
 * the lowest metric, then the earliest added. Routes through an interface
 * that is down are skipped. Equal-cost OSPF routes to one prefix form a
 * multipath group: route_lookup_hash() picks one by a flow hash.
 *
 * Lookups go through a compiled multibit trie (stride 8: at most four
 * memory steps), rebuilt lazily after the table or an interface changes,
 * so a lookup stays fast with 100 000 routes.
 *
 * Entry points: route_table_new(); route_table_add(),
 * route_table_remove_origin(), route_table_set_paths() (a protocol's
 * routes to one prefix, replaced or withdrawn, in constant time),
 * route_table_paths_of(), route_table_invalidate(), route_table_version();
 * route_lookup(), route_lookup_hash(); route_lookup_prefix(),
 * route_paths_prefix(); route_table_routes(); route_distance();
 * route_table_memory_bytes(); route_table_free().
 *
 * A Route pointer returned by a lookup stays valid until the table changes.
 */
#ifndef IPSIM_ROUTE_H
#define IPSIM_ROUTE_H

#include <glib.h>
#include <stdint.h>

#include "models/link/iface.h"

typedef enum { ROUTE_CONNECTED, ROUTE_STATIC, ROUTE_AUTO, ROUTE_RIP, ROUTE_OSPF, ROUTE_ORIGIN_COUNT } RouteOrigin;

/* The most next hops of one multipath group (FRR's default MULTIPATH_NUM is 16). */
#define ROUTE_MAX_PATHS 16

/* 24 bytes: a node with `routing: auto` in a large network holds one per
 * prefix of the network. */
typedef struct {
  Iface *iface;     /* egress interface */
  uint32_t prefix;  /* host byte order, masked */
  uint32_t gateway; /* next hop, host byte order; 0 = on-link (deliver to the destination) */
  uint32_t metric;
  uint8_t len;
  uint8_t origin; /* a RouteOrigin */
} Route;

typedef struct RouteTable RouteTable;

RouteTable *route_table_new(void);
void route_table_free(RouteTable *rt);
void route_table_add(RouteTable *rt, const Route *route);
void route_table_reserve(RouteTable *rt, guint more);
void route_table_remove_origin(RouteTable *rt, RouteOrigin origin);
gboolean route_table_set_paths(RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, const Route *paths, guint n);
guint route_table_paths_of(const RouteTable *rt, RouteOrigin origin, Ipv4Prefix to, const Route **held);
void route_table_invalidate(RouteTable *rt);
uint64_t route_table_version(const RouteTable *rt);
const Route *route_lookup(RouteTable *rt, uint32_t dst);
const Route *route_lookup_hash(RouteTable *rt, uint32_t dst, uint32_t hash);
const Route *route_lookup_prefix(RouteTable *rt, uint32_t prefix, uint8_t len);
guint route_paths_prefix(RouteTable *rt, uint32_t prefix, uint8_t len, const Route **paths, guint max);
guint route_distance(RouteOrigin origin);
const GArray *route_table_routes(const RouteTable *rt);
const char *route_origin_name(RouteOrigin origin);
size_t route_table_memory_bytes(const RouteTable *rt);

#endif
