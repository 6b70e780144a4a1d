/*
 * vdso.c - the vDSO's kernel side: mapping the image and the vvar page
 * into each new program (mirrors arch/x86/entry/vdso/vma.c), and keeping
 * the vvar page's time current (kernel/time/vsyscall.c's update_vsyscall
 * and, in miniature, timekeeping.c).
 *
 * The image is a small shared object built with the kernel (vdso/, linked
 * by vdso/vdso.lds) and embedded in the kernel's .rodata (vdso_image.S,
 * generated).  exec maps it read+exec, with the vvar page read-only just
 * below it, and hands its address to the program as AT_SYSINFO_EHDR.
 * Both mappings are "special": their frames are the kernel's own pages,
 * which every process shares and nobody frees (the kernel holds a
 * reference on each from boot), and fork copies them with the rest.
 *
 * Time.  The clocks of time.c come from the host-call device (LSTAR_HC_CLOCK:
 * the host's clocks, or under --seed the guest's instruction count).  The
 * vDSO cannot ask the device; it reads the TSC and extends the last time
 * the kernel published: base + (tsc - cycle_last) * mult >> shift.  The
 * kernel republishes (timekeeping_update) whenever it reads the device for
 * a clock system call, on timer ticks, around idle, and at most every
 * REFRESH_TICKS of guest time on the way out of a system call; the
 * syscalls answer with the value just published, so the two paths agree.
 *
 * Each new base is the later of the device's time and what the vDSO would
 * have said at that moment, so neither clock ever goes back.  Under --seed
 * the device's clock is the TSC / 4 (time.c, hostcall.c), so mult is fixed
 * at 1/4 ns per tick and the vDSO gives exactly the syscall's values.
 * Otherwise the guest's TSC runs at its nominal 4 GHz per instruction
 * while the host's clock runs at the emulator's real speed, some ten times
 * slower or more, so mult is measured: the host nanoseconds per TSC tick
 * over the last stretch of at least CALIB_TICKS (rising slowly, falling at
 * once: see calibrate), which is what NTP does to a real kernel's
 * clocksource in miniature.  When the vDSO got ahead of
 * the host, mult drops to the nominal rate until the host catches up (the
 * emulator never runs faster than one instruction per nanosecond).  A halt
 * is left out of the measure: the TSC runs at the host's speed then.
 * The code takes the same path with and without --seed and whatever the
 * host's clock says (no branch on a time read), so a run's instruction
 * count does not depend on them.
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"
#include "vdso/datapage.h"

extern const u8 vdso_image_start[], vdso_image_end[];

static union {
	struct vdso_data d;
	u8 page[PAGE_SIZE];
} vvar __attribute__((aligned(PAGE_SIZE)));

#define VDSO_SHIFT	32
#define MULT_NOMINAL	(1ULL << (VDSO_SHIFT - 2))	/* 4 TSC ticks per ns */
#define MULT_MAX	(MULT_NOMINAL << 12)
#define CALIB_TICKS	(4ULL << 20)	/* ~1 ms of guest time */
#define REFRESH_TICKS	(4ULL << 22)	/* ~4 ms of guest time */
#define NSEC_PER_SEC	1000000000ULL

static u64 seeded;		/* 1: --seed, the device's clock is the TSC */
static u64 base_ns[2];		/* REALTIME, MONOTONIC at cycle_last */
static u64 calib_tsc, calib_ns;	/* the start of the stretch being measured */
static u64 measured_mult = MULT_NOMINAL;

static u64 vdso_pages(void)
{
	return PAGE_ALIGN((u64)(vdso_image_end - vdso_image_start)) >> PAGE_SHIFT;
}

static inline u64 read_tsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static u64 device_ns(int clk)
{
	static struct timespec t;
	if (hostcall(LSTAR_HC_CLOCK, clk, hc_pa(&t), 0, 0, 0, 0) < 0)
		return 0;
	return t.tv_sec * NSEC_PER_SEC + t.tv_nsec;
}

