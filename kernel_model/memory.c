/*
 * memory.c - user pages: demand faults, unmapping, protection changes and
 * the user-copy helpers (mirrors mm/memory.c, mm/mprotect.c,
 * arch/x86/mm/fault.c and lib/usercopy.c).
 *
 * Nothing in the user half is mapped until it is touched.  mmap() and brk()
 * only record a VMA; the first access faults, and exc_page_fault() finds
 * the VMA and puts a fresh zeroed page there.  That keeps a 1 GiB malloc
 * as cheap as a 1 KiB one until the program actually uses it.
 *
 * After fork, parent and child map the same frames read-only (fork.c
 * dup_mm).  The first write on either side is a protection fault in a
 * writable VMA: do_wp_page copies the frame for the writer, or, when it is
 * the last one mapping it, just makes it writable again.
 *
 * A file mapping's first touch maps the page cache's page (filemap.c):
 * read-only in a private mapping, so that a write copies it the same way
 * (the cache's own reference makes the page shared).  A shared mapping
 * maps it read-only too until the page is dirty: the first write faults,
 * marks the page dirty for write-back, and only then makes it writable.
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"

static u64 pte_flags(unsigned long vm_flags)
{
	if (!(vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return 0;	/* PROT_NONE: keep it not-present */
	u64 f = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	if (vm_flags & VM_WRITE)
		f |= _PAGE_RW | _PAGE_DIRTY;
	if (!(vm_flags & VM_EXEC))
		f |= _PAGE_NX;
	return f;
}

static bool access_ok_vma(const struct vm_area_struct *vma, bool write)
{
	if (write)
		return vma->vm_flags & VM_WRITE;
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

static u64 vma_pgoff(const struct vm_area_struct *vma, u64 va)
{
	return vma->vm_pgoff + ((va - vma->vm_start) >> PAGE_SHIFT);
}

/* A shared file mapping's page is writable once it is dirty. */
static bool shared_file_writable(const struct vm_area_struct *vma, u64 va)
{
	return filemap_page_dirty(vma->vm_file, vma_pgoff(vma, va));
}

/* Copy-on-write: give the writer a frame of its own (mm/memory.c); in a
 * shared file mapping, the first write to a clean page (page_mkwrite). */
static int do_wp_page(u64 *pte, u64 va, const struct vm_area_struct *vma)
{
	u64 pa = *pte & PTE_PFN_MASK;
	if (vma->vm_file && (vma->vm_flags & VM_SHARED))
		filemap_mark_dirty(vma->vm_file, vma_pgoff(vma, va));
	if (page_count(pa) > 1 && !(vma->vm_flags & VM_SHARED)) {
		u64 npa = alloc_page();
		if (!npa)
			return -ENOMEM;
		memcpy(__va(npa), __va(pa), PAGE_SIZE);
		put_page(pa);
		pa = npa;
	}
	*pte = pa | pte_flags(vma->vm_flags);
	invlpg(va & PAGE_MASK);
	return 0;
}

/* A page for the user: when memory is short, the page cache gives back
 * what it can first. */
static u64 alloc_user_page(void)
{
	u64 pa = alloc_page();
	while (!pa && filemap_shrink())
		pa = alloc_page();
	return pa;
}

/* The file page behind va in a file VMA (do_read_fault, do_cow_fault,
 * do_shared_fault): the cache's page itself, or for a write to a private
 * mapping a copy.  Returns the frame with a reference for the caller. */
static long file_page(const struct vm_area_struct *vma, u64 va, bool write, u64 *out)
{
	u64 pa, pgoff = vma_pgoff(vma, va);
	long err = filemap_page(vma->vm_file, pgoff, &pa);
	if (err)
		return err;
	if (write && (vma->vm_flags & VM_SHARED))
		filemap_mark_dirty(vma->vm_file, pgoff);
	if (write && !(vma->vm_flags & VM_SHARED)) {
		u64 npa = alloc_user_page();
		if (!npa)
			return -ENOMEM;
		memcpy(__va(npa), __va(pa), PAGE_SIZE);
		*out = npa;
		return 1;	/* a private copy */
	}
	get_page(pa);
	*out = pa;
	return 0;
}

/*
 * Map the pages of a file VMA in [start, end) that are not present: the
 * cache's pages, read-only in a private mapping.  With read, missing
 * pages are read from the file (mm_populate); without, only pages the
 * cache has are mapped (fault-around, Linux's filemap_map_pages: the
 * neighbours of a faulting page cost no fault of their own).
 */
static void map_file_pages(const struct vm_area_struct *vma, u64 start, u64 end, bool read)
{
	u64 f = pte_flags(vma->vm_flags);
	if (!f)
		return;
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		u64 pgoff = vma_pgoff(vma, va), pa, pf = f;
		if (!(vma->vm_flags & VM_SHARED) || !filemap_page_dirty(vma->vm_file, pgoff))
			pf &= ~(_PAGE_RW | _PAGE_DIRTY);
		u64 *pte = pte_walk(va, false);
		if (pte && (*pte & _PAGE_PRESENT))
			continue;
		if (read ? filemap_page(vma->vm_file, pgoff, &pa) != 0
			 : !(pa = filemap_find(vma->vm_file, pgoff)))
			continue;
		if (!(pte = pte_walk(va, true)))
			return;
		get_page(pa);
		*pte = pa | pf;
		mm_rss_inc();
	}
}

