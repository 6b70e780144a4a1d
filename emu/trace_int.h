/*
 * trace_int.h - what emu/trace.c (hooks, session) and emu/trace_fmt.c (the
 * three formats) share: the state snapshot, the output buffer, the
 * disassembly cache and the session.  Private to the trace.
 */
#ifndef LSTAR_TRACE_INT_H
#define LSTAR_TRACE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "emu/trace.h"

struct machine;
struct strace;
struct stats;

#define MEM_MAX 64          /* memory accesses kept per instruction */
#define DCACHE_BITS 13      /* disassembly cache: 8192 entries */
#define OBUF_SIZE (1u << 20)

/* ---- the state compared between instructions ------------------------ */

enum { SYS_CR0, SYS_CR2, SYS_CR3, SYS_CR4, SYS_CR8, SYS_EFER, SYS_STAR, SYS_LSTAR,
       SYS_CSTAR, SYS_FMASK, SYS_KGSBASE, SYS_TSC_AUX, SYS_GDTR, SYS_IDTR, NSYS };

/* ---- the state compared between instructions ------------------------ */

struct snap {
	uint64_t r[16];
	uint64_t rflags;
	/* from here on: state that rarely changes, compared as one block */
	struct seg seg[6];
	uint64_t sys[NSYS];
	int cpl;
	int pad;                 /* keeps the block free of unset bytes */
};
#define RARE_OFF offsetof(struct snap, seg)

/* Word-wise, branch-free (the block is 8-byte aligned and sized). */
typedef uint64_t __attribute__((may_alias)) snap_word;
#define RARE_WORDS ((sizeof(struct snap) - RARE_OFF) / 8)
_Static_assert(RARE_OFF % 8 == 0 && sizeof(struct snap) % 8 == 0, "snap words");

static inline bool rare_same(const struct snap *a, const struct snap *b)
{
	const snap_word *x = (const snap_word *)((const char *)a + RARE_OFF);
	const snap_word *y = (const snap_word *)((const char *)b + RARE_OFF);
	uint64_t d = 0;
	for (size_t k = 0; k < RARE_WORDS; k++)
		d |= x[k] ^ y[k];
	return !d;
}

static inline void take(struct snap *s, struct cpu *c)
{
	memcpy(s->r, c->r, sizeof(s->r));
	s->rflags = flags_get(c);
	s->sys[SYS_CR0] = c->cr0;
	s->sys[SYS_CR2] = c->cr2;
	s->sys[SYS_CR3] = c->cr3;
	s->sys[SYS_CR4] = c->cr4;
	s->sys[SYS_CR8] = c->cr8;
	s->sys[SYS_EFER] = c->efer;
	s->sys[SYS_STAR] = c->star;
	s->sys[SYS_LSTAR] = c->lstar;
	s->sys[SYS_CSTAR] = c->cstar;
	s->sys[SYS_FMASK] = c->fmask;
	s->sys[SYS_KGSBASE] = c->kernel_gs_base;
	s->sys[SYS_TSC_AUX] = c->tsc_aux;
	s->sys[SYS_GDTR] = c->gdtr.base;
	s->sys[SYS_IDTR] = c->idtr.base;
	memcpy(s->seg, c->seg, sizeof(s->seg));
	s->cpl = c->cpl;
}

/* ---- output buffer ---------------------------------------------------- */

struct obuf {
	FILE *f;
	char *p;                 /* the buffer being filled */
	size_t len;
	int error;               /* first write error (errno) */
	/* A file gets a writer thread (ob_start_writer): the interpreter
	 * fills one buffer while the thread writes the other, so the
	 * kernel's write path runs on the other CPU. */
	bool async;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *spare;             /* free buffer, NULL while being written */
	char *pending;           /* handed to the writer, NULL if none */
	size_t pending_len;
	bool stop;
};

/* Write out (or hand over) what the buffer holds (emu/trace_fmt.c). */
void ob_flush(struct obuf *o);
/* Start the writer thread of a buffer whose p is allocated; false if it
 * cannot (the buffer then stays synchronous). */
