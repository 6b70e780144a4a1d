/*
 * cpu.h - the architectural state of one x86-64 processor and the contract
 * every instruction handler in cpu/ is written against.
 *
 * Execution model (read this before writing a handler):
 *
 *  - Guest code is decoded once by Zydis into a `struct insn` (cpu/decode.c),
 *    grouped into blocks and cached; the run loop (cpu/exec.c) calls
 *    `insn->fn(cpu, insn)` for each instruction.  The handler was picked at
 *    decode time from the OP/FORM rows of cpu/ops*.def (cpu/ops.def).
 *  - When a handler runs, `cpu->rip` already holds the address of the NEXT
 *    instruction (`insn->next_rip`).  Branches overwrite it.  RIP-relative
 *    operands were folded into absolute addresses at decode time.
 *  - A handler that must raise an exception calls `cpu_fault()`, which never
 *    returns: it rewinds RIP to the start of the faulting instruction and
 *    longjmps back to the run loop, which delivers the exception through the
 *    IDT (cpu/exception.c).  So a handler must finish every check (and every
 *    memory access that can fault) before it changes architectural state.
 *    Memory writes that can fault go before register writes.
 *  - Traps that complete the instruction (INT n, INTO, INT3, the single-step
 *    #DB) are delivered with `cpu_deliver()` from inside the handler, which
 *    returns normally.
 *  - Arithmetic flags (CF PF AF ZF SF OF) are lazy: read RFLAGS only through
 *    flags_get()/cond_eval() and replace it with flags_set() (cpu/flags.h).
 *  - A handler that changes state the decoded blocks depend on (CR0, CR3,
 *    CR4, EFER, CPL, page tables through INVLPG, TF, IF...) sets
 *    calls cpu_leave_block() so the loop re-dispatches after it.
 */
#ifndef LSTAR_CPU_H
#define LSTAR_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lstar/msr.h"	/* IA32_EFER bits and the MSR numbers */

struct bus;        /* the board: cpu/bus.h */
struct cpu;
struct insn;

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* General registers, in ModRM order. */
enum { R_RAX, R_RCX, R_RDX, R_RBX, R_RSP, R_RBP, R_RSI, R_RDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
       /* Not a register: cpu.r[R_ZERO] is always 0.  A memory operand
        * without a base or an index names it (insn.ea_base/ea_index), so
        * that its address is computed without a test. */
       R_ZERO };

/* Segment registers, in the sreg encoding order. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

/* Exception vectors (SDM vol. 3A table 6-1). */
enum {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
	EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11,
	EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
	EXC_MC = 18, EXC_XM = 19,
};

/* RFLAGS bits. */
#define F_CF   (1ULL << 0)   /* carry */
#define F_1    (1ULL << 1)   /* reserved, always 1 */
#define F_PF   (1ULL << 2)   /* parity of the low result byte */
#define F_AF   (1ULL << 4)   /* carry out of bit 3 */
#define F_ZF   (1ULL << 6)   /* zero */
#define F_SF   (1ULL << 7)   /* sign */
#define F_TF   (1ULL << 8)   /* single-step trap */
#define F_IF   (1ULL << 9)   /* interrupts enabled */
#define F_DF   (1ULL << 10)  /* string direction */
#define F_OF   (1ULL << 11)  /* signed overflow */
#define F_IOPL (3ULL << 12)  /* I/O privilege level */
#define F_NT   (1ULL << 14)  /* nested task */
#define F_RF   (1ULL << 16)  /* resume (suppresses instruction breakpoints) */
#define F_VM   (1ULL << 17)  /* virtual-8086 mode (never set in long mode) */
#define F_AC   (1ULL << 18)  /* alignment check */
#define F_VIF  (1ULL << 19)  /* virtual interrupt flag */
#define F_VIP  (1ULL << 20)  /* virtual interrupt pending */
#define F_ID   (1ULL << 21)  /* CPUID available */
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
/* Bits software can ever see set (everything else reads as zero). */
#define F_VALID 0x3F7FD7ULL