#define FAULT_AROUND_PAGES 16	/* Linux's fault_around_bytes: 64 KiB */

/* MAP_POPULATE, and the ELF loader's segments: the file's pages are read
 * and mapped now (see binfmt_elf.c: elf_map). */
void mm_populate(u64 start, u64 end)
{
	for (u64 va = start; va < end;) {
		struct vm_area_struct *vma = find_vma(va);
		if (!vma)
			return;
		u64 e = MIN(end, vma->vm_end);
		if (vma->vm_file)
			map_file_pages(vma, va, e, true);
		va = e;
	}
}

/* Make addr present (and writable, for a write); 0 or -EFAULT (no VMA /
 * not allowed), -ENOMEM, or -EIO (a file page past the end of the file). */
int handle_mm_fault(u64 addr, bool write)
{
	struct vm_area_struct *vma = find_extend_vma(addr);
	if (!vma || !access_ok_vma(vma, write))
		return -EFAULT;

	u64 *pte = pte_walk(addr & PAGE_MASK, true);
	if (!pte)
		return -ENOMEM;
	if (*pte & _PAGE_PRESENT) {
		if (!write || (*pte & _PAGE_RW))
			return 0;	/* already there */
		if (!(*pte & _PAGE_USER))
			return -EFAULT;	/* PROT_NONE frame */
		return do_wp_page(pte, addr, vma);
	}
	u64 pa, f = pte_flags(vma->vm_flags);
	if (vma->vm_flags & VM_PFNMAP) {
		/* The vDSO's frames, shared by all: a write (ptrace's, after
		 * mprotect) gets a copy, as after fork. */
		if (!(pa = vdso_fault_pa(addr)))
			return -EFAULT;
		get_page(pa);
		f &= ~(_PAGE_RW | _PAGE_DIRTY);
	} else if (vma->vm_file) {
		long r = file_page(vma, addr & PAGE_MASK, write, &pa);
		if (r < 0)
			return r;
		/* The cache's page: copy on write in a private mapping, mark
		 * dirty on the first write in a shared one. */
		if (r == 0 && (!(vma->vm_flags & VM_SHARED) ||
			       !shared_file_writable(vma, addr & PAGE_MASK)))
			f &= ~(_PAGE_RW | _PAGE_DIRTY);
	} else if (!(pa = alloc_user_page())) {
		return -ENOMEM;
	}
	*pte = pa | f;
	mm_rss_inc();
	current_cputime.min_flt++;	/* getrusage's ru_minflt */
	if (vma->vm_file && !write) {
		u64 lo = MAX(vma->vm_start, (addr & PAGE_MASK) & ~(FAULT_AROUND_PAGES * PAGE_SIZE - 1));
		u64 hi = MIN(vma->vm_end, lo + FAULT_AROUND_PAGES * PAGE_SIZE);
		map_file_pages(vma, lo, hi, false);
	}
	return 0;
}

/* For the loader and file mmap: make va present whatever its protection
 * and return the kernel's alias of the page, to fill it. */
