/*
 * system.c - SYSCALL, SYSRET, SWAPGS, the FS/GS base instructions, RDMSR/
 * WRMSR, RDTSC(P), MOV CRn/DRn, INVLPG, CLI/STI, port I/O, HLT and INT n.
 *
 * Contract: syscall-sysret.md §1-§4.  Oracle: Intel SDM vol. 2A/2B (the
 * instruction pages, whose pseudo-code order each handler follows) and
 * vol. 3A §5.8.8 "Fast System Calls in 64-Bit Mode"; AMD APM vol. 2 §6.1
 * and vol. 3 for `--vendor amd`.
 *
 * Reminder of the handler contract (cpu.h): c->rip is already the next
 * instruction; every check and every faulting access comes before the
 * first change of architectural state.
 */
#include <stdio.h>

#include "apic.h"
#include "cpu.h"
#include "flags.h"
#include "mmu.h"
#include "operand.h"
#include "system.h"
#include "bus.h"
#include "msr/msr.h"

static inline uint64_t insn_start(const struct cpu *c, const struct insn *i)
{
	return c->rip - i->len;
}

static inline unsigned iopl(const struct cpu *c)
{
	return (unsigned)(c->rflags >> 12) & 3;
}

static inline void no_lock(struct cpu *c, const struct insn *i)
{
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
}

static inline void need_cpl0(struct cpu *c)
{
	if (c->cpl != 0)
		cpu_fault(c, EXC_GP, 0);
}

/* 64-bit mode = IA32_EFER.LMA and CS.L (compatibility mode is not
 * modelled, so this holds whenever lstar executes code). */
static inline bool long64(const struct cpu *c)
{
	return (c->efer & LSTAR_MSR_EFER_LMA) && (c->seg[SEG_CS].attr & SA_L);
}

static void flat_seg(struct seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xFFFFFFFF;
	s->attr = attr;
}

/*
 * SYSCALL (0F 05) - SDM vol. 2B "SYSCALL", vol. 3A §5.8.8; APM vol. 3.
 *   #UD: LOCK; not in 64-bit mode (Intel; AMD would use CSTAR from
 *        compatibility mode, which lstar does not model); EFER.SCE = 0.
 *   No CPL check, no memory access, RSP untouched, GS not swapped.
 *     RCX    <- RIP of the next instruction
 *     R11    <- RFLAGS with RF cleared
 *     RFLAGS <- RFLAGS & ~IA32_FMASK, RF <- 0 (bit 1 stays 1)
 *     CS     <- STAR[47:32] & 0xFFFC, hidden part fixed (flat, DPL 0, L=1)
 *     SS     <- (STAR[47:32] + 8) & 0xFFFC  (choice: RPL masked like
 *               Bochs/QEMU; the SDM loads it unmasked), fixed flat DPL 0
 *     CPL    <- 0, RIP <- IA32_LSTAR
 * Single step: the trap condition is the RFLAGS *after* the masking, so
 * an FMASK that clears TF means no #DB in the kernel (spec choice).
 */
void op_syscall(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (!long64(c) || !(c->efer & LSTAR_MSR_EFER_SCE))
		cpu_fault(c, EXC_UD, 0);

	uint64_t fl = flags_get(c);
	uint16_t sel = (uint16_t)(c->star >> 32);

	c->r[R_RCX] = c->rip;
	c->r[R_R11] = fl & ~F_RF;
	fl &= ~(c->fmask | F_RF);
	cpu_set_cpl(c, 0);
	flat_seg(&c->seg[SEG_CS], sel & 0xFFFC, SA_KCODE64);
	flat_seg(&c->seg[SEG_SS], (uint16_t)((sel + 8) & 0xFFFC), SA_KDATA);
	flags_set(c, fl);
	c->rip = c->lstar;

	c->pending_db = (fl & F_TF) != 0;
	c->event |= EV_SYSCALL;
	cpu_leave_block(c);
}

