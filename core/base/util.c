/*
 * Shared helpers; see util.h.  ry_sanitize is the single place that decides
 * what outside text may reach a terminal, used by the CLI and the TUI alike.
 */
#include "base/util.h"
#include "base/alloc.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double ry_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double ry_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ry_mkdir_p(const char *path)
{
	char *p = ry_xstrdup(path), *s;
	int rc = 0;
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				rc = ry_error_set(RY_EIO, "cannot create directory %s: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int ry_open_regular(const char *path, const char *what)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ry_error_set(errno == ENOENT ? RY_ENOTFOUND : RY_EIO, "cannot open %s %s: %s",
		                    what, path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ry_error_set(RY_EINVAL, "%s %s is not a regular file", what, path);
	}
	return fd;
}

char *ry_data_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return ry_xasprintf("%s/runyard", xdg);
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/tmp";
	}
	return ry_xasprintf("%s/.local/share/runyard", home);
}

char *ry_default_db_path(void)
{
	const char *env = getenv("RUNYARD_DB");
	char *dir, *path;
	if (env && *env)
		return ry_xstrdup(env);
	dir = ry_data_dir();
	path = ry_xasprintf("%s/workspace.db", dir);
	free(dir);
	return path;
}

void ry_uuid(char out[37])
{
	unsigned char b[16];
	ssize_t n = getrandom(b, sizeof b, GRND_NONBLOCK);
	size_t got = n > 0 ? (size_t)n : 0;
	if (got < sizeof b) {
		/* No urandom (a chroot?): fall back to a time-seeded PRNG; uuids only
		 * need to be unique, not secret. */
		unsigned long long x = (unsigned long long)(ry_now() * 1e6) ^ ((unsigned long long)getpid() << 32);
		for (size_t i = 0; i < sizeof b; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			b[i] = (unsigned char)x;
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

bool ry_parse_number(const char *s, double *out)
{
	char *end;
	double v;
	if (!s || !*s)
		return false;
	while (*s == ' ')
		s++;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE)
		return false;
	while (*end == ' ')
		end++;
	if (*end || !isfinite(v))
		return false;
	/* strtod accepts hex floats and "infinity"; data scientists mean neither. */
	if (strpbrk(s, "xXnN"))
		return false;
	*out = v;
	return true;
}

bool ry_parse_duration(const char *s, double *out)
{
	double total = 0;
	bool any = false;
	if (!s || !*s)
		return false;
	while (*s) {
		char *end;
		double v = strtod(s, &end), mult;
		if (end == s || v < 0 || !isfinite(v))
			return false;
		s = end;
		switch (*s) {
		case '\0': mult = 1; break;
		case 's': mult = 1; s++; break;
		case 'm':
			mult = 60; s++;
			if (*s == 's') { mult = 0.001; s++; }
			break;
		case 'h': mult = 3600; s++; break;
		case 'd': mult = 86400; s++; break;
		case 'w': mult = 7 * 86400; s++; break;
		default: return false;
		}
		total += v * mult;
		any = true;
	}
	*out = total;
	return any;
}

void ry_format_bytes(int64_t bytes, char *out, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = 0;
	if (bytes < 0) {
		snprintf(out, n, "?");
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%lld B", (long long)bytes);
	else
		snprintf(out, n, "%.1f %s", v, unit[u]);
}

void ry_format_duration(double secs, char *out, size_t n)
{
	long long s;
	if (!isfinite(secs) || secs < 0) {
		snprintf(out, n, "-");
		return;
	}
	s = (long long)(secs + 0.5);
	if (s < 60)
		snprintf(out, n, "%llds", s);
	else if (s < 3600)
		snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(out, n, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
}

void ry_format_age(double ts, double now, char *out, size_t n)
{
	double d = now - ts;
	if (!isfinite(ts) || ts <= 0) {
		snprintf(out, n, "-");
		return;
	}
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(out, n, "%ds ago", (int)d);
	else if (d < 3600)
		snprintf(out, n, "%dm ago", (int)(d / 60));
	else if (d < 86400)
		snprintf(out, n, "%dh ago", (int)(d / 3600));
	else if (d < 86400 * 60)
		snprintf(out, n, "%dd ago", (int)(d / 86400));
	else
		snprintf(out, n, "%dmo ago", (int)(d / (86400 * 30)));
}

void ry_format_time(double ts, char *out, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;
	if (!isfinite(ts) || ts <= 0 || !gmtime_r(&t, &tm)) {
		snprintf(out, n, "-");
		return;
	}
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool ry_parse_time(const char *s, double *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
		return false;
	s += used;
	if (*s == 'T' || *s == ' ') {
		int m2 = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &m2) != 2)
			return false;
		s += 1 + m2;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", &sec, &m2) != 1)
				return false;
			s += 1 + m2;
		}
	}
	if (*s == 'Z')
		s++;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm);
	return true;
}

/* Well-formed UTF-8 as Unicode's table 3-7 gives it: the second byte's range
 * depends on the first (E0 A0.., ED ..9F, F0 90.., F4 ..8F), which is what
 * rules out overlongs, surrogates and code points past U+10FFFF without
 * decoding first and checking after.  Stopping at the first byte out of range
 * makes the invalid part the "maximal subpart" of Unicode 3.9. */
size_t ry_utf8_next(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t v;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		*cp = RY_UTF8_INVALID;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = RY_UTF8_INVALID;
			return i;
		}
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return n;
}

