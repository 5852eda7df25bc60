// SPDX-License-Identifier: MIT
// Names from a server become local file names that stay inside the chosen folder and look like
// what they are: a table of hostile names, the numbering of "keep both", and a fuzz of invariants.
#include <QRandomGenerator>
#include <QTest>

#include "core/downloads/safefilename.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {

QString repeated(const QString &unit, int count)
{
    QString result;
    for (int i = 0; i < count; ++i)
        result += unit;
    return result;
}

qsizetype utf8Bytes(const QString &name)
{
    return name.toUtf8().size();
}

// What any result must be, whatever came in.
void verifyUsable(const QString &name, const QString &from)
{
    const QByteArray context = from.toUtf8().toHex();
    QVERIFY2(!name.isEmpty(), context.constData());
    QVERIFY2(name != u"." && name != u"..", context.constData());
    QVERIFY2(utf8Bytes(name) <= 255, context.constData());
    QVERIFY2(!name.startsWith(u'.') && !name.endsWith(u'.') && !name.startsWith(u' ') && !name.endsWith(u' '),
             context.constData());
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        QVERIFY2(c != u'/' && c != u'\\' && c.unicode() >= 0x20 && c.unicode() != 0x7F &&
                     c.unicode() != 0xFFFD,
                 context.constData());
        if (c.isHighSurrogate())
            QVERIFY2(i + 1 < name.size() && name.at(++i).isLowSurrogate(), context.constData());
        else
            QVERIFY2(!c.isLowSurrogate(), context.constData());
    }
    QCOMPARE(safeFileName(name), name); // already safe stays as it is
}

} // namespace

class TestSafeFileName : public QObject
{
    Q_OBJECT

private slots:
    void hostileNames_data()
    {
        QTest::addColumn<QString>("remote");
        QTest::addColumn<QString>("expected");

        QTest::newRow("plain") << u"report.pdf"_s << u"report.pdf"_s;
        QTest::newRow("unicode") << u"日本語 レポート.txt"_s << u"日本語 レポート.txt"_s;
        QTest::newRow("empty") << QString() << u"download"_s;
        QTest::newRow("dot") << u"."_s << u"download"_s;
        QTest::newRow("dot-dot") << u".."_s << u"download"_s;
        QTest::newRow("dots only") << u"....."_s << u"download"_s;
        QTest::newRow("root") << u"/"_s << u"download"_s;
        QTest::newRow("traversal") << u"../../etc/passwd"_s << u"passwd"_s;
        QTest::newRow("traversal to dot-dot") << u"a/b/.."_s << u"download"_s;
        QTest::newRow("absolute") << u"/abs"_s << u"abs"_s;
        QTest::newRow("workspace path") << u"/workspace/out/report.pdf"_s << u"report.pdf"_s;
        QTest::newRow("slash") << u"a/b"_s << u"b"_s;
        QTest::newRow("trailing slash") << u"/workspace/dir/"_s << u"dir"_s;
        QTest::newRow("backslash") << u"a\\b"_s << u"a_b"_s;
        QTest::newRow("windows traversal") << u"..\\..\\windows\\system.ini"_s << u"_.._windows_system.ini"_s;
        QTest::newRow("control chars") << u"a\u0001b\nc\td"_s << u"a_b_c_d"_s;
        QTest::newRow("NUL") << QStringView(u"a\0b.txt", 7).toString() << u"a_b.txt"_s;
        QTest::newRow("DEL and C1") << u"x\u007F\u0085y"_s << u"x__y"_s;
        QTest::newRow("U+FFFD") << u"bad\uFFFDname.txt"_s << u"bad_name.txt"_s;
        QTest::newRow("invalid UTF-8") << QString::fromUtf8("caf\xC3 \xFF.txt") << u"caf_ _.txt"_s;
        QTest::newRow("lone surrogate") << (u"a"_s + QChar(0xD800) + u"b"_s) << u"a_b"_s;
        QTest::newRow("bidi override") << u"invoice\u202Efdp.exe"_s << u"invoice_fdp.exe"_s;
        QTest::newRow("CON") << u"CON"_s << u"_CON"_s;
        QTest::newRow("con lower") << u"con"_s << u"_con"_s;
        QTest::newRow("nul.txt") << u"nul.txt"_s << u"_nul.txt"_s;
        QTest::newRow("COM1.tar.gz") << u"COM1.tar.gz"_s << u"_COM1.tar.gz"_s;
        QTest::newRow("LPT9") << u"lpt9.log"_s << u"_lpt9.log"_s;
        QTest::newRow("AUX space") << u"AUX .txt"_s << u"_AUX .txt"_s;
        QTest::newRow("not reserved: COM10") << u"COM10"_s << u"COM10"_s;
        QTest::newRow("not reserved: console") << u"console.log"_s << u"console.log"_s;
        QTest::newRow("leading dot") << u".bashrc"_s << u"bashrc"_s;
        QTest::newRow("leading spaces and dots") << u"  . hidden.txt"_s << u"hidden.txt"_s;
        QTest::newRow("trailing dots") << u"report.pdf..."_s << u"report.pdf"_s;
        QTest::newRow("trailing spaces") << u"report.pdf   "_s << u"report.pdf"_s;
        QTest::newRow("trailing dot space mix") << u"notes. . ."_s << u"notes"_s;
        QTest::newRow("inner dots kept") << u"v1.2.3 release.tar.gz"_s << u"v1.2.3 release.tar.gz"_s;

        // 150 × "é" (2 bytes each) + ".pdf": 304 bytes → cut the name, keep the extension.
        QTest::newRow("300-byte UTF-8 with extension")
            << repeated(u"é"_s, 150) + u".pdf"_s << repeated(u"é"_s, 125) + u".pdf"_s;
        QTest::newRow("300-byte ASCII with .tar.gz")
            << repeated(u"a"_s, 300) + u".tar.gz"_s << repeated(u"a"_s, 248) + u".tar.gz"_s;
        QTest::newRow("300-byte no extension") << repeated(u"a"_s, 300) << repeated(u"a"_s, 255);
        // 4-byte characters: never split a surrogate pair (63 × 4 = 252 bytes).
        QTest::newRow("300-byte emoji") << repeated(u"😀"_s, 80) << repeated(u"😀"_s, 63);
        QTest::newRow("3-byte chars with extension")
            << repeated(u"日"_s, 100) + u".txt"_s << repeated(u"日"_s, 83) + u".txt"_s;
        // An "extension" longer than 16 characters is part of the name.
        QTest::newRow("long fake extension")
            << repeated(u"a"_s, 250) + u"."_s + repeated(u"b"_s, 40) << repeated(u"a"_s, 250) + u".bbbb"_s;
        QTest::newRow("cut exposes trailing dots")
            << repeated(u"a"_s, 250) + u"......"_s + repeated(u"b"_s, 40) << repeated(u"a"_s, 250);
    }

