/*
 * strace_fmt.c - system call arguments in strace(1)'s text (strace_fmt.h):
 * strings with its escaping and 32-byte cut, named values, flag sets, the
 * rules that make an argument's meaning depend on another one (fcntl's
 * command, futex's operation, ioctl's request), and the result column.
 * Structures are in strace_struct.c.
 *
 * Guest memory is read through the current page tables with mmu_probe(),
 * never faulting: an address that cannot be read prints as the address,
 * as strace does.  Input arguments are formatted at the SYSCALL, output
 * arguments when the call has returned (emu/trace/strace.c decides).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "emu/machine.h"
#include "emu/trace/strace_fmt.h"

#define EINTR_RET (-4)

/* ---- text and guest memory ------------------------------------------- */

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->len >= b->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

size_t guest_read(struct cpu *c, uint64_t la, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t got = 0;
	while (got < n) {
		uint64_t pa;
		if (!mmu_probe(c, la + got, ACC_READ | ACC_SYS, &pa))
			break;
		size_t chunk = 0x1000 - ((la + got) & 0xFFF);
		if (chunk > n - got)
			chunk = n - got;
		for (size_t k = 0; k < chunk; k++)
			d[got + k] = (uint8_t)phys_read(machine_of_cpu(c), pa + k, 1);
		got += chunk;
	}
	return got;
}

void put_addr(struct sbuf *b, uint64_t la)
{
	if (la)
		sb_printf(b, "0x%" PRIx64, la);
	else
		sb_printf(b, "NULL");
}

/* Up to max bytes of a string: len bytes, or up to its NUL when len < 0. */
static void put_str(struct sbuf *b, struct cpu *c, uint64_t la, int64_t len, bool hex, size_t max)
{
	if (!la) {
		sb_printf(b, "NULL");
		return;
	}
	uint8_t buf[PATH_MAX_GUEST + 1];
	size_t want = len < 0 ? max + 1 : (size_t)((uint64_t)len > max ? max : (uint64_t)len);
	size_t got = guest_read(c, la, buf, want);
	if (got < want && (len >= 0 || !memchr(buf, 0, got))) {
		put_addr(b, la);   /* unreadable (in part): strace prints the address */
		return;
	}
	size_t n = got;
	bool more;
	if (len < 0) {
		void *z = memchr(buf, 0, got);
		n = z ? (size_t)((uint8_t *)z - buf) : max;
		more = !z;
	} else {
		more = (uint64_t)len > max;
	}
	sb_printf(b, "\"");
	for (size_t k = 0; k < n; k++) {
		uint8_t ch = buf[k];
		if (hex) {
			sb_printf(b, "\\x%02x", ch);
			continue;
		}
		switch (ch) {
		case '\n': sb_printf(b, "\\n"); break;
		case '\t': sb_printf(b, "\\t"); break;
		case '\r': sb_printf(b, "\\r"); break;
		case '\v': sb_printf(b, "\\v"); break;
		case '\f': sb_printf(b, "\\f"); break;
		case '"': sb_printf(b, "\\\""); break;
		case '\\': sb_printf(b, "\\\\"); break;
		default:
			if (ch >= 0x20 && ch < 0x7F)
				sb_printf(b, "%c", ch);
			else if (k + 1 < n && buf[k + 1] >= '0' && buf[k + 1] <= '7')
				sb_printf(b, "\\%03o", ch);   /* a digit follows: all three */
			else
				sb_printf(b, "\\%o", ch);
		}
	}
	sb_printf(b, "\"%s", more ? "..." : "");
}

void put_string(struct sbuf *b, struct cpu *c, uint64_t la, int64_t len, bool hex)
{
	put_str(b, c, la, len, hex, STR_MAX);
}

void put_path(struct sbuf *b, struct cpu *c, uint64_t la)
{
	put_str(b, c, la, -1, false, PATH_MAX_GUEST);
}

void put_xval(struct sbuf *b, const struct xlat_table *t, uint64_t v)
{
	const char *nm = xlat_name(t, v);
	if (nm)
		sb_printf(b, "%s", nm);
	else
		sb_printf(b, "%#" PRIx64 " /* %s */", v, t->unknown);
}

