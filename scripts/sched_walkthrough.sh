#!/bin/sh
# scripts/sched_walkthrough.sh [--check|--update] [BUILD_DIR]
#
# The scheduler chapter of docs/kernel.md and exercise 7 quote real traces
# of guests/sched_demo and of a busybox pipeline: every block between
# "<!-- sched:NAME -->" and "<!-- /sched:NAME -->" is replaced by excerpt
# NAME.  --update rewrites the documents; --check (the default, and the
# ctest case trace_sched_walkthrough) fails if they no longer match what
# lstar prints.
#
# Besides the excerpts, the runs must show what the chapter teaches, or
# the script fails in both modes ("fact: ..."):
#   - apic_init programs the LVT timer with vector 0xec in TSC-deadline
#     mode, idt_setup_traps puts asm_sysvec_apic_timer_interrupt in gate
#     0xec, and the CPU reads that gate when the timer interrupt comes;
#   - a task that computes without system calls loses the CPU to the
#     timer: user instructions of spin_parent, then the interrupt, then
#     __switch_to_asm, then user instructions of spin_child; about one
#     switch per time slice (4 ms = 4,000,000 instructions);
#   - CR3 changes at every switch between the two processes and at none
#     between the two threads; __switch_to_asm moves RSP from one kernel
#     stack to another;
#   - a reader of an empty pipe sleeps in pipe_read and the new child runs
#     its first instructions through ret_from_fork_asm with RAX = 0;
#   - the child's write wakes the reader (wake_up_process from pipe_write);
#   - with every task asleep until a deadline, the idle task runs HLT;
#   - two tasks waiting for each other end the machine with status 125.
#
# The analysis reads the instruction lines of the text trace (sequence
# number, CPL, RIP, symbol, ...).  Of the other lines, the excerpts quote
# them as they come (task switches, interrupts), and two facts read them:
# the timer interrupt's line must name vector 236, and the #PF lines with
# error code 7 show copy-on-write.  Runs use --seed 1, an empty environment and paths
# of fixed length, so every number is the same on every machine.
#
# Exit status: 0 all matches, 1 a document or a fact differs, 77 skipped
# (no musl-gcc, so no sched_demo, or no busybox).
#
# SCHED_KERNEL=FILE runs every program on that kernel ELF (lstar run
# --kernel) instead of the built-in one: the facts then tell whether a
# changed kernel still does what the chapter says.
set -u
mode=--check
case ${1:-} in --check|--update) mode=$1; shift ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
[ -d "$build" ] && build=$(cd "$build" && pwd)
lstar=$build/lstar
kelf=${SCHED_KERNEL:-$build/kernel_model/lstar-kernel.elf}
kopt=
[ -n "${SCHED_KERNEL:-}" ] && kopt="--kernel $SCHED_KERNEL"
demo=$build/guests/sched_demo
busybox=/bin/busybox
for f in "$lstar" "$demo" "$kelf"; do
	[ -e "$f" ] || { echo "sched_walkthrough.sh: $f is missing (build first; sched_demo needs musl-gcc)"; exit 77; }
done
[ -x "$busybox" ] || { echo "sched_walkthrough.sh: skipped: $busybox is missing (apt install busybox-static)"; exit 77; }

