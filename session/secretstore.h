// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace banata {

/**
 * Where API keys live: the OS keychain in the app (KeychainSecretStore, app/), memory in tests.
 * Calls are asynchronous (the keychain may ask the user to unlock it); each ends with exactly one
 * of the signals, \a error empty on success. Secrets are never logged.
 */
class SecretStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    using QObject::QObject;
    ~SecretStore() override = default;

    virtual void read(const QString &account) = 0;
    virtual void write(const QString &account, const QString &secret) = 0;
    virtual void remove(const QString &account) = 0;

Q_SIGNALS:
    void readFinished(const QString &account, const QString &secret, const QString &error);
    void writeFinished(const QString &account, const QString &error);
    void removeFinished(const QString &account, const QString &error);
};

/// Keeps secrets in memory only (tests, and --connect with a key file).
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemorySecretStore)

public:
    using SecretStore::SecretStore;
    void read(const QString &account) override;
    void write(const QString &account, const QString &secret) override;
    void remove(const QString &account) override;

private:
    QHash<QString, QString> m_secrets;
};

} // namespace banata
