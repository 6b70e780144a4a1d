/*
 * strace.c - system calls as the CPU sees them, printed in strace(1)'s
 * format (docs/trace.md).
 *
 * The line of a call is printed when it returns to CPL 3, because output
 * arguments (read's buffer, fstat's structure) exist only then; input
 * strings are decoded at the SYSCALL, before the kernel runs.  exit_group
 * never returns: its line ends in "= ?" at the SYSCALL.  Guest memory is
 * read through the current page tables with mmu_probe(), never faulting.
 *
 * --strace=summary counts guest instructions instead of strace -c's
 * seconds: "kernel" is every instruction from the SYSCALL (exclusive) to
 * the SYSRET/IRETQ (inclusive); "user" is the user-mode run that led to
 * the call, from the previous return (exclusive) to the SYSCALL
 * (inclusive).  Both are exact and the same on every run.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "emu/machine.h"
#include "emu/trace/strace.h"

/* ---- names from kernel_model/syscall_64.tbl ------------------------ */

#define NR_NAMES 512
static const char *names[NR_NAMES];
static int names_ready;

#if __has_include("syscalls_64.h")
#define __SYSCALL(nr, sym)
#define __SYSCALL_NAME(nr, name) [nr] = #name,
static const char *const tbl_names[] = {
#include "syscalls_64.h"
};
#undef __SYSCALL
#undef __SYSCALL_NAME
#else
static const char *const tbl_names[] = { [0] = "read", [1] = "write", [60] = "exit",
					 [231] = "exit_group" };
#endif

const char *syscall_name(uint64_t nr)
{
	if (!names_ready) {
		for (size_t k = 0; k < sizeof(tbl_names) / sizeof(tbl_names[0]) && k < NR_NAMES; k++)
			names[k] = tbl_names[k];
		names_ready = 1;
	}
	return nr < NR_NAMES ? names[nr] : NULL;
}

/* ---- argument kinds ------------------------------------------------- */

enum {
	A_INT, A_LONG, A_ULONG, A_HEX, A_PTR, A_FD, A_STR, A_BUFIN, A_BUFOUT,
	A_OFLAGS, A_MODE, A_PROT, A_MFLAGS, A_WHENCE, A_SIG, A_STATOUT, A_IOVIN,
	A_IOVOUT, A_ACCESS, A_ATFLAGS, A_PIPEOUT, A_CLOCK, A_TSOUT, A_TSIN, A_HOW,
	A_ARCHPRCTL, A_FCNTL, A_STRARR, A_IOCTL,
};

struct sc_desc {
	const char *name;
	unsigned char nargs;
	unsigned char kind[6];
	signed char len_arg;   /* argument holding a buffer's length, -1 none */
};