d=$(mktemp -d /tmp/lstar-sw.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$d"' EXIT
cp "$demo" "$d/sched_demo"
cd "$d"
mkdir x
export LC_ALL=C
# lstar with the reproducible settings; its status is kept in $d/status
L() {	# L MAX_INSNS ARGS...: no run may go on for ever (a trace of a broken
	# kernel would fill the disk); a run cut short ends with status 124
	s=0
	lim=$1; shift
	# shellcheck disable=SC2086
	env -i "$lstar" run --seed 1 --max-insns "$lim" $kopt "$@" || s=$?
	echo "$s" >"$d/status"
}

status=0
fact() {	# fact CONDITION-STATUS MESSAGE: "fact" 0 when it holds
	if [ "$1" != 0 ]; then
		echo "fact: $2"
		status=1
	fi
}

# Kernel and program symbols: address of NAME (hex, no 0x).
ksym() { nm "$kelf" | awk -v s="$1" '$3 == s { print $1; exit }'; }
usym() { nm "$d/sched_demo" | awk -v s="$1" '$3 == s { print $1; exit }'; }
# ADDR + N for a 16-digit hex address (sh arithmetic is signed 64-bit:
# the two halves separately; nothing here crosses a 4 GiB boundary).
addhex() { printf '%s%08x\n' "${1%????????}" "$((0x${1#????????} + $2))"; }
# Kernel function LO-HI from nm -S (C functions have a size).
krange() {
	# shellcheck disable=SC2046
	set -- $(nm -S "$kelf" | awk -v s="$1" '$4 == s { print $1, $2; exit }')
	printf '0x%s-0x%s\n' "$1" "$(addhex "$1" "$((0x$2))")"
}
schedule=$(ksym schedule)
sleep_on=$(ksym sleep_on)
sleep_on_wq=$(ksym sleep_on_wq)
hostcall=$(ksym hostcall)
switch_asm=$(ksym __switch_to_asm)
idt_table=$(ksym idt_table)
timer_entry=$(ksym asm_sysvec_apic_timer_interrupt)
gate=$(addhex "$idt_table" $((0xec * 16)))

# Trace lines lose their column padding in the documents.
squeeze() { sed 's/   */  /g; s/ *$//'; }
# Instruction lines only: the RIP column is 16 hex digits.
insns() { awk 'length($3) == 16 && $3 ~ /^[0-9a-f]+$/' "$@"; }

# ---- the awk programs ----------------------------------------------------
# events.awk: one line per context switch (a __switch_to_asm), with what
# surrounds it, from a trace's instruction lines:
#   seq entry entry_seq prev_seq prev_sym why caller cr3 rsp prev next
#   next_seq next_sym timers next_pid
# entry: the kernel's first symbol after the last user instruction; why:
# the function that called schedule(); caller: the one that called
# sleep_on() or sleep_on_wq() (or -); cr3 OLD>NEW or - ; rsp OLD>NEW (the stack swap);
# prev/next: the task_struct addresses; timers: timer-interrupt entries
# between the two user instructions; next_pid: the pid context_switch
# hands to the host-call device (hostcall(LSTAR_HC_TASK = 0x27, next->pid, ...))
# just before the switch.
cat >events.awk <<'EOF'
function strtonum_(h,   i, v) {	# mawk has no strtonum
	v = 0; h = tolower(substr(h, 3))
	for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
	return v
}
function sym(   a) {	# symbol+offset, or the address where there is none
	if ($4 !~ /^[0-9a-f][0-9a-f]$/) return $4
	a = $3; sub(/^0+/, "", a); return "0x" a
}
function base(s) { sub(/\+0x[0-9a-f]+$/, "", s); return s }
function user() { return substr($3, 1, 4) != "ffff" }
function chg(name,   v) {	# "OLD>NEW" of a change "name=OLD→NEW", or ""
	if (!match($0, " " name "=0x[0-9a-f]+\342\206\2220x[0-9a-f]+")) return ""
	v = substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
	sub(/\342\206\222/, ">", v); return v
}
{
	if (user()) {
		if (open) {
			for (k = 1; k <= n; k++) print sw[k] "\t" $1 "\t" sym() "\t" timers "\t" pid[k]
			n = 0; open = 0
		}
		useq = $1; usym = sym(); entry = ""; timers = 0; cr3 = "-"; why = "-"; caller = "-"
		next
	}
	if (entry == "") { entry = base(sym()); eseq = $1 }
	s = sym()
	if (s == "asm_sysvec_apic_timer_interrupt") timers++
	c = chg("cr3"); if (c != "") cr3 = c
	c = chg("rdi"); if (c != "") { sub(/.*>/, "", c); rdi = c }
	c = chg("rsi"); if (c != "") { sub(/.*>/, "", c); rsi = c }
	if ($0 ~ ("call +0x" HOSTCALL " ") && rdi == "0x27") npid = strtonum_(rsi)
	if ($0 ~ ("call +0x" SCHED " ")) why = s
	if ($0 ~ ("call +0x" SLEEP " ") && s !~ /^sleep_on_wq/) caller = s
	if ($0 ~ ("call +0x" SLEEPWQ " ")) caller = s
	if (s == "__switch_to_asm+0xa" && match($0, /W 0x[0-9a-f]+:8=/)) prev = substr($0, RSTART + 2, RLENGTH - 6)
	if (s == "__switch_to_asm+0xd") {
		rsp = chg("rsp")
		match($0, /R 0x[0-9a-f]+:8=/); nxt = substr($0, RSTART + 2, RLENGTH - 6)
		pid[n + 1] = npid
		sw[++n] = swseq "\t" entry "\t" eseq "\t" useq "\t" usym "\t" why "\t" caller "\t" cr3 "\t" rsp "\t" prev "\t" nxt
		open = 1; cr3 = "-"; why = "-"; caller = "-"
	}
	if (s == "__switch_to_asm") swseq = $1
}
EOF

# digest.awk: the lines of a window: other than instruction lines (tasks,
# interrupts, exceptions), user instructions and those matching KEEP (a
# regex on "symbol line") in full, each run of others as one line
# "... N instructions: f g h" (the functions they ran in, in order).
cat >digest.awk <<'EOF'
function flush(   i, s) {
	if (!skipped) return
	s = ""
	for (i = 1; i <= nf; i++) s = s (i > 1 ? " " : "") fns[i]
	printf "        ... %d instruction%s: %s\n", skipped, (skipped > 1 ? "s" : ""), s
	skipped = 0; nf = 0; delete seen
}
$3 == "----" { flush(); print; next }
length($3) != 16 { next }
{
	f = ($4 ~ /^[0-9a-f][0-9a-f]$/) ? "?" : $4
	text = f " " $0
	if (substr($3, 1, 4) != "ffff" || text ~ KEEP) { flush(); print; next }
	b = f; sub(/\+0x[0-9a-f]+$/, "", b)
	if (!(b in seen)) { seen[b] = 1; fns[++nf] = b }
	skipped++
}
END { flush() }
EOF
events() { awk -v SCHED="$schedule" -v SLEEP="$sleep_on" -v SLEEPWQ="$sleep_on_wq" -v HOSTCALL="$hostcall" -f events.awk "$@"; }
window() { awk -v a="$1" -v b="$2" '$1 > b { exit } $1 >= a' "$3"; }
digest() { awk -v KEEP="$1" -f digest.awk | squeeze; }
col() { cut -f"$1"; }
# ---- 1. the clock: apic_init and gate 0xec --------------------------------
L 1000000 --trace=apic.txt --trace-range "$(krange apic_init)" ./sched_demo sleep >/dev/null 2>&1
insns apic.txt | squeeze >x/sched_apic
# the LVT timer write: ECX = 0x832 (IA32_X2APIC_LVT_TIMER), EAX = 0x400ec
awk '/ mov ecx, 0x832 /{ c = 1 } c && / mov eax, 0x400ec /{ e = 1 } c && e && / wrmsr /{ ok = 1 } END { exit !ok }' x/sched_apic
fact $? "apic_init does not write 0x400ec (TSC-deadline mode, vector 0xec) to MSR 0x832"

L 1000000 --trace=idt.txt --trace-range "$(krange idt_setup_traps)" ./sched_demo sleep >/dev/null 2>&1
# the writes into gate 0xec at instructions that run once (not the loop
# that points every vector at asm_spurious_interrupt first)
insns idt.txt | awk -v g="$gate" '
	{ n[$3]++; line[NR] = $0; rip[NR] = $3 }
	END {
		for (i = 1; i <= NR; i++) {
			$0 = line[i]
			if (n[rip[i]] == 1 && match($0, "W 0x" g "|W 0x" substr(g, 1, length(g) - 1) "[0-9a-f]:"))
				print
		}
	}' | squeeze >x/sched_idt
# what the gate holds at the end: the low 16 bits of the handler's address
glow=$(sed -n "s/.*W 0x$gate:2=0x\([0-9a-f]*\).*/\1/p" x/sched_idt | tail -1)
[ "$glow" = "$(echo "$timer_entry" | sed 's/^.*\(....\)$/\1/; s/^0*//')" ]
fact $? "the last write to gate 0xec (idt_table+0xec0) is not asm_sysvec_apic_timer_interrupt's low half ($glow)"

# ---- 2. the tick: two processes that compute (spin) -----------------------
# The whole run is ~12 million instructions.  The trace goes through grep,
# which keeps every line outside the counting loops plus the loop
# instruction just before and just after each: the user side of every
# interruption, and none of the millions of dec/jnz lines.
spin() {	# spin OUT MODE LOOP1 LOOP2
	out=$1; shift; m=$1; shift
	# shellcheck disable=SC2086
	env -i "$lstar" run --seed 1 --max-insns 15000000 $kopt --trace=/dev/stdout ./sched_demo "$m" 3000000 2>/dev/null |
		grep -B1 -A1 -v -F -e " $1" -e " $2" | grep -v '^--$' >"$out"
}
spin spin.txt spin spin_parent spin_child
spin threads.txt threads spin_main spin_thread
insns spin.txt | events >spin.ev
insns threads.txt | events >threads.ev

# The switch the chapter follows: the first one where the timer interrupts
# one loop and the other loop runs next (with --seed 1: the child's, then
# the parent's).
ev=$(awk -F'\t' '$2 == "asm_sysvec_apic_timer_interrupt" &&
	(($5 ~ /^spin_parent/ && $13 ~ /^spin_child/) || ($5 ~ /^spin_child/ && $13 ~ /^spin_parent/)) { print; exit }' spin.ev)
[ -n "$ev" ]
fact $? "no timer interrupt in one loop is followed by __switch_to_asm and then the other loop"
from=$(echo "$ev" | col 5 | sed 's/+.*//')
sw=$(echo "$ev" | col 1); eseq=$(echo "$ev" | col 3); useq=$(echo "$ev" | col 4)
nseq=$(echo "$ev" | col 12)
window "$useq" "$nseq" spin.txt >tick.txt
# the interrupt's own line: vector 236 (0xec), delivered to the handler
# that gate 0xec holds, with the interrupted RIP in the frame
intr=$(window "$useq" "$eseq" tick.txt | grep -m 1 -- ' ---- .*vector 236 ' || true)
case $intr in
*" INT vector 236 (external interrupt) at "*"-> 0x$timer_entry <asm_sysvec_apic_timer_interrupt+0x0>"*) true ;;
*) false ;;
esac
fact $? "the timer interrupt before instruction $eseq is not shown as vector 236 to asm_sysvec_apic_timer_interrupt: '$intr'"
irip=$(echo "$intr" | sed -n 's/.* at \(0x[0-9a-f]*\) .*/\1/p')
urip=$(window "$useq" "$useq" tick.txt | awk '{ a = $3; sub(/^0+/, "", a); print "0x" a }')
frip=$(echo "$intr" | sed -n 's/.*frame@[^ ]* rip=\(0x[0-9a-f]*\) .*/\1/p')
sp=$(usym "${from:-spin_child}")
[ -n "$irip" ] && [ "$irip" = "$frip" ] && [ $((irip - 0x$sp)) -ge 0 ] && [ $((irip - 0x$sp)) -lt 6 ]
fact $? "the interrupt's frame does not hold a RIP in $from's loop (0x$sp): at $irip, frame rip $frip"

