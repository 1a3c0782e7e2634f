/* known_hosts (core/remote/ssh.c): runyard's own line reader and matcher
 * (plain pattern lists, negation, @revoked and @cert-authority markers,
 * hashed |1| names through libssh2), over a file held in memory: the key
 * types it records for a few names, then its verdict on a server key. */
#include "fuzz.h"

#include <libssh2.h>
#include <stdio.h>

#include "remote/remote_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

static LIBSSH2_SESSION *sess;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (libssh2_init(0) != 0 || !(sess = libssh2_session_init()))
		abort();
	return 0;
}

static void judge(const uint8_t *data, size_t size, const char *name, const char *type, const char *b64)
{
	FILE *f = size ? fmemopen((void *)data, size, "r") : NULL;
	ry_buf types = RY_BUF_INIT;
	int line = 0;
	(void)ry_ssh__known_scan(sess, f, name, type, b64, &types, &line);
	ry_buf_free(&types);
	if (f)
		fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ed[] = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
	judge(data, size, "gpu1", NULL, NULL);
	judge(data, size, "[gpu1.example.com]:2222", NULL, NULL);
	judge(data, size, "g1", "ssh-ed25519", ed);
	judge(data, size, "gpu1", "ssh-ed25519", ed);
	judge(data, size, "10.0.0.7", "ssh-rsa", "AAAAB3NzaC1yc2EAAAADAQABAAABAQ");
	return 0;
}
