/*
 * diff_main.c - the differential runner (see diff.h and README.md).
 *
 * For each case: run the instruction natively through native.S, run it in
 * one reused lstar machine (flat layout, CPL 0, identity mapping) with the
 * same registers, flags, x87/SSE state, code and data window, then compare
 * RIP, the 16 GPRs, RFLAGS (the arithmetic flags the SDM defines for the
 * instruction, every other bit), the x87/SSE registers and the data window.
 * A native #DE (SIGFPE) or #UD (SIGILL) must be the same exception in
 * lstar, at the same instruction, with the same registers.
 *
 * Environment: DIFF_CASES (default 200000), DIFF_SEED (default 1),
 * DIFF_FAMILY (run only this family), DIFF_MNEM (only this mnemonic, e.g.
 * "shld"), DIFF_MAX_REPORT (mismatches printed, default 20), DIFF_STRICT=1
 * (also compare undefined flags and print a per-mnemonic table of the
 * differences; informational, never fails), DIFF_STRICT=2 (same, but an
 * undefined-flag difference is reported as a mismatch: to study the host).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <lstar/lstar.h>
#include "diff.h"

struct diff_regs {
	uint64_t r[16];
	uint64_t rflags;
	uint64_t pad;
	uint8_t fx[512];             /* FXSAVE64 image (native.S) */
} __attribute__((aligned(16)));
void diff_native_run(struct diff_regs *s, void *code);
void diff_native_back(void);
void diff_native_restore(void);

#define F_ARITH 0x8D5ULL

static const char *const reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* ---- helpers for generators ------------------------------------------ */

uint64_t diff_value(struct diff_rng *g)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, ~0ULL, ~1ULL, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000,
		0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ULL,
		0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 0xFFFFFFFF80000000ULL,
		0xFFFFFFFFFFFF8000ULL, 0xFFFFFFFFFFFFFF80ULL, 0x5555555555555555ULL,
		0xAAAAAAAAAAAAAAAAULL, 0x0F0F0F0F0F0F0F0FULL,
	};
	uint64_t v;

	switch (diff_below(g, 8)) {
	case 0:
	case 1:
		return edges[diff_below(g, sizeof edges / sizeof edges[0])];
	case 2: /* power of two, maybe minus one or negated */
		v = 1ULL << diff_below(g, 64);
		switch (diff_below(g, 3)) {
		case 0: return v;
		case 1: return v - 1;
		default: return -v;
		}
	case 3: /* small signed */
		return (uint64_t)(int64_t)((int)diff_below(g, 33) - 16);
	case 4: /* random, sign-extended from a random width */
		v = diff_rand(g);
		switch (diff_below(g, 3)) {
		case 0: return (uint64_t)(int64_t)(int8_t)v;
		case 1: return (uint64_t)(int64_t)(int16_t)v;
		default: return (uint64_t)(int64_t)(int32_t)v;
		}
	default:
		return diff_rand(g);
	}
}

bool diff_encode(struct diff_case *k, const ZydisEncoderRequest *req)
{
	ZyanUSize len = sizeof k->code - k->len;

	if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(req, k->code + k->len, &len)))
		return false;
	k->len = (uint8_t)(k->len + len);
	k->ninsn++;
	return true;
}

ZydisRegister diff_gpr(unsigned num, unsigned size)
{
	static const ZydisRegister base[] = {
		[1] = ZYDIS_REGISTER_AL, [2] = ZYDIS_REGISTER_AX,
		[4] = ZYDIS_REGISTER_EAX, [8] = ZYDIS_REGISTER_RAX,
	};
	if (size == 1 && num >= 4 && num < 8)  /* SPL BPL SIL DIL follow BH */
		return (ZydisRegister)(ZYDIS_REGISTER_SPL + (num - 4));
	if (size == 1 && num >= 8)
		return (ZydisRegister)(ZYDIS_REGISTER_R8B + (num - 8));
	return (ZydisRegister)(base[size] + num);
}

