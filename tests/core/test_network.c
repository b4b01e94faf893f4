/*
 * The models without the loader: a network built by hand through the
 * models' own configuration (link_config_defaults(), IfaceConfig,
 * node_new() and node_add_iface(), link_new(), node_add_layers(),
 * ipv4_add_static()), as a model test or another front end would build
 * one, then a UDP datagram across a router over an Ethernet link and a PPP
 * link, arriving at the time the two links' parameters give.
 */
#include <check.h>
#include <string.h>

#include "models/core/network.h"
#include "models/internet/ipv4.h"
#include "models/link/ppp.h"
#include "models/transport/socket.h"
#include "models/transport/udp.h"
#include "tests/testlib.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

typedef struct {
  int received;
  SimTime at;
  uint8_t data[64];
} Sink;

static Node *add_node(Network *net, const char *name, NodeKind kind, const IfaceConfig *ifaces, guint n)
{
  Node *node = node_new(net, name, kind, net->nodes->len);
  for (guint i = 0; i < n; i++)
    node_add_iface(node, &ifaces[i]);
  g_ptr_array_add(net->nodes, node);
  return node;
}

static void add_link(Network *net, const LinkConfig *conf, Iface *a, Iface *b)
{
  node_set_link_type(a->node, a, conf->type);
  node_set_link_type(b->node, b, conf->type);
  g_ptr_array_add(net->links, link_new(&net->ctx, NULL, conf, a, b, net->links->len));
}

static void sink_readable(Socket *s, void *user)
{
  Sink *k = user;
  uint32_t addr;
  uint16_t port;
  while (socket_recvfrom(s, k->data, sizeof k->data, &addr, &port) >= 0) {
    k->received++;
    k->at = sim_now(socket_node(s)->ctx);
  }
}

/* Builds a (Ethernet, 100 Mbps, 1 ms) r (PPP, 1 Mbps, 5 ms) b, with
 * default routes on a and b, as build_network() would. */
static Network *build_by_hand(Node **a_out, Node **b_out)
{
  Network *net = network_new("by-hand", 1, SIMTIME_S(1));
  LinkConfig eth, ppp;
  link_config_defaults(&eth);
  link_config_defaults(&ppp);
  ppp.type = LINK_PPP, ppp.rate_bps = 1000000, ppp.delay = SIMTIME_MS(5);
  IfaceConfig a_if = {.name = "eth0",
                      .has_ip = TRUE,
                      .ip = {IP(10, 0, 1, 10), 24},
                      .mac = {2, 0, 0, 0, 0, 1},
                      .mtu = 1500,
                      .queue = {.packets = 100}};
  IfaceConfig r_if[2] = {
      {.name = "eth0",
       .has_ip = TRUE,
       .ip = {IP(10, 0, 1, 1), 24},
       .mac = {2, 0, 0, 0, 0, 2},
       .mtu = 1500,
       .queue = {.packets = 100}},
      {.name = "ser0", .has_ip = TRUE, .ip = {IP(10, 0, 2, 1), 30}, .mtu = 1500, .queue = {.packets = 100}}};
  IfaceConfig b_if = {
      .name = "ser0", .has_ip = TRUE, .ip = {IP(10, 0, 2, 2), 30}, .mtu = 1500, .queue = {.packets = 100}};
  Node *a = add_node(net, "a", NODE_KIND_HOST, &a_if, 1);
  Node *r = add_node(net, "r", NODE_KIND_ROUTER, r_if, 2);
  Node *b = add_node(net, "b", NODE_KIND_HOST, &b_if, 1);
  add_link(net, &eth, node_iface(a, 0), node_iface(r, 0));
  add_link(net, &ppp, node_iface(r, 1), node_iface(b, 0));
  for (guint i = 0; i < net->nodes->len; i++)
    node_add_layers(network_node(net, i), SIMTIME_S(300));
  network_index_addresses(net);
  ipv4_add_static(a, (Ipv4Prefix){0, 0}, IP(10, 0, 1, 1), -1, 1);
  ipv4_add_static(b, (Ipv4Prefix){0, 0}, IP(10, 0, 2, 1), -1, 1);
  *a_out = a;
  *b_out = b;
  return net;
}

/* A 30-byte UDP payload is a 58-byte datagram; after ARP (two 60-byte
 * frames, 1 ms each way) it crosses as a 72-byte Ethernet frame, then a
 * 62-byte PPP frame (65 bytes serialized with the FCS and a flag). */
START_TEST(test_network_by_hand)
{
  Node *a, *b;
  Network *net = build_by_hand(&a, &b);
  ck_assert_ptr_eq(node_iface(b, 0)->ops, &ppp_iface_ops);

  Sink k = {0};
  SocketCallbacks cb = {.readable = sink_readable};
  Socket *rx = socket_new(b, SOCKET_UDP, &cb, &k);
  ck_assert_int_eq(socket_bind(rx, 0, 9000), 0);
  Socket *tx = socket_new(a, SOCKET_UDP, NULL, NULL);
  static const char payload[30] = "carried by two kinds of link";
  ck_assert_int_eq(socket_sendto(tx, payload, sizeof payload, IP(10, 0, 2, 2), 9000), (ssize_t)sizeof payload);
  network_run(net);

  SimTime eth_arp = 2 * (60 * 8 * 10 + SIMTIME_MS(1));    /* who-has and is-at at 100 Mbps (10 ns a bit) */
  SimTime eth_data = 72 * 8 * 10 + SIMTIME_MS(1);         /* 14 + 58 bytes */
  SimTime ppp_data = (62 + 3) * 8 * 1000 + SIMTIME_MS(5); /* 4 + 58 bytes, FCS and flag, at 1 Mbps */
  ck_assert_int_eq(k.received, 1);
  ck_assert_int_eq(k.at, eth_arp + eth_data + ppp_data);
  ck_assert_mem_eq(k.data, payload, sizeof payload);
  socket_close(rx);
  socket_close(tx);
  network_free(net);
}
END_TEST

static Suite *network_suite(void)
{
  Suite *s = suite_create("network");
  TCase *tc = tcase_create("by-hand");
  tcase_add_test(tc, test_network_by_hand);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return testlib_run_suite(network_suite());
}
