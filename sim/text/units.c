/*
 * Units: parsing and printing of durations, rates, sizes, queue limits,
 * percentages and counts, as written in scenario files.
 *
 * Entry points: units_parse_*() turn text into exact integers (or a double
 * for percentages) or fail with a one-line GError; units_format_*() print
 * the canonical spelling. The spelling rules are listed in units.h.
 *
 * How: a value is scanned as a digit string with an optional fraction, its
 * unit looked up in the table of its kind, and the digit string multiplied
 * by the unit's scale as a small decimal big number, so that "1.5ms" is
 * exactly 1500000 ns and any precision loss is reported rather than rounded.
 * Errors about units suggest the nearest known unit (case-insensitive match,
 * common aliases, then an edit distance of one or two).
 *
 * Leaves out: locales, exponents, and units beyond T/TiB.
 */
#include "sim/text/units.h"

#include "sim/text/diag.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK(ipsim_units_error, units_error)

/* The longest quoted input in a message; longer text is cut with "...". */
#define UNITS_QUOTE_MAX 60

/* One unit spelling: its name, its size in the base unit, and the plural
 * name of the base unit (for "not a whole number of ..." messages). */
typedef struct {
  const char *name;
  uint64_t scale;
  const char *base;
} UnitsUnit;

/* A spelling users try that is not a unit: the unit to suggest instead,
 * or a complete message when no single suggestion fits. */
typedef struct {
  const char *alias;
  const char *unit;
  const char *note;
} UnitsHint;

/* Everything the parser needs to know about one kind of quantity. */
typedef struct {
  const char *noun;      /* "duration", in "expected a duration such as" */
  const char *unit_noun; /* "duration", in "unknown duration unit" */
  const char *examples;  /* "'10ms' or '1.5s'" */
  const UnitsUnit *units;
  const UnitsHint *hints;
  uint64_t max;
  const char *max_text;
  gboolean bare_zero; /* a unitless "0" is accepted */
} UnitsKind;

/* A scanned decimal number and what follows it. */
typedef struct {
  const char *int_digits;
  size_t n_int;
  const char *frac_digits;
  size_t n_frac;
  const char *rest;
} UnitsNumber;

typedef enum {
  UNITS_SCALE_OK,
  UNITS_SCALE_TOO_FINE,
  UNITS_SCALE_TOO_LARGE,
} UnitsScaleResult;

#define UNITS_NS_PER_MIN (UINT64_C(60) * 1000000000)
#define UNITS_NS_PER_H (UINT64_C(3600) * 1000000000)

static const UnitsUnit units_duration_table[] = {
    {"ns", 1, "nanoseconds"},
    {"us", UINT64_C(1000), "nanoseconds"},
    {"ms", UINT64_C(1000000), "nanoseconds"},
    {"s", UINT64_C(1000000000), "nanoseconds"},
    {"min", UNITS_NS_PER_MIN, "nanoseconds"},
    {"h", UNITS_NS_PER_H, "nanoseconds"},
    {NULL, 0, NULL},
};

static const UnitsHint units_duration_hints[] = {
    {"sec", "s", NULL},        {"secs", "s", NULL},       {"second", "s", NULL},   {"seconds", "s", NULL},
    {"msec", "ms", NULL},      {"msecs", "ms", NULL},     {"usec", "us", NULL},    {"usecs", "us", NULL},
    {"\xc2\xb5s", "us", NULL}, {"\xce\xbcs", "us", NULL}, {"nsec", "ns", NULL},    {"nsecs", "ns", NULL},
    {"m", "min", NULL},        {"mins", "min", NULL},     {"minute", "min", NULL}, {"minutes", "min", NULL},
    {"hr", "h", NULL},         {"hrs", "h", NULL},        {"hour", "h", NULL},     {"hours", "h", NULL},
    {NULL, NULL, NULL},
};

static const UnitsUnit units_rate_table[] = {
    {"bps", 1, "bits per second"},
    {"kbps", UINT64_C(1000), "bits per second"},
    {"Mbps", UINT64_C(1000000), "bits per second"},
    {"Gbps", UINT64_C(1000000000), "bits per second"},
    {"Tbps", UINT64_C(1000000000000), "bits per second"},
    {"bit", 1, "bits per second"},
    {"kbit", UINT64_C(1000), "bits per second"},
    {"Mbit", UINT64_C(1000000), "bits per second"},
    {"Gbit", UINT64_C(1000000000), "bits per second"},
    {"Tbit", UINT64_C(1000000000000), "bits per second"},
    {NULL, 0, NULL},
};

