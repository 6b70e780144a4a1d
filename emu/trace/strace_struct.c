/*
 * strace_struct.c - the structures of the strace view, read from guest
 * memory and printed the way strace(1) abbreviates them (strace_fmt.h):
 * struct stat, iovec arrays, timespec/itimerval, signal sets, sigaction,
 * stack_t, rlimit, pollfd arrays, wait status, utsname, tms, CPU sets,
 * directory entries, clone's arguments, ioctl arguments, struct flock and
 * siginfo_t.  Layouts are Linux x86-64's (the kernel ABI, not a C
 * library's).  Whatever cannot be read prints as its address.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "emu/trace/strace_fmt.h"

#define READ_OR_ADDR(c, la, obj)                                  \
	do {                                                      \
		if (!(la) || guest_read(c, la, &(obj), sizeof(obj)) != sizeof(obj)) { \
			put_addr(b, la);                          \
			return;                                   \
		}                                                 \
	} while (0)

void put_stat(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* struct stat: st_mode at 24 (u32), st_rdev at 40, st_size at 48 */
	uint8_t st[144];
	READ_OR_ADDR(c, la, st);
	uint32_t mode;
	uint64_t rdev;
	int64_t size;
	memcpy(&mode, st + 24, 4);
	memcpy(&rdev, st + 40, 8);
	memcpy(&size, st + 48, 8);
	static const char *const types[16] = {
		[1] = "S_IFIFO", [2] = "S_IFCHR", [4] = "S_IFDIR", [6] = "S_IFBLK",
		[8] = "S_IFREG", [10] = "S_IFLNK", [12] = "S_IFSOCK",
	};
	unsigned type = (mode >> 12) & 0xF;
	if (types[type]) {
		sb_printf(b, "{st_mode=%s|%s%s%s%#03o, ", types[type], (mode & 04000) ? "S_ISUID|" : "",
			  (mode & 02000) ? "S_ISGID|" : "", (mode & 01000) ? "S_ISVTX|" : "", mode & 0777);
	} else {
		sb_printf(b, "{st_mode=%#o, ", mode);
	}
	if (type == 2 || type == 6) {
		/* device numbers: glibc's gnu_dev_major/minor split */
		uint64_t major = ((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~0xFFFULL);
		uint64_t minor = (rdev & 0xFF) | ((rdev >> 12) & ~0xFFULL);
		sb_printf(b, "st_rdev=makedev(%#" PRIx64 ", %#" PRIx64 "), ...}", major, minor);
	} else {
		sb_printf(b, "st_size=%" PRId64 ", ...}", size);
	}
}

void put_iov(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t cnt, int64_t total)
{
	if (!la) {
		sb_printf(b, "NULL");
		return;
	}
	sb_printf(b, "[");
	for (uint64_t k = 0; k < cnt; k++) {
		uint64_t iov[2];
		if (k == STR_MAX) {
			sb_printf(b, ", ...");
			break;
		}
		if (guest_read(c, la + 16 * k, iov, 16) != 16) {
			sb_printf(b, "%s...", k ? ", " : "");
			break;
		}
		int64_t n = (int64_t)iov[1];
		if (total >= 0) {
			n = n < total ? n : total;
			total -= n;
		}
		sb_printf(b, "%s{iov_base=", k ? ", " : "");
		put_string(b, c, iov[0], n, false);
		sb_printf(b, ", iov_len=%" PRIu64 "}", iov[1]);
	}
	sb_printf(b, "]");
}

void put_timespec(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t ts[2];
	READ_OR_ADDR(c, la, ts);
	sb_printf(b, "{tv_sec=%" PRId64 ", tv_nsec=%" PRId64 "}", ts[0], ts[1]);
}

void put_timeval(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t tv[2];
	READ_OR_ADDR(c, la, tv);
	sb_printf(b, "{tv_sec=%" PRId64 ", tv_usec=%" PRId64 "}", tv[0], tv[1]);
}

