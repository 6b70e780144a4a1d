#!/bin/sh
# tests/trace/check.sh CASE LSTAR GUESTS WORKDIR KERNEL_ELF - one check of the trace,
# the strace view, the statistics and tracediff (docs/trace.md).
# Prints what was expected and what came out when a check fails.
set -u
case=$1
lstar=$2
g=$3
w=$4/$case
kelf=${5:-}
rm -rf "$w"
mkdir -p "$w"
cd "$w" || exit 1

fail() {
	echo "FAIL ($case): $*"
	exit 1
}

# has FILE FIXED-STRING: the file holds that exact text somewhere.
has() {
	grep -qF -- "$2" "$1" || fail "$1 lacks: $2"
}
# hasre FILE ERE
hasre() {
	grep -qE -- "$2" "$1" || fail "$1 has no line matching: $2"
}
# line FILE LINE: the file holds exactly this line.
line() {
	grep -qxF -- "$2" "$1" || fail "$1 lacks the line: $2
--- it holds:
$(head -20 "$1")"
}

# sline FILE CALL RESULT: the file holds CALL's strace line with RESULT,
# " = " in column 40 as strace puts it (after a shorter call).
sline() {
	line "$1" "$(printf '%-39s = %s' "$2" "$3")"
}

# pline FILE PID CALL RESULT: the same for a line of task PID while
# others are alive: strace -f's "[pid N] " first (12 columns counted).
pline() {
	line "$1" "$(printf '[pid %5d] %-27s = %s' "$2" "$3" "$4")"
}

run() {
	"$lstar" run "$@"
}

# range SYMBOL: "LO-HI" of a kernel function, from the ELF's symbol table
# (booting runs millions of instructions: tests trace only what they check).
range() {
	# shellcheck disable=SC2046
	set -- $(nm -S "$kelf" | awk -v s="$1" '$4 == s && ($3 == "t" || $3 == "T") { print $1, $2; exit }')
	[ $# = 2 ] || return 0
	# 64-bit sums do not fit sh arithmetic: add to the low 32 bits
	hi8=${1%????????}
	lo8=${1#????????}
	printf '0x%s-0x%s%08x\n' "$1" "$hi8" "$((0x$lo8 + 0x$2))"
}

case $case in
text_seed)
	r=$(range cpu_init)
	[ -n "$r" ] || fail "no cpu_init in $kelf"
	run --trace=b.txt --trace-range "$r" "$g/scall" >/dev/null 2>&1 || fail "status $?"
	# the boot-time WRMSR of MSR_LSTAR (syscall_init, inlined into cpu_init)
	hasre b.txt ' 0 [0-9a-f]{16} cpu_init[+a-z0-9]* +0f 30 +wrmsr +\| IA32_LSTAR=0x0→0xffffffff'
	run --trace=t.txt --trace-syscalls "$g/scall" >out.txt 2>err.txt || fail "status $?"
	line out.txt "hello"
	# then the six steps
	hasre t.txt ' 3 [0-9a-f]{16} [^ ]+ +0f 05 +syscall +\| rcx=.*cpl=3→0 cs=0x33→0x10'
	hasre t.txt ' 0 [0-9a-f]{16} entry_SYSCALL_64 +0f 01 f8 +swapgs'
	hasre t.txt ' 0 [0-9a-f]{16} do_syscall_64 '
	hasre t.txt ' 0 [0-9a-f]{16} x64_sys_call '
	hasre t.txt ' 0 [0-9a-f]{16} __x64_sys_write '
	hasre t.txt ' 0 [0-9a-f]{16} [^ ]+ +48 0f 07 +sysret +\|.*cpl=0→3'
	# memory accesses are listed
	hasre t.txt ' W 0x[0-9a-f]+:8=0x[0-9a-f]+'
	hasre t.txt ' R 0x[0-9a-f]+:[1248]=0x[0-9a-f]+'
	;;
jsonl_schema)
	run --trace=t.jsonl --trace-format jsonl --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "status $?"
	run --trace=b.jsonl --trace-format jsonl --trace-range "$(range cpu_init)" "$g/scall" >/dev/null 2>&1 || fail "status $?"
	cat b.jsonl >>t.jsonl
	n=$(grep -vc '^{"seq":[0-9]*,' t.jsonl)
	[ "$n" = 0 ] || fail "$n lines do not start with {\"seq\":N,"
	hasre t.jsonl '^\{"seq":[0-9]+,"cpl":3,"rip":"0x[0-9a-f]+","sym":"[^"]*","bytes":"0f 05","asm":"syscall","regs":\{"rcx":\["0x[0-9a-f]+","0x[0-9a-f]+"\],"r11":'
	hasre t.jsonl '"mem":\[\{"op":"w","addr":"0x[0-9a-f]+","size":8,"value":"0x[0-9a-f]+"\}'
	hasre t.jsonl '"sys":\{"IA32_LSTAR":\["0x0","0xffffffff[0-9a-f]+"\]\}'
	hasre t.jsonl '"asm":"syscall".*"cpl_change":\[3,0\]'
	if command -v python3 >/dev/null 2>&1; then
		python3 - t.jsonl <<'EOF' || fail "a line is not valid JSON"