bool ry_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		i += ry_utf8_next(s + i, len - i, &cp);
		if (cp == RY_UTF8_INVALID)
			return false;
	}
	return true;
}

void ry_utf8_scrub(ry_buf *b, const char *s, size_t len)
{
	size_t i = 0, from = 0;
	ry_buf_grow(b, len);
	while (i < len) {
		uint32_t cp;
		size_t n = ry_utf8_next(s + i, len - i, &cp);
		if (cp == RY_UTF8_INVALID) {
			ry_buf_put(b, s + from, i - from);
			ry_buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
			from = i + n;
		}
		i += n;
	}
	ry_buf_put(b, s + from, len - from);
}

static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

bool ry_sanitize_needed(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || is_bidi_control(cp);
}

void ry_sanitize(ry_buf *b, const char *str, size_t len, bool keep_newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	ry_buf_grow(b, len);
	while (i < len) {
		uint32_t cp;
		size_t n = ry_utf8_next(str + i, len - i, &cp);
		if (cp == RY_UTF8_INVALID) {
			/* one \\xNN a byte: the reader sees exactly what was there */
			for (size_t k = 0; k < n; k++)
				ry_buf_printf(b, "\\x%02X", s[i + k]);
			i += n;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f) {
			if (keep_newlines && (cp == '\n' || cp == '\t'))
				ry_buf_putc(b, (char)cp);
			else if (cp == 0x7f)
				ry_buf_puts(b, "^?");
			else {
				ry_buf_putc(b, '^');
				ry_buf_putc(b, (char)(cp + 0x40));
			}
		} else if (cp >= 0x80 && cp < 0xa0) {
			ry_buf_printf(b, "\\u%04X", cp);
		} else if (is_bidi_control(cp)) {
			ry_buf_printf(b, "<U+%04X>", cp);
		} else {
			ry_buf_put(b, s + i, n);
		}
		i += n;
	}
}

char *ry_sanitize_dup(const char *s)
{
	ry_buf b = RY_BUF_INIT;
	if (!s)
		s = "";
	ry_sanitize(&b, s, strlen(s), false);
	return ry_buf_detach(&b);
}

const char *ry_username(void)
{
	static char name[256];
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	if (!name[0]) {
		struct passwd *pw = getpwuid(getuid());
		snprintf(name, sizeof name, "%s", pw ? pw->pw_name : "unknown");
	}
	return name;
}

void ry_strings_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ry_split_words(const char *p, size_t len, char sep, char ***out, size_t *n)
{
	size_t cap = 0;
	const char *end = p + len;
	*out = NULL;
	*n = 0;
	while (p < end) {
		const char *e = memchr(p, sep, (size_t)(end - p));
		const char *a = p, *b = e ? e : end;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (b > a) {
			*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
			(*out)[(*n)++] = ry_xstrndup(a, (size_t)(b - a));
		}
		if (!e)
			break;
		p = e + 1;
	}
}
