/*
 * trace_fmt.c - the trace's three formats (docs/trace.md): text, JSON
 * Lines, Tenet and its side-car; the disassembly cache and the exception
 * lines.  emu/trace/trace.c calls trace_insn() and trace_exception() from its
 * hooks.
 *
 * Speed (docs/trace.md, "Speed"): a line is written on a raw pointer into
 * room reserved once, by branch-free number writers (emu/trace/trace_int.h); the
 * symbol, bytes and Zydis text of an instruction are made once per decoded
 * instruction (lookup()) and copied as one piece; files are written by a
 * writer thread, with O_DIRECT where the file system takes it
 * (emu/trace/trace_out.c).
 *
 * Why the three formats share one file of about 1,000 lines: they share
 * the per-instruction cache (lookup()), the filters and the static inline
 * change writers on the hot path, which the compiler inlines only within
 * one translation unit.
 */
#define _GNU_SOURCE   /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "cpu/mmu.h"
#include "cpu/system.h"
#include "emu/machine.h"
#include "emu/trace/strace.h"
#include "emu/symbols.h"
#include "emu/trace/trace_int.h"

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

const char trace_hexd[16] = "0123456789abcdef";
char trace_hex2[512];

void trace_fmt_init(void)
{
	for (int k = 0; k < 256; k++) {
		trace_hex2[2 * k] = trace_hexd[k >> 4];
		trace_hex2[2 * k + 1] = trace_hexd[k & 15];
	}
}

static bool read_code(struct cpu *c, uint64_t la, uint8_t *buf, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;
		if (!mmu_probe(c, la + k, ACC_READ | ACC_SYS, &pa))
			return false;
		buf[k] = (uint8_t)phys_read(machine_of_cpu(c), pa, 1);
	}
	return true;
}

static void fill_dent(struct trace_session *s, struct dent *e, const struct insn *i, uint64_t rip)
{
	struct cpu *c = s->c;
	char sym[96], bytes[48], text[112];
	e->ip = i;
	e->rip = rip;
	uint64_t off;
	const char *nm = sym_lookup(s->m->syms, rip, &off);
	if (nm && off)
		snprintf(sym, sizeof(sym), "%s+0x%" PRIx64, nm, off);
	else if (nm)
		snprintf(sym, sizeof(sym), "%s", nm);
	else
		sym[0] = 0;
	uint8_t raw[16];
	unsigned n = i->len <= 15 ? i->len : 15;
	bytes[0] = 0;
	snprintf(text, sizeof(text), "(unreadable)");
	if (read_code(c, rip, raw, n)) {
		char *b = bytes;
		for (unsigned k = 0; k < n; k++) {
			*b++ = trace_hexd[raw[k] >> 4];
			*b++ = trace_hexd[raw[k] & 15];
			if (k + 1 < n)
				*b++ = ' ';
		}
		*b = 0;
		ZydisDecodedInstruction di;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&s->dec, raw, n, &di, ops)))
			ZydisFormatterFormatInstruction(&s->fmt, &di, ops, di.operand_count_visible,
							text, sizeof(text), rip, NULL);
	}
	/* JSON-safe: names and Zydis text never hold quotes, but be sure. */
	for (char *p = sym; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '?';
	int n2;
	if (s->o.format == TRACE_JSONL)
		n2 = snprintf(e->pre, sizeof(e->pre), ",\"sym\":\"%s\",\"bytes\":\"%s\",\"asm\":\"%s\"",
			      sym, bytes, text);
	else
		n2 = snprintf(e->pre, sizeof(e->pre), " %-24s %-20s %-24s |", sym, bytes, text);
	e->pre_len = (uint16_t)(n2 < 0 ? 0 : n2 < (int)sizeof(e->pre) ? n2 : (int)sizeof(e->pre) - 1);
}

/*
 * The cache: two ways per set, a set chosen by a multiplicative hash of
 * RIP (kernel and user code would otherwise share low address bits), the
 * way not used last replaced on a miss.  An entry is good for the struct
 * insn it was made from until the decode cache is next dropped
 * (cpu/decode.h, decode_flushes): a block re-decoded after its code changed
 * lives elsewhere in the arena.
 */
