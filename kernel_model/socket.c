/*
 * socket.c - sockets (mirrors net/socket.c, with the parts of
 * net/unix/af_unix.c and net/core/scm.c this kernel needs).
 *
 * A socket is a file of type FT_SOCK whose handle is a host socket held by
 * the host-call device (emu/hostcall/hostcall_net.c): AF_INET, AF_INET6 and
 * AF_UNIX, stream, datagram and (AF_UNIX) seqpacket.  The host socket never
 * blocks; a guest call that has to wait (accept, connect, recv and send on
 * a blocking socket) asks the device whether the socket is ready (LSTAR_HC_POLL)
 * and otherwise sleeps 10 ms and asks again, so other tasks run meanwhile;
 * when none can, the device itself waits, up to the guest's next timer
 * (the way reads of lstar's standard input wait, read_write.c).
 *
 * Data goes through hc_bounce, at most 64 KiB per host call.  Nothing is
 * kept in hc_bounce across a sleep: other tasks use it.
 *
 * What the host cannot carry is kept here, per socket: the AF_UNIX names
 * as the guest gave them (the host may know a socket by another name under
 * --root), the peer's credentials in guest pids and ids (SO_PEERCRED), and
 * descriptors in flight (SCM_RIGHTS): a guest struct file cannot cross the
 * host, so the files wait in scm_inflight[] and only a token travels with
 * the bytes (the device sends it as a control message).  recvmsg that gets
 * the token installs the files in the receiver.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"
#include "signal.h"

#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_INET		2
#define AF_INET6	10
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define SOCK_SEQPACKET	5
#define SOCK_TYPE_MASK	0xf
#define SOCK_NONBLOCK	O_NONBLOCK
#define SOCK_CLOEXEC	O_CLOEXEC

#define MSG_OOB		0x1
#define MSG_PEEK	0x2
#define MSG_DONTROUTE	0x4
#define MSG_CTRUNC	0x8
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_NOSIGNAL	0x4000
#define MSG_MORE	0x8000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SOL_SOCKET	1
#define SO_TYPE		3
#define SO_ERROR	4
#define SO_PASSCRED	16
#define SO_PEERCRED	17
#define SO_RCVTIMEO	20
#define SO_SNDTIMEO	21
#define SO_PROTOCOL	38
#define SO_DOMAIN	39
#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2
#define SCM_MAX_FD	253

#define ENOTSOCK	88
#define EDESTADDRREQ	89
#define EMSGSIZE	90
#define EPROTOTYPE	91
#define ENOPROTOOPT	92
#define EPROTONOSUPPORT	93
#define ESOCKTNOSUPPORT	94
#define EAFNOSUPPORT	97
#define ENOBUFS		105
#define ETOOMANYREFS	109
#define EALREADY	114
#define EINPROGRESS	115
#define EDOM		33

#define SOCK_POLL_NS	10000000ULL	/* how often a waiting socket call asks the host */

struct ucred { int pid; u32 uid, gid; };

struct msghdr {			/* user space's struct msghdr */
	u64 msg_name;
	u32 msg_namelen, pad0;
	u64 msg_iov, msg_iovlen;
	u64 msg_control, msg_controllen;
	int msg_flags, pad1;
};

struct cmsghdr {
	u64 cmsg_len;
	int cmsg_level, cmsg_type;
};
#define CMSG_ALIGN(n)	(((n) + 7) & ~7UL)
#define CMSG_HDR	sizeof(struct cmsghdr)

#define UNIX_NAME_MAX	110	/* sun_family + sun_path */
struct socket {
	bool used;
	int family, type, protocol;
	bool connecting;		/* a connect is under way (EINPROGRESS) */
	bool passcred;			/* SO_PASSCRED */
	bool has_peer;			/* peer: SO_PEERCRED */
	struct ucred peer;
	struct ucred listen_cred;	/* who called listen: a connector's peer */
	u64 rcvtimeo, sndtimeo;		/* SO_RCVTIMEO, SO_SNDTIMEO in ns; 0: none */
	u32 name_len, host_len;		/* AF_UNIX: the bound name, guest's and host's */
	u8 name[UNIX_NAME_MAX], host_name[UNIX_NAME_MAX];
};

#define NR_SOCKETS 256
static struct socket sockets[NR_SOCKETS];
static int nr_unix;		/* open AF_UNIX sockets: none left, nothing in flight */

/* Descriptors passed with SCM_RIGHTS, waiting for a recvmsg. */
#define NR_INFLIGHT 64
#define INFLIGHT_FDS 32
struct scm_inflight {
	u64 token;			/* 0: free */
	int nfds;
	struct file *fp[INFLIGHT_FDS];
	bool has_cred;			/* SCM_CREDENTIALS sent along */
	struct ucred cred;
};
static struct scm_inflight scm_inflight[NR_INFLIGHT];
static u64 next_token = 1;

/* AF_UNIX connections accepted by nobody yet: who connected (for the
 * accepted socket's SO_PEERCRED), in the order they came. */
#define NR_PENDING 64
static struct { struct socket *listener; struct ucred cred; } pending[NR_PENDING];
static int nr_pending;

static DECLARE_WAIT_QUEUE_HEAD(sk_wait);

static struct ucred current_cred(void)
{
	return (struct ucred){ current->tgid, (u32)boot_info.uid, (u32)boot_info.gid };
}

static struct socket *sock_of(struct file *f)
{
	return f && f->type == FT_SOCK ? f->private_data : NULL;
}

/* The socket behind descriptor fd: -EBADF or -ENOTSOCK in *err. */
static struct file *sockfd_lookup(int fd, long *err)
{
	struct file *f = fget(fd);
	*err = !f ? -EBADF : f->type != FT_SOCK ? -ENOTSOCK : 0;
	return *err ? NULL : f;
}

static void inflight_free(struct scm_inflight *e)
{
	int n = e->nfds;
	e->token = 0;
	e->nfds = 0;
	for (int i = 0; i < n; i++)
		fput(e->fp[i]);
}

/* The last AF_UNIX socket closed: whatever is in flight can no longer
 * reach a guest process. */
