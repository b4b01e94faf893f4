/*
 * The trace's decoder of spanning-tree BPDUs (IEEE 802.1D-2004 clause 9,
 * 802.1w): configuration, topology change notification and rapid spanning
 * tree BPDUs, after the 802.3 length and LLC header trace_ether.c reads.
 * A configuration BPDU reads
 * `STP 802.1D config root 8000.02:00:00:00:00:01 cost 0 bridge
 * 8000.02:00:00:00:00:01 port 0x8001 age 0s max-age 20s hello 2s
 * fwd-delay 15s` with `flags [tc, tc-ack]` when any is set; an RST BPDU
 * `STP 802.1w RST` with its role and proposal, learning, forwarding and
 * agreement flags too; a TCN `STP 802.1D TCN`. Timers are in seconds (the
 * wire's 1/256 s, two decimals when not whole).
 *
 * Entry point: trace_decode_stp() (declared in trace_decode.h).
 */
#include "models/link/stp_wire.h"
#include "models/observe/trace_decode.h"

static void trace_stp_bridge(GString *out, const char *name, const uint8_t *b)
{
  g_string_append(out, name);
  trace_append_hex(out, trace_get16(b), 4);
  g_string_append_c(out, '.');
  trace_append_mac(out, b + 2);
}

/* Appends ` name Ns` for a timer in 1/256 s. */
static void trace_stp_time(GString *out, const char *name, const uint8_t *b)
{
  unsigned v = trace_get16(b);
  trace_append_field(out, name, v / BPDU_TIME_UNITS);
  unsigned frac = (v % BPDU_TIME_UNITS) * 100 / BPDU_TIME_UNITS;
  if (frac) {
    g_string_append_c(out, '.');
    g_string_append_c(out, (char)('0' + frac / 10));
    if (frac % 10)
      g_string_append_c(out, (char)('0' + frac % 10));
  }
  g_string_append_c(out, 's');
}

/* The flags other than the role: `flags [...]`, nothing when none is set. */
static void trace_stp_flags(GString *out, uint8_t flags, gboolean rst)
{
  static const struct {
    uint8_t bit;
    const char *name;
  } names[] = {{BPDU_FLAG_TC, "tc"},
               {BPDU_FLAG_PROPOSAL, "proposal"},
               {BPDU_FLAG_LEARNING, "learning"},
               {BPDU_FLAG_FORWARDING, "forwarding"},
               {BPDU_FLAG_AGREEMENT, "agreement"},
               {BPDU_FLAG_TC_ACK, "tc-ack"}};
  static const char *const roles[] = {"unknown", "alternate/backup", "root", "designated"};
  gboolean any = FALSE;

  if (rst) {
    g_string_append(out, " role ");
    g_string_append(out, roles[(flags >> BPDU_FLAG_ROLE_SHIFT) & 3]);
  }
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (flags & names[i].bit) {
      g_string_append(out, any ? ", " : " flags [");
      g_string_append(out, names[i].name);
      any = TRUE;
    }
  if (any)
    g_string_append_c(out, ']');
}

/* The fields a configuration and an RST BPDU share (35 bytes present). */
static void trace_stp_config(GString *out, const uint8_t *p, gboolean rst)
{
  g_string_append(out, rst ? "STP 802.1w RST" : "STP 802.1D config");
  trace_stp_flags(out, p[BPDU_OFF_FLAGS], rst);
  trace_stp_bridge(out, " root ", p + BPDU_OFF_ROOT);
  trace_append_field(out, " cost ", trace_get32(p + BPDU_OFF_COST));
  trace_stp_bridge(out, " bridge ", p + BPDU_OFF_BRIDGE);
  g_string_append(out, " port 0x");
  trace_append_hex(out, trace_get16(p + BPDU_OFF_PORT), 4);
  trace_stp_time(out, " age ", p + BPDU_OFF_AGE);
  trace_stp_time(out, " max-age ", p + BPDU_OFF_MAX_AGE);
  trace_stp_time(out, " hello ", p + BPDU_OFF_HELLO);
  trace_stp_time(out, " fwd-delay ", p + BPDU_OFF_FWD_DELAY);
}

/* Appends the BPDU in `p` (`len` bytes: the LLC payload the 802.3 length
 * gives, or fewer when the frame is cut short). */
void trace_decode_stp(GString *out, const uint8_t *p, size_t len)
{
  if (len < BPDU_TCN_LEN) {
    trace_append_truncated(out, "STP ", len);
    return;
  }
  if (trace_get16(p) != BPDU_PROTOCOL_ID) {
    g_string_append(out, "STP [bad protocol 0x");
    trace_append_hex(out, trace_get16(p), 4);
    g_string_append_c(out, ']');
    return;
  }
  uint8_t type = p[BPDU_OFF_TYPE];
  if (type == BPDU_TYPE_TCN)
    g_string_append(out, "STP 802.1D TCN");
  else if (type == BPDU_TYPE_CONFIG && len >= BPDU_CONFIG_LEN)
    trace_stp_config(out, p, FALSE);
  else if (type == BPDU_TYPE_RST && p[BPDU_OFF_VERSION] >= BPDU_VERSION_RSTP && len >= BPDU_RST_LEN)
    trace_stp_config(out, p, TRUE);
  else if (type == BPDU_TYPE_CONFIG || type == BPDU_TYPE_RST)
    trace_append_truncated(out, "STP ", len);
  else {
    trace_append_field(out, "STP [unknown type ", type);
    trace_append_field(out, " version ", p[BPDU_OFF_VERSION]);
    g_string_append_c(out, ']');
  }
}
