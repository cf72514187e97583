// SPDX-License-Identifier: GPL-2.0
/*
 * refuse: a batch is refused (EPERM, nothing more runs) whenever a plain
 * system call would be seen by something the batch would bypass:
 *  - audit rules (a rule on mkdir: the plain mkdir is logged);
 *  - a ptrace tracer stopping at system calls (PTRACE_SYSCALL);
 *  - syscall tracepoints (raw_syscalls:sys_enter enabled);
 *  - syscall user dispatch (prctl PR_SET_SYSCALL_USER_DISPATCH);
 *  - a seccomp filter that arrives from another thread (TSYNC) while the
 *    entries are being copied in (the copy is held on a userfaultfd page):
 *    entry 0 does not run.
 * Each case also checks that the batch runs again once the reason is gone.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "dbt.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#endif

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* One mkdir through the module: 0 or -errno of the ioctl; *res the entry. */
static int batch_mkdir(const char *path, long long *res)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e = dbt_ent(SYS_mkdir, (unsigned long)path, 0755, 0, 0);
	int r;

	e.result = 777;
	r = dbt_submit(dev, &e, 1, 0, NULL);
	*res = e.result;
	close(dev);
	return r;
}

/* Refused, nothing ran; then allowed again. */
static void check_refused(const char *what, const char *path)
{
	long long res;

	rmdir(path);
	CHECK_EQ(batch_mkdir(path, &res), -EPERM);
	CHECK(!exists(path), "%s: the refused mkdir ran", what);
	CHECK_EQ(res, 777);
}

static void check_allowed(const char *what, const char *path)
{
	long long res;

	rmdir(path);
	CHECK_EQ(batch_mkdir(path, &res), 0);
	CHECK(res == 0 && exists(path), "%s: mkdir result %lld", what, res);
	rmdir(path);
}

/* --- audit, through the audit netlink socket (no auditctl needed) --- */

static int audit_request(int fd, int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr nh;
		char body[sizeof(struct audit_rule_data) + 64];
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char reply[8192];
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(len);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = type;
	memcpy(NLMSG_DATA(&req.nh), data, len);
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, reply, sizeof(reply), 0);
		if (n < 0)
			return -errno;
		if (nh->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	}
}

static void audit_rule(struct audit_rule_data *r)
{
	memset(r, 0, sizeof(*r));
	r->flags = AUDIT_FILTER_EXIT;
	r->action = AUDIT_ALWAYS;
	r->field_count = 1;
	r->mask[AUDIT_WORD(SYS_mkdir)] |= AUDIT_BIT(SYS_mkdir);
	r->fields[0] = AUDIT_ARCH;
	r->values[0] = AUDIT_ARCH_X86_64;
	r->fieldflags[0] = AUDIT_EQUAL;
}

static int kmsg_has(const char *needle)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (n < 0)
		return 0;
	log[n] = 0;
	return strstr(log, needle) != NULL;
}

