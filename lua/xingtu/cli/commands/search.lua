-- `xingtu search [--keyword K] [--<filter> V ...] [--pages N | --all] [--sort S] [--limit N] [--columns a,b]`: the
-- creator-square search over one or many pages, as one table. The command contract:
-- lua/xingtu/cli/commands/endpoints.lua.
--
-- Every filter of the catalogue's search entry is a flag named after the parameter (--industry 餐饮服务,
-- --follower-range 10w-50w, --is-superstar); --param name=value still works. Pages are fetched one after another
-- (client:pages through xingtu.query, so --limit stops the paging) up to --pages N (default 1) or, with --all, up to
-- the last page but never more than --max-pages (default 50): the bound of billed pages is said on stderr before
-- the first page, and what was billed after the last. Every row carries `o_author_id` (the provider's `star_id`:
-- the id every other command takes), so `--columns o_author_id` makes a list for `xingtu compare --ids -`.
-- The columns are fixed before the first page (DEFAULT_COLUMNS, or --columns), so every page makes the same table
-- and a search that finds nothing is a header alone.

local args_mod = require "xingtu.cli.args"
local catalogue = require "xingtu.catalogue"
local sheet = require "xingtu.cli.sheet"
local term = require "xingtu.cli.term"

local _M = { name = "search" }

local format, concat = string.format, table.concat
local ipairs, pairs, tostring, type, tonumber = ipairs, pairs, tostring, type, tonumber
local usage = args_mod.usage

-- The columns of a search row, their kinds (for xlsx and JSON) and the order of the default table.
_M.COLUMNS = {
    { name = "o_author_id", label = "o_author_id", kind = "id" },
    { name = "nick_name", label = "nick_name", kind = "text" },
    { name = "follower", label = "follower", kind = "integer" },
    { name = "city", label = "city", kind = "text" },
    { name = "content_category", label = "content_category", kind = "text" },
    { name = "grade", label = "grade", kind = "text" },
    { name = "price_1_20", label = "price_1_20", kind = "money" },
    { name = "expected_play", label = "expected_play", kind = "integer" },
    { name = "interact_rate", label = "interact_rate", kind = "share" },
    { name = "star_id", label = "star_id", kind = "id" },
    { name = "core_user_id", label = "core_user_id", kind = "id" },
    { name = "avatar_uri", label = "avatar_uri", kind = "text" },
}
_M.DEFAULT_COLUMNS = { "o_author_id", "nick_name", "follower", "city", "content_category", "grade", "price_1_20",
    "expected_play", "interact_rate" }
local KNOWN = {}
for _, c in ipairs(_M.COLUMNS) do KNOWN[c.name] = c end

local DEFAULT_MAX_PAGES = 50

local function ep() return catalogue.by_name.search end

local function flag_of(p) return "--" .. p.name:gsub("_", "-") end

