/*
 * exec.c - execve: replace the running program with another (mirrors
 * fs/exec.c; the formats are binfmt_script.c and binfmt_elf.c).
 *
 * The order is Linux's.  Everything that can fail is done first: copy
 * the new argv and envp out of the old address space, open the file and
 * read its first bytes, and let the formats look at them.  A script
 * (#!) names an interpreter, which is opened in its place, up to
 * BINPRM_MAX_RECURSION times; an ELF file's headers are checked, and so
 * are those of its own interpreter (PT_INTERP, the dynamic linker).  Then
 * comes the point of no return, begin_new_exec: other threads end, the
 * old address space is torn down, close-on-exec descriptors close,
 * handled signals go back to their defaults.  binfmt_elf.c maps the new
 * program (and ld.so), builds a new stack, and the system call "returns"
 * at the new entry point.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"
#include "processor.h"
#include "signal.h"
#include "binprm.h"

#define ARG_SPACE	(128 * 1024)		/* bytes of argument + environment strings */

static char arg_space[ARG_SPACE];
static const char *new_argv[MAX_ARG_STRINGS], *new_envp[MAX_ARG_STRINGS];
static char filename[PATH_MAX];
static u8 new_random[16];
static struct linux_binprm bprm;

/*
 * One execve at a time: the argument space, the file's headers and the
 * interpreter's are the kernel's static buffers, and de_thread may sleep
 * between reading and using them.  The lock belongs to a pid; a holder
 * that died without giving it back (killed in the middle) loses it.
 */
static int exec_owner;
static DECLARE_WAIT_QUEUE_HEAD(exec_lock_wait);

static void exec_lock(void)
{
	for (;;) {
		struct task_struct *t = exec_owner ? find_task_by_pid(exec_owner) : NULL;
		if (!t || t == current || t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD)
			break;
		sleep_on_wq(&exec_lock_wait, "execve", now_ns() + 1000000, false);
	}
	exec_owner = current->pid;
}

void exec_unlock(void)
{
	if (exec_owner == current->pid) {
		exec_owner = 0;
		wake_up(&exec_lock_wait);
	}
}

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

/* A string of the kernel's into the argument space (copy_string_kernel):
 * what binfmt_script puts before the arguments. */
long bprm_add_string(struct linux_binprm *b, const char *s, const char **out)
{
	u64 len = strlen(s) + 1;
	if (len > ARG_SPACE - b->arg_used)
		return -E2BIG;
	memcpy(arg_space + b->arg_used, s, len);
	*out = arg_space + b->arg_used;
	b->arg_used += len;
	return 0;
}

/* Exactly n bytes of the file at off (-ENOEXEC for a short file). */
long kernel_read_at(long h, void *dst, u64 n, u64 off)
{
	for (u64 done = 0; done < n;) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		long r = hostcall(LSTAR_HC_PREAD, h, hc_pa(hc_bounce), chunk, off + done, 0, 0);
		if (r < 0)
			return r;
		if (r == 0)
			return -ENOEXEC;	/* a truncated file */
		memcpy((u8 *)dst + done, hc_bounce, r);
		done += r;
	}
	return 0;
}

/*
 * open_exec - open a file to execute (fs/exec.c): it must be a regular
 * file the caller may execute (EACCES otherwise, as Linux answers for a
 * directory too).  Its first BINPRM_BUF_SIZE bytes go to bprm->buf, for
 * the formats to recognize it.  Returns the device handle.
 */
long open_exec(int dfd, const char *path, struct linux_binprm *b)
{
	static struct stat kst;
	u64 len = strlen(path) + 1;
	if (len > PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(hc_path[0], path, len);
	long dh = dir_handle(dfd, 0);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	long err = hostcall(LSTAR_HC_FACCESSAT, dh, hc_pa(hc_path[0]), X_OK, 0, 0, 0);
	if (err < 0)
		return err;
	long h = hostcall(LSTAR_HC_OPENAT, dh, hc_pa(hc_path[0]), O_RDONLY, 0, 0, 0);
	if (h < 0)
		return h;
	err = hostcall(LSTAR_HC_FSTAT, h, hc_pa(&kst), 0, 0, 0, 0);
	if (!err && (kst.st_mode & S_IFMT) != S_IFREG)
		err = -EACCES;
	if (!err) {
		memset(b->buf, 0, sizeof(b->buf));
		err = hostcall(LSTAR_HC_PREAD, h, hc_pa(hc_bounce), sizeof(b->buf), 0, 0, 0);
		if (err >= 0) {
			memcpy(b->buf, hc_bounce, err);
			err = 0;
		}
	}
	if (err) {
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return err;
	}
	return h;
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
		if (!mm) {
			exec_unlock();
			force_sig_exit(SIGKILL, "execve: out of memory", 0, NULL);
		}
		mm->hiwater_rss = 0;
		current->mm = mm;
		write_cr3(mm->pgd);
		old->users--;
	}
	mm_release_vfork(current);	/* a parent in vfork goes on now */
}

/*
 * begin_new_exec - the point of no return (fs/exec.c): from here on a
 * failure kills the process, because the program that made the call no
 * longer exists.
 */
