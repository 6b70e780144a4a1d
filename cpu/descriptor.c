/*
 * descriptor.c - descriptor tables and segment loads as 64-bit mode sees
 * them: GDT/LDT lookups, MOV/POP Sreg, LGDT LIDT LLDT LTR and their stores,
 * IRETQ and far RET.
 *
 * SDM vol. 3A chapter 3 (§3.4.5 descriptors, §3.5 system descriptors),
 * §5.4-§5.8 (privilege checks), §6.14.3 (IRET in IA-32e mode); vol. 2A/2B
 * pages of LGDT, LTR, MOV, IRET, RET.  AMD APM vol. 2 §4.
 *
 * In 64-bit mode segmentation is mostly off: bases of CS/SS/DS/ES are
 * treated as 0 and limits are not checked, but selectors and descriptor
 * attributes are still checked when loaded, and those checks are what
 * IRETQ to user mode, MOV SS and friends raise #GP(selector) from.
 */
#include "apic.h"
#include "cpu.h"
#include "flags.h"
#include "mmu.h"
#include "operand.h"
#include "system.h"

/* Descriptor bits (high dword = bits 63:32 of the 8-byte descriptor). */
#define D_S     (1ULL << 44)  /* code/data (1) or system (0) */
#define D_P     (1ULL << 47)
#define D_L     (1ULL << 53)
#define D_DB    (1ULL << 54)
#define D_TYPE(d) ((unsigned)((d) >> 40) & 0xF)
#define D_DPL(d)  ((unsigned)((d) >> 45) & 3)
#define T_CODE  8u   /* type bit 3: code */
#define T_CONF  4u   /* code: conforming; data: expand-down */
#define T_RW    2u   /* code: readable; data: writable */
#define T_ACC   1u   /* accessed */

/* Which table a selector indexes, and its limit. */
static bool table_of(struct cpu *c, uint16_t sel, uint64_t *base, uint32_t *limit)
{
	if (sel & 4) {  /* TI = 1: the LDT, if one is loaded */
		if ((c->ldtr.sel & 0xFFFC) == 0 || !(c->ldtr.attr & SA_P))
			return false;
		*base = c->ldtr.base;
		*limit = c->ldtr.limit;
	} else {
		*base = c->gdtr.base;
		*limit = c->gdtr.limit;
	}
	return true;
}

bool desc_read(struct cpu *c, uint16_t sel, uint64_t *desc)
{
	uint64_t base;
	uint32_t limit;
	if (!table_of(c, sel, &base, &limit) || (uint32_t)(sel & 0xFFF8) + 7 > limit)
		return false;
	*desc = mem_read_sys(c, base + (sel & 0xFFF8), 8);
	return true;
}

/* The processor sets the accessed bit of a descriptor it loads
 * (SDM §3.4.5.1); an implicit supervisor write. */
static void desc_set_accessed(struct cpu *c, uint16_t sel, uint64_t *d)
{
	uint64_t base;
	uint32_t limit;
	if (D_TYPE(*d) & T_ACC)
		return;
	*d |= 1ULL << 40;
	if (table_of(c, sel, &base, &limit))
		mem_write_sys(c, base + (sel & 0xFFF8) + 5, 1, (*d >> 40) & 0xFF);
}

void seg_from_desc(struct seg *s, uint16_t sel, uint64_t d)
{
	uint32_t lo = (uint32_t)d, hi = (uint32_t)(d >> 32);
	uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);
	s->sel = sel;
	s->attr = SA_FROM_DESC_HI(hi);
	s->base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
	s->limit = (s->attr & SA_G) ? (limit << 12) | 0xFFF : limit;
}

/* A NULL selector in DS/ES/FS/GS (or SS at CPL < 3): unusable. */
static void seg_null(struct cpu *c, int sreg, uint16_t sel)
{
	struct seg *s = &c->seg[sreg];
	s->sel = sel;
	s->attr = 0;
	s->limit = 0;
	/* Loading a NULL selector into FS/GS: Intel zeroes the base, older
	 * AMD processors keep it (Linux: X86_BUG_NULL_SEG). */
	if (sreg == SEG_FS || sreg == SEG_GS) {
		if (c->vendor == VENDOR_INTEL)
			s->base = 0;
	} else {
		s->base = 0;
	}
	if (sreg == SEG_SS)  /* a usable stack in 64-bit mode, DPL = RPL */
		s->attr = (uint16_t)(0xC093 | ((sel & 3) << 5)), s->limit = 0xFFFFFFFF;
}

