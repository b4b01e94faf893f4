/*
 * The registry of congestion control algorithms (see tcp_cc.h): a name
 * to an ops table. An empty name is the default, NewReno.
 *
 * Entry points: tcp_cc_find().
 */
#include "models/transport/tcp_cc.h"

#include <glib.h>

static const TcpCcOps *const tcp_cc_all[] = {&tcp_cc_newreno};
static const char *const tcp_cc_all_names[G_N_ELEMENTS(tcp_cc_all)] = {TCP_CC_NEWRENO};

/* Returns the registered algorithms' names (their count in *n). */
const char *const *tcp_cc_names(unsigned *n)
{
  *n = G_N_ELEMENTS(tcp_cc_all_names);
  return tcp_cc_all_names;
}

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
