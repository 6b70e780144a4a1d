/*
 * hostcall_net.c - the socket ops of the host-call device (LSTAR_HC_SOCKET ..
 * LSTAR_HC_FIONREAD, emu/hostcall/hostcall.h).
 *
 * A guest socket is a host socket held in the handle table like a host
 * file.  Its host descriptor is always non-blocking, and sends never raise
 * SIGPIPE in lstar: waiting and signals are the guest kernel's business.
 * Everything the guest hands over is checked here: address lengths and
 * families, the socket types, and which options may be got or set (only
 * ones whose value is a plain number or struct linger/timeval, so the
 * host kernel never follows a pointer the guest chose).
 *
 * AF_UNIX paths are guest paths (hostcall_fs.c hc_unix_host_path), and a
 * guest kernel that passes descriptors between its processes (SCM_RIGHTS)
 * sends only a number, a "token", as a control message: the host puts it
 * in the size of a small memfd sent along with the bytes, so the token
 * arrives with exactly the bytes it was sent with, as Linux attaches
 * passed descriptors to a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "emu/hostcall/hostcall_int.h"

/* Linux numbers (the guest's); the host is Linux too, but spelling them
 * keeps the checks independent of the host's headers. */
#define L_AF_UNSPEC	0
#define L_AF_UNIX	1
#define L_AF_INET	2
#define L_AF_INET6	10
#define L_SOCK_TYPE_MASK 0xf

static bool family_ok(uint64_t f)
{
	return f == L_AF_UNIX || f == L_AF_INET || f == L_AF_INET6;
}

static bool type_ok(uint64_t t)
{
	return t == SOCK_STREAM || t == SOCK_DGRAM || t == SOCK_SEQPACKET;
}

static int sock_fd(struct hostcall *hc, uint64_t h)
{
	/* The standard streams are never a socket the guest made. */
	return h > 2 ? hc_handle_fd(hc, h) : -1;
}

/*
 * A guest struct lstar_hc_sockaddr to a host address.  *tmpfd is a descriptor
 * the host name of an AF_UNIX path refers to, closed by the caller after
 * the call.  bind: the AF_UNIX path is a name to create.
 */
static int64_t get_addr(struct hostcall *hc, uint64_t pa, bool bind,
			struct sockaddr_storage *ss, socklen_t *len, int *tmpfd)
{
	*tmpfd = -1;
	const struct lstar_hc_sockaddr *g = hc_gptr(hc, pa, sizeof(*g));
	if (!g)
		return -14;
	uint32_t n = g->len;
	if (n > LSTAR_HC_SOCKADDR_MAX || n < 2)
		return -22;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, g->addr, n);
	*len = n;
	uint16_t fam;
	memcpy(&fam, g->addr, 2);
	ss->ss_family = fam;
	if (fam == L_AF_UNSPEC || fam == L_AF_INET || fam == L_AF_INET6)
		return 0;
	if (fam != L_AF_UNIX)
		return -97;			/* EAFNOSUPPORT */
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	size_t plen = n - offsetof(struct sockaddr_un, sun_path);
	if (plen > sizeof(un->sun_path))
		return -22;
	if (plen == 0 || un->sun_path[0] == 0)
		return 0;			/* unnamed (autobind) or abstract */
	char path[sizeof(un->sun_path) + 1];
	memcpy(path, un->sun_path, plen);
	path[plen] = 0;
	char host[108];
	int64_t r = hc_unix_host_path(hc, path, bind, host, tmpfd);
	if (r < 0)
		return r;
	memset(un->sun_path, 0, sizeof(un->sun_path));
	memcpy(un->sun_path, host, strlen(host) + 1);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(host) + 1);
	return 0;
}

static int64_t put_addr(struct hostcall *hc, uint64_t pa, const struct sockaddr_storage *ss,
			socklen_t len, uint32_t flags)
{
	if (!pa)
		return 0;
	struct lstar_hc_sockaddr *g = hc_gptr_w(hc, pa, sizeof(*g));
	if (!g)
		return -14;
	if (len > LSTAR_HC_SOCKADDR_MAX)
		len = LSTAR_HC_SOCKADDR_MAX;
	memset(g, 0, sizeof(*g));
	memcpy(g->addr, ss, len);
	g->len = len;
	g->flags = flags;
	return 0;
}

/* The options a guest may get or set on the host socket, and the size
 * their value has at most. */