static const struct sc_desc descs[] = {
	{ "read", 3, { A_FD, A_BUFOUT, A_ULONG }, 2 },
	{ "write", 3, { A_FD, A_BUFIN, A_ULONG }, 2 },
	{ "pread64", 4, { A_FD, A_BUFOUT, A_ULONG, A_LONG }, 2 },
	{ "pwrite64", 4, { A_FD, A_BUFIN, A_ULONG, A_LONG }, 2 },
	{ "readv", 3, { A_FD, A_IOVOUT, A_INT }, 2 },
	{ "writev", 3, { A_FD, A_IOVIN, A_INT }, 2 },
	{ "open", 3, { A_STR, A_OFLAGS, A_MODE }, -1 },
	{ "openat", 4, { A_FD, A_STR, A_OFLAGS, A_MODE }, -1 },
	{ "close", 1, { A_FD }, -1 },
	{ "stat", 2, { A_STR, A_STATOUT }, -1 },
	{ "lstat", 2, { A_STR, A_STATOUT }, -1 },
	{ "fstat", 2, { A_FD, A_STATOUT }, -1 },
	{ "newfstatat", 4, { A_FD, A_STR, A_STATOUT, A_ATFLAGS }, -1 },
	{ "lseek", 3, { A_FD, A_LONG, A_WHENCE }, -1 },
	{ "mmap", 6, { A_PTR, A_ULONG, A_PROT, A_MFLAGS, A_FD, A_HEX }, -1 },
	{ "mprotect", 3, { A_PTR, A_ULONG, A_PROT }, -1 },
	{ "munmap", 2, { A_PTR, A_ULONG }, -1 },
	{ "brk", 1, { A_PTR }, -1 },
	{ "rt_sigaction", 4, { A_SIG, A_PTR, A_PTR, A_ULONG }, -1 },
	{ "rt_sigprocmask", 4, { A_HOW, A_PTR, A_PTR, A_ULONG }, -1 },
	{ "ioctl", 3, { A_FD, A_IOCTL, A_PTR }, -1 },
	{ "access", 2, { A_STR, A_ACCESS }, -1 },
	{ "faccessat", 3, { A_FD, A_STR, A_ACCESS }, -1 },
	{ "faccessat2", 4, { A_FD, A_STR, A_ACCESS, A_ATFLAGS }, -1 },
	{ "pipe", 1, { A_PIPEOUT }, -1 },
	{ "pipe2", 2, { A_PIPEOUT, A_OFLAGS }, -1 },
	{ "dup", 1, { A_FD }, -1 },
	{ "dup2", 2, { A_FD, A_FD }, -1 },
	{ "dup3", 3, { A_FD, A_FD, A_OFLAGS }, -1 },
	{ "exit", 1, { A_INT }, -1 },
	{ "exit_group", 1, { A_INT }, -1 },
	{ "kill", 2, { A_INT, A_SIG }, -1 },
	{ "tkill", 2, { A_INT, A_SIG }, -1 },
	{ "tgkill", 3, { A_INT, A_INT, A_SIG }, -1 },
	{ "execve", 3, { A_STR, A_STRARR, A_PTR }, -1 },
	{ "wait4", 4, { A_INT, A_PTR, A_HEX, A_PTR }, -1 },
	{ "uname", 1, { A_PTR }, -1 },
	{ "fcntl", 3, { A_FD, A_FCNTL, A_HEX }, -1 },
	{ "getcwd", 2, { A_BUFOUT, A_ULONG }, 1 },
	{ "chdir", 1, { A_STR }, -1 },
	{ "mkdir", 2, { A_STR, A_MODE }, -1 },
	{ "mkdirat", 3, { A_FD, A_STR, A_MODE }, -1 },
	{ "rmdir", 1, { A_STR }, -1 },
	{ "unlink", 1, { A_STR }, -1 },
	{ "unlinkat", 3, { A_FD, A_STR, A_ATFLAGS }, -1 },
	{ "rename", 2, { A_STR, A_STR }, -1 },
	{ "chmod", 2, { A_STR, A_MODE }, -1 },
	{ "umask", 1, { A_MODE }, -1 },
	{ "readlink", 3, { A_STR, A_BUFOUT, A_ULONG }, 2 },
	{ "readlinkat", 4, { A_FD, A_STR, A_BUFOUT, A_ULONG }, 3 },
	{ "arch_prctl", 2, { A_ARCHPRCTL, A_HEX }, -1 },
	{ "set_tid_address", 1, { A_PTR }, -1 },
	{ "clock_gettime", 2, { A_CLOCK, A_TSOUT }, -1 },
	{ "nanosleep", 2, { A_TSIN, A_PTR }, -1 },
	{ "getdents64", 3, { A_FD, A_PTR, A_ULONG }, -1 },
	{ "getrandom", 3, { A_PTR, A_ULONG, A_HEX }, -1 },
	{ "ftruncate", 2, { A_FD, A_LONG }, -1 },
	{ "fsync", 1, { A_FD }, -1 },
	{ "syncfs", 1, { A_FD }, -1 },
	{ "flock", 2, { A_FD, A_INT }, -1 },
	{ "fadvise64", 4, { A_FD, A_LONG, A_LONG, A_INT }, -1 },
	{ "times", 1, { A_PTR }, -1 },
	{ "getcpu", 3, { A_PTR, A_PTR, A_PTR }, -1 },
	{ "sched_getscheduler", 1, { A_INT }, -1 },
	{ "sched_getparam", 2, { A_INT, A_PTR }, -1 },
	{ "sched_get_priority_max", 1, { A_INT }, -1 },
	{ "sched_get_priority_min", 1, { A_INT }, -1 },
	{ "sync", 0, { 0 }, -1 },
	{ "statfs", 2, { A_STR, A_PTR }, -1 },
	{ "fstatfs", 2, { A_FD, A_PTR }, -1 },
	{ "getpriority", 2, { A_INT, A_INT }, -1 },
	{ "setpriority", 3, { A_INT, A_INT, A_INT }, -1 },
	{ "ioprio_get", 2, { A_INT, A_INT }, -1 },
	{ "ioprio_set", 3, { A_INT, A_INT, A_HEX }, -1 },
	{ "set_robust_list", 2, { A_PTR, A_ULONG }, -1 },
	{ "prlimit64", 4, { A_INT, A_INT, A_PTR, A_PTR }, -1 },
	{ "getpid", 0, { 0 }, -1 }, { "getppid", 0, { 0 }, -1 }, { "gettid", 0, { 0 }, -1 },
	{ "getuid", 0, { 0 }, -1 }, { "geteuid", 0, { 0 }, -1 }, { "getgid", 0, { 0 }, -1 },
	{ "getegid", 0, { 0 }, -1 }, { "sched_yield", 0, { 0 }, -1 }, { "fork", 0, { 0 }, -1 },
	{ "vfork", 0, { 0 }, -1 }, { "getpgrp", 0, { 0 }, -1 }, { "setsid", 0, { 0 }, -1 },
};

