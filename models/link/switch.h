/*
 * A learning bridge (IEEE 802.1D without spanning tree; VLANs of IEEE
 * 802.1Q, vlan.h): a MAC table per VLAN with aging, forwarding of known unicast to one port, flooding of broadcast,
 * multicast and unknown unicast to every other port that is up.
 *
 * Entry points: switch_new(), switch_port_ops (the ports' interface type:
 * its input is switch_input()), switch_lookup() (for tests and checks),
 * switch_table_entries() (what `show mac address-table` prints),
 * switch_enable_stp() and switch_stp() (its spanning tree, models/link/stp.h),
 * switch_free().
 */
#ifndef IPSIM_SWITCH_H
#define IPSIM_SWITCH_H

#include "models/link/iface.h"

typedef struct Switch Switch;
typedef struct Stp Stp;
typedef struct StpConfig StpConfig;

#define SWITCH_DEFAULT_AGING SIMTIME_S(300) /* 802.1D's recommended aging time */

extern const IfaceOps switch_port_ops;

Switch *switch_new(Node *node, SimTime aging);
void switch_free(Switch *sw);
void switch_input(Switch *sw, Iface *in, Packet *frame);
Iface *switch_lookup(Switch *sw, const uint8_t mac[6]);
Iface *switch_lookup_vlan(Switch *sw, uint16_t vid, const uint8_t mac[6]);
guint switch_table_size(const Switch *sw);
void switch_enable_stp(Switch *sw, const StpConfig *conf);
Stp *switch_stp(const Switch *sw);
guint switch_flush(Switch *sw, const Iface *keep);

/* One live entry of the MAC table. */
typedef struct {
  uint8_t mac[6];
  uint16_t vlan; /* the VLAN it was learned in (IEEE 802.1Q) */
  Iface *port;
  SimTime age; /* since the address was last seen as a source */
} SwitchEntryView;

void switch_table_entries(const Switch *sw, GArray *out);

#endif