/* Control register bits that lstar models (docs/cpu.md lists them). */
#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE (1ULL << 18)

/* XCR0 state components lstar implements (SDM vol. 1 13.1): x87, SSE
 * (XMM registers and MXCSR), AVX (the upper halves of the YMM registers). */
#define XCR0_X87 1ULL
#define XCR0_SSE 2ULL
#define XCR0_AVX 4ULL
#define XCR0_SUPPORTED (XCR0_X87 | XCR0_SSE | XCR0_AVX)

/*
 * Instruction-set features a CPU model may have (struct cpu.features).
 * `--cpu` picks one of the x86-64 psABI levels (cpu/cpuid.c): an
 * instruction of a feature the model lacks raises #UD, and CPUID reports
 * exactly the model's features.
 */
enum {
	CPUF_SSE3 = 1u << 0, CPUF_SSSE3 = 1u << 1, CPUF_SSE41 = 1u << 2,
	CPUF_SSE42 = 1u << 3, CPUF_POPCNT = 1u << 4, CPUF_CX16 = 1u << 5,
	CPUF_LAHF = 1u << 6, CPUF_MOVBE = 1u << 7, CPUF_LZCNT = 1u << 8,
	CPUF_BMI1 = 1u << 9, CPUF_BMI2 = 1u << 10, CPUF_AVX = 1u << 11,
	CPUF_AVX2 = 1u << 12, CPUF_FMA = 1u << 13, CPUF_F16C = 1u << 14,
	CPUF_XSAVE = 1u << 15, CPUF_AES = 1u << 16, CPUF_PCLMUL = 1u << 17,
	CPUF_SHA = 1u << 18, CPUF_RDRAND = 1u << 19, CPUF_RDSEED = 1u << 20,
	CPUF_ADX = 1u << 21,
};
/* What lstar implements so far: a level's features outside this set are
 * neither reported nor executed. */
#define CPUF_IMPLEMENTED (CPUF_SSE3 | CPUF_SSSE3 | CPUF_SSE41 | CPUF_SSE42 | \
			  CPUF_POPCNT | CPUF_CX16 | CPUF_LAHF | CPUF_MOVBE |  \
			  CPUF_LZCNT | CPUF_BMI1 | CPUF_BMI2 | CPUF_ADX |     \
			  CPUF_XSAVE | CPUF_AES | CPUF_PCLMUL | CPUF_SHA |    \
			  CPUF_RDRAND | CPUF_RDSEED | CPUF_AVX | CPUF_AVX2 | \
			  CPUF_FMA | CPUF_F16C)
/* The psABI levels (x86-64, -v2, -v3) as feature sets. */
#define CPUF_LEVEL1 0u
#define CPUF_LEVEL2 (CPUF_SSE3 | CPUF_SSSE3 | CPUF_SSE41 | CPUF_SSE42 | \
		     CPUF_POPCNT | CPUF_CX16 | CPUF_LAHF)
#define CPUF_LEVEL3 (CPUF_LEVEL2 | CPUF_MOVBE | CPUF_LZCNT | CPUF_BMI1 | \
		     CPUF_BMI2 | CPUF_AVX | CPUF_AVX2 | CPUF_FMA | CPUF_F16C | \
		     CPUF_XSAVE | CPUF_AES | CPUF_PCLMUL | CPUF_SHA |        \
		     CPUF_RDRAND | CPUF_RDSEED | CPUF_ADX)

/*
 * Segment register, visible selector plus the hidden descriptor cache.
 * `attr` packs the descriptor's access byte and flags nibble the way VMX
 * does: bits 3:0 type, 4 S, 6:5 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G.
 */