static const struct sc_desc *desc_of(const char *name)
{
	if (!name)
		return NULL;
	for (size_t k = 0; k < sizeof(descs) / sizeof(descs[0]); k++)
		if (!strcmp(descs[k].name, name))
			return &descs[k];
	return NULL;
}

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

static const char *errno_text(int e)
{
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		if (errnos[k].e == e)
			return errnos[k].text;
	return "Unknown error";
}

/* ---- state ---------------------------------------------------------- */

struct sc_count {
	uint64_t calls, errors, kernel, user;
};

struct strace {
	FILE *out;
	bool summary, icount;
	/* the call in flight */
	bool pending;
	uint64_t nr, args[6], seq, enter_icount;
	uint64_t ret_rip;         /* RCX after the SYSCALL: the return address */
	const struct sc_desc *d;
	char in[6][160];          /* input arguments decoded at the SYSCALL */
	uint64_t user_insns;      /* CPL 3 instructions since the last SYSCALL */
	bool exited;              /* exit_group/exit seen */
	/* fork/vfork/clone: the kernel runs the child to its exit first
	 * (kernel_model/fork.c), so the parent's call is parked here until
	 * the child is gone and the parent's return comes. */
	struct parked {
		uint64_t nr, args[6], seq, enter_icount;
		uint64_t ret_rip;       /* where the parent's return lands */
		const struct sc_desc *d;
		char in[6][160];
		bool child_exited;
	} forks[8];
	int nforks;
	/* the last kill/tkill/tgkill (a signal the program sent itself) */
	int sent_sig;
	uint64_t sent_pid;
	bool sent_tkill;
	int exit_code;
	/* the last user exception (the kernel may kill for it) */
	bool fault;
	int fault_vec;
	uint32_t fault_err;
	uint64_t fault_rip, fault_cr2;
	struct sc_count count[NR_NAMES + 1];   /* [NR_NAMES]: numbers beyond */
};

struct strace *strace_new(FILE *out, bool summary, bool icount)
{
	struct strace *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->out = out;
	s->summary = summary;
	s->icount = icount;
	syscall_name(0);
	return s;
}

void strace_free(struct strace *s)
{
	free(s);
}

/* ---- guest memory and formatting ------------------------------------ */

