/*
 * trace.c - the per-instruction trace (--trace) and the hook plumbing that
 * --strace (emu/strace.c) and --stats (emu/stats.c) share (docs/trace.md).
 *
 * How "what changed" is found: the session keeps a snapshot of the state
 * after the previous instruction (general registers, RFLAGS, segments,
 * control registers and MSRs, CPL).  The after hook compares the machine
 * with it, prints the differences and takes the new state as the next
 * snapshot.  No before hook is needed: nothing changes architectural
 * state between two instructions except an exception delivery, and the
 * exception hook refreshes the snapshot after printing its own line.
 *
 * Speed: formatting goes through a hand-written hex writer into a 1 MiB
 * buffer; the symbol, bytes and Zydis text of an instruction are made once
 * and cached by RIP (checked against the decoded struct insn, so code that
 * changed is disassembled again).  Without any trace option no hook is
 * installed and cpu/exec.c runs its fast path.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"
#include "cpu/system.h"
#include "emu/machine.h"
#include "emu/stats.h"
#include "emu/strace.h"
#include "emu/symbols.h"
#include "emu/trace.h"
#include "msr/msr.h"

#define MEM_MAX 64          /* memory accesses kept per instruction */
#define DCACHE_BITS 13      /* disassembly cache: 8192 entries */
#define OBUF_SIZE (1u << 20)

/* ---- the state compared between instructions ------------------------ */

enum { SYS_CR0, SYS_CR2, SYS_CR3, SYS_CR4, SYS_CR8, SYS_EFER, SYS_STAR, SYS_LSTAR,
       SYS_CSTAR, SYS_FMASK, SYS_KGSBASE, SYS_TSC_AUX, SYS_GDTR, SYS_IDTR, NSYS };

