/*
 * tracediff.c - `lstar tracediff A B`: the first instruction where two
 * JSON Lines traces (--trace-format jsonl) part ways (docs/trace.md).
 *
 * Lines are compared in order.  Equal text is equal; otherwise both lines
 * are flattened into (path, value) pairs ("rip", "regs.rax[1]",
 * "mem[0].value"...) and the first pair that differs is named, in the
 * order RIP, registers, RFLAGS, memory, the rest.  "seq" and "sym" are
 * left out: the same instruction may be numbered or named differently
 * after a change to the kernel, and it is still the same instruction.
 * Exit status: 0 the traces are the same, 1 they differ, 2 usage or I/O.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/trace.h"

#define MAX_PAIRS 512

struct pair {
	char path[64];
	const char *v;   /* into the line's copy */
	size_t vlen;
};

struct flat {
	char *buf;       /* the line (values point into it) */
	struct pair p[MAX_PAIRS];
	int n;
};

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

static const char *parse_value(struct flat *f, const char *s, const char *path);

static void add(struct flat *f, const char *path, const char *v, size_t n)
{
	if (f->n >= MAX_PAIRS)
		return;
	struct pair *p = &f->p[f->n++];
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->v = v;
	p->vlen = n;
}

static const char *parse_string_end(const char *s)
{
	/* s at the opening quote; returns just past the closing one. */
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s + 1 : NULL;
}

static const char *parse_value(struct flat *f, const char *s, const char *path)
{
	char sub[64];
	s = skip_ws(s);
	if (*s == '{') {
		s = skip_ws(s + 1);
		if (*s == '}')
			return s + 1;
		for (;;) {
			s = skip_ws(s);
			if (*s != '"')
				return NULL;
			const char *ke = parse_string_end(s);
			if (!ke)
				return NULL;
			int kl = (int)(ke - s - 2);
			snprintf(sub, sizeof(sub), "%s%s%.*s", path, *path ? "." : "", kl, s + 1);
			s = skip_ws(ke);
			if (*s != ':')
				return NULL;
			if (!(s = parse_value(f, s + 1, sub)))
				return NULL;
			s = skip_ws(s);
			if (*s == ',') {
				s++;
				continue;
			}
			return *s == '}' ? s + 1 : NULL;
		}
	}
	if (*s == '[') {
		s = skip_ws(s + 1);
		if (*s == ']')
			return s + 1;
		for (int k = 0;; k++) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, k);
			if (!(s = parse_value(f, s, sub)))
				return NULL;
			s = skip_ws(s);
			if (*s == ',') {
				s++;
				continue;
			}
			return *s == ']' ? s + 1 : NULL;
		}
	}
	const char *b = s;
	if (*s == '"') {
		if (!(s = parse_string_end(s)))
			return NULL;
	} else {
		while (*s && *s != ',' && *s != '}' && *s != ']' && *s != ' ')
			s++;
		if (s == b)
			return NULL;
	}
	add(f, path, b, (size_t)(s - b));
	return s;
}

static bool flatten(struct flat *f, const char *line)
{
	f->n = 0;
	const char *e = parse_value(f, line, "");
	return e && *skip_ws(e) == 0;
}

static const char *get(const struct flat *f, const char *path, size_t *n)
{
	for (int k = 0; k < f->n; k++)
		if (!strcmp(f->p[k].path, path)) {
			*n = f->p[k].vlen;
			return f->p[k].v;
		}
	return NULL;
}

/* A value without its quotes (strings), for display. */
static const char *unq(const char *v, size_t *n)
{
	if (v && *n >= 2 && v[0] == '"') {
		*n -= 2;
		return v + 1;
	}
	return v;
}

static bool ignored(const char *path)
{
	return !strcmp(path, "seq") || !strcmp(path, "sym");
}

/* Rank of a path in the report order. */
static int rank(const char *path)
{
	if (!strcmp(path, "rip") || !strcmp(path, "event") || !strcmp(path, "at"))
		return 0;
	if (!strncmp(path, "regs", 4))
		return 1;
	if (!strncmp(path, "rflags", 6))
		return 2;
	if (!strncmp(path, "mem", 3))
		return 3;
	return 4;
}

/* The first difference between a and b, by rank then position. */
static bool first_diff(const struct flat *a, const struct flat *b, char *what, size_t wl)
{
	int best_rank = 99;
	what[0] = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct flat *x = pass ? b : a, *y = pass ? a : b;
		for (int k = 0; k < x->n; k++) {
			const struct pair *p = &x->p[k];
			if (ignored(p->path))
				continue;
			size_t n;
			const char *v = get(y, p->path, &n);
			if (v && n == p->vlen && !memcmp(v, p->v, n))
				continue;
			int r = rank(p->path);
			if (r >= best_rank)
				continue;
			best_rank = r;
			const char *va = pass ? v : p->v, *vb = pass ? p->v : v;
			size_t la = pass ? n : p->vlen, lb = pass ? p->vlen : n;
			snprintf(what, wl, "%s: %.*s in A, %.*s in B", p->path,
				 va ? (int)la : 6, va ? va : "absent", vb ? (int)lb : 6, vb ? vb : "absent");
		}
	}
	return best_rank != 99;
}

