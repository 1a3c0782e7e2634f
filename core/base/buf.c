/* Growable buffer; see buf.h. */
#include "base/buf.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ry_buf_grow(ry_buf *b, size_t extra)
{
	b->ptr = ry_xgrow(b->ptr, &b->cap, b->len + extra + 1, 1);
	b->ptr[b->len] = '\0'; /* a buffer grown but not yet written is still "" */
}

void ry_buf_put(ry_buf *b, const void *data, size_t n)
{
	ry_buf_grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void ry_buf_puts(ry_buf *b, const char *s)
{
	ry_buf_put(b, s, strlen(s));
}

void ry_buf_putc(ry_buf *b, char c)
{
	ry_buf_put(b, &c, 1);
}

void ry_buf_printf(ry_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		ry_buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void ry_buf_clear(ry_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

const char *ry_buf_cstr(const ry_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *ry_buf_detach(ry_buf *b)
{
	char *p = b->ptr ? b->ptr : ry_xstrdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void ry_buf_free(ry_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void ry_buf_base64(ry_buf *b, const void *data, size_t n, bool pad)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		ry_buf_putc(b, tbl[(v >> 18) & 63]);
		ry_buf_putc(b, tbl[(v >> 12) & 63]);
		if (i + 1 < n)
			ry_buf_putc(b, tbl[(v >> 6) & 63]);
		else if (pad)
			ry_buf_putc(b, '=');
		if (i + 2 < n)
			ry_buf_putc(b, tbl[v & 63]);
		else if (pad)
			ry_buf_putc(b, '=');
	}
}
