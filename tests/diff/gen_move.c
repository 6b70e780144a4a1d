/*
 * gen_move.c - differential cases for the move family (cpu/move.c,
 * cpu/stack.c, cpu/string.c, cpu/misc.c): MOV MOVZX MOVSX MOVSXD LEA XCHG
 * XADD CMPXCHG CMPXCHG8B CMPXCHG16B CMOVcc SETcc MOVBE XLAT, PUSH POP
 * (registers, memory, immediates, RSP forms) ENTER LEAVE, MOVS STOS LODS
 * CMPS SCAS with and without REP/REPE/REPNE (DF = 0: the runner's host ABI
 * keeps DF clear), LAHF SAHF CLC STC CMC.  Branches are not covered here:
 * the runner requires RIP to end after the instruction.
 *
 * Instructions are encoded by hand (prefixes, REX, opcode, ModRM with a
 * [base + disp8] memory operand whose base register points into the data
 * window), so string prefixes and byte registers with and without REX are
 * all reachable.
 */
#include <string.h>
#include "diff.h"

/* An encoder for one instruction. */
struct enc {
	uint8_t pfx[4];
	unsigned npfx;
	bool rex_w, force_rex;
	uint8_t op[3];
	unsigned nop;
	bool modrm;
	unsigned reg;        /* ModRM.reg: register number or /digit */
	bool mem;            /* r/m is memory [base + disp8] */
	unsigned rm;         /* register number (r/m register or base) */
	int8_t disp;
	uint8_t imm[8];
	unsigned nimm;
};

/* Append one instruction to k->code. */
static bool emit(struct diff_case *k, const struct enc *e)
{
	unsigned n = k->len;
	for (unsigned p = 0; p < e->npfx; p++)
		k->code[n++] = e->pfx[p];
	uint8_t rex = 0x40 | (e->rex_w ? 8 : 0);
	if (e->modrm) {
		rex |= (e->reg & 8) ? 4 : 0;
		rex |= (e->rm & 8) ? 1 : 0;
	}
	if (rex != 0x40 || e->force_rex)
		k->code[n++] = rex;
	for (unsigned b = 0; b < e->nop; b++)
		k->code[n++] = e->op[b];
	if (e->modrm) {
		unsigned mod = e->mem ? 1 : 3;
		k->code[n++] = (uint8_t)((mod << 6) | ((e->reg & 7) << 3) | (e->rm & 7));
		if (e->mem)
			k->code[n++] = (uint8_t)e->disp;
	}
	for (unsigned b = 0; b < e->nimm; b++)
		k->code[n++] = e->imm[b];
	if (n - k->len > 15 || n > sizeof k->code)
		return false;
	k->len = (uint8_t)n;
	k->ninsn++;
	return true;
}

static void op1(struct enc *e, uint8_t a) { e->op[0] = a; e->nop = 1; }
static void op2(struct enc *e, uint8_t a, uint8_t b) { e->op[0] = a; e->op[1] = b; e->nop = 2; }
static void pfx(struct enc *e, uint8_t p) { e->pfx[e->npfx++] = p; }

static void imm(struct enc *e, uint64_t v, unsigned n)
{
	memcpy(e->imm, &v, n);
	e->nimm = n;
}

/* A general register other than RSP (and, when `not` is given, other
 * than that one too). */
static unsigned any_reg(struct diff_rng *g, int not)
{
	unsigned r;
	do
		r = diff_below(g, 16);
	while (r == 4 || (int)r == not);
	return r;
}

/* Memory operand [base + disp8] addressing `size` bytes at a random
 * window offset below the stack area (optionally aligned). */
static void mem_operand(struct diff_rng *g, struct diff_case *k, struct enc *e,
			unsigned size, unsigned align)
{
	unsigned base;
	do
		base = diff_below(g, 16);
	while ((base & 7) == 4);      /* RSP/R12 would need a SIB byte */
	unsigned off = 0x100 + diff_below(g, 0xC00 - size);
	if (align)
		off &= ~(align - 1);
	int disp = (int)diff_below(g, 256) - 128;
	e->mem = true;
	e->rm = base;
	e->disp = (int8_t)disp;
	k->r[base] = DIFF_MEM + off - (int64_t)disp;
}