/*
 * seg_load - MOV Sreg, r/m and POP Sreg in 64-bit mode (SDM vol. 2B MOV,
 * "IF SS is loaded" / "IF DS, ES, FS, or GS is loaded" branches):
 *  SS: NULL allowed only at CPL < 3 with RPL = CPL, else #GP(0); RPL and
 *      DPL must equal CPL and the segment be writable data, else
 *      #GP(selector); not present: #SS(selector).
 *  DS/ES/FS/GS: NULL always allowed; data or readable code, and for data
 *      and non-conforming code DPL >= max(CPL, RPL), else #GP(selector);
 *      not present: #NP(selector).
 * FS/GS: the base comes from the (32-bit) descriptor base.
 */
void seg_load(struct cpu *c, int sreg, uint16_t sel)
{
	uint16_t err = sel & 0xFFFC;
	unsigned rpl = sel & 3, cpl = (unsigned)c->cpl;
	uint64_t d;

	if (sreg == SEG_CS)
		cpu_fault(c, EXC_UD, 0);
	if ((sel & 0xFFFC) == 0) {
		if (sreg == SEG_SS && (cpl == 3 || rpl != cpl))
			cpu_fault(c, EXC_GP, 0);
		seg_null(c, sreg, sel);
		return;
	}
	if (!desc_read(c, sel, &d) || !(d & D_S))
		cpu_fault(c, EXC_GP, err);
	unsigned t = D_TYPE(d), dpl = D_DPL(d);
	if (sreg == SEG_SS) {
		if (rpl != cpl || dpl != cpl || (t & T_CODE) || !(t & T_RW))
			cpu_fault(c, EXC_GP, err);
		if (!(d & D_P))
			cpu_fault(c, EXC_SS, err);
	} else {
		if ((t & T_CODE) && !(t & T_RW))  /* execute-only code */
			cpu_fault(c, EXC_GP, err);
		if ((!(t & T_CODE) || !(t & T_CONF)) && (dpl < cpl || dpl < rpl))
			cpu_fault(c, EXC_GP, err);
		if (!(d & D_P))
			cpu_fault(c, EXC_NP, err);
	}
	desc_set_accessed(c, sel, &d);
	struct seg s;
	seg_from_desc(&s, sel, d);
	c->seg[sreg] = s;
	cpu_leave_block(c);
}

/* MOV Sreg, r/m16 and MOV r/m, Sreg (SDM vol. 2B MOV).  Loading CS is
 * #UD; loading SS opens an interrupt shadow.  A store to a 32/64-bit register zero-extends the selector (what
 * current processors do); a store to memory writes 16 bits. */
void op_mov_sreg(struct cpu *c, const struct insn *i)
{
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	if (i->o[0].kind == OK_SREG) {
		uint64_t v;
		if (i->o[1].kind == OK_MEM)
			v = mem_read(c, insn_la(c, i), 2);
		else
			v = c->r[i->o[1].reg];
		seg_load(c, i->o[0].reg, (uint16_t)v);
		if (i->o[0].reg == SEG_SS) {
			/* MOV SS inhibits interrupts and the single-step trap
			 * until the next instruction has run, so that
			 * "mov ss, ax; mov rsp, rbx" switches stacks with
			 * nothing in between (SDM vol. 2B MOV, vol. 3A §6.8.3):
			 * the #DB comes after that next instruction. */
			cpu_set_shadow(c);
			c->pending_db = 0;
		}
	} else {
		uint16_t v = c->seg[i->o[1].reg].sel;
		if (i->o[0].kind == OK_MEM)
			mem_write(c, insn_la(c, i), 2, v);
		else
			gpr_write(c, i->o[0].reg, i->o[0].size < 2 ? 2 : i->o[0].size, v);
	}
}

/* ---- descriptor-table registers ---------------------------------- */

static void need_cpl0(struct cpu *c)
{
	if (c->cpl != 0)
		cpu_fault(c, EXC_GP, 0);
}

/* LGDT/LIDT m16&64 (SDM vol. 2A LGDT/LIDT): CPL 0, memory operand only;
 * in 64-bit mode the base is 8 bytes whatever the operand size.  A
 * non-canonical base raises #GP(0). */
