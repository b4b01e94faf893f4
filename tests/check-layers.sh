#!/bin/sh
# The dependency rule (the layers in Makefile.am): every .c and .h under sim/, models/
# and viz/ includes only headers of its own layer or of lower ones:
#   sim/kernel (0) <- sim/text (1) <- models/* (2) <- viz (2.5)
#   <- sim/scenario (3) <- sim/build (4) <- sim/emu (4.5) <- sim/cli (5),
# and nothing but viz itself and sim/cli includes viz. Prints every
# include that goes upward, as `file:line: file -> header (layer A
# includes layer B)`, and fails.
# Needs no git (make distcheck has none): reads the source tree at
# $top_srcdir (default: the directory above this script).
set -u
top=${top_srcdir:-$(dirname "$0")/..}
cd "$top" || exit 2
files=$(find sim models viz -name '*.[ch]' | LC_ALL=C sort)
[ -n "$files" ] || { echo "check-layers: no sources under $top" >&2; exit 2; }

# shellcheck disable=SC2086
grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $files /dev/null |
awk '
  function layer(path) {
    if (path ~ /^sim\/kernel\//) return 0
    if (path ~ /^sim\/text\//) return 10
    if (path ~ /^models\//) return 20
    if (path ~ /^viz\//) return 25
    if (path ~ /^sim\/scenario\//) return 30
    if (path ~ /^sim\/build\//) return 40
    if (path ~ /^sim\/emu\//) return 45
    if (path ~ /^sim\/cli\//) return 50
    return -1
  }
  function name(l) {
    return l == 0 ? "sim/kernel" : l == 10 ? "sim/text" : l == 20 ? "models" : l == 25 ? "viz" : \
           l == 30 ? "sim/scenario" : l == 40 ? "sim/build" : l == 45 ? "sim/emu" : "sim/cli"
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
    print "check-layers: error: " file ":" lineno ": " file " -> " target " (" name(from) " includes " name(to) ")"
    errors++
  }
  END {
    printf "check-layers: %d upward include%s\n", errors, errors == 1 ? "" : "s"
    exit errors ? 1 : 0
  }'
