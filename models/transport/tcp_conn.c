/*
 * TCP connections (RFC 9293 3.3, 3.10.1-3.10.6): the per-node stack and
 * its demultiplexing tables, the life of a connection block, the calls
 * the owner (the socket layer) makes, state changes with their trace
 * notes, and the tcp.csv time series.
 *
 * Entry points: tcp_stack_new(); tcp_listen() / tcp_connect();
 * tcp_set_owner(); tcp_send(), tcp_recv(); tcp_shutdown(); tcp_close() /
 * tcp_abort(); accessors (tcp_state(), tcp_info(), tcp_buffers_view(), ...);
 * tcp_stack_free().
 * Inside TCP: tcp_conn_new(), tcp_conn_set_state(), tcp_conn_finish(),
 * tcp_conn_established(), tcp_conn_series().
 *
 * Life: a connection is freed only when it is CLOSED and its owner let it
 * go (tcp_close(), or never had one), and then from a zero-delay event,
 * never inside a call the owner made or an upcall.
 *
 * ISNs come from the random stream "tcp/isn/<node>" (deterministic; RFC
 * 9293's clock-driven ISN would add nothing in a simulation).
 */
#include "models/transport/tcp_conn.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "models/core/node.h"

#define TCP_EPHEMERAL_FIRST 49152
#define TCP_EPHEMERAL_LAST 65535
#define TCP_SSTHRESH_INITIAL 0x7fffffffu

static guint tcp_key_hash(gconstpointer k)
{
  const TcpKey *key = k;
  return key->raddr * 2654435761u ^ key->laddr ^ ((guint)key->lport << 16 | key->rport) * 40503u;
}

static gboolean tcp_key_equal(gconstpointer a, gconstpointer b)
{
  const TcpKey *x = a, *y = b;
  return x->laddr == y->laddr && x->raddr == y->raddr && x->lport == y->lport && x->rport == y->rport;
}

TcpStack *tcp_stack_new(Node *node)
{
  TcpStack *s = g_new0(TcpStack, 1);
  char *stream = g_strdup_printf("tcp/isn/%s", node->name);

  s->node = node;
  s->conns = g_hash_table_new_full(tcp_key_hash, tcp_key_equal, g_free, NULL);
  s->listeners = g_ptr_array_new();
  s->all = g_ptr_array_new();
  s->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
  s->reap = g_ptr_array_new();
  s->next_port = TCP_EPHEMERAL_FIRST;
  tcp_config_defaults(&s->defaults);
  rng_init(&s->isn_rng, node->ctx->seed, stream);
  g_free(stream);
  return s;
}

static void tcp_conn_free(TcpConn *c)
{
  guint users;

  tcp_timer_cancel_all(c);
  if (c->lport) {
    users = GPOINTER_TO_UINT(g_hash_table_lookup(c->stack->ports, GUINT_TO_POINTER(c->lport)));
    if (users <= 1)
      g_hash_table_remove(c->stack->ports, GUINT_TO_POINTER(c->lport));
    else
      g_hash_table_insert(c->stack->ports, GUINT_TO_POINTER(c->lport), GUINT_TO_POINTER(users - 1));
  }
  for (guint i = 0; c->ooo && i < c->ooo->len; i++)
    packet_free(g_array_index(c->ooo, TcpOooSeg, i).p);
  if (c->ooo)
    g_array_free(c->ooo, TRUE);
  if (c->sacked)
    g_array_free(c->sacked, TRUE);
  if (c->children)
    g_ptr_array_free(c->children, TRUE);
  tcp_buf_free(&c->sndbuf);
  tcp_buf_free(&c->rcvbuf);
  g_free(c);
}

void tcp_stack_free(TcpStack *stack)
{
  if (!stack)
    return;
  if (stack->reap_ev)
    scheduler_cancel(stack->node->ctx->sched, stack->reap_ev);
  for (guint i = 0; i < stack->all->len; i++)
    tcp_conn_free(g_ptr_array_index(stack->all, i));
  g_ptr_array_free(stack->all, TRUE);
  g_ptr_array_free(stack->reap, TRUE);
  g_ptr_array_free(stack->listeners, TRUE);
  g_hash_table_destroy(stack->conns);
  g_hash_table_destroy(stack->ports);
  g_free(stack);
}

