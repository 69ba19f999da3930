/* SPDX-License-Identifier: MIT */
/* proc.c - is the process that was logging a run still alive?
 *
 * A run records the pid, host name, boot id and the process's start time
 * (in clock ticks since boot, from /proc) of the process logging it. On the
 * same host and boot, the run's process is gone when no process has that
 * pid, when it is a zombie, or when the pid now belongs to a process that
 * started at another time (the pid was reused). On another host we cannot
 * tell, and the run keeps the status it has. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

/* State letter and start time of a process from /proc/PID/stat; -1 when
 * there is no such file. The command name may hold spaces and ')'. */
static int
proc_stat(int64_t pid, char *state, int64_t *start)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return -1;
	p++;
	/* Fields after the name: 3 state ... 22 starttime. */
	if (sscanf(p, " %c", state) != 1)
		return -1;
	for (i = 3; i < 22 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &st) != 1)
		return -1;
	*start = (int64_t)st;
	return 0;
}

static void
read_boot_id(char *boot, size_t n)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	boot[0] = '\0';
	if (f) {
		if (fgets(boot, (int)n, f))
			boot[strcspn(boot, "\n")] = '\0';
		fclose(f);
	}
}

void
store_proc_self(int64_t *pid, char *host, size_t hostlen, char *boot, size_t bootlen,
    int64_t *start)
{
	char state;

	*pid = (int64_t)getpid();
	if (gethostname(host, hostlen) < 0)
		host[0] = '\0';
	host[hostlen - 1] = '\0';
	read_boot_id(boot, bootlen);
	if (proc_stat(*pid, &state, start) < 0)
		*start = 0;
}

int
store_proc_gone(int64_t pid, const char *host, const char *boot, int64_t start)
{
	char myhost[256], myboot[64], state;
	int64_t now_start;

	/* No pid recorded (NULL, 0): the owner is unknown, and no process
	 * will ever end the run: it is interrupted (issue 9). */
	if (pid <= 0)
		return 1;
	if (gethostname(myhost, sizeof myhost) < 0)
		return 0;
	myhost[sizeof myhost - 1] = '\0';
	if (strcmp(host, myhost) != 0)
		return 0;
	read_boot_id(myboot, sizeof myboot);
	if (*boot && *myboot && strcmp(boot, myboot) != 0)
		return 1;
	if (pid <= 0 || pid > 0x7fffffff)
		return 1;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return 1;
	if (proc_stat(pid, &state, &now_start) == 0)
		return state == 'Z' || state == 'X' || (start && now_start != start);
	return 0;
}
