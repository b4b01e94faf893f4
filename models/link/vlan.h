/*
 * IEEE 802.1Q VLANs: a switch port's mode (access: one VLAN, untagged;
 * trunk: a set of allowed VLANs, tagged, and a native VLAN sent untagged),
 * the 4-byte tag (TPID 0x8100, then the priority, DEI and VLAN ID), the
 * classification of a frame arriving on a port and its tagging on the way
 * out; and subinterfaces of hosts and routers (`eth0.10`): an interface of
 * its own (address, ARP cache, the parent's MAC) whose frames go out
 * tagged through its parent, and to which the parent hands the frames
 * tagged with its VLAN.
 *
 * Entry points: vlan_port_config_defaults(), vlan_port_allow(),
 * vlan_port_configure() (the builder), vlan_port_member(),
 * vlan_ingress() and vlan_egress() (the switch), vlan_frame_vid()
 * (explanations), vlan_tag_len() (MTU
 * checks); vlan_subif_ops, vlan_subif_attach() (the builder),
 * vlan_subif_transmit() (from ethernet_output), vlan_subif_input() (from
 * ethernet_input), vlan_subifs_set_up() (from iface_set_up);
 * vlan_segment_ends() (what a broadcast reaches: the forward walk and
 * `routing: auto`), vlan_node_uses_vlans(), vlan_port_describe() (drawings).
 */
#ifndef IPSIM_VLAN_H
#define IPSIM_VLAN_H

#include "models/link/iface.h"

#include "models/link/ethernet_wire.h"

#define VLAN_TPID ETHERTYPE_VLAN      /* IEEE 802.1Q C-tag */
#define VLAN_TPID_QINQ ETHERTYPE_QINQ /* IEEE 802.1ad S-tag (QinQ): not bridged here */
#define VLAN_DEFAULT 1                /* every port's VLAN unless configured (802.1Q's default PVID) */
#define VLAN_MAX 4094                 /* 0 is a priority tag, 4095 reserved */

typedef enum { VLAN_MODE_ACCESS, VLAN_MODE_TRUNK } VlanMode;

/* A switch port's VLAN configuration, owned by the model; the loader fills it. */
typedef struct VlanPortConfig {
  VlanMode mode;                       /* default access */
  uint16_t access;                     /* access: the port's VLAN (default 1) */
  uint16_t native;                     /* trunk: the VLAN of untagged frames (default 1) */
  uint8_t allowed[(VLAN_MAX + 8) / 8]; /* trunk: allowed VLANs, a bitmap (default all, 1-4094) */
} VlanPortConfig;

/* The VLAN a frame belongs to inside a switch, and the priority it carries. */
typedef struct {
  uint16_t vid;
  uint8_t pcp; /* 802.1p priority, 0-7 */
} VlanTag;

void vlan_port_config_defaults(VlanPortConfig *c);
void vlan_port_allow(VlanPortConfig *c, uint16_t vid, gboolean on);
gboolean vlan_port_allows(const VlanPortConfig *c, uint16_t vid);
void vlan_port_configure(Iface *port, const VlanPortConfig *c);
gboolean vlan_port_member(const Iface *port, uint16_t vid);
gboolean vlan_ingress(Iface *in, Packet *frame, VlanTag *tag);
uint16_t vlan_frame_vid(const Iface *in, const uint8_t *d, size_t len);
void vlan_egress(const Iface *out, Packet *frame, VlanTag tag);
size_t vlan_tag_len(const Iface *iface, const Packet *frame);

extern const IfaceOps vlan_subif_ops;

void vlan_subif_attach(Iface *sub, Iface *parent, uint16_t vid);
void vlan_subif_transmit(Iface *sub, Packet *frame);
void vlan_subif_input(Iface *parent, Packet *frame);
void vlan_subifs_set_up(Iface *parent, gboolean up);

void vlan_segment_ends(Iface *from, GPtrArray *out);
gboolean vlan_node_uses_vlans(const Node *node);
void vlan_port_describe(const Iface *port, GString *out);

#endif