void put_fdset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t nfds)
{
	uint64_t set[1024 / 64];
	if (nfds > 1024)
		nfds = 1024;
	size_t bytes = (nfds + 63) / 64 * 8;
	if (!la || guest_read(c, la, set, bytes) != bytes) {
		put_addr(b, la);
		return;
	}
	sb_printf(b, "[");
	bool first = true;
	for (uint64_t fd = 0; fd < nfds; fd++)
		if (set[fd / 64] & (1ULL << (fd % 64))) {
			sb_printf(b, "%s%" PRIu64, first ? "" : " ", fd);
			first = false;
		}
	sb_printf(b, "]");
}

void put_itimerval(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t t[4];
	READ_OR_ADDR(c, la, t);
	sb_printf(b, "{it_interval={tv_sec=%" PRId64 ", tv_usec=%" PRId64 "}, it_value={tv_sec=%"
		  PRId64 ", tv_usec=%" PRId64 "}}", t[0], t[1], t[2], t[3]);
}

/* utimensat's two times: UTIME_NOW, UTIME_OMIT or a time with its date. */
void put_utimens(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t t[4];
	READ_OR_ADDR(c, la, t);
	sb_printf(b, "[");
	for (int k = 0; k < 2; k++) {
		int64_t sec = t[2 * k], nsec = t[2 * k + 1];
		sb_printf(b, "%s", k ? ", " : "");
		if (nsec == (1 << 30) - 1) {
			sb_printf(b, "UTIME_NOW");
		} else if (nsec == (1 << 30) - 2) {
			sb_printf(b, "UTIME_OMIT");
		} else {
			sb_printf(b, "{tv_sec=%" PRId64 ", tv_nsec=%" PRId64 "}", sec, nsec);
			time_t tt = (time_t)sec;
			struct tm tm;
			char d[64], z[16], ns[16] = "";
			if (nsec)   /* strace shows the fraction only when there is one */
				snprintf(ns, sizeof(ns), ".%09" PRId64, nsec);
			if (localtime_r(&tt, &tm) && strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm) &&
			    strftime(z, sizeof(z), "%z", &tm))
				sb_printf(b, " /* %s%s%s */", d, ns, z);
		}
	}
	sb_printf(b, "]");
}

/* strace names signals in sets without "SIG", real-time ones RTMIN, RT_n. */
void put_sigset_value(struct sbuf *b, uint64_t set, unsigned nsig)
{
	unsigned pop = (unsigned)__builtin_popcountll(set);
	bool inv = pop * 2 > nsig;
	if (inv) {
		set = ~set;
		if (nsig < 64)
			set &= (1ULL << nsig) - 1;
		sb_printf(b, "~");
	}
	sb_printf(b, "[");
	bool first = true;
	for (unsigned s = 1; s <= nsig; s++) {
		if (!(set & (1ULL << (s - 1))))
			continue;
		const char *nm = strace_sig_name((int)s);
		sb_printf(b, "%s%s", first ? "" : " ", nm ? nm + 3 : "?");
		first = false;
	}
	sb_printf(b, "]");
}

void put_sigset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size)
{
	uint64_t set = 0;
	if (!la || size == 0 || size > 8 || guest_read(c, la, &set, size) != size) {
		put_addr(b, la);
		return;
	}
	put_sigset_value(b, set, (unsigned)size * 8);
}

void put_sigaction(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* the kernel's struct sigaction: handler, flags, restorer, mask */
	uint64_t sa[4];
	READ_OR_ADDR(c, la, sa);
	sb_printf(b, "{sa_handler=");
	if (sa[0] == 0)
		sb_printf(b, "SIG_DFL");
	else if (sa[0] == 1)
		sb_printf(b, "SIG_IGN");
	else
		sb_printf(b, "%#" PRIx64, sa[0]);
	sb_printf(b, ", sa_mask=");
	put_sigset_value(b, sa[3], 64);
	sb_printf(b, ", sa_flags=");
	put_flags(b, &xf_sa, sa[1]);
	if (sa[1] & 0x04000000) {   /* SA_RESTORER */
		sb_printf(b, ", sa_restorer=");
		put_addr(b, sa[2]);
	}
	sb_printf(b, "}");
}

