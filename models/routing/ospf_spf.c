/*
 * OSPF's routing table calculation (RFC 2328 section 16): Dijkstra over
 * each area's router and network LSAs (16.1) with equal-cost multipath
 * next hops (16.1.1, at most ROUTE_MAX_PATHS), intra-area routes to stub
 * and transit networks, inter-area routes from summary LSAs (16.2: the
 * backbone's only on an area border router), AS-external routes (16.4, E1
 * and E2), and the summary LSAs an area border router advertises (12.4.3).
 * SPF is throttled as FRR's `timers throttle spf`: the first run
 * spf_delay after a change, then at least spf_hold apart, the hold
 * doubling while changes keep coming, up to spf_max_hold, back to
 * spf_hold after a quiet hold period. Routes go to the node's table
 * through routing_set(), only those that changed since the last run.
 *
 * Entry points (ospf_int.h): ospf_spf_schedule(), ospf_spf_cache_update(),
 * ospf_spf_cache_free(), ospf_spf_paths_free(),
 * ospf_summaries_build(), ospf_asbr_summaries_build().
 *
 * AS boundary routers are reached inside an area or through the
 * ASBR-summary LSAs (type 4) of its border routers (16.2), the preferred
 * entry chosen as 16.4.1 says (RFC1583Compatibility off); an area border
 * router advertises them into its other areas (12.4.3).
 *
 * Leaves out: virtual links and transit areas (16.3),
 * forwarding addresses in externals, the incremental SPF of FRR.
 */
#include "models/routing/ospf_int.h"

#include <string.h>

#include "models/internet/ipv4.h"

typedef struct {
  uint8_t type; /* OSPF_LSA_ROUTER or OSPF_LSA_NETWORK */
  gboolean done, direct;
  uint32_t id, dist;
  const OspfBlob *lsa; /* the LSA's bytes */
  guint n;
  RoutingHop hops[ROUTE_MAX_PATHS];
} OspfVertex;

typedef struct {
  uint32_t dist;
  uint32_t v;
  uint8_t type;
} OspfHeapItem;

/* An area's vertices, every live router and network LSA, the root first:
 * kept from run to run, so that a run reads no database entry. Built
 * again only when a router or network LSA came, went, or reached or left
 * MaxAge (area->spf_stale), or when the first of them ages out
 * (area->spf_expires); an LSA replaced in place has its bytes updated
 * here by ospf_spf_cache_update(). */
typedef struct {
  const OspfLsa *lsa; /* the database entry (its vidx is this index) */
  const OspfBlob *blob;
  uint32_t id;
  uint8_t type;
} OspfVDesc;

typedef struct OspfSpfCache {
  GArray *descs; /* of OspfVDesc, the root at 0 */
  gboolean root; /* we have a live router LSA */
} OspfSpfCache;

/* One calculation: the area's vertices found by (type, ID) in an
 * open-addressing table built per run (no hashing of LSA keys while
 * relaxing). */
typedef struct {
  Ospf *ospf;
  OspfArea *area;
  GArray *verts;  /* of OspfVertex, the root at 0 */
  uint64_t *keys; /* (type << 32 | id) + 1, 0 empty */
  guint *slot;    /* vertex index of keys[i] */
  guint bits;     /* the table holds 1 << bits */
  GArray *heap;   /* of OspfHeapItem */
  SimTime now;
} OspfSpf;

static uint64_t ospf_vkey(uint8_t type, uint32_t id)
{
  return ((uint64_t)type << 32 | id) + 1;
}

/* The slot of (type, id): where it is, or the empty one it would take. */
static guint ospf_vslot(const OspfSpf *s, uint64_t key)
{
  guint mask = (1u << s->bits) - 1, i = (guint)((key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - s->bits));

  while (s->keys[i] && s->keys[i] != key)
    i = (i + 1) & mask;
  return i;
}

/* The index of vertex (type, id), or G_MAXUINT. */
static guint ospf_vfind(const OspfSpf *s, uint8_t type, uint32_t id)
{
  guint i = ospf_vslot(s, ospf_vkey(type, id));
  return s->keys[i] ? s->slot[i] : G_MAXUINT;
}

/* ------------------------------------------------------------ the heap */

static gboolean ospf_heap_less(const OspfHeapItem *a, const OspfHeapItem *b)
{
  if (a->dist != b->dist)
    return a->dist < b->dist;
  return a->type > b->type; /* networks before routers (16.1 step 3) */
}

