_xingtu() {
    local IFS=$' \t\n'
    local args cur prev cmd opts arg
    args=("${COMP_WORDS[@]}")
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    opts="-h --help --version"

    args=("${args[@]:1}")
    for arg in "${args[@]}"; do
        case "$arg" in
            endpoints)
                cmd="endpoints"
                opts="$opts -h --help --format -f"
                break
                ;;
            report)
                cmd="report"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            batch)
                cmd="batch"
                opts="$opts -h --help --ids -i --concurrency -c --rate --max-calls --output -o --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            audience_distribution|audience-distribution)
                cmd="audience_distribution"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            base_info|base-info)
                cmd="base_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            business_card|business-card)
                cmd="business_card"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            channel_info|channel-info)
                cmd="channel_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            comment_keywords|comment-keywords)
                cmd="comment_keywords"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            commerce_seed_info|commerce-seed-info)
                cmd="commerce_seed_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            commerce_spread_info|commerce-spread-info)
                cmd="commerce_spread_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            content_keywords|content-keywords)
                cmd="content_keywords"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            contract_info|contract-info)
                cmd="contract_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            convert_ability|convert-ability)
                cmd="convert_ability"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            convert_resources|convert-resources)
                cmd="convert_resources"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            cost_performance|cost-performance)
                cmd="cost_performance"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            daily_fans|daily-fans)
                cmd="daily_fans"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            display_status|display-status)
                cmd="display_status"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            fans_distribution|fans-distribution)
                cmd="fans_distribution"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            homepage_videos|homepage-videos)
                cmd="homepage_videos"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            item_analysis|item-analysis)
                cmd="item_analysis"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            item_detail|item-detail)
                cmd="item_detail"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            item_trend|item-trend)
                cmd="item_trend"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            link_info|link-info)
                cmd="link_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            link_structure|link-structure)
                cmd="link_structure"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            live_statistics|live-statistics)
                cmd="live_statistics"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            live_watch_distribution|live-watch-distribution)
                cmd="live_watch_distribution"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            marketing_info|marketing-info)
                cmd="marketing_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            order_experience|order-experience)
                cmd="order_experience"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            recommended_videos|recommended-videos)
                cmd="recommended_videos"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            search)
                cmd="search"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            show_items|show-items)
                cmd="show_items"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            side_info|side-info)
                cmd="side_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            spread_info|spread-info)
                cmd="spread_info"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            tags)
                cmd="tags"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            touch_distribution|touch-distribution)
                cmd="touch_distribution"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
            video_distribution|video-distribution)
                cmd="video_distribution"
                opts="$opts -h --help --platform -p --range -r --param -P --format -f --sandbox --cache --cache-ttl --offline --timeout --retries --quiet -q --no-progress"
                break
                ;;
        esac
    done

    case "$cmd" in
        '')
            COMPREPLY=($(compgen -W "endpoints report batch audience_distribution audience-distribution base_info base-info business_card business-card channel_info channel-info comment_keywords comment-keywords commerce_seed_info commerce-seed-info commerce_spread_info commerce-spread-info content_keywords content-keywords contract_info contract-info convert_ability convert-ability convert_resources convert-resources cost_performance cost-performance daily_fans daily-fans display_status display-status fans_distribution fans-distribution homepage_videos homepage-videos item_analysis item-analysis item_detail item-detail item_trend item-trend link_info link-info link_structure link-structure live_statistics live-statistics live_watch_distribution live-watch-distribution marketing_info marketing-info order_experience order-experience recommended_videos recommended-videos search show_items show-items side_info side-info spread_info spread-info tags touch_distribution touch-distribution video_distribution video-distribution" -- "$cur"))
            ;;
        'endpoints')
            case "$prev" in
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'report')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'batch')
            case "$prev" in
                --ids|-i)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency|-c)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --rate)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --max-calls)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output|-o)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'audience_distribution')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'base_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'business_card')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'channel_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'comment_keywords')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'commerce_seed_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'commerce_spread_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'content_keywords')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'contract_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'convert_ability')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'convert_resources')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'cost_performance')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'daily_fans')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'display_status')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'fans_distribution')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'homepage_videos')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'item_analysis')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'item_detail')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'item_trend')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'link_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'link_structure')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'live_statistics')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'live_watch_distribution')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'marketing_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'order_experience')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'recommended_videos')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'search')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'show_items')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'side_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'spread_info')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'tags')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'touch_distribution')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'video_distribution')
            case "$prev" in
                --platform|-p)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --range|-r)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --param|-P)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --format|-f)
                    COMPREPLY=($(compgen -W "table json ndjson csv" -- "$cur"))
                    return 0
                    ;;
                --cache-ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
    esac

    if [[ "$cur" = -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}

complete -F _xingtu -o bashdefault -o default xingtu
