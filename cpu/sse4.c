/*
 * sse4.c - SSE4.1 and SSE4.2: blends, PTEST, PMOVSX/ZX, PHMINPOSUW,
 * MPSADBW, ROUND*, DPPS/DPPD, INSERTPS/EXTRACTPS, PINSRx/PEXTRx,
 * PCMPESTRI/M and PCMPISTRI/M, CRC32.  SDM vol. 2 per mnemonic.
 *
 * ROUND*, DPPS/DPPD (MXCSR-dependent floating point) and the string
 * compares (a large, exactly specified state machine) run the same
 * instruction on the host, the immediate selecting one of 16/256
 * pre-assembled forms (docs/fpu.md); everything else is C.
 */
#include "sse.h"
#include "flags.h"

/* ---- blends ---- */

static void blend_imm(struct cpu *c, const struct insn *i, unsigned e)
{
	union vec d, s;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	for (unsigned k = 0; k < 16 / e; k++)
		if ((imm >> k) & 1)
			memcpy(&d.b[k * e], &s.b[k * e], e);
	vec_store(c, i, 0, &d, false);
}
void op_blendps(struct cpu *c, const struct insn *i) { blend_imm(c, i, 4); }
void op_blendpd(struct cpu *c, const struct insn *i) { blend_imm(c, i, 8); }
void op_pblendw(struct cpu *c, const struct insn *i) { blend_imm(c, i, 2); }

/* BLENDVPS/BLENDVPD/PBLENDVB: the mask is the top bit of each element
 * of the implicit XMM0. */
static void blend_var(struct cpu *c, const struct insn *i, unsigned e)
{
	union vec d, s, m;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	memcpy(&m, c->xmm[0], 16);
	for (unsigned k = 0; k < 16 / e; k++)
		if (m.b[k * e + e - 1] & 0x80)
			memcpy(&d.b[k * e], &s.b[k * e], e);
	vec_store(c, i, 0, &d, false);
}
void op_blendvps(struct cpu *c, const struct insn *i) { blend_var(c, i, 4); }
void op_blendvpd(struct cpu *c, const struct insn *i) { blend_var(c, i, 8); }
void op_pblendvb(struct cpu *c, const struct insn *i) { blend_var(c, i, 1); }

/* PTEST: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0, the other
 * arithmetic flags 0. */
void op_ptest(struct cpu *c, const struct insn *i)
{
	union vec d, s;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	bool z = !((d.q[0] & s.q[0]) | (d.q[1] & s.q[1]));
	bool cf = !((~d.q[0] & s.q[0]) | (~d.q[1] & s.q[1]));
	flags_set_arith(c, (z ? F_ZF : 0) | (cf ? F_CF : 0));
}

/* PMOVSX/PMOVZX: widen the low elements of the source (register, or a
 * memory operand of 8/4/2 bytes, no alignment requirement). */
static void pmov_x(struct cpu *c, const struct insn *i, unsigned from, unsigned to, bool sign)
{
	union vec s, r;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	widen_elements(r.b, s.b, 16 / to, from, to, sign);
	vec_store(c, i, 0, &r, false);
}
#define PMOV(n, f, t) \
	void op_pmovsx##n(struct cpu *c, const struct insn *i) { pmov_x(c, i, f, t, true); } \
	void op_pmovzx##n(struct cpu *c, const struct insn *i) { pmov_x(c, i, f, t, false); }
PMOV(bw, 1, 2) PMOV(bd, 1, 4) PMOV(bq, 1, 8) PMOV(wd, 2, 4) PMOV(wq, 2, 8) PMOV(dq, 4, 8)

/* PHMINPOSUW: the smallest unsigned word and its (lowest) index. */
void op_phminposuw(struct cpu *c, const struct insn *i)
{
	union vec s, r = { 0 };
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	unsigned idx = 0;
	for (unsigned k = 1; k < 8; k++)
		if (s.w[k] < s.w[idx])
			idx = k;
	r.w[0] = s.w[idx];
	r.w[1] = (uint16_t)idx;
	vec_store(c, i, 0, &r, false);
}

