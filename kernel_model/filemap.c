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
 * A guest's own writes to a file do not reach cached pages: the next
 * mmap of a file whose size or modification time changed gets a fresh
 * entry (the old one lives on for the mappings made before).
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
	u64 dev, ino, size, mtime, mtime_nsec, ctime, ctime_nsec;
	u64 root;			/* physical address of the top node, 0: none */
	u64 nrpages;
	u64 last_used;			/* for choosing what to evict */
	char name[NAME_LEN];		/* the path, when known (/proc/self/maps) */
};

static struct address_space mappings[MAX_MAPPINGS];
static u64 filemap_clock;
static u64 cached_pages;		/* pages the cache holds, all entries */

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

/* Drop the pages below node (level l) that only the cache holds, or all
 * of them; free the node too when it is to go.  Returns pages dropped. */
static u64 radix_drop(u64 node_pa, int l, bool all)
{
	u64 *node = __va(node_pa), n = 0;
	for (int i = 0; i < (1 << RADIX_BITS); i++) {
		if (!node[i])
			continue;
		if (l > 0) {
			n += radix_drop(node[i], l - 1, all);
			if (all)
				node[i] = 0;
		} else if (all || page_count(node[i]) == 1) {
			put_page(node[i]);
			node[i] = 0;
			n++;
		}
	}
	if (all)
		free_page(node_pa);
	return n;
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
	if (as->root) {
		u64 n = radix_drop(as->root, RADIX_LEVELS - 1, true);
		cached_pages -= n;
	}
	hostcall(LSTAR_HC_CLOSE, as->handle, 0, 0, 0, 0, 0);
	memset(as, 0, sizeof(*as));
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
		if (as->used && as->root) {
			u64 n = radix_drop(as->root, RADIX_LEVELS - 1, false);
			as->nrpages -= n;
			cached_pages -= n;
		}
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
		.used = true, .pins = 1, .handle = nh,
		.dev = kst.st_dev, .ino = kst.st_ino, .size = kst.st_size,
		.mtime = kst.st_mtime, .mtime_nsec = kst.st_mtime_nsec,
		.ctime = kst.st_ctime, .ctime_nsec = kst.st_ctime_nsec,
		.last_used = ++filemap_clock,
	};
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
	return slot ? *slot : 0;
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
