/*
 * The trace's OSPF decoder (OSPF version 2, RFC 2328 appendix A), for the
 * IPv4 decoder on protocol 89: the header, then the body by packet type,
 * compact as tcpdump -v:
 *
 *   OSPFv2 Hello area 0.0.0.0 router 1.1.1.1 mask 255.255.255.0 hello 10 dead 40 pri 1 opts E dr 10.0.1.1
 *     bdr 0.0.0.0 1 nbr: 2.2.2.2                                                    (one line)
 *   OSPFv2 DD area 0.0.0.0 router 2.2.2.2 mtu 1500 opts E flags I,M,MS seq 4711 0 lsas
 *   OSPFv2 LS-Request area 0.0.0.0 router 1.1.1.1 1 req: router 2.2.2.2 adv 2.2.2.2
 *   OSPFv2 LS-Update area 0.0.0.0 router 2.2.2.2 1 lsa: router 2.2.2.2 adv 2.2.2.2 seq 0x80000001 age 1 links 2
 *   OSPFv2 LS-Ack area 0.0.0.0 router 1.1.1.1 1 lsa: router 2.2.2.2 adv 2.2.2.2 seq 0x80000001 age 1
 *
 * The header: type, area, router ID, `auth simple`/`auth crypto`/`auth
 * type T` when there is authentication, `[bad checksum]` when the
 * packet's checksum (the Internet checksum of the packet without its
 * 8-byte authentication field, RFC 2328 D.4.3) fails; not checked with
 * cryptographic authentication (no checksum then) or when the bytes end
 * early. Options (A.2) as letters DN,O,DC,L,N,MC,E,MT, shown when set.
 * An LSA header (A.4.1): type name (router, network, summary,
 * asbr-summary, external, else `type T`), link state ID, `adv`
 * advertising router, `seq` in hex, `age` in seconds; an LS Update's LSA
 * also shows its body in brief (router: `links N`, the V/E/B flags;
 * network: `routers N`; summary and external: mask and metric, external
 * E1/E2) and `[bad lsa checksum]` when its Fletcher checksum fails
 * (12.1.7). Lists show at most 8 items, then `... N more`.
 * Markers: `OSPF [bad version V]`, `[bad type T]`, `[bad len L]` (a
 * length below the header's 24 bytes, an LSA shorter than its header),
 * and tcpdump's `[|ospf]` where the bytes end before the packet or an
 * item does.
 *
 * Entry point: trace_decode_ospf() (declared in trace_decode.h).
 * Leaves out: authentication data, the links of router LSAs one by one,
 * LSA types beyond 5 (shown by number), OSPF for IPv6.
 */
#include "models/internet/checksum.h"
#include "models/observe/trace_decode.h"

#define OSPF_HEADER_LEN 24
#define OSPF_AUTYPE_OFFSET 14 /* the authentication type, then 8 bytes of authentication data */
#define OSPF_AUTH_OFFSET 16   /* the authentication data, left out of the checksum */
#define OSPF_AUTH_CRYPTO 2
#define OSPF_HELLO_LEN 20
#define OSPF_DD_LEN 8
#define OSPF_LSR_LEN 12
#define OSPF_LSA_HEADER_LEN 20
#define OSPF_LIST_SHOWN 8

/* Bytes of a packet's body: `len` present of `whole` (by the header's length). */
typedef struct {
  const uint8_t *p;
  size_t len, whole;
} OspfBytes;

/* Appends one item of a list (at least its fixed size present). */
typedef void (*OspfItemFn)(GString *out, const uint8_t *p);

static void ospf_cut(GString *out)
{
  g_string_append(out, " [|ospf]");
}

/* Appends `prefix` and the names of the bits set in `v` (names[i] for
 * bit i, `nbits` of them), highest first, joined by commas; returns
 * FALSE, appending nothing, when none is set. */
static gboolean ospf_append_bits(GString *out, const char *prefix, uint8_t v, const char *const *names, int nbits)
{
  const char *sep = prefix;

  for (int bit = nbits - 1; bit >= 0; bit--) {
    if (v & (1u << bit)) {
      g_string_append(out, sep);
      g_string_append(out, names[bit]);
      sep = ",";
    }
  }
  return sep != prefix;
}

/* Appends " opts E,MC" for the options byte `o` (RFC 2328 A.2), nothing when 0. */
static void ospf_append_options(GString *out, uint8_t o)
{
  static const char *const names[8] = {"MT", "E", "MC", "N", "L", "DC", "O", "DN"};

  ospf_append_bits(out, " opts ", o, names, 8);
}

/* Appends the name of LS type `type` (RFC 2328 A.4.1). */
static void ospf_append_lsa_type(GString *out, uint32_t type)
{
  static const char *const names[] = {NULL, "router", "network", "summary", "asbr-summary", "external"};

  if (type < G_N_ELEMENTS(names) && names[type])
    g_string_append(out, names[type]);
  else
    trace_append_field(out, "type ", type);
}

