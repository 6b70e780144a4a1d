/*
 * test_alu.c - the integer ALU family (cpu/alu.c, shift.c, muldiv.c,
 * bitops.c) through the public API: table-driven register vectors from
 * alu_*.inc (one cmocka test per vector, named after the case), then memory
 * forms, LOCK, the BT bit-string addressing, #DE delivery and the lazy-flag
 * condition evaluation (cpu/flags.c) against materialized RFLAGS.
 *
 * Machine: lstar_setup_flat(), 64-bit CPL 0, identity mapped; code at
 * layout.kernel_code, data at DATA (supervisor), stack at STACK_TOP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lstar/lstar.h"

#define USER_BASE 0x400000ULL
#define USER_SIZE 0x400000ULL
#define DATA      0x200000ULL
#define STACK_TOP 0x3F000ULL

#define F_CF 0x1ULL
#define F_PF 0x4ULL
#define F_AF 0x10ULL
#define F_ZF 0x40ULL
#define F_SF 0x80ULL
#define F_OF 0x800ULL
#define ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

struct fx {
	lstar_machine *m;
	struct lstar_flat_layout lay;
};

static struct fx the_fx;

static int group_setup(void **state)
{
	struct lstar_config cfg = { .mem_size = 64ULL << 20 };
	char err[200];

	the_fx.m = lstar_machine_new(&cfg, err, sizeof err);
	if (!the_fx.m)
		return -1;
	if (lstar_setup_flat(the_fx.m, USER_BASE, USER_SIZE, &the_fx.lay) != LSTAR_OK)
		return -1;
	(void)state;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lstar_machine_free(the_fx.m);
	return 0;
}

/* Put code at kernel_code, reset the GPRs to a pattern, RSP to the stack. */
static void load(const uint8_t *code, size_t n)
{
	lstar_machine *m = the_fx.m;

	assert_int_equal(lstar_write_phys(m, the_fx.lay.kernel_code, code, n), LSTAR_OK);
	for (int r = 0; r < 16; r++)
		lstar_set_reg(m, (enum lstar_reg)r, 0x5A5A5A5A00000000ULL | (unsigned)r);
	lstar_set_reg(m, LSTAR_RSP, STACK_TOP);
	lstar_set_reg(m, LSTAR_RIP, the_fx.lay.kernel_code);
	lstar_set_reg(m, LSTAR_RFLAGS, 0x2);
}

#define LOAD(...) do {							\
		static const uint8_t code_[] = { __VA_ARGS__ };		\
		load(code_, sizeof code_);				\
	} while (0)

static void set(enum lstar_reg r, uint64_t v) { lstar_set_reg(the_fx.m, r, v); }
static uint64_t reg(enum lstar_reg r) { return lstar_get_reg(the_fx.m, r); }

static void wr(uint64_t pa, uint64_t v, size_t n)
{
	assert_int_equal(lstar_write_phys(the_fx.m, pa, &v, n), LSTAR_OK);
}

static uint64_t rd(uint64_t pa, size_t n)
{
	uint64_t v = 0;
	assert_int_equal(lstar_read_phys(the_fx.m, pa, &v, n), LSTAR_OK);
	return v;
}

/* Step one instruction; returns the exception vector delivered or -1. */
static int step(void)
{
	struct lstar_exit ex;

	memset(&ex, 0, sizeof ex);
	assert_int_equal(lstar_step(the_fx.m, &ex), LSTAR_OK);
	if (ex.event == LSTAR_EV_EXCEPTION)
		return ex.vector;
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	return -1;
}

/* ---- table-driven register vectors ---------------------------------- */

struct alu_vec {
	const char *name;
	uint8_t code[15];
	uint8_t len;
	uint64_t in[4];      /* RAX RCX RDX RBX */
	uint64_t fin;        /* input arithmetic flags */
	uint64_t out[4];
	uint64_t fout, fmask;/* expected flags, compared under fmask */
	int vector;          /* -1: retires; else the exception expected */
};

#define CODE(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define IN(a, c, d, b) { a, c, d, b }
#define OUT(a, c, d, b) { a, c, d, b }
#define FL(f, m) f, m
#define NOEXC (-1)
#define V(name, code, in, fin, out, fl, exc) { name, code, in, fin, out, fl, exc },

static const struct alu_vec vectors[] = {
#include "alu_arith.inc"
#include "alu_divmul.inc"
#include "alu_shift.inc"
#include "alu_bitops.inc"
};

static const enum lstar_reg vec_regs[4] = { LSTAR_RAX, LSTAR_RCX, LSTAR_RDX, LSTAR_RBX };

