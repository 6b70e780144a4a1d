/*
 * exception.c - delivering exceptions and interrupts through the 64-bit IDT.
 *
 * SDM vol. 3A §6.14 "Exception and Interrupt Handling in 64-bit Mode",
 * §6.15 (the per-vector reference, Table 6-5 for double faults), the INT n
 * pseudo-code of vol. 2A ("IA-32e mode" branch); AMD APM vol. 2 §8.9.
 * Contract: syscall-sysret.md §4.
 *
 * One path delivers everything: deliver().  cpu_exception() is what the run
 * loop calls after cpu_fault()/cpu_trap() longjmp'd out of an instruction;
 * cpu_deliver() is what INT n / INT3 / the single-step trap call directly.
 *
 * Nesting: c->delivering holds the vector being delivered while its frame is
 * built.  A fault raised meanwhile (a bad gate, a #PF on the new stack...)
 * goes through cpu_fault() -> run loop -> cpu_exception() again, which sees
 * c->delivering >= 0 and applies the double-fault matrix (Table 6-5), the
 * way Bochs's exception() does with its exceptions_info[] table.
 * A software INT n is *not* an exception: while it is delivered
 * c->delivering stays -1, so a fault it causes is an ordinary fault at the
 * INT instruction (RIP rewound to it), never a double fault.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "flags.h"
#include "mmu.h"
#include "system.h"
#include "bus.h"

enum exc_class { EC_FAULT, EC_TRAP, EC_ABORT, EC_INTR };
enum exc_kind { EK_BENIGN, EK_CONTRIB, EK_PF };

static const struct exc_info {
	const char *name;
	unsigned char cls;   /* enum exc_class: what RIP and RF the frame gets */
	unsigned char kind;  /* enum exc_kind: Table 6-4 (double-fault classes) */
	unsigned char err;   /* pushes an error code */
} exc_table[32] = {
	[0]  = { "#DE", EC_FAULT, EK_CONTRIB, 0 },
	[1]  = { "#DB", EC_TRAP,  EK_BENIGN,  0 }, /* lstar raises only trap-class #DB (single step, INT1) */
	[2]  = { "NMI", EC_INTR,  EK_BENIGN,  0 },
	[3]  = { "#BP", EC_TRAP,  EK_BENIGN,  0 },
	[4]  = { "#OF", EC_TRAP,  EK_BENIGN,  0 },
	[5]  = { "#BR", EC_FAULT, EK_BENIGN,  0 },
	[6]  = { "#UD", EC_FAULT, EK_BENIGN,  0 },
	[7]  = { "#NM", EC_FAULT, EK_BENIGN,  0 },
	[8]  = { "#DF", EC_ABORT, EK_BENIGN,  1 }, /* error code always 0 */
	[9]  = { "#CSO", EC_FAULT, EK_BENIGN, 0 }, /* reserved since the 486 */
	[10] = { "#TS", EC_FAULT, EK_CONTRIB, 1 },
	[11] = { "#NP", EC_FAULT, EK_CONTRIB, 1 },
	[12] = { "#SS", EC_FAULT, EK_CONTRIB, 1 },
	[13] = { "#GP", EC_FAULT, EK_CONTRIB, 1 },
	[14] = { "#PF", EC_FAULT, EK_PF,      1 },
	[15] = { "#15", EC_INTR,  EK_BENIGN,  0 },
	[16] = { "#MF", EC_FAULT, EK_BENIGN,  0 },
	[17] = { "#AC", EC_FAULT, EK_BENIGN,  1 },
	[18] = { "#MC", EC_ABORT, EK_BENIGN,  0 },
	[19] = { "#XM", EC_FAULT, EK_BENIGN,  0 },
	[20] = { "#VE", EC_FAULT, EK_BENIGN,  0 },
	[21] = { "#CP", EC_FAULT, EK_CONTRIB, 1 },
};

static const struct exc_info *info(int vector)
{
	static const struct exc_info intr = { "INT", EC_INTR, EK_BENIGN, 0 };
	if (vector >= 0 && vector < 32 && exc_table[vector].name)
		return &exc_table[vector];
	return &intr;
}

bool exc_has_error_code(int vector)
{
	return info(vector)->err;
}

const char *exc_name(int vector)
{
	return info(vector)->name;
}


_Noreturn void cpu_unsupported(struct cpu *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->bus->stop_message, sizeof c->bus->stop_message, fmt, ap);
	va_end(ap);
	cpu_stop(c, STOP_UNSUPPORTED);
}

/* Remember one more vector of an escalation chain (latest three kept). */
static void history_push(struct cpu *c, int vector)
{
	if (c->fault_depth >= FAULT_HISTORY)
		memmove(&c->fault_history[0], &c->fault_history[1],
			(FAULT_HISTORY - 1) * sizeof c->fault_history[0]);
	c->fault_history[c->fault_depth >= FAULT_HISTORY ? FAULT_HISTORY - 1 : c->fault_depth] = (uint32_t)vector;
	c->fault_depth++;
}

