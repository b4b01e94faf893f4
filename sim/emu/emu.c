/*
 * Linux hosts of a scenario (emu.h): their namespaces and TAP devices set
 * up before the run, their commands started at their times and watched
 * through pidfds in the real-time loop, everything taken down after.
 *
 * Entry points: emu_needed(), emu_check(), emu_start(), emu_stop(),
 * emu_cleanup().
 */
#define _GNU_SOURCE /* memfd_create */
#include "sim/emu/emu.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/link/tap.h"
#include "sim/build/expect.h"
#include "sim/emu/emu_private.h"

typedef struct {
  Emu *emu;
  const ScenarioExec *conf;
  char *ns;
  GPid pid; /* 0 until started */
  int pidfd;
  int out;     /* where its output goes (DIR/exec/NAME.txt, or a memfd): read back at the end */
  int status;  /* waitpid's, once done */
  char **envp; /* its environment: ipsim's, and IPSIM_NODE, IPSIM_NETNS, IPSIM_HOST_DIR, IPSIM_DIR */
  gboolean done;
} EmuProc;

struct Emu {
  Network *net;
  RtLoop *rt;
  char *dir;        /* the output directory, or NULL */
  GPtrArray *ns;    /* of char*: the namespaces made */
  GPtrArray *procs; /* of EmuProc* */
  GArray *fds;      /* of int: the TAP devices */
  GPtrArray *tmps;  /* of char*: the hosts' scratch directories, removed at the end */
};

gboolean emu_needed(const Scenario *sc)
{
  return scenario_emulates(sc);
}

/* Root (for Linux hosts) and the tun driver, or why not. */
gboolean emu_check(const Scenario *sc, GError **error)
{
  if (geteuid() != 0 && scenario_has_linux_hosts(sc)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                "Linux hosts need root (network namespaces and TAP devices): run ipsim as root");
    return FALSE;
  }
  if (g_access("/dev/net/tun", R_OK | W_OK) != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "Linux hosts and TAP wires need /dev/net/tun (the tun driver): %s", g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------ devices */

static void emu_tap_ready(void *obj, int fd)
{
  (void)fd;
  tap_readable(obj);
}

/* "ipsim-<pid>-<index>-<name>", the name's unsafe characters as '_'. */
static char *emu_ns_name(const Node *node)
{
  char *s = g_strdup_printf(EMU_NS_PREFIX "%d-%u-%s", (int)getpid(), node->index, node->name);
  for (char *c = s; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.')
      *c = '_';
  return s;
}

/* One interface: a TAP device moved into the namespace, attached to the interface and watched. */
static gboolean emu_iface(Emu *emu, const char *ns, Iface *iface, GError **error)
{
  char tap[IFNAMSIZ];
  g_snprintf(tap, sizeof tap, "ipt%d-%u", (int)getpid(), emu->fds->len);
  int fd = emu_tap_open(tap, error);
  if (fd < 0)
    return FALSE;
  g_array_append_val(emu->fds, fd);
  if (!emu_ns_iface(ns, tap, iface->name, iface->mac, iface->mtu, iface->has_ip ? &iface->ip : NULL, error))
    return FALSE;
  tap_attach(iface, fd);
  rt_watch(emu->rt, fd, emu_tap_ready, iface);
  return TRUE;
}

/* What the device `name` is: 'b' a bridge, 't' a TAP device, 'u' a TUN
 * device, 'o' something else, 0 none (sysfs, as this network namespace sees it). */
static char emu_device_kind(const char *name)
{
  char *dir = g_build_filename("/sys/class/net", name, NULL), *br = g_build_filename(dir, "bridge", NULL),
       *tun = g_build_filename(dir, "tun_flags", NULL), *flags = NULL;
  char kind = !g_file_test(dir, G_FILE_TEST_IS_DIR) ? 0 : g_file_test(br, G_FILE_TEST_IS_DIR) ? 'b' : 'o';
  if (kind == 'o' && g_file_get_contents(tun, &flags, NULL, NULL))
    kind = strtoul(flags, NULL, 16) & 0x0002 ? 't' : 'u'; /* IFF_TAP */
  g_free(flags), g_free(tun), g_free(br), g_free(dir);
  return kind;
}

/* The descriptor of a TAP wire to device `name`: the TAP device itself
 * (attached to), or a new TAP device of ours added to the bridge `name`. */
static int emu_wire_open(Emu *emu, const Iface *iface, const char *name, GError **error)
{
  char tap[IFNAMSIZ];
  int fd = -1;
  switch (emu_device_kind(name)) {
  case 't':
    return emu_tap_open(name, error);
  case 'b':
    g_snprintf(tap, sizeof tap, "ipt%d-%u", (int)getpid(), emu->fds->len);
    fd = emu_tap_open(tap, error);
    if (fd >= 0 && !emu_run(error, (const char *[]){"ip", "link", "set", "dev", tap, "master", name, "up", NULL})) {
      close(fd);
      fd = -1;
    }
    return fd;
  case 0:
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "%s:%s: tap: there is no network device '%s' (make a bridge with 'ip link add %s type bridge', or a "
                "TAP device with 'ip tuntap add %s mode tap')",
                iface->node->name, iface->name, name, name, name);
    return -1;
  default:
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%s: tap: '%s' is neither a TAP device nor a bridge",
                iface->node->name, iface->name, name);
    return -1;
  }
}