static void run_vector(void **state)
{
	const struct alu_vec *v = *state;
	uint64_t rip;
	int got;

	load(v->code, v->len);
	for (int k = 0; k < 4; k++)
		set(vec_regs[k], v->in[k]);
	set(LSTAR_RFLAGS, 0x2 | v->fin);
	rip = reg(LSTAR_RIP);
	got = step();
	if (got != v->vector)
		fail_msg("%s: exception %d, expected %d", v->name, got, v->vector);
	for (int k = 0; k < 4; k++)
		if (reg(vec_regs[k]) != v->out[k])
			fail_msg("%s: register %d = %#llx, expected %#llx", v->name, k,
				 (unsigned long long)reg(vec_regs[k]),
				 (unsigned long long)v->out[k]);
	if (v->vector >= 0) {
		/* A fault: the frame's RIP is the faulting instruction. */
		assert_int_equal(rd(reg(LSTAR_RSP), 8), rip);
		return;
	}
	assert_int_equal(reg(LSTAR_RIP), rip + v->len);
	if ((reg(LSTAR_RFLAGS) ^ v->fout) & v->fmask)
		fail_msg("%s: flags %#llx, expected %#llx under mask %#llx", v->name,
			 (unsigned long long)(reg(LSTAR_RFLAGS) & ALL),
			 (unsigned long long)v->fout, (unsigned long long)v->fmask);
}

/* ---- memory forms ----------------------------------------------------- */

/* ADD [rbx], ecx reads, adds and writes back; the flags come from it. */
static void test_add_memory_destination(void **state)
{
	(void)state;
	LOAD(0x01, 0x0B);                  /* add [rbx], ecx */
	wr(DATA, 0x11111111FFFFFFFFULL, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RCX, 1);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA, 8), 0x1111111100000000ULL);
	assert_int_equal(reg(LSTAR_RFLAGS) & ALL, F_CF | F_PF | F_AF | F_ZF);
}

/* SUB rax, [rbx+8] with a memory source. */
static void test_sub_memory_source(void **state)
{
	(void)state;
	LOAD(0x48, 0x2B, 0x43, 0x08);      /* sub rax, [rbx+8] */
	wr(DATA + 8, 5, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RAX, 3);
	assert_int_equal(step(), -1);
	assert_int_equal(reg(LSTAR_RAX), (uint64_t)-2);
	assert_true(reg(LSTAR_RFLAGS) & F_CF);
}

/* LOCK ADD/INC/NEG/NOT/XOR/SBB on memory: same results as without LOCK. */
static void test_lock_rmw_memory_forms(void **state)
{
	(void)state;
	LOAD(0xF0, 0x01, 0x0B,             /* lock add [rbx], ecx */
	     0xF0, 0x48, 0xFF, 0x43, 0x08, /* lock inc qword [rbx+8] */
	     0xF0, 0xF6, 0x5B, 0x10,       /* lock neg byte [rbx+16] */
	     0xF0, 0x66, 0xF7, 0x53, 0x18, /* lock not word [rbx+24] */
	     0xF0, 0x48, 0x19, 0x4B, 0x21);/* lock sbb [rbx+33], rcx (unaligned) */
	wr(DATA, 0xFFFFFFFF, 4);
	wr(DATA + 8, ~0ULL, 8);
	wr(DATA + 16, 1, 1);
	wr(DATA + 24, 0x00FF, 2);
	wr(DATA + 33, 10, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RCX, 1);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA, 4), 0);
	assert_int_equal(reg(LSTAR_RFLAGS) & F_CF, F_CF);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA + 8, 8), 0);
	assert_int_equal(reg(LSTAR_RFLAGS) & (F_CF | F_ZF), F_CF | F_ZF); /* INC keeps CF */
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA + 16, 1), 0xFF);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA + 24, 2), 0xFF00);
	assert_int_equal(step(), -1);           /* CF = 1 from NEG: 10 - 1 - 1 */
	assert_int_equal(rd(DATA + 33, 8), 8);
}

/* BT with a register offset on memory addresses a bit string: the signed
 * offset selects the operand-sized word at EA + (off SAR 6) * 8. */
static void test_bt_memory_bit_string_negative_offset(void **state)
{
	(void)state;
	LOAD(0x48, 0x0F, 0xA3, 0x0B);      /* bt [rbx], rcx */
	wr(DATA + 0x100 - 8, 0x8000000000000000ULL, 8);
	wr(DATA + 0x100, 0, 8);
	set(LSTAR_RBX, DATA + 0x100);
	set(LSTAR_RCX, (uint64_t)-1);      /* bit 63 of the qword below */
	assert_int_equal(step(), -1);
	assert_true(reg(LSTAR_RFLAGS) & F_CF);
}