/* Read up to n bytes of user memory at la; returns how many were readable. */
static size_t guest_read(struct cpu *c, uint64_t la, void *dst, size_t n)
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

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
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
static void put_arg(struct sbuf *b, struct cpu *c, const struct sc_desc *d, int k,
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
static bool is_output(int kind)
{
	return kind == A_BUFOUT || kind == A_STATOUT || kind == A_IOVOUT || kind == A_PIPEOUT ||
	       kind == A_TSOUT;
}

static void line_start(struct strace *s, struct sbuf *b)
{
	if (s->icount)
		sb_printf(b, "[%10" PRIu64 "] ", s->seq);
	const char *nm = syscall_name(s->nr);
	if (nm)
		sb_printf(b, "%s(", nm);
	else
		sb_printf(b, "syscall_%#" PRIx64 "(", s->nr);
}

static void put_args(struct strace *s, struct sbuf *b, struct cpu *c, int64_t ret, bool out)
{
	if (!s->d) {
		/* Unknown decoding: six raw arguments, as strace does for
		 * numbers it does not know. */
		for (int k = 0; k < 6; k++)
			sb_printf(b, "%s%#" PRIx64, k ? ", " : "", s->args[k]);
		return;
	}
	int nargs = s->d->nargs;
	/* open/openat: the mode only matters (and strace shows it only)
	 * with O_CREAT or O_TMPFILE. */
	if (nargs >= 2 && s->d->kind[nargs - 1] == A_MODE && s->d->kind[nargs - 2] == A_OFLAGS &&
	    !(s->args[nargs - 2] & 0100) && (s->args[nargs - 2] & 020200000) != 020200000)
		nargs--;
	for (int k = 0; k < nargs; k++) {
		if (k)
			sb_printf(b, ", ");
		if (out && is_output(s->d->kind[k]))
			put_arg(b, c, s->d, k, s->args, ret, true);
		else
			sb_printf(b, "%s", s->in[k]);
	}
}

static bool is_fork(const char *nm)
{
	return nm && (!strcmp(nm, "fork") || !strcmp(nm, "vfork") || !strcmp(nm, "clone") ||
		      !strcmp(nm, "clone3"));
}

void strace_enter(struct strace *s, struct cpu *c)
{
	s->pending = true;
	s->fault = false;   /* a fault before this call did not kill */
	/* The kernel takes the number as an int (do_syscall_64(regs, int nr),
	 * like Linux): the upper half of RAX is ignored, so it is here. */
	s->nr = (uint32_t)c->r[R_RAX];
	s->args[0] = c->r[R_RDI];
	s->args[1] = c->r[R_RSI];
	s->args[2] = c->r[R_RDX];
	s->args[3] = c->r[R_R10];
	s->args[4] = c->r[R_R8];
	s->args[5] = c->r[R_R9];
	s->seq = c->icount - 1;
	s->enter_icount = c->icount;
	s->ret_rip = c->r[R_RCX];
	s->d = desc_of(syscall_name(s->nr));
	struct sc_count *sc = &s->count[s->nr < NR_NAMES ? s->nr : NR_NAMES];
	sc->user += s->user_insns;
	s->user_insns = 0;
	if (s->d) {
		for (int k = 0; k < s->d->nargs; k++) {
			struct sbuf b = { s->in[k], 0, sizeof(s->in[k]) };
			s->in[k][0] = 0;
			put_arg(&b, c, s->d, k, s->args, 0, false);
		}
	}
	const char *nm = syscall_name(s->nr);
	if (nm && (!strcmp(nm, "kill") || !strcmp(nm, "tkill") || !strcmp(nm, "tgkill"))) {
		bool tg = !strcmp(nm, "tgkill");
		s->sent_sig = (int)s->args[tg ? 2 : 1];
		s->sent_pid = s->args[0];
		s->sent_tkill = strcmp(nm, "kill") != 0;
	}
	if (nm && (!strcmp(nm, "exit_group") || !strcmp(nm, "exit"))) {
		bool child = s->nforks > 0 && !s->forks[s->nforks - 1].child_exited;
		if (child)
			s->forks[s->nforks - 1].child_exited = true;
		else
			s->exited = true;
		if (!child)
			s->exit_code = (int)s->args[0];
		sc->calls++;
		if (!s->summary) {
			char line[1024];
			struct sbuf b = { line, 0, sizeof(line) };
			line_start(s, &b);
			put_args(s, &b, c, 0, false);
			sb_printf(&b, ") = ?\n");
			if (child)
				sb_printf(&b, "+++ child exited with %d +++\n", (int)s->args[0] & 0xFF);
			fputs(line, s->out);
		}
		s->pending = false;
	}
}

static void park(struct strace *s)
{
	struct parked *p = &s->forks[s->nforks++];
	p->nr = s->nr;
	memcpy(p->args, s->args, sizeof(p->args));
	p->seq = s->seq;
	p->enter_icount = s->enter_icount;
	p->ret_rip = s->ret_rip;
	p->d = s->d;
	memcpy(p->in, s->in, sizeof(p->in));
	p->child_exited = false;
}

static void unpark(struct strace *s)
{
	struct parked *p = &s->forks[--s->nforks];
	s->nr = p->nr;
	memcpy(s->args, p->args, sizeof(s->args));
	s->seq = p->seq;
	s->enter_icount = p->enter_icount;
	s->d = p->d;
	memcpy(s->in, p->in, sizeof(s->in));
}

void strace_exit(struct strace *s, struct cpu *c)
{
	int64_t ret = (int64_t)c->r[R_RAX];
	if (!s->pending) {
		/* The parent's return from a fork: after the same SYSCALL as
		 * the child's, with the child's pid.  (Other returns without
		 * a call in flight: a fault the kernel fixed, a signal.) */
		if (s->nforks == 0)
			return;
		struct parked *p = &s->forks[s->nforks - 1];
		if (c->rip != p->ret_rip || ret == 0)
			return;
		if (!p->child_exited && !s->summary)
			fprintf(s->out, "+++ child killed (last user exception: vector %d) +++\n",
				s->fault_vec);
		s->fault = false;
		unpark(s);
	} else if (ret == 0 && is_fork(syscall_name(s->nr)) && s->nforks < 8) {
		/* The child's return: its calls follow; the parent's line
		 * comes when the parent returns. */
		park(s);
	}
	s->pending = false;
	struct sc_count *sc = &s->count[s->nr < NR_NAMES ? s->nr : NR_NAMES];
	sc->calls++;
	sc->kernel += c->icount - s->enter_icount;
	if (ret < 0 && ret >= -4095)
		sc->errors++;
	if (s->summary)
		return;
	char line[2048];
	struct sbuf b = { line, 0, sizeof(line) };
	line_start(s, &b);
	put_args(s, &b, c, ret, true);
	const char *nm = syscall_name(s->nr);
	if (ret < 0 && ret >= -4095) {
		const char *en = strace_errno_name((int)-ret);
		if (en)
			sb_printf(&b, ") = -1 %s (%s)\n", en, errno_text((int)-ret));
		else
			sb_printf(&b, ") = -1 E%d (Unknown error %d)\n", (int)-ret, (int)-ret);
	} else if (nm && (!strcmp(nm, "mmap") || !strcmp(nm, "brk"))) {
		sb_printf(&b, ") = %#" PRIx64 "\n", (uint64_t)ret);
	} else {
		sb_printf(&b, ") = %" PRId64 "\n", ret);
	}
	fputs(line, s->out);
}

void strace_user_insns(struct strace *s, uint64_t n)
{
	s->user_insns += n;
}

void strace_user_fault(struct strace *s, struct cpu *c, int vector, uint32_t error, uint64_t rip)
{
	s->fault = true;
	s->fault_vec = vector;
	s->fault_err = error;
	s->fault_rip = rip;
	s->fault_cr2 = c->cr2;
}

static void print_summary(struct strace *s)
{
	uint64_t total = 0, calls = 0, errors = 0;
	for (size_t k = 0; k <= NR_NAMES; k++) {
		total += s->count[k].kernel;
		calls += s->count[k].calls;
		errors += s->count[k].errors;
	}
	FILE *f = s->out;
	fprintf(f, "%% insns  kernel insns  insns/call   user/call     calls    errors syscall\n");
	fprintf(f, "------ ------------- ----------- ----------- --------- --------- ----------------\n");
	/* Sorted by kernel instructions, like strace -c by time. */
	bool done[NR_NAMES + 1] = { false };
	for (;;) {
		int best = -1;
		for (size_t k = 0; k <= NR_NAMES; k++)
			if (!done[k] && s->count[k].calls &&
			    (best < 0 || s->count[k].kernel > s->count[best].kernel))
				best = (int)k;
		if (best < 0)
			break;
		done[best] = true;
		const struct sc_count *sc = &s->count[best];
		const char *nm = best < NR_NAMES ? syscall_name((uint64_t)best) : NULL;
		char nbuf[32];
		if (!nm) {
			snprintf(nbuf, sizeof(nbuf), best < NR_NAMES ? "syscall_%#x" : "(beyond %d)", best);
			nm = nbuf;
		}
		fprintf(f, "%6.2f %13" PRIu64 " %11" PRIu64 " %11" PRIu64 " %9" PRIu64 " ",
			total ? 100.0 * (double)sc->kernel / (double)total : 0.0, sc->kernel,
			sc->kernel / sc->calls, sc->user / sc->calls, sc->calls);
		if (sc->errors)
			fprintf(f, "%9" PRIu64 " %s\n", sc->errors, nm);
		else
			fprintf(f, "%9s %s\n", "", nm);
	}
	fprintf(f, "------ ------------- ----------- ----------- --------- --------- ----------------\n");
	fprintf(f, "100.00 %13" PRIu64 " %11" PRIu64 " %11s %9" PRIu64 " %9" PRIu64 " total\n", total,
		calls ? total / calls : 0, "", calls, errors);
}

static const char *sig_name(int sig)
{
	return sig > 0 && sig < 32 ? signames[sig] : "signal";
}

void strace_finish(struct strace *s, int status)
{
	if (s->summary) {
		print_summary(s);
		fflush(s->out);
		return;
	}
	if (s->exited) {
		fprintf(s->out, "+++ exited with %d +++\n", s->exit_code & 0xFF);
	} else if (status > 128 && status < 128 + 32) {
		int sig = status - 128;
		/* The signal a user exception raises (kernel_model/traps.c). */
		int fsig = 11;
		switch (s->fault_vec) {
		case EXC_DE: case EXC_MF: case EXC_XM: fsig = 8; break;
		case EXC_DB: case EXC_BP: fsig = 5; break;
		case EXC_UD: fsig = 4; break;
		case EXC_AC: fsig = 7; break;
		default: break;
		}
		if (!(s->fault && fsig == sig) && s->sent_sig == sig) {
			fprintf(s->out, "--- %s {si_signo=%s, si_code=%s, si_pid=%" PRIu64 ", si_uid=0} ---\n",
				sig_name(sig), sig_name(sig), s->sent_tkill ? "SI_TKILL" : "SI_USER",
				s->sent_pid);
		} else if (s->fault && fsig == sig) {
			const char *code = "SI_KERNEL";
			uint64_t addr = 0;
			switch (s->fault_vec) {
			case EXC_PF:
				code = (s->fault_err & 1) ? "SEGV_ACCERR" : "SEGV_MAPERR";
				addr = s->fault_cr2;
				break;
			case EXC_UD: code = "ILL_ILLOPN"; addr = s->fault_rip; break;
			case EXC_DE: code = "FPE_INTDIV"; addr = s->fault_rip; break;
			case EXC_BP: code = "SI_KERNEL"; break;
			case EXC_DB: code = "TRAP_TRACE"; break;
			default: break;
			}
			fprintf(s->out, "--- %s {si_signo=%s, si_code=%s, si_addr=0x%" PRIx64 "} ---\n",
				sig_name(sig), sig_name(sig), code, addr);
		}
		fprintf(s->out, "+++ killed by %s +++\n", sig_name(sig));
	}
	fflush(s->out);
}
