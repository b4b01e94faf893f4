/*
 * udp-cbr: a constant bit rate UDP source. From its start until its stop
 * it sends one `size`-byte datagram every `interval` (the first at the
 * start, the last strictly before the stop) from an ephemeral port to the
 * destination's port. Each payload begins with a 4-byte sequence number
 * (0, 1, ...) and the 8-byte send time in nanoseconds, both in network
 * byte order, then zeros; a payload shorter than 12 bytes carries what
 * fits. udp-sink reads them back.
 *
 * Output: at the start `sending 1000-byte datagrams to 10.0.3.10:9000
 * every 80us (100Mbps)` (the rate given, else size x 8 / interval), at the
 * end `sent N datagrams (B bytes)` (B counts payload bytes), with `, F not
 * sent (S)` when IPv4 refused some (no route, link down, too big with DF).
 * A refused datagram still uses its sequence number.
 *
 * Cost: one event and one pooled packet per datagram; nothing else is
 * allocated while sending.
 *
 * Entry points (AppOps): udp_cbr_start(), udp_cbr_stop(),
 * udp_cbr_finish(), udp_cbr_free_state().
 *
 * Leaves out: jitter, bursts, on/off patterns, random sizes.
 */
#include "models/app/app.h"

#include <inttypes.h>

#include "models/transport/udp.h"
#include "sim/addr.h"
#include "sim/units.h"

#define UDP_CBR_SEQ_LEN 4
#define UDP_CBR_TIME_LEN 8

typedef struct {
  int sport;       /* bound source port, -1 when none */
  uint32_t seq;    /* of the next datagram */
  uint64_t bytes;  /* payload bytes sent */
  uint64_t failed; /* datagrams IPv4 refused */
  Ipv4SendResult last_error;
  SimTime next; /* time of the next datagram */
  EventId send_event;
} UdpCbrState;

static void udp_cbr_recv(void *owner, Packet *payload, const UdpMeta *meta)
{
  (void)owner;
  (void)meta;
  packet_free(payload);
}

static const UdpHandler udp_cbr_handler = {udp_cbr_recv, NULL};

/* The address the node sends from towards `dst`: its egress interface's,
 * or its first address when it has no route. */
static uint32_t udp_cbr_source_addr(Node *node, uint32_t dst)
{
  const Route *r = node->ip ? ipv4_route(node, dst) : NULL;
  if (r && r->iface && r->iface->has_ip)
    return r->iface->ip.addr;
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->has_ip)
      return node_iface(node, i)->ip.addr;
  return 0;
}

