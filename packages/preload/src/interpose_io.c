/* SPDX-License-Identifier: MIT */
/*
 * interpose_io.c - the catalogue calls, under every libc name glibc
 * exports for them (DBATCH_LIBC_NAMES), including the 64-bit aliases and
 * the _FORTIFY_SOURCE __*_chk entry points.
 *
 * Each one records the call when the thread is inside a window (and the
 * call can be recorded), else flushes what is pending and calls the next
 * definition of the same name (glibc's), so cancellation points, errno and
 * vDSO details stay libc's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "internal.h"

/* glibc's internal aliases, not declared by its headers */
ssize_t __write(int, const void *, size_t);
ssize_t __pwrite64(int, const void *, size_t, off_t);
ssize_t __read(int, void *, size_t);
ssize_t __read_chk(int, void *, size_t, size_t);
ssize_t __pread64(int, void *, size_t, off_t);
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off_t, size_t);
int __open(const char *, int, ...);
int __open64(const char *, int, ...);
int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);
int __close(int);
off_t __lseek(int, off_t, int);
ssize_t __send(int, const void *, size_t, int);
ssize_t __sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

/*
 * DEFER(call, args...) - inside a window, record @call and return its
 * deferred result; when it cannot be recorded, flush and fall through to
 * the direct call that follows.
 */
#define DEFER(call, ...)						\
	do {								\
		if (unlikely(dbatch_recording())) {			\
			long a_[6] = { __VA_ARGS__ };			\
			long r_;					\
			if (dbatch_record(DBATCH_CALL_##call, a_, &r_) == 0) \
				return r_;				\
			dbatch_flush_pending();				\
		}							\
	} while (0)

/* Calls that are only flushed-then-run in this situation. */
#define DIRECT_IF(cond)							\
	do {								\
		if (unlikely(cond) && dbatch_recording()) {		\
			dbatch_flush_pending();				\
			goto direct;					\
		}							\
	} while (0)

static inline int open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

#define OPEN_MODE(flags, mode)						\
	do {								\
		if (open_has_mode(flags)) {				\
			va_list ap_;					\
			va_start(ap_, flags);				\
			mode = va_arg(ap_, int);			\
			va_end(ap_);					\
		}							\
	} while (0)

/* ---- write, pwrite64, writev ---- */

#define WRITE_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, const void *buf, size_t n)	\
	{								\
		if (unlikely(dbatch_recording()) &&			\
		    dbatch_record_write_fast(fd, buf, n) == 0)		\
			return (ssize_t)n;				\
		DEFER(write, fd, (long)buf, (long)n);			\
		return NEXT(fn)(fd, buf, n);				\
	}
WRITE_BODY(write)
WRITE_BODY(__write)

#define PWRITE_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, const void *buf, size_t n, off_t off) \
	{								\
		DEFER(pwrite64, fd, (long)buf, (long)n, off);		\
		return NEXT(fn)(fd, buf, n, off);			\
	}
PWRITE_BODY(pwrite)
PWRITE_BODY(pwrite64)
PWRITE_BODY(__pwrite64)

DBATCH_API ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	DEFER(writev, fd, (long)iov, cnt);
	return NEXT(writev)(fd, iov, cnt);
}

/* ---- read, pread64 (not deferred in seed mode) ---- */

#define READ_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, void *buf, size_t n)		\
	{								\
		DIRECT_IF(dbatch_tls.seed);				\
		DEFER(read, fd, (long)buf, (long)n);			\
	direct:								\
		return NEXT(fn)(fd, buf, n);				\
	}
READ_BODY(read)
READ_BODY(__read)

DBATCH_API ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	DIRECT_IF(dbatch_tls.seed || n > buflen);
	DEFER(read, fd, (long)buf, (long)n);
direct:
	return NEXT(__read_chk)(fd, buf, n, buflen);
}

#define PREAD_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, void *buf, size_t n, off_t off)	\
	{								\
		DIRECT_IF(dbatch_tls.seed);				\
		DEFER(pread64, fd, (long)buf, (long)n, off);		\
	direct:								\
		return NEXT(fn)(fd, buf, n, off);			\
	}
PREAD_BODY(pread)
PREAD_BODY(pread64)
PREAD_BODY(__pread64)

#define PREAD_CHK_BODY(fn)						\
	DBATCH_API ssize_t fn(int fd, void *buf, size_t n, off_t off, size_t buflen) \
	{								\
		DIRECT_IF(dbatch_tls.seed || n > buflen);		\
		DEFER(pread64, fd, (long)buf, (long)n, off);		\
	direct:								\
		return NEXT(fn)(fd, buf, n, off, buflen);		\
	}
PREAD_CHK_BODY(__pread_chk)
PREAD_CHK_BODY(__pread64_chk)

/* ---- open, openat, creat ---- */

#define OPEN_BODY(fn)							\
	DBATCH_API int fn(const char *path, int flags, ...)		\
	{								\
		int mode = 0;						\
		OPEN_MODE(flags, mode);					\
		DEFER(open, (long)path, flags, mode);			\
		return NEXT(fn)(path, flags, mode);			\
	}
OPEN_BODY(open)
OPEN_BODY(open64)
OPEN_BODY(__open)
OPEN_BODY(__open64)

