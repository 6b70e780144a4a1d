/*
 * strace_table.c - the system call table behind syscall_name() and
 * syscall_desc() (strace_table.h): one row per number, the name and the
 * argument kinds strace(1) shows.  Names come from kernel_model's
 * syscall_64.tbl as compiled into lstar (syscalls_64.h).
 */
#include <stddef.h>

#include "emu/trace/strace_table.h"

#if __has_include("syscalls_64.h")
#define __SYSCALL(nr, sym)
#define __SYSCALL_NAME(nr, name) [nr] = #name,
static const char *const tbl_names[SYSCALL_NR_MAX] = {
#include "syscalls_64.h"
};
#undef __SYSCALL
#undef __SYSCALL_NAME
#else
static const char *const tbl_names[SYSCALL_NR_MAX] = { [0] = "read", [1] = "write", [60] = "exit",
						       [231] = "exit_group" };
#endif

static const struct syscall_desc descs[SYSCALL_NR_MAX] = {
	[0] = { "read", 3, { A_FD, A_BUFOUT, A_ULONG }, 2 },
	[1] = { "write", 3, { A_FD, A_BUFIN, A_ULONG }, 2 },
	[2] = { "open", 3, { A_STR, A_OFLAGS, A_MODE }, -1 },
	[3] = { "close", 1, { A_FD }, -1 },
	[4] = { "stat", 2, { A_STR, A_STATOUT }, -1 },
	[5] = { "fstat", 2, { A_FD, A_STATOUT }, -1 },
	[6] = { "lstat", 2, { A_STR, A_STATOUT }, -1 },
	[8] = { "lseek", 3, { A_FD, A_LONG, A_WHENCE }, -1 },
	[9] = { "mmap", 6, { A_PTR, A_ULONG, A_PROT, A_MFLAGS, A_FD, A_HEX }, -1 },
	[10] = { "mprotect", 3, { A_PTR, A_ULONG, A_PROT }, -1 },
	[11] = { "munmap", 2, { A_PTR, A_ULONG }, -1 },
	[12] = { "brk", 1, { A_PTR }, -1 },
	[13] = { "rt_sigaction", 4, { A_SIG, A_PTR, A_PTR, A_ULONG }, -1 },
	[14] = { "rt_sigprocmask", 4, { A_HOW, A_PTR, A_PTR, A_ULONG }, -1 },
	[16] = { "ioctl", 3, { A_FD, A_IOCTL, A_PTR }, -1 },
	[17] = { "pread64", 4, { A_FD, A_BUFOUT, A_ULONG, A_LONG }, 2 },
	[18] = { "pwrite64", 4, { A_FD, A_BUFIN, A_ULONG, A_LONG }, 2 },
	[19] = { "readv", 3, { A_FD, A_IOVOUT, A_INT }, 2 },
	[20] = { "writev", 3, { A_FD, A_IOVIN, A_INT }, 2 },
	[21] = { "access", 2, { A_STR, A_ACCESS }, -1 },
	[22] = { "pipe", 1, { A_PIPEOUT }, -1 },
	[24] = { "sched_yield", 0, { 0 }, -1 },
	[32] = { "dup", 1, { A_FD }, -1 },
	[33] = { "dup2", 2, { A_FD, A_FD }, -1 },
	[35] = { "nanosleep", 2, { A_TSIN, A_PTR }, -1 },
	[39] = { "getpid", 0, { 0 }, -1 },
	[57] = { "fork", 0, { 0 }, -1 },
	[58] = { "vfork", 0, { 0 }, -1 },
	[59] = { "execve", 3, { A_STR, A_STRARR, A_PTR }, -1 },
	[60] = { "exit", 1, { A_INT }, -1 },
	[61] = { "wait4", 4, { A_INT, A_PTR, A_HEX, A_PTR }, -1 },
	[62] = { "kill", 2, { A_INT, A_SIG }, -1 },
	[63] = { "uname", 1, { A_PTR }, -1 },
	[72] = { "fcntl", 3, { A_FD, A_FCNTL, A_HEX }, -1 },
	[73] = { "flock", 2, { A_FD, A_INT }, -1 },
	[74] = { "fsync", 1, { A_FD }, -1 },
	[77] = { "ftruncate", 2, { A_FD, A_LONG }, -1 },
	[79] = { "getcwd", 2, { A_BUFOUT, A_ULONG }, 1 },
	[80] = { "chdir", 1, { A_STR }, -1 },
	[82] = { "rename", 2, { A_STR, A_STR }, -1 },
	[83] = { "mkdir", 2, { A_STR, A_MODE }, -1 },
	[84] = { "rmdir", 1, { A_STR }, -1 },
	[87] = { "unlink", 1, { A_STR }, -1 },
	[89] = { "readlink", 3, { A_STR, A_BUFOUT, A_ULONG }, 2 },
	[90] = { "chmod", 2, { A_STR, A_MODE }, -1 },
	[95] = { "umask", 1, { A_MODE }, -1 },
	[100] = { "times", 1, { A_PTR }, -1 },
	[102] = { "getuid", 0, { 0 }, -1 },
	[104] = { "getgid", 0, { 0 }, -1 },
	[107] = { "geteuid", 0, { 0 }, -1 },
	[108] = { "getegid", 0, { 0 }, -1 },
	[110] = { "getppid", 0, { 0 }, -1 },
	[111] = { "getpgrp", 0, { 0 }, -1 },
	[112] = { "setsid", 0, { 0 }, -1 },
	[137] = { "statfs", 2, { A_STR, A_PTR }, -1 },
	[138] = { "fstatfs", 2, { A_FD, A_PTR }, -1 },
	[140] = { "getpriority", 2, { A_INT, A_INT }, -1 },
	[141] = { "setpriority", 3, { A_INT, A_INT, A_INT }, -1 },
	[143] = { "sched_getparam", 2, { A_INT, A_PTR }, -1 },
	[145] = { "sched_getscheduler", 1, { A_INT }, -1 },
	[146] = { "sched_get_priority_max", 1, { A_INT }, -1 },
	[147] = { "sched_get_priority_min", 1, { A_INT }, -1 },
	[158] = { "arch_prctl", 2, { A_ARCHPRCTL, A_HEX }, -1 },
	[162] = { "sync", 0, { 0 }, -1 },
	[186] = { "gettid", 0, { 0 }, -1 },
	[200] = { "tkill", 2, { A_INT, A_SIG }, -1 },
	[217] = { "getdents64", 3, { A_FD, A_PTR, A_ULONG }, -1 },
	[218] = { "set_tid_address", 1, { A_PTR }, -1 },
	[221] = { "fadvise64", 4, { A_FD, A_LONG, A_LONG, A_INT }, -1 },
	[228] = { "clock_gettime", 2, { A_CLOCK, A_TSOUT }, -1 },
	[231] = { "exit_group", 1, { A_INT }, -1 },
	[234] = { "tgkill", 3, { A_INT, A_INT, A_SIG }, -1 },
	[251] = { "ioprio_set", 3, { A_INT, A_INT, A_HEX }, -1 },
	[252] = { "ioprio_get", 2, { A_INT, A_INT }, -1 },
	[257] = { "openat", 4, { A_FD, A_STR, A_OFLAGS, A_MODE }, -1 },
	[258] = { "mkdirat", 3, { A_FD, A_STR, A_MODE }, -1 },
	[262] = { "newfstatat", 4, { A_FD, A_STR, A_STATOUT, A_ATFLAGS }, -1 },
	[263] = { "unlinkat", 3, { A_FD, A_STR, A_ATFLAGS }, -1 },
	[267] = { "readlinkat", 4, { A_FD, A_STR, A_BUFOUT, A_ULONG }, 3 },
	[269] = { "faccessat", 3, { A_FD, A_STR, A_ACCESS }, -1 },
	[273] = { "set_robust_list", 2, { A_PTR, A_ULONG }, -1 },
	[292] = { "dup3", 3, { A_FD, A_FD, A_OFLAGS }, -1 },
	[293] = { "pipe2", 2, { A_PIPEOUT, A_OFLAGS }, -1 },
	[302] = { "prlimit64", 4, { A_INT, A_INT, A_PTR, A_PTR }, -1 },
	[306] = { "syncfs", 1, { A_FD }, -1 },
	[309] = { "getcpu", 3, { A_PTR, A_PTR, A_PTR }, -1 },
	[318] = { "getrandom", 3, { A_PTR, A_ULONG, A_HEX }, -1 },
	[439] = { "faccessat2", 4, { A_FD, A_STR, A_ACCESS, A_ATFLAGS }, -1 },
};

const char *syscall_name(uint64_t nr)
{
	return nr < SYSCALL_NR_MAX ? tbl_names[nr] : NULL;
}

const struct syscall_desc *syscall_desc(uint64_t nr)
{
	if (nr >= SYSCALL_NR_MAX || !descs[nr].name || !tbl_names[nr])
		return NULL;
	return &descs[nr];
}
