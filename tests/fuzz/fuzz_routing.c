/*
 * libFuzzer target for the routing protocols: raw frames into the
 * interfaces of routers running RIP and OSPF, among the protocols' own
 * packets. The network: r1 and r2 run RIP over a PPP link, with r2's LAN
 * toward h1; r3, r4 and r5 run OSPF on a switched segment (DR/BDR
 * election), r5 and r6 over an Ethernet point-to-point link in area 1
 * (r5 is an ABR), r6 redistributing its connected host LAN.
 *
 * The input is a sequence of records [interface: 1 byte][flags: 1 byte]
 * [length: 2 bytes, big-endian][frame: length bytes]; record i arrives at
 * 2 s + i * 100 us (after the protocols have started). Flag bit 0 asks for
 * the frame's checksums to be made right before it arrives (the IPv4
 * header's, UDP's, OSPF's and each LSA's Fletcher checksum), so that the
 * fuzzer reaches past the checksum checks into the protocols' parsers and
 * state machines. The run lasts 60 s of simulated time: dead intervals,
 * route timeouts and retransmissions fire. Every frame must be handled or
 * dropped with a reason; nothing may crash, leak or hang.
 * Build and run: see doc/testing.md ("Fuzzing"); seeds: tests/fuzz/routing/.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "models/core/network.h"
#include "models/internet/checksum.h"
#include "models/internet/ipv4_wire.h"
#include "models/link/ethernet_wire.h"
#include "sim/build/build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_routing_yaml[] =
    "stop: 60s\n"
    "nodes:\n"
    "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
    "  r1: { kind: router, routing: rip }\n"
    "  r2: { kind: router, routing: rip }\n"
    "  s1: { kind: switch }\n"
    "  r3: { kind: router, routing: ospf }\n"
    "  r4: { kind: router, routing: ospf }\n"
    "  r5: { kind: router, routing: ospf, ospf: { interfaces: { eth1: { area: 1 } } } }\n"
    "  r6: { kind: router, routing: ospf, ospf: { area: 1, redistribute: [connected], "
    "interfaces: { eth1: { enabled: false } } } }\n"
    "  h2: { kind: host, ip: 10.0.6.10/24, gateway: 10.0.6.1 }\n"
    "links:\n"
    "  - { ends: [r1, r2], type: ppp, prefix: 10.0.12.0/30 }\n"
    "  - { ends: [r2, h1], prefix: 10.0.1.0/24 }\n"
    "  - { ends: [r3, s1], prefix: 10.0.3.0/24 }\n"
    "  - { ends: [r4, s1], prefix: 10.0.3.0/24 }\n"
    "  - { ends: [r5, s1], prefix: 10.0.3.0/24 }\n"
    "  - { ends: [r5, r6], prefix: 10.0.56.0/30 }\n"
    "  - { ends: [r6, h2], prefix: 10.0.6.0/24 }\n";

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

/* The interfaces of the routers, in node and interface order. */
static GPtrArray *fuzz_router_ifaces(Network *net)
{
  GPtrArray *all = g_ptr_array_new();
  for (guint n = 0; n < net->nodes->len; n++)
    if (network_node(net, n)->kind == NODE_KIND_ROUTER)
      for (guint i = 0; i < network_node(net, n)->ifaces->len; i++)
        g_ptr_array_add(all, node_iface(network_node(net, n), i));
  return all;
}

/* The Fletcher checksum of an LSA (RFC 2328 12.1.7, ISO 8473 annex C), set
 * in place: over the LSA from byte 2 (LS age excluded), checksum at 16. */
static void fuzz_fix_lsa(uint8_t *lsa, size_t len)
{
  int64_t c0 = 0, c1 = 0, n = (int64_t)len;
  lsa[16] = lsa[17] = 0;
  for (size_t i = 2; i < len; i++) {
    c0 = (c0 + lsa[i]) % 255;
    c1 = (c1 + c0) % 255;
  }
  int64_t x = ((n - 17) * c0 - c1) % 255, y = (c1 - (n - 16) * c0) % 255;
  if (x <= 0)
    x += 255;
  if (y <= 0)
    y += 255;
  lsa[16] = (uint8_t)x;
  lsa[17] = (uint8_t)y;
}

