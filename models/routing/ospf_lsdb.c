/*
 * OSPF's link state databases (RFC 2328 section 12, 13.1, 14): LSA
 * contents interned in OspfShared as reference-counted blobs, so that the
 * 1 024 routers of an area hold each router LSA's bytes once; the
 * network numbers each (type, link state ID, advertising router) densely,
 * and a router's database per area (and one for AS-external LSAs) is an
 * array of entries by that number, each with its own age at install and
 * install time: the age is computed when read (no event per LSA). Instances are compared as 13.1 says. A sweep every
 * minute flushes MaxAge LSAs nobody still needs (14) and has the router refresh its own LSAs older than LSRefreshTime
 * (12.4).
 *
 * Entry points (ospf_int.h): ospf_blob_intern(), ospf_blob_unref(),
 * ospf_lsa_age(), ospf_lsa_compare(), ospf_lsdb_for(), ospf_lsdb_lookup(),
 * ospf_db_next(), ospf_lsdb_prefetch(), ospf_numbers_free(),
 * ospf_lsdb_install(), ospf_lsdb_install_over(), ospf_lsa_copy(), ospf_lsa_free(),
 * ospf_lsa_header_out(), ospf_sweep_start(), ospf_lsdb_free().
 *
 * Leaves out: the periodic checksum verification of CheckAge (a simulated
 * memory does not corrupt), the sequence number wrap (12.1.6: 2^31
 * originations at one per 5 s take 340 years).
 */
#include "models/routing/ospf_int.h"

#include <string.h>

#define OSPF_SWEEP SIMTIME_S(60)

/* Same contents, age aside. */
static gboolean ospf_blob_equal(const OspfBlob *a, const uint8_t *lsa, size_t len)
{
  return a->len == len && memcmp(a->data + 2, lsa + 2, len - 2u) == 0;
}

/* The blob holding these LSA bytes (age ignored), one more reference:
 * found in the shared table or added to it. sh NULL: a private copy. */
OspfBlob *ospf_blob_intern(OspfShared *sh, const uint8_t *lsa, size_t len)
{
  guint hash = ospf_get32(lsa + OSPF_L_ID) * 31u + ospf_get32(lsa + OSPF_L_ADV) * 17u +
               ospf_get32(lsa + OSPF_L_SEQ) * 7u + ospf_get16(lsa + OSPF_L_CKSUM) + lsa[OSPF_L_TYPE];
  GList *same = sh ? g_hash_table_lookup(sh->blobs, GUINT_TO_POINTER(hash)) : NULL;

  for (GList *l = same; l; l = l->next)
    if (ospf_blob_equal(l->data, lsa, len)) {
      ((OspfBlob *)l->data)->refs++;
      return l->data;
    }
  OspfBlob *b = g_malloc(sizeof(OspfBlob) + len);
  b->refs = 1;
  b->len = (uint16_t)len;
  b->interned = sh != NULL;
  b->hash = hash;
  memcpy(b->data, lsa, len);
  ospf_put16(b->data, 0);
  if (sh)
    g_hash_table_insert(sh->blobs, GUINT_TO_POINTER(hash), g_list_prepend(same, b));
  return b;
}

void ospf_blob_unref(OspfShared *sh, OspfBlob *b)
{
  if (--b->refs)
    return;
  if (b->interned && sh) {
    GList *same = g_hash_table_lookup(sh->blobs, GUINT_TO_POINTER(b->hash));
    same = g_list_remove(same, b);
    if (same)
      g_hash_table_insert(sh->blobs, GUINT_TO_POINTER(b->hash), same);
    else
      g_hash_table_remove(sh->blobs, GUINT_TO_POINTER(b->hash));
  }
  g_free(b);
}

guint ospf_key_hash(gconstpointer k)
{
  const OspfKey *key = k;
  return key->id * 2654435761u ^ key->adv * 40503u ^ key->type;
}

gboolean ospf_key_equal(gconstpointer a, gconstpointer b)
{
  const OspfKey *x = a, *y = b;
  return x->id == y->id && x->adv == y->adv && x->type == y->type;
}

OspfKey ospf_key_of(const uint8_t *hdr)
{
  return (OspfKey){ospf_get32(hdr + OSPF_L_ID), ospf_get32(hdr + OSPF_L_ADV), hdr[OSPF_L_TYPE]};
}

GHashTable *ospf_lsa_table_new(void)
{
  return g_hash_table_new(ospf_key_hash, ospf_key_equal);
}

gboolean ospf_lsa_known_type(uint8_t type)
{
  return type >= OSPF_LSA_ROUTER && type <= OSPF_LSA_EXTERNAL;
}