static const UnitsHint units_rate_hints[] = {
    {"b/s", "bps", NULL},   {"bit/s", "bps", NULL},   {"kb/s", "kbps", NULL}, {"kbit/s", "kbps", NULL},
    {"Mb/s", "Mbps", NULL}, {"Mbit/s", "Mbps", NULL}, {"Gb/s", "Gbps", NULL}, {"Gbit/s", "Gbps", NULL},
    {"Tb/s", "Tbps", NULL}, {"Tbit/s", "Tbps", NULL}, {NULL, NULL, NULL},
};

/* Shared by sizes and queue limits. */
// clang-format off
#define UNITS_SIZE_UNITS                                  \
  {"B", 1, "bytes"},                                      \
  {"kB", UINT64_C(1000), "bytes"},                        \
  {"MB", UINT64_C(1000000), "bytes"},                     \
  {"GB", UINT64_C(1000000000), "bytes"},                  \
  {"TB", UINT64_C(1000000000000), "bytes"},               \
  {"KiB", UINT64_C(1) << 10, "bytes"},                    \
  {"MiB", UINT64_C(1) << 20, "bytes"},                    \
  {"GiB", UINT64_C(1) << 30, "bytes"},                    \
  {"TiB", UINT64_C(1) << 40, "bytes"}

#define UNITS_SIZE_HINTS                                                                   \
  {"KB", NULL, "ambiguous size unit 'KB'; write 'kB' (1000 bytes) or 'KiB' (1024 bytes)"}, \
  {"byte", "B", NULL},                                                                     \
  {"bytes", "B", NULL}
// clang-format on

static const UnitsUnit units_size_table[] = {UNITS_SIZE_UNITS, {NULL, 0, NULL}};

static const UnitsHint units_size_hints[] = {UNITS_SIZE_HINTS, {NULL, NULL, NULL}};

/* The queue table starts with "p" so that the packet case is entry 0. */
static const UnitsUnit units_queue_table[] = {
    {"p", 1, "packets"},
    UNITS_SIZE_UNITS,
    {NULL, 0, NULL},
};

static const UnitsHint units_queue_hints[] = {
    {"pkt", "p", NULL},     {"pkts", "p", NULL}, {"packet", "p", NULL},
    {"packets", "p", NULL}, UNITS_SIZE_HINTS,    {NULL, NULL, NULL},
};

static const UnitsUnit units_percent_table[] = {
    {"%", 1, "percent"},
    {NULL, 0, NULL},
};

static const UnitsHint units_percent_hints[] = {
    {"percent", "%", NULL},
    {"pct", "%", NULL},
    {NULL, NULL, NULL},
};

static const UnitsKind units_duration_kind = {
    .noun = "duration",
    .unit_noun = "duration",
    .examples = "'10ms' or '1.5s'",
    .units = units_duration_table,
    .hints = units_duration_hints,
    .max = INT64_MAX,
    .max_text = "9223372036.854775807s",
    .bare_zero = TRUE,
};

static const UnitsKind units_rate_kind = {
    .noun = "rate",
    .unit_noun = "rate",
    .examples = "'100Mbps' or '1.5Gbps'",
    .units = units_rate_table,
    .hints = units_rate_hints,
    .max = UINT64_MAX,
    .max_text = "18446744.073709551615Tbps",
    .bare_zero = FALSE,
};

static const UnitsKind units_size_kind = {
    .noun = "size",
    .unit_noun = "size",
    .examples = "'1500B' or '64KiB'",
    .units = units_size_table,
    .hints = units_size_hints,
    .max = UINT64_MAX,
    .max_text = "18446744073709551615B",
    .bare_zero = FALSE,
};

static const UnitsKind units_queue_kind = {
    .noun = "queue limit",
    .unit_noun = "queue",
    .examples = "'100p' or '64KiB'",
    .units = units_queue_table,
    .hints = units_queue_hints,
    .max = UINT64_MAX,
    .max_text = "18446744073709551615p or 18446744073709551615B",
    .bare_zero = FALSE,
};