struct seg {
	uint64_t base;    /* segment base (FS/GS: the FS_BASE/GS_BASE MSRs) */
	uint32_t limit;   /* expanded limit in bytes (G applied) */
	uint16_t sel;     /* visible selector */
	uint16_t attr;    /* hidden attributes, layout above */
};
#define SA_TYPE(a) ((a) & 0xF)
#define SA_S    (1u << 4)
#define SA_DPL(a) (((a) >> 5) & 3)
#define SA_P    (1u << 7)
#define SA_L    (1u << 13)
#define SA_DB   (1u << 14)
#define SA_G    (1u << 15)
/* Attributes from a descriptor's high dword (bits 8-15 and 20-23). */
#define SA_FROM_DESC_HI(hi) ((uint16_t)((((hi) >> 8) & 0xFF) | ((((hi) >> 20) & 0xF) << 12)))

struct dtr {
	uint64_t base;    /* linear base of the GDT/IDT */
	uint16_t limit;   /* limit in bytes (size - 1) */
};

/*
 * The local APIC (x2APIC mode only; cpu/apic.c).  Vector v is bit v % 64
 * of word v / 64 in the 256-bit registers.  TPR[7:4] is CR8 (cpu.cr8);
 * only TPR[3:0] lives here.  The timer keeps its expiry as a machine
 * tick (icount * TSC_SCALE + idle_ticks, i.e. the TSC without the
 * guest's offset), so current-count reads need no per-instruction work.
 */
struct apic {
	uint64_t irr[4];         /* interrupt request register */
	uint32_t irr_any;        /* nonzero iff a bit of irr is set (one load for cpu_irq_window) */
	uint64_t isr[4];         /* in-service register */
	uint64_t timer_expiry;   /* machine tick of the next expiry; APIC_TIMER_OFF = disarmed */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE as armed; 0 = disarmed */
	uint32_t svr;            /* spurious-interrupt vector register */
	uint32_t lvt_timer, lvt_lint0, lvt_lint1, lvt_error;
	uint32_t esr;            /* error status as last latched by a write to ESR */
	uint32_t esr_pending;    /* errors seen since that write */
	uint32_t initial_count;  /* timer initial count */
	uint32_t dcr;            /* timer divide configuration */
	uint8_t tpr_lo;          /* TPR[3:0] */
};
#define APIC_TIMER_OFF UINT64_MAX
#define NO_SHADOW UINT64_MAX

/* Operand kinds in a predecoded instruction. */
enum {
	OK_NONE = 0,
	OK_GPR,       /* general register r[reg], accessed at `size` */
	OK_GPR8H,     /* AH, CH, DH, BH: bits 15:8 of r[reg] */
	OK_MEM,       /* memory at the instruction's effective address */
	OK_IMM,       /* the instruction's immediate (insn.imm) */
	OK_IMM2,      /* second immediate (ENTER) */
	OK_SREG,      /* segment register seg[reg] */
	OK_CR,        /* control register CRreg */
	OK_DR,        /* debug register DRreg */
	OK_XMM,       /* SSE register */
	OK_ST,        /* x87 stack register ST(reg) */
	OK_MMX,       /* MMX register */
	OK_OTHER,     /* anything else (e.g. implicit flags): see the handler */
};

struct operand {
	uint8_t kind;     /* OK_* */
	uint8_t reg;      /* register number for register kinds */
	uint16_t size;    /* size in bytes (for MEM: access size) */
};

typedef void (*insn_fn)(struct cpu *c, const struct insn *i);

/*
 * Observation hooks for tracing and debugging (emu/trace/trace.c, emu/gdb/gdbstub.c).
 * While cpu->hooks is set the loop takes the careful path for every
 * instruction; with a `mem` hook data accesses take the slow path (TLB
 * entries are tagged TLB_HOOKED, which the inline fast paths never match)
 * so that every memory access of an instruction reaches it (and bulk
 * string copies are done element by element, unless the hook says it has
 * seen enough: mem_each).  All callbacks are optional.
 */