void put_stack(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* stack_t: ss_sp, ss_flags (int, padded), ss_size */
	uint64_t ss[3];
	READ_OR_ADDR(c, la, ss);
	sb_printf(b, "{ss_sp=");
	put_addr(b, ss[0]);
	sb_printf(b, ", ss_flags=");
	put_flags(b, &xf_ss, (uint32_t)ss[1]);
	sb_printf(b, ", ss_size=%" PRIu64 "}", ss[2]);
}

static void put_rlim_value(struct sbuf *b, uint64_t v)
{
	if (v == ~0ULL)
		sb_printf(b, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		sb_printf(b, "%" PRIu64 "*1024", v / 1024);
	else
		sb_printf(b, "%" PRIu64, v);
}

void put_rlimit(struct sbuf *b, struct cpu *c, uint64_t la)
{
	uint64_t r[2];
	READ_OR_ADDR(c, la, r);
	sb_printf(b, "{rlim_cur=");
	put_rlim_value(b, r[0]);
	sb_printf(b, ", rlim_max=");
	put_rlim_value(b, r[1]);
	sb_printf(b, "}");
}

/* pollfd arrays: events at the call; on return only the entries with
 * revents (what strace appends to the result). */
void put_pollfds(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t n, bool revents)
{
	if (!la && n) {
		sb_printf(b, "NULL");
		return;
	}
	sb_printf(b, "[");
	bool first = true;
	for (uint64_t k = 0; k < n; k++) {
		struct { int32_t fd; uint16_t events, revents; } p;
		if (k == STR_MAX) {
			sb_printf(b, ", ...");
			break;
		}
		if (guest_read(c, la + 8 * k, &p, 8) != 8)
			break;
		if (revents && !p.revents)
			continue;
		sb_printf(b, "%s{fd=%d, %s=", first ? "" : ", ", p.fd, revents ? "revents" : "events");
		put_flags(b, &xf_poll, revents ? p.revents : p.events);
		sb_printf(b, "}");
		first = false;
	}
	sb_printf(b, "]");
}

void put_wstatus(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int32_t s;
	READ_OR_ADDR(c, la, s);
	int sig = s & 0x7F;
	const char *nm;
	if (sig == 0) {
		sb_printf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", (s >> 8) & 0xFF);
	} else if (sig == 0x7F) {
		nm = strace_sig_name((s >> 8) & 0xFF);
		sb_printf(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]", nm ? nm : "?");
	} else if (s == 0xFFFF) {
		sb_printf(b, "[{WIFCONTINUED(s)}]");
	} else {
		nm = strace_sig_name(sig);
		if (nm)
			sb_printf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]", nm,
				  (s & 0x80) ? " && WCOREDUMP(s)" : "");
		else
			sb_printf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %d%s}]", sig,
				  (s & 0x80) ? " && WCOREDUMP(s)" : "");
	}
}

void put_utsname(struct sbuf *b, struct cpu *c, uint64_t la)
{
	char u[2][65];
	READ_OR_ADDR(c, la, u);
	u[0][64] = u[1][64] = 0;
	sb_printf(b, "{sysname=");
	put_string(b, c, la, -1, false);
	sb_printf(b, ", nodename=");
	put_string(b, c, la + 65, -1, false);
	sb_printf(b, ", ...}");
}

void put_tms(struct sbuf *b, struct cpu *c, uint64_t la)
{
	int64_t t[4];
	READ_OR_ADDR(c, la, t);
	sb_printf(b, "{tms_utime=%" PRId64 ", tms_stime=%" PRId64 ", tms_cutime=%" PRId64
		  ", tms_cstime=%" PRId64 "}", t[0], t[1], t[2], t[3]);
}

