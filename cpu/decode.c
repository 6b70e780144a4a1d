/*
 * decode.c - Zydis -> struct insn, grouped into cached blocks.
 *
 * Guest code is decoded once per (virtual address, physical address) into a
 * block: a run of predecoded instructions that ends at a control transfer
 * (INSN_END_BLOCK in ops_*.def), at the end of a page, or after
 * BLOCK_MAX instructions.  The run loop looks blocks up by RIP; only a block
 * miss calls Zydis.
 *
 * Staleness.  A block depends on:
 *  - the bytes of its physical page(s): each RAM page has a generation
 *    number (machine.page_gen) that is bumped whenever a page holding
 *    decoded code is written (emu/memory.c); a block remembers the
 *    generations it was decoded under and is ignored once they differ;
 *  - the virtual->physical mapping: the lookup translates RIP through the
 *    TLB/page tables first and compares the physical address too, so a
 *    change of CR3 or of a PTE can never run stale code;
 *  - nothing else: decoding does not depend on CPL, CR0 or CR4.
 * Blocks live in a bounded arena; when it is full every block is dropped
 * at once (the cache never grows beyond DC_ARENA bytes).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <Zydis/Zydis.h>
#include "cpu.h"
#include "decode.h"
#include "forms.h"
#include "mmu.h"
#include "ops.h"
#include "bus.h"

/* Blocks are arrays of these: keep them at 80 bytes. */
_Static_assert(sizeof(struct insn) == 80, "struct insn grew");

/* ---- the dispatch tables, from ops*.def ---------------------------------- */

/* Every OP row: the general handler and flags of a mnemonic. */
struct opentry {
	insn_fn fn;
	uint8_t flags;
};

static const struct opentry optab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
#define OP(mn, fn, fl, note) [ZYDIS_MNEMONIC_##mn] = { fn, fl },
#include "ops.def"
#undef OP
};

/* Every FORM row, in table order: a handler for the instructions of a
 * mnemonic that satisfy a predicate of cpu/forms.h. */
struct formentry {
	uint16_t mnem;
	bool (*match)(const struct insn *i);
	insn_fn fn;
};

static const struct formentry formtab[] = {
#define FORM(mn, form, fn, note) { ZYDIS_MNEMONIC_##mn, form_##form, fn },
#include "ops.def"
#undef FORM
};
#define NFORMS (sizeof formtab / sizeof formtab[0])

/* Every FUSE row, in table order: the fast path's handler for an
 * instruction of a mnemonic and form followed by a Jcc rel (fuse_tail). */
struct fuseentry {
	uint16_t mnem;
	bool (*match)(const struct insn *i);
	const insn_fn *fn;   /* [16]: per condition code of the Jcc */
};

static const struct fuseentry fusetab[] = {
#define FUSE(mn, form, fn, note) { ZYDIS_MNEMONIC_##mn, form_##form, fn },
#include "ops.def"
#undef FUSE
};

/* A FORM or FUSE refines an OP row: one without it is a build error, as is a
 * mnemonic with two OP rows (a duplicate enumerator). */
enum {
#define OP(mn, fn, fl, note) OPROW_##mn,
#include "ops.def"
#undef OP
};
#define FORM(mn, form, fn, note) _Static_assert(OPROW_##mn >= 0, "");
#define FUSE(mn, form, fn, note) _Static_assert(OPROW_##mn >= 0, "");
#include "ops.def"
#undef FORM
#undef FUSE

/* The FORM rows of each mnemonic, chained in table order: form_first[m]
 * and form_next[k] hold a row index + 1 (0 ends the chain).  Built once,
 * before main(). */
