/* libjail for Jails for Linux: FreeBSD's jail_setv, jail_getv, jail_getid, jail_getname,
 * jail_attach and jail_remove over the `jail` command (which creates, changes and removes
 * jails; a static binary, no Swift runtime needed) and the jails' records in /run/jail.
 * Entering a jail happens here, in the calling process (Sources/CJail/attach.c, shared
 * with the Swift library). Plain C against libc. */
#define _GNU_SOURCE
#include "jail.h"
#include "cjattach.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef JAIL_BINARY
#define JAIL_BINARY "/usr/local/sbin/jail"
#endif
#define REGISTRY "/run/jail"
#define SECCOMP_CACHE "/var/cache/jail"
#define MAX_PAIRS 64
#define RECORD_MAX 65536

char jail_errmsg[JAIL_ERRMSGLEN];
extern char **environ;

static int fail(int error, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vsnprintf(jail_errmsg, JAIL_ERRMSGLEN, format, ap);
    va_end(ap);
    errno = error;
    return -1;
}

/* Runs the jail command with `args` (NULL-terminated). Its output goes to `out`; its
 * first error line, without the "jail: " prefix, to jail_errmsg. `adopt`: a process the
 * new jail takes in before it starts (JAIL_ATTACH), 0 for none. Returns its exit status. */
static int run_jail(const char **args, pid_t adopt, char *out, size_t outlen) {
    // secure_getenv: a setuid caller's environment does not choose the program we run.
    const char *bin = secure_getenv("JAIL_BIN") ? secure_getenv("JAIL_BIN") : JAIL_BINARY;
    const char *argv[MAX_PAIRS + 8] = { "jail" };
    size_t n = 1;
    for (; args[n - 1] != NULL && n < MAX_PAIRS + 7; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    size_t nenv = 0;
    while (environ[nenv] != NULL) nenv++;
    char **envp = calloc(nenv + 2, sizeof *envp), adoption[48];
    if (envp == NULL) return fail(ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "JAIL_ATTACH_PID=", 16)) envp[k++] = environ[i];
    if (adopt > 0) {
        snprintf(adoption, sizeof adoption, "JAIL_ATTACH_PID=%d", (int)adopt);
        envp[k++] = adoption;
    }
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0) { free(envp); return fail(errno, "pipe: %s", strerror(errno)); }
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]); close(po[1]); free(envp);
        return fail(errno, "pipe: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int r = posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(po[1]); close(pe[1]);
    if (r != 0) {
        close(po[0]); close(pe[0]);
        return fail(r, "%s: %s", bin, strerror(r));
    }
    char err[JAIL_ERRMSGLEN] = "";
    size_t no = 0, ne = 0;
    struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (poll(fds, 2, -1) < 0) { if (errno == EINTR) continue; break; }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            char *buf = i ? err : out;
            size_t *used = i ? &ne : &no, cap = i ? sizeof err : outlen;
            char scratch[512];
            ssize_t got = *used + 1 < cap ? read(fds[i].fd, buf + *used, cap - 1 - *used) : read(fds[i].fd, scratch, sizeof scratch);
            if (got <= 0) { close(fds[i].fd); fds[i].fd = -1; continue; }
            if (*used + 1 < cap) *used += (size_t)got;
        }
    }
    out[no] = '\0';
    err[ne] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) {
        char *line = err;
        if (!strncmp(line, "jail: ", 6)) line += 6;
        line[strcspn(line, "\n")] = '\0';
        fail(EINVAL, "%s", *line ? line : "jail failed");
    }
    return code;
}

/* The live record of jail `jid` into `text`; -1 if there is none (or it ended). */
static int read_record(int jid, char *text, size_t len) {
    char path[64];
    snprintf(path, sizeof path, REGISTRY "/%d", jid);
    if (cj_read_file(path, text, len) < 0) return -1;
    const char *init = strstr(text, "\ninit=");
    unsigned long pid = 0;
    unsigned long long start = 0;
    if (init == NULL || sscanf(init + 6, "%lu %llu", &pid, &start) != 2 || pid == 0) return -1;
    return cj_start_time((pid_t)pid) == start ? 0 : -1;
}

