/*
 * x87.c - x87 state management: prologue checks, stack faults, loads
 * and stores (FLD FST FSTP FILD FIST FISTP FISTTP FBLD FBSTP, constants),
 * FXCH, FCMOVcc, FFREE(P), FINCSTP/FDECSTP, control word, status word,
 * environment (FNSTENV/FLDENV, FNSAVE/FRSTOR), FNINIT/FNCLEX, FWAIT, FNOP.
 * SDM vol. 1 ch. 8, vol. 2 per mnemonic.  See x87.h for the technique.
 */
#include "x87.h"
#include "flags.h"

/* Fast framing (x87.h): only the control word is loaded; every sequence
 * here leaves the host stack as it found it (empty). */
#define X87_PRE "fnstcw %[hcw]\n\tfldcw %[gcw]\n\tfnclex\n\t"
#define X87_END "\n\tfnclex\n\tfldcw %[hcw]"

void f80_indefinite(f80 *v)
{
	static const uint8_t qnan[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
	memset(v, 0, sizeof(*v));
	memcpy(v->b, qnan, 10);
}

/* Power-on and FNINIT state (SDM vol. 1 8.1.?, table 8-?): FCW 037F,
 * FSW 0, all tags empty, pointers 0. */
void x87_init(struct cpu *c)
{
	c->fcw = 0x037F;
	c->fsw = 0;
	c->ftw = 0;
	c->fip = c->fdp = 0;
	c->fop = 0;
}

void x87_check(struct cpu *c)
{
	if (unlikely(c->cr0 & (CR0_EM | CR0_TS)))
		cpu_fault(c, EXC_NM, 0);
	if (unlikely(c->fsw & FSW_ES))
		cpu_fault(c, EXC_MF, 0);
}

/* FOP is the 11 low bits of the opcode: (first byte & 7) << 8 | ModRM.
 * lstar knows ModRM fully only for register forms (mod = 3); for memory
 * forms it records mod = 0 and rm = 0 (docs/fpu.md). */
void x87_begin(struct cpu *c, const struct insn *i, bool control, uint64_t la)
{
	x87_check(c);
	if (control)
		return;
	c->fip = i->next_rip - i->len;
	unsigned rm = 0, mod = 0;
	bool mem = false;
	for (unsigned k = 0; k < i->nops; k++) {
		if (i->o[k].kind == OK_MEM)
			mem = true;
		if (i->o[k].kind == OK_ST && i->o[k].reg)
			rm = i->o[k].reg;
	}
	if (!mem)
		mod = 3;
	c->fop = (uint16_t)(((i->opc & 7) << 8) | (mod << 6) | ((i->modrm_reg & 7) << 3) | rm);
	if (mem)
		c->fdp = la;
}

bool x87_stack_fault(struct cpu *c, bool overflow)
{
	c->fsw |= FSW_IE | FSW_SF;
	c->fsw = (uint16_t)((c->fsw & ~FSW_C1) | (overflow ? FSW_C1 : 0));
	if (!(c->fcw & FSW_IE)) {
		c->fsw |= FSW_ES | FSW_B;
		return false;
	}
	return true;
}

bool x87_merge(struct cpu *c, uint16_t hsw, uint16_t cc)
{
	unsigned ex = hsw & 0x3F;
	unsigned pre = ex & (FSW_IE | FSW_DE | FSW_ZE);
	/* An unmasked pre-computation exception stops the instruction: only
	 * those flags are set, C1 is cleared, nothing is stored (SDM vol. 1
	 * 8.5; the post-computation flags of the masked host run are
	 * dropped). */
	if (pre & ~c->fcw) {
		c->fsw |= (uint16_t)(pre | FSW_ES | FSW_B);
		c->fsw &= ~FSW_C1;
		return false;
	}
	c->fsw |= (uint16_t)ex;
	c->fsw = (uint16_t)((c->fsw & ~cc) | (hsw & cc));
	if (ex & ~c->fcw & 0x3F)
		c->fsw |= FSW_ES | FSW_B;
	return true;
}

uint16_t x87_host_load(const struct cpu *c, int kind, const void *mem, f80 *out)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw;
	memset(out, 0, sizeof(*out));
#define LOADK(K, INSN)                                                          \
	case K:                                                                 \
		__asm__ volatile(X87_PRE INSN " %[m]\n\tfnstsw %[sw]\n\tfstpt %[o]" X87_END \
				 : [o] "=m"(*out), [sw] "=m"(sw), [hcw] "=m"(hcw)   \
				 : [m] "m"(*(const f80 *)mem), [gcw] "m"(gcw));     \
		break;
	switch (kind) {
	LOADK(MK_F32, "flds")
	LOADK(MK_F64, "fldl")
	LOADK(MK_I16, "filds")
	LOADK(MK_I32, "fildl")
	LOADK(MK_I64, "fildll")
	LOADK(MK_BCD, "fbld")
	default:
		memcpy(out->b, mem, 10);
		sw = 0;
		break;
	}
	return sw;
}

