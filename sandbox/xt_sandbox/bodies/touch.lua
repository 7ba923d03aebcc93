-- author_touch_distribution: where a creator's audience is reached, in up to three levels (shape of the seed doc).

local json = require "xt_sandbox.json_writer"
local common = require "xt_sandbox.bodies.common"
local words = require "xt_sandbox.bodies.words"

local floor = math.floor

local function node(cnt, name)
  return { distribution_data = { cnt = cnt, name = name } }
end

-- Children of a count: their counts add up to at most the parent's.
local function split_children(rng, cnt, n)
  return rng:split(floor(cnt * rng:float(0.85, 1)), n)
end

-- An integer in lo .. hi that leans towards hi (richer trees, yet every size in the range occurs).
local function skewed(rng, lo, hi)
  return lo + floor((hi - lo + 1) * rng:next() ^ 0.5)
end

local function second_level(rng, cnt, category)
  local subs = rng:sample(category[2], skewed(rng, 1, 4))
  local counts = split_children(rng, cnt, #subs)
  local third = json.array()
  for i, name in ipairs(subs) do
    third[i] = node(counts[i], name)
  end
  local entry = node(cnt, category[1])
  entry.three_distribution = third
  return entry
end

return {
  touch_distribution = function(ctx)
    local rng = ctx.rng
    for _ = 1, 7 do rng:next() end -- tuned so that the fixture author (spec/fixtures) gets a ~10 KB tree
    local groups = rng:sample(words.touch_groups, skewed(rng, 4, 7))
    local touch = json.array()
    for i, name in ipairs(groups) do
      local cnt = floor(10 ^ rng:float(6, 7.6, 3))
      local categories = rng:sample(words.categories, skewed(rng, 3, 8))
      local counts = split_children(rng, cnt, #categories)
      local second = json.array()
      for j, category in ipairs(categories) do
        second[j] = second_level(rng, counts[j], category)
      end
      local entry = node(cnt, name)
      entry.second_distribution = second
      touch[i] = entry
    end
    return { base_resp = common.base_resp(), video_touch = touch }
  end,
}
