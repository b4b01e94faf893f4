/*
 * Emulation: the Linux hosts of a scenario (`kind: linux`) made real, as
 * Mininet and ns-3's TapBridge do. Each is a network namespace that ipsim
 * creates for the run (`ipsim-<pid>-<index>-<name>`), with one TAP device
 * per interface bridged to its simulated link (models/link/tap.h): the
 * interface's name, MAC address, MTU and address from the scenario, its
 * default gateway and routes, IPv6 off (no router solicitations or MLD
 * reports on the simulated network). Its `exec:` commands run inside it
 * (sh -c, a process group of their own) at their simulated times, their
 * standard output and error captured to DIR/exec/NAME.txt and their exit
 * status to DIR/exec.csv.
 *
 * Everything is removed when the run ends, however it ends: emu_stop()
 * ends the commands still running (SIGTERM, then SIGKILL after 1 s),
 * kills whatever else runs in the namespaces and deletes them; the TAP
 * devices go with their descriptors. A run killed with SIGKILL leaves its
 * namespaces behind: emu_cleanup() (`ipsim cleanup`) removes those whose
 * run is gone.
 *
 * TAP wires (`tap: NAME` on a simulated interface): the interface is
 * attached to an existing TAP device, or to a TAP device of ours added to
 * an existing Linux bridge (removed with its descriptor); the user owns
 * the device or bridge and whatever is behind it.
 *
 * Needs root (for Linux hosts; for a bridge, to add a device to it) and
 * /dev/net/tun: emu_check() says what is missing.
 *
 * Entry points: emu_needed(), emu_check(), emu_start(), emu_stop(),
 * emu_cleanup().
 */
#ifndef IPSIM_EMU_H
#define IPSIM_EMU_H

#include <stdio.h>

#include "models/core/network.h"
#include "sim/build/expect.h"
#include "sim/kernel/realtime.h"
#include "sim/scenario/scenario.h"

typedef struct Emu Emu;

gboolean emu_needed(const Scenario *sc);
gboolean emu_check(const Scenario *sc, GError **error);
Emu *emu_start(Network *net, const Scenario *sc, RtLoop *rt, const char *dir, GError **error);
void emu_stop(Emu *emu, Expect *ex, FILE *f);
guint emu_cleanup(FILE *out, gboolean all);

#endif
