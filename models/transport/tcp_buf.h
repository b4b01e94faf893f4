/*
 * A byte ring of fixed capacity: TCP's send buffer (bytes from the oldest
 * unacknowledged one on) and receive buffer (in-order bytes not yet
 * read). Allocated once per connection; no allocation afterwards.
 *
 * Entry points: tcp_buf_init(); tcp_buf_write(), tcp_buf_peek(),
 * tcp_buf_read(), tcp_buf_consume(); tcp_buf_len(), tcp_buf_space();
 * tcp_buf_free().
 */
#ifndef IPSIM_TCP_BUF_H
#define IPSIM_TCP_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *data;
  size_t cap, head, len; /* bytes live at [head, head + len) modulo cap */
} TcpBuf;

void tcp_buf_init(TcpBuf *b, size_t cap);
void tcp_buf_free(TcpBuf *b);
size_t tcp_buf_write(TcpBuf *b, const void *src, size_t n);
void tcp_buf_peek(const TcpBuf *b, size_t offset, void *dst, size_t n);
size_t tcp_buf_read(TcpBuf *b, void *dst, size_t n);
void tcp_buf_consume(TcpBuf *b, size_t n);

static inline size_t tcp_buf_len(const TcpBuf *b)
{
  return b->len;
}

static inline size_t tcp_buf_space(const TcpBuf *b)
{
  return b->cap - b->len;
}

#endif
