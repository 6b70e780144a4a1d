/*
 * snapshot.c - incremental machine snapshots for reverse execution
 * (snapshot.h; the costs are measured in docs/gdb.md).
 *
 * Guest RAM is written by the CPU (through TLB host pointers), by the page
 * walker (A/D bits), by gdb, by devices (phys_ptr_write) and by the host
 * kernel on the host-call device's behalf (read(2) into guest RAM).  None
 * of those paths is changed for snapshots: writes from this process are
 * caught by page protection (below), and after port I/O every resident
 * page is compared with its stored version (mincore() says which pages of
 * the MAP_NORESERVE region the guest ever touched, so that costs what the
 * guest uses, not --mem).  A fork()-per-snapshot design was considered:
 * cheap to take, but restoring means moving the debugger connection and
 * the host-call device's open files between processes, and every kept
 * snapshot is a whole process; see docs/gdb.md.
 */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/machine.h"
#include "emu/gdb/snapshot.h"
#include "cpu/mmu.h"

#define PG 4096

struct pver {
	uint32_t snap;        /* index of the snapshot that stored it */
	uint8_t *data;        /* PG bytes; NULL = all zero */
};

/* The versions of one page, oldest first (binary search by snapshot:
 * a hot page such as a stack has one version per snapshot). */
struct pvlist {
	struct pver *v;
	uint32_t n, cap;
};

/* struct cpu without its TLB arrays (18 KiB of cache, flushed on restore
 * anyway): the bytes before tlb_r and from tlb_mode to the end. */
#define CPU_HEAD offsetof(struct cpu, tlb_r)
#define CPU_TAIL offsetof(struct cpu, tlb_mode)
#define CPU_SAVED (CPU_HEAD + sizeof(struct cpu) - CPU_TAIL)

struct snap {
	uint64_t pos;
	uint8_t *cpu;           /* CPU_SAVED bytes */
};

struct snapshots {
	struct machine *m;
	uint64_t npages;
	struct pvlist *pv;      /* per page; n == 0: never stored */
	uint8_t *vec;           /* mincore() result */
	uint8_t *dirty;         /* per page: written since the last snapshot */
	bool tracking;          /* RAM is write-protected, dirty[] is exact */
	bool full;              /* dirty[] is not exact: compare every resident page */
	bool io_seen;           /* port I/O since the last snapshot */
	struct snap *v;         /* snapshots, oldest first */
	size_t n, cap;
	uint64_t page_bytes, pages;
};

static const uint8_t zero_page[PG];

/*
 * Write tracking between snapshots: guest RAM is mapped read-only, and the
 * first write to a page (by the CPU, the page walker, gdb or a restore --
 * all in this process) faults once; the handler marks the page dirty and
 * makes it writable again.  The host kernel cannot be caught that way: a
 * read(2) of the host-call device into a read-only page would fail with
 * EFAULT.  So before port I/O the protection is lifted (snap_io) and the
 * snapshot after it compares every resident page.  If the kernel runs out
 * of mappings (each writable page splits the region), tracking falls back
 * to the full compare too.
 */
static struct snapshots *volatile tracked;
static struct sigaction old_segv;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	struct snapshots *s = tracked;
	uint8_t *a = si->si_addr;
	(void)sig, (void)uc;
	if (s && s->tracking && a >= s->m->ram && a < s->m->ram + s->m->ram_size) {
		uint64_t p = (uint64_t)(a - s->m->ram) / PG;
		s->dirty[p] = 1;
		if (mprotect(s->m->ram + p * PG, PG, PROT_READ | PROT_WRITE) == 0)
			return;
		mprotect(s->m->ram, s->m->ram_size, PROT_READ | PROT_WRITE);
		s->tracking = false;
		s->full = true;
		return;
	}
	/* Not a tracked page: a real crash.  Returning re-runs the access
	 * under the previous disposition (default: a core dump; ASan's). */
	sigaction(SIGSEGV, &old_segv, NULL);
}

static void untrack(struct snapshots *s)
{
	if (s->tracking)
		mprotect(s->m->ram, s->m->ram_size, PROT_READ | PROT_WRITE);
	s->tracking = false;
	s->full = true;
}

