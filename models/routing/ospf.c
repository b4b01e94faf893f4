/*
 * OSPFv2 on a router (RFC 2328): the instance, its areas and interfaces,
 * the packet header checks and demultiplexing (8.2), the Hello protocol
 * (9.5, 10.5) and the interface state machine with DR/BDR election
 * (9.3, 9.4). Packets go out with IP protocol 89, TTL 1, from the
 * interface address, out of the interface (Ipv4SendOpts.out).
 *
 * Entry points: ospf_new(), ospf_free(), ospf_set_iface_enabled(),
 * ospf_set_iface_cost(), ospf_neighbor_state(), ospf_router_id(),
 * ospf_packets_sent(), ospf_shared_new(), ospf_shared_free(); inside the
 * model (ospf_int.h): ospf_packet_new(), ospf_packet_send(), ospf_note(),
 * ospf_ism_neighbor_change().
 *
 * Leaves out: virtual links, NBMA and point-to-multipoint interfaces,
 * authentication, the Loopback interface state, unnumbered interfaces.
 */
#include "models/routing/ospf_int.h"

#include <arpa/inet.h>
#include <stdarg.h>

#include "models/internet/checksum.h"
#include "models/internet/ipv4.h"
#include "models/link/link.h"
#include "sim/text/addr.h"

static void ospf_input(void *data, Packet *p, const Ipv4Meta *meta);
static void ospf_hello_send(OspfIface *oi);
static void ospf_iface_up(OspfIface *oi);
static void ospf_iface_down(OspfIface *oi);
static void ospf_ism_wait_over(OspfIface *oi, const char *why);

static void ospf_cancel(Scheduler *s, EventId *id)
{
  if (*id)
    scheduler_cancel(s, *id);
  *id = EVENT_ID_NONE;
}

static const char *const ospf_ifs_names[] = {"Down", "Waiting", "Point-To-Point", "DROther", "Backup", "DR"};

OspfShared *ospf_shared_new(void)
{
  OspfShared *sh = g_new0(OspfShared, 1);
  sh->blobs = g_hash_table_new(NULL, NULL);
  sh->refs = 1;
  return sh;
}

/* Drops a reference to the shared LSA contents: the caller's of
 * ospf_shared_new(), or an Ospf's (ospf_new() takes one); the last frees
 * them. */
void ospf_shared_free(OspfShared *sh)
{
  if (!sh || --sh->refs)
    return;
  g_hash_table_destroy(sh->blobs);
  ospf_scratch_free(&sh->scratch);
  ospf_numbers_free(&sh->nums);
  g_free(sh);
}

/* A routing note about this router (iface may be NULL). */
void ospf_note(Ospf *ospf, Iface *iface, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  routing_vnote(ospf->node, iface, "ospf", fmt, ap);
  va_end(ap);
}

/* A uniform delay in [0, max) from the router's stream. */
SimTime ospf_jitter(Ospf *ospf, SimTime max)
{
  return max > 0 ? (SimTime)rng_below(&ospf->rng, (uint64_t)max) : 0;
}

uint32_t ospf_iface_addr(const OspfIface *oi)
{
  return oi->iface->ip.addr;
}

uint32_t ospf_iface_mask(const OspfIface *oi)
{
  return addr_mask(oi->iface->ip.len);
}

OspfArea *ospf_area_find(const Ospf *ospf, uint32_t id)
{
  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    if (a->id == id)
      return a;
  }
  return NULL;
}

/* An ABR: interfaces in more than one area, one of them the backbone. */
gboolean ospf_is_abr(const Ospf *ospf)
{
  return ospf->areas->len > 1 && ospf_area_find(ospf, 0) != NULL;
}

/* A new packet of `type` with `body` bytes after the header (zeroed);
 * *out points to the body. The length and checksum are set on sending. */
Packet *ospf_packet_new(Ospf *ospf, uint8_t type, size_t body, uint8_t **out)
{
  Packet *p = packet_new(ospf->node->ctx->pool, OSPF_HEADER_LEN + body);
  uint8_t *h = packet_data(p);

  memset(h, 0, OSPF_HEADER_LEN + body);
  h[OSPF_H_VERSION] = OSPF_VERSION;
  h[OSPF_H_TYPE] = type;
  ospf_put32(h + OSPF_H_RID, ospf->rid);
  *out = h + OSPF_HEADER_LEN;
  return p;
}

