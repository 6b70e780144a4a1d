/*
 * net.c - sockets between the processes and threads of one program, for
 * comparing a native run with one under lstar (tests/e2e/net.cmake): the
 * output names results and errors, never ports, pids or addresses that
 * change from run to run.
 *
 *   net [TEST...]   (none: all of them)
 *   inet inet6 thread unixpath pair rights dgram udp nonblock epoll errors
 *   opts intr timeo bulk more garbage
 *   connect=PATH    connect an AF_UNIX stream socket to PATH, print the result
 *   bind=PATH       bind one to PATH, print the result
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s (errno %s)\n", __FILE__, __LINE__, #c, strerrorname_np_(errno)); exit(1); } } while (0)

static const char *strerrorname_np_(int e)
{
	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case EINTR: return "EINTR";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOTSOCK: return "ENOTSOCK";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EADDRINUSE: return "EADDRINUSE";
	case EINPROGRESS: return "EINPROGRESS";
	case ENOTCONN: return "ENOTCONN";
	case EISCONN: return "EISCONN";
	case EPIPE: return "EPIPE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case ENOENT: return "ENOENT";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ESPIPE: return "ESPIPE";
	case ENXIO: return "ENXIO";
	case ELOOP: return "ELOOP";
	case ECONNRESET: return "ECONNRESET";
	default: return "E?";
	}
}

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerrorname_np_(errno));
	else
		printf("%s: %ld\n", what, r);
}

static int listener(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int s = socket(family, SOCK_STREAM, 0);
	CHECK(s >= 0);
	int one = 1;
	CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
	}
	CHECK(bind(s, (struct sockaddr *)ss, *len) == 0);
	CHECK(listen(s, 8) == 0);
	CHECK(getsockname(s, (struct sockaddr *)ss, len) == 0);
	return s;
}

static ssize_t readall(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 && !got ? r : (ssize_t)got;
		got += r;
	}
	return got;
}

/* A forked client talks to the parent's server over loopback. */
static void test_inet(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(family, &ss, &len);
	printf("%s listener port nonzero: %d\n", family == AF_INET ? "inet" : "inet6",
	       (family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				  : ((struct sockaddr_in6 *)&ss)->sin6_port) != 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(l);
		int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(c >= 0);
		CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
		CHECK(write(c, "hello server", 12) == 12);
		CHECK(shutdown(c, SHUT_WR) == 0);
		char buf[64];
		ssize_t n = readall(c, buf, sizeof(buf));
		printf("client got %zd: %.*s\n", n, (int)n, buf);
		close(c);
		_exit(0);
	}
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int a = accept(l, (struct sockaddr *)&peer, &plen);
	CHECK(a >= 0);
	printf("accepted family ok: %d, len %s\n", peer.ss_family == family,
	       plen == len ? "same" : "differs");
	char buf[64];
	ssize_t n = readall(a, buf, sizeof(buf));
	printf("server got %zd: %.*s\n", n, (int)n, buf);
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] -= 32;
	CHECK(send(a, buf, n, 0) == n);
	close(a);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("client status %d\n", WEXITSTATUS(st));
	close(l);
}

/* A server thread and a client thread of one process. */
static struct sockaddr_in thr_addr;
static int thr_listen;

static void *server_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		int a = accept(thr_listen, NULL, NULL);
		CHECK(a >= 0);
		char buf[32];
		ssize_t n = recv(a, buf, sizeof(buf), 0);
		CHECK(n > 0);
		CHECK(send(a, buf, n, MSG_NOSIGNAL) == n);
		close(a);
	}
	return NULL;
}

static void test_thread(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	thr_listen = listener(AF_INET, &ss, &len);
	memcpy(&thr_addr, &ss, sizeof(thr_addr));
	pthread_t t;
	CHECK(pthread_create(&t, NULL, server_thread, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(c, (struct sockaddr *)&thr_addr, sizeof(thr_addr)) == 0);
		char msg[16], buf[16];
		int m = snprintf(msg, sizeof(msg), "ping %d", i);
		CHECK(send(c, msg, m, 0) == m);
		ssize_t n = recv(c, buf, sizeof(buf), MSG_WAITALL);
		printf("thread echo %d: %.*s\n", i, (int)n, buf);
		close(c);
	}
	pthread_join(t, NULL);
	close(thr_listen);
}

