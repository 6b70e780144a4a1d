/*
 * cpuid.c - CPUID (0F A2): what lstar tells the guest it implements.
 *
 * SDM vol. 2A "CPUID" (tables 3-8 to 3-20), AMD APM vol. 3 appendix E and
 * platform.md §6: report only features lstar implements completely.  Each
 * advertised bit is one row below with the file that implements it; a
 * feature nobody implements stays 0, so a guest that checks CPUID never
 * reaches an unimplemented instruction.
 */
#include <string.h>

#include "cpu.h"
#include "system.h"

enum { EAX, EBX, ECX, EDX };

struct feature {
	uint32_t leaf;
	unsigned char reg;   /* EAX..EDX */
	unsigned char bit;
	unsigned char amd_mirror; /* AMD also reports it in 0x80000001 EDX */
	unsigned need;       /* CPUF_* the CPU model must have; 0 = every model */
	const char *name;    /* why it is safe to advertise */
};

static const struct feature features[] = {
	/* leaf 1 EDX: the x86-64 baseline */
	{ 1, EDX, 0,  1, 0, "FPU: x87 (cpu/x87*.c)" },
	{ 1, EDX, 3,  1, 0, "PSE: large pages; in long mode PS=1 pages are always honoured (cpu/paging.c)" },
	{ 1, EDX, 4,  1, 0, "TSC: RDTSC = icount*4 + offset (cpu/system.c)" },
	{ 1, EDX, 5,  1, 0, "MSR: RDMSR/WRMSR (msr/msr.c)" },
	{ 1, EDX, 6,  1, 0, "PAE: required by long mode (cpu/paging.c)" },
	{ 1, EDX, 8,  1, 0, "CX8: CMPXCHG8B (cpu/move.c)" },
	{ 1, EDX, 15, 1, 0, "CMOV: CMOVcc (cpu/move.c)" },
	{ 1, EDX, 16, 1, 0, "PAT: IA32_PAT stored and checked; no caches, so no effect" },
	{ 1, EDX, 19, 0, 0, "CLFSH: CLFLUSH checks its address (cpu/misc.c)" },
	{ 1, EDX, 23, 1, 0, "MMX: required with SSE2 for x86-64 baseline (cpu/sse*.c)" },
	{ 1, EDX, 24, 1, 0, "FXSR: FXSAVE/FXRSTOR (cpu/sse*.c)" },
	{ 1, EDX, 25, 0, 0, "SSE (cpu/sse*.c)" },
	{ 1, EDX, 26, 0, 0, "SSE2 (cpu/sse*.c)" },
	/* not advertised: VME DE MCE APIC (it means the xAPIC's MMIO page,
	 * which is not modelled: the APIC is reached in x2APIC mode only,
	 * leaf 1 ECX bit 21) SEP MTRR PGE (the TLB keeps no global entries and
	 * CR4.PGE is refused) MCA PSE36 DS ACPI SS HTT. */
	/* leaf 1 ECX */
	{ 1, ECX, 0,  0, CPUF_SSE3, "SSE3 (cpu/sse_fp.c, cpu/sse_int.c; diff-fpu checked)" },
	{ 1, ECX, 9,  0, CPUF_SSSE3, "SSSE3: PSHUFB, PALIGNR... (cpu/sse_int.c; diff-fpu checked)" },
	{ 1, ECX, 12, 0, CPUF_FMA, "FMA: VFMADD/VFMSUB/VFNMADD/VFNMSUB (cpu/avx_fma.c; diff-avx checked)" },
	{ 1, ECX, 13, 0, CPUF_CX16, "CX16: CMPXCHG16B (cpu/move.c)" },
	{ 1, ECX, 19, 0, CPUF_SSE41, "SSE4.1 (cpu/sse4.c; diff-fpu checked)" },
	{ 1, ECX, 20, 0, CPUF_SSE42, "SSE4.2: PCMPxSTRx, CRC32 (cpu/sse4.c; diff-fpu checked)" },
	{ 1, ECX, 22, 0, CPUF_MOVBE, "MOVBE (cpu/move.c)" },
	{ 1, ECX, 23, 0, CPUF_POPCNT, "POPCNT (cpu/bitops.c)" },
	{ 1, ECX, 21, 0, 0, "x2APIC: the local APIC's MSR interface, timer and interrupts (cpu/apic.c)" },
	{ 1, ECX, 24, 0, 0, "TSC-deadline: the APIC timer's IA32_TSC_DEADLINE mode (cpu/apic.c)" },
	{ 1, ECX, 1,  0, CPUF_PCLMUL, "PCLMULQDQ: carry-less multiply (cpu/crypto.c; diff-fpu checked)" },
	{ 1, ECX, 25, 0, CPUF_AES, "AES: AESENC.. AESKEYGENASSIST (cpu/crypto.c; diff-fpu checked)" },
	{ 1, ECX, 30, 0, CPUF_RDRAND, "RDRAND: from cpu->rng_state, reproducible under --seed (cpu/crypto.c)" },
	{ 1, ECX, 26, 0, CPUF_XSAVE, "XSAVE: XSAVE/XRSTOR/XSETBV/XGETBV, XCR0 = x87|SSE|AVX (cpu/xsave.c)" },
	/* bit 27, OSXSAVE, is CR4.OSXSAVE: op_cpuid() fills it in */
	{ 1, ECX, 28, 0, CPUF_AVX, "AVX: VEX-encoded 128/256-bit SSE forms, YMM state (cpu/avx*.c; diff-avx checked)" },
	{ 1, ECX, 29, 0, CPUF_F16C, "F16C: VCVTPH2PS/VCVTPS2PH (cpu/avx_fma.c; diff-avx checked)" },
	/* leaf 7 subleaf 0 EBX */
	{ 7, EBX, 0,  0, 0, "FSGSBASE: RD/WR FS/GS BASE with CR4.FSGSBASE (cpu/system.c)" },
	{ 7, EBX, 3,  0, CPUF_BMI1, "BMI1: ANDN BEXTR BLSI BLSMSK BLSR TZCNT (cpu/bitops.c; diff checked)" },
	{ 7, EBX, 5,  0, CPUF_AVX2, "AVX2: 256-bit integer forms, permutes, gathers (cpu/avx*.c; diff-avx checked)" },
	{ 7, EBX, 8,  0, CPUF_BMI2, "BMI2: BZHI PDEP PEXT MULX SARX SHLX SHRX RORX (cpu/bitops.c; diff checked)" },
	{ 7, EBX, 18, 0, CPUF_RDSEED, "RDSEED: the RDRAND generator (cpu/crypto.c)" },
	{ 7, EBX, 19, 0, CPUF_ADX, "ADX: ADCX ADOX (cpu/alu.c; diff checked)" },
	{ 7, EBX, 29, 0, CPUF_SHA, "SHA: SHA1RNDS4.. SHA256MSG2 (cpu/crypto.c; diff-fpu checked)" },
	/* leaf 0x80000001 EDX */
	{ 0x80000001, EDX, 11, 0, 0, "SYSCALL: SYSCALL/SYSRET (cpu/system.c)" },
	{ 0x80000001, EDX, 20, 0, 0, "NX: EFER.NXE and the XD bit (cpu/paging.c)" },
	{ 0x80000001, EDX, 26, 0, 0, "Page1GB: 1 GiB pages (cpu/paging.c)" },
	{ 0x80000001, EDX, 27, 0, 0, "RDTSCP with IA32_TSC_AUX (cpu/system.c)" },
	{ 0x80000001, EDX, 29, 0, 0, "LM: long mode" },
	/* leaf 0x80000001 ECX */
	{ 0x80000001, ECX, 0, 0, CPUF_LAHF, "LAHF/SAHF in 64-bit mode (cpu/misc.c)" },
	{ 0x80000001, ECX, 5, 0, CPUF_LZCNT, "ABM/LZCNT (cpu/bitops.c)" },
};

