// sftp_probe - a test driver for transfer::sftp_session: uploads files to one SFTP endpoint over
// one session and prints what became of each as a JSON line, then {"connections": N}. Used by
// tests/integration/sftp_test.py against a real sshd on loopback.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "edigate/transfer/sftp.hpp"

int main(int argc, char** argv) {
    CLI::App app("upload files over one SFTP session; prints one JSON line per file");
    edigate::transfer::sftp_endpoint e;
    std::vector<std::string> uploads;
    long connect = 15, low_time = 60;
    app.add_option("--host", e.host);
    app.add_option("--port", e.port)->required();
    app.add_option("--user", e.user)->required();
    app.add_option("--key", e.private_key)->required();
    app.add_option("--pub", e.public_key);
    app.add_option("--known-hosts", e.known_hosts)->required();
    app.add_option("--folder", e.folder)->required();
    app.add_option("--connect-timeout", connect);
    app.add_option("--low-speed-time", low_time);
    app.add_option("uploads", uploads, "NAME=LOCAL_FILE, in order")->required();
    CLI11_PARSE(app, argc, argv);
    e.connect_timeout = std::chrono::seconds(connect);
    e.low_speed_time = std::chrono::seconds(low_time);
    edigate::transfer::sftp_session session(e);
    for (const auto& u : uploads) {
        auto eq = u.find('=');
        std::ifstream in(u.substr(eq + 1), std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), {});
        auto r = session.upload(u.substr(0, eq), data);
        std::cout << nlohmann::json{{"name", u.substr(0, eq)}, {"outcome", std::string(to_string(r.result))}, {"curl", r.curl_code},
                                    {"already_there", r.already_there}, {"text", r.text}}.dump()
                  << std::endl;
    }
    std::cout << nlohmann::json{{"connections", session.connections()}}.dump() << std::endl;
    return 0;
}
