/*
 * test_string.c - MOVS/STOS/LODS/SCAS/CMPS with and without REP (SDM vol. 2B
 * "REP/REPE/REPZ/REPNE/REPNZ", each instruction's page): page crossings,
 * faults in the middle of a REP (partial progress in RCX/RSI/RDI, RIP at
 * the instruction), overlapping copies, DF = 1, 32-bit address size,
 * segment override, single-step per iteration, long strings that yield.
 */
#include "move_harness.h"

/* rep movs{b,w,d,q} encodings by element size. */
static const uint8_t rep_movs[4][3] = {
	{ 0xF3, 0xA4, 0x90 }, { 0x66, 0xF3, 0xA5 }, { 0xF3, 0xA5, 0x90 }, { 0xF3, 0x48, 0xA5 },
};
static const uint8_t rep_stos[4][3] = {
	{ 0xF3, 0xAA, 0x90 }, { 0x66, 0xF3, 0xAB }, { 0xF3, 0xAB, 0x90 }, { 0xF3, 0x48, 0xAB },
};

static unsigned lg(unsigned sz)
{
	return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : 3;
}

/* Reference: what the SDM pseudo-code does, one element at a time. */
static void ref_movs(uint8_t *mem, uint64_t base, uint64_t *rsi, uint64_t *rdi,
		     uint64_t *rcx, unsigned sz, bool df)
{
	while (*rcx) {
		uint8_t tmp[8];
		memcpy(tmp, mem + (*rsi - base), sz);
		memcpy(mem + (*rdi - base), tmp, sz);
		*rsi += df ? -(uint64_t)sz : sz;
		*rdi += df ? -(uint64_t)sz : sz;
		(*rcx)--;
	}
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Random REP MOVS over a 16 KiB window: every size, both directions,
 * overlaps of every kind (including RDI just ahead of RSI, which memmove
 * would get wrong), page crossings on either side.  Compared byte for
 * byte and register for register against the element-wise reference. */
static void test_rep_movs_matches_elementwise_reference(void **state)
{
	struct fx *fx = *state;
	enum { WIN = 0x4000 };
	static uint8_t img[WIN], ref[WIN], got[WIN];
	static const int64_t deltas[] = { -17, -8, -3, -1, 0, 1, 2, 3, 5, 8, 17, 0x800, -0x800, 0x1003 };

	for (int round = 0; round < 300; round++) {
		unsigned sz = 1u << (rnd() % 4);
		bool df = rnd() & 1;
		uint64_t cnt = rnd() % (0xC00 / sz);
		int64_t delta = deltas[rnd() % (sizeof deltas / sizeof deltas[0])];
		uint64_t span = cnt * sz;
		/* Keep both runs inside the window whatever the direction. */
		uint64_t lo = 0x10 + span + 0x20 + 0x1010, hi = WIN - span - 0x1040;
		uint64_t rsi = DATA + lo + rnd() % (hi - lo);
		uint64_t rdi = rsi + (uint64_t)delta;

		for (unsigned k = 0; k < WIN; k++)
			img[k] = (uint8_t)rnd();
		memcpy(ref, img, WIN);
		wrn(fx, DATA, img, WIN);
		uint64_t rs = rsi, rd = rdi, rc = cnt;
		ref_movs(ref, DATA, &rs, &rd, &rc, sz, df);

		code_at(fx, fx->lay.kernel_code, rep_movs[lg(sz)], 3);
		set(fx, LSTAR_RFLAGS, 2 | (df ? F_DF : 0));
		set(fx, LSTAR_RSI, rsi);
		set(fx, LSTAR_RDI, rdi);
		set(fx, LSTAR_RCX, cnt);
		run_ok(fx, 1);
		rdn(fx, DATA, got, WIN);
		if (memcmp(got, ref, WIN) != 0 || reg(fx, LSTAR_RSI) != rs ||
		    reg(fx, LSTAR_RDI) != rd || reg(fx, LSTAR_RCX) != 0)
			print_error("round %d: sz %u df %d cnt %#lx rsi %#lx delta %ld\n",
				    round, sz, df, (unsigned long)cnt, (unsigned long)rsi, (long)delta);
		assert_memory_equal(got, ref, WIN);
		assert_int_equal(reg(fx, LSTAR_RSI), rs);
		assert_int_equal(reg(fx, LSTAR_RDI), rd);
		assert_int_equal(reg(fx, LSTAR_RCX), 0);
	}
}

/* Reference REPE/REPNE CMPS (scas = false) or SCAS over `mem`. */
static void ref_cmp(const uint8_t *mem, uint64_t base, bool scas, bool repe, uint64_t rax,
		    uint64_t *rsi, uint64_t *rdi, uint64_t *rcx, unsigned sz, bool df,
		    bool *zf, bool *any)
{
	uint64_t m = sz == 8 ? ~0ULL : (1ULL << (8 * sz)) - 1;
	*any = false;
	while (*rcx) {
		uint64_t a = 0, b = 0;
		if (scas)
			a = rax & m;
		else
			memcpy(&a, mem + (*rsi - base), sz);
		memcpy(&b, mem + (*rdi - base), sz);
		if (!scas)
			*rsi += df ? -(uint64_t)sz : sz;
		*rdi += df ? -(uint64_t)sz : sz;
		(*rcx)--;
		*zf = a == b;
		*any = true;
		if (repe ? !*zf : *zf)
			break;
	}
}

/* Random REPE/REPNE CMPS and SCAS of every size and direction over data
 * that is mostly equal (so the qword skip runs) with a difference or a
 * match placed anywhere, across page boundaries; checked against the
 * element-wise reference (registers and ZF). */
static void test_rep_compare_matches_reference(void **state)
{
	struct fx *fx = *state;
	enum { WIN = 0x4000 };
	static uint8_t img[WIN];

	for (int round = 0; round < 400; round++) {
		unsigned sz = 1u << (rnd() % 4);
		bool df = rnd() & 1, scas = rnd() & 1, repe = rnd() & 1;
		uint64_t cnt = rnd() % (0x1400 / sz);
		uint64_t span = cnt * sz + 8;
		uint64_t lo = span + 0x10, hi = WIN - span - 0x10;
		uint64_t rsi = DATA + lo + rnd() % (hi - lo);
		uint64_t rdi = DATA + lo + rnd() % (hi - lo);
		uint64_t rax = ((uint64_t)rnd() << 32) | rnd();
		uint64_t fill = rax;
		for (unsigned k = 0; k < WIN; k += 8)
			memcpy(img + k, &fill, 8);
		if (rnd() % 4 == 0)   /* sometimes random data */
			for (unsigned k = 0; k < WIN; k++)
				img[k] = (uint8_t)rnd();
		for (int d = rnd() % 3; d > 0; d--)
			img[rnd() % WIN] ^= (uint8_t)(1u << (rnd() % 8));
		if (!scas && rnd() % 2) {   /* make the source a copy of the destination area */
			uint64_t from = df ? rdi - cnt * sz + sz : rdi, to = df ? rsi - cnt * sz + sz : rsi;
			memmove(img + (to - DATA), img + (from - DATA), cnt * sz);
			if (cnt && rnd() % 2)
				img[(to - DATA) + rnd() % (cnt * sz)] ^= 0x10;
		}
		wrn(fx, DATA, img, WIN);
		uint64_t rs = rsi, rd = rdi, rc = cnt;
		bool zf = false, any;
		ref_cmp(img, DATA, scas, repe, rax, &rs, &rd, &rc, sz, df, &zf, &any);

		uint8_t code[4] = { 0 }, n = 0;
		if (sz == 2)
			code[n++] = 0x66;
		code[n++] = repe ? 0xF3 : 0xF2;
		if (sz == 8)
			code[n++] = 0x48;
		code[n++] = (uint8_t)((scas ? 0xAE : 0xA6) + (sz > 1));
		code_at(fx, fx->lay.kernel_code, code, n);
		uint64_t f0 = rnd() & 1 ? F_ZF : 0;
		set(fx, LSTAR_RFLAGS, 2 | f0 | (df ? F_DF : 0));
		set(fx, LSTAR_RAX, rax);
		set(fx, LSTAR_RSI, rsi);
		set(fx, LSTAR_RDI, rdi);
		set(fx, LSTAR_RCX, cnt);
		run_ok(fx, 1);
		bool zf_got = (reg(fx, LSTAR_RFLAGS) & F_ZF) != 0;
		bool zf_want = any ? zf : f0 != 0;
		if (reg(fx, LSTAR_RCX) != rc || reg(fx, LSTAR_RSI) != rs ||
		    reg(fx, LSTAR_RDI) != rd || zf_got != zf_want)
			print_error("round %d: %s %s sz %u df %d cnt %#lx: rcx %#lx want %#lx\n",
				    round, repe ? "repe" : "repne", scas ? "scas" : "cmps", sz, df,
				    (unsigned long)cnt, (unsigned long)reg(fx, LSTAR_RCX),
				    (unsigned long)rc);
		if (reg(fx, LSTAR_RCX) != rc) {
			uint64_t done = cnt - reg(fx, LSTAR_RCX);
			uint64_t o = (done - 1) * sz;
			uint8_t gs[8], gd[8];
			rdn(fx, rsi + o, gs, sz);
			rdn(fx, rdi + o, gd, sz);
			print_error("rsi %#lx rdi %#lx: last elem src %02x%02x%02x%02x dst %02x%02x%02x%02x img %02x %02x\n",
				    (unsigned long)rsi, (unsigned long)rdi, gs[0], gs[1], gs[2], gs[3], gd[0], gd[1], gd[2], gd[3],
				    img[rsi + o - DATA], img[rdi + o - DATA]);
		}
		assert_int_equal(reg(fx, LSTAR_RCX), rc);
		assert_int_equal(reg(fx, LSTAR_RSI), rs);
		assert_int_equal(reg(fx, LSTAR_RDI), rd);
		assert_int_equal(zf_got, zf_want);
	}
}

/* RDI = RSI + 1, DF = 0: each byte copies the one just written, so the
 * first byte fills the whole destination. */
static void test_rep_movsb_overlap_replicates(void **state)
{
	struct fx *fx = *state;
	uint8_t buf[40], want[40];
	for (int k = 0; k < 40; k++)
		buf[k] = (uint8_t)(k + 1);
	wrn(fx, DATA + 0xFF0, buf, 40);   /* crosses a page */
	CODE(fx, 0xF3, 0xA4);
	set(fx, LSTAR_RSI, DATA + 0xFF0);
	set(fx, LSTAR_RDI, DATA + 0xFF1);
	set(fx, LSTAR_RCX, 32);
	run_ok(fx, 1);
	rdn(fx, DATA + 0xFF0, buf, 40);
	memset(want, 1, 33);
	for (int k = 33; k < 40; k++)
		want[k] = (uint8_t)(k + 1);
	assert_memory_equal(buf, want, 40);
}

/* A copy whose destination runs off the end of RAM (unmapped): #PF with
 * CR2 = the first unmapped byte, RCX/RSI/RDI counting exactly the bytes
 * copied, the saved RIP at the REP instruction; running it again from
 * there after mapping nothing still faults at the same place. */
static void test_rep_movsb_fault_midway_keeps_progress(void **state)
{
	struct fx *fx = *state;
	uint64_t dst = RAM_END - 0x1100, src = DATA;
	uint8_t pat[0x1100];
	for (unsigned k = 0; k < sizeof pat; k++)
		pat[k] = (uint8_t)(k * 7);
	wrn(fx, src, pat, sizeof pat);
	CODE(fx, 0x90, 0xF3, 0xA4);
	set(fx, LSTAR_RSI, src);
	set(fx, LSTAR_RDI, dst);
	set(fx, LSTAR_RCX, 0x2000);
	struct lstar_exit ex = run_fault(fx, 10, 14);
	assert_int_equal(reg(fx, LSTAR_RCX), 0x2000 - 0x1100);
	assert_int_equal(reg(fx, LSTAR_RSI), src + 0x1100);
	assert_int_equal(reg(fx, LSTAR_RDI), RAM_END);
	assert_int_equal(reg(fx, LSTAR_CR2), RAM_END);
	assert_int_equal(ex.error_code & 2, 2);   /* a write */
	assert_int_equal(fault_rip(fx, &ex), fx->lay.kernel_code + 1);
	uint8_t got[0x1100];
	rdn(fx, dst, got, sizeof got);
	assert_memory_equal(got, pat, sizeof got);
}

/* REP MOVSQ, DF = 1: a source that starts unmapped faults at the first
 * element with nothing changed; one that starts just below the end of RAM
 * walks down through mapped memory, the destination crossing a page. */
static void test_rep_movsq_df(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0xF3, 0x48, 0xA5);
	set(fx, LSTAR_RFLAGS, 2 | F_DF);
	set(fx, LSTAR_RSI, RAM_END + 0x10);
	set(fx, LSTAR_RDI, DATA + 0x100);
	set(fx, LSTAR_RCX, 8);
	struct lstar_exit ex = run_fault(fx, 10, 14);
	assert_int_equal(reg(fx, LSTAR_RCX), 8);
	assert_int_equal(reg(fx, LSTAR_RSI), RAM_END + 0x10);
	assert_int_equal(ex.error_code & 2, 0);   /* a read */

	uint64_t v[8], got[8];
	for (int k = 0; k < 8; k++)
		v[k] = 0x1111111111111111ULL * (uint64_t)(k + 1);
	wrn(fx, RAM_END - 0x40, v, sizeof v);
	fx_reset(state);
	CODE(fx, 0xF3, 0x48, 0xA5);
	set(fx, LSTAR_RFLAGS, 2 | F_DF);
	set(fx, LSTAR_RSI, RAM_END - 8);
	set(fx, LSTAR_RDI, DATA + 0x1018);   /* 0x1018 down to 0xFE0 */
	set(fx, LSTAR_RCX, 8);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RSI), RAM_END - 0x48);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA + 0xFD8);
	rdn(fx, DATA + 0xFE0, got, sizeof got);
	assert_memory_equal(got, v, sizeof v);
}

