/*
 * OSPF version 2 (RFC 2328) on a router: IP protocol 89, AllSPFRouters
 * (224.0.0.5) and AllDRouters (224.0.0.6), Hello, Database Description,
 * LS Request, LS Update and LS Ack with real checksums; the neighbour
 * state machine; point-to-point and broadcast interfaces with DR/BDR
 * election; router, network, summary and AS-external LSAs flooded with
 * acknowledgement and retransmission, aged and refreshed; Dijkstra SPF,
 * throttled; equal-cost multipath; a backbone and normal areas with area
 * border routers; redistribution of connected and static routes.
 *
 * Routers of one network share identical LSA contents (OspfShared,
 * reference counted) instead of copying them into every database.
 *
 * Entry points: ospf_config_defaults(), ospf_iface_config_defaults(),
 * ospf_cost_for() (an interface's cost: the model's and the checker's one rule);
 * ospf_shared_new() / ospf_shared_free() (one per network, from the
 * builder); ospf_new() (once the node's layers exist), ospf_free()
 * (through node_add_cleanup); ospf_set_iface_enabled(),
 * ospf_set_iface_cost() (events); ospf_neighbor_state() (the adjacency
 * check); ospf_iface_summary() (drawings); ospf_show_neighbors(),
 * ospf_show_database(), ospf_show_interfaces() (snapshots, as FRR's
 * `show ip ospf neighbor`, `show ip ospf database`, `show ip ospf interface`).
 */
#ifndef IPSIM_OSPF_H
#define IPSIM_OSPF_H

#include <glib.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

typedef struct Node Node;
typedef struct Ospf Ospf;
typedef struct OspfShared OspfShared;

#define OSPF_PROTO 89
#define OSPF_ALL_SPF_ROUTERS 0xe0000005u /* 224.0.0.5 */
#define OSPF_ALL_DROUTERS 0xe0000006u    /* 224.0.0.6 */

typedef enum { OSPF_IF_AUTO, OSPF_IF_P2P, OSPF_IF_BROADCAST, OSPF_IF_TYPE_COUNT } OspfIfType;
extern const char *const ospf_if_type_names[OSPF_IF_TYPE_COUNT]; /* "auto", "point-to-point", "broadcast" */

/* The neighbour states of RFC 2328 10.1, in order. */
typedef enum {
  OSPF_NBR_DOWN,
  OSPF_NBR_ATTEMPT,
  OSPF_NBR_INIT,
  OSPF_NBR_2WAY,
  OSPF_NBR_EXSTART,
  OSPF_NBR_EXCHANGE,
  OSPF_NBR_LOADING,
  OSPF_NBR_FULL,
  OSPF_NBR_STATE_COUNT
} OspfNbrState;
extern const char
    *const ospf_nbr_state_names[OSPF_NBR_STATE_COUNT]; /* "down", "attempt", "init", "2-way", ... "full" */

/* One interface's OSPF settings. */
typedef struct {
  gboolean enabled;       /* OSPF runs here (default TRUE on every interface with an address) */
  uint32_t area;          /* area ID, host byte order (default 0, the backbone) */
  uint32_t cost;          /* 0: reference bandwidth / link rate, at least 1 (RFC 2328 appendix C.3) */
  uint8_t priority;       /* DR election priority, 0 never DR (default 1) */
  gboolean passive;       /* advertised as a stub, no Hellos sent or accepted */
  SimTime hello;          /* HelloInterval, 10 s */
  SimTime dead;           /* RouterDeadInterval, 40 s */
  SimTime retransmit;     /* RxmtInterval, 5 s */
  SimTime transmit_delay; /* InfTransDelay, 1 s */
  OspfIfType type;        /* AUTO: point-to-point on PPP and on an Ethernet link between two routers, else broadcast */
} OspfIfaceConfig;

typedef struct {
  uint32_t router_id;         /* 0: the highest interface address */
  uint64_t reference_bps;     /* 100 Mbps */
  SimTime spf_delay;          /* SPF throttling (FRR's timers throttle spf): 0 s initial delay */
  SimTime spf_hold;           /* 50 ms, doubled while changes keep coming */
  SimTime spf_max_hold;       /* 5 s */
  gboolean redist_connected;  /* AS-external LSAs for the subnets of interfaces where OSPF is off */
  gboolean redist_static;     /* AS-external LSAs for static routes */
  gboolean default_originate; /* an AS-external LSA for 0.0.0.0/0 */
  GArray *ifaces;             /* of OspfIfaceConfig, by interface index; NULL: the defaults everywhere */
} OspfConfig;

void ospf_config_defaults(OspfConfig *conf);
void ospf_iface_config_defaults(OspfIfaceConfig *conf);
uint32_t ospf_cost_for(const OspfIfaceConfig *c, uint64_t reference_bps, uint64_t rate_bps);
OspfShared *ospf_shared_new(void);
void ospf_shared_free(OspfShared *shared);
Ospf *ospf_new(Node *node, const OspfConfig *conf, OspfShared *shared);
void ospf_free(Ospf *ospf);
void ospf_set_iface_enabled(Ospf *ospf, guint iface, gboolean on);
void ospf_set_iface_cost(Ospf *ospf, guint iface, uint32_t cost);
OspfNbrState ospf_neighbor_state(const Ospf *ospf, uint32_t router_id);
uint32_t ospf_router_id(const Ospf *ospf);
void ospf_show_neighbors(const Ospf *ospf, GString *out);
void ospf_show_database(const Ospf *ospf, GString *out);
void ospf_show_interfaces(const Ospf *ospf, GString *out);
gboolean ospf_iface_summary(const Ospf *ospf, guint iface, uint32_t *area, uint32_t *cost);
uint64_t ospf_packets_sent(const Ospf *ospf);
uint64_t ospf_spf_runs(const Ospf *ospf);
guint ospf_shared_blobs(const OspfShared *shared);

#endif
