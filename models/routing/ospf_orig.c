/*
 * What an OSPF router originates (RFC 2328 12.4): its router LSA in each
 * area (12.4.1: point-to-point links with a stub for the subnet, transit
 * links to DRs, stubs for passive interfaces and networks without an
 * adjacency), a network LSA for each broadcast network where it is DR
 * with an adjacency (12.4.2), summary and ASBR-summary LSAs as an area
 * border router (12.4.3, built in ospf_spf.c), AS-external LSAs for redistributed
 * connected and static routes and the default route (12.4.4, E2 metric 20
 * as FRR). Everything is rebuilt at once, in an event soon after a
 * change; an LSA whose contents did not change is left alone, one that
 * changed less than MinLSInterval (5 s) after its last origination waits
 * for it, one no longer wanted is flushed (premature aging, 14.1), one
 * older than LSRefreshTime is originated again.
 *
 * Entry points (ospf_int.h): ospf_originate_soon(), ospf_originate_all().
 *
 * The router LSA carries the B bit on an area border router and the E bit
 * on an AS boundary router (one that redistributes); an area border router
 * also originates ASBR-summary LSAs (type 4, 12.4.3, chosen in
 * ospf_spf.c) so that routers of other areas reach the externals.
 *
 * Leaves out: forwarding addresses and route tags in externals, host
 * routes for loopbacks.
 */
#include "models/routing/ospf_int.h"

#include <string.h>

#include "models/internet/ipv4.h"

#define OSPF_MIN_LS_INTERVAL SIMTIME_S(5)
#define OSPF_EXT_METRIC 20

typedef struct {
  OspfKey key;
  GByteArray *body;
} OspfWant;

static void ospf_want_free(gpointer p)
{
  OspfWant *w = p;
  g_byte_array_free(w->body, TRUE);
  g_free(w);
}

static GByteArray *ospf_want(GHashTable *wants, uint8_t type, uint32_t id, uint32_t adv)
{
  OspfWant *w = g_new(OspfWant, 1);

  w->key = (OspfKey){id, adv, type};
  w->body = g_byte_array_new();
  g_hash_table_replace(wants, w, w);
  return w->body;
}

static void ospf_put_link(GByteArray *b, uint32_t id, uint32_t data, uint8_t type, uint32_t metric)
{
  uint8_t l[OSPF_ROUTER_LINK_LEN] = {0};

  ospf_put32(l, id);
  ospf_put32(l + 4, data);
  l[8] = type;
  ospf_put16(l + 10, (uint16_t)metric);
  g_byte_array_append(b, l, sizeof l);
}

/* TRUE when the interface has a full neighbour (with the DR, if `dr_only`). */
static gboolean ospf_iface_full(const OspfIface *oi, gboolean dr_only)
{
  for (guint i = 0; i < oi->nbrs->len; i++) {
    const OspfNbr *n = g_ptr_array_index(oi->nbrs, i);
    if (n->state == OSPF_NBR_FULL && (!dr_only || n->addr == oi->dr))
      return TRUE;
  }
  return FALSE;
}

/* One interface's links in the router LSA (12.4.1.1, 12.4.1.2). */
static void ospf_iface_links(const OspfIface *oi, GByteArray *b)
{
  uint32_t addr = ospf_iface_addr(oi), mask = ospf_iface_mask(oi);

  if (oi->state == OSPF_IFS_DOWN)
    return;
  if (oi->on && oi->type == OSPF_IF_P2P) {
    for (guint i = 0; i < oi->nbrs->len; i++) {
      const OspfNbr *n = g_ptr_array_index(oi->nbrs, i);
      if (n->state == OSPF_NBR_FULL)
        ospf_put_link(b, n->rid, addr, OSPF_LINK_P2P, oi->cost);
    }
  } else if (oi->on && oi->state != OSPF_IFS_WAITING &&
             ((oi->state == OSPF_IFS_DR && ospf_iface_full(oi, FALSE)) || ospf_iface_full(oi, TRUE))) {
    ospf_put_link(b, oi->dr, addr, OSPF_LINK_TRANSIT, oi->cost);
    return;
  }
  ospf_put_link(b, addr & mask, mask, OSPF_LINK_STUB, oi->cost);
}

static gboolean ospf_is_asbr(const Ospf *ospf)
{
  return ospf->conf.redist_connected || ospf->conf.redist_static || ospf->conf.default_originate;
}

/* The router LSA of `area` (A.4.2). */
static void ospf_want_router(Ospf *ospf, OspfArea *area, GHashTable *wants)
{
  GByteArray *b = ospf_want(wants, OSPF_LSA_ROUTER, ospf->rid, ospf->rid);
  uint8_t head[4] = {0};

  head[0] = (uint8_t)((ospf_is_abr(ospf) ? OSPF_RTR_B : 0) | (ospf_is_asbr(ospf) ? OSPF_RTR_E : 0));
  g_byte_array_append(b, head, 4);
  for (guint i = 0; i < area->ifaces->len; i++)
    ospf_iface_links(g_ptr_array_index(area->ifaces, i), b);
  ospf_put16(b->data + 2, (uint16_t)((b->len - 4) / OSPF_ROUTER_LINK_LEN));
}

