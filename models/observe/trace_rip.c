/*
 * The trace's RIP decoder (RFC 2453 for version 2, RFC 1058 for version
 * 1), for the UDP decoder when either port is 520, compact as tcpdump -v:
 *
 *   RIPv2 response 3 routes: 10.0.3.0/24 metric 2, 10.0.4.0/24 nh 10.0.12.2 metric 3 tag 7, 0.0.0.0/0 metric 1
 *   RIPv2 request whole table
 *   RIPv1 response 1 route: 10.0.0.0 metric 1
 *
 * Each entry: the prefix (version 2: address/length, or `address mask M`
 * for a mask that is not contiguous; version 1 has no mask: the address),
 * `nh` and `tag` only when not zero, the metric; an entry of another
 * address family `afi A metric M`; a version 2 authentication entry
 * first (AFI 0xFFFF) `auth simple` (a password) or `auth type T`, not
 * counted as a route. A request
 * made of the single entry AFI 0 metric 16 asks for the whole table. At
 * most 25 entries are shown (a message has no more), then `... N more`.
 * Markers: `RIP [bad version V]` (0, or above 2), `RIPv2 [bad command
 * C]` (neither request nor response), and tcpdump's `[|rip]` where the
 * bytes end before the message does (a short header, an entry cut short,
 * or a message whose length leaves part of an entry).
 *
 * Entry point: trace_decode_rip() (declared in trace_decode.h).
 * Leaves out: the contents of authentication entries, and the keyed
 * authentication trailer of RFC 4822 (shown as an `auth type` entry).
 */
#include <string.h>

#include "models/observe/trace_decode.h"
#include "models/routing/rip.h"

#define RIP_HEADER_LEN 4
#define RIP_ENTRY_LEN 20
#define RIP_CMD_REQUEST 1
#define RIP_CMD_RESPONSE 2
#define RIP_AFI_INET 2
#define RIP_AFI_AUTH 0xffff
#define RIP_AUTH_SIMPLE 2 /* a plain-text password (RFC 2453 4.1) */

/* One route entry (RFC 2453 section 4), fields in host byte order. */
typedef struct {
  uint16_t afi, tag;
  uint32_t addr, mask, nh, metric;
} RipEntry;

/* Reads the 20-byte entry at `p`. */
static RipEntry rip_entry(const uint8_t *p)
{
  return (RipEntry){trace_get16(p),     trace_get16(p + 2),  trace_get32(p + 4),
                    trace_get32(p + 8), trace_get32(p + 12), trace_get32(p + 16)};
}

/* Returns the prefix length of a contiguous `mask`, or -1. */
static int rip_mask_len(uint32_t mask)
{
  uint32_t inv = ~mask;
  if (inv & (inv + 1))
    return -1;
  int n = 0;
  while (mask) {
    n++;
    mask <<= 1;
  }
  return n;
}

/* Appends the destination of an IPv4 entry: address/length (version 2),
 * address mask M (version 2, a mask with holes), or the address alone. */
static void rip_append_prefix(GString *out, const RipEntry *e, uint8_t version)
{
  trace_append_ipv4(out, e->addr);
  if (version < 2)
    return;
  int plen = rip_mask_len(e->mask);
  if (plen < 0) {
    g_string_append(out, " mask ");
    trace_append_ipv4(out, e->mask);
  } else {
    trace_append_field(out, "/", (uint64_t)plen);
  }
}

/* Appends one entry: "10.0.3.0/24 nh 10.0.12.2 metric 2 tag 7". */
static void rip_append_entry(GString *out, const RipEntry *e, uint8_t version)
{
  if (e->afi != RIP_AFI_INET) {
    trace_append_field(out, "afi ", e->afi);
    trace_append_field(out, " metric ", e->metric);
    return;
  }
  rip_append_prefix(out, e, version);
  if (e->nh) {
    g_string_append(out, " nh ");
    trace_append_ipv4(out, e->nh);
  }
  trace_append_field(out, " metric ", e->metric);
  if (e->tag)
    trace_append_field(out, " tag ", e->tag);
}

/* Appends the entries of a message: `body` holds `len` bytes present of
 * `whole` (the message after its header, by the UDP length). */
static void rip_append_entries(GString *out, uint8_t version, const uint8_t *body, size_t len, size_t whole)
{
  size_t n = whole / RIP_ENTRY_LEN, first = 0;

  if (n && len >= RIP_ENTRY_LEN && version >= 2 && trace_get16(body) == RIP_AFI_AUTH) {
    uint16_t type = trace_get16(body + 2);
    if (type == RIP_AUTH_SIMPLE)
      g_string_append(out, " auth simple");
    else
      trace_append_field(out, " auth type ", type);
    first = 1;
  }
  trace_append_field(out, " ", n - first);
  g_string_append(out, n - first == 1 ? " route" : " routes");
  if (n > first)
    g_string_append_c(out, ':');
  size_t shown = MIN(n, first + RIP_MAX_ENTRIES);
  for (size_t i = first; i < shown; i++) {
    if ((i + 1) * RIP_ENTRY_LEN > len) {
      g_string_append(out, " [|rip]");
      return;
    }
    RipEntry e = rip_entry(body + i * RIP_ENTRY_LEN);
    g_string_append(out, i > first ? ", " : " ");
    rip_append_entry(out, &e, version);
  }
  if (n > shown) {
    trace_append_field(out, ", ... ", n - shown);
    g_string_append(out, " more");
  }
  if (whole % RIP_ENTRY_LEN || len < whole)
    g_string_append(out, " [|rip]");
}

/* TRUE when the message is the request for the whole table: one entry,
 * address family 0, metric 16 (RFC 2453 3.9.1). */
static gboolean rip_whole_table(uint8_t cmd, const uint8_t *body, size_t len, size_t whole)
{
  if (cmd != RIP_CMD_REQUEST || whole != RIP_ENTRY_LEN || len < RIP_ENTRY_LEN)
    return FALSE;
  RipEntry e = rip_entry(body);
  return e.afi == 0 && e.metric == RIP_INFINITY;
}

/* Appends the RIP message in `p`: `len` bytes present of a `whole`-byte
 * message (the UDP payload by the UDP length field). */
void trace_decode_rip(GString *out, const uint8_t *p, size_t len, size_t whole)
{
  if (len < RIP_HEADER_LEN || whole < RIP_HEADER_LEN) {
    g_string_append(out, "RIP [|rip]");
    return;
  }
  uint8_t cmd = p[0], version = p[1];
  if (version == 0 || version > 2) {
    trace_append_field(out, "RIP [bad version ", version);
    g_string_append_c(out, ']');
    return;
  }
  trace_append_field(out, "RIPv", version);
  if (cmd != RIP_CMD_REQUEST && cmd != RIP_CMD_RESPONSE) {
    trace_append_field(out, " [bad command ", cmd);
    g_string_append_c(out, ']');
    return;
  }
  g_string_append(out, cmd == RIP_CMD_REQUEST ? " request" : " response");
  len = MIN(len, whole) - RIP_HEADER_LEN;
  whole -= RIP_HEADER_LEN;
  if (rip_whole_table(cmd, p + RIP_HEADER_LEN, len, whole))
    g_string_append(out, " whole table");
  else
    rip_append_entries(out, version, p + RIP_HEADER_LEN, len, whole);
}
