/*
 * Drawing a Ladder (ladder.h) with cairo, to SVG, PNG or PDF: a lane per
 * node (its name in a box at the top, a grey line down), time running
 * down, each message an arrow from its sender's lane at its departure to
 * its receiver's lane at its arrival, labelled above its start. Time is
 * to scale, the scale chosen so that the labels of most messages stay a
 * line apart (those closer in time are pushed down, on a white halo); an
 * idle stretch (no message on its way) longer than LADDER_IDLE_MAX pixels
 * is cut to LADDER_IDLE_CUT, with a broken-axis mark (two slanted strokes
 * on every lane) and its length beside the axis. Rightward arrows are
 * blue, leftward green; a retransmission is dashed and orange; a drop ends
 * in a red X with its reason; a loss the trace does not place ends in an
 * X three quarters of the way (clear of the labels near the sender); a band (merged messages) is a parallelogram from
 * its first message to its last, tinted going right and hatched going left; a label pushed down has a dotted leader to
 * its arrow. Text is cairo's toy API in "sans-serif" (no Pango).
 *
 * Grouped lanes (a node's layers) stand LADDER_LAYER_GAP apart under a
 * box with the group's name; a message with stops is a polyline through
 * them, a dot at each, labelled where it first crosses between groups,
 * its steps down the sender's stack LADDER_STACK_NUDGE below their time
 * and up the receiver's as much above.
 *
 * The SVG gets a <title> and a <desc> holding the text ladder
 * (ladder_text()), since cairo draws letters as glyphs: the file says
 * what it shows to a search, a screen reader and the tests.
 *
 * Entry point: ladder_render() (viz/surface.c writes the file).
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/ladder.h"
#include "viz/surface.h"

#define LADDER_FONT "sans-serif"
#define LADDER_FONT_SIZE 11.0
#define LADDER_LINE 15.0      /* pixels between labels */
#define LADDER_IDLE_MAX 120.0 /* an idle stretch longer than this is cut */
#define LADDER_IDLE_CUT 36.0
#define LADDER_HEIGHT_MAX 8000.0
#define LADDER_HEIGHT_PER_MSG 60.0 /* at most, on average */
#define LADDER_HEIGHT_MIN 240.0
#define LADDER_TOP 84.0
#define LADDER_GROUP_TOP 30.0  /* more room at the top for the groups' names */
#define LADDER_LAYER_GAP 96.0  /* between the lanes of one group */
#define LADDER_STACK_NUDGE 2.5 /* pixels: down a stack below its time, up one above */
#define LADDER_LEFT 100.0
#define LADDER_RIGHT 150.0
#define LADDER_BOTTOM 72.0

typedef struct {
  SimTime t;
  double y;
} LadderKnot;

typedef struct {
  const Ladder *l;
  double *lane_x;
  double gap;   /* between lanes */
  double scale; /* pixels per nanosecond */
  double width, height;
  double top; /* the y of the first time: lower when lanes are grouped */
  gboolean grouped;
  GArray *knots; /* LadderKnot, by time */
  GArray *cuts;  /* guint: the index of the knot after each cut */
} LadderLayout;

static gint ladder_time_cmp(gconstpointer a, gconstpointer b)
{
  SimTime x = *(const SimTime *)a, y = *(const SimTime *)b;
  return x < y ? -1 : x > y;
}

/* The latest time of a message: its (last) arrival. */
static SimTime ladder_msg_end(const LadderMsg *m)
{
  return MAX(m->t1, m->t1_last);
}

/* Every time a message has, sorted and unique. */
static GArray *ladder_times(const Ladder *l)
{
  GArray *t = g_array_new(FALSE, FALSE, sizeof(SimTime));
  for (guint i = 0; i < l->msgs->len; i++) {
    const LadderMsg *m = &g_array_index(l->msgs, LadderMsg, i);
    SimTime v[4] = {m->t0, m->t1, m->t0_last, m->t1_last};
    g_array_append_vals(t, v, 4);
  }
  g_array_sort(t, ladder_time_cmp);
  guint n = 0;
  for (guint i = 0; i < t->len; i++)
    if (n == 0 || g_array_index(t, SimTime, i) != g_array_index(t, SimTime, n - 1))
      g_array_index(t, SimTime, n++) = g_array_index(t, SimTime, i);
  g_array_set_size(t, n);
  return t;
}

