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
	const char *name;    /* why it is safe to advertise */
};

static const struct feature features[] = {
	/* leaf 1 EDX */
	{ 1, EDX, 0,  1, "FPU: x87 (cpu/x87*.c)" },
	{ 1, EDX, 3,  1, "PSE: large pages; in long mode PS=1 pages are always honoured (cpu/paging.c)" },
	{ 1, EDX, 4,  1, "TSC: RDTSC = icount*4 + offset (cpu/system.c)" },
	{ 1, EDX, 5,  1, "MSR: RDMSR/WRMSR (msr/msr.c)" },
	{ 1, EDX, 6,  1, "PAE: required by long mode (cpu/paging.c)" },
	{ 1, EDX, 8,  1, "CX8: CMPXCHG8B (cpu/move.c)" },
	{ 1, EDX, 15, 1, "CMOV: CMOVcc (cpu/move.c)" },
	{ 1, EDX, 16, 1, "PAT: IA32_PAT stored and checked; no caches, so no effect" },
	{ 1, EDX, 19, 0, "CLFSH: CLFLUSH checks its address (cpu/misc.c)" },
	{ 1, EDX, 23, 1, "MMX: required with SSE2 for x86-64 baseline (cpu/sse*.c)" },
	{ 1, EDX, 24, 1, "FXSR: FXSAVE/FXRSTOR (cpu/sse*.c)" },
	{ 1, EDX, 25, 0, "SSE (cpu/sse*.c)" },
	{ 1, EDX, 26, 0, "SSE2 (cpu/sse*.c)" },
	/* not advertised: VME DE MCE APIC (it means the xAPIC's MMIO page,
	 * which is not modelled: the APIC is reached in x2APIC mode only,
	 * leaf 1 ECX bit 21) SEP MTRR PGE (the TLB keeps no global entries and
	 * CR4.PGE is refused) MCA PSE36 DS ACPI SS HTT. */
	/* leaf 1 ECX */
	{ 1, ECX, 0,  0, "SSE3 (cpu/sse_fp.c, cpu/sse_int.c; diff-fpu checked)" },
	{ 1, ECX, 9,  0, "SSSE3: PSHUFB, PALIGNR... (cpu/sse_int.c; diff-fpu checked)" },
	{ 1, ECX, 13, 0, "CX16: CMPXCHG16B (cpu/move.c)" },
	{ 1, ECX, 19, 0, "SSE4.1 (cpu/sse4.c; diff-fpu checked)" },
	{ 1, ECX, 20, 0, "SSE4.2: PCMPxSTRx, CRC32 (cpu/sse4.c; diff-fpu checked)" },
	{ 1, ECX, 22, 0, "MOVBE (cpu/move.c)" },
	{ 1, ECX, 23, 0, "POPCNT (cpu/bitops.c)" },
	{ 1, ECX, 21, 0, "x2APIC: the local APIC's MSR interface, timer and interrupts (cpu/apic.c)" },
	{ 1, ECX, 24, 0, "TSC-deadline: the APIC timer's IA32_TSC_DEADLINE mode (cpu/apic.c)" },
	{ 1, ECX, 1,  0, "PCLMULQDQ: carry-less multiply, legacy SSE form (cpu/crypto.c; diff-fpu checked)" },
	{ 1, ECX, 25, 0, "AES: AESENC.. AESKEYGENASSIST, legacy SSE forms (cpu/crypto.c; diff-fpu checked)" },
	{ 1, ECX, 30, 0, "RDRAND: from cpu->rng_state, reproducible under --seed (cpu/crypto.c)" },
	/* leaf 7 subleaf 0 EBX */
	{ 7, EBX, 0,  0, "FSGSBASE: RD/WR FS/GS BASE with CR4.FSGSBASE (cpu/system.c)" },
	{ 7, EBX, 3,  0, "BMI1: ANDN BEXTR BLSI BLSMSK BLSR TZCNT (cpu/bitops.c; diff checked)" },
	{ 7, EBX, 8,  0, "BMI2: BZHI PDEP PEXT MULX SARX SHLX SHRX RORX (cpu/bitops.c; diff checked)" },
	{ 7, EBX, 18, 0, "RDSEED: the RDRAND generator (cpu/crypto.c)" },
	{ 7, EBX, 19, 0, "ADX: ADCX ADOX (cpu/alu.c; diff checked)" },
	{ 7, EBX, 29, 0, "SHA: SHA1RNDS4.. SHA256MSG2 (cpu/crypto.c; diff-fpu checked)" },
	/* leaf 0x80000001 EDX */
	{ 0x80000001, EDX, 11, 0, "SYSCALL: SYSCALL/SYSRET (cpu/system.c)" },
	{ 0x80000001, EDX, 20, 0, "NX: EFER.NXE and the XD bit (cpu/paging.c)" },
	{ 0x80000001, EDX, 26, 0, "Page1GB: 1 GiB pages (cpu/paging.c)" },
	{ 0x80000001, EDX, 27, 0, "RDTSCP with IA32_TSC_AUX (cpu/system.c)" },
	{ 0x80000001, EDX, 29, 0, "LM: long mode" },
	/* leaf 0x80000001 ECX */
	{ 0x80000001, ECX, 0, 0, "LAHF/SAHF in 64-bit mode (cpu/misc.c)" },
	{ 0x80000001, ECX, 5, 0, "ABM/LZCNT (cpu/bitops.c)" },
};

#define MAX_BASIC 7
#define MAX_EXT 0x80000008u

static uint32_t feature_bits(enum cpu_vendor v, uint32_t leaf, int reg)
{
	uint32_t r = 0;
	for (size_t k = 0; k < sizeof features / sizeof features[0]; k++) {
		const struct feature *f = &features[k];
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

/* CPUID leaf/subleaf -> EAX..EDX for a vendor (also used by tests). */
void cpuid_query(enum cpu_vendor v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
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
		r[2] = feature_bits(v, 1, ECX);
		r[3] = feature_bits(v, 1, EDX);
		break;
	case 7:
		if (sub == 0)
			r[1] = feature_bits(v, 7, EBX);
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
		r[2] = feature_bits(v, 0x80000001, ECX);
		r[3] = feature_bits(v, 0x80000001, EDX);
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
	cpuid_query(c->vendor, (uint32_t)c->r[R_RAX], (uint32_t)c->r[R_RCX], r);
	c->r[R_RAX] = r[0];
	c->r[R_RBX] = r[1];
	c->r[R_RCX] = r[2];
	c->r[R_RDX] = r[3];
}
