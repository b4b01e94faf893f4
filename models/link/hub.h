/*
 * A hub (an IEEE 802.3 clause 9 repeater) and the shared half-duplex medium
 * of its segments: one collision domain, one transmission at a time on all
 * of its ports.
 *
 * A station's frame on a hub's segment occupies the whole medium. Its first
 * bit reaches the hub after that segment's delay, and the hub repeats it at
 * once (bit by bit: no store and forward, no queue) onto every other port;
 * each station receives it one serialization time plus the delays of both
 * segments after it started. Carrier sense is the medium's, as in ns-3's
 * CsmaChannel: it is busy for every station from the start of a frame
 * until its last bit has reached the farthest station, and a station that
 * wants to send meanwhile defers (1-persistent, no backoff); collisions
 * are not modelled (ns-3 does not either).
 *
 * Entry points: hub_new() (from node_add_layers, once the hub's links
 * exist: it makes them segments of its medium, hub_link_ops),
 * hub_port_ops (the ports' interface type), hub_free_at() (when the medium
 * is idle again: explanations), hub_free().
 *
 * Leaves out: collisions, jam and binary exponential backoff (IEEE 802.3
 * clause 4), the inter-frame gap, the repeater's own delay (0), cascaded
 * hubs (the loader refuses a link between two hubs), segments of
 * different rates (refused by the loader).
 */
#ifndef IPSIM_HUB_H
#define IPSIM_HUB_H

#include "models/link/link.h"

extern const IfaceOps hub_port_ops;
extern const LinkOps hub_link_ops;

Hub *hub_new(Node *node);
void hub_free(Hub *hub);
SimTime hub_free_at(const Hub *hub);

#endif
