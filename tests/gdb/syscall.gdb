# The seed article's session, then into the kernel and back: a breakpoint
# in the user program and one on a kernel symbol, registers and CPL on
# both sides of SYSCALL and SYSRET.
add-symbol-file @KERNEL@
break syscall
continue
#expect ^Breakpoint 1, .* in syscall \(\)
# step to the SYSCALL instruction itself (0f 05)
while *(unsigned short *)$pc != 0x050f
  stepi
end
x/i $pc
#expect => 0x[0-9a-f]+ <syscall\+[0-9]+>:[[:space:]]+syscall
info registers rax rdi rdx
#expect ^rax +0x1 +1$
#expect ^rdi +0x1 +1$
#expect ^rdx +0x6 +6$
x/s $rsi
#expect "hello\\n"
monitor cpl
#expect ^CPL 3 \(user\)  CS=0x0033
set $ret = $pc + 2
set $uflags = $eflags
stepi
x/i $pc
#expect => 0xffffffff[0-9a-f]+ <entry_SYSCALL_64>:[[:space:]]+swapgs
monitor cpl
#expect ^CPL 0 \(kernel\)  CS=0x0010
print $rcx == $ret
#expect ^\$1 = 1
print ($r11 & 0x200) != 0
#expect ^\$2 = 1
print $eflags
#expect ^\$3 = \[ \]
break entry_SYSCALL_64
break syscall_return_via_sysret
continue
#expect ^Breakpoint 3, syscall_return_via_sysret
while ((*(unsigned int *)$pc) & 0xffffff) != 0x070f48
  stepi
end
x/i $pc
#expect sysretq
stepi
print $pc == $ret
#expect ^\$4 = 1
monitor cpl
#expect ^CPL 3 \(user\)  CS=0x0033
print $rax
#expect ^\$5 = 6
monitor syscalls
#expect write\(0x1, 0x[0-9a-f]+, 0x6,.*= 6
# exit_group: the kernel breakpoint again
continue
#expect ^Breakpoint 2, entry_SYSCALL_64
print $rax
#expect ^\$6 = 231
detach
#expect Inferior 1 .* detached
#status 0
#stdout hello
