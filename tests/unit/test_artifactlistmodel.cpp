// SPDX-License-Identifier: MIT
// The Files tab's artifacts: newest first, one row per key (kept again: it moves up), and what
// each column shows.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "models/artifactlistmodel.h"
#include "models/metatypes.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
Artifact artifact(const QString &key, qint64 createdAt, const QString &origin = u"api"_s,
                  qint64 size = 42 * 1024)
{
    Artifact a;
    a.key = key;
    a.sandboxId = u"sb"_s;
    a.name = key.section(u'/', -1);
    a.contentType = u"application/pdf"_s;
    a.sizeBytes = size;
    a.sha256 = u"ab12"_s;
    a.createdAt = createdAt;
    a.sourcePath = u"/workspace/"_s + a.name;
    a.origin = origin;
    return a;
}

QStringList keys(const ArtifactListModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data(ArtifactListModel::KeyRole).toString());
    return out;
}
} // namespace

class TestArtifactListModel : public QObject
{
    Q_OBJECT

private slots:
    void newestFirstOneRowPerKey()
    {
        ArtifactListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setArtifacts({artifact(u"a.pdf"_s, 100), artifact(u"c.pdf"_s, 300), artifact(u"b.pdf"_s, 200),
                            artifact(u"a.pdf"_s, 100)});
        QCOMPARE(keys(model), (QStringList{u"c.pdf"_s, u"b.pdf"_s, u"a.pdf"_s}));
        QCOMPARE(model.rowOf(u"b.pdf"_s), 1);
        QCOMPARE(model.artifactAt(2)->key, u"a.pdf"_s);
        QVERIFY(!model.artifactAt(-1));
    }

    void keptAgainMovesUp()
    {
        ArtifactListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setArtifacts({artifact(u"a.pdf"_s, 100), artifact(u"b.pdf"_s, 200)});
        model.upsert(artifact(u"a.pdf"_s, 300, u"api"_s, 7));
        QCOMPARE(keys(model), (QStringList{u"a.pdf"_s, u"b.pdf"_s}));
        QCOMPARE(model.index(0, 0).data(ArtifactListModel::SizeRole).toLongLong(), 7);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        Artifact renamed = artifact(u"b.pdf"_s, 200);
        renamed.name = u"Report.pdf"_s;
        model.upsert(renamed);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1, ArtifactListModel::NameColumn).data().toString(), u"Report.pdf"_s);
        model.upsert(artifact(u"new/c.pdf"_s, 150));
        QCOMPARE(keys(model), (QStringList{u"a.pdf"_s, u"b.pdf"_s, u"new/c.pdf"_s}));
    }

    void columnsForPeople()
    {
        ArtifactListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setArtifacts({artifact(u"out/report.pdf"_s, 1772078705353, u"document"_s)});
        const QModelIndex name = model.index(0, ArtifactListModel::NameColumn);
        QCOMPARE(name.data().toString(), u"report.pdf"_s);
        QVERIFY(name.data(Qt::ToolTipRole).toString().contains(u"/workspace/report.pdf"_s));
        QCOMPARE(model.index(0, ArtifactListModel::SizeColumn).data().toString(), u"42 KB"_s);
        QVERIFY(
            model.index(0, ArtifactListModel::CreatedColumn).data().toString().startsWith(u"2026-02-2"_s));
        QCOMPARE(model.index(0, ArtifactListModel::OriginColumn).data().toString(), u"Converted document"_s);
        QCOMPARE(name.data(ArtifactListModel::ContentTypeRole).toString(), u"application/pdf"_s);
        QCOMPARE(name.data(ArtifactListModel::ArtifactRole).value<Artifact>().key, u"out/report.pdf"_s);
        QCOMPARE(model.headerData(ArtifactListModel::OriginColumn, Qt::Horizontal).toString(), u"Origin"_s);
    }
};

QTEST_GUILESS_MAIN(TestArtifactListModel)
#include "test_artifactlistmodel.moc"
