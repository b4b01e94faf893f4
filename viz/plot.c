/*
 * Drawing a Plot (plot.h) with cairo, to SVG, PNG or PDF: a frame with
 * light grid lines at 1-2-5 tick values, "time (s)" under the x axis, the
 * quantity and its unit along the y axis (which starts at 0), the title
 * at the top, a legend row under it, and each series in its colour, as
 * steps or lines, dashed or solid, clipped to the frame. Text is cairo's
 * toy API in "sans-serif"; the SVG gets a <title> and a <desc> holding
 * plot_text(), since cairo draws letters as glyphs. The PDF's creation
 * date is fixed: the same plot gives the same bytes (viz/surface.c renders).
 *
 * Entry points: plot_new(), plot_series(), plot_point(), plot_window(),
 * plot_ticks(),
 * plot_text(), plot_render(), plot_free().
 */
#include "viz/plot.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "viz/surface.h"

#define PLOT_W 900.0
#define PLOT_H 520.0
#define PLOT_LEFT 90.0
#define PLOT_RIGHT 30.0
#define PLOT_TOP 70.0
#define PLOT_BOTTOM 60.0
#define PLOT_FONT "sans-serif"

typedef struct {
  double x0, x1, y0, y1;     /* data range */
  double fx0, fx1, fy0, fy1; /* frame, in pixels (fy0 at the bottom) */
} PlotFrame;

static const double plot_colours[][3] = {
    {0.12, 0.30, 0.62}, {0.85, 0.42, 0.0}, {0.12, 0.48, 0.20}, {0.70, 0.10, 0.10}, {0.45, 0.25, 0.60}, {0.3, 0.3, 0.3},
};

Plot *plot_new(const char *title, const char *ylabel)
{
  Plot *p = g_new0(Plot, 1);
  p->title = g_strdup(title);
  p->ylabel = g_strdup(ylabel);
  p->from = -1;
  p->to = -1;
  p->series = g_ptr_array_new();
  return p;
}

void plot_free(Plot *p)
{
  if (!p)
    return;
  for (guint i = 0; i < p->series->len; i++) {
    PlotSeries *s = g_ptr_array_index(p->series, i);
    g_free(s->name);
    g_array_free(s->points, TRUE);
    g_free(s);
  }
  g_ptr_array_free(p->series, TRUE);
  g_free(p->title);
  g_free(p->ylabel);
  g_free(p);
}

PlotSeries *plot_series(Plot *p, const char *name, gboolean step, gboolean dashed)
{
  PlotSeries *s = g_new0(PlotSeries, 1);
  s->name = g_strdup(name);
  s->step = step;
  s->dashed = dashed;
  s->points = g_array_new(FALSE, FALSE, sizeof(PlotPoint));
  g_ptr_array_add(p->series, s);
  return s;
}

void plot_point(PlotSeries *s, double t, double v)
{
  PlotPoint pt = {t, v};
  g_array_append_val(s->points, pt);
}

/* Keeps the points of `s` between from and to; a series of steps starts
 * at `from` with the value it held then. */
static void plot_window_series(PlotSeries *s, double from, double to)
{
  GArray *kept = g_array_new(FALSE, FALSE, sizeof(PlotPoint));
  for (guint k = 0; k < s->points->len; k++) {
    PlotPoint pt = g_array_index(s->points, PlotPoint, k);
    gboolean last_before =
        pt.t < from && (k + 1 == s->points->len || g_array_index(s->points, PlotPoint, k + 1).t > from);
    if (last_before && s->step) {
      pt.t = from;
      g_array_append_val(kept, pt);
    } else if (pt.t >= from && pt.t <= to)
      g_array_append_val(kept, pt);
  }
  g_array_free(s->points, TRUE);
  s->points = kept;
}

