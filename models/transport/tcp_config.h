/*
 * TCP's settings, owned by the TCP model: what a connection is configured
 * with, the defaults (Linux's where the RFCs leave room; see
 * models/transport/README.md) and the ranges a configuration must keep.
 * The scenario loader fills a TcpConfig from `defaults.tcp` and an app's
 * `tcp:`; model tests fill one by hand, starting from the defaults.
 *
 * Entry points: tcp_config_defaults(); tcp_cc_names() (tcp_cc.h) for the
 * congestion control algorithms a config may name.
 */
#ifndef IPSIM_TCP_CONFIG_H
#define IPSIM_TCP_CONFIG_H

#include <glib.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

/* The ranges of the settings (RFC 7323's largest window, Linux's
 * TCP_MIN_MSS, RFC 1122 4.2.3.2's largest ACK delay, RFC 6928). */
#define TCP_MAX_BUF (UINT64_C(1) << 30)
#define TCP_MIN_MSS 88
#define TCP_MAX_MSS 65495
#define TCP_MAX_DELAYED_ACK SIMTIME_MS(500)
#define TCP_MAX_INITIAL_CWND 1000

typedef struct {
  uint32_t sndbuf, rcvbuf;                    /* bytes (128KiB) */
  uint32_t mss;                               /* 0: from the egress interface's MTU (MTU - 40) */
  SimTime min_rto, initial_rto, max_rto;      /* 200ms, 1s, 120s (RFC 6298, Linux's minimum) */
  SimTime delayed_ack;                        /* 40ms; 0: every segment is acknowledged at once */
  SimTime msl;                                /* 30s: TIME_WAIT lasts 2 * msl */
  uint32_t syn_retries, retries;              /* 6, 15 */
  uint32_t initial_cwnd;                      /* segments (10) */
  gboolean nagle, window_scaling, timestamps; /* all on */
  gboolean sack;                              /* offer and use SACK (RFC 2018, RFC 6675): on */
  char cc[16];                                /* congestion control by name: "newreno" */
} TcpConfig;

void tcp_config_defaults(TcpConfig *cfg);

#endif
