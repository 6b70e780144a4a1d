/*
 * filemap.c - the page cache (mirrors mm/filemap.c, the part of it a
 * read-only cache of host files needs).
 *
 * Every regular host file that some process maps has an address_space:
 * the file's identity (device, inode, and size and times, which tell
 * when the host file changed), a handle of its own on the host-call
 * device, and a radix tree of the file's pages that have been read.  A
 * page is read from the host once, on the first fault that needs it, and
 * from then on the cache holds it and maps it into every process that
 * maps that part of the file: libc, mapped by every dynamic program, is
 * read once per boot, not once per exec.  A process's private mapping
 * gets the cache page read-only; its first write faults and copies the
 * page (memory.c do_wp_page: the cache holds a reference, so the page is
 * always "shared"), exactly as after fork.
 *
 * Entries are not reference counted by the VMAs that use them (fork copies
 * VMAs without telling us); instead an entry is "in use" while some
 * process's VMA points at it, which mark_in_use() finds by walking the
 * address spaces, or while the kernel has it pinned (between filemap_get
 * and filemap_unpin).  Only entries out of use are ever freed; pages that
 * no process maps (only the cache's own reference) can go at any time,
 * since the file still has them.  That happens when free memory runs low
 * (filemap_shrink), the Linux page cache's reclaim in miniature.
 *
 * Shared writable mappings (MAP_SHARED with PROT_WRITE, or mprotect to it
 * later) map the cache's page itself, so every process and every mapping
 * sees the same bytes.  The first write to such a page faults (it is
 * mapped read-only until then) and marks it dirty in the tree; a dirty
 * page goes back to the host file through a handle opened for writing
 * (whandle) on msync, munmap, exit, fsync, before it is dropped, and at
 * power-off.  A page stays dirty after write-back (there is no reverse
 * map to write-protect every PTE again), so it is simply written again
 * next time: more writes than Linux, never a lost one.
 *
 * read() and write() on a host file stay coherent with the mappings, as
 * with Linux's one page cache: a write updates the cached pages it covers
 * (and the entry's idea of the file's size and times, so it does not go
 * stale), a read sees the dirty pages' bytes, and a truncation unmaps and
 * drops the pages past the new end (a later touch there is SIGBUS).
 * Only a change made by some other host process makes an entry stale: the
 * next mmap then gets a fresh entry, the old one lives on for the
 * mappings made before.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"

#define MAX_MAPPINGS	64	/* files with cached pages (each holds a device handle) */
#define RADIX_BITS	9	/* 512 entries per node, a page each */
#define RADIX_LEVELS	3	/* 2^27 pages: files up to 512 GiB */
#define MAX_PGOFF	(1UL << (RADIX_BITS * RADIX_LEVELS))
#define NAME_LEN	256
#define FILEMAP_READAHEAD 16	/* pages read together (64 KiB) */

struct address_space {
	bool used, stale;		/* stale: the file changed, no new mappings */
	bool in_use;			/* mark_in_use(): some VMA or the kernel has it */
	int pins;			/* kernel users between get and unpin */
	long handle;			/* the device handle pages are read with */
	long whandle;			/* one open for writing (write-back), or -1 */
	u64 nr_dirty;			/* pages marked PG_DIRTY in the tree */
	u64 dev, ino, size, mtime, mtime_nsec, ctime, ctime_nsec;
	u64 root;			/* physical address of the top node, 0: none */
	u64 nrpages;
	u64 last_used;			/* for choosing what to evict */
	char name[NAME_LEN];		/* the path, when known (/proc/self/maps) */
};

static struct address_space mappings[MAX_MAPPINGS];
static u64 filemap_clock;
static u64 cached_pages;		/* pages the cache holds, all entries */
static int nr_used;			/* entries in use: 0 lets read/write skip the cache */
static u64 total_dirty;			/* dirty pages, all entries */

/* A leaf of the tree is a page's physical address; bit 0 says it has
 * been written through a shared mapping since it was read (PG_dirty). */
#define PG_DIRTY	1UL
static inline u64 slot_page(u64 e) { return e & PAGE_MASK; }