static uint16_t form_first[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static uint16_t form_next[NFORMS];

__attribute__((constructor)) static void form_chains(void)
{
	for (size_t k = NFORMS; k-- > 0;) {
		form_next[k] = form_first[formtab[k].mnem];
		form_first[formtab[k].mnem] = (uint16_t)(k + 1);
	}
}

size_t decode_handled_mnemonics(void)
{
	size_t n = 0;
	for (size_t k = 0; k <= ZYDIS_MNEMONIC_MAX_VALUE; k++)
		n += optab[k].fn != NULL;
	return n;
}

/* An encoding Zydis rejects (undefined opcode, LOCK where not allowed, too
 * long...): architecturally #UD, no diagnostic needed. */
static void op_invalid(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_fault(c, EXC_UD, 0);
}

/* ---- the cache ---------------------------------------------------------- */

#define BLOCK_MAX 64
#define DC_HASH_BITS 14
#define DC_HASH_SIZE (1u << DC_HASH_BITS)
#define DC_ARENA (32u << 20)

struct decode_cache {
	struct block *hash[DC_HASH_SIZE]; /* chained by block.next */
	uint8_t *arena;                   /* bump allocator for blocks */
	size_t used;
	uint64_t flushes;                 /* times the whole cache was dropped */
	uint64_t made;                    /* blocks decoded so far */
	ZydisDecoder dec;
};

static inline unsigned dc_hash(uint64_t va)
{
	return (unsigned)((va ^ (va >> DC_HASH_BITS) ^ (va >> 28)) & (DC_HASH_SIZE - 1));
}

int decode_init(struct cpu *c)
{
	struct decode_cache *dc = calloc(1, sizeof *dc);
	if (!dc)
		return -1;
	/* Reserved, not committed: host memory grows with the code decoded. */
	dc->arena = mmap(NULL, DC_ARENA, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dc->arena == MAP_FAILED) {
		free(dc);
		return -1;
	}
	ZydisDecoderInit(&dc->dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	/* lstar is a CPU without MPX (CPUID.7.0:EBX[14] = 0), on which 0F 1A
	 * and 0F 1B are reserved NOPs for every prefix, ModRM and BND
	 * register number.  Zydis's MPX mode would name them BNDxx and refuse
	 * BND4-7 (#UD), which only an MPX-enabled CPU does (cpu/misc.c). */
	ZydisDecoderEnableMode(&dc->dec, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
	c->dc = dc;
	return 0;
}

void decode_free(struct cpu *c)
{
	if (c->dc) {
		munmap(c->dc->arena, DC_ARENA);
		free(c->dc);
		c->dc = NULL;
	}
}

void decode_flush_all(struct cpu *c)
{
	struct decode_cache *dc = c->dc;
	chain_bump(c);
	c->last_block = NULL;
	memset(dc->hash, 0, sizeof dc->hash);
	dc->used = 0;
	dc->flushes++;
	cpu_leave_block(c);
}

void decode_invalidate_page(struct cpu *c, uint64_t pa)
{
	uint64_t p = pa >> 12;
	c->bus->page_gen[p]++;
	c->bus->code_page[p] = 0;
	chain_bump(c);
	/* The running block may be the one just overwritten. */
	cpu_leave_block(c);
}

static inline bool block_valid(const struct cpu *c, const struct block *b)
{
	const uint32_t *gen = c->bus->page_gen;
	if (b->pa >= c->ram_size)
		return false;  /* code outside RAM is decoded afresh every time */
	if (gen[b->pa >> 12] != b->gen)
		return false;
	if (b->pa2 != ~0ULL && gen[b->pa2 >> 12] != b->gen2)
		return false;
	return true;
}

/* Mark a physical page as holding code: remove write-TLB entries that map
 * it, so later writes take the slow path and invalidate. */
static void mark_code_page(struct cpu *c, uint64_t pa)
{
	uint8_t *code_page = c->bus->code_page;
	uint64_t p = pa >> 12;
	if (p >= (c->ram_size >> 12) || code_page[p])
		return;
	code_page[p] = 1;
	for (unsigned k = 0; k < TLB_SIZE; k++)
		if (c->tlb_w[k].pa == (pa & ~0xFFFULL))
			c->tlb_w[k].tag = ~0ULL;
}

/* ---- Zydis -> struct insn ----------------------------------------------- */

static uint8_t map_seg(ZydisRegister r)
{
	switch (r) {
	case ZYDIS_REGISTER_ES: return SEG_ES;
	case ZYDIS_REGISTER_CS: return SEG_CS;
	case ZYDIS_REGISTER_SS: return SEG_SS;
	case ZYDIS_REGISTER_DS: return SEG_DS;
	case ZYDIS_REGISTER_FS: return SEG_FS;
	case ZYDIS_REGISTER_GS: return SEG_GS;
	default: return SEG_NONE;
	}
}

/* General register number of a 16/32/64-bit register (for addresses). */
static uint8_t gpr_num(ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_NONE)
		return NOREG;
	switch (ZydisRegisterGetClass(r)) {
	case ZYDIS_REGCLASS_GPR16:
	case ZYDIS_REGCLASS_GPR32:
	case ZYDIS_REGCLASS_GPR64:
		return (uint8_t)ZydisRegisterGetId(r);
	default:
		return NOREG;
	}
}

static void map_reg(struct operand *o, ZydisRegister r)
{
	int id = ZydisRegisterGetId(r);
	switch (ZydisRegisterGetClass(r)) {
	case ZYDIS_REGCLASS_GPR8:
		/* Zydis order: AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B..R15B */
		if (id < 4) {
			o->kind = OK_GPR; o->reg = (uint8_t)id;
		} else if (id < 8) {
			o->kind = OK_GPR8H; o->reg = (uint8_t)(id - 4);
		} else {
			o->kind = OK_GPR; o->reg = (uint8_t)(id - 4);
		}
		break;
	case ZYDIS_REGCLASS_GPR16:
	case ZYDIS_REGCLASS_GPR32:
	case ZYDIS_REGCLASS_GPR64:
		o->kind = OK_GPR; o->reg = (uint8_t)id; break;
	case ZYDIS_REGCLASS_SEGMENT:
		o->kind = OK_SREG; o->reg = map_seg(r); break;
	case ZYDIS_REGCLASS_CONTROL:
		o->kind = OK_CR; o->reg = (uint8_t)id; break;
	case ZYDIS_REGCLASS_DEBUG:
		o->kind = OK_DR; o->reg = (uint8_t)id; break;
	case ZYDIS_REGCLASS_XMM:
	case ZYDIS_REGCLASS_YMM:   /* o->size (32) tells the two apart */
		o->kind = OK_XMM; o->reg = (uint8_t)id; break;
	case ZYDIS_REGCLASS_MMX:
		o->kind = OK_MMX; o->reg = (uint8_t)id; break;
	case ZYDIS_REGCLASS_X87:
		o->kind = OK_ST; o->reg = (uint8_t)id; break;
	default:
		o->kind = OK_OTHER; o->reg = (uint8_t)(id < 0 ? 0 : id); break;
	}
}

static unsigned cond_code(const ZydisDecodedInstruction *d)
{
	uint8_t op = d->opcode;
	if (d->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && op >= 0x70 && op <= 0x7F)
		return op & 0xF;
	if (d->opcode_map == ZYDIS_OPCODE_MAP_0F &&
	    ((op >= 0x80 && op <= 0x9F) || (op >= 0x40 && op <= 0x4F)))
		return op & 0xF;
	return 0;
}

/*
 * The CPUF_* feature an instruction needs, from Zydis's ISA set; 0 for the
 * x86-64 baseline.  VEX forms of an SSE-era instruction (VAESENC,
 * VPCLMULQDQ) need AVX as well.  The 256-bit VAES and VPCLMULQDQ forms are
 * never implemented: they map to a bit no model has.
 */
#define CPUF_NEVER (1u << 31)
static unsigned isa_feature(const ZydisDecodedInstruction *d)
{
	unsigned vex = (d->attributes & ZYDIS_ATTRIB_HAS_VEX) ? CPUF_AVX : 0;
	switch (d->meta.isa_set) {
	case ZYDIS_ISA_SET_SSE3: case ZYDIS_ISA_SET_SSE3X87: return CPUF_SSE3;
	case ZYDIS_ISA_SET_SSSE3: case ZYDIS_ISA_SET_SSSE3MMX: return CPUF_SSSE3;
	case ZYDIS_ISA_SET_SSE4: return CPUF_SSE41;
	case ZYDIS_ISA_SET_SSE42: return CPUF_SSE42;
	case ZYDIS_ISA_SET_POPCNT: return CPUF_POPCNT;
	case ZYDIS_ISA_SET_CMPXCHG16B: return CPUF_CX16;
	case ZYDIS_ISA_SET_LAHF: return CPUF_LAHF;
	case ZYDIS_ISA_SET_MOVBE: return CPUF_MOVBE;
	case ZYDIS_ISA_SET_LZCNT: return CPUF_LZCNT;
	case ZYDIS_ISA_SET_BMI1: return CPUF_BMI1;
	case ZYDIS_ISA_SET_BMI2: return CPUF_BMI2;
	case ZYDIS_ISA_SET_AVX: return CPUF_AVX;
	case ZYDIS_ISA_SET_AVX2: case ZYDIS_ISA_SET_AVX2GATHER: return CPUF_AVX2;
	case ZYDIS_ISA_SET_FMA: return CPUF_FMA;
	case ZYDIS_ISA_SET_F16C: return CPUF_F16C;
	case ZYDIS_ISA_SET_XSAVE: case ZYDIS_ISA_SET_XSAVEOPT:
	case ZYDIS_ISA_SET_XSAVEC: return CPUF_XSAVE;
	case ZYDIS_ISA_SET_AES: return CPUF_AES | vex;
	case ZYDIS_ISA_SET_AVXAES: return CPUF_AES | CPUF_AVX;
	case ZYDIS_ISA_SET_PCLMULQDQ: return CPUF_PCLMUL | vex;
	case ZYDIS_ISA_SET_SHA: return CPUF_SHA;
	case ZYDIS_ISA_SET_RDRAND: return CPUF_RDRAND;
	case ZYDIS_ISA_SET_RDSEED: return CPUF_RDSEED;
	case ZYDIS_ISA_SET_ADOX_ADCX: return CPUF_ADX;
	case ZYDIS_ISA_SET_VAES: case ZYDIS_ISA_SET_VPCLMULQDQ:
	case ZYDIS_ISA_SET_XSAVES: return CPUF_NEVER;
	default: return 0;
	}
}

/* Fill *i from Zydis's output.  rip is the instruction's virtual address;
 * features are the CPU model's (CPUF_*). */
static void translate(struct insn *i, const ZydisDecodedInstruction *d,
		      const ZydisDecodedOperand *ops, uint64_t rip, unsigned features)
{
	memset(i, 0, sizeof *i);
	i->next_rip = rip + d->length;
	i->len = d->length;
	i->mnem = (uint16_t)d->mnemonic;
	i->osz = (uint8_t)(d->operand_width / 8);
	if (!i->osz)
		i->osz = 8;
	i->asz = (uint8_t)(d->address_width / 8);
	i->base = i->index = NOREG;
	i->ea_base = i->ea_index = R_ZERO;
	i->seg = SEG_NONE;
	i->opc = d->opcode;
	i->modrm_reg = d->raw.modrm.reg;
	/* For a VEX instruction Zydis's raw.rex is no REX prefix (it reads
	 * REX.W = 1 for c4 e2 79 47 c1, VEX.W = 0): take VEX.W alone. */
	if (d->attributes & ZYDIS_ATTRIB_HAS_VEX)
		i->rex_w = (uint8_t)(d->raw.vex.W != 0);
	else
		i->rex_w = (uint8_t)(d->raw.rex.W != 0);
	i->lock = (d->attributes & ZYDIS_ATTRIB_HAS_LOCK) != 0;
	if (d->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPZ))
		i->rep = REP_REP;
	else if (d->attributes & (ZYDIS_ATTRIB_HAS_REPNE | ZYDIS_ATTRIB_HAS_REPNZ))
		i->rep = REP_REPNE;
	for (unsigned k = 0; k < d->raw.prefix_count; k++) {
		switch (d->raw.prefixes[k].value) {
		case 0x66: i->pfx66 = 1; break;
		case 0xF3: i->pfxf3 = 1; break;
		case 0xF2: i->pfxf2 = 1; break;
		}
	}
	i->cc = (uint8_t)cond_code(d);
	if (d->attributes & ZYDIS_ATTRIB_HAS_VEX)
		i->vex = d->avx.vector_length == 256 ? VEX_256 : VEX_128;

	bool have_mem = false, have_imm = false;
	for (unsigned k = 0; k < d->operand_count; k++) {
		const ZydisDecodedOperand *z = &ops[k];
		if (z->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN) {
			/* String and XLAT sources are hidden operands; keep
			 * their segment (a DS override to FS/GS) in i->seg.
			 * ES:[RDI] and SS stack slots take no override. */
			if (z->type == ZYDIS_OPERAND_TYPE_MEMORY && !have_mem &&
			    z->mem.segment != ZYDIS_REGISTER_ES &&
			    z->mem.segment != ZYDIS_REGISTER_SS)
				i->seg = map_seg(z->mem.segment);
			continue;
		}
		if (i->nops >= 4)
			break;
		struct operand *o = &i->o[i->nops++];
		o->size = (uint16_t)(z->size / 8);
		switch (z->type) {
		case ZYDIS_OPERAND_TYPE_REGISTER:
			map_reg(o, z->reg.value);
			break;
		case ZYDIS_OPERAND_TYPE_MEMORY:
			o->kind = OK_MEM;
			if (have_mem)
				break;
			have_mem = true;
			i->seg = map_seg(z->mem.segment);
			i->disp = z->mem.disp.has_displacement ? z->mem.disp.value : 0;
			if (z->mem.base == ZYDIS_REGISTER_RIP) {
				i->disp = (int64_t)(i->next_rip + (uint64_t)i->disp);
			} else if (z->mem.base == ZYDIS_REGISTER_EIP) {
				i->disp = (int64_t)(uint32_t)(i->next_rip + (uint64_t)i->disp);
			} else {
				i->base = gpr_num(z->mem.base);
			}
			i->index = gpr_num(z->mem.index);
			i->scale = i->index == NOREG ? 0 : z->mem.scale;
			if (i->base != NOREG)
				i->ea_base = i->base;
			if (i->index != NOREG)
				i->ea_index = i->index;
			/* VSIB (the AVX2 gathers): a vector index register,
			 * whose number goes to imm2 (gathers have no
			 * immediate); the handler forms each element's
			 * address (cpu/avx_int.c). */
			if (ZydisRegisterGetClass(z->mem.index) == ZYDIS_REGCLASS_XMM ||
			    ZydisRegisterGetClass(z->mem.index) == ZYDIS_REGCLASS_YMM) {
				i->imm2 = (uint64_t)ZydisRegisterGetId(z->mem.index);
				i->scale = z->mem.scale;
			}
			break;
		case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
			uint64_t v = z->imm.is_signed ? (uint64_t)z->imm.value.s : z->imm.value.u;
			if (z->imm.is_relative) {
				/* Near branches have a 64-bit operand size in
				 * long mode; the target is absolute from here on. */
				v = i->next_rip + v;
				o->size = 8;
			}
			if (!have_imm) {
				o->kind = OK_IMM;
				i->imm = v;
				have_imm = true;
			} else {
				o->kind = OK_IMM2;
				i->imm2 = v;
			}
			break;
		}
		default:
			o->kind = OK_OTHER;
			break;
		}
	}
	/* Operands Zydis keeps hidden still matter for a few address-using
	 * instructions (string ops use RSI/RDI directly; nothing to do). */

	/* The handler: the first FORM row of the mnemonic whose predicate
	 * holds, else the OP row's; no OP row: #UD naming the mnemonic. */
	const struct opentry *e = &optab[d->mnemonic];
	i->flags = e->flags;
	i->fn = e->fn;
	if (!i->fn) {
		i->fn = op_ud;
		i->flags |= INSN_END_BLOCK;
		return;
	}
	for (unsigned k = form_first[d->mnemonic]; k; k = form_next[k - 1]) {
		if (formtab[k - 1].match(i)) {
			i->fn = formtab[k - 1].fn;
			break;
		}
	}

	/* An instruction beyond the CPU model raises #UD, except LZCNT and
	 * TZCNT: on a CPU without them their encodings (F3 0F BD / BC) are
	 * BSR and BSF with an ignored REP prefix, and run as such. */
	unsigned need = isa_feature(d);
	if (need & ~features) {
		if (d->mnemonic == ZYDIS_MNEMONIC_LZCNT || d->mnemonic == ZYDIS_MNEMONIC_TZCNT) {
			ZydisMnemonic as = d->mnemonic == ZYDIS_MNEMONIC_LZCNT ?
				ZYDIS_MNEMONIC_BSR : ZYDIS_MNEMONIC_BSF;
			i->fn = optab[as].fn;
			i->mnem = (uint16_t)as;
			i->rep = 0;
			i->pfxf3 = 0;
			return;
		}
		i->fn = op_ud;
		i->flags |= INSN_END_BLOCK;
		i->feat = (uint8_t)(__builtin_ctz(need & ~features) + 1);
	}
}