static void load_dtr(struct cpu *c, const struct insn *i, struct dtr *r)
{
	if (i->lock || i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	uint64_t ea = insn_ea(c, i);
	uint16_t limit = (uint16_t)mem_read(c, ea, 2);
	uint64_t base = mem_read(c, ea + 2, 8);
	if (!is_canonical(base))
		cpu_fault(c, EXC_GP, 0);
	r->limit = limit;
	r->base = base;
}

void op_lgdt(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->gdtr); }
void op_lidt(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->idtr); }

/* SGDT/SIDT m (SDM vol. 2B): stores limit and the 8-byte base; allowed at
 * any CPL (CR4.UMIP is not modelled or advertised). */
static void store_dtr(struct cpu *c, const struct insn *i, const struct dtr *r)
{
	if (i->lock || i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	uint64_t ea = insn_ea(c, i);
	mem_probe_write(c, ea, 10);
	mem_write(c, ea, 2, r->limit);
	mem_write(c, ea + 2, 8, r->base);
}

void op_sgdt(struct cpu *c, const struct insn *i) { store_dtr(c, i, &c->gdtr); }
void op_sidt(struct cpu *c, const struct insn *i) { store_dtr(c, i, &c->idtr); }

/* Read the 16-byte system descriptor (LDT, TSS) `sel` names in the GDT. */
static uint64_t sysdesc_read(struct cpu *c, uint16_t sel, unsigned want_type,
			     uint64_t *base)
{
	uint16_t err = sel & 0xFFFC;
	uint64_t d;
	if (err == 0 || (sel & 4))
		cpu_fault(c, EXC_GP, err);
	if ((uint32_t)(sel & 0xFFF8) + 15 > c->gdtr.limit || !desc_read(c, sel, &d))
		cpu_fault(c, EXC_GP, err);
	if ((d & D_S) || D_TYPE(d) != want_type)
		cpu_fault(c, EXC_GP, err);
	if (!(d & D_P))
		cpu_fault(c, EXC_NP, err);
	uint64_t hi = mem_read_sys(c, c->gdtr.base + (sel & 0xFFF8) + 8, 8);
	struct seg s;
	seg_from_desc(&s, sel, d);
	*base = (s.base & 0xFFFFFFFFULL) | ((hi & 0xFFFFFFFFULL) << 32);
	if (!is_canonical(*base))
		cpu_fault(c, EXC_GP, err);
	return d;
}

static uint16_t sel_operand(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind == OK_MEM)
		return (uint16_t)mem_read(c, insn_la(c, i), 2);
	return (uint16_t)c->r[i->o[0].reg];
}

/* LTR r/m16 (SDM vol. 2A LTR): CPL 0; an available 64-bit TSS (type 9) in
 * the GDT; marks it busy (type 0xB) in memory. */
void op_ltr(struct cpu *c, const struct insn *i)
{
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	uint16_t sel = sel_operand(c, i);
	uint64_t base;
	uint64_t d = sysdesc_read(c, sel, 9, &base);
	d |= 2ULL << 40;  /* busy */
	mem_write_sys(c, c->gdtr.base + (sel & 0xFFF8) + 5, 1, (d >> 40) & 0xFF);
	seg_from_desc(&c->tr, sel, d);
	c->tr.base = base;
}

/* LLDT r/m16 (SDM vol. 2A LLDT): CPL 0; NULL makes the LDT unusable;
 * otherwise an LDT descriptor (type 2) in the GDT. */
void op_lldt(struct cpu *c, const struct insn *i)
{
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	uint16_t sel = sel_operand(c, i);
	if ((sel & 0xFFFC) == 0) {
		c->ldtr.sel = sel;
		c->ldtr.attr = 0;
		c->ldtr.base = 0;
		c->ldtr.limit = 0;
		return;
	}
	uint64_t base;
	uint64_t d = sysdesc_read(c, sel, 2, &base);
	seg_from_desc(&c->ldtr, sel, d);
	c->ldtr.base = base;
}

/* STR/SLDT r/m16 (SDM vol. 2B): any CPL; a register destination gets the
 * selector zero-extended to the operand size. */
static void store_sel(struct cpu *c, const struct insn *i, uint16_t v)
{
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	if (i->o[0].kind == OK_MEM)
		mem_write(c, insn_la(c, i), 2, v);
	else
		gpr_write(c, i->o[0].reg, i->o[0].size < 2 ? 2 : i->o[0].size, v);
}

