/*
 * Cutting a trace line into its fields (trace_line.h): the time, node,
 * interface and verb, and for a packet's line its id, its notes in
 * parentheses and where its headers start.
 *
 * Entry points: trace_line_time(), trace_line_split(), trace_line_packet().
 */
#include <string.h>

#include "sim/cli/trace_line.h"

gboolean trace_line_time(const char *text, SimTime *out)
{
  char *end = NULL;
  guint64 s = g_ascii_strtoull(text, &end, 10);
  if (end == text || *end != '.' || strlen(end + 1) != 9)
    return FALSE;
  guint64 ns = g_ascii_strtoull(end + 1, NULL, 10);
  *out = (SimTime)(s * 1000000000ull + ns);
  return TRUE;
}

gboolean trace_line_split(char *copy, TraceLine *l)
{
  char *f[4];
  char *at = copy;
  for (int i = 0; i < 4; i++) {
    char *sp = strchr(at, ' ');
    if (!sp)
      return FALSE;
    *sp = '\0';
    f[i] = at;
    at = sp + 1;
  }
  l->node = f[1];
  l->iface = f[2];
  l->verb = f[3];
  l->rest = at;
  return trace_line_time(f[0], &l->time);
}

/* Reads one "(...)" note at `at` into `p`; returns what follows it. */
static const char *trace_line_note(const char *at, TracePacket *p)
{
  const char *close = strchr(at, ')');
  if (!close)
    return NULL;
  if (strncmp(at, "(retransmit", 11) == 0)
    p->retransmit = TRUE;
  if (strncmp(at, "(frag of", 8) == 0)
    p->fragment = TRUE;
  const char *hash = memchr(at, '#', (size_t)(close - at));
  if (hash && !p->parent)
    p->parent = g_ascii_strtoll(hash + 1, NULL, 10);
  return close[1] == ' ' ? close + 2 : close + 1;
}

gboolean trace_line_packet(const char *rest, TracePacket *p)
{
  *p = (TracePacket){0};
  if (rest[0] != '#')
    return FALSE;
  char *end = NULL;
  p->id = g_ascii_strtoll(rest + 1, &end, 10);
  if (end == rest + 1 || p->id <= 0)
    return FALSE;
  const char *at = *end == ' ' ? end + 1 : end;
  while (at && *at == '(')
    at = trace_line_note(at, p);
  p->headers = at ? at : "";
  return TRUE;
}
