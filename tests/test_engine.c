/*
 * test_engine.c - the interpreter's machinery rather than any one
 * instruction: the dispatch tables pick the right handler, code is decoded
 * once, self-modifying code and remapped code run fresh bytes, instruction
 * fetches fault where the SDM says, and bad encodings raise #UD.  The fast
 * path (whole blocks, chained) and the careful path (one instruction at a
 * time) must agree on every count, TSC value and interrupt boundary.
 */
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
#include "flat_fixture.h"


/* The handler the decoder picks for an encoding: the FORM rows of
 * cpu/ops*.def for the forms they describe, the OP row's general handler
 * for every other form of the mnemonic (AH..BH, 16-bit, LOCK, one-operand
 * IMUL...), and the system/SSE handlers for the forms that share a
 * mnemonic with a move instruction. */
static void test_decode_picks_forms(void **state)
{
	struct fx *fx = *state;
	struct machine *mm = (struct machine *)fx->m;
	static const struct {
		const char *what;
		uint8_t b[12];
		uint8_t n;
		insn_fn fn;
	} t[] = {
		{ "add rax, rbx", { 0x48, 0x01, 0xD8 }, 3, op_add_rr64 },
		{ "add eax, ebx", { 0x01, 0xD8 }, 2, op_add_rr32 },
		{ "add rax, 5", { 0x48, 0x83, 0xC0, 0x05 }, 4, op_add_ri64 },
		{ "add eax, [rbx]", { 0x03, 0x03 }, 2, op_add_rm32 },
		{ "add [rbx], rax", { 0x48, 0x01, 0x03 }, 3, op_add_mr64 },
		{ "add dword [rbx], 5", { 0x83, 0x03, 0x05 }, 3, op_add_mi32 },
		{ "lock add [rbx], eax", { 0xF0, 0x01, 0x03 }, 3, op_add },
		{ "add ax, bx", { 0x66, 0x01, 0xD8 }, 3, op_add_rr16 },
		{ "add ax, 0x1234", { 0x66, 0x05, 0x34, 0x12 }, 4, op_add_ri16 },
		{ "add ax, [rbx]", { 0x66, 0x03, 0x03 }, 3, op_add },
		{ "cmp ax, di", { 0x66, 0x39, 0xF8 }, 3, op_cmp_rr16 },
		{ "test sil, sil", { 0x40, 0x84, 0xF6 }, 3, op_test_rr8 },
		{ "test dl, 4", { 0xF6, 0xC2, 0x04 }, 3, op_test_ri8 },
		{ "test ah, 4", { 0xF6, 0xC4, 0x04 }, 3, op_test },
		{ "not ecx", { 0xF7, 0xD1 }, 2, op_not_r32 },
		{ "not rcx", { 0x48, 0xF7, 0xD1 }, 3, op_not_r64 },
		{ "not cx", { 0x66, 0xF7, 0xD1 }, 3, op_not },
		{ "shl edi, cl", { 0xD3, 0xE7 }, 2, op_shl_rc32 },
		{ "sar rdi, cl", { 0x48, 0xD3, 0xFF }, 3, op_sar_rc64 },
		{ "shl dil, cl", { 0x40, 0xD2, 0xE7 }, 3, op_shl },
		{ "shr dword [rdi], cl", { 0xD3, 0x2F }, 2, op_shr },
		{ "movsxd rax, ecx", { 0x48, 0x63, 0xC1 }, 3, op_movsxd_r64_r32 },
		{ "add al, bl", { 0x00, 0xD8 }, 2, op_add },
		{ "adc rax, rbx", { 0x48, 0x11, 0xD8 }, 3, op_adc },
		{ "sub rsp, 8", { 0x48, 0x83, 0xEC, 0x08 }, 4, op_sub_ri64 },
		{ "cmp rax, rbx", { 0x48, 0x39, 0xD8 }, 3, op_cmp_rr64 },
		{ "and eax, 0xff", { 0x25, 0xFF, 0x00, 0x00, 0x00 }, 5, op_and_ri32 },
		{ "or [rbx], eax", { 0x09, 0x03 }, 2, op_or_mr32 },
		{ "xor eax, eax", { 0x31, 0xC0 }, 2, op_xor_rr32 },
		{ "test rax, rax", { 0x48, 0x85, 0xC0 }, 3, op_test_rr64 },
		{ "test byte [rbx], 1", { 0xF6, 0x03, 0x01 }, 3, op_test },
		{ "mov rax, rbx", { 0x48, 0x89, 0xD8 }, 3, op_mov_rr64 },
		{ "mov rax, imm64", { 0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, op_mov_ri64 },
		{ "mov rax, [rbx]", { 0x48, 0x8B, 0x03 }, 3, op_mov_rm64 },
		{ "mov dword [rbx], 7", { 0xC7, 0x03, 7, 0, 0, 0 }, 6, op_mov_mi32 },
		{ "mov byte [rbx], 7", { 0xC6, 0x03, 0x07 }, 3, op_mov_mi8 },
		{ "mov [rbx], al", { 0x88, 0x03 }, 2, op_mov_mr8 },
		{ "mov [rbx], ah", { 0x88, 0x23 }, 2, op_mov },
		{ "mov al, [rbx]", { 0x8A, 0x03 }, 2, op_mov_rm8 },
		{ "mov ax, bx", { 0x66, 0x89, 0xD8 }, 3, op_mov },
		{ "mov eax, ds", { 0x8C, 0xD8 }, 2, op_mov_sreg },
		{ "mov ds, eax", { 0x8E, 0xD8 }, 2, op_mov_sreg },
		{ "mov rax, cr0", { 0x0F, 0x20, 0xC0 }, 3, op_mov_cr },
		{ "mov rax, dr7", { 0x0F, 0x21, 0xF8 }, 3, op_mov_dr },
		{ "movzx eax, byte [rbx]", { 0x0F, 0xB6, 0x03 }, 3, op_movzx_rx_m8 },
		{ "movzx eax, bl", { 0x0F, 0xB6, 0xC3 }, 3, op_movzx_rx_r8 },
		{ "movzx eax, bh", { 0x0F, 0xB6, 0xC7 }, 3, op_movzx },
		{ "movzx rax, word [rbx]", { 0x48, 0x0F, 0xB7, 0x03 }, 4, op_movzx_rx_m16 },
		{ "movzx eax, bx", { 0x0F, 0xB7, 0xC3 }, 3, op_movzx_rx_r16 },
		{ "movzx ax, bl", { 0x66, 0x0F, 0xB6, 0xC3 }, 4, op_movzx },
		{ "movsx rax, bl", { 0x48, 0x0F, 0xBE, 0xC3 }, 4, op_movsx_rx_r },
		{ "movsxd rax, [rbx]", { 0x48, 0x63, 0x03 }, 3, op_movsx_rx_m },
		{ "movsxd eax, ebx (no REX.W)", { 0x63, 0xC3 }, 2, op_movsx },
		{ "lea rax, [rbx+8]", { 0x48, 0x8D, 0x43, 0x08 }, 4, op_lea_r64 },
		{ "lea eax, [rbx+8]", { 0x8D, 0x43, 0x08 }, 3, op_lea_r32 },
		{ "imul rax, rbx", { 0x48, 0x0F, 0xAF, 0xC3 }, 4, op_imul_rr64 },
		{ "imul eax, ebx, 5", { 0x6B, 0xC3, 0x05 }, 3, op_imul_rri32 },
		{ "imul rbx (one operand)", { 0x48, 0xF7, 0xEB }, 3, op_imul },
		{ "imul eax, [rbx]", { 0x0F, 0xAF, 0x03 }, 3, op_imul },
		{ "inc rax", { 0x48, 0xFF, 0xC0 }, 3, op_inc_r64 },
		{ "dec eax", { 0xFF, 0xC8 }, 2, op_dec_r32 },
		{ "inc al", { 0xFE, 0xC0 }, 2, op_inc },
		{ "inc dword [rbx]", { 0xFF, 0x03 }, 2, op_inc_m32 },
		{ "dec dword [rbx-8]", { 0xFF, 0x4B, 0xF8 }, 3, op_dec_m32 },
		{ "inc qword [rbx]", { 0x48, 0xFF, 0x03 }, 3, op_inc },
		{ "lock inc dword [rbx]", { 0xF0, 0xFF, 0x03 }, 3, op_inc },
		{ "push rbx", { 0x53 }, 1, op_push_r64 },
		{ "push 5", { 0x6A, 0x05 }, 2, op_push_i64 },
		{ "push qword [rbx]", { 0xFF, 0x33 }, 2, op_push_m64 },
		{ "push bx", { 0x66, 0x53 }, 2, op_push },
		{ "push fs", { 0x0F, 0xA0 }, 2, op_push },
		{ "pop rbx", { 0x5B }, 1, op_pop_r64 },
		{ "pop qword [rbx]", { 0x8F, 0x03 }, 2, op_pop },
		{ "call rel32", { 0xE8, 0, 0, 0, 0 }, 5, op_call_rel },
		{ "call rax", { 0xFF, 0xD0 }, 2, op_call },
		{ "call far [rbx]", { 0xFF, 0x1B }, 2, op_far_call },
		{ "ret", { 0xC3 }, 1, op_ret_near },
		{ "ret 8", { 0xC2, 0x08, 0x00 }, 3, op_ret },
		{ "retf", { 0xCB }, 1, op_retf },
		{ "jmp rel8", { 0xEB, 0x00 }, 2, op_jmp_rel },
		{ "jmp rel32", { 0xE9, 0, 0, 0, 0 }, 5, op_jmp_rel },
		{ "jmp rax", { 0xFF, 0xE0 }, 2, op_jmp },
		{ "jmp far [rbx]", { 0xFF, 0x2B }, 2, op_far_jmp },
		{ "jz rel8", { 0x74, 0x00 }, 2, op_jz_rel },
		{ "jl rel32", { 0x0F, 0x8C, 0, 0, 0, 0 }, 6, op_jl_rel },
		{ "jo rel8", { 0x70, 0x00 }, 2, op_jo_rel },
		{ "movsd xmm0, xmm1", { 0xF2, 0x0F, 0x10, 0xC1 }, 4, op_movsd_sse },
		{ "movsd [rbx], xmm1", { 0xF2, 0x0F, 0x11, 0x0B }, 4, op_movsd_sse },
		{ "movsd (string)", { 0xA5 }, 1, op_movs },
		{ "cmpsd xmm0, xmm1, 0", { 0xF2, 0x0F, 0xC2, 0xC1, 0x00 }, 5, op_cmpsd_sse },
		{ "cmpsd (string)", { 0xA7 }, 1, op_cmps },
		{ "rdsspq rax", { 0xF3, 0x48, 0x0F, 0x1E, 0xC8 }, 5, op_nop },
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		uint64_t at = fx->lay.kernel_code + 0x1000 + 16 * k;
		put_code(fx, at, t[k].b, t[k].n);
		struct block *b = decode_lookup(&mm->cpu);
		assert_int_equal(b->insn[0].len, t[k].n);
		if (b->insn[0].fn != t[k].fn)
			print_error("%s: not the expected handler\n", t[k].what);
		assert_true(b->insn[0].fn == t[k].fn);
	}
	assert_true(decode_handled_mnemonics() > 100);
}

/* A loop of 3 instructions run 1000 times decodes a handful of blocks. */
static void test_loop_is_decoded_once(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xB9, 0xE8, 0x03, 0x00, 0x00,   /* mov ecx, 1000 */
		0x48, 0xFF, 0xC0,               /* l: inc rax */
		0xFF, 0xC9,                     /* dec ecx */
		0x75, 0xF9,                     /* jnz l */
		0xF4,                           /* hlt */
	};
	put_code(fx, fx->lay.kernel_code, code, sizeof code);
	lstar_set_reg(fx->m, LSTAR_RAX, 0);
	struct machine *mm = (struct machine *)fx->m;
	uint64_t before = decode_blocks_made(&mm->cpu);
	struct lstar_exit ex;
	lstar_run(fx->m, 0, 10000, &ex);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), 1000);
	assert_true(decode_blocks_made(&mm->cpu) - before <= 4);
}

