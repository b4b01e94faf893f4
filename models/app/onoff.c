/*
 * onoff: UDP traffic in on and off periods, like ns-3's OnOffApplication.
 * From its start it alternates an on period, during which it sends
 * `size`-byte datagrams at `rate` (one every ceil(size x 8 / rate) ns,
 * the first at the period's start, the last strictly before its end), and an off
 * period of silence, until its stop. Period lengths come from `on-time`
 * and `off-time`: constant, or drawn from an exponential distribution
 * with that mean, from the random stream "app/<name>/onoff" (on and off
 * draws alternate on the one stream). Payloads carry the 4-byte sequence
 * number and 8-byte send time of udp-cbr (app_stamp_write()), so udp-sink
 * counts their loss.
 *
 * Output: at the start `sending 1000-byte datagrams to 10.0.0.2:9000 at
 * 8Mbps, on 1s, off 1s` (`on exp(1s)` for an exponential mean), at the
 * end `sent N datagrams (B bytes) in P on periods`, with `, F not sent
 * (reason)` when the socket refused some.
 *
 * Results: sent, flow, and done_at, the time of the last datagram (with a
 * stop time).
 *
 * Differences from ns-3: the first datagram of each on period leaves at
 * the period's start (ns-3 waits one interval), and no partial datagram
 * carries over from one on period to the next.
 *
 * Entry points (AppOps): onoff_start(), onoff_stop(), onoff_finish(),
 * onoff_free_state().
 *
 * Leaves out: TCP, random sizes, a total byte limit (ns-3's MaxBytes).
 */
#include "models/app/app.h"

#include <inttypes.h>

#include "models/transport/socket.h"
#include "sim/text/addr.h"
#include "sim/kernel/rng.h"
#include "sim/text/units.h"

typedef struct {
  Socket *sock;
  uint8_t head[APP_STAMP_LEN]; /* the payload's stamp; zeros follow (socket_sendto_zeros()) */
  Rng rng;
  SimTime interval; /* between datagrams while on */
  SimTime next;     /* next datagram, or start of the next on period */
  SimTime on_end;   /* end of the current on period */
  uint32_t seq;
  uint64_t bytes, failed, periods;
  int last_error;
  EventId event;
} OnOffState;

/* A period length: the mean, or an exponential draw with that mean. */
static SimTime onoff_draw(OnOffState *os, const AppRandomTime *t)
{
  if (!t->exponential)
    return t->mean;
  return (SimTime)rng_exponential(&os->rng, (double)t->mean);
}

static void onoff_send_one(App *app, OnOffState *os, SimTime now)
{
  const AppConfig *conf = app->conf;
  size_t stamp = MIN((size_t)conf->size, sizeof os->head);
  app_stamp_write(os->head, stamp, os->seq++, now);
  ssize_t n = socket_sendto_zeros(os->sock, os->head, stamp, conf->size, conf->dst, conf->port);
  if (n >= 0) {
    app->sent++;
    os->bytes += conf->size;
  } else {
    os->failed++;
    os->last_error = (int)n;
  }
}

static gboolean onoff_before_stop(const App *app, SimTime t)
{
  return app->conf->stop == 0 || t < app->conf->stop;
}

static void onoff_on_event(void *obj, void *arg);

/* Sends the datagram due now; schedules the next one in this on period,
 * else the next on period after an off period. */
static void onoff_send_event(void *obj, void *arg)
{
  App *app = obj;
  OnOffState *os = app->state;
  (void)arg;
  os->event = EVENT_ID_NONE;
  onoff_send_one(app, os, os->next);
  os->next += os->interval;
  if (os->next < os->on_end) {
    if (onoff_before_stop(app, os->next))
      os->event = scheduler_at(app->ctx->sched, os->next, onoff_send_event, app, NULL);
    else
      app->done_at = sim_now(app->ctx);
    return;
  }
  os->next = os->on_end + onoff_draw(os, &app->conf->off_time);
  if (onoff_before_stop(app, os->next))
    os->event = scheduler_at(app->ctx->sched, os->next, onoff_on_event, app, NULL);
  else
    app->done_at = sim_now(app->ctx); /* the last datagram went */
}

