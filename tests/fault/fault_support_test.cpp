// The fault tests' own checker: it must see loss, duplicates, reordering and altered bytes.
#include "fault/fault_support.h"

#include <gtest/gtest.h>

namespace explainer::fault {
namespace {

TEST(FaultSupport, CheckDeliveryCountsLossDuplicatesDisorderAndAlteredBytes) {
  LoadResult load;
  load.acked = {{0, 1, 2, 3}, {0, 1}};
  const std::vector<std::string> clean = {
      make_message(0, 0), make_message(1, 0), make_message(0, 1), make_message(0, 1),
      make_message(0, 2), make_message(1, 1), make_message(0, 3)};
  const DeliveryCheck ok = check_delivery(clean, load);
  EXPECT_EQ(ok.lost, 0);
  EXPECT_EQ(ok.duplicates, 1);  // F0-1 twice, as after a kill
  EXPECT_EQ(ok.order_violations, 0);
  EXPECT_EQ(ok.altered, 0);
  EXPECT_EQ(ok.unique, 6);

  std::string altered = make_message(1, 1);
  altered[altered.size() - 3] = 'Y';
  const std::vector<std::string> bad = {make_message(0, 0), make_message(0, 2), make_message(0, 1),
                                        altered};
  const DeliveryCheck check = check_delivery(bad, load);
  EXPECT_EQ(check.lost, 2);  // F0-3 and F1-0
  EXPECT_EQ(check.order_violations, 1);
  EXPECT_EQ(check.altered, 1);
  EXPECT_FALSE(check.first_problem.empty());
}

TEST(FaultSupport, ParsesControlIdsAndAcks) {
  EXPECT_EQ(control_id_of(make_message(7, 42)), "F7-42");
  EXPECT_EQ(parse_load_id("F7-42"), std::make_pair(7, 42L));
  EXPECT_EQ(parse_load_id("RAD123").first, -1);
  const ParsedAck ack = parse_ack(
      "MSH|^~\\&|A|B|C|D|20260101||ACK|1|P|2.5.1\rMSA|AR|F0-1\rERR|||207^Application internal "
      "error^HL70357|E\r");
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "F0-1");
  EXPECT_EQ(ack.err_code, "207");
}

}  // namespace
}  // namespace explainer::fault