static const char *const sys_names[NSYS] = {
	"cr0", "cr2", "cr3", "cr4", "cr8", "IA32_EFER", "IA32_STAR", "IA32_LSTAR",
	"IA32_CSTAR", "IA32_FMASK", "IA32_KERNEL_GS_BASE", "IA32_TSC_AUX", "gdtr.base",
	"idtr.base",
};
static const char *const reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
/* Tenet's amd64 register order (its first line lists them all). */
static const unsigned char tenet_order[16] = {
	R_RAX, R_RBX, R_RCX, R_RDX, R_RBP, R_RSP, R_RSI, R_RDI,
	R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
static const char *const flag_bits[22] = {
	[0] = "CF", [2] = "PF", [4] = "AF", [6] = "ZF", [7] = "SF", [8] = "TF", [9] = "IF",
	[10] = "DF", [11] = "OF", [14] = "NT", [16] = "RF", [17] = "VM", [18] = "AC",
	[21] = "ID",
};

struct snap {
	uint64_t r[16];
	uint64_t rflags;
	/* from here on: state that rarely changes, compared as one block */
	struct seg seg[6];
	uint64_t sys[NSYS];
	int cpl;
	int pad;                 /* keeps the block free of unset bytes */
};
#define RARE_OFF offsetof(struct snap, seg)

static inline bool rare_same(const struct snap *a, const struct snap *b)
{
	return !memcmp((const char *)a + RARE_OFF, (const char *)b + RARE_OFF,
		       sizeof(struct snap) - RARE_OFF);
}

static void take(struct snap *s, struct cpu *c)
{
	memcpy(s->r, c->r, sizeof(s->r));
	s->rflags = flags_get(c);
	s->sys[SYS_CR0] = c->cr0;
	s->sys[SYS_CR2] = c->cr2;
	s->sys[SYS_CR3] = c->cr3;
	s->sys[SYS_CR4] = c->cr4;
	s->sys[SYS_CR8] = c->cr8;
	s->sys[SYS_EFER] = c->efer;
	s->sys[SYS_STAR] = c->star;
	s->sys[SYS_LSTAR] = c->lstar;
	s->sys[SYS_CSTAR] = c->cstar;
	s->sys[SYS_FMASK] = c->fmask;
	s->sys[SYS_KGSBASE] = c->kernel_gs_base;
	s->sys[SYS_TSC_AUX] = c->tsc_aux;
	s->sys[SYS_GDTR] = c->gdtr.base;
	s->sys[SYS_IDTR] = c->idtr.base;
	memcpy(s->seg, c->seg, sizeof(s->seg));
	s->cpl = c->cpl;
}

/* ---- output buffer ---------------------------------------------------- */

struct obuf {
	FILE *f;
	char *p;
	size_t len;
	int error;
};

static void ob_flush(struct obuf *o)
{
	if (o->len && fwrite(o->p, 1, o->len, o->f) != o->len)
		o->error = errno ? errno : EIO;
	o->len = 0;
}

/* Room for n more bytes. */
static inline char *ob_room(struct obuf *o, size_t n)
{
	if (unlikely(o->len + n > OBUF_SIZE))
		ob_flush(o);
	return o->p + o->len;
}

static inline void ob_mem(struct obuf *o, const char *s, size_t n)
{
	memcpy(ob_room(o, n), s, n);
	o->len += n;
}

static inline void ob_str(struct obuf *o, const char *s)
{
	ob_mem(o, s, strlen(s));
}

static inline void ob_ch(struct obuf *o, char ch)
{
	*ob_room(o, 1) = ch;
	o->len++;
}

static const char hexd[] = "0123456789abcdef";

/* 0x-prefixed minimal hex. */
/* "00".."ff", filled by trace_start(). */
static char hex2[512];

static void hex2_init(void)
{
	for (int k = 0; k < 256; k++) {
		hex2[2 * k] = hexd[k >> 4];
		hex2[2 * k + 1] = hexd[k & 15];
	}
}

/* 0x-prefixed minimal hex, two digits per step from the right. */
static inline void ob_hex(struct obuf *o, uint64_t v)
{
	char *d = ob_room(o, 20);
	d[0] = '0';
	d[1] = 'x';
	int n = v ? (64 - __builtin_clzll(v) + 3) / 4 : 1;
	char *e = d + 2 + n;
	while (e - d > 3) {
		e -= 2;
		memcpy(e, &hex2[2 * (v & 0xFF)], 2);
		v >>= 8;
	}
	if (e - d == 3)
		d[2] = hexd[v & 15];
	o->len += 2 + (size_t)n;
}

/* Bit k set when general register k differs. */
static inline unsigned reg_mask(const struct snap *a, const struct snap *b)
{
	unsigned m = 0;
	for (int k = 0; k < 16; k++)
		m |= (unsigned)(a->r[k] != b->r[k]) << k;
	return m;
}

static inline void ob_hex16(struct obuf *o, uint64_t v)
{
	char *d = ob_room(o, 16);
	for (int k = 14; k >= 0; k -= 2, v >>= 8)
		memcpy(d + k, &hex2[2 * (v & 0xFF)], 2);
	o->len += 16;
}

static inline void ob_dec(struct obuf *o, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	char *d = ob_room(o, (size_t)n);
	for (int k = 0; k < n; k++)
		d[k] = tmp[n - 1 - k];
	o->len += (size_t)n;
}

/* Little-endian bytes as hex in ascending address order (Tenet). */
static inline void ob_bytes_le(struct obuf *o, uint64_t v, unsigned size)
{
	char *d = ob_room(o, 2 * size);
	for (unsigned k = 0; k < size; k++, v >>= 8) {
		d[2 * k] = hexd[(v >> 4) & 15];
		d[2 * k + 1] = hexd[v & 15];
	}
	o->len += 2 * size;
}

/* ---- disassembly cache ------------------------------------------------ */

struct dent {
	const struct insn *ip;
	uint64_t rip;
	struct insn key;
	uint8_t symlen, byteslen, asmlen;
	uint16_t pre_len;      /* length of pre[] */
	char sym[80];
	char bytes[48];
	char text[112];
	/* The line's fixed middle, ready to copy: text: " sym  bytes  asm  |",
	 * jsonl: ',"sym":"...","bytes":"...","asm":"..."'.  Sized in 32-byte
	 * steps: copy_chunks() may copy up to 31 bytes past pre_len. */
	char pre[288] __attribute__((aligned(32)));
};

/* Copy n bytes in 32-byte steps (fixed-size copies compile to vector
 * moves; both sides have the slack). */
static inline void copy_chunks(char *d, const char *src, size_t n)
{
	for (size_t k = 0; k < n; k += 32)
		memcpy(d + k, src + k, 32);
}

struct memrec {
	uint64_t la, v;
	unsigned size;
	int write;
};

struct trace_session {
	struct machine *m;
	struct cpu *c;
	struct trace_opts o;
	struct cpu_hooks hooks;
	/* trace */
	bool tracing;
	struct obuf out, side;
	bool own_out, own_side;
	struct snap snaps[2];
	struct snap *prev, *cur;    /* state after the previous instruction, and now */
	struct memrec mem[MEM_MAX];
	unsigned nmem, mem_dropped;
	struct dent *dcache;
	ZydisDecoder dec;
	ZydisFormatter fmt;
	uint64_t lines;            /* trace lines written (Tenet line numbers) */
	uint64_t tenet_last[16];   /* registers (ModRM order) as of the last Tenet line */
	bool tenet_started;
	/* filters */
	bool has_from, has_to, window;
	uint64_t from, to;
	bool in_syscall;
	/* strace and stats */
	struct strace *st;
	FILE *st_file;
	struct stats *stats;
	int cpl;                   /* CPL after the last instruction */
	uint64_t user_since;       /* icount when CPL 3 was entered */
};

static bool read_code(struct cpu *c, uint64_t la, uint8_t *buf, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;
		if (!mmu_probe(c, la + k, ACC_READ | ACC_SYS, &pa))
			return false;
		buf[k] = (uint8_t)phys_read(c->m, pa, 1);
	}
	return true;
}

static void fill_dent(struct trace_session *s, struct dent *e, const struct insn *i, uint64_t rip)
{
	struct cpu *c = s->c;
	e->ip = i;
	e->rip = rip;
	memcpy(&e->key, i, sizeof(*i));
	uint64_t off;
	const char *nm = sym_lookup(s->m->syms, rip, &off);
	if (nm && off)
		snprintf(e->sym, sizeof(e->sym), "%s+0x%" PRIx64, nm, off);
	else if (nm)
		snprintf(e->sym, sizeof(e->sym), "%s", nm);
	else
		e->sym[0] = 0;
	uint8_t raw[16];
	unsigned n = i->len <= 15 ? i->len : 15;
	e->bytes[0] = 0;
	snprintf(e->text, sizeof(e->text), "(unreadable)");
	if (read_code(c, rip, raw, n)) {
		char *b = e->bytes;
		for (unsigned k = 0; k < n; k++) {
			*b++ = hexd[raw[k] >> 4];
			*b++ = hexd[raw[k] & 15];
			if (k + 1 < n)
				*b++ = ' ';
		}
		*b = 0;
		ZydisDecodedInstruction di;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&s->dec, raw, n, &di, ops)))
			ZydisFormatterFormatInstruction(&s->fmt, &di, ops, di.operand_count_visible,
							e->text, sizeof(e->text), rip, NULL);
	}
	/* JSON-safe: names and Zydis text never hold quotes, but be sure. */
	for (char *p = e->sym; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '?';
	e->symlen = (uint8_t)strlen(e->sym);
	e->byteslen = (uint8_t)strlen(e->bytes);
	e->asmlen = (uint8_t)strlen(e->text);
	int n2;
	if (s->o.format == TRACE_JSONL)
		n2 = snprintf(e->pre, sizeof(e->pre) - 32, ",\"sym\":\"%s\",\"bytes\":\"%s\",\"asm\":\"%s\"",
			      e->sym, e->bytes, e->text);
	else
		n2 = snprintf(e->pre, sizeof(e->pre) - 32, " %-35s %-29s %-31s |", e->sym, e->bytes,
			      e->text);
	e->pre_len = (uint16_t)(n2 < 0 ? 0 : n2 < (int)sizeof(e->pre) - 32 ? n2 : (int)sizeof(e->pre) - 33);
}

