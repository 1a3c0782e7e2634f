/*
 * A growable byte buffer, always NUL-terminated so it can be used as a string.
 * Embedded by value: `ry_buf b = RY_BUF_INIT; ... ry_buf_free(&b);`
 */
#ifndef RY_BUF_H
#define RY_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ry_buf {
	char *ptr;   /* owned; NULL until the first write */
	size_t len;  /* bytes used, excluding the terminating NUL */
	size_t cap;  /* bytes allocated */
} ry_buf;

#define RY_BUF_INIT { NULL, 0, 0 }

void ry_buf_grow(ry_buf *b, size_t extra);
void ry_buf_put(ry_buf *b, const void *data, size_t n);
void ry_buf_puts(ry_buf *b, const char *s);
void ry_buf_putc(ry_buf *b, char c);
void ry_buf_printf(ry_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ry_buf_clear(ry_buf *b);            /* len = 0, keeps memory */
const char *ry_buf_cstr(const ry_buf *b); /* never NULL */
char *ry_buf_detach(ry_buf *b);          /* caller owns the string; b is reset */
void ry_buf_free(ry_buf *b);             /* accepts an empty buffer */
/* Append the base64 (RFC 4648, + and /) of p[0..n); pad: with the trailing
 * '=' (an OSC 52 clipboard) or without (OpenSSH's SHA256 fingerprints). */
void ry_buf_base64(ry_buf *b, const void *p, size_t n, bool pad);

#endif