static const char *const feature_names[] = {
	"SSE3", "SSSE3", "SSE4.1", "SSE4.2", "POPCNT", "CMPXCHG16B", "LAHF-SAHF",
	"MOVBE", "LZCNT", "BMI1", "BMI2", "AVX", "AVX2", "FMA", "F16C", "XSAVE",
	"AES", "PCLMULQDQ", "SHA", "RDRAND", "RDSEED", "ADX",
};

const char *cpu_feature_name(unsigned bit)
{
	if (bit < sizeof feature_names / sizeof feature_names[0])
		return feature_names[bit];
	return "a feature lstar does not implement";
}

const char *cpu_level_name(int level)
{
	return level == 1 ? "x86-64" : level == 2 ? "x86-64-v2" : "x86-64-v3";
}

unsigned cpu_level_features(int level)
{
	unsigned f = level <= 1 ? CPUF_LEVEL1 : level == 2 ? CPUF_LEVEL2 : CPUF_LEVEL3;
	return f & CPUF_IMPLEMENTED;
}

#define MAX_BASIC 0xD
#define MAX_EXT 0x80000008u

static uint32_t feature_bits(enum cpu_vendor v, unsigned model, uint32_t leaf, int reg)
{
	uint32_t r = 0;
	for (size_t k = 0; k < sizeof features / sizeof features[0]; k++) {
		const struct feature *f = &features[k];
		if ((f->need & model) != f->need)
			continue;
		if (f->leaf == leaf && f->reg == reg)
			r |= 1u << f->bit;
		/* AMD repeats most leaf-1 EDX bits in 0x80000001 EDX. */
		if (v == VENDOR_AMD && leaf == 0x80000001 && reg == EDX &&
		    f->leaf == 1 && f->reg == EDX && f->amd_mirror)
			r |= 1u << f->bit;
	}
	return r;
}

