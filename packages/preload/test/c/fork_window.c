/* fork() inside a window: the child sees what was written before it. */
#include <sys/wait.h>
#include "harness.h"

int main(void)
{
	long len;
	int status;
	int fd = open("fork.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);

	must_be_preloaded();
	CHECK(fd >= 0);
	batch_start();
	CHECK(write(fd, "A", 1) == 1);
	pid_t pid = fork();			/* flushes first */
	CHECK(pid >= 0);
	if (pid == 0) {
		char *s = raw_slurp("fork.txt", &len);

		if (!s || strcmp(s, "A"))
			_exit(10);
		batch_start();
		write(fd, "C", 1);
		s = raw_slurp("fork.txt", &len);
		if (strcmp(s, "A"))		/* the child batches on its own */
			_exit(11);
		_exit(0);			/* flushes */
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(write(fd, "B", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("fork.txt", &len), "ACB"));
	PASS();
}
