/*
 * Line charts of time series: time (seconds) on x, one quantity (with its
 * unit in the axis label) on y, one or more named series, each drawn as
 * steps (piecewise-constant data: cwnd, a queue's length) or as lines,
 * solid or dashed, with a legend and a title. The Plot knows nothing of
 * the run's files: sim/cli/cli_plot.c fills it in.
 *
 * Entry points: plot_new(), plot_series(), plot_point(), plot_window(),
 * plot_text() (the
 * summary: title, axes, ticks, series), plot_render() (SVG, PNG or PDF
 * through cairo, with the summary in the SVG's <title> and <desc>),
 * plot_ticks() (1-2-5 tick values), plot_free().
 */
#ifndef IPSIM_VIZ_PLOT_H
#define IPSIM_VIZ_PLOT_H

#include <glib.h>

typedef struct {
  double t, v; /* seconds, value */
} PlotPoint;

typedef struct {
  char *name;
  gboolean step;   /* the value holds until the next point */
  gboolean dashed; /* a second quantity of the same thing (ssthresh, rto) */
  GArray *points;  /* PlotPoint, by time */
} PlotSeries;

typedef struct {
  char *title;
  char *ylabel;      /* "cwnd (bytes)" */
  gboolean whole_y;  /* a count: y ticks at whole numbers only */
  double from, to;   /* the time shown, seconds; -1: the data's */
  GPtrArray *series; /* PlotSeries * */
} Plot;

typedef enum { PLOT_SVG, PLOT_PNG, PLOT_PDF } PlotFormat;

Plot *plot_new(const char *title, const char *ylabel);
void plot_free(Plot *p);
/* Adds a series (drawn in the order added) and returns it. */
PlotSeries *plot_series(Plot *p, const char *name, gboolean step, gboolean dashed);
void plot_point(PlotSeries *s, double t, double v);
/* Shows only the time from `from` to `to` (seconds; -1: open), dropping
 * the points outside; a series of steps starts at `from` with its value
 * then; a series left with no point is removed. */
void plot_window(Plot *p, double from, double to);
/* Ticks between lo and hi, about `want` of them, 1, 2 or 5 times a power
 * of ten apart: fills *first and *step, returns how many. */
guint plot_ticks(double lo, double hi, guint want, double *first, double *step);
/* The summary: the title, each axis with its label and tick values, each
 * series with its style, number of points and range. */
char *plot_text(const Plot *p);
/* Renders to `path`; FALSE with `error` set on failure (no point at all). */
gboolean plot_render(const Plot *p, const char *path, PlotFormat format, GError **error);

#endif