/* A simulated node's TAP wires (`tap: NAME` on its interfaces). */
static gboolean emu_wires(Emu *emu, Node *node, const ScenarioNode *sn, GError **error)
{
  for (guint i = 0; i < node->ifaces->len; i++) {
    const char *name = g_array_index(sn->ifaces, ScenarioIface, i).tap;
    Iface *iface = node_iface(node, i);
    int fd = name ? emu_wire_open(emu, iface, name, error) : -2;
    if (fd == -1)
      return FALSE;
    if (fd < 0)
      continue;
    g_array_append_val(emu->fds, fd);
    tap_wire_attach(iface, fd);
    rt_watch(emu->rt, fd, emu_tap_ready, iface);
  }
  return TRUE;
}

/* The host's routes: `routes`, then the default gateway. */
static gboolean emu_routes(const char *ns, const ScenarioNode *sn, GError **error)
{
  char to[ADDR_CIDR_TEXT];
  for (guint r = 0; r < sn->routes->len; r++) {
    const ScenarioRoute *sr = &g_array_index(sn->routes, ScenarioRoute, r);
    if (!emu_ns_route(ns, addr_format_cidr(sr->to.addr, sr->to.len, to), sr->via, error))
      return FALSE;
  }
  return !sn->gateway || emu_ns_route(ns, "default", sn->gateway, error);
}

/* ----------------------------------------------------------- commands */

static void emu_proc_free(gpointer p)
{
  EmuProc *proc = p;
  if (proc->pidfd >= 0)
    close(proc->pidfd);
  if (proc->out >= 0)
    close(proc->out);
  g_strfreev(proc->envp);
  g_free(proc->ns);
  g_free(proc);
}

