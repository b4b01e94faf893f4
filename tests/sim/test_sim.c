/* Runs the kernel's Check suites: scheduler, units, random streams, packets, the real-time loop. */
#include <stdlib.h>

#include "tests/sim/suites.h"

int main(void)
{
  SRunner *runner = srunner_create(scheduler_suite());
  srunner_add_suite(runner, units_suite());
  srunner_add_suite(runner, rng_suite());
  srunner_add_suite(runner, packet_suite());
  srunner_add_suite(runner, realtime_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