int diff_gpr_num(ZydisRegister r)
{
	if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL)
		return r - ZYDIS_REGISTER_AL;
	if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH)
		return r - ZYDIS_REGISTER_AH;
	if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_R15B)
		return 4 + (r - ZYDIS_REGISTER_SPL);
	if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15)
		return (r - ZYDIS_REGISTER_AX) & 15;
	return -1;
}

static struct diff_family *families;

void diff_register(struct diff_family *f)
{
	f->next = families;
	families = f;
}

/* ---- native execution ------------------------------------------------ */

static sigjmp_buf native_jb;
static volatile sig_atomic_t native_sig;
/* The state when the signal hit: GPRs, RIP, RFLAGS, the FXSAVE image. */
static uint64_t native_fault_r[16], native_fault_rip, native_fault_fl;
static uint8_t native_fault_fx[512];

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	static const int map[16] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
		REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	};
	ucontext_t *uc = ucv;

	(void)si;
	for (int r = 0; r < 16; r++)
		native_fault_r[r] = (uint64_t)uc->uc_mcontext.gregs[map[r]];
	native_fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	native_fault_fl = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
	/* The signal frame's FP state starts with the FXSAVE layout. */
	if (uc->uc_mcontext.fpregs)
		memcpy(native_fault_fx, uc->uc_mcontext.fpregs, sizeof native_fault_fx);
	else
		memset(native_fault_fx, 0, sizeof native_fault_fx);
	native_sig = sig;
	siglongjmp(native_jb, 1);
}

static uint8_t *native_code;