static void inflight_gc(void)
{
	for (int i = 0; i < NR_INFLIGHT; i++)
		if (scm_inflight[i].token)
			inflight_free(&scm_inflight[i]);
}

void sock_release(struct file *f)
{
	struct socket *sk = f->private_data;
	hostcall(LSTAR_HC_CLOSE, f->handle, 0, 0, 0, 0, 0);
	if (!sk)
		return;
	for (int i = 0; i < nr_pending; i++)
		if (pending[i].listener == sk) {
			memmove(&pending[i], &pending[i + 1], (nr_pending - i - 1) * sizeof(pending[0]));
			nr_pending--, i--;
		}
	sk->used = false;
	if (sk->family == AF_UNIX && --nr_unix == 0)
		inflight_gc();
}

static struct socket *sk_alloc(int family, int type, int protocol)
{
	for (int i = 0; i < NR_SOCKETS; i++) {
		struct socket *sk = &sockets[i];
		if (!sk->used) {
			*sk = (struct socket){ .used = true, .family = family, .type = type,
					       .protocol = protocol };
			if (family == AF_UNIX)
				nr_unix++;
			return sk;
		}
	}
	return NULL;
}

/* A new socket file on host handle h, installed at the lowest free fd. */
static long sock_install(long h, int family, int type, int protocol, int flags,
			 struct socket **skp)
{
	struct socket *sk = sk_alloc(family, type, protocol);
	struct file *f = sk ? alloc_file(FT_SOCK, O_RDWR | (flags & SOCK_NONBLOCK)) : NULL;
	if (!f) {
		if (sk) {
			sk->used = false;
			if (family == AF_UNIX)
				nr_unix--;
		}
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return -ENFILE;
	}
	f->handle = h;
	f->private_data = sk;
	int fd = fd_install_lowest(f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		fput(f);
	else if (skp)
		*skp = sk;
	return fd;
}

/*
 * Wait until the host socket has one of `events` (or an error or hang-up,
 * which the next call reports).  0 when it has; -EAGAIN when the deadline
 * (0: none) passed; -ERESTARTSYS for a signal, -EINTR if a timeout was
 * set (Linux's sock_intr_errno).
 */
static long sock_wait(struct file *f, short events, u64 deadline)
{
	static struct lstar_hc_pollfd h;
	for (;;) {
		h = (struct lstar_hc_pollfd){ f->handle, events, 0 };
		long ms = poll_host_wait_ms(deadline);
		long r = hostcall(LSTAR_HC_POLL, hc_pa(&h), 1, ms, 0, 0, 0);
		if (r != 0)
			return 0;
		u64 now = now_ns();
		if (deadline && now >= deadline)
			return -EAGAIN;
		if (ms < 0)
			continue;
		u64 wake = now + SOCK_POLL_NS;
		if (deadline && deadline < wake)
			wake = deadline;
		r = sleep_on_wq(&sk_wait, "sk_wait_data", wake, true);
		if (r == -ERESTARTSYS)
			return deadline ? -EINTR : -ERESTARTSYS;
	}
}

static u64 sock_deadline(u64 timeo)
{
	return timeo ? now_ns() + timeo : 0;
}

/* Linux's access_ok: the range lies in user space (whether it is mapped
 * is found out when it is used). */
static bool access_ok(u64 addr, u64 len)
{
	return addr + len >= addr && addr + len <= TASK_SIZE_MAX;
}

/* ---- addresses ---- */

static struct lstar_hc_sockaddr kaddr;	/* used between sleeps only */

/* A user address into kaddr: EINVAL for a bad length, EFAULT. */
static long move_addr_to_kernel(const void __user *uaddr, int len)
{
	if (len < 0 || len > LSTAR_HC_SOCKADDR_MAX)
		return -EINVAL;
	memset(&kaddr, 0, sizeof(kaddr));
	if (len && copy_from_user(kaddr.addr, uaddr, len))
		return -EFAULT;
	kaddr.len = len;
	return 0;
}

/* Check an address against the socket's family, as the protocols do. */
static long addr_check(struct socket *sk, bool connect)
{
	u16 fam = kaddr.len >= 2 ? kaddr.addr[0] | kaddr.addr[1] << 8 : 0xffff;
	if (fam == AF_UNSPEC && connect && kaddr.len >= 2)
		return 0;		/* dissolve the association */
	switch (sk->family) {
	case AF_INET:
		if (kaddr.len < 16)
			return -EINVAL;
		/* AF_UNSPEC: the host applies Linux's rules (bind to
		 * INADDR_ANY, connect to dissolve) */
		return fam == AF_INET || fam == AF_UNSPEC ? 0 : -EAFNOSUPPORT;
	case AF_INET6:
		if (kaddr.len < 24)
			return -EINVAL;
		return fam == AF_INET6 || fam == AF_UNSPEC ? 0 : -EAFNOSUPPORT;
	default:
		if (kaddr.len < 2 || kaddr.len > UNIX_NAME_MAX || fam != AF_UNIX)
			return -EINVAL;
		if (connect && kaddr.len == 2)
			return -EINVAL;
		return 0;
	}
}

/* The length of an AF_UNIX name as Linux counts it: a path ends at its
 * first NUL (plus the NUL), an abstract name is all of it. */
static u32 unix_len(const u8 *a, u32 len)
{
	if (len <= 2 || a[2] == 0)
		return len;
	u32 n = 2;
	while (n < len && a[n])
		n++;
	return n < len ? n + 1 : len;
}

/* An AF_UNIX address the host reported, in kaddr: if it is the host's name
 * of a guest-bound socket, the guest's name for it. */
static void unix_addr_to_guest(void)
{
	if (kaddr.len <= 2 || (kaddr.addr[0] | kaddr.addr[1] << 8) != AF_UNIX)
		return;
	u32 n = unix_len(kaddr.addr, kaddr.len);
	for (int i = 0; i < NR_SOCKETS; i++) {
		struct socket *s = &sockets[i];
		if (s->used && s->family == AF_UNIX && s->host_len &&
		    unix_len(s->host_name, s->host_len) == n && !memcmp(s->host_name, kaddr.addr, n)) {
			kaddr.len = s->name_len;
			memcpy(kaddr.addr, s->name, s->name_len);
			return;
		}
	}
}

/* kaddr out to user space (uaddr, *ulen in and out), truncated as Linux
 * does while the length written back is the full one. */
static long move_addr_to_user(void __user *uaddr, int __user *ulen)
{
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	u32 n = MIN((u32)len, kaddr.len);
	if (n && copy_to_user(uaddr, kaddr.addr, n))
		return -EFAULT;
	len = kaddr.len;
	return copy_to_user(ulen, &len, sizeof(len)) ? -EFAULT : 0;
}

/* ---- creating ---- */

static long check_type(int family, int type, int protocol)
{
	if (family != AF_UNIX && family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	int t = type & SOCK_TYPE_MASK;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET)
		return t == SOCK_RAW || t == 4 || t == 10 ? -ESOCKTNOSUPPORT : -EINVAL;
	if (family != AF_UNIX && t == SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (family == AF_UNIX && protocol != 0 && protocol != 1)
		return -EPROTONOSUPPORT;
	if (protocol < 0 || protocol > 255)
		return -EPROTONOSUPPORT;
	return 0;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	long err = check_type(family, type, protocol);
	if (err)
		return err;
	int t = type & SOCK_TYPE_MASK;
	long h = hostcall(LSTAR_HC_SOCKET, family, t, protocol, 0, 0, 0);
	if (h < 0)
		return h;
	return sock_install(h, family, t, protocol, type, NULL);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, int __user *, usv)
{
	static int32_t hv[2];
	long err = check_type(family, type, protocol);
	if (err)
		return err;
	if (family != AF_UNIX)
		return -EOPNOTSUPP;
	int t = type & SOCK_TYPE_MASK;
	err = hostcall(LSTAR_HC_SOCKETPAIR, family, t, protocol, hc_pa(hv), 0, 0);
	if (err < 0)
		return err;
	long h1 = hv[1];
	struct socket *s0 = NULL, *s1 = NULL;
	long fd0 = sock_install(hv[0], family, t, protocol, type, &s0);
	if (fd0 < 0) {
		hostcall(LSTAR_HC_CLOSE, h1, 0, 0, 0, 0, 0);
		return fd0;
	}
	long fd1 = sock_install(h1, family, t, protocol, type, &s1);
	if (fd1 < 0) {
		close_fd(fd0);
		return fd1;
	}
	s0->peer = s1->peer = current_cred();
	s0->has_peer = s1->has_peer = true;
	int sv[2] = { (int)fd0, (int)fd1 };
	if (copy_to_user(usv, sv, sizeof(sv))) {
		close_fd(fd0);
		close_fd(fd1);
		return -EFAULT;
	}
	return 0;
}

/* ---- naming, connecting ---- */

SYSCALL_DEFINE3(bind, int, fd, void __user *, uaddr, int, addrlen)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if ((err = move_addr_to_kernel(uaddr, addrlen)) || (err = addr_check(sk, false)))
		return err;
	u32 glen = kaddr.len;
	u8 gname[UNIX_NAME_MAX];
	memcpy(gname, kaddr.addr, MIN(glen, (u32)UNIX_NAME_MAX));
	err = hostcall(LSTAR_HC_BIND, f->handle, hc_pa(&kaddr), 0, 0, 0, 0);
	if (err < 0 || sk->family != AF_UNIX)
		return err;
	sk->host_len = MIN(kaddr.len, (u32)UNIX_NAME_MAX);
	memcpy(sk->host_name, kaddr.addr, sk->host_len);
	sk->name_len = unix_len(gname, glen);
	memcpy(sk->name, gname, sk->name_len);
	if (glen == 2) {		/* autobind: the host's name is the name */
		sk->name_len = sk->host_len;
		memcpy(sk->name, sk->host_name, sk->host_len);
	}
	return 0;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if (sk->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	err = hostcall(LSTAR_HC_LISTEN, f->handle, backlog < 0 ? 0 : backlog, 0, 0, 0, 0);
	if (!err)
		sk->listen_cred = current_cred();
	return err;
}

/* A connected AF_UNIX stream: who is at the other end (a guest listener
 * we know by its host name), and leave our credentials for its accept. */
static void unix_connected(struct file *f, struct socket *sk)
{
	if (sk->type == SOCK_DGRAM)
		return;
	if (hostcall(LSTAR_HC_SOCKNAME, f->handle, hc_pa(&kaddr), 1, 0, 0, 0) < 0)
		return;
	u32 n = unix_len(kaddr.addr, kaddr.len);
	for (int i = 0; i < NR_SOCKETS; i++) {
		struct socket *l = &sockets[i];
		if (l->used && l != sk && l->family == AF_UNIX && l->host_len &&
		    unix_len(l->host_name, l->host_len) == n &&
		    !memcmp(l->host_name, kaddr.addr, n)) {
			sk->peer = l->listen_cred;
			sk->has_peer = true;
			if (nr_pending < NR_PENDING)
				pending[nr_pending++] = (typeof(pending[0])){ l, current_cred() };
			return;
		}
	}
}

SYSCALL_DEFINE3(connect, int, fd, void __user *, uaddr, int, addrlen)
{
	long err;
	if (!fget(fd))
		return -EBADF;
	if ((err = move_addr_to_kernel(uaddr, addrlen)))	/* before ENOTSOCK, as Linux */
		return err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if ((err = addr_check(sk, true)))
		return err;
	bool nonblock = f->f_flags & O_NONBLOCK;
	struct lstar_hc_sockaddr addr = kaddr;	/* kaddr is not ours across a sleep */
	u64 deadline = sock_deadline(sk->sndtimeo);
	for (;;) {
		kaddr = addr;
		err = hostcall(LSTAR_HC_CONNECT, f->handle, hc_pa(&kaddr), 0, 0, 0, 0);
		if (err == -EINPROGRESS)
			sk->connecting = true;
		else if (!(err == -EALREADY && sk->connecting))
			break;
		if (nonblock)
			return err;
		/* Wait for the outcome; the host's connect, asked again,
		 * then tells it (0, or why it failed), as on Linux. */
		long w = sock_wait(f, POLLOUT, deadline);
		if (w)
			return w == -EAGAIN ? -EINPROGRESS : w;
	}
	sk->connecting = false;
	if (!err && sk->family == AF_UNIX)
		unix_connected(f, sk);
	return err;
}

static long do_accept(int fd, void __user *uaddr, int __user *ulen, int flags)
{
	long err;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if (sk->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	u64 deadline = sock_deadline(sk->rcvtimeo);
	long h;
	for (;;) {
		h = hostcall(LSTAR_HC_ACCEPT, f->handle, hc_pa(&kaddr), 0, 0, 0, 0);
		if (h != -EAGAIN || (f->f_flags & O_NONBLOCK))
			break;
		if ((err = sock_wait(f, POLLIN, deadline)))
			return err;
	}
	if (h < 0)
		return h;
	if (sk->family == AF_UNIX)
		unix_addr_to_guest();
	struct socket *nsk = NULL;
	long nfd = sock_install(h, sk->family, sk->type, sk->protocol, flags, &nsk);
	if (nfd < 0)
		return nfd;
	if (sk->family == AF_UNIX) {
		for (int i = 0; i < nr_pending; i++)
			if (pending[i].listener == sk) {
				nsk->peer = pending[i].cred;
				nsk->has_peer = true;
				memmove(&pending[i], &pending[i + 1],
					(nr_pending - i - 1) * sizeof(pending[0]));
				nr_pending--;
				break;
			}
		nsk->name_len = sk->name_len;
		memcpy(nsk->name, sk->name, sk->name_len);
	}
	if (uaddr && (err = move_addr_to_user(uaddr, ulen))) {
		close_fd(nfd);
		return err;
	}
	return nfd;
}

SYSCALL_DEFINE3(accept, int, fd, void __user *, uaddr, int __user *, ulen)
{
	return do_accept(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE4(accept4, int, fd, void __user *, uaddr, int __user *, ulen, int, flags)
{
	return do_accept(fd, uaddr, ulen, flags);
}

static long do_getname(int fd, void __user *uaddr, int __user *ulen, int peer)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	/* The protocol answers first (ENOTCONN), then the user's length
	 * is read (move_addr_to_user), as in Linux. */
	err = hostcall(LSTAR_HC_SOCKNAME, f->handle, hc_pa(&kaddr), peer, 0, 0, 0);
	if (err < 0)
		return err;
	if (sk->family == AF_UNIX) {
		if (!peer && sk->name_len) {
			kaddr.len = sk->name_len;
			memcpy(kaddr.addr, sk->name, sk->name_len);
		} else {
			unix_addr_to_guest();
		}
	}
	return move_addr_to_user(uaddr, ulen);
}

SYSCALL_DEFINE3(getsockname, int, fd, void __user *, uaddr, int __user *, ulen)
{
	return do_getname(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE3(getpeername, int, fd, void __user *, uaddr, int __user *, ulen)
{
	return do_getname(fd, uaddr, ulen, 1);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	if (how < 0 || how > 2)
		return -EINVAL;
	err = hostcall(LSTAR_HC_SHUTDOWN, f->handle, how, 0, 0, 0, 0);
	wake_up(&pipe_poll_wait);
	return err;
}

/* ---- options ---- */

struct timeval_k { long tv_sec, tv_usec; };

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, optname, void __user *, optval,
		int, optlen)
{
	static u8 val[64];
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if (sk->family == AF_UNIX && level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (optlen < 0 || (level == SOL_SOCKET && optlen < 4))
		return -EINVAL;
	int n = MIN(optlen, (int)sizeof(val));
	memset(val, 0, sizeof(val));
	if (n && copy_from_user(val, optval, n))
		return -EFAULT;
	if (level == SOL_SOCKET) {
		switch (optname) {
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			struct timeval_k tv;
			if (optlen < (int)sizeof(tv))
				return -EINVAL;
			memcpy(&tv, val, sizeof(tv));
			if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
				return -EDOM;
			u64 ns = tv.tv_sec < 0 ? 0 : (u64)tv.tv_sec * 1000000000ULL +
							(u64)tv.tv_usec * 1000;
			*(optname == SO_RCVTIMEO ? &sk->rcvtimeo : &sk->sndtimeo) = ns;
			return 0;
		}
		case SO_PASSCRED:
			if (optlen < 4)
				return -EINVAL;
			sk->passcred = *(int *)val != 0;
			return 0;
		case SO_PEERCRED:
		case SO_TYPE: case SO_ERROR: case SO_PROTOCOL: case SO_DOMAIN:
			return -ENOPROTOOPT;
		}
	}
	return hostcall(LSTAR_HC_SOCKOPT, f->handle, level, optname, hc_pa(val), n, 1);
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, optname, void __user *, optval,
		int __user *, optlen)
{
	static u8 val[64];
	long err;
	int len, n = 4;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	if (sk->family == AF_UNIX && level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (copy_from_user(&len, optlen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	memset(val, 0, sizeof(val));
	if (level == SOL_SOCKET && (optname == SO_RCVTIMEO || optname == SO_SNDTIMEO)) {
		u64 ns = optname == SO_RCVTIMEO ? sk->rcvtimeo : sk->sndtimeo;
		struct timeval_k tv = { (long)(ns / 1000000000ULL), (long)(ns % 1000000000ULL / 1000) };
		memcpy(val, &tv, sizeof(tv));
		n = sizeof(tv);
	} else if (level == SOL_SOCKET && optname == SO_PASSCRED) {
		*(int *)val = sk->passcred;
	} else if (level == SOL_SOCKET && optname == SO_PEERCRED) {
		struct ucred c = sk->has_peer ? sk->peer : (struct ucred){ 0, 65534, 65534 };
		memcpy(val, &c, sizeof(c));
		n = sizeof(c);
	} else if (level == SOL_SOCKET && optname == SO_TYPE) {
		*(int *)val = sk->type;
	} else if (level == SOL_SOCKET && optname == SO_DOMAIN) {
		*(int *)val = sk->family;
	} else if (level == SOL_SOCKET && optname == SO_PROTOCOL) {
		*(int *)val = sk->protocol ? sk->protocol
			    : sk->family == AF_UNIX ? 0 : sk->type == SOCK_STREAM ? 6 : 17;
	} else {
		long r = hostcall(LSTAR_HC_SOCKOPT, f->handle, level, optname, hc_pa(val),
				  sizeof(val), 0);
		if (r < 0)
			return r;
		n = r;
	}
	n = MIN(n, len);
	if (copy_to_user(optval, val, n) || copy_to_user(optlen, &n, sizeof(n)))
		return -EFAULT;
	return 0;
}

/* ---- moving data ---- */

/* An I/O vector: the user's (read entry by entry with copy_from_user),
 * or one entry the kernel made for send, recv, read and write. */
struct iov_src {
	const struct iovec __user *uiov;
	const struct iovec *kiov;
	u64 nr;
};

static long iov_get(const struct iov_src *src, u64 i, struct iovec *v)
{
	if (src->kiov) {
		*v = src->kiov[i];
		return 0;
	}
	return copy_from_user(v, &src->uiov[i], sizeof(*v)) ? -EFAULT : 0;
}

/* Copy between a kernel buffer and the vector, starting `off` bytes
 * into it. */
static long iov_copy(const struct iov_src *src, u64 off, void *kbuf, u64 len, bool to_user)
{
	u64 done = 0;
	for (u64 i = 0; i < src->nr && done < len; i++) {
		struct iovec v;
		if (iov_get(src, i, &v))
			return -EFAULT;
		if (off >= v.iov_len) {
			off -= v.iov_len;
			continue;
		}
		u64 n = MIN(v.iov_len - off, len - done);
		long r = to_user ? copy_to_user((void *)(v.iov_base + off), (u8 *)kbuf + done, n)
				 : copy_from_user((u8 *)kbuf + done, (void *)(v.iov_base + off), n);
		if (r)
			return -EFAULT;
		done += n;
		off = 0;
	}
	return done;
}

static long iov_total(const struct iov_src *src, u64 *total)
{
	*total = 0;
	if (src->nr > 1024)
		return -EMSGSIZE;
	for (u64 i = 0; i < src->nr; i++) {
		struct iovec v;
		if (iov_get(src, i, &v))
			return -EFAULT;
		if ((s64)v.iov_len < 0 || *total + v.iov_len < *total)
			return -EINVAL;
		if (!access_ok(v.iov_base, v.iov_len))
			return -EFAULT;
		*total += v.iov_len;
	}
	return 0;
}

/* What sendmsg was asked to do, with a user iovec (or one kernel-made
 * entry for send and write). */
struct sock_io {
	struct iov_src iov;
	u64 total;
	bool has_addr;			/* the address is in kaddr */
	struct scm_inflight *scm;	/* descriptors to pass, or NULL */
};

static long sock_sendmsg(struct file *f, struct sock_io *io, int flags)
{
	struct socket *sk = sock_of(f);
	bool stream = sk->type == SOCK_STREAM;
	bool nonblock = (f->f_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	u64 deadline = sock_deadline(sk->sndtimeo), done = 0;
	static struct lstar_hc_sockaddr to;	/* the device reads it from here */
	struct lstar_hc_sockaddr dest;	/* kaddr and `to` are not ours across a sleep */
	long r = 0;

	if (io->has_addr)
		dest = kaddr;
	if (!stream && io->total > HC_BOUNCE_SIZE)
		r = -EMSGSIZE;
	while (!r && (done < io->total || (!done && !io->total))) {
		u64 chunk = MIN(io->total - done, (u64)HC_BOUNCE_SIZE);
		r = iov_copy(&io->iov, done, hc_bounce, chunk, false);
		if (r < 0) {
			/* Linux finds a broken or unconnected stream before
			 * it touches the data: ask the host with no bytes. */
			if (stream && !done) {
				if (io->has_addr)
					to = dest;
				long st = hostcall(LSTAR_HC_SENDMSG, f->handle, hc_pa(hc_bounce), 0, 0,
						   io->has_addr ? hc_pa(&to) : 0, 0);
				if (st < 0 && st != -EAGAIN)
					r = st;
			}
			break;
		}
		if (io->has_addr)
			to = dest;
		r = hostcall(LSTAR_HC_SENDMSG, f->handle, hc_pa(hc_bounce), chunk,
			     flags & (MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_MORE),
			     io->has_addr ? hc_pa(&to) : 0, io->scm ? io->scm->token : 0);
		if (r == -EAGAIN && !nonblock) {
			r = sock_wait(f, POLLOUT, deadline);
			continue;
		}
		if (r < 0)
			break;
		io->scm = NULL;		/* sent with the first bytes */
		done += r;
		r = 0;
		if (!stream || !io->total)
			break;
	}
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig_self(SIGPIPE, 0);
	if (done)
		return done;
	return r;
}

/* Fill the inflight entry from user control messages (SCM_RIGHTS,
 * SCM_CREDENTIALS), as Linux's __scm_send. */
static long scm_send(struct socket *sk, const struct msghdr *m, struct scm_inflight **out)
{
	static u8 cbuf[20480];		/* Linux's default optmem_max */
	*out = NULL;
	if (!m->msg_controllen)
		return 0;
	if (m->msg_controllen > sizeof(cbuf))
		return -ENOBUFS;
	if (copy_from_user(cbuf, (void *)m->msg_control, m->msg_controllen))
		return -EFAULT;
	struct scm_inflight *e = NULL;
	for (int i = 0; i < NR_INFLIGHT && !e; i++)
		if (!scm_inflight[i].token)
			e = &scm_inflight[i];
	if (!e)
		return -ETOOMANYREFS;
	*e = (struct scm_inflight){ 0 };
	u64 off = 0;
	long err = 0;
	while (off + CMSG_HDR <= m->msg_controllen) {
		struct cmsghdr *c = (struct cmsghdr *)(cbuf + off);
		if (c->cmsg_len < CMSG_HDR || c->cmsg_len > m->msg_controllen - off) {
			err = -EINVAL;
			break;
		}
		u64 dlen = c->cmsg_len - CMSG_HDR;
		const u8 *data = cbuf + off + CMSG_HDR;
		if (c->cmsg_level != SOL_SOCKET || sk->family != AF_UNIX) {
			err = -EINVAL;
			break;
		}
		if (c->cmsg_type == SCM_RIGHTS) {
			int n = dlen / sizeof(int);
			if (n <= 0 || n > SCM_MAX_FD) {
				err = -EINVAL;
				break;
			}
			if (e->nfds + n > INFLIGHT_FDS) {
				err = -ETOOMANYREFS;
				break;
			}
			for (int i = 0; i < n; i++) {
				struct file *fp = fget(((const int *)data)[i]);
				if (!fp) {
					err = -EBADF;
					break;
				}
				fp->f_count++;
				e->fp[e->nfds++] = fp;
			}
			if (err)
				break;
		} else if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cr;
			if (dlen != sizeof(cr)) {
				err = -EINVAL;
				break;
			}
			memcpy(&cr, data, sizeof(cr));
			struct ucred me = current_cred();
			if (cr.pid != me.pid || cr.uid != me.uid || cr.gid != me.gid) {
				err = -EPERM;
				break;
			}
			e->cred = cr;
			e->has_cred = true;
		} else {
			err = -EINVAL;
			break;
		}
		off += CMSG_ALIGN(c->cmsg_len);
	}
	if (err || (!e->nfds && !e->has_cred)) {
		inflight_free(e);
		return err;
	}
	e->token = next_token++;
	*out = e;
	return 0;
}

static long do_sendmsg(int fd, struct msghdr *m, struct iov_src iov, int flags, bool has_addr)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	struct socket *sk = sock_of(f);
	struct sock_io io = { .iov = iov };
	if (has_addr && (err = move_addr_to_kernel((void *)m->msg_name, m->msg_namelen)))
		return err;
	if ((err = iov_total(&iov, &io.total)))
		return err;
	if ((err = scm_send(sk, m, &io.scm)))
		return err;
	struct scm_inflight *scm = io.scm;
	if (has_addr && sk->type != SOCK_STREAM) {
		if ((err = addr_check(sk, true))) {
			if (scm)
				inflight_free(scm);
			return err;
		}
		io.has_addr = true;
	} else if (has_addr && sk->family == AF_UNIX) {
		io.has_addr = true;	/* the host answers EISCONN or EOPNOTSUPP */
	}
	long r = sock_sendmsg(f, &io, flags);
	if (scm && io.scm)		/* never sent */
		inflight_free(scm);
	return r;
}

SYSCALL_DEFINE6(sendto, int, fd, void __user *, buf, unsigned long, len, unsigned int, flags,
		void __user *, uaddr, int, addrlen)
{
	struct iovec v = { (u64)buf, len };
	struct msghdr m = { .msg_name = (u64)uaddr, .msg_namelen = uaddr ? addrlen : 0 };
	if (!access_ok((u64)buf, len))
		return -EFAULT;
	return do_sendmsg(fd, &m, (struct iov_src){ .kiov = &v, .nr = 1 }, flags, uaddr != NULL);
}

SYSCALL_DEFINE3(sendmsg, int, fd, struct msghdr __user *, umsg, unsigned int, flags)
{
	struct msghdr m;
	long err;
	if (!sockfd_lookup(fd, &err))
		return err;
	if (copy_from_user(&m, umsg, sizeof(m)))
		return -EFAULT;
	if ((int)m.msg_namelen < 0)
		return -EINVAL;
	m.msg_namelen = MIN(m.msg_namelen, (u32)LSTAR_HC_SOCKADDR_MAX);
	return do_sendmsg(fd, &m, (struct iov_src){ .uiov = (const struct iovec *)m.msg_iov,
						    .nr = m.msg_iovlen }, flags,
			  m.msg_name && m.msg_namelen);
}

/* Control messages out: the passed descriptors and credentials that came
 * with the token, into the user's buffer (as Linux's scm_recv). */
static long scm_recv(struct socket *sk, u64 token, struct msghdr *m, int flags, bool peek)
{
	static u8 cbuf[CMSG_HDR + SCM_MAX_FD * sizeof(int) + 64];
	u64 room = m->msg_controllen, used = 0;
	struct scm_inflight *e = NULL;
	for (int i = 0; token && i < NR_INFLIGHT && !e; i++)
		if (scm_inflight[i].token == token)
			e = &scm_inflight[i];
	if (sk->passcred) {
		struct ucred c = e && e->has_cred ? e->cred
			       : sk->has_peer ? sk->peer : (struct ucred){ 0, 65534, 65534 };
		u64 need = CMSG_HDR + sizeof(c);
		if (room - used < need) {
			m->msg_flags |= MSG_CTRUNC;
		} else {
			struct cmsghdr h = { need, SOL_SOCKET, SCM_CREDENTIALS };
			memcpy(cbuf, &h, sizeof(h));
			memcpy(cbuf + CMSG_HDR, &c, sizeof(c));
			if (copy_to_user((void *)m->msg_control, cbuf, need))
				return -EFAULT;
			used = MIN(CMSG_ALIGN(need), room);
		}
	}
	if (e && e->nfds) {
		int fit = room - used < CMSG_HDR ? 0 : (int)MIN((room - used - CMSG_HDR) / sizeof(int),
								(u64)e->nfds);
		int n = 0;
		for (; n < fit; n++) {
			struct file *fp = e->fp[n];
			int nfd = fd_install_lowest(fp, 0, flags & MSG_CMSG_CLOEXEC);
			if (nfd < 0)
				break;
			fp->f_count++;		/* the descriptor's reference */
			((int *)(cbuf + CMSG_HDR))[n] = nfd;
		}
		if (n < e->nfds)
			m->msg_flags |= MSG_CTRUNC;
		if (n) {
			u64 clen = CMSG_HDR + n * sizeof(int);
			struct cmsghdr h = { clen, SOL_SOCKET, SCM_RIGHTS };
			memcpy(cbuf, &h, sizeof(h));
			if (copy_to_user((void *)(m->msg_control + used), cbuf, clen))
				return -EFAULT;
			used += MIN(CMSG_ALIGN(clen), room - used);
		}
	}
	if (e && !peek)
		inflight_free(e);	/* the installed files keep their own references */
	m->msg_controllen = used;
	return 0;
}

/* Receive into a user iovec; the source address (if any) is left in
 * kaddr, msg_flags and control messages in *m. */
static long sock_recvmsg(struct file *f, const struct iov_src *iov, u64 total, int flags,
			 struct msghdr *m)
{
	struct socket *sk = sock_of(f);
	bool stream = sk->type == SOCK_STREAM;
	bool nonblock = (f->f_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	u64 deadline = sock_deadline(sk->rcvtimeo), done = 0;
	static struct lstar_hc_sockaddr from;	/* the device writes them here */
	static u64 token;
	struct lstar_hc_sockaddr src = { 0 };	/* ours across a sleep */
	u64 msg_token = 0;
	long r;

	m->msg_flags = flags & MSG_CMSG_CLOEXEC;	/* Linux hands this one back */
	for (;;) {
		u64 chunk = MIN(total - done, (u64)HC_BOUNCE_SIZE);
		/* A datagram longer than the buffer is cut (MSG_TRUNC): the
		 * host needs a place for the whole of it to say so. */
		u64 ask = stream ? chunk : HC_BOUNCE_SIZE;
		token = 0;
		r = hostcall(LSTAR_HC_RECVMSG, f->handle, hc_pa(hc_bounce), ask,
			     flags & (MSG_PEEK | MSG_OOB | (stream ? 0 : MSG_TRUNC)),
			     hc_pa(&from), hc_pa(&token));
		if (r == -EAGAIN && !nonblock && (!done || (flags & MSG_WAITALL))) {
			long err = sock_wait(f, POLLIN, deadline);
			if (err)
				return done ? (long)done : err;
			continue;
		}
		if (r < 0)
			break;
		src = from;
		if (token)
			msg_token = token;
		u64 got = MIN((u64)r, chunk);
		if (got) {
			long c = iov_copy(iov, done, hc_bounce, got, true);
			if (c < 0)
				return done ? (long)done : c;
		}
		if (!stream) {
			m->msg_flags |= from.flags & (MSG_TRUNC | MSG_EOR);
			if ((u64)r > chunk)
				m->msg_flags |= MSG_TRUNC;
			done = (flags & MSG_TRUNC) ? (u64)r : got;
			break;
		}
		done += got;
		if (!r || done >= total || (flags & MSG_PEEK) || token)
			break;
		/* More may be waiting: take it without waiting, unless
		 * MSG_WAITALL asks for all of it. */
		if (flags & MSG_WAITALL)
			continue;
		if ((u64)r < chunk)
			break;
	}
	if (r < 0 && !done) {
		if (r == -EAGAIN && !nonblock)
			r = -EAGAIN;
		return r;
	}
	kaddr = src;
	if (m->msg_control || msg_token || sk->passcred) {
		long err = scm_recv(sk, msg_token, m, flags, flags & MSG_PEEK);
		if (err)
			return err;
	}
	return done;
}

static long do_recvmsg(int fd, struct msghdr *m, struct iov_src iov, int flags,
		       void __user *uaddr, int __user *ulen)
{
	long err;
	struct file *f = sockfd_lookup(fd, &err);
	if (!f)
		return err;
	u64 total;
	if ((err = iov_total(&iov, &total)))
		return err;
	long r = sock_recvmsg(f, &iov, total, flags, m);
	if (r < 0)
		return r;
	if (sock_of(f)->family == AF_UNIX)
		unix_addr_to_guest();
	if (m) {
		m->msg_namelen = MIN(m->msg_namelen, kaddr.len);
		if (m->msg_name && m->msg_namelen &&
		    copy_to_user((void *)m->msg_name, kaddr.addr, m->msg_namelen))
			return -EFAULT;
		m->msg_namelen = kaddr.len;
	}
	if (uaddr && (err = move_addr_to_user(uaddr, ulen)))
		return err;
	return r;
}

SYSCALL_DEFINE6(recvfrom, int, fd, void __user *, buf, unsigned long, len, unsigned int, flags,
		void __user *, uaddr, int __user *, ulen)
{
	struct iovec v = { (u64)buf, len };
	struct msghdr m = { 0 };
	if (!access_ok((u64)buf, len))
		return -EFAULT;
	return do_recvmsg(fd, &m, (struct iov_src){ .kiov = &v, .nr = 1 }, flags, uaddr, ulen);
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct msghdr __user *, umsg, unsigned int, flags)
{
	struct msghdr m;
	long err;
	if (!sockfd_lookup(fd, &err))
		return err;
	if (copy_from_user(&m, umsg, sizeof(m)))
		return -EFAULT;
	if ((int)m.msg_namelen < 0)
		return -EINVAL;
	long r = do_recvmsg(fd, &m, (struct iov_src){ .uiov = (const struct iovec *)m.msg_iov,
						      .nr = m.msg_iovlen }, flags, NULL, NULL);
	if (r < 0)
		return r;
	if (copy_to_user(&umsg->msg_namelen, &m.msg_namelen, sizeof(m.msg_namelen)) ||
	    copy_to_user(&umsg->msg_controllen, &m.msg_controllen, sizeof(m.msg_controllen)) ||
	    copy_to_user(&umsg->msg_flags, &m.msg_flags, sizeof(m.msg_flags)))
		return -EFAULT;
	return r;
}

/* sendmmsg and recvmmsg: the single-message calls in a loop.  A failure
 * after the first message ends the loop with the count so far. */
struct mmsghdr {
	struct msghdr msg_hdr;
	u32 msg_len, pad;
};
#define MSG_WAITFORONE	0x10000

SYSCALL_DEFINE4(sendmmsg, int, fd, struct mmsghdr __user *, vec, unsigned int, vlen,
		unsigned int, flags)
{
	long err;
	if (!sockfd_lookup(fd, &err))
		return err;
	if (vlen > 1024)
		vlen = 1024;
	unsigned int i;
	for (i = 0; i < vlen; i++) {
		struct msghdr m;
		if (copy_from_user(&m, &vec[i].msg_hdr, sizeof(m))) {
			err = -EFAULT;
			break;
		}
		err = m.msg_iovlen > 1024 ? -EMSGSIZE
		    : do_sendmsg(fd, &m, (struct iov_src){ .uiov = (const struct iovec *)m.msg_iov,
							   .nr = m.msg_iovlen }, flags,
				 m.msg_name && m.msg_namelen);
		if (err < 0)
			break;
		u32 len = err;
		if (copy_to_user(&vec[i].msg_len, &len, sizeof(len))) {
			err = -EFAULT;
			break;
		}
	}
	return i ? (long)i : err;
}

SYSCALL_DEFINE5(recvmmsg, int, fd, struct mmsghdr __user *, vec, unsigned int, vlen,
		unsigned int, flags, void __user *, timeout)
{
	(void)timeout;		/* each message waits as recvmsg does */
	long err;
	if (!sockfd_lookup(fd, &err))
		return err;
	if (vlen > 1024)
		vlen = 1024;
	unsigned int i;
	for (i = 0; i < vlen; i++) {
		struct msghdr m;
		if (copy_from_user(&m, &vec[i].msg_hdr, sizeof(m))) {
			err = -EFAULT;
			break;
		}
		if (m.msg_iovlen > 1024 || (int)m.msg_namelen < 0) {
			err = m.msg_iovlen > 1024 ? -EMSGSIZE : -EINVAL;
			break;
		}
		err = do_recvmsg(fd, &m, (struct iov_src){ .uiov = (const struct iovec *)m.msg_iov,
							.nr = m.msg_iovlen },
				 flags & ~MSG_WAITFORONE, NULL, NULL);
		if (err < 0)
			break;
		u32 len = err;
		if (copy_to_user(&vec[i].msg_len, &len, sizeof(len)) ||
		    copy_to_user(&vec[i].msg_hdr.msg_namelen, &m.msg_namelen, sizeof(m.msg_namelen)) ||
		    copy_to_user(&vec[i].msg_hdr.msg_controllen, &m.msg_controllen,
				 sizeof(m.msg_controllen)) ||
		    copy_to_user(&vec[i].msg_hdr.msg_flags, &m.msg_flags, sizeof(m.msg_flags))) {
			err = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return i ? (long)i : err;
}

/*
 * sendfile from a host file to a socket: a chunk at a time through
 * hc_bounce.  A blocking socket is waited for before the chunk is read, so
 * nothing read sits in hc_bounce across a sleep; what the socket did not
 * take goes back to the file (its offset moves back) for the next round.
 * pos: the offset to read at (advanced), or NULL for the file's own.
 */
long sock_sendfile(struct file *out, struct file *in, long *pos, u64 count)
{
	struct socket *sk = sock_of(out);
	bool nonblock = out->f_flags & O_NONBLOCK;
	u64 deadline = sock_deadline(sk->sndtimeo), done = 0;
	long err = 0;
	while (done < count) {
		if (!nonblock && (err = sock_wait(out, POLLOUT, deadline)))
			break;
		u64 chunk = MIN(count - done, (u64)HC_BOUNCE_SIZE);
		long r = pos ? hostcall(LSTAR_HC_PREAD, in->handle, hc_pa(hc_bounce), chunk, *pos, 0, 0)
			     : hostcall(LSTAR_HC_READ, in->handle, hc_pa(hc_bounce), chunk, 0, 0, 0);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = hostcall(LSTAR_HC_SENDMSG, out->handle, hc_pa(hc_bounce), r, 0, 0, 0);
		if (!pos && w < r)	/* give back what was not sent */
			hostcall(LSTAR_HC_LSEEK, in->handle, -(r - (w > 0 ? w : 0)), SEEK_CUR, 0, 0, 0);
		if (w == -EAGAIN && !nonblock)
			continue;
		if (w < 0) {
			err = w;
			break;
		}
		done += w;
		if (pos)
			*pos += w;
		if (w < r && nonblock)
			break;
	}
	if (err == -EPIPE)
		send_sig_self(SIGPIPE, 0);
	return done ? (long)done : err;
}

/* ---- the file operations: read, write, readv, writev, ioctl ---- */

/* readv and writev on a socket: one message, as recvmsg and sendmsg. */
long sock_rw_iter(struct file *f, const struct iovec __user *uiov, u64 nr, bool write)
{
	struct iov_src iov = { .uiov = uiov, .nr = nr };
	u64 total;
	long err = iov_total(&iov, &total);
	if (err)
		return err;
	if (write) {
		struct sock_io io = { .iov = iov, .total = total };
		return sock_sendmsg(f, &io, 0);
	}
	struct msghdr m = { 0 };
	return sock_recvmsg(f, &iov, total, 0, &m);
}

long sock_read(struct file *f, char __user *buf, u64 n)
{
	if (!access_ok((u64)buf, n))
		return -EFAULT;
	if (!n)
		return 0;		/* as Linux's sock_read_iter */
	struct iovec v = { (u64)buf, n };
	struct iov_src iov = { .kiov = &v, .nr = 1 };
	struct msghdr m = { 0 };
	return sock_recvmsg(f, &iov, n, 0, &m);
}

long sock_write(struct file *f, const char __user *buf, u64 n)
{
	struct iovec v = { (u64)buf, n };
	struct sock_io io = { .iov = { .kiov = &v, .nr = 1 }, .total = n };
	return sock_sendmsg(f, &io, 0);
}

long sock_fionread(struct file *f)
{
	return hostcall(LSTAR_HC_FIONREAD, f->handle, 0, 0, 0, 0, 0);
}
