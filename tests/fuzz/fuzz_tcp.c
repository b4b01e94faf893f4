/*
 * libFuzzer target for TCP input: segments made from the fuzzer's bytes
 * arrive at both ends of a real connection. Two hosts share one 10 Mbps,
 * 1 ms link; h2 listens on ports 80 and 81, h1 connects to h2:80 and,
 * once connected, sends 128 KiB (h2 answers with 16 KiB when asked). Then
 * the records of the input arrive, one every 100 us, as Ethernet frames
 * with a correct IPv4 header into the interface of h1 or h2, and the run
 * goes on to 20 s of simulated time, so retransmissions, probes, FIN
 * exchanges and TIME_WAIT run too. Nothing may crash, leak or hang.
 *
 * Input: [config: 1 byte], then records [ctl: 1 byte][length: 2 bytes,
 * big-endian][TCP segment: length bytes, at most 1460]. config:
 *   bits 0-1  h1 closes: 0 never, 1 after its data, 2 at once, 3 aborts at 50 ms
 *   bit 2     h2 leaves its data unread until 2 s (its window closes)
 *   bit 3     h2 sends 16 KiB back and closes on end of stream
 *   bit 4     timestamps and window scaling off (the second scenario)
 * ctl:
 *   bits 0-1  0: to h2 on the connection (h1:port > h2:80, ports set),
 *             1: to h1 on the connection (h2:80 > h1:port, ports set),
 *             2: to h2's listener on 81 from h1's address (source port as given),
 *             3: to h2 from h1's address, ports as given
 *   bit 2     keep the checksum as given (otherwise it is made correct)
 *   bit 3     raw seq and ack (otherwise both are offsets from the real
 *             next expected sequence number and the oldest unacknowledged one)
 * The real numbers come from the handshake (the initial sequence numbers,
 * read from a text trace of the first 15 ms) plus each connection's byte
 * counts (tcp_stats()). With FUZZ_TCP_DEBUG set in the environment, each
 * injected segment is printed as a trace line, and the connection's
 * states at the end (to see what an input reaches); FUZZ_TCP_DEBUG=trace
 * also prints the whole trace from 15 ms on.
 * Build and run: see README.md ("Fuzzing"); seeds: tests/fuzz/tcp/.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/link/ethernet.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "models/transport/tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_YAML(tcp)                                                                                                 \
  "stop: 20s\n"                                                                                                        \
  "defaults: { tcp: { " tcp "msl: 2s } }\n"                                                                            \
  "nodes:\n"                                                                                                           \
  "  h1: { kind: host, ip: 10.0.0.1/24 }\n"                                                                            \
  "  h2: { kind: host, ip: 10.0.0.2/24 }\n"                                                                            \
  "links:\n"                                                                                                           \
  "  - { ends: [h1, h2], rate: 10Mbps, delay: 1ms }\n"

static const char *const fuzz_yaml[2] = {FUZZ_YAML(""), FUZZ_YAML("timestamps: false, window-scaling: false, ")};

#define FUZZ_H1 0x0a000001u
#define FUZZ_H2 0x0a000002u
#define FUZZ_SEND (128 * 1024)
#define FUZZ_REPLY (16 * 1024)
#define FUZZ_START SIMTIME_MS(15) /* the handshake is over by then */
#define FUZZ_MAX_SEG 1460

/* One end of the connection, as the fuzzer sees it. */
typedef struct {
  TcpConn *c;        /* NULL once closed */
  gboolean opened;   /* c was set once */
  uint32_t iss, irs; /* initial sequence numbers: ours and the peer's */
  uint16_t lport, rport;
  uint64_t received, acked; /* as last seen */
  Iface *iface;
  size_t sent;
} FuzzEnd;

typedef struct {
  Network *net;
  uint8_t config;
  FuzzEnd h1, h2;
  TcpConn *listeners[2];
  GArray *records; /* of FuzzRecord */
  gboolean debug;
} FuzzTcp;

typedef struct {
  FuzzTcp *fz;
  uint8_t ctl;
  const uint8_t *seg;
  size_t len;
} FuzzRecord;

/* ---- the applications at both ends ---------------------------------------- */

static void fuzz_end_close(FuzzEnd *e)
{
  if (e->c)
    tcp_close(e->c);
  e->c = NULL;
}

/* Sends what is left of `total`, closing when told to and all is queued. */
static void fuzz_end_send(FuzzEnd *e, size_t total, gboolean close_after)
{
  static const uint8_t chunk[4096];
  while (e->c && e->sent < total) {
    ssize_t n = tcp_send(e->c, chunk, MIN(sizeof chunk, total - e->sent));
    if (n <= 0)
      return;
    e->sent += (size_t)n;
  }
  if (e->c && close_after)
    fuzz_end_close(e);
}

