/*
 * Inside the RIP model (rip.c, rip_input.c, rip_output.c): the instance,
 * its interfaces and its RIB. Not for use outside models/routing/rip*.c.
 *
 * The RIB is one array of RipRoute by value: the routes in prefix order,
 * then the ones added since the last rip_sort() (merged in before an
 * update or `show`). An open-addressing index (Fibonacci hashing, linear
 * probing, the key beside the position) finds a prefix without a scan;
 * the entries of a message, which come in prefix order too, are first
 * looked for just after the last one found (rip_find_near()), so that a
 * message walks the array forward (87% of the lookups in a 20x20 grid).
 * A RipRoute pointer is valid until the next rip_add(), rip_sort() or
 * route timer.
 *
 * Every route with a running timer (timeout, or garbage collection once
 * at metric 16) has its deadline in the route; one event per instance
 * (timer_ev) wakes at the earliest of them, so a refresh costs no event.
 */
#ifndef IPSIM_RIP_INTERNAL_H
#define IPSIM_RIP_INTERNAL_H

#include "models/core/node.h"
#include "models/routing/rip.h"
#include "models/transport/udp.h"
#include "sim/kernel/rng.h"

/* Where a route comes from: learned from a neighbour, or one of ours. */
typedef enum { RIP_LEARNED, RIP_CONNECTED, RIP_REDIST_CONNECTED, RIP_REDIST_STATIC, RIP_DEFAULT } RipKind;

typedef struct {
  uint64_t key;     /* addr << 8 | len: the hash key, and the sort order */
  Ipv4Prefix to;    /* masked */
  uint32_t metric;  /* 1..16 */
  uint32_t gateway; /* next hop (host byte order); 0 for our own routes */
  uint32_t from;    /* the neighbour that advertised it; 0 for our own */
  Iface *iface;     /* where it was learned (or the connected interface); NULL for static and default */
  uint16_t tag;
  uint8_t kind;     /* RipKind */
  gboolean changed; /* since the last update: goes out in the next triggered update */
  SimTime deadline; /* timeout (metric < 16) or deletion (metric 16); G_MAXINT64: none (our own routes) */
  uint32_t mark;    /* rip_sync_local()'s generation when it last wanted this route as one of ours */
} RipRoute;

/* A slot of the RIB's index: the key beside the route, so that a probe
 * reads no route but the one it finds. */
typedef struct {
  uint64_t key;
  guint pos; /* the route's position in `routes` + 1; 0: empty */
} RipSlot;

typedef struct {
  Iface *iface;
  RipIfaceConfig conf;
  gboolean active; /* enabled, has an address, up and the node up: joined to 224.0.0.9 */
} RipIface;

struct Rip {
  Node *node;
  RipConfig conf;   /* conf.ifaces is NULL: see ifaces */
  RipIface *ifaces; /* one per node interface, by index */
  guint n_ifaces;
  RipSlot *index;   /* open addressing (linear probing) by key, a power of two of slots, at most half full */
  guint index_bits; /* log2 of its slots */
  GArray *routes;   /* of RipRoute, by value: sorted, then the ones added since */
  guint sorted_len; /* routes[0..sorted_len) are in prefix order; the rest were appended since */
  Rng rng;          /* "rip/<node>" */
  gboolean halted;  /* the node is down: no timers, an empty RIB */
  EventId update_ev, trigger_ev, timer_ev;
  SimTime update_at, timer_at; /* when update_ev and timer_ev fire */
  uint32_t generation;         /* of rip_sync_local() */
  uint64_t packets_sent, packets_received, bad_entries, triggered_updates;
};

static inline RipRoute *rip_route_at(const Rip *rip, guint i)
{
  return &g_array_index(rip->routes, RipRoute, i);
}

/* rip.c: the RIB */
RipRoute *rip_find(Rip *rip, Ipv4Prefix to);
RipRoute *rip_find_near(Rip *rip, Ipv4Prefix to, guint *hint);
RipRoute *rip_add(Rip *rip, Ipv4Prefix to);
void rip_install(Rip *rip, RipRoute *r, const char *reason);
void rip_set_deadline(Rip *rip, RipRoute *r, SimTime deadline);
void rip_poison(Rip *rip, RipRoute *r, const char *reason);
void rip_trigger(Rip *rip);
void rip_sort(Rip *rip);
void rip_note(Rip *rip, const Iface *iface, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* rip_input.c */
void rip_recv(void *owner, Packet *p, const UdpMeta *meta);

/* rip_output.c */
void rip_send_request(Rip *rip, RipIface *ri);
void rip_send_update(Rip *rip, RipIface *ri, gboolean changed_only);
void rip_send_table(Rip *rip, RipIface *ri, uint32_t dst, uint16_t dport, gboolean split);
void rip_send_packet(Rip *rip, RipIface *ri, Packet *p, uint32_t dst, uint16_t dport);

#endif