/* Frees the connections waiting in the reap list (a zero-delay event). */
static void tcp_conn_reap_run(void *obj, void *arg)
{
  TcpStack *stack = obj;
  (void)arg;
  stack->reap_ev = EVENT_ID_NONE;
  for (guint i = 0; i < stack->reap->len; i++) {
    TcpConn *c = g_ptr_array_index(stack->reap, i);
    g_ptr_array_remove_fast(stack->all, c);
    tcp_conn_free(c);
  }
  g_ptr_array_set_size(stack->reap, 0);
}

/* Frees c later if it is closed and nobody owns it. */
static void tcp_conn_maybe_reap(TcpConn *c)
{
  TcpStack *stack = c->stack;

  if (c->state != TCP_CLOSED || !c->released || c->reaped)
    return;
  c->reaped = TRUE;
  g_ptr_array_add(stack->reap, c);
  if (!stack->reap_ev)
    stack->reap_ev = scheduler_after(stack->node->ctx->sched, 0, tcp_conn_reap_run, stack, NULL);
}

/* Counts one more user of local port `port`. */
void tcp_conn_port_ref(TcpStack *stack, uint16_t port)
{
  gpointer k = GUINT_TO_POINTER(port);
  guint users = GPOINTER_TO_UINT(g_hash_table_lookup(stack->ports, k));
  g_hash_table_insert(stack->ports, k, GUINT_TO_POINTER(users + 1));
}

gboolean tcp_port_in_use(const Node *node, uint32_t addr, uint16_t port)
{
  (void)addr;
  return node->tcp && g_hash_table_contains(node->tcp->ports, GUINT_TO_POINTER(port));
}

/* Returns the next free ephemeral port, in turn from 49152, or 0. */
uint16_t tcp_ephemeral_port(const Node *node, uint32_t dst, uint16_t dport)
{
  TcpStack *s = node->tcp;
  (void)dst;
  (void)dport;
  for (guint tries = 0; tries <= TCP_EPHEMERAL_LAST - TCP_EPHEMERAL_FIRST; tries++) {
    uint16_t port = s->next_port;
    s->next_port = port == TCP_EPHEMERAL_LAST ? TCP_EPHEMERAL_FIRST : port + 1;
    if (!g_hash_table_contains(s->ports, GUINT_TO_POINTER(port)))
      return port;
  }
  return 0;
}

uint32_t tcp_conn_new_isn(TcpStack *stack)
{
  if (stack->force_isn) {
    stack->force_isn = FALSE;
    return stack->forced_isn;
  }
  return (uint32_t)rng_u64(&stack->isn_rng);
}

/* Sets the settings the node's new sockets start with (the scenario's
 * `defaults.tcp`). */
void tcp_set_defaults(Node *node, const TcpConfig *cfg)
{
  node->tcp->defaults = *cfg;
}

const TcpConfig *tcp_defaults(const Node *node)
{
  return &node->tcp->defaults;
}

void tcp_conn_set_isn_for_test(Node *node, uint32_t isn)
{
  node->tcp->force_isn = TRUE;
  node->tcp->forced_isn = isn;
}

/* Fills `cfg` with the defaults (tcp_config.h). */
void tcp_config_defaults(TcpConfig *cfg)
{
  *cfg = (TcpConfig){
      .sndbuf = 131072,
      .rcvbuf = 131072,
      .mss = 0,
      .min_rto = SIMTIME_MS(200),
      .initial_rto = SIMTIME_S(1),
      .max_rto = SIMTIME_S(120),
      .delayed_ack = SIMTIME_MS(40),
      .msl = SIMTIME_S(30),
      .syn_retries = 6,
      .retries = 15,
      .initial_cwnd = 10,
      .nagle = TRUE,
      .window_scaling = TRUE,
      .timestamps = TRUE,
      .sack = TRUE,
  };
  g_strlcpy(cfg->cc, TCP_CC_NEWRENO, sizeof cfg->cc);
}