/* The index of time `v` in the sorted unique `t`. */
static guint ladder_time_index(const GArray *t, SimTime v)
{
  guint lo = 0, hi = t->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (g_array_index(t, SimTime, mid) < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* busy[k] > 0 when a message is on its way between times k-1 and k. */
static int *ladder_busy(const Ladder *l, const GArray *t)
{
  int *busy = g_new0(int, t->len + 1);
  for (guint i = 0; i < l->msgs->len; i++) {
    const LadderMsg *m = &g_array_index(l->msgs, LadderMsg, i);
    busy[ladder_time_index(t, m->t0) + 1]++;
    busy[ladder_time_index(t, ladder_msg_end(m)) + 1]--;
  }
  for (guint k = 1; k <= t->len; k++)
    busy[k] += busy[k - 1];
  return busy;
}

/* The scale that keeps most labels a line apart: the fifth of the gaps
 * between the starts of the messages' labelled parts (their departures,
 * or where they cross the network) that are shortest sets it. */
static double ladder_scale(const Ladder *l)
{
  GArray *starts = g_array_new(FALSE, FALSE, sizeof(SimTime)), *gaps = g_array_new(FALSE, FALSE, sizeof(SimTime));
  for (guint i = 0; i < l->msgs->len; i++) {
    LadderStop a, b;
    ladder_span(l, &g_array_index(l->msgs, LadderMsg, i), &a, &b);
    g_array_append_val(starts, a.t);
  }
  g_array_sort(starts, ladder_time_cmp);
  for (guint i = 1; i < starts->len; i++) {
    SimTime d = g_array_index(starts, SimTime, i) - g_array_index(starts, SimTime, i - 1);
    if (d > 0)
      g_array_append_val(gaps, d);
  }
  double scale = 1e-6; /* one pixel per millisecond */
  if (gaps->len) {
    g_array_sort(gaps, ladder_time_cmp);
    scale = 1.4 * LADDER_LINE / (double)g_array_index(gaps, SimTime, gaps->len / 5);
  }
  g_array_free(starts, TRUE);
  g_array_free(gaps, TRUE);
  return scale;
}

/* Places the knots at `scale`, cutting idle stretches; returns the height. */
static double ladder_knots(LadderLayout *lay, const GArray *t, const int *busy)
{
  g_array_set_size(lay->knots, 0);
  g_array_set_size(lay->cuts, 0);
  double y = lay->top;
  for (guint k = 0; k < t->len; k++) {
    if (k > 0) {
      double d = (double)(g_array_index(t, SimTime, k) - g_array_index(t, SimTime, k - 1)) * lay->scale;
      if (d > LADDER_IDLE_MAX && busy[k] == 0) {
        d = LADDER_IDLE_CUT;
        g_array_append_val(lay->cuts, k);
      }
      y += d;
    }
    LadderKnot knot = {g_array_index(t, SimTime, k), y};
    g_array_append_val(lay->knots, knot);
  }
  return y - lay->top;
}

/* The knots: the scale, shrunk until the drawing fits LADDER_HEIGHT_MAX
 * and LADDER_HEIGHT_PER_MSG a message, and grown to LADDER_HEIGHT_MIN. */
static void ladder_layout_time(LadderLayout *lay)
{
  GArray *t = ladder_times(lay->l);
  int *busy = ladder_busy(lay->l, t);
  double max = MIN(LADDER_HEIGHT_MAX, MAX(LADDER_HEIGHT_MIN, LADDER_HEIGHT_PER_MSG * lay->l->msgs->len));
  lay->scale = ladder_scale(lay->l);
  double h = ladder_knots(lay, t, busy);
  for (int i = 0; i < 8 && h > max; i++) {
    lay->scale *= max / h * 0.95;
    h = ladder_knots(lay, t, busy);
  }
  if (h > 0 && h < LADDER_HEIGHT_MIN && lay->cuts->len == 0) {
    lay->scale *= LADDER_HEIGHT_MIN / h;
    h = ladder_knots(lay, t, busy);
  }
  lay->height = lay->top + h + LADDER_LINE * 2 + LADDER_BOTTOM;
  g_free(busy);
  g_array_free(t, TRUE);
}

/* The y of time `t` (a knot's time, or between two). */
static double ladder_y(const LadderLayout *lay, SimTime t)
{
  const LadderKnot *kn = (const LadderKnot *)(void *)lay->knots->data;
  guint lo = 0, hi = lay->knots->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (kn[mid].t < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo >= lay->knots->len)
    return kn[lay->knots->len - 1].y;
  if (kn[lo].t == t || lo == 0)
    return kn[lo].y;
  double f = (double)(t - kn[lo - 1].t) / (double)(kn[lo].t - kn[lo - 1].t);
  return kn[lo - 1].y + f * (kn[lo].y - kn[lo - 1].y);
}

static void ladder_font(cairo_t *cr, gboolean bold)
{
  cairo_select_font_face(cr, LADDER_FONT, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, LADDER_FONT_SIZE);
}

static double ladder_text_width(cairo_t *cr, const char *text)
{
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  return e.x_advance;
}

static const char *const ladder_legend[] = {
    "blue: rightwards, green: leftwards; dashed orange: retransmission",
    "X: dropped (with the reason) or lost; // on the lanes: idle time cut",
    "band: messages merged (tinted rightwards, hatched leftwards)",
};

/* The lanes' places: far enough apart for the longest label. */
static void ladder_layout_lanes(LadderLayout *lay, cairo_t *cr)
{
  const Ladder *l = lay->l;
  double widest = 0;
  ladder_font(cr, FALSE);
  for (guint i = 0; i < l->msgs->len; i++)
    widest = MAX(widest, ladder_text_width(cr, g_array_index(l->msgs, LadderMsg, i).label));
  lay->gap = CLAMP(widest + 90, 240, 500);
  lay->lane_x = g_new(double, l->lanes->len);
  for (guint i = 0; i < l->lanes->len; i++) {
    const char *group = g_ptr_array_index(l->groups, i);
    gboolean same = i > 0 && group && g_strcmp0(group, g_ptr_array_index(l->groups, i - 1)) == 0;
    lay->grouped |= group != NULL;
    lay->lane_x[i] = i == 0 ? LADDER_LEFT + 40 : lay->lane_x[i - 1] + (same ? LADDER_LAYER_GAP : lay->gap);
  }
  lay->top = LADDER_TOP + (lay->grouped ? LADDER_GROUP_TOP : 0);
  double legend = 0;
  for (guint i = 0; i < G_N_ELEMENTS(ladder_legend); i++)
    legend = MAX(legend, ladder_text_width(cr, ladder_legend[i]));
  lay->width = MAX(lay->lane_x[l->lanes->len - 1] + LADDER_RIGHT, legend + 24);
}

/* The whole layout, measuring text on a scratch surface. */
static void ladder_layout(LadderLayout *lay, const Ladder *l)
{
  *lay = (LadderLayout){.l = l};
  lay->knots = g_array_new(FALSE, FALSE, sizeof(LadderKnot));
  lay->cuts = g_array_new(FALSE, FALSE, sizeof(guint));
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create(s);
  ladder_layout_lanes(lay, cr);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  ladder_layout_time(lay);
}

static void ladder_layout_free(LadderLayout *lay)
{
  g_free(lay->lane_x);
  g_array_free(lay->knots, TRUE);
  g_array_free(lay->cuts, TRUE);
}

/* Text at (x, y) on a white halo; `align` 0 left, 1 right, 0.5 centred. */
static void ladder_label(cairo_t *cr, double x, double y, const char *text, double align)
{
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  x -= e.x_advance * align;
  cairo_save(cr);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_rectangle(cr, x - 2, y - LADDER_FONT_SIZE, e.x_advance + 4, LADDER_FONT_SIZE + 3.5);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text);
}

/* Seconds with six decimals. */
static char *ladder_seconds(SimTime t)
{
  return g_strdup_printf("%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT, t / 1000000000, t % 1000000000 / 1000);
}

/* The title: how many messages, from when to when. */
static void ladder_draw_title(cairo_t *cr, const LadderLayout *lay)
{
  const Ladder *l = lay->l;
  const LadderMsg *first = &g_array_index(l->msgs, LadderMsg, 0);
  SimTime last = 0;
  for (guint i = 0; i < l->msgs->len; i++)
    last = MAX(last, ladder_msg_end(&g_array_index(l->msgs, LadderMsg, i)));
  char *a = ladder_seconds(first->t0), *b = ladder_seconds(last);
  guint n = 0;
  for (guint i = 0; i < l->msgs->len; i++)
    n += g_array_index(l->msgs, LadderMsg, i).count;
  char *title = n == l->msgs->len
                    ? g_strdup_printf("%u messages, %s s to %s s, time running down", n, a, b)
                    : g_strdup_printf("%u messages (%u arrows and bands), %s s to %s s, time running down", n,
                                      l->msgs->len, a, b);
  ladder_font(cr, TRUE);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  ladder_label(cr, 12, 22, title, 0);
  g_free(title);
  g_free(a);
  g_free(b);
}

/* A box from x0 to x1 at y (its top), 22 high, with `text` centred; a
 * group's darker. */
static void ladder_box(cairo_t *cr, double x0, double x1, double y, const char *text, gboolean group)
{
  cairo_set_line_width(cr, 1.5);
  cairo_rectangle(cr, x0, y, x1 - x0, 22);
  cairo_set_source_rgb(cr, group ? 0.84 : 0.93, group ? 0.87 : 0.93, group ? 0.96 : 0.97);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.4);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  ladder_label(cr, (x0 + x1) / 2, y + 15, text, 0.5);
}

/* Over the lanes of each group, a box with the group's name. */
static void ladder_draw_groups(cairo_t *cr, const LadderLayout *lay)
{
  const Ladder *l = lay->l;
  ladder_font(cr, TRUE);
  for (guint i = 0, j; i < l->lanes->len; i = j) {
    const char *group = g_ptr_array_index(l->groups, i);
    for (j = i + 1; j < l->lanes->len && group && g_strcmp0(group, g_ptr_array_index(l->groups, j)) == 0;)
      j++;
    if (group)
      ladder_box(cr, lay->lane_x[i] - LADDER_LAYER_GAP / 2 + 4, lay->lane_x[j - 1] + LADDER_LAYER_GAP / 2 - 4,
                 lay->top - 50 - LADDER_GROUP_TOP, group, TRUE);
  }
}

/* The title, the lane boxes (a grouped lane's shows its layer) and the
 * lane lines. */
static void ladder_draw_lanes(cairo_t *cr, const LadderLayout *lay)
{
  const Ladder *l = lay->l;
  ladder_draw_title(cr, lay);
  ladder_draw_groups(cr, lay);
  for (guint i = 0; i < l->lanes->len; i++) {
    const char *name = ladder_lane_short(l, i);
    ladder_font(cr, !lay->grouped);
    double w = ladder_text_width(cr, name) + 20, x = lay->lane_x[i];
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, x, lay->top - 28);
    cairo_line_to(cr, x, lay->height - LADDER_BOTTOM);
    cairo_stroke(cr);
    ladder_box(cr, x - w / 2, x + w / 2, lay->top - 50, name, FALSE);
  }
}

