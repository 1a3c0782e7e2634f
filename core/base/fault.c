/*
 * Test-only fault points (fault.h).  Reads RUNYARD_FAULT once; does not
 * allocate, so a point may sit anywhere, even between fork and exec.
 * Threads pass points too (the TUI's import worker): the variable is read
 * under pthread_once and the state that changes is atomic, so two threads
 * at their first point never race.
 */
#include "base/fault.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *spec;
static atomic_int armed;
static atomic_long passes;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fault_init(void)
{
	spec = getenv("RUNYARD_FAULT");
	atomic_store(&armed, spec && *spec);
}

void ry_fault(const char *point)
{
	const char *p;
	size_t n = strlen(point);

	pthread_once(&once, fault_init);
	if (!atomic_load_explicit(&armed, memory_order_relaxed))
		return;
	for (p = spec; (p = strstr(p, point)); p += n) {
		if ((p != spec && p[-1] != ',') || p[n] != ':')
			continue;
		p += n + 1;
		/* ACTION@N: act on the Nth pass of the point, not the first */
		const char *at = strchr(p, '@'), *comma = strchr(p, ',');
		if (at && (!comma || at < comma) && atomic_fetch_add(&passes, 1) + 1 < strtol(at + 1, NULL, 10))
			return;
		/* once: a point passed again (a retry) goes on */
		if (!atomic_exchange(&armed, 0))
			return;
		if (!strncmp(p, "kill", 4))
			kill(getpid(), SIGKILL);
		else if (!strncmp(p, "stop", 4))
			kill(getpid(), SIGSTOP);
		else if (!strncmp(p, "exit", 4))
			_exit(99);
		return;
	}
}