/* REP STOS of every size, both directions, across pages. */
static void test_rep_stos_all_sizes(void **state)
{
	struct fx *fx = *state;
	for (unsigned l = 0; l < 4; l++) {
		for (int df = 0; df < 2; df++) {
			unsigned sz = 1u << l;
			uint8_t zero[0x3000] = { 0 }, got[0x3000], want[0x3000];
			wrn(fx, DATA, zero, sizeof zero);
			uint64_t cnt = 0x1801 / sz;
			uint64_t start = df ? DATA + 0x2800 : DATA + 0x7F8;
			code_at(fx, fx->lay.kernel_code, rep_stos[l], 3);
			set(fx, LSTAR_RFLAGS, 2 | (df ? F_DF : 0));
			set(fx, LSTAR_RAX, 0x8877665544332211ULL);
			set(fx, LSTAR_RDI, start);
			set(fx, LSTAR_RCX, cnt);
			run_ok(fx, 1);
			memset(want, 0, sizeof want);
			for (uint64_t k = 0; k < cnt; k++) {
				uint64_t at = df ? start - k * sz : start + k * sz;
				uint64_t v = 0x8877665544332211ULL;
				memcpy(want + (at - DATA), &v, sz);
			}
			rdn(fx, DATA, got, sizeof got);
			assert_memory_equal(got, want, sizeof want);
			assert_int_equal(reg(fx, LSTAR_RDI), df ? start - cnt * sz : start + cnt * sz);
			assert_int_equal(reg(fx, LSTAR_RCX), 0);
		}
	}
}

