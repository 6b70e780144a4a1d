/*
 * mmap.c - the user address space map and the calls that change it: brk,
 * mmap, munmap, mprotect, mremap, madvise, msync (mirrors mm/mmap.c,
 * mm/mprotect.c, mm/mremap.c, mm/madvise.c).
 *
 * A VMA is [start, end) + rights, and for a file mapping the file's
 * page cache entry and the file offset of start (filemap.c); they are kept
 * in a sorted array.  The pages themselves appear on first touch
 * (memory.c), a file mapping's from the page cache.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"

struct vm_area_struct *find_vma(u64 addr)
{
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		if (addr < v->vm_start)
			break;
		if (addr < v->vm_end)
			return v;
	}
	return NULL;
}

/*
 * The main stack grows down on demand (mm/mmap.c expand_downwards): a
 * touch below it extends it when the stack stays within the process's
 * RLIMIT_STACK and keeps a gap of STACK_GUARD_GAP above the next mapping
 * below; anything else is a plain fault (SIGSEGV).  The limit is read at
 * each fault, so setrlimit takes effect at once, as on Linux.
 */
struct vm_area_struct *find_extend_vma(u64 addr)
{
	struct vm_area_struct *v = find_vma(addr);
	if (v)
		return v;
	addr &= PAGE_MASK;
	int i = 0;
	while (i < init_mm.map_count && init_mm.vmas[i].vm_end <= addr)
		i++;
	if (i == init_mm.map_count || !(init_mm.vmas[i].vm_flags & VM_GROWSDOWN))
		return NULL;
	v = &init_mm.vmas[i];
	u64 limit = current->signal->rlim[RLIMIT_STACK].rlim_cur;
	if (v->vm_end - addr > limit)
		return NULL;
	if (i > 0 && addr - init_mm.vmas[i - 1].vm_end < STACK_GUARD_GAP)
		return NULL;
	v->vm_start = addr;
	return v;
}

static bool range_free(u64 start, u64 end)
{
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		if (v->vm_start < end && start < v->vm_end)
			return false;
	}
	return true;
}

/* Two VMAs, a right before b, that can be one: same rights, and the same
 * file at contiguous offsets (or both anonymous). */
static bool vma_can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_flags == b->vm_flags &&
	       a->vm_file == b->vm_file &&
	       (!a->vm_file ||
		a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) == b->vm_pgoff);
}

/* Make sure no VMA straddles addr, so that ranges can be cut exactly. */
static int split_vma_at(u64 addr)
{
	struct vm_area_struct *v = find_vma(addr);
	if (!v || v->vm_start == addr)
		return 0;
	if (init_mm.map_count == MAX_VMAS)
		return -ENOMEM;
	int i = v - init_mm.vmas;
	memmove(v + 1, v, (init_mm.map_count - i) * sizeof(*v));
	init_mm.map_count++;
	v[0].vm_end = addr;
	v[1].vm_start = addr;
	if (v[1].vm_file)
		v[1].vm_pgoff += (addr - v[0].vm_start) >> PAGE_SHIFT;
	return 0;
}

/* Insert a VMA over a free range, merging with equal neighbours so that a
 * growing heap stays one VMA.  as: the file, pgoff its offset in pages. */
static int vma_add_file(u64 start, u64 end, unsigned long flags,
			struct address_space *as, u64 pgoff)
{
	const struct vm_area_struct nv = { start, end, flags, as, as ? pgoff : 0 };
	int i = 0;
	while (i < init_mm.map_count && init_mm.vmas[i].vm_start < start)
		i++;
	struct vm_area_struct *prev = i ? &init_mm.vmas[i - 1] : NULL;
	struct vm_area_struct *next = i < init_mm.map_count ? &init_mm.vmas[i] : NULL;
	if (prev && vma_can_merge(prev, &nv)) {
		prev->vm_end = end;
		if (next && vma_can_merge(prev, next)) {
			prev->vm_end = next->vm_end;
			memmove(next, next + 1,
				(init_mm.map_count - i - 1) * sizeof(*next));
			init_mm.map_count--;
		}
		return 0;
	}
	if (next && vma_can_merge(&nv, next)) {
		next->vm_start = start;
		next->vm_pgoff = nv.vm_pgoff;
		return 0;
	}
	if (init_mm.map_count == MAX_VMAS)
		return -ENOMEM;
	memmove(&init_mm.vmas[i + 1], &init_mm.vmas[i],
		(init_mm.map_count - i) * sizeof(init_mm.vmas[0]));
	init_mm.vmas[i] = nv;
	init_mm.map_count++;
	return 0;
}

