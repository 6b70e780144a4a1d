/*
 * diff_avx.c - the differential harness of the VEX-encoded instructions
 * (AVX, AVX2, FMA, F16C and the VEX forms of AES/PCLMULQDQ).  Each case
 * runs one instruction natively (avx_native.S) and in lstar from the same
 * GPRs, RFLAGS, data window and x87/SSE/AVX state, then compares bit for
 * bit: where execution ended (the length lstar consumed), the 16 GPRs,
 * RFLAGS, the 8 KiB data window (two pages), FCW/FSW/FTW, MXCSR, ST0-7 and
 * all 256 bits of YMM0-15.  A native SIGFPE/SIGSEGV/SIGILL must be the
 * matching lstar exception (#XM, #GP, #UD) raised at the instruction, with
 * the registers the host had at the signal.
 *
 * Templates (templates_int.h, templates_fp.h) use this grammar:
 *
 *   [feature] VEX L pp map W opcode reg vvvv rm [ib|is4]
 *
 *   feature  optional: avx2 fma f16c aes pclmul (default avx): the
 *            template runs only if both the host and lstar's CPUID have it
 *   L        128, 256, or LIG (either, at random)
 *   pp       NP 66 F3 F2;  map: 0F 0F38 0F3A;  W: W0 W1 WIG
 *            (or "none": no ModRM and no operands, as VZEROUPPER)
 *   reg      ModRM.reg: /r x (vector register), /r g (GPR32), /r G
 *            (GPR64), or /0../7 (a fixed digit)
 *   vvvv     x (vector), g (GPR32), G (GPR64), - (unused: 1111b)
 *   rm       x vector or memory, xr vector only, M memory only, m32/m64:
 *            the same but the memory form reads/writes that many bytes (only
 *            informative), g/G GPR or memory, gr/Gr GPR only, Vd/Vq a VSIB
 *            memory operand with a vector of dword/qword indices
 *   ib       a random imm8;  is4: imm8[7:4] names a random vector register
 *
 * Memory operands are [rdi] (or [rdi + index*scale] for VSIB) inside the
 * window: usually 32-aligned, one case in ten misaligned, one in ten
 * straddling the boundary between the window's two pages.  For VSIB the
 * index register's elements are made small so that every element address
 * is inside the window, and the destination, index and mask registers
 * are distinct (else #UD, which templates may test on their own).
 *
 * Exit status 77 (skipped) when the host has no AVX or lstar reports
 * none of the templates' features.  Environment: AVX_DIFF_CASES (default
 * 60000), AVX_DIFF_SEED (1), AVX_DIFF_ONLY (substring of a template),
 * AVX_DIFF_MAX_REPORT (20).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <lstar/lstar.h>
#include "../diff-fpu/fp_random.h"

static const char *const templates[] = {
#include "templates_common.h"
#include "templates_int.h"
#include "templates_fp.h"
};

#define WIN      0x09000000ULL
#define WIN_SIZE 0x2000u
#define NTEMPL (sizeof templates / sizeof templates[0])
#define XS_SIZE 832

struct avx_regs {
	uint64_t r[16];
	uint64_t rflags;
	uint64_t pad[7];
	uint8_t xs[1024];
} __attribute__((aligned(64)));

void avx_native_run(struct avx_regs *s, void *code);
void avx_native_back(void);
void avx_native_restore(void);

/* ---- features ---- */

enum { FT_AVX = 1, FT_AVX2 = 2, FT_FMA = 4, FT_F16C = 8, FT_AES = 16, FT_PCLMUL = 32 };

static unsigned host_features(void)
{
	unsigned a, b, c, d, f = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & (1u << 27)) || !(c & (1u << 28)))
		return 0;                               /* no OSXSAVE or no AVX */
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 6) != 6)
		return 0;
	f |= FT_AVX;
	if (c & (1u << 12)) f |= FT_FMA;
	if (c & (1u << 29)) f |= FT_F16C;
	if (c & (1u << 25)) f |= FT_AES;
	if (c & (1u << 1)) f |= FT_PCLMUL;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 5)))
		f |= FT_AVX2;
	return f;
}

