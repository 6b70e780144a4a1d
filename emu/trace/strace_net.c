/*
 * strace_net.c - the socket calls in the strace view: address families,
 * socket types, MSG_* flags, option levels and names, and the structures
 * (struct sockaddr_in/in6/un, struct msghdr with its control messages,
 * option values) printed the way strace(1) prints them.  Called from
 * strace_put_arg (emu/trace/strace_fmt.c) for the A_SOCK* kinds.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "emu/trace/strace_fmt.h"

#define TABLE(var, unk, ...)                                                       \
	static const struct xlat var##_x[] = { __VA_ARGS__ };                        \
	static const struct xlat_table var = { var##_x, sizeof(var##_x) / sizeof(var##_x[0]), unk }

TABLE(xt_family, "AF_???", { 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" },
      { 10, "AF_INET6" }, { 16, "AF_NETLINK" }, { 17, "AF_PACKET" });
TABLE(xt_socktype, "SOCK_???", { 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" },
      { 4, "SOCK_RDM" }, { 5, "SOCK_SEQPACKET" }, { 10, "SOCK_PACKET" });
TABLE(xf_sockflags, "SOCK_???", { 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" });
TABLE(xt_ipproto, "IPPROTO_???", { 0, "IPPROTO_IP" }, { 1, "IPPROTO_ICMP" }, { 6, "IPPROTO_TCP" },
      { 17, "IPPROTO_UDP" }, { 41, "IPPROTO_IPV6" }, { 58, "IPPROTO_ICMPV6" },
      { 132, "IPPROTO_SCTP" }, { 255, "IPPROTO_RAW" });
TABLE(xf_msg, "MSG_???", { 0x1, "MSG_OOB" }, { 0x2, "MSG_PEEK" }, { 0x4, "MSG_DONTROUTE" },
      { 0x8, "MSG_CTRUNC" }, { 0x20, "MSG_TRUNC" }, { 0x40, "MSG_DONTWAIT" }, { 0x80, "MSG_EOR" },
      { 0x100, "MSG_WAITALL" }, { 0x4000, "MSG_NOSIGNAL" }, { 0x8000, "MSG_MORE" },
      { 0x10000, "MSG_WAITFORONE" }, { 0x40000000, "MSG_CMSG_CLOEXEC" });
TABLE(xt_shut, "SHUT_???", { 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" });
TABLE(xt_level, "SOL_???", { 0, "SOL_IP" }, { 1, "SOL_SOCKET" }, { 6, "SOL_TCP" },
      { 17, "SOL_UDP" }, { 41, "SOL_IPV6" });
TABLE(xt_so, "SO_???", { 1, "SO_DEBUG" }, { 2, "SO_REUSEADDR" }, { 3, "SO_TYPE" },
      { 4, "SO_ERROR" }, { 5, "SO_DONTROUTE" }, { 6, "SO_BROADCAST" }, { 7, "SO_SNDBUF" },
      { 8, "SO_RCVBUF" }, { 9, "SO_KEEPALIVE" }, { 10, "SO_OOBINLINE" }, { 12, "SO_PRIORITY" },
      { 13, "SO_LINGER" }, { 15, "SO_REUSEPORT" }, { 16, "SO_PASSCRED" }, { 17, "SO_PEERCRED" },
      { 18, "SO_RCVLOWAT" }, { 19, "SO_SNDLOWAT" }, { 20, "SO_RCVTIMEO_OLD" },
      { 21, "SO_SNDTIMEO_OLD" }, { 26, "SO_ATTACH_FILTER" }, { 30, "SO_ACCEPTCONN" },
      { 32, "SO_SNDBUFFORCE" }, { 33, "SO_RCVBUFFORCE" }, { 38, "SO_PROTOCOL" },
      { 39, "SO_DOMAIN" });
TABLE(xt_tcp, "TCP_???", { 1, "TCP_NODELAY" }, { 2, "TCP_MAXSEG" }, { 3, "TCP_CORK" },
      { 4, "TCP_KEEPIDLE" }, { 5, "TCP_KEEPINTVL" }, { 6, "TCP_KEEPCNT" },
      { 9, "TCP_DEFER_ACCEPT" }, { 11, "TCP_INFO" }, { 12, "TCP_QUICKACK" },
      { 18, "TCP_USER_TIMEOUT" }, { 23, "TCP_FASTOPEN" });
TABLE(xt_ip, "IP_???", { 1, "IP_TOS" }, { 2, "IP_TTL" }, { 10, "IP_MTU_DISCOVER" },
      { 11, "IP_RECVERR" }, { 15, "IP_FREEBIND" }, { 33, "IP_MULTICAST_TTL" },
      { 34, "IP_MULTICAST_LOOP" });
TABLE(xt_ipv6, "IPV6_???", { 16, "IPV6_UNICAST_HOPS" }, { 18, "IPV6_MULTICAST_HOPS" },
      { 19, "IPV6_MULTICAST_LOOP" }, { 25, "IPV6_RECVERR" }, { 26, "IPV6_V6ONLY" },
      { 67, "IPV6_TCLASS" });
TABLE(xt_scm, "SCM_???", { 1, "SCM_RIGHTS" }, { 2, "SCM_CREDENTIALS" });

/* A struct sockaddr of len bytes at la. */
static void put_sockaddr(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t len)
{
	uint8_t sa[128];
	if (!la) {
		sb_printf(b, "NULL");
		return;
	}
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (len < 2 || guest_read(c, la, sa, len) != len) {
		put_addr(b, la);
		return;
	}
	uint16_t fam;
	memcpy(&fam, sa, 2);
	sb_printf(b, "{sa_family=");
	put_xval(b, &xt_family, fam);
	if (fam == 2 && len >= 8) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, sa + 4, ip, sizeof(ip));
		sb_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
			  (unsigned)(sa[2] << 8 | sa[3]), ip);
	} else if (fam == 10 && len >= 24) {
		char ip[INET6_ADDRSTRLEN];
		uint32_t flow, scope = 0;
		memcpy(&flow, sa + 4, 4);
		if (len >= 28)
			memcpy(&scope, sa + 24, 4);
		inet_ntop(AF_INET6, sa + 8, ip, sizeof(ip));
		sb_printf(b, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
			  "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
			  (unsigned)(sa[2] << 8 | sa[3]), ntohl(flow), ip, scope);
	} else if (fam == 1 && len > 2) {
		/* a path ends at its NUL; an abstract name (first byte 0) is
		 * all of it, shown with a leading @ */
		bool abstract = sa[2] == 0;
		uint64_t n = 0;
		const uint8_t *p = sa + 2 + abstract;
		uint64_t max = len - 2 - abstract;
		while (n < max && (abstract || p[n]))
			n++;
		sb_printf(b, ", sun_path=%s\"", abstract ? "@" : "");
		for (uint64_t k = 0; k < n; k++) {
			if (p[k] == '"' || p[k] == '\\')
				sb_printf(b, "\\%c", p[k]);
			else if (p[k] >= 32 && p[k] < 127)
				sb_printf(b, "%c", p[k]);
			else
				sb_printf(b, "\\%o", p[k]);
		}
		sb_printf(b, "\"");
	}
	sb_printf(b, "}");
}

