/*
 * RIP version 2 (RFC 2453) on a router: the instance, its RIB and its
 * timers. Input (validation, requests, responses) is in rip_input.c,
 * output (updates, requests, `show`) in rip_output.c.
 *
 * Timers (RFC 2453 3.8): the periodic update every `update` plus a
 * uniform random offset in [-update/6, +update/6] (+-5 s at 30 s, as the
 * RFC's "small random time", scaled with the timer), drawn anew each
 * time from the stream "rip/<node>". Each learned route times out
 * `timeout` after its last refresh (metric 16, withdrawn from the table,
 * advertised as unreachable, triggered update) and is deleted `garbage`
 * later. One event per instance wakes at the earliest route deadline.
 * Triggered updates (3.10.1): a change schedules one at a random delay
 * in [trigger_min, trigger_max] (unless one is pending already), which
 * then carries every route changed so far; none is scheduled when the
 * periodic update comes first. (The RFC lets the first triggered update
 * go at once and damps the later ones; ipsim damps every one, as ns-3.)
 *
 * Our own routes (advertised with metric 1): the subnets of interfaces
 * where RIP runs (FRR's `network`), of the other interfaces with
 * redist_connected, static routes with redist_static, 0.0.0.0/0 with
 * default_originate; kept in step with the interfaces by
 * rip_sync_local(). An interface going down (or RIP off on it) poisons
 * the routes learned there; the node going down flushes the RIB, and its
 * coming up is a restart.
 *
 * Entry points: rip_new(), rip_free(), rip_set_iface_enabled(),
 * rip_packets_sent(); inside the model (rip_internal.h): rip_find(),
 * rip_add(), rip_install(), rip_set_deadline(), rip_poison(),
 * rip_trigger(), rip_sort(), rip_note().
 *
 * Leaves out: RIP version 1 and its compatibility switches, authentication
 * (RFC 4822), the optional "equal metric near timeout" switch of 3.9.2,
 * ECMP (one next hop per destination, as FRR without ecmp).
 */
#include "models/routing/rip_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4.h"
#include "models/routing/routing.h"

static void rip_start(Rip *rip);
static void rip_sync_local(Rip *rip);

static uint64_t rip_key(Ipv4Prefix to)
{
  return (uint64_t)to.addr << 8 | to.len;
}

/* The slot of `key` in the index: where it is, or the empty slot that
 * ends its probe sequence. */
static guint rip_slot(const Rip *rip, uint64_t key)
{
  guint mask = (1u << rip->index_bits) - 1;
  guint i = (guint)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - rip->index_bits));

  while (rip->index[i].pos && rip->index[i].key != key)
    i = (i + 1) & mask;
  return i;
}

/* Indexes every route anew (after the array was sorted or compacted),
 * in at least 64 slots and at most half full. */
static void rip_reindex(Rip *rip)
{
  guint want = 6;

  while (2 * rip->routes->len + 2 > 1u << want)
    want++;
  if (want > rip->index_bits) {
    g_free(rip->index);
    rip->index_bits = want;
    rip->index = g_new(RipSlot, 1u << want);
  }
  memset(rip->index, 0, sizeof(RipSlot) << rip->index_bits);
  for (guint i = 0; i < rip->routes->len; i++) {
    uint64_t key = rip_route_at(rip, i)->key;
    rip->index[rip_slot(rip, key)] = (RipSlot){key, i + 1};
  }
}

/* The route to `to`, or NULL: valid until the next rip_add(), rip_sort()
 * or route timer. */
RipRoute *rip_find(Rip *rip, Ipv4Prefix to)
{
  guint pos = rip->index[rip_slot(rip, rip_key(to))].pos;
  return pos ? rip_route_at(rip, pos - 1) : NULL;
}

/* rip_find() for the entries of one message, which come in prefix order
 * as our sorted routes do: tries the few routes after the last one found
 * (*hint, a position) before the index, so that a message walks the
 * array forward instead of probing the index at random. */
RipRoute *rip_find_near(Rip *rip, Ipv4Prefix to, guint *hint)
{
  uint64_t key = rip_key(to);
  guint end = MIN(*hint + 3, rip->sorted_len);

  for (guint i = *hint; i < end; i++)
    if (rip_route_at(rip, i)->key == key) {
      *hint = i + 1;
      return rip_route_at(rip, i);
    }
  guint pos = rip->index[rip_slot(rip, key)].pos;
  if (!pos)
    return NULL;
  *hint = pos;
  return rip_route_at(rip, pos - 1);
}

