/*
 * snapshot.c - incremental machine snapshots for reverse execution
 * (snapshot.h; the costs are measured in docs/gdb.md).
 *
 * Why compare pages instead of tracking writes: guest RAM is written by
 * the CPU (mem hook), by the page walker (A/D bits, no hook), by devices
 * (phys_ptr_write, DMA of the host-call device) and by the host kernel on
 * the device's behalf (read(2) into guest RAM).  Comparing every resident
 * page with its last stored version catches all of them with no change to
 * those paths.  mincore() says which pages of the MAP_NORESERVE region the
 * guest ever touched, so the cost is proportional to the memory the guest
 * uses, not to --mem.  A fork()-per-snapshot design was considered: it is
 * cheaper to take, but restoring means moving the debugger connection and
 * the host-call device's open files between processes, and every kept
 * snapshot is a whole process; see docs/gdb.md.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine.h"
#include "snapshot.h"
#include "../cpu/mmu.h"

#define PG 4096

struct pver {
	uint32_t snap;        /* index of the snapshot that stored it */
	uint8_t *data;        /* PG bytes; NULL = all zero */
	struct pver *prev;    /* the older version */
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
	struct pver **head;     /* newest version of each page, NULL = never stored */
	uint8_t *vec;           /* mincore() result */
	struct snap *v;         /* snapshots, oldest first */
	size_t n, cap;
	uint64_t page_bytes, pages;
};

static const uint8_t zero_page[PG];

struct snapshots *snap_new(struct machine *m)
{
	struct snapshots *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->m = m;
	s->npages = m->ram_size / PG;
	s->head = calloc(s->npages, sizeof *s->head);
	s->vec = malloc(s->npages);
	if (!s->head || !s->vec) {
		snap_free(s);
		return NULL;
	}
	return s;
}

void snap_free(struct snapshots *s)
{
	if (!s)
		return;
	snap_truncate(s, 0);
	free(s->head);
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
	scan_pages(s);
	const uint8_t *ram = s->m->ram;
	for (uint64_t p = 0; p < s->npages; p++) {
		if (!(s->vec[p] & 1) && !s->head[p])
			continue;
		const uint8_t *cur = ram + p * PG;
		if (!memcmp(cur, ver_data(s->head[p]), PG))
			continue;
		struct pver *v = malloc(sizeof *v);
		if (!v)
			goto oom;
		v->snap = idx;
		v->data = NULL;
		if (!is_zero(cur)) {
			v->data = malloc(PG);
			if (!v->data) {
				free(v);
				goto oom;
			}
			memcpy(v->data, cur, PG);
			s->page_bytes += PG;
		}
		v->prev = s->head[p];
		s->head[p] = v;
		s->pages++;
	}
	memcpy(s->v[idx].cpu, &s->m->cpu, CPU_HEAD);
	memcpy(s->v[idx].cpu + CPU_HEAD, (uint8_t *)&s->m->cpu + CPU_TAIL, sizeof(struct cpu) - CPU_TAIL);
	s->n++;
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
		struct pver *v;
		while ((v = s->head[p]) && v->snap >= keep) {
			s->head[p] = v->prev;
			if (v->data)
				s->page_bytes -= PG;
			s->pages--;
			free(v->data);
			free(v);
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
	size_t k;
	for (k = 0; k < s->n && s->v[k].pos != pos; k++)
		;
	if (k == s->n)
		return false;
	struct machine *m = s->m;
	scan_pages(s);
	for (uint64_t p = 0; p < s->npages; p++) {
		if (!(s->vec[p] & 1) && !s->head[p])
			continue;
		const struct pver *v = s->head[p];
		while (v && v->snap > k)
			v = v->prev;
		const uint8_t *want = ver_data(v);
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
	c->m = keep.m;
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
