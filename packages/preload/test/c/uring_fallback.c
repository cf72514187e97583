/* DBATCH_BACKEND=uring where io_uring is refused (seccomp: EPERM) falls back to emulate. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "harness.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

static int inner(void)
{
	struct dbatch_stats st;
	long len;

	CHECK(batch_stats(&st) == 0 && !strcmp(st.backend, "emulate"));
	int fd = open("fb.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	batch_start();
	write(fd, "a", 1);
	write(fd, "b", 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("fb.txt", &len), "ab"));
	CHECK(stat_recorded() == 2);
	return 0;
}

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };

	if (argc > 1)
		return inner();
	must_be_preloaded();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(3);
		setenv("DBATCH_BACKEND", "uring", 1);
		execl("/proc/self/exe", argv[0], "inner", (char *)NULL);
		_exit(127);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(WEXITSTATUS(status) == 0);
	PASS();
}
