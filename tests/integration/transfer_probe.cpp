// transfer_probe - a test driver for the transfer module: sends files to one SFTP or HTTPS
// endpoint over one session and prints what became of each as a JSON line, then
// {"connections": N}. Used by tests/integration/{sftp,https}_test.py against real servers on
// loopback.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "edigate/transfer/https.hpp"
#include "edigate/transfer/sftp.hpp"

namespace {

std::string contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

void print(const std::string& name, const edigate::transfer::upload_result& r) {
    std::cout << nlohmann::json{{"name", name}, {"outcome", std::string(to_string(r.result))}, {"curl", r.curl_code},
                                {"already_there", r.already_there}, {"http", r.http_status}, {"retry_after", r.retry_after.count()},
                                {"text", r.text}}.dump()
              << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("send files over one session of a transfer channel; prints one JSON line per file");
    app.require_subcommand(1);
    std::vector<std::string> uploads;
    long connect = 5, timeout = 30;

    edigate::transfer::sftp_endpoint se;
    auto* sftp = app.add_subcommand("sftp", "NAME=LOCAL_FILE ...");
    sftp->add_option("--host", se.host);
    sftp->add_option("--port", se.port)->required();
    sftp->add_option("--user", se.user)->required();
    sftp->add_option("--key", se.private_key)->required();
    sftp->add_option("--known-hosts", se.known_hosts)->required();
    sftp->add_option("--folder", se.folder)->required();
    sftp->add_option("uploads", uploads)->required();

    edigate::transfer::https_endpoint he;
    auto* https = app.add_subcommand("https", "NAME=LOCAL_FILE[=IDEMPOTENCY_KEY] ... (the key defaults to the name)");
    https->add_option("--url", he.url)->required();
    https->add_option("--method", he.method);
    https->add_option("--ca", he.ca_file);
    https->add_option("--cert", he.client_cert);
    https->add_option("--key", he.client_key);
    https->add_option("--user", he.user);
    https->add_option("--password-file", he.password_file);
    https->add_option("--timeout", timeout);
    https->add_option("uploads", uploads)->required();
    for (auto* sub : {sftp, https}) sub->add_option("--connect-timeout", connect);
    CLI11_PARSE(app, argc, argv);

    std::int64_t connections = 0;
    if (sftp->parsed()) {
        se.connect_timeout = std::chrono::seconds(connect);
        edigate::transfer::sftp_session session(se);
        for (const auto& u : uploads) {
            auto eq = u.find('=');
            print(u.substr(0, eq), session.upload(u.substr(0, eq), contents(u.substr(eq + 1))));
        }
        connections = session.connections();
    } else {
        he.connect_timeout = std::chrono::seconds(connect);
        he.timeout = std::chrono::seconds(timeout);
        edigate::transfer::https_client client(he);
        for (const auto& u : uploads) {
            auto eq = u.find('=');
            auto eq2 = u.find('=', eq + 1);
            std::string name = u.substr(0, eq), file = u.substr(eq + 1, eq2 == std::string::npos ? std::string::npos : eq2 - eq - 1);
            print(name, client.send(name, contents(file), eq2 == std::string::npos ? name : u.substr(eq2 + 1)));
        }
        connections = client.connections();
    }
    std::cout << nlohmann::json{{"connections", connections}}.dump() << std::endl;
    return 0;
}
