-- One self-contained HTML page from a comparison report (the shape xingtu.compare returns as its second value, and
-- lua/xingtu/report/creator.lua builds for one creator):
--
--   local html = require "xingtu.html"
--   local page = html.render(report, { title = "..." })   -- a string: write it to a file, serve it from nginx
--
-- report = { columns = { { name, label, kind = "id"|"text"|"integer"|"number"|"share"|"money" }, ... },
--            rows = { { [column name] = value }, ... }, creators = { { id, name }, ... },
--            touch = { [id] = { { channel, share }, ... } },
--            ranges = { [id] = { { metric, label, low, high, unit, raw } } },
--            record_times = { [id] = string }, request_ids = { string, ... }, failures = { { id, method, kind,
--            message } } }
--
-- The page needs nothing from outside: no network, no fonts, no scripts but its own inline one (a table sort in a few
-- lines), so it opens from a USB stick. The charts are SVG drawn here: touchpoint shares as stacked bars, conversion
-- ranges as range bars (one panel per metric, one bar per creator), a creator x metric heatmap (each column shaded
-- from its own minimum to its maximum). Every value from the provider is HTML-escaped: a creator named
-- "<script>..." is text on the page, never code. Pure Lua, also under LuaJIT (the nginx example renders it).

local _M = {}

local format, concat, floor, huge = string.format, table.concat, math.floor, math.huge
local type, tostring, tonumber, ipairs, pairs = type, tostring, tonumber, ipairs, pairs

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

--- Text as HTML (also safe inside a double- or single-quoted attribute and inside SVG).
function _M.escape(s)
    if s == nil then return "" end
    return (tostring(s):gsub("[&<>\"']", ESC))
end
local esc = _M.escape

-- A colour per touchpoint channel, in order of first appearance; readable on white and told apart in grey too.
local PALETTE = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c" }

local function num(v)
    if type(v) == "number" then
        if v ~= v or v == huge or v == -huge then return nil end
        return v
    end
    if type(v) == "string" then return tonumber(v) end
    return nil
end

local function thousands(n)
    local neg = n < 0
    if neg then n = -n end
    local int = floor(n)
    local s = format("%d", int)
    s = s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    local frac = n - int
    if frac > 1e-9 then s = s .. format("%.2f", frac):sub(2) end
    return (neg and "-" or "") .. s
end

--- A value of a column as shown: shares as percentages, numbers with thousands separators.
function _M.show(kind, v)
    if v == nil or type(v) == "userdata" then return "" end
    local n = num(v)
    if kind == "share" and n then return format("%.1f%%", n * 100) end
    if kind == "money" and n then return "¥" .. thousands(n) end
    if (kind == "integer" or kind == "number") and n then return thousands(n) end
    return tostring(v)
end

local function show_unit(unit, v)
    if v == nil then return "" end
    if unit == "%" then return format("%.1f%%", v * 100) end
    return thousands(v)
end

local function name_of(report, id)
    for _, c in ipairs(report.creators or {}) do
        if c.id == id then return c.name ~= nil and c.name ~= "" and tostring(c.name) or tostring(id) end
    end
    return tostring(id)
end

local LABEL_W, CHART_W, ROW_H = 180, 560, 26

---------------------------------------------------------------------------------------------------------------------
-- Charts.