static const unsigned kind_size[] = { 4, 8, 10, 2, 4, 8, 10 };

int x87_kind(const struct insn *i, bool integer)
{
	unsigned size = 0;
	for (unsigned k = 0; k < i->nops; k++)
		if (i->o[k].kind == OK_MEM)
			size = i->o[k].size;
	if (integer)
		return size == 2 ? MK_I16 : size == 4 ? MK_I32 : MK_I64;
	return size == 4 ? MK_F32 : size == 8 ? MK_F64 : MK_F80;
}

void x87_read_mem(struct cpu *c, uint64_t la, int kind, void *buf)
{
	unsigned n = kind_size[kind];
	memset(buf, 0, 16);
	if (n == 10) {
		uint64_t lo = mem_read(c, la, 8);
		uint16_t hi = (uint16_t)mem_read(c, la + 8, 2);
		memcpy(buf, &lo, 8);
		memcpy((uint8_t *)buf + 8, &hi, 2);
	} else {
		uint64_t v = mem_read(c, la, n);
		memcpy(buf, &v, 8);
	}
}

static void write_mem10(struct cpu *c, uint64_t la, const uint8_t *p)
{
	uint64_t lo;
	uint16_t hi;
	memcpy(&lo, p, 8);
	memcpy(&hi, p + 8, 2);
	if ((la & 0xFFF) > 0x1000 - 10)
		mem_probe_write(c, la, 10);
	mem_write(c, la, 8, lo);
	mem_write(c, la + 8, 2, hi);
}

static bool has_mem(const struct insn *i)
{
	for (unsigned k = 0; k < i->nops; k++)
		if (i->o[k].kind == OK_MEM)
			return true;
	return false;
}

/* ST(i) operand of a register form: the one OK_ST operand that is not
 * ST(0), or 0. */
static unsigned sti(const struct insn *i)
{
	unsigned r = 0;
	for (unsigned k = 0; k < i->nops; k++)
		if (i->o[k].kind == OK_ST && i->o[k].reg)
			r = i->o[k].reg;
	return r;
}

/* Push v, or report stack overflow when the new ST(0) is in use. */
static void push_checked(struct cpu *c, const f80 *v, uint16_t hsw, bool hsw_valid)
{
	if ((c->ftw >> ((x87_top(c) - 1) & 7)) & 1) {
		if (x87_stack_fault(c, true)) {
			f80 q;
			f80_indefinite(&q);
			st_push(c, &q);
		}
		return;
	}
	/* FLD m32/m64 completes even with an unmasked denormal-operand
	 * exception (hardware behaviour); only IE stops it. */
	if (hsw_valid && (hsw & FSW_DE) && !(c->fcw & FSW_DE) && !(hsw & FSW_IE & ~c->fcw)) {
		c->fsw |= (uint16_t)((hsw & 0x3F) | FSW_ES | FSW_B);
		c->fsw &= ~FSW_C1;
		st_push(c, v);
		return;
	}
	if (!x87_merge(c, hsw, hsw_valid ? FSW_C1 : 0))
		return;
	if (!hsw_valid)
		c->fsw &= ~FSW_C1;
	st_push(c, v);
}

