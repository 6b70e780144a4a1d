/*
 * view_parse.c - `lstar view`, first half: a JSON Lines trace
 * (docs/trace.md) into the model of emu/view/view_int.h.  One line is
 * read into a struct rec by emu/view/view_rec.c; here records become
 * columns, deltas and snapshots.
 *
 * It reads the file through mmap and makes one pass; a 2-million-line
 * trace (340 MB) takes about 2 s of CPU.  What it refuses, with the line number: a file that is empty,
 * a line that is not one of lstar's records (with a hint when the file is
 * a text or Tenet trace), a last line without its newline (a trace cut
 * short: lstar killed, a disk full, `head -c`), more records than the
 * page can take.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/trace/strace.h"
#include "emu/view/view_int.h"

const char *const view_reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
const char *const view_seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
const char *const view_segf_names[4] = { "sel", "base", "limit", "attr" };
const char *const view_sys_names[VF_N - VF_SYS] = {
	"cr0", "cr2", "cr3", "cr4", "cr8", "IA32_EFER", "IA32_STAR", "IA32_LSTAR",
	"IA32_CSTAR", "IA32_FMASK", "IA32_KERNEL_GS_BASE", "IA32_TSC_AUX", "gdtr.base",
	"idtr.base",
};

/* ---- growing buffers ----------------------------------------------------- */

bool vb_put(struct vbuf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, d, n);
	b->n += n;
	return true;
}

bool vb_printf(struct vbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof(tmp))
		return vb_put(b, tmp, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (!big)
		return false;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	bool ok = vb_put(b, big, (size_t)n);
	free(big);
	return ok;
}

