/* SPDX-License-Identifier: MIT */
/*
 * interpose_flush.c - calls that are not deferred but must see the effects
 * of the calls deferred before them: they flush the thread's batch first,
 * then run. fstat() of a file opened in the window, dup2() onto a
 * placeholder, printf() after a deferred write(1, ...), mmap() of a file
 * written in the window, a signal sent to oneself... all see the program's
 * order. When nothing is pending this costs one TLS test.
 *
 * Calls not listed here (and calls libc makes internally) are not seen by
 * the library; see README "Limits".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

/* <stdio.h> may define these as macros at -O2 */
#undef fwrite_unlocked
#undef fputs_unlocked
#undef fputc_unlocked
#undef putc_unlocked
#undef putchar_unlocked
#undef fflush_unlocked
#undef putc
#undef getc

#define FLUSH_FIRST(ret, name, params, args)				\
	DBATCH_API ret name params					\
	{								\
		dbatch_flush_pending();					\
		return NEXT(name) args;					\
	}

/* file state */
FLUSH_FIRST(int, fstat, (int fd, struct stat *st), (fd, st))
FLUSH_FIRST(int, fstat64, (int fd, struct stat64 *st), (fd, st))
FLUSH_FIRST(int, stat, (const char *p, struct stat *st), (p, st))
FLUSH_FIRST(int, stat64, (const char *p, struct stat64 *st), (p, st))
FLUSH_FIRST(int, lstat, (const char *p, struct stat *st), (p, st))
FLUSH_FIRST(int, lstat64, (const char *p, struct stat64 *st), (p, st))
FLUSH_FIRST(int, fstatat, (int d, const char *p, struct stat *st, int f), (d, p, st, f))
FLUSH_FIRST(int, fstatat64, (int d, const char *p, struct stat64 *st, int f), (d, p, st, f))
FLUSH_FIRST(int, statx, (int d, const char *p, int f, unsigned int m, struct statx *st),
	    (d, p, f, m, st))
FLUSH_FIRST(int, access, (const char *p, int m), (p, m))
FLUSH_FIRST(int, faccessat, (int d, const char *p, int m, int f), (d, p, m, f))
FLUSH_FIRST(ssize_t, readlink, (const char *p, char *b, size_t n), (p, b, n))
FLUSH_FIRST(int, truncate, (const char *p, off_t n), (p, n))
FLUSH_FIRST(int, chmod, (const char *p, mode_t m), (p, m))
FLUSH_FIRST(int, fchmod, (int fd, mode_t m), (fd, m))
FLUSH_FIRST(int, chown, (const char *p, uid_t u, gid_t g), (p, u, g))
FLUSH_FIRST(int, fchown, (int fd, uid_t u, gid_t g), (fd, u, g))
FLUSH_FIRST(int, link, (const char *a, const char *b), (a, b))
FLUSH_FIRST(int, symlink, (const char *a, const char *b), (a, b))
FLUSH_FIRST(int, chdir, (const char *p), (p))
FLUSH_FIRST(int, fchdir, (int fd), (fd))
FLUSH_FIRST(void, sync, (void), ())
FLUSH_FIRST(int, syncfs, (int fd), (fd))
FLUSH_FIRST(int, flock, (int fd, int op), (fd, op))
FLUSH_FIRST(DIR *, opendir, (const char *p), (p))
FLUSH_FIRST(DIR *, fdopendir, (int fd), (fd))

/* fds */
FLUSH_FIRST(int, dup, (int fd), (fd))

/* dup2/dup3 onto a number this thread holds in its placeholder pool: the
 * program takes the number, so the pool lets go of it first. */
DBATCH_API int dup2(int a, int b)
{
	dbatch_flush_pending();
	dbatch_placeholder_forget(&dbatch_tls, b);
	return NEXT(dup2)(a, b);
}

DBATCH_API int dup3(int a, int b, int f)
{
	dbatch_flush_pending();
	dbatch_placeholder_forget(&dbatch_tls, b);
	return NEXT(dup3)(a, b, f);
}