static void put_sockaddr_out(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t lenp)
{
	uint32_t len;
	if (!la || !lenp || guest_read(c, lenp, &len, 4) != 4)
		put_addr(b, la);
	else
		put_sockaddr(b, c, la, len);
}

static void put_cmsgs(struct sbuf *b, struct cpu *c, uint64_t la, uint64_t len)
{
	if (!la || !len) {
		put_addr(b, la);
		return;
	}
	sb_printf(b, "[");
	uint64_t off = 0;
	for (int k = 0; off + 16 <= len && k < 8; k++) {
		struct { uint64_t len; int32_t level, type; } h;
		if (guest_read(c, la + off, &h, 16) != 16 || h.len < 16 || h.len > len - off)
			break;
		sb_printf(b, "%s{cmsg_len=%" PRIu64 ", cmsg_level=", k ? ", " : "", h.len);
		put_xval(b, &xt_level, (uint32_t)h.level);
		sb_printf(b, ", cmsg_type=");
		if (h.level == 1)
			put_xval(b, &xt_scm, (uint32_t)h.type);
		else
			sb_printf(b, "%#x", (unsigned)h.type);
		if (h.level == 1 && h.type == 1) {
			sb_printf(b, ", cmsg_data=[");
			for (uint64_t i = 0; i < (h.len - 16) / 4 && i < STR_MAX; i++) {
				int32_t fd;
				if (guest_read(c, la + off + 16 + 4 * i, &fd, 4) != 4)
					break;
				sb_printf(b, "%s%d", i ? ", " : "", fd);
			}
			sb_printf(b, "]");
		} else if (h.level == 1 && h.type == 2 && h.len >= 28) {
			int32_t cr[3];
			if (guest_read(c, la + off + 16, cr, 12) == 12)
				sb_printf(b, ", cmsg_data={pid=%d, uid=%u, gid=%u}", cr[0],
					  (unsigned)cr[1], (unsigned)cr[2]);
		}
		sb_printf(b, "}");
		off += (h.len + 7) & ~7ULL;
	}
	sb_printf(b, "]");
}

/* struct msghdr; total: the bytes moved (recvmsg's result), -1 at the
 * call. */