/* FLD m32/m64/m80 / FLD ST(i), FILD m16/m32/m64, FBLD m80. */
static void fld_common(struct cpu *c, const struct insn *i, int kind)
{
	f80 v;
	uint16_t hsw = 0;
	if (has_mem(i)) {
		uint64_t la = insn_ea(c, i);
		uint8_t buf[16];
		x87_begin(c, i, false, la);
		x87_read_mem(c, la, kind, buf);
		hsw = x87_host_load(c, kind, buf, &v);
	} else {
		x87_begin(c, i, false, 0);
		unsigned r = sti(i);
		if (st_empty(c, r)) {
			if (x87_stack_fault(c, false)) {
				f80_indefinite(&v);
				st_push(c, &v);
			}
			return;
		}
		st_get(c, r, &v);
	}
	push_checked(c, &v, hsw, kind != MK_F80 && has_mem(i));
}

void op_fld(struct cpu *c, const struct insn *i) { fld_common(c, i, x87_kind(i, false)); }
void op_fild(struct cpu *c, const struct insn *i) { fld_common(c, i, x87_kind(i, true)); }
void op_fbld(struct cpu *c, const struct insn *i) { fld_common(c, i, MK_BCD); }

/* FLD1 FLDZ FLDPI FLDL2E FLDL2T FLDLG2 FLDLN2: the host rounds the
 * constants by FCW.RC exactly as the guest's CPU does. */
#define FLDCONST(name, INSN)                                                    \
	void op_##name(struct cpu *c, const struct insn *i)                     \
	{                                                                       \
		f80 v = { { 0 } };                                              \
		struct x87_henv gcw = x87_henv(c);                              \
		uint16_t hcw, sw;                                               \
		x87_begin(c, i, false, 0);                                      \
		__asm__ volatile(X87_PRE INSN "\n\tfnstsw %[sw]\n\tfstpt %[o]" X87_END \
				 : [o] "=m"(v), [sw] "=m"(sw), [hcw] "=m"(hcw)  \
				 : [gcw] "m"(gcw));                             \
		push_checked(c, &v, sw, true);                                        \
	}
FLDCONST(fld1, "fld1")
FLDCONST(fldz, "fldz")
FLDCONST(fldpi, "fldpi")
FLDCONST(fldl2e, "fldl2e")
FLDCONST(fldl2t, "fldl2t")
FLDCONST(fldlg2, "fldlg2")
FLDCONST(fldln2, "fldln2")

/* Convert ST(0) for a store of `kind` through the host; returns the host
 * status word (C1 = rounded up). */
static uint16_t host_store(const struct cpu *c, int kind, const f80 *v, void *out)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
#define STOREK(K, INSN)                                                         \
	case K:                                                                 \
		__asm__ volatile(X87_PRE "fldt %[v]\n\t" INSN " %[o]\n\tfnstsw %[sw]" X87_END \
				 : [o] "=m"(*(f80 *)out), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [v] "m"(*v), [gcw] "m"(gcw));                \
		break;
	switch (kind) {
	STOREK(MK_F32, "fstps")
	STOREK(MK_F64, "fstpl")
	STOREK(MK_I16, "fistps")
	STOREK(MK_I32, "fistpl")
	STOREK(MK_I64, "fistpll")
	STOREK(MK_BCD, "fbstp")
	STOREK(MK_I16 + 10, "fisttps")
	STOREK(MK_I32 + 10, "fisttpl")
	STOREK(MK_I64 + 10, "fisttpll")
	default:
		memcpy(out, v->b, 10);
		break;
	}
	return sw;
}

/* FST/FSTP m32/m64/m80 or ST(i), FIST/FISTP m16/m32/(m64), FISTTP,
 * FBSTP.  An empty ST(0) is a stack underflow; masked, the indefinite
 * (or integer indefinite) is stored.  An unmasked IE stores nothing. */
