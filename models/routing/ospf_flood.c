/*
 * OSPF flooding (RFC 2328 section 13): LS Update receipt with its checks
 * (13 steps 1-8: checksum, type, age, MinLSArrival, instance comparison),
 * the flooding procedure (13.3) with per-neighbour retransmission lists
 * resent every RxmtInterval, acknowledgements delayed (one LS Ack per
 * interface about a second later) or direct (13.5: those one LS Update
 * calls for in one LS Ack to the neighbour at once), LS Ack receipt
 * (13.7), and LS Updates out of an interface batched: the LSAs flooded in
 * one instant leave in as few packets as the MTU allows, each aged by
 * InfTransDelay (13.3), and paced: at least 33 ms apart on one
 * interface, as Cisco's flood pacing.
 *
 * Entry points (ospf_int.h): ospf_lsu_input(), ospf_ack_input(),
 * ospf_flood(), ospf_lsu_send_list(), ospf_rxmt_clear(),
 * ospf_request_remove(), ospf_iface_flush_queues(), ospf_flood_dst().
 *
 * Leaves out: nothing of 13 for broadcast and point-to-point networks.
 */
#include "models/routing/ospf_int.h"

#include <string.h>

/* Flood pacing (Cisco's `timers pacing flood`, 33 ms): LS Updates out of
 * one interface at least this far apart, the LSAs flooded meanwhile
 * gathered into them. */
#define OSPF_FLOOD_PACING SIMTIME_MS(33)

static Scheduler *ospf_sched(const Ospf *ospf)
{
  return ospf->node->ctx->sched;
}

/* Where an interface floods and acknowledges (13.3 step 5): AllSPFRouters
 * on point-to-point links and from the DR and BDR, else AllDRouters. */
uint32_t ospf_flood_dst(const OspfIface *oi)
{
  if (oi->type == OSPF_IF_P2P || oi->state == OSPF_IFS_DR || oi->state == OSPF_IFS_BACKUP)
    return OSPF_ALL_SPF_ROUTERS;
  return OSPF_ALL_DROUTERS;
}

/* The most OSPF bytes one packet out of oi carries. */
static size_t ospf_room(const OspfIface *oi)
{
  return oi->iface->mtu - 20;
}

/* Sends lsas[0..n) in LS Updates (A.3.5) to dst, each aged by InfTransDelay. */
static void ospf_lsu_pack(OspfIface *oi, const OspfLsa *lsas, guint n, uint32_t dst)
{
  SimTime now = sim_now(oi->ospf->node->ctx);
  uint16_t delay = (uint16_t)(oi->conf.transmit_delay / SIMTIME_S(1));
  guint i = 0;

  while (i < n) {
    size_t len = OSPF_HEADER_LEN + 4;
    guint j = i;
    while (j < n && (j == i || len + lsas[j].blob->len <= ospf_room(oi)))
      len += lsas[j++].blob->len;
    uint8_t *b;
    Packet *p = ospf_packet_new(oi->ospf, OSPF_LSU, len - OSPF_HEADER_LEN, &b);
    ospf_put32(b, j - i);
    uint8_t *q = b + 4;
    for (; i < j; i++) {
      memcpy(q, lsas[i].blob->data, lsas[i].blob->len);
      ospf_put16(q, (uint16_t)MIN(ospf_lsa_age(&lsas[i], now) + delay, OSPF_MAX_AGE));
      q += lsas[i].blob->len;
    }
    ospf_packet_send(oi, p, dst);
  }
}

/* Sends the instances lsas[0..n) to the neighbour at dst. */
void ospf_lsu_send_list(OspfNbr *nbr, const OspfLsa *lsas, guint n, uint32_t dst)
{
  ospf_lsu_pack(nbr->oi, lsas, n, dst);
}

/* Lets go of the flood list's references and empties it. */
static void ospf_flood_list_clear(OspfIface *oi)
{
  for (guint i = 0; i < oi->flood->len; i++)
    ospf_blob_unref(oi->ospf->shared, g_array_index(oi->flood, OspfLsa, i).blob);
  g_array_set_size(oi->flood, 0);
}

static void ospf_flood_out(void *obj, void *arg)
{
  OspfIface *oi = obj;
  (void)arg;
  oi->flood_timer = EVENT_ID_NONE;
  oi->flood_last = sim_now(oi->ospf->node->ctx);
  ospf_lsu_pack(oi, (const OspfLsa *)(void *)oi->flood->data, oi->flood->len, ospf_flood_dst(oi));
  ospf_flood_list_clear(oi);
}

/* ------------------------------------------------------ retransmission */

