#!/bin/sh
# usage.sh error REGEX -- COMMAND...   a usage error: status 2, nothing on
#     standard output, and on standard error exactly two lines: one
#     matching ^lstar: REGEX, then "Try 'lstar --help' for more information."
# usage.sh help -- COMMAND...          the help: status 0, the usage text on
#     standard output (every option line of it), nothing on standard error.
# docs/cli.md, "Exit status".
mode=$1; shift
re=
[ "$mode" = error ] && { re=$1; shift; }
[ "$1" = "--" ] && shift
out=$(mktemp); err=$(mktemp)
"$@" >"$out" 2>"$err" </dev/null
got=$?
ok=1
fail() { echo "FAIL: $*"; ok=0; }
echo "---- command: $*"
echo "---- stdout:"; cat "$out"
echo "---- stderr:"; cat "$err"
echo "----"
case $mode in
error)
	[ "$got" = 2 ] || fail "exit status $got, expected 2"
	[ -s "$out" ] && fail "something on standard output"
	[ "$(wc -l <"$err")" = 2 ] || fail "$(wc -l <"$err") lines on standard error, expected 2"
	head -1 "$err" | grep -Eq -- "^lstar: $re" || fail "first line does not match /^lstar: $re/"
	[ "$(sed -n 2p "$err")" = "Try 'lstar --help' for more information." ] ||
		fail "second line is not the pointer to --help"
	grep -q '^usage:' "$err" && fail "the help was printed"
	;;
help)
	[ "$got" = 0 ] || fail "exit status $got, expected 0"
	[ -s "$err" ] && fail "something on standard error"
	head -1 "$out" | grep -q '^usage: lstar run' || fail "standard output does not start with the usage"
	grep -q -- '--max-insns' "$out" || fail "the help lacks --max-insns"
	grep -q -- '--strace-output' "$out" || fail "the help lacks --strace-output"
	;;
*)
	fail "unknown mode $mode"
	;;
esac
rm -f "$out" "$err"
[ $ok = 1 ] && echo "PASS" && exit 0
exit 1