import json, sys
def nodup(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
for n, l in enumerate(open(sys.argv[1]), 1):
    o = json.loads(l, object_pairs_hook=nodup)
    assert isinstance(o["seq"], int) and o["rip"].startswith("0x") or o.get("event") == "exception", n
EOF
	fi
	;;
tenet_strict)
	run --trace=t.tenet --trace-format tenet --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "status $?"
	[ -s t.tenet.side.jsonl ] || fail "no side-car t.tenet.side.jsonl"
	# Tenet's parser: KEY=0xVALUE items, comma separated, no spaces,
	# keys: the 17 amd64 registers or mr/mw/mrw=0xADDR:HEXBYTES.
	reg='(rax|rbx|rcx|rdx|rbp|rsp|rsi|rdi|r8|r9|r10|r11|r12|r13|r14|r15|rip)=0x[0-9a-f]+'
	mem='(mr|mw|mrw)=0x[0-9a-f]+:([0-9a-f][0-9a-f])+'
	bad=$(grep -vcE "^($reg|$mem)(,($reg|$mem))*\$" t.tenet)
	[ "$bad" = 0 ] || fail "$bad lines Tenet would reject: $(grep -vE "^($reg|$mem)(,($reg|$mem))*\$" t.tenet | head -3)"
	first=$(head -1 t.tenet)
	for r in rax rbx rcx rdx rbp rsp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15 rip; do
		echo "$first" | grep -qE "(^|,)$r=0x" || fail "the first line lacks $r"
	done
	# every line has rip; little-endian bytes of a return-address push
	[ "$(grep -vc 'rip=0x' t.tenet)" = 0 ] || fail "a line without rip"
	hasre t.tenet.side.jsonl '^\{"line":[0-9]+,"seq":[0-9]+,.*"cpl":\[3,0\].*"syscall":\{"nr":1,"name":"write"\}'
	hasre t.tenet.side.jsonl '"return":"0x6"'
	;;
direct_io)
	# A trace file is written with O_DIRECT where the file system takes
	# it (whole blocks, the last piece after clearing the flag): the bytes
	# must be those of ordinary writes and of a pipe, for a trace of
	# several buffers (docs/trace.md, "Speed").  The benchmark kernel is
	# deterministic (a guest's boot reads the host's clock).
	k=$g/../bench/bench_kernel.elf
	[ -f "$k" ] || fail "no $k"
	for n in 40000 40001; do
		run --max-insns $n --trace=d.txt --kernel "$k" >/dev/null 2>&1
		LSTAR_TRACE_DIRECT=0 "$lstar" run --max-insns $n --trace=b.txt --kernel "$k" >/dev/null 2>&1
		rm -f fifo
		mkfifo fifo || fail "mkfifo"
		cat fifo >p.txt &
		run --max-insns $n --trace=fifo --kernel "$k" >/dev/null 2>&1
		wait
		size=$(wc -c <d.txt)
		[ "$size" -gt 3000000 ] || fail "trace of $size bytes: too short to span several buffers"
		cmp d.txt b.txt || fail "O_DIRECT and buffered traces differ"
		cmp d.txt p.txt || fail "file and pipe traces differ"
		[ "$(wc -l <d.txt)" = $n ] || fail "$(wc -l <d.txt) lines for $n instructions"
	done
	run --max-insns 40000 --trace=d.tenet --trace-format tenet --kernel "$k" >/dev/null 2>&1
	LSTAR_TRACE_DIRECT=0 "$lstar" run --max-insns 40000 --trace=b.tenet --trace-format tenet --kernel "$k" >/dev/null 2>&1
	[ -s d.tenet.side.jsonl ] || fail "no side-car"
	cmp d.tenet b.tenet || fail "O_DIRECT and buffered Tenet traces differ"
	cmp d.tenet.side.jsonl b.tenet.side.jsonl || fail "the side-cars differ"
	;;
filters_cpl)
	run --trace=u.txt --trace-cpl user "$g/scall" >/dev/null 2>&1 || fail "status $?"
	run --trace=k.txt --trace-cpl kernel "$g/scall" >/dev/null 2>&1 || fail "status $?"
	[ -s u.txt ] && [ -s k.txt ] || fail "empty trace"
	n=$(awk '$2 != 3' u.txt | wc -l)
	[ "$n" = 0 ] || fail "$n non-user lines with --trace-cpl user"
	n=$(awk '$2 != 0' k.txt | wc -l)
	[ "$n" = 0 ] || fail "$n user lines with --trace-cpl kernel"
	;;
filters_syscalls)
	run --trace=s.txt --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "status $?"
	head -1 s.txt | grep -qE ' 3 [0-9a-f]{16} [^ ]+ +0f 05 +syscall ' || fail "first line is not a SYSCALL: $(head -1 s.txt)"
	n=$(grep -cE ' 3 [0-9a-f]{16} ' s.txt)
	m=$(grep -cE ' syscall +\|' s.txt)
	[ "$n" = "$m" ] || fail "$n user lines but $m SYSCALLs: only SYSCALLs may be at CPL 3"
	[ "$(grep -cE ' sysret +\|' s.txt)" -ge 3 ] || fail "expected a SYSRET per returning call"
	;;
