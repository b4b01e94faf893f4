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
 * A refused datagram still uses its sequence number. Results: sent, flow,
 * and done_at, the time of the last datagram (with a stop time).
 *
 * It sends through a UDP socket (models/transport/socket.h) bound to an
 * ephemeral port, with socket_sendto_zeros(): the payload is the stamp,
 * then zeros, as iperf's buffer.
 *
 * Cost: one event and one pooled packet per datagram (zeroed, the stamp
 * copied in; the checksum reads only the stamp and the headers); nothing
 * else is allocated while sending.
 *
 * Entry points (AppOps): udp_cbr_start(), udp_cbr_stop(),
 * udp_cbr_finish(), udp_cbr_free_state().
 *
 * Leaves out: jitter, bursts, on/off patterns, random sizes.
 */
#include "models/app/app.h"

#include <inttypes.h>

#include "models/transport/socket.h"
#include "sim/text/addr.h"
#include "sim/text/units.h"

typedef struct {
  Socket *sock;                /* bound to an ephemeral port; NULL once stopped */
  uint8_t head[APP_STAMP_LEN]; /* the payload's stamp; zeros follow (socket_sendto_zeros()) */
  uint32_t seq;                /* of the next datagram */
  uint64_t bytes;              /* payload bytes sent */
  uint64_t failed;             /* datagrams the socket refused */
  int last_error;              /* the last refusal's errno */
  SimTime next;                /* time of the next datagram */
  EventId send_event;
} UdpCbrState;

/* Stamps and sends one datagram. */
static void udp_cbr_send_one(App *app, UdpCbrState *cs, SimTime now)
{
  const AppConfig *conf = app->conf;
  size_t stamp = MIN((size_t)conf->size, sizeof cs->head);
  app_stamp_write(cs->head, stamp, cs->seq, now);
  cs->seq++;
  ssize_t n = socket_sendto_zeros(cs->sock, cs->head, stamp, conf->size, conf->dst, conf->port);
  if (n >= 0) {
    app->sent++;
    cs->bytes += conf->size;
  } else {
    cs->failed++;
    cs->last_error = (int)n;
  }
}

/* Sends the datagram due now and schedules the next one while it falls
 * before the stop time. */
static void udp_cbr_send_event(void *obj, void *arg)
{
  App *app = obj;
  UdpCbrState *cs = app->state;
  const AppConfig *conf = app->conf;
  (void)arg;
  cs->send_event = EVENT_ID_NONE;
  if (conf->stop > 0 && cs->next >= conf->stop)
    return;
  udp_cbr_send_one(app, cs, cs->next);
  cs->next += conf->interval;
  if (conf->stop == 0 || cs->next < conf->stop)
    cs->send_event = scheduler_at(app->ctx->sched, cs->next, udp_cbr_send_event, app, NULL);
  else
    app->done_at = sim_now(app->ctx); /* the last datagram went */
}

/* The bit rate to print: the one given, else size x 8 per interval. */
static uint64_t udp_cbr_rate(const AppConfig *conf)
{
  if (conf->rate_bps)
    return conf->rate_bps;
  if (conf->interval <= 0)
    return 0;
  return (uint64_t)conf->size * 8 * (uint64_t)SIMTIME_S(1) / (uint64_t)conf->interval;
}

static void udp_cbr_print_start(App *app)
{
  const AppConfig *conf = app->conf;
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
  const AppConfig *conf = app->conf;
  UdpCbrState *cs = g_new0(UdpCbrState, 1);
  app->state = cs;
  int err;
  cs->sock = app_udp_sender(app, NULL, &err);
  udp_cbr_print_start(app);
  if (err < 0 || conf->interval <= 0) {
    app_print(app, "cannot send: %s", err < 0 ? "no free UDP port" : "no interval");
    return;
  }
  cs->next = sim_now(app->ctx);
  udp_cbr_send_event(app, NULL);
}

static void udp_cbr_stop(App *app)
{
  UdpCbrState *cs = app->state;
  scheduler_cancel(app->ctx->sched, cs->send_event);
  cs->send_event = EVENT_ID_NONE;
  socket_close(cs->sock);
  cs->sock = NULL;
}

static void udp_cbr_finish(App *app)
{
  UdpCbrState *cs = app->state;
  if (cs->failed)
    app_print(app, "sent %" PRIu64 " %s (%" PRIu64 " bytes), %" PRIu64 " not sent (%s)", app->sent,
              units_plural(app->sent, "datagram", "datagrams"), cs->bytes, cs->failed,
              app_socket_error_text(cs->last_error));
  else
    app_print(app, "sent %" PRIu64 " %s (%" PRIu64 " bytes)", app->sent,
              units_plural(app->sent, "datagram", "datagrams"), cs->bytes);
}

static void udp_cbr_free_state(App *app)
{
  UdpCbrState *cs = app->state;
  if (!cs)
    return;
  socket_close(cs->sock);
  g_free(cs);
  app->state = NULL;
}

const AppOps app_udp_cbr_ops = {udp_cbr_start, udp_cbr_stop, udp_cbr_finish, udp_cbr_free_state};