static const struct dent *lookup(struct trace_session *s, const struct insn *i, uint64_t rip)
{
	struct dent *e = &s->dcache[(rip ^ (rip >> DCACHE_BITS)) & ((1u << DCACHE_BITS) - 1)];
	if (e->rip != rip || e->ip != i || memcmp(&e->key, i, sizeof(*i)))
		fill_dent(s, e, i, rip);
	return e;
}

/* ---- filters ---------------------------------------------------------- */

/* Whether an instruction (or exception) at rip, at CPL cpl, is traced.
 * The from/to window and the syscall window are updated by the caller. */
static bool wanted(struct trace_session *s, uint64_t rip, int cpl)
{
	if (s->o.cpl == TRACE_CPL_USER && cpl != 3)
		return false;
	if (s->o.cpl == TRACE_CPL_KERNEL && cpl == 3)
		return false;
	if (s->o.has_range && (rip < s->o.range_lo || rip >= s->o.range_hi))
		return false;
	if (s->has_from && !s->window)
		return false;
	if (s->o.syscalls_only && !s->in_syscall)
		return false;
	return true;
}

/* ---- JSON pieces (JSON Lines records and the Tenet side-car) ---------- */

static void js_hexstr(struct obuf *o, uint64_t v)
{
	ob_ch(o, '"');
	ob_hex(o, v);
	ob_ch(o, '"');
}

static void js_pair(struct obuf *o, uint64_t a, uint64_t b)
{
	ob_ch(o, '[');
	js_hexstr(o, a);
	ob_ch(o, ',');
	js_hexstr(o, b);
	ob_ch(o, ']');
}

/* "regs", "rflags", "cpl", "seg", "sys" members for what changed from a
 * to b; regs only when with_regs.  Returns whether anything was written. */
static bool js_changes(struct obuf *o, const struct snap *a, const struct snap *b, bool with_regs)
{
	bool any = false;
	if (with_regs) {
		bool first = true;
		for (unsigned m = reg_mask(a, b); m; m &= m - 1) {
			int k = __builtin_ctz(m);
			ob_str(o, first ? ",\"regs\":{\"" : ",\"");
			ob_str(o, reg_names[k]);
			ob_str(o, "\":");
			js_pair(o, a->r[k], b->r[k]);
			first = false;
		}
		if (!first) {
			ob_ch(o, '}');
			any = true;
		}
	}
	if (a->rflags != b->rflags) {
		ob_str(o, ",\"rflags\":");
		js_pair(o, a->rflags, b->rflags);
		any = true;
	}
	if (rare_same(a, b))
		return any;
	if (a->cpl != b->cpl) {
		/* JSON Lines records already have "cpl" (the CPL the
		 * instruction ran at): the change gets its own key there. */
		ob_str(o, with_regs ? ",\"cpl_change\":[" : ",\"cpl\":[");
		ob_dec(o, (uint64_t)a->cpl);
		ob_ch(o, ',');
		ob_dec(o, (uint64_t)b->cpl);
		ob_ch(o, ']');
		any = true;
	}
	if (memcmp(a->seg, b->seg, sizeof(a->seg))) {
		bool first = true;
		for (int k = 0; k < 6; k++) {
			const struct seg *x = &a->seg[k], *y = &b->seg[k];
			if (!memcmp(x, y, sizeof(*x)))
				continue;
			ob_str(o, first ? ",\"seg\":{\"" : ",\"");
			ob_str(o, seg_names[k]);
			ob_str(o, "\":{\"sel\":");
			js_pair(o, x->sel, y->sel);
			ob_str(o, ",\"base\":");
			js_pair(o, x->base, y->base);
			ob_str(o, ",\"limit\":");
			js_pair(o, x->limit, y->limit);
			ob_str(o, ",\"attr\":");
			js_pair(o, x->attr, y->attr);
			ob_ch(o, '}');
			first = false;
		}
		ob_ch(o, '}');
		any = true;
	}
	if (memcmp(a->sys, b->sys, sizeof(a->sys))) {
		bool first = true;
		for (int k = 0; k < NSYS; k++) {
			if (a->sys[k] == b->sys[k])
				continue;
			ob_str(o, first ? ",\"sys\":{\"" : ",\"");
			ob_str(o, sys_names[k]);
			ob_str(o, "\":");
			js_pair(o, a->sys[k], b->sys[k]);
			first = false;
		}
		ob_ch(o, '}');
		any = true;
	}
	return any;
}

