/*
 * Spanning-tree BPDUs on the wire (IEEE 802.1D-2004 clause 9): an IEEE
 * 802.3 frame (a length, not an ethertype, after the addresses) to the
 * bridge group address 01:80:c2:00:00:00, an 802.2 LLC header (DSAP and
 * SSAP 0x42, UI control 0x03), then the BPDU. Only byte offsets and
 * constants: the BPDU's fields are read and written byte by byte
 * (big-endian), as its 35 bytes have no natural alignment.
 */
#ifndef IPSIM_STP_WIRE_H
#define IPSIM_STP_WIRE_H

#include <stdint.h>

#define ETH_MAX_LENGTH_FIELD 1500 /* a type/length field up to this is an 802.3 length */
#define LLC_HEADER_LEN 3
#define LLC_SAP_STP 0x42
#define LLC_CTRL_UI 0x03

#define BPDU_PROTOCOL_ID 0x0000
#define BPDU_VERSION_STP 0
#define BPDU_VERSION_RSTP 2
#define BPDU_TYPE_CONFIG 0x00
#define BPDU_TYPE_RST 0x02
#define BPDU_TYPE_TCN 0x80

#define BPDU_CONFIG_LEN 35 /* 9.3.1 */
#define BPDU_RST_LEN 36    /* 9.3.3: the config fields and Version 1 Length */
#define BPDU_TCN_LEN 4     /* 9.3.2 */

/* Offsets into a configuration BPDU (9.3.1). */
#define BPDU_OFF_PROTOCOL 0 /* 2 bytes */
#define BPDU_OFF_VERSION 2
#define BPDU_OFF_TYPE 3
#define BPDU_OFF_FLAGS 4
#define BPDU_OFF_ROOT 5    /* 8 bytes: priority (2) and MAC (6) */
#define BPDU_OFF_COST 13   /* 4 bytes */
#define BPDU_OFF_BRIDGE 17 /* 8 bytes */
#define BPDU_OFF_PORT 25   /* 2 bytes */
#define BPDU_OFF_AGE 27    /* 2 bytes each, in 1/256 s, from here: */
#define BPDU_OFF_MAX_AGE 29
#define BPDU_OFF_HELLO 31
#define BPDU_OFF_FWD_DELAY 33
#define BPDU_OFF_V1_LEN 35 /* RST BPDUs: Version 1 Length, 0 */

/* Flags (9.3.1, 9.3.3). */
#define BPDU_FLAG_TC 0x01
#define BPDU_FLAG_PROPOSAL 0x02
#define BPDU_FLAG_ROLE_SHIFT 2 /* 2 bits: 0 unknown, 1 alternate/backup, 2 root, 3 designated */
#define BPDU_FLAG_LEARNING 0x10
#define BPDU_FLAG_FORWARDING 0x20
#define BPDU_FLAG_AGREEMENT 0x40
#define BPDU_FLAG_TC_ACK 0x80

#define BPDU_TIME_UNITS 256 /* timer values are in 1/256 s */

static const uint8_t stp_group_mac[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00};

#endif
