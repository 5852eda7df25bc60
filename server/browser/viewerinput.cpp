// SPDX-License-Identifier: MIT
#include "viewerinput.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

constexpr size_t kMaxTextBytes = 64 * 1024;

/// Reads the members of one message with the type each must have. nlohmann's value() throws on
/// a member of another type, which in a Qt slot would end the whole server; here the first
/// wrong member makes the message an error instead. Absent members take the documented default.
class MessageReader
{
public:
    explicit MessageReader(const Json &message)
        : m_message(message)
    {}

    const QString &error() const { return m_error; }

    std::string text(const char *key, std::string fallback = {})
    {
        const Json *v = member(key);
        if (!v)
            return fallback;
        if (!v->is_string()) {
            fail(key, u"expected a string"_s);
            return fallback;
        }
        return v->get<std::string>();
    }

    double number(const char *key)
    {
        const Json *v = member(key);
        if (!v)
            return 0.0;
        if (!v->is_number()) {
            fail(key, u"expected a number"_s);
            return 0.0;
        }
        return v->get<double>();
    }

    /// An int member; a fraction is cut as before (1.9 → 1), a value outside int is an error.
    int integer(const char *key)
    {
        const double value = number(key);
        if (!(value >= double(std::numeric_limits<int>::min()) &&
              value <= double(std::numeric_limits<int>::max()))) {
            fail(key, u"out of range"_s);
            return 0;
        }
        return int(value);
    }

private:
    const Json *member(const char *key) const
    {
        const auto it = m_message.find(key);
        return it == m_message.end() ? nullptr : &*it;
    }

    void fail(const char *key, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = QLatin1StringView(key) + u": "_s + message;
    }

    const Json &m_message;
    QString m_error;
};

} // namespace

Expected<ViewerInput, QString> parseViewerInput(QByteArrayView utf8)
{
    using Result = Expected<ViewerInput, QString>;
    const auto parsed = parseJson(utf8.toByteArray());
    if (!parsed)
        return Result::failure(parsed.error());
    if (!parsed->is_object())
        return Result::failure(u"not an object"_s);
    MessageReader m(*parsed);
    const std::string type = m.text("type");
    const int modifiers = m.integer("modifiers") & 0xF;
    if (type == "mouse") {
        static const std::map<std::string, std::string> kEvents = {{"move", "mouseMoved"},
                                                                   {"down", "mousePressed"},
                                                                   {"up", "mouseReleased"},
                                                                   {"wheel", "mouseWheel"}};
        static const std::set<std::string> kButtons = {"none", "left", "middle", "right", "back", "forward"};
        const auto event = kEvents.find(m.text("event"));
        const std::string button = m.text("button", "none");
        Json params = {{"x", m.number("x")},
                       {"y", m.number("y")},
                       {"button", button},
                       {"buttons", m.integer("buttons") & 0x1F},
                       {"clickCount", std::clamp(m.integer("clickCount"), 0, 3)},
                       {"modifiers", modifiers}};
        if (event != kEvents.end() && event->second == "mouseWheel") {
            params["deltaX"] = m.number("deltaX");
            params["deltaY"] = m.number("deltaY");
        }
        if (!m.error().isEmpty())
            return Result::failure(u"mouse: "_s + m.error());
        if (event == kEvents.end())
            return Result::failure(u"mouse: unknown event"_s);
        if (!kButtons.contains(button))
            return Result::failure(u"mouse: unknown button"_s);
        params["type"] = event->second;
        return ViewerInput{u"Input.dispatchMouseEvent"_s, std::move(params)};
    }
    if (type == "key") {
        const std::string event = m.text("event");
        const std::string text = m.text("text");
        Json params = {{"key", m.text("key")},
                       {"code", m.text("code")},
                       {"windowsVirtualKeyCode", m.integer("keyCode")},
                       {"modifiers", modifiers}};
        if (!m.error().isEmpty())
            return Result::failure(u"key: "_s + m.error());
        if (event != "down" && event != "up")
            return Result::failure(u"key: unknown event"_s);
        params["type"] = event == "up" ? "keyUp" : (text.empty() ? "rawKeyDown" : "keyDown");
        if (!text.empty() && event == "down")
            params["text"] = text;
        return ViewerInput{u"Input.dispatchKeyEvent"_s, std::move(params)};
    }
    if (type == "text") {
        const std::string text = m.text("text");
        if (!m.error().isEmpty())
            return Result::failure(u"text: "_s + m.error());
        if (text.empty() || text.size() > kMaxTextBytes)
            return Result::failure(u"text: empty or longer than 64 KiB"_s);
        return ViewerInput{u"Input.insertText"_s, Json{{"text", text}}};
    }
    if (!m.error().isEmpty())
        return Result::failure(m.error());
    return Result::failure(u"unknown type"_s);
}

} // namespace banata::server