void op_str(struct cpu *c, const struct insn *i) { store_sel(c, i, c->tr.sel); }
void op_sldt(struct cpu *c, const struct insn *i) { store_sel(c, i, c->ldtr.sel); }

/* ---- returns to another code segment ------------------------------ */

/*
 * Check a code selector popped by IRETQ / RETF (SDM vol. 2A IRET
 * "PROTECTED-MODE-RETURN", RET "RETURN-TO-OTHER-PRIVILEGE-LEVEL"):
 * NULL -> #GP(0); beyond the table or not code -> #GP(sel); RPL < CPL ->
 * #GP(sel); conforming with DPL > RPL or non-conforming with DPL != RPL ->
 * #GP(sel); not present -> #NP(sel).
 */
static uint64_t check_ret_cs(struct cpu *c, uint16_t sel)
{
	uint16_t err = sel & 0xFFFC;
	uint64_t d;
	if (err == 0)
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, sel, &d) || !(d & D_S) || !(D_TYPE(d) & T_CODE))
		cpu_fault(c, EXC_GP, err);
	unsigned rpl = sel & 3;
	if (rpl < (unsigned)c->cpl)
		cpu_fault(c, EXC_GP, err);
	if ((D_TYPE(d) & T_CONF) ? D_DPL(d) > rpl : D_DPL(d) != rpl)
		cpu_fault(c, EXC_GP, err);
	if (!(d & D_P))
		cpu_fault(c, EXC_NP, err);
	if ((d & D_L) && (d & D_DB))
		cpu_fault(c, EXC_GP, err);
	return d;
}

/* Check the SS popped for a return to privilege `rpl` (64-bit target) and
 * build its new hidden state in *out: NULL is allowed for a 64-bit target
 * at RPL < 3; otherwise RPL and DPL must equal the new CPL and the segment
 * be writable data. */
static void check_ret_ss(struct cpu *c, uint16_t sel, unsigned rpl, struct seg *out)
{
	uint16_t err = sel & 0xFFFC;
	uint64_t d;
	if (err == 0) {
		if (rpl == 3 || (sel & 3) != rpl)
			cpu_fault(c, EXC_GP, 0);
		out->sel = sel;
		out->base = 0;
		out->limit = 0xFFFFFFFF;
		out->attr = (uint16_t)(0xC093 | (rpl << 5));
		return;
	}
	if ((sel & 3) != rpl || !desc_read(c, sel, &d) || !(d & D_S) ||
	    (D_TYPE(d) & T_CODE) || !(D_TYPE(d) & T_RW) || D_DPL(d) != rpl)
		cpu_fault(c, EXC_GP, err);
	if (!(d & D_P))
		cpu_fault(c, EXC_SS, err);
	seg_from_desc(out, sel, d);
}

/* Commit a return: CS/CPL, SS, RSP, RIP, and on a return to an outer
 * level the data segments the new CPL may not use become NULL
 * (SDM IRET: "FOR each SegReg in (ES, FS, GS, and DS)"). */
static void commit_return(struct cpu *c, uint16_t cs, uint64_t csd,
			  const struct seg *ss, uint64_t rip, uint64_t rsp)
{
	int new_cpl = cs & 3;
	bool outer = new_cpl > c->cpl;
	if (new_cpl != c->cpl)
		cpu_set_cpl(c, new_cpl);
	seg_from_desc(&c->seg[SEG_CS], cs, csd);
	if (ss)
		c->seg[SEG_SS] = *ss;
	if (outer) {
		static const int dsegs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
		for (unsigned k = 0; k < 4; k++) {
			struct seg *s = &c->seg[dsegs[k]];
			unsigned t = SA_TYPE(s->attr);
			bool usable = (s->sel & 0xFFFC) && (s->attr & SA_P);
			if (usable && ((t & T_CODE) == 0 || (t & T_CONF) == 0) &&
			    SA_DPL(s->attr) < (unsigned)new_cpl) {
				s->sel = 0;
				s->attr = 0;  /* base kept: FS/GS bases live in MSRs */
			}
		}
	}
	c->r[R_RSP] = rsp;
	c->rip = rip;
	cpu_leave_block(c);
}

