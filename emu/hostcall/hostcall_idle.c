/*
 * hostcall_idle.c - the board's side of HLT with interrupts enabled
 * (bus.idle_wait, called by cpu_halt() in cpu/interrupt.c): let guest
 * time pass until the APIC timer expires.
 *
 * With --seed the run must not depend on the host, so the time passes at
 * once.  Otherwise guest clocks are the host's (LSTAR_HC_CLOCK reads the host
 * clock), so the wait is real: ticks / TSC_SCALE nanoseconds of wall-clock
 * time (the TSC's nominal 4 GHz).  It is cut short when the host asks the
 * machine to stop: SIGINT sets cpu.stop and interrupts the sleep; other
 * stop requests are seen at the latest after one slice.
 *
 * This is also where host file descriptors will wake the CPU: instead of
 * sleeping, poll() them with the same timeout (or none, for
 * IDLE_FOREVER); when one becomes ready, raise its vector with
 * apic_raise() and return the time waited so far.  cpu_halt() then finds
 * the interrupt deliverable and ends the HLT.
 */
#include <errno.h>
#include <time.h>

#include "cpu/apic.h"
#include "emu/hostcall/hostcall_int.h"

/* Longest single sleep: bounds how late a stop request that does not
 * come with a signal is noticed. */
#define SLICE_NS 50000000ULL

static uint64_t elapsed_ns(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000000000ULL +
	       (uint64_t)(t.tv_nsec - t0->tv_nsec);
}

uint64_t hc_idle_wait(struct bus *b, uint64_t ticks)
{
	struct machine *m = machine_of_bus(b);
	struct hostcall *hc = m->hc;
	if (ticks == IDLE_FOREVER) {
		/* Only Ctrl-C can end this wait, and only if the guest takes
		 * it as an interrupt (LSTAR_HC_SIGINT_VECTOR): then wait for it. */
		if (!hc->sigint_vector)
			return 0;
		while (m->cpu.stop == STOP_NONE) {
			struct timespec ts = { 0, (long)SLICE_NS };
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	if (hc->seeded)
		return ticks;
	uint64_t want = ticks / TSC_SCALE;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint64_t done = elapsed_ns(&t0);
		if (done >= want)
			return ticks;
		if (m->cpu.stop != STOP_NONE)
			return done * TSC_SCALE;   /* < ticks */
		uint64_t left = want - done;
		if (left > SLICE_NS)
			left = SLICE_NS;
		struct timespec ts = { (time_t)(left / 1000000000ULL), (long)(left % 1000000000ULL) };
		nanosleep(&ts, NULL);   /* EINTR: look at cpu.stop again */
	}
}