/* Code that rewrites the instruction right after itself runs the new
 * bytes (SDM vol. 3A §11.6, self-modifying code). */
static void test_self_modifying_code_runs_new_bytes(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xC6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07, /* mov byte [rip+1], 7 */
		0xB0, 0x01,                               /* mov al, 1  -> becomes mov al, 7 */
		0xF4,                                     /* hlt */
	};
	put_code(fx, fx->lay.kernel_code, code, sizeof code);
	/* Run it twice: the second time the block cache already holds the
	 * original bytes and must notice the write again. */
	for (int round = 0; round < 2; round++) {
		uint8_t orig = 0x01;
		lstar_write_phys(fx->m, fx->lay.kernel_code + 8, &orig, 1);
		lstar_set_reg(fx->m, LSTAR_RIP, fx->lay.kernel_code);
		lstar_set_reg(fx->m, LSTAR_RAX, 0);
		struct lstar_exit ex;
		lstar_run(fx->m, 0, 100, &ex);
		assert_int_equal(ex.event, LSTAR_EV_HALT);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX) & 0xFF, 7);
	}
}

/* The same virtual address mapped to another physical page after a CR3
 * switch runs the other page's code. */
static void test_cr3_switch_runs_other_mapping(void **state)
{
	struct fx *fx = *state;
	const uint64_t va = 0x7f0000000000ULL;
	const uint64_t pml4b = 0x200000, pdpt = 0x201000, pd = 0x202000, pt = 0x203000;
	const uint64_t page1 = 0x210000, page2 = 0x211000;
	uint64_t pml4a = lstar_get_reg(fx->m, LSTAR_CR3);
	uint64_t e;
	/* Copy the flat PML4 into a second one, then map va in both, to different pages. */
	uint8_t buf[4096];
	lstar_read_phys(fx->m, pml4a, buf, sizeof buf);
	lstar_write_phys(fx->m, pml4b, buf, sizeof buf);
	memset(buf, 0, sizeof buf);
	lstar_write_phys(fx->m, pdpt, buf, sizeof buf);
	lstar_write_phys(fx->m, pd, buf, sizeof buf);
	lstar_write_phys(fx->m, pt, buf, sizeof buf);
	e = pdpt | 3; lstar_write_phys(fx->m, pml4a + 8 * ((va >> 39) & 511), &e, 8);
	lstar_write_phys(fx->m, pml4b + 8 * ((va >> 39) & 511), &e, 8);
	e = pd | 3; lstar_write_phys(fx->m, pdpt + 8 * ((va >> 30) & 511), &e, 8);
	e = pt | 3; lstar_write_phys(fx->m, pd + 8 * ((va >> 21) & 511), &e, 8);
	/* pt maps va -> page1; a second PT for CR3 b would need another chain:
	 * instead rewrite the PTE between runs and reload CR3 (a TLB flush). */
	static const uint8_t c1[] = { 0xB0, 0x11, 0xF4 }; /* mov al, 0x11; hlt */
	static const uint8_t c2[] = { 0xB0, 0x22, 0xF4 }; /* mov al, 0x22; hlt */
	lstar_write_phys(fx->m, page1, c1, sizeof c1);
	lstar_write_phys(fx->m, page2, c2, sizeof c2);
	struct lstar_exit ex;

	e = page1 | 3; lstar_write_phys(fx->m, pt + 8 * ((va >> 12) & 511), &e, 8);
	lstar_set_reg(fx->m, LSTAR_CR3, pml4a);
	lstar_set_reg(fx->m, LSTAR_RIP, va);
	lstar_run(fx->m, 0, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX) & 0xFF, 0x11);

	e = page2 | 3; lstar_write_phys(fx->m, pt + 8 * ((va >> 12) & 511), &e, 8);
	lstar_set_reg(fx->m, LSTAR_CR3, pml4b);
	lstar_set_reg(fx->m, LSTAR_RIP, va);
	lstar_run(fx->m, 0, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX) & 0xFF, 0x22);
	lstar_set_reg(fx->m, LSTAR_CR3, pml4a);
}

