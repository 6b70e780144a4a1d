/*
 * xsave.c - the XSAVE feature set: XCR0 (XGETBV, XSETBV), the XSAVE area
 * (XSAVE, XSAVEOPT, XSAVEC, XRSTOR and their 64-bit forms) and CPUID leaf
 * 0xD.  SDM vol. 1 chapter 13, vol. 2 under each mnemonic.
 *
 * lstar has three state components: 0 x87, 1 SSE (XMM0-15 and MXCSR),
 * 2 AVX (bits 255:128 of YMM0-15).  The XSAVE area:
 *
 *     0  legacy region, the FXSAVE layout (x87 and SSE, 512 bytes)
 *   512  header: XSTATE_BV (8 bytes), XCOMP_BV (8), 48 reserved
 *   576  AVX: YMM0_H..YMM15_H, 16 bytes each (standard and compacted form
 *        alike: AVX is the first extended component)
 *
 * XINUSE (13.6): the SDM lets a processor report a component "in use" even
 * when it holds its initial configuration, not the reverse.  lstar computes
 * it when asked: x87 is in use unless FCW = 037F, FSW = FTW = FOP = FIP =
 * FDP = 0 and every register is +0; SSE unless every XMM register is 0 and
 * MXCSR is 1F80; AVX unless every upper half is 0.  There is no modified
 * optimization: XSAVEOPT writes every requested component that is in use.
 */
#include "x87.h"
#include "system.h"

#define XS_LEGACY 512
#define XS_HDR 512
#define XS_AVX 576
#define XS_AVX_SIZE 256
#define XS_MAX (XS_AVX + XS_AVX_SIZE)

static uint64_t xinuse(const struct cpu *c)
{
	static const uint8_t zero[256];
	uint64_t u = 0;
	bool x87 = c->fcw != 0x037F || c->fsw || c->ftw || (c->fop & 0x7FF) || c->fip || c->fdp;
	for (unsigned k = 0; k < 8 && !x87; k++) {
		uint8_t b[10];
		memcpy(b, &c->st[k], 10);
		x87 = memcmp(b, zero, 10) != 0;
	}
	if (x87)
		u |= XCR0_X87;
	if (c->mxcsr != MXCSR_RESET || memcmp(c->xmm, zero, 256))
		u |= XCR0_SSE;
	if (memcmp(c->ymmh, zero, 256))
		u |= XCR0_AVX;
	return u;
}

/* The initial configuration of component k (13.6). */
static void init_component(struct cpu *c, unsigned k)
{
	switch (k) {
	case 0:
		x87_init(c);
		memset(c->st, 0, sizeof c->st);
		break;
	case 1:
		memset(c->xmm, 0, sizeof c->xmm);
		break;
	case 2:
		memset(c->ymmh, 0, sizeof c->ymmh);
		break;
	}
}

/* The checks every XSAVE-family instruction makes first (13.7, 13.8):
 * #UD without CR4.OSXSAVE, #NM with CR0.TS, #GP(0) unless 64-aligned. */
static uint64_t xs_begin(struct cpu *c, const struct insn *i)
{
	if (!(c->cr4 & CR4_OSXSAVE) || i->lock)
		cpu_fault(c, EXC_UD, 0);
	if (c->cr0 & CR0_TS)
		cpu_fault(c, EXC_NM, 0);
	uint64_t la = insn_ea(c, i);
	if (la & 63)
		cpu_fault(c, EXC_GP, 0);
	return la;
}

static uint64_t rfbm_of(const struct cpu *c)
{
	uint64_t mask = ((c->r[R_RDX] & 0xFFFFFFFFu) << 32) | (c->r[R_RAX] & 0xFFFFFFFFu);
	return mask & c->xcr0;
}

enum xs_kind { XS_STANDARD, XS_OPT, XS_COMPACT };

/*
 * XSAVE / XSAVEOPT / XSAVEC (13.7, 13.9, 13.10).  Only the bytes the
 * instruction writes are written: every range is probed for writing
 * first, so a fault leaves memory unchanged.
 */