/* In the child, before exec: its own process group, killed if ipsim dies. */
static void emu_child_setup(gpointer data)
{
  (void)data;
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* The file a command's output goes to: DIR/exec/NAME.txt, or a memory file without DIR. */
static int emu_out_fd(const Emu *emu, const ScenarioExec *conf)
{
  if (!emu->dir)
    return memfd_create(conf->name, MFD_CLOEXEC);
  char *dir = g_build_filename(emu->dir, "exec", NULL), *name = g_strdup_printf("%s.txt", conf->name);
  char *path = g_build_filename(dir, name, NULL);
  g_mkdir_with_parents(dir, 0755);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_free(path), g_free(name), g_free(dir);
  return fd;
}

static void emu_proc_reap(EmuProc *proc);

static void emu_proc_exited(void *obj, int fd)
{
  (void)fd;
  emu_proc_reap(obj);
}

/* At its time: `ip netns exec NS sh -c RUN`, its output to its file. */
static void emu_proc_start(void *obj, void *arg)
{
  EmuProc *proc = obj;
  const char *argv[] = {"ip", "netns", "exec", proc->ns, "sh", "-c", proc->conf->run, NULL};
  int out = proc->out = emu_out_fd(proc->emu, proc->conf);
  GError *e = NULL;

  (void)arg;
  if (!g_spawn_async_with_fds(NULL, (char **)argv, proc->envp, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                              emu_child_setup, NULL, &proc->pid, -1, out, out, &e)) {
    fprintf(stderr, "ipsim run: exec %s: %s\n", proc->conf->name, e->message);
    g_error_free(e);
    proc->done = TRUE;
    proc->status = -1;
  } else {
    proc->pidfd = (int)syscall(SYS_pidfd_open, proc->pid, 0);
    if (proc->pidfd >= 0)
      rt_watch(proc->emu->rt, proc->pidfd, emu_proc_exited, proc);
  }
}

/* The command has ended (or is asked whether it has): its status recorded. */
static void emu_proc_reap(EmuProc *proc)
{
  if (proc->done || !proc->pid || waitpid(proc->pid, &proc->status, WNOHANG) != proc->pid)
    return;
  proc->done = TRUE;
  if (proc->pidfd >= 0) {
    rt_unwatch(proc->emu->rt, proc->pidfd);
    close(proc->pidfd);
    proc->pidfd = -1;
  }
}

/* The environment of the host's commands: ipsim's, and what names the host. */
static char **emu_environ(const Emu *emu, const char *ns, const ScenarioNode *sn, const char *tmp)
{
  char **env = g_get_environ();
  env = g_environ_setenv(env, "IPSIM_NODE", sn->name, TRUE);
  env = g_environ_setenv(env, "IPSIM_NETNS", ns, TRUE);
  env = g_environ_setenv(env, "IPSIM_HOST_DIR", tmp, TRUE);
  if (emu->dir)
    env = g_environ_setenv(env, "IPSIM_DIR", emu->dir, TRUE);
  return env;
}

/* The host's commands, each scheduled at its time. */
static void emu_commands(Emu *emu, const char *ns, const ScenarioNode *sn, const char *tmp)
{
  for (guint i = 0; i < sn->exec->len; i++) {
    EmuProc *proc = g_new0(EmuProc, 1);
    proc->emu = emu;
    proc->conf = &g_array_index(sn->exec, ScenarioExec, i);
    proc->envp = emu_environ(emu, ns, sn, tmp);
    proc->ns = g_strdup(ns);
    proc->pidfd = proc->out = -1;
    g_ptr_array_add(emu->procs, proc);
    scheduler_at(emu->net->ctx.sched, proc->conf->at, emu_proc_start, proc, NULL);
  }
}

/* --------------------------------------------------------- life cycle */

static gboolean emu_host(Emu *emu, Node *node, const ScenarioNode *sn, GError **error)
{
  char *ns = emu_ns_name(node);
  g_ptr_array_add(emu->ns, ns);
  if (!emu_ns_add(ns, error))
    return FALSE;
  for (guint i = 0; i < node->ifaces->len; i++)
    if (!emu_iface(emu, ns, node_iface(node, i), error))
      return FALSE;
  char ttl[48], *name = g_strdup_printf(EMU_HOST_DIR_PREFIX "%d-XXXXXX", (int)getpid());
  char *tmp = g_dir_make_tmp(name, error);
  g_free(name);
  g_snprintf(ttl, sizeof ttl, "net.ipv4.ip_default_ttl=%u", sn->ttl);
  if (!tmp || !emu_routes(ns, sn, error) || !emu_ns_sysctl(ns, ttl, error)) {
    g_free(tmp);
    return FALSE;
  }
  g_chmod(tmp, 0755); /* daemons that drop root (FRR's) must reach their files there */
  g_ptr_array_add(emu->tmps, tmp);
  emu_commands(emu, ns, sn, tmp);
  return TRUE;
}

/* Makes the scenario's Linux hosts real, before the run; NULL with the
 * error (what was made already removed). */
Emu *emu_start(Network *net, const Scenario *sc, RtLoop *rt, const char *dir, GError **error)
{
  Emu *emu = g_new0(Emu, 1);
  emu->net = net;
  emu->rt = rt;
  emu->dir = g_strdup(dir);
  emu->ns = g_ptr_array_new_with_free_func(g_free);
  emu->procs = g_ptr_array_new_with_free_func(emu_proc_free);
  emu->fds = g_array_new(FALSE, FALSE, sizeof(int));
  emu->tmps = g_ptr_array_new_with_free_func(g_free);
  if (!emu_check(sc, error))
    goto fail;
  for (guint n = 0; n < sc->nodes->len; n++)
    if (scenario_node(sc, n)->kind == NODE_KIND_LINUX
            ? !emu_host(emu, network_node(net, n), scenario_node(sc, n), error)
            : !emu_wires(emu, network_node(net, n), scenario_node(sc, n), error))
      goto fail;
  return emu;
fail:
  emu_stop(emu, NULL, NULL);
  return NULL;
}

/* Ends a command still running: SIGTERM to its process group, SIGKILL if
 * it is not gone 1 s later. */
static void emu_proc_end(EmuProc *proc)
{
  if (!proc->pid || proc->done)
    return;
  kill(-proc->pid, SIGTERM);
  for (int i = 0; i < 100 && !proc->done; i++) {
    g_usleep(10000);
    emu_proc_reap(proc);
  }
  if (!proc->done) {
    kill(-proc->pid, SIGKILL);
    proc->done = waitpid(proc->pid, &proc->status, 0) == proc->pid;
  }
}

/* "exit 0", "signal 15", "not started", "spawn failed". */
static char *emu_proc_status(const EmuProc *proc)
{
  if (!proc->pid)
    return g_strdup(proc->done ? "spawn failed" : "not started");
  if (WIFSIGNALED(proc->status))
    return g_strdup_printf("signal %d", WTERMSIG(proc->status));
  return g_strdup_printf("exit %d", WEXITSTATUS(proc->status));
}

/* DIR/exec.csv: each command's name, start time, command line and how it ended. */
static void emu_write_csv(const Emu *emu)
{
  char *path = emu->dir ? g_build_filename(emu->dir, "exec.csv", NULL) : NULL;
  FILE *f = path && emu->procs->len ? fopen(path, "w") : NULL;

  if (f) {
    fputs("name,at_s,status,command\n", f);
    for (guint i = 0; i < emu->procs->len; i++) {
      const EmuProc *p = g_ptr_array_index(emu->procs, i);
      char *st = emu_proc_status(p), *cmd = g_strescape(p->conf->run, NULL);
      fprintf(f, "%s,%.9f,%s,\"%s\"\n", p->conf->name, (double)p->conf->at / 1e9, st, cmd);
      g_free(st), g_free(cmd);
    }
    fclose(f);
  }
  g_free(path);
}

/* What the command printed (read back from its file). */
static char *emu_proc_output(const EmuProc *proc)
{
  GString *s = g_string_new(NULL);
  char buf[4096];
  ssize_t n;

  if (proc->out >= 0 && lseek(proc->out, 0, SEEK_SET) == 0)
    while ((n = read(proc->out, buf, sizeof buf)) > 0)
      g_string_append_len(s, buf, n);
  return g_string_free(s, FALSE);
}

#define EMU_SHOW_LINES 12

/* "exec       iperf: exit 0", then the output's last lines, indented. */
static void emu_print_result(FILE *f, const EmuProc *p, const char *how, const char *output)
{
  char **lines = g_strsplit(output, "\n", -1);
  guint n = g_strv_length(lines);
  while (n && !*g_strstrip(lines[n - 1]))
    n--;
  fprintf(f, "exec       %s: %s%s\n", p->conf->name, how, n > EMU_SHOW_LINES ? ", its output ends:" : "");
  for (guint i = n > EMU_SHOW_LINES ? n - EMU_SHOW_LINES : 0; i < n; i++)
    fprintf(f, "           | %s\n", lines[i]);
  g_strfreev(lines);
}

/* How each command ended: for the `exec` checks (ex may be NULL) and
 * printed to `f` (NULL: not). */
static void emu_results(const Emu *emu, Expect *ex, FILE *f)
{
  for (guint i = 0; i < emu->procs->len; i++) {
    const EmuProc *p = g_ptr_array_index(emu->procs, i);
    char *how = emu_proc_status(p), *out = emu_proc_output(p);
    int status = p->pid && p->done && WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
    if (ex)
      expect_exec_result(ex, p->conf->name, status, how, out);
    if (f)
      emu_print_result(f, p, how, out);
    g_free(how), g_free(out);
  }
}

/* Takes everything down: commands, namespaces, devices; tells `ex` (may
 * be NULL) how the commands ended, and prints it to `f` (NULL: not). */
void emu_stop(Emu *emu, Expect *ex, FILE *f)
{
  if (!emu)
    return;
  for (guint i = 0; i < emu->procs->len; i++)
    emu_proc_end(g_ptr_array_index(emu->procs, i));
  emu_write_csv(emu);
  emu_results(emu, ex, f);
  for (guint i = 0; i < emu->ns->len; i++)
    emu_ns_del(g_ptr_array_index(emu->ns, i));
  for (guint i = 0; i < emu->tmps->len; i++)
    emu_run(NULL, (const char *[]){"rm", "-rf", "--", g_ptr_array_index(emu->tmps, i), NULL});
  g_ptr_array_free(emu->tmps, TRUE);
  for (guint i = 0; i < emu->fds->len; i++) {
    rt_unwatch(emu->rt, g_array_index(emu->fds, int, i));
    close(g_array_index(emu->fds, int, i));
  }
  for (guint n = 0; n < emu->net->nodes->len; n++)
    for (guint i = 0; i < network_node(emu->net, n)->ifaces->len; i++)
      node_iface(network_node(emu->net, n), i)->tap_fd = -1;
  g_ptr_array_free(emu->procs, TRUE);
  g_ptr_array_free(emu->ns, TRUE);
  g_array_free(emu->fds, TRUE);
  g_free(emu->dir);
  g_free(emu);
}

/* TRUE when the run of a namespace or directory name (the pid after `prefix`) is gone. */
static gboolean emu_orphan(const char *name, const char *prefix)
{
  long pid = strtol(name + strlen(prefix), NULL, 10);
  return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The hosts' scratch directories of runs that are gone (or of all). */
static guint emu_cleanup_dirs(FILE *out, gboolean all)
{
  GDir *d = g_dir_open(g_get_tmp_dir(), 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, EMU_HOST_DIR_PREFIX) && (all || emu_orphan(name, EMU_HOST_DIR_PREFIX))) {
      char *path = g_build_filename(g_get_tmp_dir(), name, NULL);
      emu_run(NULL, (const char *[]){"rm", "-rf", "--", path, NULL});
      fprintf(out, "removed directory %s\n", path);
      g_free(path);
      n++;
    }
  if (d)
    g_dir_close(d);
  return n;
}

/* `ipsim cleanup`: removes the namespaces (and what runs in them) and
 * the hosts' scratch directories of runs that are gone, or of every run
 * with `all`; returns how many namespaces. */
guint emu_cleanup(FILE *out, gboolean all)
{
  GDir *d = g_dir_open("/run/netns", 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, EMU_NS_PREFIX) && (all || emu_orphan(name, EMU_NS_PREFIX))) {
      emu_ns_del(name);
      fprintf(out, "removed network namespace %s\n", name);
      n++;
    }
  if (d)
    g_dir_close(d);
  emu_cleanup_dirs(out, all);
  return n;
}