/* Adds an empty route to `to` (masked), metric 16, no timer, at the end
 * of the array (rip_sort() puts it in place). */
RipRoute *rip_add(Rip *rip, Ipv4Prefix to)
{
  guint n = rip->routes->len;
  RipRoute r = {.key = 0, .to = to, .metric = RIP_INFINITY, .deadline = G_MAXINT64};

  r.to.addr &= addr_mask(to.len);
  r.key = rip_key(r.to);
  g_array_append_val(rip->routes, r);
  if (2 * n + 2 > 1u << rip->index_bits)
    rip_reindex(rip); /* grows it */
  else
    rip->index[rip_slot(rip, r.key)] = (RipSlot){r.key, n + 1};
  return rip_route_at(rip, n);
}

static gint rip_cmp(gconstpointer a, gconstpointer b)
{
  const RipRoute *x = a, *y = b;
  return x->key < y->key ? -1 : x->key > y->key;
}

/* Puts the routes in prefix order (for updates and `show`): sorts the
 * routes appended since the last time, merges them with the sorted rest
 * (O(n) when few were added), and indexes them anew. */
void rip_sort(Rip *rip)
{
  guint n = rip->routes->len, s = rip->sorted_len, a = 0, b = s, k = 0;
  RipRoute *all = (RipRoute *)(void *)rip->routes->data;

  if (s == n)
    return;
  qsort(all + s, n - s, sizeof *all, rip_cmp);
  RipRoute *tmp = g_memdup2(all, sizeof *all * s);
  while (a < s && b < n)
    all[k++] = tmp[a].key < all[b].key ? tmp[a++] : all[b++];
  while (a < s)
    all[k++] = tmp[a++];
  g_free(tmp);
  rip->sorted_len = n;
  rip_reindex(rip);
}

/* A TRACE_ROUTING note "rip: ..." on the node (and interface). */
void rip_note(Rip *rip, const Iface *iface, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  routing_vnote(rip->node, iface, "rip", fmt, ap);
  va_end(ap);
}

/* Writes what the forwarding table should hold for `r` (a learned route
 * below 16: its next hop; else nothing) through routing_set(). */
void rip_install(Rip *rip, RipRoute *r, const char *reason)
{
  RoutingHop hop = {r->iface, r->gateway};
  gboolean usable = r->kind == RIP_LEARNED && r->metric < RIP_INFINITY;

  routing_set(rip->node, ROUTE_RIP, r->to, &hop, usable ? 1 : 0, r->metric, reason);
}

static void rip_timer_fire(void *obj, void *arg);

/* Arms the route timer at `at` unless it fires earlier already. */
static void rip_arm_timer(Rip *rip, SimTime at)
{
  Scheduler *s = rip->node->ctx->sched;

  if (at == G_MAXINT64 || (scheduler_is_pending(s, rip->timer_ev) && rip->timer_at <= at))
    return;
  scheduler_cancel(s, rip->timer_ev);
  rip->timer_at = at;
  rip->timer_ev = scheduler_at(s, at, rip_timer_fire, rip, NULL);
}

void rip_set_deadline(Rip *rip, RipRoute *r, SimTime deadline)
{
  r->deadline = deadline;
  rip_arm_timer(rip, deadline);
}

/* Takes `r` to metric 16: withdrawn from the table, advertised as
 * unreachable in the next (triggered) update, deleted after `garbage`. */
void rip_poison(Rip *rip, RipRoute *r, const char *reason)
{
  r->metric = RIP_INFINITY;
  r->changed = TRUE;
  rip_install(rip, r, reason);
  r->kind = RIP_LEARNED; /* our own route gone: any neighbour's may replace it */
  rip_set_deadline(rip, r, sim_now(rip->node->ctx) + rip->conf.garbage);
  rip_trigger(rip);
}

/* A route's deadline passed: timeout (to 16) or deletion. Returns FALSE
 * when the route is to be deleted. */
static gboolean rip_expire(Rip *rip, RipRoute *r)
{
  char pfx[ADDR_CIDR_TEXT];

  if (r->metric < RIP_INFINITY) {
    rip_poison(rip, r, "timeout");
    return TRUE;
  }
  rip_note(rip, r->iface, "%s garbage-collected", addr_format_cidr(r->to.addr, r->to.len, pfx));
  return FALSE;
}

