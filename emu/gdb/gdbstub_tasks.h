/*
 * gdbstub_tasks.h - the guest kernel's tasks as the gdb stub shows them:
 * gdb threads, `monitor tasks`, the registers a switched-out task will
 * return to user mode with (docs/gdb.md, "Threads and processes").
 *
 * Everything is read from guest memory while the machine is stopped:
 * the kernel's task_table (found by its symbol), each task's struct
 * task_struct (offsets generated from kernel_model/'s headers,
 * task_offsets.c) and the struct pt_regs at the top of its kernel stack.
 * A kernel without a task_table symbol (another --kernel) has no tasks;
 * the stub then shows one thread.  Not a public header.
 */
#ifndef LSTAR_GDBSTUB_TASKS_H
#define LSTAR_GDBSTUB_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

/* gdb's thread id for the idle task, whose tid 0 gdb cannot take ("any
 * thread"): the kernel's PID_MAX, which no task's tid ever reaches. */
int task_idle_id(void);

struct gtask {
	uint64_t addr;          /* its struct task_struct */
	int id;                 /* gdb's thread id: the tid (task_idle_id() for idle) */
	int tid, tgid, state;
	bool idle;
	char comm[16];
	char wchan[32];         /* wchan_name, "" when not waiting */
	uint64_t stack;         /* the kernel stack (THREAD_SIZE bytes) */
	uint64_t mm;            /* its struct mm_struct, 0 if none */
};

/* The live tasks (state neither unused nor dead), in task_table order:
 * their number (at most max are filled in), or -1 when the kernel has no
 * task table. */
int tasks_list(struct machine *m, struct gtask *out, int max);
/* The first process's tid (the task that runs until the kernel's first
 * switch), or -1 when the kernel has no task table. */
int tasks_first_id(struct machine *m);
/* The live task with gdb thread id `id`. */
bool tasks_find(struct machine *m, int id, struct gtask *t);
/* "R", "S"...: the kernel's letter for a state (as in its deadlock report). */
const char *task_state_letter(int state);
/* A word for it: "running" (on the CPU), "runnable", "sleeping", ...;
 * "idle" for the idle task when it is not on the CPU. */
const char *task_state_word(int state, bool on_cpu, bool idle);

/* A task's registers as a switched-out task keeps them (gdb's numbering,
 * emu/gdb/gdbstub_regs.c).  Registers not kept per task (cr0, cr2, cr4,
 * cr8, efer, ds, es, fs, gs selectors) are the CPU's. */
struct saved_regs {
	uint64_t gpr[16];       /* gdb order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 */
	uint64_t rip, rflags, cs, ss;
	uint64_t fs_base, gs_base;
	uint64_t cr3;           /* its address space; 0: the CPU's */
	uint8_t fx[512];        /* FXSAVE64 image: x87, SSE, MXCSR */
};
/* The user registers t returns to (its pt_regs) or, for a task that never
 * left the kernel (the idle task), where its context switch resumes it.
 * False if they cannot be read. */
bool task_saved_regs(struct machine *m, const struct gtask *t, struct saved_regs *r);
/* The physical address of t's top-level page table, 0 if unknown. */
uint64_t task_pgd(struct machine *m, const struct gtask *t);

#endif