void put_flags(struct sbuf *b, const struct xlat_table *t, uint64_t v)
{
	if (!v) {
		sb_printf(b, "0");
		return;
	}
	bool any = false;
	for (size_t k = 0; k < t->n; k++) {
		uint64_t f = t->x[k].val;
		if (f && (v & f) == f) {
			sb_printf(b, "%s%s", any ? "|" : "", t->x[k].name);
			v &= ~f;
			any = true;
		}
	}
	if (v && any)
		sb_printf(b, "|%#" PRIx64, v);
	else if (v)
		sb_printf(b, "%#" PRIx64 " /* %s */", v, t->unknown);
}

void put_open_flags(struct sbuf *b, uint64_t v)
{
	static const char *const acc[4] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	sb_printf(b, "%s", acc[v & 3]);
	if (v & ~3ULL) {
		sb_printf(b, "|");
		put_flags(b, &xf_open, v & ~3ULL);
	}
}

static void put_int_in(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int32_t v;
	if (la && guest_read(c, la, &v, 4) == 4)
		sb_printf(b, "[%d]", v);
	else
		put_addr(b, la);
}

/* ---- per-call rules ----------------------------------------------------- */

enum { FUTEX_CMD_MASK = 0x7F };

static bool fcntl_no_arg(uint64_t cmd)
{
	switch (cmd) {
	case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034:   /* F_GET* */
		return true;
	default:
		return false;
	}
}

int strace_nargs(const struct syscall_desc *d, const uint64_t *a)
{
	int n = d->nargs;
	for (int k = 0; k < n; k++) {
		switch (d->kind[k]) {
		case A_FCNTL:                            /* fcntl: F_GET* take nothing */
			return fcntl_no_arg(a[k]) ? k + 1 : n;
		case A_PRCTL:
			switch (a[k]) {
			case 3: case 21: case 39:        /* PR_GET_DUMPABLE, _SECCOMP, _NO_NEW_PRIVS */
				return 1;
			case 1: case 2: case 4: case 15: case 16:
				return 2;
			default:
				return n;
			}
		case A_OFLAGS:                           /* a mode only with O_CREAT or O_TMPFILE */
			if (k + 1 < n && d->kind[k + 1] == A_MODE && !(a[k] & 0100) &&
			    (a[k] & 020200000) != 020200000)
				return k + 1;
			break;
		case A_FUTEXOP:
			switch (a[k] & FUTEX_CMD_MASK) {
			case 0: case 6: return 4;        /* WAIT, LOCK_PI: a timeout */
			case 1: case 2: return 3;        /* WAKE, FD */
			case 3: return 5;                /* REQUEUE: val2, uaddr2 */
			case 9: return 5;                /* WAIT_BITSET: timeout, val3 */
			case 10: return 4;               /* WAKE_BITSET: val3 */
			case 7: case 8: return 2;        /* UNLOCK_PI, TRYLOCK_PI */
			default: return n;
			}
		case A_MREMAP:                           /* the new address only with MREMAP_FIXED */
			return (a[k] & 2) ? n : k + 1;
		default:
			break;
		}
	}
	return n;
}

bool strace_is_output(const struct syscall_desc *d, int k, const uint64_t *a)
{
	switch (d->kind[k]) {
	case A_BUFOUT: case A_BUFHEX: case A_STROUT: case A_DENTS: case A_CPUSET:
		return true;
	case A_IOCTLARG:
		return ioctl_arg_is_output(a[1]);
	case A_PRCTLARG:
		return a[0] == 16 || a[0] == 2;     /* PR_GET_NAME, PR_GET_PDEATHSIG */
	case A_FCNTLARG:
		return a[1] == 5 || a[1] == 36;     /* F_GETLK, F_OFD_GETLK */
	default:
		return d->kind[k] >= A_STATOUT;
	}
}

/* An output argument at the call, or after a failed call: its address. */
static bool not_yet(struct sbuf *b, uint64_t v, int64_t ret, bool out)
{
	if (out && !(ret < 0 && ret >= -4095))
		return false;
	put_addr(b, v);
	return true;
}

