/*
 * OSPF neighbours (RFC 2328 section 10): the neighbour state machine
 * (10.3) with every transition traced as a routing note ("ospf: neighbor
 * 10.0.0.2 (eth1) init -> 2-way (2-WayReceived)"), the inactivity timer,
 * whether to become adjacent (10.4), the Database Description exchange
 * (10.6, 10.8: master and slave, I/M/MS bits, sequence numbers,
 * retransmission every RxmtInterval) and Link State Requests (10.7, 10.9).
 *
 * Entry points (ospf_int.h): ospf_nbr_new(), ospf_nbr_free(),
 * ospf_nbr_event(), ospf_dd_input(), ospf_lsr_input(), ospf_lsr_send(),
 * ospf_nbr_adjacent().
 *
 * Leaves out: the interface MTU check of DD packets (all links of a
 * network share an MTU here), NBMA's Attempt state.
 */
#include "models/routing/ospf_int.h"

#include "sim/text/addr.h"

static const char *const ospf_ev_names[] = {
    [OSPF_EV_HELLO] = "HelloReceived",
    [OSPF_EV_2WAY] = "2-WayReceived",
    [OSPF_EV_NEGOTIATION_DONE] = "NegotiationDone",
    [OSPF_EV_EXCHANGE_DONE] = "ExchangeDone",
    [OSPF_EV_BAD_LSREQ] = "BadLSReq",
    [OSPF_EV_LOADING_DONE] = "LoadingDone",
    [OSPF_EV_ADJ_OK] = "AdjOK?",
    [OSPF_EV_SEQ_MISMATCH] = "SeqNumberMismatch",
    [OSPF_EV_1WAY] = "1-WayReceived",
    [OSPF_EV_KILL] = "KillNbr",
    [OSPF_EV_INACTIVITY] = "InactivityTimer",
    [OSPF_EV_LL_DOWN] = "LLDown",
};

static void ospf_dd_send(OspfNbr *nbr);
static void ospf_dd_rxmt_arm(OspfNbr *nbr);

static Scheduler *ospf_nbr_sched(const OspfNbr *nbr)
{
  return nbr->oi->ospf->node->ctx->sched;
}

static void ospf_nbr_cancel(OspfNbr *nbr, EventId *id)
{
  if (*id)
    scheduler_cancel(ospf_nbr_sched(nbr), *id);
  *id = EVENT_ID_NONE;
}

OspfNbr *ospf_nbr_new(OspfIface *oi, uint32_t rid, uint32_t addr)
{
  OspfNbr *nbr = g_new0(OspfNbr, 1);

  nbr->oi = oi;
  nbr->rid = rid;
  nbr->addr = addr;
  nbr->summary = g_ptr_array_new();
  nbr->requests = ospf_lsa_table_new();
  nbr->rxmt = ospf_lsa_table_new();
  g_ptr_array_add(oi->nbrs, nbr);
  return nbr;
}

/* Empties the summary and request lists and the retransmission list. */
static void ospf_nbr_clear_lists(OspfNbr *nbr)
{
  Ospf *ospf = nbr->oi->ospf;
  GHashTableIter it;
  gpointer k;

  for (guint i = 0; i < nbr->summary->len; i++)
    ospf_lsa_free(ospf, g_ptr_array_index(nbr->summary, i));
  g_ptr_array_set_size(nbr->summary, 0);
  nbr->summary_next = 0;
  g_hash_table_iter_init(&it, nbr->requests);
  while (g_hash_table_iter_next(&it, &k, NULL)) {
    g_hash_table_iter_steal(&it);
    ospf_lsa_free(ospf, k);
  }
  ospf_rxmt_clear(nbr);
  ospf_nbr_cancel(nbr, &nbr->dd_rxmt);
  ospf_nbr_cancel(nbr, &nbr->lsr_rxmt);
  if (nbr->last_dd)
    packet_free(nbr->last_dd);
  nbr->last_dd = NULL;
  nbr->have_last = FALSE;
}