static void native_setup(void)
{
	static uint8_t altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	native_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Returns 0 or the signal number the instruction raised. */
static int native_run(const struct diff_case *k, struct diff_regs *s)
{
	uint64_t back = (uint64_t)(uintptr_t)diff_native_back;

	memcpy(native_code, k->code, k->len);
	/* jmp qword ptr [rip + 0]; .quad diff_native_back */
	memcpy(native_code + k->len, "\xFF\x25\x00\x00\x00\x00", 6);
	memcpy(native_code + k->len + 6, &back, 8);
	memcpy((void *)(uintptr_t)DIFF_MEM, k->mem, DIFF_MEM_SIZE);
	memcpy(s->r, k->r, sizeof s->r);
	s->rflags = k->rflags | 0x202;
	memcpy(s->fx, k->fx, sizeof s->fx);
	native_sig = 0;
	if (sigsetjmp(native_jb, 0) == 0) {
		diff_native_run(s, native_code);
	} else {
		diff_native_restore();
		memcpy(s->r, native_fault_r, sizeof s->r);
		s->rflags = native_fault_fl;
		memcpy(s->fx, native_fault_fx, sizeof s->fx);
	}
	return native_sig;
}

/*
 * The x87/SSE state the integer instructions run with, different for each
 * case so that a handler that touches it shows: random XMM registers and
 * x87 data registers and tags, any TOP, sticky exception flags, rounding
 * and precision controls, FTZ/DAZ; every exception masked, so that nothing
 * traps on either side.
 */
static void fx_random(struct diff_rng *g, uint8_t *fx)
{
	uint16_t fcw = (uint16_t)(0x007F | (diff_below(g, 4) << 8) | (diff_below(g, 4) << 10));
	uint16_t fsw = (uint16_t)((diff_below(g, 8) << 11) | (diff_rand(g) & 0x3F & ~0x80));
	uint32_t mxcsr = (uint32_t)(0x1F80 | (diff_rand(g) & 0x3F) | (diff_below(g, 4) << 13) |
				    (diff_below(g, 2) ? 0x8040 : 0));

	memset(fx, 0, 512);
	memcpy(fx + 0, &fcw, 2);
	memcpy(fx + 2, &fsw, 2);
	fx[4] = (uint8_t)diff_rand(g);
	memcpy(fx + 24, &mxcsr, 4);
	for (unsigned k = 0; k < 8; k++)
		for (unsigned b = 0; b < 10; b += 2) {
			uint16_t v = (uint16_t)diff_rand(g);
			memcpy(fx + 32 + 16 * k + b, &v, 2);
		}
	for (unsigned b = 0; b < 256; b += 8) {
		uint64_t v = diff_value(g);
		memcpy(fx + 160 + b, &v, 8);
	}
}

/*
 * The architectural x87/SSE registers of two FXSAVE images: FCW, FSW, the
 * abridged FTW, MXCSR, ST0-7 (80 bits each) and XMM0-15.  Not compared:
 * FOP/FIP/FDP (the host's code and data live elsewhere, and recent CPUs no
 * longer keep them), MXCSR_MASK (a constant of the CPU, not a register)
 * and the reserved bytes.  Returns the first differing field, or NULL.
 */
static const char *fx_diff(const uint8_t *a, const uint8_t *b)
{
	static char name[16];
	if (memcmp(a + 0, b + 0, 2))
		return "FCW";
	if (memcmp(a + 2, b + 2, 2))
		return "FSW";
	if (a[4] != b[4])
		return "FTW";
	if (memcmp(a + 24, b + 24, 4))
		return "MXCSR";
	for (unsigned k = 0; k < 8; k++)
		if (memcmp(a + 32 + 16 * k, b + 32 + 16 * k, 10)) {
			snprintf(name, sizeof name, "ST(%u)", k);
			return name;
		}
	for (unsigned k = 0; k < 16; k++)
		if (memcmp(a + 160 + 16 * k, b + 160 + 16 * k, 16)) {
			snprintf(name, sizeof name, "XMM%u", k);
			return name;
		}
	return NULL;
}

/* ---- the runner ------------------------------------------------------ */

struct stat_row {
	ZydisMnemonic mnem;
	unsigned long cases, faults, bad;
	uint64_t strict_flag_diff;   /* DIFF_STRICT: undefined flags seen differing */
	unsigned long strict_cases;
};
static struct stat_row stats[ZYDIS_MNEMONIC_MAX_VALUE + 1];

static ZydisDecoder dec;
static ZydisFormatter fmt;

static void print_case(const struct diff_case *k, const ZydisDecodedInstruction *in,
		       const ZydisDecodedOperand *ops, const struct diff_regs *nat,
		       const uint64_t *got, uint64_t got_fl, uint64_t fl_mask,
		       int native_sig, const struct lstar_exit *ex)
{
	char text[128];
	unsigned off = 0;

	(void)in;
	(void)ops;
	printf("MISMATCH [%s]", k->family);
	while (off < k->len) {
		ZydisDecodedInstruction d;
		ZydisDecodedOperand o[ZYDIS_MAX_OPERAND_COUNT];
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, k->code + off, k->len - off, &d, o)))
			break;
		ZydisFormatterFormatInstruction(&fmt, &d, o, d.operand_count_visible,
						text, sizeof text, 0, NULL);
		printf("%s %s", off ? ";" : "", text);
		off += d.length;
	}
	printf("   (bytes");
	for (unsigned b = 0; b < k->len; b++)
		printf(" %02x", k->code[b]);
	printf(")\n  in  rflags=%03llx\n", (unsigned long long)k->rflags);
	for (int r = 0; r < 16; r++)
		printf("  %-3s in %016llx  native %016llx  lstar %016llx%s\n", reg_names[r],
		       (unsigned long long)k->r[r], (unsigned long long)nat->r[r],
		       (unsigned long long)got[r],
		       nat->r[r] != got[r] && !(k->reg_ignore >> r & 1) ? "   <--" : "");
	printf("  flags (compared %03llx): native %03llx  lstar %03llx\n",
	       (unsigned long long)fl_mask, (unsigned long long)(nat->rflags & F_ARITH),
	       (unsigned long long)(got_fl & F_ARITH));
	if (native_sig || ex->event != LSTAR_EV_NONE)
		printf("  native signal %d, lstar event %#x vector %d (%s)\n", native_sig,
		       ex->event, ex->vector, ex->message);
}

