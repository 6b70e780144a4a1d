/*
 * gdbstub_regs.c - registers, the target description and guest memory as
 * the gdb stub shows them.
 */
#include <stdio.h>
#include <string.h>

#include "emu/gdb/gdbstub_int.h"
#include "emu/gdb/gdbstub_tasks.h"
#include "cpu/flags.h"
#include "cpu/mmu.h"

/* ----------------------------------------------------------- registers */

/*
 * Register numbers follow gdb's amd64 layout (features/i386/64bit-*.xml):
 * 0-15 rax rbx rcx rdx rsi rdi rbp rsp r8-r15, 16 rip, 17 eflags, 18-23
 * cs ss ds es fs gs, 24-31 st0-7, 32-39 x87 control, 40-55 xmm0-15,
 * 56 mxcsr, 57-58 fs_base gs_base, then lstar's system registers.
 */
static const uint8_t gpr_map[16] = { R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_RSP,
				     R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
static const uint8_t seg_map[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
static const char *const sys_names[] = { "cr0", "cr2", "cr3", "cr4", "cr8", "efer" };

unsigned reg_size(int r)
{
	if (r < 17)
		return 8;
	if (r < 24)
		return 4;
	if (r < 32)
		return 10;
	if (r < 40)
		return 4;
	if (r < 56)
		return 16;
	if (r == 56)
		return 4;
	return 8;
}

static uint16_t full_tag(const struct cpu *c)
{
	/* FXSAVE keeps the abridged tag; gdb shows the full one. */
	uint16_t t = 0;
	for (int p = 0; p < 8; p++) {
		unsigned tag = 3;
		if (c->ftw & (1u << p)) {
			long double v = c->st[p];
			tag = v == 0 ? 1 : (v != v || v == 1.0L / 0.0L || v == -1.0L / 0.0L) ? 2 : 0;
		}
		t |= (uint16_t)(tag << (2 * p));
	}
	return t;
}

/* Register r's bytes (little endian) into buf; returns its size. */
unsigned reg_get(struct cpu *c, int r, uint8_t *buf)
{
	uint64_t v = 0;
	unsigned n = reg_size(r);
	memset(buf, 0, 16);
	if (r < 16)
		v = c->r[gpr_map[r]];
	else if (r == 16)
		v = c->rip;
	else if (r == 17)
		v = flags_get(c);
	else if (r < 24)
		v = c->seg[seg_map[r - 18]].sel;
	else if (r < 32) {
		int top = (c->fsw >> 11) & 7;
		memcpy(buf, &c->st[(top + r - 24) & 7], 10);
		return n;
	} else if (r < 40) {
		switch (r - 32) {
		case 0: v = c->fcw; break;
		case 1: v = c->fsw; break;
		case 2: v = full_tag(c); break;
		case 3: v = c->seg[SEG_CS].sel; break;
		case 4: v = (uint32_t)c->fip; break;
		case 5: v = c->seg[SEG_DS].sel; break;
		case 6: v = (uint32_t)c->fdp; break;
		default: v = c->fop; break;
		}
	} else if (r < 56) {
		memcpy(buf, c->xmm[r - 40], 16);
		return n;
	} else if (r == 56)
		v = c->mxcsr;
	else if (r == 57)
		v = c->seg[SEG_FS].base;
	else if (r == 58)
		v = c->seg[SEG_GS].base;
	else {
		switch (r - 59) {
		case 0: v = c->cr0; break;
		case 1: v = c->cr2; break;
		case 2: v = c->cr3; break;
		case 3: v = c->cr4; break;
		case 4: v = c->cr8; break;
		default: v = c->efer; break;
		}
	}
	memcpy(buf, &v, n < 8 ? n : 8);
	return n;
}

/* The full x87 tag word of an FXSAVE image (whose tag byte is the
 * abridged one: one "not empty" bit per physical register). */
static uint16_t fx_full_tag(const uint8_t *fx)
{
	uint16_t fsw, t = 0;
	memcpy(&fsw, fx + 2, 2);
	int top = (fsw >> 11) & 7;
	for (int p = 0; p < 8; p++) {
		unsigned tag = 3;
		if (fx[4] & (1u << p)) {
			const uint8_t *v = fx + 32 + 16 * ((p - top) & 7);   /* ST(i) order */
			uint64_t mant;
			uint16_t se;
			memcpy(&mant, v, 8);
			memcpy(&se, v + 8, 2);
			unsigned exp = se & 0x7FFF;
			if (!exp && !mant)
				tag = 1;   /* zero */
			else if (!exp || exp == 0x7FFF || !(mant >> 63))
				tag = 2;   /* special: denormal, infinity, NaN, unnormal */
			else
				tag = 0;
		}
		t |= (uint16_t)(tag << (2 * p));
	}
	return t;
}

/* Register r of a switched-out task (gdbstub_tasks.h): what it keeps
 * from s, the rest from the CPU. */
unsigned reg_get_saved(struct cpu *c, const struct saved_regs *s, int r, uint8_t *buf)
{
	uint64_t v = 0;
	unsigned n = reg_size(r);
	memset(buf, 0, 16);
	if (r < 16)
		v = s->gpr[r];
	else if (r == 16)
		v = s->rip;
	else if (r == 17)
		v = s->rflags;
	else if (r == 18)
		v = s->cs;
	else if (r == 19)
		v = s->ss;
	else if (r < 24)
		return reg_get(c, r, buf);
	else if (r < 32) {
		memcpy(buf, s->fx + 32 + 16 * (r - 24), 10);
		return n;
	} else if (r < 40) {
		uint16_t w;
		uint64_t q;
		switch (r - 32) {
		case 0: memcpy(&w, s->fx, 2); v = w; break;
		case 1: memcpy(&w, s->fx + 2, 2); v = w; break;
		case 2: v = fx_full_tag(s->fx); break;
		case 3: v = s->cs; break;
		case 4: memcpy(&q, s->fx + 8, 8); v = (uint32_t)q; break;
		case 5: return reg_get(c, 20, buf);   /* DS */
		case 6: memcpy(&q, s->fx + 16, 8); v = (uint32_t)q; break;
		default: memcpy(&w, s->fx + 6, 2); v = w & 0x7FF; break;
		}
	} else if (r < 56) {
		memcpy(buf, s->fx + 160 + 16 * (r - 40), 16);
		return n;
	} else if (r == 56) {
		uint32_t d;
		memcpy(&d, s->fx + 24, 4);
		v = d;
	} else if (r == 57)
		v = s->fs_base;
	else if (r == 58)
		v = s->gs_base;
	else if (r == 61 && s->cr3)
		v = s->cr3;
	else
		return reg_get(c, r, buf);
	memcpy(buf, &v, n < 8 ? n : 8);
	return n;
}

/* Write register r; false for registers gdb may not change here. */
bool reg_set(struct cpu *c, int r, const uint8_t *buf)
{
	uint64_t v = 0;
	unsigned n = reg_size(r);
	memcpy(&v, buf, n < 8 ? n : 8);
	if (r < 16)
		c->r[gpr_map[r]] = v;
	else if (r == 16)
		c->rip = v;
	else if (r == 17)
		flags_set(c, (v & F_VALID & ~F_VM) | F_1);
	else if (r >= 40 && r < 56)
		memcpy(c->xmm[r - 40], buf, 16);
	else if (r == 56)
		c->mxcsr = (uint32_t)v & 0xFFFF;
	else if (r == 57 && is_canonical(v))
		c->seg[SEG_FS].base = v;
	else if (r == 58 && is_canonical(v))
		c->seg[SEG_GS].base = v;
	else if (r == 32)
		c->fcw = (uint16_t)v;
	else {
		/* unchanged values are accepted (a G packet writes everything) */
		uint8_t cur[16];
		reg_get(c, r, cur);
		return !memcmp(cur, buf, n);
	}
	return true;
}

const char *target_xml(void)
{
	static char xml[12000];
	if (xml[0])
		return xml;
	char *o = xml;
	size_t left = sizeof xml;
	/* ~6 KiB today; a description that outgrew the buffer is cut short
	 * (gdb then refuses it) rather than overrunning it */
#define X(...) do { int k_ = snprintf(o, left, __VA_ARGS__); \
		    if (k_ > 0 && (size_t)k_ < left) { o += k_; left -= (size_t)k_; } } while (0)
	X("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	  "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n"
	  "<osabi>GNU/Linux</osabi>\n"
	  "<feature name=\"org.gnu.gdb.i386.core\">\n"
	  "<flags id=\"i386_eflags\" size=\"4\">"
	  "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
	  "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
	  "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
	  "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
	  "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
	  "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	  "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
	  "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
	  "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n");
	static const char *const gn[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
					     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	for (int r = 0; r < 16; r++)
		X("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>\n", gn[r],
		  r == 6 || r == 7 ? "data_ptr" : "int64", r);
	X("<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>\n"
	  "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\" regnum=\"17\"/>\n");
	static const char *const sn[6] = { "cs", "ss", "ds", "es", "fs", "gs" };
	for (int r = 0; r < 6; r++)
		X("<reg name=\"%s\" bitsize=\"32\" type=\"int32\" regnum=\"%d\"/>\n", sn[r], 18 + r);
	for (int r = 0; r < 8; r++)
		X("<reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\" regnum=\"%d\"/>\n", r, 24 + r);
	static const char *const fn[8] = { "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg",
					   "fooff", "fop" };
	for (int r = 0; r < 8; r++)
		X("<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%d\"/>\n",
		  fn[r], 32 + r);
	X("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
	  "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	  "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	  "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	  "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	  "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	  "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	  "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	  "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	  "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	  "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	  "</union>\n<flags id=\"i386_mxcsr\" size=\"4\">"
	  "<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
	  "<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
	  "<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
	  "<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
	  "<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
	  "<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
	  "<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>"
	  "</flags>\n");
	for (int r = 0; r < 16; r++)
		X("<reg name=\"xmm%d\" bitsize=\"128\" type=\"vec128\" regnum=\"%d\"/>\n", r, 40 + r);
	X("<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\" regnum=\"56\"/>\n"
	  "</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n"
	  "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
	  "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\" regnum=\"58\"/>\n"
	  "</feature>\n<feature name=\"org.lstar.system\">\n");
	for (int r = 0; r < 6; r++)
		X("<reg name=\"%s\" bitsize=\"64\" type=\"%s\" group=\"system\" regnum=\"%d\"/>\n",
		  sys_names[r], r == 1 ? "data_ptr" : "uint64", 59 + r);
	X("</feature>\n</target>\n");
#undef X
	return xml;
}

/* -------------------------------------------------------------- memory */

/* la through the page tables at cr3 (another task's address space),
 * without the CPU: present entries only, no permission checks, no A/D. */
static bool walk_as(struct machine *m, uint64_t cr3, uint64_t la, uint64_t *pa)
{
	if (!is_canonical(la))
		return false;
	uint64_t table = cr3 & 0xFFFFFFFFFF000ULL;
	for (int l = 0; l < 4; l++) {
		uint64_t e = phys_read(m, table + ((la >> (39 - 9 * l)) & 0x1FF) * 8, 8);
		if (!(e & 1))
			return false;
		if ((l == 1 || l == 2) && (e & 0x80)) {
			uint64_t size = l == 1 ? 1ULL << 30 : 1ULL << 21;
			*pa = (e & 0xFFFFFFFFFF000ULL & ~(size - 1)) | (la & (size - 1));
			return true;
		}
		table = e & 0xFFFFFFFFFF000ULL;
	}
	*pa = table | (la & 0xFFF);
	return true;
}

static bool translate(struct machine *m, uint64_t cr3, uint64_t la, uint64_t *pa)
{
	if (cr3 && cr3 != m->cpu.cr3)
		return walk_as(m, cr3, la, pa);
	return mmu_probe(&m->cpu, la, ACC_READ | ACC_SYS, pa);
}

size_t mem_get(struct machine *m, uint64_t la, uint8_t *dst, size_t n)
{
	return mem_get_as(m, 0, la, dst, n);
}

size_t mem_put(struct machine *m, uint64_t la, const uint8_t *src, size_t n)
{
	return mem_put_as(m, 0, la, src, n);
}

/* Read n bytes at linear la through the page tables at cr3 (0: the
 * current ones), as a supervisor access that sets no A/D bits.  Returns
 * the bytes read. */
size_t mem_get_as(struct machine *m, uint64_t cr3, uint64_t la, uint8_t *dst, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint64_t a = la + done, pa;
		size_t chunk = 0x1000 - (a & 0xFFF);
		if (chunk > n - done)
			chunk = n - done;
		if (!translate(m, cr3, a, &pa))
			break;
		const uint8_t *p = phys_ptr(m, pa, chunk);
		if (!p)
			break;
		memcpy(dst + done, p, chunk);
		done += chunk;
	}
	return done;
}

/* Write through the page tables (read-only pages too: a debugger may
 * patch code); phys_ptr_write drops decoded blocks of those pages. */
size_t mem_put_as(struct machine *m, uint64_t cr3, uint64_t la, const uint8_t *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		uint64_t a = la + done, pa;
		size_t chunk = 0x1000 - (a & 0xFFF);
		if (chunk > n - done)
			chunk = n - done;
		if (!translate(m, cr3, a, &pa))
			break;
		uint8_t *p = phys_ptr_write(m, pa, chunk);
		if (!p)
			break;
		memcpy(p, src + done, chunk);
		done += chunk;
	}
	return done;
}


