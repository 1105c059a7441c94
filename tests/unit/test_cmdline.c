// SPDX-License-Identifier: MIT
#include <axvm/cmdline.h>
#include "check.h"

TEST(cmdline_get_values_and_flags)
{
    const char *c = "  loglevel=3 quiet selftest=fault,frames x=  ";
    char v[32];
    CHECK(cmdline_get(c, "loglevel", v, sizeof(v)));
    CHECK_STR(v, "3");
    CHECK(cmdline_get(c, "quiet", v, sizeof(v)));
    CHECK_STR(v, "");
    CHECK(cmdline_get(c, "x", v, sizeof(v)));
    CHECK_STR(v, "");
    CHECK(!cmdline_get(c, "log", v, sizeof(v))); /* a prefix of a key is not the key */
    CHECK(!cmdline_get(c, "fault", v, sizeof(v)));
    CHECK(!cmdline_get("", "quiet", v, sizeof(v)));
}

TEST(cmdline_value_truncated)
{
    char v[4];
    CHECK(cmdline_get("k=abcdef", "k", v, sizeof(v)));
    CHECK_STR(v, "abc");
}

TEST(cmdline_has_item_in_list)
{
    const char *c = "selftest=fault,frames other=panic";
    CHECK(cmdline_has_item(c, "selftest", "fault"));
    CHECK(cmdline_has_item(c, "selftest", "frames"));
    CHECK(!cmdline_has_item(c, "selftest", "panic"));
    CHECK(!cmdline_has_item(c, "selftest", "frame"));
    CHECK(cmdline_has_item(c, "other", "panic"));
}
