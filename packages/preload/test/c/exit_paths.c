/* Nothing pending is lost: exit(), _exit(), return from main, exec. */
#include <sys/wait.h>
#include "harness.h"

static int child(const char *how)
{
	int fd = open("exit.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);

	batch_start();
	write(fd, how, strlen(how));
	write(fd, "\n", 1);
	if (!strcmp(how, "exit"))
		exit(0);
	if (!strcmp(how, "_exit"))
		_exit(0);
	if (!strcmp(how, "exec"))
		execl("/bin/true", "true", (char *)NULL);
	return 0;				/* "return" */
}

int main(int argc, char **argv)
{
	static const char *const hows[] = { "exit", "_exit", "return", "exec" };
	long len;

	if (argc > 1)
		return child(argv[1]);
	must_be_preloaded();
	for (int i = 0; i < 4; i++) {
		int status;
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], hows[i], (char *)NULL);
			_exit(127);
		}
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
		CHECK(WEXITSTATUS(status) == 0);
	}
	CHECK(!strcmp(raw_slurp("exit.txt", &len), "exit\n_exit\nreturn\nexec\n"));
	PASS();
}