    void hostileNames()
    {
        QFETCH(QString, remote);
        QFETCH(QString, expected);
        const QString safe = safeFileName(remote);
        QCOMPARE(safe, expected);
        verifyUsable(safe, remote);
    }

    void numbered_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("number");
        QTest::addColumn<QString>("expected");
        QTest::newRow("extension") << u"report.pdf"_s << 2 << u"report (2).pdf"_s;
        QTest::newRow("tar.gz") << u"data.tar.gz"_s << 1 << u"data (1).tar.gz"_s;
        QTest::newRow("TAR.GZ") << u"archive.TAR.GZ"_s << 3 << u"archive (3).TAR.GZ"_s;
        QTest::newRow("no extension") << u"dir"_s << 3 << u"dir (3)"_s;
        QTest::newRow("part file") << u"report.pdf.part"_s << 1 << u"report.pdf (1).part"_s;
        QTest::newRow("zip") << u"out.zip"_s << 12 << u"out (12).zip"_s;
        QTest::newRow("already numbered") << u"report (1).pdf"_s << 2 << u"report (1) (2).pdf"_s;
        QTest::newRow("fits 255 bytes")
            << repeated(u"a"_s, 251) + u".pdf"_s << 1 << repeated(u"a"_s, 247) + u" (1).pdf"_s;
    }

    void numbered()
    {
        QFETCH(QString, name);
        QFETCH(int, number);
        QFETCH(QString, expected);
        const QString result = numberedFileName(name, number);
        QCOMPARE(result, expected);
        QVERIFY(utf8Bytes(result) <= 255);
    }

    void anyInputGivesAUsableName()
    {
        // Random names from an alphabet rich in trouble: separators, dots, controls, surrogates.
        const QList<char16_t> alphabet = {u'a', u'Z',  u'.', u'.',   u' ',   u'/',   u'\\',  0,      1,
                                          0x1F, 0x7F,  0x85, 0xFFFD, 0x202E, 0xD83D, 0xDE00, 0xD800, 0xDC00,
                                          u'é', u'日', u'-', u'(',   u'C',   u'O',   u'N'};
        QRandomGenerator random(20240611);
        for (int round = 0; round < 5000; ++round) {
            QString name;
            const int length = int(random.bounded(0, round % 10 == 0 ? 400 : 24));
            for (int i = 0; i < length; ++i)
                name.append(QChar(alphabet.at(qsizetype(random.bounded(qsizetype(alphabet.size()))))));
            verifyUsable(safeFileName(name), name);
            if (QTest::currentTestFailed())
                return;
        }
    }
};

QTEST_GUILESS_MAIN(TestSafeFileName)
#include "test_safefilename.moc"