static const UnitsKind units_percent_kind = {
    .noun = "percentage",
    .unit_noun = "percentage",
    .examples = "'0.1%' or '5%'",
    .units = units_percent_table,
    .hints = units_percent_hints,
    .max = 100,
    .max_text = "100%",
    .bare_zero = FALSE,
};

/* Sets a UNITS_ERROR_INVALID error from a printf-style message. */
static void G_GNUC_PRINTF(2, 3) units_fail(GError **error, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error_literal(error, UNITS_ERROR, UNITS_ERROR_INVALID, message);
}

/* Returns user text made safe for a one-line message: control characters
 * are escaped and long text is cut. The result is g_malloc'd. */
static char *units_quote(const char *text)
{
  GString *out = g_string_new(NULL);
  size_t n = strlen(text);
  size_t keep = n > UNITS_QUOTE_MAX ? UNITS_QUOTE_MAX : n;

  /* Do not cut a UTF-8 sequence in half. */
  while (keep < n && keep > 0 && ((guchar)text[keep] & 0xC0) == 0x80)
    keep--;
  for (size_t i = 0; i < keep; i++) {
    guchar c = (guchar)text[i];
    if (c < 0x20 || c == 0x7F)
      g_string_append_printf(out, "\\x%02x", c);
    else
      g_string_append_c(out, (char)c);
  }
  if (keep < n)
    g_string_append(out, "...");
  return g_string_free(out, FALSE);
}

/* Returns the kind's unit names as "ns, us, ms", g_malloc'd. */
static char *units_list(const UnitsKind *kind)
{
  GString *out = g_string_new(NULL);

  for (const UnitsUnit *u = kind->units; u->name != NULL; u++)
    g_string_append_printf(out, "%s%s", out->len > 0 ? ", " : "", u->name);
  return g_string_free(out, FALSE);
}

/* Returns "'text'" quoted for a message, or "an empty string". */
static char *units_found(const char *text)
{
  g_autofree char *quoted = units_quote(text);

  return *text == '\0' ? g_strdup("an empty string") : g_strdup_printf("'%s'", quoted);
}

/* Returns "a duration such as '10ms' or '1.5s' (units: ns, ...)" for a
 * kind; the list is left out when the kind has a single unit. */
static char *units_expected(const UnitsKind *kind)
{
  g_autofree char *list = units_list(kind);

  if (kind->units[1].name == NULL)
    return g_strdup_printf("a %s such as %s", kind->noun, kind->examples);
  return g_strdup_printf("a %s such as %s (units: %s)", kind->noun, kind->examples, list);
}

/* Fails with the general "expected ..., found ..." message of a kind. */
static void units_fail_expected(const UnitsKind *kind, const char *text, GError **error)
{
  g_autofree char *expected = units_expected(kind);
  g_autofree char *found = units_found(text);

  units_fail(error, "expected %s, found %s", expected, found);
}

/* Scans "digits[.digits]" at the start of text. Returns FALSE if text does
 * not start with a digit; a '.' not followed by a digit is left in rest. */
static gboolean units_scan_number(const char *text, UnitsNumber *num)
{
  const char *p = text;

  memset(num, 0, sizeof *num);
  if (!g_ascii_isdigit(*p))
    return FALSE;
  num->int_digits = p;
  while (g_ascii_isdigit(*p))
    p++;
  num->n_int = (size_t)(p - text);
  if (p[0] == '.' && g_ascii_isdigit(p[1])) {
    num->frac_digits = ++p;
    while (g_ascii_isdigit(*p))
      p++;
    num->n_frac = (size_t)(p - num->frac_digits);
  }
  num->rest = p;
  return TRUE;
}

/* Returns TRUE if every digit of the scanned number is zero. */
static gboolean units_number_is_zero(const UnitsNumber *num)
{
  for (size_t i = 0; i < num->n_int; i++)
    if (num->int_digits[i] != '0')
      return FALSE;
  for (size_t i = 0; i < num->n_frac; i++)
    if (num->frac_digits[i] != '0')
      return FALSE;
  return TRUE;
}

/* Returns the unit called name in table, or NULL. */
static const UnitsUnit *units_find(const UnitsUnit *table, const char *name)
{
  for (const UnitsUnit *u = table; u->name != NULL; u++)
    if (strcmp(u->name, name) == 0)
      return u;
  return NULL;
}