/* ---- the radix tree: page index -> physical page ---- */

/* The slot for page pgoff, allocating the nodes on the way if asked. */
static u64 *radix_slot(struct address_space *as, u64 pgoff, bool alloc)
{
	u64 *slot = &as->root;
	for (int l = RADIX_LEVELS - 1; l >= 0; l--) {
		if (!*slot) {
			if (!alloc || !(*slot = alloc_page()))
				return NULL;
		}
		u64 *node = __va(*slot);
		slot = &node[(pgoff >> (l * RADIX_BITS)) & ((1UL << RADIX_BITS) - 1)];
	}
	return slot;
}

/* The guest changed the file itself: take its new size and times, so
 * that the entry is not mistaken for one the host changed (stale). */
static void refresh(struct address_space *as)
{
	static struct stat kst;
	if (hostcall(LSTAR_HC_FSTAT, as->handle, hc_pa(&kst), 0, 0, 0, 0) < 0)
		return;
	as->size = kst.st_size;
	as->mtime = kst.st_mtime;
	as->mtime_nsec = kst.st_mtime_nsec;
	as->ctime = kst.st_ctime;
	as->ctime_nsec = kst.st_ctime_nsec;
}

/* A page's bytes back to the file: the part before the end of the file,
 * straight from the frame (the device takes physical addresses). */
static long writepage(struct address_space *as, u64 pgoff, u64 pa)
{
	u64 off = pgoff << PAGE_SHIFT;
	if (off >= as->size)
		return 0;
	if (as->whandle < 0)
		return -EBADF;
	u64 n = MIN((u64)PAGE_SIZE, as->size - off);
	long r = hostcall(LSTAR_HC_PWRITE, as->whandle, pa, n, off, 0, 0);
	return r < 0 ? r : (u64)r == n ? 0 : -EIO;
}

/* Call fn for every page of the tree below node (level l, covering the
 * page indexes from base) whose index lies in [first, last). */
typedef void (*leaf_fn)(struct address_space *as, u64 *slot, u64 pgoff, long *err);

static void radix_for_each(struct address_space *as, u64 node_pa, int l, u64 base,
			   u64 first, u64 last, leaf_fn fn, long *err)
{
	u64 *node = __va(node_pa);
	u64 span = 1UL << (l * RADIX_BITS);	/* pages below one slot */
	for (u64 i = 0; i < (1UL << RADIX_BITS); i++) {
		u64 lo = base + i * span;
		if (!node[i] || lo + span <= first || lo >= last)
			continue;
		if (l > 0)
			radix_for_each(as, node[i], l - 1, lo, first, last, fn, err);
		else
			fn(as, &node[i], lo, err);
	}
}

static void for_each_page(struct address_space *as, u64 first, u64 last, leaf_fn fn,
			  long *err)
{
	if (as->root)
		radix_for_each(as, as->root, RADIX_LEVELS - 1, 0, first, last, fn, err);
}

static void clear_dirty(struct address_space *as, u64 *slot)
{
	if (*slot & PG_DIRTY) {
		*slot &= ~PG_DIRTY;
		as->nr_dirty--;
		total_dirty--;
	}
}

static void drop_slot(struct address_space *as, u64 *slot)
{
	clear_dirty(as, slot);
	put_page(slot_page(*slot));
	*slot = 0;
	as->nrpages--;
	cached_pages--;
}

/* Reclaim: a page no process maps goes, written back first if dirty. */
static void shrink_leaf(struct address_space *as, u64 *slot, u64 pgoff, long *err)
{
	if (page_count(slot_page(*slot)) != 1)
		return;
	if ((*slot & PG_DIRTY) && writepage(as, pgoff, slot_page(*slot))) {
		*err = -EIO;
		return;		/* keep what could not be saved */
	}
	drop_slot(as, slot);
}

static void writeback_leaf(struct address_space *as, u64 *slot, u64 pgoff, long *err)
{
	if (*slot & PG_DIRTY) {
		long r = writepage(as, pgoff, slot_page(*slot));
		if (r && !*err)
			*err = r;
	}
}

