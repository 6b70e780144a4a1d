/*
 * test_move.c - data movement and the small odds and ends (SDM vol. 2):
 * MOV forms, MOVZX/MOVSX/MOVSXD, LEA, XCHG, XADD, CMPXCHG/8B/16B, CMOVcc,
 * SETcc, MOVBE, XLAT, CLC/STC/CMC/CLD/STD, LAHF/SAHF, NOPs, CLFLUSH, UD2.
 */
#include "move_harness.h"

/* MOV: imm32 sign-extends into r64, a 32-bit write zero-extends, an 8-bit
 * write to AH keeps the rest, MOV m64, imm32 and the moffs form. */
static void test_mov_forms(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF,     /* mov rax, -1 */
	     0x89, 0xD8,                                   /* mov eax, ebx */
	     0x88, 0xDC,                                   /* mov ah, bl */
	     0x48, 0xC7, 0x03, 0xFE, 0xFF, 0xFF, 0xFF,     /* mov qword [rbx], -2 */
	     0x48, 0xA1, 0x10, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00); /* mov rax, [0x200010] */
	set(fx, LSTAR_RBX, DATA + 0x20);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), ~0ULL);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), DATA + 0x20);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), (DATA + 0x20) | 0x2000);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA + 0x20), 0xFFFFFFFFFFFFFFFEULL);
	wr64(fx, DATA + 0x10, 0x1122334455667788ULL);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x1122334455667788ULL);
}

/* A qword read and write straddling a page boundary at every split
 * (engine: the 3/5/6/7-byte halves of a split access). */
static void test_mov_page_straddling(void **state)
{
	struct fx *fx = *state;
	const uint64_t v = 0x8877665544332211ULL;
	CODE(fx,
	     0x48, 0x8B, 0x03,     /* mov rax, [rbx] */
	     0x48, 0x89, 0x01);    /* mov [rcx], rax */
	for (unsigned split = 1; split < 8; split++) {
		uint64_t at = DATA + 0x1000 - split;
		wr64(fx, at, v);
		wr64(fx, DATA + 0x3000 - 8, 0);
		wr64(fx, DATA + 0x3000, 0);
		set(fx, LSTAR_RIP, fx->lay.kernel_code);
		set(fx, LSTAR_RBX, at);
		set(fx, LSTAR_RCX, DATA + 0x3000 - split);
		run_ok(fx, 2);
		assert_int_equal(reg(fx, LSTAR_RAX), v);
		assert_int_equal(rd64(fx, DATA + 0x3000 - split), v);
	}
}

static void test_movzx_movsx_movsxd(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0xB6, 0x03,             /* movzx eax, byte [rbx] */
	     0x48, 0x0F, 0xBF, 0x13,       /* movsx rdx, word [rbx] */
	     0x48, 0x63, 0xF1,             /* movsxd rsi, ecx */
	     0x63, 0xF9,                   /* movsxd edi, ecx (plain 32-bit move) */
	     0x66, 0x0F, 0xB6, 0xCC);      /* movzx cx, ah */
	wr64(fx, DATA, 0x8081);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RAX, ~0ULL);
	set(fx, LSTAR_RDX, ~0ULL);
	set(fx, LSTAR_RCX, 0xFFFFFFFF80000000ULL);
	set(fx, LSTAR_RDI, ~0ULL);
	run_ok(fx, 4);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x81);
	assert_int_equal(reg(fx, LSTAR_RDX), 0xFFFFFFFFFFFF8081ULL);
	assert_int_equal(reg(fx, LSTAR_RSI), 0xFFFFFFFF80000000ULL);
	assert_int_equal(reg(fx, LSTAR_RDI), 0x80000000ULL);
	set(fx, LSTAR_RAX, 0xAB00);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0xFFFFFFFF800000ABULL);
}

