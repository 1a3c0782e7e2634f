/*
 * The host inventory (inventory.h): loading runyard's config and
 * ~/.ssh/config and listing the hosts, once, for every front end.  Merging
 * the sources and probing are hosts.c's; this file only owns the set-up.
 */
#include "remote/inventory.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"

#include <stdlib.h>

struct ry_inventory {
	const ry_config *cfg;
	ry_config *owned_cfg; /* cfg when the inventory loaded it */
	ry_sshconfig *sshcfg;
	ry_host *hosts;
	size_t nhosts;
};

int ry_inventory_open(ry_inventory **out, ry_store *st, const ry_config *cfg)
{
	ry_inventory *inv = ry_xcalloc(1, sizeof *inv);
	int rc = 0;
	*out = NULL;
	if (!cfg)
		rc = ry_config_load(&inv->owned_cfg, NULL);
	inv->cfg = cfg ? cfg : inv->owned_cfg;
	if (!rc)
		rc = ry_sshconfig_load(&inv->sshcfg, NULL);
	if (!rc)
		rc = ry_hosts_list(&inv->hosts, &inv->nhosts, inv->cfg, inv->sshcfg, st);
	if (rc) {
		ry_inventory_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

void ry_inventory_free(ry_inventory *inv)
{
	if (!inv)
		return;
	ry_hosts_free(inv->hosts, inv->nhosts);
	ry_sshconfig_free(inv->sshcfg);
	ry_config_free(inv->owned_cfg);
	free(inv);
}

const ry_config *ry_inventory_config(const ry_inventory *inv)
{
	return inv->cfg;
}

const ry_sshconfig *ry_inventory_sshconfig(const ry_inventory *inv)
{
	return inv->sshcfg;
}

ry_host *ry_inventory_hosts(ry_inventory *inv, size_t *n)
{
	*n = inv->nhosts;
	return inv->hosts;
}

ry_host *ry_inventory_find(ry_inventory *inv, const char *name)
{
	ry_host *h = ry_hosts_find(inv->hosts, inv->nhosts, name);
	if (!h) {
		ry_buf b = RY_BUF_INIT;
		for (size_t i = 0; i < inv->nhosts && i < 20; i++)
			ry_buf_printf(&b, "%s%s", i ? ", " : "", inv->hosts[i].name);
		ry_error_set(RY_ENOTFOUND, "no host named '%s'; known hosts: %s (add it to ~/.ssh/config or as "
		             "[host %s] in runyard's config)", name, b.len ? ry_buf_cstr(&b) : "none", name);
		ry_buf_free(&b);
	}
	return h;
}

int ry_inventory_list(const ry_inventory *inv, ry_store *st, ry_host **hosts, size_t *n)
{
	return ry_hosts_list(hosts, n, inv->cfg, inv->sshcfg, st);
}
