# `kill` ends lstar with status 137, like a process killed by SIGKILL.
stepi
info registers rip
#expect ^rip +0xffffffff80
kill
#status 137
