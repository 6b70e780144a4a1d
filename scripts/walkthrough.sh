#!/bin/sh
# scripts/walkthrough.sh [--check|--update] [BUILD_DIR]
#
# Regenerates the lstar output quoted in docs/walkthrough.md (and the
# exercise answers that quote traces) from real runs of guests/scall, and
# the vDSO section of docs/kernel.md from guests/vdso:
# every block between "<!-- lstar:NAME -->" and "<!-- /lstar:NAME -->" is
# replaced by excerpt NAME.  --update rewrites the document; --check (the
# default, and the ctest case trace_walkthrough) fails if the document no
# longer matches what lstar prints.
#
# The runs are made reproducible: an empty environment and the program at
# a path of fixed length (the stack layout depends on both), so RSP values
# and instruction numbers are the same on every machine.
set -eu
mode=--check
case ${1:-} in --check|--update) mode=$1; shift ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
# The excerpts are produced from another directory: make the path absolute.
[ -d "$build" ] && build=$(cd "$build" && pwd)
lstar=$build/lstar
kelf=$build/kernel_model/lstar-kernel.elf
doc=$here/docs/walkthrough.md
for f in "$lstar" "$build/guests/scall" "$build/guests/vdso" "$kelf"; do
	[ -e "$f" ] || { echo "walkthrough.sh: $f is missing (build first)"; exit 2; }
done

d=$(mktemp -d /tmp/lstar-wt.XXXXXX)
trap 'rm -rf "$d"' EXIT
cp "$build/guests/scall" "$d/scall"
cd "$d"
L() { env -i "$lstar" run "$@" >/dev/null 2>&1 || true; }

# "LO-HI" of a kernel function (see tests/trace/check.sh)
range() {
	# shellcheck disable=SC2046
	set -- $(nm -S "$kelf" | awk -v s="$1" '$4 == s && ($3 == "t" || $3 == "T") { print $1, $2; exit }')
	hi8=${1%????????}
	lo8=${1#????????}
	printf '0x%s-0x%s%08x\n' "$1" "$hi8" "$((0x$lo8 + 0x$2))"
}

L --trace=boot.txt --trace-range "$(range cpu_init)" "$d/scall"
L --trace=sys.txt --trace-syscalls --strace-icount --strace-output=strace.txt "$d/scall"
L --trace=user.txt --trace-cpl user "$d/scall"
L --strace=summary --strace-output=summary.txt "$d/scall"

# Trace lines lose their column padding in the document (two spaces).
squeeze() { sed 's/   */  /g; s/ *$//'; }

mkdir x
n=$(sed -n 's/^\[ *\([0-9]*\)\] write(.*/\1/p' strace.txt)
# the program's temporary directory stands as /tmp/lstar-wt (execve line)
sed "s|$d/|/tmp/lstar-wt/|g" strace.txt >x/strace
# 1. the boot-time WRMSRs of syscall_init (inlined into cpu_init)
grep -E ' wrmsr +\| IA32_(STAR|LSTAR|FMASK)=' boot.txt | squeeze >x/wrmsr
lstar_line=$(grep -n 'IA32_LSTAR=' boot.txt | cut -d: -f1)
sed -n "$((lstar_line - 4)),${lstar_line}p" boot.txt | squeeze >x/wrmsr_lstar
# 2. the user instructions that load the registers, and the SYSCALL
awk -v n="$n" '$1 > n - 8 && $1 <= n' user.txt | squeeze >x/syscall_user
# the registers at the SYSCALL: the last value each took in user mode
awk -v n="$n" '$1 < n {
	for (k = 0; k < 4; k++) {
		r = substr("raxrdirsirdx", 3 * k + 1, 3)
		if (match($0, " " r "=0x[0-9a-f]+\342\206\2220x[0-9a-f]+")) {
			v = substr($0, RSTART, RLENGTH); sub(/.*\342\206\222/, "", v); val[r] = v
		}
	}
} END { printf "RAX=%s  RDI=%s  RSI=%s  RDX=%s\n", val["rax"], val["rdi"], val["rsi"], val["rdx"] }' user.txt >x/regs
# 3-6. the kernel side of the same call, one excerpt per step
awk -v n="$n" '$1 >= n' sys.txt >call.txt
awk '$1 != "" { print; if (++k == 12) exit }' call.txt | squeeze >x/entry
grep -m 6 ' do_syscall_64' call.txt | squeeze >x/do_syscall_64
grep -m 5 ' x64_sys_call' call.txt | squeeze >x/x64_sys_call
grep -m 6 ' __x64_sys_write' call.txt | squeeze >x/sys_write
# 7. back: the restore and the SYSRET
end=$(grep -n -m 1 ' sysret  *|' call.txt | cut -d: -f1)
sed -n "$((end - 3)),${end}p" call.txt | squeeze >x/sysret
awk '$1 > 0' call.txt | sed -n "$((end + 1))p" >/dev/null
cp summary.txt x/summary