void ospf_nbr_free(OspfNbr *nbr)
{
  ospf_nbr_clear_lists(nbr);
  ospf_nbr_cancel(nbr, &nbr->inactivity);
  g_ptr_array_free(nbr->summary, TRUE);
  g_hash_table_destroy(nbr->requests);
  g_hash_table_destroy(nbr->rxmt);
  if (nbr->dacks)
    g_byte_array_free(nbr->dacks, TRUE);
  g_free(nbr);
}

/* 10.4: point-to-point always; broadcast when either end is DR or BDR. */
gboolean ospf_nbr_adjacent(const OspfNbr *nbr)
{
  const OspfIface *oi = nbr->oi;

  if (oi->type == OSPF_IF_P2P)
    return TRUE;
  return oi->state == OSPF_IFS_DR || oi->state == OSPF_IFS_BACKUP || nbr->addr == oi->dr || nbr->addr == oi->bdr;
}

static void ospf_inactivity(void *obj, void *arg)
{
  OspfNbr *nbr = obj;
  (void)arg;
  nbr->inactivity = EVENT_ID_NONE;
  ospf_nbr_event(nbr, OSPF_EV_INACTIVITY);
}

/* Enters ExStart (10.3): a new DD sequence number, we claim master and
 * send empty DDs with I, M and MS until the neighbour answers. */
static void ospf_nbr_exstart(OspfNbr *nbr)
{
  ospf_nbr_clear_lists(nbr);
  if (!nbr->dd_seq)
    nbr->dd_seq = (uint32_t)rng_below(&nbr->oi->ospf->rng, 0x10000) + 1;
  else
    nbr->dd_seq++;
  nbr->master = FALSE; /* we are master until negotiation says otherwise */
  nbr->more = TRUE;
  ospf_dd_send(nbr);
}

/* The summary list (10.3 NegotiationDone): every LSA of the area and the
 * AS-external ones, as headers held at this moment. */
static void ospf_nbr_summary(OspfNbr *nbr)
{
  Ospf *ospf = nbr->oi->ospf;
  const OspfDb *dbs[2] = {&nbr->oi->area->lsdb, &ospf->ext};
  OspfLsa *l;

  for (guint d = 0; d < 2; d++)
    for (guint p = 0; (l = ospf_db_next(dbs[d], &p));)
      g_ptr_array_add(nbr->summary, ospf_lsa_copy(ospf, l));
  nbr->summary_next = 0;
}

/* The new state for `ev` in `s`, or -1 for no change (10.3's table;
 * adjacency decisions folded in). */
static int ospf_nbr_next(OspfNbr *nbr, OspfNbrEvent ev)
{
  OspfNbrState s = nbr->state;

  switch (ev) {
  case OSPF_EV_HELLO:
    return s == OSPF_NBR_DOWN ? OSPF_NBR_INIT : -1;
  case OSPF_EV_2WAY:
    if (s != OSPF_NBR_INIT)
      return -1;
    return ospf_nbr_adjacent(nbr) ? OSPF_NBR_EXSTART : OSPF_NBR_2WAY;
  case OSPF_EV_NEGOTIATION_DONE:
    return s == OSPF_NBR_EXSTART ? OSPF_NBR_EXCHANGE : -1;
  case OSPF_EV_EXCHANGE_DONE:
    if (s != OSPF_NBR_EXCHANGE)
      return -1;
    return g_hash_table_size(nbr->requests) ? OSPF_NBR_LOADING : OSPF_NBR_FULL;
  case OSPF_EV_LOADING_DONE:
    return s == OSPF_NBR_LOADING ? OSPF_NBR_FULL : -1;
  case OSPF_EV_ADJ_OK:
    if (s == OSPF_NBR_2WAY)
      return ospf_nbr_adjacent(nbr) ? OSPF_NBR_EXSTART : -1;
    return s >= OSPF_NBR_EXSTART && !ospf_nbr_adjacent(nbr) ? OSPF_NBR_2WAY : -1;
  case OSPF_EV_SEQ_MISMATCH:
  case OSPF_EV_BAD_LSREQ:
    return s >= OSPF_NBR_EXCHANGE ? OSPF_NBR_EXSTART : -1;
  case OSPF_EV_1WAY:
    return s >= OSPF_NBR_2WAY ? OSPF_NBR_INIT : -1;
  default:
    return s != OSPF_NBR_DOWN ? OSPF_NBR_DOWN : -1;
  }
}

