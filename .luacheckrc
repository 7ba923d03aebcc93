std = "max"
max_line_length = 120
files["spec"] = { std = "+busted" }
files["sandbox"] = { globals = { "ngx" } }
exclude_files = { "build*" }
