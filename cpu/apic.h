/*
 * apic.h - the local APIC in x2APIC mode (cpu/apic.c) and maskable
 * interrupt delivery at instruction boundaries (cpu/interrupt.c).
 *
 * What the rest of lstar relies on:
 *  - the board (emu/) raises a device interrupt with apic_raise() and
 *    provides bus.idle_wait for HLT (cpu/bus.h);
 *  - msr/msr.c routes the x2APIC MSRs and IA32_TSC_DEADLINE here;
 *  - the run loop (cpu/exec.c) calls cpu_boundary() when icount reaches
 *    cpu.icount_event and cpu_event_recalc() when it starts.
 * docs/cpu.md ("Interrupts", "Time") and docs/platform.md ("Local APIC
 * and timer") describe the model; docs/msr.md lists the registers.
 */
#ifndef LSTAR_APIC_H
#define LSTAR_APIC_H

#include "cpu.h"

/* IA32_APIC_BASE bits: LSTAR_MSR_APIC_BASE_* in lstar/msr.h. */

/* The registers' fields (SDM vol. 3A §10.5.1 Figure 10-8, §10.5.3,
 * §10.9 Figure 10-23). */
#define LVT_VECTOR      0xFFu
#define LVT_STATUS      (1u << 12)   /* delivery status (read-only; always idle here) */
#define LVT_MASKED      (1u << 16)
#define LVT_TIMER_MODE  (3u << 17)
#define TIMER_ONESHOT   (0u << 17)
#define TIMER_PERIODIC  (1u << 17)
#define TIMER_DEADLINE  (2u << 17)
#define SVR_ENABLE      (1u << 8)
#define ESR_SEND_ILLEGAL (1u << 5)   /* SELF IPI with a vector below 16 */
#define ESR_RECV_ILLEGAL (1u << 6)   /* a local interrupt with a vector below 16 */

/* Version register: version 0x14 (integrated APIC), max LVT entry 3
 * (timer, LINT0, LINT1, error: the entries lstar has), no EOI-broadcast
 * suppression (bit 24 clear). */
#define APIC_VERSION 0x00030014u

/* bus.idle_wait's "no timer will wake the CPU". */
#define IDLE_FOREVER UINT64_MAX

/* ---- cpu/apic.c --------------------------------------------------- */

/* Power-up state of every APIC register (cpu_reset, and IA32_APIC_BASE
 * EN 1 -> 0, after which SDM §10.4.3 says earlier setup may be lost). */
void apic_reset(struct cpu *c);
/* IA32_APIC_BASE: EN = 1 and EXTD = 1. */
static inline bool apic_x2apic(const struct cpu *c)
{
	return (c->apic_base & (LSTAR_MSR_APIC_BASE_EN | LSTAR_MSR_APIC_BASE_EXTD)) == (LSTAR_MSR_APIC_BASE_EN | LSTAR_MSR_APIC_BASE_EXTD);
}
/* WRMSR IA32_APIC_BASE: false for an illegal mode transition (#GP(0),
 * SDM §10.12.5); otherwise applies it (msr.c stores the value first). */
bool apic_base_ok(const struct cpu *c, uint64_t value);
void apic_base_written(struct cpu *c, uint64_t old);
/* RDMSR/WRMSR of an x2APIC register or IA32_TSC_DEADLINE, after msr.c's
 * table checks (x2APIC mode, read-only/write-only, reserved bits).
 * false = #GP(0), nothing changed. */
bool apic_msr_read(struct cpu *c, uint32_t index, uint64_t *value);
bool apic_msr_write(struct cpu *c, uint32_t index, uint64_t value);
/* WRMSR LVT timer: false for the reserved timer mode 11b. */
bool apic_lvt_timer_ok(const struct cpu *c, uint64_t value);
/* The guest moved the TSC (WRMSR IA32_TSC): re-aim a TSC deadline. */
void apic_tsc_written(struct cpu *c);

/*
 * apic_raise - a device asserts a fixed, edge-triggered interrupt with
 * `vector` (the way an I/O APIC message or an MSI arrives).  It waits in
 * the IRR until the CPU can take it (RFLAGS.IF, the interrupt shadow,
 * the TPR/ISR priority).  Refused (false) when the APIC is disabled or
 * software-disabled (SVR bit 8), and for vectors 0-15, which set ESR's
 * "receive illegal vector" bit instead (SDM §10.5.2, §10.5.3).
 * Call it only on the thread that runs the machine: from a device's port
 * handler or from bus.idle_wait (then return early).
 */
bool apic_raise(struct cpu *c, uint8_t vector);

/* MOV CR8 wrote TPR[7:4] (c->cr8 already holds it): TPR[3:0] <- 0
 * (SDM §10.8.6.1). */
void apic_cr8_written(struct cpu *c);

/* Used by cpu/interrupt.c. */
/* Fire the timer if its expiry is at or before the current tick. */
void apic_timer_update(struct cpu *c);
/* Highest requested vector whose priority class beats the PPR's, or -1
 * (SDM §10.8.3.1, §10.8.4). */
int apic_ready_vector(const struct cpu *c);
/* The CPU takes `vector`: IRR -> ISR (SDM §10.8.4). */
void apic_ack(struct cpu *c, int vector);
/* The machine tick at which the timer will raise an interrupt the CPU
 * can take with the current priorities, or APIC_TIMER_OFF. */
uint64_t apic_wake_tick(const struct cpu *c);

/* ---- cpu/interrupt.c ---------------------------------------------- */

/* Recompute cpu.icount_event (cpu_run does it at entry). */
void cpu_event_recalc(struct cpu *c);
/* At an instruction boundary where icount >= icount_event: the limit,
 * the timer, then a deliverable interrupt.  True when the loop must leave
 * the current block (an interrupt was delivered or the machine stops). */
bool cpu_boundary(struct cpu *c);
/* HLT at CPL 0 with RFLAGS.IF = 1 (op_hlt). */
void cpu_halt(struct cpu *c, const struct insn *i);
/* STI with IF = 0 before it, MOV SS: no maskable interrupt at the next
 * boundary (SDM vol. 2B STI, MOV; vol. 3A §6.8.3). */
void cpu_set_shadow(struct cpu *c);

#endif
