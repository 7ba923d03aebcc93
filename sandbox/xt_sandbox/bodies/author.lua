-- Creator endpoints: profile, card, channels, side card, tags, visibility, prices, cost performance.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"

local floor, format = math.floor, string.format
local base_resp = common.base_resp

local _M = {}

local PLATFORM_LABELS = { SHORT_VIDEO = "短视频", LIVE_STREAMING = "直播", PICTURE_TEXT = "图文", SHORT_DRAMA = "短剧" }

function _M.base_info(ctx)
  local a = common.author(ctx.id)
  return {
    base_resp = base_resp(),
    id = a.id,
    core_user_id = json.int(a.core_user_id),
    nick_name = a.nick_name,
    unique_id = a.unique_id,
    avatar_uri = a.avatar_uri,
    gender = a.gender,
    province = a.province,
    city = a.city,
    follower = a.follower,
    grade = a.grade,
    is_star = a.follower > 1000000,
    platform = ctx.args.platform,
    platform_label = PLATFORM_LABELS[ctx.args.platform],
    tags_relation = { [a.category] = json.array { a.sub_category } },
    introduction = "商务合作请私信，" .. a.category .. "创作者",
  }
end

function _M.side_info(ctx)
  local a = common.author(ctx.id)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    id = a.id,
    nick_name = a.nick_name,
    avatar_uri = a.avatar_uri,
    follower = a.follower,
    grade = a.grade,
    city = a.city,
    content_category = a.category,
    price_range = format("%d-%d", a.price, a.price * 3),
    expected_play = floor(a.follower * rng:float(0.05, 0.4)),
    interact_rate = rng:float(0.01, 0.1),
  }
end

function _M.business_card(ctx)
  local a = common.author(ctx.id)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    card_info = {
      nick_name = a.nick_name,
      contact_name = rng:pick { "张", "王", "李", "刘", "陈" } .. "**",
      phone = "1" .. rng:int(30, 99) .. "****" .. rng:digits(4),
      wechat = "wx_****" .. rng:digits(3),
      email = format("bd%s@sandbox.example", rng:digits(4)),
      company = rng:chance(0.6) and (a.city .. "文化传媒有限公司") or json.null,
      cooperation_types = rng:sample({ "视频定制", "直播带货", "图文种草", "品牌代言", "线下活动" }, rng:int(1, 3)),
      introduction = "专注" .. a.category .. "内容" .. rng:int(2, 8) .. "年",
    },
  }
end

function _M.channel_info(ctx)
  local a = common.author(ctx.id)
  local rng = ctx.rng
  local play = floor(a.follower * rng:float(0.02, 0.5))
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    channel = {
      fans_cnt = a.follower,
      item_cnt_30d = rng:int(0, 40),
      avg_play = play,
      avg_like = floor(play * rng:float(0.01, 0.08)),
      avg_comment = floor(play * rng:float(0.001, 0.005)),
      avg_share = floor(play * rng:float(0.001, 0.01)),
      interact_rate = rng:float(0.01, 0.1),
      is_open = rng:chance(0.85),
    },
  }
end

function _M.tags(ctx)
  local a = common.author(ctx.id)
  local rng = ctx.rng
  local tags = json.array { { tag = a.category, level = 1, type = "content" },
    { tag = a.sub_category, level = 2, type = "content" } }
  for _, crowd in ipairs(rng:sample(words.crowds, rng:int(1, 3))) do
    tags[#tags + 1] = { tag = crowd, level = 1, type = "audience" }
  end
  return { base_resp = base_resp(), star_author_id = ctx.id, tags = tags }
end

function _M.display_status(ctx)
  local ok = ctx.rng:chance(0.85)
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    can_display = ok,
    reason = ok and "" or "该达人暂未开通此渠道",
  }
end

function _M.marketing_info(ctx)
  local a = common.author(ctx.id)
  local rng = ctx.rng
  local offers = json.array()
  for i, desc in ipairs { "1-20s视频", "21-60s视频", "60s以上视频" } do
    offers[i] = { desc = desc, price = a.price * i, settlement_type = "fixed", enable = rng:chance(0.8),
      video_type = i }
  end
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    price_info = offers,
    accept_cpm_order = rng:chance(0.4),
    discount_rate = rng:float(0.7, 1, 2),
  }
end

function _M.cost_performance(ctx)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    platform = ctx.args.platform,
    cpm = rng:float(5, 120, 2),
    cpe = rng:float(0.1, 5, 2),
    cpv = rng:float(0.01, 0.5, 3),
    cpm_industry_avg = rng:float(10, 80, 2),
    cpe_industry_avg = rng:float(0.3, 3, 2),
    cost_performance_rank = rng:int(1, 100),
  }
end

return _M