filters_from_to)
	run --trace=f.txt --trace-from entry_SYSCALL_64 --trace-to do_syscall_64 "$g/scall" >/dev/null 2>&1 || fail "status $?"
	head -1 f.txt | grep -q ' entry_SYSCALL_64 .*swapgs' || fail "does not start at entry_SYSCALL_64: $(head -1 f.txt)"
	tail -1 f.txt | grep -q ' do_syscall_64 ' || fail "does not end at do_syscall_64: $(tail -1 f.txt)"
	[ "$(grep -c ' do_syscall_64 ' f.txt)" = "$(grep -c ' entry_SYSCALL_64 ' f.txt)" ] || fail "windows do not pair"
	grep -q 'x64_sys_call' f.txt && fail "traced past --trace-to"
	run --trace=x.txt --trace-from no_such_symbol "$g/scall" >/dev/null 2>err.txt
	[ $? = 2 ] || fail "unknown symbol: status not 2"
	has err.txt "--trace-from no_such_symbol: no such symbol or address"
	;;
filters_range)
	run --trace=r.txt --trace-range 0x401000-0x401100 "$g/scall" >/dev/null 2>&1 || fail "status $?"
	[ -s r.txt ] || fail "empty trace"
	n=$(awk '{ a = $3; if (a < "0000000000401000" || a >= "0000000000401100") print }' r.txt | wc -l)
	[ "$n" = 0 ] || fail "$n lines outside the range"
	;;
exception_lines)
	run --trace=e.txt --trace-cpl user "$g/fault" segv >/dev/null 2>&1
	[ $? = 139 ] || fail "fault segv: status not 139"
	hasre e.txt ' 3 ---- #PF vector 14 error=0x6 at 0x[0-9a-f]+ cr2=0x0 -> 0x[0-9a-f]+ <asm_exc_14[^>]*> frame@0x[0-9a-f]+: error=0x6 rip=0x[0-9a-f]+ cs=0x33 rflags=0x[0-9a-f]+ rsp=0x[0-9a-f]+ ss=0x2b \|.*cpl=3→0'
	run --trace=e.jsonl --trace-format jsonl --trace-cpl user "$g/fault" segv >/dev/null 2>&1
	hasre e.jsonl '"event":"exception","vector":14,"name":"#PF","soft":false,"error":"0x6","at":"0x[0-9a-f]+","cr2":"0x0","handler":"0x[0-9a-f]+","frame":\{"error":"0x6","rip":'
	run --trace=b.txt --trace-cpl user "$g/fault" trap >/dev/null 2>&1
	hasre b.txt ' ---- #BP vector 3 \(software INT\)'
	;;
syntax_att)
	run --trace=a.txt --syntax att --trace-cpl user "$g/scall" >/dev/null 2>&1 || fail "status $?"
	hasre a.txt ' (mov|movq) %rsp, %rdi '
	run --trace=i.txt --trace-cpl user "$g/scall" >/dev/null 2>&1 || fail "status $?"
	hasre i.txt ' mov rdi, rsp '
	;;
strace_seed)
	run --strace "$g/scall" >out.txt 2>st.txt || fail "status $?"
	line out.txt "hello"
	hasre st.txt '^execve\("[^"]*/scall", \["[^"]*"(\.\.\.)?\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/\) += 0$'
	sline st.txt 'write(1, "hello\n", 6)' 6
	sline st.txt 'exit_group(0)' '?'
	line st.txt '+++ exited with 0 +++'
	hasre st.txt '^arch_prctl\(ARCH_SET_FS, 0x[0-9a-f]+\) += 0$'
	[ "$(tail -1 st.txt)" = "+++ exited with 0 +++" ] || fail "last line: $(tail -1 st.txt)"
	[ "$(head -1 st.txt | cut -c1-7)" = "execve(" ] || fail "first line: $(head -1 st.txt)"
	run --strace --strace-output=o.txt "$g/exitcode" 3 >/dev/null 2>&1
	sline o.txt 'exit_group(3)' '?'
	line o.txt '+++ exited with 3 +++'
	# a long call: one space before "="
	run --strace "$g/files" >/dev/null 2>fl.txt || fail "files: status $?"
	line fl.txt 'open("lstar-files.tmp/a.txt", O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE, 0666) = 3'
	;;
strace_errors)
	run --strace "$g/files" >/dev/null 2>st.txt || fail "status $?"
	hasre st.txt '^stat\("/definitely/not/here", 0x[0-9a-f]+\) = -1 ENOENT \(No such file or directory\)$'
	sline st.txt 'access("lstar-files.tmp/a.txt", F_OK)' '-1 ENOENT (No such file or directory)'
	sline st.txt 'read(3, "one", 3)' 3
	hasre st.txt '^fstat\(3, \{st_mode=S_IFREG\|0644, st_size=18, \.\.\.\}\) += 0$'
	hasre st.txt '^getdents64\(3, 0x[0-9a-f]+ /\* 3 entries \*/, 2048\) += 80$'
	sline st.txt 'fcntl(3, F_SETFD, FD_CLOEXEC)' 0
	run --strace "$g/sysabi" >/dev/null 2>sa.txt || fail "sysabi status $?"
	hasre sa.txt '^syscall_0x3e8\(0x[0-9a-f]+, .*\) = -1 ENOSYS \(Function not implemented\)$'
	# strings are cut at 32 bytes with ...
	hasre sa.txt '^writev\(1, \[\{iov_base="rax = -1: -38\\nrax = 1000: -38\\nra"\.\.\., iov_len=344\}'
	# a bad pointer prints as the address, the program goes on
	run --strace "$g/syscalls" >/dev/null 2>sc.txt || fail "syscalls status $?"
	sline sc.txt 'write(1, 0x8, 1)' '-1 EFAULT (Bad address)'
	sline sc.txt 'read(0, NULL, 1)' 0
	;;
