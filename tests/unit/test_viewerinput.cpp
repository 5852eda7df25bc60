// SPDX-License-Identifier: MIT
// The viewer page's input messages as banata-local turns them into CDP input: the documented
// mouse, key and text messages, and hostile ones (wrong member types, huge numbers), which are
// refused with a reason instead of throwing (an exception in the session's slot ended the server).
#include <QTest>

#include "server/browser/viewerinput.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

class TestViewerInput : public QObject
{
    Q_OBJECT

private slots:
    void mouseBecomesDispatchMouseEvent()
    {
        const auto input = parseViewerInput(
            R"({"type":"mouse","event":"down","x":10.5,"y":20,"button":"left","buttons":1,"clickCount":9,"modifiers":18})");
        QVERIFY2(input.ok(), qPrintable(input.ok() ? QString() : input.error()));
        QCOMPARE(input->method, u"Input.dispatchMouseEvent"_s);
        const Json expected = {{"type", "mousePressed"}, {"x", 10.5},    {"y", 20.0},
                               {"button", "left"},       {"buttons", 1}, {"clickCount", 3},
                               {"modifiers", 2}};
        QCOMPARE(dumpJson(input->params), dumpJson(expected));
    }

    void wheelCarriesDeltas()
    {
        const auto input = parseViewerInput(R"({"type":"mouse","event":"wheel","x":1,"y":2,"deltaY":-120})");
        QVERIFY(input.ok());
        QVERIFY(input->params.at("type") == Json("mouseWheel"));
        QCOMPARE(input->params.at("deltaY").get<double>(), -120.0);
        QCOMPARE(input->params.at("deltaX").get<double>(), 0.0);
    }

    void keysAndText()
    {
        const auto down = parseViewerInput(
            R"({"type":"key","event":"down","key":"a","code":"KeyA","keyCode":65,"text":"a"})");
        QVERIFY(down.ok());
        QCOMPARE(down->method, u"Input.dispatchKeyEvent"_s);
        QVERIFY(down->params.at("type") == Json("keyDown"));
        QVERIFY(down->params.at("text") == Json("a"));
        const auto raw =
            parseViewerInput(R"({"type":"key","event":"down","key":"Enter","code":"Enter","keyCode":13})");
        QVERIFY(raw.ok());
        QVERIFY(raw->params.at("type") == Json("rawKeyDown"));
        const auto text = parseViewerInput(R"({"type":"text","text":"Grüße 🙂"})");
        QVERIFY(text.ok());
        QCOMPARE(text->method, u"Input.insertText"_s);
        QVERIFY(text->params.at("text") == Json("Grüße 🙂"));
    }

    void hostileMessagesAreRefusedWithAReason_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << "{"_ba << u"malformed JSON"_s;
        QTest::newRow("not an object") << "[1]"_ba << u"not an object"_s;
        QTest::newRow("unknown type") << R"({"type":"scroll"})"_ba << u"unknown type"_s;
        QTest::newRow("unknown event") << R"({"type":"mouse","event":"fly"})"_ba << u"mouse: unknown event"_s;
        QTest::newRow("unknown button")
            << R"({"type":"mouse","event":"down","button":"thumb"})"_ba << u"mouse: unknown button"_s;
        QTest::newRow("empty text") << R"({"type":"text","text":""})"_ba
                                    << u"text: empty or longer than 64 KiB"_s;
        // Found by fuzzing (tests/fuzz/regressions/viewer_input): each of these threw a
        // nlohmann::type_error out of ViewerSession's slot, or converted a double out of int range.
        QTest::newRow("type a number") << R"({"type":8})"_ba << u"type: expected a string"_s;
        QTest::newRow("x a string") << R"({"type":"mouse","event":"move","x":"12"})"_ba
                                    << u"mouse: x: expected a number"_s;
        QTest::newRow("modifiers null") << R"({"type":"key","event":"down","modifiers":null})"_ba
                                        << u"key: modifiers: expected a number"_s;
        QTest::newRow("clickCount huge")
            << R"({"type":"mouse","event":"down","button":"left","clickCount":1e300})"_ba
            << u"mouse: clickCount: out of range"_s;
        QTest::newRow("text an array")
            << R"({"type":"text","text":["a"]})"_ba << u"text: text: expected a string"_s;
    }
    void hostileMessagesAreRefusedWithAReason()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, error);
        const auto input = parseViewerInput(message);
        QVERIFY(!input.ok());
        QCOMPARE(input.error(), error);
    }
};

QTEST_GUILESS_MAIN(TestViewerInput)
#include "test_viewerinput.moc"
