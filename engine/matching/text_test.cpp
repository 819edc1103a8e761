#include "matching/text.h"

#include <gtest/gtest.h>

namespace explainer::matching {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<Token> tokens;
  std::string norm;
  tokenize(text, tokens, norm);
  std::vector<std::string> out;
  for (const auto& t : tokens) out.emplace_back(token_text(t, norm));
  return out;
}

std::vector<std::string> sentences(std::string_view text) {
  std::vector<Token> tokens;
  std::string norm;
  tokenize(text, tokens, norm);
  Segmentation seg;
  segment(tokens, norm, seg);
  std::vector<std::string> out;
  for (const auto& s : seg.sentences) {
    out.emplace_back(
        text.substr(tokens[s.first].begin, tokens[s.last - 1].end - tokens[s.first].begin));
  }
  return out;
}

TEST(Tokenize, LowercasesAndSplitsHyphensAndSlashes) {
  EXPECT_EQ(words("Non-displaced Fracture and/or"),
            (std::vector<std::string>{"non", "displaced", "fracture", "and", "or"}));
}

TEST(Tokenize, SpinalLevelFormsAreCanonical) {
  for (const char* form : {"L4-L5", "L4-5", "L4/5", "l4/L5",
                           "L4\xE2\x80\x93"
                           "5"}) {
    EXPECT_EQ(words(form), std::vector<std::string>{"l4-l5"}) << form;
  }
  EXPECT_EQ(words("L5-S1"), std::vector<std::string>{"l5-s1"});
  EXPECT_EQ(words("T12"), std::vector<std::string>{"t12"});
  EXPECT_EQ(words("Lateral"), std::vector<std::string>{"lateral"});
}

TEST(Tokenize, ApostrophesAndDecimals) {
  EXPECT_EQ(words("Schmorl's node 1.5 cm."),
            (std::vector<std::string>{"schmorls", "node", "1.5", "cm", "."}));
  EXPECT_EQ(words("Baker\xE2\x80\x99s"), std::vector<std::string>{"bakers"});
}

TEST(Tokenize, OffsetsPointIntoOriginal) {
  const std::string text = "  Disc  BULGE.";
  std::vector<Token> tokens;
  std::string norm;
  tokenize(text, tokens, norm);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "BULGE");
}

TEST(Segment, NumberedItemsAreSeparateSentences) {
  EXPECT_EQ(sentences("1. Disc bulge at L4-5\n2. No stenosis"),
            (std::vector<std::string>{"Disc bulge at L4-5", "No stenosis"}));
  EXPECT_EQ(sentences("1. Disc bulge. 2) No stenosis."),
            (std::vector<std::string>{"Disc bulge.", "No stenosis."}));
}

TEST(Segment, DecimalsAndAbbreviationsDoNotSplit) {
  EXPECT_EQ(sentences("Nodule 1.5 cm, atelectasis vs. pneumonia. Next."),
            (std::vector<std::string>{"Nodule 1.5 cm, atelectasis vs. pneumonia.", "Next."}));
}

TEST(Segment, SemicolonsEndClausesNotSentences) {
  std::vector<Token> tokens;
  std::string norm;
  tokenize("No fracture; mild bulge.", tokens, norm);
  Segmentation seg;
  segment(tokens, norm, seg);
  EXPECT_EQ(seg.sentences.size(), 1u);
  EXPECT_EQ(seg.clauses.size(), 2u);
}

TEST(Segment, BlankLinesAndBulletsSeparate) {
  EXPECT_EQ(sentences("- Disc bulge\n- No stenosis"),
            (std::vector<std::string>{"Disc bulge", "No stenosis"}));
  EXPECT_EQ(sentences("Disc bulge\n\nNo stenosis"),
            (std::vector<std::string>{"Disc bulge", "No stenosis"}));
}

}  // namespace
}  // namespace explainer::matching