static void js_mem(struct trace_session *s, struct obuf *o)
{
	if (!s->nmem)
		return;
	ob_str(o, ",\"mem\":[");
	for (unsigned k = 0; k < s->nmem; k++) {
		const struct memrec *r = &s->mem[k];
		ob_str(o, k ? ",{\"op\":\"" : "{\"op\":\"");
		ob_ch(o, r->write ? 'w' : 'r');
		ob_str(o, "\",\"addr\":");
		js_hexstr(o, r->la);
		ob_str(o, ",\"size\":");
		ob_dec(o, r->size);
		ob_str(o, ",\"value\":");
		js_hexstr(o, r->v);
		ob_ch(o, '}');
	}
	ob_ch(o, ']');
	if (s->mem_dropped) {
		ob_str(o, ",\"mem_dropped\":");
		ob_dec(o, s->mem_dropped);
	}
}

/* ---- text ------------------------------------------------------------- */

static inline void tx_change_n(struct obuf *o, const char *name, size_t nl, uint64_t a, uint64_t b)
{
	char *d = ob_room(o, nl + 2);
	d[0] = ' ';
	memcpy(d + 1, name, nl);
	d[nl + 1] = '=';
	o->len += nl + 2;
	ob_hex(o, a);
	ob_mem(o, "\xe2\x86\x92", 3);  /* → */
	ob_hex(o, b);
}

static void tx_change(struct obuf *o, const char *name, uint64_t a, uint64_t b)
{
	tx_change_n(o, name, strlen(name), a, b);
}

static void tx_changes(struct obuf *o, const struct snap *a, const struct snap *b)
{
	for (unsigned m = reg_mask(a, b); m; m &= m - 1) {
		int k = __builtin_ctz(m);
		tx_change_n(o, reg_names[k], reg_names[k][2] ? 3 : 2, a->r[k], b->r[k]);
	}
	if (a->rflags != b->rflags) {
		tx_change(o, "rflags", a->rflags, b->rflags);
		uint64_t d = a->rflags ^ b->rflags;
		for (int k = 0; k < 22; k++) {
			if (!(d & (1ULL << k)) || !flag_bits[k])
				continue;
			ob_ch(o, ' ');
			ob_ch(o, (b->rflags >> k) & 1 ? '+' : '-');
			ob_str(o, flag_bits[k]);
		}
	}
	if (rare_same(a, b))
		return;
	if (a->cpl != b->cpl) {
		ob_str(o, " cpl=");
		ob_dec(o, (uint64_t)a->cpl);
		ob_str(o, "\xe2\x86\x92");
		ob_dec(o, (uint64_t)b->cpl);
	}
	for (int k = 0; k < 6; k++) {
		const struct seg *x = &a->seg[k], *y = &b->seg[k];
		char nm[16];
		if (x->sel != y->sel)
			tx_change(o, seg_names[k], x->sel, y->sel);
		if (x->base != y->base) {
			snprintf(nm, sizeof(nm), "%s.base", seg_names[k]);
			tx_change(o, nm, x->base, y->base);
		}
		if (x->attr != y->attr) {
			snprintf(nm, sizeof(nm), "%s.attr", seg_names[k]);
			tx_change(o, nm, x->attr, y->attr);
		}
		if (x->limit != y->limit) {
			snprintf(nm, sizeof(nm), "%s.limit", seg_names[k]);
			tx_change(o, nm, x->limit, y->limit);
		}
	}
	for (int k = 0; k < NSYS; k++)
		if (a->sys[k] != b->sys[k])
			tx_change(o, sys_names[k], a->sys[k], b->sys[k]);
}

static void tx_mem(struct trace_session *s, struct obuf *o)
{
	for (unsigned k = 0; k < s->nmem; k++) {
		const struct memrec *r = &s->mem[k];
		ob_str(o, r->write ? " W " : " R ");
		ob_hex(o, r->la);
		ob_ch(o, ':');
		ob_dec(o, r->size);
		ob_ch(o, '=');
		ob_hex(o, r->v);
	}
	if (s->mem_dropped) {
		ob_str(o, " (+");
		ob_dec(o, s->mem_dropped);
		ob_str(o, " more accesses)");
	}
}

/* ---- one instruction -------------------------------------------------- */

static void emit_text(struct trace_session *s, const struct insn *i, uint64_t rip, uint64_t seq)
{
	struct obuf *o = &s->out;
	const struct dent *e = lookup(s, i, rip);
	char *d = ob_room(o, 12);
	memset(d, ' ', 12);
	uint64_t v = seq;
	int k = 9;
	do {
		d[k--] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k >= 0);
	d[11] = (char)('0' + s->prev->cpl);
	o->len += 12;
	ob_ch(o, ' ');
	ob_hex16(o, rip);
	copy_chunks(ob_room(o, e->pre_len + 32u), e->pre, e->pre_len);
	o->len += e->pre_len;
	tx_changes(o, s->prev, s->cur);
	tx_mem(s, o);
	ob_ch(o, '\n');
}

static void emit_jsonl(struct trace_session *s, const struct insn *i, uint64_t rip, uint64_t seq)
{
	struct obuf *o = &s->out;
	const struct dent *e = lookup(s, i, rip);
	ob_str(o, "{\"seq\":");
	ob_dec(o, seq);
	ob_str(o, ",\"cpl\":");
	ob_dec(o, (uint64_t)s->prev->cpl);
	ob_str(o, ",\"rip\":");
	js_hexstr(o, rip);
	copy_chunks(ob_room(o, e->pre_len + 32u), e->pre, e->pre_len);
	o->len += e->pre_len;
	js_changes(o, s->prev, s->cur, true);
	js_mem(s, o);
	ob_str(o, "}\n");
}