static void ospf_heap_push(GArray *h, OspfHeapItem it)
{
  guint i = h->len;

  g_array_append_val(h, it);
  while (i > 0) {
    guint p = (i - 1) / 2;
    OspfHeapItem *a = &g_array_index(h, OspfHeapItem, i), *b = &g_array_index(h, OspfHeapItem, p);
    if (!ospf_heap_less(a, b))
      break;
    OspfHeapItem t = *a;
    *a = *b;
    *b = t;
    i = p;
  }
}

static OspfHeapItem ospf_heap_pop(GArray *h)
{
  OspfHeapItem top = g_array_index(h, OspfHeapItem, 0);
  guint i = 0, n = h->len - 1;

  g_array_index(h, OspfHeapItem, 0) = g_array_index(h, OspfHeapItem, n);
  g_array_set_size(h, n);
  for (;;) {
    guint l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && ospf_heap_less(&g_array_index(h, OspfHeapItem, l), &g_array_index(h, OspfHeapItem, m)))
      m = l;
    if (r < n && ospf_heap_less(&g_array_index(h, OspfHeapItem, r), &g_array_index(h, OspfHeapItem, m)))
      m = r;
    if (m == i)
      break;
    OspfHeapItem t = g_array_index(h, OspfHeapItem, i);
    g_array_index(h, OspfHeapItem, i) = g_array_index(h, OspfHeapItem, m);
    g_array_index(h, OspfHeapItem, m) = t;
    i = m;
  }
  return top;
}

/* ------------------------------------------------------------ next hops */

static int ospf_hop_cmp(const RoutingHop *a, const RoutingHop *b)
{
  if (a->iface->index != b->iface->index)
    return a->iface->index < b->iface->index ? -1 : 1;
  return a->gateway < b->gateway ? -1 : a->gateway > b->gateway;
}

/* Adds hop h to the sorted set hops[0..*n), without duplicates. */
static void ospf_hops_add(RoutingHop *hops, guint *n, RoutingHop h)
{
  guint i = 0;

  while (i < *n && ospf_hop_cmp(&hops[i], &h) < 0)
    i++;
  if ((i < *n && ospf_hop_cmp(&hops[i], &h) == 0) || *n >= ROUTE_MAX_PATHS)
    return;
  memmove(&hops[i + 1], &hops[i], (*n - i) * sizeof *hops);
  hops[i] = h;
  (*n)++;
}

static OspfIface *ospf_iface_by_addr(const Ospf *ospf, uint32_t addr)
{
  for (guint i = 0; i < ospf->ifaces->len; i++) {
    OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    if (oi && ospf_iface_addr(oi) == addr)
      return oi;
  }
  return NULL;
}

static const OspfNbr *ospf_nbr_by_rid(const OspfIface *oi, uint32_t rid)
{
  for (guint i = 0; i < oi->nbrs->len; i++) {
    const OspfNbr *n = g_ptr_array_index(oi->nbrs, i);
    if (n->rid == rid && n->state == OSPF_NBR_FULL)
      return n;
  }
  return NULL;
}

/* W's interface address on the network `net` (its transit link's data). */
static uint32_t ospf_router_addr_on(const OspfBlob *w, uint32_t net)
{
  const uint8_t *d = w->data;
  guint n = ospf_get16(d + 22);

  for (guint i = 0; i < n; i++) {
    const uint8_t *l = d + 24 + i * OSPF_ROUTER_LINK_LEN;
    if (l[8] == OSPF_LINK_TRANSIT && ospf_get32(l) == net)
      return ospf_get32(l + 4);
  }
  return 0;
}

/* The next hops to W through V (16.1.1), added to hops[0..*n). */
static void ospf_next_hops(OspfSpf *s, const OspfVertex *v, gboolean root, OspfVertex *w, const uint8_t *link,
                           RoutingHop *hops, guint *n)
{
  if (root) {
    OspfIface *oi = ospf_iface_by_addr(s->ospf, ospf_get32(link + 4));
    const OspfNbr *nb = oi && w->type == OSPF_LSA_ROUTER ? ospf_nbr_by_rid(oi, w->id) : NULL;
    if (oi && (w->type == OSPF_LSA_NETWORK || nb))
      ospf_hops_add(hops, n, (RoutingHop){oi->iface, nb ? nb->addr : 0});
    return;
  }
  if (v->direct && w->type == OSPF_LSA_ROUTER && v->n) {
    uint32_t gw = ospf_router_addr_on(w->lsa, v->id);
    if (gw)
      ospf_hops_add(hops, n, (RoutingHop){v->hops[0].iface, gw});
    return;
  }
  for (guint i = 0; i < v->n; i++)
    ospf_hops_add(hops, n, v->hops[i]);
}

/* ------------------------------------------------------------ Dijkstra */

static gboolean ospf_live(const OspfSpf *s, const OspfLsa *l)
{
  return ospf_lsa_age(l, s->now) < OSPF_MAX_AGE;
}

