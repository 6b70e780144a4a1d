/*
 * apic.c - the local APIC, x2APIC mode only: its registers behind the
 * x2APIC MSRs, the timer (one-shot, periodic, TSC-deadline) and the
 * IRR/ISR/PPR bookkeeping that decides which interrupt the CPU may take.
 * Delivery itself (instruction boundaries, IF, shadows, HLT) is in
 * cpu/interrupt.c.
 *
 * Oracle: Intel SDM vol. 3A, chapter "Advanced Programmable Interrupt
 * Controller (APIC)".  Section numbers below are those of the editions in
 * which it is chapter 10 (it became chapter 11 later; titles are given so
 * either edition can be searched): §10.4.3 enabling, §10.4.7 register
 * states, §10.5.1 LVT, §10.5.3 ESR, §10.5.4 timer, §10.5.4.1 TSC-deadline
 * mode, §10.8.3.1 PPR, §10.8.4 acceptance, §10.8.5 EOI, §10.8.6.1 CR8,
 * §10.9 SVR, §10.12 x2APIC (Table 10-6, §10.12.1.3 reserved bits,
 * §10.12.5 state transitions, §10.12.10.2 logical ID, §10.12.11 SELF IPI).
 *
 * Not modelled, and documented as such (docs/cpu.md): the xAPIC MMIO
 * page (in xAPIC mode the registers are simply out of reach), the ICR
 * (there is no other CPU), the thermal/performance/CMCI LVTs (the version
 * register says so), level-triggered interrupts (TMR reads 0), LINT0/1
 * inputs (nothing drives them), NMI/SMI/INIT delivery modes.  Interrupts
 * are accepted atomically at instruction boundaries, so the SVR's
 * spurious vector is never delivered.
 *
 * Time: the count-down clock is the machine tick (cpu_ticks(): TSC_SCALE
 * per instruction plus halted ticks) divided by TSC_SCALE and by the
 * divide configuration, so with divide-by-1 the count drops by one per
 * retired instruction.  The timer is kept as the tick of its next expiry;
 * cpu/interrupt.c turns that into cpu.icount_event.
 */
#include <stddef.h>

#include "apic.h"
#include "msr/msr.h"

#define LVT_RESET LVT_MASKED

void apic_reset(struct cpu *c)
{
	struct apic *a = &c->apic;
	for (int k = 0; k < 4; k++)
		a->irr[k] = a->isr[k] = 0;
	a->irr_any = 0;
	a->timer_expiry = APIC_TIMER_OFF;
	a->tsc_deadline = 0;
	a->svr = 0xFF;                       /* §10.4.7.1: vector FFH, software-disabled */
	a->lvt_timer = a->lvt_lint0 = a->lvt_lint1 = a->lvt_error = LVT_RESET;
	a->esr = a->esr_pending = 0;
	a->initial_count = 0;
	a->dcr = 0;
	a->tpr_lo = 0;
	c->cr8 = 0;                          /* TPR[7:4] */
}

/* ---- priorities (§10.8.3.1, §10.8.4) ------------------------------ */

static int highest(const uint64_t r[4])
{
	for (int k = 3; k >= 0; k--)
		if (r[k])
			return k * 64 + 63 - __builtin_clzll(r[k]);
	return -1;
}

static inline uint32_t tpr(const struct cpu *c)
{
	return (uint32_t)((c->cr8 & 0xF) << 4) | c->apic.tpr_lo;
}

/* PPR[7:4] = max(TPR[7:4], ISRV[7:4]); PPR[3:0] = TPR[3:0] when the TPR
 * class wins, else 0. */
static uint32_t ppr(const struct cpu *c)
{
	int isrv = highest(c->apic.isr);
	uint32_t t = tpr(c);
	if (isrv < 0 || (t >> 4) >= ((unsigned)isrv >> 4))
		return t;
	return (unsigned)isrv & 0xF0;
}

int apic_ready_vector(const struct cpu *c)
{
	int v = highest(c->apic.irr);
	if (v < 0 || ((unsigned)v >> 4) <= (ppr(c) >> 4))
		return -1;
	return v;
}

