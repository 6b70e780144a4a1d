/*
 * array.c - /proc/<pid>/status, stat and statm of the running process
 * (mirrors fs/proc/array.c and the task_mem/task_statm half of
 * fs/proc/task_mmu.c).  Field names, order and formats are Linux 6.1's
 * (the release uname reports); the values are the guest's: its pid and
 * ids, its name, its VMAs and resident pages, its signal state.
 *
 * Memory figures: VmSize is the sum of the VMAs, VmRSS the present user
 * pages (all counted as anonymous: the kernel copies a program's file
 * bytes into its own pages), VmHWM the most there ever were, VmData the
 * private writable areas but the stack, VmStk the stack area, VmExe the
 * program's code, VmPTE the page-table pages of the user half.  Nothing
 * keeps the largest VmSize ever, so VmPeak is VmSize.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"
#include "signal.h"

struct mem_stats {
	u64 total_vm, data_vm, stack_vm, exec_vm;	/* pages */
	u64 text_kb, lib_kb;
};

static void task_mem_stats(struct mem_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < init_mm.map_count; i++) {
		const struct vm_area_struct *v = &init_mm.vmas[i];
		u64 pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		bool stack = v->vm_end == STACK_TOP;
		s->total_vm += pages;
		if (stack)
			s->stack_vm += pages;
		else if (v->vm_flags & VM_WRITE)
			s->data_vm += pages;
		else if (v->vm_flags & VM_EXEC)
			s->exec_vm += pages;
	}
	if (init_mm.end_code > init_mm.start_code)
		s->text_kb = (PAGE_ALIGN(init_mm.end_code) -
			      (init_mm.start_code & PAGE_MASK)) >> 10;
	u64 exec_kb = s->exec_vm << (PAGE_SHIFT - 10);
	s->lib_kb = exec_kb > s->text_kb ? exec_kb - s->text_kb : 0;
}

#define KB(pages)	((pages) << (PAGE_SHIFT - 10))

/* Signal n is bit n - 1, as sigset_t. */
static void sig_masks(u64 *ign, u64 *cgt)
{
	*ign = *cgt = 0;
	for (int i = 0; i < _NSIG; i++) {
		if (sig_actions[i].handler == SIG_IGN)
			*ign |= 1UL << i;
		else if (sig_actions[i].handler != SIG_DFL)
			*cgt |= 1UL << i;
	}
}

static int nr_pending(void)
{
	int n = 0;
	for (u64 p = sig_pending; p; p &= p - 1)
		n++;
	return n;
}