static void fst_common(struct cpu *c, const struct insn *i, int kind, bool pop)
{
	f80 v, out;
	uint16_t hsw = 0;
	memset(&out, 0, sizeof(out));
	if (has_mem(i)) {
		uint64_t la = insn_ea(c, i);
		int k = kind % 10;
		x87_begin(c, i, false, la);
		if (st_empty(c, 0)) {
			if (!x87_stack_fault(c, false))
				return;
			f80_indefinite(&v);
		} else {
			st_get(c, 0, &v);
		}
		hsw = host_store(c, kind, &v, &out);
		if (!x87_merge(c, hsw, kind == MK_F80 ? 0 : FSW_C1))
			return;
		if (kind == MK_F80)
			c->fsw &= ~FSW_C1;
		if (kind_size[k] == 10) {
			write_mem10(c, la, out.b);
		} else {
			uint64_t x;
			memcpy(&x, out.b, 8);
			mem_write(c, la, kind_size[k], x);
		}
	} else {
		x87_begin(c, i, false, 0);
		unsigned r = sti(i);
		if (st_empty(c, 0)) {
			if (!x87_stack_fault(c, false))
				return;
			f80_indefinite(&v);
		} else {
			st_get(c, 0, &v);
		}
		c->fsw &= ~FSW_C1;
		st_set(c, r, &v);
	}
	if (pop)
		st_pop(c);
}

void op_fst(struct cpu *c, const struct insn *i) { fst_common(c, i, x87_kind(i, false), false); }
void op_fstp(struct cpu *c, const struct insn *i) { fst_common(c, i, x87_kind(i, false), true); }
void op_fist(struct cpu *c, const struct insn *i) { fst_common(c, i, x87_kind(i, true), false); }
void op_fistp(struct cpu *c, const struct insn *i) { fst_common(c, i, x87_kind(i, true), true); }
void op_fisttp(struct cpu *c, const struct insn *i) { fst_common(c, i, x87_kind(i, true) + 10, true); }
void op_fbstp(struct cpu *c, const struct insn *i) { fst_common(c, i, MK_BCD, true); }

/* FXCH ST(i): swap with ST(0); empty registers are underflow (masked:
 * they become the indefinite first). */
void op_fxch(struct cpu *c, const struct insn *i)
{
	x87_begin(c, i, false, 0);
	unsigned r = sti(i);
	if (!r && i->nops == 0)
		r = 1;
	f80 a, b;
	if (st_empty(c, 0) || st_empty(c, r)) {
		if (!x87_stack_fault(c, false))
			return;
		if (st_empty(c, 0)) {
			f80_indefinite(&a);
			st_set(c, 0, &a);
		}
		if (st_empty(c, r)) {
			f80_indefinite(&b);
			st_set(c, r, &b);
		}
	} else {
		c->fsw &= ~FSW_C1;
	}
	st_get(c, 0, &a);
	st_get(c, r, &b);
	st_set(c, 0, &b);
	st_set(c, r, &a);
}

/* FCMOVcc ST(0), ST(i) (P6): condition from EFLAGS. */
static void fcmov(struct cpu *c, const struct insn *i, unsigned cc)
{
	x87_begin(c, i, false, 0);
	unsigned r = sti(i);
	if (st_empty(c, 0) || st_empty(c, r)) {
		if (x87_stack_fault(c, false)) {
			f80 q;
			f80_indefinite(&q);
			st_set(c, 0, &q);
		}
		return;
	}
	if (cond_eval(c, cc)) {
		f80 v;
		st_get(c, r, &v);
		st_set(c, 0, &v);
	}
}
void op_fcmovb(struct cpu *c, const struct insn *i) { fcmov(c, i, 2); }
void op_fcmovnb(struct cpu *c, const struct insn *i) { fcmov(c, i, 3); }
void op_fcmove(struct cpu *c, const struct insn *i) { fcmov(c, i, 4); }
void op_fcmovne(struct cpu *c, const struct insn *i) { fcmov(c, i, 5); }
void op_fcmovbe(struct cpu *c, const struct insn *i) { fcmov(c, i, 6); }
void op_fcmovnbe(struct cpu *c, const struct insn *i) { fcmov(c, i, 7); }
void op_fcmovu(struct cpu *c, const struct insn *i) { fcmov(c, i, 10); }
void op_fcmovnu(struct cpu *c, const struct insn *i) { fcmov(c, i, 11); }

