/*
 * Inside the OSPF model (not for other models): the instance, its areas,
 * interfaces and neighbours, the LSA database entries and the shared,
 * reference-counted LSA contents, and the functions the model's files
 * (ospf.c, ospf_nbr.c, ospf_lsdb.c, ospf_flood.c, ospf_spf.c,
 * ospf_show.c) call in one another.
 *
 * An LSA's bytes live once in an OspfBlob interned in OspfShared (keyed
 * by its header, age excluded: age is always 0 in the blob); a database
 * entry (OspfLsa) points to the blob and keeps its own age at install and
 * install time, so that the age is computed when read, with no event per
 * LSA.
 */
#ifndef IPSIM_OSPF_INT_H
#define IPSIM_OSPF_INT_H

#include "models/core/node.h"
#include "models/routing/ospf.h"
#include "models/routing/ospf_wire.h"
#include "models/routing/routing.h"
#include "sim/kernel/rng.h"

typedef struct OspfArea OspfArea;
typedef struct OspfIface OspfIface;
typedef struct OspfNbr OspfNbr;

typedef struct {
  guint refs;
  guint hash;
  uint16_t len;
  gboolean interned;
  uint8_t data[]; /* the LSA, its age field 0 */
} OspfBlob;

/* SPF's working memory (ospf_spf.c), one per network: runs never
 * overlap, so each router's run reuses what the last one grew (warm in
 * the cache, no page of it new, no allocation per run). */
typedef struct {
  GArray *verts;  /* of OspfVertex */
  GArray *heap;   /* of OspfHeapItem */
  uint64_t *keys; /* the vertex table: 1 << bits of them */
  guint *slot;
  guint bits;
} OspfScratch;

/* (type, link state ID, advertising router): what names an LSA. */
typedef struct {
  uint32_t id, adv;
  uint8_t type;
} OspfKey;

/* One LSA instance as one router holds it: in a database, on a
 * retransmission list, in a summary list. */
typedef struct {
  OspfKey key;   /* first: the hash tables' keys */
  guint rxmt_on; /* database entries: on how many neighbours' retransmission lists */
  OspfBlob *blob;
  SimTime at;    /* when it was installed (ages from then) */
  guint vidx;    /* database entries: the index of its vertex in the area's SPF table (ospf_spf.c) */
  guint num;     /* its LSA number (OspfNumbers) */
  uint16_t age0; /* its age then */
  uint8_t mine;  /* originated by this router */
} OspfLsa;

/* The network's LSA numbers (OspfShared): each (type, link state ID,
 * advertising router) ever installed anywhere gets the next dense number,
 * kept for the run. Open addressing, linear probing, at most half full. */
typedef struct {
  OspfKey key;
  guint num; /* the number + 1; 0: an empty slot */
} OspfNumSlot;

typedef struct {
  OspfNumSlot *slots; /* 1 << bits of them (NULL until the first key) */
  guint bits, n;
} OspfNumbers;

struct OspfShared {
  GHashTable *blobs;   /* OspfBlob* -> itself */
  guint refs;          /* the builder's and one per Ospf: ospf_shared_free() drops one */
  OspfScratch scratch; /* SPF's (NULL arrays until the first run) */
  OspfNumbers nums;    /* the LSA numbers */
};

/* One link state database: the entries inline, found by their LSA's
 * number (a lookup reads the shared numbers, warm in the cache, and the
 * entry itself), walked in number order. Chunk c holds the entries of
 * numbers [c * OSPF_DB_CHUNK, (c + 1) * OSPF_DB_CHUNK); an entry is held
 * when its blob is not NULL. Entries never move: lists point to them. */
#define OSPF_DB_CHUNK 64
typedef struct {
  OspfLsa **chunks; /* nchunks of them, NULL where no entry ever was */
  guint nchunks;
  guint n; /* entries held */
} OspfDb;

