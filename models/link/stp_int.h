/*
 * The spanning tree's internals, shared by stp.c (IEEE 802.1D STP, the
 * BPDU codec, the switch's questions) and rstp.c (IEEE 802.1w RSTP):
 * the bridge, its ports, priority vectors and BPDUs as read. Private to
 * models/link/stp*.c and rstp.c.
 */
#ifndef IPSIM_STP_INT_H
#define IPSIM_STP_INT_H

#include "models/core/node.h"
#include "models/link/stp.h"

/* A priority vector: what a port holds of its LAN's designated bridge. */
typedef struct {
  StpBridgeId root;
  uint32_t cost;
  StpBridgeId bridge;
  uint16_t port;
} StpVector;

/* A configuration BPDU as read or about to be written. */
typedef struct {
  StpVector v;
  SimTime age, max_age, hello, forward_delay;
  gboolean tc, tc_ack;
  uint8_t flags; /* as on the wire (RST BPDUs: role, proposal, agreement, ...) */
  gboolean rst;  /* an RST BPDU (version 2 or more, type 2) */
} StpConfigBpdu;

typedef struct StpPort {
  Stp *stp;
  Iface *iface;
  uint16_t id;
  uint32_t cost;
  StpState state;
  StpRole role;         /* as last noted */
  StpVector designated; /* the LAN's designated bridge, as this port knows it */
  SimTime info_age;     /* message age of the recorded information */
  gboolean tc_ack, config_pending;
  EventId age_timer, forward_timer, hold_timer;
  /* RSTP (rstp.c) */
  StpRole rstp_role;   /* the role rstp_update_roles() gave */
  gboolean received;   /* `designated` came from a BPDU (infoIs Received), else it is this bridge's (Mine) */
  gboolean stp_peer;   /* an STP bridge was heard: 802.1D BPDUs are sent (17.24 migration) */
  SimTime stp_since;   /* when stp_peer was set */
  gboolean edge_admin; /* `edge: true` */
  gboolean edge, proposing, proposed, agreed;
  EventId tc_timer;        /* tcWhile: TC set in the port's BPDUs while pending */
  guint tx_count;          /* txCount: BPDUs sent less than a tick ago, at most RSTP_TX_HOLD_COUNT */
  gboolean tx_pending;     /* newInfo: a BPDU is to leave, at the end of the instant or at the next tick */
  gboolean agree_pending;  /* ... and it carries an agreement */
  gboolean tx_held;        /* ... and the hold count keeps it until the next tick (noted once) */
  StpConfigBpdu last_sent; /* the port's last BPDU, to send again only what changed */
} StpPort;

struct Stp {
  Node *node;
  StpConfig conf; /* ports: NULL (read in stp_new) */
  StpBridgeId id;
  StpBridgeId root;
  uint32_t root_cost;
  StpPort *root_port;
  SimTime max_age, hello, forward_delay; /* in use: the root's; own timers repeat at conf.hello */
  gboolean tc_detected, tc;
  EventId hello_timer, tcn_timer, tc_timer;
  EventId tick_timer; /* RSTP: the one-second tick that lowers txCount, while a port's is above 0 */
  EventId tx_event;   /* RSTP: sends the BPDUs of this instant (17.26 Port Transmit) */
  StpPort *ports;
  guint n;
};

/* stp.c, for rstp.c */
int stp_vector_cmp(const StpVector *a, const StpVector *b);
gboolean stp_tracing(const Stp *stp);
void stp_note(const Stp *stp, const StpPort *p, const char *fmt, const char *a, const char *b, const char *why);
gboolean stp_is_root(const Stp *stp);
void stp_note_roles(Stp *stp, const char *why);
void stp_set_state(StpPort *p, StpState state, const char *why);
void stp_stop(Stp *stp, EventId *timer);
void stp_start(Stp *stp, EventId *timer, SimTime after, EventFn fn, void *obj);
void stp_send(StpPort *p, const uint8_t *bpdu, size_t len);
void stp_send_config(StpPort *p, const StpConfigBpdu *c);
void stp_transmit_tcn(Stp *stp);
void stp_note_root(Stp *stp, StpBridgeId before);

/* rstp.c */
void rstp_initialize(Stp *stp);
void rstp_port_changed(StpPort *p, gboolean up);
void rstp_received(StpPort *p, const StpConfigBpdu *c);
void rstp_received_tcn(StpPort *p);

#endif
