/* Placeholder: written by its work of issue 4. */
#include "tests/testlib.h"

int main(void)
{
  Suite *s = suite_create("placeholder");
  return testlib_run_suite(s);
}