# 2a. from the user instruction to schedule()
window "$useq" "$((sw - 1))" tick.txt |
	digest "^(asm_sysvec_apic_timer_interrupt(\\+0x(2|9|26))? |sysvec_apic_timer_interrupt |sysvec_apic_timer_interrupt\\+0x[0-9a-f]+ .*(wrmsr|mov byte ptr)|exit_to_user_mode_prepare(\\+0x[0-9a-f]+ .* call)? |schedule |schedule\\+0x[0-9a-f]+ .*(mov cr3|fxsave64|call +0x$switch_asm))" >x/sched_tick
# 2b. the switch itself and the way out to the other task
window "$sw" "$nseq" tick.txt |
	digest '^(__switch_to_asm|__switch_to( |\+0x[0-9a-f]+ .*(ret|call|fxrstor64))|schedule\+0x[0-9a-f]+ .* ret|exit_to_user_mode_prepare\+0x[0-9a-f]+ .* ret|swapgs_restore_regs_and_return_to_usermode\+0x25 |asm_sysvec_apic_timer_interrupt )' >x/sched_switch

cr3=$(echo "$ev" | col 8); rsp=$(echo "$ev" | col 9)
{
	echo "timer interrupt:   at instruction $eseq, in $(echo "$ev" | col 5) (the last user instruction is #$useq)"
	echo "vector:            236 = 0xec, gate at 0x$gate (idt_table + 0xec * 16), handler 0x$timer_entry"
	echo "frame:             rip=$frip, where $from goes on (its last instruction ran at $urip)"
	echo "schedule() called: by $(echo "$ev" | col 6)"
	echo "CR3:               ${cr3%>*} -> ${cr3#*>}"
	echo "__switch_to_asm:   at instruction $sw, RSP ${rsp%>*} -> ${rsp#*>}"
	echo "timer interrupts:  $(echo "$ev" | col 14) between the two user instructions"
	echo "next user code:    $(echo "$ev" | col 13) at instruction $nseq ($((nseq - useq - 1)) kernel instructions later)"
} >x/sched_tick_facts
case $cr3 in 0x*'>'0x*) [ "${cr3%>*}" != "${cr3#*>}" ] ;; *) false ;; esac
fact $? "no CR3 change at the switch between the two processes' loops ($cr3)"
case $rsp in 0xffff*'>'0xffff*) [ "${rsp%>*}" != "${rsp#*>}" ] ;; *) false ;; esac
fact $? "__switch_to_asm does not move RSP from one kernel stack to another ($rsp)"
[ "$(echo "$ev" | col 10)" != "$(echo "$ev" | col 11)" ]
fact $? "__switch_to_asm saves and loads the same task_struct"