/* REP STOSD stopped by a #PF at the end of RAM. */
static void test_rep_stosd_fault_midway(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0xF3, 0xAB);
	set(fx, LSTAR_RAX, 0xDEADBEEF);
	set(fx, LSTAR_RDI, RAM_END - 0x10);
	set(fx, LSTAR_RCX, 100);
	struct lstar_exit ex = run_fault(fx, 5, 14);
	assert_int_equal(reg(fx, LSTAR_RCX), 96);
	assert_int_equal(reg(fx, LSTAR_RDI), RAM_END);
	assert_int_equal(fault_rip(fx, &ex), fx->lay.kernel_code);
	assert_int_equal(rd64(fx, RAM_END - 8), 0xDEADBEEFDEADBEEFULL);
}

/* A zero count does nothing at all: no access, registers and flags kept. */
static void test_rep_zero_count_is_noop(void **state)
{
	struct fx *fx = *state;
	/* rep movsb; repe cmpsb (both with RCX = 0 and unmapped pointers) */
	CODE(fx, 0xF3, 0xA4, 0xF3, 0xA6);
	set(fx, LSTAR_RFLAGS, 2 | F_CF | F_ZF);
	set(fx, LSTAR_RSI, RAM_END + 0x5000);
	set(fx, LSTAR_RDI, RAM_END + 0x9000);
	set(fx, LSTAR_RCX, 0);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RSI), RAM_END + 0x5000);
	assert_int_equal(reg(fx, LSTAR_RDI), RAM_END + 0x9000);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & (F_CF | F_ZF | F_SF), F_CF | F_ZF);
}

