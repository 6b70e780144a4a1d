/*
 * string.c - MOVS, STOS, LODS, SCAS, CMPS with REP/REPE/REPNE in 64-bit
 * mode (SDM vol. 2B "MOVS", "STOS", "LODS", "SCAS", "CMPS", "REP/REPE/
 * REPZ/REPNE/REPNZ"; vol. 1 7.3.9).
 *
 * Addressing: the source is seg:RSI where seg is DS or an override
 * (i->seg; only FS/GS add a base in 64-bit mode), the destination is
 * always ES:RDI (ES base 0, no override).  With 67h (i->asz == 4) the
 * registers RSI/RDI/RCX are used as ESI/EDI/ECX: offsets wrap at 4 GiB and
 * every update writes the 32-bit register, which zero-extends into the
 * 64-bit one.  DF selects increment or decrement.  A non-canonical address
 * is #GP(0).
 *
 * REP execution model.  The registers are architecturally updated after
 * every element, so an exception in the middle (a #PF on the next page)
 * leaves RCX/RSI/RDI counting exactly the elements done, RIP at the
 * instruction, and re-executing it resumes the copy - as on hardware.  For
 * speed the elements that lie in one page of the source and one page of
 * the destination are done together through host pointers
 * (mmu_bulk_ptr); where that is refused (MMIO, a missing or protected
 * page) one element goes through the ordinary faulting path and the bulk
 * path is tried again after it.
 *
 * Overlap: the bulk copy must give what the element-by-element copy gives.
 * memmove() differs only when the destination lies ahead of the source in
 * the copy direction and within it (e.g. RDI = RSI + 1, DF = 0 replicates
 * the first byte), so that case is copied element by element on the host
 * pointers.  The comparison is on host addresses, which also catches two
 * linear pages aliasing one physical page.
 *
 * Long strings do not starve the loop: after STR_BUDGET bytes one
 * execution stops with RIP set back to the instruction itself, exit_block
 * set, and the registers showing the progress; the loop then runs the same
 * instruction again, just like a CPU taking an interrupt between
 * iterations.  Such a yield undoes its own count in c->icount, so a REP
 * instruction counts once in icount however often it yields (the loop
 * counts each call of a handler as one retirement).  With TF set the
 * budget is one element: the single-step #DB then follows every iteration,
 * as SDM vol. 3 17.3.1.4 ("Single-Step Exception Condition") describes for
 * repeated string instructions.
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"

#define STR_BUDGET (1u << 20)   /* bytes per execution before yielding */

/* Per-instruction constants. */
struct sctx {
	unsigned sz;        /* element size */
	bool df;            /* decrementing */
	uint64_t amask;     /* offset mask: ~0 or 0xFFFFFFFF */
	uint64_t sbase;     /* source segment base (FS/GS) */
};

static inline struct sctx sctx_of(const struct cpu *c, const struct insn *i)
{
	struct sctx s;
	s.sz = i->osz;
	s.df = (c->rflags & F_DF) != 0;
	s.amask = i->asz == 4 ? 0xFFFFFFFFULL : ~0ULL;
	s.sbase = (i->seg == SEG_FS || i->seg == SEG_GS) ? c->seg[i->seg].base : 0;
	return s;
}

static inline uint64_t la_check(struct cpu *c, uint64_t la)
{
	if (unlikely(!is_canonical(la)))
		cpu_fault(c, EXC_GP, 0);
	return la;
}

static inline uint64_t src_la(struct cpu *c, const struct sctx *s)
{
	return la_check(c, s->sbase + (c->r[R_RSI] & s->amask));
}

static inline uint64_t dst_la(struct cpu *c, const struct sctx *s)
{
	return la_check(c, c->r[R_RDI] & s->amask);
}

/* reg += n elements in the DF direction, at the address size. */
static inline void advance(struct cpu *c, const struct sctx *s, int reg, uint64_t n)
{
	uint64_t d = n * s->sz;
	c->r[reg] = (s->df ? c->r[reg] - d : c->r[reg] + d) & s->amask;
}