/* The LSA's age now: its age at install plus the seconds since, at most MaxAge. */
uint16_t ospf_lsa_age(const OspfLsa *l, SimTime now)
{
  int64_t age = l->age0 + (now - l->at) / SIMTIME_S(1);
  return (uint16_t)MIN(age, OSPF_MAX_AGE);
}

/* Which instance is more recent (13.1): > 0 when a, < 0 when b, 0 when
 * the same instance. */
int ospf_lsa_compare(const uint8_t *a, uint16_t age_a, const uint8_t *b, uint16_t age_b)
{
  int32_t sa = (int32_t)ospf_get32(a + OSPF_L_SEQ), sb = (int32_t)ospf_get32(b + OSPF_L_SEQ);
  uint16_t ca = ospf_get16(a + OSPF_L_CKSUM), cb = ospf_get16(b + OSPF_L_CKSUM);

  if (sa != sb)
    return sa > sb ? 1 : -1;
  if (ca != cb)
    return ca > cb ? 1 : -1;
  if ((age_a == OSPF_MAX_AGE) != (age_b == OSPF_MAX_AGE))
    return age_a == OSPF_MAX_AGE ? 1 : -1;
  if (abs((int)age_a - (int)age_b) > OSPF_MAX_AGE_DIFF)
    return age_a < age_b ? 1 : -1;
  return 0;
}

/* The database an LSA of `type` lives in. */
OspfDb *ospf_lsdb_for(Ospf *ospf, OspfArea *area, uint8_t type)
{
  return type == OSPF_LSA_EXTERNAL ? &ospf->ext : &area->lsdb;
}

/* ---------------------------------------------------------- the numbers */

static guint ospf_num_home(const OspfNumbers *x, const OspfKey *k)
{
  uint64_t h = ((uint64_t)k->id << 32 | k->adv) * UINT64_C(0x9E3779B97F4A7C15) ^ k->type;

  h *= UINT64_C(0xC2B2AE3D27D4EB4F);
  return (guint)(h >> (64 - x->bits));
}

/* The slot of `k`: where it is, or the empty one it would take. */
static guint ospf_num_slot(const OspfNumbers *x, const OspfKey *k)
{
  guint mask = (1u << x->bits) - 1, i = ospf_num_home(x, k);

  while (x->slots[i].num && !ospf_key_equal(&x->slots[i].key, k))
    i = (i + 1) & mask;
  return i;
}

/* The number of `k`, or G_MAXUINT when no database ever held it. */
static guint ospf_num_of(const OspfNumbers *x, const OspfKey *k)
{
  return x->slots ? x->slots[ospf_num_slot(x, k)].num - 1 : G_MAXUINT;
}

/* Twice the slots, the keys put again. */
static void ospf_num_grow(OspfNumbers *x)
{
  OspfNumSlot *old = x->slots;
  guint n = old ? 1u << x->bits : 0;

  x->bits = old ? x->bits + 1 : 10;
  x->slots = g_new0(OspfNumSlot, 1u << x->bits);
  for (guint i = 0; i < n; i++)
    if (old[i].num)
      x->slots[ospf_num_slot(x, &old[i].key)] = old[i];
  g_free(old);
}

/* The number of `k`, given the next one when it has none. */
static guint ospf_num_make(OspfNumbers *x, const OspfKey *k)
{
  guint num = ospf_num_of(x, k);

  if (num != G_MAXUINT)
    return num;
  if (!x->slots || 2 * (x->n + 1) > 1u << x->bits)
    ospf_num_grow(x);
  x->slots[ospf_num_slot(x, k)] = (OspfNumSlot){*k, ++x->n};
  return x->n - 1;
}

void ospf_numbers_free(OspfNumbers *x)
{
  g_free(x->slots);
  *x = (OspfNumbers){0};
}

/* -------------------------------------------------------- the databases */

/* The entry of number `num` (held or not), or NULL when its chunk does not exist and `make` is FALSE. */
static OspfLsa *ospf_db_entry(OspfDb *db, guint num, gboolean make)
{
  guint c = num / OSPF_DB_CHUNK;

  if (c >= db->nchunks) {
    if (!make)
      return NULL;
    guint n = MAX(c + 1, 2 * db->nchunks);
    db->chunks = g_renew(OspfLsa *, db->chunks, n);
    memset(db->chunks + db->nchunks, 0, (n - db->nchunks) * sizeof *db->chunks);
    db->nchunks = n;
  }
  if (!db->chunks[c] && make)
    db->chunks[c] = g_new0(OspfLsa, OSPF_DB_CHUNK);
  return db->chunks[c] ? &db->chunks[c][num % OSPF_DB_CHUNK] : NULL;
}

/* The first entry held at or after *pos (NULL: none); *pos moves past it.
 * Walks the database in number order: for (guint p = 0; (l = ospf_db_next(db, &p));). */
