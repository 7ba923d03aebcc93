-- Video report endpoints: detail, analysis and trend of one item.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"
local prng = require "xt_sandbox.prng"
local dates = require "xt_sandbox.dates"

local floor = math.floor
local base_resp = common.base_resp

local _M = {}

-- The figures every report on this item agrees on.
local function item(id)
  local rng = prng.new("item|" .. id)
  local play = floor(10 ^ rng:float(3.5, 7.5, 3))
  return {
    item_id = json.int(id),
    author_id = common.big_id(rng),
    title = common.title(rng),
    create_time = common.date_2026(rng),
    duration = rng:int(8, 300),
    play = play,
    like = floor(play * rng:float(0.01, 0.08)),
    comment = floor(play * rng:float(0.0005, 0.005)),
    share = floor(play * rng:float(0.0005, 0.01)),
    collect = floor(play * rng:float(0.0005, 0.01)),
    finish_rate = rng:float(0.05, 0.6),
  }
end

function _M.item_detail(ctx)
  local data = item(ctx.id)
  data.base_resp = base_resp()
  data.interact_rate = floor((data.like + data.comment + data.share) / data.play * 10000) / 10000
  return data
end

function _M.item_analysis(ctx)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    item_id = json.int(ctx.id),
    audience = common.profile(rng),
    hot_comment_tokens = rng:sample(words.comment_tokens, 6),
    play_source = common.share(rng, { "推荐", "关注", "搜索", "个人主页", "其他" }),
  }
end

function _M.item_trend(ctx)
  local rng = ctx.rng
  local base = item(ctx.id)
  local first = dates.days(base.create_time)
  local trend, play, like = json.array(), 0, 0
  local days = 14
  local play_parts = rng:split(base.play, days)
  local like_parts = rng:split(base.like, days)
  for i = 1, days do
    play, like = play + play_parts[i], like + like_parts[i]
    trend[i] = { date = dates.format(first + i - 1), play = play, like = like }
  end
  return { base_resp = base_resp(), item_id = json.int(ctx.id), trend = trend }
end

return _M
