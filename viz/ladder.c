/*
 * The ladder's model: lanes and messages (ladder.h), collapsing runs into
 * bands, and the plain-text ladder:
 *
 *   time         alice             bob
 *   1.010096000  |---------------->|  1.015155200  SYN seq 0
 *   1.015155200  |<----------------|  1.020214400  SYN, ACK seq 0 ack 1
 *
 * a row per message at its departure: lanes as '|', the arrow '-' ('~'
 * for a retransmission, '=' for a band) with its head at the receiver,
 * an 'X' at the receiver for a drop or three quarters of the way for a
 * loss; then the
 * arrival (or drop) time and the label. A message with stops (lanes in
 * groups, a node's layers) is a row from its first lane to its last.
 * Runs merge by side: the lanes of one group are one side.
 *
 * Entry points: ladder_new(), ladder_free(), ladder_lane(),
 * ladder_lane_in(), ladder_lane_short(), ladder_add(), ladder_prune(),
 * ladder_stops(), ladder_stop(), ladder_span(), ladder_span_step(),
 * ladder_sort(), ladder_collapse(), ladder_text(). Drawing: ladder_draw.c.
 */
#include <string.h>

#include "viz/ladder.h"

enum { LADDER_TEXT_MIN_LANE = 18, LADDER_BAND_MIN = 3 };

Ladder *ladder_new(void)
{
  Ladder *l = g_new0(Ladder, 1);
  l->lanes = g_ptr_array_new_with_free_func(g_free);
  l->groups = g_ptr_array_new_with_free_func(g_free);
  l->msgs = g_array_new(FALSE, TRUE, sizeof(LadderMsg));
  return l;
}

static void ladder_msg_clear(LadderMsg *m)
{
  g_free(m->label);
  g_free(m->note);
  if (m->via)
    g_array_free(m->via, TRUE);
}

void ladder_free(Ladder *l)
{
  if (!l)
    return;
  for (guint i = 0; i < l->msgs->len; i++)
    ladder_msg_clear(&g_array_index(l->msgs, LadderMsg, i));
  g_array_free(l->msgs, TRUE);
  g_ptr_array_free(l->lanes, TRUE);
  g_ptr_array_free(l->groups, TRUE);
  g_free(l);
}

guint ladder_lane_in(Ladder *l, const char *name, const char *group)
{
  for (guint i = 0; i < l->lanes->len; i++)
    if (strcmp(g_ptr_array_index(l->lanes, i), name) == 0)
      return i;
  g_ptr_array_add(l->lanes, g_strdup(name));
  g_ptr_array_add(l->groups, g_strdup(group));
  return l->lanes->len - 1;
}

guint ladder_lane(Ladder *l, const char *name)
{
  return ladder_lane_in(l, name, NULL);
}

const char *ladder_lane_short(const Ladder *l, guint i)
{
  const char *name = g_ptr_array_index(l->lanes, i), *group = g_ptr_array_index(l->groups, i);
  size_t n = group ? strlen(group) : 0;
  return group && strncmp(name, group, n) == 0 && name[n] == ' ' ? name + n + 1 : name;
}

/* The lanes message `m` touches: marks them in `used`. */
static void ladder_mark_lanes(const LadderMsg *m, gboolean *used)
{
  used[m->from] = used[m->to] = TRUE;
  for (guint k = 0; m->via && k < m->via->len; k++)
    used[g_array_index(m->via, LadderStop, k).lane] = TRUE;
}

/* Renumbers message `m`'s lanes through `map`. */
static void ladder_map_lanes(LadderMsg *m, const guint *map)
{
  m->from = map[m->from];
  m->to = map[m->to];
  for (guint k = 0; m->via && k < m->via->len; k++)
    g_array_index(m->via, LadderStop, k).lane = map[g_array_index(m->via, LadderStop, k).lane];
}