#define OPEN2_BODY(fn)							\
	DBATCH_API int fn(const char *path, int flags)			\
	{								\
		DIRECT_IF(open_has_mode(flags));			\
		DEFER(open, (long)path, flags, 0);			\
	direct:								\
		return NEXT(fn)(path, flags);				\
	}
OPEN2_BODY(__open_2)
OPEN2_BODY(__open64_2)

#define OPENAT_BODY(fn)							\
	DBATCH_API int fn(int dirfd, const char *path, int flags, ...)	\
	{								\
		int mode = 0;						\
		OPEN_MODE(flags, mode);					\
		DEFER(openat, dirfd, (long)path, flags, mode);		\
		return NEXT(fn)(dirfd, path, flags, mode);		\
	}
OPENAT_BODY(openat)
OPENAT_BODY(openat64)

#define OPENAT2_BODY(fn)						\
	DBATCH_API int fn(int dirfd, const char *path, int flags)	\
	{								\
		DIRECT_IF(open_has_mode(flags));			\
		DEFER(openat, dirfd, (long)path, flags, 0);		\
	direct:								\
		return NEXT(fn)(dirfd, path, flags);			\
	}
OPENAT2_BODY(__openat_2)
OPENAT2_BODY(__openat64_2)

#define CREAT_BODY(fn)							\
	DBATCH_API int fn(const char *path, mode_t mode)		\
	{								\
		DEFER(creat, (long)path, mode);				\
		return NEXT(fn)(path, mode);				\
	}
CREAT_BODY(creat)
CREAT_BODY(creat64)

/* ---- close, lseek, fsync, fdatasync, ftruncate ---- */

#define CLOSE_BODY(fn)							\
	DBATCH_API int fn(int fd)					\
	{								\
		DEFER(close, fd);					\
		return NEXT(fn)(fd);					\
	}
CLOSE_BODY(close)
CLOSE_BODY(__close)

/* Only SEEK_SET has a result known at record time. */
#define LSEEK_BODY(fn)							\
	DBATCH_API off_t fn(int fd, off_t off, int whence)		\
	{								\
		DIRECT_IF(whence != SEEK_SET || off < 0);		\
		DEFER(lseek, fd, off, whence);				\
	direct:								\
		return NEXT(fn)(fd, off, whence);			\
	}
LSEEK_BODY(lseek)
LSEEK_BODY(lseek64)
LSEEK_BODY(__lseek)

DBATCH_API int fsync(int fd)
{
	DEFER(fsync, fd);
	return NEXT(fsync)(fd);
}

DBATCH_API int fdatasync(int fd)
{
	DEFER(fdatasync, fd);
	return NEXT(fdatasync)(fd);
}

#define FTRUNCATE_BODY(fn)						\
	DBATCH_API int fn(int fd, off_t len)				\
	{								\
		DEFER(ftruncate, fd, len);				\
		return NEXT(fn)(fd, len);				\
	}
FTRUNCATE_BODY(ftruncate)
FTRUNCATE_BODY(ftruncate64)

/* ---- paths ---- */

DBATCH_API int unlink(const char *path)
{
	DEFER(unlink, (long)path);
	return NEXT(unlink)(path);
}

DBATCH_API int unlinkat(int dirfd, const char *path, int flags)
{
	DEFER(unlinkat, dirfd, (long)path, flags);
	return NEXT(unlinkat)(dirfd, path, flags);
}

DBATCH_API int mkdir(const char *path, mode_t mode)
{
	DEFER(mkdir, (long)path, mode);
	return NEXT(mkdir)(path, mode);
}

DBATCH_API int mkdirat(int dirfd, const char *path, mode_t mode)
{
	DEFER(mkdirat, dirfd, (long)path, mode);
	return NEXT(mkdirat)(dirfd, path, mode);
}

DBATCH_API int rmdir(const char *path)
{
	DEFER(rmdir, (long)path);
	return NEXT(rmdir)(path);
}

DBATCH_API int rename(const char *from, const char *to)
{
	DEFER(rename, (long)from, (long)to);
	return NEXT(rename)(from, to);
}

DBATCH_API int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	DEFER(renameat, fromfd, (long)from, tofd, (long)to);
	return NEXT(renameat)(fromfd, from, tofd, to);
}

/* ---- sockets ---- */

#define SEND_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, const void *buf, size_t n, int flags) \
	{								\
		DEFER(send, fd, (long)buf, (long)n, flags);		\
		return NEXT(fn)(fd, buf, n, flags);			\
	}
SEND_BODY(send)
SEND_BODY(__send)

#define SENDTO_BODY(fn)							\
	DBATCH_API ssize_t fn(int fd, const void *buf, size_t n, int flags, \
			      const struct sockaddr *to, socklen_t tolen) \
	{								\
		DEFER(sendto, fd, (long)buf, (long)n, flags, (long)to, tolen); \
		return NEXT(fn)(fd, buf, n, flags, to, tolen);		\
	}
SENDTO_BODY(sendto)
SENDTO_BODY(__sendto)

DBATCH_API int shutdown(int fd, int how)
{
	DEFER(shutdown, fd, how);
	return NEXT(shutdown)(fd, how);
}
