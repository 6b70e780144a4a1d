/*
 * proc.c - the /proc files a static program may read about itself, made by
 * the kernel at open time (mirrors fs/proc/task_mmu.c's show_map and
 * fs/proc/base.c).  /proc/self/maps is the VMA list of mmap.c, one line per
 * area, in Linux's format: glibc's pthread_getattr_np reads it to find the
 * main thread's stack, and `cat /proc/self/maps` shows demand paging's
 * bookkeeping from the inside.  (/proc/self/exe is a readlink, in stat.c.)
 */
#include "fs.h"
#include "mm.h"

/* Each open /proc file holds its text in one of these (MAX_VMAS lines of
 * at most ~80 bytes fit in 16 KiB).  A handful is plenty: programs open
 * /proc/self/maps, read it and close it. */
#define PROC_SLOTS	4
#define PROC_BUF	(16 * 1024)
static char proc_bufs[PROC_SLOTS][PROC_BUF];
static bool proc_used[PROC_SLOTS];

static const char *vma_name(const struct vm_area_struct *v)
{
	if (v->vm_end == STACK_TOP)
		return "[stack]";
	if (v->vm_flags & VM_HEAP)
		return "[heap]";
	if (v->vm_end <= init_mm.start_brk)	/* the program's segments */
		return init_mm.exe_path ? init_mm.exe_path : "";
	return "";
}

static u64 show_maps(char *buf, u64 size)
{
	u64 len = 0;
	for (int i = 0; i < init_mm.map_count; i++) {
		const struct vm_area_struct *v = &init_mm.vmas[i];
		const char *name = vma_name(v);
		len += snprintf(buf + len, size - len,
				"%08lx-%08lx %c%c%cp 00000000 00:00 0%s%s\n",
				v->vm_start, v->vm_end,
				v->vm_flags & VM_READ ? 'r' : '-',
				v->vm_flags & VM_WRITE ? 'w' : '-',
				v->vm_flags & VM_EXEC ? 'x' : '-',
				*name ? "                          " : "", name);
		if (len >= size)
			return size - 1;
	}
	return len;
}

long proc_open(const char *path, int flags)
{
	if (strcmp(path, "/proc/self/maps") && strcmp(path, "/proc/42/maps"))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;

	int slot = 0;
	while (slot < PROC_SLOTS && proc_used[slot])
		slot++;
	if (slot == PROC_SLOTS)
		return -ENFILE;
	struct file *f = alloc_file(FT_PROC, O_RDONLY);
	if (!f)
		return -ENFILE;
	proc_used[slot] = true;
	f->proc_buf = proc_bufs[slot];
	f->proc_len = show_maps(f->proc_buf, PROC_BUF);
	f->proc_pos = 0;
	f->handle = slot;		/* which buffer, for proc_release */
	int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long proc_read(struct file *f, char __user *buf, u64 n)
{
	if (f->proc_pos >= f->proc_len)
		return 0;
	n = MIN(n, f->proc_len - f->proc_pos);
	if (copy_to_user(buf, f->proc_buf + f->proc_pos, n))
		return -EFAULT;
	f->proc_pos += n;
	return n;
}

void proc_release(struct file *f)
{
	proc_used[f->handle] = false;
}
