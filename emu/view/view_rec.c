/*
 * view_rec.c - one line of a JSON Lines trace (docs/trace.md) into a
 * struct rec (emu/view/view_int.h), for `lstar view`.
 *
 * The reader knows lstar's records and nothing else: one JSON object per
 * line, starting with "seq".  Keys it does not know are skipped, so later
 * additions to the format do not break it; strings are kept as they are
 * in the line (escapes and all), to be copied into the page's JSON.  It
 * never reads outside the line and reports what it expected where.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "emu/view/view_int.h"

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

/* The length of the UTF-8 sequence at p (0: not valid UTF-8: the page
 * reads these strings as JSON again). */
static size_t utf8_len(const char *p, const char *e)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(e - p), n;
	unsigned lo = 0x80, hi = 0xBF;
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		n = 3, lo = u[0] == 0xE0 ? 0xA0 : 0x80, hi = u[0] == 0xED ? 0x9F : 0xBF;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		n = 4, lo = u[0] == 0xF0 ? 0x90 : 0x80, hi = u[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if (left < n || u[1] < lo || u[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (u[k] < 0x80 || u[k] > 0xBF)
			return 0;
	return n;
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
		if ((unsigned char)*j->p >= 0x80) {
			size_t n = utf8_len(j->p, j->e);
			if (!n)
				return fail(j, "UTF-8 text");
			j->p += n;
			continue;
		}
		if (*j->p == '\\') {
			/* the page parses these strings again: only JSON's escapes */
			if (++j->p >= j->e)
				break;
			if (*j->p == 'u') {
				for (int k = 1; k <= 4; k++)
					if (j->p + k >= j->e || !strchr("0123456789abcdefABCDEF", j->p[k]) || !j->p[k])
						return fail(j, "a \\u escape with four hex digits");
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", *j->p) || !*j->p) {
				return fail(j, "a JSON escape");
			}
		}
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

static bool digits(struct jp *j)
{
	const char *b = j->p;
	while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > b;
}

/* A JSON number, any (kept as it is for the page: it must be valid). */
static bool number(struct jp *j)
{
	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p < j->e && *j->p == '0')
		j->p++;
	else if (!digits(j))
		return fail(j, "a number");
	if (j->p < j->e && *j->p == '.' && (j->p++, !digits(j)))
		return fail(j, "digits after the point");
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!digits(j))
			return fail(j, "an exponent");
	}
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
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return number(j);
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
	/* the arrays are counted: only the scalars start at zero */
	r->seq = 0;
	r->kind = VK_INSN;
	r->has_cpl = r->has_rip = r->has_cpl_change = r->has_state = false;
	r->cpl = r->cpl_old = r->cpl_new = 0;
	r->rip = 0;
	r->sym = r->bytes = r->as = r->event = (struct span){ "", 0 };
	r->nch = 0;
	r->state_mask = 0;
	r->nmem = 0;
	r->dropped = 0;
	r->has_syscall = r->has_sysname = false;
	r->nr = 0;
	r->nstrace = 0;
	r->has_tid = false;
	r->tid = 0;
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

bool view_parse_line(const char *s, const char *e, struct rec *r, const char **why, size_t *col)
{
	struct jp j = { s, e, NULL };
	if (parse_rec(&j, r))
		return true;
	*why = j.why ? j.why : "a record";
	*col = (size_t)(j.p - s) + 1;
	return false;
}