int main(void)
{
	const char *e;
	unsigned long ncases = (e = getenv("DIFF_CASES")) ? strtoul(e, NULL, 0) : 200000;
	uint64_t seed = (e = getenv("DIFF_SEED")) ? strtoull(e, NULL, 0) : 1;
	const char *only = getenv("DIFF_FAMILY");
	unsigned long max_report = (e = getenv("DIFF_MAX_REPORT")) ? strtoul(e, NULL, 0) : 20;
	bool strict = (e = getenv("DIFF_STRICT")) && (*e == '1' || *e == '2');
	bool strict_fail = e && *e == '2';
	const char *only_mnem = getenv("DIFF_MNEM");
	struct diff_rng g = { { seed * 0x9E3779B97F4A7C15ULL + 1, seed ^ 0xD1B54A32D192ED03ULL } };
	struct diff_family *tab[64];
	unsigned nfam = 0, wsum = 0;
	unsigned long done = 0, bad = 0, faults = 0, skipped = 0, seqs = 0;
	struct lstar_config cfg = { 0 };
	struct lstar_flat_layout lay;
	char err[256];
	static struct diff_case k;
	static uint8_t got_mem[DIFF_MEM_SIZE];
	static uint8_t got_fx[512] __attribute__((aligned(16)));

	for (struct diff_family *f = families; f && nfam < 64; f = f->next)
		if (!only || !strcmp(only, f->name)) {
			tab[nfam++] = f;
			wsum += f->weight;
		}
	if (!nfam) {
		printf("diff: no generator family selected\n");
		return 1;
	}
	if (mmap((void *)(uintptr_t)DIFF_MEM, DIFF_MEM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !=
	    (void *)(uintptr_t)DIFF_MEM) {
		printf("diff: cannot map the data window at %#llx on the host\n",
		       (unsigned long long)DIFF_MEM);
		return 1;
	}
	native_setup();
	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	/* Decode as lstar does (cpu/decode.c): no MPX, 0F 1A/1B are NOPs. */
	ZydisDecoderEnableMode(&dec, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
	ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);

	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	if (!m) {
		printf("diff: lstar_machine_new: %s\n", err);
		return 1;
	}
	if (lstar_setup_flat(m, 0x0C000000, 0x100000, &lay) != LSTAR_OK) {
		printf("diff: lstar_setup_flat failed\n");
		return 1;
	}
	if (lay.kernel_code + 64 > DIFF_MEM && lay.kernel_code < DIFF_MEM + DIFF_MEM_SIZE) {
		printf("diff: kernel_code overlaps the data window\n");
		return 1;
	}

	while (done < ncases) {
		unsigned w = diff_below(&g, wsum), fi = 0;
		while (w >= tab[fi]->weight)
			w -= tab[fi++]->weight;

		memset(&k, 0, sizeof k);
		k.family = tab[fi]->name;
		for (int r = 0; r < 16; r++)
			k.r[r] = diff_value(&g);
		k.r[4] = DIFF_STACK;
		k.rflags = diff_rand(&g) & DIFF_FLAGS_SETTABLE;
		for (unsigned b = 0; b < DIFF_MEM_SIZE; b += 8) {
			uint64_t v = diff_value(&g);
			memcpy(k.mem + b, &v, 8);
		}
		fx_random(&g, k.fx);
		if (!tab[fi]->gen(&g, &k)) {
			skipped++;
			continue;
		}
		k.rflags &= DIFF_FLAGS_SETTABLE;

		/* Decode the sequence; `in` ends as the last instruction. */
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		unsigned ninsn = k.ninsn ? k.ninsn : 1, off = 0, seen = 0;
		ZydisMnemonic subject = ZYDIS_MNEMONIC_INVALID;
		while (seen < ninsn &&
		       ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, k.code + off, k.len - off, &in, ops))) {
			off += in.length;
			seen++;
			if (seen == k.subject)
				subject = in.mnemonic;
		}
		if (seen == 0 && ninsn == 1 && k.invalid_ok) {
			/* An encoding the decoder rejects: compared as "INVALID". */
			memset(&in, 0, sizeof in);
			in.mnemonic = ZYDIS_MNEMONIC_INVALID;
			in.length = k.len;
			off = k.len;
			seen = 1;
		}
		if (seen != ninsn || off != k.len) {
			skipped++;
			continue;
		}
		if (!k.subject)
			subject = in.mnemonic;
		if (only_mnem && strcmp(only_mnem, ZydisMnemonicGetString(subject))) {
			skipped++;
			continue;
		}
		uint64_t undef = in.cpu_flags ? in.cpu_flags->undefined : 0;
		uint64_t fl_mask = k.flags_cmp_set ? k.flags_cmp : (F_ARITH & ~undef);
		if (strict)
			fl_mask = F_ARITH;

		struct diff_regs nat;
		int sig = native_run(&k, &nat);

		uint64_t got[16], got_fl;
		struct lstar_exit ex;
		for (int r = 0; r < 16; r++)
			lstar_set_reg(m, (enum lstar_reg)r, k.r[r]);
		lstar_set_reg(m, LSTAR_RFLAGS, k.rflags | 0x202);
		lstar_set_reg(m, LSTAR_RIP, lay.kernel_code);
		lstar_write_phys(m, lay.kernel_code, k.code, k.len);
		lstar_write_phys(m, DIFF_MEM, k.mem, DIFF_MEM_SIZE);
		lstar_set_fxsave(m, k.fx);
		/* Step ninsn instructions, or fewer when a branch skipped
		 * some and RIP is already at the end (the native side ends
		 * there too, at the jump back). */
		memset(&ex, 0, sizeof ex);
		for (unsigned n = 0; n < ninsn; n++) {
			if (n && lstar_get_reg(m, LSTAR_RIP) == lay.kernel_code + k.len)
				break;
			memset(&ex, 0, sizeof ex);
			lstar_step(m, &ex);
			if (ex.event != LSTAR_EV_NONE)
				break;
		}
		for (int r = 0; r < 16; r++)
			got[r] = lstar_get_reg(m, (enum lstar_reg)r);
		got_fl = lstar_get_reg(m, LSTAR_RFLAGS);
		uint64_t got_rip = lstar_get_reg(m, LSTAR_RIP), nat_rip = lay.kernel_code + k.len;
		lstar_get_fxsave(m, got_fx);
		const char *why = NULL;

		seqs += ninsn > 1;
		struct stat_row *st = &stats[subject];
		st->mnem = subject;
		st->cases++;
		done++;

		bool ok = true;
		if (sig) {
			/* The expected native faults are #DE (SIGFPE) and #UD
			 * (SIGILL); lstar must raise the same exception with
			 * the registers the host had at the fault (RSP holds
			 * the exception frame in lstar). */
			/* The faulting instruction's address and RFLAGS: from
			 * the exception frame in lstar (RIP, CS, RFLAGS...). */
			int want = sig == SIGFPE ? 0 : sig == SIGILL ? 6 : -1;
			uint64_t frame[3] = { 0, 0, 0 };
			faults++;
			st->faults++;
			if (want < 0 || ex.event != LSTAR_EV_EXCEPTION || ex.vector != want)
				ok = false, why = "exception";
			lstar_read_virt(m, got[4] + (ex.has_error_code ? 8 : 0), frame, sizeof frame);
			got_rip = frame[0];
			got_fl = frame[2];
			nat_rip = lay.kernel_code + (native_fault_rip - (uint64_t)(uintptr_t)native_code);
			if (ok && got_rip != nat_rip)
				ok = false, why = "RIP of the fault";
			for (int r = 0; r < 16; r++)
				if (r != 4 && got[r] != nat.r[r])
					ok = false, why = "GPRs";
			/* nothing changed: every flag but RF (which a fault
			 * sets in the image it pushes), and the FP state */
			fl_mask = F_ARITH;
			if (ok && ((got_fl ^ nat.rflags) & ~(uint64_t)0x10000))
				ok = false, why = "RFLAGS";
			if (ok && (why = fx_diff(nat.fx, got_fx)))
				ok = false;
		} else {
			if (ex.event != LSTAR_EV_NONE)
				ok = false, why = "exception";
			if (ok && got_rip != nat_rip)
				ok = false, why = "RIP (instruction length)";
			for (int r = 0; r < 16; r++)
				if (got[r] != nat.r[r] && !(k.reg_ignore >> r & 1))
					ok = false, why = "GPRs";
			lstar_read_phys(m, DIFF_MEM, got_mem, DIFF_MEM_SIZE);
			if (memcmp(got_mem, (void *)(uintptr_t)DIFF_MEM, DIFF_MEM_SIZE))
				ok = false, why = "memory";
			/* RFLAGS beyond the arithmetic flags (DF, IF, bit 1,
			 * TF, AC, ID...) must agree in every case */
			if ((got_fl ^ nat.rflags) & ~F_ARITH)
				ok = false, why = "RFLAGS (non-arithmetic bits)";
			const char *fxwhy = fx_diff(nat.fx, got_fx);
			if (fxwhy)
				ok = false, why = fxwhy;
			if (strict) {
				uint64_t dfl = (got_fl ^ nat.rflags) & F_ARITH;
				st->strict_cases++;
				st->strict_flag_diff |= dfl;
				if (!strict_fail)
					dfl &= ~undef;   /* still a real failure if defined */
				if (dfl && (!k.flags_cmp_set || strict_fail))
					ok = false;
				else if (k.flags_cmp_set && ((got_fl ^ nat.rflags) & k.flags_cmp))
					ok = false;
				fl_mask = k.flags_cmp_set ? k.flags_cmp : (F_ARITH & ~undef);
			} else if ((got_fl ^ nat.rflags) & fl_mask) {
				ok = false, why = "arithmetic flags";
			}
		}
		if (!ok) {
			bad++;
			st->bad++;
			if (bad <= max_report) {
				print_case(&k, &in, ops, &nat, got, got_fl, fl_mask, sig, &ex);
				printf("  differs: %s; RIP native %#llx lstar %#llx; rflags native %#llx lstar %#llx\n",
				       why ? why : "?", (unsigned long long)nat_rip,
				       (unsigned long long)got_rip, (unsigned long long)nat.rflags,
				       (unsigned long long)got_fl);
				if (!sig && memcmp(got_mem, (void *)(uintptr_t)DIFF_MEM, DIFF_MEM_SIZE)) {
					for (unsigned b = 0; b < DIFF_MEM_SIZE; b++)
						if (got_mem[b] != ((uint8_t *)(uintptr_t)DIFF_MEM)[b]) {
							printf("  memory differs first at %#llx: native %02x lstar %02x\n",
							       (unsigned long long)(DIFF_MEM + b),
							       ((uint8_t *)(uintptr_t)DIFF_MEM)[b], got_mem[b]);
							break;
						}
				}
			}
		}
	}

	printf("diff: %lu cases (%lu native #DE/#UD, %lu multi-instruction), %lu generator skips, "
	       "%lu mismatches, seed %llu\n",
	       done, faults, seqs, skipped, bad, (unsigned long long)seed);
	for (unsigned n = 0; n <= ZYDIS_MNEMONIC_MAX_VALUE; n++) {
		struct stat_row *st = &stats[n];
		if (!st->cases)
			continue;
		if (st->bad || strict || getenv("DIFF_VERBOSE"))
			printf("  %-8s %7lu cases %6lu #DE/#UD %6lu bad%s",
			       ZydisMnemonicGetString(st->mnem), st->cases, st->faults, st->bad,
			       strict ? "" : "\n");
		if (strict)
			printf("  undefined-flag differences: %03llx\n",
			       (unsigned long long)st->strict_flag_diff);
	}
	lstar_machine_free(m);
	return bad ? 1 : 0;
}