/* Fills the zero sizes, timers and window of `cfg` with the defaults
 * (buffers, RTO bounds, MSL, initial window: values that cannot be 0) and
 * keeps max-rto >= min-rto. Switches and counts keep what `cfg` says. */
static void tcp_conn_fill_zero(TcpConfig *cfg)
{
  TcpConfig d;
  tcp_config_defaults(&d);
  cfg->sndbuf = cfg->sndbuf ? cfg->sndbuf : d.sndbuf;
  cfg->rcvbuf = cfg->rcvbuf ? cfg->rcvbuf : d.rcvbuf;
  cfg->initial_rto = cfg->initial_rto ? cfg->initial_rto : d.initial_rto;
  cfg->min_rto = cfg->min_rto ? cfg->min_rto : d.min_rto;
  cfg->max_rto = MAX(cfg->max_rto ? cfg->max_rto : d.max_rto, cfg->min_rto);
  cfg->msl = cfg->msl ? cfg->msl : d.msl;
  cfg->initial_cwnd = cfg->initial_cwnd ? cfg->initial_cwnd : d.initial_cwnd;
  cfg->cc[sizeof cfg->cc - 1] = '\0';
}

/* Returns a new connection block in `state`, in the stack's list but in
 * no table; buffers come with tcp_conn_setup_buffers(). */
TcpConn *tcp_conn_new(TcpStack *stack, const TcpConfig *cfg, TcpState state)
{
  TcpConn *c = g_new0(TcpConn, 1);

  c->stack = stack;
  c->node = stack->node;
  c->state = state;
  c->cfg = cfg ? *cfg : stack->defaults;
  tcp_conn_fill_zero(&c->cfg);
  c->cc = tcp_cc_find(c->cfg.cc);
  if (!c->cc)
    c->cc = &tcp_cc_newreno;
  c->rto = c->cfg.initial_rto;
  c->ssthresh = TCP_SSTHRESH_INITIAL;
  c->mss = TCP_DEFAULT_MSS;
  g_ptr_array_add(stack->all, c);
  return c;
}

/* Sets the MSS option we send: the configured MSS, else the egress
 * interface's MTU - 40 (RFC 9293 3.7.1). */
void tcp_conn_set_adv_mss(TcpConn *c)
{
  const Route *r = ipv4_route(c->node, c->raddr);
  uint32_t mtu = r && r->iface ? r->iface->mtu : 1500, mss;

  if (c->adv_mss)
    return;
  mss = c->cfg.mss ? c->cfg.mss : (mtu > 40 + 8 ? mtu - 40 : TCP_DEFAULT_MSS);
  c->adv_mss = (uint16_t)MIN(mss, 65495u);
}

/* Allocates the send and receive buffers and the out-of-order queue. */
void tcp_conn_setup_buffers(TcpConn *c)
{
  tcp_buf_init(&c->sndbuf, c->cfg.sndbuf);
  tcp_buf_init(&c->rcvbuf, c->cfg.rcvbuf);
  c->ooo = g_array_new(FALSE, FALSE, sizeof(TcpOooSeg));
  c->rcv_ws = 0;
  while (c->rcv_ws < TCP_MAX_WSCALE && (65535u << c->rcv_ws) < c->cfg.rcvbuf)
    c->rcv_ws++;
}

void tcp_conn_table_add(TcpConn *c)
{
  TcpKey *key = g_new(TcpKey, 1);
  *key = (TcpKey){c->laddr, c->raddr, c->lport, c->rport};
  g_hash_table_insert(c->stack->conns, key, c);
  c->in_table = TRUE;
}

void tcp_conn_table_remove(TcpConn *c)
{
  TcpKey key = {c->laddr, c->raddr, c->lport, c->rport};
  if (c->in_table)
    g_hash_table_remove(c->stack->conns, &key);
  c->in_table = FALSE;
}

TcpConn *tcp_conn_lookup(TcpStack *stack, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
  TcpKey key = {laddr, raddr, lport, rport};
  return g_hash_table_lookup(stack->conns, &key);
}