/* The value of the record's first `key=` line into out; -1 if it has none. */
static int field(const char *text, const char *key, char *out, size_t len) {
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, klen) || p[klen] != '=') continue;
        const char *v = p + klen + 1;
        snprintf(out, len, "%.*s", (int)strcspn(v, "\n"), v);
        return 0;
    }
    return -1;
}

static int is_number(const char *s) {
    if (*s == '\0') return 0;
    for (; *s; s++) if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Live jids in ascending order, above `after`: the first one, or -1. */
static int next_jid(int after) {
    DIR *d = opendir(REGISTRY);
    if (d == NULL) return -1;
    static char text[RECORD_MAX];
    int best = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_number(e->d_name)) continue;
        int jid = atoi(e->d_name);
        if (jid > after && (best < 0 || jid < best) && read_record(jid, text, sizeof text) == 0) best = jid;
    }
    closedir(d);
    return best;
}

int jail_getid(const char *name) {
    static char text[RECORD_MAX];
    if (is_number(name)) {
        int jid = atoi(name);
        if (read_record(jid, text, sizeof text) == 0) return jid;
        return fail(ENOENT, "jail %d not found", jid);
    }
    char value[1024];
    for (int jid = next_jid(0); jid > 0; jid = next_jid(jid))
        if (read_record(jid, text, sizeof text) == 0 && field(text, "name", value, sizeof value) == 0 && !strcmp(value, name))
            return jid;
    return fail(ENOENT, "jail \"%s\" not found", name);
}

char *jail_getname(int jid) {
    static char text[RECORD_MAX];
    char value[1024];
    if (read_record(jid, text, sizeof text) < 0 || field(text, "name", value, sizeof value) < 0) {
        fail(ENOENT, "jail %d not found", jid);
        return NULL;
    }
    char *name = strdup(value);
    if (name == NULL) fail(ENOMEM, "out of memory");
    return name;
}

int jail_attach(int jid) {
    if (cj_attach_jail(jid, REGISTRY, SECCOMP_CACHE, jail_errmsg, JAIL_ERRMSGLEN) < 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

int jail_remove(int jid) {
    char number[24], out[256];
    snprintf(number, sizeof number, "%d", jid);
    const char *args[] = { "-q", "-r", number, NULL };
    if (jail_getid(number) < 0) return -1;
    return run_jail(args, 0, out, sizeof out) == 0 ? 0 : -1;
}

int jail_setv(int flags, ...) {
    if (flags & ~JAIL_SET_MASK) return fail(EINVAL, "unknown flags %#x", flags);
    const char *words[MAX_PAIRS + 4];
    char *owned[MAX_PAIRS];
    size_t n = 0;
    const char *key = NULL;
    int status = -1;
    va_list ap;
    va_start(ap, flags);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const char *value = va_arg(ap, const char *);
        if (n == MAX_PAIRS) { va_end(ap); fail(E2BIG, "too many parameters"); goto done; }
        if (value == NULL || *value == '\0') owned[n] = strdup(name);
        else if (asprintf(&owned[n], "%s=%s", name, value) < 0) owned[n] = NULL;
        if (owned[n] == NULL) { va_end(ap); fail(ENOMEM, "out of memory"); goto done; }
        if ((!strcmp(name, "jid") || !strcmp(name, "name")) && value && *value && key == NULL) key = value;
        n++;
    }
    va_end(ap);
    int attach = flags & JAIL_ATTACH, create = flags & JAIL_CREATE;
    /* Refused before anything exists: a process that cannot enter a jail in place. */
    if (attach && cj_self_check(jail_errmsg, JAIL_ERRMSGLEN) < 0) { errno = EINVAL; goto done; }
    int jid = -1;
    static char saved[8192];
    if (flags & (JAIL_CREATE | JAIL_UPDATE)) {
        size_t k = 0;
        words[k++] = "-q";
        words[k++] = "-i";
        words[k++] = create && (flags & JAIL_UPDATE) ? "-cm" : create ? "-c" : "-m";
        for (size_t i = 0; i < n; i++) words[k++] = owned[i];
        words[k] = NULL;
        if (attach && create) cj_cgroup_save(0, saved, sizeof saved);
        char out[256];
        if (run_jail(words, attach && create ? getpid() : 0, out, sizeof out) != 0) goto done;
        jid = is_number(strtok(out, "\n") ? out : "") ? atoi(out) : -1;
    }
    if (jid < 0) {
        if (key == NULL) { fail(ENOENT, "no jail named: give \"jid\" or \"name\""); goto done; }
        if ((jid = jail_getid(key)) < 0) goto done;
    }
    if (attach && cj_attach_jail(jid, REGISTRY, SECCOMP_CACHE, jail_errmsg, JAIL_ERRMSGLEN) < 0) {
        int error = errno ? errno : EPERM;
        if (create) {
            /* Out of its cgroups first: removing the jail kills what is in them. */
            char message[JAIL_ERRMSGLEN], number[24], out[256];
            snprintf(message, sizeof message, "%s", jail_errmsg);
            cj_cgroup_restore(0, saved);
            snprintf(number, sizeof number, "%d", jid);
            const char *args[] = { "-q", "-r", number, NULL };
            run_jail(args, 0, out, sizeof out);
            snprintf(jail_errmsg, JAIL_ERRMSGLEN, "%s", message);
        }
        errno = error;
        goto done;
    }
    status = jid;
done:
    for (size_t i = 0; i < n; i++) free(owned[i]);
    return status;
}

/* A parameter of the record as jail_getv gives it: the values of its words, joined. */
static void parameter(const char *text, const char *name, char *out, size_t len) {
    size_t nlen = strlen(name), used = 0;
    out[0] = '\0';
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, "param=", 6)) continue;
        const char *w = p + 6, *end = w + strcspn(w, "\n");
        int negated = !strncmp(w, "no", 2) && !strncmp(w + 2, name, nlen) && (w + 2 + nlen == end);
        if (negated) { snprintf(out, len, "false"); used = strlen(out); continue; }
        if (strncmp(w, name, nlen)) continue;
        const char *v = w + nlen;
        if (v == end) { snprintf(out, len, "true"); used = strlen(out); continue; }
        if (*v != '=') continue;
        v++;
        if (used > 0 && strcmp(out, "true") && used + 1 < len) out[used++] = ',';
        else used = 0;
        int wrote = snprintf(out + used, len - used, "%.*s", (int)(end - v), v);
        if (wrote > 0) used += (size_t)wrote < len - used ? (size_t)wrote : len - used - 1;
    }
}

