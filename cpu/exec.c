/*
 * exec.c - the interpreter loop.
 *
 * The loop runs decoded blocks (cpu/decode.c).  In the common case -- no
 * single-stepping, no events requested by an embedder, nothing due within
 * the block (cpu->icount_event: the instruction limit, the APIC timer's
 * expiry, a deliverable interrupt; cpu/interrupt.c) -- a block's handlers
 * run back to back with no per-instruction check but the block's end
 * (cpu.blk_end, which cpu_leave_block() moves when a handler asks to
 * leave), and a compare-and-branch that ends the block runs as one fused
 * call (struct block's tail_fn, the FUSE rows of cpu/ops.def).
 * Otherwise each instruction goes through the careful path, which handles
 * RFLAGS.TF single-step traps, event stops (EV_* in cpu->event_mask), the
 * exact instruction limit, and looks at timer and interrupts before each
 * instruction once icount reaches icount_event (cpu_boundary()).
 *
 * Exceptions use one propagation style everywhere: cpu_fault() longjmps
 * back here and the exception is delivered through the IDT by
 * cpu_exception() (cpu/exception.c).  A fault during that delivery longjmps
 * here again with cpu->delivering set, which is how #DF and triple faults
 * arise.
 */
#include <stdio.h>
#include <stdlib.h>
#include "apic.h"
#include "cpu.h"
#include "decode.h"
#include "flags.h"

void cpu_exception(struct cpu *c, int vector, uint32_t error_code);

/* The fast path adds a block's retired instructions to icount when the
 * block ends; leaving it early through a longjmp must count those before
 * the current one (plus the current one if it retired, for a trap). */
static inline void count_partial_block(struct cpu *c, bool cur_retired)
{
	if (c->blk_start && c->cur)
		c->icount += (uint64_t)(c->cur - c->blk_start) + cur_retired;
	else if (cur_retired && c->cur)
		c->icount++;
	c->blk_start = NULL;
	c->blk_end = NULL;   /* no handler may chain on (insn_next) */
}

_Noreturn void cpu_fault(struct cpu *c, int vector, uint32_t error_code)
{
	count_partial_block(c, false);
	if (c->cur && c->delivering < 0)
		c->rip = c->cur->next_rip - c->cur->len;  /* faults restart the insn */
	c->cur = NULL;
	c->fault_pending = 1;
	c->fault_vec = vector;
	c->fault_err = error_code;
	if (!c->jb) {
		fprintf(stderr, "lstar: internal error: exception %d raised outside the run loop\n", vector);
		abort();
	}
	longjmp(*c->jb, 1);
}

_Noreturn void cpu_trap(struct cpu *c, int vector)
{
	/* RIP already holds the next instruction; the instruction retired. */
	count_partial_block(c, true);
	c->cur = NULL;
	c->fault_pending = 1;
	c->fault_vec = vector;
	c->fault_err = 0;
	if (!c->jb)
		abort();
	longjmp(*c->jb, 1);
}

_Noreturn void cpu_stop(struct cpu *c, enum cpu_stop why)
{
	count_partial_block(c, false);
	c->stop = why;
	c->cur = NULL;
	if (!c->jb)
		abort();
	longjmp(*c->jb, 1);
}

/* One instruction with every check: TF, events, the limit. */
static inline void step_careful(struct cpu *c, const struct insn *i)
{
	struct cpu_hooks *h = c->hooks;
	if (unlikely(h) && h->before && h->before(h->ctx, c, i)) {
		c->stop = STOP_BREAKPOINT;
		return;
	}
	c->event = 0;
	c->mem_seen = 0;
	c->pending_db = (c->rflags & F_TF) != 0;
	c->cur = i;
	c->rip = i->next_rip;
	c->blk_end = NULL;   /* one instruction: no chaining (insn_next) */
	i->fn(c, i);
	c->cur = NULL;
	c->icount++;
	if (unlikely(h) && h->after)
		h->after(h->ctx, c, i);
	if (c->pending_db) {
		/* Single-step trap after the instruction (SDM vol. 3A §17.3.1.4):
		 * DR6.BS records the cause. */
		uint64_t at = c->rip;
		c->pending_db = 0;
		c->dr[6] |= 1ULL << 14;
		cpu_exception(c, EXC_DB, 0);
		if (unlikely(h) && h->exception)
			h->exception(h->ctx, c, EXC_DB, 0, at);
	}
	if (c->event & c->event_mask)
		c->stop = STOP_EVENT;
	if (c->icount >= c->icount_limit && c->stop == STOP_NONE)
		c->stop = STOP_INSN_LIMIT;
}

/*
 * The block at RIP.  The block run last remembers up to two successors;
 * a link is trusted while nothing that could change which code RIP names
 * (a TLB flush, a write to code, a cache flush) happened since it was
 * made -- the same events real TLBs honour -- and only at the privilege it
 * was made at (execute rights differ between user and supervisor), which
 * is folded into the tag so that SYSCALL/SYSRET do not drop every link.
 */
static inline bool link_ok(const struct block *p, int k, uint64_t rip, uint64_t tag)
{
	/* An empty slot carries the epoch ~0, which no tag reaches (it
	 * would take 2^63 flushes), so a matching epoch means a link. */
	return p->link_epoch[k] == tag && p->link[k]->va == rip;
}