/* The network LSAs of the area's networks where we are DR (A.4.3). */
static void ospf_want_networks(Ospf *ospf, OspfArea *area, GHashTable *wants)
{
  uint8_t w[4];

  for (guint i = 0; i < area->ifaces->len; i++) {
    OspfIface *oi = g_ptr_array_index(area->ifaces, i);
    if (oi->state != OSPF_IFS_DR || !ospf_iface_full(oi, FALSE))
      continue;
    GByteArray *b = ospf_want(wants, OSPF_LSA_NETWORK, ospf_iface_addr(oi), ospf->rid);
    ospf_put32(w, ospf_iface_mask(oi));
    g_byte_array_append(b, w, 4);
    ospf_put32(w, ospf->rid);
    g_byte_array_append(b, w, 4);
    for (guint j = 0; j < oi->nbrs->len; j++) {
      const OspfNbr *n = g_ptr_array_index(oi->nbrs, j);
      if (n->state == OSPF_NBR_FULL) {
        ospf_put32(w, n->rid);
        g_byte_array_append(b, w, 4);
      }
    }
  }
}

static void ospf_want_external(Ospf *ospf, GHashTable *wants, uint32_t addr, uint8_t len)
{
  uint8_t b[16] = {0};

  ospf_put32(b, addr_mask(len));
  ospf_put32(b + 4, OSPF_EXT_METRIC);
  b[4] = OSPF_EXT_E;
  g_byte_array_append(ospf_want(wants, OSPF_LSA_EXTERNAL, addr & addr_mask(len), ospf->rid), b, sizeof b);
}

/* The AS-external LSAs (A.4.5): connected subnets without OSPF (interfaces up), usable static routes, the default. */
static void ospf_want_externals(Ospf *ospf, GHashTable *wants)
{
  Node *node = ospf->node;

  for (guint i = 0; ospf->conf.redist_connected && i < node->ifaces->len; i++) {
    Iface *f = node_iface(node, i);
    OspfIface *oi = i < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, i) : NULL;
    if (f->has_ip && f->up && (!oi || !oi->conf.enabled))
      ospf_want_external(ospf, wants, f->ip.addr, f->ip.len);
  }
  const GArray *routes = route_table_routes(node->ip->routes);
  for (guint i = 0; ospf->conf.redist_static && i < routes->len; i++) {
    const Route *r = &g_array_index(routes, Route, i);
    if (r->origin == ROUTE_STATIC && r->len > 0 && (!r->iface || r->iface->up))
      ospf_want_external(ospf, wants, r->prefix, r->len);
  }
  if (ospf->conf.default_originate)
    ospf_want_external(ospf, wants, 0, 0);
}

/* A new instance of a wanted LSA: the next sequence number after `have`. */
static void ospf_originate_new(Ospf *ospf, OspfArea *area, const OspfWant *w, const OspfLsa *have)
{
  size_t len = OSPF_LSA_HEADER_LEN + w->body->len;
  uint8_t *l = g_malloc0(len);
  int32_t seq = have ? (int32_t)ospf_get32(have->blob->data + OSPF_L_SEQ) + 1 : OSPF_INITIAL_SEQ;

  l[OSPF_L_OPTIONS] = OSPF_OPT_E;
  l[OSPF_L_TYPE] = w->key.type;
  ospf_put32(l + OSPF_L_ID, w->key.id);
  ospf_put32(l + OSPF_L_ADV, w->key.adv);
  ospf_put32(l + OSPF_L_SEQ, (uint32_t)seq);
  ospf_put16(l + OSPF_L_LEN, (uint16_t)len);
  memcpy(l + OSPF_LSA_HEADER_LEN, w->body->data, w->body->len);
  ospf_fletcher(l, len);
  OspfLsa *e = ospf_lsdb_install(ospf, area, ospf_blob_intern(ospf->shared, l, len), 0, TRUE);
  g_free(l);
  ospf_flood(ospf, area, e, NULL);
}

/* Originates `w` unless the database holds it already; *wait: the
 * earliest time an LSA held back by MinLSInterval may go. */
static void ospf_originate_want(Ospf *ospf, OspfArea *area, const OspfWant *w, SimTime *wait)
{
  SimTime now = sim_now(ospf->node->ctx);
  OspfLsa *have = ospf_lsdb_lookup(ospf, area, &w->key);

  if (have && have->mine) {
    uint16_t age = ospf_lsa_age(have, now);
    gboolean same = have->blob->len == OSPF_LSA_HEADER_LEN + w->body->len &&
                    memcmp(have->blob->data + OSPF_LSA_HEADER_LEN, w->body->data, w->body->len) == 0;
    if (same && age < OSPF_LS_REFRESH)
      return;
    if (!same && age < OSPF_MAX_AGE && now - have->at < OSPF_MIN_LS_INTERVAL) {
      *wait = MIN(*wait, have->at + OSPF_MIN_LS_INTERVAL);
      return;
    }
  }
  ospf_originate_new(ospf, area, w, have);
}