gboolean tcp_buffers_view(const Node *node, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                          TcpBuffersView *v)
{
  const TcpConn *c = node->tcp ? tcp_conn_lookup(node->tcp, laddr, lport, raddr, rport) : NULL;
  if (!c)
    return FALSE;
  *v = (TcpBuffersView){tcp_buf_len(&c->sndbuf), c->sndbuf.cap, tcp_in_flight(c), c->cwnd, c->snd_wnd,
                        tcp_buf_len(&c->rcvbuf), c->rcvbuf.cap};
  return TRUE;
}

/* Returns the listener for laddr:lport (an exact address before the
 * wildcard), or NULL. */
TcpConn *tcp_conn_find_listener(TcpStack *stack, uint32_t laddr, uint16_t lport)
{
  TcpConn *wild = NULL;

  for (guint i = 0; i < stack->listeners->len; i++) {
    TcpConn *l = g_ptr_array_index(stack->listeners, i);
    if (l->lport != lport)
      continue;
    if (l->laddr == laddr)
      return l;
    if (l->laddr == 0)
      wild = l;
  }
  return wild;
}

/* Writes a trace note about c: "tcp <local> > <remote> <text>". */
void tcp_conn_note(TcpConn *c, const char *fmt, ...)
{
  SimContext *ctx = c->node->ctx;
  char text[160];
  va_list ap;

  if (!trace_wants(ctx->trace, TRACE_TRANSPORT))
    return;
  va_start(ap, fmt);
  g_vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  trace_note(ctx->trace, TRACE_TRANSPORT, sim_now(ctx), c->node, NULL, "tcp %u.%u.%u.%u:%u > %u.%u.%u.%u:%u %s",
             c->laddr >> 24, (c->laddr >> 16) & 255, (c->laddr >> 8) & 255, c->laddr & 255, c->lport, c->raddr >> 24,
             (c->raddr >> 16) & 255, (c->raddr >> 8) & 255, c->raddr & 255, c->rport, text);
}

/* Moves c to `state`: traces the transition and records it for `expect:
 * reached`. */
void tcp_conn_set_state(TcpConn *c, TcpState state)
{
  if (c->state == state)
    return;
  tcp_conn_note(c, "%s -> %s", tcp_state_name(c->state), tcp_state_name(state));
  c->state = state;
  if (c->track)
    *c->track |= 1u << state;
}

/* Tells the owner, once, that the connection is over for it. */
void tcp_conn_report_closed(TcpConn *c, int err)
{
  if (c->closed_reported)
    return;
  c->closed_reported = TRUE;
  if (c->up && c->up->closed)
    c->up->closed(c->owner, err);
}

/* Ends the connection (RST, timeout, last ACK, TIME_WAIT expiry): CLOSED,
 * out of the tables, timers stopped; the owner hears `err` (0: an
 * orderly close). */
void tcp_conn_finish(TcpConn *c, int err)
{
  if (c->state == TCP_CLOSED)
    return;
  tcp_conn_table_remove(c);
  tcp_timer_cancel_all(c);
  if (err)
    c->err = err;
  tcp_conn_set_state(c, TCP_CLOSED);
  if (c->listener) {
    g_ptr_array_remove(c->listener->children, c);
    c->listener = NULL;
    c->up = NULL;
    c->released = TRUE;
  }
  tcp_conn_report_closed(c, err);
  tcp_conn_maybe_reap(c);
}

/* RFC 6298 5.7: when the retransmission timer expired awaiting the ACK
 * of our SYN (or SYN-ACK) and the configured initial RTO is under 3 s,
 * the RTO is re-initialized to 3 s once the handshake completes, unless
 * an RTT sample was taken (Karn's rule discards the handshake's after a
 * retransmission; a timestamp echo still gives one). Before ESTABLISHED
 * the only timeouts are SYN timeouts. At most max-rto. */