void apic_ack(struct cpu *c, int v)
{
	struct apic *a = &c->apic;
	a->irr[v >> 6] &= ~(1ULL << (v & 63));
	a->irr_any = (a->irr[0] | a->irr[1] | a->irr[2] | a->irr[3]) != 0;
	a->isr[v >> 6] |= 1ULL << (v & 63);
}

/* A fixed interrupt arrives: into the IRR, unless the APIC is disabled
 * or software-disabled (§10.4.7.2: it then accepts no new interrupts;
 * what is already in the IRR stays). */
static bool accept(struct cpu *c, unsigned v)
{
	if (!(c->apic_base & LSTAR_MSR_APIC_BASE_EN) || !(c->apic.svr & SVR_ENABLE))
		return false;
	c->apic.irr[v >> 6] |= 1ULL << (v & 63);
	c->apic.irr_any = 1;
	cpu_irq_window(c);
	return true;
}

/* An APIC error (§10.5.3): logged for the next ESR write to latch, and
 * signalled through the LVT error entry unless it is masked. */
static void error(struct cpu *c, uint32_t bit)
{
	struct apic *a = &c->apic;
	a->esr_pending |= bit;
	if (a->lvt_error & LVT_MASKED)
		return;
	unsigned v = a->lvt_error & LVT_VECTOR;
	if (v < 16)
		a->esr_pending |= ESR_RECV_ILLEGAL;  /* no second interrupt for it */
	else
		accept(c, v);
}

/* A local interrupt source fires through its LVT entry (fixed delivery
 * mode; vectors 0-15 are illegal, §10.5.2). */
static void lvt_fire(struct cpu *c, uint32_t lvt)
{
	if (lvt & LVT_MASKED)
		return;
	unsigned v = lvt & LVT_VECTOR;
	if (v < 16)
		error(c, ESR_RECV_ILLEGAL);
	else
		accept(c, v);
}

bool apic_raise(struct cpu *c, uint8_t vector)
{
	if (!(c->apic_base & LSTAR_MSR_APIC_BASE_EN))
		return false;
	if (vector < 16) {
		error(c, ESR_RECV_ILLEGAL);
		return false;
	}
	return accept(c, vector);
}

/* ---- timer (§10.5.4, §10.5.4.1) ----------------------------------- */

static inline uint32_t timer_mode(const struct cpu *c)
{
	return c->apic.lvt_timer & LVT_TIMER_MODE;
}

/* Machine ticks per count: TSC_SCALE (the 1 GHz nominal bus clock is a
 * quarter of the TSC) times the divisor of DCR bits 3, 1:0 (Figure
 * 10-10): 000 -> 2, 001 -> 4, ..., 110 -> 128, 111 -> 1. */
static uint64_t unit(const struct cpu *c)
{
	unsigned d = (c->apic.dcr & 3) | ((c->apic.dcr >> 1) & 4);
	return (uint64_t)TSC_SCALE << ((d + 1) & 7);
}

/* Current count: what is left of the count-down, rounded up to whole
 * counts (it reads the initial count right after the write and 0 at the
 * expiry).  Pure, so that a debugger's read changes nothing. */
static uint32_t current_count(const struct cpu *c)
{
	const struct apic *a = &c->apic;
	if (timer_mode(c) == TIMER_DEADLINE || a->timer_expiry == APIC_TIMER_OFF)
		return 0;
	uint64_t now = cpu_ticks(c), u = unit(c);
	uint64_t left;
	if (now < a->timer_expiry) {
		left = a->timer_expiry - now;
	} else if (timer_mode(c) == TIMER_PERIODIC) {
		uint64_t period = (uint64_t)a->initial_count * u;
		left = period - (now - a->timer_expiry) % period;
	} else {
		return 0;
	}
	return (uint32_t)((left + u - 1) / u);
}

/* Count down `count` from now (a write of the initial count; count 0
 * stops the timer in both modes). */
static void countdown(struct cpu *c, uint32_t count)
{
	c->apic.timer_expiry = count ? cpu_ticks(c) + (uint64_t)count * unit(c) : APIC_TIMER_OFF;
}

/* Aim the timer at the armed TSC deadline: it fires at the first
 * boundary where TSC >= deadline, at once if that is already so. */