# 2c. every switch of both runs: processes change CR3, threads do not
count() {	# count EVENTS LOOP1 LOOP2: "all timer timer-with-CR3-change loops"
	awk -F'\t' -v a="$2" -v b="$3" '
		{ n++ }
		$2 == "asm_sysvec_apic_timer_interrupt" { t++; if ($8 != "-") c++ }
		($5 ~ "^" a && $13 ~ "^" b) || ($5 ~ "^" b && $13 ~ "^" a) { l++ }
		END { printf "%d %d %d %d\n", n, t, c, l }' "$1"
}
ticks() { awk '$4 == "asm_sysvec_apic_timer_interrupt"' "$1" | wc -l; }
# shellcheck disable=SC2046
set -- $(count spin.ev spin_parent spin_child) $(ticks spin.txt) \
	$(count threads.ev spin_main spin_thread) $(ticks threads.txt)
{
	echo "                                  processes (spin)   threads (threads)"
	printf 'context switches                  %-18s %s\n' "$1" "$6"
	printf '  on the way out of a timer tick  %-18s %s\n' "$2" "$7"
	printf '    with a CR3 change             %-18s %s\n' "$3" "$8"
	printf '  from one loop to the other      %-18s %s\n' "$4" "$9"
	printf 'timer interrupts                  %-18s %s\n' "$5" "${10}"
} >x/sched_counts
# 2 x 3,000,000 steps of 2 instructions in each task: 12 million
# instructions, 4 million a slice: two preemptions at least.
[ "$2" -ge 2 ] && [ "$2" = "$3" ] && [ "$4" -ge 1 ]
fact $? "processes: $2 switches by the timer, $3 of them with a CR3 change, $4 from loop to loop"
[ "$7" -ge 2 ] && [ "$8" = 0 ] && [ "$9" -ge 1 ]
fact $? "threads: $7 switches by the timer, $8 of them with a CR3 change (none expected), $9 from loop to loop"

