/*
 * trace.c - the per-instruction trace (--trace) and the hook plumbing that
 * --strace (emu/trace/strace.c) and --stats (emu/trace/stats.c) share (docs/trace.md).
 *
 * How "what changed" is found: the session keeps a snapshot of the state
 * after the previous instruction (general registers, RFLAGS, segments,
 * control registers and MSRs, CPL).  The after hook compares the machine
 * with it, prints the differences and takes the new state as the next
 * snapshot.  No before hook is needed: nothing changes architectural
 * state between two instructions except an exception or interrupt
 * delivery, and the exception and interrupt hooks refresh the snapshot
 * after printing their own line.
 *
 * Tasks: the kernel tells the host-call device which task it switches to
 * (LSTAR_HC_TASK); the after hook notices the device's switch count move and
 * passes the news on (the strace view, the statistics, the trace's task
 * lines).  A task's end is the first instruction of the kernel's
 * do_task_exit, found by its symbol.
 *
 * Files: this one (hooks, session), emu/trace/trace_fmt.c (the formats),
 * emu/trace/trace_opts.c (options), emu/trace/trace_int.h (what they share).
 * Without any trace option no hook is installed and cpu/exec.c runs its
 * fast path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "emu/hostcall/hostcall.h"
#include "emu/machine.h"
#include "strace_fmt.h"
#include "emu/trace/stats.h"
#include "emu/trace/strace.h"
#include "emu/symbols.h"
#include "emu/trace/trace.h"
#include "emu/trace/trace_int.h"

/* ---- hooks ------------------------------------------------------------ */

static void on_mem(void *ctx, struct cpu *c, uint64_t la, unsigned size, uint64_t v, int write)
{
	(void)c;
	struct trace_session *s = ctx;
	if (likely(s->nmem < MEM_MAX))
		s->mem[s->nmem++] = (struct memrec){ la, v, size > 8 ? 8 : size, write };
	else
		s->mem_dropped++;
}

/* Accesses a REP string instruction made in bulk once MEM_MAX were
 * listed: counted, as the ones beyond MEM_MAX always were. */
static void on_mem_more(void *ctx, struct cpu *c, uint64_t accesses)
{
	(void)c;
	struct trace_session *s = ctx;
	s->mem_dropped += accesses;
}

/* The guest is about to use the host's standard streams: the lines of a
 * trace on standard error so far go out first (machine.before_stdio). */
static void trace_before_stdio(void *ctx)
{
	struct trace_session *s = ctx;
	ob_flush(&s->out);
}

/* Account the instructions run at the CPL that just ended. */
static void cpl_changed(struct trace_session *s, struct cpu *c)
{
	if (s->stats)
		stats_cpl(s->stats, s->cpl, c->icount);
	if (s->st && s->cpl == 3)
		strace_user_insns(s->st, c->icount - s->user_since);
	if (c->cpl == 3)
		s->user_since = c->icount;
	s->cpl = c->cpl;
}

/*
 * The memory hook only while the next instruction (at c->rip, CPL c->cpl)
 * can be traced.  Installed, it keeps every data access off the inline TLB
 * fast path (TLB_HOOKED, cpu/cpu.h) so that none escapes it, so a
 * filtered trace turns it off outside its windows.  The tests of wanted()
 * (emu/trace/trace_fmt.c), made one instruction ahead; turning it on flushes the
 * TLB.
 */
static void mem_hook_for_next(struct trace_session *s, struct cpu *c)
{
	if (!s->filtered)
		return;   /* every instruction is traced: the hook stays on */
	uint64_t rip = c->rip;
	bool base = !(s->o.cpl == TRACE_CPL_USER && c->cpl != 3) &&
		    !(s->o.cpl == TRACE_CPL_KERNEL && c->cpl == 3) &&
		    !(s->o.has_range && (rip < s->o.range_lo || rip >= s->o.range_hi)) &&
		    !(s->has_from && !s->window && rip != s->from);
	bool want = base && !(s->o.syscalls_only && !s->in_syscall);
	/* With --trace-syscalls the next instruction may be the SYSCALL that
	 * opens a window: its line needs the snapshot (not the memory hook:
	 * SYSCALL touches no memory). */
	if (base && !s->armed)
		take(s->prev, c);   /* the state before the next traced instruction */
	s->armed = base;
	if (want == (s->hooks.mem != NULL))
		return;
	if (want) {
		s->hooks.mem = on_mem;
		tlb_flush_all(c);
	} else {
		s->hooks.mem = NULL;
	}
}

