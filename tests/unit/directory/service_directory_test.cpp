// service_directory_test.cpp - the CONTRL service directory built from the embedded syntax tables.
#include <catch2/catch.hpp>

#include "edigate/directory/catalog.hpp"

using namespace edigate;

TEST_CASE("service directory: CONTRL structure and UC segments per syntax version", "[directory][service]") {
    for (int v : {1, 2, 3, 4}) {
        auto d = directory::directory::service(v);
        INFO("syntax version " << v);
        const auto* m = d->message("CONTRL");
        REQUIRE(m);
        CHECK(m->agency == "UN");
        CHECK(m->version == (v == 4 ? "4" : v == 3 ? "D" : "2"));
        CHECK(m->release == (v == 4 ? "1" : v == 3 ? "3" : "2"));
        CHECK(m->name.find("Syntax and service report message") == 0);
        REQUIRE(m->body.size() == 5);  // UNH UCI SG1 SG3 UNT
        CHECK(m->body[0].tag == "UNH");
        CHECK(m->body[1].tag == "UCI");
        CHECK(m->body[1].mandatory);
        const auto& sg1 = m->body[2];
        CHECK(sg1.group == 1);
        CHECK(sg1.max_repeat == 999999);
        CHECK_FALSE(sg1.mandatory);
        REQUIRE(sg1.children.size() == 2);
        CHECK(sg1.children[0].tag == "UCM");
        const auto& sg2 = sg1.children[1];
        CHECK(sg2.group == 2);
        CHECK(sg2.max_repeat == 999);
        REQUIRE(sg2.children.size() == 2);
        CHECK(sg2.children[1].tag == "UCD");
        CHECK(sg2.children[1].max_repeat == 99);
        CHECK(sg2.children[1].definition == d->segment("UCD"));
        const auto& sg3 = m->body[3];
        CHECK(sg3.group == 3);
        CHECK(sg3.first_tag() == "UCF");
        CHECK(sg3.children.at(1).children.at(1).group == 5);
        CHECK(m->body[4].tag == "UNT");
        CHECK(d->message_types() == std::vector<std::string>{"CONTRL"});

        const auto* uci = d->segment("UCI");
        REQUIRE(uci);
        REQUIRE(uci->elements.size() == (v == 4 ? 9u : 7u));
        CHECK(uci->elements[1].code == "S002");
        CHECK(uci->elements[1].composite);
        CHECK(uci->elements[1].components.at(0).code == "0004");
        CHECK(uci->elements[1].components.at(0).format.max == 35);
        CHECK(uci->elements[3].code == "0083");
        CHECK(uci->elements[3].mandatory);
        const auto* ucd = d->segment("UCD");
        REQUIRE(ucd);
        CHECK(ucd->elements.at(1).components.at(0).code == "0098");
        CHECK(ucd->elements.at(1).components.at(0).format.type == directory::repr::kind::n);
        CHECK(d->element("0096"));
        CHECK(d->composite("S011"));
        CHECK(d->segment("UNB"));
    }
}

TEST_CASE("catalog::service keeps one service directory per version", "[directory][service]") {
    directory::catalog cat({});
    const auto& a = cat.service(3);
    CHECK(&a == &cat.service(3));
    CHECK(&cat.service(0) == &a);  // unreadable versions: version 3
    CHECK(cat.service(4).message("CONTRL")->version == "4");
}
