/*
 * traceroute: probes with rising TTL that make each router on the path
 * answer with ICMP time exceeded, until the destination answers (UDP
 * probes: port unreachable; ICMP probes: echo reply) or the TTL reaches
 * the maximum. Output in the format of Linux traceroute (Dmitry Butskoy's
 * traceroute 2.x):
 *
 *   traceroute to 10.0.3.10 (10.0.3.10), 30 hops max, 60 byte packets
 *    1  r1 (10.0.1.1)  0.512 ms  0.498 ms  0.501 ms
 *    2  * * *
 *    3  h2 (10.0.3.10)  1.234 ms  1.201 ms  1.199 ms
 *
 * Each responder prints as the name of the node that holds its address
 * (as a reverse DNS lookup would), or the address twice when no node does;
 * a probe answered by the same responder as the previous answered probe
 * of its hop prints its time only; `*` is a probe with no answer within
 * `wait`. Errors other than TTL exceeded and the destination's own answer
 * are annotated as Linux does (`!H`, `!N`, `!P`, `!F-<mtu>`, `!<code>`)
 * and end the trace after their hop. RTTs print with three decimals of
 * milliseconds (rounded to the microsecond).
 *
 * Probes: UDP datagrams of 32 bytes (0x40, 0x41, ...) from a bound
 * ephemeral port to port `port` + n for the n-th probe (33434, 33435, ...
 * by default), or ICMP echo requests with the same data and sequence n+1;
 * 60-byte IP packets either way, as Linux's default.
 *
 * Entry points (AppOps): traceroute_start(), traceroute_stop(),
 * traceroute_finish(), traceroute_free_state().
 *
 * Leaves out (simpler than Linux): probes go one at a time, each sent when
 * the previous one is answered or timed out (Linux sends up to 16 at once
 * and shortens its waits with the "here" and "near" factors); late answers
 * to a timed-out probe are ignored; at most 4 probes per hop (AppHop);
 * TCP and other probe methods; AS lookups; extensions (MPLS).
 */
#include "models/app/app.h"

#include <inttypes.h>
#include <string.h>

#include "models/transport/udp.h"
#include "sim/text/addr.h"

#define TRACEROUTE_DATA_LEN 32
#define TRACEROUTE_PACKET_LEN (IPV4_HEADER_LEN + UDP_HEADER_LEN + TRACEROUTE_DATA_LEN)
#define TRACEROUTE_MAX_QUERIES ((guint)G_N_ELEMENTS(((AppHop *)0)->addr))
#define TRACEROUTE_ERR_LEN 12

typedef struct {
  int sport;        /* UDP probes: the bound source port, -1 when none */
  uint16_t id;      /* ICMP probes: the echo identifier, 0 when none */
  uint8_t ttl;      /* the TTL being probed */
  guint probe;      /* the probe of this TTL being waited for */
  guint queries;    /* probes per hop */
  uint32_t seq;     /* probes sent so far */
  SimTime sent_at;  /* when the current probe left */
  gboolean waiting; /* a probe is out */
  gboolean final;   /* this hop ends the trace */
  gboolean done;
  EventId timer; /* the current probe's timeout or the next probe */
  AppHop hop;    /* the hop being probed */
  char err[4][TRACEROUTE_ERR_LEN];
  uint8_t data[TRACEROUTE_DATA_LEN];
} TracerouteState;

static void traceroute_send_event(void *obj, void *arg);
static void traceroute_on_icmp(void *owner, const IcmpMessage *msg);
static void traceroute_udp_recv(void *owner, Packet *payload, const UdpMeta *meta);
static void traceroute_udp_error(void *owner, const IcmpMessage *msg, uint16_t dport);

static const UdpHandler traceroute_udp_handler = {traceroute_udp_recv, traceroute_udp_error};

static void traceroute_start(App *app)
{
  const AppConfig *conf = app->conf;
  TracerouteState *ts = g_new0(TracerouteState, 1);
  app->state = ts;
  app->hops = g_array_new(FALSE, TRUE, sizeof(AppHop));
  ts->sport = -1;
  ts->ttl = 1;
  ts->queries = CLAMP(conf->queries, 1, TRACEROUTE_MAX_QUERIES);
  for (guint i = 0; i < TRACEROUTE_DATA_LEN; i++)
    ts->data[i] = (uint8_t)(0x40 + (i & 0x3f));
  char dst[ADDR_IPV4_TEXT];
  addr_format_ipv4(conf->dst, dst);
  app_print(app, "traceroute to %s (%s), %u hops max, %u byte packets", dst, dst, conf->ttl, TRACEROUTE_PACKET_LEN);
  if (conf->icmp)
    ts->id = app_icmp_listen(app, traceroute_on_icmp);
  else
    ts->sport = udp_bind(app->node, 0, &traceroute_udp_handler, app);
  traceroute_send_event(app, NULL);
}

