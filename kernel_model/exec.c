/*
 * exec.c - execve: replace the running program with a static ELF file
 * (mirrors fs/exec.c and the file-reading half of fs/binfmt_elf.c).
 *
 * The order is Linux's.  Everything that can fail is done first: copy
 * the new argv and envp out of the old address space, open the file, and
 * check the ELF and program headers.  Then comes the point of no return:
 * the old address space is torn down, and the segments are read from the
 * file into fresh pages.  setup_new_exec() then builds a new stack, as for
 * the first program.  Close-on-exec descriptors close, handled signals go
 * back to their defaults, and the system call "returns" at the new
 * program's entry point.  No other thread exists that would have to be
 * stopped first.
 * Only static programs are run: an ELF that asks for an interpreter
 * (PT_INTERP) is refused with -ENOEXEC.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"
#include "processor.h"
#include "signal.h"
#include "binprm.h"

#define ELF_ET_DYN_BASE	0x555555554000UL	/* where Linux puts a PIE */
#define ARG_SPACE	(128 * 1024)		/* bytes of argument + environment strings */
#define MAX_PHNUM	32

struct elf64_hdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define PT_LOAD		1
#define PT_INTERP	3
#define PT_PHDR		6
#define ET_EXEC		2
#define ET_DYN		3

static char arg_space[ARG_SPACE];
static const char *new_argv[MAX_ARG_STRINGS], *new_envp[MAX_ARG_STRINGS];
static char filename[PATH_MAX];
static struct elf64_hdr ehdr;
static struct elf64_phdr phdrs[MAX_PHNUM];
static u8 new_random[16];