/* TRUE when W's LSA links back to V (16.1 step 2b). */
static gboolean ospf_links_back(const OspfBlob *w, uint8_t vtype, uint32_t vid)
{
  const uint8_t *d = w->data;
  guint len = w->len;

  if (d[OSPF_L_TYPE] == OSPF_LSA_NETWORK) {
    for (guint off = 24; off + 4 <= len; off += 4) /* after the mask: the attached routers */
      if (ospf_get32(d + off) == vid)
        return TRUE;
    return FALSE;
  }
  guint n = ospf_get16(d + 22);
  for (guint i = 0; i < n; i++) {
    const uint8_t *l = d + 24 + i * OSPF_ROUTER_LINK_LEN;
    if (ospf_get32(l) == vid && ((vtype == OSPF_LSA_ROUTER && l[8] == OSPF_LINK_P2P) ||
                                 (vtype == OSPF_LSA_NETWORK && l[8] == OSPF_LINK_TRANSIT)))
      return TRUE;
  }
  return FALSE;
}

/* Adds the vertex of a live LSA (a later one of the same (type, ID) replaces it). */
static void ospf_vertex_add(OspfSpf *s, uint8_t type, uint32_t id, const OspfBlob *lsa)
{
  guint i = ospf_vslot(s, ospf_vkey(type, id));

  if (s->keys[i]) {
    g_array_index(s->verts, OspfVertex, s->slot[i]).lsa = lsa;
    return;
  }
  g_array_set_size(s->verts, s->verts->len + 1); /* its hops stay unwritten until it is reached */
  OspfVertex *v = &g_array_index(s->verts, OspfVertex, s->verts->len - 1);
  v->type = type;
  v->id = id;
  v->dist = UINT32_MAX;
  v->lsa = lsa;
  v->done = v->direct = FALSE;
  v->n = 0;
  s->keys[i] = ospf_vkey(type, id);
  s->slot[i] = s->verts->len - 1;
}

/* Relaxes the edge V -> (wtype, wid) of cost `cost` (16.1 step 2). */
static void ospf_relax(OspfSpf *s, guint vi, uint8_t wtype, uint32_t wid, uint32_t cost, const uint8_t *link)
{
  guint wi = ospf_vfind(s, wtype, wid);
  if (wi == G_MAXUINT)
    return;
  OspfVertex *v = &g_array_index(s->verts, OspfVertex, vi), *w = &g_array_index(s->verts, OspfVertex, wi);
  if (w->done || !ospf_links_back(w->lsa, v->type, v->id))
    return;
  uint32_t d = v->dist + cost;
  if (d > w->dist)
    return;
  if (d < w->dist) {
    w->dist = d;
    w->n = 0;
    w->direct = vi == 0 && wtype == OSPF_LSA_NETWORK;
    ospf_heap_push(s->heap, (OspfHeapItem){d, wi, wtype});
  }
  ospf_next_hops(s, v, vi == 0, w, link, w->hops, &w->n);
}

/* V's edges: a router's point-to-point and transit links, a network's routers. */
static void ospf_vertex_edges(OspfSpf *s, guint vi)
{
  const OspfVertex *v = &g_array_index(s->verts, OspfVertex, vi);
  const uint8_t *d = v->lsa->data;
  guint len = v->lsa->len;

  if (v->type == OSPF_LSA_NETWORK) {
    for (guint off = 24; off + 4 <= len; off += 4) /* after the mask: the attached routers */
      ospf_relax(s, vi, OSPF_LSA_ROUTER, ospf_get32(d + off), 0, NULL);
    return;
  }
  guint n = ospf_get16(d + 22);
  for (guint i = 0; i < n; i++) {
    const uint8_t *l = d + 24 + i * OSPF_ROUTER_LINK_LEN;
    if (l[8] == OSPF_LINK_P2P || l[8] == OSPF_LINK_TRANSIT)
      ospf_relax(s, vi, l[8] == OSPF_LINK_P2P ? OSPF_LSA_ROUTER : OSPF_LSA_NETWORK, ospf_get32(l), ospf_get16(l + 10),
                 l);
  }
}

static void ospf_desc_add(OspfArea *a, OspfLsa *l)
{
  OspfVDesc d = {l, l->blob, l->key.id, l->key.type};

  l->vidx = a->spf_cache->descs->len;
  g_array_append_val(a->spf_cache->descs, d);
  a->spf_expires = MIN(a->spf_expires, l->at + (SimTime)(OSPF_MAX_AGE - l->age0) * SIMTIME_S(1));
}

/* The area's vertices again: our router LSA first (root FALSE when we
 * have none), then every live router LSA (its ID its advertising
 * router's) and network LSA, in the database's order. */