OspfLsa *ospf_db_next(const OspfDb *db, guint *pos)
{
  while (*pos < db->nchunks * OSPF_DB_CHUNK) {
    guint c = *pos / OSPF_DB_CHUNK;
    if (!db->chunks[c]) {
      *pos = (c + 1) * OSPF_DB_CHUNK;
      continue;
    }
    OspfLsa *l = &db->chunks[c][(*pos)++ % OSPF_DB_CHUNK];
    if (l->blob)
      return l;
  }
  return NULL;
}

/* The database entry of `key` in `area` (AS-external LSAs: in the AS), or NULL. */
OspfLsa *ospf_lsdb_lookup(Ospf *ospf, OspfArea *area, const OspfKey *key)
{
  guint num = ospf_num_of(&ospf->shared->nums, key);
  OspfLsa *l = num == G_MAXUINT ? NULL : ospf_db_entry(ospf_lsdb_for(ospf, area, key->type), num, FALSE);

  return l && l->blob ? l : NULL;
}

/* Starts bringing the entry of `key` into the cache: an LS Update's or
 * LS Ack's LSAs prefetched first are then looked up one after another
 * with their cache misses overlapping instead of in a row. */
void ospf_lsdb_prefetch(Ospf *ospf, OspfArea *area, const OspfKey *key)
{
  guint num = ospf_num_of(&ospf->shared->nums, key);
  const OspfLsa *l = num == G_MAXUINT ? NULL : ospf_db_entry(ospf_lsdb_for(ospf, area, key->type), num, FALSE);

  if (l)
    __builtin_prefetch(l);
}

/* Another reference to the same instance (same age clock). */
OspfLsa *ospf_lsa_copy(Ospf *ospf, const OspfLsa *l)
{
  OspfLsa *c = g_new(OspfLsa, 1);

  (void)ospf;
  *c = *l;
  c->blob->refs++;
  return c;
}

void ospf_lsa_free(Ospf *ospf, OspfLsa *l)
{
  ospf_blob_unref(ospf->shared, l->blob);
  g_free(l);
}

/* Writes the LSA's 20-byte header with its age now. */
void ospf_lsa_header_out(const OspfLsa *l, SimTime now, uint8_t *out)
{
  memcpy(out, l->blob->data, OSPF_LSA_HEADER_LEN);
  ospf_put16(out, ospf_lsa_age(l, now));
}

/* When the entry gives the sweep work: it reaches MaxAge, or LSRefreshTime if it is ours. */
static SimTime ospf_lsa_due(const OspfLsa *l)
{
  int due = (l->mine ? OSPF_LS_REFRESH : OSPF_MAX_AGE) - l->age0;

  return l->at + (SimTime)MAX(due, 0) * SIMTIME_S(1);
}

/* Installs `blob` (our reference is taken over) with `age` into the
 * database of its type; replaces and returns the entry, the old instance
 * taken off every retransmission list (13.2). Schedules SPF
 * when the contents changed (13.2). */
OspfLsa *ospf_lsdb_install(Ospf *ospf, OspfArea *area, OspfBlob *blob, uint16_t age, gboolean mine)
{
  OspfKey key = ospf_key_of(blob->data);

  return ospf_lsdb_install_over(ospf, area, ospf_lsdb_lookup(ospf, area, &key), blob, age, mine);
}

/* ospf_lsdb_install() when the caller has looked the entry up: `l` is
 * the database's entry for the blob's key, or NULL when it has none. */
OspfLsa *ospf_lsdb_install_over(Ospf *ospf, OspfArea *area, OspfLsa *l, OspfBlob *blob, uint16_t age, gboolean mine)
{
  OspfKey key = ospf_key_of(blob->data);
  OspfDb *db = ospf_lsdb_for(ospf, area, key.type);
  gboolean changed = TRUE;

  if ((key.type == OSPF_LSA_ROUTER || key.type == OSPF_LSA_NETWORK) && area &&
      (!l || age == OSPF_MAX_AGE || ospf_lsa_age(l, sim_now(ospf->node->ctx)) == OSPF_MAX_AGE))
    area->spf_stale = TRUE;
  if (l) {
    changed = l->blob->len != blob->len ||
              memcmp(l->blob->data + OSPF_LSA_HEADER_LEN, blob->data + OSPF_LSA_HEADER_LEN,
                     blob->len - OSPF_LSA_HEADER_LEN) != 0 ||
              (age == OSPF_MAX_AGE) != (ospf_lsa_age(l, sim_now(ospf->node->ctx)) == OSPF_MAX_AGE);
    ospf_rxmt_remove_all(ospf, l);
    ospf_blob_unref(ospf->shared, l->blob);
  } else {
    guint num = ospf_num_make(&ospf->shared->nums, &key);
    l = ospf_db_entry(db, num, TRUE);
    *l = (OspfLsa){.key = key, .num = num};
    db->n++;
    if (area && (key.type == OSPF_LSA_SUMMARY || key.type == OSPF_LSA_ASBR))
      area->summaries++;
  }
  l->blob = blob;
  l->age0 = age;
  l->at = sim_now(ospf->node->ctx);
  l->mine = mine;
  ospf->sweep_due = MIN(ospf->sweep_due, ospf_lsa_due(l));
  if (area && (key.type == OSPF_LSA_ROUTER || key.type == OSPF_LSA_NETWORK)) {
    area->spf_expires = MIN(area->spf_expires, l->at + (SimTime)(OSPF_MAX_AGE - age) * SIMTIME_S(1));
    ospf_spf_cache_update(area, l);
  }
  if (changed)
    ospf_spf_schedule(ospf);
  return l;
}