/*
 * IRETQ / IRETD / IRET in 64-bit mode (SDM vol. 2A IRET, IA-32e branch;
 * vol. 3A §6.14.3).  Pops RIP, CS, RFLAGS, RSP, SS - always all five in
 * 64-bit mode - at the operand size.
 *   NT = 1                         -> #GP(0) (no task return in IA-32e mode)
 *   CS/SS checks                   -> #GP(selector), #NP/#SS(selector)
 *   non-canonical RIP              -> #GP(0) at the IRETQ
 *   return to compatibility mode   -> not modelled: machine stops
 * RFLAGS: IOPL changes only at CPL 0, IF only at CPL <= IOPL, VIF/VIP
 * only at CPL 0; VM is never set in IA-32e mode.  RF is taken from the
 * frame.  A TF in the frame traps after the first instruction at the
 * return address (the single-step condition is sampled at the start of
 * each instruction by the run loop).
 */
void op_iret(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz ? i->osz : 8;
	uint64_t sp = c->r[R_RSP];

	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	uint64_t fl = flags_get(c);
	if (fl & F_NT)
		cpu_fault(c, EXC_GP, 0);
	if (!is_canonical(sp) || !is_canonical(sp + 5 * sz - 1))
		cpu_fault(c, EXC_SS, 0);
	uint64_t rip = mem_read(c, sp, sz);
	uint16_t cs = (uint16_t)mem_read(c, sp + sz, 2);
	uint64_t nfl = mem_read(c, sp + 2 * sz, sz);
	uint64_t rsp = mem_read(c, sp + 3 * sz, sz);
	uint16_t ss = (uint16_t)mem_read(c, sp + 4 * sz, 2);

	uint64_t csd = check_ret_cs(c, cs);
	unsigned rpl = cs & 3;
	struct seg nss;
	check_ret_ss(c, ss, rpl, &nss);
	if (!(csd & D_L))
		cpu_unsupported(c, "IRET at RIP 0x%llx returns to compatibility mode "
				"(CS=0x%x is not a 64-bit code segment); lstar v1 models "
				"64-bit mode only", (unsigned long long)(c->rip - i->len), cs);
	if (!is_canonical(rip))
		cpu_fault(c, EXC_GP, 0);

	/* Which RFLAGS bits the frame may change, from the *old* CPL. */
	uint64_t mask = F_ARITH | F_TF | F_DF | F_NT | F_RF | F_AC | F_ID;
	if (c->cpl == 0)
		mask |= F_IOPL | F_VIF | F_VIP;
	if ((unsigned)c->cpl <= ((fl & F_IOPL) >> 12))
		mask |= F_IF;
	if (sz == 2)
		mask &= 0xFFFF;
	uint64_t newfl = (fl & ~mask) | (nfl & mask);

	commit_return(c, cs, csd, &nss, rip, rsp);
	flags_set(c, newfl);
	c->event |= EV_IRET;
	if (newfl & F_IF)
		cpu_irq_window(c);   /* IRETQ opens no shadow: taken right after it */
}

/*
 * RETF [imm16] (SDM vol. 2B RET, far return in 64-bit mode): pops RIP and
 * CS at the operand size; to the same privilege level that is all; to an
 * outer level it also pops RSP and SS (after releasing imm16 bytes).
 * Called by op_ret for opcodes CA/CB.
 */
void op_retf(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz ? i->osz : 4;
	uint64_t sp = c->r[R_RSP];
	uint64_t rel = (i->opc == 0xCA) ? (i->imm & 0xFFFF) : 0;

	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	if (!is_canonical(sp) || !is_canonical(sp + 2 * sz - 1))
		cpu_fault(c, EXC_SS, 0);
	uint64_t rip = mem_read(c, sp, sz);
	uint16_t cs = (uint16_t)mem_read(c, sp + sz, 2);
	uint64_t csd = check_ret_cs(c, cs);
	unsigned rpl = cs & 3;
	uint64_t rsp = sp + 2 * sz + rel;
	if (!(csd & D_L))
		cpu_unsupported(c, "RETF at RIP 0x%llx returns to compatibility mode "
				"(CS=0x%x); lstar v1 models 64-bit mode only",
				(unsigned long long)(c->rip - i->len), cs);
	if (!is_canonical(rip))
		cpu_fault(c, EXC_GP, 0);
	if (rpl == (unsigned)c->cpl) {
		commit_return(c, cs, csd, NULL, rip, rsp);  /* SS unchanged */
		return;
	}
	/* Outer level: RSP and SS follow, then imm16 is released again. */
	uint64_t p = sp + 2 * sz + rel;
	if (!is_canonical(p + 2 * sz - 1))
		cpu_fault(c, EXC_SS, 0);
	rsp = mem_read(c, p, sz) + rel;
	struct seg nss;
	check_ret_ss(c, (uint16_t)mem_read(c, p + sz, 2), rpl, &nss);
	commit_return(c, cs, csd, &nss, rip, rsp);
}

