/*
 * diff_fpu.c - x87/MMX/SSE differential harness.  Each case runs one
 * instruction natively (fpu_native.S) and in lstar from the same GPRs,
 * flags, data window and FXSAVE image, then compares bit for bit: where
 * execution ended (RIP: the instruction's length), the 16 GPRs, all of
 * RFLAGS, the 4 KiB data window and the FXSAVE image (FCW, FSW, abridged
 * FTW, MXCSR, the eight 80-bit registers, the 16 XMM registers; FOP/FIP/FDP
 * are skipped: the host's code lives elsewhere and recent CPUs no longer
 * maintain them).  A native SIGFPE/SIGSEGV/SIGILL must be the matching
 * lstar exception (#XM/#MF/#DE, #GP, #UD) raised at the instruction, with
 * the GPRs, RFLAGS and x87/SSE state the host had at the signal.  One case
 * in ten uses a misaligned memory operand.
 *
 * Inputs are biased to the hard cases: signed zeros, infinities, QNaN and
 * SNaN payloads, single/double/extended denormals, unnormals, values next
 * to rounding boundaries and integer-conversion limits, every rounding
 * mode and precision control, DAZ/FTZ, sometimes unmasked exceptions.
 *
 * A template marked need:F (AES-NI, PCLMULQDQ, SHA) runs only when the
 * host's CPUID reports F; otherwise it is skipped, and the summary names
 * it.
 *
 * Environment: FPU_DIFF_CASES (default 60000), FPU_DIFF_SEED (default 1),
 * FPU_DIFF_ONLY (substring of a template), FPU_DIFF_MAX_REPORT (20),
 * FPU_DIFF_HOST_LACKS (features to treat as missing, e.g. "aes,sha").
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <lstar/lstar.h>
#include "templates.h"
#include "fp_random.h"

#define WIN      0x09000000ULL
#define WIN_SIZE 0x1000u
#define NTEMPL (sizeof templates / sizeof templates[0])

struct fpu_regs {
	uint64_t r[16];
	uint64_t rflags;
	uint64_t pad;
	uint8_t fx[512];
} __attribute__((aligned(16)));

void fpu_native_run(struct fpu_regs *s, void *code);
void fpu_native_back(void);
void fpu_native_restore(void);

/* An 80-bit value: from a double (exactly), or extended-only encodings. */
static void rnd_f80(uint8_t *p)
{
	uint64_t m;
	uint16_t se;
	switch (below(8)) {
	case 0: case 1: case 2: {
		uint64_t d = rnd_f64();
		unsigned e = (d >> 52) & 0x7FF;
		uint64_t f = d & 0xFFFFFFFFFFFFFULL;
		se = (uint16_t)((d >> 63) << 15);
		if (e == 0x7FF) {
			se |= 0x7FFF;
			m = (1ULL << 63) | (f << 11);
		} else if (e == 0 && f == 0) {
			m = 0;
		} else if (e == 0) {
			int sh = __builtin_clzll(f) - 11;   /* normalize */
			m = f << (11 + sh);
			se |= (uint16_t)(0x3C01 - sh);
		} else {
			m = (1ULL << 63) | (f << 11);
			se |= (uint16_t)(e - 1023 + 16383);
		}
		break;
	}
	case 3: /* near 1 with random low bits: rounding by PC */
		m = (1ULL << 63) | (rnd() >> 1);
		se = (uint16_t)(0x3FFF + (int)below(8) - 4 + (below(2) << 15));
		break;
	case 4: /* extended denormal / pseudo-denormal / unnormal / pseudo-NaN */
		m = rnd() >> below(64);
		switch (below(4)) {
		case 0: se = 0; m &= ~(1ULL << 63); break;
		case 1: se = 0; m |= 1ULL << 63; break;
		case 2: se = (uint16_t)(1 + below(0x7FFE)); m &= ~(1ULL << 63); break;
		default: se = 0x7FFF; m &= ~(1ULL << 63); break;
		}
		se |= (uint16_t)(below(2) << 15);
		break;
	case 5: /* huge / tiny exponents */
		m = (1ULL << 63) | rnd();
		se = (uint16_t)((below(2) ? below(64) + 1 : 0x7FFE - below(64)) | (below(2) << 15));
		break;
	case 6: /* integers (FIST, FRNDINT) */
		m = (1ULL << 63) | ((rnd() & 0xFFFF) << below(47));
		se = (uint16_t)((0x3FFF + below(66)) | (below(2) << 15));
		break;
	default:
		m = rnd() | (1ULL << 63);
		se = (uint16_t)(0x3FFF - 30 + below(60) + (below(2) << 15));
		break;
	}
	memcpy(p, &m, 8);
	memcpy(p + 8, &se, 2);
}

