/*
 * strace_fmt.c - system call arguments in strace(1)'s text: strings with
 * its escaping and 32-byte cut, flag sets, named constants, structures,
 * and the errno and signal names (strace_fmt.h).  Guest memory is read
 * through the current page tables with mmu_probe(), never faulting: an
 * address that cannot be read prints as the address, as strace does.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "emu/machine.h"
#include "emu/trace/strace_fmt.h"

/* ---- errno ---------------------------------------------------------- */

static const struct { int e; const char *name, *text; } errnos[] = {
	{ 1, "EPERM", "Operation not permitted" }, { 2, "ENOENT", "No such file or directory" },
	{ 3, "ESRCH", "No such process" }, { 4, "EINTR", "Interrupted system call" },
	{ 5, "EIO", "Input/output error" }, { 6, "ENXIO", "No such device or address" },
	{ 7, "E2BIG", "Argument list too long" }, { 8, "ENOEXEC", "Exec format error" },
	{ 9, "EBADF", "Bad file descriptor" }, { 10, "ECHILD", "No child processes" },
	{ 11, "EAGAIN", "Resource temporarily unavailable" }, { 12, "ENOMEM", "Cannot allocate memory" },
	{ 13, "EACCES", "Permission denied" }, { 14, "EFAULT", "Bad address" },
	{ 16, "EBUSY", "Device or resource busy" }, { 17, "EEXIST", "File exists" },
	{ 18, "EXDEV", "Invalid cross-device link" }, { 19, "ENODEV", "No such device" },
	{ 20, "ENOTDIR", "Not a directory" }, { 21, "EISDIR", "Is a directory" },
	{ 22, "EINVAL", "Invalid argument" }, { 23, "ENFILE", "Too many open files in system" },
	{ 24, "EMFILE", "Too many open files" }, { 25, "ENOTTY", "Inappropriate ioctl for device" },
	{ 27, "EFBIG", "File too large" }, { 28, "ENOSPC", "No space left on device" },
	{ 29, "ESPIPE", "Illegal seek" }, { 30, "EROFS", "Read-only file system" },
	{ 31, "EMLINK", "Too many links" }, { 32, "EPIPE", "Broken pipe" },
	{ 33, "EDOM", "Numerical argument out of domain" },
	{ 34, "ERANGE", "Numerical result out of range" },
	{ 36, "ENAMETOOLONG", "File name too long" }, { 38, "ENOSYS", "Function not implemented" },
	{ 39, "ENOTEMPTY", "Directory not empty" },
	{ 40, "ELOOP", "Too many levels of symbolic links" },
	{ 61, "ENODATA", "No data available" }, { 95, "EOPNOTSUPP", "Operation not supported" },
	{ 110, "ETIMEDOUT", "Connection timed out" },
};

const char *strace_errno_name(int e)
{
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		if (errnos[k].e == e)
			return errnos[k].name;
	return NULL;
}

const char *strace_errno_text(int e)
{
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		if (errnos[k].e == e)
			return errnos[k].text;
	return "Unknown error";
}

/* ---- guest memory and formatting ------------------------------------ */

/* Read up to n bytes of user memory at la; returns how many were readable. */
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
			d[got + k] = (uint8_t)phys_read(c->m, pa + k, 1);
		got += chunk;
	}
	return got;
}

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

#define STR_MAX 32

/* A C-escaped string of `len` bytes at la (NUL-terminated when len is
 * -1), cut at 32 bytes with "..." as strace does. */
static void put_string(struct sbuf *b, struct cpu *c, uint64_t la, int64_t len)
{
	if (!la) {
		sb_printf(b, "NULL");
		return;
	}
	uint8_t buf[STR_MAX + 1];
	size_t want = len < 0 ? STR_MAX + 1 : (size_t)(len > STR_MAX ? STR_MAX : len);
	size_t got = guest_read(c, la, buf, want);
	if (got == 0 && want > 0) {
		sb_printf(b, "0x%" PRIx64, la);
		return;
	}
	size_t n = got;
	bool more;
	if (len < 0) {
		void *z = memchr(buf, 0, got);
		n = z ? (size_t)((uint8_t *)z - buf) : (got > STR_MAX ? STR_MAX : got);
		more = !z;
	} else {
		more = len > STR_MAX;
	}
	sb_printf(b, "\"");
	for (size_t k = 0; k < n; k++) {
		uint8_t ch = buf[k];
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
				sb_printf(b, "\\%03o", ch);
			else
				sb_printf(b, "\\%o", ch);
		}
	}
	sb_printf(b, "\"%s", more ? "..." : "");
}

struct flagname { uint64_t bit; const char *name; };