/* MPSADBW: eight sums of absolute differences of 4-byte groups. */
void op_mpsadbw(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	unsigned imm = i->imm & 0xFF, soff = (imm & 3) * 4, doff = ((imm >> 2) & 1) * 4;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	for (unsigned k = 0; k < 8; k++) {
		unsigned sum = 0;
		for (unsigned j = 0; j < 4; j++) {
			int x = d.b[doff + k + j] - s.b[soff + j];
			sum += (unsigned)(x < 0 ? -x : x);
		}
		r.w[k] = (uint16_t)sum;
	}
	vec_store(c, i, 0, &r, false);
}

/* ---- insert / extract ---- */

/* PEXTRB/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8: a register destination
 * is written zero-extended (32-bit write rules). */
static void pextr(struct cpu *c, const struct insn *i, unsigned e)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	uint64_t v = 0;
	memcpy(&v, &s.b[((i->imm & 0xFF) & (16 / e - 1)) * e], e);
	if (i->o[0].kind == OK_MEM)
		mem_write(c, insn_la(c, i), e, v);
	else
		reg_write(c, &i->o[0], v);
}
void op_pextrb(struct cpu *c, const struct insn *i) { pextr(c, i, 1); }
void op_pextrd(struct cpu *c, const struct insn *i) { pextr(c, i, 4); }
void op_pextrq(struct cpu *c, const struct insn *i) { pextr(c, i, 8); }
void op_extractps(struct cpu *c, const struct insn *i) { pextr(c, i, 4); }

static void pinsr(struct cpu *c, const struct insn *i, unsigned e)
{
	union vec d, s;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	vec_load(c, i, 0, &d, false);
	memcpy(&d.b[((i->imm & 0xFF) & (16 / e - 1)) * e], &s.b[0], e);
	vec_store(c, i, 0, &d, false);
}
void op_pinsrb(struct cpu *c, const struct insn *i) { pinsr(c, i, 1); }
void op_pinsrd(struct cpu *c, const struct insn *i) { pinsr(c, i, 4); }
void op_pinsrq(struct cpu *c, const struct insn *i) { pinsr(c, i, 8); }

/* INSERTPS xmm1, xmm2/m32, imm8: source dword imm[7:6] (a memory source
 * is the dword itself) into dword imm[5:4], then zero per imm[3:0]. */
void op_insertps(struct cpu *c, const struct insn *i)
{
	union vec d, s;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	vec_load(c, i, 0, &d, false);
	uint32_t v = i->o[1].kind == OK_MEM ? s.d[0] : s.d[imm >> 6];
	d.d[(imm >> 4) & 3] = v;
	for (unsigned k = 0; k < 4; k++)
		if ((imm >> k) & 1)
			d.d[k] = 0;
	vec_store(c, i, 0, &d, false);
}

/* ---- host-executed forms with an immediate ---- */

/* ROUNDPS/PD/SS/SD: imm[3:0] (rounding override, MXCSR.RC, precision
 * suppression). */
#define ROUNDOP(mn)                                                          \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec d, s;                                              \
		unsigned fl = 0;                                             \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, true);                                 \
		vec_load(c, i, 0, &d, false);                                \
		switch (i->imm & 15) {                                       \
		REP16(RCASE_##mn, 0)                                         \
		}                                                            \
		sse_raise_flags(c, fl);                                      \
		vec_store(c, i, 0, &d, false);                               \
	}
#define RCASE_roundps(k) case k: HOST_SSE_IMM(c, "roundps", k, d.x, s.x, fl); break;
#define RCASE_roundpd(k) case k: HOST_SSE_IMM(c, "roundpd", k, d.x, s.x, fl); break;
#define RCASE_roundss(k) case k: HOST_SSE_IMM(c, "roundss", k, d.x, s.x, fl); break;
#define RCASE_roundsd(k) case k: HOST_SSE_IMM(c, "roundsd", k, d.x, s.x, fl); break;
ROUNDOP(roundps) ROUNDOP(roundpd) ROUNDOP(roundss) ROUNDOP(roundsd)

/* DPPS/DPPD: dot products under the guest MXCSR. */
#define DPOP(mn)                                                             \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec d, s;                                              \
		unsigned fl = 0;                                             \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, true);                                 \
		vec_load(c, i, 0, &d, false);                                \
		switch (i->imm & 0xFF) {                                     \
		REP256(DCASE_##mn)                                           \
		}                                                            \
		sse_raise_flags(c, fl);                                      \
		vec_store(c, i, 0, &d, false);                               \
	}
