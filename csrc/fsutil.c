/*
 * fsutil.c: `core.fs`, safe file operations in one private directory (the response cache's directory backend).
 *
 * Pure Lua cannot create a file with a mode, open without following a symbolic link or without blocking, or stat
 * what it opened; a cache directory another user can reach must not be trusted. These functions can.
 *
 *   fs.check_dir(path)          -> true | false (no such directory) | nil, reason, code
 *   fs.ensure_private_dir(path) -> true | nil, reason, code
 *                               -- creates what is missing (each component 0700, like mkdir -p), then checks it
 *   fs.read_regular(dir, name, max)
 *                               -> text | nil, reason, code          -- never more than `max` bytes read
 *   fs.write_atomic(dir, name, text [, tmp])
 *                               -> replaced | nil, reason, code
 *                               -- a new 0600 file (O_CREAT|O_EXCL|O_NOFOLLOW) written whole, then renamed over
 *                               -- <dir>/<name>: a reader sees the old text or the new one. It is made in the
 *                               -- subdirectory `tmp` of dir (created 0700 when missing, checked like dir), else in
 *                               -- dir as a hidden file, named "<name>.<pid>-<time>-<n>.tmp". `replaced` is the
 *                               -- size of the regular file it replaced (0 when there was none)
 *   fs.list(dir [, limit])      -> array of { name, kind, size, mtime }, truncated | nil, reason, code
 *                               -- kind "file" | "directory" | "link" | "other" (never followed), mtime in seconds
 *                               -- since the epoch; at most `limit` entries (truncated = true when more are there)
 *   fs.remove(dir, name)        -> true | false (no such entry) | nil, reason, code   -- never a directory
 *
 * Every function that takes `dir` opens it with O_NOFOLLOW (a symbolic link as its last component is refused) and
 * checks what it opened, not the path: a directory (1) owned by this process's effective user and (2) writable by
 * no one else (no group or other write bit). It then works relative to that descriptor (openat), so swapping the
 * path for something else between the check and the use changes nothing. `name` is one path component (no "/",
 * not "." or ".."); a bad name, path or max is misuse and raises. An entry is read only when it is a regular file
 * owned by this user and at most `max` bytes long; it is opened with O_NONBLOCK, so a FIFO planted at its path
 * cannot block the read, and with O_NOFOLLOW, so a symbolic link (to /dev/zero, to another user's file) is refused.
 *
 * Failures return nil, a reason that names the path ("/x/y is owned by uid 65534, not by this user (uid 0)"),
 * and a code: "unsafe" (fails the checks above: do not use it), "too_large", or "io" (any other system error, with
 * strerror's text). Intermediate components of `dir` are resolved as usual: only their last one is held to the
 * rules.
 *
 * Resources: no Lua call that can raise runs while a descriptor is open, except inside read_regular and list, where
 * the descriptors live in a guard userdata pushed first whose __gc closes them (so a memory error leaks nothing).
 * Buffers are Lua's (a userdata), never malloc'd.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

#define GUARD_MT    "xingtu.fs.guard"
#define XT_FS_MAX   ((lua_Number)(1ULL << 40)) /* upper bound for read_regular's max */
#define MSG_SIZE    (PATH_MAX + 256)
#define OPEN_DIR    (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define OPEN_ENTRY  (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
#define CREATE_TEMP (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)

enum { FS_OK, FS_MISSING, FS_UNSAFE, FS_TOO_LARGE, FS_IO };

static const char *const code_names[] = {"ok", "missing", "unsafe", "too_large", "io"};

/* A failure: its code and the reason text (always NUL-terminated). */
typedef struct {
    int code;
    char msg[MSG_SIZE + 128]; /* a path of up to MSG_SIZE and what is wrong with it */
} fs_error;

/* "<path> <what>" */
static int fail(fs_error *e, int code, const char *path, const char *what)
{
    e->code = code;
    snprintf(e->msg, sizeof e->msg, "%s %s", path, what);
    return -1;
}

