#!/bin/sh
# Every header under sim/, models/ and viz/ compiles on its own: a C file
# that includes nothing but that header passes `$CC $HEADER_CFLAGS
# -fsyntax-only` (as libnl's check-build-headers). So each header includes
# what it uses, and any file may include it first. make check passes CC
# and HEADER_CFLAGS (the include flags of the source and build trees, of
# GLib, libyaml, Graphviz and libpcap, and the warning flags); by hand:
#   CC=gcc HEADER_CFLAGS="-I. -D_DEFAULT_SOURCE $(pkg-config --cflags glib-2.0)" tests/check-headers.sh
# Needs no git (make distcheck has none).
set -u
top=${top_srcdir:-$(dirname "$0")/..}
cc=${CC:-cc}
flags=${HEADER_CFLAGS:--I$top -D_DEFAULT_SOURCE}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-headers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
headers=$(cd "$top" && find sim models viz -name '*.h' | LC_ALL=C sort)
[ -n "$headers" ] || { echo "check-headers: no headers under $top" >&2; exit 2; }
failed=0 checked=0
for h in $headers; do
  printf '#include "%s"\n' "$h" > "$tmp/only.c"
  checked=$((checked + 1))
  # shellcheck disable=SC2086
  if ! out=$($cc $flags -fsyntax-only -x c "$tmp/only.c" 2>&1) || [ -n "$out" ]; then
    echo "check-headers: error: $h does not compile on its own:"
    printf '%s\n' "$out" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "check-headers: $checked headers, $failed failed"
[ "$failed" -eq 0 ]