static void ospf_rxmt_fire(void *obj, void *arg);

void ospf_rxmt_remove(OspfNbr *nbr, const OspfKey *key)
{
  OspfLsa *c = g_hash_table_size(nbr->rxmt) ? g_hash_table_lookup(nbr->rxmt, key) : NULL;

  if (!c)
    return;
  g_hash_table_remove(nbr->rxmt, c);
  c->rxmt_on--;
}

/* Takes the database entry `l` off the neighbour's list: TRUE when it was on it. */
static gboolean ospf_rxmt_remove_entry(OspfNbr *nbr, OspfLsa *l)
{
  if (!l->rxmt_on || !g_hash_table_remove(nbr->rxmt, l))
    return FALSE;
  l->rxmt_on--;
  return TRUE;
}

void ospf_rxmt_clear(OspfNbr *nbr)
{
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init(&it, nbr->rxmt);
  while (g_hash_table_iter_next(&it, &k, NULL)) {
    g_hash_table_iter_steal(&it);
    ((OspfLsa *)k)->rxmt_on--;
  }
  if (nbr->lsu_rxmt)
    scheduler_cancel(ospf_sched(nbr->oi->ospf), nbr->lsu_rxmt);
  nbr->lsu_rxmt = EVENT_ID_NONE;
}

/* Takes the database entry `l` off every neighbour's retransmission list
 * (13.2: its instance is being replaced), visiting none when it is on none. */
void ospf_rxmt_remove_all(Ospf *ospf, OspfLsa *l)
{
  for (guint i = 0; l->rxmt_on && i < ospf->ifaces->len; i++) {
    OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    for (guint j = 0; oi && l->rxmt_on && j < oi->nbrs->len; j++)
      ospf_rxmt_remove_entry(g_ptr_array_index(oi->nbrs, j), l);
  }
}

/* Puts the database entry `l` on the neighbour's retransmission list. */
static void ospf_rxmt_add(OspfNbr *nbr, OspfLsa *l)
{
  if (g_hash_table_add(nbr->rxmt, l))
    l->rxmt_on++;
  if (!nbr->lsu_rxmt)
    nbr->lsu_rxmt = scheduler_after(ospf_sched(nbr->oi->ospf), nbr->oi->conf.retransmit, ospf_rxmt_fire, nbr, NULL);
}

/* RxmtInterval passed: everything unacknowledged again, straight to the neighbour. */
static void ospf_rxmt_fire(void *obj, void *arg)
{
  OspfNbr *nbr = obj;
  GArray *all = g_array_new(FALSE, FALSE, sizeof(OspfLsa));
  GHashTableIter it;
  gpointer k;

  (void)arg;
  nbr->lsu_rxmt = EVENT_ID_NONE;
  g_hash_table_iter_init(&it, nbr->rxmt);
  while (g_hash_table_iter_next(&it, &k, NULL))
    g_array_append_val(all, *(OspfLsa *)k);
  if (all->len) {
    ospf_lsu_send_list(nbr, (const OspfLsa *)(void *)all->data, all->len, nbr->addr);
    nbr->lsu_rxmt = scheduler_after(ospf_sched(nbr->oi->ospf), nbr->oi->conf.retransmit, ospf_rxmt_fire, nbr, NULL);
  }
  g_array_free(all, TRUE);
}

/* Removes a satisfied request (10.9); the next LS Request once the last
 * one is answered, LoadingDone once none is left. */
void ospf_request_remove(OspfNbr *nbr, const OspfKey *key)
{
  OspfLsa *r = g_hash_table_size(nbr->requests) ? g_hash_table_lookup(nbr->requests, key) : NULL;

  if (!r)
    return;
  g_hash_table_remove(nbr->requests, r);
  ospf_lsa_free(nbr->oi->ospf, r);
  if (nbr->lsr_pending)
    nbr->lsr_pending--;
  if (g_hash_table_size(nbr->requests) == 0) {
    if (nbr->lsr_rxmt)
      scheduler_cancel(ospf_sched(nbr->oi->ospf), nbr->lsr_rxmt);
    nbr->lsr_rxmt = EVENT_ID_NONE;
    if (nbr->state == OSPF_NBR_LOADING)
      ospf_nbr_event(nbr, OSPF_EV_LOADING_DONE);
  } else if (nbr->lsr_pending == 0 && nbr->state == OSPF_NBR_LOADING)
    ospf_lsr_send(nbr);
}

/* ---------------------------------------------------------- flooding */

