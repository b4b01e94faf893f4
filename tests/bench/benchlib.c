/*
 * The shared part of the benchmarks that drive the ipsim binary (chain,
 * dumbbell): a timed child run and numbers read back from its JSON.
 */
#define _GNU_SOURCE

#include "tests/bench/benchlib.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child: execs `ipsim run [--quiet] --out DIR FILE`, its standard
 * output to `out` when given. */
static void bench_exec_ipsim(const char *ipsim, const char *file, const char *dir, const char *out)
{
  if (out && !freopen(out, "w", stdout)) {
    perror(out);
    _exit(127);
  }
  if (out)
    execl(ipsim, ipsim, "run", "--out", dir, file, (char *)NULL);
  else
    execl(ipsim, ipsim, "run", "--quiet", "--out", dir, file, (char *)NULL);
  perror(ipsim);
  _exit(127);
}

/* Runs `ipsim run --quiet --out DIR FILE`; returns its wall time in seconds
 * and its peak RSS in *rss_kib. Exits (naming `who`) if the run fails. */
double bench_run_ipsim(const char *who, const char *ipsim, const char *file, const char *dir, long *rss_kib)
{
  return bench_run_ipsim_to(who, ipsim, file, dir, NULL, rss_kib);
}

/* As bench_run_ipsim(), but without --quiet and with the run's standard
 * output (the apps' lines, the summary) written to the file `out`, when
 * `out` is not NULL. */
double bench_run_ipsim_to(const char *who, const char *ipsim, const char *file, const char *dir, const char *out,
                          long *rss_kib)
{
  gint64 start = g_get_monotonic_time();
  pid_t pid = fork();
  if (pid == 0)
    bench_exec_ipsim(ipsim, file, dir, out);
  int status = 0;
  struct rusage usage;
  if (pid < 0 || wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "%s: '%s run' failed (status %d)\n", who, ipsim, status);
    exit(2);
  }
  *rss_kib = usage.ru_maxrss;
  return (double)(g_get_monotonic_time() - start) / 1e6;
}

/* Reads the number after `"key": ` in DIR/FILE, summed over every
 * occurrence; 0 if absent. */
uint64_t bench_json_number(const char *dir, const char *file, const char *key)
{
  char *path = g_build_filename(dir, file, NULL), *text = NULL;
  char *needle = g_strdup_printf("\"%s\": ", key);
  uint64_t value = 0;
  if (g_file_get_contents(path, &text, NULL, NULL))
    for (const char *at = text; (at = strstr(at, needle)); at += strlen(needle))
      value += g_ascii_strtoull(at + strlen(needle), NULL, 10);
  g_free(text);
  g_free(needle);
  g_free(path);
  return value;
}
