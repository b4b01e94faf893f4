/*
 * The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit words, with the IPv4 pseudo-header for UDP and
 * TCP (RFC 768, RFC 9293); and the Fletcher checksum of OSPF LSAs (RFC
 * 2328 12.1.7, ISO 8473 annex C).
 *
 * Entry points: checksum_partial() (checksum_partial_generic() for
 * tests), checksum_fold(), inet_checksum(), inet_pseudo_checksum(),
 * inet_pseudo_finish() (from a partial sum);
 * fletcher16_lsa_checksum(), fletcher16_lsa_verify().
 */
#ifndef IPSIM_CHECKSUM_H
#define IPSIM_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t checksum_partial(const void *data, size_t len, uint32_t sum);
/* checksum_partial() as a CPU without AVX2 computes it (the portable path; for tests). */
uint32_t checksum_partial_generic(const void *data, size_t len, uint32_t sum);
uint16_t checksum_fold(uint32_t sum);
uint16_t inet_checksum(const void *data, size_t len);
uint16_t inet_pseudo_checksum(uint32_t src_be, uint32_t dst_be, uint8_t proto, const void *data, size_t len);
uint16_t inet_pseudo_finish(uint32_t src_be, uint32_t dst_be, uint8_t proto, size_t len, uint32_t sum);

/* The OSPF LSA's Fletcher checksum field: bytes 16-17 of the LSA header. */
#define LSA_CHECKSUM_OFFSET 16
/* Returns the Fletcher checksum of the OSPF LSA `lsa` (`len` bytes, its
 * 20-byte header included) in host byte order, to store big-endian at
 * lsa[16..17]: computed from byte 2 on (LS age excluded) with the checksum
 * field taken as zero, whatever it holds. Never 0; 0 when len < 20. */
uint16_t fletcher16_lsa_checksum(const uint8_t *lsa, size_t len);
/* Returns true when the checksum stored in `lsa` is right: both Fletcher
 * sums over bytes 2..len, checksum included, are 0 modulo 255. */
bool fletcher16_lsa_verify(const uint8_t *lsa, size_t len);

#endif