struct cpu_hooks {
	void *ctx;
	/* Before the instruction at cpu->rip runs.  Nonzero: do not run it,
	 * stop with STOP_BREAKPOINT (cpu->rip stays at the instruction). */
	int (*before)(void *ctx, struct cpu *c, const struct insn *i);
	/* After it retired; cpu->event has EV_SYSCALL, EV_SYSRET, EV_IRET,
	 * EV_EXCEPTION (INT n delivered inside it) as they happened. */
	void (*after)(void *ctx, struct cpu *c, const struct insn *i);
	/* After an external interrupt from the local APIC was delivered at
	 * an instruction boundary (vector, RIP it interrupted). */
	void (*interrupt)(void *ctx, struct cpu *c, int vector, uint64_t rip);
	/* After an exception raised by a fault or a trap was delivered
	 * (vector, error code, RIP it was raised at or after). */
	void (*exception)(void *ctx, struct cpu *c, int vector, uint32_t error_code, uint64_t rip);
	/* A memory access made by the current instruction (linear address). */
	void (*mem)(void *ctx, struct cpu *c, uint64_t la, unsigned size, uint64_t value, int write);
	/* 0: every access goes to `mem`.  N: once `mem` has had N accesses
	 * of one instruction, REP string instructions may finish in bulk and
	 * report only how many accesses that made, through mem_more (a trace
	 * lists the first accesses and counts the rest; a watchpoint needs
	 * them all). */
	unsigned mem_each;
	void (*mem_more)(void *ctx, struct cpu *c, uint64_t accesses);
};

/*
 * One predecoded instruction.  Built once by cpu/decode.c from Zydis's
 * output; handlers read only this.
 */
struct insn {
	insn_fn fn;          /* handler */
	uint64_t next_rip;   /* virtual address of the next instruction */
	uint64_t imm;        /* immediate (sign-extended to 64 bits as Zydis gives it);
	                        for relative branches: the absolute target */
	uint64_t imm2;       /* second immediate (ENTER's nesting level) */
	int64_t disp;        /* displacement; RIP-relative: absolute address */
	struct operand o[4]; /* explicit and visible implicit operands, Zydis order */
	uint16_t mnem;       /* ZydisMnemonic (diagnostics, shared handlers) */
	uint8_t nops;        /* number of entries used in o[] */
	uint8_t len;         /* length in bytes */
	uint8_t osz;         /* operand size in bytes: 1, 2, 4, 8 (Zydis operand_width/8) */
	uint8_t asz;         /* address size in bytes: 4 or 8 */
	uint8_t base;        /* memory base register, or NOREG */
	uint8_t index;       /* memory index register, or NOREG */
	uint8_t scale;       /* 1, 2, 4, 8 (0 when no index) */
	uint8_t seg;         /* segment of the memory operand (SEG_*); only FS/GS add a base */
	uint8_t lock;        /* LOCK prefix present */
	uint8_t rep;         /* 0, REP_REP (F3) or REP_REPNE (F2) as a REP prefix */
	uint8_t cc;          /* condition code 0-15 for Jcc/SETcc/CMOVcc/LOOPcc */
	uint8_t flags;       /* INSN_* below */
	uint8_t opc;         /* primary opcode byte (disambiguation for shared handlers) */
	uint8_t modrm_reg;   /* ModRM.reg field (group opcodes) */
	uint8_t rex_w;       /* REX.W / VEX.W present */
	uint8_t pfx66;       /* operand-size or mandatory 66 prefix present */
	uint8_t pfxf3;       /* F3 prefix present (mandatory or REP) */
	uint8_t pfxf2;       /* F2 prefix present */
	uint8_t vex;         /* VEX-encoded: VEX_128 or VEX_256 (VEX.L), else 0 */
	uint8_t feat;        /* level-gated #UD: index of the missing feature + 1 */
	uint8_t ea_base;     /* base for the address: the register, or R_ZERO */
	uint8_t ea_index;    /* index likewise (R_ZERO for none and for VSIB) */
};
#define VEX_128 1
#define VEX_256 2
#define NOREG 0xFF
#define REP_REP   1
#define REP_REPNE 2
#define INSN_END_BLOCK 0x01   /* ends the decoded block (branches, mode changes) */
#define INSN_CROSS_PAGE 0x02  /* instruction bytes span two pages */