/* ---- templates ---- */

/* Does the host have the feature a template's need:F names?  CPUID leaf 1
 * ECX bit 25 AES, bit 1 PCLMULQDQ; leaf 7 EBX bit 29 SHA.  A template
 * without need: always runs. */
static bool host_has(const char *t)
{
	const char *n = strstr(t, "need:");
	unsigned a, b, c, d;
	if (!n)
		return true;
	n += 5;
	/* FPU_DIFF_HOST_LACKS=aes,sha...: act as a host without them (the
	 * skip path's own test) */
	const char *lacks = getenv("FPU_DIFF_HOST_LACKS");
	size_t len = strcspn(n, " ");
	for (const char *p = lacks; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == len && !strncmp(p, n, len))
			return false;
	}
	if (!strncmp(n, "aes", 3) || !strncmp(n, "pclmul", 6)) {
		if (!__get_cpuid(1, &a, &b, &c, &d))
			return false;
		return (c >> (n[0] == 'a' ? 25 : 1)) & 1;
	}
	if (!strncmp(n, "sha", 3)) {
		if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
			return false;
		return (b >> 29) & 1;
	}
	return false;   /* a feature this harness cannot check: skip */
}

struct enc {
	uint8_t code[16];
	unsigned len;
	int mem;
};

static const unsigned gpr_ok[] = { 0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

/* Encode a template; returns false if it cannot. */
static bool encode(const char *t, struct enc *e)
{
	char buf[96], *tok[16], *sv;
	unsigned n = 0;
	strncpy(buf, t, sizeof buf - 1);
	buf[sizeof buf - 1] = 0;
	for (char *s = strtok_r(buf, " ", &sv); s && n < 16; s = strtok_r(NULL, " ", &sv))
		tok[n++] = s;
	uint8_t pfx[4], op[4], np = 0, no = 0;
	int regfield = -1, regnum = 0, rmnum = 0, mod = 3, rex = 0, imm = 0, has_modrm = 0;
	const char *regk = NULL;
	unsigned k = 0;
	for (; k < n; k++) {
		unsigned v;
		if (tok[k][0] == '/')
			break;
		if (!strcmp(tok[k], "ib") || !strcmp(tok[k], "W") || !strncmp(tok[k], "need:", 5))
			break;
		sscanf(tok[k], "%x", &v);
		if (no == 0 && (v == 0x66 || v == 0xF2 || v == 0xF3))
			pfx[np++] = (uint8_t)v;
		else
			op[no++] = (uint8_t)v;
	}
	for (; k < n; k++) {
		char *s = tok[k];
		if (!strcmp(s, "/r")) {
			has_modrm = 1;
			regk = tok[++k];
		} else if (s[0] == '/') {
			has_modrm = 1;
			regfield = s[1] - '0';
		} else if (!strcmp(s, "ib")) {
			imm = 1;
		} else if (!strcmp(s, "W")) {
			rex |= 8;
		} else if (!strncmp(s, "need:", 5)) {
			continue;   /* host_has() */
		} else {
			/* r/m kind */
			bool regonly = s[1] == 'r';
			bool memonly = s[0] == 'M';
			bool usemem = memonly || (!regonly && s[0] != 's' && below(3) == 0);
			if (s[0] == 'G')
				rex |= 8;
			if (usemem) {
				mod = 0;
				rmnum = 7;   /* [rdi] */
			} else if (s[0] == 'x') {
				rmnum = (int)below(16);
			} else if (s[0] == 'g' || s[0] == 'G') {
				rmnum = (int)gpr_ok[below(14)];
			} else {
				rmnum = (int)below(8);   /* mmx, st(i) */
			}
			e->mem = usemem;
		}
	}
	if (regk) {
		if (regk[0] == 'x')
			regnum = (int)below(16);
		else if (regk[0] == 'g' || regk[0] == 'G')
			regnum = (int)gpr_ok[below(14)];
		else
			regnum = (int)below(8);
		if (regk[0] == 'G')
			rex |= 8;
		regfield = regnum & 7;
		if (regnum & 8)
			rex |= 4;
	}
	if (mod == 3 && (rmnum & 8))
		rex |= 1;
	unsigned L = 0;
	for (unsigned j = 0; j < np; j++)
		e->code[L++] = pfx[j];
	if (rex)
		e->code[L++] = (uint8_t)(0x40 | rex);
	for (unsigned j = 0; j < no; j++)
		e->code[L++] = op[j];
	if (has_modrm)
		e->code[L++] = (uint8_t)((mod << 6) | ((regfield & 7) << 3) | (rmnum & 7));
	if (imm)
		e->code[L++] = (uint8_t)rnd();
	e->len = L;
	return true;
}

/* ---- native side ---- */

static sigjmp_buf jb;
static volatile int nat_sig;
static uint8_t *code_page;
/* The state when a signal hit: GPRs, RIP, RFLAGS and the FXSAVE image
 * (the signal frame's FP state starts with the FXSAVE layout). */
static uint64_t fault_r[16], fault_rip, fault_fl;
static uint8_t fault_fx[512];

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
	if (uc->uc_mcontext.fpregs)
		memcpy(fault_fx, uc->uc_mcontext.fpregs, sizeof fault_fx);
	else
		memset(fault_fx, 0, sizeof fault_fx);
	siglongjmp(jb, 1);
}

