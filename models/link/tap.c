/*
 * A Linux host's interface through a TAP device (tap.h).
 *
 * Entry points: tap_iface_ops, tap_attach(), tap_wire_attach(),
 * tap_readable(), tap_wire_send().
 */
#include "models/link/tap.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "models/core/node.h"
#include "models/link/ethernet_wire.h"

/* The largest frame the interface sends: its MTU, an Ethernet header and one 802.1Q tag. */
#define TAP_FRAME_MAX(iface) ((iface)->mtu + ETH_HEADER_LEN + 4)

/* The link went down or up: so does the device's carrier, as a cable
 * pulled out of a real NIC (Linux sees NO-CARRIER, and routing daemons on
 * it react at once instead of by their timers). */
static void tap_carrier(void *data, Iface *iface)
{
  int on = iface->up;
  (void)data;
  if (iface->tap_fd >= 0)
    ioctl(iface->tap_fd, TUNSETCARRIER, &on);
}

/* Attaches the TAP device `fd` (opened, non-blocking) to `iface`, its
 * carrier following the interface's. */
void tap_attach(Iface *iface, int fd)
{
  gboolean first = TRUE;
  for (guint i = 0; i < iface->node->ifaces->len; i++)
    first &= node_iface(iface->node, i)->tap_fd < 0;
  iface->tap_fd = fd;
  if (first)
    iface_listen(&iface->node->iface_listeners, tap_carrier, NULL);
  tap_carrier(NULL, iface);
}

/* Wires `iface` (a simulated node's, with no link) to the TAP device
 * `fd` (opened, non-blocking): the interface comes up, and so does the
 * device's carrier. */
void tap_wire_attach(Iface *iface, int fd)
{
  int on = 1;
  iface->tap_fd = fd;
  ioctl(fd, TUNSETCARRIER, &on);
  iface_set_up(iface, TRUE);
}

/* Writes `frame` to the interface's device, as a TAP wire's frame starts
 * or a Linux host's arrives; takes it (a frame the kernel refuses is
 * dropped as tap-write). */
void tap_wire_send(Iface *iface, Packet *frame)
{
  if (iface->tap_fd < 0 || write(iface->tap_fd, packet_data(frame), packet_len(frame)) < 0) {
    node_drop(iface->node, iface, frame, DROP_TAP_WRITE, TRACE_LINK, iface->ops->trace_from);
    return;
  }
  packet_free(frame);
}

/* A frame from the link: to the kernel. Takes it. */
static void tap_input(Iface *iface, Packet *frame)
{
  tap_wire_send(iface, frame);
}

/* One frame read from the device: checked, padded to the Ethernet
 * minimum as a NIC pads it, then onto a Linux host's link, or into the
 * simulated node of a TAP wire. */
static void tap_frame(Iface *iface, const uint8_t *buf, size_t len)
{
  Packet *frame = packet_new_from(iface->node->ctx->pool, buf, len);

  if (len < ETH_HEADER_LEN || len > TAP_FRAME_MAX(iface)) {
    node_drop(iface->node, iface, frame, DROP_BAD_FRAME, TRACE_LINK, TRACE_FROM_ETHERNET);
    return;
  }
  if (len < ETH_MIN_FRAME)
    memset(packet_put(frame, ETH_MIN_FRAME - len), 0, ETH_MIN_FRAME - len);
  if (iface->ops == &tap_iface_ops)
    iface_transmit(iface, frame); /* a Linux host's: onto its link */
  else
    iface_receive(iface, frame, sim_now(iface->node->ctx)); /* a TAP wire's: into the simulated node */
}

/* Reads what the kernel sent (at most TAP_READ_BATCH frames) and
 * transmits it; returns the frames read. */
guint tap_readable(Iface *iface)
{
  uint8_t buf[65536 + ETH_HEADER_LEN];
  guint n = 0;

  while (n < TAP_READ_BATCH) {
    ssize_t len = read(iface->tap_fd, buf, sizeof buf);
    if (len < 0 && errno == EINTR)
      continue;
    if (len <= 0)
      break;
    tap_frame(iface, buf, (size_t)len);
    n++;
  }
  return n;
}

const IfaceOps tap_iface_ops = {
    .name = "tap",
    .output = NULL,
    .input = tap_input,
    .header_len = ETH_HEADER_LEN,
    .wire_overhead = 0,
    .pcap_linktype = ETH_LINKTYPE,
    .trace_from = TRACE_FROM_ETHERNET,
};
