/* SPDX-License-Identifier: GPL-2.0 */
/* dbt.h - tiny helpers shared by the kmod test programs (run in the VM). */
#ifndef DBT_H
#define DBT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dbatch.h>

static int dbt_failures;
static int dbt_checks;

#define CHECK(cond, ...)						\
	do {								\
		dbt_checks++;						\
		if (!(cond)) {						\
			dbt_failures++;					\
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		CHECK(_a == _b, "%s = %lld, want %lld", #a, _a, _b);	\
	} while (0)

static inline int dbt_open_dev(void)
{
	int fd = open("/dev/batch", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror("open /dev/batch");
		exit(2);
	}
	return fd;
}

static inline struct dbatch_entry dbt_ent(unsigned int nr, unsigned long a0,
					  unsigned long a1, unsigned long a2,
					  unsigned long a3)
{
	struct dbatch_entry e;

	memset(&e, 0, sizeof(e));
	e.nr = nr;
	e.install_fd = -1;
	e.args[0] = a0;
	e.args[1] = a1;
	e.args[2] = a2;
	e.args[3] = a3;
	return e;
}

/* Submit; returns the ioctl's return (0 or -errno). */
static inline int dbt_submit(int dev, struct dbatch_entry *e, unsigned int n,
			     unsigned int flags, struct dbatch_submit *out)
{
	struct dbatch_submit s = {
		.entries = (unsigned long)e, .count = n, .flags = flags,
		.completed = 12345, .first_error = 12345,
	};
	int r = ioctl(dev, DBATCH_IOC_SUBMIT, &s);

	if (out)
		*out = s;
	return r < 0 ? -errno : r;
}

static inline int dbt_done(const char *name)
{
	printf("%s: %d checks, %d failures\n", name, dbt_checks, dbt_failures);
	printf("RESULT %s %s\n", name, dbt_failures ? "FAIL" : "PASS");
	return dbt_failures ? 1 : 0;
}

#endif
