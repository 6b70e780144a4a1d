/*
 * gdbstub.c - the GDB remote serial protocol for `lstar run --gdb`
 * (docs/gdb.md; the protocol is "Debugging with GDB", appendix E).
 *
 * One connection, all-stop.  The machine runs only inside resume();
 * everything else happens while it is stopped between instructions.  gdb's
 * threads are the guest kernel's tasks (gdbstub_tasks.c); running,
 * stepping and stopping are the whole machine's.  Breakpoints,
 * watchpoints, single steps and the Ctrl-C poll are cpu_hooks callbacks,
 * so the guest's memory is never patched with INT3 and the guest cannot
 * see the debugger.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <Zydis/Zydis.h>

#include "cpu/apic.h"
#include "emu/gdb/gdbstub_int.h"
#include "emu/gdb/gdbstub_tasks.h"
#include "emu/gdb/snapshot.h"
#include "emu/hostcall/hostcall.h"

/* --------------------------------------------------------------- hooks */

static bool is_io(const struct insn *i)
{
	switch (i->mnem) {
	case ZYDIS_MNEMONIC_IN: case ZYDIS_MNEMONIC_OUT:
	case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
	case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
		return true;
	default:
		return false;
	}
}

/* A Ctrl-C (0x03) waiting on the socket?  Other bytes stay buffered. */
static bool poll_interrupt(struct gdb *g)
{
	if (g->int_pending)
		return true;
	if (g->rpos < g->rlen) {
		if (g->rbuf[g->rpos] == 0x03) {
			g->rpos++;
			return g->int_pending = true;
		}
		return false;
	}
	int b = rd_byte(g, 0);
	if (b == 0x03 || b == -1)   /* gdb went away: stop so the server sees it */
		return g->int_pending = true;
	if (b >= 0)
		g->rpos--;          /* not ours: leave it for recv_pkt */
	return false;
}

static void rev_before(struct gdb *g, const struct insn *i);

static int hook_before(void *ctx, struct cpu *c, const struct insn *i)
{
	struct gdb *g = ctx;
	if (g->target_pos != NOPOS && rev_pos(g) >= g->target_pos) {
		g->why = W_TARGET;
		return 1;
	}
	if (g->snap) {
		rev_before(g, i);
		if (g->why == W_IO)
			return 1;
		if (is_io(i))
			snap_io(g->snap);
	}
	g->watch_hit = false;
	if (g->wait_thread) {
		int run = running_thread(g);
		if (run == g->wait_thread && (g->wait_kernel || c->cpl == 3)) {
			g->why = W_THREAD;
			return 1;
		}
		if (run != g->wait_last) {
			/* a switch: is the thread we wait for still there? */
			struct gtask t;
			g->wait_last = run;
			if (!tasks_find(g->m, g->wait_thread, &t)) {
				g->why = W_THREAD;
				return 1;
			}
		}
	}
	bool skip = g->skip_once;
	g->skip_once = false;
	if (!skip) {
		for (int k = 0; k < g->nbp; k++) {
			if (g->bp[k].addr != c->rip)
				continue;
			enum why w = g->bp[k].hw ? W_HW : W_SW;
			if (g->replay_scan) {
				g->scan_hit = true;
				g->scan_hit_pos = rev_pos(g);
				g->scan_hit_why = w;
				break;
			}
			g->why = w;
			return 1;
		}
	}
	if (++g->poll_ctr % POLL_EVERY == 0 && poll_interrupt(g)) {
		g->why = W_INT;
		return 1;
	}
	return 0;
}

/* A live LSTAR_HC_TASK: from here on another task runs. */
static void note_switch(struct gdb *g)
{
	const struct hostcall_task *t = g->m->hc ? hostcall_current_task(g->m->hc) : NULL;
	if (!t || t->switches == g->seen_switches)
		return;
	g->seen_switches = t->switches;
	if (g->nsw == g->capsw) {
		size_t cap = g->capsw ? 2 * g->capsw : 64;
		struct task_switch *v = realloc(g->sw, cap * sizeof *v);
		if (!v)
			return;
		g->sw = v;
		g->capsw = cap;
	}
	g->sw[g->nsw++] = (struct task_switch){ g->pos, t->tid };
}

int running_thread(struct gdb *g)
{
	size_t k = g->nsw;
	while (k && g->sw[k - 1].pos > g->pos)
		k--;
	if (k)
		return g->sw[k - 1].tid ? g->sw[k - 1].tid : task_idle_id();
	/* before the first switch: the first process; 1 for a kernel
	 * without tasks (the only thread) */
	int first = tasks_first_id(g->m);
	return first > 0 ? first : 1;
}