void vb_free(struct vbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* ---- the model ------------------------------------------------------------ */

static bool put_x(struct vbuf *b, uint64_t x)
{
	uint8_t t[9];
	unsigned n = 0;
	while (x) {
		t[1 + n++] = (uint8_t)x;
		x >>= 8;
	}
	t[0] = (uint8_t)n;
	return vb_put(b, t, n + 1);
}

static bool put_varint(struct vbuf *b, uint64_t x)
{
	do {
		uint8_t c = x & 0x7f;
		x >>= 7;
		if (!vb_byte(b, (uint8_t)(c | (x ? 0x80 : 0))))
			return false;
	} while (x);
	return true;
}

static bool op(struct vtrace *t, int f, uint64_t v, bool pre, unsigned *nops)
{
	if (!vb_byte(&t->ops, (uint8_t)(f | (pre ? 0x80 : 0))) || !put_x(&t->ops, v ^ t->st[f]))
		return false;
	t->st[f] = v;
	t->known |= 1ULL << f;
	++*nops;
	return true;
}

static bool snapshot(struct vtrace *t)
{
	uint32_t w[6 + 2 * VF_N];
	w[0] = (uint32_t)t->ops.n;
	w[1] = (uint32_t)t->mem.n;
	w[2] = (uint32_t)t->mem_prev;
	w[3] = (uint32_t)(t->mem_prev >> 32);
	w[4] = (uint32_t)t->known;
	w[5] = (uint32_t)(t->known >> 32);
	for (int f = 0; f < VF_N; f++) {
		w[6 + 2 * f] = (uint32_t)t->st[f];
		w[7 + 2 * f] = (uint32_t)(t->st[f] >> 32);
	}
	return vb_put(&t->snaps, w, sizeof(w));
}

static uint32_t fnv(const char *s, size_t n, uint32_t h)
{
	for (size_t k = 0; k < n; k++)
		h = (h ^ (uint8_t)s[k]) * 16777619u;
	return h;
}

/* The index of r's instruction in the table (added if new); -1 when out of memory. */
static int64_t insn_index(struct vtrace *t, const struct rec *r)
{
	uint32_t h = fnv(r->as.s, r->as.n, fnv(r->bytes.s, r->bytes.n, fnv(r->sym.s, r->sym.n,
		     (uint32_t)(r->rip ^ (r->rip >> 29)) * 2654435761u)));
	uint32_t slot = (h ^ (h >> 16)) & (VIEW_IHASH - 1);
	for (int32_t k = t->ihash[slot]; k >= 0; k = t->insn[k].next) {
		const struct vinsn *e = &t->insn[k];
		if (e->hash == h && e->rip == r->rip && e->sym_len == r->sym.n &&
		    e->bytes_len == r->bytes.n && e->as_len == r->as.n &&
		    !memcmp(t->strs.p + e->sym, r->sym.s, r->sym.n) &&
		    !memcmp(t->strs.p + e->bytes, r->bytes.s, r->bytes.n) &&
		    !memcmp(t->strs.p + e->as, r->as.s, r->as.n))
			return k;
	}
	if (t->ninsn == t->capinsn) {
		size_t cap = t->capinsn ? 2 * t->capinsn : 4096;
		struct vinsn *p = realloc(t->insn, cap * sizeof(*p));
		if (!p)
			return -1;
		t->insn = p;
		t->capinsn = cap;
	}
	struct vinsn *e = &t->insn[t->ninsn];
	e->rip = r->rip;
	e->hash = h;
	e->sym = (uint32_t)t->strs.n;
	e->sym_len = (uint32_t)r->sym.n;
	e->bytes = e->sym + e->sym_len;
	e->bytes_len = (uint32_t)r->bytes.n;
	e->as = e->bytes + e->bytes_len;
	e->as_len = (uint32_t)r->as.n;
	if (!vb_put(&t->strs, r->sym.s, r->sym.n) || !vb_put(&t->strs, r->bytes.s, r->bytes.n) ||
	    !vb_put(&t->strs, r->as.s, r->as.n))
		return -1;
	e->next = t->ihash[slot];
	t->ihash[slot] = (int32_t)t->ninsn;
	return (int64_t)t->ninsn++;
}

static int task_slot(int64_t tid)
{
	return (int)((uint64_t)tid & 7);
}

/* A strace line of record idx: "[   25281] write(…) = 6" goes to the call
 * whose SYSCALL has that sequence number, a line without one (or without
 * its call in the trace) to the info list. */
static bool strace_line(struct vtrace *t, size_t idx, struct span l)
{
	const char *s = l.s, *e = l.s + l.n;
	if (s < e && *s == '[') {
		const char *p = s + 1;
		while (p < e && *p == ' ')
			p++;
		uint64_t seq = 0;
		const char *d = p;
		while (p < e && *p >= '0' && *p <= '9')
			seq = seq * 10 + (uint64_t)(*p++ - '0');
		if (p > d && p + 1 < e && p[0] == ']' && p[1] == ' ') {
			p += 2;
			for (size_t c = t->ncall; c-- > 0;) {
				struct vcall *v = &t->call[c];
				if (v->seq != seq)
					continue;
				if (v->text_len)
					break;   /* a second line for one call: keep both */
				v->text = (uint32_t)t->strs.n;
				v->text_len = (uint32_t)(e - p);
				return vb_put(&t->strs, p, (size_t)(e - p));
			}
			s = p;
		}
	}
	return vb_printf(&t->info_js, "%s[%zu,\"%.*s\"]", t->info_js.n ? "," : "", idx,
			 (int)(e - s), s);
}

static bool syscall_name_known(uint64_t nr, struct vtrace *t, struct vcall *c)
{
	const char *nm = syscall_name(nr);
	if (!nm)
		return true;
	c->name = (uint32_t)t->strs.n;
	c->name_len = (uint32_t)strlen(nm);
	return vb_put(&t->strs, nm, strlen(nm));
}

/* Add record r (the trace's next line) to the model. */
static bool commit(struct vtrace *t, const struct rec *r)
{
	size_t idx = t->nrec;
	if (idx % VIEW_SNAP == 0 && !snapshot(t))
		return false;
	int cpl = r->kind == VK_INSN ? r->cpl :
		  r->has_cpl_change ? r->cpl_old : (int)(t->st[VF_CPL] & 3);
	uint8_t rk = (uint8_t)(cpl | r->kind << 2 | (r->has_state ? VR_STATE : 0));
	/* the sequence numbers that do not count up by one */
	if ((idx == 0 || r->seq != t->seq_prev + 1) &&
	    !vb_printf(&t->seqx_js, "%s%zu,%llu", t->seqx_js.n ? "," : "", idx,
		       (unsigned long long)r->seq))
		return false;
	t->seq_prev = r->seq;
	/* state operations: first the values before the record that the
	 * deltas so far do not give, then what the record changed */
	unsigned nops = 0;
	for (int f = 0; f < VF_N; f++)
		if ((r->state_mask >> f & 1) && (!(t->known >> f & 1) || t->st[f] != r->state[f]) &&
		    !op(t, f, r->state[f], true, &nops))
			return false;
	if (r->kind == VK_INSN && (!(t->known >> VF_CPL & 1) || t->st[VF_CPL] != (uint64_t)r->cpl) &&
	    !op(t, VF_CPL, (uint64_t)r->cpl, true, &nops))
		return false;
	for (int k = 0; k < r->nch; k++) {
		const struct change *c = &r->ch[k];
		if ((!(t->known >> c->f & 1) || t->st[c->f] != c->old) && !op(t, c->f, c->old, true, &nops))
			return false;
	}
	for (int k = 0; k < r->nch; k++) {
		const struct change *c = &r->ch[k];
		if (t->st[c->f] != c->nw && !op(t, c->f, c->nw, false, &nops))
			return false;
	}
	/* memory accesses */
	uint8_t nm = (uint8_t)(r->nmem | (r->dropped ? 0x80 : 0));
	if (r->dropped && !put_varint(&t->mem, r->dropped))
		return false;
	for (int k = 0; k < r->nmem; k++) {
		const struct memacc *a = &r->mem[k];
		if (!vb_byte(&t->mem, (uint8_t)(a->w << 7 | a->size)) ||
		    !put_x(&t->mem, a->addr ^ t->mem_prev) || !put_x(&t->mem, a->val))
			return false;
		t->mem_prev = a->addr;
	}
	/* the instruction, or the exception */
	uint32_t ix;
	if (r->kind == VK_INSN) {
		int64_t k = insn_index(t, r);
		if (k < 0)
			return false;
		ix = (uint32_t)k;
	} else {
		ix = (uint32_t)t->nexc++;
		if (!vb_printf(&t->exc_js, "%s{\"i\":%zu,\"seq\":%llu", t->exc_js.n ? "," : "", idx,
			       (unsigned long long)r->seq))
			return false;
		if (r->kind == VK_OTHER &&
		    !vb_printf(&t->exc_js, ",\"event\":\"%.*s\"", (int)r->event.n, r->event.s))
			return false;
		for (int k = 0; k < r->nraw; k++)
			if (!vb_printf(&t->exc_js, ",\"%.*s\":%.*s", (int)r->rawk[k].n, r->rawk[k].s,
				       (int)r->rawv[k].n, r->rawv[k].s))
				return false;
		if (!vb_byte(&t->exc_js, '}'))
			return false;
	}
	if (!vb_byte(&t->rk, rk) || !vb_put(&t->ins, &ix, 4) || !vb_byte(&t->nops, (uint8_t)nops) ||
	    !vb_byte(&t->nmem, nm))
		return false;
	/* CPL runs and tasks */
	if (cpl != t->cpl_prev && !vb_printf(&t->runs_js, "%s%zu,%d", t->runs_js.n ? "," : "", idx, cpl))
		return false;
	t->cpl_prev = cpl;
	int64_t tid = r->has_tid ? r->tid : -1;
	if (r->has_tid)
		t->has_tid = true;
	if ((idx == 0 || tid != t->tid_prev) &&
	    !vb_printf(&t->tids_js, "%s%zu,%lld", t->tids_js.n ? "," : "", idx, (long long)tid))
		return false;
	t->tid_prev = tid;
	/* system calls: from the SYSCALL to the first return to CPL 3 */
	int slot = task_slot(tid);
	bool is_syscall = r->kind == VK_INSN &&
			  (r->has_syscall || (r->as.n == 7 && !memcmp(r->as.s, "syscall", 7)));
	if (r->has_cpl_change && r->cpl_new == 3 && r->cpl_old != 3 && t->open_call[slot] >= 0) {
		t->call[t->open_call[slot]].e = (uint32_t)idx;
		t->open_call[slot] = -1;
	}
	if (is_syscall) {
		if (t->ncall == t->capcall) {
			size_t cap = t->capcall ? 2 * t->capcall : 256;
			struct vcall *p = realloc(t->call, cap * sizeof(*p));
			if (!p)
				return false;
			t->call = p;
			t->capcall = cap;
		}
		struct vcall *c = &t->call[t->ncall];
		memset(c, 0, sizeof(*c));
		c->s = (uint32_t)idx;
		c->seq = r->seq;
		c->tid = tid;
		c->nr = r->has_syscall ? r->nr : t->st[0];
		if (r->has_sysname) {
			c->name = (uint32_t)t->strs.n;
			c->name_len = (uint32_t)r->sysname.n;
			if (!vb_put(&t->strs, r->sysname.s, r->sysname.n))
				return false;
		} else if (!syscall_name_known(c->nr, t, c)) {
			return false;
		}
		/* a SYSCALL that did not switch (CPL 0, or a fault) opens nothing */
		if (r->has_cpl_change)
			t->open_call[slot] = (int64_t)t->ncall;
		t->ncall++;
	}
	for (int k = 0; k < r->nstrace; k++)
		if (!strace_line(t, idx, r->strace[k]))
			return false;
	t->nrec++;
	return true;
}

/* ---- the file ------------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		h = (h ^ (uint8_t)s[k]) * 0x100000001b3ULL;
	return h;
}

/* The line's hash without the values of "seq" and "sym" (tracediff
 * does not compare them either). */
static uint64_t line_hash(const char *s, size_t n, const struct rec *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p = s, *e = s + n;
	struct span skip[2] = { r->seq_span, r->sym_span };
	if (skip[1].s && skip[1].s < skip[0].s) {
		struct span x = skip[0];
		skip[0] = skip[1];
		skip[1] = x;
	}
	for (int k = 0; k < 2; k++) {
		if (!skip[k].s)
			continue;
		h = hash_bytes(h, p, (size_t)(skip[k].s - p));
		p = skip[k].s + skip[k].n;
	}
	return hash_bytes(h, p, (size_t)(e - p));
}

struct mapped {
	const char *p;
	size_t n;
	bool mm;
};

static int map_file(const char *path, struct mapped *m, char *err, size_t errlen)
{
	m->p = NULL;
	m->n = 0;
	m->mm = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a trace", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
			m->p = p;
			m->n = (size_t)st.st_size;
			m->mm = true;
			close(fd);
			return 0;
		}
	}
	/* a pipe, or a file mmap does not take: read it */
	struct vbuf b = { 0 };
	char tmp[1 << 16];
	for (;;) {
		ssize_t k = read(fd, tmp, sizeof(tmp));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			vb_free(&b);
			close(fd);
			return -1;
		}
		if (k == 0)
			break;
		if (!vb_put(&b, tmp, (size_t)k)) {
			snprintf(err, errlen, "%s: out of memory", path);
			vb_free(&b);
			close(fd);
			return -1;
		}
	}
	close(fd);
	m->p = (const char *)b.p;
	m->n = b.n;
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->mm)
		munmap((void *)m->p, m->n);
	else
		free((void *)m->p);
	m->p = NULL;
}

