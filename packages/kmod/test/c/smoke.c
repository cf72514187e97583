// SPDX-License-Identifier: GPL-2.0
/* smoke: the basic paths of /dev/batch. */
#include <sys/stat.h>
#include <sys/syscall.h>
#include "dbt.h"

int main(void)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e[8];
	struct dbatch_submit s;
	char buf[64];
	int ph, r;

	e[0] = dbt_ent(SYS_write, open("/dev/null", O_WRONLY), (unsigned long)"hello world\n", 12, 0);
	e[1] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
	e[2] = dbt_ent(99999, 0, 0, 0, 0);
	r = dbt_submit(dev, e, 3, 0, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, 12);
	CHECK_EQ(e[1].result, -ENOSYS);
	CHECK_EQ(e[2].result, -ENOSYS);
	CHECK_EQ(s.completed, 3);
	CHECK_EQ(s.first_error, 1);

	/* open -> write -> close through references, installed at a placeholder */
	ph = open("/dev/null", O_RDONLY);
	e[0] = dbt_ent(SYS_open, (unsigned long)"/tmp/smoke", O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
	e[0].flags = DBATCH_ENTRY_INSTALL_FD;
	e[0].install_fd = ph;
	e[1] = dbt_ent(SYS_write, 0, (unsigned long)"abc", 3, 0);
	e[1].flags = DBATCH_ARG_REF(0);
	e[2] = dbt_ent(SYS_write, 0, (unsigned long)"defg", 4, 0);
	e[2].flags = DBATCH_ARG_REF(0);
	e[3] = dbt_ent(SYS_close, 0, 0, 0, 0);
	e[3].flags = DBATCH_ARG_REF(0);
	r = dbt_submit(dev, e, 4, 0, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, ph);
	CHECK_EQ(e[1].result, 3);
	CHECK_EQ(e[2].result, 4);
	CHECK_EQ(e[3].result, 0);
	CHECK_EQ(s.first_error, -1);
	r = open("/tmp/smoke", O_RDONLY);
	CHECK_EQ(read(r, buf, sizeof(buf)), 7);
	CHECK(!memcmp(buf, "abcdefg", 7), "content");
	close(r);
	CHECK_EQ(fcntl(ph, F_GETFD), -1);

	return dbt_done("smoke");
}
