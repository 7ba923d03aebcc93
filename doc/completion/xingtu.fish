function __fish_xingtu_print_command
    set -l cmdline (commandline -poc)
    set -l cmd
    set -e cmdline[1]
    for arg in $cmdline
        switch $arg
            case endpoints
                set cmd $cmd endpoints
                break
            case report
                set cmd $cmd report
                break
            case batch
                set cmd $cmd batch
                break
            case audience_distribution audience-distribution
                set cmd $cmd audience_distribution
                break
            case base_info base-info
                set cmd $cmd base_info
                break
            case business_card business-card
                set cmd $cmd business_card
                break
            case channel_info channel-info
                set cmd $cmd channel_info
                break
            case comment_keywords comment-keywords
                set cmd $cmd comment_keywords
                break
            case commerce_seed_info commerce-seed-info
                set cmd $cmd commerce_seed_info
                break
            case commerce_spread_info commerce-spread-info
                set cmd $cmd commerce_spread_info
                break
            case content_keywords content-keywords
                set cmd $cmd content_keywords
                break
            case contract_info contract-info
                set cmd $cmd contract_info
                break
            case convert_ability convert-ability
                set cmd $cmd convert_ability
                break
            case convert_resources convert-resources
                set cmd $cmd convert_resources
                break
            case cost_performance cost-performance
                set cmd $cmd cost_performance
                break
            case daily_fans daily-fans
                set cmd $cmd daily_fans
                break
            case display_status display-status
                set cmd $cmd display_status
                break
            case fans_distribution fans-distribution
                set cmd $cmd fans_distribution
                break
            case homepage_videos homepage-videos
                set cmd $cmd homepage_videos
                break
            case item_analysis item-analysis
                set cmd $cmd item_analysis
                break
            case item_detail item-detail
                set cmd $cmd item_detail
                break
            case item_trend item-trend
                set cmd $cmd item_trend
                break
            case link_info link-info
                set cmd $cmd link_info
                break
            case link_structure link-structure
                set cmd $cmd link_structure
                break
            case live_statistics live-statistics
                set cmd $cmd live_statistics
                break
            case live_watch_distribution live-watch-distribution
                set cmd $cmd live_watch_distribution
                break
            case marketing_info marketing-info
                set cmd $cmd marketing_info
                break
            case order_experience order-experience
                set cmd $cmd order_experience
                break
            case recommended_videos recommended-videos
                set cmd $cmd recommended_videos
                break
            case search
                set cmd $cmd search
                break
            case show_items show-items
                set cmd $cmd show_items
                break
            case side_info side-info
                set cmd $cmd side_info
                break
            case spread_info spread-info
                set cmd $cmd spread_info
                break
            case tags
                set cmd $cmd tags
                break
            case touch_distribution touch-distribution
                set cmd $cmd touch_distribution
                break
            case video_distribution video-distribution
                set cmd $cmd video_distribution
                break
        end
    end
    echo "$cmd"
end

function __fish_xingtu_using_command
    test (__fish_xingtu_print_command) = "$argv"
    and return 0
    or return 1
end

function __fish_xingtu_seen_command
    string match -q "$argv*" (__fish_xingtu_print_command)
    and return 0
    or return 1
end