bool ob_start_writer(struct obuf *o);
/* Flush, stop the writer, free both buffers. */
void ob_close(struct obuf *o);

/* Room for n more bytes. */
static inline char *ob_room(struct obuf *o, size_t n)
{
	if (unlikely(o->len + n > OBUF_SIZE))
		ob_flush(o);
	return o->p + o->len;
}

static inline void ob_mem(struct obuf *o, const char *s, size_t n)
{
	memcpy(ob_room(o, n), s, n);
	o->len += n;
}

static inline void ob_str(struct obuf *o, const char *s)
{
	ob_mem(o, s, strlen(s));
}

static inline void ob_ch(struct obuf *o, char ch)
{
	*ob_room(o, 1) = ch;
	o->len++;
}

extern const char trace_hexd[16];
extern char trace_hex2[512];   /* "00".."ff", trace_fmt_init() */

/*
 * Number writers on a raw pointer.  A line is formatted into room reserved
 * once (ob_line_begin), so the writers neither check for room nor branch
 * on the value: a trace line holds values whose digit counts, changed
 * flags and register counts vary from one instruction to the next, and
 * mispredicted branches used to cost more than the writing itself.
 */

/* Eight hex digits of x in one word, most significant first (SWAR: each
 * nibble spread into a byte, then '0'+n or 'a'+n-10 without a branch). */