static inline struct block *next_block(struct cpu *c)
{
	struct block *p = c->last_block, *b;
	uint64_t epoch = c->link_tag;
	if (likely(p)) {
		if (link_ok(p, 0, c->rip, epoch))
			return c->last_block = p->link[0];
		if (link_ok(p, 1, c->rip, epoch)) {
			b = p->link[1];
			/* keep the most recent successor first */
			p->link[1] = p->link[0];
			p->link_epoch[1] = p->link_epoch[0];
			p->link[0] = b;
			p->link_epoch[0] = epoch;
			return c->last_block = b;
		}
	}
	b = decode_lookup(c);
	/* Link only if the lookup did not flush or invalidate anything
	 * (p may even have been freed by a cache flush). */
	if (p && epoch == c->link_tag) {
		p->link[1] = p->link[0];
		p->link_epoch[1] = p->link_epoch[0];
		p->link[0] = b;
		p->link_epoch[0] = epoch;
	}
	return c->last_block = b;
}

/*
 * The loop proper, kept out of cpu_run() so that no setjmp() is in scope:
 * the compiler can then keep `c` and the instruction pointer in registers.
 * A longjmp out of a handler lands in cpu_run(), which calls this again.
 */
static __attribute__((noinline)) void run_blocks(struct cpu *c)
{
	while (c->stop == STOP_NONE) {
		struct block *b = next_block(c);
		const struct insn *i = b->insn, *end = i + b->n;
		if (likely(!(c->rflags & F_TF) && !c->event_mask && !c->hooks &&
			   c->icount + b->n < c->icount_event)) {
			/* A request to leave made before this block began (the
			 * API between runs, a cache flush by the lookup) was
			 * honoured by looking the block up afresh; from here on
			 * exit_block means "set by this block", which the fused
			 * tail relies on to count the pair. */
			c->exit_block = 0;
			c->blk_start = i;
			c->blk_end = b->fast_end;
			c->blk_tail = b->tail_fn;
			for (;;) {
				/* A handler that asks to leave the block moves
				 * blk_end back to its start (cpu_leave_block()). */
				if (likely(i < c->blk_end)) {
					do {
						c->cur = i;
						c->rip = i->next_rip;
						i->fn(c, i);
						/* A threaded handler ran on to
						 * later ones (insn_next): go on
						 * after the last one that ran.
						 * (A machine reset in a handler
						 * clears cur; it also asked to
						 * leave.) */
						const struct insn *last = c->cur;
						i = likely(last) ? last : i;
					} while (++i < c->blk_end);
				}
				/* A fused compare-and-branch ends the block: one
				 * call for the pair, with c->cur at the first so
				 * that a fault in it counts and restarts exactly
				 * as unfused.  It sets RIP itself (and takes one
				 * back from icount if it left the Jcc undone:
				 * cpu/alu_fuse.c). */
				if (b->tail_fn) {
					if (i == b->fast_end) {
						/* not run by a chain (none, or
						 * one that stopped short) */
						if (likely(!c->exit_block)) {
							c->cur = i;
							b->tail_fn(c, i);
							i += 2;
						}
					} else if (i == b->fast_end + 1) {
						i++;   /* a chain ran it (insn_next) */
					}
				}
				/* A block that ran to its end retired n (a fused
				 * tail that left its Jcc undone took one back);
				 * one left early, those before i. */
				if (unlikely(c->exit_block)) {
					c->icount += (uint64_t)(i - b->insn);
					break;
				}
				c->icount += b->n;
				/* Go straight on to the linked successor (a loop that
				 * is one block links to itself) as long as nothing
				 * asked to leave: whatever could make the fast path
				 * wrong (TF, hooks, events, a code write, a TLB flush)
				 * sets exit_block or changes the link tag, and the
				 * event horizon is checked per block. */
				if (c->stop != STOP_NONE)
					break;
				struct block *nb = b;
				if (c->rip != b->va) {
					/* either successor: a branch that goes
					 * both ways in turn stays in here */
					if (link_ok(b, 0, c->rip, c->link_tag))
						nb = b->link[0];
					else if (link_ok(b, 1, c->rip, c->link_tag))
						nb = b->link[1];
					else
						break;
				}
				if (c->icount + nb->n >= c->icount_event)
					break;
				c->last_block = b = nb;
				i = b->insn;
				c->blk_start = i;
				c->blk_end = b->fast_end;
				c->blk_tail = b->tail_fn;
			}
			c->blk_start = NULL;
			c->blk_end = NULL;
			c->cur = NULL;
			c->exit_block = 0;
		} else {
			do {
				if (unlikely(c->icount >= c->icount_event) && cpu_boundary(c))
					break;
				step_careful(c, i);
			} while (++i < end && !c->exit_block && c->stop == STOP_NONE);
			c->exit_block = 0;
		}
	}
}

void cpu_run(struct cpu *c)
{
	jmp_buf jb;
	jmp_buf *volatile outer = c->jb;
	c->jb = &jb;
	if (c->icount >= c->icount_limit && c->stop == STOP_NONE)
		c->stop = STOP_INSN_LIMIT;
	/* The limit, the timer or the interrupt state may have changed
	 * between runs (the API, a debugger, a snapshot restore). */
	cpu_event_recalc(c);
	if (setjmp(jb)) {
		/* Landed from cpu_fault(), cpu_trap() or cpu_stop(). */
		c->exit_block = 0;
		if (c->fault_pending && c->stop == STOP_NONE) {
			uint64_t at = c->rip;
			c->fault_pending = 0;
			cpu_exception(c, c->fault_vec, c->fault_err);
			if (c->hooks && c->hooks->exception)
				c->hooks->exception(c->hooks->ctx, c, c->fault_vec, c->fault_err, at);
			if (c->event & c->event_mask)
				c->stop = STOP_EVENT;
		}
	}
	run_blocks(c);
	c->jb = outer;
}