static void emit_tenet(struct trace_session *s, uint64_t rip, uint64_t seq, unsigned events)
{
	struct obuf *o = &s->out;
	static const char *const tnames[17] = {
		"rax", "rbx", "rcx", "rdx", "rbp", "rsp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
	};
	/* The registers as they were before this instruction, compared
	 * with the last line: what the previous instruction changed. */
	const struct snap *p = s->prev;
	if (unlikely(!s->tenet_started)) {
		for (int k = 0; k < 16; k++) {
			ob_str(o, tnames[k]);
			ob_ch(o, '=');
			ob_hex(o, p->r[tenet_order[k]]);
			ob_ch(o, ',');
		}
	} else {
		unsigned m = 0;
		for (int k = 0; k < 16; k++)
			m |= (unsigned)(p->r[k] != s->tenet_last[k]) << k;
		for (; m; m &= m - 1) {
			int k = __builtin_ctz(m);
			ob_str(o, reg_names[k]);
			ob_ch(o, '=');
			ob_hex(o, p->r[k]);
			ob_ch(o, ',');
		}
	}
	memcpy(s->tenet_last, p->r, sizeof(p->r));
	ob_str(o, "rip=");
	ob_hex(o, rip);
	s->tenet_started = true;
	for (unsigned k = 0; k < s->nmem; k++) {
		const struct memrec *r = &s->mem[k];
		ob_str(o, r->write ? ",mw=" : ",mr=");
		ob_hex(o, r->la);
		ob_ch(o, ':');
		ob_bytes_le(o, r->v, r->size);
	}
	ob_ch(o, '\n');
	s->lines++;
	/* What Tenet cannot hold goes to the side-car, keyed by line. */
	bool side = s->prev->rflags != s->cur->rflags || !rare_same(s->prev, s->cur) ||
		    (events & (EV_SYSCALL | EV_SYSRET | EV_IRET)) || s->mem_dropped;
	if (!side)
		return;
	struct obuf *sc = &s->side;
	ob_str(sc, "{\"line\":");
	ob_dec(sc, s->lines);
	if (!(events & (EV_SYSCALL | EV_SYSRET | EV_IRET)) && !s->mem_dropped &&
	    rare_same(s->prev, s->cur)) {
		/* The common case, kept short: only RFLAGS changed (no "seq":
		 * the line number says which instruction). */
		ob_str(sc, ",\"rflags\":");
		js_pair(sc, s->prev->rflags, s->cur->rflags);
		ob_str(sc, "}\n");
		return;
	}
	ob_str(sc, ",\"seq\":");
	ob_dec(sc, seq);
	js_changes(sc, s->prev, s->cur, false);
	if (events & EV_SYSCALL) {
		ob_str(sc, ",\"syscall\":{\"nr\":");
		ob_dec(sc, s->cur->r[R_RAX]);
		const char *nm = syscall_name(s->cur->r[R_RAX]);
		if (nm) {
			ob_str(sc, ",\"name\":\"");
			ob_str(sc, nm);
			ob_ch(sc, '"');
		}
		ob_ch(sc, '}');
	}
	if ((events & (EV_SYSRET | EV_IRET)) && s->cur->cpl == 3) {
		ob_str(sc, ",\"return\":");
		js_hexstr(sc, s->cur->r[R_RAX]);
	}
	if (s->mem_dropped) {
		ob_str(sc, ",\"mem_dropped\":");
		ob_dec(sc, s->mem_dropped);
	}
	ob_str(sc, "}\n");
}

static void trace_insn(struct trace_session *s, struct cpu *c, const struct insn *i,
		       uint64_t rip, unsigned events)
{
	take(s->cur, c);
	uint64_t seq = c->icount - 1;
	int cpl = s->prev->cpl;
	if (s->has_from && rip == s->from)
		s->window = true;
	if (events & EV_SYSCALL)
		s->in_syscall = true;
	if (wanted(s, rip, cpl)) {
		switch (s->o.format) {
		case TRACE_TEXT: emit_text(s, i, rip, seq); break;
		case TRACE_JSONL: emit_jsonl(s, i, rip, seq); break;
		case TRACE_TENET: emit_tenet(s, rip, seq, events); break;
		}
	}
	if ((events & (EV_SYSRET | EV_IRET)) && c->cpl == 3)
		s->in_syscall = false;
	if (s->has_to && rip == s->to)
		s->window = false;
	s->nmem = 0;
	s->mem_dropped = 0;
	{ struct snap *t = s->prev; s->prev = s->cur; s->cur = t; }
}

/* ---- exceptions ------------------------------------------------------- */

/* The frame the CPU just pushed, at the new RSP: [error,] RIP, CS,
 * RFLAGS, RSP, SS.  Returns the number of slots, 0 if unreadable. */
static unsigned read_frame(struct cpu *c, uint64_t frame[6])
{
	unsigned n = c->last_has_error ? 6 : 5;
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;
		if (!mmu_probe(c, c->r[R_RSP] + 8 * k, ACC_READ | ACC_SYS, &pa))
			return 0;
		frame[k] = phys_read(c->m, pa, 8);
	}
	return n;
}

/*
 * An exception line.  in_insn: delivered inside an instruction that
 * retired (INT n, INT3, INTO -- soft -- or a fault the instruction raised
 * after completing, like AMD's SYSRET to a non-canonical RIP); then the
 * RIP and CPL it was raised at are the ones in the frame.
 */