static void aim_deadline(struct cpu *c)
{
	struct apic *a = &c->apic;
	if (timer_mode(c) != TIMER_DEADLINE || !a->tsc_deadline) {
		if (timer_mode(c) == TIMER_DEADLINE)
			a->timer_expiry = APIC_TIMER_OFF;
		return;
	}
	uint64_t now = cpu_ticks(c), tsc = now + c->tsc_offset;
	uint64_t ahead = a->tsc_deadline <= tsc ? 0 : a->tsc_deadline - tsc;
	/* a deadline beyond the 64-bit tick range is never reached */
	a->timer_expiry = ahead < APIC_TIMER_OFF - now ? now + ahead : APIC_TIMER_OFF - 1;
}

void apic_tsc_written(struct cpu *c)
{
	if (timer_mode(c) == TIMER_DEADLINE) {
		aim_deadline(c);
		c->icount_event = 0;   /* the horizon moved */
	}
}

void apic_timer_update(struct cpu *c)
{
	struct apic *a = &c->apic;
	uint64_t now = cpu_ticks(c);
	if (a->timer_expiry == APIC_TIMER_OFF || now < a->timer_expiry)
		return;
	switch (timer_mode(c)) {
	case TIMER_PERIODIC: {
		/* Reload from the initial count; a period that passed
		 * unseen (none can, but stay exact) raises no second
		 * interrupt: the IRR holds one. */
		uint64_t period = (uint64_t)a->initial_count * unit(c);
		a->timer_expiry += period * ((now - a->timer_expiry) / period + 1);
		break;
	}
	case TIMER_DEADLINE:
		/* "When the timer generates an interrupt, it disarms itself
		 * and clears the IA32_TSC_DEADLINE MSR" (§10.5.4.1). */
		a->tsc_deadline = 0;
		a->timer_expiry = APIC_TIMER_OFF;
		break;
	default:
		a->timer_expiry = APIC_TIMER_OFF;  /* one-shot: stays at 0 */
		break;
	}
	lvt_fire(c, a->lvt_timer);
	c->icount_event = 0;
}

uint64_t apic_wake_tick(const struct cpu *c)
{
	const struct apic *a = &c->apic;
	if (a->timer_expiry == APIC_TIMER_OFF || (a->lvt_timer & LVT_MASKED) ||
	    !(a->svr & SVR_ENABLE) || !(c->apic_base & LSTAR_MSR_APIC_BASE_EN))
		return APIC_TIMER_OFF;
	unsigned v = a->lvt_timer & LVT_VECTOR;
	if (v < 16) {   /* the error interrupt may wake it instead */
		if (a->lvt_error & LVT_MASKED)
			return APIC_TIMER_OFF;
		v = a->lvt_error & LVT_VECTOR;
		if (v < 16)
			return APIC_TIMER_OFF;
	}
	if ((v >> 4) <= (ppr(c) >> 4))
		return APIC_TIMER_OFF;
	return a->timer_expiry;
}

/* ---- IA32_APIC_BASE (§10.4.4, §10.12.5) --------------------------- */

/*
 * Legal mode changes (EN, EXTD): disabled (0,0), xAPIC (1,0), x2APIC
 * (1,1); (0,1) is invalid.  #GP(0) for: EXTD = 1 with EN = 0; x2APIC ->
 * xAPIC (only a detour through disabled leaves x2APIC mode); disabled ->
 * x2APIC (xAPIC must come first) - Figure 10-27.
 */
bool apic_base_ok(const struct cpu *c, uint64_t v)
{
	bool en = v & LSTAR_MSR_APIC_BASE_EN, x2 = v & LSTAR_MSR_APIC_BASE_EXTD;
	bool old_en = c->apic_base & LSTAR_MSR_APIC_BASE_EN, old_x2 = c->apic_base & LSTAR_MSR_APIC_BASE_EXTD;
	if (x2 && !en)
		return false;
	if (old_x2 && en && !x2)
		return false;
	if (!old_en && x2)
		return false;
	return true;
}

