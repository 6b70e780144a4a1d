/*
 * proc.c - the /proc files a static program may read about itself and its
 * machine, made by the kernel (mirrors fs/proc/base.c, fs/proc/task_mmu.c's
 * show_map and seq_file).  They describe the guest, never lstar's own
 * host process, which the host's /proc would show:
 *
 *   /proc/self/maps      the VMA list of mmap.c in Linux's format (glibc's
 *                        pthread_getattr_np reads it to find the stack)
 *   /proc/self/status    array.c: name, state, ids, memory, signals
 *   /proc/self/stat      array.c: the one-line form ps and top read
 *   /proc/self/statm     array.c: memory in pages
 *   /proc/self/comm      the process name
 *   /proc/self/cmdline   the argument strings, NUL-terminated, and
 *   /proc/self/environ   the environment: read from the process's own
 *                        memory at read time, as Linux does
 *   /proc/cpuinfo        cpuinfo.c: what CPUID says
 *
 * "self" may also be spelled thread-self, the pid, or <pid>/task/<pid>.
 * A text is made at open time into one of a few buffers: programs open
 * such a file, read it and close it.  (/proc/self/exe is a readlink, in
 * stat.c; /proc/self/fd/N an open, in fd.c.)  Other /proc names still
 * reach the host.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"
#include "signal.h"

/* MAX_VMAS /proc/self/maps lines of ~80 bytes (plus a few paths) fit.
 * The buffers come from the page allocator on first use and are kept. */
#define PROC_SLOTS	4
#define PROC_BUF	(96 * 1024)
static char *proc_bufs[PROC_SLOTS];
static bool proc_used[PROC_SLOTS];

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	if (m->len >= m->size)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(m->buf + m->len, m->size - m->len, fmt, ap);
	va_end(ap);
	m->len = MIN(m->len + n, m->size - 1);	/* a full buffer stays full */
}

static const char *vma_name(const struct vm_area_struct *v)
{
	const char *special = (v->vm_flags & VM_PFNMAP) ? vdso_vma_name(v->vm_start) : NULL;
	if (special)
		return special;
	if (v->vm_file && *filemap_name(v->vm_file))
		return filemap_name(v->vm_file);	/* a mapped file whose path is known */
	if (v->vm_end == STACK_TOP)
		return "[stack]";
	if (v->vm_flags & VM_HEAP)
		return "[heap]";
	if (v->vm_end <= init_mm.start_brk)	/* the program's segments */
		return init_mm.exe_path ? init_mm.exe_path : "";
	return "";
}