static void triple_fault(struct cpu *c, int vector, uint32_t err)
{
	char chain[96] = "";
	history_push(c, vector);
	int n = c->fault_depth < FAULT_HISTORY ? c->fault_depth : FAULT_HISTORY;
	for (int k = 0; k < n; k++) {
		size_t l = strlen(chain);
		snprintf(chain + l, sizeof chain - l, "%s%s", k ? " -> " : "",
			 exc_name((int)c->fault_history[k]));
	}
	snprintf(c->bus->stop_message, sizeof c->bus->stop_message,
		 "triple fault: %s(0x%x) while delivering #DF (escalation: %s%s) at RIP 0x%llx",
		 exc_name(vector), err, c->fault_depth > FAULT_HISTORY ? "... -> " : "", chain,
		 (unsigned long long)c->rip);
	c->delivering = -1;
	c->stop = STOP_TRIPLE_FAULT;
}

/* Offsets in the 64-bit TSS (SDM vol. 3A §8.7, Figure 8-11). */
#define TSS_RSP(n) (4 + 8 * (n))
#define TSS_IST(n) (0x24 + 8 * ((n) - 1))

static uint64_t tss_read(struct cpu *c, unsigned off, uint32_t ext)
{
	if (off + 7 > c->tr.limit || !(c->tr.attr & SA_P))
		cpu_fault(c, EXC_TS, (c->tr.sel & 0xFFFC) | ext);
	return mem_read_sys(c, c->tr.base + off, 8);
}

/*
 * deliver - the 64-bit IDT delivery of SDM vol. 2A INT n pseudo-code,
 * "IA-32e-MODE" branch, in its order.
 *   soft:  INT n / INT3 (gate DPL checked against CPL, EXT = 0)
 *   fault: the event is a fault-class exception (RF = 1 in the pushed RFLAGS)
 * The return address is c->rip (the caller put the faulting or the next
 * instruction there).
 */
static void deliver(struct cpu *c, int vector, bool has_err, uint32_t err,
		    bool soft, bool fault)
{
	/* EXT (error-code bit 0, SDM §6.13): set when the event being
	 * delivered was not caused by the program's own INT n. */
	uint32_t ext = soft ? 0 : 1;
	uint32_t idt_err = (uint32_t)vector * 8 + 2 + ext;

	/* IDT limit: a 16-byte gate must fit (§6.14.1). */
	if ((uint64_t)vector * 16 + 15 > c->idtr.limit)
		cpu_fault(c, EXC_GP, idt_err);
	uint64_t ga = c->idtr.base + (uint64_t)vector * 16;
	uint64_t lo = mem_read_sys(c, ga, 8);
	uint64_t hi = mem_read_sys(c, ga + 8, 8);
	unsigned type = (lo >> 40) & 0xF;
	unsigned dpl = (lo >> 45) & 3;
	unsigned ist = (lo >> 32) & 7;
	uint16_t csel = (uint16_t)(lo >> 16);
	uint64_t target = (lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000ULL) | (hi << 32);

	/* Only 64-bit interrupt (0xE) and trap (0xF) gates exist in IA-32e
	 * mode (§6.14.1); anything else is #GP(vector*8+2+EXT). */
	if (type != 0xE && type != 0xF)
		cpu_fault(c, EXC_GP, idt_err);
	/* INT n / INT3 may only use a gate whose DPL >= CPL. */
	if (soft && dpl < (unsigned)c->cpl)
		cpu_fault(c, EXC_GP, idt_err);
	if (!(lo & (1ULL << 47)))
		cpu_fault(c, EXC_NP, idt_err);

	/* The gate's code segment: a present 64-bit code segment with DPL <= CPL. */
	if ((csel & 0xFFFC) == 0)
		cpu_fault(c, EXC_GP, ext);
	uint64_t d;
	if (!desc_read(c, csel, &d))
		cpu_fault(c, EXC_GP, (csel & 0xFFFC) | ext);
	unsigned dtype = (d >> 40) & 0xF, ddpl = (d >> 45) & 3;
	if (!(d & (1ULL << 44)) || !(dtype & 8) || ddpl > (unsigned)c->cpl)
		cpu_fault(c, EXC_GP, (csel & 0xFFFC) | ext);
	if (!(d & (1ULL << 47)))
		cpu_fault(c, EXC_NP, (csel & 0xFFFC) | ext);
	if (!(d & (1ULL << 53)) || (d & (1ULL << 54)))  /* need L=1, D=0 */
		cpu_fault(c, EXC_GP, (csel & 0xFFFC) | ext);
	if (!is_canonical(target))
		cpu_fault(c, EXC_GP, ext);

	/* Conforming code keeps the CPL; otherwise the CPL becomes the DPL. */
	int new_cpl = (dtype & 4) ? c->cpl : (int)ddpl;
	bool inner = new_cpl < c->cpl;

	/* Stack (§6.14.4, §6.14.5): IST always, else RSPn on a privilege
	 * change, else the current RSP; then aligned down to 16. */
	uint64_t old_rsp = c->r[R_RSP];
	uint64_t rsp = old_rsp;
	if (ist)
		rsp = tss_read(c, TSS_IST(ist), ext);
	else if (inner)
		rsp = tss_read(c, TSS_RSP(new_cpl), ext);
	rsp &= ~0xFULL;

	uint64_t fl = flags_get(c);
	uint64_t pushed_fl = fault ? (fl | F_RF) : fl;
	unsigned n = has_err ? 6 : 5;
	uint64_t sp = rsp - 8 * n;
	if (!is_canonical(rsp) || !is_canonical(sp))
		cpu_fault(c, EXC_SS, ext);

	/* Build the frame first: a #PF here leaves every register as it was.
	 * Implicit supervisor accesses when the handler runs at CPL < 3. */
	int acc_sys = new_cpl < 3;
	uint64_t vals[6] = { c->seg[SEG_SS].sel, old_rsp, pushed_fl,
			     c->seg[SEG_CS].sel, c->rip, err };
	for (unsigned k = 0; k < n; k++) {
		uint64_t a = rsp - 8 * (k + 1);
		if (acc_sys)
			mem_write_sys(c, a, 8, vals[k]);
		else
			mem_write(c, a, 8, vals[k]);
	}

	/* Commit: CS from the gate's descriptor with RPL = new CPL. */
	if (new_cpl != c->cpl)
		cpu_set_cpl(c, new_cpl);
	seg_from_desc(&c->seg[SEG_CS], (uint16_t)((csel & 0xFFFC) | new_cpl), d);
	if (inner) {
		/* SS becomes the NULL selector with RPL = new CPL (§6.14.4);
		 * the hidden part stays a usable flat data segment. */
		c->seg[SEG_SS].sel = (uint16_t)new_cpl;
		c->seg[SEG_SS].base = 0;
		c->seg[SEG_SS].limit = 0xFFFFFFFF;
		c->seg[SEG_SS].attr = (uint16_t)(0xC093 | (new_cpl << 5));
	}
	c->r[R_RSP] = sp;
	fl &= ~(F_TF | F_NT | F_RF | F_VM);
	if (type == 0xE)
		fl &= ~F_IF;
	flags_set(c, fl);
	c->rip = target;

	/* An interrupt shadow ends with the delivery of another event (SDM
	 * vol. 2B STI, MOV); through a trap gate IF stays set, so a waiting
	 * interrupt may be taken before the handler's first instruction. */
	c->int_shadow = NO_SHADOW;
	if (fl & F_IF)
		cpu_irq_window(c);

	c->pending_db = 0;        /* TF is clear now: no single-step trap */
	c->delivering = -1;
	c->fault_depth = 0;
	c->event |= EV_EXCEPTION;
	c->last_vector = vector;
	c->last_error = has_err ? err : 0;
	c->last_has_error = has_err;
	cpu_leave_block(c);
}

