/*
 * TCP options (RFC 9293 3.2, 3.7.1; RFC 7323; RFC 2018): parsing what
 * arrives and writing what we send. SYNs carry MSS, SACK-permitted,
 * timestamps and window scale, in Linux's order (MSS, SACK_PERM TS, NOP
 * WS: 20 bytes; without timestamps NOP NOP SACK_PERM); other segments
 * carry NOP NOP TS when timestamps were negotiated, then NOP NOP SACK
 * with the receiver's out-of-order blocks, the most recent first (RFC
 * 2018 4), as many as fit (3 with timestamps).
 *
 * Entry points: tcp_options_parse(); tcp_options_sack_blocks(),
 * tcp_options_len(), tcp_options_write_syn(), tcp_options_write();
 * tcp_ts_now().
 *
 * A malformed option list (a length below 2, or one running past the
 * header) marks the segment bad: it is dropped (RFC 9293 MUST-7 asks only
 * not to crash; Linux stops parsing). An option of a known kind with the
 * wrong length is ignored, as is a SACK option on a connection that did
 * not negotiate it (the sender checks its blocks, tcp_in.c).
 */
#include "models/transport/tcp_conn.h"

#include <string.h>

/* Reads one option of `kind` with its `olen` bytes at `o` into out. */
static uint32_t tcp_options_u32(const uint8_t *o)
{
  return (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3];
}

/* Reads the blocks of a SACK option (RFC 2018 3: 2 + 8n bytes). */
static void tcp_options_sack(const uint8_t *o, size_t olen, TcpOpts *out)
{
  if (olen < 10 || (olen - 2) % 8 != 0)
    return;
  out->nsack = (int)MIN((olen - 2) / 8, TCP_MAX_SACK);
  for (int i = 0; i < out->nsack; i++) {
    out->sack[i].start = tcp_options_u32(o + 2 + 8 * i);
    out->sack[i].end = tcp_options_u32(o + 6 + 8 * i);
  }
}

static void tcp_options_one(const uint8_t *o, size_t olen, gboolean syn, TcpOpts *out)
{
  switch (o[0]) {
  case TCP_OPT_SACK_PERMITTED:
    if (olen == 2 && syn)
      out->has_sack_perm = TRUE;
    break;
  case TCP_OPT_SACK:
    if (!syn)
      tcp_options_sack(o, olen, out);
    break;
  case TCP_OPT_MSS:
    if (olen == TCP_OPTLEN_MSS && syn) {
      out->has_mss = TRUE;
      out->mss = (uint16_t)(o[2] << 8 | o[3]);
    }
    break;
  case TCP_OPT_WSCALE:
    if (olen == TCP_OPTLEN_WSCALE && syn) {
      out->has_ws = TRUE;
      out->ws = MIN(o[2], TCP_MAX_WSCALE); /* RFC 7323 2.3: larger is taken as 14 */
    }
    break;
  case TCP_OPT_TIMESTAMP:
    if (olen == TCP_OPTLEN_TIMESTAMP) {
      out->has_ts = TRUE;
      out->tsval = tcp_options_u32(o + 2);
      out->tsecr = tcp_options_u32(o + 6);
    }
    break;
  default:
    break;
  }
}

/* Parses the `len` option bytes at `opt` into out (zeroed first); sets
 * out->bad on a malformed list. MSS and window scale count on SYNs only. */
void tcp_options_parse(const uint8_t *opt, size_t len, gboolean syn, TcpOpts *out)
{
  size_t i = 0;

  memset(out, 0, sizeof *out);
  while (i < len) {
    size_t olen;
    if (opt[i] == TCP_OPT_EOL)
      return;
    if (opt[i] == TCP_OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= len || (olen = opt[i + 1]) < 2 || i + olen > len) {
      out->bad = TRUE;
      return;
    }
    tcp_options_one(opt + i, olen, syn, out);
    i += olen;
  }
}

/* The timestamp clock: microseconds of simulated time (RFC 7323 allows 1
 * ms to 1 s per tick; Linux's usec timestamps give exact RTT samples). */
uint32_t tcp_ts_now(const TcpConn *c)
{
  return (uint32_t)(tcp_now(c) / 1000);
}

static uint8_t *tcp_options_put_u32(uint8_t *o, uint32_t v)
{
  for (int s = 24; s >= 0; s -= 8)
    *o++ = (uint8_t)(v >> s);
  return o;
}

/* NOP NOP TS, or with `sack_perm` SACK_PERM TS (Linux's SYN layout). */
static uint8_t *tcp_options_put_ts(const TcpConn *c, uint8_t *o, gboolean sack_perm)
{
  *o++ = sack_perm ? TCP_OPT_SACK_PERMITTED : TCP_OPT_NOP;
  *o++ = sack_perm ? 2 : TCP_OPT_NOP;
  *o++ = TCP_OPT_TIMESTAMP;
  *o++ = TCP_OPTLEN_TIMESTAMP;
  o = tcp_options_put_u32(o, tcp_ts_now(c));
  return tcp_options_put_u32(o, c->ts_recent);
}