strace_fault)
	run --strace "$g/fault" segv >/dev/null 2>st.txt
	[ $? = 139 ] || fail "status not 139"
	line st.txt '--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---'
	line st.txt '+++ killed by SIGSEGV +++'
	run --strace "$g/fault" ill >/dev/null 2>il.txt
	hasre il.txt '^--- SIGILL \{si_signo=SIGILL, si_code=ILL_ILLOPN, si_addr=0x[0-9a-f]+\} ---$'
	line il.txt '+++ killed by SIGILL +++'
	;;
strace_signals)
	# a handler entered: the call it interrupted, the signal, rt_sigreturn
	run --strace "$g/signals" >/dev/null 2>st.txt
	[ $? = 143 ] || fail "status not 143"
	hasre st.txt '^rt_sigaction\(SIGUSR1, \{sa_handler=0x[0-9a-f]+, sa_mask=\[USR2\], sa_flags=SA_RESTORER, sa_restorer=0x[0-9a-f]+\}, NULL, 8\) = 0$'
	line st.txt '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=42, si_uid=0} ---'
	sline st.txt 'rt_sigreturn({mask=[]})' 0
	line st.txt 'rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1 RT_2], [], 8) = 0'
	hasre st.txt '^--- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10\} ---$'
	sline st.txt 'write(4, "x", 1)' '-1 EPIPE (Broken pipe)'
	line st.txt '+++ killed by SIGTERM +++'
	run --strace "$g/timers" >/dev/null 2>ti.txt
	hasre ti.txt '^nanosleep\(\{tv_sec=3, tv_nsec=0\}, \{tv_sec=[0-9]+, tv_nsec=[0-9]+\}\) = -1 EINTR \(Interrupted system call\)$'
	line ti.txt '--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---'
	line ti.txt '+++ killed by SIGALRM +++'
	;;
strace_fork)
	# strace -f's view: the parent's fork returns the child's pid, the
	# child's lines carry "[pid N] " while both are alive, a call another
	# task's line interrupts is "<unfinished ...>" and "<... resumed>",
	# each task ends with its own "+++" line
	run --strace "$g/fork" >/dev/null 2>st.txt || fail "status $?"
	# the line began when the parent was alone: no prefix
	sline st.txt 'fork()' 43
	pline st.txt 43 'gettid()' 43
	pline st.txt 43 'write(4, "from child", 10)' 10
	pline st.txt 43 'exit_group(7)' '?'
	line st.txt '[pid    43] +++ exited with 7 +++'
	line st.txt '[pid    42] read(3,  <unfinished ...>'
	# the child's end leaves the parent alone again: no prefix
	hasre st.txt '^<\.\.\. read resumed>"from child", 31\) += 10$'
	hasre st.txt '^wait4\(43, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 7\}\], 0, NULL\) = 43$'
	# the SIGCHLD Linux reports to strace although the parent ignores it
	line st.txt '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=43, si_uid=0, si_status=7, si_utime=0, si_stime=0} ---'
	line st.txt '[pid    44] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---'
	line st.txt '[pid    44] +++ killed by SIGSEGV +++'
	hasre st.txt '^<\.\.\. wait4 resumed>\[\{WIFSIGNALED\(s\) && WTERMSIG\(s\) == SIGSEGV\}\], 0, NULL\) += 44$'
	line st.txt '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=44, si_uid=0, si_status=SIGSEGV, si_utime=0, si_stime=0} ---'
	# posix_spawn: the parent's vfork-like clone waits for the child's exec
	hasre st.txt '^clone\(child_stack=0x[0-9a-f]+, flags=CLONE_VM\|CLONE_VFORK\|SIGCHLD <unfinished \.\.\.>$'
	hasre st.txt '^\[pid    46\] execve\("/bin/busybox", \["busybox", "echo", "spawned"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/\) = 0$'
	line st.txt '[pid    46] +++ exited with 0 +++'
	hasre st.txt '^<\.\.\. clone resumed>\) += 46$'
	# every cut call is resumed; no old-style lines
	[ "$(grep -c '<unfinished \.\.\.>$' st.txt)" = "$(grep -c '<\.\.\. [a-z0-9_]* resumed>' st.txt)" ] ||
		fail "unfinished and resumed lines do not pair"
	grep -q '^+++ child ' st.txt && fail "the old run-to-completion lines"
	[ "$(tail -1 st.txt)" = "+++ exited with 0 +++" ] || fail "last line: $(tail -1 st.txt)"
	if [ -x "$g/fork-glibc" ]; then
		# glibc forks with clone and spawns with clone3: strace's spelling
		run --strace "$g/fork-glibc" >/dev/null 2>gl.txt || fail "fork-glibc: status $?"
		hasre gl.txt '^clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD, child_tidptr=0x[0-9a-f]+\) += 43$'
		hasre gl.txt '^clone3\(\{flags=CLONE_VM\|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x[0-9a-f]+, stack_size=0x[0-9a-f]+\}, 88 <unfinished \.\.\.>$'
		hasre gl.txt '^<\.\.\. clone3 resumed>\) += 46$'
	fi
	run --strace "$g/fault" abort >/dev/null 2>ab.txt
	line ab.txt '--- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=42, si_uid=0} ---'
	line ab.txt '+++ killed by SIGABRT +++'
	;;