/* A named AF_UNIX socket in the current directory. */
static void test_unixpath(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, "net.sock");
	unlink(sa.sun_path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	struct stat st;
	CHECK(stat("net.sock", &st) == 0);
	printf("unix path is a socket: %d\n", S_ISSOCK(st.st_mode));
	result("bind again", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&sa, sizeof(sa)));
	CHECK(listen(l, 4) == 0);
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK(getsockname(l, (struct sockaddr *)&got, &gl) == 0);
	printf("getsockname: len %d path %s\n", (int)gl, got.sun_path);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		gl = sizeof(got);
		CHECK(getpeername(c, (struct sockaddr *)&got, &gl) == 0);
		printf("child getpeername: %s\n", got.sun_path);
		gl = sizeof(got);
		CHECK(getsockname(c, (struct sockaddr *)&got, &gl) == 0);
		printf("child getsockname len %d\n", (int)gl);
		struct ucred cr;
		socklen_t cl = sizeof(cr);
		CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0);
		printf("child peer is parent: %d uid ok %d\n", cr.pid == parent, cr.uid == getuid());
		CHECK(write(c, "over unix", 9) == 9);
		close(c);
		_exit(0);
	}
	int a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	char buf[32];
	ssize_t n = readall(a, buf, sizeof(buf));	/* after the child's output */
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	CHECK(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0);
	printf("parent peer is child: %d gid ok %d\n", cr.pid == pid, cr.gid == getgid());
	gl = sizeof(got);
	CHECK(getsockname(a, (struct sockaddr *)&got, &gl) == 0);
	printf("accepted getsockname: %s\n", got.sun_path);
	printf("parent got %zd: %.*s\n", n, (int)n, buf);
	waitpid(pid, NULL, 0);
	close(a);
	close(l);
	struct sockaddr_un none = { .sun_family = AF_UNIX };
	strcpy(none.sun_path, "no-such.sock");
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	result("connect to a missing path", connect(c, (struct sockaddr *)&none, sizeof(none)));
	close(c);
	unlink("net.sock");
}

/* socketpair between a parent and a child: both directions, SO_PEERCRED,
 * EOF when the other end closes, EPIPE (and SIGPIPE) after. */
static void test_pair(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0);
	printf("pair peercred is me: %d\n", cr.pid == getpid());
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		char buf[32];
		ssize_t n = read(sv[1], buf, sizeof(buf));
		struct iovec iov[2] = { { "re: ", 4 }, { buf, n } };
		CHECK(writev(sv[1], iov, 2) == n + 4);
		_exit(0);
	}
	close(sv[1]);
	CHECK(write(sv[0], "question", 8) == 8);
	char buf[32];
	ssize_t n = readall(sv[0], buf, sizeof(buf));
	printf("pair answer %zd: %.*s\n", n, (int)n, buf);
	waitpid(pid, NULL, 0);
	signal(SIGPIPE, SIG_IGN);
	result("write to a closed pair", write(sv[0], "x", 1));
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
}

/* SCM_RIGHTS: a child gets a pipe's read end and an eventfd-less file
 * (a regular one) from its parent through a socketpair. */
static void test_rights(void)
{
	int sv[2], p[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(pipe(p) == 0);
	int tf = open("rights.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(tf >= 0);
	CHECK(write(tf, "from a file", 11) == 11);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(p[0]);
		close(p[1]);
		close(tf);
		char data[8];
		union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } u;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
		ssize_t n = recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC);
		printf("child recvmsg %zd: %.*s flags %d\n", n, (int)n, data, m.msg_flags);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS);
		int fds[2];
		memcpy(fds, CMSG_DATA(c), sizeof(fds));
		printf("child got %d fds, cloexec %d\n", (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)),
		       (fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
		CHECK(write(sv[1], "k", 1) == 1);
		char buf[32];
		n = read(fds[0], buf, sizeof(buf));
		printf("child read the passed pipe: %.*s\n", (int)n, buf);
		n = pread(fds[1], buf, sizeof(buf), 0);
		printf("child read the passed file: %.*s\n", (int)n, buf);
		n = read(sv[1], buf, sizeof(buf));
		printf("child then read %zd without fds\n", n);
		_exit(0);
	}
	close(sv[1]);
	union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { "fds!", 4 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	int fds[2] = { p[0], tf };
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	CHECK(sendmsg(sv[0], &m, 0) == 4);
	close(p[0]);
	close(tf);
	char k;
	CHECK(read(sv[0], &k, 1) == 1);
	CHECK(write(p[1], "through the pipe", 16) == 16);
	close(p[1]);
	CHECK(write(sv[0], "plain", 5) == 5);
	waitpid(pid, NULL, 0);
	/* a bad descriptor in SCM_RIGHTS */
	fds[0] = 999;
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	result("sendmsg with a bad fd", sendmsg(sv[0], &m, 0));
	close(sv[0]);
	unlink("rights.txt");
}