static const struct dent *lookup(struct trace_session *s, const struct insn *i, uint64_t rip)
{
	size_t set = (size_t)((rip * 0x9E3779B97F4A7C15ULL) >> (64 - DCACHE_SETS_BITS));
	struct dent *e = &s->dcache[2 * set];
	uint64_t gen = decode_flushes(s->c);
	if (likely(e[0].ip == i && e[0].rip == rip && e[0].gen == gen)) {
		s->dcache_mru[set] = 0;
		return &e[0];
	}
	if (likely(e[1].ip == i && e[1].rip == rip && e[1].gen == gen)) {
		s->dcache_mru[set] = 1;
		return &e[1];
	}
	unsigned way = s->dcache_mru[set] ^ 1;
	fill_dent(s, &e[way], i, rip);
	e[way].gen = gen;
	s->dcache_mru[set] = (uint8_t)way;
	return &e[way];
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

static bool js_rare_changes(struct obuf *o, const struct snap *a, const struct snap *b,
			    bool with_regs);

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
	return js_rare_changes(o, a, b, with_regs) || any;
}

/* The "cpl", "seg" and "sys" members; with_regs: a JSON Lines record. */
static bool js_rare_changes(struct obuf *o, const struct snap *a, const struct snap *b, bool with_regs)
{
	bool any = false;
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

/* ---- JSON Lines extras for `lstar view` (docs/trace.md) ----------------- */

/* ,"state":{...}: the whole state a, the one before the record. */
static void js_state(struct obuf *o, const struct snap *a)
{
	ob_str(o, ",\"state\":{\"regs\":{");
	for (int k = 0; k < 16; k++) {
		ob_str(o, k ? ",\"" : "\"");
		ob_str(o, reg_names[k]);
		ob_str(o, "\":");
		js_hexstr(o, a->r[k]);
	}
	ob_str(o, "},\"rflags\":");
	js_hexstr(o, a->rflags);
	ob_str(o, ",\"cpl\":");
	ob_dec(o, (uint64_t)a->cpl);
	ob_str(o, ",\"seg\":{");
	for (int k = 0; k < 6; k++) {
		ob_str(o, k ? ",\"" : "\"");
		ob_str(o, seg_names[k]);
		ob_str(o, "\":{\"sel\":");
		js_hexstr(o, a->seg[k].sel);
		ob_str(o, ",\"base\":");
		js_hexstr(o, a->seg[k].base);
		ob_str(o, ",\"limit\":");
		js_hexstr(o, a->seg[k].limit);
		ob_str(o, ",\"attr\":");
		js_hexstr(o, a->seg[k].attr);
		ob_ch(o, '}');
	}
	ob_str(o, "},\"sys\":{");
	for (int k = 0; k < NSYS; k++) {
		ob_str(o, k ? ",\"" : "\"");
		ob_str(o, sys_names[k]);
		ob_str(o, "\":");
		js_hexstr(o, a->sys[k]);
	}
	ob_str(o, "}}");
}

/* ,"strace":["line",...]: what the session's own strace view (with
 * --strace-icount's prefix) printed since the last record that took it. */
static void js_strace(struct trace_session *s, struct obuf *o)
{
	if (!s->vst_file || fflush(s->vst_file) != 0 || !s->vst_len)
		return;
	ob_str(o, ",\"strace\":[\"");
	for (size_t k = 0; k < s->vst_len; k++) {
		unsigned char ch = (unsigned char)s->vst_buf[k];
		if (ch == '\n') {
			ob_str(o, k + 1 < s->vst_len ? "\",\"" : "\"");
		} else if (ch == '"' || ch == '\\') {
			ob_ch(o, '\\');
			ob_ch(o, (char)ch);
		} else if (ch < 0x20 || ch >= 0x7f) {
			ob_str(o, "\\u00");
			ob_ch(o, trace_hexd[ch >> 4]);
			ob_ch(o, trace_hexd[ch & 15]);
		} else {
			ob_ch(o, (char)ch);
		}
	}
	if (s->vst_buf[s->vst_len - 1] != '\n')
		ob_ch(o, '"');
	ob_ch(o, ']');
	fseeko(s->vst_file, 0, SEEK_SET);   /* the next flush counts from 0 */
}

/*
 * The members a JSON Lines record gets for the viewer: "syscall" on a
 * SYSCALL, "strace" after the strace view printed, and "state" (the
 * whole state before the record) on the first record and on every record
 * that does not follow the previous one (a filter skipped instructions).
 * prev_ok: s->prev is the state before the record.
 */
static void js_extras(struct trace_session *s, struct obuf *o, unsigned events, uint64_t seq,
		      bool insn, bool prev_ok)
{
	if (insn && (events & EV_SYSCALL)) {
		ob_str(o, ",\"syscall\":{\"nr\":");
		ob_dec(o, s->cur->r[R_RAX]);
		const char *nm = syscall_name(s->cur->r[R_RAX]);
		if (nm) {
			ob_str(o, ",\"name\":\"");
			ob_str(o, nm);
			ob_ch(o, '"');
		}
		ob_ch(o, '}');
	}
	if (events & (EV_SYSCALL | EV_SYSRET | EV_IRET | EV_EXCEPTION))
		js_strace(s, o);
	if (seq != s->js_next && prev_ok)
		js_state(o, s->prev);
	s->js_next = insn ? seq + 1 : seq;
}

/* ---- tasks ------------------------------------------------------------ */

void trace_task_text(struct trace_session *s)
{
	if (!s->tasks_named) {   /* a kernel that does not say: no "tid" */
		s->tid_js_len = 0;
		s->task_full = false;
		return;
	}
	int n = snprintf(s->tid_js, sizeof(s->tid_js), ",\"tid\":%d", s->tid);
	s->tid_js_len = n > 0 && n < (int)sizeof(s->tid_js) ? (unsigned)n : 0;
	s->task_full = true;
}

/* The task's name, safe in JSON and on a line (the kernel copies 16
 * bytes of the program's name). */
static void task_comm(const struct trace_session *s, char out[16])
{
	memcpy(out, s->comm, 16);
	out[15] = 0;
	for (char *p = out; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* ,"tgid":N,"comm":"..." on the first JSON Lines record and when the task
 * changes ("tid" is on every record). */
static void js_task_full(struct trace_session *s, struct obuf *o)
{
	char comm[16], buf[96];
	task_comm(s, comm);
	if (comm[0])
		snprintf(buf, sizeof(buf), ",\"tgid\":%d,\"comm\":\"%s\"", s->tgid, comm);
	else   /* not named yet (before the kernel's first switch) */
		snprintf(buf, sizeof(buf), ",\"tgid\":%d", s->tgid);
	ob_str(o, buf);
	s->task_full = false;
}

/*
 * A traced line of another task than the last one: the text format says
 * so on a line of its own ("---- task 43 (cat)", with the sequence number
 * and CPL of the line that follows), the Tenet side-car in a record for
 * the line that follows.  JSON Lines records carry "tid" anyway.
 */
static void announce_task(struct trace_session *s, uint64_t seq, int cpl)
{
	s->task_shown = s->tid;
	char comm[16], line[160];
	task_comm(s, comm);
	if (s->o.format == TRACE_TEXT) {
		int n = snprintf(line, sizeof(line), "%10" PRIu64 " %d ---- task %d", seq, cpl, s->tid);
		if (comm[0])
			n += snprintf(line + n, sizeof(line) - (size_t)n, " (%s)", comm);
		if (s->tid != s->tgid)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " in process %d", s->tgid);
		snprintf(line + n, sizeof(line) - (size_t)n, "\n");
		ob_str(&s->out, line);
	} else if (s->o.format == TRACE_TENET) {
		snprintf(line, sizeof(line),
			 "{\"line\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"tid\":%d,\"tgid\":%d,\"comm\":\"%s\"}\n",
			 s->lines + 1, seq, s->tid, s->tgid, comm);
		ob_str(&s->side, line);
	}
}

/* ---- text ------------------------------------------------------------- */

/* Length of a general register's name: r8 and r9 have two letters. */
static inline size_t reg_len(int k)
{
	return k == R_R8 || k == R_R9 ? 2 : 3;
}

/* " rax=" and friends, padded to 8 bytes so that they copy as one word. */
static const char reg_eq[16][8] = {
	" rax=", " rcx=", " rdx=", " rbx=", " rsp=", " rbp=", " rsi=", " rdi=",
	" r8=", " r9=", " r10=", " r11=", " r12=", " r13=", " r14=", " r15=",
};

/* " NAME=0xOLD→0xNEW" */
static inline char *put_change(char *d, const char *eq8, size_t eqlen, uint64_t a, uint64_t b)
{
	memcpy(d, eq8, 8);
	d = put_hex(d + eqlen, a);
	d = PUT_LIT(d, "\xe2\x86\x92");   /* → */
	return put_hex(d, b);
}

/* " +CF" or " -CF", kept only if the flag changed. */
static inline char *put_flag(char *d, uint64_t diff, uint64_t now, unsigned bit, const char *nm)
{
	d[0] = ' ';
	d[1] = (char)('-' - 2 * ((now >> bit) & 1));   /* '+' is '-' - 2 */
	d[2] = nm[0];
	d[3] = nm[1];
	return d + 4 * ((diff >> bit) & 1);
}

/* The general registers and RFLAGS that changed, then " +CF -ZF ..." for
 * the named flags.  Each flag item is stored and kept only if its flag
 * changed: no branch per flag. */
static char *put_reg_changes(char *d, const struct snap *a, const struct snap *b, unsigned regs)
{
	for (unsigned m = regs; m; m &= m - 1) {
		int k = __builtin_ctz(m);
		d = put_change(d, reg_eq[k], reg_len(k) + 2, a->r[k], b->r[k]);
	}
	if (a->rflags != b->rflags) {
		d = put_change(d, " rflags=", 8, a->rflags, b->rflags);
		uint64_t diff = a->rflags ^ b->rflags, now = b->rflags;
		d = put_flag(d, diff, now, 0, "CF");
		d = put_flag(d, diff, now, 2, "PF");
		d = put_flag(d, diff, now, 4, "AF");
		d = put_flag(d, diff, now, 6, "ZF");
		d = put_flag(d, diff, now, 7, "SF");
		if (likely(!(diff & 0x274700)))   /* TF IF DF NT RF VM AC ID: rare */
			d = put_flag(d, diff, now, 11, "OF");
		else
			for (unsigned k = 8; k < 22; k++)
				if (flag_bits[k])
					d = put_flag(d, diff, now, k, flag_bits[k]);
	}
	return d;
}

/* Segments, control registers, MSRs and the CPL: rare, kept simple. */
static void tx_change(struct obuf *o, const char *name, uint64_t a, uint64_t b)
{
	ob_ch(o, ' ');
	ob_str(o, name);
	ob_ch(o, '=');
	ob_hex(o, a);
	ob_str(o, "\xe2\x86\x92");   /* → */
	ob_hex(o, b);
}

static void tx_rare_changes(struct obuf *o, const struct snap *a, const struct snap *b)
{
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

/* Everything that changed from a to b (also used by exception lines). */
static void tx_changes(struct obuf *o, const struct snap *a, const struct snap *b)
{
	ob_line_end(o, put_reg_changes(ob_line_begin(o), a, b, reg_mask(a, b)));
	if (!rare_same(a, b))
		tx_rare_changes(o, a, b);
}

/* " W 0xADDR:SIZE=0xVALUE" per access. */
static char *put_mem_text(char *d, const struct trace_session *s)
{
	for (unsigned k = 0; k < s->nmem; k++) {
		const struct memrec *r = &s->mem[k];
		d[0] = ' ';
		d[1] = (char)('R' + r->write * ('W' - 'R'));
		d[2] = ' ';
		d = put_hex(d + 3, r->la);
		d[0] = ':';
		d[1] = (char)('0' + r->size);
		d[2] = '=';
		d = put_hex(d + 3, r->v);
	}
	return d;
}

/*
 * The sequence number, right-aligned in `width` columns (wider when it has
 * more digits; width 0: just the digits).  Consecutive lines count up by
 * one, so the digits are kept in seq_text and incremented in place.  The
 * line gets a copy of the kept digits taken before the increment (they
 * were stored a line ago: reading them right after single-byte stores
 * would stall on store forwarding) and the same increment.
 */
static char *put_seq(struct trace_session *s, char *d, uint64_t seq, int width)
{
	char *t = s->seq_text;
	int w = s->seq_ndig > width ? s->seq_ndig : width;
	if (likely(seq == s->seq_last + 1 && seq != s->seq_pow)) {
		memcpy(d, t + 20 - w, 20);   /* fixed size: w <= 20 */
		int k = 19, j = w - 1;
		while (t[k] == '9') {
			t[k--] = '0';
			d[j--] = '0';
		}
		char digit = (char)(t[k] + 1);   /* not d[j]++: d was just stored */
		t[k] = digit;
		d[j] = digit;
		s->seq_last = seq;
		return d + w;
	}
	memset(t, ' ', 20);
	uint64_t v = seq;
	int k = 19;
	do {
		t[k--] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	s->seq_ndig = 19 - k;
	s->seq_pow = 1;
	for (int n = 0; n < s->seq_ndig && s->seq_pow; n++)
		s->seq_pow = s->seq_pow <= ~0ULL / 10 ? s->seq_pow * 10 : 0;
	s->seq_last = seq;
	w = s->seq_ndig > width ? s->seq_ndig : width;
	memcpy(d, t + 20 - w, 20);
	return d + w;
}

static void emit_text(struct trace_session *s, const struct insn *i, uint64_t rip, uint64_t seq)
{
	struct obuf *o = &s->out;
	const struct dent *e = lookup(s, i, rip);
	char *d = put_seq(s, ob_line_begin(o), seq, 10);
	d[0] = ' ';
	d[1] = (char)('0' + s->prev->cpl);
	d[2] = ' ';
	put_hex16(d + 3, rip);
	d += 19;
	copy_pre(d, e);
	d = put_reg_changes(d + e->pre_len, s->prev, s->cur, s->regs_changed);
	if (unlikely(s->rare_changed)) {
		ob_line_end(o, d);
		tx_rare_changes(o, s->prev, s->cur);
		d = ob_line_begin(o);
	}
	d = put_mem_text(d, s);
	if (unlikely(s->mem_dropped)) {
		ob_line_end(o, d);
		ob_str(o, " (+");
		ob_dec(o, s->mem_dropped);
		ob_str(o, " more accesses)");
		d = ob_line_begin(o);
	}
	*d++ = '\n';
	ob_line_end(o, d);
}

/* "0x..." with the quotes. */
static inline char *put_js_hex(char *d, uint64_t v)
{
	*d = '"';
	d = put_hex(d + 1, v);
	*d = '"';
	return d + 1;
}

/* ["0xOLD","0xNEW"] */
static inline char *put_js_pair(char *d, uint64_t a, uint64_t b)
{
	*d = '[';
	d = put_js_hex(d + 1, a);
	*d = ',';
	d = put_js_hex(d + 1, b);
	*d = ']';
	return d + 1;
}

/* ,"rax":  and friends, padded to 8 bytes. */
static const char js_reg_key[16][8] = {
	",\"rax\":", ",\"rcx\":", ",\"rdx\":", ",\"rbx\":", ",\"rsp\":", ",\"rbp\":", ",\"rsi\":",
	",\"rdi\":", ",\"r8\":", ",\"r9\":", ",\"r10\":", ",\"r11\":", ",\"r12\":", ",\"r13\":",
	",\"r14\":", ",\"r15\":",
};

static void emit_jsonl(struct trace_session *s, const struct insn *i, uint64_t rip, uint64_t seq,
		       unsigned events)
{
	struct obuf *o = &s->out;
	const struct snap *a = s->prev, *b = s->cur;
	const struct dent *e = lookup(s, i, rip);
	char *d = PUT_LIT(ob_line_begin(o), "{\"seq\":");
	d = put_seq(s, d, seq, 0);
	d = PUT_LIT(d, ",\"cpl\":");
	*d++ = (char)('0' + a->cpl);
	d = PUT_LIT(d, ",\"rip\":");
	d = put_js_hex(d, rip);
	copy_pre(d, e);
	d += e->pre_len;
	unsigned m = s->regs_changed;
	if (m) {
		/* ,"regs":{"rax":[...],...}: the first key's comma becomes the { */
		d = PUT_LIT(d, ",\"regs\":");
		int k = __builtin_ctz(m);
		memcpy(d, js_reg_key[k], 8);
		d[0] = '{';
		d += reg_len(k) + 4;
		d = put_js_pair(d, a->r[k], b->r[k]);
		for (m &= m - 1; m; m &= m - 1) {
			k = __builtin_ctz(m);
			memcpy(d, js_reg_key[k], 8);
			d += reg_len(k) + 4;
			d = put_js_pair(d, a->r[k], b->r[k]);
		}
		*d++ = '}';
	}
	if (a->rflags != b->rflags) {
		d = PUT_LIT(d, ",\"rflags\":");
		d = put_js_pair(d, a->rflags, b->rflags);
	}
	if (unlikely(s->rare_changed)) {
		ob_line_end(o, d);
		js_rare_changes(o, a, b, true);
		d = ob_line_begin(o);
	}
	if (s->nmem) {
		d = PUT_LIT(d, ",\"mem\":[");
		for (unsigned k = 0; k < s->nmem; k++) {
			const struct memrec *r = &s->mem[k];
			if (k)
				*d++ = ',';
			d = PUT_LIT(d, "{\"op\":\"");
			*d++ = (char)('r' + r->write * ('w' - 'r'));
			d = PUT_LIT(d, "\",\"addr\":");
			d = put_js_hex(d, r->la);
			d = PUT_LIT(d, ",\"size\":");
			*d++ = (char)('0' + r->size);
			d = PUT_LIT(d, ",\"value\":");
			d = put_js_hex(d, r->v);
			*d++ = '}';
		}
		*d++ = ']';
		if (unlikely(s->mem_dropped)) {
			d = PUT_LIT(d, ",\"mem_dropped\":");
			d = put_dec(d, s->mem_dropped);
		}
	}
	if (unlikely((events & (EV_SYSCALL | EV_SYSRET | EV_IRET | EV_EXCEPTION)) ||
		     seq != s->js_next)) {
		ob_line_end(o, d);
		js_extras(s, o, events, seq, true, true);
		d = ob_line_begin(o);
	} else {
		s->js_next = seq + 1;
	}
	memcpy(d, s->tid_js, sizeof(s->tid_js));   /* fixed size: the line has room */
	d += s->tid_js_len;
	if (unlikely(s->task_full)) {
		ob_line_end(o, d);
		js_task_full(s, o);
		d = ob_line_begin(o);
	}
	d = PUT_LIT(d, "}\n");
	ob_line_end(o, d);
}

/* "rax=" and friends (Tenet keys), padded to 8 bytes. */
static const char tenet_key[16][8] = {
	"rax=", "rcx=", "rdx=", "rbx=", "rsp=", "rbp=", "rsi=", "rdi=",
	"r8=", "r9=", "r10=", "r11=", "r12=", "r13=", "r14=", "r15=",
};

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
	char *d = ob_line_begin(o);
	if (unlikely(!s->tenet_started)) {
		for (int k = 0; k < 16; k++) {
			size_t n = strlen(tnames[k]);
			memcpy(d, tnames[k], n);
			d[n] = '=';
			d = put_hex(d + n + 1, p->r[tenet_order[k]]);
			*d++ = ',';
		}
	} else {
		for (unsigned m = mask16(p->r, s->tenet_last); m; m &= m - 1) {
			int k = __builtin_ctz(m);
			memcpy(d, tenet_key[k], 8);
			d = put_hex(d + reg_len(k) + 1, p->r[k]);
			*d++ = ',';
		}
	}
	memcpy(s->tenet_last, p->r, sizeof(p->r));
	d = PUT_LIT(d, "rip=");
	d = put_hex(d, rip);
	s->tenet_started = true;
	for (unsigned k = 0; k < s->nmem; k++) {
		const struct memrec *r = &s->mem[k];
		memcpy(d, ",mr=", 4);
		d[2] = (char)('r' + r->write * ('w' - 'r'));
		d = put_hex(d + 4, r->la);
		*d++ = ':';
		/* the value's bytes in ascending address order */
		uint64_t v = r->v;
		for (unsigned b = 0; b < r->size; b++, v >>= 8) {
			memcpy(d, &trace_hex2[2 * (v & 0xFF)], 2);
			d += 2;
		}
	}
	*d++ = '\n';
	ob_line_end(o, d);
	s->lines++;
	/* What Tenet cannot hold goes to the side-car, keyed by line. */
	bool rare = !s->rare_changed;
	bool side = s->prev->rflags != s->cur->rflags || !rare ||
		    (events & (EV_SYSCALL | EV_SYSRET | EV_IRET)) || s->mem_dropped;
	if (!side)
		return;
	struct obuf *sc = &s->side;
	if (!(events & (EV_SYSCALL | EV_SYSRET | EV_IRET)) && !s->mem_dropped &&
	    rare) {
		/* The common case, kept short: only RFLAGS changed (no "seq":
		 * the line number says which instruction). */
		d = PUT_LIT(ob_line_begin(sc), "{\"line\":");
		d = put_dec(d, s->lines);
		d = PUT_LIT(d, ",\"rflags\":");
		d = put_js_pair(d, s->prev->rflags, s->cur->rflags);
		d = PUT_LIT(d, "}\n");
		ob_line_end(sc, d);
		return;
	}
	ob_str(sc, "{\"line\":");
	ob_dec(sc, s->lines);
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

void trace_insn(struct trace_session *s, struct cpu *c, const struct insn *i,
		       uint64_t rip, unsigned events)
{
	if (s->has_from && rip == s->from)
		s->window = true;
	if (events & EV_SYSCALL)
		s->in_syscall = true;
	if (!s->armed) {
		/* Known not to be traced (emu/trace/trace.c, mem_hook_for_next):
		 * only the windows' bookkeeping; the snapshot is taken again
		 * when tracing resumes. */
		if ((events & (EV_SYSRET | EV_IRET)) && c->cpl == 3)
			s->in_syscall = false;
		if (s->has_to && rip == s->to)
			s->window = false;
		s->nmem = 0;
		s->mem_dropped = 0;
		return;
	}
	s->regs_changed = take_regs(s->cur, s->prev, c);
	s->rare_changed = !rare_same_cpu(s->prev, c);
	if (unlikely(s->rare_changed))
		take_rare(s->cur, c);
	else
		memcpy((char *)s->cur + RARE_OFF, (const char *)s->prev + RARE_OFF, RARE_END - RARE_OFF);
	uint64_t seq = c->icount - 1;
	int cpl = s->prev->cpl;
	if (!s->filtered || wanted(s, rip, cpl)) {
		if (unlikely(s->tid != s->task_shown))
			announce_task(s, seq, cpl);
		switch (s->o.format) {
		case TRACE_TEXT: emit_text(s, i, rip, seq); break;
		case TRACE_JSONL: emit_jsonl(s, i, rip, seq, events); break;
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
unsigned read_frame(struct cpu *c, uint64_t frame[6])
{
	unsigned n = c->last_has_error ? 6 : 5;
	for (unsigned k = 0; k < n; k++) {
		uint64_t pa;
		if (!mmu_probe(c, c->r[R_RSP] + 8 * k, ACC_READ | ACC_SYS, &pa))
			return 0;
		frame[k] = phys_read(machine_of_cpu(c), pa, 8);
	}
	return n;
}

/*
 * An exception or interrupt line.  EXC_SOFT and EXC_IN_INSN: delivered
 * inside an instruction that retired (INT n, INT3, INTO, or a fault the
 * instruction raised after completing, like AMD's SYSRET to a
 * non-canonical RIP); then the RIP and CPL it was raised at are the ones
 * in the frame.  EXC_EXTERNAL: an interrupt taken at the boundary before
 * the instruction at rip (cpl: the one interrupted).
 */
void trace_exception(struct trace_session *s, struct cpu *c, int vector, uint32_t err,
			    uint64_t rip, int cpl, enum exc_kind kind)
{
	bool soft = kind == EXC_SOFT, in_insn = kind == EXC_SOFT || kind == EXC_IN_INSN;
	bool external = kind == EXC_EXTERNAL;
	take(s->cur, c);
	bool has_err = c->last_has_error && !external;
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
		if (unlikely(s->tid != s->task_shown))
			announce_task(s, seq, cpl);
		if (s->o.format == TRACE_TEXT) {
			uint64_t off;
			const char *nm = sym_lookup(s->m->syms, c->rip, &off);
			char line[256];
			snprintf(line, sizeof(line), "%10" PRIu64 " %d ---- %s vector %d%s", seq, cpl,
				 vector < 32 ? exc_name(vector) : "INT", vector,
				 soft ? " (software INT)" : in_insn ? " (raised by the instruction)" :
				 external ? " (external interrupt)" : "");
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
			if (external)
				ob_str(o, ",\"external\":true");
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
			if (s->o.format == TRACE_JSONL) {
				js_extras(s, o, EV_EXCEPTION, seq, false, s->armed);
				ob_mem(o, s->tid_js, s->tid_js_len);
				if (s->task_full)
					js_task_full(s, o);
			}
			ob_str(o, "}\n");
		}
	}
	s->nmem = 0;
	s->mem_dropped = 0;
	{ struct snap *t = s->prev; s->prev = s->cur; s->cur = t; }
}