/* Returns the hint for the spelling name, or NULL. */
static const UnitsHint *units_find_hint(const UnitsHint *hints, const char *name)
{
  for (const UnitsHint *h = hints; h->alias != NULL; h++)
    if (strcmp(h->alias, name) == 0)
      return h;
  return NULL;
}

/* Returns the known unit closest to name (see diag_suggest()), or NULL. */
static const char *units_suggest(const UnitsUnit *table, const char *name)
{
  const char *names[32] = {0};
  guint n = 0;

  for (const UnitsUnit *u = table; u->name != NULL && n < G_N_ELEMENTS(names); u++)
    names[n++] = u->name;
  g_autofree char *near = diag_suggest(name, names, n);
  for (guint i = 0; near != NULL && i < n; i++)
    if (strcmp(names[i], near) == 0)
      return names[i];
  return NULL;
}

/* Returns TRUE if name looks like a word (letters, '/', or UTF-8). */
static gboolean units_is_word(const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalpha(*p) && *p != '/' && (guchar)*p < 0x80)
      return FALSE;
  return TRUE;
}

/* Fails for a number followed by something that is not a unit of kind:
 * a known misspelling, a near miss, an unknown word, or plain garbage. */
static void units_fail_unit(const UnitsKind *kind, const char *text, const char *unit, GError **error)
{
  g_autofree char *quoted = units_quote(unit);
  const UnitsHint *hint = units_find_hint(kind->hints, unit);
  const char *suggestion = hint != NULL ? hint->unit : NULL;

  if (hint != NULL && hint->note != NULL) {
    units_fail(error, "%s", hint->note);
    return;
  }
  if (!units_is_word(unit)) {
    units_fail_expected(kind, text, error);
    return;
  }
  if (suggestion == NULL)
    suggestion = units_suggest(kind->units, unit);
  if (suggestion != NULL) {
    units_fail(error, "unknown %s unit '%s'; did you mean '%s'?", kind->unit_noun, quoted, suggestion);
  } else {
    g_autofree char *list = units_list(kind);
    units_fail(error, "unknown %s unit '%s' (units: %s)", kind->unit_noun, quoted, list);
  }
}

/* Fails for text containing whitespace. When the text without it is a
 * number and a known unit, the message shows that spelling. */
static void units_fail_space(const UnitsKind *kind, const char *text, GError **error)
{
  g_autofree char *quoted = units_quote(text);
  g_autofree char *compact = g_strdup(text);
  UnitsNumber num;
  char *out = compact;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace(*p))
      *out++ = *p;
  *out = '\0';
  if (units_scan_number(compact, &num) && units_find(kind->units, num.rest) != NULL) {
    g_autofree char *fixed = units_quote(compact);
    units_fail(error, "unexpected space in '%s'; write '%s'", quoted, fixed);
  } else
    units_fail_expected(kind, text, error);
}

/* Scans text as a number and a unit of kind. On success *unit is the unit,
 * or NULL for a bare zero where the kind allows one. */
static gboolean units_scan(const UnitsKind *kind, const char *text, UnitsNumber *num, const UnitsUnit **unit,
                           GError **error)
{
  if (strpbrk(text, " \t\n\v\f\r") != NULL) {
    units_fail_space(kind, text, error);
    return FALSE;
  }
  if (text[0] == '-' && g_ascii_isdigit(text[1])) {
    g_autofree char *quoted = units_quote(text);
    units_fail(error, "a %s cannot be negative, found '%s'", kind->noun, quoted);
    return FALSE;
  }
  if (!units_scan_number(text, num)) {
    units_fail_expected(kind, text, error);
    return FALSE;
  }
  if (num->rest[0] == '\0' && kind->bare_zero && units_number_is_zero(num)) {
    *unit = NULL;
    return TRUE;
  }
  if (num->rest[0] == '\0') {
    g_autofree char *expected = units_expected(kind);
    g_autofree char *quoted = units_quote(text);
    units_fail(error, "missing unit in '%s'; expected %s", quoted, expected);
    return FALSE;
  }
  *unit = units_find(kind->units, num->rest);
  if (*unit == NULL)
    units_fail_unit(kind, text, num->rest, error);
  return *unit != NULL;
}

