#include "gateway/core/path.h"

#include <gtest/gtest.h>

namespace fixgw {
namespace {

TEST(PathTest, DirectoryOfABareNameTheRootAndANestedFile) {
  EXPECT_EQ(DirectoryOf("journal.db"), ".");
  EXPECT_EQ(DirectoryOf("/journal.db"), "/");
  EXPECT_EQ(DirectoryOf("/var/lib/fixgw/journal.db"), "/var/lib/fixgw");
  EXPECT_EQ(DirectoryOf("run/journal.db"), "run");
}

}  // namespace
}  // namespace fixgw
