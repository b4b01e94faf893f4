/*
 * The SACK scoreboard of a sender (RFC 2018, RFC 6675): the ranges above
 * SND.UNA the peer reported holding, merged and sorted, and what RFC 6675
 * derives from them: which bytes count as lost (IsLost) and how much is in
 * the network (SetPipe). tcp_sack_output() in tcp_out.c sends from it.
 *
 * Entry points: tcp_sack_update() (from ACK processing, with the blocks
 * of an ACK); tcp_sack_next(), tcp_sack_is_lost(), tcp_sack_pipe().
 *
 * Leaves out: D-SACK (RFC 2883; blocks below SND.UNA are ignored) and
 * reneging detection (the scoreboard is trusted until SND.UNA passes it).
 */
#include "models/transport/tcp_conn.h"

/* The most ranges the scoreboard holds. */
#define TCP_MAX_SACKED 256

/* Drops what snd_una passed from the scoreboard. */
static void tcp_sack_trim(TcpConn *c)
{
  while (c->sacked->len) {
    TcpRange *r = &g_array_index(c->sacked, TcpRange, 0);
    if (SEQ_GT(r->end, c->snd_una)) {
      r->start = SEQ_MAX(r->start, c->snd_una);
      return;
    }
    g_array_remove_index(c->sacked, 0);
  }
}

/* Adds [r.start, r.end) to the scoreboard, merging what it touches. */
static void tcp_sack_add(TcpConn *c, TcpRange r)
{
  GArray *a = c->sacked;
  guint i = 0;

  while (i < a->len && SEQ_LT(g_array_index(a, TcpRange, i).end, r.start))
    i++;
  while (i < a->len && SEQ_LEQ(g_array_index(a, TcpRange, i).start, r.end)) {
    TcpRange *o = &g_array_index(a, TcpRange, i);
    r.start = SEQ_MIN(r.start, o->start);
    r.end = SEQ_MAX(r.end, o->end);
    g_array_remove_index(a, i);
  }
  g_array_insert_val(a, i, r);
}

/* Takes the SACK blocks of an ACK (after snd_una moved): blocks outside
 * (snd_una, snd_max] are ignored (D-SACK, or forged), and so are new
 * ones once the scoreboard holds TCP_MAX_SACKED ranges (a forged stream
 * of tiny blocks must not make every ACK cost more). */
void tcp_sack_update(TcpConn *c, const TcpOpts *o)
{
  if (!c->sack_ok)
    return;
  tcp_sack_trim(c);
  for (int i = 0; i < o->nsack; i++) {
    TcpRange r = o->sack[i];
    if (!SEQ_LT(r.start, r.end) || !SEQ_GT(r.start, c->snd_una) || SEQ_GT(r.end, c->snd_max) ||
        c->sacked->len >= TCP_MAX_SACKED)
      continue;
    tcp_sack_add(c, r);
  }
  if (SEQ_LT(c->high_rxt, c->snd_una))
    c->high_rxt = c->snd_una;
}

/* The first SACKed range ending after seq, if any. */
gboolean tcp_sack_next(const TcpConn *c, uint32_t seq, TcpRange *r)
{
  if (!c->sack_ok)
    return FALSE;
  for (guint i = 0; i < c->sacked->len; i++) {
    *r = g_array_index(c->sacked, TcpRange, i);
    if (SEQ_GT(r->end, seq))
      return TRUE;
  }
  return FALSE;
}

/* Where loss begins to count: every unSACKed byte below it is lost, with
 * DupThresh (3) discontiguous SACKed ranges or more than 2 SMSS SACKed
 * above it (RFC 6675 IsLost); snd_una when nothing is lost. */
static uint32_t tcp_sack_lost_edge(const TcpConn *c)
{
  uint32_t bytes = 0;

  for (guint i = c->sacked->len, n = 1; i-- > 0; n++) {
    const TcpRange *r = &g_array_index(c->sacked, TcpRange, i);
    bytes += r->end - r->start;
    if (n >= 3 || bytes > 2 * c->mss)
      return r->start;
  }
  return c->snd_una;
}

gboolean tcp_sack_is_lost(const TcpConn *c, uint32_t seq)
{
  return c->sack_ok && SEQ_LT(seq, tcp_sack_lost_edge(c)) && SEQ_LT(seq, c->snd_max);
}

/* Bytes in [a, b) not SACKed. */
static uint32_t tcp_sack_unsacked(const TcpConn *c, uint32_t a, uint32_t b)
{
  uint32_t n = SEQ_GT(b, a) ? b - a : 0;

  for (guint i = 0; i < c->sacked->len && n; i++) {
    const TcpRange *r = &g_array_index(c->sacked, TcpRange, i);
    uint32_t s = SEQ_MAX(r->start, a), e = SEQ_MIN(r->end, b);
    if (SEQ_GT(e, s))
      n -= e - s;
  }
  return n;
}

/* RFC 6675 SetPipe, in bytes: unSACKed data not lost, plus data sent
 * again (below HighRxt). */
uint32_t tcp_sack_pipe(const TcpConn *c)
{
  uint32_t edge = tcp_sack_lost_edge(c);

  return tcp_sack_unsacked(c, c->snd_una, c->snd_max) - tcp_sack_unsacked(c, c->snd_una, edge) +
         tcp_sack_unsacked(c, c->snd_una, c->high_rxt);
}
