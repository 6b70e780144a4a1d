/*
 * view_parse.c - `lstar view`, first half: a JSON Lines trace
 * (docs/trace.md) into the model of emu/view/view_int.h.
 *
 * The parser knows lstar's records and nothing else: one JSON object per
 * line, starting with "seq".  Keys it does not know are skipped, so later
 * additions to the format do not break it.  It reads the file through
 * mmap and makes one pass; a 2-million-line trace (300 MB) takes about a
 * second.  What it refuses, with the line number: a file that is empty,
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

/* ---- a JSON reader for one line --------------------------------------- */

struct jp {
	const char *p, *e;
	const char *why;         /* what was expected where it failed */
};

static bool fail(struct jp *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return false;
}

static void ws(struct jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static bool ch(struct jp *j, char c)
{
	ws(j);
	if (j->p < j->e && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static bool need(struct jp *j, char c)
{
	static const char *const msg[] = { "'{'", "'}'", "'['", "']'", "':'", "','" };
	if (ch(j, c))
		return true;
	const char *cs = "{}[]:,";
	return fail(j, msg[strchr(cs, c) - cs]);
}

/* A string; its raw contents (escapes kept) in s, n. */
static bool str(struct jp *j, const char **s, size_t *n)
{
	if (!ch(j, '"'))
		return fail(j, "a string");
	const char *b = j->p;
	while (j->p < j->e && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return fail(j, "a string without control characters");
		if (*j->p == '\\' && ++j->p >= j->e)
			break;
		j->p++;
	}
	if (j->p >= j->e)
		return fail(j, "the end of a string");
	*s = b;
	*n = (size_t)(j->p - b);
	j->p++;
	return true;
}

static bool hexval(const char *s, size_t n, uint64_t *v)
{
	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return false;
	uint64_t x = 0;
	for (size_t k = 2; k < n; k++) {
		unsigned c = (unsigned char)s[k], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

/* "0x…" */
static bool hexstr(struct jp *j, uint64_t *v)
{
	const char *s;
	size_t n;
	if (!str(j, &s, &n))
		return false;
	return hexval(s, n, v) || fail(j, "a \"0x...\" value");
}

/* A whole number (a minus sign allowed, for task numbers). */
static bool inum(struct jp *j, int64_t *v)
{
	ws(j);
	bool neg = j->p < j->e && *j->p == '-';
	if (neg)
		j->p++;
	if (j->p >= j->e || *j->p < '0' || *j->p > '9')
		return fail(j, "a number");
	uint64_t x = 0;
	while (j->p < j->e && *j->p >= '0' && *j->p <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return fail(j, "a smaller number");
		x = x * 10 + (uint64_t)(*j->p++ - '0');
	}
	if (j->p < j->e && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return fail(j, "a whole number");
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

static bool unum(struct jp *j, uint64_t *v)
{
	int64_t x;
	if (!inum(j, &x))
		return false;
	if (x < 0)
		return fail(j, "a number that is not negative");
	*v = (uint64_t)x;
	return true;
}

/* Any value (keys the parser does not know). */
static bool skipv(struct jp *j, int depth)
{
	if (depth > 32)
		return fail(j, "less nesting");
	ws(j);
	if (j->p >= j->e)
		return fail(j, "a value");
	const char *s;
	size_t n;
	switch (*j->p) {
	case '"':
		return str(j, &s, &n);
	case '{':
		j->p++;
		if (ch(j, '}'))
			return true;
		do {
			if (!str(j, &s, &n) || !need(j, ':') || !skipv(j, depth + 1))
				return false;
		} while (ch(j, ','));
		return need(j, '}');
	case '[':
		j->p++;
		if (ch(j, ']'))
			return true;
		do {
			if (!skipv(j, depth + 1))
				return false;
		} while (ch(j, ','));
		return need(j, ']');
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
			j->p++;
			while (j->p < j->e && strchr("0123456789.eE+-", *j->p))
				j->p++;
			return true;
		}
		for (const char *const *w = (const char *const[]){ "true", "false", "null", NULL }; *w; w++) {
			size_t l = strlen(*w);
			if ((size_t)(j->e - j->p) >= l && !memcmp(j->p, *w, l)) {
				j->p += l;
				return true;
			}
		}
		return fail(j, "a JSON value");
	}
}

static bool is(const char *k, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(k, lit, n);
}

static int find_name(const char *k, size_t n, const char *const *names, int count)
{
	for (int i = 0; i < count; i++)
		if (is(k, n, names[i]))
			return i;
	return -1;
}

/* ---- one record --------------------------------------------------------- */

#define REC_STRACE 16
#define REC_RAW 12

struct change {
	int f;
	uint64_t old, nw;
};

struct memacc {
	uint64_t addr, val;
	uint8_t w, size;
};

struct span {
	const char *s;
	size_t n;
};

struct rec {
	uint64_t seq;
	int kind;
	bool has_cpl, has_rip;
	int cpl;
	uint64_t rip;
	struct span sym, bytes, as, event;
	struct change ch[VF_N + 8];
	int nch;
	bool has_cpl_change;
	int cpl_old, cpl_new;
	bool has_state;
	uint64_t state[VF_N];
	uint64_t state_mask;
	struct memacc mem[VIEW_MEM_MAX];
	int nmem;
	uint64_t dropped;
	bool has_syscall, has_sysname;
	uint64_t nr;
	struct span sysname;
	struct span strace[REC_STRACE];
	int nstrace;
	bool has_tid;
	int64_t tid;
	/* exception members, raw: key and value */
	struct span rawk[REC_RAW], rawv[REC_RAW];
	int nraw;
	/* the value spans of "seq" and "sym" (left out of the line's hash) */
	struct span seq_span, sym_span;
};

static bool pair(struct jp *j, uint64_t *a, uint64_t *b)
{
	return need(j, '[') && hexstr(j, a) && need(j, ',') && hexstr(j, b) && need(j, ']');
}

static bool add_change(struct jp *j, struct rec *r, int f, uint64_t a, uint64_t b)
{
	if (r->nch >= (int)(sizeof(r->ch) / sizeof(r->ch[0])))
		return fail(j, "fewer changes");
	r->ch[r->nch++] = (struct change){ f, a, b };
	return true;
}

/* "regs": {"rax": ["0x…", "0x…"], …} (pairs) or, in "state", {"rax": "0x…"} */
static bool regs_member(struct jp *j, struct rec *r, bool state)
{
	if (!need(j, '{'))
		return false;
	if (ch(j, '}'))
		return true;
	do {
		const char *k;
		size_t n;
		uint64_t a, b;
		if (!str(j, &k, &n) || !need(j, ':'))
			return false;
		int f = find_name(k, n, view_reg_names, 16);
		if (f < 0) {
			if (!skipv(j, 1))
				return false;
		} else if (state) {
			if (!hexstr(j, &a))
				return false;
			r->state[f] = a;
			r->state_mask |= 1ULL << f;
		} else if (!pair(j, &a, &b) || !add_change(j, r, f, a, b)) {
			return false;
		}
	} while (ch(j, ','));
	return need(j, '}');
}

/* "seg": {"cs": {"sel": pair, "base": pair, …}, …} */
static bool seg_member(struct jp *j, struct rec *r, bool state)
{
	if (!need(j, '{'))
		return false;
	if (ch(j, '}'))
		return true;
	do {
		const char *k;
		size_t n;
		if (!str(j, &k, &n) || !need(j, ':'))
			return false;
		int sg = find_name(k, n, view_seg_names, 6);
		if (sg < 0) {
			if (!skipv(j, 1))
				return false;
			continue;
		}
		if (!need(j, '{'))
			return false;
		if (ch(j, '}'))
			continue;
		do {
			uint64_t a, b;
			if (!str(j, &k, &n) || !need(j, ':'))
				return false;
			int m = find_name(k, n, view_segf_names, 4);
			int f = VF_SEG + 4 * sg + m;
			if (m < 0) {
				if (!skipv(j, 2))
					return false;
			} else if (state) {
				if (!hexstr(j, &a))
					return false;
				r->state[f] = a;
				r->state_mask |= 1ULL << f;
			} else if (!pair(j, &a, &b) || !add_change(j, r, f, a, b)) {
				return false;
			}
		} while (ch(j, ','));
		if (!need(j, '}'))
			return false;
	} while (ch(j, ','));
	return need(j, '}');
}

/* "sys": {"IA32_LSTAR": pair, …} */
static bool sys_member(struct jp *j, struct rec *r, bool state)
{
	if (!need(j, '{'))
		return false;
	if (ch(j, '}'))
		return true;
	do {
		const char *k;
		size_t n;
		uint64_t a, b;
		if (!str(j, &k, &n) || !need(j, ':'))
			return false;
		int s = find_name(k, n, view_sys_names, VF_N - VF_SYS);
		if (s < 0) {
			if (!skipv(j, 1))
				return false;
		} else if (state) {
			if (!hexstr(j, &a))
				return false;
			r->state[VF_SYS + s] = a;
			r->state_mask |= 1ULL << (VF_SYS + s);
		} else if (!pair(j, &a, &b) || !add_change(j, r, VF_SYS + s, a, b)) {
			return false;
		}
	} while (ch(j, ','));
	return need(j, '}');
}

static bool state_member(struct jp *j, struct rec *r)
{
	if (!need(j, '{'))
		return false;
	r->has_state = true;
	if (ch(j, '}'))
		return true;
	do {
		const char *k;
		size_t n;
		uint64_t v = 0;
		if (!str(j, &k, &n) || !need(j, ':'))
			return false;
		bool ok;
		if (is(k, n, "regs")) {
			ok = regs_member(j, r, true);
		} else if (is(k, n, "rflags")) {
			ok = hexstr(j, &v);
			r->state[VF_RFLAGS] = v;
			r->state_mask |= 1ULL << VF_RFLAGS;
		} else if (is(k, n, "cpl")) {
			ok = unum(j, &v) && (v <= 3 || fail(j, "a CPL of 0 to 3"));
			r->state[VF_CPL] = v;
			r->state_mask |= 1ULL << VF_CPL;
		} else if (is(k, n, "seg")) {
			ok = seg_member(j, r, true);
		} else if (is(k, n, "sys")) {
			ok = sys_member(j, r, true);
		} else {
			ok = skipv(j, 1);
		}
		if (!ok)
			return false;
	} while (ch(j, ','));
	return need(j, '}');
}

static bool mem_member(struct jp *j, struct rec *r)
{
	if (!need(j, '['))
		return false;
	if (ch(j, ']'))
		return true;
	do {
		struct memacc a = { 0 };
		bool has_op = false;
		if (!need(j, '{'))
			return false;
		if (!ch(j, '}')) {
			do {
				const char *k, *s;
				size_t n, sn;
				uint64_t v;
				if (!str(j, &k, &n) || !need(j, ':'))
					return false;
				if (is(k, n, "op")) {
					if (!str(j, &s, &sn) || sn != 1 || (s[0] != 'r' && s[0] != 'w'))
						return fail(j, "\"op\": \"r\" or \"w\"");
					a.w = s[0] == 'w';
					has_op = true;
				} else if (is(k, n, "addr")) {
					if (!hexstr(j, &a.addr))
						return false;
				} else if (is(k, n, "size")) {
					if (!unum(j, &v) || v == 0 || v > 64)
						return fail(j, "an access size of 1 to 64");
					a.size = (uint8_t)(v > 8 ? 8 : v);
				} else if (is(k, n, "value")) {
					if (!hexstr(j, &a.val))
						return false;
				} else if (!skipv(j, 2)) {
					return false;
				}
			} while (ch(j, ','));
			if (!need(j, '}'))
				return false;
		}
		if (!has_op || !a.size)
			return fail(j, "a memory access with \"op\" and \"size\"");
		if (r->nmem < VIEW_MEM_MAX)
			r->mem[r->nmem++] = a;
		else
			r->dropped++;
	} while (ch(j, ','));
	return need(j, ']');
}

/* Parse one line (without its newline) into r. */
static bool parse_rec(struct jp *j, struct rec *r)
{
	memset(r, 0, offsetof(struct rec, state));
	r->state_mask = 0;
	r->nmem = 0;
	r->dropped = 0;
	r->has_syscall = r->has_sysname = false;
	r->nstrace = 0;
	r->has_tid = false;
	r->nraw = 0;
	r->sym_span = (struct span){ NULL, 0 };
	const char *k;
	size_t n;
	if (!ch(j, '{'))
		return fail(j, "a JSON object");
	if (!str(j, &k, &n) || !is(k, n, "seq") || !need(j, ':'))
		return fail(j, "a record that starts with \"seq\"");
	r->seq_span.s = j->p;
	if (!unum(j, &r->seq))
		return false;
	r->seq_span.n = (size_t)(j->p - r->seq_span.s);
	while (ch(j, ',')) {
		if (!str(j, &k, &n) || !need(j, ':'))
			return false;
		bool ok = true;
		int64_t iv = 0;
		uint64_t a = 0, b = 0;
		switch (k[0]) {
		case 'a':
			if (is(k, n, "asm"))
				ok = str(j, &r->as.s, &r->as.n);
			else
				goto other;
			break;
		case 'b':
			if (is(k, n, "bytes"))
				ok = str(j, &r->bytes.s, &r->bytes.n);
			else
				goto other;
			break;
		case 'c':
			if (is(k, n, "cpl")) {
				ok = unum(j, &a) && (a <= 3 || fail(j, "a CPL of 0 to 3"));
				r->cpl = (int)a;
				r->has_cpl = true;
			} else if (is(k, n, "cpl_change")) {
				ok = need(j, '[') && unum(j, &a) && need(j, ',') && unum(j, &b) &&
				     need(j, ']') && ((a <= 3 && b <= 3) || fail(j, "CPLs of 0 to 3"));
				if (ok) {
					r->has_cpl_change = true;
					r->cpl_old = (int)a;
					r->cpl_new = (int)b;
					ok = add_change(j, r, VF_CPL, a, b);
				}
			} else {
				goto other;
			}
			break;
		case 'e':
			if (is(k, n, "event")) {
				ok = str(j, &r->event.s, &r->event.n);
				r->kind = is(r->event.s, r->event.n, "exception") ? VK_EXC : VK_OTHER;
			} else {
				goto other;
			}
			break;
		case 'm':
			if (is(k, n, "mem"))
				ok = mem_member(j, r);
			else if (is(k, n, "mem_dropped"))
				ok = unum(j, &a) && (r->dropped += a, true);
			else
				goto other;
			break;
		case 'r':
			if (is(k, n, "rip")) {
				ok = hexstr(j, &r->rip);
				r->has_rip = true;
			} else if (is(k, n, "regs")) {
				ok = regs_member(j, r, false);
			} else if (is(k, n, "rflags")) {
				ok = pair(j, &a, &b) && add_change(j, r, VF_RFLAGS, a, b);
			} else {
				goto other;
			}
			break;
		case 's':
			if (is(k, n, "sym")) {
				ok = str(j, &r->sym.s, &r->sym.n);
				r->sym_span = r->sym;
			} else if (is(k, n, "seg")) {
				ok = seg_member(j, r, false);
			} else if (is(k, n, "sys")) {
				ok = sys_member(j, r, false);
			} else if (is(k, n, "state")) {
				ok = state_member(j, r);
			} else if (is(k, n, "syscall")) {
				ok = need(j, '{');
				r->has_syscall = true;
				if (ok && !ch(j, '}')) {
					do {
						if (!str(j, &k, &n) || !need(j, ':'))
							return false;
						if (is(k, n, "nr"))
							ok = unum(j, &r->nr);
						else if (is(k, n, "name"))
							ok = str(j, &r->sysname.s, &r->sysname.n) &&
							     (r->has_sysname = true);
						else
							ok = skipv(j, 2);
					} while (ok && ch(j, ','));
					ok = ok && need(j, '}');
				}
			} else if (is(k, n, "strace")) {
				ok = need(j, '[');
				if (ok && !ch(j, ']')) {
					do {
						struct span s;
						ok = str(j, &s.s, &s.n);
						if (ok && r->nstrace < REC_STRACE)
							r->strace[r->nstrace++] = s;
					} while (ok && ch(j, ','));
					ok = ok && need(j, ']');
				}
			} else {
				goto other;
			}
			break;
		case 't':
			if (is(k, n, "tid")) {
				ok = inum(j, &iv);
				r->tid = iv;
				r->has_tid = true;
			} else {
				goto other;
			}
			break;
		default:
other:
			/* exception members are kept as they are, for the page */
			if (r->nraw < REC_RAW &&
			    (is(k, n, "vector") || is(k, n, "name") || is(k, n, "soft") ||
			     is(k, n, "error") || is(k, n, "at") || is(k, n, "cr2") ||
			     is(k, n, "handler") || is(k, n, "frame"))) {
				const char *v = (ws(j), j->p);
				ok = skipv(j, 1);
				r->rawk[r->nraw] = (struct span){ k, n };
				r->rawv[r->nraw++] = (struct span){ v, (size_t)(j->p - v) };
			} else {
				ok = skipv(j, 1);
			}
			break;
		}
		if (!ok)
			return false;
	}
	if (!need(j, '}'))
		return false;
	ws(j);
	if (j->p != j->e)
		return fail(j, "the end of the line after the object");
	if (r->kind == VK_INSN && !(r->has_cpl && r->has_rip))
		return fail(j, "an instruction record with \"cpl\" and \"rip\"");
	return true;
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
			struct jp j = { p, end, NULL };
			if (parse_rec(&j, r) || line > 1 || p[0] == '{')
				snprintf(err, errlen, "%s: truncated trace: line %zu stops in the middle "
					 "(was lstar killed, or the file cut?)", t->path, line);
			else
				snprintf(err, errlen, "%s:%zu: not an lstar JSON Lines trace%s", t->path,
					 line, hint(p, (size_t)(end - p)));
			goto out;
		}
		struct jp j = { p, nl, NULL };
		if (!parse_rec(&j, r)) {
			if (line == 1)
				snprintf(err, errlen, "%s:1: not an lstar JSON Lines trace%s", t->path,
					 hint(p, (size_t)(nl - p)));
			else
				snprintf(err, errlen, "%s:%zu: not an lstar trace record: expected %s at "
					 "column %zu", t->path, line, j.why ? j.why : "a record",
					 (size_t)(j.p - p) + 1);
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
	struct jp j = { p, nl ? nl : end, NULL };
	return p < end && parse_rec(&j, r);
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
