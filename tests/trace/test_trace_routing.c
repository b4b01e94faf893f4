/*
 * Tests of the trace's routing decoders (part of tests/trace/test_trace):
 * RIP (RFC 2453) and OSPFv2 (RFC 2328) packets built by hand as real
 * bytes, their checksums computed with the project's helpers
 * (models/internet/checksum.h), decoded to exact lines; every
 * truncation of each (never a crash, never a read past the bytes: ASan
 * in CI) ending in tcpdump's `[|rip]` or `[|ospf]`; bad checksums shown;
 * the OSPF LSA Fletcher checksum against a brute-force search of the ISO
 * 8473 property; and, when tshark is installed, the same packets in a
 * pcap dissected without a malformed packet, bad checksum or expert error.
 */
#include "tests/trace/test_trace_routing.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "models/internet/checksum.h"
#include "models/link/ethernet_wire.h"
#include "models/observe/pcap_out.h"
#include "models/observe/trace.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define IP_HLEN 20
#define UDP_HLEN 8

/* ---- builders -------------------------------------------------------------- */

static void rb_u8(GByteArray *b, uint8_t v)
{
  g_byte_array_append(b, &v, 1);
}

static void rb_u16(GByteArray *b, uint16_t v)
{
  rb_u8(b, (uint8_t)(v >> 8));
  rb_u8(b, (uint8_t)v);
}

static void rb_u32(GByteArray *b, uint32_t v)
{
  rb_u16(b, (uint16_t)(v >> 16));
  rb_u16(b, (uint16_t)v);
}

static void rb_put16(GByteArray *b, size_t at, uint16_t v)
{
  b->data[at] = (uint8_t)(v >> 8);
  b->data[at + 1] = (uint8_t)v;
}

/* Starts an IPv4 datagram (no options, TOS 0xc0 as routers send, TTL 1);
 * rb_ipv4_finish() fills its length and checksum. */
static GByteArray *rb_ipv4(uint32_t src, uint32_t dst, uint8_t proto)
{
  GByteArray *b = g_byte_array_new();
  rb_u8(b, 0x45);
  rb_u8(b, 0xc0);
  rb_u16(b, 0);
  rb_u32(b, 0);
  rb_u8(b, 1);
  rb_u8(b, proto);
  rb_u16(b, 0);
  rb_u32(b, src);
  rb_u32(b, dst);
  return b;
}

static void rb_ipv4_finish(GByteArray *b)
{
  rb_put16(b, 2, (uint16_t)b->len);
  rb_put16(b, 10, 0);
  uint16_t c = inet_checksum(b->data, IP_HLEN);
  memcpy(b->data + 10, &c, 2);
}

/* ---- RIP ------------------------------------------------------------------- */

typedef struct {
  uint16_t afi, tag;
  uint32_t addr, mask, nh, metric;
} RbRip;

#define RIP_SRC IP(10, 0, 12, 1)
#define RIP_DST IP(224, 0, 0, 9)

/* A RIP message from 10.0.12.1:520 to 224.0.0.9:520 with `n` entries and
 * `extra` zero bytes after them, in an IPv4 datagram with its checksums. */
static GByteArray *rip_packet(uint8_t cmd, uint8_t version, const RbRip *e, size_t n, size_t extra)
{
  GByteArray *b = rb_ipv4(RIP_SRC, RIP_DST, 17);
  size_t ulen = UDP_HLEN + 4 + 20 * n + extra;
  rb_u16(b, 520);
  rb_u16(b, 520);
  rb_u16(b, (uint16_t)ulen);
  rb_u16(b, 0);
  rb_u8(b, cmd);
  rb_u8(b, version);
  rb_u16(b, 0);
  for (size_t i = 0; i < n; i++) {
    rb_u16(b, e[i].afi);
    rb_u16(b, e[i].tag);
    rb_u32(b, e[i].addr);
    rb_u32(b, e[i].mask);
    rb_u32(b, e[i].nh);
    rb_u32(b, e[i].metric);
  }
  for (size_t i = 0; i < extra; i++)
    rb_u8(b, 0);
  uint16_t c = inet_pseudo_checksum(htonl(RIP_SRC), htonl(RIP_DST), 17, b->data + IP_HLEN, ulen);
  memcpy(b->data + IP_HLEN + 6, &c, 2);
  rb_ipv4_finish(b);
  return b;
}