/* After a snapshot: every page equals its newest version; watch writes. */
static void arm(struct snapshots *s)
{
	if (tracked != s)
		return;
	memset(s->dirty, 0, s->npages);
	s->full = false;
	s->tracking = mprotect(s->m->ram, s->m->ram_size, PROT_READ) == 0;
	if (!s->tracking) {
		mprotect(s->m->ram, s->m->ram_size, PROT_READ | PROT_WRITE);
		s->full = true;
	}
}

void snap_io(struct snapshots *s)
{
	untrack(s);
	s->io_seen = true;
}

/* Pages that may differ from their newest version. */
static inline bool candidate(const struct snapshots *s, uint64_t p)
{
	if (s->full)
		return s->pv[p].n || (s->vec[p] & 1);
	return s->dirty[p];   /* exact tracking: the others equal their newest version */
}

struct snapshots *snap_new(struct machine *m)
{
	struct snapshots *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->m = m;
	s->npages = m->ram_max / PG;	/* RAM may still grow (LSTAR_HC_MEMORY_ADD) */
	s->pv = calloc(s->npages, sizeof *s->pv);
	s->vec = malloc(s->npages);
	s->dirty = calloc(s->npages, 1);
	s->full = true;
	if (!s->pv || !s->vec || !s->dirty) {
		snap_free(s);
		return NULL;
	}
	const char *nt = getenv("LSTAR_GDB_NO_WRITE_TRACKING");   /* for measurements */
	if (!tracked && !(nt && *nt)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &old_segv) == 0)
			tracked = s;
	}
	return s;
}

void snap_free(struct snapshots *s)
{
	if (!s)
		return;
	if (tracked == s) {
		untrack(s);
		tracked = NULL;
		sigaction(SIGSEGV, &old_segv, NULL);
	}
	snap_truncate(s, 0);
	free(s->dirty);
	if (s->pv)
		for (uint64_t p = 0; p < s->npages; p++)
			free(s->pv[p].v);
	free(s->pv);
	free(s->vec);
	free(s->v);
	free(s);
}

/* Pages to look at: resident now, or stored before (a stored page that
 * is no longer resident was swapped out, which mincore cannot tell from
 * "never touched"). */
static bool scan_pages(struct snapshots *s)
{
	if (mincore(s->m->ram, s->m->ram_size, s->vec) != 0) {
		/* no mincore: look at everything (slow but right) */
		memset(s->vec, 1, s->npages);
	}
	return true;
}

static inline const uint8_t *ver_data(const struct pver *v)
{
	return v && v->data ? v->data : zero_page;
}

static inline const struct pver *newest(const struct snapshots *s, uint64_t p)
{
	const struct pvlist *l = &s->pv[p];
	return l->n ? &l->v[l->n - 1] : NULL;
}

/* The version of page p in snapshot k: the newest stored at or before k. */
static const struct pver *version_at(const struct snapshots *s, uint64_t p, uint32_t k)
{
	const struct pvlist *l = &s->pv[p];
	uint32_t lo = 0, hi = l->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].snap <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &l->v[lo - 1] : NULL;
}

static bool is_zero(const uint8_t *p)
{
	return p[0] == 0 && !memcmp(p, p + 1, PG - 1);
}

bool snap_take(struct snapshots *s, uint64_t pos)
{
	if (s->n && s->v[s->n - 1].pos >= pos)
		return false;
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		struct snap *nv = realloc(s->v, nc * sizeof *nv);
		if (!nv)
			return false;
		s->v = nv;
		s->cap = nc;
	}
	uint32_t idx = (uint32_t)s->n;
	s->v[idx].cpu = malloc(CPU_SAVED);
	if (!s->v[idx].cpu)
		return false;
	s->v[idx].pos = pos;
	if (s->full)
		scan_pages(s);
	const uint8_t *ram = s->m->ram;
	for (uint64_t p = 0; p < s->npages; p++) {
		if (!candidate(s, p))
			continue;
		const uint8_t *cur = ram + p * PG;
		if (!memcmp(cur, ver_data(newest(s, p)), PG))
			continue;
		struct pvlist *l = &s->pv[p];
		if (l->n == l->cap) {
			uint32_t nc = l->cap ? 2 * l->cap : 2;
			struct pver *nv = realloc(l->v, nc * sizeof *nv);
			if (!nv)
				goto oom;
			l->v = nv;
			l->cap = nc;
		}
		struct pver v = { idx, NULL };
		if (!is_zero(cur)) {
			v.data = malloc(PG);
			if (!v.data)
				goto oom;
			memcpy(v.data, cur, PG);
			s->page_bytes += PG;
		}
		l->v[l->n++] = v;
		s->pages++;
	}
	memcpy(s->v[idx].cpu, &s->m->cpu, CPU_HEAD);
	memcpy(s->v[idx].cpu + CPU_HEAD, (uint8_t *)&s->m->cpu + CPU_TAIL, sizeof(struct cpu) - CPU_TAIL);
	s->n++;
	/* The snapshot right after port I/O stays untracked: system calls
	 * come in bursts, and re-protecting RAM for the few instructions to
	 * the next I/O costs more than it saves.  The next snapshot with no
	 * I/O before it arms the tracking again. */
	if (s->io_seen)
		s->io_seen = false;
	else
		arm(s);
	return true;