static void ospf_spf_cache_build(OspfSpf *s)
{
  OspfArea *a = s->area;
  OspfKey rk = {s->ospf->rid, s->ospf->rid, OSPF_LSA_ROUTER};
  OspfLsa *root = ospf_lsdb_lookup(s->ospf, a, &rk), *l;

  ospf_spf_cache_free(a);
  a->spf_cache = g_new0(OspfSpfCache, 1);
  a->spf_cache->descs = g_array_new(FALSE, FALSE, sizeof(OspfVDesc));
  a->spf_expires = G_MAXINT64;
  a->spf_stale = FALSE;
  if (!root || !ospf_live(s, root))
    return;
  a->spf_cache->root = TRUE;
  ospf_desc_add(a, root);
  for (guint p = 0; (l = ospf_db_next(&a->lsdb, &p));) {
    if (l == root || !ospf_live(s, l))
      continue;
    if (l->key.type == OSPF_LSA_NETWORK || (l->key.type == OSPF_LSA_ROUTER && l->key.id == l->key.adv))
      ospf_desc_add(a, l);
  }
}

void ospf_spf_cache_free(OspfArea *area)
{
  if (!area->spf_cache)
    return;
  g_array_free(area->spf_cache->descs, TRUE);
  g_free(area->spf_cache);
  area->spf_cache = NULL;
}

/* The database entry `l` of `area` holds a new instance: its vertex reads it. */
void ospf_spf_cache_update(OspfArea *area, const OspfLsa *l)
{
  GArray *d = area->spf_cache ? area->spf_cache->descs : NULL;

  if (d && l->vidx < d->len && g_array_index(d, OspfVDesc, l->vidx).lsa == l)
    g_array_index(d, OspfVDesc, l->vidx).blob = l->blob;
}

/* The vertices of this run (FALSE when we have no live router LSA), from
 * the area's table, built again first if stale. */
static gboolean ospf_spf_index(OspfSpf *s)
{
  OspfArea *a = s->area;

  if (!a->spf_cache || a->spf_stale || s->now >= a->spf_expires)
    ospf_spf_cache_build(s);
  GArray *descs = a->spf_cache->descs;
  OspfScratch *sc = &s->ospf->shared->scratch;
  s->bits = 4;
  while ((1u << s->bits) < 2 * descs->len + 2)
    s->bits++;
  if (s->bits > sc->bits) {
    sc->bits = s->bits;
    sc->keys = g_renew(uint64_t, sc->keys, 1u << sc->bits);
    sc->slot = g_renew(guint, sc->slot, 1u << sc->bits);
  }
  s->keys = sc->keys;
  s->slot = sc->slot;
  memset(s->keys, 0, sizeof *s->keys << s->bits);
  for (guint i = 0; i < descs->len; i++) {
    const OspfVDesc *d = &g_array_index(descs, OspfVDesc, i);
    ospf_vertex_add(s, d->type, d->id, d->blob);
  }
  return a->spf_cache->root;
}

/* Dijkstra from our router LSA over the area (16.1 stage 1). */
static void ospf_dijkstra(OspfSpf *s)
{
  if (!ospf_spf_index(s))
    return;
  g_array_index(s->verts, OspfVertex, 0).dist = 0;
  ospf_heap_push(s->heap, (OspfHeapItem){0, 0, OSPF_LSA_ROUTER});
  while (s->heap->len) {
    OspfHeapItem it = ospf_heap_pop(s->heap);
    OspfVertex *v = &g_array_index(s->verts, OspfVertex, it.v);
    if (v->done || it.dist != v->dist)
      continue;
    v->done = TRUE;
    if (it.v != 0 && v->n == 0)
      continue; /* no way to reach it from here */
    ospf_vertex_edges(s, it.v);
  }
}

/* ------------------------------------------------------------ routes */

#define OSPF_ARENA_CHUNK 16384

/* `size` bytes (8-aligned) from the arena. */
static void *ospf_arena_alloc(OspfArena *a, size_t size)
{
  size = (size + 7) & ~(size_t)7;
  if (!a->chunks)
    a->chunks = g_ptr_array_new_with_free_func(g_free);
  if (a->chunks->len && a->off + size > OSPF_ARENA_CHUNK) {
    a->cur++;
    a->off = 0;
  }
  if (a->cur >= a->chunks->len)
    g_ptr_array_add(a->chunks, g_malloc(OSPF_ARENA_CHUNK));
  void *p = (uint8_t *)g_ptr_array_index(a->chunks, a->cur) + a->off;
  a->off += size;
  return p;
}

