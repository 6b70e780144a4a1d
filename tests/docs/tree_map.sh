#!/bin/sh
# tree_map.sh ROOT - docs/DEVELOPING.md's "Map of the tree" section is
# true of the tree:
#  1. every path it names in backquotes (a word with a '/', or a file
#     name with an extension) exists in ROOT;
#  2. every folder holding tracked files, taken down to two levels
#     (tests/fuzz/corpus/gdb counts as tests/fuzz), has a row in the table;
#  3. in the SYSCALL path, every function named as `name()`, and every
#     `name` the line marks as a symbol, is found in a file the same line
#     names.
# Prints each discrepancy; exit status 1 if there is any.
set -u
root=$(cd "$1" && pwd)
doc=$root/docs/DEVELOPING.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# The section: from its heading to the next level-2 heading.
awk '/^## Map of the tree/ { on = 1; next } on && /^## / { exit } on' "$doc" > "$tmp/map"
[ -s "$tmp/map" ] || { echo "FAIL: no '## Map of the tree' section in docs/DEVELOPING.md"; exit 1; }

# 1. Paths named exist.
grep -o '`[^`]*`' "$tmp/map" | tr -d '`' | sort -u > "$tmp/quoted"
while IFS= read -r q; do
	case $q in
	*" "*|*"()"|*"("*) continue ;;           # code, calls: not paths
	*/*|*.c|*.h|*.S|*.md|*.sh|*.py|*.go|*.txt|*.cmake) ;;
	*) continue ;;
	esac
	p=${q%/}
	case $p in
	*/*) [ -e "$root/$p" ] || fail "the map names $q, which does not exist" ;;
	*)   # a bare file name (or pattern): some file of the tree has it
	     [ -n "$(find "$root" -path "$root/.git" -prune -o -path "$root/build*" -prune -o -name "$p" -print | head -1)" ] ||
		fail "the map names $q, and no file of the tree is called that" ;;
	esac
done < "$tmp/quoted"

# 2. Every folder down to two levels has a row ("| `folder/` |").
sed -n 's/^| `\([^`]*\)\/` |.*/\1/p' "$tmp/map" | sort -u > "$tmp/rows"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$root" ls-files
else
	(cd "$root" && find . -type f ! -path './.git/*' | sed 's|^\./||')
fi | awk -F/ 'NF > 1 { if (NF > 3) print $1 "/" $2; else { $NF = ""; sub(/ $/, ""); gsub(/ /, "/"); print } }' |
	sort -u > "$tmp/dirs"
while IFS= read -r d; do
	grep -qxF "$d" "$tmp/rows" || fail "folder $d/ has no row in the map (docs/DEVELOPING.md)"
done < "$tmp/dirs"
while IFS= read -r r; do
	[ -d "$root/$r" ] || fail "the map has a row for $r/, which does not exist"
done < "$tmp/rows"

# 3. The SYSCALL path: each numbered step, joined over its lines; every
#    `fn()` and every `symbol` that is not a path must be in one of the
#    step's files.
awk '/^### The path of a SYSCALL/ { on = 1; next } on && /^#/ { exit }
     on && /^[0-9]+\. / { if (step != "") print step; step = $0; next }
     on && /^   / && step != "" { step = step " " $0; next }
     on && /^$/ { if (step != "") print step; step = "" }
     END { if (step != "") print step }' "$tmp/map" > "$tmp/steps"
[ -s "$tmp/steps" ] || fail "no numbered steps under '### The path of a SYSCALL'"
while IFS= read -r step; do
	files=$(printf '%s\n' "$step" | grep -o '`[^`]*`' | tr -d '`' | grep -E '^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+\.(c|h|S)$')
	[ -n "$files" ] || { fail "a SYSCALL step names no source file: $step"; continue; }
	for sym in $(printf '%s\n' "$step" | grep -o '`[A-Za-z_][A-Za-z0-9_]*\(()\)\{0,1\}`' | tr -d '`()'); do
		found=
		for f in $files; do
			[ -f "$root/$f" ] && grep -qw "$sym" "$root/$f" && { found=1; break; }
		done
		[ -n "$found" ] || fail "SYSCALL path: $sym is not in $(echo $files)"
	done
done < "$tmp/steps"

[ $status = 0 ] && echo "ok: the map of the tree matches the tree"
exit $status