/* A conditional jump whose FORM rel64 holds: relative, 64-bit operand
 * size, a target checked canonical at decode -- the Jcc's handler cannot
 * fault -- and within one page. */
static bool jcc_rel(const struct insn *j)
{
	switch (j->mnem) {
	case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JB:
	case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
	case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JS:
	case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
	case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JLE:
	case ZYDIS_MNEMONIC_JNLE:
		return form_rel64(j) && !(j->flags & INSN_CROSS_PAGE);
	default:
		return false;
	}
}

/*
 * The fused handler for the last two instructions of a block (struct
 * block's tail_fn), or NULL: the first FUSE row of the next-to-last
 * instruction's mnemonic whose form holds, when the last is a Jcc rel,
 * and its handler for the Jcc's condition.
 * The FUSE forms exclude LOCK and REP, and an instruction that crosses a
 * page always ends its block, so it is never the next-to-last.
 */
static insn_fn fuse_tail(const struct insn *insn, unsigned n)
{
	if (n < 2 || !jcc_rel(&insn[n - 1]))
		return NULL;
	const struct insn *f = &insn[n - 2];
	if (f->flags & (INSN_END_BLOCK | INSN_CROSS_PAGE))
		return NULL;
	for (size_t k = 0; k < sizeof fusetab / sizeof fusetab[0]; k++)
		if (fusetab[k].mnem == f->mnem && fusetab[k].match(f))
			return fusetab[k].fn[insn[n - 1].cc & 15];
	return NULL;
}

