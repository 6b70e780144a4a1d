/*
 * fxsave.c - FXSAVE/FXSAVE64 and FXRSTOR/FXRSTOR64: the 512-byte x87 +
 * SSE state image (SDM vol. 2A "FXSAVE", tables 3-53/3-56).
 *
 *   0 FCW   2 FSW   4 abridged FTW   6 FOP
 *   8 FIP (64-bit form: 8 bytes; else FIP 4 + FCS 2 + 2 reserved)
 *  16 FDP (64-bit form: 8 bytes; else FDP 4 + FDS 2 + 2 reserved)
 *  24 MXCSR   28 MXCSR_MASK
 *  32 ST(0)..ST(7), 16 bytes each (80-bit value + 6 reserved)
 * 160 XMM0..XMM15
 * 416..511 reserved / available to software: not written.
 *
 * The image is written after checking the whole 416-byte range, so a page
 * fault leaves memory unchanged.  lstar saves XMM and MXCSR whatever
 * CR4.OSFXSR says (the SDM leaves it implementation-dependent).
 */
#include "x87.h"

#define FX_USED 416

static uint64_t fx_begin(struct cpu *c, const struct insn *i)
{
	uint64_t la = insn_ea(c, i);
	if (unlikely(c->cr0 & (CR0_EM | CR0_TS)))
		cpu_fault(c, EXC_NM, 0);
	if (unlikely(la & 15))
		cpu_fault(c, EXC_GP, 0);
	return la;
}

/* The x87 part of the image: bytes 0-23 but MXCSR, and 32-159. */
void fx_x87_save(const struct cpu *c, uint8_t *img, bool w64)
{
	memcpy(img + 0, &c->fcw, 2);
	memcpy(img + 2, &c->fsw, 2);
	img[4] = (uint8_t)c->ftw;
	img[5] = 0;
	uint16_t fop = c->fop & 0x7FF;
	memcpy(img + 6, &fop, 2);
	if (w64) {
		memcpy(img + 8, &c->fip, 8);
		memcpy(img + 16, &c->fdp, 8);
	} else {
		uint32_t ip = (uint32_t)c->fip, dp = (uint32_t)c->fdp;
		memset(img + 8, 0, 16);
		memcpy(img + 8, &ip, 4);
		memcpy(img + 16, &dp, 4);
	}
	for (unsigned k = 0; k < 8; k++) {
		memset(img + 32 + 16 * k, 0, 16);
		memcpy(img + 32 + 16 * k, &c->st[x87_phys(c, k)], 10);
	}
}

/* MXCSR and MXCSR_MASK (bytes 24-31). */
void fx_mxcsr_save(const struct cpu *c, uint8_t *img)
{
	uint32_t mask = MXCSR_MASK_SUPPORTED;
	memcpy(img + 24, &c->mxcsr, 4);
	memcpy(img + 28, &mask, 4);
}

void fx_x87_load(struct cpu *c, const uint8_t *img, bool w64)
{
	memcpy(&c->fcw, img + 0, 2);
	memcpy(&c->fsw, img + 2, 2);
	c->ftw = img[4];
	memcpy(&c->fop, img + 6, 2);
	c->fop &= 0x7FF;
	if (w64) {
		memcpy(&c->fip, img + 8, 8);
		memcpy(&c->fdp, img + 16, 8);
	} else {
		uint32_t ip, dp;
		memcpy(&ip, img + 8, 4);
		memcpy(&dp, img + 16, 4);
		c->fip = ip;
		c->fdp = dp;
	}
	for (unsigned k = 0; k < 8; k++)
		memcpy(&c->st[x87_phys(c, k)], img + 32 + 16 * k, 10);
}

static void fxsave(struct cpu *c, const struct insn *i, bool w64)
{
	uint8_t img[FX_USED];
	uint64_t la = fx_begin(c, i);
	memset(img, 0, sizeof(img));
	fx_x87_save(c, img, w64);
	fx_mxcsr_save(c, img);
	memcpy(img + 160, c->xmm, 256);
	mem_probe_write(c, la, FX_USED);
	mem_write_block(c, la, img, FX_USED);
}

static void fxrstor(struct cpu *c, const struct insn *i, bool w64)
{
	uint8_t img[FX_USED];
	uint64_t la = fx_begin(c, i);
	mem_read_block(c, la, img, FX_USED);
	uint32_t mxcsr;
	memcpy(&mxcsr, img + 24, 4);
	if (mxcsr & ~MXCSR_MASK_SUPPORTED)
		cpu_fault(c, EXC_GP, 0);
	fx_x87_load(c, img, w64);
	c->mxcsr = mxcsr;
	memcpy(c->xmm, img + 160, 256);
}

void op_fxsave(struct cpu *c, const struct insn *i) { fxsave(c, i, false); }
void op_fxsave64(struct cpu *c, const struct insn *i) { fxsave(c, i, true); }
void op_fxrstor(struct cpu *c, const struct insn *i) { fxrstor(c, i, false); }
void op_fxrstor64(struct cpu *c, const struct insn *i) { fxrstor(c, i, true); }