static inline uint64_t hex8_word(uint32_t x)
{
	uint64_t v = x;
	v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
	v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
	v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
	v = __builtin_bswap64(v);
	uint64_t alpha = ((v + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	return v + 0x3030303030303030ULL + alpha * 0x27;
}

/* 16 hex digits, zero-padded. */
static inline void put_hex16(char *d, uint64_t v)
{
	uint64_t hi = hex8_word((uint32_t)(v >> 32)), lo = hex8_word((uint32_t)v);
	memcpy(d, &hi, 8);
	memcpy(d + 8, &lo, 8);
}

/* "0x" and the minimal hex digits; stores 18 bytes, returns the end. */
static inline char *put_hex(char *d, uint64_t v)
{
	unsigned n = (67u - (unsigned)__builtin_clzll(v | 1)) >> 2;   /* digits, 1..16 */
	d[0] = '0';
	d[1] = 'x';
	put_hex16(d + 2, v << (64 - 4 * n));   /* the digits first, zeros after */
	return d + 2 + n;
}

/* Decimal (at most 20 digits); stores up to 20 bytes. */
static inline char *put_dec(char *d, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(d, tmp + 20 - n, (size_t)n);
	return d + n;
}

/* Literal of known length. */
#define PUT_LIT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) + sizeof(lit) - 1)

/* Reserve room for a whole line (LINE_ROOM covers the longest) and return
 * where it starts; ob_line_end() takes the end back. */
#define LINE_ROOM 8192u
static inline char *ob_line_begin(struct obuf *o)
{
	return ob_room(o, LINE_ROOM);
}
static inline void ob_line_end(struct obuf *o, char *end)
{
	o->len = (size_t)(end - o->p);
}

/* 0x-prefixed minimal hex. */
static inline void ob_hex(struct obuf *o, uint64_t v)
{
	char *d = ob_room(o, 18);
	o->len = (size_t)(put_hex(d, v) - o->p);
}

/* Bit k set when general register k differs. */
static inline unsigned mask16(const uint64_t *a, const uint64_t *b)
{
	unsigned m = 0;
#pragma GCC unroll 16
	for (int k = 0; k < 16; k++) {
		uint64_t d = a[k] ^ b[k];
		m |= (unsigned)((d | -d) >> 63) << k;   /* branch-free a != b */
	}
	return m;
}

static inline unsigned reg_mask(const struct snap *a, const struct snap *b)
{
	return mask16(a->r, b->r);
}

static inline void ob_hex16(struct obuf *o, uint64_t v)
{
	put_hex16(ob_room(o, 16), v);
	o->len += 16;
}

static inline void ob_dec(struct obuf *o, uint64_t v)
{
	char *d = ob_room(o, 20);
	o->len = (size_t)(put_dec(d, v) - o->p);
}

/* Little-endian bytes as hex in ascending address order (Tenet). */
static inline void ob_bytes_le(struct obuf *o, uint64_t v, unsigned size)
{
	char *d = ob_room(o, 2 * size);
	for (unsigned k = 0; k < size; k++, v >>= 8) {
		d[2 * k] = trace_hexd[(v >> 4) & 15];
		d[2 * k + 1] = trace_hexd[v & 15];
	}
	o->len += 2 * size;
}

/* ---- disassembly cache ------------------------------------------------ */

struct dent {
	const struct insn *ip;
	uint64_t rip;
	struct insn key;
	uint8_t symlen, byteslen, asmlen;
	uint16_t pre_len;      /* length of pre[] */
	char sym[80];
	char bytes[48];
	char text[112];
	/* The line's fixed middle, ready to copy (copy_pre): text:
	 * " sym  bytes  asm  |", jsonl: ',"sym":"...","bytes":"...","asm":"..."'. */
	char pre[288] __attribute__((aligned(32)));
};

/* Copy a cache entry's fixed middle: 128 bytes as eight 16-byte vector
 * moves (a line's middle is rarely longer; a memcpy of the whole array
 * becomes a slow `rep movs`), the rest only when there is one. */
typedef char pre_vec __attribute__((vector_size(16), may_alias, aligned(1)));
static inline void copy_pre(char *d, const struct dent *e)
{
	pre_vec *dst = (pre_vec *)d;
	const pre_vec *src = (const pre_vec *)e->pre;
#pragma GCC unroll 8
	for (int k = 0; k < 8; k++)
		dst[k] = src[k];
	if (unlikely(e->pre_len > 128))
		memcpy(d + 128, e->pre + 128, e->pre_len - 128u);
}

struct memrec {
	uint64_t la, v;
	unsigned size;
	int write;
};

struct trace_session {
	struct machine *m;
	struct cpu *c;
	struct trace_opts o;
	struct cpu_hooks hooks;
	/* trace */
	bool tracing;
	struct obuf out, side;
	bool own_out, own_side;
	struct snap snaps[2];
	struct snap *prev, *cur;    /* state after the previous instruction, and now */
	struct memrec mem[MEM_MAX];
	unsigned nmem, mem_dropped;
	struct dent *dcache;
	ZydisDecoder dec;
	ZydisFormatter fmt;
	uint64_t lines;            /* trace lines written (Tenet line numbers) */
	uint64_t seq_last;         /* text: the sequence number in seq_text */
	char seq_text[10];         /*   right-aligned, incremented in place */
	uint64_t tenet_last[16];   /* registers (ModRM order) as of the last Tenet line */
	bool tenet_started;
	/* filters */
	bool has_from, has_to, window;
	uint64_t from, to;
	bool in_syscall;
	bool armed;                /* the next instruction may be traced: the
	                              snapshot is current, the memory hook on */
	/* strace and stats */
	struct strace *st;
	FILE *st_file;
	struct stats *stats;
	int cpl;                   /* CPL after the last instruction */
	uint64_t user_since;       /* icount when CPL 3 was entered */
};

/* ---- emu/trace_fmt.c ---- */

void trace_fmt_init(void);
/* Format instruction i (at rip, events = cpu->event) if the filters want it. */
void trace_insn(struct trace_session *s, struct cpu *c, const struct insn *i,
		uint64_t rip, unsigned events);
/* The frame the CPU just pushed; slots read, 0 if unreadable. */
unsigned read_frame(struct cpu *c, uint64_t frame[6]);
void trace_exception(struct trace_session *s, struct cpu *c, int vector, uint32_t err,
		     uint64_t rip, int cpl, bool soft, bool in_insn);

#endif
