// SPDX-License-Identifier: MIT
// A sandbox's timeline: what each event means for people, one line per event in time order,
// and exports that read back to exactly what is shown.
#include "models/timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kT0 = 1772078705353;

Event makeEvent(qint64 seq, const QString &type, Json data, qint64 timestamp = kT0)
{
    Event e;
    e.seq = seq;
    e.type = type;
    e.sandboxId = u"sb"_s;
    e.timestamp = timestamp;
    e.data = std::move(data);
    return e;
}

Json handoffData(const char *status, Json extra = Json::object())
{
    Json h = {{"requestId", "hr_1"}, {"status", status}, {"reason", "mfa"}, {"message", "Enter the code"},
              {"requestedBy", "agent"}, {"requestedAt", kT0}, {"updatedAt", kT0}};
    h.update(extra);
    return Json{{"handoff", h}, {"controlMode", "human"}, {"preview", Json::object()}};
}

Json taskData(const char *status, Json extra = Json::object())
{
    Json t = {{"taskId", "task_1"}, {"sandboxId", "sb"}, {"status", status}, {"prompt", "ls -la"},
              {"createdAt", kT0}};
    t.update(extra);
    return Json{{"taskId", "task_1"}, {"status", status}, {"metadata", Json::object()}, {"task", t}};
}

/// RFC 4180 reader for the test: quoted fields may hold commas, quotes ("") and line breaks.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row.append(field);
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row.append(field);
            field.clear();
            rows.append(row);
            row.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row.append(field);
        rows.append(row);
    }
    return rows;
}
} // namespace

class TestTimelineModel : public QObject
{
    Q_OBJECT

private slots:
    void summaries_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("summary");
        QTest::addColumn<QString>("who");