strace_sigchld)
	# GUESTS is this test's own build directory here (sigchld.c)
	run --strace "$g/sigchld" >/dev/null 2>st.txt || fail "status $?"
	hasre st.txt '^rt_sigaction\(SIGCHLD, \{sa_handler=0x[0-9a-f]+, sa_mask=\[\], sa_flags=SA_RESTORER, sa_restorer=0x[0-9a-f]+\}, NULL, 8\) += 0$'
	line st.txt '[pid    43] +++ exited with 5 +++'
	# the handler's SIGCHLD, from the frame: once (not also as a dropped one)
	hasre st.txt '^--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=43, si_uid=[0-9]+, si_status=[0-9]+, si_utime=[0-9]+, si_stime=[0-9]+\} ---$'
	[ "$(grep -c '^--- SIGCHLD' st.txt)" = 1 ] || fail "SIGCHLD printed $(grep -c '^--- SIGCHLD' st.txt) times"
	hasre st.txt '^rt_sigreturn\(\{mask=\[\]\}\) += '
	# as natively: wait4 finds the ended child before the SIGCHLD handler
	# runs (the wake-up looks for children first), so the call returns
	# the pid, and rt_sigreturn gives that result back
	line st.txt '<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 5}], 0, NULL) = 43'
	line st.txt 'rt_sigreturn({mask=[]})                 = 43'
	;;
strace_tasks)
	# GUESTS is this test's own build directory here (tasks.c): threads,
	# a child killed by its parent, a thread blocked when the process ends
	run --strace "$g/tasks" >out.txt 2>st.txt
	[ $? = 3 ] || fail "status not 3"
	line out.txt "thread"
	hasre st.txt '^clone\(child_stack=0x[0-9a-f]+, flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|CLONE_SYSVSEM\|CLONE_SETTLS\|CLONE_PARENT_SETTID\|CLONE_CHILD_CLEARTID\|0x400000, parent_tid=\[43\], tls=0x[0-9a-f]+, child_tidptr=0x[0-9a-f]+\) = 43$'
	pline st.txt 43 'write(1, "thread\n", 7)' 7
	pline st.txt 43 'exit(0)' '?'
	line st.txt '[pid    43] +++ exited with 0 +++'
	# the child in pause() when its parent kills it: the call, the
	# signal with its sender, the end
	line st.txt '[pid    44] pause( <unfinished ...>'
	pline st.txt 42 'kill(44, SIGTERM)' 0
	line st.txt '[pid    44] <... pause resumed>)        = ?'
	line st.txt '[pid    44] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=42, si_uid=0} ---'
	line st.txt '[pid    44] +++ killed by SIGTERM +++'
	line st.txt '--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=44, si_uid=0, si_status=SIGTERM, si_utime=0, si_stime=0} ---'
	# the process ends with a thread in read(): it never returns
	line st.txt '[pid    45] read(3,  <unfinished ...>'
	pline st.txt 42 'exit_group(3)' '?'
	line st.txt '[pid    42] +++ exited with 3 +++'
	line st.txt '<... read resumed> <unfinished ...>)    = ?'
	[ "$(tail -1 st.txt)" = "+++ exited with 3 +++" ] || fail "last line: $(tail -1 st.txt)"
	# every task's end once
	[ "$(grep -c '+++ exited\|+++ killed' st.txt)" = 4 ] || fail "$(grep -c '+++' st.txt) ends, not 4"
	# --strace-icount comes first, strace's leader after it
	run --strace-icount "$g/tasks" >/dev/null 2>ic.txt
	hasre ic.txt '^\[ *[0-9]+\] \[pid    43\] write\(1, "thread\\n", 7\) += 7$'
	hasre ic.txt '^\[ *[0-9]+\] \[pid    42\] <\.\.\. read resumed>"r", 1\) += 1$'
	# the summary counts every task's calls
	run --strace=summary "$g/tasks" >/dev/null 2>su.txt
	hasre su.txt '^ *[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +2 +clone$'
	hasre su.txt '^ *[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +1 +exit$'
	run --strace=summary "$g/tasks" >/dev/null 2>su2.txt
	cmp -s su.txt su2.txt || fail "two summaries differ"
	;;