/* What entering `to` from `from` does. */
static void ospf_nbr_enter(OspfNbr *nbr, OspfNbrState from, OspfNbrState to)
{
  switch (to) {
  case OSPF_NBR_EXSTART:
    ospf_nbr_exstart(nbr);
    break;
  case OSPF_NBR_EXCHANGE:
    ospf_nbr_summary(nbr);
    break;
  case OSPF_NBR_LOADING:
    ospf_lsr_send(nbr);
    break;
  case OSPF_NBR_DOWN:
    ospf_nbr_cancel(nbr, &nbr->inactivity);
    nbr->dr = nbr->bdr = 0;
    nbr->priority = 0;
    /* fall through */
  case OSPF_NBR_INIT:
  case OSPF_NBR_2WAY:
    ospf_nbr_clear_lists(nbr);
    break;
  default:
    break;
  }
  if ((from >= OSPF_NBR_2WAY) != (to >= OSPF_NBR_2WAY))
    ospf_ism_neighbor_change(nbr->oi);
  if ((from == OSPF_NBR_FULL) != (to == OSPF_NBR_FULL))
    ospf_originate_soon(nbr->oi->ospf);
}

/* Feeds `ev` to the neighbour's state machine. */
void ospf_nbr_event(OspfNbr *nbr, OspfNbrEvent ev)
{
  OspfIface *oi = nbr->oi;
  char a[ADDR_IPV4_TEXT];

  if (ev == OSPF_EV_HELLO && nbr->state >= OSPF_NBR_DOWN) {
    ospf_nbr_cancel(nbr, &nbr->inactivity);
    nbr->inactivity = scheduler_after(ospf_nbr_sched(nbr), oi->conf.dead, ospf_inactivity, nbr, NULL);
    nbr->dead_at = sim_now(oi->ospf->node->ctx) + oi->conf.dead;
  }
  int next = ospf_nbr_next(nbr, ev);
  if (next < 0)
    return;
  OspfNbrState from = nbr->state;
  nbr->state = (OspfNbrState)next;
  ospf_note(oi->ospf, oi->iface, "neighbor %s (%s) %s -> %s (%s)", addr_format_ipv4(nbr->rid, a), oi->iface->name,
            ospf_nbr_state_names[from], ospf_nbr_state_names[next], ospf_ev_names[ev]);
  ospf_nbr_enter(nbr, from, (OspfNbrState)next);
}

/* ------------------------------------------------------------------ DD */

/* Fills a DD (A.3.3) with the flags and as many headers as fit the MTU. */
static Packet *ospf_dd_build(OspfNbr *nbr, gboolean init)
{
  Ospf *ospf = nbr->oi->ospf;
  size_t room = (nbr->oi->iface->mtu - 20 - OSPF_HEADER_LEN - OSPF_DD_LEN) / OSPF_LSA_HEADER_LEN;
  guint left = nbr->summary->len - nbr->summary_next, n = init ? 0 : (guint)MIN(left, room);
  SimTime now = sim_now(ospf->node->ctx);
  uint8_t *b;

  Packet *p = ospf_packet_new(ospf, OSPF_DD, OSPF_DD_LEN + (size_t)n * OSPF_LSA_HEADER_LEN, &b);
  ospf_put16(b, (uint16_t)nbr->oi->iface->mtu);
  b[2] = OSPF_OPT_E;
  for (guint i = 0; i < n; i++)
    ospf_lsa_header_out(g_ptr_array_index(nbr->summary, nbr->summary_next + i), now,
                        b + OSPF_DD_LEN + i * OSPF_LSA_HEADER_LEN);
  nbr->summary_next += n;
  if (!init)
    nbr->more = nbr->summary_next < nbr->summary->len;
  b[3] = (uint8_t)((init ? OSPF_DD_I | OSPF_DD_M : 0) | (nbr->more && !init ? OSPF_DD_M : 0) |
                   (nbr->master ? 0 : OSPF_DD_MS));
  ospf_put32(b + 4, nbr->dd_seq);
  return p;
}

