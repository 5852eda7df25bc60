// SPDX-License-Identifier: MIT
// What each server event and operator action means for people: the timeline's summaries.
#include "models/modeltext.h"
#include "models/timelinemodel.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
using namespace modeltext;

constexpr qsizetype kSummaryChars = 500;
constexpr qsizetype kPartChars = 160;
constexpr qsizetype kPathChars = 80;
constexpr int kPathsShown = 3;

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("banata::TimelineModel", text, nullptr, n);
}

/// "text — addition", or the text alone when there is nothing to add.
QString withNote(const QString &text, const QString &addition)
{
    return addition.isEmpty() ? text : tr("%1 — %2").arg(text, addition);
}

QString lifecycleSummary(const QString &type, const Json &data)
{
    const QString previous = jsonString(data, "previousStatus");
    QString reason = jsonString(data, "reason");
    if (reason.isEmpty()) {
        if (const Json *sandbox = jsonObject(data, "sandbox"))
            reason = jsonString(*sandbox, "statusReason");
    }
    reason = oneLine(reason, kPartChars);

    if (type == u"sandbox.created") {
        QStringList parts;
        if (const Json *sandbox = jsonObject(data, "sandbox")) {
            for (const char *key : {"runtime", "size", "region"}) {
                const QString value = oneLine(jsonString(*sandbox, key), 40);
                if (!value.isEmpty())
                    parts.append(value);
            }
            const QString name = oneLine(jsonString(*sandbox, "name"), 80);
            if (!name.isEmpty())
                return withNote(tr("Created “%1” (%2)").arg(name, parts.join(u", "_s)), reason);
        }
        return withNote(parts.isEmpty() ? tr("Created") : tr("Created (%1)").arg(parts.join(u", "_s)), reason);
    }
    if (type == u"sandbox.failed")
        return reason.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(reason);

    QString text;
    if (type == u"sandbox.assigned")
        text = tr("Assigning");
    else if (type == u"sandbox.ready")
        text = previous == u"active" ? tr("Ready (work finished)") : tr("Ready");
    else if (type == u"sandbox.active")
        text = tr("Active (a command started)");
    else if (type == u"sandbox.pausing")
        text = tr("Pausing…");
    else if (type == u"sandbox.paused")
        text = tr("Paused");
    else if (type == u"sandbox.resumed")
        text = tr("Resumed");
    else if (type == u"sandbox.ending")
        text = tr("Ending…");
    else if (type == u"sandbox.ended")
        text = tr("Ended");
    return withNote(text, reason);
}

QString lastComponent(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return slash >= 0 && slash < path.size() - 1 ? path.mid(slash + 1) : path;
}

QString filesSummary(const Json &data)
{
    const QString origin = jsonString(data, "origin");
    // Written by commands in the sandbox (seen by the server's watcher): frequent, so short —
    // names, not paths — and the timeline folds neighbouring ones into one line.
    const bool sandbox = origin == u"sandbox";
    QStringList shown;
    int count = 0;
    if (const Json *paths = jsonArray(data, "paths")) {
        for (const Json &path : *paths) {
            if (!path.is_string())
                continue;
            if (shown.size() < kPathsShown) {
                const QString text = fromStd(path.get_ref<const std::string &>());
                shown.append(oneLine(sandbox ? lastComponent(text) : text, kPathChars));
            }
            ++count;
        }
    }
    if (const auto total = jsonInt(data, "pathCount"))
        count = int(std::clamp<qint64>(*total, count, INT_MAX));
    const bool restore = origin == u"restore";
    if (count == 0)
        return restore ? tr("Files restored") : sandbox ? tr("Files changed in the sandbox") : tr("Files changed");
    QString list = shown.join(u", "_s);
    if (count > shown.size())
        list = tr("%1 and %2 more").arg(list).arg(count - shown.size());
    // English has no translation file: spell the singular out instead of "file(s)".
    if (sandbox)
        return count == 1 ? tr("1 file changed in the sandbox: %1").arg(list)
                          : tr("%n files changed in the sandbox: %1", count).arg(list);
    if (count == 1)
        return restore ? tr("1 file restored: %1").arg(list) : tr("1 file changed: %1").arg(list);
    return restore ? tr("%n files restored: %1", count).arg(list) : tr("%n files changed: %1", count).arg(list);
}