trace_tasks)
	# the instruction trace names the task: text, JSON Lines, Tenet
	# (--seed: the program's sleeps take no host time)
	run --seed 1 --trace=t.txt --trace-syscalls "$g/tasks" >/dev/null 2>&1
	hasre t.txt '^ +[0-9]+ 0 ---- task 43 \(tasks\) in process 42$'
	hasre t.txt '^ +[0-9]+ 0 ---- task 44 \(tasks\)$'
	hasre t.txt '^ +[0-9]+ 0 ---- task 42 \(tasks\)$'
	# a task line comes only when the task changes, before its first line
	awk '/ ---- task / { if ($5 == last) { print "twice: " $0; bad = 1 } last = $5 }
	     END { exit bad }' t.txt || fail "a task announced twice in a row"
	# still only the syscall windows: the user lines are SYSCALLs
	n=$(grep -cE ' 3 [0-9a-f]{16} ' t.txt)
	m=$(grep -cE ' syscall +\|' t.txt)
	[ "$n" = "$m" ] || fail "$n user lines but $m SYSCALLs"
	# a user-only trace: the task lines carry CPL 3 as the lines after them
	run --seed 1 --trace=u.txt --trace-cpl user "$g/tasks" >/dev/null 2>&1
	hasre u.txt '^ +[0-9]+ 3 ---- task 44 \(tasks\)$'
	n=$(awk '$2 != 3' u.txt | wc -l)
	[ "$n" = 0 ] || fail "$n non-user lines with --trace-cpl user"
	# an external interrupt is its own line; the handler runs at CPL 0
	run --seed 1 --trace=a.txt "$g/tasks" >/dev/null 2>&1
	# (tasks.c never computes long: its timer interrupts come while the
	# CPU idles in the kernel; one that takes a spinning user task is in
	# trace_sched_walkthrough)
	hasre a.txt '^ +[0-9]+ [03] ---- INT vector 236 \(external interrupt\) at 0x[0-9a-f]+ -> 0x[0-9a-f]+ <asm_sysvec_apic_timer_interrupt\+0x0> frame@0x[0-9a-f]+: rip=0x[0-9a-f]+ cs=0x(33|10) '
	grep -A1 ' ---- INT vector 236 ' a.txt | grep ' asm_sysvec_apic_timer_interrupt ' |
		awk '$2 != 0 { print; bad = 1 } END { exit bad }' || fail "a handler's first line not at CPL 0"
	[ "$(grep -c ' ---- INT vector 236 ' a.txt)" -ge 2 ] || fail "no timer interrupts"
	# JSON Lines: "tid" on every record from the kernel's first switch on,
	# tgid and comm when it changes; none in a one-task program's trace
	run --seed 1 --trace=t.jsonl --trace-format jsonl --trace-syscalls "$g/tasks" >/dev/null 2>&1
	n=$(sed -n '/"tid":/,$p' t.jsonl | grep -vc '"tid":[0-9]*[,}]')
	[ "$n" = 0 ] || fail "$n records without tid after the first switch"
	hasre t.jsonl '"tid":43,"tgid":42,"comm":"tasks"\}$'
	hasre t.jsonl '"event":"exception","vector":236,"name":"INT","soft":false,"external":true,'
	if command -v python3 >/dev/null 2>&1; then
		python3 - t.jsonl <<'PY' || fail "a record is not valid JSON, or tid does not follow the task lines"
import json, sys
tid = None
for n, l in enumerate(open(sys.argv[1]), 1):
    o = json.loads(l)
    if tid is not None or "tid" in o:
        assert isinstance(o["tid"], int), n
        if o["tid"] != tid:
            assert "tgid" in o, (n, "no tgid where the task changes")
        tid = o["tid"]
assert tid is not None, "no tid at all"
PY
	fi
	run --seed 1 --trace=one.jsonl --trace-format jsonl --trace-cpl user "$(dirname "$lstar")/guests/scall" >/dev/null 2>&1
	grep -q '"tid"' one.jsonl && fail "a one-task program's records have tid"
	# Tenet: a side-car record where the task changes
	run --seed 1 --trace=t.tenet --trace-format tenet --trace-syscalls "$g/tasks" >/dev/null 2>&1
	hasre t.tenet.side.jsonl '^\{"line":[0-9]+,"seq":[0-9]+,"tid":44,"tgid":44,"comm":"tasks"\}$'
	# --stats: context switches, timer interrupts, idle time
	run --seed 1 --stats "$g/tasks" >/dev/null 2>s.txt
	hasre s.txt '^  context switches +[1-9][0-9]* +\(4 tasks ran\)$'
	hasre s.txt '^  timer interrupts +[1-9][0-9]* +\(vector 0xec\)$'
	hasre s.txt '^    INT  vector 236 +[1-9][0-9]*$'
	hasre s.txt '^    halted \(HLT\) +[0-9.]+ ms +\([0-9.]+%\)$'
	hasre s.txt '^    idle task insns +[1-9][0-9]*$'
	;;
strace_summary)
	run --strace=summary "$g/scall" >/dev/null 2>st.txt || fail "status $?"
	has st.txt '% insns  kernel insns  insns/call   user/call     calls    errors syscall'
	hasre st.txt '^ *[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +1 +write$'
	hasre st.txt '^100\.00 +[0-9]+ +[0-9]+ +4 +0 total$'
	grep -q 'hello' st.txt && fail "summary mode printed call lines"
	# exact and deterministic: two runs agree
	run --strace=summary "$g/scall" >/dev/null 2>st2.txt
	cmp -s st.txt st2.txt || fail "two runs differ"
	;;
strace_icount)
	run --strace-icount "$g/scall" >/dev/null 2>st.txt || fail "status $?"
	hasre st.txt '^\[ *[0-9]+\] write\(1, "hello\\n", 6\) += 6$'
	# the number is the SYSCALL's sequence number in the trace
	n=$(sed -n 's/^\[ *\([0-9]*\)\] write(.*/\1/p' st.txt)
	run --trace=t.txt --trace-syscalls "$g/scall" >/dev/null 2>&1
	grep -qE "^ *$n 3 [0-9a-f]{16} .* syscall " t.txt || fail "no SYSCALL with sequence number $n in the trace"
	;;