/* LEA: no memory access, address size then operand size. */
static void test_lea_sizes(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x8D, 0x44, 0x8B, 0x08,                 /* lea eax, [rbx+rcx*4+8] */
	     0x67, 0x48, 0x8D, 0x54, 0x8B, 0x08,     /* lea rdx, [ebx+ecx*4+8] */
	     0x66, 0x8D, 0x74, 0x8B, 0x08);          /* lea si, [rbx+rcx*4+8] */
	set(fx, LSTAR_RBX, 0x00007FFFFFFFFFF0ULL);
	set(fx, LSTAR_RCX, 0x100000001ULL);
	set(fx, LSTAR_RSI, 0x1234567812345678ULL);
	run_ok(fx, 3);
	uint64_t full = 0x00007FFFFFFFFFF0ULL + 0x400000004ULL + 8;
	assert_int_equal(reg(fx, LSTAR_RAX), full & 0xFFFFFFFF);
	assert_int_equal(reg(fx, LSTAR_RDX), (0xFFFFFFF0ULL + 4 + 8) & 0xFFFFFFFF);
	assert_int_equal(reg(fx, LSTAR_RSI), 0x1234567812340000ULL | (full & 0xFFFF));
}

static void test_xchg_forms(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x48, 0x87, 0x0B,     /* xchg [rbx], rcx */
	     0x91,                 /* xchg eax, ecx */
	     0x86, 0xC4,           /* xchg ah, al */
	     0xF0, 0x87, 0x03);    /* lock xchg [rbx], eax */
	wr64(fx, DATA, 0xAAAAAAAABBBBBBBBULL);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RCX, 0x1111111122222222ULL);
	set(fx, LSTAR_RAX, 0x3333333344444444ULL);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA), 0x1111111122222222ULL);
	assert_int_equal(reg(fx, LSTAR_RCX), 0xAAAAAAAABBBBBBBBULL);
	run_ok(fx, 1);   /* both zero-extended */
	assert_int_equal(reg(fx, LSTAR_RAX), 0xBBBBBBBBULL);
	assert_int_equal(reg(fx, LSTAR_RCX), 0x44444444ULL);
	set(fx, LSTAR_RAX, 0x1234);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x3412);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA), 0x1111111100003412ULL);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x22222222ULL);
}

static void test_xadd(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0xC1, 0x0B,             /* xadd [rbx], ecx */
	     0x48, 0x0F, 0xC1, 0xC0);      /* xadd rax, rax */
	wr64(fx, DATA, 0xFFFFFFFF);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RCX, 0x100000001ULL);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA), 0);
	assert_int_equal(reg(fx, LSTAR_RCX), 0xFFFFFFFF);
	uint64_t f = reg(fx, LSTAR_RFLAGS);
	assert_true(f & F_CF);
	assert_true(f & F_ZF);
	set(fx, LSTAR_RAX, 5);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 10);   /* DEST written last */
}

/* CMPXCHG: success leaves RAX's upper half alone; failure loads EAX
 * zero-extended and leaves a register destination alone. */
static void test_cmpxchg(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0xB1, 0x0B,     /* cmpxchg [rbx], ecx */
	     0x0F, 0xB1, 0x0B,     /* again: now fails */
	     0x0F, 0xB1, 0xCA);    /* cmpxchg edx, ecx (fails) */
	wr64(fx, DATA, 0x9999999955555555ULL);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RAX, 0xFFFFFFFF55555555ULL);
	set(fx, LSTAR_RCX, 0x77777777);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA), 0x9999999977777777ULL);
	assert_int_equal(reg(fx, LSTAR_RAX), 0xFFFFFFFF55555555ULL);
	assert_true(reg(fx, LSTAR_RFLAGS) & F_ZF);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x77777777ULL);
	assert_false(reg(fx, LSTAR_RFLAGS) & F_ZF);
	set(fx, LSTAR_RDX, 0xAAAAAAAA00000001ULL);
	set(fx, LSTAR_RAX, 2);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RDX), 0xAAAAAAAA00000001ULL);
	assert_int_equal(reg(fx, LSTAR_RAX), 1);
	/* flags of CMP 2, 1 */
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & (F_ZF | F_CF | F_SF), 0);
}

