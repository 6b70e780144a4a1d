/*
 * gdbstub_tasks.c - the guest kernel's tasks, read from guest memory for
 * gdb's thread view and `monitor tasks` (gdbstub_tasks.h), and that view:
 * the thread list, the selected thread's registers and address space.
 *
 * The layout comes from task_offsets.h, generated from kernel_model/'s
 * headers.  Nothing here trusts guest memory: a slot whose state is not
 * one of the kernel's, or whose tid is not positive (the zeroed table
 * before sched_init), is not a task, and every read may fail.
 */
#include <stdio.h>
#include <string.h>

#include "emu/gdb/gdbstub_int.h"
#include "emu/gdb/gdbstub_tasks.h"
#include "emu/symbols.h"
#include "task_offsets.h"

/*
 * The frame __switch_to_asm leaves at thread.sp of a switched-out task
 * (kernel_model/core.c, struct inactive_task_frame): the callee-saved
 * registers, then the address it returns to.
 */
enum { IF_r15, IF_r14, IF_r13, IF_r12, IF_bx, IF_bp, IF_ret, IF_WORDS };

int task_idle_id(void)
{
	return KT_PID_MAX;
}

static bool rd(struct machine *m, uint64_t la, void *dst, size_t n)
{
	return mem_get(m, la, dst, n) == n;
}

static bool rd64(struct machine *m, uint64_t la, uint64_t *v)
{
	return rd(m, la, v, 8);
}

static bool rd32(struct machine *m, uint64_t la, int *v)
{
	return rd(m, la, v, 4);
}

/* The task slots, if the kernel has kernel_model's task_table: a pointer
 * to KT_MAX_TASKS slots that the kernel allocates at boot (NULL until
 * then: no task yet, slots 0).  Their address and the number of slots
 * that may be in use. */
static bool table(struct machine *m, uint64_t *base, int *slots, uint64_t *idle)
{
	uint64_t off, var;
	if (!m->syms || !sym_find(m->syms, "task_table", &var) || !(var >> 63))
		return false;
	const char *end = sym_lookup(m->syms, var + 7, &off);
	if (!end || strcmp(end, "task_table") || off != 7)
		return false;   /* another kernel's task_table: not a pointer */
	*idle = 0;
	if (!rd64(m, var, base) || !*base) {
		*slots = 0;     /* not allocated yet: the first process is booting */
		return true;
	}
	if (!(*base >> 63))
		return false;
	uint64_t a;
	int used = KT_MAX_TASKS;
	if (sym_find(m->syms, "task_slots_used", &a) && rd32(m, a, &used) &&
	    (used < 0 || used > KT_MAX_TASKS))
		used = KT_MAX_TASKS;
	*slots = used;
	if (sym_find(m->syms, "idle_task", &a))
		rd64(m, a, idle);
	return true;
}

static bool live_state(int s)
{
	return s == KT_TASK_RUNNING || s == KT_TASK_INTERRUPTIBLE ||
	       s == KT_TASK_UNINTERRUPTIBLE || s == KT_TASK_STOPPED || s == KT_EXIT_ZOMBIE;
}

/* Slot addr as a task; false if it is not a live one. */
static bool read_task(struct machine *m, uint64_t addr, uint64_t idle, struct gtask *t)
{
	memset(t, 0, sizeof *t);
	t->addr = addr;
	if (!rd32(m, addr + KT_state, &t->state) || !live_state(t->state) ||
	    !rd32(m, addr + KT_pid, &t->tid) || !rd32(m, addr + KT_tgid, &t->tgid))
		return false;
	t->idle = idle && addr == idle;
	if (t->tid <= 0 && !t->idle)
		return false;
	if (t->tid >= KT_PID_MAX)
		return false;
	t->id = t->idle ? KT_PID_MAX : t->tid;
	rd(m, addr + KT_comm, t->comm, sizeof t->comm < KT_COMM_LEN ? sizeof t->comm : KT_COMM_LEN);
	t->comm[sizeof t->comm - 1] = 0;
	uint64_t wn = 0;
	if (rd64(m, addr + KT_wchan_name, &wn) && wn &&
	    t->state != KT_TASK_RUNNING && t->state != KT_EXIT_ZOMBIE) {
		size_t k = mem_get(m, wn, (uint8_t *)t->wchan, sizeof t->wchan - 1);
		t->wchan[k] = 0;
	}
	rd64(m, addr + KT_stack, &t->stack);
	rd64(m, addr + KT_mm, &t->mm);
	return true;
}