oom:
	/* drop the versions already stored under idx */
	s->n++;
	snap_truncate(s, pos);
	return false;
}

void snap_truncate(struct snapshots *s, uint64_t pos)
{
	size_t keep = 0;
	while (keep < s->n && s->v[keep].pos < pos)
		keep++;
	for (size_t k = keep; k < s->n; k++)
		free(s->v[k].cpu);
	for (uint64_t p = 0; p < s->npages; p++) {
		struct pvlist *l = &s->pv[p];
		while (l->n && l->v[l->n - 1].snap >= keep) {
			struct pver *v = &l->v[--l->n];
			s->dirty[p] = 1;   /* RAM may now differ from the newest version */
			if (v->data)
				s->page_bytes -= PG;
			s->pages--;
			free(v->data);
		}
	}
	s->n = keep;
}

bool snap_find(const struct snapshots *s, uint64_t pos, uint64_t *at)
{
	/* binary search: newest with v.pos <= pos */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid].pos <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	*at = s->v[lo - 1].pos;
	return true;
}

bool snap_find_before(const struct snapshots *s, uint64_t pos, uint64_t *at)
{
	return pos && snap_find(s, pos - 1, at);
}

uint64_t snap_last(const struct snapshots *s)
{
	return s->n ? s->v[s->n - 1].pos : 0;
}

bool snap_restore(struct snapshots *s, uint64_t pos)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->n || s->v[lo].pos != pos)
		return false;
	uint32_t k = (uint32_t)lo;
	struct machine *m = s->m;
	if (s->full)
		scan_pages(s);
	for (uint64_t p = 0; p < s->npages; p++) {
		/* With exact tracking a page equals its newest version unless
		 * it is dirty, so only pages changed after snapshot k matter. */
		const struct pvlist *l = &s->pv[p];
		if (s->full ? !candidate(s, p) :
		    !(s->dirty[p] || (l->n && l->v[l->n - 1].snap > k)))
			continue;
		const uint8_t *want = ver_data(version_at(s, p, k));
		if (!memcmp(m->ram + p * PG, want, PG))
			continue;
		uint8_t *dst = phys_ptr_write(m, p * PG, PG);  /* drops decoded code */
		memcpy(dst, want, PG);
	}
	/* The CPU, minus what belongs to this host process and session. */
	struct cpu *c = &m->cpu;
	struct cpu keep = *c;
	memcpy(c, s->v[k].cpu, CPU_HEAD);
	memcpy((uint8_t *)c + CPU_TAIL, s->v[k].cpu + CPU_HEAD, sizeof(struct cpu) - CPU_TAIL);
	c->bus = keep.bus;
	c->ram = keep.ram;
	c->ram_size = keep.ram_size;
	c->dc = keep.dc;
	c->hooks = keep.hooks;
	c->jb = keep.jb;
	c->cur = NULL;
	c->last_block = NULL;
	c->chain_epoch = keep.chain_epoch + 1;
	c->stop = keep.stop;
	c->event_mask = keep.event_mask;
	c->icount_limit = keep.icount_limit;
	c->exit_block = 0;
	tlb_flush_all(c);
	return true;
}

void snap_get_stats(const struct snapshots *s, struct snap_stats *st)
{
	st->count = s->n;
	st->page_bytes = s->page_bytes;
	st->pages = s->pages;
	st->cpu_bytes = (uint64_t)s->n * (sizeof(struct snap) + CPU_SAVED);
}