void put_statfs(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* struct statfs: f_type, f_bsize, f_blocks, f_bfree, f_bavail,
	 * f_files, f_ffree, f_fsid (two ints), f_namelen, f_frsize, f_flags */
	int64_t f[11];
	READ_OR_ADDR(c, la, f);
	int32_t fsid[2];
	memcpy(fsid, &f[7], 8);
	sb_printf(b, "{f_type=");
	put_xval(b, &xt_fs_magic, (uint64_t)f[0]);
	sb_printf(b, ", f_bsize=%" PRId64 ", f_blocks=%" PRIu64 ", f_bfree=%" PRIu64
		  ", f_bavail=%" PRIu64 ", f_files=%" PRIu64 ", f_ffree=%" PRIu64
		  ", f_fsid={val=[%#x, %#x]}, f_namelen=%" PRId64 ", f_frsize=%" PRId64 ", f_flags=",
		  f[1], (uint64_t)f[2], (uint64_t)f[3], (uint64_t)f[4], (uint64_t)f[5], (uint64_t)f[6],
		  (unsigned)fsid[0], (unsigned)fsid[1], f[8], f[9]);
	put_flags(b, &xf_statfs, (uint64_t)f[10]);
	sb_printf(b, "}");
}

/* getgroups' list: the ids the kernel wrote (n of them). */
void put_gids(struct sbuf *b, struct cpu *c, uint64_t la, int64_t n)
{
	if (!la) {
		sb_printf(b, "NULL");
		return;
	}
	sb_printf(b, "[");
	for (int64_t k = 0; k < n; k++) {
		uint32_t g;
		if (k == STR_MAX) {
			sb_printf(b, ", ...");
			break;
		}
		if (guest_read(c, la + 4 * (uint64_t)k, &g, 4) != 4)
			break;
		sb_printf(b, "%s%u", k ? ", " : "", g);
	}
	sb_printf(b, "]");
}

void put_cpuset(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size)
{
	uint8_t set[128];
	if (size > sizeof(set))
		size = sizeof(set);
	if (!la || guest_read(c, la, set, size) != size) {
		put_addr(b, la);
		return;
	}
	sb_printf(b, "[");
	bool first = true;
	for (uint64_t k = 0; k < size * 8; k++)
		if (set[k / 8] & (1u << (k % 8))) {
			sb_printf(b, "%s%" PRIu64, first ? "" : " ", k);
			first = false;
		}
	sb_printf(b, "]");
}

/* getdents/getdents64: the address and how many entries came back (both
 * structures keep d_reclen at offset 16). */
void put_dents(struct sbuf *b, struct cpu *c, uint64_t la, int64_t size)
{
	int n = 0;
	for (int64_t off = 0; off + 18 <= size && n < 1000000; n++) {
		uint16_t reclen;
		if (guest_read(c, la + (uint64_t)off + 16, &reclen, 2) != 2 || !reclen)
			break;
		off += reclen;
	}
	put_addr(b, la);
	sb_printf(b, " /* %d entries */", n);
}

/* clone(flags, stack, parent_tid, child_tid, tls) with strace's names. */
/* A tid the kernel stored (CLONE_PARENT_SETTID): "[43]", or the address
 * when the call failed or it cannot be read. */
static void put_tid_at(struct sbuf *b, struct cpu *c, uint64_t la, int64_t ret)
{
	int32_t v;
	if (c && la && !(ret < 0 && ret >= -4095) && guest_read(c, la, &v, 4) == 4)
		sb_printf(b, "[%d]", v);
	else
		put_addr(b, la);
}

