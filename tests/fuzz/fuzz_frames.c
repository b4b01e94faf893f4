/*
 * libFuzzer target for the packet path: raw frames into the interfaces of a
 * small network (a host, a router, a switch LAN behind it, another host;
 * and apart, a router r2 with a PPP serial link to each of h4 and h5), as
 * if they had arrived on the wire. The input is a sequence of records
 * [interface: 1 byte][length: 2 bytes, big-endian][frame: length bytes];
 * record i arrives at i * 100 us. The run then lasts 40 s of simulated time,
 * so ARP retries and reassembly timeouts fire too. Every frame must be
 * handled or dropped with a reason; nothing may crash, leak or hang.
 * Build and run: see README.md ("Fuzzing"); seeds: tests/fuzz/frames/.
 */
#include <stdint.h>
#include <stdio.h>

#include "models/core/network.h"
#include "sim/build/build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_frames_yaml[] = "stop: 40s\n"
                                       "nodes:\n"
                                       "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                                       "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                                       "  s1: { kind: switch }\n"
                                       "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
                                       "  h3: { kind: host, ip: 10.0.2.11/24, gateway: 10.0.2.1 }\n"
                                       "  r2: { kind: router }\n"
                                       "  h4: { kind: host, ip: 10.0.4.2/30, gateway: 10.0.4.1 }\n"
                                       "  h5: { kind: host, ip: 10.0.5.2/30, gateway: 10.0.5.1 }\n"
                                       "links:\n"
                                       "  - [h1, r1:eth0]\n"
                                       "  - { ends: [r1:eth1, s1], mtu: 576 }\n"
                                       "  - [s1, h2]\n"
                                       "  - [s1, h3]\n"
                                       "  - { ends: [r2, h4], type: ppp, prefix: 10.0.4.0/30 }\n"
                                       "  - { ends: [r2, h5], type: ppp, prefix: 10.0.5.0/30, mtu: 576 }\n";

typedef struct {
  Iface *iface;
  Packet *frame;
} FuzzArrival;

static void fuzz_deliver(void *obj, void *arg)
{
  FuzzArrival *a = obj;
  (void)arg;
  iface_input(a->iface, a->frame);
  a->frame = NULL;
}

/* Collects every interface of the network, in node and interface order. */
static GPtrArray *fuzz_ifaces(Network *net)
{
  GPtrArray *all = g_ptr_array_new();
  for (guint n = 0; n < net->nodes->len; n++)
    for (guint i = 0; i < network_node(net, n)->ifaces->len; i++)
      g_ptr_array_add(all, node_iface(network_node(net, n), i));
  return all;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static Scenario *sc;
  if (!sc) {
    DiagList *diags = diag_list_new("fuzz-frames.yaml");
    sc = scenario_load_data(fuzz_frames_yaml, sizeof fuzz_frames_yaml - 1, "fuzz-frames.yaml", diags);
    diag_list_print(diags, stderr);
    diag_list_free(diags);
    if (!sc)
      abort();
  }
  Network *net = build_network(sc);
  GPtrArray *ifaces = fuzz_ifaces(net);
  GArray *arrivals = g_array_new(FALSE, TRUE, sizeof(FuzzArrival));
  for (size_t at = 0; at + 3 <= size && arrivals->len < 256;) {
    size_t len = (size_t)data[at + 1] << 8 | data[at + 2];
    len = MIN(len, size - at - 3);
    FuzzArrival a = {g_ptr_array_index(ifaces, data[at] % ifaces->len),
                     packet_new_from(net->ctx.pool, data + at + 3, len)};
    g_array_append_val(arrivals, a);
    at += 3 + len;
  }
  for (guint i = 0; i < arrivals->len; i++)
    scheduler_at(net->ctx.sched, (SimTime)i * 100000, fuzz_deliver, &g_array_index(arrivals, FuzzArrival, i), NULL);
  network_run(net);
  for (guint i = 0; i < arrivals->len; i++)
    packet_free(g_array_index(arrivals, FuzzArrival, i).frame);
  g_array_free(arrivals, TRUE);
  g_ptr_array_free(ifaces, TRUE);
  network_free(net);
  return 0;
}