/* Operand size: returns bytes and adds 66h / REX.W as needed. */
static unsigned opsize(struct diff_rng *g, struct enc *e, bool allow8)
{
	unsigned s = allow8 ? diff_below(g, 4) : 1 + diff_below(g, 3);
	switch (s) {
	case 0: return 1;
	case 1: pfx(e, 0x66); return 2;
	case 2: return 4;
	default: e->rex_w = true; return 8;
	}
}

/* r/m operand: register or memory. */
static void rm_operand(struct diff_rng *g, struct diff_case *k, struct enc *e,
		       unsigned size, bool allow_reg)
{
	e->modrm = true;
	if (allow_reg && diff_below(g, 2)) {
		e->mem = false;
		e->rm = any_reg(g, -1);
	} else {
		mem_operand(g, k, e, size, 0);
	}
	/* Byte registers: sometimes no REX, so 4-7 are AH CH DH BH. */
	if (size == 1 && diff_below(g, 2))
		e->force_rex = true;
}

/*
 * Half of the flag consumers (CMOVcc, SETcc, LAHF, CLC/STC/CMC, PUSHF,
 * ADC-free flag readers) run after an ALU instruction on two registers
 * other than RSP, so they read every lazy-flag state, not only flags set
 * from RFLAGS.
 */
static void flag_producer(struct diff_rng *g, struct diff_case *k)
{
	/* 01 add, 09 or, 11 adc, 19 sbb, 21 and, 29 sub, 31 xor, 39 cmp,
	 * 85 test; FF /0 inc, FF /1 dec, F7 /3 neg */
	static const uint8_t bin[] = { 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85 };
	struct enc e;
	if (diff_below(g, 2))
		return;
	memset(&e, 0, sizeof e);
	unsigned sz = opsize(g, &e, true);
	e.modrm = true;
	e.rm = any_reg(g, -1);
	e.force_rex = sz == 1;
	if (diff_below(g, 4)) {
		op1(&e, (uint8_t)(bin[diff_below(g, sizeof bin)] - (sz == 1)));
		e.reg = any_reg(g, -1);
	} else {
		static const uint8_t un[][2] = { { 0xFF, 0 }, { 0xFF, 1 }, { 0xF7, 3 } };
		unsigned u = diff_below(g, 3);
		op1(&e, (uint8_t)(un[u][0] - (sz == 1)));
		e.reg = un[u][1];
	}
	emit(k, &e);
}

enum kind {
	K_MOV, K_MOVI, K_MOVX, K_MOVSXD, K_LEA, K_XCHG, K_XADD_CMPXCHG,
	K_CMPXCHG8B, K_CMOV, K_SETCC, K_MOVBE, K_XLAT,
	K_PUSH, K_POP, K_PUSHI, K_ENTER, K_LEAVE, K_STR, K_FLAGOPS, K_PUSHF,
	K_POPF, K_NKIND
};

