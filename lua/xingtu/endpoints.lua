-- The catalogue of the provider's current Douyin Creator Marketplace (Xingtu) endpoints.
--
-- One entry per endpoint: the method name users call, the path, a one-line description, and the query parameters
-- with the provider's own names (`api`), our snake_case names (`name`), type, required flag, default and allowed
-- values. Types: "id" (a numeric id, sent as digits), "enum" (one of `enum`, or one of `also`: the numeric ids and
-- Chinese labels the provider accepts as well), "string", "integer" (with an optional `min`), "boolean" and "date"
-- (`format` says how the provider wants it written). Defaults are the provider's: they are documented here and
-- applied by the provider, so a parameter left out is not sent.
--
-- spec/catalogue_spec.lua keeps this file equal to ../shared/reference/xingtu-openapi.json, and the README's table
-- equal to this file. The module is pure data with no dependencies, so the sandbox (LuaJIT inside nginx) loads it too.

local PLATFORMS = {
    "SHORT_VIDEO", "LIVE_STREAMING", "PICTURE_TEXT", "SHORT_DRAMA",
}
local PERIODS = {
    "DAY_30", "DAY_90",
}
local LIVE_TYPES = {
    "ALL", "GAME", "ECOMMERCE", "OTHER",
}
local FLOW_TYPES = {
    "EXCLUDE", "INCLUDE",
}
local INDUSTRIES = {
    "ALL", "ELECTRONICS_AND_APPLIANCES", "SHOPPING", "FOOD_AND_BEVERAGE", "CLOTHING_AND_ACCESSORIES",
    "HEALTHCARE_AND_MEDICAL", "MEDICAL_INSTITUTIONS", "HOME_AND_BUILDING_MATERIALS", "LOCAL_SERVICES",
    "BUSINESS_SERVICES", "CULTURE_SPORTS_ENTERTAINMENT", "BEAUTY_SERVICES", "REAL_ESTATE", "EDUCATION_AND_TRAINING",
    "TRAVEL_AND_TOURISM", "PUBLIC_SERVICES", "GAMES", "RETAIL", "TRANSPORTATION_EQUIPMENT", "AUTOMOTIVE",
    "AGRICULTURE_FORESTRY_FISHERY", "CHEMICAL_AND_ENERGY", "ELECTRONICS_AND_ELECTRICAL", "MACHINERY_EQUIPMENT",
    "MEDIA_AND_INFORMATION", "LOGISTICS", "TELECOMMUNICATIONS", "FINANCIAL_SERVICES", "CATERING_SERVICES",
    "SOFTWARE_TOOLS", "FRANCHISING_AND_INVESTMENT", "BEAUTY_AND_COSMETICS", "MOTHER_BABY_AND_PET", "DAILY_CHEMICALS",
    "PHYSICAL_BOOKS", "SOCIAL_AND_COMMUNICATION", "CULTURAL_SUPPLIES", "SPORTS_OUTDOOR",
}
-- Numeric ids and Chinese labels the provider accepts besides the enum names.
local INDUSTRY_IDS_AND_LABELS = {
    "0", "不限", "1901", "3C及电器", "1938", "购物", "1903", "食品饮料", "1904", "服装配饰", "1905", "医药健康", "1936", "医疗机构", "1909",
    "家居建材", "1907", "生活服务", "1906", "商务服务", "1921", "休闲娱乐", "1937", "丽人", "1908", "房地产", "1910", "教育培训", "1911",
    "出行旅游", "1912", "社会公共", "1913", "游戏", "1914", "互联网电商服务", "1915", "交通工具", "1916", "汽车", "1917", "农资园艺", "1920",
    "机械设备", "1939", "文化用品", "1940", "运动户外", "1922", "传媒资讯", "1924", "通信", "1925", "金融业", "1927", "餐饮服务", "1928",
    "工具类软件", "1929", "招商加盟", "1930", "美妆", "1931", "母婴宠物", "1933", "日化", "1934", "实体书籍", "1935", "社交通讯",
}
local AUTHOR_LIST_IDS_AND_LABELS = {
    "7540478044453486642", "短直联动娱播达人", "7591708652957155378", "短剧演员", "7644854622347100210", "企微可快速建联达人",
    "7658250094571814938", "AI星企划达人", "7648906835038568499", "带货优势达人", "7656639212045516826", "高性价比达人",
    "7663404694186033202", "种草优势达人", "7501674900550238234", "运动圈层达人-篮球", "7586629331582222374", "精品内容型媒体推荐",
    "7586616213569781769", "趋势造风型媒体推荐", "7586616269403832370", "探厂溯源型媒体推荐", "7501675026170281994", "运动圈层达人-跑步",
    "7501674458878181413", "运动圈层达人-轻户外", "7501674307430236197", "运动圈层达人-运动健身", "7501678481074929674", "运动圈层达人-瑜伽",
    "7501677564604383259", "运动圈层达人-街头运动", "7501677556094042149", "运动圈层达人-骑行", "7501674900550483994", "运动圈层达人-足球",
    "7501676465915215881", "运动圈层达人-垂钓", "7460387606572875826", "美妆质感达人",
}