static void test_bts_memory_bit_string_far_offset(void **state)
{
	(void)state;
	LOAD(0x0F, 0xAB, 0x0B);            /* bts [rbx], ecx (32-bit words) */
	wr(DATA + 0x40, 0, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RCX, 0x200 + 33);        /* dword at +0x44, bit 1 */
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA + 0x40, 8), 0x200000000ULL);
	assert_false(reg(LSTAR_RFLAGS) & F_CF);
}

static void test_lock_btc_memory_bit_string(void **state)
{
	(void)state;
	LOAD(0xF0, 0x66, 0x0F, 0xBB, 0x0B);/* lock btc [rbx], cx (16-bit words) */
	wr(DATA, 0xFFFF, 2);
	wr(DATA - 2, 0xFFFF, 2);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RCX, 0xFFFF);            /* -1: bit 15 of the word below */
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA - 2, 2), 0x7FFF);
	assert_int_equal(rd(DATA, 2), 0xFFFF);
	assert_true(reg(LSTAR_RFLAGS) & F_CF);
}

/* BTS with an immediate on memory ignores the high offset bits. */
static void test_bts_memory_immediate_offset_is_masked(void **state)
{
	(void)state;
	LOAD(0x0F, 0xBA, 0x2B, 0x21);      /* bts dword [rbx], 33 -> bit 1 */
	wr(DATA, 0, 8);
	set(LSTAR_RBX, DATA);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA, 8), 2);
}

/* SHL on memory by a zero count leaves memory and flags alone. */
static void test_shl_memory_count_zero(void **state)
{
	(void)state;
	LOAD(0xD3, 0x23);                  /* shl dword [rbx], cl */
	wr(DATA, 0x80000001, 4);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RCX, 0x20);
	set(LSTAR_RFLAGS, 0x2 | F_ZF | F_OF);
	assert_int_equal(step(), -1);
	assert_int_equal(rd(DATA, 4), 0x80000001);
	assert_int_equal(reg(LSTAR_RFLAGS) & ALL, F_ZF | F_OF);
}

/* DIV by a zero memory operand: #DE, nothing written, RIP at the DIV. */
static void test_div_memory_by_zero_delivers_de(void **state)
{
	(void)state;
	LOAD(0x48, 0xF7, 0x33);            /* div qword [rbx] */
	wr(DATA, 0, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RAX, 1234);
	set(LSTAR_RDX, 0);
	assert_int_equal(step(), 0);
	assert_int_equal(reg(LSTAR_RAX), 1234);
	assert_int_equal(rd(reg(LSTAR_RSP), 8), the_fx.lay.kernel_code);
}

/* MUL with a memory source: the full 128-bit product. */
static void test_mul_memory_source(void **state)
{
	(void)state;
	LOAD(0x48, 0xF7, 0x23);            /* mul qword [rbx] */
	wr(DATA, 0x100000000ULL, 8);
	set(LSTAR_RBX, DATA);
	set(LSTAR_RAX, 0x100000000ULL);
	assert_int_equal(step(), -1);
	assert_int_equal(reg(LSTAR_RAX), 0);
	assert_int_equal(reg(LSTAR_RDX), 1);
	assert_int_equal(reg(LSTAR_RFLAGS) & (F_CF | F_OF), F_CF | F_OF);
}

/* A write to a read-only... not modelled here; a memory RMW that would
 * cross into an unmapped page faults with #PF and writes nothing. */
static void test_add_memory_crossing_into_unmapped_page_faults(void **state)
{
	(void)state;
	uint64_t end = lstar_mem_size(the_fx.m);
	LOAD(0x48, 0x01, 0x0B);            /* add [rbx], rcx */
	set(LSTAR_RBX, end + 0x10000);     /* beyond RAM: not mapped */
	set(LSTAR_RCX, 1);
	assert_int_equal(step(), 14);
}

/* ---- lazy flags: cond_eval fast paths against materialized RFLAGS ---- */

/*
 * For each flag producer (CMP, SUB, TEST, ADD, ADC, SBB, INC, DEC, NEG at
 * several widths) and each condition code, SETcc right after the producer
 * (evaluated from the lazy state by cond_eval) must agree with the
 * condition computed from RFLAGS as read back through the API (flags_get).
 */
static bool cond_from(uint64_t f, unsigned cc)
{
	bool cf = f & F_CF, zf = f & F_ZF, sf = f & F_SF, of = f & F_OF, pf = f & F_PF;
	bool r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || (sf != of); break;
	}
	return r ^ (cc & 1);
}