/* Datagrams keep their boundaries; a short buffer cuts one (MSG_TRUNC). */
static void test_dgram(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK(send(sv[0], "one", 3, 0) == 3);
	CHECK(send(sv[0], "two two", 7, 0) == 7);
	CHECK(send(sv[0], "three three three", 17, 0) == 17);
	char buf[64];
	result("dgram 1", recv(sv[1], buf, sizeof(buf), 0));
	result("dgram 2", recv(sv[1], buf, sizeof(buf), 0));
	struct iovec iov = { buf, 5 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	result("dgram 3 into 5 bytes", recvmsg(sv[1], &m, 0));
	printf("msg_flags MSG_TRUNC: %d, data %.5s\n", !!(m.msg_flags & MSG_TRUNC), buf);
	CHECK(send(sv[0], "peeked", 6, 0) == 6);
	result("recv MSG_PEEK|MSG_TRUNC into 2", recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC));
	result("recv after peek", recv(sv[1], buf, sizeof(buf), 0));
	result("recv empty nonblocking", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

static void test_udp(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK(a >= 0 && b >= 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in sb = sa;
	CHECK(bind(a, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(bind(b, (struct sockaddr *)&sb, sizeof(sb)) == 0);
	socklen_t l = sizeof(sa);
	CHECK(getsockname(a, (struct sockaddr *)&sa, &l) == 0);
	l = sizeof(sb);
	CHECK(getsockname(b, (struct sockaddr *)&sb, &l) == 0);
	char buf[64];
	result("udp recv before anything", recv(b, buf, sizeof(buf), 0));
	result("udp sendto", sendto(a, "datagram", 8, 0, (struct sockaddr *)&sb, sizeof(sb)));
	struct pollfd pf = { b, POLLIN, 0 };
	result("udp poll", poll(&pf, 1, 5000));
	struct sockaddr_in from;
	l = sizeof(from);
	ssize_t n = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &l);
	printf("udp recvfrom %zd: %.*s from the sender: %d\n", n, (int)n, buf,
	       from.sin_port == sa.sin_port && from.sin_addr.s_addr == sa.sin_addr.s_addr);
	result("udp send without a destination", send(a, "x", 1, 0));
	CHECK(connect(a, (struct sockaddr *)&sb, sizeof(sb)) == 0);
	result("udp send after connect", send(a, "connected", 9, 0));
	result("udp recv", recv(b, buf, sizeof(buf), 0));
	close(a);
	close(b);
}

/* Non-blocking connect, poll for the outcome, SO_ERROR; a refused one. */
static void test_nonblock(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&ss, len);
	printf("nonblocking connect: %s\n", r == 0 ? "0" : errno == EINPROGRESS ? "EINPROGRESS" : "error");
	struct pollfd pf = { c, POLLOUT, 0 };
	result("poll POLLOUT", poll(&pf, 1, 5000));
	printf("revents POLLOUT: %d\n", !!(pf.revents & POLLOUT));
	int err = -1;
	socklen_t el = sizeof(err);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0);
	printf("SO_ERROR: %d\n", err);
	char buf[8];
	result("recv on an idle nonblocking socket", recv(c, buf, sizeof(buf), 0));
	result("accept4 nonblocking", accept4(l, NULL, NULL, SOCK_NONBLOCK) >= 0 ? 0 : -1);
	int fl = fcntl(l, F_GETFL);
	CHECK(fcntl(l, F_SETFL, fl | O_NONBLOCK) == 0);
	result("accept after F_SETFL O_NONBLOCK", accept(l, NULL, NULL));
	close(c);
	/* a port nobody listens on: close the listener, keep its port */
	close(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	result("connect to a closed port", connect(c, (struct sockaddr *)&ss, len));
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&ss, len);
	if (r < 0 && errno == EINPROGRESS) {
		pf = (struct pollfd){ c, POLLOUT, 0 };
		poll(&pf, 1, 5000);
		el = sizeof(err);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
		printf("nonblocking refused: SO_ERROR %s\n", strerrorname_np_(err));
	} else {
		printf("nonblocking refused: SO_ERROR %s\n", strerrorname_np_(r < 0 ? errno : 0));
	}
	close(c);
}

/* epoll on a listening socket while a child connects. */
static void test_epoll(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l = listener(AF_INET, &ss, &len);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	result("epoll_wait before a client", epoll_wait(ep, &ev, 1, 0));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(c, (struct sockaddr *)&ss, len) == 0);
		CHECK(write(c, "via epoll", 9) == 9);
		close(c);
		_exit(0);
	}
	int n = epoll_wait(ep, &ev, 1, 10000);
	printf("epoll_wait: %d data %llu EPOLLIN %d\n", n, (unsigned long long)ev.data.u64,
	       !!(ev.events & EPOLLIN));
	int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(a >= 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 7 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0);
	char buf[32];
	ssize_t got = 0;
	while (got < 9) {
		CHECK(epoll_wait(ep, &ev, 1, 10000) == 1);
		ssize_t r = read(a, buf + got, sizeof(buf) - got);
		if (r <= 0)
			break;
		got += r;
	}
	printf("epoll read: %.*s (event data %llu)\n", (int)got, buf, (unsigned long long)ev.data.u64);
	waitpid(pid, NULL, 0);
	n = epoll_wait(ep, &ev, 1, 5000);
	printf("after the client closed: %d EPOLLIN %d, read %zd\n", n, !!(ev.events & EPOLLIN),
	       read(a, buf, sizeof(buf)));
	close(a);
	close(l);
	close(ep);
}

