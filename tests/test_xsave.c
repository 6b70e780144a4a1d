/*
 * test_xsave.c - CPU models (--cpu), CPUID for them, and the XSAVE
 * feature set: XGETBV/XSETBV, XSAVE, XSAVEC, XSAVEOPT and XRSTOR.  The
 * oracle is the SDM: vol. 1 chapter 13 ("Managing state using the XSAVE
 * feature set": 13.4 the area, 13.6 XINUSE, 13.7 XSAVE, 13.8 XRSTOR,
 * 13.10 XSAVEC), vol. 2 under XGETBV, XSETBV and CPUID (leaf 0DH), and
 * the x86-64 psABI's definition of the microarchitecture levels.
 */
#include "sys_harness.h"

#define XCODE(v) ((v)->lay.kernel_code + 0x100)
#define AREA (USER_BASE + 0x1000)   /* 64-aligned */

static void vm_level(struct vm *v, enum lstar_cpu_level level)
{
	struct lstar_config cfg;
	char err[256];
	memset(&cfg, 0, sizeof cfg);
	cfg.mem_size = 64ULL << 20;
	cfg.cpu_level = level;
	v->vendor = LSTAR_VENDOR_INTEL;
	v->m = lstar_machine_new(&cfg, err, sizeof err);
	if (!v->m)
		fail_msg("lstar_machine_new: %s", err);
	assert_int_equal(lstar_setup_flat(v->m, USER_BASE, USER_SIZE, &v->lay), LSTAR_OK);
}

static void cpuid(struct vm *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	PUT(v, XCODE(v), 0x0F, 0xA2);
	setreg(v, LSTAR_RIP, XCODE(v));
	setreg(v, LSTAR_RAX, leaf);
	setreg(v, LSTAR_RCX, sub);
	assert_int_equal(step(v).event, LSTAR_EV_NONE);
	r[0] = (uint32_t)reg(v, LSTAR_RAX);
	r[1] = (uint32_t)reg(v, LSTAR_RBX);
	r[2] = (uint32_t)reg(v, LSTAR_RCX);
	r[3] = (uint32_t)reg(v, LSTAR_RDX);
}

/* Run the bytes at XCODE; the exit says whether it faulted. */
static struct lstar_exit exec(struct vm *v, const uint8_t *code, size_t n)
{
	put(v, XCODE(v), code, n);
	setreg(v, LSTAR_RIP, XCODE(v));
	return step(v);
}
#define EXEC(v, ...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; exec((v), c_, sizeof c_); })

static void expect_fault(struct lstar_exit ex, int vector)
{
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, vector);
}

/* CPUID per level (psABI levels; SDM vol. 2A CPUID tables 3-10, 3-11):
 * leaf 1 ECX SSE3(0) SSSE3(9) CX16(13) SSE4.1(19) SSE4.2(20) MOVBE(22)
 * POPCNT(23) XSAVE(26); leaf 7 EBX BMI1(3) BMI2(8); 80000001H ECX
 * LAHF(0) LZCNT(5).  SSE2 (leaf 1 EDX 26) is in every model. */
static void test_cpuid_levels(void **state)
{
	(void)state;
	static const uint32_t v2_ecx = 1u << 0 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 23;
	for (int level = 1; level <= 3; level++) {
		struct vm v;
		uint32_t r1[4], r7[4], rx[4], r0[4];
		vm_level(&v, (enum lstar_cpu_level)level);
		cpuid(&v, 0, 0, r0);
		cpuid(&v, 1, 0, r1);
		cpuid(&v, 7, 0, r7);
		cpuid(&v, 0x80000001, 0, rx);
		assert_true(r1[3] & (1u << 26));
		if (level == 1)
			assert_int_equal(r1[2] & (v2_ecx | 1u << 22 | 1u << 26), 0);
		else
			assert_int_equal(r1[2] & v2_ecx, v2_ecx);
		assert_int_equal(!!(rx[2] & 1), level >= 2);
		assert_int_equal(!!(r1[2] & (1u << 26)), level >= 3);
		assert_int_equal(!!(r1[2] & (1u << 22)), level >= 3);
		assert_int_equal(!!(r7[1] & (1u << 3)), level >= 3);
		assert_int_equal(!!(r7[1] & (1u << 8)), level >= 3);
		assert_int_equal(!!(rx[2] & (1u << 5)), level >= 3);
		assert_int_equal(r0[0], 0xD);
		/* never AVX-512 (leaf 7 EBX 16) */
		assert_int_equal(r7[1] & (1u << 16), 0);
		vm_free(&v);
	}
}