void ladder_prune(Ladder *l)
{
  guint n = l->lanes->len, kept = 0;
  gboolean *used = g_new0(gboolean, n);
  guint *map = g_new0(guint, n);
  for (guint i = 0; i < l->msgs->len; i++)
    ladder_mark_lanes(&g_array_index(l->msgs, LadderMsg, i), used);
  for (guint i = 0; i < n; i++) {
    map[i] = kept;
    if (used[i]) {
      l->lanes->pdata[kept] = l->lanes->pdata[i];
      l->groups->pdata[kept++] = l->groups->pdata[i];
    } else {
      g_free(l->lanes->pdata[i]);
      g_free(l->groups->pdata[i]);
    }
  }
  l->lanes->len = l->groups->len = kept;
  for (guint i = 0; i < l->msgs->len; i++)
    ladder_map_lanes(&g_array_index(l->msgs, LadderMsg, i), map);
  g_free(used);
  g_free(map);
}

guint ladder_stops(const LadderMsg *m)
{
  return (m->via ? m->via->len : 0) + 2;
}

LadderStop ladder_stop(const LadderMsg *m, guint k)
{
  guint n = m->via ? m->via->len : 0;
  if (k == 0)
    return (LadderStop){m->from, m->t0};
  if (k <= n)
    return g_array_index(m->via, LadderStop, k - 1);
  return (LadderStop){m->to, m->t1};
}

int ladder_span_step(const Ladder *l, const LadderMsg *m)
{
  guint n = m->via ? m->via->len : 0;
  for (guint k = 0; k <= n; k++) {
    LadderStop x = ladder_stop(m, k), y = ladder_stop(m, k + 1);
    if (g_strcmp0(g_ptr_array_index(l->groups, x.lane), g_ptr_array_index(l->groups, y.lane)) != 0)
      return (int)k;
  }
  return -1;
}

void ladder_span(const Ladder *l, const LadderMsg *m, LadderStop *a, LadderStop *b)
{
  int k = ladder_span_step(l, m);
  *a = k < 0 ? (LadderStop){m->from, m->t0} : ladder_stop(m, (guint)k);
  *b = k < 0 ? (LadderStop){m->to, m->t1} : ladder_stop(m, (guint)k + 1);
}

void ladder_add(Ladder *l, const LadderMsg *m)
{
  LadderMsg copy = *m;
  if (copy.count == 0)
    copy.count = 1;
  if (copy.count == 1) {
    copy.t0_last = copy.t0;
    copy.t1_last = copy.t1;
  }
  g_array_append_val(l->msgs, copy);
}

/* Orders by departure, then arrival; g_array_sort is not stable, so the
 * labels break the last ties (every field compared: a total order). */
static gint ladder_msg_cmp(gconstpointer a, gconstpointer b)
{
  const LadderMsg *x = a, *y = b;
  if (x->t0 != y->t0)
    return x->t0 < y->t0 ? -1 : 1;
  if (x->t1 != y->t1)
    return x->t1 < y->t1 ? -1 : 1;
  if (x->from != y->from)
    return x->from < y->from ? -1 : 1;
  return g_strcmp0(x->label, y->label);
}

void ladder_sort(Ladder *l)
{
  g_array_sort(l->msgs, ladder_msg_cmp);
}

/* A run being gathered: its members' indices in l->msgs. */
typedef struct {
  guint from, to; /* sides (ladder_side()) */
  const char *group;
  GArray *members; /* guint */
  gboolean open;
} LadderRun;

/* Where lane `lane` stands for directions: its group's first lane (a
 * node's layers are one side), else itself. */
static guint ladder_side(const Ladder *l, guint lane)
{
  const char *group = g_ptr_array_index(l->groups, lane);
  while (group && lane > 0 && g_strcmp0(g_ptr_array_index(l->groups, lane - 1), group) == 0)
    lane--;
  return lane;
}

/* TRUE when run `r` goes the way of message `m` (side to side). */
static gboolean ladder_run_dir(const Ladder *l, const LadderRun *r, const LadderMsg *m)
{
  return r->from == ladder_side(l, m->from) && r->to == ladder_side(l, m->to);
}