# ---- 3. a pipe: the reader sleeps, the new child runs, writes, wakes it ---
L 2000000 --trace=pipe.txt ./sched_demo pipe >pipe.out 2>&1
insns pipe.txt >pipe.i
events pipe.i >pipe.ev
[ "$(cat status)" = 0 ] && grep -qx 'a line through the pipe' pipe.out
fact $? "sched_demo pipe: status $(cat status), output $(head -1 pipe.out)"
first=$(head -1 pipe.ev)
p_sw=$(echo "$first" | col 1); p_next=$(echo "$first" | col 12)
[ "$(echo "$first" | col 6 | sed 's/+.*//')" = sleep_on ] && [ "$(echo "$first" | col 7 | sed 's/+.*//')" = pipe_read ]
fact $? "the first switch of sched_demo pipe is not the reader's sleep in pipe_read: $first"
window "$(echo "$first" | col 3)" "$p_next" pipe.txt >fork1.txt
grep -q ' ret_from_fork_asm ' fork1.txt
fact $? "the child's first switch-in does not go through ret_from_fork_asm"
# RAX when the child first reaches user mode: the last pop rax before the iretq
rax=$(awk '/ pop rax / && match($0, /rax=0x[0-9a-f]+\342\206\2220x[0-9a-f]+/) { v = substr($0, RSTART, RLENGTH); sub(/.*\342\206\222/, "", v) } / pop rax / && !/rax=/ { v = "unchanged" } END { print v }' fork1.txt)
[ "$rax" = 0x0 ]
fact $? "the child does not enter user mode with RAX = 0 (fork's return value): $rax"
window "$(echo "$first" | col 3)" "$p_sw" fork1.txt |
	digest '^(entry_SYSCALL_64 |pipe_read\+0x[0-9a-f]+ .* call|sleep_on_wq\+0x[0-9a-f]+ .* call|sleep_on\+0x[0-9a-f]+ .*(call|mov dword ptr \[r[a-z0-9]+\+0x[0-9a-f]+\], 0x01)|schedule\+0x[0-9a-f]+ .*(mov cr3|call +0x'"$switch_asm"'))' >x/sched_pipe_sleep