/* Copy a NULL-terminated array of user strings into arg_space. */
static long copy_strings(const char __user *const __user *uv, const char **out,
			 u64 *count, u64 *used)
{
	u64 n = 0;
	for (; uv; n++) {
		const char *up;
		if (copy_from_user(&up, &uv[n], sizeof(up)))
			return -EFAULT;
		if (!up)
			break;
		if (n == MAX_ARG_STRINGS)
			return -E2BIG;
		long len = strncpy_from_user(arg_space + *used, up, ARG_SPACE - *used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		out[n] = arg_space + *used;
		*used += len + 1;
	}
	*count = n;
	return 0;
}

static long read_at(long h, void *dst, u64 n, u64 off)
{
	long r = hostcall(HC_PREAD, h, hc_pa(hc_bounce), n, off, 0, 0);
	if (r < 0)
		return r;
	if ((u64)r != n)
		return -ENOEXEC;	/* a truncated file */
	memcpy(dst, hc_bounce, n);
	return 0;
}

/* Read the file bytes [off, off + n) to user address va, page by page. */
static long load_bytes(long h, u64 va, u64 off, u64 n)
{
	while (n) {
		u64 chunk = MIN(n, (u64)HC_BOUNCE_SIZE);
		long r = hostcall(HC_PREAD, h, hc_pa(hc_bounce), chunk, off, 0, 0);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		for (u64 done = 0; done < (u64)r;) {
			u8 *page = populate_page(va + done);
			if (!page)
				return -ENOMEM;
			u64 in = MIN((u64)r - done, PAGE_SIZE - ((va + done) & ~PAGE_MASK));
			memcpy(page + ((va + done) & ~PAGE_MASK), hc_bounce + done, in);
			done += in;
		}
		va += r; off += r; n -= r;
	}
	return 0;
}

/* Everything that can fail cleanly: the headers must describe a static
 * x86-64 executable whose segments fit in user space. */
static long check_elf(long h, u64 *bias)
{
	long err = read_at(h, &ehdr, sizeof(ehdr), 0);
	if (err)
		return err;
	if (memcmp(ehdr.e_ident, "\177ELF", 4) || ehdr.e_ident[4] != 2 /* 64-bit */ ||
	    ehdr.e_ident[5] != 1 /* little-endian */ || ehdr.e_machine != 62 ||
	    (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN) ||
	    ehdr.e_phentsize != sizeof(struct elf64_phdr) || ehdr.e_phnum == 0 ||
	    ehdr.e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	err = read_at(h, phdrs, ehdr.e_phnum * sizeof(phdrs[0]), ehdr.e_phoff);
	if (err)
		return err;
	*bias = ehdr.e_type == ET_DYN ? ELF_ET_DYN_BASE : 0;
	for (int i = 0; i < ehdr.e_phnum; i++) {
		const struct elf64_phdr *p = &phdrs[i];
		if (p->p_type == PT_INTERP)
			return -ENOEXEC;	/* dynamic: not supported here */
		if (p->p_type != PT_LOAD)
			continue;
		u64 end = *bias + p->p_vaddr + p->p_memsz;
		if (p->p_filesz > p->p_memsz || end < p->p_vaddr || end > TASK_SIZE_MAX ||
		    ((p->p_vaddr ^ p->p_offset) & ~PAGE_MASK))
			return -ENOEXEC;
	}
	return 0;
}

/*
 * de_thread - an execve in a process with other threads ends them: the
 * new program starts with one thread, which keeps the process's pid
 * (fs/exec.c).  They are told to end and we wait until they have.
 */
static void de_thread(void)
{
	struct task_struct *me = current;
	struct signal_struct *sig = me->signal;
	if (sig->count == 1)
		return;
	for_each_task(t)
		if (t != me && t->signal == sig && t->state != EXIT_DEAD &&
		    t->state != EXIT_ZOMBIE) {
			t->zap = true;
			t->pending |= 1UL << (SIGKILL - 1);
			if (t->state == TASK_STOPPED)
				t->state = TASK_INTERRUPTIBLE;
			wake_up_process(t);
		}
	static DECLARE_WAIT_QUEUE_HEAD(exec_wait);
	while (sig->count > 1)
		sleep_on_wq(&exec_wait, "de_thread", now_ns() + 1000000, false);
	if (!thread_group_leader(me)) {
		/* We take the place of the leader, which has become a zombie
		 * that nobody must see. */
		struct task_struct *leader = me->group_leader;
		me->real_parent = leader->real_parent;
		me->exit_signal = leader->exit_signal;
		me->pid = me->tgid;
		leader->pid = -1;
		for_each_task(t)
			if (t->real_parent == leader)
				t->real_parent = me;
		me->group_leader = me;
		sig->nr_threads--;
		free_task(leader);
	}
}

/* The new program's address space: the old one is emptied, or left to
 * whoever still shares it (a parent in vfork) and a new one made. */
static void exec_mmap(void)
{
	struct mm_struct *old = current->mm;
	if (old->users == 1) {
		do_munmap(0, TASK_SIZE_MAX);
	} else {
		struct mm_struct *mm = mm_alloc();
		if (!mm)
			force_sig_exit(SIGKILL, "execve: out of memory", 0, NULL);
		mm->hiwater_rss = 0;
		current->mm = mm;
		write_cr3(mm->pgd);
		old->users--;
	}
	mm_release_vfork(current);	/* a parent in vfork goes on now */
}

static long do_execveat(int dfd, const char __user *upath,
			const char __user *const __user *uargv,
			const char __user *const __user *uenvp, struct pt_regs *regs)
{
	u64 used = 0, bias = 0;
	struct linux_binprm b = { .argv = new_argv, .envp = new_envp,
				  .filename = filename, .random = new_random };

	long err = strncpy_from_user(filename, upath, PATH_MAX);
	if (err < 0)
		return err;
	if (err == 0)
		return -ENOENT;
	/* /proc/self/exe is this process's program, not the host's lstar:
	 * busybox re-executes itself this way. */
	if (!strcmp(filename, "/proc/self/exe") && init_mm.exe_path &&
	    strlen(init_mm.exe_path) < PATH_MAX)
		memcpy(filename, init_mm.exe_path, strlen(init_mm.exe_path) + 1);
	if ((err = copy_strings(uargv, new_argv, &b.argc, &used)) ||
	    (err = copy_strings(uenvp, new_envp, &b.envc, &used)))
		return err;

	memcpy(hc_path[0], filename, strlen(filename) + 1);
	long dh = dir_handle(dfd, 0);
	if (dh < 0 && dh != HC_DIR_CWD)
		return dh;
	long h = hostcall(HC_OPENAT, dh, hc_pa(hc_path[0]), O_RDONLY, 0, 0, 0);
	if (h < 0)
		return h;
	if ((err = check_elf(h, &bias))) {
		hostcall(HC_CLOSE, h, 0, 0, 0, 0, 0);
		return err;
	}

	/* The point of no return: from here on a failure kills the process,
	 * because the program that made the call no longer exists. */
	de_thread();
	exec_mmap();
	init_mm.map_count = 0;
	init_mm.start_code = init_mm.end_code = init_mm.start_data = init_mm.end_data = 0;
	for (int i = 0; i < ehdr.e_phnum; i++) {
		const struct elf64_phdr *p = &phdrs[i];
		if (p->p_type == PT_PHDR)
			b.phdr = bias + p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		u64 va = bias + p->p_vaddr;
		if (!b.phdr && p->p_offset == 0)	/* headers at file start */
			b.phdr = va + ehdr.e_phoff;
		if (vma_or_flags(va & PAGE_MASK, PAGE_ALIGN(va + p->p_memsz),
				 elf_vm_flags(p->p_flags)) ||
		    load_bytes(h, va, p->p_offset, p->p_filesz) ||
		    !populate_page(va + p->p_memsz - 1))	/* .bss tail */
			force_sig_exit(SIGKILL, "execve: cannot load the segments", va, regs);
		b.top = MAX(b.top, va + p->p_memsz);
		note_segment(va, p->p_filesz, p->p_flags);	/* LSTAR_SEG_* are ELF's PF_* */
	}
	hostcall(HC_CLOSE, h, 0, 0, 0, 0, 0);
	b.entry = bias + ehdr.e_entry;
	b.phent = ehdr.e_phentsize;
	b.phnum = ehdr.e_phnum;
	if (hostcall(HC_RANDOM, hc_pa(hc_bounce), 16, 0, 0, 0, 0) == 16)
		memcpy(new_random, hc_bounce, 16);

	setup_new_exec(&b);
	close_on_exec_files();
	flush_signal_handlers();
	/* POSIX timers do not survive execve (alarm does). */
	memset(current->signal->posix_timers, 0, sizeof(current->signal->posix_timers));
	wrmsrl(MSR_FS_BASE, 0);		/* the new C library sets up its own TLS */
	/* A fresh FPU: x87 and SSE state as at process start. */
	u32 mxcsr = 0x1f80;
	asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	start_thread(regs, b.entry, init_mm.start_stack);
	return 0;
}

/* execve rewrites all of pt_regs, like rt_sigreturn: see signal_64.c. */
long __x64_sys_execve(const struct pt_regs *cregs);
long __x64_sys_execve(const struct pt_regs *cregs)
{
	struct pt_regs *regs = (struct pt_regs *)cregs;
	return do_execveat(AT_FDCWD, (const char *)regs->di, (void *)regs->si,
			   (void *)regs->dx, regs);
}

long __x64_sys_execveat(const struct pt_regs *cregs);
long __x64_sys_execveat(const struct pt_regs *cregs)
{
	struct pt_regs *regs = (struct pt_regs *)cregs;
	if (regs->r8)
		return -EINVAL;	/* AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW: not offered */
	return do_execveat((int)regs->di, (const char *)regs->si, (void *)regs->dx,
			   (void *)regs->r10, regs);
}