static const RbRip rip_three[] = {
    {2, 0, IP(10, 0, 3, 0), IP(255, 255, 255, 0), 0, 2},
    {2, 7, IP(10, 0, 4, 0), IP(255, 255, 255, 0), IP(10, 0, 12, 2), 3},
    {2, 0, 0, 0, 0, 1},
};
static const RbRip rip_whole[] = {{0, 0, 0, 0, 0, 16}};

/* ---- OSPF ------------------------------------------------------------------ */

#define OSPF_SRC IP(10, 0, 1, 1)
#define OSPF_DST IP(224, 0, 0, 5)

/* Starts an OSPF packet of `type` from router `router` in area 0 (no
 * authentication); ospf_finish() fills the lengths and checksums. */
static GByteArray *ospf_begin(uint8_t type, uint32_t router)
{
  GByteArray *b = rb_ipv4(OSPF_SRC, OSPF_DST, 89);
  rb_u8(b, 2);
  rb_u8(b, type);
  rb_u16(b, 0);
  rb_u32(b, router);
  rb_u32(b, 0);
  rb_u16(b, 0);
  rb_u16(b, 0);
  rb_u32(b, 0);
  rb_u32(b, 0);
  return b;
}

/* The OSPF checksum (RFC 2328 D.4.3): the packet without its 8-byte
 * authentication field. */
static void ospf_checksum(GByteArray *b)
{
  uint8_t *o = b->data + IP_HLEN;
  rb_put16(b, IP_HLEN + 12, 0);
  uint32_t sum = checksum_partial(o, 16, 0);
  sum = checksum_partial(o + 24, b->len - IP_HLEN - 24, sum);
  uint16_t c = checksum_fold(sum);
  memcpy(o + 12, &c, 2);
}

static GByteArray *ospf_finish(GByteArray *b)
{
  rb_put16(b, IP_HLEN + 2, (uint16_t)(b->len - IP_HLEN));
  ospf_checksum(b);
  rb_ipv4_finish(b);
  return b;
}

/* Appends an LSA (options E) with `body`, its length and Fletcher checksum. */
static void ospf_lsa(GByteArray *b, uint16_t age, uint8_t type, uint32_t id, uint32_t adv, uint32_t seq,
                     const GByteArray *body)
{
  size_t start = b->len;
  rb_u16(b, age);
  rb_u8(b, 0x02);
  rb_u8(b, type);
  rb_u32(b, id);
  rb_u32(b, adv);
  rb_u32(b, seq);
  rb_u16(b, 0);
  rb_u16(b, (uint16_t)(20 + body->len));
  g_byte_array_append(b, body->data, body->len);
  rb_put16(b, start + 16, fletcher16_lsa_checksum(b->data + start, 20 + body->len));
}

/* The router LSA of 1.1.1.1 (an ABR): a point-to-point link to 2.2.2.2 and its stub subnet. */
static GByteArray *lsa_router_body(void)
{
  GByteArray *x = g_byte_array_new();
  rb_u8(x, 0x01);
  rb_u8(x, 0);
  rb_u16(x, 2);
  rb_u32(x, IP(2, 2, 2, 2));
  rb_u32(x, IP(10, 0, 12, 1));
  rb_u8(x, 1);
  rb_u8(x, 0);
  rb_u16(x, 10);
  rb_u32(x, IP(10, 0, 12, 0));
  rb_u32(x, IP(255, 255, 255, 0));
  rb_u8(x, 3);
  rb_u8(x, 0);
  rb_u16(x, 10);
  return x;
}

/* Appends the router, network, summary and external LSAs of the LS Update test. */
static void ospf_four_lsas(GByteArray *b)
{
  GByteArray *x = lsa_router_body();
  ospf_lsa(b, 1, 1, IP(1, 1, 1, 1), IP(1, 1, 1, 1), 0x80000001u, x);
  g_byte_array_set_size(x, 0);
  rb_u32(x, IP(255, 255, 255, 0));
  rb_u32(x, IP(1, 1, 1, 1));
  rb_u32(x, IP(2, 2, 2, 2));
  ospf_lsa(b, 5, 2, IP(10, 0, 1, 2), IP(2, 2, 2, 2), 0x80000003u, x);
  g_byte_array_set_size(x, 0);
  rb_u32(x, IP(255, 255, 255, 0));
  rb_u32(x, 20);
  ospf_lsa(b, 1, 3, IP(10, 0, 3, 0), IP(1, 1, 1, 1), 0x80000001u, x);
  g_byte_array_set_size(x, 0);
  rb_u32(x, 0);
  rb_u32(x, 0x80000000u | 1);
  rb_u32(x, 0);
  rb_u32(x, 0);
  ospf_lsa(b, 3600, 5, 0, IP(3, 3, 3, 3), 0x80000002u, x);
  g_byte_array_unref(x);
}