static void trace_exception(struct trace_session *s, struct cpu *c, int vector, uint32_t err,
			    uint64_t rip, int cpl, bool soft, bool in_insn)
{
	take(s->cur, c);
	bool has_err = c->last_has_error;
	uint64_t frame[6];
	unsigned n = read_frame(c, frame);
	bool ok = n != 0;
	if (ok && in_insn) {
		rip = frame[has_err ? 1 : 0];
		cpl = (int)(frame[has_err ? 2 : 1] & 3);
	}
	if (wanted(s, rip, cpl) || (s->o.syscalls_only && s->in_syscall)) {
		static const char *const fnames[6] = { "error", "rip", "cs", "rflags", "rsp", "ss" };
		const char *const *fn = has_err ? fnames : fnames + 1;
		struct obuf *o = s->o.format == TRACE_TENET ? &s->side : &s->out;
		uint64_t seq = c->icount;
		if (s->o.format == TRACE_TEXT) {
			uint64_t off;
			const char *nm = sym_lookup(s->m->syms, c->rip, &off);
			char line[256];
			snprintf(line, sizeof(line), "%10" PRIu64 " %d ---- %s vector %d%s", seq, cpl,
				 vector < 32 ? exc_name(vector) : "INT", vector,
				 soft ? " (software INT)" : in_insn ? " (raised by the instruction)" : "");
			ob_str(o, line);
			if (has_err) {
				ob_str(o, " error=");
				ob_hex(o, err);
			}
			ob_str(o, " at ");
			ob_hex(o, rip);
			if (vector == EXC_PF) {
				ob_str(o, " cr2=");
				ob_hex(o, c->cr2);
			}
			ob_str(o, " -> ");
			ob_hex(o, c->rip);
			if (nm) {
				snprintf(line, sizeof(line), " <%s+0x%" PRIx64 ">", nm, off);
				ob_str(o, line);
			}
			ob_str(o, " frame@");
			ob_hex(o, c->r[R_RSP]);
			ob_ch(o, ':');
			for (unsigned k = 0; k < n && ok; k++) {
				ob_ch(o, ' ');
				ob_str(o, fn[k]);
				ob_ch(o, '=');
				ob_hex(o, frame[k]);
			}
			ob_str(o, " |");
			tx_changes(o, s->prev, s->cur);
			ob_ch(o, '\n');
		} else {
			if (s->o.format == TRACE_TENET) {
				ob_str(o, "{\"line\":");
				ob_dec(o, s->lines + 1);
				ob_ch(o, ',');
			} else {
				ob_ch(o, '{');
			}
			ob_str(o, "\"seq\":");
			ob_dec(o, seq);
			ob_str(o, ",\"event\":\"exception\",\"vector\":");
			ob_dec(o, (uint64_t)vector);
			ob_str(o, ",\"name\":\"");
			ob_str(o, vector < 32 ? exc_name(vector) : "INT");
			ob_str(o, "\",\"soft\":");
			ob_str(o, soft ? "true" : "false");
			if (has_err) {
				ob_str(o, ",\"error\":");
				js_hexstr(o, err);
			}
			ob_str(o, ",\"at\":");
			js_hexstr(o, rip);
			if (vector == EXC_PF) {
				ob_str(o, ",\"cr2\":");
				js_hexstr(o, c->cr2);
			}
			ob_str(o, ",\"handler\":");
			js_hexstr(o, c->rip);
			if (ok) {
				ob_str(o, ",\"frame\":{");
				for (unsigned k = 0; k < n; k++) {
					ob_str(o, k ? ",\"" : "\"");
					ob_str(o, fn[k]);
					ob_str(o, "\":");
					js_hexstr(o, frame[k]);
				}
				ob_ch(o, '}');
			}
			js_changes(o, s->prev, s->cur, s->o.format == TRACE_JSONL);
			ob_str(o, "}\n");
		}
	}
	s->nmem = 0;
	s->mem_dropped = 0;
	{ struct snap *t = s->prev; s->prev = s->cur; s->cur = t; }
}

/* ---- hooks ------------------------------------------------------------ */

static void on_mem(void *ctx, struct cpu *c, uint64_t la, unsigned size, uint64_t v, int write)
{
	(void)c;
	struct trace_session *s = ctx;
	if (likely(s->nmem < MEM_MAX))
		s->mem[s->nmem++] = (struct memrec){ la, v, size > 8 ? 8 : size, write };
	else
		s->mem_dropped++;
}

/* Account the instructions run at the CPL that just ended. */
static void cpl_changed(struct trace_session *s, struct cpu *c)
{
	if (s->stats)
		stats_cpl(s->stats, s->cpl, c->icount);
	if (s->st && s->cpl == 3)
		strace_user_insns(s->st, c->icount - s->user_since);
	if (c->cpl == 3)
		s->user_since = c->icount;
	s->cpl = c->cpl;
}

static void on_after(void *ctx, struct cpu *c, const struct insn *i)
{
	struct trace_session *s = ctx;
	unsigned ev = c->event;
	if (unlikely(ev)) {
		if ((ev & EV_SYSCALL) && s->st)
			strace_enter(s->st, c);
		if ((ev & EV_SYSCALL) && s->stats)
			stats_syscall_enter(s->stats, (uint32_t)c->r[R_RAX], c->icount);
		if ((ev & (EV_SYSRET | EV_IRET)) && c->cpl == 3) {
			if (s->st)
				strace_exit(s->st, c);
			if (s->stats)
				stats_syscall_exit(s->stats, c->icount);
		}
	}
	if (unlikely(c->cpl != s->cpl))
		cpl_changed(s, c);
	if (s->tracing)
		trace_insn(s, c, i, i->next_rip - i->len, ev);
	if (unlikely(ev & EV_EXCEPTION)) {
		/* INT n / INT3 / INTO delivered inside the instruction. */
		if (s->stats)
			stats_exception(s->stats, c->last_vector);
		bool soft = i->mnem == ZYDIS_MNEMONIC_INT || i->mnem == ZYDIS_MNEMONIC_INT3 ||
			    i->mnem == ZYDIS_MNEMONIC_INTO || i->mnem == ZYDIS_MNEMONIC_INT1;
		if (s->st && !soft) {
			/* A fault raised at CPL 3 inside the instruction (the
			 * frame's CS says where): the kernel may kill for it. */
			uint64_t frame[6];
			unsigned n = read_frame(c, frame);
			if (n && (frame[n == 6 ? 2 : 1] & 3) == 3)
				strace_user_fault(s->st, c, c->last_vector, c->last_error,
						  frame[n == 6 ? 1 : 0]);
		}
		if (s->tracing)
			trace_exception(s, c, c->last_vector, c->last_error, i->next_rip - i->len,
					0, soft, true);
	}
}