/* An instruction beyond the model is #UD (psABI levels): POPCNT at
 * x86-64, fine at v2.  On a CPU without LZCNT/TZCNT their encodings run as
 * BSR/BSF (SDM vol. 2A LZCNT: "on processors that do not support LZCNT
 * the instruction byte encoding is executed as BSR"). */
static void test_level_gating(void **state)
{
	(void)state;
	struct vm v;
	vm_level(&v, LSTAR_CPU_X86_64);
	setreg(&v, LSTAR_RCX, 0xF0F0);
	expect_fault(EXEC(&v, 0xF3, 0x0F, 0xB8, 0xC1), 6);   /* popcnt eax, ecx */
	vm_free(&v);

	vm_level(&v, LSTAR_CPU_X86_64_V2);
	setreg(&v, LSTAR_RCX, 0xF0F0);
	assert_int_equal(EXEC(&v, 0xF3, 0x0F, 0xB8, 0xC1).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RAX), 8);
	setreg(&v, LSTAR_RCX, 0x10);
	EXEC(&v, 0xF3, 0x48, 0x0F, 0xBD, 0xC1);               /* lzcnt rax, rcx = bsr */
	assert_int_equal(reg(&v, LSTAR_RAX), 4);
	EXEC(&v, 0xF3, 0x48, 0x0F, 0xBC, 0xC1);               /* tzcnt rax, rcx = bsf */
	assert_int_equal(reg(&v, LSTAR_RAX), 4);
	/* CR4.OSXSAVE needs XSAVE: MOV CR4 with it is #GP(0) at v2 */
	setreg(&v, LSTAR_RAX, reg(&v, LSTAR_CR4) | (1ULL << 18));
	expect_fault(EXEC(&v, 0x0F, 0x22, 0xE0), 13);
	vm_free(&v);

	vm_level(&v, LSTAR_CPU_X86_64_V3);
	setreg(&v, LSTAR_RCX, 0x10);
	EXEC(&v, 0xF3, 0x48, 0x0F, 0xBD, 0xC1);               /* a real LZCNT */
	assert_int_equal(reg(&v, LSTAR_RAX), 59);
	vm_free(&v);
}

static void enable_osxsave(struct vm *v)
{
	setreg(v, LSTAR_RAX, reg(v, LSTAR_CR4) | (1ULL << 18) | (1ULL << 9));
	assert_int_equal(EXEC(v, 0x0F, 0x22, 0xE0).event, LSTAR_EV_NONE);   /* mov cr4, rax */
}

/* XGETBV/XSETBV (SDM vol. 2C): #UD while CR4.OSXSAVE = 0; XSETBV #GP(0)
 * for ECX != 0, bit 0 clear, AVX without SSE, an unsupported bit, CPL 3;
 * CPUID.1:ECX.OSXSAVE[27] follows CR4. */
static void test_xgetbv_xsetbv(void **state)
{
	(void)state;
	struct vm v;
	uint32_t r[4];
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	expect_fault(EXEC(&v, 0x0F, 0x01, 0xD0), 6);
	cpuid(&v, 1, 0, r);
	assert_int_equal(r[2] & (1u << 27), 0);
	enable_osxsave(&v);
	cpuid(&v, 1, 0, r);
	assert_true(r[2] & (1u << 27));
	bool avx = (r[2] >> 28) & 1;

	setreg(&v, LSTAR_RCX, 0);
	assert_int_equal(EXEC(&v, 0x0F, 0x01, 0xD0).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RAX), 1);             /* x87 only after reset */
	assert_int_equal(reg(&v, LSTAR_RDX), 0);
	setreg(&v, LSTAR_RCX, 1);
	expect_fault(EXEC(&v, 0x0F, 0x01, 0xD0), 13);        /* XGETBV(1) not reported */

	static const uint64_t bad[] = { 0, 2, 4, 5, 8, 0x100000000ULL };
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		setreg(&v, LSTAR_RCX, 0);
		setreg(&v, LSTAR_RAX, bad[k] & 0xFFFFFFFF);
		setreg(&v, LSTAR_RDX, bad[k] >> 32);
		expect_fault(EXEC(&v, 0x0F, 0x01, 0xD1), 13);
	}
	setreg(&v, LSTAR_RCX, 1);
	setreg(&v, LSTAR_RAX, 3);
	setreg(&v, LSTAR_RDX, 0);
	expect_fault(EXEC(&v, 0x0F, 0x01, 0xD1), 13);
	setreg(&v, LSTAR_RCX, 0);
	setreg(&v, LSTAR_RAX, avx ? 7 : 3);
	assert_int_equal(EXEC(&v, 0x0F, 0x01, 0xD1).event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_xcr0(v.m), avx ? 7u : 3u);
	if (!avx) {   /* AVX is not reported: XCR0.AVX is refused */
		setreg(&v, LSTAR_RAX, 7);
		expect_fault(EXEC(&v, 0x0F, 0x01, 0xD1), 13);
	}

	/* CPL 3: XGETBV is allowed, XSETBV is #GP(0) */
	put(&v, USER_CODE, (const uint8_t[]){ 0x0F, 0x01, 0xD1 }, 3);
	to_user(&v);
	setreg(&v, LSTAR_RIP, USER_CODE);
	setreg(&v, LSTAR_RAX, 3);
	expect_fault(step(&v), 13);
	vm_free(&v);
}