/* A Hello of 1.1.1.1 on 10.0.1.0/24, DR 10.0.1.1, with `n` neighbours 2.2.2.2, 3.3.3.3, ... */
static GByteArray *ospf_hello(size_t n)
{
  GByteArray *b = ospf_begin(1, IP(1, 1, 1, 1));
  rb_u32(b, IP(255, 255, 255, 0));
  rb_u16(b, 10);
  rb_u8(b, 0x02);
  rb_u8(b, 1);
  rb_u32(b, 40);
  rb_u32(b, IP(10, 0, 1, 1));
  rb_u32(b, 0);
  for (size_t i = 0; i < n; i++)
    rb_u32(b, IP(2 + i, 2 + i, 2 + i, 2 + i));
  return ospf_finish(b);
}

/* A Database Description of 2.2.2.2 with `flags` and the headers of the four LSAs when `headers`. */
static GByteArray *ospf_dd(uint8_t flags, gboolean headers)
{
  GByteArray *b = ospf_begin(2, IP(2, 2, 2, 2));
  rb_u16(b, 1500);
  rb_u8(b, 0x42);
  rb_u8(b, flags);
  rb_u32(b, 4711);
  if (headers) {
    GByteArray *lsas = g_byte_array_new();
    ospf_four_lsas(lsas);
    size_t lens[] = {48, 32, 28, 36}, off = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(lens); off += lens[i++])
      g_byte_array_append(b, lsas->data + off, 20);
    g_byte_array_unref(lsas);
  }
  return ospf_finish(b);
}

static GByteArray *ospf_lsr(void)
{
  GByteArray *b = ospf_begin(3, IP(1, 1, 1, 1));
  rb_u32(b, 1);
  rb_u32(b, IP(2, 2, 2, 2));
  rb_u32(b, IP(2, 2, 2, 2));
  rb_u32(b, 2);
  rb_u32(b, IP(10, 0, 1, 2));
  rb_u32(b, IP(2, 2, 2, 2));
  return ospf_finish(b);
}

static GByteArray *ospf_lsu(void)
{
  GByteArray *b = ospf_begin(4, IP(1, 1, 1, 1));
  rb_u32(b, 4);
  ospf_four_lsas(b);
  return ospf_finish(b);
}

/* An LS Ack of 1.1.1.1 for the router LSA of the LS Update. */
static GByteArray *ospf_ack(void)
{
  GByteArray *b = ospf_begin(5, IP(1, 1, 1, 1));
  GByteArray *x = lsa_router_body(), *lsa = g_byte_array_new();
  ospf_lsa(lsa, 1, 1, IP(1, 1, 1, 1), IP(1, 1, 1, 1), 0x80000001u, x);
  g_byte_array_append(b, lsa->data, 20);
  g_byte_array_unref(x);
  g_byte_array_unref(lsa);
  return ospf_finish(b);
}

/* ---- decoding -------------------------------------------------------------- */

/* Decodes the first `len` bytes of the datagram `b` from a copy of exactly
 * `len` bytes (ASan sees any read past them); returns the text (g_free). */
static char *rt_decode(const GByteArray *b, size_t len)
{
  uint8_t *copy = g_memdup2(b->data, len ? len : 1);
  GString *out = g_string_new(NULL);
  trace_format_packet(out, TRACE_FROM_IPV4, len ? copy : NULL, len);
  g_free(copy);
  return g_string_free(out, FALSE);
}

/* Decodes the whole of `b`, frees it and checks the text. */
static void assert_ip_decodes(GByteArray *b, const char *expected)
{
  char *text = rt_decode(b, b->len);
  ck_assert_str_eq(text, expected);
  g_free(text);
  g_byte_array_unref(b);
}

#define RIP_IP "IPv4 10.0.12.1 > 224.0.0.9 ttl 1 id 0 len "
#define OSPF_IP "IPv4 10.0.1.1 > 224.0.0.5 ttl 1 id 0 len "

