/*
 * segment.h - GDT layout and selectors (mirrors arch/x86/include/asm/segment.h).
 *
 * The order is forced by SYSCALL/SYSRET: SYSCALL loads CS from STAR[47:32]
 * and SS from the next slot; SYSRET loads SS from STAR[63:48] + 8 and the
 * 64-bit CS from STAR[63:48] + 16.  With STAR[63:48] = 0x23 that gives user
 * SS 0x2B and user CS 0x33 - which is why Linux keeps a 32-bit user code
 * segment at 0x23 even though a 64-bit-only kernel never uses it.
 * Included from assembly, so only #defines here.
 */
#ifndef KM_SEGMENT_H
#define KM_SEGMENT_H

#define GDT_ENTRY_KERNEL32_CS	1
#define GDT_ENTRY_KERNEL_CS	2
#define GDT_ENTRY_KERNEL_DS	3
#define GDT_ENTRY_DEFAULT_USER32_CS 4
#define GDT_ENTRY_DEFAULT_USER_DS 5
#define GDT_ENTRY_DEFAULT_USER_CS 6
#define GDT_ENTRY_TSS		8	/* 16 bytes: uses entries 8 and 9 */
#define GDT_ENTRIES		16

#define __KERNEL_CS	(GDT_ENTRY_KERNEL_CS * 8)		/* 0x10 */
#define __KERNEL_DS	(GDT_ENTRY_KERNEL_DS * 8)		/* 0x18 */
#define __USER32_CS	(GDT_ENTRY_DEFAULT_USER32_CS * 8 + 3)	/* 0x23 */
#define __USER_DS	(GDT_ENTRY_DEFAULT_USER_DS * 8 + 3)	/* 0x2B */
#define __USER_CS	(GDT_ENTRY_DEFAULT_USER_CS * 8 + 3)	/* 0x33 */
#define __TSS_SEL	(GDT_ENTRY_TSS * 8)			/* 0x40 */

/* Per-CPU area reached through %gs in the kernel (see percpu in common). */
#define PCPU_user_rsp		0	/* scratch: user RSP during syscall entry */
#define PCPU_top_of_stack	8	/* kernel stack top for SYSCALL */

/* Offsets into struct pt_regs, for assembly (see ptrace.h). */
#define PTREGS_ORIG_AX	(15 * 8)
#define PTREGS_IP	(16 * 8)
#define PTREGS_CS	(17 * 8)
#define PTREGS_SP	(19 * 8)
#define PTREGS_SIZE	(21 * 8)

/* struct task_struct: thread.sp (sched.h) */
#define TASK_thread_sp	0

#define THREAD_SIZE	(16 * 1024)
#define __START_KERNEL_map 0xffffffff80000000
#define ENOSYS_NEG	(-38)

#endif
