/*
 * gdbstub.h - the GDB remote serial protocol server behind `lstar run
 * --gdb [HOST:]PORT` (docs/gdb.md).
 *
 * The stub drives the machine itself: it halts before the first
 * instruction, waits for gdb, and runs the CPU only when gdb says so.
 * Breakpoints and watchpoints live on the host side (cpu_hooks), so guest
 * memory is never patched.  Reverse execution (bs/bc) restores periodic
 * snapshots (emu/gdb/snapshot.c) and re-executes, which is exact because lstar
 * is deterministic.
 */
#ifndef LSTAR_GDBSTUB_H
#define LSTAR_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct machine;

/* Exit status after gdb killed the machine (`kill`, or gdb went away
 * without detaching): like a process killed by SIGKILL. */
#define GDB_EXIT_KILLED 137
/* gdbstub_serve's result after gdb detached: the caller runs the machine
 * on as if no debugger had been there. */
#define GDB_DETACHED (-2)

/* Parse "[HOST:]PORT" (PORT 0..65535; 0 lets the kernel choose).  HOST
 * defaults to 127.0.0.1.  False with a reason in err on a bad spec. */
bool gdbstub_parse_addr(const char *spec, char *host, size_t hostlen, uint16_t *port,
			char *err, size_t errlen);

/*
 * Listen on spec, print "lstar: gdb: listening on HOST:PORT" to `log`,
 * accept one gdb and serve it until the guest powers off (then the guest's
 * status is returned once gdb disconnects), gdb detaches (GDB_DETACHED:
 * hooks are removed, the caller runs the machine to its end) or gdb kills
 * it or goes away without detaching (GDB_EXIT_KILLED).  Returns -1 with err filled when the socket cannot be
 * set up.  Other stops (triple fault, HLT with IF=0) are reported to gdb as
 * signals; the machine stays inspectable.
 */
int gdbstub_serve(struct machine *m, const char *spec, FILE *log, char *err, size_t errlen);

/* ---- shared between gdbstub.c and gdbstub_monitor.c ---- */

#define GDB_SYSLOG 32   /* system calls remembered for `monitor syscalls` */

struct gdb_syscall {
	uint64_t icount;    /* instruction count at the SYSCALL */
	uint64_t nr;        /* RAX */
	uint64_t arg[6];    /* RDI RSI RDX R10 R8 R9 */
	uint64_t user_rip;  /* RCX - 2: the SYSCALL instruction */
	uint64_t ret;       /* RAX at SYSRET */
	bool returned;      /* a SYSRET followed */
};

struct gdb_syslog {
	struct gdb_syscall e[GDB_SYSLOG];
	uint64_t n;         /* total recorded; e[(n - 1) % GDB_SYSLOG] is the last */
};

/* Run one `monitor` command line; output goes through out(text, arg).
 * running: gdb's thread id of the task on the CPU. */
void gdb_monitor(struct machine *m, const struct gdb_syslog *log, int running, const char *cmd,
		 void (*out)(const char *text, void *arg), void *arg);

#endif
