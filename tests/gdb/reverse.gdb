# Reverse execution across SYSCALL and SYSRET (bs/bc packets).
add-symbol-file @KERNEL@
break syscall
continue
#expect ^Breakpoint 1, .* in syscall \(\)
while *(unsigned short *)$pc != 0x050f
  stepi
end
set $sc = $pc
stepi
x/i $pc
#expect <entry_SYSCALL_64>:
stepi 3
# the student overshot: step back into the SYSCALL
reverse-stepi 3
x/i $pc
#expect <entry_SYSCALL_64>:
reverse-stepi
print $pc == $sc
#expect ^\$1 = 1
monitor cpl
#expect ^CPL 3 \(user\)
print $rax
#expect ^\$2 = 1
# forward again, then to the user side of SYSRET
break syscall_return_via_sysret
continue
#expect ^Breakpoint 2, syscall_return_via_sysret
while ((*(unsigned int *)$pc) & 0xffffff) != 0x070f48
  stepi
end
stepi
print $pc == $sc + 2
#expect ^\$3 = 1
monitor cpl
#expect ^CPL 3 \(user\)
# back over SYSRET into the kernel
reverse-stepi
x/i $pc
#expect sysretq
monitor cpl
#expect ^CPL 0 \(kernel\)
print $rax
#expect ^\$4 = 6
# back to the previous breakpoint hit
reverse-continue
#expect ^Breakpoint 2, syscall_return_via_sysret
reverse-continue
#expect ^Breakpoint 1, .* in syscall \(\)
delete 1
stepi 4
reverse-finish
#expect ^0x[0-9a-f]+ in main \(\)
x/i $pc
#expect <main\+[0-9]+>:[[:space:]]+call
# all the way back: the start of the recording
delete
reverse-continue
#expect No more reverse-execution history
# and forward to the end: the write is not repeated
continue
#expect exited normally
#status 0
#stdout hello