/* What lstar's CPUID reports: run CPUID in the machine. */
static unsigned lstar_features(lstar_machine *m, uint64_t code)
{
	static const uint8_t cpuid[] = { 0x0F, 0xA2 };
	uint32_t r[2][4];
	for (int k = 0; k < 2; k++) {
		struct lstar_exit ex;
		lstar_set_reg(m, LSTAR_RAX, k ? 7 : 1);
		lstar_set_reg(m, LSTAR_RCX, 0);
		lstar_set_reg(m, LSTAR_RIP, code);
		lstar_write_phys(m, code, cpuid, sizeof cpuid);
		lstar_step(m, &ex);
		r[k][0] = (uint32_t)lstar_get_reg(m, LSTAR_RAX);
		r[k][1] = (uint32_t)lstar_get_reg(m, LSTAR_RBX);
		r[k][2] = (uint32_t)lstar_get_reg(m, LSTAR_RCX);
		r[k][3] = (uint32_t)lstar_get_reg(m, LSTAR_RDX);
	}
	unsigned c = r[0][2], f = 0;
	if (!(c & (1u << 28)))
		return 0;
	f |= FT_AVX;
	if (c & (1u << 12)) f |= FT_FMA;
	if (c & (1u << 29)) f |= FT_F16C;
	if (c & (1u << 25)) f |= FT_AES;
	if (c & (1u << 1)) f |= FT_PCLMUL;
	if (r[1][1] & (1u << 5)) f |= FT_AVX2;
	return f;
}

static unsigned template_feature(const char *t)
{
	static const struct { const char *tag; unsigned f; } tags[] = {
		{ "[avx2]", FT_AVX2 | FT_AVX }, { "[fma]", FT_FMA | FT_AVX },
		{ "[f16c]", FT_F16C | FT_AVX }, { "[aes]", FT_AES | FT_AVX },
		{ "[pclmul]", FT_PCLMUL | FT_AVX },
	};
	for (unsigned k = 0; k < sizeof tags / sizeof tags[0]; k++)
		if (!strncmp(t, tags[k].tag, strlen(tags[k].tag)))
			return tags[k].f;
	return FT_AVX;
}

/* ---- encoding ---- */

struct enc {
	uint8_t code[16];
	unsigned len;
	int mem;          /* 1: a memory operand at [rdi]; 2: VSIB */
	int vsib_index;   /* VSIB: the index register, its element size */
	int vsib_esize;
	int regs[3];      /* vector registers named (dest, vvvv, r/m), -1 none */
};