/* One line shortened for the context listing. */
static void brief(const char *line, char *out, size_t ol)
{
	static struct flat f;
	if (!flatten(&f, line)) {
		snprintf(out, ol, "%.100s", line);
		return;
	}
	size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
	const char *seq = get(&f, "seq", &n1), *rip = get(&f, "rip", &n2);
	const char *sym = get(&f, "sym", &n3), *as = get(&f, "asm", &n4);
	rip = unq(rip, &n2);
	sym = unq(sym, &n3);
	as = unq(as, &n4);
	size_t ne = 0;
	const char *ev = get(&f, "event", &ne);
	if (ev) {
		size_t nn = 0, na = 0;
		const char *nm = get(&f, "name", &nn), *at = get(&f, "at", &na);
		ev = unq(ev, &ne);
		nm = unq(nm, &nn);
		at = unq(at, &na);
		snprintf(out, ol, "%.*s  %.*s %.*s at %.*s", (int)n1, seq ? seq : "", (int)ne, ev,
			 (int)nn, nm ? nm : "", (int)na, at ? at : "");
		return;
	}
	snprintf(out, ol, "%.*s  %.*s <%.*s>  %.*s", (int)n1, seq ? seq : "", (int)n2, rip ? rip : "",
		 (int)n3, sym ? sym : "", (int)n4, as ? as : "");
}

struct ring {
	char **l;
	int n, head, cap;
};

static void ring_push(struct ring *r, const char *s)
{
	if (!r->cap)
		return;
	free(r->l[r->head]);
	r->l[r->head] = strdup(s);
	r->head = (r->head + 1) % r->cap;
	if (r->n < r->cap)
		r->n++;
}

int tracediff_main(int argc, char **argv)
{
	const char *fa = NULL, *fb = NULL;
	int context = 5;
	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--context") && k + 1 < argc) {
			context = atoi(argv[++k]);
		} else if (!strncmp(argv[k], "--context=", 10)) {
			context = atoi(argv[k] + 10);
		} else if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
			printf("usage: lstar tracediff [--context N] A.jsonl B.jsonl\n"
			       "Prints the first instruction where two --trace-format jsonl traces differ\n"
			       "(RIP, a register, RFLAGS, a memory access...) with N lines of context.\n"
			       "Exit status: 0 same, 1 different, 2 usage or I/O error.\n");
			return 0;
		} else if (!fa) {
			fa = argv[k];
		} else if (!fb) {
			fb = argv[k];
		} else {
			fprintf(stderr, "lstar: tracediff: too many arguments\n");
			return 2;
		}
	}
	if (!fa || !fb || context < 0 || context > 1000) {
		fprintf(stderr, "lstar: tracediff needs two JSONL trace files "
			"(usage: lstar tracediff [--context N] A.jsonl B.jsonl)\n");
		return 2;
	}
	FILE *a = fopen(fa, "r"), *b = fopen(fb, "r");
	if (!a || !b) {
		fprintf(stderr, "lstar: tracediff: cannot open %s: %s\n", !a ? fa : fb, strerror(errno));
		if (a)
			fclose(a);
		if (b)
			fclose(b);
		return 2;
	}
	char *la = NULL, *lb = NULL;
	size_t ca = 0, cb = 0;
	struct ring ctx = { calloc((size_t)context + 1, sizeof(char *)), 0, 0, context };
	static struct flat fa_, fb_;
	unsigned long line = 0;
	int status = 0;
	for (;;) {
		ssize_t ra = getline(&la, &ca, a), rb = getline(&lb, &cb, b);
		line++;
		if (ra < 0 && rb < 0)
			break;
		char what[512];
		if (ra < 0 || rb < 0) {
			snprintf(what, sizeof(what), "%s ends at line %lu, %s goes on", ra < 0 ? "A" : "B",
				 line - 1, ra < 0 ? "B" : "A");
		} else if (ra == rb && !memcmp(la, lb, (size_t)ra)) {
			char br[256];
			brief(la, br, sizeof(br));
			ring_push(&ctx, br);
			continue;
		} else {
			bool oka = flatten(&fa_, la), okb = flatten(&fb_, lb);
			if (!oka || !okb) {
				fprintf(stderr, "lstar: tracediff: %s line %lu is not a JSON object "
					"(traces must be --trace-format jsonl)\n", !oka ? fa : fb, line);
				status = 2;
				break;
			}
			if (!first_diff(&fa_, &fb_, what, sizeof(what))) {
				/* only seq/sym differ: the same instruction */
				char br[256];
				brief(la, br, sizeof(br));
				ring_push(&ctx, br);
				continue;
			}
		}
		printf("traces differ at line %lu: %s\n", line, what);
		if (ctx.n) {
			printf("last %d common line%s:\n", ctx.n, ctx.n == 1 ? "" : "s");
			for (int k = 0; k < ctx.n; k++)
				printf("    %s\n", ctx.l[(ctx.head - ctx.n + k + ctx.cap) % ctx.cap]);
		}
		char br[256];
		if (ra >= 0) {
			brief(la, br, sizeof(br));
			printf("A:  %s\n", br);
		}
		if (rb >= 0) {
			brief(lb, br, sizeof(br));
			printf("B:  %s\n", br);
		}
		if (ra >= 0)
			printf("A line: %s", la);
		if (rb >= 0)
			printf("B line: %s", lb);
		status = 1;
		break;
	}
	if (status == 0)
		printf("traces are the same (%lu lines)\n", line - 1);
	for (int k = 0; k < ctx.cap; k++)
		free(ctx.l[k]);
	free(ctx.l);
	free(la);
	free(lb);
	fclose(a);
	fclose(b);
	return status;
}