/* A host st_dev as major:minor (glibc's gnu_dev_major/minor). */
static unsigned dev_major(u64 d) { return ((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffU); }
static unsigned dev_minor(u64 d) { return (d & 0xff) | ((d >> 12) & ~0xffU); }

/* show_map_vma: the fields, then the name from column 74 (the line is
 * padded to 73 characters first, as seq_pad does), or a bare space. */
static void show_maps(struct seq_file *m)
{
	for (int i = 0; i < init_mm.map_count; i++) {
		const struct vm_area_struct *v = &init_mm.vmas[i];
		const char *name = vma_name(v);
		u64 dev = 0, ino = 0;
		if (v->vm_file)
			filemap_ids(v->vm_file, &dev, &ino);
		u64 start = m->len;
		seq_printf(m, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ",
			   v->vm_start, v->vm_end,
			   v->vm_flags & VM_READ ? 'r' : '-',
			   v->vm_flags & VM_WRITE ? 'w' : '-',
			   v->vm_flags & VM_EXEC ? 'x' : '-',
			   v->vm_flags & VM_SHARED ? 's' : 'p',
			   v->vm_file ? v->vm_pgoff << PAGE_SHIFT : 0,
			   dev_major(dev), dev_minor(dev), ino);
		if (*name) {
			static const char spaces[] = "                                                                         ";
			u64 used = m->len - start;
			seq_printf(m, "%s%s", used < 73 ? spaces + used : " ", name);
		}
		seq_printf(m, "\n");
	}
}

static void show_comm(struct seq_file *m)
{
	seq_printf(m, "%s\n", current_comm);
}

/* The part after /proc/self/ (or thread-self, <pid>, <pid>/task/<pid>),
 * or NULL when path names no file of the running process. */
static const char *pid_entry(const char *path)
{
	static const char *const self[] = { "/proc/self/", "/proc/thread-self/" };
	char own[48];
	for (unsigned i = 0; i < ARRAY_SIZE(self); i++)
		if (!strncmp(path, self[i], strlen(self[i])))
			return path + strlen(self[i]);
	int n = snprintf(own, sizeof(own), "/proc/%d/task/%d/", THE_PID, THE_PID);
	if (!strncmp(path, own, n))
		return path + n;
	n = snprintf(own, sizeof(own), "/proc/%d/", THE_PID);
	if (!strncmp(path, own, n))
		return path + n;
	return NULL;
}

static const struct {
	const char *name;
	void (*show)(struct seq_file *m);	/* NULL: cmdline, environ */
} pid_files[] = {
	{ "maps", show_maps }, { "status", proc_pid_status }, { "stat", proc_pid_stat },
	{ "statm", proc_pid_statm }, { "comm", show_comm },
	{ "cmdline", NULL }, { "environ", NULL },
};

static long install(struct file *f, int flags)
{
	int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long proc_open(const char *path, int flags)
{
	void (*show)(struct seq_file *m) = NULL;
	const char *entry = pid_entry(path);
	int which = -1;

	/* /proc/self/fd and /dev/fd: a directory of the guest's descriptors,
	 * listed when read (readdir.c, fd_dir_entries) */
	if ((entry && (!strcmp(entry, "fd") || !strcmp(entry, "fd/"))) ||
	    !strcmp(path, "/dev/fd") || !strcmp(path, "/dev/fd/")) {
		if ((flags & O_ACCMODE) != O_RDONLY)
			return -EISDIR;
		struct file *f = alloc_file(FT_PROC, O_RDONLY | (flags & O_DIRECTORY));
		if (!f)
			return -ENFILE;
		f->proc_dir = true;
		f->proc_buf = NULL;
		f->proc_len = f->proc_pos = 0;
		f->handle = -1;
		return install(f, flags);
	}

	if (entry) {
		for (unsigned i = 0; i < ARRAY_SIZE(pid_files) && which < 0; i++)
			if (!strcmp(entry, pid_files[i].name))
				which = i;
		if (which < 0)
			return -ENOENT;		/* not ours: the host's */
		show = pid_files[which].show;
	} else if (!strcmp(path, "/proc/cpuinfo")) {
		show = show_cpuinfo;
	} else {
		return -ENOENT;
	}
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;

	if (!show) {	/* cmdline, environ: the strings where they lie */
		bool env = !strcmp(pid_files[which].name, "environ");
		struct file *f = alloc_file(FT_PROC, O_RDONLY);
		if (!f)
			return -ENFILE;
		f->proc_buf = NULL;
		f->proc_base = env ? init_mm.env_start : init_mm.arg_start;
		f->proc_len = (env ? init_mm.env_end : init_mm.arg_end) - f->proc_base;
		f->proc_pos = 0;
		f->handle = -1;
		return install(f, flags);
	}

	int slot = 0;
	while (slot < PROC_SLOTS && proc_used[slot])
		slot++;
	if (slot == PROC_SLOTS)
		return -ENFILE;
	if (!proc_bufs[slot]) {
		u64 pa = alloc_pages_contig(PROC_BUF / PAGE_SIZE);
		if (!pa)
			return -ENOMEM;
		proc_bufs[slot] = __va(pa);
	}
	struct file *f = alloc_file(FT_PROC, O_RDONLY);
	if (!f)
		return -ENFILE;
	proc_used[slot] = true;
	struct seq_file m = { proc_bufs[slot], PROC_BUF, 0 };
	show(&m);
	f->proc_buf = m.buf;
	f->proc_len = m.len;
	f->proc_pos = 0;
	f->handle = slot;		/* which buffer, for proc_release */
	return install(f, flags);
}

long proc_read(struct file *f, char __user *buf, u64 n)
{
	if (f->proc_dir)
		return -EISDIR;
	if (f->proc_pos >= f->proc_len)
		return 0;
	n = MIN(n, f->proc_len - f->proc_pos);
	if (f->proc_buf) {
		if (copy_to_user(buf, f->proc_buf + f->proc_pos, n))
			return -EFAULT;
		f->proc_pos += n;
		return n;
	}
	/* From the process's memory, through a kernel buffer. */
	u64 done = 0;
	while (done < n) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		if (copy_from_user(hc_bounce, (const void *)(f->proc_base + f->proc_pos), chunk) ||
		    copy_to_user(buf + done, hc_bounce, chunk))
			return done ? (long)done : -EFAULT;
		f->proc_pos += chunk;
		done += chunk;
	}
	return done;
}

void proc_release(struct file *f)
{
	if (f->proc_buf)
		proc_used[f->handle] = false;
}
