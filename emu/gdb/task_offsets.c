/*
 * task_offsets.c - where the gdb stub finds the guest kernel's tasks.
 *
 * Never linked: emu/gdb/CMakeLists.txt compiles it to assembly with the
 * kernel's compiler and kernel_model/'s headers, and turns each "->NAME
 * VALUE" marker below into "#define NAME VALUE" in the generated
 * task_offsets.h (the way Linux makes asm-offsets.h).  So the stub reads
 * struct task_struct with the layout the kernel was built with, and a change
 * of that layout needs no change here unless a field the stub reads goes.
 */
#include "sched.h"
#include "ptrace.h"

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFF(sym, str, mem) DEFINE(sym, __builtin_offsetof(struct str, mem))

void task_offsets(void);
void task_offsets(void)
{
	DEFINE(KT_MAX_TASKS, MAX_TASKS);
	DEFINE(KT_TASK_SIZE, sizeof(struct task_struct));
	DEFINE(KT_THREAD_SIZE, THREAD_SIZE);
	DEFINE(KT_COMM_LEN, TASK_COMM_LEN);
	DEFINE(KT_INIT_PID, INIT_PID);
	DEFINE(KT_PID_MAX, PID_MAX);
	OFF(KT_state, task_struct, state);
	OFF(KT_pid, task_struct, pid);
	OFF(KT_tgid, task_struct, tgid);
	OFF(KT_comm, task_struct, comm);
	OFF(KT_wchan_name, task_struct, wchan_name);
	OFF(KT_stack, task_struct, stack);
	OFF(KT_mm, task_struct, mm);
	OFF(KT_thread_sp, task_struct, thread.sp);
	OFF(KT_thread_fsbase, task_struct, thread.fsbase);
	OFF(KT_thread_gsbase, task_struct, thread.gsbase);
	OFF(KT_thread_fxstate, task_struct, thread.fpstate);
	OFF(KT_mm_pgd, mm_struct, pgd);

	DEFINE(KT_TASK_RUNNING, TASK_RUNNING);
	DEFINE(KT_TASK_INTERRUPTIBLE, TASK_INTERRUPTIBLE);
	DEFINE(KT_TASK_UNINTERRUPTIBLE, TASK_UNINTERRUPTIBLE);
	DEFINE(KT_TASK_STOPPED, TASK_STOPPED);
	DEFINE(KT_EXIT_ZOMBIE, EXIT_ZOMBIE);
	DEFINE(KT_EXIT_DEAD, EXIT_DEAD);
	DEFINE(KT_TASK_UNUSED, TASK_UNUSED);

	DEFINE(KT_PT_REGS_SIZE, sizeof(struct pt_regs));
	OFF(KT_pt_r15, pt_regs, r15);
	OFF(KT_pt_r14, pt_regs, r14);
	OFF(KT_pt_r13, pt_regs, r13);
	OFF(KT_pt_r12, pt_regs, r12);
	OFF(KT_pt_bp, pt_regs, bp);
	OFF(KT_pt_bx, pt_regs, bx);
	OFF(KT_pt_r11, pt_regs, r11);
	OFF(KT_pt_r10, pt_regs, r10);
	OFF(KT_pt_r9, pt_regs, r9);
	OFF(KT_pt_r8, pt_regs, r8);
	OFF(KT_pt_ax, pt_regs, ax);
	OFF(KT_pt_cx, pt_regs, cx);
	OFF(KT_pt_dx, pt_regs, dx);
	OFF(KT_pt_si, pt_regs, si);
	OFF(KT_pt_di, pt_regs, di);
	OFF(KT_pt_ip, pt_regs, ip);
	OFF(KT_pt_cs, pt_regs, cs);
	OFF(KT_pt_flags, pt_regs, flags);
	OFF(KT_pt_sp, pt_regs, sp);
	OFF(KT_pt_ss, pt_regs, ss);

	DEFINE(KT_KERNEL_CS, __KERNEL_CS);
	DEFINE(KT_KERNEL_DS, __KERNEL_DS);
}
