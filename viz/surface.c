/*
 * Rendering through cairo to SVG, PNG or PDF (surface.h): one surface of
 * the picture's size per format, the drawing callback, cairo's status
 * checked after drawing and after finishing. The SVG is written to
 * memory first so that its <title> and <desc> go right after the <svg>
 * tag; the PDF's creation date is fixed (2000-01-01) for deterministic
 * output.
 *
 * Entry point: viz_surface_render().
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <string.h>

#include "viz/surface.h"

/* Sets `error` from a cairo status; TRUE when it is success. */
static gboolean viz_status(cairo_status_t status, const char *path, GError **error)
{
  if (status != CAIRO_STATUS_SUCCESS)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, cairo_status_to_string(status));
  return status == CAIRO_STATUS_SUCCESS;
}

/* Draws onto `s` and finishes it. */
static gboolean viz_finish(cairo_surface_t *s, const VizPicture *pic, const char *path, GError **error)
{
  cairo_t *cr = cairo_create(s);
  pic->draw(cr, pic->data);
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status(s);
  return viz_status(status, path, error);
}

static cairo_status_t viz_svg_write(void *closure, const unsigned char *data, unsigned int length)
{
  g_string_append_len(closure, (const char *)data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean viz_render_svg(const VizPicture *pic, const char *path, GError **error)
{
  GString *svg = g_string_new(NULL);
  cairo_surface_t *s = cairo_svg_surface_create_for_stream(viz_svg_write, svg, pic->width, pic->height);
  gboolean ok = viz_finish(s, pic, path, error);
  cairo_surface_destroy(s);
  const char *open = strstr(svg->str, "<svg"), *end = open ? strchr(open, '>') : NULL;
  if (ok && end) {
    char *head =
        g_markup_printf_escaped("\n<title>%s</title>\n<desc>\n%s</desc>", pic->title, pic->desc ? pic->desc : "");
    g_string_insert(svg, end + 1 - svg->str, head);
    g_free(head);
  }
  ok = ok && g_file_set_contents(path, svg->str, (gssize)svg->len, error);
  g_string_free(svg, TRUE);
  return ok;
}

static gboolean viz_render_png(const VizPicture *pic, const char *path, GError **error)
{
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(pic->width), (int)ceil(pic->height));
  cairo_t *cr = cairo_create(s);
  pic->draw(cr, pic->data);
  cairo_destroy(cr);
  cairo_status_t status = cairo_surface_write_to_png(s, path);
  cairo_surface_destroy(s);
  return viz_status(status, path, error);
}

static gboolean viz_render_pdf(const VizPicture *pic, const char *path, GError **error)
{
  cairo_surface_t *s = cairo_pdf_surface_create(path, pic->width, pic->height);
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, pic->title);
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "ipsim");
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
  gboolean ok = viz_finish(s, pic, path, error);
  cairo_surface_destroy(s);
  return ok;
}

gboolean viz_surface_render(const VizPicture *pic, const char *path, VizFormat format, GError **error)
{
  switch (format) {
  case VIZ_SVG:
    return viz_render_svg(pic, path, error);
  case VIZ_PNG:
    return viz_render_png(pic, path, error);
  case VIZ_PDF:
    return viz_render_pdf(pic, path, error);
  }
  return FALSE;
}