void proc_pid_status(struct seq_file *m)
{
	struct mem_stats s;
	u64 ign, cgt;
	unsigned uid = boot_info.uid, gid = boot_info.gid;
	/* Root has every capability (CAP_LAST_CAP is 40 in 6.1). */
	u64 caps = uid == 0 ? 0x1ffffffffffUL : 0;

	task_mem_stats(&s);
	sig_masks(&ign, &cgt);
	seq_printf(m, "Name:\t%s\n", current_comm);
	seq_printf(m, "Umask:\t%04o\n", current_umask);
	seq_printf(m, "State:\tR (running)\n");
	seq_printf(m, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		   THE_PID, THE_PID, parent_pid());
	seq_printf(m, "Uid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid);
	seq_printf(m, "Gid:\t%u\t%u\t%u\t%u\n", gid, gid, gid, gid);
	seq_printf(m, "FDSize:\t%d\n", NR_OPEN_DEFAULT);
	seq_printf(m, "Groups:\t%u \n", gid);
	seq_printf(m, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		   THE_PID, THE_PID, current_ids.pgrp, current_ids.sid);
	seq_printf(m, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\n", KB(s.total_vm), KB(s.total_vm));
	seq_printf(m, "VmLck:\t%8lu kB\nVmPin:\t%8lu kB\n", 0UL, 0UL);
	seq_printf(m, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n",
		   KB(MAX(init_mm.hiwater_rss, init_mm.rss)), KB(init_mm.rss));
	seq_printf(m, "RssAnon:\t%8lu kB\nRssFile:\t%8lu kB\nRssShmem:\t%8lu kB\n",
		   KB(init_mm.rss), 0UL, 0UL);
	seq_printf(m, "VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\nVmLib:\t%8lu kB\n",
		   KB(s.data_vm), KB(s.stack_vm), s.text_kb, s.lib_kb);
	seq_printf(m, "VmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\n",
		   KB(user_pgtable_pages(init_mm.pgd)), 0UL);
	seq_printf(m, "HugetlbPages:\t%8lu kB\n", 0UL);
	seq_printf(m, "CoreDumping:\t0\nTHP_enabled:\t0\n");
	seq_printf(m, "Threads:\t1\n");
	seq_printf(m, "SigQ:\t%d/%d\n", nr_pending(), 4096 /* RLIMIT_SIGPENDING */);
	seq_printf(m, "SigPnd:\t%016lx\nShdPnd:\t%016lx\n", 0UL, sig_pending);
	seq_printf(m, "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		   sig_blocked, ign, cgt);
	seq_printf(m, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n", 0UL, caps, caps);
	seq_printf(m, "CapBnd:\t%016lx\nCapAmb:\t%016lx\n", 0x1ffffffffffUL, 0UL);
	seq_printf(m, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_printf(m, "Speculation_Store_Bypass:\tnot vulnerable\n");
	seq_printf(m, "SpeculationIndirectBranch:\tnot affected\n");
	seq_printf(m, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
	seq_printf(m, "Mems_allowed:\t1\nMems_allowed_list:\t0\n");
	seq_printf(m, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/* The 52 fields of /proc/<pid>/stat (proc(5)).  Times in clock ticks. */
void proc_pid_stat(struct seq_file *m)
{
	struct mem_stats s;
	u64 ign, cgt;
	unsigned int tty_nr;
	int tpgid;
	struct task_times t;

	task_mem_stats(&s);
	sig_masks(&ign, &cgt);
	tty_stat(&tty_nr, &tpgid);
	task_times(&t);
	seq_printf(m, "%d (%s) R %d %d %d %u %d %u ", THE_PID, current_comm, parent_pid(),
		   current_ids.pgrp, current_ids.sid, tty_nr, tpgid, 0U /* flags */);
	seq_printf(m, "%lu %lu %lu %lu ", t.min_flt, t.cmin_flt, 0UL, 0UL);
	seq_printf(m, "%lu %lu %lu %lu ", t.utime_ticks, t.stime_ticks,
		   t.cutime_ticks, t.cstime_ticks);
	seq_printf(m, "%d %d 1 0 %lu ", 20 + current_nice, current_nice, t.start_ticks);
	seq_printf(m, "%lu %lu %lu ", s.total_vm << PAGE_SHIFT, init_mm.rss,
		   ~0UL /* RLIMIT_RSS: unlimited */);
	seq_printf(m, "%lu %lu %lu 0 0 ", init_mm.start_code, init_mm.end_code,
		   init_mm.start_stack);
	seq_printf(m, "%lu %lu %lu %lu ", sig_pending, sig_blocked, ign, cgt);
	seq_printf(m, "0 0 0 17 0 0 0 0 0 0 ");	/* wchan .. cguest_time */
	seq_printf(m, "%lu %lu %lu %lu %lu %lu %lu 0\n", init_mm.start_data,
		   init_mm.end_data, init_mm.start_brk, init_mm.arg_start,
		   init_mm.arg_end, init_mm.env_start, init_mm.env_end);
}

/* size resident shared text lib data dt, in pages. */
void proc_pid_statm(struct seq_file *m)
{
	struct mem_stats s;
	task_mem_stats(&s);
	seq_printf(m, "%lu %lu 0 %lu 0 %lu 0\n", s.total_vm, init_mm.rss,
		   s.text_kb >> (PAGE_SHIFT - 10), s.data_vm + s.stack_vm);
}
