#!/bin/sh
# proc_format.sh - the /proc files the kernel makes have the host Linux's
# format: the field names of /proc/self/status and of a /proc/cpuinfo
# processor block are found on the host, in the same order (the host may
# have more: a newer kernel adds fields), /proc/self/stat and statm have
# as many fields as the host's.  Values are the guest's and not compared.
#
# usage: proc_format.sh LSTAR BUSYBOX
set -u
lstar=$1 bb=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lstar-proc.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0

# keys FILE: the names before ':' of the first block (up to a blank line)
keys() {
	awk -F: '/^$/ { exit } { sub(/[ \t]+$/, "", $1); print $1 }' "$1"
}

# in_order A B: every line of A appears in B, in the same order
in_order() {
	awk 'BEGIN { n = 0; i = 0 } NR == FNR { want[n++] = $0; next }
	     i < n && $0 == want[i] { i++ }
	     END { if (i < n) { print "  first one missing or out of order: " want[i]; exit 1 } }' "$1" "$2"
}

check_keys() {	# NAME FILE
	"$lstar" run "$bb" cat "$2" >"$tmp/guest" 2>"$tmp/err" || { echo "$1: lstar failed"; cat "$tmp/err"; fail=1; return; }
	"$bb" cat "$2" >"$tmp/host"
	keys "$tmp/guest" >"$tmp/gk"
	keys "$tmp/host" >"$tmp/hk"
	if [ ! -s "$tmp/gk" ]; then
		echo "$1: no fields"; fail=1
	elif in_order "$tmp/gk" "$tmp/hk"; then
		echo "ok: $1: $(wc -l <"$tmp/gk") fields, in the host's order (host: $(wc -l <"$tmp/hk"))"
	else
		echo "$1: fields differ from the host's:"; diff "$tmp/gk" "$tmp/hk" | head -20; fail=1
	fi
}

check_count() {	# FILE
	g=$("$lstar" run "$bb" cat "$1" | awk '{ print NF }')
	h=$("$bb" cat "$1" | sed 's/([^)]*)/(x)/' | awk '{ print NF }')
	if [ "$g" = "$h" ]; then
		echo "ok: $1: $g fields, as the host"
	else
		echo "$1: $g fields, the host has $h"; fail=1
	fi
}

check_keys status /proc/self/status
check_keys cpuinfo /proc/cpuinfo
check_count /proc/self/stat
check_count /proc/self/statm
exit $fail
