/*
 * ping: ICMP echo requests at a fixed interval and the replies and errors
 * they bring back, printed in the format of Linux iputils ping run on an
 * address (`ping -n`): the header, one line per reply or error, and the
 * closing statistics.
 *
 * Entry points (AppOps): ping_start() (the header and the first request);
 * ping_stop() (the run or `stop:` ends it: the summary); ping_finish();
 * ping_free_state(). Internally: ping_send() per interval, ping_on_icmp()
 * from ICMP, ping_exit().
 *
 * Like iputils: a request carries `size` bytes of data, the first 16 the
 * send time as a 64-bit Linux timeval (seconds and microseconds, little
 * endian as on x86-64), the rest the bytes 0x10, 0x11, ... (byte i holds
 * i); RTTs are whole microseconds (the difference of the two timevals),
 * read back from the reply's data, so a payload under 16 bytes gives no
 * times. Replies print `time=` with iputils' precision (3 decimals below
 * 1 ms, 2 below 10 ms, 1 below 100 ms, none above); the summary's
 * min/avg/max/mdev use iputils' integer arithmetic (mdev is the population
 * standard deviation, duplicates included). Duplicates print `(DUP!)`
 * and count apart. ICMP errors about our requests print `From ADDR
 * icmp_seq=N <reason>` and count as errors; a request refused locally
 * for its size (DF) prints `ping: local error: message too long, mtu=M`,
 * counts as transmitted and as an error. With a count, ping exits (and
 * prints its summary) when every request is answered or failed, or after
 * the last request waits max(2 x the largest RTT, interval), or 10 s with
 * no reply at all, as iputils does; a `stop` or the end of the run ends it
 * too.
 *
 * Leaves out: host names (addresses only), the blank line before the
 * summary, ipg/ewma (flood and adaptive modes only), record route,
 * patterns, timestamps (-D), the deadline's exit-on-error rule.
 */
#include "models/app/app.h"

#include <inttypes.h>
#include <string.h>

#include "sim/text/addr.h"

#define PING_DUP_BITS 0x10000     /* iputils' MAX_DUP_CHK */
#define PING_TIMEVAL_LEN 16       /* struct timeval on 64-bit Linux */
#define PING_LINGER SIMTIME_S(10) /* iputils' MAXWAIT */

typedef struct {
  uint16_t id;
  gboolean timing; /* the payload holds a timeval */
  gboolean exited;
  gboolean stopped; /* ended by its stop time or the end of the run, not by its count */
  uint64_t ntransmitted, nreceived, nrepeats, nerrors;
  int64_t tsum, tsum2, tmin, tmax; /* microseconds, as iputils */
  int pipesize;
  uint16_t acked;
  SimTime start_time, last_send;
  EventId send_event, exit_event;
  uint8_t *outpack;                /* the request's data, `size` bytes */
  uint8_t rcvd[PING_DUP_BITS / 8]; /* replies seen, by icmp_seq */
  char dst_text[ADDR_IPV4_TEXT];
} PingState;

static void ping_send_event(void *obj, void *arg);
static void ping_exit(App *app);
static void ping_on_icmp(void *owner, const IcmpMessage *msg);

static gboolean ping_rcvd_test(const PingState *ps, uint16_t seq)
{
  return (ps->rcvd[seq >> 3] >> (seq & 7)) & 1;
}

static void ping_rcvd_set(PingState *ps, uint16_t seq, gboolean on)
{
  if (on)
    ps->rcvd[seq >> 3] |= (uint8_t)(1u << (seq & 7));
  else
    ps->rcvd[seq >> 3] &= (uint8_t) ~(1u << (seq & 7));
}

/* Records that `seq` was answered (reply or error), tracking the most
 * requests ever outstanding at once, as iputils' acknowledge(). */
static void ping_acknowledge(PingState *ps, uint16_t seq)
{
  uint16_t diff = (uint16_t)((uint16_t)ps->ntransmitted - seq);
  if (diff > 0x7FFF)
    return;
  if ((int)diff + 1 > ps->pipesize)
    ps->pipesize = diff + 1;
  if ((int16_t)(seq - ps->acked) > 0 || (uint16_t)((uint16_t)ps->ntransmitted - ps->acked) > 0x7FFF)
    ps->acked = seq;
}

/* Writes `t` into the first 16 bytes of `out` as a little-endian timeval. */
static void ping_put_timeval(uint8_t *out, SimTime t)
{
  uint64_t sec = (uint64_t)(t / SIMTIME_S(1));
  uint64_t usec = (uint64_t)((t % SIMTIME_S(1)) / 1000);
  for (int i = 0; i < 8; i++) {
    out[i] = (uint8_t)(sec >> (8 * i));
    out[8 + i] = (uint8_t)(usec >> (8 * i));
  }
}