START_TEST(test_rip_lines)
{
  assert_ip_decodes(rip_packet(2, 2, rip_three, 3, 0),
                    RIP_IP "92 UDP 520 > 520 len 72 RIPv2 response 3 routes: 10.0.3.0/24 metric 2, "
                           "10.0.4.0/24 nh 10.0.12.2 metric 3 tag 7, 0.0.0.0/0 metric 1");
  assert_ip_decodes(rip_packet(1, 2, rip_whole, 1, 0), RIP_IP "52 UDP 520 > 520 len 32 RIPv2 request whole table");
  RbRip asked = {2, 0, IP(10, 0, 3, 0), IP(255, 255, 255, 0), 0, 16};
  assert_ip_decodes(rip_packet(1, 2, &asked, 1, 0),
                    RIP_IP "52 UDP 520 > 520 len 32 RIPv2 request 1 route: 10.0.3.0/24 metric 16");
  RbRip v1 = {2, 0, IP(10, 0, 0, 0), 0, 0, 1};
  assert_ip_decodes(rip_packet(2, 1, &v1, 1, 0),
                    RIP_IP "52 UDP 520 > 520 len 32 RIPv1 response 1 route: 10.0.0.0 metric 1");
  assert_ip_decodes(rip_packet(2, 2, NULL, 0, 0), RIP_IP "32 UDP 520 > 520 len 12 RIPv2 response 0 routes");
}
END_TEST

START_TEST(test_rip_odd_entries)
{
  RbRip odd[] = {
      {0xffff, 2, IP(0x73, 0x65, 0x63, 0x72), 0, 0, 0}, /* simple password "secr..." */
      {2, 0, IP(10, 0, 5, 0), IP(255, 0, 255, 0), 0, 4},
      {5, 0, 0, 0, 0, 16},
  };
  assert_ip_decodes(rip_packet(2, 2, odd, 3, 0), RIP_IP "92 UDP 520 > 520 len 72 RIPv2 response auth simple 2 routes: "
                                                        "10.0.5.0 mask 255.0.255.0 metric 4, afi 5 metric 16");
  /* More than a message may hold: 25 shown. */
  RbRip many[27];
  for (guint i = 0; i < G_N_ELEMENTS(many); i++)
    many[i] = (RbRip){2, 0, IP(10, 1, i, 0), IP(255, 255, 255, 0), 0, 1};
  GByteArray *b = rip_packet(2, 2, many, G_N_ELEMENTS(many), 0);
  char *text = rt_decode(b, b->len);
  ck_assert_msg(g_str_has_suffix(text, ", 10.1.24.0/24 metric 1, ... 2 more"), "%s", text);
  ck_assert_msg(strstr(text, "RIPv2 response 27 routes: 10.1.0.0/24 metric 1, 10.1.1.0/24"), "%s", text);
  g_free(text);
  g_byte_array_unref(b);
  /* A length that leaves part of an entry. */
  assert_ip_decodes(rip_packet(2, 2, rip_three, 1, 7),
                    RIP_IP "59 UDP 520 > 520 len 39 RIPv2 response 1 route: 10.0.3.0/24 metric 2 [|rip]");
}
END_TEST

START_TEST(test_rip_bad)
{
  assert_ip_decodes(rip_packet(2, 0, rip_three, 1, 0), RIP_IP "52 UDP 520 > 520 len 32 RIP [bad version 0]");
  assert_ip_decodes(rip_packet(2, 3, rip_three, 1, 0), RIP_IP "52 UDP 520 > 520 len 32 RIP [bad version 3]");
  assert_ip_decodes(rip_packet(9, 2, rip_three, 1, 0), RIP_IP "52 UDP 520 > 520 len 32 RIPv2 [bad command 9]");
  /* Either port 520 is RIP; neither is not. */
  GByteArray *b = rip_packet(1, 2, rip_whole, 1, 0);
  rb_put16(b, IP_HLEN, 49152);
  char *text = rt_decode(b, b->len);
  ck_assert_str_eq(text, RIP_IP "52 UDP 49152 > 520 len 32 RIPv2 request whole table");
  g_free(text);
  rb_put16(b, IP_HLEN + 2, 9);
  assert_ip_decodes(b, RIP_IP "52 UDP 49152 > 9 len 32");
}
END_TEST

