// SPDX-License-Identifier: MIT
#include <axvm/log.h>
#include "check.h"

TEST(log_line_prefix_and_level_tags)
{
    char buf[64];
    size_t n = log_format_line(buf, sizeof(buf), LOG_INFO, "cpu%u online", 3u);
    CHECK_STR(buf, "[axvm] cpu3 online\n");
    CHECK_EQ(n, 19);
    log_format_line(buf, sizeof(buf), LOG_ERROR, "bad %s", "thing");
    CHECK_STR(buf, "[axvm] error: bad thing\n");
    log_format_line(buf, sizeof(buf), LOG_WARN, "w");
    CHECK_STR(buf, "[axvm] warning: w\n");
}

TEST(log_long_line_still_ends_with_newline)
{
    char buf[16];
    size_t n = log_format_line(buf, sizeof(buf), LOG_INFO, "%s", "a very long message indeed");
    CHECK_EQ(n, 15);
    CHECK_EQ(buf[14], '\n');
    CHECK_EQ(buf[15], '\0');
}