/* Flushes our LSAs of `db` that are no longer wanted (14.1). */
static void ospf_flush_unwanted(Ospf *ospf, OspfArea *area, const OspfDb *db, GHashTable *wants)
{
  SimTime now = sim_now(ospf->node->ctx);
  GPtrArray *gone = g_ptr_array_new();
  OspfLsa *l;

  for (guint p = 0; (l = ospf_db_next(db, &p));)
    if (l->key.adv == ospf->rid && !g_hash_table_contains(wants, &l->key) && ospf_lsa_age(l, now) < OSPF_MAX_AGE)
      g_ptr_array_add(gone, l);
  for (guint i = 0; i < gone->len; i++) {
    l = g_ptr_array_index(gone, i);
    l->blob->refs++;
    OspfLsa *e = ospf_lsdb_install(ospf, area, l->blob, OSPF_MAX_AGE, TRUE);
    ospf_flood(ospf, area, e, NULL);
  }
  g_ptr_array_free(gone, TRUE);
}

/* Originates, refreshes and flushes one database's LSAs against `wants`. */
static void ospf_originate_db(Ospf *ospf, OspfArea *area, const OspfDb *db, GHashTable *wants, SimTime *wait)
{
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init(&it, wants);
  while (g_hash_table_iter_next(&it, &k, NULL))
    ospf_originate_want(ospf, area, k, wait);
  ospf_flush_unwanted(ospf, area, db, wants);
}

static void ospf_orig_event(void *obj, void *arg)
{
  Ospf *ospf = obj;
  (void)arg;
  ospf->orig_timer = EVENT_ID_NONE;
  ospf_originate_all(ospf);
}

/* Rebuilds every LSA this router originates. */
void ospf_originate_all(Ospf *ospf)
{
  SimTime wait = G_MAXINT64, now = sim_now(ospf->node->ctx);
  GHashTable *wants;

  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    wants = g_hash_table_new_full(ospf_key_hash, ospf_key_equal, ospf_want_free, NULL);
    ospf_want_router(ospf, a, wants);
    ospf_want_networks(ospf, a, wants);
    if (ospf_is_abr(ospf)) {
      ospf_summaries_build(ospf, a, wants);
      ospf_asbr_summaries_build(ospf, a, wants);
    }
    ospf_originate_db(ospf, a, &a->lsdb, wants, &wait);
    g_hash_table_destroy(wants);
  }
  wants = g_hash_table_new_full(ospf_key_hash, ospf_key_equal, ospf_want_free, NULL);
  ospf_want_externals(ospf, wants);
  if (ospf->areas->len)
    ospf_originate_db(ospf, g_ptr_array_index(ospf->areas, 0), &ospf->ext, wants, &wait);
  g_hash_table_destroy(wants);
  if (wait != G_MAXINT64 && !ospf->orig_timer) {
    ospf->orig_next = MAX(wait, now);
    ospf->orig_timer = scheduler_at(ospf->node->ctx->sched, ospf->orig_next, ospf_orig_event, ospf, NULL);
  }
}

/* Asks for ospf_originate_all() at the end of this instant (once for a burst of changes). */
void ospf_originate_soon(Ospf *ospf)
{
  Scheduler *s = ospf->node->ctx->sched;

  if (ospf->orig_timer && ospf->orig_next <= scheduler_now(s))
    return;
  if (ospf->orig_timer)
    scheduler_cancel(s, ospf->orig_timer);
  ospf->orig_next = scheduler_now(s);
  ospf->orig_timer = scheduler_after(s, 0, ospf_orig_event, ospf, NULL);
}

/* A summary LSA body (A.4.4) for ospf_summaries_build(). */
void ospf_want_summary(Ospf *ospf, GHashTable *wants, uint32_t addr, uint8_t len, uint32_t cost)
{
  uint8_t b[8] = {0};

  ospf_put32(b, addr_mask(len));
  ospf_put32(b + 4, MIN(cost, OSPF_LS_INFINITY));
  g_byte_array_append(ospf_want(wants, OSPF_LSA_SUMMARY, addr, ospf->rid), b, sizeof b);
}

/* An ASBR-summary LSA body (A.4.4: mask 0, the cost to AS boundary router `asbr`). */
void ospf_want_asbr_summary(Ospf *ospf, GHashTable *wants, uint32_t asbr, uint32_t cost)
{
  uint8_t b[8] = {0};

  ospf_put32(b + 4, MIN(cost, OSPF_LS_INFINITY));
  g_byte_array_append(ospf_want(wants, OSPF_LSA_ASBR, asbr, ospf->rid), b, sizeof b);
}