/* Starts an on period at os->next: draws its length and sends (an empty
 * period goes straight to the next off period). */
static void onoff_on_event(void *obj, void *arg)
{
  App *app = obj;
  OnOffState *os = app->state;
  (void)arg;
  os->event = EVENT_ID_NONE;
  os->on_end = os->next + onoff_draw(os, &app->conf->on_time);
  os->periods++;
  if (os->on_end > os->next) {
    onoff_send_event(app, NULL);
    return;
  }
  os->next = os->on_end + onoff_draw(os, &app->conf->off_time);
  if (onoff_before_stop(app, os->next))
    os->event = scheduler_at(app->ctx->sched, os->next, onoff_on_event, app, NULL);
}

/* "1s", or "exp(1s)" for an exponential mean; g_free() it. */
static char *onoff_format_time(const AppRandomTime *t)
{
  char *d = units_format_duration(t->mean);
  if (!t->exponential)
    return d;
  char *e = g_strdup_printf("exp(%s)", d);
  g_free(d);
  return e;
}

static void onoff_print_start(App *app)
{
  const AppConfig *conf = app->conf;
  char dst[ADDR_IPV4_TEXT];
  char *rate = conf->rate_bps ? units_format_rate(conf->rate_bps) : g_strdup("0bps");
  char *on = onoff_format_time(&conf->on_time), *off = onoff_format_time(&conf->off_time);
  app_print(app, "sending %u-byte datagrams to %s:%u at %s, on %s, off %s", conf->size,
            addr_format_ipv4(conf->dst, dst), conf->port, rate, on, off);
  g_free(rate);
  g_free(on);
  g_free(off);
}

/* Why the app cannot send, or NULL. */
static const char *onoff_problem(const App *app, const OnOffState *os, int bind_err)
{
  const AppConfig *conf = app->conf;
  if (bind_err < 0)
    return socket_strerror(bind_err);
  if (os->interval <= 0)
    return "no rate or no size";
  if (conf->on_time.mean <= 0)
    return "no on time";
  return NULL;
}

static void onoff_start(App *app)
{
  const AppConfig *conf = app->conf;
  OnOffState *os = g_new0(OnOffState, 1);
  app->state = os;
  char *stream = g_strdup_printf("app/%s/onoff", conf->name);
  rng_init(&os->rng, app->ctx->seed, stream);
  g_free(stream);
  os->interval = conf->interval; /* the loader's ceil(size x 8 / rate), as udp-cbr */
  int err;
  os->sock = app_udp_sender(app, NULL, &err);
  onoff_print_start(app);
  const char *problem = onoff_problem(app, os, err);
  if (problem) {
    app_print(app, "cannot send: %s", problem);
    return;
  }
  os->next = sim_now(app->ctx);
  onoff_on_event(app, NULL);
}

static void onoff_stop(App *app)
{
  OnOffState *os = app->state;
  scheduler_cancel(app->ctx->sched, os->event);
  os->event = EVENT_ID_NONE;
  socket_close(os->sock);
  os->sock = NULL;
}

static void onoff_finish(App *app)
{
  OnOffState *os = app->state;
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "sent %" PRIu64 " %s (%" PRIu64 " bytes) in %" PRIu64 " on %s", app->sent,
                         units_plural(app->sent, "datagram", "datagrams"), os->bytes, os->periods,
                         units_plural(os->periods, "period", "periods"));
  if (os->failed)
    g_string_append_printf(line, ", %" PRIu64 " not sent (%s)", os->failed, app_socket_error_text(os->last_error));
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

static void onoff_free_state(App *app)
{
  OnOffState *os = app->state;
  if (!os)
    return;
  socket_close(os->sock);
  g_free(os);
  app->state = NULL;
}

const AppOps app_onoff_ops = {onoff_start, onoff_stop, onoff_finish, onoff_free_state};