/* The open run for `m`'s direction and group, or NULL. */
static LadderRun *ladder_run_find(const Ladder *l, GPtrArray *runs, const LadderMsg *m)
{
  for (guint i = runs->len; i-- > 0;) {
    LadderRun *r = g_ptr_array_index(runs, i);
    if (r->open && ladder_run_dir(l, r, m) && strcmp(r->group, m->group) == 0)
      return r;
  }
  return NULL;
}

/* Closes the open runs of `m`'s direction. */
static void ladder_run_close(const Ladder *l, GPtrArray *runs, const LadderMsg *m)
{
  for (guint i = 0; i < runs->len; i++) {
    LadderRun *r = g_ptr_array_index(runs, i);
    if (ladder_run_dir(l, r, m))
      r->open = FALSE;
  }
}

static void ladder_run_free(gpointer p)
{
  LadderRun *r = p;
  g_array_free(r->members, TRUE);
  g_free(r);
}

/* Puts message `i` into a run, or closes its direction's runs. Returns
 * the run it joined (NULL: none); `run_of` maps message to run. */
static void ladder_run_add(const Ladder *l, GPtrArray *runs, guint i, LadderRun **run_of)
{
  const LadderMsg *m = &g_array_index(l->msgs, LadderMsg, i);
  if (!m->plain || !m->group || m->retransmit || m->end != LADDER_ARRIVED) {
    ladder_run_close(l, runs, m);
    return;
  }
  LadderRun *r = ladder_run_find(l, runs, m);
  if (r) {
    const LadderMsg *last = &g_array_index(l->msgs, LadderMsg, g_array_index(r->members, guint, r->members->len - 1));
    if (m->t0 - last->t0 > 2 * (m->t1 - m->t0))
      r->open = FALSE;
  }
  if (!r || !r->open) {
    ladder_run_close(l, runs, m);
    r = g_new0(LadderRun, 1);
    *r = (LadderRun){ladder_side(l, m->from), ladder_side(l, m->to), m->group, g_array_new(FALSE, FALSE, sizeof(guint)),
                     TRUE};
    g_ptr_array_add(runs, r);
  }
  g_array_append_val(r->members, i);
  run_of[i] = r;
}