/* Jumping to an unmapped page: #PF on the fetch, CR2 = the target,
 * saved RIP = the target (SDM vol. 3A §4.7). */
static void test_fetch_from_unmapped_page_faults(void **state)
{
	struct fx *fx = *state;
	const uint64_t target = 0x300000000000ULL;
	uint8_t code[12] = { 0x48, 0xB8 };  /* mov rax, target; jmp rax */
	memcpy(code + 2, &target, 8);
	code[10] = 0xFF;
	code[11] = 0xE0;
	put_code(fx, fx->lay.kernel_code, code, sizeof code);
	struct lstar_exit ex;
	lstar_run(fx->m, LSTAR_EV_EXCEPTION, 100, &ex);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 14);
	assert_int_equal(ex.error_code, 0);   /* not present, read, supervisor, NXE off */
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), target);
	uint64_t frame[2];   /* #PF pushes an error code below RIP */
	lstar_read_virt(fx->m, lstar_get_reg(fx->m, LSTAR_RSP), frame, sizeof frame);
	assert_int_equal(frame[0], 0);
	assert_int_equal(frame[1], target);
}

/* An instruction whose last bytes lie on an unmapped page faults with
 * CR2 = the start of that page and RIP = the instruction. */
static void test_page_crossing_fetch_faults_on_second_page(void **state)
{
	struct fx *fx = *state;
	/* The user window ends at USER_BASE + USER_SIZE; the page after it is
	 * supervisor-only, so run at CPL 3 with a 5-byte mov straddling. */
	uint64_t at = USER_BASE + USER_SIZE - 2;
	static const uint8_t code[] = { 0xB8, 0x01, 0x02, 0x03, 0x04 };
	lstar_write_phys(fx->m, at, code, sizeof code);
	lstar_enter_cpl(fx->m, 3, 0x33, 0x2B);
	lstar_set_reg(fx->m, LSTAR_RSP, USER_BASE + 0x1000);
	lstar_set_reg(fx->m, LSTAR_RIP, at);
	struct lstar_exit ex;
	lstar_run(fx->m, LSTAR_EV_EXCEPTION, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 14);
	assert_int_equal(ex.error_code, 5);   /* present, read, user */
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), USER_BASE + USER_SIZE);
	assert_int_equal(lstar_get_cpl(fx->m), 0);
	uint64_t frame[5];
	lstar_read_virt(fx->m, lstar_get_reg(fx->m, LSTAR_RSP) + 8, frame, sizeof frame);
	assert_int_equal(frame[0], at);       /* RIP: the instruction */
	assert_int_equal(frame[1], 0x33);     /* CS */
	lstar_enter_cpl(fx->m, 0, 0x10, 0x18);
}