/* closing ranges of fds may close the pool: release it first */
DBATCH_API int close_range(unsigned int first, unsigned int last, int flags)
{
	dbatch_flush_pending();
	dbatch_placeholder_release(&dbatch_tls);
	dbatch_placeholder_source_check(first, last);
	return NEXT(close_range)(first, last, flags);
}

DBATCH_API void closefrom(int low)
{
	dbatch_flush_pending();
	dbatch_placeholder_release(&dbatch_tls);
	dbatch_placeholder_source_check((unsigned int)low, ~0u);
	NEXT(closefrom)(low);
}
FLUSH_FIRST(int, pipe, (int p[2]), (p))
FLUSH_FIRST(int, pipe2, (int p[2], int f), (p, f))
FLUSH_FIRST(void *, mmap, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o))
FLUSH_FIRST(void *, mmap64, (void *a, size_t n, int p, int f, int fd, off_t o), (a, n, p, f, fd, o))
FLUSH_FIRST(ssize_t, readv, (int fd, const struct iovec *v, int n), (fd, v, n))
FLUSH_FIRST(ssize_t, preadv, (int fd, const struct iovec *v, int n, off_t o), (fd, v, n, o))
FLUSH_FIRST(ssize_t, pwritev, (int fd, const struct iovec *v, int n, off_t o), (fd, v, n, o))
FLUSH_FIRST(ssize_t, sendfile, (int o, int i, off_t *off, size_t n), (o, i, off, n))
FLUSH_FIRST(int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t),
	    (n, r, w, e, t))
FLUSH_FIRST(int, poll, (struct pollfd *p, nfds_t n, int t), (p, n, t))
FLUSH_FIRST(ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))
FLUSH_FIRST(ssize_t, recvfrom, (int fd, void *b, size_t n, int f, struct sockaddr *a,
				socklen_t *l), (fd, b, n, f, a, l))
FLUSH_FIRST(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))
FLUSH_FIRST(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))
FLUSH_FIRST(int, connect, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))
FLUSH_FIRST(int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
FLUSH_FIRST(int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int f), (fd, a, l, f))

/* processes and signals (fork/exec/exit are in interpose_process.c) */
FLUSH_FIRST(int, kill, (pid_t p, int s), (p, s))
FLUSH_FIRST(int, raise, (int s), (s))
FLUSH_FIRST(pid_t, waitpid, (pid_t p, int *s, int o), (p, s, o))
FLUSH_FIRST(pid_t, wait, (int *s), (s))

/* stdio: its own writes bypass the interposer, so order them here */
FLUSH_FIRST(int, fflush, (FILE *f), (f))
FLUSH_FIRST(int, fclose, (FILE *f), (f))
FLUSH_FIRST(FILE *, fopen, (const char *p, const char *m), (p, m))
FLUSH_FIRST(FILE *, fopen64, (const char *p, const char *m), (p, m))
FLUSH_FIRST(FILE *, freopen, (const char *p, const char *m, FILE *f), (p, m, f))
FLUSH_FIRST(FILE *, fdopen, (int fd, const char *m), (fd, m))
FLUSH_FIRST(int, puts, (const char *s), (s))
FLUSH_FIRST(int, fputs, (const char *s, FILE *f), (s, f))
FLUSH_FIRST(int, putchar, (int c), (c))
FLUSH_FIRST(int, fputc, (int c, FILE *f), (c, f))
FLUSH_FIRST(int, putc, (int c, FILE *f), (c, f))
FLUSH_FIRST(size_t, fwrite, (const void *p, size_t s, size_t n, FILE *f), (p, s, n, f))
FLUSH_FIRST(size_t, fread, (void *p, size_t s, size_t n, FILE *f), (p, s, n, f))
FLUSH_FIRST(char *, fgets, (char *s, int n, FILE *f), (s, n, f))
FLUSH_FIRST(int, fgetc, (FILE *f), (f))
FLUSH_FIRST(int, getchar, (void), ())
FLUSH_FIRST(ssize_t, getline, (char **l, size_t *n, FILE *f), (l, n, f))
FLUSH_FIRST(void, perror, (const char *s), (s))
FLUSH_FIRST(size_t, fwrite_unlocked, (const void *p, size_t s, size_t n, FILE *f), (p, s, n, f))
FLUSH_FIRST(int, fputs_unlocked, (const char *s, FILE *f), (s, f))
FLUSH_FIRST(int, fputc_unlocked, (int c, FILE *f), (c, f))
FLUSH_FIRST(int, putc_unlocked, (int c, FILE *f), (c, f))
FLUSH_FIRST(int, putchar_unlocked, (int c), (c))
FLUSH_FIRST(int, fflush_unlocked, (FILE *f), (f))
FLUSH_FIRST(void, vwarn, (const char *fmt, va_list ap), (fmt, ap))
FLUSH_FIRST(void, vwarnx, (const char *fmt, va_list ap), (fmt, ap))
FLUSH_FIRST(int, vprintf, (const char *fmt, va_list ap), (fmt, ap))
FLUSH_FIRST(int, vfprintf, (FILE *f, const char *fmt, va_list ap), (f, fmt, ap))
FLUSH_FIRST(int, vdprintf, (int fd, const char *fmt, va_list ap), (fd, fmt, ap))

