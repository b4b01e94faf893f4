/*
 * OSPF's state as FRR shows it: `show ip ospf neighbor` (Neighbor ID,
 * Pri, State/role, Dead Time, Address, Interface and the list lengths),
 * `show ip ospf database` (per area its router, network, summary and ASBR-summary link
 * states, then the AS-external ones: Link ID, ADV Router, Age, Seq#,
 * CkSum) and `show ip ospf interface`, for snapshots.
 *
 * Entry points: ospf_show_neighbors(), ospf_show_database(),
 * ospf_show_interfaces().
 *
 * Leaves out: FRR's Up Time column, `detail` variants, JSON.
 */
#include "models/routing/ospf_int.h"

#include "sim/text/addr.h"

static const char *const ospf_nbr_show_names[OSPF_NBR_STATE_COUNT] = {"Down",    "Attempt",  "Init",    "2-Way",
                                                                      "ExStart", "Exchange", "Loading", "Full"};

/* The neighbour's role on its network: DR, Backup, DROther, or - on point-to-point. */
static const char *ospf_nbr_role(const OspfNbr *n)
{
  if (n->oi->type == OSPF_IF_P2P)
    return "-";
  if (n->addr == n->oi->dr)
    return "DR";
  if (n->addr == n->oi->bdr)
    return "Backup";
  return "DROther";
}

static void ospf_show_nbr(GString *out, const OspfNbr *n, SimTime now)
{
  char rid[ADDR_IPV4_TEXT], addr[ADDR_IPV4_TEXT], state[32], dead[32], ifc[64];
  SimTime left = n->state > OSPF_NBR_DOWN ? MAX(n->dead_at - now, 0) : 0;

  g_snprintf(state, sizeof state, "%s/%s", ospf_nbr_show_names[n->state], ospf_nbr_role(n));
  g_snprintf(dead, sizeof dead, "%.3fs", (double)left / 1e9);
  g_snprintf(ifc, sizeof ifc, "%s:%s", n->oi->iface->name, addr_format_ipv4(ospf_iface_addr(n->oi), addr));
  g_string_append_printf(out, "%-15s %3u %-15s %9s %-15s %-24s %5u %5u %5u\n", addr_format_ipv4(n->rid, rid),
                         n->priority, state, dead, addr_format_ipv4(n->addr, addr), ifc, g_hash_table_size(n->rxmt),
                         g_hash_table_size(n->requests), n->summary->len - n->summary_next);
}

void ospf_show_neighbors(const Ospf *ospf, GString *out)
{
  SimTime now = sim_now(ospf->node->ctx);

  g_string_append_printf(out, "\n%-15s %3s %-15s %9s %-15s %-24s %5s %5s %5s\n", "Neighbor ID", "Pri", "State",
                         "Dead Time", "Address", "Interface", "RXmtL", "RqstL", "DBsmL");
  for (guint i = 0; i < ospf->ifaces->len; i++) {
    const OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    for (guint j = 0; oi && j < oi->nbrs->len; j++) {
      const OspfNbr *n = g_ptr_array_index(oi->nbrs, j);
      if (n->state > OSPF_NBR_DOWN)
        ospf_show_nbr(out, n, now);
    }
  }
}

static gint ospf_lsa_order(gconstpointer a, gconstpointer b)
{
  const OspfLsa *x = *(OspfLsa *const *)a, *y = *(OspfLsa *const *)b;

  if (x->key.id != y->key.id)
    return x->key.id < y->key.id ? -1 : 1;
  return x->key.adv < y->key.adv ? -1 : x->key.adv > y->key.adv;
}

/* The last column of a line: link count, or the route of a summary or external. */
static void ospf_show_tail(GString *out, const OspfLsa *l)
{
  const uint8_t *d = l->blob->data;
  char pfx[ADDR_CIDR_TEXT];

  if (l->key.type == OSPF_LSA_ROUTER) {
    g_string_append_printf(out, " %u", ospf_get16(d + 22));
    return;
  }
  if (l->key.type == OSPF_LSA_NETWORK || l->key.type == OSPF_LSA_ASBR)
    return;
  uint32_t mask = ospf_get32(d + 20);
  uint8_t len = (uint8_t)(32 - __builtin_ctzll((uint64_t)mask | (1ull << 32)));
  addr_format_cidr(l->key.id & mask, len, pfx);
  if (l->key.type == OSPF_LSA_EXTERNAL)
    g_string_append_printf(out, " %s %s [0x0]", (d[24] & OSPF_EXT_E) ? "E2" : "E1", pfx);
  else
    g_string_append_printf(out, " %s", pfx);
}

/* One section: the LSAs of `type` in `db`, sorted by link state ID then advertising router. */
static void ospf_show_section(GString *out, const OspfDb *db, uint8_t type, const char *title, SimTime now)
{
  static const char *const tails[] = {"", " Link count", "", " Route", "", " Route"};
  GPtrArray *v = g_ptr_array_new();
  char id[ADDR_IPV4_TEXT], adv[ADDR_IPV4_TEXT];
  OspfLsa *k;

  for (guint p = 0; (k = ospf_db_next(db, &p));)
    if (k->key.type == type)
      g_ptr_array_add(v, k);
  if (v->len) {
    g_ptr_array_sort(v, ospf_lsa_order);
    g_string_append_printf(out, "\n                %s\n\n", title);
    g_string_append_printf(out, "Link ID         ADV Router      Age  Seq#       CkSum%s\n", tails[type]);
  }
  for (guint i = 0; i < v->len; i++) {
    const OspfLsa *l = g_ptr_array_index(v, i);
    g_string_append_printf(out, "%-15s %-15s %4u 0x%08x 0x%04x", addr_format_ipv4(l->key.id, id),
                           addr_format_ipv4(l->key.adv, adv), ospf_lsa_age(l, now),
                           ospf_get32(l->blob->data + OSPF_L_SEQ), ospf_get16(l->blob->data + OSPF_L_CKSUM));
    ospf_show_tail(out, l);
    g_string_append_c(out, '\n');
  }
  g_ptr_array_free(v, TRUE);
}