static void xsave(struct cpu *c, const struct insn *i, enum xs_kind kind)
{
	uint8_t img[XS_MAX];
	struct { unsigned off, len; } w[6];
	unsigned nw = 0;
	uint64_t la = xs_begin(c, i);
	uint64_t rfbm = rfbm_of(c), inuse = xinuse(c);
	bool w64 = i->rex_w;

	memset(img, 0, sizeof img);
	/* Which components are written. */
	uint64_t save = rfbm;
	if (kind != XS_STANDARD)
		save &= inuse;
	if (save & XCR0_X87) {
		fx_x87_save(c, img, w64);
		w[nw].off = 0; w[nw++].len = 24;
		w[nw].off = 32; w[nw++].len = 128;
	}
	/* MXCSR: the standard forms write it whenever SSE or AVX is
	 * requested; the compacted form with SSE state. */
	if (kind == XS_COMPACT ? (save & XCR0_SSE) != 0 : (rfbm & (XCR0_SSE | XCR0_AVX)) != 0) {
		fx_mxcsr_save(c, img);
		w[nw].off = 24; w[nw++].len = 8;
	}
	if (save & XCR0_SSE) {
		memcpy(img + 160, c->xmm, 256);
		w[nw].off = 160; w[nw++].len = 256;
	}
	if (save & XCR0_AVX) {
		memcpy(img + XS_AVX, c->ymmh, 256);
		w[nw].off = XS_AVX; w[nw++].len = XS_AVX_SIZE;
	}
	/* The header. */
	uint64_t bv[2];
	if (kind == XS_COMPACT) {
		bv[0] = rfbm & inuse;
		bv[1] = rfbm | (1ULL << 63);
		memcpy(img + XS_HDR, bv, 16);
		w[nw].off = XS_HDR; w[nw++].len = 16;
	} else {
		mem_read_block(c, la + XS_HDR, &bv[0], 8);
		bv[0] = (bv[0] & ~rfbm) | (rfbm & inuse);
		memcpy(img + XS_HDR, bv, 8);
		w[nw].off = XS_HDR; w[nw++].len = 8;
	}
	for (unsigned k = 0; k < nw; k++)
		mem_probe_write(c, la + w[k].off, w[k].len);
	for (unsigned k = 0; k < nw; k++)
		mem_write_block(c, la + w[k].off, img + w[k].off, w[k].len);
}

/*
 * XRSTOR (13.8): the standard form when XCOMP_BV[63] = 0, else the
 * compacted form.  Every check comes before any state changes.
 */
static void xrstor(struct cpu *c, const struct insn *i)
{
	uint8_t img[XS_MAX], hdr[64];
	uint64_t la = xs_begin(c, i);
	uint64_t rfbm = rfbm_of(c);
	bool w64 = i->rex_w;
	uint64_t xstate_bv, xcomp_bv;

	mem_read_block(c, la + XS_HDR, hdr, 64);
	memcpy(&xstate_bv, hdr, 8);
	memcpy(&xcomp_bv, hdr + 8, 8);
	bool compact = (xcomp_bv >> 63) != 0;
	static const uint8_t zero[48];
	if (!compact) {
		/* 13.8.1: XCOMP_BV and bytes 23:16 must be 0 (so must the
		 * whole of bytes 23:8), XSTATE_BV only XCR0 bits. */
		if (xcomp_bv || memcmp(hdr + 16, zero, 8) || (xstate_bv & ~c->xcr0))
			cpu_fault(c, EXC_GP, 0);
	} else {
		/* 13.8.1: XCOMP_BV[62:0] within XCR0, XSTATE_BV within
		 * XCOMP_BV, bytes 63:16 zero. */
		uint64_t comp = xcomp_bv & ~(1ULL << 63);
		if ((comp & ~c->xcr0) || (xstate_bv & ~comp) || memcmp(hdr + 16, zero, 48))
			cpu_fault(c, EXC_GP, 0);
	}
	uint64_t load = rfbm & xstate_bv;
	memset(img, 0, sizeof img);
	if (load & XCR0_X87) {
		mem_read_block(c, la, img, 24);
		mem_read_block(c, la + 32, img + 32, 128);
	}
	bool mx = compact ? (load & XCR0_SSE) != 0 : (rfbm & (XCR0_SSE | XCR0_AVX)) != 0;
	uint32_t mxcsr = c->mxcsr;
	if (mx) {
		mem_read_block(c, la + 24, &mxcsr, 4);
		if (mxcsr & ~MXCSR_MASK_SUPPORTED)
			cpu_fault(c, EXC_GP, 0);
	}
	if (load & XCR0_SSE)
		mem_read_block(c, la + 160, img + 160, 256);
	if (load & XCR0_AVX)
		mem_read_block(c, la + XS_AVX, img + XS_AVX, XS_AVX_SIZE);

	/* No fault from here on. */
	for (unsigned k = 0; k < 3; k++)
		if ((rfbm >> k & 1) && !(xstate_bv >> k & 1))
			init_component(c, k);
	if (load & XCR0_X87)
		fx_x87_load(c, img, w64);
	if (load & XCR0_SSE)
		memcpy(c->xmm, img + 160, 256);
	if (load & XCR0_AVX)
		memcpy(c->ymmh, img + XS_AVX, XS_AVX_SIZE);
	if (mx)
		c->mxcsr = mxcsr;
	else if (compact && (rfbm & XCR0_SSE))
		c->mxcsr = MXCSR_RESET;   /* compacted form, SSE initialized */
}

