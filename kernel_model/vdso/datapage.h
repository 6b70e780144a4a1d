/*
 * vdso/datapage.h - the vvar page: what the kernel publishes for the vDSO
 * to compute the time in user mode (a digest of include/vdso/datapage.h).
 * Shared by the kernel (vdso.c writes it) and by the vDSO (vclock_gettime.c
 * reads it through its read-only mapping), so fixed-size types only.
 *
 * The time of clock c at TSC value t is
 *
 *	basetime[c] + ((t - cycle_last) * mult >> shift)   nanoseconds
 *
 * where basetime[c].nsec is kept shifted left by `shift` (as Linux keeps
 * it) so that the fractions of a nanosecond add up exactly.  The kernel
 * changes the page inside a sequence count: odd while it writes; a reader
 * that saw an odd count, or a different one afterwards, reads again.
 */
#ifndef KM_VDSO_DATAPAGE_H
#define KM_VDSO_DATAPAGE_H

#include <stdint.h>

#define VDSO_CLOCKS		8	/* clock ids 0..7 */
#define VDSO_CLOCK_MODE_NONE	0	/* no time in user mode: always the syscall */
#define VDSO_CLOCK_MODE_TSC	1
/* The clocks the vDSO answers: REALTIME 0, MONOTONIC 1, MONOTONIC_RAW 4,
 * REALTIME_COARSE 5, MONOTONIC_COARSE 6, BOOTTIME 7.  The CPU-time clocks
 * (2, 3) and the rest go to the system call. */
#define VDSO_HRES_MASK		((1u << 0) | (1u << 1) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7))

struct vdso_timestamp {
	uint64_t sec;
	uint64_t nsec;		/* << shift */
};

struct vdso_data {
	volatile uint32_t seq;
	uint32_t clock_mode;	/* VDSO_CLOCK_MODE_* */
	uint64_t cycle_last;	/* the TSC the base times are for */
	uint64_t mult;		/* ns per TSC tick, << shift */
	uint32_t shift;
	uint32_t pad;
	struct vdso_timestamp basetime[VDSO_CLOCKS];
	int32_t tz_minuteswest, tz_dsttime;	/* gettimeofday's timezone */
};

#endif