/* Encodings that do not exist in 64-bit mode raise #UD at the instruction. */
static void test_invalid_encodings_raise_ud(void **state)
{
	struct fx *fx = *state;
	static const uint8_t cases[][3] = {
		{ 0x06 },             /* PUSH ES: invalid in 64-bit mode */
		{ 0x0F, 0x0B },       /* UD2 */
		{ 0xF0, 0x90 },       /* LOCK NOP */
		{ 0xF0, 0x0F, 0x05 }, /* LOCK SYSCALL */
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
		put_code(fx, fx->lay.kernel_code, cases[k], 3);
		struct lstar_exit ex;
		lstar_run(fx->m, LSTAR_EV_EXCEPTION, 10, &ex);
		assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
		assert_int_equal(ex.vector, 6);
		uint64_t frame_rip;
		lstar_read_virt(fx->m, lstar_get_reg(fx->m, LSTAR_RSP), &frame_rip, 8);
		assert_int_equal(frame_rip, fx->lay.kernel_code);
	}
}

/* A physical access outside RAM reads all-ones (docs/spec/platform.md §1): a
 * mapping onto a physical page beyond RAM reads 0xFF..., writes vanish. */
static void test_access_outside_ram_reads_ones(void **state)
{
	struct fx *fx = *state;
	lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
	/* Map va 0x7f8000000000 to physical 1 TiB - 4 KiB (outside RAM). */
	const uint64_t va = 0x7f8000000000ULL;
	const uint64_t pdpt = 0x220000, pd = 0x221000, pt = 0x222000;
	uint64_t pml4 = lstar_get_reg(fx->m, LSTAR_CR3), e;
	uint8_t zero[4096] = { 0 };
	lstar_write_phys(fx->m, pdpt, zero, 4096);
	lstar_write_phys(fx->m, pd, zero, 4096);
	lstar_write_phys(fx->m, pt, zero, 4096);
	e = pdpt | 3; lstar_write_phys(fx->m, pml4 + 8 * ((va >> 39) & 511), &e, 8);
	e = pd | 3; lstar_write_phys(fx->m, pdpt + 8 * ((va >> 30) & 511), &e, 8);
	e = pt | 3; lstar_write_phys(fx->m, pd + 8 * ((va >> 21) & 511), &e, 8);
	e = ((1ULL << 39) - 0x1000) | 3; lstar_write_phys(fx->m, pt, &e, 8);
	uint8_t code[] = {
		0x48, 0xBB, 0, 0, 0, 0, 0, 0, 0, 0, /* mov rbx, va */
		0x48, 0xC7, 0x03, 0x00, 0x00, 0x00, 0x00, /* mov qword [rbx], 0 */
		0x48, 0x8B, 0x03,                   /* mov rax, [rbx] */
		0xF4,
	};
	memcpy(code + 2, &va, 8);
	put_code(fx, fx->lay.kernel_code, code, sizeof code);
	struct lstar_exit ex;
	lstar_run(fx->m, LSTAR_EV_EXCEPTION, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), ~0ULL);
}