/// "report.md converted to PDF (report.pdf, 42 KB)".
QString documentSummary(const Json &data)
{
    const QString source = oneLine(lastComponent(jsonString(data, "sourcePath")), kPathChars);
    const QString output = oneLine(lastComponent(jsonString(data, "outputPath")), kPathChars);
    QString format = oneLine(jsonString(data, "format"), 10).toUpper();
    if (format.isEmpty())
        format = u"PDF"_s;
    const auto size = jsonInt(data, "sizeBytes");
    if (source.isEmpty())
        return tr("Document converted to %1").arg(format);
    if (output.isEmpty())
        return tr("%1 converted to %2").arg(source, format);
    return size ? tr("%1 converted to %2 (%3, %4)").arg(source, format, output, sizeText(*size))
                : tr("%1 converted to %2 (%3)").arg(source, format, output);
}

/// "Artifact report.pdf kept (42 KB)".
QString artifactSummary(const Json &data)
{
    const Json *artifact = jsonObject(data, "artifact");
    if (!artifact)
        return tr("Artifacts updated");
    QString name = oneLine(jsonString(*artifact, "name"), kPathChars);
    if (name.isEmpty())
        name = oneLine(jsonString(*artifact, "key"), kPathChars);
    if (name.isEmpty())
        return tr("Artifacts updated");
    const auto size = jsonInt(*artifact, "sizeBytes");
    return size ? tr("Artifact %1 kept (%2)").arg(name, sizeText(*size)) : tr("Artifact %1 kept").arg(name);
}

QString checkpointSummary(const QString &type, const Json &data)
{
    const Json *checkpoint = jsonObject(data, "checkpoint");
    const Json empty = Json::object();
    const Json &cp = checkpoint ? *checkpoint : empty;
    QString name = oneLine(jsonString(cp, "label"), 80);
    if (name.isEmpty())
        name = oneLine(jsonString(cp, "id"), 80);
    if (type == u"sandbox.checkpoint.restored")
        return name.isEmpty() ? tr("Checkpoint restored") : tr("Checkpoint restored: %1").arg(name);
    QString text = name.isEmpty() ? tr("Checkpoint created") : tr("Checkpoint created: %1").arg(name);
    const auto files = jsonInt(cp, "fileCount");
    const auto bytes = jsonInt(cp, "sizeBytes");
    if (files && bytes) {
        const QString size = QLocale().formattedDataSize(*bytes);
        text += u' ' + (*files == 1 ? tr("(1 file, %1)").arg(size)
                                    : tr("(%n files, %1)", int(std::clamp<qint64>(*files, 0, INT_MAX))).arg(size));
    }
    return text;
}

QString handoffSummary(const QString &type, const Json &data, QString *who)
{
    const Json *handoff = jsonObject(data, "handoff");
    const Json empty = Json::object();
    const Json &h = handoff ? *handoff : empty;
    const QString reason = handoffReasonText(jsonString(h, "reason"));
    const QString controller = oneLine(jsonString(h, "controller"), 80);
    const QString note = oneLine(jsonString(h, "note"), kPartChars);

    if (type == u"sandbox.handoff.requested") {
        const QString requester = oneLine(jsonString(h, "requestedBy"), 40);
        if (!requester.isEmpty())
            *who = requester;
        return withNote(tr("Handoff requested: %1").arg(reason), oneLine(jsonString(h, "message"), kPartChars));
    }
    if (type == u"sandbox.handoff.accepted") {
        if (controller.isEmpty())
            return tr("Handoff accepted (%1)").arg(reason);
        *who = controller;
        return tr("Handoff accepted by %1 (%2)").arg(controller, reason);
    }
    if (type == u"sandbox.handoff.completed") {
        QString outcome = jsonString(h, "outcome");
        outcome = handoffOutcomeText(outcome.isEmpty() ? u"done"_s : outcome);
        if (controller.isEmpty())
            return withNote(tr("Handoff completed: %1 (%2)").arg(outcome, reason), note);
        *who = controller;
        return withNote(tr("Handoff completed by %1: %2 (%3)").arg(controller, outcome, reason), note);
    }
    if (type == u"sandbox.handoff.cancelled")
        return withNote(tr("Handoff cancelled (%1)").arg(reason), note);
    if (type == u"sandbox.handoff.expired")
        return tr("Handoff expired: nobody finished it in time (%1)").arg(reason);
    return tr("Handoff updated (%1)").arg(reason);
}

