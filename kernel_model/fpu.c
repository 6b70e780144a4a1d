/*
 * fpu.c - the x87/SSE/AVX register state of tasks (mirrors Linux's
 * arch/x86/kernel/fpu/: init.c, xstate.c, core.c, signal.c).
 *
 * At boot fpu__init_cpu() looks at CPUID: on a CPU with XSAVE it sets
 * CR4.OSXSAVE and enables, through XSETBV, every user state component the
 * CPU has (x87, SSE and, with AVX, the upper YMM halves); the size of the
 * XSAVE area for them is CPUID.(EAX=0DH,ECX=0):EBX.  Without XSAVE the
 * kernel falls back to the 512-byte FXSAVE image.  Each task keeps its
 * registers in thread.fpstate while it is switched out (os_xsave/os_xrstor,
 * the names of Linux's wrappers).  Linux saves with XSAVEOPT; this kernel
 * uses plain XSAVE, which writes every enabled component even in its
 * initial state, so the image's legacy part is always current (lstar's gdb
 * stub reads switched-out threads' registers from it).  A signal frame carries the same image
 * with Linux's software-reserved bytes, so glibc and gdb read it as they
 * would on Linux.
 */
#include "kernel.h"
#include "processor.h"
#include "sched.h"

struct fpu_config fpu_cfg;

static void cpuid_count(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline void xsetbv(u32 index, u64 v)
{
	asm volatile("xsetbv" : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)));
}

void fpu__init_cpu(void)
{
	u32 r[4];
	/* SSE for user programs (compilers emit it everywhere): FXSAVE-style
	 * state enabled, SIMD exceptions as #XM, no x87 emulation. */
	write_cr0((read_cr0() | X86_CR0_MP) & ~X86_CR0_EM);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);

	fpu_cfg.size = FXSAVE_SIZE;
	fpu_cfg.xfeatures = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	cpuid_count(1, 0, r);
	if (!(r[2] & (1u << 26)))	/* no XSAVE: FXSAVE it is */
		return;
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	cpuid_count(0xD, 0, r);
	u64 mask = (((u64)r[3] << 32) | r[0]) & XFEATURE_MASK_USER_SUPPORTED;
	xsetbv(0, mask);
	cpuid_count(0xD, 0, r);		/* EBX now: the size for what XCR0 enables */
	if (r[1] > FPSTATE_MAX)		/* never with the components above */
		panic("XSAVE area of %u bytes does not fit", r[1]);
	fpu_cfg.use_xsave = true;
	fpu_cfg.xfeatures = mask;
	fpu_cfg.size = r[1];
}

void os_xsave(u8 *buf)
{
	if (fpu_cfg.use_xsave)
		asm volatile("xsave64 %0" : "+m"(*(u8 (*)[FPSTATE_MAX])buf)
			     : "a"((u32)fpu_cfg.xfeatures), "d"((u32)(fpu_cfg.xfeatures >> 32))
			     : "memory");
	else
		asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[FXSAVE_SIZE])buf));
}

void os_xrstor(const u8 *buf)
{
	if (fpu_cfg.use_xsave)
		asm volatile("xrstor64 %0" : : "m"(*(const u8 (*)[FPSTATE_MAX])buf),
			     "a"((u32)fpu_cfg.xfeatures), "d"((u32)(fpu_cfg.xfeatures >> 32))
			     : "memory");
	else
		asm volatile("fxrstor64 %0" : : "m"(*(const u8 (*)[FXSAVE_SIZE])buf));
}

/* A new buffer: a valid (zero) XSAVE header, then the current registers. */
void fpstate_init_save(u8 *buf)
{
	memset(buf, 0, FPSTATE_MAX);
	os_xsave(buf);
}