/* Releases the port or identifier and marks the trace finished. */
static void traceroute_end(App *app)
{
  TracerouteState *ts = app->state;
  if (ts->done)
    return;
  ts->done = TRUE;
  app->running = FALSE;
  scheduler_cancel(app->ctx->sched, ts->timer);
  ts->timer = EVENT_ID_NONE;
  if (ts->sport > 0)
    udp_unbind(app->node, (uint16_t)ts->sport);
  if (ts->id)
    icmp_unlisten(app->node, ts->id);
}

/* Appends " name (addr)" for a responder: its node's name, or the address. */
static void traceroute_append_addr(GString *line, const Network *net, uint32_t addr)
{
  char text[ADDR_IPV4_TEXT];
  addr_format_ipv4(addr, text);
  Node *node = network_find_node_by_addr(net, addr, NULL);
  g_string_append_printf(line, " %s (%s)", node ? node->name : text, text);
}

/* TRUE when probe i's responder must be printed: it is the first answered
 * probe of the hop or differs from the last answered one before it. */
static gboolean traceroute_new_responder(const AppHop *hop, guint i)
{
  for (guint j = i; j-- > 0;)
    if (hop->addr[j])
      return hop->addr[j] != hop->addr[i];
  return TRUE;
}

/* Prints the line of the hop just completed, as Linux's print_probe(). */
static void traceroute_print_hop(App *app)
{
  TracerouteState *ts = app->state;
  const AppHop *hop = &ts->hop;
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%2u ", ts->ttl);
  for (guint i = 0; i < ts->queries; i++) {
    if (!hop->addr[i]) {
      g_string_append(line, " *");
      continue;
    }
    if (traceroute_new_responder(hop, i))
      traceroute_append_addr(line, app->net, hop->addr[i]);
    int64_t us = (hop->rtt[i] + 500) / 1000;
    g_string_append_printf(line, "  %" PRId64 ".%03" PRId64 " ms", us / 1000, us % 1000);
    if (ts->err[i][0])
      g_string_append_printf(line, " %s", ts->err[i]);
  }
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

/* Closes the current hop: records and prints it, then ends the trace or
 * moves to the next TTL. */
static void traceroute_hop_done(App *app)
{
  TracerouteState *ts = app->state;
  g_array_append_val(app->hops, ts->hop);
  traceroute_print_hop(app);
  if (ts->final || ts->ttl >= app->conf->ttl) {
    traceroute_end(app);
    return;
  }
  ts->ttl++;
  ts->probe = 0;
  memset(&ts->hop, 0, sizeof ts->hop);
  memset(ts->err, 0, sizeof ts->err);
  traceroute_send_event(app, NULL);
}

/* The current probe is answered or timed out: send the next one (from an
 * event of its own, so that no probe is sent from inside ICMP input) or
 * close the hop. */
static void traceroute_probe_done(App *app)
{
  TracerouteState *ts = app->state;
  ts->waiting = FALSE;
  scheduler_cancel(app->ctx->sched, ts->timer);
  ts->timer = EVENT_ID_NONE;
  if (++ts->probe < ts->queries)
    ts->timer = scheduler_after(app->ctx->sched, 0, traceroute_send_event, app, NULL);
  else
    traceroute_hop_done(app);
}

static void traceroute_timeout_event(void *obj, void *arg)
{
  App *app = obj;
  TracerouteState *ts = app->state;
  (void)arg;
  ts->timer = EVENT_ID_NONE;
  traceroute_probe_done(app);
}

/* Sends the current probe; returns what IPv4 said. */
static Ipv4SendResult traceroute_send_probe(App *app)
{
  TracerouteState *ts = app->state;
  const AppConfig *conf = app->conf;
  Ipv4SendOpts opts = {.dst = conf->dst, .ttl = ts->ttl};
  if (conf->icmp) {
    opts.proto = IPPROTO_ICMP_NUM;
    return icmp_send_echo(app->node, conf->dst, ts->id, (uint16_t)ts->seq, ts->data, TRACEROUTE_DATA_LEN, &opts);
  }
  opts.proto = IPPROTO_UDP_NUM;
  Packet *p = packet_new_from(app->ctx->pool, ts->data, TRACEROUTE_DATA_LEN);
  uint16_t dport = (uint16_t)(conf->port + ts->seq - 1);
  return udp_send(app->node, (uint16_t)ts->sport, conf->dst, dport, p, &opts);
}

/* Sends the next probe and arms its timeout. A probe IPv4 cannot send
 * ends the trace, as Linux traceroute exits on a failed send(). */
static void traceroute_send_event(void *obj, void *arg)
{
  App *app = obj;
  TracerouteState *ts = app->state;
  (void)arg;
  ts->timer = EVENT_ID_NONE;
  ts->seq++;
  ts->sent_at = sim_now(app->ctx);
  ts->waiting = TRUE;
  Ipv4SendResult res = traceroute_send_probe(app);
  if (res == IPV4_ERR_NO_ROUTE || res == IPV4_ERR_LINK_DOWN) {
    app_print(app, "send: %s", res == IPV4_ERR_NO_ROUTE ? "Network is unreachable" : "Network is down");
    traceroute_end(app);
    return;
  }
  ts->timer = scheduler_after(app->ctx->sched, app->conf->wait, traceroute_timeout_event, app, NULL);
}

/* Records an answer to the current probe: who, how long, and whether it
 * ends the trace (the destination reached, or unreachable: `err`). */
static void traceroute_answer(App *app, uint32_t from, gboolean final, const char *err)
{
  TracerouteState *ts = app->state;
  ts->hop.addr[ts->probe] = from;
  ts->hop.rtt[ts->probe] = sim_now(app->ctx) - ts->sent_at;
  g_strlcpy(ts->err[ts->probe], err, TRACEROUTE_ERR_LEN);
  if (final) {
    ts->final = TRUE;
    if (!err[0]) /* port unreachable or echo reply: the destination itself */
      app->reached = TRUE;
  }
  traceroute_probe_done(app);
}

/* Classifies an ICMP error as Linux's parse_icmp_res(): TTL exceeded is
 * an ordinary hop; any unreachable ends the trace, the destination's
 * port unreachable without annotation. */
static void traceroute_on_error(App *app, const IcmpMessage *msg)
{
  char err[TRACEROUTE_ERR_LEN] = "";
  if (msg->type == ICMP_TIME_EXCEEDED && msg->code == ICMP_TIMXCEED_INTRANS) {
    traceroute_answer(app, msg->ip->src, FALSE, "");
    return;
  }
  if (msg->type == ICMP_UNREACH) {
    switch (msg->code) {
    case ICMP_UNREACH_NET:
      g_strlcpy(err, "!N", sizeof err);
      break;
    case ICMP_UNREACH_HOST:
      g_strlcpy(err, "!H", sizeof err);
      break;
    case ICMP_UNREACH_PROTOCOL:
      g_strlcpy(err, "!P", sizeof err);
      break;
    case ICMP_UNREACH_PORT:
      break;
    case ICMP_UNREACH_NEEDFRAG:
      g_snprintf(err, sizeof err, "!F-%u", msg->mtu);
      break;
    default:
      g_snprintf(err, sizeof err, "!<%u>", msg->code);
    }
  } else {
    g_snprintf(err, sizeof err, "!<%u>", msg->code);
  }
  traceroute_answer(app, msg->ip->src, TRUE, err);
}

/* An ICMP error about a UDP probe: it answers the current probe when it
 * quotes the current probe's destination port. */
static void traceroute_udp_error(void *owner, const IcmpMessage *msg, uint16_t dport)
{
  App *app = owner;
  TracerouteState *ts = app->state;
  if (ts->done || !ts->waiting || msg->quoted_dst != app->conf->dst)
    return;
  if (dport != (uint16_t)(app->conf->port + ts->seq - 1))
    return;
  traceroute_on_error(app, msg);
}

/* A datagram to the probes' source port: nobody reads it. */
static void traceroute_udp_recv(void *owner, Packet *payload, const UdpMeta *meta)
{
  (void)owner;
  (void)meta;
  packet_free(payload);
}

/* ICMP probes: an echo reply from the destination or an error quoting
 * the current probe. */
static void traceroute_on_icmp(void *owner, const IcmpMessage *msg)
{
  App *app = owner;
  TracerouteState *ts = app->state;
  if (ts->done || !ts->waiting || msg->seq != (uint16_t)ts->seq)
    return;
  if (msg->type == ICMP_ECHO_REPLY)
    traceroute_answer(app, msg->ip->src, TRUE, "");
  else if ((msg->type == ICMP_UNREACH || msg->type == ICMP_TIME_EXCEEDED) && msg->quoted_dst == app->conf->dst)
    traceroute_on_error(app, msg);
}

/* A `stop` time or the end of the run: the hop being probed is dropped
 * unprinted, as when Linux traceroute is interrupted. */
static void traceroute_stop(App *app)
{
  traceroute_end(app);
}

static void traceroute_finish(App *app)
{
  (void)app; /* every hop was printed as it completed */
}

static void traceroute_free_state(App *app)
{
  g_free(app->state);
  app->state = NULL;
}

const AppOps app_traceroute_ops = {traceroute_start, traceroute_stop, traceroute_finish, traceroute_free_state};
