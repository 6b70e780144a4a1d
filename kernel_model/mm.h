/*
 * mm.h - memory management interfaces (a digest of include/linux/mm.h,
 * mm_types.h and arch/x86/include/asm/pgtable_types.h).
 *
 * Each process has its own mm_struct (threads share one); init_mm is the
 * running task's (sched.h).  The user half (below TASK_SIZE_MAX) is described by VMAs
 * and filled in on demand by the page fault handler; the kernel half is
 * the kernel image and a direct map of all physical memory at PAGE_OFFSET.
 */
#ifndef KM_MM_H
#define KM_MM_H

#include "kernel.h"
#include "lstar/bootinfo.h"

#define _PAGE_PRESENT	(1UL << 0)
#define _PAGE_RW	(1UL << 1)
#define _PAGE_USER	(1UL << 2)
#define _PAGE_ACCESSED	(1UL << 5)
#define _PAGE_DIRTY	(1UL << 6)
#define _PAGE_PSE	(1UL << 7)
#define _PAGE_NX	(1UL << 63)
#define PTE_PFN_MASK	0x000ffffffffff000UL

/* Where physical memory is visible: 0 while we still run on the firmware's
 * identity map, PAGE_OFFSET once our own page tables are live. */
extern unsigned long page_offset_base;
static inline void *__va(u64 pa) { return (void *)(pa + page_offset_base); }
static inline u64 __pa(const void *va) { return (u64)va - page_offset_base; }
/* Physical address of something in the kernel image (.data/.bss). */
static inline u64 __pa_symbol(const void *x) { return (u64)x - __START_KERNEL_map; }

/* page_alloc.c */
void page_alloc_init(const struct lstar_bootinfo *bi);
void free_range(u64 start, u64 size);
u64 alloc_page(void);		/* a zeroed page's physical address, 0 if none */
void free_page(u64 pa);
u64 nr_free_pages(void);
u64 alloc_pages_contig(unsigned n);	/* n physically contiguous pages, never freed */
/* Pages shared copy-on-write after fork have a reference per mapping. */
void get_page(u64 pa);
void put_page(u64 pa);		/* frees the page with its last reference */
unsigned page_count(u64 pa);

/* init_64.c */
void init_mem_mapping(void);
u64 *pte_walk(u64 va, bool alloc);	/* the PTE for va in init_mm, or NULL */
u64 *pte_walk_pgd(u64 pgd, u64 va);
u64 *pte_walk_in(u64 pgd, u64 va, bool alloc);
void free_user_pgtables(u64 pgd);
u64 user_pgtable_pages(u64 pgd);	/* VmPTE: the user half's table pages */

/* VMAs */
#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_EXEC		0x4
#define VM_SHARED	0x8	/* MAP_SHARED: fork shares the pages, no copy-on-write */
#define VM_MAYWRITE	0x10	/* a shared file mapping whose file is open for writing */
#define VM_PROT_MASK	0x7
#define VM_HEAP		0x100	/* the brk area: never merged with its neighbours */
#define VM_GROWSDOWN	0x200	/* the main stack: grows down on a fault below it */
#define STACK_GUARD_GAP	(256UL << PAGE_SHIFT)	/* Linux's stack_guard_gap: 1 MiB */
#define VM_PFNMAP	0x400	/* the vDSO and vvar: the kernel's own frames (vdso.c) */
#define MAX_VMAS	1024	/* a python3 with its extension modules maps ~300 areas */

struct address_space;		/* filemap.c: a file's pages in the page cache */

struct vm_area_struct {
	u64 vm_start, vm_end;		/* [start, end), page aligned */
	unsigned long vm_flags;		/* VM_READ | VM_WRITE | VM_EXEC */
	struct address_space *vm_file;	/* a file mapping's pages, NULL: anonymous */
	u64 vm_pgoff;			/* file offset of vm_start, in pages */
};

struct mm_struct {
	int users;			/* tasks sharing it (threads, vfork) */
	struct vm_area_struct vmas[MAX_VMAS];	/* sorted by address */
	int map_count;
	u64 pgd;			/* physical address of the PML4 */
	u64 start_brk, brk;		/* heap: brk() moves brk */
	u64 mmap_base;			/* mmap() searches down from here */
	u64 start_stack;
	const char *exe_path;		/* absolute program path, for /proc/self/exe */
	/* The program's layout, for /proc/self/stat and cmdline/environ
	 * (which are read from the process's own memory, as on Linux). */
	u64 start_code, end_code, start_data, end_data;
	u64 arg_start, arg_end, env_start, env_end;
	/* Resident user pages (present PTEs) and their high-water mark:
	 * VmRSS, VmHWM, ru_maxrss.  The mark survives execve. */
	u64 rss, hiwater_rss;
	u64 vdso;			/* the vDSO's address (vvar: the page below), 0: none */
};