static void test_errors(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	result("socket(AF_APPLETALK)", socket(5, SOCK_STREAM, 0));
	result("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	result("socket(AF_INET, type 77)", socket(AF_INET, 77, 0));
	result("socket(AF_UNIX, SOCK_STREAM, 5)", socket(AF_UNIX, SOCK_STREAM, 5));
	int sp[2];
	result("socketpair(AF_INET)", socketpair(AF_INET, SOCK_STREAM, 0, sp));
	int one = 1;
	result("setsockopt on a pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	result("connect on fd 999", connect(999, NULL, 0));
	result("listen on a pipe", listen(p[1], 1));
	int s = socket(AF_INET, SOCK_STREAM, 0);
	result("bind with a bad pointer", bind(s, (struct sockaddr *)16, sizeof(struct sockaddr_in)));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	result("bind with addrlen 1000", bind(s, (struct sockaddr *)&sa, 1000));
	result("bind with addrlen 3", bind(s, (struct sockaddr *)&sa, 3));
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	result("bind an inet socket to an inet6 address", bind(s, (struct sockaddr *)&s6, sizeof(sa)));
	result("bind", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	socklen_t l = sizeof(sa);
	CHECK(getsockname(s, (struct sockaddr *)&sa, &l) == 0);
	CHECK(listen(s, 1) == 0);
	int t = socket(AF_INET, SOCK_STREAM, 0);
	result("bind a port in use", bind(t, (struct sockaddr *)&sa, sizeof(sa)));
	result("getpeername unconnected", getpeername(t, (struct sockaddr *)&sa, &l));
	result("send unconnected", send(t, "x", 1, MSG_NOSIGNAL));
	result("accept on an unlistened socket", accept(t, NULL, NULL));
	result("accept4 bad flags", syscall(SYS_accept4, s, NULL, NULL, 1));
	result("getsockname bad len pointer", getsockname(s, (struct sockaddr *)&sa, (socklen_t *)8));
	result("shutdown how 7", shutdown(s, 7));
	result("shutdown unconnected", shutdown(t, SHUT_RDWR));
	result("lseek on a socket", lseek(s, 0, SEEK_SET));
	result("getsockopt unknown", getsockopt(s, SOL_SOCKET, 9999, &one, &l));
	struct stat st;
	CHECK(fstat(s, &st) == 0);
	printf("fstat S_ISSOCK: %d\n", S_ISSOCK(st.st_mode));
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
	result("open /proc/self/fd of a socket", open(path, O_RDWR));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	result("connect again", connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	close(c);
	close(s);
	close(t);
	close(p[0]);
	close(p[1]);
}

static void test_opts(void)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(s >= 0);
	int v = -1;
	socklen_t l = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0);
	printf("SO_TYPE %d len %d\n", v, (int)l);
	l = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0);
	printf("SO_DOMAIN %d\n", v);
	l = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0);
	printf("SO_PROTOCOL %d\n", v);
	int on = 1;
	struct { int level, name; const char *what; } bools[] = {
		{ SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR" }, { SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE" },
		{ IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY" }, { IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY" },
	};
	for (unsigned i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		l = sizeof(v);
		CHECK(setsockopt(s, bools[i].level, bools[i].name, &on, sizeof(on)) == 0);
		CHECK(getsockopt(s, bools[i].level, bools[i].name, &v, &l) == 0);
		printf("%s set: %d\n", bools[i].what, v != 0);
	}
	struct linger lg = { 1, 5 }, lg2;
	CHECK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	l = sizeof(lg2);
	CHECK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg2, &l) == 0);
	printf("SO_LINGER %d %d\n", lg2.l_onoff, lg2.l_linger);
	v = 65536;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	l = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l) == 0);
	printf("SO_RCVBUF doubled: %d\n", v == 131072);
	struct timeval tv = { 2, 500000 };
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	l = sizeof(tv);
	CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l) == 0);
	printf("SO_RCVTIMEO %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	close(s);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(setsockopt(u, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == 0);
	l = sizeof(v);
	CHECK(getsockopt(u, SOL_SOCKET, SO_BROADCAST, &v, &l) == 0);
	printf("SO_BROADCAST %d\n", v);
	l = sizeof(v);
	CHECK(getsockopt(u, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0);
	printf("udp SO_PROTOCOL %d\n", v);
	close(u);
}

static void on_alarm(int sig) { (void)sig; }

/* A blocking recv ends with EINTR when a handler without SA_RESTART runs. */
static void test_intr(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	char buf[8];
	result("recv interrupted", recv(sv[0], buf, sizeof(buf), 0));
	/* with SA_RESTART the call goes on, and a child's data ends it */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		CHECK(write(sv[1], "late", 4) == 4);
		_exit(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	result("recv restarted", recv(sv[0], buf, sizeof(buf), 0));
	waitpid(pid, NULL, 0);
	signal(SIGALRM, SIG_DFL);
	close(sv[0]);
	close(sv[1]);
}

static void test_timeo(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct timeval tv = { 0, 200000 };
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	struct timeval t0, t1;
	gettimeofday(&t0, NULL);
	char buf[8];
	result("recv with SO_RCVTIMEO", recv(sv[0], buf, sizeof(buf), 0));
	gettimeofday(&t1, NULL);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	printf("waited about the timeout: %d\n", ms >= 150 && ms < 3000);
	close(sv[0]);
	close(sv[1]);
}

/* 4 MiB each way between two processes, through buffers that fill up. */
static void test_bulk(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	enum { TOTAL = 4 << 20 };
	static char buf[100000];
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		unsigned sum = 0;
		long got = 0;
		for (;;) {
			ssize_t n = read(sv[1], buf, sizeof(buf));
			if (n <= 0)
				break;
			for (ssize_t i = 0; i < n; i++)
				sum = sum * 31 + (unsigned char)buf[i];
			got += n;
		}
		char msg[64];
		int m = snprintf(msg, sizeof(msg), "%ld %08x", got, sum);
		CHECK(write(sv[1], msg, m) == m);
		_exit(0);
	}
	close(sv[1]);
	unsigned sum = 0;
	for (long off = 0; off < TOTAL; off += sizeof(buf)) {
		long n = TOTAL - off < (long)sizeof(buf) ? TOTAL - off : (long)sizeof(buf);
		for (long i = 0; i < n; i++) {
			buf[i] = (char)((off + i) * 7 + ((off + i) >> 11));
			sum = sum * 31 + (unsigned char)buf[i];
		}
		CHECK(send(sv[0], buf, n, 0) == n);
	}
	CHECK(shutdown(sv[0], SHUT_WR) == 0);
	char msg[64];
	ssize_t n = readall(sv[0], msg, sizeof(msg));
	char want[64];
	snprintf(want, sizeof(want), "%d %08x", TOTAL, sum);
	printf("bulk: child counted %.*s, same as sent: %d\n", (int)n, msg,
	       n == (ssize_t)strlen(want) && !memcmp(msg, want, n));
	waitpid(pid, NULL, 0);
	close(sv[0]);
}

/* sendfile into a socket, sendmmsg/recvmmsg, POLLRDHUP. */
static void test_more(void)
{
	enum { SIZE = 300000 };
	static char buf[SIZE];
	for (int i = 0; i < SIZE; i++)
		buf[i] = (char)(i * 13 + (i >> 9));
	int f = open("sendfile.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(f >= 0 && write(f, buf, SIZE) == SIZE);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		static char got[SIZE + 10];
		ssize_t n = readall(sv[1], got, sizeof(got));
		printf("child got %zd bytes by sendfile, same: %d\n", n,
		       n == SIZE - 1000 && !memcmp(got, buf + 1000, n));
		_exit(0);
	}
	close(sv[1]);
	off_t off = 1000;
	CHECK(lseek(f, 5, SEEK_SET) == 5);
	ssize_t total = 0;
	while (total < SIZE - 1000) {
		ssize_t r = sendfile(sv[0], f, &off, SIZE - 1000 - total);
		if (r <= 0)
			break;
		total += r;
	}
	printf("sendfile sent %zd, offset now %ld, file position still %ld\n", total, (long)off,
	       (long)lseek(f, 0, SEEK_CUR));
	close(sv[0]);
	waitpid(pid, NULL, 0);
	close(f);
	unlink("sendfile.dat");

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	struct iovec iov[3] = { { "first", 5 }, { "second", 6 }, { "third!", 6 } };
	struct mmsghdr mm[5];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	result("sendmmsg", sendmmsg(sv[0], mm, 3, 0));
	printf("msg_len %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	char rb[5][16];
	struct iovec riov[5];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 5; i++) {
		riov[i] = (struct iovec){ rb[i], sizeof(rb[i]) };
		mm[i].msg_hdr.msg_iov = &riov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int n = recvmmsg(sv[1], mm, 5, MSG_WAITFORONE, NULL);
	printf("recvmmsg: %d:", n);
	for (int i = 0; i < n; i++)
		printf(" %.*s", (int)mm[i].msg_len, rb[i]);
	printf("\n");
	close(sv[0]);
	close(sv[1]);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct pollfd pf = { sv[0], POLLIN | POLLRDHUP, 0 };
	result("poll POLLRDHUP, peer open", poll(&pf, 1, 0));
	close(sv[1]);
	result("poll POLLRDHUP, peer closed", poll(&pf, 1, 1000));
	printf("revents POLLRDHUP %d POLLIN %d\n", !!(pf.revents & POLLRDHUP), !!(pf.revents & POLLIN));
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLRDHUP, .data.u64 = 1 };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) == 0);
	n = epoll_wait(ep, &ev, 1, 1000);
	printf("epoll EPOLLRDHUP: %d %d\n", n, !!(ev.events & EPOLLRDHUP));
	close(ep);
	close(sv[0]);
}

