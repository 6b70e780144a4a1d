# Processes as gdb threads (guests/fork: fork, waitpid, a child killed by
# a signal, posix_spawn).  The first child's _exit stops with the child
# current; the parent and the child are listed, each with its own
# registers and its own address space.
break _Exit
continue
#expect ^\[New Thread 43\]
#expect ^Thread 2 hit Breakpoint 1, 0x[0-9a-f]+ in _Exit \(\)
info threads
#expect ^  1 +Thread 42 \(fork, (sleeping|runnable), pid 42\)
#expect ^\* 2 +Thread 43 \(fork, running, pid 43\) +0x[0-9a-f]+ in _Exit \(\)
monitor tasks
#expect ^ +42 +42 [RS] +fork
#expect ^\* +43 +43 R +fork
print $pc == &_Exit
#expect ^\$1 = 1
set $child_cr3 = $cr3
# the parent, switched out in read(): its user registers, and its stack
# read through its own page tables
thread 1
#expect ^\[Switching to thread 1 \(Thread 42\)\]
info registers rip
#expect ^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <__syscall_cp_c\+[0-9]+>$
print $pc == &_Exit
#expect ^\$2 = 0
print $cr3 != $child_cr3
#expect ^\$3 = 1
bt
#expect ^#1 +0x[0-9a-f]+ in read \(\)
# the third child ends with exit(0): another new thread
continue
#expect ^\[New Thread 45\]
#expect ^Thread [0-9]+ hit Breakpoint 1, 0x[0-9a-f]+ in _Exit \(\)
info threads
#expect ^\* [0-9]+ +Thread 45 \(fork, running, pid 45\)
delete
continue
#expect ^\[Inferior 1 \(Remote target\) exited normally\]
#status 0