static void tcp_conn_rto_after_syn_timeout(TcpConn *c)
{
  if (c->stats.timeouts == 0 || c->srtt != 0 || c->cfg.initial_rto >= SIMTIME_S(3))
    return;
  c->rto = MIN(SIMTIME_S(3), c->cfg.max_rto);
  c->backoff = 0;
}

/* The handshake completed: ESTABLISHED (FIN_WAIT_1 when shut down
 * early); a child leaves its listener's queue of embryonic connections. */
void tcp_conn_established(TcpConn *c)
{
  if (c->syn_retransmitted) /* RFC 5681 3.1: one segment after a lost SYN */
    c->cwnd = c->mss;
  tcp_conn_rto_after_syn_timeout(c);
  tcp_conn_set_state(c, TCP_ESTABLISHED);
  if (c->shut_wr)
    tcp_conn_set_state(c, TCP_FIN_WAIT_1);
  if (c->listener)
    g_ptr_array_remove(c->listener->children, c);
}

/* Tells the owner that the handshake completed: `connected`, or for a
 * child its listener's `accepted` (no listener owner: the child is
 * reset). */
void tcp_conn_announce(TcpConn *c)
{
  TcpConn *l = c->listener;

  if (l) {
    c->listener = NULL;
    if (l->up && l->up->accepted) {
      l->up->accepted(l->owner, c);
    } else {
      tcp_set_owner(c, NULL, NULL);
      c->released = TRUE;
      tcp_abort(c);
    }
    return;
  }
  if (c->up && c->up->connected)
    c->up->connected(c->owner, c);
}

/* Writes a tcp.csv row when cwnd, ssthresh, srtt, rto or in_flight changed. */
void tcp_conn_series(TcpConn *c)
{
  FILE *f = c->node->ctx->tcp_series;
  uint32_t now3[3] = {c->cwnd, c->ssthresh, tcp_in_flight(c)};
  GString *line;

  if (!f || c->state < TCP_SYN_SENT)
    return;
  if (c->series_written && memcmp(now3, c->series_last, sizeof now3) == 0 && c->series_last_t[0] == c->srtt &&
      c->series_last_t[1] == c->rto)
    return;
  memcpy(c->series_last, now3, sizeof now3);
  c->series_last_t[0] = c->srtt;
  c->series_last_t[1] = c->rto;
  c->series_written = TRUE;
  line = g_string_sized_new(128);
  trace_format_time(line, tcp_now(c));
  g_string_append_printf(line, ",%s,%u.%u.%u.%u:%u,%u.%u.%u.%u:%u,%u,%u,", c->node->name, c->laddr >> 24,
                         (c->laddr >> 16) & 255, (c->laddr >> 8) & 255, c->laddr & 255, c->lport, c->raddr >> 24,
                         (c->raddr >> 16) & 255, (c->raddr >> 8) & 255, c->raddr & 255, c->rport, c->cwnd, c->ssthresh);
  trace_format_time(line, c->srtt);
  g_string_append_c(line, ',');
  trace_format_time(line, c->rto);
  g_string_append_printf(line, ",%u\n", now3[2]);
  fwrite(line->str, 1, line->len, f);
  g_string_free(line, TRUE);
}

TcpConn *tcp_listen(Node *node, uint32_t addr, uint16_t port, int backlog, const TcpConfig *cfg, const TcpUpcalls *up,
                    void *owner, int *err)
{
  TcpConn *c;

  g_return_val_if_fail(node->tcp, NULL);
  if (port == 0 || tcp_port_in_use(node, addr, port)) {
    if (err)
      *err = -EADDRINUSE;
    return NULL;
  }
  c = tcp_conn_new(node->tcp, cfg, TCP_CLOSED);
  c->laddr = addr;
  c->lport = port;
  c->backlog = backlog > 0 ? backlog : 128;
  c->children = g_ptr_array_new();
  c->up = up;
  c->owner = owner;
  tcp_conn_port_ref(node->tcp, port);
  g_ptr_array_add(node->tcp->listeners, c);
  tcp_conn_set_state(c, TCP_LISTEN);
  return c;
}

