// SPDX-License-Identifier: MIT
#pragma once

#include <QHashFunctions>
#include <QMetaType>
#include <QString>

namespace banata {

/// Names one sandbox across connections: ids are only unique on their own server.
struct SandboxKey
{
    QString connectionId;
    QString sandboxId;

    bool isValid() const { return !connectionId.isEmpty() && !sandboxId.isEmpty(); }
    friend bool operator==(const SandboxKey &, const SandboxKey &) = default;
};

inline size_t qHash(const SandboxKey &key, size_t seed = 0) noexcept
{
    return qHashMulti(seed, key.connectionId, key.sandboxId);
}

} // namespace banata

Q_DECLARE_METATYPE(banata::SandboxKey)
