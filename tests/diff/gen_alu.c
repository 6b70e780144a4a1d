/*
 * gen_alu.c - differential cases for the integer ALU family: ADD ADC SUB
 * SBB CMP AND OR XOR TEST, NEG NOT INC DEC, MUL IMUL DIV IDIV, SHL SHR SAR
 * ROL ROR RCL RCR SHLD SHRD, BT BTS BTR BTC, BSF BSR TZCNT LZCNT POPCNT,
 * BSWAP, CBW CWDE CDQE CWD CDQ CQO, BMI1/BMI2/ADX (ANDN BEXTR BLSI BLSMSK
 * BLSR BZHI PDEP PEXT MULX SHLX SHRX SARX RORX ADCX ADOX); register and
 * memory forms, every width, LOCK on memory destinations.
 */
#include <stdlib.h>
#include <string.h>
#include "diff.h"

#define F_CF 0x001ULL
#define F_PF 0x004ULL
#define F_AF 0x010ULL
#define F_ZF 0x040ULL
#define F_SF 0x080ULL
#define F_OF 0x800ULL
#define F_ARITH 0x8D5ULL

enum cls { BIN, UN, MD1, IMUL2, IMUL3, SHIFT, SHXD, BTX, SCAN, BSWAP, CONV,
	   VEX3, VEX2, RORXC, ADX };

static const struct mn {
	ZydisMnemonic m;
	enum cls cls;
	bool lockable;
} mns[] = {
	{ ZYDIS_MNEMONIC_ADD, BIN, 1 }, { ZYDIS_MNEMONIC_ADC, BIN, 1 },
	{ ZYDIS_MNEMONIC_SUB, BIN, 1 }, { ZYDIS_MNEMONIC_SBB, BIN, 1 },
	{ ZYDIS_MNEMONIC_CMP, BIN, 0 }, { ZYDIS_MNEMONIC_AND, BIN, 1 },
	{ ZYDIS_MNEMONIC_OR, BIN, 1 }, { ZYDIS_MNEMONIC_XOR, BIN, 1 },
	{ ZYDIS_MNEMONIC_TEST, BIN, 0 },
	{ ZYDIS_MNEMONIC_NEG, UN, 1 }, { ZYDIS_MNEMONIC_NOT, UN, 1 },
	{ ZYDIS_MNEMONIC_INC, UN, 1 }, { ZYDIS_MNEMONIC_DEC, UN, 1 },
	{ ZYDIS_MNEMONIC_MUL, MD1, 0 }, { ZYDIS_MNEMONIC_IMUL, MD1, 0 },
	{ ZYDIS_MNEMONIC_DIV, MD1, 0 }, { ZYDIS_MNEMONIC_IDIV, MD1, 0 },
	{ ZYDIS_MNEMONIC_IMUL, IMUL2, 0 }, { ZYDIS_MNEMONIC_IMUL, IMUL3, 0 },
	{ ZYDIS_MNEMONIC_SHL, SHIFT, 0 }, { ZYDIS_MNEMONIC_SHR, SHIFT, 0 },
	{ ZYDIS_MNEMONIC_SAR, SHIFT, 0 }, { ZYDIS_MNEMONIC_ROL, SHIFT, 0 },
	{ ZYDIS_MNEMONIC_ROR, SHIFT, 0 }, { ZYDIS_MNEMONIC_RCL, SHIFT, 0 },
	{ ZYDIS_MNEMONIC_RCR, SHIFT, 0 },
	{ ZYDIS_MNEMONIC_SHLD, SHXD, 0 }, { ZYDIS_MNEMONIC_SHRD, SHXD, 0 },
	{ ZYDIS_MNEMONIC_BT, BTX, 0 }, { ZYDIS_MNEMONIC_BTS, BTX, 1 },
	{ ZYDIS_MNEMONIC_BTR, BTX, 1 }, { ZYDIS_MNEMONIC_BTC, BTX, 1 },
	{ ZYDIS_MNEMONIC_BSF, SCAN, 0 }, { ZYDIS_MNEMONIC_BSR, SCAN, 0 },
	{ ZYDIS_MNEMONIC_TZCNT, SCAN, 0 }, { ZYDIS_MNEMONIC_LZCNT, SCAN, 0 },
	{ ZYDIS_MNEMONIC_POPCNT, SCAN, 0 },
	{ ZYDIS_MNEMONIC_BSWAP, BSWAP, 0 },
	{ ZYDIS_MNEMONIC_CBW, CONV, 0 }, { ZYDIS_MNEMONIC_CWDE, CONV, 0 },
	{ ZYDIS_MNEMONIC_CDQE, CONV, 0 }, { ZYDIS_MNEMONIC_CWD, CONV, 0 },
	{ ZYDIS_MNEMONIC_CDQ, CONV, 0 }, { ZYDIS_MNEMONIC_CQO, CONV, 0 },
	{ ZYDIS_MNEMONIC_ANDN, VEX3, 0 }, { ZYDIS_MNEMONIC_BEXTR, VEX3, 0 },
	{ ZYDIS_MNEMONIC_BZHI, VEX3, 0 }, { ZYDIS_MNEMONIC_PDEP, VEX3, 0 },
	{ ZYDIS_MNEMONIC_PEXT, VEX3, 0 }, { ZYDIS_MNEMONIC_MULX, VEX3, 0 },
	{ ZYDIS_MNEMONIC_SHLX, VEX3, 0 }, { ZYDIS_MNEMONIC_SHRX, VEX3, 0 },
	{ ZYDIS_MNEMONIC_SARX, VEX3, 0 },
	{ ZYDIS_MNEMONIC_BLSI, VEX2, 0 }, { ZYDIS_MNEMONIC_BLSMSK, VEX2, 0 },
	{ ZYDIS_MNEMONIC_BLSR, VEX2, 0 }, { ZYDIS_MNEMONIC_RORX, RORXC, 0 },
	{ ZYDIS_MNEMONIC_ADCX, ADX, 0 }, { ZYDIS_MNEMONIC_ADOX, ADX, 0 },
};
#define NMN (sizeof mns / sizeof mns[0])

