/*
 * Progress of a long run on a terminal: once a run has taken more than
 * PROGRESS_AFTER_S of wall time (IPSIM_PROGRESS_AFTER_S in the
 * environment overrides it: the tests set 0), one line on standard error, rewritten in
 * place (\r) at most PROGRESS_PER_S times a second, with the simulated time
 * against the stop time, events per second and an estimate of the time
 * left; cleared when the run ends. In real time too.
 *
 * The applications' lines share the terminal: they go through
 * progress_stream(), which erases the progress line before each.
 *
 * Entry points: progress_text() (the line, for tests too);
 * progress_new(), progress_stream(), progress_free();
 * progress_run() (runs the network, showing progress on `tty`);
 * progress_run_realtime() (the same, in real time).
 */
#ifndef IPSIM_PROGRESS_H
#define IPSIM_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "models/core/network.h"
#include "sim/kernel/realtime.h"
#include "sim/kernel/simtime.h"

#define PROGRESS_AFTER_S 2.0
#define PROGRESS_PER_S 4

typedef struct Progress Progress;

char *progress_text(SimTime now, SimTime stop, uint64_t events, double wall_s);
Progress *progress_new(FILE *tty, FILE *out);
FILE *progress_stream(const Progress *p);
void progress_free(Progress *p);
uint64_t progress_run(Progress *p, Network *net);
RtEnd progress_run_realtime(Progress *p, Network *net, uint64_t *events);

#endif