/* The band for run `r`: its first member stretched to its last. */
static LadderMsg ladder_band(const Ladder *l, const LadderRun *r)
{
  guint n = r->members->len;
  const LadderMsg *first = &g_array_index(l->msgs, LadderMsg, g_array_index(r->members, guint, 0));
  LadderMsg band = *first;
  guint64 lo = first->lo, hi = first->hi;
  LadderStop a, b;
  ladder_span(l, first, &a, &b);
  band.from = a.lane;
  band.to = b.lane;
  band.t0 = a.t;
  band.t1 = b.t;
  for (guint k = 0; k < n; k++) {
    const LadderMsg *m = &g_array_index(l->msgs, LadderMsg, g_array_index(r->members, guint, k));
    lo = MIN(lo, m->lo);
    hi = MAX(hi, m->hi);
    ladder_span(l, m, &a, &b);
    band.t0_last = a.t;
    band.t1_last = b.t;
  }
  band.count = n;
  band.via = NULL; /* a band goes straight, over its members' spans */
  band.lo = lo;
  band.hi = hi;
  if (g_strcmp0(first->range, "seq") == 0)
    band.label = g_strdup_printf("%u %s, seq %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, n, r->group, lo, hi);
  else if (first->range && lo == hi)
    band.label = g_strdup_printf("%u %s, %s %" G_GUINT64_FORMAT, n, r->group, first->range, lo);
  else if (first->range)
    band.label =
        g_strdup_printf("%u %s, %s %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, n, r->group, first->range, lo, hi);
  else
    band.label = g_strdup_printf("%u %s", n, r->group);
  band.note = NULL;
  return band;
}

void ladder_collapse(Ladder *l, guint max)
{
  if (max == 0 || l->msgs->len <= max)
    return;
  GPtrArray *runs = g_ptr_array_new_with_free_func(ladder_run_free);
  LadderRun **run_of = g_new0(LadderRun *, l->msgs->len);
  for (guint i = 0; i < l->msgs->len; i++)
    ladder_run_add(l, runs, i, run_of);
  GArray *out = g_array_new(FALSE, TRUE, sizeof(LadderMsg));
  for (guint i = 0; i < l->msgs->len; i++) {
    LadderMsg *m = &g_array_index(l->msgs, LadderMsg, i);
    LadderRun *r = run_of[i];
    if (!r || r->members->len < LADDER_BAND_MIN) {
      g_array_append_val(out, *m);
      continue;
    }
    if (g_array_index(r->members, guint, 0) == i) {
      LadderMsg band = ladder_band(l, r);
      g_array_append_val(out, band);
    }
    ladder_msg_clear(m);
  }
  g_array_free(l->msgs, TRUE);
  l->msgs = out;
  g_free(run_of);
  g_ptr_array_free(runs, TRUE);
}

/* Appends a time as seconds with nine decimals. */
static void ladder_text_time(GString *out, SimTime t)
{
  g_string_append_printf(out, "%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, t / 1000000000, t % 1000000000);
}

/* Draws message `m` into `row` (lanes at multiples of `w`), between the
 * lanes' bars. */
static void ladder_text_arrow(char *row, const LadderMsg *m, guint w)
{
  guint a = m->from * w, b = m->to * w;
  int step = b > a ? 1 : -1;
  guint head = m->end == LADDER_LOST ? (a + 3 * b) / 4 : b - step;
  char fill = m->count > 1 ? '=' : m->retransmit ? '~' : '-';
  for (guint x = a + step; x != head; x += step)
    row[x] = fill;
  row[head] = m->end == LADDER_ARRIVED ? (step > 0 ? '>' : '<') : 'X';
  if (m->count > 1)
    row[head - step] = row[head];
}

/* Appends one message's row. */
static void ladder_text_row(GString *out, const Ladder *l, const LadderMsg *m, guint w)
{
  guint width = (l->lanes->len - 1) * w + 1;
  char *row = g_malloc(width + 1);
  memset(row, ' ', width);
  row[width] = '\0';
  for (guint i = 0; i < l->lanes->len; i++)
    row[i * w] = '|';
  ladder_text_arrow(row, m, w);
  ladder_text_time(out, m->t0);
  g_string_append_printf(out, "  %s  ", row);
  ladder_text_time(out, m->count > 1 ? m->t1_last : m->t1);
  g_string_append_printf(out, "  %s", m->label);
  if (m->retransmit)
    g_string_append(out, " (retransmit)");
  if (m->end == LADDER_DROPPED)
    g_string_append_printf(out, " [dropped at %s: %s]", (const char *)g_ptr_array_index(l->lanes, m->to),
                           m->note ? m->note : "?");
  if (m->end == LADDER_LOST && m->note)
    g_string_append_printf(out, " [dropped at %s]", m->note);
  else if (m->end == LADDER_LOST)
    g_string_append(out, " [lost]");
  g_string_append_c(out, '\n');
  g_free(row);
}

/* The column width: the longest lane name, and some room for the arrow. */
static guint ladder_text_width(const Ladder *l)
{
  guint w = LADDER_TEXT_MIN_LANE;
  for (guint i = 0; i < l->lanes->len; i++)
    w = MAX(w, (guint)strlen(g_ptr_array_index(l->lanes, i)) + 2);
  return w;
}

char *ladder_text(const Ladder *l)
{
  guint w = ladder_text_width(l);
  GString *out = g_string_new("time         ");
  for (guint i = 0; i < l->lanes->len; i++) {
    const char *name = g_ptr_array_index(l->lanes, i);
    g_string_append_printf(out, "%-*s", i + 1 < l->lanes->len ? (int)w : 0, name);
  }
  g_string_append_c(out, '\n');
  for (guint i = 0; i < l->msgs->len; i++)
    ladder_text_row(out, l, &g_array_index(l->msgs, LadderMsg, i), w);
  return g_string_free(out, FALSE);
}