/* Writes `v` as n bytes in network byte order, as far as `room` allows. */
static void udp_cbr_put_be(uint8_t *out, size_t room, uint64_t v, size_t n)
{
  for (size_t i = 0; i < n && i < room; i++)
    out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* Builds and sends one datagram. */
static void udp_cbr_send_one(App *app, UdpCbrState *cs, SimTime now)
{
  const ScenarioApp *conf = app->conf;
  Packet *p = packet_new(app->net->pool, conf->size);
  uint8_t *data = packet_data(p);
  udp_cbr_put_be(data, conf->size, cs->seq, UDP_CBR_SEQ_LEN);
  if (conf->size > UDP_CBR_SEQ_LEN)
    udp_cbr_put_be(data + UDP_CBR_SEQ_LEN, conf->size - UDP_CBR_SEQ_LEN, (uint64_t)now, UDP_CBR_TIME_LEN);
  cs->seq++;
  Ipv4SendOpts opts = {.dst = conf->dst, .proto = IPPROTO_UDP_NUM, .ttl = conf->ttl};
  Ipv4SendResult res = udp_send(app->node, (uint16_t)cs->sport, conf->dst, conf->port, p, &opts);
  if (res == IPV4_SENT) {
    app->sent++;
    cs->bytes += conf->size;
  } else {
    cs->failed++;
    cs->last_error = res;
  }
}

/* Sends the datagram due now and schedules the next one while it falls
 * before the stop time. */
static void udp_cbr_send_event(void *obj, void *arg)
{
  App *app = obj;
  UdpCbrState *cs = app->state;
  const ScenarioApp *conf = app->conf;
  (void)arg;
  cs->send_event = EVENT_ID_NONE;
  if (conf->stop > 0 && cs->next >= conf->stop)
    return;
  udp_cbr_send_one(app, cs, cs->next);
  cs->next += conf->interval;
  if (conf->stop == 0 || cs->next < conf->stop)
    cs->send_event = scheduler_at(app->net->sched, cs->next, udp_cbr_send_event, app, NULL);
}

/* The bit rate to print: the one given, else size x 8 per interval. */
static uint64_t udp_cbr_rate(const ScenarioApp *conf)
{
  if (conf->rate_bps)
    return conf->rate_bps;
  if (conf->interval <= 0)
    return 0;
  return (uint64_t)conf->size * 8 * (uint64_t)SIMTIME_S(1) / (uint64_t)conf->interval;
}

static void udp_cbr_print_start(App *app)
{
  const ScenarioApp *conf = app->conf;
  char dst[ADDR_IPV4_TEXT];
  char *every = units_format_duration(conf->interval);
  uint64_t bps = udp_cbr_rate(conf);
  char *rate = bps ? units_format_rate(bps) : g_strdup("0bps");
  app_print(app, "sending %u-byte datagrams to %s:%u every %s (%s)", conf->size, addr_format_ipv4(conf->dst, dst),
            conf->port, every, rate);
  g_free(every);
  g_free(rate);
}

static void udp_cbr_start(App *app)
{
  const ScenarioApp *conf = app->conf;
  UdpCbrState *cs = g_new0(UdpCbrState, 1);
  app->state = cs;
  cs->sport = udp_bind(app->node, 0, &udp_cbr_handler, app);
  app->flow = (FlowKey){.src = udp_cbr_source_addr(app->node, conf->dst),
                        .dst = conf->dst,
                        .sport = (uint16_t)(cs->sport > 0 ? cs->sport : 0),
                        .dport = conf->port,
                        .proto = IPPROTO_UDP_NUM};
  udp_cbr_print_start(app);
  if (cs->sport <= 0 || conf->interval <= 0) {
    app_print(app, "cannot send: %s", cs->sport <= 0 ? "no free UDP port" : "no interval");
    return;
  }
  cs->next = network_now(app->net);
  udp_cbr_send_event(app, NULL);
}

static void udp_cbr_stop(App *app)
{
  UdpCbrState *cs = app->state;
  scheduler_cancel(app->net->sched, cs->send_event);
  cs->send_event = EVENT_ID_NONE;
  if (cs->sport > 0)
    udp_unbind(app->node, (uint16_t)cs->sport);
  cs->sport = -1;
}

static const char *udp_cbr_error_text(Ipv4SendResult res)
{
  switch (res) {
  case IPV4_ERR_NO_ROUTE:
    return "no route";
  case IPV4_ERR_MSG_SIZE:
    return "too big with DF";
  case IPV4_ERR_LINK_DOWN:
    return "link down";
  case IPV4_SENT:
    break;
  }
  return "sent";
}

static void udp_cbr_finish(App *app)
{
  UdpCbrState *cs = app->state;
  if (cs->failed)
    app_print(app, "sent %" PRIu64 " datagrams (%" PRIu64 " bytes), %" PRIu64 " not sent (%s)", app->sent, cs->bytes,
              cs->failed, udp_cbr_error_text(cs->last_error));
  else
    app_print(app, "sent %" PRIu64 " datagrams (%" PRIu64 " bytes)", app->sent, cs->bytes);
}

static void udp_cbr_free_state(App *app)
{
  g_free(app->state);
  app->state = NULL;
}

const AppOps app_udp_cbr_ops = {udp_cbr_start, udp_cbr_stop, udp_cbr_finish, udp_cbr_free_state};
