#!/bin/sh
# openssl_crypto.sh - OpenSSL's own AES-NI, CLMUL and SHA-NI code under
# lstar: openssl(1) picks those paths from CPUID (cpu/cpuid.c), so each
# command below runs under `lstar run` with a user-mode trace, its output
# must be the native run's byte for byte, and the trace must show the
# instruction that proves the hardware path ran (aesenc for AES-CTR...).
#
# usage: openssl_crypto.sh LSTAR OPENSSL
set -u
lstar=$1 openssl=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lstar-openssl.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
seq 1 30000 > in.dat     # 168 KB, 10 KiB-odd AES blocks
K128=000102030405060708090a0b0c0d0e0f
K256=${K128}f0e0d0c0b0a090807060504030201000
IV=0f0e0d0c0b0a09080706050403020100
status=0

# check NAME INSN ARGS...: ARGS end with "-out FILE"-style output to
# $NAME.out (the word @OUT@); INSN must appear in the trace.
check() {
	name=$1 insn=$2; shift 2
	nat=$(printf '%s ' "$@" | sed "s#@OUT@#$name.native#")
	lst=$(printf '%s ' "$@" | sed "s#@OUT@#$name.lstar#")
	# shellcheck disable=SC2086
	"$openssl" $nat 2>"$name.native.err" || { echo "FAIL $name: native openssl failed"; cat "$name.native.err"; status=1; return; }
	# shellcheck disable=SC2086
	n=$("$lstar" run --trace=/dev/stdout --trace-cpl user "$openssl" $lst 2>"$name.lstar.err" |
		grep -c -w "$insn")
	if ! cmp -s "$name.native" "$name.lstar"; then
		echo "FAIL $name: output differs from the native run"
		head -c 300 "$name.lstar.err"
		status=1
	elif [ "$n" -eq 0 ]; then
		echo "FAIL $name: no $insn in the trace (the hardware path did not run)"
		status=1
	else
		echo "ok $name: same output ($(wc -c <"$name.lstar") bytes), $n x $insn"
	fi
}

check ctr128 aesenc enc -aes-128-ctr -K $K128 -iv $IV -in in.dat -out @OUT@
check cbc256 aesenclast enc -aes-256-cbc -K $K256 -iv $IV -in in.dat -out @OUT@
"$openssl" enc -aes-256-cbc -K $K256 -iv $IV -in in.dat -out cbc.bin
check cbc256d aesdec enc -d -aes-256-cbc -K $K256 -iv $IV -in cbc.bin -out @OUT@
check gmac pclmulqdq mac -cipher AES-128-GCM -macopt hexkey:$K128 -macopt hexiv:0102030405060708090a0b0c -in in.dat -out @OUT@ GMAC
check sha256 sha256rnds2 dgst -sha256 -out @OUT@ in.dat
check sha1 sha1rnds4 dgst -sha1 -out @OUT@ in.dat
exit $status
