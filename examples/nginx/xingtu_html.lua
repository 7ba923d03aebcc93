-- The HTML report pages (lua/xingtu/html.lua) served by nginx, from the shared cache:
--
--   GET /creators/<id>/report.html[?platform=SHORT_VIDEO&range=DAY_30]   one creator: touch shares, conversion
--   GET /compare.html?ids=<id>,<id>,...[&platform=...]                   several creators side by side (at most 20)
--
-- Used by examples/nginx/nginx.conf (two locations). The same page `xingtu report --html` and `xingtu compare --html`
-- write; answers come from the lua_shared_dict cache when another request (or the summary) already bought them. A
-- bad id or parameter is a 400 page; a provider failure still renders the page with the failure in its footer
-- (status 200 when something could be shown, 502 when nothing could). Provider text is escaped by the renderer.

-- luacheck: globals ngx

local xingtu = require "xingtu"
local html = require "xingtu.html"

local _M = {}

local MAX_IDS = 20

-- The worker's one client (xingtu_client.lua): the summary's cache, lock and fleet settings, so a page and a
-- summary of one creator buy each answer once between them.
local function get_client() return require("xingtu_client").get() end

local function page(status, body)
    ngx.status = status
    ngx.header["Content-Type"] = "text/html; charset=utf-8"
    ngx.header["Cache-Control"] = "no-store"
    -- the page has its own inline script and nothing else: say so, so nothing injected could load more
    ngx.header["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    ngx.print(body)
    return ngx.exit(status)
end

local function refuse(status, message)
    return page(status, "<!DOCTYPE html><meta charset=\"utf-8\"><title>xingtu</title><p>" .. html.escape(message)
        .. "</p>\n")
end

local function report_page(id, args)
    local c = get_client()
    local platform, range = args.platform or "SHORT_VIDEO", args.range or "DAY_30"
    local ok, touch, touch_meta = pcall(c.call, c, "touch_distribution", { o_author_id = id, platform = platform })
    if not ok then return refuse(400, tostring(touch)) end
    local ok2, conv, conv_meta = pcall(c.call, c, "convert_ability", { o_author_id = id, platform = platform,
        range = range })
    if not ok2 then return refuse(400, tostring(conv)) end
    local rep = require("xingtu.report.creator").build { author_id = id, touch = touch,
        touch_meta = touch and touch_meta or nil, touch_err = not touch and touch_meta or nil, conv = conv,
        conv_meta = conv and conv_meta or nil, conv_err = not conv and conv_meta or nil }
    local status = (touch or conv) and 200 or 502
    return page(status, html.render(rep, { title = "Creator " .. id .. " · " .. platform .. " · " .. range }))
end

local function compare_page(args)
    local list = type(args.ids) == "string" and args.ids or ""
    local ids, seen = {}, {}
    for id in list:gmatch("[^,%s]+") do
        if not id:match("^%d+$") then return refuse(400, "ids: " .. id .. " is not a creator id (digits)") end
        if not seen[id] then
            seen[id] = true
            ids[#ids + 1] = id
        end
    end
    if #ids == 0 then return refuse(400, "ids: give creator ids, e.g. /compare.html?ids=1,2,3") end
    if #ids > MAX_IDS then return refuse(400, "ids: at most " .. MAX_IDS .. " creators at once") end
    local opts = {}
    if args.platform then opts.platform = tostring(args.platform):upper() end
    local ok, rows, report = pcall(xingtu.compare, get_client(), ids, opts)
    if not ok then return refuse(400, tostring(rows)) end
    local shown = #report.failures < #ids * #(report.methods or { 1 })
    return page(shown and 200 or 502, html.render(report, { title = #ids .. " creators compared" }))
end

function _M.handle()
    local uri = ngx.var.uri
    local args = ngx.req.get_uri_args(20)
    local id = uri:match("^/creators/(%d+)/report%.html$")
    if id then return report_page(id, args) end
    if uri == "/compare.html" then return compare_page(args) end
    return refuse(404, "try /creators/<id>/report.html or /compare.html?ids=<id>,<id>")
end

return _M