-- The provider's values of an enum, with the Chinese labels it also takes (the numeric ids left out: noise here).
local function enum_help(p)
    local labels = {}
    for _, v in ipairs(p.also or {}) do
        if not v:match("^%d+$") then labels[#labels + 1] = v end
    end
    local s = "One of " .. concat(p.enum, ", ")
    if #labels > 0 then s = s .. "; or its label: " .. concat(labels, ", ") end
    return s
end

local function param_help(p)
    local parts = { p.api }
    if p.type == "enum" then
        parts[#parts + 1] = enum_help(p)
    elseif p.type == "boolean" then
        parts[#parts + 1] = "a flag (sends true)"
    else
        parts[#parts + 1] = p.type
    end
    if p.default ~= nil and p.type ~= "boolean" then parts[#parts + 1] = "default " .. catalogue.default_text(p) end
    return concat(parts, "; ") .. "."
end

function _M.parser(make)
    local p = make("xingtu search", "Search the creator square over one or many pages; one row per creator, with "
        .. "the o_author_id every other command takes.")
    -- An id given anyway gets a message, not "too many arguments" (hidden: search takes none).
    p:argument("stray", "(none)"):args("?"):hidden(true)
    for _, par in ipairs(ep().params) do
        if par.name == "page" then
            p:option("--page", "The first page (default 1).")
        elseif par.name == "sort" then
            p:option("--sort -s", "The provider's order (" .. concat(par.enum, ", ") .. "; default "
                .. par.default .. "), or a column to sort the rows by here: follower, follower:desc for the "
                .. "largest first (reads every page asked for first).")
        elseif par.type == "boolean" then
            p:flag(flag_of(par), param_help(par))
        else
            p:option(flag_of(par), param_help(par))
        end
    end
    p:option("--pages", "Fetch this many pages (default 1); each page is a billed call.")
    p:flag("--all", "Fetch every page, up to --max-pages.")
    p:option("--max-pages", "The most pages --all fetches (default " .. DEFAULT_MAX_PAGES .. ").")
    p:option("--limit -n", "At most this many rows; no page more is fetched than they need.")
    p:option("--columns", "The columns, comma-separated (default " .. concat(_M.DEFAULT_COLUMNS, ",")
        .. "); also: " .. concat({ "star_id", "core_user_id", "avatar_uri" }, ", ") .. ".")
    p:option("--param -P", "Any parameter as name=value (repeatable).")
        :count("*"):argname("K=V")
    return sheet.add_flags(p, "table")
end

local function positive(flag, text, max)
    if text == nil then return nil end
    local n = tonumber(text)
    if not n or n ~= math.floor(n) or n < 1 or n > max then
        usage(format("--%s must be a whole number from 1 to %d, got %s", flag, max, tostring(text)))
    end
    return math.tointeger(n) or n
end

-- --sort: the provider's order when it names one (in any case), else a column of the rows.
local function sort_of(text)
    if text == nil then return nil, nil end
    local sp
    for _, par in ipairs(ep().params) do
        if par.name == "sort" then sp = par end
    end
    for _, v in ipairs(sp.enum) do
        if v == text:upper() then return v, nil end
    end
    local desc = text:sub(1, 1) == "-"
    local col = desc and text:sub(2) or text
    col = col:gsub(":desc$", function() desc = true return "" end):gsub(":asc$", "")
    if not KNOWN[col] then
        usage(format("--sort must be one of %s (the provider's order) or a column (%s; column:desc for the "
            .. "largest first), got %s", concat(sp.enum, ", "), concat(_M.DEFAULT_COLUMNS, ", "), text))
    end
    return nil, { column = col, desc = desc }
end

local function columns_of(text)
    if text == nil then
        local cols = {}
        for i, name in ipairs(_M.DEFAULT_COLUMNS) do cols[i] = KNOWN[name] end
        return cols
    end
    local cols, seen = {}, {}
    for name in text:gmatch("[^,%s]+") do
        if not KNOWN[name] then
            local names = {}
            for i, c in ipairs(_M.COLUMNS) do names[i] = c.name end
            usage(format("--columns: unknown column %s; columns: %s", name, concat(names, ", ")))
        end
        if not seen[name] then
            seen[name] = true
            cols[#cols + 1] = KNOWN[name]
        end
    end
    if #cols == 0 then usage("--columns needs at least one column, e.g. --columns o_author_id,nick_name") end
    return cols
end

-- The search parameters from the flags; checked against the catalogue before anything is sent.
local function params_of(args)
    local params = {}
    for _, par in ipairs(ep().params) do
        local key = par.name
        local v = args[key]
        if par.name ~= "page" and par.name ~= "sort" and v ~= nil then
            if par.type == "boolean" then
                if v then params[key] = true end
            else
                params[key] = v
            end
        end
    end
    for _, kv in ipairs(args.param or {}) do
        local k, v = kv:match("^([^=]+)=(.*)$")
        if not k then usage(format("--param expects name=value, got %q", kv)) end
        if not catalogue.param(ep(), k) then
            usage(format("search has no parameter %s; its parameters: %s", k, args_mod.param_names(ep())))
        end
        if k == "page" or k == "Page" then usage("search: give the first page with --page, not --param page=") end
        params[k] = v
    end
    return params
end

-- A search item as a row: o_author_id is the provider's star_id.
local function row_of(item)
    if type(item) ~= "table" then return nil end
    local row = {}
    for k, v in pairs(item) do row[k] = v end
    row.o_author_id = item.star_id or item.o_author_id or item.id
    return row
end

function _M.run(args, env, session)
    if args.stray then
        usage(format("search takes no id; give the words to look for with --keyword %s", args.stray))
    end
    local params = params_of(args)
    local provider_sort, local_sort = sort_of(args.sort)
    if provider_sort then params.sort = provider_sort end
    local first = positive("page", args.page, 2147483647) or 1
    local columns = columns_of(args.columns)
    if args.all and args.pages then usage("--pages and --all: give one of them") end
    local max_pages = positive("max-pages", args.max_pages, require("xingtu.pages").MAX_PAGES) or DEFAULT_MAX_PAGES
    if args.max_pages and not args.all then usage("--max-pages bounds --all; with --pages give the number itself") end
    local pages = args.all and max_pages or (positive("pages", args.pages, require("xingtu.pages").MAX_PAGES) or 1)
    local limit = args.limit and tonumber(args.limit)
    if args.limit and (not limit or limit ~= math.floor(limit) or limit < 0 or limit > 1000000000) then
        usage("--limit must be a whole number from 0 to 1000000000, got " .. tostring(args.limit))
    end
    local checked = {}
    for k, v in pairs(params) do checked[k] = v end
    checked.page = first
    local ok, why = args_mod.check_params(ep(), checked)
    if not ok then usage(why) end
    sheet.check(args)

    local w = sheet.open(args, env, columns, { sheet = "search" })
    local quiet = args.quiet
    if not quiet then
        env.stderr:write(format("xingtu search: %s %d page%s (pages %d-%d), each a billed call unless cached\n",
            args.all and "up to" or "at most", pages, pages == 1 and "" or "s", first, first + pages - 1))
    end
    local client = session:client()
    local before = client:stats()
    local xq = require "xingtu.query"
    params.page = first
    local q = xq(client:pages("search", params, { max_pages = pages })):map(row_of)
    if local_sort then q = q:sort(local_sort.column, local_sort.desc and "desc" or "asc") end
    if limit then q = q:limit(limit) end
    local failure
    local okrun, err = pcall(function()
        for row in q:each() do w:add(row) end
    end)
    if not okrun then
        if require("xingtu.errors").is_error(err) then
            failure = err
        else
            w.abandon()
            error(err, 0)
        end
    end
    local n = w:finish()
    local after = client:stats()
    local sent = after.sent - before.sent
    local billed = (after.billed or 0) - (before.billed or 0)
    local cached = (after.cache_hits or 0) - (before.cache_hits or 0)
    if not quiet then
        env.stderr:write(format("xingtu search: %d row%s; %d request%s sent, %d billed, %d answered from the "
            .. "cache\n", n, n == 1 and "" or "s", sent, sent == 1 and "" or "s", billed, cached))
    end
    if failure then
        term.error_line(env, failure)
        return 1
    end
    return 0
end

return _M
