#!/bin/sh
# The dependency rule (the layers in Makefile.am): every .c and .h under sim/, models/
# and viz/ includes only headers of its own layer or of lower ones:
#   sim/kernel (0) <- sim/text (1) <- models/* (2) <- viz (2.5)
#   <- sim/scenario (3) <- sim/build (4) <- sim/cli (5),
# and nothing but viz itself and sim/cli includes viz. Prints every
# include that goes upward, as `file:line: file -> header (layer A
# includes layer B)`, and fails. Known violations that are being removed
# are listed in tests/layers-allowed.txt (lines `file -> header`, # for
# comments): each is printed as a warning and does not fail the check.
# Needs no git (make distcheck has none): reads the source tree at
# $top_srcdir (default: the directory above this script).
set -u
top=${top_srcdir:-$(dirname "$0")/..}
allowed="$top/tests/layers-allowed.txt"
cd "$top" || exit 2
files=$(find sim models viz -name '*.[ch]' | LC_ALL=C sort)
[ -n "$files" ] || { echo "check-layers: no sources under $top" >&2; exit 2; }
[ -f "$allowed" ] || allowed=/dev/null

# shellcheck disable=SC2086
grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $files /dev/null |
awk -v allowed="$allowed" '
  function layer(path) {
    if (path ~ /^sim\/kernel\//) return 0
    if (path ~ /^sim\/text\//) return 10
    if (path ~ /^models\//) return 20
    if (path ~ /^viz\//) return 25
    if (path ~ /^sim\/scenario\//) return 30
    if (path ~ /^sim\/build\//) return 40
    if (path ~ /^sim\/cli\//) return 50
    return -1
  }
  function name(l) {
    return l == 0 ? "sim/kernel" : l == 10 ? "sim/text" : l == 20 ? "models" : l == 25 ? "viz" : \
           l == 30 ? "sim/scenario" : l == 40 ? "sim/build" : "sim/cli"
  }
  BEGIN {
    while ((getline line < allowed) > 0) {
      sub(/#.*/, "", line)
      gsub(/[[:space:]]+/, " ", line)
      sub(/^ /, "", line); sub(/ $/, "", line)
      if (line != "") { ok[line] = 1; seen[line] = 0 }
    }
  }
  {
    # file:line:#include "target"
    split($0, part, ":")
    file = part[1]; lineno = part[2]
    target = $0; sub(/^[^"]*"/, "", target); sub(/".*$/, "", target)
    if (layer(target) < 0) {          # a header beside the file, or config.h
      dir = file; sub(/\/[^\/]*$/, "", dir)
      if (layer(dir "/" target) >= 0 && system("test -f \"" dir "/" target "\"") == 0) target = dir "/" target
      else next
    }
    from = layer(file); to = layer(target)
    bad = to > from || (to == 25 && from != 25 && from != 50)
    if (!bad) next
    key = file " -> " target
    msg = file ":" lineno ": " key " (" name(from) " includes " name(to) ")"
    if (key in ok) { seen[key] = 1; print "check-layers: warning: allowed for now: " msg; warned++ }
    else { print "check-layers: error: " msg; errors++ }
  }
  END {
    for (key in seen)
      if (!seen[key]) print "check-layers: note: tests/layers-allowed.txt lists \"" key "\", which is no longer a violation"
    printf "check-layers: %d upward include%s, %d allowed for now\n", errors, errors == 1 ? "" : "s", warned
    exit errors ? 1 : 0
  }'
