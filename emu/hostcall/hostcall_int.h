/*
 * hostcall_int.h - what emu/hostcall/hostcall.c (ports, handles, streams, clock)
 * and emu/hostcall/hostcall_fs.c (paths, --root confinement, path-based calls)
 * share.  Private to the host-call device.
 */
#ifndef LSTAR_HOSTCALL_INT_H
#define LSTAR_HOSTCALL_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include "emu/machine.h"
#include "emu/hostcall/hostcall.h"
#include "emu/hostcall/linux_errno.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif
struct hc_open_how { uint64_t flags, mode, resolve; };

#define HC_NSTATS 512

struct hc_handle {
	int fd;			/* host descriptor; -1 = free */
	char *path;		/* guest-visible absolute path (for *at calls), or NULL */
};

struct hostcall {
	struct machine *m;
	uint32_t addr_hi;		/* latched by LSTAR_HC_PORT_ADDR_HI */
	uint32_t status;		/* LSTAR_HC_PORT_STATUS */
	int rootfd;			/* --root directory, or -1 for the host view */
	int have_openat2;
	char cwd[LSTAR_HC_PATH_MAX];		/* guest-visible, absolute, normalized */
	struct hc_handle h[LSTAR_HC_MAX_HANDLES];
	uint64_t stats[HC_NSTATS];	/* unimplemented syscall counts (LSTAR_HC_STATS) */
	struct hostcall_task task;	/* LSTAR_HC_TASK: who runs now */
	int sigint_vector;		/* LSTAR_HC_SIGINT_VECTOR, 0: none */
	/* --seed: what the host would make different from run to run */
	bool seeded;
	uint64_t rng;			/* splitmix64 state for LSTAR_HC_RANDOM */
	uint64_t slept_ns;		/* LSTAR_HC_NANOSLEEP time, added to the clocks */
	/* The terminal settings found before the guest's first LSTAR_HC_TCSETS,
	 * put back if the machine stops without the guest's exit (an
	 * emulator stop must not leave the user's terminal raw). */
	int tty_fd;			/* a dup of that terminal, or -1 */
	struct lstar_hc_termios2 tty_saved;
};


/* hostcall.c */
int64_t hc_lerr(int e);

/* A host call's result as the guest sees it: the value, or -errno in
 * Linux numbering.  A function, not a macro: the argument is usually the
 * host call itself, which a macro would make twice (lseek(SEEK_CUR) then
 * moved the offset twice). */
static inline int64_t hc_ret(int64_t r)
{
	return r < 0 ? hc_lerr(errno) : r;
}
int hc_host_oflags(uint64_t guest_flags);
void *hc_gptr(struct hostcall *hc, uint64_t pa, uint64_t len);
void *hc_gptr_w(struct hostcall *hc, uint64_t pa, uint64_t len);
const char *hc_gpath(struct hostcall *hc, uint64_t pa, int64_t *err);
int64_t hc_handle_new(struct hostcall *hc, int fd, const char *path);
int hc_handle_fd(struct hostcall *hc, uint64_t h);
int64_t hc_put_stat(struct hostcall *hc, const struct stat *st, uint64_t pa);

/* hostcall_idle.c: bus.idle_wait (HLT with interrupts enabled, cpu/bus.h) */
uint64_t hc_idle_wait(struct bus *b, uint64_t ticks);

/* hostcall_fs.c: one function per path-based op, arguments as in hostcall.h */
int64_t hc_op_openat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_fstatat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_name(struct hostcall *hc, unsigned op, const uint64_t *a);
int64_t hc_op_renameat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_faccessat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_chdir(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_fchdir(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_symlinkat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_linkat(struct hostcall *hc, const uint64_t *a);
int64_t hc_op_meta(struct hostcall *hc, unsigned op, const uint64_t *a);
int64_t hc_op_statfs(struct hostcall *hc, const uint64_t *a);
int64_t hc_unix_host_path(struct hostcall *hc, const char *gpath, bool bind,
			  char *out, int *tmpfd);

/* hostcall_net.c: the socket ops (LSTAR_HC_SOCKET..LSTAR_HC_FIONREAD) */
int64_t hc_op_net(struct hostcall *hc, unsigned op, const uint64_t *a);

#endif
