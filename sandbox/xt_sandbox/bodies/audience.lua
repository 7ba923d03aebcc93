-- Audience endpoints: audience, follower and live-viewer profiles, link metrics and structure, video distribution.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"

local floor = math.floor
local base_resp = common.base_resp

local _M = {}

local STAGES = { "CONNECTED", "AWARE", "INTERESTED", "LIKE", "FOLLOW" }
local STAGE_LABELS = { "连接", "了解", "兴趣", "喜欢", "追随" }

function _M.audience_distribution(ctx)
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    link_type = ctx.args.linkType,
    distributions = common.profile(ctx.rng),
  }
end

function _M.fans_distribution(ctx)
  return {
    base_resp = base_resp(),
    author_type = ctx.args.authorType,
    fans_cnt = common.author(ctx.id).follower,
    distributions = common.profile(ctx.rng),
  }
end

function _M.live_watch_distribution(ctx)
  return {
    base_resp = base_resp(),
    live_crowd_type = ctx.args.liveCrowdType,
    live_type = ctx.args.liveType,
    distributions = common.profile(ctx.rng),
  }
end

-- Stage sizes that shrink from "connected" to "follow".
local function stages(rng, follower)
  local out, cnt = json.array(), floor(follower * rng:float(2, 8))
  for i, stage in ipairs(STAGES) do
    out[i] = { link_type = stage, name = STAGE_LABELS[i], cnt = cnt }
    cnt = floor(cnt * rng:float(0.15, 0.6))
  end
  return out
end

function _M.link_structure(ctx)
  local a = common.author(ctx.id)
  local list = stages(ctx.rng, a.follower)
  local total = list[1].cnt
  for _, s in ipairs(list) do
    s.rate = total > 0 and floor(s.cnt / total * 10000) / 10000 or 0
  end
  return { base_resp = base_resp(), platform = ctx.args.platform, link_struct = list, total_cnt = total }
end

function _M.link_info(ctx)
  local rng = ctx.rng
  local a = common.author(ctx.id)
  local list = stages(rng, a.follower)
  for _, s in ipairs(list) do
    s.industry_avg_cnt = floor(s.cnt * rng:float(0.4, 1.6))
    s.rank_percent = rng:float(0, 1)
  end
  return { base_resp = base_resp(), platform = ctx.args.platform, industry_tag = ctx.args.industryTag,
    link_info = list }
end

function _M.video_distribution(ctx)
  local rng = ctx.rng
  local by_duration = common.share(rng, { "0-20s", "21-60s", "61-180s", "180s+" }, rng:int(20, 300))
  local categories = {}
  for i, c in ipairs(rng:sample(words.categories, rng:int(2, 5))) do categories[i] = c[1] end
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    duration_distribution = by_duration,
    content_distribution = common.share(rng, categories, 10000),
    publish_hour_distribution = common.share(rng, { "0-6", "6-12", "12-18", "18-24" }, 10000),
  }
end

return _M