/* Without REP: one element, RCX untouched. */
static void test_single_movs_lods_stos(void **state)
{
	struct fx *fx = *state;
	wr64(fx, DATA, 0x0123456789ABCDEFULL);
	/* movsq; lodsd; std; stosw */
	CODE(fx, 0x48, 0xA5, 0xAD, 0xFD, 0x66, 0xAB);
	set(fx, LSTAR_RSI, DATA);
	set(fx, LSTAR_RDI, DATA + 0x100);
	set(fx, LSTAR_RCX, 77);
	set(fx, LSTAR_RAX, 0xFFFFFFFFFFFFFFFFULL);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA + 0x100), 0x0123456789ABCDEFULL);
	assert_int_equal(reg(fx, LSTAR_RCX), 77);
	wr64(fx, DATA + 8, 0x1122334455667788ULL);
	run_ok(fx, 1);   /* lodsd from DATA+8: EAX zero-extends */
	assert_int_equal(reg(fx, LSTAR_RAX), 0x55667788ULL);
	assert_int_equal(reg(fx, LSTAR_RSI), DATA + 12);
	run_ok(fx, 2);   /* std; stosw at DATA+0x108 then RDI -= 2 */
	assert_int_equal(rd64(fx, DATA + 0x108) & 0xFFFF, 0x7788);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA + 0x106);
}