/* Socket calls with bad arguments of every kind (descriptors, pointers,
 * lengths, flags, addresses from a fixed pool: nothing leaves the
 * machine), on non-blocking sockets, as raw system calls (a C library's
 * wrapper may read a bad msghdr itself): whatever each call answers, the
 * program must survive to the end, natively and under lstar. */
static unsigned garbage_seed = 12345;
static unsigned rnd(unsigned x)
{
	garbage_seed = garbage_seed * 1103515245 + 12345;
	return (garbage_seed >> 8) % x;
}

static void test_garbage(void)
{
	signal(SIGPIPE, SIG_IGN);
	static char buf[4096];
	int fds[8], n = 0;
	fds[n++] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	fds[n++] = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	fds[n++] = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	fds[n++] = sv[0];
	fds[n++] = sv[1];
	fds[n++] = -1;
	fds[n++] = 999;
	fds[n++] = 0;
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "garbage.sock" };
	static char junk[256];
	memset(junk, 0x7f, sizeof(junk));
	void *addrs[] = { &lo, &un, junk, NULL, (void *)16, (void *)-1L, buf + sizeof(buf) - 4 };
	long lens[] = { 0, 1, 2, 3, 16, 28, 110, 111, 128, 129, 4096, -1, 0x7fffffff };
	void *ptrs[] = { buf, NULL, (void *)16, (void *)-1L, buf + sizeof(buf) - 3, junk };