/* Interface states (RFC 2328 9.1; no Loopback). */
typedef enum {
  OSPF_IFS_DOWN,
  OSPF_IFS_WAITING,
  OSPF_IFS_P2P,
  OSPF_IFS_DROTHER,
  OSPF_IFS_BACKUP,
  OSPF_IFS_DR
} OspfIfState;

struct OspfNbr {
  OspfIface *oi;
  uint32_t rid, addr, dr, bdr;
  uint8_t priority, options;
  OspfNbrState state;
  EventId inactivity, dd_rxmt, lsr_rxmt, lsu_rxmt;
  SimTime dead_at; /* when the inactivity timer fires */
  gboolean master; /* the neighbour is master of the exchange */
  gboolean more;   /* we have DD headers left to send (our M bit) */
  uint32_t dd_seq;
  uint8_t last_flags, last_options; /* of the last DD received */
  uint32_t last_seq;
  gboolean have_last;
  guint lsr_pending;  /* requests of the last LS Request not yet answered */
  Packet *last_dd;    /* the last DD sent (slaves resend it; masters retransmit it) */
  GPtrArray *summary; /* of OspfLsa* (owned copies): headers still to describe */
  guint summary_next;
  GHashTable *requests; /* OspfLsa* (owned copy of the header): LSAs to request */
  GHashTable *rxmt;     /* OspfLsa* (the database entry, not owned): LSAs flooded and not acknowledged; the
                           entry always holds the instance sent (13.2: a new one leaves every list) */
  GByteArray *dacks;    /* direct acks gathered while one LS Update is read (NULL until one) */
};

struct OspfIface {
  Ospf *ospf;
  Iface *iface;
  OspfArea *area;
  OspfIfaceConfig conf;
  OspfIfType type; /* P2P or BROADCAST once resolved */
  uint32_t cost;
  OspfIfState state;
  uint32_t dr, bdr; /* interface addresses */
  gboolean on;      /* enabled and not passive: speaks OSPF */
  GPtrArray *nbrs;  /* of OspfNbr*, owned */
  EventId hello_timer, wait_timer, ack_timer, flood_timer, reply_timer;
  SimTime hello_at;   /* the next Hello */
  SimTime flood_last; /* when the last flooding LS Update left (pacing) */
  GByteArray *acks;   /* delayed acks: LSA headers */
  GArray *flood;      /* of OspfLsa (copies, each holding a reference to its blob): to send in the next LS Update */
  gboolean hello_now; /* an immediate Hello requested */
};

/* One destination of the routing table being built (allocated with its
 * hops in the run's OspfArena: it lives until the end of the next run). */
enum { OSPF_PATH_INTRA, OSPF_PATH_INTER, OSPF_PATH_E1, OSPF_PATH_E2 };
typedef struct {
  uint32_t cost;  /* what the table shows as metric (E2: the external metric) */
  uint32_t cost2; /* E2: the distance to the ASBR, the tie-breaker */
  uint8_t kind;   /* OSPF_PATH_* */
  uint8_t n;
  RoutingHop hops[];
} OspfPath;

/* Where one SPF run's OspfPaths are carved from (ospf_spf.c): chunks
 * reused from run to run, freed only with the instance. */
typedef struct {
  GPtrArray *chunks; /* of OSPF_ARENA_CHUNK-byte blocks */
  guint cur;         /* the chunk being filled */
  size_t off;        /* its bytes used */
} OspfArena;