/* What the vDSO says for base i at TSC value tsc (vclock_gettime.c). */
static u64 vdso_ns(int i, u64 tsc)
{
	const struct vdso_data *vd = &vvar.d;
	u64 delta = tsc > vd->cycle_last ? tsc - vd->cycle_last : 0;
	return base_ns[i] + (u64)(((unsigned __int128)delta * vd->mult) >> vd->shift);
}

static void publish(u64 tsc, u64 mult)
{
	struct vdso_data *vd = &vvar.d;
	static const u8 which[VDSO_CLOCKS] = { 0, 1, 1, 1, 1, 0, 1, 1 };
	vd->seq++;
	asm volatile("" ::: "memory");
	vd->cycle_last = tsc;
	vd->mult = mult;
	vd->shift = VDSO_SHIFT;
	for (int c = 0; c < VDSO_CLOCKS; c++) {
		u64 ns = base_ns[which[c]];
		vd->basetime[c].sec = ns / NSEC_PER_SEC;
		vd->basetime[c].nsec = (ns % NSEC_PER_SEC) << VDSO_SHIFT;
	}
	vd->clock_mode = VDSO_CLOCK_MODE_TSC;
	asm volatile("" ::: "memory");
	vd->seq++;
}

/* (hi:lo) / d, when the quotient fits 64 bits (hi < d). */
static inline u64 div128(u64 hi, u64 lo, u64 d)
{
	u64 q, r;
	asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	return q;
}

/*
 * How fast the host's clock went per TSC tick since calib_tsc.  Written
 * without branches on the times read (MIN, MAX and masks), like the rest
 * of the timekeeping: the kernel runs the same instructions whatever the
 * host's clock says, and with or without --seed, so that instruction
 * counts stay the same from run to run (the documents quote them).
 */
static void calibrate(u64 tsc, u64 host)
{
	u64 dt = tsc - calib_tsc;
	if (dt < CALIB_TICKS)
		return;
	u64 dn = MAX(host, calib_ns) - calib_ns;
	dn = MIN(dn, dt << 10);		/* mult <= 2^42: the quotient fits */
	u64 m = div128(dn >> (64 - VDSO_SHIFT), dn << VDSO_SHIFT, dt);
	/* Cautious upwards: a stretch where the emulator ran slowly (the
	 * host busy) must not make the vDSO race ahead once it runs fast
	 * again, or sleeps timed on these clocks would end early.  So the
	 * rate follows a faster emulator at once and a slower one by a
	 * quarter per stretch: the vDSO tends to lag the host a little, and
	 * each update brings it level. */
	u64 grown = measured_mult + (measured_mult >> 2);
	measured_mult = MIN(MAX(MIN(m, grown), MULT_NOMINAL), MULT_MAX);
	calib_tsc = tsc;
	calib_ns = host;
}

/*
 * Publish the clocks as the device says now.  after_halt: the CPU was
 * halted since the last call (the idle task published on its way in), so
 * nobody could read the vDSO meanwhile, and the halt's TSC ticks, which
 * came at the host's pace, are no measure of the emulator's.
 */
static void update(bool after_halt)
{
	u64 tsc = read_tsc();
	u64 host = device_ns(CLOCK_MONOTONIC), real = device_ns(CLOCK_REALTIME);
	u64 at = after_halt ? vvar.d.cycle_last : tsc;
	u64 vm = vdso_ns(1, at), vr = vdso_ns(0, at);	/* 0 before the first */
	u64 ahead = vm > host;
	base_ns[1] = MAX(host, vm);
	base_ns[0] = MAX(real, vr);
	if (after_halt) {
		calib_tsc = tsc;
		calib_ns = host;
	} else {
		calibrate(tsc, host);
	}
	/* The nominal rate under --seed (exact) or when the vDSO got ahead. */
	u64 m = measured_mult;
	m ^= (m ^ MULT_NOMINAL) & -(u64)(seeded | ahead);
	publish(tsc, m);
}