/* REP LODSB leaves the last byte in AL (upper RAX bits kept). */
static void test_rep_lods_keeps_last(void **state)
{
	struct fx *fx = *state;
	uint8_t b[0x1800];
	for (unsigned k = 0; k < sizeof b; k++)
		b[k] = (uint8_t)(k ^ 0x5A);
	wrn(fx, DATA + 0x800, b, sizeof b);
	CODE(fx, 0xF3, 0xAC);
	set(fx, LSTAR_RAX, 0xAAAAAAAAAAAAAAAAULL);
	set(fx, LSTAR_RSI, DATA + 0x800);
	set(fx, LSTAR_RCX, 0x1800);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0xAAAAAAAAAAAAAA00ULL | b[0x17FF]);
	assert_int_equal(reg(fx, LSTAR_RSI), DATA + 0x2000);
}

/* strlen with REPNE SCASB across a page: RCX = -1 - (len + 1). */
static void test_repne_scasb_strlen(void **state)
{
	struct fx *fx = *state;
	char s[0x1400];
	memset(s, 'x', sizeof s);
	s[0x1234] = 0;
	wrn(fx, DATA + 0x100, s, sizeof s);
	CODE(fx, 0xF2, 0xAE);
	set(fx, LSTAR_RAX, 0xFF00);   /* AL = 0 */
	set(fx, LSTAR_RDI, DATA + 0x100);
	set(fx, LSTAR_RCX, ~0ULL);
	run_ok(fx, 1);
	assert_int_equal(~reg(fx, LSTAR_RCX) - 1, 0x1234);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA + 0x100 + 0x1235);
	assert_true(reg(fx, LSTAR_RFLAGS) & F_ZF);
}