static void str4(uint32_t *out, const char *s)
{
	memcpy(out, s, 4);
}

/* CPUID leaf/subleaf -> EAX..EDX for the CPU's vendor and model (also
 * used by tests). */
void cpuid_query(const struct cpu *c, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	enum cpu_vendor v = c->vendor;
	unsigned model = c->features;
	bool amd = v == VENDOR_AMD;
	r[0] = r[1] = r[2] = r[3] = 0;

	/* Out of range: Intel answers with the highest basic leaf, AMD with
	 * zeros (SDM CPUID "If a value entered for CPUID.EAX is higher than
	 * the maximum input value..."). */
	if ((leaf > MAX_BASIC && leaf < 0x80000000u) || leaf > MAX_EXT) {
		if (amd)
			return;
		leaf = MAX_BASIC;
		sub = 1;  /* leaf 7 subleaf 1: all zero */
	}
	switch (leaf) {
	case 0:
		r[0] = MAX_BASIC;
		/* The vendor string is EBX, EDX, ECX in that order. */
		str4(&r[1], amd ? "Auth" : "Genu");
		str4(&r[3], amd ? "enti" : "ineI");
		str4(&r[2], amd ? "cAMD" : "ntel");
		break;
	case 1:
		/* family/model/stepping: Intel 6/0x3A/9 (Ivy Bridge),
		 * AMD 0x17/1/2 (Zen); EBX: CLFLUSH line 8*8 = 64 bytes,
		 * one logical processor, initial APIC ID 0 (bits 31:24, the
		 * x2APIC ID register's value, cpu/apic.c). */
		r[0] = amd ? 0x00800F12 : 0x000306A9;
		r[1] = (8u << 8) | (1u << 16);
		r[2] = feature_bits(v, model, 1, ECX);
		r[3] = feature_bits(v, model, 1, EDX);
		if (c->cr4 & CR4_OSXSAVE)
			r[2] |= 1u << 27;   /* OSXSAVE mirrors CR4 (SDM CPUID table 3-10) */
		break;
	case 7:
		if (sub == 0)
			r[1] = feature_bits(v, model, 7, EBX);
		break;
	case 0xD:
		if (model & CPUF_XSAVE)
			xsave_cpuid(c, sub, r);
		break;
	case 0x80000000:
		r[0] = MAX_EXT;
		if (amd) {  /* AMD repeats the vendor string here */
			str4(&r[1], "Auth");
			str4(&r[3], "enti");
			str4(&r[2], "cAMD");
		}
		break;
	case 0x80000001:
		r[0] = amd ? 0x00800F12 : 0;
		r[2] = feature_bits(v, model, 0x80000001, ECX);
		r[3] = feature_bits(v, model, 0x80000001, EDX);
		break;
	case 0x80000002: case 0x80000003: case 0x80000004: {
		char brand[48];
		memset(brand, 0, sizeof brand);
		strncpy(brand, amd ? "lstar x86-64 emulator (AMD flavour)"
				   : "lstar x86-64 emulator (Intel flavour)", sizeof brand - 1);
		memcpy(r, brand + 16 * (leaf - 0x80000002), 16);
		break;
	}
	case 0x80000008:
		r[0] = CPU_MAXPHYADDR | (48u << 8);  /* physical, linear bits */
		break;
	default:
		break;
	}
}

/* CPUID (0F A2) - SDM vol. 2A: any CPL; EAX = leaf, ECX = subleaf; the
 * results zero-extend into RAX, RBX, RCX, RDX. */
void op_cpuid(struct cpu *c, const struct insn *i)
{
	uint32_t r[4];
	if (i->lock)
		cpu_fault(c, EXC_UD, 0);
	cpuid_query(c, (uint32_t)c->r[R_RAX], (uint32_t)c->r[R_RCX], r);
	c->r[R_RAX] = r[0];
	c->r[R_RBX] = r[1];
	c->r[R_RCX] = r[2];
	c->r[R_RDX] = r[3];
}