/* Past the new end of a truncated file: the pages go, dirty or not. */
static void truncate_leaf(struct address_space *as, u64 *slot, u64 pgoff, long *err)
{
	(void)pgoff; (void)err;
	drop_slot(as, slot);
}

/* Free every node below node_pa (the pages are gone by now). */
static void radix_free_nodes(u64 node_pa, int l)
{
	u64 *node = __va(node_pa);
	for (int i = 0; l > 0 && i < (1 << RADIX_BITS); i++)
		if (node[i])
			radix_free_nodes(node[i], l - 1);
	free_page(node_pa);
}

/* Write the dirty pages of [first, last) (page indexes) to the file. */
static long writeback_range(struct address_space *as, u64 first, u64 last)
{
	long err = 0;
	if (as->nr_dirty) {
		for_each_page(as, first, last, writeback_leaf, &err);
		if (!as->stale)
			refresh(as);	/* our own write is no change by the host */
	}
	return err;
}

/* ---- entries ---- */

/* Which entries some process maps, or the kernel holds pinned: one walk
 * over every address space's VMAs (see top). */
static void mark_in_use(void)
{
	for (int i = 0; i < MAX_MAPPINGS; i++)
		mappings[i].in_use = mappings[i].pins > 0;
	for_each_task(t) {
		if (!t->mm)
			continue;
		for (int i = 0; i < t->mm->map_count; i++)
			if (t->mm->vmas[i].vm_file)
				t->mm->vmas[i].vm_file->in_use = true;
	}
}

static void mapping_free(struct address_space *as)
{
	long err = 0;
	writeback_range(as, 0, MAX_PGOFF);
	for_each_page(as, 0, MAX_PGOFF, truncate_leaf, &err);
	if (as->root)
		radix_free_nodes(as->root, RADIX_LEVELS - 1);
	hostcall(LSTAR_HC_CLOSE, as->handle, 0, 0, 0, 0, 0);
	if (as->whandle >= 0)
		hostcall(LSTAR_HC_CLOSE, as->whandle, 0, 0, 0, 0, 0);
	memset(as, 0, sizeof(*as));
	nr_used--;
}

/* Memory is low: whole entries nobody maps, then the pages of the others
 * that no process maps. */
bool filemap_shrink(void)
{
	u64 before = cached_pages;
	mark_in_use();
	for (int i = 0; i < MAX_MAPPINGS; i++)
		if (mappings[i].used && !mappings[i].in_use)
			mapping_free(&mappings[i]);
	for (int i = 0; i < MAX_MAPPINGS; i++) {
		struct address_space *as = &mappings[i];
		long err = 0;
		if (as->used)
			for_each_page(as, 0, MAX_PGOFF, shrink_leaf, &err);
	}
	return cached_pages < before;
}

/* Keep some memory free for everything else the kernel allocates (page
 * tables, pipes, kernel stacks), which does not know how to reclaim. */
static void balance(void)
{
	u64 low = MAX(256UL, (boot_info.ram_size >> PAGE_SHIFT) / 16);
	if (nr_free_pages() < low)
		filemap_shrink();
}

/*
 * The address_space of the regular file open at host handle h, pinned:
 * found by its device and inode, or made (with a handle of its own, so
 * that it outlives the descriptor ld.so closes after mapping).
 */
