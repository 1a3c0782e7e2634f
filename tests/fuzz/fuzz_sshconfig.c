/* ssh_config (core/remote/sshconfig.c): parse, list the hosts, resolve each
 * and a few names no Host line lists.  Include lines name files that do not
 * exist here (the parser must treat that as ssh does, not crash). */
#include "fuzz.h"

#include "remote/sshconfig.h"

static void resolve(const ry_sshconfig *c, const char *name)
{
	ry_sshhost *h = NULL;
	if (ry_sshconfig_resolve(c, name, &h) == 0)
		ry_sshhost_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	ry_sshconfig *c = NULL;
	if (ry_sshconfig_parse(&c, text, "fuzz_config") == 0) {
		for (size_t i = 0; i < ry_sshconfig_nhosts(c) && i < 32; i++)
			resolve(c, ry_sshconfig_host(c, i));
		resolve(c, "gpu1");
		resolve(c, "gpu1.example.com");
		resolve(c, "10.0.0.7");
	}
	ry_sshconfig_free(c);
	/* the same bytes as a ProxyJump spec and as a Host pattern */
	char *user = NULL, *host = NULL;
	int port = 0;
	if (size < 512 && ry_sshconfig_parse_jump(text, &user, &host, &port) == 0) {
		free(user);
		free(host);
	}
	if (size < 512)
		(void)ry_sshconfig_match(text, "gpu1.example.com");
	free(text);
	return 0;
}
