// explainer_letter_tool FILE [options]: the same as `explainer letter`, for the PDF test
// (tests/letter) in builds without engine/app.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "letter/letter_command.h"

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return explainer::letter::run_letter_command(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "explainer letter: " << e.what() << "\n";
    return 1;
  }
}