/* 13.3 step 1 for one neighbour: TRUE when `l` goes on its list. */
static gboolean ospf_flood_to(OspfNbr *nbr, OspfLsa *l, const OspfNbr *from)
{
  SimTime now = sim_now(nbr->oi->ospf->node->ctx);

  if (nbr->state < OSPF_NBR_EXCHANGE)
    return FALSE;
  if (nbr->state < OSPF_NBR_FULL) {
    OspfLsa *req = g_hash_table_lookup(nbr->requests, &l->key);
    if (req) {
      int cmp = ospf_lsa_compare(l->blob->data, ospf_lsa_age(l, now), req->blob->data, req->age0);
      if (cmp < 0)
        return FALSE;
      ospf_request_remove(nbr, &l->key);
      if (cmp == 0)
        return FALSE;
    }
  }
  if (nbr == from)
    return FALSE;
  ospf_rxmt_add(nbr, l);
  return TRUE;
}

/* Floods one interface (13.3 steps 1-5); TRUE when sent back out the
 * interface it came in on. */
static gboolean ospf_flood_iface(OspfIface *oi, OspfLsa *l, const OspfNbr *from)
{
  gboolean added = FALSE;

  if (!oi->on || oi->state == OSPF_IFS_DOWN)
    return FALSE;
  for (guint i = 0; i < oi->nbrs->len; i++)
    added |= ospf_flood_to(g_ptr_array_index(oi->nbrs, i), l, from);
  if (!added)
    return FALSE;
  if (from && from->oi == oi && (from->addr == oi->dr || from->addr == oi->bdr || oi->state == OSPF_IFS_BACKUP))
    return FALSE;
  g_array_append_val(oi->flood, *l);
  l->blob->refs++;
  if (!oi->flood_timer) {
    SimTime now = sim_now(oi->ospf->node->ctx);
    SimTime at = oi->flood_last > 0 ? MAX(now, oi->flood_last + OSPF_FLOOD_PACING) : now;
    oi->flood_timer = scheduler_at(ospf_sched(oi->ospf), at, ospf_flood_out, oi, NULL);
  }
  return from && from->oi == oi;
}

/* Floods the database entry `l` of `area` (every area's interfaces for
 * AS-external LSAs), received from `from` (NULL: originated here).
 * Returns TRUE when it went back out the receiving interface. */
gboolean ospf_flood(Ospf *ospf, OspfArea *area, OspfLsa *l, OspfNbr *from)
{
  gboolean back = FALSE;

  for (guint i = 0; i < ospf->ifaces->len; i++) {
    OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    if (oi && (oi->area == area || l->key.type == OSPF_LSA_EXTERNAL))
      back |= ospf_flood_iface(oi, l, from);
  }
  return back;
}

/* ---------------------------------------------------------------- acks */

static void ospf_ack_out(void *obj, void *arg)
{
  OspfIface *oi = obj;
  size_t room = (ospf_room(oi) - OSPF_HEADER_LEN) / OSPF_LSA_HEADER_LEN * OSPF_LSA_HEADER_LEN;
  uint8_t *b;

  (void)arg;
  oi->ack_timer = EVENT_ID_NONE;
  for (size_t off = 0; off < oi->acks->len; off += room) {
    size_t n = MIN(room, oi->acks->len - off);
    Packet *p = ospf_packet_new(oi->ospf, OSPF_LSACK, n, &b);
    memcpy(b, oi->acks->data + off, n);
    ospf_packet_send(oi, p, ospf_flood_dst(oi));
  }
  g_byte_array_set_size(oi->acks, 0);
}

/* A delayed acknowledgement: with the others of the interface, a second later. */
static void ospf_ack_delayed(OspfIface *oi, const uint8_t *hdr)
{
  SimTime delay = MIN(SIMTIME_S(1), oi->conf.retransmit / 2);

  g_byte_array_append(oi->acks, hdr, OSPF_LSA_HEADER_LEN);
  if (!oi->ack_timer)
    oi->ack_timer = scheduler_after(ospf_sched(oi->ospf), delay, ospf_ack_out, oi, NULL);
}

/* A direct acknowledgement: gathered while one LS Update is read, then
 * sent to the neighbour at once by ospf_ack_direct_flush(). */
static void ospf_ack_direct(OspfNbr *nbr, const uint8_t *hdr)
{
  if (!nbr->dacks)
    nbr->dacks = g_byte_array_new();
  g_byte_array_append(nbr->dacks, hdr, OSPF_LSA_HEADER_LEN);
}

