/*
 * RIP version 2 (RFC 2453) on a router: requests and responses on UDP
 * port 520, multicast to 224.0.0.9 out of each RIP interface, up to 25
 * entries per message with next hop and route tag, infinity 16.
 *
 * Timers (RipConfig, RFC 2453 3.8): periodic updates every `update` with
 * a random offset uniform in [-update/6, +update/6] (+-5 s at 30 s; stream
 * "rip/<node>"), a route timed out after
 * `timeout` without refresh (metric 16, withdrawn from the table, kept in
 * updates as unreachable), deleted after `garbage`; triggered updates
 * (the changed routes only) damped by a random 1-5 s, none when the
 * periodic update comes first. Split horizon none, simple or with poisoned
 * reverse (the default). Per interface: on or off, passive (listens,
 * never sends), a metric offset added to what is learned there.
 * Redistribution of connected routes of non-RIP interfaces and of static
 * routes, and origination of a default route.
 *
 * Entry points: rip_config_defaults(), rip_iface_config_defaults(); rip_new() (from the
 * builder, once the node's layers exist), rip_free() (through
 * node_add_cleanup); rip_set_iface_enabled() (an event); rip_show() (the
 * `show: rip` snapshot, as FRR's `show ip rip`).
 */
#ifndef IPSIM_RIP_H
#define IPSIM_RIP_H

#include <glib.h>

#include "sim/kernel/simtime.h"

typedef struct Node Node;
typedef struct Rip Rip;

#define RIP_PORT 520
#define RIP_GROUP 0xe0000009u /* 224.0.0.9 */
#define RIP_INFINITY 16
#define RIP_MAX_ENTRIES 25

typedef enum { RIP_SPLIT_NONE, RIP_SPLIT_SIMPLE, RIP_SPLIT_POISON_REVERSE, RIP_SPLIT_COUNT } RipSplitHorizon;
extern const char *const rip_split_names[RIP_SPLIT_COUNT]; /* "none", "simple", "poison-reverse" */

/* One interface's RIP settings. */
typedef struct {
  gboolean enabled;       /* RIP runs here (default TRUE on every interface with an address) */
  gboolean passive;       /* receives, never sends (FRR's passive-interface) */
  uint32_t metric_offset; /* added to every metric learned here, beyond the hop (FRR's offset-list in); default 0 */
} RipIfaceConfig;

typedef struct {
  SimTime update;             /* 30 s */
  SimTime timeout;            /* 180 s */
  SimTime garbage;            /* 120 s */
  SimTime trigger_min;        /* 1 s: triggered updates wait a random time in [min, max] */
  SimTime trigger_max;        /* 5 s */
  RipSplitHorizon split;      /* RIP_SPLIT_POISON_REVERSE */
  gboolean redist_connected;  /* advertise the subnets of interfaces where RIP is off (default FALSE) */
  gboolean redist_static;     /* advertise static routes (default FALSE) */
  gboolean default_originate; /* advertise 0.0.0.0/0 metric 1 (default FALSE) */
  GArray *ifaces;             /* of RipIfaceConfig, by interface index; NULL: the defaults on every interface */
} RipConfig;

void rip_config_defaults(RipConfig *conf);
void rip_iface_config_defaults(RipIfaceConfig *conf);
Rip *rip_new(Node *node, const RipConfig *conf);
void rip_free(Rip *rip);
void rip_set_iface_enabled(Rip *rip, guint iface, gboolean on);
void rip_show(const Rip *rip, GString *out);
uint64_t rip_packets_sent(const Rip *rip);

#endif