/* What the first line looks like when it is not JSON Lines. */
static const char *hint(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[k] == ' ')
		k++;
	if (k < n && s[k] >= '0' && s[k] <= '9')
		return " (this looks like the text format: make the trace with --trace-format jsonl)";
	if (n >= 4 && (!memcmp(s, "rax=", 4) || !memcmp(s, "rbx=", 4) || !memcmp(s, "rip=", 4)))
		return " (this looks like a Tenet trace: make the trace with --trace-format jsonl)";
	if (n && s[0] == '{')
		return "";
	return " (make the trace with lstar run --trace=FILE --trace-format jsonl)";
}

static struct rec *rec_scratch(void)
{
	return malloc(sizeof(struct rec));
}

int view_parse(struct vtrace *t, size_t max_records, char *err, size_t errlen)
{
	struct mapped m;
	if (map_file(t->path, &m, err, errlen))
		return -1;
	int ret = -1;
	struct rec *r = rec_scratch();
	t->ihash = malloc(VIEW_IHASH * sizeof(*t->ihash));
	if (!r || !t->ihash) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memset(t->ihash, 0xff, VIEW_IHASH * sizeof(*t->ihash));
	t->cpl_prev = -1;
	t->tid_prev = -1;
	for (int k = 0; k < 8; k++)
		t->open_call[k] = -1;
	if (m.n == 0) {
		snprintf(err, errlen, "%s: empty trace (no records; was the program traced at all?)", t->path);
		goto out;
	}
	const char *p = m.p, *end = m.p + m.n;
	size_t line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (!nl) {
			/* no newline at the end: the file was cut short */
			const char *why;
			size_t col;
			if (view_parse_line(p, end, r, &why, &col) || line > 1 || p[0] == '{')
				snprintf(err, errlen, "%s: truncated trace: line %zu stops in the middle "
					 "(was lstar killed, or the file cut?)", t->path, line);
			else
				snprintf(err, errlen, "%s:%zu: not an lstar JSON Lines trace%s", t->path,
					 line, hint(p, (size_t)(end - p)));
			goto out;
		}
		const char *why;
		size_t col;
		if (!view_parse_line(p, nl, r, &why, &col)) {
			if (line == 1)
				snprintf(err, errlen, "%s:1: not an lstar JSON Lines trace%s", t->path,
					 hint(p, (size_t)(nl - p)));
			else
				snprintf(err, errlen, "%s:%zu: not an lstar trace record: expected %s at "
					 "column %zu", t->path, line, why, col);
			goto out;
		}
		if (t->nrec >= max_records) {
			snprintf(err, errlen, "%s: more than %zu records: too long for the viewer; trace "
				 "less with --trace-syscalls, --trace-cpl, --trace-from/--trace-to or "
				 "--trace-range (docs/trace.md)", t->path, max_records);
			goto out;
		}
		if (t->want_hash) {
			if (t->nrec == t->caphash) {
				size_t cap = t->caphash ? 2 * t->caphash : 65536;
				uint64_t *h = realloc(t->hash, cap * sizeof(*h));
				if (!h) {
					snprintf(err, errlen, "out of memory");
					goto out;
				}
				t->hash = h;
				t->caphash = cap;
			}
			t->hash[t->nrec] = line_hash(p, (size_t)(nl - p), r);
		}
		if (!commit(t, r)) {
			snprintf(err, errlen, "out of memory reading %s", t->path);
			goto out;
		}
		p = nl + 1;
	}
	t->nlines = line;
	ret = 0;