static inline uint64_t count_get(const struct cpu *c, const struct sctx *s)
{
	return c->r[R_RCX] & s->amask;
}

static inline void count_sub(struct cpu *c, const struct sctx *s, uint64_t n)
{
	c->r[R_RCX] = (c->r[R_RCX] - n) & s->amask;
}

/*
 * How many elements, the first at linear `la` (offset `off`), fit in la's
 * page and before the offset wraps at 4 GiB, going in the DF direction.
 * 0 when the first element itself straddles a page end.
 */
static uint64_t room(const struct sctx *s, uint64_t la, uint64_t off)
{
	uint64_t pgoff = la & 0xFFF, n;

	if (pgoff + s->sz > 0x1000)
		return 0;
	if (!s->df) {
		n = (0x1000 - pgoff) / s->sz;
		if (s->amask != ~0ULL) {
			uint64_t w = ((1ULL << 32) - off) / s->sz;
			n = n < w ? n : w;
		}
	} else {
		n = pgoff / s->sz + 1;
		if (s->amask != ~0ULL) {
			uint64_t w = off / s->sz + 1;
			n = n < w ? n : w;
		}
	}
	return n;
}

static inline uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Lowest linear address of n elements whose first is at la. */
static inline uint64_t span_lo(const struct sctx *s, uint64_t la, uint64_t n)
{
	return s->df ? la - (n - 1) * s->sz : la;
}

/* Byte offset, from the span's low end, of the j-th element processed. */
static inline uint64_t elem_off(const struct sctx *s, uint64_t n, uint64_t j)
{
	return s->df ? (n - 1 - j) * s->sz : j * s->sz;
}

/* Let the loop run something else: re-execute this instruction next. */
static void str_yield(struct cpu *c, const struct insn *i)
{
	c->rip = i->next_rip - i->len;
	cpu_leave_block(c);
	c->icount--;   /* the loop counts the re-execution again */
}

static inline uint64_t budget_elems(const struct cpu *c, const struct sctx *s)
{
	return (c->rflags & F_TF) ? 1 : STR_BUDGET / s->sz;
}

/* ---- MOVS ---------------------------------------------------------- */

static void movs_one(struct cpu *c, const struct sctx *s)
{
	uint64_t v = mem_read(c, src_la(c, s), s->sz);
	mem_write(c, dst_la(c, s), s->sz, v);
	advance(c, s, R_RSI, 1);
	advance(c, s, R_RDI, 1);
}

/* Up to `max` elements of MOVS in one page pair; returns how many (0: use
 * the element path). */
static uint64_t movs_bulk(struct cpu *c, const struct sctx *s, uint64_t max)
{
	uint64_t sl = src_la(c, s), dl = dst_la(c, s);
	uint64_t n = min3(max, room(s, sl, c->r[R_RSI] & s->amask),
			  room(s, dl, c->r[R_RDI] & s->amask));
	if (n < 2)
		return 0;
	unsigned len = (unsigned)(n * s->sz);
	uint8_t *hs = mmu_bulk_ptr(c, span_lo(s, sl, n), len, ACC_READ);
	if (!hs)
		return 0;
	uint8_t *hd = mmu_bulk_ptr(c, span_lo(s, dl, n), len, ACC_WRITE);
	if (!hd)
		return 0;

	mem_hook_more(c, 2 * n);
	bool harmful = s->df ? (hd < hs && hd + len > hs) : (hd > hs && hd < hs + len);
	if (!harmful) {
		memmove(hd, hs, len);
	} else {
		for (uint64_t j = 0; j < n; j++) {
			uint64_t o = elem_off(s, n, j);
			store_le(hd + o, s->sz, load_le(hs + o, s->sz));
		}
	}
	advance(c, s, R_RSI, n);
	advance(c, s, R_RDI, n);
	return n;
}

/*
 * The unconditional REP driver of MOVS, STOS and LODS: whole chunks through
 * `bulk` where it can (it returns 0 when it cannot), single elements
 * through `one` otherwise, RCX decremented after each step so a fault
 * leaves the exact progress, and a yield (re-execution) when the budget of
 * one dispatch is used up.
 */
