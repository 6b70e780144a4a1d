# run by busybox sh under lstar and natively (tests/e2e): a small script
bb=${BB:-busybox}
n=0
while read a b c; do n=$((n + 1)); done
echo "lines $n"
x=$($bb echo sub)
echo "substituted: $x"
$bb false || echo "false failed with $?"
(exit 3); echo "subshell status $?"
for w in one two three; do printf '%s.' "$w"; done; echo
f() { echo "function got $# args: $*"; return 4; }
f x y; echo "function status $?"
$bb sh -c 'exit 5'; echo "nested shell status $?"
