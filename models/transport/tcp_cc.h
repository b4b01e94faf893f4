/*
 * Congestion control as a small pluggable interface: an ops table per
 * algorithm, found by name ("newreno"). The core (tcp_in.c) runs loss
 * detection and NewReno-style fast recovery (RFC 5681, RFC 6582); an
 * algorithm decides how the window grows on ACKs and how far it falls on
 * a loss, like Linux's tcp_congestion_ops (cong_avoid, ssthresh).
 *
 * To add an algorithm: write tcp_cc_<name>.c with a TcpCcOps table and
 * list it in tcp_cc.c's registry. Per-connection state fits in
 * TcpConn.cc_priv.
 *
 * Entry points: tcp_cc_find() (by name, NULL if unknown); tcp_cc_names()
 * (every name, for the loader's messages); the hooks,
 * called by the core: init (at connection start), on_ack (new data
 * acknowledged outside recovery), ssthresh (the slow-start threshold
 * after a loss), on_loss (entering fast recovery), on_timeout (after an
 * RTO expiry, cwnd already one segment).
 */
#ifndef IPSIM_TCP_CC_H
#define IPSIM_TCP_CC_H

#include <stdint.h>

#include "sim/kernel/simtime.h"

typedef struct TcpConn TcpConn;

typedef struct {
  const char *name;
  void (*init)(TcpConn *c);
  /* `acked` bytes of new data acknowledged; rtt the sample or -1. */
  void (*on_ack)(TcpConn *c, uint32_t acked, SimTime rtt);
  uint32_t (*ssthresh)(TcpConn *c);
  void (*on_loss)(TcpConn *c);
  void (*on_timeout)(TcpConn *c);
} TcpCcOps;

const TcpCcOps *tcp_cc_find(const char *name);
const char *const *tcp_cc_names(unsigned *n);

#define TCP_CC_NEWRENO "newreno"
extern const TcpCcOps tcp_cc_newreno;

#endif
