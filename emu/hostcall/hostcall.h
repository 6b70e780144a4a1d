/*
 * hostcall.h - the emulator side of the host-call device: configuration,
 * statistics and the state other parts of lstar (CLI, traces, gdb) read.
 * The device ABI a guest kernel uses (ports, request block, call numbers)
 * is the public header lstar/hostcall.h, included here.
 */
#ifndef LSTAR_EMU_HOSTCALL_H
#define LSTAR_EMU_HOSTCALL_H

#include "lstar/hostcall.h"
#include <stdbool.h>
#include <stddef.h>

struct hostcall;

/* What the CLI can set before the guest runs. */
struct hostcall_config {
	const char *root;	/* --root DIR: confine every guest path to DIR; NULL = host view */
	bool seeded;		/* --seed N: reproducible runs (LSTAR_HC_RANDOM from a generator */
	uint64_t seed;		/*   seeded with N, clocks that count instructions) */
};

/* Apply a configuration.  Returns 0, or -1 with a one-line reason in err. */
int hostcall_configure(struct hostcall *hc, const struct hostcall_config *cfg,
		       char *err, size_t errlen);
/* Unimplemented-syscall counts the kernel reported (LSTAR_HC_STATS), for --stats:
 * calls fn(nr, count, arg) for each, in order of nr. */
void hostcall_stats(struct hostcall *hc,
		    void (*fn)(unsigned nr, uint64_t count, void *arg), void *arg);
/* The task the guest kernel last said it runs (LSTAR_HC_TASK): thread id,
 * process id and name; 0 and "" before the first switch. */
struct hostcall_task {
	int tid, tgid;
	char comm[16];
	uint64_t switches;	/* LSTAR_HC_TASK calls so far */
};
const struct hostcall_task *hostcall_current_task(const struct hostcall *hc);
/* The vector the guest asked for on Ctrl-C (LSTAR_HC_SIGINT_VECTOR), 0 if none. */
int hostcall_sigint_vector(const struct hostcall *hc);

#endif
