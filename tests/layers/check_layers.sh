#!/bin/sh
# check_layers.sh ROOT - the source tree's include rules (docs/DEVELOPING.md
# "Map of the tree"):
#   cpu/, msr/     the processor: includes only cpu/, msr/ and the public
#                  headers (include/lstar/); what it needs from the board
#                  is cpu/bus.h, implemented by emu/.  Never emu/.
#   kernel_model/  the guest kernel: its own headers, the public headers
#                  and headers generated at build time.  Never emu/, cpu/
#                  or msr/.
# Each quoted #include is resolved as the compiler would (the including
# file's folder, ROOT, ROOT/include); a header found outside the folders
# allowed fails the check.  A name that resolves nowhere is allowed only
# when it has no folder part (a generated header).
set -u
root=$(cd "$1" && pwd)
status=0

# check FILE ALLOWED_DIRS...
check() {
	file=$1; shift
	dir=$(dirname "$file")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file" |
	while IFS= read -r name; do
		found=
		for base in "$dir" "$root" "$root/include"; do
			if [ -f "$base/$name" ]; then
				found=$(cd "$(dirname "$base/$name")" && pwd)/$(basename "$name")
				break
			fi
		done
		if [ -z "$found" ]; then
			case $name in
			*/*) echo "FAIL: ${file#$root/} includes \"$name\", which is not in the tree"; echo x ;;
			esac
			continue
		fi
		ok=
		for a in "$@"; do
			case $found in "$root/$a"/*) ok=1 ;; esac
		done
		[ -n "$ok" ] || { echo "FAIL: ${file#$root/} includes \"$name\" (${found#$root/}): only $* may be included there"; echo x; }
	done
}

out=$(
	for f in $(find "$root/cpu" "$root/msr" -name '*.[ch]' -o -name '*.def' | sort); do
		check "$f" cpu msr include/lstar
	done
	for f in $(find "$root/kernel_model" -name '*.[chS]' | sort); do
		check "$f" kernel_model include/lstar
	done
)
if printf '%s\n' "$out" | grep -q '^x$'; then
	printf '%s\n' "$out" | grep -v '^x$'
	status=1
else
	echo "ok: cpu/ and msr/ include nothing of emu/; kernel_model/ only itself and include/lstar/"
fi
exit $status
