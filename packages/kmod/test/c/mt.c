// SPDX-License-Identifier: GPL-2.0
/*
 * mt: 4 processes x 4 threads batching at once, each on its own files:
 * open (installed at a placeholder) -> writes -> lseek -> read back ->
 * close -> unlink, every result checked, 300 rounds each.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "dbt.h"

#define ROUNDS 300

static int dev;

static void *worker(void *arg)
{
	long id = (long)arg;
	struct dbatch_entry e[12];
	struct dbatch_submit s;
	char path[64], data[32], back[160];
	long bad = 0;
	int round, i, reported = 0;

	snprintf(path, sizeof(path), "/tmp/mt-%ld", id);
	snprintf(data, sizeof(data), "thread %05ld line\n", id);
	for (round = 0; round < ROUNDS; round++) {
		int ph = open("/dev/null", O_RDONLY | O_CLOEXEC);

		e[0] = dbt_ent(SYS_open, (unsigned long)path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, 0);
		e[0].flags = DBATCH_ENTRY_INSTALL_FD | DBATCH_ENTRY_STOP;
		e[0].install_fd = ph;
		for (i = 1; i <= 8; i++) {
			e[i] = dbt_ent(SYS_write, ph, (unsigned long)data, strlen(data), 0);
			if (i & 1) {
				e[i].args[0] = 0;
				e[i].flags = DBATCH_ARG_REF(0);
			}
		}
		e[9] = dbt_ent(SYS_pread64, ph, (unsigned long)back, sizeof(back), 0);
		e[10] = dbt_ent(SYS_close, ph, 0, 0, 0);
		e[11] = dbt_ent(SYS_unlink, (unsigned long)path, 0, 0, 0);
		memset(back, 0, sizeof(back));
		if (dbt_submit(dev, e, 12, 0, &s) || s.first_error != -1 || e[0].result != ph)
			bad++;
		for (i = 1; i <= 8; i++)
			bad += e[i].result != (long)strlen(data);
		bad += e[9].result != 8 * (long)strlen(data);
		for (i = 0; i < 8; i++)
			bad += memcmp(back + i * strlen(data), data, strlen(data)) != 0;
		bad += e[10].result != 0 || e[11].result != 0;
		if (bad && !reported++) {
			printf("mt %ld round %d: submit first_error %d results", id, round, s.first_error);
			for (i = 0; i < 12; i++)
				printf(" %lld", (long long)e[i].result);
			printf("\n");
		}
	}
	return (void *)bad;
}

static int process(int p)
{
	pthread_t t[4];
	long bad = 0;
	void *r;
	int i;

	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)(p * 10 + i));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	return bad ? 1 : 0;
}

int main(void)
{
	pid_t pids[4];
	int i, st;

	dev = dbt_open_dev();	/* shared by all: the module keeps no per-file state */
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(process(i));
	}
	for (i = 0; i < 4; i++) {
		waitpid(pids[i], &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %d: status %x", i, st);
	}
	return dbt_done("mt");
}
