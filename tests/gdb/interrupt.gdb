# Ctrl-C in gdb while the guest runs an endless loop: gdb sends 0x03, the
# stub stops within 4096 instructions and reports SIGINT.
shell (sleep 1; kill -INT $PPID) &
continue
#expect ^Program received signal SIGINT, Interrupt\.
monitor cpl
#expect ^CPL [03] 
info registers rip
#expect ^rip +0x
kill
#status 137
