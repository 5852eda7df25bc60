// SPDX-License-Identifier: MIT
#include "runstate.h"

#include <QFile>
#include <QSaveFile>

#include "core/json.h"

using namespace Qt::StringLiterals;

namespace banata::server {

QString RunState::path(const QString &rootDir)
{
    return rootDir + u"/run/state.json"_s;
}

Expected<RunState, QString> RunState::load(const QString &rootDir)
{
    using Result = Expected<RunState, QString>;
    QFile file(path(rootDir));
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(u"no sandbox tree recorded in "_s + path(rootDir));
    const Parsed<Json> json = parseJson(file.readAll());
    if (!json)
        return Result::failure(path(rootDir) + u": "_s + json.error());
    JsonReader r(*json, u"state"_s);
    RunState state;
    state.sandboxId = r.requiredString("sandboxId");
    state.bwrapPid = r.requiredInt("bwrapPid");
    state.bwrapStartTime = r.requiredInt("bwrapStartTime");
    state.initPid = r.requiredInt("initPid");
    state.initStartTime = r.requiredInt("initStartTime");
    state.backend = r.requiredString("backend");
    state.cgroupDir = r.requiredString("cgroupDir");
    if (!r.ok())
        return Result::failure(path(rootDir) + u": "_s + r.error());
    return state;
}

std::optional<QString> RunState::save(const QString &rootDir) const
{
    const Json json = {{"sandboxId", toStd(sandboxId)},    {"bwrapPid", bwrapPid},
                       {"bwrapStartTime", bwrapStartTime}, {"initPid", initPid},
                       {"initStartTime", initStartTime},   {"backend", toStd(backend)},
                       {"cgroupDir", toStd(cgroupDir)}};
    QSaveFile file(path(rootDir));
    const QByteArray bytes = dumpJson(json) + '\n';
    // No secrets here, and run/ is 0700 anyway.
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return u"cannot write "_s + path(rootDir) + u": "_s + file.errorString();
    return std::nullopt;
}

void RunState::remove(const QString &rootDir)
{
    QFile::remove(path(rootDir));
}

} // namespace banata::server
