/*
 * batch_open_unseen(): an open whose number the program never reads is
 * recorded without a system call, even with nothing pending, and runs with
 * the batch, taking the lowest free number then, as the plain open does.
 * The fd table after each window is the plain program's; calls on the
 * stand-in reach the opened file whether they are recorded before the open
 * ran, after an automatic flush ran it, or run directly.
 */
#include <pthread.h>
#include <signal.h>
#include "harness.h"

static int handler_fd = -2;

/* A handler's calls run directly, after the thread's pending ones. */
static void on_usr1(int sig)
{
	(void)sig;
	handler_fd = open("handler.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(handler_fd, "h", 1);
	close(handler_fd);
}

/* Each thread its own windows and stand-ins, at the same time. */
static void *opener(void *arg)
{
	long id = (long)arg;
	char name[64], line[64];

	for (int round = 0; round < 50; round++) {
		snprintf(name, sizeof(name), "thread-%ld-%d.txt", id, round);
		snprintf(line, sizeof(line), "%ld/%d\n", id, round);
		batch_start();
		int fd = batch_open_unseen(open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644));
		write(fd, line, strlen(line));
		close(fd);
		if (batch_flush() != 0)
			return (void *)1;
	}
	return NULL;
}

static int lowest_free(void)
{
	long fd = syscall(SYS_fcntl, 0, F_DUPFD, 0);

	CHECK(fd >= 0);
	syscall(SYS_close, fd);
	return (int)fd;
}