complete -c xingtu -n '__fish_xingtu_using_command' -xa 'endpoints' -d 'List the catalogue\'s methods and their parameters'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'report' -d 'A creator report: touch distribution chart and conversion ranges'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'batch' -d 'Call one method for many ids; every id appears once in the output'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'audience_distribution audience-distribution' -d 'Audience profile of a creator at one relationship stage'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'base_info base-info' -d 'Creator profile for one content channel'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'business_card business-card' -d 'Business card of a creator: identity and business details for outreach'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'channel_info channel-info' -d 'Channel metrics of a creator: short video, live, picture-text or short drama'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'comment_keywords comment-keywords' -d 'Recurring keywords in the comments on a creator\'s content'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'commerce_seed_info commerce-seed-info' -d 'Commerce-seeding baseline of a creator over 30 or 90 days'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'commerce_spread_info commerce-spread-info' -d 'Commerce spread figures of a creator'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'content_keywords content-keywords' -d 'Keywords that recur in a creator\'s content'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'contract_info contract-info' -d 'Contract baseline of a creator over 30 or 90 days'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'convert_ability convert-ability' -d 'Conversion ranges of a creator: sales, GPM, clicks, prices'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'convert_resources convert-resources' -d 'One page of the videos or products behind a creator\'s conversions'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'cost_performance cost-performance' -d 'Cost-performance figures (CPM, CPE and the like) of a creator'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'daily_fans daily-fans' -d 'Follower count of a creator day by day over a date range'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'display_status display-status' -d 'Whether a creator can be shown in the marketplace for a channel'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'fans_distribution fans-distribution' -d 'Follower or die-hard follower profile of a creator'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'homepage_videos homepage-videos' -d 'One page of the videos on a creator\'s homepage, filterable by keyword, type and publish date'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'item_analysis item-analysis' -d 'Analysis part of the marketplace report on one video'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'item_detail item-detail' -d 'Detail part of the marketplace report on one video: its figures'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'item_trend item-trend' -d 'Trend part of the marketplace report on one video: its figures over time'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'link_info link-info' -d 'Audience link metrics of a creator within an industry'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'link_structure link-structure' -d 'Structure of a creator\'s audience links (connected, aware, interested, ...)'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'live_statistics live-statistics' -d 'Live-stream statistics of a creator by room type and period'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'live_watch_distribution live-watch-distribution' -d 'Who watches a creator\'s live streams: viewer or follower profile'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'marketing_info marketing-info' -d 'Marketing offers and prices of a creator for one channel'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'order_experience order-experience' -d 'Marketplace order history of a creator over 30 or 90 days'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'recommended_videos recommended-videos' -d 'Representative videos the marketplace recommends for a creator'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'search' -d 'One page of creators matching a keyword and filters'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'show_items show-items' -d 'Showcase items of a creator for one channel'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'side_info side-info' -d 'Side-card overview of a creator in the marketplace'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'spread_info spread-info' -d 'Spread of a creator\'s videos: plays, interactions, completion'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'tags' -d 'Marketplace tags attached to a creator'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'touch_distribution touch-distribution' -d 'Where a creator\'s audience is reached: touchpoints in up to three levels'
complete -c xingtu -n '__fish_xingtu_using_command' -xa 'video_distribution video-distribution' -d 'How a creator\'s videos are distributed for one channel'
complete -c xingtu -s h -l help -d 'Show this help message and exit'
complete -c xingtu -l version -d 'Print the version and exit'

complete -c xingtu -n '__fish_xingtu_seen_command endpoints' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command endpoints' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'

complete -c xingtu -n '__fish_xingtu_seen_command report' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command report' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command batch' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l ids -s i -r -d 'File with one id a line (# comments and blank lines skipped), or - for stdin'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l concurrency -s c -r -d 'Requests in flight at once (default 8)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l rate -r -d 'At most this many requests a second'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l max-calls -r -d 'Send at most this many requests (retries count); the rest fail with budget_exceeded'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l output -s o -r -d 'Write the output to FILE instead of stdout'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command batch' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command audience_distribution' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command base_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command base_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command business_card' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command business_card' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command channel_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command comment_keywords' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_seed_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command commerce_spread_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command content_keywords' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command contract_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command convert_ability' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command convert_resources' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command cost_performance' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command daily_fans' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command display_status' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command display_status' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command fans_distribution' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command homepage_videos' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command item_analysis' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command item_detail' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command item_trend' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command link_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command link_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command link_structure' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command live_statistics' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command live_watch_distribution' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command marketing_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command order_experience' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command recommended_videos' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command search' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command search' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command show_items' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command show_items' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command side_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command side_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command spread_info' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command tags' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command tags' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command touch_distribution' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'

complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -s h -l help -d 'Show this help message and exit'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l platform -s p -r -d 'The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l range -s r -r -d 'The period parameter: range or period (DAY_30, DAY_90)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l param -s P -r -d 'Any parameter as name=value (repeatable)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l format -s f -xa 'table json ndjson csv' -d 'Output format: table, json, ndjson, csv'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l sandbox -d 'Run against the bundled sandbox (started and stopped around the command)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l cache -d 'Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l cache-ttl -r -d 'Seconds a cached answer stays fresh (default 86400)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l offline -d 'Answer from the cache only; a miss is an error (kind cache_miss)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l timeout -r -d 'Seconds for one attempt (default 60)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l retries -r -d 'Retries after the first attempt (default 3)'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l quiet -s q -d 'Nothing on stderr but errors: no progress bar, no notes'
complete -c xingtu -n '__fish_xingtu_seen_command video_distribution' -l no-progress -d 'No progress bar (drawn only when stderr is a terminal anyway)'
