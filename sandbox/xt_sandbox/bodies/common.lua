-- Pieces the sandbox's bodies share: the creator every endpoint agrees on, distributions, videos, 64-bit ids.

local json = require "xt_sandbox.json_writer"
local prng = require "xt_sandbox.prng"
local words = require "xt_sandbox.bodies.words"

local floor, format = math.floor, string.format

local _M = {}

function _M.base_resp()
  return { status_code = 0, status_message = "" }
end

-- A 19-digit id starting with 7, as a JSON number (exercises exact 64-bit decoding).
function _M.big_id(rng)
  return json.int(rng:digits(19, "7"))
end

-- The same creator for every endpoint: a generator seeded by the author id only.
function _M.author(id)
  local rng = prng.new("author|" .. id)
  local nick = rng:pick(words.nick_first) .. rng:pick(words.nick_core) .. rng:pick(words.nick_tail)
  local province_i = rng:int(1, #words.provinces)
  local category = rng:pick(words.categories)
  local follower = floor(10 ^ rng:float(4, 7.6, 3))
  return {
    id = id,
    nick_name = nick,
    core_user_id = rng:digits(19, "7"),
    unique_id = "xt" .. rng:digits(9),
    gender = rng:int(1, 2),
    province = words.provinces[province_i],
    city = words.cities[province_i] or rng:pick(words.cities),
    follower = follower,
    grade = rng:int(1, 6),
    category = category[1],
    sub_category = rng:pick(category[2]),
    avatar_uri = format("https://p3-sandbox.example/avatar/%s.jpeg", rng:digits(12)),
    price = floor(follower / 200 + 800) * 10,
    videos = rng:int(21, 30), -- homepage videos: three pages of ten
  }
end

-- A list of { name, value } with the values adding up to `total` (or to 10000 = 100.00%).
function _M.share(rng, names, total)
  local parts = rng:split(total or 10000, #names)
  local out = json.array()
  for i, name in ipairs(names) do
    out[i] = { name = name, value = parts[i] }
  end
  return out
end

-- An audience profile: gender, age, regions, devices, city tiers, crowds.
function _M.profile(rng)
  return json.array {
    { type = "gender", type_display = "性别分布", distribution_list = _M.share(rng, { "male", "female" }) },
    { type = "age", type_display = "年龄分布", distribution_list = _M.share(rng, words.ages) },
    { type = "province", type_display = "省份分布", distribution_list = _M.share(rng, rng:sample(words.provinces, 8)) },
    { type = "city", type_display = "城市分布", distribution_list = _M.share(rng, rng:sample(words.cities, 10)) },
    { type = "city_tier", type_display = "城市等级分布", distribution_list = _M.share(rng, words.city_tiers) },
    { type = "device", type_display = "设备品牌分布", distribution_list = _M.share(rng, words.devices) },
    { type = "crowd", type_display = "八大人群分布", distribution_list = _M.share(rng, words.crowds) },
  }
end

function _M.title(rng)
  local category = rng:pick(words.categories)
  return rng:pick(words.title_heads) .. rng:pick(category[2]) .. "，" .. rng:pick(words.title_tails)
end

-- A date "2026-MM-DD" (or "YYYYMMDD") in 2026.
function _M.date_2026(rng, compact)
  local m, d = rng:int(1, 10), rng:int(1, 28)
  return format(compact and "2026%02d%02d" or "2026-%02d-%02d", m, d)
end

-- One video of a creator, seeded by the author id and the video's position so every page agrees.
function _M.video(author_id, n)
  local rng = prng.new("video|" .. author_id .. "|" .. n)
  local play = floor(10 ^ rng:float(3.5, 7, 3))
  return {
    item_id = _M.big_id(rng),
    title = _M.title(rng),
    create_time = _M.date_2026(rng),
    duration = rng:int(8, 300),
    play = play,
    like = floor(play * rng:float(0.01, 0.08)),
    comment = floor(play * rng:float(0.0005, 0.005)),
    share = floor(play * rng:float(0.0005, 0.01)),
    is_xingtu_video = rng:chance(0.3),
    video_url = format("https://www.douyin.example/video/%s", rng:digits(19, "7")),
    cover_uri = format("https://p9-sandbox.example/cover/%s.jpeg", rng:digits(12)),
  }
end

-- "1w-5w" style ranges of a value, or "-" with probability p_dash.
function _M.range_text(rng, lo, hi, p_dash, unit)
  if rng:chance(p_dash or 0) then return "-" end
  local a = rng:int(lo, hi)
  local b = a * rng:pick { 2, 3, 5 }
  local function show(v)
    if unit == "%" then return format("%g%%", v / 10) end
    if v >= 10000 then return format("%gw", floor(v / 1000) / 10) end
    return tostring(v)
  end
  if rng:chance(0.15) then return "≥" .. show(b) end
  return show(a) .. "-" .. show(b)
end

-- Page `page` of a list of `total` items, `limit` a page: the list (empty past the last page) and its pagination.
function _M.page(total, page, limit, make)
  local list = json.array()
  local first = (page - 1) * limit + 1
  for n = first, math.min(total, first + limit - 1) do
    list[#list + 1] = make(n)
  end
  return list, { page = page, limit = limit, total_count = total, has_more = first + limit - 1 < total }
end

return _M
