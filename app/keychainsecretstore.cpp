// SPDX-License-Identifier: MIT
#include "app/keychainsecretstore.h"

#include <qt6keychain/keychain.h>

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcKeychain, "banata.app.keychain", QtInfoMsg)

namespace banata {

namespace {

const QString kService = u"banata-operator"_s;

QString errorText(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::EntryNotFound:
        return KeychainSecretStore::tr("No API key is saved in the keychain for this connection");
    case QKeychain::NoBackendAvailable:
        return KeychainSecretStore::tr("No keychain is available (is a Secret Service such as GNOME Keyring running?)");
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return KeychainSecretStore::tr("The keychain refused access");
    default:
        return KeychainSecretStore::tr("Keychain error: %1").arg(job.errorString());
    }
}

template <typename Job>
Job *makeJob(const QString &account, QObject *parent)
{
    auto *job = new Job(kService, parent);
    job->setKey(account);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    return job;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QObject *parent)
    : SecretStore(parent)
{}

void KeychainSecretStore::read(const QString &account)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(account, this);
    connect(job, &QKeychain::Job::finished, this, [this, account, job] {
        const QString error = errorText(*job);
        if (!error.isEmpty())
            qCWarning(lcKeychain).noquote() << "reading the key of" << account << "failed:" << error;
        Q_EMIT readFinished(account, error.isEmpty() ? job->textData() : QString(), error);
    });
    job->start();
}

void KeychainSecretStore::write(const QString &account, const QString &secret)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(account, this);
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, this, [this, account, job] {
        const QString error = errorText(*job);
        if (!error.isEmpty())
            qCWarning(lcKeychain).noquote() << "saving the key of" << account << "failed:" << error;
        Q_EMIT writeFinished(account, error);
    });
    job->start();
}

void KeychainSecretStore::remove(const QString &account)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(account, this);
    connect(job, &QKeychain::Job::finished, this, [this, account, job] {
        // Removing a key that was never saved is what the caller wanted anyway.
        const QString error = job->error() == QKeychain::EntryNotFound ? QString() : errorText(*job);
        Q_EMIT removeFinished(account, error);
    });
    job->start();
}

} // namespace banata