local function channel_colours(report)
    local order, colour = {}, {}
    for _, c in ipairs(report.creators or {}) do
        for _, t in ipairs((report.touch or {})[c.id] or {}) do
            if not colour[t.channel] then
                order[#order + 1] = t.channel
                colour[t.channel] = PALETTE[(#order - 1) % #PALETTE + 1]
            end
        end
    end
    return order, colour
end

local function svg_open(w, h, class, title)
    return format('<svg class="chart %s" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d"'
        .. ' role="img" aria-label="%s">', class, w, h, w, h, esc(title))
end

-- Touchpoint shares: one bar per creator, split into its channels' shares (a bar whose shares add to less than 1
-- shows the rest as empty track).
function _M.touch_chart(report)
    local order, colour = channel_colours(report)
    local creators = report.creators or {}
    if #order == 0 then return '<p class="empty" data-chart="touch">No touchpoint data.</p>' end
    local h = #creators * ROW_H + 10
    local out = { svg_open(LABEL_W + CHART_W + 60, h, "touch", "Touchpoint shares per creator") }
    for i, c in ipairs(creators) do
        local y = (i - 1) * ROW_H + 5
        out[#out + 1] = format('<g class="creator" data-id="%s"><text x="%d" y="%d" text-anchor="end">%s</text>',
            esc(c.id), LABEL_W - 8, y + 15, esc(name_of(report, c.id)))
        out[#out + 1] = format('<rect class="track" x="%d" y="%d" width="%d" height="18" fill="#eee"/>', LABEL_W, y,
            CHART_W)
        local x = 0
        for _, t in ipairs((report.touch or {})[c.id] or {}) do
            local share = num(t.share) or 0
            if share < 0 then share = 0 end
            local w = share * CHART_W
            if x + w > CHART_W then w = CHART_W - x end
            if w > 0 then
                out[#out + 1] = format('<rect class="segment" x="%.2f" y="%d" width="%.2f" height="18" fill="%s">'
                    .. '<title>%s: %s</title></rect>', LABEL_W + x, y, w, colour[t.channel], esc(t.channel),
                    format("%.1f%%", share * 100))
                if w > 34 then
                    out[#out + 1] = format('<text class="seg-label" x="%.2f" y="%d" fill="#fff">%s</text>',
                        LABEL_W + x + 3, y + 13, format("%.0f%%", share * 100))
                end
            end
            x = x + w
        end
        out[#out + 1] = "</g>"
    end
    out[#out + 1] = "</svg>"
    local legend = { '<ul class="legend">' }
    for _, ch in ipairs(order) do
        legend[#legend + 1] = format('<li><span class="swatch" style="background:%s"></span>%s</li>', colour[ch],
            esc(ch))
    end
    legend[#legend + 1] = "</ul>"
    return concat(out) .. concat(legend)
end

-- Conversion ranges: a panel per metric (metrics in order of first appearance), a bar from low to high per creator
-- on that metric's own scale; a point range (low == high) is a tick, a creator without the metric a dash.
function _M.range_charts(report)
    local metrics, seen = {}, {}
    for _, c in ipairs(report.creators or {}) do
        for _, r in ipairs((report.ranges or {})[c.id] or {}) do
            if not seen[r.metric] then
                seen[r.metric] = { metric = r.metric, label = r.label or r.metric, unit = r.unit, by = {} }
                metrics[#metrics + 1] = seen[r.metric]
            end
            seen[r.metric].by[c.id] = r
        end
    end
    if #metrics == 0 then return '<p class="empty" data-chart="ranges">No conversion data.</p>' end
    local out = {}
    local creators = report.creators or {}
    for _, m in ipairs(metrics) do
        local max = 0
        for _, r in pairs(m.by) do
            local hi = num(r.high) or num(r.low) or 0
            if hi > max then max = hi end
        end
        if max <= 0 then max = 1 end
        local h = #creators * ROW_H + 30
        out[#out + 1] = format('<figure class="range-panel" data-metric="%s"><figcaption>%s</figcaption>',
            esc(m.metric), esc(m.label))
        out[#out + 1] = svg_open(LABEL_W + CHART_W + 160, h, "range", m.label)
        for i, c in ipairs(creators) do
            local y = (i - 1) * ROW_H + 5
            out[#out + 1] = format('<g class="creator" data-id="%s"><text x="%d" y="%d" text-anchor="end">%s</text>',
                esc(c.id), LABEL_W - 8, y + 15, esc(name_of(report, c.id)))
            out[#out + 1] = format('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>', LABEL_W, y + 9,
                LABEL_W + CHART_W, y + 9)
            local r = m.by[c.id]
            local lo, hi = r and num(r.low), r and num(r.high)
            lo, hi = lo or hi, hi or lo
            if lo then
                local x1, x2 = LABEL_W + lo / max * CHART_W, LABEL_W + hi / max * CHART_W
                local w = x2 - x1
                if w < 3 then x1, w = x1 - 1.5, 3 end
                out[#out + 1] = format('<rect class="range-bar" x="%.2f" y="%d" width="%.2f" height="18" rx="3"'
                    .. ' fill="#4e79a7"><title>%s</title></rect>', x1, y, w, esc(r.raw or (show_unit(m.unit, lo)
                    .. " – " .. show_unit(m.unit, hi))))
                out[#out + 1] = format('<text x="%d" y="%d">%s – %s</text>', LABEL_W + CHART_W + 8, y + 15,
                    esc(show_unit(m.unit, lo)), esc(show_unit(m.unit, hi)))
            else
                out[#out + 1] = format('<text x="%d" y="%d" fill="#999">no data</text>', LABEL_W + CHART_W + 8, y + 15)
            end
            out[#out + 1] = "</g>"
        end
        local axis_y = #creators * ROW_H + 22
        out[#out + 1] = format('<text x="%d" y="%d" fill="#666">0</text><text x="%d" y="%d" text-anchor="end"'
            .. ' fill="#666">%s</text>', LABEL_W, axis_y, LABEL_W + CHART_W, axis_y, esc(show_unit(m.unit, max)))
        out[#out + 1] = "</svg></figure>"
    end
    return concat(out)
end

local NUMERIC = { integer = true, number = true, share = true, money = true }

-- The heatmap: creators down, every numeric column across, each cell shaded by where its value sits between its
-- column's minimum and maximum (a column of one distinct value is mid-shade; an empty cell is white).
function _M.heatmap(report)
    local cols = {}
    for _, col in ipairs(report.columns or {}) do
        if NUMERIC[col.kind] then cols[#cols + 1] = col end
    end
    local rows = report.rows or {}
    if #cols == 0 or #rows == 0 then return '<p class="empty" data-chart="heatmap">No numeric columns.</p>' end
    local cw, ch, head = 96, 24, 120
    local w, h = LABEL_W + #cols * cw + 10, head + #rows * ch + 10
    local out = { svg_open(w, h, "heatmap", "Creator by metric heatmap") }
    for j, col in ipairs(cols) do
        local x = LABEL_W + (j - 1) * cw + cw / 2
        out[#out + 1] = format('<text class="col" transform="translate(%.1f,%d) rotate(-40)">%s</text>', x, head - 6,
            esc(col.label or col.name))
    end
    local lo, hi = {}, {}
    for j, col in ipairs(cols) do
        for _, row in ipairs(rows) do
            local v = num(row[col.name])
            if v then
                if not lo[j] or v < lo[j] then lo[j] = v end
                if not hi[j] or v > hi[j] then hi[j] = v end
            end
        end
    end
    local id_col
    for _, col in ipairs(report.columns or {}) do
        if col.kind == "id" then id_col = col.name break end
    end
    for i, row in ipairs(rows) do
        local y = head + (i - 1) * ch
        local id = id_col and row[id_col]
        out[#out + 1] = format('<g class="creator" data-id="%s"><text x="%d" y="%d" text-anchor="end">%s</text>',
            esc(id), LABEL_W - 8, y + 16, esc(name_of(report, id)))
        for j, col in ipairs(cols) do
            local v = num(row[col.name])
            local fill, ink = "#fff", "#999"
            if v then
                local t = (hi[j] > lo[j]) and (v - lo[j]) / (hi[j] - lo[j]) or 0.5
                -- light yellow to deep blue: the top third is dark enough for white text
                fill = format("#%02x%02x%02x", floor(255 - t * 217), floor(247 - t * 164), floor(220 - t * 53))
                ink = t > 0.6 and "#fff" or "#222"
            end
            out[#out + 1] = format('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/>'
                .. '<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>', LABEL_W + (j - 1) * cw, y,
                cw, ch, fill, LABEL_W + (j - 1) * cw + cw / 2, y + 16, ink, esc(_M.show(col.kind, row[col.name])))
        end
        out[#out + 1] = "</g>"
    end
    out[#out + 1] = "</svg>"
    return concat(out)
end

---------------------------------------------------------------------------------------------------------------------
-- The table, sortable by a click on a heading (numbers by value, empty cells last, text by the browser's collation).

function _M.table(report)
    local out = { '<table id="xt-table" class="data"><thead><tr>' }
    for i, col in ipairs(report.columns or {}) do
        out[#out + 1] = format('<th data-col="%d" data-kind="%s" data-name="%s" title="Sort">%s</th>', i - 1,
            esc(col.kind or "text"), esc(col.name), esc(col.label or col.name))
    end
    out[#out + 1] = "</tr></thead><tbody>"
    for _, row in ipairs(report.rows or {}) do
        out[#out + 1] = "<tr>"
        for _, col in ipairs(report.columns or {}) do
            local v = row[col.name]
            local n = NUMERIC[col.kind] and num(v)
            if n then
                out[#out + 1] = format('<td class="n" data-v="%.17g">%s</td>', n, esc(_M.show(col.kind, v)))
            else
                out[#out + 1] = format("<td>%s</td>", esc(_M.show(col.kind, v)))
            end
        end
        out[#out + 1] = "</tr>"
    end
    out[#out + 1] = "</tbody></table>"
    return concat(out)
end

local function footer(report)
    local out = { '<footer><h2>Provenance</h2><dl id="xt-record-times">' }
    for _, c in ipairs(report.creators or {}) do
        local t = (report.record_times or {})[c.id]
        out[#out + 1] = format("<dt>%s</dt><dd>recordTime %s</dd>", esc(name_of(report, c.id)),
            t and esc(t) or "not given")
    end
    out[#out + 1] = '</dl><p>Request ids:</p><ul id="xt-request-ids">'
    for _, r in ipairs(report.request_ids or {}) do out[#out + 1] = "<li><code>" .. esc(r) .. "</code></li>" end
    out[#out + 1] = "</ul>"
    if report.failures and #report.failures > 0 then
        out[#out + 1] = '<p>Not available:</p><ul id="xt-failures">'
        for _, f in ipairs(report.failures) do
            out[#out + 1] = format("<li>%s · %s: %s (%s)</li>", esc(name_of(report, f.id)), esc(f.method),
                esc(f.message), esc(f.kind))
        end
        out[#out + 1] = "</ul>"
    end
    out[#out + 1] = "</footer>"
    return concat(out)
end

local CSS = [[
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
svg text{font-size:12px;font-family:system-ui,sans-serif}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
figure{margin:8px 0}figcaption{font-weight:600}
table.data{border-collapse:collapse}table.data td,table.data th{border:1px solid #ddd;padding:3px 8px}
table.data th{background:#f4f4f4;cursor:pointer;user-select:none}
table.data th.asc:after{content:" \25B2"}table.data th.desc:after{content:" \25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
footer{margin-top:32px;color:#555;font-size:12px}
]]

-- The sort, and a line the page writes about itself (creators, charts, a sort that ran) so a headless browser's DOM
-- dump shows that the script ran without an error.
local JS = [[
(function(){
var t=document.getElementById('xt-table');
function key(td,kind){if(kind==='id'||kind==='text'){return td.textContent;}
var v=td.getAttribute('data-v');return v===null?null:parseFloat(v);}
function sortBy(th){
var col=+th.getAttribute('data-col'),kind=th.getAttribute('data-kind'),body=t.tBodies[0];
var desc=th.classList.contains('asc');
Array.prototype.forEach.call(t.tHead.rows[0].cells,function(c){c.classList.remove('asc','desc');});
th.classList.add(desc?'desc':'asc');
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a.cells[col],kind),y=key(b.cells[col],kind);
if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;
var r=(typeof x==='number')?x-y:String(x).localeCompare(String(y));return desc?-r:r;});
rows.forEach(function(r){body.appendChild(r);});}
if(t){Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th){
th.addEventListener('click',function(){sortBy(th);});});}
var s={creators:document.querySelectorAll('#xt-table tbody tr').length,
touch:document.querySelectorAll('svg.touch').length,ranges:document.querySelectorAll('svg.range').length,
heatmap:document.querySelectorAll('svg.heatmap').length,sorted:false};
if(t&&location.hash.indexOf('sort=')>=0){var n=decodeURIComponent(location.hash.split('sort=')[1]);
var th=t.querySelector('th[data-name="'+n+'"]');if(th){sortBy(th);sortBy(th);
s.sorted=Array.prototype.map.call(t.tBodies[0].rows,function(r){return r.cells[+th.getAttribute('data-col')]
.textContent;});}}
var o=document.createElement('pre');o.id='xt-selfcheck';o.hidden=true;o.textContent=JSON.stringify(s);
document.body.appendChild(o);
})();
]]

--- The whole page as a string. opts: title (default "Creator comparison").
function _M.render(report, opts)
    opts = opts or {}
    if type(report) ~= "table" then
        error(format("xingtu.html.render: report must be a table (what xingtu.compare returns second), got %s",
            type(report)), 2)
    end
    local title = opts.title or "Creator comparison"
    local names = {}
    for i, c in ipairs(report.creators or {}) do names[i] = name_of(report, c.id) end
    return concat {
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        "<title>", esc(title), "</title><style>", CSS, "</style></head><body>",
        "<h1>", esc(title), "</h1><p class=\"who\">", esc(concat(names, " · ")), "</p>",
        '<section id="xt-touch"><h2>Touchpoint shares</h2>', _M.touch_chart(report), "</section>",
        '<section id="xt-ranges"><h2>Conversion ranges</h2>', _M.range_charts(report), "</section>",
        '<section id="xt-heatmap"><h2>Creator × metric</h2>', _M.heatmap(report), "</section>",
        '<section id="xt-data"><h2>Table</h2>', _M.table(report), "</section>",
        footer(report),
        "<script>", JS, "</script></body></html>\n",
    }
end

return _M
