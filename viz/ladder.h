/*
 * Ladder (sequence) diagrams: lanes (one per node, left to right) and the
 * messages between them, each from its sender's lane at its departure time
 * to its receiver's lane at its arrival time, so that an arrow's slope is
 * its real delay. A message may end in a drop (an X where it was dropped,
 * with the reason), be lost where the trace does not say (an X on the way),
 * be a retransmission, or be a band: a run of messages in one direction
 * merged by ladder_collapse().
 *
 * Lanes may be grouped: a node's layers (application, transport,
 * internet, link), each a lane of the node's group, and a message may
 * then pass stops between its ends: down the sender's stack, across,
 * up the receiver's (LadderMsg.via).
 *
 * The Ladder knows nothing of the trace: sim/cli/ladder_build.c fills it
 * in. Entry points: ladder_new(), ladder_lane(), ladder_lane_in(),
 * ladder_add(), ladder_prune(), ladder_collapse(), ladder_span(), ladder_text() (the plain-text ladder),
 * ladder_render() (SVG, PNG or PDF through cairo, ladder_draw.c), ladder_free().
 */
#ifndef IPSIM_VIZ_LADDER_H
#define IPSIM_VIZ_LADDER_H

#include <glib.h>

#include "sim/kernel/simtime.h"

typedef enum {
  LADDER_ARRIVED, /* reached the receiver's lane */
  LADDER_DROPPED, /* dropped on the `to` lane at t1, reason in `note` */
  LADDER_LOST,    /* no arrival and no drop in the trace: an X 3/4 of the way at t1 */
} LadderEnd;

/* A point a message passes: a lane at a time. */
typedef struct {
  guint lane;
  SimTime t;
} LadderStop;

typedef struct {
  guint from, to; /* lanes */
  SimTime t0, t1; /* departure; arrival or drop */
  LadderEnd end;
  gboolean retransmit;
  gboolean plain;    /* may merge into a band (no SYN, FIN, RST) */
  char *label;       /* "SYN seq 0", "ARP who-has 10.0.0.2", ... */
  char *note;        /* drop reason, or NULL */
  const char *group; /* plain messages of one group and direction merge into
                      * bands, named by it: "segments", "ACKs"; NULL: never */
  const char *range; /* what lo and hi count in a band's label: "seq", "ack" */
  guint64 lo, hi;
  guint count;     /* messages merged: 1, or a band's size */
  SimTime t0_last; /* a band: the departure and arrival of its last message */
  SimTime t1_last;
  GArray *via; /* LadderStop: what it passes between (from, t0) and (to,
                * t1), in order; NULL: straight from one to the other */
} LadderMsg;

typedef struct {
  GPtrArray *lanes;  /* char *, left to right */
  GPtrArray *groups; /* char *, a lane's group (its node), or NULL */
  GArray *msgs;      /* LadderMsg, by departure time */
} Ladder;

typedef enum { LADDER_SVG, LADDER_PNG, LADDER_PDF } LadderFormat;

Ladder *ladder_new(void);
void ladder_free(Ladder *l);
/* The index of the lane named `name`, added at the right if new. */
guint ladder_lane(Ladder *l, const char *name);
/* The index of the lane named `name` in group `group` (its node: the
 * lane is one of its layers), added at the right if new. */
guint ladder_lane_in(Ladder *l, const char *name, const char *group);
/* The layer of lane `i` when it is in a group: its name after the
 * group's ("transport" of "alice transport"); else its name. */
const char *ladder_lane_short(const Ladder *l, guint i);
/* Adds a message; takes `label`, `note` (g_malloc'd or NULL) and `via`. */
void ladder_add(Ladder *l, const LadderMsg *m);
/* Removes the lanes no message starts, ends or stops on. */
void ladder_prune(Ladder *l);
/* The part of message `m` its label belongs to: the first step between
 * two groups (across the network), else the whole message; its lanes
 * and times. */
void ladder_span(const Ladder *l, const LadderMsg *m, LadderStop *a, LadderStop *b);
/* The step of that part: from stop k to k + 1; -1: the whole message. */
int ladder_span_step(const Ladder *l, const LadderMsg *m);
/* The number of points on message `m`'s path (its ends and its via),
 * and point `k` (0: its start). */
guint ladder_stops(const LadderMsg *m);
LadderStop ladder_stop(const LadderMsg *m, guint k);
/* Sorts the messages by departure (then arrival, then order of adding). */
void ladder_sort(Ladder *l);
/* Above `max` messages, merges runs of 3 or more plain messages of one
 * group and direction, with no pause longer than twice their delay and
 * no other message of that direction between them, into bands. */
void ladder_collapse(Ladder *l, guint max);
/* The plain-text ladder: a header of lanes, then a row per message. */
char *ladder_text(const Ladder *l);
/* Renders to `path` in `format`; FALSE with `error` set on failure. */
gboolean ladder_render(const Ladder *l, const char *path, LadderFormat format, GError **error);

#endif