/* The route timer: expires what is due, deletes the garbage, re-arms at
 * the next deadline. */
static void rip_timer_fire(void *obj, void *arg)
{
  Rip *rip = obj;
  SimTime now = sim_now(rip->node->ctx), next = G_MAXINT64;
  guint kept = 0, sorted = rip->sorted_len, n = rip->routes->len;

  (void)arg;
  rip->timer_ev = EVENT_ID_NONE;
  for (guint i = 0; i < n; i++) {
    RipRoute *r = rip_route_at(rip, i);
    if (r->deadline <= now && !rip_expire(rip, r)) {
      sorted -= i < rip->sorted_len; /* removing keeps the order */
      continue;
    }
    next = MIN(next, r->deadline);
    if (kept != i)
      *rip_route_at(rip, kept) = *r;
    kept++;
  }
  g_array_set_size(rip->routes, kept);
  rip->sorted_len = sorted;
  if (kept != n)
    rip_reindex(rip);
  rip_arm_timer(rip, next);
}

/* Clears the changed flags (after an update went out everywhere). */
static void rip_clear_changed(Rip *rip)
{
  for (guint i = 0; i < rip->routes->len; i++)
    rip_route_at(rip, i)->changed = FALSE;
}

/* Sends an update (all routes, or the changed ones) out of every active
 * interface that is not passive. */
static void rip_update_all(Rip *rip, gboolean changed_only)
{
  for (guint i = 0; i < rip->n_ifaces; i++)
    if (rip->ifaces[i].active && !rip->ifaces[i].conf.passive)
      rip_send_update(rip, &rip->ifaces[i], changed_only);
  rip_clear_changed(rip);
}

static void rip_trigger_fire(void *obj, void *arg)
{
  Rip *rip = obj;

  (void)arg;
  rip->trigger_ev = EVENT_ID_NONE;
  rip->triggered_updates++;
  rip_update_all(rip, TRUE);
}

/* Something changed: a triggered update after a random damping delay,
 * unless one is pending or the periodic update comes first. */
void rip_trigger(Rip *rip)
{
  SimContext *ctx = rip->node->ctx;
  SimTime span = rip->conf.trigger_max - rip->conf.trigger_min;
  SimTime at;

  if (rip->halted || scheduler_is_pending(ctx->sched, rip->trigger_ev))
    return;
  at = sim_now(ctx) + rip->conf.trigger_min + (SimTime)rng_below(&rip->rng, (uint64_t)MAX(span, 0) + 1);
  if (at >= rip->update_at)
    return;
  rip->trigger_ev = scheduler_at(ctx->sched, at, rip_trigger_fire, rip, NULL);
}

static void rip_update_fire(void *obj, void *arg);

/* Schedules the next periodic update: `update` +- update/6. */
static void rip_schedule_update(Rip *rip)
{
  SimContext *ctx = rip->node->ctx;
  SimTime jitter = rip->conf.update / 6;
  SimTime offset = (SimTime)rng_below(&rip->rng, (uint64_t)(2 * jitter) + 1) - jitter;

  rip->update_at = sim_now(ctx) + rip->conf.update + offset;
  rip->update_ev = scheduler_at(ctx->sched, rip->update_at, rip_update_fire, rip, NULL);
}

static void rip_update_fire(void *obj, void *arg)
{
  Rip *rip = obj;

  (void)arg;
  rip_update_all(rip, FALSE);
  rip_schedule_update(rip);
}

/* Poisons the routes learned on `iface` (it went down, or RIP is off). */
static void rip_poison_iface(Rip *rip, Iface *iface, const char *reason)
{
  for (guint i = 0; i < rip->routes->len; i++) {
    RipRoute *r = rip_route_at(rip, i);
    if (r->kind == RIP_LEARNED && r->iface == iface && r->metric < RIP_INFINITY)
      rip_poison(rip, r, reason);
  }
}

/* Brings RIP on one interface in step with its state: active when
 * enabled, addressed and up (joins 224.0.0.9, asks for the neighbours'
 * tables), else not (leaves, poisons what was learned there). */