void plot_window(Plot *p, double from, double to)
{
  p->from = from;
  p->to = to;
  from = from < 0 ? -G_MAXDOUBLE : from;
  to = to < 0 ? G_MAXDOUBLE : to;
  for (guint i = p->series->len; i-- > 0;) {
    PlotSeries *s = g_ptr_array_index(p->series, i);
    plot_window_series(s, from, to);
    if (s->points->len == 0) { /* nothing to draw nor to name in the legend */
      g_ptr_array_remove_index(p->series, i);
      g_free(s->name);
      g_array_free(s->points, TRUE);
      g_free(s);
    }
  }
}

guint plot_ticks(double lo, double hi, guint want, double *first, double *step)
{
  double span = hi > lo ? hi - lo : 1, raw = span / MAX(want, 1);
  double mag = pow(10, floor(log10(raw))), f = raw / mag;
  *step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  *first = ceil(lo / *step - 1e-9) * *step;
  guint n = 0;
  while (*first + n * *step <= hi + *step * 1e-9)
    n++;
  return n;
}

/* The y ticks: whole numbers only for a count. */
static guint plot_yticks(const Plot *p, double lo, double hi, double *first, double *step)
{
  guint n = plot_ticks(lo, hi, 6, first, step);
  if (p->whole_y && *step < 1) {
    *step = 1;
    *first = ceil(lo - 1e-9);
    n = (guint)(floor(hi + 1e-9) - *first) + 1;
  }
  return n;
}

/* Tick value `v` with as many decimals as `step` needs. */
static char *plot_tick_label(double v, double step)
{
  int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
  if (fabs(v) < step * 1e-6)
    v = 0;
  return g_strdup_printf("%.*f", decimals, v);
}

/* The data range: time from 0 (or `from`) to the last point (or `to`),
 * values from 0 up. */
static PlotFrame plot_frame(const Plot *p)
{
  PlotFrame f = {0, -G_MAXDOUBLE, 0, 0, PLOT_LEFT, PLOT_W - PLOT_RIGHT, PLOT_H - PLOT_BOTTOM, PLOT_TOP};
  for (guint i = 0; i < p->series->len; i++) {
    const GArray *pts = ((const PlotSeries *)g_ptr_array_index(p->series, i))->points;
    for (guint k = 0; k < pts->len; k++) {
      const PlotPoint *pt = &g_array_index(pts, PlotPoint, k);
      f.x1 = MAX(f.x1, pt->t);
      f.y1 = MAX(f.y1, pt->v);
    }
  }
  if (p->from >= 0)
    f.x0 = p->from;
  if (p->to >= 0)
    f.x1 = p->to;
  if (f.x1 <= f.x0)
    f.x1 = f.x0 + 1;
  double first, step;
  if (p->to < 0) {
    plot_ticks(f.x0, f.x1, 8, &first, &step);
    f.x1 = ceil(f.x1 / step - 1e-9) * step; /* out to a tick */
  }
  double top = f.y1 > 0 ? f.y1 * 1.05 : 1;
  plot_yticks(p, 0, top, &first, &step);
  f.y1 = ceil(top / step - 1e-9) * step; /* up to a tick */
  return f;
}

static double plot_x(const PlotFrame *f, double t)
{
  return f->fx0 + (t - f->x0) / (f->x1 - f->x0) * (f->fx1 - f->fx0);
}

static double plot_y(const PlotFrame *f, double v)
{
  return f->fy0 - (v - f->y0) / (f->y1 - f->y0) * (f->fy0 - f->fy1);
}

/* Appends an axis's ticks to `out`: "x ticks: 0 0.5 1". */
static void plot_text_ticks(GString *out, const Plot *p, const char *axis, double lo, double hi)
{
  double first, step;
  guint n = axis[0] == 'x' ? plot_ticks(lo, hi, 8, &first, &step) : plot_yticks(p, lo, hi, &first, &step);
  g_string_append_printf(out, "%s ticks:", axis);
  for (guint i = 0; i < n; i++) {
    char *t = plot_tick_label(first + i * step, step);
    g_string_append_printf(out, " %s", t);
    g_free(t);
  }
  g_string_append_c(out, '\n');
}

