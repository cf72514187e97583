/* A read recorded in a window fills the program's buffer at flush. */
#include "harness.h"

int main(void)
{
	char buf[16];
	int w = open("r.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	must_be_preloaded();
	CHECK(w >= 0 && write(w, "0123456789", 10) == 10);
	close(w);
	int fd = open("r.txt", O_RDONLY);
	CHECK(fd >= 0);
	memset(buf, '.', sizeof(buf));
	batch_start();
	CHECK(read(fd, buf, 4) == 4);			/* optimistic */
	CHECK(pread(fd, buf + 8, 3, 7) == 3);
	CHECK(buf[0] == '.' && buf[8] == '.');		/* not yet */
	CHECK(batch_flush() == 0);
	CHECK(!memcmp(buf, "0123....789", 11));
	PASS();
}