static void test_cmpxchg8b_16b(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0xC7, 0x0B,             /* cmpxchg8b [rbx] */
	     0x0F, 0xC7, 0x0B,             /* again: fails */
	     0x48, 0x0F, 0xC7, 0x0B);      /* cmpxchg16b [rbx] */
	wr64(fx, DATA, 0x2222222211111111ULL);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RAX, 0xFFFFFFFF11111111ULL);
	set(fx, LSTAR_RDX, 0xFFFFFFFF22222222ULL);
	set(fx, LSTAR_RCX, 0x44444444);
	set(fx, LSTAR_RBX, DATA);
	/* ECX:EBX is stored: EBX is the low half of DATA */
	set(fx, LSTAR_RFLAGS, 2 | F_CF);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA), 0x4444444400000000ULL | (uint32_t)DATA);
	assert_int_equal(reg(fx, LSTAR_RAX), 0xFFFFFFFF11111111ULL);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & (F_ZF | F_CF), F_ZF | F_CF);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), (uint32_t)DATA);
	assert_int_equal(reg(fx, LSTAR_RDX), 0x44444444ULL);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & (F_ZF | F_CF), F_CF);

	/* 16B: match, then a misaligned operand is #GP(0). */
	wr64(fx, DATA + 0x40, 1);
	wr64(fx, DATA + 0x48, 2);
	set(fx, LSTAR_RBX, DATA + 0x40);
	set(fx, LSTAR_RAX, 1);
	set(fx, LSTAR_RDX, 2);
	set(fx, LSTAR_RCX, 0xC0C0);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, DATA + 0x40), DATA + 0x40);
	assert_int_equal(rd64(fx, DATA + 0x48), 0xC0C0);
	assert_true(reg(fx, LSTAR_RFLAGS) & F_ZF);
	set(fx, LSTAR_RIP, fx->lay.kernel_code + 6);
	set(fx, LSTAR_RBX, DATA + 0x48);
	struct lstar_exit ex = run_fault(fx, 1, 13);
	assert_int_equal(ex.error_code, 0);
}

/* CMOVcc: the source is read either way; a false 32-bit CMOV still
 * zero-extends the destination. */
static void test_cmov(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x39, 0xC8,               /* cmp eax, ecx (not equal) */
	     0x0F, 0x44, 0xD1,         /* cmovz edx, ecx: false */
	     0x48, 0x0F, 0x42, 0xF1,   /* cmovb rsi, rcx: 1 < 2 true */
	     0x0F, 0x44, 0x03);        /* cmovz eax, [rbx]: false, faults */
	set(fx, LSTAR_RAX, 1);
	set(fx, LSTAR_RCX, 2);
	set(fx, LSTAR_RDX, 0xFFFFFFFF12345678ULL);
	set(fx, LSTAR_RBX, RAM_END);
	run_ok(fx, 3);
	assert_int_equal(reg(fx, LSTAR_RDX), 0x12345678ULL);
	assert_int_equal(reg(fx, LSTAR_RSI), 2);
	run_fault(fx, 1, 14);
}

static void test_setcc(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x39, 0xC8,               /* cmp eax, ecx */
	     0x0F, 0x95, 0xC2,         /* setnz dl */
	     0x0F, 0x9C, 0x03,         /* setl [rbx] */
	     0x0F, 0x9F, 0xC4);        /* setg ah */
	set(fx, LSTAR_RAX, (uint64_t)-5);
	set(fx, LSTAR_RCX, 3);
	set(fx, LSTAR_RDX, 0xFF00);
	set(fx, LSTAR_RBX, DATA);
	wr64(fx, DATA, 0xFFFF);
	run_ok(fx, 4);
	assert_int_equal(reg(fx, LSTAR_RDX), 0xFF01);
	assert_int_equal(rd64(fx, DATA), 0xFF01);
	assert_int_equal(reg(fx, LSTAR_RAX) & 0xFF00, 0);
}

static void test_movbe_xlat(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0x38, 0xF0, 0x03,           /* movbe eax, [rbx] */
	     0x66, 0x0F, 0x38, 0xF1, 0x0B,     /* movbe [rbx], cx */
	     0xD7);                            /* xlat */
	wr64(fx, DATA, 0x11223344);
	set(fx, LSTAR_RBX, DATA);
	set(fx, LSTAR_RCX, 0xAABB);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x44332211);
	assert_int_equal(rd64(fx, DATA), 0x1122BBAA);
	set(fx, LSTAR_RAX, 0x101);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x1BB);
}

/* XLAT's DS:RBX source takes an FS/GS override (a hidden operand in
 * Zydis: decode must carry its segment); with 67h RBX+AL wraps at 4 GiB. */