/* The broken-axis marks and the length of each cut. */
static void ladder_draw_cuts(cairo_t *cr, const LadderLayout *lay)
{
  ladder_font(cr, FALSE);
  for (guint c = 0; c < lay->cuts->len; c++) {
    guint k = g_array_index(lay->cuts, guint, c);
    const LadderKnot *a = &g_array_index(lay->knots, LadderKnot, k - 1), *b = a + 1;
    double mid = (a->y + b->y) / 2;
    for (guint i = 0; i < lay->l->lanes->len; i++) {
      double x = lay->lane_x[i];
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_rectangle(cr, x - 3, mid - 5, 6, 10);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
      cairo_set_line_width(cr, 1.2);
      for (int s = -1; s <= 1; s += 2) {
        cairo_move_to(cr, x - 8, mid + s * 4 + 3);
        cairo_line_to(cr, x + 8, mid + s * 4 - 3);
      }
      cairo_stroke(cr);
    }
    char *text = g_strdup_printf("%.3f s idle", SIMTIME_TO_SECONDS(b->t - a->t));
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    ladder_label(cr, LADDER_LEFT - 6, mid + 4, text, 1);
    g_free(text);
  }
}

/* The departure times on the left, a line apart at least. */
static void ladder_draw_axis(cairo_t *cr, const LadderLayout *lay)
{
  double last = -1e9;
  ladder_font(cr, FALSE);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  for (guint i = 0; i < lay->l->msgs->len; i++) {
    SimTime t = g_array_index(lay->l->msgs, LadderMsg, i).t0;
    double y = ladder_y(lay, t);
    if (y < last + LADDER_LINE)
      continue;
    last = y;
    char *text = ladder_seconds(t);
    ladder_label(cr, LADDER_LEFT - 6, y + 4, text, 1);
    g_free(text);
    cairo_move_to(cr, LADDER_LEFT, y);
    cairo_line_to(cr, LADDER_LEFT + 8, y);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
  }
}

