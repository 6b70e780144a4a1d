#!/bin/sh
# tests/docs/self_contained.sh [SRC_DIR] - the ctest case docs_self_contained:
# the repository stands alone (issue 14).
#
# 1. No tracked file names a path outside the checkout: neither the parent
#    folder's shared/ (the contracts now live in docs/spec/) nor an absolute
#    path under the machine's work folder.  With git, "tracked" means
#    `git ls-files` (their working-tree contents); without git, every file
#    except .git and build trees (folders holding a CMakeCache.txt).
# 2. Every relative link in README.md and in the markdown under docs/ --
#    [text](target), ![alt](target) and [label]: target, outside code --
#    names a file or folder that exists inside the checkout.  Links with a
#    scheme (https:, mailto:...) and pure #anchors are not checked; links
#    into build/ point at build outputs (docs/walkthrough.md's viewer page)
#    and are only listed.
#
# Prints one line per problem and exits 1 if there is any.  POSIX sh, awk.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd -P)
src=$(cd "${1:-$here}" && pwd -P)
cd "$src"
bad=0
problem() {
	echo "FAIL: $*"
	bad=1
}

# ---- 1. paths outside the checkout ----
# The patterns are spelled so that this file does not match itself.
outside='\.\./shared|/wor[k]/'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
   [ "$(git rev-parse --show-toplevel)" = "$src" ]; then
	hits=$(git grep -n -I -E "$outside" -- . || true)
else
	hits=$(find . -name .git -prune -o -type d -exec test -e '{}/CMakeCache.txt' ';' -prune \
		-o -type f -print | sed 's#^\./##' | sort | while IFS= read -r f; do
		grep -n -I -E "$outside" "$f" /dev/null || true
	done)
fi
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | while IFS= read -r h; do
		echo "FAIL: names a path outside the repository: $h"
	done
	bad=1
fi

# ---- 2. relative markdown links ----
# awk prints "file<TAB>line<TAB>target<TAB>path": path is the target without
# its #anchor, relative to the checkout and normalised ("." and ".."
# resolved by name); "/..." when the target is absolute.
mds=$( { [ -f README.md ] && echo README.md; [ -d docs ] && find docs -name '*.md'; } | sort)
links=$(for f in $mds; do
	awk -v file="$f" '
	function norm(p,    n, i, k, a, out) {
		if (p ~ /^\//) return p
		n = split(file, a, "/"); p = substr(file, 1, length(file) - length(a[n])) p
		n = split(p, a, "/"); k = 0
		for (i = 1; i <= n; i++) {
			if (a[i] == "" || a[i] == ".") continue
			if (a[i] == ".." && k > 0 && out[k] != "..") { k--; continue }
			out[++k] = a[i]
		}
		p = k ? out[1] : "."
		for (i = 2; i <= k; i++) p = p "/" out[i]
		return p
	}
	function emit(t,    p) {
		sub(/^</, "", t); sub(/>$/, "", t)
		if (t == "" || t ~ /^#/ || t ~ /^[A-Za-z][A-Za-z0-9+.-]*:/) return
		p = t; sub(/[#?].*/, "", p)
		print file "\t" NR "\t" t "\t" norm(p)
	}
	# Fenced code blocks (``` or ~~~, up to 3 spaces of indent) hold no links.
	/^ ? ? ?(```|~~~)/ { fence = !fence; next }
	fence { next }
	{
		s = $0
		gsub(/`[^`]*`/, "", s)                    # inline code spans
		if (match(s, /^ ? ? ?\[[^]]+\]:[ \t]+[^ \t]+/)) {   # [label]: target
			t = substr(s, RSTART, RLENGTH); sub(/^[^]]*\]:[ \t]+/, "", t)
			emit(t)
		}
		while (match(s, /\]\([^)]*\)/)) {          # [text](target "title")
			t = substr(s, RSTART + 2, RLENGTH - 3)
			s = substr(s, RSTART + RLENGTH)
			sub(/^[ \t]+/, "", t); sub(/[ \t].*/, "", t)
			emit(t)
		}
	}' "$f"
done)
tab=$(printf '\t')
report=$(printf '%s\n' "$links" | while IFS="$tab" read -r f n t p; do
	[ -n "$f" ] || continue
	case $p in
	/*) echo "FAIL: $f:$n: absolute link $t (make it relative to $f)" ;;
	..|../*) echo "FAIL: $f:$n: link $t leaves the repository" ;;
	build|build/*) echo "note: $f:$n: $t is a build output, not checked" ;;
	*) [ -e "$p" ] || echo "FAIL: $f:$n: broken link $t (no $p in the repository)" ;;
	esac
done)
if [ -n "$report" ]; then
	printf '%s\n' "$report"
	case $report in *FAIL:*) bad=1 ;; esac
fi

nlinks=$(printf '%s\n' "$links" | grep -c . || true)
if [ $bad = 0 ]; then
	echo "ok: no path outside the repository; $nlinks markdown links in $(echo $mds | wc -w) files checked"
fi
exit $bad