/* A system error: "<path>: <strerror>", code io. */
static int fail_io(fs_error *e, const char *path, int err)
{
    e->code = FS_IO;
    snprintf(e->msg, sizeof e->msg, "%s: %s", path, strerror(err));
    return -1;
}

/* The same, except that a missing file is code "missing". */
static int fail_errno(fs_error *e, const char *path, int err)
{
    if (err == ENOENT)
        return fail(e, FS_MISSING, path, "does not exist");
    return fail_io(e, path, err);
}

/* A size or a time in whole units: an integer where Lua has them. */
static void push_whole(lua_State *L, long long v)
{
#if XT_HAVE_INTEGERS
    lua_pushinteger(L, (lua_Integer)v);
#else
    lua_pushnumber(L, (lua_Number)v);
#endif
}

/* Pushes nil, reason, code: the failure return of every function. */
static int push_error(lua_State *L, const fs_error *e)
{
    lua_pushnil(L);
    lua_pushstring(L, e->msg);
    lua_pushstring(L, code_names[e->code]);
    return 3;
}

/* ---- the guard: descriptors that must be closed even when a Lua call raises ---- */

typedef struct {
    int fd[2];
    DIR *dir;
} fs_guard;

static void guard_release(fs_guard *g)
{
    int i;
    for (i = 0; i < 2; i++) {
        if (g->fd[i] >= 0)
            close(g->fd[i]);
        g->fd[i] = -1;
    }
    if (g->dir)
        closedir(g->dir);
    g->dir = NULL;
}

static int guard_gc(lua_State *L)
{
    guard_release(luaL_checkudata(L, 1, GUARD_MT));
    return 0;
}

static fs_guard *push_guard(lua_State *L)
{
    fs_guard *g = lua_newuserdata(L, sizeof *g);
    g->fd[0] = g->fd[1] = -1;
    g->dir = NULL;
    luaL_getmetatable(L, GUARD_MT);
    lua_setmetatable(L, -2);
    return g;
}

/* ---- arguments (checked before anything is opened) ---- */