struct OspfArea {
  uint32_t id;
  Ospf *ospf;
  OspfDb lsdb;
  GPtrArray *ifaces; /* of OspfIface* (not owned) */
  GHashTable *rtr;   /* after SPF: router ID -> OspfPath* (in ospf->paths), border and boundary routers reached */
  GHashTable *intra; /* after SPF: prefix (guint64 as pointer-key) -> OspfPath*, intra-area routes */
  GHashTable *asbr;  /* after SPF: router ID -> OspfPath* (in ospf->paths), AS boundary routers reached in this area:
                        intra-area (OSPF_PATH_INTRA) or by its ASBR-summary LSAs (OSPF_PATH_INTER) */
  gboolean transit;  /* has a full neighbour (for summaries) */
  struct OspfSpfCache *spf_cache; /* SPF's vertex table, kept from run to run (ospf_spf.c) */
  gboolean spf_stale;             /* a router or network LSA came, went, or reached or left MaxAge */
  guint summaries;                /* summary and ASBR-summary LSAs in lsdb (SPF reads them only if any) */
  SimTime spf_expires;            /* when the first LSA of that table ages out (lowered at install) */
};

struct Ospf {
  Node *node;
  OspfShared *shared;
  OspfConfig conf;
  uint32_t rid;
  GPtrArray *ifaces; /* of OspfIface*, by interface index (NULL: no address) */
  GPtrArray *areas;  /* of OspfArea*, sorted by ID */
  OspfDb ext;        /* AS-external LSDB */
  Rng rng;           /* "ospf/<node>" */
  EventId spf_timer, orig_timer, sweep_timer;
  SimTime spf_last, spf_hold; /* throttling: last run, current hold */
  SimTime orig_next;          /* earliest time a changed LSA may be originated again */
  SimTime sweep_due;          /* earliest time an LSA reaches MaxAge or one of ours LSRefreshTime */
  GHashTable *installed;      /* prefix key -> OspfPath*: what routing_set was told */
  OspfArena paths[2];         /* the paths of the last run and of the one before (or being made) */
  guint paths_run;            /* which of them the last run filled */
  uint64_t packets_sent;
  uint64_t spf_runs;
};