/* Reads a timeval written by ping_put_timeval() as microseconds. */
static int64_t ping_get_timeval_us(const uint8_t *in)
{
  uint64_t sec = 0, usec = 0;
  for (int i = 0; i < 8; i++) {
    sec |= (uint64_t)in[i] << (8 * i);
    usec |= (uint64_t)in[8 + i] << (8 * i);
  }
  return (int64_t)(sec * 1000000 + usec);
}

static void ping_start(App *app)
{
  const AppConfig *conf = app->conf;
  PingState *ps = g_new0(PingState, 1);
  app->state = ps;
  addr_format_ipv4(conf->dst, ps->dst_text);
  ps->timing = conf->size >= PING_TIMEVAL_LEN;
  ps->tmin = INT64_MAX;
  ps->outpack = g_malloc(conf->size ? conf->size : 1);
  for (uint32_t i = 0; i < conf->size; i++)
    ps->outpack[i] = (uint8_t)i;
  if (!app->node->ip || (!ipv4_is_local(app->node, conf->dst) && !ipv4_route(app->node, conf->dst))) {
    /* iputils connect()s first and exits with status 2. */
    app_print(app, "ping: connect: Network is unreachable");
    ps->exited = TRUE;
    app->running = FALSE;
    return;
  }
  ps->id = app_icmp_listen(app, ping_on_icmp);
  ps->start_time = sim_now(app->ctx);
  app_print(app, "PING %s (%s) %u(%u) bytes of data.", ps->dst_text, ps->dst_text, conf->size, conf->size + 28);
  ping_send_event(app, NULL);
}

/* The egress MTU towards `dst`, for the local error message. */
static uint32_t ping_route_mtu(Node *node, uint32_t dst)
{
  const Route *r = ipv4_route(node, dst);
  return r && r->iface ? r->iface->mtu : 0;
}

/* Reports a request that IPv4 refused to send, as iputils does. */
static void ping_local_error(App *app, Ipv4SendResult res)
{
  PingState *ps = app->state;
  switch (res) {
  case IPV4_ERR_MSG_SIZE:
    ps->nerrors++;
    app_print(app, "ping: local error: message too long, mtu=%u", ping_route_mtu(app->node, app->conf->dst));
    break;
  case IPV4_ERR_NO_ROUTE:
    app_print(app, "ping: sendmsg: Network is unreachable");
    break;
  case IPV4_ERR_LINK_DOWN:
    app_print(app, "ping: sendmsg: Network is down");
    break;
  case IPV4_SENT:
    break;
  }
}

/* TRUE when every request of a counted ping is answered or failed. */
static gboolean ping_done(const App *app)
{
  const PingState *ps = app->state;
  return app->conf->count && ps->nreceived + ps->nerrors >= app->conf->count;
}

static void ping_exit_event(void *obj, void *arg)
{
  (void)arg;
  ping_exit(obj);
}

/* After the last request: how long iputils waits for the answers. */
static void ping_schedule_exit(App *app)
{
  PingState *ps = app->state;
  SimTime wait = PING_LINGER;
  if (ps->nreceived) {
    wait = SIMTIME_US(2 * ps->tmax);
    if (wait < app->conf->interval)
      wait = app->conf->interval;
  }
  ps->exit_event = scheduler_after(app->ctx->sched, wait, ping_exit_event, app, NULL);
}

/* Sends one echo request, then schedules the next one or the exit. */
static void ping_send_event(void *obj, void *arg)
{
  App *app = obj;
  PingState *ps = app->state;
  const AppConfig *conf = app->conf;
  (void)arg;
  ps->send_event = EVENT_ID_NONE;
  uint16_t seq = (uint16_t)(ps->ntransmitted + 1);
  SimTime now = sim_now(app->ctx);
  if (ps->timing)
    ping_put_timeval(ps->outpack, now);
  ping_rcvd_set(ps, seq, FALSE);
  Ipv4SendOpts opts = {.dst = conf->dst, .proto = IPPROTO_ICMP_NUM, .ttl = conf->ttl, .df = conf->df};
  Ipv4SendResult res = icmp_send_echo(app->node, conf->dst, ps->id, seq, ps->outpack, conf->size, &opts);
  ps->ntransmitted++;
  app->sent = ps->ntransmitted;
  ps->last_send = now;
  ping_local_error(app, res);
  if (ping_done(app)) {
    ping_exit(app);
    return;
  }
  if (conf->count && ps->ntransmitted >= conf->count)
    ping_schedule_exit(app);
  else
    ps->send_event = scheduler_after(app->ctx->sched, conf->interval, ping_send_event, app, NULL);
}

