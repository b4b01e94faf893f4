/*
 * TCP options (RFC 9293 3.2, 3.7.1; RFC 7323): parsing what arrives and
 * writing what we send. SYNs carry MSS, timestamps and window scale, in
 * Linux's order (MSS, NOP NOP TS, NOP WS); other segments carry NOP NOP
 * TS when timestamps were negotiated.
 *
 * Entry points: tcp_options_parse(); tcp_options_len(),
 * tcp_options_write_syn(), tcp_options_write(); tcp_ts_now().
 *
 * A malformed option list (a length below 2, or one running past the
 * header) marks the segment bad: it is dropped (RFC 9293 MUST-7 asks only
 * not to crash; Linux stops parsing). An option of a known kind with the
 * wrong length is ignored. SACK-permitted is ignored (no SACK).
 */
#include "models/transport/tcp_conn.h"

#include <string.h>

/* Reads one option of `kind` with its `olen` bytes at `o` into out. */
static void tcp_options_one(const uint8_t *o, size_t olen, gboolean syn, TcpOpts *out)
{
  switch (o[0]) {
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
      out->tsval = (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
      out->tsecr = (uint32_t)o[6] << 24 | (uint32_t)o[7] << 16 | (uint32_t)o[8] << 8 | o[9];
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

static uint8_t *tcp_options_put_ts(const TcpConn *c, uint8_t *o)
{
  uint32_t v = tcp_ts_now(c), e = c->ts_recent;

  *o++ = TCP_OPT_NOP;
  *o++ = TCP_OPT_NOP;
  *o++ = TCP_OPT_TIMESTAMP;
  *o++ = TCP_OPTLEN_TIMESTAMP;
  for (int s = 24; s >= 0; s -= 8)
    *o++ = (uint8_t)(v >> s);
  for (int s = 24; s >= 0; s -= 8)
    *o++ = (uint8_t)(e >> s);
  return o;
}

/* Returns the option bytes a segment of c carries (a multiple of 4). On
 * a SYN, timestamps and scaling are offered when configured; on a
 * SYN-ACK, when negotiated. */
size_t tcp_options_len(const TcpConn *c, gboolean syn, gboolean synack)
{
  if (!syn)
    return c->ts_ok ? TCP_OPTLEN_TS_ALIGNED : 0;
  gboolean ts = synack ? c->ts_ok : c->cfg.timestamps;
  gboolean ws = synack ? c->ws_ok : c->cfg.window_scaling;
  return TCP_OPTLEN_MSS + (ts ? TCP_OPTLEN_TS_ALIGNED : 0) + (ws ? 4 : 0);
}

/* Writes the options of a SYN (synack FALSE) or SYN-ACK at out; returns
 * their length. */
size_t tcp_options_write_syn(const TcpConn *c, uint8_t *out, gboolean synack)
{
  uint8_t *o = out;
  gboolean ts = synack ? c->ts_ok : c->cfg.timestamps;
  gboolean ws = synack ? c->ws_ok : c->cfg.window_scaling;

  *o++ = TCP_OPT_MSS;
  *o++ = TCP_OPTLEN_MSS;
  *o++ = (uint8_t)(c->adv_mss >> 8);
  *o++ = (uint8_t)c->adv_mss;
  if (ts)
    o = tcp_options_put_ts(c, o);
  if (ws) {
    *o++ = TCP_OPT_NOP;
    *o++ = TCP_OPT_WSCALE;
    *o++ = TCP_OPTLEN_WSCALE;
    *o++ = c->rcv_ws;
  }
  return (size_t)(o - out);
}

/* Writes the options of a non-SYN segment; returns their length. */
size_t tcp_options_write(const TcpConn *c, uint8_t *out)
{
  return c->ts_ok ? (size_t)(tcp_options_put_ts(c, out) - out) : 0;
}