/*
 * Far JMP/CALL through memory, m16:16/32/64 (FF /5, FF /3; SDM vol. 2A JMP
 * and CALL, "far jump/call to a conforming or non-conforming code
 * segment" in IA-32e mode).  Only a code segment at the same privilege is
 * modelled: conforming with DPL <= CPL, or non-conforming with RPL <= CPL
 * and DPL = CPL, else #GP(selector); not present -> #NP(selector); a
 * non-canonical offset -> #GP(0).  Call gates (and TSS/task gates) are not
 * modelled and stop the machine with a message; so does a 32-bit target
 * (compatibility mode).  The register form is #UD.  Direct far JMP/CALL
 * (EA/9A) do not exist in 64-bit mode.
 */
static uint64_t far_target(struct cpu *c, const struct insn *i, uint16_t *sel_out,
			   uint64_t *desc_out, const char *what)
{
	if (i->lock || i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	unsigned sz = i->osz ? i->osz : 4;
	uint64_t ea = insn_ea(c, i);
	uint64_t off = mem_read(c, ea, sz);
	uint16_t sel = (uint16_t)mem_read(c, ea + sz, 2);
	uint16_t err = sel & 0xFFFC;
	unsigned cpl = (unsigned)c->cpl;
	uint64_t d;

	if (err == 0)
		cpu_fault(c, EXC_GP, 0);
	if (!desc_read(c, sel, &d))
		cpu_fault(c, EXC_GP, err);
	if (!(d & D_S))
		cpu_unsupported(c, "far %s at RIP 0x%llx through a system descriptor "
				"(selector 0x%x: call gate or TSS); lstar v1 does not model "
				"call gates or task switches", what,
				(unsigned long long)(c->rip - i->len), sel);
	unsigned t = D_TYPE(d), dpl = D_DPL(d);
	if (!(t & T_CODE))
		cpu_fault(c, EXC_GP, err);
	if ((t & T_CONF) ? dpl > cpl : ((sel & 3) > cpl || dpl != cpl))
		cpu_fault(c, EXC_GP, err);
	if (!(d & D_P))
		cpu_fault(c, EXC_NP, err);
	if (!(d & D_L))
		cpu_unsupported(c, "far %s at RIP 0x%llx to compatibility mode (CS=0x%x); "
				"lstar v1 models 64-bit mode only", what,
				(unsigned long long)(c->rip - i->len), sel);
	if (d & D_DB)
		cpu_fault(c, EXC_GP, err);
	if (sz == 4)
		off &= 0xFFFFFFFFULL;
	else if (sz == 2)
		off &= 0xFFFF;
	if (!is_canonical(off))
		cpu_fault(c, EXC_GP, 0);
	*sel_out = (uint16_t)(err | cpl);  /* RPL <- CPL */
	*desc_out = d;
	return off;
}

void op_far_jmp(struct cpu *c, const struct insn *i)
{
	uint16_t sel;
	uint64_t d, off = far_target(c, i, &sel, &d, "JMP");
	seg_from_desc(&c->seg[SEG_CS], sel, d);
	c->rip = off;
	cpu_leave_block(c);
}

void op_far_call(struct cpu *c, const struct insn *i)
{
	uint16_t sel;
	uint64_t d, off = far_target(c, i, &sel, &d, "CALL");
	unsigned sz = i->osz ? i->osz : 4;
	uint64_t sp = c->r[R_RSP] - 2 * sz;
	if (!is_canonical(sp) || !is_canonical(c->r[R_RSP] - 1))
		cpu_fault(c, EXC_SS, 0);
	mem_probe_write(c, sp, 2 * sz);
	mem_write(c, sp + sz, sz, c->seg[SEG_CS].sel);  /* CS, zero-extended */
	mem_write(c, sp, sz, c->rip);                  /* return RIP */
	c->r[R_RSP] = sp;
	seg_from_desc(&c->seg[SEG_CS], sel, d);
	c->rip = off;
	cpu_leave_block(c);
}
