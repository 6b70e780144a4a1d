/*
 * interrupt.c - maskable interrupts at instruction boundaries, the
 * interrupt shadows of STI and MOV SS, HLT with interrupts enabled, and
 * cpu.icount_event: the one number the run loop compares against.
 *
 * Oracle: Intel SDM vol. 3A §6.3.2 (maskable hardware interrupts),
 * §6.8.1 (masking with IF), §6.8.3 (MOV SS / POP SS), §6.9 (priority
 * among simultaneous events), §6.14 (64-bit delivery); vol. 2A HLT,
 * vol. 2B STI and MOV; vol. 3A §10.8.4 (the local APIC hands the highest
 * acceptable IRR vector to the core).
 *
 * Speed: the interpreter's fast path (cpu/exec.c) runs a block only when
 * icount + block size < icount_event, the check it always made against
 * the instruction limit.  icount_event = min(instruction limit, the
 * instruction count at which the timer expires, now when an interrupt
 * can be taken), so with no APIC in use it equals the limit and nothing
 * costs more.  Whatever can make a waiting interrupt deliverable (STI,
 * POPF, IRETQ, SYSRET, an exception through a trap gate, WRMSR of TPR /
 * EOI / SELF IPI, MOV CR8, a device's apic_raise) calls cpu_irq_window(),
 * which ends the block and zeroes icount_event: the careful path then
 * calls cpu_boundary() before each instruction until the event is dealt
 * with, which recomputes the horizon.
 */
#include <stdio.h>

#include "apic.h"
#include "flags.h"
#include "bus.h"

/* First instruction count whose boundary is at or past machine tick t. */
static uint64_t icount_at_tick(const struct cpu *c, uint64_t t)
{
	if (t <= c->idle_ticks)
		return 0;
	uint64_t d = t - c->idle_ticks;
	return d / TSC_SCALE + (d % TSC_SCALE != 0);
}

void cpu_event_recalc(struct cpu *c)
{
	uint64_t now = cpu_icount(c);
	uint64_t ev = c->icount_limit;
	if (c->apic.timer_expiry != APIC_TIMER_OFF) {
		/* The expiry is examined even with the LVT entry masked: it
		 * reloads a periodic count and clears a TSC deadline. */
		uint64_t at = icount_at_tick(c, c->apic.timer_expiry);
		if (at < ev)
			ev = at;
	}
	if ((c->rflags & F_IF) && apic_ready_vector(c) >= 0) {
		uint64_t at = c->int_shadow == now ? now + 1 : now;
		if (at < ev)
			ev = at;
	}
	c->icount_event = ev;
}

/*
 * An instruction boundary at which something may be due.  Order (SDM
 * §6.9): the instruction limit (a host-side stop), then the timer's
 * expiry, then a maskable interrupt if RFLAGS.IF = 1, no shadow covers
 * this boundary and the APIC has a vector above the processor priority.
 * The single-step trap of the previous instruction, which outranks it,
 * was already delivered by the careful path.
 */
bool cpu_boundary(struct cpu *c)
{
	if (c->icount >= c->icount_limit) {
		if (c->stop == STOP_NONE)
			c->stop = STOP_INSN_LIMIT;
		return true;
	}
	apic_timer_update(c);
	int v;
	if ((c->rflags & F_IF) && c->int_shadow != c->icount && (v = apic_ready_vector(c)) >= 0) {
		uint64_t at = c->rip;
		apic_ack(c, v);
		/* Looked at again after the delivery; if the delivery faults,
		 * the longjmp skips the recalc below, and this forces it. */
		c->icount_event = 0;
		cpu_interrupt(c, v);
		struct cpu_hooks *h = c->hooks;
		if (h && h->interrupt)
			h->interrupt(h->ctx, c, v, at);
		if (c->event & c->event_mask)
			c->stop = STOP_EVENT;
		cpu_event_recalc(c);
		return true;
	}
	cpu_event_recalc(c);
	return false;
}

/*
 * STI (with IF = 0 before it) and MOV SS: no maskable interrupt on the
 * boundary after this instruction; the inhibition ends after the next
 * instruction or the delivery of another event (SDM vol. 2B STI, MOV).
 * Inside a shadow the instruction does not extend it: "only the first
 * instruction in the sequence is guaranteed to delay the interrupt".
 */
void cpu_set_shadow(struct cpu *c)
{
	uint64_t now = cpu_icount(c);
	if (c->int_shadow != now)
		c->int_shadow = now + 1;
}

/*
 * HLT at CPL 0 with IF = 1 (SDM vol. 2A HLT: "An enabled interrupt ...
 * will resume execution"; the saved RIP is the instruction after HLT).
 *
 * Nothing runs while the CPU is halted, so lstar does not spin: it works
 * out when the timer will raise an interrupt the CPU can take, asks the
 * board to let that much time pass (bus.idle_wait: at once with
 * --seed, in wall-clock time otherwise) and adds it to idle_ticks so that
 * the timer expires exactly at the boundary after the HLT.  HLT then
 * retires and that boundary delivers the interrupt through the usual
 * path: an RDTSC at the handler's entry reads the expiry.
 *
 * With an interrupt already deliverable (sti; hlt with one pending: the
 * STI shadow covers the HLT itself, not the boundary after it) no time
 * passes.  When no timer can wake the CPU and the board has nothing
 * either, the machine stops like HLT with IF = 0 (STOP_HLT, RIP after the
 * HLT).  A stop requested by the host (Ctrl-C) while waiting leaves RIP
 * at the HLT, not retired, with the time waited so far counted, so that
 * resuming halts again for the rest.
 */
void cpu_halt(struct cpu *c, const struct insn *i)
{
	struct bus *b = c->bus;
	for (;;) {
		apic_timer_update(c);
		if (apic_ready_vector(c) >= 0)
			break;
		uint64_t after = (cpu_icount(c) + 1) * TSC_SCALE + c->idle_ticks;
		uint64_t wake = apic_wake_tick(c);
		uint64_t want = wake == APIC_TIMER_OFF ? IDLE_FOREVER : wake > after ? wake - after : 0;
		if (want == 0)
			break;
		uint64_t got;
		if (b && b->idle_wait)
			got = b->idle_wait(b, want);
		else
			got = want == IDLE_FOREVER ? 0 : want;
		if (got > want)
			got = want;
		c->idle_ticks += got;
		if (got == want)
			break;
		if (c->stop != STOP_NONE) {
			c->rip = i->next_rip - i->len;
			cpu_stop(c, c->stop);
		}
		if (apic_ready_vector(c) >= 0)
			break;      /* a device raised an interrupt meanwhile */
		if (want == IDLE_FOREVER) {
			const struct apic *a = &c->apic;
			const char *why = "";
			if (a->timer_expiry != APIC_TIMER_OFF)
				why = (a->lvt_timer & LVT_MASKED) ? " (the timer's LVT entry is masked)"
					: " (the timer's vector is not above the processor priority)";
			else if (apic_irr_any(c))
				why = " (pending vectors are not above the processor priority)";
			if (b)
				snprintf(b->stop_message, sizeof b->stop_message,
					 "HLT with interrupts enabled and no armed timer: nothing can "
					 "wake the CPU%s; RIP=0x%llx", why,
					 (unsigned long long)i->next_rip);
			c->stop = STOP_HLT;
			break;
		}
	}
	c->icount_event = 0;
	cpu_leave_block(c);
}
