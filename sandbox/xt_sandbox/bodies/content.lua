-- Content endpoints: keywords, spread, daily followers, recommended videos, showcase items.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"
local dates = require "xt_sandbox.dates"

local floor, format = math.floor, string.format
local base_resp = common.base_resp

local _M = {}

local function keywords(rng, vocabulary, n, key)
  local out = json.array()
  local weight = rng:float(0.2, 0.4)
  for i, word in ipairs(rng:sample(vocabulary, n)) do
    out[i] = { [key] = word, hot_rate = weight }
    weight = floor(weight * rng:float(0.6, 0.95) * 10000) / 10000
  end
  return out
end

function _M.comment_keywords(ctx)
  return { base_resp = base_resp(),
    hot_comment_tokens = keywords(ctx.rng, words.comment_tokens, ctx.rng:int(6, 12), "comment_token") }
end

function _M.content_keywords(ctx)
  local a = common.author(ctx.id)
  local vocabulary = {}
  for _, c in ipairs(words.categories) do
    if c[1] == a.category then
      for _, w in ipairs(c[2]) do vocabulary[#vocabulary + 1] = w end
    end
  end
  for _, w in ipairs(words.title_tails) do vocabulary[#vocabulary + 1] = w end
  return { base_resp = base_resp(),
    keyword_list = keywords(ctx.rng, vocabulary, ctx.rng:int(5, 10), "keyword") }
end

function _M.spread_info(ctx)
  local rng = ctx.rng
  local play = rng:int(5000, 5000000)
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    range = ctx.args.range,
    type = ctx.args.type,
    item_num = rng:int(0, 60),
    play_mid = play,
    play_avg = floor(play * rng:float(1, 1.8)),
    like_avg = floor(play * rng:float(0.01, 0.08)),
    comment_avg = floor(play * rng:float(0.0005, 0.005)),
    share_avg = floor(play * rng:float(0.0005, 0.01)),
    interact_rate = rng:float(0.01, 0.1),
    play_over_rate = rng:float(0.05, 0.6),
    avg_duration = rng:int(10, 200),
  }
end

function _M.daily_fans(ctx)
  local rng, args = ctx.rng, ctx.args
  local first, last = dates.days(args.startDate), dates.days(args.endDate)
  local fans = floor(common.author(ctx.id).follower * rng:float(0.85, 0.98))
  local daily = json.array()
  for day = first, last do
    local incr = rng:int(-200, floor(fans / 300) + 50)
    fans = fans + incr
    daily[#daily + 1] = { date = dates.format(day), fans_cnt = fans, fans_incr = incr }
  end
  return { base_resp = base_resp(), author_id = ctx.id, daily = daily }
end

function _M.recommended_videos(ctx)
  local a = common.author(ctx.id)
  local list = json.array()
  for i = 1, ctx.rng:int(3, 6) do
    list[i] = common.video(ctx.id, i)
  end
  return { base_resp = base_resp(), platform = ctx.args.platform, author_id = json.int(a.id), videos = list }
end

function _M.show_items(ctx)
  local rng = ctx.rng
  local items = json.array()
  for i = 1, rng:int(0, 8) do
    local video = common.video(ctx.id, i + 100)
    video.product = {
      product_id = common.big_id(rng),
      title = rng:pick(words.products),
      price = rng:int(990, 99900) / 100,
      sales_range = common.range_text(rng, 10, 5000, 0.2),
    }
    items[i] = video
  end
  return { base_resp = base_resp(), platform = ctx.args.platform, flow_type = ctx.args.flowType,
    total = #items, items = items, summary = format("%d个橱窗视频", #items) }
end

return _M