char *plot_text(const Plot *p)
{
  PlotFrame f = plot_frame(p);
  GString *out = g_string_new(NULL);
  g_string_append_printf(out, "title: %s\nx axis: time (s), %.6f to %.6f\n", p->title, f.x0, f.x1);
  plot_text_ticks(out, p, "x", f.x0, f.x1);
  g_string_append_printf(out, "y axis: %s, 0 to %g\n", p->ylabel, f.y1);
  plot_text_ticks(out, p, "y", f.y0, f.y1);
  g_string_append_printf(out, "series: %u\n", p->series->len);
  for (guint i = 0; i < p->series->len; i++) {
    const PlotSeries *s = g_ptr_array_index(p->series, i);
    double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
    for (guint k = 0; k < s->points->len; k++) {
      lo = MIN(lo, g_array_index(s->points, PlotPoint, k).v);
      hi = MAX(hi, g_array_index(s->points, PlotPoint, k).v);
    }
    g_string_append_printf(out, "series %u: %s (%s, %s, %u points", i + 1, s->name, s->step ? "steps" : "lines",
                           s->dashed ? "dashed" : "solid", s->points->len);
    if (s->points->len)
      g_string_append_printf(out, ", %g to %g", lo, hi);
    g_string_append(out, ")\n");
  }
  return g_string_free(out, FALSE);
}

static void plot_font(cairo_t *cr, double size, gboolean bold)
{
  cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

/* Text at (x, y); `align` 0 left, 0.5 centred, 1 right. */
static double plot_show(cairo_t *cr, double x, double y, const char *text, double align)
{
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  cairo_move_to(cr, x - e.x_advance * align, y);
  cairo_show_text(cr, text);
  return e.x_advance;
}

/* The grid lines and tick labels of the x axis. */
static void plot_draw_xticks(cairo_t *cr, const PlotFrame *f)
{
  double first, step;
  guint n = plot_ticks(f->x0, f->x1, 8, &first, &step);
  for (guint i = 0; i < n; i++) {
    double v = first + i * step, x = plot_x(f, v);
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, x, f->fy0);
    cairo_line_to(cr, x, f->fy1);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    char *t = plot_tick_label(v, step);
    plot_show(cr, x, f->fy0 + 18, t, 0.5);
    g_free(t);
  }
}

/* The grid lines and tick labels of the y axis. */
static void plot_draw_yticks(cairo_t *cr, const Plot *p, const PlotFrame *f)
{
  double first, step;
  guint n = plot_yticks(p, f->y0, f->y1, &first, &step);
  for (guint i = 0; i < n; i++) {
    double v = first + i * step, y = plot_y(f, v);
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, f->fx0, y);
    cairo_line_to(cr, f->fx1, y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    char *t = plot_tick_label(v, step);
    plot_show(cr, f->fx0 - 8, y + 4, t, 1);
    g_free(t);
  }
}

/* The frame, grid, tick labels, axis labels and title. */
static void plot_draw_axes(cairo_t *cr, const Plot *p, const PlotFrame *f)
{
  cairo_set_line_width(cr, 1);
  plot_font(cr, 12, FALSE);
  plot_draw_xticks(cr, f);
  plot_draw_yticks(cr, p, f);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_rectangle(cr, f->fx0, f->fy1, f->fx1 - f->fx0, f->fy0 - f->fy1);
  cairo_stroke(cr);
  plot_font(cr, 13, FALSE);
  plot_show(cr, (f->fx0 + f->fx1) / 2, PLOT_H - 18, "time (s)", 0.5);
  cairo_save(cr);
  cairo_translate(cr, 22, (f->fy0 + f->fy1) / 2);
  cairo_rotate(cr, -G_PI / 2);
  plot_show(cr, 0, 0, p->ylabel, 0.5);
  cairo_restore(cr);
  plot_font(cr, 15, TRUE);
  plot_show(cr, PLOT_LEFT, 26, p->title, 0);
}

/* Sets the colour and dashes of series `i`: a dashed series takes the
 * colour of the solid one before it (ssthresh that of its cwnd). */