/* Sends a copy of the last DD: the first time as itself, again (`resend`)
 * as a new packet noting the one it repeats. */
static void ospf_dd_transmit(OspfNbr *nbr, gboolean resend)
{
  Packet *copy = packet_clone(nbr->last_dd);
  if (resend)
    packet_renew(copy, PACKET_ORIGIN_RETRANSMIT);
  ospf_packet_send(nbr->oi, copy, nbr->addr);
}

/* Sends the next DD (empty with I|M|MS in ExStart), kept for resending. */
static void ospf_dd_send(OspfNbr *nbr)
{
  if (nbr->last_dd)
    packet_free(nbr->last_dd);
  nbr->last_dd = ospf_dd_build(nbr, nbr->state == OSPF_NBR_EXSTART);
  ospf_dd_transmit(nbr, FALSE);
  if (!nbr->master)
    ospf_dd_rxmt_arm(nbr);
}

static void ospf_dd_rxmt(void *obj, void *arg)
{
  OspfNbr *nbr = obj;
  (void)arg;
  nbr->dd_rxmt = EVENT_ID_NONE;
  if (nbr->last_dd && !nbr->master && (nbr->state == OSPF_NBR_EXSTART || nbr->state == OSPF_NBR_EXCHANGE)) {
    ospf_dd_transmit(nbr, TRUE);
    ospf_dd_rxmt_arm(nbr);
  }
}

/* The master retransmits its last DD every RxmtInterval until answered. */
static void ospf_dd_rxmt_arm(OspfNbr *nbr)
{
  ospf_nbr_cancel(nbr, &nbr->dd_rxmt);
  nbr->dd_rxmt = scheduler_after(ospf_nbr_sched(nbr), nbr->oi->conf.retransmit, ospf_dd_rxmt, nbr, NULL);
}

/* The headers of a DD (10.6): unknown types are a SeqNumberMismatch;
 * those we lack or hold older go on the request list. FALSE on mismatch. */
static gboolean ospf_dd_headers(OspfNbr *nbr, const uint8_t *h, size_t len)
{
  Ospf *ospf = nbr->oi->ospf;
  SimTime now = sim_now(ospf->node->ctx);

  for (size_t off = 0; off + OSPF_LSA_HEADER_LEN <= len; off += OSPF_LSA_HEADER_LEN) {
    const uint8_t *lh = h + off;
    if (!ospf_lsa_known_type(lh[OSPF_L_TYPE]))
      return FALSE;
    OspfKey key = ospf_key_of(lh);
    OspfLsa *have = ospf_lsdb_lookup(ospf, nbr->oi->area, &key);
    if (have) {
      uint8_t mine[OSPF_LSA_HEADER_LEN];
      ospf_lsa_header_out(have, now, mine);
      if (ospf_lsa_compare(lh, ospf_get16(lh), mine, ospf_get16(mine)) <= 0)
        continue;
    }
    OspfLsa *req = g_new0(OspfLsa, 1);
    req->key = key;
    req->age0 = ospf_get16(lh);
    req->blob = ospf_blob_intern(NULL, lh, OSPF_LSA_HEADER_LEN); /* a private header copy */
    g_hash_table_replace(nbr->requests, req, req);
  }
  return TRUE;
}

