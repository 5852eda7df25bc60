// SPDX-License-Identifier: MIT
// Fuzz target `viewer_input`: the messages a viewer page sends on its WebSocket (mouse, wheel,
// keys, typed and pasted text), as banata-local turns them into CDP input. The page is a browser
// tab anyone holding a viewer URL can script, so any bytes may arrive.
// Invariants: no crash, exception or UB; a refused message has a short reason; an accepted one
// is exactly one of the three CDP input methods with parameters inside the documented ranges.
#include "fuzzcheck.h"
#include "server/browser/viewerinput.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {

bool isIntIn(const Json &value, qint64 low, qint64 high)
{
    return value.is_number_integer() && value.get<qint64>() >= low && value.get<qint64>() <= high;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto input = parseViewerInput(fuzz::bytes(data, size));
    if (!input) {
        fuzz::checkError(input.error());
        return 0;
    }
    const Json &params = input->params;
    FUZZ_CHECK(params.is_object());
    if (input->method == u"Input.dispatchMouseEvent") {
        FUZZ_CHECK(isIntIn(params.at("modifiers"), 0, 15));
        FUZZ_CHECK(isIntIn(params.at("buttons"), 0, 31));
        FUZZ_CHECK(isIntIn(params.at("clickCount"), 0, 3));
        FUZZ_CHECK(params.at("x").is_number() && params.at("y").is_number());
        FUZZ_CHECK(params.at("button").is_string());
    } else if (input->method == u"Input.dispatchKeyEvent") {
        FUZZ_CHECK(isIntIn(params.at("modifiers"), 0, 15));
        FUZZ_CHECK(params.at("key").is_string() && params.at("code").is_string());
        FUZZ_CHECK(params.at("windowsVirtualKeyCode").is_number_integer());
    } else {
        FUZZ_CHECK(input->method == u"Input.insertText");
        const Json &text = params.at("text");
        FUZZ_CHECK(text.is_string() && !text.get_ref<const std::string &>().empty());
        FUZZ_CHECK(text.get_ref<const std::string &>().size() <= 64 * 1024);
    }
    // What goes to Chromium is well-formed JSON.
    (void)fuzz::reparsed(params);
    return 0;
}