static void test_xlat_override_and_a32(void **state)
{
	struct fx *fx = *state;
	struct lstar_segment gs;
	lstar_get_segment(fx->m, LSTAR_GS, &gs);
	gs.base = DATA + 0x2000;
	lstar_set_segment(fx->m, LSTAR_GS, &gs);
	CODE(fx,
	     0x65, 0xD7,           /* gs xlat */
	     0x67, 0xD7);          /* addr32 xlat */
	wr64(fx, DATA + 0x2010 + 5, 0x77);
	set(fx, LSTAR_RBX, 0x10);
	set(fx, LSTAR_RAX, 0xAB05);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0xAB77);
	wr64(fx, DATA + 0x30, 0x99);
	set(fx, LSTAR_RBX, 0xFFFFFFFF00000000ULL | (DATA + 0x20));
	set(fx, LSTAR_RAX, 0x10);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x99);
}

/* CLC/STC/CMC keep the other flags; CLD/STD; LAHF/SAHF. */
static void test_flag_instructions(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0xF9,         /* stc */
	     0xF5,         /* cmc */
	     0xF5,         /* cmc */
	     0xF8,         /* clc */
	     0xFD,         /* std */
	     0x9F,         /* lahf */
	     0xFC,         /* cld */
	     0x9E);        /* sahf */
	set(fx, LSTAR_RFLAGS, 2 | F_ZF | F_OF);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & 0xFFF, 2 | F_ZF | F_OF | F_CF);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & F_CF, 0);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & F_CF, F_CF);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & 0xFFF, 2 | F_ZF | F_OF | F_DF);
	set(fx, LSTAR_RAX, 0xFFFF);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x42FF);   /* ZF | bit 1 */
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & F_DF, 0);
	set(fx, LSTAR_RAX, 0xD500);   /* SF ZF AF PF CF */
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & 0xFFF, 2 | F_SF | F_ZF | F_AF | F_PF | F_CF | F_OF);
}

/* NOPs and hints do nothing and never fault; CLFLUSH checks its address;
 * UD2 is #UD. */
static void test_nops_clflush_ud2(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x90,                                 /* nop */
	     0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00,   /* nop word [rax+rax] */
	     0xF3, 0x0F, 0x1E, 0xFA,               /* endbr64 */
	     0xF3, 0x90,                           /* pause */
	     0x0F, 0xAE, 0xE8,                     /* lfence */
	     0x0F, 0x18, 0x08,                     /* prefetcht0 [rax] */
	     0x0F, 0xAE, 0x38,                     /* clflush [rax] */
	     0x0F, 0x0B);                          /* ud2 */
	set(fx, LSTAR_RAX, RAM_END + 0x1000);      /* unmapped */
	run_ok(fx, 6);
	assert_int_equal(reg(fx, LSTAR_RIP), fx->lay.kernel_code + 19);
	struct lstar_exit ex = run_fault(fx, 1, 14);
	assert_int_equal(fault_rip(fx, &ex), fx->lay.kernel_code + 19);
	set(fx, LSTAR_RAX, DATA);
	set(fx, LSTAR_RIP, fx->lay.kernel_code + 19);
	set(fx, LSTAR_RSP, STACK_TOP);
	run_ok(fx, 1);
	ex = run_fault(fx, 1, 6);
	assert_int_equal(fault_rip(fx, &ex), fx->lay.kernel_code + 22);
}

/* CLFLUSH at CPL 3 of a supervisor page is a #PF (a user read), error
 * code P | U. */
static void test_clflush_user_supervisor_page(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = { 0x0F, 0xAE, 0x38 };   /* clflush [rax] */
	code_at(fx, USER_BASE, code, sizeof code);
	lstar_enter_cpl(fx->m, 3, 0x33, 0x2B);
	set(fx, LSTAR_RSP, USER_BASE + 0x1000);
	set(fx, LSTAR_RAX, DATA);
	struct lstar_exit ex = run_fault(fx, 1, 14);
	assert_int_equal(ex.error_code, 5);
	assert_int_equal(reg(fx, LSTAR_CR2), DATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mov_forms),
		T(test_mov_page_straddling),
		T(test_movzx_movsx_movsxd),
		T(test_lea_sizes),
		T(test_xchg_forms),
		T(test_xadd),
		T(test_cmpxchg),
		T(test_cmpxchg8b_16b),
		T(test_cmov),
		T(test_setcc),
		T(test_movbe_xlat),
		T(test_xlat_override_and_a32),
		T(test_flag_instructions),
		T(test_nops_clflush_ud2),
		T(test_clflush_user_supervisor_page),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
