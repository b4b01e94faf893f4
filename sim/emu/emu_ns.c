/*
 * Network namespaces and TAP devices for Linux hosts (emu.h), through
 * iproute2's `ip` and sysctl (as Mininet drives them), and the tun
 * driver's TUNSETIFF for the devices themselves: a TAP device is created
 * in ipsim's own namespace, its descriptor kept, then moved into the
 * host's namespace and renamed there, so that the descriptor still reads
 * and writes its frames.
 *
 * Entry points (emu_private.h): emu_run(), emu_tap_open(), emu_ns_add(),
 * emu_ns_del(), emu_ns_iface(), emu_ns_route().
 */
#include "sim/emu/emu_private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Runs argv (found on the PATH), its output discarded; FALSE with the
 * command and what it printed on standard error when it fails. */
gboolean emu_run(GError **error, const char *const *argv)
{
  char *err = NULL, *line = g_strjoinv(" ", (char **)argv);
  int status = 0;
  GError *e = NULL;
  gboolean ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, &err, &status, &e) &&
                g_spawn_check_wait_status(status, NULL);

  if (!ok)
    g_set_error(error, G_SPAWN_ERROR, 0, "'%s' failed: %s", line, e ? e->message : g_strstrip(err));
  g_clear_error(&e);
  g_free(err);
  g_free(line);
  return ok;
}

/* A new TAP device `name` (no packet information header), its descriptor
 * non-blocking and closed on exec; -1 with the error. */
int emu_tap_open(const char *name, GError **error)
{
  struct ifreq ifr = {0};
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot open /dev/net/tun: %s", g_strerror(errno));
    return -1;
  }
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create TAP device %s: %s", name,
                g_strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* The namespace, with its loopback up and IPv6 off. */
gboolean emu_ns_add(const char *ns, GError **error)
{
  return emu_run(error, (const char *[]){"ip", "netns", "add", ns, NULL}) &&
         emu_run(error, (const char *[]){"ip", "-n", ns, "link", "set", "lo", "up", NULL}) &&
         emu_run(error,
                 (const char *[]){"ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                                  "net.ipv6.conf.default.disable_ipv6=1", NULL});
}

/* Sets one sysctl ("net.ipv4.ip_default_ttl=64") inside the namespace. */
gboolean emu_ns_sysctl(const char *ns, const char *setting, GError **error)
{
  return emu_run(error, (const char *[]){"ip", "netns", "exec", ns, "sysctl", "-q", "-w", setting, NULL});
}

/* Kills what still runs in the namespace, then deletes it (errors ignored: it may be gone). */
void emu_ns_del(const char *ns)
{
  char *out = NULL;
  if (g_spawn_sync(NULL, (char **)(const char *[]){"ip", "netns", "pids", ns, NULL}, NULL,
                   G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL)) {
    char **pids = g_strsplit(out, "\n", -1);
    for (char **p = pids; *p; p++)
      if (**p)
        kill((pid_t)g_ascii_strtoll(*p, NULL, 10), SIGKILL);
    g_strfreev(pids);
  }
  g_free(out);
  emu_run(NULL, (const char *[]){"ip", "netns", "del", ns, NULL});
}

/* Moves the TAP device `tap` into `ns` as `name`, with its MAC, MTU and address, and brings it up. */
gboolean emu_ns_iface(const char *ns, const char *tap, const char *name, const uint8_t mac[6], uint32_t mtu,
                      const Ipv4Prefix *ip, GError **error)
{
  char macs[ADDR_MAC_TEXT], mtus[16], cidr[ADDR_CIDR_TEXT];

  addr_format_mac(mac, macs);
  g_snprintf(mtus, sizeof mtus, "%u", mtu);
  if (!emu_run(error, (const char *[]){"ip", "link", "set", tap, "netns", ns, NULL}) ||
      !emu_run(error,
               (const char *[]){"ip", "-n", ns, "link", "set", tap, "name", name, "address", macs, "mtu", mtus, NULL}))
    return FALSE;
  if (ip) {
    addr_format_cidr(ip->addr, ip->len, cidr);
    if (!emu_run(error, (const char *[]){"ip", "-n", ns, "addr", "add", cidr, "dev", name, NULL}))
      return FALSE;
  }
  return emu_run(error, (const char *[]){"ip", "-n", ns, "link", "set", name, "up", NULL});
}

/* A route in `ns`: `to` ("default" or a prefix) via the address `via`. */
gboolean emu_ns_route(const char *ns, const char *to, uint32_t via, GError **error)
{
  char gw[ADDR_IPV4_TEXT];

  addr_format_ipv4(via, gw);
  return emu_run(error, (const char *[]){"ip", "-n", ns, "route", "add", to, "via", gw, NULL});
}