struct address_space *filemap_get(long h, long *err)
{
	static struct stat kst;
	long r = hostcall(LSTAR_HC_FSTAT, h, hc_pa(&kst), 0, 0, 0, 0);
	if (r < 0) {
		*err = r;
		return NULL;
	}
	if ((kst.st_mode & S_IFMT) != S_IFREG) {
		*err = -ENODEV;		/* pipes, directories, devices */
		return NULL;
	}
	struct address_space *free_slot = NULL;
	for (int i = 0; i < MAX_MAPPINGS; i++) {
		struct address_space *as = &mappings[i];
		if (!as->used) {
			if (!free_slot)
				free_slot = as;
			continue;
		}
		if (!as->stale && as->dev == kst.st_dev && as->ino == kst.st_ino) {
			if (as->size == (u64)kst.st_size && as->mtime == kst.st_mtime &&
			    as->mtime_nsec == kst.st_mtime_nsec && as->ctime == kst.st_ctime &&
			    as->ctime_nsec == kst.st_ctime_nsec) {
				as->pins++;
				as->last_used = ++filemap_clock;
				return as;
			}
			as->stale = true;	/* changed since: a new entry */
		}
	}
	if (!free_slot) {
		/* The least recently used entry nobody maps makes room. */
		struct address_space *lru = NULL;
		mark_in_use();
		for (int i = 0; i < MAX_MAPPINGS; i++) {
			struct address_space *as = &mappings[i];
			if (as->used && !as->in_use && (!lru || as->last_used < lru->last_used))
				lru = as;
		}
		if (!lru) {
			*err = -ENFILE;
			return NULL;
		}
		mapping_free(lru);
		free_slot = lru;
	}
	long nh = hostcall(LSTAR_HC_REOPEN, h, O_RDONLY, 0, 0, 0, 0);
	if (nh < 0) {
		*err = nh;
		return NULL;
	}
	struct address_space *as = free_slot;
	*as = (struct address_space){
		.used = true, .pins = 1, .handle = nh, .whandle = -1,
		.dev = kst.st_dev, .ino = kst.st_ino, .size = kst.st_size,
		.mtime = kst.st_mtime, .mtime_nsec = kst.st_mtime_nsec,
		.ctime = kst.st_ctime, .ctime_nsec = kst.st_ctime_nsec,
		.last_used = ++filemap_clock,
	};
	nr_used++;
	/* Its name in /proc/self/maps: the path the host resolves the file
	 * to, as Linux prints the mapping's dentry (symlinks followed). */
	long n = hostcall(LSTAR_HC_FD_PATH, nh, hc_pa(as->name), NAME_LEN - 1, 0, 0, 0);
	as->name[n > 0 ? n : 0] = 0;
	return as;
}

void filemap_unpin(struct address_space *as)
{
	if (as && as->pins > 0)
		as->pins--;
}

void filemap_set_name(struct address_space *as, const char *path)
{
	size_t n = MIN(strlen(path), (size_t)NAME_LEN - 1);
	memcpy(as->name, path, n);
	as->name[n] = 0;
}

const char *filemap_name(const struct address_space *as)
{
	return as->name;
}

/* The file's device and inode numbers, for /proc/self/maps. */
void filemap_ids(const struct address_space *as, u64 *dev, u64 *ino)
{
	*dev = as->dev;
	*ino = as->ino;
}

/* Tell lstar that part of a file is mapped executable at addr, so that
 * traces name the functions there (emu/symbols.c).  Costs one host call
 * per mapping, nothing per instruction. */
void filemap_note_exec(struct address_space *as, u64 addr, u64 len, u64 off)
{
	if (as)
		hostcall(LSTAR_HC_MAP_EXEC, as->handle, addr, len, off, 0, 0);
}

/* The cached page at pgoff, or 0: no reading (filemap_map_pages). */
u64 filemap_find(struct address_space *as, u64 pgoff)
{
	if (pgoff >= MAX_PGOFF || pgoff >= PAGE_ALIGN(as->size) >> PAGE_SHIFT)
		return 0;
	u64 *slot = radix_slot(as, pgoff, false);
	return slot ? slot_page(*slot) : 0;
}

/*
 * Read the pages of [first, first + n) that are not cached yet, with one
 * host read (readahead: a fault rarely comes alone; n is at most
 * FILEMAP_READAHEAD).  The part of the last page past the end of the file
 * stays zero.  The buffer is our own, not hc_bounce: a fault can come in
 * the middle of a system call that has its data there (read's
 * copy_to_user into a page of a private file mapping).
 */
static u8 ra_buf[FILEMAP_READAHEAD * PAGE_SIZE] __attribute__((aligned(4096)));