#define RND(x) rnd(x)
#define PICK(a) a[rnd(sizeof(a) / sizeof(a[0]))]
	for (int i = 0; i < 4000; i++) {
		int fd = PICK(fds);
		long len = PICK(lens);
		int fl = (int)(RND(2) ? 0 : rnd(0x7fffffff)) | MSG_DONTWAIT;
		socklen_t sl = (socklen_t)PICK(lens);
		socklen_t *slp = RND(4) ? &sl : PICK(ptrs);
		memcpy(buf, junk, 64);
		switch (RND(14)) {
		case 0: syscall(SYS_bind, fd, PICK(addrs), len); break;
		case 1: if (fd != fds[2] || RND(2)) syscall(SYS_connect, fd, PICK(addrs), len); break;
		case 2: syscall(SYS_sendto, fd, PICK(ptrs), len & 0xffff, fl, PICK(addrs), sl); break;
		case 3: syscall(SYS_recvfrom, fd, PICK(ptrs), len & 0xffff, fl, PICK(addrs), slp); break;
		case 4: syscall(SYS_getsockname, fd, PICK(addrs), slp); break;
		case 5: syscall(SYS_getpeername, fd, PICK(addrs), slp); break;
		case 6: syscall(SYS_setsockopt, fd, PICK(lens) & 0x3f, RND(70), PICK(ptrs), sl); break;
		case 7: syscall(SYS_getsockopt, fd, PICK(lens) & 0x3f, RND(70), PICK(ptrs), slp); break;
		case 8: syscall(SYS_shutdown, fd, RND(4)); break;
		case 9: {
			int a = (int)syscall(SYS_accept4, fd, PICK(addrs), slp, SOCK_NONBLOCK);
			if (a > 8)
				close(a);
			break;
		}
		case 10: case 11: {
			struct iovec iov[2] = { { PICK(ptrs), (size_t)len & 0xffff }, { buf, 8 } };
			struct msghdr m = { .msg_name = PICK(addrs), .msg_namelen = sl,
					    .msg_iov = RND(3) ? iov : PICK(ptrs), .msg_iovlen = RND(3),
					    .msg_control = PICK(ptrs), .msg_controllen = PICK(lens) & 0x1fff };
			struct msghdr *mp = RND(5) ? &m : PICK(ptrs);
			ssize_t r = RND(2) ? syscall(SYS_sendmsg, fd, mp, fl) : syscall(SYS_recvmsg, fd, mp, fl);
			if (r >= 0 && mp == &m && m.msg_controllen)
				for (int k = 9; k < 64; k++)	/* descriptors that came */
					if (k != fds[0] && k != fds[1] && k != fds[2] && k != sv[0] && k != sv[1])
						close(k);
			break;
		}
		case 12: syscall(SYS_listen, fd, (int)len); break;
		case 13: {
			char small[8];
			if (fd > 2)
				syscall(SYS_read, fd, RND(2) ? small : PICK(ptrs), RND(2) ? sizeof(small) : 0);
			break;
		}
		}
	}
	unlink("garbage.sock");
	printf("survived\n");
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
	{ "inet", NULL }, { "inet6", NULL }, { "thread", test_thread },
	{ "unixpath", test_unixpath }, { "pair", test_pair }, { "rights", test_rights },
	{ "dgram", test_dgram }, { "udp", test_udp }, { "nonblock", test_nonblock },
	{ "epoll", test_epoll }, { "errors", test_errors }, { "opts", test_opts },
	{ "intr", test_intr }, { "timeo", test_timeo }, { "bulk", test_bulk },
	{ "more", test_more }, { "garbage", test_garbage },
};

static void run(const char *name)
{
	if (!strncmp(name, "connect=", 8) || !strncmp(name, "bind=", 5)) {
		bool conn = name[0] == 'c';
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", strchr(name, '=') + 1);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		result(name, conn ? connect(s, (struct sockaddr *)&sa, sizeof(sa))
				  : bind(s, (struct sockaddr *)&sa, sizeof(sa)));
		close(s);
		return;
	}
	printf("== %s\n", name);
	fflush(stdout);
	if (!strcmp(name, "inet"))
		test_inet(AF_INET);
	else if (!strcmp(name, "inet6"))
		test_inet(AF_INET6);
	else {
		for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			if (!strcmp(name, tests[i].name) && tests[i].fn) {
				tests[i].fn();
				fflush(stdout);
				return;
			}
		printf("unknown test %s\n", name);
		exit(2);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			run(tests[i].name);
	for (int i = 1; i < argc; i++)
		run(argv[i]);
	return 0;
}
