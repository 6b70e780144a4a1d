/*
 * trace_int.h - what emu/trace/trace.c (hooks, session) and emu/trace/trace_fmt.c (the
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
#include <emmintrin.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "emu/trace/trace.h"

struct machine;
struct strace;
struct stats;

#define MEM_MAX 64          /* memory accesses kept per instruction */
#define DCACHE_SETS_BITS 14 /* disassembly cache: 16384 sets of 2 entries */
#define OBUF_SIZE (256u << 10)

enum { SYS_CR0, SYS_CR2, SYS_CR3, SYS_CR4, SYS_CR8, SYS_EFER, SYS_STAR, SYS_LSTAR,
       SYS_CSTAR, SYS_FMASK, SYS_KGSBASE, SYS_TSC_AUX, SYS_GDTR, SYS_IDTR, NSYS };

/* ---- the state compared between instructions ------------------------ */

struct snap {
	uint64_t r[16];
	/* from here to rflags: state that rarely changes, compared as one block */
	struct seg seg[6];
	uint64_t sys[NSYS];
	int cpl;
	int pad[3];              /* keeps the block free of unset bytes, 16-byte sized */
	uint64_t rflags;
};
#define RARE_OFF offsetof(struct snap, seg)
#define RARE_END offsetof(struct snap, rflags)

/* Whether the rarely changing block is the same: 16 bytes per compare. */
#define RARE_VECS ((RARE_END - RARE_OFF) / 16)
_Static_assert(RARE_OFF % 16 == 0 && (RARE_END - RARE_OFF) % 16 == 0, "snap vectors");

static inline bool rare_same(const struct snap *a, const struct snap *b)
{
	const char *x = (const char *)a + RARE_OFF, *y = (const char *)b + RARE_OFF;
	__m128i d = _mm_setzero_si128();
#pragma GCC unroll 16
	for (size_t k = 0; k < RARE_VECS; k++)
		d = _mm_or_si128(d, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(x + 16 * k)),
						  _mm_loadu_si128((const __m128i *)(const void *)(y + 16 * k))));
	return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) == 0xFFFF;
}

/* Bit k set when general register k differs (SSE2: two registers per
 * compare; 64-bit equality is both 32-bit halves equal). */
static inline unsigned mask16(const uint64_t *a, const uint64_t *b)
{
	unsigned same = 0;
#pragma GCC unroll 8
	for (int k = 0; k < 16; k += 2) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + k));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + k));
		__m128i eq = _mm_cmpeq_epi32(x, y);
		eq = _mm_and_si128(eq, _mm_shuffle_epi32(eq, _MM_SHUFFLE(2, 3, 0, 1)));
		same |= (unsigned)_mm_movemask_pd(_mm_castsi128_pd(eq)) << k;
	}
	return ~same & 0xFFFFu;
}

/* The per-instruction snapshot of the registers (trace_insn); returns
 * which general registers changed since prev.  The handler's own register
 * stores are long retired by now, so the vector loads do not wait on
 * store forwarding. */
static inline void take_gprs(struct snap *s, struct cpu *c)
{
	memcpy(s->r, c->r, sizeof(s->r));
	s->rflags = flags_get(c);
}

static inline unsigned take_regs(struct snap *cur, const struct snap *prev, struct cpu *c)
{
	take_gprs(cur, c);
	return mask16(cur->r, prev->r);
}

/* Whether the rarely changing state is still as in a: compared with the
 * CPU's own fields, word by word where the CPU stores words. */