/* The API reports whether the delivery pushed an error code: INT 13 (a
 * software interrupt) pushes none although #GP, vector 13, does
 * (SDM vol. 3A §6.13). */
static void test_api_reports_error_code_per_delivery(void **state)
{
	struct fx *fx = *state;
	lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
	static const uint8_t int13[] = { 0xCD, 0x0D };
	put_code(fx, fx->lay.kernel_code, int13, sizeof int13);
	struct lstar_exit ex;
	lstar_run(fx->m, LSTAR_EV_EXCEPTION, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 13);
	assert_false(ex.has_error_code);

	lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
	static const uint8_t wrmsr_bad[] = { 0x31, 0xC9, 0x0F, 0x30 }; /* xor ecx,ecx; wrmsr */
	put_code(fx, fx->lay.kernel_code, wrmsr_bad, sizeof wrmsr_bad);
	lstar_run(fx->m, LSTAR_EV_EXCEPTION, 10, &ex);
	assert_int_equal(ex.vector, 13);
	assert_true(ex.has_error_code);
	assert_int_equal(ex.error_code, 0);
}

/* The fast path counts retired instructions per block; a fault in the
 * middle of a block must still leave the exact count, and RDTSC (which is
 * icount * 4 + offset) must read the same on the fast and careful paths. */
