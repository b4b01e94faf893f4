/*
 * Text forms of the addresses a scenario names: IPv4 addresses (strict dotted
 * quad, no leading zeros), prefixes in CIDR form, and MAC addresses. Values
 * are in host byte order; the protocol models convert at the wire.
 *
 * Entry points: addr_parse_ipv4(), addr_parse_cidr(), addr_parse_mac(),
 * addr_format_ipv4(), addr_format_cidr(), addr_format_mac(), addr_mask().
 */
#ifndef IPSIM_ADDR_H
#define IPSIM_ADDR_H

#include <glib.h>
#include <stdint.h>

/* An IPv4 address with its prefix length; addr in host byte order. */
typedef struct {
  uint32_t addr;
  uint8_t len;
} Ipv4Prefix;

#define ADDR_IPV4_TEXT 16 /* "255.255.255.255" and its NUL */
#define ADDR_CIDR_TEXT 20 /* "255.255.255.255/32", its NUL, and room for gcc's check of a uint8_t */
#define ADDR_MAC_TEXT 18  /* "02:00:00:00:00:01" and its NUL */

gboolean addr_parse_ipv4(const char *text, uint32_t *addr);
gboolean addr_parse_cidr(const char *text, uint32_t *addr, uint8_t *len, GError **error);
gboolean addr_parse_mac(const char *text, uint8_t mac[6], GError **error);
char *addr_format_ipv4(uint32_t addr, char buf[ADDR_IPV4_TEXT]);
char *addr_format_cidr(uint32_t addr, uint8_t len, char buf[ADDR_CIDR_TEXT]);
char *addr_format_mac(const uint8_t mac[6], char buf[ADDR_MAC_TEXT]);

GQuark addr_error_quark(void);
#define ADDR_ERROR addr_error_quark()

/* The netmask of a prefix length 0..32. */
static inline uint32_t addr_mask(uint8_t len)
{
  return len == 0 ? 0 : ~UINT32_C(0) << (32 - len);
}

#endif