/* ExStart (10.6): who is master. TRUE when the packet settled it (and,
 * for a slave-acknowledging packet, should be processed further). */
static gboolean ospf_dd_negotiate(OspfNbr *nbr, uint8_t flags, uint32_t seq, size_t nheaders, gboolean *process)
{
  Ospf *ospf = nbr->oi->ospf;
  uint8_t all = OSPF_DD_I | OSPF_DD_M | OSPF_DD_MS;

  *process = FALSE;
  if ((flags & all) == all && nheaders == 0 && nbr->rid > ospf->rid) {
    nbr->master = TRUE;
    nbr->dd_seq = seq;
    return TRUE;
  }
  if (!(flags & (OSPF_DD_I | OSPF_DD_MS)) && seq == nbr->dd_seq && nbr->rid < ospf->rid) {
    nbr->master = FALSE;
    *process = TRUE;
    return TRUE;
  }
  return FALSE;
}

/* A DD in Exchange that is not a duplicate: checks, headers, the next DD. */
static void ospf_dd_exchange(OspfNbr *nbr, uint8_t flags, uint32_t seq, const uint8_t *h, size_t len)
{
  gboolean ms = (flags & OSPF_DD_MS) != 0;

  if (ms != nbr->master || (flags & OSPF_DD_I) || (nbr->master ? seq != nbr->dd_seq + 1 : seq != nbr->dd_seq)) {
    ospf_nbr_event(nbr, OSPF_EV_SEQ_MISMATCH);
    return;
  }
  if (!ospf_dd_headers(nbr, h, len)) {
    ospf_nbr_event(nbr, OSPF_EV_SEQ_MISMATCH);
    return;
  }
  gboolean their_more = (flags & OSPF_DD_M) != 0;
  if (nbr->master) {
    nbr->dd_seq = seq;
    ospf_dd_send(nbr);
    if (!their_more && !nbr->more)
      ospf_nbr_event(nbr, OSPF_EV_EXCHANGE_DONE);
    return;
  }
  ospf_nbr_cancel(nbr, &nbr->dd_rxmt);
  if (!nbr->more && !their_more) {
    ospf_nbr_event(nbr, OSPF_EV_EXCHANGE_DONE);
    return;
  }
  nbr->dd_seq++;
  ospf_dd_send(nbr);
}

/* TRUE when the DD repeats the last one received: the slave resends. */
static gboolean ospf_dd_duplicate(OspfNbr *nbr, uint8_t flags, uint8_t options, uint32_t seq)
{
  if (!nbr->have_last || nbr->last_flags != flags || nbr->last_options != options || nbr->last_seq != seq)
    return FALSE;
  if (nbr->master && nbr->last_dd)
    ospf_dd_transmit(nbr, TRUE);
  return TRUE;
}

/* A Database Description packet from the neighbour (10.6). */
void ospf_dd_input(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  gboolean process = FALSE;

  if (len < OSPF_DD_LEN)
    return;
  uint8_t options = b[2], flags = b[3];
  uint32_t seq = ospf_get32(b + 4);
  if (nbr->state == OSPF_NBR_INIT)
    ospf_nbr_event(nbr, OSPF_EV_2WAY);
  if (nbr->state < OSPF_NBR_EXSTART)
    return;
  if (nbr->state >= OSPF_NBR_EXCHANGE && ospf_dd_duplicate(nbr, flags, options, seq))
    return;
  if (nbr->state == OSPF_NBR_EXSTART) {
    if (!ospf_dd_negotiate(nbr, flags, seq, (len - OSPF_DD_LEN) / OSPF_LSA_HEADER_LEN, &process))
      return;
    ospf_nbr_cancel(nbr, &nbr->dd_rxmt);
    ospf_nbr_event(nbr, OSPF_EV_NEGOTIATION_DONE);
    if (!process) {
      nbr->have_last = TRUE, nbr->last_flags = flags, nbr->last_options = options, nbr->last_seq = seq;
      ospf_dd_send(nbr); /* the slave's first answer, with headers */
      return;
    }
  } else if (nbr->state > OSPF_NBR_EXCHANGE) {
    ospf_nbr_event(nbr, OSPF_EV_SEQ_MISMATCH);
    return;
  }
  nbr->have_last = TRUE, nbr->last_flags = flags, nbr->last_options = options, nbr->last_seq = seq;
  ospf_dd_exchange(nbr, flags, seq, b + OSPF_DD_LEN, len - OSPF_DD_LEN);
}