START_TEST(test_ospf_hello_dd_lsr)
{
  assert_ip_decodes(ospf_hello(1), OSPF_IP "68 OSPFv2 Hello area 0.0.0.0 router 1.1.1.1 mask 255.255.255.0 hello 10 "
                                           "dead 40 pri 1 opts E dr 10.0.1.1 bdr 0.0.0.0 1 nbr: 2.2.2.2");
  assert_ip_decodes(ospf_hello(0), OSPF_IP "64 OSPFv2 Hello area 0.0.0.0 router 1.1.1.1 mask 255.255.255.0 hello 10 "
                                           "dead 40 pri 1 opts E dr 10.0.1.1 bdr 0.0.0.0 0 nbrs");
  GByteArray *b = ospf_hello(10);
  char *text = rt_decode(b, b->len);
  ck_assert_msg(g_str_has_suffix(text, " 10 nbrs: 2.2.2.2, 3.3.3.3, 4.4.4.4, 5.5.5.5, 6.6.6.6, 7.7.7.7, 8.8.8.8, "
                                       "9.9.9.9, ... 2 more"),
                "%s", text);
  g_free(text);
  g_byte_array_unref(b);
  assert_ip_decodes(ospf_dd(7, FALSE),
                    OSPF_IP "52 OSPFv2 DD area 0.0.0.0 router 2.2.2.2 mtu 1500 opts O,E flags I,M,MS seq 4711 0 lsas");
  assert_ip_decodes(ospf_dd(0, TRUE),
                    OSPF_IP "132 OSPFv2 DD area 0.0.0.0 router 2.2.2.2 mtu 1500 opts O,E flags none seq 4711 4 lsas: "
                            "router 1.1.1.1 adv 1.1.1.1 seq 0x80000001 age 1, "
                            "network 10.0.1.2 adv 2.2.2.2 seq 0x80000003 age 5, "
                            "summary 10.0.3.0 adv 1.1.1.1 seq 0x80000001 age 1, "
                            "external 0.0.0.0 adv 3.3.3.3 seq 0x80000002 age 3600");
  assert_ip_decodes(ospf_lsr(), OSPF_IP "68 OSPFv2 LS-Request area 0.0.0.0 router 1.1.1.1 2 reqs: "
                                        "router 2.2.2.2 adv 2.2.2.2, network 10.0.1.2 adv 2.2.2.2");
}
END_TEST

#define LSU_LINE                                                                                                       \
  OSPF_IP "192 OSPFv2 LS-Update area 0.0.0.0 router 1.1.1.1 4 lsas: "                                                  \
          "router 1.1.1.1 adv 1.1.1.1 seq 0x80000001 age 1 links 2 flags B, "                                          \
          "network 10.0.1.2 adv 2.2.2.2 seq 0x80000003 age 5 routers 2, "                                              \
          "summary 10.0.3.0 adv 1.1.1.1 seq 0x80000001 age 1 mask 255.255.255.0 metric 20, "                           \
          "external 0.0.0.0 adv 3.3.3.3 seq 0x80000002 age 3600 mask 0.0.0.0 metric 1 E2"