#define DCASE_dpps(k) case k: HOST_SSE_IMM(c, "dpps", k, d.x, s.x, fl); break;
#define DCASE_dppd(k) case k: HOST_SSE_IMM(c, "dppd", k, d.x, s.x, fl); break;
DPOP(dpps) DPOP(dppd)

/* PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM: index to ECX (zero-extended)
 * or mask to XMM0; CF ZF SF OF from the comparison, AF PF cleared.  The
 * source may be unaligned.  PCMPESTR* take the lengths from EAX/EDX
 * (RAX/RDX with REX.W); lstar passes the host |length| saturated to the
 * element count, which gives the same result. */
static int32_t str_len(const struct cpu *c, const struct insn *i, int reg)
{
	int64_t v = i->rex_w ? (int64_t)c->r[reg] : (int64_t)(int32_t)c->r[reg];
	if (v < 0)
		v = v == INT64_MIN ? 16 : -v;
	return (int32_t)(v > 16 ? 16 : v);
}

#define STRCASE_I(K) case K: __asm__("pcmpistri %[k], %[b], %[a]" \
	: "=c"(idx), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of) \
	: [a] "x"(a.x), [b] "x"(b.x), [k] "i"(K)); break;
#define STRCASE_E(K) case K: __asm__("pcmpestri %[k], %[b], %[a]" \
	: "=c"(idx), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of) \
	: [a] "x"(a.x), [b] "x"(b.x), "a"(la), "d"(lb), [k] "i"(K)); break;
#define STRCASE_IM(K) case K: __asm__("pcmpistrm %[k], %[b], %[a]" \
	: "=Yz"(m.x), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of) \
	: [a] "x"(a.x), [b] "x"(b.x), [k] "i"(K)); break;
#define STRCASE_EM(K) case K: __asm__("pcmpestrm %[k], %[b], %[a]" \
	: "=Yz"(m.x), "=@ccc"(cf), "=@ccz"(zf), "=@ccs"(sf), "=@cco"(of) \
	: [a] "x"(a.x), [b] "x"(b.x), "a"(la), "d"(lb), [k] "i"(K)); break;

void sse_pcmpstr(struct cpu *c, const struct insn *i, bool explicit_len, bool mask)
{
	union vec a, b, m;
	uint32_t idx = 0;
	uint8_t cf = 0, zf = 0, sf = 0, of = 0;
	int32_t la = 0, lb = 0;
	sse_check(c);
	vec_load(c, i, 1, &b, false);
	vec_load(c, i, 0, &a, false);
	if (explicit_len) {
		la = str_len(c, i, R_RAX);
		lb = str_len(c, i, R_RDX);
	}
	unsigned imm = i->imm & 0xFF;
	if (!explicit_len && !mask) {
		switch (imm) { REP256(STRCASE_I) }
	} else if (explicit_len && !mask) {
		switch (imm) { REP256(STRCASE_E) }
	} else if (!explicit_len) {
		switch (imm) { REP256(STRCASE_IM) }
	} else {
		switch (imm) { REP256(STRCASE_EM) }
	}
	if (mask)
		memcpy(c->xmm[0], &m, 16);
	else
		gpr_write(c, R_RCX, 4, idx);
	flags_set_arith(c, (cf ? F_CF : 0) | (zf ? F_ZF : 0) | (sf ? F_SF : 0) | (of ? F_OF : 0));
}
void op_pcmpistri(struct cpu *c, const struct insn *i) { sse_pcmpstr(c, i, false, false); }
void op_pcmpestri(struct cpu *c, const struct insn *i) { sse_pcmpstr(c, i, true, false); }
void op_pcmpistrm(struct cpu *c, const struct insn *i) { sse_pcmpstr(c, i, false, true); }
void op_pcmpestrm(struct cpu *c, const struct insn *i) { sse_pcmpstr(c, i, true, true); }

/* CRC32 r32/r64, r/m8/16/32/64: CRC-32C (Castagnoli, reflected
 * polynomial 0x82F63B78) of the source bytes, accumulated into the low
 * 32 bits of the destination; the result is zero-extended. */
void op_crc32(struct cpu *c, const struct insn *i)
{
	uint32_t crc = (uint32_t)c->r[i->o[0].reg];
	unsigned n = i->o[1].size;
	uint64_t v = op_read(c, i, 1);
	for (unsigned k = 0; k < n; k++) {
		crc ^= (uint8_t)(v >> (8 * k));
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	gpr_write(c, i->o[0].reg, 8, crc);
}