static long read_pages(struct address_space *as, u64 first, u64 n)
{
	long got = hostcall(LSTAR_HC_PREAD, as->handle, hc_pa(ra_buf), n << PAGE_SHIFT,
			    first << PAGE_SHIFT, 0, 0);
	if (got < 0)
		return -EIO;
	for (u64 i = 0; i < n && (i << PAGE_SHIFT) < (u64)got; i++) {
		u64 *slot = radix_slot(as, first + i, true);
		if (!slot && filemap_shrink())
			slot = radix_slot(as, first + i, true);
		if (!slot)
			return -ENOMEM;
		if (*slot)
			continue;
		u64 page = alloc_page();
		if (!page && filemap_shrink())
			page = alloc_page();
		if (!page)
			return -ENOMEM;
		memcpy(__va(page), ra_buf + (i << PAGE_SHIFT),
		       MIN(PAGE_SIZE, (u64)got - (i << PAGE_SHIFT)));
		*slot = page;
		as->nrpages++;
		cached_pages++;
	}
	return 0;
}

/*
 * The page at pgoff (in pages) of the file, read from the host on first
 * use, with the pages around it (FILEMAP_READAHEAD, aligned); *pa is its
 * physical address, with the cache's reference only (the caller takes
 * its own with get_page to map it).  A page wholly past the end of the
 * file is -EIO: the fault becomes SIGBUS, as on Linux.  The part of the
 * last page past the end reads as zeros.
 */
long filemap_page(struct address_space *as, u64 pgoff, u64 *pa)
{
	u64 npages = PAGE_ALIGN(as->size) >> PAGE_SHIFT;
	if (pgoff >= MAX_PGOFF || pgoff >= npages)
		return -EIO;
	as->last_used = ++filemap_clock;
	if ((*pa = filemap_find(as, pgoff)))
		return 0;
	as->pins++;		/* balance() must not free it under us */
	balance();
	u64 first = pgoff & ~(FILEMAP_READAHEAD - 1);
	long err = read_pages(as, first, MIN((u64)FILEMAP_READAHEAD, npages - first));
	as->pins--;
	if (err)
		return err;
	*pa = filemap_find(as, pgoff);
	return *pa ? 0 : -EIO;		/* the file shrank under us */
}

/* ---- shared writable mappings, and read()/write() coherence ---- */

/* A shared mapping that may be written (the descriptor is O_RDWR): the
 * entry gets a handle of its own open for writing, for write-back. */
long filemap_open_writable(struct address_space *as, long handle)
{
	if (as->whandle >= 0)
		return 0;
	long h = hostcall(LSTAR_HC_REOPEN, handle, O_RDWR, 0, 0, 0, 0);
	if (h < 0)
		return h;
	as->whandle = h;
	return 0;
}

bool filemap_page_dirty(struct address_space *as, u64 pgoff)
{
	u64 *slot = pgoff < MAX_PGOFF ? radix_slot(as, pgoff, false) : NULL;
	return slot && (*slot & PG_DIRTY);
}

/* A write through a shared mapping is about to make the page differ from
 * the file (do_shared_fault / do_wp_page's page_mkwrite). */
void filemap_mark_dirty(struct address_space *as, u64 pgoff)
{
	u64 *slot = pgoff < MAX_PGOFF ? radix_slot(as, pgoff, false) : NULL;
	if (slot && *slot && !(*slot & PG_DIRTY)) {
		*slot |= PG_DIRTY;
		as->nr_dirty++;
		total_dirty++;
	}
}

/* msync, munmap, exit: the dirty pages of [first, last) to the file. */
long filemap_writeback(struct address_space *as, u64 first, u64 last)
{
	return writeback_range(as, first, MIN(last, MAX_PGOFF));
}

/* Power-off: nothing written through a mapping may be lost. */
void filemap_sync_all(void)
{
	for (int i = 0; i < MAX_MAPPINGS; i++)
		if (mappings[i].used)
			writeback_range(&mappings[i], 0, MAX_PGOFF);
}

/* The entries caching the host file f is open on, one after the other
 * from prev (NULL: the first); NULL when there are no more.  Usually
 * there is one; a file the host changed has a stale one beside.  (Linux
 * finds its one cache through the inode; here the device and inode
 * number are asked once per open file and kept in it.) */
