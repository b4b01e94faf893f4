/*
 * Why a packet was dropped, and the counters every interface and node keeps.
 * Each reason has a stable name, used in traces, JSON counters and the
 * scenario's `expect: never: drop:` checks.
 *
 * Entry points: drop_reason_name(), drop_reason_parse().
 */
#ifndef IPSIM_DROP_H
#define IPSIM_DROP_H

#include <glib.h>
#include <stdint.h>

typedef enum {
  /* network access */
  DROP_QUEUE_FULL, /* "queue-full": the transmit queue was at its limit */
  DROP_LINK_DOWN,  /* "link-down": queued or in flight when the link went down, or sent on a down link */
  DROP_LINK_LOSS,  /* "link-loss": lost by the link's random loss */
  DROP_BAD_FRAME,  /* "bad-frame": shorter than its link header, a bad PPP address or control byte, or too long for the
                      MTU */
  DROP_OTHER_MAC,  /* "other-mac": unicast to another MAC address (a host's NIC filter) */
  DROP_UNKNOWN_ETHERTYPE, /* "unknown-ethertype" */
  DROP_PPP_PROTOCOL,      /* "ppp-protocol": a PPP frame of a protocol other than IPv4 (RFC 1661 Protocol-Reject) */
  DROP_SWITCH_SAME_PORT,  /* "same-port": a switch's destination is the port it arrived on */
  DROP_BAD_ARP,           /* "bad-arp": malformed or unsupported ARP packet */
  DROP_ARP_FAILED,        /* "arp-failed": no reply after every retry */
  DROP_ARP_QUEUE_FULL,    /* "arp-queue-full": too many packets waiting for one resolution */
  /* internet */
  DROP_BAD_IP_HEADER,    /* "bad-ip-header": truncated, version not 4, header length < 20 */
  DROP_BAD_IP_CHECKSUM,  /* "bad-ip-checksum" */
  DROP_BAD_IP_LENGTH,    /* "bad-ip-length": total length disagrees with the frame */
  DROP_TTL_EXPIRED,      /* "ttl-expired" */
  DROP_NO_ROUTE,         /* "no-route" */
  DROP_NOT_A_ROUTER,     /* "not-a-router": a host received a packet for another address */
  DROP_FRAG_NEEDED,      /* "frag-needed": larger than the MTU with Don't Fragment set */
  DROP_FRAG_TIMEOUT,     /* "frag-timeout": reassembly did not complete in time */
  DROP_FRAG_OVERLAP,     /* "frag-overlap": overlapping fragments (the datagram is discarded) */
  DROP_FRAG_INVALID,     /* "frag-invalid": past 65535 bytes, or a bad fragment length */
  DROP_BAD_ICMP,         /* "bad-icmp": truncated or bad checksum */
  DROP_UNKNOWN_PROTOCOL, /* "unknown-protocol": no handler for the IP protocol */
  DROP_NOT_MEMBER,       /* "not-member": multicast to a group the interface has not joined (never forwarded) */
  /* transport */
  DROP_BAD_UDP,            /* "bad-udp": truncated, bad length or bad checksum */
  DROP_PORT_UNREACHABLE,   /* "port-unreachable": no socket on the port */
  DROP_SOCKET_RCVBUF_FULL, /* "socket-rcvbuf-full": a UDP socket's receive queue was full */
  DROP_BAD_TCP,            /* "bad-tcp": truncated, bad checksum, bad data offset or bad options */
  DROP_TCP_NO_SOCKET,      /* "tcp-no-socket": no connection or listener (RST sent unless it was a RST) */
  DROP_TCP_OUT_OF_WINDOW,  /* "tcp-out-of-window": unacceptable sequence number, old duplicate or PAWS (ACK sent) */
  DROP_TCP_BAD_ACK,        /* "tcp-bad-ack": acknowledges data never sent, or a segment without ACK */
  DROP_TCP_RST,            /* "tcp-rst": a RST ignored (out of window) or answered by a challenge ACK */
  DROP_TCP_SYN_QUEUE_FULL, /* "tcp-syn-queue-full": a SYN to a listener whose backlog is full */
  /* routing protocols */
  DROP_BAD_RIP, /* "bad-rip": truncated, bad version or command, or an entry with a bad family, address or metric */
  DROP_RIP_NOT_NEIGHBOR, /* "rip-not-neighbor": a response not from port 520, from outside the interface's subnet, or
                            from ourselves */
  DROP_BAD_OSPF,         /* "bad-ospf": truncated, version not 2, bad length, bad checksum or unknown packet type */
  DROP_OSPF_MISMATCH,    /* "ospf-mismatch": another area or subnet, other hello/dead intervals, or from a router not
                            adjacent enough for this packet */
  DROP_BAD_LSA,          /* "bad-lsa": an LSA with a bad checksum, length, age or an unknown type */
  DROP_ROUTING_OFF,      /* "routing-off": a routing packet on an interface where that protocol is off or passive */
  /* emulation (models/link/tap.c) */
  DROP_TAP_WRITE, /* "tap-write": the Linux kernel refused a frame written to a TAP device */
  /* IEEE 802.1Q VLANs (models/link/vlan.c) */
  DROP_VLAN_TAGGED_ACCESS, /* "vlan-tagged-access": a frame tagged with a VLAN arrived on a switch's access port */
  DROP_VLAN_DOUBLE_TAG,    /* "vlan-double-tag": a QinQ service tag (0x88a8) or a tag inside a tag */
  DROP_VLAN_NOT_ALLOWED,   /* "vlan-not-allowed": a VLAN the trunk does not carry (tagged, or untagged when its native
                              VLAN is not allowed), VLAN 4095, or a host's or router's frame of a VLAN it has no
                              subinterface for */
  DROP_VLAN_TRUNCATED,     /* "vlan-truncated": the frame ends inside its 802.1Q tag */
  /* spanning tree (models/link/stp.c) */
  DROP_BAD_BPDU,    /* "bad-bpdu": a frame to 01:80:c2:00:00:00 that is no valid BPDU (truncated, not LLC 0x42, a
                       protocol identifier other than 0, an unknown type), or a switch's own BPDU come back */
  DROP_STP_BLOCKED, /* "stp-blocked": a frame arrived on a switch port the spanning tree does not let forward */
  DROP_LLC_FRAME,   /* "llc-frame": an IEEE 802.3 frame with a length, not an ethertype (a BPDU), at a host or router */
  DROP_REASON_COUNT
} DropReason;

/* Packets and bytes through an interface or a node, and drops by reason. */
typedef struct {
  uint64_t tx_packets, tx_bytes;
  uint64_t rx_packets, rx_bytes;
  uint64_t drops[DROP_REASON_COUNT];
} Counters;

const char *drop_reason_name(DropReason reason);
gboolean drop_reason_parse(const char *name, DropReason *reason);
const char *const *drop_reason_names(void);

#endif
