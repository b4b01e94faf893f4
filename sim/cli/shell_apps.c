/*
 * The apps `ipsim shell` starts at run time: `SRC ping DST [-c N]` (a ping
 * app, as a scenario's `apps:` entry starting now) and `pingall` (every
 * host pings every other host once; the simulation runs until each has
 * its answer or gave up, then a matrix as Mininet's pingall prints).
 * Their AppConfig is built here, kept in Shell.confs for as long as the
 * network (each App points to its own).
 *
 * Entry points: shell_ping(), shell_pingall(), shell_confs_free().
 */
#include <string.h>

#include "models/app/app.h"
#include "sim/cli/shell.h"
#include "sim/text/units.h"

/* How long pingall waits at most: iputils' wait for a last answer, and some. */
#define SHELL_PINGALL_WAIT SIMTIME_S(11)

/* The first address of a node's interfaces; FALSE when it has none. */
static gboolean shell_first_address(const Node *node, uint32_t *addr)
{
  for (guint i = 0; i < node->ifaces->len; i++)
    if (node_iface(node, i)->has_ip) {
      *addr = node_iface(node, i)->ip.addr;
      return TRUE;
    }
  return FALSE;
}

/* Starts a ping of `count` requests from `src` to `dst` now; prints
 * nothing. NULL when `src` cannot ping (no IP layer) or `dst` has no address. */
static App *shell_start_ping(Shell *sh, Node *src, Node *dst, uint32_t count)
{
  uint32_t addr;
  if (!src->ip || !shell_first_address(dst, &addr))
    return NULL;
  AppConfig *conf = g_new0(AppConfig, 1);
  app_config_defaults(conf, APP_PING);
  conf->dst = addr;
  g_ptr_array_add(sh->confs, conf);
  conf->name = g_strdup_printf("shell%u", sh->confs->len);
  conf->node = (int)src->index;
  conf->dst_node = (int)dst->index;
  conf->count = count;
  conf->start = network_now(sh->net);
  App *app = app_new(sh->net, conf, sh->net->apps->len);
  g_ptr_array_add(sh->net->apps, app);
  app_schedule(app);
  char *start = units_format_duration(conf->start);
  shell_record_app(sh, g_strdup_printf("{ name: %s, type: ping, on: %s, to: %s, start: %s, count: %u }", conf->name,
                                       src->name, dst->name, start, count));
  g_free(start);
  return app;
}

/* `SRC ping DST [-c N]` (default 3 requests, one a second). */
void shell_ping(Shell *sh, int argc, char **argv)
{
  uint64_t count = 3;
  gboolean counted = argc == 5 && strcmp(argv[3], "-c") == 0;
  if ((argc != 3 && !counted) || (counted && (!units_parse_uint(argv[4], 65535, &count, NULL) || count == 0))) {
    shell_error(sh, "usage: SRC ping DST [-c N] (N from 1 to 65535)");
    return;
  }
  Node *src = shell_node(sh, argv[0]), *dst = src ? shell_node(sh, argv[2]) : NULL;
  if (!dst)
    return;
  App *app = shell_start_ping(sh, src, dst, (uint32_t)count);
  if (!app) {
    shell_error(sh, "%s cannot ping %s: %s", src->name, dst->name,
                src->ip ? "it has no IP address" : "a switch has no IP layer");
    return;
  }
  fprintf(sh->out,
          "%s started on %s: %" G_GUINT64_FORMAT " echo request%s to %s, one a second; 'run for %" G_GUINT64_FORMAT
          "s' shows the replies\n",
          app->conf->name, src->name, count, count == 1 ? "" : "s", dst->name, count + 1);
}

/* The hosts (nodes of kind host with an address), in file order. */
static GPtrArray *shell_hosts(const Network *net)
{
  GPtrArray *hosts = g_ptr_array_new();
  uint32_t addr;
  for (guint i = 0; i < net->nodes->len; i++)
    if (network_node(net, i)->kind == NODE_KIND_HOST && shell_first_address(network_node(net, i), &addr))
      g_ptr_array_add(hosts, network_node(net, i));
  return hosts;
}

/* Runs events until every app of `apps` has started and ended, or the deadline. */
static void shell_run_apps(Shell *sh, GPtrArray *apps, SimTime deadline)
{
  for (guint i = 0; i < apps->len;) {
    const App *app = g_ptr_array_index(apps, i);
    if (app->started && !app->running)
      i++;
    else if (scheduler_step(sh->net->ctx.sched, deadline) == SCHEDULER_STEP_NONE)
      break;
  }
}

/* Prints the matrix: a row per host, the hosts that answered it, X for the others. */
static void shell_pingall_print(Shell *sh, GPtrArray *hosts, GPtrArray *apps)
{
  guint k = 0, got = 0;
  for (guint a = 0; a < hosts->len; a++) {
    fprintf(sh->out, "%s ->", ((Node *)g_ptr_array_index(hosts, a))->name);
    for (guint b = 0; b < hosts->len; b++) {
      if (a == b)
        continue;
      const App *app = g_ptr_array_index(apps, k++);
      got += app->received > 0;
      fprintf(sh->out, " %s", app->received ? ((Node *)g_ptr_array_index(hosts, b))->name : "X");
    }
    fputc('\n', sh->out);
  }
  fprintf(sh->out, "*** Results: %u%% dropped (%u/%u received)\n", apps->len ? 100 * (apps->len - got) / apps->len : 0,
          got, apps->len);
}

/* `pingall`: every host pings every other host once, quietly, then the matrix. */
void shell_pingall(Shell *sh, int argc, char **argv)
{
  (void)argv;
  if (argc != 1) {
    shell_error(sh, "usage: pingall");
    return;
  }
  GPtrArray *hosts = shell_hosts(sh->net), *apps = g_ptr_array_new();
  FILE *app_out = sh->net->app_out;
  sh->net->app_out = NULL; /* the matrix says it all */
  for (guint a = 0; a < hosts->len; a++)
    for (guint b = 0; b < hosts->len; b++)
      if (a != b)
        g_ptr_array_add(apps, shell_start_ping(sh, g_ptr_array_index(hosts, a), g_ptr_array_index(hosts, b), 1));
  shell_run_apps(sh, apps, network_now(sh->net) + SHELL_PINGALL_WAIT);
  sh->net->app_out = app_out;
  fflush(sh->out);
  shell_pingall_print(sh, hosts, apps);
  shell_print_time(sh);
  g_ptr_array_free(apps, TRUE);
  g_ptr_array_free(hosts, TRUE);
}

void shell_confs_free(GPtrArray *confs)
{
  for (guint i = 0; i < confs->len; i++) {
    AppConfig *conf = g_ptr_array_index(confs, i);
    g_free(conf->name);
    g_free(conf);
  }
  g_ptr_array_free(confs, TRUE);
}
