/*
 * Rendering a picture to a file through cairo, shared by the ladder
 * (viz/ladder_draw.c) and the plots (viz/plot.c): a drawing callback on
 * an SVG, PNG or PDF surface of a given size, cairo's errors as a GError;
 * the SVG with a <title> and a <desc> put right after its <svg ...> tag
 * (what a screen reader or a test reads), the PDF with a fixed creation
 * date so that the same picture gives the same bytes.
 *
 * Entry point: viz_surface_render().
 */
#ifndef IPSIM_VIZ_SURFACE_H
#define IPSIM_VIZ_SURFACE_H

#include <cairo.h>
#include <glib.h>

typedef enum { VIZ_SVG, VIZ_PNG, VIZ_PDF } VizFormat;

/* Draws the picture with `cr`; `data` is the caller's. */
typedef void (*VizDrawFn)(cairo_t *cr, const void *data);

typedef struct {
  double width, height; /* points (pixels for PNG) */
  const char *title;    /* the SVG's <title>, the PDF's title */
  const char *desc;     /* the SVG's <desc>, or NULL */
  VizDrawFn draw;
  const void *data;
} VizPicture;

/* Draws `pic` to `path` in `format`; FALSE with `error` set on failure. */
gboolean viz_surface_render(const VizPicture *pic, const char *path, VizFormat format, GError **error);

#endif
