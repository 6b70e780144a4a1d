/*
 * test_fuse.c - the fused compare-and-branch of the run loop's fast path
 * (FUSE rows in cpu/ops.def, struct block's tail_fn): a block that ends
 * in CMP/TEST/INC/DEC followed by a Jcc rel runs the pair as one call,
 * and nothing may tell: every condition, operand shape and size gives the
 * careful path's registers, flags, RIP and count; a fault on the first
 * instruction's memory operand restarts it with the count of the
 * instructions before it; the instruction limit and single-step stop
 * between the two.  SUB/ADD/AND have no FUSE rows (rare before a Jcc in
 * the profiles) and serve as controls, one of them writing the Jcc's own
 * bytes (SDM vol. 3A §11.6). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lstar/lstar.h"
#include "cpu/decode.h"
#include "cpu/ops.h"
#include "emu/machine.h"

#define USER_BASE 0x400000ULL
#define USER_SIZE 0x400000ULL
#define DATA (USER_BASE + 0x2000)   /* [rsi] of the memory forms */
#define UNMAPPED 0x300000000000ULL  /* a #PF */
#include "flat_fixture.h"


/* The run loop's fast path is taken with no event requested; an event
 * that never comes forces the careful path (one instruction at a time,
 * each with its own handler). */
static void run(struct fx *fx, bool careful, uint64_t limit, struct lstar_exit *ex)
{
	lstar_run(fx->m, careful ? LSTAR_EV_SYSCALL : 0, limit, ex);
}

/* The decoder fuses exactly the plain forms, and keeps both instructions'
 * own handlers for the careful path. */
static void test_decode_fuses_plain_forms(void **state)
{
	struct fx *fx = *state;
	struct machine *mm = (struct machine *)fx->m;
	/* not static: the handlers are array elements of another file */
	const struct {
		const char *what;
		uint8_t b[16];
		uint8_t n, ninsn;
		insn_fn tail;   /* NULL: not fused */
	} t[] = {
		{ "cmp eax, ebx; jz", { 0x39, 0xD8, 0x74, 0x00 }, 4, 2, op_cmp_rr32_jcc[4] },
		{ "nop; cmp rax, 5; jl rel32", { 0x90, 0x48, 0x83, 0xF8, 0x05, 0x0F, 0x8C, 0, 0, 0, 0 },
		  11, 3, op_cmp_ri64_jcc[12] },
		{ "cmp byte [rsi], 7; jb", { 0x80, 0x3E, 0x07, 0x72, 0x00 }, 5, 2, op_cmp_mi8_jcc[2] },
		{ "cmp [rsi], eax; jnz", { 0x39, 0x06, 0x75, 0x00 }, 4, 2, op_cmp_mr32_jcc[5] },
		{ "test rax, rax; js", { 0x48, 0x85, 0xC0, 0x78, 0x00 }, 5, 2, op_test_rr64_jcc[8] },
		{ "sub eax, [rsi]; jnb (no FUSE row)", { 0x2B, 0x06, 0x73, 0x00 }, 4, 2, NULL },
		{ "test dword [rsi], 1; jo (O: not fused)", { 0xF7, 0x06, 0x01, 0, 0, 0, 0x70, 0x00 }, 8, 2, NULL },
		{ "test dword [rsi], 1; jnz", { 0xF7, 0x06, 0x01, 0, 0, 0, 0x75, 0x00 }, 8, 2, op_test_mi32_jcc[5] },
		{ "cmp eax, 0xff; jp (P: not fused)", { 0x3D, 0xFF, 0, 0, 0, 0x7A, 0x00 }, 7, 2, NULL },
		{ "dec ecx; jnz", { 0xFF, 0xC9, 0x75, 0x00 }, 4, 2, op_dec_r32_jcc[5] },
		{ "inc rax; jle", { 0x48, 0xFF, 0xC0, 0x7E, 0x00 }, 5, 2, op_inc_r64_jcc[14] },
		{ "cmp ax, bx; jz", { 0x66, 0x39, 0xD8, 0x74, 0x00 }, 5, 2, op_cmp_rr16_jcc[4] },
		{ "cmp ax, [rsi]; jz (16-bit memory: no form)", { 0x66, 0x3B, 0x06, 0x74, 0x00 }, 5, 2, NULL },
		{ "test al, 1; jnz", { 0xA8, 0x01, 0x75, 0x00 }, 4, 2, op_test_ri8_jcc[5] },
		{ "cmp ah, bl; jz (AH: no form)", { 0x38, 0xDC, 0x74, 0x00 }, 4, 2, NULL },
		{ "lock add [rsi], eax; jz", { 0xF0, 0x01, 0x06, 0x74, 0x00 }, 5, 2, NULL },
		{ "xor eax, eax; jz (no FUSE row)", { 0x31, 0xC0, 0x74, 0x00 }, 4, 2, NULL },
		{ "cmp eax, ebx; jmp", { 0x39, 0xD8, 0xEB, 0x00 }, 4, 2, NULL },
		{ "cmp eax, ebx; jrcxz", { 0x39, 0xD8, 0xE3, 0x00 }, 4, 2, NULL },
		{ "jz alone", { 0x74, 0x00 }, 2, 1, NULL },
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		uint64_t at = fx->lay.kernel_code + 0x1000 + 32 * k;
		put_code(fx, at, t[k].b, t[k].n);
		struct block *b = decode_lookup(&mm->cpu);
		assert_int_equal(b->n, t[k].ninsn);
		if (b->tail_fn != t[k].tail)
			print_error("%s: not the expected fused handler\n", t[k].what);
		assert_true(b->tail_fn == t[k].tail);
		assert_int_equal(b->fast_n, t[k].tail ? b->n - 2 : b->n);
		for (unsigned j = 0; j < b->n; j++)
			assert_true(b->insn[j].fn != b->tail_fn);
	}
}

