/*
 * The interface type of a Linux host's interface: the simulated link's
 * end is a TAP device (Linux's tun/tap driver, IFF_TAP | IFF_NO_PI) whose
 * other side is a real network namespace. Frames that arrive from the
 * link are written to the device, so that the kernel receives them;
 * frames the kernel sends are read from it and transmitted on the link
 * (its rate, delay, loss and queue), traced and captured like any other.
 * ipsim runs no stack of its own on such an interface: the kernel does.
 *
 * A TAP wire (`tap: NAME` on a simulated interface, as ns-3's TapBridge
 * UseBridge mode): the interface of a simulated host, router or switch
 * has no link; its other side is a TAP device outside the simulation (a
 * user's persistent TAP device, or one ipsim adds to a user's Linux
 * bridge). The frames it sends are written to the device as they start;
 * the frames read from the device arrive at the interface (its stack or
 * its bridge port takes them), checked as below.
 *
 * Entry points: tap_iface_ops; tap_attach() and tap_wire_attach() (the
 * device, opened and non-blocking, by the emulation layer, sim/emu);
 * tap_readable() (the device has frames: called by the real-time loop);
 * tap_wire_send() (from iface.c: a frame out of a TAP wire).
 *
 * The device's carrier follows the simulated link: a link down is a
 * cable pulled out (Linux sees NO-CARRIER).
 *
 * Frames from Linux are checked before they go on the link: shorter than
 * an Ethernet header, or longer than the interface's MTU allows, they are
 * dropped as bad-frame; a frame the kernel refuses is dropped as
 * tap-write.
 */
#ifndef IPSIM_TAP_H
#define IPSIM_TAP_H

#include "models/link/iface.h"

/* At most this many frames are read per wake-up, so that simulated events stay on time. */
#define TAP_READ_BATCH 64

extern const IfaceOps tap_iface_ops;

void tap_attach(Iface *iface, int fd);
void tap_wire_attach(Iface *iface, int fd);
void tap_wire_send(Iface *iface, Packet *frame);
guint tap_readable(Iface *iface);

#endif
