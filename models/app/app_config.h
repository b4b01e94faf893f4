/*
 * Applications' configuration, owned by the app model: the kinds and the
 * settings of one app, with app_config_defaults() (app.h). The loader
 * fills an AppConfig per `apps:` item;
 * app_new() runs one. The kinds' names, default ports and behaviour are
 * in the app-kind registry (app.h: app_kind_name(), app_kind_names(),
 * app_kind_default_port()).
 */
#ifndef IPSIM_APP_CONFIG_H
#define IPSIM_APP_CONFIG_H

#include <glib.h>
#include <stdint.h>

#include "models/transport/tcp_config.h"
#include "sim/kernel/simtime.h"
#include "sim/text/diag.h"

/* A duration drawn per use: constant, or exponential with that mean. */
typedef struct {
  gboolean exponential;
  SimTime mean;
} AppRandomTime;

typedef enum {
  APP_PING,
  APP_TRACEROUTE,
  APP_UDP_CBR,
  APP_UDP_SINK,
  APP_UDP_ECHO,        /* client: sends `count` datagrams, prints each round trip */
  APP_UDP_ECHO_SERVER, /* returns every datagram to its sender */
  APP_ONOFF,           /* UDP at `rate` during on periods, silent during off periods */
  APP_BULK,            /* iperf-like TCP sender of `bytes` (0: until stop) */
  APP_BULK_SINK,       /* accepts TCP connections and reads everything */
  APP_HTTP,            /* HTTP/1.1 client fetching `sizes` */
  APP_HTTP_SERVER,     /* serves GET /bytes/<n> */
  APP_FTP,             /* FTP client (RFC 959, passive mode) retrieving `sizes` */
  APP_FTP_SERVER,      /* serves RETR of virtual files of any size */
  APP_KIND_COUNT
} AppKind;

typedef struct {
  char *name; /* given, or "<type><n>" ("ping1") in file order */
  AppKind kind;
  int node;          /* the node it runs on */
  int dst_node;      /* the node `to` names, or -1 when `to` is an address no node holds */
  uint32_t dst;      /* destination address (ping, traceroute, udp-cbr) */
  uint16_t port;     /* udp-cbr: destination port; udp-sink: port listened on; traceroute: first port */
  SimTime start;     /* default 0 */
  SimTime stop;      /* 0: until the end of the run */
  uint32_t count;    /* ping: echo requests to send, 0 = until stop */
  SimTime interval;  /* ping: between requests (1s); udp-cbr: between packets (from rate if not given) */
  uint32_t size;     /* ping: ICMP payload bytes (56); udp-cbr: UDP payload bytes (1000) */
  uint8_t ttl;       /* ping, udp-cbr, udp-echo, onoff: 0 = the node's default (ip->default_ttl); traceroute: the
                        largest TTL probed (30) */
  gboolean df;       /* ping: set Don't Fragment */
  gboolean icmp;     /* traceroute: ICMP echo probes instead of UDP */
  uint32_t queries;  /* traceroute: probes per hop (3) */
  SimTime wait;      /* traceroute: how long to wait for each probe's answer (5s, as Linux) */
  uint64_t rate_bps; /* udp-cbr: payload bit rate when given; onoff: rate while on */
  /* Issue 4 kinds: */
  uint64_t bytes;         /* bulk: bytes to send, 0 = until stop */
  GArray *sizes;          /* http: object sizes; ftp: file sizes (of uint64_t bytes); else NULL */
  gboolean persistent;    /* http: one connection for every object (default true) */
  SimTime report;         /* bulk, bulk-sink: interval between iperf-like reports (1s); 0: totals only */
  AppRandomTime on_time;  /* onoff: length of on periods (1s) */
  AppRandomTime off_time; /* onoff: length of off periods (1s) */
  TcpConfig tcp;          /* TCP kinds: effective settings (defaults.tcp, then the app's tcp:) */
  SrcMark mark;
} AppConfig;

#endif
