/*
 * SHA-256 (FIPS 180-4): a streaming context, hex digests of memory, a file
 * or a descriptor.  No dependency beyond libc.
 */
#ifndef RY_SHA256_H
#define RY_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* A streaming SHA-256 (FIPS 180-4).  Embed by value; no cleanup needed. */
typedef struct ry_sha256 {
	uint32_t h[8];
	uint64_t nbytes;     /* total bytes hashed so far */
	unsigned char block[64];
	size_t nblock;       /* bytes waiting in block */
} ry_sha256;

void ry_sha256_init(ry_sha256 *c);
void ry_sha256_update(ry_sha256 *c, const void *data, size_t n);
/* Finish and write 64 lowercase hex digits + NUL; c must be re-inited to reuse. */
void ry_sha256_final_hex(ry_sha256 *c, char hex[65]);

/* SHA-256 of a memory buffer, as hex. */
void ry_sha256_hex(const void *data, size_t n, char hex[65]);

/* SHA-256 of a regular file, as hex; size may be NULL.  RY_ENOTFOUND when
 * missing, RY_EINVAL when not a regular file, RY_EIO if unreadable. */
int ry_sha256_file(const char *path, char sha256_hex[65], int64_t *size);

/* Read fd `in` to its end through the hash, writing every byte to `out` too
 * when out >= 0 (hash while copying).  `what` and `dest` name the source and
 * the copy in messages.  size may be NULL.  0 or RY_EIO; neither fd is
 * closed. */
int ry_sha256_fd(int in, int out, const char *what, const char *dest, char hex[65], int64_t *size);

/* True when s is 64 lowercase hex digits (a valid object name). */
int ry_sha256_valid(const char *s);

#endif