/* Stop reasons of the run loop. */
enum cpu_stop {
	STOP_NONE = 0,
	STOP_POWEROFF,      /* port 0xF4 written: exit_status holds the value */
	STOP_HLT,           /* HLT with interrupts disabled */
	STOP_TRIPLE_FAULT,  /* shutdown */
	STOP_INSN_LIMIT,    /* --max-insns reached */
	STOP_EVENT,         /* an event requested by the embedder (API) happened */
	STOP_UNSUPPORTED,   /* the guest entered a mode lstar does not model */
	STOP_INTERRUPT,     /* the host asked to stop (SIGINT, gdb Ctrl-C) */
	STOP_BREAKPOINT,    /* a host-side breakpoint was reached (gdb) */
};

/* Vectors of an escalation chain kept for the triple-fault report: enough
 * for the longest chain (#UD -> #GP (no IDT entry) -> #DF -> shutdown). */
#define FAULT_HISTORY 8

/* Events the API can ask the loop to stop at (bit mask, cpu->event_mask). */
#define EV_EXCEPTION (1u << 0)   /* an exception/interrupt was delivered */
#define EV_SYSCALL   (1u << 1)   /* SYSCALL retired */
#define EV_SYSRET    (1u << 2)   /* SYSRET retired */
#define EV_IRET      (1u << 3)   /* IRETQ retired */
#define EV_STEP      (1u << 4)   /* any instruction retired */

enum cpu_vendor { VENDOR_INTEL, VENDOR_AMD };

/* Software TLB: direct mapped, one entry per (page, access kind). */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
struct tlb_entry {
	uint64_t tag;        /* linear page | TLB_USER if filled for CPL 3; ~0 = empty */
	uint8_t *host;       /* host address of the page's first byte */
	uint64_t pa;         /* physical address of the page */
};
#define TLB_USER 1ULL
/* Read/write entries filled while a memory hook is installed carry this
 * bit: c->tlb_mode never has it, so the inline fast paths (which do not
 * call the hook) miss, while mmu_translate() still finds the entry. */
#define TLB_HOOKED 2ULL

struct cpu {
	uint64_t r[17];          /* general registers RAX..R15; r[R_ZERO] stays 0 */
	uint64_t rip;            /* instruction pointer (next insn while a handler runs) */
	uint64_t rflags;         /* RFLAGS; arithmetic bits stale while lf.op != 0 */
	struct lazyflags {
		uint64_t res;        /* result of the last flag-setting operation */
		uint64_t a, b;       /* its operands (destination, source) */
		uint8_t op;          /* FL_* in flags.h; 0 = rflags is authoritative */
		uint8_t size;        /* operand size in bytes */
		uint64_t rot;        /* the last ROL/ROR result while lf.op has FL_ROT */
	} lf;
	int cpl;                 /* current privilege level (= CS.DPL in long mode) */
	struct seg seg[8];       /* ES CS SS DS FS GS, [6]/[7] unused */
	struct seg ldtr;         /* LDT register (selector + cache) */
	struct seg tr;           /* task register (64-bit TSS) */
	struct dtr gdtr;         /* global descriptor table */
	struct dtr idtr;         /* interrupt descriptor table */
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t xcr0;           /* XCR0: enabled XSAVE state components (XCR0_*) */
	uint64_t dr[8];          /* debug registers DR0-DR7 (DR4/5 unused) */
	uint64_t efer;           /* IA32_EFER */
	uint64_t star, lstar, cstar, fmask; /* SYSCALL MSRs */
	uint64_t kernel_gs_base; /* IA32_KERNEL_GS_BASE (SWAPGS partner) */
	uint64_t tsc_aux;        /* IA32_TSC_AUX */
	uint64_t tsc_offset;     /* IA32_TSC = icount * TSC_SCALE + idle_ticks + tsc_offset */
	uint64_t apic_base;      /* IA32_APIC_BASE */
	uint64_t pat;            /* IA32_PAT */
	uint64_t misc_enable;    /* IA32_MISC_ENABLE */
	enum cpu_vendor vendor;  /* selects Intel/AMD behaviours */
	unsigned features;       /* CPUF_* of the CPU model (--cpu); fixed for a machine */
	int level;               /* its psABI level, 1-3, for diagnostics */