/* Run code that ends in a #PF, on the careful path (stopping at the
 * exception) or the fast one (running on into the HLT stub); returns the
 * instructions it retired, which the fast run's HLT must not change. */
static uint64_t retired_before_fault(struct fx *fx, const uint8_t *code, size_t n, int careful)
{
	struct lstar_exit ex;

	lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
	put_code(fx, fx->lay.kernel_code, code, n);
	uint64_t before = lstar_icount(fx->m);
	lstar_run(fx->m, careful ? LSTAR_EV_EXCEPTION : 0, 100, &ex);
	assert_int_equal(ex.event, careful ? LSTAR_EV_EXCEPTION : LSTAR_EV_HALT);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), 0x300000000000ULL);
	return lstar_icount(fx->m) - before - (careful ? 0 : 1);
}

static void test_icount_exact_across_mid_block_fault(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x90, 0x90,                         /* nop; nop */
		0x48, 0xB8, 0, 0, 0, 0, 0, 0x30, 0, 0, /* mov rax, 0x300000000000 */
		0x8B, 0x00,                         /* mov eax, [rax]: #PF */
	};
	for (int careful = 0; careful < 2; careful++)
		assert_int_equal(retired_before_fault(fx, code, sizeof code, careful), 3);
}

/* The same through a run of threaded handlers (insn_next in cpu/cpu.h):
 * the chain's instructions all retire, the fault restarts at the load with
 * the count and registers of the careful path, and the block's own count
 * is not added on top. */
static void test_fault_after_threaded_chain(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x31, 0xC9,                         /* xor ecx, ecx */
		0x83, 0xC1, 0x01,                   /* add ecx, 1 */
		0x89, 0xCA,                         /* mov edx, ecx */
		0x01, 0xD1,                         /* add ecx, edx */
		0xD1, 0xE1,                         /* shl ecx, 1 */
		0x48, 0xB8, 0, 0, 0, 0, 0, 0x30, 0, 0, /* mov rax, 0x300000000000 */
		0x8B, 0x00,                         /* mov eax, [rax]: #PF */
	};
	for (int careful = 0; careful < 2; careful++) {
		assert_int_equal(retired_before_fault(fx, code, sizeof code, careful), 6);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RCX), 4);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RDX), 1);
	}
}

