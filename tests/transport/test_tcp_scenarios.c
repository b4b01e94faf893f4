/*
 * TCP on whole scenarios, as a user would notice it: flows sharing a
 * bottleneck get fair shares, and a flow on a lossy path gets the goodput
 * that the Mathis formula predicts. Each scenario is built from YAML and run
 * in-process (network_build, network_run); goodputs come from the flow
 * table: the bytes each flow handed to its receiving application in order.
 *
 * - Fairness: the benchmark's dumbbell (tests/bench/dumbbell.c) with ten
 *   flows, run for 60 s: Jain's index of the per-flow goodputs is at least
 *   0.95, and together they fill the bottleneck.
 * - Mathis et al., "The macroscopic behavior of the TCP congestion avoidance
 *   algorithm" (CCR 1997): with random loss p, a flow whose window is
 *   limited by loss alone averages (MSS / RTT) x C / sqrt(p), C = sqrt(3/2)
 *   when every segment is acknowledged.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "models/app/app.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "tests/testlib.h"

/* The goodput of the fullest frame at `bps`: 1448 data bytes in a
 * 1514-byte frame (14 Ethernet, 20 IPv4, 20 TCP, 12 timestamp option). */
#define SCEN_MSS 1448
#define SCEN_FRAME 1514

/* Loads `yaml`, builds and runs the network to its stop time, finishes the
 * apps; returns the network (its scenario in *sc). */
static Network *scen_run(const char *yaml, Scenario **sc)
{
  *sc = testlib_load_ok(yaml);
  Network *net = build_network(*sc);
  network_run(net);
  for (guint i = 0; i < net->apps->len; i++)
    app_finish(g_ptr_array_index(net->apps, i));
  return net;
}

/* Returns the goodput bytes of the TCP flows from `src` (host order) to
 * port `dport`; 0 when there is none. */
static uint64_t scen_goodput_bytes(const Network *net, uint32_t src, uint16_t dport)
{
  GPtrArray *flows = flow_table_sorted(net->ctx.flows);
  uint64_t bytes = 0;
  for (guint i = 0; i < flows->len; i++) {
    const Flow *f = g_ptr_array_index(flows, i);
    if (f->key.proto == 6 && f->key.src == src && f->key.dport == dport)
      bytes += f->goodput_bytes;
  }
  g_ptr_array_unref(flows);
  return bytes;
}

/* The dumbbell of the benchmark with `n` flows and stop time `stop_s`:
 * l<i> (10.1.i.1) - ra - 10 Mbps, 20 ms - rb - r<i> (10.2.i.1); access
 * links 100 Mbps, 1 ms; 100-packet queues; flow i starts at i x 10 ms. */
static char *scen_dumbbell_yaml(int n, int stop_s)
{
  GString *y = g_string_new(NULL);
  g_string_append_printf(y,
                         "scenario: fairness\nseed: 1\nstop: %ds\nrouting: auto\n"
                         "defaults:\n  link: { rate: 100Mbps, delay: 1ms, queue: 100p }\n"
                         "  tcp: { sndbuf: 128KiB, rcvbuf: 128KiB, cc: newreno }\n"
                         "nodes:\n  ra: { kind: router }\n  rb: { kind: router }\n",
                         stop_s);
  for (int i = 1; i <= n; i++)
    g_string_append_printf(y, "  l%d: { kind: host }\n  r%d: { kind: host }\n", i, i);
  g_string_append(y, "links:\n  - { ends: [ra, rb], prefix: 10.0.0.0/30, rate: 10Mbps, delay: 20ms }\n");
  for (int i = 1; i <= n; i++)
    g_string_append_printf(
        y, "  - { ends: [l%d, ra], prefix: 10.1.%d.0/24 }\n  - { ends: [r%d, rb], prefix: 10.2.%d.0/24 }\n", i, i, i,
        i);
  g_string_append(y, "apps:\n");
  for (int i = 1; i <= n; i++)
    g_string_append_printf(y,
                           "  - { name: f%d, type: bulk, on: l%d, to: \"r%d:5001\", start: %dms, report: 0s }\n"
                           "  - { name: s%d, type: bulk-sink, on: r%d, port: 5001, report: 0s }\n",
                           i, i, i, i * 10, i, i);
  return g_string_free(y, FALSE);
}

/* Ten NewReno flows with equal round trips share the 10 Mbps bottleneck:
 * over 60 s Jain's index (sum x)^2 / (n sum x^2) of their goodputs is at
 * least 0.95 (1 is a perfectly equal share), and together they carry at
 * least 97% of the most the bottleneck can carry (10 Mbps x 1448 / 1514 =
 * 9.564 Mbps of data): the 100-packet queue keeps the link busy while
 * windows halve. Each flow's goodput is over its own time (60 s - start). */