void op_xsave(struct cpu *c, const struct insn *i) { xsave(c, i, XS_STANDARD); }
void op_xsaveopt(struct cpu *c, const struct insn *i) { xsave(c, i, XS_OPT); }
void op_xsavec(struct cpu *c, const struct insn *i) { xsave(c, i, XS_COMPACT); }
void op_xrstor(struct cpu *c, const struct insn *i) { xrstor(c, i); }

/* XGETBV (0F 01 D0, SDM vol. 2C): #UD without CR4.OSXSAVE; ECX = 0 reads
 * XCR0, anything else is #GP(0) (XGETBV with ECX = 1 is not reported in
 * CPUID.(EAX=0DH,ECX=1):EAX[2]).  Any CPL. */
void op_xgetbv(struct cpu *c, const struct insn *i)
{
	if (!(c->cr4 & CR4_OSXSAVE) || i->lock)
		cpu_fault(c, EXC_UD, 0);
	if ((uint32_t)c->r[R_RCX] != 0)
		cpu_fault(c, EXC_GP, 0);
	c->r[R_RAX] = (uint32_t)c->xcr0;
	c->r[R_RDX] = (uint32_t)(c->xcr0 >> 32);
}

/* XSETBV (0F 01 D1, SDM vol. 2C): #UD without CR4.OSXSAVE; #GP(0) at
 * CPL > 0, for ECX != 0, for a bit lstar does not support, for x87 clear,
 * or for AVX without SSE. */
void op_xsetbv(struct cpu *c, const struct insn *i)
{
	if (!(c->cr4 & CR4_OSXSAVE) || i->lock)
		cpu_fault(c, EXC_UD, 0);
	uint64_t v = ((c->r[R_RDX] & 0xFFFFFFFFu) << 32) | (c->r[R_RAX] & 0xFFFFFFFFu);
	uint64_t ok = (c->features & CPUF_AVX) ? XCR0_SUPPORTED : XCR0_X87 | XCR0_SSE;
	if (c->cpl != 0 || (uint32_t)c->r[R_RCX] != 0 || (v & ~ok) || !(v & XCR0_X87) ||
	    ((v & XCR0_AVX) && !(v & XCR0_SSE)))
		cpu_fault(c, EXC_GP, 0);
	c->xcr0 = v;
}

/* CPUID leaf 0xD (SDM vol. 1 13.2, vol. 2A CPUID table 3-8). */
void xsave_cpuid(const struct cpu *c, uint32_t sub, uint32_t r[4])
{
	uint64_t supported = (c->features & CPUF_AVX) ? XCR0_SUPPORTED : XCR0_X87 | XCR0_SSE;
	uint32_t cur = XS_AVX + ((c->xcr0 & XCR0_AVX) ? XS_AVX_SIZE : 0);
	switch (sub) {
	case 0:
		r[0] = (uint32_t)supported;
		r[1] = cur;           /* size for the components XCR0 enables */
		r[2] = (supported & XCR0_AVX) ? XS_MAX : XS_AVX;  /* for all of them */
		r[3] = 0;
		break;
	case 1:
		r[0] = 1u | 2u;       /* XSAVEOPT, XSAVEC; no XGETBV(1), no XSAVES */
		r[1] = cur;           /* compacted size of XCR0 | IA32_XSS (XSS is 0) */
		break;
	case 2:
		if (supported & XCR0_AVX) {
			r[0] = XS_AVX_SIZE;
			r[1] = XS_AVX;
		}
		break;
	default:
		break;
	}
}