/* Appends an LSA header: "router 2.2.2.2 adv 2.2.2.2 seq 0x80000001 age 1". */
static void ospf_append_lsa_header(GString *out, const uint8_t *p)
{
  ospf_append_lsa_type(out, p[3]);
  g_string_append_c(out, ' ');
  trace_append_ipv4(out, trace_get32(p + 4));
  g_string_append(out, " adv ");
  trace_append_ipv4(out, trace_get32(p + 8));
  g_string_append(out, " seq 0x");
  trace_append_hex(out, trace_get32(p + 12), 8);
  trace_append_field(out, " age ", trace_get16(p));
}

/* Appends an LS Request entry: "router 2.2.2.2 adv 2.2.2.2". */
static void ospf_append_request(GString *out, const uint8_t *p)
{
  ospf_append_lsa_type(out, trace_get32(p));
  g_string_append_c(out, ' ');
  trace_append_ipv4(out, trace_get32(p + 4));
  g_string_append(out, " adv ");
  trace_append_ipv4(out, trace_get32(p + 8));
}

static void ospf_append_neighbor(GString *out, const uint8_t *p)
{
  trace_append_ipv4(out, trace_get32(p));
}

/* Appends " N nouns: a, b, ..." for the `size`-byte items filling `b`:
 * at most OSPF_LIST_SHOWN of them, `[|ospf]` where the bytes end. */
static void ospf_append_list(GString *out, OspfBytes b, size_t size, const char *noun, OspfItemFn item)
{
  size_t n = b.whole / size, shown = MIN(n, OSPF_LIST_SHOWN);

  trace_append_field(out, " ", n);
  g_string_append_c(out, ' ');
  g_string_append(out, noun);
  g_string_append(out, n == 1 ? "" : "s");
  for (size_t i = 0; i < shown; i++) {
    if ((i + 1) * size > b.len) {
      ospf_cut(out);
      return;
    }
    g_string_append(out, i ? ", " : ": ");
    item(out, b.p + i * size);
  }
  if (n > shown) {
    trace_append_field(out, ", ... ", n - shown);
    g_string_append(out, " more");
  }
  if (b.whole % size || b.len < b.whole)
    ospf_cut(out);
}

/* Appends a Hello's fields (A.3.2) and its neighbours. */
static void ospf_hello(GString *out, OspfBytes b)
{
  if (b.len < OSPF_HELLO_LEN) {
    ospf_cut(out);
    return;
  }
  const uint8_t *p = b.p;
  g_string_append(out, " mask ");
  trace_append_ipv4(out, trace_get32(p));
  trace_append_field(out, " hello ", trace_get16(p + 4));
  trace_append_field(out, " dead ", trace_get32(p + 8));
  trace_append_field(out, " pri ", p[7]);
  ospf_append_options(out, p[6]);
  g_string_append(out, " dr ");
  trace_append_ipv4(out, trace_get32(p + 12));
  g_string_append(out, " bdr ");
  trace_append_ipv4(out, trace_get32(p + 16));
  OspfBytes nbrs = {p + OSPF_HELLO_LEN, b.len - OSPF_HELLO_LEN, b.whole - OSPF_HELLO_LEN};
  ospf_append_list(out, nbrs, 4, "nbr", ospf_append_neighbor);
}

/* Appends a Database Description's fields (A.3.3) and its LSA headers. */
static void ospf_dd(GString *out, OspfBytes b)
{
  static const char *const flags[] = {"MS", "M", "I"}; /* bits 0, 1, 2 */

  if (b.len < OSPF_DD_LEN) {
    ospf_cut(out);
    return;
  }
  trace_append_field(out, " mtu ", trace_get16(b.p));
  ospf_append_options(out, b.p[2]);
  if (!ospf_append_bits(out, " flags ", b.p[3], flags, 3))
    g_string_append(out, " flags none");
  trace_append_field(out, " seq ", trace_get32(b.p + 4));
  OspfBytes lsas = {b.p + OSPF_DD_LEN, b.len - OSPF_DD_LEN, b.whole - OSPF_DD_LEN};
  ospf_append_list(out, lsas, OSPF_LSA_HEADER_LEN, "lsa", ospf_append_lsa_header);
}

/* Appends the brief of an LSA's body (`body`, `n` bytes present of
 * `whole`): router links and flags, network routers, summary and external
 * mask and metric. */
static void ospf_lsa_body(GString *out, uint8_t type, const uint8_t *body, size_t n, size_t whole)
{
  static const char *const rflags[] = {"B", "E", "V"}; /* bits 0, 1, 2 */

  if (type == 1 && n >= 4) {
    trace_append_field(out, " links ", trace_get16(body + 2));
    ospf_append_bits(out, " flags ", body[0], rflags, 3);
  } else if (type == 2 && n >= 4) {
    trace_append_field(out, " routers ", (whole - 4) / 4);
  } else if (type >= 3 && type <= 5 && n >= 8) {
    g_string_append(out, " mask ");
    trace_append_ipv4(out, trace_get32(body));
    trace_append_field(out, " metric ", trace_get32(body + 4) & 0xffffff);
    if (type == 5)
      g_string_append(out, body[4] & 0x80 ? " E2" : " E1");
  }
}

/* Appends one LSA of an LS Update at `p` (`avail` bytes present, `room`
 * before the packet ends); returns its length, 0 when decoding stops. */
