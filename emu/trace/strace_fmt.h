/*
 * strace_fmt.h - turning system call arguments into strace(1)'s text
 * (emu/trace/strace_fmt.c): a bounded text buffer, guest memory read
 * through the page tables without faulting, strings with strace's
 * escaping, flag sets, structures, and the errno and signal names.
 * The state machine that decides *when* to print is emu/trace/strace.c.
 */
#ifndef LSTAR_STRACE_FMT_H
#define LSTAR_STRACE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Argument k of a call described by d, raw values a[].  out: printing
 * after the call returned `ret` (output arguments are decoded then). */
void strace_put_arg(struct sbuf *b, struct cpu *c, const struct syscall_desc *d, int k,
		    const uint64_t *a, int64_t ret, bool out);
/* Is an argument of this kind written by the kernel (decoded on return)? */
bool strace_is_output(int kind);

/* errno 1..4095: "ENOENT", or NULL; the message ("No such file or directory"). */
const char *strace_errno_name(int e);
const char *strace_errno_text(int e);
/* "SIGSEGV" for 11, "signal" for a number without a name. */
const char *strace_sig_name(int sig);

#endif