static void rip_iface_refresh(Rip *rip, RipIface *ri)
{
  Iface *iface = ri->iface;
  gboolean want = ri->conf.enabled && iface->has_ip && iface->up && !rip->halted;

  if (want == ri->active)
    return;
  ri->active = want;
  if (want) {
    ipv4_join_group(rip->node, iface, RIP_GROUP);
    if (!ri->conf.passive)
      rip_send_request(rip, ri);
    return;
  }
  ipv4_leave_group(rip->node, iface, RIP_GROUP);
  rip_poison_iface(rip, iface, ri->conf.enabled ? "interface down" : "rip off");
}

/* Makes `to` one of our own routes (metric 1) of `kind`, replacing a
 * learned one, unless an earlier call of this generation claimed it. */
static void rip_want_local(Rip *rip, Ipv4Prefix to, RipKind kind, Iface *iface)
{
  RipRoute *r = rip_find(rip, (Ipv4Prefix){to.addr & addr_mask(to.len), to.len});

  if (!r)
    r = rip_add(rip, to);
  if (r->mark == rip->generation)
    return;
  r->mark = rip->generation;
  if (r->kind == kind && r->metric == 1 && r->iface == iface)
    return;
  if (r->kind == RIP_LEARNED && r->metric < RIP_INFINITY) {
    r->metric = RIP_INFINITY;
    rip_install(rip, r, "local route");
  }
  *r = (RipRoute){.key = r->key,
                  .to = r->to,
                  .metric = 1,
                  .iface = iface,
                  .kind = (uint8_t)kind,
                  .changed = TRUE,
                  .deadline = G_MAXINT64,
                  .mark = rip->generation};
  rip_trigger(rip);
}

/* Claims the static routes (redist_static): usable ones only. */
static void rip_want_static(Rip *rip)
{
  const GArray *routes = route_table_routes(rip->node->ip->routes);

  for (guint i = 0; i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->origin == ROUTE_STATIC && (!r->iface || r->iface->up))
      rip_want_local(rip, (Ipv4Prefix){r->prefix, r->len}, RIP_REDIST_STATIC, NULL);
  }
}

/* Brings our own routes in step with the interfaces and the
 * configuration: wanted ones set, unwanted ones poisoned. */
static void rip_sync_local(Rip *rip)
{
  rip->generation++;
  for (guint i = 0; i < rip->n_ifaces && !rip->halted; i++) {
    RipIface *ri = &rip->ifaces[i];
    if (ri->iface->has_ip && ri->iface->up && (ri->conf.enabled || rip->conf.redist_connected))
      rip_want_local(rip, ri->iface->ip, ri->conf.enabled ? RIP_CONNECTED : RIP_REDIST_CONNECTED, ri->iface);
  }
  if (rip->conf.redist_static && !rip->halted)
    rip_want_static(rip);
  if (rip->conf.default_originate && !rip->halted)
    rip_want_local(rip, (Ipv4Prefix){0, 0}, RIP_DEFAULT, NULL);
  for (guint i = 0; i < rip->routes->len; i++) {
    RipRoute *r = rip_route_at(rip, i);
    if (r->kind != RIP_LEARNED && r->mark != rip->generation)
      rip_poison(rip, r, "local route gone");
  }
}

/* Empties the RIB. */
static void rip_clear(Rip *rip)
{
  g_array_set_size(rip->routes, 0);
  rip->sorted_len = 0;
  rip_reindex(rip);
}

/* The node went down: every timer stopped, every learned route
 * withdrawn, the RIB emptied, the groups left. */
static void rip_halt(Rip *rip)
{
  Scheduler *s = rip->node->ctx->sched;

  rip->halted = TRUE;
  scheduler_cancel(s, rip->update_ev);
  scheduler_cancel(s, rip->trigger_ev);
  scheduler_cancel(s, rip->timer_ev);
  rip->update_ev = rip->trigger_ev = rip->timer_ev = EVENT_ID_NONE;
  for (guint i = 0; i < rip->routes->len; i++) {
    RipRoute *r = rip_route_at(rip, i);
    r->metric = RIP_INFINITY;
    rip_install(rip, r, "node down");
  }
  rip_clear(rip);
  for (guint i = 0; i < rip->n_ifaces; i++)
    if (rip->ifaces[i].active) {
      ipv4_leave_group(rip->node, rip->ifaces[i].iface, RIP_GROUP);
      rip->ifaces[i].active = FALSE;
    }
  rip_note(rip, NULL, "stopped (node down)");
}