static void make_invalid(struct insn *i, uint64_t rip)
{
	memset(i, 0, sizeof *i);
	i->fn = op_invalid;
	i->flags = INSN_END_BLOCK;
	i->len = 1;
	i->next_rip = rip + 1;
	i->mnem = ZYDIS_MNEMONIC_INVALID;
	i->base = i->index = NOREG;
	i->ea_base = i->ea_index = R_ZERO;
	i->seg = SEG_NONE;
}

/* Copy up to 15 instruction bytes at virtual rip, whose first byte is at
 * physical pa.  Bytes on the next page are fetched only if that page is
 * mapped executable; returns the number of bytes available and the second
 * page's physical address in *pa2 (or ~0).  Never faults. */
static unsigned fetch(struct cpu *c, uint64_t rip, uint64_t pa, uint8_t *buf, uint64_t *pa2)
{
	unsigned first = 0x1000 - (unsigned)(rip & 0xFFF);
	unsigned n = first < 15 ? first : 15;
	for (unsigned k = 0; k < n; k++)
		buf[k] = (uint8_t)bus_phys_read(c->bus, pa + k, 1);
	*pa2 = ~0ULL;
	if (n < 15) {
		uint64_t p2;
		if (mmu_probe(c, rip + n, ACC_EXEC, &p2)) {
			*pa2 = p2;
			for (unsigned k = n; k < 15; k++)
				buf[k] = (uint8_t)bus_phys_read(c->bus, p2 + (k - n), 1);
			n = 15;
		}
	}
	return n;
}