/* FFREE ST(i): tag empty.  FFREEP (undocumented DF C0+i): and pop. */
void op_ffree(struct cpu *c, const struct insn *i)
{
	x87_begin(c, i, false, 0);
	c->ftw &= (uint16_t)~(1u << x87_phys(c, sti(i)));
	c->fsw &= ~FSW_C1;   /* C0-C3 undefined; hardware clears C1 */
}

void op_ffreep(struct cpu *c, const struct insn *i)
{
	op_ffree(c, i);
	st_pop(c);
}

/* FINCSTP/FDECSTP: TOP +/- 1 without changing tags; C1 = 0. */
void op_fincstp(struct cpu *c, const struct insn *i)
{
	x87_begin(c, i, false, 0);
	x87_set_top(c, x87_top(c) + 1);
	c->fsw &= ~FSW_C1;
}

void op_fdecstp(struct cpu *c, const struct insn *i)
{
	x87_begin(c, i, false, 0);
	x87_set_top(c, x87_top(c) - 1);
	c->fsw &= ~FSW_C1;
}

/* ES and B follow the unmasked exception flags (SDM vol. 1 8.1.3.?):
 * after FLDCW/FLDENV/FRSTOR unmasking a set flag makes it pending. */
static void update_es(struct cpu *c)
{
	if (c->fsw & ~c->fcw & 0x3F)
		c->fsw |= FSW_ES | FSW_B;
	else
		c->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

void op_fldcw(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	x87_begin(c, i, true, la);
	/* Reserved bits 15:13 and 7 read as 0, bit 6 as 1 (what the
	 * hardware stores back with FNSTCW). */
	c->fcw = (uint16_t)((mem_read(c, la, 2) & 0x1F3F) | 0x0040);
	update_es(c);
}

/* FNSTCW/FNSTSW: no-wait forms, no pending-exception check. */
static void x87_nowait_check(struct cpu *c)
{
	if (unlikely(c->cr0 & (CR0_EM | CR0_TS)))
		cpu_fault(c, EXC_NM, 0);
}

void op_fnstcw(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	x87_nowait_check(c);
	mem_write(c, la, 2, c->fcw);
}

void op_fnstsw(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind == OK_GPR) {
		x87_nowait_check(c);
		gpr_write(c, R_RAX, 2, c->fsw);
		return;
	}
	uint64_t la = insn_ea(c, i);
	x87_nowait_check(c);
	mem_write(c, la, 2, c->fsw);
}

/* FNCLEX: clears PE UE OE ZE DE IE SF ES B. */
void op_fnclex(struct cpu *c, const struct insn *i)
{
	(void)i;
	x87_nowait_check(c);
	c->fsw &= 0x7F00;
}

void op_fninit(struct cpu *c, const struct insn *i)
{
	(void)i;
	x87_nowait_check(c);
	x87_init(c);
}

/* FWAIT: #NM only when CR0.MP and CR0.TS are both set; reports a pending
 * exception (#MF). */
void op_fwait(struct cpu *c, const struct insn *i)
{
	(void)i;
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		cpu_fault(c, EXC_NM, 0);
	if (c->fsw & FSW_ES)
		cpu_fault(c, EXC_MF, 0);
}

void op_fnop(struct cpu *c, const struct insn *i)
{
	x87_begin(c, i, false, 0);
}

/* ---- tags and the environment ---- */

static unsigned tag_of(const uint8_t *p)
{
	uint64_t m;
	uint16_t se;
	memcpy(&m, p, 8);
	memcpy(&se, p + 8, 2);
	unsigned e = se & 0x7FFF;
	if (e == 0x7FFF)
		return 2;
	if (e == 0)
		return m ? 2 : 1;
	return (m >> 63) ? 0 : 2;
}

uint16_t x87_full_tag(const struct cpu *c)
{
	uint16_t t = 0;
	for (unsigned p = 0; p < 8; p++) {
		unsigned v = ((c->ftw >> p) & 1) ? tag_of((const uint8_t *)&c->st[p]) : 3;
		t |= (uint16_t)(v << (2 * p));
	}
	return t;
}

