/*
 * Small shared helpers: time, paths, identifiers, numbers with units and
 * making outside text safe to print.  Nothing here knows about SQLite.
 */
#ifndef RY_UTIL_H
#define RY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Wall-clock time as Unix seconds with sub-second precision. */
double ry_now(void);
/* Monotonic seconds, for measuring elapsed time. */
double ry_monotonic(void);

/* Create a directory and its parents (mode 0700 for new ones).  0 or RY_EIO. */
int ry_mkdir_p(const char *path);

/* Open a regular file read-only (close-on-exec): the descriptor, or a
 * negative RY_ENOTFOUND / RY_EIO, or RY_EINVAL when it is not a regular
 * file; `what` ("file", "artifact") names it in the message. */
int ry_open_regular(const char *path, const char *what);

/* The default workspace path: $RUNYARD_DB, else $XDG_DATA_HOME/runyard/workspace.db,
 * else ~/.local/share/runyard/workspace.db.  Caller frees. */
char *ry_default_db_path(void);

/* The per-user data dir ($XDG_DATA_HOME/runyard or ~/.local/share/runyard).  Caller frees. */
char *ry_data_dir(void);

/* A random RFC 4122 version-4 UUID in canonical form (37 bytes with NUL). */
void ry_uuid(char out[37]);

/* Parse a whole string as a finite double; false if it is not a number. */
bool ry_parse_number(const char *s, double *out);

/* Parse a duration like "90", "90s", "15m", "2h", "1.5d", "1w", "1h30m" into
 * seconds.  False if not a duration. */
bool ry_parse_duration(const char *s, double *out);

/* Format seconds compactly: "45s", "12m", "3h05m", "2d4h".  Writes into out. */
void ry_format_duration(double secs, char *out, size_t n);

/* A size in binary units: "512 B", "3.4 MiB", "1.2 TiB"; "?" if negative
 * (unknown).  Writes into out. */
void ry_format_bytes(int64_t bytes, char *out, size_t n);

/* "3m ago", "2h ago", "5d ago" for a past timestamp relative to now. */
void ry_format_age(double ts, double now, char *out, size_t n);

/* ISO-8601 UTC ("2026-11-23T01:40:00Z"). */
void ry_format_time(double ts, char *out, size_t n);

/* Parse "YYYY-MM-DD[THH:MM[:SS]][Z]" (UTC) into Unix seconds. */
bool ry_parse_time(const char *s, double *out);

/* UTF-8 decoding for core and tui alike: ry_sanitize, the CLI's JSON
 * writer, the screen's width and fitting and the JSON-lines reader all decide
 * what is UTF-8 here, so they cannot disagree about a byte.
 *
 * Decode the sequence at the start of s (len >= 1 bytes; s need not be
 * NUL-terminated) and return how many bytes it takes.  *cp is its code point,
 * or RY_UTF8_INVALID when those bytes are not UTF-8: a byte that never starts
 * a sequence, an overlong form (C0 AF, E0 80 AF), a surrogate (ED A0..ED BF),
 * a code point past U+10FFFF, or a sequence cut short by a wrong byte or the
 * end of s.  An invalid part is 1 to 3 bytes, the longest start of a valid
 * sequence (Unicode's "maximal subpart"), so replacing each part with one
 * U+FFFD gives what Python's decode(errors="replace") and browsers give. */
#define RY_UTF8_INVALID UINT32_MAX
size_t ry_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Whether the len bytes at s are all valid UTF-8 (NUL is valid). */
bool ry_utf8_valid(const char *s, size_t len);

/* Append the len bytes at s to b with each invalid part (see ry_utf8_next)
 * replaced by U+FFFD, as its three UTF-8 bytes; valid text, ASCII included,
 * is copied unchanged, so this never touches the structure of JSON or CSV. */
void ry_utf8_scrub(ry_buf *b, const char *s, size_t len);

/* Append `s` to `b` made safe for a terminal: valid UTF-8 printable text
 * passes; control characters become caret notation (ESC as ^[, DEL as ^?),
 * C1 controls and invalid bytes become \xNN, bidi override/isolate controls
 * become <U+202E> style.  Newline and tab are escaped too unless keep_newlines. */
void ry_sanitize(ry_buf *b, const char *s, size_t len, bool keep_newlines);

/* Whether ry_sanitize rewrites the (valid) code point cp: a C0 control, DEL,
 * a C1 control (U+0080..U+009F) or a bidi override/isolate/mark.  This is
 * the one list of what a terminal acts on or what reorders the text around
 * it; the CLI's JSON writer escapes the same code points as \uXXXX. */
bool ry_sanitize_needed(uint32_t cp);

/* Convenience: a freshly allocated sanitised copy of a NUL-terminated string. */
char *ry_sanitize_dup(const char *s);

/* Free an array of n malloc'd strings and the array; accepts NULL. */
void ry_strings_free(char **v, size_t n);

/* The words of p[0..len) split at `sep` (",": "a, b,,c" -> "a" "b" "c"),
 * each trimmed of spaces, empty ones dropped: *out (NULL when none) holds
 * *n malloc'd strings, the caller's to free with ry_strings_free. */
void ry_split_words(const char *p, size_t len, char sep, char ***out, size_t *n);

/* The local user's name, for audit events ($USER, else getpwuid).  Lent. */
const char *ry_username(void);

#endif