QString taskSummary(const QString &type, const Json &data)
{
    const Json *task = jsonObject(data, "task");
    const Json empty = Json::object();
    const Json &t = task ? *task : empty;
    QString prompt = oneLine(jsonString(t, "prompt"), kPartChars);
    if (prompt.isEmpty())
        prompt = oneLine(jsonString(data, "taskId"), 80);
    const auto exitCode = jsonInt(t, "exitCode");
    const QString error = oneLine(jsonString(t, "error"), kPartChars);

    if (type == u"sandbox.agent.task.queued")
        return withNote(tr("Task queued"), prompt);
    if (type == u"sandbox.agent.task.running")
        return withNote(tr("Task running"), prompt);
    if (type == u"sandbox.agent.task.completed") {
        const QString head = exitCode ? tr("Task completed: exit %1").arg(*exitCode) : tr("Task completed");
        return withNote(head, prompt);
    }
    if (type == u"sandbox.agent.task.failed") {
        QString head = exitCode ? tr("Task failed: exit %1").arg(*exitCode) : tr("Task failed");
        if (!error.isEmpty())
            head = tr("%1 (%2)").arg(head, error);
        return withNote(head, prompt);
    }
    return withNote(tr("Task updated"), prompt);
}

QString browserSummary(const QString &type, const Json &data)
{
    if (type == u"sandbox.browser.ready")
        return tr("Browser ready");
    if (type == u"sandbox.browser.failed")
        return withNote(tr("Browser failed"), oneLine(jsonString(data, "reason"), kPartChars));
    if (type == u"sandbox.browser.cdp.connected")
        return withNote(tr("Automation client connected"), oneLine(jsonString(data, "peer"), 80));
    if (type == u"sandbox.browser.cdp.disconnected") {
        const QString text = withNote(tr("Automation client disconnected"), oneLine(jsonString(data, "reason"), kPartChars));
        const auto forwarded = jsonInt(data, "forwarded");
        const auto heldBack = jsonInt(data, "heldBack");
        if (!forwarded || !heldBack)
            return text;
        return tr("%1 (%2 commands forwarded, %3 held back)").arg(text).arg(*forwarded).arg(*heldBack);
    }
    // sandbox.preview.updated: the preview object.
    const QString status = oneLine(jsonString(data, "status"), 40);
    QString text = status.isEmpty() ? tr("Browser updated") : tr("Browser %1").arg(status);
    const QString error = oneLine(jsonString(data, "error"), kPartChars);
    const QString title = oneLine(jsonString(data, "title"), 80);
    const QString url = oneLine(jsonString(data, "url"), kPartChars);
    if (!error.isEmpty())
        text = tr("%1: %2").arg(text, error);
    else if (!title.isEmpty() && !url.isEmpty())
        text = tr("%1: %2 (%3)").arg(text, title, url);
    else if (!title.isEmpty() || !url.isEmpty())
        text = tr("%1: %2").arg(text, title.isEmpty() ? url : title);
    const QString mode = jsonString(data, "controlMode");
    const QString controller = oneLine(jsonString(data, "controller"), 80);
    if (mode == u"human" && !controller.isEmpty())
        text = withNote(text, tr("controlled by %1").arg(controller));
    else if (mode == u"shared")
        text = withNote(text, tr("shared control"));
    return text;
}

/// "sandbox.disk.full" → "Disk full": something readable for a type this app does not know.
QString genericSummary(const QString &type, const Json &data)
{
    QString text = type.startsWith(u"sandbox."_s) ? type.mid(8) : type;
    text = oneLine(text, 80);
    text.replace(u'.', u' ').replace(u'_', u' ');
    if (text.isEmpty())
        text = tr("Event");
    text[0] = text.at(0).toUpper();
    return withNote(text, oneLine(jsonString(data, "status"), 40));
}