/*
 * cpu_exception - entry from the run loop after cpu_fault()/cpu_trap().
 * Applies SDM vol. 3A Table 6-5 when the exception arose while another one
 * was being delivered (c->delivering >= 0):
 *   first #DF, any fault              -> triple fault (shutdown)
 *   contributory, then contributory   -> #DF
 *   #PF, then contributory or #PF     -> #DF
 *   otherwise                         -> the second one is delivered
 */
void cpu_exception(struct cpu *c, int vector, uint32_t error_code)
{
	int first = c->delivering;

	if (first >= 0) {
		const struct exc_info *a = info(first), *b = info(vector);
		if (c->fault_depth == 0)
			history_push(c, first);
		if (first == EXC_DF) {
			triple_fault(c, vector, error_code);
			return;
		}
		if ((a->kind == EK_CONTRIB && b->kind == EK_CONTRIB) ||
		    (a->kind == EK_PF && b->kind != EK_BENIGN)) {
			vector = EXC_DF;
			error_code = 0;
		}
		history_push(c, vector);
	}
	const struct exc_info *e = info(vector);
	c->delivering = vector;
	deliver(c, vector, e->err, e->err ? error_code : 0, false, e->cls == EC_FAULT);
}

/*
 * cpu_interrupt - an external interrupt from the local APIC, taken at an
 * instruction boundary (cpu/interrupt.c): no error code, no gate DPL
 * check (that is for INT n only), RF pushed as it is, EXT = 1 in the
 * error code of a fault its delivery raises (SDM §6.13, §6.14).  Whatever
 * the vector (16-31 are legal APIC vectors), it is an interrupt, benign
 * in Table 6-5: c->delivering holds it offset by DELIVERING_INTR, which
 * exc_table does not describe.
 */
#define DELIVERING_INTR 256
void cpu_interrupt(struct cpu *c, int vector)
{
	c->delivering = DELIVERING_INTR + vector;
	deliver(c, vector, false, 0, false, false);
}

/* cpu_deliver - INT n, INT3, INT1 and the single-step trap (cpu.h). */
void cpu_deliver(struct cpu *c, int vector, bool has_err, uint32_t error_code, bool soft)
{
	if (!soft)
		c->delivering = vector;
	deliver(c, vector, has_err, error_code, soft,
		!soft && info(vector)->cls == EC_FAULT);
}