/* Multiplies the little-endian decimal digits[0..len) by scale in place
 * and returns the new length. digits must have room for 20 more digits. */
static size_t units_digits_mul(uint8_t *digits, size_t len, uint64_t scale)
{
  uint64_t carry = 0;

  for (size_t i = 0; i < len; i++) {
    uint64_t t = digits[i] * scale + carry;
    digits[i] = (uint8_t)(t % 10);
    carry = t / 10;
  }
  while (carry > 0) {
    digits[len++] = (uint8_t)(carry % 10);
    carry /= 10;
  }
  return len;
}

/* Reads the little-endian decimal digits[0..len) into *out, failing when
 * the value exceeds max. */
static UnitsScaleResult units_digits_value(const uint8_t *digits, size_t len, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;

  for (size_t i = len; i-- > 0;) {
    if (v > (UINT64_MAX - digits[i]) / 10)
      return UNITS_SCALE_TOO_LARGE;
    v = v * 10 + digits[i];
  }
  if (v > max)
    return UNITS_SCALE_TOO_LARGE;
  *out = v;
  return UNITS_SCALE_OK;
}

/* Computes num * scale exactly. The number's digits, read as one integer
 * D with k fraction digits, give D * scale / 10^k: multiply as a decimal
 * big number, then the k lowest digits must be zero. */
static UnitsScaleResult units_scale_exact(const UnitsNumber *num, uint64_t scale, uint64_t max, uint64_t *out)
{
  const char *int_digits = num->int_digits;
  size_t n_int = num->n_int, n_frac = num->n_frac, len = 0;

  while (n_int > 0 && *int_digits == '0') {
    int_digits++;
    n_int--;
  }
  while (n_frac > 0 && num->frac_digits[n_frac - 1] == '0')
    n_frac--;
  g_autofree uint8_t *digits = g_malloc(n_int + n_frac + 24);
  for (size_t i = n_frac; i-- > 0;)
    digits[len++] = (uint8_t)(num->frac_digits[i] - '0');
  for (size_t i = n_int; i-- > 0;)
    digits[len++] = (uint8_t)(int_digits[i] - '0');
  len = units_digits_mul(digits, len, scale);
  for (size_t i = 0; i < n_frac && i < len; i++)
    if (digits[i] != 0)
      return UNITS_SCALE_TOO_FINE;
  if (len <= n_frac) {
    *out = 0;
    return UNITS_SCALE_OK;
  }
  return units_digits_value(digits + n_frac, len - n_frac, max, out);
}

/* Parses text as a quantity of kind into the kind's base unit. *unit gets
 * the unit used (NULL for a bare zero). */
static gboolean units_parse_quantity(const UnitsKind *kind, const char *text, uint64_t *value, const UnitsUnit **unit,
                                     GError **error)
{
  UnitsNumber num;
  g_autofree char *quoted = NULL;

  if (!units_scan(kind, text, &num, unit, error))
    return FALSE;
  if (*unit == NULL) {
    *value = 0;
    return TRUE;
  }
  quoted = units_quote(text);
  switch (units_scale_exact(&num, (*unit)->scale, kind->max, value)) {
  case UNITS_SCALE_OK:
    return TRUE;
  case UNITS_SCALE_TOO_FINE:
    units_fail(error, "'%s' is not a whole number of %s", quoted, (*unit)->base);
    return FALSE;
  case UNITS_SCALE_TOO_LARGE:
  default:
    units_fail(error, "'%s' is too large; the largest %s is %s", quoted, kind->noun, kind->max_text);
    return FALSE;
  }
}

/* Fails for a quantity that parsed as zero where zero is not allowed. */
static gboolean units_fail_zero(const UnitsKind *kind, const char *text, GError **error)
{
  g_autofree char *quoted = units_quote(text);

  units_fail(error, "a %s must be greater than zero, found '%s'", kind->noun, quoted);
  return FALSE;
}

/* Parses a duration such as "1.5ms" into nanoseconds. Returns FALSE and
 * sets error on invalid text, leaving *out unchanged. */
gboolean units_parse_duration(const char *text, SimTime *out, GError **error)
{
  uint64_t value;
  const UnitsUnit *unit;

  g_return_val_if_fail(text != NULL && out != NULL, FALSE);
  if (!units_parse_quantity(&units_duration_kind, text, &value, &unit, error))
    return FALSE;
  *out = (SimTime)value;
  return TRUE;
}