window "$p_sw" "$p_next" fork1.txt |
	digest '^(__switch_to_asm\+0x(a|d|1a) |__switch_to\+0x[0-9a-f]+ ret|ret_from_fork_asm|swapgs_restore_regs_and_return_to_usermode\+0x(12|22|25) )' >x/sched_fork_first
# the wake-up: pipe_write -> wake_up -> wake_up_process(parent) (fork
# makes the child runnable through wake_up_process too: the one after the
# first pipe_write)
wk=$(awk '$4 ~ /^pipe_write/ { w = 1 } w && $4 == "wake_up_process" { print $1; exit }' pipe.i)
[ -n "$wk" ] && window "$((wk - 400))" "$wk" pipe.i | grep -q ' pipe_write'
fact $? "no wake_up_process called from pipe_write in sched_demo pipe"
window "$((wk - 400))" "$((wk + 40))" pipe.txt | awk -v w="$wk" '$1 >= w || / call / && /pipe_write|wake_up/' |
	awk '{ print } / wake_up_process\+0x[0-9a-f]+ +c3 +ret/ { exit }' |
	digest '^(pipe_write\+0x[0-9a-f]+ .* call|wake_up(_chan)?(\+0x[0-9a-f]+)? .*(call|jmp)|wake_up_process( |\+0x[0-9a-f]+ .*(mov dword ptr|mov qword ptr|mov ecx, 0x6e0|wrmsr|ret)))' >x/sched_wake
