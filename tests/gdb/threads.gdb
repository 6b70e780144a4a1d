# Guest threads as gdb threads (tests/gdb/threads.c: main and one worker
# made by pthread_create).  A breakpoint in the worker's function stops
# with the worker current; both tasks are listed, each with its own
# registers; a thread that is not on the CPU can be stepped; going back
# in time brings back the thread that ran then.
break worker_step
continue
#expect ^\[New Thread 43\]
#expect ^Thread 2 hit Breakpoint 1, worker_step \(i=
info threads
#expect ^  1 +Thread 42 \(threads, (sleeping|runnable), pid 42\)
#expect ^\* 2 +Thread 43 \(threads, running, pid 42\) +worker_step
maint packet qC
#expect received: "QC2b"
monitor tasks
#expect ^ +TID +PID +STATE +COMM +WCHAN +KERNEL STACK
#expect ^ +42 +42 [RS] +threads
#expect ^\* +43 +42 R +threads +- +0x[0-9a-f]+$
# main's registers: those it returns to user mode with (its pt_regs)
thread 1
#expect ^\[Switching to thread 1 \(Thread 42\)\]
info registers rip cs
#expect ^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <[_a-z]+\+[0-9]+>$
#expect ^cs +0x33 +51$
print $pc == &worker_step
#expect ^\$1 = 0
set $main_pc = $pc
thread 2
#expect ^\[Switching to thread 2 \(Thread 43\)\]
info registers rip
#expect ^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <worker_step>$
print $pc == &worker_step
#expect ^\$2 = 1
print $pc != $main_pc
#expect ^\$3 = 1
# the registers of a switched-out thread cannot be written (gdb has
# selected thread 42 with Hg to read them)
thread 1
info registers rax
maint packet P0=0100000000000000
#expect received: "E01"
# stepping thread 1, which is not on the CPU: the machine runs until
# main is back in user mode, then main executes one instruction
delete
stepi
info threads
#expect ^\* 1 +Thread 42 \(threads, running, pid 42\)
break main_step
continue
#expect ^Thread 1 hit Breakpoint 2, main_step \(i=i@entry=2\)
# back in time: the worker's last step, the worker current again
break worker_step
reverse-continue
#expect ^\[Switching to Thread 43\]
#expect ^Thread [0-9]+ hit Breakpoint 3, worker_step \(i=i@entry=2\)
info threads
#expect ^\* [0-9]+ +Thread 43 \(threads, running, pid 42\) +worker_step
delete
continue
#expect ^\[Inferior 1 \(Remote target\) exited normally\]
#status 0
#stdout threads: joined, 12