void apic_base_written(struct cpu *c, uint64_t old)
{
	/* Clearing EN returns the APIC to its power-up state (§10.4.3):
	 * pending and in-service interrupts, the timer and TPR go. */
	if ((old & LSTAR_MSR_APIC_BASE_EN) && !(c->apic_base & LSTAR_MSR_APIC_BASE_EN)) {
		apic_reset(c);
		c->icount_event = 0;
	}
}

/* ---- the registers ------------------------------------------------ */

void apic_cr8_written(struct cpu *c)
{
	c->apic.tpr_lo = 0;
	cpu_irq_window(c);
}

/* A write to an LVT entry: the read-only delivery-status bit is ignored;
 * with the APIC software-disabled the mask bit stays set (§10.4.7.2). */
static uint32_t lvt_value(const struct cpu *c, uint32_t v)
{
	v &= ~LVT_STATUS;
	if (!(c->apic.svr & SVR_ENABLE))
		v |= LVT_MASKED;
	return v;
}

static void write_lvt_timer(struct cpu *c, uint32_t v)
{
	struct apic *a = &c->apic;
	v = lvt_value(c, v);
	if ((v ^ a->lvt_timer) & LVT_TIMER_MODE) {
		/* "A write to the LVT Timer Register that changes the timer
		 * mode disarms the local APIC timer" (§10.5.4.1). */
		a->timer_expiry = APIC_TIMER_OFF;
		a->initial_count = 0;
		a->tsc_deadline = 0;
	}
	a->lvt_timer = v;
}

/* DCR: the count left keeps counting at the new rate (the SDM leaves a
 * mid-count change open; this keeps the current count continuous). */
static void write_dcr(struct cpu *c, uint32_t v)
{
	struct apic *a = &c->apic;
	if (timer_mode(c) != TIMER_DEADLINE && a->timer_expiry != APIC_TIMER_OFF) {
		uint32_t left = current_count(c);
		a->dcr = v;
		countdown(c, left);
	} else {
		a->dcr = v;
	}
}

static void write_svr(struct cpu *c, uint32_t v)
{
	struct apic *a = &c->apic;
	a->svr = v;
	if (!(v & SVR_ENABLE)) {
		/* Software-disabled: every LVT entry is masked (§10.4.7.2). */
		a->lvt_timer |= LVT_MASKED;
		a->lvt_lint0 |= LVT_MASKED;
		a->lvt_lint1 |= LVT_MASKED;
		a->lvt_error |= LVT_MASKED;
	}
}

/* EOI (§10.8.5): the highest in-service vector is done; no effect when
 * none is in service. */
static void eoi(struct cpu *c)
{
	int v = highest(c->apic.isr);
	if (v >= 0)
		c->apic.isr[v >> 6] &= ~(1ULL << (v & 63));
	cpu_irq_window(c);
}

/* SELF IPI (§10.12.11): a fixed, edge-triggered interrupt to this CPU;
 * vectors 0-15 set ESR "send illegal vector" and go nowhere (§10.5.3). */
static void self_ipi(struct cpu *c, unsigned v)
{
	if (v < 16)
		error(c, ESR_SEND_ILLEGAL);
	else
		accept(c, v);
}