TcpConn *tcp_connect(Node *node, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const TcpConfig *cfg,
                     const TcpUpcalls *up, void *owner, int *err)
{
  TcpConn *c;
  int e = 0;

  g_return_val_if_fail(node->tcp, NULL);
  if (!src && !(src = ipv4_source_for(node, dst)))
    e = -ENETUNREACH;
  else if (!ipv4_is_local(node, src))
    e = -EADDRNOTAVAIL;
  else if (!sport && !(sport = tcp_ephemeral_port(node, dst, dport)))
    e = -EADDRINUSE;
  else if (tcp_conn_lookup(node->tcp, src, sport, dst, dport))
    e = -EADDRINUSE;
  if (e) {
    if (err)
      *err = e;
    return NULL;
  }
  c = tcp_conn_new(node->tcp, cfg, TCP_CLOSED);
  c->laddr = src, c->lport = sport, c->raddr = dst, c->rport = dport;
  c->up = up;
  c->owner = owner;
  tcp_conn_port_ref(node->tcp, sport);
  tcp_conn_setup_buffers(c);
  c->iss = tcp_conn_new_isn(node->tcp);
  c->snd_una = c->snd_nxt = c->snd_max = c->iss;
  c->buf_seq = c->iss + 1;
  tcp_conn_set_adv_mss(c);
  tcp_conn_table_add(c);
  tcp_conn_set_state(c, TCP_SYN_SENT);
  tcp_send_syn(c, FALSE);
  return c;
}

void tcp_set_owner(TcpConn *c, const TcpUpcalls *up, void *owner)
{
  c->up = up;
  c->owner = owner;
}

ssize_t tcp_send(TcpConn *c, const void *data, size_t len)
{
  size_t took;

  if (c->err)
    return c->err;
  switch (c->state) {
  case TCP_SYN_SENT:
  case TCP_SYN_RECEIVED:
  case TCP_ESTABLISHED:
  case TCP_CLOSE_WAIT:
    break;
  case TCP_CLOSED:
  case TCP_LISTEN:
    return -ENOTCONN;
  default:
    return -EPIPE;
  }
  if (c->shut_wr)
    return -EPIPE;
  took = tcp_buf_write(&c->sndbuf, data, len);
  if (took < len)
    c->want_writable = TRUE;
  if (took && c->state != TCP_SYN_SENT && c->state != TCP_SYN_RECEIVED)
    tcp_output(c);
  return (ssize_t)took;
}

ssize_t tcp_recv(TcpConn *c, void *buf, size_t len)
{
  size_t n;

  if (tcp_buf_len(&c->rcvbuf) == 0 || len == 0) {
    if (c->rcv_fin)
      return 0;
    if (c->err)
      return c->err;
    if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
      return -ENOTCONN;
    return len == 0 ? 0 : -EAGAIN;
  }
  n = tcp_buf_read(&c->rcvbuf, buf, len);
  if (tcp_conn_window_update_due(c)) /* one update after all the reads of this instant */
    tcp_timer_set(c, TCP_TIMER_WINDOW, MAX(tcp_now(c), 1));
  return (ssize_t)n;
}

/* Is a window update due after the owner read? Once the window at least
 * doubles (as Linux's tcp_cleanup_rbuf) and grows by a segment or half
 * the buffer (receiver SWS avoidance, RFC 9293 3.8.6.2.2). */
gboolean tcp_conn_window_update_due(TcpConn *c)
{
  uint32_t room, adv;

  if (c->state < TCP_ESTABLISHED || c->state == TCP_CLOSED || c->rcv_fin)
    return FALSE;
  room = (uint32_t)tcp_buf_space(&c->rcvbuf);
  adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
  return room >= 2 * adv && room >= adv + MIN(c->cfg.rcvbuf / 2, c->rcv_mss);
}

size_t tcp_send_space(const TcpConn *c)
{
  return c->sndbuf.data ? tcp_buf_space(&c->sndbuf) : 0;
}

size_t tcp_recv_queued(const TcpConn *c)
{
  return tcp_buf_len(&c->rcvbuf);
}

