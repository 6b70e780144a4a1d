/*
 * linux_errno.h - the error numbers of x86-64 Linux, which the host-call
 * device returns (as -LINUX_E*) whatever the host's own <errno.h> says:
 * they are part of the guest ABI (include/lstar/hostcall.h), so the device
 * names them here and hc_lerr() translates host errno values to them.
 */
#ifndef LSTAR_EMU_LINUX_ERRNO_H
#define LSTAR_EMU_LINUX_ERRNO_H

#define LINUX_EPERM         1
#define LINUX_ENOENT        2
#define LINUX_ESRCH         3
#define LINUX_EINTR         4
#define LINUX_EIO           5
#define LINUX_ENXIO         6
#define LINUX_E2BIG         7
#define LINUX_EBADF         9
#define LINUX_EAGAIN        11
#define LINUX_ENOMEM        12
#define LINUX_EACCES        13
#define LINUX_EFAULT        14
#define LINUX_EBUSY         16
#define LINUX_EEXIST        17
#define LINUX_EXDEV         18
#define LINUX_ENODEV        19
#define LINUX_ENOTDIR       20
#define LINUX_EISDIR        21
#define LINUX_EINVAL        22
#define LINUX_ENFILE        23
#define LINUX_EMFILE        24
#define LINUX_ENOTTY        25
#define LINUX_ETXTBSY       26
#define LINUX_EFBIG         27
#define LINUX_ENOSPC        28
#define LINUX_ESPIPE        29
#define LINUX_EROFS         30
#define LINUX_EMLINK        31
#define LINUX_EPIPE         32
#define LINUX_ERANGE        34
#define LINUX_ENAMETOOLONG  36
#define LINUX_ENOSYS        38
#define LINUX_ENOTEMPTY     39
#define LINUX_ELOOP         40
#define LINUX_EOVERFLOW     75
#define LINUX_EOPNOTSUPP    95
#define LINUX_ETIMEDOUT     110

/* sockets */
#define LINUX_ENOTSOCK	88
#define LINUX_EDESTADDRREQ	89
#define LINUX_EMSGSIZE	90
#define LINUX_EPROTOTYPE	91
#define LINUX_ENOPROTOOPT	92
#define LINUX_EPROTONOSUPPORT	93
#define LINUX_ESOCKTNOSUPPORT	94
#define LINUX_EPFNOSUPPORT	96
#define LINUX_EAFNOSUPPORT	97
#define LINUX_EADDRINUSE	98
#define LINUX_EADDRNOTAVAIL	99
#define LINUX_ENETDOWN	100
#define LINUX_ENETUNREACH	101
#define LINUX_ENETRESET	102
#define LINUX_ECONNABORTED	103
#define LINUX_ECONNRESET	104
#define LINUX_ENOBUFS	105
#define LINUX_EISCONN	106
#define LINUX_ENOTCONN	107
#define LINUX_ESHUTDOWN	108
#define LINUX_ETOOMANYREFS	109
#define LINUX_ECONNREFUSED	111
#define LINUX_EHOSTDOWN	112
#define LINUX_EHOSTUNREACH	113
#define LINUX_EALREADY	114
#define LINUX_EINPROGRESS	115

#endif
