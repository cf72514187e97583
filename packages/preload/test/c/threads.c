/* Many threads batching at once, each with its own window. */
#include <pthread.h>
#include "harness.h"

#define NTHREADS 32
#define LINES 300

static void *worker(void *arg)
{
	long id = (long)arg;
	char name[32], line[32];

	snprintf(name, sizeof(name), "t%02ld.txt", id);
	batch_start();
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < LINES; i++) {
		int n = snprintf(line, sizeof(line), "%02ld:%04d\n", id, i);
		write(fd, line, n);
	}
	close(fd);
	if (id % 2)
		batch_flush();		/* odd threads flush; even ones rely on thread exit */
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	char line[32];
	long len;

	must_be_preloaded();
	long rec = stat_recorded();
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, worker, (void *)i) == 0);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(th[i], NULL) == 0);
	/* each thread's open, first of its batch, runs at once: lines + close */
	CHECK(stat_recorded() - rec == NTHREADS * (LINES + 1));
	for (long id = 0; id < NTHREADS; id++) {
		char name[32];

		snprintf(name, sizeof(name), "t%02ld.txt", id);
		char *s = raw_slurp(name, &len);
		CHECK(s && len == 8 * LINES);
		for (int i = 0; i < LINES; i++) {
			snprintf(line, sizeof(line), "%02ld:%04d\n", id, i);
			CHECK(!memcmp(s + 8 * i, line, 8));
		}
	}
	PASS();
}
