/*
 * Units: parsing and printing of the quantities a scenario file uses —
 * durations ("1.5ms"), bit rates ("100Mbps"), byte sizes ("64KiB"), queue
 * limits ("100p" or a size), percentages ("0.1%") and plain counts.
 *
 * Entry points: units_parse_duration(), units_parse_rate(),
 * units_parse_size(), units_parse_queue(), units_parse_percent(),
 * units_parse_uint(); units_format_duration(), units_format_rate(),
 * units_format_size(), units_format_queue(); units_plural() (the word
 * after a count: "1 link", "2 links").
 *
 * Spelling rules (what a user sees):
 *   - A value is a decimal number immediately followed by its unit:
 *     "10ms", "1.5Gbps". Units are case-sensitive.
 *   - Whitespace is rejected anywhere, including between number and unit:
 *     "10 ms" fails with a hint to write "10ms". One spelling per value
 *     keeps scenario files uniform and greppable.
 *   - The number is digits with an optional fraction ("1.5", "0.25"); a
 *     leading '+' or '-', ".5", "1.", hex and exponents are rejected.
 *   - Values are computed exactly with integer arithmetic. A fraction finer
 *     than the resolution (1ns, 1bps, 1B, 1 packet) is an error, not a
 *     rounding: "1.5ns" and "0.5B" fail, "1.50ms" and "1.5KiB" do not.
 *   - Durations: ns us ms s min h (min = 60s, h = 3600s); a bare "0" is
 *     also accepted. At most INT64_MAX ns (about 292 years).
 *   - Rates, in bits per second, SI (k = 1000): bps kbps Mbps Gbps Tbps,
 *     and the tc-style synonyms bit kbit Mbit Gbit Tbit. Must be > 0.
 *   - Sizes: B, kB MB GB TB (powers of 1000), KiB MiB GiB TiB (powers of
 *     1024). "KB" is rejected as ambiguous, with a hint.
 *   - Queue limits: "<n>p" counts packets; anything else is a size. > 0.
 *   - Percentages need the '%' sign and lie in 0%..100%.
 *   - An unknown unit near a known one gets a suggestion ("did you mean
 *     'Mbps'?"). Messages are one line, self-contained, and quote what was
 *     found; the caller adds the file position and key path.
 *
 * Printing gives the canonical spelling, which parses back to the same
 * value: format(parse(x)) is canonical and parse(format(v)) == v for every
 * value the parser accepts. Durations and rates use the largest unit not
 * above the value with the shortest exact fraction ("1.5ms", "1.5Gbps");
 * durations never use a unit above seconds ("90s", "3600s"), so that
 * simulated times line up in summaries and traces. Sizes print as a whole number of the
 * largest binary or decimal unit dividing them, whichever has fewer digits
 * (binary on a tie: "64KiB", "2MB", "4TB", "1000KiB"), else in bytes.
 *
 * Leaves out: locales (the decimal separator is always '.'), binary rate
 * prefixes (Kibps), bytes per second, and units beyond T/TiB.
 */
#ifndef IPSIM_UNITS_H
#define IPSIM_UNITS_H

#include <glib.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

#define UNITS_ERROR (units_error_quark())

typedef enum {
  UNITS_ERROR_INVALID, /* the text is not a valid value of the kind asked */
} UnitsError;

GQuark units_error_quark(void);

/* A queue bound: exactly one of the two fields is non-zero. */
typedef struct {
  uint64_t packets;
  uint64_t bytes;
} QueueLimit;

gboolean units_parse_duration(const char *text, SimTime *out, GError **error);
gboolean units_parse_rate(const char *text, uint64_t *bps, GError **error);
gboolean units_parse_size(const char *text, uint64_t *bytes, GError **error);
gboolean units_parse_queue(const char *text, QueueLimit *out, GError **error);
gboolean units_parse_percent(const char *text, double *fraction, GError **error);
gboolean units_parse_uint(const char *text, uint64_t max, uint64_t *out, GError **error);

char *units_format_duration(SimTime t);
char *units_format_rate(uint64_t bps);
char *units_format_size(uint64_t bytes);
char *units_format_queue(QueueLimit q);
const char *units_plural(uint64_t n, const char *one, const char *many);

#endif