int vma_add(u64 start, u64 end, unsigned long flags)
{
	return vma_add_file(start, end, flags, NULL, 0);
}

/*
 * Merge neighbouring VMAs with equal flags whose boundary lies in
 * [start, end] (the part of Linux's vma_merge this kernel needs: a VMA is
 * only its range and rights).  After mprotect() splits an area and then
 * gives the pieces their old rights back, they are one area again, as on
 * Linux, and mremap() (which works on one area) takes the whole range.
 */
static void vma_merge_range(u64 start, u64 end)
{
	for (int i = 0; i + 1 < init_mm.map_count;) {
		struct vm_area_struct *a = &init_mm.vmas[i], *b = a + 1;
		if (vma_can_merge(a, b) && b->vm_start >= start && b->vm_start <= end) {
			a->vm_end = b->vm_end;
			memmove(b, b + 1, (init_mm.map_count - i - 2) * sizeof(*b));
			init_mm.map_count--;
			continue;
		}
		i++;
	}
}

/* The dirty pages of a shared file mapping's [start, end) to the file. */
static long vma_writeback(const struct vm_area_struct *v, u64 start, u64 end)
{
	if (!v->vm_file || !(v->vm_flags & VM_MAYWRITE))
		return 0;
	u64 first = v->vm_pgoff + ((start - v->vm_start) >> PAGE_SHIFT);
	return filemap_writeback(v->vm_file, first,
				 first + ((end - start + PAGE_SIZE - 1) >> PAGE_SHIFT));
}

int do_munmap(u64 start, u64 len)
{
	u64 end = start + PAGE_ALIGN(len);
	if (split_vma_at(start) || split_vma_at(end))
		return -ENOMEM;
	/* Only mapped areas can have pages: walk the VMAs, not the range
	 * (execve unmaps all 128 TiB of user space). */
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		if (v->vm_start < end && start < v->vm_end) {
			/* What was written through a shared mapping reaches
			 * the file before the mapping goes (exit too). */
			vma_writeback(v, MAX(start, v->vm_start), MIN(end, v->vm_end));
			zap_page_range(MAX(start, v->vm_start), MIN(end, v->vm_end));
		}
	}
	int j = 0;
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		if (v->vm_start >= start && v->vm_end <= end)
			continue;
		init_mm.vmas[j++] = *v;
	}
	init_mm.map_count = j;
	return 0;
}

/* Top-down search below mmap_base, as Linux's default layout does. */
u64 get_unmapped_area(u64 len)
{
	if (len > init_mm.mmap_base)
		return 0;
	u64 addr = init_mm.mmap_base - len;
	while (addr >= init_mm.brk + PAGE_SIZE && addr < init_mm.mmap_base) {
		bool moved = false;
		for (int i = init_mm.map_count - 1; i >= 0; i--) {
			struct vm_area_struct *v = &init_mm.vmas[i];
			if (v->vm_start < addr + len && addr < v->vm_end) {
				addr = v->vm_start - len;
				moved = true;
				break;
			}
		}
		if (!moved)
			return addr;
	}
	return 0;
}

static unsigned long prot_to_vm(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

SYSCALL_DEFINE1(brk, unsigned long, newbrk)
{
	u64 oldend = PAGE_ALIGN(init_mm.brk), newend = PAGE_ALIGN(newbrk);

	/* Like Linux: a bad request is answered with the current break. */
	if (newbrk < init_mm.start_brk || newbrk > init_mm.mmap_base)
		return init_mm.brk;
	if (newend > oldend) {
		if (!range_free(oldend, newend) ||
		    vma_add(oldend, newend, VM_READ | VM_WRITE | VM_HEAP))
			return init_mm.brk;
	} else if (newend < oldend) {
		do_munmap(newend, oldend - newend);
	}
	init_mm.brk = newbrk;
	return newbrk;
}

/*
 * do_mmap - place and record a mapping (mm/mmap.c).  Nothing is read or
 * allocated: the pages come on first touch, a file mapping's from the
 * page cache.  The ELF loader maps programs and interpreters with it.
 */
static long do_mmap_flags(u64 addr, u64 len, unsigned long prot, unsigned long flags,
			  struct address_space *as, u64 off, unsigned long vm_extra)
{
	unsigned long vmf = prot_to_vm(prot) | vm_extra;

	if (!len || (off & ~PAGE_MASK))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE_MAX)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((addr & ~PAGE_MASK) || addr + len > TASK_SIZE_MAX || addr + len < addr)
			return -EINVAL;
		if (!range_free(addr, addr + len)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			do_munmap(addr, len);
		}
	} else if (!addr || (addr & ~PAGE_MASK) || addr + len > TASK_SIZE_MAX ||
		   addr < init_mm.brk || !range_free(addr, addr + len)) {
		addr = get_unmapped_area(len);
		if (!addr)
			return -ENOMEM;
	}
	if (flags & MAP_SHARED)
		vmf |= VM_SHARED;
	if (vma_add_file(addr, addr + len, vmf, as, off >> PAGE_SHIFT))
		return -ENOMEM;
	return addr;
}