/* Every fused form and every condition: the fast path (fused) and the
 * careful path (the two handlers) agree on the branch taken, the
 * registers, memory, RFLAGS and the count, for operands around every
 * signed and unsigned boundary, with CF in and out (INC/DEC keep it). */
static void test_fused_pairs_match_careful_path(void **state)
{
	struct fx *fx = *state;
	static const struct {
		uint8_t b[8];
		uint8_t n;
		bool fused;   /* has FUSE rows (SUB/ADD/AND are controls) */
	} ops[] = {
		{ { 0x39, 0xD8 }, 2, 1 },                   /* cmp eax, ebx */
		{ { 0x48, 0x39, 0xD8 }, 3, 1 },             /* cmp rax, rbx */
		{ { 0x83, 0xF8, 0x05 }, 3, 1 },             /* cmp eax, 5 */
		{ { 0x48, 0x83, 0xF8, 0xFF }, 4, 1 },       /* cmp rax, -1 */
		{ { 0x3B, 0x06 }, 2, 1 },                   /* cmp eax, [rsi] */
		{ { 0x48, 0x39, 0x06 }, 3, 1 },             /* cmp [rsi], rax */
		{ { 0x81, 0x3E, 0, 0, 0, 0x80 }, 6, 1 },    /* cmp dword [rsi], 0x80000000 */
		{ { 0x38, 0xD8 }, 2, 1 },                   /* cmp al, bl */
		{ { 0x3C, 0x80 }, 2, 1 },                   /* cmp al, 0x80 */
		{ { 0x38, 0x1E }, 2, 1 },                   /* cmp [rsi], bl */
		{ { 0x3A, 0x1E }, 2, 1 },                   /* cmp bl, [rsi] */
		{ { 0x80, 0x3E, 0x7F }, 3, 1 },             /* cmp byte [rsi], 0x7f */
		{ { 0x85, 0xD8 }, 2, 1 },                   /* test eax, ebx */
		{ { 0x48, 0x85, 0xC0 }, 3, 1 },             /* test rax, rax */
		{ { 0xA9, 0x01, 0, 0, 0x80 }, 5, 1 },       /* test eax, 0x80000001 */
		{ { 0x48, 0x85, 0x06 }, 3, 1 },             /* test [rsi], rax */
		{ { 0x48, 0xF7, 0x06, 0xFF, 0, 0, 0 }, 7, 1 }, /* test qword [rsi], 0xff */
		{ { 0x66, 0x39, 0xD8 }, 3, 1 },             /* cmp ax, bx */
		{ { 0x66, 0x83, 0xF8, 0x80 }, 4, 1 },       /* cmp ax, -0x80 */
		{ { 0x66, 0x3D, 0xFF, 0x7F }, 4, 1 },       /* cmp ax, 0x7fff */
		{ { 0x84, 0xD8 }, 2, 1 },                   /* test al, bl */
		{ { 0x40, 0xF6, 0xC6, 0x81 }, 4, 1 },       /* test sil, 0x81 */
		{ { 0x29, 0xD8 }, 2, 0 },                   /* sub eax, ebx */
		{ { 0x48, 0x83, 0xE8, 0x01 }, 4, 0 },       /* sub rax, 1 */
		{ { 0x29, 0x06 }, 2, 0 },                   /* sub [rsi], eax */
		{ { 0x01, 0xD8 }, 2, 0 },                   /* add eax, ebx */
		{ { 0x48, 0x03, 0x06 }, 3, 0 },             /* add rax, [rsi] */
		{ { 0x83, 0x06, 0xFF }, 3, 0 },             /* add dword [rsi], -1 */
		{ { 0x21, 0xD8 }, 2, 0 },                   /* and eax, ebx */
		{ { 0x48, 0x83, 0xE0, 0x7F }, 4, 0 },       /* and rax, 0x7f */
		{ { 0xFF, 0xC8 }, 2, 1 },                   /* dec eax */
		{ { 0x48, 0xFF, 0xC8 }, 3, 1 },             /* dec rax */
		{ { 0xFF, 0xC0 }, 2, 1 },                   /* inc eax */
		{ { 0x48, 0xFF, 0xC0 }, 3, 1 },             /* inc rax */
	};
	static const uint64_t vals[] = {
		0, 1, 5, 0x7F, 0x80, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
		0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, ~0ULL,
	};
	enum { NV = sizeof vals / sizeof vals[0] };
	struct machine *mm = (struct machine *)fx->m;
	uint64_t code_at = fx->lay.kernel_code + 0x3000;

	/* lead 1: a threaded MOV first, so that the fast path's chain
	 * (insn_next) runs the fused pair rather than the loop */
	for (int lead = 0; lead < 2; lead++)
	for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
		for (unsigned cc = 0; cc < 16; cc++) {
			/* [mov r15, r15;] op; jcc t; mov dl, 1; hlt; t: mov dl, 2; hlt */
			static const uint8_t mov_r15[] = { 0x4D, 0x89, 0xFF };
			uint8_t code[32];
			unsigned n = lead ? sizeof mov_r15 : 0;
			memcpy(code, mov_r15, n);
			memcpy(code + n, ops[o].b, ops[o].n);
			n += ops[o].n;
			code[n++] = (uint8_t)(0x70 + cc);
			code[n++] = 3;
			code[n++] = 0xB2; code[n++] = 0x01; code[n++] = 0xF4;
			code[n++] = 0xB2; code[n++] = 0x02; code[n++] = 0xF4;
			lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
			put_code(fx, code_at, code, n);
			/* O, NO, P, NP are never fused */
			bool fused = ops[o].fused && cc != 0 && cc != 1 && cc != 10 && cc != 11;
			assert_int_equal(decode_lookup(&mm->cpu)->tail_fn != NULL, fused);
			for (unsigned va = 0; va < NV; va++) {
				for (unsigned vb = 0; vb < NV; vb++) {
					uint64_t res[2][8];
					for (int careful = 0; careful < 2; careful++) {
						uint64_t mem = vals[vb];
						lstar_write_phys(fx->m, DATA, &mem, 8);
						lstar_set_reg(fx->m, LSTAR_RIP, code_at);
						lstar_set_reg(fx->m, LSTAR_RAX, vals[va]);
						lstar_set_reg(fx->m, LSTAR_RBX, vals[vb]);
						lstar_set_reg(fx->m, LSTAR_RDX, 0);
						lstar_set_reg(fx->m, LSTAR_RSI, DATA);
						lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x2 | ((va ^ vb) & 1));
						uint64_t t0 = lstar_icount(fx->m);
						struct lstar_exit ex;
						run(fx, careful, 100, &ex);
						assert_int_equal(ex.event, LSTAR_EV_HALT);
						lstar_read_phys(fx->m, DATA, &mem, 8);
						res[careful][0] = lstar_get_reg(fx->m, LSTAR_RDX);
						res[careful][1] = lstar_get_reg(fx->m, LSTAR_RAX);
						res[careful][2] = lstar_get_reg(fx->m, LSTAR_RBX);
						res[careful][3] = lstar_get_reg(fx->m, LSTAR_RFLAGS);
						res[careful][4] = lstar_get_reg(fx->m, LSTAR_RIP);
						res[careful][5] = lstar_icount(fx->m) - t0;
						res[careful][6] = mem;
						res[careful][7] = 0;
					}
					if (memcmp(res[0], res[1], sizeof res[0]))
						print_error("op %zu, cc %u, a %#llx, b %#llx: fused differs "
							    "(dl %llu vs %llu, rflags %#llx vs %#llx)\n",
							    o, cc, (unsigned long long)vals[va],
							    (unsigned long long)vals[vb],
							    (unsigned long long)res[0][0],
							    (unsigned long long)res[1][0],
							    (unsigned long long)res[0][3],
							    (unsigned long long)res[1][3]);
					assert_memory_equal(res[0], res[1], sizeof res[0]);
					assert_int_equal(res[0][5], 4 + lead);
				}
			}
		}
	}
}