static void hook_after(void *ctx, struct cpu *c, const struct insn *i)
{
	struct gdb *g = ctx;
	bool live = rev_advance(g);
	if (is_io(i)) {
		if (g->snap)
			g->io_done = true;
		if (live)
			note_switch(g);
	}
	if (live && (c->event & EV_SYSCALL)) {
		struct gdb_syscall *e = &g->sys.e[g->sys.n++ % GDB_SYSLOG];
		e->icount = c->icount - 1;
		e->nr = c->r[R_RAX];
		e->arg[0] = c->r[R_RDI];
		e->arg[1] = c->r[R_RSI];
		e->arg[2] = c->r[R_RDX];
		e->arg[3] = c->r[R_R10];
		e->arg[4] = c->r[R_R8];
		e->arg[5] = c->r[R_R9];
		e->user_rip = c->r[R_RCX] - 2;
		e->returned = false;
	}
	if (live && (c->event & EV_SYSRET) && g->sys.n) {
		struct gdb_syscall *e = &g->sys.e[(g->sys.n - 1) % GDB_SYSLOG];
		if (!e->returned) {
			e->ret = c->r[R_RAX];
			e->returned = true;
		}
	}
	if (g->watch_hit && !g->replay_scan && c->stop == STOP_NONE) {
		g->why = W_WATCH;
		c->stop = STOP_BREAKPOINT;
	}
}

static void hook_exception(void *ctx, struct cpu *c, int vector, uint32_t err, uint64_t rip)
{
	struct gdb *g = ctx;
	(void)vector, (void)err, (void)rip;
	rev_advance(g);
	g->watch_hit = false;
	if (g->stepping && c->stop == STOP_NONE) {
		g->why = W_STEP;
		c->stop = STOP_BREAKPOINT;
	}
}

static void hook_mem(void *ctx, struct cpu *c, uint64_t la, unsigned size, uint64_t v, int write)
{
	struct gdb *g = ctx;
	(void)c, (void)v;
	for (int k = 0; k < g->nwp; k++) {
		struct wp *w = &g->wp[k];
		if (la >= w->addr + w->len || w->addr >= la + size)
			continue;
		if ((w->type == 2 && !write) || (w->type == 3 && write))
			continue;
		uint64_t at = la > w->addr ? la : w->addr;
		if (g->replay_scan) {
			g->scan_hit = true;
			g->scan_hit_pos = rev_pos(g);
			g->scan_hit_why = W_WATCH;
			g->scan_watch_addr = at;
			g->scan_watch_type = w->type;
		} else if (!g->watch_hit) {
			g->watch_hit = true;
			g->watch_addr = at;
			g->watch_type = w->type;
		}
	}
}

/*
 * HLT's wait for the timer (bus.idle_wait, cpu/bus.h), cut into
 * slices with a look at the socket in between: Ctrl-C also stops a guest
 * whose tasks all sleep, where no instruction runs to poll from.
 */
#define IDLE_SLICE (20000000ULL * TSC_SCALE)   /* 20 ms of guest time */
static struct gdb *idle_gdb;
static uint64_t (*idle_next)(struct bus *b, uint64_t ticks);

static uint64_t idle_wait(struct bus *b, uint64_t ticks)
{
	struct machine *m = machine_of_bus(b);
	struct gdb *g = idle_gdb;
	uint64_t done = 0;
	if (!idle_next)
		return ticks == IDLE_FOREVER ? 0 : ticks;
	if (ticks == IDLE_FOREVER)
		return idle_next(b, ticks);
	while (done < ticks) {
		if (poll_interrupt(g)) {
			g->why = W_INT;
			m->cpu.stop = STOP_BREAKPOINT;
			return done;
		}
		uint64_t want = ticks - done > IDLE_SLICE ? IDLE_SLICE : ticks - done;
		uint64_t got = idle_next(b, want);
		done += got;
		if (got < want)
			break;
	}
	return done;
}

static void set_idle_wait(struct gdb *g, bool on)
{
	if (on) {
		idle_gdb = g;
		idle_next = g->m->bus.idle_wait;
		g->m->bus.idle_wait = idle_wait;
	} else if (g->m->bus.idle_wait == idle_wait) {
		g->m->bus.idle_wait = idle_next;
		idle_gdb = NULL;
		idle_next = NULL;
	}
}

/* Install the hooks; the mem hook (which keeps data accesses off the
 * inline TLB fast path) only while there are watchpoints. */