static void put_flags(struct sbuf *b, uint64_t v, const struct flagname *t, size_t n)
{
	bool any = false;
	for (size_t k = 0; k < n; k++) {
		if (t[k].bit && (v & t[k].bit) == t[k].bit) {
			sb_printf(b, "%s%s", any ? "|" : "", t[k].name);
			v &= ~t[k].bit;
			any = true;
		}
	}
	if (v || !any)
		sb_printf(b, any ? "|%#" PRIx64 : "%#" PRIx64, v);
}

static const struct flagname oflags[] = {
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" }, { 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	{ 0100000, "O_LARGEFILE" },
};
static const struct flagname prots[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
};
static const struct flagname mflags[] = {
	{ 0x01, "MAP_SHARED" }, { 0x02, "MAP_PRIVATE" }, { 0x10, "MAP_FIXED" },
	{ 0x20, "MAP_ANONYMOUS" }, { 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" }, { 0x20000, "MAP_STACK" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" },
};
static const struct flagname atflags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" }, { 0x400, "AT_SYMLINK_FOLLOW" },
	{ 0x1000, "AT_EMPTY_PATH" },
};
static const struct flagname accmodes[] = { { 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" } };

static const char *const signames[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
	"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
	"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

static void put_stat(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* struct stat (x86-64): st_mode at 24 (u32), st_size at 48 (s64). */
	uint8_t st[144];
	if (guest_read(c, la, st, sizeof(st)) != sizeof(st)) {
		sb_printf(b, "0x%" PRIx64, la);
		return;
	}
	uint32_t mode;
	int64_t size;
	memcpy(&mode, st + 24, 4);
	memcpy(&size, st + 48, 8);
	static const char *const types[16] = {
		[1] = "S_IFIFO", [2] = "S_IFCHR", [4] = "S_IFDIR", [6] = "S_IFBLK",
		[8] = "S_IFREG", [10] = "S_IFLNK", [12] = "S_IFSOCK",
	};
	const char *t = types[(mode >> 12) & 0xF];
	if (t)
		sb_printf(b, "{st_mode=%s|%#o, st_size=%" PRId64 ", ...}", t, mode & 07777, size);
	else
		sb_printf(b, "{st_mode=%#o, st_size=%" PRId64 ", ...}", mode, size);
}

static void put_iov(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t cnt, int64_t total)
{
	sb_printf(b, "[");
	for (uint64_t k = 0; k < cnt && k < 4; k++) {
		uint64_t iov[2];
		if (guest_read(c, la + 16 * k, iov, 16) != 16)
			break;
		int64_t n = (int64_t)iov[1];
		if (total >= 0) {
			n = n < total ? n : total;
			total -= n;
		}
		sb_printf(b, "%s{iov_base=", k ? ", " : "");
		put_string(b, c, iov[0], n);
		sb_printf(b, ", iov_len=%" PRIu64 "}", iov[1]);
	}
	if (cnt > 4)
		sb_printf(b, ", ...");
	sb_printf(b, "]");
}

static void put_ts(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t ts[2];
	if (guest_read(c, la, ts, 16) != 16)
		sb_printf(b, "0x%" PRIx64, la);
	else
		sb_printf(b, "{tv_sec=%" PRId64 ", tv_nsec=%" PRId64 "}", ts[0], ts[1]);
}

/* One argument.  out: decoding after the call (ret is its result). */
void strace_put_arg(struct sbuf *b, struct cpu *c, const struct syscall_desc *d, int k,
		    const uint64_t *a, int64_t ret, bool out)
{
	uint64_t v = a[k];
	int64_t len = d->len_arg >= 0 ? (int64_t)a[d->len_arg] : -1;
	switch (d->kind[k]) {
	case A_INT: sb_printf(b, "%d", (int)v); break;
	case A_LONG: sb_printf(b, "%" PRId64, (int64_t)v); break;
	case A_ULONG: sb_printf(b, "%" PRIu64, v); break;
	case A_HEX: sb_printf(b, "%#" PRIx64, v); break;
	case A_PTR:
		if (v)
			sb_printf(b, "0x%" PRIx64, v);
		else
			sb_printf(b, "NULL");
		break;
	case A_FD:
		if ((int)v == -100)
			sb_printf(b, "AT_FDCWD");
		else
			sb_printf(b, "%d", (int)v);
		break;
	case A_STR: put_string(b, c, v, -1); break;
	case A_BUFIN: put_string(b, c, v, len); break;
	case A_BUFOUT:
		if (!out || ret < 0)
			sb_printf(b, "0x%" PRIx64, v);
		else
			put_string(b, c, v, ret);
		break;
	case A_OFLAGS: {
		static const char *const acc[4] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
		sb_printf(b, "%s", acc[v & 3]);
		if (v & ~3ULL) {
			sb_printf(b, "|");
			put_flags(b, v & ~3ULL, oflags, sizeof(oflags) / sizeof(oflags[0]));
		}
		break;
	}
	case A_MODE: sb_printf(b, "%#03" PRIo64, v); break;
	case A_PROT:
		if (!v)
			sb_printf(b, "PROT_NONE");
		else
			put_flags(b, v, prots, 3);
		break;
	case A_MFLAGS: put_flags(b, v, mflags, sizeof(mflags) / sizeof(mflags[0])); break;
	case A_WHENCE: {
		static const char *const wh[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE" };
		if (v < 5)
			sb_printf(b, "%s", wh[v]);
		else
			sb_printf(b, "%" PRIu64, v);
		break;
	}
	case A_SIG:
		if (v > 0 && v < 32)
			sb_printf(b, "%s", signames[v]);
		else
			sb_printf(b, "%d", (int)v);
		break;
	case A_STATOUT:
		if (out && ret == 0)
			put_stat(b, c, v);
		else
			sb_printf(b, "0x%" PRIx64, v);
		break;
	case A_IOVIN: put_iov(b, c, v, a[k + 1], -1); break;
	case A_IOVOUT:
		if (out && ret >= 0)
			put_iov(b, c, v, a[k + 1], ret);
		else
			sb_printf(b, "0x%" PRIx64, v);
		break;
	case A_ACCESS:
		if (!v)
			sb_printf(b, "F_OK");
		else
			put_flags(b, v, accmodes, 3);
		break;
	case A_ATFLAGS:
		if (!v)
			sb_printf(b, "0");
		else
			put_flags(b, v, atflags, sizeof(atflags) / sizeof(atflags[0]));
		break;
	case A_PIPEOUT: {
		int fds[2];
		if (out && ret == 0 && guest_read(c, v, fds, 8) == 8)
			sb_printf(b, "[%d, %d]", fds[0], fds[1]);
		else
			sb_printf(b, "0x%" PRIx64, v);
		break;
	}
	case A_CLOCK: {
		static const char *const clk[] = { "CLOCK_REALTIME", "CLOCK_MONOTONIC",
			"CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW" };
		if (v < 5)
			sb_printf(b, "%s", clk[v]);
		else
			sb_printf(b, "%d", (int)v);
		break;
	}
	case A_TSOUT:
		if (out && ret == 0)
			put_ts(b, c, v);
		else
			sb_printf(b, "0x%" PRIx64, v);
		break;
	case A_TSIN: put_ts(b, c, v); break;
	case A_HOW: {
		static const char *const how[] = { "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK" };
		if (v < 3)
			sb_printf(b, "%s", how[v]);
		else
			sb_printf(b, "%d", (int)v);
		break;
	}
	case A_ARCHPRCTL: {
		static const struct flagname codes[] = { { 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" },
			{ 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" } };
		const char *nm = NULL;
		for (int j = 0; j < 4; j++)
			if (codes[j].bit == v)
				nm = codes[j].name;
		if (nm)
			sb_printf(b, "%s", nm);
		else
			sb_printf(b, "%#" PRIx64, v);
		break;
	}
	case A_FCNTL: {
		static const char *const cmds[] = { "F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL" };
		if (v < 5)
			sb_printf(b, "%s", cmds[v]);
		else if (v == 1030)
			sb_printf(b, "F_DUPFD_CLOEXEC");
		else
			sb_printf(b, "%" PRIu64, v);
		break;
	}
	case A_IOCTL: {
		static const struct flagname req[] = { { 0x5401, "TCGETS" }, { 0x5402, "TCSETS" },
			{ 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" }, { 0x540F, "TIOCGPGRP" },
			{ 0x541B, "FIONREAD" }, { 0x5421, "FIONBIO" } };
		const char *nm = NULL;
		for (size_t j = 0; j < sizeof(req) / sizeof(req[0]); j++)
			if (req[j].bit == v)
				nm = req[j].name;
		if (nm)
			sb_printf(b, "%s", nm);
		else
			sb_printf(b, "%#" PRIx64, v);
		break;
	}
	case A_STRARR: {
		sb_printf(b, "[");
		for (int j = 0; j < 4; j++) {
			uint64_t p;
			if (guest_read(c, v + 8 * j, &p, 8) != 8 || !p)
				break;
			if (j)
				sb_printf(b, ", ");
			put_string(b, c, p, -1);
			if (j == 3)
				sb_printf(b, ", ...");
		}
		sb_printf(b, "]");
		break;
	}
	}
}

/* Arguments decoded when the call is made (inputs) are kept as text. */
bool strace_is_output(int kind)
{
	return kind == A_BUFOUT || kind == A_STATOUT || kind == A_IOVOUT || kind == A_PIPEOUT ||
	       kind == A_TSOUT;
}

const char *strace_sig_name(int sig)
{
	return sig > 0 && sig < 32 ? signames[sig] : "signal";
}