/* A new run: the paths of the run before the last are dead (every table of theirs replaced by the last run). */
static void ospf_paths_next(Ospf *ospf)
{
  ospf->paths_run ^= 1;
  ospf->paths[ospf->paths_run].cur = 0;
  ospf->paths[ospf->paths_run].off = 0;
}

void ospf_spf_paths_free(Ospf *ospf)
{
  for (guint i = 0; i < 2; i++)
    if (ospf->paths[i].chunks)
      g_ptr_array_free(ospf->paths[i].chunks, TRUE);
}

static OspfPath *ospf_path_new(Ospf *ospf, uint8_t kind, uint32_t cost, uint32_t cost2, const RoutingHop *hops, guint n)
{
  OspfPath *p = ospf_arena_alloc(&ospf->paths[ospf->paths_run], sizeof(OspfPath) + n * sizeof(RoutingHop));

  p->kind = kind;
  p->cost = cost;
  p->cost2 = cost2;
  p->n = (uint8_t)n;
  memcpy(p->hops, hops, n * sizeof(RoutingHop));
  return p;
}

/* Offers a path to a prefix: the better (kind, cost, cost2) wins, equal ones merge their hops. */
static void ospf_offer(Ospf *ospf, GHashTable *t, gpointer key, uint8_t kind, uint32_t cost, uint32_t cost2,
                       const RoutingHop *hops, guint n)
{
  OspfPath *old = g_hash_table_lookup(t, key);

  if (n == 0)
    return;
  if (old &&
      (old->kind < kind || (old->kind == kind && (old->cost < cost || (old->cost == cost && old->cost2 < cost2)))))
    return;
  if (old && old->kind == kind && old->cost == cost && old->cost2 == cost2) {
    RoutingHop merged[ROUTE_MAX_PATHS];
    guint m = 0;
    for (guint i = 0; i < old->n; i++)
      ospf_hops_add(merged, &m, old->hops[i]);
    for (guint i = 0; i < n; i++)
      ospf_hops_add(merged, &m, hops[i]);
    g_hash_table_replace(t, key, ospf_path_new(ospf, kind, cost, cost2, merged, m));
    return;
  }
  g_hash_table_replace(t, key, ospf_path_new(ospf, kind, cost, cost2, hops, n));
}

/* A router vertex's stub links (16.1 stage 2) into the area's intra-area routes. */
static void ospf_vertex_stubs(OspfSpf *s, const OspfVertex *v, gboolean root)
{
  const uint8_t *d = v->lsa->data;
  guint n = ospf_get16(d + 22);

  for (guint i = 0; !root && i < n; i++) {
    const uint8_t *l = d + 24 + i * OSPF_ROUTER_LINK_LEN;
    uint32_t mask = ospf_get32(l + 4);
    if (l[8] != OSPF_LINK_STUB)
      continue;
    uint8_t len = (uint8_t)(32 - __builtin_ctzll((uint64_t)mask | (1ull << 32)));
    ospf_offer(s->ospf, s->area->intra, ospf_prefix_key(ospf_get32(l) & mask, len), OSPF_PATH_INTRA,
               v->dist + ospf_get16(l + 10), 0, v->hops, v->n);
  }
  uint8_t flags = d[OSPF_LSA_HEADER_LEN];
  if (!root && (flags & (OSPF_RTR_B | OSPF_RTR_E)))
    g_hash_table_replace(s->area->rtr, GUINT_TO_POINTER(v->id),
                         ospf_path_new(s->ospf, flags, v->dist, 0, v->hops, v->n));
}

/* Intra-area routes of the area from the shortest-path tree. */
static void ospf_intra_routes(OspfSpf *s)
{
  for (guint i = 0; i < s->verts->len; i++) {
    const OspfVertex *v = &g_array_index(s->verts, OspfVertex, i);
    if (!v->done || (i && !v->n))
      continue;
    if (v->type == OSPF_LSA_ROUTER)
      ospf_vertex_stubs(s, v, i == 0);
    else if (!v->direct) {
      uint32_t mask = ospf_get32(v->lsa->data + OSPF_LSA_HEADER_LEN);
      uint8_t len = (uint8_t)(32 - __builtin_ctzll((uint64_t)mask | (1ull << 32)));
      ospf_offer(s->ospf, s->area->intra, ospf_prefix_key(v->id & mask, len), OSPF_PATH_INTRA, v->dist, 0, v->hops,
                 v->n);
    }
  }
}