int jail_getv(int flags, ...) {
    (void)flags;
    const char *names[MAX_PAIRS];
    char *values[MAX_PAIRS];
    size_t n = 0;
    int jid = -1, lastjid = -1;
    va_list ap;
    va_start(ap, flags);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL && n < MAX_PAIRS; n++) {
        names[n] = name;
        values[n] = va_arg(ap, char *);
        if (values[n] == NULL || values[n][0] == '\0') continue;
        if (!strcmp(name, "jid")) { if (atoi(values[n]) > 0) jid = atoi(values[n]); }
        else if (!strcmp(name, "lastjid")) lastjid = atoi(values[n]);
        else if (!strcmp(name, "name") && jid < 0 && (jid = jail_getid(values[n])) < 0) { va_end(ap); return -1; }
    }
    va_end(ap);
    if (jid < 0 && lastjid >= 0 && (jid = next_jid(lastjid)) < 0) return fail(ENOENT, "no jail after %d", lastjid);
    if (jid < 0) return fail(ENOENT, "no jail named: give \"jid\", \"name\" or \"lastjid\"");
    static char text[RECORD_MAX];
    if (read_record(jid, text, sizeof text) < 0) return fail(ENOENT, "jail %d not found", jid);
    for (size_t i = 0; i < n; i++) {
        char *out = values[i];
        if (out == NULL || !strcmp(names[i], "lastjid")) continue;
        if (!strcmp(names[i], "jid")) snprintf(out, JAIL_ERRMSGLEN, "%d", jid);
        else if (!strcmp(names[i], "name") || !strcmp(names[i], "path") || !strcmp(names[i], "host.hostname") ||
                 !strcmp(names[i], "persist")) field(text, names[i], out, JAIL_ERRMSGLEN);
        else if (!strcmp(names[i], "dying")) snprintf(out, JAIL_ERRMSGLEN, "false");
        else parameter(text, names[i], out, JAIL_ERRMSGLEN);
    }
    return jid;
}