long do_mmap(u64 addr, u64 len, unsigned long prot, unsigned long flags,
	     struct address_space *as, u64 off)
{
	return do_mmap_flags(addr, len, prot, flags, as, off, 0);
}

/* A private copy of a file that has no page cache entry (the cache is
 * full of files in use): read now, page by page. */
static long copy_file_pages(u64 addr, u64 len, struct file *file, u64 off)
{
	for (u64 o = 0; o < len; o += PAGE_SIZE) {
		void *page = populate_page(addr + o);
		if (!page)
			return -ENOMEM;
		long n = kernel_pread(file, page, PAGE_SIZE, off + o);
		if (n < (long)PAGE_SIZE)
			break;		/* EOF: the rest stays zero */
	}
	return addr;
}

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot,
		unsigned long, flags, int, fd, unsigned long, off)
{
	struct file *file = NULL;
	struct address_space *as = NULL;
	unsigned long vm_extra = 0;

	if (!len || (off & ~PAGE_MASK))
		return -EINVAL;
	if (!(flags & (MAP_PRIVATE | MAP_SHARED)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(fd);
		if (!file)
			return -EBADF;
		/* Reading needs a file open for reading, a shared writable
		 * mapping one open for both (as on Linux). */
		if ((file->f_flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		bool shared = (flags & MAP_SHARED) && file->type == FT_HOST;
		if (shared && (prot & PROT_WRITE) && (file->f_flags & O_ACCMODE) != O_RDWR)
			return -EACCES;
		if (off + PAGE_ALIGN(len) < off)
			return -EOVERFLOW;
		/* A host file is served from the page cache.  The kernel's
		 * own files (/dev/zero...) map as zeroed memory. */
		if (file->type == FT_HOST) {
			long err = 0;
			as = filemap_get(file->handle, &err);
			if (!as && (err != -ENFILE || shared))
				return err == -ENFILE ? -ENOMEM : err;
			/* A shared mapping of a file open for writing may be
			 * written, now or after mprotect: write-back needs a
			 * handle of the cache's own. */
			if (shared && (file->f_flags & O_ACCMODE) == O_RDWR) {
				err = filemap_open_writable(as, file->handle);
				if (err) {
					filemap_unpin(as);
					return err;
				}
				vm_extra = VM_MAYWRITE;
			}
		}
	}
	long ret = do_mmap_flags(addr, len, prot, flags, as, off, vm_extra);
	if (ret >= 0 && as && (flags & MAP_POPULATE))
		mm_populate(ret, ret + PAGE_ALIGN(len));
	if (ret >= 0 && as && (prot & PROT_EXEC))
		filemap_note_exec(as, ret, PAGE_ALIGN(len), off);	/* ld.so's libraries */
	filemap_unpin(as);
	if (ret >= 0 && file && !as && file->type == FT_HOST)
		ret = copy_file_pages(ret, PAGE_ALIGN(len), file, off);
	return ret;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, unsigned long, len)
{
	if ((addr & ~PAGE_MASK) || !len || addr + len > TASK_SIZE_MAX || addr + len < addr)
		return -EINVAL;
	return do_munmap(addr, len);
}

SYSCALL_DEFINE3(mprotect, unsigned long, start, unsigned long, len,
		unsigned long, prot)
{
	u64 end = start + PAGE_ALIGN(len);

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (end < start || end > TASK_SIZE_MAX)
		return -ENOMEM;
	/* The whole range must be mapped, with no hole.  A shared file
	 * mapping becomes writable only if its file was open for writing. */
	for (u64 va = start; va < end;) {
		struct vm_area_struct *v = find_vma(va);
		if (!v)
			return -ENOMEM;
		if (v->vm_file && (v->vm_flags & VM_SHARED) && (prot & PROT_WRITE) &&
		    !(v->vm_flags & VM_MAYWRITE))
			return -EACCES;
		va = v->vm_end;
	}
	if (split_vma_at(start) || split_vma_at(end))
		return -ENOMEM;
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		if (v->vm_start >= start && v->vm_end <= end)
			v->vm_flags = (v->vm_flags & ~VM_PROT_MASK) | prot_to_vm(prot);
	}
	change_protection(start, end, prot_to_vm(prot));
	vma_merge_range(start, end);
	return 0;
}

/* Move the present pages of [old, old+len) to new: page table entries
 * move, the data does not. */
static void move_page_tables(u64 old, u64 new, u64 len)
{
	for (u64 o = 0; o < len; o += PAGE_SIZE) {
		u64 *src = pte_walk(old + o, false);
		if (!src || !(*src & _PAGE_PRESENT))
			continue;
		u64 *dst = pte_walk(new + o, true);
		if (!dst)
			return;
		*dst = *src;
		*src = 0;
		asm volatile("invlpg (%0)" : : "r"(old + o) : "memory");
	}
}

/* The VMA [addr, addr + old_len) lies in, as mremap needs it (Linux's
 * vma_to_resize): the whole old range in one area, which is private
 * (a length of 0 would duplicate a shared mapping: not here). */
static long vma_to_resize(u64 addr, u64 old_len, struct vm_area_struct **out)
{
	struct vm_area_struct *v = find_vma(addr);
	if (!v)
		return -EFAULT;
	if (!old_len)
		return -EINVAL;
	if (old_len > v->vm_end - addr)
		return -EFAULT;
	*out = v;
	return 0;
}

/* Move [old, old + old_len) to a new area of new_len at new_addr (free
 * by now): its page table entries move, the data does not.  The old
 * range goes, except with MREMAP_DONTUNMAP, where it stays mapped and
 * reads as new zero pages. */
static long move_vma(struct vm_area_struct *v, u64 old, u64 old_len, u64 new_len,
		     u64 new_addr, unsigned long flags)
{
	/* The moved area is no longer the brk heap; a file mapping keeps
	 * its file and offset. */
	if (vma_add_file(new_addr, new_addr + new_len, v->vm_flags & ~VM_HEAP, v->vm_file,
			 v->vm_pgoff + ((old - v->vm_start) >> PAGE_SHIFT)))
		return -ENOMEM;
	move_page_tables(old, new_addr, old_len);
	if (!(flags & MREMAP_DONTUNMAP))
		do_munmap(old, old_len);
	return new_addr;
}

/* MREMAP_FIXED (to new_addr, replacing what is there) and
 * MREMAP_DONTUNMAP (new_addr a hint), Linux's mremap_to. */
static long mremap_to(u64 old, u64 old_len, u64 new_addr, u64 new_len,
		      unsigned long flags)
{
	struct vm_area_struct *v;

	if (new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > TASK_SIZE_MAX || new_addr > TASK_SIZE_MAX - new_len)
		return -EINVAL;
	if (old + old_len > new_addr && new_addr + new_len > old)
		return -EINVAL;		/* the two ranges overlap */
	if (flags & MREMAP_FIXED)
		do_munmap(new_addr, new_len);
	if (old_len > new_len) {
		do_munmap(old + new_len, old_len - new_len);
		old_len = new_len;
	}
	long err = vma_to_resize(old, old_len, &v);
	if (err)
		return err;
	if (!(flags & MREMAP_FIXED) &&
	    (!new_addr || new_addr < init_mm.brk ||
	     !range_free(new_addr, new_addr + new_len))) {
		new_addr = get_unmapped_area(new_len);
		if (!new_addr)
			return -ENOMEM;
	}
	return move_vma(v, old, old_len, new_len, new_addr, flags);
}

/*
 * mremap (mm/mremap.c): shrink in place; grow in place when the old range
 * ends its area and the pages after it are free; otherwise, with
 * MREMAP_MAYMOVE, move to a free range (or to new_addr with MREMAP_FIXED).
 * The old range must lie in one area: equal neighbours are merged (see
 * vma_merge_range), so a range mprotect split and restored qualifies.
 */
SYSCALL_DEFINE5(mremap, unsigned long, old, unsigned long, old_len,
		unsigned long, new_len, unsigned long, flags, unsigned long, new_addr)
{
	struct vm_area_struct *v;

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (old & ~PAGE_MASK)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;
	if (!find_vma(old))
		return -EFAULT;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return mremap_to(old, old_len, new_addr, new_len, flags);

	if (old_len >= new_len) {
		if (old_len > new_len)
			do_munmap(old + new_len, old_len - new_len);
		return old;
	}
	long err = vma_to_resize(old, old_len, &v);
	if (err)
		return err;
	u64 end = old + new_len;
	if (old + old_len == v->vm_end && end > old && end <= TASK_SIZE_MAX &&
	    range_free(old + old_len, end)) {
		if (vma_add_file(old + old_len, end, v->vm_flags, v->vm_file,
				 v->vm_pgoff + ((v->vm_end - v->vm_start) >> PAGE_SHIFT)))
			return -ENOMEM;
		return old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	u64 addr = get_unmapped_area(new_len);
	if (!addr)
		return -ENOMEM;
	return move_vma(v, old, old_len, new_len, addr, flags);
}

/* MADV_DONTNEED on private anonymous memory means "zero on next touch":
 * dropping the pages is exactly that.  Other advice is only advice. */
SYSCALL_DEFINE3(madvise, unsigned long, start, unsigned long, len, int, advice)
{
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (advice == MADV_DONTNEED)
		zap_page_range(start, start + PAGE_ALIGN(len));
	return 0;
}

/*
 * msync (mm/msync.c): write what was written through shared file
 * mappings in the range back to the files, now, for MS_ASYNC as for
 * MS_SYNC (the host's write is the I/O).  MS_INVALIDATE has nothing to
 * do: the mappings are the page cache.  A hole in the range is ENOMEM,
 * after the mapped parts are written, as on Linux.
 */
SYSCALL_DEFINE3(msync, unsigned long, start, unsigned long, len, int, flags)
{
	if ((start & ~PAGE_MASK) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	u64 end = start + PAGE_ALIGN(len);
	if (end < start || end > TASK_SIZE_MAX)
		return -ENOMEM;
	long ret = 0;
	for (u64 va = start; va < end;) {
		struct vm_area_struct *v = find_vma(va);
		if (!v) {
			/* a hole: skip to the next area */
			ret = -ENOMEM;
			u64 next = end;
			for (int i = 0; i < init_mm.map_count; i++)
				if (init_mm.vmas[i].vm_start > va) {
					next = MIN(end, init_mm.vmas[i].vm_start);
					break;
				}
			va = next;
			continue;
		}
		u64 e = MIN(end, v->vm_end);
		long r = vma_writeback(v, va, e);
		if (r && !ret)
			ret = -EIO;
		va = e;
	}
	return ret;
}

/* For the ELF loader: give [start, end) at least `flags`, whether or not
 * part of it is already mapped (two segments may share a page). */
int vma_or_flags(u64 start, u64 end, unsigned long flags)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		struct vm_area_struct *v = find_vma(va);
		if (!v) {
			if (vma_add(va, va + PAGE_SIZE, flags))
				return -ENOMEM;
		} else if ((v->vm_flags | flags) != v->vm_flags) {
			if (split_vma_at(va) || split_vma_at(va + PAGE_SIZE))
				return -ENOMEM;
			find_vma(va)->vm_flags |= flags;
		}
	}
	return 0;
}

/*
 * mlock and friends (mm/mlock.c).  Nothing here is ever paged out (there
 * is no swap), so every page is as good as locked: the calls check their
 * arguments as Linux does (a range with a hole is ENOMEM; without root,
 * more than RLIMIT_MEMLOCK at once is ENOMEM too) and succeed.
 */
/* The pages of [start, start + len) all mapped: 0, else -ENOMEM. */
static long range_mapped(unsigned long start, unsigned long len)
{
	u64 s = start & PAGE_MASK, e = PAGE_ALIGN(start + len);
	if (start + len < start || e > TASK_SIZE_MAX)
		return -ENOMEM;
	for (u64 va = s; va < e;) {
		struct vm_area_struct *v = find_vma(va);
		if (!v)
			return -ENOMEM;
		va = v->vm_end;
	}
	return 0;
}

static long mlock_check(unsigned long start, unsigned long len)
{
	u64 s = start & PAGE_MASK, e = PAGE_ALIGN(start + len);
	if (boot_info.uid != 0 && start + len >= start &&
	    e - s > current->signal->rlim[RLIMIT_MEMLOCK].rlim_cur)
		return -ENOMEM;
	return range_mapped(start, len);
}

SYSCALL_DEFINE2(mlock, unsigned long, start, unsigned long, len)
{
	return mlock_check(start, len);
}

#define MLOCK_ONFAULT	1

SYSCALL_DEFINE3(mlock2, unsigned long, start, unsigned long, len, int, flags)
{
	return (flags & ~MLOCK_ONFAULT) ? -EINVAL : mlock_check(start, len);
}

SYSCALL_DEFINE2(munlock, unsigned long, start, unsigned long, len)
{
	return range_mapped(start, len);
}

#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4

SYSCALL_DEFINE1(mlockall, int, flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (boot_info.uid != 0 && !current->signal->rlim[RLIMIT_MEMLOCK].rlim_cur)
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	return 0;
}