void timekeeping_update(void)
{
	update(false);
}

/* The timekeeping's part of an idle halt. */
void timekeeping_idle_enter(void)
{
	update(false);
}

void timekeeping_idle_exit(void)
{
	update(true);
}

/* On the way out of a system call: republish when it has been a while. */
void timekeeping_maybe_update(void)
{
	if (read_tsc() - vvar.d.cycle_last >= REFRESH_TICKS)
		update(false);
}

/* The device's monotonic clock, unpublished (core.c sched_clock_ns). */
u64 timekeeping_host_ns(void)
{
	return device_ns(CLOCK_MONOTONIC);
}

/* The kernel's own clocks (sleeps, timeouts, alarms: itimer.c now_ns):
 * the published ones, so that a program that reads the vDSO, sleeps
 * 10 ms and reads it again sees at least 10 ms go by. */
u64 timekeeping_mono_ns(void)
{
	update(false);
	return base_ns[1];
}

u64 timekeeping_real_ns(void)
{
	update(false);
	return base_ns[0];
}

/* A clock system call's answer (time.c): the value just published, in
 * ns; false for a clock the vvar page does not carry. */
bool timekeeping_read(int clk, u64 *ns)
{
	if (clk < 0 || clk >= VDSO_CLOCKS || !(VDSO_HRES_MASK >> clk & 1))
		return false;
	update(false);
	*ns = base_ns[clk == 0 || clk == 5 ? 0 : 1];
	return true;
}

/* At boot: the kernel's own reference on the shared frames, the first
 * time published. */
void vdso_init(void)
{
	seeded = !!(boot_info.flags & LSTAR_BOOT_F_SEEDED);
	for (u64 i = 0; i < vdso_pages(); i++)
		get_page(__pa_symbol(vdso_image_start + i * PAGE_SIZE));
	get_page(__pa_symbol(&vvar));
	calib_tsc = read_tsc();
	calib_ns = device_ns(CLOCK_MONOTONIC);
	update(false);
}

/* The frame behind va in the vvar or vDSO mapping (vdso_fault and
 * vvar_fault), 0 if va is in neither. */
u64 vdso_fault_pa(u64 va)
{
	u64 base = init_mm.vdso;
	if (!base)
		return 0;
	if (va >= base - PAGE_SIZE && va < base)
		return __pa_symbol(&vvar);
	if (va >= base && va < base + (vdso_pages() << PAGE_SHIFT))
		return __pa_symbol(vdso_image_start + (va & PAGE_MASK) - base);
	return 0;
}

/* exec: map [vvar][vdso] where mmap would put them
 * (arch_setup_additional_pages); returns the image's address. */
u64 arch_setup_additional_pages(void)
{
	u64 len = (vdso_pages() + 1) << PAGE_SHIFT;
	u64 addr = get_unmapped_area(len);
	init_mm.vdso = 0;
	if (!addr)
		return 0;
	if (vma_add(addr, addr + PAGE_SIZE, VM_READ | VM_PFNMAP) ||
	    vma_add(addr + PAGE_SIZE, addr + len, VM_READ | VM_EXEC | VM_PFNMAP))
		return 0;
	init_mm.vdso = addr + PAGE_SIZE;
	/* Its symbols for traces, from the image itself. */
	hostcall(LSTAR_HC_MAP_EXEC, -1, init_mm.vdso, len - PAGE_SIZE, 0,
		 __pa_symbol(vdso_image_start), vdso_image_end - vdso_image_start);
	return init_mm.vdso;
}

const char *vdso_vma_name(u64 start)
{
	if (!init_mm.vdso)
		return NULL;
	if (start == init_mm.vdso)
		return "[vdso]";
	if (start == init_mm.vdso - PAGE_SIZE)
		return "[vvar]";
	return NULL;
}