static void test_cond_eval_matches_materialized_flags(void **state)
{
	static const uint8_t producers[][4] = {
		{ 3, 0x48, 0x39, 0xC8 },   /* cmp rax, rcx */
		{ 2, 0x39, 0xC8 },         /* cmp eax, ecx */
		{ 3, 0x66, 0x39, 0xC8 },   /* cmp ax, cx */
		{ 2, 0x38, 0xC8 },         /* cmp al, cl */
		{ 3, 0x48, 0x29, 0xC8 },   /* sub rax, rcx */
		{ 3, 0x48, 0x85, 0xC8 },   /* test rax, rcx */
		{ 2, 0x84, 0xC8 },         /* test al, cl */
		{ 3, 0x48, 0x01, 0xC8 },   /* add rax, rcx */
		{ 2, 0x00, 0xC8 },         /* add al, cl */
		{ 3, 0x48, 0x11, 0xC8 },   /* adc rax, rcx */
		{ 2, 0x19, 0xC8 },         /* sbb eax, ecx */
		{ 3, 0x48, 0xFF, 0xC0 },   /* inc rax */
		{ 2, 0xFE, 0xC8 },         /* dec al */
		{ 3, 0x48, 0xF7, 0xD8 },   /* neg rax */
		{ 3, 0x48, 0xD1, 0xE0 },   /* shl rax, 1 (non-lazy) */
	};
	static const uint64_t vals[] = {
		0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0x7FFFFFFF, 0x80000000,
		0xFFFFFFFF, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, ~0ULL,
		0x123456789ULL, 0xFFFFFFFFFFFFFF80ULL,
	};
	unsigned nv = sizeof vals / sizeof vals[0];
	(void)state;

	for (unsigned p = 0; p < sizeof producers / sizeof producers[0]; p++)
		for (unsigned cc = 0; cc < 16; cc++)
			for (unsigned a = 0; a < nv; a++)
				for (unsigned b = 0; b < nv; b += 3) {
					uint8_t code[8];
					unsigned n = producers[p][0];
					memcpy(code, &producers[p][1], n);
					code[n] = 0x0F;             /* setcc dl */
					code[n + 1] = (uint8_t)(0x90 + cc);
					code[n + 2] = 0xC2;
					load(code, n + 3);
					set(LSTAR_RAX, vals[a]);
					set(LSTAR_RCX, vals[b]);
					set(LSTAR_RFLAGS, 0x2 | ((a + b) & 1 ? F_CF : 0));
					assert_int_equal(step(), -1);
					assert_int_equal(step(), -1);
					uint64_t f = reg(LSTAR_RFLAGS);
					if ((reg(LSTAR_RDX) & 0xFF) != cond_from(f, cc))
						fail_msg("producer %u cc %u a %#llx b %#llx: setcc %llu, flags %#llx",
							 p, cc, (unsigned long long)vals[a],
							 (unsigned long long)vals[b],
							 (unsigned long long)(reg(LSTAR_RDX) & 0xFF),
							 (unsigned long long)f);
				}
}

/*
 * ROL/ROR r32/r64 by an immediate right after an ADD: SF ZF AF PF stay the
 * ADD's and CF/OF become the rotate's (SDM vol. 2B "RCL/RCR/ROL/ROR",
 * Flags Affected: ROL CF = LSB of the result, ROR CF = MSB; OF = MSB XOR CF
 * for ROL, the XOR of the two top bits for ROR -- defined for a count of
 * 1, and lstar keeps that formula for larger counts, as AMD Zen does:
 * docs/flags.md).  lstar keeps the ADD's record lazy under the rotate
 * (FL_ROT, cpu/flags.h), so the flags are checked both as read back and as
 * consumed by SETcc and ADC straight from the lazy state.  (diff_native
 * compares the 64-bit rotates against the host CPU.)
 */