typedef void (*str_one_fn)(struct cpu *, const struct sctx *);
typedef uint64_t (*str_bulk_fn)(struct cpu *, const struct sctx *, uint64_t);

static inline __attribute__((always_inline))
void rep_run(struct cpu *c, const struct insn *i, const struct sctx *s,
	     str_one_fn one, str_bulk_fn bulk)
{
	uint64_t budget = budget_elems(c, s);
	for (uint64_t left = count_get(c, s); left; left = count_get(c, s)) {
		if (!budget) {
			str_yield(c, i);
			return;
		}
		uint64_t max = left < budget ? left : budget;
		uint64_t n = bulk(c, s, max);
		if (n) {
			count_sub(c, s, n);
		} else {
			one(c, s);
			count_sub(c, s, 1);
			n = 1;
		}
		budget -= n;
	}
}

/* MOVS (SDM vol. 2B "MOVS/MOVSB/MOVSW/MOVSD/MOVSQ"): ES:[RDI] <- seg:[RSI]. */
void op_movs(struct cpu *c, const struct insn *i)
{
	struct sctx s = sctx_of(c, i);

	if (!i->rep) {
		movs_one(c, &s);
		return;
	}
	rep_run(c, i, &s, movs_one, movs_bulk);
}

/* ---- STOS ---------------------------------------------------------- */

static void stos_one(struct cpu *c, const struct sctx *s)
{
	mem_write(c, dst_la(c, s), s->sz, c->r[R_RAX]);
	advance(c, s, R_RDI, 1);
}

static uint64_t stos_bulk(struct cpu *c, const struct sctx *s, uint64_t max)
{
	uint64_t dl = dst_la(c, s);
	uint64_t n = room(s, dl, c->r[R_RDI] & s->amask);
	n = n < max ? n : max;
	if (n < 2)
		return 0;
	unsigned len = (unsigned)(n * s->sz);
	uint8_t *hd = mmu_bulk_ptr(c, span_lo(s, dl, n), len, ACC_WRITE);
	if (!hd)
		return 0;
	mem_hook_more(c, n);
	uint64_t v = c->r[R_RAX];
	if (s->sz == 1) {
		memset(hd, (int)(v & 0xFF), len);
	} else {
		for (uint64_t j = 0; j < n; j++)
			store_le(hd + j * s->sz, s->sz, v);
	}
	advance(c, s, R_RDI, n);
	return n;
}

/* STOS (SDM vol. 2B "STOS/STOSB/STOSW/STOSD/STOSQ"): ES:[RDI] <- AL/AX/EAX/RAX. */
void op_stos(struct cpu *c, const struct insn *i)
{
	struct sctx s = sctx_of(c, i);

	if (!i->rep) {
		stos_one(c, &s);
		return;
	}
	rep_run(c, i, &s, stos_one, stos_bulk);
}

/* ---- LODS ---------------------------------------------------------- */

static void lods_one(struct cpu *c, const struct sctx *s)
{
	uint64_t v = mem_read(c, src_la(c, s), s->sz);
	gpr_write(c, R_RAX, s->sz, v);
	advance(c, s, R_RSI, 1);
}

/* REP LODS keeps only the last element; the bulk path checks the whole
 * span is readable and loads that one. */
static uint64_t lods_bulk(struct cpu *c, const struct sctx *s, uint64_t max)
{
	uint64_t sl = src_la(c, s);
	uint64_t n = room(s, sl, c->r[R_RSI] & s->amask);
	n = n < max ? n : max;
	if (n < 2)
		return 0;
	uint8_t *hs = mmu_bulk_ptr(c, span_lo(s, sl, n), (unsigned)(n * s->sz), ACC_READ);
	if (!hs)
		return 0;
	mem_hook_more(c, n);
	gpr_write(c, R_RAX, s->sz, load_le(hs + elem_off(s, n, n - 1), s->sz));
	advance(c, s, R_RSI, n);
	return n;
}