static void test_rdtsc_counts_instructions_on_both_paths(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x0F, 0x31,             /* rdtsc */
		0x89, 0xC3,             /* mov ebx, eax */
		0x90,                   /* nop */
		0x0F, 0x31,             /* rdtsc */
		0x29, 0xD8,             /* sub eax, ebx */
		0xF4,                   /* hlt */
	};
	uint64_t delta[2];
	for (int careful = 0; careful < 2; careful++) {
		lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
		put_code(fx, fx->lay.kernel_code, code, sizeof code);
		struct lstar_exit ex;
		if (careful) {
			for (int k = 0; k < 6; k++)
				lstar_step(fx->m, &ex);
		} else {
			lstar_run(fx->m, 0, 100, &ex);
		}
		delta[careful] = lstar_get_reg(fx->m, LSTAR_RAX) & 0xFFFFFFFF;
	}
	assert_int_equal(delta[0], 3 * 4);   /* three instructions apart, TSC_SCALE 4 */
	assert_int_equal(delta[1], delta[0]);
}

/* A loop that is a single block re-runs inside the interpreter's inner
 * loop; the instruction limit must still stop it exactly. */
static void test_one_block_loop_stops_at_exact_limit(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x48, 0xFF, 0xC0,   /* l: inc rax */
		0xEB, 0xFB,         /* jmp l */
	};
	for (uint64_t limit = 1; limit < 40; limit += 7) {
		lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
		put_code(fx, fx->lay.kernel_code, code, sizeof code);
		lstar_set_reg(fx->m, LSTAR_RAX, 0);
		uint64_t before = lstar_icount(fx->m);
		struct lstar_exit ex;
		lstar_run(fx->m, 0, limit, &ex);
		assert_int_equal(ex.event, LSTAR_EV_LIMIT);
		assert_int_equal(lstar_icount(fx->m) - before, limit);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), (limit + 1) / 2);
	}
}

/* The APIC timer expires and interrupts are taken at the same
 * instruction boundaries on the fast path (blocks chained, the event
 * horizon checked per block) as on the careful path: a periodic timer
 * interrupting a loop of two chained blocks gives the same registers,
 * icount and TSC log either way.  (SDM vol. 3A §10.5.4: the count drops
 * per retired instruction here, with the divide configuration at 1.) */
