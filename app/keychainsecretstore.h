// SPDX-License-Identifier: MIT
#pragma once

#include "session/secretstore.h"

namespace banata {

/// API keys in the OS keychain (Secret Service on Linux) through QtKeychain, never in a file:
/// there is no insecure fallback, so a machine without a keychain reports that clearly instead.
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainSecretStore)

public:
    explicit KeychainSecretStore(QObject *parent = nullptr);

    void read(const QString &account) override;
    void write(const QString &account, const QString &secret) override;
    void remove(const QString &account) override;
};

} // namespace banata