void tcp_shutdown(TcpConn *c)
{
  if (c->shut_wr)
    return;
  c->shut_wr = TRUE;
  if (c->state == TCP_ESTABLISHED)
    tcp_conn_set_state(c, TCP_FIN_WAIT_1);
  else if (c->state == TCP_CLOSE_WAIT)
    tcp_conn_set_state(c, TCP_LAST_ACK);
  else
    return;
  tcp_output(c);
}

/* Closes a listener: resets the connections not yet accepted. */
static void tcp_close_listener(TcpConn *c)
{
  while (c->children->len) {
    TcpConn *child = g_ptr_array_index(c->children, 0);
    tcp_send_ctl(child, TCP_RST | TCP_ACK, child->snd_nxt);
    tcp_conn_finish(child, -ECONNRESET);
  }
  g_ptr_array_remove(c->stack->listeners, c);
  tcp_conn_set_state(c, TCP_CLOSED);
}

void tcp_close(TcpConn *c)
{
  if (!c || c->released)
    return;
  c->up = NULL;
  c->released = TRUE;
  c->closed_reported = TRUE;
  switch (c->state) {
  case TCP_LISTEN:
    tcp_close_listener(c);
    break;
  case TCP_SYN_SENT:
    tcp_conn_finish(c, 0);
    break;
  case TCP_SYN_RECEIVED:
  case TCP_ESTABLISHED:
  case TCP_CLOSE_WAIT:
    if (tcp_buf_len(&c->rcvbuf) > 0 || (c->ooo && c->ooo->len)) {
      tcp_abort(c);
      return;
    }
    tcp_shutdown(c);
    break;
  case TCP_FIN_WAIT_2: /* orphaned now: Linux's tcp_fin_timeout */
    tcp_timer_set(c, TCP_TIMER_WAIT, tcp_now(c) + 2 * c->cfg.msl);
    break;
  default:
    break;
  }
  tcp_conn_maybe_reap(c);
}

/* Sends RST and ends c at once; the owner hears nothing (it asked). */
void tcp_abort(TcpConn *c)
{
  c->closed_reported = TRUE;
  if (c->state == TCP_LISTEN) {
    tcp_close_listener(c);
  } else if (c->state != TCP_CLOSED) {
    if (c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT)
      tcp_send_ctl(c, TCP_RST | TCP_ACK, c->snd_nxt);
    tcp_conn_finish(c, -ECONNRESET);
  }
  tcp_conn_maybe_reap(c);
}

TcpState tcp_state(const TcpConn *c)
{
  return c->state;
}

static const char *const tcp_state_names[TCP_STATE_COUNT] = {
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT",
};

const char *tcp_state_name(TcpState state)
{
  return state < TCP_STATE_COUNT ? tcp_state_names[state] : "?";
}

int tcp_state_from_name(const char *name)
{
  char buf[32];
  size_t i;

  if (!name)
    return -1;
  for (i = 0; name[i] && i < sizeof buf - 1; i++)
    buf[i] = name[i] == '-' ? '_' : g_ascii_toupper(name[i]);
  buf[i] = '\0';
  for (int s = 0; s < TCP_STATE_COUNT; s++)
    if (strcmp(buf, tcp_state_names[s]) == 0)
      return s;
  return -1;
}

void tcp_endpoints(const TcpConn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr, uint16_t *rport)
{
  if (laddr)
    *laddr = c->laddr;
  if (lport)
    *lport = c->lport;
  if (raddr)
    *raddr = c->raddr;
  if (rport)
    *rport = c->rport;
}

const TcpStats *tcp_stats(const TcpConn *c)
{
  return &c->stats;
}

void tcp_info(const TcpConn *c, TcpInfo *info)
{
  *info = (TcpInfo){.cwnd = c->cwnd,
                    .ssthresh = c->ssthresh,
                    .srtt = c->srtt,
                    .rttvar = c->rttvar,
                    .rto = c->rto,
                    .in_flight = tcp_in_flight(c),
                    .mss = c->mss};
}

void tcp_track_states(TcpConn *c, guint *mask)
{
  c->track = mask;
  if (mask)
    *mask |= 1u << c->state;
}