/* REPE SCASW with DF = 1 stops after the first element that differs. */
static void test_repe_scasw_df(void **state)
{
	struct fx *fx = *state;
	uint16_t w[64];
	for (int k = 0; k < 64; k++)
		w[k] = 0x4242;
	w[10] = 0x4243;
	wrn(fx, DATA + 0xFC0, w, sizeof w);    /* 0xFC0..0x1040: crosses */
	CODE(fx, 0x66, 0xF3, 0xAF);
	set(fx, LSTAR_RFLAGS, 2 | F_DF);
	set(fx, LSTAR_RAX, 0x4242);
	set(fx, LSTAR_RDI, DATA + 0xFC0 + 63 * 2);
	set(fx, LSTAR_RCX, 100);
	run_ok(fx, 1);
	/* elements 63..10 compared: 54 of them */
	assert_int_equal(reg(fx, LSTAR_RCX), 100 - 54);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA + 0xFC0 + 9 * 2);
	uint64_t f = reg(fx, LSTAR_RFLAGS);
	assert_false(f & F_ZF);
	assert_true(f & F_CF);    /* 0x4242 - 0x4243 borrows */
}

/* REPE CMPSB finds the first difference; flags of [RSI] - [RDI]. */
static void test_repe_cmpsb_mismatch(void **state)
{
	struct fx *fx = *state;
	uint8_t a[0x300], b[0x300];
	for (unsigned k = 0; k < sizeof a; k++)
		a[k] = b[k] = (uint8_t)k;
	b[0x250] = 0x01;
	a[0x250] = 0x80;
	wrn(fx, DATA + 0xF00, a, sizeof a);
	wrn(fx, DATA + 0x3F80, b, sizeof b);
	CODE(fx, 0xF3, 0xA6);
	set(fx, LSTAR_RSI, DATA + 0xF00);
	set(fx, LSTAR_RDI, DATA + 0x3F80);
	set(fx, LSTAR_RCX, 0x300);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0x300 - 0x251);
	assert_int_equal(reg(fx, LSTAR_RSI), DATA + 0xF00 + 0x251);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA + 0x3F80 + 0x251);
	uint64_t f = reg(fx, LSTAR_RFLAGS);
	/* 0x80 - 0x01 = 0x7F: no borrow, signed overflow (-128 - 1) */
	assert_false(f & F_ZF);
	assert_false(f & F_CF);
	assert_true(f & F_OF);
}

/* REPE CMPSQ over equal data runs to RCX = 0 with ZF = 1; REPNE CMPSD
 * stops at the first equal element. */
static void test_cmps_q_equal_and_repne(void **state)
{
	struct fx *fx = *state;
	uint64_t v[100];
	for (int k = 0; k < 100; k++)
		v[k] = 0x1000 + (uint64_t)k;
	wrn(fx, DATA, v, sizeof v);
	wrn(fx, DATA + 0x1FF8 - 400, v, sizeof v);
	CODE(fx, 0xF3, 0x48, 0xA7);
	set(fx, LSTAR_RSI, DATA);
	set(fx, LSTAR_RDI, DATA + 0x1FF8 - 400);
	set(fx, LSTAR_RCX, 100);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
	assert_true(reg(fx, LSTAR_RFLAGS) & F_ZF);

	uint32_t x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, y[8] = { 9, 9, 9, 9, 5, 9, 9, 9 };
	wrn(fx, DATA, x, sizeof x);
	wrn(fx, DATA + 0x100, y, sizeof y);
	CODE(fx, 0xF2, 0xA7);
	set(fx, LSTAR_RSI, DATA);
	set(fx, LSTAR_RDI, DATA + 0x100);
	set(fx, LSTAR_RCX, 8);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 3);
	assert_true(reg(fx, LSTAR_RFLAGS) & F_ZF);
}

/* 67h: ESI/EDI/ECX.  Upper halves are ignored and the updates zero-extend;
 * ESI wraps from 0 to 0xFFFFFFFF with DF = 1. */