/* The file fd @fd refers to, as the kernel says (/proc/self/fd). */
static const char *fd_path(int fd)
{
	static char target[4096];
	char link[64];
	long n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = syscall(SYS_readlink, link, target, sizeof(target) - 1);
	if (n < 0)
		return "";
	target[n] = 0;
	return target;
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

int main(void)
{
	static char big[100000];
	struct dbatch_error err;
	struct dbatch_stats stats;
	struct stat st;
	char name[64];
	long len, rec;
	int low, fd, seen;

	must_be_preloaded();
	low = lowest_free();

	/* open, write, close: nothing runs before the flush */
	CHECK(batch_start() == 0);
	rec = stat_recorded();
	fd = batch_open_unseen(open("a.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(raw_slurp("a.txt", &len) == NULL);	/* not run: no system call */
	CHECK(write(fd, "one\n", 4) == 4);
	CHECK(close(fd) == 0);
	CHECK(stat_recorded() - rec == 3);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("a.txt", &len), "one\n"));
	CHECK(lowest_free() == low);			/* opened and closed */

	/* left open: at the lowest free number, as the plain open */
	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("b.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "two\n", 4) == 4);
	CHECK(batch_flush() == 0);
	CHECK(ends_with(fd_path(low), "/b.txt"));
	CHECK(!strcmp(raw_slurp("b.txt", &len), "two\n"));
	syscall(SYS_close, low);

	/* a failed open: its calls fail as on -1, errno EBADF, the open first */
	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("missing/x.txt", O_RDONLY));
	CHECK(write(fd, "x", 1) == 1);
	CHECK(close(fd) == 0);
	errno = 0;
	CHECK(batch_flush() == -1);
	CHECK(errno == EBADF);
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.error == ENOENT && err.index == 0);
	CHECK(lowest_free() == low);

	/* calls that run directly on it (too large to record; lseek SEEK_END)
	 * are given the number, and the calls recorded after them too */
	memset(big, 'b', sizeof(big));
	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("c.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "head", 4) == 4);
	CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	CHECK(lseek(fd, 0, SEEK_END) == 4 + (off_t)sizeof(big));
	CHECK(write(fd, "tail", 4) == 4);
	CHECK(close(fd) == 0);
	CHECK(batch_flush() == 0);
	CHECK(stat("c.txt", &st) == 0 && st.st_size == 4 + (off_t)sizeof(big) + 4);
	CHECK(!memcmp(raw_slurp("c.txt", &len), "headbbbb", 8));
	fd = open("c.txt", O_RDONLY);
	CHECK(raw_pread(fd, name, 5, st.st_size - 5) == 5 && !memcmp(name, "btail", 5));
	CHECK(close(fd) == 0);
	CHECK(lowest_free() == low);

	/*
	 * An open whose number is read, after a stand-in in the same batch,
	 * gets the number the plain open would: the stand-in's open ran
	 * first and took the lowest.
	 */
	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("d.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	seen = open("e.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(seen == low + 1);
	CHECK(write(fd, "d", 1) == 1);
	CHECK(write(seen, "e", 1) == 1);
	CHECK(close(fd) == 0);
	CHECK(close(seen) == 0);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("d.txt", &len), "d"));
	CHECK(!strcmp(raw_slurp("e.txt", &len), "e"));
	CHECK(lowest_free() == low);

	/*
	 * More opens than a batch holds, and than the window has stand-ins
	 * for (4096): automatic flushes run the opens in the middle, the
	 * calls recorded after them use their numbers, and past the last
	 * stand-in the opens reserve numbers; every file gets its own line.
	 */
	CHECK(batch_start() == 0);
	for (int i = 0; i < 4200; i++) {
		snprintf(name, sizeof(name), "many-%d.txt", i);
		fd = batch_open_unseen(open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644));
		CHECK(write(fd, name, strlen(name)) == (ssize_t)strlen(name));
		CHECK(close(fd) == 0);
	}
	CHECK(batch_flush() == 0);
	for (int i = 0; i < 4200; i += 199) {
		snprintf(name, sizeof(name), "many-%d.txt", i);
		CHECK(!strcmp(raw_slurp(name, &len), name));
	}
	snprintf(name, sizeof(name), "many-%d.txt", 4199);
	CHECK(!strcmp(raw_slurp(name, &len), name));
	CHECK(lowest_free() == low);

	/*
	 * A signal handler runs after the thread's pending calls, the
	 * stand-in's open among them: its own open gets the next number, as
	 * in the plain program, where the open ran before the signal.
	 */
	CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("g.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "g", 1) == 1);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(write(fd, "h", 1) == 1);
	CHECK(close(fd) == 0);
	CHECK(batch_flush() == 0);
	CHECK(handler_fd == low + 1);
	CHECK(!strcmp(raw_slurp("g.txt", &len), "gh"));
	CHECK(!strcmp(raw_slurp("handler.txt", &len), "h"));
	CHECK(lowest_free() == low);

	/*
	 * Writes to a stand-in's file merge like writes to any fd: uring makes
	 * the open, one fstat, one writev and the close (emulate all ten).
	 */
	CHECK(batch_stats(&stats) == 0);
	unsigned long long before = stats.kernel_entries;

	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("log.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (int i = 0; i < 8; i++)
		CHECK(write(fd, "a line.\n", 8) == 8);
	CHECK(close(fd) == 0);
	CHECK(batch_flush() == 0);
	CHECK(batch_stats(&stats) == 0);
	if (!strcmp(stats.backend, "uring"))
		CHECK(stats.kernel_entries - before <= 4);
	else if (!strcmp(stats.backend, "emulate"))
		CHECK(stats.kernel_entries - before == 10);
	CHECK(raw_slurp("log.txt", &len) && len == 64);

	/*
	 * Threads: their opens and numbers do not mix. Once a thread was
	 * started, opens reserve their numbers (an open of another thread
	 * would otherwise take the number first): last in this test, since
	 * no stand-in is handed out after it.
	 */
	pthread_t th[4];

	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, opener, (void *)i) == 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		CHECK(pthread_join(th[i], &r) == 0 && r == NULL);
	}
	for (int i = 0; i < 4; i++) {
		char want[64];

		snprintf(name, sizeof(name), "thread-%d-%d.txt", i, 49);
		snprintf(want, sizeof(want), "%d/%d\n", i, 49);
		CHECK(!strcmp(raw_slurp(name, &len), want));
	}
	CHECK(lowest_free() == low);

	CHECK(batch_start() == 0);
	fd = batch_open_unseen(open("after-threads.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(fd == low);	/* a number, made now: no stand-in */
	CHECK(raw_slurp("after-threads.txt", &len) != NULL);
	CHECK(close(fd) == 0);
	CHECK(batch_flush() == 0);

	/* outside a window it is the open as written */
	fd = batch_open_unseen(open("f.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK(fd == low);
	CHECK(raw_slurp("f.txt", &len) != NULL);
	CHECK(close(fd) == 0);
	PASS();
}