uint8_t x87_abridge_tag(uint16_t full)
{
	uint8_t a = 0;
	for (unsigned p = 0; p < 8; p++)
		if (((full >> (2 * p)) & 3) != 3)
			a |= (uint8_t)(1u << p);
	return a;
}

/* Environment image (SDM vol. 1 figures 8-9/8-10, protected mode): 28
 * bytes with a 32-bit operand size, 14 with 16-bit.  lstar stores CS/DS
 * selectors as 0 (64-bit mode keeps no FCS/FDS) and the reserved upper
 * halves as 0xFFFF like Intel CPUs. */
static unsigned env_store(struct cpu *c, uint64_t la, bool small)
{
	uint16_t tag = x87_full_tag(c);
	if (small) {
		uint16_t e[7] = { c->fcw, c->fsw, tag, (uint16_t)c->fip, 0,
				  (uint16_t)c->fdp, 0 };
		for (unsigned k = 0; k < 7; k++)
			mem_write(c, la + 2 * k, 2, e[k]);
		return 14;
	}
	uint32_t e[7] = { 0xFFFF0000u | c->fcw, 0xFFFF0000u | c->fsw, 0xFFFF0000u | tag,
			  (uint32_t)c->fip, (uint32_t)(c->fop & 0x7FF) << 16,
			  (uint32_t)c->fdp, 0xFFFF0000u };
	for (unsigned k = 0; k < 7; k++)
		mem_write(c, la + 4 * k, 4, e[k]);
	return 28;
}

static unsigned env_load(struct cpu *c, uint64_t la, bool small)
{
	unsigned step = small ? 2 : 4;
	uint16_t cw = (uint16_t)mem_read(c, la, 2);
	uint16_t sw = (uint16_t)mem_read(c, la + step, 2);
	uint16_t tw = (uint16_t)mem_read(c, la + 2 * step, 2);
	uint64_t ip = mem_read(c, la + 3 * step, step);
	uint64_t op = small ? 0 : (mem_read(c, la + 16, 4) >> 16) & 0x7FF;
	uint64_t dp = mem_read(c, la + 5 * step, step);
	c->fcw = cw;
	c->fsw = sw;
	c->ftw = x87_abridge_tag(tw);
	c->fip = ip;
	c->fdp = dp;
	c->fop = (uint16_t)op;
	update_es(c);
	return small ? 14 : 28;
}

static bool env_small(const struct insn *i, unsigned big)
{
	return i->o[0].kind == OK_MEM && i->o[0].size < big;
}

/* FNSTENV: store, then mask all exceptions (SDM vol. 2A). */
void op_fnstenv(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	x87_nowait_check(c);
	bool small = env_small(i, 28);
	mem_probe_write(c, la, small ? 14 : 28);
	env_store(c, la, small);
	c->fcw |= 0x3F;
}

void op_fldenv(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	if (unlikely(c->cr0 & (CR0_EM | CR0_TS)))
		cpu_fault(c, EXC_NM, 0);
	env_load(c, la, env_small(i, 28));
}

/* FNSAVE: environment then ST(0)..ST(7) as 80-bit values, then FNINIT. */
void op_fnsave(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	x87_nowait_check(c);
	bool small = env_small(i, 108);
	unsigned n = small ? 14 : 28;
	mem_probe_write(c, la, n + 80);
	env_store(c, la, small);
	for (unsigned k = 0; k < 8; k++)
		write_mem10(c, la + n + 10 * k, (const uint8_t *)&c->st[x87_phys(c, k)]);
	x87_init(c);
}

void op_frstor(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	if (unlikely(c->cr0 & (CR0_EM | CR0_TS)))
		cpu_fault(c, EXC_NM, 0);
	bool small = env_small(i, 108);
	unsigned n = small ? 14 : 28;
	uint8_t regs[80];
	mem_read_block(c, la + n, regs, 80);
	env_load(c, la, small);
	for (unsigned k = 0; k < 8; k++)
		memcpy(&c->st[x87_phys(c, k)], regs + 10 * k, 10);
}