START_TEST(test_ospf_lsu_ack)
{
  assert_ip_decodes(ospf_lsu(), LSU_LINE);
  assert_ip_decodes(ospf_ack(), OSPF_IP "64 OSPFv2 LS-Ack area 0.0.0.0 router 1.1.1.1 1 lsa: "
                                        "router 1.1.1.1 adv 1.1.1.1 seq 0x80000001 age 1");
  /* LS age is outside the LSA checksum: aged in flight, the LSA still verifies. */
  GByteArray *b = ospf_lsu();
  rb_put16(b, IP_HLEN + 24 + 4, 1000);
  ospf_checksum(b);
  char *text = rt_decode(b, b->len);
  ck_assert_msg(strstr(text, "seq 0x80000001 age 1000 links 2 flags B, network") && !strstr(text, "[bad"), "%s", text);
  g_free(text);
  /* A metric changed inside the router LSA (packet checksum recomputed): only that LSA is bad. */
  b->data[IP_HLEN + 24 + 4 + 20 + 15] = 99;
  ospf_checksum(b);
  text = rt_decode(b, b->len);
  ck_assert_msg(strstr(text, " links 2 flags B [bad lsa checksum], network 10.0.1.2"), "%s", text);
  ck_assert_msg(!strstr(text, "[bad checksum]") && strstr(text, "[bad") == strstr(text, "[bad lsa"), "%s", text);
  g_free(text);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(test_ospf_bad)
{
  GByteArray *b = ospf_hello(1);
  b->data[IP_HLEN + 24 + 5] = 30; /* hello interval, checksum left as it was */
  char *text = rt_decode(b, b->len);
  ck_assert_str_eq(text, OSPF_IP "68 OSPFv2 Hello area 0.0.0.0 router 1.1.1.1 [bad checksum] mask 255.255.255.0 "
                                 "hello 30 dead 40 pri 1 opts E dr 10.0.1.1 bdr 0.0.0.0 1 nbr: 2.2.2.2");
  g_free(text);
  /* The authentication data is outside the checksum; simple authentication is shown. */
  b->data[IP_HLEN + 24 + 5] = 10;
  b->data[IP_HLEN + 15] = 1;
  memcpy(b->data + IP_HLEN + 16, "password", 8);
  ospf_checksum(b);
  text = rt_decode(b, b->len);
  ck_assert_msg(strstr(text, "router 1.1.1.1 auth simple mask") && !strstr(text, "[bad"), "%s", text);
  g_free(text);
  b->data[IP_HLEN] = 3;
  text = rt_decode(b, b->len);
  ck_assert_str_eq(text, OSPF_IP "68 OSPF [bad version 3]");
  g_free(text);
  b->data[IP_HLEN] = 2;
  b->data[IP_HLEN + 1] = 6;
  text = rt_decode(b, b->len);
  ck_assert_str_eq(text, OSPF_IP "68 OSPFv2 [bad type 6]");
  g_free(text);
  b->data[IP_HLEN + 1] = 1;
  rb_put16(b, IP_HLEN + 2, 20);
  assert_ip_decodes(b, OSPF_IP "68 OSPFv2 Hello area 0.0.0.0 router 1.1.1.1 [bad len 20]");
  /* An LSA whose length is below its header's. */
  b = ospf_lsu();
  rb_put16(b, IP_HLEN + 24 + 4 + 18, 12);
  ospf_checksum(b);
  assert_ip_decodes(b, OSPF_IP "192 OSPFv2 LS-Update area 0.0.0.0 router 1.1.1.1 4 lsas: "
                               "router 1.1.1.1 adv 1.1.1.1 seq 0x80000001 age 1 [bad len 12]");
}
END_TEST

/* The packets every truncation test cuts, with the marker they end in. */
static guint rt_packets(GByteArray **p, const char **marker, size_t *hdr)
{
  guint n = 0;
  p[n++] = rip_packet(2, 2, rip_three, 3, 0);
  p[n++] = rip_packet(1, 2, rip_whole, 1, 0);
  for (guint i = 0; i < n; i++)
    marker[i] = "[|rip]", hdr[i] = IP_HLEN + UDP_HLEN;
  p[n++] = ospf_hello(2);
  p[n++] = ospf_dd(7, TRUE);
  p[n++] = ospf_lsr();
  p[n++] = ospf_lsu();
  p[n++] = ospf_ack();
  for (guint i = 2; i < n; i++)
    marker[i] = "[|ospf]", hdr[i] = IP_HLEN;
  return n;
}

/* Every length from 0 to the whole: one printable line, the marker once
 * the routing header is reached and before the end, none when whole. */
START_TEST(test_routing_every_truncation)
{
  GByteArray *p[8];
  const char *marker[8];
  size_t hdr[8];
  guint n = rt_packets(p, marker, hdr);
  for (guint f = 0; f < n; f++) {
    for (size_t len = 0; len <= p[f]->len; len++) {
      char *text = rt_decode(p[f], len);
      gboolean cut = len >= hdr[f] && len < p[f]->len, whole = len == p[f]->len;
      const char *c = text;
      while (*c >= 0x20 && *c < 0x7f)
        c++;
      if (*c || (cut && !strstr(text, marker[f])) || (whole && strstr(text, "[")))
        ck_abort_msg("packet %u cut at %zu of %u: '%s'", f, len, p[f]->len, text);
      g_free(text);
    }
    g_byte_array_unref(p[f]);
  }
}
END_TEST

/* Random bytes after valid headers: never a crash, always one printable line. */
START_TEST(test_routing_random_bytes)
{
  GRand *rand = g_rand_new_with_seed(7);
  GByteArray *p[8];
  const char *marker[8];
  size_t hdr[8];
  guint n = rt_packets(p, marker, hdr);
  for (int round = 0; round < 4000; round++) {
    GByteArray *b = p[g_rand_int_range(rand, 0, (gint32)n)];
    GByteArray *x = g_byte_array_new();
    g_byte_array_append(x, b->data, b->len);
    for (size_t i = IP_HLEN + 4; i < x->len; i++)
      if (g_rand_int_range(rand, 0, 4) == 0)
        x->data[i] = (uint8_t)g_rand_int(rand);
    char *text = rt_decode(x, x->len);
    const char *c = text;
    while (*c >= 0x20 && *c < 0x7f)
      c++;
    if (*c || !*text)
      ck_abort_msg("unprintable: '%s'", text);
    g_free(text);
    g_byte_array_unref(x);
  }
  for (guint f = 0; f < n; f++)
    g_byte_array_unref(p[f]);
  g_rand_free(rand);
}
END_TEST

/* ---- the Fletcher checksum ------------------------------------------------- */

/* The two Fletcher sums of `d` from byte 2 on, modulo 255, done the slow way. */
static void ref_sums(const uint8_t *d, size_t len, unsigned *c0, unsigned *c1)
{
  *c0 = *c1 = 0;
  for (size_t i = 2; i < len; i++) {
    *c0 = (*c0 + d[i]) % 255;
    *c1 = (*c1 + *c0) % 255;
  }
}

/* The checksum octets found by trying every pair 1..255 (ISO 8473 annex
 * C: X, Y make both sums 0; a checksum octet is never 0). */
static uint16_t ref_fletcher_search(const uint8_t *lsa, size_t len)
{
  uint8_t *d = g_memdup2(lsa, len);
  for (unsigned x = 1; x <= 255; x++) {
    for (unsigned y = 1; y <= 255; y++) {
      d[16] = (uint8_t)x, d[17] = (uint8_t)y;
      unsigned c0, c1;
      ref_sums(d, len, &c0, &c1);
      if (c0 == 0 && c1 == 0) {
        g_free(d);
        return (uint16_t)(x << 8 | y);
      }
    }
  }
  g_free(d);
  return 0;
}

START_TEST(test_fletcher_lsa)
{
  GByteArray *lsas = g_byte_array_new();
  ospf_four_lsas(lsas);
  size_t lens[] = {48, 32, 28, 36}, off = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(lens); off += lens[i++]) {
    uint8_t *lsa = lsas->data + off;
    uint16_t c = fletcher16_lsa_checksum(lsa, lens[i]);
    ck_assert_uint_eq(c, (uint16_t)(lsa[16] << 8 | lsa[17]));
    ck_assert_uint_eq(c, ref_fletcher_search(lsa, lens[i]));
    ck_assert(fletcher16_lsa_verify(lsa, lens[i]));
    /* Whatever the field holds, the computation takes it as zero. */
    lsa[17] ^= 0x5a;
    ck_assert(!fletcher16_lsa_verify(lsa, lens[i]));
    ck_assert_uint_eq(fletcher16_lsa_checksum(lsa, lens[i]), c);
    lsa[17] ^= 0x5a;
    lsa[0] ^= 0xff; /* LS age */
    ck_assert(fletcher16_lsa_verify(lsa, lens[i]));
  }
  ck_assert(!fletcher16_lsa_verify(lsas->data, 19));
  ck_assert_uint_eq(fletcher16_lsa_checksum(lsas->data, 19), 0);
  g_byte_array_unref(lsas);
  /* A large LSA: the sums are reduced before they overflow. */
  uint8_t big[9000];
  memset(big, 0xff, sizeof big);
  uint16_t c = fletcher16_lsa_checksum(big, sizeof big);
  big[16] = (uint8_t)(c >> 8), big[17] = (uint8_t)c;
  ck_assert(fletcher16_lsa_verify(big, sizeof big));
}
END_TEST

