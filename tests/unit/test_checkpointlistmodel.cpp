// SPDX-License-Identifier: MIT
// The Checkpoints tab's list: newest first whatever order the server or events bring them in,
// one row per checkpoint, and what each column shows.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "models/checkpointlistmodel.h"
#include "models/metatypes.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
Checkpoint checkpoint(const QString &id, qint64 createdAt, const QString &label = {}, qint64 size = 2048,
                      qint64 files = 3)
{
    Checkpoint c;
    c.id = id;
    c.sandboxId = u"sb"_s;
    c.label = label.isEmpty() ? std::nullopt : std::optional(label);
    c.createdAt = createdAt;
    c.sizeBytes = size;
    c.fileCount = files;
    return c;
}

QStringList ids(const CheckpointListModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data(CheckpointListModel::IdRole).toString());
    return out;
}
} // namespace

class TestCheckpointListModel : public QObject
{
    Q_OBJECT

private slots:
    void newestFirstOneRowEach()
    {
        CheckpointListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCheckpoints({checkpoint(u"c1"_s, 100), checkpoint(u"c3"_s, 300), checkpoint(u"c2"_s, 200),
                              checkpoint(u"c1"_s, 100)});
        QCOMPARE(ids(model), (QStringList{u"c3"_s, u"c2"_s, u"c1"_s}));
        QCOMPARE(model.rowOf(u"c2"_s), 1);
        QCOMPARE(model.rowOf(u"nope"_s), -1);
        QCOMPARE(model.checkpointAt(0)->id, u"c3"_s);
        QVERIFY(!model.checkpointAt(3));
        QCOMPARE(model.checkpoints().size(), 3);
    }

    void upsertInsertsInPlaceAndUpdates()
    {
        CheckpointListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCheckpoints({checkpoint(u"c1"_s, 100), checkpoint(u"c3"_s, 300)});
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.upsert(checkpoint(u"c2"_s, 200, u"middle"_s));
        QCOMPARE(ids(model), (QStringList{u"c3"_s, u"c2"_s, u"c1"_s}));
        QCOMPARE(inserted.count(), 1);
        model.upsert(checkpoint(u"c2"_s, 200, u"renamed"_s));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1, CheckpointListModel::LabelColumn).data().toString(), u"renamed"_s);
        model.upsert(checkpoint(u"c2"_s, 200, u"renamed"_s)); // the same again: no signal
        QCOMPARE(changed.count(), 1);
        model.upsert(checkpoint(u"c4"_s, 400)); // live: on top
        QCOMPARE(ids(model).first(), u"c4"_s);
    }

    void columnsForPeople()
    {
        CheckpointListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCheckpoints(
            {checkpoint(u"c1"_s, 1772078705353, u"before deploy"_s, 3 * 1024 * 1024 + 300 * 1024, 12),
             checkpoint(u"c0"_s, 1772078700000)});
        QCOMPARE(model.index(0, CheckpointListModel::LabelColumn).data().toString(), u"before deploy"_s);
        QCOMPARE(model.index(1, CheckpointListModel::LabelColumn).data().toString(), u"(no label)"_s);
        QVERIFY(
            model.index(0, CheckpointListModel::CreatedColumn).data().toString().startsWith(u"2026-02-2"_s));
        QCOMPARE(model.index(0, CheckpointListModel::SizeColumn).data().toString(), u"3.3 MB"_s);
        QCOMPARE(model.index(0, CheckpointListModel::FilesColumn).data().toString(), u"12"_s);
        QCOMPARE(model.index(0, 0).data(CheckpointListModel::SizeRole).toLongLong(),
                 3 * 1024 * 1024 + 300 * 1024);
        QCOMPARE(model.index(0, 0).data(CheckpointListModel::CreatedAtRole).toLongLong(), 1772078705353);
        QCOMPARE(model.index(0, 2).data(CheckpointListModel::CheckpointRole).value<Checkpoint>().id, u"c1"_s);
        QCOMPARE(model.headerData(CheckpointListModel::FilesColumn, Qt::Horizontal).toString(), u"Files"_s);
    }
};

QTEST_GUILESS_MAIN(TestCheckpointListModel)
#include "test_checkpointlistmodel.moc"
