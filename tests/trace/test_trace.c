/*
 * Tests of what the user sees: trace lines decoded from hand-built frames
 * (exact strings), decoding of malformed and truncated bytes (never a
 * crash, never a read past the buffer: run under ASan too), time
 * formatting, pcap files read back through libpcap and checked by tshark
 * when it is installed, and the counters and flows reports.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/link/ethernet_wire.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "models/observe/report.h"
#include "models/observe/trace.h"
#include "models/observe/pcap_out.h"
#include "tests/testlib.h"
#include "tests/trace/test_trace_routing.h"

/* ---- frame builders: real bytes with real checksums ----------------------- */

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint8_t mac_h1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac_r1[6] = {0x02, 0, 0, 0, 0, 0x03};
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void tb_u8(GByteArray *b, uint8_t v)
{
  g_byte_array_append(b, &v, 1);
}

static void tb_u16(GByteArray *b, uint16_t v)
{
  tb_u8(b, (uint8_t)(v >> 8));
  tb_u8(b, (uint8_t)v);
}

static void tb_u32(GByteArray *b, uint32_t v)
{
  tb_u16(b, (uint16_t)(v >> 16));
  tb_u16(b, (uint16_t)v);
}

static void tb_zeros(GByteArray *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    tb_u8(b, 0);
}

/* Returns the ones' complement sum of `len` bytes, added to `sum`. */
static uint32_t tb_sum(const uint8_t *d, size_t len, uint32_t sum)
{
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)d[i] << 8 | d[i + 1];
  if (len & 1)
    sum += (uint32_t)d[len - 1] << 8;
  return sum;
}

static uint16_t tb_fold(uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Stores the checksum of b[from..to) at b[at]. */
static void tb_checksum(GByteArray *b, size_t from, size_t to, size_t at, uint32_t initial)
{
  uint16_t c = tb_fold(tb_sum(b->data + from, to - from, initial));
  b->data[at] = (uint8_t)(c >> 8);
  b->data[at + 1] = (uint8_t)c;
}

static GByteArray *tb_eth(const uint8_t *dst, const uint8_t *src, uint16_t type)
{
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, dst, 6);
  g_byte_array_append(b, src, 6);
  tb_u16(b, type);
  return b;
}

/* Appends an IPv4 header (no options) announcing `payload` bytes after it. */
static void tb_ipv4(GByteArray *b, uint32_t src, uint32_t dst, uint8_t ttl, uint16_t id, uint16_t frag, uint8_t proto,
                    size_t payload)
{
  size_t start = b->len;
  tb_u8(b, 0x45);
  tb_u8(b, 0);
  tb_u16(b, (uint16_t)(20 + payload));
  tb_u16(b, id);
  tb_u16(b, frag);
  tb_u8(b, ttl);
  tb_u8(b, proto);
  tb_u16(b, 0);
  tb_u32(b, src);
  tb_u32(b, dst);
  tb_checksum(b, start, b->len, start + 10, 0);
}

/* Appends an ICMP message: type, code, the second word `rest`, then `data`. */
static void tb_icmp(GByteArray *b, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *data, size_t len)
{
  size_t start = b->len;
  tb_u8(b, type);
  tb_u8(b, code);
  tb_u16(b, 0);
  tb_u32(b, rest);
  if (len)
    g_byte_array_append(b, data, (guint)len);
  tb_checksum(b, start, b->len, start + 2, 0);
}

/* Appends a UDP header and `payload` zero bytes, with the pseudo-header checksum. */
static void tb_udp(GByteArray *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, size_t payload)
{
  size_t start = b->len;
  uint16_t len = (uint16_t)(8 + payload);
  tb_u16(b, sport);
  tb_u16(b, dport);
  tb_u16(b, len);
  tb_u16(b, 0);
  tb_zeros(b, payload);
  uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 + len;
  tb_checksum(b, start, b->len, start + 6, pseudo);
}

static void tb_arp(GByteArray *b, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
  tb_u16(b, 1);
  tb_u16(b, 0x0800);
  tb_u8(b, 6);
  tb_u8(b, 4);
  tb_u16(b, op);
  g_byte_array_append(b, sha, 6);
  tb_u32(b, spa);
  g_byte_array_append(b, tha, 6);
  tb_u32(b, tpa);
}

/* Pads a frame to the Ethernet minimum of 60 bytes. */
static GByteArray *tb_pad(GByteArray *b)
{
  if (b->len < 60)
    tb_zeros(b, 60 - b->len);
  return b;
}

/* A TCP segment to build: `doff` 0 means the data offset the options need. */
typedef struct {
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags; /* FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20 */
  uint16_t win, urg;
  const uint8_t *opt;
  size_t optlen; /* a multiple of 4 */
  size_t payload;
  uint8_t doff;
} TbTcp;

/* Appends the TCP segment `t` from `src` to `dst` (payload: bytes 'a',
 * 'b', ...) with its pseudo-header checksum. */
static void tb_tcp(GByteArray *b, uint32_t src, uint32_t dst, const TbTcp *t)
{
  size_t start = b->len;
  size_t len = 20 + t->optlen + t->payload;
  uint8_t doff = t->doff ? t->doff : (uint8_t)((20 + t->optlen) / 4);
  tb_u16(b, t->sport);
  tb_u16(b, t->dport);
  tb_u32(b, t->seq);
  tb_u32(b, t->ack);
  tb_u8(b, (uint8_t)(doff << 4));
  tb_u8(b, t->flags);
  tb_u16(b, t->win);
  tb_u16(b, 0);
  tb_u16(b, t->urg);
  if (t->optlen)
    g_byte_array_append(b, t->opt, (guint)t->optlen);
  for (size_t i = 0; i < t->payload; i++)
    tb_u8(b, (uint8_t)('a' + i % 26));
  uint32_t pseudo = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + (uint32_t)len;
  tb_checksum(b, start, b->len, start + 16, pseudo);
}

/* A frame carrying `t` from `src` to `dst` (IPv4 id 1). */
static GByteArray *frame_tcp_between(uint32_t src, uint32_t dst, const TbTcp *t)
{
  GByteArray *b = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(b, src, dst, 64, 1, 0x4000, 6, 20 + t->optlen + t->payload);
  tb_tcp(b, src, dst, t);
  return tb_pad(b);
}

/* A frame carrying `t` from 10.0.1.10 to 10.0.2.10 (IPv4 id 1). */
static GByteArray *frame_tcp(const TbTcp *t)
{
  return frame_tcp_between(IP(10, 0, 1, 10), IP(10, 0, 2, 10), t);
}

static GByteArray *frame_arp(uint16_t op)
{
  static const uint8_t zero[6] = {0};
  if (op == 1) {
    GByteArray *b = tb_eth(mac_bcast, mac_h1, 0x0806);
    tb_arp(b, 1, mac_h1, IP(10, 0, 1, 10), zero, IP(10, 0, 1, 1));
    return tb_pad(b);
  }
  GByteArray *b = tb_eth(mac_h1, mac_r1, 0x0806);
  tb_arp(b, 2, mac_r1, IP(10, 0, 1, 1), mac_h1, IP(10, 0, 1, 10));
  return tb_pad(b);
}

/* An ICMP echo (request or reply) of 56 payload bytes: an 84-byte datagram. */
static GByteArray *frame_echo(uint8_t type, uint32_t src, uint32_t dst, uint8_t ttl, uint16_t id, uint16_t frag)
{
  uint8_t payload[56];
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)i;
  GByteArray *b = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(b, src, dst, ttl, id, frag, 1, 8 + sizeof payload);
  tb_icmp(b, type, 0, 1u << 16 | 1u, payload, sizeof payload);
  return b;
}

/* The 28 bytes an ICMP error quotes from a UDP probe 10.0.1.2:49152 > 10.0.9.9:33434. */
static GByteArray *quote_udp_probe(uint8_t proto)
{
  GByteArray *q = g_byte_array_new();
  tb_ipv4(q, IP(10, 0, 1, 2), IP(10, 0, 9, 9), 1, 99, 0, proto, 8);
  tb_udp(q, IP(10, 0, 1, 2), IP(10, 0, 9, 9), 49152, 33434, 0);
  return q;
}

/* An ICMP error from 10.0.1.1 to 10.0.1.2 quoting `quote` (taken and freed). */
static GByteArray *frame_icmp_error(uint8_t type, uint8_t code, uint32_t rest, GByteArray *quote)
{
  GByteArray *b = tb_eth(mac_h1, mac_r1, 0x0800);
  tb_ipv4(b, IP(10, 0, 1, 1), IP(10, 0, 1, 2), 64, 3, 0, 1, 8 + quote->len);
  tb_icmp(b, type, code, rest, quote->data, quote->len);
  g_byte_array_unref(quote);
  return tb_pad(b);
}

static GByteArray *frame_udp(uint16_t id, uint16_t frag, size_t payload)
{
  GByteArray *b = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(b, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 64, id, frag, 17, 8 + payload);
  tb_udp(b, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 49152, 9000, payload);
  return tb_pad(b);
}

/* ---- decoding helpers ---------------------------------------------------- */

/* Decodes the first `len` bytes of `b` from a copy of exactly `len` bytes
 * (so that ASan sees any read past them); returns the text (g_free). */
static char *decode_n(TraceFrom from, const GByteArray *b, size_t len)
{
  uint8_t *copy = g_memdup2(b->data, len ? len : 1);
  GString *out = g_string_new(NULL);
  trace_format_packet(out, from, len ? copy : NULL, len);
  g_free(copy);
  return g_string_free(out, FALSE);
}

/* Decodes the whole of `b` (from Ethernet), frees `b` and checks the text. */
static void assert_decodes(GByteArray *b, const char *expected)
{
  char *text = decode_n(TRACE_FROM_ETHERNET, b, b->len);
  ck_assert_str_eq(text, expected);
  g_free(text);
  g_byte_array_unref(b);
}

/* ---- exact lines ----------------------------------------------------------- */

START_TEST(test_arp_lines)
{
  assert_decodes(frame_arp(1), "ARP who-has 10.0.1.1 tell 10.0.1.10");
  assert_decodes(frame_arp(2), "ARP reply 10.0.1.1 is-at 02:00:00:00:00:03");
  GByteArray *b = frame_arp(1);
  b->data[21] = 9; /* op */
  assert_decodes(b, "ARP op 9");
  b = frame_arp(1);
  b->data[14] = 7; /* htype */
  assert_decodes(b, "ARP [bad format]");
}
END_TEST