dyn_symbols)
	# Addresses in the libraries ld.so maps, in ld.so and in the vDSO are
	# named from those files' symbol tables (LSTAR_HC_MAP_EXEC, emu/symbols.c).
	[ -x "$g/vdso-dyn" ] || { echo "skipped: no vdso-dyn guest"; exit 77; }
	run --trace=t.txt --trace-cpl user "$g/vdso-dyn" calls >out.txt 2>/dev/null || fail "status $?"
	line out.txt "vdso: present, 500 calls made"
	hasre t.txt '^ +[0-9]+ 3 [0-9a-f]{16} (write|__GI___libc_write|__libc_write)\+0x[0-9a-f]+ +0f 05 +syscall '
	hasre t.txt '^ +[0-9]+ 3 [0-9a-f]{16} (__vdso_)?clock_gettime +'
	hasre t.txt '^ +[0-9]+ 3 [0-9a-f]{16} (do_hres|(__vdso_)?(gettimeofday|clock_gettime))\+0x[0-9a-f]+ +0f 31 +rdtsc '
	# the program's own symbols still (the firmware loaded it)
	hasre t.txt '^ +[0-9]+ 3 [0-9a-f]{16} main\+0x[0-9a-f]+ '
	;;
maps_paths)
	# /proc/self/maps names file mappings by their resolved paths, with
	# the file's device and inode, and shows [vdso] and [vvar], as Linux.
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null)
	[ -x /bin/cat ] && [ -f "$libc" ] || { echo "skipped: no dynamic /bin/cat"; exit 77; }
	run /bin/cat /proc/self/maps >m.txt || fail "status $?"
	ino=$(stat -Lc %i "$libc")
	hasre m.txt "^[0-9a-f]+-[0-9a-f]+ r-xp [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} $ino +$libc\$"
	# the name starts in column 74, as Linux's seq_pad puts it
	awk -v p="$libc" '$6 == p && index($0, p) != 74 { bad = 1 } END { exit bad }' m.txt ||
		fail "the path is not in column 74"
	hasre m.txt '^[0-9a-f]+-[0-9a-f]+ r--p 00000000 00:00 0 +\[vvar\]$'
	hasre m.txt '^[0-9a-f]+-[0-9a-f]+ r-xp 00000000 00:00 0 +\[vdso\]$'
	hasre m.txt '^[0-9a-f]+-[0-9a-f]+ rw-p 00000000 00:00 0 $'
	;;
stats)
	run --stats "$g/scall" >/dev/null 2>st.txt || fail "status $?"
	hasre st.txt '^    at CPL 3 \(user\) +[0-9]+$'
	hasre st.txt '^    at CPL 0 \(kernel\) +[0-9]+$'
	hasre st.txt '^  system calls +4 '
	hasre st.txt '^    write +1 +[0-9]+ kernel insns/call$'
	hasre st.txt '^  guest speed +[0-9.]+ MIPS'
	run --stats "$g/fault" segv >/dev/null 2>sf.txt
	hasre sf.txt '^    #PF  vector 14 +1$'
	;;
tracediff_same)
	run --trace=a.jsonl --trace-format jsonl --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "status $?"
	run --trace=b.jsonl --trace-format jsonl --trace-syscalls "$g/scall" >/dev/null 2>&1 || fail "status $?"
	"$lstar" tracediff a.jsonl b.jsonl >d.txt || fail "tracediff status $? for two runs of one program"
	hasre d.txt '^traces are the same \([0-9]+ lines\)$'
	;;
tracediff_differ)
	run --trace=a.jsonl --trace-format jsonl --trace-cpl user "$g/scall" >/dev/null 2>&1 || fail "status $?"
	# change one register value on line 50
	sed '50s/"regs":{"\([a-z0-9]*\)":\["\(0x[0-9a-f]*\)","0x[0-9a-f]*"\]/"regs":{"\1":["\2","0x1234"]/' a.jsonl >b.jsonl
	cmp -s a.jsonl b.jsonl && sed -i '50s/"rip":"0x[0-9a-f]*"/"rip":"0x1234"/' b.jsonl
	"$lstar" tracediff --context 3 a.jsonl b.jsonl >d.txt
	[ $? = 1 ] || fail "tracediff status not 1"
	hasre d.txt '^traces differ at line 50: (regs\.[a-z0-9]+\[1\]|rip): .*0x1234'
	has d.txt 'last 3 common lines:'
	head -n 40 a.jsonl >c.jsonl
	"$lstar" tracediff a.jsonl c.jsonl >e.txt
	[ $? = 1 ] || fail "truncated trace: status not 1"
	has e.txt 'B ends at line 40, A goes on'
	"$lstar" tracediff a.jsonl >/dev/null 2>&1
	[ $? = 2 ] || fail "one file: status not 2"
	;;
tracediff_vendor)
	# With --seed nothing of the host differs between the runs: the first
	# divergence is the kernel's CPUID (create_elf_tables, AT_HWCAP).
	run --seed 1 --trace=i.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	run --seed 1 --vendor amd --trace=a.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	"$lstar" tracediff i.jsonl a.jsonl >d.txt
	s=$?
	[ $s = 1 ] || fail "status $s, not 1"
	hasre d.txt '^traces differ at line [0-9]+: regs\.'
	hasre d.txt '^A: .* cpuid$'
	;;
stderr_order)
	# A trace on standard error is put out before the guest's own output
	# reaches the same terminal: "hello" comes right before the line of
	# the OUT that hands the write to the host-call device.
	run --trace --trace-syscalls "$g/scall" >o.txt 2>&1 || fail "status $?"
	n=$(grep -n '^hello$' o.txt | cut -d: -f1)
	[ -n "$n" ] || fail "no hello in the output"
	sed -n "$((n + 1))p" o.txt | grep -qE ' 0 [0-9a-f]{16} hostcall[+0-9a-fx]* +ef +out dx, eax' ||
		fail "after hello: $(sed -n "$((n + 1))p" o.txt | cut -c1-120)"
	[ "$n" -gt 100 ] || fail "hello at line $n: the trace did not come first"
	;;
