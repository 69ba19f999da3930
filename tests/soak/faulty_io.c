/* SPDX-License-Identifier: MIT */
/* faulty_io.c - an LD_PRELOAD library for the fault soak: a disk that
 * fails. After FAULT_AFTER successful writes to files (descriptors above
 * 2, so not the program's own output), every later write, pwrite, fsync,
 * fdatasync and ftruncate fails with FAULT_ERRNO (EIO by default, or
 * ENOSPC): SQLite's own VFS meets a real I/O error or a full disk, as it
 * would from the kernel. Without FAULT_AFTER nothing fails; with
 * FAULT_COUNT=FILE the number of writes made is written to FILE at exit
 * (to choose FAULT_AFTER within a run).
 *
 *   cc -shared -fPIC -o faulty_io.so faulty_io.c -ldl
 *   LD_PRELOAD=./faulty_io.so FAULT_AFTER=120 mgpt-tui train --db x.db
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long after = -2;     /* -2: not read yet; -1: never fail */
static int fault = EIO;
static long writes;         /* successful file writes so far */

static void
count_at_exit(void)
{
	const char *path = getenv("FAULT_COUNT");
	char buf[32];
	int fd, n;

	if (!path || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	n = snprintf(buf, sizeof buf, "%ld\n", writes);
	if (write(fd, buf, (size_t)n) < 0)
		n = 0;
	close(fd);
}

static void
setup(void)
{
	const char *a = getenv("FAULT_AFTER"), *e = getenv("FAULT_ERRNO");

	after = a && *a ? atol(a) : -1;
	if (e && !strcmp(e, "ENOSPC"))
		fault = ENOSPC;
	if (getenv("FAULT_COUNT"))
		atexit(count_at_exit);
}

/* Should this call on fd fail? */
static int
failing(int fd, int is_write)
{
	if (fd <= 2)
		return 0;
	if (after == -2)
		setup();
	if (after >= 0 && writes >= after) {
		errno = fault;
		return 1;
	}
	if (is_write)
		writes++;
	return 0;
}

/* The C library's function of that name, looked up once. */
#define REAL(name) \
	static __typeof__(&name) real; \
	if (!real) \
		real = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(write);
	return failing(fd, 1) ? -1 : real(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite);
	return failing(fd, 1) ? -1 : real(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	REAL(pwrite64);
	return failing(fd, 1) ? -1 : real(fd, buf, n, off);
}

int
fsync(int fd)
{
	REAL(fsync);
	return failing(fd, 0) ? -1 : real(fd);
}

int
fdatasync(int fd)
{
	REAL(fdatasync);
	return failing(fd, 0) ? -1 : real(fd);
}

int
ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	return failing(fd, 0) ? -1 : real(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
	REAL(ftruncate64);
	return failing(fd, 0) ? -1 : real(fd, len);
}
