/*
 * xattr.c - extended attributes (the calls of fs/xattr.c).
 *
 * The host-call device offers no extended attributes, so this kernel's
 * file system is one without them: every call on a file that exists
 * answers EOPNOTSUPP, as Linux does on such a file system.  Programs
 * take that as "no ACL, no SELinux label" (ls -l, cp -a, tar); before
 * that the usual errors come as Linux gives them (ENOENT for a missing
 * path, EBADF for a bad descriptor).
 */
#include "sched.h"
#include "fs.h"

static long path_xattr(const char __user *path, bool follow)
{
	static struct stat kst;
	long err = getname(0, path);
	if (err < 0)
		return err;
	err = hostcall(LSTAR_HC_FSTATAT, LSTAR_HC_DIR_CWD, hc_pa(hc_path[0]), hc_pa(&kst),
		       follow ? 0 : AT_SYMLINK_NOFOLLOW, 0, 0);
	return err < 0 ? err : -EOPNOTSUPP;
}

static long fd_xattr(int fd)
{
	return fget(fd) ? -EOPNOTSUPP : -EBADF;
}

SYSCALL_DEFINE1(getxattr, const char __user *, path) { return path_xattr(path, true); }
SYSCALL_DEFINE1(lgetxattr, const char __user *, path) { return path_xattr(path, false); }
SYSCALL_DEFINE1(fgetxattr, int, fd) { return fd_xattr(fd); }
SYSCALL_DEFINE1(setxattr, const char __user *, path) { return path_xattr(path, true); }
SYSCALL_DEFINE1(lsetxattr, const char __user *, path) { return path_xattr(path, false); }
SYSCALL_DEFINE1(fsetxattr, int, fd) { return fd_xattr(fd); }
SYSCALL_DEFINE1(listxattr, const char __user *, path) { return path_xattr(path, true); }
SYSCALL_DEFINE1(llistxattr, const char __user *, path) { return path_xattr(path, false); }
SYSCALL_DEFINE1(flistxattr, int, fd) { return fd_xattr(fd); }
SYSCALL_DEFINE1(removexattr, const char __user *, path) { return path_xattr(path, true); }
SYSCALL_DEFINE1(lremovexattr, const char __user *, path) { return path_xattr(path, false); }
SYSCALL_DEFINE1(fremovexattr, int, fd) { return fd_xattr(fd); }
