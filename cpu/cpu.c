/*
 * cpu.c - processor reset state, privilege-level bookkeeping and the #UD
 * handler for instructions lstar does not implement.
 */
#include <stdio.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "apic.h"
#include "cpu.h"
#include "flags.h"
#include "mmu.h"
#include "msr/msr.h"
#include "bus.h"

/*
 * The state after RESET/INIT as far as lstar models it (SDM vol. 3A §10.1.1),
 * except that lstar has no real mode: the firmware (emu/firmware.c) or the
 * API's lstar_setup_flat() puts the CPU into long mode before it runs.
 */
void cpu_reset(struct cpu *c)
{
	memset(c->r, 0, sizeof c->r);
	c->rip = 0;
	c->rflags = F_1;
	memset(&c->lf, 0, sizeof c->lf);
	memset(c->seg, 0, sizeof c->seg);
	for (int s = 0; s < 6; s++) {
		c->seg[s].limit = 0xFFFF;
		c->seg[s].attr = SA_P | SA_S | 0x3; /* present, accessed read/write data */
	}
	c->seg[SEG_CS].attr = SA_P | SA_S | 0xB;
	memset(&c->ldtr, 0, sizeof c->ldtr);
	memset(&c->tr, 0, sizeof c->tr);
	c->tr.attr = SA_P | 0xB;                /* busy 64-bit TSS type */
	c->gdtr.base = c->idtr.base = 0;
	c->gdtr.limit = c->idtr.limit = 0xFFFF;
	c->cr0 = CR0_ET | CR0_CD | CR0_NW;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = 0;
	c->xcr0 = XCR0_X87;
	memset(c->dr, 0, sizeof c->dr);
	c->dr[6] = 0xFFFF0FF0;
	c->dr[7] = 0x400;
	c->tsc_offset = 0;
	c->idle_ticks = 0;
	c->int_shadow = NO_SHADOW;
	msr_reset(c);                           /* every MSR from its table row */
	apic_reset(c);                          /* the x2APIC registers behind theirs */
	c->mxcsr = 0x1F80;
	c->fcw = 0x037F;
	c->fsw = 0;
	c->ftw = 0;
	c->cpl = 0;
	c->tlb_mode = 0;
	c->stop = STOP_NONE;
	c->event = 0;
	c->last_vector = -1;
	c->delivering = -1;
	c->pending_db = 0;
	c->fault_depth = 0;
	cpu_leave_block(c);
	c->cur = NULL;
	tlb_flush_all(c);
}

void cpu_set_cpl(struct cpu *c, int cpl)
{
	c->cpl = cpl;
	c->tlb_mode = cpl == 3 ? TLB_USER : 0;
	c->link_tag = (c->chain_epoch << 1) | (c->tlb_mode & TLB_USER);
	cpu_leave_block(c);
}

/* Install (or remove, with NULL) observation hooks.  The TLB is flushed
 * so that no cached translation lets an access bypass a memory hook. */
void cpu_set_hooks(struct cpu *c, struct cpu_hooks *h)
{
	c->hooks = h;
	tlb_flush_all(c);
}

const char *insn_name(const struct insn *i)
{
	const char *s = ZydisMnemonicGetString((ZydisMnemonic)i->mnem);
	return s ? s : "(invalid)";
}

/*
 * Every mnemonic without a handler lands here.  The guest sees an ordinary
 * #UD; the host side keeps the mnemonic so that a diagnostic (the CLI's
 * report, a triple-fault dump, a trace) can name what is missing.
 */
void op_ud(struct cpu *c, const struct insn *i)
{
	struct bus *b = c->bus;
	uint64_t rip = i->next_rip - i->len;
	if (b) {
		snprintf(b->ud_mnemonic, sizeof b->ud_mnemonic, "%s", insn_name(i));
		b->ud_rip = rip;
		if (b->diag && i->feat)
			fprintf(b->diag, "lstar: instruction '%s' at %#llx needs %s, which the CPU model "
				"(--cpu %s) does not have: raising #UD\n", insn_name(i),
				(unsigned long long)rip, cpu_feature_name(i->feat - 1),
				cpu_level_name(c->level));
		else if (b->diag)
			fprintf(b->diag, "lstar: instruction '%s' at %#llx is not implemented: raising #UD\n",
				insn_name(i), (unsigned long long)rip);
	}
	cpu_fault(c, EXC_UD, 0);
}