bool apic_msr_read(struct cpu *c, uint32_t index, uint64_t *value)
{
	const struct apic *a = &c->apic;
	uint64_t v;
	if (index >= LSTAR_MSR_X2APIC_ISR0 && index < LSTAR_MSR_X2APIC_ISR0 + 8) {
		unsigned k = index - LSTAR_MSR_X2APIC_ISR0;
		v = (uint32_t)(a->isr[k / 2] >> (32 * (k & 1)));
	} else if (index >= LSTAR_MSR_X2APIC_TMR0 && index < LSTAR_MSR_X2APIC_TMR0 + 8) {
		v = 0;   /* every interrupt is edge-triggered */
	} else if (index >= LSTAR_MSR_X2APIC_IRR0 && index < LSTAR_MSR_X2APIC_IRR0 + 8) {
		unsigned k = index - LSTAR_MSR_X2APIC_IRR0;
		v = (uint32_t)(a->irr[k / 2] >> (32 * (k & 1)));
	} else {
		switch (index) {
		case LSTAR_MSR_X2APIC_APICID: v = 0; break;
		case LSTAR_MSR_X2APIC_VERSION: v = APIC_VERSION; break;
		case LSTAR_MSR_X2APIC_TPR: v = tpr(c); break;
		case LSTAR_MSR_X2APIC_PPR: v = ppr(c); break;
		/* §10.12.10.2: logical ID = (ID[19:4] << 16) | 1 << ID[3:0]. */
		case LSTAR_MSR_X2APIC_LDR: v = 1; break;
		case LSTAR_MSR_X2APIC_SIVR: v = a->svr; break;
		case LSTAR_MSR_X2APIC_ESR: v = a->esr; break;
		case LSTAR_MSR_X2APIC_LVT_TIMER: v = a->lvt_timer; break;
		case LSTAR_MSR_X2APIC_LVT_LINT0: v = a->lvt_lint0; break;
		case LSTAR_MSR_X2APIC_LVT_LINT1: v = a->lvt_lint1; break;
		case LSTAR_MSR_X2APIC_LVT_ERROR: v = a->lvt_error; break;
		case LSTAR_MSR_X2APIC_INIT_COUNT: v = a->initial_count; break;
		case LSTAR_MSR_X2APIC_CUR_COUNT: v = current_count(c); break;
		case LSTAR_MSR_X2APIC_DIV_CONF: v = a->dcr; break;
		/* Other timer modes read 0 (§10.5.4.1). */
		case LSTAR_MSR_TSC_DEADLINE:
			v = timer_mode(c) == TIMER_DEADLINE ? a->tsc_deadline : 0;
			break;
		default: return false;
		}
	}
	*value = v;
	return true;
}

bool apic_msr_write(struct cpu *c, uint32_t index, uint64_t value)
{
	struct apic *a = &c->apic;
	uint32_t v = (uint32_t)value;   /* msr.c refused bits 63:32 */
	switch (index) {
	case LSTAR_MSR_X2APIC_TPR:
		c->cr8 = v >> 4;
		a->tpr_lo = v & 0xF;
		cpu_irq_window(c);
		break;
	case LSTAR_MSR_X2APIC_EOI: eoi(c); break;
	case LSTAR_MSR_X2APIC_SIVR: write_svr(c, v); break;
	case LSTAR_MSR_X2APIC_ESR:
		/* Latch the errors seen since the last write (§10.5.3). */
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		break;
	case LSTAR_MSR_X2APIC_LVT_TIMER: write_lvt_timer(c, v); break;
	case LSTAR_MSR_X2APIC_LVT_LINT0: a->lvt_lint0 = lvt_value(c, v) & ~(1u << 14); break;
	case LSTAR_MSR_X2APIC_LVT_LINT1: a->lvt_lint1 = lvt_value(c, v) & ~(1u << 14); break;
	case LSTAR_MSR_X2APIC_LVT_ERROR: a->lvt_error = lvt_value(c, v); break;
	case LSTAR_MSR_X2APIC_INIT_COUNT:
		/* Ignored in TSC-deadline mode (§10.5.4.1). */
		if (timer_mode(c) != TIMER_DEADLINE) {
			a->initial_count = v;
			countdown(c, v);
		}
		break;
	case LSTAR_MSR_X2APIC_DIV_CONF: write_dcr(c, v); break;
	case LSTAR_MSR_X2APIC_SELF_IPI: self_ipi(c, v & 0xFF); break;
	case LSTAR_MSR_TSC_DEADLINE:
		/* Ignored in the other modes; 0 disarms (§10.5.4.1). */
		if (timer_mode(c) != TIMER_DEADLINE)
			break;
		a->tsc_deadline = value;
		aim_deadline(c);
		break;
	default:
		return false;
	}
	/* Whatever changed, the loop recomputes its horizon before the next
	 * instruction (WRMSR ends the block). */
	c->icount_event = 0;
	return true;
}

/* WRMSR LVT timer: timer mode 11b is reserved (Figure 10-8); lstar
 * refuses it like a reserved bit (§10.12.1.3). */
bool apic_lvt_timer_ok(const struct cpu *c, uint64_t v)
{
	(void)c;
	return (v & LVT_TIMER_MODE) != LVT_TIMER_MODE;
}
