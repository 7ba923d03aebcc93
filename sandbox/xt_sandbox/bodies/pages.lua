-- Paged endpoints: creator search, homepage videos, conversion videos or products.
-- The number of items depends on the filters, never on the page; pages past the last one are empty.

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"
local prng = require "xt_sandbox.prng"

local floor = math.floor
local base_resp = common.base_resp

local _M = {}

local PAGE_SIZE = 10

-- The query key of a request without its page: what the totals and items are seeded from.
local function filters_key(ctx)
  local keys = {}
  for k in pairs(ctx.args) do
    if k ~= "page" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = k .. "=" .. ctx.args[k] end
  return ctx.endpoint.name .. "|" .. table.concat(keys, "&")
end

-- keyword "__none__" finds nothing, so clients can test the empty case.
function _M.search(ctx)
  local key = filters_key(ctx)
  local total = ctx.args.keyword == "__none__" and 0 or prng.new(key):int(25, 60)
  local authors, pagination = common.page(total, tonumber(ctx.args.page), PAGE_SIZE, function(n)
    local rng = prng.new(key .. "|" .. n)
    local id = rng:digits(19, "6")
    local a = common.author(id)
    return {
      star_id = id,
      core_user_id = json.int(a.core_user_id),
      nick_name = a.nick_name,
      avatar_uri = a.avatar_uri,
      follower = a.follower,
      city = a.city,
      content_category = a.category,
      grade = a.grade,
      price_1_20 = a.price,
      expected_play = floor(a.follower * rng:float(0.05, 0.4)),
      interact_rate = rng:float(0.01, 0.1),
    }
  end)
  return { base_resp = base_resp(), authors = authors, pagination = pagination }
end

function _M.homepage_videos(ctx)
  local args = ctx.args
  local total = common.author(ctx.id).videos
  local filtered = args.keyword or args.startDate or args.endDate or args.videoType ~= "ALL"
    or args.onlyAssign == "true"
  if filtered then
    total = prng.new(filters_key(ctx)):int(0, total)
  end
  local videos, pagination = common.page(total, tonumber(args.page), PAGE_SIZE, function(n)
    return common.video(ctx.id, n)
  end)
  return { base_resp = base_resp(), author_id = ctx.id, videos = videos, pagination = pagination }
end

function _M.convert_resources(ctx)
  local args = ctx.args
  local key = filters_key(ctx)
  local total = prng.new(key):int(12, 30)
  local list, pagination = common.page(total, tonumber(args.page), PAGE_SIZE, function(n)
    if args.detailType == "PRODUCT" then
      local rng = prng.new(key .. "|" .. n)
      return {
        product_id = common.big_id(rng),
        title = rng:pick(words.products) .. " " .. rng:pick(words.title_tails),
        price = rng:int(990, 99900) / 100,
        industry = rng:pick(words.industries),
        sales_range = common.range_text(rng, 10, 50000, 0.1),
        gmv_range = common.range_text(rng, 1000, 500000, 0.1),
      }
    end
    local video = common.video(ctx.id, 200 + n)
    video.gmv_range = common.range_text(prng.new(key .. "|" .. n), 1000, 500000, 0.1)
    return video
  end)
  return { base_resp = base_resp(), detail_type = args.detailType, list = list, pagination = pagination }
end

return _M