/* The colour of a message: blue rightwards, green leftwards, orange for
 * a retransmission. */
static void ladder_colour(cairo_t *cr, const LadderMsg *m, double alpha)
{
  if (m->retransmit)
    cairo_set_source_rgba(cr, 0.85, 0.42, 0.0, alpha);
  else if (m->to > m->from)
    cairo_set_source_rgba(cr, 0.12, 0.30, 0.62, alpha);
  else
    cairo_set_source_rgba(cr, 0.12, 0.48, 0.20, alpha);
}

/* A line from (x0, y0) to (x1, y1) ending in an arrowhead. */
static void ladder_arrow(cairo_t *cr, double x0, double y0, double x1, double y1, gboolean dashed)
{
  double len = hypot(x1 - x0, y1 - y0);
  if (len < 1e-6)
    return;
  double ux = (x1 - x0) / len, uy = (y1 - y0) / len, dash[] = {6, 4};
  cairo_set_line_width(cr, 1.4);
  cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1 - ux * 6, y1 - uy * 6);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x1 - ux * 9 - uy * 4, y1 - uy * 9 + ux * 4);
  cairo_line_to(cr, x1 - ux * 9 + uy * 4, y1 - uy * 9 - ux * 4);
  cairo_close_path(cr);
  cairo_fill(cr);
}

