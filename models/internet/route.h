/*
 * A node's IPv4 routing table: connected routes from its interface
 * addresses, static routes with metrics, a default gateway, and routes
 * computed by `routing: auto` (route_auto.h). Lookup is longest-prefix
 * match; among routes to the same prefix the lowest metric wins (then the
 * earliest added). Routes through an interface that is down are skipped.
 *
 * Lookups go through a compiled multibit trie (stride 8: at most four
 * memory steps), rebuilt lazily after the table or an interface changes,
 * so a lookup stays fast with 100 000 routes.
 *
 * Entry points: route_table_new(); route_table_add(),
 * route_table_remove_origin(), route_table_invalidate();
 * route_lookup(); route_lookup_prefix(); route_table_routes();
 * route_table_memory_bytes(); route_table_free().
 *
 * A Route pointer returned by a lookup stays valid until the table changes.
 */
#ifndef IPSIM_ROUTE_H
#define IPSIM_ROUTE_H

#include <glib.h>
#include <stdint.h>

#include "models/link/iface.h"

typedef enum { ROUTE_CONNECTED, ROUTE_STATIC, ROUTE_AUTO } RouteOrigin;

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
void route_table_invalidate(RouteTable *rt);
const Route *route_lookup(RouteTable *rt, uint32_t dst);
const Route *route_lookup_prefix(RouteTable *rt, uint32_t prefix, uint8_t len);
const GArray *route_table_routes(const RouteTable *rt);
const char *route_origin_name(RouteOrigin origin);
size_t route_table_memory_bytes(const RouteTable *rt);

#endif
