/*
 * The trace's flows and the keys of its lines (see trace_flow.h): reading
 * a key from a packet's bytes (Ethernet, IPv4, the datagram an ICMP
 * error quotes), matching it against a flow, parsing a 5-tuple
 * ("udp 10.0.1.10:5000 > 10.0.2.10:9", "icmp 10.0.1.11 > 10.0.2.13",
 * ports optional), and the key's text in DIR/trace.tags: source and
 * destination MAC, protocol, source, source port, destination,
 * destination port, each `-` when the line has none.
 *
 * Entry points: trace_key_of(), trace_flow_match(), trace_flow_new(),
 * trace_flow_parse(), trace_flow_free(), trace_key_format(),
 * trace_key_parse().
 *
 * An ICMP echo's identifier takes the place of both ports (ping's flow is
 * its identifier's). Reads only d[0..len); a short header leaves the key
 * without it.
 */
#include "models/observe/trace_flow.h"

#include <stdlib.h>
#include <string.h>

#include "models/internet/ipv4_wire.h"
#include "sim/text/addr.h"

#define TRACE_FLOW_ETH_LEN 14

static const char *const trace_flow_protos[][2] = {{"icmp", "1"}, {"tcp", "6"}, {"udp", "17"}};

static uint32_t trace_flow_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the IPv4 header at d (and, for an ICMP error, the datagram it
 * quotes when `outer`) into k. */
static void trace_key_ipv4(TraceKey *k, const uint8_t *d, size_t len, gboolean outer)
{
  size_t hlen = len >= 20 ? (size_t)(d[0] & 0x0f) * 4 : 0;
  if (len < 20 || (d[0] >> 4) != 4 || hlen < 20 || hlen > len)
    return;
  gboolean first = ((d[6] & 0x1f) | d[7]) == 0;
  k->ip = TRUE;
  k->proto = d[9];
  k->src = trace_flow_be32(d + 12);
  k->dst = trace_flow_be32(d + 16);
  k->ports = first && (k->proto == IPPROTO_UDP_NUM || k->proto == IPPROTO_TCP_NUM) && len >= hlen + 4;
  if (k->ports) {
    k->sport = (uint16_t)(d[hlen] << 8 | d[hlen + 1]);
    k->dport = (uint16_t)(d[hlen + 2] << 8 | d[hlen + 3]);
  }
  uint8_t type = len > hlen ? d[hlen] : 0;
  if (first && k->proto == IPPROTO_ICMP_NUM && (type == 0 || type == 8) && len >= hlen + 6) {
    k->ports = TRUE; /* an echo's identifier stands for both ports */
    k->sport = k->dport = (uint16_t)(d[hlen + 4] << 8 | d[hlen + 5]);
  }
  gboolean error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  if (outer && first && k->proto == IPPROTO_ICMP_NUM && error && len >= hlen + 8 + 20) {
    TraceKey inner = *k;
    inner.ip = FALSE;
    trace_key_ipv4(&inner, d + hlen + 8, len - hlen - 8, FALSE);
    if (inner.ip)
      *k = inner;
  }
}

/* Reads the key of a packet's bytes, from Ethernet when `ether`, else from IPv4. */
void trace_key_of(TraceKey *k, gboolean ether, const uint8_t *d, size_t len)
{
  memset(k, 0, sizeof *k);
  if (!d)
    return;
  if (!ether) {
    trace_key_ipv4(k, d, len, TRUE);
    return;
  }
  if (len < TRACE_FLOW_ETH_LEN)
    return;
  k->eth = TRUE;
  memcpy(k->dmac, d, 6);
  memcpy(k->smac, d + 6, 6);
  if (d[12] == 0x08 && d[13] == 0x00)
    trace_key_ipv4(k, d + TRACE_FLOW_ETH_LEN, len - TRACE_FLOW_ETH_LEN, TRUE);
}

static gboolean trace_flow_has(const TraceFlow *f, uint32_t addr)
{
  if (f->addrs->len == 0)
    return TRUE;
  for (guint i = 0; i < f->addrs->len; i++)
    if (g_array_index(f->addrs, uint32_t, i) == addr)
      return TRUE;
  return FALSE;
}

/* TRUE when one direction a:ap > b:bp (ports: `ports`) is the flow's. */
static gboolean trace_flow_way(const TraceFlow *f, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp, gboolean ports)
{
  return trace_flow_has(f, a) && (!f->peer || b == f->peer) && (!f->port || (ports && ap == f->port)) &&
         (!f->peer_port || (ports && bp == f->peer_port));
}

/* TRUE when the line of key `k` belongs to flow `f`, in either direction. */
gboolean trace_flow_match(const TraceFlow *f, const TraceKey *k)
{
  if (!k->ip || k->proto != f->proto || f->waiting)
    return FALSE;
  return trace_flow_way(f, k->src, k->sport, k->dst, k->dport, k->ports) ||
         trace_flow_way(f, k->dst, k->dport, k->src, k->sport, k->ports);
}