static struct address_space *next_mapping(struct file *f, struct address_space *prev)
{
	if (!nr_used || f->type != FT_HOST)
		return NULL;
	if (file_identity(f) || !f->f_regular)
		return NULL;
	for (int i = prev ? prev - mappings + 1 : 0; i < MAX_MAPPINGS; i++) {
		struct address_space *as = &mappings[i];
		if (as->used && as->dev == f->f_dev && as->ino == f->f_ino)
			return as;
	}
	return NULL;
}

#define for_each_file_mapping(as, f) \
	for (struct address_space *as = next_mapping(f, NULL); as; as = next_mapping(f, as))

/* Where n bytes just read or written were: *off FILEMAP_CUR means they
 * end at the file's offset now.  False if that cannot be known. */
static bool file_offset(struct file *f, u64 *off, u64 n)
{
	if (*off == FILEMAP_CUR) {
		long cur = hostcall(LSTAR_HC_LSEEK, f->handle, 0, SEEK_CUR, 0, 0, 0);
		if (cur < 0 || (u64)cur < n)
			return false;
		*off = cur - n;
	}
	return true;
}

/* Copy n bytes at file offset off between buf and the pages of as that
 * are cached (and, with PG_DIRTY in need, dirty): into the pages when
 * to_cache, else out of them into buf. */
static void copy_cached(struct address_space *as, u64 off, u8 *buf, u64 n, bool to_cache,
			u64 need)
{
	for (u64 done = 0; done < n;) {
		u64 pos = off + done, pgoff = pos >> PAGE_SHIFT, in = pos & ~PAGE_MASK;
		u64 k = MIN(n - done, PAGE_SIZE - in);
		u64 *slot = pgoff < MAX_PGOFF ? radix_slot(as, pgoff, false) : NULL;
		if (slot && *slot && (*slot & need) == need) {
			u8 *page = (u8 *)__va(slot_page(*slot)) + in;
			memcpy(to_cache ? page : buf + done, to_cache ? buf + done : page, k);
		}
		done += k;
	}
}

/* write(), pwrite(), sendfile() put n bytes from buf at off in the file:
 * the cached pages they cover take the same bytes. */
void filemap_file_written(struct file *f, u64 off, const void *buf, u64 n)
{
	bool where = false;
	for_each_file_mapping(as, f) {
		if (!where && !(where = file_offset(f, &off, n)))
			return;
		copy_cached(as, off, (u8 *)buf, n, true, 0);
		if (!as->stale)
			refresh(as);
	}
}

/* read() got n bytes of the file at off into buf from the host: pages
 * written through a mapping and not yet written back are newer. */
void filemap_read_overlay(struct file *f, u64 off, void *buf, u64 n)
{
	if (!total_dirty)
		return;
	bool where = false;
	for_each_file_mapping(as, f) {
		if (!as->nr_dirty)
			continue;
		if (!where && !(where = file_offset(f, &off, n)))
			return;
		copy_cached(as, off, buf, n, false, PG_DIRTY);
	}
}

/* The guest truncated the file (ftruncate, O_TRUNC): pages wholly past
 * the new end are unmapped everywhere and dropped, so touching them is
 * SIGBUS; the rest of the last page reads as zeros (truncate_pagecache). */
void filemap_truncated(struct file *f)
{
	for_each_file_mapping(as, f) {
		u64 old = as->size;
		refresh(as);
		if (as->size >= old)
			continue;
		u64 first = PAGE_ALIGN(as->size) >> PAGE_SHIFT;
		long err = 0;
		unmap_mapping_pages(as, first);
		for_each_page(as, first, MAX_PGOFF, truncate_leaf, &err);
		if (as->size & ~PAGE_MASK) {
			u64 *slot = radix_slot(as, as->size >> PAGE_SHIFT, false);
			if (slot && *slot) {
				u64 in = as->size & ~PAGE_MASK;
				memset((u8 *)__va(slot_page(*slot)) + in, 0, PAGE_SIZE - in);
			}
		}
	}
}

/* fsync, fdatasync: what was written through mappings reaches the file. */
long filemap_fsync(struct file *f)
{
	long err = 0;
	for_each_file_mapping(as, f) {
		long r = writeback_range(as, 0, MAX_PGOFF);
		if (r && !err)
			err = r;
	}
	return err;
}