static void plot_style(cairo_t *cr, const Plot *p, guint i)
{
  const PlotSeries *s = g_ptr_array_index(p->series, i);
  guint colour = 0;
  for (guint j = 1; j <= i; j++)
    colour += !((const PlotSeries *)g_ptr_array_index(p->series, j))->dashed;
  const double *c = plot_colours[colour % G_N_ELEMENTS(plot_colours)];
  static const double dash[] = {7, 4};
  cairo_set_source_rgb(cr, c[0], c[1], c[2]);
  cairo_set_line_width(cr, s->dashed ? 1.6 : 1.8);
  cairo_set_dash(cr, dash, s->dashed ? 2 : 0, 0);
}

/* One series, clipped to the frame; steps hold the last value to the end. */
static void plot_draw_series(cairo_t *cr, const Plot *p, const PlotFrame *f, guint i)
{
  const PlotSeries *s = g_ptr_array_index(p->series, i);
  if (!s->points->len)
    return;
  cairo_save(cr);
  cairo_rectangle(cr, f->fx0, f->fy1, f->fx1 - f->fx0, f->fy0 - f->fy1);
  cairo_clip(cr);
  plot_style(cr, p, i);
  const PlotPoint *pt = (const PlotPoint *)(void *)s->points->data;
  cairo_move_to(cr, plot_x(f, pt[0].t), plot_y(f, pt[0].v));
  for (guint k = 1; k < s->points->len; k++) {
    if (s->step)
      cairo_line_to(cr, plot_x(f, pt[k].t), plot_y(f, pt[k - 1].v));
    cairo_line_to(cr, plot_x(f, pt[k].t), plot_y(f, pt[k].v));
  }
  if (s->step)
    cairo_line_to(cr, f->fx1, plot_y(f, pt[s->points->len - 1].v));
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* A row of legend entries under the title: a short line in each
 * series' style, then its name. */
static void plot_draw_legend(cairo_t *cr, const Plot *p)
{
  double x = PLOT_LEFT, y = 50;
  plot_font(cr, 12, FALSE);
  for (guint i = 0; i < p->series->len; i++) {
    const PlotSeries *s = g_ptr_array_index(p->series, i);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s->name, &e);
    if (x + 34 + e.x_advance > PLOT_W - PLOT_RIGHT && x > PLOT_LEFT) {
      x = PLOT_LEFT;
      y += 14; /* a second row, over the frame's top margin */
    }
    plot_style(cr, p, i);
    cairo_move_to(cr, x, y - 4);
    cairo_line_to(cr, x + 26, y - 4);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    x += 32 + plot_show(cr, x + 32, y, s->name, 0) + 20;
  }
}

static void plot_draw(cairo_t *cr, const Plot *p)
{
  PlotFrame f = plot_frame(p);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  plot_draw_axes(cr, p, &f);
  for (guint i = 0; i < p->series->len; i++)
    plot_draw_series(cr, p, &f, i);
  plot_draw_legend(cr, p);
}

static void plot_draw_cb(cairo_t *cr, const void *data)
{
  plot_draw(cr, data);
}

gboolean plot_render(const Plot *p, const char *path, PlotFormat format, GError **error)
{
  guint points = 0;
  for (guint i = 0; i < p->series->len; i++)
    points += ((const PlotSeries *)g_ptr_array_index(p->series, i))->points->len;
  if (points == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "nothing to plot: no point in the time shown");
    return FALSE;
  }
  char *title = g_strdup_printf("plot: %s", p->title), *text = plot_text(p);
  VizPicture pic = {PLOT_W, PLOT_H, title, text, plot_draw_cb, p};
  static const VizFormat formats[] = {[PLOT_SVG] = VIZ_SVG, [PLOT_PNG] = VIZ_PNG, [PLOT_PDF] = VIZ_PDF};
  gboolean ok = viz_surface_render(&pic, path, formats[format], error);
  g_free(title);
  g_free(text);
  return ok;
}
