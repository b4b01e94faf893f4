/*
 * udp-sink: receives UDP datagrams on a port from its start until its stop
 * and counts them, in total and per source (address and port). With the
 * sequence numbers udp-cbr puts in front of its payloads (4 bytes, network
 * byte order, from 0) it counts per source the datagrams lost (gaps in the
 * sequence) and those out of order (a number below one already seen; it
 * fills a gap, so it is no longer lost), as iperf does for UDP.
 *
 * Output at the end:
 *
 *   received 250 datagrams (250000 bytes) from 1 source
 *   from 10.0.1.10:49152: 250 datagrams, lost 0, out of order 0
 *
 * bytes count UDP payload bytes; sources are listed by address and port.
 *
 * It reads a UDP socket bound to the port (models/transport/socket.h),
 * copying out only the sequence number of each datagram.
 *
 * Entry points (AppOps): udp_sink_start(), udp_sink_stop(),
 * udp_sink_finish(), udp_sink_free_state().
 *
 * Leaves out: losses after the last datagram received (a sink cannot see
 * them; compare with the source's count), duplicates (counted as out of
 * order), jitter, payloads under 4 bytes (counted, not sequenced).
 */
#include "sim/text/units.h"
#include "models/app/app.h"

#include <inttypes.h>

#include "models/transport/socket.h"
#include "sim/text/addr.h"

typedef struct {
  uint32_t addr;
  uint16_t port;
  uint64_t datagrams, bytes;
  uint64_t expected; /* next sequence number in order */
  uint64_t lost, reordered;
} UdpSinkSource;

#define UDP_SINK_CACHE 64 /* slots of the source cache, a power of two */

typedef struct {
  Socket *sock; /* bound to the port; NULL when not */
  uint64_t bytes;
  GArray *sources;             /* of UdpSinkSource, in order of first arrival */
  guint cache[UDP_SINK_CACHE]; /* by hash of address and port: a source's index + 1, or 0 */
} UdpSinkState;

/* The cache slot of a source. */
static guint udp_sink_slot(uint32_t addr, uint16_t port)
{
  return (guint)((((uint64_t)addr << 16 | port) * UINT64_C(0x9e3779b97f4a7c15)) >> 58);
}

/* Returns the record of a source, adding it on its first datagram. A
 * direct-mapped cache finds it; on a miss the search is linear (sinks
 * have few sources), then the cache remembers it. */
static UdpSinkSource *udp_sink_source(UdpSinkState *ss, uint32_t addr, uint16_t port)
{
  GArray *a = ss->sources;
  guint *slot = &ss->cache[udp_sink_slot(addr, port)];
  if (*slot) {
    UdpSinkSource *s = &g_array_index(a, UdpSinkSource, *slot - 1);
    if (s->addr == addr && s->port == port)
      return s;
  }
  guint i = 0;
  while (i < a->len &&
         !(g_array_index(a, UdpSinkSource, i).addr == addr && g_array_index(a, UdpSinkSource, i).port == port))
    i++;
  if (i == a->len) {
    UdpSinkSource fresh = {.addr = addr, .port = port};
    g_array_append_val(a, fresh);
  }
  *slot = i + 1;
  return &g_array_index(a, UdpSinkSource, i);
}

/* Updates a source's loss and reordering counts with sequence number `seq`. */
static void udp_sink_sequence(UdpSinkSource *s, uint64_t seq)
{
  if (seq >= s->expected) {
    s->lost += seq - s->expected;
    s->expected = seq + 1;
  } else {
    s->reordered++;
    if (s->lost > 0)
      s->lost--;
  }
}

/* Counts one datagram of `len` bytes from addr:port whose payload begins
 * with `head` (`len` bytes of it, at most 4, are there). */
static void udp_sink_count(App *app, UdpSinkState *ss, const uint8_t *head, size_t len, uint32_t addr, uint16_t port)
{
  UdpSinkSource *s = udp_sink_source(ss, addr, port);
  s->datagrams++;
  s->bytes += len;
  app->received++;
  ss->bytes += len;
  if (len >= APP_STAMP_SEQ_LEN)
    udp_sink_sequence(s, app_read_be(head, APP_STAMP_SEQ_LEN));
}

/* The socket can be read: counts every datagram waiting (only their
 * first 4 bytes, the sequence number, are copied out). */
static void udp_sink_readable(Socket *sock, void *user)
{
  App *app = user;
  uint8_t head[APP_STAMP_SEQ_LEN];
  uint32_t addr;
  uint16_t port;
  ssize_t n;
  while ((n = socket_recvfrom(sock, head, sizeof head, &addr, &port)) >= 0)
    udp_sink_count(app, app->state, head, (size_t)n, addr, port);
}

static const SocketCallbacks udp_sink_callbacks = {.readable = udp_sink_readable};

static void udp_sink_start(App *app)
{
  UdpSinkState *ss = g_new0(UdpSinkState, 1);
  app->state = ss;
  ss->sources = g_array_new(FALSE, TRUE, sizeof(UdpSinkSource));
  ss->sock = socket_new(app->node, SOCKET_UDP, &udp_sink_callbacks, app);
  if (socket_bind(ss->sock, 0, app->conf->port) < 0) {
    app_print(app, "cannot listen: UDP port %u is in use", app->conf->port);
    socket_close(ss->sock);
    ss->sock = NULL;
  }
}

static void udp_sink_stop(App *app)
{
  UdpSinkState *ss = app->state;
  socket_close(ss->sock);
  ss->sock = NULL;
}

static gint udp_sink_compare(gconstpointer a, gconstpointer b)
{
  const UdpSinkSource *x = a, *y = b;
  if (x->addr != y->addr)
    return x->addr < y->addr ? -1 : 1;
  return (gint)x->port - (gint)y->port;
}

/* Prints the totals, then one line per source by address and port. */
static void udp_sink_finish(App *app)
{
  UdpSinkState *ss = app->state;
  g_array_sort(ss->sources, udp_sink_compare);
  memset(ss->cache, 0, sizeof ss->cache); /* the indices moved */
  app_print(app, "received %" PRIu64 " %s (%" PRIu64 " bytes) from %u %s", app->received,
            units_plural(app->received, "datagram", "datagrams"), ss->bytes, ss->sources->len,
            units_plural(ss->sources->len, "source", "sources"));
  for (guint i = 0; i < ss->sources->len; i++) {
    const UdpSinkSource *s = &g_array_index(ss->sources, UdpSinkSource, i);
    char addr[ADDR_IPV4_TEXT];
    app_print(app, "from %s:%u: %" PRIu64 " %s, lost %" PRIu64 ", out of order %" PRIu64,
              addr_format_ipv4(s->addr, addr), s->port, s->datagrams,
              units_plural(s->datagrams, "datagram", "datagrams"), s->lost, s->reordered);
  }
}

static void udp_sink_free_state(App *app)
{
  UdpSinkState *ss = app->state;
  if (!ss)
    return;
  socket_close(ss->sock);
  g_array_free(ss->sources, TRUE);
  g_free(ss);
  app->state = NULL;
}

const AppOps app_udp_sink_ops = {udp_sink_start, udp_sink_stop, udp_sink_finish, udp_sink_free_state};
