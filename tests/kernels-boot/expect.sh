#!/bin/sh
# expect.sh STATUS REGEX... [--file F FREGEX] [--lines N] -- COMMAND...
# Runs COMMAND and checks: its exit status is STATUS; each extended REGEX
# matches some line of its standard error + output; with --file, that file
# F has a line matching FREGEX; with --lines, the output has exactly N lines.
# Prints what it saw, and PASS or the failed checks.
want=$1; shift
res=; file=; fre=; lines=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case "$1" in
	--file) file=$2; fre=$3; shift 3 ;;
	--lines) lines=$2; shift 2 ;;
	*) res="$res
$1"; shift ;;
	esac
done
[ "$1" = "--" ] && shift
out=$(mktemp)
"$@" >"$out" 2>&1 </dev/null
got=$?
ok=1
echo "---- command: $*"
echo "---- output:"
cat "$out"
echo "----"
if [ "$got" != "$want" ]; then
	echo "FAIL: exit status $got, expected $want"; ok=0
fi
oldifs=$IFS
IFS='
'
for re in $res; do
	if ! grep -Eq -- "$re" "$out"; then
		echo "FAIL: no output line matches /$re/"; ok=0
	fi
done
IFS=$oldifs
if [ -n "$file" ] && ! grep -Eq -- "$fre" "$file"; then
	echo "FAIL: $file has no line matching /$fre/"; ok=0
fi
if [ -n "$lines" ]; then
	n=$(wc -l <"$out")
	if [ "$n" != "$lines" ]; then
		echo "FAIL: $n output lines, expected $lines"; ok=0
	fi
fi
rm -f "$out"
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
