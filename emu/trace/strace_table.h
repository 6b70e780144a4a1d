/*
 * strace_table.h - what lstar knows about each x86-64 system call number:
 * its name, how many arguments strace(1) prints for it and how each one is
 * decoded.  The table is an array indexed by the number (the value of EAX
 * at the SYSCALL), so a lookup is one bounds check and one load; the
 * strace view (emu/trace/strace.c), the statistics (emu/trace/stats.c),
 * the trace formats and gdb's `monitor syscalls` all ask it.
 *
 * Names and argument counts are Linux's x86-64 ones as strace 6 prints them
 * (rseq shows 4 arguments, exit_group 1); kernel_model/syscall_64.tbl uses
 * the same numbers and names (tests/trace/test_strace_table.c checks), and
 * a number only that table names is known by its name there.  The argument
 * kinds are decoded by emu/trace/strace_fmt.c.
 */
#ifndef LSTAR_STRACE_TABLE_H
#define LSTAR_STRACE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Numbers below this have a slot in the table (Linux x86-64 uses 0..~460). */
#define SYSCALL_NR_MAX 512

/* How an argument is printed (emu/trace/strace_fmt.c).  _OUT kinds (and
 * a few others, strace_is_output()) are written by the kernel and decoded
 * when the call returns; the rest when it is made. */
enum strace_kind {
	A_HEX,          /* a number strace does not decode: %#lx */
	/* numbers */
	A_INT, A_UINT, A_LONG, A_ULONG, A_PTR, A_FD, A_DIRFD, A_MODE, A_SIG,
	/* strings and buffers */
	A_STR, A_BUFIN, A_BUFOUT, A_BUFHEX, A_STROUT, A_STRARR, A_ENVP,
	/* named values */
	A_WHENCE, A_CLOCK, A_HOW, A_ARCHPRCTL, A_FCNTL, A_RLIMIT, A_PRCTL, A_FUTEXOP,
	A_MADV, A_ITIMER, A_FADV, A_PRIOWHICH, A_SCHEDPOL, A_IOCTL,
	/* flag sets */
	A_OFLAGS, A_PROT, A_MFLAGS, A_ATFLAGS, A_ACCESS, A_GRND, A_WOPTS, A_FLOCK,
	A_MREMAP, A_PIPEFLAGS,
	/* structures read at the call */
	A_IOVIN, A_TSIN, A_SIGSET_IN, A_SIGACT_IN, A_RLIM_IN, A_ITV_IN, A_STACK_IN,
	A_POLLFD, A_OFFIN, A_TSPAIR, A_SIGFRAME, A_CLONE, A_CLONE3, A_FUTEXTS, A_FDSET, A_TVIN,
	A_PSIGMASK,
	/* sockets (emu/trace/strace_net.c): named values, structures read
	 * at the call */
	A_SOCKFAM, A_SOCKTYPE, A_SOCKPROTO, A_SOCKFLAGS, A_MSGFLAGS, A_SHUTHOW, A_SOCKLEVEL,
	A_SOCKOPTNAME, A_SOCKADDR_IN, A_SOCKOPT_IN, A_MSGHDR_IN,
	/* arguments whose meaning depends on another one */
	A_FCNTLARG, A_IOCTLARG, A_PRCTLARG,
	/* structures read on return */
	A_STATOUT, A_IOVOUT, A_PIPEOUT, A_TSOUT, A_TSREM, A_SIGSET_OUT, A_SIGACT_OUT,
	A_RLIM_OUT, A_ITV_OUT, A_STACK_OUT, A_WSTATUS, A_UTSNAME, A_TMS, A_DENTS, A_CPUSET,
	A_STATFS, A_INTOUT, A_GIDS,
	/* sockets, read on return: a sockaddr and its length, an option's
	 * value, a struct msghdr */
	A_SOCKADDR_OUT, A_SOCKLEN_OUT, A_SOCKOPT_OUT, A_MSGHDR_OUT,
};

/* How the result is printed. */
enum strace_ret {
	R_DEC,          /* a signed number, or -1 ENAME (text) */
	R_HEX,          /* an address: mmap, brk, mremap */
	R_OCT,          /* umask */
	R_SCHED,        /* sched_getscheduler: 0 (SCHED_OTHER) */
	R_FCNTL,        /* F_GETFL/F_GETFD: 0x8002 (flags O_RDWR|O_LARGEFILE) */
	R_POLL,         /* 1 ([{fd=3, revents=POLLIN}]) or 0 (Timeout) */
	R_SELECT,       /* 2 (in [3], out [4], left {tv_sec=0, tv_usec=0}) */
	R_NONE,         /* exit, exit_group: never returns, "= ?" */
};

struct syscall_desc {
	const char *name;
	unsigned char nargs;    /* arguments strace prints (before per-call rules) */
	unsigned char kind[6];  /* enum strace_kind per argument */
	signed char len_arg;    /* the argument holding a buffer's or a set's size, -1 none */
	unsigned char ret;      /* enum strace_ret */
};

/* The name of system call nr, or NULL for a number Linux does not use. */
const char *syscall_name(uint64_t nr);
/* How to print nr, or NULL (then, as strace does: syscall_0xNR and six
 * raw arguments).  Calls strace knows but lstar does not decode print
 * their arguments as hex numbers (A_HEX). */
const struct syscall_desc *syscall_desc(uint64_t nr);

#endif
