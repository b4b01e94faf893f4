/*
 * A point-to-point, full-duplex link between two interfaces: rate,
 * propagation delay, seeded Bernoulli loss and reordering, up or down.
 *
 * Each direction keeps the frames in flight in a FIFO ring (in order of
 * arrival, since serialization and delay are the same for every frame of a
 * direction) with one pending event: the arrival of the head. Reordering
 * (netem's `reorder`): with probability `reorder`, a frame overtakes the
 * one ahead of it if that one is still in flight; the overtaken frame is
 * held and arrives right after it (both at the overtaking frame's time). A frame's
 * serialization time is its length in bits over the rate (rounded up to
 * the nanosecond): the Ethernet header, payload and padding, without
 * preamble, FCS or inter-frame gap (as ns-3's point-to-point model).
 *
 * Entry points: link_new(); link_tx_time(); link->ops->start() (from the
 * transmitting interface: link_p2p_ops); link_carry() (a frame whose
 * timing a shared medium computed: a hub repeating); link_set_up(),
 * link_set_params() (events);
 * link_describe(); link_free().
 */
#ifndef IPSIM_LINK_H
#define IPSIM_LINK_H

#include <glib.h>

#include "models/core/context.h"
#include "models/link/iface.h"
#include "sim/kernel/rng.h"

/* How frames are carried: Ethernet II (with ARP and MAC addresses), or
 * PPP in HDLC-like framing (RFC 1661/1662: no ARP, no MACs). */
typedef enum { LINK_ETHERNET, LINK_PPP, LINK_TYPE_COUNT } LinkType;
extern const char *const link_type_names[LINK_TYPE_COUNT];

/* A link's configuration, owned by the link model; the loader fills it.
 * `given` has a LINK_GIVEN_* bit for each value a file set (events
 * change only those). Queue and MTU are the interfaces' (IfaceConfig);
 * a link's are the default for its ends. */
typedef struct {
  uint64_t rate_bps; /* 100Mbps */
  SimTime delay;     /* 1ms */
  double loss;       /* probability, 0..1 (0) */
  double reorder;    /* probability that a frame overtakes the one ahead, 0..1 (0) */
  QueueLimit queue;  /* 100 packets */
  uint32_t mtu;      /* 1500 bytes: the largest IP packet a frame carries */
  LinkType type;     /* Ethernet */
  guint given;
} LinkConfig;

enum {
  LINK_GIVEN_RATE = 1u << 0,
  LINK_GIVEN_DELAY = 1u << 1,
  LINK_GIVEN_LOSS = 1u << 2,
  LINK_GIVEN_QUEUE = 1u << 3,
  LINK_GIVEN_MTU = 1u << 4,
  LINK_GIVEN_REORDER = 1u << 5,
  LINK_GIVEN_TYPE = 1u << 7,
};

#define LINK_MIN_MTU 68 /* RFC 791: every host takes 68-byte datagrams whole */
#define LINK_MAX_MTU 65535

/* What a kind of medium does when an interface starts a frame: the one
 * place where link behaviour varies (a full-duplex point-to-point wire,
 * link_p2p_ops; a segment of a hub's shared half-duplex medium,
 * hub_link_ops in hub.h). */
typedef struct {
  const char *name;
  /* Puts `frame` from `from` on the medium at `now`, `wire_len` bytes
   * serialized; takes the frame. Returns when its transmission ends: the
   * interface starts nothing before then. */
  SimTime (*start)(Link *link, Iface *from, Packet *frame, size_t wire_len, SimTime now);
  /* Carrier sense: the time from which `from` may start a frame (the
   * medium is busy until then; 0: idle). NULL on a full-duplex medium,
   * where only the interface's own frame matters. */
  SimTime (*free_at)(const Link *link, const Iface *from);
} LinkOps;

extern const LinkOps link_p2p_ops;

typedef struct Hub Hub;

typedef struct {
  Packet *frame;
  SimTime arrival;
  gboolean lost; /* drawn when the frame started: dropped on arrival */
} LinkFlight;

typedef struct {
  LinkFlight *ring;
  guint head, count, cap;
  EventId event; /* arrival of the head, or EVENT_ID_NONE */
} LinkDirection;

struct Link {
  char *name; /* NULL when the scenario gave none */
  const LinkOps *ops;
  Iface *ends[2];
  guint index;     /* position in the scenario's links */
  SimContext *ctx; /* the network's */
  uint64_t rate_bps;
  SimTime delay;
  double loss;
  double reorder;
  LinkType type;
  gboolean up;
  SimTime changed_at;   /* when `up` last changed (0: never) */
  Rng loss_rng;         /* stream "link/<index>/loss" */
  Rng reorder_rng;      /* stream "link/<index>/reorder" */
  LinkDirection dir[2]; /* dir[i]: frames sent by ends[i] */
  Hub *hub;             /* a hub's link: the shared medium it is part of (models/link/hub.h); else NULL */
};

void link_config_defaults(LinkConfig *conf);
Link *link_new(SimContext *ctx, const char *name, const LinkConfig *conf, Iface *a, Iface *b, guint index);
void link_free(Link *link);
char *link_describe(const Link *link);

SimTime link_tx_time(const Link *link, size_t frame_len);
void link_set_up(Link *link, gboolean up);
void link_refresh(Link *link);
void link_set_params(Link *link, const LinkConfig *params);
void link_carry(Link *link, Iface *from, Packet *frame, SimTime arrival);

#endif