static void ospf_area_spf(Ospf *ospf, OspfArea *area)
{
  OspfScratch *sc = &ospf->shared->scratch;
  if (!sc->verts) {
    sc->verts = g_array_new(FALSE, FALSE, sizeof(OspfVertex));
    sc->heap = g_array_new(FALSE, FALSE, sizeof(OspfHeapItem));
  }
  g_array_set_size(sc->verts, 0);
  g_array_set_size(sc->heap, 0);
  OspfSpf s = {.ospf = ospf, .area = area, .verts = sc->verts, .heap = sc->heap, .now = sim_now(ospf->node->ctx)};

  if (area->rtr)
    g_hash_table_destroy(area->rtr);
  if (area->intra)
    g_hash_table_destroy(area->intra);
  area->rtr = g_hash_table_new(NULL, NULL);
  area->intra = g_hash_table_new(NULL, NULL);
  ospf_dijkstra(&s);
  ospf_intra_routes(&s);
}

void ospf_scratch_free(OspfScratch *sc)
{
  if (sc->verts) {
    g_array_free(sc->verts, TRUE);
    g_array_free(sc->heap, TRUE);
  }
  g_free(sc->keys);
  g_free(sc->slot);
  *sc = (OspfScratch){0};
}

/* Inter-area routes from one area's summary LSAs (16.2). */
static void ospf_inter_routes(Ospf *ospf, OspfArea *area, GHashTable *all, SimTime now)
{
  const OspfLsa *l;

  for (guint p = 0; area->summaries && (l = ospf_db_next(&area->lsdb, &p));) {
    const uint8_t *d = l->blob->data;
    if (l->key.type != OSPF_LSA_SUMMARY || l->key.adv == ospf->rid || ospf_lsa_age(l, now) >= OSPF_MAX_AGE)
      continue;
    uint32_t metric = ospf_get32(d + 24) & 0xffffff, mask = ospf_get32(d + 20);
    const OspfPath *abr = g_hash_table_lookup(area->rtr, GUINT_TO_POINTER(l->key.adv));
    if (metric >= OSPF_LS_INFINITY || !abr || !(abr->kind & OSPF_RTR_B))
      continue;
    uint8_t len = (uint8_t)(32 - __builtin_ctzll((uint64_t)mask | (1ull << 32)));
    gpointer key = ospf_prefix_key(l->key.id & mask, len);
    const OspfPath *have = g_hash_table_lookup(all, key);
    if (!have || have->kind != OSPF_PATH_INTRA)
      ospf_offer(ospf, all, key, OSPF_PATH_INTER, abr->cost + metric, 0, abr->hops, abr->n);
  }
}

/* The AS boundary routers of `area` (16.2 for type-4 summaries): those
 * reached inside it, else through the ASBR-summary LSAs of its border routers. */
static void ospf_area_asbrs(Ospf *ospf, OspfArea *area, gboolean summaries, SimTime now)
{
  GHashTableIter it;
  gpointer k, v;
  const OspfLsa *l;

  if (area->asbr)
    g_hash_table_destroy(area->asbr);
  area->asbr = g_hash_table_new(NULL, NULL);
  g_hash_table_iter_init(&it, area->rtr);
  while (g_hash_table_iter_next(&it, &k, &v))
    if (((OspfPath *)v)->kind & OSPF_RTR_E)
      ospf_offer(ospf, area->asbr, k, OSPF_PATH_INTRA, ((OspfPath *)v)->cost, 0, ((OspfPath *)v)->hops,
                 ((OspfPath *)v)->n);
  for (guint p = 0; summaries && area->summaries && (l = ospf_db_next(&area->lsdb, &p));) {
    if (l->key.type != OSPF_LSA_ASBR || l->key.adv == ospf->rid || l->key.id == ospf->rid ||
        ospf_lsa_age(l, now) >= OSPF_MAX_AGE)
      continue;
    uint32_t metric = ospf_get32(l->blob->data + 24) & 0xffffff;
    const OspfPath *abr = g_hash_table_lookup(area->rtr, GUINT_TO_POINTER(l->key.adv));
    if (metric < OSPF_LS_INFINITY && abr && (abr->kind & OSPF_RTR_B))
      ospf_offer(ospf, area->asbr, GUINT_TO_POINTER(l->key.id), OSPF_PATH_INTER, abr->cost + metric, 0, abr->hops,
                 abr->n);
  }
}

/* Every area's AS boundary routers; an area border router reads the backbone's ASBR-summaries only. */
static void ospf_asbr_routes(Ospf *ospf, SimTime now)
{
  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    ospf_area_asbrs(ospf, a, !ospf_is_abr(ospf) || a->id == 0, now);
  }
}

/* The preferred path to the ASBR `rid` over all areas, or NULL (16.4.1,
 * RFC1583Compatibility off): intra-area paths in a non-backbone area
 * first, then the least cost, then the largest area ID; *in: its area. */
