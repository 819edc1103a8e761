#include "extract/inference.h"

#include <gtest/gtest.h>

namespace explainer::extract {
namespace {

TEST(Inference, ModalityFromSectionThenName) {
  EXPECT_EQ(infer_modality("MR", "anything"), "MR");
  EXPECT_EQ(infer_modality("dx", ""), "CR");
  EXPECT_EQ(infer_modality("RAD", "MRI LUMBAR SPINE"), "MR");
  EXPECT_EQ(infer_modality("", "CT CHEST WO CONTRAST"), "CT");
  EXPECT_EQ(infer_modality("", "Ultrasound abdomen"), "US");
  EXPECT_EQ(infer_modality("", "US THYROID"), "US");
  EXPECT_EQ(infer_modality("", "X-ray chest 2 views"), "CR");
  EXPECT_EQ(infer_modality("", "XR ANKLE LEFT"), "CR");
  EXPECT_EQ(infer_modality("", "Chest radiograph"), "CR");
  EXPECT_EQ(infer_modality("RAD", "Bone density"), "RAD");
  EXPECT_EQ(infer_modality("", "Glucose"), "");
}

TEST(Inference, BodyRegion) {
  EXPECT_EQ(infer_body_region("MRI LUMBAR SPINE WO CONTRAST"), "spine");
  EXPECT_EQ(infer_body_region("MRI C-SPINE"), "spine");
  EXPECT_EQ(infer_body_region("MRI CERVICAL SPINE"), "spine");
  EXPECT_EQ(infer_body_region("MRI KNEE RIGHT"), "knee");
  EXPECT_EQ(infer_body_region("MRI SHOULDER LEFT"), "shoulder");
  EXPECT_EQ(infer_body_region("CT HEAD WO"), "brain");
  EXPECT_EQ(infer_body_region("MRI Brain"), "brain");
  EXPECT_EQ(infer_body_region("XR CHEST 2 VIEWS"), "chest");
  EXPECT_EQ(infer_body_region("CT ABDOMEN PELVIS"), "abdomen");
  EXPECT_EQ(infer_body_region("US RENAL"), "abdomen");
  EXPECT_EQ(infer_body_region("US THYROID"), "neck");
  EXPECT_EQ(infer_body_region("XR HIP 2 VIEWS"), "hip");
  EXPECT_EQ(infer_body_region("XR ANKLE"), "ankle");
  EXPECT_EQ(infer_body_region("XR HAND"), "hand");
  EXPECT_EQ(infer_body_region("CT SINUS"), "sinus");
  EXPECT_EQ(infer_body_region("Microscopic Observation"), "");
}

TEST(Inference, Language) {
  EXPECT_EQ(iso639_1_language("en"), "en");
  EXPECT_EQ(iso639_1_language("ENG"), "en");
  EXPECT_EQ(iso639_1_language("es"), "es");
  EXPECT_EQ(iso639_1_language("SPA"), "es");
  EXPECT_EQ(iso639_1_language("spa", "Spanish"), "es");
  EXPECT_EQ(iso639_1_language("", "Spanish"), "es");
  EXPECT_EQ(iso639_1_language("es-MX"), "es");
  EXPECT_EQ(iso639_1_language("fre"), "fr");
  EXPECT_EQ(iso639_1_language("XYZ123"), "");
  EXPECT_EQ(iso639_1_language("", ""), "");
  EXPECT_EQ(iso639_1_language("99", ""), "");
}

}  // namespace
}  // namespace explainer::extract