# Exercise 5: where the user RIP lands in pt_regs.
grep -m 1 -E ' push rcx +\|' call.txt | squeeze >x/ptregs
grep -m 1 -E 'entry_SYSCALL_64_after_hwframe.* mov rdi, rsp +\|' call.txt | squeeze >>x/ptregs
ip_at=$(grep -m 1 -E ' push rcx +\|' call.txt | sed 's/.* W 0x\([0-9a-f]*\):8=.*/\1/')
regs_at=$(grep -m 1 -E 'entry_SYSCALL_64_after_hwframe.* mov rdi, rsp +\|' call.txt | sed 's/.*rdi=0x[0-9a-f]*\xe2\x86\x920x\([0-9a-f]*\).*/\1/')
printf 'pt_regs at 0x%s, user RIP stored at 0x%s: offset 0x%x = %d bytes = 16 slots of 8\n' \
	"$regs_at" "$ip_at" "$((0x${ip_at#ffffffff} - 0x${regs_at#ffffffff}))" \
	"$((0x${ip_at#ffffffff} - 0x${regs_at#ffffffff}))" >x/ptregs_offset

# Exercise 4: what one getpid costs (guests/sysabi calls it through libc).
cp "$build/guests/sysabi" "$d/sysabi"
L --trace=gsys.txt --trace-syscalls --strace-icount --strace-output=gstrace.txt "$d/sysabi"
gn=$(sed -n 's/^\[ *\([0-9]*\)\] getpid()  *= .*/\1/p' gstrace.txt | head -1)
# user side: musl's getpid(), from its first instruction to its RET
set -- $(nm -S "$d/sysabi" | awk '$4 == "getpid" { print $1, $2; exit }')
L --trace=guser.txt --trace-cpl user --trace-range "0x$1-0x$(printf '%x' $((0x$1 + 0x$2)))" "$d/sysabi"
awk -v n="$gn" '$1 <= n + 1000' guser.txt | awk '{ print } / ret +\|/ { exit }' | squeeze >x/getpid_user
# kernel side: after the SYSCALL up to and including the SYSRET
awk -v n="$gn" '$1 > n { k++ } $1 > n && / sysret +\|/ { print k; exit }' gsys.txt >kn.txt
{
	echo "getpid() = $(sed -n 's/^\[ *[0-9]*\] getpid()  *= \(.*\)/\1/p' gstrace.txt | head -1), SYSCALL at sequence number $gn"
	echo "user mode:   $(wc -l <x/getpid_user) instructions (getpid's own, SYSCALL included)"
	echo "kernel mode: $(cat kn.txt) instructions (after the SYSCALL, SYSRET included)"
} >x/getpid_count
L --strace=summary --strace-output=gsum.txt "$d/sysabi"
{ head -2 gsum.txt; grep -E ' getpid$' gsum.txt; } >x/getpid_summary
# The six-step table: one trace line per step.
first() { grep -m 1 -E "$1" "$2" | squeeze | cut -d'|' -f1 | sed 's/ *$//'; }
{
	echo "| step | what | lstar's trace line (sequence number, CPL, RIP, symbol, bytes, instruction) |"
	echo "|---|---|---|"
	echo "| 1 | boot: \`wrmsrl(MSR_LSTAR, entry_SYSCALL_64)\` | \`$(sed -n "${lstar_line}p" boot.txt | squeeze | cut -d'|' -f1 | sed 's/ *$//')\` |"
	echo "| 2 | user: \`SYSCALL\` | \`$(first ' syscall  *\|' call.txt)\` |"
	echo "| 3 | \`entry_SYSCALL_64\` | \`$(first ' entry_SYSCALL_64 ' call.txt)\` |"
	echo "| 4 | \`do_syscall_64\` | \`$(first ' do_syscall_64 ' call.txt)\` |"
	echo "| 5 | \`x64_sys_call\` | \`$(first ' x64_sys_call ' call.txt)\` |"
	echo "| 6 | \`sys_write\` (\`__x64_sys_write\`) | \`$(first ' __x64_sys_write ' call.txt)\` |"
	echo "| back | \`SYSRET\` | \`$(first ' sysret  *\|' call.txt)\` |"
} >x/table