/* LODS (SDM vol. 2A "LODS/LODSB/LODSW/LODSD/LODSQ"): AL/AX/EAX/RAX <-
 * seg:[RSI]; EAX zero-extends into RAX. */
void op_lods(struct cpu *c, const struct insn *i)
{
	struct sctx s = sctx_of(c, i);

	if (!i->rep) {
		lods_one(c, &s);
		return;
	}
	rep_run(c, i, &s, lods_one, lods_bulk);
}

/* ---- SCAS / CMPS --------------------------------------------------- */

/*
 * Both compare a - b as CMP does (flags of the subtraction) and, under
 * REPE (i->rep == REP_REP) / REPNE, stop after the element where ZF
 * becomes 0 / 1.  Flags are those of the last comparison done; with a
 * zero count nothing, flags included, changes.
 */
static inline void cmp_flags(struct cpu *c, unsigned sz, uint64_t a, uint64_t b)
{
	flags_lazy(c, FL_SUB, sz, (a - b) & size_mask(sz), a, b);
}

/* True when the REP prefix stops after a comparison of a and b. */
static inline bool rep_stops(const struct insn *i, uint64_t a, uint64_t b)
{
	return i->rep == REP_REP ? a != b : a == b;
}

/*
 * REPE fast skip: how many bytes, in processing order (from the low end for
 * DF = 0, from the high end for DF = 1), are equal between a and b (or
 * between a and the 8-byte pattern `pat` when b is NULL), compared a qword
 * at a time.  The elements inside that many bytes all compare equal, so the
 * element loop can start after them.
 */
static uint64_t equal_bytes(const uint8_t *a, const uint8_t *b, uint64_t pat,
			    uint64_t nbytes, bool df)
{
	uint64_t p = 0, x, y = pat;

	while (p + 8 <= nbytes) {
		uint64_t o = df ? nbytes - p - 8 : p;
		memcpy(&x, a + o, 8);
		if (b)
			memcpy(&y, b + o, 8);
		if (x != y)
			break;
		p += 8;
	}
	return p;
}

/* AL/AX/EAX/RAX replicated over 8 bytes. */
static inline uint64_t pattern8(uint64_t a, unsigned sz)
{
	switch (sz) {
	case 1: return a * 0x0101010101010101ULL;
	case 2: return a * 0x0001000100010001ULL;
	case 4: return a * 0x0000000100000001ULL;
	default: return a;
	}
}

static bool scas_one(struct cpu *c, const struct insn *i, const struct sctx *s)
{
	uint64_t a = c->r[R_RAX] & size_mask(s->sz);
	uint64_t b = mem_read(c, dst_la(c, s), s->sz);
	advance(c, s, R_RDI, 1);
	cmp_flags(c, s->sz, a, b);
	return rep_stops(i, a, b);
}

/* Bulk SCAS: *stop is set when the prefix condition ended the string. */
static uint64_t scas_bulk(struct cpu *c, const struct insn *i, const struct sctx *s,
			  uint64_t max, bool *stop)
{
	uint64_t dl = dst_la(c, s);
	uint64_t n = room(s, dl, c->r[R_RDI] & s->amask);
	n = n < max ? n : max;
	if (n < 2)
		return 0;
	uint8_t *hd = mmu_bulk_ptr(c, span_lo(s, dl, n), (unsigned)(n * s->sz), ACC_READ);
	if (!hd)
		return 0;
	uint64_t a = c->r[R_RAX] & size_mask(s->sz), b = 0, j;

	if (s->sz == 1 && !s->df && i->rep == REP_REPNE) {
		/* strlen-style REPNE SCASB */
		uint8_t *p = memchr(hd, (int)a, n);
		j = p ? (uint64_t)(p - hd) : n - 1;
		b = hd[j];
	} else {
		j = i->rep == REP_REP ?
		    equal_bytes(hd, NULL, pattern8(a, s->sz), n * s->sz, s->df) / s->sz : 0;
		for (; j < n; j++) {
			b = load_le(hd + elem_off(s, n, j), s->sz);
			if (rep_stops(i, a, b))
				break;
		}
		if (j == n)
			j = n - 1;
		b = load_le(hd + elem_off(s, n, j), s->sz);
	}
	*stop = rep_stops(i, a, b);
	mem_hook_more(c, j + 1);
	advance(c, s, R_RDI, j + 1);
	cmp_flags(c, s->sz, a, b);
	return j + 1;
}

