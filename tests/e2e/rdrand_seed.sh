#!/bin/sh
# rdrand_seed.sh - RDRAND and RDSEED follow --seed (cpu/crypto.c,
# cpu->rng_state): `lstar run --seed 5` twice prints the same values,
# --seed 6 others, and two runs without --seed (the generator seeded from
# the host's getrandom()) differ from each other; within one run the two
# draws differ.  The program prints "rdrand A B" and "rdseed C D".
#
# usage: rdrand_seed.sh LSTAR PROGRAM [ARGS...]
set -u
lstar=$1; shift
a=$("$lstar" run --seed 5 "$@") || { echo "seeded run failed"; exit 1; }
b=$("$lstar" run --seed 5 "$@") || { echo "second seeded run failed"; exit 1; }
c=$("$lstar" run --seed 6 "$@") || { echo "run with --seed 6 failed"; exit 1; }
u=$("$lstar" run "$@") || { echo "unseeded run failed"; exit 1; }
v=$("$lstar" run "$@") || { echo "second unseeded run failed"; exit 1; }
printf 'seed 5:\n%s\nseed 6:\n%s\nunseeded:\n%s\n%s\n' "$a" "$c" "$u" "$v"
status=0
[ "$a" = "$b" ] || { echo "FAIL: two runs with --seed 5 differ:"; printf '%s\n' "$b"; status=1; }
[ "$a" != "$c" ] || { echo "FAIL: --seed 5 and --seed 6 print the same"; status=1; }
[ "$u" != "$v" ] || { echo "FAIL: two unseeded runs print the same"; status=1; }
# the two values on each line differ
if printf '%s\n%s\n' "$a" "$u" | awk '$2 == $3 { bad = 1 } END { exit !bad }'; then
	echo "FAIL: two draws of one run are equal"; status=1
fi
[ $status = 0 ] && echo "ok: reproducible with --seed, different without"
exit $status