START_TEST(test_dumbbell_fair)
{
  const int n = 10, stop_s = 60;
  char *yaml = scen_dumbbell_yaml(n, stop_s);
  Scenario *sc = NULL;
  Network *net = scen_run(yaml, &sc);
  double sum = 0, sum_sq = 0, min = 1e300, max = 0;
  GString *shares = g_string_new(NULL);
  for (int i = 1; i <= n; i++) {
    uint32_t src = (10u << 24) | (1u << 16) | ((uint32_t)i << 8) | 1u;
    double mbps = (double)scen_goodput_bytes(net, src, 5001) * 8 / (stop_s - i * 0.010) / 1e6;
    g_string_append_printf(shares, " %.3f", mbps);
    sum += mbps;
    sum_sq += mbps * mbps;
    min = MIN(min, mbps);
    max = MAX(max, mbps);
  }
  double jain = sum * sum / (n * sum_sq), capacity = 10.0 * SCEN_MSS / SCEN_FRAME;
  ck_assert_msg(jain >= 0.95, "Jain's index %.4f < 0.95; per-flow Mbps:%s", jain, shares->str);
  ck_assert_msg(sum >= 0.97 * capacity && sum <= capacity, "total %.3f Mbps of %.3f; per-flow Mbps:%s", sum, capacity,
                shares->str);
  g_string_free(shares, TRUE);
  network_free(net);
  scenario_free(sc);
  g_free(yaml);
}
END_TEST

/* One flow over a long, fast, lossy link:
 *   tx - 1 Gbps, 1 ms - r - 100 Mbps, 48 ms, loss 1% - rx
 * RTT = 2 x (1 + 48) ms + a 1514-byte frame's serialization each way on
 * both links (121.12 + 12.112 us) and a 66-byte ACK's (5.81 us) = 98.14 ms; the
 * Mathis window is sqrt(3/2) / sqrt(0.01) = 12.2 segments, so the predicted
 * goodput is 1448 B x 8 / 98.14 ms x 12.25 = 1.446 Mbps. The window stays
 * loss-limited: 100 Mbps would carry 830 segments per round trip and the
 * 1 MiB buffers 724, while the loss keeps the window near 12 to 25; the
 * queues stay nearly empty, so the RTT is the propagation's. Delayed ACKs
 * are off because the formula's C = sqrt(3/2) assumes an ACK per segment
 * (with one ACK per two segments the window grows half as fast without
 * byte counting). The run lasts 400 s for about 500 loss events, so that
 * the average is steady. Loss also hits ACKs, which cumulative ACKs mostly
 * absorb. */
START_TEST(test_mathis)
{
  const char *yaml = "scenario: mathis\nseed: 3\nstop: 400s\nrouting: auto\n"
                     "defaults:\n  tcp: { sndbuf: 1MiB, rcvbuf: 1MiB, cc: newreno, delayed-ack: 0s }\n"
                     "nodes:\n  tx: { kind: host }\n  r: { kind: router }\n  rx: { kind: host }\n"
                     "links:\n"
                     "  - { ends: [tx, r], prefix: 10.0.1.0/24, rate: 1Gbps, delay: 1ms, queue: 1000p }\n"
                     "  - { ends: [r, rx], prefix: 10.0.2.0/24, rate: 100Mbps, delay: 48ms, loss: 1%, queue: 1000p }\n"
                     "apps:\n"
                     "  - { name: flow, type: bulk, on: tx, to: \"rx:5001\", report: 0s }\n"
                     "  - { name: sink, type: bulk-sink, on: rx, port: 5001, report: 0s }\n";
  Scenario *sc = NULL;
  Network *net = scen_run(yaml, &sc);
  double rtt = 2 * (0.049 + (SCEN_FRAME * 8 / 1e8 + SCEN_FRAME * 8 / 1e9) / 2 + (66 * 8 / 1e8 + 66 * 8 / 1e9) / 2);
  double mathis = SCEN_MSS * 8 / rtt * sqrt(1.5) / sqrt(0.01) / 1e6;
  uint32_t src = (10u << 24) | (1u << 8) | 1u;
  double mbps = (double)scen_goodput_bytes(net, src, 5001) * 8 / 400.0 / 1e6;
  ck_assert_msg(mbps >= 0.75 * mathis && mbps <= 1.25 * mathis, "goodput %.3f Mbps; Mathis predicts %.3f (RTT %.3f ms)",
                mbps, mathis, rtt * 1e3);
  network_free(net);
  scenario_free(sc);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("tcp-scenarios");
  TCase *tc = tcase_create("scenarios");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_dumbbell_fair);
  tcase_add_test(tc, test_mathis);
  suite_add_tcase(s, tc);
  return testlib_run_suite(s);
}
