/*
 * A YAML document read into a tree of scalars, mappings and lists, each node
 * knowing its line and column. Reading is bounded: nesting depth, alias
 * expansion ("billion laughs") and document count are limited, duplicate keys
 * and non-string keys are errors, and every problem goes to a DiagList.
 *
 * Entry points: ytree_parse(), ytree_root(), ynode_map_get(), ytree_free();
 * ytree_renumber() (a file's lines in the place of a second file, diag.h).
 */
#ifndef IPSIM_YAML_TREE_H
#define IPSIM_YAML_TREE_H

#include <glib.h>

#include "sim/text/diag.h"

typedef enum { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ } YNodeType;

typedef struct YNode YNode;
struct YNode {
  YNodeType type;
  gboolean quoted; /* a quoted scalar: never null, always a string */
  int line;        /* 1-based */
  int column;      /* 1-based */
  guint n;         /* list items, or mapping pairs */
  char *text;      /* scalar text */
  YNode **items;   /* list: n items; mapping: 2n nodes, key then value */
  guint64 weight;  /* nodes in the subtree with aliases expanded */
};

#define YTREE_MAX_DEPTH 64
#define YTREE_MAX_WEIGHT 4000000u

typedef struct YTree YTree;

YTree *ytree_parse(const char *data, size_t len, DiagList *diags);
const YNode *ytree_root(const YTree *tree);
void ytree_free(YTree *tree);
void ytree_renumber(YTree *tree, int first_line);

const YNode *ynode_map_get(const YNode *map, const char *key);
char *ynode_describe(const YNode *node);
gboolean ynode_is_null(const YNode *node);
void ynode_escape(GString *out, const char *text, const char *also);

static inline const YNode *ynode_key(const YNode *map, guint i)
{
  return map->items[2 * i];
}

static inline const YNode *ynode_value(const YNode *map, guint i)
{
  return map->items[2 * i + 1];
}

#endif
