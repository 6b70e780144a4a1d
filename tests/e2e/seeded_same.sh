#!/bin/sh
# seeded_same.sh - `lstar run --seed N` is reproducible: two runs of the
# same program print the same (here the CPU times and memory figures the
# kernel counts), and the run succeeds.
#
# usage: seeded_same.sh LSTAR PROGRAM [ARGS...]
set -u
lstar=$1; shift
a=$("$lstar" run --seed 5 "$@") || { echo "first run failed"; exit 1; }
b=$("$lstar" run --seed 5 "$@") || { echo "second run failed"; exit 1; }
printf '%s\n' "$a"
if [ "$a" != "$b" ]; then
	echo "MISMATCH: the second run printed:"
	printf '%s\n' "$b"
	exit 1
fi
echo "ok: the same twice"
