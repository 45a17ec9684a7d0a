// main.cpp - the edigate command line: argument parsing and dispatch only.
#include <fmt/format.h>
#include <malloc.h>

#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
    using namespace edigate::cli;
    // Message trees are built and dropped one after another; glibc's default would hand the
    // freed heap back to the kernel after every message and fault it in again for the next.
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    CLI::App app{"edigate - UN/EDIFACT and XML translator and gateway for the port single window"};
    app.set_version_flag("--version", "edigate 0.1.0");
    app.require_subcommand(1);
    app.footer("Exit codes: 0 all inputs valid, 1 some input has errors, 2 usage error, 3 I/O or internal failure.\n"
               "Run 'edigate COMMAND --help' for the options of one command.");
    int exit = exit_ok;
    add_validate(app, exit);
    add_parse(app, exit);
    add_codes(app, exit);
    add_directory(app, exit);
    add_ack(app, exit);
    add_schemas(app, exit);
    add_translate(app, exit);
    add_diff(app, exit);
    add_run(app, exit);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "edigate: internal error: {}\n", e.what());
        return exit_failure;
    }
    return exit;
}
