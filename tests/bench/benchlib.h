/*
 * What the benchmarks that drive the ipsim binary share: running
 * `ipsim run --quiet --out DIR FILE` as a child, timed, with its peak RSS,
 * and reading numbers out of the JSON files it writes.
 *
 * Entry points: bench_run_ipsim(), bench_run_ipsim_to(), bench_json_number().
 */
#ifndef IPSIM_BENCHLIB_H
#define IPSIM_BENCHLIB_H

#include <stdint.h>

double bench_run_ipsim(const char *who, const char *ipsim, const char *file, const char *dir, long *rss_kib);
double bench_run_ipsim_to(const char *who, const char *ipsim, const char *file, const char *dir, const char *out,
                          long *rss_kib);
uint64_t bench_json_number(const char *dir, const char *file, const char *key);

#endif