static size_t sockopt_size(uint64_t level, uint64_t name)
{
	switch (level) {
	case SOL_SOCKET:
		switch (name) {
		case SO_REUSEADDR: case SO_TYPE: case SO_ERROR: case SO_DONTROUTE:
		case SO_BROADCAST: case SO_SNDBUF: case SO_RCVBUF: case SO_KEEPALIVE:
		case SO_OOBINLINE: case SO_REUSEPORT: case SO_RCVLOWAT: case SO_SNDLOWAT:
		case SO_ACCEPTCONN: case SO_PROTOCOL: case SO_DOMAIN: case SO_PRIORITY:
		case SO_SNDBUFFORCE: case SO_RCVBUFFORCE:
			return sizeof(int);
		case SO_LINGER:
			return sizeof(struct linger);
		}
		return 0;
	case IPPROTO_TCP:
		switch (name) {
		case TCP_NODELAY: case TCP_MAXSEG: case TCP_CORK: case TCP_KEEPIDLE:
		case TCP_KEEPINTVL: case TCP_KEEPCNT: case TCP_QUICKACK:
		case TCP_USER_TIMEOUT: case TCP_DEFER_ACCEPT: case TCP_FASTOPEN:
			return sizeof(int);
		}
		return 0;
	case IPPROTO_IP:
		switch (name) {
		case IP_TOS: case IP_TTL: case IP_MULTICAST_TTL: case IP_MULTICAST_LOOP:
		case IP_RECVERR: case IP_MTU_DISCOVER: case IP_FREEBIND:
			return sizeof(int);
		}
		return 0;
	case IPPROTO_IPV6:
		switch (name) {
		case IPV6_V6ONLY: case IPV6_UNICAST_HOPS: case IPV6_MULTICAST_HOPS:
		case IPV6_MULTICAST_LOOP: case IPV6_RECVERR: case IPV6_TCLASS:
			return sizeof(int);
		}
		return 0;
	}
	return 0;
}

static int64_t op_sockopt(struct hostcall *hc, int fd, const uint64_t *a)
{
	size_t max = sockopt_size(a[1], a[2]);
	if (!max)
		return -92;			/* ENOPROTOOPT */
	uint64_t len = a[4];
	if (len > 64)
		len = 64;
	unsigned char val[64];
	memset(val, 0, sizeof(val));
	if (a[5] == 1) {
		const void *g = hc_gptr(hc, a[3], len);
		if (!g)
			return -14;
		memcpy(val, g, len);
		if (setsockopt(fd, (int)a[1], (int)a[2], val, (socklen_t)len) < 0)
			return hc_lerr(errno);
		return 0;
	}
	if (a[5] != 0)
		return -22;
	socklen_t vl = sizeof(val);
	if (getsockopt(fd, (int)a[1], (int)a[2], val, &vl) < 0)
		return hc_lerr(errno);
	if (vl > len)
		vl = (socklen_t)len;
	void *g = hc_gptr_w(hc, a[3], vl);
	if (!g)
		return -14;
	memcpy(g, val, vl);
	return vl;
}

static int64_t op_sendmsg(struct hostcall *hc, int fd, const uint64_t *a)
{
	void *buf = hc_gptr(hc, a[1], a[2]);
	if (!buf && a[2])
		return -14;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int tmpfd = -1;
	if (a[4]) {
		int64_t r = get_addr(hc, a[4], false, &ss, &sl, &tmpfd);
		if (r < 0)
			return r;
	}
	struct iovec iov = { buf, a[2] };
	struct msghdr mh = { .msg_name = a[4] ? &ss : NULL, .msg_namelen = sl,
			     .msg_iov = &iov, .msg_iovlen = 1 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
	int tokfd = -1;
	if (a[5]) {
		tokfd = memfd_create("lstar-scm", MFD_CLOEXEC);
		if (tokfd < 0 || ftruncate(tokfd, (off_t)(a[5] & 0xffffffffffffULL)) < 0) {
			int e = errno;
			if (tokfd >= 0)
				close(tokfd);
			if (tmpfd >= 0)
				close(tmpfd);
			return hc_lerr(e);
		}
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &tokfd, sizeof(int));
	}
	/* MSG_OOB, MSG_DONTROUTE, MSG_EOR, MSG_MORE pass; never wait, never
	 * SIGPIPE. */
	int flags = (int)(a[3] & (MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_MORE));
	ssize_t r = sendmsg(fd, &mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	int e = errno;
	if (tokfd >= 0)
		close(tokfd);
	if (tmpfd >= 0)
		close(tmpfd);
	return r < 0 ? hc_lerr(e) : r;
}

static int64_t op_recvmsg(struct hostcall *hc, int fd, const uint64_t *a)
{
	void *buf = hc_gptr_w(hc, a[1], a[2]);
	if (!buf && a[2])
		return -14;
	uint64_t *tok = NULL;
	if (a[5] && !(tok = hc_gptr_w(hc, a[5], sizeof(*tok))))
		return -14;
	if (a[4] && !hc_gptr_w(hc, a[4], sizeof(struct lstar_hc_sockaddr)))
		return -14;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct iovec iov = { buf, a[2] };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 16)]; } cm;
	struct msghdr mh = { .msg_name = &ss, .msg_namelen = sizeof(ss),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
	int flags = (int)(a[3] & (MSG_PEEK | MSG_TRUNC | MSG_OOB));
	ssize_t r = recvmsg(fd, &mh, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return hc_lerr(errno);
	uint64_t token = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int pfd;
			struct stat st;
			memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (!token && fstat(pfd, &st) == 0 && S_ISREG(st.st_mode))
				token = (uint64_t)st.st_size;
			close(pfd);
		}
	}
	if (tok)
		*tok = token;
	/* Only the flags a guest can be told about. */
	uint32_t mf = (uint32_t)mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC | MSG_OOB | MSG_EOR);
	int64_t e = put_addr(hc, a[4], &ss, mh.msg_namelen, mf);
	return e < 0 ? e : r;
}