static const OspfPath *ospf_asbr_best(const Ospf *ospf, uint32_t rid, const OspfArea **in)
{
  const OspfPath *best = NULL;
  int best_rank = 0;

  for (guint i = 0; i < ospf->areas->len; i++) {
    const OspfArea *a = g_ptr_array_index(ospf->areas, i);
    const OspfPath *p = a->asbr ? g_hash_table_lookup(a->asbr, GUINT_TO_POINTER(rid)) : NULL;
    int rank = p && p->kind == OSPF_PATH_INTRA && a->id != 0 ? 0 : 1;
    if (p && (!best || rank < best_rank || (rank == best_rank && p->cost <= best->cost))) {
      best = p;
      best_rank = rank;
      *in = a;
    }
  }
  return best;
}

/* The best path to the ASBR `rid` over all areas, or NULL. */
static const OspfPath *ospf_asbr_path(const Ospf *ospf, uint32_t rid)
{
  const OspfArea *in = NULL;

  return ospf_asbr_best(ospf, rid, &in);
}

/* AS-external routes (16.4). */
static void ospf_external_routes(Ospf *ospf, GHashTable *all, SimTime now)
{
  const OspfLsa *l;

  for (guint p = 0; (l = ospf_db_next(&ospf->ext, &p));) {
    const uint8_t *d = l->blob->data;
    if (l->key.adv == ospf->rid || ospf_lsa_age(l, now) >= OSPF_MAX_AGE)
      continue;
    uint32_t metric = ospf_get32(d + 24) & 0xffffff, mask = ospf_get32(d + 20);
    const OspfPath *asbr = ospf_asbr_path(ospf, l->key.adv);
    if (metric >= OSPF_LS_INFINITY || !asbr)
      continue;
    uint8_t len = (uint8_t)(32 - __builtin_ctzll((uint64_t)mask | (1ull << 32)));
    gpointer key = ospf_prefix_key(l->key.id & mask, len);
    const OspfPath *have = g_hash_table_lookup(all, key);
    if (have && have->kind <= OSPF_PATH_INTER)
      continue;
    if (d[24] & OSPF_EXT_E)
      ospf_offer(ospf, all, key, OSPF_PATH_E2, metric, asbr->cost, asbr->hops, asbr->n);
    else
      ospf_offer(ospf, all, key, OSPF_PATH_E1, asbr->cost + metric, 0, asbr->hops, asbr->n);
  }
}

/* ------------------------------------------------------------ installing */

static gboolean ospf_path_same(const OspfPath *a, const OspfPath *b)
{
  if (a->cost != b->cost || a->n != b->n)
    return FALSE;
  for (guint i = 0; i < a->n; i++)
    if (ospf_hop_cmp(&a->hops[i], &b->hops[i]) != 0)
      return FALSE;
  return TRUE;
}

/* TRUE for the subnet of one of our interfaces that is up: connected routes serve it. */
static gboolean ospf_own_subnet(const Ospf *ospf, gconstpointer key)
{
  uint32_t addr = ospf_prefix_key_addr(key);
  uint8_t len = ospf_prefix_key_len(key);

  for (guint i = 0; i < ospf->node->ifaces->len; i++) {
    const Iface *f = node_iface(ospf->node, i);
    if (f->has_ip && f->up && f->ip.len == len && (f->ip.addr & addr_mask(len)) == addr)
      return TRUE;
  }
  return FALSE;
}

/* Tells the table what changed between ospf->installed and `all`, which replaces it. */
static void ospf_install(Ospf *ospf, GHashTable *all)
{
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init(&it, all);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const OspfPath *old = g_hash_table_lookup(ospf->installed, k);
    if (ospf_own_subnet(ospf, k)) {
      g_hash_table_iter_remove(&it);
      continue;
    }
    if (!old || !ospf_path_same(old, v))
      routing_set(ospf->node, ROUTE_OSPF, (Ipv4Prefix){ospf_prefix_key_addr(k), ospf_prefix_key_len(k)},
                  ((OspfPath *)v)->hops, ((OspfPath *)v)->n, ((OspfPath *)v)->cost, "spf");
  }
  g_hash_table_iter_init(&it, ospf->installed);
  while (g_hash_table_iter_next(&it, &k, &v))
    if (!g_hash_table_contains(all, k))
      routing_set(ospf->node, ROUTE_OSPF, (Ipv4Prefix){ospf_prefix_key_addr(k), ospf_prefix_key_len(k)}, NULL, 0, 0,
                  "spf");
  g_hash_table_destroy(ospf->installed);
  ospf->installed = all;
}