/* A #PF on the CMP's memory operand, the CMP first in its block or after
 * others: the exception is taken at the CMP (RIP and CR2), and the count
 * holds exactly the instructions before it, on both paths. */
static void test_fault_in_fused_compare_restarts_it(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[2][7] = {
		{ 0x90, 0x90, 0x3B, 0x06, 0x74, 0x00, 0xF4 }, /* nop; nop; cmp eax, [rsi]; jz; hlt */
		{ 0xEB, 0x00, 0x3B, 0x06, 0x74, 0x00, 0xF4 }, /* jmp $+2; cmp eax, [rsi] (a block of two) */
	};
	static const uint64_t before[2] = { 2, 1 };
	for (int v = 0; v < 2; v++) {
		for (int careful = 0; careful < 2; careful++) {
			lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
			put_code(fx, fx->lay.kernel_code, code[v], sizeof code[v]);
			lstar_set_reg(fx->m, LSTAR_RSI, UNMAPPED);
			lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x2);
			uint64_t t0 = lstar_icount(fx->m);
			struct lstar_exit ex;
			/* careful: stop at the exception; fast: run into the HLT stub */
			lstar_run(fx->m, careful ? LSTAR_EV_EXCEPTION : 0, 100, &ex);
			assert_int_equal(ex.event, careful ? LSTAR_EV_EXCEPTION : LSTAR_EV_HALT);
			assert_int_equal(lstar_icount(fx->m) - t0, before[v] + !careful);
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), UNMAPPED);
			/* the frame: error code, then the RIP of the CMP */
			uint64_t frame[2];
			assert_int_equal(lstar_read_virt(fx->m, lstar_get_reg(fx->m, LSTAR_RSP),
							 frame, sizeof frame), LSTAR_OK);
			assert_int_equal(frame[1], fx->lay.kernel_code + 2);
			/* ZF untouched by the CMP that did not retire */
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & 0x40, 0);
		}
	}
}