	/* x87/SSE state (cpu/x87*.c, cpu/sse*.c, cpu/fxsave.c) */
	uint8_t xmm[16][16] __attribute__((aligned(16))); /* XMM0-15 */
	uint8_t ymmh[16][16] __attribute__((aligned(16))); /* YMM0-15 bits 255:128 */
	uint32_t mxcsr;          /* SSE control/status */
	long double st[8];       /* x87 data registers, physical order */
	uint16_t fcw, fsw, ftw;  /* x87 control, status (TOP in fsw), abridged tag */
	uint64_t fip, fdp;       /* x87 last instruction / data pointer */
	uint16_t fop;            /* x87 last opcode */

	/* execution bookkeeping */
	uint64_t icount;         /* instructions retired */
	uint64_t icount_limit;   /* stop when icount reaches this (~0 = none) */
	uint64_t icount_event;   /* the loop looks at events (limit, timer, interrupts) at the
	                            first boundary where icount >= this: min(icount_limit, the
	                            timer's expiry, now if an interrupt may be deliverable);
	                            cpu_run() recomputes it, cpu_irq_window() forces a look */
	const struct insn *cur;  /* instruction being executed */
	const struct insn *blk_start; /* first insn of the block the fast path runs, else NULL:
	                            the fast path counts retired insns per block */
	struct block *last_block; /* block run last: source of the next chain link */
	uint64_t chain_epoch;    /* bumped when block links may be wrong (TLB flush, code write) */
	uint64_t link_tag;       /* chain_epoch << 1 | user mode: what a valid block link carries */
	int exit_block;          /* set by a handler: leave the current block (cpu_leave_block()) */
	insn_fn blk_tail;        /* the fast path's block's fused tail (tail_fn), or NULL */
	const struct insn *blk_end; /* end of the block the fast path runs; moved back to
	                            blk_start when a handler asks to leave, so that the loop
	                            tests one pointer per instruction */
	enum cpu_stop stop;      /* why the run loop must stop (STOP_NONE = run) */
	int exit_status;         /* power-off value */
	unsigned event_mask;     /* EV_* that stop the loop (API) */
	unsigned event;          /* EV_* that happened in the last instruction */
	int last_vector;         /* last delivered exception vector, -1 none */
	uint32_t last_error;     /* its error code */
	bool last_has_error;     /* whether that delivery pushed an error code */
	int delivering;          /* vector being delivered (nesting), -1 none */
	int pending_db;          /* single-step #DB due after the current insn */
	unsigned mem_seen;       /* accesses the mem hook had in this insn */
	uint32_t fault_history[FAULT_HISTORY]; /* vectors that escalated to a triple fault */
	int fault_depth;
	int fault_pending;       /* cpu_fault() left an exception for the loop */
	int fault_vec;           /* its vector */
	uint32_t fault_err;      /* its error code */
	jmp_buf *jb;             /* where cpu_fault() lands */

	/* memory */
	struct bus *bus;         /* the board: devices, RAM bookkeeping (cpu/bus.h) */
	uint8_t *ram;            /* host base of guest physical RAM */
	uint64_t ram_size;       /* bytes */
	struct tlb_entry tlb_r[TLB_SIZE], tlb_w[TLB_SIZE], tlb_x[TLB_SIZE];
	uint64_t tlb_mode;       /* TLB_USER when CPL 3 else 0: ORed into tags */