/* Reads everything that waits; returns TRUE at end of stream. */
static gboolean fuzz_end_drain(FuzzEnd *e)
{
  uint8_t buf[4096];
  ssize_t n = -1;
  while (e->c && (n = tcp_recv(e->c, buf, sizeof buf)) > 0)
    continue;
  return e->c && n == 0;
}

static void fuzz_h1_writable(void *owner)
{
  FuzzTcp *fz = owner;
  fuzz_end_send(&fz->h1, FUZZ_SEND, (fz->config & 3) == 1);
}

static void fuzz_h1_connected(void *owner, TcpConn *c)
{
  FuzzTcp *fz = owner;
  uint32_t laddr, raddr;
  tcp_endpoints(c, &laddr, &fz->h1.lport, &raddr, &fz->h1.rport);
  fuzz_h1_writable(fz);
  if ((fz->config & 3) == 2)
    fuzz_end_close(&fz->h1);
}

static void fuzz_h1_readable(void *owner)
{
  FuzzTcp *fz = owner;
  fuzz_end_drain(&fz->h1);
}

static void fuzz_h1_closed(void *owner, int err)
{
  FuzzTcp *fz = owner;
  (void)err;
  fuzz_end_close(&fz->h1);
}

static void fuzz_h2_writable(void *owner)
{
  FuzzTcp *fz = owner;
  if (fz->config & 8)
    fuzz_end_send(&fz->h2, FUZZ_REPLY, FALSE);
}

static void fuzz_h2_readable(void *owner)
{
  FuzzTcp *fz = owner;
  if ((fz->config & 4) && network_now(fz->net) < SIMTIME_S(2))
    return;
  if (fuzz_end_drain(&fz->h2) && (fz->config & 8))
    fuzz_end_close(&fz->h2);
}

static void fuzz_h2_closed(void *owner, int err)
{
  FuzzTcp *fz = owner;
  (void)err;
  fuzz_end_close(&fz->h2);
}

static void fuzz_no_connected(void *owner, TcpConn *c)
{
  (void)owner;
  (void)c;
}

static void fuzz_no_event(void *owner)
{
  (void)owner;
}

static void fuzz_no_closed(void *owner, int err)
{
  (void)owner;
  (void)err;
}

static void fuzz_accepted(void *owner, TcpConn *child);

static const TcpUpcalls fuzz_h1_upcalls = {fuzz_h1_connected, fuzz_accepted, fuzz_h1_readable, fuzz_h1_writable,
                                           fuzz_h1_closed};
static const TcpUpcalls fuzz_h2_upcalls = {fuzz_no_connected, fuzz_accepted, fuzz_h2_readable, fuzz_h2_writable,
                                           fuzz_h2_closed};
static const TcpUpcalls fuzz_listener_upcalls = {fuzz_no_connected, fuzz_accepted, fuzz_no_event, fuzz_no_event,
                                                 fuzz_no_closed};

/* The first connection accepted on port 80 becomes h2's end; any other
 * (a fuzzed handshake) is closed at once. */
static void fuzz_accepted(void *owner, TcpConn *child)
{
  FuzzTcp *fz = owner;
  uint32_t laddr, raddr;
  uint16_t lport, rport;
  tcp_endpoints(child, &laddr, &lport, &raddr, &rport);
  if (fz->h2.opened || lport != 80) {
    tcp_close(child);
    return;
  }
  fz->h2.c = child;
  fz->h2.opened = TRUE;
  fz->h2.lport = lport;
  fz->h2.rport = rport;
  tcp_set_owner(child, &fuzz_h2_upcalls, fz);
  fuzz_h2_writable(fz);
}

/* Reads back the trace and sets both ends' initial sequence numbers from
 * the SYN and the SYN-ACK (0 if the handshake did not show). */
static void fuzz_learn_isn(FuzzTcp *fz, const char *text)
{
  char **lines = g_strsplit(text ? text : "", "\n", -1);
  for (char **l = lines; *l; l++) {
    const char *tcp = strstr(*l, " TCP ");
    unsigned sport, dport;
    char flags[16];
    unsigned long seq;
    if (!tcp || !strstr(*l, " tx ") || sscanf(tcp, " TCP %u > %u [%15[^]]] seq %lu", &sport, &dport, flags, &seq) != 4)
      continue;
    if (strcmp(flags, "S") == 0 && dport == 80)
      fz->h1.iss = fz->h2.irs = (uint32_t)seq;
    else if (strcmp(flags, "S.") == 0 && sport == 80)
      fz->h2.iss = fz->h1.irs = (uint32_t)seq;
  }
  g_strfreev(lines);
}