QString actionLabel(const QString &action)
{
    static const QHash<QString, const char *> labels{
        {u"pause"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Pause")},
        {u"resume"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Resume")},
        {u"kill"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Kill")},
        {u"checkpoint"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Create checkpoint")},
        {u"restore"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Restore checkpoint")},
        {u"checkpoint.restore"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Restore checkpoint")},
        {u"exec"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Run command")},
        {u"prompt"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Send prompt")},
        {u"create"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Create sandbox")},
        {u"handoff.accept"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Accept handoff")},
        {u"handoff.take-control"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Take control")},
        {u"handoff.hand-back"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Hand back")},
        {u"handoff.cancel"_s, QT_TRANSLATE_NOOP("banata::TimelineModel", "Cancel handoff")},
    };
    const auto it = labels.constFind(action);
    return it != labels.cend() ? tr(*it) : oneLine(action, 40);
}
} // namespace

TimelineEntry TimelineModel::entryFor(const Event &event)
{
    TimelineEntry entry;
    entry.timestamp = event.timestamp;
    entry.source = TimelineEntry::Source::Server;
    entry.who = u"server"_s;
    entry.what = oneLine(event.type, 120);
    entry.detail = event.data;
    entry.seq = event.seq;

    const QString &type = event.type;
    const Json &data = event.data;
    QString summary;
    if (type == QLatin1StringView(kStreamResetEvent)) {
        summary = tr("Event history was reset; the app reloaded the state");
    } else if (type == u"sandbox.created" || type == u"sandbox.assigned" || type == u"sandbox.ready" ||
               type == u"sandbox.active" || type == u"sandbox.pausing" || type == u"sandbox.paused" ||
               type == u"sandbox.resumed" || type == u"sandbox.ending" || type == u"sandbox.ended" ||
               type == u"sandbox.failed") {
        summary = lifecycleSummary(type, data);
    } else if (type == u"sandbox.files.changed") {
        summary = filesSummary(data);
        const QString origin = jsonString(data, "origin");
        if (origin == u"api" || origin == u"sandbox")
            entry.who = origin;
    } else if (type == u"sandbox.document.converted") {
        summary = documentSummary(data);
    } else if (type == u"sandbox.artifacts.updated") {
        summary = artifactSummary(data);
    } else if (type.startsWith(u"sandbox.checkpoint."_s)) {
        summary = checkpointSummary(type, data);
    } else if (type.startsWith(u"sandbox.handoff."_s)) {
        summary = handoffSummary(type, data, &entry.who);
    } else if (type.startsWith(u"sandbox.agent.task."_s)) {
        summary = taskSummary(type, data);
        entry.who = u"agent"_s;
    } else if (type.startsWith(u"sandbox.browser."_s) || type == u"sandbox.preview.updated") {
        summary = browserSummary(type, data);
        if (type.startsWith(u"sandbox.browser.cdp."_s))
            entry.who = u"automation"_s;
    } else {
        summary = genericSummary(type, data);
    }
    entry.summary = capped(summary, kSummaryChars);
    return entry;
}

TimelineEntry TimelineModel::entryFor(const OperatorAction &action)
{
    TimelineEntry entry;
    entry.timestamp = action.timestamp;
    entry.source = TimelineEntry::Source::Operator;
    entry.who = action.operatorName.isEmpty() ? tr("operator") : oneLine(action.operatorName, 80);
    entry.what = oneLine(action.action, 80);
    entry.detail = action.toJson();
    entry.seq = -1;

    QString text = actionLabel(action.action);
    const QString detail = oneLine(action.detail, kPartChars);
    if (!detail.isEmpty())
        text = tr("%1: %2").arg(text, detail);
    const QString result = oneLine(action.result, kPartChars);
    if (action.ok)
        text = withNote(text, result);
    else
        text = result.isEmpty() ? tr("%1 failed").arg(text) : tr("%1 failed: %2").arg(text, result);
    entry.summary = capped(text, kSummaryChars);
    return entry;
}

} // namespace banata