static void on_exception(void *ctx, struct cpu *c, int vector, uint32_t err, uint64_t rip)
{
	struct trace_session *s = ctx;
	if (s->stats)
		stats_exception(s->stats, vector);
	if (s->st && s->cpl == 3)
		strace_user_fault(s->st, c, vector, err, rip);
	if (c->cpl != s->cpl)
		cpl_changed(s, c);
	if (s->tracing)
		trace_exception(s, c, vector, err, rip, s->prev->cpl, false, false);
}

/* ---- options ------------------------------------------------------------ */

const char trace_usage[] = TRACE_USAGE;

void trace_opts_init(struct trace_opts *t)
{
	memset(t, 0, sizeof(*t));
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **v,
		     char *err, size_t errlen)
{
	const char *a = argv[*i];
	size_t l = strlen(name);
	if (a[l] == '=') {
		*v = a + l + 1;
	} else if (*i + 1 < argc) {
		*v = argv[++*i];
	} else {
		snprintf(err, errlen, "option %s needs a value", name);
		return -1;
	}
	return 1;
}

static bool is_named(const char *a, const char *name)
{
	size_t l = strlen(name);
	return !strncmp(a, name, l) && (a[l] == 0 || a[l] == '=');
}

static bool parse_addr(const char *v, uint64_t *out)
{
	if (!*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

int trace_parse_opt(struct trace_opts *t, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *a = argv[*i], *v;
	if (!strcmp(a, "--trace")) {
		t->trace = true;
		t->trace_file = NULL;
		return 1;
	}
	if (!strncmp(a, "--trace=", 8)) {
		if (!a[8]) {
			snprintf(err, errlen, "--trace= needs a file name");
			return -1;
		}
		t->trace = true;
		t->trace_file = a + 8;
		return 1;
	}
	if (is_named(a, "--trace-format")) {
		if (opt_value(argc, argv, i, "--trace-format", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "text"))
			t->format = TRACE_TEXT;
		else if (!strcmp(v, "jsonl"))
			t->format = TRACE_JSONL;
		else if (!strcmp(v, "tenet"))
			t->format = TRACE_TENET;
		else {
			snprintf(err, errlen, "invalid --trace-format '%s' (expected text, jsonl or tenet)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--syntax")) {
		if (opt_value(argc, argv, i, "--syntax", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "intel"))
			t->att = false;
		else if (!strcmp(v, "att"))
			t->att = true;
		else {
			snprintf(err, errlen, "invalid --syntax '%s' (expected intel or att)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--trace-cpl")) {
		if (opt_value(argc, argv, i, "--trace-cpl", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "user"))
			t->cpl = TRACE_CPL_USER;
		else if (!strcmp(v, "kernel"))
			t->cpl = TRACE_CPL_KERNEL;
		else if (!strcmp(v, "all"))
			t->cpl = TRACE_CPL_ALL;
		else {
			snprintf(err, errlen, "invalid --trace-cpl '%s' (expected user, kernel or all)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--trace-from") || is_named(a, "--trace-to")) {
		bool from = is_named(a, "--trace-from");
		const char *name = from ? "--trace-from" : "--trace-to";
		if (opt_value(argc, argv, i, name, &v, err, errlen) < 0)
			return -1;
		if (!*v) {
			snprintf(err, errlen, "%s needs a symbol or an address", name);
			return -1;
		}
		*(from ? &t->from : &t->to) = v;
		return 1;
	}
	if (is_named(a, "--trace-range")) {
		if (opt_value(argc, argv, i, "--trace-range", &v, err, errlen) < 0)
			return -1;
		char lo[64];
		const char *dash = strchr(v, '-');
		size_t n = dash ? (size_t)(dash - v) : 0;
		if (!dash || n >= sizeof(lo) || (memcpy(lo, v, n), lo[n] = 0, false) ||
		    !parse_addr(lo, &t->range_lo) || !parse_addr(dash + 1, &t->range_hi) ||
		    t->range_hi <= t->range_lo) {
			snprintf(err, errlen, "invalid --trace-range '%s' (expected LO-HI, e.g. 0x401000-0x402000)", v);
			return -1;
		}
		t->has_range = true;
		return 1;
	}
	if (!strcmp(a, "--trace-syscalls")) {
		t->syscalls_only = true;
		return 1;
	}
	if (!strcmp(a, "--strace")) {
		t->strace = STRACE_ON;
		return 1;
	}
	if (!strncmp(a, "--strace=", 9)) {
		if (!strcmp(a + 9, "summary"))
			t->strace = STRACE_SUMMARY;
		else if (!strcmp(a + 9, "full"))
			t->strace = STRACE_ON;
		else {
			snprintf(err, errlen, "invalid --strace value '%s' (expected summary)", a + 9);
			return -1;
		}
		return 1;
	}
	if (!strcmp(a, "--strace-icount")) {
		t->strace_icount = true;
		if (t->strace == STRACE_OFF)
			t->strace = STRACE_ON;
		return 1;
	}
	if (is_named(a, "--strace-output")) {
		if (opt_value(argc, argv, i, "--strace-output", &v, err, errlen) < 0)
			return -1;
		if (!*v) {
			snprintf(err, errlen, "--strace-output needs a file name");
			return -1;
		}
		t->strace_file = v;
		if (t->strace == STRACE_OFF)
			t->strace = STRACE_ON;
		return 1;
	}
	return 0;
}

bool trace_opts_check(const struct trace_opts *t, char *err, size_t errlen)
{
	bool filters = t->cpl != TRACE_CPL_ALL || t->from || t->to || t->has_range || t->syscalls_only ||
		       t->format != TRACE_TEXT || t->att;
	if (filters && !t->trace) {
		snprintf(err, errlen, "the --trace-* options and --syntax need --trace");
		return false;
	}
	if (t->trace && t->format == TRACE_TENET && !t->trace_file) {
		snprintf(err, errlen, "--trace-format tenet needs --trace=FILE (the side-car is FILE.side.jsonl)");
		return false;
	}
	return true;
}

bool trace_opts_active(const struct trace_opts *t)
{
	return t->trace || t->strace != STRACE_OFF || t->stats;
}

/* ---- session ------------------------------------------------------------ */

static bool resolve(struct machine *m, const char *v, uint64_t *addr)
{
	if (parse_addr(v, addr))
		return true;
	char name[256];
	snprintf(name, sizeof(name), "%s", v);
	uint64_t off = 0;
	char *plus = strchr(name, '+');
	if (plus) {
		*plus = 0;
		if (!parse_addr(plus + 1, &off))
			return false;
	}
	if (!m->syms || !sym_find(m->syms, name, addr))
		return false;
	*addr += off;
	return true;
}

static FILE *open_out(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
	return f;
}

struct trace_session *trace_start(struct machine *m, const struct trace_opts *t,
				  char *err, size_t errlen)
{
	struct trace_session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory for the trace");
		return NULL;
	}
	s->m = m;
	s->c = &m->cpu;
	hex2_init();
	s->o = *t;
	s->cpl = m->cpu.cpl;
	if (t->from && !(s->has_from = resolve(m, t->from, &s->from))) {
		snprintf(err, errlen, "--trace-from %s: no such symbol or address", t->from);
		goto fail;
	}
	if (t->to && !(s->has_to = resolve(m, t->to, &s->to))) {
		snprintf(err, errlen, "--trace-to %s: no such symbol or address", t->to);
		goto fail;
	}
	if (t->trace) {
		s->tracing = true;
		s->out.p = malloc(OBUF_SIZE);
		s->dcache = calloc(1u << DCACHE_BITS, sizeof(*s->dcache));
		if (!s->out.p || !s->dcache) {
			snprintf(err, errlen, "out of memory for the trace");
			goto fail;
		}
		if (t->trace_file) {
			if (!(s->out.f = open_out(t->trace_file, err, errlen)))
				goto fail;
			s->own_out = true;
		} else {
			s->out.f = stderr;
		}
		if (t->format == TRACE_TENET) {
			char path[4096];
			snprintf(path, sizeof(path), "%s.side.jsonl", t->trace_file);
			s->side.p = malloc(OBUF_SIZE);
			if (!s->side.p || !(s->side.f = open_out(path, err, errlen)))
				goto fail;
			s->own_side = true;
		}
		ZydisDecoderInit(&s->dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		ZydisFormatterInit(&s->fmt, t->att ? ZYDIS_FORMATTER_STYLE_ATT : ZYDIS_FORMATTER_STYLE_INTEL);
		ZydisFormatterSetProperty(&s->fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
		for (unsigned k = 0; k < (1u << DCACHE_BITS); k++)
			s->dcache[k].rip = ~0ULL;
		s->prev = &s->snaps[0];
		s->cur = &s->snaps[1];
		take(s->prev, &m->cpu);
		s->window = false;
	}
	if (t->strace != STRACE_OFF) {
		s->st_file = stderr;
		if (t->strace_file && !(s->st_file = open_out(t->strace_file, err, errlen)))
			goto fail;
		if (!(s->st = strace_new(s->st_file, t->strace == STRACE_SUMMARY, t->strace_icount))) {
			snprintf(err, errlen, "out of memory for --strace");
			goto fail;
		}
	}
	if (t->stats && !(s->stats = stats_new())) {
		snprintf(err, errlen, "out of memory for --stats");
		goto fail;
	}
	s->hooks.ctx = s;
	s->hooks.after = on_after;
	s->hooks.exception = on_exception;
	if (s->tracing)
		s->hooks.mem = on_mem;
	cpu_set_hooks(&m->cpu, &s->hooks);
	return s;
fail:
	trace_finish(s, -1);
	return NULL;
}

void trace_finish(struct trace_session *s, int status)
{
	if (!s)
		return;
	if (s->m && s->m->cpu.hooks == &s->hooks)
		cpu_set_hooks(&s->m->cpu, NULL);
	if (s->out.p && s->out.f) {
		ob_flush(&s->out);
		fflush(s->out.f);
		if (s->out.error && status >= 0)
			fprintf(stderr, "lstar: writing the trace failed: %s\n", strerror(s->out.error));
	}
	if (s->side.p && s->side.f)
		ob_flush(&s->side);
	if (s->st && status >= 0)
		strace_finish(s->st, status);
	if (s->stats && status >= 0)
		stats_print(s->stats, stderr, s->m->cpu.cpl, s->m->cpu.icount);
	if (s->own_out && s->out.f)
		fclose(s->out.f);
	if (s->own_side && s->side.f)
		fclose(s->side.f);
	if (s->st_file && s->st_file != stderr)
		fclose(s->st_file);
	strace_free(s->st);
	stats_free(s->stats);
	free(s->out.p);
	free(s->side.p);
	free(s->dcache);
	free(s);
}
