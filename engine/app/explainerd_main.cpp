// explainerd: the Explainer service.
//
// A Poco ServerApplication: --daemon, --pidfile and --umask come from Poco; --config (repeatable,
// .properties or .json, later files override earlier ones), --check-config and --upgrade are ours.
// SIGTERM/SIGINT end waitForTerminationRequest(); Engine::stop() then drains in order.
#include <Poco/AutoPtr.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/JSONConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/ServerApplication.h>

#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "app/config.h"
#include "app/engine.h"
#include "core/log.h"

namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

class ExplainerDaemon final : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(Option("help", "h", "show the options and exit"));
    options.addOption(Option("config", "c", "configuration file (.properties or .json); repeatable")
                          .repeatable(true)
                          .argument("FILE"));
    options.addOption(Option("check-config", "", "validate configuration, mappings and content, then exit"));
    options.addOption(Option("upgrade", "", "migrate the store schema to this version's, then run"));
  }

  void handleOption(const std::string& name, const std::string& value) override {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
      help_ = true;
      stopOptionsProcessing();
    } else if (name == "config") {
      config_files_.push_back(value);
    } else if (name == "check-config") {
      check_only_ = true;
    } else if (name == "upgrade") {
      upgrade_ = true;
    }
  }

  int main(const std::vector<std::string>& args) override {
    if (help_) {
      Poco::Util::HelpFormatter help(options());
      help.setCommand(commandName());
      help.setUsage("--config=FILE [--config=FILE ...] [--check-config] [--upgrade] [--daemon --pidfile=FILE]");
      help.setHeader("Explainer service: enriches released imaging reports with patient explanations.");
      help.format(std::cout);
      return EXIT_OK;
    }
    if (!args.empty()) {
      std::cerr << "explainerd: unexpected argument '" << args.front() << "'\n";
      return EXIT_USAGE;
    }
    if (config_files_.empty()) {
      std::cerr << "explainerd: --config=FILE is required (see config/README.md)\n";
      return EXIT_USAGE;
    }
    explainer::app::EngineConfig config;
    try {
      Poco::AutoPtr<Poco::Util::LayeredConfiguration> files(new Poco::Util::LayeredConfiguration);
      int priority = 0;
      for (const auto& file : config_files_) {
        const std::string ext = Poco::toLower(Poco::Path(file).getExtension());
        if (ext == "json") {
          files->add(new Poco::Util::JSONConfiguration(file), --priority);
        } else {
          files->add(new Poco::Util::PropertyFileConfiguration(file), --priority);
        }
      }
      const auto unknown = explainer::app::unknown_keys(*files);
      if (!unknown.empty()) {
        for (const auto& key : unknown) std::cerr << "explainerd: unknown configuration key '" << key << "'\n";
        return EXIT_CONFIG;
      }
      const std::string dir = Poco::Path(Poco::Path(config_files_.front()).absolute()).parent().toString();
      config = explainer::app::load_engine_config(*files, dir);
    } catch (const explainer::app::ConfigError& e) {
      std::cerr << "explainerd: " << e.what() << "\n";
      return EXIT_CONFIG;
    } catch (const Poco::Exception& e) {
      std::cerr << "explainerd: cannot read configuration: " << e.displayText() << "\n";
      return EXIT_CONFIG;
    } catch (const std::exception& e) {
      std::cerr << "explainerd: cannot read configuration: " << e.what() << "\n";
      return EXIT_CONFIG;
    }

    try {
      explainer::core::init_logging({explainer::core::parse_severity(config.log_level), config.log_file});
    } catch (const std::exception& e) {
      std::cerr << "explainerd: " << e.what() << "\n";
      return EXIT_CANTCREAT;
    }
    auto log = explainer::core::make_logger("app");

    // SIGHUP reloads mappings and content. Block it before any thread starts so only the
    // reload thread below receives it (threads inherit the mask).
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, nullptr);
    // SIGTERM/SIGINT/SIGQUIT too: waitForTerminationRequest() blocks and sigwait()s them only
    // once the engine runs; blocked from here on, one that arrives while listeners are already
    // open stays pending for it instead of killing the process uncleanly.
    sigset_t termination;
    sigemptyset(&termination);
    for (int signal_number : {SIGTERM, SIGINT, SIGQUIT}) sigaddset(&termination, signal_number);
    pthread_sigmask(SIG_BLOCK, &termination, nullptr);

    explainer::app::Engine engine(config);
    std::string error;
    if (!engine.open(upgrade_, &error)) {
      EXPLAINER_LOG(log, fatal) << "startup_failed reason=\"" << error << "\"";
      std::cerr << "explainerd: " << error << "\n";
      return EXIT_CONFIG;
    }
    if (check_only_) {
      std::cout << "explainerd: configuration, mappings, content and store are valid\n";
      return EXIT_OK;
    }
    if (!engine.start(&error)) {
      EXPLAINER_LOG(log, fatal) << "startup_failed reason=\"" << error << "\"";
      std::cerr << "explainerd: " << error << "\n";
      engine.stop();
      return EXIT_SOFTWARE;
    }
    EXPLAINER_LOG(log, info) << "started " << engine.describe();
    std::atomic<bool> stopping{false};
    std::thread reloader([&] {
      try {
        while (!stopping.load()) {
          timespec poll{0, 200'000'000};
          siginfo_t info;
          if (sigtimedwait(&hup, &info, &poll) != SIGHUP) continue;
          std::string reload_error;
          if (engine.reload(&reload_error)) {
            EXPLAINER_LOG(log, info) << "reloaded mappings and content";
          } else {
            EXPLAINER_LOG(log, error) << "reload_failed keeping_previous=yes reason=\"" << reload_error << "\"";
          }
        }
      } catch (const std::exception& e) {
        EXPLAINER_LOG(log, error) << "reload_thread_failed reason=\"" << e.what() << "\"";
      }
    });
    waitForTerminationRequest();
    EXPLAINER_LOG(log, info) << "stopping";
    stopping = true;
    reloader.join();
    engine.stop();
    EXPLAINER_LOG(log, info) << "stopped";
    return EXIT_OK;
  }

 private:
  std::vector<std::string> config_files_;
  bool help_ = false;
  bool check_only_ = false;
  bool upgrade_ = false;
};

}  // namespace

POCO_SERVER_MAIN(ExplainerDaemon)