/*
 * SYSRET (0F 07; REX.W 0F 07 = SYSRETQ) - SDM vol. 2B "SYSRET"; APM vol. 3.
 *   #UD: LOCK; not in 64-bit mode; EFER.SCE = 0 (checked before the CPL,
 *        so SYSRET at CPL 3 with SCE clear is #UD).
 *   #GP(0): CPL != 0.
 *   Intel only: SYSRETQ with a non-canonical RCX raises #GP(0) here, at
 *   CPL 0, before anything changes - the frame lands on whatever RSP the
 *   kernel had loaded (the user's, with Linux's exit path: CVE-2012-0217).
 *   AMD completes the return to CPL 3 and the #GP(0) comes from fetching
 *   the non-canonical RIP, with the usual stack switch to TSS.RSP0.
 * Effect (64-bit form):
 *     RIP    <- RCX
 *     RFLAGS <- (R11 & 0x3C7FD7) | 2   (RF, VM, reserved bits dropped)
 *     CS     <- (STAR[63:48] + 16) | 3, fixed flat DPL 3, L=1
 *     SS     <- (STAR[63:48] + 8) | 3, fixed flat DPL 3 (AMD's "SS
 *               attributes kept" quirk is not modelled)
 *     CPL    <- 3; RSP, RCX, R11 unchanged.
 * The 32-bit form returns to compatibility mode, which lstar v1 does not
 * model: the machine stops with STOP_UNSUPPORTED at the SYSRET.
 * Single step: R11.TF set -> #DB right after SYSRET, before any user
 * instruction (pending_db comes from the new RFLAGS).
 */
void op_sysret(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (!long64(c) || !(c->efer & LSTAR_MSR_EFER_SCE))
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);

	bool q = i->rex_w || i->osz == 8;
	uint64_t rip = q ? c->r[R_RCX] : (uint32_t)c->r[R_RCX];
	uint16_t base = (uint16_t)(c->star >> 48);

	if (q && !is_canonical(rip) && c->vendor == VENDOR_INTEL)
		cpu_fault(c, EXC_GP, 0);
	if (!q) {
		c->rip = insn_start(c, i);
		cpu_unsupported(c, "SYSRET without REX.W at RIP 0x%llx would return to "
				"compatibility mode (CS=0x%x, EIP=0x%llx); lstar v1 models "
				"64-bit mode only - use SYSRETQ (48 0F 07)",
				(unsigned long long)c->rip, base | 3,
				(unsigned long long)rip);
	}

	uint64_t fl = (c->r[R_R11] & 0x3C7FD7ULL) | F_1;
	cpu_set_cpl(c, 3);
	flat_seg(&c->seg[SEG_CS], (uint16_t)((base + 16) | 3), SA_UCODE64);
	flat_seg(&c->seg[SEG_SS], (uint16_t)((base + 8) | 3), SA_UDATA);
	flags_set(c, fl);
	c->rip = rip;

	c->pending_db = (fl & F_TF) != 0;
	c->event |= EV_SYSRET;
	cpu_leave_block(c);
	if (fl & F_IF)
		cpu_irq_window(c);   /* a waiting interrupt is taken at CPL 3 */

	/* AMD: the return completed; the first fetch at CPL 3 faults. */
	if (!is_canonical(rip))
		cpu_deliver(c, EXC_GP, true, 0, false);
}

/* SWAPGS (0F 01 F8) - SDM vol. 2B: #UD outside 64-bit mode or with LOCK,
 * #GP(0) at CPL != 0; exchanges GS.base with IA32_KERNEL_GS_BASE. */
void op_swapgs(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (!long64(c))
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	uint64_t t = c->seg[SEG_GS].base;
	c->seg[SEG_GS].base = c->kernel_gs_base;
	c->kernel_gs_base = t;
}

/* RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE (F3 [REX.W] 0F AE /0-/3) - SDM vol.
 * 2B: #UD with LOCK or CR4.FSGSBASE = 0; any CPL; the 32-bit forms
 * zero-extend; WR*BASE with a non-canonical 64-bit value -> #GP(0). */
static void fsgs_check(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (!long64(c) || !(c->cr4 & CR4_FSGSBASE))
		cpu_fault(c, EXC_UD, 0);
}

static void rdbase(struct cpu *c, const struct insn *i, int sreg)
{
	fsgs_check(c, i);
	gpr_write(c, i->o[0].reg, i->o[0].size, c->seg[sreg].base);
}