/* ----------------------------------------------------------------- LSR */

static void ospf_lsr_rxmt(void *obj, void *arg)
{
  OspfNbr *nbr = obj;
  (void)arg;
  nbr->lsr_rxmt = EVENT_ID_NONE;
  ospf_lsr_send(nbr);
}

/* Requests (A.3.4) what the request list holds, as many as one packet
 * carries, again every RxmtInterval until they arrive. */
void ospf_lsr_send(OspfNbr *nbr)
{
  guint room = (nbr->oi->iface->mtu - 20 - OSPF_HEADER_LEN) / OSPF_LSR_ENTRY_LEN;
  guint n = MIN(g_hash_table_size(nbr->requests), room), i = 0;
  GHashTableIter it;
  gpointer k;
  uint8_t *b;

  ospf_nbr_cancel(nbr, &nbr->lsr_rxmt);
  if (n == 0 || nbr->state < OSPF_NBR_EXCHANGE)
    return;
  Packet *p = ospf_packet_new(nbr->oi->ospf, OSPF_LSR, (size_t)n * OSPF_LSR_ENTRY_LEN, &b);
  g_hash_table_iter_init(&it, nbr->requests);
  while (i < n && g_hash_table_iter_next(&it, &k, NULL)) {
    const OspfKey *key = k;
    ospf_put32(b + i * OSPF_LSR_ENTRY_LEN, key->type);
    ospf_put32(b + i * OSPF_LSR_ENTRY_LEN + 4, key->id);
    ospf_put32(b + i * OSPF_LSR_ENTRY_LEN + 8, key->adv);
    i++;
  }
  nbr->lsr_pending = n;
  ospf_packet_send(nbr->oi, p, nbr->addr);
  nbr->lsr_rxmt = scheduler_after(ospf_nbr_sched(nbr), nbr->oi->conf.retransmit, ospf_lsr_rxmt, nbr, NULL);
}

/* A Link State Request (10.7): the LSAs asked for go back in LS Updates;
 * one we do not hold is BadLSReq. */
void ospf_lsr_input(OspfNbr *nbr, const uint8_t *b, size_t len)
{
  Ospf *ospf = nbr->oi->ospf;
  GArray *out;

  if (nbr->state < OSPF_NBR_EXCHANGE)
    return;
  out = g_array_new(FALSE, FALSE, sizeof(OspfLsa));
  for (size_t off = 0; off + OSPF_LSR_ENTRY_LEN <= len; off += OSPF_LSR_ENTRY_LEN) {
    uint32_t type = ospf_get32(b + off);
    OspfKey key = {ospf_get32(b + off + 4), ospf_get32(b + off + 8), (uint8_t)type};
    OspfLsa *l =
        type <= 0xff && ospf_lsa_known_type((uint8_t)type) ? ospf_lsdb_lookup(ospf, nbr->oi->area, &key) : NULL;
    if (!l) {
      g_array_free(out, TRUE);
      ospf_nbr_event(nbr, OSPF_EV_BAD_LSREQ);
      return;
    }
    g_array_append_val(out, *l);
  }
  ospf_lsu_send_list(nbr, (const OspfLsa *)(void *)out->data, out->len, nbr->addr);
  g_array_free(out, TRUE);
}
