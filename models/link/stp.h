/*
 * The spanning tree of a switch: STP (IEEE 802.1D-1998 clause 8, as Linux's
 * br_stp*.c runs it; stp.c) or RSTP (IEEE 802.1w, 802.1D-2004 clause 17;
 * rstp.c): root election, port roles and states, timers and topology
 * change. See stp.c and rstp.c for what they model and leave out.
 *
 * Entry points: stp_config_defaults() and stp_port_config_defaults() (the
 * loader fills a StpConfig from them), stp_new() (from
 * switch_enable_stp()), stp_input() (a BPDU from the switch),
 * stp_port_forwarding() and stp_port_learning() (the switch's questions
 * on the packet path), stp_aging() (the MAC table's aging time now),
 * stp_bridge_view() and stp_port_view() (show, expect, tests), stp_free().
 */
#ifndef IPSIM_STP_H
#define IPSIM_STP_H

#include <glib.h>
#include <stdint.h>

#include "models/link/iface.h"

typedef struct Stp Stp;

typedef enum { STP_MODE_OFF, STP_MODE_STP, STP_MODE_RSTP, STP_MODE_COUNT } StpMode;
extern const char *const stp_mode_names[STP_MODE_COUNT];

#define STP_DEFAULT_BRIDGE_PRIORITY 32768
#define STP_DEFAULT_PORT_PRIORITY 128
#define STP_DEFAULT_HELLO SIMTIME_S(2)
#define STP_DEFAULT_MAX_AGE SIMTIME_S(20)
#define STP_DEFAULT_FORWARD_DELAY SIMTIME_S(15)
#define STP_HOLD_TIME SIMTIME_S(1)             /* at most one configuration BPDU a second per port */
#define STP_MESSAGE_AGE_INCREMENT SIMTIME_S(1) /* added by each bridge a BPDU passes */
#define STP_MAX_PATH_COST 200000000u

/* One port's settings (by interface index). */
typedef struct {
  uint32_t cost;    /* 0: from the link's rate (802.1D-2004 table 17-3) */
  uint8_t priority; /* 0 to 240 in steps of 16; default 128 */
  gboolean edge;    /* an edge port (RSTP): forwards at once, sends no TC; unused by STP */
} StpPortConfig;

/* A switch's spanning-tree settings, owned by the model; the loader fills it. */
typedef struct StpConfig {
  StpMode mode;      /* default off: a plain learning bridge */
  uint32_t priority; /* bridge priority, 0 to 61440 in steps of 4096; default 32768 */
  SimTime hello, max_age, forward_delay;
  GArray *ports; /* of StpPortConfig, by interface index; NULL: all defaults */
} StpConfig;

void stp_config_defaults(StpConfig *c);
void stp_port_config_defaults(StpPortConfig *c);
uint32_t stp_cost_from_rate(uint64_t rate_bps);

typedef enum {
  STP_ROLE_DISABLED,
  STP_ROLE_ROOT,
  STP_ROLE_DESIGNATED,
  STP_ROLE_ALTERNATE,
  STP_ROLE_BACKUP,
  STP_ROLE_COUNT
} StpRole;
typedef enum {
  STP_STATE_DISABLED,
  STP_STATE_DISCARDING, /* RSTP's one state for blocking and listening */
  STP_STATE_BLOCKING,
  STP_STATE_LISTENING,
  STP_STATE_LEARNING,
  STP_STATE_FORWARDING,
  STP_STATE_COUNT
} StpState;
extern const char *const stp_role_names[STP_ROLE_COUNT];
extern const char *const stp_state_names[STP_STATE_COUNT];

/* A bridge identifier: priority in the top 16 bits, then the MAC. */
typedef uint64_t StpBridgeId;

Stp *stp_new(Node *node, const StpConfig *conf);
void stp_free(Stp *stp);
void stp_input(Stp *stp, Iface *in, Packet *frame);

/* TRUE when `port`, of a switch whose spanning tree is on, forwards. */
static inline gboolean stp_port_forwarding(const Iface *port)
{
  return port->stp_state == STP_STATE_FORWARDING;
}

/* TRUE when `port`, of a switch whose spanning tree is on, learns. */
static inline gboolean stp_port_learning(const Iface *port)
{
  return port->stp_state >= STP_STATE_LEARNING;
}
SimTime stp_aging(const Stp *stp, SimTime normal);

/* What `show spanning-tree` prints of the bridge. */
typedef struct {
  gboolean rapid; /* RSTP */
  StpBridgeId bridge, root;
  uint32_t root_cost;
  const Iface *root_port;                /* NULL: this bridge is the root */
  SimTime hello, max_age, forward_delay; /* in use (the root's) */
  gboolean topology_change;
} StpBridgeView;

/* And of each port. */
typedef struct {
  const Iface *iface;
  StpRole role;
  StpState state;
  uint32_t cost;
  uint16_t port_id;
  StpBridgeId designated_bridge;
  uint16_t designated_port;
  gboolean edge;     /* RSTP: an edge port now */
  gboolean stp_peer; /* RSTP: an STP bridge heard, 802.1D BPDUs sent */
} StpPortView;

void stp_bridge_view(const Stp *stp, StpBridgeView *out);
void stp_port_view(const Stp *stp, guint index, StpPortView *out);
void stp_format_bridge_id(char out[24], StpBridgeId id);

#endif
