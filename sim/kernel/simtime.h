/*
 * Simulated time: signed 64-bit integer nanoseconds since the start of the
 * run. Integer time keeps runs exact and reproducible; int64 covers about
 * 292 years. Parsing and printing of durations live in sim/units.h.
 */
#ifndef IPSIM_SIMTIME_H
#define IPSIM_SIMTIME_H

#include <stdint.h>

typedef int64_t SimTime;

#define SIMTIME_NS(x) ((SimTime)(x))
#define SIMTIME_US(x) ((SimTime)(x)*INT64_C(1000))
#define SIMTIME_MS(x) ((SimTime)(x)*INT64_C(1000000))
#define SIMTIME_S(x) ((SimTime)(x)*INT64_C(1000000000))
#define SIMTIME_MAX INT64_MAX

/* Seconds as a double, for printing and statistics only. */
#define SIMTIME_TO_SECONDS(t) ((double)(t) / 1e9)

#endif