second=$(sed -n 2p pipe.ev)
{
	printf '%-3s %-8s %-38s %-16s %-4s %s\n' "" switch "schedule() called from (sleep_on from)" CR3 pid "first user instruction"
	awk -F'\t' '{ printf "%-3d #%-7d %-38s %-16s %-4s #%d %s\n", NR, $1, $6 ($7 == "-" ? "" : " (" $7 ")"), $8, $15, $12, $13 }' pipe.ev
} >x/sched_pipe_switches
[ "$(echo "$second" | col 6 | sed 's/+.*//')" = do_task_exit ]
fact $? "the second switch of sched_demo pipe is not the child's exit: $second"

# copy-on-write: the first write faults after fork (#PF lines, error 0x7:
# present, write, user)
grep -E ' #PF vector 14 error=0x7 ' pipe.txt | sed 's/ frame@.*//' | squeeze >x/sched_cow
[ "$(wc -l <x/sched_cow)" -ge 2 ]
fact $? "fewer than two copy-on-write faults (#PF error 0x7) in sched_demo pipe"

# ---- 4. idle: a sleep with nobody else to run --------------------------------
L 1000000 --trace=sleep.txt ./sched_demo sleep >/dev/null 2>&1
insns sleep.txt >sleep.i
h=$(awk '/ hlt +\|/ && /idle_entry|cpu_idle/ { print $1; exit }' sleep.i)
[ -n "$h" ]
fact $? "the idle task never runs HLT while sched_demo sleeps"
# from the sleep's call of schedule to the return to the sleeper
hs=$(awk -v h="$h" '$1 < h && / call / && $0 ~ "call +0x'"$schedule"' " { s = $1 } END { print s }' sleep.i)
he=$(awk -v h="$h" '$1 > h && substr($3, 1, 4) != "ffff" { print $1; exit }' sleep.i)
window "$hs" "$he" sleep.txt |
	digest '^(__switch_to_asm |__switch_to\+0x[0-9a-f]+ .* ret|(idle_entry|cpu_idle) |(idle_entry|cpu_idle)\+0x[0-9a-f]+ .*(sti|hlt|cli|call)|arm_timer\+0x[0-9a-f]+ .*(mov ecx, 0x6e0|wrmsr)|asm_sysvec_apic_timer_interrupt |wake_up_process |wake_up_process\+0x[0-9a-f]+ .*mov dword ptr|sleep_on\+0x[0-9a-f]+ .* ret|swapgs_restore_regs_and_return_to_usermode\+0x25 |syscall_return_via_sysret\+0x1f )' >x/sched_idle
t0=$(awk -v h="$h" '$1 < h && / rdtsc / { v = $0 } END { print v }' sleep.i | sed 's/.*rax=0x[0-9a-f]*\xe2\x86\x920x\([0-9a-f]*\).*/\1/')
t1=$(awk -v h="$h" '$1 > h && / rdtsc / { print; exit }' sleep.i | sed 's/.*rax=0x[0-9a-f]*\xe2\x86\x920x\([0-9a-f]*\).*/\1/')
n1=$(awk -v h="$h" '$1 > h && / rdtsc / { print $1; exit }' sleep.i)
n0=$(awk -v h="$h" '$1 < h && / rdtsc / { v = $1 } END { print v }' sleep.i)
{
	echo "HLT at instruction $h; the TSC, read before and after it:"
	echo "  #$n0 rdtsc -> 0x$t0"
	echo "  #$n1 rdtsc -> 0x$t1: $((0x$t1 - 0x$t0)) ticks ($(((0x$t1 - 0x$t0) / 4)) ns) for $((n1 - n0)) instructions"
} >x/sched_idle_tsc
[ $(((0x$t1 - 0x$t0) / 4)) -ge 900000 ]
fact $? "the halt does not last about the 1 ms sleep ($t0 -> $t1)"

# ---- 5. deadlock ------------------------------------------------------------
L 2000000 ./sched_demo deadlock >dl.out 2>&1
{ grep 'deadlock' dl.out; echo "exit status $(cat status)"; } >x/sched_deadlock
[ "$(cat status)" = 125 ] && grep -q 'S in wait4;.* S in pipe_read;' dl.out
fact $? "sched_demo deadlock: status $(cat status), $(cat dl.out)"

