/*
 * strace_fmt.h - turning system call arguments into strace(1)'s text.
 * emu/trace/strace_fmt.c: the text buffer, guest memory read through the
 * page tables without faulting, strings with strace's escaping, named
 * values and flag sets, and the per-argument dispatch; emu/trace/
 * strace_struct.c: the structures (stat, sigaction, signal sets, siginfo,
 * timespec, iovec, pollfd, ...).  When to print is emu/trace/strace.c's
 * business, which arguments a call has emu/trace/strace_table.c's.
 */
#ifndef LSTAR_STRACE_FMT_H
#define LSTAR_STRACE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/trace/strace_names.h"
#include "emu/trace/strace_table.h"

struct cpu;

/* Text that never overflows: what does not fit is dropped. */
struct sbuf {
	char *p;
	size_t len, cap;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read up to n bytes of user memory at la; returns how many were readable. */
size_t guest_read(struct cpu *c, uint64_t la, void *dst, size_t n);

/* strace's -s: strings and arrays are cut after this many bytes/elements. */
#define STR_MAX 32

/* A C-escaped string of len bytes at la (NUL-terminated when len < 0), cut
 * at STR_MAX with "..." after the quote; hex: every byte as \xNN (strace
 * does that for random bytes).  An unreadable address prints as itself. */
void put_string(struct sbuf *b, struct cpu *c, uint64_t la, int64_t len, bool hex);
/* A file name: like a string, but cut only after PATH_MAX_GUEST bytes, as
 * strace prints paths whatever -s says. */
#define PATH_MAX_GUEST 4096
void put_path(struct sbuf *b, struct cpu *c, uint64_t la);
/* An address the way strace prints one: NULL or 0x... */
void put_addr(struct sbuf *b, uint64_t la);
/* A named value: the name, or the number and a comment "SEEK_???". */
void put_xval(struct sbuf *b, const struct xlat_table *t, uint64_t v);
/* Flags: the names joined by |, what is left as hex; 0 as "0". */
void put_flags(struct sbuf *b, const struct xlat_table *t, uint64_t v);
/* open(2) flags: the access mode first (O_RDONLY...), then the rest. */
void put_open_flags(struct sbuf *b, uint64_t v);

/* How many arguments strace shows for this call with these values (open
 * shows its mode only with O_CREAT, fcntl F_GETFL none after the command,
 * futex as many as the operation uses...). */
int strace_nargs(const struct syscall_desc *d, const uint64_t *a);
/* Is argument k written by the kernel, i.e. decoded when the call returns? */
bool strace_is_output(const struct syscall_desc *d, int k, const uint64_t *a);
/* Argument k of a call described by d, raw values a[].  ret: the result
 * when printing on return (output arguments), 0 at the call. */
void strace_put_arg(struct sbuf *b, struct cpu *c, const struct syscall_desc *d, int k,
		    const uint64_t *a, int64_t ret);
/* Spaces up to the result column (strace's 40th), if the line is shorter. */
void strace_pad_result(struct sbuf *b);
/* " = RESULT" with strace's padding, for a call that returned ret. */
void strace_put_result(struct sbuf *b, struct cpu *c, const struct syscall_desc *d,
		       const uint64_t *a, int64_t ret);

/* ---- sockets (emu/trace/strace_net.c) ---- */

/* Argument k of kind `kind` if it is one of the socket kinds (A_SOCKFAM ..
 * A_MSGHDR_OUT): printed, true; else false. */
bool strace_put_net_arg(struct sbuf *b, struct cpu *c, int kind, int k, const uint64_t *a,
			int64_t ret, bool out);

/* ---- structures (emu/trace/strace_struct.c) ---- */

void put_stat(struct sbuf *b, struct cpu *c, uint64_t la);
void put_iov(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t cnt, int64_t total);
void put_timespec(struct sbuf *b, struct cpu *c, uint64_t la);
void put_timeval(struct sbuf *b, struct cpu *c, uint64_t la);
/* An fd_set of nfds bits: [3 4]. */
void put_fdset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t nfds);
void put_itimerval(struct sbuf *b, struct cpu *c, uint64_t la);
void put_utimens(struct sbuf *b, struct cpu *c, uint64_t la);
/* A signal set of size bytes at la: [INT TERM], ~[RTMIN RT_1] when more
 * than half the signals are in it. */
void put_sigset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size);
void put_sigset_value(struct sbuf *b, uint64_t set, unsigned nsig);
void put_sigaction(struct sbuf *b, struct cpu *c, uint64_t la);
void put_stack(struct sbuf *b, struct cpu *c, uint64_t la);
void put_rlimit(struct sbuf *b, struct cpu *c, uint64_t la);
void put_pollfds(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t n, bool revents);
void put_wstatus(struct sbuf *b, struct cpu *c, uint64_t la);
void put_utsname(struct sbuf *b, struct cpu *c, uint64_t la);
void put_tms(struct sbuf *b, struct cpu *c, uint64_t la);
void put_statfs(struct sbuf *b, struct cpu *c, uint64_t la);
void put_gids(struct sbuf *b, struct cpu *c, uint64_t la, int64_t n);
void put_cpuset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size);
void put_dents(struct sbuf *b, struct cpu *c, uint64_t la, int64_t size);
/* clone's arguments: those strace prints at the call (child_stack, flags)
 * and those it prints on return (parent_tid's content, tls,
 * child_tidptr); ret is the result (an error: addresses only). */
#define CLONE_AT_CALL 1
#define CLONE_ON_RETURN 2
void put_clone(struct sbuf *b, struct cpu *c, const uint64_t *a, int parts, int64_t ret);
/* Whether strace prints all of clone's arguments at the call. */
bool clone_decoded_at_call(uint64_t flags);
void put_clone_args(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size);
/* What clone3 wrote back: " => {parent_tid=[43]}" (nothing when it wrote
 * nothing, or failed). */
void put_clone_args_changed(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size, int64_t ret);
void put_ioctl_arg(struct sbuf *b, struct cpu *c, uint64_t req, uint64_t la, int64_t ret, bool out);
bool ioctl_arg_is_output(uint64_t req);
void put_flock(struct sbuf *b, struct cpu *c, uint64_t la, bool pid);
/* The siginfo_t at la: {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=42, si_uid=0}. */
void put_siginfo(struct sbuf *b, struct cpu *c, uint64_t la);
/* The same from values (a signal the kernel acted on without a frame). */
void put_siginfo_values(struct sbuf *b, int signo, int code, uint64_t addr, int pid, int uid);
/* SIGCHLD's: {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=43, si_uid=0,
 * si_status=7, si_utime=0, si_stime=0} (code 1 CLD_EXITED, 2 CLD_KILLED...;
 * status the exit code or the signal). */
void put_siginfo_chld_times(struct sbuf *b, int code, int pid, int uid, int status, int64_t utime,
			    int64_t stime);

#endif