	/* decode cache (cpu/decode.c) */
	struct decode_cache *dc;

	/* Time and interrupts (cpu/apic.c, cpu/interrupt.c).  Architectural
	 * state like the registers above: snapshots (gdb reverse execution)
	 * save and restore it with the rest of struct cpu. */
	uint64_t idle_ticks;     /* TSC ticks spent halted (HLT time jumps) */
	uint64_t int_shadow;     /* icount of the boundary where STI / MOV SS block
	                            maskable interrupts; NO_SHADOW when none */
	struct apic apic;        /* local APIC registers and timer */
	uint64_t rng_state;      /* RDRAND/RDSEED generator (cpu/crypto.c): splitmix64 state,
	                            set by the board from --seed or the host's getrandom()
	                            (emu/firmware.c), so snapshots replay the same values */
	struct cpu_hooks *hooks; /* observation hooks, NULL = none (full speed) */
};

/* ---- exceptions (cpu/exception.c) ---------------------------------- */

/* Raise a fault-class exception from inside the current instruction:
 * RIP is rewound to the instruction's start.  Never returns. */
_Noreturn void cpu_fault(struct cpu *c, int vector, uint32_t error_code);
/* Raise an exception whose saved RIP is the next instruction (trap class,
 * e.g. #OF from INTO, #BP from INT3): never returns. */
_Noreturn void cpu_trap(struct cpu *c, int vector);
/* Deliver vector through the IDT now.  `soft` = 1 for INT n/INT3/INTO
 * (gate DPL is checked against CPL), `has_err` selects pushing error_code.
 * Uses cpu->rip as the return address.  Returns normally after switching
 * to the handler; a fault during delivery escalates (#DF, triple fault). */
void cpu_deliver(struct cpu *c, int vector, bool has_err, uint32_t error_code, bool soft);
/* Deliver an external interrupt from the local APIC at an instruction
 * boundary (cpu/interrupt.c): no error code, no DPL check, EXT = 1. */
void cpu_interrupt(struct cpu *c, int vector);
/* Deliver an exception raised by cpu_fault()/cpu_trap(): called by the run
 * loop after the longjmp.  Applies the double-fault rules when
 * cpu->delivering >= 0 (cpu/exception.c). */
void cpu_exception(struct cpu *c, int vector, uint32_t error_code);
/* True for vectors whose delivery pushes an error code. */
bool exc_has_error_code(int vector);
/* Stop the machine with a reason; returns to the run loop via longjmp. */
_Noreturn void cpu_stop(struct cpu *c, enum cpu_stop why);

/* ---- state helpers (cpu/cpu.c) -------------------------------------- */

static inline bool is_canonical(uint64_t a)
{
	/* shift as unsigned: a signed left shift of a negative value is UB */
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}
/* Load CS/SS hidden state etc. and recompute cpl/tlb_mode. */
void cpu_set_cpl(struct cpu *c, int cpl);
void cpu_reset(struct cpu *c);
/* The run loop (cpu/exec.c): runs until cpu.stop != STOP_NONE. */
void cpu_run(struct cpu *c);
/* Forget the code decoded from a physical page (cpu/decode.c): the board
 * calls it when a device or the host writes to a page marked in
 * bus.code_page. */
void decode_invalidate_page(struct cpu *c, uint64_t pa);
/* Install observation hooks (NULL removes them); flushes the TLB. */
void cpu_set_hooks(struct cpu *c, struct cpu_hooks *h);
/* Guest time: RDTSC returns icount * TSC_SCALE + idle_ticks + offset
 * (deterministic; docs/platform.md "Local APIC and timer"). */
#define TSC_SCALE 4

/* Instructions retired before the current one, exact even in the middle
 * of a block the fast path is running (it adds to icount per block). */