static inline bool rare_same_cpu(const struct snap *a, const struct cpu *c)
{
	uint64_t d = (a->sys[SYS_CR0] ^ c->cr0) | (a->sys[SYS_CR2] ^ c->cr2) |
		     (a->sys[SYS_CR3] ^ c->cr3) | (a->sys[SYS_CR4] ^ c->cr4) |
		     (a->sys[SYS_CR8] ^ c->cr8) | (a->sys[SYS_EFER] ^ c->efer) |
		     (a->sys[SYS_STAR] ^ c->star) | (a->sys[SYS_LSTAR] ^ c->lstar) |
		     (a->sys[SYS_CSTAR] ^ c->cstar) | (a->sys[SYS_FMASK] ^ c->fmask) |
		     (a->sys[SYS_KGSBASE] ^ c->kernel_gs_base) | (a->sys[SYS_TSC_AUX] ^ c->tsc_aux) |
		     (a->sys[SYS_GDTR] ^ c->gdtr.base) | (a->sys[SYS_IDTR] ^ c->idtr.base) |
		     (uint64_t)(uint32_t)(a->cpl ^ c->cpl);
	__m128i v = _mm_setzero_si128();
#pragma GCC unroll 6
	for (int k = 0; k < 6; k++)
		v = _mm_or_si128(v, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)&a->seg[k]),
						  _mm_loadu_si128((const __m128i *)(const void *)&c->seg[k])));
	_Static_assert(sizeof(struct seg) == 16, "struct seg: 16 bytes, no padding");
	return !d && _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xFFFF;
}

static inline void take_rare(struct snap *s, struct cpu *c)
{
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

/* The whole state (trace start, exceptions, a filter window opening). */
static inline void take(struct snap *s, struct cpu *c)
{
	take_gprs(s, c);
	take_rare(s, c);
}

/* ---- output buffer ---------------------------------------------------- */

#define OB_NBUF 16           /* buffers of a file's writer thread */
#define OB_BATCH 4           /* the writer writes at least this many at once */
_Static_assert(OB_NBUF - 1 >= 2 * OB_BATCH, "the interpreter must be able to fill a batch");

struct obuf {
	int fd;                  /* where it goes; -1 none */
	bool direct;             /* fd has O_DIRECT (ob_open): every write but
	                            the last is a whole number of blocks */
	char *p;                 /* the buffer being filled (block-aligned) */
	size_t len;
	int error;               /* first write error (errno) */
	/* A file gets a writer thread (ob_start_writer): the interpreter
	 * fills a buffer while the thread writes the ones handed to it
	 * before, so the kernel's write path runs on the other CPU.  A queue
	 * of buffers absorbs the moments when writing stalls (the kernel
	 * throttling dirty pages) without stopping the interpreter. */
	bool async;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *free[OB_NBUF];     /* buffers free to fill */
	unsigned nfree;
	char *queue[OB_NBUF];    /* handed to the writer, in order */
	size_t qlen[OB_NBUF];
	unsigned qhead, qcount;
	bool stop;
};

/* Open a trace file for a buffer: its first buffer, and O_DIRECT when the
 * file is a regular one that takes it (emu/trace/trace_fmt.c).  0 or an errno. */
int ob_open(struct obuf *o, const char *path);
/* A buffer for an already open descriptor (standard error). */
int ob_attach(struct obuf *o, int fd);
/* Write out (or hand over) what the buffer holds (emu/trace/trace_fmt.c). */
void ob_flush(struct obuf *o);
/* Start the writer thread of a buffer whose p is allocated; false if it
 * cannot (the buffer then stays synchronous). */
bool ob_start_writer(struct obuf *o);
/* Flush, stop the writer, free the buffers; close the file if owned
 * (errors go to o->error). */
void ob_close(struct obuf *o, bool own);

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

/* 16 hex digits, zero-padded: SSE2 (the x86-64 baseline) turns the 16
 * nibbles into 16 characters at once, '0'+n or 'a'+n-10 without a branch. */
static inline void put_hex16(char *d, uint64_t v)
{
	__m128i x = _mm_cvtsi64_si128((long long)__builtin_bswap64(v));
	__m128i low4 = _mm_set1_epi8(0x0F);
	__m128i lo = _mm_and_si128(x, low4);
	__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), low4);
	__m128i n = _mm_unpacklo_epi8(hi, lo);   /* most significant nibble first */
	__m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(n, _mm_set1_epi8(9)), _mm_set1_epi8(0x27));
	__m128i ch = _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')), alpha);
	_mm_storeu_si128((__m128i *)(void *)d, ch);
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

static inline unsigned reg_mask(const struct snap *a, const struct snap *b)
{
	return mask16(a->r, b->r);
}

static inline void ob_dec(struct obuf *o, uint64_t v)
{
	char *d = ob_room(o, 20);
	o->len = (size_t)(put_dec(d, v) - o->p);
}

/* ---- disassembly cache ------------------------------------------------ */

