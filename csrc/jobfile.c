/* jobfile.c: `core.jobfile`; the contract is in jobfile.h. */
#include "jobfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "class.h"

typedef struct jobfile {
    xt_object base;
    int fd;
    off_t size;
} jobfile;

static void jf_release(lua_State *L, void *self)
{
    jobfile *f = self;
    (void)L;
    if (f->fd >= 0)
        close(f->fd); /* the lock goes with the descriptor */
    f->fd = -1;
}

static int jf_append(lua_State *L);
static int jf_size(lua_State *L);

static const luaL_Reg jf_methods[] = {{"append", jf_append}, {"size", jf_size}, {NULL, NULL}};
static const xt_class jobfile_class = {"xingtu.JobFile", "job file", jf_methods, jf_release};

static int push_fail(lua_State *L, const char *what, const char *path, int err)
{
    lua_pushnil(L);
    lua_pushfstring(L, "%s %s: %s", what, path, strerror(err));
    return 2;
}

static int jf_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer cut = luaL_optinteger(L, 2, -1);
    xt_class_new(L, &jobfile_class);
    jobfile *f = xt_class_push(L, &jobfile_class, sizeof *f);
    f->fd = -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return push_fail(L, "cannot open", path, errno);
    f->fd = fd;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        jf_release(L, f);
        if (err == EWOULDBLOCK) {
            lua_pushnil(L);
            lua_pushfstring(L, "%s is in use by another run", path);
            return 2;
        }
        return push_fail(L, "cannot lock", path, err);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        jf_release(L, f);
        return push_fail(L, "cannot stat", path, err);
    }
    /* Only a regular file has records to keep or cut: -o /dev/null or a FIFO is written as it is. */
    if (S_ISREG(st.st_mode) && cut >= 0 && cut != st.st_size) {
        if (ftruncate(fd, (off_t)cut) != 0) {
            int err = errno;
            jf_release(L, f);
            return push_fail(L, "cannot truncate", path, err);
        }
        st.st_size = (off_t)cut;
    }
    f->size = st.st_size;
    return 1;
}

static int jf_append(lua_State *L)
{
    jobfile *f = xt_class_check(L, 1, &jobfile_class);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    /* SIGXFSZ would kill the process under ulimit -f before the record could be cut back: take EFBIG instead. */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &old);
    size_t done = 0;
    int err = 0;
    while (done < len) {
        ssize_t n = write(f->fd, text + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (n == 0) {
            err = EIO;
            break;
        }
        done += (size_t)n;
    }
    sigaction(SIGXFSZ, &old, NULL);
    if (err != 0) {
        if (done > 0 && ftruncate(f->fd, f->size) != 0) {
            lua_pushnil(L);
            lua_pushfstring(L, "%s, and the partial record could not be cut back: %s", strerror(err), strerror(errno));
            return 2;
        }
        lua_pushnil(L);
        lua_pushstring(L, strerror(err));
        return 2;
    }
    f->size += (off_t)len;
    lua_pushboolean(L, 1);
    return 1;
}

static int jf_size(lua_State *L)
{
    jobfile *f = xt_class_check(L, 1, &jobfile_class);
    lua_pushinteger(L, (lua_Integer)f->size);
    return 1;
}

void xt_jobfile_register(lua_State *L)
{
    static const luaL_Reg functions[] = {{"open", jf_open}, {NULL, NULL}};
    lua_newtable(L);
    xt_setfuncs(L, functions);
    lua_setfield(L, -2, "jobfile");
}
