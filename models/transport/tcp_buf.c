/*
 * A byte ring of fixed capacity for TCP's send and receive buffers (see
 * tcp_buf.h). Copies go in at most two memcpy() calls (the wrap).
 *
 * Entry points: tcp_buf_init(); tcp_buf_write(), tcp_buf_peek(),
 * tcp_buf_read(), tcp_buf_consume(); tcp_buf_free().
 */
#include "models/transport/tcp_buf.h"

#include <glib.h>
#include <string.h>

void tcp_buf_init(TcpBuf *b, size_t cap)
{
  b->data = g_malloc(cap ? cap : 1);
  b->cap = cap;
  b->head = 0;
  b->len = 0;
}

void tcp_buf_free(TcpBuf *b)
{
  g_free(b->data);
  b->data = NULL;
  b->cap = b->len = b->head = 0;
}

/* Appends up to n bytes of src; returns how many fitted. */
size_t tcp_buf_write(TcpBuf *b, const void *src, size_t n)
{
  size_t tail, first;

  n = MIN(n, tcp_buf_space(b));
  if (n == 0)
    return 0;
  tail = (b->head + b->len) % b->cap;
  first = MIN(n, b->cap - tail);
  memcpy(b->data + tail, src, first);
  memcpy(b->data, (const uint8_t *)src + first, n - first);
  b->len += n;
  return n;
}

/* Copies n bytes starting `offset` bytes after the head into dst, without
 * removing them; offset + n must not exceed the length. */
void tcp_buf_peek(const TcpBuf *b, size_t offset, void *dst, size_t n)
{
  size_t start, first;

  g_return_if_fail(offset + n <= b->len);
  if (n == 0)
    return;
  start = (b->head + offset) % b->cap;
  first = MIN(n, b->cap - start);
  memcpy(dst, b->data + start, first);
  memcpy((uint8_t *)dst + first, b->data, n - first);
}

/* Drops up to n bytes from the head. */
void tcp_buf_consume(TcpBuf *b, size_t n)
{
  n = MIN(n, b->len);
  b->head = b->len == n ? 0 : (b->head + n) % b->cap;
  b->len -= n;
}

/* Moves up to n bytes from the head into dst; returns how many. */
size_t tcp_buf_read(TcpBuf *b, void *dst, size_t n)
{
  n = MIN(n, b->len);
  tcp_buf_peek(b, 0, dst, n);
  tcp_buf_consume(b, n);
  return n;
}