static size_t ospf_lsa(GString *out, const uint8_t *p, size_t avail, size_t room)
{
  if (avail < OSPF_LSA_HEADER_LEN) {
    ospf_cut(out);
    return 0;
  }
  size_t lsalen = trace_get16(p + 18);
  ospf_append_lsa_header(out, p);
  if (lsalen < OSPF_LSA_HEADER_LEN) {
    trace_append_field(out, " [bad len ", lsalen);
    g_string_append_c(out, ']');
    return 0;
  }
  ospf_lsa_body(out, p[3], p + OSPF_LSA_HEADER_LEN, MIN(avail, lsalen) - OSPF_LSA_HEADER_LEN,
                lsalen - OSPF_LSA_HEADER_LEN);
  if (lsalen > avail || lsalen > room) {
    ospf_cut(out);
    return 0;
  }
  if (!fletcher16_lsa_verify(p, lsalen))
    g_string_append(out, " [bad lsa checksum]");
  return lsalen;
}

/* Appends an LS Update (A.3.5): the number of LSAs, then each in brief. */
static void ospf_lsu(GString *out, OspfBytes b)
{
  if (b.len < 4) {
    ospf_cut(out);
    return;
  }
  uint32_t n = trace_get32(b.p), shown = MIN(n, OSPF_LIST_SHOWN);
  size_t off = 4;
  trace_append_field(out, " ", n);
  g_string_append(out, n == 1 ? " lsa" : " lsas");
  for (uint32_t i = 0; i < shown; i++) {
    g_string_append(out, i ? ", " : ": ");
    size_t used = ospf_lsa(out, b.p + off, b.len - off, b.whole - off);
    if (!used)
      return;
    off += used;
  }
  if (n > shown) {
    trace_append_field(out, ", ... ", n - shown);
    g_string_append(out, " more");
  }
  if (b.len < b.whole && (n > shown || off < b.whole))
    ospf_cut(out);
}

/* Appends the body of a packet of type `type` (1 to 5). */
static void ospf_body(GString *out, uint8_t type, OspfBytes b)
{
  switch (type) {
  case 1:
    ospf_hello(out, b);
    break;
  case 2:
    ospf_dd(out, b);
    break;
  case 3:
    ospf_append_list(out, b, OSPF_LSR_LEN, "req", ospf_append_request);
    break;
  case 4:
    ospf_lsu(out, b);
    break;
  default:
    ospf_append_list(out, b, OSPF_LSA_HEADER_LEN, "lsa", ospf_append_lsa_header);
  }
}

/* Appends " auth ..." and " [bad checksum]" for the header at `p` of a
 * `pktlen`-byte packet of which `len` bytes are present. */
static void ospf_auth_checksum(GString *out, const uint8_t *p, size_t len, size_t pktlen)
{
  uint16_t autype = trace_get16(p + OSPF_AUTYPE_OFFSET);

  if (autype == 1)
    g_string_append(out, " auth simple");
  else if (autype == OSPF_AUTH_CRYPTO)
    g_string_append(out, " auth crypto");
  else if (autype)
    trace_append_field(out, " auth type ", autype);
  if (autype == OSPF_AUTH_CRYPTO || len < pktlen)
    return;
  uint32_t sum = checksum_partial(p, OSPF_AUTH_OFFSET, 0);
  sum = checksum_partial(p + OSPF_HEADER_LEN, pktlen - OSPF_HEADER_LEN, sum);
  if (checksum_fold(sum) != 0)
    g_string_append(out, " [bad checksum]");
}

/* Appends the OSPF packet in `p` (`len` bytes present). */
void trace_decode_ospf(GString *out, const uint8_t *p, size_t len)
{
  static const char *const types[] = {NULL, "Hello", "DD", "LS-Request", "LS-Update", "LS-Ack"};

  if (len < OSPF_HEADER_LEN) {
    g_string_append(out, "OSPF [|ospf]");
    return;
  }
  if (p[0] != 2) {
    trace_append_field(out, "OSPF [bad version ", p[0]);
    g_string_append_c(out, ']');
    return;
  }
  if (p[1] == 0 || p[1] >= G_N_ELEMENTS(types)) {
    trace_append_field(out, "OSPFv2 [bad type ", p[1]);
    g_string_append_c(out, ']');
    return;
  }
  size_t pktlen = trace_get16(p + 2);
  g_string_append(out, "OSPFv2 ");
  g_string_append(out, types[p[1]]);
  g_string_append(out, " area ");
  trace_append_ipv4(out, trace_get32(p + 8));
  g_string_append(out, " router ");
  trace_append_ipv4(out, trace_get32(p + 4));
  if (pktlen < OSPF_HEADER_LEN) {
    trace_append_field(out, " [bad len ", pktlen);
    g_string_append_c(out, ']');
    return;
  }
  ospf_auth_checksum(out, p, len, pktlen);
  size_t n = MIN(len, pktlen);
  ospf_body(out, p[1], (OspfBytes){p + OSPF_HEADER_LEN, n - OSPF_HEADER_LEN, pktlen - OSPF_HEADER_LEN});
}
