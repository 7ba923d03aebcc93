-- xingtu.core's fs (csrc/fsutil.c) and sha256 (csrc/sha256.c): the safe file operations under the response cache's
-- directory backend, and the one-way hash behind its account fingerprints. Real files in a temporary directory.
-- Loads under Lua 5.4 and LuaJIT 2.1 (.ci/luajit).

local core = require "xingtu.core"
local util = require "helpers.util"

local fs = core.fs

local function sh(cmd) assert(os.execute(cmd), cmd) end
local function q(s) return util.quote(s) end
local function mode_of(path) return (util.run("stat -c %a " .. q(path)):gsub("%s+$", "")) end

describe("xingtu.core", function()
    describe("sha256", function()
        local vectors = { -- FIPS 180-4 examples, then lengths around the padding boundaries (from sha256sum)
            { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
            { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
            { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
            { ("a"):rep(1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
            { ("x"):rep(55), "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },
            { ("x"):rep(56), "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },
            { ("x"):rep(63), "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2" },
            { ("x"):rep(64), "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
            { ("x"):rep(65), "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9" },
            { ("x"):rep(119), "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c" },
            { ("x"):rep(120), "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98" },
        }
        it("gives the standard digests as 64 lowercase hex digits", function()
            for _, v in ipairs(vectors) do assert.equal(v[2], core.sha256(v[1]), #v[1] .. " bytes") end
        end)

        it("hashes any bytes, NUL included", function()
            assert.are_not.equal(core.sha256("a\0b"), core.sha256("a\0c"))
            assert.has_error(function() core.sha256({}) end)
        end)
    end)

    describe("fs", function()
        local root
        before_each(function()
            root = util.run("mktemp -d /tmp/xingtu-fs-spec.XXXXXX"):gsub("%s+$", "")
        end)
        after_each(function()
            if root:match("^/tmp/xingtu%-fs%-spec%.") then os.execute("rm -rf " .. q(root)) end
        end)

        describe("ensure_private_dir", function()
            it("creates every missing component 0700 and says so for a directory already there", function()
                local dir = root .. "/a/b/c"
                assert.is_true(fs.ensure_private_dir(dir .. "//"))
                for _, p in ipairs { root .. "/a", root .. "/a/b", dir } do assert.equal("700", mode_of(p)) end
                assert.is_true(fs.ensure_private_dir(dir))
            end)

            it("refuses what another user owns, what others may write, a symbolic link and a file", function()
                sh("mkdir " .. q(root .. "/theirs") .. " && chown nobody " .. q(root .. "/theirs"))
                sh("mkdir -m 0775 " .. q(root .. "/shared"))
                sh("ln -s " .. q(root .. "/a") .. " " .. q(root .. "/link") .. " && mkdir " .. q(root .. "/a"))
                util.write_file(root .. "/file", "")
                local cases = {
                    { "theirs", "is owned by uid %d+, not by this user %(uid %d+%)" },
                    { "shared", "is writable by group or others %(mode 0775%)" },
                    { "link", "is a symbolic link" },
                    { "link/", "is a symbolic link" },
                    { "file", "is not a directory" },
                }
                for _, case in ipairs(cases) do
                    for _, f in ipairs { fs.ensure_private_dir, fs.check_dir } do
                        local ok, why, code = f(root .. "/" .. case[1])
                        assert.is_nil(ok, case[1])
                        assert.equal("unsafe", code)
                        assert.matches("^" .. (root .. "/" .. case[1]:gsub("/$", "")):gsub("%p", "%%%0") .. " "
                            .. case[2] .. "$", why)
                    end
                end
                assert.is_false(fs.check_dir(root .. "/none"))
            end)
        end)

        describe("read_regular", function()
            it("reads a regular file of this user up to the cap, and refuses more without reading it", function()
                util.write_file(root .. "/e", "0123456789")
                assert.equal("0123456789", fs.read_regular(root, "e", 10))
                local text, why, code = fs.read_regular(root, "e", 9)
                assert.is_nil(text)
                assert.equal("too_large", code)
                assert.equal(root .. "/e is larger than the cap (10 > 9 bytes)", why)
                util.write_file(root .. "/empty", "")
                assert.equal("", fs.read_regular(root, "empty", 0))
                text, why, code = fs.read_regular(root, "none", 10)
                assert.same({ nil, root .. "/none does not exist", "missing" }, { text, why, code })
            end)

            it("refuses a symbolic link, a FIFO, a directory, a device and another user's file, at once", function()
                util.write_file(root .. "/real", "text")
                sh(("cd %s && ln -s real link && ln -s /dev/zero zero && mkfifo fifo && mkdir sub && cp real theirs"
                    .. " && chown nobody theirs"):format(q(root)))
                local cases = {
                    link = "is a symbolic link", zero = "is a symbolic link", fifo = "is not a regular file",
                    sub = "is not a regular file", theirs = "is not owned by this user",
                }
                for name, what in pairs(cases) do
                    local text, why, code = fs.read_regular(root, name, 100)
                    assert.is_nil(text, name)
                    assert.equal("unsafe", code, name)
                    assert.equal(root .. "/" .. name .. " " .. what, why)
                end
                local text, why, code = fs.read_regular("/dev", "null", 100)
                assert.is_nil(text)
                assert.equal("unsafe", code)
                -- /dev is refused unless it is this user's (root's); then /dev/null is, as a device
                assert.matches("^/dev", why)
            end)

            it("refuses every entry of a directory that is not private", function()
                util.write_file(root .. "/e", "x")
                sh("chmod 0707 " .. q(root))
                local text, why, code = fs.read_regular(root, "e", 10)
                assert.is_nil(text)
                assert.equal("unsafe", code)
                assert.equal(root .. " is writable by group or others (mode 0707)", why)
            end)

            it("raises on misuse: a name that is not one path component, a bad cap or directory", function()
                for _, name in ipairs { "", ".", "..", "a/b", "/e", "a\0b" } do
                    assert.has_error(function() fs.read_regular(root, name, 10) end)
                end
                assert.has_error(function() fs.read_regular(root, "e", -1) end)
                assert.has_error(function() fs.read_regular(root, "e", 0 / 0) end)
                assert.has_error(function() fs.read_regular("", "e", 1) end)
                assert.has_error(function() fs.read_regular(root, "e") end)
            end)
        end)

        describe("write_atomic", function()
            it("writes a 0600 file through tmp/ and gives the size of the file it replaced", function()
                assert.equal(0, fs.write_atomic(root, "e", "first", "tmp"))
                assert.equal("700", mode_of(root .. "/tmp"))
                assert.equal("600", mode_of(root .. "/e"))
                assert.equal(5, fs.write_atomic(root, "e", "second text", "tmp"))
                assert.equal("second text", util.read_file(root .. "/e"))
                assert.same({}, fs.list(root .. "/tmp"))
                assert.equal(0, fs.write_atomic(root, "f", "hidden temp", nil))
                assert.equal("hidden temp", util.read_file(root .. "/f"))
            end)

            it("replaces a symbolic link or FIFO at the name instead of writing through it", function()
                util.write_file(root .. ".outside", "keep")
                sh(("cd %s && ln -s %s link && mkfifo fifo"):format(q(root), q(root .. ".outside")))
                assert.equal(0, fs.write_atomic(root, "link", "new", "tmp"))
                assert.equal(0, fs.write_atomic(root, "fifo", "new", "tmp"))
                assert.equal("keep", util.read_file(root .. ".outside"))
                os.remove(root .. ".outside")
                assert.equal("new", fs.read_regular(root, "link", 10))
                assert.equal("new", fs.read_regular(root, "fifo", 10))
            end)

            it("fails without a trace: a directory at the name, an unsafe tmp/, an unsafe directory", function()
                sh("mkdir " .. q(root .. "/d"))
                local ok, why, code = fs.write_atomic(root, "d", "x", "tmp")
                assert.is_nil(ok)
                assert.equal("io", code)
                assert.matches("^" .. root:gsub("%p", "%%%0") .. "/d: ", why)
                assert.same({}, fs.list(root .. "/tmp"))
                sh("rmdir " .. q(root .. "/tmp") .. " && ln -s /tmp " .. q(root .. "/tmp"))
                ok, why, code = fs.write_atomic(root, "e", "x", "tmp")
                assert.is_nil(ok)
                assert.equal("unsafe", code)
                assert.equal(root .. "/tmp is a symbolic link", why)
                sh("chown nobody " .. q(root))
                ok, why, code = fs.write_atomic(root, "e", "x")
                assert.is_nil(ok)
                assert.equal("unsafe", code)
                assert.matches(" is owned by uid", why)
                assert.is_nil(io.open(root .. "/e"))
            end)
        end)

        describe("list and remove", function()
            it("lists names, kinds, sizes and times without following links, up to a limit", function()
                util.write_file(root .. "/e", "12345")
                sh(("cd %s && ln -s e link && mkdir sub && mkfifo fifo && touch -d @1000000000 e"):format(q(root)))
                local list, truncated = fs.list(root)
                assert.is_false(truncated)
                local by = {}
                for _, e in ipairs(list) do by[e.name] = e end
                assert.same({ name = "e", kind = "file", size = 5, mtime = 1000000000 }, by.e)
                assert.equal("link", by.link.kind)
                assert.equal("directory", by.sub.kind)
                assert.equal("other", by.fifo.kind)
                assert.equal(4, #list)
                list, truncated = fs.list(root, 3)
                assert.equal(3, #list)
                assert.is_true(truncated)
                assert.equal(0, #fs.list(root, 0))
            end)

            it("removes a file or a link (never what it points to), never a directory", function()
                util.write_file(root .. ".outside", "keep")
                sh(("cd %s && touch e && ln -s %s link && mkdir sub"):format(q(root), q(root .. ".outside")))
                assert.is_true(fs.remove(root, "e"))
                assert.is_false(fs.remove(root, "e"))
                assert.is_true(fs.remove(root, "link"))
                assert.equal("keep", util.read_file(root .. ".outside"))
                os.remove(root .. ".outside")
                local ok, _, code = fs.remove(root, "sub")
                assert.is_nil(ok)
                assert.equal("io", code)
            end)
        end)

        it("leaves no descriptor open, whatever fails", function()
            util.write_file(root .. "/e", "x")
            sh("mkfifo " .. q(root .. "/fifo"))
            local before = util.fd_count()
            for _ = 1, 50 do
                fs.read_regular(root, "e", 10)
                fs.read_regular(root, "e", 0)
                fs.read_regular(root, "fifo", 10)
                fs.read_regular(root, "none", 10)
                fs.write_atomic(root, "w", "text", "tmp")
                fs.write_atomic(root, "fifo2", "text", "e") -- tmp is a file: fails
                fs.list(root)
                fs.remove(root, "none")
                fs.check_dir(root)
                pcall(fs.read_regular, root, "a/b", 1)
            end
            assert.equal(before, util.fd_count())
        end)
    end)
end)