static void test_a32_rep_movsb_wraps(void **state)
{
	struct fx *fx = *state;
	uint8_t two[2] = { 0xA1, 0xB2 }, got[2];
	wrn(fx, 0, two, 2);
	CODE(fx, 0x67, 0xF3, 0xA4);
	set(fx, LSTAR_RFLAGS, 2 | F_DF);
	set(fx, LSTAR_RSI, 0xABCD000000000001ULL);
	set(fx, LSTAR_RDI, 0x5555000000000000ULL | (DATA + 1));
	set(fx, LSTAR_RCX, 0xFFFFFFFF00000002ULL);
	run_ok(fx, 1);
	rdn(fx, DATA, got, 2);
	assert_memory_equal(got, two, 2);
	assert_int_equal(reg(fx, LSTAR_RSI), 0xFFFFFFFFULL);
	assert_int_equal(reg(fx, LSTAR_RDI), DATA - 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
}

/* A source override to FS adds FS.base; ES:RDI takes no override. */
static void test_fs_override_on_source(void **state)
{
	struct fx *fx = *state;
	struct lstar_segment fs;
	lstar_get_segment(fx->m, LSTAR_FS, &fs);
	fs.base = DATA + 0x3000;
	lstar_set_segment(fx->m, LSTAR_FS, &fs);
	wr64(fx, DATA + 0x3010, 0xCAFEF00D12345678ULL);
	/* fs rep movsb (8 bytes from FS:0x10 to 0x...); fs lodsd */
	CODE(fx, 0x64, 0xF3, 0xA4, 0x64, 0xAD);
	set(fx, LSTAR_RSI, 0x10);
	set(fx, LSTAR_RDI, DATA + 0x500);
	set(fx, LSTAR_RCX, 8);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA + 0x500), 0xCAFEF00D12345678ULL);
	assert_int_equal(reg(fx, LSTAR_RSI), 0x18);
	wr64(fx, DATA + 0x3018, 0x77);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x77);
}

/* A non-canonical RSI is #GP(0) before anything moves. */
static void test_noncanonical_source_gp(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0xF3, 0xA4);
	set(fx, LSTAR_RSI, 0x0000800000000000ULL);
	set(fx, LSTAR_RDI, DATA);
	set(fx, LSTAR_RCX, 4);
	struct lstar_exit ex = run_fault(fx, 3, 13);
	assert_int_equal(ex.error_code, 0);
	assert_int_equal(reg(fx, LSTAR_RCX), 4);
}

/* With TF = 1 a REP string traps after every iteration, the saved RIP
 * pointing at the REP instruction (SDM vol. 3A 17.3.1.4). */
static void test_tf_traps_each_iteration(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0xF3, 0xA4);
	set(fx, LSTAR_RFLAGS, 2 | F_TF);
	set(fx, LSTAR_RSI, DATA);
	set(fx, LSTAR_RDI, DATA + 0x100);
	set(fx, LSTAR_RCX, 3);
	struct lstar_exit ex = run_fault(fx, 10, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 2);
	assert_int_equal(fault_rip(fx, &ex), fx->lay.kernel_code);
}

/* A 3 MiB REP STOSB yields to the loop several times yet counts as one
 * instruction and completes inside one lstar_run() of 1 instruction. */
static void test_long_rep_counts_once(void **state)
{
	struct fx *fx = *state;
	const uint64_t len = 3ULL << 20, at = 0x1000000;
	CODE(fx, 0xF3, 0xAA, 0x90);
	set(fx, LSTAR_RAX, 0x5A);
	set(fx, LSTAR_RDI, at);
	set(fx, LSTAR_RCX, len);
	uint64_t before = lstar_icount(fx->m);
	run_ok(fx, 1);
	assert_int_equal(lstar_icount(fx->m) - before, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
	assert_int_equal(reg(fx, LSTAR_RIP), fx->lay.kernel_code + 2);
	assert_int_equal(rd64(fx, at + len - 8), 0x5A5A5A5A5A5A5A5AULL);
	assert_int_equal(rd64(fx, at + len) & 0xFF, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rep_movs_matches_elementwise_reference),
		T(test_rep_compare_matches_reference),
		T(test_rep_movsb_overlap_replicates),
		T(test_rep_movsb_fault_midway_keeps_progress),
		T(test_rep_movsq_df),
		T(test_rep_stos_all_sizes),
		T(test_rep_stosd_fault_midway),
		T(test_rep_zero_count_is_noop),
		T(test_single_movs_lods_stos),
		T(test_rep_lods_keeps_last),
		T(test_repne_scasb_strlen),
		T(test_repe_scasw_df),
		T(test_repe_cmpsb_mismatch),
		T(test_cmps_q_equal_and_repne),
		T(test_a32_rep_movsb_wraps),
		T(test_fs_override_on_source),
		T(test_noncanonical_source_gp),
		T(test_tf_traps_each_iteration),
		T(test_long_rep_counts_once),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
