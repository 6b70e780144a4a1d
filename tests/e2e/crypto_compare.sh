#!/bin/sh
# crypto_compare.sh - compare.sh for a program that needs AES-NI,
# PCLMULQDQ and SHA natively: `PROGRAM host` says (exit 77) when this
# processor lacks them, and the test is then skipped, not failed.
#
# usage: crypto_compare.sh COMPARE_SH LSTAR PROGRAM [ARGS...]
set -u
compare=$1 lstar=$2; shift 2
"$1" host
case $? in
0) ;;
77) echo "skipped: this processor lacks AES-NI, PCLMULQDQ or SHA (native run impossible)"; exit 77 ;;
*) echo "$1 host failed"; exit 1 ;;
esac
exec sh "$compare" "$lstar" -- "$@"