static struct block *alloc_block(struct cpu *c, unsigned n)
{
	struct decode_cache *dc = c->dc;
	size_t need = sizeof(struct block) + n * sizeof(struct insn);
	need = (need + 15) & ~(size_t)15;
	if (dc->used + need > DC_ARENA)
		decode_flush_all(c);
	struct block *b = (struct block *)(dc->arena + dc->used);
	dc->used += need;
	return b;
}

/*
 * Decode a new block at virtual `va` (physical `pa`).  The first
 * instruction's fetch may fault (#PF on its second page): that is raised
 * here as an instruction-fetch fault at RIP = va.
 */
static struct block *decode_block(struct cpu *c, uint64_t va, uint64_t pa)
{
	struct insn tmp[BLOCK_MAX];
	ZydisDecodedInstruction d;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	uint64_t pa2 = ~0ULL;
	unsigned n = 0;
	uint64_t rip = va, cur_pa = pa;

	while (n < BLOCK_MAX) {
		uint8_t buf[15];
		uint64_t next_pa;
		unsigned avail = fetch(c, rip, cur_pa, buf, &next_pa);
		ZyanStatus st = ZydisDecoderDecodeFull(&c->dc->dec, buf, avail, &d, ops);
		if (!ZYAN_SUCCESS(st)) {
			if (avail < 15 && n == 0) {
				/* The instruction may continue on a page that is not
				 * executable: make the fetch fault happen. */
				mmu_translate(c, rip + avail, ACC_EXEC);
			}
			if (avail < 15 && n > 0)
				break;  /* let it be the first of its own block */
			make_invalid(&tmp[n++], rip);
			break;
		}
		struct insn *i = &tmp[n++];
		translate(i, &d, ops, rip, c->features);
		unsigned in_page = 0x1000 - (unsigned)(rip & 0xFFF);
		if (d.length > in_page) {
			/* Crosses into the next page: depends on both. */
			if (n > 1) {
				n--;
				break;
			}
			i->flags |= INSN_CROSS_PAGE | INSN_END_BLOCK;
			pa2 = next_pa & ~0xFFFULL;
			break;
		}
		rip += d.length;
		cur_pa += d.length;
		if (i->flags & INSN_END_BLOCK)
			break;
		if ((rip & 0xFFF) == 0)
			break;  /* stop at the page end: the next page may map elsewhere */
	}