/* CPUID leaf 0DH (SDM vol. 1 13.2): sizes follow XCR0. */
static void test_cpuid_leaf_d(void **state)
{
	(void)state;
	struct vm v;
	uint32_t r[4], r1[4];
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	cpuid(&v, 1, 0, r1);
	bool avx = (r1[2] >> 28) & 1;
	cpuid(&v, 0xD, 0, r);
	assert_int_equal(r[0], avx ? 7 : 3);
	assert_int_equal(r[1], 576);                          /* XCR0 = 1 after reset */
	assert_int_equal(r[2], avx ? 832 : 576);
	assert_int_equal(r[3], 0);
	cpuid(&v, 0xD, 1, r);
	assert_int_equal(r[0], 3);                            /* XSAVEOPT, XSAVEC */
	cpuid(&v, 0xD, 2, r);
	assert_int_equal(r[0], avx ? 256 : 0);
	assert_int_equal(r[1], avx ? 576 : 0);
	vm_free(&v);

	vm_level(&v, LSTAR_CPU_X86_64_V2);                    /* no XSAVE: leaf 0DH is zero */
	cpuid(&v, 0xD, 0, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	vm_free(&v);
}

static void xsetbv3(struct vm *v)
{
	setreg(v, LSTAR_RCX, 0);
	setreg(v, LSTAR_RAX, 3);
	setreg(v, LSTAR_RDX, 0);
	assert_int_equal(EXEC(v, 0x0F, 0x01, 0xD1).event, LSTAR_EV_NONE);
}

static void fill_area(struct vm *v, uint8_t byte)
{
	uint8_t junk[1024];
	memset(junk, byte, sizeof junk);
	put(v, AREA, junk, sizeof junk);
}

/* XSAVE/XRSTOR round trip and the header (13.7, 13.8): XSAVE writes the
 * requested components and XSTATE_BV[i] = XINUSE[i] for them, leaves the
 * other header bytes and the software-available bytes 464-511 alone;
 * XRSTOR loads components whose XSTATE_BV bit is set and initializes the
 * requested others. */
static void test_xsave_xrstor(void **state)
{
	(void)state;
	struct vm v;
	uint8_t x1[16], got[16], zero[16] = { 0 };
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	enable_osxsave(&v);
	xsetbv3(&v);
	for (int k = 0; k < 16; k++)
		x1[k] = (uint8_t)(0xA0 + k);
	lstar_set_xmm(v.m, 1, x1);
	lstar_set_mxcsr(v.m, 0x1F80 | 0x6000);              /* RC = toward zero */
	fill_area(&v, 0xEE);
	uint8_t hdr0[64] = { 0 };
	put(&v, AREA + 512, hdr0, 64);
	setreg(&v, LSTAR_RDI, AREA);
	setreg(&v, LSTAR_RAX, 0xFFFFFFFF);
	setreg(&v, LSTAR_RDX, 0xFFFFFFFF);                   /* RFBM = XCR0 = 3 */
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xAE, 0x27).event, LSTAR_EV_NONE);   /* xsave64 [rdi] */
	assert_int_equal(lstar_read_phys(v.m, AREA + 160 + 16, got, 16), LSTAR_OK);
	assert_memory_equal(got, x1, 16);
	assert_int_equal(rd64(&v, AREA + 24) & 0xFFFFFFFF, 0x7F80);
	/* x87 in its initial configuration, SSE in use */
	assert_int_equal(rd64(&v, AREA + 512), 2);
	assert_int_equal(rd64(&v, AREA + 520), 0);
	assert_int_equal(rd64(&v, AREA + 464), 0xEEEEEEEEEEEEEEEEULL);   /* not written */
	assert_int_equal(rd64(&v, AREA + 0), 0x037F);       /* x87 written even when init */

	/* change, then restore */
	lstar_set_xmm(v.m, 1, zero);
	lstar_set_mxcsr(v.m, 0x1F80);
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F).event, LSTAR_EV_NONE);   /* xrstor64 [rdi] */
	lstar_get_xmm(v.m, 1, got);
	assert_memory_equal(got, x1, 16);
	assert_int_equal(lstar_get_mxcsr(v.m), 0x7F80);

	/* XSTATE_BV[1] = 0: SSE to its initial configuration (XMM = 0), but
	 * the standard form still loads MXCSR (13.8.1). */
	wr64(&v, AREA + 512, 0);
	wr64(&v, AREA + 24, 0x1FC0);
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F).event, LSTAR_EV_NONE);
	lstar_get_xmm(v.m, 1, got);
	assert_memory_equal(got, zero, 16);
	assert_int_equal(lstar_get_mxcsr(v.m), 0x1FC0);

	/* faults, each leaving the state alone */
	lstar_set_xmm(v.m, 1, x1);
	wr64(&v, AREA + 512, 2);
	wr64(&v, AREA + 528, 1);                              /* reserved header byte */
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 13);
	wr64(&v, AREA + 528, 0);
	wr64(&v, AREA + 512, 4);                              /* bit outside XCR0 */
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 13);
	wr64(&v, AREA + 512, 2);
	wr64(&v, AREA + 24, 0x10000);                         /* reserved MXCSR bit */
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 13);
	lstar_get_xmm(v.m, 1, got);
	assert_memory_equal(got, x1, 16);
	setreg(&v, LSTAR_RDI, AREA + 16);                     /* not 64-aligned */
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x27), 13);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 13);
	setreg(&v, LSTAR_RDI, AREA);
	setreg(&v, LSTAR_CR0, reg(&v, LSTAR_CR0) | 8);       /* CR0.TS: #NM */
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x27), 7);
	vm_free(&v);
}

