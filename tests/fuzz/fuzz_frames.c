/*
 * libFuzzer target for the packet path: raw frames into the interfaces of a
 * small network (a host, a router, a switch LAN behind it, another host;
 * and apart, a router r2 with a PPP serial link to each of h4 and h5), as
 * if they had arrived on the wire. Then, after those (so that the seeds
 * of the first part keep their interface numbers), a LAN of two VLANs: a
 * loop of three switches with trunks (s10, the root, runs RSTP, s11 STP
 * and s12 RSTP, so RSTP ports fall back to STP BPDUs; the s10 - s12
 * trunk's native VLAN is 20), access ports in VLANs 10 and 20 with hosts
 * (h10, h20, h21), a router on a stick (r3, with eth0.10 and eth0.20 on a
 * trunk to s10), and a hub (hub1, on an access port of VLAN 10 of s11)
 * with h11 and h12 on it. So BPDUs of every kind reach both protocols'
 * state machines, tagged frames reach trunks, access ports and
 * subinterfaces, and frames reach a hub's medium.
 *
 * The input is a sequence of records
 * [interface: 1 byte][length: 2 bytes, big-endian][frame: length bytes];
 * the interface byte is taken modulo the number of interfaces, numbered in
 * node order, then each node's interfaces in the order the scenario gives
 * them (h1's eth0 is 0, s10's eth0 12, r3's eth0, eth0.10 and eth0.20 23
 * to 25, h21's eth0 33; a subinterface gets a frame as its parent would
 * after untagging it). A frame for one of hub1's ports (28 to 30) is sent
 * onto the hub's medium by the station on that port's segment (s11's eth3,
 * h11, h12), to be repeated to the others.
 * Record i arrives at i * 100 us. The run then lasts 40 s of simulated
 * time, so ARP retries, reassembly timeouts and the spanning trees' timers
 * (STP's forward delays, max age) fire too. Every frame must be handled or
 * dropped with a reason; nothing may crash, leak or hang.
 * Build and run: see doc/testing.md ("Fuzzing"); seeds: tests/fuzz/frames/.
 */
#include <stdint.h>
#include <stdio.h>

#include "models/core/network.h"
#include "models/link/hub.h"
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
                                       "  s10:\n"
                                       "    kind: switch\n"
                                       "    stp: { mode: rstp, priority: 4096, interfaces: { eth2: { edge: true } } }\n"
                                       "    interfaces:\n"
                                       "      eth0: { mode: trunk, vlans: [10, 20] }\n"
                                       "      eth1: { mode: trunk, vlans: [10, 20], native: 20 }\n"
                                       "      eth2: { vlan: 10 }\n"
                                       "      eth3: { mode: trunk, vlans: [10, 20] }\n"
                                       "  s11:\n"
                                       "    kind: switch\n"
                                       "    stp: stp\n"
                                       "    interfaces:\n"
                                       "      eth0: { mode: trunk, vlans: [10, 20] }\n"
                                       "      eth1: { mode: trunk, vlans: [10, 20] }\n"
                                       "      eth2: { vlan: 20 }\n"
                                       "      eth3: { vlan: 10 }\n"
                                       "  s12:\n"
                                       "    kind: switch\n"
                                       "    stp: { mode: rstp }\n"
                                       "    interfaces:\n"
                                       "      eth0: { mode: trunk, vlans: [10, 20], native: 20 }\n"
                                       "      eth1: { mode: trunk, vlans: [10, 20] }\n"
                                       "      eth2: { vlan: 20 }\n"
                                       "  r3:\n"
                                       "    kind: router\n"
                                       "    interfaces:\n"
                                       "      eth0:\n"
                                       "      eth0.10: { ip: 10.0.10.1/24 }\n"
                                       "      eth0.20: { ip: 10.0.20.1/24 }\n"
                                       "  h10: { kind: host, ip: 10.0.10.10/24, gateway: 10.0.10.1 }\n"
                                       "  h20: { kind: host, ip: 10.0.20.10/24, gateway: 10.0.20.1 }\n"
                                       "  hub1: { kind: hub }\n"
                                       "  h11: { kind: host, ip: 10.0.10.11/24, gateway: 10.0.10.1 }\n"
                                       "  h12: { kind: host, ip: 10.0.10.12/24, gateway: 10.0.10.1 }\n"
                                       "  h21: { kind: host, ip: 10.0.20.11/24, gateway: 10.0.20.1 }\n"
                                       "links:\n"
                                       "  - [h1, r1:eth0]\n"
                                       "  - { ends: [r1:eth1, s1], mtu: 576 }\n"
                                       "  - [s1, h2]\n"
                                       "  - [s1, h3]\n"
                                       "  - { ends: [r2, h4], type: ppp, prefix: 10.0.4.0/30 }\n"
                                       "  - { ends: [r2, h5], type: ppp, prefix: 10.0.5.0/30, mtu: 576 }\n"
                                       "  - [s10:eth0, s11:eth0]\n"
                                       "  - [s10:eth1, s12:eth0]\n"
                                       "  - [s11:eth1, s12:eth1]\n"
                                       "  - [s10:eth2, h10]\n"
                                       "  - [s10:eth3, r3:eth0]\n"
                                       "  - [s11:eth2, h20]\n"
                                       "  - [s11:eth3, hub1]\n"
                                       "  - [hub1, h11]\n"
                                       "  - [hub1, h12]\n"
                                       "  - [s12:eth2, h21]\n";

typedef struct {
  Iface *iface;
  Packet *frame;
} FuzzArrival;

/* A frame arrives at its interface; one for a hub's port (which takes
 * frames only from the hub's medium) is sent onto the medium by the
 * station on that port's segment. */
static void fuzz_deliver(void *obj, void *arg)
{
  FuzzArrival *a = obj;
  (void)arg;
  Iface *station = a->iface->ops == &hub_port_ops ? iface_peer(a->iface) : NULL;
  if (station)
    iface_transmit(station, a->frame);
  else
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