void strace_put_arg(struct sbuf *b, struct cpu *c, const struct syscall_desc *d, int k,
		    const uint64_t *a, int64_t ret)
{
	bool out = strace_is_output(d, k, a);
	uint64_t v = a[k];
	uint64_t len = d->len_arg >= 0 ? a[d->len_arg] : 0;
	if (k >= 3 && d->kind[1] == A_FUTEXOP) {
		/* futex: what the later arguments are depends on the operation;
		 * the bitset ones skip uaddr2 and show val3 as strace does */
		unsigned cmd = (unsigned)(a[1] & FUTEX_CMD_MASK);
		if ((cmd == 9 && k == 4) || (cmd == 10 && k == 3)) {
			if ((uint32_t)a[5] == 0xFFFFFFFFu)
				sb_printf(b, "FUTEX_BITSET_MATCH_ANY");
			else
				sb_printf(b, "%#x", (unsigned)a[5]);
			return;
		}
		if ((cmd == 3 || cmd == 4) && k == 3) {   /* REQUEUE: val2, a number */
			sb_printf(b, "%u", (unsigned)v);
			return;
		}
	}
	if (strace_put_net_arg(b, c, d->kind[k], k, a, ret, out))
		return;
	switch (d->kind[k]) {
	case A_HEX: sb_printf(b, "%#" PRIx64, v); break;
	case A_INT: sb_printf(b, "%d", (int)v); break;
	case A_UINT: sb_printf(b, "%u", (unsigned)v); break;
	case A_LONG: sb_printf(b, "%" PRId64, (int64_t)v); break;
	case A_ULONG: sb_printf(b, "%" PRIu64, v); break;
	case A_PTR: put_addr(b, v); break;
	case A_FD: sb_printf(b, "%d", (int)v); break;
	case A_DIRFD:
		if ((int)v == -100)
			sb_printf(b, "AT_FDCWD");
		else
			sb_printf(b, "%d", (int)v);
		break;
	case A_MODE: sb_printf(b, "%#03" PRIo64, v); break;
	case A_SIG: {
		const char *nm = strace_sig_name((int)v);
		if (nm)
			sb_printf(b, "%s", nm);
		else
			sb_printf(b, "%d", (int)v);
		break;
	}
	case A_STR: put_path(b, c, v); break;
	case A_BUFIN: put_string(b, c, v, (int64_t)len, false); break;
	case A_BUFOUT:
		if (!not_yet(b, v, ret, out))
			put_string(b, c, v, ret, false);
		break;
	case A_BUFHEX:
		if (!not_yet(b, v, ret, out))
			put_string(b, c, v, ret, true);
		break;
	case A_STROUT:   /* getcwd's directory: a path, not cut at 32 */
		if (!not_yet(b, v, ret, out))
			put_path(b, c, v);
		break;
	case A_STRARR: {
		if (!v) {
			sb_printf(b, "NULL");
			break;
		}
		sb_printf(b, "[");
		for (int j = 0;; j++) {
			uint64_t p;
			if (guest_read(c, v + 8 * (uint64_t)j, &p, 8) != 8 || !p)
				break;
			if (j == STR_MAX) {
				sb_printf(b, ", ...");
				break;
			}
			sb_printf(b, "%s", j ? ", " : "");
			put_string(b, c, p, -1, false);
		}
		sb_printf(b, "]");
		break;
	}
	case A_ENVP: {
		int n = 0;
		uint64_t p;
		while (v && n < 100000 && guest_read(c, v + 8 * (uint64_t)n, &p, 8) == 8 && p)
			n++;
		put_addr(b, v);
		if (v)
			sb_printf(b, " /* %d var%s */", n, n == 1 ? "" : "s");
		break;
	}
	case A_WHENCE: put_xval(b, &xt_whence, v); break;
	case A_CLOCK: put_xval(b, &xt_clock, (uint32_t)v); break;
	case A_HOW: put_xval(b, &xt_sighow, v); break;
	case A_ARCHPRCTL: put_xval(b, &xt_arch_prctl, v); break;
	case A_FCNTL: put_xval(b, &xt_fcntl, v); break;
	case A_RLIMIT: put_xval(b, &xt_rlimit, v); break;
	case A_PRCTL: put_xval(b, &xt_prctl, v); break;
	case A_MADV: put_xval(b, &xt_madvise, v); break;
	case A_ITIMER: put_xval(b, &xt_itimer, v); break;
	case A_FADV: put_xval(b, &xt_fadvise, v); break;
	case A_PRIOWHICH: put_xval(b, &xt_prio_which, v); break;
	case A_SCHEDPOL: put_xval(b, &xt_sched_policy, v); break;
	case A_IOCTL: {
		const char *nm = xlat_name(&xt_ioctl, (uint32_t)v);
		static const char *const dir[4] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
						    "_IOC_READ|_IOC_WRITE" };
		if (nm)
			sb_printf(b, "%s", nm);
		else   /* the fields of the request number, as strace spells them */
			sb_printf(b, "_IOC(%s, %#x, %#x, %#x)", dir[(v >> 30) & 3],
				  (unsigned)(v >> 8) & 0xFF, (unsigned)v & 0xFF, (unsigned)(v >> 16) & 0x3FFF);
		break;
	}
	case A_FUTEXOP: {
		const char *nm = xlat_name(&xt_futex, v & FUTEX_CMD_MASK);
		if (!nm) {
			sb_printf(b, "%#" PRIx64 " /* FUTEX_??? */", v);
			break;
		}
		sb_printf(b, "%s%s%s", nm, (v & 128) ? "_PRIVATE" : "",
			  (v & 256) ? "|FUTEX_CLOCK_REALTIME" : "");
		break;
	}
	case A_OFLAGS: put_open_flags(b, v); break;
	case A_PROT:
		if (!v)
			sb_printf(b, "PROT_NONE");
		else
			put_flags(b, &xf_prot, v);
		break;
	case A_MFLAGS:
		put_xval(b, &xt_map_type, v & 0xF);
		if (v & ~0xFULL) {
			sb_printf(b, "|");
			put_flags(b, &xf_map, v & ~0xFULL);
		}
		break;
	case A_ATFLAGS: put_flags(b, &xf_at, v); break;
	case A_ACCESS:
		if (!v)
			sb_printf(b, "F_OK");
		else
			put_flags(b, &xf_access, v);
		break;
	case A_GRND: put_flags(b, &xf_grnd, v); break;
	case A_WOPTS: put_flags(b, &xf_wait, v); break;
	case A_FLOCK: put_flags(b, &xf_flock, v); break;
	case A_MREMAP: put_flags(b, &xf_mremap, v); break;
	case A_PIPEFLAGS: put_flags(b, &xf_pipe, v); break;
	case A_IOVIN: put_iov(b, c, v, a[k + 1], -1); break;
	case A_TSIN: case A_FUTEXTS: put_timespec(b, c, v); break;
	case A_SIGSET_IN: put_sigset(b, c, v, len); break;
	case A_SIGACT_IN: put_sigaction(b, c, v); break;
	case A_RLIM_IN: put_rlimit(b, c, v); break;
	case A_ITV_IN: put_itimerval(b, c, v); break;
	case A_STACK_IN: put_stack(b, c, v); break;
	case A_POLLFD: put_pollfds(b, c, v, a[k + 1], false); break;
	case A_OFFIN: {
		int64_t off;
		if (v && guest_read(c, v, &off, 8) == 8)
			sb_printf(b, "[%" PRId64 "]", off);
		else
			put_addr(b, v);
		break;
	}
	case A_TSPAIR: put_utimens(b, c, v); break;
	case A_FDSET: put_fdset(b, c, v, a[0]); break;
	case A_TVIN: put_timeval(b, c, v); break;
	case A_PSIGMASK: {
		/* pselect6's last argument: {sigmask, its size} */
		uint64_t m[2];
		if (v && guest_read(c, v, m, 16) == 16) {
			sb_printf(b, "{sigmask=");
			put_sigset(b, c, m[0], m[1]);
			sb_printf(b, ", sigsetsize=%" PRIu64 "}", m[1]);
		} else {
			put_addr(b, v);
		}
		break;
	}
	case A_SIGFRAME: {
		/* rt_sigreturn's argument is the frame its restorer left at
		 * RSP: the ucontext, whose signal mask comes back */
		uint64_t mask;
		uint64_t uc = c->r[R_RSP];
		if (guest_read(c, uc + 296, &mask, 8) == 8) {
			sb_printf(b, "{mask=");
			put_sigset_value(b, mask, 64);
			sb_printf(b, "}");
		} else {
			put_addr(b, uc);
		}
		break;
	}
	case A_CLONE: put_clone(b, c, a, CLONE_AT_CALL | CLONE_ON_RETURN, ret); break;
	case A_CLONE3: put_clone_args(b, c, v, a[1]); break;
	case A_FCNTLARG:
		switch (a[1]) {
		case 2: put_flags(b, &xf_fd, v); break;                      /* F_SETFD */
		case 4: put_open_flags(b, v); break;                         /* F_SETFL */
		case 0: case 1030: case 8: case 10: case 1024: case 1031:
			sb_printf(b, "%d", (int)v);
			break;
		case 5: case 36:                                             /* F_GETLK */
			if (!not_yet(b, v, ret, out))
				put_flock(b, c, v, true);
			break;
		case 6: case 7: case 37: case 38: put_flock(b, c, v, false); break;
		default: sb_printf(b, "%#" PRIx64, v); break;
		}
		break;
	case A_IOCTLARG: put_ioctl_arg(b, c, a[1], v, ret, out); break;
	case A_PRCTLARG:
		switch (a[0]) {
		case 15: put_string(b, c, v, -1, false); break;             /* PR_SET_NAME */
		case 16:                                                     /* PR_GET_NAME */
			if (!not_yet(b, v, ret, out))
				put_string(b, c, v, -1, false);
			break;
		case 1: {                                                    /* PR_SET_PDEATHSIG */
			const char *nm = strace_sig_name((int)v);
			if (nm)
				sb_printf(b, "%s", nm);
			else
				sb_printf(b, "%" PRIu64, v);
			break;
		}
		case 2:                                                      /* PR_GET_PDEATHSIG */
			if (!not_yet(b, v, ret, out))
				put_int_in(b, c, v);
			break;
		case 4: sb_printf(b, "%" PRIu64, v); break;                  /* PR_SET_DUMPABLE */
		default: sb_printf(b, "%#" PRIx64, v); break;
		}
		break;
	case A_STATOUT:
		if (!not_yet(b, v, ret, out))
			put_stat(b, c, v);
		break;
	case A_IOVOUT:
		if (!not_yet(b, v, ret, out))
			put_iov(b, c, v, a[k + 1], ret);
		break;
	case A_PIPEOUT: {
		int fds[2];
		if (!out || ret < 0 || guest_read(c, v, fds, 8) != 8)
			put_addr(b, v);
		else
			sb_printf(b, "[%d, %d]", fds[0], fds[1]);
		break;
	}
	case A_TSOUT:
		if (!not_yet(b, v, ret, out))
			put_timespec(b, c, v);
		break;
	case A_TSREM:
		/* the time left is written only when a signal cut the sleep
		 * short; otherwise strace shows the address */
		if (out && ret == EINTR_RET)
			put_timespec(b, c, v);
		else
			put_addr(b, v);
		break;
	case A_SIGSET_OUT:
		if (!not_yet(b, v, ret, out))
			put_sigset(b, c, v, len);
		break;
	case A_SIGACT_OUT:
		if (!not_yet(b, v, ret, out))
			put_sigaction(b, c, v);
		break;
	case A_RLIM_OUT:
		if (!not_yet(b, v, ret, out))
			put_rlimit(b, c, v);
		break;
	case A_ITV_OUT:
		if (!not_yet(b, v, ret, out))
			put_itimerval(b, c, v);
		break;
	case A_STACK_OUT:
		if (!not_yet(b, v, ret, out))
			put_stack(b, c, v);
		break;
	case A_WSTATUS:
		if (out && ret > 0)
			put_wstatus(b, c, v);
		else
			put_addr(b, v);
		break;
	case A_UTSNAME:
		if (!not_yet(b, v, ret, out))
			put_utsname(b, c, v);
		break;
	case A_TMS:
		if (!not_yet(b, v, ret, out))
			put_tms(b, c, v);
		break;
	case A_DENTS:
		if (!not_yet(b, v, ret, out))
			put_dents(b, c, v, ret);
		break;
	case A_STATFS:
		if (!not_yet(b, v, ret, out))
			put_statfs(b, c, v);
		break;
	case A_GIDS:
		if (!not_yet(b, v, ret, out))
			put_gids(b, c, v, a[0] ? ret : 0);
		break;
	case A_INTOUT:
		if (!not_yet(b, v, ret, out))
			put_int_in(b, c, v);
		break;
	case A_CPUSET:
		if (!not_yet(b, v, ret, out))
			put_cpuset(b, c, v, (uint64_t)ret);
		break;
	default:
		sb_printf(b, "%#" PRIx64, v);
		break;
	}
}

