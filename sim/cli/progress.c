/*
 * Progress of a long run (progress.h). The scheduler runs in slices of
 * simulated time, and the wall clock is read once per slice, never per
 * event: a slice doubles while it takes under 20 ms of wall time and halves
 * when it takes over 100 ms, so a slice costs one clock read whatever the
 * density of events. Running up to t1 and then to t2 executes exactly what
 * one run up to t2 does (scheduler_run runs every event up to its bound,
 * those they schedule included), so the outputs do not change.
 *
 * Entry points: progress_text(), progress_run().
 */
#include "sim/cli/progress.h"

#include "sim/text/units.h"

/* "7m05s", "42s": a wall-clock time left. */
static char *progress_left(double s)
{
  if (s >= 60)
    return g_strdup_printf("%dm%02ds", (int)(s / 60), (int)s % 60);
  return g_strdup_printf("%.0fs", s);
}

/* The progress line: "sim 12.500s of 60s (20.8%), 1234567 events/s, about
 * 38s left". */
char *progress_text(SimTime now, SimTime stop, uint64_t events, double wall_s)
{
  double done = stop > 0 ? (double)now / (double)stop : 1.0;
  char *end = units_format_duration(stop);
  GString *s = g_string_new(NULL);
  g_string_printf(s, "sim %.3fs of %s (%.1f%%), %.0f events/s", (double)now / 1e9, end, 100.0 * done,
                  wall_s > 0 ? (double)events / wall_s : 0.0);
  if (done > 0) {
    char *left = progress_left(wall_s * (1.0 - done) / done);
    g_string_append_printf(s, ", about %s left", left);
    g_free(left);
  }
  g_free(end);
  return g_string_free(s, FALSE);
}

typedef struct {
  FILE *tty;
  gint64 start, last; /* monotonic µs: the run's start, the last line */
  double after;       /* seconds of wall time before the first line */
  gboolean shown;
} Progress;

/* PROGRESS_AFTER_S, or the IPSIM_PROGRESS_AFTER_S of the environment (tests set 0). */
static double progress_after(void)
{
  const char *v = g_getenv("IPSIM_PROGRESS_AFTER_S");
  return v ? g_ascii_strtod(v, NULL) : PROGRESS_AFTER_S;
}

/* Rewrites the line when the run is long enough and the last line old enough. */
static void progress_show(Progress *p, const Network *net, uint64_t events, gint64 now)
{
  double wall = (double)(now - p->start) / 1e6;
  if (wall < p->after || (p->shown && now - p->last < G_USEC_PER_SEC / PROGRESS_PER_S))
    return;
  char *text = progress_text(scheduler_now(net->ctx.sched), net->stop, events, wall);
  fprintf(p->tty, "\r%s\033[K", text);
  fflush(p->tty);
  g_free(text);
  p->shown = TRUE;
  p->last = now;
}

/* Runs the network to its stop time like network_run(), showing progress
 * on `tty` (NULL: none, a plain network_run()). Returns the events run. */
uint64_t progress_run(Network *net, FILE *tty)
{
  if (!tty)
    return network_run(net);
  Progress p = {tty, g_get_monotonic_time(), 0, progress_after(), FALSE};
  SimTime slice = MAX(net->stop / 1024, 1);
  uint64_t events = 0;
  for (SimTime t = scheduler_now(net->ctx.sched); t < net->stop;) {
    gint64 before = g_get_monotonic_time();
    t = net->stop - t > slice ? t + slice : net->stop;
    events += scheduler_run(net->ctx.sched, t);
    gint64 after = g_get_monotonic_time();
    if (after - before < 20000 && slice < net->stop)
      slice *= 2;
    else if (after - before > 100000 && slice > 1)
      slice /= 2;
    progress_show(&p, net, events, after);
  }
  if (p.shown)
    fprintf(tty, "\r\033[K");
  return events;
}
