#!/bin/sh
# exports.sh LIB HEADER - liblstar exports exactly the functions lstar.h
# declares with LSTAR_API: nothing internal leaks out (the library is built
# with hidden visibility), and nothing the header promises is missing.
set -eu
lib=$1 hdr=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '{ print $3 }' | sort >"$tmp/exported"
sed -n 's/^LSTAR_API .*[ *]\(lstar_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort >"$tmp/declared"
if [ ! -s "$tmp/declared" ]; then
	echo "exports.sh: no LSTAR_API declarations found in $hdr" >&2
	exit 1
fi
if ! cmp -s "$tmp/exported" "$tmp/declared"; then
	echo "liblstar's dynamic symbols differ from lstar.h's LSTAR_API functions:"
	echo "(< exported only, > declared only)"
	diff "$tmp/exported" "$tmp/declared" | grep '^[<>]'
	exit 1
fi
echo "ok: $(wc -l <"$tmp/exported") symbols, all declared with LSTAR_API"