/* XSAVEC (13.10): XCOMP_BV = RFBM | bit 63, XSTATE_BV = RFBM & XINUSE,
 * components not in use are not written; the compacted XRSTOR reads it
 * back, and with XSTATE_BV[1] = 0 sets MXCSR to 1F80H (13.8.2). */
static void test_xsavec(void **state)
{
	(void)state;
	struct vm v;
	uint8_t x3[16], got[16], zero[16] = { 0 };
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	enable_osxsave(&v);
	xsetbv3(&v);
	for (int k = 0; k < 16; k++)
		x3[k] = (uint8_t)(0x30 + k);
	lstar_set_xmm(v.m, 3, x3);
	fill_area(&v, 0xEE);
	setreg(&v, LSTAR_RDI, AREA);
	setreg(&v, LSTAR_RAX, 3);
	setreg(&v, LSTAR_RDX, 0);
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xC7, 0x27).event, LSTAR_EV_NONE);   /* xsavec64 [rdi] */
	assert_int_equal(rd64(&v, AREA + 512), 2);
	assert_int_equal(rd64(&v, AREA + 520), 0x8000000000000003ULL);
	assert_int_equal(rd64(&v, AREA + 0), 0xEEEEEEEEEEEEEEEEULL);   /* x87 init: not written */
	assert_int_equal(lstar_read_phys(v.m, AREA + 160 + 48, got, 16), LSTAR_OK);
	assert_memory_equal(got, x3, 16);
	/* the rest of the header must be zero for the compacted XRSTOR */
	uint8_t z48[48] = { 0 };
	put(&v, AREA + 528, z48, 48);
	lstar_set_xmm(v.m, 3, zero);
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F).event, LSTAR_EV_NONE);
	lstar_get_xmm(v.m, 3, got);
	assert_memory_equal(got, x3, 16);
	lstar_set_mxcsr(v.m, 0x1FC0);
	wr64(&v, AREA + 512, 0);
	assert_int_equal(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F).event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_mxcsr(v.m), 0x1F80);
	lstar_get_xmm(v.m, 3, got);
	assert_memory_equal(got, zero, 16);
	/* XSTATE_BV outside XCOMP_BV: #GP */
	wr64(&v, AREA + 520, 0x8000000000000002ULL);
	wr64(&v, AREA + 512, 1);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 13);
	vm_free(&v);
}

