/*
 * Parsing and printing of IPv4 and MAC addresses for the scenario file.
 * Entry points: addr_parse_ipv4(), addr_parse_cidr(), addr_parse_mac(),
 * addr_format_ipv4(), addr_format_cidr().
 */
#include "sim/text/addr.h"

#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK(ipsim_addr_error, addr_error)

/* Reads a decimal number of 1 to 3 digits without a leading zero, at most
 * `max`; advances *p past it. */
static gboolean addr_read_decimal(const char **p, unsigned max, unsigned *out)
{
  const char *s = *p;
  unsigned v = 0, digits = 0;
  while (g_ascii_isdigit(s[digits]) && digits < 4)
    v = v * 10 + (unsigned)(s[digits++] - '0');
  if (digits == 0 || digits > 3 || (digits > 1 && s[0] == '0') || v > max)
    return FALSE;
  *p = s + digits;
  *out = v;
  return TRUE;
}

static gboolean addr_read_ipv4(const char **p, uint32_t *addr)
{
  uint32_t a = 0;
  for (int i = 0; i < 4; i++) {
    unsigned octet;
    if (i > 0 && *(*p)++ != '.')
      return FALSE;
    if (!addr_read_decimal(p, 255, &octet))
      return FALSE;
    a = a << 8 | octet;
  }
  *addr = a;
  return TRUE;
}

/* Parses "10.0.0.1" exactly; returns FALSE for anything else. */
gboolean addr_parse_ipv4(const char *text, uint32_t *addr)
{
  const char *p = text;
  return addr_read_ipv4(&p, addr) && *p == '\0';
}

/* Parses "10.1.1.10/24" into an address and a prefix length 0..32. */
gboolean addr_parse_cidr(const char *text, uint32_t *addr, uint8_t *len, GError **error)
{
  const char *p = text;
  unsigned bits;
  if (!addr_read_ipv4(&p, addr) || *p++ != '/' || !addr_read_decimal(&p, 99, &bits) || *p) {
    g_set_error(error, ADDR_ERROR, 0,
                "expected an IPv4 address with a prefix length such as '10.1.1.10/24', found '%s'", text);
    return FALSE;
  }
  if (bits > 32) {
    g_set_error(error, ADDR_ERROR, 0, "prefix length /%u is longer than 32 bits in '%s'", bits, text);
    return FALSE;
  }
  *len = (uint8_t)bits;
  return TRUE;
}

static int addr_hex(char c)
{
  return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* Parses a unicast MAC address "02:00:00:00:00:01" (':' or '-' between octets). */
gboolean addr_parse_mac(const char *text, uint8_t mac[6], GError **error)
{
  gboolean ok = strlen(text) == 17;
  for (int i = 0; ok && i < 6; i++) {
    const char *o = text + 3 * i;
    ok = addr_hex(o[0]) >= 0 && addr_hex(o[1]) >= 0 && (i == 5 || o[2] == ':' || o[2] == '-');
    if (ok)
      mac[i] = (uint8_t)(addr_hex(o[0]) << 4 | addr_hex(o[1]));
  }
  if (!ok) {
    g_set_error(error, ADDR_ERROR, 0, "expected a MAC address such as '02:00:00:00:00:01', found '%s'", text);
    return FALSE;
  }
  if (mac[0] & 1) {
    g_set_error(error, ADDR_ERROR, 0,
                "%s is a multicast MAC address; an interface needs a unicast one "
                "(first octet even)",
                text);
    return FALSE;
  }
  static const uint8_t zero[6];
  if (memcmp(mac, zero, 6) == 0) {
    g_set_error(error, ADDR_ERROR, 0, "00:00:00:00:00:00 is not a usable MAC address");
    return FALSE;
  }
  return TRUE;
}

/* Writes the dotted-quad form of `addr` into `buf` and returns it. */
char *addr_format_ipv4(uint32_t addr, char buf[ADDR_IPV4_TEXT])
{
  char *at = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    unsigned byte = addr >> shift & 255;
    if (byte >= 100)
      *at++ = (char)('0' + byte / 100);
    if (byte >= 10)
      *at++ = (char)('0' + byte / 10 % 10);
    *at++ = (char)('0' + byte % 10);
    *at++ = shift ? '.' : '\0';
  }
  return buf; /* as "%u.%u.%u.%u", without printf: traces and routes.csv format many */
}

/* Writes "10.1.1.10/24" into `buf` and returns it. */
char *addr_format_cidr(uint32_t addr, uint8_t len, char buf[ADDR_CIDR_TEXT])
{
  char *at = buf + strlen(addr_format_ipv4(addr, buf));
  *at++ = '/';
  if (len >= 100)
    *at++ = (char)('0' + len / 100);
  if (len >= 10)
    *at++ = (char)('0' + len / 10 % 10);
  *at++ = (char)('0' + len % 10);
  *at = '\0';
  return buf;
}

/* "02:00:00:00:00:01": lower-case hex, colons (as ip and tcpdump print it). */
char *addr_format_mac(const uint8_t mac[6], char buf[ADDR_MAC_TEXT])
{
  g_snprintf(buf, ADDR_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}