static void audit(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	struct audit_status on = { .mask = AUDIT_STATUS_ENABLED, .enabled = 1 };
	struct audit_status off = { .mask = AUDIT_STATUS_ENABLED, .enabled = 0 };
	struct audit_rule_data rule;
	int st;
	pid_t pid;

	CHECK(fd >= 0, "audit socket: %s", strerror(errno));
	if (fd < 0)
		return;
	CHECK_EQ(audit_request(fd, AUDIT_SET, &on, sizeof(on)), 0);
	audit_rule(&rule);
	CHECK_EQ(audit_request(fd, AUDIT_ADD_RULE, &rule, sizeof(rule)), 0);
	/* A task forked now has an audit context. */
	pid = fork();
	if (pid == 0) {
		check_refused("audit", "/tmp/rf-audit");
		/* the plain call is audited: the record names the path */
		mkdir("/tmp/rf-audit-plain", 0755);
		_exit(dbt_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "audit child %#x", st);
	usleep(200000);
	CHECK(kmsg_has("syscall=83"), "no audit record of the plain mkdir");
	rmdir("/tmp/rf-audit-plain");
	CHECK_EQ(audit_request(fd, AUDIT_DEL_RULE, &rule, sizeof(rule)), 0);
	CHECK_EQ(audit_request(fd, AUDIT_SET, &off, sizeof(off)), 0);
	close(fd);
	pid = fork();
	if (pid == 0) {
		check_allowed("audit off", "/tmp/rf-audit");
		_exit(dbt_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "audit-off child %#x", st);
}

/* --- ptrace syscall-stops --- */

static void ptraced(void)
{
	int st, stops = 0;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		check_refused("ptrace", "/tmp/rf-ptrace");
		_exit(dbt_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		if (waitpid(pid, &st, 0) < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			break;
		stops++;
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "traced child %#x", st);
	CHECK(stops > 0, "no syscall stops");
	/* the same program untraced */
	pid = fork();
	if (pid == 0) {
		check_allowed("untraced", "/tmp/rf-ptrace");
		_exit(dbt_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "untraced child %#x", st);
}

/* --- syscall tracepoints --- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static void tracepoint(void)
{
	const char *en = "/sys/kernel/tracing/events/raw_syscalls/sys_enter/enable";

	if (!exists("/sys/kernel/tracing/events"))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	CHECK_EQ(write_file(en, "1"), 0);
	check_refused("tracepoint", "/tmp/rf-trace");
	CHECK_EQ(write_file(en, "0"), 0);
	check_allowed("tracepoint off", "/tmp/rf-trace");
}

/* --- syscall user dispatch --- */

static void user_dispatch(void)
{
	static volatile char selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	int r = prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0,
		      &selector);

	CHECK_EQ(r, 0);
	check_refused("user dispatch", "/tmp/rf-sud");
	CHECK_EQ(prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0), 0);
	check_allowed("user dispatch off", "/tmp/rf-sud");
}

/* --- seccomp TSYNC while the entries are copied in --- */

static struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog allow_prog = { .len = 1, .filter = allow_all };

struct tsync {
	int uffd;
	char *page;
	long pagesize;
	struct dbatch_entry entry;
};

/* The fault handler: a filter for every thread, then the page. */
static void *tsync_monitor(void *arg)
{
	struct tsync *t = arg;
	struct uffd_msg msg;
	struct uffdio_copy copy;
	char *src = aligned_alloc(t->pagesize, t->pagesize);

	if (read(t->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		_exit(20);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &allow_prog))
		_exit(21);
	memset(src, 0, t->pagesize);
	memcpy(src, &t->entry, sizeof(t->entry));
	copy.dst = (unsigned long)t->page;
	copy.src = (unsigned long)src;
	copy.len = t->pagesize;
	copy.mode = 0;
	copy.copy = 0;
	if (ioctl(t->uffd, UFFDIO_COPY, &copy))
		_exit(22);
	return NULL;
}

static int tsync_child(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct dbatch_submit s;
	struct tsync t;
	pthread_t mon;
	int dev = dbt_open_dev();
	int r;

	t.pagesize = sysconf(_SC_PAGESIZE);
	t.uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (t.uffd < 0 || ioctl(t.uffd, UFFDIO_API, &api))
		return 10;
	t.page = mmap(NULL, t.pagesize, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)t.page;
	reg.range.len = t.pagesize;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(t.uffd, UFFDIO_REGISTER, &reg))
		return 11;
	t.entry = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/rf-tsync", 0755, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pthread_create(&mon, NULL, tsync_monitor, &t);
	s = (struct dbatch_submit){ .entries = (unsigned long)t.page, .count = 1 };
	r = ioctl(dev, DBATCH_IOC_SUBMIT, &s) < 0 ? -errno : 0;
	pthread_join(mon, NULL);
	if (r != -EPERM)
		return 12;
	if (exists("/tmp/rf-tsync"))
		return 13;
	if (s.completed != 0)
		return 14;
	return 0;
}

static void tsync_during_copy(void)
{
	int st;
	pid_t pid;

	rmdir("/tmp/rf-tsync");
	pid = fork();
	if (pid == 0)
		_exit(tsync_child());
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tsync child status %d",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	rmdir("/tmp/rf-tsync");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	audit();
	ptraced();
	tracepoint();
	user_dispatch();
	tsync_during_copy();
	return dbt_done("refuse");
}