bool clone_decoded_at_call(uint64_t flags)
{
	/* CLONE_PARENT_SETTID, CLONE_PIDFD, CLONE_CHILD_SETTID,
	 * CLONE_CHILD_CLEARTID, CLONE_SETTLS: strace prints those on return */
	return !(flags & (0x100000 | 0x1000 | 0x1000000 | 0x200000 | 0x80000));
}

void put_clone(struct sbuf *b, struct cpu *c, const uint64_t *a, int parts, int64_t ret)
{
	uint64_t fl = a[0];
	if (parts & CLONE_AT_CALL) {
		sb_printf(b, "child_stack=");
		put_addr(b, a[1]);
		sb_printf(b, ", flags=");
		if (fl & ~0xFFULL)
			put_flags(b, &xf_clone, fl & ~0xFFULL);
		if (fl & 0xFF) {
			const char *nm = strace_sig_name((int)(fl & 0xFF));
			sb_printf(b, "%s", (fl & ~0xFFULL) ? "|" : "");
			if (nm)
				sb_printf(b, "%s", nm);
			else
				sb_printf(b, "%#" PRIx64, fl & 0xFF);
		} else if (!(fl & ~0xFFULL)) {
			sb_printf(b, "0");
		}
	}
	if (!(parts & CLONE_ON_RETURN))
		return;
	if (fl & (0x100000 | 0x1000)) {      /* CLONE_PARENT_SETTID, CLONE_PIDFD */
		sb_printf(b, ", parent_tid=");
		put_tid_at(b, c, a[2], ret);
	}
	if (fl & 0x80000) {                  /* CLONE_SETTLS */
		sb_printf(b, ", tls=");
		put_addr(b, a[4]);
	}
	if (fl & (0x200000 | 0x1000000)) {   /* CLONE_CHILD_CLEARTID, _SETTID */
		sb_printf(b, ", child_tidptr=");
		put_addr(b, a[3]);
	}
}

/* clone3's struct clone_args: flags, pidfd, child_tid, parent_tid,
 * exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; the
 * pointers only when a flag makes the kernel use them, as strace does. */
void put_clone_args(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size)
{
	uint64_t ca[11] = { 0 };
	if (!la || size < 64 || guest_read(c, la, ca, size < 88 ? size : 88) != (size < 88 ? size : 88)) {
		put_addr(b, la);
		return;
	}
	uint64_t fl = ca[0];
	sb_printf(b, "{flags=");
	put_flags(b, &xf_clone, fl);
	if (fl & 0x1000) {                   /* CLONE_PIDFD */
		sb_printf(b, ", pidfd=");
		put_addr(b, ca[1]);
	}
	if (fl & (0x200000 | 0x1000000)) {   /* CLONE_CHILD_CLEARTID, _SETTID */
		sb_printf(b, ", child_tid=");
		put_addr(b, ca[2]);
	}
	if (fl & 0x100000) {                 /* CLONE_PARENT_SETTID */
		sb_printf(b, ", parent_tid=");
		put_addr(b, ca[3]);
	}
	const char *sig = strace_sig_name((int)ca[4]);
	if (sig)
		sb_printf(b, ", exit_signal=%s", sig);
	else
		sb_printf(b, ", exit_signal=%" PRIu64, ca[4]);
	sb_printf(b, ", stack=");
	put_addr(b, ca[5]);
	sb_printf(b, ", stack_size=%#" PRIx64, ca[6]);
	if (fl & 0x80000) {                  /* CLONE_SETTLS */
		sb_printf(b, ", tls=");
		put_addr(b, ca[7]);
	}
	if (ca[8] || ca[9]) {
		sb_printf(b, ", set_tid=");
		put_addr(b, ca[8]);
		sb_printf(b, ", set_tid_size=%" PRIu64, ca[9]);
	}
	sb_printf(b, "}");
}

