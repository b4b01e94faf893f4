/* The Check suites of the kernel, one per module, run by tests/sim/test_sim.c. */
#ifndef IPSIM_TEST_SIM_SUITES_H
#define IPSIM_TEST_SIM_SUITES_H

#include <check.h>

Suite *scheduler_suite(void);
Suite *units_suite(void);
Suite *rng_suite(void);
Suite *packet_suite(void);
Suite *realtime_suite(void);

#endif