/* Parses a rate such as "100Mbps" into bits per second; zero is an error. */
gboolean units_parse_rate(const char *text, uint64_t *bps, GError **error)
{
  uint64_t value;
  const UnitsUnit *unit;

  g_return_val_if_fail(text != NULL && bps != NULL, FALSE);
  if (!units_parse_quantity(&units_rate_kind, text, &value, &unit, error))
    return FALSE;
  if (value == 0)
    return units_fail_zero(&units_rate_kind, text, error);
  *bps = value;
  return TRUE;
}

/* Parses a size such as "64KiB" into bytes; zero is allowed. */
gboolean units_parse_size(const char *text, uint64_t *bytes, GError **error)
{
  const UnitsUnit *unit;

  g_return_val_if_fail(text != NULL && bytes != NULL, FALSE);
  return units_parse_quantity(&units_size_kind, text, bytes, &unit, error);
}

/* Parses a queue limit: "100p" packets or a size in bytes; zero is an
 * error. On success exactly one field of *out is non-zero. */
gboolean units_parse_queue(const char *text, QueueLimit *out, GError **error)
{
  uint64_t value;
  const UnitsUnit *unit;

  g_return_val_if_fail(text != NULL && out != NULL, FALSE);
  if (!units_parse_quantity(&units_queue_kind, text, &value, &unit, error))
    return FALSE;
  if (value == 0)
    return units_fail_zero(&units_queue_kind, text, error);
  out->packets = unit == &units_queue_table[0] ? value : 0;
  out->bytes = unit == &units_queue_table[0] ? 0 : value;
  return TRUE;
}

/* Returns TRUE if the scanned number is at most 100. */
static gboolean units_percent_in_range(const UnitsNumber *num)
{
  uint64_t whole = 0;

  for (size_t i = 0; i < num->n_int; i++) {
    whole = whole * 10 + (uint64_t)(num->int_digits[i] - '0');
    if (whole > 100)
      return FALSE;
  }
  for (size_t i = 0; whole == 100 && i < num->n_frac; i++)
    if (num->frac_digits[i] != '0')
      return FALSE;
  return TRUE;
}

/* Parses a percentage such as "0.1%" into a fraction (0.001), correctly
 * rounded to the nearest double. The '%' is required; 0% to 100%. */
gboolean units_parse_percent(const char *text, double *fraction, GError **error)
{
  UnitsNumber num;
  const UnitsUnit *unit;

  g_return_val_if_fail(text != NULL && fraction != NULL, FALSE);
  if (!units_scan(&units_percent_kind, text, &num, &unit, error))
    return FALSE;
  if (!units_percent_in_range(&num)) {
    g_autofree char *quoted = units_quote(text);
    units_fail(error, "'%s' is out of range; expected a percentage from 0%% to 100%%", quoted);
    return FALSE;
  }
  /* Dividing by 100 through the exponent keeps a single rounding. */
  g_autofree char *number = g_strdup_printf("%.*se-2", (int)(num.rest - text), text);
  *fraction = g_ascii_strtod(number, NULL);
  return TRUE;
}

/* Parses a plain decimal integer from 0 to max (seeds, counts). */
gboolean units_parse_uint(const char *text, uint64_t max, uint64_t *out, GError **error)
{
  uint64_t v = 0;
  g_autofree char *quoted = NULL;

  g_return_val_if_fail(text != NULL && out != NULL, FALSE);
  quoted = units_quote(text);
  if (*text == '\0' || strspn(text, "0123456789") != strlen(text)) {
    g_autofree char *found = units_found(text);
    units_fail(error, "expected a whole number from 0 to %" PRIu64 ", found %s", max, found);
    return FALSE;
  }
  for (const char *p = text; *p != '\0'; p++) {
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10 || v * 10 + d > max) {
      units_fail(error, "'%s' is too large; the largest allowed is %" PRIu64, quoted, max);
      return FALSE;
    }
    v = v * 10 + d;
  }
  *out = v;
  return TRUE;
}

/* Prints v / scale with the shortest exact decimal fraction, where scale
 * is 10^digits, followed by unit. Returns a g_malloc'd string. */
