-- A progress line on stderr for long commands: done/total, failures, rate, ETA. Drawn only on a terminal, and not
-- with --quiet or --no-progress (the command decides; see progress.wanted).

local term = require "xingtu.cli.term"

local _M = {}

local format, floor = string.format, math.floor

--- Whether to draw one: stderr is a terminal and neither --quiet nor --no-progress was given.
function _M.wanted(args)
    if args.quiet or args.no_progress then return false end
    return term.is_tty(2)
end

--- A drawing function draw(done, failed, final) for `total` items, timed by `clock`; at most 10 redraws a second.
function _M.bar(env, total, clock)
    local started, last = clock(), -1
    local bar_w = 24
    return function(done, failed, final)
        local now = clock()
        if not final and now - last < 0.1 then return end
        last = now
        local elapsed = now - started
        local rate = elapsed > 0 and done / elapsed or 0
        local eta = (rate > 0 and total > done) and (total - done) / rate or 0
        local filled = total > 0 and floor(bar_w * done / total) or bar_w
        env.stderr:write(format("\r\27[K[%s%s] %d/%d  failed %d  %.1f/s  ETA %d:%02d",
            ("█"):rep(filled), ("·"):rep(bar_w - filled), done, total, failed, rate,
            floor(eta / 60), floor(eta % 60)))
        if final then env.stderr:write("\n") end
    end
end

return _M