int tasks_list(struct machine *m, struct gtask *out, int max)
{
	uint64_t base, idle;
	int slots, n = 0;
	if (!table(m, &base, &slots, &idle))
		return -1;
	for (int i = 0; i < slots; i++) {
		struct gtask t;
		if (!read_task(m, base + (uint64_t)i * KT_TASK_SIZE, idle, &t))
			continue;
		if (n < max)
			out[n] = t;
		n++;
	}
	return n;
}

int tasks_first_id(struct machine *m)
{
	uint64_t base, idle;
	int slots;
	return table(m, &base, &slots, &idle) ? KT_INIT_PID : -1;
}

bool tasks_find(struct machine *m, int id, struct gtask *t)
{
	uint64_t base, idle;
	int slots;
	if (id <= 0 || !table(m, &base, &slots, &idle))
		return false;
	for (int i = 0; i < slots; i++)
		if (read_task(m, base + (uint64_t)i * KT_TASK_SIZE, idle, t) && t->id == id)
			return true;
	return false;
}

const char *task_state_letter(int s)
{
	switch (s) {
	case KT_TASK_RUNNING: return "R";
	case KT_TASK_INTERRUPTIBLE: return "S";
	case KT_TASK_UNINTERRUPTIBLE: return "D";
	case KT_TASK_STOPPED: return "T";
	case KT_EXIT_ZOMBIE: return "Z";
	default: return "?";
	}
}

const char *task_state_word(int s, bool on_cpu, bool idle)
{
	if (idle && s == KT_TASK_RUNNING && !on_cpu)
		return "idle";
	switch (s) {
	case KT_TASK_RUNNING: return on_cpu ? "running" : "runnable";
	case KT_TASK_INTERRUPTIBLE: return "sleeping";
	case KT_TASK_UNINTERRUPTIBLE: return "waiting";
	case KT_TASK_STOPPED: return "stopped";
	case KT_EXIT_ZOMBIE: return "zombie";
	default: return "?";
	}
}

uint64_t task_pgd(struct machine *m, const struct gtask *t)
{
	uint64_t pgd = 0;
	if (!t->mm || !rd64(m, t->mm + KT_mm_pgd, &pgd))
		return 0;
	return pgd;
}

bool task_saved_regs(struct machine *m, const struct gtask *t, struct saved_regs *r)
{
	memset(r, 0, sizeof *r);
	if (!t->stack)
		return false;
	uint64_t th[3];   /* thread.sp, fsbase, gsbase */
	if (!rd64(m, t->addr + KT_thread_sp, &th[0]) ||
	    !rd64(m, t->addr + KT_thread_fsbase, &th[1]) ||
	    !rd64(m, t->addr + KT_thread_gsbase, &th[2]))
		return false;
	r->fs_base = th[1];
	r->gs_base = th[2];
	rd(m, t->addr + KT_thread_fxstate, r->fx, sizeof r->fx);
	r->cr3 = task_pgd(m, t);
	uint8_t pt[KT_PT_REGS_SIZE];
	uint64_t top = t->stack + KT_THREAD_SIZE;
	bool user = false;
	if (!t->idle && rd(m, top - KT_PT_REGS_SIZE, pt, sizeof pt)) {
		uint64_t cs;
		memcpy(&cs, pt + KT_pt_cs, 8);
		user = (cs & 3) == 3;
	}
	if (user) {
		/* gdb's order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 */
		static const unsigned off[16] = {
			KT_pt_ax, KT_pt_bx, KT_pt_cx, KT_pt_dx, KT_pt_si, KT_pt_di, KT_pt_bp,
			KT_pt_sp, KT_pt_r8, KT_pt_r9, KT_pt_r10, KT_pt_r11, KT_pt_r12,
			KT_pt_r13, KT_pt_r14, KT_pt_r15 };
		for (int k = 0; k < 16; k++)
			memcpy(&r->gpr[k], pt + off[k], 8);
		memcpy(&r->rip, pt + KT_pt_ip, 8);
		memcpy(&r->rflags, pt + KT_pt_flags, 8);
		memcpy(&r->cs, pt + KT_pt_cs, 8);
		memcpy(&r->ss, pt + KT_pt_ss, 8);
		return true;
	}
	/* Never in user mode: where __switch_to_asm resumes it. */
	uint64_t f[IF_WORDS];
	if (!th[0] || !rd(m, th[0], f, sizeof f))
		return false;
	r->gpr[1] = f[IF_bx];
	r->gpr[6] = f[IF_bp];
	r->gpr[7] = th[0] + sizeof f;
	r->gpr[12] = f[IF_r12];
	r->gpr[13] = f[IF_r13];
	r->gpr[14] = f[IF_r14];
	r->gpr[15] = f[IF_r15];
	r->rip = f[IF_ret];
	r->rflags = 0x2;   /* the kernel runs with interrupts off */
	r->cs = KT_KERNEL_CS;
	r->ss = KT_KERNEL_DS;
	return true;
}