	struct block *b = alloc_block(c, n);
	c->dc->made++;
	b->va = va;
	b->pa = pa;
	b->pa2 = pa2;
	b->n = n;
	b->tail_fn = fuse_tail(tmp, n);
	b->fast_n = b->tail_fn ? n - 2 : n;
	b->fast_end = b->insn + b->fast_n;
	b->gen = pa < c->ram_size ? c->bus->page_gen[pa >> 12] : 0;
	b->gen2 = (pa2 != ~0ULL && pa2 < c->ram_size) ? c->bus->page_gen[pa2 >> 12] : 0;
	b->link[0] = b->link[1] = NULL;
	b->link_epoch[0] = b->link_epoch[1] = ~0ULL;
	memcpy(b->insn, tmp, n * sizeof(struct insn));
	mark_code_page(c, pa);
	if (pa2 != ~0ULL)
		mark_code_page(c, pa2);
	unsigned h = dc_hash(va);
	b->next = c->dc->hash[h];
	c->dc->hash[h] = b;
	return b;
}

/* The block for the current RIP, decoding it if needed.  May fault
 * (instruction fetch #PF/#GP) with c->cur == NULL. */
struct block *decode_lookup(struct cpu *c)
{
	uint64_t rip = c->rip;
	c->cur = NULL;
	struct tlb_entry *e = &c->tlb_x[(rip >> 12) & (TLB_SIZE - 1)];
	uint64_t pa;
	if (likely(e->tag == ((rip & ~0xFFFULL) | c->tlb_mode)))
		pa = e->pa | (rip & 0xFFF);
	else
		pa = mmu_translate(c, rip, ACC_EXEC);