/* Formats a round-trip time in microseconds as iputils does. */
static void ping_format_time(GString *out, int64_t t)
{
  if (t >= 100000 - 50)
    g_string_append_printf(out, " time=%" PRId64 " ms", (t + 500) / 1000);
  else if (t >= 10000 - 5)
    g_string_append_printf(out, " time=%" PRId64 ".%01" PRId64 " ms", (t + 50) / 1000, ((t + 50) % 1000) / 100);
  else if (t >= 1000)
    g_string_append_printf(out, " time=%" PRId64 ".%02" PRId64 " ms", (t + 5) / 1000, ((t + 5) % 1000) / 10);
  else
    g_string_append_printf(out, " time=%" PRId64 ".%03" PRId64 " ms", t / 1000, t % 1000);
}

/* Adds one round-trip time (microseconds) to the statistics. */
static void ping_account_rtt(PingState *ps, int64_t t)
{
  ps->tsum += t;
  ps->tsum2 += t * t;
  if (t < ps->tmin)
    ps->tmin = t;
  if (t > ps->tmax)
    ps->tmax = t;
}

/* Handles an echo reply: counts it (a duplicate apart), measures its RTT
 * from the timeval it carries, and prints its line. */
static void ping_on_reply(App *app, const IcmpMessage *msg)
{
  PingState *ps = app->state;
  size_t cc = msg->data_len + ICMP_HEADER_LEN;
  int64_t triptime = 0;
  ps->nreceived++;
  ping_acknowledge(ps, msg->seq);
  if (ps->timing && msg->data_len >= PING_TIMEVAL_LEN) {
    triptime = sim_now(app->ctx) / 1000 - ping_get_timeval_us(msg->data);
    ping_account_rtt(ps, triptime);
  }
  gboolean dup = ping_rcvd_test(ps, msg->seq);
  if (dup) {
    ps->nrepeats++;
    ps->nreceived--;
  } else {
    ping_rcvd_set(ps, msg->seq, TRUE);
  }
  app->received = ps->nreceived;
  if (!app_wants_output(app))
    return;
  char from[ADDR_IPV4_TEXT];
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%zu bytes from %s: icmp_seq=%u ttl=%u", cc, addr_format_ipv4(msg->ip->src, from),
                         msg->seq, msg->ip->ttl);
  if (cc < app->conf->size + ICMP_HEADER_LEN)
    g_string_append(line, " (truncated)");
  else if (ps->timing)
    ping_format_time(line, triptime);
  if (dup && cc >= app->conf->size + ICMP_HEADER_LEN)
    g_string_append(line, " (DUP!)");
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

/* The text iputils' pr_icmph() prints for an ICMP error. */
static char *ping_error_text(const IcmpMessage *msg)
{
  if (msg->type == ICMP_TIME_EXCEEDED)
    return g_strdup(msg->code == ICMP_TIMXCEED_INTRANS ? "Time to live exceeded" : "Frag reassembly time exceeded");
  switch (msg->code) {
  case ICMP_UNREACH_NET:
    return g_strdup("Destination Net Unreachable");
  case ICMP_UNREACH_HOST:
    return g_strdup("Destination Host Unreachable");
  case ICMP_UNREACH_PROTOCOL:
    return g_strdup("Destination Protocol Unreachable");
  case ICMP_UNREACH_PORT:
    return g_strdup("Destination Port Unreachable");
  case ICMP_UNREACH_NEEDFRAG:
    return g_strdup_printf("Frag needed and DF set (mtu = %u)", msg->mtu);
  default:
    return g_strdup_printf("Dest Unreachable, Bad Code: %u", msg->code);
  }
}

/* Handles an ICMP error quoting one of our requests. */
static void ping_on_error(App *app, const IcmpMessage *msg)
{
  PingState *ps = app->state;
  if (msg->quoted_dst != app->conf->dst)
    return;
  ping_acknowledge(ps, msg->seq);
  ps->nerrors++;
  if (!app_wants_output(app))
    return;
  char from[ADDR_IPV4_TEXT];
  char *text = ping_error_text(msg);
  app_print(app, "From %s icmp_seq=%u %s", addr_format_ipv4(msg->ip->src, from), msg->seq, text);
  g_free(text);
}