struct dent {
	const struct insn *ip;   /* NULL: empty */
	uint64_t rip;
	uint64_t gen;            /* decode_flushes() when made */
	uint16_t pre_len;        /* length of pre[] */
	/* The line's fixed middle, ready to copy (copy_pre): text:
	 * " sym  bytes  asm  |", jsonl: ',"sym":"...","bytes":"...","asm":"..."'. */
	char pre[256] __attribute__((aligned(16)));
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
	unsigned nmem;
	uint64_t mem_dropped;       /* accesses past MEM_MAX (listed as "+N more") */
	struct dent *dcache;       /* 2 << DCACHE_SETS_BITS entries, set k at 2k */
	uint8_t *dcache_mru;       /* per set: the way used last */
	ZydisDecoder dec;
	ZydisFormatter fmt;
	uint64_t lines;            /* trace lines written (Tenet line numbers) */
	unsigned regs_changed;     /* trace_insn: general registers prev -> cur */
	bool rare_changed;         /*   and whether the rare block changed */
	uint64_t seq_last;         /* the sequence number in seq_text */
	uint64_t seq_pow;          /*   10^seq_ndig: where it gets wider */
	int seq_ndig;              /*   its digits */
	char seq_text[40];         /*   right-aligned in [0,20), spaces before;
	                              the rest is slack for fixed-size copies */
	uint64_t tenet_last[16];   /* registers (ModRM order) as of the last Tenet line */
	bool tenet_started;
	/* filters */
	bool filtered;             /* any filter: else every instruction is traced */
	bool has_from, has_to, window;
	uint64_t from, to;
	bool in_syscall;
	bool armed;                /* the next instruction may be traced: the
	                              snapshot is current, the memory hook on */
	/* JSON Lines extras for `lstar view` (docs/trace.md): the full state
	 * on a record that does not follow the previous one, and the lines of
	 * the strace view */
	uint64_t js_next;          /* seq of a record that would follow the last
	                              one (~0 before the first) */
	struct strace *vst;        /* a second strace view, into vst_file */
	FILE *vst_file;            /* open_memstream() of vst_buf */
	char *vst_buf;
	size_t vst_len;
	/* strace and stats */
	struct strace *st;
	FILE *st_file;
	struct stats *stats;
	int cpl;                   /* CPL after the last instruction */
	uint64_t user_since;       /* icount when CPL 3 was entered */
	/* the running task, as the kernel says (LSTAR_HC_TASK, include/lstar/hostcall.h) */
	const struct hostcall_task *task;   /* the device's record, NULL: no device */
	uint64_t switches_seen;    /* its switch count when last looked at */
	int tid, tgid;
	char comm[16];
	bool tasks_named;          /* the kernel switched tasks (LSTAR_HC_TASK): JSON
	                              Lines records get "tid" from then on */
	int task_shown;            /* the task of the trace's last line */
	bool task_full;            /* JSON Lines: the next record has tgid and comm too */
	char tid_js[32];           /* ,"tid":N (JSON Lines: on every record) */
	unsigned tid_js_len;
	uint64_t exit_fn;          /* the kernel's do_task_exit: a task ends (0: none) */
};

/* ---- emu/trace/trace_fmt.c ---- */

void trace_fmt_init(void);
/* Format instruction i (at rip, events = cpu->event) if the filters want it. */
void trace_insn(struct trace_session *s, struct cpu *c, const struct insn *i,
		uint64_t rip, unsigned events);
/* The frame the CPU just pushed; slots read, 0 if unreadable. */
unsigned read_frame(struct cpu *c, uint64_t frame[6]);
/* How an exception line's event came: a fault or trap the CPU raised, a
 * software INT n / INT3 / INTO, an exception an instruction raised after
 * it completed, an external interrupt from the local APIC. */
enum exc_kind { EXC_FAULT, EXC_SOFT, EXC_IN_INSN, EXC_EXTERNAL };
void trace_exception(struct trace_session *s, struct cpu *c, int vector, uint32_t err,
		     uint64_t rip, int cpl, enum exc_kind kind);
/* The running task changed (s->tid...): the ,"tid":N text. */
void trace_task_text(struct trace_session *s);

#endif