/* The instruction limit stops a loop of one fused block after every
 * instruction, between the CMP and the Jcc too, with the CMP's flags in
 * RFLAGS; single-stepping from there runs the Jcc alone. */
static void test_limit_and_step_stop_between_compare_and_branch(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x48, 0xFF, 0xC0,                   /* l: inc rax */
		0x48, 0x3D, 0xE8, 0x03, 0x00, 0x00, /* cmp rax, 1000 */
		0x75, 0xF5,                         /* jnz l */
		0xF4,                               /* hlt */
	};
	static const uint64_t off[3] = { 0, 3, 9 };   /* the next instruction */
	for (uint64_t limit = 1; limit < 50; limit++) {
		lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
		uint64_t l = fx->lay.kernel_code;
		put_code(fx, l, code, sizeof code);
		lstar_set_reg(fx->m, LSTAR_RAX, 0);
		lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x2);
		uint64_t t0 = lstar_icount(fx->m);
		struct lstar_exit ex;
		run(fx, false, limit, &ex);
		assert_int_equal(ex.event, LSTAR_EV_LIMIT);
		assert_int_equal(lstar_icount(fx->m) - t0, limit);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), (limit + 2) / 3);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RIP), l + off[limit % 3]);
		if (limit % 3 == 2) {
			/* between the two: ZF of rax - 1000, then the Jcc alone */
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & 0x40, 0);
			assert_int_equal(lstar_step(fx->m, &ex), LSTAR_OK);
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RIP), l);
			assert_int_equal(lstar_icount(fx->m) - t0, limit + 1);
		}
		/* and on to the end, fused again */
		run(fx, false, 10000, &ex);
		assert_int_equal(ex.event, LSTAR_EV_HALT);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), 1000);
		assert_int_equal(lstar_icount(fx->m) - t0, 3000 + 1);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & 0x40, 0x40);
	}
	/* Single-step through a pair: the CMP alone, then the Jcc alone. */
	lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
	uint64_t l = fx->lay.kernel_code;
	put_code(fx, l, code, sizeof code);
	lstar_set_reg(fx->m, LSTAR_RAX, 998);
	struct lstar_exit ex;
	uint64_t t0 = lstar_icount(fx->m);
	static const uint64_t at[] = { 3, 9, 0, 3, 9, 11 };
	for (unsigned k = 0; k < sizeof at / sizeof at[0]; k++) {
		assert_int_equal(lstar_step(fx->m, &ex), LSTAR_OK);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RIP), l + at[k]);
		assert_int_equal(lstar_icount(fx->m) - t0, k + 1);
	}
}