/* A flow of `proto` to `peer` (0: any) from addresses added to ->addrs. */
TraceFlow *trace_flow_new(const char *name, uint8_t proto, uint32_t peer)
{
  TraceFlow *f = g_new0(TraceFlow, 1);
  f->name = g_strdup(name);
  f->proto = proto;
  f->peer = peer;
  f->addrs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  return f;
}

void trace_flow_free(TraceFlow *f)
{
  if (!f)
    return;
  g_array_unref(f->addrs);
  g_free(f->name);
  g_free(f);
}

/* Reads "ADDR" or "ADDR:PORT" (PORT 1 to 65535). */
static gboolean trace_flow_end(const char *text, uint32_t *addr, uint16_t *port)
{
  char *copy = g_strdup(text), *colon = strchr(copy, ':');
  gboolean ok = TRUE;
  *port = 0;
  if (colon) {
    char *end = NULL;
    long v = strtol(colon + 1, &end, 10);
    ok = end != colon + 1 && *end == '\0' && v >= 1 && v <= 65535;
    *port = (uint16_t)v;
    *colon = '\0';
  }
  ok = ok && addr_parse_ipv4(copy, addr);
  g_free(copy);
  return ok;
}

/* Reads a 5-tuple, "PROTO ADDR[:PORT] > ADDR[:PORT]" (PROTO udp, tcp or icmp). */
gboolean trace_flow_parse(const char *text, TraceFlow **out, GError **error)
{
  char **w = g_strsplit_set(text, " ", -1);
  guint n = g_strv_length(w), proto = 0;
  uint32_t a = 0, b = 0;
  uint16_t ap = 0, bp = 0;
  for (guint i = 0; n == 4 && i < G_N_ELEMENTS(trace_flow_protos); i++)
    if (strcmp(w[0], trace_flow_protos[i][0]) == 0)
      proto = (guint)atoi(trace_flow_protos[i][1]);
  gboolean ok = proto && strcmp(w[2], ">") == 0 && trace_flow_end(w[1], &a, &ap) && trace_flow_end(w[3], &b, &bp) &&
                (proto != IPPROTO_ICMP_NUM || (!ap && !bp));
  g_strfreev(w);
  *out = NULL;
  if (!ok) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "'%s' is neither a flow's name nor a 5-tuple such as 'udp 10.0.1.10:5000 > 10.0.2.10:9' (udp, tcp "
                "or icmp; ports optional, none for icmp)",
                text);
    return FALSE;
  }
  *out = trace_flow_new(NULL, (uint8_t)proto, b);
  g_array_append_val((*out)->addrs, a);
  (*out)->port = ap;
  (*out)->peer_port = bp;
  return TRUE;
}

/* Appends the MACs, protocol, addresses and ports of `k`: 7 fields. */
void trace_key_format(GString *out, const TraceKey *k)
{
  char a[ADDR_MAC_TEXT > ADDR_IPV4_TEXT ? ADDR_MAC_TEXT : ADDR_IPV4_TEXT];
  g_string_append_printf(out, "%s ", k->eth ? addr_format_mac(k->smac, a) : "-");
  g_string_append_printf(out, "%s ", k->eth ? addr_format_mac(k->dmac, a) : "-");
  if (!k->ip) {
    g_string_append(out, "- - - - -");
    return;
  }
  const char *name = NULL;
  for (guint i = 0; i < G_N_ELEMENTS(trace_flow_protos); i++)
    if (k->proto == atoi(trace_flow_protos[i][1]))
      name = trace_flow_protos[i][0];
  if (name)
    g_string_append(out, name);
  else
    g_string_append_printf(out, "%u", k->proto);
  g_string_append_printf(out, " %s", addr_format_ipv4(k->src, a));
  g_string_append_printf(out, k->ports ? " %u" : " -", k->sport);
  g_string_append_printf(out, " %s", addr_format_ipv4(k->dst, a));
  g_string_append_printf(out, k->ports ? " %u" : " -", k->dport);
}

/* Reads the 7 fields trace_key_format() wrote (fields[0..6]) into k. */
gboolean trace_key_parse(char **fields, TraceKey *k)
{
  memset(k, 0, sizeof *k);
  for (int i = 0; i < 7; i++)
    if (!fields[i])
      return FALSE;
  k->eth = strcmp(fields[0], "-") != 0 && addr_parse_mac(fields[0], k->smac, NULL) &&
           addr_parse_mac(fields[1], k->dmac, NULL);
  if (strcmp(fields[2], "-") == 0)
    return TRUE;
  k->proto = (uint8_t)atoi(fields[2]);
  for (guint i = 0; i < G_N_ELEMENTS(trace_flow_protos); i++)
    if (strcmp(fields[2], trace_flow_protos[i][0]) == 0)
      k->proto = (uint8_t)atoi(trace_flow_protos[i][1]);
  k->ip = addr_parse_ipv4(fields[3], &k->src) && addr_parse_ipv4(fields[5], &k->dst);
  k->ports = strcmp(fields[4], "-") != 0;
  k->sport = (uint16_t)atoi(fields[4]);
  k->dport = (uint16_t)atoi(fields[6]);
  return TRUE;
}
