/*
 * apic.c - the local APIC in x2APIC mode, as the scheduler's clock
 * (mirrors arch/x86/kernel/apic/apic.c, much reduced).
 *
 * lstar's APIC is reached through MSRs only (x2APIC): set EXTD in
 * IA32_APIC_BASE, software-enable it through the spurious-interrupt
 * vector register, and point the LVT timer entry at LOCAL_TIMER_VECTOR in
 * TSC-deadline mode.  From then on a write of a TSC value to
 * IA32_TSC_DEADLINE asks for one interrupt when the TSC reaches it (core.c
 * arm_timer), and a write of 0 cancels it.
 */
#include "sched.h"
#include "processor.h"

void apic_init(void)
{
	wrmsrl(MSR_IA32_APICBASE, rdmsrl(MSR_IA32_APICBASE) | X2APIC_ENABLE);
	wrmsrl(MSR_X2APIC_SPIV, APIC_SPIV_APIC_ENABLED | SPURIOUS_APIC_VECTOR);
	wrmsrl(MSR_X2APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | LOCAL_TIMER_VECTOR);
	wrmsrl(MSR_IA32_TSC_DEADLINE, 0);
}