out:
	free(r);
	unmap_file(&m);
	return ret;
}

void view_trace_free(struct vtrace *t)
{
	struct vbuf *b[] = { &t->rk, &t->ins, &t->nops, &t->nmem, &t->ops, &t->mem, &t->snaps,
			     &t->strs, &t->exc_js, &t->info_js, &t->seqx_js, &t->runs_js, &t->tids_js };
	for (size_t k = 0; k < sizeof(b) / sizeof(b[0]); k++)
		vb_free(b[k]);
	free(t->insn);
	free(t->ihash);
	free(t->call);
	free(t->hash);
	t->insn = NULL;
	t->ihash = NULL;
	t->call = NULL;
	t->hash = NULL;
}

/* ---- the first difference, in words --------------------------------------- */

/* Line k (0-based) of a file, parsed into r; false if it cannot be read. */
static bool read_line(const char *path, size_t k, struct rec *r, struct mapped *m)
{
	char err[64];
	if (map_file(path, m, err, sizeof(err)))
		return false;
	const char *p = m->p, *end = m->p + m->n;
	for (size_t i = 0; i < k && p < end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	const char *why;
	size_t col;
	return p < end && view_parse_line(p, nl ? nl : end, r, &why, &col);
}

static const char *field_name(int f, char *buf, size_t len)
{
	if (f < 16)
		return view_reg_names[f];
	if (f == VF_RFLAGS)
		return "rflags";
	if (f == VF_CPL)
		return "cpl";
	if (f < VF_SYS) {
		snprintf(buf, len, "%s.%s", view_seg_names[(f - VF_SEG) / 4], view_segf_names[(f - VF_SEG) % 4]);
		return buf;
	}
	return view_sys_names[f - VF_SYS];
}

static bool new_value(const struct rec *r, int f, uint64_t *v)
{
	for (int k = r->nch; k-- > 0;)
		if (r->ch[k].f == f) {
			*v = r->ch[k].nw;
			return r->ch[k].nw != r->ch[k].old;
		}
	return false;
}

void view_describe_diff(const struct vtrace *a, const struct vtrace *b, size_t k,
			char *buf, size_t len)
{
	snprintf(buf, len, "the records differ");
	if (k >= a->nrec || k >= b->nrec) {
		snprintf(buf, len, "%s ends at line %zu, %s goes on", k >= a->nrec ? "A" : "B", k,
			 k >= a->nrec ? "B" : "A");
		return;
	}
	struct rec *x = rec_scratch(), *y = rec_scratch();
	struct mapped ma = { 0 }, mb = { 0 };
	if (!x || !y || !read_line(a->path, k, x, &ma) || !read_line(b->path, k, y, &mb))
		goto out;
	if (x->kind != y->kind) {
		snprintf(buf, len, "%s in A, %s in B", x->kind == VK_INSN ? "an instruction" : "an event",
			 y->kind == VK_INSN ? "an instruction" : "an event");
	} else if (x->rip != y->rip) {
		snprintf(buf, len, "rip: 0x%llx in A, 0x%llx in B", (unsigned long long)x->rip,
			 (unsigned long long)y->rip);
	} else if (x->as.n != y->as.n || memcmp(x->as.s, y->as.s, x->as.n)) {
		snprintf(buf, len, "instruction: %.*s in A, %.*s in B", (int)x->as.n, x->as.s,
			 (int)y->as.n, y->as.s);
	} else {
		char nb[32];
		for (int f = 0; f < VF_N; f++) {
			uint64_t va = 0, vb = 0;
			bool ca = new_value(x, f, &va), cb = new_value(y, f, &vb);
			if (ca == cb && (!ca || va == vb))
				continue;
			const char *nm = field_name(f, nb, sizeof(nb));
			if (ca && cb)
				snprintf(buf, len, "%s becomes 0x%llx in A, 0x%llx in B", nm,
					 (unsigned long long)va, (unsigned long long)vb);
			else
				snprintf(buf, len, "%s becomes 0x%llx in %s, is unchanged in %s", nm,
					 (unsigned long long)(ca ? va : vb), ca ? "A" : "B", ca ? "B" : "A");
			goto out;
		}
		int n = x->nmem > y->nmem ? x->nmem : y->nmem;
		for (int i = 0; i < n; i++) {
			if (i < x->nmem && i < y->nmem && !memcmp(&x->mem[i], &y->mem[i], sizeof(x->mem[i])))
				continue;
			if (i >= x->nmem || i >= y->nmem) {
				snprintf(buf, len, "memory: %d accesses in A, %d in B", x->nmem, y->nmem);
			} else {
				const struct memacc *p = &x->mem[i], *q = &y->mem[i];
				snprintf(buf, len, "memory access %d: %c 0x%llx:%u=0x%llx in A, %c 0x%llx:%u=0x%llx in B",
					 i + 1, p->w ? 'W' : 'R', (unsigned long long)p->addr, p->size,
					 (unsigned long long)p->val, q->w ? 'W' : 'R',
					 (unsigned long long)q->addr, q->size, (unsigned long long)q->val);
			}
			goto out;
		}
		snprintf(buf, len, "the records differ in another member (exception, state or strace)");
	}
out:
	free(x);
	free(y);
	if (ma.p)
		unmap_file(&ma);
	if (mb.p)
		unmap_file(&mb);
}