static inline uint64_t cpu_icount(const struct cpu *c)
{
	return c->icount + (c->blk_start && c->cur ? (uint64_t)(c->cur - c->blk_start) : 0);
}

/* Guest time.  Machine ticks run at TSC_SCALE per retired instruction
 * plus the ticks jumped over while halted; the TSC adds the offset the
 * guest wrote through IA32_TSC.  Exact mid-block (cpu_icount). */
static inline uint64_t cpu_ticks(const struct cpu *c)
{
	return cpu_icount(c) * TSC_SCALE + c->idle_ticks;
}
static inline uint64_t cpu_tsc(const struct cpu *c)
{
	return cpu_ticks(c) + c->tsc_offset;
}

/* True when some vector waits in the APIC's IRR. */
static inline bool apic_irr_any(const struct cpu *c)
{
	return c->apic.irr_any != 0;
}
/* End the current block after this instruction: exit_block for the
 * careful path, and for the fast path an end at the block's start, which
 * its loop test (cpu/exec.c) finds behind it. */
static inline void cpu_leave_block(struct cpu *c)
{
	c->exit_block = 1;
	c->blk_end = c->blk_start;
}

/*
 * Threaded dispatch: the last thing a simple handler does (the FORM
 * handlers of the integer and move families).  In the fast path, while
 * the block has more instructions before blk_end, it goes straight on to
 * the next one's handler -- a tail call, so one host jump per guest
 * instruction instead of a return, a loop test and a call -- after the
 * same two stores the run loop makes (cur, RIP).  The loop then resumes
 * from c->cur.  Anything that ends the run of the block stops the chain:
 * a request to leave (cpu_leave_block() moves blk_end back), the block's
 * end, and the careful path, which runs one instruction at a time with
 * blk_end NULL.  At the end of the block the chain runs its fused
 * compare-and-branch, if it has one (blk_tail), and the loop sees that
 * from c->cur.  Faults leave by longjmp at any depth; without tail calls
 * (an unoptimised build) the chain is at most a block deep.
 */
static inline __attribute__((always_inline)) void insn_next(struct cpu *c, const struct insn *i)
{
	const struct insn *n = i + 1;

	if (likely(n < c->blk_end)) {
		c->cur = n;
		c->rip = n->next_rip;
		n->fn(c, n);
	} else if (n == c->blk_end && c->blk_tail) {
		/* the block's fused compare-and-branch (struct block's
		 * tail_fn), which sets RIP itself */
		c->cur = n;
		c->blk_tail(c, n);
	}
}

/* Call after anything that may let a pending interrupt through (IF set,
 * TPR lowered, EOI, a new request): the current block ends after this
 * instruction and the loop looks at interrupts at the next boundary
 * (cpu/interrupt.c).  Costs one test when nothing is pending. */
static inline void cpu_irq_window(struct cpu *c)
{
	if (apic_irr_any(c)) {
		c->icount_event = 0;
		cpu_leave_block(c);
	}
}

/* Block links made before this are not to be trusted (cpu/exec.c). */
static inline void chain_bump(struct cpu *c)
{
	c->chain_epoch++;
	c->link_tag = (c->chain_epoch << 1) | (c->tlb_mode & TLB_USER);
}

/* Mask for an operand size in bytes. */
static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The handler of every mnemonic without an OP row (cpu/ops.def): raises
 * #UD and records the mnemonic for the diagnostic. */
void op_ud(struct cpu *c, const struct insn *i);
/* Mnemonic name for diagnostics. */
const char *insn_name(const struct insn *i);
/* Name of CPUF_ bit number `bit` ("AVX2"), and of a psABI level (cpu/cpuid.c). */
const char *cpu_feature_name(unsigned bit);
const char *cpu_level_name(int level);

/* Physical address width lstar reports and enforces in page tables. */
#define CPU_MAXPHYADDR 40


#endif
