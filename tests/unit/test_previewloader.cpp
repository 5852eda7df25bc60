// SPDX-License-Identifier: MIT
// How the Files tab decides what a preview shows, before and after fetching: the kind from the
// name and the first bytes, the cap that keeps memory bounded, "too large" from the listed size
// alone, JSON pretty-printed in its own key order, and invalid JSON shown as text with the reason.
#include <QTest>

#include "session/previewloader.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
FilePreview base(const QString &path, qint64 size)
{
    FilePreview preview;
    preview.path = path;
    preview.size = size;
    return preview;
}

FilePreview decided(const QString &name, const QByteArray &bytes, bool overCap = false)
{
    const PreviewLoader::Plan plan = PreviewLoader::plan(name, bytes.size());
    return PreviewLoader::decide(base(u"/workspace/"_s + name, bytes.size()), name, plan, bytes, overCap);
}
} // namespace

class TestPreviewLoader : public QObject
{
    Q_OBJECT

private slots:
    void plansByNameAndSize()
    {
        PreviewLoader::Plan plan = PreviewLoader::plan(u"photo.PNG"_s, 1000);
        QCOMPARE(plan.guess, FilePreview::Kind::Image);
        QCOMPARE(plan.cap, FilePreview::kImageLimit);
        QVERIFY(!plan.sniff);
        QVERIFY(!plan.tooLarge);
        QVERIFY(PreviewLoader::plan(u"scan.pdf"_s, FilePreview::kPdfLimit + 1).tooLarge);
        QVERIFY(!PreviewLoader::plan(u"scan.pdf"_s, FilePreview::kPdfLimit).tooLarge);
        QVERIFY(PreviewLoader::plan(u"app.log"_s, FilePreview::kTextLimit + 1).tooLarge);
        QCOMPARE(PreviewLoader::plan(u"data.json"_s, 10).guess, FilePreview::Kind::Json);
        QCOMPARE(PreviewLoader::plan(u"main.cpp"_s, 10).guess, FilePreview::Kind::Text);
        QCOMPARE(PreviewLoader::plan(u"run.sh"_s, 10).guess, FilePreview::Kind::Text);
        // Binary or unknown by name: the first bytes decide, and a big one only needs its head.
        plan = PreviewLoader::plan(u"archive.zip"_s, 1ll << 30);
        QVERIFY(!plan.tooLarge);
        QVERIFY(plan.sniff);
        QCOMPARE(plan.cap, FilePreview::kBinaryHead);
        QCOMPARE(PreviewLoader::plan(u"Makefile-ish"_s, 100).cap, FilePreview::kTextLimit);
        QCOMPARE(PreviewLoader::plan(u"unknown-size"_s, -1).cap, FilePreview::kTextLimit);
    }

    void decidesByContent()
    {
        FilePreview text = decided(u"notes"_s, "just words\n"_ba);
        QCOMPARE(text.kind, FilePreview::Kind::Text);
        QCOMPARE(text.text, u"just words\n"_s);

        QByteArray binary(10000, 'a');
        binary[5] = '\0';
        FilePreview blob = decided(u"notes.txt"_s, binary); // a .txt holding a NUL is not text
        QCOMPARE(blob.kind, FilePreview::Kind::Binary);
        QCOMPARE(blob.bytes.size(), FilePreview::kBinaryHead);

        FilePreview tooLarge = decided(u"notes"_s, QByteArray(100, 'x'), true);
        QCOMPARE(tooLarge.kind, FilePreview::Kind::TooLarge);
        QCOMPARE(tooLarge.limit, FilePreview::kTextLimit);

        const QByteArray pngHead = QByteArray::fromHex("89504e470d0a1a0a0000000d49484452");
        FilePreview png = decided(u"no-extension"_s, pngHead);
        QCOMPARE(png.kind, FilePreview::Kind::Image);
        QCOMPARE(png.mimeType, u"image/png"_s);
        FilePreview pdf = decided(u"paper.pdf"_s, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"_ba, true);
        QCOMPARE(pdf.kind, FilePreview::Kind::TooLarge);
        QCOMPARE(pdf.limit, FilePreview::kPdfLimit);
    }

    void prettyJsonOrInvalidAsText()
    {
        FilePreview json = decided(u"x.json"_s, R"({"b":[1,2.5,"s"],"a":{}})"_ba);
        QCOMPARE(json.kind, FilePreview::Kind::Json);
        QCOMPARE(json.text, u"{\n  \"b\": [\n    1,\n    2.5,\n    \"s\"\n  ],\n  \"a\": {}\n}"_s);
        QVERIFY(json.error.isEmpty());

        FilePreview broken = decided(u"x.json"_s, "{\n  \"a\": tru\n}"_ba);
        QCOMPARE(broken.kind, FilePreview::Kind::Text);
        QCOMPARE(broken.text, u"{\n  \"a\": tru\n}"_s);
        QVERIFY2(broken.error.startsWith(u"parse error at line "_s), qPrintable(broken.error)); // says where

        FilePreview big = decided(u"x.json"_s, "[9007199254740993]"_ba);
        QCOMPARE(big.kind, FilePreview::Kind::Json); // integers are not rounded to doubles
        QCOMPARE(big.text, u"[\n  9007199254740993\n]"_s);
    }

    void binaryHeuristics()
    {
        QVERIFY(PreviewLoader::looksBinary(QByteArrayView("a\0b", 3)));
        QVERIFY(!PreviewLoader::looksBinary("tabs\tand\nnewlines\r\n\x1b[0mcolour"));
        QVERIFY(!PreviewLoader::looksBinary("h\xc3\xa9llo"));
        QByteArray controls(200, 'a');
        controls[10] = '\x01';
        controls[20] = '\x02';
        controls[30] = '\x03';
        QVERIFY(PreviewLoader::looksBinary(controls));
    }
};

QTEST_GUILESS_MAIN(TestPreviewLoader)
#include "test_previewloader.moc"
