/*
 * Names of drop reasons. Entry points: drop_reason_name(),
 * drop_reason_parse(), drop_reason_names().
 */
#include "models/core/drop.h"

#include <string.h>

static const char *const drop_names[DROP_REASON_COUNT + 1] = {
    [DROP_QUEUE_FULL] = "queue-full",
    [DROP_LINK_DOWN] = "link-down",
    [DROP_LINK_LOSS] = "link-loss",
    [DROP_BAD_FRAME] = "bad-frame",
    [DROP_OTHER_MAC] = "other-mac",
    [DROP_UNKNOWN_ETHERTYPE] = "unknown-ethertype",
    [DROP_PPP_PROTOCOL] = "ppp-protocol",
    [DROP_SWITCH_SAME_PORT] = "same-port",
    [DROP_BAD_ARP] = "bad-arp",
    [DROP_ARP_FAILED] = "arp-failed",
    [DROP_ARP_QUEUE_FULL] = "arp-queue-full",
    [DROP_BAD_IP_HEADER] = "bad-ip-header",
    [DROP_BAD_IP_CHECKSUM] = "bad-ip-checksum",
    [DROP_BAD_IP_LENGTH] = "bad-ip-length",
    [DROP_TTL_EXPIRED] = "ttl-expired",
    [DROP_NO_ROUTE] = "no-route",
    [DROP_NOT_A_ROUTER] = "not-a-router",
    [DROP_FRAG_NEEDED] = "frag-needed",
    [DROP_FRAG_TIMEOUT] = "frag-timeout",
    [DROP_FRAG_OVERLAP] = "frag-overlap",
    [DROP_FRAG_INVALID] = "frag-invalid",
    [DROP_BAD_ICMP] = "bad-icmp",
    [DROP_UNKNOWN_PROTOCOL] = "unknown-protocol",
    [DROP_NOT_MEMBER] = "not-member",
    [DROP_BAD_UDP] = "bad-udp",
    [DROP_PORT_UNREACHABLE] = "port-unreachable",
    [DROP_SOCKET_RCVBUF_FULL] = "socket-rcvbuf-full",
    [DROP_BAD_TCP] = "bad-tcp",
    [DROP_TCP_NO_SOCKET] = "tcp-no-socket",
    [DROP_TCP_OUT_OF_WINDOW] = "tcp-out-of-window",
    [DROP_TCP_BAD_ACK] = "tcp-bad-ack",
    [DROP_TCP_RST] = "tcp-rst",
    [DROP_TCP_SYN_QUEUE_FULL] = "tcp-syn-queue-full",
    [DROP_BAD_RIP] = "bad-rip",
    [DROP_RIP_NOT_NEIGHBOR] = "rip-not-neighbor",
    [DROP_BAD_OSPF] = "bad-ospf",
    [DROP_OSPF_MISMATCH] = "ospf-mismatch",
    [DROP_BAD_LSA] = "bad-lsa",
    [DROP_ROUTING_OFF] = "routing-off",
    [DROP_TAP_WRITE] = "tap-write",
    [DROP_VLAN_TAGGED_ACCESS] = "vlan-tagged-access",
    [DROP_VLAN_DOUBLE_TAG] = "vlan-double-tag",
    [DROP_VLAN_NOT_ALLOWED] = "vlan-not-allowed",
    [DROP_VLAN_TRUNCATED] = "vlan-truncated",
    /* spanning tree */
    [DROP_BAD_BPDU] = "bad-bpdu",
    [DROP_STP_BLOCKED] = "stp-blocked",
    [DROP_LLC_FRAME] = "llc-frame",
    [DROP_REASON_COUNT] = NULL,
};

const char *drop_reason_name(DropReason reason)
{
  g_return_val_if_fail(reason < DROP_REASON_COUNT, "?");
  return drop_names[reason];
}

/* Finds the reason called `name`; returns FALSE when there is none. */
gboolean drop_reason_parse(const char *name, DropReason *reason)
{
  for (int i = 0; i < DROP_REASON_COUNT; i++)
    if (strcmp(drop_names[i], name) == 0) {
      *reason = (DropReason)i;
      return TRUE;
    }
  return FALSE;
}

/* Returns the NULL-terminated list of names, in enum order. */
const char *const *drop_reason_names(void)
{
  return drop_names;
}
