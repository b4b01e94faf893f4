/*
 * Writing JSON text: the one piece every JSON output needs, a correctly
 * escaped string. Entry point: json_append_string().
 */
#ifndef IPSIM_JSON_H
#define IPSIM_JSON_H

#include <glib.h>

void json_append_string(GString *out, const char *text);

#endif