void *populate_page(u64 va)
{
	u64 *pte = pte_walk(va & PAGE_MASK, true);
	if (!pte)
		return NULL;
	struct vm_area_struct *vma = find_vma(va);
	if (vma && (vma->vm_flags & VM_PFNMAP) && !(*pte & _PAGE_PRESENT) &&
	    handle_mm_fault(va, false))
		return NULL;	/* the shared frame first: the copy below is of it */
	if ((*pte & _PAGE_PRESENT) && page_count(*pte & PTE_PFN_MASK) > 1 &&
	    !(vma && (vma->vm_flags & VM_SHARED))) {
		/* Shared with another process since fork: the loader is
		 * about to write into it, so it gets its own copy. */
		u64 old = *pte & PTE_PFN_MASK, pa = alloc_page();
		if (!pa)
			return NULL;
		memcpy(__va(pa), __va(old), PAGE_SIZE);
		put_page(old);
		*pte = pa | (*pte & ~PTE_PFN_MASK);
		invlpg(va & PAGE_MASK);
	}
	if (!(*pte & _PAGE_PRESENT)) {
		u64 pa;
		if (vma && vma->vm_file) {
			/* The file's bytes, in a page of our own to write. */
			long r = file_page(vma, va & PAGE_MASK, true, &pa);
			if (r == -EIO)
				r = (pa = alloc_user_page()) ? 1 : -ENOMEM;
			if (r < 0)
				return NULL;
			if (r == 0) {	/* a shared mapping: the cache's page */
				filemap_mark_dirty(vma->vm_file, vma_pgoff(vma, va & PAGE_MASK));
				*pte = pa | pte_flags(vma->vm_flags);
				mm_rss_inc();
				return __va(pa);
			}
		} else if (!(pa = alloc_user_page())) {
			return NULL;
		}
		u64 f = vma ? pte_flags(vma->vm_flags) : 0;
		/* PROT_NONE pages still need a frame to hold the data; keep
		 * the frame but leave the PTE not-present-equivalent by
		 * mapping it supervisor-only. */
		*pte = pa | (f ? f : _PAGE_PRESENT | _PAGE_NX);
		mm_rss_inc();
	}
	return __va(*pte & PTE_PFN_MASK);
}

/* Map the frame pa at va with its VMA's rights (the first program's
 * segments, binfmt_elf.c); -EEXIST when a page is there already. */
int vm_insert_page(u64 va, u64 pa)
{
	struct vm_area_struct *vma = find_vma(va);
	u64 *pte = pte_walk(va & PAGE_MASK, true);
	if (!pte || !vma)
		return -ENOMEM;
	if (*pte & _PAGE_PRESENT)
		return -EEXIST;
	u64 f = pte_flags(vma->vm_flags);
	*pte = pa | (f ? f : _PAGE_PRESENT | _PAGE_NX);
	mm_rss_inc();
	return 0;
}

void zap_page_range(u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		u64 *pte = pte_walk(va, false);
		if (pte && (*pte & _PAGE_PRESENT)) {
			put_page(*pte & PTE_PFN_MASK);
			*pte = 0;
			invlpg(va);
			init_mm.rss--;
		}
	}
}

/* Truncation: the pages of as from page index first on leave every
 * process's page tables (unmap_mapping_range; private copies too, as on
 * Linux: past the end of the file there is nothing to map). */
void unmap_mapping_pages(struct address_space *as, u64 first)
{
	for_each_task(t) {
		struct mm_struct *mm = t->mm;
		if (!mm)
			continue;
		for (int i = 0; i < mm->map_count; i++) {
			struct vm_area_struct *v = &mm->vmas[i];
			u64 npages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
			if (v->vm_file != as || v->vm_pgoff + npages <= first)
				continue;
			u64 va = v->vm_start +
				 ((first > v->vm_pgoff ? first - v->vm_pgoff : 0) << PAGE_SHIFT);
			for (; va < v->vm_end; va += PAGE_SIZE) {
				u64 *pte = pte_walk_pgd(mm->pgd, va);
				if (!pte || !(*pte & _PAGE_PRESENT))
					continue;
				put_page(*pte & PTE_PFN_MASK);
				*pte = 0;
				mm->rss--;
				if (mm == current->mm)
					invlpg(va);
			}
		}
	}
}