static const unsigned gpr_ok[] = { 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

static int rand_reg(char kind)
{
	if (kind == 'x')
		return (int)below(16);
	return (int)gpr_ok[below(14)];
}

static bool encode(const char *t, struct enc *e)
{
	char buf[128], *tok[16], *sv;
	unsigned n = 0;
	strncpy(buf, t, sizeof buf - 1);
	buf[sizeof buf - 1] = 0;
	for (char *s = strtok_r(buf, " ", &sv); s && n < 16; s = strtok_r(NULL, " ", &sv))
		tok[n++] = s;
	unsigned k = 0;
	if (k < n && tok[k][0] == '[')
		k++;
	if (k + 7 > n || strcmp(tok[k], "VEX"))
		return false;
	k++;
	unsigned L = !strcmp(tok[k], "256") ? 1 : !strcmp(tok[k], "LIG") ? below(2) : 0;
	k++;
	unsigned pp = !strcmp(tok[k], "66") ? 1 : !strcmp(tok[k], "F3") ? 2 : !strcmp(tok[k], "F2") ? 3 : 0;
	k++;
	unsigned map = !strcmp(tok[k], "0F38") ? 2 : !strcmp(tok[k], "0F3A") ? 3 : 1;
	k++;
	unsigned W = !strcmp(tok[k], "W1") ? 1 : !strcmp(tok[k], "WIG") ? below(2) : 0;
	k++;
	unsigned opc;
	sscanf(tok[k++], "%x", &opc);
	bool no_modrm = k < n && !strcmp(tok[k], "none");
	e->regs[0] = e->regs[1] = e->regs[2] = -1;
	if (no_modrm) {   /* VZEROUPPER, VZEROALL: vvvv = 1111b, no ModRM */
		unsigned p = 0;
		if (below(2)) {
			e->code[p++] = 0xC5;
			e->code[p++] = (uint8_t)((1u << 7) | (15u << 3) | (L << 2) | pp);
		} else {
			e->code[p++] = 0xC4;
			e->code[p++] = (uint8_t)(0xE0 | map);
			e->code[p++] = (uint8_t)((W << 7) | (15u << 3) | (L << 2) | pp);
		}
		e->code[p++] = (uint8_t)opc;
		e->len = p;
		return true;
	}
	if (k + 3 > n)
		return false;

	/* ModRM.reg */
	int reg;
	if (!strcmp(tok[k], "/r")) {
		char kind = tok[k + 1][0];
		reg = rand_reg(kind == 'x' ? 'x' : 'g');
		if (kind == 'x')
			e->regs[0] = reg;
		k += 2;
	} else {
		reg = tok[k][1] - '0';
		k++;
	}
	/* VEX.vvvv */
	int vvvv = 0;
	if (tok[k][0] == 'x') {
		vvvv = rand_reg('x');
		e->regs[1] = vvvv;
	} else if (tok[k][0] == 'g' || tok[k][0] == 'G') {
		vvvv = rand_reg('g');
	}
	bool vvvv_used = tok[k][0] != '-';
	k++;
	/* ModRM.r/m */
	const char *rmk = tok[k++];
	int mod = 3, rm = 0, sib = -1;
	bool regonly = rmk[1] == 'r';
	bool vsib = rmk[0] == 'V';
	bool memonly = rmk[0] == 'M' || vsib;
	bool usemem = memonly || (!regonly && below(3) == 0);
	if (vsib) {
		int idx;
		do
			idx = (int)below(16);
		while (idx == e->regs[0] || idx == e->regs[1]);
		int scale = (int)below(4);
		mod = 0;
		rm = 4;
		sib = (scale << 6) | ((idx & 7) << 3) | 7;   /* base rdi */
		e->mem = 2;
		e->vsib_index = idx;
		e->vsib_esize = rmk[1] == 'q' ? 8 : 4;
		rm = 4 | (idx & 8);   /* X bit carried below */
	} else if (usemem) {
		mod = 0;
		rm = 7;   /* [rdi] */
		e->mem = 1;
	} else if (rmk[0] == 'x' || rmk[0] == 'm') {
		rm = rand_reg('x');
		e->regs[2] = rm;
	} else {
		rm = rand_reg('g');
	}
	bool imm = k < n && !strcmp(tok[k], "ib");
	bool is4 = k < n && !strcmp(tok[k], "is4");

	unsigned R = !((reg >> 3) & 1), X = 1, B = 1;
	if (vsib)
		X = !((e->vsib_index >> 3) & 1);
	else if (mod == 3)
		B = !((rm >> 3) & 1);
	unsigned vv = (~(unsigned)vvvv) & 15;
	if (!vvvv_used)
		vv = 15;
	unsigned p = 0;
	/* The two-byte form when it can say the same thing (and sometimes
	 * not, to exercise both). */
	if (map == 1 && X && B && !W && below(2)) {
		e->code[p++] = 0xC5;
		e->code[p++] = (uint8_t)((R << 7) | (vv << 3) | (L << 2) | pp);
	} else {
		e->code[p++] = 0xC4;
		e->code[p++] = (uint8_t)((R << 7) | (X << 6) | (B << 5) | map);
		e->code[p++] = (uint8_t)((W << 7) | (vv << 3) | (L << 2) | pp);
	}
	e->code[p++] = (uint8_t)opc;
	e->code[p++] = (uint8_t)((mod << 6) | ((reg & 7) << 3) | (rm & 7));
	if (sib >= 0)
		e->code[p++] = (uint8_t)sib;
	if (imm)
		e->code[p++] = (uint8_t)rnd();
	if (is4)
		e->code[p++] = (uint8_t)((below(16) << 4) | (rnd() & 15));
	e->len = p;
	return true;
}

/* ---- native side ---- */

static sigjmp_buf jb;
static volatile int nat_sig;
static uint8_t *code_page;
static uint64_t fault_r[16], fault_rip, fault_fl;
static uint8_t fault_xs[XS_SIZE];

static void on_sig(int sig, siginfo_t *si, void *ucv)
{
	static const int map[16] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
		REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	};
	(void)si;
	ucontext_t *uc = ucv;
	nat_sig = sig;
	for (int r = 0; r < 16; r++)
		fault_r[r] = (uint64_t)uc->uc_mcontext.gregs[map[r]];
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	fault_fl = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
	memset(fault_xs, 0, sizeof fault_xs);
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	if (fp) {
		uint32_t magic1;
		memcpy(fault_xs, fp, 512);
		memcpy(&magic1, fp + 464, 4);
		if (magic1 == 0x46505853U)   /* FP_XSTATE_MAGIC1: an XSAVE frame */
			memcpy(fault_xs + 512, fp + 512, XS_SIZE - 512);
		else
			fault_xs[512] = 3;   /* x87 and SSE only */
	}
	siglongjmp(jb, 1);
}