rep_accesses)
	# A REP string instruction lists its first 64 accesses, then counts the
	# rest: once the trace has its 64, lstar finishes the instruction in
	# bulk and reports the count (cpu_hooks.mem_each), which must be the
	# element path's exactly: RCX elements for STOS, two accesses an
	# element for MOVS.
	run --trace=t.txt "$g/scall" >/dev/null 2>&1 || fail "status $?"
	run --trace=t.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	awk 'function hex(x,   i, n) {   # "0x..." to a number (mawk has no strtonum)
		n = 0
		for (i = 3; i <= length(x); i++)
			n = n * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
		return n
	}
	/ rep (stos|movs)b +\|.*more accesses/ {
		if (!match($0, /rcx=0x[0-9a-f]+→0x[0-9a-f]+/)) { print "no rcx: " $0; bad++; next }
		split(substr($0, RSTART + 4, RLENGTH - 4), v, "→")
		n = hex(v[1]) - hex(v[2])
		match($0, /\(\+[0-9]+ more accesses\)/)
		more = substr($0, RSTART + 2, RLENGTH - 2) + 0
		per = / rep movsb / ? 2 : 1
		if (more != per * n - 64) { print "expected " per * n - 64 ": " substr($0, 1, 120); bad++ }
		if (/ rep movsb /) movs++; else stos++
		# exactly 64 listed
		k = gsub(/ [RW] 0x[0-9a-f]+:[1248]=0x[0-9a-f]+/, "&")
		if (k != 64) { print k " accesses listed"; bad++ }
	} END { if (!movs || !stos) { print "no long rep movsb/stosb (" movs "/" stos ")"; bad++ } exit bad != 0 }' t.txt \
		|| fail "REP access counts"
	n=$(grep -c '"mem_dropped":' t.jsonl)
	[ "$n" = "$(grep -c 'more accesses' t.txt)" ] || fail "$n jsonl records with mem_dropped"
	;;
seed_reproducible_threads)
	# --seed with several threads and processes: the timer interrupts,
	# hence the interleaving, follow the instruction count, so two runs
	# make the same calls in the same order and retire the same
	# instructions at each privilege level.
	for prog in threads gothreads; do
		[ -x "$g/$prog" ] || continue
		for k in 1 2; do
			env -i "$lstar" run --seed 3 --stats --strace-output "s$k.txt" "$g/$prog" \
				>"o$k.txt" 2>"e$k.txt" || fail "$prog: status $?"
		done
		cmp -s s1.txt s2.txt || fail "$prog: the strace views of two --seed 3 runs differ"
		# (wall time and speed are the host's)
		grep -v 'wall time\|guest speed' e1.txt >f1.txt
		grep -v 'wall time\|guest speed' e2.txt >f2.txt
		cmp -s f1.txt f2.txt || fail "$prog: the --stats of two --seed 3 runs differ"
		cmp -s o1.txt o2.txt || fail "$prog: the outputs of two --seed 3 runs differ"
		grep -q 'clone' s1.txt || fail "$prog: no clone in the strace view"
	done
	;;
seed_reproducible)
	# --seed: whole runs repeat exactly (random bytes, clocks, sleeps).
	env -i "$lstar" run --seed 1 --trace=a.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	env -i "$lstar" run --seed 1 --trace=b.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	cmp a.jsonl b.jsonl || fail "two runs with --seed 1 differ"
	"$lstar" tracediff a.jsonl b.jsonl >d.txt || fail "tracediff: status $?"
	hasre d.txt "^traces are the same \\([0-9]+ lines\\)\$"
	env -i "$lstar" run --seed 2 --trace=c.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	"$lstar" tracediff a.jsonl c.jsonl >d2.txt
	[ $? = 1 ] || fail "--seed 1 and --seed 2 runs do not differ"
	# without --seed the boot info's random bytes differ from run to run
	env -i "$lstar" run --trace=e.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	env -i "$lstar" run --trace=f.jsonl --trace-format jsonl "$g/scall" >/dev/null 2>&1 || fail "status $?"
	cmp -s e.jsonl f.jsonl && fail "two runs without --seed are identical (random bytes not random?)"
	# sleeps and timers follow the instruction count: same output, no waiting
	for k in 1 2; do
		"$lstar" run --seed 5 "$g/timers" >t$k.txt 2>&1
		echo "status $?" >>t$k.txt
	done
	cmp t1.txt t2.txt || fail "timers differs between two --seed 5 runs"
	has t1.txt "sleep cut short: 1, alarms 1"
	has t1.txt "status 142"
	;;
usage_errors)
	for args in "--trace-format bogus --trace" "--trace-cpl user" "--trace --trace-format tenet" \
		    "--trace --trace-range 5-1" "--strace=bogus" "--trace --syntax nasm" \
		    "--seed bogus" "--seed -1" "--seed 0x"; do
		# shellcheck disable=SC2086
		run $args "$g/scall" >/dev/null 2>err.txt
		s=$?
		[ $s = 2 ] || fail "'$args': status $s, not 2"
		head -1 err.txt | grep -q '^lstar: ' || fail "'$args': no one-line reason"
	done
	"$lstar" --help | grep -q -- '--trace-format F' || fail "--help does not list --trace-format"
	;;
*)
	fail "unknown case"
	;;
esac
exit 0