/* The direct acknowledgements gathered, in as few LS Acks as the MTU allows. */
static void ospf_ack_direct_flush(OspfNbr *nbr)
{
  size_t room = (ospf_room(nbr->oi) - OSPF_HEADER_LEN) / OSPF_LSA_HEADER_LEN * OSPF_LSA_HEADER_LEN;
  uint8_t *b;

  for (size_t off = 0; nbr->dacks && off < nbr->dacks->len; off += room) {
    size_t n = MIN(room, nbr->dacks->len - off);
    Packet *p = ospf_packet_new(nbr->oi->ospf, OSPF_LSACK, n, &b);
    memcpy(b, nbr->dacks->data + off, n);
    ospf_packet_send(nbr->oi, p, nbr->addr);
  }
  if (nbr->dacks)
    g_byte_array_set_size(nbr->dacks, 0);
}

/* An LS Ack (13.7): instances acknowledged leave the retransmission list. */
void ospf_ack_input(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  SimTime now = sim_now(nbr->oi->ospf->node->ctx);

  if (nbr->state < OSPF_NBR_EXCHANGE)
    return;
  for (size_t off = 0; off + OSPF_LSA_HEADER_LEN <= len; off += OSPF_LSA_HEADER_LEN) {
    OspfKey key = ospf_key_of(b + off);
    ospf_lsdb_prefetch(nbr->oi->ospf, nbr->oi->area, &key);
  }
  for (size_t off = 0; off + OSPF_LSA_HEADER_LEN <= len; off += OSPF_LSA_HEADER_LEN) {
    OspfKey key = ospf_key_of(b + off);
    OspfLsa *c = ospf_lsdb_lookup(nbr->oi->ospf, nbr->oi->area, &key); /* what a list holds is the entry */
    if (c && c->rxmt_on && ospf_lsa_compare(b + off, ospf_get16(b + off), c->blob->data, ospf_lsa_age(c, now)) == 0)
      ospf_rxmt_remove_entry(nbr, c);
  }
}

void ospf_iface_flush_queues(OspfIface *oi)
{
  Scheduler *s = ospf_sched(oi->ospf);

  if (oi->ack_timer)
    scheduler_cancel(s, oi->ack_timer);
  if (oi->flood_timer)
    scheduler_cancel(s, oi->flood_timer);
  oi->ack_timer = oi->flood_timer = EVENT_ID_NONE;
  g_byte_array_set_size(oi->acks, 0);
  ospf_flood_list_clear(oi);
}

/* ------------------------------------------------------ LS Update input */

/* The LSA's body fits its type (A.4). */
static gboolean ospf_lsa_body_ok(const uint8_t *l, size_t len)
{
  switch (l[OSPF_L_TYPE]) {
  case OSPF_LSA_ROUTER:
    return len >= 24 && len == 24 + (size_t)ospf_get16(l + 22) * OSPF_ROUTER_LINK_LEN;
  case OSPF_LSA_NETWORK:
    return len >= 28 && (len - 24) % 4 == 0;
  case OSPF_LSA_SUMMARY:
  case OSPF_LSA_ASBR:
    return len >= 28;
  case OSPF_LSA_EXTERNAL:
    return len >= 36;
  default:
    return FALSE;
  }
}

/* 13 step 5: a more recent instance, installed and flooded. */
static void ospf_lsa_newer(OspfNbr *nbr, OspfLsa *have, const uint8_t *l, uint16_t len, uint16_t age)
{
  Ospf *ospf = nbr->oi->ospf;
  OspfIface *oi = nbr->oi;
  OspfKey key = ospf_key_of(l);
  OspfBlob *blob = ospf_blob_intern(ospf->shared, l, len);

  OspfLsa *e = ospf_lsdb_install_over(ospf, oi->area, have, blob, age, FALSE);
  gboolean back = ospf_flood(ospf, oi->area, e, nbr);
  ospf_request_remove(nbr, &key);
  if (!back && (oi->state != OSPF_IFS_BACKUP || nbr->addr == oi->dr))
    ospf_ack_delayed(oi, l);
  if (key.adv == ospf->rid)
    ospf_originate_soon(ospf); /* 13.4: ours from an earlier life: newer instance or flush */
}