/* Frees a database (entries and their references). */
void ospf_lsdb_free(Ospf *ospf, OspfDb *db)
{
  OspfLsa *l;

  for (guint p = 0; (l = ospf_db_next(db, &p));)
    ospf_blob_unref(ospf->shared, l->blob);
  for (guint c = 0; c < db->nchunks; c++)
    g_free(db->chunks[c]);
  g_free(db->chunks);
  *db = (OspfDb){0};
}

/* TRUE when a neighbour is exchanging databases (14: keep MaxAge LSAs). */
static gboolean ospf_any_exchanging(const Ospf *ospf)
{
  for (guint i = 0; i < ospf->ifaces->len; i++) {
    const OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    for (guint j = 0; oi && j < oi->nbrs->len; j++) {
      OspfNbrState s = ((OspfNbr *)g_ptr_array_index(oi->nbrs, j))->state;
      if (s == OSPF_NBR_EXCHANGE || s == OSPF_NBR_LOADING)
        return TRUE;
    }
  }
  return FALSE;
}

/* One database's sweep: MaxAge LSAs on no retransmission list go; our own
 * past LSRefreshTime are counted for refreshing; ospf->sweep_due becomes
 * the first time the next sweep has work (now: MaxAge LSAs kept, or ours
 * to refresh). */
static guint ospf_sweep_db(Ospf *ospf, OspfArea *area, OspfDb *db, gboolean may_flush, SimTime now)
{
  guint refresh = 0;
  OspfLsa *l;

  for (guint p = 0; (l = ospf_db_next(db, &p));) {
    uint16_t age = ospf_lsa_age(l, now);
    if (age >= OSPF_MAX_AGE && may_flush && !l->rxmt_on) {
      if (area && (l->key.type == OSPF_LSA_SUMMARY || l->key.type == OSPF_LSA_ASBR))
        area->summaries--;
      else if (area)
        area->spf_stale = TRUE;
      ospf_blob_unref(ospf->shared, l->blob);
      l->blob = NULL;
      db->n--;
      ospf_spf_schedule(ospf);
      continue;
    }
    if (l->mine && age >= OSPF_LS_REFRESH && age < OSPF_MAX_AGE)
      refresh++;
    ospf->sweep_due = MIN(ospf->sweep_due, age >= OSPF_MAX_AGE || refresh ? now : ospf_lsa_due(l));
  }
  return refresh;
}

static void ospf_sweep(void *obj, void *arg)
{
  Ospf *ospf = obj;
  SimTime now = sim_now(ospf->node->ctx);
  guint refresh = 0;

  (void)arg;
  if (now >= ospf->sweep_due) { /* else nothing reached MaxAge or needs refreshing: no entry to visit */
    gboolean may_flush = !ospf_any_exchanging(ospf);
    ospf->sweep_due = G_MAXINT64;
    refresh = ospf_sweep_db(ospf, NULL, &ospf->ext, may_flush, now);
    for (guint i = 0; i < ospf->areas->len; i++) {
      OspfArea *a = g_ptr_array_index(ospf->areas, i);
      refresh += ospf_sweep_db(ospf, a, &a->lsdb, may_flush, now);
    }
  }
  if (refresh)
    ospf_originate_all(ospf);
  ospf->sweep_timer = scheduler_after(ospf->node->ctx->sched, OSPF_SWEEP, ospf_sweep, ospf, NULL);
}

/* The first sweep comes after a jitter, so that routers do not all sweep at once. */
void ospf_sweep_start(Ospf *ospf)
{
  ospf->sweep_timer =
      scheduler_after(ospf->node->ctx->sched, OSPF_SWEEP + ospf_jitter(ospf, OSPF_SWEEP), ospf_sweep, ospf, NULL);
}