/* The whole calculation (16): every area, inter-area, externals, install. */
static void ospf_spf_run(Ospf *ospf)
{
  SimTime now = sim_now(ospf->node->ctx);
  GHashTable *all = g_hash_table_new(NULL, NULL);
  GHashTableIter it;
  gpointer k, v;

  ospf->spf_runs++;
  ospf_paths_next(ospf);
  if (ospf->areas->len == 1) { /* one area: its intra-area routes are the table to start from */
    OspfArea *a = g_ptr_array_index(ospf->areas, 0);
    ospf_area_spf(ospf, a);
    g_hash_table_destroy(all);
    all = a->intra;
    a->intra = NULL;
  }
  for (guint i = 0; ospf->areas->len > 1 && i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    ospf_area_spf(ospf, a);
    g_hash_table_iter_init(&it, a->intra);
    while (g_hash_table_iter_next(&it, &k, &v))
      ospf_offer(ospf, all, k, OSPF_PATH_INTRA, ((OspfPath *)v)->cost, 0, ((OspfPath *)v)->hops, ((OspfPath *)v)->n);
  }
  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    if (!ospf_is_abr(ospf) || a->id == 0)
      ospf_inter_routes(ospf, a, all, now);
  }
  ospf_asbr_routes(ospf, now);
  ospf_external_routes(ospf, all, now);
  ospf_install(ospf, all);
  if (ospf_is_abr(ospf))
    ospf_originate_soon(ospf);
}

static void ospf_spf_event(void *obj, void *arg)
{
  Ospf *ospf = obj;
  (void)arg;
  ospf->spf_timer = EVENT_ID_NONE;
  ospf->spf_last = sim_now(ospf->node->ctx);
  ospf_spf_run(ospf);
}

/* Schedules SPF as the throttle allows (see the top of this file). */
void ospf_spf_schedule(Ospf *ospf)
{
  SimTime now = sim_now(ospf->node->ctx), delay = ospf->conf.spf_delay;

  if (ospf->spf_timer)
    return;
  if (ospf->spf_last >= 0 && now - ospf->spf_last < ospf->spf_hold) {
    delay = MAX(delay, ospf->spf_last + ospf->spf_hold - now);
    ospf->spf_hold = MIN(ospf->spf_hold * 2, ospf->conf.spf_max_hold);
  } else
    ospf->spf_hold = ospf->conf.spf_hold;
  ospf->spf_timer = scheduler_after(ospf->node->ctx->sched, delay, ospf_spf_event, ospf, NULL);
}

/* ------------------------------------------------------------ summaries */

/* Summary LSAs into `into` (12.4.3): the other areas' intra-area routes,
 * and into a non-backbone area also the backbone's inter-area routes. */
void ospf_summaries_build(Ospf *ospf, OspfArea *into, GHashTable *wants)
{
  GHashTableIter it;
  gpointer k, v;

  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    if (a == into || !a->intra)
      continue;
    g_hash_table_iter_init(&it, a->intra);
    while (g_hash_table_iter_next(&it, &k, &v))
      ospf_want_summary(ospf, wants, ospf_prefix_key_addr(k), ospf_prefix_key_len(k), ((OspfPath *)v)->cost);
    for (guint j = 0; j < a->ifaces->len; j++) {
      OspfIface *oi = g_ptr_array_index(a->ifaces, j);
      if (oi->state != OSPF_IFS_DOWN)
        ospf_want_summary(ospf, wants, ospf_iface_addr(oi) & ospf_iface_mask(oi), oi->iface->ip.len, oi->cost);
    }
  }
  if (into->id == 0)
    return;
  g_hash_table_iter_init(&it, ospf->installed);
  while (g_hash_table_iter_next(&it, &k, &v))
    if (((OspfPath *)v)->kind == OSPF_PATH_INTER)
      ospf_want_summary(ospf, wants, ospf_prefix_key_addr(k), ospf_prefix_key_len(k), ((OspfPath *)v)->cost);
}

/* ASBR-summary LSAs into `into` (12.4.3): each AS boundary router whose
 * preferred path lies in another area, at the cost of that path. */
void ospf_asbr_summaries_build(Ospf *ospf, OspfArea *into, GHashTable *wants)
{
  GHashTableIter it;
  gpointer k;

  for (guint i = 0; i < ospf->areas->len; i++) {
    const OspfArea *a = g_ptr_array_index(ospf->areas, i), *in = NULL;
    if (a == into || !a->asbr)
      continue;
    g_hash_table_iter_init(&it, a->asbr);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
      const OspfPath *p = ospf_asbr_best(ospf, GPOINTER_TO_UINT(k), &in);
      if (p && in == a)
        ospf_want_asbr_summary(ospf, wants, GPOINTER_TO_UINT(k), p->cost);
    }
  }
}