static int run_native(const struct enc *e, struct fpu_regs *s, const uint8_t *win)
{
	uint64_t back = (uint64_t)(uintptr_t)fpu_native_back;
	memcpy(code_page, e->code, e->len);
	memcpy(code_page + e->len, "\xFF\x25\x00\x00\x00\x00", 6);
	memcpy(code_page + e->len + 6, &back, 8);
	memcpy((void *)(uintptr_t)WIN, win, WIN_SIZE);
	nat_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		fpu_native_run(s, code_page);
	} else {
		fpu_native_restore();
		memcpy(s->r, fault_r, sizeof s->r);
		s->rflags = fault_fl;
		memcpy(s->fx, fault_fx, sizeof s->fx);
	}
	return nat_sig;
}

/* ---- comparison ----
 * The architectural x87/SSE registers of two FXSAVE images: FCW, FSW, the
 * abridged FTW, MXCSR, ST0-7 (80 bits each) and XMM0-15.  Not compared:
 * FOP/FIP/FDP (the host's code and data live elsewhere, and recent CPUs no
 * longer keep them), MXCSR_MASK (a constant of the CPU, not a register)
 * and the reserved bytes. */

static const struct { unsigned off, len; const char *what; } fx_fields[] = {
	{ 0, 2, "FCW" }, { 2, 2, "FSW" }, { 4, 1, "FTW" }, { 24, 4, "MXCSR" },
};

