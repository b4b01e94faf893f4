/*
 * The registry of congestion control algorithms (see tcp_cc.h): a name
 * to an ops table. An empty name is the default, NewReno.
 *
 * Entry points: tcp_cc_find().
 */
#include "models/transport/tcp_cc.h"

#include <glib.h>

static const TcpCcOps *const tcp_cc_all[] = {&tcp_cc_newreno};

/* Returns the algorithm called `name` ("" or NULL: NewReno), or NULL. */
const TcpCcOps *tcp_cc_find(const char *name)
{
  if (!name || !*name)
    return &tcp_cc_newreno;
  for (size_t i = 0; i < G_N_ELEMENTS(tcp_cc_all); i++)
    if (g_ascii_strcasecmp(tcp_cc_all[i]->name, name) == 0)
      return tcp_cc_all[i];
  return NULL;
}