void set_hooks(struct gdb *g)
{
	g->hooks.ctx = g;
	g->hooks.before = hook_before;
	g->hooks.after = hook_after;
	g->hooks.exception = hook_exception;
	g->hooks.mem = g->nwp ? hook_mem : NULL;
	cpu_set_hooks(g->c, &g->hooks);
}

/* --------------------------------------------------------- run control */

/* OUT to the power-off port (platform.md): replayed for real, since it
 * has no host side effect but stopping the machine, which a restored
 * snapshot would not do. */
static bool is_poweroff(const struct cpu *c, const struct insn *i)
{
	if (i->mnem != ZYDIS_MNEMONIC_OUT)
		return false;
	uint64_t port = i->o[0].kind == OK_IMM ? i->imm : c->r[R_RDX];
	return (port & 0xFFFF) == 0xF4;
}

static bool snap_at(const struct snapshots *s, uint64_t pos)
{
	uint64_t at;
	return snap_find(s, pos, &at) && at == pos;
}

/* Snapshots due before the instruction at the current position: right
 * after port I/O (so replays never repeat a device's side effects) and
 * every `interval` positions.  During a replay an I/O instruction is not
 * run again: the snapshot taken after it is restored instead (W_IO). */
static void rev_before(struct gdb *g, const struct insn *i)
{
	uint64_t last = snap_last(g->snap);
	if ((g->io_done || g->pos >= last + g->interval) && g->pos > last &&
	    !snap_take(g->snap, g->pos)) {
		/* out of memory: keep what is recorded, take no more */
		fprintf(g->log, "lstar: gdb: out of memory for snapshots: reverse execution "
			"is limited to the first %" PRIu64 " positions\n", last);
		g->interval = ~0ULL / 2;
	}
	g->io_done = false;
	if (g->pos < g->frontier && is_io(i) && !is_poweroff(g->c, i) &&
	    snap_at(g->snap, g->pos + 1))
		g->why = W_IO;
}

static void rev_restore(struct gdb *g, uint64_t pos)
{
	snap_restore(g->snap, pos);
	g->pos = pos;
	g->dead_sig = 0;
	g->exited = false;
	g->io_done = false;
}

static void run_once(struct gdb *g, bool step)
{
	struct cpu *c = g->c;
	c->stop = STOP_NONE;
	c->event = 0;
	c->event_mask = 0;
	c->icount_limit = step ? c->icount + 1 : ~0ULL;
	g->stepping = step;
	g->why = W_NONE;
	g->watch_hit = false;
	g->m->bus.stop_message[0] = 0;
	cpu_run(c);
	console_flush(g->m);
	c->icount_limit = ~0ULL;
	g->stepping = false;
	if (g->snap && g->io_done && g->pos > snap_last(g->snap))
		snap_take(g->snap, g->pos);
	g->io_done = false;
}

/* Run (or step) until something stops the machine. */
void resume(struct gdb *g, bool step, bool skip)
{
	struct cpu *c = g->c;
	g->skip_once = skip;
	g->int_pending = false;
	for (;;) {
		run_once(g, step);
		if (c->stop == STOP_BREAKPOINT && g->why == W_IO) {
			rev_restore(g, g->pos + 1);
			g->skip_once = false;
			if (step) {
				g->why = W_STEP;
				c->stop = STOP_INSN_LIMIT;
				break;
			}
			continue;
		}
		break;
	}
}

void resume_thread(struct gdb *g, bool step, int tid)
{
	struct gtask t;
	struct saved_regs r;
	if (step && tid > 0 && tid != running_thread(g) && tasks_find(g->m, tid, &t)) {
		/* until it runs again: in user mode where its saved registers
		 * say, or anywhere for a task that has no user mode (idle) */
		g->wait_thread = tid;
		g->wait_last = running_thread(g);
		g->wait_kernel = !task_saved_regs(g->m, &t, &r) || (r.cs & 3) != 3;
		resume(g, false, true);
		g->wait_thread = 0;
		if (g->c->stop != STOP_BREAKPOINT || g->why != W_THREAD)
			return;   /* something else stopped the machine first */
		if (running_thread(g) != tid)
			return;   /* it ended: stop where the machine is */
	}
	resume(g, step, true);
}

static char *put_reg_expedite(struct gdb *g, char *o, int r)
{
	uint8_t b[16];
	unsigned n = reg_get(g->c, r, b);
	o += sprintf(o, "%02x:", r);
	o = put_hex(o, b, n);
	*o++ = ';';
	*o = 0;
	return o;
}

