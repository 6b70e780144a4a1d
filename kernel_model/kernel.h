/*
 * kernel.h - the little bit of include/linux/ every file needs: types,
 * string helpers, printk, panic, and the interfaces between the files.
 * (A real kernel spreads this over hundreds of headers; a teaching kernel
 * gets one, so that the whole call graph can be read in one place.)
 */
#ifndef KM_KERNEL_H
#define KM_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "segment.h"
#include "ptrace.h"
#include "uapi.h"
#include "lstar/hostcall.h"	/* the host-call device ABI */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define __user		/* marks a user-space pointer: never dereference directly */
#define __noreturn	__attribute__((noreturn))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096UL
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)

/* Highest user address + 1, as Linux with 4-level paging: the last page
 * below 2^47 is kept unmapped (that is what makes SYSRET safe, see common.c). */
#define TASK_SIZE_MAX	((1UL << 47) - PAGE_SIZE)
#define STACK_TOP	TASK_SIZE_MAX
/* Direct map of all physical memory (Linux's page_offset_base default). */
#define PAGE_OFFSET	0xffff888000000000UL

/* ---- lib/string.c ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy_pad(char *d, const char *s, size_t n);

/* ---- printk.c: the console is port 0xE9 ---- */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
void printk(const char *fmt, ...);
__noreturn void panic(const char *fmt, ...);

/* ---- init/main.c ---- */
extern struct lstar_bootinfo boot_info;	/* copy of the firmware's block */

/* ---- cpu/common.c, traps.c, idt.c ---- */
void cpu_init(void);
void syscall_init(void);
void idt_setup_traps(void);
void do_trap(struct pt_regs *regs, unsigned long vector);
__noreturn void do_trap_die(struct pt_regs *regs, unsigned long vector);
__noreturn void force_sig_exit(int sig, const char *what, unsigned long addr,
			       const struct pt_regs *regs);

/* ---- entry_64.S ---- */
void entry_SYSCALL_64(void);
__noreturn void ret_to_user(struct pt_regs *regs);
extern const unsigned long exception_entries[32];

/* ---- entry/common.c, syscall_64.c ---- */
bool do_syscall_64(struct pt_regs *regs, int nr);
long x64_sys_call(const struct pt_regs *regs, unsigned int nr);
extern const char *const syscall_names[];
extern const unsigned int nr_syscall_names;
long sys_ni_syscall(const struct pt_regs *regs);
void report_ni_syscalls(bool to_console);
void arch_do_signal(struct pt_regs *regs);
void force_sig_fault(int sig, int code, unsigned long addr, struct pt_regs *regs,
		     const char *what);

/* ---- kernel/exit.c, fork.c ---- */
__noreturn void do_exit(int status);		/* exit(status) */
__noreturn void do_exit_signal(int sig);	/* killed by sig */

/* ---- cputime.c: CPU time and resource usage ---- */
struct task_cputime {
	u64 utime, stime;	/* TSC ticks in user mode and in the kernel */
	u64 cutime, cstime;	/* of the children waited for, with theirs */
	u64 min_flt, cmin_flt;	/* page faults that mapped a page */
	u64 cmaxrss;		/* the largest resident set of those, pages */
	u64 start_ns;		/* when the process was made, since boot */
};
struct task_usage {		/* what an ended child leaves for wait4 */
	u64 utime, stime, min_flt, maxrss;
};
struct task_times {		/* in clock ticks (USER_HZ), for /proc */
	u64 utime_ticks, stime_ticks, cutime_ticks, cstime_ticks;
	u64 min_flt, cmin_flt, start_ticks;
};
void cputime_init(void);
void account_user_time(void);	/* entering the kernel from user mode */
void account_system_time(void);	/* going back (or reading the times) */
void cputime_exit(struct task_usage *u);
void cputime_reap(const struct task_usage *u);
u64 task_cpu_ns(void);		/* CLOCK_PROCESS_CPUTIME_ID */
void task_times(struct task_times *t);
long put_child_rusage(void __user *ru, const struct task_usage *u);

/* ---- drivers/hostcall.c: the host-call device ---- */
long hostcall(unsigned op, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);
/* sys.c: the running process's nice value and I/O priority, and its name
 * (comm: the program's file name, or what PR_SET_NAME gave). */
#define TASK_COMM_LEN	16
void set_task_comm(const char *path);	/* from an executed file's path */
#define HC_BOUNCE_SIZE	(64 * 1024)
extern u8 hc_bounce[HC_BOUNCE_SIZE];	/* kernel buffer the host reads/writes */

/*
 * SYSCALL_DEFINEn: a handler is written with typed arguments, and the macro
 * makes the __x64_sys_<name>(regs) wrapper that x64_sys_call() calls, which
 * reads the arguments from pt_regs in ABI order (di, si, dx, r10, r8, r9).
 * Linux's version (include/linux/syscalls.h) is the same idea with more
 * hardening; this one keeps only the idea.
 */
#define __SYSW(name, call)						\
	long __x64_sys_##name(const struct pt_regs *regs);		\
	long __x64_sys_##name(const struct pt_regs *regs)		\
	{ (void)regs; return call; }
#define SYSCALL_DEFINE0(name)						\
	static long __do_sys_##name(void);				\
	__SYSW(name, __do_sys_##name())					\
	static long __do_sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1)					\
	static long __do_sys_##name(t1 a1);				\
	__SYSW(name, __do_sys_##name((t1)regs->di))			\
	static long __do_sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)				\
	static long __do_sys_##name(t1 a1, t2 a2);			\
	__SYSW(name, __do_sys_##name((t1)regs->di, (t2)regs->si))	\
	static long __do_sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)			\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3);		\
	__SYSW(name, __do_sys_##name((t1)regs->di, (t2)regs->si,	\
				     (t3)regs->dx))			\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)		\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);	\
	__SYSW(name, __do_sys_##name((t1)regs->di, (t2)regs->si,	\
				     (t3)regs->dx, (t4)regs->r10))	\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)	\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);	\
	__SYSW(name, __do_sys_##name((t1)regs->di, (t2)regs->si,	\
				     (t3)regs->dx, (t4)regs->r10,	\
				     (t5)regs->r8))			\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6); \
	__SYSW(name, __do_sys_##name((t1)regs->di, (t2)regs->si,	\
				     (t3)regs->dx, (t4)regs->r10,	\
				     (t5)regs->r8, (t6)regs->r9))	\
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

#endif