static void put_msghdr(struct sbuf *b, struct cpu *c, uint64_t la, int64_t total)
{
	struct {
		uint64_t name;
		uint32_t namelen, pad0;
		uint64_t iov, iovlen, control, controllen;
		int32_t flags, pad1;
	} m;
	if (!la || guest_read(c, la, &m, sizeof(m)) != sizeof(m)) {
		put_addr(b, la);
		return;
	}
	sb_printf(b, "{msg_name=");
	if (m.name && m.namelen)
		put_sockaddr(b, c, m.name, m.namelen);
	else
		put_addr(b, m.name);
	sb_printf(b, ", msg_namelen=%u, msg_iov=", m.namelen);
	put_iov(b, c, m.iov, m.iovlen, total);
	sb_printf(b, ", msg_iovlen=%" PRIu64 ", msg_control=", m.iovlen);
	put_cmsgs(b, c, m.control, m.controllen);
	sb_printf(b, ", msg_controllen=%" PRIu64 ", msg_flags=", m.controllen);
	if (m.flags)
		put_flags(b, &xf_msg, (uint32_t)m.flags);
	else
		sb_printf(b, "0");
	sb_printf(b, "}");
}

static void put_optname(struct sbuf *b, uint64_t level, uint64_t name)
{
	const struct xlat_table *t = level == 1 ? &xt_so : level == 6 ? &xt_tcp
				   : level == 0 ? &xt_ip : level == 41 ? &xt_ipv6 : NULL;
	if (t)
		put_xval(b, t, (uint32_t)name);
	else
		sb_printf(b, "%u", (unsigned)name);
}

/* An option's value of len bytes: a number in brackets, or the few
 * structures strace spells out. */
static void put_optval(struct sbuf *b, struct cpu *c, const uint64_t *a, uint64_t la,
		       uint64_t len)
{
	int32_t v[4];
	if (!la || len > sizeof(v) || guest_read(c, la, v, len) != len) {
		put_addr(b, la);
		return;
	}
	if (a[1] == 1 && a[2] == 13 && len == 8)
		sb_printf(b, "{l_onoff=%d, l_linger=%d}", v[0], v[1]);
	else if (a[1] == 1 && a[2] == 17 && len == 12)
		sb_printf(b, "{pid=%d, uid=%u, gid=%u}", v[0], (unsigned)v[1], (unsigned)v[2]);
	else if (a[1] == 1 && (a[2] == 20 || a[2] == 21) && len == 16)
		sb_printf(b, "{tv_sec=%" PRId64 ", tv_usec=%" PRId64 "}",
			  (int64_t)((uint64_t)(uint32_t)v[1] << 32 | (uint32_t)v[0]),
			  (int64_t)((uint64_t)(uint32_t)v[3] << 32 | (uint32_t)v[2]));
	else if (len == 4)
		sb_printf(b, "[%d]", v[0]);
	else
		put_addr(b, la);
}

bool strace_put_net_arg(struct sbuf *b, struct cpu *c, int kind, int k, const uint64_t *a,
			int64_t ret, bool out)
{
	uint64_t v = a[k];
	bool failed = ret < 0 && ret >= -4095;
	switch (kind) {
	case A_SOCKFAM: put_xval(b, &xt_family, (uint32_t)v); return true;
	case A_SOCKTYPE:
		put_xval(b, &xt_socktype, v & 0xf);
		if (v & ~0xfULL) {
			sb_printf(b, "|");
			put_flags(b, &xf_sockflags, v & ~0xfULL);
		}
		return true;
	case A_SOCKPROTO:
		if (a[0] == 2 || a[0] == 10)
			put_xval(b, &xt_ipproto, (uint32_t)v);
		else
			sb_printf(b, "%d", (int)v);
		return true;
	case A_SOCKFLAGS: put_flags(b, &xf_sockflags, v); return true;
	case A_MSGFLAGS: put_flags(b, &xf_msg, v); return true;
	case A_SHUTHOW: put_xval(b, &xt_shut, v); return true;
	case A_SOCKLEVEL: put_xval(b, &xt_level, (uint32_t)v); return true;
	case A_SOCKOPTNAME: put_optname(b, a[1], v); return true;
	case A_SOCKADDR_IN: put_sockaddr(b, c, v, (uint32_t)a[k + 1]); return true;
	case A_SOCKOPT_IN: put_optval(b, c, a, v, (uint32_t)a[k + 1]); return true;
	case A_MSGHDR_IN: put_msghdr(b, c, v, -1); return true;
	case A_SOCKADDR_OUT:
		if (!out || failed)
			put_addr(b, v);
		else
			put_sockaddr_out(b, c, v, a[k + 1]);
		return true;
	case A_SOCKLEN_OUT: {
		uint32_t len;
		if (!v || guest_read(c, v, &len, 4) != 4)
			put_addr(b, v);
		else
			sb_printf(b, "[%u]", len);
		return true;
	}
	case A_SOCKOPT_OUT: {
		uint32_t len;
		if (!out || failed || !a[k + 1] || guest_read(c, a[k + 1], &len, 4) != 4)
			put_addr(b, v);
		else
			put_optval(b, c, a, v, len);
		return true;
	}
	case A_MSGHDR_OUT:
		if (!out || failed)
			put_addr(b, v);
		else
			put_msghdr(b, c, v, ret);
		return true;
	}
	return false;
}