/* The out-of-order range (contiguous queued segments) holding seq, or
 * FALSE when no queued segment holds it. */
static gboolean tcp_options_ooo_range(const TcpConn *c, uint32_t seq, TcpRange *r)
{
  const GArray *q = c->ooo;
  guint i = 0, j;

  while (i < q->len && !SEQ_GT(g_array_index(q, TcpOooSeg, i).seq + g_array_index(q, TcpOooSeg, i).len, seq))
    i++;
  if (i == q->len || SEQ_GT(g_array_index(q, TcpOooSeg, i).seq, seq))
    return FALSE;
  while (i > 0 && g_array_index(q, TcpOooSeg, i - 1).seq + g_array_index(q, TcpOooSeg, i - 1).len ==
                      g_array_index(q, TcpOooSeg, i).seq)
    i--;
  for (j = i; j + 1 < q->len && g_array_index(q, TcpOooSeg, j).seq + g_array_index(q, TcpOooSeg, j).len ==
                                    g_array_index(q, TcpOooSeg, j + 1).seq;
       j++)
    ;
  r->start = g_array_index(q, TcpOooSeg, i).seq;
  r->end = g_array_index(q, TcpOooSeg, j).seq + g_array_index(q, TcpOooSeg, j).len;
  return SEQ_GT(r->end, c->rcv_nxt);
}

/* Fills out with the SACK blocks an ACK of c carries now (RFC 2018 4:
 * the block of the latest segment first, then the others reported
 * lately), as many as fit in `room` option bytes; returns their count. */
int tcp_options_sack_blocks(const TcpConn *c, TcpRange *out, uint32_t room)
{
  int max = room >= 10 ? (int)MIN((room - 4) / 8, TCP_MAX_SACK) : 0, n = 0;

  if (!c->sack_ok || !c->ooo || c->ooo->len == 0)
    return 0;
  for (int i = 0; i < c->n_sack_recent && n < max; i++) {
    TcpRange r;
    gboolean dup = FALSE;
    if (!tcp_options_ooo_range(c, c->sack_recent[i], &r))
      continue;
    for (int k = 0; k < n; k++)
      dup |= out[k].start == r.start;
    if (!dup)
      out[n++] = r;
  }
  return n;
}

/* Returns the option bytes a segment of c carries (a multiple of 4). On
 * a SYN, timestamps and scaling are offered when configured; on a
 * SYN-ACK, when negotiated. */
size_t tcp_options_len(const TcpConn *c, gboolean syn, gboolean synack, int nsack)
{
  if (!syn)
    return (c->ts_ok ? TCP_OPTLEN_TS_ALIGNED : 0) + (nsack ? 4 + 8 * (size_t)nsack : 0);
  gboolean ts = synack ? c->ts_ok : c->cfg.timestamps;
  gboolean ws = synack ? c->ws_ok : c->cfg.window_scaling;
  gboolean sack = synack ? c->sack_ok : c->cfg.sack;
  return TCP_OPTLEN_MSS + (ts ? TCP_OPTLEN_TS_ALIGNED : sack ? 4 : 0) + (ws ? 4 : 0);
}

/* Writes the options of a SYN (synack FALSE) or SYN-ACK at out; returns
 * their length. */
size_t tcp_options_write_syn(const TcpConn *c, uint8_t *out, gboolean synack)
{
  uint8_t *o = out;
  gboolean ts = synack ? c->ts_ok : c->cfg.timestamps;
  gboolean ws = synack ? c->ws_ok : c->cfg.window_scaling;
  gboolean sack = synack ? c->sack_ok : c->cfg.sack;

  *o++ = TCP_OPT_MSS;
  *o++ = TCP_OPTLEN_MSS;
  *o++ = (uint8_t)(c->adv_mss >> 8);
  *o++ = (uint8_t)c->adv_mss;
  if (ts) {
    o = tcp_options_put_ts(c, o, sack);
  } else if (sack) {
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_SACK_PERMITTED;
    *o++ = 2;
  }
  if (ws) {
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_WSCALE;
    *o++ = TCP_OPTLEN_WSCALE;
    *o++ = c->rcv_ws;
  }
  return (size_t)(o - out);
}

/* Writes the options of a non-SYN segment (timestamps, nsack SACK
 * blocks); returns their length. */
size_t tcp_options_write(const TcpConn *c, uint8_t *out, const TcpRange *sack, int nsack)
{
  uint8_t *o = c->ts_ok ? tcp_options_put_ts(c, out, FALSE) : out;

  if (nsack) {
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_SACK;
    *o++ = (uint8_t)(2 + 8 * nsack);
    for (int i = 0; i < nsack; i++) {
      o = tcp_options_put_u32(o, sack[i].start);
      o = tcp_options_put_u32(o, sack[i].end);
    }
  }
  return (size_t)(o - out);
}