/* An operand as the generator placed it. */
struct gop {
	bool mem;
	int reg;         /* GPR number (register operand) */
	bool high8;      /* AH CH DH BH */
	uint64_t addr;   /* memory operand address */
};

static uint64_t smask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void set_val(struct diff_case *k, const struct gop *o, unsigned size, uint64_t v)
{
	if (o->mem) {
		memcpy(k->mem + (o->addr - DIFF_MEM), &v, size);
	} else if (o->high8) {
		k->r[o->reg] = (k->r[o->reg] & ~0xFF00ULL) | ((v & 0xFF) << 8);
	} else {
		k->r[o->reg] = (k->r[o->reg] & ~smask(size)) | (v & smask(size));
	}
}

static uint64_t get_val(const struct diff_case *k, const struct gop *o, unsigned size)
{
	uint64_t v = 0;

	if (o->mem)
		memcpy(&v, k->mem + (o->addr - DIFF_MEM), size);
	else if (o->high8)
		v = (k->r[o->reg] >> 8) & 0xFF;
	else
		v = k->r[o->reg] & smask(size);
	return v;
}

/* Index register of the current case's memory operand (-1: none).  Never
 * handed out by pick_reg() once chosen, so no later set_val() can move the
 * address. */
static int mem_index = -1;

/* A GPR other than RSP, the memory index and `avoid`/`avoid2` (-1: none). */
static int pick_reg(struct diff_rng *g, int avoid, int avoid2)
{
	int r;
	do
		r = (int)diff_below(g, 16);
	while (r == 4 || r == avoid || r == avoid2 || r == mem_index);
	return r;
}

/* Fill a register operand of `size`; 8-bit registers sometimes AH..BH. */
static void reg_op(struct diff_rng *g, ZydisEncoderOperand *eo, struct gop *o,
		   unsigned size, int avoid, int avoid2)
{
	memset(o, 0, sizeof *o);
	o->reg = pick_reg(g, avoid, avoid2);
	eo->type = ZYDIS_OPERAND_TYPE_REGISTER;
	if (size == 1 && o->reg < 4 && diff_below(g, 4) == 0) {
		o->high8 = true;
		eo->reg.value = (ZydisRegister)(ZYDIS_REGISTER_AH + o->reg);
	} else {
		eo->reg.value = diff_gpr((unsigned)o->reg, size);
	}
}

