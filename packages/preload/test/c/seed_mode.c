/* A program written for the original dBatch: <linux/batch.h>, no batch_start. */
#include <pthread.h>
#include <linux/batch.h>
#include "harness.h"

static void *thread_main(void *arg)
{
	(void)arg;
	int fd = open("thread.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "t", 1);			/* recorded: window open at start */
	close(fd);
	return NULL;				/* flushed at thread exit */
}

int main(void)
{
	long len;
	pthread_t th;

	must_be_preloaded();
	long rec = stat_recorded();
	int fd = open("seed.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "hihi", 4);
	write(fd, "haha", 4);
	/* window open from the start; the open, first of its batch, ran at once */
	CHECK(stat_recorded() - rec == 2);
	CHECK(!strcmp(raw_slurp("seed.txt", &len), ""));
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("seed.txt", &len), "hihihaha"));
	write(fd, "!", 1);			/* window open again */
	CHECK(!strcmp(raw_slurp("seed.txt", &len), "hihihaha"));
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("seed.txt", &len), "hihihaha!"));
	CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(!strcmp(raw_slurp("thread.txt", &len), "t"));
	close(fd);
	PASS();
}