/* A directory path without trailing slashes (a trailing slash would make the kernel follow a final symlink). */
static const char *check_dir_arg(lua_State *L, int arg, char *buf)
{
    size_t len;
    const char *path = luaL_checklstring(L, arg, &len);
    if (len == 0 || memchr(path, '\0', len))
        luaL_argerror(L, arg, "a directory path (non-empty, no NUL) expected");
    if (len >= PATH_MAX)
        luaL_argerror(L, arg, "path too long");
    memcpy(buf, path, len + 1);
    while (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';
    return buf;
}

static const char *check_name_arg(lua_State *L, int arg)
{
    size_t len;
    const char *name = luaL_checklstring(L, arg, &len);
    if (len == 0 || len > NAME_MAX || memchr(name, '\0', len) || strchr(name, '/') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        luaL_argerror(L, arg, "a file name expected (one path component: no '/', not '.' or '..')");
    return name;
}

/* ---- the checks ---- */

/* Whether the opened fd is a directory this user alone may change; `path` only names it in the reason. */
static int check_private_fd(int fd, const char *path, fs_error *e)
{
    struct stat st;
    char what[96];
    if (fstat(fd, &st) != 0)
        return fail_io(e, path, errno);
    if (!S_ISDIR(st.st_mode))
        return fail(e, FS_UNSAFE, path, "is not a directory");
    if (st.st_uid != geteuid()) {
        snprintf(what, sizeof what, "is owned by uid %ld, not by this user (uid %ld)", (long)st.st_uid,
                 (long)geteuid());
        return fail(e, FS_UNSAFE, path, what);
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(what, sizeof what, "is writable by group or others (mode %04o)", (unsigned)(st.st_mode & 07777));
        return fail(e, FS_UNSAFE, path, what);
    }
    return 0;
}

/* Why opening `name` (relative to at) as a directory failed: tells a symbolic link from other things. */
static int dir_open_failure(int at, const char *name, const char *path, int err, fs_error *e)
{
    struct stat st;
    if (err == ELOOP)
        return fail(e, FS_UNSAFE, path, "is a symbolic link");
    if (err == ENOTDIR && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return fail(e, FS_UNSAFE, path, S_ISLNK(st.st_mode) ? "is a symbolic link" : "is not a directory");
    return fail_errno(e, path, err);
}

/* Opens `name` relative to `at` (AT_FDCWD: a path) as a private directory; returns the fd, or -1 with e set. */
static int open_private_at(int at, const char *name, const char *path, fs_error *e)
{
    int fd = openat(at, name, OPEN_DIR);
    if (fd < 0)
        return dir_open_failure(at, name, path, errno, e);
    if (check_private_fd(fd, path, e) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* "<dir>/<name>" for messages (cut to fit). */
static void join(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
}

/* ---- the functions ---- */

static int fs_check_dir(lua_State *L)
{
    char path[PATH_MAX];
    fs_error e;
    int fd;
    check_dir_arg(L, 1, path);
    fd = open_private_at(AT_FDCWD, path, path, &e);
    if (fd < 0) {
        if (e.code == FS_MISSING) {
            lua_pushboolean(L, 0);
            return 1;
        }
        return push_error(L, &e);
    }
    close(fd);
    lua_pushboolean(L, 1);
    return 1;
}

/* mkdir -p with mode 0700; the last component, when created here, is made exactly 0700 whatever the umask. */
static int make_dirs(char *path, fs_error *e)
{
    char *p = path;
    int fd;
    while (*p == '/')
        p++;
    for (; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            int err = errno;
            fail_io(e, path, err);
            *p = '/';
            return -1;
        }
        *p = '/';
        while (p[1] == '/')
            p++;
    }
    if (mkdir(path, 0700) != 0) {
        if (errno != EEXIST)
            return fail_io(e, path, errno);
        return 0; /* it was there: the check decides */
    }
    fd = open_private_at(AT_FDCWD, path, path, e);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0700) != 0) {
        int err = errno;
        close(fd);
        return fail_io(e, path, err);
    }
    close(fd);
    return 0;
}

static int fs_ensure_private_dir(lua_State *L)
{
    char path[PATH_MAX];
    fs_error e;
    int fd;
    check_dir_arg(L, 1, path);
    if (make_dirs(path, &e) != 0)
        return push_error(L, &e);
    fd = open_private_at(AT_FDCWD, path, path, &e);
    if (fd < 0)
        return push_error(L, &e);
    close(fd);
    lua_pushboolean(L, 1);
    return 1;
}

static int fs_read_regular(lua_State *L)
{
    char dir[PATH_MAX], path[MSG_SIZE];
    const char *name;
    lua_Number max_n;
    size_t max, size, got = 0;
    struct stat st;
    fs_error e;
    fs_guard *g;
    char *buf;
    check_dir_arg(L, 1, dir);
    name = check_name_arg(L, 2);
    max_n = luaL_checknumber(L, 3);
    if (!(max_n >= 0 && max_n <= XT_FS_MAX))
        return luaL_argerror(L, 3, "a size in bytes (0 to 2^40) expected");
    max = (size_t)max_n;
    lua_settop(L, 3);
    join(path, sizeof path, dir, name);

    g = push_guard(L); /* 4: from here on a raise closes what the guard holds */
    if ((g->fd[0] = open_private_at(AT_FDCWD, dir, dir, &e)) < 0)
        return push_error(L, &e);
    g->fd[1] = openat(g->fd[0], name, OPEN_ENTRY);
    if (g->fd[1] < 0) {
        int err = errno;
        guard_release(g);
        if (err == ELOOP)
            fail(&e, FS_UNSAFE, path, "is a symbolic link");
        else
            fail_errno(&e, path, err);
        return push_error(L, &e);
    }
    if (fstat(g->fd[1], &st) != 0) {
        fail_io(&e, path, errno);
        guard_release(g);
        return push_error(L, &e);
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        fail(&e, FS_UNSAFE, path, !S_ISREG(st.st_mode) ? "is not a regular file" : "is not owned by this user");
        guard_release(g);
        return push_error(L, &e);
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > (unsigned long long)max) {
        char what[96];
        snprintf(what, sizeof what, "is larger than the cap (%lld > %zu bytes)", (long long)st.st_size, max);
        fail(&e, FS_TOO_LARGE, path, what);
        guard_release(g);
        return push_error(L, &e);
    }
    size = (size_t)st.st_size;
    buf = lua_newuserdata(L, size + 1); /* 5; one byte more tells a file that grew since fstat */
    while (got <= size) {
        ssize_t n = read(g->fd[1], buf + got, size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail_io(&e, path, errno);
            guard_release(g);
            return push_error(L, &e);
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    guard_release(g);
    if (got > size) {
        fail(&e, FS_IO, path, "changed while it was read");
        return push_error(L, &e);
    }
    lua_pushlstring(L, buf, got);
    return 1;
}

/* Creates a fresh temporary file in tfd; returns its fd (name in tmp) or -1 with e set. */
static int create_temp(int tfd, const char *name, int hidden, char *tmp, size_t tmpsize, const char *where, fs_error *e)
{
    struct timespec ts;
    int attempt, fd;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (attempt = 0; attempt < 16; attempt++) {
        int n = snprintf(tmp, tmpsize, "%s%s.%ld-%lld%09ld-%d.tmp", hidden ? "." : "", name, (long)getpid(),
                         (long long)ts.tv_sec, (long)ts.tv_nsec, attempt);
        if (n < 0 || (size_t)n >= tmpsize)
            return fail(e, FS_IO, where, "cannot hold a temporary name that long");
        fd = openat(tfd, tmp, CREATE_TEMP, 0600);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            return fail_io(e, where, errno);
    }
    return fail(e, FS_IO, where, "has no free temporary name");
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        text += n, len -= (size_t)n;
    }
    return 0;
}

static int fs_write_atomic(lua_State *L)
{
    char dir[PATH_MAX], path[MSG_SIZE], where[MSG_SIZE], tmp[NAME_MAX + 1];
    const char *name, *sub;
    const char *text;
    size_t len;
    fs_error e;
    struct stat st;
    int dfd, tfd, fd;
    long long replaced = 0;
    check_dir_arg(L, 1, dir);
    name = check_name_arg(L, 2);
    text = luaL_checklstring(L, 3, &len);
    sub = lua_isnoneornil(L, 4) ? NULL : check_name_arg(L, 4);
    join(path, sizeof path, dir, name);

    /* No Lua call below until every descriptor is closed. */
    if ((dfd = open_private_at(AT_FDCWD, dir, dir, &e)) < 0)
        return push_error(L, &e);
    tfd = dfd;
    if (sub) {
        join(where, sizeof where, dir, sub);
        if (mkdirat(dfd, sub, 0700) != 0 && errno != EEXIST) {
            fail_io(&e, where, errno);
            close(dfd);
            return push_error(L, &e);
        }
        if ((tfd = open_private_at(dfd, sub, where, &e)) < 0) {
            close(dfd);
            return push_error(L, &e);
        }
    } else {
        memcpy(where, dir, strlen(dir) + 1);
    }
    fd = create_temp(tfd, name, sub == NULL, tmp, sizeof tmp, where, &e);
    if (fd >= 0) {
        /* fchmod: exactly 0600, whatever the umask (a 0000 file could not be read back). */
        int bad = fchmod(fd, 0600) != 0 || write_all(fd, text, len) != 0;
        int err = errno;
        if (close(fd) != 0 && !bad)
            bad = 1, err = errno;
        if (!bad && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            replaced = (long long)st.st_size;
        if (!bad && renameat(tfd, tmp, dfd, name) != 0)
            bad = 1, err = errno;
        if (bad) {
            fail_io(&e, path, err);
            unlinkat(tfd, tmp, 0);
            fd = -1;
        }
    }
    if (tfd != dfd)
        close(tfd);
    close(dfd);
    if (fd < 0)
        return push_error(L, &e);
    push_whole(L, replaced);
    return 1;
}

static const char *kind_of(mode_t mode)
{
    if (S_ISREG(mode))
        return "file";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISLNK(mode))
        return "link";
    return "other";
}

static int fs_list(lua_State *L)
{
    char dir[PATH_MAX];
    lua_Number limit_n;
    long limit, n = 0;
    int truncated = 0;
    fs_error e;
    fs_guard *g;
    struct dirent *ent;
    check_dir_arg(L, 1, dir);
    limit_n = luaL_optnumber(L, 2, (lua_Number)LONG_MAX);
    if (!(limit_n >= 0))
        return luaL_argerror(L, 2, "a number of entries >= 0 expected");
    limit = limit_n >= (lua_Number)LONG_MAX ? LONG_MAX : (long)limit_n;
    lua_settop(L, 2);

    g = push_guard(L); /* 3 */
    if ((g->fd[0] = open_private_at(AT_FDCWD, dir, dir, &e)) < 0)
        return push_error(L, &e);
    if ((g->dir = fdopendir(g->fd[0])) == NULL) {
        fail_io(&e, dir, errno);
        guard_release(g);
        return push_error(L, &e);
    }
    g->fd[0] = -1;   /* the DIR owns it now */
    lua_newtable(L); /* 4: the result */
    for (;;) {
        struct stat st;
        errno = 0;
        ent = readdir(g->dir);
        if (ent == NULL) {
            if (errno != 0) {
                fail_io(&e, dir, errno);
                guard_release(g);
                return push_error(L, &e);
            }
            break;
        }
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(g->dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* removed since readdir saw it */
        if (n == limit) {
            truncated = 1;
            break;
        }
        lua_createtable(L, 0, 4);
        lua_pushstring(L, ent->d_name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, kind_of(st.st_mode));
        lua_setfield(L, -2, "kind");
        push_whole(L, (long long)st.st_size);
        lua_setfield(L, -2, "size");
        push_whole(L, (long long)st.st_mtime);
        lua_setfield(L, -2, "mtime");
        lua_rawseti(L, 4, (int)++n);
    }
    guard_release(g);
    lua_pushboolean(L, truncated);
    return 2;
}

static int fs_remove(lua_State *L)
{
    char dir[PATH_MAX], path[MSG_SIZE];
    const char *name;
    fs_error e;
    int dfd, rc, err;
    check_dir_arg(L, 1, dir);
    name = check_name_arg(L, 2);
    join(path, sizeof path, dir, name);
    if ((dfd = open_private_at(AT_FDCWD, dir, dir, &e)) < 0)
        return push_error(L, &e);
    rc = unlinkat(dfd, name, 0);
    err = errno;
    close(dfd);
    if (rc != 0) {
        if (err == ENOENT) {
            lua_pushboolean(L, 0);
            return 1;
        }
        fail_io(&e, path, err);
        return push_error(L, &e);
    }
    lua_pushboolean(L, 1);
    return 1;
}

void xt_fs_register(lua_State *L)
{
    static const luaL_Reg functions[] = {{"check_dir", fs_check_dir},
                                         {"ensure_private_dir", fs_ensure_private_dir},
                                         {"read_regular", fs_read_regular},
                                         {"write_atomic", fs_write_atomic},
                                         {"list", fs_list},
                                         {"remove", fs_remove},
                                         {NULL, NULL}};
    if (luaL_newmetatable(L, GUARD_MT)) { /* mod mt */
        lua_pushcfunction(L, guard_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    lua_newtable(L);
    xt_setfuncs(L, functions);
    lua_setfield(L, -2, "fs");
}
