/*
 * exit()/_exit()/return from main on one thread while ANOTHER thread has
 * calls pending in an open window: the unbatched program had already run
 * them, so they must reach the file (exactly once, in order).
 *
 * Each case runs in a child process (the exit ends it); the parent checks
 * the files. Besides exit/_exit/return: exec (also ends the other
 * threads), exit from a signal handler, and a forked child's exit (must not
 * run the parent's other thread's copy of the batch: no line twice). All
 * of it twice: as is, and with membarrier refused by seccomp (the library
 * then fences on the recording side instead).
 * "stress" lets 4 threads record without pause (two of them exit on the
 * way, with a window open) while the main thread exits: every write that
 * had returned before exit() must be in its file, none twice, no line torn.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "harness.h"

#define NLINES 50

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;
#define NSTRESS 4
static atomic_long done[NSTRESS];	/* stress: writes that have returned */

/* wait forever: pthread_cond_wait is not interposed, so nothing flushes */
static void block_forever(void)
{
	pthread_mutex_lock(&mu);
	ready = 1;
	pthread_cond_broadcast(&cv);
	for (;;)
		pthread_cond_wait(&cv, &mu);
}

static void *recorder(void *arg)
{
	int fd = (int)(long)arg;
	char line[32];

	batch_start();
	for (int i = 0; i < NLINES; i++) {
		int n = snprintf(line, sizeof(line), "B%04d\n", i);

		write(fd, line, n);
	}
	/* a deferred open -> write -> close of a second file (placeholder) */
	int g = open("other.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(g, "placeholder\n", 12);
	close(g);
	block_forever();
	return NULL;
}

/* stress: NSTRESS threads, each its own file and flush period; the odd
 * ones return (thread exit with a window open) while the others go on */
static void *stress(void *arg)
{
	long id = (long)arg, period = 7 + 10 * id;
	char name[32], line[32];
	int fd;

	snprintf(name, sizeof(name), "s%ld.txt", id);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (long i = 0;; i++) {
		int n = snprintf(line, sizeof(line), "%07ld\n", i);

		if (i % period == 0)
			batch_start();
		write(fd, line, n);
		atomic_store(&done[id], i + 1);
		if (i % period == period - 1)
			batch_flush();
		if (id % 2 && i == 300 * id)
			return NULL;
		if (id == 0 && i == 1000) {
			pthread_mutex_lock(&mu);
			ready = 1;
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
		}
	}
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	exit(0);
}

static int child(const char *how)
{
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int is_stress = !strcmp(how, "stress");
	pthread_t th;
	long len;

	CHECK(fd >= 0);
	if (is_stress) {
		for (long i = 0; i < NSTRESS; i++)
			CHECK(pthread_create(&th, NULL, stress, (void *)i) == 0);
	} else {
		CHECK(pthread_create(&th, NULL, recorder, (void *)(long)fd) == 0);
	}
	pthread_mutex_lock(&mu);
	while (!ready)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	if (is_stress) {
		long n[NSTRESS];

		for (int i = 0; i < NSTRESS; i++)
			n[i] = atomic_load(&done[i]);
		/* raw write: the parent learns how many writes had returned */
		syscall(SYS_write, 3, n, sizeof(n));
		exit(0);
	}
	/* still pending on the other thread: nothing written yet */
	CHECK(raw_slurp("out.txt", &len) && len == 0);
	if (!strcmp(how, "exit"))
		exit(0);
	if (!strcmp(how, "_exit"))
		_exit(0);
	if (!strcmp(how, "exec"))
		execl("/bin/true", "true", (char *)NULL);
	if (!strcmp(how, "signal")) {
		signal(SIGUSR1, on_usr1);
		raise(SIGUSR1);
	}
	if (!strcmp(how, "fork")) {
		int status;
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			exit(0);
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
		CHECK(raw_slurp("out.txt", &len) && len == 0);
		exit(0);
	}
	return 0;				/* "return" */
}

static void check_recorder_files(void)
{
	char want[NLINES * 6 + 1], *p = want;
	long len;

	for (int i = 0; i < NLINES; i++)
		p += sprintf(p, "B%04d\n", i);
	char *s = raw_slurp("out.txt", &len);
	CHECK(s && !strcmp(s, want));
	s = raw_slurp("other.txt", &len);
	CHECK(s && !strcmp(s, "placeholder\n"));
}

static void check_stress_file(const char *name, long returned)
{
	static char buf[1 << 22];
	long fd = syscall(SYS_open, name, O_RDONLY), n = 0, r;

	if (fd < 0 && errno == ENOENT && returned == 0)
		return;		/* a busy machine never ran that thread before the exit */
	CHECK(fd >= 0);
	while ((r = syscall(SYS_read, fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	syscall(SYS_close, fd);
	CHECK(n % 8 == 0);			/* no torn line */
	CHECK(n / 8 >= returned);		/* nothing that had returned is lost */
	for (long i = 0; i < n / 8; i++) {	/* in order, none twice */
		char line[32];

		snprintf(line, sizeof(line), "%07ld\n", i);
		CHECK(!memcmp(buf + 8 * i, line, 8));
	}
}

static int refuse_membarrier(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_membarrier, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };

	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv)
{
	static const char *const hows[] = {
		"exit", "_exit", "return", "exec", "signal", "fork", "stress", "stress", "stress",
	};

	if (argc > 1)
		return child(argv[1]);
	must_be_preloaded();
	const unsigned int ncases = sizeof(hows) / sizeof(hows[0]);

	for (unsigned int i = 0; i < 2 * ncases; i++) {
		const char *how = hows[i % ncases];
		int status, p[2];
		long returned[NSTRESS];

		CHECK(pipe(p) == 0);
		unlink("out.txt");
		unlink("other.txt");
		unlink("stats.txt");
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			dup2(p[1], 3);
			setenv("DBATCH_STATS_FILE", "stats.txt", 1);
			if (i >= ncases && refuse_membarrier())
				_exit(126);
			execl("/proc/self/exe", argv[0], how, (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
		if (WEXITSTATUS(status) != 0)
			fprintf(stderr, "case %s%s: exit status %d\n", how,
				i >= ncases ? " (no membarrier)" : "", WEXITSTATUS(status));
		CHECK(WEXITSTATUS(status) == 0);
		if (!strcmp(how, "stress")) {
			CHECK(read(p[0], returned, sizeof(returned)) == sizeof(returned));
			for (int k = 0; k < NSTRESS; k++) {
				char name[32];

				snprintf(name, sizeof(name), "s%d.txt", k);
				check_stress_file(name, returned[k]);
			}
		} else {
			long len;

			check_recorder_files();
			/* the other thread's calls count in the stats line */
			char *st = raw_slurp("stats.txt", &len);
			CHECK(st && strstr(st, " recorded=53 "));
		}
		close(p[0]);
	}
	PASS();
}