static void fuzz_abort_h1(void *obj, void *arg)
{
  FuzzTcp *fz = obj;
  (void)arg;
  if (fz->h1.c)
    tcp_abort(fz->h1.c);
  fz->h1.c = NULL;
}

static void fuzz_read_late(void *obj, void *arg)
{
  (void)arg;
  fuzz_h2_readable(obj);
}

/* Opens the listeners and the connection and runs the handshake with a
 * text trace of the link layer, to learn the initial sequence numbers. */
static void fuzz_setup(FuzzTcp *fz, const Scenario *sc)
{
  Node *h1 = network_node(fz->net, 0), *h2 = network_node(fz->net, 1);
  int err;
  fz->h1.iface = node_iface(h1, 0);
  fz->h2.iface = node_iface(h2, 0);
  fz->listeners[0] = tcp_listen(h2, 0, 80, 4, &sc->tcp, &fuzz_listener_upcalls, fz, &err);
  fz->listeners[1] = tcp_listen(h2, 0, 81, 4, &sc->tcp, &fuzz_listener_upcalls, fz, &err);
  fz->h1.c = tcp_connect(h1, 0, 0, FUZZ_H2, 80, &sc->tcp, &fuzz_h1_upcalls, fz, &err);
  fz->h1.opened = fz->h1.c != NULL;
  if ((fz->config & 3) == 3)
    scheduler_at(fz->net->ctx.sched, SIMTIME_MS(50), fuzz_abort_h1, fz, NULL);
  if (fz->config & 4)
    scheduler_at(fz->net->ctx.sched, SIMTIME_S(2), fuzz_read_late, fz, NULL);

  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  fz->net->ctx.trace = trace_new(f, FALSE, TRACE_LINK);
  scheduler_run(fz->net->ctx.sched, FUZZ_START);
  trace_free(fz->net->ctx.trace);
  fz->net->ctx.trace = NULL;
  fclose(f);
  fuzz_learn_isn(fz, text);
  free(text);
}

/* ---- segments ------------------------------------------------------------- */

static void fuzz_put16(uint8_t *d, uint32_t v)
{
  d[0] = (uint8_t)(v >> 8);
  d[1] = (uint8_t)v;
}

static void fuzz_put32(uint8_t *d, uint32_t v)
{
  fuzz_put16(d, v >> 16);
  fuzz_put16(d + 2, v);
}

static uint32_t fuzz_get32(const uint8_t *d)
{
  return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static uint32_t fuzz_sum(const uint8_t *d, size_t len, uint32_t sum)
{
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)d[i] << 8 | d[i + 1];
  if (len & 1)
    sum += (uint32_t)d[len - 1] << 8;
  return sum;
}