return {
  {
    name = "audience_distribution",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_audience_distribution/v1",
    description = "Audience profile of a creator at one relationship stage",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      {
        api = "linkType",
        name = "link_type",
        type = "enum",
        default = "CONNECTED",
        enum = { "CONNECTED", "AWARE", "INTERESTED", "LIKE", "FOLLOW" },
      },
    },
  },
  {
    name = "base_info",
    path = "/api/douyin-xingtu/gw/api/author/get_author_base_info/v1",
    description = "Creator profile for one content channel",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "business_card",
    path = "/api/douyin-xingtu/gw/api/gauthor/author_get_business_card_info/v1",
    description = "Business card of a creator: identity and business details for outreach",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
    },
  },
  {
    name = "channel_info",
    path = "/api/douyin-xingtu/gw/api/author/get_author_platform_channel_info_v2/v1",
    description = "Channel metrics of a creator: short video, live, picture-text or short drama",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "comment_keywords",
    path = "/api/douyin-xingtu/gw/api/data/get_author_hot_comment_tokens/v1",
    description = "Recurring keywords in the comments on a creator's content",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
    },
  },
  {
    name = "commerce_seed_info",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_commerce_seed_base_info/v1",
    description = "Commerce-seeding baseline of a creator over 30 or 90 days",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "range", name = "range", type = "enum", default = "DAY_90", enum = PERIODS },
    },
  },
  {
    name = "commerce_spread_info",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_commerce_spread_info/v1",
    description = "Commerce spread figures of a creator",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
    },
  },
  {
    name = "content_keywords",
    path = "/api/douyin-xingtu/gw/api/gauthor/get_author_content_hot_keywords/v1",
    description = "Keywords that recur in a creator's content",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
    },
  },
  {
    name = "contract_info",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_contract_base_info",
    description = "Contract baseline of a creator over 30 or 90 days",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "range", name = "range", type = "enum", default = "90", enum = PERIODS },
    },
  },
  {
    name = "convert_ability",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_convert_ability/v1",
    description = "Conversion ranges of a creator: sales, GPM, clicks, prices",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      { api = "range", name = "range", type = "enum", default = "DAY_30", enum = PERIODS },
    },
  },
  {
    name = "convert_resources",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_convert_videos_or_products/v1",
    description = "One page of the videos or products behind a creator's conversions",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      { api = "industryId", name = "industry_id", type = "enum", default = "ALL", enum = INDUSTRIES },
      { api = "range", name = "range", type = "enum", default = "DAY_30", enum = PERIODS },
      { api = "detailType", name = "detail_type", type = "enum", default = "VIDEO", enum = { "VIDEO", "PRODUCT" } },
      { api = "page", name = "page", type = "integer", default = 1, min = 1 },
    },
  },
  {
    name = "cost_performance",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_cp_info/v1",
    description = "Cost-performance figures (CPM, CPE and the like) of a creator",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "daily_fans",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_daily_fans/v1",
    description = "Follower count of a creator day by day over a date range",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "startDate", name = "start_date", type = "date", format = "YYYY-MM-DD", required = true },
      { api = "endDate", name = "end_date", type = "date", format = "YYYY-MM-DD", required = true },
    },
  },
  {
    name = "display_status",
    path = "/api/douyin-xingtu/gw/api/data_sp/check_author_display/v1",
    description = "Whether a creator can be shown in the marketplace for a channel",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "fans_distribution",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_fans_distribution/v1",
    description = "Follower or die-hard follower profile of a creator",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "authorType", name = "author_type", type = "enum", default = "FAN", enum = { "FAN", "DIE_HARD_FAN" } },
    },
  },
  {
    name = "homepage_videos",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_homepage_videos/v1",
    description = "One page of the videos on a creator's homepage, filterable by keyword, type and publish date",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "page", name = "page", type = "integer", default = 1, min = 1 },
      { api = "keyword", name = "keyword", type = "string" },
      {
        api = "videoType",
        name = "video_type",
        type = "enum",
        default = "ALL",
        enum = { "ALL", "PERSONAL", "XINGTU" },
      },
      { api = "onlyAssign", name = "only_assign", type = "boolean", default = false },
      { api = "startDate", name = "start_date", type = "date", format = "YYYYMMDD" },
      { api = "endDate", name = "end_date", type = "date", format = "YYYYMMDD" },
    },
  },
  {
    name = "item_analysis",
    path = "/api/douyin-xingtu/gw/api/data_sp/item_report_th_analysis/v1",
    description = "Analysis part of the marketplace report on one video",
    params = {
      { api = "itemId", name = "item_id", type = "id", required = true },
    },
  },
  {
    name = "item_detail",
    path = "/api/douyin-xingtu/gw/api/data_sp/item_report_detail/v1",
    description = "Detail part of the marketplace report on one video: its figures",
    params = {
      { api = "itemId", name = "item_id", type = "id", required = true },
    },
  },
  {
    name = "item_trend",
    path = "/api/douyin-xingtu/gw/api/data_sp/item_report_trend/v1",
    description = "Trend part of the marketplace report on one video: its figures over time",
    params = {
      { api = "itemId", name = "item_id", type = "id", required = true },
    },
  },
  {
    name = "link_info",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_link_info/v1",
    description = "Audience link metrics of a creator within an industry",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      { api = "industryTag", name = "industry_tag", type = "enum", default = "ALL", enum = INDUSTRIES },
    },
  },
  {
    name = "link_structure",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_link_struct/v1",
    description = "Structure of a creator's audience links (connected, aware, interested, ...)",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "live_statistics",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_live_statistics/v1",
    description = "Live-stream statistics of a creator by room type and period",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "liveType", name = "live_type", type = "enum", default = "1", enum = LIVE_TYPES },
      { api = "period", name = "period", type = "enum", default = "30", enum = PERIODS },
      { api = "onlyStarOrder", name = "only_star_order", type = "boolean", default = false },
      { api = "flowType", name = "flow_type", type = "enum", default = "0", enum = FLOW_TYPES },
    },
  },
  {
    name = "live_watch_distribution",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_live_watch_distribution/v1",
    description = "Who watches a creator's live streams: viewer or follower profile",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "liveCrowdType", name = "live_crowd_type", type = "enum", default = "2", enum = { "AUDIENCE", "FANS" } },
      { api = "liveType", name = "live_type", type = "enum", default = "1", enum = LIVE_TYPES },
    },
  },
  {
    name = "marketing_info",
    path = "/api/douyin-xingtu/gw/api/author/get_author_marketing_info/v1",
    description = "Marketing offers and prices of a creator for one channel",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "order_experience",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_order_experience/v1",
    description = "Marketplace order history of a creator over 30 or 90 days",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "period", name = "period", type = "enum", default = "DAY_30", enum = PERIODS },
    },
  },
  {
    name = "recommended_videos",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_rec_videos_v2/v1",
    description = "Representative videos the marketplace recommends for a creator",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "search",
    path = "/api/douyin-xingtu/gw/api/gsearch/search_for_author_square/v1",
    description = "One page of creators matching a keyword and filters",
    params = {
      { api = "keyword", name = "keyword", type = "string", default = "" },
      { api = "page", name = "page", type = "integer", default = 1, min = 1 },
      { api = "sort", name = "sort", type = "enum", default = "FANS", enum = { "DEFAULT", "FANS" } },
      {
        api = "searchType",
        name = "search_type",
        type = "enum",
        default = "NICKNAME",
        enum = { "NICKNAME", "CONTENT" },
      },
      {
        api = "marketingTarget",
        name = "marketing_target",
        type = "enum",
        also = { "1", "品牌曝光", "2", "破圈种草", "3", "行动转化" },
        enum = { "BRAND_EXPOSURE", "CIRCLE_SEEDING", "ACTION_CONVERSION" },
      },
      {
        api = "industry",
        name = "industry",
        type = "enum",
        also = INDUSTRY_IDS_AND_LABELS,
        default = "ALL",
        enum = INDUSTRIES,
      },
      { api = "isSuperstar", name = "is_superstar", type = "boolean", default = false },
      { api = "followerRange", name = "follower_range", type = "string" },
      {
        api = "kolPriceType",
        name = "kol_price_type",
        type = "enum",
        enum = {
          "VIDEO_1_20S", "VIDEO_21_60S", "VIDEO_OVER_60S", "CUSTOM_SHORT_DRAMA_EPISODE", "NATURAL_PLAY_CPM",
          "SHORT_LIVE_SEEDING_VIDEO", "SHORT_LIVE_WARMUP_VIDEO", "CELEBRITY_SHORT_LIVE_SEEDING",
          "CELEBRITY_SHORT_LIVE_WARMUP", "CELEBRITY_VIDEO", "COLLECTION_VIDEO",
          "DOUYIN_SHORT_VIDEO_CO_CREATION_MAIN_CREATOR", "DOUYIN_SHORT_VIDEO_CO_CREATION_PARTICIPANT",
        },
      },
      { api = "kolPriceRange", name = "kol_price_range", type = "string" },
      { api = "contentTag", name = "content_tag", type = "string" },
      { api = "contentTheme", name = "content_theme", type = "string" },
      { api = "personaTag", name = "persona_tag", type = "string" },
      { api = "gender", name = "gender", type = "enum", also = { "1", "男性", "2", "女性" }, enum = { "MALE", "FEMALE" } },
      { api = "location", name = "location", type = "string" },
      { api = "tonalityTag", name = "tonality_tag", type = "string" },
      { api = "connectedUserRange", name = "connected_user_range", type = "string" },
      { api = "audienceImage", name = "audience_image", type = "string" },
      { api = "fansImage", name = "fans_image", type = "string" },
      { api = "expectedPlayRange", name = "expected_play_range", type = "string" },
      { api = "expectedCpmRange", name = "expected_cpm_range", type = "string" },
      { api = "expectedCpeRange", name = "expected_cpe_range", type = "string" },
      { api = "interactionRateRange", name = "interaction_rate_range", type = "string" },
      { api = "completionRateRange", name = "completion_rate_range", type = "string" },
      { api = "viralRateRange", name = "viral_rate_range", type = "string" },
      { api = "progressTaskRange", name = "progress_task_range", type = "string" },
      { api = "isCuratedAuthor", name = "is_curated_author", type = "boolean", default = false },
      {
        api = "authorList",
        name = "author_list",
        type = "enum",
        also = AUTHOR_LIST_IDS_AND_LABELS,
        enum = {
          "SHORT_LIVE_ENTERTAINMENT_CREATORS", "SHORT_DRAMA_ACTORS", "WECHAT_QUICK_CONNECT_CREATORS",
          "AI_STAR_PLAN_CREATORS", "COMMERCE_ADVANTAGE_CREATORS", "HIGH_VALUE_CREATORS",
          "SEEDING_ADVANTAGE_CREATORS", "BASKETBALL_CREATORS", "PREMIUM_CONTENT_MEDIA", "TREND_SETTING_MEDIA",
          "FACTORY_TRACEABILITY_MEDIA", "RUNNING_CREATORS", "LIGHT_OUTDOOR_CREATORS", "FITNESS_CREATORS",
          "YOGA_CREATORS", "STREET_SPORTS_CREATORS", "CYCLING_CREATORS", "FOOTBALL_CREATORS", "FISHING_CREATORS",
          "BEAUTY_QUALITY_CREATORS",
        },
      },
    },
  },
  {
    name = "show_items",
    path = "/api/douyin-xingtu/gw/api/author/get_author_show_items_v2/v1",
    description = "Showcase items of a creator for one channel",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      { api = "onlyAssign", name = "only_assign", type = "boolean", default = false },
      { api = "flowType", name = "flow_type", type = "enum", default = "EXCLUDE", enum = FLOW_TYPES },
    },
  },
  {
    name = "side_info",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_side_base_info/v1",
    description = "Side-card overview of a creator in the marketplace",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
    },
  },
  {
    name = "spread_info",
    path = "/api/douyin-xingtu/gw/api/data_sp/get_author_spread_info/v1",
    description = "Spread of a creator's videos: plays, interactions, completion",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
      { api = "range", name = "range", type = "enum", default = "DAY_30", enum = PERIODS },
      {
        api = "type",
        name = "type",
        type = "enum",
        default = "PERSONAL_VIDEO",
        enum = { "PERSONAL_VIDEO", "XINTU_VIDEO" },
      },
      { api = "onlyAssign", name = "only_assign", type = "boolean", default = false },
      { api = "flowType", name = "flow_type", type = "enum", default = "EXCLUDE", enum = FLOW_TYPES },
    },
  },
  {
    name = "tags",
    path = "/api/douyin-xingtu/gw/api/aggregator/get_author_tags/v1",
    description = "Marketplace tags attached to a creator",
    params = {
      { api = "starAuthorId", name = "star_author_id", type = "id", required = true },
    },
  },
  {
    name = "touch_distribution",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1",
    description = "Where a creator's audience is reached: touchpoints in up to three levels",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
  {
    name = "video_distribution",
    path = "/api/douyin-xingtu/gw/api/data_sp/author_video_distribution/v1",
    description = "How a creator's videos are distributed for one channel",
    params = {
      { api = "oAuthorId", name = "o_author_id", type = "id", required = true },
      { api = "platform", name = "platform", type = "enum", default = "SHORT_VIDEO", enum = PLATFORMS },
    },
  },
}