int __vprintf_chk(int flag, const char *fmt, va_list ap);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
FLUSH_FIRST(int, __vprintf_chk, (int fl, const char *fmt, va_list ap), (fl, fmt, ap))
FLUSH_FIRST(int, __vfprintf_chk, (FILE *f, int fl, const char *fmt, va_list ap),
	    (f, fl, fmt, ap))

DBATCH_API int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	dbatch_flush_pending();
	va_start(ap, fmt);
	r = NEXT(vprintf)(fmt, ap);
	va_end(ap);
	return r;
}

DBATCH_API int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	dbatch_flush_pending();
	va_start(ap, fmt);
	r = NEXT(vfprintf)(f, fmt, ap);
	va_end(ap);
	return r;
}

DBATCH_API int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	dbatch_flush_pending();
	va_start(ap, fmt);
	r = NEXT(vdprintf)(fd, fmt, ap);
	va_end(ap);
	return r;
}

int __printf_chk(int flag, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

DBATCH_API int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	dbatch_flush_pending();
	va_start(ap, fmt);
	r = NEXT(__vprintf_chk)(flag, fmt, ap);
	va_end(ap);
	return r;
}

DBATCH_API int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	dbatch_flush_pending();
	va_start(ap, fmt);
	r = NEXT(__vfprintf_chk)(f, flag, fmt, ap);
	va_end(ap);
	return r;
}

DBATCH_API void warn(const char *fmt, ...)
{
	va_list ap;

	dbatch_flush_pending();
	va_start(ap, fmt);
	NEXT(vwarn)(fmt, ap);
	va_end(ap);
}

DBATCH_API void warnx(const char *fmt, ...)
{
	va_list ap;

	dbatch_flush_pending();
	va_start(ap, fmt);
	NEXT(vwarnx)(fmt, ap);
	va_end(ap);
}

/* err()/errx() print and exit: flush, then let glibc do both */
DBATCH_API void verr(int status, const char *fmt, va_list ap)
{
	dbatch_flush_pending();
	NEXT(verr)(status, fmt, ap);
	__builtin_unreachable();
}

DBATCH_API void verrx(int status, const char *fmt, va_list ap)
{
	dbatch_flush_pending();
	NEXT(verrx)(status, fmt, ap);
	__builtin_unreachable();
}

DBATCH_API void err(int status, const char *fmt, ...)
{
	va_list ap;

	dbatch_flush_pending();
	va_start(ap, fmt);
	NEXT(verr)(status, fmt, ap);
	__builtin_unreachable();
}

DBATCH_API void errx(int status, const char *fmt, ...)
{
	va_list ap;

	dbatch_flush_pending();
	va_start(ap, fmt);
	NEXT(verrx)(status, fmt, ap);
	__builtin_unreachable();
}

/* variadic fd calls: the third argument is passed on as a word */
DBATCH_API int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	dbatch_flush_pending();
	return NEXT(fcntl)(fd, cmd, arg);
}

DBATCH_API int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	dbatch_flush_pending();
	return NEXT(fcntl64)(fd, cmd, arg);
}

DBATCH_API int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	dbatch_flush_pending();
	return NEXT(ioctl)(fd, req, arg);
}
