/*
 * Inside sim/emu: the namespace and TAP plumbing (emu_ns.c) that emu.c
 * drives. Every command is run as an argument vector, never through a
 * shell, except the user's own `exec:` lines.
 */
#ifndef IPSIM_EMU_PRIVATE_H
#define IPSIM_EMU_PRIVATE_H

#include <glib.h>

#include "sim/text/addr.h"

#define EMU_NS_PREFIX "ipsim-"
#define EMU_HOST_DIR_PREFIX "ipsim-host-" /* then the pid: the hosts' scratch directories */

gboolean emu_run(GError **error, const char *const *argv);
int emu_tap_open(const char *name, GError **error);
gboolean emu_ns_add(const char *ns, GError **error);
void emu_ns_del(const char *ns);
gboolean emu_ns_sysctl(const char *ns, const char *setting, GError **error);
gboolean emu_ns_iface(const char *ns, const char *tap, const char *name, const uint8_t mac[6], uint32_t mtu,
                      const Ipv4Prefix *ip, GError **error);
gboolean emu_ns_route(const char *ns, const char *to, uint32_t via, GError **error);

#endif
