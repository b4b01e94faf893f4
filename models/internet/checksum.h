/*
 * The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit words, with the IPv4 pseudo-header for UDP and
 * TCP (RFC 768, RFC 9293).
 *
 * Entry points: checksum_partial(), checksum_fold(), inet_checksum(),
 * inet_pseudo_checksum().
 */
#ifndef IPSIM_CHECKSUM_H
#define IPSIM_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t checksum_partial(const void *data, size_t len, uint32_t sum);
uint16_t checksum_fold(uint32_t sum);
uint16_t inet_checksum(const void *data, size_t len);
uint16_t inet_pseudo_checksum(uint32_t src_be, uint32_t dst_be, uint8_t proto, const void *data, size_t len);

#endif