static bool fx_equal(const uint8_t *a, const uint8_t *b, char *why, size_t n)
{
	for (unsigned f = 0; f < sizeof fx_fields / sizeof fx_fields[0]; f++)
		if (memcmp(a + fx_fields[f].off, b + fx_fields[f].off, fx_fields[f].len)) {
			snprintf(why, n, "%s", fx_fields[f].what);
			return false;
		}
	for (unsigned k = 0; k < 8; k++)
		if (memcmp(a + 32 + 16 * k, b + 32 + 16 * k, 10)) {
			snprintf(why, n, "ST(%u)", k);
			return false;
		}
	for (unsigned k = 0; k < 16; k++)
		if (memcmp(a + 160 + 16 * k, b + 160 + 16 * k, 16)) {
			snprintf(why, n, "XMM%u", k);
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

static void dump_fx(const char *tag, const uint8_t *fx)
{
	uint16_t cw, sw;
	uint32_t csr;
	memcpy(&cw, fx, 2);
	memcpy(&sw, fx + 2, 2);
	memcpy(&csr, fx + 24, 4);
	printf("  %-6s fcw=%04x fsw=%04x ftw=%02x mxcsr=%08x\n", tag, cw, sw, fx[4], csr);
	for (unsigned k = 0; k < 8; k++) {
		hexdump(k % 4 == 0 ? "         st: " : " ", fx + 32 + 16 * k, 10);
		if (k % 4 == 3)
			printf("\n");
	}
	for (unsigned k = 0; k < 16; k++) {
		hexdump(k % 4 == 0 ? "         xmm: " : " ", fx + 160 + 16 * k, 16);
		if (k % 4 == 3)
			printf("\n");
	}
}

static int signal_vector(int sig)
{
	switch (sig) {
	case SIGFPE: return -19;   /* #XM or #MF or #DE: checked separately */
	case SIGSEGV: case SIGBUS: return 13;
	case SIGILL: return 6;
	default: return -1;
	}
}

int main(void)
{
	const char *ev;
	unsigned long ncases = (ev = getenv("FPU_DIFF_CASES")) ? strtoul(ev, NULL, 0) : 60000;
	uint64_t seed = (ev = getenv("FPU_DIFF_SEED")) ? strtoull(ev, NULL, 0) : 1;
	const char *only = getenv("FPU_DIFF_ONLY");
	unsigned long max_report = (ev = getenv("FPU_DIFF_MAX_REPORT")) ? strtoul(ev, NULL, 0) : 20;
	rs[0] = seed * 0x9E3779B97F4A7C15ULL + 1;
	rs[1] = seed ^ 0xD1B54A32D192ED03ULL;

	if (mmap((void *)(uintptr_t)WIN, WIN_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)(uintptr_t)WIN) {
		printf("diff_fpu: cannot map the data window at %#llx\n", (unsigned long long)WIN);
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

	/* lstar plays the host's vendor, so that rules that differ between
	 * vendors (the SHA instructions' alignment) meet the matching
	 * hardware. */
	struct lstar_config cfg = { 0 };
	unsigned va, vb, vc, vd;
	if (__get_cpuid(0, &va, &vb, &vc, &vd) && !memcmp(&vb, "Auth", 4))
		cfg.vendor = LSTAR_VENDOR_AMD;
	struct lstar_flat_layout lay;
	char err[256];
	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	if (!m || lstar_setup_flat(m, 0x0C000000, 0x100000, &lay) != LSTAR_OK) {
		printf("diff_fpu: cannot make the machine: %s\n", m ? "setup_flat" : err);
		return 1;
	}
	uint64_t cr0 = lstar_get_reg(m, LSTAR_CR0);
	lstar_set_reg(m, LSTAR_CR0, (cr0 & ~0xCULL) | 0x22);   /* EM TS off, MP NE on */
	lstar_set_reg(m, LSTAR_CR4, lstar_get_reg(m, LSTAR_CR4) | (1 << 9) | (1 << 10));

	static uint8_t win[WIN_SIZE], got_win[WIN_SIZE];
	static struct fpu_regs in, nat;
	static uint8_t got_fx[512];
	unsigned long done = 0, bad = 0, faults = 0;
	static unsigned long per_t[NTEMPL], bad_t[NTEMPL];
	static bool skip_t[NTEMPL];
	unsigned nskip = 0, nrun = 0;
	for (unsigned t = 0; t < NTEMPL; t++) {
		if (only && !strstr(templates[t], only))
			continue;
		if (!host_has(templates[t])) {
			skip_t[t] = true;
			nskip++;
			printf("diff_fpu: skipped, the host lacks the feature: %s\n", templates[t]);
		} else {
			nrun++;
		}
	}
	if (!nrun) {
		printf("diff_fpu: no template to run (%u skipped for want of host features)\n", nskip);
		lstar_machine_free(m);
		return 77;
	}

	while (done < ncases) {
		unsigned t = below(NTEMPL);
		if ((only && !strstr(templates[t], only)) || skip_t[t])
			continue;
		struct enc e = { { 0 }, 0, 0 };
		if (!encode(templates[t], &e))
			continue;

		/* inputs */
		for (unsigned b = 0; b < WIN_SIZE; b += 16) {
			if (below(4) == 0) {
				rnd_f80(win + b);
				uint64_t pad = rnd();
				memcpy(win + b + 10, &pad, 6);
			} else {
				rnd_vec(win + b);
			}
		}
		for (int r = 0; r < 16; r++)
			in.r[r] = below(2) ? rnd() : (uint64_t)(int64_t)(int32_t)rnd_f32();
		in.r[7] = WIN + 16 * below(200);
		if (below(10) == 0)   /* misaligned: #GP where 16-byte alignment is required */
			in.r[7] += 1 + below(15);
		in.r[4] = WIN + 0xF80;
		in.rflags = (rnd() & 0x8D5) | 0x202;
		memset(in.fx, 0, 512);
		uint16_t fcw = (uint16_t)(0x0040 | 0x3F | (below(4) << 8) | (below(4) << 10));
		if (below(8) == 0)   /* unmask some of IE DE ZE PE (not OE UE: docs/fpu.md) */
			fcw &= (uint16_t)~(rnd() & 0x27);
		uint16_t top = (uint16_t)below(8);
		uint16_t fsw = (uint16_t)((top << 11) | (rnd() & 0x4700) | (rnd() & fcw & 0x3F));
		uint8_t ftw = 0;
		unsigned depth = below(9);
		for (unsigned k = 0; k < depth; k++)
			ftw |= (uint8_t)(1u << ((top + k) & 7));
		if (below(8) == 0)
			ftw = (uint8_t)rnd();
		uint32_t mxcsr = (uint32_t)(0x1F80 | (below(4) << 13) | (rnd() & 0x3F));
		if (below(3) == 0)
			mxcsr |= 0x40;
		if (below(3) == 0)
			mxcsr |= 0x8000;
		if (below(10) == 0)   /* unmask some of IE DE ZE PE (not OE UE: docs/fpu.md) */
			mxcsr &= ~(uint32_t)((rnd() & 0x27) << 7);
		memcpy(in.fx + 0, &fcw, 2);
		memcpy(in.fx + 2, &fsw, 2);
		in.fx[4] = ftw;
		memcpy(in.fx + 24, &mxcsr, 4);
		uint32_t mask = 0xFFFF;
		memcpy(in.fx + 28, &mask, 4);
		for (unsigned k = 0; k < 8; k++)
			rnd_f80(in.fx + 32 + 16 * k);
		for (unsigned k = 0; k < 16; k++)
			rnd_vec(in.fx + 160 + 16 * k);

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
		lstar_set_fxsave(m, in.fx);
		memset(&ex, 0, sizeof ex);
		lstar_step(m, &ex);
		lstar_get_fxsave(m, got_fx);
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
			/* A fault: the same exception, raised at the
			 * instruction (RIP and RFLAGS from lstar's exception
			 * frame; RF, which a fault sets in the image it
			 * pushes, aside), with the GPRs and the x87/SSE state
			 * the host had when the signal hit. */
			faults++;
			int want = signal_vector(sig);
			bool vec_ok = ex.event == LSTAR_EV_EXCEPTION &&
				      (want == -19 ? (ex.vector == 19 || ex.vector == 16 || ex.vector == 0)
						   : ex.vector == want);
			uint64_t frame[3] = { 0, 0, 0 };
			lstar_read_virt(m, got_r[4] + (ex.has_error_code ? 8 : 0), frame, sizeof frame);
			got_rip = frame[0];
			got_fl = frame[2];
			want_rip = lay.kernel_code + (fault_rip - (uint64_t)(uintptr_t)code_page);
			if (!vec_ok) {
				ok = false;
				snprintf(why, sizeof why, "native signal %d, lstar event %#x vector %d",
					 sig, ex.event, ex.vector);
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
			if (ok && !fx_equal(nat.fx, got_fx, why, sizeof why))
				ok = false;
		} else if (ex.event != LSTAR_EV_NONE) {
			ok = false;
			snprintf(why, sizeof why, "lstar event %#x vector %d (%s)", ex.event, ex.vector,
				 ex.message);
		} else {
			/* Where execution ended (the length lstar consumed),
			 * the GPRs, all of RFLAGS, memory, x87/SSE state. */
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
				ok = false;
				snprintf(why, sizeof why, "data window");
			}
			if (ok && !fx_equal(nat.fx, got_fx, why, sizeof why))
				ok = false;
		}
		if (!ok) {
			bad++;
			bad_t[t]++;
			if (bad <= max_report) {
				printf("MISMATCH [%s] bytes", templates[t]);
				for (unsigned b = 0; b < e.len; b++)
					printf(" %02x", e.code[b]);
				printf(": %s\n", why);
				dump_fx("input", in.fx);
				dump_fx(sig ? "native (at the signal)" : "native", nat.fx);
				dump_fx("lstar", got_fx);
				if (e.mem) {
					hexdump("  mem[rdi] ", win + (in.r[7] - WIN), 16);
					printf("\n");
				}
			}
		}
	}
	for (unsigned t = 0; t < NTEMPL; t++)
		if (bad_t[t])
			printf("  %-28s %lu/%lu mismatches\n", templates[t], bad_t[t], per_t[t]);
	printf("diff_fpu: %lu cases (%lu native faults), %lu mismatches, seed %llu, "
	       "%u templates run, %u skipped (host features), vendor %s\n", done,
	       faults, bad, (unsigned long long)seed, nrun, nskip,
	       cfg.vendor == LSTAR_VENDOR_AMD ? "amd" : "intel");
	lstar_machine_free(m);
	return bad ? 1 : 0;
}
