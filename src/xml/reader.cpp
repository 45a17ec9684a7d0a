// reader.cpp - Xerces-C++ SAX2 into core::node (see reader.hpp).
#include "edigate/xml/reader.hpp"

#include <fmt/format.h>
#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/TransService.hpp>
#include <xercesc/util/XMLString.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace edigate::xml {

namespace x = xercesc;

namespace {

std::string utf8(const XMLCh* s) {
    if (!s) return {};
    x::TranscodeToStr t(s, "UTF-8");
    return std::string(reinterpret_cast<const char*>(t.str()), t.length());
}

void init_once() {
    static std::once_flag once;
    std::call_once(once, [] { x::XMLPlatformUtils::Initialize(); });
}

struct too_deep {};
struct doctype {};

class tree_handler final : public x::DefaultHandler {
public:
    explicit tree_handler(std::size_t max_depth) : max_depth_(max_depth) {}

    void startElement(const XMLCh*, const XMLCh* local, const XMLCh*, const x::Attributes& attrs) override {
        if (stack_.size() >= max_depth_) throw too_deep{};
        core::node n(utf8(local));
        for (XMLSize_t i = 0; i < attrs.getLength(); ++i) n.set_attribute(utf8(attrs.getLocalName(i)), utf8(attrs.getValue(i)));
        if (stack_.empty()) {
            root_ = std::move(n);
            stack_.push_back(&root_);
        } else {
            stack_.back()->children.push_back(std::move(n));
            stack_.push_back(&stack_.back()->children.back());
        }
    }
    void endElement(const XMLCh*, const XMLCh*, const XMLCh*) override {
        core::node* n = stack_.back();
        if (!n->children.empty() && n->value.find_first_not_of(" \t\r\n") == std::string::npos) n->value.clear();
        stack_.pop_back();
    }
    void characters(const XMLCh* chars, const XMLSize_t length) override {
        if (stack_.empty()) return;
        std::u16string_view v(reinterpret_cast<const char16_t*>(chars), length);
        std::vector<XMLCh> buf(v.begin(), v.end());
        buf.push_back(0);
        stack_.back()->value += utf8(buf.data());
    }
    void startDTD(const XMLCh*, const XMLCh*, const XMLCh*) override { throw doctype{}; }
    void fatalError(const x::SAXParseException& e) override { throw e; }
    void error(const x::SAXParseException& e) override { throw e; }

    core::node root_;

private:
    std::size_t max_depth_;
    std::vector<core::node*> stack_;
};

}  // namespace

std::optional<core::node> read_file(const std::filesystem::path& file, core::diagnostic& problem, read_options options) {
    init_once();
    problem = core::diagnostic{};
    problem.code = "EDI-X001";
    std::unique_ptr<x::SAX2XMLReader> parser(x::XMLReaderFactory::createXMLReader());
    parser->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
    parser->setFeature(x::XMLUni::fgSAX2CoreValidation, false);
    parser->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
    parser->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    parser->setFeature(x::XMLUni::fgXercesLoadSchema, false);
    tree_handler h(options.max_depth);
    parser->setContentHandler(&h);
    parser->setErrorHandler(&h);
    parser->setLexicalHandler(&h);  // refuses a DOCTYPE (startDTD)
    x::SecurityManager security;
    security.setEntityExpansionLimit(100);
    parser->setProperty(x::XMLUni::fgXercesSecurityManager, &security);
    try {
        std::string name = file.string();
        std::unique_ptr<XMLCh[], void (*)(XMLCh*)> path(x::XMLString::transcode(name.c_str()), [](XMLCh* p) { x::XMLString::release(&p); });
        x::LocalFileInputSource source(path.get());
        parser->parse(source);
    } catch (const x::SAXParseException& e) {
        problem.where.byte = 0;
        problem.text = fmt::format("line {}, column {}: {}", e.getLineNumber(), e.getColumnNumber(), utf8(e.getMessage()));
        return std::nullopt;
    } catch (const x::XMLException& e) {
        problem.text = utf8(e.getMessage());
        return std::nullopt;
    } catch (const doctype&) {
        problem.text = "the document has a DOCTYPE; DTDs and entity declarations are refused";
        return std::nullopt;
    } catch (const too_deep&) {
        problem.text = fmt::format("elements nested deeper than {}", options.max_depth);
        return std::nullopt;
    }
    return std::move(h.root_);
}

}  // namespace edigate::xml