static void wrbase(struct cpu *c, const struct insn *i, int sreg)
{
	fsgs_check(c, i);
	uint64_t v = c->r[i->o[0].reg] & size_mask(i->o[0].size);
	if (!is_canonical(v))
		cpu_fault(c, EXC_GP, 0);
	c->seg[sreg].base = v;
}

void op_rdfsbase(struct cpu *c, const struct insn *i) { rdbase(c, i, SEG_FS); }
void op_rdgsbase(struct cpu *c, const struct insn *i) { rdbase(c, i, SEG_GS); }
void op_wrfsbase(struct cpu *c, const struct insn *i) { wrbase(c, i, SEG_FS); }
void op_wrgsbase(struct cpu *c, const struct insn *i) { wrbase(c, i, SEG_GS); }

/* RDMSR (0F 32) / WRMSR (0F 30) - SDM vol. 2B; spec §1.  Order: LOCK ->
 * #UD; CPL != 0 -> #GP(0); index (ECX, the upper half of RCX ignored) not
 * modelled or value refused -> #GP(0).  A faulting RDMSR leaves RAX/RDX,
 * a faulting WRMSR the MSR, as they were (msr/msr.c checks first). */
void op_rdmsr(struct cpu *c, const struct insn *i)
{
	uint64_t v;
	no_lock(c, i);
	need_cpl0(c);
	if (!msr_read(c, (uint32_t)c->r[R_RCX], &v))
		cpu_fault(c, EXC_GP, 0);
	c->r[R_RAX] = (uint32_t)v;
	c->r[R_RDX] = v >> 32;
}

void op_wrmsr(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	need_cpl0(c);
	uint64_t v = (c->r[R_RDX] << 32) | (uint32_t)c->r[R_RAX];
	if (!msr_write(c, (uint32_t)c->r[R_RCX], v))
		cpu_fault(c, EXC_GP, 0);
	cpu_leave_block(c);
}

/* RDTSC (0F 31) / RDTSCP (0F 01 F9) - SDM vol. 2B: #GP(0) when CR4.TSD = 1
 * and CPL > 0.  TSC = icount * TSC_SCALE + idle_ticks + offset:
 * deterministic guest time (cpu_tsc).  RDTSCP also loads ECX with
 * IA32_TSC_AUX[31:0]. */
static uint64_t rdtsc_common(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if ((c->cr4 & (1ULL << 2)) && c->cpl != 0)  /* CR4.TSD */
		cpu_fault(c, EXC_GP, 0);
	uint64_t t = cpu_tsc(c);
	c->r[R_RAX] = (uint32_t)t;
	c->r[R_RDX] = t >> 32;
	return t;
}

void op_rdtsc(struct cpu *c, const struct insn *i) { rdtsc_common(c, i); }

void op_rdtscp(struct cpu *c, const struct insn *i)
{
	rdtsc_common(c, i);
	c->r[R_RCX] = (uint32_t)c->tsc_aux;
}

/* ---- control and debug registers --------------------------------- */

#define CR0_VALID (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | \
		   CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
#define CR4_TSD (1ULL << 2)
#define CR4_DE  (1ULL << 3)
#define CR4_PSE (1ULL << 4)
#define CR4_MCE (1ULL << 6)
#define CR4_PCE (1ULL << 8)
/* CR4 bits lstar accepts; any other bit set is #GP(0) (features not
 * advertised: VME PVI PGE UMIP LA57 VMXE SMXE PCIDE SMEP SMAP PKE
 * CET...).  DE and MCE are accepted and have no further effect; OSXSAVE
 * only on a CPU model with XSAVE (cpu/xsave.c). */
#define CR4_VALID (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PCE | \
		   CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | CR4_OSXSAVE)

