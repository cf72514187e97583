/* SPDX-License-Identifier: MIT */
/*
 * sys.c - a raw x86-64 system call. The library runs its own calls (and
 * the emulate backend runs batch entries) through this, so nothing it does
 * re-enters the interposed libc names, and errno is never touched.
 */
#include "internal.h"

long dbatch_sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