/* A red X at (x, y), and `text` beside it. */
static void ladder_cross(cairo_t *cr, double x, double y, const char *text, double dir)
{
  cairo_set_source_rgb(cr, 0.80, 0.08, 0.08);
  cairo_set_line_width(cr, 2.2);
  cairo_move_to(cr, x - 6, y - 6);
  cairo_line_to(cr, x + 6, y + 6);
  cairo_move_to(cr, x + 6, y - 6);
  cairo_line_to(cr, x - 6, y + 6);
  cairo_stroke(cr);
  ladder_label(cr, x + dir * 10, y + 4, text, dir > 0 ? 0 : 1);
}

/* Hatches the current path (then cleared) with lines sloping down to the
 * left, between `top` and `bottom`, `left` and `right`. */
static void ladder_hatch(cairo_t *cr, double left, double right, double top, double bottom)
{
  cairo_save(cr);
  cairo_clip(cr);
  cairo_set_line_width(cr, 0.8);
  for (double y = top - (right - left); y < bottom; y += 9) {
    cairo_move_to(cr, left, y + (right - left));
    cairo_line_to(cr, right, y);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* A band: the parallelogram from its first message to its last, tinted
 * when it goes right, hatched when it goes left, so that a band of data
 * and the band of its ACKs stay apart where they overlap. */
static void ladder_draw_band(cairo_t *cr, const LadderLayout *lay, const LadderMsg *m)
{
  double x0 = lay->lane_x[m->from], x1 = lay->lane_x[m->to];
  double top = MIN(ladder_y(lay, m->t0), ladder_y(lay, m->t1));
  double bottom = MAX(ladder_y(lay, m->t0_last), ladder_y(lay, m->t1_last));
  cairo_move_to(cr, x0, ladder_y(lay, m->t0));
  cairo_line_to(cr, x1, ladder_y(lay, m->t1));
  cairo_line_to(cr, x1, ladder_y(lay, m->t1_last));
  cairo_line_to(cr, x0, ladder_y(lay, m->t0_last));
  cairo_close_path(cr);
  ladder_colour(cr, m, x1 > x0 ? 0.10 : 0.30);
  if (x1 > x0)
    cairo_fill(cr);
  else
    ladder_hatch(cr, x1, x0, top, bottom);
  ladder_colour(cr, m, 1);
  ladder_arrow(cr, x0, ladder_y(lay, m->t0), x1, ladder_y(lay, m->t1), FALSE);
  ladder_arrow(cr, x0, ladder_y(lay, m->t0_last), x1, ladder_y(lay, m->t1_last), FALSE);
}

/* The place of stop `k` of message `m`: its lane, its time; with stops,
 * those down the sender's stack LADDER_STACK_NUDGE lower and those up the
 * receiver's as much higher, so that a packet arriving and another
 * leaving at the same instant (a reply made at once) stay two lines. */
static void ladder_stop_xy(const LadderLayout *lay, const LadderMsg *m, guint k, double *x, double *y)
{
  LadderStop p = ladder_stop(m, k);
  int span = m->via ? ladder_span_step(lay->l, m) : -1;
  *x = lay->lane_x[p.lane];
  *y = ladder_y(lay, p.t);
  if (span >= 0)
    *y += (int)k <= span ? LADDER_STACK_NUDGE : -LADDER_STACK_NUDGE;
}

/* Where message `m` ends: its `to` lane at t1, or three quarters of the
 * way there from its last stop for a loss. */
static void ladder_end_xy(const LadderLayout *lay, const LadderMsg *m, double *x, double *y)
{
  double px, py;
  ladder_stop_xy(lay, m, ladder_stops(m) - 2, &px, &py);
  ladder_stop_xy(lay, m, ladder_stops(m) - 1, x, y);
  if (m->end == LADDER_LOST)
    *x = (px + 3 * *x) / 4;
}

/* The path of message `m` up to its last stop before its end. */
static void ladder_path(cairo_t *cr, const LadderLayout *lay, const LadderMsg *m, double *x, double *y)
{
  guint n = ladder_stops(m);
  for (guint k = 0; k + 1 < n; k++) {
    ladder_stop_xy(lay, m, k, x, y);
    if (k == 0)
      cairo_move_to(cr, *x, *y);
    else
      cairo_line_to(cr, *x, *y);
  }
}

/* One message's arrow (or band), and its X: straight, or through its
 * stops (a dot at each). */
static void ladder_draw_msg(cairo_t *cr, const LadderLayout *lay, const LadderMsg *m)
{
  if (m->count > 1) {
    ladder_draw_band(cr, lay, m);
    return;
  }
  double x0 = 0, y0 = 0, x1, y1, dash[] = {6, 4};
  ladder_colour(cr, m, 1);
  for (guint k = 1; k + 1 < ladder_stops(m); k++) {
    ladder_stop_xy(lay, m, k, &x1, &y1);
    cairo_arc(cr, x1, y1, 2.2, 0, 2 * G_PI);
    cairo_fill(cr);
  }
  ladder_end_xy(lay, m, &x1, &y1);
  cairo_set_line_width(cr, 1.4);
  cairo_set_dash(cr, dash, m->retransmit ? 2 : 0, 0);
  ladder_path(cr, lay, m, &x0, &y0);
  if (m->end == LADDER_ARRIVED && ladder_stops(m) > 2)
    cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  if (m->end == LADDER_ARRIVED) {
    ladder_arrow(cr, x0, y0, x1, y1, m->retransmit);
    return;
  }
  cairo_set_dash(cr, dash, m->retransmit ? 2 : 0, 0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
}

/* The X of every message that did not arrive, over the labels. */
static void ladder_draw_crosses(cairo_t *cr, const LadderLayout *lay)
{
  ladder_font(cr, FALSE);
  for (guint i = 0; i < lay->l->msgs->len; i++) {
    const LadderMsg *m = &g_array_index(lay->l->msgs, LadderMsg, i);
    if (m->end == LADDER_ARRIVED || m->count > 1)
      continue;
    double x1, y1, dir = lay->lane_x[m->to] > lay->lane_x[m->from] ? 1 : -1;
    ladder_end_xy(lay, m, &x1, &y1);
    const char *text = m->note ? m->note : m->end == LADDER_LOST ? "lost" : "dropped";
    ladder_cross(cr, x1, y1, text, dir);
  }
}

/* A dotted grey line from a label pushed down to `y` back to its arrow's
 * start at (x, y0). */
static void ladder_leader(cairo_t *cr, double x, double y0, double dir, double y)
{
  double dots[] = {1, 2};
  cairo_save(cr);
  cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
  cairo_set_line_width(cr, 0.8);
  cairo_set_dash(cr, dots, 2, 0);
  cairo_move_to(cr, x + dir * 2, y0 + 1);
  cairo_line_to(cr, x + dir * 8, y - 4);
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* The labels, above each arrow's start, between its lane and the next
 * one its way; pushed down a line from the last label (or the X of a
 * loss) placed between those two lanes when they would overlap. */
static void ladder_draw_labels(cairo_t *cr, const LadderLayout *lay)
{
  guint n = lay->l->lanes->len;
  double *last = g_new(double, n);
  for (guint i = 0; i < n; i++)
    last[i] = -1e9;
  for (guint i = 0; i < lay->l->msgs->len; i++) {
    const LadderMsg *m = &g_array_index(lay->l->msgs, LadderMsg, i);
    LadderStop a, b;
    ladder_span(lay->l, m, &a, &b);
    guint side = b.lane > a.lane ? a.lane : a.lane - 1;
    double dir = b.lane > a.lane ? 1 : -1, y0 = ladder_y(lay, a.t), y = MAX(y0 - 4, last[side] + LADDER_LINE);
    last[side] = y;
    if (y > y0 + LADDER_LINE / 2)
      ladder_leader(cr, lay->lane_x[a.lane], y0, dir, y);
    if (m->end == LADDER_LOST)
      last[side] = MAX(y, ladder_y(lay, m->t1) + 8); /* the next label below its X */
    char *text = m->retransmit ? g_strdup_printf("%s (retransmit)", m->label) : g_strdup(m->label);
    ladder_font(cr, m->count > 1);
    ladder_colour(cr, m, 1);
    ladder_label(cr, lay->lane_x[a.lane] + dir * 10, y, text, dir > 0 ? 0 : 1);
    g_free(text);
  }
  g_free(last);
}

/* The whole picture onto `cr`. */
static void ladder_draw(cairo_t *cr, const LadderLayout *lay)
{
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  ladder_draw_lanes(cr, lay);
  ladder_draw_cuts(cr, lay);
  ladder_draw_axis(cr, lay);
  for (guint i = 0; i < lay->l->msgs->len; i++)
    ladder_draw_msg(cr, lay, &g_array_index(lay->l->msgs, LadderMsg, i));
  ladder_draw_labels(cr, lay);
  ladder_draw_crosses(cr, lay);
  ladder_font(cr, FALSE);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  for (guint i = 0; i < G_N_ELEMENTS(ladder_legend); i++)
    ladder_label(cr, 12, lay->height - 46 + 16 * i, ladder_legend[i], 0);
}

/* The SVG's title: the lanes, "ladder: alice, bob". */
static char *ladder_title(const Ladder *l)
{
  GString *names = g_string_new("ladder: ");
  for (guint i = 0; i < l->lanes->len; i++)
    g_string_append_printf(names, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(l->lanes, i));
  return g_string_free(names, FALSE);
}

static void ladder_draw_cb(cairo_t *cr, const void *data)
{
  ladder_draw(cr, data);
}

gboolean ladder_render(const Ladder *l, const char *path, LadderFormat format, GError **error)
{
  if (l->msgs->len == 0 || l->lanes->len < 2) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "a ladder needs two lanes and a message");
    return FALSE;
  }
  LadderLayout lay;
  ladder_layout(&lay, l);
  static const VizFormat formats[] = {[LADDER_SVG] = VIZ_SVG, [LADDER_PNG] = VIZ_PNG, [LADDER_PDF] = VIZ_PDF};
  char *title = ladder_title(l), *text = ladder_text(l);
  VizPicture pic = {lay.width, lay.height, title, text, ladder_draw_cb, &lay};
  gboolean ok = viz_surface_render(&pic, path, formats[format], error);
  g_free(title);
  g_free(text);
  ladder_layout_free(&lay);
  return ok;
}