/* Turn the way the machine stopped into a stop reply (g->stop). */
void make_stop(struct gdb *g)
{
	struct cpu *c = g->c;
	int sig = 5;
	char extra[64] = "";
	switch (c->stop) {
	case STOP_POWEROFF:
		g->exited = true;
		g->exit_status = c->exit_status & 0xFF;
		snprintf(g->stop, sizeof g->stop, "W%02x", g->exit_status);
		return;
	case STOP_TRIPLE_FAULT:
		sig = g->dead_sig = 11;
		fprintf(g->log, "lstar: gdb: triple fault%s%s\n", g->m->bus.stop_message[0] ? ": " : "",
			g->m->bus.stop_message);
		break;
	case STOP_HLT:
		sig = g->dead_sig = 17;   /* gdb's SIGSTOP */
		fprintf(g->log, "lstar: gdb: HLT with interrupts disabled at RIP=0x%" PRIx64 "\n", c->rip);
		break;
	case STOP_UNSUPPORTED:
		sig = g->dead_sig = 6;
		fprintf(g->log, "lstar: gdb: unsupported: %s\n", g->m->bus.stop_message);
		break;
	case STOP_INTERRUPT:
		sig = 2;
		break;
	case STOP_BREAKPOINT:
		if (g->why == W_INT)
			sig = 2;
		else if (g->why == W_SW)
			snprintf(extra, sizeof extra, "swbreak:;");
		else if (g->why == W_HW)
			snprintf(extra, sizeof extra, "hwbreak:;");
		else if (g->why == W_WATCH)
			snprintf(extra, sizeof extra, "%s:%" PRIx64 ";",
				 g->watch_type == 2 ? "watch" : g->watch_type == 3 ? "rwatch" : "awatch",
				 g->watch_addr);
		break;
	default:
		break;
	}
	char *o = g->stop;
	g->gthread = 0;
	o += sprintf(o, "T%02xthread:%x;%s", sig, running_thread(g), extra);
	o = put_reg_expedite(g, o, 6);
	o = put_reg_expedite(g, o, 7);
	put_reg_expedite(g, o, 16);
}

/* ------------------------------------------------- reverse execution */

/* Replay from the newest snapshot at or before pos up to pos. */
static void goto_pos(struct gdb *g, uint64_t pos)
{
	uint64_t at;
	if (!snap_find(g->snap, pos, &at))
		return;
	rev_restore(g, at);
	if (at == pos)
		return;
	g->target_pos = pos;
	int saved_nwp = g->nwp;
	g->nwp = 0;              /* a plain replay: no breakpoints, no watchpoints */
	int saved_nbp = g->nbp;
	g->nbp = 0;
	resume(g, false, false);
	g->nbp = saved_nbp;
	g->nwp = saved_nwp;
	g->target_pos = NOPOS;
}

static void reply_begin(struct gdb *g)
{
	char *o = g->stop;
	g->gthread = 0;
	o += sprintf(o, "T05thread:%x;replaylog:begin;", running_thread(g));
	put_reg_expedite(g, o, 16);
}

void reverse_step(struct gdb *g)
{
	uint64_t first;
	if (g->pos == 0 || !snap_find(g->snap, g->pos - 1, &first)) {
		reply_begin(g);
		return;
	}
	goto_pos(g, g->pos - 1);
	g->c->stop = STOP_INSN_LIMIT;
	g->why = W_STEP;
	make_stop(g);
}

/*
 * Reverse continue: replay each interval between snapshots, newest first,
 * recording the last breakpoint or watchpoint hit before the current
 * position; the first interval with a hit decides where to stop.
 */
void reverse_continue(struct gdb *g)
{
	struct cpu *c = g->c;
	uint64_t hi = g->pos, at;
	g->int_pending = false;
	while (snap_find_before(g->snap, hi, &at)) {
		rev_restore(g, at);
		g->scan_hit = false;
		g->replay_scan = true;
		g->target_pos = hi;
		resume(g, false, false);
		g->replay_scan = false;
		g->target_pos = NOPOS;
		if (c->stop == STOP_BREAKPOINT && g->why == W_INT) {
			make_stop(g);
			return;
		}
		if (g->scan_hit) {
			enum why w = g->scan_hit_why;
			uint64_t wa = g->scan_watch_addr;
			int wt = g->scan_watch_type;
			goto_pos(g, g->scan_hit_pos);
			c->stop = STOP_BREAKPOINT;
			g->why = w;
			g->watch_addr = wa;
			g->watch_type = wt;
			make_stop(g);
			return;
		}
		hi = at;
	}
	goto_pos(g, hi);
	reply_begin(g);
}

