# Ctrl-C while every task sleeps: the CPU halts in the idle task, the
# stub still sees the interrupt (HLT's wait is cut into slices) and
# reports the idle task as the current thread.  The shell says "ready"
# just before its wait; a second later both tasks sleep, however slowly
# the machine (a sanitizer build, a loaded host) booted.
add-symbol-file @KERNEL@
shell (for i in $(seq 1 600); do grep -q ready "$GDBT_OUT" && break; sleep 0.1; done; sleep 1; kill -INT $PPID) &
continue
#expect received signal SIGINT, Interrupt\.
#expect ^\[Switching to Thread 32768\]
#expect in cpu_idle \(\)
info threads
#expect ^  [0-9]+ +Thread 42 \(busybox, sleeping, pid 42\)
#expect ^\* [0-9]+ +Thread 32768 \(swapper, running, pid 0\) +0x[0-9a-f]+ in cpu_idle
monitor tasks
#expect ^ +42 +42 S +busybox +[a-z_0-9]+ +0x
#expect ^\* +0 +0 R +swapper .*\(idle task: gdb thread 32768\)$
#expect ^ +43 +43 S +busybox +hrtimer_nanosleep
# the idle task has no user mode: its registers are the kernel's
print $cs
#expect ^\$1 = 16
kill
#status 137
