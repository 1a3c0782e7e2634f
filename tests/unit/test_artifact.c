/*
 * The artifact store: SHA-256 against the standard vectors and sha256sum,
 * atomic put with dedup, verify and export catching corruption, the
 * per-run artifacts table.
 */
#include "testutil.h"
#include "registry/artifact.h"

#include <dirent.h>
#include <sys/stat.h>

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = ry_xmalloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* Files (not dirs, not temp files) anywhere under dir. */
static int count_files(const char *dir, int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *p;
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = ry_xasprintf("%s/%s", dir, e->d_name);
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			n += count_files(p, temps);
		else if (!strncmp(e->d_name, ".tmp-", 5))
			(*temps)++;
		else
			n++;
		free(p);
	}
	closedir(d);
	return n;
}

static int64_t make_run(ry_store *st)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t id;
	assert_int_equal(ry_run_create(st, &spec, &id, NULL), 0);
	return id;
}

static void test_sha256_vectors(void **state)
{
	char hex[65];
	ry_sha256 c;
	char *million;
	ry_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ry_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ry_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a', fed in odd-sized pieces to exercise the block buffer. */
	million = ry_xmalloc(1000000);
	memset(million, 'a', 1000000);
	ry_sha256_init(&c);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 1000 + 1)
		ry_sha256_update(&c, million + off, off + step > 1000000 ? 1000000 - off : step);
	ry_sha256_final_hex(&c, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
	assert_true(ry_sha256_valid("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	assert_false(ry_sha256_valid("CDC76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	assert_false(ry_sha256_valid("abc"));
	assert_false(ry_sha256_valid(NULL));
}

/* Lengths around the 55/56/64-byte padding boundaries agree with one-shot
 * hashing of the same bytes split in two. */
static void test_sha256_padding_boundaries(void **state)
{
	unsigned char buf[200];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 31 + 7);
	for (size_t n = 50; n < 140; n++) {
		char one[65], two[65];
		ry_sha256 c;
		ry_sha256_hex(buf, n, one);
		ry_sha256_init(&c);
		ry_sha256_update(&c, buf, n / 3);
		ry_sha256_update(&c, buf + n / 3, n - n / 3);
		ry_sha256_final_hex(&c, two);
		assert_string_equal(one, two);
	}
}

static void test_sha256_file_matches_sha256sum(void **state)
{
	char *dir = ry_test_tmpdir(), *path = ry_xasprintf("%s/big.bin", dir), *cmd, hex[65], line[128];
	unsigned char *data = ry_xmalloc(1 << 20);
	int64_t size = 0;
	FILE *p;
	uint32_t x = 12345;
	for (size_t i = 0; i < (1u << 20); i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 16);
	}
	write_file(path, data, 1 << 20);
	assert_int_equal(ry_sha256_file(path, hex, &size), 0);
	assert_int_equal(size, 1 << 20);
	cmd = ry_xasprintf("sha256sum '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	pclose(p);
	assert_memory_equal(line, hex, 64);
	assert_int_equal(ry_sha256_file("/nonexistent/file", hex, NULL), RY_ENOTFOUND);
	assert_int_equal(ry_sha256_file(dir, hex, NULL), RY_EINVAL);
	free(cmd);
	free(data);
	free(path);
	ry_test_rmdir(dir);
}

static void test_put_stores_once_read_only(void **state)
{
	struct ry_test_ws ws;
	char *a, *b, *obj, *root, hex1[65], hex2[65], want[65];
	int64_t size = 0;
	size_t n;
	char *back;
	struct stat sb;
	int temps = 0;
	ry_test_ws_open(&ws);
	a = ry_xasprintf("%s/model.bin", ws.dir);
	b = ry_xasprintf("%s/copy.bin", ws.dir);
	write_file(a, "weights v1\n", 11);
	write_file(b, "weights v1\n", 11);
	ry_sha256_hex("weights v1\n", 11, want);

	assert_int_equal(ry_artifact_put(ws.st, a, hex1, &size), 0);
	assert_string_equal(hex1, want);
	assert_int_equal(size, 11);
	obj = ry_artifact_object_path(ws.st, hex1);
	root = ry_artifact_dir(ws.st);
	assert_true(strncmp(obj, root, strlen(root)) == 0);
	assert_int_equal(stat(obj, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
	back = read_file(obj, &n);
	assert_int_equal(n, 11);
	assert_memory_equal(back, "weights v1\n", 11);
	free(back);

	/* Same content from another file: same object, still one file, no temps. */
	assert_int_equal(ry_artifact_put(ws.st, b, hex2, NULL), 0);
	assert_string_equal(hex1, hex2);
	assert_int_equal(count_files(root, &temps), 1);
	assert_int_equal(temps, 0);

	write_file(b, "weights v2\n", 11);
	assert_int_equal(ry_artifact_put(ws.st, b, hex2, NULL), 0);
	assert_string_not_equal(hex1, hex2);
	assert_int_equal(count_files(root, &temps), 2);

	assert_int_equal(ry_artifact_put(ws.st, "/nonexistent/x", hex2, NULL), RY_ENOTFOUND);
	assert_int_equal(ry_artifact_put(ws.st, ws.dir, hex2, NULL), RY_EINVAL);
	free(a);
	free(b);
	free(obj);
	free(root);
	ry_test_ws_close(&ws);
}

static void flip_byte(const char *path, long at)
{
	FILE *f;
	int c;
	assert_int_equal(chmod(path, 0644), 0);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, at, SEEK_SET);
	c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x01, f);
	fclose(f);
}

static void test_verify_detects_corruption(void **state)
{
	struct ry_test_ws ws;
	char *src, *obj, hex[65];
	ry_test_ws_open(&ws);
	src = ry_xasprintf("%s/m.bin", ws.dir);
	write_file(src, "0123456789", 10);
	assert_int_equal(ry_artifact_put(ws.st, src, hex, NULL), 0);
	assert_int_equal(ry_artifact_verify(ws.st, hex), 0);
	obj = ry_artifact_object_path(ws.st, hex);
	flip_byte(obj, 4);
	assert_int_equal(ry_artifact_verify(ws.st, hex), RY_ECORRUPT);
	assert_non_null(strstr(ry_error_last(), "corrupt"));
	/* Putting the good bytes again heals the object. */
	assert_int_equal(ry_artifact_put(ws.st, src, hex, NULL), 0);
	assert_int_equal(ry_artifact_verify(ws.st, hex), 0);
	assert_int_equal(unlink(obj), 0);
	assert_int_equal(ry_artifact_verify(ws.st, hex), RY_ENOTFOUND);
	assert_int_equal(ry_artifact_verify(ws.st, "nothex"), RY_EINVAL);
	free(obj);
	free(src);
	ry_test_ws_close(&ws);
}

static void test_export_verifies_and_never_leaves_corrupt_copy(void **state)
{
	struct ry_test_ws ws;
	char *src, *dest, *obj, hex[65], *back;
	size_t n;
	struct stat sb;
	int temps = 0;
	ry_test_ws_open(&ws);
	src = ry_xasprintf("%s/m.bin", ws.dir);
	dest = ry_xasprintf("%s/out.bin", ws.dir);
	write_file(src, "model bytes", 11);
	assert_int_equal(ry_artifact_put(ws.st, src, hex, NULL), 0);
	assert_int_equal(ry_artifact_export(ws.st, hex, dest), 0);
	back = read_file(dest, &n);
	assert_int_equal(n, 11);
	assert_memory_equal(back, "model bytes", 11);
	free(back);
	assert_int_equal(ry_artifact_export(ws.st, hex, dest), RY_EEXISTS);
	unlink(dest);

	obj = ry_artifact_object_path(ws.st, hex);
	flip_byte(obj, 0);
	assert_int_equal(ry_artifact_export(ws.st, hex, dest), RY_ECORRUPT);
	assert_int_not_equal(stat(dest, &sb), 0);
	assert_int_equal(count_files(ws.dir, &temps) >= 1, 1);
	assert_int_equal(temps, 0);
	free(obj);
	free(src);
	free(dest);
	ry_test_ws_close(&ws);
}

static void test_record_and_list(void **state)
{
	struct ry_test_ws ws;
	ry_artifact *a = NULL;
	size_t n = 99;
	char hex[65];
	int64_t run;
	ry_test_ws_open(&ws);
	run = make_run(ws.st);
	ry_sha256_hex("x", 1, hex);
	assert_int_equal(ry_artifact_list(ws.st, run, &a, &n), 0);
	assert_int_equal(n, 0);
	ry_artifacts_free(a, n);
	assert_int_equal(ry_artifact_record(ws.st, run, "model.pt", hex, 1), 0);
	assert_int_equal(ry_artifact_record(ws.st, run, "config.json", hex, 1), 0);
	ry_sha256_hex("y", 1, hex);
	assert_int_equal(ry_artifact_record(ws.st, run, "model.pt", hex, 7), 0); /* replaces */
	assert_int_equal(ry_artifact_list(ws.st, run, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].path, "config.json");
	assert_string_equal(a[1].path, "model.pt");
	assert_string_equal(a[1].sha256, hex);
	assert_int_equal(a[1].size, 7);
	ry_artifacts_free(a, n);
	assert_int_equal(ry_artifact_record(ws.st, run, "m", "ABC", 1), RY_EINVAL);
	assert_int_equal(ry_artifact_record(ws.st, run, "", hex, 1), RY_EINVAL);
	assert_int_equal(ry_artifact_record(ws.st, run + 100, "m", hex, 1), RY_ENOTFOUND);
	ry_artifacts_free(NULL, 0);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_padding_boundaries),
		cmocka_unit_test(test_sha256_file_matches_sha256sum),
		cmocka_unit_test(test_put_stores_once_read_only),
		cmocka_unit_test(test_verify_detects_corruption),
		cmocka_unit_test(test_export_verifies_and_never_leaves_corrupt_copy),
		cmocka_unit_test(test_record_and_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
