# Reverse execution details: a watchpoint found backwards, replay gives
# the same state, and changing the past forks the timeline.
add-symbol-file @KERNEL@
break syscall
continue
#expect ^Breakpoint 1, .* in syscall \(\)
delete
set $slot = $rsp - 0x30
while *(unsigned short *)$pc != 0x050f
  stepi
end
set $sc = $pc
# into the kernel and out again: the write has happened (live)
break syscall_return_via_sysret
continue
#expect ^Breakpoint 2, syscall_return_via_sysret
delete
# going back, the watchpoint stops where syscall() stored to the slot
watch -l *(long *)$slot
reverse-continue
#expect ^Hardware watchpoint 3: -location
x/i $pc
#expect <syscall\+[0-9]+>:[[:space:]]+mov +%rsi,0x28\(%rsp\)
delete
# replay is exact: forward 500 and back 500 lands on the same state
set $a = $rsp
set $b = $rip
set $c = $rax
stepi 500
reverse-stepi 500
print $rsp == $a && $rip == $b && $rax == $c
#expect ^\$1 = 1
# change the past: the write runs again, live, with the new buffer
break *$sc
continue
#expect ^Breakpoint 4, .* in syscall \(\)
set {char}$rsi = 'J'
monitor reverse
#expect recorded up to
continue
#expect exited normally
#status 0
#stdout hello
#stdout Jello