void ospf_show_database(const Ospf *ospf, GString *out)
{
  SimTime now = sim_now(ospf->node->ctx);
  char rid[ADDR_IPV4_TEXT], area[ADDR_IPV4_TEXT], title[96];

  g_string_append_printf(out, "\n       OSPF Router with ID (%s)\n", addr_format_ipv4(ospf->rid, rid));
  for (guint i = 0; i < ospf->areas->len; i++) {
    const OspfArea *a = g_ptr_array_index(ospf->areas, i);
    addr_format_ipv4(a->id, area);
    g_snprintf(title, sizeof title, "Router Link States (Area %s)", area);
    ospf_show_section(out, &a->lsdb, OSPF_LSA_ROUTER, title, now);
    g_snprintf(title, sizeof title, "Net Link States (Area %s)", area);
    ospf_show_section(out, &a->lsdb, OSPF_LSA_NETWORK, title, now);
    g_snprintf(title, sizeof title, "Summary Link States (Area %s)", area);
    ospf_show_section(out, &a->lsdb, OSPF_LSA_SUMMARY, title, now);
    g_snprintf(title, sizeof title, "ASBR-Summary Link States (Area %s)", area);
    ospf_show_section(out, &a->lsdb, OSPF_LSA_ASBR, title, now);
  }
  ospf_show_section(out, &ospf->ext, OSPF_LSA_EXTERNAL, "AS External Link States", now);
}

static guint ospf_count_nbrs(const OspfIface *oi, OspfNbrState at_least)
{
  guint n = 0;

  for (guint i = 0; i < oi->nbrs->len; i++)
    n += ((const OspfNbr *)g_ptr_array_index(oi->nbrs, i))->state >= at_least;
  return n;
}

static void ospf_show_iface(GString *out, const OspfIface *oi, SimTime now)
{
  char a[ADDR_CIDR_TEXT], b[ADDR_IPV4_TEXT], c[ADDR_IPV4_TEXT];

  g_string_append_printf(out, "%s is %s\n", oi->iface->name, oi->iface->up ? "up" : "down");
  g_string_append_printf(out, "  Internet Address %s, Area %s\n",
                         addr_format_cidr(oi->iface->ip.addr, oi->iface->ip.len, a), addr_format_ipv4(oi->area->id, b));
  g_string_append_printf(out, "  Router ID %s, Network Type %s, Cost: %u\n", addr_format_ipv4(oi->ospf->rid, c),
                         oi->type == OSPF_IF_P2P ? "POINTOPOINT" : "BROADCAST", oi->cost);
  g_string_append_printf(out, "  Transmit Delay is %u sec, State %s, Priority %u\n",
                         (unsigned)(oi->conf.transmit_delay / SIMTIME_S(1)), ospf_ifs_name(oi->state),
                         oi->conf.priority);
  if (oi->type == OSPF_IF_BROADCAST)
    g_string_append_printf(out, "  Designated Router %s, Backup Designated Router %s\n", addr_format_ipv4(oi->dr, b),
                           addr_format_ipv4(oi->bdr, c));
  g_string_append_printf(out, "  Timer intervals configured, Hello %us, Dead %us, Wait %us, Retransmit %u\n",
                         (unsigned)(oi->conf.hello / SIMTIME_S(1)), (unsigned)(oi->conf.dead / SIMTIME_S(1)),
                         (unsigned)(oi->conf.dead / SIMTIME_S(1)), (unsigned)(oi->conf.retransmit / SIMTIME_S(1)));
  if (!oi->on)
    g_string_append(out, "    No Hellos (Passive interface)\n");
  else if (oi->state != OSPF_IFS_DOWN)
    g_string_append_printf(out, "    Hello due in %.3fs\n", (double)MAX(oi->hello_at - now, 0) / 1e9);
  g_string_append_printf(out, "  Neighbor Count is %u, Adjacent neighbor count is %u\n",
                         ospf_count_nbrs(oi, OSPF_NBR_INIT), ospf_count_nbrs(oi, OSPF_NBR_FULL));
}

void ospf_show_interfaces(const Ospf *ospf, GString *out)
{
  for (guint i = 0; i < ospf->ifaces->len; i++) {
    const OspfIface *oi = g_ptr_array_index(ospf->ifaces, i);
    if (oi)
      ospf_show_iface(out, oi, sim_now(ospf->node->ctx));
  }
}

/* What a drawing shows of interface `iface`: TRUE when OSPF is enabled on
 * it, with its area and cost in *area and *cost. */
gboolean ospf_iface_summary(const Ospf *ospf, guint iface, uint32_t *area, uint32_t *cost)
{
  const OspfIface *oi = iface < ospf->ifaces->len ? g_ptr_array_index(ospf->ifaces, iface) : NULL;
  if (!oi || !oi->conf.enabled)
    return FALSE;
  *area = oi->conf.area;
  *cost = oi->cost
              ? oi->cost
              : ospf_cost_for(&oi->conf, ospf->conf.reference_bps, oi->iface->link ? oi->iface->link->rate_bps : 0);
  return TRUE;
}
