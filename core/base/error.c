/*
 * The per-thread last-error slot.  Kept deliberately tiny: a fixed buffer so
 * that reporting an error never needs to allocate (it may be reporting an
 * allocation failure).
 */
#include "base/error.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

int ry_error_vset(int code, const char *fmt, va_list ap)
{
	char msg[sizeof last_msg];
	/* Format aside, then copy: a caller adding context passes
	 * ry_error_last() itself as an argument, and formatting a buffer into
	 * itself is undefined (glibc repeats the prefix or loses the text). */
	vsnprintf(msg, sizeof msg, fmt, ap);
	memcpy(last_msg, msg, sizeof msg);
	last_code = code;
	return code;
}

int ry_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ry_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

const char *ry_error_last(void)
{
	return last_msg;
}

int ry_error_code(void)
{
	return last_code;
}

void ry_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = RY_OK;
}

int ry_error_exit_status(int code)
{
	if (code == RY_OK)
		return 0;
	return code == RY_EINVAL ? 2 : 1;
}