static void test_rotate_over_lazy_record(void **state)
{
	static const unsigned counts[] = { 1, 2, 7, 31, 33, 63 };
	static const uint64_t vals[] = { 0, 1, 0x80000000ULL, 0xC0000001ULL, 0x7FFFFFFFULL,
					 0x8000000000000001ULL, 0x4000000000000000ULL,
					 0x123456789ABCDEF0ULL };
	(void)state;

	for (unsigned w = 0; w < 2; w++)
	for (unsigned left = 0; left < 2; left++)
	for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++)
	for (unsigned v = 0; v < sizeof vals / sizeof vals[0]; v++)
	for (unsigned cc = 0; cc < 16; cc++) {
		unsigned bits = w ? 64 : 32, cnt = counts[k] & (bits - 1);
		uint64_t m = w ? ~0ULL : 0xFFFFFFFFULL, a = vals[v] & m, r;
		uint8_t code[16];
		unsigned n = 0;

		if (cnt == 0)
			continue;
		r = left ? (a << cnt) | (a >> (bits - cnt)) : (a >> cnt) | (a << (bits - cnt));
		r &= m;
		code[n++] = 0x01; code[n++] = 0xC8;             /* add eax, ecx */
		if (w)
			code[n++] = 0x48;
		code[n++] = 0xC1; code[n++] = left ? 0xC2 : 0xCA; /* rol/ror edx, cnt */
		code[n++] = (uint8_t)cnt;
		code[n++] = 0x0F; code[n++] = (uint8_t)(0x90 + cc); code[n++] = 0xC3; /* setcc bl */
		code[n++] = 0x83; code[n++] = 0xD6; code[n++] = 0x00; /* adc esi, 0 */

		/* the ADD alone gives SF ZF AF PF */
		load(code, n);
		set(LSTAR_RAX, 0x7FFFFFF0 + v);
		set(LSTAR_RCX, 0x10 * cc);
		assert_int_equal(step(), -1);
		uint64_t add_f = reg(LSTAR_RFLAGS) & (F_SF | F_ZF | F_AF | F_PF);
		uint64_t msb = (r >> (bits - 1)) & 1, cf, of;
		if (left) {
			cf = r & 1;
			of = msb ^ cf;
		} else {
			cf = msb;
			of = msb ^ ((r >> (bits - 2)) & 1);
		}
		uint64_t want = add_f | (cf ? F_CF : 0) | (of ? F_OF : 0);

		/* read back after the rotate */
		load(code, n);
		set(LSTAR_RAX, 0x7FFFFFF0 + v);
		set(LSTAR_RCX, 0x10 * cc);
		set(LSTAR_RDX, vals[v]);
		assert_int_equal(step(), -1);
		assert_int_equal(step(), -1);
		assert_int_equal(reg(LSTAR_RDX), r);
		if ((reg(LSTAR_RFLAGS) & ALL) != want)
			fail_msg("%s%u by %u of %#llx: flags %#llx, want %#llx", left ? "rol" : "ror", bits,
				 cnt, (unsigned long long)a, (unsigned long long)(reg(LSTAR_RFLAGS) & ALL),
				 (unsigned long long)want);

		/* consumed from the lazy state: SETcc, then ADC's carry-in */
		load(code, n);
		set(LSTAR_RAX, 0x7FFFFFF0 + v);
		set(LSTAR_RCX, 0x10 * cc);
		set(LSTAR_RDX, vals[v]);
		set(LSTAR_RSI, 100);
		for (int s = 0; s < 4; s++)
			assert_int_equal(step(), -1);
		assert_int_equal(reg(LSTAR_RBX) & 0xFF, cond_from(want, cc));
		assert_int_equal(reg(LSTAR_RSI), 100 + cf);
	}
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_add_memory_destination),
		cmocka_unit_test(test_sub_memory_source),
		cmocka_unit_test(test_lock_rmw_memory_forms),
		cmocka_unit_test(test_bt_memory_bit_string_negative_offset),
		cmocka_unit_test(test_bts_memory_bit_string_far_offset),
		cmocka_unit_test(test_lock_btc_memory_bit_string),
		cmocka_unit_test(test_bts_memory_immediate_offset_is_masked),
		cmocka_unit_test(test_shl_memory_count_zero),
		cmocka_unit_test(test_div_memory_by_zero_delivers_de),
		cmocka_unit_test(test_mul_memory_source),
		cmocka_unit_test(test_add_memory_crossing_into_unmapped_page_faults),
		cmocka_unit_test(test_cond_eval_matches_materialized_flags),
		cmocka_unit_test(test_rotate_over_lazy_record),
	};
	size_t nvec = sizeof vectors / sizeof vectors[0];
	size_t nfix = sizeof fixed / sizeof fixed[0];
	struct CMUnitTest *t = calloc(nvec + nfix, sizeof *t);
	int rc;

	for (size_t k = 0; k < nvec; k++) {
		t[k].name = vectors[k].name;
		t[k].test_func = run_vector;
		t[k].initial_state = (void *)&vectors[k];
	}
	memcpy(t + nvec, fixed, sizeof fixed);
	rc = _cmocka_run_group_tests("alu", t, nvec + nfix, group_setup, group_teardown);
	free(t);
	return rc;
}