/* ------------------------------------------------- gdb's thread view */

/* gdb's thread ids: the guest kernel's live tasks, and the running one
 * whatever the table says (before sched_init fills it; another kernel).
 * The idle task only while it is on the CPU: otherwise a program of one
 * thread would look like two to gdb ("Thread 1 hit Breakpoint 1"). */
int thread_ids(struct gdb *g, int *ids, int max)
{
	static struct gtask t[MAX_THREADS];
	int run = running_thread(g), n = tasks_list(g->m, t, MAX_THREADS), k = 0;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	bool have = false;
	for (int i = 0; i < n; i++)
		have |= t[i].id == run;
	if (!have)
		ids[k++] = run;
	for (int i = 0; i < n && k < max; i++)
		if (!t[i].idle || t[i].id == run)
			ids[k++] = t[i].id;
	return k;
}

bool thread_alive(struct gdb *g, int id)
{
	struct gtask t;
	return id == running_thread(g) || tasks_find(g->m, id, &t);
}

/* The registers of the thread gdb selected (Hg): NULL for the CPU's
 * (the running task), else those a switched-out task keeps; *gone when
 * there is no such task any more. */
const struct saved_regs *sel_regs(struct gdb *g, bool *gone)
{
	static struct saved_regs r;
	struct gtask t;
	*gone = false;
	if (g->gthread <= 0 || g->gthread == running_thread(g))
		return NULL;
	if (!tasks_find(g->m, g->gthread, &t) || !task_saved_regs(g->m, &t, &r)) {
		*gone = true;
		return NULL;
	}
	return &r;
}

/* The address space of the selected thread: its page tables, 0 for the
 * CPU's. */
uint64_t sel_cr3(struct gdb *g)
{
	struct gtask t;
	if (g->gthread <= 0 || g->gthread == running_thread(g) ||
	    !tasks_find(g->m, g->gthread, &t))
		return 0;
	return task_pgd(g->m, &t);
}

unsigned sel_reg_get(struct gdb *g, const struct saved_regs *sr, int r, uint8_t *b)
{
	return sr ? reg_get_saved(g->c, sr, r, b) : reg_get(g->c, r, b);
}

/* qThreadExtraInfo: "comm, state, pid N" */
void thread_extra(struct gdb *g, int id, char *text, size_t len)
{
	struct gtask t;
	bool on_cpu = id == running_thread(g);
	if (tasks_find(g->m, id, &t))
		snprintf(text, len, "%s, %s, pid %d", t.comm[0] ? t.comm : "?",
			 task_state_word(t.state, on_cpu, t.idle), t.tgid);
	else if (on_cpu)
		snprintf(text, len, "CPU 0, CPL %d (%s)", g->c->cpl, g->c->cpl ? "user" : "kernel");
	else
		snprintf(text, len, "gone");
}