void change_protection(u64 start, u64 end, unsigned long vm_flags)
{
	u64 f = pte_flags(vm_flags);
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		u64 *pte = pte_walk(va, false);
		if (pte && (*pte & _PAGE_PRESENT)) {
			u64 pf = f;
			/* A frame still shared copy-on-write stays read-only:
			 * the first write copies it. */
			if ((pf & _PAGE_RW) && !(vm_flags & VM_SHARED) &&
			    page_count(*pte & PTE_PFN_MASK) > 1)
				pf &= ~(_PAGE_RW | _PAGE_DIRTY);
			/* A clean page of a shared file mapping waits for its
			 * first write to be marked dirty. */
			if ((pf & _PAGE_RW) && (vm_flags & VM_SHARED)) {
				struct vm_area_struct *vma = find_vma(va);
				if (vma && vma->vm_file && !shared_file_writable(vma, va))
					pf &= ~(_PAGE_RW | _PAGE_DIRTY);
			}
			/* PROT_NONE keeps the frame, supervisor-only. */
			*pte = (*pte & PTE_PFN_MASK) | (pf ? pf : _PAGE_PRESENT | _PAGE_NX);
			invlpg(va);
		}
	}
}

/*
 * exc_page_fault - #PF.  Error code bits: P (1) protection violation rather
 * than not-present, W (2) write, U (4) from user mode, I (16) fetch.
 */
void exc_page_fault(struct pt_regs *regs, unsigned long error, u64 addr)
{
	/* Not present, or a write to a read-only page (copy-on-write). */
	if (addr < TASK_SIZE_MAX && (!(error & 1) || (error & 2))) {
		int ret = handle_mm_fault(addr, error & 2);
		if (ret == 0)
			return;		/* retry the instruction */
		if (ret == -ENOMEM && user_mode(regs)) {
			printk("lstar: out of memory (fault at 0x%lx)\n", addr);
			force_sig_exit(SIGKILL, "out of memory", addr, regs);
		}
		if (ret == -EIO && user_mode(regs)) {
			/* A file mapping beyond the end of its file: BUS_ADRERR. */
			force_sig_fault(SIGBUS, 2, addr, regs, "page fault: beyond the end of the mapped file");
			return;
		}
	}
	if (user_mode(regs)) {
		/* SEGV_ACCERR (2) for a protection violation, else SEGV_MAPERR. */
		force_sig_fault(SIGSEGV, (error & 1) ? 2 : 1, addr, regs,
				(error & 1) ? "page fault: protection"
					    : "page fault: not mapped");
		return;		/* into the program's SIGSEGV handler */
	}
	printk("BUG: unable to handle page fault for address 0x%lx, error 0x%lx\n",
	       addr, error);
	do_trap_die(regs, 14);
}

/*
 * The kernel touches user memory directly (same page tables; no SMAP), but
 * only after checking every page against the VMAs and faulting it in, so
 * that a bad pointer from user space becomes -EFAULT, never a kernel oops.
 */
int fault_in_user(u64 addr, u64 len, bool write)
{
	if (len == 0)
		return 0;
	if (addr + len < addr || addr + len > TASK_SIZE_MAX)
		return -EFAULT;
	for (u64 va = addr & PAGE_MASK; va < addr + len; va += PAGE_SIZE) {
		struct vm_area_struct *vma = find_extend_vma(va);
		if (!vma || !access_ok_vma(vma, write))
			return -EFAULT;
		u64 *pte = pte_walk(va, false);
		if (pte && (*pte & _PAGE_PRESENT) && (*pte & _PAGE_USER) &&
		    (!write || (*pte & _PAGE_RW)))
			continue;
		if (handle_mm_fault(va, write))
			return -EFAULT;
	}
	return 0;
}

long copy_from_user(void *dst, const void __user *src, u64 n)
{
	if (fault_in_user((u64)src, n, false))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

long copy_to_user(void __user *dst, const void *src, u64 n)
{
	if (fault_in_user((u64)dst, n, true))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

/* Copy a NUL-terminated string of at most n bytes (including the NUL).
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
long strncpy_from_user(char *dst, const char __user *src, long n)
{
	for (long i = 0; i < n; i++) {
		u64 a = (u64)src + i;
		if ((i == 0 || (a & ~PAGE_MASK) == 0) && fault_in_user(a, 1, false))
			return -EFAULT;
		dst[i] = ((const char *)src)[i];
		if (!dst[i])
			return i;
	}
	return -ENAMETOOLONG;
}