/* 13 steps 6-8: an instance not more recent than ours. */
static void ospf_lsa_not_newer(OspfNbr *nbr, OspfLsa *have, const uint8_t *l, uint16_t age, int cmp)
{
  OspfIface *oi = nbr->oi;

  if (g_hash_table_size(nbr->requests) && g_hash_table_lookup(nbr->requests, &have->key)) {
    ospf_nbr_event(nbr, OSPF_EV_BAD_LSREQ);
    return;
  }
  if (cmp == 0) {
    if (ospf_rxmt_remove_entry(nbr, have)) { /* implied acknowledgement */
      if (oi->state == OSPF_IFS_BACKUP && nbr->addr == oi->dr)
        ospf_ack_delayed(oi, l);
    } else
      ospf_ack_direct(nbr, l);
    return;
  }
  (void)age;
  if (ospf_lsa_age(have, sim_now(oi->ospf->node->ctx)) == OSPF_MAX_AGE &&
      (int32_t)ospf_get32(have->blob->data + OSPF_L_SEQ) == OSPF_MAX_SEQ)
    return;
  ospf_lsu_send_list(nbr, have, 1, nbr->addr);
}

/* TRUE when the bytes at l (age aside) are those of the instance we hold:
 * checked when it was first received, they need no checking again. */
static gboolean ospf_lsa_same_bytes(const OspfLsa *have, const uint8_t *l, uint16_t len)
{
  return have && have->blob->len == len && memcmp(have->blob->data + 2, l + 2, len - 2u) == 0;
}

/* One LSA of an LS Update (13); FALSE when it is bad. */
static gboolean ospf_lsa_input(OspfNbr *nbr, const uint8_t *l, uint16_t len)
{
  Ospf *ospf = nbr->oi->ospf;
  SimTime now = sim_now(ospf->node->ctx);
  uint16_t age = ospf_get16(l);

  if (!ospf_lsa_known_type(l[OSPF_L_TYPE]) || age > OSPF_MAX_AGE)
    return FALSE;
  OspfKey key = ospf_key_of(l);
  OspfLsa *have = ospf_lsdb_lookup(ospf, nbr->oi->area, &key);
  if (!ospf_lsa_same_bytes(have, l, len) && (!ospf_fletcher_ok(l, len) || !ospf_lsa_body_ok(l, len)))
    return FALSE;
  if (!have && age == OSPF_MAX_AGE && !g_hash_table_lookup(nbr->requests, &key)) {
    ospf_ack_direct(nbr, l); /* 13 step 4 (no neighbour exchanging: simplified to this one) */
    return TRUE;
  }
  int cmp = have ? ospf_lsa_compare(l, age, have->blob->data, ospf_lsa_age(have, now)) : 1;
  if (cmp > 0) {
    if (have && !have->mine && now - have->at < SIMTIME_S(1))
      return TRUE; /* MinLSArrival */
    ospf_lsa_newer(nbr, have, l, len, age);
  } else
    ospf_lsa_not_newer(nbr, have, l, age, cmp);
  return TRUE;
}

/* Prefetches the database entries of the LSAs of an LS Update (A.3.5). */
static void ospf_lsu_prefetch(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  size_t off = 4;

  for (uint32_t i = 0, n = ospf_get32(b); i < n && off + OSPF_LSA_HEADER_LEN <= len; i++) {
    OspfKey key = ospf_key_of(b + off);
    ospf_lsdb_prefetch(nbr->oi->ospf, nbr->oi->area, &key);
    off += MAX(ospf_get16(b + off + OSPF_L_LEN), OSPF_LSA_HEADER_LEN);
  }
}

/* The LSAs of an LS Update (A.3.5). */
static DropReason ospf_lsu_read(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  DropReason why = DROP_REASON_COUNT;
  size_t off = 4;

  if (nbr->state < OSPF_NBR_EXCHANGE)
    return DROP_REASON_COUNT;
  if (len < 4)
    return DROP_BAD_OSPF;
  ospf_lsu_prefetch(nbr, b, len);
  uint32_t n = ospf_get32(b);
  for (uint32_t i = 0; i < n; i++) {
    if (off + OSPF_LSA_HEADER_LEN > len)
      return DROP_BAD_LSA;
    uint16_t l = ospf_get16(b + off + OSPF_L_LEN);
    if (l < OSPF_LSA_HEADER_LEN || off + l > len)
      return DROP_BAD_LSA;
    if (!ospf_lsa_input(nbr, b + off, l))
      why = DROP_BAD_LSA;
    if (nbr->state < OSPF_NBR_EXCHANGE)
      break; /* BadLSReq: the exchange starts over */
    off += l;
  }
  return why;
}

/* An LS Update (A.3.5); returns DROP_BAD_LSA when an LSA in it was bad
 * (the others are still taken), else DROP_REASON_COUNT. The direct
 * acknowledgements it calls for leave together in one LS Ack (as FRR's
 * ls_ack_direct list). */
DropReason ospf_lsu_input(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  DropReason why = ospf_lsu_read(nbr, b, len);

  ospf_ack_direct_flush(nbr);
  return why;
}
