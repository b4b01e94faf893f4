/*
 * Benchmark of `routing: auto` on a large topology (run by hand): an N x M
 * grid of routers joined by /30 point-to-point links, host hA on r0_0 and
 * hB on the far corner, hA pinging hB three times.
 *
 *   tests/bench/grid --size N [--cols M] [--all] [--keep]
 *
 * Writes the scenario as YAML to a temporary file, then
 *  (a) runs `ipsim run --quiet FILE` as a child (the binary is $IPSIM, or
 *      ./ipsim), measuring its wall time and peak RSS (wait4's rusage);
 *  (b) with --all, loads the file in this process, builds the network and
 *      computes the automatic routes of every node, measuring that time
 *      and this process's peak RSS.
 * Prints one line of key=value figures. --keep leaves the scenario file
 * in place and prints its path on standard error.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/internet/ipv4.h"
#include "models/internet/route_auto.h"
#include "models/core/network.h"
#include "sim/build/build.h"
#include "sim/text/addr.h"

typedef struct {
  int rows, cols;
  gboolean all;
  gboolean keep;
} GridOptions;

/* Appends the links of the grid, numbered from 10.0.0.0 by /30; returns how many. */
static guint grid_links(GString *y, int rows, int cols)
{
  uint32_t next = UINT32_C(10) << 24;
  guint links = 0;
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      for (int down = 0; down < 2; down++) {
        int i2 = i + down, j2 = j + !down;
        if (i2 >= rows || j2 >= cols)
          continue;
        char p[ADDR_IPV4_TEXT];
        g_string_append_printf(y, "  - { ends: [r%d_%d, r%d_%d], prefix: %s/30 }\n", i, j, i2, j2,
                               addr_format_ipv4(next, p));
        next += 4;
        links++;
      }
  return links;
}

/* Returns the scenario as YAML (g_free) and its number of links in *links. */
static char *grid_yaml(int rows, int cols, guint *links)
{
  GString *y = g_string_new("scenario: grid\nstop: 10s\nrouting: auto\nnodes:\n");
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      g_string_append_printf(y, "  r%d_%d: { kind: router }\n", i, j);
  g_string_append(y, "  hA: { kind: host, ip: 192.168.0.10/24, gateway: 192.168.0.1 }\n"
                     "  hB: { kind: host, ip: 192.168.1.10/24, gateway: 192.168.1.1 }\n"
                     "links:\n");
  *links = grid_links(y, rows, cols) + 2;
  g_string_append_printf(y,
                         "  - { ends: [hA, r0_0], prefix: 192.168.0.0/24 }\n"
                         "  - { ends: [hB, r%d_%d], prefix: 192.168.1.0/24 }\n"
                         "apps:\n"
                         "  - { type: ping, on: hA, to: hB, count: 3 }\n",
                         rows - 1, cols - 1);
  return g_string_free(y, FALSE);
}

static double grid_seconds(gint64 since)
{
  return (g_get_monotonic_time() - since) / 1e6;
}

/* Runs `ipsim run --quiet path`; stores its wall time and peak RSS (MiB).
 * Returns its exit status, or -1 when it could not run. */
static int grid_run_child(const char *path, double *wall_s, double *rss_mib)
{
  const char *ipsim = g_getenv("IPSIM") ? g_getenv("IPSIM") : "./ipsim";
  gint64 start = g_get_monotonic_time();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    execl(ipsim, ipsim, "run", "--quiet", path, (char *)NULL);
    perror(ipsim);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0)
    return -1;
  *wall_s = grid_seconds(start);
  *rss_mib = ru.ru_maxrss / 1024.0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Fills the automatic routes of every node of `net`; returns how many routes
 * the tables hold in all. */
static uint64_t grid_fill_all(Network *net)
{
  uint64_t routes = 0;
  for (guint i = 0; i < net->nodes->len; i++) {
    Node *node = network_node(net, i);
    if (!node->ip || !node->ip->auto_routes || !net->route_auto)
      continue;
    route_auto_fill(net->route_auto, node);
    routes += route_table_routes(node->ip->routes)->len;
  }
  return routes;
}

