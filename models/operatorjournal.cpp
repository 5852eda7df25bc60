// SPDX-License-Identifier: MIT
#include "models/operatorjournal.h"

#include "models/modeltext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace banata {

Q_LOGGING_CATEGORY(lcJournal, "banata.models.journal")

namespace {
/// A record longer than this is not ours (or is garbage): skipped rather than parsed.
constexpr qsizetype kMaxLineBytes = 1024 * 1024;
} // namespace

Json OperatorAction::toJson() const
{
    return Json{{"timestamp", timestamp},
                {"operator", toStd(operatorName)},
                {"connectionId", toStd(key.connectionId)},
                {"sandboxId", toStd(key.sandboxId)},
                {"action", toStd(action)},
                {"detail", toStd(detail)},
                {"ok", ok},
                {"result", toStd(result)}};
}

std::optional<OperatorAction> OperatorAction::fromJson(const Json &json)
{
    using namespace modeltext;
    if (!json.is_object())
        return std::nullopt;
    const auto timestamp = jsonInt(json, "timestamp");
    OperatorAction out;
    out.action = jsonString(json, "action");
    out.key.connectionId = jsonString(json, "connectionId");
    out.key.sandboxId = jsonString(json, "sandboxId");
    // Without these a record cannot be placed on any timeline.
    if (!timestamp || out.action.isEmpty() || !out.key.isValid())
        return std::nullopt;
    out.timestamp = *timestamp;
    out.operatorName = jsonString(json, "operator");
    out.detail = jsonString(json, "detail");
    out.ok = jsonBool(json, "ok").value_or(true);
    out.result = jsonString(json, "result");
    return out;
}

OperatorJournal::OperatorJournal(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
{
    qRegisterMetaType<OperatorAction>();
    if (!m_path.isEmpty())
        load();
}

void OperatorJournal::record(const OperatorAction &action)
{
    m_actions.append(action);
    if (!m_path.isEmpty())
        append(action);
    Q_EMIT recorded(action);
}

QList<OperatorAction> OperatorJournal::actionsFor(const SandboxKey &key) const
{
    QList<OperatorAction> out;
    for (const OperatorAction &action : m_actions) {
        if (action.key == key)
            out.append(action);
    }
    // Recorded in order of asking, but a journal merged from older files may not be.
    std::stable_sort(out.begin(), out.end(),
                     [](const OperatorAction &a, const OperatorAction &b) { return a.timestamp < b.timestamp; });
    return out;
}

void OperatorJournal::load()
{
    QFile file(m_path);
    if (!file.exists())
        return;
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = tr("Could not read the operator journal %1: %2").arg(m_path, file.errorString());
        qCWarning(lcJournal) << m_error;
        return;
    }
    const QByteArray bytes = file.readAll();
    m_needsNewline = !bytes.isEmpty() && !bytes.endsWith('\n');
    int skipped = 0;
    qsizetype start = 0;
    while (start < bytes.size()) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0)
            end = bytes.size();
        const QByteArrayView line = QByteArrayView(bytes).sliced(start, end - start).trimmed();
        start = end + 1;
        if (line.isEmpty())
            continue;
        if (line.size() > kMaxLineBytes) {
            ++skipped;
            continue;
        }
        const auto json = parseJson(line.toByteArray());
        std::optional<OperatorAction> action = json ? OperatorAction::fromJson(*json) : std::nullopt;
        if (!action) {
            ++skipped;
            continue;
        }
        m_actions.append(std::move(*action));
    }
    if (skipped > 0) {
        m_error = skipped == 1
            ? tr("One unreadable line of the operator journal %1 was skipped.").arg(m_path)
            : tr("%n unreadable lines of the operator journal %1 were skipped.", nullptr, skipped).arg(m_path);
        qCWarning(lcJournal) << m_error;
    }
}

bool OperatorJournal::append(const OperatorAction &action)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QFile file(m_path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        m_error = tr("Could not write the operator journal %1: %2").arg(m_path, file.errorString());
        qCWarning(lcJournal) << m_error;
        return false;
    }
    QByteArray line;
    if (m_needsNewline)
        line.append('\n');
    line.append(dumpJson(action.toJson()));
    line.append('\n');
    // One write and a flush per record: a crash loses at most the record being written, and
    // the torn line it may leave is skipped on the next load.
    if (file.write(line) != line.size() || !file.flush()) {
        m_error = tr("Could not write the operator journal %1: %2").arg(m_path, file.errorString());
        qCWarning(lcJournal) << m_error;
        return false;
    }
    m_needsNewline = false;
    return true;
}

} // namespace banata
