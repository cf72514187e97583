/* A deferred open returns a reserved, valid fd that becomes the file. */
#include "harness.h"

int main(void)
{
	long len;

	must_be_preloaded();
	CHECK(batch_start() == 0);
	CHECK(write(1, "", 0) == 0);	/* pending: the opens below are deferred */
	int a = open("a.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int b = open("b.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(a >= 0 && b >= 0 && a != b);
	CHECK(raw_fd_valid(a) && raw_fd_valid(b));	/* reserved already */
	CHECK(raw_slurp("a.txt", &len) == NULL);	/* not opened yet */
	/* a direct open in between gets another number */
	int c = (int)syscall(SYS_open, "/dev/null", O_RDONLY);
	CHECK(c >= 0 && c != a && c != b);
	CHECK(write(a, "into a\n", 7) == 7);
	CHECK(write(b, "into b\n", 7) == 7);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("a.txt", &len), "into a\n"));
	CHECK(!strcmp(raw_slurp("b.txt", &len), "into b\n"));
	/* O_CLOEXEC as the program asked */
	CHECK(syscall(SYS_fcntl, a, F_GETFD) == FD_CLOEXEC);
	CHECK(syscall(SYS_fcntl, b, F_GETFD) == 0);
	/* the numbers are the files now: direct writes land there */
	CHECK(syscall(SYS_write, a, "more\n", 5) == 5);
	CHECK(!strcmp(raw_slurp("a.txt", &len), "into a\nmore\n"));
	close(a);
	close(b);
	close(c);
	CHECK(!raw_fd_valid(a));
	/* many opens in one window: more than the pool holds */
	batch_start();
	for (int i = 0; i < 40; i++) {
		char name[32];

		snprintf(name, sizeof(name), "m%02d.txt", i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		CHECK(fd >= 0);
		CHECK(write(fd, name, 3) == 3);
		CHECK(close(fd) == 0);
	}
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("m39.txt", &len), "m39"));
	PASS();
}