static int run_native(const struct enc *e, struct avx_regs *s, const uint8_t *win)
{
	uint64_t back = (uint64_t)(uintptr_t)avx_native_back;
	memcpy(code_page, e->code, e->len);
	memcpy(code_page + e->len, "\xFF\x25\x00\x00\x00\x00", 6);
	memcpy(code_page + e->len + 6, &back, 8);
	memcpy((void *)(uintptr_t)WIN, win, WIN_SIZE);
	nat_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		avx_native_run(s, code_page);
	} else {
		avx_native_restore();
		memcpy(s->r, fault_r, sizeof s->r);
		s->rflags = fault_fl;
		memcpy(s->xs, fault_xs, sizeof fault_xs);
	}
	return nat_sig;
}

/* ---- comparison ---- */

/* The architectural registers of an XSAVE image, with components whose
 * XSTATE_BV bit is clear in their initial configuration. */
struct vstate {
	uint8_t fx[512];
	uint8_t ymm[16][32];
};

static void from_xsave(const uint8_t *xs, struct vstate *v)
{
	uint64_t bv;
	memcpy(&bv, xs + 512, 8);
	memcpy(v->fx, xs, 512);
	if (!(bv & 1)) {
		memset(v->fx, 0, 24);
		memset(v->fx + 32, 0, 128);
		v->fx[0] = 0x7F;
		v->fx[1] = 0x03;
	}
	for (unsigned r = 0; r < 16; r++) {
		if (bv & 2)
			memcpy(v->ymm[r], xs + 160 + 16 * r, 16);
		else
			memset(v->ymm[r], 0, 16);
		if (bv & 4)
			memcpy(v->ymm[r] + 16, xs + 576 + 16 * r, 16);
		else
			memset(v->ymm[r] + 16, 0, 16);
	}
}

static void from_lstar(lstar_machine *m, struct vstate *v)
{
	lstar_get_fxsave(m, v->fx);
	for (unsigned r = 0; r < 16; r++)
		lstar_get_ymm(m, r, v->ymm[r]);
}

static bool state_equal(const struct vstate *a, const struct vstate *b, char *why, size_t n)
{
	static const struct { unsigned off, len; const char *what; } f[] = {
		{ 0, 2, "FCW" }, { 2, 2, "FSW" }, { 4, 1, "FTW" }, { 24, 4, "MXCSR" },
	};
	for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++)
		if (memcmp(a->fx + f[k].off, b->fx + f[k].off, f[k].len)) {
			snprintf(why, n, "%s", f[k].what);
			return false;
		}
	for (unsigned k = 0; k < 8; k++)
		if (memcmp(a->fx + 32 + 16 * k, b->fx + 32 + 16 * k, 10)) {
			snprintf(why, n, "ST(%u)", k);
			return false;
		}
	for (unsigned k = 0; k < 16; k++)
		if (memcmp(a->ymm[k], b->ymm[k], 32)) {
			snprintf(why, n, "YMM%u%s", k,
				 memcmp(a->ymm[k], b->ymm[k], 16) ? "" : " (bits 255:128)");
			return false;
		}
	return true;
}

