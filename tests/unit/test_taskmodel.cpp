// SPDX-License-Identifier: MIT
// One sandbox's agent tasks: newest first, updated in place as they run and finish.
#include "models/taskmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
AgentTask makeTask(const QString &id, qint64 createdAt, TaskStatus status = TaskStatus::Queued)
{
    AgentTask t;
    t.taskId = id;
    t.sandboxId = u"sb"_s;
    t.status = status;
    t.prompt = u"Prompt of "_s + id;
    t.createdAt = createdAt;
    return t;
}

QStringList taskIds(const TaskModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out.append(model.index(r, 0).data(TaskModel::TaskIdRole).toString());
    return out;
}
} // namespace

class TestTaskModel : public QObject
{
    Q_OBJECT

private:
    TaskModel *m_model = nullptr;
    QAbstractItemModelTester *m_tester = nullptr;

private slots:
    void init()
    {
        m_model = new TaskModel(this);
        m_tester = new QAbstractItemModelTester(m_model, QAbstractItemModelTester::FailureReportingMode::QtTest, this);
    }

    void cleanup()
    {
        delete m_tester;
        delete m_model;
    }

    void resetSortsNewestFirst()
    {
        m_model->reset({makeTask(u"t1"_s, 100), makeTask(u"t3"_s, 300), makeTask(u"t2"_s, 200), makeTask(u"t1"_s, 100)});
        QCOMPARE(taskIds(*m_model), (QStringList{u"t3"_s, u"t2"_s, u"t1"_s}));
        QCOMPARE(m_model->rowOf(u"t2"_s), 1);
        QCOMPARE(m_model->taskAt(0)->taskId, u"t3"_s);
        QCOMPARE(m_model->taskAt(5), nullptr);
    }

    void upsertInsertsInPlaceAndUpdates()
    {
        m_model->reset({makeTask(u"t1"_s, 100), makeTask(u"t3"_s, 300)});
        QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
        m_model->upsert(makeTask(u"t2"_s, 200));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 1);
        m_model->upsert(makeTask(u"t4"_s, 400));
        QCOMPARE(taskIds(*m_model), (QStringList{u"t4"_s, u"t3"_s, u"t2"_s, u"t1"_s}));

        // t2 runs, then fails: changed in place, only the cells that changed.
        QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
        AgentTask t2 = makeTask(u"t2"_s, 200, TaskStatus::Running);
        t2.startedAt = 250;
        m_model->upsert(t2);
        QCOMPARE(m_model->rowCount(), 4);
        QCOMPARE(m_model->index(2, TaskModel::StatusColumn).data().toString(), u"Running…"_s);
        QCOMPARE(m_model->index(2, TaskModel::DurationColumn).data().toString(), u"running"_s);
        QSet<int> columns;
        for (const auto &args : changed)
            columns.insert(args.at(0).value<QModelIndex>().column());
        QCOMPARE(columns, (QSet<int>{TaskModel::StatusColumn, TaskModel::DurationColumn}));

        t2.status = TaskStatus::Failed;
        t2.completedAt = 2750;
        t2.exitCode = 2;
        t2.errorOutput = u"ls: cannot access"_s;
        t2.error = u"The agent exited with status 2"_s;
        t2.output = u"partial"_s;
        m_model->upsert(t2);
        const QModelIndex status = m_model->index(2, TaskModel::StatusColumn);
        QCOMPARE(status.data().toString(), u"Failed"_s);
        QCOMPARE(status.data(Qt::ToolTipRole).toString(), u"The agent exited with status 2"_s);
        QCOMPARE(m_model->index(2, TaskModel::DurationColumn).data().toString(), u"2 s"_s);
        QCOMPARE(m_model->index(2, TaskModel::ExitColumn).data().toString(), u"exit 2"_s);
        QCOMPARE(status.data(TaskModel::OutputRole).toString(), u"partial"_s);
        QCOMPARE(status.data(TaskModel::ErrorOutputRole).toString(), u"ls: cannot access\nThe agent exited with status 2"_s);
        QCOMPARE(status.data(TaskModel::StatusRole).toInt(), int(TaskStatus::Failed));
        QCOMPARE(status.data(TaskModel::TaskRole).value<AgentTask>(), t2);

        changed.clear();
        m_model->upsert(t2); // nothing new
        QCOMPARE(changed.count(), 0);
    }

    void promptAndMetadata()
    {
        AgentTask t = makeTask(u"t"_s, 1);
        t.prompt = u"First line\nsecond line"_s;
        t.metadata = Json{{"jobId", "42"}};
        m_model->upsert(t);
        QCOMPARE(m_model->index(0, TaskModel::PromptColumn).data().toString(), u"First line…"_s);
        QCOMPARE(m_model->index(0, TaskModel::PromptColumn).data(Qt::ToolTipRole).toString(), t.prompt);
        QCOMPARE(m_model->index(0, 0).data(TaskModel::MetadataRole).toString(), u"{\n  \"jobId\": \"42\"\n}"_s);
    }
};

QTEST_GUILESS_MAIN(TestTaskModel)
#include "test_taskmodel.moc"