/* A memory operand [base + disp] inside the window; the base register is
 * never RAX RCX RDX RSP (hidden operands and counts get set later). */
static int mem_op(struct diff_rng *g, struct diff_case *k, ZydisEncoderOperand *eo,
		  struct gop *o, unsigned size)
{
	static const int bases[] = { 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	int b = bases[diff_below(g, sizeof bases / sizeof bases[0])];
	int64_t disp = diff_below(g, 3) ? (int64_t)diff_below(g, 256) - 128 : 0;
	uint64_t addr = DIFF_MEM + 0x300 + diff_below(g, 0x800);

	if (diff_below(g, 2))
		addr &= ~(uint64_t)(size - 1);  /* often aligned */
	memset(o, 0, sizeof *o);
	o->mem = true;
	o->addr = addr;
	k->r[b] = addr - (uint64_t)disp;
	eo->type = ZYDIS_OPERAND_TYPE_MEMORY;
	eo->mem.base = diff_gpr((unsigned)b, 8);
	eo->mem.index = ZYDIS_REGISTER_NONE;
	eo->mem.scale = 0;
	if (diff_below(g, 3) == 0) {
		/* [base + index*scale + disp] with a small signed index */
		int x;
		do
			x = bases[diff_below(g, sizeof bases / sizeof bases[0])];
		while (x == b);
		unsigned scale = 1u << diff_below(g, 4);
		int64_t iv = (int64_t)diff_below(g, 64) - 32;
		k->r[x] = (uint64_t)iv;
		k->r[b] -= (uint64_t)(iv * (int64_t)scale);
		eo->mem.index = diff_gpr((unsigned)x, 8);
		eo->mem.scale = (ZyanU8)scale;
		mem_index = x;
	}
	eo->mem.displacement = disp;
	eo->mem.size = (ZyanU16)size;
	return b;
}

static int64_t imm_for(uint64_t v, unsigned size)
{
	switch (size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	default: return (int32_t)v;
	}
}

/* Shift counts worth testing (the count is masked by the CPU). */
static uint8_t pick_count(struct diff_rng *g)
{
	static const uint8_t counts[] = {
		0, 1, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65,
		127, 128, 255,
	};
	if (diff_below(g, 4) == 0)
		return (uint8_t)diff_rand(g);
	return counts[diff_below(g, sizeof counts / sizeof counts[0])];
}

/*
 * A flag producer run before the instruction under test, so that it starts
 * from each kind of lazy flag state (cpu/flags.c) rather than from flags
 * loaded into RFLAGS.  It only writes a scratch slot of the window at an
 * absolute address, never a register the instruction under test uses.
 */
#define SCRATCH (DIFF_MEM + 0x100)

static bool gen_producer(struct diff_rng *g, struct diff_case *k)
{
	static const ZydisMnemonic prod[] = {
		ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SUB,
		ZYDIS_MNEMONIC_SBB, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_OR,
		ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_TEST,
		ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_NEG,
		ZYDIS_MNEMONIC_SHL,
	};
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	unsigned size = sizes[diff_below(g, 4)];
	ZydisEncoderRequest q;
	uint64_t v = diff_value(g);

	memset(&q, 0, sizeof q);
	q.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	q.mnemonic = prod[diff_below(g, sizeof prod / sizeof prod[0])];
	q.operands[0].type = ZYDIS_OPERAND_TYPE_MEMORY;
	q.operands[0].mem.base = ZYDIS_REGISTER_NONE;
	q.operands[0].mem.index = ZYDIS_REGISTER_NONE;
	q.operands[0].mem.displacement = (ZyanI64)SCRATCH;
	q.operands[0].mem.size = (ZyanU16)size;
	memcpy(k->mem + (SCRATCH - DIFF_MEM), &v, 8);
	switch (q.mnemonic) {
	case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: case ZYDIS_MNEMONIC_NEG:
		q.operand_count = 1;
		break;
	case ZYDIS_MNEMONIC_SHL:
		q.operand_count = 2;
		q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
		q.operands[1].imm.u = 1;
		break;
	default:
		q.operand_count = 2;
		if (diff_below(g, 2)) {
			q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[1].imm.s = imm_for(diff_value(g), size);
		} else {
			/* any register: only read */
			int r = pick_reg(g, -1, -1);
			q.operands[1].type = ZYDIS_OPERAND_TYPE_REGISTER;
			q.operands[1].reg.value = diff_gpr((unsigned)r, size);
		}
		break;
	}
	if (!diff_encode(k, &q))
		return false;
	if (diff_below(g, 2))
		return true;
	/* Then a 64-bit register rotated one way and back by the same count:
	 * the value is unchanged (so any register will do; a 32-bit rotate
	 * would clear the upper half), CF and OF are the second rotate's,
	 * and the arithmetic record of the producer stays live under them
	 * (FL_ROT in cpu/flags.h; test_alu.c has the 32-bit rotates). */
	unsigned cnt = (unsigned)diff_rand(g) & 63;
	ZydisRegister reg = diff_gpr((unsigned)pick_reg(g, -1, -1), 8);
	bool left_first = diff_below(g, 2);
	for (int n = 0; n < 2; n++) {
		memset(&q, 0, sizeof q);
		q.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
		q.mnemonic = (n == 0) == left_first ? ZYDIS_MNEMONIC_ROL : ZYDIS_MNEMONIC_ROR;
		q.operand_count = 2;
		q.operands[0].type = ZYDIS_OPERAND_TYPE_REGISTER;
		q.operands[0].reg.value = reg;
		q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
		q.operands[1].imm.u = cnt;
		if (!diff_encode(k, &q))
			return false;
	}
	return true;
}

static bool gen_alu(struct diff_rng *g, struct diff_case *k)
{
	mem_index = -1;
	if (diff_below(g, 4) == 0 && !gen_producer(g, k))
		return false;

	const struct mn *mn = &mns[diff_below(g, NMN)];
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	unsigned size = sizes[diff_below(g, 4)];
	ZydisEncoderRequest q;
	struct gop o[3];
	int base = -1;
	bool mem = diff_below(g, 3) == 0;

	memset(&q, 0, sizeof q);
	memset(o, 0, sizeof o);
	q.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	q.mnemonic = mn->m;

	switch (mn->cls) {
	case BIN:
		q.operand_count = 2;
		if (mem && diff_below(g, 2)) {  /* r/m is the destination */
			base = mem_op(g, k, &q.operands[0], &o[0], size);
			if (mn->lockable && diff_below(g, 3) == 0)
				q.prefixes = ZYDIS_ATTRIB_HAS_LOCK;
		} else {
			reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		}
		if (diff_below(g, 3) == 0) {
			q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[1].imm.s = imm_for(diff_value(g), size);
		} else if (mem && base < 0 && mn->m != ZYDIS_MNEMONIC_TEST) {
			base = mem_op(g, k, &q.operands[1], &o[1], size);
		} else {
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		}
		break;
	case UN:
		q.operand_count = 1;
		if (mem) {
			mem_op(g, k, &q.operands[0], &o[0], size);
			if (diff_below(g, 3) == 0)
				q.prefixes = ZYDIS_ATTRIB_HAS_LOCK;
		} else {
			reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		}
		break;
	case MD1: {
		bool div = mn->m == ZYDIS_MNEMONIC_DIV || mn->m == ZYDIS_MNEMONIC_IDIV;
		q.operand_count = 1;
		if (mem)
			mem_op(g, k, &q.operands[0], &o[0], size);
		else
			reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		if (div && diff_below(g, 4)) {
			/* Make most dividends fit: a high half below the
			 * divisor (DIV) or the sign of the low half (IDIV). */
			bool touches = !o[0].mem && (o[0].reg == 0 || o[0].reg == 2);
			uint64_t d = get_val(k, &o[0], size);
			if (!touches && d != 0) {
				uint64_t hi;
				if (mn->m == ZYDIS_MNEMONIC_DIV) {
					hi = diff_rand(g) % d;
				} else {
					int64_t lo = (int64_t)(k->r[0] << (64 - 8 * size)) >> (64 - 8 * size);
					hi = lo < 0 ? ~0ULL : 0;
					if (diff_below(g, 4) == 0)
						hi = (uint64_t)(int64_t)diff_below(g, 3) - 1;
				}
				if (size == 1)
					k->r[0] = (k->r[0] & ~0xFF00ULL) | ((hi & 0xFF) << 8);
				else
					k->r[2] = (k->r[2] & ~smask(size)) | (hi & smask(size));
			}
		}
		break;
	}
	case IMUL2:
	case IMUL3:
		if (size == 1)
			size = 1u << (1 + diff_below(g, 3));
		q.operand_count = mn->cls == IMUL2 ? 2 : 3;
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		if (mem)
			mem_op(g, k, &q.operands[1], &o[1], size);
		else
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		if (mn->cls == IMUL3) {
			q.operands[2].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[2].imm.s = imm_for(diff_value(g), diff_below(g, 2) ? 1 : size);
		}
		break;
	case SHIFT:
	case SHXD: {
		unsigned cnt, n = mn->cls == SHIFT ? 1 : 2, bits;
		int form = (int)diff_below(g, 3);   /* 0: CL, 1: imm, 2: 1 */
		uint64_t fl;

		if (mn->cls == SHXD && size == 1)
			size = 1u << (1 + diff_below(g, 3));
		bits = size * 8;
		q.operand_count = (ZyanU8)(n + 1);
		if (mem)
			base = mem_op(g, k, &q.operands[0], &o[0], size);
		else
			reg_op(g, &q.operands[0], &o[0], size, 1, -1);
		if (mn->cls == SHXD)
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		cnt = pick_count(g);
		if (form == 0) {
			if (!o[0].mem && o[0].reg == 1)
				return false;
			q.operands[n].type = ZYDIS_OPERAND_TYPE_REGISTER;
			q.operands[n].reg.value = ZYDIS_REGISTER_CL;
			k->r[1] = (k->r[1] & ~0xFFULL) | cnt;
			if (mn->cls == SHXD && o[1].reg == 1)
				cnt = (unsigned)(k->r[1] & 0xFF);
		} else {
			if (form == 2)
				cnt = 1;
			q.operands[n].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[n].imm.u = cnt;
		}
		if (base == 1)
			return false;
		cnt &= size == 8 ? 63 : 31;
		/* Compared flags: all when the count is 0 (unchanged);
		 * else the defined ones (OF only for a count of 1). */
		if (cnt == 0) {
			fl = F_ARITH;
		} else {
			switch (mn->m) {
			case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR:
			case ZYDIS_MNEMONIC_RCL: case ZYDIS_MNEMONIC_RCR:
				fl = F_ARITH & ~F_OF;
				break;
			default:
				fl = F_CF | F_PF | F_ZF | F_SF;
				/* CF undefined for SHL/SHR counts >= the width */
				if ((mn->m == ZYDIS_MNEMONIC_SHL || mn->m == ZYDIS_MNEMONIC_SHR) &&
				    cnt >= bits)
					fl &= ~F_CF;
				break;
			}
			if (cnt == 1)
				fl |= F_OF;
		}
		if (mn->cls == SHXD && size == 2 && cnt > 16) {
			/* result and flags undefined: lstar matches AMD Zen;
			 * set DIFF_SHXD16=1 to compare them on such a host */
			static int strict16 = -1;
			if (strict16 < 0)
				strict16 = getenv("DIFF_SHXD16") != NULL;
			if (!strict16) {
				if (o[0].mem)
					return false;
				fl = 0;
				k->reg_ignore |= (uint16_t)(1u << o[0].reg);
			} else {
				fl = F_ARITH;
			}
		}
		k->flags_cmp = fl;
		k->flags_cmp_set = true;
		break;
	}
	case BTX:
		if (size == 1)
			size = 1u << (1 + diff_below(g, 3));
		q.operand_count = 2;
		if (mem) {
			base = mem_op(g, k, &q.operands[0], &o[0], size);
			if (mn->lockable && diff_below(g, 3) == 0)
				q.prefixes = ZYDIS_ATTRIB_HAS_LOCK;
		} else {
			reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		}
		if (diff_below(g, 2)) {
			q.operands[1].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
			q.operands[1].imm.u = pick_count(g);
		} else {
			reg_op(g, &q.operands[1], &o[1], size, base, -1);
			if (mem) /* a bit offset within +-1024 bits of the base */
				set_val(k, &o[1], size, (uint64_t)((int64_t)diff_below(g, 2048) - 1024));
		}
		break;
	case SCAN:
		if (size == 1)
			size = 1u << (1 + diff_below(g, 3));
		q.operand_count = 2;
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		if (mem)
			mem_op(g, k, &q.operands[1], &o[1], size);
		else
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		if (diff_below(g, 5) == 0)
			set_val(k, &o[1], size, 0);
		break;
	case BSWAP:
		if (diff_below(g, 4) == 0) {
			/* 16-bit BSWAP (undefined result; both vendors clear
			 * the word): the encoder refuses it, so use bytes. */
			int r = pick_reg(g, -1, -1);
			uint8_t *p = k->code + k->len;
			*p++ = 0x66;
			if (r >= 8)
				*p++ = 0x41;
			*p++ = 0x0F;
			*p++ = (uint8_t)(0xC8 + (r & 7));
			k->len = (uint8_t)(p - k->code);
			k->ninsn++;
			return true;
		}
		size = diff_below(g, 2) ? 4 : 8;
		q.operand_count = 1;
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		break;
	case CONV:
		q.operand_count = 0;
		break;
	case VEX3: {
		/* r/m is the last operand for ANDN PDEP PEXT MULX, else the
		 * middle one (BEXTR BZHI SHLX SHRX SARX: vvvv is last). */
		bool rm_last = mn->m == ZYDIS_MNEMONIC_ANDN || mn->m == ZYDIS_MNEMONIC_PDEP ||
			       mn->m == ZYDIS_MNEMONIC_PEXT || mn->m == ZYDIS_MNEMONIC_MULX;
		int rm = rm_last ? 2 : 1, vv = rm_last ? 1 : 2;
		size = diff_below(g, 2) ? 4 : 8;
		q.operand_count = 3;
		if (mem)
			base = mem_op(g, k, &q.operands[rm], &o[rm], size);
		else
			reg_op(g, &q.operands[rm], &o[rm], size, -1, -1);
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		reg_op(g, &q.operands[vv], &o[vv], size, base, mn->m == ZYDIS_MNEMONIC_MULX ? 2 : -1);
		if (mn->m == ZYDIS_MNEMONIC_BEXTR && diff_below(g, 2))
			set_val(k, &o[vv], size, diff_below(g, 80) | (diff_below(g, 80) << 8));
		if (mn->m == ZYDIS_MNEMONIC_BZHI && diff_below(g, 2))
			set_val(k, &o[vv], size, diff_below(g, 80));
		break;
	}
	case VEX2:
	case ADX:
		size = diff_below(g, 2) ? 4 : 8;
		q.operand_count = 2;
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		if (mem)
			mem_op(g, k, &q.operands[1], &o[1], size);
		else
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		if (mn->cls == VEX2 && diff_below(g, 5) == 0)
			set_val(k, &o[1], size, 0);
		break;
	case RORXC:
		size = diff_below(g, 2) ? 4 : 8;
		q.operand_count = 3;
		reg_op(g, &q.operands[0], &o[0], size, -1, -1);
		if (mem)
			mem_op(g, k, &q.operands[1], &o[1], size);
		else
			reg_op(g, &q.operands[1], &o[1], size, -1, -1);
		q.operands[2].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
		q.operands[2].imm.u = pick_count(g);
		break;
	}
	return diff_encode(k, &q);
}

DIFF_FAMILY(alu, gen_alu, 10)
