# Read and write guest memory (m, M/X), write a register, a hardware
# breakpoint, a watchpoint, the monitor commands.
# a hardware breakpoint (Z1): like Z0, a host-side address compare
hbreak syscall
#expect ^Hardware assisted breakpoint 1 at 0x
continue
#expect ^Breakpoint 1, .* in syscall \(\)
# syscall() stores its variadic arguments below the stack pointer
watch -l *(long *)($rsp - 0x30)
#expect Hardware watchpoint 2
continue
#expect ^Hardware watchpoint 2: -location
#expect ^New value
delete 2
while *(unsigned short *)$pc != 0x050f
  stepi
end
x/s $rsi
#expect "hello\\n"
set {char}$rsi = 'J'
set {char}($rsi + 1) = 'E'
x/s $rsi
#expect "JEllo\\n"
# a register write (P): the guest writes 5 bytes, not 6
set $rdx = 5
# kernel memory is readable while the CPU is at CPL 3
x/2xb 0xffffffff80100000
#expect ^0xffffffff80100000:
monitor pt $rsi
#expect ^  PTE.*P RO U XD
#expect -> physical 0x[0-9a-f]+ \(4 KiB page\)
monitor msr LSTAR
#expect ^0xc0000082 IA32_LSTAR +\= ffffffff[0-9a-f]+ <entry_SYSCALL_64>
monitor cr
#expect ^CR0 .*PE.*PG
#expect ^EFER .*SCE LME LMA
monitor gdt
#expect code64
monitor idt
#expect ^ +14: interrupt gate
monitor tss
#expect ^  RSP0 = 
continue
#expect exited normally
#status 0
#stdout JEllo