static void hexdump(const char *tag, const uint8_t *p, unsigned n)
{
	printf("%s", tag);
	for (unsigned k = n; k-- > 0;)
		printf("%02x", p[k]);
}

static void dump(const char *tag, const struct vstate *v, const struct enc *e)
{
	uint32_t csr;
	memcpy(&csr, v->fx + 24, 4);
	printf("  %-8s mxcsr=%08x\n", tag, csr);
	for (unsigned k = 0; k < 3; k++) {
		if (e->regs[k] < 0)
			continue;
		printf("           ymm%-2d ", e->regs[k]);
		hexdump("", v->ymm[e->regs[k]], 32);
		printf("\n");
	}
	if (e->mem == 2) {
		printf("           ymm%-2d ", e->vsib_index);
		hexdump("", v->ymm[e->vsib_index], 32);
		printf(" (index)\n");
	}
}

static int signal_vector(int sig)
{
	switch (sig) {
	case SIGFPE: return 19;
	case SIGSEGV: case SIGBUS: return 13;
	case SIGILL: return 6;
	default: return -1;
	}
}

int main(void)
{
	const char *ev;
	unsigned long ncases = (ev = getenv("AVX_DIFF_CASES")) ? strtoul(ev, NULL, 0) : 60000;
	uint64_t seed = (ev = getenv("AVX_DIFF_SEED")) ? strtoull(ev, NULL, 0) : 1;
	const char *only = getenv("AVX_DIFF_ONLY");
	unsigned long max_report = (ev = getenv("AVX_DIFF_MAX_REPORT")) ? strtoul(ev, NULL, 0) : 20;
	rs[0] = seed * 0x9E3779B97F4A7C15ULL + 1;
	rs[1] = seed ^ 0xD1B54A32D192ED03ULL;

	unsigned host = host_features();
	if (!(host & FT_AVX)) {
		printf("diff_avx: skipped: the host CPU (or its OS) has no AVX\n");
		return 77;
	}
	if (mmap((void *)(uintptr_t)WIN, WIN_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)(uintptr_t)WIN) {
		printf("diff_avx: cannot map the data window at %#llx\n", (unsigned long long)WIN);
		return 1;
	}
	code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static uint8_t altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);

	struct lstar_config cfg = { 0 };
	struct lstar_flat_layout lay;
	char err[256];
	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	if (!m || lstar_setup_flat(m, 0x0C000000, 0x100000, &lay) != LSTAR_OK) {
		printf("diff_avx: cannot make the machine: %s\n", m ? "setup_flat" : err);
		return 1;
	}
	uint64_t cr0 = lstar_get_reg(m, LSTAR_CR0);
	lstar_set_reg(m, LSTAR_CR0, (cr0 & ~0xCULL) | 0x22);   /* EM TS off, MP NE on */
	lstar_set_reg(m, LSTAR_CR4, lstar_get_reg(m, LSTAR_CR4) | (1 << 9) | (1 << 10) | (1 << 18));
	lstar_set_xcr0(m, 7);
	unsigned have = host & lstar_features(m, lay.kernel_code);

	/* The templates this run can use. */
	static unsigned usable[NTEMPL];
	unsigned nusable = 0, skipped = 0;
	for (unsigned t = 0; t < NTEMPL; t++) {
		unsigned need = template_feature(templates[t]);
		if ((need & have) != need) {
			skipped++;
			continue;
		}
		if (only && !strstr(templates[t], only))
			continue;
		usable[nusable++] = t;
	}
	if (!nusable) {
		printf("diff_avx: skipped: none of the %u templates has its features both on the host "
		       "and in lstar's CPUID (host %#x, both %#x)\n", (unsigned)NTEMPL, host, have);
		return 77;
	}

	static uint8_t win[WIN_SIZE], got_win[WIN_SIZE];
	static struct avx_regs in, nat;
	unsigned long done = 0, bad = 0, faults = 0;
	static unsigned long per_t[NTEMPL], bad_t[NTEMPL];

	while (done < ncases) {
		unsigned t = usable[below(nusable)];
		struct enc e;
		memset(&e, 0, sizeof e);
		if (!encode(templates[t], &e)) {
			printf("diff_avx: cannot encode template '%s'\n", templates[t]);
			return 1;
		}

		/* inputs */
		for (unsigned b = 0; b < WIN_SIZE; b += 16)
			rnd_vec(win + b);
		for (int r = 0; r < 16; r++)
			in.r[r] = below(2) ? rnd() : (uint64_t)(int64_t)(int32_t)rnd_f32();
		switch (below(10)) {
		case 0:   /* misaligned */
			in.r[7] = WIN + 32 * below(120) + 1 + below(31);
			break;
		case 1:   /* straddling the two pages */
			in.r[7] = WIN + 0x1000 - 1 - below(31);
			break;
		default:
			in.r[7] = WIN + 32 * below(120);
			break;
		}
		in.r[4] = WIN + 0x1F80;
		in.rflags = (rnd() & 0x8D5) | 0x202;
		memset(in.xs, 0, sizeof in.xs);
		uint16_t fcw = 0x037F;
		uint32_t mxcsr = (uint32_t)(0x1F80 | (below(4) << 13) | (rnd() & 0x3F));
		if (below(3) == 0)
			mxcsr |= 0x40;
		if (below(3) == 0)
			mxcsr |= 0x8000;
		if (below(10) == 0)   /* unmask some of IE DE ZE PE (not OE UE: docs/fpu.md) */
			mxcsr &= ~(uint32_t)((rnd() & 0x27) << 7);
		memcpy(in.xs + 0, &fcw, 2);
		memcpy(in.xs + 24, &mxcsr, 4);
		uint32_t mask = 0xFFFF;
		memcpy(in.xs + 28, &mask, 4);
		for (unsigned k = 0; k < 16; k++) {
			rnd_vec(in.xs + 160 + 16 * k);
			rnd_vec(in.xs + 576 + 16 * k);
		}
		if (e.mem == 2) {
			/* VSIB: small indices (both halves), so every element
			 * address is inside the window. */
			uint8_t *lo = in.xs + 160 + 16 * e.vsib_index, *hi = in.xs + 576 + 16 * e.vsib_index;
			for (unsigned k = 0; k < 16; k += e.vsib_esize) {
				uint64_t v = below(0x100);
				memcpy(lo + k, &v, e.vsib_esize);
				v = below(0x100);
				memcpy(hi + k, &v, e.vsib_esize);
			}
			in.r[7] = WIN + 8 * below(64);
		}
		uint64_t bv = 7;
		memcpy(in.xs + 512, &bv, 8);

		/* native */
		nat = in;
		int sig = run_native(&e, &nat, win);

		/* lstar */
		struct lstar_exit ex;
		for (int r = 0; r < 16; r++)
			lstar_set_reg(m, (enum lstar_reg)r, in.r[r]);
		lstar_set_reg(m, LSTAR_RFLAGS, in.rflags);
		lstar_set_reg(m, LSTAR_RIP, lay.kernel_code);
		lstar_write_phys(m, lay.kernel_code, e.code, e.len);
		lstar_write_phys(m, WIN, win, WIN_SIZE);
		lstar_set_fxsave(m, in.xs);
		for (unsigned k = 0; k < 16; k++) {
			uint8_t y[32];
			memcpy(y, in.xs + 160 + 16 * k, 16);
			memcpy(y + 16, in.xs + 576 + 16 * k, 16);
			lstar_set_ymm(m, k, y);
		}
		memset(&ex, 0, sizeof ex);
		lstar_step(m, &ex);
		struct vstate want, got;
		from_xsave(nat.xs, &want);
		from_lstar(m, &got);
		lstar_read_phys(m, WIN, got_win, WIN_SIZE);
		uint64_t got_r[16], got_fl = lstar_get_reg(m, LSTAR_RFLAGS);
		uint64_t got_rip = lstar_get_reg(m, LSTAR_RIP), want_rip = lay.kernel_code + e.len;
		for (int r = 0; r < 16; r++)
			got_r[r] = lstar_get_reg(m, (enum lstar_reg)r);

		done++;
		per_t[t]++;
		char why[320] = "";
		bool ok = true;
		if (sig) {
			faults++;
			int want_vec = signal_vector(sig);
			uint64_t frame[3] = { 0, 0, 0 };
			lstar_read_virt(m, got_r[4] + (ex.has_error_code ? 8 : 0), frame, sizeof frame);
			got_rip = frame[0];
			got_fl = frame[2];
			want_rip = lay.kernel_code + (fault_rip - (uint64_t)(uintptr_t)code_page);
			if (ex.event != LSTAR_EV_EXCEPTION || ex.vector != want_vec) {
				ok = false;
				snprintf(why, sizeof why, "native signal %d, lstar event %#x vector %d (%s)",
					 sig, ex.event, ex.vector, ex.message);
			} else if (got_rip != want_rip) {
				ok = false;
				snprintf(why, sizeof why, "RIP of the fault: native %#llx lstar %#llx",
					 (unsigned long long)want_rip, (unsigned long long)got_rip);
			} else if ((got_fl ^ nat.rflags) & ~(uint64_t)0x10000) {
				ok = false;
				snprintf(why, sizeof why, "RFLAGS at the fault: native %06llx lstar %06llx",
					 (unsigned long long)nat.rflags, (unsigned long long)got_fl);
			}
			for (int r = 0; r < 16 && ok; r++)
				if (r != 4 && got_r[r] != nat.r[r]) {
					ok = false;
					snprintf(why, sizeof why, "GPR %d at the fault", r);
				}
			if (ok && !state_equal(&want, &got, why, sizeof why))
				ok = false;
		} else if (ex.event != LSTAR_EV_NONE) {
			ok = false;
			snprintf(why, sizeof why, "lstar event %#x vector %d (%s)", ex.event, ex.vector,
				 ex.message);
		} else {
			if (got_rip != want_rip) {
				ok = false;
				snprintf(why, sizeof why, "RIP: want %#llx (length %u), lstar %#llx",
					 (unsigned long long)want_rip, e.len, (unsigned long long)got_rip);
			}
			for (int r = 0; r < 16 && ok; r++)
				if (got_r[r] != nat.r[r]) {
					ok = false;
					snprintf(why, sizeof why, "GPR %d: native %016llx lstar %016llx", r,
						 (unsigned long long)nat.r[r], (unsigned long long)got_r[r]);
				}
			if (ok && got_fl != nat.rflags) {
				ok = false;
				snprintf(why, sizeof why, "RFLAGS native %06llx lstar %06llx",
					 (unsigned long long)nat.rflags, (unsigned long long)got_fl);
			}
			if (ok && memcmp((void *)(uintptr_t)WIN, got_win, WIN_SIZE)) {
				unsigned off = 0;
				while (((uint8_t *)(uintptr_t)WIN)[off] == got_win[off])
					off++;
				ok = false;
				snprintf(why, sizeof why, "data window at +%#x: native %02x lstar %02x", off,
					 ((uint8_t *)(uintptr_t)WIN)[off], got_win[off]);
			}
			if (ok && !state_equal(&want, &got, why, sizeof why))
				ok = false;
		}
		if (!ok) {
			bad++;
			bad_t[t]++;
			if (bad <= max_report) {
				struct vstate before;
				from_xsave(in.xs, &before);
				printf("MISMATCH [%s] bytes", templates[t]);
				for (unsigned b = 0; b < e.len; b++)
					printf(" %02x", e.code[b]);
				printf(": %s\n", why);
				dump("input", &before, &e);
				dump(sig ? "native*" : "native", &want, &e);
				dump("lstar", &got, &e);
				if (e.mem == 1) {
					hexdump("  mem[rdi] ", win + (in.r[7] - WIN), 32);
					printf(" (rdi %#llx)\n", (unsigned long long)in.r[7]);
				}
			}
		}
	}
	for (unsigned t = 0; t < NTEMPL; t++)
		if (bad_t[t])
			printf("  %-44s %lu/%lu mismatches\n", templates[t], bad_t[t], per_t[t]);
	printf("diff_avx: %lu cases over %u templates (%u skipped for features), %lu native faults, "
	       "%lu mismatches, seed %llu\n", done, nusable, skipped, faults, bad,
	       (unsigned long long)seed);
	lstar_machine_free(m);
	return bad ? 1 : 0;
}