/* ---- tshark ------------------------------------------------------------------ */

/* Writes `n` datagrams as Ethernet frames to the multicast MAC of their
 * destination into a new pcap file; returns its path (g_free). */
static char *rt_write_pcap(GByteArray **p, guint n)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("ipsim-trace-XXXXXX", &error);
  ck_assert_msg(dir, "%s", error ? error->message : "?");
  char *path = g_build_filename(dir, "r1-eth0.pcap", NULL);
  g_free(dir);
  PcapOut *out = pcap_out_open(path, PCAP_OUT_SNAPLEN_MAX, ETH_LINKTYPE, &error);
  ck_assert_msg(out, "%s", error ? error->message : "?");
  for (guint i = 0; i < n; i++) {
    uint8_t frame[14 + 1500] = {0x01, 0x00, 0x5e, 0, 0, p[i]->data[19], 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00};
    memcpy(frame + 14, p[i]->data, p[i]->len);
    pcap_out_write(out, SIMTIME_S(i), frame, 14 + p[i]->len);
  }
  pcap_out_close(out);
  return path;
}

/* Runs tshark -r `path` with `args`; returns its standard output (g_free). */
static char *rt_tshark(const char *path, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer) "tshark");
  g_ptr_array_add(argv, (gpointer) "-r");
  g_ptr_array_add(argv, (gpointer)path);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add(argv, (gpointer)*a);
  g_ptr_array_add(argv, NULL);
  char *out = NULL, *err = NULL;
  int status = -1;
  gboolean ok =
      g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, NULL);
  ck_assert_msg(ok && WIFEXITED(status) && WEXITSTATUS(status) == 0, "tshark failed: %s", err ? err : "?");
  g_ptr_array_free(argv, TRUE);
  g_free(err);
  return out;
}

