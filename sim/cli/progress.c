/*
 * Progress of a long run (progress.h). The scheduler runs in slices of
 * simulated time, and the wall clock is read once per slice, never per
 * event: a slice doubles while it takes under 20 ms of wall time and halves
 * when it takes over 100 ms, so a slice costs one clock read whatever the
 * density of events. Running up to t1 and then to t2 executes exactly what
 * one run up to t2 does (scheduler_run runs every event up to its bound,
 * those they schedule included), so the outputs do not change.
 *
 * In real time the run cannot be sliced (the loop keeps the wall clock):
 * the real-time loop calls progress_tick() every 1/PROGRESS_PER_S s.
 *
 * The applications' lines go to the same terminal: progress_stream()
 * wraps their stream so that each write first erases the progress line,
 * which the next slice or tick draws again below them.
 *
 * Entry points: progress_text(), progress_new(), progress_stream(),
 * progress_run(), progress_run_realtime(), progress_free().
 */
#define _GNU_SOURCE /* fopencookie */
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

struct Progress {
  FILE *tty;          /* NULL: no progress */
  FILE *out, *guard;  /* the applications' stream, and its wrapper (or NULL) */
  gint64 start, last; /* monotonic µs: the run's start, the last line */
  double after;       /* seconds of wall time before the first line */
  gboolean shown;
  const Network *net;
  uint64_t before; /* events executed before the run */
};

/* PROGRESS_AFTER_S, or the IPSIM_PROGRESS_AFTER_S of the environment (tests set 0). */
static double progress_after(void)
{
  const char *v = g_getenv("IPSIM_PROGRESS_AFTER_S");
  return v ? g_ascii_strtod(v, NULL) : PROGRESS_AFTER_S;
}

/* Erases the line, if it is shown. */
static void progress_erase(Progress *p)
{
  if (!p->shown)
    return;
  fputs("\r\033[K", p->tty);
  fflush(p->tty);
  p->shown = FALSE;
}

static ssize_t progress_guard_write(void *cookie, const char *buf, size_t n)
{
  Progress *p = cookie;
  progress_erase(p);
  size_t done = fwrite(buf, 1, n, p->out);
  fflush(p->out);
  return done == n ? (ssize_t)n : -1;
}

/* Progress of a run on `tty` (NULL: none) whose applications print to `out` (may be NULL). */
Progress *progress_new(FILE *tty, FILE *out)
{
  Progress *p = g_new0(Progress, 1);
  p->tty = tty;
  p->out = out;
  p->after = progress_after();
  if (tty && out) {
    p->guard = fopencookie(p, "w", (cookie_io_functions_t){.write = progress_guard_write});
    if (p->guard)
      setvbuf(p->guard, NULL, _IOLBF, 0);
  }
  return p;
}

/* Where the applications print: `out`, erasing the progress line first. */
FILE *progress_stream(const Progress *p)
{
  return p->guard ? p->guard : p->out;
}

/* Erases the line; closes the stream of progress_stream(). NULL-safe. */
void progress_free(Progress *p)
{
  if (!p)
    return;
  if (p->guard)
    fclose(p->guard);
  if (p->tty)
    progress_erase(p);
  g_free(p);
}

/* Rewrites the line when the run is long enough and the last line old enough. */
static void progress_show(Progress *p, uint64_t events, gint64 now)
{
  double wall = (double)(now - p->start) / 1e6;
  if (wall < p->after || (p->shown && now - p->last < G_USEC_PER_SEC / PROGRESS_PER_S))
    return;
  char *text = progress_text(scheduler_now(p->net->ctx.sched), p->net->stop, events, wall);
  fprintf(p->tty, "\r%s\033[K", text);
  fflush(p->tty);
  g_free(text);
  p->shown = TRUE;
  p->last = now;
}

static void progress_start(Progress *p, const Network *net)
{
  p->net = net;
  p->start = g_get_monotonic_time();
  p->before = scheduler_executed(net->ctx.sched);
}

/* Runs the network to its stop time like network_run(), showing progress
 * (none without a terminal: a plain network_run()). Returns the events run. */
uint64_t progress_run(Progress *p, Network *net)
{
  if (!p->tty)
    return network_run(net);
  progress_start(p, net);
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
    progress_show(p, events, after);
  }
  progress_erase(p);
  return events;
}

static void progress_tick(void *data)
{
  Progress *p = data;
  progress_show(p, scheduler_executed(p->net->ctx.sched) - p->before, g_get_monotonic_time());
}

/* Runs the network in real time to its stop time, showing progress.
 * Returns how the run ended; *events the events run. */
RtEnd progress_run_realtime(Progress *p, Network *net, uint64_t *events)
{
  progress_start(p, net);
  if (p->tty)
    rt_set_tick(net->ctx.rt, SIMTIME_S(1) / PROGRESS_PER_S, progress_tick, p);
  RtEnd end = rt_run(net->ctx.rt, net->stop);
  if (p->tty)
    rt_set_tick(net->ctx.rt, SIMTIME_S(1), NULL, NULL);
  progress_erase(p);
  *events = scheduler_executed(net->ctx.sched) - p->before;
  return end;
}