/* XSAVE and friends are #UD without CR4.OSXSAVE (13.7) and on a model
 * without XSAVE. */
static void test_xsave_ud(void **state)
{
	(void)state;
	struct vm v;
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	setreg(&v, LSTAR_RDI, AREA);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x27), 6);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x2F), 6);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xC7, 0x27), 6);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x37), 6);
	vm_free(&v);
	vm_level(&v, LSTAR_CPU_X86_64_V2);
	setreg(&v, LSTAR_RDI, AREA);
	expect_fault(EXEC(&v, 0x48, 0x0F, 0xAE, 0x27), 6);
	vm_free(&v);
}

/* The VEX enable rules (SDM vol. 2 2.4, the exception-class tables; vol.
 * 1 13.5.3): a VEX instruction is #UD while CR4.OSXSAVE = 0 or while XCR0
 * lacks SSE or AVX state, #NM with CR0.TS = 1; and the encoding rules: a
 * 66 prefix before VEX, VEX.vvvv other than 1111b where unused, VEX.L = 1
 * where there is no 256-bit form are #UD.  On --cpu x86-64-v2 no VEX
 * instruction but the BMI ones exists. */
static void test_vex_enable_rules(void **state)
{
	(void)state;
	struct vm v;
	uint32_t r[4];
	vm_level(&v, LSTAR_CPU_X86_64_V3);
	cpuid(&v, 1, 0, r);
	if (!(r[2] & (1u << 28))) {   /* no AVX in this model: nothing to check */
		vm_free(&v);
		skip();
	}
	/* vxorps xmm0, xmm1, xmm2 */
	expect_fault(EXEC(&v, 0xC5, 0xF0, 0x57, 0xC2), 6);        /* CR4.OSXSAVE = 0 */
	enable_osxsave(&v);
	xsetbv3(&v);
	expect_fault(EXEC(&v, 0xC5, 0xF0, 0x57, 0xC2), 6);        /* XCR0 = 3: no AVX state */
	setreg(&v, LSTAR_RCX, 0);
	setreg(&v, LSTAR_RAX, 7);
	setreg(&v, LSTAR_RDX, 0);
	assert_int_equal(EXEC(&v, 0x0F, 0x01, 0xD1).event, LSTAR_EV_NONE);
	assert_int_equal(EXEC(&v, 0xC5, 0xF0, 0x57, 0xC2).event, LSTAR_EV_NONE);
	expect_fault(EXEC(&v, 0x66, 0xC5, 0xF0, 0x57, 0xC2), 6);  /* 66 before VEX */
	expect_fault(EXEC(&v, 0xC5, 0xF2, 0x6F, 0xC1), 6);        /* vmovdqu, vvvv = 1110b */
	expect_fault(EXEC(&v, 0xC5, 0xFD, 0x6E, 0xC0), 6);        /* vmovd with VEX.L = 1 */
	setreg(&v, LSTAR_CR0, reg(&v, LSTAR_CR0) | 8);            /* CR0.TS */
	expect_fault(EXEC(&v, 0xC5, 0xF0, 0x57, 0xC2), 7);
	expect_fault(EXEC(&v, 0xC5, 0xF8, 0x77), 7);              /* vzeroupper */
	vm_free(&v);

	vm_level(&v, LSTAR_CPU_X86_64_V2);
	setreg(&v, LSTAR_CR4, reg(&v, LSTAR_CR4) | (1ULL << 18));  /* even if forced on */
	lstar_set_xcr0(v.m, 7);
	expect_fault(EXEC(&v, 0xC5, 0xF0, 0x57, 0xC2), 6);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_levels),
		cmocka_unit_test(test_level_gating),
		cmocka_unit_test(test_xgetbv_xsetbv),
		cmocka_unit_test(test_cpuid_leaf_d),
		cmocka_unit_test(test_xsave_xrstor),
		cmocka_unit_test(test_xsavec),
		cmocka_unit_test(test_xsave_ud),
		cmocka_unit_test(test_vex_enable_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
