-- Commerce endpoints: conversion ranges, seeding, spread, contracts, orders, live statistics.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"

local floor = math.floor
local base_resp, range_text = common.base_resp, common.range_text

local _M = {}

-- Most creators have no conversion data ("-" everywhere, as in the seed doc); some have ranges. Live streaming and
-- 90 days have data more often.
function _M.convert_ability(ctx)
  local rng, args = ctx.rng, ctx.args
  local p_data = 0.55
  if args.platform == "LIVE_STREAMING" then p_data = 0.8 end
  if args.range == "DAY_90" then p_data = p_data + 0.1 end
  local has_data = rng:chance(p_data)
  local p_dash = has_data and 0.2 or 1
  return {
    base_resp = base_resp(),
    avg_sales_amount_range = range_text(rng, 200, 50000, p_dash),
    component_click_cnt_range = range_text(rng, 50, 20000, p_dash),
    component_click_rate_range = range_text(rng, 1, 30, p_dash, "%"),
    gpm_range = range_text(rng, 5, 800, p_dash),
    rec_product_price_range = range_text(rng, 9, 500, p_dash),
    related_cpc_range = range_text(rng, 1, 20, p_dash),
  }
end

function _M.commerce_seed_info(ctx)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    range = ctx.args.range,
    seed_item_cnt = rng:int(0, 40),
    search_after_view_rate = rng:float(0.001, 0.05),
    avg_search_uv = rng:int(100, 50000),
    a3_increase_cnt = rng:int(1000, 2000000),
    avg_cost_per_a3 = rng:float(0.1, 8, 2),
    seed_industries = rng:sample(words.industries, rng:int(1, 4)),
  }
end

function _M.commerce_spread_info(ctx)
  local rng = ctx.rng
  return {
    base_resp = base_resp(),
    ecom_video_cnt = rng:int(0, 60),
    ecom_avg_play = rng:int(5000, 3000000),
    ecom_interact_rate = rng:float(0.005, 0.12),
    ecom_finish_rate = rng:float(0.05, 0.5),
    gmv_range = range_text(rng, 1000, 500000, 0.3),
    product_cnt = rng:int(0, 200),
  }
end

function _M.contract_info(ctx)
  local rng = ctx.rng
  local orders = rng:int(0, 120)
  return {
    base_resp = base_resp(),
    range = ctx.args.range,
    order_cnt = orders,
    contract_brand_cnt = floor(orders * rng:float(0.3, 0.9)),
    repeat_brand_rate = rng:float(0, 0.6),
    on_time_rate = rng:float(0.8, 1),
    avg_order_price = rng:int(2000, 400000),
    mcn_name = rng:chance(0.5) and (rng:pick(words.cities) .. rng:pick { "星辰", "无忧", "青藤", "橙果" } .. "传媒")
      or json.null,
  }
end

function _M.order_experience(ctx)
  local rng = ctx.rng
  local industries = rng:sample(words.industries, rng:int(2, 6))
  local dist = json.array()
  for i, name in ipairs(industries) do
    dist[i] = { industry = name, order_cnt = rng:int(1, 30), brand_cnt = rng:int(1, 8) }
  end
  return {
    base_resp = base_resp(),
    period = ctx.args.period,
    order_cnt = rng:int(0, 150),
    finish_rate = rng:float(0.7, 1),
    avg_score = rng:float(3.5, 5, 1),
    industry_distribution = dist,
  }
end

function _M.live_statistics(ctx)
  local rng = ctx.rng
  local watch = rng:int(1000, 3000000)
  return {
    base_resp = base_resp(),
    live_type = ctx.args.liveType,
    period = ctx.args.period,
    live_cnt = rng:int(0, 60),
    avg_watch_cnt = watch,
    avg_online_cnt = floor(watch * rng:float(0.01, 0.1)),
    peak_online_cnt = floor(watch * rng:float(0.1, 0.3)),
    avg_live_duration_min = rng:int(30, 360),
    interact_rate = rng:float(0.01, 0.2),
    gmv_range = range_text(rng, 1000, 1000000, 0.4),
    star_order_cnt = ctx.args.onlyStarOrder == "true" and rng:int(0, 20) or rng:int(0, 60),
  }
end

return _M