static void write_cr0(struct cpu *c, uint64_t v)
{
	if ((v >> 32) ||
	    ((v & CR0_PG) && !(v & CR0_PE)) ||
	    ((v & CR0_NW) && !(v & CR0_CD)) ||
	    ((c->efer & LSTAR_MSR_EFER_LMA) && !(v & CR0_PG)))  /* leaving IA-32e mode */
		cpu_fault(c, EXC_GP, 0);
	/* Reserved bits 31:0 are ignored; ET is hardwired to 1. */
	v = (v & CR0_VALID) | CR0_ET;
	uint64_t diff = v ^ c->cr0;
	c->cr0 = v;
	if (diff & (CR0_PG | CR0_WP | CR0_PE))
		tlb_flush_all(c);
}

static void write_cr4(struct cpu *c, uint64_t v)
{
	if ((v & ~CR4_VALID) || ((c->efer & LSTAR_MSR_EFER_LMA) && !(v & CR4_PAE)) ||
	    ((v & CR4_OSXSAVE) && !(c->features & CPUF_XSAVE)))
		cpu_fault(c, EXC_GP, 0);
	uint64_t diff = v ^ c->cr4;
	c->cr4 = v;
	if (diff & (CR4_PAE | CR4_PSE | CR4_PGE))
		tlb_flush_all(c);
}

/*
 * MOV CRn, r64 / MOV r64, CRn (0F 22 / 0F 20) - SDM vol. 2B "MOV--Move
 * to/from Control Registers", vol. 3A §2.5.  #UD: LOCK (AMD's LOCK MOV
 * CR0 = CR8 alias is not modelled) or a CR other than 0, 2, 3, 4, 8;
 * #GP(0): CPL != 0, reserved bits, clearing CR0.PG or CR4.PAE in IA-32e
 * mode, PG without PE, NW without CD.  CR3 writes flush the TLB (no
 * global pages: PGE is not advertised); paging-relevant CR0/CR4 changes
 * flush it too.  CR8 is the APIC's TPR[7:4]; writing it clears TPR[3:0]
 * (vol. 3A §10.8.6.1) and may let a waiting interrupt through.  Every
 * write ends the decoded block.
 * Reached from op_mov (move family) when an operand is OK_CR.
 */
void op_mov_cr(struct cpu *c, const struct insn *i)
{
	bool to_cr = i->o[0].kind == OK_CR;
	unsigned cr = to_cr ? i->o[0].reg : i->o[1].reg;
	unsigned gpr = to_cr ? i->o[1].reg : i->o[0].reg;

	no_lock(c, i);
	if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8)
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	if (!to_cr) {
		uint64_t v = cr == 0 ? c->cr0 : cr == 2 ? c->cr2 : cr == 3 ? c->cr3 :
			     cr == 4 ? c->cr4 : c->cr8;
		c->r[gpr] = v;
		return;
	}
	uint64_t v = c->r[gpr];
	switch (cr) {
	case 0: write_cr0(c, v); break;
	case 2: c->cr2 = v; break;
	case 3:
		if (v >> CPU_MAXPHYADDR)
			cpu_fault(c, EXC_GP, 0);
		c->cr3 = v;
		tlb_flush_all(c);
		break;
	case 4: write_cr4(c, v); break;
	case 8:
		if (v >> 4)
			cpu_fault(c, EXC_GP, 0);
		c->cr8 = v;
		apic_cr8_written(c);
		break;
	}
	cpu_leave_block(c);
}

/*
 * MOV DRn, r64 / MOV r64, DRn (0F 23 / 0F 21) - SDM vol. 2B, vol. 3A
 * §18.2.  DR4/DR5: #UD with CR4.DE = 1, else aliases of DR6/DR7; CPL != 0
 * -> #GP(0); DR6/DR7 bits 63:32 set -> #GP(0).  The registers are stored
 * only: lstar does not model hardware breakpoints (DR7 has no effect).
 */
