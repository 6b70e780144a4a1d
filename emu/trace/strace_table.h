/*
 * strace_table.h - what lstar knows about each x86-64 system call number:
 * its name, how many arguments strace(1) prints for it and how each one is
 * decoded.  The table is an array indexed by the number (the value of EAX
 * at the SYSCALL), so a lookup is one bounds check and one load; the
 * strace view (emu/trace/strace.c), the statistics (emu/trace/stats.c),
 * the trace formats and gdb's `monitor syscalls` all ask it.
 *
 * The argument kinds are decoded by emu/trace/strace_fmt.c.
 */
#ifndef LSTAR_STRACE_TABLE_H
#define LSTAR_STRACE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Numbers below this have a slot in the table (Linux x86-64 uses 0..~460). */
#define SYSCALL_NR_MAX 512

/* How an argument is printed (emu/trace/strace_fmt.c). */
enum strace_kind {
	A_INT, A_LONG, A_ULONG, A_HEX, A_PTR, A_FD, A_STR, A_BUFIN, A_BUFOUT,
	A_OFLAGS, A_MODE, A_PROT, A_MFLAGS, A_WHENCE, A_SIG, A_STATOUT, A_IOVIN,
	A_IOVOUT, A_ACCESS, A_ATFLAGS, A_PIPEOUT, A_CLOCK, A_TSOUT, A_TSIN, A_HOW,
	A_ARCHPRCTL, A_FCNTL, A_STRARR, A_IOCTL,
};

struct syscall_desc {
	const char *name;       /* NULL: no decoding known for this number */
	unsigned char nargs;    /* arguments strace prints */
	unsigned char kind[6];  /* enum strace_kind per argument */
	signed char len_arg;    /* the argument holding a buffer's length, -1 none */
};

/* The name of system call nr, or NULL for a number nobody uses. */
const char *syscall_name(uint64_t nr);
/* How to print the arguments of nr, or NULL (then: six raw numbers). */
const struct syscall_desc *syscall_desc(uint64_t nr);

#endif
