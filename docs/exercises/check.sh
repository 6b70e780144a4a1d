#!/bin/sh
# docs/exercises/check.sh [BUILD_DIR] - run the solutions of the exercises
# (the ctest case trace_exercises).  Exercises 1-3 and 8 change the kernel:
# each solution is applied to a copy of kernel_model/, built the way
# kernel_model/CMakeLists.txt builds it (objects of unchanged files are
# shared), and run with `lstar run --kernel`.  Exercises 4 and 5 quote lstar
# output that scripts/walkthrough.sh --check compares (last), exercise 7
# output that scripts/sched_walkthrough.sh --check compares.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
lstar=$build/lstar
w=$(mktemp -d /tmp/lstar-ex.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$w"' EXIT
CC=${CC:-cc}
KCFLAGS="-std=gnu17 -O2 -D__KERNEL__ -ffreestanding -fno-pic -fno-pie -mcmodel=kernel
 -mno-red-zone -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none
 -fno-tree-loop-distribute-patterns"
fail() {
	echo "FAIL (exercise $1): $2"
	exit 1
}

# kbuild NAME EDIT: kernel_model/ copied to $w/NAME, EDIT (a shell function)
# run inside it, built into $w/NAME.elf.
kbuild() {
	name=$1
	src=$w/$name
	cp -r "$here/kernel_model" "$src"
	(cd "$src" && $2)
	mkdir -p "$src/gen" "$src/obj" "$w/base"
	awk -f "$src/syscalltbl.awk" "$src/syscall_64.tbl" >"$src/gen/syscalls_64.h"
	for f in "$src"/*.c "$src"/*.S; do
		b=$(basename "$f")
		extra=
		case $b in *.c) extra=-mgeneral-regs-only ;; esac
		# shellcheck disable=SC2086
		# reuse the unchanged kernel's object unless the file or the
		# table it includes changed
		same=1
		cmp -s "$f" "$here/kernel_model/$b" || same=0
		if grep -q 'syscalls_64.h' "$f" && [ -f "$w/base/syscalls_64.h" ] &&
		   ! cmp -s "$src/gen/syscalls_64.h" "$w/base/syscalls_64.h"; then
			same=0
		fi
		if [ $same = 1 ] && [ -f "$w/base/$b.o" ]; then
			cp "$w/base/$b.o" "$src/obj/$b.o"
		else
			$CC $KCFLAGS $extra -I"$src" -I"$src/gen" -I"$here/include" -I"$here/emu/hostcall" \
				-c "$f" -o "$src/obj/$b.o" || fail "$name" "kernel file $b does not build"
			[ $same = 1 ] && cp "$src/obj/$b.o" "$w/base/$b.o"
		fi
	done
	[ -f "$w/base/syscalls_64.h" ] || cp "$src/gen/syscalls_64.h" "$w/base/syscalls_64.h"
	# The vDSO image (kernel_model/vdso/, its own shared object), which no
	# exercise changes: the build's object that holds its bytes.
	cp "$build/kernel_model/obj/vdso_image.S.o" "$src/obj/" ||
		fail "$name" "no $build/kernel_model/obj/vdso_image.S.o (build first)"
	# shellcheck disable=SC2086
	$CC $KCFLAGS -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
		-Wl,-z,noexecstack -T "$src/vmlinux.lds" -o "$w/$name.elf" "$src"/obj/*.o ||
		fail "$name" "the kernel does not link"
}

# guest NAME: assemble $w/NAME.S into a static program $w/NAME
guest() {
	$CC -nostdlib -static -no-pie -Wl,--build-id=none -o "$w/$1" "$w/$1.S" || fail "$1" "guest does not build"
}

# The unchanged kernel first: it fills the object cache.
nothing() { :; }
kbuild base-kernel nothing

# ---- 1. add a system call ---------------------------------------------
ex1() {
	printf '500\tcommon\tlstar_answer\t\tsys_lstar_answer\n' >>syscall_64.tbl
	cat >>sys.c <<'EOF'

/* Exercise 1: the answer to everything. */
SYSCALL_DEFINE0(lstar_answer) { return 42; }
EOF
}
kbuild ex1 ex1
cat >"$w/answer.S" <<'EOF'
	.globl _start
_start:	mov $500, %eax		/* __NR_lstar_answer */
	syscall
	mov %eax, %edi		/* exit(lstar_answer()) */
	mov $231, %eax		/* __NR_exit_group */
	syscall
EOF
guest answer
s=0
"$lstar" run --kernel "$w/ex1.elf" --strace --strace-output="$w/ex1.strace" "$w/answer" >/dev/null 2>&1 || s=$?
[ $s = 42 ] || fail 1 "exit status $s, not 42"
grep -qE '^syscall_0x1f4\(0, 0, 0, 0, 0, 0\) += 42$' "$w/ex1.strace" ||
	grep -qE '^lstar_answer\(\) += 42$' "$w/ex1.strace" || fail 1 "strace: $(cat "$w/ex1.strace")"
s=0
"$lstar" run "$w/answer" >/dev/null 2>&1 || s=$?
[ $s = 218 ] || fail 1 "on the unchanged kernel: status $s, not 218 (-ENOSYS & 0xFF)"
echo "exercise 1: ok"

# ---- 2. IA32_FMASK ------------------------------------------------------
ex2() {
	# keep the arithmetic flags: drop CF PF AF ZF SF OF from the mask
	sed -i 's/X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |/0 |/;
		s/X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |/X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |/;
		s/X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF |/X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF |/' cpu_common.c
	grep -q 'X86_EFLAGS_ZF' cpu_common.c && return 1
	return 0
}
kbuild ex2 ex2
"$lstar" run --kernel "$w/ex2.elf" --trace="$w/ex2.txt" --trace-syscalls "$build/guests/scall" >/dev/null 2>&1 ||
	fail 2 "scall does not run on the changed kernel"
grep -q ' wrmsr .*IA32_FMASK' "$w/ex2.txt" && fail 2 "unexpected"
"$lstar" run --kernel "$w/ex2.elf" --trace="$w/ex2b.txt" --trace-cpl kernel --trace-range 0xffffffff80000000-0xffffffffffffffff \
	--max-insns 20000 "$build/guests/scall" >/dev/null 2>&1 || true
grep -qE ' wrmsr +\| IA32_FMASK=0x0→0x257700$' "$w/ex2b.txt" || fail 2 "FMASK is not 0x257700: $(grep FMASK "$w/ex2b.txt")"
# the write call: SYSCALL keeps ZF and PF (0x246 -> 0x46: only IF cleared)
grep -qE ' syscall +\| rcx=[^ ]+ rflags=0x246→0x46 -IF cpl=3→0' "$w/ex2.txt" ||
	fail 2 "SYSCALL line: $(grep -m1 ' syscall  *|' "$w/ex2.txt")"
echo "exercise 2: ok"

# ---- 3. SYSRET with a non-canonical RCX ----------------------------------
ex3() {
	# remove the CVE-2012-0217 guard in do_syscall_64
	sed -i 's/if (regs->cx >= TASK_SIZE_MAX)/if (0)/' common.c
	grep -q 'if (0)' common.c || return 1
	printf '501\tcommon\tlstar_jump\t\tsys_lstar_jump\n' >>syscall_64.tbl
	cat >>sys.c <<'EOF'

/* Exercise 3: return to `addr` (what ptrace or sigreturn could do). */
SYSCALL_DEFINE1(lstar_jump, unsigned long, addr)
{
	current_pt_regs()->ip = addr;
	current_pt_regs()->cx = addr;
	return 0;
}
EOF
}
kbuild ex3 ex3
cat >"$w/jump.S" <<'EOF'
	.globl _start
_start:	mov $501, %eax			/* __NR_lstar_jump */
	movabs $0x800000000000, %rdi	/* the first non-canonical address */
	syscall
	hlt				/* not reached */
EOF
guest jump
for v in intel amd; do
	s=0
	"$lstar" run --vendor $v --kernel "$w/ex3.elf" --trace="$w/ex3-$v.jsonl" --trace-format jsonl \
		--trace-syscalls --strace "$w/jump" >"$w/ex3-$v.out" 2>&1 || s=$?
	echo "$s" >"$w/ex3-$v.status"
done
# Intel: #GP(0) at CPL 0 on the SYSRET itself; the kernel dies.
grep -qE '"event":"exception","vector":13,"name":"#GP","soft":false,"error":"0x0","at":"0xffffffff[0-9a-f]+"' "$w/ex3-intel.jsonl" ||
	fail 3 "intel: no #GP at the SYSRET"
grep -q 'fatal exception in kernel mode' "$w/ex3-intel.out" || fail 3 "intel: the kernel did not die: $(tail -3 "$w/ex3-intel.out")"
# AMD: SYSRET completes to CPL 3; the fetch at 0x800000000000 faults in user mode.
[ "$(cat "$w/ex3-amd.status")" = 139 ] || fail 3 "amd: status $(cat "$w/ex3-amd.status"), not 139 (SIGSEGV)"
grep -qE '"event":"exception","vector":13,"name":"#GP","soft":false,"error":"0x0","at":"0x800000000000","handler":"0x[0-9a-f]+","frame":\{"error":"0x0","rip":"0x800000000000","cs":"0x33"' "$w/ex3-amd.jsonl" ||
	fail 3 "amd: no #GP at CPL 3 at 0x800000000000"
grep -qxF -- '--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL} ---' "$w/ex3-amd.out" ||
	fail 3 "amd: no SIGSEGV line from --strace"
s=0
"$lstar" tracediff "$w/ex3-intel.jsonl" "$w/ex3-amd.jsonl" >"$w/ex3.diff" || s=$?
[ $s = 1 ] || fail 3 "tracediff status $s"
grep -qE '^traces differ at line [0-9]+: ' "$w/ex3.diff" || fail 3 "tracediff: $(head -2 "$w/ex3.diff")"
echo "exercise 3: ok"

# ---- 7: the quoted trace is checked by scripts/sched_walkthrough.sh ------
s=0
sh "$here/scripts/sched_walkthrough.sh" --check "$build" || s=$?
case $s in
0) echo "exercise 7: ok" ;;
77) echo "exercise 7: skipped (no sched_demo or no busybox)" ;;
*) fail 7 "the quoted output changed or a fact no longer holds" ;;
esac