static bool cmps_one(struct cpu *c, const struct insn *i, const struct sctx *s)
{
	uint64_t a = mem_read(c, src_la(c, s), s->sz);
	uint64_t b = mem_read(c, dst_la(c, s), s->sz);
	advance(c, s, R_RSI, 1);
	advance(c, s, R_RDI, 1);
	cmp_flags(c, s->sz, a, b);
	return rep_stops(i, a, b);
}

static uint64_t cmps_bulk(struct cpu *c, const struct insn *i, const struct sctx *s,
			  uint64_t max, bool *stop)
{
	uint64_t sl = src_la(c, s), dl = dst_la(c, s);
	uint64_t n = min3(max, room(s, sl, c->r[R_RSI] & s->amask),
			  room(s, dl, c->r[R_RDI] & s->amask));
	if (n < 2)
		return 0;
	unsigned len = (unsigned)(n * s->sz);
	uint8_t *hs = mmu_bulk_ptr(c, span_lo(s, sl, n), len, ACC_READ);
	if (!hs)
		return 0;
	uint8_t *hd = mmu_bulk_ptr(c, span_lo(s, dl, n), len, ACC_READ);
	if (!hd)
		return 0;
	uint64_t a = 0, b = 0, j;
	j = i->rep == REP_REP ? equal_bytes(hs, hd, 0, len, s->df) / s->sz : 0;
	for (; j < n; j++) {
		uint64_t o = elem_off(s, n, j);
		a = load_le(hs + o, s->sz);
		b = load_le(hd + o, s->sz);
		if (rep_stops(i, a, b))
			break;
	}
	if (j == n)
		j = n - 1;
	a = load_le(hs + elem_off(s, n, j), s->sz);
	b = load_le(hd + elem_off(s, n, j), s->sz);
	*stop = rep_stops(i, a, b);
	mem_hook_more(c, 2 * (j + 1));
	advance(c, s, R_RSI, j + 1);
	advance(c, s, R_RDI, j + 1);
	cmp_flags(c, s->sz, a, b);
	return j + 1;
}

/* Shared REPE/REPNE loop of SCAS (cmps = false) and CMPS. */
static void rep_compare(struct cpu *c, const struct insn *i, bool cmps)
{
	struct sctx s = sctx_of(c, i);

	if (!i->rep) {
		if (cmps)
			cmps_one(c, i, &s);
		else
			scas_one(c, i, &s);
		return;
	}
	uint64_t budget = budget_elems(c, &s);
	for (uint64_t left = count_get(c, &s); left; left = count_get(c, &s)) {
		if (!budget) {
			str_yield(c, i);
			return;
		}
		uint64_t max = left < budget ? left : budget;
		bool stop = false;
		uint64_t n = cmps ? cmps_bulk(c, i, &s, max, &stop)
				  : scas_bulk(c, i, &s, max, &stop);
		if (n) {
			count_sub(c, &s, n);
		} else {
			stop = cmps ? cmps_one(c, i, &s) : scas_one(c, i, &s);
			count_sub(c, &s, 1);
			n = 1;
		}
		if (stop)
			return;
		budget -= n;
	}
}

/* SCAS (SDM vol. 2B "SCAS/SCASB/SCASW/SCASD/SCASQ"): compare
 * AL/AX/EAX/RAX with ES:[RDI]. */
void op_scas(struct cpu *c, const struct insn *i)
{
	rep_compare(c, i, false);
}

/* CMPS (SDM vol. 2A "CMPS/CMPSB/CMPSW/CMPSD/CMPSQ"): compare seg:[RSI]
 * with ES:[RDI] (flags of [RSI] - [RDI]). */
void op_cmps(struct cpu *c, const struct insn *i)
{
	rep_compare(c, i, true);
}
