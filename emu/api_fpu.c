/*
 * api_fpu.c - public access to the x87/SSE state (include/lstar/lstar.h),
 * for tests and embedders.  The FXSAVE64 image is the exchange format so
 * that a test can compare with the host's own FXSAVE byte for byte.
 */
#include <string.h>
#include "emu/machine.h"
#include "cpu/sse.h"

static struct cpu *cpu_of(const lstar_machine *lm)
{
	return &((struct machine *)lm)->cpu;
}

void lstar_get_fxsave(const lstar_machine *lm, uint8_t img[512])
{
	const struct cpu *c = cpu_of(lm);
	unsigned top = (c->fsw >> 11) & 7;
	uint32_t mask = MXCSR_MASK_SUPPORTED;
	uint8_t ftw = (uint8_t)c->ftw;
	uint16_t fop = c->fop & 0x7FF;
	memset(img, 0, 512);
	memcpy(img + 0, &c->fcw, 2);
	memcpy(img + 2, &c->fsw, 2);
	img[4] = ftw;
	memcpy(img + 6, &fop, 2);
	memcpy(img + 8, &c->fip, 8);
	memcpy(img + 16, &c->fdp, 8);
	memcpy(img + 24, &c->mxcsr, 4);
	memcpy(img + 28, &mask, 4);
	for (unsigned k = 0; k < 8; k++)
		memcpy(img + 32 + 16 * k, &c->st[(top + k) & 7], 10);
	memcpy(img + 160, c->xmm, 256);
}

void lstar_set_fxsave(lstar_machine *lm, const uint8_t img[512])
{
	struct cpu *c = cpu_of(lm);
	uint32_t mxcsr;
	memcpy(&c->fcw, img + 0, 2);
	memcpy(&c->fsw, img + 2, 2);
	c->ftw = img[4];
	memcpy(&c->fop, img + 6, 2);
	c->fop &= 0x7FF;
	memcpy(&c->fip, img + 8, 8);
	memcpy(&c->fdp, img + 16, 8);
	memcpy(&mxcsr, img + 24, 4);
	c->mxcsr = mxcsr & MXCSR_MASK_SUPPORTED;
	unsigned top = (c->fsw >> 11) & 7;
	for (unsigned k = 0; k < 8; k++) {
		memset(&c->st[(top + k) & 7], 0, sizeof(c->st[0]));
		memcpy(&c->st[(top + k) & 7], img + 32 + 16 * k, 10);
	}
	memcpy(c->xmm, img + 160, 256);
}

void lstar_get_xmm(const lstar_machine *lm, unsigned n, uint8_t v[16])
{
	memcpy(v, cpu_of(lm)->xmm[n & 15], 16);
}

void lstar_set_xmm(lstar_machine *lm, unsigned n, const uint8_t v[16])
{
	memcpy(cpu_of(lm)->xmm[n & 15], v, 16);
}

void lstar_get_ymm(const lstar_machine *lm, unsigned n, uint8_t v[32])
{
	memcpy(v, cpu_of(lm)->xmm[n & 15], 16);
	memcpy(v + 16, cpu_of(lm)->ymmh[n & 15], 16);
}

void lstar_set_ymm(lstar_machine *lm, unsigned n, const uint8_t v[32])
{
	memcpy(cpu_of(lm)->xmm[n & 15], v, 16);
	memcpy(cpu_of(lm)->ymmh[n & 15], v + 16, 16);
}

uint64_t lstar_get_xcr0(const lstar_machine *lm)
{
	return cpu_of(lm)->xcr0;
}

void lstar_set_xcr0(lstar_machine *lm, uint64_t v)
{
	struct cpu *c = cpu_of(lm);
	uint64_t ok = XCR0_X87 | XCR0_SSE | ((c->features & CPUF_AVX) ? XCR0_AVX : 0);
	c->xcr0 = (v & ok) | XCR0_X87;
}

uint32_t lstar_get_mxcsr(const lstar_machine *lm)
{
	return cpu_of(lm)->mxcsr;
}

void lstar_set_mxcsr(lstar_machine *lm, uint32_t v)
{
	cpu_of(lm)->mxcsr = v & MXCSR_MASK_SUPPORTED;
}