        const auto row = [](const char *name, const QString &type, const Json &data, const QString &summary,
                            const QString &who = u"server"_s) {
            QTest::newRow(name) << type << dumpJson(data) << summary << who;
        };
        const Json sandbox = {{"id", "sb"}, {"runtime", "bun"}, {"size", "standard"}, {"status", "queued"}};
        row("created", u"sandbox.created"_s, Json{{"status", "queued"}, {"sandbox", sandbox}}, u"Created (bun, standard)"_s);
        row("assigned", u"sandbox.assigned"_s, Json{{"status", "assigning"}, {"previousStatus", "queued"}}, u"Assigning"_s);
        row("ready", u"sandbox.ready"_s, Json{{"status", "ready"}, {"previousStatus", "assigning"}}, u"Ready"_s);
        row("idle", u"sandbox.ready"_s, Json{{"status", "ready"}, {"previousStatus", "active"}}, u"Ready (work finished)"_s);
        row("restarted", u"sandbox.ready"_s,
            Json{{"status", "ready"}, {"previousStatus", "assigning"}, {"reason", "restarted after a crash"}},
            u"Ready — restarted after a crash"_s);
        row("active", u"sandbox.active"_s, Json{{"status", "active"}}, u"Active (a command started)"_s);
        row("pausing", u"sandbox.pausing"_s, Json{{"status", "pausing"}}, u"Pausing…"_s);
        row("paused", u"sandbox.paused"_s, Json{{"status", "paused"}}, u"Paused"_s);
        row("resumed", u"sandbox.resumed"_s, Json{{"status", "ready"}}, u"Resumed"_s);
        row("ending", u"sandbox.ending"_s, Json{{"status", "ending"}}, u"Ending…"_s);
        row("ended", u"sandbox.ended"_s, Json{{"status", "ended"}}, u"Ended"_s);
        row("failed", u"sandbox.failed"_s, Json{{"status", "failed"}, {"reason", "out of memory"}}, u"Failed: out of memory"_s);
        row("files", u"sandbox.files.changed"_s,
            Json{{"paths", {"/workspace/a.txt", "/workspace/b.txt", "/workspace/c.txt", "/workspace/d.txt"}},
                 {"origin", "api"}},
            u"4 files changed: /workspace/a.txt, /workspace/b.txt, /workspace/c.txt and 1 more"_s, u"api"_s);
        row("one file", u"sandbox.files.changed"_s, Json{{"paths", {"/workspace/a.txt"}}, {"origin", "api"}},
            u"1 file changed: /workspace/a.txt"_s, u"api"_s);
        row("restored files", u"sandbox.files.changed"_s, Json{{"paths", {"/workspace"}}, {"origin", "restore"}},
            u"1 file restored: /workspace"_s);
        row("checkpoint", u"sandbox.checkpoint.created"_s,
            Json{{"checkpoint", {{"id", "cp_1"}, {"label", "before deploy"}, {"fileCount", 12}, {"sizeBytes", 2048}}}},
            u"Checkpoint created: before deploy (12 files, 2.00 KiB)"_s);
        row("restore", u"sandbox.checkpoint.restored"_s, Json{{"checkpoint", {{"id", "cp_1"}}}},
            u"Checkpoint restored: cp_1"_s);
        row("handoff requested", u"sandbox.handoff.requested"_s, handoffData("pending"),
            u"Handoff requested: MFA — Enter the code"_s, u"agent"_s);
        row("handoff accepted", u"sandbox.handoff.accepted"_s, handoffData("accepted", {{"controller", "ana"}}),
            u"Handoff accepted by ana (MFA)"_s, u"ana"_s);
        row("handoff completed", u"sandbox.handoff.completed"_s,
            handoffData("completed", {{"controller", "ana"}, {"outcome", "needs_info"}, {"note", "which account?"}}),
            u"Handoff completed by ana: needs more information (MFA) — which account?"_s, u"ana"_s);
        row("handoff cancelled", u"sandbox.handoff.cancelled"_s, handoffData("cancelled", {{"note", "not needed"}}),
            u"Handoff cancelled (MFA) — not needed"_s);
        row("handoff expired", u"sandbox.handoff.expired"_s, handoffData("expired"),
            u"Handoff expired: nobody finished it in time (MFA)"_s);
        row("task queued", u"sandbox.agent.task.queued"_s, taskData("queued"), u"Task queued — ls -la"_s, u"agent"_s);
        row("task running", u"sandbox.agent.task.running"_s, taskData("running"), u"Task running — ls -la"_s, u"agent"_s);
        row("task completed", u"sandbox.agent.task.completed"_s, taskData("completed", {{"exitCode", 0}}),
            u"Task completed: exit 0 — ls -la"_s, u"agent"_s);
        row("task failed", u"sandbox.agent.task.failed"_s,
            taskData("failed", {{"exitCode", 2}, {"error", "The agent exited with status 2"}}),
            u"Task failed: exit 2 (The agent exited with status 2) — ls -la"_s, u"agent"_s);
        row("browser ready", u"sandbox.browser.ready"_s, Json{{"cdpUrl", "ws://x"}}, u"Browser ready"_s);
        row("browser failed", u"sandbox.browser.failed"_s, Json{{"reason", "exited with code 1"}},
            u"Browser failed — exited with code 1"_s);
        row("preview", u"sandbox.preview.updated"_s,
            Json{{"status", "running"}, {"title", "My page"}, {"url", "http://127.0.0.1:8000/"},
                 {"controlMode", "human"}, {"controller", "ana"}},
            u"Browser running: My page (http://127.0.0.1:8000/) — controlled by ana"_s);
        row("cdp connected", u"sandbox.browser.cdp.connected"_s, Json{{"peer", "127.0.0.1"}},
            u"Automation client connected — 127.0.0.1"_s, u"automation"_s);
        row("cdp disconnected", u"sandbox.browser.cdp.disconnected"_s,
            Json{{"reason", "client closed"}, {"forwarded", 120}, {"heldBack", 3}},
            u"Automation client disconnected — client closed (120 commands forwarded, 3 held back)"_s, u"automation"_s);
        row("unknown", u"sandbox.disk.almost_full"_s, Json{{"status", "warning"}}, u"Disk almost full — warning"_s);
        row("unknown, odd data", u"sandbox.handoff.weird"_s, Json::array({1, 2}), u"Handoff updated (Other)"_s);
        row("files in the sandbox", u"sandbox.files.changed"_s,
            Json{{"paths", {"/workspace/out/a.txt", "/workspace/b.txt", "/workspace/c.txt", "/workspace/d.txt"}},
                 {"origin", "sandbox"}},
            u"4 files changed in the sandbox: a.txt, b.txt, c.txt and 1 more"_s, u"sandbox"_s);
        row("document converted", u"sandbox.document.converted"_s,
            Json{{"id", "dc_1"}, {"sourcePath", "/workspace/report.md"}, {"outputPath", "/workspace/report.pdf"},
                 {"format", "pdf"}, {"sizeBytes", 42 * 1024}},
            u"report.md converted to PDF (report.pdf, 42 KB)"_s);
        row("artifact kept", u"sandbox.artifacts.updated"_s,
            Json{{"artifact", {{"key", "out/report.pdf"}, {"name", "report.pdf"}, {"sizeBytes", 42 * 1024}}}},
            u"Artifact report.pdf kept (42 KB)"_s);
        row("artifacts, odd data", u"sandbox.artifacts.updated"_s, Json{{"artifact", 5}}, u"Artifacts updated"_s);
        row("garbage types", u"sandbox.files.changed"_s, Json{{"paths", 42}, {"origin", 7}}, u"Files changed"_s);
        row("task without task", u"sandbox.agent.task.completed"_s, Json{{"taskId", "task_9"}},
            u"Task completed — task_9"_s, u"agent"_s);
        row("empty type", QString(), Json(nullptr), u"Event"_s);
    }

    void summaries()
    {
        QFETCH(QString, type);
        QFETCH(QByteArray, data);
        QFETCH(QString, summary);
        QFETCH(QString, who);
        const TimelineEntry entry = TimelineModel::entryFor(makeEvent(7, type, Json::parse(data.toStdString())));
        QCOMPARE(entry.summary, summary);
        QCOMPARE(entry.who, who);
        QCOMPARE(entry.what, type);
        QCOMPARE(entry.seq, 7);
        QVERIFY(entry.source == TimelineEntry::Source::Server);
    }

    void hugeValuesAreCut()
    {
        const Json data = {{"status", "failed"}, {"reason", std::string(1'000'000, 'r')}};
        const TimelineEntry entry = TimelineModel::entryFor(makeEvent(1, u"sandbox.failed"_s, data));
        QVERIFY(entry.summary.size() <= 500);
    }

    void orderedByTimeDedupedBySeq()
    {
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Live events first, then the history loads; a replay repeats seq 3.
        model.addEvent(makeEvent(3, u"sandbox.paused"_s, Json::object(), kT0 + 3000));
        model.addEvent(makeEvent(4, u"sandbox.resumed"_s, Json::object(), kT0 + 4000));
        model.addEvent(makeEvent(1, u"sandbox.created"_s, Json::object(), kT0 + 1000));
        model.addEvent(makeEvent(2, u"sandbox.ready"_s, Json::object(), kT0 + 2000));
        model.addEvent(makeEvent(3, u"sandbox.paused"_s, Json::object(), kT0 + 3000));
        OperatorAction pause;
        pause.timestamp = kT0 + 2500;
        pause.operatorName = u"ana"_s;
        pause.key = {u"c"_s, u"sb"_s};
        pause.action = u"pause"_s;
        pause.result = u"paused"_s;
        model.addAction(pause);
        QCOMPARE(model.rowCount(), 5);
        QStringList whats;
        for (int r = 0; r < model.rowCount(); ++r)
            whats.append(model.index(r, TimelineModel::WhatColumn).data().toString());
        QCOMPARE(whats, (QStringList{u"sandbox.created"_s, u"sandbox.ready"_s, u"pause"_s, u"sandbox.paused"_s,
                                     u"sandbox.resumed"_s}));
        QCOMPARE(model.index(2, TimelineModel::WhoColumn).data().toString(), u"ana"_s);
        QCOMPARE(model.index(2, TimelineModel::SummaryColumn).data().toString(), u"Pause — paused"_s);
        QCOMPARE(model.index(2, 0).data(TimelineModel::SourceRole).toInt(), int(TimelineEntry::Source::Operator));
        QCOMPARE(model.index(2, 0).data(TimelineModel::SeqRole).toLongLong(), -1);
        QCOMPARE(model.index(3, 0).data(TimelineModel::SeqRole).toLongLong(), 3);
        QCOMPARE(model.index(0, TimelineModel::TimeColumn).data(TimelineModel::SortRole).toLongLong(), kT0 + 1000);

        OperatorAction failed = pause;
        failed.timestamp = kT0 + 5000;
        failed.action = u"exec"_s;
        failed.detail = u"make test"_s;
        failed.ok = false;
        failed.result = u"The sandbox is paused"_s;
        model.addAction(failed);
        QCOMPARE(model.entryAt(5).summary, u"Run command: make test failed: The sandbox is paused"_s);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        model.addEvent(makeEvent(3, u"sandbox.paused"_s, Json::object()));
        QCOMPARE(model.rowCount(), 1); // cleared: seen seqs forgotten too
    }

    void sandboxFileChangesShareOneLine()
    {
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto changed = [](qint64 seq, std::initializer_list<const char *> paths, qint64 at) {
            Json array = Json::array();
            for (const char *path : paths)
                array.push_back(path);
            return makeEvent(seq, u"sandbox.files.changed"_s, Json{{"paths", array}, {"origin", "sandbox"}}, at);
        };
        model.addEvent(changed(1, {"/workspace/a.o"}, kT0));
        model.addEvent(changed(2, {"/workspace/b.o", "/workspace/a.o"}, kT0 + 1000));
        model.addEvent(changed(3, {"/workspace/c.o"}, kT0 + 2000));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.entryAt(0).summary, u"3 files changed in the sandbox: a.o, b.o, c.o"_s);
        QCOMPARE(model.entryAt(0).timestamp, kT0);

        // Something else in between starts a new line, as does a long quiet spell.
        model.addEvent(makeEvent(4, u"sandbox.paused"_s, Json::object(), kT0 + 3000));
        model.addEvent(changed(5, {"/workspace/d.o"}, kT0 + 4000));
        model.addEvent(changed(6, {"/workspace/e.o"}, kT0 + 4000 + 10 * 60 * 1000));
        QCOMPARE(model.rowCount(), 4);
        // An older page of history joins the line after it.
        model.addEvent(changed(0, {"/workspace/z.o"}, kT0 - 500));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.entryAt(0).timestamp, kT0 - 500);
        QCOMPARE(model.entryAt(0).summary, u"4 files changed in the sandbox: a.o, b.o, c.o and 1 more"_s);
        // Changes through the API stay one line each: they are the operator's and the agent's own.
        model.addEvent(makeEvent(7, u"sandbox.files.changed"_s, Json{{"paths", {"/workspace/f"}}, {"origin", "api"}},
                                 kT0 + 4000 + 10 * 60 * 1000 + 1));
        QCOMPARE(model.rowCount(), 5);
    }

    void exportsReadBack()
    {
        TimelineModel model;
        model.addEvent(makeEvent(1, u"sandbox.handoff.completed"_s,
                                 handoffData("completed", {{"controller", "ana, \"the boss\""},
                                                           {"note", "line one\nline two, with comma"}}),
                                 kT0));
        OperatorAction action;
        action.timestamp = kT0 + 1;
        action.operatorName = u"Zoë"_s;
        action.key = {u"c"_s, u"sb"_s};
        action.action = u"exec"_s;
        action.detail = u"echo \"hi\", there"_s;
        action.result = u"exit 0"_s;
        model.addAction(action);

        QBuffer json;
        json.open(QIODevice::WriteOnly);
        QVERIFY(model.exportJson(&json));
        const auto parsed = parseJson(json.data());
        QVERIFY(parsed.ok());
        QVERIFY(parsed->is_array());
        QCOMPARE(parsed->size(), size_t(2));
        const Json &first = (*parsed)[0];
        QCOMPARE(fromStd(first["time"].get<std::string>()), u"2026-02-26T04:05:05.353Z"_s);
        QCOMPARE(first["timestamp"].get<qint64>(), kT0);
        QCOMPARE(fromStd(first["source"].get<std::string>()), u"server"_s);
        QCOMPARE(fromStd(first["who"].get<std::string>()), model.entryAt(0).who);
        QCOMPARE(fromStd(first["what"].get<std::string>()), u"sandbox.handoff.completed"_s);
        QCOMPARE(fromStd(first["summary"].get<std::string>()), model.entryAt(0).summary);
        QVERIFY(first["detail"] == model.entryAt(0).detail);
        QCOMPARE(fromStd((*parsed)[1]["who"].get<std::string>()), u"Zoë"_s);
        QCOMPARE(fromStd((*parsed)[1]["source"].get<std::string>()), u"operator"_s);

        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        QVERIFY(model.exportCsv(&csv));
        QVERIFY(csv.data().startsWith("time,source,who,what,summary,detail\r\n"));
        const QList<QStringList> rows = parseCsv(QString::fromUtf8(csv.data()));
        QCOMPARE(rows.size(), 3);
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), 6);
        QCOMPARE(rows[1][0], u"2026-02-26T04:05:05.353Z"_s);
        QCOMPARE(rows[1][1], u"server"_s);
        QCOMPARE(rows[1][2], model.entryAt(0).who);
        QVERIFY(rows[1][2].contains(u'"'));
        QCOMPARE(rows[1][4], model.entryAt(0).summary);
        QVERIFY(Json::parse(rows[1][5].toStdString()) == model.entryAt(0).detail);
        QVERIFY(rows[1][5].contains(u"line one\\nline two"_s));
        QCOMPARE(rows[2][2], u"Zoë"_s);
        QCOMPARE(rows[2][4], model.entryAt(1).summary);
        QVERIFY(rows[2][4].contains(u"echo \"hi\", there"_s));

        // An empty timeline is still a valid document.
        TimelineModel empty;
        QBuffer nothing;
        nothing.open(QIODevice::WriteOnly);
        QVERIFY(empty.exportJson(&nothing));
        QVERIFY(parseJson(nothing.data())->empty());
        QBuffer readOnly;
        readOnly.open(QIODevice::ReadOnly);
        QVERIFY(!model.exportCsv(&readOnly));
        QVERIFY(!model.exportJson(nullptr));
    }
};

QTEST_GUILESS_MAIN(TestTimelineModel)
#include "test_timelinemodel.moc"
