/* manifest.c: parsing image manifests (see manifest.h). Paths go into a
 * debugfs script, so they may not hold quotes, backslashes or control
 * characters, and "." and ".." components are refused as ambiguous. */
#define _GNU_SOURCE
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#define MAX_LINE (PATH_MAX + 64)
#define MAX_ENTRIES 1000000

static int check_path(const char *file, unsigned line, const char *p, struct uerr *err)
{
	if (p[0] != '/')
		return uerr_set(err, 0, "%s:%u: path \"%s\" is not absolute (paths are inside the image, starting with /)",
				file, line, p);
	if (strlen(p) >= PATH_MAX)
		return uerr_set(err, 0, "%s:%u: path is longer than %d bytes", file, line,
				PATH_MAX - 1);
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c < ' ' || *c == 0x7f || *c == '"' || *c == '\\')
			return uerr_set(err, 0, "%s:%u: path \"%s\" holds a quote, backslash or control character",
					file, line, p);
	for (const char *c = p; *c; c++) {
		size_t len;

		if (*c != '/')
			continue;
		len = strcspn(c + 1, "/");
		if ((len == 1 && c[1] == '.') || (len == 2 && c[1] == '.' && c[2] == '.'))
			return uerr_set(err, 0, "%s:%u: path \"%s\": \".\" and \"..\" components are not allowed",
					file, line, p);
	}
	return 0;
}

/* A decimal id from 0 to 4294967294 (-1 means "no change" to chown). */
static int parse_id(const char *s, unsigned *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 4294967294ULL)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int manifest_parse_line(const char *file, unsigned line, const char *text,
			struct manifest_entry *e, struct uerr *err)
{
	autofree char *copy = strdup(text);
	char *f[5], *save = NULL, *s;
	unsigned long mode = 0;
	unsigned uid, gid;
	int n = 0;

	if (copy == NULL)
		return uerr_set(err, ENOMEM, "%s:%u", file, line);
	s = copy + strspn(copy, " \t");
	if (*s == '\0' || *s == '#')
		return 0;
	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 5)
			break;
		f[n++] = t;
	}
	if (n != 4)
		return uerr_set(err, 0, "%s:%u: want \"PATH MODE UID GID\", found %s%d fields", file,
				line, n == 5 ? "more than " : "", n == 5 ? 4 : n);
	if (check_path(file, line, f[0], err) < 0)
		return -1;
	if (strspn(f[1], "01234567") != strlen(f[1]) || strlen(f[1]) > 12 ||
	    (mode = strtoul(f[1], NULL, 8)) > 07777)
		return uerr_set(err, 0, "%s:%u: mode \"%s\": want octal permission bits, at most 7777 (like 0755)",
				file, line, f[1]);
	if (parse_id(f[2], &uid) < 0)
		return uerr_set(err, 0, "%s:%u: uid \"%s\": want a number from 0 to 4294967294",
				file, line, f[2]);
	if (parse_id(f[3], &gid) < 0)
		return uerr_set(err, 0, "%s:%u: gid \"%s\": want a number from 0 to 4294967294",
				file, line, f[3]);
	e->path = strdup(f[0]);
	if (e->path == NULL)
		return uerr_set(err, ENOMEM, "%s:%u", file, line);
	e->mode = (mode_t)mode;
	e->uid = uid;
	e->gid = gid;
	e->line = line;
	return 1;
}

static int read_entries(const char *file, struct manifest *m, struct uerr *err)
{
	autofclose FILE *f = fopen(file, "re");
	autofree char *buf = NULL;
	size_t cap = 0, alloc = 0;
	unsigned line = 0;
	ssize_t len;

	if (f == NULL)
		return uerr_set(err, errno, "manifest %s", file);
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct manifest_entry e;
		int r;

		line++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if ((size_t)len != strlen(buf))
			return uerr_set(err, 0, "%s:%u: holds a NUL byte", file, line);
		if (len > MAX_LINE)
			return uerr_set(err, 0, "%s:%u: longer than %d bytes", file, line, MAX_LINE);
		r = manifest_parse_line(file, line, buf, &e, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (m->n == MAX_ENTRIES) {
			free(e.path);
			return uerr_set(err, 0, "%s:%u: more than %d entries", file, line, MAX_ENTRIES);
		}
		if (m->n == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct manifest_entry *ne = realloc(m->e, na * sizeof(*ne));

			if (ne == NULL) {
				free(e.path);
				return uerr_set(err, ENOMEM, "%s:%u", file, line);
			}
			m->e = ne;
			alloc = na;
		}
		m->e[m->n++] = e;
	}
	if (ferror(f))
		return uerr_set(err, errno, "manifest %s: read", file);
	return 0;
}

int manifest_read(const char *file, struct manifest *m, struct uerr *err)
{
	*m = (struct manifest){ 0 };
	if (read_entries(file, m, err) < 0) {
		manifest_free(m);
		return -1;
	}
	return 0;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].path);
	free(m->e);
	*m = (struct manifest){ 0 };
}
