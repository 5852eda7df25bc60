// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QString>

#include "core/expected.h"

namespace banata::server {

/**
 * How this host pauses sandboxes, detected once at server start and shared by every
 * SandboxProcess: the cgroup v2 freezer where the server may create and populate cgroups
 * ("cgroup-freezer"), else SIGSTOP/SIGCONT of every process sent by banata-sandboxd from inside
 * the sandbox's PID namespace ("signals"). A tree keeps the backend it was started with: one
 * re-attached by a later server follows what <root>/run/state.json recorded.
 */
class Freezer
{
public:
    virtual ~Freezer();

    /// "cgroup-freezer" or "signals".
    virtual QString name() const = 0;
    /// Creates the cgroup for a new tree, named key, and returns its directory; an empty string
    /// for backends without cgroups.
    virtual Expected<QString, QString> createGroup(const QString &key) = 0;

    /// preference: "auto" | "cgroup" | "signals". With "auto", the environment variable
    /// BANATA_FREEZER (same values) decides if set. An unavailable cgroup freezer falls back to
    /// signals with a warning. Null only for an unknown preference.
    static std::unique_ptr<Freezer> detect(const QString &preference);

protected:
    Freezer() = default;
};

} // namespace banata::server