/* The ICMP listener: echo replies and errors for our identifier. */
static void ping_on_icmp(void *owner, const IcmpMessage *msg)
{
  App *app = owner;
  PingState *ps = app->state;
  if (ps->exited)
    return;
  if (msg->type == ICMP_ECHO_REPLY)
    ping_on_reply(app, msg);
  else if (msg->type == ICMP_UNREACH || msg->type == ICMP_TIME_EXCEEDED)
    ping_on_error(app, msg);
  else
    return;
  if (ping_done(app))
    ping_exit(app);
}

/* Integer square root by Newton's method, as iputils' llsqrt(). */
static int64_t ping_llsqrt(int64_t a)
{
  int64_t prev = INT64_MAX, x = a;
  if (x > 0) {
    while (x < prev) {
      prev = x;
      x = (x + (a / x)) / 2;
    }
  }
  return x;
}

/* Prints the transmitted/received/loss line. */
static void ping_print_counts(App *app)
{
  PingState *ps = app->state;
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%" PRIu64 " packets transmitted, %" PRIu64 " received", ps->ntransmitted,
                         ps->nreceived);
  if (ps->nrepeats)
    g_string_append_printf(line, ", +%" PRIu64 " duplicates", ps->nrepeats);
  if (ps->nerrors)
    g_string_append_printf(line, ", +%" PRIu64 " errors", ps->nerrors);
  if (ps->ntransmitted) {
    float loss = (float)(((double)(ps->ntransmitted - ps->nreceived) * 100.0) / (double)ps->ntransmitted);
    SimTime elapsed = ps->last_send - ps->start_time;
    g_string_append_printf(line, ", %g%% packet loss, time %" PRId64 "ms", (double)loss,
                           (elapsed + SIMTIME_US(500)) / SIMTIME_MS(1));
  }
  app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

/* Appends the rtt min/avg/max/mdev figures, computed as iputils does. */
static void ping_append_rtt(GString *line, const PingState *ps)
{
  int64_t total = (int64_t)(ps->nreceived + ps->nrepeats);
  int64_t tmavg = ps->tsum / total;
  int64_t tmvar;
  if (ps->tsum < G_MAXINT)
    tmvar = (ps->tsum2 - ((ps->tsum * ps->tsum) / total)) / total;
  else
    tmvar = (ps->tsum2 / total) - (tmavg * tmavg);
  int64_t tmdev = ping_llsqrt(tmvar);
  g_string_append_printf(line,
                         "rtt min/avg/max/mdev = %" PRId64 ".%03" PRId64 "/%" PRId64 ".%03" PRId64 "/%" PRId64
                         ".%03" PRId64 "/%" PRId64 ".%03" PRId64 " ms",
                         ps->tmin / 1000, ps->tmin % 1000, tmavg / 1000, tmavg % 1000, ps->tmax / 1000, ps->tmax % 1000,
                         tmdev / 1000, tmdev % 1000);
}

/* Prints iputils' closing statistics. */
static void ping_print_summary(App *app)
{
  PingState *ps = app->state;
  app_print(app, "--- %s ping statistics ---", ps->dst_text);
  ping_print_counts(app);
  GString *line = g_string_new(NULL);
  if (ps->nreceived && ps->timing && ps->tmax >= 0 && ps->tmin != INT64_MAX)
    ping_append_rtt(line, ps);
  if (ps->pipesize > 1)
    g_string_append_printf(line, "%spipe %d", line->len ? ", " : "", ps->pipesize);
  if (line->len)
    app_print(app, "%s", line->str);
  g_string_free(line, TRUE);
}

/* Ends the ping: no more requests, no more listening, and the summary. */
static void ping_exit(App *app)
{
  PingState *ps = app->state;
  if (ps->exited)
    return;
  ps->exited = TRUE;
  app->running = FALSE;
  scheduler_cancel(app->ctx->sched, ps->send_event);
  scheduler_cancel(app->ctx->sched, ps->exit_event);
  ps->send_event = ps->exit_event = EVENT_ID_NONE;
  if (ps->id)
    icmp_unlisten(app->node, ps->id);
  if (!ps->stopped)
    app->done_at = sim_now(app->ctx); /* a counted ping ends on its own, as iputils exits */
  ping_print_summary(app);
}

static void ping_stop(App *app)
{
  PingState *ps = app->state;
  ps->stopped = TRUE;
  ping_exit(app);
}

static void ping_finish(App *app)
{
  (void)app; /* the summary was printed when ping exited */
}

static void ping_free_state(App *app)
{
  PingState *ps = app->state;
  if (!ps)
    return;
  g_free(ps->outpack);
  g_free(ps);
  app->state = NULL;
}

const AppOps app_ping_ops = {ping_start, ping_stop, ping_finish, ping_free_state};