/* The Internet checksum over the packet without its authentication field. */
uint16_t ospf_packet_checksum(const uint8_t *pkt, size_t len)
{
  size_t tail = OSPF_H_AUTH + 8;
  uint32_t sum = checksum_partial(pkt, MIN(len, OSPF_H_AUTH), 0);

  if (len > tail)
    sum = checksum_partial(pkt + tail, len - tail, sum);
  return ntohs(checksum_fold(sum));
}

/* Finishes `p` (length, area, checksum) and sends it out of oi to dst. */
void ospf_packet_send(OspfIface *oi, Packet *p, uint32_t dst)
{
  uint8_t *h = packet_data(p);
  size_t len = packet_len(p);
  Ipv4SendOpts opts = {
      .src = ospf_iface_addr(oi), .dst = dst, .proto = OSPF_PROTO, .ttl = 1, .tos = 0xc0, .out = oi->iface};

  ospf_put16(h + OSPF_H_LEN, (uint16_t)len);
  ospf_put32(h + OSPF_H_AREA, oi->area->id);
  ospf_put16(h + OSPF_H_CKSUM, 0);
  ospf_put16(h + OSPF_H_CKSUM, ospf_packet_checksum(h, len));
  oi->ospf->packets_sent++;
  ipv4_output(oi->ospf->node, p, &opts);
}

/* ---------------------------------------------------------------- Hello */

static void ospf_hello_timer(void *obj, void *arg)
{
  OspfIface *oi = obj;
  (void)arg;
  oi->hello_timer = scheduler_after(oi->ospf->node->ctx->sched, oi->conf.hello, ospf_hello_timer, oi, NULL);
  oi->hello_at = sim_now(oi->ospf->node->ctx) + oi->conf.hello;
  ospf_hello_send(oi);
}

/* Sends a Hello (A.3.2) listing every neighbour heard from. */
static void ospf_hello_send(OspfIface *oi)
{
  guint n = 0;
  uint8_t *b;

  for (guint i = 0; i < oi->nbrs->len; i++)
    n += ((OspfNbr *)g_ptr_array_index(oi->nbrs, i))->state >= OSPF_NBR_INIT;
  Packet *p = ospf_packet_new(oi->ospf, OSPF_HELLO, OSPF_HELLO_LEN + 4 * n, &b);
  ospf_put32(b, oi->type == OSPF_IF_P2P ? 0 : ospf_iface_mask(oi));
  ospf_put16(b + 4, (uint16_t)(oi->conf.hello / SIMTIME_S(1)));
  b[6] = OSPF_OPT_E;
  b[7] = oi->conf.priority;
  ospf_put32(b + 8, (uint32_t)(oi->conf.dead / SIMTIME_S(1)));
  ospf_put32(b + 12, oi->dr);
  ospf_put32(b + 16, oi->bdr);
  uint8_t *q = b + OSPF_HELLO_LEN;
  for (guint i = 0; i < oi->nbrs->len; i++) {
    OspfNbr *nbr = g_ptr_array_index(oi->nbrs, i);
    if (nbr->state >= OSPF_NBR_INIT) {
      ospf_put32(q, nbr->rid);
      q += 4;
    }
  }
  ospf_packet_send(oi, p, OSPF_ALL_SPF_ROUTERS);
}

static void ospf_hello_reply(void *obj, void *arg)
{
  OspfIface *oi = obj;
  (void)arg;
  oi->reply_timer = EVENT_ID_NONE;
  ospf_hello_send(oi);
}

/* A Hello that does not list us yet: ours goes out a second later (FRR's
 * hello reply, OSPF_HELLO_REPLY_DELAY), not a whole HelloInterval. */
static void ospf_hello_reply_soon(OspfIface *oi)
{
  if (!oi->reply_timer && oi->hello_at - sim_now(oi->ospf->node->ctx) > SIMTIME_S(1))
    oi->reply_timer = scheduler_after(oi->ospf->node->ctx->sched, SIMTIME_S(1), ospf_hello_reply, oi, NULL);
}

/* The Hello's parameters against the interface's (10.5); TRUE when they agree. */
static gboolean ospf_hello_params_ok(const OspfIface *oi, const uint8_t *b, uint32_t src)
{
  if (oi->type == OSPF_IF_BROADCAST && (ospf_get32(b) != ospf_iface_mask(oi) ||
                                        (src & ospf_iface_mask(oi)) != (ospf_iface_addr(oi) & ospf_iface_mask(oi))))
    return FALSE;
  if (ospf_get16(b + 4) != oi->conf.hello / SIMTIME_S(1) || ospf_get32(b + 8) != oi->conf.dead / SIMTIME_S(1))
    return FALSE;
  return (b[6] & OSPF_OPT_E) == OSPF_OPT_E;
}