static uint16_t fuzz_fold(uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Sets ports and, unless raw, seq and ack of the segment `t` (len >= 20)
 * going to end `e` from its peer. */
static void fuzz_fix_connection(FuzzEnd *e, uint8_t ctl, uint8_t *t)
{
  if (e->c) {
    e->received = tcp_stats(e->c)->bytes_received;
    e->acked = tcp_stats(e->c)->bytes_acked;
  }
  fuzz_put16(t, e->rport);
  fuzz_put16(t + 2, e->lport);
  if (ctl & 8)
    return;
  fuzz_put32(t + 4, e->irs + 1 + (uint32_t)e->received + fuzz_get32(t + 4));
  fuzz_put32(t + 8, e->iss + 1 + (uint32_t)e->acked + fuzz_get32(t + 8));
}

/* Builds the frame of record `r`: Ethernet from the peer's MAC, IPv4 with
 * a correct header, then the segment as the ctl byte says. */
static Packet *fuzz_frame(const FuzzRecord *r)
{
  FuzzTcp *fz = r->fz;
  guint target = r->ctl & 3;
  gboolean to_h2 = target != 1;
  Iface *to = to_h2 ? fz->h2.iface : fz->h1.iface, *from = to_h2 ? fz->h1.iface : fz->h2.iface;
  uint32_t src = to_h2 ? FUZZ_H1 : FUZZ_H2, dst = to_h2 ? FUZZ_H2 : FUZZ_H1;
  uint8_t f[14 + 20 + FUZZ_MAX_SEG];
  uint8_t *ip = f + 14, *t = f + 34;

  memcpy(f, to->mac, 6);
  memcpy(f + 6, from->mac, 6);
  fuzz_put16(f + 12, 0x0800);
  memset(ip, 0, 20);
  ip[0] = 0x45;
  fuzz_put16(ip + 2, (uint32_t)(20 + r->len));
  ip[8] = 64;
  ip[9] = 6;
  fuzz_put32(ip + 12, src);
  fuzz_put32(ip + 16, dst);
  fuzz_put16(ip + 10, fuzz_fold(fuzz_sum(ip, 20, 0)));
  memcpy(t, r->seg, r->len);
  if (r->len >= 20 && target <= 1)
    fuzz_fix_connection(to_h2 ? &fz->h2 : &fz->h1, r->ctl, t);
  if (r->len >= 4 && target == 2)
    fuzz_put16(t + 2, 81);
  if (r->len >= 18 && !(r->ctl & 4)) {
    uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + (uint32_t)r->len;
    fuzz_put16(t + 16, 0);
    fuzz_put16(t + 16, fuzz_fold(fuzz_sum(t, r->len, pseudo)));
  }
  return packet_new_from(fz->net->ctx.pool, f, 34 + r->len);
}

static void fuzz_deliver(void *obj, void *arg)
{
  FuzzRecord *r = obj;
  (void)arg;
  Iface *to = (r->ctl & 3) == 1 ? r->fz->h1.iface : r->fz->h2.iface;
  Packet *p = fuzz_frame(r);
  if (r->fz->debug) {
    GString *line = g_string_new(NULL);
    trace_format_line(line, network_now(r->fz->net), to->node, to, TRACE_RX, TRACE_FROM_ETHERNET, p->data,
                      packet_len(p), NULL);
    fprintf(stderr, "%s\n", line->str);
    g_string_free(line, TRUE);
  }
  ethernet_input(to, p);
}

/* Splits the input into records and schedules their arrivals. */
static void fuzz_schedule(FuzzTcp *fz, const uint8_t *data, size_t size)
{
  fz->records = g_array_new(FALSE, TRUE, sizeof(FuzzRecord));
  for (size_t at = 0; at + 3 <= size && fz->records->len < 256;) {
    size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
    len = MIN(MIN(len, size - at - 3), FUZZ_MAX_SEG);
    FuzzRecord r = {fz, data[at], data + at + 3, len};
    g_array_append_val(fz->records, r);
    at += 3 + len;
  }
  for (guint i = 0; i < fz->records->len; i++)
    scheduler_at(fz->net->ctx.sched, FUZZ_START + (SimTime)i * 100000, fuzz_deliver,
                 &g_array_index(fz->records, FuzzRecord, i), NULL);
}

static const Scenario *fuzz_scenario(guint which)
{
  static Scenario *sc[2];
  if (!sc[which]) {
    DiagList *diags = diag_list_new("fuzz-tcp.yaml");
    sc[which] = scenario_load_data(fuzz_yaml[which], strlen(fuzz_yaml[which]), "fuzz-tcp.yaml", diags);
    diag_list_print(diags, stderr);
    diag_list_free(diags);
    if (!sc[which])
      abort();
  }
  return sc[which];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  FuzzTcp fz = {.config = data[0]};
  const Scenario *sc = fuzz_scenario((fz.config >> 4) & 1);
  fz.net = build_network(sc);
  fuzz_setup(&fz, sc);
  fz.debug = g_getenv("FUZZ_TCP_DEBUG") != NULL;
  if (fz.debug)
    fprintf(stderr, "h1 iss %u, h2 iss %u, h1 %s, h2 %s\n", fz.h1.iss, fz.h2.iss,
            fz.h1.c ? tcp_state_name(tcp_state(fz.h1.c)) : "closed",
            fz.h2.c ? tcp_state_name(tcp_state(fz.h2.c)) : "closed");
  fuzz_schedule(&fz, data + 1, size - 1);
  if (fz.debug && strcmp(g_getenv("FUZZ_TCP_DEBUG"), "trace") == 0)
    fz.net->ctx.trace = trace_new(stderr, FALSE, TRACE_ALL);
  network_run(fz.net);
  if (fz.debug)
    fprintf(stderr, "at the end: h1 %s, h2 %s, %" PRIu64 " events\n",
            fz.h1.c ? tcp_state_name(tcp_state(fz.h1.c)) : "closed",
            fz.h2.c ? tcp_state_name(tcp_state(fz.h2.c)) : "closed", scheduler_executed(fz.net->ctx.sched));
  network_free(fz.net);
  g_array_free(fz.records, TRUE);
  return 0;
}