# ---- 6. exercise 7: a busybox pipeline ---------------------------------------
mkdir bb
(cd bb && L 4000000 --trace=../bb.txt "$busybox" sh -c "$busybox echo hi | $busybox cat" >../bb.out 2>&1)
insns bb.txt | events >bb.ev
grep -qx hi bb.out
fact $? "the busybox pipeline does not print hi: $(cat bb.out)"
{
	echo "| # | \`__switch_to_asm\` at | the task leaving calls \`schedule\` from | CR3 | next pid | its first user instruction |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{
		why = $6; if ($7 != "-") why = why " (" $7 ")"
		split($8, c, ">")
		printf "| %d | #%d | `%s` | %s → %s | %s | #%d `%s` |\n", NR, $1, why, c[1], c[2], $15, $12, $13
	}' bb.ev
} >x/ex7_switches
nbb=$(grep -c '^' bb.ev)
[ "$nbb" -ge 3 ] && ! awk -F'\t' '$8 == "-"' bb.ev | grep -q .
fact $? "the busybox pipeline: $nbb switches, each between processes (a CR3 change): $(cat bb.ev)"
# what exercise 7's answer says: the shell (42) sleeps in wait4, echo (43)
# and cat (44) start through ret_from_fork and end with exit, and the last
# switch goes back to the shell
whys=$(awk -F'\t' '{ w = $6; sub(/\+.*/, "", w); c = $7; sub(/\+.*/, "", c); printf "%s/%s/%s ", w, c, $15 }' bb.ev)
[ "$whys" = "sleep_on/do_wait/43 do_task_exit/-/44 do_task_exit/-/42 " ]
fact $? "the busybox pipeline's switches are not wait4 -> 43, exit -> 44, exit -> 42: $whys"
b1=$(head -1 bb.ev)
window "$(echo "$b1" | col 1)" "$(echo "$b1" | col 12)" bb.txt |
	digest '^(__switch_to_asm\+0x(a|d|1a) |__switch_to\+0x[0-9a-f]+ .* ret|ret_from_fork_asm|swapgs_restore_regs_and_return_to_usermode\+0x(12|25) )' >x/ex7_first
b1u=$(echo "$b1" | col 4)
window "$b1u" "$(echo "$b1" | col 1)" bb.txt |
	digest '^(entry_SYSCALL_64 |x64_sys_call\+0x[0-9a-f]+ .*jmp \[|do_wait\+0x[0-9a-f]+ .* call|sleep_on(_wq)?\+0x[0-9a-f]+ .* call|schedule\+0x[0-9a-f]+ .*(mov cr3|call +0x'"$switch_asm"'))' >x/ex7_before

# ---- render -------------------------------------------------------------------
if [ "$mode" = --update ] && [ $status != 0 ]; then
	echo "sched_walkthrough.sh: not updating the documents: the runs do not show what they say"
	exit 1
fi
render() {
	awk -v dir="$d/x" '
	/^<!-- sched:[a-z_0-9]+ -->$/ {
		print; name = $0; sub(/^<!-- sched:/, "", name); sub(/ -->$/, "", name)
		f = dir "/" name
		fenced = name != "ex7_switches"
		if (fenced) print "```"
		while ((getline l < f) > 0) print l
		close(f)
		if (fenced) print "```"
		skip = 1; next
	}
	/^<!-- \/sched:[a-z_0-9]+ -->$/ { skip = 0 }
	!skip { print }' "$1"
}
for file in "$here/docs/kernel.md" "$here"/docs/exercises/*.md; do
	[ -f "$file" ] || continue
	grep -q '^<!-- sched:' "$file" || continue
	render "$file" >"$d/new.md"
	if [ "$mode" = --update ]; then
		cmp -s "$d/new.md" "$file" || { cp "$d/new.md" "$file"; echo "updated $file"; }
	elif ! cmp -s "$d/new.md" "$file"; then
		echo "$file no longer matches lstar's output (scripts/sched_walkthrough.sh --update rewrites it):"
		diff -u "$file" "$d/new.md" | head -60
		status=1
	fi
done
exit $status