/* The neighbour a packet from `rid` at `src` comes from: by source
 * address on broadcast networks, by router ID on point-to-point ones. */
static OspfNbr *ospf_nbr_lookup(const OspfIface *oi, uint32_t rid, uint32_t src)
{
  for (guint i = 0; i < oi->nbrs->len; i++) {
    OspfNbr *nbr = g_ptr_array_index(oi->nbrs, i);
    if (oi->type == OSPF_IF_BROADCAST ? nbr->addr == src : nbr->rid == rid)
      return nbr;
  }
  return NULL;
}

/* TRUE when the Hello's neighbour list names us. */
static gboolean ospf_hello_lists_us(const Ospf *ospf, const uint8_t *b, size_t len)
{
  for (size_t off = OSPF_HELLO_LEN; off + 4 <= len; off += 4)
    if (ospf_get32(b + off) == ospf->rid)
      return TRUE;
  return FALSE;
}

/* The broadcast-network part of 10.5: BackupSeen and NeighborChange. */
static void ospf_hello_election_events(OspfNbr *nbr, uint8_t old_pri, uint32_t old_dr, uint32_t old_bdr)
{
  OspfIface *oi = nbr->oi;
  gboolean says_dr = nbr->dr == nbr->addr, says_bdr = nbr->bdr == nbr->addr;
  gboolean was_dr = old_dr == nbr->addr, was_bdr = old_bdr == nbr->addr;

  if (oi->state == OSPF_IFS_WAITING && ((says_dr && nbr->bdr == 0) || says_bdr)) {
    ospf_ism_wait_over(oi, "BackupSeen");
    return;
  }
  if (old_pri != nbr->priority || says_dr != was_dr || says_bdr != was_bdr)
    ospf_ism_neighbor_change(oi);
}