/* ospf.c */
void ospf_note(Ospf *ospf, Iface *iface, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
Packet *ospf_packet_new(Ospf *ospf, uint8_t type, size_t body, uint8_t **out);
void ospf_packet_send(OspfIface *oi, Packet *p, uint32_t dst);
uint32_t ospf_iface_addr(const OspfIface *oi);
uint32_t ospf_iface_mask(const OspfIface *oi);
void ospf_ism_neighbor_change(OspfIface *oi);
const char *ospf_ifs_name(int state);
uint32_t ospf_flood_dst(const OspfIface *oi);
gboolean ospf_is_abr(const Ospf *ospf);
OspfArea *ospf_area_find(const Ospf *ospf, uint32_t id);
SimTime ospf_jitter(Ospf *ospf, SimTime max);

/* ospf_nbr.c */
typedef enum {
  OSPF_EV_HELLO,
  OSPF_EV_2WAY,
  OSPF_EV_NEGOTIATION_DONE,
  OSPF_EV_EXCHANGE_DONE,
  OSPF_EV_BAD_LSREQ,
  OSPF_EV_LOADING_DONE,
  OSPF_EV_ADJ_OK,
  OSPF_EV_SEQ_MISMATCH,
  OSPF_EV_1WAY,
  OSPF_EV_KILL,
  OSPF_EV_INACTIVITY,
  OSPF_EV_LL_DOWN,
} OspfNbrEvent;
void ospf_nbr_event(OspfNbr *nbr, OspfNbrEvent ev);
OspfNbr *ospf_nbr_new(OspfIface *oi, uint32_t rid, uint32_t addr);
void ospf_nbr_free(OspfNbr *nbr);
void ospf_dd_input(OspfNbr *nbr, const uint8_t *body, size_t len);
void ospf_lsr_input(OspfNbr *nbr, const uint8_t *body, size_t len);
void ospf_lsr_send(OspfNbr *nbr);
gboolean ospf_nbr_adjacent(const OspfNbr *nbr);

/* ospf_lsdb.c */
OspfBlob *ospf_blob_intern(OspfShared *sh, const uint8_t *lsa, size_t len);
void ospf_blob_unref(OspfShared *sh, OspfBlob *b);
guint ospf_key_hash(gconstpointer k);
gboolean ospf_key_equal(gconstpointer a, gconstpointer b);
OspfKey ospf_key_of(const uint8_t *hdr);
uint16_t ospf_lsa_age(const OspfLsa *l, SimTime now);
int ospf_lsa_compare(const uint8_t *a, uint16_t age_a, const uint8_t *b, uint16_t age_b);
OspfDb *ospf_lsdb_for(Ospf *ospf, OspfArea *area, uint8_t type);
OspfLsa *ospf_db_next(const OspfDb *db, guint *pos);
OspfLsa *ospf_lsdb_lookup(Ospf *ospf, OspfArea *area, const OspfKey *key);
void ospf_lsdb_prefetch(Ospf *ospf, OspfArea *area, const OspfKey *key);
OspfLsa *ospf_lsa_copy(Ospf *ospf, const OspfLsa *l);
void ospf_lsa_free(Ospf *ospf, OspfLsa *l);
GHashTable *ospf_lsa_table_new(void);
void ospf_lsa_header_out(const OspfLsa *l, SimTime now, uint8_t *out);
OspfLsa *ospf_lsdb_install(Ospf *ospf, OspfArea *area, OspfBlob *blob, uint16_t age, gboolean mine);
OspfLsa *ospf_lsdb_install_over(Ospf *ospf, OspfArea *area, OspfLsa *l, OspfBlob *blob, uint16_t age, gboolean mine);
void ospf_originate_soon(Ospf *ospf);
void ospf_lsdb_free(Ospf *ospf, OspfDb *db);
void ospf_numbers_free(OspfNumbers *nums);
void ospf_sweep_start(Ospf *ospf);
gboolean ospf_lsa_known_type(uint8_t type);

/* ospf_flood.c */
DropReason ospf_lsu_input(OspfNbr *nbr, const uint8_t *body, size_t len);
void ospf_request_remove(OspfNbr *nbr, const OspfKey *key);
void ospf_ack_input(OspfNbr *nbr, const uint8_t *body, size_t len);
gboolean ospf_flood(Ospf *ospf, OspfArea *area, OspfLsa *l, OspfNbr *from);
void ospf_lsu_send_list(OspfNbr *nbr, const OspfLsa *lsas, guint n, uint32_t dst);
void ospf_rxmt_remove(OspfNbr *nbr, const OspfKey *key);
void ospf_rxmt_clear(OspfNbr *nbr);
void ospf_rxmt_remove_all(Ospf *ospf, OspfLsa *l);
void ospf_iface_flush_queues(OspfIface *oi);

/* ospf_spf.c */
void ospf_spf_schedule(Ospf *ospf);
void ospf_spf_cache_free(OspfArea *area);
void ospf_spf_paths_free(Ospf *ospf);
void ospf_scratch_free(OspfScratch *sc);
void ospf_spf_cache_update(OspfArea *area, const OspfLsa *l);
void ospf_summaries_build(Ospf *ospf, OspfArea *into, GHashTable *out);
void ospf_asbr_summaries_build(Ospf *ospf, OspfArea *into, GHashTable *wants);

/* ospf_orig.c */
void ospf_originate_all(Ospf *ospf);
void ospf_want_summary(Ospf *ospf, GHashTable *wants, uint32_t addr, uint8_t len, uint32_t cost);
void ospf_want_asbr_summary(Ospf *ospf, GHashTable *wants, uint32_t asbr, uint32_t cost);

/* A prefix as a hash key. */
static inline gpointer ospf_prefix_key(uint32_t addr, uint8_t len)
{
  return GSIZE_TO_POINTER(((gsize)addr << 6 | len) + 1);
}

static inline uint32_t ospf_prefix_key_addr(gconstpointer k)
{
  return (uint32_t)((GPOINTER_TO_SIZE(k) - 1) >> 6);
}

static inline uint8_t ospf_prefix_key_len(gconstpointer k)
{
  return (uint8_t)((GPOINTER_TO_SIZE(k) - 1) & 63);
}

#endif
