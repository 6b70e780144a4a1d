/*
 * view_int.h - what the two halves of `lstar view` share: the model of a
 * trace that emu/view/view_parse.c builds from JSON Lines and
 * emu/view/view_out.c encodes into the page.  Private to emu/view/.
 *
 * The model is what the page needs and no more, stored the way the page
 * reads it (emu/view/page/data.js):
 *
 *   per record (one line of the trace): a byte (CPL, kind, flags), the
 *   index of its instruction in a table of distinct instructions (or of
 *   its exception), the number of state operations and memory accesses;
 *   the operations and accesses themselves in two byte streams;
 *   every VIEW_SNAP records a snapshot of the whole state and of the
 *   stream offsets, so the page rebuilds the state at any record from
 *   the snapshot before it and at most VIEW_SNAP - 1 records of deltas;
 *   small tables in JSON: distinct instructions, system calls, CPL
 *   runs, tasks, exceptions, sequence numbers that do not count up by one.
 *
 * State fields (VF_*): the 16 general registers (ModRM order), RFLAGS,
 * CPL, the six segments (selector, base, limit, attributes) and the
 * system registers of the trace's "sys" member, 56 in all.  An operation
 * is a byte (field, bit 7 = "pre": the value before the record, where the
 * trace's old value or "state" disagrees with what the deltas so far
 * give), a byte n and n little-endian bytes of the value XOR the field's
 * current value.
 */
#ifndef LSTAR_VIEW_INT_H
#define LSTAR_VIEW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VF_RFLAGS 16
#define VF_CPL 17
#define VF_SEG 18            /* + 4 * segment + (0 sel, 1 base, 2 limit, 3 attr) */
#define VF_SYS 42            /* + index in view_sys_names */
#define VF_N 56
#define VIEW_SNAP 2048       /* records between snapshots */
#define VIEW_MEM_MAX 64      /* accesses kept per record (the trace's MEM_MAX) */

/* Record byte: bits 0-1 CPL, bits 2-3 kind, bit 4 has a "state" member. */
enum { VK_INSN = 0, VK_EXC = 1, VK_OTHER = 2 };
#define VR_STATE 0x10

extern const char *const view_reg_names[16];
extern const char *const view_seg_names[6];
extern const char *const view_segf_names[4];
extern const char *const view_sys_names[VF_N - VF_SYS];

struct vbuf {
	uint8_t *p;
	size_t n, cap;
};

/* false: out of memory (the buffer is then left as it was). */
bool vb_put(struct vbuf *b, const void *d, size_t n);
bool vb_printf(struct vbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool vb_byte(struct vbuf *b, uint8_t c)
{
	if (b->n < b->cap) {
		b->p[b->n++] = c;
		return true;
	}
	return vb_put(b, &c, 1);
}
void vb_free(struct vbuf *b);

/* A distinct instruction: its address and the raw JSON string contents
 * (escapes kept) of sym, bytes and asm, in the trace's strs. */
struct vinsn {
	uint64_t rip;
	uint32_t sym, sym_len, bytes, bytes_len, as, as_len;
	uint32_t hash;
	int32_t next;            /* hash chain */
};

struct vcall {
	uint32_t s, e;           /* the SYSCALL's record, the record that returned (0: none) */
	uint64_t seq, nr;
	int64_t tid;             /* -1: no tid */
	uint32_t name, name_len; /* in strs; name_len 0: none */
	uint32_t text, text_len; /* its strace line, prefix removed */
};

struct vtrace {
	const char *path;
	const char *name;        /* shown in the page */
	size_t nrec;
	/* per record */
	struct vbuf rk;          /* record byte */
	struct vbuf ins;         /* uint32: instruction or exception index */
	struct vbuf nops;        /* uint8 */
	struct vbuf nmem;        /* uint8: accesses; bit 7: a dropped count comes first */
	struct vbuf ops, mem, snaps;
	/* tables */
	struct vbuf strs;        /* raw JSON string contents */
	struct vinsn *insn;
	size_t ninsn, capinsn;
	int32_t *ihash;          /* heads, VIEW_IHASH entries */
	struct vcall *call;
	size_t ncall, capcall;
	struct vbuf exc_js;      /* JSON objects of the exception (and other) records, comma-separated */
	size_t nexc;
	struct vbuf info_js;     /* [record, "strace line"] of lines without a call */
	struct vbuf seqx_js;     /* record,seq pairs where seq is not the previous + 1 */
	struct vbuf runs_js;     /* record,cpl where the CPL changes */
	struct vbuf tids_js;     /* record,tid where the task changes */
	bool has_tid;
	/* state while parsing */
	uint64_t st[VF_N];
	uint64_t known;          /* fields whose value is known */
	uint64_t mem_prev;       /* the last access's address (XOR base) */
	uint64_t seq_prev;
	int cpl_prev;            /* -1 before the first record */
	int64_t tid_prev;
	int64_t open_call[8];    /* per task slot: the call in flight, -1 none */
	/* per line hashes without seq and sym, for the first difference */
	uint64_t *hash;
	size_t caphash;
	bool want_hash;
	/* where the first difference is described (view_out.c) */
	size_t nlines;
};
#define VIEW_IHASH (1u << 16)

/* ---- one line of the trace (emu/view/view_rec.c) ---- */

#define REC_STRACE 16
#define REC_RAW 12

struct change {
	int f;
	uint64_t old, nw;
};

struct memacc {
	uint64_t addr, val;
	uint8_t w, size;
};

struct span {
	const char *s;
	size_t n;
};

/* A record as read from its line: raw JSON strings point into the line. */
struct rec {
	uint64_t seq;
	int kind;
	bool has_cpl, has_rip;
	int cpl;
	uint64_t rip;
	struct span sym, bytes, as, event;
	struct change ch[VF_N + 8];
	int nch;
	bool has_cpl_change;
	int cpl_old, cpl_new;
	bool has_state;
	uint64_t state[VF_N];
	uint64_t state_mask;
	struct memacc mem[VIEW_MEM_MAX];
	int nmem;
	uint64_t dropped;
	bool has_syscall, has_sysname;
	uint64_t nr;
	struct span sysname;
	struct span strace[REC_STRACE];
	int nstrace;
	bool has_tid;
	int64_t tid;
	/* exception members, raw: key and value */
	struct span rawk[REC_RAW], rawv[REC_RAW];
	int nraw;
	/* the value spans of "seq" and "sym" (left out of the line's hash) */
	struct span seq_span, sym_span;
};

/* Parse one line [s, e) (without its newline) into r.  false: *why says
 * what was expected at column *col (1-based). */
bool view_parse_line(const char *s, const char *e, struct rec *r, const char **why, size_t *col);

/* Parse a whole trace file into t (t->path set, t->want_hash as needed). 0 or -1 + err. */
int view_parse(struct vtrace *t, size_t max_records, char *err, size_t errlen);
void view_trace_free(struct vtrace *t);

/* A description of how line k differs between two traces (re-read from
 * the files): "rip: 0x… in A, 0x… in B".  Into buf. */
void view_describe_diff(const struct vtrace *a, const struct vtrace *b, size_t k,
			char *buf, size_t len);

#endif