/* An interface of the node went up or down (or the node did). */
static void rip_iface_changed(void *data, Iface *iface)
{
  Rip *rip = data;

  if (rip->node->down) {
    if (!rip->halted)
      rip_halt(rip);
    return;
  }
  if (rip->halted) {
    rip_start(rip);
    return;
  }
  rip_iface_refresh(rip, &rip->ifaces[iface->index]);
  rip_sync_local(rip);
}

/* Starts (or restarts) RIP: the periodic update scheduled, every
 * interface brought in step (requests sent), our own routes set. */
static void rip_start(Rip *rip)
{
  rip->halted = FALSE;
  rip_schedule_update(rip);
  for (guint i = 0; i < rip->n_ifaces; i++)
    rip_iface_refresh(rip, &rip->ifaces[i]);
  rip_sync_local(rip);
  rip_note(rip, NULL, "started");
}

static void rip_start_event(void *obj, void *arg)
{
  Rip *rip = obj;

  (void)arg;
  rip->update_ev = EVENT_ID_NONE;
  if (!rip->node->down)
    rip_start(rip);
}

static void rip_copy_ifaces(Rip *rip, const RipConfig *conf)
{
  rip->n_ifaces = rip->node->ifaces->len;
  rip->ifaces = g_new0(RipIface, rip->n_ifaces);
  for (guint i = 0; i < rip->n_ifaces; i++) {
    rip->ifaces[i].iface = node_iface(rip->node, i);
    if (conf->ifaces && i < conf->ifaces->len)
      rip->ifaces[i].conf = g_array_index(conf->ifaces, RipIfaceConfig, i);
    else
      rip_iface_config_defaults(&rip->ifaces[i].conf);
  }
}

/* Creates RIP on `node` (its layers built): binds UDP 520, listens to
 * its interfaces, and starts at the current time (an event, so that the
 * whole network is built first). NULL when port 520 is taken. */
Rip *rip_new(Node *node, const RipConfig *conf)
{
  static const UdpHandler handler = {.recv = rip_recv};
  Rip *rip = g_new0(Rip, 1);
  char *stream = g_strdup_printf("rip/%s", node->name);

  rip->node = node;
  rip->conf = *conf;
  rip->conf.ifaces = NULL;
  rip_copy_ifaces(rip, conf);
  rip->routes = g_array_new(FALSE, FALSE, sizeof(RipRoute));
  rip_reindex(rip);
  rng_init(&rip->rng, node->ctx->seed, stream);
  g_free(stream);
  if (udp_bind(node, RIP_PORT, &handler, rip) < 0) {
    rip_free(rip);
    return NULL;
  }
  rip->halted = TRUE;
  rip->update_at = G_MAXINT64;
  node->rip = rip;
  node_add_cleanup(node, (GDestroyNotify)rip_free, rip);
  iface_listen(&node->iface_listeners, rip_iface_changed, rip);
  rip->update_ev = scheduler_after(node->ctx->sched, 0, rip_start_event, rip, NULL);
  return rip;
}

/* Frees the instance (node_free() calls it through the node's cleanups,
 * before the scheduler goes, so that pending events are cancelled). */
void rip_free(Rip *rip)
{
  if (!rip)
    return;
  if (rip->node->rip == rip) {
    Scheduler *s = rip->node->ctx->sched;
    scheduler_cancel(s, rip->update_ev);
    scheduler_cancel(s, rip->trigger_ev);
    scheduler_cancel(s, rip->timer_ev);
    udp_unbind(rip->node, RIP_PORT);
    rip->node->rip = NULL;
  }
  g_free(rip->index);
  g_array_free(rip->routes, TRUE);
  g_free(rip->ifaces);
  g_free(rip);
}

/* Turns RIP on or off on interface `iface` (an event): off is as the
 * interface going down for RIP (group left, routes learned there
 * poisoned, its subnet withdrawn unless redistributed); on joins and asks
 * the neighbours for their tables. */
void rip_set_iface_enabled(Rip *rip, guint iface, gboolean on)
{
  if (iface >= rip->n_ifaces || rip->ifaces[iface].conf.enabled == on)
    return;
  rip->ifaces[iface].conf.enabled = on;
  rip_note(rip, rip->ifaces[iface].iface, on ? "on" : "off");
  if (rip->halted)
    return;
  rip_iface_refresh(rip, &rip->ifaces[iface]);
  rip_sync_local(rip);
}

uint64_t rip_packets_sent(const Rip *rip)
{
  return rip->packets_sent;
}