/* A Hello from `rid` at `src` (10.5). */
static void ospf_hello_input(OspfIface *oi, Packet *p, uint32_t rid, uint32_t src, const uint8_t *b, size_t len)
{
  if (len < OSPF_HELLO_LEN || !ospf_hello_params_ok(oi, b, src)) {
    node_drop(oi->ospf->node, oi->iface, p, DROP_OSPF_MISMATCH, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  OspfNbr *nbr = ospf_nbr_lookup(oi, rid, src);
  if (!nbr)
    nbr = ospf_nbr_new(oi, rid, src);
  uint8_t old_pri = nbr->priority;
  uint32_t old_dr = nbr->dr, old_bdr = nbr->bdr;
  nbr->rid = rid, nbr->addr = src, nbr->priority = b[7], nbr->options = b[6];
  nbr->dr = ospf_get32(b + 12), nbr->bdr = ospf_get32(b + 16);
  ospf_nbr_event(nbr, OSPF_EV_HELLO);
  gboolean two_way = ospf_hello_lists_us(oi->ospf, b, len);
  packet_free(p);
  if (!two_way) {
    ospf_nbr_event(nbr, OSPF_EV_1WAY);
    ospf_hello_reply_soon(oi);
    return;
  }
  ospf_nbr_event(nbr, OSPF_EV_2WAY);
  if (oi->type == OSPF_IF_BROADCAST)
    ospf_hello_election_events(nbr, old_pri, old_dr, old_bdr);
}

/* ---------------------------------------------------------------- input */

/* Header checks (8.2); returns the drop reason or DROP_REASON_COUNT. */
static DropReason ospf_header_check(const OspfIface *oi, const uint8_t *h, size_t len, uint16_t *plen)
{
  if (len < OSPF_HEADER_LEN || h[OSPF_H_VERSION] != OSPF_VERSION)
    return DROP_BAD_OSPF;
  *plen = ospf_get16(h + OSPF_H_LEN);
  if (*plen < OSPF_HEADER_LEN || *plen > len || ospf_packet_checksum(h, *plen) != 0)
    return DROP_BAD_OSPF;
  if (h[OSPF_H_TYPE] < OSPF_HELLO || h[OSPF_H_TYPE] > OSPF_LSACK || ospf_get16(h + OSPF_H_AUTYPE) != 0)
    return DROP_BAD_OSPF;
  if (ospf_get32(h + OSPF_H_AREA) != oi->area->id)
    return DROP_OSPF_MISMATCH;
  return DROP_REASON_COUNT;
}

/* A packet other than a Hello, from a known neighbour; returns the drop
 * reason of a bad packet, else DROP_REASON_COUNT. */
static DropReason ospf_nbr_packet(OspfNbr *nbr, uint8_t type, const uint8_t *body, size_t len)
{
  switch (type) {
  case OSPF_DD:
    ospf_dd_input(nbr, body, len);
    return DROP_REASON_COUNT;
  case OSPF_LSR:
    ospf_lsr_input(nbr, body, len);
    return DROP_REASON_COUNT;
  case OSPF_LSU:
    return ospf_lsu_input(nbr, body, len);
  default:
    ospf_ack_input(nbr, body, len);
    return DROP_REASON_COUNT;
  }
}

/* An OSPF packet delivered by IPv4 (at its OSPF header). Takes p. */
static void ospf_input(void *data, Packet *p, const Ipv4Meta *meta)
{
  Ospf *ospf = data;
  OspfIface *oi =
      meta->in && meta->in->index < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, meta->in->index) : NULL;
  const uint8_t *h = packet_data(p);
  uint16_t len = 0;

  if (!oi || !oi->on || oi->state == OSPF_IFS_DOWN) {
    node_drop(ospf->node, meta->in, p, DROP_ROUTING_OFF, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  DropReason why = ospf_header_check(oi, h, packet_len(p), &len);
  if (why == DROP_REASON_COUNT && ospf_get32(h + OSPF_H_RID) == ospf->rid)
    why = DROP_BAD_OSPF; /* our own router ID from elsewhere */
  if (why != DROP_REASON_COUNT) {
    node_drop(ospf->node, meta->in, p, why, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  uint32_t rid = ospf_get32(h + OSPF_H_RID);
  if (h[OSPF_H_TYPE] == OSPF_HELLO) {
    ospf_hello_input(oi, p, rid, meta->src, h + OSPF_HEADER_LEN, len - OSPF_HEADER_LEN);
    return;
  }
  OspfNbr *nbr = ospf_nbr_lookup(oi, rid, meta->src);
  if (!nbr || nbr->state < OSPF_NBR_INIT) {
    node_drop(ospf->node, meta->in, p, DROP_OSPF_MISMATCH, TRACE_INTERNET, TRACE_FROM_IPV4);
    return;
  }
  why = ospf_nbr_packet(nbr, h[OSPF_H_TYPE], h + OSPF_HEADER_LEN, len - OSPF_HEADER_LEN);
  if (why != DROP_REASON_COUNT)
    node_drop(ospf->node, meta->in, p, why, TRACE_INTERNET, TRACE_FROM_IPV4);
  else
    packet_free(p);
}

/* ----------------------------------------------------- DR/BDR election */

typedef struct {
  uint32_t rid, addr, dr, bdr;
  uint8_t pri;
} OspfCand;

static gboolean ospf_cand_better(const OspfCand *a, const OspfCand *b)
{
  return !b || a->pri > b->pri || (a->pri == b->pri && a->rid > b->rid);
}

/* The candidates (9.4 step 1): us, and neighbours in 2-Way or beyond, priority above 0. */
static guint ospf_candidates(const OspfIface *oi, OspfCand *c, guint max)
{
  guint n = 0;

  if (oi->conf.priority > 0)
    c[n++] = (OspfCand){oi->ospf->rid, ospf_iface_addr(oi), oi->dr, oi->bdr, oi->conf.priority};
  for (guint i = 0; i < oi->nbrs->len && n < max; i++) {
    const OspfNbr *nb = g_ptr_array_index(oi->nbrs, i);
    if (nb->state >= OSPF_NBR_2WAY && nb->priority > 0)
      c[n++] = (OspfCand){nb->rid, nb->addr, nb->dr, nb->bdr, nb->priority};
  }
  return n;
}

/* Steps 2 and 3: the BDR, then the DR, from the candidates' declarations. */
static void ospf_elect_once(OspfCand *c, guint n, uint32_t *dr, uint32_t *bdr)
{
  const OspfCand *best_bdr = NULL, *best_bdr_any = NULL, *best_dr = NULL;

  for (guint i = 0; i < n; i++) {
    if (c[i].dr == c[i].addr) {
      if (ospf_cand_better(&c[i], best_dr))
        best_dr = &c[i];
      continue;
    }
    if (c[i].bdr == c[i].addr && ospf_cand_better(&c[i], best_bdr))
      best_bdr = &c[i];
    if (ospf_cand_better(&c[i], best_bdr_any))
      best_bdr_any = &c[i];
  }
  if (!best_bdr)
    best_bdr = best_bdr_any;
  *bdr = best_bdr ? best_bdr->addr : 0;
  *dr = best_dr ? best_dr->addr : *bdr;
  if (*dr == *bdr && !best_dr)
    *bdr = 0;
}

/* DR election (9.4): sets oi->dr, oi->bdr and the interface state. */
static void ospf_elect(OspfIface *oi)
{
  OspfCand c[256];
  uint32_t me = ospf_iface_addr(oi), dr, bdr;
  guint n = ospf_candidates(oi, c, G_N_ELEMENTS(c));
  gboolean was = oi->dr == me || oi->bdr == me;

  ospf_elect_once(c, n, &dr, &bdr);
  gboolean is = dr == me || bdr == me;
  if (was != is || (dr == me) != (oi->dr == me)) {
    if (oi->conf.priority > 0)
      c[0].dr = dr, c[0].bdr = bdr;
    ospf_elect_once(c, n, &dr, &bdr);
  }
  oi->dr = dr;
  oi->bdr = bdr;
  oi->state = dr == me ? OSPF_IFS_DR : bdr == me ? OSPF_IFS_BACKUP : OSPF_IFS_DROTHER;
}

/* Re-elects after NeighborChange, WaitTimer or BackupSeen (`old` the state
 * before); when DR or BDR changed: AdjOK? on every neighbour, AllDRouters
 * membership, LSAs. */
static void ospf_ism_elect(OspfIface *oi, OspfIfState old, const char *why)
{
  char a[ADDR_IPV4_TEXT], b[ADDR_IPV4_TEXT];
  uint32_t old_dr = oi->dr, old_bdr = oi->bdr;

  ospf_elect(oi);
  if (oi->dr == old_dr && oi->bdr == old_bdr && oi->state == old)
    return;
  ospf_note(oi->ospf, oi->iface, "interface %s %s -> %s (%s; DR %s, BDR %s)", oi->iface->name, ospf_ifs_names[old],
            ospf_ifs_names[oi->state], why, addr_format_ipv4(oi->dr, a), addr_format_ipv4(oi->bdr, b));
  gboolean dr_now = oi->state >= OSPF_IFS_BACKUP, dr_before = old >= OSPF_IFS_BACKUP;
  if (dr_now && !dr_before)
    ipv4_join_group(oi->ospf->node, oi->iface, OSPF_ALL_DROUTERS);
  if (!dr_now && dr_before)
    ipv4_leave_group(oi->ospf->node, oi->iface, OSPF_ALL_DROUTERS);
  for (guint i = 0; i < oi->nbrs->len; i++)
    ospf_nbr_event(g_ptr_array_index(oi->nbrs, i), OSPF_EV_ADJ_OK);
  ospf_originate_soon(oi->ospf);
}

/* NeighborChange (9.3): a new election on a broadcast network past Waiting. */
void ospf_ism_neighbor_change(OspfIface *oi)
{
  if (oi->type != OSPF_IF_BROADCAST || oi->state < OSPF_IFS_DROTHER)
    return;
  ospf_ism_elect(oi, oi->state, "NeighborChange");
}

/* WaitTimer or BackupSeen: the end of Waiting, the first election. */
static void ospf_ism_wait_over(OspfIface *oi, const char *why)
{
  ospf_cancel(oi->ospf->node->ctx->sched, &oi->wait_timer);
  if (oi->state != OSPF_IFS_WAITING)
    return;
  ospf_ism_elect(oi, OSPF_IFS_WAITING, why);
}

static void ospf_wait_timer(void *obj, void *arg)
{
  OspfIface *oi = obj;
  (void)arg;
  oi->wait_timer = EVENT_ID_NONE;
  ospf_ism_wait_over(oi, "WaitTimer");
}

/* ------------------------------------------------------ interface up/down */

/* AUTO: point-to-point on PPP and on an Ethernet link to one router. */
static OspfIfType ospf_resolve_type(const OspfIface *oi)
{
  if (oi->conf.type != OSPF_IF_AUTO)
    return oi->conf.type;
  if (oi->iface->ops->to_peer)
    return OSPF_IF_P2P;
  Iface *peer = iface_peer(oi->iface);
  return peer && peer->node->kind == NODE_KIND_ROUTER ? OSPF_IF_P2P : OSPF_IF_BROADCAST;
}

/* The interface's cost: given, or reference bandwidth / link rate in [1, 65535]. */
static uint32_t ospf_auto_cost(const OspfIface *oi)
{
  uint64_t rate = oi->iface->link ? oi->iface->link->rate_bps : 0, cost;

  if (oi->conf.cost)
    return MIN(oi->conf.cost, 65535u);
  cost = rate ? oi->ospf->conf.reference_bps / rate : 1;
  return (uint32_t)CLAMP(cost, 1, 65535);
}

/* InterfaceUp (9.3). */
static void ospf_iface_up(OspfIface *oi)
{
  Scheduler *s = oi->ospf->node->ctx->sched;

  if (oi->state != OSPF_IFS_DOWN)
    return;
  oi->type = ospf_resolve_type(oi);
  oi->cost = ospf_auto_cost(oi);
  oi->dr = oi->bdr = 0;
  if (oi->on) {
    ipv4_join_group(oi->ospf->node, oi->iface, OSPF_ALL_SPF_ROUTERS);
    SimTime first = ospf_jitter(oi->ospf, MIN(oi->conf.hello, SIMTIME_S(1)));
    oi->hello_timer = scheduler_after(s, first, ospf_hello_timer, oi, NULL);
    oi->hello_at = scheduler_now(s) + first;
  }
  if (oi->type == OSPF_IF_P2P || !oi->on)
    oi->state = OSPF_IFS_P2P;
  else if (oi->conf.priority == 0)
    oi->state = OSPF_IFS_DROTHER;
  else {
    oi->state = OSPF_IFS_WAITING;
    oi->wait_timer = scheduler_after(s, oi->conf.dead, ospf_wait_timer, oi, NULL);
  }
  ospf_note(oi->ospf, oi->iface, "interface %s down -> %s (InterfaceUp)", oi->iface->name, ospf_ifs_names[oi->state]);
  ospf_originate_soon(oi->ospf);
}

/* InterfaceDown (9.3): every neighbour KillNbr, timers stopped. */
static void ospf_iface_down(OspfIface *oi)
{
  Scheduler *s = oi->ospf->node->ctx->sched;

  if (oi->state == OSPF_IFS_DOWN)
    return;
  for (guint i = 0; i < oi->nbrs->len; i++)
    ospf_nbr_event(g_ptr_array_index(oi->nbrs, i), OSPF_EV_KILL);
  ospf_cancel(s, &oi->hello_timer);
  ospf_cancel(s, &oi->wait_timer);
  ospf_cancel(s, &oi->reply_timer);
  ospf_iface_flush_queues(oi);
  if (oi->state >= OSPF_IFS_BACKUP)
    ipv4_leave_group(oi->ospf->node, oi->iface, OSPF_ALL_DROUTERS);
  if (oi->on)
    ipv4_leave_group(oi->ospf->node, oi->iface, OSPF_ALL_SPF_ROUTERS);
  ospf_note(oi->ospf, oi->iface, "interface %s %s -> Down (InterfaceDown)", oi->iface->name, ospf_ifs_names[oi->state]);
  oi->state = OSPF_IFS_DOWN;
  oi->dr = oi->bdr = 0;
  ospf_originate_soon(oi->ospf);
}

/* The interface listener: carrier up or down. */
static void ospf_iface_changed(void *data, Iface *iface)
{
  Ospf *ospf = data;
  OspfIface *oi = iface->index < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, iface->index) : NULL;

  if (!oi || !oi->conf.enabled) {
    if (ospf->conf.redist_connected || ospf->conf.redist_static)
      ospf_originate_soon(ospf); /* a redistributed subnet or static route comes or goes */
    return;
  }
  if (iface->up)
    ospf_iface_up(oi);
  else
    ospf_iface_down(oi);
}

/* ---------------------------------------------------------------- setup */

static OspfArea *ospf_area_get(Ospf *ospf, uint32_t id)
{
  OspfArea *a = ospf_area_find(ospf, id);
  guint at = 0;

  if (a)
    return a;
  a = g_new0(OspfArea, 1);
  a->id = id;
  a->ospf = ospf;
  a->ifaces = g_ptr_array_new();
  while (at < ospf->areas->len && ((OspfArea *)g_ptr_array_index(ospf->areas, at))->id < id)
    at++;
  g_ptr_array_insert(ospf->areas, (gint)at, a);
  return a;
}

static OspfIface *ospf_iface_new(Ospf *ospf, Iface *iface, const OspfIfaceConfig *conf)
{
  OspfIface *oi = g_new0(OspfIface, 1);

  oi->ospf = ospf;
  oi->iface = iface;
  oi->conf = *conf;
  oi->on = conf->enabled && !conf->passive;
  oi->nbrs = g_ptr_array_new();
  oi->acks = g_byte_array_new();
  oi->flood = g_array_new(FALSE, FALSE, sizeof(OspfLsa));
  oi->area = ospf_area_get(ospf, conf->area);
  g_ptr_array_add(oi->area->ifaces, oi);
  return oi;
}

/* The router ID: configured, else the highest interface address. */
static uint32_t ospf_pick_rid(const Node *node, const OspfConfig *conf)
{
  uint32_t rid = conf->router_id;

  for (guint i = 0; !conf->router_id && i < node->ifaces->len; i++)
    if (node_iface(node, i)->has_ip && node_iface(node, i)->ip.addr > rid)
      rid = node_iface(node, i)->ip.addr;
  return rid;
}

static void ospf_add_ifaces(Ospf *ospf)
{
  Node *node = ospf->node;
  OspfIfaceConfig defaults;

  ospf_iface_config_defaults(&defaults);
  for (guint i = 0; i < node->ifaces->len; i++) {
    Iface *iface = node_iface(node, i);
    const OspfIfaceConfig *c = &defaults;
    if (ospf->conf.ifaces && i < ospf->conf.ifaces->len)
      c = &g_array_index(ospf->conf.ifaces, OspfIfaceConfig, i);
    g_ptr_array_add(ospf->ifaces, iface->has_ip && c->enabled ? ospf_iface_new(ospf, iface, c) : NULL);
  }
}

static void ospf_start(void *obj, void *arg)
{
  Ospf *ospf = obj;
  (void)arg;
  for (guint i = 0; i < ospf->ifaces->len; i++) {
    OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    if (oi && oi->iface->up)
      ospf_iface_up(oi);
  }
  ospf_originate_soon(ospf);
}

/* Starts OSPF on `node` (its layers built): interfaces come up at time 0
 * (or now), each sending its first Hello after a jitter below 1 s. */
Ospf *ospf_new(Node *node, const OspfConfig *conf, OspfShared *shared)
{
  Ospf *ospf = g_new0(Ospf, 1);
  char *stream = g_strdup_printf("ospf/%s", node->name);

  ospf->node = node;
  ospf->conf = *conf;
  ospf->conf.ifaces = NULL;
  ospf->shared = shared ? shared : ospf_shared_new();
  ospf->sweep_due = G_MAXINT64;
  if (shared)
    shared->refs++;
  ospf->rid = ospf_pick_rid(node, conf);
  ospf->ifaces = g_ptr_array_new();
  ospf->areas = g_ptr_array_new();
  ospf->installed = g_hash_table_new(NULL, NULL);
  ospf->spf_hold = conf->spf_hold;
  ospf->spf_last = -1;
  rng_init(&ospf->rng, node->ctx->seed, stream);
  g_free(stream);
  ospf->conf.ifaces = conf->ifaces;
  ospf_add_ifaces(ospf);
  ospf->conf.ifaces = NULL;
  node->ospf = ospf;
  ipv4_register_protocol(node, OSPF_PROTO, ospf_input, ospf);
  iface_listen(&node->iface_listeners, ospf_iface_changed, ospf);
  node_add_cleanup(node, (GDestroyNotify)ospf_free, ospf);
  scheduler_after(node->ctx->sched, 0, ospf_start, ospf, NULL);
  ospf_sweep_start(ospf);
  return ospf;
}

static void ospf_iface_free(OspfIface *oi)
{
  Scheduler *s = oi->ospf->node->ctx->sched;

  ospf_cancel(s, &oi->hello_timer);
  ospf_cancel(s, &oi->wait_timer);
  ospf_cancel(s, &oi->reply_timer);
  ospf_iface_flush_queues(oi);
  for (guint i = 0; i < oi->nbrs->len; i++)
    ospf_nbr_free(g_ptr_array_index(oi->nbrs, i));
  g_ptr_array_free(oi->nbrs, TRUE);
  g_byte_array_free(oi->acks, TRUE);
  g_array_free(oi->flood, TRUE);
  g_free(oi);
}

void ospf_free(Ospf *ospf)
{
  Scheduler *s;

  if (!ospf)
    return;
  s = ospf->node->ctx->sched;
  for (guint i = 0; i < ospf->ifaces->len; i++)
    if (g_ptr_array_index(ospf->ifaces, i))
      ospf_iface_free(g_ptr_array_index(ospf->ifaces, i));
  for (guint i = 0; i < ospf->areas->len; i++) {
    OspfArea *a = g_ptr_array_index(ospf->areas, i);
    ospf_lsdb_free(ospf, &a->lsdb);
    ospf_spf_cache_free(a);
    g_ptr_array_free(a->ifaces, TRUE);
    if (a->rtr)
      g_hash_table_destroy(a->rtr);
    if (a->intra)
      g_hash_table_destroy(a->intra);
    if (a->asbr)
      g_hash_table_destroy(a->asbr);
    g_free(a);
  }
  ospf_lsdb_free(ospf, &ospf->ext);
  ospf_cancel(s, &ospf->spf_timer);
  ospf_cancel(s, &ospf->orig_timer);
  ospf_cancel(s, &ospf->sweep_timer);
  g_hash_table_destroy(ospf->installed);
  ospf_spf_paths_free(ospf);
  g_ptr_array_free(ospf->ifaces, TRUE);
  g_ptr_array_free(ospf->areas, TRUE);
  ospf_shared_free(ospf->shared);
  if (ospf->node->ospf == ospf)
    ospf->node->ospf = NULL;
  g_free(ospf);
}

/* ---------------------------------------------------------------- events */

/* Turns OSPF on or off on an interface (an event). */
void ospf_set_iface_enabled(Ospf *ospf, guint iface, gboolean on)
{
  OspfIface *oi = iface < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, iface) : NULL;

  if (!oi || oi->conf.enabled == on)
    return;
  if (!on)
    ospf_iface_down(oi);
  oi->conf.enabled = on;
  oi->on = on && !oi->conf.passive;
  if (on && oi->iface->up)
    ospf_iface_up(oi);
  ospf_originate_soon(ospf);
}

/* Sets an interface's cost (0: from the reference bandwidth) and
 * re-originates the router LSA. */
void ospf_set_iface_cost(Ospf *ospf, guint iface, uint32_t cost)
{
  OspfIface *oi = iface < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, iface) : NULL;

  if (!oi)
    return;
  oi->conf.cost = cost;
  oi->cost = ospf_auto_cost(oi);
  ospf_note(ospf, oi->iface, "interface %s cost %u", oi->iface->name, oi->cost);
  ospf_originate_soon(ospf);
}

/* The best state of the neighbour `router_id` on any interface. */
OspfNbrState ospf_neighbor_state(const Ospf *ospf, uint32_t router_id)
{
  OspfNbrState best = OSPF_NBR_DOWN;

  for (guint i = 0; i < ospf->ifaces->len; i++) {
    const OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    for (guint j = 0; oi && j < oi->nbrs->len; j++) {
      const OspfNbr *nbr = g_ptr_array_index(oi->nbrs, j);
      if (nbr->rid == router_id && nbr->state > best)
        best = nbr->state;
    }
  }
  return best;
}

uint32_t ospf_router_id(const Ospf *ospf)
{
  return ospf->rid;
}

uint64_t ospf_packets_sent(const Ospf *ospf)
{
  return ospf->packets_sent;
}

/* How many times the routing table was calculated (benchmarks). */
uint64_t ospf_spf_runs(const Ospf *ospf)
{
  return ospf->spf_runs;
}

/* How many distinct LSA contents the network holds (benchmarks). */
guint ospf_shared_blobs(const OspfShared *sh)
{
  GHashTableIter it;
  gpointer v;
  guint n = 0;

  g_hash_table_iter_init(&it, sh->blobs);
  while (g_hash_table_iter_next(&it, NULL, &v))
    n += g_list_length(v);
  return n;
}

const char *ospf_ifs_name(int state)
{
  return ospf_ifs_names[state];
}