static char *units_format_scaled(uint64_t v, uint64_t scale, int digits, const char *unit)
{
  char frac[24];
  size_t n;

  if (v % scale == 0)
    return g_strdup_printf("%" PRIu64 "%s", v / scale, unit);
  g_snprintf(frac, sizeof frac, "%0*" PRIu64, digits, v % scale);
  n = strlen(frac);
  while (n > 0 && frac[n - 1] == '0')
    frac[--n] = '\0';
  return g_strdup_printf("%" PRIu64 ".%s%s", v / scale, frac, unit);
}

/* Prints a non-negative duration in nanoseconds, canonically. */
static char *units_format_ns(uint64_t ns)
{
  if (ns == 0)
    return g_strdup("0s");
  if (ns >= UINT64_C(1000000000))
    return units_format_scaled(ns, UINT64_C(1000000000), 9, "s");
  if (ns >= UINT64_C(1000000))
    return units_format_scaled(ns, UINT64_C(1000000), 6, "ms");
  if (ns >= UINT64_C(1000))
    return units_format_scaled(ns, UINT64_C(1000), 3, "us");
  return units_format_scaled(ns, 1, 0, "ns");
}

/* Returns the exact spelling of t in the largest of s, ms, us, ns not above
 * it: "1.5ms", "2s", "0s", "90s", "3600s". Seconds are the largest unit
 * printed, so that simulated times line up and compare at a glance. A negative t gets a leading '-'
 * (which the parser rejects). The result is g_malloc'd. */
char *units_format_duration(SimTime t)
{
  uint64_t magnitude = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
  char *text = units_format_ns(magnitude);

  if (t < 0) {
    char *negative = g_strconcat("-", text, NULL);
    g_free(text);
    return negative;
  }
  return text;
}

/* Returns the exact spelling of a rate in the largest SI unit not above
 * it: "100Mbps", "1.5Gbps", "1bps"; 0 prints as "0bps". g_malloc'd. */
char *units_format_rate(uint64_t bps)
{
  static const struct {
    uint64_t scale;
    int digits;
    const char *unit;
  } steps[] = {
      {UINT64_C(1000000000000), 12, "Tbps"},
      {UINT64_C(1000000000), 9, "Gbps"},
      {UINT64_C(1000000), 6, "Mbps"},
      {UINT64_C(1000), 3, "kbps"},
  };

  for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
    if (bps >= steps[i].scale)
      return units_format_scaled(bps, steps[i].scale, steps[i].digits, steps[i].unit);
  return units_format_scaled(bps, 1, 0, "bps");
}

/* Returns bytes as a whole number of the largest unit of units[] (scales
 * base^4 down to base^1) that divides it, or NULL if none does. */
static char *units_format_whole(uint64_t bytes, uint64_t base, const char *const units[4])
{
  for (int i = 0; i < 4 && bytes != 0; i++) {
    uint64_t scale = 1;
    for (int j = i; j < 4; j++)
      scale *= base;
    if (bytes % scale == 0)
      return units_format_scaled(bytes, scale, 0, units[i]);
  }
  return NULL;
}

/* Returns a size as a whole number of the largest binary unit dividing it
 * ("64KiB") or of the largest decimal unit dividing it ("2MB"), whichever
 * has fewer digits (binary on a tie: "1000KiB", yet "4TB", not
 * "3906250000KiB"), else in bytes ("1500B"). g_malloc'd. */
char *units_format_size(uint64_t bytes)
{
  static const char *const binary[] = {"TiB", "GiB", "MiB", "KiB"};
  static const char *const decimal[] = {"TB", "GB", "MB", "kB"};
  char *b = units_format_whole(bytes, 1024, binary);
  char *d = units_format_whole(bytes, 1000, decimal);

  if (b != NULL && d != NULL && strspn(d, "0123456789") < strspn(b, "0123456789")) {
    g_free(b);
    return d;
  }
  if (b != NULL) {
    g_free(d);
    return b;
  }
  return d != NULL ? d : units_format_scaled(bytes, 1, 0, "B");
}

/* Returns "100p" for a packet limit, else the byte limit as a size. */
char *units_format_queue(QueueLimit q)
{
  if (q.packets != 0)
    return g_strdup_printf("%" PRIu64 "p", q.packets);
  return units_format_size(q.bytes);
}

/* The word that goes after the count `n`: `one` for 1, else `many`. */
const char *units_plural(uint64_t n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}