/* Fixes the Fletcher checksums of the LSAs of an LS Update (type 4). */
static void fuzz_fix_lsas(uint8_t *ospf, size_t len)
{
  if (len < 28 || ospf[1] != 4)
    return;
  uint32_t count = (uint32_t)ospf[24] << 24 | (uint32_t)ospf[25] << 16 | (uint32_t)ospf[26] << 8 | ospf[27];
  size_t at = 28;
  for (uint32_t i = 0; i < count && at + 20 <= len; i++) {
    size_t l = (size_t)ospf[at + 18] << 8 | ospf[at + 19];
    if (l < 20 || at + l > len)
      return;
    fuzz_fix_lsa(ospf + at, l);
    at += l;
  }
}

/* Fixes an OSPF packet: its LSAs, then its checksum (RFC 2328 D.4.3: the
 * Internet checksum of the packet with the 8-byte authentication field
 * left out). */
static void fuzz_fix_ospf(uint8_t *ospf, size_t len)
{
  if (len < 24)
    return;
  fuzz_fix_lsas(ospf, len);
  ospf[12] = ospf[13] = 0;
  uint32_t sum = checksum_partial(ospf, 16, 0);
  sum = checksum_partial(ospf + 24, len - 24, sum);
  uint16_t c = checksum_fold(sum);
  memcpy(ospf + 12, &c, 2);
}

/* Fixes the checksums of the IPv4 datagram at `ip` (len bytes held). */
static void fuzz_fix_ipv4(uint8_t *ip, size_t len)
{
  Ipv4Header *h = (Ipv4Header *)ip;
  size_t hlen = (size_t)(ip[0] & 0xf) * 4, total;
  if (len < IPV4_HEADER_LEN || hlen < IPV4_HEADER_LEN || hlen > len)
    return;
  total = MIN((size_t)g_ntohs(h->total_len), len);
  if (total >= hlen && h->proto == 89)
    fuzz_fix_ospf(ip + hlen, total - hlen);
  if (total >= hlen + UDP_HEADER_LEN && h->proto == 17) {
    UdpHeader *u = (UdpHeader *)(ip + hlen);
    u->checksum = 0;
    u->checksum = inet_pseudo_checksum(h->src, h->dst, 17, u, total - hlen);
  }
  h->checksum = 0;
  h->checksum = inet_checksum(h, hlen);
}

/* Fixes the checksums of a frame for `iface` (Ethernet, or PPP's 4 bytes). */
static void fuzz_fix_frame(const Iface *iface, uint8_t *frame, size_t len)
{
  size_t link = iface->ops->header_len;
  if (len > link)
    fuzz_fix_ipv4(frame + link, len - link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static Scenario *sc;
  if (!sc) {
    DiagList *diags = diag_list_new("fuzz-routing.yaml");
    sc = scenario_load_data(fuzz_routing_yaml, sizeof fuzz_routing_yaml - 1, "fuzz-routing.yaml", diags);
    diag_list_print(diags, stderr);
    diag_list_free(diags);
    if (!sc)
      abort();
  }
  Network *net = build_network(sc);
  GPtrArray *ifaces = fuzz_router_ifaces(net);
  GArray *arrivals = g_array_new(FALSE, TRUE, sizeof(FuzzArrival));
  for (size_t at = 0; at + 4 <= size && arrivals->len < 256;) {
    size_t len = MIN((size_t)data[at + 2] << 8 | data[at + 3], size - at - 4);
    FuzzArrival a = {g_ptr_array_index(ifaces, data[at] % ifaces->len),
                     packet_new_from(net->ctx.pool, data + at + 4, len)};
    if (data[at + 1] & 1)
      fuzz_fix_frame(a.iface, packet_data(a.frame), len);
    g_array_append_val(arrivals, a);
    at += 4 + len;
  }
  for (guint i = 0; i < arrivals->len; i++)
    scheduler_at(net->ctx.sched, SIMTIME_S(2) + (SimTime)i * 100000, fuzz_deliver,
                 &g_array_index(arrivals, FuzzArrival, i), NULL);
  network_run(net);
  for (guint i = 0; i < arrivals->len; i++)
    packet_free(g_array_index(arrivals, FuzzArrival, i).frame);
  g_array_free(arrivals, TRUE);
  g_ptr_array_free(ifaces, TRUE);
  network_free(net);
  return 0;
}