/* ---- the result ------------------------------------------------------------ */

/* strace lines the results up: " = " starts in column 40 when the call
 * is shorter than that. */
#define RESULT_COLUMN 39

void strace_pad_result(struct sbuf *b)
{
	size_t line_start = b->len;
	while (line_start > 0 && b->p[line_start - 1] != '\n')
		line_start--;
	while (b->len - line_start < RESULT_COLUMN && b->len + 1 < b->cap)
		sb_printf(b, " ");
}

void strace_put_result(struct sbuf *b, struct cpu *c, const struct syscall_desc *d,
		       const uint64_t *a, int64_t ret)
{
	strace_pad_result(b);
	if (ret < 0 && ret >= -4095) {
		const char *en = strace_errno_name((int)-ret);
		if (en)
			sb_printf(b, " = -1 %s (%s)", en, strace_errno_text((int)-ret));
		else
			sb_printf(b, " = -1 E%d (Unknown error %d)", (int)-ret, (int)-ret);
		return;
	}
	switch (d ? d->ret : R_DEC) {
	case R_HEX:
		sb_printf(b, " = %#" PRIx64, (uint64_t)ret);
		break;
	case R_OCT:
		sb_printf(b, " = %#03" PRIo64, (uint64_t)ret);
		break;
	case R_SCHED:
		sb_printf(b, " = %" PRId64 " (", ret);
		put_xval(b, &xt_sched_policy, (uint64_t)ret);
		sb_printf(b, ")");
		break;
	case R_FCNTL:
		if (a[1] == 3) {                    /* F_GETFL */
			sb_printf(b, " = %#" PRIx64 " (flags ", (uint64_t)ret);
			put_open_flags(b, (uint64_t)ret);
			sb_printf(b, ")");
		} else if (a[1] == 1 && ret) {      /* F_GETFD */
			sb_printf(b, " = %#" PRIx64 " (flags ", (uint64_t)ret);
			put_flags(b, &xf_fd, (uint64_t)ret);
			sb_printf(b, ")");
		} else {
			sb_printf(b, " = %" PRId64, ret);
		}
		break;
	case R_POLL:
		sb_printf(b, " = %" PRId64, ret);
		if (ret == 0) {
			sb_printf(b, " (Timeout)");
		} else if (ret > 0) {
			sb_printf(b, " (");
			put_pollfds(b, c, a[0], a[1], true);
			sb_printf(b, ")");
		}
		break;
	case R_SELECT:
		sb_printf(b, " = %" PRId64, ret);
		if (ret == 0) {
			sb_printf(b, " (Timeout)");
		} else if (ret > 0) {
			/* the sets now hold the ready descriptors */
			static const char *const what[3] = { "in", "out", "except" };
			const char *sep = " (";
			for (int k = 0; k < 3; k++) {
				uint64_t set[16] = { 0 };
				uint64_t nfds = a[0] > 1024 ? 1024 : a[0];
				size_t bytes = (nfds + 63) / 64 * 8;
				if (!a[k + 1] || guest_read(c, a[k + 1], set, bytes) != bytes)
					continue;
				bool any = false;
				for (size_t j = 0; j < bytes / 8; j++)
					any |= set[j] != 0;
				if (!any)
					continue;
				sb_printf(b, "%s%s ", sep, what[k]);
				put_fdset(b, c, a[k + 1], nfds);
				sep = ", ";
			}
			if (a[4]) {
				sb_printf(b, "%sleft ", sep);
				if (d->kind[4] == A_TVIN)
					put_timeval(b, c, a[4]);
				else
					put_timespec(b, c, a[4]);
				sep = ", ";
			}
			if (sep[0] == ',')
				sb_printf(b, ")");
		}
		break;
	case R_NONE:
		sb_printf(b, " = ?");
		break;
	default:
		sb_printf(b, " = %" PRId64, ret);
		break;
	}
}