# ---- 8. the time slice ---------------------------------------------------
# `lstar run --stats` of `sched_demo spin 9750000` on a kernel: its context
# switches and timer interrupts, "SWITCHES TICKS".
demo=$build/guests/sched_demo
ex8_count() {	# ex8_count KERNEL_ELF
	env -i "$lstar" run --seed 1 --max-insns 100000000 --kernel "$1" --stats "$demo" spin 9750000 >"$w/ex8.out" 2>&1 ||
		fail 8 "sched_demo spin: $(cat "$w/ex8.out")"
	awk '/^ *context switches / { s = $3 } /^ *timer interrupts / { t = $3 } END { print s, t }' "$w/ex8.out"
}
ex8() {
	sed -i 's/^#define SLICE_NSEC\t(4 \* 1000 \* 1000)/#define SLICE_NSEC\t(1 * 1000 * 1000)/' core.c
	grep -q '^#define SLICE_NSEC.(1 \* 1000 \* 1000)' core.c
}
if [ -x "$demo" ]; then
	kbuild ex8 ex8
	# shellcheck disable=SC2046
	set -- $(ex8_count "$w/base-kernel.elf") $(ex8_count "$w/ex8.elf")
	doc=$here/docs/exercises/08-time-slice.md
	got="4ms $1 $2 1ms $3 $4"
	want=$(sed -n 's/^ex8 //p' "$doc")
	[ "$got" = "$want" ] || fail 8 "counts '$got', the solution says '$want' (the line 'ex8 ...' in $doc)"
	# The prediction: each task runs 19.5 million instructions, in slices
	# of 4 (1) million: the timer switches 2 x 4 = 8 (2 x 19 = 38) times,
	# and the parent's wait and the child's exit switch once each.
	[ "$1" = 10 ] || fail 8 "4 ms: $1 switches, not 10"
	[ "$3" = 40 ] || fail 8 "1 ms: $3 switches, not 40"
	[ "$2" -ge 8 ] && [ "$4" -ge 38 ] || fail 8 "fewer timer interrupts than the timer's switches: $2 (4 ms), $4 (1 ms)"
	echo "exercise 8: ok"
else
	echo "exercise 8: skipped (no build/guests/sched_demo: musl-gcc missing)"
fi

# ---- 4 and 5: the quoted output is checked by scripts/walkthrough.sh ----
sh "$here/scripts/walkthrough.sh" --check "$build" || fail 4-5 "the quoted output changed"
echo "exercises 4-5: ok"