/* gdb changed registers or memory: the recorded future is void. */
void rev_fork(struct gdb *g)
{
	if (!g->snap)
		return;
	snap_truncate(g->snap, g->pos);
	snap_take(g->snap, g->pos);
	g->frontier = g->pos;
	while (g->nsw && g->sw[g->nsw - 1].pos > g->pos)
		g->nsw--;
}

/* ------------------------------------------------------------- server */

bool gdbstub_parse_addr(const char *spec, char *host, size_t hostlen, uint16_t *port,
			char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	const char *ps = colon ? colon + 1 : spec;
	snprintf(host, hostlen, "127.0.0.1");
	if (colon && colon != spec) {
		size_t hl = (size_t)(colon - spec);
		if (hl >= hostlen) {
			snprintf(err, errlen, "invalid --gdb '%s': host name too long", spec);
			return false;
		}
		memcpy(host, spec, hl);
		host[hl] = 0;
		if (!strcmp(host, "localhost"))
			snprintf(host, hostlen, "127.0.0.1");
		struct in_addr ia;
		if (inet_pton(AF_INET, host, &ia) != 1) {
			snprintf(err, errlen, "invalid --gdb '%s': HOST must be an IPv4 address", spec);
			return false;
		}
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(ps, &end, 10);
	if (!*ps || *end || errno || v > 65535 || *ps == '-' || *ps == '+') {
		snprintf(err, errlen, "invalid --gdb '%s' (expected [HOST:]PORT, PORT 0-65535)", spec);
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

static int listen_on(const char *spec, FILE *log, char *err, size_t errlen)
{
	char host[64];
	uint16_t port;
	if (!gdbstub_parse_addr(spec, host, sizeof host, &port, err, errlen))
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "gdb: socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
		snprintf(err, errlen, "gdb: cannot listen on %s:%u: %s (try another port)", host,
			 port, strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	fprintf(log, "lstar: gdb: listening on %s:%u\n", host, ntohs(sa.sin_port));
	fflush(log);
	return fd;
}

int gdbstub_serve(struct machine *m, const char *spec, FILE *log, char *err, size_t errlen)
{
	int lfd = listen_on(spec, log, err, errlen);
	if (lfd < 0)
		return -1;
	int fd;
	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	close(lfd);
	if (fd < 0) {
		snprintf(err, errlen, "gdb: accept: %s", strerror(errno));
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct gdb *g = calloc(1, sizeof *g);
	static char pkt[PKT_MAX + 1];
	if (!g) {
		close(fd);
		snprintf(err, errlen, "gdb: out of memory");
		return -1;
	}
	g->m = m;
	g->c = &m->cpu;
	g->log = log;
	g->fd = fd;
	g->target_pos = NOPOS;
	/* docs/gdb.md measures the interval's cost; 0 turns reverse
	 * execution (and its snapshots) off */
	g->interval = 100000;
	const char *iv = getenv("LSTAR_GDB_SNAPSHOT_INTERVAL");
	if (iv && *iv)
		g->interval = strtoull(iv, NULL, 0);
	if (g->interval)
		g->snap = snap_new(m);
	if (g->snap && !snap_take(g->snap, 0)) {
		snap_free(g->snap);
		g->snap = NULL;
	}
	set_hooks(g);
	set_idle_wait(g, true);
	if (m->hc && hostcall_current_task(m->hc)->switches) {
		g->seen_switches = hostcall_current_task(m->hc)->switches - 1;
		note_switch(g);
	}
	snprintf(g->stop, sizeof g->stop, "S05");
	g->c->stop = STOP_NONE;
	make_stop(g);
	int result = GDB_EXIT_KILLED, r;
	size_t n;
	while ((r = recv_pkt(g, pkt, &n)) >= 0) {
		if (r == 0)
			continue;   /* Ctrl-C while stopped: nothing to interrupt */
		int go = do_packet(g, pkt, n);
		if (go == GO_DETACH) {
			result = g->exited ? g->exit_status : GDB_DETACHED;
			break;
		}
		if (go == GO_KILL)
			break;
	}
	if (r < 0 && g->exited)
		result = g->exit_status;
	cpu_set_hooks(g->c, NULL);
	set_idle_wait(g, false);
	g->c->stop = STOP_NONE;
	snap_free(g->snap);
	free(g->sw);
	close(fd);
	free(g);
	return result;
}