void begin_new_exec(struct linux_binprm *b, struct pt_regs *regs)
{
	(void)b; (void)regs;
	bool locked = exec_owner && exec_owner == current->pid;
	de_thread();
	if (locked)
		exec_owner = current->pid;	/* a thread that execs takes the leader's pid */
	exec_mmap();
	init_mm.map_count = 0;
	init_mm.start_code = init_mm.end_code = init_mm.start_data = init_mm.end_data = 0;
	close_on_exec_files();
	flush_signal_handlers();
	/* POSIX timers do not survive execve (alarm does). */
	memset(current->signal->posix_timers, 0, sizeof(current->signal->posix_timers));
	wrmsrl(MSR_FS_BASE, 0);		/* the new C library sets up its own TLS */
	/* A fresh FPU: x87 and SSE state as at process start. */
	u32 mxcsr = 0x1f80;
	asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

/*
 * exec_binprm - ask the formats in turn (search_binary_handler): a script
 * hands over to its interpreter and the search starts again; anything
 * else must be ELF.
 */
static long exec_binprm(struct linux_binprm *b, struct pt_regs *regs)
{
	for (int depth = 0;; depth++) {
		if (depth > BINPRM_MAX_RECURSION)
			return -ELOOP;
		long err = load_script(b);
		if (err == 0)
			continue;
		if (err != -ENOEXEC)
			return err;
		return load_elf_binprm(b, regs);
	}
}

static long __do_execveat(int dfd, const char __user *upath,
			  const char __user *const __user *uargv,
			  const char __user *const __user *uenvp, struct pt_regs *regs);

static long do_execveat(int dfd, const char __user *upath,
			const char __user *const __user *uargv,
			const char __user *const __user *uenvp, struct pt_regs *regs)
{
	exec_lock();
	long err = __do_execveat(dfd, upath, uargv, uenvp, regs);
	exec_unlock();
	return err;
}

static long __do_execveat(int dfd, const char __user *upath,
			  const char __user *const __user *uargv,
			  const char __user *const __user *uenvp, struct pt_regs *regs)
{
	struct linux_binprm *b = &bprm;
	*b = (struct linux_binprm){ .argv = new_argv, .envp = new_envp,
				    .filename = filename, .interp = filename,
				    .random = new_random, .file = -1 };

	long err = strncpy_from_user(filename, upath, PATH_MAX);
	if (err < 0)
		return err;
	if (err == 0)
		return -ENOENT;
	if ((err = copy_strings(uargv, new_argv, &b->argc, &b->arg_used)) ||
	    (err = copy_strings(uenvp, new_envp, &b->envc, &b->arg_used)))
		return err;
	/* /proc/self/exe is the running program's file (busybox re-executes
	 * itself that way), not the host's link to lstar. */
	static char self_exe[PATH_MAX];
	if ((!strcmp(filename, "/proc/self/exe") || !strcmp(filename, "/proc/thread-self/exe")) &&
	    init_mm.exe_path && strlen(init_mm.exe_path) < PATH_MAX) {
		memcpy(self_exe, init_mm.exe_path, strlen(init_mm.exe_path) + 1);
		b->interp = self_exe;
	}
	b->file = open_exec(dfd, b->interp, b);
	if (b->file < 0)
		return b->file;
	if (hostcall(LSTAR_HC_RANDOM, hc_pa(hc_bounce), 16, 0, 0, 0, 0) == 16)
		memcpy(new_random, hc_bounce, 16);
	err = exec_binprm(b, regs);
	/* A failure before the point of no return: the program goes on.
	 * (After a success the file is closed already.) */
	if (b->file >= 0)
		hostcall(LSTAR_HC_CLOSE, b->file, 0, 0, 0, 0, 0);
	return err;
}

/*
 * kernel_execve - the first program when the firmware loaded nothing (a
 * #! script given to lstar run): execve from the kernel, with the boot
 * info's strings.  Returns the error, or 0 with regs set to enter it.
 */
long kernel_execve(const char *path, const char *const *argv, u64 argc,
		   const char *const *envp, u64 envc, struct pt_regs *regs,
		   const char **failed)
{
	struct linux_binprm *b = &bprm;
	*b = (struct linux_binprm){ .argv = new_argv, .envp = new_envp,
				    .filename = filename, .interp = filename,
				    .random = new_random, .file = -1 };
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(filename, path, strlen(path) + 1);
	argc = MIN(argc, (u64)MAX_ARG_STRINGS);
	envc = MIN(envc, (u64)MAX_ARG_STRINGS);
	long err = 0;
	for (u64 i = 0; i < argc && !err; i++)
		err = bprm_add_string(b, argv[i], &new_argv[i]);
	for (u64 i = 0; i < envc && !err; i++)
		err = bprm_add_string(b, envp[i], &new_envp[i]);
	if (err)
		return err;
	b->argc = argc;
	b->envc = envc;
	memcpy(new_random, boot_info.random, sizeof(new_random));
	b->file = open_exec(AT_FDCWD, filename, b);
	if (b->file < 0)
		return b->file;
	exec_lock();
	err = exec_binprm(b, regs);
	exec_unlock();
	if (b->file >= 0)
		hostcall(LSTAR_HC_CLOSE, b->file, 0, 0, 0, 0, 0);
	*failed = b->interp;
	return err;
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
