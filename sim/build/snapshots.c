/*
 * The `output: show:` snapshots (see snapshots.h): one event per item at
 * its time (after what was scheduled before the run at that time, such as
 * link events), appending each node's tables under a header to the text
 * kept for the summary and to DIR/show.txt.
 *
 * Entry points: snapshots_new(), snapshots_text(), snapshots_free().
 */
#include "sim/build/snapshots.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "models/observe/show.h"

struct Snapshots {
  Network *net;
  FILE *file;    /* DIR/show.txt, or NULL */
  GString *text; /* every snapshot taken so far */
};

/* Takes the snapshots of one item (arg: its ScenarioShow). */
static void snapshots_fire(void *obj, void *arg)
{
  Snapshots *snap = obj;
  const ScenarioShow *s = arg;
  Node *node = network_node(snap->net, (guint)s->node);
  gsize start = snap->text->len;
  for (guint k = 0; k < s->n_what; k++) {
    SimTime now = network_now(snap->net);
    g_string_append_printf(snap->text,
                           "=== %" G_GINT64_FORMAT ".%03d"
                           "s %s: %s ===\n",
                           now / 1000000000, (int)(now % 1000000000 / 1000000), node->name,
                           show_kind_title((ShowKind)s->what[k]));
    show_node(node, (ShowKind)s->what[k], snap->text);
    g_string_append_c(snap->text, '\n');
  }
  if (snap->file)
    fwrite(snap->text->str + start, 1, snap->text->len - start, snap->file);
}

/* Opens DIR/show.txt (when `dir` is given and the scenario asks for
 * snapshots) and schedules every snapshot. Returns NULL with `error` when
 * the file cannot be written. */
Snapshots *snapshots_new(Network *net, const Scenario *sc, const char *dir, GError **error)
{
  const GArray *items = sc->output.show;
  Snapshots *snap = g_new0(Snapshots, 1);
  snap->net = net;
  snap->text = g_string_new(NULL);
  if (items && items->len && dir) {
    char *path = g_build_filename(dir, "show.txt", NULL);
    if (g_mkdir_with_parents(dir, 0755) == 0)
      snap->file = g_fopen(path, "w");
    if (!snap->file)
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write '%s': %s", path,
                  g_strerror(errno));
    g_free(path);
    if (!snap->file) {
      snapshots_free(snap);
      return NULL;
    }
  }
  for (guint i = 0; items && i < items->len; i++)
    scheduler_at(net->ctx.sched, g_array_index(items, ScenarioShow, i).at, snapshots_fire, snap,
                 &g_array_index(items, ScenarioShow, i));
  return snap;
}

/* Every snapshot taken so far, headers included ("" when none). */
const char *snapshots_text(const Snapshots *snap)
{
  return snap->text->str;
}

void snapshots_free(Snapshots *snap)
{
  if (!snap)
    return;
  if (snap->file)
    fclose(snap->file);
  g_string_free(snap->text, TRUE);
  g_free(snap);
}