# docs/kernel.md §9: clock_gettime answered by the vDSO (guests/vdso, musl,
# static), seeded so that the times it reads are the same on every run.
cp "$build/guests/vdso" "$d/vdso"
L --seed 1 --trace=vd.txt --trace-cpl user "$d/vdso" calls
L --seed 1 --strace=summary --strace-output=vdsum.txt "$d/vdso" calls
# the second call into the vDSO's clock_gettime (the first comes through
# musl's cgt_init, which looks the symbol up; the C library's own
# clock_gettime is in the program, far below), from the caller's CALL to
# the instruction after the vDSO's RET: each read of the vvar page, the
# RDTSC, the RETs
ventry=$(grep -nE '^ +[0-9]+ 3 00007f[0-9a-f]{10} clock_gettime +' vd.txt | sed -n 2p | cut -d: -f1)
vrip=$(sed -n "${ventry}p" vd.txt | awk '{ print $3 }')
vvar=$(printf '%x' $(( (0x$vrip & ~4095) - 4096 )))
vvar=${vvar%???}
sed -n "$((ventry - 1)),\$p" vd.txt | awk -v vv="R 0x$vvar" '
	n == 2 { print; exit }
	NR <= 2 || index($0, vv) || / rdtsc +\|/ || / ret +\|/ { print }
	/ ret +\|/ { n++ }' | squeeze >x/vdso_call
sed -n "$((ventry - 1)),\$p" vd.txt | awk '
	{ k++; if (/ syscall +\|/) sc++ }
	/ ret +\|/ && ++r == 2 { exit }
	END { printf "%d user instructions from the CALL into the vDSO to its RET, %d SYSCALL\n", k, sc + 0 }' >x/vdso_count
cp vdsum.txt x/vdso_summary

# Replace every marked block of a document with its excerpt.
render() {
	awk -v dir="$d/x" '
	/^<!-- lstar:[a-z_0-9]+ -->$/ {
		print; name = $0; sub(/^<!-- lstar:/, "", name); sub(/ -->$/, "", name)
		f = dir "/" name
		fenced = name != "table"
		if (fenced) print "```"
		while ((getline l < f) > 0) print l
		close(f)
		if (fenced) print "```"
		skip = 1; next
	}
	/^<!-- \/lstar:[a-z_0-9]+ -->$/ { skip = 0 }
	!skip { print }' "$1"
}

status=0
for file in "$doc" "$here/docs/kernel.md" "$here"/docs/exercises/*.md; do
	[ -f "$file" ] || continue
	grep -q '^<!-- lstar:' "$file" || continue
	render "$file" >"$d/new.md"
	if [ "$mode" = --update ]; then
		cmp -s "$d/new.md" "$file" || { cp "$d/new.md" "$file"; echo "updated $file"; }
	elif ! cmp -s "$d/new.md" "$file"; then
		echo "$file no longer matches lstar's output (scripts/walkthrough.sh --update rewrites it):"
		diff -u "$file" "$d/new.md" | head -40
		status=1
	fi
done
exit $status