START_TEST(test_echo_line_from_issue)
{
  Node node = {.name = (char *)"r1"};
  Iface iface = {.name = (char *)"eth1"};
  GByteArray *b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 63, 1, 0);
  GString *out = g_string_new(NULL);

  trace_format_line(out, SIMTIME_NS(2000512000), &node, &iface, TRACE_TX, TRACE_FROM_ETHERNET, b->data, b->len, NULL);
  ck_assert_str_eq(out->str,
                   "2.000512000 r1 eth1 tx IPv4 10.0.1.2 > 10.0.2.2 ttl 63 id 1 len 84 ICMP echo request id 1 seq 1");
  g_string_free(out, TRUE);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(test_echo_reply_df)
{
  assert_decodes(frame_echo(0, IP(10, 0, 2, 2), IP(10, 0, 1, 2), 64, 7, 0x4000),
                 "IPv4 10.0.2.2 > 10.0.1.2 ttl 64 id 7 len 84 DF ICMP echo reply id 1 seq 1");
}
END_TEST

START_TEST(test_icmp_errors)
{
  const char *ip = "IPv4 10.0.1.1 > 10.0.1.2 ttl 64 id 3 len 56 ";
  struct {
    uint8_t type, code;
    uint32_t rest;
    uint8_t quoted_proto;
    const char *icmp;
  } cases[] = {
      {11, 0, 0, 17, "ICMP time exceeded in-transit"}, {11, 1, 0, 17, "ICMP time exceeded reassembly"},
      {3, 0, 0, 17, "ICMP net unreachable"},           {3, 1, 0, 17, "ICMP host unreachable"},
      {3, 2, 0, 6, "ICMP protocol 6 unreachable"},     {3, 3, 0, 17, "ICMP port 33434 unreachable"},
      {3, 4, 576, 17, "ICMP frag needed mtu 576"},     {3, 9, 0, 17, "ICMP type 3 code 9"},
      {11, 2, 0, 17, "ICMP type 11 code 2"},           {13, 0, 0, 17, "ICMP type 13 code 0"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *expected = g_strconcat(ip, cases[i].icmp, NULL);
    assert_decodes(
        frame_icmp_error(cases[i].type, cases[i].code, cases[i].rest, quote_udp_probe(cases[i].quoted_proto)),
        expected);
    g_free(expected);
  }
}
END_TEST

START_TEST(test_icmp_short_quote)
{
  GByteArray *q = quote_udp_probe(17);
  g_byte_array_set_size(q, 22);
  assert_decodes(frame_icmp_error(3, 3, 0, q),
                 "IPv4 10.0.1.1 > 10.0.1.2 ttl 64 id 3 len 50 ICMP port unreachable [truncated quote]");
}
END_TEST

START_TEST(test_udp_line)
{
  assert_decodes(frame_udp(9, 0, 1000), "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 9 len 1028 UDP 49152 > 9000 len 1008");
}
END_TEST

START_TEST(test_fragments)
{
  /* A 3008-byte UDP datagram over a 1500-byte MTU: 1480 + 1480 + 48. */
  GByteArray *first = frame_udp(5, 0x2000, 3000);
  first->data[14 + 2] = 1500 >> 8;
  first->data[14 + 3] = 1500 & 0xff;
  g_byte_array_set_size(first, 14 + 1500);
  assert_decodes(first, "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 5 len 1500 frag off 0 MF UDP 49152 > 9000 len 3008");

  GByteArray *mid = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(mid, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 64, 5, 0x2000 | 185, 17, 1480);
  tb_zeros(mid, 1480);
  assert_decodes(mid, "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 5 len 1500 frag off 1480 MF");

  GByteArray *last = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(last, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 64, 5, 370, 17, 48);
  tb_zeros(last, 48);
  assert_decodes(last, "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 5 len 68 frag off 2960");

  GByteArray *df = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(df, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 64, 5, 0x4000 | 0x2000 | 1, 17, 8);
  tb_zeros(df, 8);
  assert_decodes(tb_pad(df), "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 5 len 28 DF frag off 8 MF");
}
END_TEST

/* topologies/fragmentation.yaml without its outputs. */
static const char *frag_yaml =
    "stop: 10s\n"
    "defaults:\n"
    "  link: { rate: 100Mbps, delay: 1ms, queue: 100p }\n"
    "nodes:\n"
    "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
    "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.12.1/30 }, routes: [ { to: 10.0.2.0/24, via: 10.0.12.2 "
    "} ] }\n"
    "  r2: { kind: router, ip: { eth0: 10.0.12.2/30, eth1: 10.0.2.1/24 }, routes: [ { to: 10.0.1.0/24, via: 10.0.12.1 "
    "} ] }\n"
    "  h2: { kind: host, ip: 10.0.2.10/24, gateway: 10.0.2.1 }\n"
    "links:\n"
    "  - [h1, r1:eth0]\n"
    "  - { name: narrow, ends: [r1:eth1, r2:eth0], mtu: 576 }\n"
    "  - [r2:eth1, h2]\n"
    "apps:\n"
    "  - { name: big, type: ping, on: h1, to: h2, size: 3000, count: 1, start: 1s }\n"
    "  - { name: df, type: ping, on: h1, to: h2, size: 1000, df: true, count: 1, start: 5s }\n";

static void frag_trace_setup(Network *net)
{
  net->ctx.trace = trace_new(tmpfile(), TRUE, TRACE_LINK | TRACE_INTERNET);
}

/* The whole trace of a run set up by frag_trace_setup(); g_free it. */
static char *frag_trace_text(const Network *net)
{
  FILE *f = net->ctx.trace->out;
  long n;
  fflush(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  char *text = g_malloc0((size_t)n + 1);
  ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
  return text;
}

/* Asserts that the lines appear, whole, in this order. */
static void assert_lines_in_order(const char *text, const char *const *lines)
{
  const char *at = text;
  for (guint i = 0; lines[i]; i++) {
    char *needle = g_strdup_printf("%s\n", lines[i]);
    const char *hit = strstr(at, needle);
    ck_assert_msg(hit && (hit == text || hit[-1] == '\n'), "missing (in order) line:\n%s", lines[i]);
    at = hit + strlen(needle);
    g_free(needle);
  }
}

/* The trace shows what is really sent: h1 sends its 3028-byte datagram as
 * three fragments (never the whole); r1 forwards the first 1500-byte
 * fragment and cuts it into three that it sends on the 576-byte link,
 * where every link-layer line is a fragment of at most 572 bytes. With DF,
 * r1's drop comes before the ICMP error it causes. */
START_TEST(test_fragmentation_trace)
{
  TestRun r = testlib_run_scenario(frag_yaml, frag_trace_setup);
  char *text = frag_trace_text(r.net);
  const char *const order[] = {
      "1.000000000 h1 eth0 send #2 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 1500 frag off 0 MF ICMP "
      "echo request id "
      "16384 seq 1",
      "1.000000000 h1 eth0 send #4 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 1500 frag off 1480 MF",
      "1.000000000 h1 eth0 send #5 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 68 frag off 2960",
      "1.003130720 r1 eth1 fwd #2 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 1 len 1500 frag off 0 MF ICMP "
      "echo request id "
      "16384 seq 1",
      "1.003130720 r1 eth1 send #7 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 1 len 572 frag off 0 MF ICMP "
      "echo request id "
      "16384 seq 1",
      "1.003130720 r1 eth1 send #9 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 1 len 572 frag off 552 MF",
      "1.003130720 r1 eth1 send #10 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 1 len 396 frag off 1104 MF",
      "1.005140320 r1 eth1 tx #7 (frag of #1) IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 1 len 572 frag off 0 MF ICMP "
      "echo request id "
      "16384 seq 1",
      /* reassembled, the datagram is #1 again */
      "1.009456480 h2 eth0 deliver #1 IPv4 10.0.1.10 > 10.0.2.10 ttl 62 id 1 len 3028 ICMP echo request id 16384 seq "
      "1",
      "5.001083360 r1 eth1 drop #29 IPv4 10.0.1.10 > 10.0.2.10 ttl 63 id 2 len 1028 DF ICMP echo request id 16385 seq "
      "1 reason frag-needed",
      "5.001083360 r1 eth0 send #30 (error about #29) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP frag needed "
      "mtu 576",
      NULL};
  assert_lines_in_order(text, order);
  char **lines = g_strsplit(text, "\n", -1);
  int narrow_tx = 0;
  for (char **l = lines; *l; l++) {
    const char *len = strstr(*l, " len ");
    /* The 3028-byte datagrams exist only once reassembled (deliver). */
    ck_assert_msg(!strstr(*l, " len 3028 ") || strstr(*l, " deliver #"), "whole datagram sent:\n%s", *l);
    if ((!strstr(*l, " r1 eth1 tx #") && !strstr(*l, " r2 eth0 tx #")) || !strstr(*l, " IPv4 "))
      continue;
    narrow_tx++;
    ck_assert_msg(len && atoi(len + 5) <= 576, "a datagram larger than the MTU on the narrow link:\n%s", *l);
  }
  ck_assert_int_ge(narrow_tx, 12); /* six fragments each way */
  g_strfreev(lines);
  g_free(text);
  testlib_run_free(&r);
}
END_TEST

/* r1 cannot resolve 10.0.2.99: the drop of the request comes first, then
 * the host unreachable it causes; a TTL of 1 likewise: the drop, then time
 * exceeded. */
START_TEST(test_icmp_error_after_drop)
{
  TestRun r = testlib_run_scenario("stop: 10s\n"
                                   "nodes:\n"
                                   "  h1: { kind: host, ip: 10.0.1.10/24, gateway: 10.0.1.1 }\n"
                                   "  h2: { kind: host, ip: 10.0.2.2/24, gateway: 10.0.2.1 }\n"
                                   "  r1: { kind: router, ip: { eth0: 10.0.1.1/24, eth1: 10.0.2.1/24 } }\n"
                                   "links:\n"
                                   "  - [h1, r1:eth0]\n"
                                   "  - [r1:eth1, h2]\n"
                                   "apps:\n"
                                   "  - { name: p, type: ping, on: h1, to: 10.0.2.99, count: 1, start: 1s }\n"
                                   "  - { name: q, type: ping, on: h1, to: h2, count: 1, start: 6s, ttl: 1 }\n",
                                   frag_trace_setup);
  char *text = frag_trace_text(r.net);
  const char *const order[] = {
      "4.003017440 r1 eth1 drop #1 IPv4 10.0.1.10 > 10.0.2.99 ttl 63 id 1 len 84 ICMP echo request id 16384 seq 1 "
      "reason arp-failed",
      "4.003017440 r1 eth0 send #7 (error about #1) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 1 len 56 ICMP host unreachable",
      "6.001007840 r1 eth0 drop #8 IPv4 10.0.1.10 > 10.0.2.2 ttl 1 id 2 len 84 ICMP echo request id 16385 seq 1 reason "
      "ttl-expired",
      "6.001007840 r1 eth0 send #9 (error about #8) IPv4 10.0.1.1 > 10.0.1.10 ttl 64 id 2 len 56 ICMP time exceeded "
      "in-transit",
      NULL};
  assert_lines_in_order(text, order);
  g_free(text);
  testlib_run_free(&r);
}
END_TEST

START_TEST(test_other_protocols)
{
  GByteArray *gre = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(gre, IP(10, 0, 1, 10), IP(10, 0, 2, 10), 64, 2, 0, 47, 20);
  tb_zeros(gre, 20);
  assert_decodes(tb_pad(gre), "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 2 len 40 proto 47 len 20");

  GByteArray *v6 = tb_eth(mac_bcast, mac_h1, 0x86dd);
  assert_decodes(tb_pad(v6), "ETH 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff ethertype 0x86dd len 46");
}
END_TEST

START_TEST(test_from_ipv4_and_padding)
{
  GByteArray *b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  GByteArray *ip = g_byte_array_new();
  g_byte_array_append(ip, b->data + 14, b->len - 14);
  char *text = decode_n(TRACE_FROM_IPV4, ip, ip->len);
  ck_assert_str_eq(text, "IPv4 10.0.1.2 > 10.0.2.2 ttl 64 id 1 len 84 ICMP echo request id 1 seq 1");
  g_free(text);
  g_byte_array_unref(ip);
  g_byte_array_unref(b);

  /* A small datagram in a padded frame: the padding is not decoded. */
  GByteArray *small = tb_eth(mac_r1, mac_h1, 0x0800);
  tb_ipv4(small, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 4, 0, 1, 8);
  tb_icmp(small, 8, 0, 7u << 16 | 3u, NULL, 0);
  assert_decodes(tb_pad(small), "IPv4 10.0.1.2 > 10.0.2.2 ttl 64 id 4 len 28 ICMP echo request id 7 seq 3");
}
END_TEST

START_TEST(test_truncation_markers)
{
  GByteArray *b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  const char *ip = "IPv4 10.0.1.2 > 10.0.2.2 ttl 64 id 1 len 84 ";
  struct {
    size_t len;
    const char *tail;
  } cases[] = {
      {14 + 50, "ICMP echo request id 1 seq 1 [truncated, 50 of 84 bytes]"},
      {14 + 24, "ICMP [truncated, 4 bytes] [truncated, 24 of 84 bytes]"},
      {14 + 20, "ICMP [truncated, 0 bytes] [truncated, 20 of 84 bytes]"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = decode_n(TRACE_FROM_ETHERNET, b, cases[i].len);
    char *expected = g_strconcat(ip, cases[i].tail, NULL);
    ck_assert_str_eq(text, expected);
    g_free(text);
    g_free(expected);
  }
  char *text = decode_n(TRACE_FROM_ETHERNET, b, 14 + 10);
  ck_assert_str_eq(text, "IPv4 [truncated, 10 bytes]");
  g_free(text);
  text = decode_n(TRACE_FROM_ETHERNET, b, 5);
  ck_assert_str_eq(text, "ETH [truncated, 5 bytes]");
  g_free(text);
  text = decode_n(TRACE_FROM_ETHERNET, b, 0);
  ck_assert_str_eq(text, "ETH [truncated, 0 bytes]");
  g_free(text);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(test_bad_headers)
{
  const char *ip = "IPv4 10.0.1.2 > 10.0.2.2 ttl 64 id 1 len 84";
  GByteArray *b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  b->data[14] = 0x44; /* IHL 4 */
  char *expected = g_strconcat(ip, " [bad ihl 4]", NULL);
  assert_decodes(b, expected);
  g_free(expected);

  b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  b->data[14] = 0x4f; /* 60 bytes of header in a 40-byte buffer */
  g_byte_array_set_size(b, 14 + 40);
  expected = g_strconcat(ip, " [truncated options]", NULL);
  assert_decodes(b, expected);
  g_free(expected);

  b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  b->data[14] = 0x65;
  assert_decodes(b, "IPv4 [bad version 6]");

  b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0);
  b->data[14 + 2] = 0;
  b->data[14 + 3] = 12; /* total length below the header length */
  assert_decodes(b, "IPv4 10.0.1.2 > 10.0.2.2 ttl 64 id 1 len 12 [bad len]");
}
END_TEST

START_TEST(test_reason_note_and_write)
{
  Node node = {.name = (char *)"r2"};
  Iface iface = {.name = (char *)"eth0"};
  GByteArray *b = frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 9, 9), 64, 1, 0);
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  Trace *t = trace_new(f, FALSE, TRACE_ALL);
  PacketPool *pool = packet_pool_new();
  Packet *ip = packet_new_from(pool, b->data + 14, b->len - 14);

  ck_assert(trace_wants(t, TRACE_INTERNET));
  ck_assert(!trace_wants(NULL, TRACE_INTERNET));
  trace_packet(t, TRACE_INTERNET, SIMTIME_S(3), &node, NULL, TRACE_DROP, TRACE_FROM_IPV4, ip, "no-route");
  trace_note(t, TRACE_LINK, SIMTIME_MS(3500), &node, &iface, "link %s down", "r1-r2");
  trace_free(t);
  fclose(f);
  ck_assert_str_eq(text,
                   "3.000000000 r2 - drop #1 IPv4 10.0.1.2 > 10.0.9.9 ttl 64 id 1 len 84 ICMP echo request id 1 seq 1 "
                   "reason no-route\n"
                   "3.500000000 r2 eth0 note link r1-r2 down\n");
  packet_free(ip);
  packet_pool_free(pool);
  g_byte_array_unref(b);
  free(text);
}
END_TEST

START_TEST(test_layers)
{
  Trace *t = trace_new(stdout, FALSE, TRACE_LINK | TRACE_APP);
  ck_assert(trace_wants(t, TRACE_LINK));
  ck_assert(!trace_wants(t, TRACE_INTERNET));
  ck_assert(!trace_wants(t, TRACE_TRANSPORT));
  ck_assert(trace_wants(t, TRACE_APP));
  ck_assert_str_eq(trace_verb_name(TRACE_ENQ), "enq");
  ck_assert_str_eq(trace_verb_name(TRACE_FWD), "fwd");
  ck_assert_str_eq(trace_verb_name(TRACE_DELIVER), "deliver");
  trace_free(t);
  trace_free(NULL);
}
END_TEST

/* ---- TCP --------------------------------------------------------------------- */

/* Linux's SYN options: mss 1460, sackOK, TS val 12345 ecr 0, nop, wscale 7. */
static const uint8_t opt_syn[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7};

/* Decodes the frame of `t` and checks the text from "TCP" on (the IPv4
 * part is tested elsewhere). */
static void assert_tcp(const TbTcp *t, const char *expected)
{
  GByteArray *b = frame_tcp(t);
  char *text = decode_n(TRACE_FROM_ETHERNET, b, b->len);
  const char *tcp = strstr(text, " TCP ");
  ck_assert_msg(tcp, "no TCP in '%s'", text);
  ck_assert_str_eq(tcp + 1, expected);
  g_free(text);
  g_byte_array_unref(b);
}

START_TEST(test_tcp_handshake)
{
  TbTcp syn = {.sport = 49152, .dport = 80, .seq = 1000, .flags = 0x02, .win = 65535, .opt = opt_syn, .optlen = 20};
  assert_decodes(frame_tcp(&syn), "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 60 DF TCP 49152 > 80 [S] seq 1000 win "
                                  "65535 options [mss 1460,sackOK,TS val 12345 ecr 0,nop,wscale 7] len 0");
  static const uint8_t opt_synack[] = {2, 4, 0x05, 0x78, 1, 1, 4, 2, 1, 3, 3, 0};
  TbTcp synack = {.sport = 80,
                  .dport = 49152,
                  .seq = 5000,
                  .ack = 1001,
                  .flags = 0x12,
                  .win = 65160,
                  .opt = opt_synack,
                  .optlen = 12};
  assert_tcp(&synack, "TCP 80 > 49152 [S.] seq 5000 ack 1001 win 65160 options [mss 1400,nop,nop,sackOK,nop,wscale "
                      "0] len 0");
  TbTcp ack = {.sport = 49152, .dport = 80, .seq = 1001, .ack = 5001, .flags = 0x10, .win = 502};
  assert_tcp(&ack, "TCP 49152 > 80 [.] seq 1001 ack 5001 win 502 len 0");
}
END_TEST

START_TEST(test_tcp_data_and_close)
{
  TbTcp data = {.sport = 49152, .dport = 80, .seq = 1001, .ack = 5001, .flags = 0x18, .win = 502, .payload = 1448};
  assert_decodes(frame_tcp(&data),
                 "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 1488 DF TCP 49152 > 80 [P.] seq 1001:2449 ack 5001 win "
                 "502 len 1448");
  static const uint8_t opt_ts[] = {1, 1, 8, 10, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff};
  TbTcp ts = {.sport = 49152,
              .dport = 80,
              .seq = 2449,
              .ack = 5001,
              .flags = 0x10,
              .win = 502,
              .opt = opt_ts,
              .optlen = 12,
              .payload = 100};
  assert_tcp(&ts,
             "TCP 49152 > 80 [.] seq 2449:2549 ack 5001 win 502 options [nop,nop,TS val 7 ecr 4294967295] len 100");
  TbTcp fin = {.sport = 49152, .dport = 80, .seq = 2549, .ack = 5001, .flags = 0x11, .win = 502};
  assert_tcp(&fin, "TCP 49152 > 80 [F.] seq 2549 ack 5001 win 502 len 0");
  TbTcp finpsh = {.sport = 80, .dport = 49152, .seq = 5001, .ack = 2550, .flags = 0x19, .win = 1000, .payload = 10};
  assert_tcp(&finpsh, "TCP 80 > 49152 [FP.] seq 5001:5011 ack 2550 win 1000 len 10");
  /* The end of the data wraps around 2^32. */
  TbTcp wrap = {.sport = 1, .dport = 2, .seq = 4294967000u, .ack = 1, .flags = 0x10, .win = 1, .payload = 1000};
  assert_tcp(&wrap, "TCP 1 > 2 [.] seq 4294967000:704 ack 1 win 1 len 1000");
}
END_TEST

/* A data segment from port 49152 to 80 whose payload starts with `text`
 * (then 'a', 'b', ... up to `payload` bytes), decoded from its first
 * `cut` bytes (0: all); returns the line (g_free). */
static char *decode_http(const char *text, size_t payload, size_t cut)
{
  TbTcp t = {.sport = 49152, .dport = 80, .seq = 1, .ack = 1, .flags = 0x18, .win = 502, .payload = payload};
  GByteArray *b = frame_tcp(&t);
  memcpy(b->data + 14 + 20 + 20, text, strlen(text));
  char *line = decode_n(TRACE_FROM_ETHERNET, b, cut ? cut : b->len);
  g_byte_array_unref(b);
  return line;
}

START_TEST(test_tcp_http)
{
  char *t = decode_http("GET /bytes/5000 HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n", 44, 0);
  ck_assert_msg(g_str_has_suffix(t, "[P.] seq 1:45 ack 1 win 502 len 44: HTTP: GET /bytes/5000 HTTP/1.1"), "%s", t);
  g_free(t);
  t = decode_http("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n", 1448, 0);
  ck_assert_msg(g_str_has_suffix(t, " len 1448: HTTP: HTTP/1.1 200 OK"), "%s", t);
  g_free(t);
  /* Cut by the capture in the start line: what there is of it. */
  t = decode_http("GET /index.html HTTP/1.0\r\n", 100, 14 + 20 + 20 + 24);
  ck_assert_msg(strstr(t, " len 100: HTTP: GET /index.html HTTP/1.0 [truncated, 64 of 140 bytes]"), "%s", t);
  g_free(t);
  /* A body, a line with a control byte, a request line without a version,
   * a lower-case method, a status line without its code: nothing. */
  static const char *const not_http[] = {"abcdefgh", "GET /x\x01 HTTP/1.1\r\n", "GET /x\r\n", "get /x HTTP/1.1\r\n",
                                         "HTTP/1.1 \r\n"};
  for (guint i = 0; i < G_N_ELEMENTS(not_http); i++) {
    t = decode_http(not_http[i], 40, 0);
    ck_assert_msg(g_str_has_suffix(t, " len 40"), "%s: %s", not_http[i], t);
    g_free(t);
  }
}
END_TEST

START_TEST(test_tcp_flags)
{
  TbTcp rst = {.sport = 80, .dport = 49152, .seq = 5001, .flags = 0x04};
  assert_tcp(&rst, "TCP 80 > 49152 [R] seq 5001 win 0 len 0");
  TbTcp rstack = {.sport = 80, .dport = 49152, .seq = 0, .ack = 1001, .flags = 0x14};
  assert_tcp(&rstack, "TCP 80 > 49152 [R.] seq 0 ack 1001 win 0 len 0");
  TbTcp none = {.sport = 7, .dport = 9, .seq = 3, .ack = 99, .win = 4};
  assert_tcp(&none, "TCP 7 > 9 [none] seq 3 win 4 len 0");
  TbTcp all = {.sport = 7, .dport = 9, .seq = 3, .ack = 4, .flags = 0xff, .win = 5, .urg = 6};
  GByteArray *b = frame_tcp(&all);
  b->data[14 + 20 + 12] |= 0x01; /* AE */
  char *text = decode_n(TRACE_FROM_ETHERNET, b, b->len);
  ck_assert_str_eq(strstr(text, "TCP"), "TCP 7 > 9 [FSRP.UEWe] seq 3 ack 4 win 5 urg 6 len 0");
  g_free(text);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(test_tcp_options)
{
  static const uint8_t sack[] = {1, 1, 5, 18, 0, 0, 0x0b, 0xb8, 0, 0, 0x11, 0x60, 0, 0, 0x17, 0x08, 0, 0, 0x1c, 0xb0};
  TbTcp t = {.sport = 80, .dport = 49152, .seq = 1, .ack = 3000, .flags = 0x10, .win = 9, .opt = sack, .optlen = 20};
  assert_tcp(&t, "TCP 80 > 49152 [.] seq 1 ack 3000 win 9 options [nop,nop,sack 2 {3000:4448}{5896:7344}] len 0");
  static const uint8_t eol[] = {2, 4, 0x05, 0xb4, 0, 2, 4, 0};
  t = (TbTcp){.sport = 80, .dport = 1, .flags = 0x02, .opt = eol, .optlen = 8};
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0 win 0 options [mss 1460,eol] len 0");
  static const uint8_t unknown[] = {30, 4, 0xaa, 0xbb, 254, 2, 1, 1};
  t = (TbTcp){.sport = 80, .dport = 1, .flags = 0x02, .opt = unknown, .optlen = 8};
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0 win 0 options [opt-30 len 4,opt-254 len 2,nop,nop] len 0");
  static const uint8_t wrong_len[] = {2, 3, 5, 1, 3, 2, 8, 2, 5, 4, 1, 2, 4, 3, 0, 0};
  t = (TbTcp){.sport = 80, .dport = 1, .flags = 0x02, .opt = wrong_len, .optlen = 16};
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0 win 0 options [[bad mss len 3],nop,[bad wscale len 2],[bad TS len 2],[bad sack "
                 "len 4],[bad sackOK len 3],eol] len 0");
}
END_TEST

START_TEST(test_tcp_malformed_options)
{
  static const uint8_t zero_len[] = {1, 2, 0, 5};
  TbTcp t = {.sport = 80, .dport = 1, .flags = 0x02, .opt = zero_len, .optlen = 4, .payload = 3};
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0:3 win 0 options [nop,[bad opt 2 len 0]] len 3");
  static const uint8_t one_len[] = {8, 1, 1, 1};
  t.opt = one_len;
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0:3 win 0 options [[bad opt 8 len 1]] len 3");
  static const uint8_t overrun[] = {1, 1, 8, 10};
  t.opt = overrun;
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0:3 win 0 options [nop,nop,[bad opt 8 len 10]] len 3");
  static const uint8_t no_len[] = {1, 1, 1, 3};
  t.opt = no_len;
  assert_tcp(&t, "TCP 80 > 1 [S] seq 0:3 win 0 options [nop,nop,nop,[truncated opt 3]] len 3");
}
END_TEST

START_TEST(test_tcp_malformed_header)
{
  TbTcp t = {.sport = 49152, .dport = 80, .seq = 1000, .flags = 0x02, .win = 65535, .doff = 4, .payload = 8};
  assert_tcp(&t, "TCP 49152 > 80 [S] seq 1000 win 65535 [bad data offset 4]");
  t.doff = 1;
  assert_tcp(&t, "TCP 49152 > 80 [S] seq 1000 win 65535 [bad data offset 1]");
  t.doff = 8; /* 32 bytes of header in a 28-byte segment */
  assert_tcp(&t, "TCP 49152 > 80 [S] seq 1000 win 65535 [bad data offset 8]");
  t.doff = 7; /* exactly the segment: options of 8 bytes that are the payload */
  assert_tcp(&t, "TCP 49152 > 80 [S] seq 1000 win 65535 options [[bad opt 97 len 98]] len 0");

  /* The capture ends inside the options or inside the fixed header. */
  TbTcp syn = {.sport = 49152, .dport = 80, .seq = 1000, .flags = 0x02, .win = 65535, .opt = opt_syn, .optlen = 20};
  GByteArray *b = frame_tcp(&syn);
  const char *ip = "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 60 DF ";
  struct {
    size_t len;
    const char *tail;
  } cases[] = {
      {14 + 20 + 30, "TCP 49152 > 80 [S] seq 1000 win 65535 [truncated options] [truncated, 50 of 60 bytes]"},
      {14 + 20 + 20, "TCP 49152 > 80 [S] seq 1000 win 65535 [truncated options] [truncated, 40 of 60 bytes]"},
      {14 + 20 + 19, "TCP [truncated, 19 bytes] [truncated, 39 of 60 bytes]"},
      {14 + 20, "TCP [truncated, 0 bytes] [truncated, 20 of 60 bytes]"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = decode_n(TRACE_FROM_ETHERNET, b, cases[i].len);
    char *expected = g_strconcat(ip, cases[i].tail, NULL);
    ck_assert_str_eq(text, expected);
    g_free(text);
    g_free(expected);
  }
  g_byte_array_unref(b);
}
END_TEST

START_TEST(test_tcp_in_icmp_and_fragments)
{
  /* Port unreachable quoting a TCP segment shows its destination port. */
  GByteArray *q = g_byte_array_new();
  TbTcp syn = {.sport = 49152, .dport = 81, .seq = 1, .flags = 0x02};
  tb_ipv4(q, IP(10, 0, 1, 2), IP(10, 0, 9, 9), 1, 99, 0, 6, 20);
  tb_tcp(q, IP(10, 0, 1, 2), IP(10, 0, 9, 9), &syn);
  g_byte_array_set_size(q, 28);
  assert_decodes(frame_icmp_error(3, 3, 0, q), "IPv4 10.0.1.1 > 10.0.1.2 ttl 64 id 3 len 56 ICMP port 81 unreachable");
  /* A first fragment shows the TCP header and the bytes of this fragment;
   * later fragments show no TCP. */
  TbTcp data = {.sport = 1, .dport = 2, .seq = 10, .flags = 0x10, .payload = 100};
  GByteArray *b = frame_tcp(&data);
  b->data[14 + 6] = 0x20; /* MF */
  assert_tcp(&data, "TCP 1 > 2 [.] seq 10:110 ack 0 win 0 len 100");
  b->data[14 + 7] = 1;
  char *text = decode_n(TRACE_FROM_ETHERNET, b, b->len);
  ck_assert_str_eq(text, "IPv4 10.0.1.10 > 10.0.2.10 ttl 64 id 1 len 140 frag off 8 MF");
  g_free(text);
  g_byte_array_unref(b);
}
END_TEST

/* ---- malformed input never crashes ---------------------------------------- */

/* Checks that a decoded text is one printable ASCII line (one assertion:
 * each one costs Check a message to the parent process). */
static void assert_printable(const char *text)
{
  const char *c = text;
  while (*c >= 0x20 && *c < 0x7f)
    c++;
  ck_assert_msg(text[0] != '\0' && *c == '\0', "empty, or unprintable byte 0x%02x in '%s'", (unsigned char)*c, text);
}

START_TEST(test_every_truncation)
{
  GByteArray *frames[] = {
      frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 64, 1, 0),
      frame_icmp_error(3, 3, 0, quote_udp_probe(17)),
      frame_icmp_error(3, 2, 0, quote_udp_probe(6)),
      frame_arp(2),
      frame_udp(1, 0, 30),
      frame_tcp(&(TbTcp){.sport = 1, .dport = 2, .flags = 0x02, .opt = opt_syn, .optlen = 20}),
      frame_tcp(&(TbTcp){.sport = 1, .dport = 2, .flags = 0x18, .opt = opt_syn + 4, .optlen = 12, .payload = 9}),
  };
  for (size_t f = 0; f < G_N_ELEMENTS(frames); f++) {
    for (size_t len = 0; len <= frames[f]->len; len++) {
      char *text = decode_n(TRACE_FROM_ETHERNET, frames[f], len);
      assert_printable(text);
      g_free(text);
      if (len >= 14) {
        GByteArray ip = {frames[f]->data + 14, frames[f]->len - 14};
        text = decode_n(TRACE_FROM_IPV4, &ip, len - 14);
        assert_printable(text);
        g_free(text);
      }
    }
    g_byte_array_unref(frames[f]);
  }
}
END_TEST

START_TEST(test_random_bytes)
{
  enum { MAX_LEN = 160 };
  static const uint8_t icmp_types[] = {0, 3, 8, 11, 13};
  static const uint8_t ip_protos[] = {1, 17, 6};
  GRand *rand = g_rand_new_with_seed(42);
  /* The bytes end where the allocation ends, so ASan sees any read past them. */
  uint8_t *buf = g_malloc(MAX_LEN);
  GString *out = g_string_new(NULL);

  for (int i = 0; i < 20000; i++) {
    guint len = (guint)g_rand_int_range(rand, 0, MAX_LEN + 1);
    uint8_t *d = buf + MAX_LEN - len;
    for (guint k = 0; k < len; k++)
      d[k] = (uint8_t)g_rand_int(rand);
    /* Most of the time, steer the bytes into the deeper decoders. */
    if (len >= 15 && i % 4) {
      d[12] = i % 8 ? 0x08 : 0x86;
      d[13] = i % 3 ? 0x00 : 0x06;
      d[14] = (uint8_t)(i % 3 ? 0x45 : 0x40 | (d[14] & 0x0f));
    }
    if (len >= 22 && i % 3) {
      d[14 + 6] &= 0xe0; /* flags only: a first fragment or a whole datagram */
      d[14 + 7] = 0;
    }
    if (len >= 24 && i % 2)
      d[14 + 9] = ip_protos[(i / 2) % G_N_ELEMENTS(ip_protos)];
    if (len >= 35 && i % 2 && d[14 + 9] == 1)
      d[34] = icmp_types[(i / 6) % G_N_ELEMENTS(icmp_types)];
    if (len >= 47 && i % 2 && d[14 + 9] == 6)
      d[34 + 12] = (uint8_t)((5 + i / 6 % 11) << 4); /* a data offset of 5..15 */
    if (len >= 56 && i % 2 && d[14 + 9] == 6)
      d[54] = (uint8_t)(i / 6 % 10); /* an option kind we know */
    g_string_truncate(out, 0);
    trace_format_packet(out, i % 5 ? TRACE_FROM_ETHERNET : TRACE_FROM_IPV4, d, len);
    assert_printable(out->str);
  }
  g_string_free(out, TRUE);
  g_free(buf);
  g_rand_free(rand);
}
END_TEST

/* ---- TCP sequence numbers in a Trace: relative, as tcpdump's default ------------ */

/* A Trace writing into memory, and the packets it is shown. */
typedef struct {
  char *text;
  size_t size;
  FILE *f;
  Trace *t;
  PacketPool *pool;
} TraceMem;

static void tm_open(TraceMem *m)
{
  m->text = NULL;
  m->size = 0;
  m->f = open_memstream(&m->text, &m->size);
  m->t = trace_new(m->f, FALSE, TRACE_ALL);
  m->pool = packet_pool_new();
}

/* Shows the trace the segment `t` from `src` to `dst` as a tx line, and
 * returns the line's text from "TCP" on. */
static char *tm_tcp(TraceMem *m, uint32_t src, uint32_t dst, const TbTcp *t)
{
  GByteArray *b = frame_tcp_between(src, dst, t);
  Packet *p = packet_new_from(m->pool, b->data, b->len);
  Node node = {.name = (char *)"h1"};
  long at = ftell(m->f);
  trace_packet(m->t, TRACE_LINK, 0, &node, NULL, TRACE_TX, TRACE_FROM_ETHERNET, p, NULL);
  fflush(m->f);
  char *line = g_strndup(m->text + at, m->size - (size_t)at - 1);
  char *tcp = g_strdup(strstr(line, "TCP "));
  g_free(line);
  packet_free(p);
  g_byte_array_unref(b);
  return tcp;
}

static void tm_close(TraceMem *m)
{
  trace_free(m->t);
  fclose(m->f);
  packet_pool_free(m->pool);
  free(m->text);
}

#define H1 IP(10, 0, 1, 10)
#define H2 IP(10, 0, 2, 10)

/* Checks the line the trace writes for `t` from `src` to `dst`. */
#define ASSERT_TM(m, src, dst, t, expected)                                                                            \
  do {                                                                                                                 \
    char *got_ = tm_tcp(m, src, dst, t);                                                                               \
    ck_assert_str_eq(got_, expected);                                                                                  \
    g_free(got_);                                                                                                      \
  } while (0)

/* SYN and SYN-ACK show the absolute ISNs; after them seq counts from
 * each direction's ISN and ack and SACK blocks from the other's, modulo
 * 2^32; trace_format_packet() (no state) still shows the absolute ones. */
START_TEST(test_tcp_relative_after_syn)
{
  TraceMem m;
  tm_open(&m);
  TbTcp syn = {.sport = 49152, .dport = 80, .seq = 1000, .flags = 0x02, .win = 65535};
  ASSERT_TM(&m, H1, H2, &syn, "TCP 49152 > 80 [S] seq 1000 win 65535 len 0");
  TbTcp synack = {.sport = 80, .dport = 49152, .seq = 4294967000u, .ack = 1001, .flags = 0x12, .win = 65160};
  ASSERT_TM(&m, H2, H1, &synack, "TCP 80 > 49152 [S.] seq 4294967000 ack 1001 win 65160 len 0");
  TbTcp ack = {.sport = 49152, .dport = 80, .seq = 1001, .ack = 4294967001u, .flags = 0x10, .win = 502};
  ASSERT_TM(&m, H1, H2, &ack, "TCP 49152 > 80 [.] seq 1 ack 1 win 502 len 0");
  TbTcp data = {
      .sport = 49152, .dport = 80, .seq = 1001, .ack = 4294967001u, .flags = 0x18, .win = 502, .payload = 1448};
  ASSERT_TM(&m, H1, H2, &data, "TCP 49152 > 80 [P.] seq 1:1449 ack 1 win 502 len 1448");
  GByteArray *b = frame_tcp(&data);
  char *text = decode_n(TRACE_FROM_ETHERNET, b, b->len);
  ck_assert_str_eq(strstr(text, "TCP "), "TCP 49152 > 80 [P.] seq 1001:2449 ack 4294967001 win 502 len 1448");
  g_free(text);
  g_byte_array_unref(b);
  /* bob's data crosses 2^32: 4294967001 + 400 wraps to 105, relative 401. */
  TbTcp reply = {.sport = 80, .dport = 49152, .seq = 4294967001u, .ack = 2449, .flags = 0x18, .win = 9, .payload = 400};
  ASSERT_TM(&m, H2, H1, &reply, "TCP 80 > 49152 [P.] seq 1:401 ack 1449 win 9 len 400");
  static const uint8_t opt_sack[] = {1, 1, 5, 10, 0, 0, 0x0f, 0x39, 0, 0, 0x14, 0xe1};
  TbTcp sack = {
      .sport = 80, .dport = 49152, .seq = 105, .ack = 2449, .flags = 0x10, .win = 9, .opt = opt_sack, .optlen = 12};
  ASSERT_TM(&m, H2, H1, &sack, "TCP 80 > 49152 [.] seq 401 ack 1449 win 9 options [nop,nop,sack 1 {2897:4345}] len 0");
  /* A new SYN on the same ports starts counting again. */
  TbTcp syn2 = {.sport = 49152, .dport = 80, .seq = 70000, .flags = 0x02, .win = 65535};
  ASSERT_TM(&m, H1, H2, &syn2, "TCP 49152 > 80 [S] seq 70000 win 65535 len 0");
  TbTcp data2 = {.sport = 49152, .dport = 80, .seq = 70001, .ack = 4294967001u, .flags = 0x10, .win = 1, .payload = 10};
  ASSERT_TM(&m, H1, H2, &data2, "TCP 49152 > 80 [.] seq 1:11 ack 1 win 1 len 10");
  tm_close(&m);
}
END_TEST

/* Segments of a connection whose SYNs the trace did not show stay
 * absolute, as does one whose peer never sent a SYN (the RST refusing a
 * SYN); a connection with the same ports between other hosts is another
 * connection. */
START_TEST(test_tcp_absolute_without_syn)
{
  TraceMem m;
  tm_open(&m);
  TbTcp mid = {.sport = 1, .dport = 2, .seq = 7000, .ack = 9000, .flags = 0x10, .win = 3, .payload = 100};
  ASSERT_TM(&m, H1, H2, &mid, "TCP 1 > 2 [.] seq 7000:7100 ack 9000 win 3 len 100");
  TbTcp back = {.sport = 2, .dport = 1, .seq = 9000, .ack = 7100, .flags = 0x10, .win = 3};
  ASSERT_TM(&m, H2, H1, &back, "TCP 2 > 1 [.] seq 9000 ack 7100 win 3 len 0");
  TbTcp syn = {.sport = 49152, .dport = 81, .seq = 1000, .flags = 0x02, .win = 65535};
  ASSERT_TM(&m, H1, H2, &syn, "TCP 49152 > 81 [S] seq 1000 win 65535 len 0");
  TbTcp rst = {.sport = 81, .dport = 49152, .seq = 0, .ack = 1001, .flags = 0x14};
  ASSERT_TM(&m, H2, H1, &rst, "TCP 81 > 49152 [R.] seq 0 ack 1001 win 0 len 0");
  TbTcp synack = {.sport = 81, .dport = 49152, .seq = 5000, .ack = 1001, .flags = 0x12, .win = 1};
  ASSERT_TM(&m, H2, H1, &synack, "TCP 81 > 49152 [S.] seq 5000 ack 1001 win 1 len 0");
  TbTcp other = {.sport = 49152, .dport = 81, .seq = 1001, .ack = 5001, .flags = 0x10, .win = 1};
  ASSERT_TM(&m, IP(10, 0, 1, 11), H2, &other, "TCP 49152 > 81 [.] seq 1001 ack 5001 win 1 len 0");
  ASSERT_TM(&m, H1, H2, &other, "TCP 49152 > 81 [.] seq 1 ack 1 win 1 len 0");
  tm_close(&m);
}
END_TEST

/* The run of test_tcp_note_matches_segment writes its trace here. */
static FILE *note_trace_out;

static void note_trace_setup(Network *net)
{
  trace_free(net->ctx.trace);
  net->ctx.trace = trace_new(note_trace_out, FALSE, TRACE_INTERNET | TRACE_TRANSPORT);
}

/* Returns the last line before `upto` of `lines` that starts with
 * `prefix` and holds `tcp`, or NULL. */
static const char *last_line_with(char **lines, guint upto, const char *prefix, const char *tcp)
{
  for (guint i = upto; i-- > 0;)
    if (g_str_has_prefix(lines[i], prefix) && strstr(lines[i], tcp))
      return lines[i];
  return NULL;
}

/* Runs alice's 30000 bytes to bob with the link down for 20 ms under
 * the first flight, and returns the trace of the internet and transport
 * layers. */
static char *note_run_trace(void)
{
  static const char *yaml = "scenario: notes\n"
                            "seed: 1\n"
                            "stop: 5s\n"
                            "nodes:\n"
                            "  alice: { kind: host, ip: 10.0.0.1/24 }\n"
                            "  bob: { kind: host, ip: 10.0.0.2/24 }\n"
                            "links:\n"
                            "  - { ends: [alice, bob], rate: 10Mbps, delay: 5ms }\n"
                            "apps:\n"
                            "  - { name: a, type: bulk, on: alice, to: \"bob:5001\", bytes: 30000B, start: 1s }\n"
                            "  - { name: b, type: bulk-sink, on: bob, port: 5001 }\n"
                            "events:\n"
                            "  - { at: 1021ms, link: [alice, bob], set: down }\n"
                            "  - { at: 1041ms, link: [alice, bob], set: up }\n";
  char *text = NULL;
  size_t size = 0;
  note_trace_out = open_memstream(&text, &size);
  TestRun r = testlib_run_scenario(yaml, note_trace_setup);
  trace_free(r.net->ctx.trace);
  r.net->ctx.trace = NULL;
  fclose(note_trace_out);
  testlib_run_free(&r);
  return text;
}

/* Checks that every "retransmit seq S len L" note of data in `lines`
 * follows, at the same time and node, the send line of its segment with
 * seq S:S+L; returns how many it checked. */
static guint assert_notes_match_sends(char **lines)
{
  guint notes = 0;
  for (guint i = 0; lines[i]; i++) {
    char at[32], node[16], why[16];
    unsigned sport, dport;
    unsigned long seq, len;
    if (sscanf(lines[i], "%31s %15s - note tcp %*[0-9.]:%u > %*[0-9.]:%u retransmit seq %lu len %lu (%15[a-z])", at,
               node, &sport, &dport, &seq, &len, why) != 7 ||
        len == 0)
      continue;
    char *prefix = g_strdup_printf("%s %s ", at, node);
    char *tcp = g_strdup_printf(" TCP %u > %u [", sport, dport);
    char *want = g_strdup_printf("] seq %lu:%lu ", seq, (seq + len) % 4294967296ul);
    const char *sent = last_line_with(lines, i, prefix, tcp);
    ck_assert_msg(sent && strstr(sent, " send ") && strstr(sent, want), "'%s' after '%s'", lines[i],
                  sent ? sent : "nothing");
    notes++;
    g_free(prefix);
    g_free(tcp);
    g_free(want);
  }
  return notes;
}

/* A handshake, data, and a loss (note_run_trace()): the SYN shows alice's
 * absolute ISN, her first data segment seq 1:1449 (packet #6), the timeout
 * sends it again as seq 1:1449 in a new packet marked "(retransmit)" with the note "retransmit seq 1 len 1448", and
 * every data retransmission note shows the seq of its segment's line. */
START_TEST(test_tcp_note_matches_segment)
{
  char *text = note_run_trace();
  char **lines = g_strsplit(text, "\n", -1);
  const char *syn = last_line_with(lines, g_strv_length(lines), "1.000000000 alice eth0 send ", " [S] seq ");
  ck_assert_msg(syn && !strstr(syn, " [S] seq 0 ") && !strstr(syn, " [S] seq 1 "), "%s", syn ? syn : text);
  ck_assert_ptr_nonnull(strstr(text, " alice eth0 send #6 IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 3 len 1500 DF TCP 49152 "
                                     "> 5001 [.] seq 1:1449 ack 1 win "));
  ck_assert_ptr_nonnull(
      strstr(text, "1.220214400 alice eth0 send #16 (retransmit) IPv4 10.0.0.1 > 10.0.0.2 ttl 64 id 13 len 1500 DF TCP "
                   "49152 > 5001 [.] seq 1:1449 ack 1 win 32768 options [nop,nop,TS val 1220214 ecr "
                   "1015155] len 1448\n1.220214400 alice - note tcp 10.0.0.1:49152 > "
                   "10.0.0.2:5001 retransmit seq 1 len 1448 (timeout)\n"));
  ck_assert_uint_ge(assert_notes_match_sends(lines), 1);
  g_strfreev(lines);
  free(text);
}
END_TEST

/* ---- time ---------------------------------------------------------------- */

static void assert_time(SimTime t, const char *expected)
{
  GString *out = g_string_new("x");
  trace_format_time(out, t);
  ck_assert_str_eq(out->str + 1, expected);
  g_string_free(out, TRUE);
}

START_TEST(test_time_format)
{
  assert_time(0, "0.000000000");
  assert_time(1, "0.000000001");
  assert_time(SIMTIME_NS(999999999), "0.999999999");
  assert_time(SIMTIME_S(1), "1.000000000");
  assert_time(SIMTIME_NS(2000512000), "2.000512000");
  assert_time(SIMTIME_NS(59999999999), "59.999999999");
  assert_time(SIMTIME_S(86400) + 5, "86400.000000005");
  assert_time(INT64_MAX, "9223372036.854775807");
  assert_time(-1, "-0.000000001");
  assert_time(INT64_MIN, "-9223372036.854775808");
}
END_TEST

/* ---- pcap ------------------------------------------------------------------ */

/* The frames the pcap tests write, with their times. */
typedef struct {
  SimTime at;
  GByteArray *frame;
} PcapCase;

static guint pcap_cases(PcapCase *cases)
{
  cases[0] = (PcapCase){0, frame_arp(1)};
  cases[1] = (PcapCase){1, frame_arp(2)};
  cases[2] = (PcapCase){SIMTIME_NS(2000512000), frame_echo(8, IP(10, 0, 1, 2), IP(10, 0, 2, 2), 63, 1, 0)};
  cases[3] = (PcapCase){SIMTIME_NS(59999999999), frame_echo(0, IP(10, 0, 2, 2), IP(10, 0, 1, 2), 64, 7, 0x4000)};
  cases[4] = (PcapCase){SIMTIME_S(60), frame_udp(9, 0, 1000)};
  cases[5] = (PcapCase){SIMTIME_S(61) + 7, frame_icmp_error(3, 3, 0, quote_udp_probe(17))};
  cases[6] = (PcapCase){SIMTIME_S(62), frame_icmp_error(11, 0, 0, quote_udp_probe(17))};
  return 7;
}

static char *pcap_write_cases_snap(PcapCase *cases, guint n, uint32_t snaplen)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("ipsim-trace-XXXXXX", &error);
  ck_assert_msg(dir, "%s", error ? error->message : "?");
  char *path = g_build_filename(dir, "h1-eth0.pcap", NULL);
  g_free(dir);
  PcapOut *out = pcap_out_open(path, snaplen, ETH_LINKTYPE, &error);
  ck_assert_msg(out, "%s", error ? error->message : "?");
  for (guint i = 0; i < n; i++)
    pcap_out_write(out, cases[i].at, cases[i].frame->data, cases[i].frame->len);
  pcap_out_close(out);
  return path;
}

static char *pcap_write_cases(PcapCase *cases, guint n)
{
  return pcap_write_cases_snap(cases, n, PCAP_OUT_SNAPLEN_MAX);
}

static void pcap_remove(char *path)
{
  char *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
  g_free(dir);
  g_free(path);
}

START_TEST(test_pcap_read_back)
{
  PcapCase cases[8];
  guint n = pcap_cases(cases);
  char *path = pcap_write_cases(cases, n);
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  ck_assert_msg(in, "%s", errbuf);
  ck_assert_int_eq(pcap_datalink(in), DLT_EN10MB);
  ck_assert_int_eq(pcap_get_tstamp_precision(in), PCAP_TSTAMP_PRECISION_NANO);
  struct pcap_pkthdr *h;
  const u_char *data;
  for (guint i = 0; i < n; i++) {
    ck_assert_int_eq(pcap_next_ex(in, &h, &data), 1);
    ck_assert_int_eq((int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec, cases[i].at);
    ck_assert_uint_eq(h->len, cases[i].frame->len);
    ck_assert_uint_eq(h->caplen, cases[i].frame->len);
    ck_assert_mem_eq(data, cases[i].frame->data, cases[i].frame->len);
  }
  ck_assert_int_eq(pcap_next_ex(in, &h, &data), PCAP_ERROR_BREAK);
  pcap_close(in);
  for (guint i = 0; i < n; i++)
    g_byte_array_unref(cases[i].frame);
  pcap_remove(path);
}
END_TEST

/* With a snapshot length, each record keeps the frame's first bytes and its
 * original length, and the file says its snapshot length (tcpdump -s). */
START_TEST(test_pcap_snaplen)
{
  PcapCase cases[8];
  guint n = pcap_cases(cases);
  char *path = pcap_write_cases_snap(cases, n, 40);
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  ck_assert_msg(in, "%s", errbuf);
  ck_assert_int_eq(pcap_snapshot(in), 40);
  struct pcap_pkthdr *h;
  const u_char *data;
  for (guint i = 0; i < n; i++) {
    ck_assert_int_eq(pcap_next_ex(in, &h, &data), 1);
    ck_assert_uint_eq(h->len, cases[i].frame->len);
    ck_assert_uint_eq(h->caplen, MIN(cases[i].frame->len, 40));
    ck_assert_mem_eq(data, cases[i].frame->data, h->caplen);
  }
  pcap_close(in);
  for (guint i = 0; i < n; i++)
    g_byte_array_unref(cases[i].frame);
  pcap_remove(path);
}
END_TEST

START_TEST(test_pcap_open_error)
{
  GError *error = NULL;
  ck_assert_ptr_null(pcap_out_open("/nonexistent-dir/x.pcap", PCAP_OUT_SNAPLEN_MAX, ETH_LINKTYPE, &error));
  ck_assert_ptr_nonnull(error);
  ck_assert(g_error_matches(error, PCAP_OUT_ERROR, 0));
  ck_assert_msg(strstr(error->message, "/nonexistent-dir/x.pcap"), "%s", error->message);
  ck_assert_msg(strstr(error->message, "No such file"), "%s", error->message);
  g_error_free(error);
  pcap_out_close(NULL);
}
END_TEST

/* Runs tshark with `args` (after "-r path") and returns its standard output. */
static char *tshark_run(const char *path, const char *const *args)
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
  GError *error = NULL;
  gboolean ok =
      g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  ck_assert_msg(ok, "cannot run tshark: %s", error ? error->message : "?");
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "tshark failed: %s", err);
  g_ptr_array_free(argv, TRUE);
  g_free(err);
  return out;
}

START_TEST(test_pcap_tshark)
{
  char *tshark = g_find_program_in_path("tshark");
  if (!tshark) {
    printf("note: tshark is not installed; skipping the tshark checks of pcap files\n");
    return;
  }
  g_free(tshark);
  PcapCase cases[8];
  guint n = pcap_cases(cases);
  char *path = pcap_write_cases(cases, n);

  static const char *const fields[] = {"-T", "fields", "-e", "frame.time_epoch", "-e", "eth.type", NULL};
  char *out = tshark_run(path, fields);
  ck_assert_str_eq(out, "0.000000000\t0x0806\n"
                        "0.000000001\t0x0806\n"
                        "2.000512000\t0x0800\n"
                        "59.999999999\t0x0800\n"
                        "60.000000000\t0x0800\n"
                        "61.000000007\t0x0800\n"
                        "62.000000000\t0x0800\n");
  g_free(out);
  /* Anything malformed, or any bad checksum (with validation on), is an error. */
  static const char *const errors[] = {"-o", "ip.check_checksum:TRUE",
                                       "-o", "udp.check_checksum:TRUE",
                                       "-Y", "_ws.expert.severity >= error || _ws.malformed",
                                       NULL};
  out = tshark_run(path, errors);
  ck_assert_msg(out[0] == '\0', "tshark reports problems:\n%s", out);
  g_free(out);
  for (guint i = 0; i < n; i++)
    g_byte_array_unref(cases[i].frame);
  pcap_remove(path);
}
END_TEST

/* Writes the six segments of test_tcp_tshark (a handshake, data with
 * timestamps, a SACK, FIN and RST) to a pcap file; returns its path. */
static char *tcp_tshark_pcap(void)
{
  static const uint8_t opt_ts[] = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
  static const uint8_t opt_sack[] = {1, 1, 5, 10, 0, 0, 0x0b, 0xb8, 0, 0, 0x11, 0x60};
  TbTcp segs[] = {
      {.sport = 49152, .dport = 80, .seq = 1000, .flags = 0x02, .win = 65535, .opt = opt_syn, .optlen = 20},
      {.sport = 80,
       .dport = 49152,
       .seq = 5000,
       .ack = 1001,
       .flags = 0x12,
       .win = 65160,
       .opt = opt_syn,
       .optlen = 20},
      {.sport = 49152,
       .dport = 80,
       .seq = 1001,
       .ack = 5001,
       .flags = 0x18,
       .win = 502,
       .opt = opt_ts,
       .optlen = 12,
       .payload = 1448},
      {.sport = 80, .dport = 49152, .seq = 5001, .ack = 1001, .flags = 0x10, .win = 500, .opt = opt_sack, .optlen = 12},
      {.sport = 49152, .dport = 80, .seq = 2449, .ack = 5001, .flags = 0x11, .win = 502},
      {.sport = 80, .dport = 49152, .seq = 5001, .flags = 0x04},
  };
  PcapCase cases[G_N_ELEMENTS(segs)];
  for (guint i = 0; i < G_N_ELEMENTS(segs); i++)
    cases[i] = (PcapCase){SIMTIME_MS(i), frame_tcp(&segs[i])};
  char *path = pcap_write_cases(cases, G_N_ELEMENTS(segs));
  for (guint i = 0; i < G_N_ELEMENTS(segs); i++)
    g_byte_array_unref(cases[i].frame);
  return path;
}

/* tshark, checking checksums, finds no error and no malformed packet in `path`. */
static void assert_tshark_clean(const char *path)
{
  static const char *const errors[] = {"-o", "tcp.check_checksum:TRUE", "-Y",
                                       "_ws.expert.severity >= error || _ws.malformed", NULL};
  char *out = tshark_run(path, errors);
  ck_assert_msg(out[0] == '\0', "tshark reports problems:\n%s", out);
  g_free(out);
}

/* The TCP segments of test_tcp_handshake and friends, as tshark reads
 * them: the same numbers the trace prints, and no bad checksum. */
START_TEST(test_tcp_tshark)
{
  char *tshark = g_find_program_in_path("tshark");
  if (!tshark) {
    printf("note: tshark is not installed; skipping the tshark check of TCP segments\n");
    return;
  }
  g_free(tshark);
  char *path = tcp_tshark_pcap();
  static const char *const fields[] = {"-o", "tcp.relative_sequence_numbers:FALSE",
                                       "-T", "fields",
                                       "-E", "separator=,",
                                       "-e", "tcp.srcport",
                                       "-e", "tcp.dstport",
                                       "-e", "tcp.flags",
                                       "-e", "tcp.seq",
                                       "-e", "tcp.ack",
                                       "-e", "tcp.window_size_value",
                                       "-e", "tcp.options.mss_val",
                                       "-e", "tcp.options.wscale.shift",
                                       "-e", "tcp.options.timestamp.tsval",
                                       "-e", "tcp.options.sack_le",
                                       "-e", "tcp.len",
                                       NULL};
  char *out = tshark_run(path, fields);
  /* port, port, flags, seq, ack, win, mss, wscale, TS val, first SACK edge, payload */
  ck_assert_str_eq(out, "49152,80,0x0002,1000,0,65535,1460,7,12345,,0\n"
                        "80,49152,0x0012,5000,1001,65160,1460,7,12345,,0\n"
                        "49152,80,0x0018,1001,5001,502,,,7,,1448\n"
                        "80,49152,0x0010,5001,1001,500,,,,3000,0\n"
                        "49152,80,0x0011,2449,5001,502,,,,,0\n"
                        "80,49152,0x0004,5001,0,0,,,,,0\n");
  g_free(out);
  assert_tshark_clean(path);
  pcap_remove(path);
}
END_TEST

/* ---- counters and flows ---------------------------------------------------- */

static const char *report_yaml = "scenario: report\n"
                                 "stop: 1s\n"
                                 "nodes:\n"
                                 "  h1: { kind: host, ip: 10.0.0.1/24 }\n"
                                 "  s1: { kind: switch }\n"
                                 "  h2: { kind: host, ip: 10.0.0.2/24 }\n"
                                 "links:\n"
                                 "  - [h1, s1]\n"
                                 "  - [s1, h2]\n";

/* Builds the small network of report_yaml and sets a few counters by hand. */
static Network *report_network(Scenario **sc)
{
  *sc = testlib_load_ok(report_yaml);
  Network *net = build_network(*sc);
  Iface *h1 = node_iface(network_node(net, 0), 0);
  Iface *s1p2 = node_iface(network_node(net, 1), 1);
  h1->counters.tx_packets = 3;
  h1->counters.tx_bytes = 294;
  h1->counters.rx_packets = 2;
  h1->counters.rx_bytes = 196;
  s1p2->counters.drops[DROP_QUEUE_FULL] = 2;
  s1p2->counters.drops[DROP_LINK_LOSS] = 1;
  network_node(net, 2)->counters.drops[DROP_NO_ROUTE] = 4;
  return net;
}

static const char *expected_counters_json = "{\n"
                                            "  \"nodes\": [\n"
                                            "    {\n"
                                            "      \"name\": \"h1\",\n"
                                            "      \"kind\": \"host\",\n"
                                            "      \"interfaces\": [\n"
                                            "        {\n"
                                            "          \"name\": \"eth0\",\n"
                                            "          \"tx_packets\": 3,\n"
                                            "          \"tx_bytes\": 294,\n"
                                            "          \"rx_packets\": 2,\n"
                                            "          \"rx_bytes\": 196,\n"
                                            "          \"drops\": {}\n"
                                            "        }\n"
                                            "      ],\n"
                                            "      \"drops\": {},\n"
                                            "      \"total\": {\n"
                                            "        \"tx_packets\": 3,\n"
                                            "        \"tx_bytes\": 294,\n"
                                            "        \"rx_packets\": 2,\n"
                                            "        \"rx_bytes\": 196,\n"
                                            "        \"drops\": {}\n"
                                            "      }\n"
                                            "    },\n"
                                            "    {\n"
                                            "      \"name\": \"s1\",\n"
                                            "      \"kind\": \"switch\",\n"
                                            "      \"interfaces\": [\n"
                                            "        {\n"
                                            "          \"name\": \"eth0\",\n"
                                            "          \"tx_packets\": 0,\n"
                                            "          \"tx_bytes\": 0,\n"
                                            "          \"rx_packets\": 0,\n"
                                            "          \"rx_bytes\": 0,\n"
                                            "          \"drops\": {}\n"
                                            "        },\n"
                                            "        {\n"
                                            "          \"name\": \"eth1\",\n"
                                            "          \"tx_packets\": 0,\n"
                                            "          \"tx_bytes\": 0,\n"
                                            "          \"rx_packets\": 0,\n"
                                            "          \"rx_bytes\": 0,\n"
                                            "          \"drops\": {\n"
                                            "            \"queue-full\": 2,\n"
                                            "            \"link-loss\": 1\n"
                                            "          }\n"
                                            "        }\n"
                                            "      ],\n"
                                            "      \"drops\": {},\n"
                                            "      \"total\": {\n"
                                            "        \"tx_packets\": 0,\n"
                                            "        \"tx_bytes\": 0,\n"
                                            "        \"rx_packets\": 0,\n"
                                            "        \"rx_bytes\": 0,\n"
                                            "        \"drops\": {\n"
                                            "          \"queue-full\": 2,\n"
                                            "          \"link-loss\": 1\n"
                                            "        }\n"
                                            "      }\n"
                                            "    },\n"
                                            "    {\n"
                                            "      \"name\": \"h2\",\n"
                                            "      \"kind\": \"host\",\n"
                                            "      \"interfaces\": [\n"
                                            "        {\n"
                                            "          \"name\": \"eth0\",\n"
                                            "          \"tx_packets\": 0,\n"
                                            "          \"tx_bytes\": 0,\n"
                                            "          \"rx_packets\": 0,\n"
                                            "          \"rx_bytes\": 0,\n"
                                            "          \"drops\": {}\n"
                                            "        }\n"
                                            "      ],\n"
                                            "      \"drops\": {\n"
                                            "        \"no-route\": 4\n"
                                            "      },\n"
                                            "      \"total\": {\n"
                                            "        \"tx_packets\": 0,\n"
                                            "        \"tx_bytes\": 0,\n"
                                            "        \"rx_packets\": 0,\n"
                                            "        \"rx_bytes\": 0,\n"
                                            "        \"drops\": {\n"
                                            "          \"no-route\": 4\n"
                                            "        }\n"
                                            "      }\n"
                                            "    }\n"
                                            "  ]\n"
                                            "}\n";

START_TEST(test_counters_json)
{
  Scenario *sc;
  Network *net = report_network(&sc);
  GString *json = report_counters_json(net);
  ck_assert_str_eq(json->str, expected_counters_json);
  g_string_free(json, TRUE);
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* Returns what `print` writes for `net` (g_free). */
static char *report_capture(void (*print)(const Network *, FILE *), const Network *net)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  print(net, f);
  fclose(f);
  char *copy = g_strdup(text);
  free(text);
  return copy;
}

START_TEST(test_counters_text)
{
  Scenario *sc;
  Network *net = report_network(&sc);
  char *text = report_capture(report_counters_text, net);
  ck_assert_str_eq(text, "Counters:\n"
                         "  node  iface  tx pkts  tx bytes  rx pkts  rx bytes  drops\n"
                         "  h1    eth0         3       294        2       196      0\n"
                         "  s1    eth0         0         0        0         0      0\n"
                         "  s1    eth1         0         0        0         0      3\n"
                         "  h2    eth0         0         0        0         0      0\n"
                         "  h2    -            0         0        0         0      4\n"
                         "Drops by reason:\n"
                         "  s1: queue-full 2, link-loss 1\n"
                         "  h2: no-route 4\n");
  g_free(text);
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* Two flows through the flow API as the transport layers use it: a UDP
 * flow of 10 datagrams (8 delivered with delays alternating 1ms and
 * 1.1ms, 2 lost in a queue, and a flooded copy filtered by a NIC, which
 * is no loss), and a TCP flow with a retransmission delivered unstamped. */
static void report_fill_flows(Network *net)
{
  FlowKey a = {IP(10, 0, 0, 1), IP(10, 0, 0, 2), 49152, 9000, 17};
  FlowKey b = {IP(10, 0, 0, 2), IP(10, 0, 0, 1), 5000, 7, 6};
  for (int i = 0; i < 10; i++) {
    Packet *p = packet_new(net->ctx.pool, 0);
    flow_sent(net->ctx.flows, &a, p, 1000, SIMTIME_MS(i));
    if (i == 0)
      flow_dropped(net->ctx.flows, p, DROP_OTHER_MAC); /* a copy: no loss */
    if (i >= 8) {
      flow_dropped(net->ctx.flows, p, DROP_QUEUE_FULL);
    } else {
      SimTime now = SIMTIME_MS(i) + SIMTIME_MS(1) + (i % 2) * SIMTIME_US(100);
      flow_goodput(flow_delivered(net->ctx.flows, &a, p, 1000, now), 1000, now);
    }
    packet_free(p);
  }
  Flow *f = flow_sent(net->ctx.flows, &b, NULL, 20, 0);
  flow_sent_on(f, NULL, 20, SIMTIME_S(1));
  flow_retransmitted(f);
  flow_delivered(net->ctx.flows, &b, NULL, 20, SIMTIME_S(1) + 5);
}

/* goodput 8000 B * 8 / 8.1ms = 7901234.6 bit/s; delay (4 * 1ms + 4 *
 * 1.1ms) / 8 = 1.05ms, max 1.1ms; jitter 7 * 0.1ms / 7 = 0.1ms. */
START_TEST(test_flows_reports)
{
  Scenario *sc;
  Network *net = report_network(&sc);
  report_fill_flows(net);
  char *text = report_capture(report_flows_text, net);
  ck_assert_str_eq(text, "Flows:\n"
                         "  proto  source          destination    tx pkts  tx bytes  rx pkts  rx bytes  lost  retx   "
                         "goodput    delay  max delay   jitter\n"
                         "  tcp    10.0.0.2:5000   10.0.0.1:7           2        40        1        20     0     1   "
                         "      -  0.000ms    0.000ms        -\n"
                         "  udp    10.0.0.1:49152  10.0.0.2:9000       10     10000        8      8000     2     0  "
                         "7.90Mbps  1.050ms    1.100ms  0.100ms\n");
  g_free(text);
  GString *json = report_flows_json(net);
  const char *udp = strstr(json->str, "\"src\": \"10.0.0.1\"");
  ck_assert_ptr_nonnull(udp);
  ck_assert_str_eq(udp, "\"src\": \"10.0.0.1\",\n"
                        "      \"dst\": \"10.0.0.2\",\n"
                        "      \"sport\": 49152,\n"
                        "      \"dport\": 9000,\n"
                        "      \"proto\": \"udp\",\n"
                        "      \"tx_packets\": 10,\n"
                        "      \"tx_bytes\": 10000,\n"
                        "      \"rx_packets\": 8,\n"
                        "      \"rx_bytes\": 8000,\n"
                        "      \"lost_packets\": 2,\n"
                        "      \"retransmitted\": 0,\n"
                        "      \"goodput_bytes\": 8000,\n"
                        "      \"goodput_bps\": 7901235,\n"
                        "      \"first_tx_ns\": 0,\n"
                        "      \"last_rx_ns\": 8100000,\n"
                        "      \"last_goodput_ns\": 8100000,\n"
                        "      \"delay_sum_ns\": 8400000,\n"
                        "      \"delay_mean_ns\": 1050000,\n"
                        "      \"delay_max_ns\": 1100000,\n"
                        "      \"jitter_sum_ns\": 700000,\n"
                        "      \"jitter_mean_ns\": 100000\n"
                        "    }\n"
                        "  ]\n"
                        "}\n");
  ck_assert(g_str_has_prefix(json->str, "{\n  \"flows\": [\n    {\n      \"src\": \"10.0.0.2\",\n"));
  ck_assert_ptr_nonnull(strstr(json->str, "\"proto\": \"tcp\",\n      \"tx_packets\": 2,"));
  ck_assert_ptr_nonnull(strstr(json->str,
                               "\"retransmitted\": 1,\n      \"goodput_bytes\": 0,\n      \"goodput_bps\": 0,\n"
                               "      \"first_tx_ns\": 0,\n      \"last_rx_ns\": 1000000005,\n"
                               "      \"last_goodput_ns\": -1,"));
  g_string_free(json, TRUE);
  GString *csv = report_flows_csv(net);
  ck_assert_str_eq(csv->str, REPORT_FLOWS_CSV_HEADER
                   "\n"
                   "tcp,10.0.0.2,5000,10.0.0.1,7,2,40,1,20,0,1,0,0.000000000,0.000000000,0.000000000\n"
                   "udp,10.0.0.1,49152,10.0.0.2,9000,10,10000,8,8000,2,0,7901235,0.001050000,0.001100000,"
                   "0.000100000\n");
  g_string_free(csv, TRUE);
  network_free(net);
  scenario_free(sc);
}
END_TEST

START_TEST(test_empty_reports)
{
  Scenario *sc = testlib_load_ok(report_yaml);
  Network *net = build_network(sc);
  char *text = report_capture(report_flows_text, net);
  ck_assert_str_eq(text, "Flows: none\n");
  g_free(text);
  text = report_capture(report_counters_text, net);
  ck_assert(g_str_has_suffix(text, "Drops: none\n"));
  g_free(text);
  GString *json = report_flows_json(net);
  ck_assert_str_eq(json->str, "{\n  \"flows\": []\n}\n");
  g_string_free(json, TRUE);
  GString *csv = report_flows_csv(net);
  ck_assert_str_eq(csv->str, REPORT_FLOWS_CSV_HEADER "\n");
  g_string_free(csv, TRUE);
  network_free(net);
  scenario_free(sc);
}
END_TEST

/* What the trace shows of a run: fragments, and drops before their errors. */
static void add_order_case(Suite *s)
{
  TCase *order = tcase_create("order");
  tcase_add_test(order, test_fragmentation_trace);
  tcase_add_test(order, test_icmp_error_after_drop);
  suite_add_tcase(s, order);
}

/* The case of exact lines. */
static void add_lines_case(Suite *s)
{
  TCase *lines = tcase_create("lines");
  tcase_add_test(lines, test_arp_lines);
  tcase_add_test(lines, test_echo_line_from_issue);
  tcase_add_test(lines, test_echo_reply_df);
  tcase_add_test(lines, test_icmp_errors);
  tcase_add_test(lines, test_icmp_short_quote);
  tcase_add_test(lines, test_udp_line);
  tcase_add_test(lines, test_fragments);
  tcase_add_test(lines, test_other_protocols);
  tcase_add_test(lines, test_from_ipv4_and_padding);
  tcase_add_test(lines, test_truncation_markers);
  tcase_add_test(lines, test_bad_headers);
  tcase_add_test(lines, test_reason_note_and_write);
  tcase_add_test(lines, test_layers);
  tcase_add_test(lines, test_time_format);
  tcase_add_test(lines, test_tcp_handshake);
  tcase_add_test(lines, test_tcp_data_and_close);
  tcase_add_test(lines, test_tcp_flags);
  tcase_add_test(lines, test_tcp_http);
  tcase_add_test(lines, test_tcp_options);
  tcase_add_test(lines, test_tcp_malformed_options);
  tcase_add_test(lines, test_tcp_malformed_header);
  tcase_add_test(lines, test_tcp_in_icmp_and_fragments);
  tcase_add_test(lines, test_tcp_relative_after_syn);
  tcase_add_test(lines, test_tcp_absolute_without_syn);
  tcase_add_test(lines, test_tcp_note_matches_segment);
  suite_add_tcase(s, lines);
}

static Suite *trace_suite(void)
{
  Suite *s = suite_create("trace");
  add_order_case(s);
  add_lines_case(s);
  TCase *robust = tcase_create("malformed");
  tcase_add_test(robust, test_every_truncation);
  tcase_add_test(robust, test_random_bytes);
  suite_add_tcase(s, robust);
  TCase *pcap = tcase_create("pcap");
  tcase_add_test(pcap, test_pcap_read_back);
  tcase_add_test(pcap, test_pcap_snaplen);
  tcase_add_test(pcap, test_pcap_open_error);
  tcase_add_test(pcap, test_pcap_tshark);
  tcase_add_test(pcap, test_tcp_tshark);
  suite_add_tcase(s, pcap);
  TCase *report = tcase_create("report");
  tcase_add_test(report, test_counters_json);
  tcase_add_test(report, test_counters_text);
  tcase_add_test(report, test_flows_reports);
  tcase_add_test(report, test_empty_reports);
  suite_add_tcase(s, report);
  trace_routing_add_tests(s);
  return s;
}

int main(void)
{
  return testlib_run_suite(trace_suite());
}