static bool gen_string(struct diff_rng *g, struct diff_case *k, struct enc *e)
{
	/* A4 movs, AA stos, AC lods, A6 cmps, AE scas; +1 for w/d/q */
	static const uint8_t ops[] = { 0xA4, 0xAA, 0xAC, 0xA6, 0xAE };
	uint8_t o = ops[diff_below(g, 5)];
	unsigned sz = 1u << diff_below(g, 4);
	if (sz == 2)
		pfx(e, 0x66);
	unsigned rep = diff_below(g, 4);   /* 0 none, 1 F3, 2 F2, 3 F3 */
	if (rep)
		pfx(e, rep == 2 ? 0xF2 : 0xF3);
	e->rex_w = sz == 8;
	op1(e, (uint8_t)(o + (sz > 1)));
	uint64_t cnt = rep ? diff_below(g, 80) : diff_value(g);
	uint64_t n = rep ? cnt : 1;
	unsigned room = 0xD00 - (unsigned)(n * sz);
	k->r[6] = DIFF_MEM + 0x40 + diff_below(g, room - 0x40);   /* RSI */
	k->r[7] = DIFF_MEM + 0x40 + diff_below(g, room - 0x40);   /* RDI */
	if (diff_below(g, 4) == 0)   /* close overlap, either way */
		k->r[7] = k->r[6] + diff_below(g, 17) - 8;
	if (k->r[7] < DIFF_MEM + 0x40)
		k->r[7] = DIFF_MEM + 0x40;
	k->r[1] = cnt;
	/* Comparisons that run a while: make the two areas mostly equal or
	 * mostly equal to AL/AX/EAX/RAX. */
	if (o == 0xA6 || o == 0xAE) {
		uint64_t fill = diff_below(g, 2) ? k->r[0] : diff_value(g);
		uint8_t *s = k->mem + (k->r[6] - DIFF_MEM), *d = k->mem + (k->r[7] - DIFF_MEM);
		for (uint64_t j = 0; j < n; j++) {
			memcpy(d + j * sz, &fill, sz);
			if (o == 0xA6)
				memcpy(s + j * sz, &fill, sz);
		}
		if (n && diff_below(g, 2)) {
			uint64_t j = diff_below(g, (unsigned)n);
			d[j * sz] ^= (uint8_t)(1u << diff_below(g, 8));
		}
	}
	return emit(k, e);
}

