/*
 * Test-only fault points (fault.h).  Reads RUNYARD_FAULT once; does not
 * allocate, so a point may sit anywhere, even between fork and exec.
 */
#include "base/fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ry_fault(const char *point)
{
	static const char *spec;
	static int armed = -1;
	const char *p;
	size_t n = strlen(point);

	if (armed < 0) {
		spec = getenv("RUNYARD_FAULT");
		armed = spec && *spec;
	}
	if (!armed)
		return;
	for (p = spec; (p = strstr(p, point)); p += n) {
		if ((p != spec && p[-1] != ',') || p[n] != ':')
			continue;
		p += n + 1;
		armed = 0; /* once: a point passed again (a retry) goes on */
		if (!strncmp(p, "kill", 4))
			kill(getpid(), SIGKILL);
		else if (!strncmp(p, "stop", 4))
			kill(getpid(), SIGSTOP);
		else if (!strncmp(p, "exit", 4))
			_exit(99);
		return;
	}
}