void op_mov_dr(struct cpu *c, const struct insn *i)
{
	bool to_dr = i->o[0].kind == OK_DR;
	unsigned dr = to_dr ? i->o[0].reg : i->o[1].reg;
	unsigned gpr = to_dr ? i->o[1].reg : i->o[0].reg;

	no_lock(c, i);
	if (dr > 7)
		cpu_fault(c, EXC_UD, 0);
	if (dr == 4 || dr == 5) {
		if (c->cr4 & CR4_DE)
			cpu_fault(c, EXC_UD, 0);
		dr += 2;
	}
	need_cpl0(c);
	if (!to_dr) {
		c->r[gpr] = c->dr[dr];
		return;
	}
	uint64_t v = c->r[gpr];
	if (dr >= 6 && (v >> 32))
		cpu_fault(c, EXC_GP, 0);
	if (dr == 6)
		v = (v & 0xE00FULL) | 0xFFFF0FF0ULL;
	else if (dr == 7)
		v = (v & 0xFFFF2BFFULL) | 0x400;
	c->dr[dr] = v;
}

/* INVLPG m (0F 01 /7) - SDM vol. 2A: CPL 0; invalidates the translation
 * of the linear address (nothing for a non-canonical one; no fault). */
void op_invlpg(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	need_cpl0(c);
	uint64_t la = insn_lea(c, i);
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		la += c->seg[i->seg].base;
	if (is_canonical(la))
		tlb_flush_page(c, la);
	cpu_leave_block(c);
}

/* CLTS (0F 06), LMSW (0F 01 /6), SMSW (0F 01 /4) - SDM vol. 2A/2B.
 * LMSW loads CR0 bits 3:0 (PE can be set, never cleared); SMSW is allowed
 * at any CPL (UMIP not modelled). */
void op_clts(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	need_cpl0(c);
	c->cr0 &= ~CR0_TS;
	cpu_leave_block(c);
}

void op_lmsw(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	need_cpl0(c);
	uint64_t v = op_read(c, i, 0) & 0xF;
	c->cr0 = (c->cr0 & ~0xEULL) | v | (c->cr0 & CR0_PE);
	cpu_leave_block(c);
}

void op_smsw(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if (i->o[0].kind == OK_MEM)
		mem_write(c, insn_la(c, i), 2, c->cr0 & 0xFFFF);
	else
		gpr_write(c, i->o[0].reg, i->o[0].size, c->cr0);
}

/* WBINVD/INVD (0F 09 / 0F 08): CPL 0, no caches to write back. */
void op_wbinvd(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	need_cpl0(c);
}

/* ---- interrupts flag, halting, software interrupts ---------------- */

/* CLI/STI (FA/FB) - SDM vol. 2A/2B: #GP(0) when CPL > IOPL (no VME/PVI in
 * 64-bit mode).  STI with IF = 0 before it opens an interrupt shadow:
 * maskable interrupts stay inhibited on the boundary after it, so
 * "sti; hlt" and "sti; ret" cannot be interrupted in between
 * (cpu/interrupt.c). */
void op_cli(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if ((unsigned)c->cpl > iopl(c))
		cpu_fault(c, EXC_GP, 0);
	c->rflags &= ~F_IF;
}

void op_sti(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if ((unsigned)c->cpl > iopl(c))
		cpu_fault(c, EXC_GP, 0);
	if (c->rflags & F_IF)
		return;
	c->rflags |= F_IF;
	cpu_set_shadow(c);
	cpu_irq_window(c);
}

/* HLT (F4) - SDM vol. 2A: #GP(0) at CPL != 0.  With IF = 0 nothing can
 * wake the CPU (platform.md §5): the machine stops (STOP_HLT, RIP after
 * the HLT, as the CPU would resume there).  With IF = 1 the CPU waits for
 * an interrupt: cpu_halt() (cpu/interrupt.c) lets time pass up to the
 * timer's expiry, or stops the same way when nothing can ever wake it. */
void op_hlt(struct cpu *c, const struct insn *i)
{
	struct bus *b = c->bus;
	no_lock(c, i);
	need_cpl0(c);
	if (c->rflags & F_IF) {
		cpu_halt(c, i);
		return;
	}
	snprintf(b->stop_message, sizeof b->stop_message,
		 "HLT at RIP 0x%llx with interrupts disabled (IF=0): nothing can wake the CPU",
		 (unsigned long long)insn_start(c, i));
	c->stop = STOP_HLT;
	cpu_leave_block(c);
}

