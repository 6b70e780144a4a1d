/*
 * fork.c - new tasks: fork, vfork, clone and clone3 (mirrors kernel/fork.c:
 * copy_process, dup_mm, dup_mmap, copy_files, copy_fs, copy_sighand,
 * copy_signal), and the thread-setup calls every C library makes.
 *
 * A new process gets a copy of its parent's address space by
 * copy-on-write: both page tables map the same frames read-only, and the
 * first write on either side copies the page (memory.c, the #PF handler).
 * A thread shares everything with its creator but its registers, kernel
 * stack, signal mask and TLS.  The child becomes runnable at once; its
 * first instructions are ret_from_fork in entry_64.S.
 */
#include "sched.h"
#include "binprm.h"
#include "processor.h"

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_PIDFD		0x00001000
#define CLONE_PTRACE		0x00002000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_NEWNS		0x00020000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000
#define CLONE_UNTRACED		0x00800000
#define CLONE_CHILD_SETTID	0x01000000
#define CLONE_IO		0x80000000UL
/* Namespaces and cgroups: not offered. */
#define CLONE_UNSUPPORTED	(0x7E000000UL | CLONE_NEWNS | CLONE_PIDFD)

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	current->clear_child_tid = (u64)tidptr;
	return current->pid;
}

SYSCALL_DEFINE2(set_robust_list, void __user *, head, unsigned long, len)
{
	if (len != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	current->robust_list = (u64)head;
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, pid, void __user * __user *, head,
		unsigned long __user *, len)
{
	struct task_struct *t = pid ? find_task_by_pid(pid) : current;
	if (!t)
		return -ESRCH;
	unsigned long l = 24;
	if (copy_to_user(head, &t->robust_list, sizeof(u64)) ||
	    copy_to_user(len, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

/* ---- address spaces ---- */

#define MAX_MM	MAX_TASKS	/* never the limit before the task slots */
/* Address-space slots, each allocated on first use and kept for reuse. */
static struct mm_struct *mm_pool[MAX_MM];
extern u64 swapper_pgd;		/* init_64.c: the kernel half only */

struct mm_struct *mm_alloc(void)
{
	for (int i = 0; i < MAX_MM; i++) {
		if (!mm_pool[i]) {
			u64 pa = alloc_pages_contig(PAGE_ALIGN(sizeof(struct mm_struct)) / PAGE_SIZE);
			if (!pa)
				return NULL;
			mm_pool[i] = __va(pa);
		}
		struct mm_struct *mm = mm_pool[i];
		if (mm->users)
			continue;
		u64 pgd = alloc_page();
		if (!pgd)
			return NULL;
		memset(mm, 0, sizeof(*mm));
		u64 *n = __va(pgd), *k = __va(swapper_pgd);
		for (int j = 256; j < 512; j++)
			n[j] = k[j];
		mm->pgd = pgd;
		mm->users = 1;
		return mm;
	}
	return NULL;
}

/*
 * The last user of mm is gone: its pages, page tables and slot.  Runs as
 * the task that used it (exit, execve), on the kernel's own page table
 * while the user half is torn down.
 */
void mmput(struct mm_struct *mm)
{
	if (--mm->users > 0)
		return;
	struct mm_struct *saved = current->mm;
	current->mm = mm;		/* do_munmap works on init_mm */
	do_munmap(0, TASK_SIZE_MAX);
	current->mm = saved;
	if (read_cr3() == mm->pgd)
		write_cr3(swapper_pgd);
	free_user_pgtables(mm->pgd);
	mm->users = 0;
}

/*
 * dup_mmap - the child's copy of the parent's address space: the same VMAs,
 * and page tables whose entries point at the same frames, write-protected
 * on both sides where the mapping is writable (a write breaks the share).
 */
static struct mm_struct *dup_mm(struct mm_struct *old)
{
	/* Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, /dev/zero) has
	 * no file to find its pages in later: each side would fault in a
	 * page of its own.  Its pages are made present now, so that both
	 * sides map the same frames (Linux backs such memory with a shmem
	 * file instead). */
	if (old == current->mm)
		for (int i = 0; i < old->map_count; i++) {
			const struct vm_area_struct *v = &old->vmas[i];
			if ((v->vm_flags & VM_SHARED) && !v->vm_file)
				for (u64 va = v->vm_start; va < v->vm_end; va += PAGE_SIZE)
					if (!populate_page(va))
						return NULL;
		}
	struct mm_struct *mm = mm_alloc();
	if (!mm)
		return NULL;
	u64 pgd = mm->pgd;
	*mm = *old;
	mm->pgd = pgd;
	mm->users = 1;
	mm->hiwater_rss = old->rss;
	for (int i = 0; i < old->map_count; i++) {
		const struct vm_area_struct *v = &old->vmas[i];
		for (u64 va = v->vm_start; va < v->vm_end; va += PAGE_SIZE) {
			u64 *src = pte_walk_pgd(old->pgd, va);
			if (!src || !(*src & _PAGE_PRESENT))
				continue;
			u64 *dst = pte_walk_in(mm->pgd, va, true);
			if (!dst) {
				struct mm_struct *saved = current->mm;
				current->mm = mm;
				do_munmap(0, TASK_SIZE_MAX);
				current->mm = saved;
				free_user_pgtables(mm->pgd);
				mm->users = 0;
				return NULL;
			}
			if ((*src & _PAGE_RW) && !(v->vm_flags & VM_SHARED)) {
				*src &= ~_PAGE_RW;
				invlpg(va);
			}
			*dst = *src;
			get_page(*src & PTE_PFN_MASK);
		}
	}
	return mm;
}

/* ---- descriptor tables, fs, handlers, process ---- */

_Static_assert(sizeof(struct files_struct) <= PAGE_SIZE, "files_struct fits a page");
_Static_assert(sizeof(struct sighand_struct) <= PAGE_SIZE, "sighand fits a page");
_Static_assert(sizeof(struct signal_struct) <= PAGE_SIZE, "signal_struct fits a page");
_Static_assert(sizeof(struct fs_struct) <= PAGE_SIZE, "fs_struct fits a page");

static void *kzalloc_page(void)
{
	u64 pa = alloc_page();
	return pa ? __va(pa) : NULL;
}

static void kfree_page(void *p, void *boot)
{
	if (p && p != boot && (u64)p >= page_offset_base)
		free_page(__pa(p));
}

static struct files_struct *dup_fd(struct files_struct *old)
{
	struct files_struct *f = kzalloc_page();
	if (!f)
		return NULL;
	*f = *old;
	f->count = 1;
	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++)
		if (f->fd[fd])
			f->fd[fd]->f_count++;
	return f;
}

/* A descriptor table of the caller's own, if it shares one (unshare). */
long unshare_files(void)
{
	struct files_struct *old = current->files;
	if (old->count == 1)
		return 0;
	struct files_struct *f = dup_fd(old);
	if (!f)
		return -ENOMEM;
	old->count--;
	current->files = f;
	return 0;
}

void put_files_struct(struct files_struct *f)
{
	if (--f->count > 0)
		return;
	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++)
		if (f->fd[fd]) {
			struct file *file = f->fd[fd];
			f->fd[fd] = NULL;
			fput(file);
		}
	kfree_page(f, NULL);
}

/* The host has one working directory; each process has its own, as a
 * handle on the directory.  Whenever the CPU goes to a process with
 * another one, the host's is moved there (context_switch). */
static int host_cwd_handle = -1;	/* the one the host is in now */
static int start_cwd_handle = -2;	/* the directory lstar started in */

static int dup_cwd(int h)
{
	static const char dot[] = ".";
	memcpy(hc_path[0], dot, sizeof(dot));
	if (h < 0) {
		if (start_cwd_handle == -2)
			start_cwd_handle = hostcall(LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, hc_pa(hc_path[0]),
						    O_RDONLY | O_DIRECTORY, 0, 0, 0);
		return -1;
	}
	long nh = hostcall(LSTAR_HC_OPENAT, h, hc_pa(hc_path[0]), O_RDONLY | O_DIRECTORY, 0, 0, 0);
	return nh < 0 ? -1 : (int)nh;
}

void fs_switch(struct task_struct *next)
{
	int want = next->fs->cwd_handle;
	if (want == host_cwd_handle)
		return;
	if (want < 0) {
		if (start_cwd_handle >= 0)
			hostcall(LSTAR_HC_FCHDIR, start_cwd_handle, 0, 0, 0, 0, 0);
	} else {
		hostcall(LSTAR_HC_FCHDIR, want, 0, 0, 0, 0, 0);
	}
	host_cwd_handle = want;
}

/* chdir/fchdir moved the host: the running process is now there. */
void fs_set_cwd(void)
{
	if (start_cwd_handle == -2)
		dup_cwd(-1);
	static const char dot[] = ".";
	memcpy(hc_path[0], dot, sizeof(dot));
	long h = hostcall(LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, hc_pa(hc_path[0]), O_RDONLY | O_DIRECTORY, 0, 0, 0);
	struct fs_struct *fs = current->fs;
	if (fs->cwd_handle >= 0)
		hostcall(LSTAR_HC_CLOSE, fs->cwd_handle, 0, 0, 0, 0, 0);
	fs->cwd_handle = h < 0 ? -1 : (int)h;
	host_cwd_handle = fs->cwd_handle;
}

static struct fs_struct *copy_fs_struct(struct fs_struct *old)
{
	struct fs_struct *fs = kzalloc_page();
	if (!fs)
		return NULL;
	fs->users = 1;
	fs->umask = old->umask;
	fs->cwd_handle = dup_cwd(old->cwd_handle);
	return fs;
}

void put_fs_struct(struct fs_struct *fs)
{
	if (--fs->users > 0)
		return;
	if (fs->cwd_handle >= 0) {
		hostcall(LSTAR_HC_CLOSE, fs->cwd_handle, 0, 0, 0, 0, 0);
		if (host_cwd_handle == fs->cwd_handle)
			host_cwd_handle = -3;	/* unknown: the next switch moves it */
	}
	kfree_page(fs, NULL);
}

static void put_sighand(struct sighand_struct *sh)
{
	if (--sh->count == 0)
		kfree_page(sh, NULL);
}

/*
 * copy_process - a new task as a copy of the running one, sharing what
 * the clone flags say.  Returns the new task, runnable, or an ERR value.
 */
struct clone_args_k {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	u64 set_tid, set_tid_size, cgroup;
};

static long copy_process(const struct clone_args_k *a)
{
	u64 flags = a->flags;
	struct pt_regs *regs = current_pt_regs();

	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	struct task_struct *p = alloc_task();
	if (!p)
		return -EAGAIN;		/* the task limit: like RLIMIT_NPROC */

	p->nice = current->nice;
	p->ioprio = current->ioprio;
	memcpy(p->comm, current->comm, TASK_COMM_LEN);
	p->blocked = current->blocked;
	p->sas = current->sas;
	if ((flags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM)
		p->sas = (struct stack_t_k){ 0, 2 /* SS_DISABLE */, 0, 0 };

	/* The address space. */
	if (flags & CLONE_VM) {
		p->mm = current->mm;
		p->mm->users++;
	} else if (!(p->mm = dup_mm(current->mm))) {
		free_task(p);
		return -ENOMEM;
	}
	/* Descriptors, directory, handlers. */
	if (flags & CLONE_FILES) {
		p->files = current->files;
		p->files->count++;
	} else {
		p->files = dup_fd(current->files);
	}
	if (flags & CLONE_FS) {
		p->fs = current->fs;
		p->fs->users++;
	} else {
		p->fs = copy_fs_struct(current->fs);
	}
	if (flags & CLONE_SIGHAND) {
		p->sighand = current->sighand;
		p->sighand->count++;
	} else if ((p->sighand = kzalloc_page())) {
		*p->sighand = *current->sighand;
		p->sighand->count = 1;
	}
	/* The process. */
	if (flags & CLONE_THREAD) {
		p->signal = current->signal;
		p->signal->count++;
		p->signal->nr_threads++;
		p->tgid = current->tgid;
		p->group_leader = current->group_leader;
		p->real_parent = current->real_parent;
	} else if ((p->signal = kzalloc_page())) {
		p->signal->count = p->signal->nr_threads = 1;
		p->signal->ids = current->signal->ids;
		p->signal->wait_chldexit.name = "wait4";
		p->signal->rlim_nofile = current->signal->rlim_nofile;
		memcpy(p->signal->rlim, current->signal->rlim, sizeof(p->signal->rlim));
		p->signal->personality = current->signal->personality;
		p->signal->cputime.start_ns = now_ns() - boot_ns();
		p->tgid = p->pid;
		p->group_leader = p;
		p->real_parent = (flags & CLONE_PARENT) ? current->group_leader->real_parent
							 : current->group_leader;
	}
	if (!p->files || !p->fs || !p->sighand || !p->signal) {
		/* Out of memory part way: undo what was taken. */
		if (p->files) put_files_struct(p->files);
		if (p->fs) put_fs_struct(p->fs);
		if (p->sighand) put_sighand(p->sighand);
		if (p->signal && !(flags & CLONE_THREAD))
			kfree_page(p->signal, NULL);
		else if (p->signal) {
			p->signal->count--;
			p->signal->nr_threads--;
		}
		struct mm_struct *mm = p->mm;
		free_task(p);
		mmput(mm);
		return -ENOMEM;
	}
	p->exit_signal = (flags & CLONE_THREAD) ? -1 : (int)(a->exit_signal & CSIGNAL);

	/* Registers: the parent's, but 0 from the call, maybe another stack
	 * and TLS; the FPU/SSE state and GS base as they are now. */
	*task_pt_regs(p) = *regs;
	task_pt_regs(p)->ax = 0;
	if (a->stack)
		task_pt_regs(p)->sp = a->stack + a->stack_size;
	p->thread.fsbase = (flags & CLONE_SETTLS) ? a->tls : rdmsrl(MSR_FS_BASE);
	p->thread.gsbase = rdmsrl(MSR_KERNEL_GS_BASE);
	fpstate_init_save(p->thread.fpstate);

	if (flags & CLONE_CHILD_SETTID)
		p->set_child_tid = a->child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		p->clear_child_tid = a->child_tid;
	int pid = p->pid;
	if ((flags & CLONE_PARENT_SETTID) &&
	    copy_to_user((void *)a->parent_tid, &pid, sizeof(pid))) {
		/* Linux writes it without failing the call; so do we. */
	}
	sched_fork(p);
	if (flags & CLONE_VFORK) {
		p->vfork_parent = current;
		current->vfork_done = false;
	}
	/* Runnable: through wake_up_process, which also makes sure the
	 * running task's slice ends with a tick now that there are two. */
	nr_running_tasks++;
	wake_up_process(p);

	/* vfork: the parent waits until the child has called execve or
	 * ended, because until then the child runs in its memory. */
	if (flags & CLONE_VFORK)
		while (!current->vfork_done)
			sleep_on(&current->vfork_done, "vfork", 0, false);
	return pid;
}

/* The child ran execve or ended: a parent waiting in vfork goes on. */
void mm_release_vfork(struct task_struct *t)
{
	if (t->vfork_parent) {
		t->vfork_parent->vfork_done = true;
		wake_up_process(t->vfork_parent);
		t->vfork_parent = NULL;
	}
}

SYSCALL_DEFINE0(fork)
{
	struct clone_args_k a = { .exit_signal = SIGCHLD };
	return copy_process(&a);
}

SYSCALL_DEFINE0(vfork)
{
	struct clone_args_k a = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return copy_process(&a);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the x86-64 order. */
SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, int __user *, ptid,
		int __user *, ctid, unsigned long, tls)
{
	struct clone_args_k a = {
		.flags = flags & ~CSIGNAL, .exit_signal = flags & CSIGNAL,
		.stack = newsp, .parent_tid = (u64)ptid, .child_tid = (u64)ctid, .tls = tls,
	};
	return copy_process(&a);
}

/* clone3(args, size): the same with a struct (glibc 2.34+ makes threads
 * with it).  The stack is given as base and size. */
SYSCALL_DEFINE2(clone3, void __user *, uargs, unsigned long, size)
{
	struct clone_args_k a;
	memset(&a, 0, sizeof(a));
	if (size < 64 || size > PAGE_SIZE)
		return -EINVAL;
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	if (a.flags & CSIGNAL)
		return -EINVAL;
	if (a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if (a.exit_signal > _NSIG)
		return -EINVAL;
	if ((a.stack == 0) != (a.stack_size == 0))
		return -EINVAL;
	return copy_process(&a);
}

/* For wait4, ps-like /proc files: the parent of the running process (1
 * when it has none: an orphan, or the first process). */
int parent_pid(void)
{
	struct task_struct *p = current->group_leader->real_parent;
	return p ? p->tgid : 1;
}

/* The nice value (io: I/O priority) of task pid, or NULL. */
int *task_prio(int pid, bool io)
{
	struct task_struct *t = find_task_by_pid(pid);
	if (!t || t->state == EXIT_ZOMBIE)
		return NULL;
	return io ? &t->ioprio : &t->nice;
}

struct task_ids *task_ids(int pid)
{
	struct task_struct *t = find_task_by_pid(pid);
	return t && t->tgid == pid ? &t->signal->ids : NULL;
}

int task_pgrp_session(int pgrp)
{
	for_each_task(t)
		if (t != idle_task && t->state != EXIT_DEAD && t->signal->ids.pgrp == pgrp)
			return t->signal->ids.sid;
	return 0;
}