/* mmap.c */
struct vm_area_struct *find_vma(u64 addr);
/* find_vma, or the stack grown down to cover addr (within RLIMIT_STACK
 * and the guard gap), or NULL */
struct vm_area_struct *find_extend_vma(u64 addr);
int vma_add(u64 start, u64 end, unsigned long flags);
int do_munmap(u64 start, u64 len);
int vma_or_flags(u64 start, u64 end, unsigned long flags);
u64 get_unmapped_area(u64 len);		/* a free range below mmap_base, 0 if none */
/* mmap() for the kernel (the ELF loader) and the system call: off is a
 * byte offset in the file as (NULL: anonymous memory). */
long do_mmap(u64 addr, u64 len, unsigned long prot, unsigned long flags,
	     struct address_space *as, u64 off);

/* filemap.c: the page cache.  A regular host file mapped by any process
 * has one address_space, found by its device and inode; its pages are
 * read from the host once and mapped read-only into every process that
 * maps them (a private mapping's first write copies the page). */
struct address_space *filemap_get(long handle, long *err);	/* pinned */
void filemap_unpin(struct address_space *as);
long filemap_page(struct address_space *as, u64 pgoff, u64 *pa);	/* -EIO past EOF */
u64 filemap_find(struct address_space *as, u64 pgoff);	/* cached page or 0 */
bool filemap_shrink(void);	/* give memory back; false if nothing could go */
const char *filemap_name(const struct address_space *as);	/* "" if unknown */
void filemap_set_name(struct address_space *as, const char *path);
/* Shared writable mappings: pages written through them are dirty until
 * written back to the file (msync, munmap, exit, fsync, reclaim). */
long filemap_open_writable(struct address_space *as, long handle);
bool filemap_page_dirty(struct address_space *as, u64 pgoff);
void filemap_mark_dirty(struct address_space *as, u64 pgoff);
long filemap_writeback(struct address_space *as, u64 first, u64 last);	/* page indexes */
void filemap_sync_all(void);
/* read()/write()/truncate of a host file, kept coherent with the cache.
 * off FILEMAP_CUR: the n bytes end at the file's current offset. */
struct file;
#define FILEMAP_CUR	(~0UL)
void filemap_file_written(struct file *f, u64 off, const void *buf, u64 n);
void filemap_read_overlay(struct file *f, u64 off, void *buf, u64 n);
void filemap_truncated(struct file *f);
long filemap_fsync(struct file *f);
void filemap_ids(const struct address_space *as, u64 *dev, u64 *ino);
void filemap_note_exec(struct address_space *as, u64 addr, u64 len, u64 off);

/* memory.c */
int handle_mm_fault(u64 addr, bool write);
void *populate_page(u64 va);	/* make va present, return its kernel alias */
int vm_insert_page(u64 va, u64 pa);	/* map frame pa at va (-EEXIST: one is there) */
void mm_populate(u64 start, u64 end);	/* map a file mapping's pages now */
void zap_page_range(u64 start, u64 end);
/* Unmap the pages of as from page index first on, in every process. */
void unmap_mapping_pages(struct address_space *as, u64 first);
void change_protection(u64 start, u64 end, unsigned long vm_flags);
void exc_page_fault(struct pt_regs *regs, unsigned long error, u64 addr);

/* vdso.c: the vDSO and vvar mappings */
void vdso_init(void);
u64 arch_setup_additional_pages(void);	/* exec: map them; the vDSO's address or 0 */
u64 vdso_fault_pa(u64 va);		/* the frame behind va, 0: not theirs */
const char *vdso_vma_name(u64 start);	/* "[vdso]", "[vvar]" or NULL */

/* uaccess: validate against the VMAs and fault pages in, then copy. */
int fault_in_user(u64 addr, u64 len, bool write);
long copy_from_user(void *dst, const void __user *src, u64 n);
long copy_to_user(void __user *dst, const void *src, u64 n);
long strncpy_from_user(char *dst, const char __user *src, long n);

#endif