static void test_timer_interrupts_same_on_both_paths(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0x49, 0xFF, 0xC0,             /* l: inc r8 */
		0x4D, 0x01, 0xC1,             /* add r9, r8 */
		0xEB, 0x00,                   /* jmp m (ends the block) */
		0x49, 0x83, 0xF1, 0x55,       /* m: xor r9, 0x55 */
		0x49, 0xFF, 0xCA,             /* dec r10 */
		0x75, 0xEF,                   /* jnz l */
		0xFA, 0xF4,                   /* cli; hlt */
	};
	static const uint8_t handler[] = {
		0x0F, 0x31,                   /* rdtsc */
		0x48, 0xC1, 0xE2, 0x20,       /* shl rdx, 32 */
		0x48, 0x09, 0xD0,             /* or rax, rdx */
		0x4A, 0x89, 0x04, 0xFF,       /* mov [rdi + r15*8], rax */
		0x49, 0xFF, 0xC7,             /* inc r15 */
		0xB9, 0x0B, 0x08, 0x00, 0x00, /* mov ecx, 0x80B (EOI) */
		0x31, 0xC0, 0x31, 0xD2,       /* xor eax, eax; xor edx, edx */
		0x0F, 0x30,                   /* wrmsr */
		0x48, 0xCF,                   /* iretq */
	};
	enum { NLOG = 64 };
	uint64_t res[2][5], logs[2][NLOG];
	for (int careful = 0; careful < 2; careful++) {
		lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay);
		put_code(fx, fx->lay.kernel_code + 0x100, handler, sizeof handler);
		put_code(fx, fx->lay.kernel_code, code, sizeof code);
		uint64_t h = fx->lay.kernel_code + 0x100, g = fx->lay.idt + 16 * 0x40;
		uint64_t lo = (h & 0xFFFF) | (0x10ULL << 16) | (0x8EULL << 40) | ((h >> 16) << 48);
		lstar_write_phys(fx->m, g, &lo, 8);
		/* APIC from its reset state: disabled, xAPIC, x2APIC */
		assert_int_equal(lstar_wrmsr(fx->m, 0x1B, 0xFEE00000), LSTAR_OK);
		assert_int_equal(lstar_wrmsr(fx->m, 0x1B, 0xFEE00800), LSTAR_OK);
		assert_int_equal(lstar_wrmsr(fx->m, 0x1B, 0xFEE00C00), LSTAR_OK);
		assert_int_equal(lstar_wrmsr(fx->m, 0x80F, 0x1FF), LSTAR_OK);
		assert_int_equal(lstar_wrmsr(fx->m, 0x83E, 0xB), LSTAR_OK);
		assert_int_equal(lstar_wrmsr(fx->m, 0x832, (1u << 17) | 0x40), LSTAR_OK);
		lstar_set_reg(fx->m, LSTAR_R8, 0);
		lstar_set_reg(fx->m, LSTAR_R9, 0);
		lstar_set_reg(fx->m, LSTAR_R10, 700);
		lstar_set_reg(fx->m, LSTAR_R15, 0);
		lstar_set_reg(fx->m, LSTAR_RDI, 0x60000);
		lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x202);
		uint64_t t0 = lstar_icount(fx->m);
		assert_int_equal(lstar_wrmsr(fx->m, 0x838, 97), LSTAR_OK);
		struct lstar_exit ex;
		/* an event that never comes forces the careful path */
		lstar_run(fx->m, careful ? LSTAR_EV_SYSCALL : 0, 100000, &ex);
		assert_int_equal(ex.event, LSTAR_EV_HALT);
		res[careful][0] = lstar_icount(fx->m) - t0;
		res[careful][1] = lstar_get_reg(fx->m, LSTAR_R8);
		res[careful][2] = lstar_get_reg(fx->m, LSTAR_R9);
		res[careful][3] = lstar_get_reg(fx->m, LSTAR_R15);
		res[careful][4] = lstar_get_reg(fx->m, LSTAR_RSP);
		assert_true(res[careful][3] > 30 && res[careful][3] < NLOG);
		for (unsigned k = 0; k < NLOG; k++) {
			uint64_t x = 0;
			if (k < res[careful][3])
				lstar_read_phys(fx->m, 0x60000 + 8 * k, &x, 8);
			logs[careful][k] = x ? x - 4 * t0 : 0;
		}
		/* expiries every 97 instructions from the write: the first
		 * handler's RDTSC reads the first expiry exactly */
		assert_int_equal(logs[careful][0], 4 * 97);
		for (unsigned k = 1; k < res[careful][3]; k++)
			assert_int_equal(logs[careful][k] - logs[careful][k - 1], 4 * 97);
	}
	assert_memory_equal(res[0], res[1], sizeof res[0]);
	assert_memory_equal(logs[0], logs[1], sizeof logs[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_picks_forms),
		cmocka_unit_test(test_loop_is_decoded_once),
		cmocka_unit_test(test_self_modifying_code_runs_new_bytes),
		cmocka_unit_test(test_cr3_switch_runs_other_mapping),
		cmocka_unit_test(test_fetch_from_unmapped_page_faults),
		cmocka_unit_test(test_page_crossing_fetch_faults_on_second_page),
		cmocka_unit_test(test_invalid_encodings_raise_ud),
		cmocka_unit_test(test_access_outside_ram_reads_ones),
		cmocka_unit_test(test_api_reports_error_code_per_delivery),
		cmocka_unit_test(test_icount_exact_across_mid_block_fault),
		cmocka_unit_test(test_fault_after_threaded_chain),
		cmocka_unit_test(test_rdtsc_counts_instructions_on_both_paths),
		cmocka_unit_test(test_one_block_loop_stops_at_exact_limit),
		cmocka_unit_test(test_timer_interrupts_same_on_both_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
