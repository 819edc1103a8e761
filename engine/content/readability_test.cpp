#include "content/readability.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "content/loader.h"

namespace explainer::content {
namespace {

using Words = std::vector<std::pair<const char*, int>>;

void expect_syllables(const Words& words, TextLanguage language) {
  for (const auto& [word, expected] : words) {
    EXPECT_EQ(count_syllables(word, language), expected) << word;
  }
}

// Counts by hand (dictionary hyphenation / spoken syllables).
TEST(EnglishSyllables, PlainVowelGroups) {
  expect_syllables({{"the", 1},
                    {"cat", 1},
                    {"doctor", 2},
                    {"hospital", 3},
                    {"vertebra", 3},
                    {"different", 3},
                    {"surgery", 3},
                    {"imaging", 3},
                    {"arthritis", 3}},
                   TextLanguage::kEnglish);
}

TEST(EnglishSyllables, SilentEndings) {
  // silent final e: make (1), whole (1); but "-le" after a consonant is spoken: ta-ble, lit-tle
  // "-es" silent after most consonants (makes, lines) but not after sibilants (box-es, chang-es)
  // "-ed" silent except after t/d: used (1), called (1), need-ed (2), treat-ed (2)
  expect_syllables({{"make", 1},
                    {"whole", 1},
                    {"table", 2},
                    {"little", 2},
                    {"simple", 2},
                    {"makes", 1},
                    {"lines", 1},
                    {"boxes", 2},
                    {"changes", 2},
                    {"tables", 2},
                    {"used", 1},
                    {"called", 1},
                    {"needed", 2},
                    {"treated", 2},
                    {"studied", 2},
                    {"likely", 2},
                    {"completely", 3},
                    {"movement", 2},
                    {"careful", 2}},
                   TextLanguage::kEnglish);
}

TEST(EnglishSyllables, VowelPairsSpokenAsTwo) {
  // ra-di-o, se-ri-ous, di-ag-no-sis, pneu-mo-ni-a, cal-ci-um, u-su-al-ly, vid-e-o,
  // con-tin-u-ous; but na-tion, spe-cial, pre-cious, peo-ple keep one
  expect_syllables({{"radio", 3},
                    {"serious", 3},
                    {"diagnosis", 4},
                    {"pneumonia", 4},
                    {"calcium", 3},
                    {"usually", 4},
                    {"video", 3},
                    {"continuous", 4},
                    {"radiologist", 5},
                    {"nation", 2},
                    {"special", 2},
                    {"precious", 2},
                    {"people", 2},
                    {"equal", 2},
                    {"language", 2}},
                   TextLanguage::kEnglish);
}

TEST(EnglishSyllables, YAndIng) {
  // y is a consonant before a vowel: be-yond, eye; "-ing" after a vowel: be-ing, go-ing
  expect_syllables({{"beyond", 2},
                    {"eye", 1},
                    {"many", 2},
                    {"being", 2},
                    {"going", 2},
                    {"saying", 2},
                    {"finding", 2}},
                   TextLanguage::kEnglish);
}

TEST(EnglishSyllables, ExceptionsTableAndTokens) {
  // table entries: ar-e-a, some-one, ques-tions are fine by rule; plural of a table entry
  expect_syllables({{"area", 3},
                    {"areas", 3},
                    {"someone", 2},
                    {"anxiety", 4},
                    {"fluid", 2},
                    {"osteoarthritis", 6},
                    {"guidelines", 2},
                    {"colleagues", 2}},
                   TextLanguage::kEnglish);
  // initialisms letter by letter: M-R-I, C-T; digits one per digit; runs are summed:
  // fol-low + up = 3, L + 4 + L + 5 = 4; apostrophes ignored: don't = 1
  expect_syllables({{"MRI", 3},
                    {"CT", 2},
                    {"20", 2},
                    {"follow-up", 3},
                    {"L4-L5", 4},
                    {"don't", 1},
                    {"Doctor's", 2},
                    {"---", 0}},
                   TextLanguage::kEnglish);
}

TEST(SpanishSyllables, DiphthongsAndHiatus) {
  // ca-sa, que (u silent, one nucleus), gue-rra, pin-güi-no, ciu-dad, cui-da-do, hue-vo
  // hiatus: dí-a, pa-ís, le-ón, a-é-re-o, o-ír, re-ú-ne, cre-er, po-e-ta
  expect_syllables({{"casa", 2},
                    {"que", 1},
                    {"guerra", 2},
                    {"pingüino", 3},
                    {"ciudad", 2},
                    {"cuidado", 3},
                    {"huevo", 2},
                    {"día", 2},
                    {"país", 2},
                    {"león", 2},
                    {"aéreo", 4},
                    {"oír", 2},
                    {"reúne", 3},
                    {"creer", 2},
                    {"poeta", 3}},
                   TextLanguage::kSpanish);
}

TEST(SpanishSyllables, HAndY) {
  // h is a consonant: a-ho-ra, ahí = a-hí, bú-ho; y: muy (1), y (1), hay (1), ya (1),
  // ma-yo, a-yu-da, U-ru-guay
  expect_syllables({{"ahora", 3},
                    {"ahí", 2},
                    {"búho", 2},
                    {"muy", 1},
                    {"y", 1},
                    {"hay", 1},
                    {"ya", 1},
                    {"mayo", 2},
                    {"ayuda", 3},
                    {"Uruguay", 3}},
                   TextLanguage::kSpanish);
}

TEST(SpanishSyllables, ContentWords) {
  // ha-llaz-go, i-má-ge-nes, fre-cuen-te, a-ten-ción, mé-di-ca, re-so-nan-cia,
  // re-cu-pe-ra-ción, her-nia, en-fer-me-dad; initialisms R-M, T-C
  expect_syllables({{"hallazgo", 3},
                    {"imágenes", 4},
                    {"frecuente", 3},
                    {"atención", 3},
                    {"médica", 3},
                    {"resonancia", 4},
                    {"recuperación", 5},
                    {"hernia", 2},
                    {"enfermedad", 4},
                    {"RM", 2},
                    {"TC", 2}},
                   TextLanguage::kSpanish);
}

TEST(Sentences, TerminatorsAbbreviationsAndLines) {
  EXPECT_EQ(
      split_sentences("Dr. Smith saw it. See e.g. the note. It is 3.5 cm wide."),
      (std::vector<std::string>{"Dr. Smith saw it.", "See e.g. the note.", "It is 3.5 cm wide."}));
  EXPECT_EQ(split_sentences("Is this serious? Usually not! Ask (if needed.) Then rest..."),
            (std::vector<std::string>{"Is this serious?", "Usually not!", "Ask (if needed.)",
                                      "Then rest..."}));
  EXPECT_EQ(split_sentences("¿Es grave? No, casi nunca. Ver p. ej. la nota."),
            (std::vector<std::string>{"¿Es grave?", "No, casi nunca.", "Ver p. ej. la nota."}));
  // Each line is a sentence even without punctuation; lines without words are dropped.
  EXPECT_EQ(split_sentences("First item\n- \nSecond item.\n\n"),
            (std::vector<std::string>{"First item", "Second item."}));
}

TEST(Words, TokensWithLettersOrDigits) {
  EXPECT_EQ(split_words("A follow-up scan (MRI), and/or rest \xE2\x80\x94 20 % of people."),
            (std::vector<std::string>{"A", "follow-up", "scan", "MRI", "and", "or", "rest", "20",
                                      "of", "people"}));
  EXPECT_EQ(split_words("¿Qué pasa después?"),
            (std::vector<std::string>{"Qué", "pasa", "después"}));
}

TEST(Scores, EnglishHandComputedWithoutPolysyllables) {
  // "The cat sat on the mat." = 6 words, 6 syllables; "It was a happy cat." = 5 words,
  // 6 syllables (hap-py). Totals: 2 sentences, 11 words, 12 syllables, 0 polysyllables.
  // w/s = 5.5, syl/w = 12/11 = 1.090909
  // FK  = 0.39*5.5 + 11.8*1.090909 - 15.59 = 2.145 + 12.872727 - 15.59 = -0.572273
  // FRE = 206.835 - 1.015*5.5 - 84.6*1.090909 = 206.835 - 5.5825 - 92.290909 = 108.961591
  // SMOG = 1.0430*sqrt(0) + 3.1291 = 3.1291
  const ReadabilityScores s =
      measure_text("The cat sat on the mat. It was a happy cat.", TextLanguage::kEnglish);
  ASSERT_TRUE(s.valid);
  EXPECT_EQ(s.counts.sentences, 2);
  EXPECT_EQ(s.counts.words, 11);
  EXPECT_EQ(s.counts.syllables, 12);
  EXPECT_EQ(s.counts.polysyllables, 0);
  EXPECT_NEAR(s.fk_grade, -0.572273, 1e-5);
  EXPECT_NEAR(s.flesch_reading_ease, 108.961591, 1e-5);
  EXPECT_NEAR(s.smog, 3.1291, 1e-9);
}

TEST(Scores, EnglishHandComputedWithPolysyllable) {
  // "Many people have this finding." = man-y 2, peo-ple 2, have 1, this 1, find-ing 2:
  //   5 words, 8 syllables
  // "It usually causes no problems." = it 1, u-su-al-ly 4, caus-es 2, no 1, prob-lems 2:
  //   5 words, 10 syllables, 1 polysyllable (usually)
  // w/s = 10/2 = 5, syl/w = 18/10 = 1.8
  // FK  = 0.39*5 + 11.8*1.8 - 15.59 = 1.95 + 21.24 - 15.59 = 7.6
  // FRE = 206.835 - 1.015*5 - 84.6*1.8 = 206.835 - 5.075 - 152.28 = 49.48
  // SMOG = 1.0430*sqrt(1*30/2) + 3.1291 = 1.0430*3.872983 + 3.1291 = 7.168621
  const ReadabilityScores s = measure_text(
      "Many people have this finding. It usually causes no problems.", TextLanguage::kEnglish);
  EXPECT_EQ(s.counts.words, 10);
  EXPECT_EQ(s.counts.syllables, 18);
  EXPECT_EQ(s.counts.polysyllables, 1);
  EXPECT_NEAR(s.fk_grade, 7.6, 1e-9);
  EXPECT_NEAR(s.flesch_reading_ease, 49.48, 1e-9);
  EXPECT_NEAR(s.smog, 7.168621, 1e-5);
}

TEST(Scores, SpanishHandComputed) {
  // "La casa es grande." = la 1, ca-sa 2, es 1, gran-de 2: 4 words, 6 syllables
  // "El perro come." = el 1, pe-rro 2, co-me 2: 3 words, 5 syllables
  // Totals: 2 sentences, 7 words, 11 syllables. P = 100*11/7 = 157.142857, w/s = 3.5
  // Fernández-Huerta (F = words per sentence) = 206.84 - 0.60*157.142857 - 1.02*3.5
  //   = 206.84 - 94.285714 - 3.57 = 108.984286
  // as published (F = sentences per 100 words = 28.571429)
  //   = 206.84 - 94.285714 - 29.142857 = 83.411429
  // INFLESZ = 206.835 - 62.3*(11/7) - 3.5 = 206.835 - 97.9 - 3.5 = 105.435
  const ReadabilityScores s =
      measure_text("La casa es grande. El perro come.", TextLanguage::kSpanish);
  EXPECT_EQ(s.counts.sentences, 2);
  EXPECT_EQ(s.counts.words, 7);
  EXPECT_EQ(s.counts.syllables, 11);
  EXPECT_NEAR(s.fernandez_huerta, 108.984286, 1e-5);
  EXPECT_NEAR(s.fernandez_huerta_as_published, 83.411429, 1e-5);
  EXPECT_NEAR(s.szigriszt_pazos, 105.435, 1e-9);
}

TEST(Scores, EmptyTextIsInvalid) {
  const ReadabilityScores s = measure_text("  \n - \n", TextLanguage::kEnglish);
  EXPECT_FALSE(s.valid);
  EXPECT_EQ(s.counts.words, 0);
  EXPECT_EQ(s.fk_grade, 0);
}

TEST(DocumentProse, LeavesOutAllHeadings) {
  auto loaded = load_document(std::string(EXPLAINER_SOURCE_DIR) +
                              "/engine/content/testdata/valid/content/en/bone_spot.md");
  ASSERT_TRUE(loaded.ok());
  const std::string prose = document_prose(*loaded.document);
  EXPECT_EQ(prose.find("Common questions"), std::string::npos);
  EXPECT_EQ(prose.find("Is this serious?"), std::string::npos);
  EXPECT_NE(prose.find("Often it is not."), std::string::npos);
  // List items are their own lines, so they count as sentences.
  EXPECT_NE(prose.find("\nTalk with your care team about the result.\n"), std::string::npos);
  const ReadabilityScores scores = measure_document(*loaded.document);
  EXPECT_TRUE(scores.valid);
  EXPECT_LE(scores.fk_grade, 8.0);
  EXPECT_EQ(scores.counts.words, measure_text(prose, TextLanguage::kEnglish).counts.words);
}

}  // namespace
}  // namespace explainer::content