/* An ADD whose memory destination is the Jcc right after it turns JZ
 * into JNZ: the new branch runs (SDM vol. 3A §11.6) on both paths, with
 * the same count -- what fusing a writing instruction would have to keep
 * (fused_jcc's exit_block check). */
static void test_fused_write_to_own_branch_runs_new_bytes(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x83, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, /* add dword [rip+0], 1 */
		0x74, 0x04,                               /* jz t  -> jnz t */
		0xB2, 0x01,                               /* mov dl, 1 */
		0xF4,                                     /* hlt */
		0x90,
		0xB2, 0x02,                               /* t: mov dl, 2 */
		0xF4,                                     /* hlt */
	};
	for (int careful = 0; careful < 2; careful++) {
		for (int round = 0; round < 2; round++) {
			lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
			put_code(fx, fx->lay.kernel_code, code, sizeof code);
			lstar_set_reg(fx->m, LSTAR_RDX, 0);
			uint64_t t0 = lstar_icount(fx->m);
			struct lstar_exit ex;
			run(fx, careful, 100, &ex);
			assert_int_equal(ex.event, LSTAR_EV_HALT);
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RDX), 2);
			assert_int_equal(lstar_icount(fx->m) - t0, 4);
		}
	}
}

/* An instruction before the pair that sets exit_block (a store into the
 * running block: it turns the JZ into JNZ) ends the block there: the pair
 * then runs from a fresh block with the new bytes (SDM vol. 3A §11.6),
 * and the count is exact on both paths. */
static void test_exit_before_fused_pair_counts_exactly(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[32] = {
		0xC6, 0x05, 0x02, 0x00, 0x00, 0x00, 0x75, /* mov byte [rip+2], 0x75: jz -> jnz */
		0x39, 0xCB,                               /* cmp ebx, ecx */
		0x74, 0x03,                               /* jz t (jnz t when run) */
		0xB2, 0x01, 0xF4,                         /* mov dl, 1; hlt */
		0xB2, 0x02, 0xF4,                         /* t: mov dl, 2; hlt */
	};
	struct machine *mm = (struct machine *)fx->m;
	for (int careful = 0; careful < 2; careful++) {
		for (uint64_t ecx = 5; ecx < 7; ecx++) {
			lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
			put_code(fx, fx->lay.kernel_code, code, sizeof code);
			struct block *b = decode_lookup(&mm->cpu);
			assert_int_equal(b->n, 3);
			assert_int_equal(b->fast_n, 1);
			lstar_set_reg(fx->m, LSTAR_RBX, 5);
			lstar_set_reg(fx->m, LSTAR_RCX, ecx);
			lstar_set_reg(fx->m, LSTAR_RDX, 0);
			uint64_t t0 = lstar_icount(fx->m);
			struct lstar_exit ex;
			run(fx, careful, 100, &ex);
			assert_int_equal(ex.event, LSTAR_EV_HALT);
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RDX), ecx == 5 ? 1 : 2);
			assert_int_equal(lstar_icount(fx->m) - t0, 5);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fuses_plain_forms),
		cmocka_unit_test(test_fused_pairs_match_careful_path),
		cmocka_unit_test(test_fault_in_fused_compare_restarts_it),
		cmocka_unit_test(test_limit_and_step_stop_between_compare_and_branch),
		cmocka_unit_test(test_fused_write_to_own_branch_runs_new_bytes),
		cmocka_unit_test(test_exit_before_fused_pair_counts_exactly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