/* Both strace views (--strace's, and the one JSON Lines records carry). */
#define BOTH_STRACE(s, call)                     \
	do {                                     \
		if ((s)->st) {                   \
			struct strace *st_ = (s)->st; \
			call;                    \
		}                                \
		if ((s)->vst) {                  \
			struct strace *st_ = (s)->vst; \
			call;                    \
		}                                \
	} while (0)

/* The kernel said another task runs (LSTAR_HC_TASK: an OUT in its context
 * switch, kernel_model/core.c): the instructions after this one are the
 * new task's. */
static void task_switched(struct trace_session *s, struct cpu *c)
{
	const struct hostcall_task *h = s->task;
	s->switches_seen = h->switches;
	bool same = h->tid == s->tid && s->tasks_named;
	s->tasks_named = true;
	s->tid = h->tid;
	s->tgid = h->tgid;
	memcpy(s->comm, h->comm, sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = 0;
	if (s->stats)
		stats_switch(s->stats, c->icount, h->tid);
	if (same)
		return;
	BOTH_STRACE(s, strace_switch(st_, c->icount, h->tid, h->tgid));
	if (s->tracing)
		trace_task_text(s);
}

/* A task ends: the next instruction is the first of the kernel's
 * do_task_exit(wstatus) (kernel_model/exit.c), which every end of a task
 * goes through. */
static void task_exiting(struct trace_session *s, struct cpu *c)
{
	BOTH_STRACE(s, strace_task_exit(st_, c, (int)c->r[R_RDI]));
}

static void on_after(void *ctx, struct cpu *c, const struct insn *i)
{
	struct trace_session *s = ctx;
	unsigned ev = c->event;
	if (unlikely(ev)) {
		if (ev & EV_SYSCALL) {
			BOTH_STRACE(s, strace_enter(st_, c));
			if (s->stats)
				stats_syscall_enter(s->stats, (uint32_t)c->r[R_RAX], c->icount);
		}
		if ((ev & (EV_SYSRET | EV_IRET)) && c->cpl == 3) {
			BOTH_STRACE(s, strace_exit(st_, c));
			if (s->stats)
				stats_syscall_exit(s->stats, c->icount);
		}
	}
	if (unlikely(c->cpl != s->cpl))
		cpl_changed(s, c);
	if (s->tracing)
		trace_insn(s, c, i, i->next_rip - i->len, ev);
	if (unlikely(ev & EV_EXCEPTION)) {
		/* INT n / INT3 / INTO delivered inside the instruction. */
		if (s->stats)
			stats_exception(s->stats, c->last_vector);
		bool soft = i->mnem == ZYDIS_MNEMONIC_INT || i->mnem == ZYDIS_MNEMONIC_INT3 ||
			    i->mnem == ZYDIS_MNEMONIC_INTO || i->mnem == ZYDIS_MNEMONIC_INT1;
		if (s->st || s->vst) {
			/* A fault raised at CPL 3 inside the instruction (the
			 * frame's CS says where): the kernel may kill for it. */
			uint64_t frame[6];
			unsigned n = read_frame(c, frame);
			if (n && (frame[n == 6 ? 2 : 1] & 3) == 3)
				BOTH_STRACE(s, strace_user_fault(st_, c, c->last_vector, c->last_error,
								 frame[n == 6 ? 1 : 0]));
		}
		if (s->tracing)
			trace_exception(s, c, c->last_vector, c->last_error, i->next_rip - i->len,
					0, soft ? EXC_SOFT : EXC_IN_INSN);
	}
	if (unlikely(s->task && s->task->switches != s->switches_seen))
		task_switched(s, c);
	if (unlikely(c->rip == s->exit_fn) && s->exit_fn)
		task_exiting(s, c);
	if (s->tracing)
		mem_hook_for_next(s, c);
}

static void on_exception(void *ctx, struct cpu *c, int vector, uint32_t err, uint64_t rip)
{
	struct trace_session *s = ctx;
	if (s->stats)
		stats_exception(s->stats, vector);
	if (s->cpl == 3)
		BOTH_STRACE(s, strace_user_fault(st_, c, vector, err, rip));
	if (c->cpl != s->cpl)
		cpl_changed(s, c);
	if (s->tracing) {
		trace_exception(s, c, vector, err, rip, s->prev->cpl, EXC_FAULT);
		mem_hook_for_next(s, c);
	}
}

/* An external interrupt (the APIC timer's vector 0xEC, ...) delivered at
 * the boundary before the instruction at rip: a line of its own, and the
 * state after it (the handler's first instruction runs at CPL 0). */
static void on_interrupt(void *ctx, struct cpu *c, int vector, uint64_t rip)
{
	struct trace_session *s = ctx;
	if (s->stats)
		stats_interrupt(s->stats, vector);
	int from = s->cpl;
	if (from == 3)
		BOTH_STRACE(s, strace_user_interrupt(st_, rip));
	if (c->cpl != s->cpl)
		cpl_changed(s, c);
	if (s->tracing) {
		trace_exception(s, c, vector, 0, rip, from, EXC_EXTERNAL);
		mem_hook_for_next(s, c);
	}
}

static bool parse_num(const char *v, uint64_t *out)
{
	if (!*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

/* ---- session ------------------------------------------------------------ */

static bool resolve(struct machine *m, const char *v, uint64_t *addr)
{
	if (parse_num(v, addr))
		return true;
	char name[256];
	snprintf(name, sizeof(name), "%s", v);
	uint64_t off = 0;
	char *plus = strchr(name, '+');
	if (plus) {
		*plus = 0;
		if (!parse_num(plus + 1, &off))
			return false;
	}
	if (!m->syms || !sym_find(m->syms, name, addr))
		return false;
	*addr += off;
	return true;
}

static FILE *open_out(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
	return f;
}

struct trace_session *trace_start(struct machine *m, const struct trace_opts *t,
				  char *err, size_t errlen)
{
	struct trace_session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory for the trace");
		return NULL;
	}
	s->m = m;
	s->c = &m->cpu;
	s->out.fd = s->side.fd = -1;
	trace_fmt_init();
	s->o = *t;
	s->cpl = m->cpu.cpl;
	/* The running task: the kernel names it at each switch; before the
	 * first one it is the first process. */
	s->tid = s->tgid = STRACE_FIRST_TID;
	if (m->hc && (s->task = hostcall_current_task(m->hc))) {
		s->switches_seen = s->task->switches;
		if (s->task->switches) {
			s->tid = s->task->tid;
			s->tgid = s->task->tgid;
			memcpy(s->comm, s->task->comm, sizeof(s->comm));
			s->comm[sizeof(s->comm) - 1] = 0;
		}
	}
	/* Where a task ends, for the strace view's "+++ exited" lines. */
	if (m->syms)
		sym_find(m->syms, "do_task_exit", &s->exit_fn);
	/* JSON Lines records name the task from the kernel's first switch
	 * on: a program that stays one task has traces as before */
	s->tasks_named = s->task && s->task->switches;
	s->task_shown = s->tid;
	trace_task_text(s);
	if (t->from && !(s->has_from = resolve(m, t->from, &s->from))) {
		snprintf(err, errlen, "--trace-from %s: no such symbol or address", t->from);
		goto fail;
	}
	if (t->to && !(s->has_to = resolve(m, t->to, &s->to))) {
		snprintf(err, errlen, "--trace-to %s: no such symbol or address", t->to);
		goto fail;
	}
	if (t->trace) {
		s->tracing = true;
		/* calloc: untouched sets cost no memory (an empty entry has
		 * ip == NULL, which no instruction matches) */
		s->dcache = calloc(2u << DCACHE_SETS_BITS, sizeof(*s->dcache));
		s->dcache_mru = calloc(1u << DCACHE_SETS_BITS, 1);
		if (!s->dcache || !s->dcache_mru) {
			snprintf(err, errlen, "out of memory for the trace");
			goto fail;
		}
		int e;
		if (t->trace_file) {
			s->own_out = true;
			if ((e = ob_open(&s->out, t->trace_file))) {
				snprintf(err, errlen, "cannot open %s: %s", t->trace_file, strerror(e));
				goto fail;
			}
		} else if (ob_attach(&s->out, STDERR_FILENO)) {
			snprintf(err, errlen, "out of memory for the trace");
			goto fail;
		} else {
			m->before_stdio = trace_before_stdio;
			m->before_stdio_ctx = s;
		}
		if (t->format == TRACE_TENET) {
			char path[4096];
			snprintf(path, sizeof(path), "%s.side.jsonl", t->trace_file);
			s->own_side = true;
			if ((e = ob_open(&s->side, path))) {
				snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
				goto fail;
			}
		}
		/* Files get a writer thread each; standard error stays
		 * synchronous (it interleaves with the guest's output). */
		if (t->trace_file)
			ob_start_writer(&s->out);
		if (s->side.fd >= 0)
			ob_start_writer(&s->side);
		ZydisDecoderInit(&s->dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		ZydisFormatterInit(&s->fmt, t->att ? ZYDIS_FORMATTER_STYLE_ATT : ZYDIS_FORMATTER_STYLE_INTEL);
		ZydisFormatterSetProperty(&s->fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
		s->prev = &s->snaps[0];
		s->cur = &s->snaps[1];
		take(s->prev, &m->cpu);
		s->window = false;
		s->seq_last = ~0ULL - 1;   /* seq_text not filled yet */
		s->filtered = t->cpl != TRACE_CPL_ALL || t->has_range || s->has_from ||
			      s->has_to || t->syscalls_only;
		s->armed = !s->filtered;   /* else mem_hook_for_next() decides */
		s->js_next = ~0ULL;        /* the first record gets "state" */
		/* JSON Lines records carry the strace lines for `lstar view`
		 * (trace_fmt.c, js_strace): a second strace view writes them
		 * to memory.  Without it the trace only lacks those lines. */
		if (t->format == TRACE_JSONL &&
		    (s->vst_file = open_memstream(&s->vst_buf, &s->vst_len)) &&
		    !(s->vst = strace_new(s->vst_file, false, true))) {
			fclose(s->vst_file);
			s->vst_file = NULL;
		}
	}
	if (t->strace != STRACE_OFF) {
		s->st_file = stderr;
		if (t->strace_file && !(s->st_file = open_out(t->strace_file, err, errlen)))
			goto fail;
		if (!(s->st = strace_new(s->st_file, t->strace == STRACE_SUMMARY, t->strace_icount))) {
			snprintf(err, errlen, "out of memory for --strace");
			goto fail;
		}
	}
	BOTH_STRACE(s, strace_switch(st_, m->cpu.icount, s->tid, s->tgid));
	if (t->stats && !(s->stats = stats_new(s->tid))) {
		snprintf(err, errlen, "out of memory for --stats");
		goto fail;
	}
	s->hooks.ctx = s;
	s->hooks.after = on_after;
	s->hooks.exception = on_exception;
	s->hooks.interrupt = on_interrupt;
	if (s->tracing)
		s->hooks.mem = on_mem;
	s->hooks.mem_each = MEM_MAX;
	s->hooks.mem_more = on_mem_more;
	cpu_set_hooks(&m->cpu, &s->hooks);
	if (s->tracing)
		mem_hook_for_next(s, &m->cpu);
	return s;
fail:
	trace_finish(s, -1);
	return NULL;
}

void trace_finish(struct trace_session *s, int status)
{
	if (!s)
		return;
	if (s->m && s->m->cpu.hooks == &s->hooks)
		cpu_set_hooks(&s->m->cpu, NULL);
	if (s->m && s->m->before_stdio_ctx == s) {
		s->m->before_stdio = NULL;
		s->m->before_stdio_ctx = NULL;
	}
	ob_close(&s->out, s->own_out);
	ob_close(&s->side, s->own_side);
	if ((s->out.error || s->side.error) && status >= 0)
		fprintf(stderr, "lstar: writing the trace failed: %s\n",
			strerror(s->out.error ? s->out.error : s->side.error));
	if (s->st && status >= 0)
		strace_finish(s->st, status, s->exit_fn != 0);
	if (s->stats && status >= 0)
		stats_print(s->stats, stderr, s->m->cpu.cpl, s->m->cpu.icount, s->m->cpu.idle_ticks);
	if (s->st_file && s->st_file != stderr)
		fclose(s->st_file);
	strace_free(s->st);
	strace_free(s->vst);
	if (s->vst_file)
		fclose(s->vst_file);
	free(s->vst_buf);
	stats_free(s->stats);
	free(s->dcache);
	free(s->dcache_mru);
	free(s);
}