void put_clone_args_changed(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t size, int64_t ret)
{
	uint64_t ca[4];
	if (!la || size < 64 || (ret < 0 && ret >= -4095) || guest_read(c, la, ca, sizeof(ca)) != sizeof(ca))
		return;
	const char *sep = " => {";
	if (ca[0] & 0x1000) {                /* CLONE_PIDFD: the descriptor */
		int32_t fd;
		if (guest_read(c, ca[1], &fd, 4) == 4)
			sb_printf(b, "%spidfd=[%d]", sep, fd);
		else
			sb_printf(b, "%spidfd=%#" PRIx64, sep, ca[1]);
		sep = ", ";
	}
	if (ca[0] & 0x100000) {              /* CLONE_PARENT_SETTID */
		sb_printf(b, "%sparent_tid=", sep);
		put_tid_at(b, c, ca[3], ret);
		sep = ", ";
	}
	if (sep[0] == ',')
		sb_printf(b, "}");
}

bool ioctl_arg_is_output(uint64_t req)
{
	switch ((uint32_t)req) {
	case 0x5401: case 0x5413: case 0x541B: case 0x540F: case 0x5429:   /* TCGETS ... TIOCGSID */
		return true;
	default:
		return false;
	}
}

static void put_termios(struct sbuf *b, struct cpu *c, uint64_t la)
{
	/* abbreviated like strace: the speed and four of the flags */
	uint32_t t[4];
	READ_OR_ADDR(c, la, t);
	static const char *const speeds[16] = {
		"B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200",
		"B1800", "B2400", "B4800", "B9600", "B19200", "B38400",
	};
	uint32_t cbaud = t[2] & 010017;
	const char *sp = cbaud < 16 ? speeds[cbaud] : NULL;
	if (sp)
		sb_printf(b, "{%s ", sp);
	else
		sb_printf(b, "{%#o ", cbaud);
	sb_printf(b, "%sopost %sisig %sicanon %secho ...}", (t[1] & 1) ? "" : "-",
		  (t[3] & 1) ? "" : "-", (t[3] & 2) ? "" : "-", (t[3] & 010) ? "" : "-");
}

void put_ioctl_arg(struct sbuf *b, struct cpu *c, uint64_t req, uint64_t la, int64_t ret, bool out)
{
	if (out && ret < 0 && ret >= -4095) {
		put_addr(b, la);
		return;
	}
	switch ((uint32_t)req) {
	case 0x5401: case 0x5402: case 0x5403: case 0x5404:                /* TCGETS, TCSETS* */
		put_termios(b, c, la);
		break;
	case 0x5413: case 0x5414: {                                         /* TIOCGWINSZ/SWINSZ */
		uint16_t w[4];
		READ_OR_ADDR(c, la, w);
		sb_printf(b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", w[0], w[1], w[2],
			  w[3]);
		break;
	}
	case 0x541B: case 0x540F: case 0x5410: case 0x5421: case 0x5429: { /* [int] */
		int32_t v;
		READ_OR_ADDR(c, la, v);
		sb_printf(b, "[%d]", v);
		break;
	}
	default:
		sb_printf(b, "%#" PRIx64, la);
		break;
	}
}

void put_flock(struct sbuf *b, struct cpu *c, uint64_t la, bool pid)
{
	/* struct flock: l_type, l_whence (shorts), l_start, l_len, l_pid */
	struct { int16_t type, whence; int32_t pad; int64_t start, len; int32_t pid, pad2; } f;
	READ_OR_ADDR(c, la, f);
	static const char *const types[3] = { "F_RDLCK", "F_WRLCK", "F_UNLCK" };
	if (f.type >= 0 && f.type < 3)
		sb_printf(b, "{l_type=%s, l_whence=", types[f.type]);
	else
		sb_printf(b, "{l_type=%#x /* F_??? */, l_whence=", (unsigned)(uint16_t)f.type);
	put_xval(b, &xt_whence, (uint16_t)f.whence);
	sb_printf(b, ", l_start=%" PRId64 ", l_len=%" PRId64, f.start, f.len);
	if (pid)
		sb_printf(b, ", l_pid=%d", f.pid);
	sb_printf(b, "}");
}

