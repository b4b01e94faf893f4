/*
 * JSON string escaping (RFC 8259 section 7). Entry point: json_append_string().
 */
#include "sim/text/json.h"

/* Appends `text` as a quoted JSON string; `text` is UTF-8. */
void json_append_string(GString *out, const char *text)
{
  g_string_append_c(out, '"');
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    switch (*c) {
    case '"':
      g_string_append(out, "\\\"");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    default:
      if (*c < 0x20)
        g_string_append_printf(out, "\\u%04x", *c);
      else
        g_string_append_c(out, (char)*c);
    }
  }
  g_string_append_c(out, '"');
}
