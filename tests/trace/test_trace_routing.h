/*
 * The routing decoders' tests (test_trace_routing.c), added to the trace
 * suite of tests/trace/test_trace.c.
 */
#ifndef IPSIM_TEST_TRACE_ROUTING_H
#define IPSIM_TEST_TRACE_ROUTING_H

#include <check.h>

void trace_routing_add_tests(Suite *s);

#endif