/* ---- siginfo ---------------------------------------------------------------- */

static const char *si_code_name(int signo, int code)
{
	static const char *const user[] = { "SI_USER", "SI_QUEUE", "SI_TIMER", "SI_MESGQ",
					    "SI_ASYNCIO", "SI_SIGIO", "SI_TKILL" };
	static const char *const segv[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR" };
	static const char *const bus[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR" };
	static const char *const ill[] = { NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR",
					   "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC",
					   "ILL_BADSTK" };
	static const char *const fpe[] = { NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
					   "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
					   "FPE_FLTSUB" };
	static const char *const trap[] = { NULL, "TRAP_BRKPT", "TRAP_TRACE" };
	static const char *const cld[] = { NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
#define PICK(t) (code < (int)(sizeof(t) / sizeof(t[0])) ? t[code] : NULL)
	if (code <= 0 && code >= -6)
		return user[-code];
	if (code == 0x80)
		return "SI_KERNEL";
	switch (signo) {
	case 11: return PICK(segv);
	case 7: return PICK(bus);
	case 4: return PICK(ill);
	case 8: return PICK(fpe);
	case 5: return PICK(trap);
	case 17: return PICK(cld);
	default: return NULL;
	}
#undef PICK
}

static void put_si_head(struct sbuf *b, int signo, int code)
{
	const char *sn = strace_sig_name(signo);
	const char *cn = si_code_name(signo, code);
	if (sn)
		sb_printf(b, "{si_signo=%s, si_code=", sn);
	else
		sb_printf(b, "{si_signo=%d, si_code=", signo);
	if (cn)
		sb_printf(b, "%s", cn);
	else
		sb_printf(b, "%d", code);
}

static bool is_fault_signal(int signo)
{
	return signo == 4 || signo == 7 || signo == 8 || signo == 11 || signo == 5;
}

void put_siginfo_values(struct sbuf *b, int signo, int code, uint64_t addr, int pid, int uid)
{
	put_si_head(b, signo, code);
	if (code <= 0) {
		sb_printf(b, ", si_pid=%d, si_uid=%d", pid, uid);
	} else if (is_fault_signal(signo)) {
		sb_printf(b, ", si_addr=");
		put_addr(b, addr);
	}
	sb_printf(b, "}");
}

void put_siginfo(struct sbuf *b, struct cpu *c, uint64_t la)
{
	uint8_t si[48];
	READ_OR_ADDR(c, la, si);
	int32_t signo, code, pid, uid, status;
	uint64_t addr;
	int64_t ut, st;
	memcpy(&signo, si, 4);
	memcpy(&code, si + 8, 4);
	memcpy(&pid, si + 16, 4);
	memcpy(&uid, si + 20, 4);
	memcpy(&addr, si + 16, 8);
	memcpy(&status, si + 24, 4);
	memcpy(&ut, si + 32, 8);
	memcpy(&st, si + 40, 8);
	if (signo == 17 && code > 0 && code < 0x80)   /* SIGCHLD from the kernel */
		put_siginfo_chld_times(b, code, pid, uid, status, ut, st);
	else
		put_siginfo_values(b, signo, code, addr, pid, uid);
}

void put_siginfo_chld_times(struct sbuf *b, int code, int pid, int uid, int status, int64_t utime,
			    int64_t stime)
{
	put_si_head(b, 17, code);
	sb_printf(b, ", si_pid=%d, si_uid=%d, si_status=", pid, uid);
	const char *sn = code == 1 ? NULL : strace_sig_name(status);
	if (sn)
		sb_printf(b, "%s", sn);
	else
		sb_printf(b, "%d", status);
	sb_printf(b, ", si_utime=%" PRId64 ", si_stime=%" PRId64 "}", utime, stime);
}
