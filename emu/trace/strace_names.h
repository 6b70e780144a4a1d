/*
 * strace_names.h - the named constants of the strace view
 * (emu/trace/strace_names.c): value tables (a number stands for one name:
 * SEEK_SET, RLIMIT_STACK, FUTEX_WAIT) and flag tables (names OR'ed
 * together: O_CREAT|O_TRUNC), each in the order strace(1) prints them, and
 * the errno and signal names.  Numbers are Linux x86-64's.
 */
#ifndef LSTAR_STRACE_NAMES_H
#define LSTAR_STRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct xlat {
	uint64_t val;
	const char *name;
};

struct xlat_table {
	const struct xlat *x;
	size_t n;
	const char *unknown;   /* the comment for a value without a name: "SEEK_???" */
};

/* Value tables. */
extern const struct xlat_table xt_whence, xt_clock, xt_sighow, xt_arch_prctl, xt_fcntl,
	xt_rlimit, xt_prctl, xt_futex, xt_madvise, xt_itimer, xt_fadvise, xt_prio_which,
	xt_sched_policy, xt_ioctl, xt_map_type, xt_fs_magic;
/* Flag tables. */
extern const struct xlat_table xf_open, xf_prot, xf_map, xf_at, xf_access, xf_sa,
	xf_clone, xf_grnd, xf_wait, xf_poll, xf_flock, xf_mremap, xf_fd, xf_ss, xf_pipe,
	xf_statfs;

/* The name of v in t, or NULL. */
const char *xlat_name(const struct xlat_table *t, uint64_t v);

/* errno 1..4095: "ENOENT", or NULL; its message, "Unknown error" if none. */
const char *strace_errno_name(int e);
const char *strace_errno_text(int e);
/* "SIGSEGV" for 11, "SIGRTMIN" for 32, "SIGRT_3" for 35; NULL for 0 and
 * numbers above 64. */
const char *strace_sig_name(int sig);

#endif