int64_t hc_op_net(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	int fd = -1, tmpfd;
	int64_t r;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (op != LSTAR_HC_SOCKET && op != LSTAR_HC_SOCKETPAIR && (fd = sock_fd(hc, a[0])) < 0)
		return -9;
	switch (op) {
	case LSTAR_HC_SOCKET:
	case LSTAR_HC_SOCKETPAIR: {
		if (!family_ok(a[0]))
			return -97;		/* EAFNOSUPPORT */
		if (!type_ok(a[1]))
			return -94;		/* ESOCKTNOSUPPORT */
		if (a[2] > 255)
			return -93;		/* EPROTONOSUPPORT */
		int type = (int)a[1] | SOCK_NONBLOCK | SOCK_CLOEXEC;
		if (op == LSTAR_HC_SOCKET) {
			int s = socket((int)a[0], type, (int)a[2]);
			return s < 0 ? hc_lerr(errno) : hc_handle_new(hc, s, NULL);
		}
		int32_t *out = hc_gptr_w(hc, a[3], 2 * sizeof(int32_t));
		if (!out)
			return -14;
		int sv[2];
		if (socketpair((int)a[0], type, (int)a[2], sv) < 0)
			return hc_lerr(errno);
		int64_t h0 = hc_handle_new(hc, sv[0], NULL);
		if (h0 < 0) {
			close(sv[1]);
			return h0;
		}
		int64_t h1 = hc_handle_new(hc, sv[1], NULL);
		if (h1 < 0) {
			close(hc->h[h0].fd);
			hc->h[h0].fd = -1;
			return h1;
		}
		out[0] = (int32_t)h0;
		out[1] = (int32_t)h1;
		return 0;
	}
	case LSTAR_HC_BIND:
	case LSTAR_HC_CONNECT:
		if ((r = get_addr(hc, a[1], op == LSTAR_HC_BIND, &ss, &sl, &tmpfd)) < 0)
			return r;
		r = op == LSTAR_HC_BIND ? bind(fd, (struct sockaddr *)&ss, sl)
				  : connect(fd, (struct sockaddr *)&ss, sl);
		r = r < 0 ? hc_lerr(errno) : 0;
		if (tmpfd >= 0)
			close(tmpfd);
		if (r == 0 && op == LSTAR_HC_BIND) {
			/* What the host calls it, for the guest kernel to
			 * recognise the name when the host reports it. */
			sl = sizeof(ss);
			if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
				return put_addr(hc, a[1], &ss, sl, 0);
		}
		return r;
	case LSTAR_HC_LISTEN:
		return hc_ret(listen(fd, (int)(a[1] > 4096 ? 4096 : a[1])));
	case LSTAR_HC_ACCEPT: {
		if (a[1] && !hc_gptr_w(hc, a[1], sizeof(struct lstar_hc_sockaddr)))
			return -14;
		sl = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		int s = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0)
			return hc_lerr(errno);
		put_addr(hc, a[1], &ss, sl, 0);
		return hc_handle_new(hc, s, NULL);
	}
	case LSTAR_HC_SENDMSG:
		return op_sendmsg(hc, fd, a);
	case LSTAR_HC_RECVMSG:
		return op_recvmsg(hc, fd, a);
	case LSTAR_HC_SHUTDOWN:
		if (a[1] > 2)
			return -22;
		return hc_ret(shutdown(fd, (int)a[1]));
	case LSTAR_HC_SOCKOPT:
		return op_sockopt(hc, fd, a);
	case LSTAR_HC_SOCKNAME:
		if (!hc_gptr_w(hc, a[1], sizeof(struct lstar_hc_sockaddr)))
			return -14;
		sl = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		r = a[2] ? getpeername(fd, (struct sockaddr *)&ss, &sl)
			 : getsockname(fd, (struct sockaddr *)&ss, &sl);
		if (r < 0)
			return hc_lerr(errno);
		return put_addr(hc, a[1], &ss, sl, 0);
	case LSTAR_HC_FIONREAD: {
		int n = 0;
		if (ioctl(fd, FIONREAD, &n) < 0)
			return hc_lerr(errno);
		return n;
	}
	}
	return -38;
}