/* Loads and builds the scenario in this process and fills the automatic
 * routes of every node, then again as after a link event (the tables'
 * memory is reused). Stores the times (load and build, first fill, second
 * fill) and the total number of routes; returns FALSE when the file does
 * not load. */
static gboolean grid_all_tables(const char *path, double times[3], uint64_t *routes)
{
  gint64 start = g_get_monotonic_time();
  DiagList *diags = diag_list_new(path);
  Scenario *sc = scenario_load_file(path, diags);
  if (!sc) {
    diag_list_print(diags, stderr);
    diag_list_free(diags);
    return FALSE;
  }
  diag_list_free(diags);
  Network *net = build_network(sc);
  times[0] = grid_seconds(start);
  start = g_get_monotonic_time();
  *routes = grid_fill_all(net);
  times[1] = grid_seconds(start);
  start = g_get_monotonic_time();
  route_auto_topology_changed(net->route_auto);
  grid_fill_all(net);
  times[2] = grid_seconds(start);
  network_free(net);
  scenario_free(sc);
  return TRUE;
}

static gboolean grid_parse(int argc, char **argv, GridOptions *opt)
{
  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--all"))
      opt->all = TRUE;
    else if (g_str_equal(argv[i], "--keep"))
      opt->keep = TRUE;
    else if (g_str_equal(argv[i], "--size") && i + 1 < argc)
      opt->rows = atoi(argv[++i]);
    else if (g_str_equal(argv[i], "--cols") && i + 1 < argc)
      opt->cols = atoi(argv[++i]);
    else
      return FALSE;
  }
  if (opt->cols == 0)
    opt->cols = opt->rows;
  return opt->rows >= 1 && opt->cols >= 2 && opt->rows <= 1000 && opt->cols <= 1000;
}

/* Writes the scenario to a temporary file; returns its path (g_free). */
static char *grid_write(const GridOptions *opt, guint *links)
{
  char *yaml = grid_yaml(opt->rows, opt->cols, links);
  char *path = NULL;
  GError *error = NULL;
  int fd = g_file_open_tmp("grid-XXXXXX.yaml", &path, &error);
  if (fd < 0 || !g_file_set_contents(path, yaml, -1, &error)) {
    fprintf(stderr, "grid: %s\n", error->message);
    exit(EXIT_FAILURE);
  }
  close(fd);
  g_free(yaml);
  return path;
}

int main(int argc, char **argv)
{
  GridOptions opt = {10, 0, FALSE, FALSE};
  if (!grid_parse(argc, argv, &opt)) {
    fprintf(stderr, "usage: grid --size N [--cols M] [--all] [--keep]\n");
    return 2;
  }
  guint links = 0;
  char *path = grid_write(&opt, &links);
  double wall_s = 0, rss_mib = 0;
  int status = grid_run_child(path, &wall_s, &rss_mib);
  printf("grid=%dx%d routers=%d links=%u prefixes=%u run_wall_s=%.3f run_peak_rss_mib=%.1f", opt.rows, opt.cols,
         opt.rows * opt.cols, links, links, wall_s, rss_mib);
  if (status != 0)
    printf(" run_status=%d", status);
  double times[3] = {0, 0, 0};
  uint64_t routes = 0;
  if (opt.all && grid_all_tables(path, times, &routes)) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf(" load_build_s=%.3f all_tables_s=%.3f all_tables_again_s=%.3f routes=%" G_GUINT64_FORMAT
           " all_tables_peak_rss_mib=%.1f",
           times[0], times[1], times[2], routes, ru.ru_maxrss / 1024.0);
  }
  printf("\n");
  fflush(stdout);
  if (opt.keep)
    fprintf(stderr, "grid: scenario kept in %s\n", path);
  else
    g_unlink(path);
  g_free(path);
  return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