/* tshark's reading of the packets: RIP commands, versions, addresses and
 * metrics; OSPF types, routers and LSA types; no malformed packet, no
 * bad IPv4 or UDP checksum, no expert warning. */
static void rt_tshark_fields(const char *path)
{
  static const char *const fields[] = {
      "-T", "fields",     "-E", "separator=,", "-e", "rip.command",    "-e", "rip.version", "-e", "rip.ip",
      "-e", "rip.metric", "-e", "ospf.msg",    "-e", "ospf.srcrouter", "-e", "ospf.lsa",    NULL};
  char *out = rt_tshark(path, fields);
  ck_assert_str_eq(out, "2,2,10.0.3.0,10.0.4.0,0.0.0.0,2,3,1,,,\n"
                        "1,2,,16,,,\n"
                        ",,,,1,1.1.1.1,\n"
                        ",,,,2,2.2.2.2,1,2,3,5\n"
                        ",,,,3,1.1.1.1,1,2\n"
                        ",,,,4,1.1.1.1,1,2,3,5\n"
                        ",,,,5,1.1.1.1,1\n");
  g_free(out);
  static const char *const errors[] = {"-o", "ip.check_checksum:TRUE",
                                       "-o", "udp.check_checksum:TRUE",
                                       "-Y", "_ws.expert.severity >= warning || _ws.malformed",
                                       NULL};
  out = rt_tshark(path, errors);
  ck_assert_msg(out[0] == '\0', "tshark reports problems:\n%s", out);
  g_free(out);
}

/* tshark checks the OSPF checksum without an expert item: its verdicts,
 * one per OSPF packet. (It does not check LSA checksums.) */
static void rt_tshark_ospf_checksums(const char *path)
{
  static const char *const details[] = {"-V", "-O", "ospf", NULL};
  char *out = rt_tshark(path, details);
  GString *verdicts = g_string_new(NULL);
  char **lines = g_strsplit(out, "\n", -1);
  for (char **l = lines; *l; l++)
    if (strstr(*l, "Checksum: 0x") && strstr(*l, "["))
      g_string_append_printf(verdicts, "%s\n", g_strstrip(*l));
  g_strfreev(lines);
  g_free(out);
  ck_assert_str_eq(verdicts->str, "Checksum: 0xe589 [correct]\n"
                                  "Checksum: 0x6a41 [correct]\n"
                                  "Checksum: 0xe4b9 [correct]\n"
                                  "Checksum: 0x0e12 [correct]\n"
                                  "Checksum: 0xa86f [correct]\n");
  g_string_free(verdicts, TRUE);
}

START_TEST(test_routing_tshark)
{
  char *tshark = g_find_program_in_path("tshark");
  if (!tshark) {
    printf("note: tshark is not installed; skipping the tshark check of RIP and OSPF packets\n");
    return;
  }
  g_free(tshark);
  GByteArray *p[8];
  const char *marker[8];
  size_t hdr[8];
  guint n = rt_packets(p, marker, hdr);
  char *path = rt_write_pcap(p, n);
  rt_tshark_fields(path);
  rt_tshark_ospf_checksums(path);
  for (guint f = 0; f < n; f++)
    g_byte_array_unref(p[f]);
  char *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
  g_free(dir);
  g_free(path);
}
END_TEST

/* Adds the routing decoders' test cases to the trace suite. */
void trace_routing_add_tests(Suite *s)
{
  TCase *lines = tcase_create("routing");
  tcase_add_test(lines, test_rip_lines);
  tcase_add_test(lines, test_rip_odd_entries);
  tcase_add_test(lines, test_rip_bad);
  tcase_add_test(lines, test_ospf_hello_dd_lsr);
  tcase_add_test(lines, test_ospf_lsu_ack);
  tcase_add_test(lines, test_ospf_bad);
  tcase_add_test(lines, test_routing_every_truncation);
  tcase_add_test(lines, test_routing_random_bytes);
  tcase_add_test(lines, test_fletcher_lsa);
  suite_add_tcase(s, lines);
  TCase *tshark = tcase_create("routing-tshark");
  tcase_set_timeout(tshark, 60); /* three tshark runs, on a loaded machine or under ASan */
  tcase_add_test(tshark, test_routing_tshark);
  suite_add_tcase(s, tshark);
}
