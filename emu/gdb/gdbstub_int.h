/*
 * gdbstub_int.h - what the pieces of the gdb stub share (emu/gdb/gdbstub.c:
 * hooks, run control, reverse execution, the server; gdbstub_packets.c:
 * the protocol; gdbstub_regs.c: registers, target description, memory;
 * gdbstub_tasks.c: the guest kernel's tasks as gdb's threads).
 * Not a public header.
 */
#ifndef LSTAR_GDBSTUB_INT_H
#define LSTAR_GDBSTUB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/machine.h"
#include "emu/gdb/gdbstub.h"

#define PKT_MAX 16384          /* PacketSize we advertise (hex) = 0x4000 */
#define MAX_BP 64
#define MAX_WP 16
#define POLL_EVERY 4096        /* instructions between Ctrl-C polls */

/* W_THREAD: the thread gdb steps is back on the CPU, or gone (resume_thread). */
enum why { W_NONE, W_SW, W_HW, W_WATCH, W_INT, W_STEP, W_IO, W_TARGET, W_THREAD };

struct bp { uint64_t addr; int hw; };
struct wp { uint64_t addr, len; int type; };   /* type: 2 write, 3 read, 4 access */

struct gdb {
	struct machine *m;
	struct cpu *c;
	FILE *log;
	int fd;
	uint8_t rbuf[4096];
	size_t rlen, rpos;
	bool noack;
	bool eof;
	bool int_pending;          /* 0x03 arrived */
	struct bp bp[MAX_BP];
	int nbp;
	struct wp wp[MAX_WP];
	int nwp;
	struct cpu_hooks hooks;
	/* run state */
	bool skip_once;            /* the first instruction after resume ignores breakpoints */
	bool stepping;
	enum why why;
	int hit_hw;
	uint64_t watch_addr;
	int watch_type;
	bool watch_hit;
	unsigned poll_ctr;
	bool exited;               /* powered off: status below */
	int exit_status;
	int dead_sig;              /* the machine can run no further (triple fault...) */
	char stop[256];            /* last stop reply */
	struct gdb_syslog sys;
	/* reverse execution */
	struct snapshots *snap;    /* NULL: reverse execution unavailable */
	uint64_t target_pos;       /* stop before the instruction at this position */
	bool replay_scan;          /* recording breakpoint hits, not stopping */
	uint64_t scan_hit_pos;
	enum why scan_hit_why;
	uint64_t scan_watch_addr;
	int scan_watch_type;
	bool scan_hit;
	bool io_done;              /* last instruction did port I/O */
	uint64_t pos;              /* position: retired instructions + delivered exceptions */
	uint64_t frontier;         /* the furthest position ever executed live */
	uint64_t interval;         /* positions between periodic snapshots */
	/* threads: the guest kernel's tasks (gdbstub_tasks.h) */
	int gthread;               /* selected by Hg: registers, memory; 0 = the running task */
	int cthread;               /* selected by Hc: the thread an `s` packet steps */
	int wait_thread;           /* stop when this thread is on the CPU ... */
	bool wait_kernel;          /* ... in any mode (else: back in user mode), */
	int wait_last;             /* or gone at a switch (the running one before) */
	struct task_switch *sw;    /* the running task's changes, by position */
	size_t nsw, capsw;
	uint64_t seen_switches;    /* LSTAR_HC_TASK calls seen */
};

/* From this position on, the guest kernel ran this task (its LSTAR_HC_TASK
 * host call).  Kept by the stub because replays do not repeat host calls
 * and the host-call device keeps only the latest. */
struct task_switch {
	uint64_t pos;
	int tid;
};

static inline uint64_t rev_pos(const struct gdb *g)
{
	return g->pos;
}

/* One more position executed; true if it ran live (not a replay). */
static inline bool rev_advance(struct gdb *g)
{
	bool live = g->pos >= g->frontier;
	g->pos++;
	if (g->pos > g->frontier)
		g->frontier = g->pos;
	return live;
}


#define NOPOS (~0ULL)

/* gdbstub_packets.c */
void send_pkt(struct gdb *g, const char *data, size_t len);
void send_str(struct gdb *g, const char *s);
int recv_pkt(struct gdb *g, char *buf, size_t *len);
int rd_byte(struct gdb *g, int timeout_ms);
char *put_hex(char *o, const void *p, size_t n);
enum { GO_ON, GO_DETACH, GO_KILL };
int do_packet(struct gdb *g, char *p, size_t n);

/* gdbstub_regs.c: gdb's amd64 register numbers */
#define NREGS 65
unsigned reg_size(int r);
unsigned reg_get(struct cpu *c, int r, uint8_t *buf);
bool reg_set(struct cpu *c, int r, const uint8_t *buf);
const char *target_xml(void);
struct saved_regs;
unsigned reg_get_saved(struct cpu *c, const struct saved_regs *s, int r, uint8_t *buf);
/* Guest memory through the current page tables (mem_get/mem_put) or
 * those at cr3 (another task's address space; 0: the current ones). */
size_t mem_get(struct machine *m, uint64_t la, uint8_t *dst, size_t n);
size_t mem_put(struct machine *m, uint64_t la, const uint8_t *src, size_t n);
size_t mem_get_as(struct machine *m, uint64_t cr3, uint64_t la, uint8_t *dst, size_t n);
size_t mem_put_as(struct machine *m, uint64_t cr3, uint64_t la, const uint8_t *src, size_t n);

/* gdbstub_tasks.c: gdb's threads (the guest kernel's tasks) */
#define MAX_THREADS 1024
int thread_ids(struct gdb *g, int *ids, int max);
bool thread_alive(struct gdb *g, int id);
const struct saved_regs *sel_regs(struct gdb *g, bool *gone);
uint64_t sel_cr3(struct gdb *g);
unsigned sel_reg_get(struct gdb *g, const struct saved_regs *sr, int r, uint8_t *b);
void thread_extra(struct gdb *g, int id, char *text, size_t len);

/* gdbstub.c */
void set_hooks(struct gdb *g);
/* Run or step until something stops the machine; skip: ignore a
 * breakpoint at the first instruction (the one gdb resumes from). */
void resume(struct gdb *g, bool step, bool skip);
/* Step (or run) with thread tid (gdb's id; 0 or -1: the running one) as
 * the one gdb resumes: a step of a switched-out thread first runs the
 * machine until that thread is back on the CPU where gdb saw it. */
void resume_thread(struct gdb *g, bool step, int tid);
/* The stop reply for how the machine stopped, into g->stop. */
void make_stop(struct gdb *g);
void reverse_step(struct gdb *g);
void reverse_continue(struct gdb *g);
void rev_fork(struct gdb *g);
/* gdb's thread id of the task running at the current position. */
int running_thread(struct gdb *g);

#endif