/* INT n (CD ib), INT3 (CC), INT1 (F1) - SDM vol. 2A "INT n/INTO/INT3/INT1".
 * INT n and INT3 are software interrupts: the gate DPL is checked against
 * the CPL (#GP(vector*8+2) at the INT otherwise), no error code, the frame
 * holds the next RIP and RF as it was.  INT1 (ICEBP) is delivered like a
 * hardware #DB: no DPL check.  INTO is invalid in 64-bit mode (#UD). */
void op_int(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	cpu_deliver(c, (int)(i->imm & 0xFF), false, 0, true);
}

void op_int3(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	cpu_deliver(c, EXC_BP, false, 0, true);
}

void op_int1(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	cpu_deliver(c, EXC_DB, false, 0, false);
}

void op_into(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_fault(c, EXC_UD, 0);
}

/* ---- port I/O ------------------------------------------------------ */

/* IN/OUT/INS/OUTS - SDM vol. 2A/2B, vol. 1 §19.5: #GP(0) when CPL > IOPL
 * (no I/O permission bitmap in v1, platform.md §5). */
static void io_check(struct cpu *c, const struct insn *i)
{
	no_lock(c, i);
	if ((unsigned)c->cpl > iopl(c))
		cpu_fault(c, EXC_GP, 0);
}

static uint16_t port_of(const struct cpu *c, const struct operand *o, const struct insn *i)
{
	return o->kind == OK_IMM ? (uint16_t)(i->imm & 0xFF) : (uint16_t)c->r[R_RDX];
}

void op_in(struct cpu *c, const struct insn *i)
{
	io_check(c, i);
	unsigned size = i->o[0].size;
	uint32_t v = bus_io_in(c->bus, port_of(c, &i->o[1], i), size);
	gpr_write(c, R_RAX, size, v);  /* IN EAX zero-extends into RAX */
}

void op_out(struct cpu *c, const struct insn *i)
{
	io_check(c, i);
	unsigned size = i->o[1].size;
	bus_io_out(c->bus, port_of(c, &i->o[0], i), size,
	       (uint32_t)(c->r[R_RAX] & size_mask(size)));
}

/* INS: ES:[RDI] <- port DX; OUTS: port DX <- seg:[RSI] (segment override
 * allowed; only FS/GS add a base).  REP repeats RCX (ECX with 67h) times;
 * registers advance after each element, so a fault resumes correctly. */
static void string_io(struct cpu *c, const struct insn *i, unsigned size, bool in)
{
	io_check(c, i);
	struct bus *b = c->bus;
	uint64_t amask = i->asz == 4 ? 0xFFFFFFFFULL : ~0ULL;
	int64_t step = (c->rflags & F_DF) ? -(int64_t)size : (int64_t)size;
	uint16_t port = (uint16_t)c->r[R_RDX];
	int idx = in ? R_RDI : R_RSI;
	bool rep = i->rep != 0;

	for (;;) {
		if (rep && (c->r[R_RCX] & amask) == 0)
			break;
		uint64_t a = c->r[idx] & amask;
		if (!in && (i->seg == SEG_FS || i->seg == SEG_GS))
			a += c->seg[i->seg].base;
		if (!is_canonical(a))
			cpu_fault(c, EXC_GP, 0);
		if (in) {
			mem_probe_write(c, a, size);  /* fault before the port read */
			mem_write(c, a, size, bus_io_in(b, port, size));
		} else {
			bus_io_out(b, port, size, (uint32_t)mem_read(c, a, size));
		}
		uint64_t r = (c->r[idx] + (uint64_t)step) & amask;
		c->r[idx] = r;
		if (!rep)
			break;
		c->r[R_RCX] = (c->r[R_RCX] - 1) & amask;
	}
}

void op_insb(struct cpu *c, const struct insn *i) { string_io(c, i, 1, true); }
void op_insw(struct cpu *c, const struct insn *i) { string_io(c, i, 2, true); }
void op_insd(struct cpu *c, const struct insn *i) { string_io(c, i, 4, true); }
void op_outsb(struct cpu *c, const struct insn *i) { string_io(c, i, 1, false); }
void op_outsw(struct cpu *c, const struct insn *i) { string_io(c, i, 2, false); }
void op_outsd(struct cpu *c, const struct insn *i) { string_io(c, i, 4, false); }