	struct block **pp = &c->dc->hash[dc_hash(rip)], *b;
	while ((b = *pp)) {
		if (b->va == rip && b->pa == pa) {
			if (!block_valid(c, b)) {
				/* Stale (its page was written): unlink it so that
				 * rewriting code at one address does not grow the
				 * chain without bound (quadratic lookups). */
				*pp = b->next;
				continue;
			}
			if (unlikely(b->pa2 != ~0ULL)) {
				/* Recheck the second page's mapping too. */
				uint64_t p2;
				if (!mmu_probe(c, (rip | 0xFFF) + 1, ACC_EXEC, &p2) ||
				    (p2 & ~0xFFFULL) != b->pa2) {
					pp = &b->next;
					continue;
				}
			}
			return b;
		}
		pp = &b->next;
	}
	return decode_block(c, rip, pa);
}

uint64_t decode_flushes(const struct cpu *c)
{
	return c->dc ? c->dc->flushes : 0;
}

uint64_t decode_blocks_made(const struct cpu *c)
{
	return c->dc->made;
}

/* Decode one instruction at a virtual address without executing it or
 * touching the cache (tracing, gdb, diagnostics).  Returns its length, or
 * 0 if the bytes cannot be read. */
unsigned decode_peek(struct cpu *c, uint64_t va, uint8_t *bytes, unsigned max)
{
	uint64_t pa;
	unsigned n = 0;
	while (n < max) {
		if (!mmu_probe(c, va + n, ACC_EXEC, &pa))
			break;
		bytes[n] = (uint8_t)bus_phys_read(c->bus, pa, 1);
		n++;
	}
	return n;
}