static bool gen(struct diff_rng *g, struct diff_case *k)
{
	struct enc e;
	memset(&e, 0, sizeof e);
	unsigned sz;

	switch ((enum kind)diff_below(g, K_NKIND)) {
	case K_MOV: /* 88/89 r/m <- r, 8A/8B r <- r/m */
		sz = opsize(g, &e, true);
		op1(&e, (uint8_t)((diff_below(g, 2) ? 0x88 : 0x8A) + (sz > 1)));
		rm_operand(g, k, &e, sz, true);
		e.reg = any_reg(g, (int)e.rm);
		return emit(k, &e);
	case K_MOVI: /* C6/C7 /0 r/m, imm; B8+r imm64 */
		if (diff_below(g, 3) == 0) {   /* REX.W B8+r imm64 */
			unsigned r = diff_below(g, 16);
			uint64_t v = diff_value(g);
			uint8_t *out = k->code + k->len;
			out[0] = (uint8_t)(0x48 | ((r & 8) ? 1 : 0));
			out[1] = (uint8_t)(0xB8 + (r & 7));
			memcpy(out + 2, &v, 8);
			k->len += 10;
			k->ninsn++;
			return true;
		}
		sz = opsize(g, &e, true);
		op1(&e, (uint8_t)(0xC6 + (sz > 1)));
		rm_operand(g, k, &e, sz, true);
		imm(&e, diff_value(g), sz > 4 ? 4 : sz);
		return emit(k, &e);
	case K_MOVX: { /* 0F B6/B7 movzx, 0F BE/BF movsx */
		bool word = diff_below(g, 2);
		sz = opsize(g, &e, false);
		if (word && sz == 2)
			return false;
		op2(&e, 0x0F, (uint8_t)((diff_below(g, 2) ? 0xB6 : 0xBE) + word));
		rm_operand(g, k, &e, word ? 2 : 1, true);
		e.reg = any_reg(g, -1);
		return emit(k, &e);
	}
	case K_MOVSXD:
		sz = opsize(g, &e, false);
		op1(&e, 0x63);
		rm_operand(g, k, &e, sz == 2 ? 2 : 4, true);
		e.reg = any_reg(g, -1);
		return emit(k, &e);
	case K_LEA:
		sz = opsize(g, &e, false);
		if (diff_below(g, 2))
			pfx(&e, 0x67);
		op1(&e, 0x8D);
		e.modrm = true;
		e.mem = true;
		e.rm = any_reg(g, -1);
		if ((e.rm & 7) == 4)
			e.rm = 3;
		e.disp = (int8_t)diff_below(g, 256);
		e.reg = any_reg(g, -1);
		return emit(k, &e);
	case K_XCHG: /* 86/87, 90+r */
		if (diff_below(g, 4) == 0) {   /* [66] [REX] 90+r: xchg rAX, r */
			unsigned r = 1 + diff_below(g, 15), n = k->len;
			unsigned s2 = diff_below(g, 3);
			if (s2 == 0)
				k->code[n++] = 0x66;
			if (s2 == 2 || (r & 8))
				k->code[n++] = (uint8_t)(0x40 | (s2 == 2 ? 8 : 0) | ((r & 8) ? 1 : 0));
			k->code[n++] = (uint8_t)(0x90 + (r & 7));
			k->len = (uint8_t)n;
			k->ninsn++;
			return true;
		}
		sz = opsize(g, &e, true);
		op1(&e, (uint8_t)(0x86 + (sz > 1)));
		rm_operand(g, k, &e, sz, true);
		e.reg = any_reg(g, (int)e.rm);
		if (e.mem && diff_below(g, 2))
			pfx(&e, 0xF0);
		return emit(k, &e);
	case K_XADD_CMPXCHG:
		sz = opsize(g, &e, true);
		/* 0F C0/C1 xadd, 0F B0/B1 cmpxchg */
		op2(&e, 0x0F, (uint8_t)((diff_below(g, 2) ? 0xB0 : 0xC0) + (sz > 1)));
		rm_operand(g, k, &e, sz, true);
		e.reg = any_reg(g, (int)e.rm);
		if (e.mem && diff_below(g, 2))
			pfx(&e, 0xF0);
		if (e.op[1] >= 0xB0 && diff_below(g, 2)) {
			/* make the comparison succeed */
			if (e.mem)
				memcpy(k->mem + (k->r[e.rm] + e.disp - DIFF_MEM), &k->r[0], sz);
			else
				k->r[e.rm] = k->r[0];
		}
		return emit(k, &e);
	case K_CMPXCHG8B: {
		bool x16 = diff_below(g, 2);
		op2(&e, 0x0F, 0xC7);
		e.modrm = true;
		e.reg = 1;
		e.rex_w = x16;
		mem_operand(g, k, &e, 16, 16);
		if (diff_below(g, 2))
			pfx(&e, 0xF0);
		if (diff_below(g, 2)) {
			uint8_t *p = k->mem + (k->r[e.rm] + e.disp - DIFF_MEM);
			memcpy(p, &k->r[0], x16 ? 8 : 4);
			memcpy(p + (x16 ? 8 : 4), &k->r[2], x16 ? 8 : 4);
		}
		if (e.rm == 0 || e.rm == 2 || e.rm == 1 || e.rm == 3)
			return false;   /* keep the base out of RDX:RAX/RCX:RBX */
		return emit(k, &e);
	}
	case K_CMOV:
		sz = opsize(g, &e, false);
		op2(&e, 0x0F, (uint8_t)(0x40 + diff_below(g, 16)));
		rm_operand(g, k, &e, sz, true);
		if (!e.mem)
			flag_producer(g, k);
		e.reg = any_reg(g, -1);
		return emit(k, &e);
	case K_SETCC:
		op2(&e, 0x0F, (uint8_t)(0x90 + diff_below(g, 16)));
		rm_operand(g, k, &e, 1, true);
		if (!e.mem)
			flag_producer(g, k);
		return emit(k, &e);
	case K_MOVBE:
		sz = opsize(g, &e, false);
		e.op[0] = 0x0F;
		e.op[1] = 0x38;
		e.op[2] = (uint8_t)(0xF0 + diff_below(g, 2));
		e.nop = 3;
		e.modrm = true;
		mem_operand(g, k, &e, sz, 0);
		e.reg = any_reg(g, (int)e.rm);
		return emit(k, &e);
	case K_XLAT:
		op1(&e, 0xD7);
		k->r[3] = DIFF_MEM + 0x100 + diff_below(g, 0xB00);
		e.rex_w = diff_below(g, 2);   /* REX.W: still XLAT */
		return emit(k, &e);
	case K_PUSH:
		if (diff_below(g, 2)) {   /* 50+r, maybe 66h */
			unsigned r = diff_below(g, 16);
			if (diff_below(g, 3) == 0)
				pfx(&e, 0x66);
			if (r & 8)
				pfx(&e, 0x41);
			op1(&e, (uint8_t)(0x50 + (r & 7)));
			return emit(k, &e);
		}
		op1(&e, 0xFF);            /* FF /6 push r/m */
		e.modrm = true;
		e.reg = 6;
		if (diff_below(g, 3) == 0)
			pfx(&e, 0x66);
		mem_operand(g, k, &e, 8, 0);
		return emit(k, &e);
	case K_POP:
		if (diff_below(g, 2)) {   /* 58+r */
			unsigned r = diff_below(g, 16);
			if (diff_below(g, 3) == 0)
				pfx(&e, 0x66);
			if (r & 8)
				pfx(&e, 0x41);
			op1(&e, (uint8_t)(0x58 + (r & 7)));
			return emit(k, &e);
		}
		op1(&e, 0x8F);            /* 8F /0 pop r/m */
		e.modrm = true;
		e.reg = 0;
		if (diff_below(g, 3) == 0)
			pfx(&e, 0x66);
		mem_operand(g, k, &e, 8, 0);
		return emit(k, &e);
	case K_PUSHI:
		if (diff_below(g, 3) == 0)
			pfx(&e, 0x66);
		if (diff_below(g, 2)) {
			op1(&e, 0x6A);
			imm(&e, diff_value(g), 1);
		} else {
			op1(&e, 0x68);
			imm(&e, diff_value(g), e.npfx ? 2 : 4);
		}
		return emit(k, &e);
	case K_ENTER:
		op1(&e, 0xC8);
		imm(&e, (diff_below(g, 0x40) & ~7u) | ((uint64_t)diff_below(g, 5) << 16), 3);
		k->r[5] = DIFF_MEM + 0x400 + 8 * diff_below(g, 0x80);   /* RBP */
		return emit(k, &e);
	case K_LEAVE:
		op1(&e, 0xC9);
		if (diff_below(g, 3) == 0)
			pfx(&e, 0x66);
		k->r[5] = DIFF_MEM + 0x100 + diff_below(g, 0xC00);
		return emit(k, &e);
	case K_STR:
		return gen_string(g, k, &e);
	case K_FLAGOPS: {
		static const uint8_t f[] = { 0x9F, 0x9E, 0xF8, 0xF9, 0xF5 };  /* lahf sahf clc stc cmc */
		flag_producer(g, k);
		op1(&e, f[diff_below(g, 5)]);
		return emit(k, &e);
	}
	case K_PUSHF:   /* 9C pushfq, 66 9C pushf */
		flag_producer(g, k);
		if (diff_below(g, 3) == 0)
			pfx(&e, 0x66);
		op1(&e, 0x9C);
		return emit(k, &e);
	case K_POPF: {  /* 9D popfq of arithmetic flags only: a native TF, AC
			 * or DF would trap, fault or upset the return path */
		uint64_t v = (diff_value(g) & DIFF_FLAGS_SETTABLE) | 0x202;
		memcpy(k->mem + (DIFF_STACK - DIFF_MEM), &v, 8);
		op1(&e, 0x9D);
		return emit(k, &e);
	}
	default:
		return false;
	}
}

DIFF_FAMILY(move, gen, 10);
