# syscalltbl.awk - turn syscall_64.tbl into syscalls_64.h (mirrors
# scripts/syscalltbl.sh).  Input rows: "<nr> <abi> <name> [<entry point>]";
# '#' starts a comment.  Only the common and 64 ABIs are ours (x32 is not).
# Output: one __SYSCALL(nr, entry) line per row, a row without an entry
# point becoming sys_ni_syscall, then NR_syscalls = highest number + 1, then
# (only for includers that define __SYSCALL_NAME) every row's name.
BEGIN { max = -1; n = 0 }
/^[ \t]*#/ || NF == 0 { next }
{
	if ($2 != "common" && $2 != "64")
		next
	entry = (NF >= 4) ? $4 : "sys_ni_syscall"
	printf "__SYSCALL(%d, %s)\n", $1, entry
	names[n++] = sprintf("__SYSCALL_NAME(%d, %s)", $1, $3)
	if ($1 + 0 > max)
		max = $1 + 0
}
END {
	print "#ifndef NR_syscalls"
	printf "#define NR_syscalls %d\n", max + 1
	print "#endif"
	print "#ifdef __SYSCALL_NAME"
	for (i = 0; i < n; i++)
		print names[i]
	print "#endif"
}
